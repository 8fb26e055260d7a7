"""``pyagent phone``'s server: Twilio's TwiML webhook and the media WebSockets, each call bridged to its own session.

Routes (one port, Starlette on uvicorn, the ``phone`` extra):

* ``POST /incoming-call`` (GET too): Twilio's voice webhook. Answers with the ``<Connect><Stream>`` TwiML pointing at
  this server's ``/media-stream``.
* ``/media-stream``: Twilio's Media Stream WebSocket; each connection is one call, bridged by :func:`bridge_call`.
* ``/acs/media-stream``: the same for Azure Communication Services (the ``transportUrl`` of a call's media streaming
  options, bidirectional).

With an auth token, every Twilio request is checked: the webhook's and the stream upgrade's ``X-Twilio-Signature``
must be Twilio's for the URL Twilio requested (the public URL, when the server runs behind a tunnel or proxy), and
anything unsigned or wrongly signed is refused (HTTP 403, and the WebSocket is closed before it is accepted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pyagent.realtime.dialects import check_endpoint
from pyagent.realtime.errors import ConfigurationError as RealtimeConfigurationError
from pyagent.telephony._bridge import bridge_call
from pyagent.telephony._protocols import CallInfo
from pyagent.telephony._twilio import twiml_connect_stream, valid_twilio_signature
from pyagent.telephony.errors import ConfigurationError, ConfigurationTypeError, MissingDependencyError
from pyagent.voice import VoiceSession

__all__ = ["PATHS", "PhoneServer"]

logger = logging.getLogger("pyagent.telephony")

PATHS = {"webhook": "/incoming-call", "twilio": "/media-stream", "acs": "/acs/media-stream"}
"""Where the server answers: Twilio's webhook, Twilio's media stream, ACS's media stream."""

_SHUTDOWN_TIMEOUT = 5  # seconds the server waits for calls to end when it stops


def _starlette() -> Any:
    try:
        import starlette.applications
        import uvicorn
    except ImportError as exc:
        raise MissingDependencyError(
            f"pyagent phone serves HTTP with Starlette and uvicorn ({exc.name} is missing): "
            "pip install 'pyagent-voice[phone]'"
        ) from exc
    return starlette.applications, uvicorn


