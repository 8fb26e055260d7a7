"""WAV and raw files: PCM16 and G.711 round trips, interop with the stdlib, bad files, load_audio."""

from __future__ import annotations

import errno
import gc
import re
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES
from pyagent.audio import (
    AudioFileError,
    AudioFormat,
    AudioFormatError,
    ConfigurationError,
    ConfigurationTypeError,
    Resampler,
    alaw_decode,
    convert,
    float32_to_pcm16,
    load_audio,
    read_raw,
    read_wav,
    ulaw_encode,
    write_wav,
)
from pyagent.audio._wav import read_wav_stored

AUDIO = FIXTURES / "audio"
RAW = AUDIO / "aoai-realtime-audio-sdk_tell_me_the_weather_pcm16_24k_mono.raw"
HELLO_ALAW = AUDIO / "aoai-realtime-audio-sdk_audio_hello_world_alaw_8k.wav"


def tone(rate: int = 24000, seconds: float = 0.25, channels: int = 1) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.3 * np.sin(2 * np.pi * 440 * t)
    return float32_to_pcm16(np.repeat(mono, channels))


def riff(fmt: bytes, data: bytes, extra: bytes = b"") -> bytes:
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(tag: int, channels: int, rate: int, bits: int, block_align: int | None = None) -> bytes:
    align = block_align if block_align is not None else channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


@pytest.mark.parametrize(("rate", "channels"), [(24000, 1), (16000, 1), (44100, 2), (8000, 1)])
def test_pcm16_round_trip_and_stdlib_interop(tmp_path: Path, rate: int, channels: int) -> None:
    data = tone(rate, channels=channels)
    path = tmp_path / "x.wav"
    write_wav(path, data, rate, channels)
    assert read_wav(path) == (data, AudioFormat(rate, channels))
    with wave.open(str(path)) as reader:  # what we write, the stdlib reads
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (rate, channels, 2)
        assert reader.readframes(reader.getnframes()) == data


def test_reads_what_the_stdlib_writes(tmp_path: Path) -> None:
    path = tmp_path / "std.wav"
    data = tone(22050)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(22050)
        writer.writeframes(data)
    assert read_wav(path) == (data, AudioFormat(22050))


@pytest.mark.parametrize("encoding", ["g711_ulaw", "g711_alaw"])
def test_g711_round_trip(tmp_path: Path, encoding: str) -> None:
    codes = bytes(range(256)) * 11 + b"\x01"  # odd length: the data chunk gets a pad byte
    path = tmp_path / "g.wav"
    write_wav(path, codes, 8000, encoding=encoding)  # type: ignore[arg-type]
    assert read_wav(path) == (codes, AudioFormat(8000, 1, encoding))  # type: ignore[arg-type]
    blob = path.read_bytes()
    assert struct.unpack_from("<H", blob, 20)[0] == (7 if encoding == "g711_ulaw" else 6)
    assert len(blob) % 2 == 0


def test_reads_the_alaw_recording() -> None:
    codes, fmt = read_wav(HELLO_ALAW)
    assert fmt == AudioFormat(8000, 1, "g711_alaw")
    assert len(codes) == 13690 - 58  # file size minus RIFF, fmt (18 + 8), fact (4 + 8) and data headers


def test_float_wav_is_converted_with_clipping(tmp_path: Path) -> None:
    floats = np.array([0.0, 0.5, -0.5, 1.5, -2.0], dtype="<f4")
    path = tmp_path / "f.wav"
    path.write_bytes(riff(fmt_chunk(3, 1, 16000, 32), floats.tobytes()))
    data, fmt = read_wav(path)
    assert fmt == AudioFormat(16000)
    assert np.frombuffer(data, "<i2").tolist() == [0, 16384, -16384, 32767, -32768]


