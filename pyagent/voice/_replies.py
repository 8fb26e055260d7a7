"""The caller's side of each turn: the reply's audio in the user's format, and the waits of the user's calls.

:class:`Replies` turns the voice core's effects for a turn into what the caller gets: audio converted to the
session's format (one stateful converter per turn, so chunk boundaries are inaudible), pieces for
:meth:`VoiceSession.stream_receive`, and the finished :class:`VoiceResponse` (or the error that ended the turn) for
whoever waits: ``respond()`` claims its own turn, ``receive()`` takes the next from the :class:`Outbox`. Every wait
it hands out ends: with the turn's answer, its error, or the error that closed the session.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import sys
from typing import Any, Literal

from pyagent.audio import AudioFormat
from pyagent.voice._audio_io import OutputConverter
from pyagent.voice._bargein import Interruption
from pyagent.voice._config import SERVICE_AUDIO, AudioSettings
from pyagent.voice._results import Outbox, ResponseChunk, TurnOutcome, VoiceResponse

__all__ = ["Replies"]

_RECENT = 8  # finished turns remembered, for a caller's turn that turns out to be one the service already ended
_CLOSED = sys.maxsize  # the outbox's turn number for the error that closed the session: after every turn


@dataclasses.dataclass(slots=True)
class _TurnAudio:
    """A turn's reply audio: its converter (one stream, so chunk boundaries are inaudible) and what came out."""

    converter: OutputConverter
    chunks: list[bytes] = dataclasses.field(default_factory=list)


