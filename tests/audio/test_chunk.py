"""Chunker: fixed-duration frames from chunks of any size, the remainder carried over."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyagent.audio import AudioFormatError, Chunker


def test_frames_and_remainder() -> None:
    chunker = Chunker(20)  # 960 bytes at 24 kHz
    assert chunker.frame_bytes == 960
    assert chunker.push(b"\x01\x00" * 100) == []
    assert chunker.pending == 200
    frames = chunker.push(b"\x02\x00" * 1000)
    assert [len(f) for f in frames] == [960, 960]
    assert frames[0] == b"\x01\x00" * 100 + b"\x02\x00" * 380
    assert chunker.pending == 2200 - 1920
    assert chunker.flush() == b"\x02\x00" * 140
    assert chunker.flush() == b""


def test_flush_can_pad_with_silence() -> None:
    chunker = Chunker(10, 8000)
    chunker.push(b"\x05\x00" * 30)
    padded = chunker.flush(pad=True)
    assert padded == b"\x05\x00" * 30 + b"\x00\x00" * 50
    assert chunker.flush(pad=True) == b""


@given(st.lists(st.integers(min_value=0, max_value=3000), max_size=30), st.sampled_from([10, 20, 40, 100]))
def test_any_chunking_gives_the_same_frames(sizes: list[int], frame_ms: int) -> None:
    stream = bytes(range(256)) * 200
    chunker = Chunker(frame_ms, 16000)
    frames: list[bytes] = []
    position = 0
    for size in sizes:
        piece = stream[position : position + 2 * size]
        position += len(piece)
        frames += chunker.push(piece)
    consumed = stream[:position]
    frame = chunker.frame_bytes
    assert frames == [consumed[i : i + frame] for i in range(0, len(consumed) - frame + 1, frame)]
    assert b"".join(frames) + chunker.flush() == consumed


def test_stereo_and_odd_rates() -> None:
    chunker = Chunker(10, 44100, 2)
    assert chunker.frame_bytes == 441 * 4
    with pytest.raises(AudioFormatError, match="4-byte sample frames"):
        chunker.push(b"\x00\x00")


def test_bad_input() -> None:
    with pytest.raises(AudioFormatError, match="3 bytes"):
        Chunker(20).push(b"\x00\x00\x00")
    with pytest.raises(AudioFormatError, match="holds no sample"):
        Chunker(0.01)
    with pytest.raises(AudioFormatError, match="sample rate"):
        Chunker(20, 1000)
