"""The roots every event and nested model derives from.

Every Struct is keyword-only (the wire has no order) and leaves optional fields at ``msgspec.UNSET``, so what a
user did not set is absent on the wire while an explicit ``None`` is sent as ``null``. Fields unknown to us are
tolerated on decode (servers add fields before SDKs learn them) but not kept.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

__all__ = ["ClientEventBase", "Model", "ServerEventBase", "TaggedModel", "masked_repr"]


def masked_repr(obj: msgspec.Struct, secrets: frozenset[str]) -> str:
    """The Struct's repr with the values of ``secrets`` (and of every header) replaced, so keys never reach a log."""
    parts = []
    for name in obj.__struct_fields__:
        value = getattr(obj, name)
        if value is msgspec.UNSET:
            continue
        if value is not None and name in secrets:
            shown = "'***'"
        elif name == "headers" and isinstance(value, dict):
            shown = repr(dict.fromkeys(value, "***"))
        else:
            shown = repr(value)
        parts.append(f"{name}={shown}")
    return f"{type(obj).__name__}({', '.join(parts)})"


class Model(msgspec.Struct, kw_only=True, repr_omit_defaults=True):
    """A nested object of the protocol (session, item, content part, usage, ...)."""


class TaggedModel(Model, tag_field="type"):
    """A nested object that is one variant of a union told apart by its ``type`` field."""

    type: ClassVar[str]


class ClientEventBase(msgspec.Struct, kw_only=True, tag_field="type", repr_omit_defaults=True):
    """An event a client sends; the tag is the wire ``type`` and ``.type`` reads it."""

    type: ClassVar[str]


class ServerEventBase(msgspec.Struct, kw_only=True, tag_field="type", repr_omit_defaults=True):
    """An event a server sends; the tag is the wire ``type`` and ``.type`` reads it."""

    type: ClassVar[str]
