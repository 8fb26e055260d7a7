"""What has actually been played, per assistant item: the basis of exact barge-in truncation.

Theory of operation. Assistant audio arrives faster than real time and waits in one FIFO queue of segments, each
tagged with its ``(item_id, content_index)``. Playback takes bytes from the head of that queue, and every byte played
counts for its item. The audio is counted in its own format (PCM16, or G.711 when the service speaks it on the wire),
so a byte count becomes milliseconds through one :class:`AudioFormat`. Three things can play it, one per clock:

* virtual playback in real time (the default): a play head that starts when audio is enqueued into an idle queue and
  advances at the sample rate, following the injected :class:`Clock`. It stops when the queue runs dry and starts
  again at the next enqueue. It is advanced lazily, before every operation, from the time of the clock, which is
  exact because the queue only changes in those operations.
* a sink (a speaker callback) calling :meth:`PlaybackClock.read`: what it reads is played. The first ``read`` puts
  the clock in sink mode for good.
* a carrier (a phone line) that plays the audio far away, after :meth:`PlaybackClock.use_carrier`: the bridge takes
  audio with :meth:`PlaybackClock.send`, which only moves it *in flight* (sent, not yet heard), each byte at a
  position (:attr:`PlaybackClock.sent_position`). It is heard when the carrier says so (:meth:`heard_up_to`, from
  Twilio's ``mark`` echoes), or, for a carrier that says nothing, in real time from when it was sent into an idle
  line (the virtual play head, over what is in flight).

``clear()`` drops everything still queued or in flight at once (barge-in), so played counts freeze where they are:
audio a carrier acknowledges after the clear was never heard and is not counted. ``truncate_ms`` is then the
``audio_end_ms`` a ``conversation.item.truncate`` must carry: what was played, never beyond what was received. All
methods take a lock: a speaker callback reads from its own thread.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Final, Literal

from pyagent.audio._clock import Clock, MonotonicClock
from pyagent.audio._format import AudioEncoding, AudioFormat, Bytes, check_whole_frames
from pyagent.audio.errors import AudioError, ConfigurationError

__all__ = ["PlaybackClock"]

ItemKey = tuple[str, int]
Mode = Literal["virtual", "sink", "carrier"]
# (now - start) * rate lands a hair below a whole sample for decimal seconds such as 0.3 - 0.1.
_EPSILON: Final = 1e-6


@dataclass(slots=True)
class _Track:
    """Bytes received and played of one item's content part."""

    key: ItemKey
    received: int = 0
    played: int = 0


@dataclass(slots=True)
class _Segment:
    """A queued piece of a part's audio; ``offset`` is how much of it has been taken."""

    key: ItemKey
    data: bytes
    offset: int = 0


@dataclass(slots=True)
class _InFlight:
    """Bytes of one part sent to a carrier and not yet heard: they end at ``end`` (a :attr:`sent_position`)."""

    key: ItemKey
    count: int
    end: int


