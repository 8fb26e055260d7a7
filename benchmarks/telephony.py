"""Phone calls per core through the bridge: ``pyagent.telephony`` against a hand-written Twilio bridge, one run.

Three processes on loopback, so the CPU measured (``time.process_time`` in this one) is the bridge's alone:

* the service (``python -m benchmarks.telephony service``): a realtime service speaking the OpenAI dialect with
  plain ``json``. After every ``TURN_S`` seconds of caller audio it ends the turn (``speech_started``,
  ``speech_stopped``, ``committed``); each ``response.create`` gets ``REPLY_S`` seconds of µ-law audio in 100 ms
  deltas, streamed faster than real time; every ``BARGE_EVERY``-th turn the caller talks over the answer a second
  into it (one barge-in a minute).
* the carriers (``python -m benchmarks.telephony carriers PORT N SECONDS``): N simulated Twilio Media Streams, each
  sending a 20 ms µ-law frame every 20 ms, playing what comes back in real time, echoing each ``mark`` when the
  audio before it has played and every pending mark at once on ``clear``.
* the bridge (this process): a websockets server whose handler bridges each call to the service, either with
  ``bridge_call`` and a ``VoiceSession`` (20 ms frames out, a mark after each, truncation at the acked mark), or with
  the bare bridge the public Twilio samples write by hand (json and base64 strings passed through, one media message
  and one mark per service delta, truncation from the wall clock).

Reported: CPU ms per call-second, calls one core sustains (1000 / that), and the ratio pyagent / bare.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import os
import sys
import time
from typing import Any

from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection, serve

from benchmarks._process import ROOT, serving, with_root_on_path

CALLS = int(os.environ.get("PYAGENT_BENCH_CALLS", "50"))
SECONDS = float(os.environ.get("PYAGENT_BENCH_CALL_SECONDS", "20"))
TURN_S = 4.0  # caller audio per turn
REPLY_S = 2.0  # reply audio per turn
BARGE_EVERY = 15  # turns: one barge-in a minute, the first on the second turn
FRAME = bytes((x * 37 + 11) % 256 for x in range(160))  # 20 ms of µ-law "speech"
DELTA = bytes((x * 53 + 7) % 256 for x in range(800))  # 100 ms of µ-law reply


# -- the service ---------------------------------------------------------------------------------------------------


def _ids() -> Any:
    count = 0

    def next_id(prefix: str) -> str:
        nonlocal count
        count += 1
        return f"{prefix}_{count:021d}"

    return next_id


async def _service_connection(ws: ServerConnection) -> None:
    next_id = _ids()
    delta_b64 = base64.b64encode(DELTA).decode()
    state = {"appended": 0, "turn": 0, "replying": False, "item": None}

    async def send(event: dict[str, Any]) -> None:
        event["event_id"] = next_id("event")
        await ws.send(json.dumps(event))

    async def end_turn() -> None:
        item = next_id("item")
        state["item"] = item
        await send({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": item})
        await send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 1000, "item_id": item})
        await send({"type": "input_audio_buffer.committed", "item_id": item, "previous_item_id": None})

    async def reply(turn: int) -> None:
        response, item = next_id("resp"), next_id("item")
        message = {"id": item, "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        await send({"type": "response.created", "response": {"id": response, "status": "in_progress", "output": []}})
        await send({"type": "response.output_item.added", "response_id": response, "output_index": 0, "item": message})
        part = {"type": "output_audio", "transcript": ""}
        base = {"response_id": response, "item_id": item, "output_index": 0, "content_index": 0}
        await send({"type": "response.content_part.added", **base, "part": part})
        for _ in range(int(REPLY_S * 10)):
            await send({"type": "response.output_audio.delta", **base, "delta": delta_b64})
        await send({"type": "response.output_audio.done", **base})
        done = {**message, "status": "completed"}
        await send({"type": "response.output_item.done", "response_id": response, "output_index": 0, "item": done})
        await send({"type": "response.done", "response": {"id": response, "status": "completed", "output": [done]}})
        state["replying"] = False
        if turn % BARGE_EVERY == 2:
            await asyncio.sleep(1.0)  # the caller talks over the answer still playing
            await end_turn()

    await send({"type": "session.created", "session": {"id": next_id("sess"), "type": "realtime"}})
    tasks: set[asyncio.Task[None]] = set()
    async for message in ws:
        event = json.loads(message)
        kind = event.get("type")
        if kind == "input_audio_buffer.append":
            state["appended"] += len(event["audio"]) * 3 // 4
            if state["appended"] >= TURN_S * 8000 and not state["replying"]:
                state["appended"] = 0
                await end_turn()
        elif kind == "response.create":
            state["replying"] = True
            state["turn"] += 1
            task = asyncio.create_task(reply(state["turn"]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif kind == "session.update":
            await send({"type": "session.updated", "session": {"id": "sess", **event["session"]}})
        elif kind == "conversation.item.truncate":
            await send(
                {
                    "type": "conversation.item.truncated",
                    "item_id": event["item_id"],
                    "content_index": event["content_index"],
                    "audio_end_ms": event["audio_end_ms"],
                }
            )


async def _serve_service() -> None:
    async with serve(_service_connection, "127.0.0.1", 0, compression=None, max_size=2**22) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# -- the carriers --------------------------------------------------------------------------------------------------


class _Line:
    """One simulated Twilio call: what it sent, what it plays, the marks waiting behind the audio."""

    def __init__(self, ws: Any, sid: str) -> None:
        self.ws = ws
        self.sid = sid
        self.buffer: collections.deque[tuple[str, Any]] = collections.deque()
        self.played = 0
        self.clears = 0
        self.marks = 0

    async def read(self) -> None:
        async for message in self.ws:
            event = json.loads(message)
            kind = event["event"]
            if kind == "media":
                self.buffer.append(("media", len(base64.b64decode(event["media"]["payload"]))))
            elif kind == "mark":
                self.buffer.append(("mark", event["mark"]["name"]))
            elif kind == "clear":
                self.clears += 1
                pending = [name for what, name in self.buffer if what == "mark"]
                self.buffer.clear()
                for name in pending:
                    await self.echo(name)

    async def echo(self, name: str) -> None:
        self.marks += 1
        await self.ws.send(json.dumps({"event": "mark", "streamSid": self.sid, "mark": {"name": name}}))

    async def tick(self, media: str) -> None:
        """20 ms pass: send the caller's frame, play up to 160 bytes and echo the marks they reach."""
        await self.ws.send(media)
        budget = 160
        while self.buffer and (budget or self.buffer[0][0] == "mark"):
            what, value = self.buffer[0]
            if what == "mark":
                self.buffer.popleft()
                await self.echo(value)
                continue
            take = min(budget, value)
            budget -= take
            self.played += take
            if take == value:
                self.buffer.popleft()
            else:
                self.buffer[0] = ("media", value - take)