def test_extensible_pcm16_and_unknown_chunks(tmp_path: Path) -> None:
    guid_tail = bytes.fromhex("000000001000800000aa00389b71")
    extensible = fmt_chunk(0xFFFE, 1, 24000, 16) + struct.pack("<HHIH", 22, 16, 4, 1) + guid_tail
    path = tmp_path / "ext.wav"
    data = tone()
    # A LIST chunk of odd length before the data: skipped, including its pad byte.
    path.write_bytes(riff(extensible, data, extra=b"LIST" + struct.pack("<I", 3) + b"abc\0"))
    assert read_wav(path) == (data, AudioFormat())


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"ID3\x03" + bytes(100), "is MP3 audio, not WAV: convert it to WAV"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "not a RIFF/WAVE file"),
        (riff(fmt_chunk(1, 1, 24000, 16), b"\x00\x00")[:-1], "truncated"),
        (riff(fmt_chunk(1, 1, 24000, 16), b"\x00\x00\x00"), "not a whole number of 2-byte sample frames"),
        (riff(fmt_chunk(1, 2, 24000, 16), b"\x00\x00"), "not a whole number of 4-byte sample frames"),
        (riff(fmt_chunk(1, 1, 24000, 12, 2), b"\x00\x00"), "12-bit PCM"),
        (riff(fmt_chunk(3, 1, 24000, 16), b"\x00\x00"), "16-bit IEEE float"),
        (riff(fmt_chunk(2, 1, 24000, 4, 256), b"\x00\x00"), "Microsoft ADPCM"),
        (riff(fmt_chunk(0x55, 1, 24000, 0, 1), b"\x00\x00"), "MPEG layer 3"),
        (riff(fmt_chunk(6, 1, 8000, 16), b"\x00\x00"), "16-bit A-law"),
        (riff(fmt_chunk(1, 1, 24000, 16, 4), b"\x00\x00"), "contradicts itself"),
        (riff(fmt_chunk(1, 1, 4000, 16), b"\x00\x00"), "unsupported sample rate 4000"),
        (riff(fmt_chunk(1, 0, 24000, 16), b"\x00\x00"), "channel count 0"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no usable fmt chunk"),
        (riff(fmt_chunk(1, 1, 24000, 16), b"")[: -8 - 0] + b"junk" + b"\x00" * 4, "no data chunk"),
    ],
)
def test_a_wav_that_is_not_what_it_says(tmp_path: Path, blob: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(blob)
    with pytest.raises(AudioFormatError, match=message):
        read_wav(path)
    with pytest.raises(AudioFormatError, match=message):
        load_audio(path)


def test_byte_rate_that_lies_is_caught(tmp_path: Path) -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, 24000, 96000, 2, 16)  # says 96000 bytes/s for 48000
    path = tmp_path / "lie.wav"
    path.write_bytes(riff(fmt, b"\x00\x00"))
    with pytest.raises(AudioFormatError, match=r"48000 bytes/s, the header says 2 and 96000"):
        read_wav(path)


def test_write_wav_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="3 bytes"):
        write_wav(tmp_path / "a.wav", b"\x00\x00\x00", 24000)
    with pytest.raises(AudioFormatError, match="unsupported sample rate"):
        write_wav(tmp_path / "a.wav", b"\x00\x00", 1000)
    with pytest.raises(AudioFormatError, match="encoding"):
        write_wav(tmp_path / "a.wav", b"\x00\x00", 24000, encoding="mp3")  # type: ignore[arg-type]
    assert not (tmp_path / "a.wav").exists()


def test_read_raw() -> None:
    data = read_raw(RAW)
    assert len(data) == 214582
    assert read_raw(RAW, AudioFormat(8000, 1, "g711_ulaw")) == data


def test_read_raw_rejects_partial_frames(tmp_path: Path) -> None:
    path = tmp_path / "odd.raw"
    path.write_bytes(b"\x00\x00\x00")
    with pytest.raises(AudioFormatError, match=r"odd.raw \(pcm16\) of 3 bytes"):
        read_raw(path)
    with pytest.raises(AudioFormatError, match=r"odd\.raw"):
        load_audio(path)


