"""Errors of the voice layer: the session, its agent and its tools.

Errors from the layers below (a closed connection, a refused handshake) reach the user as what they are; the
session adds only the errors that are about turns, states and tools::

    PyagentError
     └── VoiceError                      anything the voice session raises on purpose
          ├── ConfigurationError         no endpoint or credential, or a setting out of range (also a ValueError
          │    │                         and a pyagent.ConfigurationError)
          │    └── ConfigurationTypeError  a setting of the wrong kind (also a TypeError)
          ├── InvalidStateError          a call the session's current state does not allow (also a RuntimeError)
          ├── SessionClosedError         the connection closed while the session was in use
          ├── ResponseError              the service reported an error or a failed response
          ├── ListenTimeoutError         listen() heard no utterance in time (also a TimeoutError)
          ├── SnapshotError              a session snapshot that cannot be read (also a ValueError)
          └── ToolError                  about an agent's tools
               ├── ToolDefinitionError   a function cannot be described as a tool (also a TypeError)
               └── ToolArgumentsError    the model's arguments do not match the tool's schema (also a ValueError)

    UserWarning
     └── ToolDefinitionWarning           a tool the model may misuse: a parameter without a type hint, no
                                         docstring (a warning at definition time, not an error)

A tool raises :class:`ToolError` itself to tell the model a message of its choosing ("no forecast for that city"):
that message is what the model reads, and the session logs it at INFO, not as a failure.
"""

from __future__ import annotations

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import ConfigurationTypeError as _ConfigurationTypeError
from pyagent.errors import PyagentError

__all__ = [
    "ConfigurationError",
    "ConfigurationTypeError",
    "InvalidStateError",
    "ListenTimeoutError",
    "ResponseError",
    "SessionClosedError",
    "SnapshotError",
    "ToolArgumentsError",
    "ToolDefinitionError",
    "ToolDefinitionWarning",
    "ToolError",
    "VoiceError",
]


class VoiceError(PyagentError):
    """Base class of the voice session's errors."""


class ConfigurationError(VoiceError, _ConfigurationError):
    """The session cannot be set up as asked: no endpoint is configured, or a setting is out of range."""


class ConfigurationTypeError(ConfigurationError, _ConfigurationTypeError):
    """A session, agent or tool setting of the wrong kind (a number where a model name goes)."""


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
    """About an agent's tools; raised by a tool itself, its message is what the model is told.

    ``raise ToolError("no forecast for Atlantis")`` inside a tool sends ``{"error": "no forecast for Atlantis"}`` as
    the call's output, logged at INFO: an answer the tool chose, not a failure.
    """


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


class ToolDefinitionWarning(UserWarning):
    """A tool the model may call wrongly: a parameter without a type hint (described as a string) or a function
    without a docstring (the model gets no description). Warned once, when the tool is defined."""
