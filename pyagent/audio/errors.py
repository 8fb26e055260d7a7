"""Errors raised by :mod:`pyagent.audio`.

::

    PyagentError                      (pyagent.errors)
     └── AudioError                   anything the audio layer raises on purpose
          ├── AudioFormatError        bad audio data or parameters (also a ValueError): odd PCM16 byte
          │                           counts, unsupported rates, channels or encodings, a WAV that is not
          │                           what it says
          └── AudioDeviceError        a microphone or speaker cannot be used: the ``devices`` extra or
                                      PortAudio is missing, or the device refused the stream
"""

from __future__ import annotations

from pyagent.errors import PyagentError

__all__ = ["AudioDeviceError", "AudioError", "AudioFormatError"]


class AudioError(PyagentError):
    """Base class of the errors raised by the audio layer."""


class AudioFormatError(AudioError, ValueError):
    """Audio data or parameters that do not fit: a ``ValueError`` too, so plain validation code catches it."""


class AudioDeviceError(AudioError):
    """An audio device cannot be opened or used (missing extra, missing PortAudio, refused stream)."""
