"""Tools: the JSON schema from a function's signature and docstring, argument validation, invocation."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Annotated, Any, Literal, Optional, TypedDict

import pytest

from pyagent import Agent, tool
from pyagent.voice._tools import Tool, parse_docstring, schema_for_type, validate
from pyagent.voice.errors import ToolArgumentsError, ToolDefinitionError

# Schema tests describe undocumented functions on purpose; the definition-time warnings they earn are tested in
# test_tool_errors.py.
pytestmark = pytest.mark.filterwarnings("ignore::pyagent.voice.errors.ToolDefinitionWarning")


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


@dataclasses.dataclass
class Place:
    city: str
    country: str = "FR"


class Opaque:
    pass


class Window(TypedDict):
    start: int
    end: int


def get_weather(city: str, unit: Unit = Unit.CELSIUS, days: int = 1) -> str:
    """The current weather in a city.

    Longer text that is not the summary.

    Args:
        city: the city's name,
            for example "Paris".
        unit (Unit): the temperature unit.
        days: how many days ahead.

    Returns:
        A sentence.
    """
    return f"{city}: sunny, {unit.value}, {days}"


def test_schema_from_signature_and_docstring() -> None:
    t = Tool(get_weather)
    assert t.name == "get_weather"
    assert t.description == "The current weather in a city."
    assert t.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": 'the city\'s name, for example "Paris".'},
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "description": "the temperature unit.",
                "default": "celsius",
            },
            "days": {"type": "integer", "description": "how many days ahead.", "default": 1},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert t.to_wire() == {
        "type": "function",
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": t.parameters,
    }


@pytest.mark.parametrize(
    ("hint", "schema"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (bool, {"type": "boolean"}),
        (Any, {}),
        (Optional[int], {"type": ["integer", "null"]}),  # noqa: UP045 - the spelling is what is tested
        (int | str | None, {"type": ["integer", "string", "null"]}),
        (Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}),
        (Literal[1, 2], {"type": "integer", "enum": [1, 2]}),
        (list[str], {"type": "array", "items": {"type": "string"}}),
        (tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
        (dict[str, float], {"type": "object", "additionalProperties": {"type": "number"}}),
        (Unit, {"type": "string", "enum": ["celsius", "fahrenheit"]}),
        (Annotated[str, "a place"], {"type": "string", "description": "a place"}),
        (
            list[Place] | None,
            {
                "anyOf": [
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
                            "required": ["city"],
                            "additionalProperties": False,
                        },
                    },
                    {"type": "null"},
                ]
            },
        ),
        (
            Window,
            {
                "type": "object",
                "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}},
                "required": ["end", "start"],
                "additionalProperties": False,
            },
        ),
    ],
)
def test_schema_for_type(hint: Any, schema: dict[str, Any]) -> None:
    assert schema_for_type(hint) == schema


def test_undescribable_types_are_clear_errors() -> None:
    def bad(x: Opaque) -> None: ...

    def star(*args: int) -> None: ...

    def keys(x: dict[int, str]) -> None: ...

    with pytest.raises(ToolDefinitionError, match="parameter 'x'"):
        Tool(bad)
    with pytest.raises(ToolDefinitionError, match=r"\*args"):
        Tool(star)
    with pytest.raises(ToolDefinitionError, match="keys are strings"):
        Tool(keys)
    with pytest.raises(ToolDefinitionError, match="1-64"):
        Tool(get_weather, name="no spaces please")


def test_docstring_styles() -> None:
    summary, args = parse_docstring(":param city: where\n:param int days: how long")
    assert summary == ""
    assert args == {"city": "where", "days": "how long"}
    summary, args = parse_docstring("Line one\ncontinues.\n\nArgs:\n    a: first\n    b (int): second\n        more\n")
    assert summary == "Line one continues."
    assert args == {"a": "first", "b": "second more"}
    assert parse_docstring(None) == ("", {})


def test_decorator_forms_keep_the_function_callable() -> None:
    @tool
    def add(a: int, b: int = 2) -> int:
        """Add."""
        return a + b

    @tool(name="mul", description="Multiply two numbers.")
    def multiply(a: float, b: float) -> float:
        return a * b

    assert isinstance(add, Tool)
    assert add(1) == 3
    assert add.__name__ == "add"
    assert (multiply.name, multiply.description) == ("mul", "Multiply two numbers.")
    assert multiply(2.0, 3.0) == 6.0


def test_untyped_parameters_take_their_default_type() -> None:
    def f(a, b=3):  # type: ignore[no-untyped-def]
        return a

    t = Tool(f)
    assert t.parameters["properties"] == {"a": {"type": "string"}, "b": {"type": "integer", "default": 3}}


def test_validation_messages_name_the_fault() -> None:
    t = Tool(get_weather)
    with pytest.raises(ToolArgumentsError, match=r"missing required argument 'city'"):
        t.parse_arguments("{}")
    with pytest.raises(ToolArgumentsError, match=r"\$\.city: expected string, got integer"):
        t.parse_arguments('{"city": 3}')
    with pytest.raises(ToolArgumentsError, match=r"'kelvin' is not one of 'celsius', 'fahrenheit'"):
        t.parse_arguments('{"city": "Paris", "unit": "kelvin"}')
    with pytest.raises(ToolArgumentsError, match=r"unexpected argument 'town'"):
        t.parse_arguments('{"city": "Paris", "town": "x"}')
    with pytest.raises(ToolArgumentsError, match="not valid JSON"):
        t.parse_arguments("{city: Paris}")
    with pytest.raises(ToolArgumentsError, match="must be a JSON object, got array"):
        t.parse_arguments("[1]")
    with pytest.raises(ToolArgumentsError, match=r"\$\.days: expected integer, got boolean"):
        t.parse_arguments('{"city": "Paris", "days": true}')


def test_validate_nested() -> None:
    schema = schema_for_type(list[Place])
    assert validate([{"city": "Paris"}], schema) == []
    assert validate([{"country": "FR"}], schema) == ["$[0]: missing required argument 'city'"]
    assert validate([1, {"city": 2}], schema) == [
        "$[0]: expected object, got integer",
        "$[1].city: expected string, got integer",
    ]


def test_arguments_are_converted_to_the_functions_types() -> None:
    seen: dict[str, Any] = {}

    def plan(places: list[Place], unit: Unit, ratio: float, window: tuple[int, int], count: int = 0) -> None:
        seen.update(places=places, unit=unit, ratio=ratio, window=window, count=count)

    args = Tool(plan).parse_arguments(
        {"places": [{"city": "Paris"}], "unit": "fahrenheit", "ratio": 2, "window": [1, 2], "count": 3.0}
    )
    plan(**args)
    assert seen == {
        "places": [Place("Paris")],
        "unit": Unit.FAHRENHEIT,
        "ratio": 2.0,
        "window": (1, 2),
        "count": 3,
    }
    assert isinstance(seen["ratio"], float)
    assert isinstance(seen["count"], int)


async def test_invoke_sync_async_and_outputs() -> None:
    @tool
    async def forecast(city: str) -> dict[str, Any]:
        """Async tool returning data."""
        return {"city": city, "unit": Unit.CELSIUS, "place": Place(city)}

    assert await Tool(get_weather).invoke('{"city": "Paris"}') == "Paris: sunny, celsius, 1"
    out = json.loads(await forecast.invoke({"city": "Oslo"}))
    assert out == {"city": "Oslo", "unit": "celsius", "place": {"city": "Oslo", "country": "FR"}}
    assert forecast.is_async


async def test_invoke_raises_what_the_function_raises() -> None:
    def broken(city: str) -> str:
        raise LookupError(f"no station in {city}")

    with pytest.raises(LookupError, match="no station in Paris"):
        await Tool(broken).invoke('{"city": "Paris"}')


def test_agent_collects_tools_and_session_fields() -> None:
    agent = Agent("forecaster", "You tell the weather.", tools=[get_weather], temperature=0.7)

    @agent.tool
    def get_time(city: str) -> str:
        return "noon"

    assert [t.name for t in agent.tools] == ["get_weather", "get_time"]
    assert get_time("x") == "noon"
    assert agent.get_tool("get_time") is agent.tools[1]
    assert agent.get_tool("nope") is None
    fields = agent.session_fields()
    assert fields["instructions"] == "You tell the weather."
    assert [t["name"] for t in fields["tools"]] == ["get_weather", "get_time"]
    assert fields["tool_choice"] == "auto"
    assert fields["temperature"] == 0.7
    with pytest.raises(ToolDefinitionError, match="already has a tool named 'get_weather'"):
        agent.add_tool(get_weather)
    assert "forecaster" in repr(agent)
