"""Reading fields of the service's events whether they arrive as typed Structs, unknown events or plain mappings.

The voice core is driven by decoded events in the session and by plain dicts in tests and replays; both read the
same way through these helpers. An absent field (msgspec's ``UNSET``) and ``null`` both read as None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

__all__ = ["field", "integer", "items", "text"]


def field(obj: Any, name: str) -> Any:
    """A field of an event Struct or a raw mapping; absent (UNSET) reads as None."""
    if obj is None:
        return None
    if isinstance(obj, msgspec.Struct):  # checked first: an ABC check of every event type would fill abc's caches
        value = getattr(obj, name, None)
        if value is None:
            raw = getattr(obj, "raw", None)  # UnknownEvent and unknown parts keep their fields in .raw
            if isinstance(raw, dict):
                value = raw.get(name)
    elif isinstance(obj, dict | Mapping):
        value = obj.get(name)
    else:
        value = getattr(obj, name, None)
    return None if value is msgspec.UNSET else value


def text(value: Any) -> str:
    """A string field, or ``""`` when it is absent or not a string."""
    return value if isinstance(value, str) else ""


def integer(value: Any, default: int = 0) -> int:
    """An integer field, or ``default`` when it is absent or not an integer (booleans are not integers here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def items(value: Any) -> list[Any]:
    """A list field as a list (empty when absent or not a sequence)."""
    return list(value) if isinstance(value, list | tuple) else []
