"""The conversation core end to end: odd event orders from a scripted service and the local server, every dialect.

Each test here shows, over a real WebSocket, one property that a session following "the latest event" gets wrong:
barge-in cuts the item being heard, transcripts land on their item, a respond() is one turn answered once.
"""

from __future__ import annotations

import asyncio
import math
import pathlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from voice.conftest import DIALECTS, recorded_conversation
from voice.service_script import Service

from pyagent import Agent, VoiceSession
from pyagent.audio import ManualClock
from pyagent.realtime.testing import ScriptedPeer, ScriptedServer
from pyagent.server import LocalServer, Reply, ResponderContext, ToolCall
from pyagent.voice import Interruption, SessionState, VoiceResponse

SILENCE_1_5_S = b"\x00\x00" * 36000


async def wait_for(predicate: Callable[[], bool], within: float = 30.0) -> None:
    """Poll a condition the session's own events move."""
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 - the condition is the session's state, not an Event of ours
            await asyncio.sleep(0.01)


def without_id(event: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != "event_id"}


# --------------------------------------------------------------------------------------------------- 1. barge-in


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_barge_in_cuts_the_item_heard_and_deletes_the_rest(dialect: str, stop_audio: bytes) -> None:
    """One response, two audio items of 2 s; the user speaks 1.0 s into playback: A is cut at 1000 ms, B deleted."""

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, dialect)
        await svc.open()
        await svc.expect("conversation.item.create")
        await svc.expect("response.create")
        await svc.response_created("resp_1")
        await svc.spoken_item("resp_1", "item_a", None, 0, "Here is the first part.", 2000)
        await svc.spoken_item("resp_1", "item_b", "item_a", 1, "And here is the second.", 2000)
        await svc.response_done("resp_1")
        await svc.expect("input_audio_buffer.append")
        await svc.send("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u2")
        (truncate,) = await svc.expect("conversation.item.truncate")
        await svc.send("conversation.item.truncated", item_id=truncate["item_id"], content_index=0, audio_end_ms=1000)
        (delete,) = await svc.expect("conversation.item.delete")
        await svc.send("conversation.item.deleted", item_id=delete["item_id"])

    clock = ManualClock()
    interruptions: list[Interruption] = []
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, clock=clock)
        session.on("interrupted")(interruptions.append)
        async with session.connect() as voice:
            await voice.send_text("tell me two things")
            answer = await voice.receive()
            clock.advance(1.0)  # the user has heard 1.0 s of the answer
            await voice.send_audio(stop_audio[:4800], commit=False)
            await wait_for(lambda: "item_b" not in voice.conversation)
            heard = voice.conversation.get("item_a")
        sent = server.received
        assert not server.errors
    assert answer.item_ids == ("item_a", "item_b")
    assert interruptions == [
        Interruption("server", "resp_1", "item_a", 1000, cancelled=False, deleted_item_ids=("item_b",))
    ]
    assert [without_id(e) for e in sent if e["type"] == "conversation.item.truncate"] == [
        {"type": "conversation.item.truncate", "item_id": "item_a", "content_index": 0, "audio_end_ms": 1000}
    ]
    assert [e["item_id"] for e in sent if e["type"] == "conversation.item.delete"] == ["item_b"]
    assert heard is not None
    # The service drops the words of the audio it truncates: the view keeps those heard (half the audio, 3 of 5).
    assert (heard.truncated_at_ms, heard.audio_ms, heard.transcript) == (1000, 2000, "Here is the")


def filler_then_answer(context: ResponderContext) -> Reply:
    """Says a filler while it calls the tool, then the answer: as models do."""
    if context.pending_tool_outputs:
        return Reply(text=f"The weather in Paris is {context.pending_tool_outputs[0]['output']}.")
    if "weather" in context.transcript:
        return Reply(text="Let me look that up for you, one moment please.", tool_calls=[ToolCall("get_weather")])
    return Reply(text="Stopping.")


