"""Running the model's function calls with the agent's tools: every call gets an output the model can read."""

from __future__ import annotations

import json
import logging

from pyagent.voice._agent import Agent
from pyagent.voice._core import FunctionCall
from pyagent.voice._results import ToolCallRecord
from pyagent.voice._tools import Tool
from pyagent.voice.errors import ToolArgumentsError

__all__ = ["error_output", "run_tool_call"]

logger = logging.getLogger("pyagent.voice")


def error_output(message: str) -> str:
    """A tool's failure as the ``function_call_output`` the model reads: ``{"error": message}``."""
    return json.dumps({"error": message}, ensure_ascii=False)


async def run_tool_call(agent: Agent | None, call: FunctionCall) -> ToolCallRecord:
    """Run one call; an unknown tool, bad arguments or a raising tool become an error output, never an exception."""
    found: Tool[..., object] | None = agent.get_tool(call.name) if agent else None
    if found is None:
        known = ", ".join(t.name for t in agent.tools) if agent else "none"
        message = f"there is no tool named {call.name!r} (tools: {known})"
        return ToolCallRecord(call.call_id, call.name, call.arguments, error_output(message), message)
    try:
        output = await found.invoke(call.arguments)
    except ToolArgumentsError as exc:
        logger.info("tool %s: %s", call.name, exc)
        return ToolCallRecord(call.call_id, call.name, call.arguments, error_output(str(exc)), str(exc))
    except Exception as exc:
        # The model hears what went wrong and may recover; the session goes on.
        logger.warning("tool %s raised %s: %s", call.name, type(exc).__name__, exc, exc_info=True)
        message = f"{call.name} raised {type(exc).__name__}: {exc}"
        return ToolCallRecord(call.call_id, call.name, call.arguments, error_output(message), message)
    return ToolCallRecord(call.call_id, call.name, call.arguments, output)
