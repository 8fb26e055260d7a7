"""The carrier's WebSocket, whatever server accepted it: websockets' connection or an ASGI one (Starlette, FastAPI).

The bridge needs four things of a socket: receive a frame (None once it is closed), send a text frame, close, and the
request's headers. :func:`carrier_socket` wraps what it is given:

* websockets' server connection (``websockets.asyncio.server.ServerConnection``, or any object with ``recv`` and
  ``send``): closed means :class:`websockets.exceptions.ConnectionClosed`.
* an ASGI WebSocket with ``receive``, ``send_text`` and ``accept`` (Starlette's and so FastAPI's ``WebSocket``): it is
  accepted if the application has not done so yet; closed means a ``websocket.disconnect`` message, or the error
  the framework raises when sending on a socket the client left.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from websockets.exceptions import ConnectionClosed

from pyagent.telephony.errors import CarrierClosedError, UnsupportedSocketError

__all__ = ["CarrierSocket", "carrier_socket"]

logger = logging.getLogger("pyagent.telephony")

# What ASGI servers raise when the client has gone (Starlette's WebSocketDisconnect, uvicorn's ClientDisconnected),
# named rather than imported: the bridge does not depend on them.
_DISCONNECT_ERRORS = frozenset({"WebSocketDisconnect", "ClientDisconnected"})


class CarrierSocket(Protocol):
    """The carrier's side of the call, as the bridge uses it."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The WebSocket request's headers (empty when the server does not tell)."""
        ...

    async def receive(self) -> str | bytes | None:
        """The next frame; None once the socket is closed."""
        ...

    async def send(self, text: str) -> None:
        """Send a text frame. Raises CarrierClosedError when the socket is closed."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close the socket (nothing happens when it already is)."""
        ...


class _WebsocketsSocket:
    """websockets' connection (the asyncio server's, or the legacy one)."""

    def __init__(self, websocket: Any) -> None:
        self._ws = websocket
        request = getattr(websocket, "request", None)
        headers = getattr(request, "headers", None) or getattr(websocket, "request_headers", None) or {}
        self.headers: Mapping[str, str] = {str(k): str(v) for k, v in headers.items()}

    async def receive(self) -> str | bytes | None:
        try:
            frame: str | bytes = await self._ws.recv()
        except ConnectionClosed:
            return None
        return frame

    async def send(self, text: str) -> None:
        try:
            await self._ws.send(text)
        except ConnectionClosed as exc:
            raise CarrierClosedError("the carrier closed the stream") from exc

    async def close(self, code: int = 1000) -> None:
        await self._ws.close(code)


class _AsgiSocket:
    """An ASGI WebSocket: Starlette's, FastAPI's."""

    def __init__(self, websocket: Any) -> None:
        self._ws = websocket
        headers = getattr(websocket, "headers", None) or {}
        self.headers = {str(k): str(v) for k, v in headers.items()}
        self._closed = False

    async def accept(self) -> None:
        state = getattr(getattr(self._ws, "application_state", None), "name", "")
        if state == "CONNECTING":
            await self._ws.accept()

    async def receive(self) -> str | bytes | None:
        if self._closed:
            return None
        try:
            message = await self._ws.receive()
        except Exception as exc:
            if _is_disconnect(exc):
                self._closed = True
                return None
            raise
        if message.get("type") == "websocket.disconnect":
            self._closed = True
            return None
        text = message.get("text")
        if text is not None:
            return str(text)
        data = message.get("bytes")
        return bytes(data) if data is not None else b""

    async def send(self, text: str) -> None:
        if self._closed:
            raise CarrierClosedError("the carrier closed the stream")
        try:
            await self._ws.send_text(text)
        except Exception as exc:
            if _is_disconnect(exc):
                self._closed = True
                raise CarrierClosedError("the carrier closed the stream") from exc
            raise

    async def close(self, code: int = 1000) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._ws.close(code)
        except Exception as exc:
            if not _is_disconnect(exc):
                raise
            logger.debug("the carrier's socket was already closed: %s", exc)


def _is_disconnect(exc: BaseException) -> bool:
    """True for what an ASGI stack raises on a socket the client left, or one already closed."""
    if type(exc).__name__ in _DISCONNECT_ERRORS or isinstance(exc, ConnectionError):
        return True
    # Starlette raises RuntimeError for a receive or send after the close ("... after sending 'websocket.close'").
    return isinstance(exc, RuntimeError) and ("close" in str(exc) or "not connected" in str(exc))


async def carrier_socket(websocket: Any) -> CarrierSocket:
    """The bridge's view of a WebSocket from any of the servers above (an ASGI one is accepted if it is not yet).

    Raises:
        UnsupportedSocketError: the object is neither kind.
    """
    if hasattr(websocket, "receive") and hasattr(websocket, "send_text") and hasattr(websocket, "accept"):
        asgi = _AsgiSocket(websocket)
        await asgi.accept()
        return asgi
    if hasattr(websocket, "recv") and hasattr(websocket, "send"):
        return _WebsocketsSocket(websocket)
    raise UnsupportedSocketError(
        f"{type(websocket).__name__} is not a WebSocket the bridge can use: give websockets' server connection or an "
        "ASGI WebSocket (Starlette, FastAPI)"
    )
