"""The agent: who the assistant is (instructions), what it can do (tools), and what the model hears when a tool
fails."""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from pyagent.voice._tools import Tool, ToolCallRecord, as_tool, error_output
from pyagent.voice.errors import (
    ConfigurationError,
    ConfigurationTypeError,
    ToolArgumentsError,
    ToolDefinitionError,
    ToolError,
)

__all__ = ["Agent", "ToolErrorHandler"]

logger = logging.getLogger("pyagent.voice")

F = TypeVar("F", bound=Callable[..., Any])

ToolErrorHandler = Callable[[str, BaseException], str | Awaitable[str | None] | None]
"""``on_tool_error(tool_name, error) -> message``: what the model is told when a tool raises (sync or async; None
keeps the default message)."""

_TOOL_CHOICES = ("auto", "none", "required")
DEFAULT_TOOL_TIMEOUT = 30.0
"""Seconds a tool may run by default (``Agent(tool_timeout=...)``)."""
_MAX_MESSAGE = 200  # characters of an exception's text the default message keeps: the model needs the gist


class Agent:
    """An assistant's instructions and tools, given to a :class:`~pyagent.voice.VoiceSession`.

    The session sends the instructions and the tools' schemas to the service, runs every function call the model
    makes and sends the result back, so a tool is just a Python function (sync or async)::

        def get_weather(city: str) -> str:
            '''The current weather in a city.

            Args:
                city: the city's name, e.g. "Paris".
            '''
            return f"Sunny and 21 degrees in {city}."

        agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])

    When a tool raises, the session goes on and the model is told ``{"error": message}``: a :class:`ToolError`'s
    own message when the tool raised one (``raise ToolError("no forecast for Atlantis")``), else what
    ``on_tool_error(tool_name, error)`` returns, else ``"<tool> raised <Type>: <first line of the message>"``. The
    failure is logged as one WARNING line, its traceback at DEBUG.

    Args:
        name: the agent's name (for logs and the user; not sent to the model).
        instructions: the system instructions sent with the session.
        tools: functions or :func:`~pyagent.tool` objects.
        tool_choice: ``"auto"``, ``"none"``, ``"required"`` or a tool's name.
        temperature: sampling temperature, where the service takes one (a finite number >= 0).
        on_tool_error: shapes the message the model is told when a tool raises (see above).
        tool_timeout: seconds a tool may run (30 by default); one that takes longer is cancelled and the model is
            told it timed out, so a hung tool never holds the conversation. None lets tools run as long as they take.

    Raises:
        ToolDefinitionError: a tool cannot be described, or two tools share a name.
        ConfigurationError: a setting out of range (an unknown ``tool_choice``, a NaN temperature).
        ConfigurationTypeError: a setting of the wrong kind (``tools`` that is not a list of functions).
    """

    def __init__(
        self,
        name: str = "assistant",
        instructions: str = "",
        tools: Iterable[Tool[..., Any] | Callable[..., Any]] = (),
        *,
        tool_choice: str = "auto",
        temperature: float | None = None,
        on_tool_error: ToolErrorHandler | None = None,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
    ) -> None:
        _check_arguments(name, instructions, tools, tool_choice, temperature, on_tool_error)
        if tool_timeout is not None:
            wanted = f"tool_timeout must be a number of seconds above 0, or None, not {tool_timeout!r}"
            if isinstance(tool_timeout, bool) or not isinstance(tool_timeout, int | float):
                raise ConfigurationTypeError(wanted)
            if not 0 < tool_timeout < math.inf:
                raise ConfigurationError(wanted)
        self.tool_timeout = tool_timeout
        self.name = name
        self.instructions = instructions
        self.tool_choice = tool_choice
        self.temperature = temperature
        self.on_tool_error = on_tool_error
        self._tools: dict[str, Tool[..., Any]] = {}
        for item in tools:
            self.add_tool(item)

    def __repr__(self) -> str:
        return f"Agent({self.name!r}, tools={list(self._tools)!r})"

    @property
    def tools(self) -> list[Tool[..., Any]]:
        """The agent's tools, in the order they were added."""
        return list(self._tools.values())

    def add_tool(self, function: Tool[..., Any] | Callable[..., Any]) -> Tool[..., Any]:
        """Add a function or tool; return the :class:`Tool`.

        Raises:
            ToolDefinitionError: it cannot be described, or a tool of that name exists.
        """
        new = as_tool(function)
        if new.name in self._tools:
            raise ToolDefinitionError(f"agent {self.name!r} already has a tool named {new.name!r}")
        self._tools[new.name] = new
        return new

    def tool(self, function: F) -> F:
        """Decorator adding a function to the agent's tools; the function is returned unchanged."""
        self.add_tool(function)
        return function

    def get_tool(self, name: str) -> Tool[..., Any] | None:
        """The tool of that name, or None."""
        return self._tools.get(name)

    def session_fields(self) -> Mapping[str, Any]:
        """The flat session fields this agent sets: instructions, tools, tool_choice, temperature."""
        fields: dict[str, Any] = {"instructions": self.instructions}
        if self._tools:
            fields["tools"] = [t.to_wire() for t in self._tools.values()]
            fields["tool_choice"] = self.tool_choice
        if self.temperature is not None:
            fields["temperature"] = self.temperature
        return fields

    async def run_tool_call(self, name: str, call_id: str, arguments: str) -> ToolCallRecord:
        """Run one function call the model made and say what to send back; never raises for the tool's faults.

        An unknown tool or arguments that do not fit the schema are told to the model as they are (logged at INFO);
        a :class:`ToolError` the tool raised is told as its message (INFO); any other exception is told as
        ``on_tool_error`` shapes it (one WARNING line, the traceback at DEBUG).

        Args:
            name: the tool's name, as the model called it.
            call_id: the call's id, echoed in the ``function_call_output``.
            arguments: the arguments, as the JSON text the model sent.

        Returns:
            The record: ``output`` is the ``function_call_output`` to send (the result, or ``{"error": ...}``),
            ``error`` the message when the call failed.
        """
        found = self._tools.get(name)
        if found is None:
            message = f"there is no tool named {name!r} (tools: {', '.join(self._tools) or 'none'})"
            logger.info("the model called %r, but %s", name, message)
            return ToolCallRecord(call_id, name, arguments, error_output(message), message)
        deadline = asyncio.timeout(self.tool_timeout)
        task = asyncio.current_task()
        failure: BaseException
        try:
            async with deadline:
                output = await found.invoke(arguments)
        except TimeoutError as exc:
            if deadline.expired():  # the agent's limit, not a TimeoutError the tool raised itself
                return self._abandoned(name, call_id, arguments)
            failure = exc
        except (ToolArgumentsError, ToolError) as exc:
            # Arguments the schema refused, or a message the tool chose for the model: answers, not failures.
            logger.info("tool %s: %s", name, exc)
            return ToolCallRecord(call_id, name, arguments, error_output(str(exc)), str(exc))
        except asyncio.CancelledError as exc:
            if task is not None and task.cancelling():
                raise  # this call was cancelled (the session closing, a barge-in): not the tool's fault
            failure = exc  # the tool raised CancelledError of its own: a failure like any other, or the turn would hang
        except (Exception, SystemExit) as exc:  # a tool calling sys.exit() ends its call, not the conversation
            failure = exc
        else:
            if deadline.expired():  # the tool swallowed the cancellation at the limit and returned late
                return self._abandoned(name, call_id, arguments)
            return ToolCallRecord(call_id, name, arguments, output)
        detail = _first_line(failure)
        logger.warning("tool %s raised %s%s", name, type(failure).__name__, f": {detail}" if detail else "")
        logger.debug("tool %s raised", name, exc_info=failure)
        message = await self._tool_error_message(name, failure)
        return ToolCallRecord(call_id, name, arguments, error_output(message), message)

    def _abandoned(self, name: str, call_id: str, arguments: str) -> ToolCallRecord:
        message = f"{name} did not finish within {self.tool_timeout:g} s"
        logger.warning("tool %s: %s; the model is told so", name, message)
        return ToolCallRecord(call_id, name, arguments, error_output(message), message)

    async def _tool_error_message(self, name: str, error: BaseException) -> str:
        detail = _first_line(error)
        default = f"{name} raised {type(error).__name__}" + (f": {detail}" if detail else "")
        if self.on_tool_error is None:
            return default
        try:
            shaped = self.on_tool_error(name, error)
            if inspect.isawaitable(shaped):
                shaped = await shaped
        except Exception as exc:
            logger.warning("on_tool_error raised %s: %s; the model gets the default message", type(exc).__name__, exc)
            return default
        return str(shaped) if shaped is not None else default


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _check_arguments(
    name: object,
    instructions: object,
    tools: object,
    tool_choice: object,
    temperature: object,
    on_tool_error: object,
) -> None:
    if not isinstance(name, str) or not name:
        raise ConfigurationTypeError(f"an agent's name must be a non-empty str, not {name!r}")
    if not isinstance(instructions, str):
        raise ConfigurationTypeError(f"instructions must be a str, not {type(instructions).__name__}")
    if isinstance(tools, str | bytes | Mapping) or not isinstance(tools, Iterable):
        raise ConfigurationTypeError(f"tools must be a list of functions or tools, not {type(tools).__name__}")
    if not isinstance(tool_choice, str):
        raise ConfigurationTypeError(f"tool_choice must be a str, not {type(tool_choice).__name__}")
    if tool_choice not in _TOOL_CHOICES and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tool_choice):
        raise ConfigurationError(
            f"tool_choice must be {', '.join(map(repr, _TOOL_CHOICES))} or a tool's name, not {tool_choice!r}"
        )
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise ConfigurationTypeError(f"temperature must be a number or None, not {temperature!r}")
        if not math.isfinite(temperature) or temperature < 0:
            raise ConfigurationError(f"temperature must be a finite number >= 0, not {temperature!r}")
    if on_tool_error is not None and not callable(on_tool_error):
        raise ConfigurationTypeError(
            f"on_tool_error must be a function (tool_name, error) -> message, not {type(on_tool_error).__name__}"
        )
