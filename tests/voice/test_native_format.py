"""The service's native format on the wire: asked for per dialect, kept by every later update, converted never.

A session whose audio is G.711 at 8 kHz (any dialect), PCM16 at 24 kHz, or PCM16 at 8/16 kHz on Voice Live asks the
service for that format and passes the bytes through both ways; other formats are resampled to and from 24 kHz PCM16.
The playback clock and the truncation count in the wire's units, so barge-in stays exact in milliseconds.
"""

from __future__ import annotations

import base64
import math
import pathlib
from typing import Any

import pytest
from voice.conftest import DIALECTS, recorded_events

from pyagent import VoiceSession
from pyagent.audio import AudioFormat, ManualClock, PlaybackClock, convert, ulaw_encode
from pyagent.realtime.dialects import get_dialect
from pyagent.server import LocalServer, Reply, ResponderContext
from pyagent.voice import _audio_io, _user_audio
from pyagent.voice._config import AudioSettings, TurnDetectionSettings, build_flat_session, choose_wire_audio
from pyagent.voice._core import Send, VoiceCore

ULAW = AudioFormat(8000, 1, "g711_ulaw")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("rate", "channels", "encoding", "native_on"),
    [
        (8000, 1, "g711_ulaw", set(DIALECTS)),
        (8000, 1, "g711_alaw", set(DIALECTS)),
        (24000, 1, "pcm16", set(DIALECTS)),
        (16000, 1, "pcm16", {"voicelive"}),
        (8000, 1, "pcm16", {"voicelive"}),
        (44100, 1, "pcm16", set()),
        (24000, 2, "pcm16", set()),
    ],
)
def test_the_wire_format_chosen_per_dialect(
    dialect: str, rate: int, channels: int, encoding: str, native_on: set[str]
) -> None:
    settings = AudioSettings(rate, channels, encoding)  # type: ignore[arg-type]
    wire = choose_wire_audio(settings, get_dialect(dialect))
    if dialect in native_on:
        assert wire.format == AudioFormat(rate, 1, encoding)  # type: ignore[arg-type]
    else:
        assert wire.format == AudioFormat(24000, 1, "pcm16")
    flat = build_flat_session(
        voice="alloy",
        instructions="",
        turn_detection=TurnDetectionSettings(),
        language="en",
        transcription_model=None,
        audio_fields=wire.fields,
    )
    shaped = get_dialect(dialect).session_to_wire(flat)
    name = wire.format.encoding
    if dialect in ("openai", "azure-openai-ga"):  # GA: a format object under audio.input / audio.output
        expected = wire.format.to_ga_wire()
        assert shaped["audio"]["input"]["format"] == expected
        assert shaped["audio"]["output"]["format"] == expected
        assert "input_audio_sampling_rate" not in shaped
    else:
        assert shaped["input_audio_format"] == name
        if dialect == "voicelive" and name == "pcm16":  # the rate named both ways, so no later update changes it
            assert shaped["input_audio_sampling_rate"] == wire.format.sample_rate
            rate_name = "pcm16" if wire.format.sample_rate == 24000 else f"pcm16_{wire.format.sample_rate}hz"
            assert shaped["output_audio_format"] == rate_name
        else:
            assert shaped["output_audio_format"] == name
            assert "input_audio_sampling_rate" not in shaped


def test_the_playback_clock_and_truncation_count_in_g711_units() -> None:
    """1 s of µ-law is 8,000 bytes: played 300 ms -> audio_end_ms 300, the item 1,000 ms long."""
    clock = ManualClock()
    playback = PlaybackClock(8000, clock=clock, encoding="g711_ulaw")
    core = VoiceCore(playback, input_bytes_per_second=8000, output_bytes_per_second=8000)
    for name, fields in [
        ("response.created", {"response": {"id": "resp_1"}}),
        (
            "response.output_item.added",
            {"response_id": "resp_1", "item": {"id": "item_1", "type": "message", "role": "assistant"}},
        ),
    ]:
        core.receive(name, {"type": name, **fields})
    delta = ulaw_encode(b"\x10\x00\xf0\xff" * 4000)  # 1 s at 8 kHz
    assert len(delta) == 8000
    core.receive(
        "response.output_audio.delta",
        {"response_id": "resp_1", "item_id": "item_1", "content_index": 0, "delta": delta},
    )
    assert core.conversation.audio_ms(core.conversation.get("item_1")) == 1000  # type: ignore[arg-type]
    clock.advance(0.3)
    effects = core.receive("input_audio_buffer.speech_started", {"item_id": "item_user", "audio_start_ms": 0})
    truncate = [e.event for e in effects if isinstance(e, Send) and e.event["type"] == "conversation.item.truncate"]
    assert [t["audio_end_ms"] for t in truncate] == [300]
    # The caller's commit of 400 ms of µ-law is 3,200 bytes.
    core.sent({"type": "input_audio_buffer.append", "audio": bytes(3200)})
    core.sent({"type": "input_audio_buffer.commit", "event_id": "evt_1"})
    assert list(core._committed_ms) == [400]


