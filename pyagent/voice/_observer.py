"""Where an observer (``pyagent.telemetry``) watches voice sessions: a slot that is empty unless instrumented.

A session asks for a watch when it connects; the watch sees every effect the voice core returns (turns, barge-in,
errors, the close) and every tool run. With nothing installed the session holds None and pays one ``is None`` test
per effect.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyagent.realtime import RealtimeConnection
from pyagent.voice._results import ToolCallRecord

__all__ = ["SessionObserver", "SessionWatch", "ToolWatch", "current", "install"]


class ToolWatch(Protocol):
    """One tool run: told how it ended."""

    def finished(self, record: ToolCallRecord) -> None: ...


class SessionWatch(Protocol):
    """What watches one connection of a voice session."""

    def effect(self, effect: Any) -> None: ...

    def tool(self, turn: int, call_id: str, name: str, arguments: str) -> ToolWatch: ...

    def moved(self, connection: RealtimeConnection) -> None: ...

    def reconnecting(self, attempt: int, delay: float, code: int | None, reason: str) -> None: ...

    def closed(self, error: BaseException | None) -> None: ...


class SessionObserver(Protocol):
    """What makes a watch for each connection of a session."""

    def session_connected(self, session: Any, connection: RealtimeConnection, model: str) -> SessionWatch: ...


_installed: list[SessionObserver | None] = [None]


def install(observer: SessionObserver | None) -> None:
    """Install (or, with None, remove) the observer of sessions connected from now on."""
    _installed[0] = observer


def current() -> SessionObserver | None:
    """The installed observer, if any."""
    return _installed[0]
