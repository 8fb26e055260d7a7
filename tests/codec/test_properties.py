"""Properties over generated input: valid events round-trip; nothing else escapes but the documented outcomes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec
from codec.strategies import client_events, json_objects, json_values, server_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyagent.realtime.codec import decode_client_event, decode_server_event, encode_client_event, encode_server_event
from pyagent.realtime.errors import EventDecodeError, EventValidationError
from pyagent.realtime.events import (
    CLIENT_EVENT_TYPES,
    SERVER_EVENT_TYPES,
    ClientEventBase,
    InvalidEvent,
    ServerEventBase,
    UnknownEvent,
)

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL_TYPES = sorted(CLIENT_EVENT_TYPES) + sorted(SERVER_EVENT_TYPES)


@FAST
@given(server_events)
def test_valid_server_events_round_trip(event: Any) -> None:
    encoded = encode_server_event(event)
    decoded = decode_server_event(encoded)
    assert decoded == event
    assert type(decoded) is type(event)
    assert msgspec.to_builtins(decoded) == json.loads(encoded)
    assert encode_server_event(decoded) == encoded


@FAST
@given(client_events)
def test_valid_client_events_round_trip(event: Any) -> None:
    encoded = encode_client_event(event)
    decoded = decode_client_event(encoded)
    assert decoded == event
    assert msgspec.to_builtins(decoded) == json.loads(encoded)
    # the same event as a plain wire mapping validates and goes out unchanged
    assert json.loads(encode_client_event(json.loads(encoded))) == json.loads(encoded)


@FAST
@given(client_events)
def test_type_may_come_anywhere(event: Any) -> None:
    wire = json.loads(encode_client_event(event))
    reordered = {k: wire[k] for k in sorted(wire, reverse=True)}
    reordered.pop("type")
    reordered["type"] = wire["type"]
    assert decode_client_event(json.dumps(reordered)) == event


def _outcome(func: Callable[[Any], Any], arg: Any) -> Any:
    """The result of ``func(arg)``, or the codec error it raised (any other exception propagates)."""
    try:
        return func(arg)
    except (EventDecodeError, EventValidationError) as exc:
        return exc


def _check_decoded(event: object, base: type) -> None:
    assert isinstance(event, base | UnknownEvent | InvalidEvent)
    if isinstance(event, UnknownEvent):
        assert event.type not in CLIENT_EVENT_TYPES or base is ServerEventBase
        assert event.type not in SERVER_EVENT_TYPES or base is ClientEventBase


@FAST
@given(st.binary(max_size=64) | st.text(max_size=64))
def test_arbitrary_bytes_decode_or_raise_event_decode_error(data: bytes | str) -> None:
    for decode, base in ((decode_server_event, ServerEventBase), (decode_client_event, ClientEventBase)):
        outcome = _outcome(decode, data)
        if isinstance(outcome, EventDecodeError):
            assert outcome.data == data
        else:
            _check_decoded(outcome, base)


@FAST
@given(json_values)
def test_arbitrary_json_is_an_event_or_an_event_decode_error(value: Any) -> None:
    text = json.dumps(value)
    for decode, base in ((decode_server_event, ServerEventBase), (decode_client_event, ClientEventBase)):
        if isinstance(value, dict):
            _check_decoded(decode(text), base)
        else:
            assert isinstance(_outcome(decode, text), EventDecodeError)


@FAST
@given(json_objects, st.sampled_from([*ALL_TYPES, "no.such.event", ""]))
def test_arbitrary_objects_of_any_type_never_raise(obj: dict[str, Any], event_type: str) -> None:
    obj = {**obj, "type": event_type}
    text = json.dumps(obj)
    for decode, base, known in (
        (decode_server_event, ServerEventBase, SERVER_EVENT_TYPES),
        (decode_client_event, ClientEventBase, CLIENT_EVENT_TYPES),
    ):
        event = decode(text)
        _check_decoded(event, base)
        if isinstance(event, InvalidEvent):
            assert event.type == event_type
            assert event.raw == text
            assert event.error
        elif isinstance(event, UnknownEvent):
            assert event_type not in known
            assert event.raw == obj
        else:
            assert type(event) is known[event_type]


@FAST
@given(json_objects, st.sampled_from([*sorted(CLIENT_EVENT_TYPES), "no.such.event"]))
def test_arbitrary_outgoing_mappings_encode_or_raise_validation_error(obj: dict[str, Any], event_type: str) -> None:
    obj = {**obj, "type": event_type}
    outcome = _outcome(encode_client_event, obj)
    if isinstance(outcome, EventValidationError):
        assert outcome.event_type == event_type
        assert outcome.path.startswith("$")
        assert event_type in CLIENT_EVENT_TYPES
    else:
        assert json.loads(outcome) == obj


@FAST
@given(server_events, st.data())
def test_a_valid_event_with_one_field_spoiled_is_typed_or_invalid_never_lost(event: Any, data: st.DataObject) -> None:
    wire = json.loads(encode_server_event(event))
    keys = sorted(k for k in wire if k != "type")
    if keys:
        key = data.draw(st.sampled_from(keys))
        if data.draw(st.booleans()):
            del wire[key]
        else:
            wire[key] = data.draw(json_values)
    text = json.dumps(wire)
    decoded = decode_server_event(text)
    if isinstance(decoded, InvalidEvent):
        assert decoded.type == wire["type"]
        assert decoded.raw == text
    else:
        assert type(decoded) is type(event)
        # nothing lost (base64 may come back canonical, so compare keys, then the typed values)
        assert set(msgspec.to_builtins(decoded)) == set(wire)
        assert decode_server_event(encode_server_event(decoded)) == decoded
