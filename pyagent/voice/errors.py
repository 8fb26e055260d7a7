"""Errors of the voice layer: the session, its agent and its tools.

Errors from the layers below (a closed connection, a refused handshake) reach the user as what they are; the
session adds only the errors that are about turns, states and tools::

    PyagentError
     └── VoiceError                      anything the voice session raises on purpose
          ├── ConfigurationError         no endpoint or credential, or a setting out of range (also a ValueError)
          ├── InvalidStateError          a call the session's current state does not allow (also a RuntimeError)
          ├── SessionClosedError         the connection closed while the session was in use
          ├── ResponseError              the service reported an error or a failed response
          ├── ListenTimeoutError         listen() heard no utterance in time (also a TimeoutError)
          ├── SnapshotError              a session snapshot that cannot be read (also a ValueError)
          └── ToolError                  about an agent's tools
               ├── ToolDefinitionError   a function cannot be described as a tool (also a TypeError)
               └── ToolArgumentsError    the model's arguments do not match the tool's schema (also a ValueError)
"""

from __future__ import annotations

from pyagent.errors import PyagentError

__all__ = [
    "ConfigurationError",
    "InvalidStateError",
    "ListenTimeoutError",
    "ResponseError",
    "SessionClosedError",
    "SnapshotError",
    "ToolArgumentsError",
    "ToolDefinitionError",
    "ToolError",
    "VoiceError",
]


class VoiceError(PyagentError):
    """Base class of the voice session's errors."""


class ConfigurationError(VoiceError, ValueError):
    """The session cannot be set up as asked: no endpoint is configured, or a setting is out of range."""


class InvalidStateError(VoiceError, RuntimeError):
    """A method was called in a state that does not allow it (``send_audio`` before ``connect``).

    Attributes:
        state: the name of the session state at the time of the call.
        call: the method that was refused.
    """

    def __init__(self, message: str, *, state: str = "", call: str = "") -> None:
        super().__init__(message)
        self.state = state
        self.call = call


class SessionClosedError(VoiceError):
    """The connection closed while the session was in use, and the session did not (or could not) reconnect; the
    session is DISCONNECTED.

    Attributes:
        code: the WebSocket close code, when one is known (1006 when the peer dropped); after reconnecting failed,
            the last close's (the attempt that failed is the ``__cause__``).
        reason: the close reason the peer sent, if any.
        service_error: the ``error`` event the service sent to explain the close (OpenAI sends
            ``session_expired`` before it closes a session at its maximum duration), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        reason: str = "",
        service_error: ResponseError | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.service_error = service_error


class ResponseError(VoiceError):
    """The service reported an error (an ``error`` event) or a response that failed.

    Attributes:
        code: the service's error code (``"invalid_value"``, ...), or ``""``.
        error_type: the service's error type (``"invalid_request_error"``, ...), or ``""``.
    """

    def __init__(self, message: str, *, code: str = "", error_type: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.error_type = error_type


class ListenTimeoutError(VoiceError, TimeoutError):
    """``listen(timeout=...)`` heard no complete utterance before the timeout."""


class SnapshotError(VoiceError, ValueError):
    """A session snapshot cannot be read: not JSON, not a snapshot, a field of the wrong type, or a version newer
    than this pyagent reads."""


class ToolError(VoiceError):
    """Base class of errors about an agent's tools."""


class ToolDefinitionError(ToolError, TypeError):
    """A function cannot be described as a tool (a parameter without a type hint the schema can express, ...)."""


class ToolArgumentsError(ToolError, ValueError):
    """The arguments the model sent do not match the tool's schema; the message says which and why.

    Attributes:
        tool: the tool's name.
    """

    def __init__(self, message: str, *, tool: str = "") -> None:
        super().__init__(message)
        self.tool = tool
