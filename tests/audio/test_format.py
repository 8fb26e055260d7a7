"""AudioFormat: validation, the wire names of every dialect, and durations <-> samples <-> bytes."""

from __future__ import annotations

from typing import Any

import pytest

from pyagent.audio import AudioFormat, AudioFormatError


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("pcm16", AudioFormat(24000, 1, "pcm16")),
        ("g711_ulaw", AudioFormat(8000, 1, "g711_ulaw")),
        ("g711_alaw", AudioFormat(8000, 1, "g711_alaw")),
        ({"type": "audio/pcm", "rate": 24000}, AudioFormat(24000)),
        ({"type": "audio/pcm", "rate": 16000}, AudioFormat(16000)),
        ({"type": "audio/pcm"}, AudioFormat(24000)),
        ({"type": "audio/pcmu"}, AudioFormat(8000, 1, "g711_ulaw")),
        ({"type": "audio/pcma"}, AudioFormat(8000, 1, "g711_alaw")),
        ("audio/pcmu", AudioFormat(8000, 1, "g711_ulaw")),
    ],
)
def test_from_wire(wire: Any, expected: AudioFormat) -> None:
    assert AudioFormat.from_wire(wire) == expected


def test_flat_name_takes_the_rate_that_travels_apart() -> None:
    # Voice Live's flat session carries input_audio_sampling_rate beside input_audio_format.
    assert AudioFormat.from_wire("pcm16", sample_rate=16000) == AudioFormat(16000)


@pytest.mark.parametrize(
    "fmt", [AudioFormat(), AudioFormat(16000), AudioFormat(8000, 1, "g711_ulaw"), AudioFormat(8000, 1, "g711_alaw")]
)
def test_wire_round_trip(fmt: AudioFormat) -> None:
    assert AudioFormat.from_wire(fmt.to_flat_wire(), sample_rate=fmt.sample_rate) == fmt
    assert AudioFormat.from_wire(fmt.to_ga_wire()) == fmt


def test_to_wire_values() -> None:
    assert AudioFormat().to_flat_wire() == "pcm16"
    assert AudioFormat().to_ga_wire() == {"type": "audio/pcm", "rate": 24000}
    assert AudioFormat(8000, 1, "g711_ulaw").to_ga_wire() == {"type": "audio/pcmu"}
    assert AudioFormat(8000, 1, "g711_alaw").to_flat_wire() == "g711_alaw"


@pytest.mark.parametrize(
    "wire",
    ["pcm24", "", "opus", {"type": "audio/opus"}, {"rate": 24000}, {"type": "audio/pcm", "rate": 1000}, 16000, None],
)
def test_from_wire_rejects_unknown_formats(wire: Any) -> None:
    with pytest.raises(AudioFormatError):
        AudioFormat.from_wire(wire)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sample_rate": 0},
        {"sample_rate": -24000},
        {"sample_rate": 7999},
        {"sample_rate": 384000},
        {"sample_rate": 22050.5},
        {"sample_rate": "24000"},
        {"sample_rate": True},
        {"channels": 0},
        {"channels": 9},
        {"channels": 1.0},
        {"encoding": "pcm24"},
        {"encoding": "opus"},
    ],
)
def test_bad_fields_are_format_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(AudioFormatError) as caught:
        AudioFormat(**kwargs)
    assert isinstance(caught.value, ValueError)


def test_unsupported_rate_message_is_clear() -> None:
    with pytest.raises(AudioFormatError, match=r"unsupported sample rate 4000 Hz: expected a whole number from 8000"):
        AudioFormat(4000)


def test_float_rate_with_whole_value_is_normalised() -> None:
    fmt = AudioFormat(44100.0)  # type: ignore[arg-type]
    assert fmt.sample_rate == 44100
    assert isinstance(fmt.sample_rate, int)


def test_sizes() -> None:
    pcm = AudioFormat(24000)
    assert (pcm.sample_width, pcm.frame_bytes, pcm.bytes_per_second) == (2, 2, 48000)
    stereo = AudioFormat(48000, 2)
    assert (stereo.frame_bytes, stereo.bytes_per_second) == (4, 192000)
    ulaw = AudioFormat(8000, 1, "g711_ulaw")
    assert (ulaw.sample_width, ulaw.frame_bytes, ulaw.bytes_per_second) == (1, 1, 8000)


def test_durations() -> None:
    pcm = AudioFormat(24000)
    assert pcm.ms_to_bytes(20) == 960
    assert pcm.ms_to_samples(20) == 480
    assert pcm.bytes_to_ms(960) == 20.0
    assert pcm.bytes_to_ms(961) == 20.0  # a partial frame is not time
    assert pcm.samples_to_ms(24) == 1.0
    assert pcm.bytes_to_samples(960) == 480
    assert pcm.samples_to_bytes(480) == 960
    # 44.1 samples per millisecond: whole frames, rounded down.
    cd = AudioFormat(44100, 2)
    assert cd.ms_to_samples(10) == 441
    assert cd.ms_to_samples(1) == 44
    assert cd.ms_to_bytes(1) == 176
    # Float milliseconds that land a hair below a whole sample still count it.
    assert pcm.ms_to_samples(0.1 * 3 * 1000) == 7200
    assert AudioFormat(8000, 1, "g711_alaw").ms_to_bytes(20) == 160


def test_format_is_frozen_and_hashable() -> None:
    fmt = AudioFormat()
    with pytest.raises(AttributeError):
        fmt.sample_rate = 16000  # type: ignore[misc]
    assert {fmt: 1}[AudioFormat(24000, 1, "pcm16")] == 1
