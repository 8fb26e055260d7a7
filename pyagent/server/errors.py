"""Errors of the local server.

Protocol faults a client makes are never raised: they become ``error`` events on the wire and the connection stays
open, as with the real services. These classes are for the program that runs the server::

    PyagentError
     └── ServerError                     the local server cannot do what was asked
          ├── ConfigurationError         a constructor argument it cannot use: a port out of range, an unknown
          │                              speech mode, a realtime factor that is not above 0 (also a ValueError
          │                              and a pyagent.ConfigurationError)
          ├── ResponderError             a responder returned something that is not a Reply (the response fails;
          │                              logged, never raised to a client)
          ├── ServerNotRunningError      an address was asked for before start() or after close()
          └── SpeechUnavailableError     speech="on" but pocketsphinx or hibari-tts cannot be loaded
"""

from __future__ import annotations

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import PyagentError

__all__ = ["ConfigurationError", "ResponderError", "ServerError", "ServerNotRunningError", "SpeechUnavailableError"]


class ServerError(PyagentError):
    """Base class of the local server's errors."""


class ConfigurationError(ServerError, _ConfigurationError):
    """A server constructor's argument it cannot use; raised before anything listens (also a ``ValueError``)."""


class ResponderError(ServerError, TypeError):
    """A responder returned something that is not a :class:`~pyagent.server.Reply`; that response fails."""


class ServerNotRunningError(ServerError):
    """The server is not listening, so it has no address yet (call ``start()`` or use ``async with``)."""


class SpeechUnavailableError(ServerError):
    """Real speech was required (``speech="on"``) but the speech extra is missing or failed to load."""