class PhoneServer:
    """Phone calls to voice sessions over HTTP and WebSocket: what ``pyagent phone`` runs, usable in-process.

    ::

        async with PhoneServer(lambda: VoiceSession(agent=agent), port=8080) as server:
            ...  # Twilio's number webhook: POST {public_url}/incoming-call

    Args:
        session_factory: makes the (unconnected) session for each call.
        host: the interface to listen on.
        port: the port (0 picks a free one; :attr:`port` tells which).
        public_url: the public ``https://`` base Twilio reaches this server at (a tunnel, a proxy): the stream's
            ``wss://`` URL in the TwiML and the URL the signatures cover. Without it, the request's own scheme and
            ``Host``.
        auth_token: Twilio's auth token: when given, unsigned or wrongly signed requests are refused.
        account_sid: Twilio's account: when given, a webhook for another account is refused.

    Raises:
        MissingDependencyError: Starlette or uvicorn is not installed (``pip install 'pyagent-voice[phone]'``).
    """

    def __init__(
        self,
        session_factory: Callable[[], VoiceSession],
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        public_url: str | None = None,
        auth_token: str | None = None,
        account_sid: str | None = None,
    ) -> None:
        _check_arguments(session_factory, host, port, public_url, auth_token, account_sid)
        applications, self._uvicorn = _starlette()
        from starlette.routing import Route, WebSocketRoute

        self._factory = session_factory
        self.host = host
        self._requested_port = port
        self._public = urlsplit(public_url.rstrip("/")) if public_url else None
        self._auth_token = auth_token or None
        self._account_sid = account_sid or None
        self.calls: list[CallInfo] = []
        """The calls that ended, oldest first."""
        self.active_calls = 0
        self.app = applications.Starlette(
            routes=[
                Route(PATHS["webhook"], self._incoming_call, methods=["GET", "POST"]),
                WebSocketRoute(PATHS["twilio"], self._twilio_stream),
                WebSocketRoute(PATHS["acs"], self._acs_stream),
            ]
        )
        """The Starlette application, to mount in an application of your own."""
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"PhoneServer({self.url!r}, signed={self._auth_token is not None}, active_calls={self.active_calls})"

    @property
    def port(self) -> int:
        """The port listened on (the one picked, for port 0)."""
        if self._server is not None and self._server.servers:
            return int(self._server.servers[0].sockets[0].getsockname()[1])
        return self._requested_port

    @property
    def url(self) -> str:
        """The local base URL (``http://host:port``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def verifies_signatures(self) -> bool:
        """True when Twilio's signature is checked on every Twilio request."""
        return self._auth_token is not None

    def public_urls(self) -> dict[str, str]:
        """The webhook's and the streams' URLs as Twilio and ACS reach them (the public URL's, else the local)."""
        base = urlsplit(self.url) if self._public is None else self._public
        secure = base.scheme in ("https", "wss")
        http = f"{'https' if secure else 'http'}://{base.netloc}{base.path}"
        ws = f"{'wss' if secure else 'ws'}://{base.netloc}{base.path}"
        return {"webhook": http + PATHS["webhook"], "twilio": ws + PATHS["twilio"], "acs": ws + PATHS["acs"]}

    async def start(self) -> None:
        """Listen; returns once the server accepts connections.

        Raises:
            OSError: the port cannot be bound.
        """
        config = self._uvicorn.Config(
            self.app,
            host=self.host,
            port=self._requested_port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            timeout_graceful_shutdown=_SHUTDOWN_TIMEOUT,
        )
        self._server = self._uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(), name="pyagent-phone-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # the error that stopped it (a port in use)
                raise OSError(f"the phone server could not listen on {self.host}:{self._requested_port}")
            await asyncio.sleep(0.01)
        if self._auth_token is None:
            logger.warning("TWILIO_AUTH_TOKEN is not set: Twilio's requests are not verified")

    async def close(self) -> None:
        """Stop listening and end the calls still going."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._server = None
        self._task = None

    async def __aenter__(self) -> PhoneServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- the routes -------------------------------------------------------------------------------------------------

    def _requested_url(self, scope_url: Any, headers: Any, *, websocket: bool) -> str:
        """The URL Twilio requested and signed: under the public base when there is one, else as received."""
        path = scope_url.path + (f"?{scope_url.query}" if scope_url.query else "")
        if self._public is not None:
            secure = self._public.scheme in ("https", "wss")
            scheme = ("wss" if secure else "ws") if websocket else ("https" if secure else "http")
            return f"{scheme}://{self._public.netloc}{self._public.path}{path}"
        host = headers.get("host") or scope_url.netloc
        return f"{scope_url.scheme}://{host}{path}"

    async def _incoming_call(self, request: Any) -> Any:
        from starlette.responses import Response

        form = parse_qsl((await request.body()).decode("utf-8", "replace")) if request.method == "POST" else []
        if self._auth_token is not None:
            url = self._requested_url(request.url, request.headers, websocket=False)
            if not valid_twilio_signature(self._auth_token, request.headers.get("x-twilio-signature"), url, form):
                logger.warning("refused a webhook request without Twilio's signature for %s", url)
                return Response("invalid or missing X-Twilio-Signature", status_code=403, media_type="text/plain")
        values = dict(form) if form else dict(request.query_params)
        if self._account_sid is not None and values.get("AccountSid") != self._account_sid:
            logger.warning("refused a webhook for another Twilio account")
            return Response("wrong account", status_code=403, media_type="text/plain")
        stream_url = self.public_urls()["twilio"] if self._public is not None else self._local_stream_url(request)
        logger.info("incoming call %s: streaming to %s", values.get("CallSid", "?"), stream_url)
        return Response(twiml_connect_stream(stream_url), media_type="application/xml")

    def _local_stream_url(self, request: Any) -> str:
        host = request.headers.get("host") or request.url.netloc
        scheme = "wss" if request.url.scheme == "https" else "ws"
        return f"{scheme}://{host}{PATHS['twilio']}"

    async def _twilio_stream(self, websocket: Any) -> None:
        if self._auth_token is not None:
            url = self._requested_url(websocket.url, websocket.headers, websocket=True)
            signature = websocket.headers.get("x-twilio-signature")
            if not valid_twilio_signature(self._auth_token, signature, url):
                logger.warning("refused a media stream without Twilio's signature for %s", url)
                await websocket.close(code=1008)  # before accept(): the upgrade is answered 403
                return
        await self._bridge(websocket, "twilio")

    async def _acs_stream(self, websocket: Any) -> None:
        await self._bridge(websocket, "acs")

    async def _bridge(self, websocket: Any, carrier: str) -> None:
        self.active_calls += 1
        try:
            call = await bridge_call(websocket, self._factory(), carrier)
        except Exception:
            logger.exception("a %s call failed", carrier)
        else:
            self.calls.append(call)
        finally:
            self.active_calls -= 1


def _check_arguments(
    session_factory: object, host: object, port: object, public_url: object, auth_token: object, account_sid: object
) -> None:
    """PhoneServer's argument checks, each naming the argument and what it takes.

    Raises:
        ConfigurationTypeError: an argument of the wrong kind.
        ConfigurationError: a value out of range.
    """
    if not callable(session_factory):
        raise ConfigurationTypeError(
            f"session_factory must be a callable returning a VoiceSession, not {session_factory!r}"
        )
    if not isinstance(host, str) or not host:
        raise ConfigurationTypeError(f"host must be an interface name or address such as '0.0.0.0', not {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigurationError(f"port must be an int from 0 to 65535 (0: a free port), not {port!r}")
    if public_url is not None:
        if not isinstance(public_url, str):
            raise ConfigurationTypeError(f"public_url must be a str or None, not {type(public_url).__name__}")
        advice = f"public_url must be an http(s):// URL such as 'https://example.ngrok.app', not {public_url!r}"
        if not public_url.lower().startswith(("http://", "https://")):
            raise ConfigurationError(advice)
        try:
            check_endpoint(public_url, "public_url")
        except RealtimeConfigurationError as exc:  # a malformed host or port, said in words
            raise ConfigurationError(str(exc)) from None
    for name, value in (("auth_token", auth_token), ("account_sid", account_sid)):
        if value is not None and not isinstance(value, str):
            raise ConfigurationTypeError(f"{name} must be a str or None, not {type(value).__name__}")
