"""Phone calls end to end: simulated carriers against the phone server (or a websockets server) and the local server."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import pathlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from conftest import FIXTURES
from pyagent import Agent, VoiceSession
from pyagent.audio import AudioFormat, convert, load_audio
from pyagent.server import LocalServer, Reply, ResponderContext
from pyagent.telephony import PhoneServer, current_call

AUDIO = FIXTURES / "audio"
ULAW = AudioFormat(8000, 1, "g711_ulaw")
LONG_ANSWER = (
    "Here is a long answer, so that the caller has time to talk over it. It goes on about the weather in Paris, "
    "the clouds over the river, the wind along the boulevards and the rain that may come in the evening, and it "
    "does not stop for a good while yet."
)


def speech(name: str, fmt: AudioFormat) -> bytes:
    pcm = load_audio(AUDIO / name)
    return convert(pcm, AudioFormat(24000), fmt)


@pytest.fixture(scope="session")
def question_ulaw() -> bytes:
    """ "What is the weather in Paris?" as µ-law 8 kHz, the way a phone line carries it."""
    return speech("hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav", ULAW)


@pytest.fixture(scope="session")
def stop_ulaw() -> bytes:
    """ "Stop, wait a moment." as µ-law 8 kHz."""
    return speech("hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav", ULAW)


@dataclasses.dataclass
class CallLog:
    """What the agent's side saw of the calls: the sessions, their events, and what the tools read of the call."""

    sessions: list[VoiceSession] = dataclasses.field(default_factory=list)
    responses: list[Any] = dataclasses.field(default_factory=list)
    interruptions: list[tuple[float, Any]] = dataclasses.field(default_factory=list)
    digits: list[str] = dataclasses.field(default_factory=list)
    tool_calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    async def wait_responses(self, count: int) -> None:
        await wait_until(lambda: len(self.responses) >= count)


def weather_agent(log: CallLog) -> Agent:
    def get_weather(city: str) -> str:
        """The current weather in a city.

        Args:
            city: the city's name, for example "Paris".
        """
        call = current_call()
        log.tool_calls.append({"city": city, "call_id": call.call_id, "stream_id": call.stream_id, **call.parameters})
        return "sunny, 22 degrees Celsius"

    return Agent("forecaster", "You tell the weather. Use get_weather.", tools=[get_weather])


def session_factory(log: CallLog, endpoint: str, dialect: str, *, reconnect: bool = True) -> Callable[[], VoiceSession]:
    def make() -> VoiceSession:
        session = VoiceSession(
            model="gpt-realtime", endpoint=endpoint, dialect=dialect, agent=weather_agent(log), reconnect=reconnect
        )
        loop = asyncio.get_running_loop()
        session.on("response_done")(log.responses.append)
        session.on("interrupted")(lambda interruption: log.interruptions.append((loop.time(), interruption)))
        session.on("dtmf")(log.digits.append)
        log.sessions.append(session)
        return session

    return make


def long_then_short(context: ResponderContext) -> Reply:
    """The first answer is long (to barge in on), every later one short."""
    answered = sum(1 for item in context.items if item.get("role") == "assistant")
    return Reply(text=LONG_ANSWER if answered == 0 else "All right, I stopped.")


@pytest.fixture
async def local(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    """The local server with its default responder (it calls the tool the words name), recording every session."""
    async with LocalServer(realtime_factor=math.inf, record_dir=tmp_path / "sessions", seed=1) as server:
        yield server


@pytest.fixture
async def talkative(tmp_path: pathlib.Path) -> AsyncIterator[LocalServer]:
    """A local server whose first answer is long, streamed faster than real time (the carrier buffers it)."""
    async with LocalServer(
        realtime_factor=math.inf, record_dir=tmp_path / "sessions", seed=1, responder=long_then_short
    ) as server:
        yield server


async def phone_server(log: CallLog, backend: LocalServer, dialect: str, **options: Any) -> PhoneServer:
    server = PhoneServer(session_factory(log, backend.endpoint, dialect), port=0, **options)
    await server.start()
    return server


async def wait_until(condition: Callable[[], bool], within: float = 30.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the condition is the call's, not an Event of ours
            await asyncio.sleep(0.01)


def bridge_tasks() -> list[asyncio.Task[Any]]:
    """Tasks of a call still alive: the bridge's and its session's."""
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(("pyagent-phone-player", "pyagent-phone-drain", "pyagent-voice"))
        and not task.done()
    ]
