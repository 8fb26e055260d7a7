"""What a service may send tomorrow decodes today, generated over the whole catalogue in ``protocol/``.

1. ``null`` in every optional field of every event and of every nested model decodes (as ``None``) and round-trips.
2. A field pyagent does not model is kept at every depth, readable and written back.
3. A variant pyagent does not model inside a known event is an ``Unknown...`` part; the event stays typed.
4. A GA audio format object without ``type`` decodes and encodes.
5. Text and numbers JSON cannot carry give the documented typed errors; every buffer type decodes.
6. Every event and nested model reads like a mapping of its wire fields.
"""

from __future__ import annotations

import decimal
import json
import math
import re
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from codec.catalogue import (
    EVENTS,
    MODELS,
    UNIONS,
    Place,
    alternatives,
    event_value,
    frame_at,
    locate,
    model_places,
    steps,
    union_places,
)

from pyagent.realtime import codec
from pyagent.realtime.codec import decode_client_event, decode_server_event, encode_client_event, encode_server_event
from pyagent.realtime.errors import EventDecodeError, EventValidationError, FieldNotSetError
from pyagent.realtime.events import (
    CLIENT_EVENT_TYPES,
    SERVER_EVENT_TYPES,
    AudioFormat,
    ConversationItemCreate,
    ConversationItemTruncate,
    InputAudioBufferAppend,
    InvalidEvent,
    MessageItem,
    PcmaAudioFormat,
    PcmAudioFormat,
    PcmuAudioFormat,
    ResponseDone,
    ServerVad,
    Session,
    SessionUpdate,
    UnknownContentPart,
    UnknownEvent,
    UnknownItem,
    UnknownPart,
)

PLACES = model_places()
UNION_PLACES = union_places()
EXTRA = {"x_future_field": {"nested": [1, "two", None, {"deep": True}]}}


def _decode(entry: dict[str, Any], frame: Any) -> Any:
    data = json.dumps(frame) if isinstance(frame, dict) else frame
    return decode_client_event(data) if entry["direction"] == "client" else decode_server_event(data)


def _encode(entry: dict[str, Any], event: Any) -> Any:
    encode = encode_client_event if entry["direction"] == "client" else encode_server_event
    return json.loads(encode(event))


def _class(entry: dict[str, Any]) -> type:
    return (CLIENT_EVENT_TYPES if entry["direction"] == "client" else SERVER_EVENT_TYPES)[entry["type"]]


def _event_id(entry: dict[str, Any]) -> str:
    return f"{entry['direction']}:{entry['type']}"


OPTIONAL_EVENT_FIELDS = [(e, f["name"]) for e in EVENTS for f in e["fields"] if not f["required"]]
OPTIONAL_MODEL_FIELDS = [
    (name, f["name"]) for name in sorted(PLACES) for f in MODELS[name]["fields"] if not f["required"]
]


def test_the_catalogue_reaches_every_model_and_union() -> None:
    # every model an event can carry (the format variants are builders: decoding gives AudioFormat)
    assert set(MODELS) - set(PLACES) == {"PcmAudioFormat", "PcmuAudioFormat", "PcmaAudioFormat"}
    assert set(UNION_PLACES) == set(UNIONS)
    assert len(OPTIONAL_EVENT_FIELDS) + len(OPTIONAL_MODEL_FIELDS) > 450


# --- 1. null for an optional field ---------------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "field"), OPTIONAL_EVENT_FIELDS, ids=lambda v: v if isinstance(v, str) else "")
def test_null_in_an_optional_event_field_decodes_as_none(entry: dict[str, Any], field: str) -> None:
    frame = {**event_value(entry), field: None}
    event = _decode(entry, frame)
    assert type(event) is _class(entry), getattr(event, "error", event)
    assert event[field] is None
    assert getattr(event, field) is None
    assert _encode(entry, event) == frame


@pytest.mark.parametrize(("name", "field"), OPTIONAL_MODEL_FIELDS, ids=lambda v: v)
def test_null_in_an_optional_nested_field_decodes_as_none(name: str, field: str) -> None:
    place = PLACES[name]
    frame, target = frame_at(place)
    target[field] = None
    event = _decode(place.event, frame)
    assert type(event) is _class(place.event), getattr(event, "error", event)
    nested = locate(event, steps(place.route))
    assert type(nested).__name__ == name
    assert nested[field] is None
    assert _encode(place.event, event) == frame


def test_event_id_null_decodes_for_every_event_type() -> None:
    for entry in EVENTS:
        event = _decode(entry, {**event_value(entry), "event_id": None})
        assert type(event) is _class(entry)
        assert event.event_id is None


