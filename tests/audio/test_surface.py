"""The names and signatures the other layers build on (the contract of pyagent.audio), and its import hygiene."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pyagent.audio
from conftest import ROOT

CONTRACT = {
    "AudioFormat": ["sample_rate", "channels", "encoding"],
    "pcm16_to_float32": None,
    "float32_to_pcm16": None,
    "pcm16_to_int16": None,
    "int16_to_pcm16": None,
    "to_mono": None,
    "rms": None,
    "dbfs": None,
    "apply_gain": None,
    "Resampler": ["in_rate", "out_rate", "channels", "quality"],
    "ulaw_encode": None,
    "ulaw_decode": None,
    "alaw_encode": None,
    "alaw_decode": None,
    "read_wav": ["path"],
    "write_wav": ["path", "data", "sample_rate", "channels", "encoding"],
    "load_audio": ["path", "sample_rate", "channels", "raw_format"],
    "convert": ["data", "src", "dst"],
    "Chunker": ["frame_ms", "sample_rate", "channels"],
    "Clock": None,
    "MonotonicClock": [],
    "ManualClock": ["start"],
    "PlaybackClock": ["sample_rate", "clock", "encoding"],
    "VoiceActivityDetector": ["sample_rate", "threshold", "prefix_padding_ms", "silence_duration_ms"],
    "VadEvent": None,
    "AudioError": None,
    "AudioFormatError": None,
}


def test_contract_names_and_parameters() -> None:
    for name, parameters in CONTRACT.items():
        assert name in pyagent.audio.__all__, name
        if parameters is not None:
            signature = inspect.signature(getattr(pyagent.audio, name))
            assert list(signature.parameters) == parameters, name


def test_defaults_the_other_layers_rely_on() -> None:
    assert pyagent.audio.AudioFormat() == pyagent.audio.AudioFormat(24000, 1, "pcm16")
    vad = inspect.signature(pyagent.audio.VoiceActivityDetector).parameters
    assert [vad[p].default for p in vad] == [24000, 0.5, 300, 500]
    assert inspect.signature(pyagent.audio.PlaybackClock).parameters["clock"].kind is inspect.Parameter.KEYWORD_ONLY
    assert issubclass(pyagent.audio.AudioFormatError, ValueError)
    assert issubclass(pyagent.audio.AudioFormatError, pyagent.audio.AudioError)
    for method in ("enqueue", "read", "played_ms", "received_ms", "truncate_ms", "clear"):
        assert callable(getattr(pyagent.audio.PlaybackClock, method))
    assert isinstance(pyagent.audio.PlaybackClock.is_playing, property)
    assert isinstance(pyagent.audio.PlaybackClock.current, property)


def test_imports_only_numpy_soxr_and_the_error_root() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import pyagent.audio\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new & {'websockets', 'msgspec', 'sounddevice', 'aiohttp'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
    # The audio modules import no other layer: only the root's errors and its version/distribution constants.
    for path in (ROOT / "pyagent" / "audio").glob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("import ", "from ")) and "pyagent" in line:
                assert line.startswith(("from pyagent.audio", "from pyagent.errors", "from pyagent._version")), (
                    path.name,
                    line,
                )
