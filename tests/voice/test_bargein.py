"""Barge-in: the decision core under a ManualClock, and the session against the local server."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator, Callable

import pytest
from voice.conftest import DIALECTS, recorded_events

from pyagent import VoiceSession
from pyagent.audio import ManualClock, PlaybackClock
from pyagent.server import LocalServer, Reply, ResponderContext
from pyagent.voice import Interruption, SessionClosedError, SessionState, VoiceResponse
from pyagent.voice._bargein import BargeInPlan, Truncation, plan_barge_in

MS = 48  # bytes per millisecond of 24 kHz PCM16 mono


# --------------------------------------------------------------------------------------------------- the plan


def test_the_item_being_heard_is_cut_at_what_was_played() -> None:
    clock = ManualClock()
    playback = PlaybackClock(24000, clock=clock)
    playback.enqueue("item_1", 0, b"\x01\x00" * 24000)  # one second received
    clock.advance(0.437)
    plan = plan_barge_in(playback, [("item_1", 0)], [], frozenset({"item_1"}))
    assert plan.truncations == (Truncation("item_1", 0, 437),)
    assert plan.deletions == ()


def test_never_beyond_what_was_received() -> None:
    clock = ManualClock()
    playback = PlaybackClock(24000, clock=clock)
    playback.enqueue("item_1", 0, b"\x00\x00" * 12000)  # 500 ms received
    clock.advance(30.0)  # the clock says far more: only what was received can have been played
    plan = plan_barge_in(playback, [("item_1", 0)], [], frozenset({"item_1"}))
    assert plan.truncations == (Truncation("item_1", 0, 500),)


def test_a_complete_item_heard_whole_is_left_alone() -> None:
    clock = ManualClock()
    playback = PlaybackClock(24000, clock=clock)
    playback.enqueue("item_1", 0, b"\x00\x00" * 12000)
    clock.advance(1.0)
    assert plan_barge_in(playback, [("item_1", 0)], [], frozenset()) == BargeInPlan()


def test_items_queued_behind_the_one_heard_are_deleted() -> None:
    clock = ManualClock()
    playback = PlaybackClock(24000, clock=clock)
    playback.enqueue("item_a", 0, b"\x00\x00" * 48000)  # 2 s
    playback.enqueue("item_b", 0, b"\x00\x00" * 48000)  # 2 s
    clock.advance(1.0)
    plan = plan_barge_in(playback, [("item_a", 0), ("item_b", 0)], ["item_c"], frozenset())
    assert plan.truncations == (Truncation("item_a", 0, 1000),)
    assert plan.deletions == ("item_b", "item_c")


# --------------------------------------------------------------------------------------------------- the session


def long_reply(context: ResponderContext) -> Reply:
    if "stop" in context.transcript:
        return Reply(text="Stopping.")
    return Reply(text="Here is a long answer that goes on and on " * 2)


@pytest.fixture
async def slow_server(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    """Response audio at twice real time, so the assistant is still speaking when the user barges in."""
    async with LocalServer(
        responder=long_reply, speech="auto", realtime_factor=2.0, record_dir=tmp_path / "sessions"
    ) as srv:
        yield srv


def without_id(event: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in event.items() if key != "event_id"}


async def wait_for(predicate: Callable[[], bool]) -> None:
    """Poll a condition the session's own events move (at most 30 s, for a busy machine)."""
    async with asyncio.timeout(30.0):
        while not predicate():  # noqa: ASYNC110 - the condition is the session's, not an Event of ours
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_barge_in_truncates_at_the_milliseconds_played(
    slow_server: LocalServer, dialect: str, stop_audio: bytes, tmp_path: pathlib.Path
) -> None:
    clock = ManualClock()
    session = VoiceSession(model="gpt-realtime", endpoint=slow_server.endpoint, dialect=dialect, clock=clock)
    interruptions: list[Interruption] = []
    states: list[SessionState] = []
    at_interruption: list[object] = []
    session.on("state_changed")(lambda new: states.append(new))

    @session.on("interrupted")
    def on_interrupted(interruption: Interruption) -> None:
        interruptions.append(interruption)
        at_interruption.extend([session.state, session.playback.is_playing])

    async with session.connect() as voice:
        await voice.send_text("tell me everything")
        await wait_for(lambda: voice.state is SessionState.SPEAKING)
        item_id, _ = voice.playback.current or ("", 0)
        await wait_for(lambda: voice.playback.received_ms(item_id, 0) >= 800)
        clock.advance(0.612)  # the user heard 612 ms of the answer
        await voice.send_audio(stop_audio, commit=False)  # and talks over it
        interrupted = await voice.receive()
        answer = await voice.receive()  # the user's new turn is answered
    assert interruptions == [Interruption("server", interrupted.id, item_id, 612, cancelled=False)]
    assert at_interruption == [SessionState.LISTENING, False]  # listening, and playback stopped at once
    assert interrupted.interrupted
    assert interrupted.status == "cancelled"
    assert interrupted.audio_end_ms == 612
    assert answer.input_transcript.startswith("stop")
    assert answer.transcript == "Stopping."
    assert SessionState.SPEAKING in states
    assert states[states.index(SessionState.SPEAKING) + 1] is SessionState.LISTENING
    sent = await recorded_events(slow_server, tmp_path, "client")
    truncates = [without_id(e) for e in sent if e["type"] == "conversation.item.truncate"]
    assert truncates == [
        {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 612}
    ]
    assert not [e for e in sent if e["type"] == "response.cancel"]  # the service had cancelled already
    # The service accepted the truncation (an audio_end_ms beyond what it sent would be an error).
    received = await recorded_events(slow_server, tmp_path, "server")
    assert [e["item_id"] for e in received if e["type"] == "conversation.item.truncated"] == [item_id]
    assert not [e for e in received if e["type"] == "error"]


