"""Per-turn timings end to end: a spoken turn with a tool call, on every dialect, and in ``pyagent chat``."""

from __future__ import annotations

import asyncio

import pytest
from voice.conftest import DIALECTS

from pyagent import Agent, VoiceSession
from pyagent.server import LocalServer


async def slow_weather(city: str) -> str:
    """The weather in a city, from a slow service.

    Args:
        city: the city.
    """
    await asyncio.sleep(0.05)
    return f"sunny in {city}"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_spoken_turns_timings_are_in_order(dialect: str, weather_audio: bytes) -> None:
    agent = Agent("forecaster", "You tell the weather.", tools=[slow_weather])
    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect=dialect)
        async with session.connect() as voice:
            response = await voice.respond(weather_audio)
    timings = response.timings
    assert [call.name for call in response.tool_calls] == ["slow_weather"]
    moments = [timings.speech_ended, timings.response_created, timings.first_audio, timings.last_audio]
    assert None not in moments
    assert moments == sorted(moments)  # type: ignore[type-var]
    assert timings.response_done is not None
    assert timings.last_audio is not None
    assert timings.response_done >= timings.last_audio
    assert timings.tools_ms >= 50  # the tool slept 50 ms
    assert timings.first_audio_latency_ms is not None
    assert timings.duration_ms is not None
    assert timings.duration_ms >= timings.first_audio_latency_ms >= timings.tools_ms
    assert (timings.interrupted, timings.heard_ms) == (None, None)
