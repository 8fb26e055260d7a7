"""VoiceSession against the local server, on every dialect: connect, turns, events, states, streaming."""

from __future__ import annotations

import asyncio
import logging
import pathlib
from typing import Any

import pytest
from voice.conftest import DIALECTS, assert_serialised, chunks, recorded_conversation, recorded_events

from pyagent import Agent, VoiceSession
from pyagent.server import LocalServer
from pyagent.voice import (
    ConfigurationError,
    InvalidStateError,
    ResponseChunk,
    SessionClosedError,
    SessionState,
    ToolCallRecord,
    VoiceResponse,
)
from pyagent.voice._config import ENDPOINT_ENVIRONMENT

S = SessionState


def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: the city's name.
    """
    return f"sunny and 21 degrees in {city}"


async def text_turn(voice: VoiceSession, text: str) -> VoiceResponse:
    await voice.send_text(text)
    return await voice.receive()


def weather_session(server: LocalServer, dialect: str, **kwargs: Any) -> VoiceSession:
    agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
    return VoiceSession(agent=agent, endpoint=server.endpoint, dialect=dialect, **{"model": "gpt-realtime", **kwargs})


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_spoken_turn_with_a_tool_call(
    server: LocalServer, dialect: str, weather_audio: bytes, tmp_path: pathlib.Path
) -> None:
    session = weather_session(server, dialect, model="gpt-realtime", voice="verse")
    seen: list[Any] = []
    states: list[tuple[SessionState, SessionState]] = []
    for name in ("speech_started", "speech_ended", "response_started"):
        session.on(name)(lambda name=name: seen.append(name))

    @session.on("transcript_available")
    async def on_transcript(text: str, role: str) -> None:
        seen.append(("transcript", role, text))

    @session.on("function_call")
    def on_call(call: ToolCallRecord) -> None:
        seen.append(("call", call.name, call.arguments, call.output))

    @session.on("response_done")
    def on_done(response: VoiceResponse) -> None:
        seen.append(("done", response.status))

    audio_events: list[bytes] = []
    session.on("audio")(audio_events.append)
    session.on("state_changed")(lambda new, old: states.append((old, new)))

    assert (session.state, session.is_connected, session.session_id) == (S.IDLE, False, "")
    async with session.connect() as voice:
        assert voice is session
        assert (voice.state, voice.is_connected) == (S.CONNECTED, True)
        assert voice.session_id.startswith("sess_")
        assert (voice.model, voice.voice) == ("gpt-realtime", "verse")
        assert voice.dialect is not None
        assert voice.dialect.name == dialect
        response = await voice.respond(weather_audio)
        assert voice.state is S.CONNECTED
    assert (session.state, session.is_connected) == (S.DISCONNECTED, False)

    assert response.input_transcript == "what is the weather in paris"
    assert response.transcript == "Here is what I found for Paris: sunny and 21 degrees in Paris."
    assert response.tool_calls == (
        ToolCallRecord(
            response.tool_calls[0].call_id, "get_weather", '{"city":"Paris"}', "sunny and 21 degrees in Paris"
        ),
    )
    assert response.status == "completed"
    assert len(response.response_ids) == 2  # the tool call, then the answer
    assert response.usage["total_tokens"] == response.usage["input_tokens"] + response.usage["output_tokens"] > 0
    assert (response.sample_rate, response.channels, response.format) == (24000, 1, "pcm16")
    assert response.duration_ms > 1000
    assert b"".join(audio_events) == response.audio
    # The service may create the response before it has finished transcribing the user: either order is right.
    assert seen[:2] == ["speech_started", "speech_ended"]
    assert set(seen[2:4]) == {("transcript", "user", "what is the weather in paris"), "response_started"}
    assert seen[4:] == [
        ("call", "get_weather", '{"city":"Paris"}', "sunny and 21 degrees in Paris"),
        ("transcript", "assistant", response.transcript),
        ("done", "completed"),
    ]
    assert [new for _, new in states] == [
        S.CONNECTING,
        S.CONNECTED,
        S.LISTENING,
        S.PROCESSING,
        S.SPEAKING,
        S.CONNECTED,
        S.DISCONNECTED,
    ]
    # What went on the wire: the agent's configuration in this dialect's shape, one response at a time.
    sent = await recorded_events(server, tmp_path, "client")
    update = sent[0]
    assert update["type"] == "session.update"
    wire_session = update["session"]
    assert wire_session["instructions"] == "You tell the weather."
    assert wire_session["tools"][0]["name"] == "get_weather"
    if dialect in ("openai", "azure-openai-ga"):
        assert wire_session["audio"]["output"]["voice"] == "verse"
    else:
        assert wire_session["voice"] == "verse"
    types = [event["type"] for event in sent]
    assert types.count("response.create") == 2
    outputs = [e for e in sent if e["type"] == "conversation.item.create"]
    assert outputs[0]["item"]["type"] == "function_call_output"


async def test_manual_connect_and_disconnect(server: LocalServer, weather_audio: bytes) -> None:
    session = VoiceSession(endpoint=server.endpoint, turn_detection=False)
    await session.connect()
    try:
        assert session.is_connected
        with pytest.raises(InvalidStateError, match="connect\\(\\) is not allowed while the session is CONNECTED"):
            await session.connect()
        response = await session.respond(weather_audio)
        assert response.transcript == "I heard: what is the weather in paris."
        assert response.tool_calls == ()
    finally:
        await session.disconnect()
    assert session.state is S.DISCONNECTED
    await session.disconnect()  # twice is fine
    with pytest.raises(InvalidStateError, match="the session has ended"):
        await session.send_audio(weather_audio)
    # A disconnected session may connect again: a new connection, a new service session.
    first_id = session.session_id
    async with session.connect() as voice:
        assert voice.session_id != first_id
        assert (await text_turn(voice, "hello there")).transcript == "I heard: hello there."


@pytest.mark.parametrize("dialect", ["azure-openai-ga", "voicelive"])
async def test_the_spec_flow_send_audio_then_receive(server: LocalServer, dialect: str, weather_audio: bytes) -> None:
    """``await voice.send_audio(audio_data)`` (commit=True by default) then ``await voice.receive()``."""
    session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect)
    async with session.connect() as voice:
        await voice.send_audio(weather_audio)
        response = await voice.receive()
        assert not voice.has_pending_response  # one turn, one answer
    assert response.input_transcript == "what is the weather in paris"
    assert response.transcript == "I heard: what is the weather in paris."
    assert response.status == "completed"


async def test_calls_before_connect_are_clear_errors(weather_audio: bytes) -> None:
    session = VoiceSession(endpoint="http://127.0.0.1:9")
    with pytest.raises(InvalidStateError, match=r"send_audio\(\) is not allowed while the session is IDLE"):
        await session.send_audio(weather_audio)
    with pytest.raises(InvalidStateError, match=r"session\.connect"):
        await session.receive()
    with pytest.raises(InvalidStateError):
        await session.respond(weather_audio)
    with pytest.raises(InvalidStateError):
        await session.listen()
    with pytest.raises(InvalidStateError):
        await session.interrupt()
    with pytest.raises(InvalidStateError):
        async for _ in session.stream_receive():
            pass


async def test_no_endpoint_names_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    session = VoiceSession()
    with pytest.raises(ConfigurationError) as info:
        async with session.connect():
            pass
    for name in ("PYAGENT_ENDPOINT", "OPENAI_API_KEY", "AZURE_VOICELIVE_ENDPOINT", "AZURE_VOICELIVE_API_KEY"):
        assert name in str(info.value)
    assert session.state is S.IDLE


async def test_environment_endpoint(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAGENT_ENDPOINT", server.endpoint)
    monkeypatch.setenv("PYAGENT_DIALECT", "voicelive")
    async with VoiceSession().connect() as voice:
        assert voice.dialect is not None
        assert voice.dialect.name == "voicelive"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_streamed_audio_turn_and_stream_receive(
    server: LocalServer, dialect: str, weather_audio: bytes, tmp_path: pathlib.Path
) -> None:
    """Audio streamed in small chunks: the service's turn detection ends the turn, the session asks once."""
    async with weather_session(server, dialect).connect() as voice:
        for chunk in chunks(weather_audio, 4800):
            await voice.send_audio(chunk, commit=False)
        await voice.send_audio(b"", commit=True)  # the caller ends the turn too: it must not be answered twice
        pieces: list[ResponseChunk] = [chunk async for chunk in voice.stream_receive()]
        assert {p.kind for p in pieces} == {"audio", "transcript"}
        audio = b"".join(p.data for p in pieces)
        transcript = "".join(p.text for p in pieces if p.kind == "transcript")
        assert transcript == "Here is what I found for Paris: sunny and 21 degrees in Paris."
        assert len(audio) > 48000
        # A second, typed turn is answered after the first.
        typed = await text_turn(voice, "hello")
        assert typed.transcript == "I heard: hello."
    sent = [event["type"] for event in await recorded_events(server, tmp_path, "client")]
    assert sent.count("response.create") == 3  # tool call, answer, typed turn
    assert "input_audio_buffer.commit" not in sent


