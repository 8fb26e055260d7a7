"""The documented outcomes of decoding and encoding: typed event, UnknownEvent, InvalidEvent or a typed error."""

from __future__ import annotations

import json
from types import MappingProxyType

import msgspec
import pytest

from pyagent.realtime.codec import decode_client_event, decode_server_event, encode_client_event, encode_server_event
from pyagent.realtime.errors import EventDecodeError, EventValidationError
from pyagent.realtime.events import (
    ConversationItemAdded,
    ConversationItemTruncate,
    InputAudioBufferAppend,
    InputAudioBufferSpeechStarted,
    InvalidEvent,
    ResponseOutputAudioDelta,
    ServerVad,
    Session,
    SessionUpdate,
    UnknownEvent,
    UnknownItem,
)


def test_unknown_type_becomes_unknown_event_with_the_raw_mapping() -> None:
    frame = {"type": "response.hologram.delta", "event_id": "e1", "delta": [1, 2, {"x": None}]}
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, UnknownEvent)
    assert event.type == "response.hologram.delta"
    assert event.raw == frame
    assert json.loads(encode_server_event(event)) == frame


def test_a_client_type_is_unknown_to_the_server_decoder_and_back() -> None:
    assert isinstance(decode_server_event('{"type": "session.update", "session": {}}'), UnknownEvent)
    assert isinstance(decode_client_event('{"type": "session.updated", "session": {}}'), UnknownEvent)


def test_malformed_known_type_becomes_invalid_event_naming_the_path() -> None:
    text = '{"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": "soon"}'
    event = decode_client_event(text)
    assert isinstance(event, InvalidEvent)
    assert event.type == "conversation.item.truncate"
    assert event.raw == text
    assert event.error == "Expected int, got str - at $.audio_end_ms"


def test_missing_required_field_and_nested_fault_are_invalid() -> None:
    missing = decode_server_event(b'{"type": "input_audio_buffer.speech_started", "item_id": "i"}')
    assert isinstance(missing, InvalidEvent)
    assert "audio_start_ms" in missing.error
    nested = decode_server_event('{"type": "session.updated", "session": {"turn_detection": {"type": 3}}}')
    assert isinstance(nested, InvalidEvent)
    assert "$.session.turn_detection" in nested.error


def test_object_without_type_is_invalid_with_empty_type() -> None:
    for text in ('{"event_id": "x"}', '{"type": 5}', "{}"):
        event = decode_server_event(text)
        assert isinstance(event, InvalidEvent)
        assert event.type == ""
        assert event.raw == text


@pytest.mark.parametrize(
    "data", [b"", b"not json", b"[1, 2]", b'"text"', b"null", b"\xff\xfe", '{"type": "error"', "3"]
)
def test_non_json_or_non_object_raises_event_decode_error(data: str | bytes) -> None:
    with pytest.raises(EventDecodeError) as info:
        decode_server_event(data)
    assert info.value.data == data
    with pytest.raises(EventDecodeError):
        decode_client_event(data)


def test_type_may_come_last_and_audio_is_bytes() -> None:
    text = (
        '{"response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAEC",'
        '"type":"response.output_audio.delta"}'
    )
    event = decode_server_event(text)
    assert isinstance(event, ResponseOutputAudioDelta)
    assert event.delta == b"\x00\x01\x02"


def test_absent_is_not_null() -> None:
    unset = SessionUpdate(session=Session(instructions="hi"))
    assert json.loads(encode_client_event(unset)) == {"type": "session.update", "session": {"instructions": "hi"}}
    off = SessionUpdate(session=Session(turn_detection=None))
    assert json.loads(encode_client_event(off)) == {"type": "session.update", "session": {"turn_detection": None}}
    decoded = decode_client_event(encode_client_event(off))
    assert isinstance(decoded, SessionUpdate)
    assert decoded.session.turn_detection is None
    assert decoded.session.voice is msgspec.UNSET
    vad = decode_client_event('{"type":"session.update","session":{"turn_detection":{"type":"server_vad"}}}')
    assert isinstance(vad, SessionUpdate)
    assert isinstance(vad.session.turn_detection, ServerVad)
    assert vad.session.turn_detection.threshold is msgspec.UNSET


def test_struct_encodes_audio_as_base64() -> None:
    encoded = encode_client_event(InputAudioBufferAppend(audio=b"\x00\x01\x02"))
    assert json.loads(encoded) == {"type": "input_audio_buffer.append", "audio": "AAEC"}


