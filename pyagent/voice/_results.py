"""What a turn gives the caller: the finished response, its pieces as they arrive, and the tool calls run.

Plain values, no I/O. The reply's audio is kept once: the chunks a :class:`VoiceResponse` holds are the very bytes
objects :meth:`VoiceSession.stream_receive` hands out, and they are joined into one ``bytes`` only when
:attr:`VoiceResponse.audio` is first read. :class:`Outbox` holds pieces and finished responses, each tagged with its
turn, until :meth:`VoiceSession.receive` or :meth:`VoiceSession.stream_receive` takes them.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import Literal

from pyagent.voice._bargein import Interruption
from pyagent.voice._config import AudioEncoding, AudioSettings
from pyagent.voice._tools import ToolCallRecord

__all__ = ["Outbox", "ResponseChunk", "ToolCallRecord", "TurnOutcome", "TurnTimings", "VoiceResponse"]

logger = logging.getLogger("pyagent.voice")

_MAX_QUEUED_RESPONSES = 16  # unclaimed responses kept for receive(); older ones are dropped (logged)


@dataclasses.dataclass(frozen=True, slots=True)
class ResponseChunk:
    """A piece of a response as it arrives (:meth:`VoiceSession.stream_receive`).

    Attributes:
        kind: ``"audio"``, ``"transcript"`` (of the audio) or ``"text"``.
        data: audio in the session's audio format (empty for text chunks).
        text: the transcript or text delta (empty for audio chunks).
        response_id: the service's response id.
        item_id: the assistant item the piece belongs to.
    """

    kind: Literal["audio", "transcript", "text"]
    data: bytes = b""
    text: str = ""
    response_id: str = ""
    item_id: str = ""


def _ms(start: float | None, end: float | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start) * 1000))


@dataclasses.dataclass(frozen=True, slots=True)
class TurnTimings:
    """When a turn's moments happened, in seconds of the session's clock (``VoiceSession(clock=...)``; the
    monotonic clock by default), and the waits between them in milliseconds. None where a moment did not happen
    (a text-only answer has no audio; an answer the user did not interrupt has no barge-in).

    Attributes:
        speech_ended: the end of the user's turn: the service's ``input_audio_buffer.speech_stopped`` for a turn its
            turn detection ended, else when the caller's code ended it (``respond()``, ``send_audio(commit=True)``,
            ``send_text()``).
        response_created: the first ``response.created`` of the turn.
        first_audio: the first assistant audio received.
        last_audio: the last assistant audio received.
        response_done: the last ``response.done`` of the turn.
        tools_s: seconds spent running tools (the turn's tool calls, one after the other).
        interrupted: when the user barged in, if they did.
        heard_ms: how much of the item being heard was played at the barge-in (the truncation's ``audio_end_ms``).
    """

    speech_ended: float | None = None
    response_created: float | None = None
    first_audio: float | None = None
    last_audio: float | None = None
    response_done: float | None = None
    tools_s: float = 0.0
    interrupted: float | None = None
    heard_ms: int | None = None

    @property
    def response_latency_ms(self) -> int | None:
        """End of the user's speech to ``response.created``."""
        return _ms(self.speech_ended, self.response_created)

    @property
    def first_audio_latency_ms(self) -> int | None:
        """End of the user's speech to the first audio of the answer: how long the user waited to hear it."""
        return _ms(self.speech_ended, self.first_audio)

    @property
    def audio_ms(self) -> int | None:
        """First to last audio received (how long the answer took to arrive, not to play)."""
        return _ms(self.first_audio, self.last_audio)

    @property
    def duration_ms(self) -> int | None:
        """End of the user's speech (else ``response.created``) to the last ``response.done``."""
        return _ms(self.speech_ended if self.speech_ended is not None else self.response_created, self.response_done)

    @property
    def tools_ms(self) -> int:
        """Milliseconds spent running tools."""
        return round(self.tools_s * 1000)

    def to_dict(self) -> dict[str, int | None]:
        """The waits in milliseconds, for logs and traces."""
        return {
            "response_latency_ms": self.response_latency_ms,
            "first_audio_latency_ms": self.first_audio_latency_ms,
            "audio_ms": self.audio_ms,
            "duration_ms": self.duration_ms,
            "tools_ms": self.tools_ms,
            "heard_ms": self.heard_ms,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class TurnOutcome:
    """Everything about a finished turn but its audio: what the voice core reports when a turn ends."""

    turn: int
    transcript: str
    text: str
    input_transcript: str
    tool_calls: tuple[ToolCallRecord, ...]
    usage: Mapping[str, int]
    status: str
    response_ids: tuple[str, ...]
    interruption: Interruption | None
    input_item_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    timings: TurnTimings = TurnTimings()


class VoiceResponse:
    """The assistant's complete answer to one user turn, tool calls and all.

    Attributes:
        audio: the assistant's audio in the session's audio format (``sample_rate``, ``channels``, ``format``);
            joined from the received chunks when first read.
        transcript: what the assistant said (up to the barge-in, when interrupted).
        text: text output (text-only responses).
        input_transcript: what the service recognised of the user's turn: the transcripts of the turn's input items
            in order, as far as they had arrived when the answer was complete. A transcript that arrives later goes
            to ``transcript_available`` (with its item id) and :attr:`VoiceSession.conversation`.
        tool_calls: the function calls the session ran for this turn, in order.
        usage: token counts summed over the turn's responses (``input_tokens``, ``output_tokens``, ...).
        status: the last response's status: ``"completed"``, ``"cancelled"``, ``"incomplete"`` or ``"failed"``.
        response_ids: the service's responses that made up this turn (a tool call adds one).
        input_item_ids: the user's items this turn answers (several when the service's turn detection cut the
            user's audio at pauses), in the conversation's order.
        item_ids: the items the responses produced (messages and function calls), in order.
        interrupted: True when the user barged in or ``interrupt()`` was called.
        interruption: the barge-in's details (item heard, milliseconds, deleted items), when interrupted. An answer
            already handed over whose audio was still playing when the user barged in is marked then (this object
            changes: ``interrupted``, ``interruption``, ``audio_end_ms`` and the timings' ``heard_ms``; ``status``
            stays the service's).
        timings: when the turn's moments happened and how long the user waited (:class:`TurnTimings`), on the
            session's clock.
        audio_end_ms: how much of the interrupted item's audio was played, as sent in the truncation.
        sample_rate: the audio's rate (Hz).
        channels: the audio's channels.
        format: the audio's encoding.
    """

    __slots__ = (
        "_chunks",
        "channels",
        "format",
        "input_item_ids",
        "input_transcript",
        "interruption",
        "item_ids",
        "response_ids",
        "sample_rate",
        "status",
        "text",
        "timings",
        "tool_calls",
        "transcript",
        "usage",
    )

    def __init__(self, outcome: TurnOutcome, chunks: Sequence[bytes], settings: AudioSettings) -> None:
        self._chunks: list[bytes] = list(chunks)
        self.transcript = outcome.transcript
        self.text = outcome.text
        self.input_transcript = outcome.input_transcript
        self.tool_calls = outcome.tool_calls
        self.usage = dict(outcome.usage)
        self.status = outcome.status
        self.response_ids = outcome.response_ids
        self.input_item_ids = outcome.input_item_ids
        self.item_ids = outcome.item_ids
        self.interruption = outcome.interruption
        self.timings = outcome.timings
        self.sample_rate = settings.sample_rate
        self.channels = settings.channels
        self.format: AudioEncoding = settings.format

    @property
    def audio(self) -> bytes:
        """The reply's audio, joined once from its chunks (which it then replaces)."""
        if len(self._chunks) != 1:
            joined = b"".join(self._chunks)
            self._chunks = [joined]
        return self._chunks[0]

    @property
    def interrupted(self) -> bool:
        """True when the user barged in or ``interrupt()`` was called."""
        return self.interruption is not None

    @property
    def audio_end_ms(self) -> int | None:
        """How much of the interrupted item was heard (ms), as sent in the truncation; None when not cut."""
        return self.interruption.audio_end_ms if self.interruption is not None else None

    @property
    def id(self) -> str:
        """The id of the turn's last response."""
        return self.response_ids[-1] if self.response_ids else ""

    @property
    def duration_ms(self) -> int:
        """Length of :attr:`audio` in milliseconds."""
        settings = AudioSettings(self.sample_rate, self.channels, self.format)
        return sum(len(chunk) for chunk in self._chunks) * 1000 // settings.bytes_per_second

    def __repr__(self) -> str:
        return (
            f"VoiceResponse(id={self.id!r}, status={self.status!r}, transcript={self.transcript!r}, "
            f"duration_ms={self.duration_ms}, tool_calls={len(self.tool_calls)}, interrupted={self.interrupted})"
        )


OutboxEntry = ResponseChunk | VoiceResponse | BaseException


class Outbox:
    """Chunks and finished responses for :meth:`VoiceSession.receive` and :meth:`VoiceSession.stream_receive`,
    in the order they arrived, each with the number of the turn it belongs to (kept beside it, not in a tuple per
    entry: unread audio is most of what a slow consumer holds, and its bookkeeping should add little)."""

    def __init__(self) -> None:
        self._items: collections.deque[OutboxEntry] = collections.deque()
        self._turns: collections.deque[int] = collections.deque()
        self._event = asyncio.Event()  # set by every put: what get() waits for
        self._whole = asyncio.Event()  # set by the put of a response or an error: what get_whole() waits for

    def put(self, turn: int, item: OutboxEntry) -> None:
        self._items.append(item)
        self._turns.append(turn)
        if isinstance(item, VoiceResponse):
            finished = sum(isinstance(queued, VoiceResponse) for queued in self._items)
            if finished > _MAX_QUEUED_RESPONSES:
                self._drop_oldest_turn()
        if not isinstance(item, ResponseChunk):
            self._whole.set()
        self._event.set()

    def _drop_oldest_turn(self) -> None:
        while self._items:
            self._turns.popleft()
            dropped = self._items.popleft()
            if isinstance(dropped, VoiceResponse):
                logger.warning("no one called receive() for %d responses; dropped the oldest", _MAX_QUEUED_RESPONSES)
                return

    def discard(self, turns: set[int] | None = None, *, before: int | None = None) -> None:
        """Forget what belongs to ``turns``, or to turns numbered below ``before`` (their handlers have had it)."""
        kept = [
            (turn, item)
            for turn, item in zip(self._turns, self._items, strict=True)
            if not ((turns is not None and turn in turns) or (before is not None and turn < before))
        ]
        self._turns = collections.deque(turn for turn, _ in kept)
        self._items = collections.deque(item for _, item in kept)

    async def get(self) -> tuple[int, OutboxEntry]:
        while not self._items:
            self._event.clear()
            await self._event.wait()
        return self._turns.popleft(), self._items.popleft()

    async def get_whole(self) -> tuple[int, VoiceResponse | BaseException]:
        """The next whole response or error; the chunks queued before it are dropped. Unlike a loop of
        :meth:`get`, a caller waiting here is not woken for every chunk of a response that is streaming."""
        while not self.has_result:
            self._whole.clear()
            await self._whole.wait()
        while True:
            turn, item = self._turns.popleft(), self._items.popleft()
            if not isinstance(item, ResponseChunk):
                return turn, item

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def has_result(self) -> bool:
        """A whole response (or the error that ends one) waits to be received."""
        return any(isinstance(item, VoiceResponse | BaseException) for item in self._items)