# --- 2. a field pyagent does not model is kept, at every depth --------------------------------------------------


@pytest.mark.parametrize("entry", EVENTS, ids=_event_id)
def test_an_unknown_top_level_field_is_kept_and_written_back(entry: dict[str, Any]) -> None:
    frame = {**event_value(entry), **EXTRA}
    event = _decode(entry, frame)
    assert type(event) is _class(entry), getattr(event, "error", event)
    assert event.extra_fields == EXTRA
    assert event["x_future_field"] == EXTRA["x_future_field"]
    assert "x_future_field" in list(event)
    assert _encode(entry, event) == frame


@pytest.mark.parametrize("name", sorted(PLACES))
def test_an_unknown_nested_field_is_kept_and_written_back(name: str) -> None:
    place = PLACES[name]
    frame, target = frame_at(place)
    target.update(EXTRA)
    event = _decode(place.event, frame)
    assert type(event) is _class(place.event), getattr(event, "error", event)
    nested = locate(event, steps(place.route))
    assert type(nested).__name__ == name
    assert nested.extra_fields == EXTRA
    assert nested.get("x_future_field") == EXTRA["x_future_field"]
    assert not event.extra_fields
    assert _encode(place.event, event) == frame


def test_unknown_fields_at_several_depths_of_one_frame() -> None:
    frame = {
        "type": "response.done",
        "event_id": "e",
        "rank": 3,
        "response": {
            "id": "r",
            "region": "westeurope",
            "output": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_audio", "transcript": "hi", "voice_ms": 900}],
                    "latency_ms": 12,
                }
            ],
            "usage": {"total_tokens": 3, "cached_ratio": 0.5, "input_token_details": {"video_tokens": 0}},
        },
    }
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, ResponseDone)
    assert event.extra_fields == {"rank": 3}
    assert event.response.extra_fields == {"region": "westeurope"}
    item = event.response.output[0]  # type: ignore[index]
    assert item["latency_ms"] == 12
    assert item["content"][0]["voice_ms"] == 900
    assert event.response["usage"]["cached_ratio"] == 0.5
    assert event.response.usage.input_token_details["video_tokens"] == 0  # type: ignore[union-attr]
    assert json.loads(encode_server_event(event)) == frame


def test_a_field_set_on_a_built_event_goes_out() -> None:
    vad = ServerVad(threshold=0.4)
    vad["new_knob"] = 2
    vad.extra_fields["another"] = [1]
    update = SessionUpdate(session=Session(turn_detection=vad))
    update["trace"] = "t1"
    wire = json.loads(encode_client_event(update))
    assert wire == {
        "type": "session.update",
        "session": {"turn_detection": {"type": "server_vad", "threshold": 0.4, "new_knob": 2, "another": [1]}},
        "trace": "t1",
    }
    assert update.as_dict() == wire
    # a declared field set through the mapping view is the attribute
    vad["threshold"] = 0.6
    assert vad.threshold == 0.6
    with pytest.raises(EventValidationError):
        vad["type"] = "semantic_vad"


def test_the_semantic_vad_fields_the_services_document_are_modelled() -> None:
    frame = {
        "type": "session.update",
        "session": {
            "turn_detection": {
                "type": "azure_semantic_vad",
                "neg_threshold": 0.3,
                "window_size": 4,
                "distinct_ci_phones": 2,
                "require_vowel": True,
            }
        },
    }
    event = decode_client_event(json.dumps(frame))
    assert isinstance(event, SessionUpdate)
    vad = event.session.turn_detection
    assert not vad.extra_fields  # type: ignore[union-attr]
    assert (vad.neg_threshold, vad.window_size, vad.distinct_ci_phones, vad.require_vowel) == (0.3, 4, 2, True)  # type: ignore[union-attr]


# --- 3. an unknown variant inside a known event -----------------------------------------------------------------


@pytest.mark.parametrize("union", sorted(UNIONS))
def test_an_unknown_variant_is_an_unknown_part_of_a_typed_event(union: str) -> None:
    holder, field, depth = UNION_PLACES[union]
    frame, target = frame_at(holder)
    variant = {"type": "x_future_variant", "payload": {"a": [1, 2]}, "token": "t"}
    value: Any = variant
    for _ in range(depth):
        value = [value]
    target[field] = value
    event = _decode(holder.event, frame)
    assert type(event) is _class(holder.event), getattr(event, "error", event)
    part = locate(event, [*steps(holder.route), field] + [0] * depth)
    assert isinstance(part, UnknownPart)
    assert type(part).__name__ == UNIONS[union]["unknown"]
    assert part.type == "x_future_variant"
    assert part.raw == variant
    assert part["payload"] == {"a": [1, 2]}
    assert "'t'" not in repr(part)  # keys only: a new part may carry a secret
    assert _encode(holder.event, event) == frame


