"""WAV and headerless files: PCM16 and G.711 in, PCM16 and G.711 out, and one call for "this file at my rate".

Reading parses the RIFF chunks directly rather than through the stdlib ``wave`` module: G.711 files (format tags 6
and 7) need the fmt chunk read anyway, and one parser checks every file the same way, so a header that contradicts
itself or its data is an :class:`AudioFormatError` whatever the encoding. PCM16 files are written with ``wave``.
"""

from __future__ import annotations

import os
import struct
import wave
from pathlib import Path
from typing import Final

import numpy as np

from pyagent.audio._convert import Bytes, float32_to_pcm16
from pyagent.audio._format import AudioEncoding, AudioFormat, check_channels, check_sample_rate, check_whole_frames
from pyagent.audio._transcode import convert
from pyagent.audio.errors import AudioFormatError

__all__ = ["load_audio", "read_raw", "read_wav", "write_wav"]

StrPath = str | os.PathLike[str]

WAVE_FORMAT_PCM: Final = 0x0001
WAVE_FORMAT_IEEE_FLOAT: Final = 0x0003
WAVE_FORMAT_ALAW: Final = 0x0006
WAVE_FORMAT_MULAW: Final = 0x0007
WAVE_FORMAT_EXTENSIBLE: Final = 0xFFFE

_G711_TAGS: Final[dict[int, AudioEncoding]] = {WAVE_FORMAT_ALAW: "g711_alaw", WAVE_FORMAT_MULAW: "g711_ulaw"}
_G711_TAG_OF: Final[dict[str, int]] = {encoding: tag for tag, encoding in _G711_TAGS.items()}
_TAG_NAMES: Final = {
    WAVE_FORMAT_PCM: "PCM",
    WAVE_FORMAT_IEEE_FLOAT: "IEEE float",
    WAVE_FORMAT_ALAW: "A-law",
    WAVE_FORMAT_MULAW: "mu-law",
    0x0002: "Microsoft ADPCM",
    0x0011: "IMA ADPCM",
    0x0055: "MPEG layer 3",
}
_FMT: Final = struct.Struct("<HHIIHH")


def _tag_name(tag: int) -> str:
    return f"{_TAG_NAMES.get(tag, 'format')} (tag 0x{tag:04X})"


