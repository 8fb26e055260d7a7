"""Reconnecting, decided without I/O: which ends of a connection are worth a new one, how long to wait between
attempts, and when to move to a new connection before the service ends the session.

Theory of operation
-------------------
Services end sessions. OpenAI closes with 1001 after 60 minutes (an ``error`` ``session_expired`` first), Azure
OpenAI after 30 and Voice Live after 60 (:data:`SESSION_LIMITS`); servers restarting close with 1012 or 1013;
networks drop (1006). A :class:`~pyagent.voice.VoiceSession` whose connection ends in one of these ways opens a new
connection, sends its configuration again and replays the conversation it mirrors (:mod:`pyagent.voice._history`),
so the model answers the next turn knowing everything said before. The asyncio side (``session.py``) does the
connecting; this module says *whether* and *when*:

- :func:`should_retry` reads the error that ended a connection or an attempt. Retried: closes 1001 (going away, the
  maximum duration), 1006 (dropped, keepalive timeout), 1011 (server error), 1012 (service restart), 1013 (try again
  later), 1014 (bad gateway); handshakes that time out, cannot reach the host, or are answered with HTTP 5xx or 429.
  Never retried: a close this side asked for; 1000 (the service ended the session on purpose); 1008 (policy);
  4000-4999 (authentication and bad requests); handshakes answered 401, 403, 404 or another 4xx; the service
  refusing the session or its configuration. Those end the session as a close always did.
- :meth:`ReconnectPolicy.delay` spaces the attempts: ``initial_delay * multiplier ** (attempt - 1)`` seconds, capped
  at ``max_delay``, less up to ``jitter`` of it at random (so clients dropped together do not return together). The
  first attempt after a close the service announced (1001, 1012) is made at once: the service asked for it.
- :meth:`ReconnectPolicy.renew_after` says when a connection should be left for a new one *between turns*, before the
  service's maximum duration cuts a turn in half: from ``limit - renew_margin`` (the margin at most a quarter of the
  limit) the session moves at its first quiet moment.
- :func:`run_attempts` is the loop itself, with the connecting and the waiting given to it: it tells each attempt
  (``reconnecting``), counts attempts across reconnects (:class:`Attempts`: a service that accepts every connection
  and ends it at once is not reconnected to for ever), and says how the session ends when it gives up
  (:func:`gave_up`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from collections.abc import Awaitable, Callable, Mapping

from pyagent.realtime.errors import (
    ConnectionClosed,
    ConnectionError,
    ConnectionTimeout,
    HandshakeError,
    InsecureTransportError,
)
from pyagent.voice.errors import ConfigurationError, ConfigurationTypeError, ResponseError, SessionClosedError

__all__ = [
    "RETRIED_CLOSE_CODES",
    "SESSION_LIMITS",
    "Attempts",
    "ReconnectPolicy",
    "coerce_policy",
    "gave_up",
    "run_attempts",
    "should_retry",
]

logger = logging.getLogger("pyagent.voice")

RETRIED_CLOSE_CODES: frozenset[int] = frozenset({1001, 1006, 1011, 1012, 1013, 1014})
"""Close codes after which the session reconnects (RFC 6455 section 7.4.1 and the IANA registry: going away,
abnormal closure, internal error, service restart, try again later, bad gateway)."""

_ANNOUNCED_CLOSE_CODES = frozenset({1001, 1012})  # the service said it is going away: come back at once

SESSION_LIMITS: Mapping[str, float] = {
    # platform.openai.com, "Realtime conversations": "The maximum duration of a Realtime session is 60 minutes."
    "openai": 60 * 60.0,
    # learn.microsoft.com, Azure OpenAI realtime audio: "The maximum session duration is 30 minutes."
    "azure-openai": 30 * 60.0,
    "azure-openai-ga": 30 * 60.0,
    # learn.microsoft.com, Speech service quotas and limits: Voice Live "<= 60 minutes per session".
    "voicelive": 60 * 60.0,
}
"""Dialect -> the service's maximum session duration in seconds (override it with ``ReconnectPolicy``)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How a :class:`~pyagent.voice.VoiceSession` reconnects and restores its conversation (``reconnect=``).

    Attributes:
        max_attempts: connections tried after one ends before the session gives up (``SessionClosedError`` with
            the last close's code and reason).
        initial_delay: seconds before the first attempt, growing by ``multiplier`` with each attempt. After a
            close the service announced (1001 going away, 1012 restart) the first attempt is made at once.
        max_delay: the longest wait between attempts, in seconds.
        multiplier: how much the wait grows per attempt.
        jitter: the fraction of each wait (0 to 1) that may be taken off at random.
        renew_before_expiry: move to a new connection between turns before the service's maximum duration.
        max_session_seconds: the service's maximum session duration; None uses the dialect's
            (:data:`SESSION_LIMITS`).
        renew_margin: seconds before that maximum from which the session moves at its first quiet moment (at most a
            quarter of the maximum).
        max_replay_audio_seconds: the user's audio kept to replay turns whose transcript is not known (and the
            input not yet committed when a connection ends), in seconds of the service's audio; the oldest is
            dropped first. 0 keeps none: such turns are then left out of a restore.
        max_gap_audio_seconds: the user's audio buffered while the session reconnects (``send_audio(...,
            commit=False)`` returns at once until it is full, then waits for the new connection); sent once the
            conversation is restored.

    Raises:
        ConfigurationError: a value out of range.
    """

    max_attempts: int = 5
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.5
    renew_before_expiry: bool = True
    max_session_seconds: float | None = None
    renew_margin: float = 300.0
    max_replay_audio_seconds: float = 30.0
    max_gap_audio_seconds: float = 10.0

    def __post_init__(self) -> None:
        for name in (
            "max_attempts",
            "initial_delay",
            "max_delay",
            "multiplier",
            "jitter",
            "renew_margin",
            "max_replay_audio_seconds",
            "max_gap_audio_seconds",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN != NaN
                raise ConfigurationTypeError(f"{name} must be a number, not {value!r}")
        if self.max_session_seconds is not None and (
            isinstance(self.max_session_seconds, bool)
            or not isinstance(self.max_session_seconds, int | float)
            or self.max_session_seconds != self.max_session_seconds
        ):
            raise ConfigurationTypeError(
                f"max_session_seconds must be a number or None, not {self.max_session_seconds!r}"
            )
        if not isinstance(self.renew_before_expiry, bool):
            raise ConfigurationTypeError(f"renew_before_expiry must be True or False, not {self.renew_before_expiry!r}")
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ConfigurationError("initial_delay and max_delay must not be negative, multiplier at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError(f"jitter must be between 0 and 1, got {self.jitter}")
        if self.max_session_seconds is not None and not self.max_session_seconds > 0:
            raise ConfigurationError(f"max_session_seconds must be above 0, got {self.max_session_seconds}")
        if self.renew_margin < 0 or self.max_replay_audio_seconds < 0 or self.max_gap_audio_seconds < 0:
            raise ConfigurationError("renew_margin and the audio bounds must not be negative")

    def delay(self, attempt: int, code: int | None = None, random: Callable[[], float] = lambda: 0.0) -> float:
        """Seconds to wait before attempt number ``attempt`` (1 for the first).

        Args:
            attempt: the attempt's number, from 1.
            code: the close code that started the reconnecting; None for a renewal (nothing closed: the session
                moves on its own, at once).
            random: a source of numbers in [0, 1) (``random.random``); the default takes no jitter off.
        """
        at_once = code is None or code in _ANNOUNCED_CLOSE_CODES
        if attempt <= 1 and at_once:
            return 0.0
        step = attempt - 1 if at_once else attempt
        base = min(self.max_delay, self.initial_delay * self.multiplier ** max(0, step - 1))
        return base * (1.0 - self.jitter * random())

    def session_limit(self, dialect: str, announced: float | None = None) -> float | None:
        """The service's maximum session duration in seconds: ``max_session_seconds`` when set, else what the
        service announced for this session (``announced``: the seconds left by its ``expires_at``), else the
        dialect's (:data:`SESSION_LIMITS`); None when none is known."""
        if self.max_session_seconds is not None:
            return self.max_session_seconds
        if announced is not None:
            return announced
        return SESSION_LIMITS.get(dialect)

    def renew_after(self, dialect: str, announced: float | None = None) -> float | None:
        """Seconds after a connection opens from which it is renewed at the first quiet moment; None: never.

        Args:
            dialect: the connection's dialect, for its known maximum.
            announced: seconds the service said the session has left (from ``expires_at``), when it said so.
        """
        limit = self.session_limit(dialect, announced)
        if not self.renew_before_expiry or limit is None or math.isinf(limit):
            return None
        return limit - min(self.renew_margin, limit / 4)


