"""The carriers' media-stream protocols, without I/O: a frame of text in, a carrier event out; audio in, frames out.

Twilio Media Streams (Twilio's "Media Streams - WebSocket Messages"): Twilio sends ``connected``, then ``start``
(``streamSid``, ``accountSid``, ``callSid``, ``customParameters`` and ``mediaFormat``: always ``audio/x-mulaw`` at
8000 Hz, mono), then a ``media`` message per 20 ms of the caller's audio (``media.payload``, base64), ``dtmf``
(``dtmf.digit``), ``mark`` (``mark.name``: a mark the server sent, echoed when the audio before it has played, or at
once when a ``clear`` dropped that audio), and ``stop``. On a bidirectional stream (``<Connect><Stream>``) the server
sends ``media`` (µ-law 8 kHz, base64, no header), ``mark`` and ``clear`` (drop the audio Twilio still buffers).

Azure Communication Services bidirectional audio streaming (Microsoft Learn, "Quickstart: Server-side audio
streaming"; the Call Automation SDKs' ``OutStreamingData``): ACS sends ``AudioMetadata`` first
(``subscriptionId``, ``encoding: "PCM"``, ``sampleRate`` 16000 or 24000, ``channels: 1``, ``length``: bytes a frame),
then ``AudioData`` (``data`` base64 PCM16, ``timestamp``, ``participantRawID``, ``silent``) and ``DtmfData``
(``data``: the key). The server sends ``AudioData`` (``audioData.data``) and ``StopAudio`` (drop what is queued). ACS
tells nothing about what was played: its audio plays in real time from when it arrives. The call's ids travel in the
WebSocket request's headers (``x-ms-call-connection-id``, ``x-ms-call-correlation-id``).

Each protocol object serves one stream: :meth:`parse` a frame into a :data:`CarrierEvent`, and :meth:`media`,
:meth:`mark`, :meth:`clear` build the frames to send back.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from collections.abc import Mapping
from typing import Any, Literal, Protocol

import msgspec

from pyagent.audio import AudioFormat
from pyagent.telephony.errors import CallSetupError, ConfigurationTypeError, MediaStreamError

__all__ = [
    "AcsMediaStreaming",
    "CallInfo",
    "CallerAudio",
    "CarrierEvent",
    "DtmfDigit",
    "MediaStreamProtocol",
    "PlaybackMark",
    "StreamStarted",
    "StreamStopped",
    "TwilioMediaStreams",
    "protocol_for",
]

logger = logging.getLogger("pyagent.telephony")

FRAME_MS = 20  # both carriers send 20 ms frames, and take them back the same size
_DTMF_NAMES = {
    # ACS names its tones (Call Automation's DtmfTone); the media stream sends the key itself.
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "pound": "#",
    "asterisk": "*",
    "star": "*",
}


@dataclasses.dataclass(frozen=True, slots=True)
class CallInfo:
    """The call a media stream belongs to, as its carrier names it (``session.context["call"]`` during a call).

    Attributes:
        carrier: ``"twilio"`` or ``"acs"``.
        call_id: Twilio's ``callSid``; ACS's call connection id (``x-ms-call-connection-id``), ``""`` when not sent.
        stream_id: Twilio's ``streamSid``; ACS's ``subscriptionId``.
        audio_format: the stream's audio, both ways: µ-law 8 kHz (Twilio), PCM16 16 or 24 kHz (ACS).
        account_id: Twilio's ``accountSid`` (``""`` for ACS).
        correlation_id: ACS's ``x-ms-call-correlation-id`` (``""`` for Twilio).
        parameters: Twilio's ``<Parameter>`` values (``customParameters``); empty for ACS.
    """

    carrier: Literal["twilio", "acs"]
    call_id: str
    stream_id: str
    audio_format: AudioFormat
    account_id: str = ""
    correlation_id: str = ""
    parameters: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class StreamStarted:
    """The stream began: who the call is and what its audio is."""

    call: CallInfo


@dataclasses.dataclass(frozen=True, slots=True)
class CallerAudio:
    """A frame of the caller's audio, in the stream's format."""

    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class PlaybackMark:
    """The carrier played the audio sent before the mark of this name (or dropped it, after a clear)."""

    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class DtmfDigit:
    """The caller pressed a key: ``0``-``9``, ``*``, ``#``, ``A``-``D``."""

    digit: str


@dataclasses.dataclass(frozen=True, slots=True)
class StreamStopped:
    """The carrier ended the stream (the caller hung up, or the call moved on)."""


