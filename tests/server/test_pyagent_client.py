"""pyagent's own connection against the local server, on every dialect: the path the voice layer and the demo take."""

from __future__ import annotations

import json
import math

import pytest

from pyagent.realtime import connect
from pyagent.server import LocalServer

from .conftest import WEATHER_TOOL

CHUNK = 4800


@pytest.mark.parametrize("dialect", ["openai", "azure-openai", "azure-openai-ga", "voicelive"])
async def test_a_spoken_turn_with_a_tool_on_every_dialect(dialect: str, paris_pcm16: bytes, real_speech) -> None:
    async with (
        LocalServer(api_key="local-key", speech="on", realtime_factor=math.inf) as server,
        connect(endpoint=server.endpoint, credential="local-key", model="gpt-realtime", dialect=dialect) as conn,
    ):
        flat = {"input_audio_transcription": {"model": "whisper-1"}, "tools": [WEATHER_TOOL]}
        await conn.session.update(session=conn.dialect.session_to_wire(flat))
        for start in range(0, len(paris_pcm16), CHUNK):
            await conn.input_audio_buffer.append(audio=paris_pcm16[start : start + CHUNK])
        names: list[str] = []
        transcript = arguments = ""
        async for event in conn:
            name = conn.dialect.canonical_event_name(event.type)
            names.append(name)
            if name == "conversation.item.input_audio_transcription.completed":
                transcript = event.transcript
            elif name == "response.function_call_arguments.done":
                arguments = event.arguments
            elif name == "response.done":
                break
    assert transcript == "what is the weather in paris"
    assert json.loads(arguments) == {"city": "Paris"}
    assert names[0] == "session.created"
    for name in (
        "input_audio_buffer.speech_started",
        "input_audio_buffer.committed",
        "conversation.item.input_audio_transcription.completed",
        "response.created",
        "response.function_call_arguments.done",
        "response.done",
    ):
        assert name in names
