"""Simulated carriers: real WebSocket clients speaking Twilio Media Streams and ACS audio streaming, as a phone would.

Each one streams the caller's audio in real time (a 20 ms frame every 20 ms, silence between utterances) and plays
what the bridge sends back in real time, from a buffer, like the carrier's media server:

* :class:`TwilioCaller` echoes each ``mark`` when the audio queued before it has played, and answers ``clear`` by
  dropping its buffer and echoing every pending mark at once (as Twilio documents).
* :class:`AcsCaller` acknowledges nothing; ``StopAudio`` drops its buffer.

Both record what the caller heard (the bytes played), every frame received with its arrival time, and the moments
of ``clear`` / ``StopAudio``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
from collections import deque
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from websockets.asyncio.client import ClientConnection, connect

FRAME_MS = 20


@dataclasses.dataclass
class Received:
    """A frame the bridge sent, when it arrived (loop time) and what the caller had heard by then (ms)."""

    at: float
    message: dict[str, Any]
    heard_ms: float


class _Caller:
    """What both carriers share: the socket, the real-time speaker loop and the playout buffer."""

    bytes_per_ms = 8  # µ-law 8 kHz

    def __init__(self, url: str, headers: Mapping[str, str] | None = None) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.ws: ClientConnection | None = None
        self.received: list[Received] = []
        self.heard = bytearray()  # what the caller heard, in order
        self.clears: list[Received] = []
        self._buffer: deque[tuple[str, Any]] = deque()  # ("media", bytes) | ("mark", name)
        self._tasks: list[asyncio.Task[None]] = []
        self._frame_bytes = FRAME_MS * self.bytes_per_ms
        self._sent_audio = asyncio.Event()
        self._clock: float | None = None  # when the head frame starts (or the last one ended), loop time
        self.closed = asyncio.Event()

    async def __aenter__(self) -> Self:
        self.ws = await connect(self.url, additional_headers=self.headers, max_size=2**22)
        await self.open_stream()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._play())]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.ws is not None:
            await self.ws.close()

    @property
    def playing(self) -> bool:
        """True while audio waits in the carrier's buffer."""
        return any(what == "media" for what, _ in self._buffer)

    @property
    def heard_ms(self) -> float:
        return len(self.heard) / self.bytes_per_ms

    async def open_stream(self) -> None:
        raise NotImplementedError

    async def send_json(self, message: Mapping[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(message))

    async def send_raw(self, frame: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(frame)

    def audio_frame(self, frame: bytes) -> dict[str, Any]:
        raise NotImplementedError

    async def speak(self, audio: bytes, *, then_silence_ms: int = 0) -> None:
        """Stream ``audio`` (the carrier's format) in real time, 20 ms a frame, then silence."""
        loop = asyncio.get_running_loop()
        silence = self.silence(then_silence_ms)
        data = audio + silence
        deadline = loop.time()
        for start in range(0, len(data), self._frame_bytes):
            await self.send_json(self.audio_frame(data[start : start + self._frame_bytes]))
            deadline += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, deadline - loop.time()))

    def silence(self, ms: int) -> bytes:
        return bytes(ms * self.bytes_per_ms)

    async def _read(self) -> None:
        assert self.ws is not None
        loop = asyncio.get_running_loop()
        try:
            async for frame in self.ws:
                message = json.loads(frame)
                now = loop.time()
                self.advance(now)
                record = Received(now, message, self.heard_ms)
                self.received.append(record)
                self.on_message(message, record)
        finally:
            self.closed.set()

    def on_message(self, message: dict[str, Any], record: Received) -> None:
        raise NotImplementedError

    async def _play(self) -> None:
        """Play the buffer in real time; a mark at the head of the buffer has had everything before it played."""
        loop = asyncio.get_running_loop()
        while True:
            while self._buffer and self._buffer[0][0] == "mark":
                await self.acknowledge(self._buffer.popleft()[1])
            if not self._buffer:
                self._sent_audio.clear()
                await self._sent_audio.wait()
                continue
            self.advance(loop.time())
            if self._buffer and self._buffer[0][0] == "media" and self._clock is not None:
                await asyncio.sleep(max(0.0, self._clock + self._duration(self._buffer[0][1]) - loop.time()))
                self.advance(loop.time())

    def _duration(self, frame: bytes) -> float:
        return len(frame) / self.bytes_per_ms / 1000

    def queue_audio(self, frame: bytes, now: float) -> None:
        """Queue a received frame; after silence it starts playing on arrival."""
        if not self.playing:
            self._clock = now if self._clock is None else max(self._clock, now)
        self._buffer.append(("media", frame))
        self._sent_audio.set()

    def advance(self, now: float) -> None:
        """Move every frame whose playout has ended by ``now`` into ``heard``, up to the next mark.

        The position follows the wall clock, not the event loop: a phone's speaker does not wait for a busy loop, so
        a late wake-up plays the frames that were due at once (the caller never drifts behind real time)."""
        while self._buffer and self._buffer[0][0] == "media" and self._clock is not None:
            end = self._clock + self._duration(self._buffer[0][1])
            if end > now:
                return
            self.heard += self._buffer.popleft()[1]
            self._clock = end

    def drop_buffer(self, now: float) -> None:
        """What a clear does: the frames already due were heard, the rest never will be."""
        self.advance(now)
        self._buffer.clear()
        self._clock = None

    async def acknowledge(self, name: str) -> None:
        """Twilio echoes the mark; ACS has none."""

    def frames(self, kind: str) -> list[Received]:
        return [r for r in self.received if self.kind_of(r.message) == kind]

    def kind_of(self, message: dict[str, Any]) -> str:
        raise NotImplementedError


