"""The conversation as history to restore on a new connection, decided without I/O.

Theory of operation
-------------------
A service keeps nothing of a session once its connection ends: a new connection starts an empty conversation. The
session mirrors the conversation (:class:`~pyagent.voice._conversation.ConversationMirror`), so it can give it back:
:func:`conversation_history` turns the mirror into :class:`HistoryItem` values, and :func:`restore_events` turns those
into the ``conversation.item.create`` events a new connection receives, in the conversation's order, right after the
session's configuration and before anything new. The rules:

- A user turn is replayed as its transcript (``input_text``) when the service's final transcript is known, else as
  its audio (``input_audio``, kept by :class:`InputAudioKeeper` in the wire format it was sent in), else as the partial
  transcript that arrived; a turn with none of these is left out (and logged). Typed turns are replayed as typed.
- An assistant turn is replayed as text (``output_text`` on GA paths, ``text`` on beta ones), never as audio: text is
  what every service takes back, and it is small. An item cut short (barge-in, or a connection lost while it played)
  is replayed only as far as it was heard: of its words, the share the heard milliseconds are of its audio, and never
  more than :data:`MAX_WORDS_PER_SECOND` per heard second (a transcript runs ahead of the audio it describes). An item
  nothing of which was heard is left out.
- A function call is replayed with its output, call first: the output the service echoed, or the one the session
  sent that the service never confirmed. A call whose tool is still running is replayed too (its output follows as
  usual); a call that will never have an output (its response was cut before it was done) is left out, and so is an
  output whose call is not in the history.
- Replayed items keep the ids the service gave them, so the mirror, the user's handlers and ``conversation`` go on
  naming them the same; items the service never confirmed (typed text, tool outputs) go without an id and get new
  ones, as when they were first sent.

:class:`InputAudioKeeper` keeps the user's audio a restore may need, bounded: per committed user item until its
transcript arrives, and the input not yet committed (sent again to the new connection, so a turn cut mid-sentence
goes on). With the service's turn detection on and no speech under way, only the last :data:`IDLE_KEPT_MS` of
silence are kept.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pyagent.voice._conversation import MAX_WORDS_PER_SECOND, ConversationMirror, MirrorItem, heard_words
from pyagent.voice.errors import SnapshotError

__all__ = [
    "IDLE_KEPT_MS",
    "MAX_WORDS_PER_SECOND",
    "HistoryItem",
    "InputAudioKeeper",
    "conversation_history",
    "heard_words",
    "restore_events",
]

logger = logging.getLogger("pyagent.voice")

IDLE_KEPT_MS = 2000
"""Silence kept between turns when the service detects them: more than the prefix padding the service puts before a
speech start, so the start of an utterance it has not announced yet is still there."""


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryItem:
    """One item of the conversation as it is replayed.

    Attributes:
        id: the service's item id ("" for an item the service never confirmed: it gets a new one).
        type: ``"message"``, ``"function_call"`` or ``"function_call_output"``.
        role: ``"user"``, ``"assistant"`` or ``"system"`` for messages.
        text: the words to replay (a user's transcript or typed text, an assistant's words as far as heard).
        audio: the user's audio to replay when no transcript is known, in the wire format it was sent in.
        call_id: the function call's id (calls and outputs).
        name: the function's name (calls).
        arguments: the call's arguments as JSON text.
        output: the function's output.
    """

    id: str
    type: str
    role: str = ""
    text: str = ""
    audio: bytes = b""
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    output: str = ""

    def __repr__(self) -> str:
        said = f", audio={len(self.audio)} bytes" if self.audio else f", text={self.text!r}" if self.text else ""
        call = f", call_id={self.call_id!r}" if self.call_id else ""
        return f"HistoryItem(id={self.id!r}, type={self.type!r}, role={self.role!r}{said}{call})"

    def to_dict(self) -> dict[str, Any]:
        """The item as JSON-ready values; audio as base64 text, empty fields left out."""
        values: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("role", "text", "call_id", "name", "arguments", "output"):
            value = getattr(self, name)
            if value:
                values[name] = value
        if self.audio:
            values["audio"] = base64.b64encode(self.audio).decode("ascii")
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> HistoryItem:
        """The item :meth:`to_dict` gave.

        Raises:
            SnapshotError: a field of the wrong type, or audio that is not base64.
        """
        fields: dict[str, Any] = {}
        for name in ("id", "type", "role", "text", "call_id", "name", "arguments", "output"):
            value = values.get(name, "")
            if not isinstance(value, str):
                raise SnapshotError(f"history item field {name!r} must be a string, not {type(value).__name__}")
            fields[name] = value
        audio = values.get("audio", "")
        decoded: bytes | None = None
        if isinstance(audio, str):
            try:
                decoded = base64.b64decode(audio, validate=True) if audio else b""
            except ValueError:  # binascii.Error; raised below, outside this block
                decoded = None
        if decoded is None:
            raise SnapshotError("history item field 'audio' must be base64 text")
        fields["audio"] = decoded
        return cls(**fields)


def _user_text(item: MirrorItem) -> tuple[str, bool]:
    """(words, final): typed text, else the service's transcript of the audio and whether it is final."""
    typed = [part.text for part in item.parts if not part.is_audio and part.text]
    if typed:
        return " ".join(typed), True
    audio_parts = [part for part in item.parts if part.is_audio]
    final = bool(audio_parts) and all(part.transcript_final for part in audio_parts)
    return item.transcript, final