CarrierEvent = StreamStarted | CallerAudio | PlaybackMark | DtmfDigit | StreamStopped


class MediaStreamProtocol(Protocol):
    """What the bridge needs of a carrier's protocol (one object per stream)."""

    name: str
    acknowledges_playback: bool

    def parse(self, frame: str | bytes) -> CarrierEvent | None:
        """The event a frame carries; None for a frame that means nothing to the call.

        Raises MediaStreamError for a frame that does not fit the protocol, CallSetupError for a start the bridge
        cannot use.
        """
        ...

    def media(self, audio: bytes) -> str:
        """The frame that plays ``audio`` (the stream's format) to the caller."""
        ...

    def mark(self, name: str) -> str | None:
        """The frame asking to be told when the audio sent so far has played; None when the carrier cannot."""
        ...

    def clear(self) -> str:
        """The frame that drops the audio the carrier still holds."""
        ...


# --------------------------------------------------------------------------------------------------- Twilio


class _TwilioMediaFormat(msgspec.Struct):
    encoding: str = "audio/x-mulaw"
    sampleRate: int = 8000
    channels: int = 1


class _TwilioStartInfo(msgspec.Struct):
    streamSid: str = ""
    accountSid: str = ""
    callSid: str = ""
    tracks: list[str] = msgspec.field(default_factory=list)
    customParameters: dict[str, Any] = msgspec.field(default_factory=dict)
    mediaFormat: _TwilioMediaFormat = msgspec.field(default_factory=_TwilioMediaFormat)


class _TwilioConnected(msgspec.Struct, tag="connected", tag_field="event"):
    protocol: str = ""
    version: str = ""


class _TwilioStart(msgspec.Struct, tag="start", tag_field="event"):
    start: _TwilioStartInfo
    streamSid: str = ""


class _TwilioPayload(msgspec.Struct):
    payload: bytes
    track: str = "inbound"


class _TwilioMedia(msgspec.Struct, tag="media", tag_field="event"):
    media: _TwilioPayload


class _TwilioMarkName(msgspec.Struct):
    name: str


class _TwilioMark(msgspec.Struct, tag="mark", tag_field="event"):
    mark: _TwilioMarkName


class _TwilioDigit(msgspec.Struct):
    digit: str
    track: str = ""


class _TwilioDtmf(msgspec.Struct, tag="dtmf", tag_field="event"):
    dtmf: _TwilioDigit


class _TwilioStop(msgspec.Struct, tag="stop", tag_field="event"):
    stop: dict[str, Any] = msgspec.field(default_factory=dict)


_TwilioMessage = _TwilioConnected | _TwilioStart | _TwilioMedia | _TwilioMark | _TwilioDtmf | _TwilioStop
_TWILIO_DECODER = msgspec.json.Decoder(_TwilioMessage)
_TWILIO_ENCODINGS = {"audio/x-mulaw": "g711_ulaw"}


