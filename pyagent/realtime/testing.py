"""A scripted realtime server for tests: real WebSockets on 127.0.0.1, no mocks.

:class:`ScriptedServer` listens on a free loopback port, records every handshake (path, query, headers) and every
event a client sends, and plays a script to each connection: events to send, client events to wait for, pauses,
and the ways servers fail (a close with any code and reason, a dropped TCP connection, a stall past the client's
heartbeat, a flood, an HTTP status instead of the upgrade)::

    script = [Send({"type": "session.created", "event_id": "e1", "session": {}}), Expect("session.update"),
              Close(1011, "server error")]
    async with ScriptedServer(script) as server:
        async with connect(endpoint=server.endpoint, credential="key", dialect="voicelive") as conn:
            ...
        assert server.handshakes[0].path == "/voice-live/realtime"

Recorded sessions (``fixtures/sessions/*.jsonl``, the format ``pyagent serve --record`` writes) replay with
:meth:`ScriptedServer.from_session`: each server event is sent once the client events recorded before it arrived.

The server reads and writes JSON with the standard library, not pyagent's codec: a test oracle must not share the
code it checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import pathlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import websockets
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from pyagent.realtime._redaction import HIDDEN, SECRET_NAMES, RedactingLogger, secret_forms, secrets_in

__all__ = [
    "Close",
    "Drop",
    "Expect",
    "Flood",
    "Handshake",
    "Reject",
    "ScriptedPeer",
    "ScriptedServer",
    "Send",
    "Sleep",
    "Stall",
    "Step",
    "load_session",
]

_log = logging.getLogger("pyagent.realtime.testing")


def _secrets_of(handshake: Handshake) -> list[str]:
    """The credentials a handshake carried (``Bearer T`` gives ``T`` too)."""
    return [*secrets_in(handshake.headers), *secrets_in(handshake.query)]


@dataclass(frozen=True, slots=True)
class Handshake:
    """One opening handshake as the server saw it.

    Attributes:
        path: the request path without the query (``/voice-live/realtime``).
        query: the query parameters (last value wins).
        headers: the request headers, names lowercased.
    """

    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        headers = {name: (HIDDEN if name in SECRET_NAMES else value) for name, value in self.headers.items()}
        query = {name: (HIDDEN if name.lower() in SECRET_NAMES else value) for name, value in self.query.items()}
        return f"Handshake(path={self.path!r}, query={query!r}, headers={headers!r})"


@dataclass(frozen=True, slots=True)
class Send:
    """Send one event: a mapping goes as JSON, a str as the frame text exactly (for malformed frames)."""

    event: Mapping[str, Any] | str


@dataclass(frozen=True, slots=True)
class Expect:
    """Wait until the client has sent ``count`` more events of ``type`` (any type when None) on this connection."""

    type: str | None = None
    count: int = 1
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause the script."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Close:
    """Close with this code and reason (the closing handshake completes normally)."""

    code: int = 1000
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Drop:
    """Drop the TCP connection with no close frame (the client sees 1006)."""


@dataclass(frozen=True, slots=True)
class Stall:
    """Stop reading for ``seconds``: no events are read and no pings answered, as a hung server behaves."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Flood:
    """Send ``count`` copies of an event as fast as the socket takes them (``ScriptedServer.sent`` counts them)."""

    event: Mapping[str, Any] | str
    count: int


@dataclass(frozen=True, slots=True)
class Reject:
    """Answer the opening handshake with an HTTP status instead of the upgrade (``location`` for a redirect)."""

    status: int
    body: str = ""
    location: str | None = None


Step = Send | Expect | Sleep | Close | Drop | Stall | Flood
Handler = Callable[["ScriptedPeer"], Awaitable[None]]


