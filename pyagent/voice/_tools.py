"""Tools: plain Python functions described to the model by a JSON schema built from their signature.

The schema comes from what the function already says about itself: its type hints (``str``, ``int``, ``float``,
``bool``, ``None``, ``Optional``/``X | None``, unions, ``Literal``, enums, ``list``/``tuple``/``set``, ``dict``,
dataclasses, ``TypedDict``, ``Annotated[X, "description"]``), its defaults (a parameter with a default is not
required) and its Google-style docstring (the summary describes the tool, the ``Args:`` lines the parameters). The
same schema checks the model's arguments before the function runs, so a wrong argument becomes a clear message the
model can act on instead of a ``TypeError`` deep inside user code.

A parameter without a type hint is described as a string (or as its default's type) and a function without a
docstring reaches the model with no description: both work, but the model guesses, so each gets a
:class:`~pyagent.voice.errors.ToolDefinitionWarning` when the tool is defined.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import enum
import functools
import inspect
import json
import re
import sys
import threading
import types
import typing
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, ParamSpec, TypeVar, overload

from pyagent.voice.errors import ToolArgumentsError, ToolDefinitionError, ToolDefinitionWarning

__all__ = [
    "Tool",
    "ToolCallRecord",
    "as_tool",
    "error_output",
    "parse_docstring",
    "schema_for_type",
    "tool",
    "validate",
]

P = ParamSpec("P")
R = TypeVar("R")

JsonSchema = dict[str, Any]

_SCALARS: Mapping[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
# Patterns, not compiled ones: ``re`` compiles and caches them when the first tool's docstring is read, not at import.
_SECTION = r"^(Args|Arguments|Parameters|Params|Returns|Return|Yields|Raises|Examples?|Notes?|See Also)\s*:\s*$"
_ARG_LINE = r"^\*{0,2}(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(\([^)]*\))?\s*:\s*(?P<text>.*)$"
_SPHINX_PARAM = r"^:param\s+(?:[^:]*\s)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<text>.*)$"


# --------------------------------------------------------------------------------------------------- docstrings


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The summary and the per-parameter descriptions of a Google-style (or Sphinx ``:param:``) docstring.

    Returns:
        ``(summary, {parameter: description})``; the summary is the first paragraph, joined into one line.
    """
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or re.match(_SECTION, line.strip()) or line.lstrip().startswith(":"):
            break
        summary_lines.append(line.strip())
    params: dict[str, str] = {}
    section: str | None = None
    section_indent = 0
    current: str | None = None
    entry_indent = 0
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        sphinx = re.match(_SPHINX_PARAM, stripped)
        if sphinx:
            current = sphinx["name"]
            params[current] = sphinx["text"].strip()
            section, entry_indent = "sphinx", indent
            continue
        header = re.match(_SECTION, stripped)
        if header and (section is None or indent <= section_indent):
            section = header[1].lower()
            section_indent = indent
            current = None
            continue
        if section in ("args", "arguments", "parameters", "params", "sphinx") and stripped:
            match = re.match(_ARG_LINE, stripped)
            if match and (current is None or indent <= entry_indent):
                current = match["name"]
                entry_indent = indent
                params[current] = match["text"].strip()
            elif current is not None and indent > entry_indent:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section is not None and stripped and indent <= section_indent and not header:
            section = None
    return " ".join(summary_lines), params


# --------------------------------------------------------------------------------------------------- schemas


