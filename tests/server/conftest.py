"""Fixtures of the local server's tests: real servers on 127.0.0.1, a plain WebSocket client speaking through the codec,
and the speech recordings from ``fixtures/audio``."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
import websockets

from pyagent.audio import load_audio
from pyagent.realtime.codec import decode_server_event, encode_client_event
from pyagent.server import LocalServer
from pyagent.server._speech import SpeechEngines, load_speech_engines

AUDIO = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "audio"
PARIS = AUDIO / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
STOP = AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
TIMEOUT = 15.0


class Client:
    """A bare realtime client: the codec checks every frame both ways, nothing else in between."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, event: dict[str, Any]) -> None:
        await self.ws.send(encode_client_event(event), text=True)

    async def send_raw(self, frame: str) -> None:
        await self.ws.send(frame)

    async def append_audio(self, pcm16: bytes, chunk_ms: int = 100, rate: int = 24000) -> None:
        step = rate * 2 * chunk_ms // 1000
        for start in range(0, len(pcm16), step):
            await self.send({"type": "input_audio_buffer.append", "audio": pcm16[start : start + step]})

    async def recv(self) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        decode_server_event(frame)  # every frame must be one the codec reads
        event: dict[str, Any] = json.loads(frame)
        self.seen.append(event)
        return event

    async def until(self, *types: str) -> list[dict[str, Any]]:
        """Every event up to and including the first of ``types``."""
        events = []
        while True:
            event = await self.recv()
            events.append(event)
            if event["type"] in types:
                return events


def audio_of(events: list[dict[str, Any]], delta_type: str = "response.output_audio.delta") -> bytes:
    return b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == delta_type)


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


@pytest.fixture(scope="session")
def real_speech() -> SpeechEngines:
    """pocketsphinx and hibari-tts, loaded once for the whole test session."""
    engines = load_speech_engines("on")
    return engines


@pytest.fixture(scope="session")
def paris_pcm16() -> bytes:
    return load_audio(PARIS)


@pytest.fixture(scope="session")
def stop_pcm16() -> bytes:
    return load_audio(STOP)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[LocalServer]:
    """A server with the fallback speech and unpaced audio: fast and deterministic."""
    async with LocalServer(speech="off", realtime_factor=math.inf, seed=7) as running:
        yield running


Connect = Callable[..., Awaitable[Client]]


@pytest_asyncio.fixture
async def connect() -> AsyncIterator[Connect]:
    """``await connect(server, path, headers=...)`` -> a :class:`Client` that has read ``session.created``."""
    opened: list[websockets.ClientConnection] = []

    async def _connect(
        server: LocalServer, path: str = "/v1/realtime?model=gpt-realtime", headers: dict[str, str] | None = None
    ) -> Client:
        ws = await websockets.connect(server.url + path, additional_headers=headers or {"api-key": "anything"})
        opened.append(ws)
        client = Client(ws)
        created = await client.recv()
        assert created["type"] in ("session.created", "transcription_session.created")
        return client

    yield _connect
    for ws in opened:
        await ws.close()
