"""The names other layers build on (the contract between layers, section 3) exist with the promised shape."""

from __future__ import annotations

import typing

import msgspec
import pytest

from pyagent.realtime import codec, events

CONTRACT_EVENTS = {
    "response.output_audio.delta": "ResponseOutputAudioDelta",
    "input_audio_buffer.speech_started": "InputAudioBufferSpeechStarted",
    "session.update": "SessionUpdate",
    "conversation.item.truncate": "ConversationItemTruncate",
    "rate_limits.updated": "RateLimitsUpdated",
    "error": "ErrorEvent",
    "warning": "WarningEvent",
}
AUDIO_FIELDS = [
    ("InputAudioBufferAppend", "audio"),
    ("InputAudioTurnAppend", "audio"),
    ("ResponseOutputAudioDelta", "delta"),
    ("ResponseAudioDelta", "delta"),
    ("InputAudioContent", "audio"),
    ("AudioContent", "audio"),
    ("OutputAudioContent", "audio"),
]
NESTED = [
    "Session",
    "Response",
    "MessageItem",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputTextContent",
    "InputAudioContent",
    "TextContent",
    "AudioContent",
    "OutputTextContent",
    "OutputAudioContent",
    "Usage",
    "ErrorDetail",
    "UnknownEvent",
    "InvalidEvent",
]


def test_codec_functions() -> None:
    assert codec.__all__ == ["decode_client_event", "decode_server_event", "encode_client_event", "encode_server_event"]


@pytest.mark.parametrize(("wire", "name"), sorted(CONTRACT_EVENTS.items()))
def test_event_class_names(wire: str, name: str) -> None:
    cls = getattr(events, name)
    assert cls.type == wire
    assert cls.__struct_config__.tag_field == "type"
    assert cls.__name__ == name


@pytest.mark.parametrize(("name", "field"), AUDIO_FIELDS)
def test_audio_fields_are_bytes(name: str, field: str) -> None:
    hints = typing.get_type_hints(getattr(events, name))
    assert bytes in typing.get_args(hints[field]) or hints[field] is bytes


@pytest.mark.parametrize("name", NESTED)
def test_nested_models_exist(name: str) -> None:
    assert issubclass(getattr(events, name), msgspec.Struct)


# The defaults that fill a field the caller left out: the one kind of a discriminator the services document, and
# the format variants' own type. Every other optional field starts UNSET, absent on the wire.
WIRE_DEFAULTS = {
    ("AudioEchoCancellation", "type"): "server_echo_cancellation",
    ("SessionAgent", "type"): "agent",
    ("PcmAudioFormat", "type"): "audio/pcm",
    ("PcmuAudioFormat", "type"): "audio/pcmu",
    ("PcmaAudioFormat", "type"): "audio/pcma",
}


def test_every_struct_is_keyword_only_and_optional_means_unset() -> None:
    structs = [obj for obj in vars(events).values() if isinstance(obj, type) and issubclass(obj, msgspec.Struct)]
    for cls in structs:
        for field in msgspec.structs.fields(cls):
            expected = WIRE_DEFAULTS.get((cls.__name__, field.name))
            if expected is not None:
                assert field.default == expected, (cls, field.name)
            else:
                assert field.default in (msgspec.NODEFAULT, msgspec.UNSET), (cls, field.name)
    # positional construction is refused everywhere: the wire has no order
    with pytest.raises(TypeError):
        events.ConversationItemTruncate("item", 0, 10)  # type: ignore[misc]
    assert events.ResponseCancel().event_id is msgspec.UNSET
    assert events.Session().turn_detection is msgspec.UNSET


def test_item_fields_of_the_contract() -> None:
    message = events.MessageItem(role="user", content=[events.InputTextContent(text="hi")])
    assert message.type == "message"
    assert message.id is msgspec.UNSET
    call = events.FunctionCallItem(call_id="c", name="f", arguments="{}")
    output = events.FunctionCallOutputItem(call_id="c", output="{}")
    assert (call.type, output.type) == ("function_call", "function_call_output")
    error = events.ErrorDetail(type="invalid_request_error", code="x", message="m", param=None, event_id="e")
    assert error.param is None
