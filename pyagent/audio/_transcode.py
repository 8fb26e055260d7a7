"""One-shot conversion between any two :class:`AudioFormat` values: decode, mix, resample, encode."""

from __future__ import annotations

from pyagent.audio._convert import Bytes, from_mono, to_mono
from pyagent.audio._format import AudioEncoding, AudioFormat, check_whole_frames
from pyagent.audio._g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from pyagent.audio._resample import resample

__all__ = ["convert", "decode_to_pcm16", "encode_pcm16"]


def decode_to_pcm16(data: Bytes, encoding: AudioEncoding) -> bytes:
    """PCM16 from audio in ``encoding`` (PCM16 passes through, checked for an even byte count).

    Raises:
        AudioFormatError: an odd PCM16 byte count.
    """
    if encoding == "g711_ulaw":
        return ulaw_decode(data)
    if encoding == "g711_alaw":
        return alaw_decode(data)
    check_whole_frames(data, 2)
    return bytes(data)


def encode_pcm16(pcm16: Bytes, encoding: AudioEncoding) -> bytes:
    """Audio in ``encoding`` from PCM16.

    Raises:
        AudioFormatError: an odd byte count.
    """
    if encoding == "g711_ulaw":
        return ulaw_encode(pcm16)
    if encoding == "g711_alaw":
        return alaw_encode(pcm16)
    check_whole_frames(pcm16, 2)
    return bytes(pcm16)


def convert(data: Bytes, src: AudioFormat, dst: AudioFormat) -> bytes:
    """Convert a whole clip from one format to another (for streams, chain a :class:`Resampler` instead).

    Channels are down-mixed by averaging or up-mixed by copying; the rate is changed by :func:`resample`, which gives
    what a streaming :class:`Resampler` gives, flushed: ``len * dst_rate / src_rate`` frames.

    Raises:
        AudioFormatError: ``data`` is not whole frames of ``src``.
    """
    check_whole_frames(data, src.frame_bytes, f"{src.encoding} audio")
    if src == dst:
        return bytes(data)
    pcm16 = decode_to_pcm16(data, src.encoding)
    if src.channels != dst.channels:
        mono = to_mono(pcm16, src.channels)
        pcm16 = from_mono(mono, dst.channels) if dst.channels > 1 else mono
    channels = dst.channels
    if src.sample_rate != dst.sample_rate:
        pcm16 = resample(pcm16, src.sample_rate, dst.sample_rate, channels)
    return encode_pcm16(pcm16, dst.encoding)
