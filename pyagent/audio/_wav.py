"""WAV and headerless files: PCM (8, 16, 24, 32-bit), float and G.711 in; PCM16 and G.711 out; and one call for
"this file at my rate".

Reading parses the RIFF chunks directly rather than through the stdlib ``wave`` module: G.711 files (format tags 6
and 7) need the fmt chunk read anyway, and one parser checks every file the same way, so a header that contradicts
itself or its data is an :class:`AudioFormatError` whatever the encoding. Files written as a stream, whose recorder
could not go back to fill in the sizes (``0xFFFFFFFF`` or ``0x7FFFFFFF`` in the data chunk's size, as ffmpeg and
arecord write to a pipe; RF64), are read to their end. Other containers (FLAC, MP3, Ogg, MP4, ...) are recognised by
their first bytes and refused with the advice to convert them, rather than read as noise. PCM16 files are written
with ``wave``.
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
from pyagent.audio.errors import AudioFileError, AudioFormatError, ConfigurationError, ConfigurationTypeError

__all__ = [
    "RAW_SUFFIXES",
    "container_name",
    "load_audio",
    "read_raw",
    "read_wav",
    "read_wav_stored",
    "stored_format_name",
    "write_wav",
]

StrPath = str | os.PathLike[str]

WAVE_FORMAT_PCM: Final = 0x0001
WAVE_FORMAT_IEEE_FLOAT: Final = 0x0003
WAVE_FORMAT_ALAW: Final = 0x0006
WAVE_FORMAT_MULAW: Final = 0x0007
WAVE_FORMAT_EXTENSIBLE: Final = 0xFFFE

RAW_SUFFIXES: Final = frozenset({".raw", ".pcm"})
"""The suffixes :func:`load_audio` reads as headerless audio (any other file must be a WAV)."""

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
# Data chunk sizes a streaming writer leaves when it cannot seek back: the data runs to the end of the file.
_STREAMING_SIZES: Final = frozenset({0xFFFFFFFF, 0x7FFFFFFF})
_READ_AS: Final = "WAV (8/16/24/32-bit PCM, 32/64-bit float, A-law, mu-law) and headerless PCM16 .raw/.pcm"


def _tag_name(tag: int) -> str:
    return f"{_TAG_NAMES.get(tag, 'format')} (tag 0x{tag:04X})"


def _checked_path(path: object, what: str = "path") -> Path:
    """``path`` as a :class:`Path`, refused in words when it cannot name a file.

    Raises:
        ConfigurationTypeError: not a str or an ``os.PathLike`` of str.
        ConfigurationError: the empty string (which would name the current directory).
    """
    if isinstance(path, str) and not path.strip():
        raise ConfigurationError(f"{what} must name a file, not {path!r}")
    try:
        return Path(path)  # type: ignore[arg-type]  # checked here: Path refuses what is no path
    except TypeError:
        raise ConfigurationTypeError(
            f"{what} must be a file path (a str or a pathlib.Path), not {type(path).__name__}"
        ) from None


def _file_error(exc: OSError, path: Path, doing: str) -> AudioFileError:
    """The operating system's refusal as an :class:`AudioFileError` that says which file and why in words."""
    if isinstance(exc, FileNotFoundError) and doing == "read":
        why = f"{path}: no such file"
    elif isinstance(exc, FileNotFoundError):
        why = f"{path} cannot be written: the directory {str(path.parent)!r} does not exist"
    elif isinstance(exc, IsADirectoryError):
        hint = "give a WAV file" if doing == "read" else f"give a file name such as {path / 'reply.wav'}"
        why = f"{path} is a directory; {hint}"
    elif isinstance(exc, NotADirectoryError):
        why = f"{path} cannot be {doing}: a part of the path is a file, not a directory"
    elif isinstance(exc, PermissionError):
        why = f"{path} cannot be {doing}: permission denied"
    else:
        why = f"{path} cannot be {doing}: {exc.strerror or type(exc).__name__}"
    error = AudioFileError(why)
    error.errno = exc.errno  # only the number: with strerror or filename set, OSError would print its own text
    return error


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _file_error(exc, path, "read") from None