def _is_typed_dict(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__total__")


def _literal_schema(values: Sequence[Any], where: str) -> JsonSchema:
    kinds = {type(value) for value in values}
    schema: JsonSchema = {"enum": list(values)}
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in _SCALARS:
            schema = {"type": _SCALARS[kind], **schema}
        elif kind is not type(None):
            raise ToolDefinitionError(f"{where}: Literal values must be str, int, float, bool or None")
    return schema


def _object_schema(hints: Mapping[str, Any], required: Sequence[str], where: str) -> JsonSchema:
    return {
        "type": "object",
        "properties": {name: schema_for_type(hint, where=f"{where}.{name}") for name, hint in hints.items()},
        "required": list(required),
        "additionalProperties": False,
    }


def schema_for_type(hint: Any, *, where: str = "value") -> JsonSchema:
    """The JSON schema of a Python type hint.

    Raises:
        ToolDefinitionError: the hint cannot be expressed (a class that is not a dataclass, TypedDict or enum...).
    """
    if hint is Any or hint is object:
        return {}
    if hint is None or hint is type(None):
        return {"type": "null"}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        schema = schema_for_type(args[0], where=where)
        notes = [arg for arg in args[1:] if isinstance(arg, str)]
        if notes:
            schema["description"] = " ".join(notes)
        return schema
    if origin is typing.Literal:
        return _literal_schema(args, where)
    if origin is typing.Union or origin is types.UnionType:
        members = [schema_for_type(arg, where=where) for arg in args]
        if all(set(member) == {"type"} and isinstance(member["type"], str) for member in members):
            return {"type": [member["type"] for member in members]}
        return {"anyOf": members}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _literal_schema([member.value for member in hint], where)
    if origin in (list, set, frozenset) or (origin is not None and origin in (Sequence, typing.Sequence)):
        return {"type": "array", "items": schema_for_type(args[0], where=f"{where}[]") if args else {}}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": schema_for_type(args[0], where=f"{where}[]")}
        items = [schema_for_type(arg, where=f"{where}[{i}]") for i, arg in enumerate(args)]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if hint in (list, set, frozenset, tuple):
        return {"type": "array"}
    if origin in (dict, Mapping) or hint is dict:
        if args and args[0] is not str:
            raise ToolDefinitionError(f"{where}: JSON object keys are strings; use dict[str, ...]")
        return (
            {"type": "object", "additionalProperties": schema_for_type(args[1], where=f"{where}{{}}")}
            if args
            else {"type": "object"}
        )
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint, include_extras=True)
        fields = [field for field in dataclasses.fields(hint) if field.init]
        required = [
            field.name
            for field in fields
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        ]
        return _object_schema({field.name: hints[field.name] for field in fields}, required, where)
    if _is_typed_dict(hint):
        hints = typing.get_type_hints(hint, include_extras=True)
        return _object_schema(hints, sorted(getattr(hint, "__required_keys__", hints)), where)
    raise ToolDefinitionError(f"{where}: the type {hint!r} cannot be described as JSON schema")


# --------------------------------------------------------------------------------------------------- validation

