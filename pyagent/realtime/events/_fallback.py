"""What a frame becomes when it is not a well-formed event we model: nothing raises, nothing is lost."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["InvalidEvent", "UnknownEvent"]


class UnknownEvent(msgspec.Struct, kw_only=True):
    """An event whose ``type`` pyagent does not model (yet); ``raw`` is the whole JSON object as received.

    Encoding it sends ``raw`` back unchanged, so a relay or a recorder keeps it.
    """

    type: str
    raw: dict[str, Any]

    def __repr__(self) -> str:
        # The raw frame may carry a secret (an ephemeral key in a session object): the repr names only its keys.
        return f"UnknownEvent(type={self.type!r}, raw_keys={sorted(self.raw)!r})"


class InvalidEvent(msgspec.Struct, kw_only=True):
    """An event of a known ``type`` that does not fit its schema (a missing field, a wrong type).

    Attributes:
        type: the event's ``type``, or ``""`` when the object had none.
        raw: the frame text as received.
        error: what is wrong and where, e.g. ``Expected `int`, got `str` - at `$.audio_end_ms```.
    """

    type: str
    raw: str
    error: str

    def __repr__(self) -> str:
        # The raw frame may carry a secret: the repr gives its size, not its text.
        return f"InvalidEvent(type={self.type!r}, error={self.error!r}, raw=<{len(self.raw)} chars>)"
