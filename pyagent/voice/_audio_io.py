"""The user's audio to the wire's and back, streaming: decode, mix, resample, encode, or nothing at all.

The wire format is the connection's (:class:`~pyagent.voice._config.WireAudio`): the user's own when the service
speaks it, and then both converters pass the bytes through untouched (no codec, no resampler); else PCM16 mono at
24 kHz, while the user speaks whatever :meth:`VoiceSession.configure_audio` said (8 kHz G.711 telephony, 44.1/48 kHz
stereo microphones, ...). Each direction is one stateful converter so chunk boundaries are inaudible; ``flush()``
ends an utterance.

numpy and soxr are not imported here: a converter that has something to convert takes its codec and resampler from
:mod:`pyagent.voice._user_audio` when it is built (with the session, at connect, or at a reply's first audio), and
a passing one never does, so a call in the service's own format runs without them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from pyagent.audio import AudioEncoding, AudioFormat
from pyagent.voice._config import SERVICE_AUDIO, AudioSettings

if TYPE_CHECKING:
    from pyagent.audio import Resampler

__all__ = ["EchoGate", "FrameCarry", "InputConverter", "OutputConverter", "microphone"]

logger = logging.getLogger("pyagent.voice")


async def microphone(settings: AudioSettings) -> AsyncIterator[bytes]:
    """The default microphone as chunks in the user's audio format (the audio layer's :class:`MicrophoneSource`)."""
    from pyagent.voice._user_audio import MicrophoneSource, encode_user_audio

    async with MicrophoneSource(settings.sample_rate) as mic:
        async for frame in mic:
            yield encode_user_audio(frame, settings)


class FrameCarry:
    """Cuts chunks of any length into whole sample frames; a partial frame waits for the next chunk."""

    def __init__(self, frame_bytes: int) -> None:
        self._frame = frame_bytes
        self._carry = b""

    def whole(self, chunk: bytes) -> bytes:
        """The whole frames of what came so far."""
        if not self._carry and type(chunk) is bytes and not len(chunk) % self._frame:
            return chunk  # the common case, every chunk whole: no copy
        data = self._carry + bytes(chunk)
        cut = len(data) - len(data) % self._frame
        data, self._carry = data[:cut], data[cut:]
        return data

    def drop(self) -> None:
        """Forget a partial frame at the end of a stream."""
        if self._carry:
            logger.debug("dropping %d bytes that are not a whole audio frame", len(self._carry))
            self._carry = b""


class EchoGate:
    """Keeps the assistant's own voice, heard back through the microphone, from barging in on itself.

    Without echo cancellation a microphone near a speaker hears the assistant, and the service's turn detection
    takes that for the user. While the speaker plays, the gate passes microphone audio only when it is clearly
    louder than what the speaker plays (someone talking over it); otherwise it sends silence of the same length,
    so the service's clock and the turn detection keep running. Headphones need no gate.

    Args:
        margin_db: how much louder than the speaker output the microphone must be to pass while it plays.
    """

    def __init__(self, margin_db: float = 6.0) -> None:
        from pyagent.voice._user_audio import dbfs

        self.margin_db = margin_db
        self._dbfs = dbfs

    def process(self, mic_pcm16: bytes, speaker_dbfs: float | None) -> bytes:
        """The microphone chunk, or silence; ``speaker_dbfs`` is the level playing now (None when nothing plays)."""
        if speaker_dbfs is None or not mic_pcm16:
            return mic_pcm16
        if self._dbfs(mic_pcm16) >= speaker_dbfs + self.margin_db:
            return mic_pcm16
        return b"\x00" * len(mic_pcm16)


def same_format(settings: AudioSettings, wire: AudioFormat) -> bool:
    """True when the user's audio is the wire's byte for byte: nothing to convert."""
    return (settings.format, settings.sample_rate, settings.channels) == (
        wire.encoding,
        wire.sample_rate,
        wire.channels,
    )


class InputConverter:
    """User audio in, wire audio out (the same bytes when the formats are the same).

    Args:
        settings: the user's format.
        wire: the connection's wire format (default PCM16 24 kHz mono).
    """

    # Set only when the formats differ (a passing converter never reads them).
    _decode: Callable[[bytes, AudioSettings], bytes]
    _encode: Callable[[bytes, AudioEncoding], bytes]

    def __init__(self, settings: AudioSettings, wire: AudioFormat = SERVICE_AUDIO.format) -> None:
        self.settings = settings
        self.wire = wire
        self.passthrough = same_format(settings, wire)
        self._frames = FrameCarry(settings.frame_bytes)
        self._resampler: Resampler | None = None
        # Built at the first chunk to convert, not here: a session builds one before connect() knows the wire format
        # (which for a call in the service's own format turns out to need no conversion, and so no numpy).
        self._loaded = False

    def _load(self) -> None:
        from pyagent.voice import _user_audio  # numpy and soxr: this converter converts

        self._decode = _user_audio.decode_user_audio
        self._encode = _user_audio.encode_pcm16
        if self.settings.sample_rate != self.wire.sample_rate:
            self._resampler = _user_audio.Resampler(self.settings.sample_rate, self.wire.sample_rate)
        self._loaded = True

    def process(self, data: bytes) -> bytes:
        """Convert a chunk of any length."""
        data = self._frames.whole(data)
        if not data or self.passthrough:
            return data
        if not self._loaded:
            self._load()
        mono = self._decode(data, self.settings)
        pcm = self._resampler.process(mono) if self._resampler else mono
        return pcm if self.wire.encoding == "pcm16" else self._encode(pcm, self.wire.encoding)

    def flush(self) -> bytes:
        """End of the utterance: the resampler's tail; a partial frame left over is dropped."""
        self._frames.drop()
        if self._resampler is None:
            return b""
        pcm = self._resampler.flush()
        return pcm if self.wire.encoding == "pcm16" else self._encode(pcm, self.wire.encoding)


class OutputConverter:
    """Wire audio in, the user's format out (the same bytes when the formats are the same).

    Args:
        settings: the user's format.
        wire: the connection's wire format (default PCM16 24 kHz mono).
    """

    # Set only when the formats differ (a passing converter never reads them).
    _decode: Callable[[bytes, AudioEncoding], bytes]
    _encode: Callable[[bytes, AudioSettings], bytes]

    def __init__(self, settings: AudioSettings, wire: AudioFormat = SERVICE_AUDIO.format) -> None:
        self.settings = settings
        self.wire = wire
        self.passthrough = same_format(settings, wire)
        self._resampler: Resampler | None = None
        if not self.passthrough:
            from pyagent.voice import _user_audio  # numpy and soxr: this converter converts

            self._decode = _user_audio.decode_to_pcm16
            self._encode = _user_audio.encode_user_audio
            if settings.sample_rate != wire.sample_rate:
                self._resampler = _user_audio.Resampler(wire.sample_rate, settings.sample_rate)

    def process(self, data: bytes) -> bytes:
        """Convert a chunk of wire audio."""
        if self.passthrough:
            return bytes(data)
        pcm = bytes(data) if self.wire.encoding == "pcm16" else self._decode(data, self.wire.encoding)
        mono = self._resampler.process(pcm) if self._resampler else pcm
        return self._encode(mono, self.settings)

    def flush(self) -> bytes:
        """End of the response: the resampler's tail, converted."""
        if self._resampler is None:
            return b""
        return self._encode(self._resampler.flush(), self.settings)