def _retrieve(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()  # an outcome nobody awaited (the caller was cancelled) is not an unhandled error


class Replies:
    """Per-turn audio and outcomes for one connection.

    Args:
        settings: the user's audio format, which replies are converted to.
        wire: the format the service sends its audio in (the connection's wire format).
    """

    def __init__(self, settings: AudioSettings, wire: AudioFormat = SERVICE_AUDIO.format) -> None:
        self.settings = settings
        self.wire = wire
        self.outbox = Outbox()
        self._audio: dict[int, _TurnAudio] = {}
        self._ended: dict[int, asyncio.Future[None]] = {}
        self._claims: dict[int, asyncio.Future[VoiceResponse]] = {}
        self._recent: collections.OrderedDict[int, VoiceResponse | BaseException] = collections.OrderedDict()
        self._skip_before = 0  # turns below this number do not go to the outbox (respond() dropped them)
        self._closed: BaseException | None = None

    # -- waits ----------------------------------------------------------------------------------------------------

    def _future(self) -> asyncio.Future[object]:
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        return future

    def open(self, turn: int, *, claim: bool) -> None:
        """A turn the caller starts: its end on the wire can be awaited, and its answer when ``claim``."""
        self._ended[turn] = self._future()  # type: ignore[assignment]
        if claim:
            self._claims[turn] = self._future()  # type: ignore[assignment]
        if self._closed is not None:
            self._end_waits(self._closed)

    async def wait_ended(self, turn: int) -> None:
        """Until the turn is ended on the wire (or the session closed)."""
        future = self._ended.get(turn)
        if future is not None:
            await future

    async def wait_answer(self, turn: int) -> VoiceResponse:
        """The claimed turn's answer."""
        return await self._claims[turn]

    def drop_unclaimed_before(self, turn: int) -> None:
        """Answers of turns before ``turn`` that nobody received are dropped now and when they come."""
        self._skip_before = max(self._skip_before, turn)
        self.outbox.discard(before=turn)

    def ended(self, turn: int) -> None:
        future = self._ended.pop(turn, None)
        if future is not None and not future.done():
            future.set_result(None)

    def merged(self, turn: int, into: int) -> None:
        """The caller's turn is the turn ``into``: its claim waits for that answer."""
        self.ended(turn)
        claim = self._claims.pop(turn, None)
        if claim is None:
            return
        if into in self._recent:
            self.outbox.discard({into})
            outcome = self._recent[into]
            if isinstance(outcome, BaseException):
                claim.set_exception(outcome)
            else:
                claim.set_result(outcome)
        else:
            self._claims[into] = claim
            self.outbox.discard({into})

    # -- pieces ---------------------------------------------------------------------------------------------------

    def _turn_audio(self, turn: int) -> _TurnAudio:
        audio = self._audio.get(turn)
        if audio is None:
            audio = self._audio[turn] = _TurnAudio(OutputConverter(self.settings, self.wire))
        return audio

    def _to_outbox(self, turn: int) -> bool:
        return turn not in self._claims and turn >= self._skip_before

    def audio(self, turn: int, data: bytes, response_id: str, item_id: str) -> bytes:
        """Convert a piece of reply audio to the user's format and keep it once; return it (empty when the
        resampler holds it back)."""
        audio = self._turn_audio(turn)
        converted = audio.converter.process(data)
        if converted:
            audio.chunks.append(converted)
            if self._to_outbox(turn):
                self.outbox.put(turn, ResponseChunk("audio", data=converted, response_id=response_id, item_id=item_id))
        return converted

    def words(self, turn: int, kind: Literal["transcript", "text"], words: str, response_id: str, item_id: str) -> None:
        if self._to_outbox(turn):
            self.outbox.put(turn, ResponseChunk(kind, text=words, response_id=response_id, item_id=item_id))

    # -- outcomes -------------------------------------------------------------------------------------------------

    def finish(self, outcome: TurnOutcome) -> tuple[VoiceResponse, bytes]:
        """The turn's answer, and the audio tail the converter still held (already part of the answer)."""
        audio = self._audio.pop(outcome.turn, None) or _TurnAudio(OutputConverter(self.settings, self.wire))
        tail = audio.converter.flush()
        if tail:
            audio.chunks.append(tail)
            if self._to_outbox(outcome.turn):
                item_id = outcome.item_ids[-1] if outcome.item_ids else ""
                self.outbox.put(
                    outcome.turn,
                    ResponseChunk(
                        "audio",
                        data=tail,
                        response_id=outcome.response_ids[-1] if outcome.response_ids else "",
                        item_id=item_id,
                    ),
                )
        response = VoiceResponse(outcome, audio.chunks, self.settings)
        self._remember(outcome.turn, response)
        claim = self._claims.pop(outcome.turn, None)
        if claim is not None:
            if not claim.done():
                claim.set_result(response)
        elif outcome.turn >= self._skip_before:
            self.outbox.put(outcome.turn, response)
        self.ended(outcome.turn)
        return response, tail

    def interrupted(self, turn: int, interruption: Interruption, now: float) -> None:
        """The user cut an answer already handed over: it now says so (it is the object the caller holds)."""
        response = self._recent.get(turn)
        if isinstance(response, VoiceResponse) and response.interruption is None:
            response.interruption = interruption
            response.timings = dataclasses.replace(
                response.timings, interrupted=now, heard_ms=interruption.audio_end_ms
            )

    def fail(self, turn: int, error: BaseException, *, to_outbox: bool = True) -> None:
        self._audio.pop(turn, None)
        self._remember(turn, error)
        future = self._ended.pop(turn, None)
        if future is not None and not future.done():
            future.set_exception(error)
        claim = self._claims.pop(turn, None)
        if claim is not None:
            if not claim.done():
                claim.set_exception(error)
        elif to_outbox and turn >= self._skip_before:
            self.outbox.put(turn, error)

    def _remember(self, turn: int, outcome: VoiceResponse | BaseException) -> None:
        self._recent[turn] = outcome
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def close(self, error: BaseException) -> None:
        """The session closed: every wait still open ends with ``error``, and so does every later receive()."""
        self._closed = error
        self._end_waits(error)
        self.outbox.put(_CLOSED, error)

    def _end_waits(self, error: BaseException) -> None:
        futures: list[asyncio.Future[Any]] = [*self._ended.values(), *self._claims.values()]
        for future in futures:
            if not future.done():
                future.set_exception(error)
        self._ended.clear()
        self._claims.clear()
        self._audio.clear()
