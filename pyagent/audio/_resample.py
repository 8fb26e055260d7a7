"""Streaming sample-rate conversion on soxr's ``ResampleStream``.

The stream runs in float32: soxr's int16 mode dithers, so the same signal cut into different chunks would come out a
few LSB apart, and a reset stream would not repeat itself. In float32 a signal resampled in chunks of any size is
bit-identical to the same signal resampled whole, which is what makes chunk boundaries inaudible.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np
import soxr

from pyagent.audio._convert import Bytes, rounded_pcm16
from pyagent.audio._format import check_channels, check_sample_rate, check_whole_frames
from pyagent.audio.errors import ConfigurationError, ConfigurationTypeError

__all__ = ["ResampleQuality", "Resampler", "resample"]

ResampleQuality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]
"""soxr's quality recipes, quick to very high; ``"HQ"`` is transparent for speech at a fraction of a core."""

_QUALITIES: Final = get_args(ResampleQuality)
_PCM16: Final = np.dtype("<i2")


def _check_quality(quality: str) -> None:
    if quality not in _QUALITIES:
        raise ConfigurationError(f"unknown resampling quality {quality!r}: expected one of {', '.join(_QUALITIES)}")


def resample(pcm16: Bytes, in_rate: int, out_rate: int, channels: int = 1, quality: ResampleQuality = "HQ") -> bytes:
    """Resample a whole clip in one call: byte for byte what a :class:`Resampler` gives for ``process`` + ``flush``,
    at soxr's one-shot speed (about twice the stream's).

    Raises:
        AudioFormatError: an unsupported rate, channel count or quality, or bytes that are not whole frames.
    """
    check_sample_rate(in_rate, "input sample rate")
    check_sample_rate(out_rate, "output sample rate")
    check_channels(channels)
    _check_quality(quality)
    check_whole_frames(pcm16, 2 * channels)
    if in_rate == out_rate:
        return bytes(pcm16)
    samples = np.frombuffer(pcm16, dtype=_PCM16).astype(np.float32)
    if not samples.size:
        return b""
    out = soxr.resample(samples.reshape(-1, channels), in_rate, out_rate, quality=quality)
    # The filter overshoots near full scale: the samples are clipped, then rounded (no NaN comes from int16).
    return rounded_pcm16(np.ascontiguousarray(out, dtype=np.float32))


class Resampler:
    """Convert a PCM16 stream from one sample rate to another, chunk by chunk.

    Feed chunks of any size (whole sample frames) to :meth:`process`; call :meth:`flush` at the end of an utterance to
    get the filter's tail, after which the resampler starts a new stream. Equal rates pass audio through untouched.

    Args:
        in_rate: input sample rate, 8 kHz..192 kHz.
        out_rate: output sample rate, 8 kHz..192 kHz.
        channels: interleaved channels of both input and output.
        quality: soxr quality recipe.

    A resampler holds its stream's filter state: copying or pickling one raises :class:`ConfigurationTypeError`
    (a copy would share the state and corrupt both streams); make a new one instead.

    Raises:
        AudioFormatError: an unsupported rate, channel count or quality (a :class:`ConfigurationTypeError` for a
            value of the wrong kind).
    """

    __slots__ = ("_frame_bytes", "_quality", "_stream", "channels", "in_rate", "out_rate")

    def __init__(self, in_rate: int, out_rate: int, channels: int = 1, quality: ResampleQuality = "HQ") -> None:
        self.in_rate: Final = check_sample_rate(in_rate, "input sample rate")
        self.out_rate: Final = check_sample_rate(out_rate, "output sample rate")
        self.channels: Final = check_channels(channels)
        _check_quality(quality)
        self._quality = quality
        self._frame_bytes = 2 * channels
        self._stream: soxr.ResampleStream | None = None
        if self.in_rate != self.out_rate:
            self._stream = soxr.ResampleStream(self.in_rate, self.out_rate, channels, dtype="float32", quality=quality)

    def __repr__(self) -> str:
        return f"Resampler({self.in_rate}, {self.out_rate}, channels={self.channels}, quality={self._quality!r})"

    def _not_copyable(self) -> ConfigurationTypeError:
        return ConfigurationTypeError(
            f"a Resampler holds its stream's filter state and cannot be copied or pickled: a copy would share it and "
            f"corrupt both streams; create a new one, {self!r}"
        )

    def __copy__(self) -> Resampler:
        raise self._not_copyable()

    def __deepcopy__(self, memo: object) -> Resampler:
        raise self._not_copyable()

    def __reduce__(self) -> str | tuple[object, ...]:
        raise self._not_copyable()

    def process(self, pcm16: Bytes) -> bytes:
        """Resample one chunk; the output may lag the input by the filter's delay until :meth:`flush`.

        Raises:
            AudioFormatError: the chunk is not whole sample frames (an odd PCM16 byte count).
        """
        check_whole_frames(pcm16, self._frame_bytes)
        if self._stream is None:
            return bytes(pcm16)
        return self._run(pcm16, last=False)

    def flush(self) -> bytes:
        """The rest of the stream (the filter's tail); the resampler is then ready for a new stream."""
        if self._stream is None:
            return b""
        tail = self._run(b"", last=True)
        self._stream.clear()
        return tail

    def reset(self) -> None:
        """Drop buffered input and start a new stream without producing the tail."""
        if self._stream is not None:
            self._stream.clear()

    def _run(self, pcm16: Bytes, *, last: bool) -> bytes:
        assert self._stream is not None
        # Samples stay on the int16 scale as float32: resampling is linear, so no scaling pass is needed either way.
        # Always [frame, channel]: soxr then hands back its own 2-D output instead of squeezing a mono copy, and
        # every numpy call saved counts on 20 ms chunks.
        samples = np.frombuffer(pcm16, dtype=_PCM16).astype(np.float32).reshape(-1, self.channels)
        return rounded_pcm16(self._stream.resample_chunk(samples, last=last))
