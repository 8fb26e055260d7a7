"""The local server's I/O: WebSocket handshakes, auth, moving frames and running the slow work off the event loop.

All protocol decisions are made by :class:`pyagent.server._session.ServerSession`; this module only carries bytes
between it and the socket, runs the jobs it asks for (recognition and synthesis in threads, the responder as a call or
a coroutine), wakes it when its paced audio is due and records the traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import http
import inspect
import ipaddress
import logging
import os
import pathlib
import random
import time
import urllib.parse
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from pyagent._files import directory_problem
from pyagent.audio import Clock, MonotonicClock
from pyagent.realtime._redaction import RedactingLogger, secret_forms
from pyagent.realtime.codec import encode_server_event
from pyagent.realtime.dialects import AZURE_OPENAI, AZURE_OPENAI_GA, OPENAI, VOICELIVE, Dialect
from pyagent.realtime.errors import EventValidationError
from pyagent.server._recorder import SessionRecorder, recording_path
from pyagent.server._responder import EchoResponder, Reply, Responder
from pyagent.server._session import (
    DEFAULT_RETAINED_AUDIO_SECONDS,
    Job,
    RecognizeJob,
    RespondJob,
    ServerSession,
    SynthesizeJob,
)
from pyagent.server._speech import (
    SpeechEngines,
    SpeechMode,
    ToneSynthesizer,
    load_speech_engines,
    speech_unavailable_reason,
)
from pyagent.server.errors import ConfigurationError, ResponderError, ServerNotRunningError, SpeechUnavailableError

__all__ = ["DEFAULT_REALTIME_FACTOR", "LocalServer", "PATHS"]

logger = logging.getLogger("pyagent.server")

PATHS: Mapping[str, Dialect] = {
    "/v1/realtime": OPENAI,
    "/openai/realtime": AZURE_OPENAI,
    "/openai/v1/realtime": AZURE_OPENAI_GA,
    "/voice-live/realtime": VOICELIVE,
}
"""Each dialect on the path its service answers on."""

_MAX_FRAME = 16 * 1024 * 1024  # the services accept events up to 15 MiB

DEFAULT_REALTIME_FACTOR = 10.0
"""Reply audio goes out ten times faster than it plays by default. The services send it faster than real time too
(OpenAI's reference for ``conversation.item.truncate``: "the server will produce audio faster than realtime"), so
code with its own timeouts behaves here as there; 1 plays it at the pace of a listener, ``math.inf`` at once."""


class LocalServer:
    """A realtime-compatible server on this machine: every dialect on its real path, real VAD, offline speech.

    Use it as ``async with LocalServer() as server:`` and connect any realtime client to ``server.url`` (the
    WebSocket base) or ``server.endpoint`` (the http base URL ``connect(endpoint=...)`` takes).

    Args:
        host: the interface to listen on; loopback unless you mean to share it.
        port: the port; 0 picks a free one (read it back from :attr:`port`).
        api_key: the key clients must send (``Authorization: Bearer`` or ``api-key``); None accepts any key.
        responder: the brain (see :class:`~pyagent.server.Responder`); the default echoes what it heard and calls a
            session tool its words name.
        speech: ``"auto"`` uses pocketsphinx and hibari-tts when they load, ``"on"`` requires them, ``"off"`` always
            uses the deterministic fallback.
        record_dir: when set, every session is written there as JSONL (see ``pyagent.server._recorder``).
        realtime_factor: response audio is sent this many times faster than it plays: 10 by default, as the
            services send it faster than real time (:data:`DEFAULT_REALTIME_FACTOR`); 1 paces it as a listener hears
            it (for code that must see audio still arriving, such as a barge-in over a long answer); ``math.inf``
            sends it as soon as it is synthesized (fast tests).
        seed: seeds the ids, for repeatable recordings.
        max_session_seconds: sessions end after this long (an ``error`` event ``session_expired``, then close code
            1001), as the services end theirs; None (the default) for no limit.
        engines: a recogniser and synthesizer of your own (any objects with ``recognize(pcm16, sample_rate)`` and
            ``synthesize(text)``), used instead of ``speech``'s.
        retained_audio_seconds: user audio each session keeps for ``conversation.item.retrieve``, the most recent
            items' first (10 s by default); older items are retrieved without their audio. Everything else a session
            holds is bounded too (see ``pyagent.server``), so memory stays flat however long sessions stream.

    Raises:
        ConfigurationError: an argument it cannot use (``speech`` not one of the three modes, ``realtime_factor``
            not above 0, ``retained_audio_seconds`` negative, a port outside 0..65535, ...), before anything
            listens; also a ``ValueError``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        responder: Responder | None = None,
        speech: SpeechMode = "auto",
        record_dir: str | pathlib.Path | None = None,
        *,
        realtime_factor: float = DEFAULT_REALTIME_FACTOR,
        seed: int | None = None,
        max_session_seconds: float | None = None,
        engines: SpeechEngines | None = None,
        retained_audio_seconds: float = DEFAULT_RETAINED_AUDIO_SECONDS,
    ) -> None:
        _check_arguments(
            host=host,
            port=port,
            api_key=api_key,
            speech=speech,
            record_dir=record_dir,
            realtime_factor=realtime_factor,
            seed=seed,
            max_session_seconds=max_session_seconds,
            retained_audio_seconds=retained_audio_seconds,
        )
        self.retained_audio_seconds = retained_audio_seconds
        self.host = host
        self._requested_port = port
        self.__api_key = api_key
        self.responder: Responder = responder if responder is not None else EchoResponder()
        self.speech: SpeechMode = speech
        self.record_dir = pathlib.Path(record_dir) if record_dir is not None else None
        self.realtime_factor = realtime_factor
        self._rng = random.Random(seed)
        self.max_session_seconds = max_session_seconds
        self._given_engines = engines
        self._server: Server | None = None
        self._engines: asyncio.Future[SpeechEngines] | None = None
        self._port: int | None = None
        self.recordings: list[pathlib.Path] = []
        """The JSONL files written so far (with ``record_dir``)."""

    def __repr__(self) -> str:
        state = f"listening on {self.url}" if self._server is not None else "not started"
        auth = "key required" if self.__api_key is not None else "any key"
        return f"<LocalServer {state}, {auth}, speech={self.speech}>"

    # ------------------------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening. With ``speech="on"``, waits for the speech models and raises if they cannot load.

        Listening beyond this machine (``host="0.0.0.0"``, a LAN address) with no ``api_key`` logs a WARNING: any
        client that reaches the port is served.

        Raises:
            ConfigurationError: ``record_dir`` cannot hold recordings (a file, a directory that cannot be made or
                written in), found before anything listens rather than at every session.
            SpeechUnavailableError: ``speech="on"`` and the speech extra cannot be loaded.
            OSError: the address is in use or not available.
        """
        if self._server is not None:
            return
        if self.record_dir is not None:
            problem = directory_problem(self.record_dir, keep=True)
            if problem is not None:
                raise ConfigurationError(f"record_dir cannot hold recordings: {problem}")
        if self._engines is None:
            self._engines = self._load_engines()
        if self.speech == "on":
            await asyncio.shield(self._engines)
        self._server = await serve(
            self._handle,
            self.host,
            self._requested_port,
            process_request=self._process_request,
            max_size=_MAX_FRAME,
            compression=None,
            ping_interval=20,
            server_header="pyagent-local-server",
            logger=RedactingLogger(
                logging.getLogger("websockets.server"), secret_forms([self.__api_key] if self.__api_key else [])
            ),
        )
        sockets = list(self._server.sockets)
        self._port = int(sockets[0].getsockname()[1])
        logger.info("local realtime server listening on %s", ", ".join(self.listening_on))
        if self.__api_key is None and not self.is_loopback_only:
            logger.warning(
                "listening on %s, beyond this machine, and any key is accepted: whoever reaches the port is served; "
                "set api_key (pyagent serve --api-key) or listen on 127.0.0.1",
                ", ".join(self.listening_on),
            )
        elif self.__api_key is None:
            logger.info("no api key set: any key is accepted")
        if self.record_dir is not None:
            logger.info("recording sessions to %s", self.record_dir)

    async def close(self) -> None:
        """Stop listening and close every connection (close code 1001, going away)."""
        server, self._server = self._server, None
        if server is not None:
            server.close(close_connections=True)
            await server.wait_closed()

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def __aenter__(self) -> LocalServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _load_engines(self) -> asyncio.Future[SpeechEngines]:
        future: asyncio.Future[SpeechEngines]
        if self._given_engines is not None:
            future = asyncio.get_running_loop().create_future()
            future.set_result(self._given_engines)
        else:
            future = asyncio.ensure_future(asyncio.to_thread(load_speech_engines, self.speech))
        future.add_done_callback(_log_engines)
        return future

    async def speech_engines(self) -> SpeechEngines:
        """The engines in use (loads them if the server has not started yet)."""
        if self._engines is None:
            self._engines = self._load_engines()
        # Shielded: a connection that goes away while the models load must not cancel the load for everyone.
        return await asyncio.shield(self._engines)

    # -------------------------------------------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        """The port listened on.

        Raises:
            ServerNotRunningError: the server has not started.
        """
        if self._port is None or self._server is None:
            raise ServerNotRunningError("the local server is not running; use 'async with' or await start()")
        return self._port

    @property
    def listening_on(self) -> tuple[str, ...]:
        """The addresses the server listens on, as ``HOST:PORT`` (``0.0.0.0:8765``, ``[::]:8765``): every interface
        it is reachable on, where :attr:`url` is the address a client on this machine uses.

        Raises:
            ServerNotRunningError: the server has not started.
        """
        self.port  # noqa: B018  # raises when not running
        assert self._server is not None
        addresses = []
        for sock in self._server.sockets:
            host, port = sock.getsockname()[:2]
            addresses.append(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
        return tuple(dict.fromkeys(addresses))

    @property
    def is_loopback_only(self) -> bool:
        """True when only this machine can reach the server (every address it listens on is a loopback one).

        Raises:
            ServerNotRunningError: the server has not started.
        """
        self.port  # noqa: B018  # raises when not running
        assert self._server is not None
        return all(_is_loopback(str(sock.getsockname()[0])) for sock in self._server.sockets)

    @property
    def url(self) -> str:
        """The WebSocket base URL, ``ws://127.0.0.1:PORT``; the dialect paths hang below it."""
        return f"ws://{self._url_host()}:{self.port}"

    @property
    def endpoint(self) -> str:
        """The http base URL to give ``connect(endpoint=...)`` for any dialect."""
        return f"http://{self._url_host()}:{self.port}"

    def _url_host(self) -> str:
        host = self.host or "127.0.0.1"
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    # -------------------------------------------------------------------------------------------------- handshake

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path, query = _split(request.path)
        if path not in PATHS:
            known = ", ".join(PATHS)
            return connection.respond(http.HTTPStatus.NOT_FOUND, f"No realtime endpoint at {path}; try {known}.\n")
        if self.__api_key is None:
            return None
        offered = _offered_key(request.headers, query)
        if offered is None or not hmac.compare_digest(offered.encode(), self.__api_key.encode()):
            logger.info("refused a connection on %s: %s", path, "wrong key" if offered else "no key")
            body = (
                '{"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", '
                '"code": "invalid_api_key", "param": null}}\n'
            )
            response = connection.respond(http.HTTPStatus.UNAUTHORIZED, body)
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    # ------------------------------------------------------------------------------------------------ connections

    async def _handle(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None  # the handshake is done
        path, query = _split(websocket.request.path)
        dialect = PATHS[path]
        model = query.get(dialect.model_param) or query.get("model") or "gpt-realtime"
        clock = MonotonicClock()
        opened = clock.now()
        session = ServerSession(
            dialect,
            clock=clock,
            model=model,
            transcription=query.get("intent") == "transcription",
            realtime_factor=self.realtime_factor,
            rng=random.Random(self._rng.getrandbits(64)),
            max_duration=self.max_session_seconds,
            beta_header="realtime=v1" in (websocket.request.headers.get("OpenAI-Beta") or ""),
            retained_audio_seconds=self.retained_audio_seconds,
            created_at=time.time(),
        )
        recorder: SessionRecorder | None = None
        if self.record_dir is not None:
            file = recording_path(self.record_dir, dialect.name, session.id, time.time())
            recorder = SessionRecorder(file, dialect=dialect.name, url_path=path, query=query)
            self.recordings.append(file)
        logger.info("session %s opened on %s (%s, model %s)", session.id, path, dialect.name, model)
        connection = _Connection(self, websocket, session, recorder, clock, opened)
        try:
            await connection.run()
        finally:
            if recorder is not None:
                recorder.close()
            logger.info("session %s closed", session.id)


class _Connection:
    """One WebSocket and its session: a reader task feeds the session, this loop sends what it produced."""

    def __init__(
        self,
        server: LocalServer,
        websocket: ServerConnection,
        session: ServerSession,
        recorder: SessionRecorder | None,
        clock: Clock,
        opened: float,
    ) -> None:
        self._server = server
        self._ws = websocket
        self._session = session
        self._recorder = recorder
        self._clock = clock
        self._opened = opened
        self._changed = asyncio.Event()
        self._jobs: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        self._session.start()
        reader = asyncio.create_task(self._read())
        try:
            while not reader.done():
                self._changed.clear()
                self._session.tick()
                await self._flush()
                if self._session.close_request is not None:
                    await self._ws.close(*self._session.close_request)
                    break
                deadline = self._session.next_deadline()
                timeout = None if deadline is None else max(0.0, deadline - self._clock.now())
                # asyncio.timeout, not wait_for: this runs once per frame, and wait_for makes a task each time.
                with contextlib.suppress(TimeoutError):  # paced audio is due: tick
                    async with asyncio.timeout(timeout):
                        await self._changed.wait()
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            for task in list(self._jobs):
                task.cancel()
            await asyncio.gather(reader, *self._jobs, return_exceptions=True)

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                if self._recorder is not None:
                    self._recorder.client(self._clock.now() - self._opened, frame)
                self._session.receive(frame)
                self._changed.set()
        except ConnectionClosed:
            pass
        finally:
            self._changed.set()

    async def _flush(self) -> None:
        for event in self._session.take_events():
            try:
                data = encode_server_event(event)
            except EventValidationError:
                # A fault of this server, not of the client: say so loudly and keep the session going.
                logger.exception("the local server made an invalid %s event; not sent", event.get("type"))
                continue
            if self._recorder is not None:
                self._recorder.server(self._clock.now() - self._opened, data)
            await self._ws.send(data, text=True)
        for job in self._session.take_jobs():
            task = asyncio.create_task(self._run(job))
            self._jobs.add(task)
            task.add_done_callback(self._jobs.discard)

    async def _run(self, job: Job) -> None:
        session = self._session
        try:
            if isinstance(job, RecognizeJob):
                engines = await self._server.speech_engines()
                try:
                    text = await asyncio.to_thread(engines.recognizer.recognize, job.pcm16, job.sample_rate)
                except Exception as exc:  # a speech engine's fault: the turn goes on without words
                    logger.warning("recognition failed for %s: %s", job.item_id, exc)
                    session.recognition_failed(job.item_id, "The audio could not be transcribed.")
                else:
                    session.recognized(job.item_id, text)
            elif isinstance(job, RespondJob):
                try:
                    reply = self._server.responder(job.context)
                    if inspect.isawaitable(reply):
                        reply = await reply
                    if not isinstance(reply, Reply):
                        raise ResponderError(f"the responder returned {type(reply).__name__}, not a Reply")
                except Exception as exc:  # the user's code: any failure ends the response as failed, never the server
                    logger.exception("the responder failed")
                    session.reply_failed(job.response_id, f"The responder failed: {type(exc).__name__}")
                else:
                    session.replied(job.response_id, reply)
            elif isinstance(job, SynthesizeJob):
                engines = await self._server.speech_engines()
                try:
                    audio = await asyncio.to_thread(engines.synthesizer.synthesize, job.text)
                except Exception:  # a speech engine's fault: the reply is still heard, as tones
                    logger.exception("synthesis failed; the reply falls back to tones")
                    audio = ToneSynthesizer().synthesize(job.text)
                session.synthesized(job.response_id, job.item_id, audio)
        finally:
            self._changed.set()


def _split(raw_path: str) -> tuple[str, dict[str, str]]:
    parts = urllib.parse.urlsplit(raw_path)
    path = parts.path.rstrip("/") or "/"
    return path, dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))


