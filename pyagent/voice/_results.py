"""What a turn gives the caller: the finished response, its pieces as they arrive, and the tool calls run.

Plain values, no I/O: :class:`Turn` collects a response while the service sends it, :class:`Outbox` holds pieces and
finished responses until :meth:`VoiceSession.receive` or :meth:`VoiceSession.stream_receive` takes them.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from collections.abc import Mapping
from typing import Literal

from pyagent.voice._audio_io import OutputConverter
from pyagent.voice._config import AudioEncoding, AudioSettings
from pyagent.voice._tools import ToolCallRecord

__all__ = ["Outbox", "ResponseChunk", "ToolCallRecord", "Turn", "VoiceResponse"]

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
    """

    kind: Literal["audio", "transcript", "text"]
    data: bytes = b""
    text: str = ""
    response_id: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class VoiceResponse:
    """The assistant's complete answer to one user turn, tool calls and all.

    Attributes:
        audio: the assistant's audio in the session's audio format (``sample_rate``, ``channels``, ``format``).
        transcript: what the assistant said.
        text: text output (text-only responses).
        input_transcript: what the service recognised of the user's turn, when it transcribes.
        tool_calls: the function calls the session ran for this turn, in order.
        usage: token counts summed over the turn's responses (``input_tokens``, ``output_tokens``, ...).
        status: the last response's status: ``"completed"``, ``"cancelled"``, ``"incomplete"`` or ``"failed"``.
        response_ids: the service's responses that made up this turn (a tool call adds one).
        interrupted: True when the user barged in or ``interrupt()`` was called.
        audio_end_ms: how much of the interrupted item's audio was played, as sent in the truncation.
        sample_rate: the audio's rate.
        channels: the audio's channels.
        format: the audio's encoding.
    """

    audio: bytes
    transcript: str
    text: str
    input_transcript: str
    tool_calls: tuple[ToolCallRecord, ...]
    usage: Mapping[str, int]
    status: str
    response_ids: tuple[str, ...]
    interrupted: bool
    audio_end_ms: int | None
    sample_rate: int
    channels: int
    format: AudioEncoding

    @property
    def id(self) -> str:
        """The id of the turn's last response."""
        return self.response_ids[-1] if self.response_ids else ""

    @property
    def duration_ms(self) -> int:
        """Length of :attr:`audio` in milliseconds."""
        settings = AudioSettings(self.sample_rate, self.channels, self.format)
        return len(self.audio) * 1000 // settings.bytes_per_second


@dataclasses.dataclass(slots=True)
class Turn:
    """The response being built."""

    converter: OutputConverter
    audio: bytearray = dataclasses.field(default_factory=bytearray)
    # (item_id, content_index) -> what the assistant said in it: the deltas, then the final text when it comes.
    transcripts: dict[tuple[str, int], str] = dataclasses.field(default_factory=dict)
    text: list[str] = dataclasses.field(default_factory=list)
    input_transcript: str = ""
    tool_calls: list[ToolCallRecord] = dataclasses.field(default_factory=list)
    usage: dict[str, int] = dataclasses.field(default_factory=dict)
    response_ids: list[str] = dataclasses.field(default_factory=list)
    interrupted: bool = False
    audio_end_ms: int | None = None
    started: bool = False

    def result(self, status: str, settings: AudioSettings) -> VoiceResponse:
        """The finished turn, as the caller receives it."""
        return VoiceResponse(
            audio=bytes(self.audio),
            transcript=" ".join(text for text in self.transcripts.values() if text),
            text="".join(self.text),
            input_transcript=self.input_transcript,
            tool_calls=tuple(self.tool_calls),
            usage=dict(self.usage),
            status=status,
            response_ids=tuple(self.response_ids),
            interrupted=self.interrupted,
            audio_end_ms=self.audio_end_ms,
            sample_rate=settings.sample_rate,
            channels=settings.channels,
            format=settings.format,
        )


class Outbox:
    """Chunks and finished responses for :meth:`VoiceSession.receive` and :meth:`VoiceSession.stream_receive`."""

    def __init__(self) -> None:
        self._items: collections.deque[ResponseChunk | VoiceResponse | BaseException] = collections.deque()
        self._event = asyncio.Event()

    def put(self, item: ResponseChunk | VoiceResponse | BaseException) -> None:
        self._items.append(item)
        if isinstance(item, VoiceResponse):
            finished = sum(isinstance(queued, VoiceResponse) for queued in self._items)
            if finished > _MAX_QUEUED_RESPONSES:
                self._drop_oldest_turn()
        self._event.set()

    def _drop_oldest_turn(self) -> None:
        while self._items:
            dropped = self._items.popleft()
            if isinstance(dropped, VoiceResponse):
                logger.warning("no one called receive() for %d responses; dropped the oldest", _MAX_QUEUED_RESPONSES)
                return

    def clear(self) -> None:
        """Forget what nobody received (its handlers have had it)."""
        self._items.clear()

    async def get(self) -> ResponseChunk | VoiceResponse | BaseException:
        while not self._items:
            self._event.clear()
            await self._event.wait()
        return self._items.popleft()

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def has_result(self) -> bool:
        """A whole response (or the error that ends one) waits to be received."""
        return any(isinstance(item, VoiceResponse | BaseException) for item in self._items)
