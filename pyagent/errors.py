"""The root of every error pyagent raises.

Each layer has its own exception module whose classes derive from :class:`PyagentError`, so one
``except PyagentError`` catches anything the library raises on purpose::

    PyagentError
     ├── pyagent.realtime.errors   (codec and connection errors)
     ├── pyagent.audio.errors      (audio format and data errors)
     ├── pyagent.server.errors     (local server errors)
     ├── pyagent.voice.errors      (session errors)
     └── pyagent.telephony.errors  (phone bridge errors)
"""

from __future__ import annotations

__all__ = ["PyagentError"]


class PyagentError(Exception):
    """Base class of every error raised by pyagent."""
