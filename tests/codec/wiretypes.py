"""Render a Struct field's type in the vocabulary of ``protocol/*.json``, so tests can compare the two.

Vocabulary: ``string``, ``integer``, ``number``, ``boolean``, ``base64`` (``bytes`` in Python), ``object`` (any JSON
object), ``any``, a model name from ``protocol/models.json``, a union alias (``Item``, ``ContentPart``, ...),
``list[T]``, ``A | B``, and a trailing ``| null`` when ``null`` is allowed.
"""

from __future__ import annotations

import typing
from typing import Any

import msgspec
from msgspec import inspect as mi

from pyagent.realtime import events

# The runtime unions the models name; a union of exactly these classes renders as the alias.
ALIASES: dict[frozenset[type], str] = {
    frozenset(typing.get_args(getattr(events, name))): name
    for name in ("ContentPart", "Item", "Tool", "TranscriptionUsage", "TurnDetection")
}
# Unions that also allow a string render as their alias too.
STRING_ALIASES: dict[frozenset[type], str] = {
    frozenset(a for a in typing.get_args(getattr(events, name)) if a is not str): name
    for name in ("ToolChoice", "Truncation")
}


def render(tp: Any) -> str:
    """The catalogue type of a Python annotation (as msgspec sees it)."""
    return _render(mi.type_info(tp))


def _render(info: mi.Type) -> str:
    if isinstance(info, mi.UnionType):
        members = list(info.types)
        nullable = any(isinstance(t, mi.NoneType) for t in members)
        members = [t for t in members if not isinstance(t, mi.NoneType)]
        structs = frozenset(t.cls for t in members if isinstance(t, mi.StructType))
        has_str = any(isinstance(t, mi.StrType) for t in members)
        others = [t for t in members if not isinstance(t, mi.StructType | mi.StrType)]
        if structs and structs in ALIASES and not has_str and not others:
            text = ALIASES[structs]
        elif structs and has_str and structs in STRING_ALIASES and not others:
            text = STRING_ALIASES[structs]
        else:
            text = " | ".join(_render(t) for t in members)
        return f"{text} | null" if nullable else text
    if isinstance(info, mi.StrType):
        return "string"
    if isinstance(info, mi.IntType):
        return "integer"
    if isinstance(info, mi.FloatType):
        return "number"
    if isinstance(info, mi.BoolType):
        return "boolean"
    if isinstance(info, mi.BytesType):
        return "base64"
    if isinstance(info, mi.AnyType):
        return "any"
    if isinstance(info, mi.DictType):
        return "object"
    if isinstance(info, mi.ListType):
        return f"list[{_render(info.item_type)}]"
    if isinstance(info, mi.StructType):
        return info.cls.__name__
    if isinstance(info, mi.NoneType):
        return "null"
    raise TypeError(f"no catalogue type for {info!r}")


def struct_fields(cls: type[msgspec.Struct]) -> list[dict[str, Any]]:
    """The fields of a Struct as the catalogue lists them: name, type, required, and a ``default`` where one fills an
    unset field (``AudioEchoCancellation``'s ``type``)."""
    hints = typing.get_type_hints(cls)
    out = []
    for field in msgspec.structs.fields(cls):
        required = field.default is msgspec.NODEFAULT and field.default_factory is msgspec.NODEFAULT
        entry = {"name": field.encode_name, "type": render(hints[field.name]), "required": required}
        if field.default not in (msgspec.NODEFAULT, msgspec.UNSET):
            entry["default"] = field.default
        out.append(entry)
    return out