def test_an_unknown_content_part_deep_in_a_response_and_a_built_unknown_item() -> None:
    frame = {
        "type": "response.done",
        "response": {
            "output": [
                {"type": "message", "role": "assistant", "content": [{"type": "output_hologram", "frames": 3}]},
                {"type": "image_generation_call", "id": "ig_1", "result": "..."},
            ]
        },
    }
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, ResponseDone)
    message, image = event.response.output  # type: ignore[misc]
    assert isinstance(message, MessageItem)
    assert isinstance(message.content[0], UnknownContentPart)
    assert isinstance(image, UnknownItem)
    assert image["id"] == "ig_1"
    assert json.loads(encode_server_event(event)) == frame
    built = ConversationItemCreate(item=UnknownItem({"type": "image_generation_call", "id": "x"}))
    assert json.loads(encode_client_event(built))["item"] == {"type": "image_generation_call", "id": "x"}
    # and as a mapping: checked against the Struct, the unknown variant passes
    mapping = {"type": "conversation.item.create", "item": {"type": "image_generation_call", "id": "x"}}
    assert json.loads(encode_client_event(mapping)) == mapping


# --- 4. a GA audio format without type --------------------------------------------------------------------------


def _format_places() -> list[tuple[Place, str]]:
    out = []
    for name, place in sorted(PLACES.items()):
        for field in MODELS[name]["fields"]:
            if "AudioFormat" in alternatives(field["type"]):
                out.append((place, field["name"]))
    return out


FORMAT_PLACES = _format_places()


