"""The audio format value: sample rate, channels and encoding, and its names on the wire.

Every conversion between durations, sample counts and byte counts goes through :class:`AudioFormat`, so there is one
place where a millisecond becomes a byte count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from pyagent.audio.errors import AudioFormatError, ConfigurationError, ConfigurationTypeError

__all__ = [
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "AudioEncoding",
    "AudioFormat",
    "Bytes",
    "check_channels",
    "check_duration_ms",
    "check_sample_rate",
    "check_whole_frames",
]

Bytes = bytes | bytearray | memoryview
"""What every audio function accepts as PCM16 or G.711 input: anything exposing a buffer of bytes."""

AudioEncoding = Literal["pcm16", "g711_ulaw", "g711_alaw"]
"""The encodings the realtime APIs carry: 16-bit little-endian PCM and the two G.711 companding laws."""

ENCODINGS: Final[tuple[str, ...]] = get_args(AudioEncoding)

MIN_SAMPLE_RATE: Final = 8000
"""The lowest sample rate pyagent handles (telephony G.711)."""
MAX_SAMPLE_RATE: Final = 192000
"""The highest sample rate pyagent handles (sound cards that default to 96 or 192 kHz)."""

_MAX_CHANNELS: Final = 8
_G711_RATE: Final = 8000
_DEFAULT_PCM_RATE: Final = 24000
# A float millisecond count such as 0.1 * 3 lands a hair below the exact sample; this nudge keeps floor() honest.
_EPSILON: Final = 1e-9

_GA_TYPES: Final[dict[str, AudioEncoding]] = {
    "audio/pcm": "pcm16",
    "audio/pcmu": "g711_ulaw",
    "audio/pcma": "g711_alaw",
}
_GA_NAMES: Final[dict[str, str]] = {encoding: name for name, encoding in _GA_TYPES.items()}
# Voice Live names its other PCM16 output rates (azure-ai-voicelive 1.3 OutputAudioFormat; older "pcm16-8000hz").
_PCM_RATE_NAMES: Final[dict[str, int]] = {
    "pcm16_8000hz": 8000,
    "pcm16_16000hz": 16000,
    "pcm16-8000hz": 8000,
    "pcm16-16000hz": 16000,
}


def check_sample_rate(sample_rate: object, what: str = "sample rate") -> int:
    """Return ``sample_rate`` as an int, or raise if it is not a whole rate pyagent handles.

    Raises:
        ConfigurationError: not an integral number of hertz within 8 kHz..192 kHz (an :class:`AudioFormatError`);
            :class:`ConfigurationTypeError` when it is not a number at all.
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | float):
        raise ConfigurationTypeError(f"{what} must be a number of hertz, got {sample_rate!r}")
    if (
        not math.isfinite(sample_rate)
        or sample_rate != int(sample_rate)
        or not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE
    ):
        raise ConfigurationError(
            f"unsupported {what} {sample_rate!r} Hz: "
            f"expected a whole number from {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE}"
        )
    return int(sample_rate)


def check_channels(channels: object) -> int:
    """Return ``channels`` as an int, or raise if it is not 1 to 8.

    Raises:
        ConfigurationError: not an integer from 1 to 8 (an :class:`AudioFormatError`); :class:`ConfigurationTypeError`
            when it is not an int at all.
    """
    if isinstance(channels, bool) or not isinstance(channels, int):
        raise ConfigurationTypeError(f"the channel count must be an int from 1 to {_MAX_CHANNELS}, got {channels!r}")
    if not 1 <= channels <= _MAX_CHANNELS:
        raise ConfigurationError(f"unsupported channel count {channels!r}: expected 1 to {_MAX_CHANNELS}")
    return channels


