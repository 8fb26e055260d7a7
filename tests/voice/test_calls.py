"""What users pass to the session's calls, and calls made at once: typed errors at the call, turns that never mix,
answers cut after they were handed over, tools that hang or exit."""

from __future__ import annotations

import asyncio
import math
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pyagent import Agent, VoiceSession
from pyagent.audio import ManualClock
from pyagent.server import LocalServer, Reply, ResponderContext
from pyagent.voice import ConfigurationError, ConfigurationTypeError, Interruption, VoiceResponse


async def test_wrong_arguments_are_typed_errors_at_the_call(weather_audio: bytes) -> None:
    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            for audio in ("hello", None, 5, {"a": 1}, ["text"]):
                with pytest.raises(ConfigurationTypeError, match="audio as bytes"):
                    await voice.respond(audio)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationTypeError, match="send_text"):
                await voice.send_audio("abc")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationTypeError, match="commit"):
                await voice.send_audio(weather_audio, commit="yes")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationTypeError):
                await voice.send_text(None)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError, match="empty"):
                await voice.send_text("  ")
            with pytest.raises(ConfigurationTypeError, match="async iterable"):
                voice.set_audio_source("abc")  # type: ignore[arg-type]
            for timeout in (math.nan, -1, math.inf):
                with pytest.raises(ConfigurationError, match="timeout"):
                    await voice.listen(timeout=timeout)
            # Nothing was left behind: the next turn is answered, and no stale error waits in receive().
            response = await voice.respond(weather_audio)
            assert response.input_transcript == "what is the weather in paris"
            assert not voice.has_pending_response


async def test_two_responds_at_once_are_two_whole_exchanges(weather_audio: bytes, stop_audio: bytes) -> None:
    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            first, second = await asyncio.gather(voice.respond(weather_audio), voice.respond(stop_audio))
            items = [(item.role, item.text) for item in voice.conversation]
    assert first.input_transcript == "what is the weather in paris"
    assert second.input_transcript.startswith("stop")
    assert (first.interrupted, second.interrupted) == (False, False)
    assert [role for role, _ in items] == ["user", "assistant", "user", "assistant"]


def long_answer(context: ResponderContext) -> Reply:
    return Reply(text="Here is a long answer that goes on and on for quite a while. " * 3)


async def test_an_answer_cut_after_it_was_handed_over_says_so(weather_audio: bytes) -> None:
    """The service sends audio faster than it plays: the answer is complete before the user interrupts it."""
    clock = ManualClock()
    interruptions: list[Interruption] = []
    async with LocalServer(responder=long_answer) as server:  # the default pacing: 10x real time
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="voicelive", clock=clock)
        session.on("interrupted")(interruptions.append)
        done = asyncio.Event()
        session.on("response_done")(lambda response: done.set())
        async with session.connect() as voice:
            await voice.send_audio(weather_audio, commit=True)
            async with asyncio.timeout(30):
                await done.wait()
            clock.advance(1.0)  # the user has heard one second of it
            assert await voice.interrupt()
            response: VoiceResponse = await voice.receive()
            async with asyncio.timeout(10):  # the service confirms the truncation
                while (item := voice.conversation.get(response.item_ids[0])) and item.truncated_at_ms is None:  # noqa: ASYNC110 - the mirror, not an Event of ours
                    await asyncio.sleep(0.01)
    assert interruptions[0].audio_end_ms == 1000
    assert response.interrupted
    assert response.audio_end_ms == 1000
    assert response.timings.heard_ms == 1000
    assert response.status == "completed"  # the service's word: it finished the answer before the user cut it
    assert item is not None
    assert item.truncated_at_ms == 1000
    assert item.transcript == "Here is a long"  # the words heard, not the whole answer the service dropped


async def test_a_tool_that_hangs_or_exits_ends_its_call_not_the_conversation(weather_audio: bytes) -> None:
    async def get_weather(city: str) -> str:
        """The weather.

        Args:
            city: the city.
        """
        await asyncio.sleep(3600)
        return "never"

    def get_time(zone: str) -> str:
        """The time.

        Args:
            zone: the zone.
        """
        sys.exit(3)

    agent = Agent("helper", "You help.", tools=[get_weather, get_time], tool_timeout=0.2)
    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            hung = await voice.respond(weather_audio)
            await voice.send_text("what time is it")
            exited = await voice.receive()
    assert hung.tool_calls[0].error == "get_weather did not finish within 0.2 s"
    assert exited.tool_calls[0].error is not None
    assert "SystemExit" in exited.tool_calls[0].error
    assert exited.status == "completed"


@pytest.mark.parametrize("timeout", [0, -1, math.nan, "5", True])
def test_a_tool_timeout_is_checked(timeout: Any) -> None:
    with pytest.raises(ConfigurationError):
        Agent("a", tool_timeout=timeout)


async def test_a_chunk_that_is_not_audio_ends_only_its_turn(weather_audio: bytes) -> None:
    async def chunks() -> AsyncIterator[Any]:
        yield weather_audio[:4800]
        yield "oops"

    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            with pytest.raises(ConfigurationTypeError, match="a chunk of"):
                await voice.respond(chunks())
            response = await voice.respond(weather_audio)
    assert response.input_transcript == "what is the weather in paris"


@pytest.mark.parametrize(("audio", "says"), [(b"", "0 ms"), (b"abc", "whole number"), (b"\x00\x00" * 240, "10 ms")])
async def test_a_turn_too_short_to_be_one_is_refused_at_the_call(audio: bytes, says: str) -> None:
    async def short() -> AsyncIterator[bytes]:
        yield b"\x00\x00" * 240

    async with LocalServer() as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")
        async with session.connect() as voice:
            with pytest.raises(ConfigurationError, match=says):
                await voice.respond(audio)
            with pytest.raises(ConfigurationError, match="at least 100 ms"):
                await voice.respond(short())
            assert len(voice.conversation) == 0  # nothing was answered, nothing is left over
            assert not voice.has_pending_response


def test_a_plain_tool_that_never_returns_lets_the_program_end(tmp_path: pathlib.Path) -> None:
    """A thread cannot be stopped: the abandoned one must not hold the interpreter at exit."""
    script = tmp_path / "hung.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, time
            from pyagent import Agent, VoiceSession
            from pyagent.server import LocalServer

            def get_weather(city: str) -> str:
                \"\"\"The weather.

                Args:
                    city: the city.
                \"\"\"
                time.sleep(1000)
                return "never"

            async def main() -> None:
                agent = Agent("a", "b", tools=[get_weather], tool_timeout=0.3)
                async with LocalServer(speech="off") as server:
                    session = VoiceSession(model="gpt-realtime", agent=agent, endpoint=server.endpoint)
                    async with session.connect() as voice:
                        await voice.send_text("what is the weather in paris")
                        print((await voice.receive()).tool_calls[0].error)

            asyncio.run(main())
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "get_weather did not finish within 0.3 s"
