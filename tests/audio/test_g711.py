"""G.711 against a reference built from the standard's segment tables, and against the A-law recordings.

The reference below is written from ITU-T G.711's tables rather than from the bias-and-shift trick the library
uses: each law has 8 segments of 16 equal steps per sign. For mu-law (14-bit domain, magnitudes 0..8159) the segment
ends are 0, 31, 95, 223, 479, 991, 2015, 4063, 8159 and the step doubles from 2 in segment 0 (whose first step is 1
wide) to 256; for A-law (13-bit domain, magnitudes 0..4095) the ends are 0, 32, 64, 128, ..., 4096 with steps 2, 2,
4, ..., 128. A sample maps to the step whose decision interval holds it; decoding gives the middle of that interval
(0 for mu-law's first step). The character's sign bit is set for positive samples; mu-law inverts the seven
magnitude bits and A-law the even bits (XOR 0x55). A 16-bit sample is brought to the law's domain by an arithmetic
right shift (2 or 3).
"""

from __future__ import annotations

import bisect
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES
from pyagent.audio import (
    AudioFormatError,
    alaw_decode,
    alaw_encode,
    dbfs,
    read_wav,
    ulaw_decode,
    ulaw_encode,
)

ALAW_FILES = sorted((FIXTURES / "audio").glob("*alaw*.wav"))
ALL_SAMPLES = np.arange(-32768, 32768, dtype="<i2")


