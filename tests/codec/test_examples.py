"""Every vendor example and every real session object decodes to its typed class and encodes back to the same JSON."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from codec.conftest import fixture_text, load_examples, session_record

from pyagent.realtime.codec import decode_client_event, decode_server_event, encode_client_event, encode_server_event
from pyagent.realtime.events import (
    CLIENT_EVENT_TYPES,
    SERVER_EVENT_TYPES,
    AudioFormat,
    ConversationItemRetrieved,
    InputAudioBufferAppend,
    OutputAudioContent,
    ResponseDone,
    ResponseOutputAudioDelta,
    ServerVad,
    Session,
    SessionUpdated,
    Voice,
)

EXAMPLES = load_examples()
EVENT_EXAMPLES = [e for e in EXAMPLES if "ClientEvent" in e["schema"] or "ServerEvent" in e["schema"]]
SESSION_EXAMPLES = [e for e in EXAMPLES if e not in EVENT_EXAMPLES]


def test_the_fixture_holds_all_110_examples() -> None:
    assert len(EXAMPLES) == 110
    assert len(SESSION_EXAMPLES) == 2
    assert sum(1 for e in EXAMPLES if e.get("audio_placeholder_replaced")) == 8


@pytest.mark.parametrize("example", EVENT_EXAMPLES, ids=lambda e: e["schema"])
def test_example_decodes_to_its_class_and_round_trips(example: dict[str, Any]) -> None:
    data = example["example"]
    text = json.dumps(data)
    if "ClientEvent" in example["schema"]:
        event: Any = decode_client_event(text)
        expected = CLIENT_EVENT_TYPES[data["type"]]
        encoded = encode_client_event(event)
    else:
        event = decode_server_event(text.encode())
        expected = SERVER_EVENT_TYPES[data["type"]]
        encoded = encode_server_event(event)
    assert type(event) is expected
    assert event.type == data["type"]
    assert msgspec.to_builtins(event) == data
    assert json.loads(encoded) == data


@pytest.mark.parametrize("example", SESSION_EXAMPLES, ids=lambda e: e["schema"])
def test_session_object_examples_decode_as_session(example: dict[str, Any]) -> None:
    session = msgspec.json.decode(json.dumps(example["example"]), type=Session)
    assert msgspec.to_builtins(session) == example["example"]


@pytest.mark.parametrize(
    "name",
    [
        "openai-dotnet_SessionRecord_CreateEphemeralToken.json",
        "openai-dotnet_SessionRecord_CreateEphemeralTranscriptionToken.json",
    ],
)
def test_recorded_ga_session_decodes_inside_session_created(name: str) -> None:
    session = session_record(name)
    frame = {"type": "session.created", "event_id": "event_1", "session": session}
    event = decode_server_event(json.dumps(frame))
    assert type(event).__name__ == "SessionCreated"
    assert msgspec.to_builtins(event) == frame
    typed = event.session  # type: ignore[union-attr]
    assert isinstance(typed, Session)
    assert isinstance(typed.audio, msgspec.Struct)
    assert isinstance(typed.audio.input.format, AudioFormat)  # type: ignore[union-attr]
    assert typed.audio.input.format.type == "audio/pcm"  # type: ignore[union-attr]
    assert typed.audio.input.format.rate == 24000  # type: ignore[union-attr]
    assert isinstance(typed.audio.input.turn_detection, ServerVad)  # type: ignore[union-attr]
    assert typed.audio.input.turn_detection.idle_timeout_ms is None  # type: ignore[union-attr]


def test_voicelive_session_updated_with_type_last_and_voice_object() -> None:
    text = fixture_text("msdocs_voicelive_java_quickstart_session_updated.json")
    assert text.rstrip().endswith('"type":"session.updated"}')
    event = decode_server_event(text)
    assert isinstance(event, SessionUpdated)
    assert isinstance(event.session.voice, Voice)
    assert event.session.voice.type == "azure-standard"
    assert event.session.voice.name == "en-US-Ava:DragonHDLatestNeural"
    assert isinstance(event.session.turn_detection, ServerVad)
    assert event.session.turn_detection.auto_truncate is True
    assert event.session.max_response_output_tokens == "inf"
    assert msgspec.to_builtins(event) == json.loads(text)
    assert json.loads(encode_server_event(event)) == json.loads(text)


def _example(event_type: str, schema_prefix: str) -> dict[str, Any]:
    for e in EXAMPLES:
        if e["schema"].startswith(schema_prefix) and e["example"]["type"] == event_type:
            return dict(e["example"])
    raise LookupError(event_type)


def test_audio_is_pcm_bytes_in_python() -> None:
    delta = decode_server_event(json.dumps(_example("response.output_audio.delta", "RealtimeServerEvent")))
    assert isinstance(delta, ResponseOutputAudioDelta)
    assert isinstance(delta.delta, bytes)
    assert len(delta.delta) == 960
    append = decode_client_event(json.dumps(_example("input_audio_buffer.append", "RealtimeClientEvent")))
    assert isinstance(append, InputAudioBufferAppend)
    assert len(append.audio) == 960
    retrieved = decode_server_event(json.dumps(_example("conversation.item.retrieved", "RealtimeServerEvent")))
    assert isinstance(retrieved, ConversationItemRetrieved)
    part = retrieved.item.content[0]  # type: ignore[union-attr]
    assert isinstance(part.audio, bytes)  # type: ignore[union-attr]


def test_response_done_usage_is_typed() -> None:
    done = decode_server_event(json.dumps(_example("response.done", "RealtimeServerEvent")))
    assert isinstance(done, ResponseDone)
    usage = done.response.usage
    assert usage is not None
    assert not isinstance(usage, msgspec.UnsetType)
    assert usage.total_tokens == 253
    assert usage.input_token_details.cached_tokens_details.audio_tokens == 0  # type: ignore[union-attr]
    output = done.response.output
    assert isinstance(output, list)
    assert isinstance(output[0].content[0], OutputAudioContent)  # type: ignore[union-attr]
