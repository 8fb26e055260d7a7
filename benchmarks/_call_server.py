"""A lean scripted realtime server for the call benchmark: answers like the service, at a fraction of its cost.

``LocalServer`` spends about 4.5 ms of CPU per call-second on a 20 ms µ-law call (its typed codec, its detector and
its bookkeeping for every frame): 200 calls would need most of a second core, which this two-core machine does not
have to spare, and the latencies would then measure the server's queue. This server does only what the three
clients depend on, in the shapes ``LocalServer`` sends (its recorded ``session.created`` is the template of the
session object), for the OpenAI GA dialect:

- ``session.update`` merged into the session and answered with ``session.updated`` (formats, turn detection);
- turn detection on the energy of each appended chunk (µ-law or PCM16 24 kHz, whichever the session asked for):
  ``speech_started`` at the first voiced chunk, ``speech_stopped`` after ``silence_duration_ms`` of quiet, then
  ``committed``, the user item, and a response when ``create_response`` is on; speech over an active response
  cancels it when ``interrupt_response`` is on;
- ``response.create`` (refused while a response is active), ``response.cancel``, ``conversation.item.truncate``,
  ``input_audio_buffer.commit`` and ``clear``;
- a response is the full event sequence of an audio answer: its audio (the reply recording, in the session's output
  format) in 100 ms deltas sent ten times faster than real time, with transcript deltas alongside.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import pathlib
from typing import Any

import msgspec
import numpy as np
from websockets.asyncio.server import ServerConnection, serve

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "fixtures" / "sessions" / "local_openai_spoken_weather_tool_turn.jsonl"
DELTA_MS = 100
REALTIME_FACTOR = 10.0
VOICED_RMS = 500.0  # on the int16 scale: the recordings' speech is far above it, their silence is zero


class _ClientEvent(msgspec.Struct):
    """The fields of a client event this server reads; msgspec decodes ``audio``'s base64 on the way."""

    type: str
    event_id: str | None = None
    audio: bytes | None = None
    session: dict[str, Any] | None = None
    item_id: str | None = None
    content_index: int = 0
    audio_end_ms: int = 0


_DECODER = msgspec.json.Decoder(_ClientEvent)


