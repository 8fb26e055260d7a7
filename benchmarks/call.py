"""The cost of a phone call: N concurrent voice sessions on one core, each a G.711 µ-law call, side by side.

Every call is the same script. The caller's audio is µ-law at 8 kHz in 20 ms chunks sent in real time, without a
pause, as a phone bridge delivers it (speech, then silence): a real recording ("what is the weather in Paris"), then
silence until the answer has played out, a short pause, and the next turn. Once a minute (a random moment in each
call's minute, so the rate is one per call-minute however long the run) the caller speaks over the answer
("stop, wait a moment") one second into it: a barge-in. The answer is a real recording (5 s) that the server streams
ten times faster than real time; a sink reads the playback every 20 ms, in real time, as a phone line drains it.

The server runs in its own process, pinned to the other core, and its CPU per call-second is printed beside the
clients': while it stays well under one core it is not what the latencies measure. It is a lean scripted server
(``benchmarks/_call_server.py``): the OpenAI GA events in ``LocalServer``'s shapes, turn detection on each chunk's
energy (the turn ends 500 ms after the speech), the reply recording in 100 ms deltas. ``LocalServer`` itself
(``PYAGENT_BENCH_CALL_SERVER=local``, with a responder and stand-in speech engines) costs about 4.5 ms of CPU per
call-second on such a call, so 200 calls would need most of the second core, which the clients' machine (two cores,
shared) does not have: its queue would be what the latencies measure.

The clients, each run in a fresh process pinned to one core (``os.sched_setaffinity``), one after the other:

- **floor**: the wire alone: a pre-encoded append sent every 20 ms, events received and not read, nothing played.
  The harness's own ticks and the transport cost this much for any client.
- **bare**: a websockets client doing only the wire work: ``json.dumps`` + ``base64`` for each chunk, ``json.loads``
  for each event, base64 audio decoded into a playback buffer, and on ``speech_started`` the buffer cleared and the
  item truncated at what was played. It asks the server for µ-law on the wire, so it converts nothing.
- **pyagent**: ``VoiceSession`` configured for ``g711_ulaw`` at 8 kHz, the caller's chunks passed to
  ``send_audio(chunk, commit=False)``, the sink reading ``session.playback``, responses taken with ``receive()``. It
  does whatever the session does for such a call (which wire format it asks for and what it converts).
- **peer**: openai-agents' ``RealtimeSession`` with ``g711_ulaw`` in and out, ``send_audio()``, its ``audio`` events
  into the same playback buffer, its ``audio_interrupted`` event clearing it, and its ``RealtimePlaybackTracker``
  told what the sink played (how its own telephony sample tracks playback). It runs in its own virtual environment,
  ``.venv-peer`` (``make bench`` installs openai-agents there: it pins websockets below the version pyagent uses).

Figures per client and N: client CPU ms per call-second (``time.process_time`` over the whole run, connecting and
closing included), calls per core (1000 / that figure), p50 and p99 from the end of the caller's speech (the moment
its last chunk went out) to the first reply audio the sink read (20 ms ticks, so 20 ms granularity), turns answered,
barge-ins, turns missed (no answer within 10 s), and how late the 20 ms ticks ran (p99): a client that cannot keep
up shows it there first. ``PYAGENT_BENCH_CALL_LEVELS`` (default 50,100,200) and ``PYAGENT_BENCH_CALL_SECONDS``
(default 20: every call answers three turns and a third of the calls barge in) and ``PYAGENT_BENCH_CALL_ROUNDS``
(default 2: each client runs twice per level, the figures are of both runs) change the run;
``PYAGENT_BENCH_CALL_CLIENTS`` picks clients.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import math
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._process import ROOT, serving

AUDIO = ROOT / "fixtures" / "audio"
UTTERANCE = AUDIO / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
BARGE_IN = AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"
REPLY = AUDIO / "openai-dotnet_realtime_api_description_pcm16_24khz_mono.wav"
REPLY_SECONDS = 5.0
REPLY_TEXT = "The realtime API lets you build low latency speech to speech experiences."
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"

LEVELS = [int(n) for n in os.environ.get("PYAGENT_BENCH_CALL_LEVELS", "50,100,200").split(",")]
SECONDS = float(os.environ.get("PYAGENT_BENCH_CALL_SECONDS", "20"))
ROUNDS = int(os.environ.get("PYAGENT_BENCH_CALL_ROUNDS", "2"))
CLIENTS = os.environ.get("PYAGENT_BENCH_CALL_CLIENTS", "floor,bare,pyagent,peer").split(",")
SERVER = os.environ.get("PYAGENT_BENCH_CALL_SERVER", "scripted")
KEY = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
MODEL = "gpt-realtime"

TICK = 0.020  # a phone line's 20 ms
ULAW_CHUNK = 160  # 20 ms of µ-law at 8 kHz
SILENCE = b"\xff" * ULAW_CHUNK  # µ-law's zero
PAUSE = 0.6  # the caller's pause after the answer has played out
REPLY_DONE_AFTER = 0.4  # the sink heard nothing for this long: the answer has played out
BARGE_IN_AFTER = 1.0  # seconds of the answer heard before the caller speaks over it
BARGE_IN_EVERY = 60.0
GIVE_UP = 10.0  # no answer this long after the speech: the turn is counted as missed
CONNECT_SPREAD = 2.0  # calls start spread over this many seconds


def _cores() -> tuple[int, int]:
    """The client's core and the server's (the same one on a machine with a single core)."""
    cores = sorted(os.sched_getaffinity(0))
    return cores[0], cores[-1]


# -- the caller's side, the same for every client ----------------------------------------------------------------------


class Caller:
    """One call's script: which 20 ms chunk to send at each tick, and what the sink's reads mean."""

    def __init__(self, utterance: list[bytes], barge_in: list[bytes], rng: random.Random, start: float) -> None:
        self.utterance = utterance
        self.barge_in_words = barge_in
        self.state = "pause"
        self.until = start + rng.uniform(0.2, 1.0)  # the line opens; the caller speaks
        self.speaking: list[bytes] = []
        self.index = 0
        self.speech_end = 0.0
        self.last_audio = 0.0
        self.reply_started = 0.0
        self.next_barge_in = start + rng.uniform(0.0, BARGE_IN_EVERY)
        self.latencies: list[float] = []
        self.barge_ins = 0
        self.missed = 0

    def chunk(self, now: float) -> bytes:
        if self.state == "pause" and now >= self.until:
            self._speak(self.utterance)
        if self.state != "speaking":
            return SILENCE
        chunk = self.speaking[self.index]
        self.index += 1
        if self.index == len(self.speaking):
            self.state, self.speech_end = "waiting", now
        return chunk

    def _speak(self, words: list[bytes]) -> None:
        self.state, self.speaking, self.index = "speaking", words, 0

    def heard(self, now: float, audio: bool) -> None:
        """What the sink read at this tick: some reply audio, or none."""
        if self.state == "waiting":
            if audio:
                self.latencies.append(now - self.speech_end)
                self.state, self.reply_started, self.last_audio = "listening", now, now
            elif now - self.speech_end > GIVE_UP:
                self.missed += 1
                self.state, self.until = "pause", now + PAUSE
        elif self.state == "listening":
            if audio:
                self.last_audio = now
                if now >= self.next_barge_in and now - self.reply_started >= BARGE_IN_AFTER:
                    self.barge_ins += 1
                    self.next_barge_in += BARGE_IN_EVERY
                    self._speak(self.barge_in_words)
            elif now - self.last_audio >= REPLY_DONE_AFTER:
                self.state, self.until = "pause", now + PAUSE


class Line:
    """The phone line's playback buffer for the clients that keep their own: µ-law bytes per (item, part)."""

    def __init__(self) -> None:
        self.segments: collections.deque[tuple[str, int, bytes]] = collections.deque()
        self.played: dict[tuple[str, int], int] = {}
        self.current: tuple[str, int] | None = None

    def add(self, item_id: str, content_index: int, audio: bytes) -> None:
        self.segments.append((item_id, content_index, audio))

    def read(self, size: int) -> list[tuple[str, int, bytes]]:
        out: list[tuple[str, int, bytes]] = []
        while size and self.segments:
            item_id, index, audio = self.segments.popleft()
            piece, rest = audio[:size], audio[size:]
            if rest:
                self.segments.appendleft((item_id, index, rest))
            size -= len(piece)
            key = (item_id, index)
            self.played[key] = self.played.get(key, 0) + len(piece)
            self.current = key
            out.append((item_id, index, piece))
        return out

    def clear(self) -> None:
        self.segments.clear()


