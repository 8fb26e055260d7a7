"""PlaybackClock: exact played/received milliseconds under a manual clock, in virtual and sink-driven modes.

At 24 kHz PCM16 one millisecond is 48 bytes, so every expectation below is an exact integer.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyagent.audio import AudioError, AudioFormatError, Clock, ManualClock, MonotonicClock, PlaybackClock

MS = 48  # bytes per millisecond at 24 kHz mono PCM16


def audio(ms: int, value: int = 1) -> bytes:
    return value.to_bytes(2, "little", signed=True) * (ms * MS // 2)


def test_clocks() -> None:
    clock = ManualClock(5.0)
    assert clock.now() == 5.0
    assert clock.advance(0.25) == 5.25
    with pytest.raises(AudioError, match="only moves forward"):
        clock.advance(-1)
    assert isinstance(clock, Clock)
    monotonic = MonotonicClock()
    assert isinstance(monotonic, Clock)
    assert monotonic.now() <= monotonic.now()


def test_virtual_playback_follows_the_clock_and_never_passes_what_was_received() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(1000))
    assert playback.received_ms("item_a", 0) == 1000
    assert playback.played_ms("item_a", 0) == 0
    assert playback.is_playing
    assert playback.current == ("item_a", 0)
    clock.advance(0.25)
    assert playback.played_ms("item_a", 0) == 250
    assert playback.truncate_ms("item_a", 0) == 250
    assert playback.pending_ms == 750
    clock.advance(5.0)
    assert playback.played_ms("item_a", 0) == 1000
    assert playback.truncate_ms("item_a", 0) == 1000
    assert not playback.is_playing
    assert playback.current is None


def test_audio_arriving_in_deltas_faster_than_real_time() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    # 10 deltas of 200 ms arrive over the first 100 ms.
    for _ in range(10):
        playback.enqueue("item_a", 0, audio(200))
        clock.advance(0.01)
    assert playback.received_ms("item_a", 0) == 2000
    assert playback.played_ms("item_a", 0) == 100
    clock.advance(1.2)
    assert playback.played_ms("item_a", 0) == 1300


def test_several_items_in_sequence_and_content_indexes() -> None:
    clock = ManualClock(100.0)
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(300))
    playback.enqueue("item_a", 1, audio(200))
    playback.enqueue("item_b", 0, audio(500))
    clock.advance(0.4)
    assert playback.played_ms("item_a", 0) == 300
    assert playback.played_ms("item_a", 1) == 100
    assert playback.played_ms("item_b", 0) == 0
    assert playback.current == ("item_a", 1)
    clock.advance(0.3)
    assert (playback.played_ms("item_a", 1), playback.played_ms("item_b", 0)) == (200, 200)
    assert playback.current == ("item_b", 0)
    assert playback.truncate_ms("item_b", 0) == 200


def test_clear_mid_item_freezes_the_counts_and_drops_pending_audio() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(600))
    playback.enqueue("item_b", 0, audio(900))
    clock.advance(0.85)
    dropped = playback.clear()
    assert dropped == (600 + 900 - 850) * MS
    assert not playback.is_playing
    assert playback.current is None
    clock.advance(10)
    assert playback.truncate_ms("item_a", 0) == 600
    assert playback.truncate_ms("item_b", 0) == 250  # barge-in: truncate item_b at 250 ms
    assert playback.received_ms("item_b", 0) == 900
    assert playback.clear() == 0


def test_after_clear_a_new_item_starts_when_it_arrives() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(500))
    clock.advance(0.1)
    playback.clear()
    clock.advance(2.0)
    playback.enqueue("item_b", 0, audio(500))
    clock.advance(0.3)
    assert playback.played_ms("item_a", 0) == 100
    assert playback.played_ms("item_b", 0) == 300


def test_an_underrun_restarts_playback_at_the_next_arrival() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(100))
    clock.advance(0.5)  # ran dry at 0.1 s
    assert not playback.is_playing
    playback.enqueue("item_a", 0, audio(100))  # the network was late: playback resumes now, at 0.5 s
    clock.advance(0.06)
    assert playback.played_ms("item_a", 0) == 160
    clock.advance(0.02)
    assert playback.truncate_ms("item_a", 0) == 180
    assert playback.received_ms("item_a", 0) == 200


def test_underrun_detected_lazily_between_calls() -> None:
    # Nothing is asked between the queue running dry and the next enqueue: the result is the same.
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(100))
    clock.advance(0.5)
    playback.enqueue("item_a", 0, audio(100))
    clock.advance(0.05)
    assert playback.played_ms("item_a", 0) == 150


def test_decimal_seconds_do_not_lose_a_sample() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(1000))
    for _ in range(3):
        clock.advance(0.1)  # 0.30000000000000004 s
    assert playback.played_bytes("item_a", 0) == 300 * MS
    clock.advance(0.3 - 0.1)  # 0.19999999999999998 s
    assert playback.played_bytes("item_a", 0) == 500 * MS


def test_sink_driven_playback_counts_what_was_read() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(30, 7))
    playback.enqueue("item_b", 0, audio(30, 9))
    first = playback.read(20 * MS)
    assert playback.sink_driven
    assert first == audio(20, 7)
    clock.advance(100)  # time alone no longer plays anything
    assert playback.played_ms("item_a", 0) == 20
    second = playback.read(20 * MS)
    assert second == audio(10, 7) + audio(10, 9)
    assert (playback.played_ms("item_a", 0), playback.played_ms("item_b", 0)) == (30, 10)
    assert playback.current == ("item_b", 0)
    assert playback.read(100 * MS) == audio(20, 9)  # less than asked: the sink plays silence for the rest
    assert playback.read(MS) == b""
    assert playback.truncate_ms("item_b", 0) == 30


def test_sink_read_rounds_down_to_whole_samples_and_clear_works() -> None:
    playback = PlaybackClock(clock=ManualClock())
    playback.enqueue("item_a", 0, audio(100))
    assert len(playback.read(7)) == 6
    assert len(playback.read(-5)) == 0
    playback.read(10 * MS - 6)
    assert playback.clear() == 90 * MS
    assert playback.truncate_ms("item_a", 0) == 10


def test_switching_from_virtual_to_sink_keeps_what_played_virtually() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(500))
    clock.advance(0.2)
    assert playback.read(50 * MS) == audio(50)
    assert playback.played_ms("item_a", 0) == 250


def test_other_rates_and_unknown_items() -> None:
    clock = ManualClock()
    playback = PlaybackClock(16000, clock=clock)
    playback.enqueue("item_a", 0, b"\x00\x00" * 16000)  # 1 s
    clock.advance(0.123)
    assert playback.played_ms("item_a", 0) == 123
    assert playback.received_ms("item_a", 0) == 1000
    assert playback.played_ms("nope", 0) == 0
    assert playback.truncate_ms("nope", 0) == 0
    assert playback.received_ms("item_a", 1) == 0


def test_empty_enqueue_registers_nothing_to_play_and_odd_bytes_are_rejected() -> None:
    playback = PlaybackClock(clock=ManualClock())
    playback.enqueue("item_a", 0, b"")
    assert not playback.is_playing
    assert playback.received_ms("item_a", 0) == 0
    with pytest.raises(AudioFormatError, match="3 bytes"):
        playback.enqueue("item_a", 0, b"\x00\x00\x00")
    with pytest.raises(AudioFormatError):
        PlaybackClock(1000)


def test_reset_forgets_everything() -> None:
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.enqueue("item_a", 0, audio(100))
    playback.read(MS)
    playback.reset()
    assert not playback.sink_driven
    assert playback.received_ms("item_a", 0) == 0
    playback.enqueue("item_b", 0, audio(100))
    clock.advance(0.05)
    assert playback.played_ms("item_b", 0) == 50


def test_a_sink_thread_and_the_session_thread_share_the_clock() -> None:
    playback = PlaybackClock(clock=ManualClock())
    total = 0
    lock = threading.Lock()

    def sink() -> None:
        nonlocal total
        for _ in range(2000):
            got = len(playback.read(10 * MS))
            with lock:
                total += got

    thread = threading.Thread(target=sink)
    thread.start()
    for index in range(200):
        playback.enqueue(f"item_{index % 3}", 0, audio(10))
    thread.join()
    played = sum(playback.played_bytes(f"item_{i}", 0) for i in range(3))
    assert played == total
    assert played + playback.pending_bytes == 200 * 10 * MS


def test_default_clock_is_monotonic() -> None:
    playback = PlaybackClock()
    playback.enqueue("item_a", 0, audio(60_000))
    assert playback.played_ms("item_a", 0) < 60_000
    assert "virtual" in repr(playback)


class NaiveModel:
    """The playback clock re-told the slow way: time moves one millisecond at a time and plays 48 bytes of it."""

    def __init__(self) -> None:
        self.queue: list[list[object]] = []  # [key, bytes left]
        self.played: dict[tuple[str, int], int] = {}
        self.received: dict[tuple[str, int], int] = {}
        self.sink = False

    def take(self, n_bytes: int) -> int:
        taken = 0
        while n_bytes > taken and self.queue:
            key, left = self.queue[0]
            count = min(int(left), n_bytes - taken)  # type: ignore[call-overload]
            self.played[key] = self.played.get(key, 0) + count  # type: ignore[index]
            taken += count
            if count == left:
                self.queue.pop(0)
            else:
                self.queue[0][1] = int(left) - count  # type: ignore[call-overload]
        return taken

    def enqueue(self, key: tuple[str, int], n_bytes: int) -> None:
        self.received[key] = self.received.get(key, 0) + n_bytes
        self.played.setdefault(key, 0)
        if n_bytes:
            self.queue.append([key, n_bytes])

    def advance(self, ms: int) -> None:
        if not self.sink:
            for _ in range(ms):
                self.take(MS)  # a millisecond that finds the queue empty plays nothing: playback idles

    def read(self, n_bytes: int) -> int:
        self.sink = True
        return self.take(max(0, n_bytes) & ~1)

    def clear(self) -> int:
        dropped = sum(int(left) for _, left in self.queue)  # type: ignore[call-overload]
        self.queue.clear()
        return dropped


KEYS = [("item_a", 0), ("item_a", 1), ("item_b", 0)]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("enqueue"), st.sampled_from(KEYS), st.integers(0, 1500)),
        st.tuples(st.just("advance"), st.integers(0, 120)),
        st.tuples(st.just("read"), st.integers(-10, 4000)),
        st.tuples(st.just("clear")),
    ),
    max_size=40,
)


@given(operations)
def test_matches_a_millisecond_by_millisecond_model(ops: list[tuple[object, ...]]) -> None:
    clock = ManualClock(1000.0)
    playback = PlaybackClock(clock=clock)
    model = NaiveModel()
    for op in ops:
        if op[0] == "enqueue":
            key, samples = op[1], op[2]
            playback.enqueue(key[0], key[1], b"\x01\x00" * samples)  # type: ignore[index]
            model.enqueue(key, 2 * samples)  # type: ignore[arg-type, operator]
        elif op[0] == "advance":
            clock.advance(op[1] / 1000)  # type: ignore[operator]
            model.advance(op[1])  # type: ignore[arg-type]
        elif op[0] == "read":
            assert len(playback.read(op[1])) == model.read(op[1])  # type: ignore[arg-type]
        else:
            assert playback.clear() == model.clear()
        for key in KEYS:
            assert playback.played_bytes(*key) == model.played.get(key, 0)
            assert playback.received_bytes(*key) == model.received.get(key, 0)
            assert playback.truncate_ms(*key) == model.played.get(key, 0) // MS
        assert playback.pending_bytes == sum(int(left) for _, left in model.queue)  # type: ignore[call-overload]
        assert playback.current == (model.queue[0][0] if model.queue else None)


# -- a carrier (a phone line) plays the audio ---------------------------------------------------------------------


def test_a_carrier_hears_only_what_it_acknowledged() -> None:
    """Twilio's marks: sent audio is in flight until a mark after it comes back."""
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.use_carrier()
    assert playback.sink_driven
    assert playback.mode == "carrier"
    playback.enqueue("item_a", 0, audio(100))
    first = playback.send(20 * MS)
    assert len(first) == 20 * MS
    assert playback.sent_position == 20 * MS
    second = playback.send(200 * MS)  # only 80 ms left to send
    assert len(second) == 80 * MS
    assert first + second == audio(100)
    clock.advance(5.0)  # time alone plays nothing: the carrier tells
    assert playback.played_ms("item_a", 0) == 0
    assert playback.is_playing
    assert playback.pending_ms == 100
    assert playback.in_flight_bytes == 100 * MS
    assert playback.heard_up_to(20 * MS) == 20 * MS
    assert playback.played_ms("item_a", 0) == 20
    assert playback.heard_up_to(10 * MS) == 0  # an old position again: nothing new
    assert playback.heard_up_to(100 * MS) == 80 * MS
    assert playback.truncate_ms("item_a", 0) == 100
    assert not playback.is_playing
    assert playback.current is None


