"""Every resource method puts the exact wire event, for typed Structs and plain mappings alike."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest

from conftest import FIXTURES
from pyagent.realtime import EventValidationError, RealtimeConnection, WebsocketConnectionOptions, connect
from pyagent.realtime.events import (
    AudioInputTranscription,
    FunctionCallOutputItem,
    InputAudioBufferCommit,
    InputTextContent,
    MessageItem,
    ResponseCreateParams,
    Session,
)
from pyagent.realtime.testing import ScriptedServer

Call = Callable[[RealtimeConnection], Awaitable[None]]
SPEECH = (FIXTURES / "audio" / "aoai-realtime-audio-sdk_tell_me_the_weather_pcm16_24k_mono.raw").read_bytes()


async def _wire(call: Call, *, dialect: str = "voicelive", **kwargs: Any) -> list[Any]:
    """Every event the call put on the wire: the connection, then the server, close (having read all) first."""
    async with ScriptedServer() as server, connect(endpoint=server.endpoint, dialect=dialect, **kwargs) as conn:
        await call(conn)
    return server.received


CASES: list[tuple[str, Call, dict[str, Any]]] = [
    (
        "session.update mapping",
        lambda c: c.session.update(
            session={
                "instructions": "Be brief.",
                "voice": {"type": "azure-standard", "name": "v"},
                "turn_detection": None,
            }
        ),
        {
            "type": "session.update",
            "session": {
                "instructions": "Be brief.",
                "voice": {"type": "azure-standard", "name": "v"},
                "turn_detection": None,  # null turns VAD off: it must reach the wire as null, not vanish
            },
        },
    ),
    (
        "session.update struct",
        lambda c: c.session.update(session=Session(instructions="Hi", turn_detection=None), event_id="e1"),
        {"type": "session.update", "event_id": "e1", "session": {"instructions": "Hi", "turn_detection": None}},
    ),
    ("response.create bare", lambda c: c.response.create(), {"type": "response.create"}),
    (
        "response.create struct",
        lambda c: c.response.create(response=ResponseCreateParams(instructions="Short."), additional_instructions="x"),
        {"type": "response.create", "response": {"instructions": "Short."}, "additional_instructions": "x"},
    ),
    (
        "response.create mapping",
        lambda c: c.response.create(response={"conversation": "none", "modalities": ["text"]}, event_id="e2"),
        {"type": "response.create", "event_id": "e2", "response": {"conversation": "none", "modalities": ["text"]}},
    ),
    ("response.cancel", lambda c: c.response.cancel(), {"type": "response.cancel"}),
    (
        "response.cancel id",
        lambda c: c.response.cancel(response_id="resp_1", event_id="e3"),
        {"type": "response.cancel", "response_id": "resp_1", "event_id": "e3"},
    ),
    (
        "input_audio_buffer.append",
        lambda c: c.input_audio_buffer.append(audio=b"\x01\x00\x02\x00"),
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(b"\x01\x00\x02\x00").decode()},
    ),
    ("input_audio_buffer.commit", lambda c: c.input_audio_buffer.commit(), {"type": "input_audio_buffer.commit"}),
    (
        "input_audio_buffer.clear",
        lambda c: c.input_audio_buffer.clear(event_id="e4"),
        {"type": "input_audio_buffer.clear", "event_id": "e4"},
    ),
    ("output_audio_buffer.clear", lambda c: c.output_audio_buffer.clear(), {"type": "output_audio_buffer.clear"}),
    (
        "conversation.item.create struct",
        lambda c: c.conversation.item.create(
            item=MessageItem(role="user", content=[InputTextContent(text="hello")]), previous_item_id="root"
        ),
        {
            "type": "conversation.item.create",
            "previous_item_id": "root",
            "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]},
        },
    ),
    (
        "conversation.item.create dict (the Azure SDK raises TypeError here)",
        lambda c: c.conversation.item.create(
            item={"type": "function_call_output", "call_id": "call_1", "output": "{}"}
        ),
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"},
        },
    ),
    (
        "conversation.item.create function output struct",
        lambda c: c.conversation.item.create(item=FunctionCallOutputItem(call_id="c2", output="sunny")),
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "c2", "output": "sunny"},
        },
    ),
    (
        "conversation.item.delete",
        lambda c: c.conversation.item.delete(item_id="item_1"),
        {"type": "conversation.item.delete", "item_id": "item_1"},
    ),
    (
        "conversation.item.retrieve",
        lambda c: c.conversation.item.retrieve(item_id="item_2", event_id="e5"),
        {"type": "conversation.item.retrieve", "item_id": "item_2", "event_id": "e5"},
    ),
    (
        "conversation.item.truncate",
        lambda c: c.conversation.item.truncate(item_id="item_3", content_index=0, audio_end_ms=1500),
        {"type": "conversation.item.truncate", "item_id": "item_3", "content_index": 0, "audio_end_ms": 1500},
    ),
    (
        "transcription_session.update (beta dialect)",
        lambda c: c.transcription_session.update(session={"input_audio_transcription": {"model": "whisper-1"}}),
        {"type": "transcription_session.update", "session": {"input_audio_transcription": {"model": "whisper-1"}}},
    ),
    (
        "input_audio.turn.start",
        lambda c: c.input_audio.turn.start(turn_id="t1"),
        {"type": "input_audio.turn.start", "turn_id": "t1"},
    ),
    (
        "input_audio.turn.append",
        lambda c: c.input_audio.turn.append(turn_id="t1", audio=b"\x00\x00"),
        {"type": "input_audio.turn.append", "turn_id": "t1", "audio": "AAA="},
    ),
    (
        "input_audio.turn.end",
        lambda c: c.input_audio.turn.end(turn_id="t1"),
        {"type": "input_audio.turn.end", "turn_id": "t1"},
    ),
    (
        "input_audio.turn.cancel",
        lambda c: c.input_audio.turn.cancel(turn_id="t1", event_id="e6"),
        {"type": "input_audio.turn.cancel", "turn_id": "t1", "event_id": "e6"},
    ),
    ("input_audio.clear", lambda c: c.input_audio.clear(), {"type": "input_audio.clear"}),
    (
        "input_text.delta",
        lambda c: c.input_text.delta(id="item_9", delta="Hel"),
        {"type": "input_text.delta", "id": "item_9", "delta": "Hel"},
    ),
    (
        "input_text.done",
        lambda c: c.input_text.done(id="item_9", content_index=0),
        {"type": "input_text.done", "id": "item_9", "content_index": 0},
    ),
    (
        "session.avatar.connect",
        lambda c: c.session.avatar.connect(client_sdp="v=0"),
        {"type": "session.avatar.connect", "client_sdp": "v=0"},
    ),
    (
        "send struct",
        lambda c: c.send(InputAudioBufferCommit(event_id="e7")),
        {"type": "input_audio_buffer.commit", "event_id": "e7"},
    ),
    (
        "send unknown mapping passes through",
        lambda c: c.send({"type": "vendor.custom", "x": [1, 2]}),
        {"type": "vendor.custom", "x": [1, 2]},
    ),
]


@pytest.mark.parametrize(("name", "call", "expected"), CASES, ids=[case[0] for case in CASES])
async def test_each_method_puts_the_exact_wire_event(name: str, call: Call, expected: dict[str, Any]) -> None:
    assert await _wire(call) == [expected]


async def test_transcription_session_on_ga_is_a_session_update_of_type_transcription() -> None:
    session = {"audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}}}
    for dialect in ("openai", "azure-openai-ga"):
        sent = await _wire(lambda c, s=session: c.transcription_session.update(session=s), dialect=dialect)
        assert sent == [{"type": "session.update", "session": {"type": "transcription", **session}}]


@pytest.mark.parametrize(
    "form",
    [
        lambda pcm: pcm,
        bytearray,
        memoryview,
        lambda pcm: np.frombuffer(pcm, dtype="<i2"),
        lambda pcm: np.frombuffer(pcm, dtype="<i2").astype(">i2"),  # big-endian in memory, still int16 samples
        lambda pcm: base64.b64encode(pcm).decode(),
    ],
    ids=["bytes", "bytearray", "memoryview", "int16", "int16-big-endian", "base64-str"],
)
async def test_append_takes_every_audio_form(form: Callable[[bytes], Any]) -> None:
    pcm = SPEECH[:4800]
    sent = await _wire(lambda c: c.input_audio_buffer.append(audio=form(pcm)))
    assert base64.b64decode(sent[0]["audio"]) == pcm


async def test_append_refuses_float_arrays_and_bad_base64() -> None:
    async with ScriptedServer() as server, connect(endpoint=server.endpoint, dialect="voicelive") as conn:
        with pytest.raises(TypeError, match="int16"):
            await conn.input_audio_buffer.append(audio=np.zeros(10, dtype=np.float32))
        with pytest.raises(ValueError, match="base64"):
            await conn.input_audio_buffer.append(audio="not base64!")


async def test_large_audio_is_split_under_the_limit_in_order() -> None:
    options = WebsocketConnectionOptions(max_append_bytes=10_001)  # odd: chunks still hold whole samples
    pcm = SPEECH[:48_000]
    sent = await _wire(lambda c: c.input_audio_buffer.append(audio=pcm, event_id="first"), connection_options=options)
    chunks = [base64.b64decode(event["audio"]) for event in sent]
    assert [len(chunk) for chunk in chunks] == [10_000, 10_000, 10_000, 10_000, 8_000]
    assert b"".join(chunks) == pcm
    assert sent[0]["event_id"] == "first"
    assert all("event_id" not in event for event in sent[1:])


async def test_azure_sdk_style_mapping_models_are_sent_as_plain_json() -> None:
    models = pytest.importorskip("azure.ai.voicelive.models")
    session = models.RequestSession(instructions="Be kind.", modalities=["text", "audio"])
    sent = await _wire(lambda c: c.session.update(session=session))
    assert sent == [
        {"type": "session.update", "session": {"instructions": "Be kind.", "modalities": ["text", "audio"]}}
    ]


async def test_an_invalid_known_event_is_refused_before_the_wire() -> None:
    async with ScriptedServer() as server, connect(endpoint=server.endpoint, dialect="voicelive") as conn:
        with pytest.raises(EventValidationError):
            await conn.send({"type": "conversation.item.truncate", "item_id": "i", "audio_end_ms": "late"})
        with pytest.raises(EventValidationError):
            await conn.send({"type": "conversation.item.delete"})
        await conn.input_audio_buffer.commit()
        await (await server.wait_connected()).expect("input_audio_buffer.commit")
    assert server.received_types() == ["input_audio_buffer.commit"]


async def test_an_accessor_given_none_for_a_required_field_sends_nothing() -> None:
    async with ScriptedServer() as server, connect(endpoint=server.endpoint, dialect="openai") as conn:
        with pytest.raises(EventValidationError, match=r"item_id is required and may not be None - at \$\.item_id"):
            await conn.conversation.item.truncate(item_id=None, content_index=0, audio_end_ms=1500)  # type: ignore[arg-type]
        with pytest.raises(EventValidationError, match=r"expected int, got str - at \$\.audio_end_ms"):
            await conn.conversation.item.truncate(item_id="item_1", content_index=0, audio_end_ms="1500")  # type: ignore[arg-type]
        await conn.input_audio_buffer.commit()
        await (await server.wait_connected()).expect("input_audio_buffer.commit")
    assert server.received_types() == ["input_audio_buffer.commit"]


async def test_typed_transcription_session_on_ga_and_beta() -> None:
    session = Session(input_audio_transcription=AudioInputTranscription(model="whisper-1"))
    sent = await _wire(lambda c: c.transcription_session.update(session=session, event_id="t1"), dialect="voicelive")
    assert sent == [
        {
            "type": "transcription_session.update",
            "event_id": "t1",
            "session": {"input_audio_transcription": {"model": "whisper-1"}},
        }
    ]
    sent = await _wire(lambda c: c.transcription_session.update(session=Session(instructions="x")), dialect="openai")
    assert sent == [{"type": "session.update", "session": {"type": "transcription", "instructions": "x"}}]


async def test_flat_transcription_session_is_nested_for_ga() -> None:
    flat = {"input_audio_format": "pcm16", "input_audio_transcription": {"model": "whisper-1"}, "turn_detection": None}
    sent = await _wire(lambda c: c.transcription_session.update(session=flat), dialect="openai")
    assert sent == [
        {
            "type": "session.update",
            "session": {
                "type": "transcription",
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "transcription": {"model": "whisper-1"},
                        "turn_detection": None,
                    }
                },
            },
        }
    ]
