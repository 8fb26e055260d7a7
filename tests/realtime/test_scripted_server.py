"""The scripted test server itself: scripts, session files, failures of scripts, recorded handshakes."""

from __future__ import annotations

import json
import pathlib

import pytest

from conftest import FIXTURES
from pyagent.realtime import HandshakeError, connect
from pyagent.realtime.testing import Close, Expect, Reject, ScriptedPeer, ScriptedServer, Send, Sleep, load_session


def test_session_files_become_scripts_that_wait_for_the_client() -> None:
    steps = load_session(FIXTURES / "sessions" / "scripted_openai_turn.jsonl")
    assert isinstance(steps[0], Send)
    assert isinstance(steps[0].event, dict)
    assert steps[0].event["type"] == "session.created"
    expects = [step.type for step in steps if isinstance(step, Expect)]
    assert expects == ["session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "response.create"]
    timed = load_session(FIXTURES / "sessions" / "scripted_openai_turn.jsonl", timing=True)
    assert any(isinstance(step, Sleep) for step in timed)


def test_session_file_lines_are_checked(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"t": 0, "dir": "sideways", "event": {"type": "x"}}) + "\n")
    with pytest.raises(ValueError, match="unknown dir"):
        load_session(bad)
    bad.write_text(json.dumps({"t": 0, "dir": "server"}) + "\n")
    with pytest.raises(ValueError, match="without an event"):
        load_session(bad)


@pytest.mark.parametrize("path", sorted((FIXTURES / "sessions").glob("scripted_*.jsonl")), ids=lambda p: p.stem)
def test_session_files_hold_no_secret_and_start_with_meta(path: pathlib.Path) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["dir"] == "meta"
    assert "headers" not in lines[0]
    text = path.read_text().lower()
    assert "api-key" not in text
    assert "bearer" not in text


async def test_a_failing_script_is_recorded_and_closes_1011() -> None:
    async def script(peer: ScriptedPeer) -> None:
        raise LookupError("the script is wrong")

    async with ScriptedServer(script) as server, connect(endpoint=server.endpoint, dialect="voicelive") as conn:
        with pytest.raises(Exception) as caught:  # noqa: PT011 - ConnectionClosed, checked below
            await conn.recv()
    assert getattr(caught.value, "code", None) == 1011
    assert [type(e) for e in server.errors] == [LookupError]


async def test_expect_counts_per_type_and_server_send_reaches_the_latest_connection() -> None:
    async with (
        ScriptedServer([Expect("input_audio_buffer.commit", count=2), Send({"type": "x.done"}), Close()]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        await conn.input_audio_buffer.commit()
        await conn.input_audio_buffer.clear()
        await server.send({"type": "x.early"})
        assert (await conn.recv()).type == "x.early"
        await conn.input_audio_buffer.commit()
        assert (await conn.recv()).type == "x.done"
    assert server.received_types() == [
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
    ]


async def test_every_connection_gets_the_script_and_its_own_handshake() -> None:
    async with ScriptedServer([Send({"type": "hello"})]) as server:
        for model in ("a", "b"):
            async with connect(endpoint=server.endpoint, dialect="voicelive", model=model) as conn:
                assert (await conn.recv()).type == "hello"
    assert [hs.query["model"] for hs in server.handshakes] == ["a", "b"]
    assert [peer.handshake.query["model"] for peer in server.peers] == ["a", "b"]


async def test_reject_sends_status_body_and_location() -> None:
    async with ScriptedServer(reject=Reject(404, "no such deployment")) as server:
        with pytest.raises(HandshakeError) as caught:
            await connect(endpoint=server.endpoint, dialect="azure-openai", model="missing")
    assert caught.value.status == 404
    assert caught.value.body == "no such deployment"
    assert server.peers == []