Tick = Callable[[bytes], Awaitable[int]]
"""Send one chunk of the caller's audio, read 20 ms for the sink; returns the bytes of reply audio the sink got."""


async def _run_call(
    index: int, opener: Callable[[], Any], audio: dict[str, list[bytes]], stats: dict[str, Any]
) -> None:
    loop = asyncio.get_running_loop()
    rng = random.Random(index)
    await asyncio.sleep(rng.uniform(0.0, CONNECT_SPREAD))
    async with opener() as tick:
        start = loop.time()
        caller = Caller(audio["utterance"], audio["barge_in"], rng, start)
        deadline = start
        lateness = stats["late"]
        while True:
            now = loop.time()
            if now - start >= SECONDS:
                break
            lateness.append(now - deadline)
            got = await tick(caller.chunk(now))
            caller.heard(now, got > 0)
            deadline += TICK
            await asyncio.sleep(max(0.0, deadline - loop.time()))
    stats["latencies"].extend(caller.latencies)
    stats["barge_ins"] += caller.barge_ins
    stats["missed"] += caller.missed


# -- the three clients -------------------------------------------------------------------------------------------------


def _ga_session() -> dict[str, Any]:
    """µ-law both ways and the service's turn detection, as a phone bridge configures a session (GA shape)."""
    return {
        "type": "realtime",
        "output_modalities": ["audio"],
        "audio": {
            "input": {
                "format": {"type": "audio/pcmu"},
                "turn_detection": {
                    "type": "server_vad",
                    "silence_duration_ms": 500,
                    "create_response": True,
                    "interrupt_response": True,
                },
            },
            "output": {"format": {"type": "audio/pcmu"}, "voice": "alloy"},
        },
    }


