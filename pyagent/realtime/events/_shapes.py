"""The shapes of the Struct trees, as the codec's slow paths walk them.

The fast paths are msgspec's own, in C. The slow paths need to know, per Struct class, which wire names it models,
which fields may hold nested Structs (directly, in a list, or as a union variant picked by its ``type`` tag), which
fields are numbers (``float``), and which unions have an ``Unknown...`` part for variants pyagent does not model.
A :class:`StructShape` holds that for one class, built once from msgspec's type information.

Three walks use the shapes:

- :func:`prepare` goes over plain JSON data (a received frame, or a mapping to send) and returns a copy that the
  Structs accept: fields they do not model are set aside, an unmodelled union variant is replaced by a valid
  placeholder. It notes each change as a :class:`Fix`, and :func:`apply_fixes` puts the set-aside fields and the
  ``Unknown...`` parts back on the typed tree that ``msgspec.convert`` built from the copy.
- :func:`check_struct` goes over Struct instances about to be encoded: it refuses a number JSON cannot carry (NaN,
  infinity, a ``Decimal`` msgspec would send as a string) and a value its field cannot hold (``None`` in a required
  field, a number where a string goes: msgspec's constructors do not check, and its encoder writes what it is given),
  and tells whether any object carries unknown fields (then the codec encodes through
  :func:`pyagent.realtime.events._base.to_wire`, which writes them). :func:`check_fields` is that value check alone,
  for the flat events the codec encodes without walking a tree.
"""

from __future__ import annotations

import decimal
import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import msgspec
from msgspec import inspect as mi

from pyagent.realtime.errors import EventValidationError
from pyagent.realtime.events import _models
from pyagent.realtime.events._fallback import (
    UnknownContentPart,
    UnknownItem,
    UnknownPart,
    UnknownTool,
    UnknownToolChoice,
    UnknownTranscriptionUsage,
    UnknownTruncation,
    UnknownTurnDetection,
)

__all__ = [
    "FieldValueError",
    "Fix",
    "NumberError",
    "StructShape",
    "apply_fixes",
    "check_fields",
    "check_struct",
    "prepare",
    "struct_shape",
]

Path: TypeAlias = tuple[str | int, ...]
"""Where an object sits in a typed tree: attribute names and list indices from the root."""

# The unions whose variants pyagent may not all know: their Struct members -> the part an unknown variant becomes.
_UNKNOWN_PARTS: dict[frozenset[type], type[UnknownPart]] = {
    frozenset(a for a in typing.get_args(getattr(_models, name)) if a is not str): part
    for name, part in (
        ("TurnDetection", UnknownTurnDetection),
        ("Item", UnknownItem),
        ("ContentPart", UnknownContentPart),
        ("Tool", UnknownTool),
        ("ToolChoice", UnknownToolChoice),
        ("TranscriptionUsage", UnknownTranscriptionUsage),
        ("Truncation", UnknownTruncation),
    )
}


