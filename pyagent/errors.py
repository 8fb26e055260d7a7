"""The root of every error pyagent raises, and the one error of a setting it cannot use.

Each layer has its own exception module whose classes derive from :class:`PyagentError`, so one
``except PyagentError`` catches anything the library raises on purpose::

    PyagentError
     ├── ConfigurationError            an argument or setting pyagent cannot use (also a ValueError)
     │    └── ConfigurationTypeError   ... because it is of the wrong kind (also a TypeError)
     ├── pyagent.realtime.errors   (codec, connection and configuration errors)
     ├── pyagent.audio.errors      (audio format, data and device errors)
     ├── pyagent.server.errors     (local server errors)
     ├── pyagent.voice.errors      (session errors)
     └── pyagent.telephony.errors  (phone bridge errors)

Every layer's ``ConfigurationError`` derives from both its layer's base error and :class:`ConfigurationError`, so
``except pyagent.ConfigurationError`` catches a bad argument whichever constructor refused it. Constructors and
``connect()`` raise these before any work is spent: no socket is opened, no server started.
"""

from __future__ import annotations

__all__ = ["ConfigurationError", "ConfigurationTypeError", "PyagentError"]


class PyagentError(Exception):
    """Base class of every error raised by pyagent."""


class ConfigurationError(PyagentError, ValueError):
    """An argument or setting pyagent cannot use (out of range, unknown name, malformed URL); the message names it
    and what is accepted. Also a ``ValueError``, so validation code written for the standard library catches it."""


class ConfigurationTypeError(ConfigurationError, TypeError):
    """An argument of a kind pyagent cannot use (a number where a URL goes); also a ``TypeError``."""