class _NoConversion:
    """Stands in for every converter the session could use: any call fails the test."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{self.name} ran on a call whose format the service speaks")


def forbid_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every codec and resampler the converters use comes from _user_audio, taken when a converter is built.
    names = ("Resampler", "ulaw_encode", "ulaw_decode", "alaw_encode", "alaw_decode", "decode_to_pcm16")
    for name in (*names, "encode_pcm16", "to_mono", "decode_user_audio", "encode_user_audio"):
        monkeypatch.setattr(_user_audio, name, _NoConversion(name))


def weather_forecast(context: ResponderContext) -> Reply:
    return Reply(text=f"You asked: {context.transcript}.")


def same_answer(context: ResponderContext) -> Reply:
    return Reply(text="The same answer every time.")


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_ulaw_call_converts_nothing_and_a_later_update_keeps_the_format(
    dialect: str, weather_audio: bytes, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = convert(weather_audio, AudioFormat(24000), ULAW)
    forbid_conversion(monkeypatch)
    async with LocalServer(
        realtime_factor=math.inf, record_dir=tmp_path / "sessions", seed=1, responder=weather_forecast
    ) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect)
        session.configure_audio(sample_rate=8000, format="g711_ulaw")
        async with session.connect() as voice:
            assert voice.wire_audio_format == ULAW
            assert voice.playback.audio_format == ULAW
            first = await voice.respond(question)
            voice.configure_turn_detection(silence_duration=700)  # a later session.update
            await voice.send_text("hello")
            second = await voice.receive()
            item_ms = [item.audio_ms for item in voice.conversation if item.role == "assistant"]
        client = await recorded_events(server, tmp_path, "client")
        received = await recorded_events(server, tmp_path, "server")
    assert "weather in paris" in first.input_transcript
    assert first.transcript == f"You asked: {first.input_transcript}."
    assert (first.format, first.sample_rate) == ("g711_ulaw", 8000)
    assert second.transcript == "You asked: hello."
    # Every session.update asks for µ-law both ways, the turn detection change included.
    updates = [e["session"] for e in client if e["type"] == "session.update" and "instructions" in e["session"]]
    assert len(updates) == 2
    for update in updates:
        if dialect in ("openai", "azure-openai-ga"):
            assert update["audio"]["input"]["format"] == {"type": "audio/pcmu"}
            assert update["audio"]["output"]["format"] == {"type": "audio/pcmu"}
        else:
            assert (update["input_audio_format"], update["output_audio_format"]) == ("g711_ulaw", "g711_ulaw")
    # The caller's bytes went out as they were, and the service's came back as they were.
    appended = b"".join(base64.b64decode(e["audio"]) for e in client if e["type"] == "input_audio_buffer.append")
    assert appended == question
    delta_types = ("response.output_audio.delta", "response.audio.delta")
    deltas = [e for e in received if e["type"] in delta_types]
    by_response: dict[str, bytes] = {}
    for event in deltas:
        by_response[event["response_id"]] = by_response.get(event["response_id"], b"") + base64.b64decode(
            event["delta"]
        )
    assert first.audio == by_response[first.id]
    assert second.audio == by_response[second.id]
    # Milliseconds counted in µ-law: 8 bytes a millisecond.
    assert item_ms == [len(first.audio) // 8, len(second.audio) // 8]
    assert first.duration_ms == len(first.audio) // 8


async def test_voicelive_speaks_16_khz_pcm_natively_and_openai_is_resampled(
    weather_audio: bytes, tmp_path: pathlib.Path
) -> None:
    question = convert(weather_audio, AudioFormat(24000), AudioFormat(16000))
    async with LocalServer(realtime_factor=math.inf, record_dir=tmp_path / "sessions", responder=same_answer) as srv:
        heard: dict[str, tuple[AudioFormat, int, str]] = {}
        for dialect in ("voicelive", "openai"):
            session = VoiceSession(model="gpt-realtime", endpoint=srv.endpoint, dialect=dialect, sample_rate=16000)
            async with session.connect() as voice:
                response = await voice.respond(question)
                heard[dialect] = (voice.wire_audio_format, response.duration_ms, response.input_transcript)
        client = await recorded_events(srv, tmp_path, "client")
    assert heard["voicelive"][0] == AudioFormat(16000)
    assert heard["openai"][0] == AudioFormat(24000)
    assert abs(heard["voicelive"][1] - heard["openai"][1]) <= 2  # the same answer, at 16 kHz either way
    assert "weather in paris" in heard["voicelive"][2]
    voicelive_update = next(e["session"] for e in client if e["type"] == "session.update" and "voice" in e["session"])
    assert voicelive_update["input_audio_sampling_rate"] == 16000
    assert voicelive_update["output_audio_format"] == "pcm16_16000hz"


def test_converters_pass_native_bytes_through_untouched() -> None:
    settings = AudioSettings(8000, 1, "g711_ulaw")
    inbound = _audio_io.InputConverter(settings, ULAW)
    outbound = _audio_io.OutputConverter(settings, ULAW)
    assert inbound.passthrough
    assert outbound.passthrough
    frame = bytes(range(160))
    assert inbound.process(frame) == frame
    assert outbound.process(frame) == frame
    assert inbound.flush() == b""
    assert outbound.flush() == b""
    # Not native: 8 kHz µ-law user audio against a 24 kHz PCM16 wire is decoded and resampled (3 bytes -> 6 samples).
    converted = _audio_io.InputConverter(settings, AudioFormat(24000))
    assert not converted.passthrough
    out = converted.process(frame) + converted.flush()
    assert abs(len(out) - 160 * 3 * 2) <= 12


async def test_dtmf_digits_reach_the_handlers_and_bad_ones_are_refused() -> None:
    from pyagent.voice import ConfigurationError, InvalidStateError, current_session

    session = VoiceSession()
    pressed: list[str] = []
    session.on("dtmf")(pressed.append)
    for digit in "0123456789*#ABCD":
        await session.notify_dtmf(digit)
    assert pressed == list("0123456789*#ABCD")
    for bad in ("", "12", "E", "x"):
        with pytest.raises(ConfigurationError, match="DTMF"):
            await session.notify_dtmf(bad)
    with pytest.raises(InvalidStateError, match="tool"):
        current_session()  # only inside a tool call
