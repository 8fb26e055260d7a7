"""pyagent: realtime voice conversations with AI models over WebSocket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyagent._version import DISTRIBUTION, __version__
from pyagent.errors import ConfigurationError, ConfigurationTypeError, PyagentError

if TYPE_CHECKING:
    from pyagent.voice import Agent, VoiceSession, tool

__all__ = [
    "Agent",
    "ConfigurationError",
    "ConfigurationTypeError",
    "DISTRIBUTION",
    "PyagentError",
    "VoiceSession",
    "__version__",
    "tool",
]

# The voice layer pulls in the connection and the audio pipeline; it is imported on first use, so `import pyagent`
# (and the `pyagent` command) stays quick and a layer below that fails to import does not break the error types.
_LAZY = {"Agent": "pyagent.voice", "VoiceSession": "pyagent.voice", "tool": "pyagent.voice"}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pyagent' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names with the ones loaded on first use, so ``dir()``, ``help()`` and completion show them."""
    return sorted(set(globals()) | set(__all__))