def coerce_policy(reconnect: bool | ReconnectPolicy | None) -> ReconnectPolicy | None:
    """The policy ``VoiceSession(reconnect=...)`` stands for: True the defaults, False (or None) no reconnecting.

    Raises:
        ConfigurationError: neither a bool nor a :class:`ReconnectPolicy`.
    """
    if reconnect is True:
        return ReconnectPolicy()
    if reconnect is False or reconnect is None:
        return None
    if isinstance(reconnect, ReconnectPolicy):
        return reconnect
    raise ConfigurationError(f"reconnect must be True, False or a ReconnectPolicy, not {type(reconnect).__name__}")


def should_retry(error: BaseException) -> bool:
    """Whether a new connection is worth trying after ``error`` ended one (or an attempt at one).

    ``error`` is what the session saw: a :class:`SessionClosedError` (the service's close, with its code), a
    connection error of :mod:`pyagent.realtime.errors` (a handshake refused or timed out, a host not reached), a
    :class:`ResponseError` (the service refused the session) or a ``TimeoutError`` (no session set up in time).
    """
    if isinstance(error, SessionClosedError | ConnectionClosed):
        return error.code in RETRIED_CLOSE_CODES
    if isinstance(error, HandshakeError):
        return error.status is None or error.status >= 500 or error.status == 429
    if isinstance(error, InsecureTransportError):
        return False
    if isinstance(error, ConnectionTimeout | ConnectionError | TimeoutError):
        return True
    if isinstance(error, ResponseError):
        return False
    return False


