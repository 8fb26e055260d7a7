"""The local server under load: first-reply latency and memory at 50, 100 and 200 concurrent sessions.

The server (``LocalServer`` with its defaults and the fallback speech, so the figures are the server's and not a
speech model's) runs in its own process. Each session is a bare WebSocket client that talks like a microphone: it
streams a real recording ("what is the weather in Paris", 24 kHz PCM16) in 100 ms chunks at real time, then
silence, also at real time, and the server's own turn detection (``server_vad``, the OpenAI path's 200 ms of
silence) ends the turn and answers. Sessions start spread over one second and speak ``TURNS`` turns each.

Latency, per turn: from the end of the user's speech (the moment the client had sent the audio up to
``speech_stopped.audio_end_ms``) to the first ``response.output_audio.delta`` in the client's hands. It includes the
200 ms of silence turn detection waits for, as on the services. Also shown: the server's own share, from
``speech_stopped`` received to that first delta, and the server's CPU time per session-second (``/proc``), the figure
least disturbed by other work on the machine. The baseline is one session alone, in the same run.

Memory: the server process's resident set (``/proc``), sampled every half second. Its growth per second is taken
over the last 40 % of each level (about its last five turns), once every session has spoken more than the 10 s of
its own audio the server keeps for ``conversation.item.retrieve``: the steady state of sessions that stream for
minutes. Beside it, the audio the sessions stream in per second, which a server keeping every turn's audio would
grow by.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import pathlib
import random
import statistics
import sys
import time

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from benchmarks._process import ROOT, serving

RECORDING = ROOT / "fixtures" / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
LEVELS = [int(n) for n in os.environ.get("PYAGENT_BENCH_LOAD_LEVELS", "50,100,200").split(",")]
TURNS = int(os.environ.get("PYAGENT_BENCH_LOAD_TURNS", "12"))
BASELINE_TURNS = 3
CHUNK_MS = 100
CHUNK_BYTES = 24000 * 2 * CHUNK_MS // 1000
_DELTA = b'{"type":"response.output_audio.delta"'


def _frames() -> tuple[list[str], str]:
    from pyagent.audio import load_audio

    speech = load_audio(RECORDING)
    speech += bytes(-len(speech) % CHUNK_BYTES)
    frames = [
        json.dumps(
            {"type": "input_audio_buffer.append", "audio": base64.b64encode(speech[i : i + CHUNK_BYTES]).decode()}
        )
        for i in range(0, len(speech), CHUNK_BYTES)
    ]
    silence = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(bytes(CHUNK_BYTES)).decode()})
    return frames, silence


async def _session(
    port: int, start_in: float, frames: list[str], silence: str, turns: int
) -> list[tuple[float, float]]:
    """One microphone-like client: ``turns`` turns; per turn (end of speech -> first audio, server's share)."""
    await asyncio.sleep(start_in)
    results: list[tuple[float, float]] = []
    async with ws_connect(f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime", max_size=None) as ws:
        await ws.recv()  # session.created
        loop = asyncio.get_running_loop()
        sent_at: list[float] = []  # when each chunk of the session's input stream went out (audio_end_ms counts it)
        for _ in range(turns):
            done = asyncio.Event()
            turn: dict[str, float] = {}
            reader = asyncio.create_task(_read_turn(ws, turn, done))
            deadline = loop.time()
            index = 0
            try:
                while not done.is_set():
                    await ws.send(frames[index] if index < len(frames) else silence)
                    sent_at.append(time.monotonic())
                    index += 1
                    deadline += CHUNK_MS / 1000
                    await asyncio.sleep(max(0.0, deadline - loop.time()))
                    if index > len(frames) + 100:
                        raise RuntimeError("no answer ten seconds after the speech ended")
            finally:
                await reader
            end_chunk = max(0, (int(turn["audio_end_ms"]) - 1) // CHUNK_MS)
            speech_ended = sent_at[min(end_chunk, len(sent_at) - 1)]
            results.append((turn["first_audio"] - speech_ended, turn["first_audio"] - turn["stopped"]))
    return results


async def _read_turn(ws: ClientConnection, turn: dict[str, float], done: asyncio.Event) -> None:
    """Read events until the turn's response is done, noting when speech stopped and the first audio came."""
    while True:
        frame = await ws.recv(decode=False)
        if frame.startswith(_DELTA):
            turn.setdefault("first_audio", time.monotonic())
            continue
        event = json.loads(frame)
        if event["type"] == "input_audio_buffer.speech_stopped":
            turn["stopped"] = time.monotonic()
            turn["audio_end_ms"] = event["audio_end_ms"]
        elif event["type"] == "response.done":
            done.set()
            return


def _resident_mib(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, from ``/proc/PID/stat`` (fields 14 and 15, in clock ticks)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _sample(pid: int, samples: list[tuple[float, float]]) -> None:
    while True:
        samples.append((time.monotonic(), _resident_mib(pid)))
        await asyncio.sleep(0.5)


async def _level(port: int, pid: int, sessions: int, turns: int = TURNS) -> dict[str, float]:
    frames, silence = _frames()
    rng = random.Random(sessions)
    samples: list[tuple[float, float]] = []
    sampler = asyncio.create_task(_sample(pid, samples))
    cpu = _cpu_seconds(pid)
    started = time.monotonic()
    try:
        results = await asyncio.gather(*(_session(port, rng.random(), frames, silence, turns) for _ in range(sessions)))
    finally:
        sampler.cancel()
    seconds = time.monotonic() - started
    cpu = _cpu_seconds(pid) - cpu
    steady = [(t, mib) for t, mib in samples if t >= started + 0.6 * seconds]
    total = [t for session in results for t, _ in session]
    server = [s for session in results for _, s in session]
    return {
        "p50": statistics.median(total) * 1000,
        "p99": _percentile(total, 0.99) * 1000,
        "server_p50": statistics.median(server) * 1000,
        "server_p99": _percentile(server, 0.99) * 1000,
        "turns": len(total),
        "rss_before": samples[0][1],
        "rss_after": samples[-1][1],
        "growth": (steady[-1][1] - steady[0][1]) / (steady[-1][0] - steady[0][0]),
        "seconds": seconds,
        "streamed": sessions * CHUNK_BYTES * 1000 / CHUNK_MS / 2**20,
        "cpu_ms": 1000 * cpu / (sessions * seconds),
    }


async def _run(port: int, pid: int) -> None:
    print(
        f"  {TURNS} turns per session ({BASELINE_TURNS} alone), speech streamed at real time, server_vad (200 ms of "
        "silence), fallback speech; latency from the end of speech to the first reply audio (the server's share: "
        "from speech_stopped)"
    )
    await _level(port, pid, 2, 1)  # warm-up: imports, the thread pool, the first allocations
    baseline = await _level(port, pid, 1, BASELINE_TURNS)
    rows = [("1 (baseline)", baseline)] + [(str(n), await _level(port, pid, n)) for n in LEVELS]
    print(
        f"  {'sessions':>13} {'turns':>5} {'p50 ms':>7} {'p99 ms':>7} {'p50 x':>6} {'p99 x':>6}"
        f" {'server p50':>10} {'server p99':>10} {'CPU ms/s':>8}   server memory (steady growth; audio streamed in)"
    )
    for name, row in rows:
        print(
            f"  {name:>13} {row['turns']:5.0f} {row['p50']:7.0f} {row['p99']:7.0f}"
            f" {row['p50'] / baseline['p50']:5.2f}x {row['p99'] / baseline['p99']:5.2f}x"
            f" {row['server_p50']:10.0f} {row['server_p99']:10.0f} {row['cpu_ms']:8.2f}"
            f"   {row['rss_before']:.0f} -> {row['rss_after']:.0f} MiB in {row['seconds']:.0f} s"
            f" ({row['growth']:+.2f} MiB/s; {row['streamed']:.1f} MiB/s in)"
        )


async def _serve() -> None:
    from pyagent.server import LocalServer

    async with LocalServer(speech="off") as server:
        print(server.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the benchmark closes stdin


def main() -> None:
    """Start the server process, load it level by level, print the figures."""
    with serving("benchmarks.server_load", "serve") as server:
        asyncio.run(_run(server.port, server.pid))


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        asyncio.run(_serve())
    else:
        main()
