"""Many tasks on one connection: serialised sends, one reader, cancellation without loss, bounded backpressure."""

from __future__ import annotations

import asyncio
import base64

import pytest

from pyagent.realtime import ConcurrencyError, ConnectionClosed, WebsocketConnectionOptions, connect
from pyagent.realtime.events import ResponseOutputAudioDelta, SessionCreated
from pyagent.realtime.testing import Expect, Flood, ScriptedPeer, ScriptedServer, Send

CREATED = {"type": "session.created", "event_id": "event_1", "session": {"id": "sess_1"}}


def _delta(n: int) -> dict[str, object]:
    return {
        "type": "response.output_audio.delta",
        "event_id": f"event_{n}",
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": base64.b64encode(bytes([n % 256]) * 4800).decode(),
    }


async def test_sends_from_many_tasks_arrive_whole_and_splits_stay_contiguous() -> None:
    options = WebsocketConnectionOptions(max_append_bytes=1000)
    async with (
        ScriptedServer() as server,
        connect(endpoint=server.endpoint, dialect="openai", connection_options=options) as conn,
    ):

        async def talker(n: int) -> None:
            for i in range(20):
                if i % 5 == 0:
                    await conn.input_audio_buffer.append(audio=bytes([n]) * 4000, event_id=f"t{n}-{i}")
                else:
                    await conn.conversation.item.delete(item_id=f"item_{n}_{i}")

        await asyncio.gather(*(talker(n) for n in range(10)))
        peer = await server.wait_connected()
        received = await peer.expect(count=10 * (16 + 4 * 4), within=10)
    deletes = [e["item_id"] for e in received if e["type"] == "conversation.item.delete"]
    assert sorted(deletes) == sorted(f"item_{n}_{i}" for n in range(10) for i in range(20) if i % 5)
    # the four chunks of each split append follow each other with nothing between them
    for index, event in enumerate(received):
        if event.get("event_id", "").startswith("t"):
            run = received[index : index + 4]
            assert [e["type"] for e in run] == ["input_audio_buffer.append"] * 4
            n = int(event["event_id"][1:].split("-")[0])
            assert b"".join(base64.b64decode(e["audio"]) for e in run) == bytes([n]) * 4000


async def test_a_second_concurrent_recv_is_a_clear_error() -> None:
    async with (
        ScriptedServer([Expect("input_audio_buffer.commit"), Send(CREATED)]) as server,
        connect(endpoint=server.endpoint, dialect="voicelive") as conn,
    ):
        first = asyncio.create_task(conn.recv())
        await asyncio.sleep(0)  # the first reader runs up to its wait for a message
        with pytest.raises(ConcurrencyError, match="already receiving"):
            await conn.recv()
        with pytest.raises(ConcurrencyError):  # iterating is receiving too
            await anext(aiter(conn))
        await conn.input_audio_buffer.commit()
        assert isinstance(await first, SessionCreated)  # the refused readers took nothing from it


@pytest.mark.parametrize("autoclose", [True, False], ids=["autoclose", "autoclose-off"])
async def test_cancelling_a_pending_recv_loses_no_event(autoclose: bool) -> None:
    # autoclose off receives through a second path (waiting for an event or the held close frame at once)
    async def script(peer: ScriptedPeer) -> None:
        for n in range(50):
            await peer.expect("input_audio_buffer.commit")
            await peer.send(_delta(n))
        await peer.close(4001, "enough")

    options = WebsocketConnectionOptions(autoclose=autoclose)
    async with (
        ScriptedServer(script) as server,
        connect(endpoint=server.endpoint, dialect="openai", connection_options=options) as conn,
    ):
        got: list[str] = []
        for n in range(50):
            # a recv cancelled while the event is on its way, then a fresh recv must still get it
            pending = asyncio.create_task(conn.recv())
            await conn.input_audio_buffer.commit()
            for _ in range(n % 16):  # cancel at a different point of the event's way in each round (some after it came)
                await asyncio.sleep(0)
            pending.cancel()
            try:
                event = await pending
            except asyncio.CancelledError:
                event = await asyncio.wait_for(conn.recv(), 5)
            assert isinstance(event, ResponseOutputAudioDelta)
            got.append(str(event.event_id))
        with pytest.raises(ConnectionClosed) as caught:
            await conn.recv()
    assert got == [f"event_{n}" for n in range(50)]
    assert (caught.value.code, caught.value.reason) == (4001, "enough")


async def test_timeouts_around_recv_lose_nothing() -> None:
    async with (
        ScriptedServer([Expect("input_audio_buffer.commit"), Send(_delta(1)), Send(_delta(2))]) as server,
        connect(endpoint=server.endpoint, dialect="openai") as conn,
    ):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(conn.recv(), 0.05)
        await conn.input_audio_buffer.commit()
        first = await conn.recv()
        second = await conn.recv()
    assert [first.event_id, second.event_id] == ["event_1", "event_2"]  # type: ignore[union-attr]


async def test_flooding_server_and_slow_consumer_is_bounded_by_backpressure() -> None:
    total = 5000  # ~32 MB of audio events: far more than the socket buffers and the client's queue hold
    options = WebsocketConnectionOptions(max_queue=8)
    async with (
        ScriptedServer([Flood(_delta(7), total)]) as server,
        connect(endpoint=server.endpoint, dialect="openai", connection_options=options) as conn,
    ):
        for _ in range(5):  # a consumer that stopped to think
            await conn.recv()
            await asyncio.sleep(0.1)
        stalled_at = server.sent
        # The server could only push what the queue and the TCP buffers take, not the whole flood.
        assert stalled_at < total // 2
        count = 5
        async for _event in conn:
            count += 1
            if count == total:
                break
        assert server.sent == total
