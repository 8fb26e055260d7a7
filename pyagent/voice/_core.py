"""The voice session's core: turns, responses, requests and barge-in, keyed by the service's ids, without I/O.

Theory of operation
-------------------
:class:`VoiceCore` is fed every server event the session receives (:meth:`VoiceCore.receive`), every client event it
sends (:meth:`VoiceCore.sent`), the user's calls (open and end a turn, send text, interrupt, tool results) and the
end of the connection (:meth:`VoiceCore.closed`). It reads the playback position from a
:class:`~pyagent.audio.PlaybackClock` (itself pure, on an injected clock). Each call returns a list of *effects*, in
the order the session must carry them out: events to send, events to emit to the user's handlers, audio and text
pieces for the caller, tools to run, turns that ended. It does no I/O, reads no clock and never awaits, so tests
drive it with plain dicts and replays of recorded sessions. Time comes in too: each call may say what time it is
(``now=``, seconds of the session's clock), and the turns' moments (:class:`~pyagent.voice._results.TurnTimings`)
are stamped with it.

What it keeps, all keyed by the service's ids (never "the latest item"):

- the conversation (:class:`~pyagent.voice._conversation.ConversationMirror`): items by id, in the service's order;
- responses by ``response_id``, each belonging to one *turn*;
- turns: a user turn is the input items the user gave before the session asked for an answer (several items when
  the service's turn detection cut a recording at its pauses, or one typed message) and the responses that answer
  it (a tool call adds one). Turns are answered one at a time, in order: a turn waits while another's response is
  requested, active, or waiting for its tools' results;
- requests in flight by ``event_id``: ``response.create``, ``session.update`` and every other event the session
  sent with an id, so an ``error`` naming one fails exactly the wait that depends on it. An ``error`` without an
  ``event_id`` fails the ``response.create`` still unanswered, else (a ``server_error``) the active response, else the
  oldest ``session.update``: it never leaves a wait without an outcome.

How a turn the caller ends (``respond()``, ``send_audio(commit=True)``) is cut with the service's turn detection on:
its audio is appended, then an empty ``session.update`` goes out as a barrier (the service answers events in order,
so its answer comes after its turn detection has seen all the audio). Every item the detector committed meanwhile
belongs to the turn. At the barrier's answer: speech still going on -> commit the rest; speech all committed ->
clear the trailing silence; nothing heard at all -> commit anyway (the caller said the turn is over); nothing new
while the detector had already ended a streamed turn -> that turn is the caller's. Then one ``response.create``.
Turns the detector ends in streamed audio (``send_audio(commit=False)``) are answered one by one as they come.

When the connection is lost and the session reconnects, the core outlives it (:meth:`VoiceCore.connection_lost`,
then :meth:`VoiceCore.restore` on the new connection). The conversation, the turns and the user's audio a restore
needs (:class:`~pyagent.voice._history.InputAudioKeeper`) are kept; what belonged to the connection (requests,
responses, the service's detector state) starts afresh. At the loss: the response being produced ends as
interrupted (source ``"connection"``), cut at what the user heard, and playback stops; a response asked for but not
begun goes back to waiting; a turn being ended is ended again; the input not yet committed is sent again. While
offline the core sends nothing: a turn ended, a text typed or a tool's output meanwhile waits for the restore, which
replays the conversation (:func:`~pyagent.voice._history.conversation_history`) before any of it.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import logging
from collections.abc import Mapping
from typing import Any, Literal, Protocol

from pyagent.voice._bargein import Interruption, Playback, Source, plan_barge_in
from pyagent.voice._conversation import ConversationMirror
from pyagent.voice._fields import field, integer, items, text
from pyagent.voice._history import HistoryItem, InputAudioKeeper, conversation_history, restore_events
from pyagent.voice._results import ToolCallRecord, TurnOutcome, TurnTimings
from pyagent.voice._states import SessionState, StateMachine, Trigger
from pyagent.voice.errors import ResponseError, SessionClosedError

__all__ = [
    "Audio",
    "Chunk",
    "Effect",
    "Emit",
    "FunctionCall",
    "PlaybackLike",
    "RequestDone",
    "RunTools",
    "Send",
    "TurnEnded",
    "TurnFailed",
    "TurnFinished",
    "TurnInterrupted",
    "TurnMerged",
    "VoiceCore",
]

logger = logging.getLogger("pyagent.voice")

# Error codes that answer the session's own housekeeping and mean nothing went wrong.
_BENIGN = frozenset({"response_cancel_not_active", "input_audio_buffer_commit_empty"})
# Error codes a service sends just before it closes the session: told once, with the close.
_CLOSING = frozenset({"session_expired"})
_MAX_REQUESTS = 256  # event ids remembered for routing errors
_EVENT_PREFIX = "evt_pyagent_"
_REPLAY_APPEND_MS = 500  # input audio sent again after a restore, per input_audio_buffer.append


class PlaybackLike(Playback, Protocol):
    """What the core needs of :class:`pyagent.audio.PlaybackClock`: barge-in's reads, and queueing received audio."""

    def enqueue(self, item_id: str, content_index: int, data: bytes) -> None: ...

    @property
    def sink_driven(self) -> bool: ...


# --------------------------------------------------------------------------------------------------- effects