def test_audio_cleared_in_flight_is_never_heard_even_when_acknowledged_after() -> None:
    """Twilio answers a clear by echoing every pending mark at once: those marks count nothing."""
    playback = PlaybackClock(clock=ManualClock())
    playback.use_carrier()
    playback.enqueue("item_a", 0, audio(60))
    playback.enqueue("item_b", 0, audio(60))
    marks = []
    while chunk := playback.send(20 * MS):
        marks.append(playback.sent_position)
        assert len(chunk) == 20 * MS
    assert playback.current == ("item_a", 0)
    playback.heard_up_to(marks[1])  # 40 ms of item_a heard
    assert playback.clear() == 80 * MS
    for mark in marks:  # the pending marks come back after the clear
        assert playback.heard_up_to(mark) == 0
    assert playback.truncate_ms("item_a", 0) == 40
    assert playback.played_ms("item_b", 0) == 0
    # New audio after the clear is counted from its own positions.
    playback.enqueue("item_c", 0, audio(20))
    playback.send(20 * MS)
    assert playback.heard_up_to(marks[-1]) == 0  # an old mark never reaches new audio
    assert playback.heard_up_to(playback.sent_position) == 20 * MS
    assert playback.played_ms("item_c", 0) == 20


def test_a_carrier_that_tells_nothing_plays_in_real_time_from_what_was_sent() -> None:
    """Azure Communication Services: audio sent into an idle line is heard at the sample rate."""
    clock = ManualClock()
    playback = PlaybackClock(clock=clock)
    playback.use_carrier(acknowledged=False)
    playback.enqueue("item_a", 0, audio(500))
    clock.advance(0.2)  # queued, not sent: not playing on the line yet
    assert playback.played_ms("item_a", 0) == 0
    playback.send(300 * MS)
    clock.advance(0.1)
    assert playback.played_ms("item_a", 0) == 100
    playback.send(200 * MS)  # sent while the line plays: it follows on
    clock.advance(0.3)
    assert playback.played_ms("item_a", 0) == 400
    assert playback.clear() == 100 * MS
    clock.advance(1.0)
    assert playback.truncate_ms("item_a", 0) == 400
    playback.enqueue("item_b", 0, audio(100))
    clock.advance(1.0)
    playback.send(100 * MS)  # into an idle line: starts now
    clock.advance(0.05)
    assert playback.played_ms("item_b", 0) == 50


