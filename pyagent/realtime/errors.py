"""Errors of the protocol layer: the codec and the connection.

Third-party errors (websockets, msgspec) are translated here, at the boundary, and never reach the user::

    PyagentError
     └── RealtimeError                       anything the protocol layer raises on purpose
          ├── ConfigurationError             an argument connect() or a constructor cannot use: a malformed
          │    │                             endpoint, an unknown dialect, an option out of range (also a
          │    │                             ValueError and a pyagent.ConfigurationError)
          │    └── ConfigurationTypeError    an argument of the wrong kind: a credential that is no key, token or
          │                                  token provider, an unknown keyword (also a TypeError)
          ├── CodecError                     an event could not be read or written
          │    ├── EventDecodeError          an incoming frame is not a JSON object
          │    ├── EventValidationError      an outgoing event of a known type does not fit its schema
          │    └── FieldNotSetError          ``event["name"]`` for a field the event does not carry (also a KeyError)
          ├── MissingDependencyError         a feature needs a package that is not installed (also an ImportError)
          └── ConnectionError                anything about the WebSocket connection
               ├── HandshakeError            the server refused the upgrade (HTTP status and body kept)
               ├── TLSError                  the TLS handshake failed (a wss:// endpoint that speaks plain HTTP,
               │                             a certificate that does not verify)
               ├── ConnectionTimeout         opening, receiving or closing took too long
               ├── InsecureTransportError    a credential would travel over plaintext ws:// to a remote host
               ├── ConcurrencyError          two tasks received at once, or one connect() was opened twice
               └── ConnectionClosed          the connection is closed (close code and reason kept)
                    └── KeepaliveTimeout     the server stopped answering pings (1006; also a ConnectionTimeout)
"""

from __future__ import annotations

import builtins

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import ConfigurationTypeError as _ConfigurationTypeError
from pyagent.errors import PyagentError

__all__ = [
    "CodecError",
    "ConcurrencyError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "ConnectionClosed",
    "ConnectionError",
    "ConnectionTimeout",
    "EventDecodeError",
    "EventValidationError",
    "FieldNotSetError",
    "HandshakeError",
    "InsecureTransportError",
    "KeepaliveTimeout",
    "MissingDependencyError",
    "RealtimeError",
    "TLSError",
]


class RealtimeError(PyagentError):
    """Base class of the protocol layer's errors."""


class ConfigurationError(RealtimeError, _ConfigurationError):
    """An argument the protocol layer cannot use; raised before any socket opens (also a ``ValueError``)."""


class ConfigurationTypeError(ConfigurationError, _ConfigurationTypeError):
    """An argument of a kind the protocol layer cannot use (also a ``TypeError``)."""


class CodecError(RealtimeError):
    """An event could not be decoded or encoded."""


class EventDecodeError(CodecError):
    """An incoming frame is not JSON, or not a JSON object; no event can be made of it.

    Attributes:
        data: the frame as received, so nothing is lost.
    """

    def __init__(self, message: str, data: str | bytes | bytearray | memoryview) -> None:
        super().__init__(message)
        self.data = data


class EventValidationError(CodecError):
    """An outgoing event of a known type does not fit its schema; nothing was sent.

    Attributes:
        event_type: the event's ``type``.
        path: where the fault is, as ``$.field.subfield``.
    """

    def __init__(self, message: str, event_type: str, path: str = "$") -> None:
        super().__init__(message)
        self.event_type = event_type
        self.path = path


class FieldNotSetError(CodecError, KeyError):
    """``event["name"]`` named a field the event (or nested model) does not carry: absent on the wire, or left unset.

    It is a :class:`KeyError`, so mapping-style code (``try: event[key] except KeyError``) works unchanged.

    Attributes:
        key: the wire name that was asked for.
    """

    def __init__(self, key: str, owner: str) -> None:
        super().__init__(f"{owner} has no field {key!r} set")
        self.key = key

    def __str__(self) -> str:  # KeyError's own str() would quote the whole message
        return str(self.args[0])


class MissingDependencyError(RealtimeError, ImportError):
    """A feature needs a package that is not installed; the message names what to install (``pip install ...``)."""


class ConnectionError(
    RealtimeError, builtins.ConnectionError
):  # the spec names it so; it also is a builtins.ConnectionError
    """Base class of WebSocket connection errors (``azure.ai.voicelive.aio.ConnectionError``'s counterpart)."""


class HandshakeError(ConnectionError):
    """The server refused the WebSocket upgrade.

    Attributes:
        status: the HTTP status (401, 403, 404, ...), or None when no HTTP answer came.
        body: the start of the HTTP body, which usually says why.
    """

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TLSError(ConnectionError):
    """The TLS handshake failed: the server speaks plain HTTP on a ``wss://``/``https://`` endpoint, or its
    certificate does not verify. The message says which."""


class ConnectionTimeout(ConnectionError, TimeoutError):
    """Opening, receiving on or closing the connection took longer than allowed."""


class InsecureTransportError(ConnectionError):
    """A credential would be sent over plaintext ``ws://`` to a host that is not loopback."""


class ConnectionClosed(ConnectionError):
    """The connection is closed; ``code`` and ``reason`` are the ones the peer sent (1006 when it dropped)."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"connection closed: {code} {reason}".rstrip())
        self.code = code
        self.reason = reason


class ConcurrencyError(ConnectionError, RuntimeError):
    """A connection used twice where once is all it can be: two tasks receiving at once (events go to one reader, so
    the second is refused), or the same ``connect()`` opened a second time (call ``connect()`` again instead)."""


class KeepaliveTimeout(ConnectionClosed, ConnectionTimeout):
    """The server stopped answering pings within ``heartbeat`` seconds; the connection is closed as 1006."""
