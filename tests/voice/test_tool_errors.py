"""A tool that fails: one WARNING line (traceback at DEBUG), a short message the developer shapes for the model
(``on_tool_error`` or ``raise ToolError(...)``), and warnings at definition time for tools the model may misuse."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pyagent import Agent, VoiceSession, tool
from pyagent.server import LocalServer, Reply, ResponderContext, ToolCall
from pyagent.voice import ConfigurationTypeError, ToolDefinitionWarning, ToolError, VoiceResponse


def scripted(context: ResponderContext) -> Reply:
    """Calls the tool the typed text names (``{"name": ..., "arguments": ...}``), then reads the outputs back."""
    outputs = context.pending_tool_outputs
    if outputs:
        return Reply(text=" | ".join(str(item.get("output")) for item in outputs))
    request = json.loads(context.transcript)
    return Reply(tool_calls=[ToolCall(request["name"], request["arguments"])])


@pytest.fixture
async def tool_server() -> AsyncIterator[LocalServer]:
    async with LocalServer(responder=scripted, speech="off", realtime_factor=math.inf) as srv:
        yield srv


def forecast(city: str) -> str:
    """The forecast for a city.

    Args:
        city: the city's name.
    """
    if city == "Atlantis":
        raise ToolError("no forecast for Atlantis: ask the user for another city")
    raise ConnectionRefusedError("[Errno 111] weather backend at 10.1.2.3:5432 refused\nsecond line of detail")


async def ask(voice: VoiceSession, city: str) -> VoiceResponse:
    await voice.send_text(json.dumps({"name": "forecast", "arguments": {"city": city}}))
    return await voice.receive()


def tool_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "pyagent.voice" and r.levelno == level and "forecast" in r.message]


async def test_a_raising_tool_logs_one_warning_line_and_the_model_hears_a_short_error(
    tool_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pyagent.voice")
    session = VoiceSession(agent=Agent("t", "Use forecast.", tools=[forecast]), endpoint=tool_server.endpoint)
    async with session.connect() as voice:
        response = await ask(voice, "Paris")
    record = response.tool_calls[0]
    expected = "forecast raised ConnectionRefusedError: [Errno 111] weather backend at 10.1.2.3:5432 refused"
    assert record.error == expected  # one line: the second line of the exception stays in the log
    assert json.loads(record.output) == {"error": expected}
    assert response.transcript == record.output  # the (scripted) model read back what it was told
    warning_lines = tool_records(caplog, logging.WARNING)
    assert len(warning_lines) == 1
    assert "\n" not in warning_lines[0].getMessage()
    assert warning_lines[0].exc_info is None  # no traceback at WARNING...
    debug = [r for r in tool_records(caplog, logging.DEBUG) if r.exc_info is not None]
    assert len(debug) == 1  # ... it is at DEBUG
    assert debug[0].exc_info is not None
    assert debug[0].exc_info[0] is ConnectionRefusedError


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_on_tool_error_shapes_what_the_model_is_told(
    tool_server: LocalServer, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    seen: list[tuple[str, type[BaseException]]] = []

    def shape(name: str, error: Exception) -> str:
        seen.append((name, type(error)))
        return "the weather service is down; say so and offer to try later"

    async def shape_async(name: str, error: Exception) -> str:
        return shape(name, error)

    agent = Agent("t", "Use forecast.", tools=[forecast], on_tool_error=shape if kind == "sync" else shape_async)
    async with VoiceSession(agent=agent, endpoint=tool_server.endpoint).connect() as voice:
        record = (await ask(voice, "Paris")).tool_calls[0]
    assert seen == [("forecast", ConnectionRefusedError)]
    assert json.loads(record.output) == {"error": "the weather service is down; say so and offer to try later"}
    assert len(tool_records(caplog, logging.WARNING)) == 1  # still logged once


async def test_a_tool_error_message_goes_to_the_model_as_written_and_is_no_failure(
    tool_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pyagent.voice")
    called: list[str] = []
    agent = Agent("t", "Use forecast.", tools=[forecast], on_tool_error=lambda name, error: called.append(name))
    async with VoiceSession(agent=agent, endpoint=tool_server.endpoint).connect() as voice:
        record = (await ask(voice, "Atlantis")).tool_calls[0]
    assert json.loads(record.output) == {"error": "no forecast for Atlantis: ask the user for another city"}
    assert called == []  # the tool chose its message: on_tool_error is for the unexpected
    assert tool_records(caplog, logging.WARNING) == []
    assert any("no forecast for Atlantis" in r.message for r in tool_records(caplog, logging.INFO))


async def test_a_failing_on_tool_error_falls_back_to_the_default(caplog: pytest.LogCaptureFixture) -> None:
    def broken(name: str, error: Exception) -> str:
        raise RuntimeError("bug in the handler")

    agent = Agent("t", tools=[forecast], on_tool_error=broken)
    record = await agent.run_tool_call("forecast", "call_1", '{"city": "Paris"}')
    assert record.error is not None
    assert record.error.startswith("forecast raised ConnectionRefusedError: ")
    assert any("on_tool_error raised RuntimeError" in r.message for r in caplog.records)
    none_agent = Agent("t", tools=[forecast], on_tool_error=lambda name, error: None)
    assert (await none_agent.run_tool_call("forecast", "c", '{"city": "Paris"}')).error == record.error


@pytest.mark.parametrize("kind", ["plain", "async"])
async def test_a_timeout_the_tool_raises_itself_is_its_failure_not_the_agents_limit(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A backend's own TimeoutError is an error like any other (``on_tool_error`` shapes it); only the agent's
    ``tool_timeout`` running out is told as "did not finish"."""

    def plain(city: str) -> str:
        """The weather.

        Args:
            city: the city.
        """
        raise TimeoutError("the weather backend did not answer in 5 s")

    async def hanging(city: str) -> str:
        """The weather.

        Args:
            city: the city.
        """
        if city == "Paris":
            raise TimeoutError("the weather backend did not answer in 5 s")
        await asyncio.sleep(60)
        return "sunny"

    function = plain if kind == "plain" else hanging
    agent = Agent(
        "t", tools=[tool(function, name="weather")], on_tool_error=lambda name, e: f"{name}: {e}", tool_timeout=0.2
    )
    own = await agent.run_tool_call("weather", "c1", '{"city": "Paris"}')
    assert json.loads(own.output) == {"error": "weather: the weather backend did not answer in 5 s"}
    assert any("tool weather raised TimeoutError" in r.message for r in caplog.records)
    if kind == "async":
        limit = await agent.run_tool_call("weather", "c2", '{"city": "Oslo"}')
        assert json.loads(limit.output) == {"error": "weather did not finish within 0.2 s"}


