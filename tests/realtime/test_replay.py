"""Every recorded session in ``fixtures/sessions`` replays through ScriptedServer and the real connection."""

from __future__ import annotations

import asyncio
import json
import pathlib

import pytest

from conftest import FIXTURES
from pyagent.realtime import connect
from pyagent.realtime.events import InvalidEvent, UnknownEvent
from pyagent.realtime.testing import ScriptedServer

SESSIONS = {path: path.read_text() for path in sorted((FIXTURES / "sessions").glob("*.jsonl"))}


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.stem)
async def test_recorded_session_replays_exactly(path: pathlib.Path) -> None:
    lines = [json.loads(line) for line in SESSIONS[path].splitlines() if line.strip()]
    meta = lines[0]
    client = [line["event"] for line in lines if line["dir"] == "client"]
    server_types = [line["event"]["type"] for line in lines if line["dir"] == "server"]

    async with (
        ScriptedServer.from_session(path) as server,
        connect(endpoint=server.endpoint, dialect=meta["dialect"]) as conn,
    ):

        async def talk() -> None:
            for event in client:
                await conn.send(event)

        talker = asyncio.create_task(talk())
        received = [await asyncio.wait_for(conn.recv(), 10) for _ in server_types]
        await talker
        await (await server.wait_connected()).expect(count=len(client), within=10)

    assert server.handshakes[0].path == meta["path"]
    assert [event.type for event in received] == server_types
    assert [e for e in received if isinstance(e, (UnknownEvent, InvalidEvent))] == []
    assert server.received == client  # what the client sent is on the wire exactly as recorded
