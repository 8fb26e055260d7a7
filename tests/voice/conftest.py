"""Voice tests run against the real local server on loopback, on every dialect."""

from __future__ import annotations

import json
import math
import pathlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from conftest import FIXTURES
from pyagent.audio import load_audio
from pyagent.server import LocalServer

DIALECTS = ["openai", "azure-openai", "azure-openai-ga", "voicelive"]
WEATHER_WAV = FIXTURES / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
STOP_WAV = FIXTURES / "audio" / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"


@pytest.fixture(scope="session")
def weather_audio() -> bytes:
    """ "What is the weather in Paris?" as 24 kHz PCM16 mono."""
    return load_audio(WEATHER_WAV)


@pytest.fixture(scope="session")
def stop_audio() -> bytes:
    """ "Stop, wait a moment." as 24 kHz PCM16 mono."""
    return load_audio(STOP_WAV)


@pytest.fixture
async def server(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    """A local server that sends response audio as fast as it can, recording every session."""
    async with LocalServer(realtime_factor=math.inf, record_dir=tmp_path / "sessions", seed=1) as srv:
        yield srv


@pytest.fixture
async def paced_server(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    """A local server that sends response audio at four times real time: long enough to barge in on."""
    async with LocalServer(realtime_factor=4.0, record_dir=tmp_path / "sessions", seed=1) as srv:
        yield srv


async def recorded_events(server: LocalServer, tmp_path: pathlib.Path, direction: str) -> list[dict[str, Any]]:
    """Every event of one direction in the server's recordings under ``tmp_path``; closes the server first, so
    every recording is complete."""
    await server.close()
    events: list[dict[str, Any]] = []
    for path in sorted((tmp_path / "sessions").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("dir") == direction:
                events.append(record["event"])
    return events


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def assert_serialised(events: list[dict[str, Any]]) -> int:
    """Every response.create was sent when no response was active; return how many there were.

    ``events`` are a recording's client and server events in the order the server saw and sent them.
    """
    active = False
    creates = 0
    for event in events:
        kind = event["type"]
        if kind == "response.create":
            assert not active, "response.create while a response was active"
            creates += 1
        elif kind == "response.created":
            active = True
        elif kind == "response.done":
            active = False
        elif kind == "error":
            assert event["error"]["code"] != "conversation_already_has_active_response"
    return creates


async def recorded_conversation(server: LocalServer, tmp_path: pathlib.Path) -> list[dict[str, Any]]:
    """Client and server events of the server's recordings, in the server's order."""
    await server.close()
    events: list[dict[str, Any]] = []
    for path in sorted((tmp_path / "sessions").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("dir") in ("client", "server"):
                events.append(record["event"])
    return events
