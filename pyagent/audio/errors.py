"""Errors raised by :mod:`pyagent.audio`.

::

    PyagentError                      (pyagent.errors)
     └── AudioError                   anything the audio layer raises on purpose
          ├── AudioFormatError        bad audio data or parameters (also a ValueError): odd PCM16 byte
          │    │                      counts, unsupported rates, channels or encodings, a WAV that is not
          │    │                      what it says, an empty file, a file in a container pyagent does not read
          │    └── ConfigurationError a constructor's argument out of range (also a pyagent.ConfigurationError)
          │         └── ConfigurationTypeError   ... or of the wrong kind: a number where a path goes (also a
          │                                      TypeError and a pyagent.ConfigurationTypeError)
          ├── AudioFileError          a file cannot be read or written: missing, a directory, no permission, a
          │                           missing directory (also an OSError, with its errno)
          └── AudioDeviceError        a microphone or speaker cannot be used: no device, the ``devices``
                                      extra or PortAudio is missing, or the device refused the stream
"""

from __future__ import annotations

from pyagent.errors import ConfigurationError as _ConfigurationError
from pyagent.errors import ConfigurationTypeError as _ConfigurationTypeError
from pyagent.errors import PyagentError

__all__ = [
    "AudioDeviceError",
    "AudioError",
    "AudioFileError",
    "AudioFormatError",
    "ConfigurationError",
    "ConfigurationTypeError",
]


class AudioError(PyagentError):
    """Base class of the errors raised by the audio layer."""


class AudioFormatError(AudioError, ValueError):
    """Audio data or parameters that do not fit: a ``ValueError`` too, so plain validation code catches it."""


class ConfigurationError(AudioFormatError, _ConfigurationError):
    """An audio object's constructor argument it cannot use (a NaN frame duration, a rate out of range); also an
    :class:`AudioFormatError`, which such errors were before."""


class ConfigurationTypeError(ConfigurationError, _ConfigurationTypeError):
    """An argument of a kind the audio layer cannot use (a number where a file path goes); also a ``TypeError``."""


class AudioFileError(AudioError, OSError):
    """A file cannot be read or written (missing, a directory, no permission, a directory that cannot be made).

    Also an :class:`OSError`, so code written for the standard library's file errors catches it; ``errno`` is the
    operating system's, the message names the file and says why in words.
    """


class AudioDeviceError(AudioError):
    """An audio device cannot be opened or used (no device, missing extra, missing PortAudio, refused stream)."""
