"""Recorded local sessions (``fixtures/sessions/local_*.jsonl``): their format, and a replay that gives them back.

The fixtures were recorded from this server with real speech (``pyagent serve --record``). Replaying their client
events to a fresh server (same seed, so the same ids) must give the same server events: any change in the protocol
the server speaks shows up here as a diff against a real session.
"""

from __future__ import annotations

import asyncio
import json
import math
import pathlib
from typing import Any

import pytest
import websockets

from pyagent.realtime.codec import decode_client_event, decode_server_event
from pyagent.realtime.events import InvalidEvent, UnknownEvent
from pyagent.server import LocalServer

SESSIONS = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "sessions"
RECORDINGS = sorted(SESSIONS.glob("local_*.jsonl"))
SEED = 2026  # the seed the fixtures were recorded with
KEY = {"openai": {"Authorization": "Bearer sk-replay"}}


def load(path: pathlib.Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_fixtures_exist() -> None:
    assert len(RECORDINGS) >= 2


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_recording_format(path: pathlib.Path) -> None:
    records = load(path)
    meta = records[0]
    assert meta["dir"] == "meta"
    assert meta["t"] == 0.0
    assert set(meta) == {"t", "dir", "dialect", "path", "query"}
    text = path.read_text(encoding="utf-8").lower()
    for secret in ("api-key", "authorization", "bearer", "sk-"):
        assert secret not in text
    times = [record["t"] for record in records]
    assert times == sorted(times)
    for record in records[1:]:
        assert set(record) == {"t", "dir", "event"}
        raw = json.dumps(record["event"])
        decode = decode_server_event if record["dir"] == "server" else decode_client_event
        event = decode(raw)
        assert not isinstance(event, UnknownEvent | InvalidEvent), raw[:200]


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
async def test_replaying_the_client_side_gives_the_same_server_side(path: pathlib.Path, real_speech) -> None:
    records = load(path)
    meta = records[0]
    recorded = [record["event"] for record in records if record["dir"] == "server"]
    query = "&".join(f"{key}={value}" for key, value in meta["query"].items())
    headers = KEY.get(meta["dialect"], {"api-key": "replay"})
    received: list[dict[str, Any]] = []
    async with (
        LocalServer(speech="on", realtime_factor=math.inf, seed=SEED) as server,
        websockets.connect(f"{server.url}{meta['path']}?{query}", additional_headers=headers) as ws,
    ):

        async def read_until(count: int) -> None:
            while len(received) < count:
                received.append(json.loads(await asyncio.wait_for(ws.recv(), 15)))

        seen = 0
        for record in records[1:]:
            if record["dir"] == "server":
                seen += 1
            else:
                await read_until(seen)  # the client spoke after these server events; so does the replay
                await ws.send(json.dumps(record["event"]))
        await read_until(len(recorded))
    # Synthesised audio may differ by a few samples between machines (onnxruntime numerics), which can move a
    # chunk boundary: the streamed deltas are compared by content, every other event exactly.
    assert _steady(received) == _steady(recorded)
    for kind in ("audio", "audio_transcript"):
        got, want = _streamed(received, kind), _streamed(recorded, kind)
        assert abs(len(got) - len(want)) <= 0.05 * len(want)
        if kind == "audio_transcript":
            assert got == want


def _steady(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    steady = []
    for event in events:
        if "audio.delta" in event["type"] or "audio_transcript.delta" in event["type"]:
            continue
        event = {key: value for key, value in event.items() if key != "event_id"}
        if event["type"] in ("session.created", "session.updated"):
            event["session"] = {k: v for k, v in event["session"].items() if k != "expires_at"}
        steady.append(event)
    return steady


def _streamed(events: list[dict[str, Any]], kind: str) -> str:
    suffix = f"{kind}.delta"
    return "".join(event["delta"] for event in events if event["type"].endswith(suffix))


async def test_a_recording_replays_to_pyagents_client_through_the_scripted_server() -> None:
    """The loop the recordings exist for: a real local session, replayed offline to a client under test."""
    from pyagent.realtime import connect
    from pyagent.realtime.testing import ScriptedServer

    path = SESSIONS / "local_voicelive_g711_spoken_turn.jsonl"
    async with (
        ScriptedServer.from_session(path) as scripted,
        connect(endpoint=scripted.endpoint, credential="k", dialect="voicelive", model="gpt-realtime") as conn,
    ):
        records = load(path)
        for record in records:
            if record["dir"] == "client":
                await conn.send(record["event"])
        names = []
        async for event in conn:
            names.append(event.type)
            if event.type == "response.done":
                break
    assert names == [record["event"]["type"] for record in records if record["dir"] == "server"]
