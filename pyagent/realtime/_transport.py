"""The transport under :class:`~pyagent.realtime.RealtimeConnection`: websockets' asyncio client, adjusted.

Loaded at the first connection rather than by ``import pyagent.realtime``: websockets (with the ``importlib.metadata``
its version lookup loads, its proxy support and ``ssl``) is most of what that import would otherwise cost, and a
program that only builds or decodes events never needs it. :func:`open_websocket` opens the socket and translates
every failure into :mod:`pyagent.realtime.errors`; the names below are what the connection uses once it is open.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import websockets
import websockets.asyncio.client
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidProxy,
    InvalidStatus,
    InvalidURI,
    ProtocolError,
    WebSocketException,
)
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State
from websockets.uri import WebSocketURI
from websockets.version import version as websockets_version

from pyagent._version import __version__
from pyagent.realtime._redaction import RedactingLogger, redact, redact_url
from pyagent.realtime.dialects import WebsocketURL
from pyagent.realtime.errors import ConfigurationError, ConnectionError, ConnectionTimeout, HandshakeError, TLSError

__all__ = [
    "USER_AGENT",
    "ClientConnection",
    "Close",
    "ConnectionClosed",
    "Protocol",
    "ProtocolError",
    "State",
    "WebSocketException",
    "check_close",
    "open_websocket",
]

USER_AGENT = f"pyagent/{__version__} websockets/{websockets_version}"


class Protocol(websockets.ClientProtocol):
    """The sans-I/O client protocol with ``autoping`` and ``autoclose`` switchable.

    websockets answers pings and close frames inside its protocol core. With ``autoping`` off a ping is only
    recorded; with ``autoclose`` off the server's close frame is held (``held_close``) and what follows it is
    discarded, but no close frame answers it until the application calls ``close()``.
    """

    autoping = True
    autoclose = True
    held_close: Close | None = None

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.PING and not self.autoping:
            self.events.append(frame)
            return
        if frame.opcode is Opcode.CLOSE and not self.autoclose and self.state is State.OPEN:
            if self.current_size is not None:
                raise ProtocolError("incomplete fragmented message")
            self.held_close = Close.parse(frame.data)
            self.parser = self.discard()  # RFC 6455 1.4: data after a close frame is discarded
            next(self.parser)
            self.events.append(frame)
            return
        super().recv_frame(frame)

    def send_close(self, code: int | None = None, reason: str = "") -> None:
        super().send_close(code, reason)
        if self.held_close is not None:  # the close frame sent now answers the one held back
            self.close_rcvd, self.close_rcvd_then_sent = self.held_close, True

    def receive_eof(self) -> None:
        if self.held_close is not None and self.close_rcvd is None:
            self.close_rcvd = self.held_close  # the server gave up waiting for the answer
        super().receive_eof()


class ClientConnection(websockets.asyncio.client.ClientConnection):
    """The asyncio connection, telling a waiting receiver when a close frame was held back (``autoclose`` off)."""

    def __init__(self, protocol: websockets.ClientProtocol, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self.close_arrived = asyncio.Event()

    def process_event(self, event: Any) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.CLOSE and self.protocol.state is State.OPEN:
            self.close_arrived.set()


class Opener(websockets.asyncio.client.connect):
    """websockets' ``connect`` with redirects refused: a 3xx answer is an error, so a credential never follows one."""

    def __init__(self, uri: str, *, autoping: bool, autoclose: bool, **kwargs: Any) -> None:
        kwargs.setdefault("create_connection", ClientConnection)
        super().__init__(uri, **kwargs)
        if not autoping or not autoclose:
            inner = self.factory

            def factory(uri: WebSocketURI) -> websockets.asyncio.client.ClientConnection:
                connection = inner(uri)
                # Swap in the subclass with the switches; it adds no state of its own beyond them.
                connection.protocol.__class__ = Protocol
                protocol = cast(Protocol, connection.protocol)
                protocol.autoping, protocol.autoclose = autoping, autoclose
                return connection

            self.factory = factory

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