def conversation_history(
    mirror: ConversationMirror,
    *,
    kept_audio: Callable[[str], bytes | None] = lambda item_id: None,
    running_calls: Iterable[str] = (),
    unconfirmed_outputs: Mapping[str, str] | None = None,
    unconfirmed_texts: Sequence[str] = (),
    leave_out: Iterable[str] = (),
) -> tuple[list[HistoryItem], list[tuple[str, str]]]:
    """The conversation to replay, in order, and the items left out with why.

    Args:
        mirror: the conversation as the session mirrors it.
        kept_audio: the user's audio of an item, when kept (:meth:`InputAudioKeeper.audio_of`).
        running_calls: call ids whose tools are running: replayed without an output yet.
        unconfirmed_outputs: call id -> output the session sent (or has to send) that the service never confirmed.
        unconfirmed_texts: typed user turns the service never confirmed, in the order typed (replayed last).
        leave_out: items not to replay (a response still being produced).

    Returns:
        ``(history, left_out)``; ``left_out`` holds ``(item_id, reason)``.
    """
    outputs = dict(unconfirmed_outputs or {})
    running = set(running_calls)
    skip = set(leave_out)
    ordered = [item for item in mirror.ordered() if item.id not in skip]
    confirmed_outputs = {item.call_id for item in ordered if item.type == "function_call_output" and item.call_id}
    history: list[HistoryItem] = []
    left_out: list[tuple[str, str]] = []
    replayed_calls: set[str] = set()
    for item in ordered:
        if item.unheard:
            left_out.append((item.id, "deleted by barge-in: never heard"))
        elif item.type == "message" and item.role in ("user", "system"):
            words, final = _user_text(item)
            audio = None if final else kept_audio(item.id)
            if final and words:
                history.append(HistoryItem(item.id, "message", item.role, text=words))
            elif audio:
                history.append(HistoryItem(item.id, "message", item.role, audio=audio))
            elif words:
                history.append(HistoryItem(item.id, "message", item.role, text=words))
            else:
                left_out.append((item.id, "no transcript, and its audio is no longer kept"))
        elif item.type == "message" and item.role in ("assistant", ""):
            words = item.text
            cut_ms = item.truncated_at_ms if item.truncated_at_ms is not None else item.heard_ms
            if cut_ms is not None and any(part.is_audio for part in item.parts):
                words = heard_words(words, cut_ms, mirror.audio_ms(item))
            if words:
                history.append(HistoryItem(item.id, "message", "assistant", text=words))
            elif cut_ms:
                left_out.append((item.id, f"too little of it was heard ({cut_ms} ms) to keep a word"))
            else:
                left_out.append((item.id, "nothing of it was heard"))
        elif item.type == "function_call":
            if item.call_id in confirmed_outputs or item.call_id in outputs or item.call_id in running:
                history.append(
                    HistoryItem(
                        item.id, "function_call", call_id=item.call_id, name=item.name, arguments=item.arguments
                    )
                )
                replayed_calls.add(item.call_id)
                if item.call_id in outputs and item.call_id not in confirmed_outputs:
                    history.append(
                        HistoryItem("", "function_call_output", call_id=item.call_id, output=outputs[item.call_id])
                    )
            else:
                left_out.append((item.id, "a function call that has no output"))
        elif item.type == "function_call_output":
            if item.call_id in replayed_calls:
                history.append(HistoryItem(item.id, "function_call_output", call_id=item.call_id, output=item.output))
            else:
                left_out.append((item.id, "the output of a call that is not in the history"))
        else:
            left_out.append((item.id, f"a {item.type or 'untyped'} item is not replayed"))
    for words in unconfirmed_texts:
        history.append(HistoryItem("", "message", "user", text=words))
    return history, left_out


