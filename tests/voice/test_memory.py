"""Memory follows the reply's audio once: a slow stream_receive() consumer, and respond(), measured with tracemalloc.

The server runs in its own process so that only the client's memory is counted.
"""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator

import pytest

from pyagent import VoiceSession
from pyagent.voice import VoiceResponse

SERVER = pathlib.Path(__file__).with_name("long_reply_server.py")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A local server in another process answering every turn with about 22 s of audio (about 2 MB)."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "150"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(timeout=30)


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


@pytest.mark.usefixtures("traced")
async def test_a_slow_stream_consumer_holds_the_unread_audio_about_once(endpoint: str) -> None:
    session = VoiceSession(model="gpt-realtime", endpoint=endpoint, dialect="openai")
    done = asyncio.Event()
    session.on("response_done")(lambda response: done.set())
    async with session.connect() as voice:
        before = tracemalloc.get_traced_memory()[0]
        await voice.send_text("hello")
        stream = voice.stream_receive()
        await anext(stream)  # the consumer reads one piece, then falls behind the whole reply
        async with asyncio.timeout(60):
            await done.wait()
        held = tracemalloc.get_traced_memory()[0] - before
        unread = sum([len(chunk.data) async for chunk in stream])
    assert unread > 1_000_000
    assert held <= 1.1 * unread, f"{held} bytes held for {unread} bytes of unread audio ({held / unread:.2f}x)"


@pytest.mark.usefixtures("traced")
async def test_respond_keeps_one_copy_of_the_reply(endpoint: str) -> None:
    async with VoiceSession(model="gpt-realtime", endpoint=endpoint, dialect="openai").connect() as voice:
        before = tracemalloc.get_traced_memory()[0]
        response: VoiceResponse = await voice.respond(b"\x10\x00\xf0\xff" * 2400)
        held = tracemalloc.get_traced_memory()[0] - before
        size = response.duration_ms * 48
    assert size > 1_000_000
    assert held <= 1.1 * size, f"{held} bytes held for a reply of {size} bytes ({held / size:.2f}x)"