def _offered_key(headers: Any, query: Mapping[str, str]) -> str | None:
    authorization = headers.get("Authorization")
    if isinstance(authorization, str) and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    api_key = headers.get("api-key")
    if isinstance(api_key, str):
        return api_key.strip()
    return query.get("api-key")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.partition("%")[0]).is_loopback
    except ValueError:
        return False


def _log_engines(future: asyncio.Future[SpeechEngines]) -> None:
    if future.cancelled():
        return
    exc = future.exception()
    if isinstance(exc, SpeechUnavailableError):
        # Raised to whoever waits for the engines (start() with speech="on"): said there, once, not twice.
        logger.debug("speech engines unavailable: %s", exc)
        return
    if exc is not None:
        logger.error("speech engines unavailable: %s", exc)
        return
    engines = future.result()
    reason = speech_unavailable_reason()
    suffix = f" ({reason})" if reason and not engines.real else ""
    logger.info("speech in use: %s%s", engines.description, suffix)


def _check_arguments(
    *,
    host: object,
    port: object,
    api_key: object,
    speech: object,
    record_dir: object,
    realtime_factor: object,
    seed: object,
    max_session_seconds: object,
    retained_audio_seconds: object,
) -> None:
    """LocalServer's argument checks: each names the argument and what it takes.

    Raises:
        ConfigurationError: the first argument it cannot use.
    """
    if not isinstance(host, str) or not host:
        raise ConfigurationError(f"host must be an interface name or address such as '127.0.0.1', not {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigurationError(f"port must be an int from 0 to 65535 (0: a free port), not {port!r}")
    if api_key is not None and (not isinstance(api_key, str) or not api_key):
        raise ConfigurationError("api_key must be a non-empty str, or None to accept any key")
    if speech not in ("auto", "on", "off"):
        raise ConfigurationError(f"speech must be 'auto', 'on' or 'off', not {speech!r}")
    if record_dir is not None and not isinstance(record_dir, str | os.PathLike):
        raise ConfigurationError(f"record_dir must be a path or None, not {type(record_dir).__name__}")
    if isinstance(realtime_factor, bool) or not isinstance(realtime_factor, int | float) or not realtime_factor > 0:
        raise ConfigurationError(
            f"realtime_factor must be a number > 0 (math.inf: as fast as possible), not {realtime_factor!r}"
        )
    if seed is not None and not isinstance(seed, int | float | str | bytes | bytearray):
        raise ConfigurationError(f"seed must be an int, float, str or bytes (what random takes) or None, not {seed!r}")
    if max_session_seconds is not None and (
        isinstance(max_session_seconds, bool)
        or not isinstance(max_session_seconds, int | float)
        or not max_session_seconds > 0
    ):
        raise ConfigurationError(f"max_session_seconds must be a number > 0 or None, not {max_session_seconds!r}")
    if (
        isinstance(retained_audio_seconds, bool)
        or not isinstance(retained_audio_seconds, int | float)
        or not retained_audio_seconds >= 0
    ):
        raise ConfigurationError(f"retained_audio_seconds must be a number >= 0, not {retained_audio_seconds!r}")
