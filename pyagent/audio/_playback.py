"""What has actually been played, per assistant item: the basis of exact barge-in truncation.

Theory of operation. Assistant audio arrives faster than real time and waits in one FIFO queue of segments, each
tagged with its ``(item_id, content_index)``. Playback takes bytes from the head of that queue, and every byte taken
counts as played for its item. Two things can take bytes:

* a sink (a speaker callback) calling :meth:`PlaybackClock.read`: what it reads is played. The first ``read`` puts
  the clock in sink mode for good.
* otherwise, virtual playback in real time: a play head that starts when audio is enqueued into an idle queue and
  advances at the sample rate, following the injected :class:`Clock`. It stops when the queue runs dry and starts
  again at the next enqueue. It is advanced lazily, before every operation, from the time of the clock, which is
  exact because the queue only changes in those operations.

``clear()`` drops everything still queued at once (barge-in), so played counts freeze where they are, and
``truncate_ms`` is then the ``audio_end_ms`` a ``conversation.item.truncate`` must carry: what was played, never
beyond what was received. All methods take a lock: a speaker callback reads from its own thread.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Final

from pyagent.audio._clock import Clock, MonotonicClock
from pyagent.audio._convert import Bytes
from pyagent.audio._format import AudioFormat, check_whole_frames
from pyagent.audio.errors import ConfigurationError

__all__ = ["PlaybackClock"]

ItemKey = tuple[str, int]
# (now - start) * rate lands a hair below a whole sample for decimal seconds such as 0.3 - 0.1.
_EPSILON: Final = 1e-6


@dataclass(slots=True)
class _Track:
    key: ItemKey
    received: int = 0
    played: int = 0


@dataclass(slots=True)
class _Segment:
    key: ItemKey
    data: bytes
    offset: int = 0


class PlaybackClock:
    """The output buffer an audio sink drains, counting what was played per ``(item_id, content_index)``.

    Args:
        sample_rate: rate of the PCM16 mono audio enqueued.
        clock: the time source for virtual playback (default :class:`MonotonicClock`).

    Raises:
        AudioFormatError: an unsupported sample rate.
    """

    def __init__(self, sample_rate: int = 24000, *, clock: Clock | None = None) -> None:
        self._format = AudioFormat(sample_rate)
        if clock is not None and not callable(getattr(clock, "now", None)):
            raise ConfigurationError(f"clock must have a now() method (a Clock), not {type(clock).__name__}")
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        self._queue: deque[_Segment] = deque()
        self._tracks: dict[ItemKey, _Track] = {}
        self._pending = 0
        self._played_total = 0
        self._sink_driven = False
        self._anchor_time: float | None = None  # when the virtual play head last started; None when idle
        self._anchor_played = 0  # _played_total at that moment

    def __repr__(self) -> str:
        mode = "sink" if self._sink_driven else "virtual"
        return f"PlaybackClock({self._format.sample_rate}, mode={mode}, pending={self._pending} bytes)"

    @property
    def sample_rate(self) -> int:
        """Rate of the audio in the buffer."""
        return self._format.sample_rate

    @property
    def audio_format(self) -> AudioFormat:
        """The format of the audio in the buffer (PCM16 mono)."""
        return self._format

    @property
    def sink_driven(self) -> bool:
        """True once a sink has called :meth:`read`; until then playback is virtual."""
        return self._sink_driven

    def enqueue(self, item_id: str, content_index: int, pcm16: Bytes) -> None:
        """Queue received audio of one item's content part for playback.

        Raises:
            AudioFormatError: an odd byte count.
        """
        check_whole_frames(pcm16, 2)
        with self._lock:
            self._advance()
            key = (item_id, content_index)
            track = self._tracks.get(key)
            if track is None:
                track = self._tracks[key] = _Track(key)
            if not pcm16:
                return
            data = bytes(pcm16)
            track.received += len(data)
            self._queue.append(_Segment(track.key, data))  # one key object per part, however many segments
            self._pending += len(data)
            if not self._sink_driven and self._anchor_time is None:
                self._anchor_time = self._clock.now()
                self._anchor_played = self._played_total

    def read(self, n_bytes: int) -> bytes:
        """Take up to ``n_bytes`` (rounded down to whole samples) for a sink to play; what is read counts as played.

        Returns fewer bytes, or none, when less is queued: the sink plays silence for the rest. The first call puts
        the clock in sink mode (virtual playback stops).
        """
        with self._lock:
            if not self._sink_driven:
                self._advance()
                self._sink_driven = True
                self._anchor_time = None
            return self._take(max(0, n_bytes) & ~1, keep=True)

    def received_ms(self, item_id: str, content_index: int) -> int:
        """Milliseconds of audio received for the item's content part (rounded down; 0 if none)."""
        with self._lock:
            track = self._tracks.get((item_id, content_index))
            return self._ms(track.received) if track else 0

    def played_ms(self, item_id: str, content_index: int) -> int:
        """Milliseconds of the item's content part played so far (rounded down; never beyond what was received)."""
        with self._lock:
            self._advance()
            track = self._tracks.get((item_id, content_index))
            return self._ms(track.played) if track else 0

    def truncate_ms(self, item_id: str, content_index: int) -> int:
        """The ``audio_end_ms`` for truncating this item now: what was played, never beyond what was received."""
        with self._lock:
            self._advance()
            track = self._tracks.get((item_id, content_index))
            return self._ms(min(track.played, track.received)) if track else 0

    def played_bytes(self, item_id: str, content_index: int) -> int:
        """Bytes of the item's content part played so far."""
        with self._lock:
            self._advance()
            track = self._tracks.get((item_id, content_index))
            return track.played if track else 0

    def received_bytes(self, item_id: str, content_index: int) -> int:
        """Bytes of the item's content part received so far."""
        with self._lock:
            track = self._tracks.get((item_id, content_index))
            return track.received if track else 0

    def clear(self) -> int:
        """Drop all pending audio at once (barge-in) and return how many bytes were dropped."""
        with self._lock:
            self._advance()
            dropped = self._pending
            self._queue.clear()
            self._pending = 0
            self._anchor_time = None
            return dropped

    def reset(self) -> None:
        """Forget everything: pending audio, every item's counts, and sink mode."""
        with self._lock:
            self._queue.clear()
            self._tracks.clear()
            self._pending = 0
            self._played_total = 0
            self._sink_driven = False
            self._anchor_time = None

    @property
    def is_playing(self) -> bool:
        """True while audio is pending (queued and not yet played)."""
        with self._lock:
            self._advance()
            return self._pending > 0

    @property
    def pending_bytes(self) -> int:
        """Bytes queued and not yet played."""
        with self._lock:
            self._advance()
            return self._pending

    @property
    def pending_ms(self) -> int:
        """Milliseconds queued and not yet played (rounded down)."""
        return self._ms(self.pending_bytes)

    @property
    def current(self) -> ItemKey | None:
        """The ``(item_id, content_index)`` playing now, or None when nothing is pending."""
        with self._lock:
            self._advance()
            return self._queue[0].key if self._queue else None

    def _ms(self, n_bytes: int) -> int:
        return n_bytes * 1000 // self._format.bytes_per_second

    def _advance(self) -> None:
        """Move the virtual play head to the clock's time (a no-op in sink mode or when idle)."""
        if self._anchor_time is None:
            return
        elapsed = self._clock.now() - self._anchor_time
        samples = int(elapsed * self._format.sample_rate + _EPSILON) if elapsed > 0 else 0
        due = self._anchor_played + 2 * samples - self._played_total
        if due > 0:
            self._take(due, keep=False)
        if not self._queue:
            self._anchor_time = None

    def _take(self, n_bytes: int, *, keep: bool) -> bytes:
        """Remove up to ``n_bytes`` from the head of the queue, crediting each item; return them if ``keep``."""
        pieces: list[bytes] = []
        remaining = n_bytes
        while remaining and self._queue:
            segment = self._queue[0]
            available = len(segment.data) - segment.offset
            count = min(available, remaining)
            if keep:
                pieces.append(segment.data[segment.offset : segment.offset + count])
            self._tracks[segment.key].played += count
            segment.offset += count
            remaining -= count
            if segment.offset == len(segment.data):
                self._queue.popleft()
        taken = n_bytes - remaining
        self._pending -= taken
        self._played_total += taken
        return b"".join(pieces)