def container_name(head: bytes) -> str | None:
    """The name of the audio container a file's first bytes show, for the ones pyagent does not read; None for
    RIFF/WAVE, RF64 and anything unrecognised."""
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 in (0xF2, 0xF4)):
        return "MP3"  # an ID3 tag, or an MPEG audio frame sync with layer III/II
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "AAC (ADTS)"
    if head[:4] == b"OggS":
        return "Ogg (Vorbis, Opus or FLAC)"
    if head[4:8] == b"ftyp":
        return "MP4/M4A"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WebM/Matroska"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF"
    if head[:4] == b"caff":
        return "Core Audio (CAF)"
    if head[:4] == b".snd":
        return "Sun/NeXT AU"
    if head[:4] == b"#!AM":
        return "AMR"
    return None


def _refuse_container(blob: bytes, name: str) -> None:
    kind = container_name(blob[:12])
    if kind is not None:
        target = f"{Path(name).stem or 'audio'}.wav"
        target = target if target != name else f"{Path(name).stem}-pcm.wav"
        raise AudioFormatError(
            f"{name} is {kind} audio, not WAV: convert it to WAV first (for example: ffmpeg -i {name} {target}); "
            f"pyagent reads {_READ_AS}"
        )


def _ds64_data_size(view: memoryview) -> int | None:
    """The 64-bit data size of an RF64 file's ds64 chunk (EBU Tech 3306), or None when it has none."""
    if bytes(view[12:16]) != b"ds64" or len(view) < 36:
        return None
    (size,) = struct.unpack_from("<Q", view, 28)
    return int(size)


def _chunks(blob: bytes, name: str) -> tuple[dict[bytes, memoryview], bool]:
    """The top-level chunks of a RIFF/WAVE (or RF64) file by id (first occurrence), each checked to fit in the file,
    and whether the data chunk was streamed: its size a placeholder, so it runs to the end of the file."""
    riff64 = blob[:4] == b"RF64"
    if not blob:
        raise AudioFormatError(f"{name} is empty (0 bytes): there is no audio in it")
    if len(blob) < 12 or blob[:4] not in (b"RIFF", b"RF64") or blob[8:12] != b"WAVE":
        _refuse_container(blob, name)
        head = blob[:4] if blob[:4] not in (b"RIFF", b"RF64") else blob[8:12]
        raise AudioFormatError(f"{name} is not a RIFF/WAVE file (starts with {head!r}); pyagent reads {_READ_AS}")
    view = memoryview(blob)
    data_size64 = _ds64_data_size(view) if riff64 else None
    chunks: dict[bytes, memoryview] = {}
    offset = 12
    while offset + 8 <= len(blob):
        chunk_id = bytes(view[offset : offset + 4])
        (size,) = struct.unpack_from("<I", blob, offset + 4)
        start = offset + 8
        if chunk_id == b"data" and size in _STREAMING_SIZES and start + size > len(blob):
            size = data_size64 if data_size64 is not None and start + data_size64 <= len(blob) else len(blob) - start
            chunks.setdefault(chunk_id, view[start : start + size])
            return chunks, True
        if start + size > len(blob):
            raise AudioFormatError(
                f"{name} is truncated: its {chunk_id.decode('latin-1')!r} chunk says {size} bytes "
                f"but only {len(blob) - start} follow"
            )
        chunks.setdefault(chunk_id, view[start : start + size])
        offset = start + size + (size & 1)  # chunks are padded to an even length
    return chunks, False