def test_load_audio_of_each_kind(tmp_path: Path) -> None:
    # 24 kHz mono PCM16 WAV and raw come back untouched.
    pcm_wav = AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"
    assert load_audio(pcm_wav) == read_wav(pcm_wav)[0]
    assert load_audio(RAW) == RAW.read_bytes()
    # A-law 8 kHz: decoded and resampled to the rate asked for.
    codes, _ = read_wav(HELLO_ALAW)
    at_16k = load_audio(HELLO_ALAW, 16000)
    resampler = Resampler(8000, 16000)
    assert at_16k == resampler.process(alaw_decode(codes)) + resampler.flush()
    assert len(at_16k) == 2 * 2 * len(codes)  # twice the samples, two bytes each
    # Stereo 44.1 kHz to mono 24 kHz, and mono up to stereo.
    stereo = tmp_path / "s.wav"
    write_wav(stereo, tone(44100, 1.0, channels=2), 44100, 2)
    mono = load_audio(stereo)
    assert abs(len(mono) - 48000) <= 2
    both = load_audio(RAW, 24000, 2)
    assert both[:4] == RAW.read_bytes()[:2] * 2
    # A raw file in another format.
    ulaw_raw = tmp_path / "u.ulaw"
    ulaw_raw.write_bytes(ulaw_encode(tone(8000)))
    assert len(load_audio(ulaw_raw, 8000, raw_format=AudioFormat(8000, 1, "g711_ulaw"))) == 2 * 2000


def test_a_wav_file_without_riff_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.wav"
    path.write_bytes(RAW.read_bytes()[:1000])
    with pytest.raises(AudioFormatError, match=r"fake\.wav is not a RIFF/WAVE file"):
        load_audio(path)


def test_convert_between_formats() -> None:
    pcm = tone(24000, 0.5)
    ulaw8k = convert(pcm, AudioFormat(), AudioFormat(8000, 1, "g711_ulaw"))
    assert len(ulaw8k) == 4000
    back = convert(ulaw8k, AudioFormat(8000, 1, "g711_ulaw"), AudioFormat())
    assert len(back) == len(pcm)
    original = np.frombuffer(pcm, "<i2").astype(float)[2400:-2400]
    restored = np.frombuffer(back, "<i2").astype(float)[2400:-2400]
    assert np.corrcoef(original, restored)[0, 1] > 0.999
    assert convert(pcm, AudioFormat(), AudioFormat()) == pcm
    with pytest.raises(AudioFormatError, match="pcm16 audio of 3 bytes"):
        convert(b"\x00\x00\x00", AudioFormat(), AudioFormat(16000))
    stereo = convert(pcm, AudioFormat(), AudioFormat(24000, 2))
    assert stereo[:4] == pcm[:2] * 2
    assert convert(stereo, AudioFormat(24000, 2), AudioFormat()) == pcm


# --------------------------------------------------------------------------------------------------- any WAV


def std_wav(path: Path, frames: bytes, rate: int, channels: int, width: int) -> Path:
    """A WAV written by the standard library's ``wave`` (PCM of any sample width), an oracle independent of ours."""
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return path


def signal(samples: int, channels: int) -> np.ndarray:
    """A different chirp per channel in [-1, 1), as float64."""
    t = np.arange(samples)[:, None] / samples
    return 0.9 * np.sin(2 * np.pi * (3 + np.arange(channels)[None, :]) * 7 * t * (1 + t))


def test_24_bit_96_khz_6_channels(tmp_path: Path) -> None:
    x = signal(960, 6)
    ints = np.round(x * (1 << 23)).astype(np.int32)
    packed = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()  # little-endian, low 3 bytes
    path = std_wav(tmp_path / "studio.wav", packed, 96000, 6, 3)
    data, fmt = read_wav(path)
    assert fmt == AudioFormat(96000, 6)
    expected = np.clip(np.round(ints / 256), -32768, 32767).astype("<i2").ravel()
    assert np.array_equal(np.frombuffer(data, "<i2"), expected)
    # load_audio mixes and resamples it like any other; chat sends what load_audio reads.
    assert len(load_audio(path)) == 2 * 240  # 10 ms at 24 kHz mono


