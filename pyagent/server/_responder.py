"""The server's brain: a pluggable responder that reads the conversation and answers with text and/or tool calls.

A responder is any callable taking a :class:`ResponderContext` and returning a :class:`Reply` (or an awaitable of
one). The server turns the reply into the protocol's events: a message item spoken with the session's voice, and a
``function_call`` item per tool call. The default, :class:`EchoResponder`, repeats what it heard, and calls a session
tool when the user's words name it, so a whole tool round trip can be exercised with no model at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = ["EchoResponder", "Reply", "Responder", "ResponderContext", "ToolCall"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call of one of the session's function tools; ``arguments`` become the item's JSON ``arguments``."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant says (``text``) and which tools it calls, in that order within one response."""

    text: str = ""
    tool_calls: Sequence[ToolCall] = ()


@dataclass(frozen=True, slots=True)
class ResponderContext:
    """What a responder sees when a response is due.

    Attributes:
        transcript: the user's last turn as the server heard it (recognised audio or typed text): every user message
            since the assistant last spoke, in order (turn detection may cut one turn into several); "" when none.
        items: the conversation so far, oldest first, as flat item dicts (``type``, ``role``, ``content``,
            ``call_id``, ``name``, ``arguments``, ``output``); audio parts carry their ``transcript``, not the audio.
        tools: the function tools of the session (or of the ``response.create`` that overrides them).
        instructions: the session's (or the response's) instructions.
    """

    transcript: str = ""
    items: Sequence[Mapping[str, Any]] = ()
    tools: Sequence[Mapping[str, Any]] = ()
    instructions: str = ""

    @property
    def pending_tool_outputs(self) -> list[Mapping[str, Any]]:
        """The ``function_call_output`` items that came after the last user message: what a reply should use."""
        pending: list[Mapping[str, Any]] = []
        for item in reversed(self.items):
            if item.get("type") == "function_call_output":
                pending.append(item)
            elif item.get("type") == "message" and item.get("role") == "user":
                break
        pending.reverse()
        return pending

    def call_for(self, call_id: str) -> Mapping[str, Any] | None:
        """The ``function_call`` item with that ``call_id``, if the conversation holds it."""
        for item in self.items:
            if item.get("type") == "function_call" and item.get("call_id") == call_id:
                return item
        return None


Responder: TypeAlias = Callable[[ResponderContext], Reply | Awaitable[Reply]]
"""A callable the server asks for each response: a plain function (called on the server's event loop, so keep it
quick) or a coroutine function (for anything that waits, such as a call to a model)."""

# Words that name an action rather than a subject: "get_weather" is found by "weather", not by "get".
_VERBS = frozenset({"get", "set", "fetch", "find", "lookup", "look", "up", "search", "query", "check", "read", "list"})
_PLACE_PARAMS = ("city", "location", "place", "town", "country", "region", "where")
_WORD = re.compile(r"[a-z0-9]+")


class EchoResponder:
    """The default responder: says what it heard, and calls a tool when the words name one.

    - The last user words name a function tool (``"weather"`` for ``get_weather``): it calls that tool. A parameter
      named like a place (``city``, ``location``, ...) gets the capitalised words after "in" ("what is the weather
      in paris" gives ``{"city": "Paris"}``); a required string parameter it cannot fill gets the whole utterance.
    - The tool's output arrived (``function_call_output``): it says it in a sentence ("Here is what I found for
      Paris: sunny, 22 degrees.").
    - Otherwise it answers ``"I heard: <words>."``, which survives synthesis and recognition word for word.
    """

    def __call__(self, context: ResponderContext) -> Reply:
        outputs = context.pending_tool_outputs
        if outputs:
            return Reply(text=" ".join(self._speak_output(context, item) for item in outputs))
        words = context.transcript.strip()
        if not words:
            return Reply(text="I am listening.")
        tool = self._tool_named_by(words, context.tools)
        if tool is not None:
            return Reply(tool_calls=[ToolCall(name=str(tool["name"]), arguments=self._arguments(words, tool))])
        return Reply(text=f"I heard: {words.rstrip('.?!')}.")

    @staticmethod
    def _tool_named_by(words: str, tools: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
        heard = set(_WORD.findall(words.lower()))
        for tool in tools:
            if tool.get("type", "function") != "function" or not isinstance(tool.get("name"), str):
                continue
            keys = {part for part in _WORD.findall(tool["name"].lower().replace("_", " ")) if part not in _VERBS}
            if keys & heard:
                return tool
        return None

    @staticmethod
    def _arguments(words: str, tool: Mapping[str, Any]) -> dict[str, Any]:
        parameters = tool.get("parameters")
        properties: Mapping[str, Any] = {}
        required: Sequence[str] = ()
        if isinstance(parameters, Mapping):
            properties = parameters.get("properties") or {}
            required = parameters.get("required") or ()
        place = _place_after_in(words)
        arguments: dict[str, Any] = {}
        for name, schema in properties.items():
            kind = schema.get("type", "string") if isinstance(schema, Mapping) else "string"
            if kind != "string":
                continue
            enum = schema.get("enum") if isinstance(schema, Mapping) else None
            if isinstance(enum, list):
                chosen = next((value for value in enum if str(value).lower() in words.lower()), None)
                if chosen is not None:
                    arguments[name] = chosen
            elif place and any(hint in name.lower() for hint in _PLACE_PARAMS):
                arguments[name] = place
            elif name in required:
                arguments[name] = words
        return arguments

    @staticmethod
    def _speak_output(context: ResponderContext, item: Mapping[str, Any]) -> str:
        output = item.get("output", "")
        try:
            value: Any = json.loads(output) if isinstance(output, str) else output
        except ValueError:
            value = output
        if isinstance(value, Mapping):
            said = ", ".join(f"{_humanise(str(key))} {_render(inner)}" for key, inner in value.items())
        else:
            said = _render(value)
        where = ""
        call = context.call_for(str(item.get("call_id", "")))
        if call is not None:
            try:
                arguments = json.loads(str(call.get("arguments") or "{}"))
            except ValueError:
                arguments = {}
            if isinstance(arguments, Mapping):
                place = next((v for k, v in arguments.items() if any(h in k.lower() for h in _PLACE_PARAMS)), None)
                if isinstance(place, str) and place:
                    where = f" for {place}"
        said = said.strip().rstrip(".")
        return f"Here is what I found{where}: {said}." if said else f"The tool returned nothing{where}."


def _place_after_in(words: str) -> str:
    """The place named after the last "in": "what is the weather in paris" -> "Paris"; "" when none."""
    matches = list(re.finditer(r"\bin\s+([A-Za-z][A-Za-z' -]*)", words, flags=re.IGNORECASE))
    if not matches:
        return ""
    match = matches[-1]
    place = re.split(r"[?.!,;]| today| tomorrow| now| please", match.group(1), maxsplit=1)[0].strip()
    return " ".join(part.capitalize() for part in place.split())


def _humanise(key: str) -> str:
    return key.replace("_", " ")


def _render(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{_humanise(str(k))} {_render(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_render(v) for v in value)
    if value is None:
        return "nothing"
    return str(value)
