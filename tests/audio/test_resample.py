"""Resampler: streaming equals whole, no clicks at chunk boundaries, every rate pair, flush and reset."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import soxr
from hypothesis import given, settings
from hypothesis import strategies as st

from pyagent.audio import AudioFormatError, Resampler, float32_to_pcm16, pcm16_to_float32, pcm16_to_int16, resample

RATES = [8000, 16000, 22050, 24000, 44100, 48000]


def sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return float32_to_pcm16(amplitude * np.sin(2 * np.pi * freq * t))


def run_chunked(resampler: Resampler, data: bytes, sizes: list[int]) -> bytes:
    out = []
    position = 0
    for size in itertools.cycle(sizes):
        if position >= len(data):
            break
        out.append(resampler.process(data[position : position + size]))
        position += size
    out.append(resampler.flush())
    return b"".join(out)


@pytest.mark.parametrize(("in_rate", "out_rate"), [(48000, 24000), (44100, 24000), (24000, 16000), (8000, 24000)])
def test_chunked_equals_whole(speech: bytes, in_rate: int, out_rate: int) -> None:
    source = Resampler(24000, in_rate)
    signal = source.process(speech) + source.flush()
    whole = Resampler(in_rate, out_rate)
    expected = whole.process(signal) + whole.flush()
    # 20 ms chunks, irregular chunks (odd sample counts, tiny ones), and single samples at the start.
    frame = 2 * in_rate // 50
    for sizes in ([frame], [2, 6, 998, 4410, 2, 17 * 2, 1000 * 2], [2] * 50 + [frame * 5]):
        got = run_chunked(Resampler(in_rate, out_rate), signal, sizes)
        assert got == expected  # bit-identical, the tightest tolerance there is


def test_matches_soxr_one_shot(speech: bytes) -> None:
    resampler = Resampler(24000, 16000)
    ours = pcm16_to_float32(resampler.process(speech) + resampler.flush())
    reference = soxr.resample(pcm16_to_float32(speech), 24000, 16000, quality="HQ")
    assert len(ours) == len(reference)
    assert np.max(np.abs(ours - reference)) <= 1.0 / 32768 + 1e-7  # one LSB of rounding


@pytest.mark.parametrize(("in_rate", "out_rate"), list(itertools.permutations(RATES, 2)))
def test_every_rate_pair_keeps_length_and_tone(in_rate: int, out_rate: int) -> None:
    tone = sine(440.0, in_rate, 0.5)
    resampler = Resampler(in_rate, out_rate)
    out = run_chunked(resampler, tone, [2 * in_rate // 50])
    # The whole clip at once (soxr's one-shot) gives the very same bytes as the stream in 20 ms chunks, and as the
    # stream in irregular chunks (single samples, odd sample counts).
    assert resample(tone, in_rate, out_rate) == out
    assert run_chunked(Resampler(in_rate, out_rate), tone, [2, 998, 34, 4410, 6]) == out
    samples = pcm16_to_float32(out)
    assert abs(len(samples) - out_rate // 2) <= 1
    # The tone survives: its frequency (by zero crossings) and amplitude, away from the edges.
    middle = samples[out_rate // 10 : -out_rate // 10]
    crossings = np.count_nonzero(np.diff(np.signbit(middle)))
    assert crossings / 2 / (len(middle) / out_rate) == pytest.approx(440.0, rel=0.01)
    assert np.max(np.abs(middle)) == pytest.approx(0.5, abs=0.01)


def test_no_clicks_at_chunk_boundaries() -> None:
    # A pure tone resampled in 20 ms chunks: the second difference of a sine of amplitude A and angular step w is
    # at most A * w**2; a click (a discontinuity at a boundary) would be far above that.
    rate_in, rate_out, freq, amplitude = 44100, 24000, 1000.0, 0.8
    out = pcm16_to_float32(run_chunked(Resampler(rate_in, rate_out), sine(freq, rate_in, 1.0, amplitude), [1764]))
    middle = out[1000:-1000]
    w = 2 * np.pi * freq / rate_out
    assert np.max(np.abs(np.diff(middle, 2))) <= amplitude * w**2 * 1.02 + 2 / 32768


def test_stereo() -> None:
    left = pcm16_to_int16(sine(300, 48000, 0.2))
    right = pcm16_to_int16(sine(700, 48000, 0.2, 0.25))
    stereo = np.column_stack([left, right]).astype("<i2").tobytes()
    resampler = Resampler(48000, 16000, channels=2)
    out = pcm16_to_int16(resampler.process(stereo) + resampler.flush()).reshape(-1, 2)
    mono_left = Resampler(48000, 16000)
    expected_left = pcm16_to_int16(mono_left.process(left.tobytes()) + mono_left.flush())
    assert out.shape[0] == len(expected_left)
    assert np.max(np.abs(out[:, 0].astype(int) - expected_left)) <= 1
    assert np.max(np.abs(out[1000:-1000, 1])) == pytest.approx(0.25 * 32768, rel=0.02)
    with pytest.raises(AudioFormatError, match="4-byte sample frames"):
        resampler.process(b"\x00\x00")


def test_flush_starts_a_new_stream_and_reset_drops_input(speech: bytes) -> None:
    resampler = Resampler(24000, 16000)
    first = resampler.process(speech) + resampler.flush()
    second = resampler.process(speech) + resampler.flush()
    assert first == second
    resampler.process(speech[:48000])
    resampler.reset()
    assert resampler.process(speech) + resampler.flush() == first


def test_equal_rates_pass_through() -> None:
    resampler = Resampler(24000, 24000)
    assert resampler.process(b"\x01\x02\x03\x04") == b"\x01\x02\x03\x04"
    assert resampler.flush() == b""


def test_empty_chunks_are_fine() -> None:
    resampler = Resampler(48000, 24000)
    assert resampler.process(b"") == b""
    assert resampler.flush() == b""


def test_odd_byte_count_is_a_format_error() -> None:
    with pytest.raises(AudioFormatError, match="3 bytes is not a whole number of 2-byte sample frames"):
        Resampler(48000, 24000).process(b"\x00\x00\x00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((4000, 24000), "unsupported input sample rate 4000"),
        ((24000, 0), "unsupported output sample rate 0"),
        ((24000, 16000.5), "unsupported output sample rate 16000.5"),
        ((24000, 1_000_000), "unsupported output sample rate"),
    ],
)
def test_unsupported_rates(args: tuple[int, int], message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        Resampler(*args)


def test_unknown_quality_and_channels() -> None:
    with pytest.raises(AudioFormatError, match="quality"):
        Resampler(48000, 24000, quality="best")  # type: ignore[arg-type]
    with pytest.raises(AudioFormatError, match="channel"):
        Resampler(48000, 24000, channels=0)


def test_repr() -> None:
    assert repr(Resampler(48000, 24000)) == "Resampler(48000, 24000, channels=1, quality='HQ')"


def test_one_shot_resample(speech: bytes) -> None:
    stream = Resampler(24000, 44100)
    assert resample(speech, 24000, 44100) == stream.process(speech) + stream.flush()
    assert resample(speech, 24000, 24000) == speech
    assert resample(b"", 48000, 24000) == b""
    stereo = np.repeat(pcm16_to_int16(speech), 2).astype("<i2").tobytes()
    stereo_stream = Resampler(24000, 16000, channels=2)
    assert resample(stereo, 24000, 16000, channels=2) == stereo_stream.process(stereo) + stereo_stream.flush()
    with pytest.raises(AudioFormatError, match="3 bytes"):
        resample(b"\x00\x00\x00", 48000, 24000)
    with pytest.raises(AudioFormatError, match="unsupported input sample rate"):
        resample(b"", 100, 24000)
    with pytest.raises(AudioFormatError, match="quality"):
        resample(b"", 48000, 24000, quality="XQ")  # type: ignore[arg-type]
    with pytest.raises(AudioFormatError, match="4-byte sample frames"):
        resample(b"\x00\x00", 48000, 24000, channels=2)


def test_full_scale_input_is_clipped_not_wrapped() -> None:
    # A full-scale square wave rings past full scale after filtering: it must clip, never wrap around to the
    # opposite sign.
    square = np.tile(np.array([32767] * 20 + [-32768] * 20, dtype="<i2"), 200).tobytes()
    out = pcm16_to_int16(resample(square, 48000, 16000))
    assert out.max() == 32767
    assert out.min() == -32768
    # A wrapped sample would be a positive value right after a run at the negative rail (or the reverse).
    jumps = np.abs(np.diff(out.astype(int)))
    assert jumps.max() < 65535 * 0.9


@given(st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=20), st.sampled_from(RATES))
@settings(max_examples=40, deadline=None)
def test_any_partition_gives_the_same_bytes(sizes: list[int], out_rate: int) -> None:
    signal = sine(523.0, 44100, 0.3) + sine(97.0, 44100, 0.1, 0.9)
    expected = resample(signal, 44100, out_rate)
    resampler = Resampler(44100, out_rate)
    out, position = [], 0
    for size in sizes:
        out.append(resampler.process(signal[position : position + 2 * size]))
        position += 2 * size
    out.append(resampler.process(signal[position:]))
    out.append(resampler.flush())
    assert b"".join(out) == expected


def test_a_resampler_refuses_to_be_copied_or_pickled(speech: bytes) -> None:
    """A copy would share soxr's stream state and corrupt both streams; the original stays usable."""
    import copy
    import pickle

    from pyagent.audio import ConfigurationTypeError

    resampler = Resampler(24000, 16000)
    first = resampler.process(speech[:9600])
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(ConfigurationTypeError, match="cannot be copied or pickled"):
            attempt(resampler)
    fresh = Resampler(24000, 16000)
    assert fresh.process(speech[:9600]) == first
    assert resampler.process(speech[9600:19200]) == fresh.process(speech[9600:19200])
