"""Closing, failures and what the iteration reports; server error, unknown and malformed events."""

from __future__ import annotations

import asyncio

import pytest

from conftest import FIXTURES
from pyagent.realtime import (
    ConnectionClosed,
    ConnectionTimeout,
    EventDecodeError,
    KeepaliveTimeout,
    RealtimeConnection,
    WebsocketConnectionOptions,
    connect,
)
from pyagent.realtime._options import DEFAULT_MAX_MSG_SIZE
from pyagent.realtime.events import ErrorEvent, InvalidEvent, SessionCreated, UnknownEvent
from pyagent.realtime.testing import Close, Drop, Expect, Flood, ScriptedServer, Send, Stall

CREATED = {"type": "session.created", "event_id": "event_1", "session": {"id": "sess_1", "model": "gpt-realtime"}}


async def _events_until_end(conn: RealtimeConnection) -> list[object]:
    return [event async for event in conn]


async def test_normal_close_ends_the_iteration_quietly() -> None:
    async with (
        ScriptedServer([Send(CREATED), Close(1000, "done")]) as server,
        connect(endpoint=server.endpoint, dialect="openai") as conn,
    ):
        events = await _events_until_end(conn)
        assert conn.closed
        assert conn.close_code == 1000
        assert conn.close_reason == "done"
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv()
    assert [type(e) for e in events] == [SessionCreated]
    assert caught.value.code == 1000


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (1001, "session reached its maximum duration"),
        (1011, "internal server error"),
        (4000, "beta_api_shape_disabled"),
        (4001, "custom policy"),
        (1008, "policy violation"),
    ],
)
async def test_other_closes_raise_with_the_servers_code_and_reason(code: int, reason: str) -> None:
    async with (
        ScriptedServer([Send(CREATED), Close(code, reason)]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        received: list[object] = []

        async def consume() -> None:
            async for event in conn:
                received.append(event)

        with pytest.raises(ConnectionClosed) as caught:
            await consume()
    assert (caught.value.code, caught.value.reason) == (code, reason)
    assert len(received) == 1  # the event sent before the close was delivered first
    assert conn.close_code == code


@pytest.mark.parametrize(
    ("ending", "code", "reason"),
    [
        (Close(1000, "done"), 1000, "done"),
        (Close(1001, "session reached its maximum duration"), 1001, "session reached its maximum duration"),
        (Close(1011, "internal server error"), 1011, "internal server error"),
        (Close(4000, "beta_api_shape_disabled"), 4000, "beta_api_shape_disabled"),
        (Close(4001, "custom policy"), 4001, "custom policy"),
        (Drop(), 1006, "the connection dropped without a close frame"),
    ],
    ids=["1000", "1001", "1011", "4000", "4001", "1006-drop"],
)
async def test_recv_delivers_what_came_first_then_raises_the_close(
    ending: Close | Drop, code: int, reason: str
) -> None:
    async with (
        ScriptedServer([Send(CREATED), ending]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        assert isinstance(await conn.recv(), SessionCreated)
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv()
        with pytest.raises(ConnectionClosed) as again:  # a closed connection keeps saying so
            await conn.recv()
    assert (caught.value.code, caught.value.reason) == (code, reason)
    assert (again.value.code, again.value.reason) == (code, reason)
    assert str(code) in str(caught.value)


async def test_dropped_tcp_connection_is_1006() -> None:
    async with (
        ScriptedServer([Send(CREATED), Drop()]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        with pytest.raises(ConnectionClosed) as caught:
            await _events_until_end(conn)
    assert caught.value.code == 1006
    assert not isinstance(caught.value, KeepaliveTimeout)


async def test_stalled_server_fails_the_heartbeat_as_1006() -> None:
    options = WebsocketConnectionOptions(heartbeat=0.1)
    async with (
        ScriptedServer([Send(CREATED), Stall(1.0)]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options) as conn,
    ):
        with pytest.raises(KeepaliveTimeout) as caught:
            await _events_until_end(conn)
    assert caught.value.code == 1006
    assert isinstance(caught.value, ConnectionTimeout)


async def test_sending_after_the_server_closed_raises_its_close() -> None:
    async with (
        ScriptedServer([Close(4001, "go away")]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        with pytest.raises(ConnectionClosed):
            await conn.recv()
        with pytest.raises(ConnectionClosed) as caught:
            await conn.input_audio_buffer.commit()
    assert caught.value.code == 4001


async def test_client_close_with_code_and_reason_reaches_the_server_and_ends_iteration() -> None:
    async with ScriptedServer([Send(CREATED)]) as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive")
        assert isinstance(await conn.recv(), SessionCreated)
        iteration = asyncio.create_task(_events_until_end(conn))
        await asyncio.sleep(0.05)
        await conn.close(code=4002, reason="user hung up")
        assert await iteration == []
        peer = await server.wait_connected()
        assert peer.websocket.close_code == 4002
        assert peer.websocket.close_reason == "user hung up"
        await conn.close()  # twice is harmless


async def test_a_close_code_or_reason_the_protocol_forbids_is_refused_and_the_connection_stays_open() -> None:
    async with ScriptedServer([Expect("input_audio_buffer.commit"), Send(CREATED)]) as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive")
        for code in (999, 1005, 1006, 5000):
            with pytest.raises(ValueError, match=str(code)):
                await conn.close(code=code)
        with pytest.raises(ValueError, match="123 bytes"):
            await conn.close(reason="x" * 124)
        assert not conn.closed
        await conn.input_audio_buffer.commit()
        assert isinstance(await conn.recv(), SessionCreated)
        await conn.close(code=4999, reason="x" * 123)
        assert [event async for event in conn] == []
        peer = await server.wait_connected()
        assert peer.websocket.close_code == 4999


async def test_after_this_side_closed_send_and_recv_raise_connection_closed() -> None:
    async with ScriptedServer() as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive")
        await conn.close(code=4002, reason="bye")
        with pytest.raises(ConnectionClosed) as sent:
            await conn.input_audio_buffer.commit()
        with pytest.raises(ConnectionClosed) as received:
            await conn.recv()
    assert sent.value.code == received.value.code == 4002  # the server answered with this side's own code


async def test_server_error_events_are_events_and_the_connection_stays_open() -> None:
    error = {
        "type": "error",
        "event_id": "event_2",
        "error": {"type": "invalid_request_error", "code": "x", "message": "bad", "param": None, "event_id": "c1"},
    }
    async with (
        ScriptedServer([Send(error), Expect("input_audio_buffer.commit"), Send(CREATED)]) as server,
        connect(endpoint=server.endpoint, dialect="openai") as conn,
    ):
        event = await conn.recv()
        assert isinstance(event, ErrorEvent)
        assert event.error.message == "bad"
        await conn.input_audio_buffer.commit()
        assert isinstance(await conn.recv(), SessionCreated)


async def test_unknown_and_malformed_events_are_delivered_not_raised() -> None:
    script = [
        Send({"type": "vendor.new_thing", "value": 1}),
        Send({"type": "session.created", "session": {"id": 5}}),  # id must be a str
        Send("[1, 2]"),
        Send("not json at all"),
        Send(CREATED),
        Close(1000),
    ]
    async with ScriptedServer(script) as server, connect(endpoint=server.endpoint, dialect="voicelive") as conn:
        unknown = await conn.recv()
        invalid = await conn.recv()
        with pytest.raises(EventDecodeError):
            await conn.recv()
        with pytest.raises(EventDecodeError) as caught:
            await conn.recv()
        rest = await _events_until_end(conn)  # the stream goes on after a bad frame
    assert isinstance(unknown, UnknownEvent)
    assert unknown.raw == {"type": "vendor.new_thing", "value": 1}
    assert isinstance(invalid, InvalidEvent)
    assert invalid.type == "session.created"
    assert "$.session.id" in invalid.error
    assert caught.value.data == b"not json at all"
    assert [type(e) for e in rest] == [SessionCreated]


async def test_recv_bytes_gives_each_frame_as_sent_even_one_no_event_could_be_made_of() -> None:
    typed = '{"event_id":"event_1","session":{"id":"s"},"type":"session.created"}'
    async with (
        ScriptedServer([Send(typed), Send("not json at all"), Send(CREATED), Close(4001, "bye")]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        first = await conn.recv_bytes()
        second = await conn.recv_bytes()
        third = await conn.recv()  # the two ways of receiving share one stream
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv_bytes()
    assert (first, second) == (typed.encode(), b"not json at all")
    assert isinstance(third, SessionCreated)
    assert (caught.value.code, caught.value.reason) == (4001, "bye")


async def test_receive_timeout_is_typed_and_keeps_the_connection() -> None:
    options = WebsocketConnectionOptions(receive_timeout=0.1)
    async with (
        ScriptedServer([Expect("input_audio_buffer.commit"), Send(CREATED)]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options) as conn,
    ):
        with pytest.raises(ConnectionTimeout, match="receive_timeout"):
            await conn.recv()
        assert not conn.closed
        await conn.input_audio_buffer.commit()
        assert isinstance(await conn.recv(), SessionCreated)


async def test_message_over_max_msg_size_closes_with_1009() -> None:
    big = {"type": "response.output_audio.delta", "delta": "A" * 4096}
    options = WebsocketConnectionOptions(max_msg_size=1024)
    async with (
        ScriptedServer([Flood(big, 1)]) as server,
        connect(endpoint=server.endpoint, dialect="openai", connection_options=options) as conn,
    ):
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv()
    assert caught.value.code == 1009


@pytest.mark.parametrize(("max_msg_size", "arrives"), [(None, True), (DEFAULT_MAX_MSG_SIZE, False)])
async def test_max_msg_size_none_lifts_the_default_4_mib_limit(max_msg_size: int | None, arrives: bool) -> None:
    big = {"type": "response.output_audio.delta", "delta": "AAAA" * (DEFAULT_MAX_MSG_SIZE // 4 + 1)}
    options = WebsocketConnectionOptions(max_msg_size=max_msg_size)
    async with (
        ScriptedServer([Flood(big, 1)]) as server,
        connect(endpoint=server.endpoint, dialect="openai", connection_options=options) as conn,
    ):
        if arrives:
            event = await conn.recv()
            assert isinstance(event, InvalidEvent)  # the delta lacks its ids, but it came whole
            assert len(event.raw) > DEFAULT_MAX_MSG_SIZE
        else:
            with pytest.raises(ConnectionClosed) as caught:
                await conn.recv()
            assert caught.value.code == 1009


@pytest.mark.parametrize(
    ("name", "dialect"), [("scripted_voicelive_turn", "voicelive"), ("scripted_openai_turn", "openai")]
)
async def test_replayed_session_file_arrives_typed(name: str, dialect: str) -> None:
    path = FIXTURES / "sessions" / f"{name}.jsonl"
    async with ScriptedServer.from_session(path) as server, connect(endpoint=server.endpoint, dialect=dialect) as conn:
        first = await conn.recv()
        assert isinstance(first, SessionCreated)
        await conn.session.update(session=conn.dialect.session_to_wire({"instructions": "Be brief."}))
        await conn.input_audio_buffer.append(audio=b"\x00\x00" * 2400)
        await conn.input_audio_buffer.commit()
        await conn.response.create()
        events = [first]
        async for event in conn:
            events.append(event)
            if event.type == "response.done":
                break
    assert not [e for e in events if isinstance(e, (UnknownEvent, InvalidEvent))]
    assert events[-1].type == "response.done"
    audio = [e for e in events if e.type == conn.dialect.server_event_name("response.output_audio.delta")]
    assert len(audio) == 2
    assert all(isinstance(e.delta, bytes) and len(e.delta) == 4800 for e in audio)  # type: ignore[union-attr]
    assert server.received_types() == [
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "response.create",
    ]
