"""Recorded sessions (fixtures/sessions) replayed to a VoiceSession by the scripted server: the same turns, the
same results, on GA and beta event names."""

from __future__ import annotations

import base64
import json
import pathlib
from typing import Any

import pytest
from voice.conftest import chunks
from voice.core_support import CoreDriver

from conftest import FIXTURES
from pyagent import Agent, VoiceSession, tool
from pyagent.realtime import decode_server_event
from pyagent.realtime.dialects import get_dialect
from pyagent.realtime.testing import Close, Drop, Expect, ScriptedServer, Send, Step
from pyagent.voice import SessionClosedError, SessionState, ToolCallRecord, VoiceResponse
from pyagent.voice._core import RunTools
from pyagent.voice._results import TurnOutcome

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
    """Without reconnecting (``reconnect=False``), the close ends the session; ``test_reconnect.py`` has the rest."""
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
        session = VoiceSession(endpoint=server.endpoint, dialect="openai", reconnect=False)
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


# --------------------------------------------------------------------------------------------------- core == session


def turns_through_the_core(path: pathlib.Path, *, caller_turn: bool) -> list[TurnOutcome]:
    """Feed a recording's server events to the voice core alone, answering tool calls as the recording did."""
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    dialect = get_dialect(records[0]["dialect"])
    outputs = {
        r["event"]["item"]["call_id"]: r["event"]["item"]["output"]
        for r in records
        if r["dir"] == "client" and r["event"]["type"] == "conversation.item.create"
    }
    driver = CoreDriver(server_turn_detection=not caller_turn)
    if caller_turn:
        number, effects = driver.core.open_turn()
        driver.run(effects)
        driver.run(driver.core.end_turn(number, {}))
    for record in records:
        if record["dir"] != "server":
            continue
        event = decode_server_event(json.dumps(record["event"]))
        for effect in driver.run(driver.core.receive(dialect.canonical_event_name(event.type), event)):
            if isinstance(effect, RunTools):
                results = [ToolCallRecord(c.call_id, c.name, c.arguments, outputs[c.call_id]) for c in effect.calls]
                driver.run(driver.core.tools_done(effect.turn, results))
    return driver.finished()


async def turns_through_the_session(
    path: pathlib.Path, dialect: str, *, caller_turn: bool, audio: bytes
) -> list[VoiceResponse]:
    async with ScriptedServer.from_session(path) as server:
        agent = Agent("forecaster", "You tell the weather.", tools=[forecast])
        session = VoiceSession(
            model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect=dialect, turn_detection=not caller_turn
        )
        async with session.connect() as voice:
            if caller_turn:
                return [await voice.respond(b"\x00\x00" * 4800)]
            for chunk in chunks(audio, 4800):
                await voice.send_audio(chunk, commit=False)
            return [await voice.receive()]


@pytest.mark.parametrize(
    ("name", "caller_turn"),
    [
        ("scripted_openai_turn", True),
        ("scripted_voicelive_turn", True),
        ("local_openai_spoken_weather_tool_turn", False),
        ("local_voicelive_g711_spoken_turn", False),
    ],
)
async def test_a_recording_gives_the_same_turns_through_the_core_as_through_the_session(
    name: str, caller_turn: bool, weather_audio: bytes
) -> None:
    path = SESSIONS / f"{name}.jsonl"
    through_core = turns_through_the_core(path, caller_turn=caller_turn)
    dialect = json.loads(path.read_text().splitlines()[0])["dialect"]
    through_session = await turns_through_the_session(path, dialect, caller_turn=caller_turn, audio=weather_audio)
    assert len(through_core) == len(through_session) == 1
    for outcome, response in zip(through_core, through_session, strict=True):
        assert outcome.transcript == response.transcript
        assert outcome.transcript
        assert outcome.input_transcript == response.input_transcript
        assert outcome.response_ids == response.response_ids
        assert outcome.item_ids == response.item_ids
        assert outcome.input_item_ids == response.input_item_ids
        assert outcome.status == response.status
        assert [(c.call_id, c.name) for c in outcome.tool_calls] == [(c.call_id, c.name) for c in response.tool_calls]
