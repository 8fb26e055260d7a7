"""Audio for realtime voice: PCM16 at any rate, streaming resampling, G.711, WAV, chunking, playback clock, VAD.

Pure and synchronous (numpy and soxr only). numpy and soxr load at the first use of a name that needs them
(conversion, resampling, G.711, VAD, WAV files, devices), not at import: a program that only formats, chunks or
clocks audio, or a voice call whose format the service speaks, never pays for them. The microphone and speaker need
the ``devices`` extra (sounddevice and PortAudio), imported only when a device is opened, so this package imports
without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

from pyagent.audio._chunk import Chunker
from pyagent.audio._clock import Clock, ManualClock, MonotonicClock
from pyagent.audio._format import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, AudioEncoding, AudioFormat
from pyagent.audio._playback import PlaybackClock
from pyagent.audio.errors import (
    AudioDeviceError,
    AudioError,
    AudioFileError,
    AudioFormatError,
    ConfigurationError,
    ConfigurationTypeError,
)

if TYPE_CHECKING:
    from pyagent.audio._convert import (
        apply_gain,
        dbfs,
        float32_to_pcm16,
        from_mono,
        int16_to_pcm16,
        pcm16_to_float32,
        pcm16_to_int16,
        rms,
        to_mono,
    )
    from pyagent.audio._devices import CapturePipeline, MicrophoneSource, RenderPipeline, SpeakerSink, check_devices
    from pyagent.audio._g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
    from pyagent.audio._resample import ResampleQuality, Resampler, resample
    from pyagent.audio._transcode import convert, decode_to_pcm16, encode_pcm16
    from pyagent.audio._vad import VadEvent, VadEventKind, VoiceActivityDetector
    from pyagent.audio._wav import load_audio, read_raw, read_wav, write_wav

__all__ = [
    "AudioDeviceError",
    "AudioEncoding",
    "AudioError",
    "AudioFileError",
    "AudioFormat",
    "AudioFormatError",
    "CapturePipeline",
    "Chunker",
    "Clock",
    "ConfigurationError",
    "ConfigurationTypeError",
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "ManualClock",
    "MicrophoneSource",
    "MonotonicClock",
    "PlaybackClock",
    "RenderPipeline",
    "ResampleQuality",
    "Resampler",
    "SpeakerSink",
    "VadEvent",
    "VadEventKind",
    "VoiceActivityDetector",
    "alaw_decode",
    "alaw_encode",
    "apply_gain",
    "check_devices",
    "convert",
    "dbfs",
    "decode_to_pcm16",
    "encode_pcm16",
    "float32_to_pcm16",
    "from_mono",
    "int16_to_pcm16",
    "load_audio",
    "pcm16_to_float32",
    "pcm16_to_int16",
    "read_raw",
    "read_wav",
    "resample",
    "rms",
    "to_mono",
    "ulaw_decode",
    "ulaw_encode",
    "write_wav",
]

# The names whose modules import numpy (and soxr for resampling), by module: loaded at their first use (PEP 562).
_LAZY_MODULES: Final = {
    "_convert": (
        "apply_gain",
        "dbfs",
        "float32_to_pcm16",
        "from_mono",
        "int16_to_pcm16",
        "pcm16_to_float32",
        "pcm16_to_int16",
        "rms",
        "to_mono",
    ),
    "_devices": ("CapturePipeline", "MicrophoneSource", "RenderPipeline", "SpeakerSink", "check_devices"),
    "_g711": ("alaw_decode", "alaw_encode", "ulaw_decode", "ulaw_encode"),
    "_resample": ("ResampleQuality", "Resampler", "resample"),
    "_transcode": ("convert", "decode_to_pcm16", "encode_pcm16"),
    "_vad": ("VadEvent", "VadEventKind", "VoiceActivityDetector"),
    "_wav": ("load_audio", "read_raw", "read_wav", "write_wav"),
}
_LAZY: Final = {name: module for module, names in _LAZY_MODULES.items() for name in names}


if not TYPE_CHECKING:  # type checkers see the imports above, and a misspelt name stays an error for them

    def __getattr__(name: str) -> object:
        """Import the module behind a numpy-backed name at its first use, then keep the name here like any other."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
