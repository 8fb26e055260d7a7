"""The roots every event and nested model derives from.

Every Struct is keyword-only (the wire has no order) and leaves optional fields at ``msgspec.UNSET``, so what a
user did not set is absent on the wire while an explicit ``None`` is sent as ``null``; every optional field accepts
``null`` on decode, as the vendors' own SDKs do.

Nothing the wire carries is lost. The Structs refuse fields they do not model (``forbid_unknown_fields``), which
costs nothing on the codec's single-pass decode and turns a frame with a new field into a decode error; the codec's
slow path then decodes that frame again, keeping each unknown field on the object that carried it
(:attr:`WireFields.extra_fields`), and encoding writes them back. Every Struct also reads like a mapping of its wire
fields (``event["transcript"]``, ``event.get("transcript", "")``, ``"usage" in response``), as the Azure SDK's
dict-backed models do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import msgspec

from pyagent.realtime.errors import EventValidationError, FieldNotSetError

__all__ = [
    "ClientEventBase",
    "Model",
    "ServerEventBase",
    "TaggedModel",
    "WireFields",
    "masked_repr",
    "to_wire",
    "wire_names",
]

_MISSING: Any = object()
_WIRE_NAMES: dict[type, dict[str, str]] = {}


def wire_names(cls: type[msgspec.Struct]) -> dict[str, str]:
    """Wire name -> attribute name of a Struct's fields (they differ only where a wire name is not an identifier)."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = dict(zip(cls.__struct_encode_fields__, cls.__struct_fields__, strict=True))
        _WIRE_NAMES[cls] = names
    return names


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


def to_wire(value: Any) -> Any:
    """``value`` as plain JSON data (dicts, lists, str, numbers, bool, None), unknown fields included.

    Audio (``bytes``) becomes base64 text, as on the wire; an unset field is left out; an explicit ``None`` stays.
    """
    if isinstance(value, msgspec.Struct):
        out: dict[str, Any] = {}
        config = value.__struct_config__
        if config.tag_field is not None:
            out[config.tag_field] = config.tag
        for wire, attr in wire_names(type(value)).items():
            item = getattr(value, attr)
            if item is not msgspec.UNSET:
                out[wire] = to_wire(item)
        extra = getattr(value, "_extra", None)
        if extra:
            for key, item in extra.items():
                out.setdefault(key, to_wire(item))
        return out
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return msgspec.to_builtins(bytes(value))
    return value


class WireFields:
    """Mapping-style reading of a Struct's wire fields, and the fields it carries that pyagent does not model.

    ``obj[name]`` gives a field that is set (``FieldNotSetError``, a ``KeyError``, when it is not), ``obj.get(name,
    default)``, ``name in obj``, ``keys()``/``values()``/``items()`` and iteration over the set fields (the ``type``
    tag first, then declared fields, then unknown ones). Values are the Python values: audio is ``bytes`` here, where
    the Azure SDK's mapping view gives base64 text. ``obj[name] = value`` sets a declared field, or adds an unknown
    field that encoding writes out.
    """

    __slots__ = ()

    # The unknown fields, in the instance's __dict__ once there are any (every root below sets ``dict=True``).
    _extra: ClassVar[dict[str, Any] | None] = None

    @property
    def extra_fields(self) -> dict[str, Any]:
        """The fields on the wire that pyagent does not model (wire name -> JSON value), written back on encode.

        The dict is live: add a key to send a field a service takes before pyagent models it.
        """
        extra = self._extra
        if extra is None:
            extra = {}
            self.__dict__["_extra"] = extra
        return extra

    def _lookup(self, key: str) -> Any:
        cls = type(self)
        attr = wire_names(cls).get(key)  # type: ignore[arg-type]
        if attr is not None:
            value = getattr(self, attr)
            return _MISSING if value is msgspec.UNSET else value
        config: msgspec.structs.StructConfig = cls.__struct_config__  # type: ignore[attr-defined]
        if key == config.tag_field:
            return config.tag
        extra = self._extra
        if extra is not None and key in extra:
            return extra[key]
        return _MISSING

    def __getitem__(self, key: str) -> Any:
        value = self._lookup(key)
        if value is _MISSING:
            raise FieldNotSetError(key, type(self).__name__)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The field's value, or ``default`` when it is not set (the ``dict.get`` of the Azure SDK's models)."""
        value = self._lookup(key)
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not _MISSING

    def keys(self) -> list[str]:
        """The wire names of the fields that are set: the ``type`` tag, declared fields, then unknown fields."""
        cls = type(self)
        config: msgspec.structs.StructConfig = cls.__struct_config__  # type: ignore[attr-defined]
        keys = [config.tag_field] if config.tag_field is not None else []
        keys += [wire for wire, attr in wire_names(cls).items() if getattr(self, attr) is not msgspec.UNSET]  # type: ignore[arg-type]
        if self._extra:
            keys += [key for key in self._extra if key not in keys]
        return keys

    def values(self) -> list[Any]:
        """The values of :meth:`keys`, in the same order."""
        return [self[key] for key in self.keys()]

    def items(self) -> list[tuple[str, Any]]:
        """``(wire name, value)`` of every field that is set."""
        return [(key, self[key]) for key in self.keys()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __setitem__(self, key: str, value: Any) -> None:
        cls = type(self)
        attr = wire_names(cls).get(key)  # type: ignore[arg-type]
        if attr is not None:
            setattr(self, attr, value)
            return
        config: msgspec.structs.StructConfig = cls.__struct_config__  # type: ignore[attr-defined]
        if key == config.tag_field:
            if value != config.tag:
                raise EventValidationError(
                    f"{cls.__name__} is always {key}={config.tag!r}, not {value!r}", str(config.tag), f"$.{key}"
                )
            return
        self.extra_fields[key] = value

    def as_dict(self) -> dict[str, Any]:
        """The object as plain JSON data, as it goes on the wire (unknown fields included; audio as base64 text)."""
        wire: dict[str, Any] = to_wire(self)
        return wire


class Model(WireFields, msgspec.Struct, kw_only=True, repr_omit_defaults=True, dict=True, forbid_unknown_fields=True):
    """A nested object of the protocol (session, item, content part, usage, ...)."""


class TaggedModel(Model, tag_field="type"):
    """A nested object that is one variant of a union told apart by its ``type`` field."""

    type: ClassVar[str]


class ClientEventBase(
    WireFields,
    msgspec.Struct,
    kw_only=True,
    tag_field="type",
    repr_omit_defaults=True,
    dict=True,
    forbid_unknown_fields=True,
):
    """An event a client sends; the tag is the wire ``type`` and ``.type`` reads it."""

    type: ClassVar[str]


class ServerEventBase(
    WireFields,
    msgspec.Struct,
    kw_only=True,
    tag_field="type",
    repr_omit_defaults=True,
    dict=True,
    forbid_unknown_fields=True,
):
    """An event a server sends; the tag is the wire ``type`` and ``.type`` reads it."""

    type: ClassVar[str]