async def test_a_cancelled_error_the_tool_raises_is_its_failure_and_a_real_cancel_goes_through() -> None:
    """A tool raising CancelledError of its own must not hang the turn; cancelling the call itself still cancels."""
    started = asyncio.Event()

    async def flaky(city: str) -> str:
        """The weather.

        Args:
            city: the city.
        """
        if city == "Paris":
            raise asyncio.CancelledError
        started.set()
        await asyncio.sleep(60)
        return "sunny"

    agent = Agent("t", tools=[tool(flaky, name="weather")])
    own = await agent.run_tool_call("weather", "c1", '{"city": "Paris"}')
    assert json.loads(own.output) == {"error": "weather raised CancelledError"}
    call = asyncio.create_task(agent.run_tool_call("weather", "c2", '{"city": "Oslo"}'))
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call


async def test_a_tool_that_swallows_its_cancellation_at_the_limit_is_still_abandoned() -> None:
    async def stubborn(city: str) -> str:
        """The weather.

        Args:
            city: the city.
        """
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            return "swallowed"
        return "sunny"

    agent = Agent("t", tools=[tool(stubborn, name="weather")], tool_timeout=0.1)
    record = await agent.run_tool_call("weather", "c1", '{"city": "Paris"}')
    assert json.loads(record.output) == {"error": "weather did not finish within 0.1 s"}


def test_a_tool_timeout_of_the_wrong_kind_is_a_type_error() -> None:
    with pytest.raises(ConfigurationTypeError, match="tool_timeout"):
        Agent("t", tool_timeout="5")  # type: ignore[arg-type]


async def test_run_tool_call_outcomes() -> None:
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    agent = Agent("t", tools=[add])
    ok = await agent.run_tool_call("add", "c1", '{"a": 2, "b": 3}')
    assert (ok.call_id, ok.name, ok.output, ok.error) == ("c1", "add", "5", None)
    bad = await agent.run_tool_call("add", "c2", '{"a": "two", "b": 3}')
    assert bad.error == "invalid arguments for 'add': $.a: expected integer, got string"
    missing = await agent.run_tool_call("nope", "c3", "{}")
    assert json.loads(missing.output) == {"error": "there is no tool named 'nope' (tools: add)"}


def test_definition_time_warnings_point_at_the_users_code() -> None:
    def untyped(city, days=3):  # type: ignore[no-untyped-def]
        """The forecast."""
        return city

    with pytest.warns(ToolDefinitionWarning) as caught:
        Agent("t", tools=[untyped])
    messages = [str(w.message) for w in caught]
    assert any("parameter 'city' has no type hint" in m and "'string'" in m for m in messages)
    assert any("parameter 'days' has no type hint" in m and "`days: int`" in m for m in messages)
    assert {w.filename for w in caught} == {__file__}  # the line that defined the agent, not pyagent's

    with pytest.warns(ToolDefinitionWarning, match="has no description") as caught:

        @tool
        def undocumented(city: str) -> str:
            return city

    assert caught[0].filename == __file__


def test_a_well_described_tool_warns_nothing() -> None:
    def described(city: str) -> str:
        """The forecast.

        Args:
            city: the city.
        """
        return city

    def no_docstring_but_described(city: str) -> str:
        return city

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Agent("t", tools=[described, tool(no_docstring_but_described, description="The forecast.")])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"tools": 3}, "tools must be a list"),
        ({"tools": "forecast"}, "tools must be a list"),
        ({"name": ""}, "name must be a non-empty str"),
        ({"tool_choice": "any tool please"}, "tool_choice must be"),
        ({"temperature": math.nan}, "temperature must be a finite number"),
        ({"on_tool_error": "log it"}, "on_tool_error must be a function"),
    ],
)
def test_agent_refuses_bad_settings(kwargs: dict[str, Any], fragment: str) -> None:
    from pyagent import ConfigurationError

    with pytest.raises(ConfigurationError, match=fragment):
        Agent(**kwargs)


def test_tool_call_record_is_still_exported_where_it_was() -> None:
    from pyagent.voice import ToolCallRecord
    from pyagent.voice.session import ToolCallRecord as FromSession

    assert ToolCallRecord is FromSession
