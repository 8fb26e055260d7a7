"""Where an observer (``pyagent.telemetry``) watches connections: a slot that is empty unless instrumented.

The connection asks :func:`current` once when it opens; with nothing installed it gets None and every hook in the
hot path is one ``is None`` test. The observer is installed by ``pyagent.telemetry.instrument()``, or at the first
connection when the environment says so (``PYAGENT_TELEMETRY=on``): the module is then imported by name, so this
layer never imports the one above it.

The environment asking is not the code asking: when the variable says ``on`` but OpenTelemetry is not installed, or
when it says something that is neither on nor off, one WARNING says so and connections go on untraced, rather than
every conversation failing for a setting nobody's code made.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Protocol

from pyagent.realtime.errors import MissingDependencyError

__all__ = ["ConnectionObserver", "ConnectionWatch", "current", "install", "installed"]

_log = logging.getLogger("pyagent.realtime")
_ENVIRONMENT = "PYAGENT_TELEMETRY"
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"", "0", "false", "off", "no"})


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


def installed() -> ConnectionObserver | None:
    """The installed observer, without reading the environment."""
    return _installed[0]


def current() -> ConnectionObserver | None:
    """The installed observer; at the first call, the environment may install ``pyagent.telemetry``'s."""
    if _installed[0] is None and not _environment_read[0]:
        _environment_read[0] = True
        _instrument_from_environment()
    return _installed[0]


def _instrument_from_environment() -> None:
    """Instrument when ``PYAGENT_TELEMETRY`` says so; say once, at WARNING, why it did not when it could not."""
    raw = os.environ.get(_ENVIRONMENT, "")
    value = raw.strip().lower()
    if value in _FALSE:
        return
    if value not in _TRUE:
        _log.warning(
            "%s=%r is neither on (1, true, on, yes) nor off (0, false, off, no, empty): not tracing",
            _ENVIRONMENT,
            raw,
        )
        return
    _log.debug("%s is set: instrumenting with pyagent.telemetry", _ENVIRONMENT)
    try:
        importlib.import_module("pyagent.telemetry")._instrument_for_environment()
    except MissingDependencyError as exc:
        _log.warning("%s=%s but not tracing: %s", _ENVIRONMENT, raw.strip(), exc)