class NumberError(EventValidationError):
    """A ``float`` field holds a value JSON cannot carry (the codec fills in the event's type)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message, "", path)


class FieldValueError(EventValidationError):
    """A field holds a value its type does not allow: ``None`` where one is required, a value of another kind (the
    codec fills in the event's type)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message, "", path)


FieldKind: TypeAlias = tuple[str, str, tuple[type, ...] | None, bool]
"""(wire name, attribute, the Python types a scalar field takes or None when the field is walked otherwise, whether
it may hold None)."""


@dataclass(slots=True)
class StructShape:
    """One Struct class as the slow paths see it."""

    cls: type[msgspec.Struct]
    tag_field: str | None
    fields: dict[str, tuple[str, Shape]] = field(default_factory=dict)
    """Wire name -> (attribute name, shape of the value)."""
    nested: tuple[tuple[str, str, Shape], ...] = ()
    """(wire name, attribute, shape) of the fields that may hold Structs."""
    floats: tuple[tuple[str, str], ...] = ()
    """(wire name, attribute) of the ``float`` fields."""
    kinds: tuple[FieldKind, ...] = ()
    """The fields whose values are checked before encoding: scalars (``str``, ``int``, ``bool``, ``bytes``, literals)
    by type, and every field that may not hold None."""


@dataclass(slots=True)
class ListShape:
    item: Shape


@dataclass(slots=True)
class UnionShape:
    tag_field: str | None
    tagged: dict[str, StructShape]
    untagged: StructShape | None
    items: Shape | None
    unknown: type[UnknownPart] | None
    placeholder: dict[str, Any] | None


class _Float:
    """A ``float`` field (possibly nullable): the one leaf the number check looks at."""


FLOAT = _Float()
Shape: TypeAlias = StructShape | ListShape | UnionShape | _Float | None
"""``None`` is a leaf with nothing inside to walk."""

_SHAPES: dict[type, StructShape] = {}


@dataclass(frozen=True, slots=True)
class Fix:
    """What :func:`prepare` found at ``path``: unknown ``fields`` set aside, a ``part`` put in a placeholder, or (for
    data to send) a Struct carrying unknown fields, so the data must be written through ``to_wire``."""

    path: Path
    fields: dict[str, Any] | None = None
    part: UnknownPart | None = None
    wire: bool = False


def struct_shape(cls: type[msgspec.Struct]) -> StructShape:
    """The shape of a Struct class (built on first use, then cached)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        shape = _struct(info)
    return shape


def _struct(info: mi.StructType) -> StructShape:
    cached = _SHAPES.get(info.cls)
    if cached is not None:
        return cached
    shape = StructShape(cls=info.cls, tag_field=info.tag_field)
    _SHAPES[info.cls] = shape  # before the fields, so a recursive type finds it
    nested: list[tuple[str, str, Shape]] = []
    floats: list[tuple[str, str]] = []
    kinds: list[FieldKind] = []
    for item in info.fields:
        sub = _shape(item.type)
        shape.fields[item.encode_name] = (item.name, sub)
        if sub is FLOAT:
            floats.append((item.encode_name, item.name))
        elif sub is not None:
            nested.append((item.encode_name, item.name, sub))
        types, nullable = _kind(item.type)
        if types is not None or not nullable:
            kinds.append((item.encode_name, item.name, types, nullable))
    shape.nested = tuple(nested)
    shape.floats = tuple(floats)
    shape.kinds = tuple(kinds)
    return shape


_SCALARS: dict[type, tuple[type, ...]] = {
    mi.StrType: (str,),
    mi.IntType: (int,),
    mi.BoolType: (bool,),
    mi.BytesType: (bytes, bytearray, memoryview),  # what msgspec encodes as base64
}


def _kind(info: mi.Type) -> tuple[tuple[type, ...] | None, bool]:
    """The Python types a field of this type takes when all its members are scalars (None otherwise: a Struct,
    list, mapping or float is walked or checked elsewhere), and whether it may hold None."""
    members = info.types if isinstance(info, mi.UnionType) else (info,)
    if any(isinstance(member, mi.AnyType) for member in members):
        return None, True  # plain data (a JSON Schema): anything JSON holds, null included
    nullable = any(isinstance(member, mi.NoneType) for member in members)
    types: list[type] = []
    for member in members:
        if isinstance(member, mi.NoneType):
            continue
        if isinstance(member, mi.LiteralType):
            types.extend(type(value) for value in member.values)
            continue
        scalar = _SCALARS.get(type(member))
        if scalar is None:
            return None, nullable
        types.extend(scalar)
    return tuple(dict.fromkeys(types)), nullable


def _shape(info: mi.Type) -> Shape:
    if isinstance(info, mi.StructType):
        return _struct(info)
    if isinstance(info, mi.FloatType):
        return FLOAT
    if isinstance(info, mi.ListType):
        item = _shape(info.item_type)
        return None if item is None else ListShape(item)
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        structs = [t for t in members if isinstance(t, mi.StructType)]
        lists = [_shape(t) for t in members if isinstance(t, mi.ListType)]
        items = next((s for s in lists if s is not None), None)
        if not structs and items is None:
            return FLOAT if len(members) == 1 and isinstance(members[0], mi.FloatType) else None
        tag_field = structs[0].tag_field if structs else None
        tagged = {str(t.tag): _struct(t) for t in structs if t.tag is not None}
        untagged = next((_struct(t) for t in structs if t.tag is None), None)
        unknown = _UNKNOWN_PARTS.get(frozenset(t.cls for t in structs))
        placeholder = _placeholder(structs) if unknown is not None else None
        return UnionShape(tag_field, tagged, untagged, items, unknown, placeholder)
    return None


def _placeholder(structs: Sequence[mi.StructType]) -> dict[str, Any]:
    """The smallest valid object of one variant, to hold a place msgspec would otherwise refuse."""
    variant = min(structs, key=lambda t: sum(f.required for f in t.fields))
    return _minimal(variant)  # type: ignore[no-any-return]


def _minimal(info: mi.Type) -> Any:
    if isinstance(info, mi.StructType):
        value = {f.encode_name: _minimal(f.type) for f in info.fields if f.required}
        if info.tag_field is not None:
            value[info.tag_field] = info.tag
        return value
    if isinstance(info, mi.UnionType):
        return _minimal(info.types[0])
    simple: dict[type, Any] = {
        mi.StrType: "",
        mi.IntType: 0,
        mi.FloatType: 0.0,
        mi.BoolType: False,
        mi.BytesType: "",
        mi.ListType: [],
        mi.DictType: {},
    }
    return simple.get(type(info))


# --------------------------------------------------------------------------------------------------- plain data in


def prepare(value: Any, cls: type[msgspec.Struct], fixes: list[Fix], *, numbers: bool = False) -> Any:
    """A copy of JSON data that ``msgspec.convert(copy, cls)`` takes although ``value`` has fields or variants
    ``cls`` does not model; what was changed is appended to ``fixes``.

    Data that does not fit otherwise (a wrong type, a missing field) is left as it is, for msgspec to report.

    Args:
        numbers: also refuse NaN, infinity and ``Decimal`` in ``float`` fields (for data about to be sent).

    Raises:
        NumberError: ``numbers`` is set and a ``float`` field holds a value JSON cannot carry.
    """
    return _prepare_struct(value, struct_shape(cls), (), "$", fixes, numbers)


def _prepare(value: Any, shape: Shape, path: Path, where: str, fixes: list[Fix], numbers: bool) -> Any:
    if shape is None:
        return value
    if shape is FLOAT:
        if numbers:
            _check_number(value, where)
        return value
    if isinstance(shape, StructShape):
        return _prepare_struct(value, shape, path, where, fixes, numbers)
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return value
        return [_prepare(item, shape.item, (*path, i), f"{where}[{i}]", fixes, numbers) for i, item in enumerate(value)]
    assert isinstance(shape, UnionShape)
    if isinstance(value, dict):
        if shape.tagged and shape.tag_field is not None:
            tag = value.get(shape.tag_field)
            if isinstance(tag, str):
                variant = shape.tagged.get(tag)
                if variant is not None:
                    return _prepare_struct(value, variant, path, where, fixes, numbers)
                if shape.unknown is not None and shape.placeholder is not None:
                    fixes.append(Fix(path, part=shape.unknown(value)))
                    return shape.placeholder
            return value
        if shape.untagged is not None:
            return _prepare_struct(value, shape.untagged, path, where, fixes, numbers)
        return value
    if isinstance(value, list) and shape.items is not None:
        return _prepare(value, shape.items, path, where, fixes, numbers)
    if isinstance(value, msgspec.Struct) and numbers and check_struct(value, where):
        fixes.append(Fix(path, wire=True))
    return value


def _prepare_struct(value: Any, shape: StructShape, path: Path, where: str, fixes: list[Fix], numbers: bool) -> Any:
    if not isinstance(value, dict):
        if isinstance(value, msgspec.Struct) and numbers and check_struct(value, where):
            fixes.append(Fix(path, wire=True))
        return value
    out: dict[str, Any] = {}
    unknown: dict[str, Any] | None = None
    for key, item in value.items():
        known = shape.fields.get(key)
        if known is not None:
            attr, sub = known
            out[key] = _prepare(item, sub, (*path, attr), f"{where}.{key}", fixes, numbers) if sub else item
        elif key == shape.tag_field:
            out[key] = item
        else:
            if unknown is None:
                unknown = {}
            unknown[key] = item
    if unknown:
        fixes.append(Fix(path, fields=unknown))
    return out


def apply_fixes(root: Any, fixes: Sequence[Fix]) -> Any:
    """Put the set-aside fields and the ``Unknown...`` parts of :func:`prepare` on the typed tree built from its
    copy; returns ``root``."""
    for fix in fixes:
        if fix.part is not None:
            parent = _locate(root, fix.path[:-1])
            last = fix.path[-1]
            if isinstance(last, int):
                parent[last] = fix.part
            else:
                setattr(parent, last, fix.part)
        elif fix.fields:
            target = _locate(root, fix.path)
            target.extra_fields.update(fix.fields)
    return root


def _locate(obj: Any, path: Path) -> Any:
    for step in path:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step)
    return obj


def _check_number(value: Any, where: str) -> None:
    """Refuse what msgspec would silently turn into something else: NaN and infinity (sent as ``null``) and
    ``Decimal`` (sent as a string); other wrong types are msgspec's to report."""
    if isinstance(value, float) and not math.isfinite(value):
        raise NumberError(f"{value!r} is not a number JSON can carry - at {where}", where)
    if isinstance(value, decimal.Decimal):
        raise NumberError(f"a Decimal would go out as a string, give a float - at {where}", where)


# --------------------------------------------------------------------------------------------------- Structs out


def check_fields(obj: msgspec.Struct, shape: StructShape, where: str = "$") -> None:
    """Check that each field of one Struct holds what its type allows (not its nested Structs: see
    :func:`check_struct`).

    Raises:
        FieldValueError: None in a field that may not hold it, or a scalar of another kind (``True`` is no ``int``).
    """
    for wire, attr, types, nullable in shape.kinds:
        value = getattr(obj, attr)
        if value is None:
            if nullable:
                continue
            raise FieldValueError(f"{wire} is required and may not be None - at {where}.{wire}", f"{where}.{wire}")
        if types is None or value is msgspec.UNSET:
            continue
        if not isinstance(value, types) or (type(value) is bool and bool not in types):
            expected = " or ".join(kind.__name__ for kind in types)
            raise FieldValueError(
                f"expected {expected}, got {type(value).__name__} - at {where}.{wire}", f"{where}.{wire}"
            )


def check_struct(obj: msgspec.Struct, where: str = "$") -> bool:
    """Check the values of a Struct tree about to be encoded; tell whether any object in it has unknown fields.

    Raises:
        NumberError: a ``float`` field holds NaN, infinity or a ``Decimal``.
        FieldValueError: a field holds a value its type does not allow (see :func:`check_fields`).
    """
    shape = _SHAPES.get(type(obj)) or struct_shape(type(obj))
    extra = bool(getattr(obj, "_extra", None))
    if shape.kinds:
        check_fields(obj, shape, where)
    for wire, attr in shape.floats:
        value = getattr(obj, attr)
        if value is msgspec.UNSET or value is None or (type(value) is float and math.isfinite(value)):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            continue
        _check_number(value, f"{where}.{wire}")
        raise NumberError(f"expected a number, got {type(value).__name__} - at {where}.{wire}", f"{where}.{wire}")
    for wire, attr, _ in shape.nested:
        value = getattr(obj, attr)
        if isinstance(value, msgspec.Struct):
            extra = check_struct(value, f"{where}.{wire}") or extra
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, msgspec.Struct):
                    extra = check_struct(item, f"{where}.{wire}[{i}]") or extra
    return extra