def ulaw_reference() -> tuple[dict[int, int], dict[int, int]]:
    """(encode: int16 -> code, decode: code -> int16) from the mu-law segment table."""
    ends = [0, 31, 95, 223, 479, 991, 2015, 4063, 8159]
    lower_edges = []  # the smallest 14-bit magnitude of each of the 128 steps
    for segment in range(8):
        step = 2 << segment
        for q in range(16):
            if segment == 0:
                lower_edges.append(0 if q == 0 else 2 * q - 1)
            else:
                lower_edges.append(ends[segment] + q * step)
    decode_magnitude = []
    for index, low in enumerate(lower_edges):
        high = lower_edges[index + 1] if index < 127 else ends[8] + 1
        decode_magnitude.append(0 if index == 0 else (low + high) // 2)
    encode = {}
    for sample in range(-32768, 32768):
        value = sample >> 2
        magnitude = min(-value if value < 0 else value, ends[8])
        index = bisect.bisect_right(lower_edges, magnitude) - 1  # the step whose interval holds the magnitude
        sign = 0x00 if value < 0 else 0x80
        encode[sample] = sign | (index ^ 0x7F)
    decode = {}
    for code in range(256):
        magnitude = decode_magnitude[(code & 0x7F) ^ 0x7F] * 4
        decode[code] = magnitude if code & 0x80 else -magnitude
    return encode, decode


def alaw_reference() -> tuple[dict[int, int], dict[int, int]]:
    """(encode, decode) from the A-law segment table."""
    ends = [0, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    lower_edges = []
    for segment in range(8):
        step = (ends[segment + 1] - ends[segment]) // 16
        lower_edges.extend(ends[segment] + q * step for q in range(16))
    encode = {}
    for sample in range(-32768, 32768):
        value = sample >> 3
        negative = value < 0
        magnitude = -value - 1 if negative else value  # one's complement: -1 is the twin of 0
        index = bisect.bisect_right(lower_edges, magnitude) - 1
        encode[sample] = ((0x00 if negative else 0x80) | index) ^ 0x55
    decode = {}
    for code in range(256):
        raw = code ^ 0x55
        index = raw & 0x7F
        high = lower_edges[index + 1] if index < 127 else ends[8]
        magnitude = (lower_edges[index] + high) * 4  # middle of the step, times 8 back to 16 bits
        decode[code] = magnitude if raw & 0x80 else -magnitude
    return encode, decode


@pytest.fixture(scope="module")
def ulaw_tables() -> tuple[dict[int, int], dict[int, int]]:
    return ulaw_reference()


@pytest.fixture(scope="module")
def alaw_tables() -> tuple[dict[int, int], dict[int, int]]:
    return alaw_reference()


def test_reference_spot_values_from_the_standard(
    ulaw_tables: tuple[dict[int, int], dict[int, int]], alaw_tables: tuple[dict[int, int], dict[int, int]]
) -> None:
    # The reference itself against well-known code points: silence, full scale, and the character patterns.
    ulaw_encode_ref, ulaw_decode_ref = ulaw_tables
    alaw_encode_ref, alaw_decode_ref = alaw_tables
    assert (ulaw_encode_ref[0], ulaw_encode_ref[-4], ulaw_encode_ref[32767]) == (0xFF, 0x7E, 0x80)
    assert (ulaw_decode_ref[0xFF], ulaw_decode_ref[0x80], ulaw_decode_ref[0x00]) == (0, 32124, -32124)
    assert (alaw_encode_ref[0], alaw_encode_ref[-1], alaw_encode_ref[32767]) == (0xD5, 0x55, 0xAA)
    assert (alaw_decode_ref[0xD5], alaw_decode_ref[0xAA], alaw_decode_ref[0x2A]) == (8, 32256, -32256)


def test_ulaw_encode_matches_the_standard(ulaw_tables: tuple[dict[int, int], dict[int, int]]) -> None:
    expected = bytes(ulaw_tables[0][s] for s in range(-32768, 32768))
    assert ulaw_encode(ALL_SAMPLES.tobytes()) == expected


def test_ulaw_decode_matches_the_standard(ulaw_tables: tuple[dict[int, int], dict[int, int]]) -> None:
    expected = np.array([ulaw_tables[1][c] for c in range(256)], dtype="<i2").tobytes()
    assert ulaw_decode(bytes(range(256))) == expected


def test_alaw_encode_matches_the_standard(alaw_tables: tuple[dict[int, int], dict[int, int]]) -> None:
    expected = bytes(alaw_tables[0][s] for s in range(-32768, 32768))
    assert alaw_encode(ALL_SAMPLES.tobytes()) == expected


def test_alaw_decode_matches_the_standard(alaw_tables: tuple[dict[int, int], dict[int, int]]) -> None:
    expected = np.array([alaw_tables[1][c] for c in range(256)], dtype="<i2").tobytes()
    assert alaw_decode(bytes(range(256))) == expected


def test_matches_the_stdlib_audioop_where_it_exists() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop", reason="audioop was removed in Python 3.13")
    data = ALL_SAMPLES.tobytes()
    assert ulaw_encode(data) == audioop.lin2ulaw(data, 2)
    assert alaw_encode(data) == audioop.lin2alaw(data, 2)
    assert ulaw_decode(bytes(range(256))) == audioop.ulaw2lin(bytes(range(256)), 2)
    assert alaw_decode(bytes(range(256))) == audioop.alaw2lin(bytes(range(256)), 2)


def test_decode_then_encode_gives_the_code_back() -> None:
    codes = bytes(range(256))
    assert alaw_encode(alaw_decode(codes)) == codes
    # mu-law has two zeros: 0x7F (negative zero) decodes to 0, which encodes as 0xFF.
    assert ulaw_encode(ulaw_decode(codes)) == codes.replace(b"\x7f", b"\xff")


def test_quantisation_error_is_within_half_a_step() -> None:
    # The finest steps are 2 units in the law's domain (8 and 16 in 16-bit units, up to magnitude 124 for mu-law and
    # 511 for A-law): the error is at most half a step plus the low bits the shift discards.
    for encode, decode, shift, finest in ((ulaw_encode, ulaw_decode, 2, 120), (alaw_encode, alaw_decode, 3, 500)):
        decoded = np.frombuffer(decode(encode(ALL_SAMPLES.tobytes())), dtype="<i2").astype(int)
        error = np.abs(decoded - ALL_SAMPLES.astype(int))
        small = np.abs(ALL_SAMPLES.astype(int)) < finest
        assert error[small].max() <= (1 << shift) + (1 << shift) - 1
        # Half a step is 1/32 of its segment's start: relative error under 3.6% with the shift (mu-law clips at 32124).
        mid = (np.abs(ALL_SAMPLES.astype(int)) > 1000) & (np.abs(ALL_SAMPLES.astype(int)) < 32000)
        assert (error[mid] / np.abs(ALL_SAMPLES[mid].astype(int))).max() < 0.036


def test_odd_pcm16_input_is_a_format_error() -> None:
    with pytest.raises(AudioFormatError):
        ulaw_encode(b"\x00")
    with pytest.raises(AudioFormatError):
        alaw_encode(b"\x00\x00\x00")
    # Every byte is a valid code, so decoding takes any length.
    assert len(ulaw_decode(b"\x00\x01\x02")) == 6


@pytest.mark.parametrize("path", ALAW_FILES, ids=lambda p: p.name)
def test_alaw_recordings(path: Path) -> None:
    codes, fmt = read_wav(path)
    assert (fmt.sample_rate, fmt.channels, fmt.encoding) == (8000, 1, "g711_alaw")
    # The fact chunk's sample count matches what was read.
    blob = path.read_bytes()
    fact = blob.index(b"fact")
    assert struct.unpack_from("<I", blob, fact + 8)[0] == len(codes)
    decoded = alaw_decode(codes)
    # Every byte decodes as the standard says, and re-encoding gives the file back exactly.
    _, decode_ref = alaw_reference()
    expected = np.array([decode_ref[c] for c in codes], dtype="<i2").tobytes()
    assert decoded == expected
    assert alaw_encode(decoded) == codes
    # It is speech, not noise from a wrong law: loud enough, with quiet stretches 40 dB below the loudest frame.
    # Read with the mu-law table instead, A-law's quiet codes (0xD5, 0x55) become a -33 dBFS hiss: no quiet at all.
    for decoder, quiet in ((alaw_decode, True), (ulaw_decode, False)):
        samples = np.frombuffer(decoder(codes), dtype="<i2")
        frames = samples[: len(samples) // 80 * 80].reshape(-1, 80)  # 10 ms
        levels = np.array([dbfs(frame.tobytes()) for frame in frames])
        assert bool(np.percentile(levels, 10) < -60) is quiet
        if quiet:
            assert np.max(levels) > -30
