"""A local realtime-compatible server: every dialect on its real path, real VAD, offline speech, pluggable brain."""

from __future__ import annotations

from pyagent.server._responder import EchoResponder, Reply, Responder, ResponderContext, ToolCall
from pyagent.server._server import LocalServer
from pyagent.server._speech import SpeechMode
from pyagent.server.errors import ServerError, ServerNotRunningError, SpeechUnavailableError

__all__ = [
    "EchoResponder",
    "LocalServer",
    "Reply",
    "Responder",
    "ResponderContext",
    "ServerError",
    "ServerNotRunningError",
    "SpeechMode",
    "SpeechUnavailableError",
    "ToolCall",
]