async def _run_carriers(port: int, calls: int, seconds: float) -> None:
    lines: list[_Line] = []
    readers = []
    for index in range(calls):
        ws = await ws_connect(f"ws://127.0.0.1:{port}/media-stream", compression=None, max_size=2**22)
        sid = f"MZ{index:032d}"
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {
            "streamSid": sid,
            "accountSid": "AC1",
            "callSid": f"CA{index:032d}",
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "start": start, "streamSid": sid}))
        line = _Line(ws, sid)
        lines.append(line)
        readers.append(asyncio.create_task(line.read()))
    payload = base64.b64encode(FRAME).decode()
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started
    late = 0.0
    ticks = int(seconds * 50)
    for _ in range(ticks):
        for line in lines:
            media = json.dumps(
                {"event": "media", "streamSid": line.sid, "media": {"track": "inbound", "payload": payload}}
            )
            await line.tick(media)
        deadline += 0.02
        now = loop.time()
        late = max(late, now - deadline)
        await asyncio.sleep(max(0.0, deadline - now))
    for line in lines:
        await line.ws.send(json.dumps({"event": "stop", "streamSid": line.sid, "stop": {}}))
        await line.ws.close()
    for reader in readers:
        reader.cancel()
    played = sum(line.played for line in lines) / 8000 / calls
    print(
        json.dumps(
            {
                "played_s_per_call": played,
                "clears": sum(line.clears for line in lines),
                "marks": sum(line.marks for line in lines),
                "worst_tick_lag_s": late,
                "wall_s": loop.time() - started,
            }
        ),
        flush=True,
    )


# -- the two bridges -----------------------------------------------------------------------------------------------


def _pyagent_handler(service_port: int) -> Any:
    from pyagent import VoiceSession
    from pyagent.telephony import bridge_call

    async def handler(ws: ServerConnection) -> None:
        session = VoiceSession(model="m", endpoint=f"http://127.0.0.1:{service_port}", dialect="openai")
        await bridge_call(ws, session, "twilio")

    return handler


