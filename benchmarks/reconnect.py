"""What a user meets when the session changes connection: how long the gap lasts, and how late the next answer is.

Against the local server on loopback (offline speech, audio sent as soon as it is made), in this process. A session
with H earlier turns of history (typed turns, each answered) is ended by the service at its maximum duration
(``session_expired`` then 1001, as OpenAI does); the session reconnects at once, sends its configuration, replays the
H turns and goes on. A turn typed at the moment the close arrives waits for the restore, then is answered.

Measured, median of several rounds (wall clock, the machine is shared, so read the ratios):

(a) the gap: from the ``reconnecting`` event to ``reconnected`` (calls wait this long; audio is buffered), against
    the baseline of a fresh ``connect()`` to the same server (handshake, ``session.created``, configuration);
(b) the answer to the turn typed at the close: time to its first audio, against the same turn on a connection that
    stays open;
(c) a renewal (the session moving between turns before the maximum): its gap, against the same baseline.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable

from pyagent import VoiceSession
from pyagent.server import LocalServer
from pyagent.voice import ReconnectPolicy

HISTORIES = (0, 10, 40)
ROUNDS = 5
LIMIT_SECONDS = 1.5  # the local server's maximum session duration: long enough to type the history first


async def first_audio(voice: VoiceSession, words: str) -> float:
    """Seconds from typing ``words`` to the first audio of their answer (the rest of the answer is read too)."""
    started = time.perf_counter()
    await voice.send_text(words)
    first = math.nan
    async for chunk in voice.stream_receive():
        if chunk.kind == "audio" and math.isnan(first):
            first = time.perf_counter() - started
    return first


async def fresh_connect(endpoint: str) -> float:
    started = time.perf_counter()
    session = VoiceSession(model="gpt-realtime", endpoint=endpoint, dialect="openai", reconnect=False)
    await session.connect()
    took = time.perf_counter() - started
    await session.disconnect()
    return took


async def one_reconnect(history: int, *, renew: bool) -> tuple[float, float]:
    """(gap, first audio of the turn typed at the close) for one session with ``history`` earlier turns."""
    async with LocalServer(speech="off", realtime_factor=math.inf, max_session_seconds=LIMIT_SECONDS) as server:
        policy = ReconnectPolicy(max_session_seconds=LIMIT_SECONDS, renew_before_expiry=renew)
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=policy)
        marks: dict[str, float] = {}
        reconnected = asyncio.Event()
        answer: list[asyncio.Task[float]] = []

        def on_reconnecting() -> None:
            marks["lost"] = time.perf_counter()
            if not renew:  # a turn typed at the moment the service ends the session
                answer.append(asyncio.create_task(first_audio(session, "are you there")))

        def on_reconnected() -> None:
            marks["back"] = time.perf_counter()
            reconnected.set()

        session.on("reconnecting")(on_reconnecting)
        session.on("reconnected")(on_reconnected)
        async with session.connect() as voice:
            for turn in range(history):
                await voice.send_text(f"this is turn {turn}")
                await voice.receive()
            async with asyncio.timeout(LIMIT_SECONDS * 3):
                await reconnected.wait()
                late = await answer[0] if answer else math.nan
        return marks["back"] - marks["lost"], late


async def medians(rounds: int, measure: Callable[[], Awaitable[float]]) -> float:
    return statistics.median([await measure() for _ in range(rounds)])


async def run() -> None:
    async with LocalServer(speech="off", realtime_factor=math.inf) as server:
        connect_s = await medians(ROUNDS, lambda: fresh_connect(server.endpoint))
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=False)
        async with session.connect() as voice:
            steady_s = statistics.median([await first_audio(voice, "are you there") for _ in range(ROUNDS)])
    print(f"baseline: fresh connect() {connect_s * 1000:.1f} ms; first audio of a typed turn {steady_s * 1000:.1f} ms")
    print("(a) the gap after the service ends the session, (b) first audio of the turn typed at that moment:")
    for history in HISTORIES:
        rows = [await one_reconnect(history, renew=False) for _ in range(ROUNDS)]
        gap = statistics.median(row[0] for row in rows)
        late = statistics.median(row[1] for row in rows)
        print(
            f"  history {history:>2} turns: gap {gap * 1000:6.1f} ms ({gap / connect_s:4.2f}x a fresh connect), "
            f"first audio {late * 1000:6.1f} ms ({late / steady_s:4.2f}x an open connection)"
        )
    print("(c) a renewal between turns:")
    for history in HISTORIES:
        gaps = [(await one_reconnect(history, renew=True))[0] for _ in range(ROUNDS)]
        gap = statistics.median(gaps)
        print(f"  history {history:>2} turns: gap {gap * 1000:6.1f} ms ({gap / connect_s:4.2f}x a fresh connect)")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
