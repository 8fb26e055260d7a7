"""What a frame, or a part of one, becomes when pyagent cannot type it: nothing raises, nothing is lost.

A whole frame of a type pyagent does not model is an :class:`UnknownEvent`; a known type that does not fit its schema
is an :class:`InvalidEvent`. Inside a known event, a variant of a union that pyagent does not model (a new item type,
content part, turn detection, tool, ...) is an ``Unknown...`` part: the mapping as received, which encodes back
unchanged, while the rest of the event stays typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from pyagent.realtime.errors import FieldNotSetError

__all__ = [
    "InvalidEvent",
    "UnknownContentPart",
    "UnknownEvent",
    "UnknownItem",
    "UnknownPart",
    "UnknownTool",
    "UnknownToolChoice",
    "UnknownTranscriptionUsage",
    "UnknownTruncation",
    "UnknownTurnDetection",
]


class _RawMapping:
    """``event[name]``, ``get``, ``in``, ``keys``/``values``/``items`` over a fallback event's raw mapping."""

    __slots__ = ()

    def _raw_mapping(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        raw = self._raw_mapping()
        if key not in raw:
            raise FieldNotSetError(key, type(self).__name__)
        return raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The field's value as received, or ``default``."""
        return self._raw_mapping().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._raw_mapping()

    def keys(self) -> list[str]:
        """The wire names the frame carried."""
        return list(self._raw_mapping())

    def values(self) -> list[Any]:
        """The values the frame carried."""
        return list(self._raw_mapping().values())

    def items(self) -> list[tuple[str, Any]]:
        """``(wire name, value)`` of every field the frame carried."""
        return list(self._raw_mapping().items())

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw_mapping())


class UnknownEvent(_RawMapping, msgspec.Struct, kw_only=True):
    """An event whose ``type`` pyagent does not model (yet); ``raw`` is the whole JSON object as received.

    Encoding it sends ``raw`` back unchanged, so a relay or a recorder keeps it. ``event["name"]`` and
    ``event.get("name")`` read ``raw``.
    """

    type: str
    raw: dict[str, Any]

    def _raw_mapping(self) -> dict[str, Any]:
        return self.raw

    def __repr__(self) -> str:
        # The raw frame may carry a secret (an ephemeral key in a session object): the repr names only its keys.
        return f"UnknownEvent(type={self.type!r}, raw_keys={sorted(self.raw)!r})"


class InvalidEvent(_RawMapping, msgspec.Struct, kw_only=True):
    """An event of a known ``type`` that does not fit its schema (a missing field, a wrong type).

    ``event["name"]`` and ``event.get("name")`` read the frame's JSON object as received (empty when the frame's text
    cannot be read back as an object).

    Attributes:
        type: the event's ``type``, or ``""`` when the object had none.
        raw: the frame text as received.
        error: what is wrong and where, e.g. ``Expected `int`, got `str` - at `$.audio_end_ms```.
    """

    type: str
    raw: str
    error: str

    def _raw_mapping(self) -> dict[str, Any]:
        try:
            value = msgspec.json.decode(self.raw)
        except (msgspec.DecodeError, RecursionError, UnicodeEncodeError):
            return {}
        return value if isinstance(value, dict) else {}

    def __repr__(self) -> str:
        # The raw frame may carry a secret: the repr gives its size, not its text.
        return f"InvalidEvent(type={self.type!r}, error={self.error!r}, raw=<{len(self.raw)} chars>)"


class UnknownPart(dict[str, Any]):
    """A variant pyagent does not model inside a known event: the JSON object as received.

    It is that mapping (a ``dict``), so it reads like the typed parts (``part["type"]``, ``part.get("text")``) and
    encodes back unchanged; :attr:`type` gives its ``type`` tag and :attr:`raw` the mapping itself. Build one to send a
    variant a service takes before pyagent models it: ``UnknownItem({"type": "image_generation_call", ...})``.
    """

    __slots__ = ()

    @property
    def type(self) -> str:
        """The part's ``type`` tag as received (``""`` when it had none)."""
        tag = self.get("type", "")
        return tag if isinstance(tag, str) else ""

    @property
    def raw(self) -> dict[str, Any]:
        """The JSON object as received (this mapping itself)."""
        return self

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Everything but ``type``: pyagent models none of this part's fields."""
        return {key: value for key, value in self.items() if key != "type"}

    def as_dict(self) -> dict[str, Any]:
        """A plain copy of the mapping."""
        return dict(self)

    def __repr__(self) -> str:
        # Like UnknownEvent: the part may carry a secret, so only its keys are shown.
        return f"{type(self).__name__}(type={self.type!r}, keys={sorted(self)!r})"


class UnknownItem(UnknownPart):
    """A conversation item of a type pyagent does not model (in ``item``, ``output``, ``input``, ...)."""

    __slots__ = ()


class UnknownContentPart(UnknownPart):
    """A content part of a type pyagent does not model (in a message's ``content`` or a ``part``)."""

    __slots__ = ()


class UnknownTurnDetection(UnknownPart):
    """A turn detection of a type pyagent does not model (a session's ``turn_detection``)."""

    __slots__ = ()


class UnknownTool(UnknownPart):
    """A tool of a type pyagent does not model (in ``tools``)."""

    __slots__ = ()


class UnknownToolChoice(UnknownPart):
    """A forced tool choice object of a type pyagent does not model (``tool_choice``)."""

    __slots__ = ()


class UnknownTranscriptionUsage(UnknownPart):
    """A transcription ``usage`` of a type pyagent does not model."""

    __slots__ = ()


class UnknownTruncation(UnknownPart):
    """A truncation object of a type pyagent does not model (a session's ``truncation``)."""

    __slots__ = ()
