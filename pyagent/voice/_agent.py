"""The agent: who the assistant is (instructions) and what it can do (tools)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pyagent.voice._tools import Tool, as_tool
from pyagent.voice.errors import ToolDefinitionError

__all__ = ["Agent"]

F = TypeVar("F", bound=Callable[..., Any])


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

    Args:
        name: the agent's name (for logs and the user; not sent to the model).
        instructions: the system instructions sent with the session.
        tools: functions or :func:`~pyagent.tool` objects.
        tool_choice: ``"auto"``, ``"none"``, ``"required"`` or a tool's name.
        temperature: sampling temperature, where the service takes one.

    Raises:
        ToolDefinitionError: a tool cannot be described, or two tools share a name.
    """

    def __init__(
        self,
        name: str = "assistant",
        instructions: str = "",
        tools: Iterable[Tool[..., Any] | Callable[..., Any]] = (),
        *,
        tool_choice: str = "auto",
        temperature: float | None = None,
    ) -> None:
        self.name = name
        self.instructions = instructions
        self.tool_choice = tool_choice
        self.temperature = temperature
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