def _pcm16_from(data: memoryview, tag: int, bits: int) -> bytes:
    """PCM16 from integer PCM of 8 (unsigned), 24 or 32 bits, or float of 32 or 64 bits; rounded to nearest."""
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        return float32_to_pcm16(np.frombuffer(data, dtype="<f4" if bits == 32 else "<f8").astype(np.float32))
    if bits == 8:  # unsigned, 128 is silence
        return float32_to_pcm16((np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0)
    if bits == 24:
        triples = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        wide = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        wide = np.where(wide >= 1 << 23, wide - (1 << 24), wide)
        return float32_to_pcm16(wide.astype(np.float32) / float(1 << 23))
    return float32_to_pcm16(np.frombuffer(data, dtype="<i4").astype(np.float64) / float(1 << 31))


def _parse_wav(blob: bytes, name: str) -> tuple[bytes, AudioFormat]:
    data, audio_format, _ = _parse_wav_stored(blob, name)
    return data, audio_format


def stored_format_name(tag: int, bits: int) -> str:
    """How a WAV file stores its samples, in words: ``"16-bit PCM"``, ``"8-bit PCM"``, ``"32-bit float"``,
    ``"A-law"``, ``"mu-law"``."""
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        return f"{bits}-bit float"
    if tag in _G711_TAGS:
        return _TAG_NAMES[tag]
    return f"{bits}-bit PCM"


def _parse_wav_stored(blob: bytes, name: str) -> tuple[bytes, AudioFormat, str]:
    chunks, streamed = _chunks(blob, name)
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
    elif (tag == WAVE_FORMAT_PCM and bits in (8, 24, 32)) or (tag == WAVE_FORMAT_IEEE_FLOAT and bits in (32, 64)):
        encoding = "pcm16"  # converted below
    else:
        raise AudioFormatError(
            f"{name} holds {bits}-bit {_tag_name(tag)} audio; pyagent reads {_READ_AS}: convert it (for example "
            f"with ffmpeg -i {name} -c:a pcm_s16le out.wav)"
        )
    if block_align != channels * bits // 8 or byte_rate != sample_rate * block_align:
        raise AudioFormatError(
            f"{name} contradicts itself: {channels} channel(s) of {bits}-bit {_tag_name(tag)} at {sample_rate} Hz "
            f"means block align {channels * bits // 8} and {sample_rate * channels * bits // 8} bytes/s, "
            f"the header says {block_align} and {byte_rate}"
        )
    if streamed:
        data = data[: len(data) - len(data) % block_align]  # a recorder stopped mid-frame: drop the partial frame
    check_whole_frames(data, block_align, f"{name}: the data chunk")
    audio_format = AudioFormat(sample_rate, channels, encoding)
    stored = stored_format_name(tag, bits)
    if encoding == "pcm16" and not (tag == WAVE_FORMAT_PCM and bits == 16):
        return _pcm16_from(data, tag, bits), audio_format, stored
    return bytes(data), audio_format, stored


def read_wav(path: StrPath) -> tuple[bytes, AudioFormat]:
    """Read a WAV file's audio and format.

    16-bit PCM and G.711 (A-law, mu-law) payloads are returned as stored, with their format; 8-bit (unsigned),
    24-bit and 32-bit PCM and 32/64-bit float are converted to PCM16 (rounded to nearest, float clipped to [-1, 1]),
    at the file's rate and channels (up to 192 kHz and 8 channels). A streamed file (data size ``0xFFFFFFFF``) or an
    RF64 file is read to its end.

    Raises:
        AudioFormatError: an empty file, not a WAV file (a FLAC, MP3, Ogg or MP4 file is named as such, with the
            advice to convert it), an encoding other than those, or a header that contradicts itself or the data
            that follows (truncated, wrong block align, partial frames).
        AudioFileError: the file cannot be read (missing, a directory, no permission; also an ``OSError``).
        ConfigurationTypeError: ``path`` is not a path.
    """
    data, audio_format, _ = read_wav_stored(path)
    return data, audio_format


def read_wav_stored(path: StrPath) -> tuple[bytes, AudioFormat, str]:
    """:func:`read_wav`, and how the file stores its samples in words (``"24-bit PCM"``, ``"32-bit float"``,
    ``"A-law"``): what a program shows its user, since the returned format is what the samples became.

    Raises:
        AudioFormatError, AudioFileError, ConfigurationTypeError: as :func:`read_wav`.
    """
    checked = _checked_path(path)
    return _parse_wav_stored(_read_file(checked), checked.name)


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
        AudioFileError: the file cannot be written (a directory, a missing directory, no permission, a full disk;
            also an ``OSError``); nothing else is printed or left open.
        ConfigurationTypeError: ``path`` is not a path.
    """
    target = _checked_path(path)
    audio_format = AudioFormat(sample_rate, channels, encoding)
    check_whole_frames(data, audio_format.frame_bytes, f"{encoding} audio")
    if encoding == "pcm16":
        try:
            # The file is opened here, not by wave.open(path): a Wave_write whose open failed would complain again
            # from its __del__ ("Exception ignored in ...").
            with target.open("wb") as file, wave.open(file, "wb") as writer:
                writer.setnchannels(channels)
                writer.setsampwidth(2)
                writer.setframerate(audio_format.sample_rate)
                writer.writeframes(bytes(data))
        except OSError as exc:
            raise _file_error(exc, target, "written") from None
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
    try:
        target.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    except OSError as exc:
        raise _file_error(exc, target, "written") from None


def read_raw(path: StrPath, audio_format: AudioFormat | None = None) -> bytes:
    """Read a headerless file of audio in ``audio_format`` (default: PCM16 mono 24 kHz).

    Raises:
        AudioFormatError: the file is not whole frames of that format.
        AudioFileError: the file cannot be read (also an ``OSError``).
        ConfigurationTypeError: ``path`` is not a path.
    """
    audio_format = audio_format or AudioFormat()
    path = _checked_path(path)
    data = _read_file(path)
    check_whole_frames(data, audio_format.frame_bytes, f"{path.name} ({audio_format.encoding})")
    return data


def load_audio(
    path: StrPath, sample_rate: int = 24000, channels: int = 1, *, raw_format: AudioFormat | None = None
) -> bytes:
    """Any WAV file :func:`read_wav` reads, or a headerless file, as PCM16 at ``sample_rate`` with ``channels``.

    A file that starts as a WAV (``RIFF``/``RF64``) is read as one. Headerless audio is read only from a file named
    ``.raw`` or ``.pcm``, or when ``raw_format`` says its format (default PCM16 mono 24 kHz); anything else is an
    error rather than noise: a FLAC, MP3, Ogg or MP4 file is named, with the advice to convert it to WAV.

    Raises:
        AudioFormatError: an empty WAV, a bad WAV, another container, an unknown file type, a bad target rate or
            channel count, or a raw file that is not whole frames.
        AudioFileError: the file cannot be read (missing, a directory, no permission; also an ``OSError``).
        ConfigurationTypeError: ``path`` is not a path (a number, None).
    """
    target = AudioFormat(sample_rate, channels)
    path = _checked_path(path)
    blob = _read_file(path)
    raw = raw_format is not None or path.suffix.lower() in RAW_SUFFIXES
    if not blob and not raw:
        raise AudioFormatError(f"{path.name} is empty (0 bytes): there is no audio in it")
    if blob[:4] in (b"RIFF", b"RF64") or not raw:
        if not raw and path.suffix.lower() not in {".wav", ".wave"} and blob[:4] not in (b"RIFF", b"RF64"):
            _refuse_container(blob, path.name)
            raise AudioFormatError(
                f"{path.name} is not a WAV file (it starts with {blob[:4]!r}): pyagent reads {_READ_AS}; "
                f"name a headerless file .raw or .pcm"
            )
        data, source = _parse_wav(blob, path.name)
    else:
        source = raw_format or AudioFormat()
        check_whole_frames(blob, source.frame_bytes, f"{path.name} ({source.encoding})")
        data = blob
    return convert(data, source, target)