class TwilioCaller(_Caller):
    """A phone call through Twilio Media Streams (µ-law 8 kHz, marks, clear)."""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        call_sid: str = "CA0123456789abcdef0123456789abcdef",
        stream_sid: str = "MZ0123456789abcdef0123456789abcdef",
        account_sid: str = "AC0123456789abcdef0123456789abcdef",
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(url, headers)
        self.call_sid = call_sid
        self.stream_sid = stream_sid
        self.account_sid = account_sid
        self.parameters = dict(parameters or {})
        self._sequence = 0
        self._chunk = 0
        self.echoed_after_clear: list[str] = []
        self.acked: list[tuple[float, str, float]] = []  # (loop time, mark name, ms heard then), in order

    def _next(self) -> str:
        self._sequence += 1
        return str(self._sequence)

    async def open_stream(self) -> None:
        await self.send_json({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send_json(
            {
                "event": "start",
                "sequenceNumber": self._next(),
                "start": {
                    "accountSid": self.account_sid,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": self.parameters,
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                },
                "streamSid": self.stream_sid,
            }
        )

    def audio_frame(self, frame: bytes) -> dict[str, Any]:
        self._chunk += 1
        return {
            "event": "media",
            "sequenceNumber": self._next(),
            "media": {
                "track": "inbound",
                "chunk": str(self._chunk),
                "timestamp": str(self._chunk * FRAME_MS),
                "payload": base64.b64encode(frame).decode(),
            },
            "streamSid": self.stream_sid,
        }

    async def press(self, digit: str) -> None:
        await self.send_json(
            {
                "event": "dtmf",
                "streamSid": self.stream_sid,
                "sequenceNumber": self._next(),
                "dtmf": {"track": "inbound_track", "digit": digit},
            }
        )

    async def hang_up(self) -> None:
        await self.send_json(
            {
                "event": "stop",
                "sequenceNumber": self._next(),
                "streamSid": self.stream_sid,
                "stop": {"accountSid": self.account_sid, "callSid": self.call_sid},
            }
        )

    def kind_of(self, message: dict[str, Any]) -> str:
        return str(message.get("event"))

    def on_message(self, message: dict[str, Any], record: Received) -> None:
        assert message.get("streamSid") == self.stream_sid, message
        kind = message["event"]
        if kind == "media":
            self.queue_audio(base64.b64decode(message["media"]["payload"]), record.at)
        elif kind == "mark":
            self._buffer.append(("mark", message["mark"]["name"]))
            self._sent_audio.set()
        elif kind == "clear":
            self.clears.append(record)
            pending = [name for what, name in self._buffer if what == "mark"]
            self.drop_buffer(record.at)
            self.echoed_after_clear.extend(pending)
            for name in pending:  # Twilio returns every pending mark at once
                asyncio.get_running_loop().create_task(self._echo(name))

    async def acknowledge(self, name: str) -> None:
        await self._echo(name)

    async def _echo(self, name: str) -> None:
        with contextlib.suppress(Exception):
            await self.send_json(
                {"event": "mark", "sequenceNumber": self._next(), "streamSid": self.stream_sid, "mark": {"name": name}}
            )
        self.acked.append((asyncio.get_running_loop().time(), name, self.heard_ms))


class AcsCaller(_Caller):
    """A call through Azure Communication Services bidirectional audio streaming (PCM16 mono, 16 or 24 kHz)."""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        sample_rate: int = 16000,
        subscription_id: str = "5f3c1c2a-0d3e-4b7a-9f59-1b2c3d4e5f60",
    ) -> None:
        super().__init__(url, headers)
        self.sample_rate = sample_rate
        self.bytes_per_ms = sample_rate * 2 // 1000
        self._frame_bytes = FRAME_MS * self.bytes_per_ms
        self.subscription_id = subscription_id

    async def open_stream(self) -> None:
        await self.send_json(
            {
                "kind": "AudioMetadata",
                "audioMetadata": {
                    "subscriptionId": self.subscription_id,
                    "encoding": "PCM",
                    "sampleRate": self.sample_rate,
                    "channels": 1,
                    "length": self._frame_bytes,
                },
            }
        )

    def audio_frame(self, frame: bytes) -> dict[str, Any]:
        silent = not any(frame)
        data: dict[str, Any] = {
            "timestamp": "2024-11-15T19:16:12.925Z",
            "participantRawID": "8:acs:00000000-0000-0000-0000-000000000001",
            "silent": silent,
        }
        if not silent:
            data["data"] = base64.b64encode(frame).decode()
        return {"kind": "AudioData", "audioData": data}

    async def press(self, digit: str) -> None:
        await self.send_json({"kind": "DtmfData", "dtmfData": {"data": digit}})

    async def hang_up(self) -> None:
        assert self.ws is not None
        await self.ws.close()

    def kind_of(self, message: dict[str, Any]) -> str:
        return str(message.get("kind"))

    def on_message(self, message: dict[str, Any], record: Received) -> None:
        kind = message["kind"]
        if kind == "AudioData":
            assert message["stopAudio"] is None
            self.queue_audio(base64.b64decode(message["audioData"]["data"]), record.at)
        elif kind == "StopAudio":
            assert message["audioData"] is None
            assert message["stopAudio"] == {}
            self.clears.append(record)
            self.drop_buffer(record.at)
