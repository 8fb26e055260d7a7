"""Every wait has an outcome: each await a user can reach, against each way a service fails.

The matrix: connect(), respond() (with and without the service's turn detection), receive(), stream_receive(),
listen() and a turn waiting on its tool, each against closes (1000, 1001, 1011, 4001), a dropped connection, an
``error`` naming the pending request, an ``error`` naming none (OpenAI's ``server_error``) and a frame that is not
JSON. Every case ends: with the answer, a :class:`ResponseError` carrying the service's code, or a
:class:`SessionClosedError` carrying the close's code and reason, with the session DISCONNECTED before anyone hears.
It ends so with and without reconnecting: the scripted service fails each new connection the same way, so the
session reconnects (and restores) until its attempts run out, then ends with the last close's code and reason.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from voice.conftest import DIALECTS
from voice.service_script import Service

from pyagent import Agent, VoiceSession
from pyagent.realtime.errors import EventDecodeError
from pyagent.realtime.testing import ScriptedPeer, ScriptedServer
from pyagent.server import LocalServer, Reply
from pyagent.voice import ReconnectPolicy, ResponseError, SessionClosedError, SessionState

CLOSES: dict[str, tuple[int, str]] = {
    "close-1000": (1000, "bye"),
    "close-1001": (1001, "going away"),
    "close-1011": (1011, "server error"),
    "close-4001": (4001, "session closed"),
    "drop": (1006, "the connection dropped without a close frame"),
}
ERRORS = ("error-with-id", "error-without-id")
UNDECODABLE = "undecodable"
EVERY_FAULT = (*CLOSES, *ERRORS, UNDECODABLE)


async def inject(svc: Service, fault: str, request: dict[str, Any] | None) -> None:
    """Fail the way ``fault`` says, at the moment the client waits on ``request``."""
    if fault in CLOSES:
        code, reason = CLOSES[fault]
        if fault == "drop":
            svc.peer.drop()
        else:
            await svc.peer.close(code, reason)
    elif fault == "error-with-id":
        assert request is not None
        await svc.error("the request was refused", code="refused", event_id=request["event_id"])
    elif fault == "error-without-id":
        await svc.error("The server had an error.", code="server_error", kind="server_error", event_id=None)
    else:
        await svc.peer.send("this is not JSON {")


async def answer(svc: Service, response_id: str = "resp_1") -> None:
    await svc.response_created(response_id)
    await svc.spoken_item(response_id, f"item_{response_id}", None, 0, "Fine.", 200)
    await svc.response_done(response_id)


# --------------------------------------------------------------------------------------------------- the waits


async def waits_for_connect(svc: Service, fault: str) -> None:
    await svc.send("session.created", session={"id": "sess_1"})
    (update,) = await svc.expect("session.update")
    await inject(svc, fault, update)
    if fault == UNDECODABLE:
        await svc.updated()


async def waits_for_respond(svc: Service, fault: str) -> None:
    await svc.open()
    await svc.expect("input_audio_buffer.commit")
    (create,) = await svc.expect("response.create")
    await inject(svc, fault, create)
    if fault == UNDECODABLE:
        await answer(svc)


async def waits_for_respond_at_the_barrier(svc: Service, fault: str) -> None:
    await svc.open()
    (barrier,) = await svc.expect("session.update")
    await inject(svc, fault, barrier)
    if fault == UNDECODABLE:
        await svc.user_speech("item_u1", None, 0, 900)
        await svc.updated()
        await svc.expect("response.create")
        await answer(svc)


async def waits_for_receive(svc: Service, fault: str) -> None:
    await svc.open()
    (create,) = await svc.expect("response.create")
    await inject(svc, fault, create)
    if fault == UNDECODABLE:
        await answer(svc)


async def waits_for_listen(svc: Service, fault: str) -> None:
    await svc.open()
    await asyncio.sleep(0.2)
    await inject(svc, fault, None)


async def waits_for_a_tool(svc: Service, fault: str) -> None:
    await svc.open()
    await svc.expect("response.create")
    await svc.response_created("resp_1")
    call = {"id": "item_call", "type": "function_call", "call_id": "call_1", "name": "slow", "arguments": "{}"}
    await svc.send("response.output_item.added", response_id="resp_1", output_index=0, item=call)
    await svc.response_done("resp_1", output=[call])
    await asyncio.sleep(0.2)  # the tool is running
    await inject(svc, fault, None)


async def silence() -> AsyncIterator[bytes]:
    while True:
        yield b"\x00\x00" * 480
        await asyncio.sleep(0.01)


async def slow() -> str:
    """A tool that takes longer than any session here lasts."""
    await asyncio.sleep(3600)
    return "done"


Caller = Callable[[VoiceSession], Awaitable[Any]]


async def call_connect(session: VoiceSession) -> Any:
    return await session.connect()


async def call_respond(session: VoiceSession) -> Any:
    await session.connect()
    return await session.respond(b"\x10\x00\xf0\xff" * 2400)


async def call_receive(session: VoiceSession) -> Any:
    await session.connect()
    await session.send_text("hello")
    return await session.receive()


async def call_stream_receive(session: VoiceSession) -> Any:
    await session.connect()
    await session.send_text("hello")
    return [chunk async for chunk in session.stream_receive()]


async def call_listen(session: VoiceSession) -> Any:
    await session.connect()
    session.set_audio_source(silence())
    return await session.listen()


CASES: dict[str, tuple[Callable[[Service, str], Awaitable[None]], Caller, dict[str, Any], tuple[str, ...]]] = {
    "connect": (waits_for_connect, call_connect, {}, EVERY_FAULT),
    "respond": (waits_for_respond, call_respond, {"turn_detection": False}, EVERY_FAULT),
    "respond-barrier": (waits_for_respond_at_the_barrier, call_respond, {}, (*CLOSES, UNDECODABLE)),
    "receive": (waits_for_receive, call_receive, {}, EVERY_FAULT),
    "stream_receive": (waits_for_receive, call_stream_receive, {}, EVERY_FAULT),
    "listen": (waits_for_listen, call_listen, {}, tuple(CLOSES)),
    "tool": (waits_for_a_tool, call_receive, {"agent": Agent("a", "b", tools=[slow])}, tuple(CLOSES)),
}
FAST = ReconnectPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
RECONNECTING = {"no-reconnect": False, "reconnect": FAST}
# A turn waiting on its tool survives a reconnect: the tool goes on and its output is sent on the new connection
# (test_reconnect.py), so its wait does not end with the close and is left out of the reconnecting half.
MATRIX = [
    (wait, fault, reconnect)
    for wait, (_, _, _, faults) in CASES.items()
    for fault in faults
    for reconnect in sorted(RECONNECTING)
    if not (wait == "tool" and reconnect == "reconnect")
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("wait", "fault", "reconnect"), MATRIX)
async def test_every_wait_ends(wait: str, fault: str, dialect: str, reconnect: str) -> None:
    script, caller, options, _ = CASES[wait]

    async def service(peer: ScriptedPeer) -> None:
        await script(Service(peer, dialect), fault)

    told: list[tuple[Exception, SessionState]] = []
    async with ScriptedServer(service) as server:
        session = VoiceSession(
            model="gpt-realtime",
            endpoint=server.endpoint,
            dialect=dialect,
            reconnect=RECONNECTING[reconnect],
            **options,
        )
        session.on("error")(lambda error: told.append((error, session.state)))
        try:
            async with asyncio.timeout(20):  # a hang guard, not a measurement: every case ends in milliseconds
                outcome: Any = await caller(session)
        except (ResponseError, SessionClosedError) as exc:
            outcome = exc
            state_when_raised = session.state
        finally:
            await session.disconnect()
        assert not server.errors
    if fault == UNDECODABLE:
        assert not isinstance(outcome, Exception)
        assert [type(error) for error, _ in told] == [EventDecodeError]  # reported, and the session went on
    elif fault in CLOSES:
        code, reason = CLOSES[fault]
        assert isinstance(outcome, SessionClosedError), outcome
        assert (outcome.code, outcome.reason) == (code, reason)
        retried = reconnect == "reconnect" and wait != "connect" and code not in (1000, 4001)
        assert len(server.handshakes) == (1 + FAST.max_attempts if retried else 1)
        assert state_when_raised is SessionState.DISCONNECTED
        if wait != "connect":  # connect() raises; once connected, the handlers hear it once, DISCONNECTED already
            assert told == [(outcome, SessionState.DISCONNECTED)]
    else:
        assert isinstance(outcome, ResponseError), outcome
        assert outcome.code == ("refused" if fault == "error-with-id" else "server_error")


# --------------------------------------------------------------------------------------------------- the next turn


async def test_after_an_error_without_event_id_the_next_turn_works() -> None:
    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "voicelive")
        await svc.open()
        await svc.expect("response.create")
        await svc.error(
            "The server had an error while processing your request.", code="server_error", kind="server_error"
        )
        await svc.expect("response.create")
        await answer(svc, "resp_2")

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="voicelive")
        async with session.connect() as voice:
            await voice.send_text("hello")
            with pytest.raises(ResponseError, match="processing your request") as info:
                await voice.receive()
            assert (info.value.code, info.value.error_type) == ("server_error", "server_error")
            await voice.send_text("again")
            response = await voice.receive()
            assert voice.state is SessionState.CONNECTED
    assert response.transcript == "Fine."


# --------------------------------------------------------------------------------------------------- 6. idle closes


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (1001, "maximum duration reached"),
        (4001, "session closed"),
        (1006, "the connection dropped without a close frame"),
    ],
)
async def test_a_close_while_idle_is_told_at_once_and_raised_by_the_next_call(code: int, reason: str) -> None:
    async def service(peer: ScriptedPeer) -> None:
        await Service(peer, "openai").open()
        await asyncio.sleep(0.1)
        if code == 1006:
            peer.drop()
        else:
            await peer.close(code, reason)

    told: list[tuple[Exception, SessionState]] = []
    arrived = asyncio.Event()
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=False)

        @session.on("error")
        def on_error(error: Exception) -> None:
            told.append((error, session.state))
            arrived.set()

        await session.connect()
        async with asyncio.timeout(10):
            await arrived.wait()
        (error, state), *more = told
        assert more == []
        assert state is SessionState.DISCONNECTED
        assert isinstance(error, SessionClosedError)
        assert (error.code, error.reason) == (code, reason)
        for call in (
            lambda: session.send_audio(b"\x00\x00" * 480),
            lambda: session.respond(b"\x00\x00" * 4800),
            lambda: session.send_text("hello"),
            lambda: session.receive(),
        ):
            with pytest.raises(SessionClosedError) as info:
                await call()
            assert info.value is error


async def test_an_error_that_explains_a_close_is_told_once_with_it() -> None:
    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "openai")
        await svc.open()
        await svc.error("Your session hit the maximum duration of 60 minutes.", code="session_expired")
        await peer.close(1001, "going away")

    told: list[Exception] = []
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=False)
        session.on("error")(told.append)
        await session.connect()
        with pytest.raises(SessionClosedError) as info:
            await session.receive()
    assert told == [info.value]
    assert info.value.code == 1001
    assert info.value.service_error is not None
    assert info.value.service_error.code == "session_expired"
    assert "maximum duration of 60 minutes" in str(info.value)


# --------------------------------------------------------------------------------------------------- 7. refused


@pytest.mark.parametrize("dialect", ["openai", "voicelive"])
async def test_refused_at_connect_keeps_the_reason(dialect: str) -> None:
    async def service(peer: ScriptedPeer) -> None:
        await Service(peer, dialect).error("The model 'gpt-nonexistent' does not exist.", code="invalid_model")
        await peer.close(1008, "invalid model")

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-nonexistent", endpoint=server.endpoint, dialect=dialect)
        with pytest.raises(ResponseError, match="does not exist") as info:
            await session.connect()
    assert info.value.code == "invalid_model"
    assert session.state is SessionState.DISCONNECTED


# --------------------------------------------------------------------------------------------------- 8. closing


async def test_disconnect_while_the_service_streams_closes_cleanly() -> None:
    """The reader lags behind a flood of audio; disconnect() still completes the closing handshake at once."""
    delta = {"type": "response.output_audio.delta", "response_id": "resp_1", "item_id": "item_1"}
    delta |= {"output_index": 0, "content_index": 0, "delta": base64.b64encode(b"\x10\x00\xf0\xff" * 1200).decode()}
    close_codes: list[int | None] = []

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "openai")
        await svc.open()
        await svc.expect("response.create")
        await svc.response_created("resp_1")
        for _ in range(2000):
            await peer.send(delta)

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")

        @session.on("audio")
        async def slow_handler(data: bytes) -> None:
            await asyncio.sleep(0.01)  # a consumer slower than the service

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await session.connect()
            await session.send_text("talk for a long time")
            async with asyncio.timeout(20):
                while session.state is not SessionState.SPEAKING:  # noqa: ASYNC110 - the session's state
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # the receive queue fills
            async with asyncio.timeout(5):  # a hang guard: without draining, closing waited for close_timeout
                await session.disconnect()
            await server.close()
            close_codes.append(server.peers[0].websocket.close_code)
            gc.collect()
    assert close_codes == [1000]  # the server read our close frame: the closing handshake completed
    assert not [w for w in caught if "never awaited" in str(w.message)]


async def test_leaving_the_context_mid_answer_cancels_nothing_left_waiting() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with LocalServer(responder=lambda _: Reply(text="word " * 200), realtime_factor=2.0) as server:
            session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="voicelive")
            async with session.connect() as voice:
                await voice.send_text("go on")
                waiting = asyncio.create_task(voice.receive())
                await asyncio.sleep(0.3)
            with pytest.raises(SessionClosedError, match="disconnected"):
                await waiting
        gc.collect()
    assert session.state is SessionState.DISCONNECTED
    assert not [w for w in caught if "never awaited" in str(w.message)]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_the_local_servers_expiry_is_told_once_and_raised_by_the_next_call(dialect: str) -> None:
    """LocalServer ends a session at its maximum duration as OpenAI does: ``session_expired``, then 1001."""
    told: list[tuple[Exception, SessionState]] = []
    arrived = asyncio.Event()
    async with LocalServer(max_session_seconds=0.5) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=False)

        @session.on("error")
        def on_error(error: Exception) -> None:
            told.append((error, session.state))
            arrived.set()

        await session.connect()
        async with asyncio.timeout(10):
            await arrived.wait()
        await asyncio.sleep(0.1)  # nothing else is told
        with pytest.raises(SessionClosedError) as info:
            await session.send_text("are you there?")
    assert told == [(info.value, SessionState.DISCONNECTED)]
    assert info.value.code == 1001
    assert info.value.service_error is not None
    assert info.value.service_error.code == "session_expired"
