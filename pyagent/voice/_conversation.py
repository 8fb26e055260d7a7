"""A mirror of the conversation the service holds, keyed by its item ids, and the read-only view users get.

Theory of operation. The service keeps the conversation: an ordered list of items (user audio or text, assistant
messages, function calls and their outputs), each placed after its ``previous_item_id``. Events about an item arrive
in more than one order: Voice Live sends a user item's transcript before the item itself, OpenAI may send it after
the response that answers it, an output item is announced by ``response.output_item.added`` before
``conversation.item.added`` says where it sits. :class:`ConversationMirror` therefore creates an item on the first
event that names it and fills it in from whichever events follow, and places it in the service's order as soon as an
event carries its ``previous_item_id``. No audio is kept: only how much of it arrived per content part (in bytes of
the wire format), which is what barge-in, transcripts and history need.

:class:`Conversation` is what ``VoiceSession.conversation`` returns: a live, read-only sequence of
:class:`ConversationItem` snapshots in the service's order.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import msgspec

from pyagent.voice._fields import field, items, text

__all__ = [
    "MAX_WORDS_PER_SECOND",
    "Conversation",
    "ConversationItem",
    "ConversationMirror",
    "MirrorItem",
    "MirrorPart",
    "heard_words",
]

_AUDIO_PARTS = frozenset({"audio", "output_audio", "input_audio"})
MAX_WORDS_PER_SECOND = 4.0
"""The fastest speech the text cut assumes (synthetic voices speak about 2.5 words a second)."""


def heard_words(words: str, heard_ms: int, audio_ms: int | None) -> str:
    """The words of an item whose audio was cut at ``heard_ms`` (see the module's rules).

    Args:
        words: the item's transcript (or text), as far as it arrived.
        heard_ms: how much of its audio was played.
        audio_ms: how much of its audio arrived; None or 0 when none did.
    """
    parts = words.split()
    if not parts or heard_ms <= 0 or not audio_ms:
        return ""
    share = len(parts) if heard_ms >= audio_ms else math.floor(len(parts) * heard_ms / audio_ms + 0.5)
    keep = min(share, math.ceil(heard_ms * MAX_WORDS_PER_SECOND / 1000))
    return " ".join(parts[:keep])


@dataclasses.dataclass(slots=True)
class MirrorPart:
    """One content part of an item, as far as the service has told it.

    Attributes:
        type: the part's type (``"input_audio"``, ``"audio"``/``"output_audio"``, ``"text"``, ``"input_text"``...).
        text: the text of a text part.
        transcript: the transcript of an audio part (deltas appended, replaced by the final one when it comes).
        transcript_final: True once the service's final transcript of this part arrived.
        audio_bytes: assistant audio received for this part, in bytes of the output wire format.
    """

    type: str = ""
    text: str = ""
    transcript: str = ""
    transcript_final: bool = False
    audio_bytes: int = 0

    @property
    def is_audio(self) -> bool:
        return self.type in _AUDIO_PARTS


@dataclasses.dataclass(slots=True)
class MirrorItem:
    """One item of the conversation, as the session knows it."""

    id: str
    type: str = ""
    role: str = ""
    status: str = ""
    parts: list[MirrorPart] = dataclasses.field(default_factory=list)
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    output: str = ""
    response_id: str = ""
    input_audio_ms: int | None = None  # user audio: from the service's speech timestamps or the bytes committed
    truncated_at_ms: int | None = None
    in_conversation: bool = False  # the service placed it (previous_item_id seen, or committed)
    transcription_failed: bool = False
    heard_ms: int | None = None  # where barge-in cut its audio, before the service confirms the truncation
    unheard: bool = False  # barge-in deleted it (never heard); the service's confirmation is on its way

    def part(self, index: int) -> MirrorPart:
        """The content part at ``index``, created (with the parts before it) when the service did not announce it."""
        while len(self.parts) <= index:
            self.parts.append(MirrorPart())
        return self.parts[index]

    @property
    def transcript(self) -> str:
        """The transcripts of the item's audio parts, in order."""
        return " ".join(part.transcript for part in self.parts if part.is_audio and part.transcript)

    @property
    def text(self) -> str:
        """The item's words: its text parts, else its transcripts, else its function output or arguments."""
        texts = [part.text for part in self.parts if not part.is_audio and part.text]
        if texts:
            return " ".join(texts)
        return self.transcript or self.output

    def update_from(self, item: Any) -> None:
        """Fill in what an item object (from any event carrying one) says."""
        kind = text(field(item, "type"))
        if kind:
            self.type = kind
        role = text(field(item, "role"))
        if role:
            self.role = role
        status = text(field(item, "status"))
        if status:
            self.status = status
        for name in ("call_id", "name", "arguments", "output"):
            value = text(field(item, name))
            if value:
                setattr(self, name, value)
        for index, content in enumerate(items(field(item, "content"))):
            part = self.part(index)
            part.type = text(field(content, "type")) or part.type
            part_text = text(field(content, "text"))
            if part_text:
                part.text = part_text
            transcript = text(field(content, "transcript"))
            if transcript and not part.transcript_final:
                part.transcript = transcript


@dataclasses.dataclass(frozen=True, slots=True)
class ConversationItem:
    """One item of :attr:`VoiceSession.conversation`, as it was when read.

    Attributes:
        id: the service's item id.
        type: ``"message"``, ``"function_call"``, ``"function_call_output"`` (or a newer type the service sends).
        role: ``"user"``, ``"assistant"`` or ``"system"`` for messages; ``""`` for other items.
        status: the service's status (``"completed"``, ``"incomplete"``, ``"in_progress"``), ``""`` if not told.
        text: what the item says: its text, else the transcript of its audio, else the function output.
        transcript: the transcript of its audio (``""`` for text items or before the service sent it). For an
            assistant item cut by barge-in, only the words heard: the share of its words that the heard
            milliseconds are of its audio, at most four words a second (the services drop the transcript of audio
            they truncate, so this is an estimate of what the user heard, not the service's).
        audio_ms: milliseconds of audio: received from the service for assistant items, committed for user items;
            None for items without audio.
        truncated_at_ms: where the item's audio was cut: by barge-in (the ``audio_end_ms`` the service confirmed) or
            by a connection lost while it played (what had been played); None when it was not cut.
        call_id: the function call's id (function calls and their outputs).
        name: the function's name (function calls).
        arguments: the function call's arguments as JSON text.
        output: the function's output (function call outputs).
        response_id: the response that produced the item (assistant items and function calls).
    """

    id: str
    type: str
    role: str
    status: str
    text: str
    transcript: str
    audio_ms: int | None
    truncated_at_ms: int | None
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    output: str = ""
    response_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The item as a plain dict (for logs, storage or a handoff)."""
        return dataclasses.asdict(self)


class ConversationMirror:
    """The conversation's items by id, in the service's order (``previous_item_id``).

    Args:
        output_bytes_per_second: bytes of one second of the assistant's wire audio (PCM16 24 kHz: 48,000).
    """

    def __init__(self, output_bytes_per_second: int = 48000) -> None:
        self.output_bytes_per_second = output_bytes_per_second
        self._items: dict[str, MirrorItem] = {}
        self._order: list[str] = []

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> MirrorItem | None:
        """The item with that id, or None."""
        return self._items.get(item_id)

    def ensure(self, item_id: str) -> MirrorItem:
        """The item with that id, created (not yet placed) when no event named it before."""
        item = self._items.get(item_id)
        if item is None:
            item = self._items[item_id] = MirrorItem(item_id)
            self._order.append(item_id)  # at the end until an event says where it sits
        return item

    def place(self, item_id: str, previous_item_id: str | None) -> MirrorItem:
        """Put the item right after ``previous_item_id`` (first when None; at the end when that item is unknown)."""
        item = self.ensure(item_id)
        item.in_conversation = True
        self._order.remove(item_id)
        if previous_item_id is None:
            self._order.insert(0, item_id)
        elif previous_item_id in self._items and previous_item_id != item_id:
            self._order.insert(self._order.index(previous_item_id) + 1, item_id)
        else:
            self._order.append(item_id)
        return item

    def delete(self, item_id: str) -> None:
        """The service deleted the item."""
        if self._items.pop(item_id, None) is not None:
            self._order.remove(item_id)

    def ordered(self) -> list[MirrorItem]:
        """Every item, in the service's order."""
        return [self._items[item_id] for item_id in self._order]

    def audio_ms(self, item: MirrorItem) -> int | None:
        """Milliseconds of audio the item holds (see :attr:`ConversationItem.audio_ms`)."""
        if item.input_audio_ms is not None:
            return item.input_audio_ms
        received = sum(part.audio_bytes for part in item.parts)
        if received:
            return received * 1000 // self.output_bytes_per_second
        return None

    def snapshot(self, item: MirrorItem) -> ConversationItem:
        """The public, frozen view of one item."""
        words, transcript = item.text, item.transcript
        cut = item.truncated_at_ms if item.truncated_at_ms is not None else item.heard_ms
        if cut is not None and item.role == "assistant":
            # The service drops the words of audio it truncates; the view keeps those that were heard.
            audio_ms = self.audio_ms(item)
            transcript = heard_words(transcript, cut, audio_ms)
            words = heard_words(words, cut, audio_ms) if words == item.transcript else words
        return ConversationItem(
            id=item.id,
            type=item.type,
            role=item.role,
            status=item.status,
            text=words,
            transcript=transcript,
            audio_ms=self.audio_ms(item),
            truncated_at_ms=item.truncated_at_ms,
            call_id=item.call_id,
            name=item.name,
            arguments=item.arguments,
            output=item.output,
            response_id=item.response_id,
        )

    def read_item(self, event: Any) -> MirrorItem | None:
        """Fill in (and place, when the event says where) the item an event carries in its ``item`` field."""
        item_obj = field(event, "item")
        item_id = text(field(item_obj, "id"))
        if not item_id:
            return None
        item = self.ensure(item_id)
        item.update_from(item_obj)
        if _has_field(event, "previous_item_id"):
            previous = field(event, "previous_item_id")
            self.place(item_id, previous if isinstance(previous, str) and previous else None)
        return item


def _has_field(event: Any, name: str) -> bool:
    """True when the event carries the field at all (``null`` included): ``previous_item_id: null`` means first."""
    if isinstance(event, Mapping):
        return name in event
    value = getattr(event, name, msgspec.UNSET)
    if value is msgspec.UNSET:
        raw = getattr(event, "raw", None)
        return isinstance(raw, Mapping) and name in raw
    return True


class Conversation(Sequence[ConversationItem]):
    """The conversation as the service holds it, read-only: ``session.conversation``.

    A live view: reading it gives the items as they are now, in the service's order (``previous_item_id``), each a
    frozen :class:`ConversationItem`. Index it by position or look an item up by id::

        for item in session.conversation:
            print(item.role or item.type, item.text, item.audio_ms, item.truncated_at_ms)
        answer = session.conversation.get(response.item_ids[-1])

    Late events (a user transcript that arrives after the answer) land here when they arrive.
    """

    def __init__(self, mirror: ConversationMirror) -> None:
        self._mirror = mirror

    def __len__(self) -> int:
        return len(self._mirror)

    @overload
    def __getitem__(self, index: int) -> ConversationItem: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ConversationItem]: ...

    def __getitem__(self, index: int | slice) -> ConversationItem | Sequence[ConversationItem]:
        ordered = self._mirror.ordered()
        if isinstance(index, slice):
            return tuple(self._mirror.snapshot(item) for item in ordered[index])
        return self._mirror.snapshot(ordered[index])

    def __iter__(self) -> Iterator[ConversationItem]:
        return iter([self._mirror.snapshot(item) for item in self._mirror.ordered()])

    def __contains__(self, value: object) -> bool:
        if isinstance(value, str):
            return value in self._mirror
        return isinstance(value, ConversationItem) and value.id in self._mirror

    def get(self, item_id: str) -> ConversationItem | None:
        """The item with that id, or None when the conversation holds none (never had it, or it was deleted)."""
        item = self._mirror.get(item_id)
        return self._mirror.snapshot(item) if item is not None else None

    def to_list(self) -> list[dict[str, Any]]:
        """Every item as a plain dict, in order (for logs, storage or a handoff)."""
        return [item.to_dict() for item in self]

    def __repr__(self) -> str:
        return f"<Conversation of {len(self)} items>"