_JSON_TYPES: Mapping[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _json_type_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _JSON_TYPES[name](value) and not (name == "integer" and isinstance(value, float)):
            return name
    return type(value).__name__


def validate(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Check a JSON value against the subset of JSON schema :func:`schema_for_type` produces.

    Returns:
        One message per fault, each naming where it is (``$.city: expected string, got integer``); empty when valid.
    """
    if "anyOf" in schema:
        options = [validate(value, option, path) for option in schema["anyOf"]]
        if any(not faults for faults in options):
            return []
        return [f"{path}: {value!r} matches none of the allowed forms ({'; '.join(f[0] for f in options if f)})"]
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_JSON_TYPES[name](value) for name in names):
            return [f"{path}: expected {' or '.join(names)}, got {_json_type_name(value)}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {', '.join(repr(v) for v in schema['enum'])}"]
    faults: list[str] = []
    if isinstance(value, list):
        if "prefixItems" in schema:
            items = schema["prefixItems"]
            if len(value) != len(items):
                return [f"{path}: expected {len(items)} items, got {len(value)}"]
            for i, (item, item_schema) in enumerate(zip(value, items, strict=True)):
                faults += validate(item, item_schema, f"{path}[{i}]")
        elif "items" in schema:
            for i, item in enumerate(value):
                faults += validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                faults.append(f"{path}: missing required argument {name!r}")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                faults += validate(item, properties[name], f"{path}.{name}")
            elif extra is False:
                known = ", ".join(properties) or "none"
                faults.append(f"{path}: unexpected argument {name!r} (known: {known})")
            elif isinstance(extra, Mapping):
                faults += validate(item, extra, f"{path}.{name}")
    return faults


def _convert(value: Any, hint: Any) -> Any:
    """Turn a validated JSON value into what the hint asks for (enum members, dataclasses, tuples, floats)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _convert(value, args[0])
    if value is None:
        return None
    if origin is typing.Union or origin is types.UnionType:
        for arg in args:
            if arg is type(None):
                continue
            try:
                if not validate(value, schema_for_type(arg)):
                    return _convert(value, arg)
            except ToolDefinitionError:
                continue
        return value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is float and isinstance(value, int):
        return float(value)
    if hint is int and isinstance(value, float):
        return int(value)
    if origin in (list, set, frozenset) and args and isinstance(value, list):
        return origin(_convert(item, args[0]) for item in value)
    if origin is tuple and isinstance(value, list):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(item, args[0]) for item in value)
        return tuple(_convert(item, arg) for item, arg in zip(value, args, strict=False))
    if origin in (dict, Mapping) and len(args) == 2 and isinstance(value, dict):
        return {key: _convert(item, args[1]) for key, item in value.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type) and isinstance(value, dict):
        hints = typing.get_type_hints(hint, include_extras=True)
        return hint(**{key: _convert(item, hints[key]) for key, item in value.items()})
    return value


def _to_output(result: Any) -> str:
    """What the model reads back: strings as they are, anything else as JSON."""
    if isinstance(result, str):
        return result

    def default(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, set | frozenset | tuple):
            return list(value)
        return str(value)

    return json.dumps(result, default=default, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------- tools


@dataclasses.dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """One function call the model made and what the session answered.

    Attributes:
        call_id: the call's id, as the model sent it.
        name: the tool's name.
        arguments: the arguments, as the JSON text the model sent.
        output: what was sent back as the ``function_call_output`` (the tool's result, or the error).
        error: the error's message when the tool raised or the arguments did not match, else None.
    """

    call_id: str
    name: str
    arguments: str
    output: str
    error: str | None = None


class Tool(Generic[P, R]):
    """A function the model may call, with its name, description and JSON schema.

    A ``Tool`` is still the function: calling it calls the function. Sync functions run in a worker thread when the
    session invokes them, so a slow tool does not stall the audio.

    Attributes:
        name: the name the model calls it by.
        description: what it does, for the model.
        parameters: the JSON schema of its arguments (an object schema).
        function: the wrapped function.
    """

    def __init__(self, function: Callable[P, R], *, name: str | None = None, description: str | None = None) -> None:
        if not callable(function):
            raise ToolDefinitionError(f"a tool must be a function, not {type(function).__name__}")
        for what, value in (("name", name), ("description", description)):
            if value is not None and not isinstance(value, str):
                raise ToolDefinitionError(f"a tool's {what} must be a str or None, not {type(value).__name__}")
        self.function = function
        self.name: str = name or str(getattr(function, "__name__", ""))
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", self.name):
            raise ToolDefinitionError(f"tool name {self.name!r} must be 1-64 letters, digits, '_' or '-'")
        summary, arg_docs = parse_docstring(inspect.getdoc(function))
        self.description = description if description is not None else summary
        if not self.description:
            _warn(
                f"tool {self.name!r} has no description: give the function a docstring (or description=) so the "
                "model knows when to call it"
            )
        self.is_async = inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
            getattr(function, "__call__", None)  # noqa: B004 - an instance with an async __call__
        )
        self._signature = inspect.signature(function)
        try:
            hints = typing.get_type_hints(function, include_extras=True)
        except Exception as exc:  # an unresolvable forward reference: say which tool, not a NameError
            raise ToolDefinitionError(f"tool {self.name!r}: cannot resolve its type hints: {exc}") from exc
        self._hints: dict[str, Any] = {}
        properties: dict[str, JsonSchema] = {}
        required: list[str] = []
        for parameter in self._signature.parameters.values():
            where = f"tool {self.name!r} parameter {parameter.name!r}"
            if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                raise ToolDefinitionError(f"{where}: *args and **kwargs cannot be described to the model")
            if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
                raise ToolDefinitionError(f"{where}: positional-only parameters cannot be passed by name")
            hint = hints.get(parameter.name, inspect.Parameter.empty)
            if hint is inspect.Parameter.empty:
                default = parameter.default
                hint = type(default) if default not in (inspect.Parameter.empty, None) else str
                kind = schema_for_type(hint, where=where).get("type", "any value")
                _warn(
                    f"{where} has no type hint, so the model is told it is of type {kind!r}; annotate it (for "
                    f"example `{parameter.name}: {getattr(hint, '__name__', 'str')}`)"
                )
            self._hints[parameter.name] = hint
            schema = schema_for_type(hint, where=where)
            if parameter.name in arg_docs and "description" not in schema:
                schema["description"] = arg_docs[parameter.name]
            if parameter.default is inspect.Parameter.empty:
                required.append(parameter.name)
            elif isinstance(parameter.default, str | int | float | bool) or parameter.default is None:
                schema.setdefault("default", parameter.default)
            elif isinstance(parameter.default, enum.Enum):
                schema.setdefault("default", parameter.default.value)
            properties[parameter.name] = schema
        self.parameters: JsonSchema = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        functools.update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"

    def to_wire(self) -> dict[str, Any]:
        """The tool as a session's ``tools`` entry: ``{"type": "function", "name", "description", "parameters"}``."""
        return {"type": "function", "name": self.name, "description": self.description, "parameters": self.parameters}

    def parse_arguments(self, arguments: str | Mapping[str, Any]) -> dict[str, Any]:
        """Check the model's arguments against the schema and convert them to the function's types.

        Raises:
            ToolArgumentsError: the arguments are not a JSON object or do not match; the message lists every fault.
        """
        if isinstance(arguments, str):
            try:
                value = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as exc:
                raise ToolArgumentsError(
                    f"arguments of {self.name!r} are not valid JSON ({exc.msg} at position {exc.pos})", tool=self.name
                ) from None
        else:
            value = dict(arguments)
        if not isinstance(value, dict):
            raise ToolArgumentsError(
                f"arguments of {self.name!r} must be a JSON object, got {_json_type_name(value)}", tool=self.name
            )
        faults = validate(value, self.parameters)
        if faults:
            raise ToolArgumentsError(f"invalid arguments for {self.name!r}: {'; '.join(faults)}", tool=self.name)
        return {name: _convert(item, self._hints[name]) for name, item in value.items()}

    async def invoke(self, arguments: str | Mapping[str, Any]) -> str:
        """Validate the arguments, run the function (awaited, or in a worker thread) and return its output as text.

        Raises:
            ToolArgumentsError: the arguments do not match the schema (the function did not run).
            Exception: whatever the function raised.
        """
        kwargs = self.parse_arguments(arguments)
        call: Callable[..., Any] = self.function
        if self.is_async:
            result = await typing.cast(Awaitable[Any], call(**kwargs))
        else:
            result = await _in_a_thread(call, kwargs, self.name)
            if inspect.isawaitable(result):  # a sync function that returned a coroutine
                result = await result
        return _to_output(result)


async def _in_a_thread(call: Callable[..., Any], kwargs: Mapping[str, Any], name: str) -> Any:
    """Run a plain function in a thread of its own and await its result.

    A daemon thread, not the event loop's executor: a thread cannot be stopped, so a function that never returns
    (abandoned when the agent's ``tool_timeout`` passes) must not keep the program from exiting, as a thread of the
    default executor would (``asyncio.run()`` waits for those).
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: Callable[[], None]) -> None:
        if not done.done():
            outcome()

    def run() -> None:
        try:
            result = context.run(call, **kwargs)
        except BaseException as exc:  # handed to the awaiting task, whatever it is
            failure = exc
            outcome: Callable[[], None] = lambda: done.set_exception(failure)  # noqa: E731
        else:
            outcome = lambda: done.set_result(result)  # noqa: E731
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=run, name=f"pyagent-tool-{name}", daemon=True).start()
    return await done


@overload
def tool(function: Callable[P, R], /) -> Tool[P, R]: ...


@overload
def tool(*, name: str | None = None, description: str | None = None) -> Callable[[Callable[P, R]], Tool[P, R]]: ...


def tool(
    function: Callable[P, R] | None = None, /, *, name: str | None = None, description: str | None = None
) -> Tool[P, R] | Callable[[Callable[P, R]], Tool[P, R]]:
    """Make a function a tool, as ``@tool`` or ``@tool(name=..., description=...)``.

    The decorated function stays callable as before. Plain functions given to :class:`~pyagent.Agent` become tools
    the same way; the decorator is for a different name or description than the function's own.

    Raises:
        ToolDefinitionError: the function cannot be described (see :class:`Tool`).
    """
    if function is not None:
        return Tool(function, name=name, description=description)

    def decorate(inner: Callable[P, R]) -> Tool[P, R]:
        return Tool(inner, name=name, description=description)

    return decorate


def error_output(message: str) -> str:
    """The ``function_call_output`` that tells the model a call failed: ``{"error": message}`` as JSON."""
    return json.dumps({"error": message}, ensure_ascii=False)


def _warn(message: str) -> None:
    """A :class:`ToolDefinitionWarning` pointing at the user's line that defined the tool, not at pyagent."""
    level = 2  # warn()'s 1 is this function; 2 its caller
    frame = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("pyagent.voice"):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, ToolDefinitionWarning, stacklevel=level)


def as_tool(value: Tool[..., Any] | Callable[..., Any]) -> Tool[..., Any]:
    """``value`` as a :class:`Tool` (a function is wrapped, a tool is kept)."""
    return value if isinstance(value, Tool) else Tool(value)
