"""Where an observer (``pyagent.telemetry``) watches connections: a slot that is empty unless instrumented.

The connection asks :func:`current` once when it opens; with nothing installed it gets None and every hook in the
hot path is one ``is None`` test. The observer is installed by ``pyagent.telemetry.instrument()``, or at the first
connection when the environment says so (``PYAGENT_TELEMETRY=on``): the module is then imported by name, so this
layer never imports the one above it.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Protocol

__all__ = ["ConnectionObserver", "ConnectionWatch", "current", "install"]

_log = logging.getLogger("pyagent.realtime")
_ENVIRONMENT = "PYAGENT_TELEMETRY"
_TRUE = frozenset({"1", "true", "on", "yes"})


class ConnectionWatch(Protocol):
    """What watches one connection: told of every event type sent and received, and of the end."""

    def sent(self, event_type: str) -> None: ...

    def received(self, event_type: str) -> None: ...

    def failed(self, error: BaseException) -> None: ...

    def closed(self, code: int | None, reason: str, *, by_us: bool) -> None: ...


class ConnectionObserver(Protocol):
    """What makes a watch for each connection as it opens."""

    def connecting(self, *, dialect: str, model: str | None, host: str, port: int | None) -> ConnectionWatch: ...


_installed: list[ConnectionObserver | None] = [None]
_environment_read = [False]


def install(observer: ConnectionObserver | None) -> None:
    """Install (or, with None, remove) the observer of connections opened from now on."""
    _installed[0] = observer


def current() -> ConnectionObserver | None:
    """The installed observer; at the first call, the environment may install ``pyagent.telemetry``'s."""
    if _installed[0] is None and not _environment_read[0]:
        _environment_read[0] = True
        if os.environ.get(_ENVIRONMENT, "").strip().lower() in _TRUE:
            _log.debug("%s is set: instrumenting with pyagent.telemetry", _ENVIRONMENT)
            importlib.import_module("pyagent.telemetry").instrument()
    return _installed[0]
