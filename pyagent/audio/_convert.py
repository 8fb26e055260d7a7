"""PCM16 bytes as numpy arrays and back, channel mixing, gain and level: vectorised, copying only when it must."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from pyagent.audio._format import Bytes, check_channels, check_whole_frames
from pyagent.audio.errors import AudioFormatError

__all__ = [
    "Bytes",
    "apply_gain",
    "dbfs",
    "float32_to_pcm16",
    "from_mono",
    "int16_to_pcm16",
    "pcm16_to_float32",
    "pcm16_to_int16",
    "rms",
    "rounded_pcm16",
    "to_mono",
]

_PCM16: Final = np.dtype("<i2")
_SCALE: Final = 32768.0
# 0-d arrays rather than numpy scalars: a ufunc takes them with less overhead, which counts on 20 ms chunks.
_MAX: Final = np.array(32767.0, dtype=np.float32)
_MIN: Final = np.array(-32768.0, dtype=np.float32)


def rounded_pcm16(samples: npt.NDArray[np.float32]) -> bytes:
    """PCM16 bytes from float32 samples on the int16 scale, clipped and rounded to nearest in place (so ``samples``
    is changed). No NaN may be left: ``fmin``/``fmax`` skip it, at half the cost of ``minimum``/``maximum`` and a
    third of ``clip``."""
    np.fmin(samples, _MAX, out=samples)
    np.fmax(samples, _MIN, out=samples)
    np.rint(samples, out=samples)
    result: bytes = samples.astype(_PCM16).tobytes()
    return result


def pcm16_to_int16(pcm16: Bytes) -> npt.NDArray[np.int16]:
    """View PCM16 little-endian bytes as int16 samples (interleaved if several channels).

    The array is a read-only view of ``pcm16``, not a copy; call ``.copy()`` to modify it.

    Raises:
        AudioFormatError: an odd byte count.
    """
    check_whole_frames(pcm16, 2)
    return np.frombuffer(pcm16, dtype=_PCM16)


def int16_to_pcm16(samples: npt.ArrayLike) -> bytes:
    """PCM16 little-endian bytes from integer samples; wider integers are clipped to the int16 range.

    Raises:
        AudioFormatError: the array is not of integers (use :func:`float32_to_pcm16` for floats).
    """
    array = np.asarray(samples)
    if array.dtype.kind not in "iu":
        raise AudioFormatError(f"int16_to_pcm16 takes integer samples, got {array.dtype}; use float32_to_pcm16")
    if array.dtype != _PCM16:
        array = np.clip(array, -32768, 32767).astype(_PCM16)
    return array.tobytes()


def pcm16_to_float32(pcm16: Bytes) -> npt.NDArray[np.float32]:
    """Float32 samples in [-1, 1) from PCM16 bytes (sample / 32768).

    Raises:
        AudioFormatError: an odd byte count.
    """
    samples = pcm16_to_int16(pcm16)
    out = samples.astype(np.float32)
    out *= np.float32(1.0 / _SCALE)
    return out


def float32_to_pcm16(samples: npt.ArrayLike) -> bytes:
    """PCM16 bytes from float samples in [-1, 1].

    Samples outside [-1, 1] are clipped to full scale (a float pipeline overshoots after gain or resampling, and
    wrapping around would be a loud click); NaN becomes silence. Rounds to the nearest integer, so
    ``float32_to_pcm16(pcm16_to_float32(b)) == b``.

    Raises:
        AudioFormatError: the samples are not real numbers.
    """
    array = np.asarray(samples)
    if array.dtype.kind not in "fiu":
        raise AudioFormatError(f"float32_to_pcm16 takes real samples, got {array.dtype}")
    scaled = np.multiply(array, np.float32(_SCALE), dtype=np.float32)
    if np.isnan(np.add.reduce(scaled, axis=None)):  # one cheap pass finds NaN (the sum cannot overflow float32)
        np.nan_to_num(scaled, copy=False, nan=0.0)
    return rounded_pcm16(scaled)


def to_mono(pcm16: Bytes, channels: int) -> bytes:
    """Down-mix interleaved PCM16 to mono by averaging the channels (rounded to nearest); mono passes through.

    Raises:
        AudioFormatError: a bad channel count, or bytes that are not whole frames.
    """
    check_channels(channels)
    check_whole_frames(pcm16, 2 * channels)
    if channels == 1:
        return bytes(pcm16)
    frames = np.frombuffer(pcm16, dtype=_PCM16).reshape(-1, channels)
    total = frames.sum(axis=1, dtype=np.int32)
    # Floor division of (sum + half) rounds to nearest and never leaves the int16 range.
    mixed = (total + channels // 2) // channels
    result: bytes = mixed.astype(_PCM16).tobytes()
    return result


def from_mono(pcm16: Bytes, channels: int) -> bytes:
    """Up-mix mono PCM16 to ``channels`` interleaved channels, each a copy of the mono signal.

    Raises:
        AudioFormatError: a bad channel count or an odd byte count.
    """
    check_channels(channels)
    samples = pcm16_to_int16(pcm16)
    if channels == 1:
        return bytes(pcm16)
    result: bytes = np.repeat(samples, channels).tobytes()
    return result


def rms(pcm16: Bytes) -> float:
    """Root mean square level of PCM16 audio on the float scale (full-scale square wave = 1.0; silence = 0.0).

    Raises:
        AudioFormatError: an odd byte count.
    """
    samples = pcm16_to_int16(pcm16)
    if samples.size == 0:
        return 0.0
    wide = samples.astype(np.float64)
    return math.sqrt(float(np.dot(wide, wide)) / samples.size) / _SCALE


def dbfs(pcm16: Bytes) -> float:
    """Level in dB relative to full scale: ``20 * log10(rms)``; a full-scale square wave is 0 dBFS, a full-scale
    sine about -3 dBFS, and digital silence ``-inf``.

    Raises:
        AudioFormatError: an odd byte count.
    """
    level = rms(pcm16)
    return 20.0 * math.log10(level) if level > 0.0 else -math.inf


def apply_gain(pcm16: Bytes, db: float) -> bytes:
    """PCM16 audio scaled by ``db`` decibels, clipped to the int16 range and rounded to nearest.

    Raises:
        AudioFormatError: an odd byte count or a gain that is not finite.
    """
    if not math.isfinite(db):
        raise AudioFormatError(f"gain must be a finite number of dB, got {db!r}")
    samples = pcm16_to_int16(pcm16)
    scaled = samples.astype(np.float32)
    scaled *= np.float32(10.0 ** (db / 20.0))
    return rounded_pcm16(scaled)
