"""Tools run by the session against the local server: sync, async, raising, bad arguments, unknown names."""

from __future__ import annotations

import json
import math
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from voice.conftest import DIALECTS, recorded_events

from pyagent import Agent, VoiceSession, tool
from pyagent.server import LocalServer, Reply, ResponderContext, ToolCall
from pyagent.voice import ToolCallRecord, VoiceResponse


def scripted(context: ResponderContext) -> Reply:
    """Calls the tool the typed text names (``{"name": ..., "arguments": ...}``), then reads the outputs back."""
    outputs = context.pending_tool_outputs
    if outputs:
        return Reply(text=" | ".join(str(item.get("output")) for item in outputs))
    request = json.loads(context.transcript)
    return Reply(tool_calls=[ToolCall(request["name"], request["arguments"])])


@pytest.fixture
async def tool_server(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    async with LocalServer(
        responder=scripted, speech="off", realtime_factor=math.inf, record_dir=tmp_path / "sessions"
    ) as srv:
        yield srv


calls: list[str] = []


def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    calls.append("add")
    return a + b


@tool(name="lookup", description="Look a city up.")
async def find_city(city: str, country: str | None = None) -> dict[str, Any]:
    calls.append("lookup")
    return {"city": city, "country": country or "FR"}


def explode(reason: str) -> str:
    """Always fails."""
    raise LookupError(f"no data: {reason}")


async def turn(voice: VoiceSession, name: str, arguments: Any) -> VoiceResponse:
    await voice.send_text(json.dumps({"name": name, "arguments": arguments}))
    return await voice.receive()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_tools_sync_async_raising_and_bad_arguments(
    tool_server: LocalServer, dialect: str, tmp_path: pathlib.Path
) -> None:
    calls.clear()
    agent = Agent("tools", "Use the tools.", tools=[add, find_city, explode])
    records: list[ToolCallRecord] = []
    session = VoiceSession(agent=agent, model="gpt-realtime", endpoint=tool_server.endpoint, dialect=dialect)
    session.on("function_call")(records.append)
    async with session.connect() as voice:
        response = await turn(voice, "add", {"a": 2, "b": 3})
        assert response.tool_calls[0].output == "5"
        assert response.transcript == "5"

        response = await turn(voice, "lookup", {"city": "Paris"})
        assert json.loads(response.tool_calls[0].output) == {"city": "Paris", "country": "FR"}

        response = await turn(voice, "explode", {"reason": "offline"})
        record = response.tool_calls[0]
        assert record.error == "explode raised LookupError: no data: offline"
        assert json.loads(record.output) == {"error": "explode raised LookupError: no data: offline"}
        assert "no data: offline" in response.transcript  # the model heard the error

        response = await turn(voice, "add", {"a": "two"})
        record = response.tool_calls[0]
        assert record.error == "invalid arguments for 'add': $.a: expected integer, got string"
        assert json.loads(response.transcript) == {"error": record.error}

        response = await turn(voice, "missing_tool", {})
        assert response.tool_calls[0].error == "there is no tool named 'missing_tool' (tools: add, lookup, explode)"

        # The session went on through every failure.
        assert voice.is_connected
        assert (await turn(voice, "add", {"a": 40, "b": 2})).transcript == "42"
    assert calls == ["add", "lookup", "add"]  # bad arguments never reached the function
    assert [r.name for r in records] == ["add", "lookup", "explode", "add", "missing_tool", "add"]
    outputs = [
        e["item"]
        for e in await recorded_events(tool_server, tmp_path, "client")
        if e["type"] == "conversation.item.create"
    ]
    outputs = [item for item in outputs if item["type"] == "function_call_output"]
    assert [item["output"] for item in outputs][:2] == ["5", '{"city": "Paris", "country": "FR"}']
    assert all(item["call_id"].startswith("call_") for item in outputs)