def _bare_handler(service_port: int) -> Any:
    """The bridge the public samples write by hand: json in, json out, base64 strings passed through."""

    async def handler(twilio: ServerConnection) -> None:
        url = f"ws://127.0.0.1:{service_port}/v1/realtime?model=m"
        async with ws_connect(url, compression=None, max_size=2**22) as service:
            call = {"sid": "", "latest_ms": 0, "item": None, "started_ms": None, "marks": collections.deque()}
            session = {
                "type": "realtime",
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcmu"},
                        "turn_detection": {"type": "server_vad", "create_response": False},
                    },
                    "output": {"format": {"type": "audio/pcmu"}, "voice": "alloy"},
                },
            }
            await service.send(json.dumps({"type": "session.update", "session": session}))

            async def from_twilio() -> None:
                async for message in twilio:
                    data = json.loads(message)
                    kind = data["event"]
                    if kind == "media":
                        call["latest_ms"] += 20
                        payload = data["media"]["payload"]
                        await service.send(json.dumps({"type": "input_audio_buffer.append", "audio": payload}))
                    elif kind == "start":
                        call["sid"] = data["start"]["streamSid"]
                    elif kind == "mark":
                        if call["marks"]:
                            call["marks"].popleft()
                    elif kind == "stop":
                        return

            async def from_service() -> None:
                async for message in service:
                    event = json.loads(message)
                    kind = event["type"]
                    if kind == "response.output_audio.delta":
                        media = {"event": "media", "streamSid": call["sid"], "media": {"payload": event["delta"]}}
                        await twilio.send(json.dumps(media))
                        if call["started_ms"] is None:
                            call["started_ms"] = call["latest_ms"]
                        call["item"] = event["item_id"]
                        await twilio.send(
                            json.dumps({"event": "mark", "streamSid": call["sid"], "mark": {"name": "responsePart"}})
                        )
                        call["marks"].append("responsePart")
                    elif kind == "input_audio_buffer.speech_started":
                        if call["marks"] and call["started_ms"] is not None:
                            elapsed = call["latest_ms"] - call["started_ms"]
                            truncate = {
                                "type": "conversation.item.truncate",
                                "item_id": call["item"],
                                "content_index": 0,
                                "audio_end_ms": elapsed,
                            }
                            await service.send(json.dumps(truncate))
                            await twilio.send(json.dumps({"event": "clear", "streamSid": call["sid"]}))
                            call["marks"].clear()
                            call["item"] = None
                            call["started_ms"] = None
                    elif kind == "input_audio_buffer.committed":
                        await service.send(json.dumps({"type": "response.create"}))

            reader = asyncio.create_task(from_service())
            try:
                await from_twilio()
            finally:
                reader.cancel()

    return handler


async def _measure(
    name: str, handler: Any, env: dict[str, str], calls: int = CALLS, seconds: float = SECONDS
) -> dict[str, Any]:
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=2**22) as bridge:
        port = bridge.sockets[0].getsockname()[1]
        cpu = time.process_time()
        carriers = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.telephony",
            "carriers",
            str(port),
            str(calls),
            str(seconds),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        assert carriers.stdout is not None
        line = await carriers.stdout.readline()
        await carriers.wait()
        await asyncio.sleep(0.5)  # the bridges see the hang-ups
        cpu = time.process_time() - cpu
    report: dict[str, Any] = json.loads(line)
    report.update(name=name, cpu=cpu, per=cpu / (calls * seconds))
    return report


async def _run(service_port: int, env: dict[str, str]) -> None:
    print(
        f"{CALLS} concurrent Twilio calls x {SECONDS:.0f} s through a bridge (µ-law 20 ms frames in real time, "
        f"a turn every {TURN_S:.0f} s answered with {REPLY_S:.0f} s of audio, one barge-in a minute); "
        "bridge CPU in this process, service and carriers in two others"
    )
    bridges = (("bare hand-written bridge", _bare_handler), ("pyagent bridge_call", _pyagent_handler))
    for name, make in bridges:  # warm both paths: imports and first connections are not measured
        await _measure(name, make(service_port), env, calls=2, seconds=1.0)
    rows = [
        await _measure("bare hand-written bridge", _bare_handler(service_port), env),
        await _measure("pyagent bridge_call", _pyagent_handler(service_port), env),
    ]
    print(f"    {'':26}{'cpu s':>8}{'ms cpu/call-s':>15}{'calls/core':>12}{'heard s/call':>14}{'clears':>8}")
    for row in rows:
        print(
            f"    {row['name']:26}{row['cpu']:>8.2f}{row['per'] * 1e3:>15.3f}{1 / row['per']:>12.0f}"
            f"{row['played_s_per_call']:>14.1f}{row['clears']:>8}"
        )
    bare, ours = rows[0]["per"], rows[1]["per"]
    print(
        f"    ratio pyagent/bare CPU per call-second: {ours / bare:.2f}x (pyagent sends 20 ms frames with a mark "
        "each, the bare bridge one media and one mark per 100 ms delta)"
    )
    lag = max(row["worst_tick_lag_s"] for row in rows)
    print(f"    the carriers kept real time within {lag * 1000:.0f} ms")


def main() -> None:
    """Start the service process, run both bridges side by side, print the figures."""
    env = with_root_on_path()
    with serving("benchmarks.telephony", "service", env) as service:
        asyncio.run(_run(service.port, env))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "service":
        asyncio.run(_serve_service())
    elif len(sys.argv) > 1 and sys.argv[1] == "carriers":
        asyncio.run(_run_carriers(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
    else:
        main()
