"""Transport options take effect on the wire; secrets stay out of every repr and message."""

from __future__ import annotations

import asyncio
import logging

import msgspec
import pytest

from pyagent.realtime import (
    AccessToken,
    ConnectionClosed,
    HandshakeError,
    KeyCredential,
    TokenCredential,
    WebsocketConnectionOptions,
    connect,
)
from pyagent.realtime._credentials import Secret, resolve_credential
from pyagent.realtime.testing import Close, ScriptedPeer, ScriptedServer, Send, Stall


async def test_compression_is_off_by_default_and_negotiated_when_asked() -> None:
    async with ScriptedServer() as server:
        await (await connect(endpoint=server.endpoint, dialect="voicelive")).close()
        options = WebsocketConnectionOptions(compression=True)
        await (await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)).close()
        options = WebsocketConnectionOptions(compression=10)
        await (await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)).close()
    offered = [hs.headers.get("sec-websocket-extensions", "") for hs in server.handshakes]
    assert offered[0] == ""
    assert "permessage-deflate" in offered[1]
    assert "client_max_window_bits=10" in offered[2]


async def test_options_as_a_mapping_like_the_azure_sdk_typed_dict() -> None:
    async with ScriptedServer() as server:
        options = {"compression": True, "max_msg_size": 1 << 20, "heartbeat": 5.0, "handshake_timeout": 3.0}
        async with connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options) as conn:
            assert conn.options.heartbeat == 5.0
            assert conn.options.max_msg_size == 1 << 20
    assert "permessage-deflate" in server.handshakes[0].headers["sec-websocket-extensions"]


async def test_vendor_options_reach_websockets_and_win() -> None:
    options = WebsocketConnectionOptions(vendor_options={"user_agent_header": "custom-agent/1"})
    async with ScriptedServer() as server:
        await (await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)).close()
    assert server.handshakes[0].headers["user-agent"] == "custom-agent/1"


@pytest.mark.parametrize("autoping", [True, False])
async def test_autoping_decides_whether_server_pings_are_answered(autoping: bool) -> None:
    answered: list[bool] = []

    async def script(peer: ScriptedPeer) -> None:
        pong = await peer.websocket.ping()
        try:
            await asyncio.wait_for(pong, 0.3)
            answered.append(True)
        except TimeoutError:
            answered.append(False)
        await peer.close()

    options = WebsocketConnectionOptions(autoping=autoping)
    async with (
        ScriptedServer(script) as server,
        connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options) as conn,
    ):
        assert [event async for event in conn] == []
    assert answered == [autoping]


async def test_close_timeout_bounds_closing_against_a_hung_server() -> None:
    options = WebsocketConnectionOptions(close_timeout=0.2, heartbeat=None)
    async with ScriptedServer([Stall(1.5)]) as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)
        await asyncio.wait_for(conn.close(), 3.0)  # would hang for the whole stall without close_timeout
        assert conn.closed


def test_option_values_are_checked() -> None:
    with pytest.raises(ValueError, match="compression"):
        WebsocketConnectionOptions(compression=3)
    with pytest.raises(ValueError, match="heartbeat"):
        WebsocketConnectionOptions(heartbeat=0)
    with pytest.raises(TypeError, match="connection_options"):
        connect(endpoint="http://127.0.0.1:1", connection_options=42)  # type: ignore[arg-type]


async def test_no_repr_or_message_shows_a_secret(key: str, token: str) -> None:
    texts = [
        repr(KeyCredential(key)),
        repr(TokenCredential(token)),
        repr(TokenCredential(token).get_token("scope")),
        repr(AccessToken(token, 5)),
        repr(Secret(key, "key")),
        str(Secret(token, "token")),
    ]
    assert (await resolve_credential(KeyCredential(key), None)).value == key  # type: ignore[union-attr]
    async with ScriptedServer() as server:
        opener = connect(endpoint=server.endpoint, credential=key, dialect="voicelive", model="m")
        texts.append(repr(opener))
        async with opener as conn:
            texts += [repr(conn), str(conn), repr(conn.options), repr(conn.dialect), conn.url]
        texts.append(repr(server.handshakes[0]))
        async with ScriptedServer() as other:
            opener = connect(endpoint=other.endpoint, credential=lambda: token, dialect="voicelive", model="m")
            async with opener as conn:
                texts.append(repr(conn))
    for text in texts:
        assert key not in text
        assert token not in text


