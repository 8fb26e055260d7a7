"""Errors raised by :mod:`pyagent.audio`.

::

    PyagentError                      (pyagent.errors)
     └── AudioError                   anything the audio layer raises on purpose
          ├── AudioFormatError        bad audio data or parameters (also a ValueError): odd PCM16 byte
          │    │                      counts, unsupported rates, channels or encodings, a WAV that is not
          │    │                      what it says, a file in a container pyagent does not read
          │    └── ConfigurationError a constructor's argument out of range or of the wrong kind (also a
          │                           pyagent.ConfigurationError)
          └── AudioDeviceError        a microphone or speaker cannot be used: no device, the ``devices``
                                      extra or PortAudio is missing, or the device refused the stream
"""

from __future__ import annotations

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import PyagentError

__all__ = ["AudioDeviceError", "AudioError", "AudioFormatError", "ConfigurationError"]


class AudioError(PyagentError):
    """Base class of the errors raised by the audio layer."""


class AudioFormatError(AudioError, ValueError):
    """Audio data or parameters that do not fit: a ``ValueError`` too, so plain validation code catches it."""


class ConfigurationError(AudioFormatError, _ConfigurationError):
    """An audio object's constructor argument it cannot use (a NaN frame duration, a rate out of range); also an
    :class:`AudioFormatError`, which such errors were before."""


class AudioDeviceError(AudioError):
    """An audio device cannot be opened or used (no device, missing extra, missing PortAudio, refused stream)."""