def get_weather() -> str:
    """The weather in Paris."""
    return "sunny"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_filler_still_playing_when_the_answer_arrives_is_the_item_cut(
    dialect: str, stop_audio: bytes, tmp_path: pathlib.Path
) -> None:
    clock = ManualClock()
    interruptions: list[Interruption] = []
    async with LocalServer(
        responder=filler_then_answer, realtime_factor=math.inf, speech="off", record_dir=tmp_path / "sessions"
    ) as server:
        agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
        session = VoiceSession(
            model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect=dialect, clock=clock
        )
        session.on("interrupted")(interruptions.append)
        async with session.connect() as voice:
            await voice.send_text("what is the weather")
            answer = await voice.receive()  # the filler and the answer have both arrived; nothing was played
            filler, spoken_answer = (voice.conversation.get(item_id) for item_id in answer.item_ids[0::2])
            assert filler is not None
            assert spoken_answer is not None
            assert filler.text.startswith("Let me look")
            assert filler.audio_ms is not None
            assert filler.audio_ms > 1000
            clock.advance(1.0)
            await voice.send_audio(stop_audio, commit=False)
            await wait_for(lambda: spoken_answer.id not in voice.conversation)
            cut = voice.conversation.get(filler.id)
        events = await recorded_conversation(server, tmp_path)
    assert [call.name for call in answer.tool_calls] == ["get_weather"]
    assert len(interruptions) == 1
    assert (interruptions[0].item_id, interruptions[0].audio_end_ms) == (filler.id, 1000)
    assert interruptions[0].deleted_item_ids == (spoken_answer.id,)
    truncates = [e for e in events if e["type"] == "conversation.item.truncate"]
    assert [(e["item_id"], e["audio_end_ms"]) for e in truncates] == [(filler.id, 1000)]
    assert [e["item_id"] for e in events if e["type"] == "conversation.item.deleted"] == [spoken_answer.id]
    assert not [e for e in events if e["type"] == "error"]
    assert cut is not None
    assert cut.truncated_at_ms == 1000


# --------------------------------------------------------------------------------------------------- 2. transcripts


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_transcripts_land_on_their_item_whenever_they_arrive(dialect: str, weather_audio: bytes) -> None:
    """Turn 1's transcript comes after turn 1's answer, turn 2's during answer 2."""

    async def turn(svc: Service, user: str, previous: str | None, response: str, start: int) -> None:
        await svc.expect("session.update")  # the barrier after the turn's audio
        await svc.user_speech(user, previous, start, start + 1500)
        await svc.updated()
        await svc.expect("response.create")
        await svc.response_created(response)

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, dialect)
        await svc.open()
        await turn(svc, "item_u1", None, "resp_1", 0)
        await svc.spoken_item("resp_1", "item_a1", "item_u1", 0, "Sunny.", 300)
        await svc.response_done("resp_1")
        await svc.user_transcript("item_u1", "what is the weather in paris")  # late
        await turn(svc, "item_u2", "item_a1", "resp_2", 5000)
        await svc.user_transcript("item_u2", "and tomorrow")  # during response 2
        await svc.spoken_item("resp_2", "item_a2", "item_u2", 0, "Rain.", 300)
        await svc.response_done("resp_2")

    heard: list[tuple[str, str, str]] = []
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect)
        session.on("transcript_available")(lambda text, role, item_id: heard.append((text, role, item_id)))
        async with session.connect() as voice:
            first = await voice.respond(weather_audio)
            second = await voice.respond(weather_audio)
            items = [(item.id, item.role, item.text) for item in voice.conversation]
        assert not server.errors
    assert first.input_transcript == ""  # it had not arrived when the answer was complete
    assert second.input_transcript == "and tomorrow"  # turn 2's words, never turn 1's
    assert (first.transcript, second.transcript) == ("Sunny.", "Rain.")
    assert (first.input_item_ids, second.input_item_ids) == (("item_u1",), ("item_u2",))
    assert ("what is the weather in paris", "user", "item_u1") in heard
    assert ("Rain.", "assistant", "item_a2") in heard
    assert items == [
        ("item_u1", "user", "what is the weather in paris"),
        ("item_a1", "assistant", "Sunny."),
        ("item_u2", "user", "and tomorrow"),
        ("item_a2", "assistant", "Rain."),
    ]


