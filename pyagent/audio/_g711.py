"""G.711 mu-law and A-law companding by table lookup.

ITU-T G.711 maps 14-bit (mu-law) or 13-bit (A-law) uniform samples to 8-bit codes made of a sign, a 3-bit segment
(a power-of-two range) and a 4-bit step within it; decoding gives the middle of the step. A 16-bit sample is first
shifted right (by 2 for mu-law, 3 for A-law) as two's complement, the convention of the reference C code and of every
common implementation. Both laws are computed once, for all 65536 inputs and 256 codes, with array arithmetic, the
first time a table is used (not at import: most programs never touch one of the laws); encoding and decoding are
then a single ``take`` per chunk.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import numpy.typing as npt

from pyagent.audio._convert import Bytes, pcm16_to_int16

__all__ = ["alaw_decode", "alaw_encode", "ulaw_decode", "ulaw_encode"]

_PCM16: Final = np.dtype("<i2")
_ULAW_BIAS: Final = 0x84 >> 2  # 33 in the 14-bit domain: moves every segment boundary to a power of two
_ULAW_CLIP: Final = 8159  # the largest 14-bit magnitude mu-law represents
_ULAW_SEGMENT_ENDS: Final = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEGMENT_ENDS: Final = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _all_int16() -> npt.NDArray[np.int32]:
    # Index i of an encode table is the int16 sample whose bit pattern, read as uint16, is i.
    return np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int32)


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    sample = _all_int16() >> 2
    negative = sample < 0
    magnitude = np.minimum(np.where(negative, -sample, sample), _ULAW_CLIP) + _ULAW_BIAS
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, magnitude)  # 8 for the clipped magnitude itself
    step = (magnitude >> (np.minimum(segment, 7) + 1)) & 0xF
    code = np.where(segment > 7, 0x7F, (segment << 4) | step)
    # Positive samples carry the sign bit; mu-law then inverts every bit.
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8)


def _ulaw_decode_table() -> npt.NDArray[np.int16]:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return np.where(code & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(_PCM16)


def _alaw_encode_table() -> npt.NDArray[np.uint8]:
    sample = _all_int16() >> 3
    negative = sample < 0
    # A-law is symmetric in one's complement: -1 is the negative twin of 0.
    magnitude = np.where(negative, -sample - 1, sample)
    segment = np.searchsorted(_ALAW_SEGMENT_ENDS, magnitude)  # 0..7
    step = np.where(segment < 2, magnitude >> 1, magnitude >> np.maximum(segment, 1)) & 0xF
    code = (segment << 4) | step
    # Positive samples carry the sign bit; A-law then inverts the even bits.
    return (code ^ np.where(negative, 0x55, 0xD5)).astype(np.uint8)


def _alaw_decode_table() -> npt.NDArray[np.int16]:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    segment = (code & 0x70) >> 4
    base = ((code & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    magnitude = np.where(segment > 1, base << np.maximum(segment - 1, 0), base)
    return np.where(code & 0x80, magnitude, -magnitude).astype(_PCM16)


class _Tables:
    """Each table built at its first use, then an attribute like any other."""

    @functools.cached_property
    def ulaw_encode(self) -> npt.NDArray[np.uint8]:
        return _ulaw_encode_table()

    @functools.cached_property
    def ulaw_decode(self) -> npt.NDArray[np.int16]:
        return _ulaw_decode_table()

    @functools.cached_property
    def alaw_encode(self) -> npt.NDArray[np.uint8]:
        return _alaw_encode_table()

    @functools.cached_property
    def alaw_decode(self) -> npt.NDArray[np.int16]:
        return _alaw_decode_table()


_TABLES: Final = _Tables()


def _encode(pcm16: Bytes, table: npt.NDArray[np.uint8]) -> bytes:
    samples = pcm16_to_int16(pcm16)
    return table.take(samples.view(np.uint16)).tobytes()


def _decode(codes: Bytes, table: npt.NDArray[np.int16]) -> bytes:
    return table.take(np.frombuffer(codes, dtype=np.uint8)).tobytes()


def ulaw_encode(pcm16: Bytes) -> bytes:
    """G.711 mu-law codes (one byte per sample) from PCM16; magnitudes beyond mu-law's range clip to its largest code.

    Raises:
        AudioFormatError: an odd byte count.
    """
    return _encode(pcm16, _TABLES.ulaw_encode)


def ulaw_decode(codes: Bytes) -> bytes:
    """PCM16 from G.711 mu-law codes (every byte is a valid code)."""
    return _decode(codes, _TABLES.ulaw_decode)


def alaw_encode(pcm16: Bytes) -> bytes:
    """G.711 A-law codes (one byte per sample) from PCM16.

    Raises:
        AudioFormatError: an odd byte count.
    """
    return _encode(pcm16, _TABLES.alaw_encode)


def alaw_decode(codes: Bytes) -> bytes:
    """PCM16 from G.711 A-law codes (every byte is a valid code)."""
    return _decode(codes, _TABLES.alaw_decode)
