"""Fixed-duration frames from audio that arrives in chunks of any size."""

from __future__ import annotations

from pyagent.audio._format import AudioFormat, Bytes, check_duration_ms, check_whole_frames
from pyagent.audio.errors import ConfigurationError

__all__ = ["Chunker"]


class Chunker:
    """Cut a PCM16 stream into frames of ``frame_ms`` milliseconds, carrying the remainder to the next push.

    Args:
        frame_ms: frame duration; it must hold at least one sample frame.
        sample_rate: samples per second.
        channels: interleaved channels.

    Raises:
        AudioFormatError: a bad rate or channel count, or a frame shorter than one sample.
    """

    __slots__ = ("_buffer", "_format", "frame_bytes", "frame_ms")

    def __init__(self, frame_ms: float, sample_rate: int = 24000, channels: int = 1) -> None:
        self._format = AudioFormat(sample_rate, channels)
        self.frame_ms = check_duration_ms(frame_ms, "frame_ms")
        self.frame_bytes = self._format.ms_to_bytes(frame_ms)
        """Bytes in one frame (``frame_ms`` rounded down to whole samples)."""
        if self.frame_bytes <= 0:
            raise ConfigurationError(f"a {frame_ms} ms frame holds no sample at {sample_rate} Hz")
        self._buffer = bytearray()

    def __repr__(self) -> str:
        return f"Chunker({self.frame_ms}, {self._format.sample_rate}, {self._format.channels})"

    @property
    def pending(self) -> int:
        """Bytes held back until the next frame fills."""
        return len(self._buffer)

    def push(self, pcm16: Bytes) -> list[bytes]:
        """Add audio and return every frame now complete (possibly none).

        Raises:
            AudioFormatError: ``pcm16`` is not whole sample frames.
        """
        check_whole_frames(pcm16, self._format.frame_bytes)
        size = self.frame_bytes
        if not self._buffer and len(pcm16) < size:
            self._buffer += pcm16
            return []
        self._buffer += pcm16
        whole = len(self._buffer) - len(self._buffer) % size
        view = memoryview(self._buffer)
        frames = [bytes(view[start : start + size]) for start in range(0, whole, size)]
        view.release()
        del self._buffer[:whole]
        return frames

    def flush(self, *, pad: bool = False) -> bytes:
        """The remainder (shorter than a frame, possibly empty), or with ``pad`` a whole frame padded with silence."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        if pad and rest:
            rest += b"\0" * (self.frame_bytes - len(rest))
        return rest
