"""PCM16 <-> int16 <-> float32, channel mixing, gain and level."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyagent.audio import (
    AudioFormatError,
    apply_gain,
    dbfs,
    float32_to_pcm16,
    from_mono,
    int16_to_pcm16,
    pcm16_to_float32,
    pcm16_to_int16,
    rms,
    to_mono,
)

pcm16_bytes = st.binary(max_size=4000).map(lambda b: b[: len(b) & ~1])


def pcm(*samples: int) -> bytes:
    return np.array(samples, dtype="<i2").tobytes()


def test_int16_view_is_little_endian_and_not_a_copy() -> None:
    data = bytes([0x01, 0x00, 0xFF, 0x7F, 0x00, 0x80])
    samples = pcm16_to_int16(data)
    assert samples.tolist() == [1, 32767, -32768]
    assert not samples.flags.writeable  # a view on the bytes
    assert int16_to_pcm16(samples) == data


def test_int16_to_pcm16_clips_wider_integers_and_refuses_floats() -> None:
    assert int16_to_pcm16(np.array([40000, -40000, 5], dtype=np.int32)) == pcm(32767, -32768, 5)
    with pytest.raises(AudioFormatError, match="float32_to_pcm16"):
        int16_to_pcm16(np.array([0.5]))


def test_float_scale() -> None:
    floats = pcm16_to_float32(pcm(0, 16384, -32768, 32767))
    assert floats.dtype == np.float32
    assert floats.tolist() == [0.0, 0.5, -1.0, 32767 / 32768]


@given(pcm16_bytes)
def test_float_round_trip_is_exact(data: bytes) -> None:
    assert float32_to_pcm16(pcm16_to_float32(data)) == data


def test_float_input_outside_range_is_clipped_and_nan_is_silence() -> None:
    out = float32_to_pcm16(np.array([1.5, -2.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 0.25], dtype=np.float32))
    assert pcm16_to_int16(out).tolist() == [32767, -32768, 32767, -32768, 0, 32767, -32768, 8192]
    # float64 and lists work too
    assert float32_to_pcm16([0.5, -0.5]) == pcm(16384, -16384)
    with pytest.raises(AudioFormatError):
        float32_to_pcm16(np.array(["a"]))


@pytest.mark.parametrize("func", [pcm16_to_int16, pcm16_to_float32, rms, dbfs, lambda b: apply_gain(b, 6)])
def test_odd_byte_counts_are_format_errors(func: object) -> None:
    with pytest.raises(AudioFormatError, match=r"3 bytes is not a whole number of 2-byte sample frames"):
        func(b"\x00\x01\x02")  # type: ignore[operator]


def test_to_mono_averages_with_rounding() -> None:
    stereo = pcm(100, 300, -1, -2, 32767, 32767, -32768, -32768, 1, 2)
    assert pcm16_to_int16(to_mono(stereo, 2)).tolist() == [200, -1, 32767, -32768, 2]
    assert to_mono(pcm(5, 6), 1) == pcm(5, 6)
    # Three channels
    assert pcm16_to_int16(to_mono(pcm(3, 6, 9), 3)).tolist() == [6]


def test_to_mono_rejects_partial_frames_and_bad_channels() -> None:
    with pytest.raises(AudioFormatError, match="4-byte sample frames"):
        to_mono(pcm(1, 2, 3), 2)
    with pytest.raises(AudioFormatError, match="channel count"):
        to_mono(pcm(1, 2), 0)


def test_from_mono_interleaves_copies() -> None:
    assert from_mono(pcm(1, -2), 2) == pcm(1, 1, -2, -2)
    assert to_mono(from_mono(pcm(7, -9, 100), 3), 3) == pcm(7, -9, 100)


def test_rms_and_dbfs() -> None:
    assert rms(b"") == 0.0
    assert dbfs(bytes(100)) == -math.inf
    square = pcm(*([32767, -32768] * 50))
    assert rms(square) == pytest.approx(1.0, abs=1e-4)
    assert dbfs(square) == pytest.approx(0.0, abs=1e-3)
    t = np.arange(24000) / 24000
    sine = float32_to_pcm16(0.5 * np.sin(2 * np.pi * 440 * t))
    assert rms(sine) == pytest.approx(0.5 / math.sqrt(2), rel=1e-4)
    assert dbfs(sine) == pytest.approx(-6.02 - 3.01, abs=0.02)


def test_apply_gain() -> None:
    x = pcm(1000, -1000, 20000, -20000)
    assert pcm16_to_int16(apply_gain(x, 0)).tolist() == [1000, -1000, 20000, -20000]
    assert pcm16_to_int16(apply_gain(x, -20)).tolist() == [100, -100, 2000, -2000]
    # +6.0206 dB doubles; 40000 clips instead of wrapping around
    assert pcm16_to_int16(apply_gain(x, 20 * math.log10(2))).tolist() == [2000, -2000, 32767, -32768]
    with pytest.raises(AudioFormatError, match="finite"):
        apply_gain(x, math.nan)


def test_functions_accept_bytearray_and_memoryview() -> None:
    data = pcm(1, 2, 3, 4)
    for view in (bytearray(data), memoryview(data)):
        assert pcm16_to_int16(view).tolist() == [1, 2, 3, 4]
        assert rms(view) == rms(data)
        assert to_mono(view, 2) == pcm(2, 4)
