"""Recorded sessions (fixtures/sessions) replayed to a VoiceSession by the scripted server: the same turns, the
same results, on GA and beta event names."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from voice.conftest import chunks

from conftest import FIXTURES
from pyagent import Agent, VoiceSession, tool
from pyagent.realtime.testing import Close, Drop, Expect, ScriptedServer, Send, Step
from pyagent.voice import SessionClosedError, SessionState

SESSIONS = FIXTURES / "sessions"


@pytest.mark.parametrize(
    ("name", "dialect"), [("scripted_openai_turn", "openai"), ("scripted_voicelive_turn", "voicelive")]
)
async def test_a_recorded_turn_replays(name: str, dialect: str) -> None:
    async with ScriptedServer.from_session(SESSIONS / f"{name}.jsonl") as server:
        session = VoiceSession(endpoint=server.endpoint, dialect=dialect, turn_detection=False)
        async with session.connect() as voice:
            response = await voice.respond(b"\x00\x00" * 4800)  # 200 ms: one append, as recorded
        sent = [event["type"] for event in server.received]
    assert response.transcript == "Sunny."
    assert response.status == "completed"
    assert response.usage["total_tokens"] > 0
    assert len(response.audio) > 0
    assert sent == ["session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "response.create"]


@tool(name="get_weather")  # the recorded call's name
def forecast(city: str) -> dict[str, Any]:
    """The forecast for a city."""
    return {"conditions": "sunny", "temperature": 22, "city": city}


async def test_a_recorded_spoken_tool_turn_replays(weather_audio: bytes) -> None:
    """The local server's recording of the weather question: the session streams, runs the tool, answers."""
    path = SESSIONS / "local_openai_spoken_weather_tool_turn.jsonl"
    recorded_call = next(
        json.loads(line)["event"]["item"] for line in path.read_text().splitlines() if '"function_call_output"' in line
    )
    async with ScriptedServer.from_session(path) as server:
        agent = Agent("forecaster", "You tell the weather.", tools=[forecast])
        session = VoiceSession(agent=agent, endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            for chunk in chunks(weather_audio, 4800):  # 100 ms appends, as recorded
                await voice.send_audio(chunk, commit=False)
            response = await voice.receive()
        outputs = [e["item"] for e in server.received if e["type"] == "conversation.item.create"]
    assert response.input_transcript == "what is the weather in paris"
    assert response.transcript == "Here is what I found for Paris: conditions sunny, temperature 22 degrees."
    assert [call.name for call in response.tool_calls] == ["get_weather"]
    assert outputs[0]["call_id"] == recorded_call["call_id"]
    assert json.loads(outputs[0]["output"]) == {"conditions": "sunny", "temperature": 22, "city": "Paris"}


SESSION = {"type": "realtime", "id": "sess_dropped", "object": "realtime.session"}
CREATED = {
    "type": "response.created",
    "response": {"id": "resp_1", "object": "realtime.response", "status": "in_progress"},
}
DELTA = {
    "type": "response.output_audio.delta",
    "response_id": "resp_1",
    "item_id": "item_1",
    "output_index": 0,
    "content_index": 0,
    "delta": base64.b64encode(b"\x00\x00" * 2400).decode(),
}


@pytest.mark.parametrize(
    ("ending", "code"), [(Drop(), 1006), (Close(1011, "server error"), 1011), (Close(1000, "bye"), 1000)]
)
async def test_a_connection_lost_mid_response_is_a_clear_error(ending: Step, code: int) -> None:
    script = [
        Send({"type": "session.created", "session": SESSION}),
        Expect("session.update"),
        Send({"type": "session.updated", "session": SESSION}),
        Expect("response.create"),
        Send(CREATED),
        Send(DELTA),
        ending,
    ]
    errors: list[Exception] = []
    async with ScriptedServer(script) as server:
        session = VoiceSession(endpoint=server.endpoint, dialect="openai")
        session.on("error")(errors.append)
        async with session.connect() as voice:
            assert voice.session_id == "sess_dropped"
            await voice.send_text("hello")
            with pytest.raises(SessionClosedError) as info:
                await voice.receive()
            assert voice.state is SessionState.DISCONNECTED
            assert not voice.is_connected
    assert info.value.code == code
    assert str(code) in str(info.value)
    assert errors == [info.value]


async def test_a_text_response_fills_text_and_text_chunks() -> None:
    """A text-only answer (``response.output_text.*``): stream_receive() gives text chunks, receive() ``.text``."""
    text_delta = {"type": "response.output_text.delta", "response_id": "resp_1", "item_id": "item_1"}
    text_delta |= {"output_index": 0, "content_index": 0}
    done = {"type": "response.done", "response": {"id": "resp_1", "object": "realtime.response", "status": "completed"}}
    script = [
        Send({"type": "session.created", "session": SESSION}),
        Expect("session.update"),
        Send({"type": "session.updated", "session": SESSION}),
        Expect("response.create"),
        Send(CREATED),
        Send({**text_delta, "delta": "Sunny, "}),
        Send({**text_delta, "delta": "22 degrees."}),
        Send(done),
        Expect("response.create"),
        Send({**CREATED, "response": {**CREATED["response"], "id": "resp_2"}}),
        Send({**text_delta, "response_id": "resp_2", "delta": "Again."}),
        Send({**done, "response": {**done["response"], "id": "resp_2"}}),
    ]
    async with (
        ScriptedServer(script) as server,
        VoiceSession(endpoint=server.endpoint, dialect="openai").connect() as voice,
    ):
        await voice.send_text("weather?")
        pieces = [chunk async for chunk in voice.stream_receive()]
        await voice.send_text("again")
        response = await voice.receive()
    assert [(p.kind, p.text, p.data) for p in pieces] == [("text", "Sunny, ", b""), ("text", "22 degrees.", b"")]
    assert (response.text, response.transcript, response.audio, response.id) == ("Again.", "", b"", "resp_2")