async def test_a_raising_handler_does_not_end_the_session(
    server: LocalServer, weather_audio: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    session = weather_session(server, "openai")

    @session.on("audio")
    def broken(data: bytes) -> None:
        raise RuntimeError("handler bug")

    @session.on("response_started")
    async def broken_async() -> None:
        raise KeyError("async handler bug")

    with caplog.at_level(logging.ERROR, logger="pyagent.voice"):
        async with session.connect() as voice:
            response = await voice.respond(weather_audio)
            assert response.status == "completed"
            assert response.transcript.startswith("Here is what I found for Paris")
            assert voice.is_connected
    assert "handler bug" in caplog.text
    assert "async handler bug" in caplog.text


async def test_service_errors_are_events_and_the_session_goes_on(server: LocalServer) -> None:
    errors: list[Exception] = []
    session = VoiceSession(endpoint=server.endpoint, dialect="openai")
    session.on("error")(errors.append)
    async with session.connect() as voice:
        await voice._send({"type": "conversation.item.delete", "item_id": "item_does_not_exist"})
        assert (await text_turn(voice, "still here")).transcript == "I heard: still here."
    assert len(errors) == 1
    assert "item_does_not_exist" in str(errors[0])


async def test_responses_are_serialised(server: LocalServer, tmp_path: pathlib.Path, weather_audio: bytes) -> None:
    """Turns asked for at once are answered one after the other: never two active responses."""
    async with weather_session(server, "voicelive").connect() as voice:
        await asyncio.gather(voice.send_text("one"), voice.send_text("two"), voice.send_text("three"))
        answers = [await voice.receive() for _ in range(3)]
        assert not voice.has_pending_response
        # A spoken turn with a tool call (two responses) after them.
        spoken = await voice.respond(weather_audio)
    # Each answer is complete (the local server's responder answers the latest words it has).
    assert [a.status for a in answers] == ["completed"] * 3
    assert all(a.transcript.startswith("I heard: ") for a in answers)
    assert len({a.id for a in answers}) == 3
    assert len(spoken.tool_calls) == 1
    assert assert_serialised(await recorded_conversation(server, tmp_path)) == 5


async def test_disconnect_wakes_a_waiting_receive(server: LocalServer) -> None:
    session = VoiceSession(endpoint=server.endpoint)
    await session.connect()
    waiting = asyncio.create_task(session.receive())
    await asyncio.sleep(0.05)
    await session.disconnect()
    with pytest.raises(SessionClosedError, match="disconnected"):
        await waiting
    assert session.state is S.DISCONNECTED