def _location_without_secrets(location: str) -> str:
    try:
        parts = urlsplit(location)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError:  # a malformed Location from the server: say so rather than quote it (it may hold a key)
        return "a malformed address"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def tls_error(exc: OSError, host: str) -> TLSError:
    """Say what a failed TLS handshake most often means; OpenSSL's reason codes are terse."""
    if not isinstance(exc, ssl.SSLError):  # reset: a plain HTTP server hanging up on the TLS ClientHello
        return TLSError(
            f"the connection to {host} was reset while opening it over TLS, as a server that speaks plain HTTP "
            "does: if it does, use an http:// or ws:// endpoint for it"
        )
    reason = str(getattr(exc, "reason", "") or "")
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "UNKNOWN_PROTOCOL"):
        return TLSError(
            f"the server at {host} speaks plain HTTP, not TLS: use an http:// or ws:// endpoint for it "
            f"(TLS said {reason})"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TLSError(f"the TLS certificate of {host} does not verify: {exc.verify_message or reason}")
    return TLSError(f"the TLS handshake with {host} failed: {reason or exc}")


def handshake_error(exc: Exception, secrets: Sequence[str]) -> ConnectionError:
    if isinstance(exc, InvalidStatus):
        response = exc.response
        status = response.status_code
        body = redact_url(redact(bytes(response.body or b"")[:2048].decode("utf-8", "replace"), secrets))
        if 300 <= status < 400:
            location = _location_without_secrets(response.headers.get("Location", ""))
            message = f"the server redirected (HTTP {status}) to {location or 'nowhere'}; redirects are refused"
        else:
            message = f"the server refused the WebSocket upgrade: HTTP {status} {response.reason_phrase}".rstrip()
            excerpt = " ".join(body[:200].split())  # one line: an HTML error page's line breaks and indents go
            if excerpt:
                message += f": {excerpt}"
        return HandshakeError(redact_url(redact(message, secrets)), status, body)
    return HandshakeError(redact_url(redact(f"the WebSocket handshake failed: {exc}", secrets)), None, "")


def check_close(code: int, reason: str) -> bool:
    """True when a client may close with this code and reason (RFC 6455 7.4, as websockets checks it)."""
    try:
        Close(code, reason).check()
    except ProtocolError:
        return False
    return True


async def open_websocket(
    url: WebsocketURL,
    *,
    autoping: bool,
    autoclose: bool,
    handshake_timeout: float | None,
    secrets: Sequence[str],
    kwargs: dict[str, Any],
) -> ClientConnection | Exception:
    """Open the socket: the connection, or the typed error to raise (returned, so that the caller raises it outside
    any ``except`` block and websockets' exception, whose repr may hold the URL, a header or the server's answer,
    stays out of ``__context__`` as well as ``__cause__``)."""
    kwargs = {
        "user_agent_header": USER_AGENT,
        "logger": RedactingLogger(logging.getLogger("websockets.client"), secrets),
        # A proxy never helps reach this machine; elsewhere websockets follows the environment's proxy settings.
        "proxy": None if url.loopback else True,
        **kwargs,
    }
    try:
        return cast(ClientConnection, await Opener(url.url, autoping=autoping, autoclose=autoclose, **kwargs))
    except InvalidHandshake as exc:
        return handshake_error(exc, secrets)
    except (InvalidURI, InvalidProxy) as exc:
        return ConfigurationError(redact_url(redact(str(exc), secrets)))
    except TimeoutError:
        return ConnectionTimeout(
            f"opening {url.host} took longer than {handshake_timeout:g} s, the limit set by "
            f'connection_options={{"handshake_timeout": {handshake_timeout!r}}}'
            if handshake_timeout is not None
            else f"opening {url.host} timed out (the network's own limit)"
        )
    except OSError as exc:
        if url.secure and isinstance(exc, ssl.SSLError | ConnectionResetError):
            return tls_error(exc, url.host)
        reason = exc.strerror or type(exc).__name__
        return ConnectionError(redact(f"cannot connect to {url.host}: {reason}", secrets))