@pytest.mark.parametrize(("place", "field"), FORMAT_PLACES, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("fmt", [{"rate": 24000}, {"type": "audio/opus", "rate": 48000}, {"type": "audio/pcmu"}])
def test_an_audio_format_object_decodes_with_or_without_a_known_type(
    place: Place, field: str, fmt: dict[str, Any]
) -> None:
    frame, target = frame_at(place)
    target[field] = fmt
    event = _decode(place.event, frame)
    assert type(event) is _class(place.event), getattr(event, "error", event)
    decoded = locate(event, [*steps(place.route), field])
    assert isinstance(decoded, AudioFormat)
    assert decoded.get("rate") == fmt.get("rate")
    assert _encode(place.event, event) == frame


def test_format_builders_and_a_typeless_format_encode() -> None:
    assert len(FORMAT_PLACES) >= 3
    assert PcmAudioFormat(rate=24000).as_dict() == {"type": "audio/pcm", "rate": 24000}
    assert PcmuAudioFormat().as_dict() == {"type": "audio/pcmu"}
    assert PcmaAudioFormat().as_dict() == {"type": "audio/pcma"}
    session = {"type": "realtime", "audio": {"input": {"format": {"rate": 24000}}}}
    wire = json.loads(encode_client_event({"type": "session.update", "session": session}))
    assert wire["session"] == session
    built = SessionUpdate(session=msgspec.convert(session, Session))
    assert json.loads(encode_client_event(built))["session"] == session


# --- 5. what Python can hold but JSON cannot ---------------------------------------------------------------------


@pytest.mark.parametrize("entry", EVENTS, ids=_event_id)
def test_a_lone_surrogate_in_a_frame_is_an_event_decode_error(entry: dict[str, Any]) -> None:
    frame = {**event_value(entry), "note": "a\ud800b"}
    for text in (json.dumps(frame, ensure_ascii=False), json.dumps(frame)):  # the character, then its escape
        with pytest.raises(EventDecodeError) as info:
            _decode(entry, text)
        assert info.value.data == text


def _string_fields(entry: dict[str, Any]) -> list[str]:
    return [f["name"] for f in entry["fields"] if alternatives(f["type"])[0] == "string" and f["name"] != "type"]


@pytest.mark.parametrize("entry", [e for e in EVENTS if _string_fields(e)], ids=_event_id)
def test_an_outgoing_lone_surrogate_is_an_event_validation_error(entry: dict[str, Any]) -> None:
    field = _string_fields(entry)[0]
    frame = {**event_value(entry), field: "a\ud800b"}
    encode = encode_client_event if entry["direction"] == "client" else encode_server_event
    with pytest.raises(EventValidationError) as mapped:
        encode(frame)
    assert mapped.value.event_type == entry["type"]
    typed = _decode(entry, event_value(entry))
    setattr(typed, field, "a\ud800b")
    with pytest.raises(EventValidationError):
        encode(typed)


def _number_places() -> list[tuple[Place, str]]:
    """Every ``number`` field: at the top of an event (empty route) or in a model."""
    out = [(Place(e, []), f["name"]) for e in EVENTS for f in e["fields"] if alternatives(f["type"]) == ["number"]]
    for name, place in sorted(PLACES.items()):
        out += [(place, f["name"]) for f in MODELS[name]["fields"] if alternatives(f["type"]) == ["number"]]
    return out


NUMBER_PLACES = _number_places()
BAD_NUMBERS = [decimal.Decimal("0.8"), math.nan, math.inf, -math.inf]


@pytest.mark.parametrize(("place", "field"), NUMBER_PLACES, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=repr)
def test_a_number_json_cannot_carry_is_refused_in_every_float_field(place: Place, field: str, bad: Any) -> None:
    encode = encode_client_event if place.event["direction"] == "client" else encode_server_event
    frame, target = frame_at(place)
    target[field] = bad
    where = "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in [*steps(place.route), field])
    with pytest.raises(EventValidationError) as mapped:
        encode(frame)
    assert mapped.value.path == where
    typed = _decode(place.event, event_value(place.event) | frame_at(place)[0])
    nested = locate(typed, steps(place.route))
    setattr(nested, field, bad)
    with pytest.raises(EventValidationError) as built:
        encode(typed)
    assert built.value.path == where
    assert built.value.event_type == place.event["type"]


def test_every_float_field_of_the_catalogue_is_checked() -> None:
    assert len(NUMBER_PLACES) >= 20


def _required_places() -> list[tuple[Place, str]]:
    """Every field that may not be null: at the top of an event (empty route) or in a model."""

    def required(fields: list[dict[str, Any]]) -> list[str]:
        return [
            f["name"]
            for f in fields
            if f["required"] and f["name"] != "type" and "null" not in f["type"] and f["type"] != "any"
        ]

    out = [(Place(e, []), name) for e in EVENTS for name in required(e["fields"])]
    for model, place in sorted(PLACES.items()):
        out += [(place, name) for name in required(MODELS[model]["fields"])]
    return out


REQUIRED_PLACES = _required_places()


@pytest.mark.parametrize(("place", "field"), REQUIRED_PLACES, ids=lambda v: v if isinstance(v, str) else "")
def test_none_in_a_required_field_of_a_built_event_is_refused(place: Place, field: str) -> None:
    """msgspec's constructors do not check types, and its encoder writes None as null: the codec refuses it, as it
    refuses the same mapping, rather than let the service answer with an error later."""
    encode = encode_client_event if place.event["direction"] == "client" else encode_server_event
    typed = _decode(place.event, event_value(place.event) | frame_at(place)[0])
    setattr(locate(typed, steps(place.route)), field, None)
    where = "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in [*steps(place.route), field])
    with pytest.raises(EventValidationError) as built:
        encode(typed)
    assert built.value.path == where
    assert built.value.event_type == place.event["type"]
    assert "is required and may not be None" in str(built.value)


def test_every_required_field_of_the_catalogue_is_checked() -> None:
    assert len(REQUIRED_PLACES) >= 200


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("item_id", 7, "expected str, got int - at $.item_id"),
        ("content_index", True, "expected int, got bool - at $.content_index"),
        ("audio_end_ms", "1500", "expected int, got str - at $.audio_end_ms"),
    ],
)
def test_a_scalar_of_another_kind_in_a_built_event_is_refused(field: str, value: Any, expected: str) -> None:
    event = ConversationItemTruncate(item_id="item_1", content_index=0, audio_end_ms=1500)
    setattr(event, field, value)
    with pytest.raises(EventValidationError, match=re.escape(expected)):
        encode_client_event(event)
    with pytest.raises(EventValidationError, match="expected bytes or bytearray or memoryview, got str"):
        encode_client_event(InputAudioBufferAppend(audio="AAEC"))  # type: ignore[arg-type]


@pytest.mark.parametrize("entry", EVENTS, ids=_event_id)
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview], ids=lambda k: k.__name__)
def test_every_buffer_type_decodes_alike(entry: dict[str, Any], kind: Callable[[bytes], Any]) -> None:
    for frame in (event_value(entry), {**event_value(entry), **EXTRA}, {"type": entry["type"], "event_id": 5}):
        data = json.dumps(frame).encode()
        assert repr(_decode(entry, kind(data))) == repr(_decode(entry, data))