async def test_a_token_echoed_in_the_servers_answer_is_hidden(token: str) -> None:
    from pyagent.realtime.testing import Reject

    async with ScriptedServer(reject=Reject(401, f"token {token} expired")) as server:
        with pytest.raises(HandshakeError) as caught:
            await connect(endpoint=server.endpoint, credential=lambda: token, dialect="voicelive")
    assert token not in str(caught.value)
    assert token not in caught.value.body
    assert "expired" in caught.value.body


async def test_secrets_passed_in_headers_or_query_are_hidden_too(
    key: str, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with ScriptedServer([Close(4001, f"key {key} revoked")]) as server:
        opener = connect(
            endpoint=server.endpoint,
            dialect="voicelive",
            model="m",
            headers={"Authorization": f"Bearer {token}"},
            query={"api-key": key},
        )
        async with opener as conn:
            with pytest.raises(ConnectionClosed) as caught:
                await conn.recv()
            texts = [repr(conn), str(caught.value), caught.value.reason]
    handshake = server.handshakes[0]
    texts.append(repr(handshake))
    assert handshake.headers["authorization"] == f"Bearer {token}"  # they did travel, so logs could have shown them
    assert handshake.query["api-key"] == key
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("> Authorization:") for line in lines)  # websockets logged the header, redacted
    for text in texts + lines:
        assert key not in text
        assert token not in text
    assert caught.value.code == 4001
    assert "revoked" in caught.value.reason


async def test_secrets_inside_events_stay_out_of_the_frame_log(
    key: str, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = {"type": "session.created", "event_id": "e1", "session": {"client_secret": {"value": token}}}
    tool = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example", "authorization": key}
    async with (
        ScriptedServer([Send(created)]) as server,
        connect(endpoint=server.endpoint, dialect="openai") as conn,
    ):
        event = await conn.recv()
        await conn.session.update(session={"type": "realtime", "tools": [tool]})
    # both sides are closed now, so every frame has been read and logged
    assert token in str(msgspec.to_builtins(event))  # the secrets did travel both ways
    assert server.received[0]["session"]["tools"][0]["authorization"] == key
    lines = [record.getMessage() for record in caplog.records]
    frames = [line for line in lines if line.startswith(("> TEXT", "< TEXT"))]
    assert len(frames) == 4  # each event logged once by each side, by kind and size
    for line in lines:  # websockets shortens a long frame to its two ends: a piece of a secret is a leak too
        assert key[-8:] not in line
        assert token[-8:] not in line


async def test_autoclose_off_holds_the_answer_until_close_is_called() -> None:
    from pyagent.realtime.events import SessionCreated

    created = {"type": "session.created", "event_id": "event_1", "session": {"id": "s"}}
    options = WebsocketConnectionOptions(autoclose=False)
    async with ScriptedServer([Send(created), Send(created), Close(4001, "bye")]) as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)
        peer = await server.wait_connected()
        assert isinstance(await conn.recv(), SessionCreated)
        await asyncio.sleep(0.1)  # the close frame is here by now, behind the second event
        assert isinstance(await conn.recv(), SessionCreated)
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv()
        assert (caught.value.code, caught.value.reason) == (4001, "bye")
        assert conn.closed
        assert peer.websocket.state.name == "CLOSING"  # the server still waits for the answer
        await conn.close(code=1000, reason="as I please")
        assert peer.websocket.close_code == 1000
        assert peer.websocket.close_reason == "as I please"


async def test_autoclose_off_wakes_a_waiting_receiver_and_iteration_ends_on_1000() -> None:
    from pyagent.realtime.testing import Sleep

    options = WebsocketConnectionOptions(autoclose=False)
    async with ScriptedServer([Sleep(0.1), Close(1000, "done")]) as server:
        conn = await connect(endpoint=server.endpoint, dialect="voicelive", connection_options=options)
        assert [event async for event in conn] == []
        assert conn.closed
        await conn.close()