def restore_events(
    history: Sequence[HistoryItem], *, assistant_text_type: str, next_event_id: Callable[[], str]
) -> list[dict[str, Any]]:
    """The ``conversation.item.create`` events that replay ``history``, in order.

    Args:
        history: what :func:`conversation_history` gave (or a snapshot holds).
        assistant_text_type: the content type of assistant text on this connection: ``"output_text"`` (GA names)
            or ``"text"`` (beta names).
        next_event_id: a new ``event_id`` for each event, so an error naming one is routed to it.
    """
    events: list[dict[str, Any]] = []
    for entry in history:
        item: dict[str, Any] = {"id": entry.id} if entry.id else {}
        if entry.type == "message":
            if entry.role == "assistant":
                content: dict[str, Any] = {"type": assistant_text_type, "text": entry.text}
            elif entry.audio:
                content = {"type": "input_audio", "audio": entry.audio}
            else:
                content = {"type": "input_text", "text": entry.text}
            item |= {"type": "message", "role": entry.role, "content": [content]}
        elif entry.type == "function_call":
            item |= {
                "type": "function_call",
                "call_id": entry.call_id,
                "name": entry.name,
                "arguments": entry.arguments,
            }
        else:
            item |= {"type": "function_call_output", "call_id": entry.call_id, "output": entry.output}
        events.append({"type": "conversation.item.create", "event_id": next_event_id(), "item": item})
    return events


@dataclasses.dataclass(slots=True)
class _Span:
    """Where an input item's audio lies in this connection's input timeline, as the service tells it."""

    start: int | None = None  # byte positions in this connection's input timeline
    end: int | None = None


