"""The default responder: echo, tool calls named by the words, and the tool's output said back."""

from __future__ import annotations

import json

import pytest

from pyagent.server import EchoResponder, Reply, ResponderContext, ToolCall

from .conftest import WEATHER_TOOL

respond = EchoResponder()


def user(text: str) -> dict[str, object]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_echoes_what_it_heard() -> None:
    assert respond(ResponderContext(transcript="hello there")) == Reply(text="I heard: hello there.")
    assert respond(ResponderContext(transcript="is it?")) == Reply(text="I heard: is it.")
    assert respond(ResponderContext()) == Reply(text="I am listening.")


@pytest.mark.parametrize(
    ("words", "city"),
    [
        ("what is the weather in paris", "Paris"),
        ("What's the weather like in new york today?", "New York"),
        ("weather in san francisco please", "San Francisco"),
    ],
)
def test_calls_the_tool_its_words_name_with_the_place(words: str, city: str) -> None:
    reply = respond(ResponderContext(transcript=words, tools=[WEATHER_TOOL]))
    assert reply == Reply(tool_calls=[ToolCall("get_weather", {"city": city})])


def test_a_tool_the_words_do_not_name_is_left_alone() -> None:
    reply = respond(ResponderContext(transcript="tell me a joke", tools=[WEATHER_TOOL]))
    assert reply == Reply(text="I heard: tell me a joke.")
    # "get" is a verb, not a subject: it does not pick get_weather.
    assert not respond(ResponderContext(transcript="get me out", tools=[WEATHER_TOOL])).tool_calls


def test_required_strings_and_enums_are_filled_from_the_words() -> None:
    tool = {
        "type": "function",
        "name": "search_music",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "service": {"type": "string", "enum": ["radio", "library"]},
                "limit": {"type": "integer"},
            },
            "required": ["query"],
        },
    }
    reply = respond(ResponderContext(transcript="play music from the library", tools=[tool]))
    assert reply.tool_calls == [
        ToolCall("search_music", {"query": "play music from the library", "service": "library"})
    ]


def test_says_the_tool_output_in_a_sentence() -> None:
    items = [
        user("what is the weather in paris"),
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": json.dumps({"temperature_c": 22})},
    ]
    context = ResponderContext(transcript="what is the weather in paris", items=items, tools=[WEATHER_TOOL])
    assert context.pending_tool_outputs == [items[2]]
    assert respond(context) == Reply(text="Here is what I found for Paris: temperature c 22.")
    plain = [*items[:2], {"type": "function_call_output", "call_id": "call_1", "output": "Sunny, 22 degrees."}]
    assert respond(ResponderContext(items=plain)).text == "Here is what I found for Paris: Sunny, 22 degrees."


def test_outputs_before_the_last_user_message_are_not_pending() -> None:
    items = [
        {"type": "function_call_output", "call_id": "call_1", "output": "old"},
        user("and now?"),
    ]
    context = ResponderContext(transcript="and now", items=items)
    assert context.pending_tool_outputs == []
    assert respond(context).text == "I heard: and now."
