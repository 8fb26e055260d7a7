"""The package version and the name it is installed by, each kept in one place."""

from __future__ import annotations

__version__ = "0.1.0"

DISTRIBUTION = "pyagent-voice"
"""The distribution name on the package index (``pip install pyagent-voice``); the import name is ``pyagent``.
The name ``pyagent`` on the public index belongs to an unrelated project."""
