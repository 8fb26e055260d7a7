"""Soak: 200 sessions streaming turn after turn hold flat memory on the local server.

The server runs with its defaults in its own process, so its resident memory is its own; 200 clients on loopback
stream a real recording turn after turn (as fast as the server takes it: what matters is how much audio passes, not
how long it takes) and read every answer. Once the retained-audio allowance is full, the server's memory must stay
flat while hundreds of MiB more of audio pass through it. Keeping every turn's audio, as the server once did, grew it
by about as much as the audio that passed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import pathlib
import sys
from typing import Any

import pytest
import websockets

from pyagent.audio import load_audio

from .conftest import PARIS

SESSIONS = 200
WARM_UP_ROUNDS = 8  # 10 s of retained audio per session is full after about five turns; the allocator settles by eight
MEASURED_ROUNDS = 8
_SERVER = """
import asyncio, sys
from pyagent.server import LocalServer

async def main():
    async with LocalServer(speech="off") as server:
        print(server.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the test closes stdin

asyncio.run(main())
"""

pytestmark = pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="reads /proc for memory")


def _resident_bytes(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


async def _turn(ws: websockets.ClientConnection, frames: list[str]) -> int:
    """Speak one utterance (the server's turn detection ends it) and read the answer; the answer's audio bytes."""
    for frame in frames:
        await ws.send(frame)
    received = 0
    while True:
        event: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if event["type"] == "response.output_audio.delta":
            received += len(base64.b64decode(event["delta"]))
        elif event["type"] == "response.done":
            assert event["response"]["status"] == "completed"
            return received


async def test_two_hundred_sessions_streaming_hold_flat_memory() -> None:
    pcm16 = load_audio(PARIS)
    step = 24000  # 500 ms appends
    frames = [
        json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm16[i : i + step]).decode()})
        for i in range(0, len(pcm16), step)
    ]
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert server.stdin is not None
    assert server.stdout is not None
    clients: list[websockets.ClientConnection] = []
    try:
        port = int(await asyncio.wait_for(server.stdout.readline(), 60))
        for _ in range(SESSIONS):
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/v1/realtime", max_size=None)
            clients.append(ws)
            assert json.loads(await ws.recv())["type"] == "session.created"
        resident: list[int] = []
        streamed: list[int] = []
        for _ in range(WARM_UP_ROUNDS + MEASURED_ROUNDS):
            answers = await asyncio.gather(*(_turn(ws, frames) for ws in clients))
            streamed.append(SESSIONS * len(pcm16) + sum(answers))
            resident.append(_resident_bytes(server.pid))
    finally:
        await asyncio.gather(*(ws.close() for ws in clients))
        server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
            await server.wait()

    measured = slice(WARM_UP_ROUNDS, None)
    passed = sum(streamed[measured])
    growth = resident[-1] - resident[WARM_UP_ROUNDS - 1]
    mib = 2**20
    report = f"resident MiB by round {[round(r / mib) for r in resident]}; {passed / mib:.0f} MiB of audio measured"
    assert passed > 250 * mib, report  # enough audio passed that keeping it would show
    assert growth < 0.05 * passed, report  # flat: items' text only, a few percent of what keeping audio grew
    assert max(resident[measured]) - min(resident[measured]) < 0.1 * passed, report