class TwilioMediaStreams:
    """Twilio Media Streams on a bidirectional ``<Connect><Stream>``: µ-law 8 kHz both ways, marks, ``clear``.

    Twilio tells when the audio sent before each ``mark`` has played, so the caller's ear is the playback clock:
    :attr:`acknowledges_playback` is True.
    """

    name = "twilio"
    acknowledges_playback = True

    def __init__(self) -> None:
        self.stream_sid = ""
        self._sid_json = '""'
        self._media_prefix = '{"event":"media","streamSid":"","media":{"payload":"'

    def __repr__(self) -> str:
        return f"TwilioMediaStreams(stream_sid={self.stream_sid!r})"

    def parse(self, frame: str | bytes) -> CarrierEvent | None:
        """The event a frame from Twilio carries.

        Returns:
            :class:`StreamStarted`, :class:`CallerAudio`, :class:`PlaybackMark`, :class:`DtmfDigit`,
            :class:`StreamStopped`; None for ``connected``, media of another track, and events this bridge does not
            use (logged at debug level).

        Raises:
            MediaStreamError: the frame is binary, not JSON, or misses a field its event needs.
            CallSetupError: a ``start`` whose media format is not µ-law 8 kHz mono.
        """
        if isinstance(frame, bytes):
            raise MediaStreamError(f"Twilio sends text frames; got {len(frame)} binary bytes")
        try:
            message = _TWILIO_DECODER.decode(frame)
        except msgspec.ValidationError as exc:
            event = _field_of(frame, "event")
            if event is not None and event not in ("connected", "start", "media", "mark", "dtmf", "stop"):
                logger.debug("Twilio event %r is not one this bridge uses", event)
                return None
            raise MediaStreamError(f"a Twilio {event or 'frame'} that does not fit its protocol: {exc}") from None
        except msgspec.DecodeError as exc:
            raise MediaStreamError(f"a Twilio frame that is not JSON: {exc}") from None
        if isinstance(message, _TwilioMedia):
            if message.media.track not in ("inbound", "inbound_track"):
                return None
            return CallerAudio(message.media.payload)
        if isinstance(message, _TwilioMark):
            return PlaybackMark(message.mark.name)
        if isinstance(message, _TwilioDtmf):
            return DtmfDigit(message.dtmf.digit)
        if isinstance(message, _TwilioStart):
            return StreamStarted(self._started(message))
        if isinstance(message, _TwilioStop):
            return StreamStopped()
        return None  # connected

    def _started(self, message: _TwilioStart) -> CallInfo:
        info = message.start
        fmt = info.mediaFormat
        encoding = _TWILIO_ENCODINGS.get(fmt.encoding)
        if encoding is None or fmt.sampleRate != 8000 or fmt.channels != 1:
            raise CallSetupError(
                f"Twilio's media format {fmt.encoding} {fmt.sampleRate} Hz x{fmt.channels} is not µ-law 8 kHz mono"
            )
        self.stream_sid = info.streamSid or message.streamSid
        self._sid_json = json.dumps(self.stream_sid)
        self._media_prefix = '{"event":"media","streamSid":' + self._sid_json + ',"media":{"payload":"'
        return CallInfo(
            carrier="twilio",
            call_id=info.callSid,
            stream_id=self.stream_sid,
            audio_format=AudioFormat(8000, 1, "g711_ulaw"),
            account_id=info.accountSid,
            parameters={str(key): str(value) for key, value in info.customParameters.items()},
        )

    def media(self, audio: bytes) -> str:
        """A ``media`` message playing ``audio`` (µ-law 8 kHz) to the caller."""
        return self._media_prefix + base64.b64encode(audio).decode("ascii") + '"}}'

    def mark(self, name: str) -> str:
        """A ``mark`` message: Twilio echoes it when the audio sent before it has played."""
        return '{"event":"mark","streamSid":' + self._sid_json + ',"mark":{"name":' + json.dumps(name) + "}}"

    def clear(self) -> str:
        """A ``clear`` message: Twilio drops the audio it still buffers and echoes every pending mark."""
        return '{"event":"clear","streamSid":' + self._sid_json + "}"


# --------------------------------------------------------------------------------------------------- ACS


class _AcsMetadataInfo(msgspec.Struct):
    subscriptionId: str = ""
    encoding: str = "PCM"
    sampleRate: int = 16000
    channels: int = 1
    length: int = 640


class _AcsMetadata(msgspec.Struct, tag="AudioMetadata", tag_field="kind"):
    audioMetadata: _AcsMetadataInfo


class _AcsAudioInfo(msgspec.Struct):
    data: bytes = b""
    timestamp: str = ""
    participantRawID: str = ""
    silent: bool = False


class _AcsAudio(msgspec.Struct, tag="AudioData", tag_field="kind"):
    audioData: _AcsAudioInfo


class _AcsDtmfInfo(msgspec.Struct):
    data: str


class _AcsDtmf(msgspec.Struct, tag="DtmfData", tag_field="kind"):
    dtmfData: _AcsDtmfInfo


_AcsMessage = _AcsMetadata | _AcsAudio | _AcsDtmf
_ACS_DECODER = msgspec.json.Decoder(_AcsMessage)
_ACS_STOP_AUDIO = '{"kind":"StopAudio","audioData":null,"stopAudio":{}}'


