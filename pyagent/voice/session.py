"""VoiceSession: a spoken conversation with a model, in turns, over any realtime dialect.

The session sits on a :class:`~pyagent.realtime.RealtimeConnection` and turns its events into turns: it sends the
agent's configuration, moves the user's audio in (converted to what the service takes), collects the assistant's
audio, transcript and tool calls into one response per turn, runs the tools, handles barge-in exactly, and keeps
its :class:`SessionState` from the service's events through the table in :mod:`pyagent.voice._states`. It knows
nothing of URLs or dialect names: the connection and its dialect hide them.

One task reads the connection; everything the user calls sends. Responses are requested only by the session (the
service's turn detection is told not to create them), one at a time, so there are never two active responses.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import msgspec

from pyagent.audio import Clock, PlaybackClock, VadEvent, VoiceActivityDetector, check_devices
from pyagent.realtime import ConnectionClosed, RealtimeConnection, connect
from pyagent.realtime.dialects import Dialect
from pyagent.realtime.errors import ConnectionError as RealtimeConnectionError
from pyagent.realtime.events import InvalidEvent
from pyagent.voice._agent import Agent
from pyagent.voice._audio_io import (
    FrameCarry,
    InputConverter,
    OutputConverter,
    decode_user_audio,
    encode_user_audio,
    microphone,
)
from pyagent.voice._bargein import BargeIn, Interruption, Source
from pyagent.voice._config import (
    SERVICE_SAMPLE_RATE,
    AudioSettings,
    TurnDetectionSettings,
    build_flat_session,
    check_session_arguments,
    resolve_endpoint,
)
from pyagent.voice._events import EventEmitter, Handler
from pyagent.voice._results import Outbox, ResponseChunk, ToolCallRecord, Turn, VoiceResponse
from pyagent.voice._states import SessionState, StateMachine, Trigger
from pyagent.voice.errors import (
    ListenTimeoutError,
    ResponseError,
    SessionClosedError,
)

__all__ = [
    "AudioSource",
    "Interruption",
    "ResponseChunk",
    "SessionState",
    "ToolCallRecord",
    "VoiceResponse",
    "VoiceSession",
]

logger = logging.getLogger("pyagent.voice")

H = TypeVar("H", bound=Handler)
AudioSource = AsyncIterable[bytes]
"""Where :meth:`VoiceSession.listen` takes the user's audio from: chunks in the session's audio format."""

_APPEND_BYTES = SERVICE_SAMPLE_RATE * 2 * 500 // 1000  # 500 ms of service audio per input_audio_buffer.append
_SETUP_TIMEOUT = 15.0  # seconds for session.created / session.updated after the socket opens
# Error codes that answer the session's own housekeeping and mean nothing went wrong.
_BENIGN_ERRORS = frozenset({"response_cancel_not_active", "input_audio_buffer_commit_empty"})


# --------------------------------------------------------------------------------------------------- the session


class _Connecting:
    """What :meth:`VoiceSession.connect` returns: await it, or use it as an async context manager."""

    def __init__(self, session: VoiceSession) -> None:
        self._session = session

    def __await__(self) -> Generator[Any, None, VoiceSession]:
        return self._session._open().__await__()

    async def __aenter__(self) -> VoiceSession:
        return await self._session._open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._session.disconnect()


class VoiceSession:
    """A realtime voice conversation with a model, turn by turn.

    ::

        session = VoiceSession(agent=Agent("helper", "Be brief.", tools=[get_weather]))
        async with session.connect() as voice:
            response = await voice.respond(user_audio)

    Barge-in truncates the assistant's audio at what was heard, as :attr:`playback` counts it. A speaker sink that
    reads :attr:`playback` makes that count exact (``pyagent talk`` does; code that plays the audio itself reads its
    audio from there too). With no sink, playback is simulated in real time from the first audio, so speech streamed
    with ``send_audio(..., commit=False)`` over an answer still "playing" interrupts it, as a listener would. A turn
    the caller's code ends (``respond()``, ``send_audio(commit=True)``, ``send_text()``) once the previous answer is
    complete is not a barge-in on that answer when no sink plays it: the answer was handed over, not played.

    Args:
        model: the model (or Azure deployment) to talk to.
        voice: the assistant's voice: a name (``"alloy"``), or the service's voice object where it takes one (Voice
            Live: ``{"type": "azure-standard", "name": "en-US-Ava:DragonHDLatestNeural"}``).
        agent: instructions and tools; without one the service's defaults apply.
        language: the user's language, for the service's transcription of the user's audio.
        sample_rate: the rate of the audio the user sends and receives (see :meth:`configure_audio`).
        turn_detection: True lets the service detect the end of the user's turns; False means the caller does
            (``send_audio(commit=True)``).
        endpoint: the service's base URL; else the environment (``PYAGENT_ENDPOINT``, ``OPENAI_API_KEY``,
            ``AZURE_VOICELIVE_ENDPOINT``...).
        credential: an API key or a credential object (never logged).
        dialect: ``"auto"``, ``"openai"``, ``"azure-openai"``, ``"azure-openai-ga"`` or ``"voicelive"``.
        audio_source: where :meth:`listen` reads the user's audio: an async iterable of chunks in the session's
            audio format (default: the microphone, with the ``devices`` extra).
        clock: the time source of the playback clock (a ``ManualClock`` in tests).
        transcription_model: the service's model for transcribing the user, or None for no user transcripts.
        connect_options: extra keyword arguments for :func:`pyagent.realtime.connect` (``api_version``,
            ``connection_options``, ``headers``...).

    Raises:
        ConfigurationError: an argument the session cannot use (an endpoint without a scheme, an unknown dialect, a
            rate out of range; a ``ConfigurationTypeError`` for a wrong kind), here rather than when connecting.
    """

    def __init__(
        self,
        model: str = "gpt-4o-realtime",
        voice: str | Mapping[str, Any] = "alloy",
        agent: Agent | None = None,
        language: str = "en",
        sample_rate: int = 24000,
        turn_detection: bool = True,
        *,
        endpoint: str | None = None,
        credential: Any = None,
        dialect: str = "auto",
        audio_source: AudioSource | None = None,
        clock: Clock | None = None,
        transcription_model: str | None = "whisper-1",
        connect_options: Mapping[str, Any] | None = None,
    ) -> None:
        check_session_arguments(
            model=model,
            voice=voice,
            agent=agent,
            language=language,
            sample_rate=sample_rate,
            turn_detection=turn_detection,
            endpoint=endpoint,
            credential=credential,
            dialect=dialect,
            audio_source=audio_source,
            clock=clock,
            transcription_model=transcription_model,
            connect_options=connect_options,
        )
        self._model = model
        self._voice = voice
        self.agent = agent
        self.language = language
        self._endpoint = endpoint
        self._credential = credential
        self._dialect_name = dialect
        self._transcription_model = transcription_model
        self._connect_options = dict(connect_options or {})
        self._audio = AudioSettings(sample_rate=sample_rate)
        self._turn_detection = TurnDetectionSettings(enabled=turn_detection)
        self._audio_source = audio_source
        self._machine = StateMachine()
        self._emitter = EventEmitter()
        self._playback = PlaybackClock(SERVICE_SAMPLE_RATE, clock=clock)
        self._conn: RealtimeConnection | None = None
        self._session_id = ""
        self._reset_connection_state()

    def _reset_connection_state(self) -> None:
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._outbox = Outbox()
        self._bargein = BargeIn(server_interrupts=self._turn_detection.enabled)
        self._turn: Turn | None = None
        self._input = InputConverter(self._audio)
        self._response_idle = asyncio.Event()
        self._response_idle.set()
        self._requesting = False  # a response.create is on its way and not yet answered
        self._create_count = 0
        self._create_event_id = ""  # the event_id of that response.create, which an error refusing it names
        self._pending_user_turn = False  # a user turn was committed and no response asked for it yet
        self._manual_turn = 0  # send_audio(commit=True) calls in progress: they ask for the response
        self._vad_in_speech = False
        self._vad_commit_expected = False  # the service's detector ended speech; its commit comes next
        self._manual_commits = 0  # the session's own commits not yet acknowledged
        self._vad_commits = 0  # turns the service's turn detection ended
        self._vad_commits_mark = 0  # ... as counted when the caller last ended a turn
        # session.update event ids and their futures, answered in order by session.updated (or an error naming them).
        self._syncs: collections.OrderedDict[str, asyncio.Future[None]] = collections.OrderedDict()
        self._update_count = 0
        self._closed_error: SessionClosedError | None = None
        self._last_input_transcript = ""

    def __repr__(self) -> str:
        return f"VoiceSession(model={self._model!r}, voice={self._voice!r}, state={self.state.name})"

    # ------------------------------------------------------------------------------------------------ properties

    @property
    def state(self) -> SessionState:
        """Where the session is: IDLE, CONNECTING, CONNECTED, LISTENING, PROCESSING, SPEAKING or DISCONNECTED."""
        return self._machine.state

    @property
    def model(self) -> str:
        """The model (or deployment) the session talks to."""
        return self._model

    @property
    def voice(self) -> str:
        """The assistant's voice."""
        if isinstance(self._voice, Mapping):
            return str(self._voice.get("name", self._voice.get("type", "")))
        return self._voice

    @property
    def is_connected(self) -> bool:
        """True from the end of ``connect()`` until the session is disconnected."""
        return self._conn is not None and self.state not in (SessionState.IDLE, SessionState.DISCONNECTED)

    @property
    def session_id(self) -> str:
        """The service's id of this session (``""`` until connected)."""
        return self._session_id

    @property
    def has_pending_response(self) -> bool:
        """True when :meth:`receive` has a response to return without new user input: one is queued, being
        produced, asked for, or owed to a committed user turn."""
        busy = self._turn is not None or self._requesting or not self._response_idle.is_set()
        return self._outbox.has_result or (self._conn is not None and (busy or self._pending_user_turn))

    @property
    def dialect(self) -> Dialect | None:
        """The connection's dialect, once connected."""
        return self._conn.dialect if self._conn is not None else None

    @property
    def audio_format(self) -> AudioSettings:
        """The audio format the user sends and receives."""
        return self._audio

    @property
    def sample_rate(self) -> int:
        """The rate of the user's audio."""
        return self._audio.sample_rate

    @property
    def turn_detection(self) -> TurnDetectionSettings:
        """The turn detection settings (service and :meth:`listen`)."""
        return self._turn_detection

    @property
    def playback(self) -> PlaybackClock:
        """The assistant's audio as played (24 kHz PCM16 mono): a speaker sink reads from it, and barge-in truncates
        at what was read; with no sink, playback is simulated in real time (see the class's notes)."""
        return self._playback

    # ------------------------------------------------------------------------------------------------ events

    def on(self, name: str) -> Callable[[H], H]:
        """Decorator registering a handler (sync or async) of an event.

        Events: ``speech_started()``, ``speech_ended()``, ``response_started()``, ``transcript_available(text,
        role)``, ``response_done(response)``, ``audio(data)``, ``function_call(call)``, ``state_changed(new, old)``,
        ``interrupted(interruption)``, ``error(error)``. A handler may take fewer arguments than its event carries.
        A handler that raises is logged and the session goes on.

        Raises:
            ValueError: an unknown event name.
        """
        return self._emitter.on(name)

    def off(self, name: str, handler: Handler) -> None:
        """Unregister a handler; one that was not registered is ignored.

        Raises:
            ValueError: an unknown event name.
        """
        self._emitter.remove(name, handler)

    # ------------------------------------------------------------------------------------------------ configuration

    def configure_turn_detection(
        self,
        enabled: bool = True,
        threshold: float = 0.5,
        prefix_padding: int = 300,
        silence_duration: int = 500,
    ) -> None:
        """Set how the end of the user's turn is found, by the service and by :meth:`listen`.

        Args:
            enabled: False: no turn detection; the caller ends turns with ``send_audio(commit=True)``.
            threshold: speech sensitivity, 0.0 to 1.0.
            prefix_padding: milliseconds of audio kept before speech starts.
            silence_duration: milliseconds of silence that end a turn.

        Raises:
            ConfigurationError: a value out of range.
        """
        self._turn_detection = TurnDetectionSettings(
            enabled=enabled,
            threshold=threshold,
            prefix_padding_ms=prefix_padding,
            silence_duration_ms=silence_duration,
        )
        self._bargein.server_interrupts = enabled
        self._push_session_update()

    def configure_audio(
        self, sample_rate: int | None = None, channels: int | None = None, format: str | None = None
    ) -> None:
        """Set the format of the audio the user sends and receives; the session converts to and from the service's.

        Args:
            sample_rate: 8000 to 48000 Hz (G.711 formats are 8000 Hz and default to it).
            channels: 1 or 2.
            format: ``"pcm16"``, ``"g711_ulaw"`` or ``"g711_alaw"``.

        Raises:
            ConfigurationError: an unsupported combination.
        """
        self._audio = self._audio.replace(sample_rate=sample_rate, channels=channels, format=format)
        self._input = InputConverter(self._audio)

    def set_audio_source(self, source: AudioSource | None) -> None:
        """Where :meth:`listen` reads from: an async iterable of chunks in the session's format; None for the
        microphone."""
        self._audio_source = source

    def _flat_session(self) -> dict[str, Any]:
        return build_flat_session(
            voice=self._voice,
            instructions="",
            turn_detection=self._turn_detection,
            language=self.language,
            transcription_model=self._transcription_model,
            agent_fields=self.agent.session_fields() if self.agent else None,
        )

    def _push_session_update(self) -> None:
        if not self.is_connected:
            return
        # The settings as they are now: a later change sends its own update.
        self._spawn(self._send_session_update(self._flat_session()), "session.update")

    async def _send_session_update(self, flat: Mapping[str, Any] | None = None) -> asyncio.Future[None]:
        conn = self._require_conn()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._update_count += 1
        event_id = f"evt_pyagent_session_{self._update_count}"
        self._syncs[event_id] = done
        wire = conn.dialect.session_to_wire(self._flat_session() if flat is None else flat)
        await self._send({"type": "session.update", "event_id": event_id, "session": wire})
        return done

    # ------------------------------------------------------------------------------------------------ connecting

    def connect(self) -> _Connecting:
        """Open the session: ``async with session.connect() as voice:`` or ``await session.connect()``.

        Raises (when awaited or entered):
            InvalidStateError: the session is already connected.
            ConfigurationError: no endpoint is configured (the message names the options).
            pyagent.realtime.ConnectionError: the service could not be reached or refused the connection.
        """
        return _Connecting(self)

    async def _open(self) -> VoiceSession:
        self._machine.check("connect")
        settings = resolve_endpoint(
            self._endpoint, self._credential, self._dialect_name if self._dialect_name != "auto" else None
        )
        self._reset_connection_state()
        self._playback.reset()
        await self._apply(Trigger.CONNECT)
        try:
            conn = await connect(
                endpoint=settings.endpoint,
                credential=settings.credential,
                model=self._model,
                dialect=settings.dialect,
                **self._connect_options,
            )
        except BaseException:
            await self._apply(Trigger.FAILED)
            raise
        self._conn = conn
        try:
            async with asyncio.timeout(_SETUP_TIMEOUT):
                created = await conn.recv()
                if conn.dialect.canonical_event_name(created.type) != "session.created":
                    raise ResponseError(f"the service's first event was {created.type!r}, not session.created")
                self._read_session_id(created)
                self._reader = asyncio.create_task(self._read_loop(conn), name="pyagent-voice-reader")
                updated = await self._send_session_update()
                await updated
        except BaseException as exc:
            await self._shutdown(None)
            if isinstance(exc, TimeoutError):
                raise SessionClosedError("the service did not set up the session in time") from exc
            raise
        await self._apply(Trigger.OPENED)
        logger.info("voice session %s connected (%s)", self._session_id, conn.dialect.name)
        return self

    async def disconnect(self) -> None:
        """Close the session; it ends DISCONNECTED. Disconnecting a session that is not connected does nothing."""
        if self._conn is None:
            return
        await self._shutdown(SessionClosedError("the session was disconnected"))

    async def _shutdown(self, error: SessionClosedError | None) -> None:
        conn, self._conn = self._conn, None
        reader, self._reader = self._reader, None
        current = asyncio.current_task()
        tasks = [task for task in (*self._tasks, reader) if task is not None and task is not current]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if conn is not None:
            await conn.close()
        error = error or SessionClosedError("the session was disconnected")
        self._fail_waiters(error)
        # Whoever waits in receive() now, or calls it later, hears why the session ended.
        self._outbox.put(error)
        self._playback.clear()
        await self._apply(Trigger.CLOSED)

    def _fail_waiters(self, error: SessionClosedError) -> None:
        self._closed_error = error
        for waiter in self._syncs.values():
            if not waiter.done():
                waiter.set_exception(error)
                waiter.exception()  # retrieved: nobody may be awaiting it any more
        self._syncs.clear()
        self._response_idle.set()

    # ------------------------------------------------------------------------------------------------ sending

    def _require_conn(self) -> RealtimeConnection:
        if self._conn is None:
            raise self._not_connected()
        return self._conn

    def _not_connected(self) -> SessionClosedError:
        """Why there is no connection: how the last one ended, or that there never was one."""
        return self._closed_error or SessionClosedError("the session is not connected")

    async def _send(self, event: Mapping[str, Any]) -> None:
        conn = self._require_conn()
        try:
            await conn.send(event)
        except ConnectionClosed as exc:
            raise SessionClosedError(f"the connection closed: {exc}", code=exc.code, reason=exc.reason) from exc

    async def _append(self, service_audio: bytes) -> None:
        for start in range(0, len(service_audio), _APPEND_BYTES):
            await self._send(
                {"type": "input_audio_buffer.append", "audio": service_audio[start : start + _APPEND_BYTES]}
            )

    async def send_audio(self, audio_data: bytes, commit: bool = True) -> None:
        """Send the user's audio (in the session's audio format).

        Args:
            audio_data: audio chunk; any length.
            commit: True ends the user's turn here and asks for the response (read it with :meth:`receive`).
                With the service's turn detection on, a turn it already ended is not ended twice.

        Raises:
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed.
        """
        self._machine.check("send_audio")
        if not commit:
            await self._append(self._input.process(audio_data))
            return
        self._settle_virtual_playback()
        self._manual_turn += 1
        try:
            await self._append(self._input.process(audio_data) + self._input.flush())
            await self._end_user_turn()
        finally:
            self._manual_turn -= 1

    async def _end_user_turn(self) -> None:
        """Commit the user's turn unless the service's turn detection has, then ask for the response."""
        if self._turn_detection.enabled:
            # Let the service take in all the audio first (it answers events in order), then decide from what its
            # turn detection did since the last turn ended: still in speech -> commit; it ended the turn itself ->
            # drop the trailing silence and answer that turn (unless already answered); it heard nothing -> commit
            # anyway, because the caller said the turn is over.
            await (await self._send_session_update({}))
            took_turn = not self._vad_in_speech and self._vad_commits > self._vad_commits_mark
            self._vad_commits_mark = self._vad_commits
            if took_turn:
                await self._send({"type": "input_audio_buffer.clear"})
                if self._pending_user_turn:
                    await self._request_response()
                return
        self._manual_commits += 1
        await self._send({"type": "input_audio_buffer.commit"})
        await self._request_response()

    def _settle_virtual_playback(self) -> None:
        """A turn the caller's code ends (not streamed speech): with no sink, the answers so far were handed to the
        caller and played by no one, so the virtual play head must not make this turn a barge-in on them."""
        if not self._playback.sink_driven and self._bargein.active_response is None:
            self._playback.clear()

    async def send_text(self, text: str) -> None:
        """Send the user's turn as text and ask for the response (read it with :meth:`receive`).

        Raises:
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed.
        """
        self._machine.check("send_text")
        self._settle_virtual_playback()
        item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
        await self._send({"type": "conversation.item.create", "item": item})
        await self._request_response()

    async def _request_response(self) -> None:
        """Ask for a response once no other is active: never two at once."""
        while not self._response_idle.is_set() or self._requesting:
            await self._response_idle.wait()
            if self._conn is None:
                raise self._not_connected()
            await asyncio.sleep(0)  # let the reader finish the done response's bookkeeping
        self._requesting = True
        self._response_idle.clear()
        self._pending_user_turn = False
        self._create_count += 1
        self._create_event_id = f"evt_pyagent_response_{self._create_count}"
        try:
            await self._send({"type": "response.create", "event_id": self._create_event_id})
        except BaseException:
            self._requesting = False
            self._response_idle.set()
            raise

    # ------------------------------------------------------------------------------------------------ receiving

    async def receive(self) -> VoiceResponse:
        """The next complete response: audio (in the session's format), transcript, text, tool calls, usage.

        Raises:
            SessionClosedError: the connection closed before the response was complete (state DISCONNECTED).
            ResponseError: the service reported that the response failed.
        """
        if not self._outbox:
            self._check_open("receive")
        while True:
            item = await self._next_item()
            if isinstance(item, VoiceResponse):
                return item

    async def stream_receive(self) -> AsyncIterator[ResponseChunk]:
        """The next response's pieces as they arrive: audio chunks (``.data``), transcript and text deltas.

        Ends when the response is complete (tool calls included).

        Raises:
            SessionClosedError: the connection closed mid-response.
            ResponseError: the service reported that the response failed.
        """
        if not self._outbox:
            self._check_open("stream_receive")
        while True:
            item = await self._next_item()
            if isinstance(item, VoiceResponse):
                return
            yield item

    async def _next_item(self) -> ResponseChunk | VoiceResponse:
        if not self._outbox and self._conn is None:
            raise self._not_connected()
        item = await self._outbox.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def _check_open(self, call: str) -> None:
        if self._closed_error is not None and self.state is SessionState.DISCONNECTED:
            raise self._closed_error
        self._machine.check(call)

    async def respond(self, user_audio: bytes) -> VoiceResponse:
        """Send a whole user turn, end it, ask for the response and return it.

        An earlier turn's answer still on its way is received (and dropped) first, so the answer returned is this
        turn's. Not a barge-in on a complete answer that no sink plays (see the class's notes).

        Raises:
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed before the answer was complete (state DISCONNECTED).
            ResponseError: the service refused the turn or reported that the response failed.
        """
        self._machine.check("respond")
        while self.has_pending_response:  # an earlier turn's answer is still on its way: it goes first
            await self.receive()
        self._outbox.clear()
        await self.send_audio(user_audio, commit=True)
        return await self.receive()

    async def interrupt(self) -> bool:
        """Interrupt the assistant now, as if the user had started to speak (without a new user turn).

        Returns:
            True when something was interrupted (a response was active or its audio was playing).

        Raises:
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed.
        """
        self._machine.check("interrupt")
        return await self._barge_in("user")

    # ------------------------------------------------------------------------------------------------ listening

    async def listen(self, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - the spec names it
        """The user's next utterance, from the audio source, cut by the local turn detector.

        The detector uses :meth:`configure_turn_detection`'s threshold, padding and silence. Speech that starts
        while the assistant speaks interrupts it (barge-in).

        Args:
            timeout: seconds to wait for a complete utterance; None waits for ever.

        Returns:
            The utterance (prefix padding included) in the session's audio format; empty when the source ended
            without speech.

        Raises:
            ListenTimeoutError: no complete utterance within ``timeout``.
            pyagent.audio.errors.AudioDeviceError: no audio source was given and there is no microphone (the
                ``devices`` extra and PortAudio are needed).
        """
        self._machine.check("listen")
        source = self._audio_source
        if source is None:
            check_devices()  # fail now, with what to install, rather than inside the stream
            source = microphone(self._audio)
            self._audio_source = source
        try:
            async with asyncio.timeout(timeout):
                return await self._listen(source)
        except TimeoutError:
            raise ListenTimeoutError(f"no complete utterance within {timeout} s") from None

    async def _listen(self, source: AudioSource) -> bytes:
        settings = self._audio
        td = self._turn_detection
        vad = VoiceActivityDetector(
            settings.sample_rate,
            threshold=td.threshold,
            prefix_padding_ms=td.prefix_padding_ms,
            silence_duration_ms=max(td.silence_duration_ms, 20),
        )
        frames = FrameCarry(settings.frame_bytes)

        async def detected() -> AsyncGenerator[VadEvent, None]:
            async for chunk in source:
                await asyncio.sleep(0)  # a source that never waits must not starve the reader or the timeout
                for event in vad.process(decode_user_audio(frames.whole(chunk), settings)):
                    yield event
            for event in vad.flush():  # a source that ends in the middle of speech still gives the utterance
                yield event

        async with contextlib.aclosing(detected()) as events:  # closes the detector's loop, never the source
            async for event in events:
                if event.kind == "speech_started":
                    await self._user_started_speaking("local")
                else:
                    await self._emitter.emit("speech_ended")
                    return encode_user_audio(event.audio, settings)
        return b""

    # ------------------------------------------------------------------------------------------------ the reader

    def _spawn(self, coro: Awaitable[Any], what: str) -> None:
        async def run() -> None:
            try:
                await coro
            except SessionClosedError:
                logger.debug("%s: the session closed", what)
            except Exception as exc:
                logger.exception("%s failed", what)
                await self._emitter.emit("error", exc)

        task = asyncio.create_task(run(), name=f"pyagent-voice-{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_loop(self, conn: RealtimeConnection) -> None:
        error: SessionClosedError
        try:
            async for event in conn:
                await self._dispatch(conn.dialect.canonical_event_name(event.type), event)
        except ConnectionClosed as exc:
            error = SessionClosedError(
                f"the connection closed unexpectedly ({exc.code}{' ' + exc.reason if exc.reason else ''})",
                code=exc.code,
                reason=exc.reason,
            )
        except RealtimeConnectionError as exc:
            error = SessionClosedError(f"the connection failed: {exc}")
        except Exception as exc:
            logger.exception("the voice session's reader failed")
            error = SessionClosedError(f"the session failed: {exc!r}")
        else:
            code, reason = conn.close_code, conn.close_reason or ""
            error = SessionClosedError(
                f"the service closed the session ({code} {reason})".strip(), code=code, reason=reason
            )
        if self._reader is asyncio.current_task():  # not when disconnect() cancelled it: that shutdown is under way
            self._reader = None
            busy = self._turn is not None or not self._response_idle.is_set() or self._manual_turn > 0
            if busy:
                await self._emitter.emit("error", error)
            logger.info("voice session %s: %s", self._session_id, error)
            await self._shutdown(error)

    async def _dispatch(self, name: str, event: Any) -> None:
        handler = _HANDLERS.get(name)
        if handler is not None:
            await handler(self, event)
        elif isinstance(event, InvalidEvent):
            logger.warning("the service sent an event that does not fit its schema: %s", event.error)

    async def _apply(self, trigger: Trigger) -> None:
        change = self._machine.apply(trigger)
        if change is not None:
            old, new = change
            logger.debug("state %s -> %s", old.name, new.name)
            await self._emitter.emit("state_changed", new, old)

    def _read_session_id(self, event: Any) -> None:
        session_id = _field(_field(event, "session"), "id")
        if isinstance(session_id, str) and session_id:
            self._session_id = session_id

    # -- service events ---------------------------------------------------------------------------------------------

    async def _on_session_updated(self, event: Any) -> None:
        self._read_session_id(event)
        if self._syncs:
            _, waiter = self._syncs.popitem(last=False)
            if not waiter.done():
                waiter.set_result(None)

    async def _on_speech_started(self, event: Any) -> None:
        self._vad_in_speech = True
        await self._user_started_speaking("server")

    async def _user_started_speaking(self, source: Source) -> None:
        await self._barge_in(source)
        await self._apply(Trigger.SPEECH_STARTED)
        await self._emitter.emit("speech_started")

    async def _on_speech_stopped(self, event: Any) -> None:
        self._vad_in_speech = False
        self._vad_commit_expected = True
        self._vad_commits += 1  # the service commits the turn it just ended, before anything else
        await self._emitter.emit("speech_ended")

    async def _on_committed(self, event: Any) -> None:
        await self._apply(Trigger.COMMITTED)
        if self._vad_commit_expected:
            self._vad_commit_expected = False
            self._pending_user_turn = True
            if self._manual_turn == 0:
                # The service's turn detection ended a turn of streamed audio: the session asks for its response.
                self._spawn(self._answer_pending_turn(), "response.create")
        elif self._manual_commits > 0:
            self._manual_commits -= 1  # the session's own commit: its response is already asked for

    async def _answer_pending_turn(self) -> None:
        await asyncio.sleep(0)
        if self._pending_user_turn and self._manual_turn == 0:
            await self._request_response()

    async def _on_input_transcript(self, event: Any) -> None:
        text = _text(_field(event, "transcript"))
        self._last_input_transcript = text
        if self._turn is not None and not self._turn.input_transcript:
            self._turn.input_transcript = text
        await self._emitter.emit("transcript_available", text, "user")

    async def _on_response_created(self, event: Any) -> None:
        response_id = _text(_field(_field(event, "response"), "id"))
        self._requesting = False
        self._response_idle.clear()
        self._bargein.response_created(response_id)
        turn = self._ensure_turn()
        turn.response_ids.append(response_id)
        await self._apply(Trigger.RESPONSE_CREATED)
        if not turn.started:
            turn.started = True
            await self._emitter.emit("response_started")

    def _ensure_turn(self) -> Turn:
        if self._turn is None:
            self._turn = Turn(OutputConverter(self._audio), input_transcript=self._last_input_transcript)
        return self._turn

    async def _on_audio_delta(self, event: Any) -> None:
        response_id = _text(_field(event, "response_id"))
        item_id, content_index = _content_part(event)
        delta = _field(event, "delta")
        if not isinstance(delta, bytes | bytearray) or not delta:
            return
        if not self._bargein.audio_received(response_id, item_id, content_index):
            return  # late audio of an interrupted response: the user must not hear it
        self._playback.enqueue(item_id, content_index, delta)
        turn = self._ensure_turn()
        data = turn.converter.process(bytes(delta))
        turn.audio += data
        await self._apply(Trigger.AUDIO)
        if data:
            self._outbox.put(ResponseChunk("audio", data=data, response_id=response_id))
            await self._emitter.emit("audio", data)

    async def _on_transcript_delta(self, event: Any) -> None:
        response_id = _text(_field(event, "response_id"))
        if self._bargein.is_dropped(response_id):
            return
        delta = _text(_field(event, "delta"))
        transcripts = self._ensure_turn().transcripts
        key = _content_part(event)
        transcripts[key] = transcripts.get(key, "") + delta
        self._outbox.put(ResponseChunk("transcript", text=delta, response_id=response_id))

    async def _on_text_delta(self, event: Any) -> None:
        response_id = _text(_field(event, "response_id"))
        delta = _text(_field(event, "delta"))
        self._ensure_turn().text.append(delta)
        self._outbox.put(ResponseChunk("text", text=delta, response_id=response_id))

    async def _on_transcript_done(self, event: Any) -> None:
        if self._bargein.is_dropped(_text(_field(event, "response_id"))):
            return
        transcript = _text(_field(event, "transcript"))
        if self._turn is not None and transcript:
            # The final transcript is the service's word on what was said; deltas may have been partial.
            self._turn.transcripts[_content_part(event)] = transcript
        if transcript:
            await self._emitter.emit("transcript_available", transcript, "assistant")

    async def _on_response_done(self, event: Any) -> None:
        response = _field(event, "response")
        response_id = _text(_field(response, "id"))
        status = _text(_field(response, "status")) or "completed"
        self._bargein.response_done(response_id)
        self._requesting = False
        turn = self._ensure_turn()
        if response_id and response_id not in turn.response_ids:
            turn.response_ids.append(response_id)
        _add_usage(turn.usage, _field(response, "usage"))
        calls = [item for item in (_field(response, "output") or ()) if _field(item, "type") == "function_call"]
        if calls and status == "completed" and not turn.interrupted:
            await self._apply(Trigger.TOOL_CALLS)
            self._response_idle.set()
            self._spawn(self._run_tools(calls), "tools")
            return
        self._turn = None
        tail = turn.converter.flush()
        if tail:
            turn.audio += tail
            self._outbox.put(ResponseChunk("audio", data=tail, response_id=response_id))
            await self._emitter.emit("audio", tail)
        self._last_input_transcript = ""
        await self._apply(Trigger.RESPONSE_DONE)
        self._response_idle.set()
        if status == "failed":
            error = _field(_field(response, "status_details"), "error")
            failure = _response_error(error, "the service reported that the response failed")
            self._outbox.put(failure)
            await self._emitter.emit("error", failure)
            return
        result = turn.result(status, self._audio)
        self._outbox.put(result)
        await self._emitter.emit("response_done", result)

    async def _on_error(self, event: Any) -> None:
        detail = _field(event, "error")
        error = _response_error(detail, "the service reported an error")
        if error.code in _BENIGN_ERRORS:
            if error.code == "input_audio_buffer_commit_empty" and self._manual_commits > 0:
                self._manual_commits -= 1
            logger.debug("service: %s (%s)", error, error.code)
            return
        logger.warning("service error: %s%s", error, f" ({error.code})" if error.code else "")
        refused = _field(detail, "event_id")
        waiter = self._syncs.pop(refused, None) if isinstance(refused, str) else None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)  # a session.update was refused: connect() or the caller hears why
        if self._requesting and refused == self._create_event_id:
            # Our response.create was refused: whoever waits for that response hears why.
            self._requesting = False
            self._response_idle.set()
            if self._turn is None:
                self._outbox.put(error)
        await self._emitter.emit("error", error)

    # -- tools ------------------------------------------------------------------------------------------------------

    async def _run_tools(self, calls: list[Any]) -> None:
        turn = self._ensure_turn()
        for call in calls:
            record = await self._run_tool(call)
            turn.tool_calls.append(record)
            item = {"type": "function_call_output", "call_id": record.call_id, "output": record.output}
            await self._send({"type": "conversation.item.create", "item": item})
            await self._emitter.emit("function_call", record)
        await self._request_response()

    async def _run_tool(self, call: Any) -> ToolCallRecord:
        name = _text(_field(call, "name"))
        call_id = _text(_field(call, "call_id"))
        arguments = _text(_field(call, "arguments"))
        return await (self.agent or Agent()).run_tool_call(name, call_id, arguments)

    # -- barge-in ---------------------------------------------------------------------------------------------------

    async def _barge_in(self, source: Source) -> bool:
        action = self._bargein.speech_started(source, self._playback)
        if not action.interrupted:
            return False
        if action.stop_playback:
            self._playback.clear()
        if action.cancel_response_id is not None:
            await self._send({"type": "response.cancel", "response_id": action.cancel_response_id})
        if action.truncate is not None:
            t = action.truncate
            await self._send(
                {
                    "type": "conversation.item.truncate",
                    "item_id": t.item_id,
                    "content_index": t.content_index,
                    "audio_end_ms": t.audio_end_ms,
                }
            )
        if self._turn is not None:
            self._turn.interrupted = True
            if action.truncate is not None:
                self._turn.audio_end_ms = action.truncate.audio_end_ms
        await self._apply(Trigger.INTERRUPTED)
        assert action.interruption is not None
        await self._emitter.emit("interrupted", action.interruption)
        return True


# --------------------------------------------------------------------------------------------------- helpers


def _field(obj: Any, name: str) -> Any:
    """A field of an event Struct or a raw mapping; absent (UNSET) reads as None."""
    if obj is None:
        return None
    value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    if value is None and not isinstance(obj, Mapping):
        raw = getattr(obj, "raw", None)  # UnknownEvent keeps its fields in .raw
        if isinstance(raw, Mapping):
            value = raw.get(name)
    return None if value is msgspec.UNSET else value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _content_part(event: Any) -> tuple[str, int]:
    """The ``(item_id, content_index)`` an output event belongs to."""
    return _text(_field(event, "item_id")), int(_field(event, "content_index") or 0)


def _response_error(detail: Any, fallback: str) -> ResponseError:
    """A :class:`ResponseError` from the service's ``error`` object (of an error event or a failed response)."""
    message = _text(_field(detail, "message")) or fallback
    return ResponseError(message, code=_text(_field(detail, "code")), error_type=_text(_field(detail, "type")))


def _add_usage(total: dict[str, int], usage: Any) -> None:
    if usage is None:
        return
    for key in ("total_tokens", "input_tokens", "output_tokens"):
        value = _field(usage, key)
        if isinstance(value, int):
            total[key] = total.get(key, 0) + value


_Handler = Callable[[VoiceSession, Any], Awaitable[None]]
# Canonical (GA) event name -> the session's handler; beta names arrive canonicalised by the dialect.
_HANDLERS: Mapping[str, _Handler] = {
    "session.created": VoiceSession._on_session_updated,
    "session.updated": VoiceSession._on_session_updated,
    "transcription_session.updated": VoiceSession._on_session_updated,
    "input_audio_buffer.speech_started": VoiceSession._on_speech_started,
    "input_audio_buffer.speech_stopped": VoiceSession._on_speech_stopped,
    "input_audio_buffer.committed": VoiceSession._on_committed,
    "conversation.item.input_audio_transcription.completed": VoiceSession._on_input_transcript,
    "response.created": VoiceSession._on_response_created,
    "response.output_audio.delta": VoiceSession._on_audio_delta,
    "response.output_audio_transcript.delta": VoiceSession._on_transcript_delta,
    "response.output_audio_transcript.done": VoiceSession._on_transcript_done,
    "response.output_text.delta": VoiceSession._on_text_delta,
    "response.done": VoiceSession._on_response_done,
    "error": VoiceSession._on_error,
}
