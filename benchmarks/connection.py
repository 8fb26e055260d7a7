"""The realtime connection against a bare websockets client that does json and base64 by hand.

Over loopback, with the server (``pyagent.realtime.testing.ScriptedServer``, not recording) in a separate process so
the client's CPU is measured alone (``time.process_time`` in this process):

(a) event delivery latency for one session: the server stamps each 100 ms audio delta with ``time.monotonic_ns()``
    (one clock for every process on Linux) and the client measures when the decoded event is in its hands;
(b) N concurrent sessions streaming realtime audio both ways (a 100 ms, 24 kHz PCM16 chunk every 100 ms each way):
    client CPU seconds per session-second, and the sessions one core sustains in real time (1 / that figure).

The bare clients do what users of a websocket library write by hand: ``json.loads`` then ``base64.b64decode`` for
every delta, ``base64.b64encode`` then ``json.dumps`` for every append, on three libraries side by side: websockets
(pyagent's transport), aiohttp and picows (a Cython client: frames in a callback, sends without an await; the
``bench`` extra installs both). pyagent hands out typed events with the audio already as bytes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import connect as ws_connect

from benchmarks._process import serving

CHUNK = bytes(range(256)) * 18 + bytes(192)  # 4800 bytes: 100 ms of 24 kHz PCM16 mono
LATENCY_EVENTS = 400
LATENCY_ROUNDS = 4
LATENCY_INTERVAL_MS = 2.0
STREAM_SESSIONS = int(os.environ.get("PYAGENT_BENCH_SESSIONS", "100"))
STREAM_SECONDS = float(os.environ.get("PYAGENT_BENCH_SECONDS", "8"))
CHUNKS = int(STREAM_SECONDS * 10)
# pyagent connects with a key, as every real session does: it then looks for the key in each frame it receives.
KEY = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


# -- the server (a subprocess) ----------------------------------------------------------------------------------------


def _delta_text(event_id: str) -> str:
    return json.dumps(
        {
            "type": "response.output_audio.delta",
            "event_id": event_id,
            "response_id": "resp_1",
            "item_id": "item_1",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(CHUNK).decode(),
        },
        separators=(",", ":"),
    )


async def _serve() -> None:
    from pyagent.realtime.testing import ScriptedPeer, ScriptedServer

    prefix, suffix = _delta_text("@").split("@")
    stream_text = _delta_text("event_stream")

    async def script(peer: ScriptedPeer) -> None:
        query = peer.handshake.query
        loop = asyncio.get_running_loop()
        if query.get("mode") == "latency":
            for _ in range(int(query["n"])):
                await peer.websocket.send(f"{prefix}{time.monotonic_ns()}{suffix}")
                await asyncio.sleep(float(query["interval_ms"]) / 1000)
        else:
            deadline = loop.time()
            for _ in range(int(query["chunks"])):
                await peer.websocket.send(stream_text)
                deadline += 0.1
                await asyncio.sleep(max(0.0, deadline - loop.time()))

    async with ScriptedServer(script, record=False) as server:
        print(server.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


# -- the clients ------------------------------------------------------------------------------------------------------


async def _pyagent_latency(port: int) -> list[float]:
    from pyagent.realtime import connect

    latencies: list[float] = []
    query = {"mode": "latency", "n": LATENCY_EVENTS, "interval_ms": LATENCY_INTERVAL_MS}
    async with connect(
        endpoint=f"http://127.0.0.1:{port}", credential=KEY, dialect="openai", model="m", query=query
    ) as conn:
        async for event in conn:
            now = time.monotonic_ns()
            stamp = int(event.event_id)  # type: ignore[union-attr]
            assert len(event.delta) == len(CHUNK)  # type: ignore[union-attr]
            latencies.append((now - stamp) / 1e3)
            if len(latencies) == LATENCY_EVENTS:
                break
    return latencies


async def _bare_latency(port: int) -> list[float]:
    latencies: list[float] = []
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=latency&n={LATENCY_EVENTS}&interval_ms={LATENCY_INTERVAL_MS}"
    async with ws_connect(url, compression=None, max_size=4 * 2**20) as ws:
        async for message in ws:
            now = time.monotonic_ns()
            event = json.loads(message)
            audio = base64.b64decode(event["delta"])
            assert len(audio) == len(CHUNK)
            latencies.append((now - int(event["event_id"])) / 1e3)
            if len(latencies) == LATENCY_EVENTS:
                break
    return latencies


def _append_text() -> str:
    return json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(CHUNK).decode()})


async def _aiohttp_latency(port: int) -> list[float]:
    import aiohttp

    latencies: list[float] = []
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=latency&n={LATENCY_EVENTS}&interval_ms={LATENCY_INTERVAL_MS}"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, compress=0, max_msg_size=4 * 2**20) as ws:
        async for message in ws:
            now = time.monotonic_ns()
            event = json.loads(message.data)
            audio = base64.b64decode(event["delta"])
            assert len(audio) == len(CHUNK)
            latencies.append((now - int(event["event_id"])) / 1e3)
            if len(latencies) == LATENCY_EVENTS:
                break
    return latencies


async def _picows_latency(port: int) -> list[float]:
    from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

    latencies: list[float] = []

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            now = time.monotonic_ns()
            if frame.msg_type != WSMsgType.TEXT:
                return
            event = json.loads(frame.get_payload_as_bytes())
            audio = base64.b64decode(event["delta"])
            assert len(audio) == len(CHUNK)
            latencies.append((now - int(event["event_id"])) / 1e3)
            if len(latencies) == LATENCY_EVENTS:
                transport.disconnect()

    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=latency&n={LATENCY_EVENTS}&interval_ms={LATENCY_INTERVAL_MS}"
    transport, _ = await ws_connect(Listener, url, max_frame_size=4 * 2**20)
    await transport.wait_disconnected()
    return latencies


async def _pace(send: Callable[[], Awaitable[None]], chunks: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    for _ in range(chunks):
        await send()
        deadline += 0.1
        await asyncio.sleep(max(0.0, deadline - loop.time()))


async def _pyagent_session(port: int, chunks: int = CHUNKS) -> int:
    from pyagent.realtime import connect

    received = 0
    query = {"mode": "stream", "chunks": chunks}
    async with connect(
        endpoint=f"http://127.0.0.1:{port}", credential=KEY, dialect="openai", model="m", query=query
    ) as conn:
        sender = asyncio.create_task(_pace(lambda: conn.input_audio_buffer.append(audio=CHUNK), chunks))
        async for event in conn:
            received += len(event.delta)  # type: ignore[union-attr]
            if received == chunks * len(CHUNK):
                break
        await sender
    return received


async def _bare_session(port: int, chunks: int = CHUNKS) -> int:
    received = 0
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=stream&chunks={chunks}"
    async with ws_connect(url, compression=None, max_size=4 * 2**20) as ws:

        async def append() -> None:
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(CHUNK).decode()}))

        sender = asyncio.create_task(_pace(append, chunks))
        async for message in ws:
            received += len(base64.b64decode(json.loads(message)["delta"]))
            if received == chunks * len(CHUNK):
                break
        await sender
    return received


async def _aiohttp_session(port: int, chunks: int = CHUNKS) -> int:
    import aiohttp

    received = 0
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=stream&chunks={chunks}"
    http = _AIOHTTP.get("session")
    if http is None:  # one ClientSession for every session of a run, as an application keeps one
        http = _AIOHTTP["session"] = aiohttp.ClientSession()
    async with http.ws_connect(url, compress=0, max_msg_size=4 * 2**20) as ws:
        sender = asyncio.create_task(_pace(lambda: ws.send_str(_append_text()), chunks))
        async for message in ws:
            received += len(base64.b64decode(json.loads(message.data)["delta"]))
            if received == chunks * len(CHUNK):
                break
        await sender
    return received


_AIOHTTP: dict[str, Any] = {}


async def _picows_session(port: int, chunks: int = CHUNKS) -> int:
    from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

    received = 0

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            nonlocal received
            if frame.msg_type != WSMsgType.TEXT:
                return
            received += len(base64.b64decode(json.loads(frame.get_payload_as_bytes())["delta"]))
            if received == chunks * len(CHUNK):
                transport.send_close()
                transport.disconnect()

    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=stream&chunks={chunks}"
    transport, _ = await ws_connect(Listener, url, max_frame_size=4 * 2**20)

    async def append() -> None:
        transport.send(WSMsgType.TEXT, _append_text().encode())

    sender = asyncio.create_task(_pace(append, chunks))
    await transport.wait_disconnected()
    await sender
    return received


async def _floor_session(port: int, chunks: int = CHUNKS) -> int:
    """The transport alone: a pre-encoded append sent, deltas counted unread; no client can cost less."""
    received = 0
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=m&mode=stream&chunks={chunks}"
    frame = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(CHUNK).decode()}).encode()
    async with ws_connect(url, compression=None, max_size=4 * 2**20) as ws:
        sender = asyncio.create_task(_pace(lambda: ws.send(frame, text=True), chunks))
        async for _message in ws:
            received += len(CHUNK)
            if received == chunks * len(CHUNK):
                break
        await sender
    return received


async def _stream(port: int, session: Callable[[int], Awaitable[int]]) -> tuple[float, float]:
    """Run the sessions; returns (client CPU seconds, wall seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(session(port) for _ in range(STREAM_SESSIONS)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert all(r == CHUNKS * len(CHUNK) for r in results), "a session lost audio"
    return cpu, wall


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _run(port: int) -> None:
    # warm both paths once so imports and first connections are not measured
    await _stream_once(port)
    print(
        f"(a) event delivery latency, one session, {LATENCY_ROUNDS} x {LATENCY_EVENTS} deltas of 100 ms audio, "
        "the clients taking turns (us)"
    )
    bare: list[float] = []
    ours: list[float] = []
    with_aiohttp: list[float] = []
    with_picows: list[float] = []
    for _ in range(LATENCY_ROUNDS):
        bare += await _bare_latency(port)
        with_aiohttp += await _aiohttp_latency(port)
        with_picows += await _picows_latency(port)
        ours += await _pyagent_latency(port)
    print(f"    {'':22}{'p50':>10}{'p99':>10}{'mean':>10}")
    latency_rows = (
        ("bare websockets+json", bare),
        ("bare aiohttp+json", with_aiohttp),
        ("bare picows+json", with_picows),
        ("pyagent typed", ours),
    )
    for name, values in latency_rows:
        print(
            f"    {name:22}{_percentile(values, 0.5):>10.0f}{_percentile(values, 0.99):>10.0f}"
            f"{statistics.fmean(values):>10.0f}"
        )
    print(
        f"    ratio pyagent/bare: p50 {_percentile(ours, 0.5) / _percentile(bare, 0.5):.2f}x, "
        f"p99 {_percentile(ours, 0.99) / _percentile(bare, 0.99):.2f}x"
    )

    print(
        f"(b) {STREAM_SESSIONS} concurrent sessions x {STREAM_SECONDS:.0f} s, 100 ms chunks both ways at 24 kHz "
        "(client CPU in this process; server in another)"
    )
    session_seconds = STREAM_SESSIONS * STREAM_SECONDS
    rows = []
    sessions = (
        ("floor: transport only", _floor_session),
        ("bare websockets+json", _bare_session),
        ("bare aiohttp+json", _aiohttp_session),
        ("bare picows+json", _picows_session),
        ("pyagent typed", _pyagent_session),
    )
    for name, session in sessions:
        cpu, wall = await _stream(port, session)
        per = cpu / session_seconds
        rows.append((name, cpu, wall, per))
    if "session" in _AIOHTTP:
        await _AIOHTTP.pop("session").close()
    print(f"    {'':22}{'cpu s':>8}{'wall s':>8}{'ms cpu/session-s':>18}{'sessions/core':>15}")
    for name, cpu, wall, per in rows:
        print(f"    {name:22}{cpu:>8.2f}{wall:>8.2f}{per * 1e3:>18.3f}{1 / per:>15.0f}")
    floor, bare_per, ours_per = rows[0][3], rows[1][3], rows[4][3]
    cheapest = min(rows[1:4], key=lambda row: row[3])
    print(
        f"    ratio pyagent/{cheapest[0]} (the cheapest bare client) CPU: {ours_per / cheapest[3]:.2f}x; "
        f"pyagent/aiohttp {ours_per / rows[2][3]:.2f}x, pyagent/picows {ours_per / rows[3][3]:.2f}x"
    )
    print(
        f"    ratio pyagent/bare CPU: {ours_per / bare_per:.2f}x (goal <= 1.3x); pyagent sessions per core: "
        f"{1 / ours_per:.0f} (goal >= 1000); the transport floor alone allows {1 / floor:.0f}"
    )
    print(
        f"    above the floor, per session-second: pyagent {(ours_per - floor) * 1e3:.3f} ms, "
        f"bare {(bare_per - floor) * 1e3:.3f} ms"
    )
    lag = rows[4][2] - STREAM_SECONDS
    print(f"    real time: {STREAM_SESSIONS} pyagent sessions ended {lag:+.2f} s off {STREAM_SECONDS:.0f} s of audio")


async def _stream_once(port: int) -> None:
    await _pyagent_session(port, 2)
    await _bare_session(port, 2)
    await _aiohttp_session(port, 2)
    await _picows_session(port, 2)


def main() -> None:
    """Start the server process, run the clients side by side, print the figures."""
    with serving("benchmarks.connection", "serve") as server:
        asyncio.run(_run(server.port))


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        asyncio.run(_serve())
    else:
        main()
