"""An agent for ``pyagent phone --agent telephony.agents:receptionist`` in the command's own test."""

from __future__ import annotations

from pyagent import Agent


def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: the city's name.
    """
    return f"sunny in {city}"


receptionist = Agent("receptionist", "You answer the phone. Use get_weather.", tools=[get_weather])


def make_receptionist() -> Agent:
    """A function returning the Agent, as ``--agent telephony.agents:make_receptionist`` takes it."""
    return receptionist


def make_a_name() -> str:
    return "receptionist"


def make_for(name: str) -> Agent:
    return Agent(name, "You answer the phone.")


def make_nothing_today() -> Agent:
    raise RuntimeError("no agent today")