async def test_interrupt_on_demand_cancels_and_never_exceeds_what_was_received(
    slow_server: LocalServer, tmp_path: pathlib.Path
) -> None:
    clock = ManualClock()
    async with VoiceSession(endpoint=slow_server.endpoint, dialect="openai", clock=clock).connect() as voice:
        assert not await voice.interrupt()  # nothing to interrupt
        await voice.send_text("tell me everything")
        await wait_for(lambda: voice.state is SessionState.SPEAKING)
        item_id, _ = voice.playback.current or ("", 0)
        await wait_for(lambda: voice.playback.received_ms(item_id, 0) >= 300)
        clock.advance(3600.0)  # the clock runs far ahead of the audio that arrived
        assert await voice.interrupt()
        received_ms = voice.playback.received_ms(item_id, 0)
        response: VoiceResponse = await voice.receive()
        assert voice.state is SessionState.LISTENING
    assert response.status == "cancelled"
    assert response.interrupted
    assert response.audio_end_ms == received_ms  # exactly what was received, not a millisecond more
    sent = await recorded_events(slow_server, tmp_path, "client")
    assert [e["type"] for e in sent if e["type"] in ("response.cancel", "conversation.item.truncate")] == [
        "response.cancel",
        "conversation.item.truncate",
    ]
    assert not [e for e in await recorded_events(slow_server, tmp_path, "server") if e["type"] == "error"]


async def test_a_connection_closed_mid_response_is_a_clear_error(slow_server: LocalServer) -> None:
    errors: list[Exception] = []
    session = VoiceSession(endpoint=slow_server.endpoint, dialect="voicelive", clock=ManualClock(), reconnect=False)
    session.on("error")(errors.append)
    await session.connect()
    await session.send_text("tell me everything")
    await wait_for(lambda: session.state is SessionState.SPEAKING)
    await slow_server.close()
    with pytest.raises(SessionClosedError, match=r"closed.*1001") as info:
        await session.receive()
    assert info.value.code == 1001
    assert session.state is SessionState.DISCONNECTED
    assert not session.is_connected
    assert errors == [info.value]
    with pytest.raises(SessionClosedError):
        await session.receive()
    await session.disconnect()


