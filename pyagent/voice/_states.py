"""The session's states and every transition between them, in one table.

Theory of operation
-------------------
A voice session is IDLE until ``connect()`` is called, CONNECTING while the WebSocket opens and the service
announces the session, then CONNECTED. From there the *service's* events drive it, because only the service knows
where a turn is::

    IDLE --connect--> CONNECTING --opened--> CONNECTED
    CONNECTED / PROCESSING / SPEAKING --speech started--> LISTENING    (the user talks; over the assistant = barge-in)
    CONNECTED / LISTENING --committed--> PROCESSING                    (the user's turn is in; the model thinks)
    CONNECTED / PROCESSING --first audio--> SPEAKING                   (the assistant's audio arrives)
    PROCESSING / SPEAKING --tool calls--> PROCESSING                   (the session runs tools; the response continues)
    PROCESSING / SPEAKING --response done--> CONNECTED                 (ready for the next turn)
    PROCESSING / SPEAKING --interrupted--> LISTENING                   (barge-in or interrupt())
    CONNECTED / LISTENING / PROCESSING / SPEAKING --connection lost--> CONNECTING
                                                                       (the session reconnects: see below)
    any but IDLE --closed--> DISCONNECTED                               (a clean disconnect, or a close not retried)
    DISCONNECTED --connect--> CONNECTING                                (a new connection; nothing server-side resumes)

Reconnecting. When the connection ends in a way worth retrying (``pyagent.voice._reconnect``) and the session's
``reconnect`` policy allows it, the session goes back to CONNECTING (``connection lost``) instead of DISCONNECTED. It
opens a new connection, sends its configuration, replays the conversation, and ``opened`` takes it to CONNECTED as
after ``connect()``; when the attempts run out, ``closed`` takes it to DISCONNECTED. Moving to a new connection
before the service's maximum duration (renewal) takes the same path, between turns.

A trigger that has no row for the current state leaves the state as it is: the service may send events the session
does not act on (late audio of a cancelled response while the user talks, a second ``speech_stopped``), and those
must never fail a session. The *calls* a user may make in each state are a second, smaller table: calling
``send_audio`` before ``connect`` is a mistake the user should hear about at once, with the way out named. A call
made while the session is CONNECTING waits for the connection (or raises why it could not be made): a reconnect is
not the caller's mistake.

Nothing here does I/O; :class:`StateMachine` takes triggers in and says which transition happened.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from pyagent.voice.errors import InvalidStateError

__all__ = ["SessionState", "StateMachine", "Trigger"]


class SessionState(enum.Enum):
    """Where a voice session is in its life and in the current turn."""

    IDLE = "idle"
    """Created, never connected."""
    CONNECTING = "connecting"
    """The connection is being opened."""
    CONNECTED = "connected"
    """Open and idle between turns."""
    LISTENING = "listening"
    """The user is speaking."""
    PROCESSING = "processing"
    """The user's turn is committed; the model is working on it (and on its tool calls)."""
    SPEAKING = "speaking"
    """The assistant's audio is arriving."""
    DISCONNECTED = "disconnected"
    """The session ended: closed by the user, the service or the network."""

    def __str__(self) -> str:
        return self.name


class Trigger(enum.Enum):
    """What moves the state machine: the user's connect/disconnect, and the service's events."""

    CONNECT = "connect"
    OPENED = "opened"
    FAILED = "failed"
    SPEECH_STARTED = "speech_started"
    COMMITTED = "committed"
    RESPONSE_CREATED = "response_created"
    AUDIO = "audio"
    TOOL_CALLS = "tool_calls"
    RESPONSE_DONE = "response_done"
    INTERRUPTED = "interrupted"
    CONNECTION_LOST = "connection_lost"
    CLOSED = "closed"


S = SessionState
T = Trigger
_OPEN = (S.CONNECTED, S.LISTENING, S.PROCESSING, S.SPEAKING)