def test_8_bit_unsigned_and_32_bit_pcm(tmp_path: Path) -> None:
    codes = np.array([0, 64, 128, 192, 255], dtype=np.uint8)
    data, fmt = read_wav(std_wav(tmp_path / "u8.wav", codes.tobytes(), 8000, 1, 1))
    assert fmt == AudioFormat(8000)
    assert np.frombuffer(data, "<i2").tolist() == [-32768, -16384, 0, 16384, 32512]  # (code - 128) * 256
    wide = np.array([0, 1 << 30, -(1 << 31), (1 << 31) - 1, 98304], dtype="<i4")
    data, _ = read_wav(std_wav(tmp_path / "s32.wav", wide.tobytes(), 48000, 1, 4))
    assert np.frombuffer(data, "<i2").tolist() == [0, 16384, -32768, 32767, 2]  # rounded, 1.5 -> 2


def test_float64_and_extensible_24_bit(tmp_path: Path) -> None:
    doubles = np.array([0.25, -0.25, 1.0], dtype="<f8")
    path = tmp_path / "f64.wav"
    path.write_bytes(riff(fmt_chunk(3, 1, 16000, 64), doubles.tobytes()))
    assert np.frombuffer(read_wav(path)[0], "<i2").tolist() == [8192, -8192, 32767]
    guid_tail = bytes.fromhex("000000001000800000aa00389b71")
    extensible = fmt_chunk(0xFFFE, 2, 44100, 24) + struct.pack("<HHIH", 22, 24, 3, 1) + guid_tail
    frames = bytes([0x00, 0x00, 0x40, 0x00, 0x00, 0xC0])  # +0.5, -0.5
    path.write_bytes(riff(extensible, frames))
    data, fmt = read_wav(path)
    assert (fmt, np.frombuffer(data, "<i2").tolist()) == (AudioFormat(44100, 2), [16384, -16384])


@pytest.mark.parametrize("placeholder", [0xFFFFFFFF, 0x7FFFFFFF])
def test_a_streamed_wav_is_read_to_its_end(tmp_path: Path, placeholder: int) -> None:
    """What ffmpeg or arecord write to a pipe: sizes they could not go back and fill in."""
    audio = tone(16000, 0.5)
    blob = bytearray(riff(fmt_chunk(1, 1, 16000, 16), audio))
    struct.pack_into("<I", blob, 4, 0xFFFFFFFF)  # RIFF size
    struct.pack_into("<I", blob, len(blob) - len(audio) - 4, placeholder)  # data size
    path = tmp_path / "piped.wav"
    path.write_bytes(bytes(blob) + b"\x07")  # the recorder stopped mid-sample
    assert read_wav(path) == (audio, AudioFormat(16000))
    assert len(load_audio(path)) == len(audio) * 24000 // 16000


def test_rf64(tmp_path: Path) -> None:
    audio = tone(24000, 0.1)
    fmt = fmt_chunk(1, 1, 24000, 16)
    ds64 = struct.pack("<QQQI", 0, len(audio), len(audio) // 2, 0)
    body = b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 0xFFFFFFFF) + audio
    path = tmp_path / "big.wav"
    path.write_bytes(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body + b"LIST\x04\x00\x00\x00abcd")
    assert read_wav(path) == (audio, AudioFormat())  # the ds64 size ends the data before the trailing chunk


CONTAINERS = {
    "FLAC": b"fLaC\x00\x00\x00\x22" + bytes(40),
    "MP3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(40),
    "MP3 frame": b"\xff\xfb\x90\x64" + bytes(40),
    "Ogg": b"OggS\x00\x02" + bytes(40),
    "MP4": b"\x00\x00\x00\x20ftypM4A " + bytes(40),
}


@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".ogg", ".m4a", ".wav", ".bin"])
@pytest.mark.parametrize("kind", list(CONTAINERS))
def test_other_containers_are_refused_with_advice(tmp_path: Path, kind: str, suffix: str) -> None:
    path = tmp_path / f"voice{suffix}"
    path.write_bytes(CONTAINERS[kind])
    named = kind.split()[0]
    for reader in (read_wav, load_audio):
        with pytest.raises(AudioFormatError, match=rf"voice\{suffix} is {named}.* audio, not WAV: convert it to WAV"):
            reader(path)