class InputAudioKeeper:
    """The user's audio a restore may need, in the wire format it was sent in; no I/O.

    Positions are bytes of input audio appended on the current connection, the timeline the service's
    ``audio_start_ms`` / ``audio_end_ms`` count in.

    Args:
        bytes_per_second: bytes of one second of the wire input audio (PCM16 24 kHz mono: 48,000).
        max_bytes: the most kept, twice: of the input not yet committed, and of committed items' audio (oldest
            dropped first). 0 keeps nothing.
        frame_bytes: bytes of one sample frame (2 for PCM16 mono): cuts fall on frame boundaries.
    """

    def __init__(self, bytes_per_second: int = 48000, max_bytes: int = 0, frame_bytes: int = 2) -> None:
        self.bytes_per_second = bytes_per_second
        self.max_bytes = max_bytes
        self.frame_bytes = frame_bytes
        self._buffer = bytearray()
        self._start = 0  # position of the buffer's first byte
        self._spans: dict[str, _Span] = {}
        self._mark: int | None = None  # where the caller's open turn began
        self._kept: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._kept_bytes = 0

    @property
    def position(self) -> int:
        """Bytes appended on this connection."""
        return self._start + len(self._buffer)

    @property
    def kept_bytes(self) -> int:
        """Bytes held now: the uncommitted input and the committed items' audio."""
        return len(self._buffer) + self._kept_bytes

    def _at(self, ms: int) -> int:
        position = ms * self.bytes_per_second // 1000
        return position - position % self.frame_bytes

    def appended(self, data: bytes, *, turn_detection: bool) -> None:
        """Audio was appended to the service's input buffer."""
        if not self.max_bytes:
            self._start += len(data)
            return
        self._buffer += data
        limit = self.max_bytes
        if turn_detection and self._mark is None and not self._spans:
            limit = min(limit, self._at(IDLE_KEPT_MS))  # silence between turns: only its end may become speech
        if len(self._buffer) > limit + limit // 4:  # trimmed in steps, not on every append
            self._trim(self.position - limit)

    def _trim(self, position: int) -> None:
        cut = min(max(0, position - self._start), len(self._buffer))
        cut -= cut % self.frame_bytes
        if cut:
            del self._buffer[:cut]
            self._start += cut

    def _slice(self, start: int, end: int) -> bytes:
        begin = max(start, self._start) - self._start
        stop = max(begin, min(end, self.position) - self._start)
        return bytes(self._buffer[begin:stop])

    def speech_started(self, item_id: str, audio_start_ms: int | None) -> None:
        """The service heard speech start (``audio_start_ms`` includes its prefix padding)."""
        if item_id:
            self._spans.setdefault(item_id, _Span()).start = (
                self._at(audio_start_ms) if audio_start_ms is not None else self.position
            )

    def speech_stopped(self, item_id: str, audio_end_ms: int | None) -> None:
        """The service heard speech stop."""
        if item_id:
            span = self._spans.setdefault(item_id, _Span())
            span.end = self._at(audio_end_ms) if audio_end_ms is not None else self.position

    def committed(self, item_id: str, *, keep: bool = True) -> None:
        """The service committed the input into the user item ``item_id``: keep its audio (unless ``keep`` is False:
        its transcript is known already), forget what precedes."""
        span = self._spans.pop(item_id, None)
        start = span.start if span is not None and span.start is not None else self._start
        end = span.end if span is not None and span.end is not None else self.position
        audio = self._slice(start, end)
        self._trim(end)
        if keep:
            self.keep(item_id, audio)

    def cleared(self) -> None:
        """The input buffer was cleared: nothing before now can become an item."""
        self._spans = {item_id: span for item_id, span in self._spans.items() if span.end is None}
        self._trim(self.position)

    def forget(self, item_id: str) -> None:
        """The item's transcript is known (or the item is gone): its audio is no longer needed."""
        dropped = self._kept.pop(item_id, None)
        if dropped is not None:
            self._kept_bytes -= len(dropped)

    def keep(self, item_id: str, audio: bytes) -> None:
        """Keep an item's audio (committed here, or given by a snapshot being resumed), within the bound."""
        if not audio or not item_id or not self.max_bytes:
            return
        self.forget(item_id)
        self._kept[item_id] = audio
        self._kept_bytes += len(audio)
        while self._kept_bytes > self.max_bytes and self._kept:
            dropped_id, dropped = self._kept.popitem(last=False)
            self._kept_bytes -= len(dropped)
            logger.debug("no longer keeping the audio of item %s (over the bound)", dropped_id)

    def audio_of(self, item_id: str) -> bytes | None:
        """The item's audio, when kept."""
        return self._kept.get(item_id)

    def mark(self) -> None:
        """The caller starts a turn of audio here."""
        self._mark = self.position

    def unmark(self) -> None:
        """The caller's turn is ended on the wire."""
        self._mark = None

    def pending(self, *, turn_detection: bool) -> bytes:
        """The input a new connection must be sent again: without turn detection all that was not committed; with
        it, from the start of the speech not committed yet or of the caller's open turn (nothing otherwise)."""
        if not turn_detection:
            return bytes(self._buffer)
        starts = [span.start for span in self._spans.values() if span.start is not None]
        if self._mark is not None:
            starts.append(self._mark)
        if not starts:
            return b""
        return self._slice(min(starts), self.position)

    def new_connection(self, *, keep_mark: bool) -> None:
        """A new connection's timeline starts at 0; the uncommitted input is gone (read :meth:`pending` first)."""
        self._buffer.clear()
        self._start = 0
        self._spans.clear()
        self._mark = 0 if keep_mark else None
