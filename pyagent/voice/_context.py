"""The session a tool runs for, reachable from inside the tool without passing it through the model's arguments.

A tool is a plain function whose parameters are what the model fills in; what the application knows about the
conversation (a phone call's ids, a user's account) lives in :attr:`VoiceSession.context`, and the tool reaches it
through :func:`current_session`. The session sets the variable in the task that runs its tools, so it is never seen
outside a tool call (asyncio copies context variables into each task).
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

from pyagent.voice.errors import InvalidStateError

if TYPE_CHECKING:
    from pyagent.voice.session import VoiceSession

__all__ = ["current_session", "running_tools_for"]

_CURRENT: contextvars.ContextVar[VoiceSession] = contextvars.ContextVar("pyagent_voice_session")


def current_session() -> VoiceSession:
    """The :class:`~pyagent.voice.VoiceSession` whose tool call is running: call it from inside a tool.

    Raises:
        InvalidStateError: called outside a tool call.
    """
    try:
        return _CURRENT.get()
    except LookupError:
        raise InvalidStateError(
            "current_session() is for a tool the session is running", call="current_session"
        ) from None


def running_tools_for(session: VoiceSession) -> None:
    """Mark the current task as running ``session``'s tools (the session calls it in the task it spawns)."""
    _CURRENT.set(session)
