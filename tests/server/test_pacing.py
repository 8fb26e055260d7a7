"""The local server sends reply audio faster than real time by default, as the services do.

Client code written against the services carries timeouts that assume it: the Azure Voice Live samples wait a few
seconds for the next event they expect. The client below is written in their style (an event loop reading
``conn.recv()``, a helper that waits for one event type with a 10 s timeout) and runs against ``LocalServer()`` with
its default pacing after a reply longer than its timeout.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from pyagent.audio import load_audio
from pyagent.realtime import KeyCredential, connect
from pyagent.realtime.events import ServerEvent
from pyagent.server import LocalServer, Reply, ResponderContext

from .conftest import PARIS

ITEM_TIMEOUT_S = 10.0
_STORY = (
    "Once upon a time there was a lighthouse keeper who counted every passing ship, wrote their names in a "
    "leather notebook, and waited each evening for the storms that rolled across the northern harbour; "
)
LONG_REPLY = _STORY * 3  # about 27 seconds of audio


def tell_a_long_story(context: ResponderContext) -> Reply:
    return Reply(text=LONG_REPLY)


async def wait_for_event(conn: Any, wanted: str, timeout_s: float = ITEM_TIMEOUT_S) -> tuple[ServerEvent, list[Any]]:
    """The samples' helper: read events until one of type ``wanted`` arrives; TimeoutError after ``timeout_s``."""
    seen: list[Any] = []
    async with asyncio.timeout(timeout_s):
        while True:
            event = await conn.recv()
            seen.append(event)
            if event.type == wanted:
                return event, seen


async def sample_conversation(endpoint: str) -> dict[str, Any]:
    """Speak a question, wait for the whole answer, then add an item and wait for it: every wait 10 s at most."""
    async with connect(
        endpoint=endpoint, credential=KeyCredential("sample-key"), model="gpt-4o", dialect="voicelive"
    ) as conn:
        await wait_for_event(conn, "session.created")
        await conn.session.update(
            session={
                "modalities": ["text", "audio"],
                "input_audio_format": "pcm16",
                "output_audio_format": "pcm16",
                "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            }
        )
        await wait_for_event(conn, "session.updated")
        question = load_audio(PARIS)
        for start in range(0, len(question), 4800):  # 100 ms chunks, as a microphone delivers them
            await conn.input_audio_buffer.append(audio=question[start : start + 4800])
        created, _ = await wait_for_event(conn, "response.created")
        started = time.monotonic()
        done, during = await wait_for_event(conn, "response.done")
        reply_wait = time.monotonic() - started
        audio = b"".join(event.delta for event in during if event.type == "response.audio.delta")
        await conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Thank you."}]}
        )
        item, _ = await wait_for_event(conn, "conversation.item.created")
        return {"created": created, "done": done, "audio": audio, "reply_wait": reply_wait, "item": item}


async def test_a_sample_with_a_10_s_item_timeout_runs_against_the_default_server() -> None:
    async with LocalServer(speech="off", responder=tell_a_long_story) as server:
        assert server.realtime_factor == 10.0
        result = await sample_conversation(server.endpoint)
    done = result["done"].response
    assert done.status == "completed"
    assert done.output[0].content[0].transcript.startswith("Once upon a time")
    reply_seconds = len(result["audio"]) / 48000
    assert reply_seconds > 2 * ITEM_TIMEOUT_S  # at real time its audio alone would outlast the sample's timeout
    # Paced, not dumped: the last 100 ms chunk is due (seconds - 0.1) / 10 after the first one.
    assert result["reply_wait"] >= 0.9 * (reply_seconds - 0.1) / 10
    assert result["item"].item.content[0].text == "Thank you."


async def test_real_time_pacing_remains_an_option() -> None:
    async with (
        LocalServer(speech="off", realtime_factor=1.0, responder=tell_a_long_story) as server,
        connect(endpoint=server.endpoint, credential="k", dialect="openai", model="m") as conn,
    ):
        await conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "A story?"}]}
        )
        await conn.response.create()
        await wait_for_event(conn, "response.output_audio.delta")
        first_at = time.monotonic()
        _, rest = await wait_for_event(conn, "response.output_audio.delta")
        _, more = await wait_for_event(conn, "response.output_audio.delta")
        # Two more 100 ms chunks took at least their 200 ms of playing time: a listener's pace.
        assert time.monotonic() - first_at >= 0.18
        assert not any(event.type == "response.done" for event in rest + more)
    assert math.isinf(LocalServer(realtime_factor=math.inf).realtime_factor)