@dataclasses.dataclass(slots=True)
class Attempts:
    """Connections tried since the last one that lasted (or answered a turn); kept across reconnects.

    Attributes:
        count: attempts made since the last reset.
        connected_at: when the current connection was restored (the event loop's clock, seconds).
    """

    count: int = 0
    connected_at: float = 0.0

    def reset_if_lasted(self, now: float, policy: ReconnectPolicy, stable_seconds: float) -> None:
        """A connection that lasted ``stable_seconds`` (or the longest wait, if longer) worked: count afresh."""
        if now - self.connected_at >= max(stable_seconds, policy.max_delay):
            self.count = 0


async def run_attempts(
    policy: ReconnectPolicy,
    attempts: Attempts,
    *,
    code: int | None,
    reason: str,
    attempt: Callable[[], Awaitable[None]],
    tell: Callable[[int, float, int | None, str], Awaitable[None]],
    random: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> tuple[bool, BaseException | None]:
    """Try new connections until one is restored or the policy gives up.

    Returns:
        ``(restored, last_failure)``: ``last_failure`` is None when no attempt failed (or none was left to make).

    Args:
        policy: the attempts and the waits between them.
        attempts: the count, carried from earlier reconnects.
        code: the close code that started the reconnecting (None for a renewal).
        reason: why, in words (the close's reason).
        attempt: connect, configure and restore once; raises what failed (the connection already cleaned up).
        tell: the ``reconnecting(attempt, delay, code, reason)`` event: the latest failure's code and reason.
        random: numbers in [0, 1) for the jitter.
        sleep: waits (``asyncio.sleep``).
    """
    started_by = code  # the waits follow what started it; the events tell the latest failure
    last: BaseException | None = None
    while attempts.count < policy.max_attempts:
        attempts.count += 1
        delay = policy.delay(attempts.count, started_by, random)
        await tell(attempts.count, delay, code, reason)
        await sleep(delay)
        try:
            await attempt()
        except Exception as exc:
            last = exc
            logger.info("reconnect attempt %d failed: %s", attempts.count, exc)
            if isinstance(exc, SessionClosedError | ConnectionClosed):
                code, reason = exc.code, exc.reason or str(exc)
            else:
                code, reason = None, str(exc)
            if should_retry(exc):
                continue
            return False, exc
        return True, None
    return False, last


def gave_up(cause: SessionClosedError | None, last: BaseException | None, attempts: int) -> SessionClosedError:
    """The error that ends a session whose reconnecting failed: the last close's code and reason, and why.

    Args:
        cause: the close that started the reconnecting (None for a renewal).
        last: what the last attempt failed with (the error's ``__cause__``), if one was made.
        attempts: how many attempts were made.
    """
    closed = last if isinstance(last, SessionClosedError) else cause
    what = str(cause) if cause is not None else "the connection was being renewed"
    error = SessionClosedError(
        f"{what}; gave up reconnecting after {attempts} attempt{'s' if attempts != 1 else ''}"
        + (f": {last}" if last is not None else ""),
        code=closed.code if closed is not None else None,
        reason=closed.reason if closed is not None else "",
        service_error=closed.service_error if closed is not None else None,
    )
    error.__cause__ = last
    return error
