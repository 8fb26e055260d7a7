"""The realtime connection: ``connect()`` and :class:`RealtimeConnection`, on the websockets asyncio client.

Theory of operation. ``connect()`` resolves everything that can fail without a network first (the dialect, the URL,
the credential, the plaintext check), then opens the socket with redirects refused. The connection moves bytes:
outgoing events are encoded by the codec and written under one lock, so events from many tasks never interleave
(a split ``append`` stays contiguous); incoming frames are read by whoever calls :meth:`RealtimeConnection.recv`
(one reader at a time) and decoded by the codec. Backpressure comes from websockets: at most ``max_queue`` messages
wait in memory, then reading from the socket pauses until the consumer catches up. Every websockets, msgspec and
OSError exception is translated here into :mod:`pyagent.realtime.errors`, and raised outside the ``except`` block
that caught it, so that neither ``__cause__`` nor ``__context__`` carries the library's exception (whose message or
``repr`` may quote a URL, a header or a close reason holding a secret).

Secrets. A connection knows every credential it sent: the key or token, and any key or token given in the endpoint
(``?api-key=``, ``https://user:KEY@host``), in ``headers=`` or in ``query=``. Each is hidden, in all its forms
(URL-quoted, base64, JSON-escaped), from its log lines, reprs and error messages, and from every frame it receives
before the frame is decoded: a service that echoes the key ("Incorrect API key provided: ...") hands the layers above
an event that no longer holds it. :meth:`RealtimeConnection.redact` gives those layers the same redaction for what
they log and raise.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import AsyncIterator, Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from pyagent.realtime import _observer
from pyagent.realtime._credentials import Secret, check_credential, check_scopes, resolve_credential
from pyagent.realtime._options import WebsocketConnectionOptions, coerce_options
from pyagent.realtime._redaction import (
    frame_forms,
    redact,
    redact_frame,
    redact_url,
    secret_forms,
    secrets_in,
)
from pyagent.realtime._resources import (
    ConversationResource,
    InputAudioBufferResource,
    InputAudioResource,
    InputTextResource,
    OutputAudioBufferResource,
    ResponseResource,
    SessionResource,
    TranscriptionSessionResource,
)
from pyagent.realtime.codec import decode_server_event, encode_client_event
from pyagent.realtime.dialects import (
    AGENT_QUERY_PARAMS,
    OPENAI_DEFAULT_ENDPOINT,
    Dialect,
    check_endpoint,
    resolve_dialect,
)
from pyagent.realtime.errors import (
    ConcurrencyError,
    ConfigurationError,
    ConfigurationTypeError,
    ConnectionClosed,
    ConnectionError,
    ConnectionTimeout,
    InsecureTransportError,
    KeepaliveTimeout,
)
from pyagent.realtime.events import ClientEvent, ServerEvent

if TYPE_CHECKING:  # imported at the first connection, not with pyagent.realtime (see _transport)
    from pyagent.realtime import _transport

__all__ = ["RealtimeConnection", "VoiceLiveConnection", "connect"]

_log = logging.getLogger("pyagent.realtime")
_KEEPALIVE_REASON = "keepalive ping timeout"
_QUIET_CODES = frozenset({1000, 1005})


class RealtimeConnection:
    """One realtime session over WebSocket: send typed events, receive typed events.

    Get one from :func:`connect`. Closed connections are never reopened; open a new one (and send the session
    configuration again) to continue.

    Attributes:
        session: ``session.update`` (and Voice Live's ``session.avatar.connect``).
        response: ``response.create`` / ``response.cancel``.
        input_audio_buffer: ``input_audio_buffer.append`` / ``commit`` / ``clear``.
        output_audio_buffer: ``output_audio_buffer.clear``.
        conversation: ``conversation.item.create`` / ``delete`` / ``retrieve`` / ``truncate``.
        transcription_session: ``transcription_session.update`` (``session.update`` of type transcription on GA).
        input_audio: Voice Live's ``input_audio.turn.*`` and ``input_audio.clear``.
        input_text: Voice Live's ``input_text.delta`` / ``input_text.done``.
    """

    def __init__(
        self,
        websocket: _transport.ClientConnection,
        *,
        dialect: Dialect,
        url: str,
        options: WebsocketConnectionOptions,
        secrets: Sequence[str] = (),
        watch: _observer.ConnectionWatch | None = None,
    ) -> None:
        from pyagent.realtime import _transport  # loaded already: the connection was opened through it

        self._ws = websocket
        # websockets' names this connection tests against, kept here: pyagent.realtime is imported without websockets.
        self._ws_closed = _transport.ConnectionClosed
        self._ws_failure = _transport.WebSocketException
        self._ws_open, self._ws_done = _transport.State.OPEN, _transport.State.CLOSED
        self._check_close = _transport.check_close
        self._watch = watch  # an observer's (pyagent.telemetry), or None: the hot path pays one test
        self._dialect = dialect
        self._secrets = secret_forms(secrets)
        self._frame_secrets = frame_forms(self._secrets)
        self._url = self.redact(url)
        self._options = options
        self._send_lock = asyncio.Lock()
        self._receiving = False
        self._close_requested = False
        self._stashed: list[bytes] = []
        self.session = SessionResource(self)
        self.response = ResponseResource(self)
        self.input_audio_buffer = InputAudioBufferResource(self)
        self.output_audio_buffer = OutputAudioBufferResource(self)
        self.conversation = ConversationResource(self)
        self.transcription_session = TranscriptionSessionResource(self)
        self.input_audio = InputAudioResource(self)
        self.input_text = InputTextResource(self)

    # -- properties --------------------------------------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect:
        """The dialect this connection speaks."""
        return self._dialect

    @property
    def url(self) -> str:
        """The URL connected to, any credential it carried (``?api-key=``, user information) shown as ``***``."""
        return self._url

    @property
    def options(self) -> WebsocketConnectionOptions:
        """The transport options in force."""
        return self._options

    @property
    def closed(self) -> bool:
        """True once closing has begun, by either side (with ``autoclose`` off: once the server's close arrived)."""
        return self._ws.state is not self._ws_open or self._ws.close_arrived.is_set()

    @property
    def close_code(self) -> int | None:
        """The close code the server sent (1006 when the connection dropped), None while open."""
        if self._ws.state is not self._ws_done:
            return None
        return self._ws.close_code if self._ws.protocol.close_rcvd is not None else 1006

    @property
    def close_reason(self) -> str | None:
        """The close reason the server sent, None while open."""
        if self._ws.state is not self._ws_done:
            return None
        return self._ws.close_reason if self._ws.protocol.close_rcvd is not None else ""

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<RealtimeConnection {self._dialect.name} {self._url} {state}>"

    def redact(self, text: str) -> str:
        """``text`` with this connection's secrets hidden: what the layers above log or raise goes through here.

        Every credential the connection sent (the key or token, a key in the endpoint, ``headers=`` or ``query=``),
        in every form it may take in text (as is, URL-quoted, base64, JSON-escaped), becomes ``***``; so do the user
        information and the secret-named query values of any URL in ``text``. Events received on this connection are
        already free of these secrets; text from elsewhere (an exception's message, a tool's output, a service's
        words copied before this connection existed) is not, which is what this method is for.
        """
        return redact_url(redact(text, self._secrets))

    # -- sending -----------------------------------------------------------------------------------------------------

    async def send(self, event: ClientEvent | Mapping[str, Any]) -> None:
        """Send one event, a typed Struct or a plain mapping, validated by the codec first.

        Raises:
            EventValidationError: a known event that does not fit its schema; nothing was sent.
            ConnectionClosed: the connection is closed.
        """
        frame = encode_client_event(event)
        if self._send_lock.locked():
            await self.send_encoded((frame,))  # after the batch being sent: none of its events is cut off
        else:
            # One frame, and no batch halfway through: websockets writes a whole message before it awaits, so the
            # lock would guard nothing (a lock round trip and a coroutine fewer for every audio chunk).
            failure: ConnectionClosed | None = None
            try:
                await self._ws.send(frame, text=True)
            except self._ws_closed as exc:
                failure = self._closed_error(exc)
            if failure is not None:
                raise failure  # outside the except block: websockets' exception stays out of __context__
        if self._watch is not None:
            kind = event.get("type") if isinstance(event, Mapping) else getattr(event, "type", None)
            self._watch.sent(kind if isinstance(kind, str) else "")

    async def send_encoded(self, frames: Iterable[bytes]) -> None:
        """Send already encoded events back to back, with no other task's event between them.

        Raises:
            ConnectionClosed: the connection is closed.
        """
        failure: ConnectionClosed | None = None
        async with self._send_lock:
            try:
                for frame in frames:
                    await self._ws.send(frame, text=True)
            except self._ws_closed as exc:
                failure = self._closed_error(exc)
        if failure is not None:
            raise failure  # outside the except block: websockets' exception stays out of __context__

    # -- receiving ---------------------------------------------------------------------------------------------------

    async def recv_bytes(self) -> bytes:
        """The next message as the server sent it (UTF-8 JSON for events), with this connection's secrets hidden.

        A credential the connection sent that comes back inside a message (a service quoting the key it refused) is
        replaced by ``***`` (see :meth:`redact`); nothing else is changed. Cancelling a pending call loses nothing:
        the message stays for the next call.

        Raises:
            ConcurrencyError: another task is already receiving on this connection.
            ConnectionTimeout: ``receive_timeout`` passed with no message (the connection stays open).
            ConnectionClosed: the connection is closed, with the server's code and reason (1006 when it dropped).
        """
        if self._receiving:
            raise ConcurrencyError("another task is already receiving on this connection; receive from one task")
        if self._stashed:
            return self._redacted(self._stashed.pop(0))
        self._receiving = True
        receive = self._ws.recv(decode=False) if self._options.autoclose else self._recv_before_close()
        failure: ConnectionError
        timeout = self._options.receive_timeout
        try:
            if timeout is None:
                return self._redacted(await receive)
            async with asyncio.timeout(timeout):
                return self._redacted(await receive)
        except self._ws_closed as exc:
            failure = self._closed_error(exc)
        except TimeoutError:
            failure = ConnectionTimeout(f"no message within receive_timeout={timeout} s")
        finally:
            self._receiving = False
        if isinstance(failure, ConnectionClosed):
            self._watch_closed(failure.code, failure.reason)
        raise failure  # outside the except block: websockets' exception stays out of __context__

    def _redacted(self, frame: bytes) -> bytes:
        if self._frame_secrets:
            return redact_frame(frame, self._frame_secrets)
        return frame

    async def _recv_before_close(self) -> bytes:
        """``autoclose`` off: messages received before the server's close frame, then its code and reason."""
        ws = self._ws
        while True:
            if ws.close_arrived.is_set():
                if len(ws.recv_messages.frames):
                    return await ws.recv(decode=False)  # queued before the close frame: returns at once
                rcvd = cast("_transport.Protocol", ws.protocol).held_close
                code, reason = (int(rcvd.code), rcvd.reason) if rcvd is not None else (1005, "")
                raise ConnectionClosed(code, self.redact(reason))
            message = asyncio.ensure_future(ws.recv(decode=False))
            arrived = asyncio.ensure_future(ws.close_arrived.wait())
            try:
                await asyncio.wait((message, arrived), return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                arrived.cancel()
                if not message.done():
                    message.cancel()  # websockets' recv is cancel-safe: the message stays queued
                    with contextlib.suppress(asyncio.CancelledError):
                        await message
                elif not message.cancelled() and message.exception() is None:
                    self._stashed.append(message.result())  # it arrived as we were cancelled: keep it
                raise
            arrived.cancel()
            if message.done():
                return message.result()
            message.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await message

    async def recv(self) -> ServerEvent:
        """The next server event, typed.

        Unknown event types come back as ``UnknownEvent`` and events that do not fit their schema as
        ``InvalidEvent``; neither raises.

        Raises:
            EventDecodeError: the frame is not a JSON object.
            ConcurrencyError, ConnectionTimeout, ConnectionClosed: see :meth:`recv_bytes`.
        """
        event = decode_server_event(await self.recv_bytes())
        if self._watch is not None:
            self._watch.received(event.type)
        if event.type == "error" and _log.isEnabledFor(logging.DEBUG):
            detail = getattr(event, "error", None)
            code, message = getattr(detail, "code", None), getattr(detail, "message", None)
            _log.debug(
                "error event: %s: %s",
                self.redact(code if isinstance(code, str) else "no code"),
                self.redact(message if isinstance(message, str) else "no message"),
            )
        return event

    def __aiter__(self) -> AsyncIterator[ServerEvent]:
        """``async for event in conn``: events until the connection closes.

        The iteration ends quietly on a normal close (1000, or a close this side started); any other close raises.

        Raises:
            ConnectionClosed: the server closed with another code (its code and reason kept), or the connection
                dropped (1006); :class:`KeepaliveTimeout` when pings went unanswered.
            EventDecodeError, ConnectionTimeout: see :meth:`recv`.
        """
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[ServerEvent]:
        while True:
            try:
                event = await self.recv()
            except ConnectionClosed as exc:
                if exc.code in _QUIET_CODES or self._close_requested:
                    _log.debug("connection closed normally: %s %s", exc.code, exc.reason)
                    return
                raise
            yield event

    # -- closing -----------------------------------------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection with this code and reason; closing a closed connection does nothing.

        A connection that fails while closing is closed all the same (``close_timeout`` bounds the wait for the
        server's answer). Messages no one has received are discarded while closing: a server still streaming
        would otherwise fill the receive queue, reading would pause, and its close frame would wait unread until
        ``close_timeout``.

        Raises:
            ConfigurationError: a code a client may not send (1000-1003, 1007-1014 and 3000-4999 are allowed), or a
                reason over 123 bytes of UTF-8; the connection stays open.
        """
        if not self._check_close(code, reason):
            raise ConfigurationError(f"{code} is not a close code a client may send")
        if len(reason.encode()) > 123:
            raise ConfigurationError("a close reason is at most 123 bytes of UTF-8")
        self._close_requested = True
        drain = None if self._receiving else asyncio.ensure_future(self._discard_incoming())
        try:
            await self._ws.close(code, reason)
        except (OSError, self._ws_failure) as exc:
            _log.debug("closing raised %s; the connection is closed", type(exc).__name__)
        finally:
            if drain is not None:
                drain.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await drain
            self._watch_closed(self.close_code, self.close_reason or "")

    def _watch_closed(self, code: int | None, reason: str) -> None:
        """Tell the watch, once, how the connection ended."""
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.closed(code, reason, by_us=self._close_requested)

    async def _discard_incoming(self) -> None:
        """Read and drop messages until the connection is closed (see :meth:`close`)."""
        discarded = 0
        with contextlib.suppress(self._ws_closed):
            while True:
                await self._ws.recv(decode=False)
                discarded += 1
        if discarded:
            _log.debug("discarded %d unread messages while closing", discarded)

    async def __aenter__(self) -> RealtimeConnection:
        """``async with await connect(...) as conn``: closes the connection on the way out."""
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- helpers -----------------------------------------------------------------------------------------------------

    def _closed_error(self, exc: _transport.ConnectionClosed) -> ConnectionClosed:
        if exc.rcvd is not None:
            return ConnectionClosed(int(exc.rcvd.code), self.redact(exc.rcvd.reason))
        if exc.sent is not None and exc.sent.reason == _KEEPALIVE_REASON:
            return KeepaliveTimeout(1006, _KEEPALIVE_REASON)
        if exc.sent is not None:
            # This side failed the connection (1009 message too big, 1002 protocol error, ...) or closed it.
            return ConnectionClosed(int(exc.sent.code), exc.sent.reason)
        return ConnectionClosed(1006, "the connection dropped without a close frame")


VoiceLiveConnection = RealtimeConnection
"""The name ``azure.ai.voicelive.aio`` uses, so code written for it ports by changing its import."""


class _Connect:
    """What :func:`connect` returns: awaitable once, or an async context manager once."""

    def __init__(self, opener: _Opening) -> None:
        self._opening = opener
        self._connection: RealtimeConnection | None = None
        self._used = False

    def _claim(self) -> None:
        if self._used:
            raise ConcurrencyError("this connect() was already used; call connect() again for a new connection")
        self._used = True

    def __await__(self) -> Generator[Any, None, RealtimeConnection]:
        self._claim()
        return self._opening.open().__await__()

    async def __aenter__(self) -> RealtimeConnection:
        self._claim()
        self._connection = await self._opening.open()
        return self._connection

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._connection is not None:
            await self._connection.close()


class _Opening:
    """Everything resolved before the socket opens; ``open()`` does the network part."""

    def __init__(
        self,
        *,
        endpoint: str,
        credential: object,
        dialect: Dialect,
        model: str | None,
        api_version: str | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        options: WebsocketConnectionOptions,
        credential_scopes: Sequence[str] | str | None,
        agent: Mapping[str, str | None],
        allow_insecure: bool,
    ) -> None:
        self.dialect = dialect
        self.model = model
        self.url = dialect.build_url(endpoint, model=model, api_version=api_version, query=query, agent=agent)
        self.credential = credential
        self.headers = dict(headers or {})
        self.options = options
        self.credential_scopes = credential_scopes
        # A key or token may also come in the endpoint (?api-key=, user:KEY@), in headers= or in query= (as some Azure
        # samples pass one): those count too. The URL's own list covers the endpoint's query and query= as merged.
        self.passed_secrets = secrets_in(self.headers) + self.url.secrets
        has_secret = credential is not None or bool(self.passed_secrets)
        if has_secret and not self.url.secure and not self.url.loopback and not allow_insecure:
            raise InsecureTransportError(
                f"refusing to send a credential over plaintext ws:// to {self.url.host}; use https/wss, "
                "or pass allow_insecure=True if this network is trusted"
            )

    async def open(self) -> RealtimeConnection:
        secret: Secret | None = await resolve_credential(self.credential, self.credential_scopes)
        secrets = secret_forms(((secret.value,) if secret is not None else ()) + self.passed_secrets)
        headers: dict[str, str] = {}
        if self.url.basic_auth is not None:  # the endpoint's user information, as HTTP clients send it (RFC 7617)
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(self.url.basic_auth).encode()).decode()
        if secret is not None:
            name, value = self.dialect.auth_header(secret.kind, secret.value)
            headers[name] = value
        for key, value in self.headers.items():
            for existing in [k for k in headers if k.lower() == str(key).lower()]:
                del headers[existing]
            headers[str(key)] = str(value)
        kwargs: dict[str, Any] = {"additional_headers": headers, **self.options.websockets_kwargs()}
        _log.debug("connecting to %s as %s", redact(self.url.redacted, secrets), self.dialect.name)
        observer = _observer.current()
        watch = (
            observer.connecting(dialect=self.dialect.name, model=self.model, host=self.url.host, port=self.url.port)
            if observer is not None
            else None
        )
        # The transport's first import happens here, at the first connection (an ordinary import: thread-safe, and
        # retried whole if it was interrupted).
        from pyagent.realtime._transport import open_websocket

        opened = await open_websocket(
            self.url,
            autoping=self.options.autoping,
            autoclose=self.options.autoclose,
            handshake_timeout=self.options.handshake_timeout,
            secrets=secrets,
            kwargs=kwargs,  # vendor_options last among them: they win
        )
        if isinstance(opened, Exception):
            if watch is not None:
                watch.failed(opened)
            raise opened
        _log.debug("connected to %s", redact(self.url.redacted, secrets))
        return RealtimeConnection(
            opened, dialect=self.dialect, url=self.url.redacted, options=self.options, secrets=secrets, watch=watch
        )


def connect(
    *,
    endpoint: str | None = None,
    credential: object = None,
    model: str | None = None,
    api_version: str | None = None,
    dialect: str | Dialect = "auto",
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
    connection_options: WebsocketConnectionOptions | Mapping[str, Any] | None = None,
    credential_scopes: Sequence[str] | str | None = None,
    allow_insecure: bool = False,
    **agent_fields: str | None,
) -> _Connect:
    """Open a realtime connection: ``async with connect(...) as conn:`` or ``conn = await connect(...)``.

    Args:
        endpoint: the service's base URL (``https://R.openai.azure.com``, ``https://R.services.ai.azure.com``,
            ``http://127.0.0.1:PORT``); ws(s) works too. Defaults to ``https://api.openai.com/v1`` for ``openai``.
            A key or token inside it (a query parameter named as a secret: ``api-key``, ``key``, ``token``,
            ``access_token``, ``subscription-key``...; or user information, ``https://user:KEY@host``, sent as HTTP
            Basic auth) is a credential: refused over plaintext like one, and hidden from ``conn.url``, reprs, logs
            and errors.
        credential: a key str, an object with ``.key``, an object with ``get_token(*scopes)`` (sync or async), a
            callable returning a token, or None for a server that wants none.
        model: the model (OpenAI, Voice Live, Azure GA) or deployment (Azure preview).
        api_version: the ``api-version`` query value; the dialect's default when None. ``"v1"`` with
            ``azure-openai`` selects the GA path ``/openai/v1/realtime``.
        dialect: ``"openai"``, ``"azure-openai"``, ``"azure-openai-ga"``, ``"voicelive"`` or ``"auto"`` (judged
            from the host and path, logged at DEBUG).
        query: query parameters merged last (a None value removes one).
        headers: HTTP headers merged last (case-insensitively replacing the auth header if named).
        connection_options: :class:`WebsocketConnectionOptions` or a mapping of its fields.
        credential_scopes: token scopes, asked once per connect; default ``["https://ai.azure.com/.default"]``.
        allow_insecure: allow a credential (or a key or token in the endpoint, ``headers=`` or ``query=``) over
            plaintext ``ws://`` to a host that is not loopback. Loopback is ``localhost``, 127.0.0.0/8, ``::1``, and a
            ``*.localhost`` name only where it resolves to loopback addresses alone.
        **agent_fields: Voice Live agent mode: ``agent_name``, ``project_name``, ``agent_version``,
            ``conversation_id``, ``authentication_identity_client_id``, ``foundry_resource_override``.

    Raises:
        ConfigurationTypeError: an unknown keyword argument, a credential of no accepted kind, an argument of the
            wrong kind (``allow_insecure`` not a bool, ``credential_scopes`` not str(s), ...; also a ``TypeError``).
        ConfigurationError: a malformed endpoint (``127.0.0.1:8765`` without a scheme; the message shows it with its
            credentials hidden), an unknown dialect, or arguments the dialect does not take (also a ``ValueError``).
            These are raised by the call itself.
        InsecureTransportError: a credential would travel over plaintext to a remote host (before any socket opens).
        HandshakeError: the server answered the upgrade with an HTTP error or a redirect (``.status``, ``.body``).
        TLSError: the TLS handshake failed (a ``wss://``/``https://`` endpoint that speaks plain HTTP).
        ConnectionTimeout: opening took longer than ``handshake_timeout``.
        ConnectionError: the host could not be reached.
    """
    unknown = sorted(set(agent_fields) - set(AGENT_QUERY_PARAMS))
    if unknown:
        raise ConfigurationTypeError(f"connect() got unexpected keyword argument(s): {', '.join(unknown)}")
    _check_arguments(
        endpoint=endpoint,
        model=model,
        api_version=api_version,
        dialect=dialect,
        query=query,
        headers=headers,
        allow_insecure=allow_insecure,
        agent=agent_fields,
    )
    check_credential(credential)
    check_scopes(credential_scopes)
    options = coerce_options(connection_options)
    if endpoint is None:
        if dialect not in ("openai", "auto"):
            raise ConfigurationTypeError("connect() needs endpoint= for this dialect")
        endpoint = OPENAI_DEFAULT_ENDPOINT
    opening = _Opening(
        endpoint=endpoint,
        credential=credential,
        dialect=resolve_dialect(dialect, endpoint, api_version),
        model=model,
        api_version=api_version,
        query=query,
        headers=headers,
        options=options,
        credential_scopes=credential_scopes,
        agent=agent_fields,
        allow_insecure=allow_insecure,
    )
    return _Connect(opening)


def _check_arguments(
    *,
    endpoint: object,
    model: object,
    api_version: object,
    dialect: object,
    query: object,
    headers: object,
    allow_insecure: object,
    agent: Mapping[str, object],
) -> None:
    """connect()'s own argument checks, so a wrong kind fails at the call rather than deep in URL building."""
    # A flag that sends a key over plaintext takes a bool only: the string "false" is truthy.
    if not isinstance(allow_insecure, bool):
        raise ConfigurationTypeError(f"allow_insecure must be True or False, not {allow_insecure!r}")
    if not isinstance(dialect, str | Dialect):
        raise ConfigurationTypeError(f"dialect must be a dialect name or a Dialect, not {type(dialect).__name__}")
    for name, value in (("endpoint", endpoint), ("model", model), ("api_version", api_version), *agent.items()):
        if value is not None and not isinstance(value, str):
            raise ConfigurationTypeError(f"{name} must be a str or None, not {type(value).__name__}")
    if endpoint is not None:
        check_endpoint(endpoint)  # before the dialect is judged from it: a malformed URL is named, its key hidden
    if model == "":
        raise ConfigurationError("model must not be empty: name the model or deployment, or pass None")
    for name, value in (("query", query), ("headers", headers)):
        if value is not None and not isinstance(value, Mapping):
            raise ConfigurationTypeError(f"{name} must be a mapping or None, not {type(value).__name__}")
