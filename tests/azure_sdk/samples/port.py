"""The port of a sample written for azure-ai-voicelive: its imports changed, nothing else.

This is the whole of what a user changes (the table in README.md beside this file): each ``from azure... import``
of a module pyagent stands in for names pyagent's module instead. Imports of modules not in the table (the samples'
optional Azure tracing set-up) are left as they are.
"""

from __future__ import annotations

import re

IMPORTS = {
    "azure.ai.voicelive.aio": "pyagent.realtime",
    "azure.ai.voicelive.models": "pyagent.realtime.models",
    "azure.ai.voicelive._types": "pyagent.realtime.models",
    "azure.core.credentials": "pyagent.realtime",
    "azure.core.credentials_async": "pyagent.realtime",
    "azure.identity.aio": "pyagent.realtime",
}
_FROM = re.compile(r"^(?P<indent>\s*)from (?P<module>[\w.]+) import ", re.M)


def port(source: str) -> str:
    """``source`` with every import of a module in :data:`IMPORTS` taken from pyagent's instead."""

    def swap(match: re.Match[str]) -> str:
        module = IMPORTS.get(match["module"], match["module"])
        return f"{match['indent']}from {module} import "

    return _FROM.sub(swap, source)