def test_mapping_of_known_type_is_validated_and_sent_as_given() -> None:
    mapping = {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": 10, "x": 1}
    assert json.loads(encode_client_event(mapping)) == mapping
    audio = {"type": "input_audio_buffer.append", "audio": b"\x00\x01\x02"}
    assert json.loads(encode_client_event(audio)) == {"type": "input_audio_buffer.append", "audio": "AAEC"}
    assert json.loads(encode_client_event({"type": "input_audio_buffer.append", "audio": "AAEC"}))["audio"] == "AAEC"


def test_mapping_that_does_not_fit_raises_naming_the_field() -> None:
    with pytest.raises(EventValidationError) as info:
        encode_client_event(
            {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": "x"}
        )
    assert info.value.event_type == "conversation.item.truncate"
    assert info.value.path == "$.audio_end_ms"
    with pytest.raises(EventValidationError) as missing:
        encode_client_event({"type": "conversation.item.truncate", "item_id": "i", "content_index": 0})
    assert missing.value.path == "$.audio_end_ms"
    with pytest.raises(EventValidationError) as nested:
        encode_client_event(
            {"type": "session.update", "session": {"turn_detection": {"type": "server_vad", "threshold": "hi"}}}
        )
    assert nested.value.path == "$.session.turn_detection.threshold"
    with pytest.raises(EventValidationError) as no_type:
        encode_client_event({"item_id": "i"})
    assert no_type.value.path == "$.type"


def test_unknown_client_type_passes_through() -> None:
    mapping = {"type": "session.teleport", "where": {"x": [1, None]}}
    assert json.loads(encode_client_event(mapping)) == mapping


def test_wrong_direction_struct_is_refused() -> None:
    with pytest.raises(EventValidationError):
        encode_client_event(InputAudioBufferSpeechStarted(audio_start_ms=1, item_id="i"))  # type: ignore[arg-type]
    with pytest.raises(EventValidationError):
        encode_server_event(ConversationItemTruncate(item_id="i", content_index=0, audio_end_ms=1))  # type: ignore[arg-type]


def test_invalid_event_encodes_back_to_its_text() -> None:
    text = '{"type": "conversation.item.truncate", "audio_end_ms": "soon"}'
    event = decode_client_event(text)
    assert isinstance(event, InvalidEvent)
    assert encode_client_event(event) == text.encode()


def test_extra_fields_are_tolerated() -> None:
    text = '{"type": "input_audio_buffer.cleared", "event_id": "e", "new_field": {"x": 1}}'
    event = decode_server_event(text)
    assert type(event).__name__ == "InputAudioBufferCleared"
    assert event.event_id == "e"  # type: ignore[union-attr]


def test_unknown_nested_variant_is_an_unknown_part_of_a_typed_event() -> None:
    text = '{"type": "conversation.item.added", "event_id": "e", "item": {"type": "image_generation_call", "id": "x"}}'
    event = decode_server_event(text)
    assert isinstance(event, ConversationItemAdded)
    assert isinstance(event.item, UnknownItem)
    assert event.item.type == "image_generation_call"
    assert event.item.raw == {"type": "image_generation_call", "id": "x"}
    assert json.loads(encode_server_event(event)) == json.loads(text)


def test_a_malformed_variant_tag_is_still_invalid() -> None:
    text = '{"type": "conversation.item.added", "item": {"type": 7, "id": "x"}}'
    event = decode_server_event(text)
    assert isinstance(event, InvalidEvent)
    assert "$.item" in event.error


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"type": "x", "a": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"type": "session.update", "session": ' + '{"a":' * 5000 + "1" + "}" * 5001,
        '{"type": "x", "a": 1e999}',
    ],
    ids=["deep-array", "deep-unknown", "deep-known", "number-out-of-range"],
)
def test_frames_json_cannot_represent_raise_event_decode_error(text: str) -> None:
    with pytest.raises(EventDecodeError):
        decode_server_event(text)
    with pytest.raises(EventDecodeError):
        decode_client_event(text)


def test_outgoing_mapping_nested_too_deeply_raises_validation_error() -> None:
    deep: list[object] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    with pytest.raises(EventValidationError):
        encode_client_event({"type": "no.such.event", "a": deep})


def test_any_mapping_type_is_accepted() -> None:
    frozen = MappingProxyType({"type": "response.cancel", "response_id": "r"})
    assert json.loads(encode_client_event(frozen)) == {"type": "response.cancel", "response_id": "r"}
    with pytest.raises(TypeError):
        encode_client_event(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_mapping_may_hold_structs() -> None:
    update = {"type": "session.update", "session": Session(instructions="x", turn_detection=None)}
    assert json.loads(encode_client_event(update)) == {
        "type": "session.update",
        "session": {"instructions": "x", "turn_detection": None},
    }
    wrong = {"type": "conversation.item.create", "item": Session()}
    with pytest.raises(EventValidationError) as info:
        encode_client_event(wrong)
    assert info.value.path.startswith("$.item")
