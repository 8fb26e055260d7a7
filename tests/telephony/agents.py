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