class _BareCall:
    """websockets, json and base64 by hand."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/v1/realtime?model={MODEL}"

    async def __aenter__(self) -> Tick:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.url, additional_headers={"Authorization": f"Bearer {KEY}"}, compression=None, max_size=2**24
        )
        await self.ws.send(json.dumps({"type": "session.update", "session": _ga_session()}))
        self.line = Line()
        self.reader = asyncio.create_task(self._read())
        return self.tick

    async def _read(self) -> None:
        line, ws = self.line, self.ws
        async for message in ws:
            event = json.loads(message)
            kind = event["type"]
            if kind == "response.output_audio.delta":
                line.add(event["item_id"], event["content_index"], base64.b64decode(event["delta"]))
            elif kind == "input_audio_buffer.speech_started" and line.segments and line.current is not None:
                line.clear()
                item_id, content_index = line.current
                played_ms = line.played.get(line.current, 0) // 8
                truncate = {"item_id": item_id, "content_index": content_index, "audio_end_ms": played_ms}
                await ws.send(json.dumps({"type": "conversation.item.truncate", **truncate}))

    async def tick(self, chunk: bytes) -> int:
        await self.ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(chunk).decode()}))
        return sum(len(piece) for _, _, piece in self.line.read(ULAW_CHUNK))

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()
        self.reader.cancel()


class _FloorCall(_BareCall):
    """The wire alone: the same append sent pre-encoded every tick, events received and not read, nothing played."""

    async def __aenter__(self) -> Tick:
        tick = await super().__aenter__()
        self.frame = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(SILENCE).decode()})
        return tick

    async def _read(self) -> None:
        async for _ in self.ws:
            pass

    async def tick(self, chunk: bytes) -> int:
        await self.ws.send(self.frame)
        return 0


class _PyagentCall:
    """``VoiceSession`` for a µ-law call; the sink reads ``session.playback``."""

    def __init__(self, port: int) -> None:
        from pyagent.voice import VoiceSession

        self.session = VoiceSession(
            MODEL,
            sample_rate=8000,
            endpoint=f"http://127.0.0.1:{port}",
            credential=KEY,
            dialect="openai",
            transcription_model=None,
        )
        self.session.configure_audio(format="g711_ulaw")
        self.session.configure_turn_detection(silence_duration=500)

    async def __aenter__(self) -> Tick:
        await self.session.connect()
        self.playback = self.session.playback
        self.read_size = self.playback.audio_format.bytes_per_second * 20 // 1000
        self.drain = asyncio.create_task(self._drain())
        return self.tick

    async def _drain(self) -> None:
        from pyagent.voice.errors import ResponseError, SessionClosedError

        while True:
            try:
                await self.session.receive()
            except ResponseError:
                continue
            except SessionClosedError:
                return

    async def tick(self, chunk: bytes) -> int:
        await self.session.send_audio(chunk, commit=False)
        return len(self.playback.read(self.read_size))

    async def __aexit__(self, *exc: object) -> None:
        await self.session.disconnect()
        await self.drain


class _PeerCall:
    """openai-agents' ``RealtimeSession``, µ-law both ways, its playback tracker fed by the sink."""

    def __init__(self, port: int) -> None:
        from agents import set_tracing_disabled
        from agents.realtime import RealtimeAgent, RealtimePlaybackTracker, RealtimeRunner

        set_tracing_disabled(True)
        self.tracker = RealtimePlaybackTracker()
        agent = RealtimeAgent(name="assistant", instructions="Be brief.")
        settings = {
            "model_name": MODEL,
            "voice": "alloy",
            "input_audio_format": "g711_ulaw",
            "output_audio_format": "g711_ulaw",
            "turn_detection": {
                "type": "server_vad",
                "silence_duration_ms": 500,
                "create_response": True,
                "interrupt_response": True,
            },
        }
        self.runner = RealtimeRunner(agent, config={"model_settings": settings})  # type: ignore[typeddict-item]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime?model={MODEL}"

    async def __aenter__(self) -> Tick:
        self.session = await self.runner.run(
            model_config={"url": self.url, "api_key": KEY, "playback_tracker": self.tracker}
        )
        await self.session.__aenter__()
        self.line = Line()
        self.reader = asyncio.create_task(self._read())
        return self.tick

    async def _read(self) -> None:
        async for event in self.session:
            if event.type == "audio":
                audio = event.audio
                self.line.add(audio.item_id, audio.content_index, audio.data)
            elif event.type == "audio_interrupted":
                self.line.clear()

    async def tick(self, chunk: bytes) -> int:
        await self.session.send_audio(chunk)
        got = 0
        for item_id, content_index, piece in self.line.read(ULAW_CHUNK):
            self.tracker.on_play_bytes(item_id, content_index, piece)
            got += len(piece)
        return got

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        self.reader.cancel()