def test_only_raw_and_pcm_files_are_read_headerless(tmp_path: Path) -> None:
    pcm = RAW.read_bytes()[:4800]
    for suffix in (".raw", ".pcm", ".PCM"):
        (tmp_path / f"a{suffix}").write_bytes(pcm)
        assert load_audio(tmp_path / f"a{suffix}") == pcm
    (tmp_path / "a.bin").write_bytes(pcm)
    with pytest.raises(AudioFormatError, match=r"a\.bin is not a WAV file .*name a headerless file \.raw or \.pcm"):
        load_audio(tmp_path / "a.bin")
    assert load_audio(tmp_path / "a.bin", raw_format=AudioFormat()) == pcm  # unless the caller says its format


# --- files that cannot be read or written: typed errors, nothing printed -----------------------------------------


@pytest.mark.parametrize("encoding", ["pcm16", "g711_ulaw"])
def test_write_wav_where_no_file_can_be_is_an_audio_file_error_and_prints_nothing(
    tmp_path: Path, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory, a missing directory, a path through a file: one typed error (an OSError too, with its errno),
    and no "Exception ignored in Wave_write.__del__" afterwards."""
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    (tmp_path / "file.txt").write_text("not a directory")
    cases = {
        tmp_path: (errno.EISDIR, f"{tmp_path} is a directory; give a file name such as {tmp_path / 'reply.wav'}"),
        tmp_path / "missing" / "y.wav": (errno.ENOENT, f"the directory {str(tmp_path / 'missing')!r} does not exist"),
        tmp_path / "file.txt" / "y.wav": (errno.ENOTDIR, "a part of the path is a file, not a directory"),
    }
    data = tone(8000, 0.1) if encoding == "pcm16" else ulaw_encode(tone(8000, 0.1))
    for path, (number, says) in cases.items():
        with pytest.raises(AudioFileError) as caught:
            write_wav(path, data, 8000, encoding=encoding)  # type: ignore[arg-type]
        assert isinstance(caught.value, OSError)
        assert caught.value.errno == number
        assert says in str(caught.value)
    gc.collect()
    assert unraisable == []
    assert not (tmp_path / "missing").exists()


def test_reading_what_is_no_audio_file_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "empty.bin").write_bytes(b"")
    for reader in (read_wav, load_audio, read_raw):
        with pytest.raises(AudioFileError, match=f"{re.escape(str(tmp_path))} is a directory; give a WAV file"):
            reader(tmp_path)
        with pytest.raises(AudioFileError, match=r"missing\.wav: no such file") as missing:
            reader(tmp_path / "missing.wav")
        assert missing.value.errno == errno.ENOENT
        for bad in (5, None, b"x.wav"):
            with pytest.raises(ConfigurationTypeError, match="must be a file path"):
                reader(bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="must name a file, not ''"):
            reader("")
    for reader in (read_wav, load_audio):
        for name in ("empty.wav", "empty.bin"):
            with pytest.raises(AudioFormatError, match=rf"^{name} is empty \(0 bytes\): there is no audio in it$"):
                reader(tmp_path / name)


def test_read_wav_stored_says_how_the_file_keeps_its_samples(tmp_path: Path) -> None:
    codes = np.array([0, 64, 128, 192, 255], dtype=np.uint8)
    stored = {
        "u8.wav": (std_wav(tmp_path / "u8.wav", codes.tobytes(), 8000, 1, 1), "8-bit PCM"),
        "s16.wav": (std_wav(tmp_path / "s16.wav", tone(8000, 0.01), 8000, 1, 2), "16-bit PCM"),
        "s32.wav": (std_wav(tmp_path / "s32.wav", bytes(16), 8000, 1, 4), "32-bit PCM"),
        "alaw.wav": (HELLO_ALAW, "A-law"),
    }
    (tmp_path / "f32.wav").write_bytes(riff(fmt_chunk(3, 1, 16000, 32), np.zeros(4, "<f4").tobytes()))
    stored["f32.wav"] = (tmp_path / "f32.wav", "32-bit float")
    for path, words in stored.values():
        data, fmt, description = read_wav_stored(path)
        assert description == words
        assert (data, fmt) == read_wav(path)