def load_session(path: str | pathlib.Path, *, timing: bool = False) -> list[Step]:
    """The script that replays a recorded JSONL session (see the contract's section 6).

    Args:
        path: the ``.jsonl`` file.
        timing: keep the recorded pauses between server events (off: as fast as the client goes).
    """
    steps: list[Step] = []
    last_t = 0.0
    for number, line in enumerate(pathlib.Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        direction = record.get("dir")
        if direction == "meta":
            continue
        event = record.get("event")
        if not isinstance(event, dict):
            raise ValueError(f"{path}:{number}: a {direction} line without an event object")
        if direction == "client":
            steps.append(Expect(str(event.get("type"))))
        elif direction == "server":
            t = float(record.get("t", last_t))
            if timing and t > last_t:
                steps.append(Sleep(t - last_t))
            last_t = max(last_t, t)
            steps.append(Send(event))
        else:
            raise ValueError(f"{path}:{number}: unknown dir {direction!r}")
    return steps


class ScriptedPeer:
    """The server's side of one connection, for scripts and custom handlers."""

    def __init__(self, server: ScriptedServer, websocket: ServerConnection, handshake: Handshake) -> None:
        self.server = server
        self.websocket = websocket
        self.handshake = handshake
        self.received: list[Any] = []
        self._changed = asyncio.Condition()
        self._consumed: dict[str | None, int] = {}
        self._reader_paused = asyncio.Event()
        self._reader_paused.set()
        self._closed = asyncio.Event()

    async def send(self, event: Mapping[str, Any] | str) -> None:
        """Send one event (a mapping as JSON, a str as is)."""
        text = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
        await self.websocket.send(text)
        self.server.sent += 1

    async def expect(self, type_: str | None = None, count: int = 1, within: float = 10.0) -> list[Any]:
        """Wait for ``count`` more client events of ``type_`` (any when None); returns them."""
        async with asyncio.timeout(within), self._changed:
            while True:
                matching = [e for e in self.received if type_ is None or _event_type(e) == type_]
                start = self._consumed.get(type_, 0)
                if len(matching) >= start + count:
                    self._consumed[type_] = start + count
                    return matching[start : start + count]
                if self._closed.is_set():
                    raise ConnectionResetError(f"the client left before sending {type_ or 'an event'}")
                await self._changed.wait()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with this code and reason."""
        await self.websocket.close(code, reason)

    def drop(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.websocket.transport.abort()

    async def stall(self, seconds: float) -> None:
        """Stop reading from the socket for ``seconds`` (pings go unanswered)."""
        self.websocket.transport.pause_reading()
        try:
            await asyncio.sleep(seconds)
        finally:
            if not self.websocket.transport.is_closing():
                self.websocket.transport.resume_reading()

    async def run(self, steps: Iterable[Step]) -> None:
        """Play a script."""
        for step in steps:
            if isinstance(step, Send):
                await self.send(step.event)
            elif isinstance(step, Expect):
                await self.expect(step.type, step.count, step.timeout)
            elif isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Close):
                await self.close(step.code, step.reason)
            elif isinstance(step, Drop):
                self.drop()
            elif isinstance(step, Stall):
                await self.stall(step.seconds)
            elif isinstance(step, Flood):
                text = step.event if isinstance(step.event, str) else json.dumps(step.event, separators=(",", ":"))
                for _ in range(step.count):
                    await self.send(text)
            else:
                raise TypeError(f"not a script step: {step!r}")

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.websocket:
                self.server.received_count += 1
                if not self.server.record:
                    continue
                try:
                    event: Any = json.loads(message)
                except ValueError:
                    event = message
                self.received.append(event)
                self.server.received.append(event)
                async with self._changed:
                    self._changed.notify_all()
        self._closed.set()
        async with self._changed:
            self._changed.notify_all()


def _event_type(event: Any) -> str | None:
    return event.get("type") if isinstance(event, dict) else None


class ScriptedServer:
    """A realtime server on 127.0.0.1 (a free port) that plays a script to every connection and records all.

    Args:
        script: the steps each connection gets, or an async function taking a :class:`ScriptedPeer`.
        reject: answer every handshake with this HTTP status instead (401, 403, 404, a 302 with a location), as a
            :class:`Reject` or the status alone.
        max_size: the largest message the server accepts (None: no limit, so tests see what the client sends).
        record: keep every received event (off for load tests: events are then only counted, unread).

    Attributes:
        handshakes: every handshake, in order.
        received: every event any client sent, JSON-decoded (a frame that is not JSON is kept as its text).
        peers: the server side of each connection, in order.
        sent: how many events the server has sent, all connections together.
        errors: exceptions a script raised (a failing script must fail the test, not vanish).
        received_count: how many messages arrived, all connections together (counted even when not recorded).
    """

    def __init__(
        self,
        script: Sequence[Step] | Handler = (),
        *,
        reject: Reject | int | None = None,
        max_size: int | None = None,
        record: bool = True,
    ) -> None:
        self.script = script
        self.record = record
        self.received_count = 0
        self.reject = Reject(reject) if isinstance(reject, int) else reject
        self.max_size = max_size
        self.handshakes: list[Handshake] = []
        self.received: list[Any] = []
        self.peers: list[ScriptedPeer] = []
        self.sent = 0
        self.errors: list[BaseException] = []
        self._server: Server | None = None
        self._connected = asyncio.Event()
        self._pending: dict[ServerConnection, Handshake] = {}
        self._secrets: list[str] = []

    @classmethod
    def from_session(cls, path: str | pathlib.Path, *, timing: bool = False) -> ScriptedServer:
        """A server that replays a recorded JSONL session (``fixtures/sessions/*.jsonl``) to each connection."""
        return cls(load_session(path, timing=timing))

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening."""
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            max_size=self.max_size,
            compression=None,
            ping_interval=None,
            logger=RedactingLogger(logging.getLogger("websockets.server"), self._secrets),
        )

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> ScriptedServer:
        """Start listening; leaving the block closes every connection and waits for their scripts to end."""
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The port listened on."""
        if self._server is None:
            raise RuntimeError("the server is not started")
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``, the base URL ``connect(endpoint=...)`` takes for any dialect."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:PORT``."""
        return f"ws://127.0.0.1:{self.port}"

    # -- helpers for tests -------------------------------------------------------------------------------------------

    async def wait_connected(self, count: int = 1, within: float = 10.0) -> ScriptedPeer:
        """Wait until ``count`` connections were accepted; returns the last."""
        async with asyncio.timeout(within):
            while len(self.peers) < count:
                self._connected.clear()
                await self._connected.wait()
        return self.peers[count - 1]

    async def send(self, event: Mapping[str, Any] | str) -> None:
        """Send an event on the latest connection, outside any script."""
        await (await self.wait_connected()).send(event)

    def received_types(self) -> list[str | None]:
        """The ``type`` of every received event, in order."""
        return [_event_type(event) for event in self.received]

    # -- internals ---------------------------------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        handshake = Handshake(
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in request.headers.raw_items()},
        )
        self.handshakes.append(handshake)
        self._secrets.extend(form for form in secret_forms(_secrets_of(handshake)) if form not in self._secrets)
        self._pending[connection] = handshake
        if self.reject is None:
            return None
        response = connection.respond(self.reject.status, self.reject.body)
        if self.reject.location is not None:
            response.headers["Location"] = self.reject.location
        return response

    async def _handle(self, websocket: ServerConnection) -> None:
        peer = ScriptedPeer(self, websocket, self._pending.pop(websocket))
        self.peers.append(peer)
        self._connected.set()
        reader = asyncio.create_task(peer._read())
        try:
            if callable(self.script):
                await self.script(peer)
            else:
                await peer.run(self.script)
            await reader
        except (websockets.ConnectionClosed, ConnectionResetError):
            pass
        except Exception as exc:
            _log.exception("script failed")
            self.errors.append(exc)
            await websocket.close(1011, "script failed")
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