async def test_local_detection_barges_in_from_listen(slow_server: LocalServer, stop_audio: bytes) -> None:
    """listen() hears the user over the assistant: the session cancels (the service heard nothing) and truncates."""
    clock = ManualClock()
    interruptions: list[Interruption] = []

    async def microphone() -> AsyncIterator[bytes]:
        for start in range(0, len(stop_audio), 960):
            await asyncio.sleep(0)
            yield stop_audio[start : start + 960]

    session = VoiceSession(model="gpt-realtime", endpoint=slow_server.endpoint, dialect="azure-openai-ga", clock=clock)
    session.on("interrupted")(interruptions.append)
    async with session.connect() as voice:
        await voice.send_text("tell me everything")
        await wait_for(lambda: voice.state is SessionState.SPEAKING)
        item_id, _ = voice.playback.current or ("", 0)
        await wait_for(lambda: voice.playback.received_ms(item_id, 0) >= 500)
        clock.advance(0.25)
        voice.set_audio_source(microphone())
        utterance = await voice.listen(timeout=10)
        cut = await voice.receive()
        answer = await voice.respond(utterance)
    assert len(interruptions) == 1
    assert (interruptions[0].source, interruptions[0].item_id) == ("local", item_id)
    assert interruptions[0].audio_end_ms == 250
    assert interruptions[0].cancelled  # the service did not hear the user: the session cancelled
    assert (cut.status, cut.interrupted, cut.audio_end_ms) == ("cancelled", True, 250)
    assert answer.input_transcript.startswith("stop")


# --------------------------------------------------------------------------------------------------- turns from code


async def test_two_turns_from_code_in_a_row_are_not_a_barge_in(
    server: LocalServer, weather_audio: bytes, tmp_path: pathlib.Path
) -> None:
    """A script collecting ``response.audio`` itself plays nothing: its next respond() leaves the last answer whole."""
    interruptions: list[Interruption] = []
    session = VoiceSession(endpoint=server.endpoint, dialect="openai", clock=ManualClock())
    session.on("interrupted")(interruptions.append)
    async with session.connect() as voice:
        first = await voice.respond(weather_audio)
        assert voice.playback.is_playing  # virtual playback of the answer has not moved: the clock is still
        second = await voice.respond(weather_audio)
        assert voice.state is SessionState.CONNECTED
    assert interruptions == []
    assert (first.interrupted, second.interrupted) == (False, False)
    assert second.input_transcript == "what is the weather in paris"
    sent = await recorded_events(server, tmp_path, "client")
    assert not [e for e in sent if e["type"] in ("conversation.item.truncate", "response.cancel")]


async def test_a_new_turn_over_audio_a_sink_plays_is_a_barge_in(
    server: LocalServer, weather_audio: bytes, tmp_path: pathlib.Path
) -> None:
    """Where a sink really plays the answer, the user's next turn over it truncates it at what the sink played."""
    interruptions: list[Interruption] = []
    session = VoiceSession(endpoint=server.endpoint, dialect="voicelive", clock=ManualClock())
    session.on("interrupted")(interruptions.append)
    async with session.connect() as voice:
        first = await voice.respond(weather_audio)
        item_id, _ = voice.playback.current or ("", 0)
        assert len(voice.playback.read(300 * MS)) == 300 * MS  # a speaker played 300 ms of the answer
        second = await voice.respond(weather_audio)
    # The answer was done: nothing to cancel; the interruption names the response whose audio was playing.
    assert interruptions == [Interruption("server", first.id, item_id, 300, cancelled=False)]
    assert second.input_transcript == "what is the weather in paris"
    sent = await recorded_events(server, tmp_path, "client")
    truncates = [without_id(e) for e in sent if e["type"] == "conversation.item.truncate"]
    assert truncates == [
        {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 300}
    ]