OPENERS: dict[str, Callable[[int], Any]] = {
    "floor": _FloorCall,
    "bare": _BareCall,
    "pyagent": _PyagentCall,
    "peer": _PeerCall,
}


async def _client(kind: str, calls: int, port: int, audio: dict[str, list[bytes]]) -> dict[str, Any]:
    stats: dict[str, Any] = {"latencies": [], "barge_ins": 0, "missed": 0, "late": []}
    opener = OPENERS[kind]
    cpu, wall = time.process_time(), time.perf_counter()
    results = await asyncio.gather(
        *(_run_call(i, lambda: opener(port), audio, stats) for i in range(calls)), return_exceptions=True
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    failures = [r for r in results if isinstance(r, BaseException)]
    late = sorted(stats.pop("late"))
    return {
        **stats,
        "cpu": cpu,
        "wall": wall,
        "failed": len(failures),
        "failure": repr(failures[0])[:300] if failures else "",
        "late_p99": late[int(0.99 * (len(late) - 1))] if late else math.nan,
    }


def _client_main(kind: str, calls: int, port: int, audio_dir: str) -> None:
    os.sched_setaffinity(0, {_cores()[0]})
    audio = {
        name: _chunks((pathlib.Path(audio_dir) / f"{name}.ulaw").read_bytes()) for name in ("utterance", "barge_in")
    }
    # The imports happen at the application's start, not in its first call.
    if kind == "pyagent":
        import pyagent.voice  # noqa: F401
    elif kind == "peer":
        import agents.realtime  # noqa: F401
    else:
        import websockets.asyncio.client  # noqa: F401
    profile = os.environ.get("PYAGENT_BENCH_CALL_PROFILE")
    if profile:  # a cProfile of the client's process, for finding where its time goes
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, _client(kind, calls, port, audio))
        profiler.dump_stats(f"{profile}.{kind}.{calls}")
    else:
        result = asyncio.run(_client(kind, calls, port, audio))
    print(json.dumps(result), flush=True)


