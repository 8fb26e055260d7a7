"""Errors of the phone bridge::

    PyagentError
     └── TelephonyError                anything pyagent.telephony raises on purpose
          ├── ConfigurationError       an argument a constructor cannot use (also a ValueError and a
          │    │                       pyagent.ConfigurationError)
          │    └── ConfigurationTypeError   an argument of the wrong kind (also a TypeError)
          ├── MediaStreamError         a carrier's frame that does not fit its protocol (also a ValueError)
          ├── CallSetupError           the carrier's stream ended, or never started, before the call could begin
          ├── CarrierClosedError       the carrier's socket is closed (the caller hung up)
          ├── UnsupportedSocketError   an object that is not a WebSocket the bridge can use (also a TypeError)
          └── MissingDependencyError   ``pyagent phone`` needs the ``phone`` extra (also an ImportError)

A bad frame from the carrier is logged and the call goes on: :class:`MediaStreamError` reaches code that parses frames
itself (:meth:`TwilioMediaStreams.parse`), not the caller of :func:`bridge_call`.
"""

from __future__ import annotations

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import ConfigurationTypeError as _ConfigurationTypeError
from pyagent.errors import PyagentError

__all__ = [
    "CallSetupError",
    "CarrierClosedError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "MediaStreamError",
    "MissingDependencyError",
    "TelephonyError",
    "UnsupportedSocketError",
]


class TelephonyError(PyagentError):
    """Base class of the phone bridge's errors."""


class ConfigurationError(TelephonyError, _ConfigurationError):
    """An argument a constructor cannot use (a port out of range, a public URL that is not one)."""


class ConfigurationTypeError(ConfigurationError, _ConfigurationTypeError):
    """An argument of the wrong kind (headers that are not a mapping, a session factory that is not callable)."""


class MediaStreamError(TelephonyError, ValueError):
    """A frame from the carrier that does not fit its protocol: not JSON, a missing field, bad base64."""


class CallSetupError(TelephonyError):
    """The call could not begin: the carrier's stream closed or timed out before its start, or its audio format is
    not one the bridge speaks."""


class CarrierClosedError(TelephonyError):
    """The carrier's socket is closed: the caller hung up, or the carrier ended the stream."""


class UnsupportedSocketError(TelephonyError, TypeError):
    """The object given as the carrier's socket has neither websockets' ``recv``/``send`` nor an ASGI WebSocket's
    ``receive``/``send_text`` (Starlette, FastAPI)."""


class MissingDependencyError(TelephonyError, ImportError):
    """``pyagent phone`` serves HTTP with Starlette and uvicorn: ``pip install 'pyagent-voice[phone]'``."""