def _chunks(blob: bytes, name: str) -> dict[bytes, memoryview]:
    """The top-level chunks of a RIFF/WAVE file by id (first occurrence), each checked to fit in the file."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        head = blob[:4] if blob[:4] != b"RIFF" else blob[8:12]
        raise AudioFormatError(f"{name} is not a RIFF/WAVE file (starts with {head!r})")
    view = memoryview(blob)
    chunks: dict[bytes, memoryview] = {}
    offset = 12
    while offset + 8 <= len(blob):
        chunk_id = bytes(view[offset : offset + 4])
        (size,) = struct.unpack_from("<I", blob, offset + 4)
        start = offset + 8
        if start + size > len(blob):
            raise AudioFormatError(
                f"{name} is truncated: its {chunk_id.decode('latin-1')!r} chunk says {size} bytes "
                f"but only {len(blob) - start} follow"
            )
        chunks.setdefault(chunk_id, view[start : start + size])
        offset = start + size + (size & 1)  # chunks are padded to an even length
    return chunks


def _parse_wav(blob: bytes, name: str) -> tuple[bytes, AudioFormat]:
    chunks = _chunks(blob, name)
    fmt = chunks.get(b"fmt ")
    if fmt is None or len(fmt) < _FMT.size:
        raise AudioFormatError(f"{name} has no usable fmt chunk")
    data = chunks.get(b"data")
    if data is None:
        raise AudioFormatError(f"{name} has no data chunk")
    tag, channels, sample_rate, byte_rate, block_align, bits = _FMT.unpack_from(fmt)
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(fmt) < 40:
            raise AudioFormatError(f"{name} says WAVE_FORMAT_EXTENSIBLE but its fmt chunk is {len(fmt)} bytes")
        (tag,) = struct.unpack_from("<H", fmt, 24)  # the sub-format GUID starts with the plain format tag
    try:
        check_channels(channels)
        check_sample_rate(sample_rate)
    except AudioFormatError as error:
        raise AudioFormatError(f"{name}: {error}") from None
    if tag == WAVE_FORMAT_PCM and bits == 16:
        encoding: AudioEncoding = "pcm16"
    elif tag in _G711_TAGS and bits == 8:
        encoding = _G711_TAGS[tag]
    elif tag == WAVE_FORMAT_IEEE_FLOAT and bits == 32:
        encoding = "pcm16"  # converted below
    else:
        raise AudioFormatError(
            f"{name} holds {bits}-bit {_tag_name(tag)} audio; pyagent reads 16-bit PCM, 32-bit float, A-law and mu-law"
        )
    if block_align != channels * bits // 8 or byte_rate != sample_rate * block_align:
        raise AudioFormatError(
            f"{name} contradicts itself: {channels} channel(s) of {bits}-bit {_tag_name(tag)} at {sample_rate} Hz "
            f"means block align {channels * bits // 8} and {sample_rate * channels * bits // 8} bytes/s, "
            f"the header says {block_align} and {byte_rate}"
        )
    check_whole_frames(data, block_align, f"{name}: the data chunk")
    audio_format = AudioFormat(sample_rate, channels, encoding)
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        return float32_to_pcm16(np.frombuffer(data, dtype="<f4")), audio_format
    return bytes(data), audio_format


def read_wav(path: StrPath) -> tuple[bytes, AudioFormat]:
    """Read a WAV file's audio and format.

    16-bit PCM and G.711 (A-law, mu-law) payloads are returned as stored, with their format; 32-bit float files are
    converted to PCM16 (clipped to [-1, 1]).

    Raises:
        AudioFormatError: not a WAV file, an encoding other than those, or a header that contradicts itself or the
            data that follows (truncated, wrong block align, partial frames).
        OSError: the file cannot be read.
    """
    path = Path(path)
    return _parse_wav(path.read_bytes(), path.name)


def write_wav(
    path: StrPath, data: Bytes, sample_rate: int, channels: int = 1, *, encoding: AudioEncoding = "pcm16"
) -> None:
    """Write audio as a WAV file.

    Args:
        path: where to write.
        data: the payload in ``encoding``: PCM16 bytes, or G.711 codes for ``"g711_ulaw"`` / ``"g711_alaw"``.
        sample_rate: samples per second.
        channels: interleaved channels.
        encoding: the payload's encoding; G.711 files get format tag 6 or 7 and a fact chunk.

    Raises:
        AudioFormatError: a bad rate, channel count or encoding, or data that is not whole frames.
    """
    audio_format = AudioFormat(sample_rate, channels, encoding)
    check_whole_frames(data, audio_format.frame_bytes, f"{encoding} audio")
    if encoding == "pcm16":
        with wave.open(os.fspath(path), "wb") as writer:
            writer.setnchannels(channels)
            writer.setsampwidth(2)
            writer.setframerate(audio_format.sample_rate)
            writer.writeframes(bytes(data))
        return
    size = len(data) if not isinstance(data, memoryview) else data.nbytes
    block_align = audio_format.frame_bytes
    fmt = _FMT.pack(
        _G711_TAG_OF[encoding], channels, audio_format.sample_rate, audio_format.bytes_per_second, block_align, 8
    ) + struct.pack("<H", 0)
    fact = struct.pack("<I", size // block_align)
    pad = b"\0" * (size & 1)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"fact"
        + struct.pack("<I", len(fact))
        + fact
        + b"data"
        + struct.pack("<I", size)
        + bytes(data)
        + pad
    )
    Path(path).write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def read_raw(path: StrPath, audio_format: AudioFormat | None = None) -> bytes:
    """Read a headerless file of audio in ``audio_format`` (default: PCM16 mono 24 kHz).

    Raises:
        AudioFormatError: the file is not whole frames of that format.
        OSError: the file cannot be read.
    """
    audio_format = audio_format or AudioFormat()
    path = Path(path)
    data = path.read_bytes()
    check_whole_frames(data, audio_format.frame_bytes, f"{path.name} ({audio_format.encoding})")
    return data


def load_audio(
    path: StrPath, sample_rate: int = 24000, channels: int = 1, *, raw_format: AudioFormat | None = None
) -> bytes:
    """Any WAV file (PCM16, float, G.711), or a headerless file, as PCM16 at ``sample_rate`` with ``channels``.

    A file is read as WAV when it starts with ``RIFF`` and as headerless audio in ``raw_format`` (default PCM16 mono
    24 kHz) otherwise; a ``.wav`` file that does not start with ``RIFF`` is an error rather than noise.

    Raises:
        AudioFormatError: a bad WAV, a bad target rate or channel count, or a raw file that is not whole frames.
        OSError: the file cannot be read.
    """
    target = AudioFormat(sample_rate, channels)
    path = Path(path)
    blob = path.read_bytes()
    if blob[:4] == b"RIFF" or path.suffix.lower() in {".wav", ".wave"}:
        data, source = _parse_wav(blob, path.name)
    else:
        source = raw_format or AudioFormat()
        check_whole_frames(blob, source.frame_bytes, f"{path.name} ({source.encoding})")
        data = blob
    return convert(data, source, target)
