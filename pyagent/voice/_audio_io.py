"""The user's audio to the service's and back, streaming: decode, mix, resample, encode.

The service always takes and gives PCM16 mono at 24 kHz (:data:`SERVICE_SAMPLE_RATE`); the user speaks whatever
:meth:`VoiceSession.configure_audio` said (8 kHz G.711 telephony, 44.1/48 kHz stereo microphones, ...). Each
direction is one stateful converter so chunk boundaries are inaudible; ``flush()`` ends an utterance.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import numpy as np

from pyagent.audio import (
    MicrophoneSource,
    Resampler,
    alaw_decode,
    alaw_encode,
    dbfs,
    to_mono,
    ulaw_decode,
    ulaw_encode,
)
from pyagent.voice._config import SERVICE_SAMPLE_RATE, AudioSettings

__all__ = [
    "EchoGate",
    "FrameCarry",
    "InputConverter",
    "OutputConverter",
    "decode_user_audio",
    "encode_user_audio",
    "microphone",
]

logger = logging.getLogger("pyagent.voice")


def decode_user_audio(data: bytes, settings: AudioSettings) -> bytes:
    """Mono PCM16 at the user's rate from whole frames of the user's format."""
    if settings.format == "g711_ulaw":
        pcm = ulaw_decode(data)
    elif settings.format == "g711_alaw":
        pcm = alaw_decode(data)
    else:
        pcm = bytes(data)
    return to_mono(pcm, settings.channels)


def encode_user_audio(mono_pcm16: bytes, settings: AudioSettings) -> bytes:
    """The user's format from mono PCM16 at the user's rate (channels are copies of the mono signal)."""
    pcm = mono_pcm16
    if settings.channels > 1 and pcm:
        pcm = np.repeat(np.frombuffer(pcm, dtype="<i2"), settings.channels).tobytes()
    if settings.format == "g711_ulaw":
        return ulaw_encode(pcm)
    if settings.format == "g711_alaw":
        return alaw_encode(pcm)
    return pcm


async def microphone(settings: AudioSettings) -> AsyncIterator[bytes]:
    """The default microphone as chunks in the user's audio format (the audio layer's :class:`MicrophoneSource`)."""
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
        self.margin_db = margin_db

    def process(self, mic_pcm16: bytes, speaker_dbfs: float | None) -> bytes:
        """The microphone chunk, or silence; ``speaker_dbfs`` is the level playing now (None when nothing plays)."""
        if speaker_dbfs is None or not mic_pcm16:
            return mic_pcm16
        if dbfs(mic_pcm16) >= speaker_dbfs + self.margin_db:
            return mic_pcm16
        return b"\x00" * len(mic_pcm16)


class InputConverter:
    """User audio in, service audio (PCM16 24 kHz mono) out."""

    def __init__(self, settings: AudioSettings) -> None:
        self.settings = settings
        self._frames = FrameCarry(settings.frame_bytes)
        rate = settings.sample_rate
        self._resampler = Resampler(rate, SERVICE_SAMPLE_RATE) if rate != SERVICE_SAMPLE_RATE else None

    def process(self, data: bytes) -> bytes:
        """Convert a chunk of any length."""
        data = self._frames.whole(data)
        if not data:
            return b""
        mono = decode_user_audio(data, self.settings)
        return self._resampler.process(mono) if self._resampler else mono

    def flush(self) -> bytes:
        """End of the utterance: the resampler's tail; a partial frame left over is dropped."""
        self._frames.drop()
        return self._resampler.flush() if self._resampler else b""


class OutputConverter:
    """Service audio in, the user's format out."""

    def __init__(self, settings: AudioSettings) -> None:
        self.settings = settings
        rate = settings.sample_rate
        self._resampler = Resampler(SERVICE_SAMPLE_RATE, rate) if rate != SERVICE_SAMPLE_RATE else None

    def process(self, pcm16: bytes) -> bytes:
        """Convert a chunk of service audio."""
        mono = self._resampler.process(pcm16) if self._resampler else bytes(pcm16)
        return encode_user_audio(mono, self.settings)

    def flush(self) -> bytes:
        """End of the response: the resampler's tail, converted."""
        if self._resampler is None:
            return b""
        return encode_user_audio(self._resampler.flush(), self.settings)
