"""Hypothesis strategies that build any valid event from its Struct's own type information."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st
from msgspec import inspect as mi

from pyagent.realtime.events import CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)

_CACHE: dict[Any, st.SearchStrategy[Any]] = {}


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for values of a field type (Structs included), as msgspec understands the type."""
    return _for_info(mi.type_info(tp))


def _for_info(info: mi.Type) -> st.SearchStrategy[Any]:
    if isinstance(info, mi.UnionType):
        return st.one_of([_for_info(t) for t in info.types])
    if isinstance(info, mi.StrType):
        return st.text(max_size=12)
    if isinstance(info, mi.IntType):
        return st.integers(-(2**53), 2**53)
    if isinstance(info, mi.FloatType):
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(info, mi.BoolType):
        return st.booleans()
    if isinstance(info, mi.BytesType):
        return st.binary(max_size=48)
    if isinstance(info, mi.NoneType):
        return st.none()
    if isinstance(info, mi.AnyType):
        return json_values
    if isinstance(info, mi.DictType):
        return st.dictionaries(st.text(max_size=6), _for_info(info.value_type), max_size=3)
    if isinstance(info, mi.ListType):
        return st.lists(_for_info(info.item_type), max_size=2)
    if isinstance(info, mi.StructType):
        return for_struct(info.cls)
    raise TypeError(f"no strategy for {info!r}")


def for_struct(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """Instances of ``cls``: every required field set, each optional one set or left UNSET."""
    if cls not in _CACHE:
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        required = {f.name: _for_info(f.type) for f in info.fields if f.required}
        optional = {f.name: _for_info(f.type) for f in info.fields if not f.required}
        _CACHE[cls] = st.fixed_dictionaries(required, optional=optional).map(lambda kw: cls(**kw))
    return _CACHE[cls]


client_events = st.sampled_from(sorted(CLIENT_EVENT_TYPES.values(), key=lambda c: c.__name__)).flatmap(for_struct)
server_events = st.sampled_from(sorted(SERVER_EVENT_TYPES.values(), key=lambda c: c.__name__)).flatmap(for_struct)
