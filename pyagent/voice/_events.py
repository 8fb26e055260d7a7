"""The session's event emitter: ``@session.on(name)`` with sync or async handlers.

Handlers run in registration order. An async handler is awaited before the next one runs, so handlers see events in
the order the service sent them. A handler may take fewer positional arguments than its event carries and gets the
leading ones: the spec's ``on_speech_started()`` and ``on_transcript(text)`` work as written, while a handler that
wants more (``on_transcript(text, role)``) gets more. A handler that raises is logged; the session goes on.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pyagent.voice.errors import ConfigurationError, ConfigurationTypeError

__all__ = ["EVENTS", "EventEmitter", "Handler"]

logger = logging.getLogger("pyagent.voice")

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)

# Event name -> what its handlers receive, in order. The docs and the error for an unknown name come from here.
EVENTS: Mapping[str, str] = {
    "speech_started": "()",
    "speech_ended": "()",
    "response_started": "()",
    "transcript_available": "(text: str, role: 'user' | 'assistant', item_id: str)  # the item it belongs to",
    "response_done": "(response: VoiceResponse)",
    "audio": "(data: bytes)  # the assistant's audio, in the session's audio format",
    "function_call": "(call: ToolCallRecord)  # after the tool ran",
    "state_changed": "(new: SessionState, old: SessionState)",
    "interrupted": "(interruption: Interruption)  # the item heard, the ms heard, the items deleted",
    "dtmf": "(digit: str)  # a key the caller pressed, from a phone bridge (pyagent.telephony)",
    "error": "(error: Exception)",
    "reconnecting": "(attempt: int, delay: float, code: int | None, reason: str)  # delay in s; code None: renewal",
    "reconnected": "(session_id: str)  # the service's new session, configured and restored",
}


def _arity(handler: Handler) -> int | None:
    """How many positional arguments the handler takes; None when it takes any number."""
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):  # some builtins have no signature: pass everything
        return None
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class EventEmitter:
    """Holds the handlers of each event and calls them."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[tuple[Handler, int | None]]] = {name: [] for name in EVENTS}

    def on(self, name: str) -> Callable[[H], H]:
        """A decorator registering its function as a handler of ``name``.

        Raises:
            ConfigurationError: ``name`` is not one of :data:`EVENTS` (the message lists them; also a ValueError).
        """
        self._check(name)

        def register(handler: H) -> H:
            self.add(name, handler)
            return handler

        return register

    def add(self, name: str, handler: Handler) -> None:
        """Register ``handler`` for ``name``."""
        self._check(name)
        if not callable(handler):
            raise ConfigurationTypeError(f"a handler of {name!r} must be callable, not {type(handler).__name__}")
        self._handlers[name].append((handler, _arity(handler)))

    def remove(self, name: str, handler: Handler) -> None:
        """Unregister ``handler`` from ``name``; nothing happens when it was not registered."""
        self._check(name)
        self._handlers[name] = [entry for entry in self._handlers[name] if entry[0] != handler]

    def has_handlers(self, name: str) -> bool:
        """True when at least one handler listens to ``name``."""
        return bool(self._handlers.get(name))

    async def emit(self, name: str, *args: Any) -> None:
        """Call every handler of ``name`` with ``args`` (trimmed to what each takes); never raises for a handler."""
        for handler, arity in list(self._handlers[name]):
            call_args = args if arity is None else args[:arity]
            try:
                result = handler(*call_args)
                if inspect.isawaitable(result):
                    await _await(result)
            except Exception:
                # A user's handler must not end the session: log it with its traceback and go on.
                logger.exception("handler %s of event %r raised", getattr(handler, "__qualname__", handler), name)

    @staticmethod
    def _check(name: str) -> None:
        if name not in EVENTS:
            raise ConfigurationError(f"unknown event {name!r}; the session emits: {', '.join(EVENTS)}")


async def _await(awaitable: Awaitable[Any]) -> None:
    await awaitable
