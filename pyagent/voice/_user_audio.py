"""The user's audio as mono PCM16 and back: the numpy-backed half of the voice layer's audio path.

Imported only where audio is first converted (a converter whose formats differ, ``listen()``, the microphone), so
``import pyagent.voice`` and a call whose format the service speaks never load numpy or soxr. The converters in
:mod:`pyagent.voice._audio_io` take these names from here when they are built, so a chunk costs no lookup more.
"""

from __future__ import annotations

import numpy as np

from pyagent.audio import (
    MicrophoneSource,
    Resampler,
    alaw_decode,
    alaw_encode,
    dbfs,
    decode_to_pcm16,
    encode_pcm16,
    to_mono,
    ulaw_decode,
    ulaw_encode,
)
from pyagent.voice._config import AudioSettings

__all__ = [
    "MicrophoneSource",
    "Resampler",
    "dbfs",
    "decode_to_pcm16",
    "decode_user_audio",
    "encode_pcm16",
    "encode_user_audio",
]


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