class AcsMediaStreaming:
    """Azure Communication Services bidirectional audio streaming: PCM16 mono at 16 or 24 kHz, ``StopAudio``.

    ACS tells nothing of what it played; it plays what it gets in real time, so the bridge counts audio as heard at
    the sample rate from when it was sent (:attr:`acknowledges_playback` is False).

    Args:
        headers: the WebSocket request's headers, for the call's ids (``x-ms-call-connection-id``,
            ``x-ms-call-correlation-id``).
    """

    name = "acs"
    acknowledges_playback = False

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        if headers is not None and not isinstance(headers, Mapping):
            raise ConfigurationTypeError(f"headers must be the upgrade request's headers (a mapping), not {headers!r}")
        lowered = {str(key).lower(): str(value) for key, value in (headers or {}).items()}
        self._call_id = lowered.get("x-ms-call-connection-id", "")
        self._correlation_id = lowered.get("x-ms-call-correlation-id", "")
        self._frame_bytes = 640
        self.subscription_id = ""

    def __repr__(self) -> str:
        return f"AcsMediaStreaming(call_id={self._call_id!r}, subscription_id={self.subscription_id!r})"

    def parse(self, frame: str | bytes) -> CarrierEvent | None:
        """The event a frame from ACS carries.

        Returns:
            :class:`StreamStarted` (from ``AudioMetadata``), :class:`CallerAudio` (a ``silent`` frame without data
            becomes silence of the frame's length), :class:`DtmfDigit`; None for kinds this bridge does not use.

        Raises:
            MediaStreamError: the frame is binary, not JSON, or misses a field.
            CallSetupError: ``AudioMetadata`` announcing audio that is not PCM16 mono at 16 or 24 kHz.
        """
        if isinstance(frame, bytes):
            raise MediaStreamError(f"ACS sends text frames; got {len(frame)} binary bytes")
        try:
            message = _ACS_DECODER.decode(frame)
        except msgspec.ValidationError as exc:
            kind = _field_of(frame, "kind")
            if kind is not None and kind not in ("AudioMetadata", "AudioData", "DtmfData"):
                logger.debug("ACS message kind %r is not one this bridge uses", kind)
                return None
            raise MediaStreamError(f"an ACS {kind or 'frame'} that does not fit its protocol: {exc}") from None
        except msgspec.DecodeError as exc:
            raise MediaStreamError(f"an ACS frame that is not JSON: {exc}") from None
        if isinstance(message, _AcsAudio):
            data = message.audioData.data
            if not data and message.audioData.silent:
                data = bytes(self._frame_bytes)
            return CallerAudio(data) if data else None
        if isinstance(message, _AcsDtmf):
            key = message.dtmfData.data.strip()
            return DtmfDigit(_DTMF_NAMES.get(key.lower(), key.upper()))
        return StreamStarted(self._started(message.audioMetadata))

    def _started(self, info: _AcsMetadataInfo) -> CallInfo:
        if info.encoding.upper() != "PCM" or info.sampleRate not in (16000, 24000) or info.channels != 1:
            raise CallSetupError(
                f"ACS audio {info.encoding} {info.sampleRate} Hz x{info.channels} is not PCM16 mono at 16 or 24 kHz"
            )
        fmt = AudioFormat(info.sampleRate, 1, "pcm16")
        self._frame_bytes = info.length if info.length > 0 and info.length % 2 == 0 else fmt.ms_to_bytes(FRAME_MS)
        self.subscription_id = info.subscriptionId
        return CallInfo(
            carrier="acs",
            call_id=self._call_id,
            stream_id=info.subscriptionId,
            audio_format=fmt,
            correlation_id=self._correlation_id,
        )

    def media(self, audio: bytes) -> str:
        """An ``AudioData`` message playing ``audio`` (PCM16 at the stream's rate) into the call."""
        return (
            '{"kind":"AudioData","audioData":{"data":"'
            + base64.b64encode(audio).decode("ascii")
            + '"},"stopAudio":null}'
        )

    def mark(self, name: str) -> None:
        """ACS has no marks: None."""
        return None

    def clear(self) -> str:
        """A ``StopAudio`` message: ACS drops the audio it has queued."""
        return _ACS_STOP_AUDIO


def protocol_for(carrier: str, headers: Mapping[str, str] | None = None) -> MediaStreamProtocol:
    """A fresh protocol object for ``"twilio"`` or ``"acs"``.

    Raises:
        ValueError: another name (a :class:`~pyagent.telephony.errors.MediaStreamError`).
    """
    if carrier == "twilio":
        return TwilioMediaStreams()
    if carrier == "acs":
        return AcsMediaStreaming(headers)
    raise MediaStreamError(f"unknown carrier {carrier!r}: expected 'twilio' or 'acs'")


def _field_of(frame: str, key: str) -> str | None:
    """One top-level string field of a frame that failed validation, to tell an unknown event from a broken one."""
    try:
        value = json.loads(frame)
    except ValueError:
        return None
    if isinstance(value, dict):
        field = value.get(key)
        return field if isinstance(field, str) else None
    return None
