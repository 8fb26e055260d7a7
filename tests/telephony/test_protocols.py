"""The carriers' protocols and the socket adapter with plain values: frames in, events out; audio in, frames out."""

from __future__ import annotations

import base64
import json
import sys

import pytest

from pyagent.audio import AudioFormat
from pyagent.telephony import (
    AcsMediaStreaming,
    CallerAudio,
    CallSetupError,
    DtmfDigit,
    MediaStreamError,
    MissingDependencyError,
    PhoneServer,
    PlaybackMark,
    StreamStarted,
    StreamStopped,
    TwilioMediaStreams,
    UnsupportedSocketError,
    bridge_call,
    current_call,
)
from pyagent.telephony._protocols import protocol_for
from pyagent.voice import InvalidStateError, VoiceSession

START = {
    "event": "start",
    "sequenceNumber": "1",
    "start": {
        "accountSid": "AC1",
        "streamSid": "MZ1",
        "callSid": "CA1",
        "tracks": ["inbound"],
        "customParameters": {"customer": "42", "priority": 1},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    },
    "streamSid": "MZ1",
}


def test_twilio_frames_in() -> None:
    twilio = TwilioMediaStreams()
    assert twilio.parse(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})) is None
    started = twilio.parse(json.dumps(START))
    assert isinstance(started, StreamStarted)
    call = started.call
    assert (call.carrier, call.call_id, call.stream_id, call.account_id) == ("twilio", "CA1", "MZ1", "AC1")
    assert call.parameters == {"customer": "42", "priority": "1"}
    assert call.audio_format == AudioFormat(8000, 1, "g711_ulaw")
    payload = base64.b64encode(bytes(range(160))).decode()
    media = {"event": "media", "media": {"track": "inbound", "chunk": "1", "timestamp": "20", "payload": payload}}
    assert twilio.parse(json.dumps(media)) == CallerAudio(bytes(range(160)))
    outbound = {"event": "media", "media": {"track": "outbound", "payload": payload}}
    assert twilio.parse(json.dumps(outbound)) is None
    assert twilio.parse(json.dumps({"event": "mark", "mark": {"name": "1600"}})) == PlaybackMark("1600")
    assert twilio.parse(json.dumps({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "7"}})) == DtmfDigit(
        "7"
    )
    assert twilio.parse(json.dumps({"event": "stop", "stop": {"callSid": "CA1"}})) == StreamStopped()
    assert twilio.parse(json.dumps({"event": "a_future_event"})) is None  # not ours to refuse


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("not json", "not JSON"),
        (b"\x00\x01", "binary"),
        ("[1, 2]", "does not fit"),
        ('{"event": "media", "media": {}}', "payload"),
        ('{"event": "media", "media": {"payload": "%%%"}}', "base64"),
        ('{"event": "mark"}', "mark"),
    ],
)
def test_twilio_frames_that_do_not_fit(frame: str | bytes, message: str) -> None:
    with pytest.raises(MediaStreamError, match=message):
        TwilioMediaStreams().parse(frame)


def test_twilio_start_in_another_format_cannot_begin_a_call() -> None:
    start = json.loads(json.dumps(START))
    start["start"]["mediaFormat"] = {"encoding": "audio/x-l16", "sampleRate": 16000, "channels": 1}
    with pytest.raises(CallSetupError, match="not µ-law 8 kHz mono"):
        TwilioMediaStreams().parse(json.dumps(start))


def test_twilio_frames_out() -> None:
    twilio = TwilioMediaStreams()
    twilio.parse(json.dumps(START))
    assert json.loads(twilio.media(b"\x7f\xff")) == {"event": "media", "streamSid": "MZ1", "media": {"payload": "f/8="}}
    assert json.loads(twilio.mark("160")) == {"event": "mark", "streamSid": "MZ1", "mark": {"name": "160"}}
    assert json.loads(twilio.clear()) == {"event": "clear", "streamSid": "MZ1"}
    odd = TwilioMediaStreams()
    start = json.loads(json.dumps(START))
    start["start"]["streamSid"] = 'MZ"quoted\\'
    odd.parse(json.dumps(start))
    assert json.loads(odd.clear())["streamSid"] == 'MZ"quoted\\'  # escaped, never spliced raw
    assert twilio.acknowledges_playback


def test_acs_frames_in_and_out() -> None:
    acs = AcsMediaStreaming({"X-MS-Call-Connection-Id": "conn-1", "x-ms-call-correlation-id": "corr-1"})
    assert not acs.acknowledges_playback
    metadata = {
        "kind": "AudioMetadata",
        "audioMetadata": {
            "subscriptionId": "sub-1",
            "encoding": "PCM",
            "sampleRate": 24000,
            "channels": 1,
            "length": 960,
        },
    }
    started = acs.parse(json.dumps(metadata))
    assert isinstance(started, StreamStarted)
    call = started.call
    assert (call.carrier, call.call_id, call.stream_id, call.correlation_id) == ("acs", "conn-1", "sub-1", "corr-1")
    assert call.audio_format == AudioFormat(24000)
    data = {"kind": "AudioData", "audioData": {"data": base64.b64encode(b"\x01\x00" * 480).decode(), "silent": False}}
    assert acs.parse(json.dumps(data)) == CallerAudio(b"\x01\x00" * 480)
    assert acs.parse(json.dumps({"kind": "AudioData", "audioData": {"silent": True}})) == CallerAudio(bytes(960))
    assert acs.parse(json.dumps({"kind": "DtmfData", "dtmfData": {"data": "pound"}})) == DtmfDigit("#")
    assert acs.parse(json.dumps({"kind": "DtmfData", "dtmfData": {"data": "4"}})) == DtmfDigit("4")
    assert acs.parse(json.dumps({"kind": "SomethingElse"})) is None
    with pytest.raises(MediaStreamError, match="not JSON"):
        acs.parse("{")
    assert json.loads(acs.media(b"\x01\x00")) == {"kind": "AudioData", "audioData": {"data": "AQA="}, "stopAudio": None}
    assert json.loads(acs.clear()) == {"kind": "StopAudio", "audioData": None, "stopAudio": {}}
    assert acs.mark("1") is None
    metadata["audioMetadata"]["sampleRate"] = 8000  # type: ignore[index]
    with pytest.raises(CallSetupError, match="16 or 24 kHz"):
        AcsMediaStreaming().parse(json.dumps(metadata))


async def test_what_is_not_a_carrier_socket_or_carrier_is_refused() -> None:
    with pytest.raises(UnsupportedSocketError, match="not a WebSocket"):
        await bridge_call(object(), VoiceSession(), "twilio")
    with pytest.raises(MediaStreamError, match="unknown carrier"):
        protocol_for("vonage")
    with pytest.raises(InvalidStateError, match="tool"):
        current_call()


def test_the_phone_server_names_its_extra_when_it_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # an import of it now fails, as when it is not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'pyagent-voice\[phone\]'"):
        PhoneServer(VoiceSession)