def _chunks(ulaw: bytes) -> list[bytes]:
    ulaw += SILENCE[: -len(ulaw) % ULAW_CHUNK]
    return [ulaw[i : i + ULAW_CHUNK] for i in range(0, len(ulaw), ULAW_CHUNK)]


# -- the server process ------------------------------------------------------------------------------------------------


def _server_main() -> None:
    os.sched_setaffinity(0, {_cores()[1]})
    from pyagent.audio import load_audio, resample, ulaw_encode

    reply = load_audio(REPLY)[: int(24000 * REPLY_SECONDS) * 2]
    if SERVER == "local":
        _serve_local(reply)
        return
    from benchmarks._call_server import Replies, serve_calls

    replies = Replies(reply, ulaw_encode(resample(reply, 24000, 8000)), REPLY_TEXT)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[int] = loop.create_future()
        stop = loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
        server = asyncio.create_task(serve_calls(replies, ready, stop))
        print(await ready, flush=True)
        await server

    asyncio.run(serve())


def _serve_local(reply: bytes) -> None:
    """``LocalServer`` with a responder and stand-in speech engines (``PYAGENT_BENCH_CALL_SERVER=local``)."""
    from pyagent.server import LocalServer, Reply, SpeechEngines

    class Heard:
        name = "a fixed transcript"

        def recognize(self, pcm16: bytes, sample_rate: int) -> str:
            return "what is the weather in paris" if pcm16 else ""

    class Says:
        name = "the reply recording"

        def synthesize(self, text: str) -> bytes:
            return reply

    async def serve() -> None:
        engines = SpeechEngines(recognizer=Heard(), synthesizer=Says())
        server = LocalServer(responder=lambda context: Reply(text=REPLY_TEXT), speech="off", engines=engines)
        async with server:
            print(server.port, flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(serve())


# -- the parent: audio, server, clients, report ------------------------------------------------------------------------


def _prepare_audio(folder: pathlib.Path) -> float:
    """The caller's two utterances as µ-law at 8 kHz, cut at the end of their speech; returns the first's seconds."""
    from pyagent.audio import load_audio, resample, rms, ulaw_encode

    seconds = 0.0
    for name, path in (("utterance", UTTERANCE), ("barge_in", BARGE_IN)):
        pcm = resample(load_audio(path), 24000, 8000)
        frames = [pcm[i : i + 320] for i in range(0, len(pcm), 320)]
        voiced = [i for i, frame in enumerate(frames) if len(frame) == 320 and rms(frame) > 0.01]
        speech = b"".join(frames[max(0, voiced[0] - 5) : voiced[-1] + 1])
        (folder / f"{name}.ulaw").write_bytes(ulaw_encode(speech))
        seconds = seconds or len(speech) / 16000
    return seconds


def _cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else math.nan


def _run_client(kind: str, calls: int, port: int, folder: pathlib.Path) -> dict[str, Any] | str:
    python = str(PEER_PYTHON) if kind == "peer" else sys.executable
    if kind == "peer" and not PEER_PYTHON.exists():
        return "not run: .venv-peer is missing (make bench installs openai-agents there)"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENAI_AGENTS_DISABLE_TRACING="1")
    command = [python, "-m", "benchmarks.call", "client", kind, str(calls), str(port), str(folder)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS * 4 + 120)
    if done.returncode != 0 or not done.stdout.strip():
        return f"failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:] or done.stdout[-300:]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Start the server, run each client at each level, print the figures."""
    client_core, server_core = _cores()
    with tempfile.TemporaryDirectory() as tmp, serving("benchmarks.call", "serve") as server:
        folder = pathlib.Path(tmp)
        speech_seconds = _prepare_audio(folder)
        port = server.port
        print(
            f"  calls of {SECONDS:.0f} s, each client {ROUNDS} times per level (in turn, then in reverse): µ-law "
            f"8 kHz, 20 ms chunks in real time ({speech_seconds:.1f} s of speech "
            f"per turn), a {REPLY_SECONDS:.0f} s answer streamed 10x faster than real time, a sink draining 20 ms "
            f"every 20 ms, one barge-in per call-minute; clients on core {client_core}, the {SERVER} server on "
            f"core {server_core}; latency: end of speech -> first reply audio at the sink (500 ms of it is the "
            "server's turn detection)"
        )
        _run_client("bare", 4, port, folder)  # warm the server: imports, first allocations
        for calls in LEVELS:
            rows: dict[str, dict[str, Any] | str] = {}
            # The clients in turn, then in the reverse order, and so on: a machine whose load drifts during the
            # level weighs on all of them alike.
            order = [kind for round_ in range(ROUNDS) for kind in (CLIENTS if round_ % 2 == 0 else CLIENTS[::-1])]
            for kind in order:
                server_cpu = _cpu_seconds(server.pid)
                result = _run_client(kind, calls, port, folder)
                if isinstance(result, dict):
                    result["server_cpu"] = _cpu_seconds(server.pid) - server_cpu
                rows[kind] = _add(rows.get(kind), result)
            _report(calls, rows)


