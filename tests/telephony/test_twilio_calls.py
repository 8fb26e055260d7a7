"""Twilio calls end to end: a simulated Twilio (real WebSocket, real µ-law speech, marks acked in real time) against
the phone server and the local server."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import pathlib

import pytest
from telephony.carriers import TwilioCaller
from telephony.conftest import (
    CallLog,
    bridge_tasks,
    phone_server,
    session_factory,
    wait_until,
)
from voice.conftest import DIALECTS, recorded_events

from pyagent.server import LocalServer
from pyagent.telephony import bridge_call
from pyagent.voice import SessionState


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_call_with_a_question_and_a_tool_call_is_answered_in_ulaw_frames(
    dialect: str, local: LocalServer, question_ulaw: bytes, tmp_path: pathlib.Path
) -> None:
    log = CallLog()
    server = await phone_server(log, local, dialect)
    try:
        caller = TwilioCaller(server.public_urls()["twilio"], parameters={"customer": "42"})
        async with caller:
            await caller.speak(question_ulaw, then_silence_ms=1000)
            await log.wait_responses(1)
            response = log.responses[0]
            media = caller.frames("media")
            await wait_until(lambda: len(caller.heard) == len(response.audio))  # played out in real time
            await wait_until(lambda: len(caller.acked) == len(caller.frames("mark")))
            session = log.sessions[0]
            # The caller's ear is the clock: once the last mark is back, the whole answer counts as played.
            await wait_until(lambda: session.playback.played_bytes(response.item_ids[-1], 0) == len(response.audio))
            assert not session.playback.is_playing
            await caller.hang_up()
            await wait_until(lambda: server.active_calls == 0)
        assert session.state is SessionState.DISCONNECTED
        assert bridge_tasks() == []
    finally:
        await server.close()
    # The tool ran, and read the call's ids through the session.
    assert [(call.name, call.output) for call in response.tool_calls] == [("get_weather", "sunny, 22 degrees Celsius")]
    assert log.tool_calls == [
        {"city": "Paris", "call_id": caller.call_sid, "stream_id": caller.stream_sid, "customer": "42"}
    ]
    assert "paris" in response.transcript.lower()
    # The answer reached the caller as µ-law 20 ms frames, each followed by a mark, byte for byte what the service
    # sent (no conversion on the way).
    assert (response.format, response.sample_rate) == ("g711_ulaw", 8000)
    payloads = [base64.b64decode(r.message["media"]["payload"]) for r in media]
    assert b"".join(payloads) == response.audio == bytes(caller.heard)
    assert all(len(p) == 160 for p in payloads[:-1])
    assert 0 < len(payloads[-1]) <= 160
    kinds = [r.message["event"] for r in caller.received]
    assert kinds == ["media", "mark"] * len(payloads)
    positions = [int(r.message["mark"]["name"]) for r in caller.frames("mark")]
    assert positions == [sum(len(p) for p in payloads[: i + 1]) for i in range(len(payloads))]
    assert server.calls[0].call_id == caller.call_sid
    events = await recorded_events(local, tmp_path, "server")
    deltas = [e for e in events if e["type"] in ("response.output_audio.delta", "response.audio.delta")]
    assert b"".join(base64.b64decode(e["delta"]) for e in deltas) == response.audio


@pytest.mark.parametrize("dialect", ["openai", "voicelive"])
async def test_barge_in_clears_at_once_and_truncates_at_what_the_caller_heard(
    dialect: str, talkative: LocalServer, question_ulaw: bytes, stop_ulaw: bytes, tmp_path: pathlib.Path
) -> None:
    log = CallLog()
    server = await phone_server(log, talkative, dialect)
    try:
        async with TwilioCaller(server.public_urls()["twilio"]) as caller:
            await caller.speak(question_ulaw, then_silence_ms=300)
            await wait_until(lambda: caller.heard_ms >= 1500)  # the long answer plays...
            talking = asyncio.create_task(caller.speak(stop_ulaw, then_silence_ms=1200))  # ...and the caller talks
            await wait_until(lambda: bool(caller.clears))
            await talking
            await log.wait_responses(2)
            await wait_until(lambda: bytes(caller.heard).endswith(log.responses[1].audio))
            await caller.hang_up()
            await wait_until(lambda: server.active_calls == 0)
    finally:
        await server.close()
    [clear] = caller.clears
    [(interrupted_at, interruption)] = log.interruptions
    first, second = log.responses[:2]
    # The answer had all arrived (the service streams faster than real time); the caller was still hearing it.
    assert interruption.response_id == first.id
    assert interruption.item_id == first.item_ids[-1]
    assert second.transcript == "All right, I stopped."
    [heard_item] = [item for item in log.sessions[0].conversation if item.id == interruption.item_id]
    assert heard_item.truncated_at_ms == interruption.audio_end_ms
    # `clear` went out as soon as the session decided the barge-in: no frame of the cut answer came in between.
    between = [r for r in caller.frames("media") if interrupted_at <= r.at < clear.at]
    assert between == []
    # The truncation is at a mark the caller acked before the clear: what it heard, not beyond.
    end_ms = interruption.audio_end_ms
    acked_before = {int(name) for at, name, _ in caller.acked if at <= clear.at}
    assert end_ms * 8 in acked_before
    assert end_ms <= clear.heard_ms
    # Acks still on their way while the barge-in was decided; and the caller went on hearing while the clear was.
    assert end_ms >= clear.heard_ms - (clear.at - interrupted_at) * 1000 - 200
    assert end_ms < len(first.audio) // 8  # the answer was cut, mid-way
    # The marks Twilio returned at once for the cleared audio counted nothing.
    assert caller.echoed_after_clear
    assert all(int(name) > end_ms * 8 for name in caller.echoed_after_clear)
    # The caller heard nothing of the cut answer after the clear (the frame playing then excepted).
    heard_of_first = caller.heard[: len(caller.heard) - len(second.audio)]
    assert bytes(heard_of_first) == first.audio[: len(heard_of_first)]
    assert len(heard_of_first) <= clear.heard_ms * 8 + 160
    assert bytes(caller.heard[len(heard_of_first) :]) == second.audio
    # The service was told the same milliseconds.
    sent = await recorded_events(talkative, tmp_path, "client")
    truncates = [e for e in sent if e["type"] == "conversation.item.truncate"]
    assert [(t["item_id"], t["audio_end_ms"]) for t in truncates] == [(interruption.item_id, end_ms)]


async def test_a_websockets_server_bridges_a_call_and_bad_frames_do_not_end_it(
    local: LocalServer, question_ulaw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """The bridge on websockets' own server connection; garbage from the carrier is logged and the call goes on;
    DTMF keys reach the agent."""
    from websockets.asyncio.server import ServerConnection, serve

    log = CallLog()
    make_session = session_factory(log, local.endpoint, "openai")
    ended: list[object] = []

    async def media_stream(websocket: ServerConnection) -> None:
        ended.append(await bridge_call(websocket, make_session(), "twilio"))

    caplog.set_level(logging.WARNING, logger="pyagent.telephony")
    async with serve(media_stream, "127.0.0.1", 0) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        async with TwilioCaller(f"ws://127.0.0.1:{port}/media-stream") as caller:
            await caller.send_raw("this is not JSON")
            await caller.send_raw(b"\x00\x01 binary")
            await caller.send_json({"event": "media", "streamSid": caller.stream_sid, "media": {"payload": "!!!"}})
            await caller.send_json({"event": "media", "streamSid": caller.stream_sid})
            await caller.send_json({"event": "something_new", "streamSid": caller.stream_sid})
            await caller.press("5")
            await caller.press("#")
            await caller.speak(question_ulaw, then_silence_ms=1000)
            await log.wait_responses(1)
            await wait_until(lambda: len(caller.heard) == len(log.responses[0].audio))
            await caller.send_raw("[]")
            await caller.ws.close()  # hung up without a stop  # type: ignore[union-attr]
            await wait_until(lambda: bool(ended))
    assert log.digits == ["5", "#"]
    assert log.responses[0].tool_calls[0].name == "get_weather"
    assert log.sessions[0].state is SessionState.DISCONNECTED
    assert bridge_tasks() == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "pyagent.telephony"]
    assert len(warnings) == 5, warnings  # four bad frames and the array; the unknown event is not an error
    assert any("not JSON" in w for w in warnings)
    assert any("binary" in w for w in warnings)
    assert any("base64" in w for w in warnings)
    assert any("payload" in w for w in warnings)


async def test_a_stream_that_never_starts_or_hangs_up_at_once_ends_the_bridge(local: LocalServer) -> None:
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import ServerConnection, serve

    from pyagent.telephony import CallSetupError

    log = CallLog()
    make_session = session_factory(log, local.endpoint, "openai")
    outcomes: list[BaseException | None] = []

    async def media_stream(websocket: ServerConnection) -> None:
        try:
            await bridge_call(websocket, make_session(), "twilio", start_timeout=0.5)
        except CallSetupError as exc:
            outcomes.append(exc)
        else:
            outcomes.append(None)

    async with serve(media_stream, "127.0.0.1", 0) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}"
        async with connect(url) as ws:  # connected, then nothing: the start never comes
            await ws.send('{"event": "connected", "protocol": "Call", "version": "1.0.0"}')
            await wait_until(lambda: len(outcomes) == 1)
        async with connect(url) as ws:  # hung up before the start
            await ws.send('{"event": "stop", "streamSid": "MZ1", "stop": {}}')
            await wait_until(lambda: len(outcomes) == 2)
        async with connect(url) as ws:  # a start the bridge cannot use
            start = {"streamSid": "MZ1", "mediaFormat": {"encoding": "audio/x-l16", "sampleRate": 16000}}
            await ws.send(json.dumps({"event": "start", "start": start}))
            await wait_until(lambda: len(outcomes) == 3)
    assert all(isinstance(outcome, CallSetupError) for outcome in outcomes)
    assert "within 0.5 s" in str(outcomes[0])
    assert "stopped the stream before it started" in str(outcomes[1])
    assert "not µ-law 8 kHz mono" in str(outcomes[2])
    assert [session.state for session in log.sessions] == [SessionState.IDLE] * 3  # none was ever connected


async def test_when_the_service_ends_the_session_the_call_is_hung_up(question_ulaw: bytes) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    from pyagent.voice import SessionClosedError

    log = CallLog()
    outcomes: list[BaseException] = []
    async with LocalServer(max_session_seconds=1.5, seed=1) as short_lived:
        # A session that does not reconnect: the service's end is the call's (with reconnect, the call goes on).
        make_session = session_factory(log, short_lived.endpoint, "openai", reconnect=False)

        async def media_stream(websocket: ServerConnection) -> None:
            try:
                await bridge_call(websocket, make_session(), "twilio")
            except SessionClosedError as exc:
                outcomes.append(exc)

        async with serve(media_stream, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            async with TwilioCaller(f"ws://127.0.0.1:{port}/media-stream") as caller:
                talking = asyncio.create_task(caller.speak(question_ulaw, then_silence_ms=3000))
                await wait_until(lambda: caller.closed.is_set())  # the bridge hung up
                talking.cancel()
            await wait_until(lambda: bool(outcomes))
    [error] = outcomes
    assert error.service_error is not None  # type: ignore[attr-defined]
    assert error.service_error.code == "session_expired"  # type: ignore[attr-defined]
    assert log.sessions[0].state is SessionState.DISCONNECTED
    assert bridge_tasks() == []


async def test_on_the_phone_server_too_the_service_ending_the_session_hangs_up(question_ulaw: bytes) -> None:
    """The same on an ASGI socket (Starlette on uvicorn): the hang-up ends the listener's pending receive."""
    log = CallLog()
    async with LocalServer(max_session_seconds=1.5, seed=1) as short_lived:
        server = await phone_server(log, short_lived, "voicelive")
        try:
            async with TwilioCaller(server.public_urls()["twilio"]) as caller:
                talking = asyncio.create_task(caller.speak(question_ulaw, then_silence_ms=3000))
                await wait_until(lambda: caller.closed.is_set())
                talking.cancel()
            await wait_until(lambda: server.active_calls == 0)
        finally:
            await server.close()
    assert server.calls == []  # it ended in an error, logged by the server
    assert log.sessions[0].state is SessionState.DISCONNECTED
    assert bridge_tasks() == []