# (state, trigger) -> next state. The one table.
TRANSITIONS: Mapping[tuple[SessionState, Trigger], SessionState] = {
    (S.IDLE, T.CONNECT): S.CONNECTING,
    (S.DISCONNECTED, T.CONNECT): S.CONNECTING,
    (S.CONNECTING, T.OPENED): S.CONNECTED,
    (S.CONNECTING, T.FAILED): S.DISCONNECTED,
    (S.CONNECTED, T.SPEECH_STARTED): S.LISTENING,
    (S.PROCESSING, T.SPEECH_STARTED): S.LISTENING,
    (S.SPEAKING, T.SPEECH_STARTED): S.LISTENING,
    (S.CONNECTED, T.COMMITTED): S.PROCESSING,
    (S.LISTENING, T.COMMITTED): S.PROCESSING,
    (S.CONNECTED, T.RESPONSE_CREATED): S.PROCESSING,
    (S.CONNECTED, T.AUDIO): S.SPEAKING,
    (S.PROCESSING, T.AUDIO): S.SPEAKING,
    (S.PROCESSING, T.TOOL_CALLS): S.PROCESSING,
    (S.SPEAKING, T.TOOL_CALLS): S.PROCESSING,
    (S.PROCESSING, T.RESPONSE_DONE): S.CONNECTED,
    (S.SPEAKING, T.RESPONSE_DONE): S.CONNECTED,
    (S.PROCESSING, T.INTERRUPTED): S.LISTENING,
    (S.SPEAKING, T.INTERRUPTED): S.LISTENING,
    **{(state, T.CONNECTION_LOST): S.CONNECTING for state in _OPEN},
    **{(state, T.CLOSED): S.DISCONNECTED for state in (S.CONNECTING, *_OPEN)},
}

# Public method -> the states in which it may be called.
_OPEN_OR_CONNECTING = frozenset({S.CONNECTING, *_OPEN})
ALLOWED_CALLS: Mapping[str, frozenset[SessionState]] = {
    "connect": frozenset({S.IDLE, S.DISCONNECTED}),
    "send_audio": _OPEN_OR_CONNECTING,
    "receive": _OPEN_OR_CONNECTING,
    "stream_receive": _OPEN_OR_CONNECTING,
    "respond": _OPEN_OR_CONNECTING,
    "listen": _OPEN_OR_CONNECTING,
    "interrupt": _OPEN_OR_CONNECTING,
    "send_text": _OPEN_OR_CONNECTING,
}

_HINTS: Mapping[SessionState, str] = {
    S.IDLE: "call `await session.connect()` (or `async with session.connect():`) first",
    S.CONNECTING: "the session is connecting already; wait for `connect()` to finish",
    S.DISCONNECTED: "the session has ended; connect again with `await session.connect()`",
    S.CONNECTED: "disconnect first with `await session.disconnect()`",
    S.LISTENING: "disconnect first with `await session.disconnect()`",
    S.PROCESSING: "disconnect first with `await session.disconnect()`",
    S.SPEAKING: "disconnect first with `await session.disconnect()`",
}


class StateMachine:
    """The session's state, moved only through :data:`TRANSITIONS`."""

    def __init__(self, state: SessionState = SessionState.IDLE) -> None:
        self._state = state

    @property
    def state(self) -> SessionState:
        """The current state."""
        return self._state

    def apply(self, trigger: Trigger) -> tuple[SessionState, SessionState] | None:
        """Apply a trigger; return ``(old, new)`` when the state changed, None when it stays."""
        new = TRANSITIONS.get((self._state, trigger), self._state)
        if new is self._state:
            return None
        old, self._state = self._state, new
        return old, new

    def check(self, call: str) -> None:
        """Raise :class:`InvalidStateError` when ``call`` is not allowed in the current state.

        Raises:
            InvalidStateError: naming the call, the state and what to do instead.
        """
        allowed = ALLOWED_CALLS.get(call)
        if allowed is None or self._state in allowed:
            return
        raise InvalidStateError(
            f"{call}() is not allowed while the session is {self._state.name}: {_HINTS[self._state]}",
            state=self._state.name,
            call=call,
        )
