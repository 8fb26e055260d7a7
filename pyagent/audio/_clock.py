"""Injected time: logic asks a clock object for the time, so tests drive it by hand."""

from __future__ import annotations

import math
import time
from typing import Protocol, runtime_checkable

from pyagent.audio.errors import AudioError, ConfigurationError

__all__ = ["Clock", "ManualClock", "MonotonicClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()``: seconds on a clock that never goes backwards (the origin is arbitrary)."""

    def now(self) -> float:
        """The current time in seconds."""
        ...


class MonotonicClock:
    """The process's monotonic clock (:func:`time.monotonic`)."""

    __slots__ = ()

    def now(self) -> float:
        """The current monotonic time in seconds."""
        return time.monotonic()

    def __repr__(self) -> str:
        return "MonotonicClock()"


class ManualClock:
    """A clock that moves only when told: tests advance it and get exact, repeatable timings.

    Args:
        start: the initial time in seconds.
    """

    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        if isinstance(start, bool) or not isinstance(start, int | float) or not math.isfinite(start):
            raise ConfigurationError(f"a clock starts at a finite number of seconds, not {start!r}")
        self._now = float(start)

    def __repr__(self) -> str:
        return f"ManualClock({self._now!r})"

    def now(self) -> float:
        """The time the clock was last set to."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time.

        Raises:
            AudioError: ``seconds`` is negative or not finite (a clock never goes backwards).
        """
        if not math.isfinite(seconds) or seconds < 0:
            raise AudioError(f"a clock only moves forward, got {seconds!r} s")
        self._now += seconds
        return self._now