class PlaybackClock:
    """The output buffer an audio sink drains, counting what was played per ``(item_id, content_index)``.

    Args:
        sample_rate: rate of the mono audio enqueued.
        clock: the time source for virtual playback and for a carrier that tells nothing (default
            :class:`MonotonicClock`).
        encoding: the audio's encoding: ``"pcm16"`` (2 bytes a sample), or ``"g711_ulaw"`` / ``"g711_alaw"`` (one
            byte a sample, 8 kHz) when the service speaks G.711 on the wire.

    Raises:
        AudioFormatError: an unsupported sample rate or encoding.
    """

    def __init__(
        self, sample_rate: int = 24000, *, clock: Clock | None = None, encoding: AudioEncoding = "pcm16"
    ) -> None:
        self._format = AudioFormat(sample_rate, 1, encoding)
        if clock is not None and not callable(getattr(clock, "now", None)):
            raise ConfigurationError(f"clock must have a now() method (a Clock), not {type(clock).__name__}")
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        self._queue: deque[_Segment] = deque()
        self._tracks: dict[ItemKey, _Track] = {}
        self._pending = 0
        self._played_total = 0
        self._mode: Mode = "virtual"
        self._acknowledged = True  # carrier mode: heard only when heard_up_to() says so
        self._in_flight: deque[_InFlight] = deque()
        self._in_flight_bytes = 0
        self._sent = 0  # bytes ever sent to a carrier: the position of the next byte sent
        self._anchor_time: float | None = None  # when the virtual play head last started; None when idle
        self._anchor_played = 0  # _played_total at that moment

    def __repr__(self) -> str:
        fmt = self._format
        return (
            f"PlaybackClock({fmt.sample_rate}, {fmt.encoding}, mode={self._mode}, "
            f"pending={self._pending + self._in_flight_bytes} bytes)"
        )

    @property
    def sample_rate(self) -> int:
        """Rate of the audio in the buffer."""
        return self._format.sample_rate

    @property
    def audio_format(self) -> AudioFormat:
        """The format of the audio in the buffer (mono PCM16 or G.711)."""
        return self._format

    @property
    def sink_driven(self) -> bool:
        """True once a sink has called :meth:`read` or a carrier plays the audio; until then playback is virtual."""
        return self._mode != "virtual"

    @property
    def mode(self) -> Mode:
        """``"virtual"`` (simulated in real time), ``"sink"`` (:meth:`read`) or ``"carrier"`` (:meth:`send`)."""
        return self._mode

    def enqueue(self, item_id: str, content_index: int, data: Bytes) -> None:
        """Queue received audio of one item's content part for playback.

        Raises:
            AudioFormatError: a byte count that is not whole samples.
        """
        check_whole_frames(data, self._format.frame_bytes, f"{self._format.encoding} audio")
        with self._lock:
            self._advance()
            key = (item_id, content_index)
            track = self._tracks.get(key)
            if track is None:
                track = self._tracks[key] = _Track(key)
            if not data:
                return
            chunk = bytes(data)
            track.received += len(chunk)
            self._queue.append(_Segment(track.key, chunk))  # one key object per part, however many segments
            self._pending += len(chunk)
            if self._mode == "virtual" and self._anchor_time is None:
                self._start_head()

    def read(self, n_bytes: int) -> bytes:
        """Take up to ``n_bytes`` (rounded down to whole samples) for a sink to play; what is read counts as played.

        Returns fewer bytes, or none, when less is queued: the sink plays silence for the rest. The first call puts
        the clock in sink mode (virtual playback stops).

        Raises:
            AudioError: a carrier plays this clock (:meth:`use_carrier`).
        """
        with self._lock:
            if self._mode == "carrier":
                raise AudioError("a carrier plays this playback clock: take its audio with send(), not read()")
            if self._mode == "virtual":
                self._advance()
                self._mode = "sink"
                self._anchor_time = None
            return self._take(self._whole(n_bytes), keep=True)

    def use_carrier(self, *, acknowledged: bool = True) -> None:
        """Let a carrier (a phone line) play the audio: a bridge takes it with :meth:`send` and says what was heard.

        Args:
            acknowledged: True when the carrier tells what it played (:meth:`heard_up_to`, from Twilio's ``mark``
                echoes); False when it tells nothing and plays what it gets in real time (Azure Communication
                Services): audio sent is then heard at the sample rate from when it reached an idle line.

        Raises:
            AudioError: a sink already reads this clock.
        """
        with self._lock:
            if self._mode == "sink":
                raise AudioError("a sink already reads this playback clock; a carrier cannot play it too")
            self._advance()
            self._mode = "carrier"
            self._acknowledged = acknowledged
            self._anchor_time = None

    def send(self, n_bytes: int) -> bytes:
        """Take up to ``n_bytes`` (whole samples) for the carrier: sent, not yet heard (see :meth:`use_carrier`).

        The bytes returned end at :attr:`sent_position`; a carrier's acknowledgement of that position is passed to
        :meth:`heard_up_to`.

        Raises:
            AudioError: the clock is not in carrier mode.
        """
        with self._lock:
            if self._mode != "carrier":
                raise AudioError("send() plays through a carrier: call use_carrier() first")
            self._advance()
            pieces: list[bytes] = []
            remaining = self._whole(n_bytes)
            idle = not self._in_flight
            while remaining and self._queue:
                segment = self._queue[0]
                count = min(len(segment.data) - segment.offset, remaining)
                pieces.append(segment.data[segment.offset : segment.offset + count])
                self._sent += count
                last = self._in_flight[-1] if self._in_flight else None
                if last is not None and last.key is segment.key and last.end == self._sent - count:
                    last.count += count
                    last.end = self._sent
                else:
                    self._in_flight.append(_InFlight(segment.key, count, self._sent))
                self._in_flight_bytes += count
                self._pending -= count
                segment.offset += count
                remaining -= count
                if segment.offset == len(segment.data):
                    self._queue.popleft()
            if pieces and idle and not self._acknowledged:
                self._start_head()
            return b"".join(pieces)

    @property
    def sent_position(self) -> int:
        """Bytes sent to the carrier so far: the position just after the last byte :meth:`send` returned."""
        with self._lock:
            return self._sent

    def heard_up_to(self, position: int) -> int:
        """The carrier played everything sent before ``position`` (a value :attr:`sent_position` had); return the
        bytes newly counted as played.

        Audio dropped by :meth:`clear` is not in flight any more, so an acknowledgement that comes after the clear
        (Twilio echoes every pending mark when it is told to clear) counts nothing.
        """
        with self._lock:
            return self._hear_up_to(position)

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
        """Drop all pending audio at once, queued or in flight to a carrier (barge-in); return the bytes dropped."""
        with self._lock:
            self._advance()
            dropped = self._pending + self._in_flight_bytes
            self._queue.clear()
            self._in_flight.clear()
            self._pending = 0
            self._in_flight_bytes = 0
            self._anchor_time = None
            return dropped

    def reset(self, *, sample_rate: int | None = None, encoding: AudioEncoding | None = None) -> None:
        """Forget everything: pending audio, every item's counts, the sink or carrier; optionally take a new format.

        Raises:
            AudioFormatError: an unsupported sample rate or encoding.
        """
        fmt = self._format
        new_format = AudioFormat(sample_rate or fmt.sample_rate, 1, encoding or fmt.encoding)
        with self._lock:
            self._format = new_format
            self._queue.clear()
            self._tracks.clear()
            self._in_flight.clear()
            self._pending = 0
            self._in_flight_bytes = 0
            self._played_total = 0
            self._sent = 0
            self._mode = "virtual"
            self._acknowledged = True
            self._anchor_time = None

    @property
    def is_playing(self) -> bool:
        """True while audio is pending (queued, or in flight to a carrier, and not yet played)."""
        with self._lock:
            self._advance()
            return self._pending + self._in_flight_bytes > 0

    @property
    def pending_bytes(self) -> int:
        """Bytes queued or in flight and not yet played."""
        with self._lock:
            self._advance()
            return self._pending + self._in_flight_bytes

    @property
    def pending_ms(self) -> int:
        """Milliseconds queued or in flight and not yet played (rounded down)."""
        return self._ms(self.pending_bytes)

    @property
    def queued_bytes(self) -> int:
        """Bytes received and not yet taken by a sink or sent to a carrier (nor played virtually)."""
        with self._lock:
            self._advance()
            return self._pending

    @property
    def in_flight_bytes(self) -> int:
        """Bytes sent to a carrier and not yet heard."""
        with self._lock:
            self._advance()
            return self._in_flight_bytes

    @property
    def current(self) -> ItemKey | None:
        """The ``(item_id, content_index)`` playing now, or None when nothing is pending."""
        with self._lock:
            self._advance()
            if self._in_flight:
                return self._in_flight[0].key
            return self._queue[0].key if self._queue else None

    def _ms(self, n_bytes: int) -> int:
        return n_bytes * 1000 // self._format.bytes_per_second

    def _whole(self, n_bytes: int) -> int:
        frame = self._format.frame_bytes
        return max(0, n_bytes) // frame * frame

    def _start_head(self) -> None:
        self._anchor_time = self._clock.now()
        self._anchor_played = self._played_total

    def _advance(self) -> None:
        """Move the real-time play head to the clock's time (virtual playback, or a carrier that tells nothing).

        A no-op for a sink, an acknowledging carrier, or an idle head.
        """
        if self._anchor_time is None:
            return
        elapsed = self._clock.now() - self._anchor_time
        samples = int(elapsed * self._format.sample_rate + _EPSILON) if elapsed > 0 else 0
        due = self._anchor_played + self._format.frame_bytes * samples - self._played_total
        if self._mode == "carrier":
            if due > 0:
                self._hear(due)
            if not self._in_flight:
                self._anchor_time = None
            return
        if due > 0:
            self._take(due, keep=False)
        if not self._queue:
            self._anchor_time = None

    def _hear_up_to(self, position: int) -> int:
        heard = 0
        while self._in_flight:
            head = self._in_flight[0]
            start = head.end - head.count
            if position <= start:
                break
            heard += self._hear(min(head.end, position) - start)
        return heard

    def _hear(self, n_bytes: int) -> int:
        """Count up to ``n_bytes`` at the head of what is in flight as played."""
        remaining = n_bytes
        while remaining and self._in_flight:
            head = self._in_flight[0]
            count = min(head.count, remaining)
            self._tracks[head.key].played += count
            head.count -= count
            remaining -= count
            if head.count == 0:
                self._in_flight.popleft()
        heard = n_bytes - remaining
        self._in_flight_bytes -= heard
        self._played_total += heard
        return heard

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
