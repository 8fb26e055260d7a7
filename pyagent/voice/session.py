"""VoiceSession: a spoken conversation with a model, in turns, over any realtime dialect.

The session is the asyncio shell around :class:`~pyagent.voice._core.VoiceCore`, which holds the conversation
keyed by the service's ids and decides everything (turns, responses, barge-in, which wait an error answers). The
shell moves bytes and calls: one task reads the connection and feeds every event to the core; the user's calls
feed the core too; the effects the core returns are carried out in order (send, emit to handlers, convert audio,
run tools, end waits). It knows nothing of URLs or dialect names: the connection and its dialect hide them.

Responses are requested only by the session (the service's turn detection is told not to create them), one turn at
a time, so there are never two active responses.

A session outlives its connections. When one ends in a way worth retrying (``_reconnect.should_retry``), or nears
the service's maximum duration between turns, the shell opens a new one and the core restores the conversation on
it (``VoiceCore.connection_lost``, then ``VoiceCore.restore``). Between the two the session is CONNECTING: the
user's calls wait for the restore, audio streamed meanwhile is buffered (bounded), and events sent by the core
before the loss are dropped (each connection is an *epoch*; the restore covers what they were for).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import traceback
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Generator, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from pyagent.audio import AudioFormat, Clock, MonotonicClock, PlaybackClock
from pyagent.realtime import ConnectionClosed, RealtimeConnection, connect
from pyagent.realtime.dialects import Dialect, resolve_dialect
from pyagent.realtime.errors import ConnectionError as RealtimeConnectionError
from pyagent.realtime.errors import EventDecodeError
from pyagent.realtime.events import InputAudioBufferAppend, InvalidEvent
from pyagent.voice import _observer
from pyagent.voice._agent import Agent
from pyagent.voice._audio_io import FrameCarry, InputConverter, microphone
from pyagent.voice._bargein import Interruption
from pyagent.voice._checks import (
    check_audio_chunk,
    check_flag,
    check_source,
    check_text,
    check_timeout,
    check_turn_audio,
    check_user_audio,
)
from pyagent.voice._config import (
    SERVICE_AUDIO,
    AudioSettings,
    TurnDetectionSettings,
    WireAudio,
    build_flat_session,
    check_session_arguments,
    choose_wire_audio,
    resolve_endpoint,
    resolve_model,
)
from pyagent.voice._context import running_tools_for
from pyagent.voice._conversation import Conversation
from pyagent.voice._core import (
    Audio,
    Chunk,
    Effect,
    Emit,
    RequestDone,
    RunTools,
    Send,
    TurnEnded,
    TurnFailed,
    TurnFinished,
    TurnInterrupted,
    TurnMerged,
    VoiceCore,
    service_error,
)
from pyagent.voice._events import EventEmitter, Handler
from pyagent.voice._history import InputAudioKeeper
from pyagent.voice._reconnect import Attempts, ReconnectPolicy, coerce_policy, gave_up, run_attempts, should_retry
from pyagent.voice._replies import Replies
from pyagent.voice._results import ResponseChunk, ToolCallRecord, VoiceResponse
from pyagent.voice._snapshot import SessionSnapshot, resume_settings, take_snapshot
from pyagent.voice._states import SessionState, StateMachine, Trigger
from pyagent.voice.errors import (
    ConfigurationError,
    InvalidStateError,
    ListenTimeoutError,
    ResponseError,
    SessionClosedError,
)

if TYPE_CHECKING:
    from pyagent.audio import VadEvent

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
UserAudio = bytes | bytearray | memoryview | Iterable[bytes] | AsyncIterable[bytes]
"""A user turn's audio for :meth:`VoiceSession.respond`: the whole turn, or its chunks as they come."""