def _add(total: dict[str, Any] | str | None, result: dict[str, Any] | str) -> dict[str, Any] | str:
    """One more run of a client: times, counts and latencies add up; a failure to run is kept."""
    if total is None or isinstance(result, str):
        return result
    if isinstance(total, str):
        return total
    summed = {key: total[key] + result[key] for key in ("cpu", "wall", "barge_ins", "missed", "failed", "server_cpu")}
    return {
        **summed,
        "latencies": total["latencies"] + result["latencies"],
        "late_p99": max(total["late_p99"], result["late_p99"]),
        "failure": total["failure"] or result["failure"],
        "runs": total.get("runs", 1) + 1,
    }


def _report(calls: int, rows: dict[str, dict[str, Any] | str]) -> None:
    print(f"\n  {calls} calls")
    print(
        f"    {'client':<10}{'CPU ms/call-s':>14}{'calls/core':>11}{'p50 ms':>8}{'p99 ms':>8}{'turns':>7}"
        f"{'barge-ins':>10}{'missed':>7}{'late p99':>9}{'server ms/call-s':>17}"
    )
    per: dict[str, float] = {}
    for kind, row in rows.items():
        if isinstance(row, str):
            print(f"    {kind:<10}{row}")
            continue
        call_seconds = calls * SECONDS * row.get("runs", 1)
        cpu_ms = 1000 * row["cpu"] / call_seconds
        per[kind] = cpu_ms
        latencies = row["latencies"]
        failed = f"   {row['failed']} calls failed: {row['failure']}" if row["failed"] else ""
        if kind == "floor":  # it plays nothing: no turn is answered at its sink
            turns = f"{'-':>8}{'-':>8}{'-':>7}{'-':>10}{'-':>7}"
        else:
            turns = (
                f"{1000 * _percentile(latencies, 0.5):>8.0f}{1000 * _percentile(latencies, 0.99):>8.0f}"
                f"{len(latencies):>7}{row['barge_ins']:>10}{row['missed']:>7}"
            )
        print(
            f"    {kind:<10}{cpu_ms:>14.2f}{1000 / cpu_ms:>11.0f}{turns}"
            f"{1000 * row['late_p99']:>7.0f}ms{1000 * row['server_cpu'] / call_seconds:>17.2f}{failed}"
        )
    if "pyagent" not in per:
        return
    ours = per["pyagent"]
    goals = []
    if "bare" in per:
        ratio = ours / per["bare"]
        goals.append(f"pyagent/bare CPU {ratio:.2f}x (goal <= 1.00x: {'met' if ratio <= 1.0 else 'not met'})")
    if "peer" in per:
        ratio = ours / per["peer"]
        goals.append(f"pyagent/peer CPU {ratio:.2f}x (goal <= 0.50x: {'met' if ratio <= 0.5 else 'not met'})")
    if goals:
        print("    " + "; ".join(goals))
    if "floor" in per:
        floor = per["floor"]
        above = ", ".join(f"{kind} {per[kind] - floor:.2f}" for kind in per if kind != "floor")
        line = f"    above the wire alone ({floor:.2f}), ms per call-second: {above}"
        if "peer" in per:
            line += f"; the wire alone is {floor / per['peer']:.2f}x the peer's whole cost"
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        _server_main()
    elif sys.argv[1:2] == ["client"]:
        _client_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        main()