def _ulaw_table() -> np.ndarray:
    """µ-law byte -> linear sample (ITU-T G.711), as float32 for the energy."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    magnitude = (((codes & 0x0F) << 3) + 0x84) << exponent
    return np.where(codes & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(np.float32)


_ULAW = _ulaw_table()


def _template_session() -> dict[str, Any]:
    for line in TEMPLATE.read_text().splitlines():
        event = json.loads(line).get("event", {})
        if event.get("type") == "session.created":
            return dict(event["session"])
    raise RuntimeError(f"no session.created in {TEMPLATE}")


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


class Replies:
    """The reply recording as base64 100 ms deltas, in each output format, and its transcript deltas."""

    def __init__(self, pcm16_24k: bytes, ulaw_8k: bytes, text: str) -> None:
        self.chunks = {
            "audio/pcm": self._cut(pcm16_24k, 48 * DELTA_MS),
            "audio/pcmu": self._cut(ulaw_8k, 8 * DELTA_MS),
        }
        self.text = text
        words = text.split(" ")
        count = len(self.chunks["audio/pcm"])
        self.words = [" ".join(words[i * len(words) // count : (i + 1) * len(words) // count]) for i in range(count)]

    @staticmethod
    def _cut(audio: bytes, size: int) -> list[str]:
        return [base64.b64encode(audio[i : i + size]).decode() for i in range(0, len(audio), size)]


class _Call:
    """One connection: the session, the input clock and detector, the active response."""

    def __init__(self, ws: ServerConnection, replies: Replies, session: dict[str, Any], ids: itertools.count) -> None:
        self.ws = ws
        self.replies = replies
        self.session = session
        self._ids = ids
        self.session["id"] = self.id("sess")
        self.conversation = self.id("conv")
        self.audio_ms = 0.0
        self.speaking = False
        self.quiet_ms = 0.0
        self.speech_item = ""
        self.last_item: str | None = None
        self.response: _Response | None = None
        self._configure()

    def id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):021d}"

    def _configure(self) -> None:
        audio = self.session["audio"]
        self.in_format = audio["input"]["format"].get("type", "audio/pcm")
        self.out_format = audio["output"]["format"].get("type", "audio/pcm")
        self.detection = audio["input"].get("turn_detection") or {}
        self.bytes_per_ms = 8 if self.in_format == "audio/pcmu" else 48

    async def send(self, kind: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"type": kind, "event_id": self.id("event"), **fields}))

    async def run(self) -> None:
        await self.send("session.created", session=self.session)
        try:
            async for frame in self.ws:
                await self.handle(_DECODER.decode(frame))
        finally:
            if self.response is not None and self.response.task is not None:
                self.response.task.cancel()

    async def handle(self, event: _ClientEvent) -> None:
        kind = event.type
        if kind == "input_audio_buffer.append":
            await self.append(event.audio or b"")
        elif kind == "session.update":
            _merge(self.session, event.session or {})
            self._configure()
            await self.send("session.updated", session=self.session)
        elif kind == "response.create":
            if self.response is not None:
                error = {
                    "type": "invalid_request_error",
                    "code": "conversation_already_has_active_response",
                    "message": "Conversation already has an active response in progress.",
                    "param": None,
                    "event_id": event.event_id,
                }
                await self.send("error", error=error)
            else:
                await self.respond()
        elif kind == "response.cancel":
            if self.response is not None:
                await self.response.cancel("client_cancelled")
        elif kind == "conversation.item.truncate":
            truncated = {"item_id": event.item_id, "content_index": event.content_index}
            await self.send("conversation.item.truncated", **truncated, audio_end_ms=event.audio_end_ms)
        elif kind == "input_audio_buffer.commit":
            await self.commit(self.id("item"))
        elif kind == "input_audio_buffer.clear":
            await self.send("input_audio_buffer.cleared")

    async def append(self, audio: bytes) -> None:
        if self.in_format == "audio/pcmu":
            samples = _ULAW[np.frombuffer(audio, np.uint8)]
        else:
            samples = np.frombuffer(audio, "<i2").astype(np.float32)
        length_ms = len(audio) / self.bytes_per_ms
        self.audio_ms += length_ms
        if not self.detection or not samples.size:
            return
        voiced = float(np.dot(samples, samples)) / samples.size > VOICED_RMS * VOICED_RMS
        if voiced:
            self.quiet_ms = 0.0
            if not self.speaking:
                self.speaking = True
                self.speech_item = self.id("item")
                start = max(0, int(self.audio_ms - length_ms) - int(self.detection.get("prefix_padding_ms", 300)))
                await self.send("input_audio_buffer.speech_started", audio_start_ms=start, item_id=self.speech_item)
                if self.response is not None and self.detection.get("interrupt_response", True):
                    await self.response.cancel("turn_detected")
        elif self.speaking:
            self.quiet_ms += length_ms
            if self.quiet_ms >= self.detection.get("silence_duration_ms", 500):
                self.speaking = False
                end = int(self.audio_ms - self.quiet_ms)
                await self.send("input_audio_buffer.speech_stopped", audio_end_ms=end, item_id=self.speech_item)
                await self.commit(self.speech_item)
                if self.detection.get("create_response", True) and self.response is None:
                    await self.respond()

    async def commit(self, item_id: str) -> None:
        previous, self.last_item = self.last_item, item_id
        await self.send("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        item = {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        await self.send("conversation.item.added", previous_item_id=previous, item=item)
        await self.send("conversation.item.done", previous_item_id=previous, item=item)

    async def respond(self) -> None:
        self.response = _Response(self, self.id("resp"), self.id("item"))
        await self.response.start()


class _Response:
    """One audio answer: its opening events, its paced deltas, and its closing events (completed or cancelled)."""

    def __init__(self, call: _Call, response_id: str, item_id: str) -> None:
        self.call = call
        self.id = response_id
        self.item_id = item_id
        self.previous = call.last_item
        call.last_item = item_id
        self.format = call.out_format
        self.said: list[str] = []
        self.task: asyncio.Task[None] | None = None

    def _response(self, status: str, details: dict[str, Any] | None, output: list[dict[str, Any]]) -> dict[str, Any]:
        fmt = {"type": "audio/pcmu"} if self.format == "audio/pcmu" else {"type": "audio/pcm", "rate": 24000}
        usage = None
        if status != "in_progress":
            usage = {"total_tokens": 60, "input_tokens": 20, "output_tokens": 40}
        return {
            "object": "realtime.response",
            "id": self.id,
            "status": status,
            "status_details": details,
            "output": output,
            "conversation_id": self.call.conversation,
            "output_modalities": ["audio"],
            "max_output_tokens": "inf",
            "audio": {"output": {"format": fmt, "voice": "alloy"}},
            "usage": usage,
            "metadata": None,
        }

    def _item(self, status: str) -> dict[str, Any]:
        content = [{"type": "output_audio", "transcript": "".join(self.said)}] if status != "in_progress" else []
        return {"id": self.item_id, "type": "message", "status": status, "role": "assistant", "content": content}

    async def start(self) -> None:
        call = self.call
        await call.send("response.created", response=self._response("in_progress", None, []))
        await call.send(
            "response.output_item.added", response_id=self.id, output_index=0, item=self._item("in_progress")
        )
        await call.send("conversation.item.added", previous_item_id=self.previous, item=self._item("in_progress"))
        part = {"type": "audio", "transcript": ""}
        where = {"response_id": self.id, "item_id": self.item_id, "output_index": 0, "content_index": 0}
        await call.send("response.content_part.added", **where, part=part)
        self.task = asyncio.create_task(self._stream())

    async def _stream(self) -> None:
        call, replies = self.call, self.call.replies
        loop = asyncio.get_running_loop()
        prefix = (
            f'{{"type":"response.output_audio.delta","response_id":"{self.id}","item_id":"{self.item_id}",'
            f'"output_index":0,"content_index":0,"event_id":"'
        )
        started = loop.time()
        for index, chunk in enumerate(replies.chunks[self.format]):
            due = started + index * DELTA_MS / 1000 / REALTIME_FACTOR
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            words = replies.words[index]
            if words:
                words = words if not self.said else " " + words
                self.said.append(words)
                where = {"response_id": self.id, "item_id": self.item_id, "output_index": 0, "content_index": 0}
                await call.send("response.output_audio_transcript.delta", **where, delta=words)
            await call.ws.send(f'{prefix}{call.id("event")}","delta":"{chunk}"}}')
        await self._close("completed", None)

    async def cancel(self, reason: str) -> None:
        if self.task is not None:
            self.task.cancel()
        await self._close("cancelled", {"type": "cancelled", "reason": reason})

    async def _close(self, status: str, details: dict[str, Any] | None) -> None:
        call = self.call
        if call.response is not self:
            return
        call.response = None
        item_status = "completed" if status == "completed" else "incomplete"
        where = {"response_id": self.id, "item_id": self.item_id, "output_index": 0, "content_index": 0}
        transcript = "".join(self.said)
        await call.send("response.output_audio.done", **where)
        await call.send("response.output_audio_transcript.done", **where, transcript=transcript)
        await call.send("response.content_part.done", **where, part={"type": "audio", "transcript": transcript})
        item = self._item(item_status)
        await call.send("response.output_item.done", response_id=self.id, output_index=0, item=item)
        await call.send("conversation.item.done", previous_item_id=self.previous, item=item)
        await call.send("response.done", response=self._response(status, details, [item]))


async def serve_calls(replies: Replies, ready: asyncio.Future[int], stop: asyncio.Future[None]) -> None:
    """Serve until ``stop`` is done; ``ready`` gets the port."""
    template = _template_session()
    ids = itertools.count(1)

    async def handler(ws: ServerConnection) -> None:
        await _Call(ws, replies, copy.deepcopy(template), ids).run()

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=2**24) as server:
        ready.set_result(next(iter(server.sockets)).getsockname()[1])
        await stop