_APPEND_MS = 500  # the most user audio one input_audio_buffer.append carries
_DTMF_DIGITS = "0123456789*#ABCD"
_SETUP_TIMEOUT = 15.0  # seconds for session.created / session.updated after the socket opens
_STABLE_SECONDS = 10.0  # a connection that lasted this long (or answered a turn) resets the count of attempts


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

    The session mirrors the conversation the service holds, keyed by its ids (:attr:`conversation`): every
    transcript lands on its item, every response on the turn it answers, and barge-in cuts the item the user was
    hearing at the milliseconds :attr:`playback` says were played (deleting the items never heard). A speaker sink
    that reads :attr:`playback` makes that count exact (``pyagent talk`` does; code that plays the audio itself
    reads its audio from there too). With no sink, playback is simulated in real time from the first audio, so
    speech streamed with ``send_audio(..., commit=False)`` over an answer still "playing" interrupts it, as a
    listener would. A turn the caller's code ends (``respond()``, ``send_audio(commit=True)``, ``send_text()``)
    once the previous answer is complete is not a barge-in on that answer when no sink plays it: the answer was
    handed over, not played.

    Args:
        model: the model (or Azure deployment) to talk to. The default, ``"gpt-4o-realtime"``, stands for the
            service's current realtime model: ``gpt-realtime`` on OpenAI and Voice Live (see
            :data:`pyagent.voice._config.SERVICE_MODELS`); Azure OpenAI needs the deployment's name.
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
        clock: the session's time source: of the playback clock and of each turn's timings (a ``ManualClock`` in
            tests).
        transcription_model: the service's model for transcribing the user, or None for no user transcripts.
        connect_options: extra keyword arguments for :func:`pyagent.realtime.connect` (``api_version``,
            ``connection_options``, ``headers``...).
        reconnect: ``True`` (the default policy), ``False``, or a :class:`ReconnectPolicy`. When the connection ends
            in a way worth retrying (1001, 1006, 1011, 1012, 1013, a keepalive timeout, a handshake that times out
            or gets a 5xx), the session connects again, sends its configuration and replays the conversation, so
            the model goes on knowing it; with ``renew_before_expiry`` it moves to a new connection between turns
            before the service's maximum duration. See the README's "Long conversations".

    Raises:
        ConfigurationError: an argument the session cannot use (an endpoint without a scheme, an unknown dialect, a
            rate out of range, ``reconnect`` neither a bool nor a policy; a ``ConfigurationTypeError`` for a wrong
            kind), here rather than when connecting.
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
        reconnect: bool | ReconnectPolicy = True,
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
        self._policy = coerce_policy(reconnect)
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
        self._turn_lock = asyncio.Lock()  # one caller turn at a time on the one input buffer
        self._emitter = EventEmitter()
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._wire: WireAudio = SERVICE_AUDIO
        self._playback = PlaybackClock(SERVICE_AUDIO.format.sample_rate, clock=self._clock)
        self._conn: RealtimeConnection | None = None
        self._wire_dialect: Dialect | None = None  # the last connection's: the barrier's shape during a gap
        self._closed_error: SessionClosedError | None = None
        # The connection's redaction (its credentials, in every form), kept after it closes: what the session logs
        # or raises of text it did not make itself goes through it.
        self._redact: Callable[[str], str] = str
        self.context: dict[str, Any] = {}
        """The application's own values for this conversation, for handlers and tools (:func:`current_session`):
        ``pyagent.telephony`` puts the phone call's ids under ``"call"``."""
        self._snapshot: SessionSnapshot | None = None  # from_snapshot(): replayed on connect
        self._reset_connection_state()

    def _reset_connection_state(self) -> None:
        """A fresh conversation for ``connect()``; reconnects keep all of this but the connection."""
        wire = self._wire.format
        keep = wire.bytes_per_second * self._policy.max_replay_audio_seconds if self._policy is not None else 0
        self._core = VoiceCore(
            self._playback,
            server_turn_detection=self._turn_detection.enabled,
            input_bytes_per_second=wire.bytes_per_second,
            output_bytes_per_second=wire.bytes_per_second,
            machine=self._machine,
            keeper=InputAudioKeeper(wire.bytes_per_second, int(keep)),
        )
        self._replies = Replies(self._audio, wire)
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._input = InputConverter(self._audio, wire)
        self._append_bytes = wire.ms_to_bytes(_APPEND_MS)
        self._requests: dict[str, asyncio.Future[None]] = {}
        self._closed = asyncio.Event()  # set when this connection's session ends
        self._watch: _observer.SessionWatch | None = None  # an observer's (pyagent.telemetry), or None
        # Between two connections (and while connect() opens the first): calls wait on the gap, audio is buffered.
        self._gap: asyncio.Event | None = None
        self._gap_audio = bytearray()
        gap_seconds = (self._policy or ReconnectPolicy()).max_gap_audio_seconds
        self._gap_limit = int(self._wire.format.bytes_per_second * gap_seconds)
        self._epoch = 0  # one per connection: the core's events from before a loss are not sent after it
        self._restoring = False  # the new connection is being configured and restored: only the restore sends
        self._attempt_error: SessionClosedError | None = None  # the connection being restored ended meanwhile
        self._link_ended = asyncio.Event()  # the reader of the current connection decided what its end means
        self._opening = False  # connect() is under way: a failure is raised by connect(), not told as an event
        self._reconnector: asyncio.Task[None] | None = None
        self._renewal: asyncio.Task[None] | None = None
        self._renew_due = False
        self._attempts = Attempts()  # carried across reconnects until a connection lasts

    def __repr__(self) -> str:
        return f"VoiceSession(model={self._model!r}, voice={self._voice!r}, state={self.state.name})"

    # ------------------------------------------------------------------------------------------------ properties

    @property
    def state(self) -> SessionState:
        """Where the session is: IDLE, CONNECTING, CONNECTED, LISTENING, PROCESSING, SPEAKING or DISCONNECTED."""
        return self._machine.state

    @property
    def model(self) -> str:
        """The model (or deployment) the session talks to, as given."""
        return self._model

    @property
    def voice(self) -> str:
        """The assistant's voice."""
        if isinstance(self._voice, Mapping):
            return str(self._voice.get("name", self._voice.get("type", "")))
        return self._voice

    @property
    def is_connected(self) -> bool:
        """True from the end of ``connect()`` until the session is disconnected, but while it reconnects."""
        return (
            self._conn is not None
            and self._gap is None
            and self.state not in (SessionState.IDLE, SessionState.DISCONNECTED)
        )

    @property
    def session_id(self) -> str:
        """The service's id of this session (``""`` until connected)."""
        return self._core.session_id

    @property
    def conversation(self) -> Conversation:
        """The conversation as the service holds it, read-only and live: items in the service's order, each with
        its id, role, type, text or transcript, audio duration (ms), status and where barge-in truncated it."""
        return Conversation(self._core.conversation)

    @property
    def has_pending_response(self) -> bool:
        """True when :meth:`receive` has a response to return without new user input: one is queued, being
        produced, asked for, or owed to a committed user turn."""
        open_or_reopening = self._conn is not None or self._gap is not None
        return self._replies.outbox.has_result or (open_or_reopening and self._core.busy)

    @property
    def dialect(self) -> Dialect | None:
        """The connection's dialect, once connected."""
        return self._wire_dialect if self._conn is not None or self._gap is not None else None

    @property
    def reconnect_policy(self) -> ReconnectPolicy | None:
        """How the session reconnects; None when it does not."""
        return self._policy

    @property
    def audio_format(self) -> AudioSettings:
        """The audio format the user sends and receives."""
        return self._audio

    @property
    def wire_audio_format(self) -> AudioFormat:
        """The audio format on the wire, chosen at ``connect()``: the user's own when the service speaks it (G.711 at
        8 kHz everywhere, PCM16 at 24 kHz, Voice Live's 8 and 16 kHz PCM16), so nothing is converted; else PCM16
        24 kHz mono. :attr:`playback` counts in it."""
        return self._wire.format

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
        """The assistant's audio as played, in the wire format (:attr:`wire_audio_format`): a speaker sink reads
        from it, or a phone bridge sends it (``PlaybackClock.use_carrier``), and barge-in truncates at what was
        played; with neither, playback is simulated in real time (see the class's notes)."""
        return self._playback

    # ------------------------------------------------------------------------------------------------ events

    def on(self, name: str) -> Callable[[H], H]:
        """Decorator registering a handler (sync or async) of an event.

        Events: ``speech_started()``, ``speech_ended()``, ``response_started()``, ``transcript_available(text,
        role, item_id)``, ``response_done(response)``, ``audio(data)``, ``function_call(call)``,
        ``state_changed(new, old)``, ``interrupted(interruption)``, ``dtmf(digit)``, ``error(error)``,
        ``reconnecting(attempt, delay, code, reason)`` (a new connection is about to be tried, ``delay`` seconds from
        now; ``code`` is the close that caused it, None for a renewal) and ``reconnected(session_id)`` (the new
        connection is configured and the conversation restored). A handler may take fewer arguments than its event
        carries. A handler that raises is logged and the session goes on. A handler the reconnecting itself runs
        (``reconnecting``, and ``state_changed`` to CONNECTING on a renewal) cannot await a call that needs the
        connection: it would wait for itself, so the call raises ``InvalidStateError``; start it in a task.

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
        self._core.server_turn_detection = enabled
        if self.is_connected:
            # The settings as they are now: a later change sends its own update.
            self._spawn(self._update_session(self._flat_session()), "session.update")

    def configure_audio(
        self, sample_rate: int | None = None, channels: int | None = None, format: str | None = None
    ) -> None:
        """Set the format of the audio the user sends and receives; the session converts to and from the service's.

        The next ``connect()`` asks the service for this format on the wire when it speaks it (G.711 at 8 kHz on
        every dialect, PCM16 at 24 kHz, Voice Live's 8 and 16 kHz PCM16), and then converts nothing in either
        direction; a connected session keeps its wire format and converts.

        Args:
            sample_rate: 8000 to 48000 Hz (G.711 formats are 8000 Hz and default to it).
            channels: 1 or 2.
            format: ``"pcm16"``, ``"g711_ulaw"`` or ``"g711_alaw"``.

        Raises:
            ConfigurationError: an unsupported combination.
        """
        self._audio = self._audio.replace(sample_rate=sample_rate, channels=channels, format=format)
        self._replies.settings = self._audio
        if self.state not in (SessionState.IDLE, SessionState.DISCONNECTED):  # else connect() builds it for its wire
            self._input = InputConverter(self._audio, self._wire.format)

    async def notify_dtmf(self, digit: str) -> None:
        """A key the caller pressed on the phone (a phone bridge calls it): the ``dtmf(digit)`` handlers run.

        Args:
            digit: one of ``0``-``9``, ``*``, ``#``, ``A``-``D`` (RFC 4733's DTMF events).

        Raises:
            ConfigurationError: anything else.
        """
        if len(digit) != 1 or digit not in _DTMF_DIGITS:
            raise ConfigurationError(f"a DTMF digit is one of {_DTMF_DIGITS}, not {digit!r}")
        await self._emitter.emit("dtmf", digit)

    def set_audio_source(self, source: AudioSource | None) -> None:
        """Where :meth:`listen` reads from: an async iterable of chunks in the session's format; None for the
        microphone.

        Raises:
            ConfigurationTypeError: ``source`` is neither.
        """
        self._audio_source = check_source(source, "the audio source")

    def _flat_session(self) -> dict[str, Any]:
        return build_flat_session(
            voice=self._voice,
            instructions="",
            turn_detection=self._turn_detection,
            language=self.language,
            transcription_model=self._transcription_model,
            agent_fields=self.agent.session_fields() if self.agent else None,
            audio_fields=self._wire.fields,
        )

    async def _update_session(self, flat: Mapping[str, Any], *, conn: RealtimeConnection | None = None) -> None:
        """Send a ``session.update`` and wait for the service's answer.

        Args:
            conn: the connection being restored (only the restore sends on it); None for the current one.

        Raises:
            ResponseError: the service refused it.
            SessionClosedError: the session closed first.
        """
        target = conn or await self._connection()
        send = self._core.session_update(target.dialect.session_to_wire(dict(flat)))
        event_id = send.event["event_id"]
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        answered.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._requests[event_id] = answered
        try:
            await self._send(send.event, conn=target)
            await answered
        finally:
            self._requests.pop(event_id, None)

    # ------------------------------------------------------------------------------------------------ snapshots

    def snapshot(self) -> SessionSnapshot:
        """The conversation and the settings to resume it elsewhere (:meth:`from_snapshot`); never a credential.

        Best taken between turns: a response still being produced is left out. User turns are kept as their
        transcripts or, while none is known, their audio (kept by a session that reconnects, up to
        :class:`ReconnectPolicy`'s ``max_replay_audio_seconds``; without it such a turn is left out), assistant turns
        as text cut where they were heard, function calls with their outputs.
        """
        history, _ = self._core.history()
        return take_snapshot(
            model=self._model,
            voice=self._voice,
            language=self.language,
            transcription_model=self._transcription_model,
            audio=self._audio,
            turn_detection=self._turn_detection,
            dialect=self._dialect_name,
            agent=self.agent,
            items=history,
            session_id=self.session_id,
        )

    @classmethod
    def from_snapshot(
        cls,
        snapshot: SessionSnapshot,
        *,
        agent: Agent | None = None,
        endpoint: str | None = None,
        credential: Any = None,
        dialect: str | None = None,
        reconnect: bool | ReconnectPolicy = True,
        audio_source: AudioSource | None = None,
        clock: Clock | None = None,
        connect_options: Mapping[str, Any] | None = None,
    ) -> _Connecting:
        """Resume a conversation from :meth:`snapshot`: ``await`` it (or ``async with`` it) to connect, send the
        snapshot's configuration and replay its conversation before anything new.

        Args:
            snapshot: what :meth:`snapshot` gave (here or in another process: :meth:`SessionSnapshot.from_json`).
            agent: the agent, with the Python tools the snapshot's schemas name (its instructions win over the
                snapshot's); None for the snapshot's instructions alone, when it has no tools.
            endpoint, credential, connect_options: where and how to connect, as for the constructor (a snapshot
                holds none of them).
            dialect: the dialect; None for the snapshot's.
            reconnect, audio_source, clock: as for the constructor.

        Raises:
            ConfigurationError: a tool the snapshot names is not among the agent's (the message names them), or a
                setting is out of range. Once awaited: what :meth:`connect` raises.
        """
        agent, audio, turn_detection = resume_settings(snapshot, agent)
        session = cls(
            model=snapshot.model,
            voice=snapshot.voice,
            agent=agent,
            language=snapshot.language,
            endpoint=endpoint,
            credential=credential,
            dialect=dialect or snapshot.dialect,
            audio_source=audio_source,
            clock=clock,
            transcription_model=snapshot.transcription_model,
            connect_options=connect_options,
            reconnect=reconnect,
        )
        session.configure_audio(audio.sample_rate, audio.channels, audio.format)
        session._turn_detection = turn_detection
        session._core.server_turn_detection = turn_detection.enabled
        session._snapshot = snapshot
        return _Connecting(session)

    # ------------------------------------------------------------------------------------------------ connecting

    def connect(self) -> _Connecting:
        """Open the session: ``async with session.connect() as voice:`` or ``await session.connect()``.

        Raises (when awaited or entered):
            InvalidStateError: the session is already connected.
            ConfigurationError: no endpoint is configured (the message names the options), or Azure OpenAI without
                a deployment name.
            ResponseError: the service refused the session (its first event was an ``error``; its code and message
                are kept) or its configuration.
            SessionClosedError: the service closed the connection, or did not set the session up in time.
            pyagent.realtime.ConnectionError: the service could not be reached or refused the connection.
        """
        return _Connecting(self)

    def _connect_arguments(self) -> dict[str, Any]:
        """What :func:`connect` takes for this session, resolved again for every connection (credentials too).

        Raises:
            ConfigurationError: no endpoint, an unknown dialect, or Azure OpenAI without a deployment name.
        """
        settings = resolve_endpoint(
            self._endpoint, self._credential, self._dialect_name if self._dialect_name != "auto" else None
        )
        options = dict(self._connect_options)
        try:
            dialect = resolve_dialect(settings.dialect, settings.endpoint or "", options.get("api_version"))
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        model = resolve_model(self._model, dialect.name)
        if model != self._model:
            logger.debug("model %r stands for %s's current realtime model: %s", self._model, dialect.name, model)
        return {"endpoint": settings.endpoint, "credential": settings.credential, "model": model, "dialect": dialect}

    async def _open(self) -> VoiceSession:
        self._machine.check("connect")
        arguments = self._connect_arguments()
        self._wire = choose_wire_audio(self._audio, arguments["dialect"])
        self._reset_connection_state()
        if self._snapshot is not None:  # kept until a connection restored it
            self._core.seed(list(self._snapshot.items))
        self._closed_error = None
        wire = self._wire.format
        self._playback.reset(sample_rate=wire.sample_rate, encoding=wire.encoding)
        self._gap = asyncio.Event()
        self._opening = True
        try:
            await self._emit_state(Trigger.CONNECT)
            try:
                conn = await connect(**arguments, **self._connect_options)
            except BaseException:
                self._end_gap()
                await self._emit_state(Trigger.FAILED)
                raise
            try:
                await self._establish(conn)
            except BaseException as exc:
                closing = exc if isinstance(exc, SessionClosedError) else None
                await self._shutdown(closing, by_user=closing is None)
                if isinstance(exc, TimeoutError):
                    raise SessionClosedError("the service did not set up the session in time") from exc
                if isinstance(exc, ConnectionClosed):
                    raise _closed_error(exc) from exc
                raise
        finally:
            self._opening = False
        self._snapshot = None
        logger.info("voice session %s connected (%s)", self.session_id, conn.dialect.name)
        return self

    async def _establish(self, conn: RealtimeConnection) -> None:
        """Make ``conn`` the session's connection: its session announced, configured, the conversation restored.

        Raises:
            ResponseError: the service refused the session or its configuration.
            SessionClosedError: the connection closed meanwhile.
            TimeoutError: the service did not announce or configure the session in time.
        """
        self._conn = conn
        self._redact = conn.redact
        if self._watch is not None:
            self._watch.moved(conn)  # a reconnect: the conversation's turns go on under the new connection
        else:
            observer = _observer.current()
            model = resolve_model(self._model, conn.dialect.name)
            self._watch = observer.session_connected(self, conn, model) if observer is not None else None
        self._wire_dialect = conn.dialect
        self._link_ended = asyncio.Event()
        self._restoring = True
        self._attempt_error = None
        try:
            async with asyncio.timeout(_SETUP_TIMEOUT):
                first = await conn.recv()
                name = conn.dialect.canonical_event_name(first.type)
                if name == "error":
                    detail = getattr(first, "error", None) if not isinstance(first, InvalidEvent) else None
                    raise service_error(detail, "the service refused the session")
                if name != "session.created":
                    raise ResponseError(f"the service's first event was {first.type!r}, not session.created")
                self._core.receive(name, first, now=self._clock.now())
                self._reader = asyncio.create_task(self._read_loop(conn), name="pyagent-voice-reader")
                await self._update_session(self._flat_session(), conn=conn)
            effects = self._core.restore(
                assistant_text_type="output_text" if conn.dialect.uses_ga_names else "text",
                barrier=conn.dialect.session_to_wire({}),
                gap_audio=bytes(self._gap_audio),
            )
            self._gap_audio.clear()
            await self._emit_state(Trigger.OPENED)
            await self._carry_out(effects, conn=conn)
            if self._attempt_error is not None:
                raise self._attempt_error
        finally:
            self._restoring = False
        self._core.restored()
        self._attempts.connected_at = asyncio.get_running_loop().time()
        self._end_gap()
        self._schedule_renewal(conn.dialect.name)

    def _end_gap(self) -> None:
        """Wake whoever waits for a connection: it is there (or the session ended)."""
        gap, self._gap = self._gap, None
        if gap is not None:
            gap.set()

    async def disconnect(self) -> None:
        """Close the session; it ends DISCONNECTED. Disconnecting a session that is not connected does nothing.

        It returns promptly even while the service is still streaming: the frames nobody will read are discarded.
        Disconnecting while the session reconnects stops the reconnecting.
        """
        if self._conn is None and self._gap is None:
            return
        await self._shutdown(SessionClosedError("the session was disconnected"), by_user=True)

    async def _shutdown(self, error: SessionClosedError | None, *, by_user: bool) -> None:
        if self._closed.is_set():
            return  # already ended (the reader saw the close while connect() was failing, say)
        # A session that fails while connecting tells its caller by raising from connect(), not with an event too.
        by_user = by_user or self._opening
        conn, self._conn = self._conn, None
        self._closed.set()
        reader, self._reader = self._reader, None
        reconnector, self._reconnector = self._reconnector, None
        renewal, self._renewal = self._renewal, None
        current = asyncio.current_task()
        tasks = [
            task for task in (*self._tasks, reader, reconnector, renewal) if task is not None and task is not current
        ]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        error = error or SessionClosedError("the session was disconnected")
        # DISCONNECTED first; then every wait ends with the error; then the error handlers hear it (once).
        effects = self._core.closed(error, by_user=by_user)
        self._closed_error = self._core.closed_error
        closed = self._closed_error or error
        self._fail_requests(closed)
        self._replies.close(closed)
        self._gap_audio.clear()
        self._end_gap()
        await self._carry_out(effects)
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.closed(None if by_user else closed)
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if conn is not None:
            await conn.close()

    def _fail_requests(self, error: SessionClosedError) -> None:
        for event_id, waiter in list(self._requests.items()):
            if not waiter.done():
                waiter.set_exception(error)
            self._requests.pop(event_id, None)

    # ------------------------------------------------------------------------------------------------ reconnecting

    async def _connection_lost(self, conn: RealtimeConnection, error: SessionClosedError) -> None:
        """The reader saw ``conn`` end: reconnect when that is worth it, else end the session."""
        if self._policy is None or not should_retry(error):
            await self._shutdown(error, by_user=False)
            return
        self._attempts.reset_if_lasted(asyncio.get_running_loop().time(), self._policy, _STABLE_SECONDS)
        logger.info("voice session %s: %s; reconnecting", self.session_id, error)
        self._begin_gap()
        effects = self._core.connection_lost(str(error))
        # Started first: a handler of what the loss ends (interrupted, response_done) may await a call that waits
        # for the new connection. It runs once this task first waits, so a handler that does not wait is told first.
        self._reconnector = asyncio.create_task(
            self._reconnect(error.code, error.reason or str(error), error), name="pyagent-voice-reconnect"
        )
        await self._carry_out(effects)
        await conn.close()

    def _begin_gap(self) -> None:
        """No connection until the next is restored: calls wait, audio is buffered, older events are not sent."""
        self._epoch += 1
        self._conn = None
        self._reader = None
        self._gap = self._gap or asyncio.Event()
        if self._renewal is not None and self._renewal is not asyncio.current_task():
            self._renewal.cancel()
        self._renewal = None
        self._renew_due = False

    async def _reconnect(self, code: int | None, reason: str, cause: SessionClosedError | None) -> None:
        """Try new connections until one is restored or the policy gives up (then the session ends)."""
        assert self._policy is not None

        async def tell(attempt: int, delay: float, code: int | None, reason: str) -> None:
            if self._watch is not None:
                self._watch.reconnecting(attempt, delay, code, reason)
            await self._emitter.emit("reconnecting", attempt, delay, code, reason)

        restored, failure = await run_attempts(
            self._policy,
            self._attempts,
            code=code,
            reason=reason,
            attempt=self._attempt,
            tell=tell,
            random=random.random,
        )
        self._reconnector = None
        if restored:
            logger.info("voice session reconnected as %s", self.session_id)
            await self._emitter.emit("reconnected", self.session_id)
            return
        await self._shutdown(gave_up(cause, failure, self._attempts.count), by_user=False)

    async def _attempt(self) -> None:
        """One new connection, configured and restored; on failure it is closed and the error raised."""
        conn = await connect(**self._connect_arguments(), **self._connect_options)
        try:
            await self._establish(conn)
        except Exception as exc:
            await self._abandon_attempt(conn, exc)
            raise

    async def _abandon_attempt(self, conn: RealtimeConnection, error: BaseException) -> None:
        """A new connection failed before it was restored: back to waiting for the next, nothing lost."""
        reader, self._reader = self._reader, None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader
        self._fail_requests(error if isinstance(error, SessionClosedError) else SessionClosedError(str(error)))
        if self._core.online:  # the restore had begun: what it sent is sent again by the next
            self._begin_gap()
            await self._carry_out(self._core.connection_lost(str(error)))
        else:
            self._epoch += 1
            self._conn = None
        await conn.close()

    def _schedule_renewal(self, dialect: str) -> None:
        # The service's own word on this session's end (session.created's expires_at, wall-clock seconds) wins
        # over the dialect's usual maximum.
        expires_at = self._core.expires_at
        announced = expires_at - time.time() if expires_at is not None else None
        if announced is not None and announced <= 0:
            logger.debug("the service's expires_at is already past (%s): its clock is not ours; ignored", expires_at)
            announced = None
        after = self._policy.renew_after(dialect, announced) if self._policy is not None else None
        if after is None:
            return

        async def wait() -> None:
            await asyncio.sleep(after)
            self._renew_due = True
            self._maybe_renew()

        self._renewal = asyncio.create_task(wait(), name="pyagent-voice-renewal")

    def _maybe_renew(self) -> None:
        """Move to a new connection now, if one is due and nothing is under way."""
        if not self._renew_due or not self._core.quiet or self._gap is not None or self._closed.is_set():
            return
        self._renew_due = False
        self._reconnector = asyncio.create_task(self._renew(), name="pyagent-voice-renew")

    async def _renew(self) -> None:
        conn = self._conn
        if conn is None:
            return
        reason = "renewing the connection before the service's maximum session duration"
        logger.info("voice session %s: %s", self.session_id, reason)
        self._attempts.count = 0
        self._begin_gap()
        await self._carry_out(self._core.connection_lost(reason))
        await conn.close()
        await self._reconnect(None, reason, None)

    # ------------------------------------------------------------------------------------------------ sending

    def _not_connected(self) -> SessionClosedError:
        """Why there is no connection: how the last one ended, or that there never was one."""
        return self._closed_error or SessionClosedError("the session is not connected")

    def _check(self, call: str) -> None:
        """Refuse a call the state does not allow; after the service ended the session, with why it ended."""
        if self._closed_error is not None and self.state is SessionState.DISCONNECTED:
            raise self._closed_error
        self._machine.check(call)

    async def _ready(self, call: str) -> None:
        """Refuse a call the state does not allow; while the session (re)connects, wait for the connection.

        Raises:
            InvalidStateError: the call was made by a handler the reconnecting itself runs (``reconnecting``,
                ``state_changed``...): it would wait for the reconnect it is part of.
        """
        self._check(call)
        gap = self._gap
        if gap is not None and self._reconnector is not None and asyncio.current_task() is self._reconnector:
            raise InvalidStateError(
                f"{call}() was called from a handler run while the session reconnects, and would wait for that "
                "reconnect; start it in a task (asyncio.create_task) instead",
                state=self.state.name,
                call=call,
            )
        if gap is not None:
            await gap.wait()
            if self._conn is None:
                raise self._not_connected()

    async def _connection(self) -> RealtimeConnection:
        """The connection to send on; while the session reconnects, the next one once it is restored.

        Raises:
            SessionClosedError: the session is closed (or closed meanwhile).
        """
        while self._conn is None or self._restoring:
            gap = self._gap
            if gap is None:
                raise self._not_connected()
            await gap.wait()
        return self._conn

    async def _send(
        self, event: Mapping[str, Any], *, conn: RealtimeConnection | None = None, epoch: int | None = None
    ) -> None:
        """Send one event. ``conn``: the connection being restored; ``epoch``: the core's event is dropped when
        the connection it was meant for was lost meanwhile (the restore covers it)."""
        target = conn or await self._connection()
        if epoch is not None and epoch != self._epoch:
            logger.debug("not sent (its connection was lost): %s", event.get("type"))
            return
        try:
            await target.send(event)
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc
        self._core.sent(event)

    async def _append(self, wire_audio: bytes) -> None:
        size = self._append_bytes
        for start in range(0, len(wire_audio), size):
            await self._append_chunk(wire_audio[start : start + size])

    async def _append_chunk(self, chunk: bytes) -> None:
        """Append the user's audio; while the session reconnects, buffer it (up to the policy's bound, then wait).

        It goes out as a typed event: the codec encodes a Struct in one call where it first checks a mapping against
        its Struct, and a phone call sends fifty a second.
        """
        event = InputAudioBufferAppend(audio=chunk)
        while True:
            gap = self._gap
            if gap is not None:
                if len(self._gap_audio) + len(chunk) <= self._gap_limit:
                    self._gap_audio += chunk
                    return
                await gap.wait()
                continue
            conn = self._conn
            if conn is None:
                raise self._not_connected()
            ended = self._link_ended
            try:
                await conn.send(event)
            except ConnectionClosed as exc:
                if self._policy is None:
                    raise _closed_error(exc) from exc
                await ended.wait()  # the reader decides: reconnect (a gap) or close
                continue
            self._core.sent_audio(chunk)
            return

    async def send_audio(self, audio_data: bytes, commit: bool = True) -> None:
        """Send the user's audio (in the session's audio format).

        Args:
            audio_data: audio chunk; any length.
            commit: True ends the user's turn here and asks for the response (read it with :meth:`receive`).
                With the service's turn detection on, the turn is all the audio sent since the last turn ended,
                however many items the service cut it into, and it is answered once.

        Raises:
            ConfigurationTypeError: ``audio_data`` is not bytes-like (text goes to :meth:`send_text`), or ``commit``
                is not a bool.
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed (with the service's code and reason).
        """
        self._check("send_audio")
        chunk = bytes(check_audio_chunk(audio_data, "send_audio()'s audio_data"))
        check_flag(commit, "send_audio()'s commit")
        if not commit:  # while the session reconnects, buffered (see ReconnectPolicy.max_gap_audio_seconds)
            async with self._turn_lock:  # never inside another caller's turn
                await self._append(self._input.process(chunk))
            return
        await self._ready("send_audio")
        await self._caller_turn([chunk], claim=False)

    async def _caller_turn(self, audio: UserAudio, *, claim: bool) -> int:
        """Open a turn, send its audio, end it on the wire; return its number once ended.

        Caller turns go one at a time (the service has one input buffer): a second ``respond()`` made while one
        sends its audio waits for that turn to be ended on the wire.
        """
        async with self._turn_lock:
            return await self._send_turn(audio, claim=claim)

    async def _send_turn(self, audio: UserAudio, *, claim: bool, whole: bool = False) -> int:
        """Send a caller's turn; ``whole``: it is the whole turn (``respond()``), so it must hold a turn's audio."""
        number, effects = self._core.open_turn(now=self._clock.now())
        self._replies.open(number, claim=claim)
        await self._carry_out(effects)
        try:
            sent = 0
            async for chunk in _chunks_of(audio, "respond()'s user_audio"):
                sent += len(chunk)
                await self._append(self._input.process(chunk))
            if whole:
                check_turn_audio(sent, self._audio, "respond()'s user_audio")
            await self._append(self._input.flush())
        except BaseException:
            await self._carry_out(self._core.abandon_turn(number))
            raise
        dialect = self._wire_dialect
        assert dialect is not None  # set by the first connection
        await self._carry_out(self._core.end_turn(number, dialect.session_to_wire({}), now=self._clock.now()))
        await self._replies.wait_ended(number)
        return number

    async def send_text(self, text: str) -> None:
        """Send the user's turn as text and ask for the response (read it with :meth:`receive`).

        Raises:
            ConfigurationTypeError: ``text`` is not a str.
            ConfigurationError: ``text`` is empty or blank.
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed.
        """
        text = check_text(text, "send_text()'s text")
        await self._ready("send_text")
        number, effects = self._core.text_turn(text, now=self._clock.now())
        self._replies.open(number, claim=False)
        await self._carry_out(effects)

    # ------------------------------------------------------------------------------------------------ receiving

    async def receive(self) -> VoiceResponse:
        """The next complete response: audio (in the session's format), transcript, text, tool calls, usage.

        Raises:
            SessionClosedError: the connection closed before the response was complete (state DISCONNECTED).
            ResponseError: the service refused the turn or reported that the response failed.
        """
        if not self._replies.outbox:
            self._check("receive")
        _, item = await self._replies.outbox.get_whole()
        if isinstance(item, BaseException):
            raise item
        return item

    async def stream_receive(self) -> AsyncIterator[ResponseChunk]:
        """The next response's pieces as they arrive: audio chunks (``.data``), transcript and text deltas.

        Ends when the response is complete (tool calls included).

        Raises:
            SessionClosedError: the connection closed mid-response.
            ResponseError: the service refused the turn or reported that the response failed.
        """
        if not self._replies.outbox:
            self._check("stream_receive")
        while True:
            _, item = await self._replies.outbox.get()
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, VoiceResponse):
                return
            yield item

    async def respond(self, user_audio: UserAudio) -> VoiceResponse:
        """Send one whole user turn, end it, ask for its answer and return that answer.

        The turn is one turn however the service's turn detection cuts it (a recording with pauses becomes several
        items, answered once, with ``input_transcript`` joining them in order). Answers to earlier turns that
        nobody received are dropped. Not a barge-in on a complete answer that no sink plays (see the class's
        notes). Exchanges go one at a time: a ``respond()`` made while another runs (or while ``send_audio()``
        sends a turn) waits for it, so turns never mix in the service's one input buffer.

        Args:
            user_audio: the turn's audio in the session's format: bytes, or an (async) iterable of chunks sent as
                they come (a file streamed at its pace, a microphone until the caller stops it).

        Raises:
            ConfigurationTypeError: ``user_audio`` (or a chunk of it) is not audio as bytes.
            ConfigurationError: less than 100 ms of audio (the services refuse to end a shorter turn), or bytes that
                are not whole sample frames of the session's format.
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed before the answer was complete (state DISCONNECTED).
            ResponseError: the service refused the turn or reported that the response failed.
        """
        user_audio = check_user_audio(user_audio, "respond()'s user_audio")
        if isinstance(user_audio, bytes | bytearray | memoryview):  # an iterable is checked as it is sent
            check_turn_audio(len(user_audio), self._audio, "respond()'s user_audio")
        await self._ready("respond")
        async with self._turn_lock:  # one exchange at a time: a second respond() waits for this one's answer
            self._replies.drop_unclaimed_before(self._core.next_turn_number)
            number = await self._send_turn(user_audio, claim=True, whole=True)
            return await self._replies.wait_answer(number)

    async def interrupt(self) -> bool:
        """Interrupt the assistant now, as if the user had started to speak (without a new user turn).

        Returns:
            True when something was interrupted (a response was asked for, active, or its audio was playing).

        Raises:
            InvalidStateError: the session is not connected.
            SessionClosedError: the connection closed.
        """
        self._check("interrupt")
        interrupted, effects = self._core.interrupt("user", now=self._clock.now())
        await self._carry_out(effects)
        return interrupted

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
            ConfigurationError: ``timeout`` negative, NaN or infinite (None waits for ever).
            SessionClosedError: the session closed while listening.
            pyagent.audio.errors.AudioDeviceError: no audio source was given and there is no microphone (the
                ``devices`` extra and PortAudio are needed).
        """
        timeout = check_timeout(timeout, "listen()'s timeout")
        await self._ready("listen")
        source = self._audio_source
        if source is None:
            from pyagent.audio import check_devices

            check_devices()  # fail now, with what to install, rather than inside the stream
            source = microphone(self._audio)
            self._audio_source = source
        listening = asyncio.ensure_future(self._listen(source))
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wait((listening, closed), return_when=asyncio.FIRST_COMPLETED)
            if listening.done():
                return listening.result()
            raise self._not_connected()  # the session closed while listening
        except TimeoutError:
            raise ListenTimeoutError(f"no complete utterance within {timeout} s") from None
        finally:
            closed.cancel()
            if not listening.done():
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening

    async def _listen(self, source: AudioSource) -> bytes:
        from pyagent.audio import VoiceActivityDetector  # numpy: the first local detection loads it
        from pyagent.voice._user_audio import decode_user_audio, encode_user_audio

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
                    await self._carry_out(self._core.local_speech_started(now=self._clock.now()))
                else:
                    await self._emitter.emit("speech_ended")
                    return encode_user_audio(event.audio, settings)
        return b""

    # ------------------------------------------------------------------------------------------------ the shell

    def _spawn(self, coro: Any, what: str) -> None:
        async def run() -> None:
            try:
                await coro
            except SessionClosedError:
                logger.debug("%s: the session closed", what)
            except Exception as exc:
                self._log_failure(what, exc)
                await self._emitter.emit("error", exc)

        task = asyncio.create_task(run(), name=f"pyagent-voice-{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _log_failure(self, what: str, exc: BaseException) -> None:
        """An unexpected exception: one ERROR line and the traceback at DEBUG, both through the redaction (a
        traceback quotes messages, and a message may quote what a service or a library was given)."""
        logger.error("%s failed: %s", what, self._redact(f"{type(exc).__name__}: {exc}"))
        logger.debug("%s", self._redact("".join(traceback.format_exception(exc))))

    async def _emit_state(self, trigger: Trigger) -> None:
        change = self._machine.apply(trigger)
        if change is not None:
            new, old = change[1], change[0]
            logger.debug("state %s -> %s", old.name, new.name)
            await self._emitter.emit("state_changed", new, old)

    async def _carry_out(self, effects: list[Effect], *, conn: RealtimeConnection | None = None) -> None:
        """Carry out the core's effects, in order (``conn``: the restore's, on the connection being restored)."""
        epoch = self._epoch  # the core decided these for this connection
        for effect in effects:
            if self._watch is not None:
                self._watch.effect(effect)
            if isinstance(effect, Send):
                try:
                    await self._send(effect.event, conn=conn, epoch=epoch)
                except SessionClosedError as exc:
                    logger.debug("not sent (%s): %s", exc, effect.event.get("type"))
            elif isinstance(effect, Emit):
                if effect.name == "state_changed":
                    new, old = effect.args
                    logger.debug("state %s -> %s", old.name, new.name)
                await self._emitter.emit(effect.name, *effect.args)
            elif isinstance(effect, Audio):
                data = self._replies.audio(effect.turn, effect.data, effect.response_id, effect.item_id)
                if data:
                    await self._emitter.emit("audio", data)
            elif isinstance(effect, Chunk):
                self._replies.words(effect.turn, effect.kind, effect.text, effect.response_id, effect.item_id)
            elif isinstance(effect, RunTools):
                self._spawn(self._run_tools(effect), "tools")
            elif isinstance(effect, TurnEnded):
                self._replies.ended(effect.turn)
            elif isinstance(effect, TurnMerged):
                self._replies.merged(effect.turn, effect.into)
            elif isinstance(effect, TurnFinished):
                if self._gap is None and effect.outcome.interruption is None:
                    self._attempts.count = 0  # this connection answered a turn: it works
                response, tail = self._replies.finish(effect.outcome)
                if tail:
                    await self._emitter.emit("audio", tail)
                await self._emitter.emit("response_done", response)
            elif isinstance(effect, TurnFailed):
                self._replies.fail(effect.turn, effect.error, to_outbox=not effect.abandoned)
            elif isinstance(effect, TurnInterrupted):
                self._replies.interrupted(effect.turn, effect.interruption, self._clock.now())
            elif isinstance(effect, RequestDone):
                waiter = self._requests.get(effect.event_id)
                if waiter is not None and not waiter.done():
                    if effect.error is None:
                        waiter.set_result(None)
                    else:
                        waiter.set_exception(effect.error)

    async def _run_tools(self, run: RunTools) -> None:
        running_tools_for(self)  # this task's context: current_session() inside the tools
        records: list[ToolCallRecord] = []
        try:
            for call in run.calls:
                watch = self._watch.tool(run.turn, call.call_id, call.name, call.arguments) if self._watch else None
                record = await (self.agent or Agent()).run_tool_call(call.name, call.call_id, call.arguments)
                if watch is not None:
                    watch.finished(record)
                records.append(record)
                await self._emitter.emit("function_call", record)
        finally:
            if not self._closed.is_set():  # while the session reconnects, the restore sends the outputs
                await self._carry_out(self._core.tools_done(run.turn, records, now=self._clock.now()))

    async def _read_loop(self, conn: RealtimeConnection) -> None:
        ended = self._link_ended
        try:
            await self._read(conn)
        finally:
            ended.set()

    async def _read(self, conn: RealtimeConnection) -> None:
        error: SessionClosedError
        while True:
            try:
                event = await conn.recv()
            except EventDecodeError as exc:
                # The connection goes on after a frame it cannot read; so does the session, and the user is told.
                logger.warning("the service sent a frame that is not a JSON object: %s", exc)
                await self._emitter.emit("error", exc)
                continue
            except ConnectionClosed as exc:
                error = _closed_error(exc)
                break
            except RealtimeConnectionError as exc:
                error = SessionClosedError(self._redact(f"the connection failed: {exc}"))
                break
            except Exception as exc:
                self._log_failure("the voice session's reader", exc)
                error = SessionClosedError(self._redact(f"the session failed: {type(exc).__name__}: {exc}"))
                break
            if conn is not self._conn:
                return  # a connection the session left (renewed): what it still sends belongs to no one
            name = conn.dialect.canonical_event_name(event.type)
            payload: Any = event
            if isinstance(event, InvalidEvent):
                logger.warning("the service sent a %s that does not fit its schema: %s", event.type, event.error)
                payload = _raw_mapping(event.raw)
            await self._carry_out(self._core.receive(name, payload, now=self._clock.now()))
            if self._renew_due:
                self._maybe_renew()
        if conn is not self._conn:
            return  # a connection the session left (renewed) or gave up on
        if self._restoring:  # the connection being restored: the attempt fails and the next one is tried
            self._attempt_error = error
            self._fail_requests(error)
            return
        if self._reader is asyncio.current_task():  # not when disconnect() cancelled it: that shutdown is under way
            self._reader = None
            logger.info("voice session %s: %s", self.session_id, error)
            await self._connection_lost(conn, error)


# --------------------------------------------------------------------------------------------------- helpers


def _closed_error(exc: ConnectionClosed) -> SessionClosedError:
    detail = f"{exc.code}{', ' + exc.reason if exc.reason else ''}"
    return SessionClosedError(f"the service closed the connection ({detail})", code=exc.code, reason=exc.reason)


def _raw_mapping(raw: str) -> Mapping[str, Any]:
    """The fields of a frame that did not fit its schema, so the core can still read what it needs."""
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, Mapping) else {}


async def _chunks_of(audio: UserAudio, what: str) -> AsyncIterator[bytes]:
    """A user turn's audio as chunks, whether it came whole, as an iterable or as an async iterable.

    Raises:
        ConfigurationTypeError: a chunk that is not audio (bytes-like).
    """
    if isinstance(audio, bytes | bytearray | memoryview):
        yield bytes(audio)
    elif isinstance(audio, AsyncIterable):
        async for chunk in audio:
            yield bytes(check_audio_chunk(chunk, f"a chunk of {what}"))
    else:
        for chunk in audio:
            yield bytes(check_audio_chunk(chunk, f"a chunk of {what}"))