def check_duration_ms(value: object, what: str, *, minimum: float = 0.0) -> float:
    """Return ``value`` if it is a finite number of milliseconds above ``minimum``, else raise naming ``what``.

    Raises:
        ConfigurationError: not a number, NaN, infinite, or not above ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{what} must be a number of milliseconds, got {value!r}")
    if not math.isfinite(value) or not value > minimum:
        raise ConfigurationError(f"{what} must be a finite number of milliseconds above {minimum:g}, got {value!r}")
    return value


def check_whole_frames(data: bytes | bytearray | memoryview, frame_bytes: int, what: str = "PCM16 audio") -> None:
    """Raise unless ``data`` holds whole sample frames (an odd PCM16 byte count is a broken stream, never padded).

    Raises:
        AudioFormatError: the byte count is not a multiple of ``frame_bytes``.
    """
    size = len(data) if not isinstance(data, memoryview) else data.nbytes
    if size % frame_bytes:
        raise AudioFormatError(
            f"{what} of {size} bytes is not a whole number of {frame_bytes}-byte sample frames "
            f"({size % frame_bytes} byte(s) left over)"
        )


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """How a stream of audio bytes is laid out.

    Args:
        sample_rate: samples per second per channel (8 kHz..192 kHz).
        channels: interleaved channels (1 to 8; the realtime APIs are mono).
        encoding: ``"pcm16"`` (16-bit little-endian), ``"g711_ulaw"`` or ``"g711_alaw"`` (one byte per sample).

    Raises:
        ConfigurationError: any field out of range (an :class:`AudioFormatError`).
    """

    sample_rate: int = _DEFAULT_PCM_RATE
    channels: int = 1
    encoding: AudioEncoding = "pcm16"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sample_rate", check_sample_rate(self.sample_rate))
        check_channels(self.channels)
        if self.encoding not in ENCODINGS:
            raise ConfigurationError(f"unsupported encoding {self.encoding!r}: expected one of {', '.join(ENCODINGS)}")

    @classmethod
    def from_wire(cls, value: str | Mapping[str, Any], *, sample_rate: int | None = None) -> AudioFormat:
        """Read a session's audio format as any dialect writes it.

        Flat (beta) sessions name the encoding (``"pcm16"``, ``"g711_ulaw"``, ``"g711_alaw"``) and carry the rate
        elsewhere (``input_audio_sampling_rate``), hence ``sample_rate``; Voice Live names its other output rates
        (``"pcm16_8000hz"``, ``"pcm16_16000hz"``); GA sessions write an object
        (``{"type": "audio/pcm", "rate": 24000}``, ``{"type": "audio/pcmu"}``, ``{"type": "audio/pcma"}``).
        PCM defaults to 24 kHz and G.711 to 8 kHz.

        Raises:
            AudioFormatError: an unknown name or type, or a bad rate.
        """
        if isinstance(value, str):
            encoding: AudioEncoding
            if value in ENCODINGS:
                encoding = value  # type: ignore[assignment]
            elif value in _PCM_RATE_NAMES:
                return cls(_PCM_RATE_NAMES[value], 1, "pcm16")
            elif value in _GA_TYPES:
                encoding = _GA_TYPES[value]
            else:
                raise AudioFormatError(f"unknown audio format {value!r}: expected pcm16, g711_ulaw or g711_alaw")
            rate: object = sample_rate
        elif isinstance(value, Mapping):
            kind = value.get("type")
            if not isinstance(kind, str) or kind not in _GA_TYPES:
                raise AudioFormatError(
                    f"unknown audio format type {kind!r}: expected audio/pcm, audio/pcmu or audio/pcma"
                )
            encoding = _GA_TYPES[kind]
            rate = value.get("rate", sample_rate)
        else:
            raise AudioFormatError(f"an audio format is a name or an object, got {type(value).__name__}")
        if rate is None:
            rate = _DEFAULT_PCM_RATE if encoding == "pcm16" else _G711_RATE
        return cls(check_sample_rate(rate), 1, encoding)

    def to_flat_wire(self) -> str:
        """The flat (beta) session name: ``"pcm16"``, ``"g711_ulaw"`` or ``"g711_alaw"`` (the rate travels apart)."""
        return self.encoding

    def to_ga_wire(self) -> dict[str, Any]:
        """The GA session object: ``{"type": "audio/pcm", "rate": ...}`` or ``{"type": "audio/pcmu"}`` / pcma."""
        if self.encoding == "pcm16":
            return {"type": "audio/pcm", "rate": self.sample_rate}
        return {"type": _GA_NAMES[self.encoding]}

    @property
    def sample_width(self) -> int:
        """Bytes per sample of one channel: 2 for PCM16, 1 for G.711."""
        return 2 if self.encoding == "pcm16" else 1

    @property
    def frame_bytes(self) -> int:
        """Bytes per sample frame (one sample of every channel)."""
        return self.sample_width * self.channels

    @property
    def bytes_per_second(self) -> int:
        """Bytes per second of audio."""
        return self.sample_rate * self.frame_bytes

    def ms_to_samples(self, ms: float) -> int:
        """Whole sample frames in ``ms`` milliseconds (rounded down)."""
        if isinstance(ms, int):
            return ms * self.sample_rate // 1000
        return math.floor(ms * self.sample_rate / 1000 + _EPSILON)

    def samples_to_ms(self, samples: int) -> float:
        """Milliseconds spanned by ``samples`` sample frames."""
        return samples * 1000 / self.sample_rate

    def ms_to_bytes(self, ms: float) -> int:
        """Bytes in ``ms`` milliseconds, rounded down to whole sample frames."""
        return self.ms_to_samples(ms) * self.frame_bytes

    def bytes_to_ms(self, n_bytes: int) -> float:
        """Milliseconds spanned by ``n_bytes`` bytes (partial frames are not counted)."""
        return self.samples_to_ms(n_bytes // self.frame_bytes)

    def bytes_to_samples(self, n_bytes: int) -> int:
        """Whole sample frames in ``n_bytes`` bytes."""
        return n_bytes // self.frame_bytes

    def samples_to_bytes(self, samples: int) -> int:
        """Bytes in ``samples`` sample frames."""
        return samples * self.frame_bytes