def test_g711_is_counted_in_its_own_units() -> None:
    """µ-law at 8 kHz is 8 bytes a millisecond: the clock of a call whose service speaks G.711 on the wire."""
    clock = ManualClock()
    playback = PlaybackClock(8000, clock=clock, encoding="g711_ulaw")
    assert playback.audio_format.bytes_per_second == 8000
    playback.enqueue("item_a", 0, bytes(range(256)) * 5)  # 1,280 bytes: 160 ms
    assert playback.received_ms("item_a", 0) == 160
    clock.advance(0.1)
    assert playback.played_ms("item_a", 0) == 100
    assert len(playback.read(7)) == 7  # one byte a sample: no rounding to pairs
    assert "g711_ulaw" in repr(playback)
    playback.reset(sample_rate=24000, encoding="pcm16")
    assert playback.audio_format.bytes_per_second == 48000
    assert playback.mode == "virtual"
    with pytest.raises(AudioFormatError, match="not a whole number"):
        playback.enqueue("item_a", 0, b"\x00")


def test_a_sink_and_a_carrier_are_exclusive() -> None:
    playback = PlaybackClock(clock=ManualClock())
    with pytest.raises(AudioError, match="use_carrier"):
        playback.send(10)
    playback.read(10)
    with pytest.raises(AudioError, match="sink already"):
        playback.use_carrier()
    other = PlaybackClock(clock=ManualClock())
    other.use_carrier()
    with pytest.raises(AudioError, match="send\\(\\)"):
        other.read(10)
    other.reset()
    assert other.mode == "virtual"
