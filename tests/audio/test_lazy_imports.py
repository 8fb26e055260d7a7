"""numpy and soxr load at the first use of what needs them, never at ``import pyagent.audio`` or ``pyagent.voice``.

Each check runs in a fresh interpreter (this one has numpy loaded long ago). The first conversion there, on a real
recording read with the standard library's ``wave``, must give the bytes the eager path gives: this process's
functions (numpy long loaded) and, for resampling, soxr called directly.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest
import soxr
from audio.conftest import HIBARI_WEATHER

import pyagent.audio
from conftest import ROOT, modules_after
from pyagent.audio import Resampler, resample, ulaw_decode, ulaw_encode

HEAVY = {"numpy", "soxr"}


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter from the repository root; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _loaded_after(statement: str) -> set[str]:
    """The top-level packages among numpy and soxr that a fresh interpreter holds after ``statement``."""
    loaded = modules_after(statement)
    assert "pyagent" in loaded  # the statement did import pyagent
    return loaded & HEAVY


@pytest.mark.parametrize(
    "statement",
    [
        "import pyagent.audio",
        "import pyagent.voice",
        "from pyagent.voice import VoiceSession, Agent",
        "import pyagent; pyagent.VoiceSession",
        # What the voice layer and the session's passing converters use stays numpy-free too.
        "from pyagent.audio import AudioFormat, Chunker, PlaybackClock, MonotonicClock, AudioError",
        "from pyagent.voice import VoiceSession; VoiceSession(sample_rate=24000)",
        "from pyagent.voice import VoiceSession; VoiceSession().configure_audio(sample_rate=8000, format='g711_ulaw')",
        "from pyagent.voice import VoiceSession; VoiceSession(sample_rate=8000).configure_audio(format='g711_ulaw')",
        # A session whose audio will be converted loads numpy at its first chunk to convert, not when built.
        "from pyagent.voice import VoiceSession; VoiceSession(sample_rate=16000)",
    ],
)
def test_import_loads_neither_numpy_nor_soxr(statement: str) -> None:
    assert _loaded_after(statement) == set()


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("from pyagent.audio import ulaw_encode", {"numpy"}),
        ("from pyagent.audio import Resampler", {"numpy", "soxr"}),
        ("import pyagent.audio; pyagent.audio.VoiceActivityDetector", {"numpy"}),
        ("from pyagent.audio import *", {"numpy", "soxr"}),
    ],
)
def test_a_numpy_backed_name_loads_numpy_when_taken(statement: str, expected: set[str]) -> None:
    assert _loaded_after(statement) == expected


def test_names_stay_exported_and_listed() -> None:
    code = """
    import sys
    import pyagent.audio
    names = dir(pyagent.audio)
    print(json.dumps([sorted(set(pyagent.audio.__all__) - set(names)), "numpy" in sys.modules]))
    """
    missing, numpy_loaded = json.loads(_run("import json\n" + textwrap.dedent(code)))
    assert missing == []  # every exported name is listed before its module loads
    assert numpy_loaded is False
    with pytest.raises(AttributeError, match="no attribute 'resampel'"):
        getattr(pyagent.audio, "resampel")  # noqa: B009  (a misspelt name is an AttributeError, as before)
    with pytest.raises(ImportError, match="resampel"):
        exec("from pyagent.audio import resampel", {})


def _pcm16_of(path: pathlib.Path) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as recording:
        assert (recording.getsampwidth(), recording.getnchannels()) == (2, 1)
        return recording.readframes(recording.getnframes()), recording.getframerate()


def test_the_first_conversion_in_a_fresh_interpreter_gives_the_eager_bytes(tmp_path: pathlib.Path) -> None:
    speech, rate = _pcm16_of(HIBARI_WEATHER)
    assert rate == 24000
    assert len(speech) > rate  # over a second of a real recording
    code = f"""
    import pathlib, sys, wave
    out = pathlib.Path({str(tmp_path)!r})
    with wave.open({str(HIBARI_WEATHER)!r}, "rb") as recording:
        speech = recording.readframes(recording.getnframes())
    import pyagent.audio
    from pyagent.voice import VoiceSession
    assert not {{"numpy", "soxr"}} & set(sys.modules), "loaded at import"
    from pyagent.audio import Resampler, resample, ulaw_decode, ulaw_encode
    (out / "resampled").write_bytes(resample(speech, 24000, 16000))
    stream = Resampler(24000, 8000)
    size = 24000 * 2 * 20 // 1000
    streamed = b"".join(stream.process(speech[i : i + size]) for i in range(0, len(speech), size)) + stream.flush()
    (out / "streamed").write_bytes(streamed)
    codes = ulaw_encode(streamed)
    (out / "ulaw").write_bytes(codes)
    (out / "decoded").write_bytes(ulaw_decode(codes))
    print(sorted({{"numpy", "soxr"}} & {{m.split(".")[0] for m in sys.modules}}))
    """
    assert _run(code).strip() == "['numpy', 'soxr']"

    # Resampling, against soxr called directly on the same float32 samples, clipped and rounded to PCM16.
    samples = np.frombuffer(speech, dtype="<i2").astype(np.float32)
    direct = soxr.resample(samples, 24000, 16000, quality="HQ")
    reference = np.rint(np.clip(direct, -32768, 32767)).astype("<i2").tobytes()
    resampled = (tmp_path / "resampled").read_bytes()
    assert len(resampled) == len(speech) * 2 // 3
    assert resampled == reference == resample(speech, 24000, 16000)

    # Streaming in 20 ms chunks, then G.711 both ways: this process's eager path gives the same bytes.
    stream = Resampler(24000, 8000)
    size = 24000 * 2 * 20 // 1000
    streamed = b"".join(stream.process(speech[i : i + size]) for i in range(0, len(speech), size)) + stream.flush()
    assert (tmp_path / "streamed").read_bytes() == streamed
    assert (tmp_path / "ulaw").read_bytes() == ulaw_encode(streamed)
    assert (tmp_path / "decoded").read_bytes() == ulaw_decode(ulaw_encode(streamed))
    assert len(set(ulaw_encode(streamed))) > 100  # speech, not silence: most of the 256 codes occur