@dataclasses.dataclass(frozen=True, slots=True)
class Send:
    """Send this client event (a mapping the codec validates)."""

    event: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Emit:
    """Call the user's handlers of ``name`` with ``args``."""

    name: str
    args: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Audio:
    """Assistant audio (wire format) for a turn: convert it, hand it to the caller, emit ``audio``."""

    turn: int
    response_id: str
    item_id: str
    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Chunk:
    """A transcript or text delta of a turn, for :meth:`VoiceSession.stream_receive`."""

    turn: int
    kind: Literal["transcript", "text"]
    text: str
    response_id: str
    item_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class FunctionCall:
    """A function call the model made, to run."""

    call_id: str
    name: str
    arguments: str
    item_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class RunTools:
    """Run these calls, then give the results to :meth:`VoiceCore.tools_done`."""

    turn: int
    calls: tuple[FunctionCall, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class TurnEnded:
    """The caller's turn is ended on the wire (committed or cleared): the caller may send the next turn's audio."""

    turn: int


@dataclasses.dataclass(frozen=True, slots=True)
class TurnMerged:
    """The caller's turn added nothing: its answer is that of ``into`` (a turn the service's detector ended)."""

    turn: int
    into: int


@dataclasses.dataclass(frozen=True, slots=True)
class TurnFinished:
    """A turn's answer is complete (flush its audio and hand the response over)."""

    outcome: TurnOutcome


@dataclasses.dataclass(frozen=True, slots=True)
class TurnFailed:
    """A turn ended without an answer: the service refused it, the response failed, or the session closed.

    ``abandoned``: the caller stopped sending the turn (its own call raised): nobody else waits for it.
    """

    turn: int
    error: ResponseError | SessionClosedError
    abandoned: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class TurnInterrupted:
    """The user barged in on a turn whose answer was already complete (its audio was still playing): the answer
    handed over must say it was cut, and where."""

    turn: int
    interruption: Interruption


@dataclasses.dataclass(frozen=True, slots=True)
class RequestDone:
    """A ``session.update`` the caller waits for was answered: acknowledged (``error`` None) or refused."""

    event_id: str
    error: ResponseError | SessionClosedError | None = None


Effect = (
    Send
    | Emit
    | Audio
    | Chunk
    | RunTools
    | TurnEnded
    | TurnMerged
    | TurnFinished
    | TurnFailed
    | TurnInterrupted
    | RequestDone
)


# --------------------------------------------------------------------------------------------------- turns


class Phase(enum.Enum):
    """Where a turn is."""

    OPEN = "open"  # the caller is still sending its audio
    ENDING = "ending"  # the barrier or the caller's commit is on its way
    WANT = "want"  # waiting for its turn to be answered
    REQUESTED = "requested"  # response.create sent, response.created not yet here
    ACTIVE = "active"  # a response is being produced
    TOOLS = "tools"  # tools run; their results and the next response follow
    DONE = "done"


@dataclasses.dataclass(slots=True)
class _Turn:
    """One turn of the conversation: what it asked, the responses it made, and how far it got."""

    number: int
    origin: Literal["caller", "detector", "text", "service"]
    phase: Phase = Phase.OPEN
    input_item_ids: list[str] = dataclasses.field(default_factory=list)
    response_ids: list[str] = dataclasses.field(default_factory=list)
    output_item_ids: list[str] = dataclasses.field(default_factory=list)
    # (item_id, content_index) -> what the user was told of it: deltas, then the final text (until a barge-in).
    transcripts: dict[tuple[str, int], str] = dataclasses.field(default_factory=dict)
    text: list[str] = dataclasses.field(default_factory=list)
    tool_calls: list[ToolCallRecord] = dataclasses.field(default_factory=list)
    usage: dict[str, int] = dataclasses.field(default_factory=dict)
    status: str = ""
    interruption: Interruption | None = None
    started: bool = False
    end_again: bool = False  # ended while the connection was lost: ended on the wire after the restore
    awaiting_commit: bool = False  # the caller's commit is sent; its committed event ends the collection
    typed_text: str | None = None  # a typed turn's text, until its item arrives
    # When its moments happened, on the session's clock (see TurnTimings).
    speech_ended: float | None = None
    response_created: float | None = None
    first_audio: float | None = None
    last_audio: float | None = None
    response_done: float | None = None
    tools_started: float | None = None
    tools_s: float = 0.0
    interrupted_at: float | None = None


@dataclasses.dataclass(slots=True)
class _Response:
    """A response of the service and the turn it answers."""

    id: str
    turn: int
    done: bool = False


# --------------------------------------------------------------------------------------------------- the core


class VoiceCore:
    """The conversation, turns, responses and requests of one connection, driven by events; no I/O.

    Args:
        playback: the clock assistant audio is queued on and played from (barge-in reads it).
        server_turn_detection: the service detects the end of the user's turns (and cancels its own response when
            the user starts speaking).
        input_bytes_per_second: bytes of one second of the user's audio as sent on the wire (PCM16 24 kHz: 48,000).
        output_bytes_per_second: the same for the assistant's audio.
        machine: the session's state machine (the core moves it and reports each change as ``state_changed``).
        keeper: keeps the user's audio a restore may need (none is kept without one: a session that does not
            reconnect).
    """

    def __init__(
        self,
        playback: PlaybackLike,
        *,
        server_turn_detection: bool = True,
        input_bytes_per_second: int = 48000,
        output_bytes_per_second: int = 48000,
        machine: StateMachine | None = None,
        keeper: InputAudioKeeper | None = None,
    ) -> None:
        self.playback = playback
        self.server_turn_detection = server_turn_detection
        self.input_bytes_per_second = input_bytes_per_second
        self.machine = machine if machine is not None else StateMachine(SessionState.CONNECTED)
        self.conversation = ConversationMirror(output_bytes_per_second)
        self.session_id = ""
        self.expires_at: float | None = None  # when the service said this session ends (seconds since the epoch)
        self.closed_error: SessionClosedError | None = None
        self._turn_count = 0
        self._event_count = 0
        self._turns: dict[int, _Turn] = {}
        self._want: collections.deque[int] = collections.deque()
        self._requesting: tuple[str, int] | None = None  # (event_id, turn) of the unanswered response.create
        self._active: str | None = None  # the response being produced
        self._responses: dict[str, _Response] = {}
        self._dropped: set[str] = set()  # interrupted responses: their late output is not the user's
        self._silenced: set[str] = set()  # items cut or deleted by barge-in: their late audio is dropped
        self._audible: list[tuple[str, int]] = []  # parts with audio that may not have been played whole
        self._tools_running = 0
        self._collecting: int | None = None  # the caller's turn that the detector's commits belong to
        self._unclaimed_detector_turn: int | None = None  # the latest turn the detector ended on its own
        self._in_speech = False
        self._speech_start_ms: dict[str, int] = {}
        self._appended_bytes = 0  # user audio appended since the last commit or clear
        self._committed_ms: collections.deque[int] = collections.deque()  # per commit sent: its audio's length
        self._requests: collections.OrderedDict[str, str] = collections.OrderedDict()  # event_id -> type
        self._updates: collections.deque[str] = collections.deque()  # session.update ids, in the order sent
        self._barriers: dict[str, int] = {}  # session.update id -> the turn it ends
        self._deferred: ResponseError | None = None  # an error a service sends before it closes
        self._speech_stopped_at: dict[str, float] = {}  # item id -> when the service heard its speech end
        self.now = 0.0  # the session's clock, as last told
        self.keeper = keeper if keeper is not None else InputAudioKeeper(input_bytes_per_second, 0)
        self.online = True  # False between a lost connection and the restore: nothing is sent
        self._running_calls: dict[str, int] = {}  # call id -> the turn whose tools run it
        self._unconfirmed_outputs: dict[str, str] = {}  # call id -> output sent (or to send), not yet echoed
        self._replayed: set[str] = set()  # item ids replayed by the last restore: their echoes change nothing
        self._lost_updates: list[str] = []  # configuration updates the lost connection never answered
        self._pending_input = b""  # input audio to send again after the restore
        self._seeded: list[HistoryItem] | None = None  # a snapshot's history, replayed by the first restore

    # ----------------------------------------------------------------------------------------------- reading

    @property
    def busy(self) -> bool:
        """True while a turn is being ended, waits for, or gets its answer."""
        return any(turn.phase is not Phase.OPEN for turn in self._turns.values())

    @property
    def quiet(self) -> bool:
        """True between turns: no turn under way, no speech, no response, no tool, no sink still playing (with no
        sink, a complete answer was handed to the caller: see :meth:`settle`)."""
        return (
            self.online
            and not self._turns
            and not self._in_speech
            and self._active is None
            and self._requesting is None
            and self._tools_running == 0
            and not self._sink_playing
        )

    @property
    def _sink_playing(self) -> bool:
        return self.playback.sink_driven and self.playback.is_playing

    @property
    def active_response(self) -> str | None:
        """The response the service is producing, or None."""
        return self._active

    @property
    def next_turn_number(self) -> int:
        """The number the next turn will get."""
        return self._turn_count + 1

    def turn_open(self, number: int) -> bool:
        """True while the turn has not ended (its answer, or its failure, is still to come)."""
        turn = self._turns.get(number)
        return turn is not None and turn.phase is not Phase.DONE

    # ----------------------------------------------------------------------------------------------- events sent

    def next_event_id(self) -> str:
        """A new ``event_id`` for an event the session sends and wants answered."""
        self._event_count += 1
        return f"{_EVENT_PREFIX}{self._event_count}"

    def sent(self, event: Mapping[str, Any]) -> None:
        """The session sent this client event (called after each successful send)."""
        kind = text(event.get("type"))
        if kind == "input_audio_buffer.append":
            audio = event.get("audio")
            if isinstance(audio, bytes | bytearray | memoryview):
                self.sent_audio(bytes(audio))
            elif isinstance(audio, str):
                self._appended_bytes += len(audio) * 3 // 4
        elif kind == "input_audio_buffer.commit":
            self._committed_ms.append(self._appended_bytes * 1000 // self.input_bytes_per_second)
            self._appended_bytes = 0
        elif kind == "input_audio_buffer.clear":
            self._appended_bytes = 0
            self.keeper.cleared()
        elif kind == "session.update":
            event_id = text(event.get("event_id"))
            if event_id:
                self._updates.append(event_id)
        event_id = text(event.get("event_id"))
        if event_id:
            self._requests[event_id] = kind
            while len(self._requests) > _MAX_REQUESTS:
                self._requests.popitem(last=False)

    def sent_audio(self, audio: bytes) -> None:
        """The session appended this user audio (wire format): what :meth:`sent` does for an
        ``input_audio_buffer.append``, told without the event (the session sends its audio as typed events)."""
        self._appended_bytes += len(audio)
        self.keeper.appended(audio, turn_detection=self.server_turn_detection)

    def session_update(self, wire_session: Mapping[str, Any]) -> Send:
        """A ``session.update`` with a fresh ``event_id``; its answer comes as :class:`RequestDone`."""
        return Send({"type": "session.update", "event_id": self.next_event_id(), "session": dict(wire_session)})

    # ----------------------------------------------------------------------------------------------- user calls

    def _at(self, now: float | None) -> None:
        if now is not None:
            self.now = now

    def open_turn(self, *, now: float | None = None) -> tuple[int, list[Effect]]:
        """The caller starts a turn of audio (``respond()``, ``send_audio(commit=True)``)."""
        self._at(now)
        effects = self._settle_virtual_playback()
        turn = self._new_turn("caller")
        self._collecting = turn.number
        self.keeper.mark()
        return turn.number, effects

    def abandon_turn(self, number: int) -> list[Effect]:
        """The caller stopped before the turn's audio was all sent (an error, a cancellation): drop what it sent."""
        turn = self._turns.pop(number, None)
        if self._collecting == number:
            self._collecting = None
            self.keeper.unmark()
        if turn is None:
            return []
        turn.phase = Phase.DONE
        error = ResponseError("the turn was abandoned before its audio was all sent")
        if not self.online:
            self.keeper.cleared()
            self._pending_input = b""
            return [TurnFailed(number, error, abandoned=True)]
        return [Send({"type": "input_audio_buffer.clear"}), TurnFailed(number, error, abandoned=True)]

    def end_turn(self, number: int, barrier: Mapping[str, Any], *, now: float | None = None) -> list[Effect]:
        """The caller's audio for turn ``number`` is all sent: end the turn and ask for its answer.

        Args:
            barrier: the wire ``session`` of the barrier ``session.update`` (the dialect's shape of ``{}``), used
                when the service's turn detection is on.
        """
        self._at(now)
        turn = self._turns[number]
        turn.phase = Phase.ENDING
        turn.speech_ended = self.now  # the caller's audio is all sent: the user's turn is over
        if not self.online:
            turn.end_again = True  # ended on the new connection, after its audio is sent again
            return []
        if self.server_turn_detection:
            send = self.session_update(barrier)
            self._barriers[send.event["event_id"]] = number
            return [send]
        return self._commit_and_answer(turn)

    def text_turn(self, words: str, *, now: float | None = None) -> tuple[int, list[Effect]]:
        """The caller's turn as text: the message, then its answer."""
        self._at(now)
        effects = self._settle_virtual_playback()
        turn = self._new_turn("text")
        turn.typed_text = words
        turn.speech_ended = self.now
        if self.online:  # else the restore replays it
            item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": words}]}
            effects.append(Send({"type": "conversation.item.create", "event_id": self.next_event_id(), "item": item}))
        effects.append(TurnEnded(turn.number))
        effects.extend(self._want_answer(turn))
        return turn.number, effects

    def interrupt(self, source: Source = "user", *, now: float | None = None) -> tuple[bool, list[Effect]]:
        """Interrupt the assistant now (``interrupt()``, or the local detector heard speech)."""
        self._at(now)
        effects = self._barge_in(source)
        return bool(effects), effects

    def local_speech_started(self, *, now: float | None = None) -> list[Effect]:
        """The local detector (``listen()``) heard the user start speaking."""
        self._at(now)
        effects = self._barge_in("local")
        effects.extend(self._state(Trigger.SPEECH_STARTED))
        effects.append(Emit("speech_started"))
        return effects

    def tools_done(self, number: int, records: list[ToolCallRecord], *, now: float | None = None) -> list[Effect]:
        """The tools of turn ``number`` ran: send their outputs, then ask for the answer that uses them."""
        self._at(now)
        turn = self._turns.get(number)
        if turn is not None and turn.tools_started is not None:
            turn.tools_s += max(0.0, self.now - turn.tools_started)
            turn.tools_started = None
        self._tools_running = max(0, self._tools_running - 1)
        effects: list[Effect] = []
        self._running_calls = {call: owner for call, owner in self._running_calls.items() if owner != number}
        for record in records:
            self._unconfirmed_outputs[record.call_id] = record.output  # until the service echoes it
            if not self.online:
                continue  # the restore replays it after its call
            item = {"type": "function_call_output", "call_id": record.call_id, "output": record.output}
            effects.append(Send({"type": "conversation.item.create", "event_id": self.next_event_id(), "item": item}))
        if turn is None or turn.phase is Phase.DONE:
            return [*effects, *self._pump()]
        turn.tool_calls.extend(records)
        if turn.interruption is not None:
            effects.extend(self._finish(turn))
            return [*effects, *self._pump()]
        turn.phase = Phase.WANT
        self._want.appendleft(turn.number)  # the answer that uses the results comes before any later turn's
        effects.extend(self._pump())
        return effects

    def settle(self) -> list[Effect]:
        """A turn the caller's code ends: not a barge-in on a complete answer that no sink plays."""
        return self._settle_virtual_playback()

    # ----------------------------------------------------------------------------------------------- the connection

    def closed(self, error: SessionClosedError, *, by_user: bool) -> list[Effect]:
        """The connection ended; every wait ends with ``error`` (which carries a deferred service error)."""
        if self._deferred is not None and error.service_error is None:
            deferred = self._deferred
            error = SessionClosedError(
                f"{error} after the service's error: {deferred} ({deferred.code})",
                code=error.code,
                reason=error.reason,
                service_error=deferred,
            )
        self._deferred = None
        self.closed_error = None if by_user else error
        effects: list[Effect] = list(self._state(Trigger.CLOSED))
        for event_id in list(self._updates):
            if event_id not in self._barriers:
                effects.append(RequestDone(event_id, error))
        self._updates.clear()
        for number, turn in list(self._turns.items()):
            if turn.phase is not Phase.DONE:
                turn.phase = Phase.DONE
                effects.append(TurnFailed(number, error))
            del self._turns[number]
        self._want.clear()
        self._requesting = None
        self._active = None
        self._lost_updates.clear()
        self.playback.clear()
        if not by_user:
            effects.append(Emit("error", (error,)))
        return effects

    def connection_lost(self, reason: str) -> list[Effect]:
        """The connection ended and the session reconnects: go offline, keeping the conversation and the turns.

        The response being produced ends as interrupted (cut at what the user heard; what was never heard is gone
        with the service that held it); one asked for and not begun, or begun with no output yet, goes back to
        waiting; the configuration updates in flight are answered by the restore. Nothing is sent until
        :meth:`restore`.

        Args:
            reason: why, for the interruption (the close's code and reason).
        """
        if self._deferred is not None:
            logger.info("the service's error before it closed: %s (%s)", self._deferred, self._deferred.code)
            self._deferred = None
        self.online = False
        effects: list[Effect] = list(self._state(Trigger.CONNECTION_LOST))
        active = self._active
        answering = self._turn_of(active) if active is not None else None
        if active is not None and answering is not None:
            begun = [item for item in self.conversation.ordered() if item.response_id == active]
            if not any(part.audio_bytes or part.text or part.transcript for item in begun for part in item.parts):
                # Its response had begun and said nothing yet: the turn is still unanswered, and answered after.
                self._active = None
                for item in begun:
                    self.conversation.delete(item.id)
                    if item.id in answering.output_item_ids:
                        answering.output_item_ids.remove(item.id)
                answering.response_ids.remove(active)
                answering.phase = Phase.WANT
                self._want.appendleft(answering.number)
        if self._active is not None or self._sink_playing:
            effects.extend(self._cut_by_loss(reason))
        else:
            self.playback.clear()  # a complete answer no sink plays was handed over whole
            self._audible.clear()
        if self._requesting is not None:
            _, number = self._requesting
            turn = self._turns.get(number)
            if turn is not None and turn.phase is Phase.REQUESTED:
                turn.phase = Phase.WANT
                self._want.appendleft(number)
        collecting = self._turns.get(self._collecting) if self._collecting is not None else None
        for number in self._barriers.values():
            turn = self._turns.get(number)
            if turn is not None and turn.phase is Phase.ENDING:
                turn.end_again = True  # its barrier's answer will not come
        self._lost_updates.extend(event_id for event_id in self._updates if event_id not in self._barriers)
        self._pending_input = self.keeper.pending(turn_detection=self.server_turn_detection)
        self.keeper.new_connection(keep_mark=collecting is not None)
        self.session_id = ""
        self.expires_at = None
        self._requesting = None
        self._active = None
        self._responses.clear()
        self._dropped.clear()
        self._silenced.clear()
        self._audible.clear()
        self._in_speech = False
        self._speech_start_ms.clear()
        self._appended_bytes = 0
        self._committed_ms.clear()
        self._requests.clear()
        self._updates.clear()
        self._barriers.clear()
        return effects

    def _cut_by_loss(self, reason: str) -> list[Effect]:
        """The user heard the assistant up to here when the connection was lost: cut the items there, as barge-in
        does, without telling a service (the restore replays them cut)."""
        active = self._active
        active_turn = self._turn_of(active) if active is not None else None
        outputs = active_turn.output_item_ids if active_turn is not None else []
        audible = [key for key in self._audible if key[0] not in self._silenced]
        unvoiced = [
            item_id
            for item_id in outputs
            if self._is_assistant_message(item_id)
            and not any(key[0] == item_id for key in audible)
            and not self._has_text(item_id)
        ]
        growing = frozenset(item_id for item_id in outputs if not self._done(item_id))
        plan = plan_barge_in(self.playback, audible, unvoiced, growing)
        self.playback.clear()
        self._audible.clear()
        for cut in plan.truncations:
            item = self.conversation.get(cut.item_id)
            if item is not None:
                item.truncated_at_ms = cut.audio_end_ms
        for item_id in plan.deletions:
            self.conversation.delete(item_id)
        for item_id in outputs:  # what the lost service was still saying ends unfinished, as a cancel leaves it
            item = self.conversation.get(item_id)
            if item is not None and item.status not in ("completed", "incomplete"):
                item.status = "incomplete"
        heard = plan.heard
        heard_item = self.conversation.get(heard.item_id) if heard is not None else None
        interruption = Interruption(
            source="connection",
            response_id=active or (heard_item.response_id if heard_item is not None else None) or None,
            item_id=heard.item_id if heard is not None else None,
            audio_end_ms=heard.audio_end_ms if heard is not None else None,
            cancelled=False,
            deleted_item_ids=plan.deletions,
            reason=reason,
        )
        effects: list[Effect] = [Emit("interrupted", (interruption,))]
        if active_turn is not None:
            active_turn.interruption = interruption
            active_turn.status = "cancelled"
            effects.extend(self._finish(active_turn))
        return effects

    def _has_text(self, item_id: str) -> bool:
        item = self.conversation.get(item_id)
        return item is not None and any(not part.is_audio and part.text for part in item.parts)

    def history(self) -> tuple[list[HistoryItem], list[tuple[str, str]]]:
        """The conversation as a restore replays it, and the items left out with why (see ``_history``)."""
        if self._seeded is not None:
            return list(self._seeded), []
        active_turn = self._turn_of(self._active) if self._active is not None else None
        typed = [turn.typed_text for _, turn in sorted(self._turns.items()) if turn.typed_text is not None]
        return conversation_history(
            self.conversation,
            kept_audio=self.keeper.audio_of,
            running_calls=self._running_calls,
            unconfirmed_outputs=self._unconfirmed_outputs,
            unconfirmed_texts=typed,
            leave_out=active_turn.output_item_ids if active_turn is not None else (),
        )

    def seed(self, history: list[HistoryItem]) -> None:
        """Start from a snapshot's conversation: the mirror holds it, and the first :meth:`restore` replays it."""
        previous: str | None = None
        for entry in history:
            if not entry.id:
                continue
            item = self.conversation.place(entry.id, previous)
            previous = entry.id
            item.type, item.role, item.status = entry.type, entry.role, "completed"
            item.call_id, item.name, item.arguments, item.output = (
                entry.call_id,
                entry.name,
                entry.arguments,
                entry.output,
            )
            if entry.type != "message":
                continue
            part = item.part(0)
            if entry.audio:
                part.type = "input_audio"
                item.input_audio_ms = len(entry.audio) * 1000 // self.input_bytes_per_second
                self.keeper.keep(entry.id, entry.audio)
            else:
                part.type = "text" if entry.role == "assistant" else "input_text"
                part.text = entry.text
        self._seeded = list(history)

    def restored(self) -> None:
        """The restore is done: from now on the history comes from the mirror (a snapshot's, too)."""
        self._seeded = None

    def restore(self, *, assistant_text_type: str, barrier: Mapping[str, Any], gap_audio: bytes = b"") -> list[Effect]:
        """The new connection is configured: replay the conversation, send the input again, go on with the turns.

        In order: the history (``conversation.item.create`` each); the input that was not committed when the
        connection was lost, then the audio sent during the gap; a turn that was being ended is ended again; then
        the next waiting turn is answered. Items the history leaves out are removed from the mirror, which then holds
        what the service holds.

        Args:
            assistant_text_type: ``"output_text"`` (GA names) or ``"text"`` (beta names).
            barrier: the wire ``session`` of an empty ``session.update`` (see :meth:`end_turn`).
            gap_audio: the user's audio (wire format) sent while the connection was lost.
        """
        history, left_out = self.history()
        self.online = True
        for item_id, why in left_out:
            logger.warning("not replayed to the new connection: item %s (%s)", item_id, why)
            self.conversation.delete(item_id)
            self.keeper.forget(item_id)
        self._replayed = {entry.id for entry in history if entry.id}
        effects: list[Effect] = [
            Send(event)
            for event in restore_events(
                history, assistant_text_type=assistant_text_type, next_event_id=self.next_event_id
            )
        ]
        for event_id in self._lost_updates:
            effects.append(RequestDone(event_id))  # the restore sent the settings as they are now
        self._lost_updates.clear()
        audio = self._pending_input + gap_audio
        self._pending_input = b""
        step = self.input_bytes_per_second * _REPLAY_APPEND_MS // 1000
        for start in range(0, len(audio), step):
            effects.append(Send({"type": "input_audio_buffer.append", "audio": audio[start : start + step]}))
        collecting = self._turns.get(self._collecting) if self._collecting is not None else None
        if collecting is not None and collecting.awaiting_commit:
            effects.append(Send({"type": "input_audio_buffer.commit", "event_id": self.next_event_id()}))
        for number, turn in sorted(self._turns.items()):
            if turn.end_again:
                turn.end_again = False
                turn.phase = Phase.OPEN
                self._collecting = number
                effects.extend(self.end_turn(number, barrier))
        effects.extend(self._pump())
        return effects

    # ----------------------------------------------------------------------------------------------- events received

    def receive(self, name: str, event: Any, *, now: float | None = None) -> list[Effect]:
        """A server event arrived; ``name`` is its canonical (GA) type."""
        self._at(now)
        effects: list[Effect] = []
        if self._deferred is not None and name != "error":
            deferred, self._deferred = self._deferred, None  # the session went on: it was an ordinary error
            effects.append(Emit("error", (deferred,)))
        handler = _HANDLERS.get(name)
        if handler is not None:
            effects.extend(handler(self, event))
        return effects

    def _on_session(self, event: Any) -> list[Effect]:
        session = field(event, "session")
        session_id = text(field(session, "id"))
        if session_id:
            self.session_id = session_id
        expires_at = field(session, "expires_at")
        if isinstance(expires_at, int | float) and not isinstance(expires_at, bool) and expires_at > 0:
            self.expires_at = float(expires_at)
        return []

    def _on_session_updated(self, event: Any) -> list[Effect]:
        self._on_session(event)
        if not self._updates:
            return []  # the service's own update (or one for a connection before this one)
        return self._update_answered(self._updates.popleft(), None)

    def _update_answered(self, event_id: str, error: ResponseError | None) -> list[Effect]:
        number = self._barriers.pop(event_id, None)
        if number is None:
            return [RequestDone(event_id, error)]
        turn = self._turns.get(number)
        if turn is None or turn.phase is not Phase.ENDING:
            return []
        return self._decide_turn_end(turn)

    def _decide_turn_end(self, turn: _Turn) -> list[Effect]:
        """At the barrier: the service's turn detection has seen all of the caller's audio."""
        if self._in_speech or (not turn.input_item_ids and self._unclaimed_detector_turn is None):
            return self._commit_and_answer(turn)
        self._collecting = None
        self.keeper.unmark()
        if turn.input_item_ids:
            clear = {"type": "input_audio_buffer.clear", "event_id": self.next_event_id()}
            effects: list[Effect] = [Send(clear), TurnEnded(turn.number)]
            effects.extend(self._want_answer(turn))
            return effects
        # Nothing new: the turn the detector ended from the streamed audio is this caller's turn.
        into = self._unclaimed_detector_turn
        assert into is not None
        self._unclaimed_detector_turn = None
        turn.phase = Phase.DONE
        del self._turns[turn.number]
        return [TurnEnded(turn.number), TurnMerged(turn.number, into)]

    def _commit_and_answer(self, turn: _Turn) -> list[Effect]:
        turn.awaiting_commit = True
        self._unclaimed_detector_turn = None
        effects: list[Effect] = [
            Send({"type": "input_audio_buffer.commit", "event_id": self.next_event_id()}),
            TurnEnded(turn.number),
        ]
        effects.extend(self._want_answer(turn))
        return effects

    def _on_speech_started(self, event: Any) -> list[Effect]:
        self._in_speech = True
        item_id = text(field(event, "item_id"))
        start = field(event, "audio_start_ms")
        if item_id and isinstance(start, int):
            self._speech_start_ms[item_id] = start
        self.keeper.speech_started(item_id, start if isinstance(start, int) else None)
        effects = self._barge_in("server")
        effects.extend(self._state(Trigger.SPEECH_STARTED))
        effects.append(Emit("speech_started"))
        return effects

    def _on_speech_stopped(self, event: Any) -> list[Effect]:
        self._in_speech = False
        item_id = text(field(event, "item_id"))
        end = field(event, "audio_end_ms")
        self.keeper.speech_stopped(item_id, end if isinstance(end, int) else None)
        start = self._speech_start_ms.pop(item_id, None)
        if item_id:
            self._speech_stopped_at[item_id] = self.now
        if item_id and isinstance(end, int) and start is not None:
            self.conversation.ensure(item_id).input_audio_ms = max(0, end - start)
        return [Emit("speech_ended")]

    def _on_committed(self, event: Any) -> list[Effect]:
        item_id = text(field(event, "item_id"))
        previous = field(event, "previous_item_id")
        effects = list(self._state(Trigger.COMMITTED))
        if not item_id:
            return effects
        item = self.conversation.place(item_id, previous if isinstance(previous, str) and previous else None)
        item.type, item.role = item.type or "message", item.role or "user"
        self.keeper.committed(item_id, keep=not item.transcript)  # Voice Live may send the transcript first
        collecting = self._turns.get(self._collecting) if self._collecting is not None else None
        if collecting is not None and collecting.awaiting_commit:
            # The caller's own commit: the rest of its audio.
            if self._committed_ms and item.input_audio_ms is None:
                item.input_audio_ms = self._committed_ms.popleft()
            collecting.input_item_ids.append(item_id)
            collecting.awaiting_commit = False
            self._collecting = None
            self.keeper.unmark()
            return effects
        if collecting is not None:
            collecting.input_item_ids.append(item_id)  # the detector cut the caller's audio at a pause
            return effects
        # The service's turn detection ended a turn of streamed audio: answer it.
        turn = self._new_turn("detector")
        turn.input_item_ids.append(item_id)
        turn.speech_ended = self._speech_stopped_at.pop(item_id, self.now)
        self._unclaimed_detector_turn = turn.number
        effects.extend(self._want_answer(turn))
        return effects

    def _on_commit_refused(self) -> list[Effect]:
        collecting = self._turns.get(self._collecting) if self._collecting is not None else None
        if collecting is not None and collecting.awaiting_commit:
            collecting.awaiting_commit = False
            self._collecting = None
            if self._committed_ms:
                self._committed_ms.popleft()
        return []

    def _on_item(self, event: Any) -> list[Effect]:
        item_id = text(field(field(event, "item"), "id"))
        if item_id in self._replayed:
            return []  # the service's copy of what the restore replayed: the mirror holds the original
        item = self.conversation.read_item(event)
        if item is None:
            return []
        if item.type == "function_call_output":
            self._unconfirmed_outputs.pop(item.call_id, None)
        if item.role == "user" and item.type == "message" and any(p.type == "input_text" for p in item.parts):
            for turn in self._turns.values():
                if turn.typed_text is not None and turn.typed_text == item.text:
                    turn.typed_text = None
                    turn.input_item_ids.append(item.id)
                    break
        return []

    def _on_item_deleted(self, event: Any) -> list[Effect]:
        item_id = text(field(event, "item_id"))
        self.conversation.delete(item_id)
        self.keeper.forget(item_id)
        return []

    def _on_item_truncated(self, event: Any) -> list[Effect]:
        item = self.conversation.get(text(field(event, "item_id")))
        end = field(event, "audio_end_ms")
        if item is not None and isinstance(end, int):
            item.truncated_at_ms = end
        return []

    def _on_input_transcript_delta(self, event: Any) -> list[Effect]:
        item = self.conversation.ensure(text(field(event, "item_id")))
        part = item.part(integer(field(event, "content_index")))
        part.type = part.type or "input_audio"
        if not part.transcript_final:
            part.transcript += text(field(event, "delta"))
        return []

    def _on_input_transcript(self, event: Any) -> list[Effect]:
        item_id = text(field(event, "item_id"))
        item = self.conversation.ensure(item_id)
        part = item.part(integer(field(event, "content_index")))
        part.type = part.type or "input_audio"
        transcript = text(field(event, "transcript"))
        part.transcript, part.transcript_final = transcript, True
        if transcript:
            self.keeper.forget(item_id)  # replayed as its transcript from now on
        return [Emit("transcript_available", (transcript, "user", item_id))]

    def _on_input_transcript_failed(self, event: Any) -> list[Effect]:
        item_id = text(field(event, "item_id"))
        self.conversation.ensure(item_id).transcription_failed = True
        message = text(field(field(event, "error"), "message"))
        logger.warning("the service could not transcribe item %s: %s", item_id, message or "no reason given")
        return []

    def _on_response_created(self, event: Any) -> list[Effect]:
        response_id = text(field(field(event, "response"), "id"))
        if self._requesting is not None:
            _, number = self._requesting
            self._requesting = None
        elif self._want:
            number = self._want.popleft()  # the service answered a waiting turn on its own
        else:
            number = self._new_turn("service").number
        turn = self._turns.get(number)
        if turn is None:  # the turn ended meanwhile (refused, or the session closed and reopened)
            turn = self._new_turn("service")
        self._active = response_id
        self._responses[response_id] = _Response(response_id, turn.number)
        turn.response_ids.append(response_id)
        turn.phase = Phase.ACTIVE
        if turn.response_created is None:
            turn.response_created = self.now
        self._prune_audible()
        effects: list[Effect] = []
        if turn.interruption is not None:  # interrupted before its response began: it must not be heard
            self._dropped.add(response_id)
            effects.append(Send({"type": "response.cancel", "response_id": response_id}))
        effects.extend(self._state(Trigger.RESPONSE_CREATED))
        if not turn.started:
            turn.started = True
            effects.append(Emit("response_started"))
        return effects

    def _turn_of(self, response_id: str) -> _Turn | None:
        response = self._responses.get(response_id)
        return self._turns.get(response.turn) if response is not None else None

    def _on_output_item(self, event: Any) -> list[Effect]:
        item = self.conversation.read_item(event)
        response_id = text(field(event, "response_id"))
        if item is None or not response_id:
            return []
        item.response_id = response_id
        turn = self._turn_of(response_id)
        if turn is not None and item.id not in turn.output_item_ids:
            turn.output_item_ids.append(item.id)
        return []

    def _on_content_part(self, event: Any) -> list[Effect]:
        item = self.conversation.ensure(text(field(event, "item_id")))
        part = item.part(integer(field(event, "content_index")))
        part.type = text(field(field(event, "part"), "type")) or part.type
        return []

    def _on_audio_delta(self, event: Any) -> list[Effect]:
        delta = field(event, "delta")
        if not isinstance(delta, bytes | bytearray) or not delta:
            return []
        response_id = text(field(event, "response_id"))
        item_id = text(field(event, "item_id"))
        content_index = integer(field(event, "content_index"))
        if response_id in self._dropped or item_id in self._silenced:
            return []  # late audio of an interrupted response: the user must not hear it
        data = bytes(delta)
        item = self.conversation.ensure(item_id)
        item_id = item.id  # the mirror's string, not one per delta: unread audio holds many of them
        record = self._responses.get(response_id)
        response_id = record.id if record is not None else response_id
        part = item.part(content_index)
        part.type = part.type or "audio"
        part.audio_bytes += len(data)
        key = (item_id, content_index)
        if key not in self._audible:
            self._audible.append(key)
        self.playback.enqueue(item_id, content_index, data)
        turn = self._turn_of(response_id)
        effects: list[Effect] = list(self._state(Trigger.AUDIO))
        if turn is not None:
            if turn.first_audio is None:
                turn.first_audio = self.now
            turn.last_audio = self.now
            effects.append(Audio(turn.number, response_id, item_id, data))
        return effects

    def _on_transcript_delta(self, event: Any) -> list[Effect]:
        return self._on_output_words(event, "transcript", final=False)

    def _on_transcript_done(self, event: Any) -> list[Effect]:
        return self._on_output_words(event, "transcript", final=True)

    def _on_text_delta(self, event: Any) -> list[Effect]:
        return self._on_output_words(event, "text", final=False)

    def _on_text_done(self, event: Any) -> list[Effect]:
        return self._on_output_words(event, "text", final=True)

    def _on_output_words(self, event: Any, kind: Literal["transcript", "text"], *, final: bool) -> list[Effect]:
        response_id = text(field(event, "response_id"))
        item_id = text(field(event, "item_id"))
        content_index = integer(field(event, "content_index"))
        part = self.conversation.ensure(item_id).part(content_index)
        words = text(field(event, kind if final else "delta"))
        if kind == "transcript":
            part.type = part.type or "audio"
            if final:
                part.transcript, part.transcript_final = words, True
            elif not part.transcript_final:
                part.transcript += words
        else:
            part.type = part.type or "text"
            part.text = words if final else part.text + words
        turn = self._turn_of(response_id)
        if response_id in self._dropped or item_id in self._silenced or turn is None:
            return []
        key = (item_id, content_index)
        if kind == "transcript":
            turn.transcripts[key] = words if final else turn.transcripts.get(key, "") + words
            if final:
                return [Emit("transcript_available", (words, "assistant", item_id))] if words else []
            return [Chunk(turn.number, "transcript", words, response_id, item_id)]
        if final:
            return []
        turn.text.append(words)
        return [Chunk(turn.number, "text", words, response_id, item_id)]

    def _on_response_done(self, event: Any) -> list[Effect]:
        response = field(event, "response")
        response_id = text(field(response, "id"))
        status = text(field(response, "status")) or "completed"
        record = self._responses.get(response_id)
        if record is not None:
            record.done = True
        if self._active == response_id or record is None:
            self._active = None
        turn = self._turn_of(response_id)
        calls: list[FunctionCall] = []
        for output in items(field(response, "output")):
            item_id = text(field(output, "id"))
            if item_id:
                item = self.conversation.ensure(item_id)
                item.update_from(output)
                item.response_id = item.response_id or response_id
                if turn is not None and item_id not in turn.output_item_ids:
                    turn.output_item_ids.append(item_id)
            if text(field(output, "type")) == "function_call":
                calls.append(
                    FunctionCall(
                        call_id=text(field(output, "call_id")),
                        name=text(field(output, "name")),
                        arguments=text(field(output, "arguments")),
                        item_id=item_id,
                    )
                )
        if turn is None or turn.phase is Phase.DONE:
            return self._pump()
        _add_usage(turn.usage, field(response, "usage"))
        turn.status = status
        turn.response_done = self.now
        effects: list[Effect] = []
        if calls and status == "completed" and turn.interruption is None:
            turn.phase = Phase.TOOLS
            turn.tools_started = self.now
            self._tools_running += 1
            self._running_calls.update((call.call_id, turn.number) for call in calls)
            effects.extend(self._state(Trigger.TOOL_CALLS))
            effects.append(RunTools(turn.number, tuple(calls)))
            return effects
        if status == "failed":
            detail = field(field(response, "status_details"), "error")
            failure = service_error(detail, "the service reported that the response failed")
            effects.extend(self._state(Trigger.RESPONSE_DONE))
            effects.extend(self._fail(turn, failure))
            effects.append(Emit("error", (failure,)))
        else:
            effects.extend(self._state(Trigger.RESPONSE_DONE))
            effects.extend(self._finish(turn))
        effects.extend(self._pump())
        return effects

    def _on_error(self, event: Any) -> list[Effect]:
        detail = field(event, "error")
        error = service_error(detail, "the service reported an error")
        event_id = text(field(detail, "event_id"))
        kind = self._requests.get(event_id) if event_id else None
        if error.code in _BENIGN:
            logger.debug("service: %s (%s)", error, error.code)
            return self._on_commit_refused() if error.code == "input_audio_buffer_commit_empty" else []
        if kind is not None:
            return self._refused(event_id, kind, error)
        if event_id:
            logger.warning("service error naming an event this session did not send (%s): %s", event_id, error)
            return [Emit("error", (error,))]
        if error.code in _CLOSING:
            self._deferred = error  # told with the close that follows, or with the next event if none does
            return []
        # No event id. Every event the session waits on carries one, so a request the service refused names it;
        # what names none is the service failing (OpenAI's server_error has a null event_id). It fails the wait it
        # most likely answers, so that no wait is left without an outcome.
        if error.error_type == "invalid_request_error":
            logger.warning("service error: %s%s", error, f" ({error.code})" if error.code else "")
            return [Emit("error", (error,))]
        if self._requesting is not None:
            return self._refused(self._requesting[0], "response.create", error)
        if self._active is not None and error.error_type == "server_error":
            return self._fail_active(error)
        pending = [event_id for event_id in self._updates if event_id not in self._barriers]
        if pending:
            self._updates.remove(pending[0])
            return [*self._update_answered(pending[0], error), Emit("error", (error,))]
        logger.warning("service error: %s%s", error, f" ({error.code})" if error.code else "")
        return [Emit("error", (error,))]

    def _refused(self, event_id: str, kind: str, error: ResponseError) -> list[Effect]:
        logger.warning("the service refused %s %s: %s (%s)", kind, event_id, error, error.code or "no code")
        effects: list[Effect] = []
        if kind == "response.create" and self._requesting is not None and self._requesting[0] == event_id:
            _, number = self._requesting
            self._requesting = None
            turn = self._turns.get(number)
            if turn is not None:
                effects.extend(self._fail(turn, error))
            effects.append(Emit("error", (error,)))
            effects.extend(self._pump())
            return effects
        if kind == "session.update":
            if event_id in self._updates:
                self._updates.remove(event_id)
            if event_id in self._barriers:
                logger.debug("the barrier update was refused (%s); ending the turn all the same", error.code)
                return self._update_answered(event_id, error)
            return [*self._update_answered(event_id, error), Emit("error", (error,))]
        if kind == "input_audio_buffer.commit":
            effects.extend(self._on_commit_refused())
        return [*effects, Emit("error", (error,))]

    def _fail_active(self, error: ResponseError) -> list[Effect]:
        """A service error no event id ties to anything, while a response is active: that response failed."""
        response_id = self._active
        assert response_id is not None
        self._active = None
        self._dropped.add(response_id)
        effects: list[Effect] = [Send({"type": "response.cancel", "response_id": response_id})]
        turn = self._turn_of(response_id)
        effects.extend(self._state(Trigger.RESPONSE_DONE))
        if turn is not None:
            effects.extend(self._fail(turn, error))
        effects.append(Emit("error", (error,)))
        effects.extend(self._pump())
        return effects

    # ----------------------------------------------------------------------------------------------- turns

    def _new_turn(self, origin: Literal["caller", "detector", "text", "service"]) -> _Turn:
        self._turn_count += 1
        turn = _Turn(self._turn_count, origin)
        self._turns[turn.number] = turn
        return turn

    def _want_answer(self, turn: _Turn) -> list[Effect]:
        turn.phase = Phase.WANT
        self._want.append(turn.number)
        return self._pump()

    def _pump(self) -> list[Effect]:
        """Ask for the next waiting turn's answer when no response is asked for, active, or waiting on tools."""
        while (
            self.online
            and self._want
            and self._requesting is None
            and self._active is None
            and self._tools_running == 0
        ):
            number = self._want.popleft()
            turn = self._turns.get(number)
            if turn is None or turn.phase is not Phase.WANT:
                continue
            if turn.interruption is not None:  # the user spoke over it before it was asked for
                return [*self._finish(turn), *self._pump()]
            event_id = self.next_event_id()
            self._requesting = (event_id, number)
            turn.phase = Phase.REQUESTED
            return [Send({"type": "response.create", "event_id": event_id})]
        return []

    def _outcome(self, turn: _Turn) -> TurnOutcome:
        said = [
            turn.transcripts[key] for key in sorted(turn.transcripts, key=self._part_order) if turn.transcripts[key]
        ]
        heard: list[str] = []
        for item_id in turn.input_item_ids:
            item = self.conversation.get(item_id)
            if item is not None and item.text:
                heard.append(item.text)
        return TurnOutcome(
            turn=turn.number,
            transcript=" ".join(said),
            text="".join(turn.text),
            input_transcript=" ".join(heard),
            tool_calls=tuple(turn.tool_calls),
            usage=dict(turn.usage),
            status=turn.status or ("cancelled" if turn.interruption is not None else "completed"),
            response_ids=tuple(turn.response_ids),
            interruption=turn.interruption,
            input_item_ids=tuple(turn.input_item_ids),
            item_ids=tuple(turn.output_item_ids),
            timings=TurnTimings(
                speech_ended=turn.speech_ended,
                response_created=turn.response_created,
                first_audio=turn.first_audio,
                last_audio=turn.last_audio,
                response_done=turn.response_done,
                tools_s=turn.tools_s,
                interrupted=turn.interrupted_at,
                heard_ms=turn.interruption.audio_end_ms if turn.interruption is not None else None,
            ),
        )

    def _part_order(self, key: tuple[str, int]) -> tuple[int, int]:
        order = {item.id: index for index, item in enumerate(self.conversation.ordered())}
        return order.get(key[0], len(order)), key[1]

    def _finish(self, turn: _Turn) -> list[Effect]:
        turn.phase = Phase.DONE
        self._turns.pop(turn.number, None)
        if self._unclaimed_detector_turn == turn.number:
            self._unclaimed_detector_turn = None
        return [TurnFinished(self._outcome(turn))]

    def _fail(self, turn: _Turn, error: ResponseError | SessionClosedError) -> list[Effect]:
        turn.phase = Phase.DONE
        self._turns.pop(turn.number, None)
        if self._unclaimed_detector_turn == turn.number:
            self._unclaimed_detector_turn = None
        return [TurnFailed(turn.number, error)]

    def _state(self, trigger: Trigger) -> list[Effect]:
        change = self.machine.apply(trigger)
        if change is None:
            return []
        old, new = change
        return [Emit("state_changed", (new, old))]

    # ----------------------------------------------------------------------------------------------- barge-in

    def _settle_virtual_playback(self) -> list[Effect]:
        """With no sink, answers so far were handed to the caller and played by no one: a turn the caller's code
        starts is not a barge-in on them."""
        if not self.playback.sink_driven and self._active is None and self._requesting is None:
            self.playback.clear()
            self._audible.clear()
        return []

    def _prune_audible(self) -> None:
        """Forget parts played whole whose items are complete: they cannot be cut any more."""
        kept: list[tuple[str, int]] = []
        for item_id, content_index in self._audible:
            played = self.playback.played_bytes(item_id, content_index)
            received = self.playback.received_bytes(item_id, content_index)
            item = self.conversation.get(item_id)
            complete = item is not None and item.status in ("completed", "incomplete")
            if played < received or not complete:
                kept.append((item_id, content_index))
        self._audible = kept

    def _barge_in(self, source: Source) -> list[Effect]:
        active = self._active
        playing = self.playback.is_playing
        requested_turn = self._turns.get(self._requesting[1]) if self._requesting is not None else None
        if active is None and not playing:
            if source == "user" and requested_turn is not None and requested_turn.interruption is None:
                # Asked for and not begun: cancel it as soon as it begins.
                requested_turn.interruption = Interruption(source, None, None, None, cancelled=True)
                requested_turn.interrupted_at = self.now
                return [*self._state(Trigger.INTERRUPTED), Emit("interrupted", (requested_turn.interruption,))]
            return []
        active_turn = self._turn_of(active) if active is not None else None
        growing = frozenset(active_turn.output_item_ids if active_turn is not None else ())
        unvoiced = [
            item_id
            for item_id in (active_turn.output_item_ids if active_turn is not None else ())
            if self._is_assistant_message(item_id) and not any(key[0] == item_id for key in self._audible)
        ]
        audible = [key for key in self._audible if key[0] not in self._silenced]
        plan = plan_barge_in(self.playback, audible, unvoiced, frozenset(i for i in growing if not self._done(i)))
        self.playback.clear()  # stop at once: the user must not hear the assistant go on
        self._audible.clear()
        service_cancels = source == "server" and self.server_turn_detection
        cancel = active is not None and not service_cancels
        effects: list[Effect] = []
        if active is not None:
            self._dropped.add(active)
        if cancel:
            effects.append(Send({"type": "response.cancel", "event_id": self.next_event_id(), "response_id": active}))
        for cut in plan.truncations:
            self._silenced.add(cut.item_id)
            cut_item = self.conversation.get(cut.item_id)
            if cut_item is not None:
                cut_item.heard_ms = cut.audio_end_ms  # until the service confirms it
            effects.append(
                Send(
                    {
                        "type": "conversation.item.truncate",
                        "event_id": self.next_event_id(),
                        "item_id": cut.item_id,
                        "content_index": cut.content_index,
                        "audio_end_ms": cut.audio_end_ms,
                    }
                )
            )
        for item_id in plan.deletions:
            self._silenced.add(item_id)
            deleted_item = self.conversation.get(item_id)
            if deleted_item is not None:
                deleted_item.unheard = True  # until the service confirms it
            effects.append(
                Send({"type": "conversation.item.delete", "event_id": self.next_event_id(), "item_id": item_id})
            )
        heard = plan.heard
        heard_item = self.conversation.get(heard.item_id) if heard is not None else None
        response_id = active or (heard_item.response_id if heard_item is not None else None) or None
        interruption = Interruption(
            source=source,
            response_id=response_id,
            item_id=heard.item_id if heard is not None else None,
            audio_end_ms=heard.audio_end_ms if heard is not None else None,
            cancelled=cancel,
            deleted_item_ids=plan.deletions,
        )
        for turn in self._turns.values():
            interrupted = (active_turn is not None and turn is active_turn) or turn.phase is Phase.TOOLS
            if interrupted or (requested_turn is not None and turn is requested_turn):
                turn.interruption = interruption
                turn.interrupted_at = self.now
        # Turns already answered whose audio was cut: their answers were handed over complete, and must now say so.
        finished: list[int] = []
        for item_id in (*(cut.item_id for cut in plan.truncations), *plan.deletions):
            cut_item = self.conversation.get(item_id)
            record = self._responses.get(cut_item.response_id) if cut_item is not None else None
            if record is not None and record.turn not in self._turns and record.turn not in finished:
                finished.append(record.turn)
        effects.extend(TurnInterrupted(number, interruption) for number in finished)
        effects.extend(self._state(Trigger.INTERRUPTED))
        effects.append(Emit("interrupted", (interruption,)))
        return effects

    def _is_assistant_message(self, item_id: str) -> bool:
        item = self.conversation.get(item_id)
        return item is not None and item.type == "message" and item.role in ("assistant", "")

    def _done(self, item_id: str) -> bool:
        item = self.conversation.get(item_id)
        return item is not None and item.status in ("completed", "incomplete")


# --------------------------------------------------------------------------------------------------- helpers


def service_error(detail: Any, fallback: str) -> ResponseError:
    """A :class:`ResponseError` from the service's ``error`` object (of an error event or a failed response)."""
    message = text(field(detail, "message")) or fallback
    return ResponseError(message, code=text(field(detail, "code")), error_type=text(field(detail, "type")))


def _add_usage(total: dict[str, int], usage: Any) -> None:
    if usage is None:
        return
    for key in ("total_tokens", "input_tokens", "output_tokens"):
        value = field(usage, key)
        if isinstance(value, int):
            total[key] = total.get(key, 0) + value


_HANDLERS: Mapping[str, Any] = {
    "session.created": VoiceCore._on_session,
    "session.updated": VoiceCore._on_session_updated,
    "transcription_session.updated": VoiceCore._on_session_updated,
    "input_audio_buffer.speech_started": VoiceCore._on_speech_started,
    "input_audio_buffer.speech_stopped": VoiceCore._on_speech_stopped,
    "input_audio_buffer.committed": VoiceCore._on_committed,
    "conversation.item.added": VoiceCore._on_item,
    "conversation.item.created": VoiceCore._on_item,
    "conversation.item.done": VoiceCore._on_item,
    "conversation.item.retrieved": VoiceCore._on_item,
    "conversation.item.deleted": VoiceCore._on_item_deleted,
    "conversation.item.truncated": VoiceCore._on_item_truncated,
    "conversation.item.input_audio_transcription.delta": VoiceCore._on_input_transcript_delta,
    "conversation.item.input_audio_transcription.completed": VoiceCore._on_input_transcript,
    "conversation.item.input_audio_transcription.failed": VoiceCore._on_input_transcript_failed,
    "response.created": VoiceCore._on_response_created,
    "response.output_item.added": VoiceCore._on_output_item,
    "response.output_item.done": VoiceCore._on_output_item,
    "response.content_part.added": VoiceCore._on_content_part,
    "response.content_part.done": VoiceCore._on_content_part,
    "response.output_audio.delta": VoiceCore._on_audio_delta,
    "response.output_audio_transcript.delta": VoiceCore._on_transcript_delta,
    "response.output_audio_transcript.done": VoiceCore._on_transcript_done,
    "response.output_text.delta": VoiceCore._on_text_delta,
    "response.output_text.done": VoiceCore._on_text_done,
    "response.done": VoiceCore._on_response_done,
    "error": VoiceCore._on_error,
}
"""Canonical (GA) event name -> the core's handler; beta names arrive canonicalised by the dialect."""