def test_an_invalid_event_from_a_memoryview_keeps_its_text() -> None:
    data = b'{"type": "conversation.item.truncate", "audio_end_ms": "soon"}'
    event = decode_client_event(memoryview(data))
    assert isinstance(event, InvalidEvent)
    assert event.raw == data.decode()


def test_the_docstring_tells_which_valid_json_is_refused() -> None:
    doc = codec.decode_server_event.__doc__ or ""
    assert "1e999" in doc
    assert "4,300 digits" in doc
    assert "memoryview" in doc
    with pytest.raises(EventDecodeError):
        decode_server_event('{"type": "x", "a": 1e999}')
    with pytest.raises(EventDecodeError):
        decode_server_event('{"type": "x", "a": ' + "7" * 4301 + "}")
    big = decode_server_event('{"type": "x", "a": ' + "7" * 4300 + "}")
    assert isinstance(big, UnknownEvent)
    assert big["a"] == int("7" * 4300)


# --- 6. events read like the SDK's models ------------------------------------------------------------------------


def _check_mapping_view(obj: Any, frame: dict[str, Any], optional: list[str]) -> None:
    assert set(obj.keys()) == set(frame)
    for key in frame:
        assert key in obj
        assert obj.get(key) is obj[key]
        if key != "type":
            assert obj[key] is getattr(obj, key)
    assert obj["type"] == frame["type"] if "type" in frame else True
    for key in optional:
        if key not in frame:
            assert obj.get(key, "absent") == "absent"
            assert key not in obj
            with pytest.raises(KeyError):
                obj[key]
            with pytest.raises(FieldNotSetError):
                obj[key]


@pytest.mark.parametrize("entry", EVENTS, ids=_event_id)
def test_every_event_reads_like_a_mapping(entry: dict[str, Any]) -> None:
    frame = event_value(entry)
    event = _decode(entry, frame)
    optional = [f["name"] for f in entry["fields"] if not f["required"]]
    _check_mapping_view(event, frame, optional)
    assert dict(event.items()) == dict(zip(event.keys(), event.values(), strict=True))
    assert list(event) == event.keys()


@pytest.mark.parametrize("name", sorted(PLACES))
def test_every_nested_model_reads_like_a_mapping(name: str) -> None:
    place = PLACES[name]
    frame, target = frame_at(place)
    event = _decode(place.event, frame)
    nested = locate(event, steps(place.route))
    optional = [f["name"] for f in MODELS[name]["fields"] if not f["required"]]
    _check_mapping_view(nested, target, optional)


def test_the_azure_sdk_idiom_reads_a_transcript() -> None:
    text = '{"type": "response.audio_transcript.done", "response_id": "r", "item_id": "i", "output_index": 0,'
    text += ' "content_index": 0, "transcript": "Hello there"}'
    event = decode_server_event(text)
    assert f"{event.get('transcript', '')}" == "Hello there"
    assert event["transcript"] == "Hello there"
    unknown = decode_server_event('{"type": "response.hologram.done", "transcript": "x"}')
    assert unknown.get("transcript", "") == "x"
    assert unknown["transcript"] == "x"
    invalid = decode_server_event('{"type": "response.audio_transcript.done", "transcript": 5}')
    assert isinstance(invalid, InvalidEvent)
    assert invalid.get("transcript") == 5
    with pytest.raises(KeyError):
        invalid["response_id"]
    assert InputAudioBufferAppend(audio=b"\x00\x01")["audio"] == b"\x00\x01"  # Python values: audio is bytes


def test_a_struct_inside_a_mapping_keeps_its_unknown_fields_and_its_numbers_are_checked() -> None:
    session = Session(instructions="x")
    session["voice_pitch"] = "+2st"
    wire = json.loads(encode_client_event({"type": "session.update", "session": session}))
    assert wire == {"type": "session.update", "session": {"instructions": "x", "voice_pitch": "+2st"}}
    with pytest.raises(EventValidationError) as info:
        encode_client_event({"type": "session.update", "session": Session(temperature=math.nan)})
    assert info.value.path == "$.session.temperature"
    # a flat event as a mapping: a field pyagent does not model passes, a wrong type does not
    assert json.loads(encode_client_event({"type": "input_audio_buffer.clear", "x": 1})) == {
        "type": "input_audio_buffer.clear",
        "x": 1,
    }
    with pytest.raises(EventValidationError):
        encode_client_event({"type": "input_audio_buffer.append", "audio": 5})