# --------------------------------------------------------------------------------------------------- 3. one turn


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_respond_with_pauses_is_one_turn_answered_once(
    dialect: str, weather_audio: bytes, stop_audio: bytes, tmp_path: pathlib.Path
) -> None:
    """Two sentences with 1.5 s of silence between them: the service commits two items; one answer to both."""
    async with LocalServer(realtime_factor=math.inf, record_dir=tmp_path / "sessions", seed=3) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect)
        async with session.connect() as voice:
            response = await voice.respond(weather_audio + SILENCE_1_5_S + stop_audio)
            assert not voice.has_pending_response
        events = await recorded_conversation(server, tmp_path)
    types = [event["type"] for event in events]
    assert types.count("input_audio_buffer.committed") == 2
    assert types.count("response.create") == 1
    assert "response.cancel" not in types
    assert not [e for e in events if e["type"] == "response.done" and e["response"]["status"] != "completed"]
    assert len(response.input_item_ids) == 2
    assert response.input_transcript.startswith("what is the weather in paris stop")
    assert response.status == "completed"


async def test_respond_takes_the_turn_as_it_streams(weather_audio: bytes, stop_audio: bytes) -> None:
    """An async iterable of chunks (a file at its pace) is one turn too."""

    async def chunks() -> AsyncIterator[bytes]:
        audio = weather_audio + SILENCE_1_5_S + stop_audio
        for start in range(0, len(audio), 4800):
            yield audio[start : start + 4800]
            await asyncio.sleep(0)

    async with LocalServer(realtime_factor=math.inf) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint)
        async with session.connect() as voice:
            response = await voice.respond(chunks())
    assert len(response.input_item_ids) == 2
    assert response.input_transcript.startswith("what is the weather in paris stop")


# --------------------------------------------------------------------------------------------------- 10. the model


@pytest.mark.parametrize("dialect", ["azure-openai", "azure-openai-ga"])
async def test_azure_openai_needs_a_deployment(dialect: str) -> None:
    from pyagent.voice import ConfigurationError

    session = VoiceSession(endpoint="https://my-resource.openai.azure.com", credential="k", dialect=dialect)
    with pytest.raises(ConfigurationError, match="model"):
        await session.connect()
    assert session.state is SessionState.IDLE


async def test_recorded_models_in_the_handshake() -> None:
    async def service(peer: ScriptedPeer) -> None:
        await Service(peer, "openai").open()

    async with ScriptedServer(service) as server:
        for model in ("gpt-4o-realtime", "gpt-4o-realtime-preview-2024-12-17"):
            async with VoiceSession(model=model, endpoint=server.endpoint, dialect="openai").connect():
                pass
        async with VoiceSession(endpoint=server.endpoint, dialect="voicelive").connect():
            pass
        models = [handshake.query.get("model") for handshake in server.handshakes]
    assert models == ["gpt-realtime", "gpt-4o-realtime-preview-2024-12-17", "gpt-realtime"]


def test_voice_response_keeps_its_audio_once() -> None:
    from pyagent.voice._config import AudioSettings
    from pyagent.voice._results import TurnOutcome

    chunks = [b"\x01\x00" * 100, b"\x02\x00" * 100]
    outcome = TurnOutcome(1, "", "", "", (), {}, "completed", ("resp_1",), None, (), ())
    response = VoiceResponse(outcome, chunks, AudioSettings())
    assert response.duration_ms == 8
    assert response.audio == b"".join(chunks)
    assert response.audio is response.audio  # joined once
