"""pyagent: realtime voice conversations with AI models over WebSocket."""

from __future__ import annotations

from pyagent._version import __version__
from pyagent.errors import PyagentError

__all__ = ["PyagentError", "__version__"]
