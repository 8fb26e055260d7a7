"""The demo (``make demo``): a spoken question, a tool call, a spoken answer, a WAV file, exit 0."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT
from pyagent.audio import read_wav
from pyagent.demo import QUESTION, get_weather, main


def test_the_recording_and_the_tool() -> None:
    assert QUESTION.exists()
    assert get_weather("Paris") == "sunny, 22 degrees Celsius"
    assert get_weather("Atlantis") == "no forecast for Atlantis"


def test_python_m_pyagent_demo(tmp_path: pathlib.Path) -> None:
    """Exactly what `make demo` runs, as a process."""
    out = tmp_path / "reply.wav"
    result = subprocess.run(
        [sys.executable, "-m", "pyagent.demo", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Local realtime server at http://127.0.0.1:")
    assert "You asked:  what is the weather in paris" in lines
    assert 'Tool call:  get_weather({"city":"Paris"}) -> \'sunny, 22 degrees Celsius\'' in lines
    assert "Assistant:  Here is what I found for Paris: sunny, 22 degrees Celsius." in lines
    assert any(line.startswith(f"Reply:      {out} (") for line in lines)
    audio, fmt = read_wav(out)
    assert (fmt.sample_rate, fmt.channels) == (24000, 1)
    assert len(audio) > 2 * fmt.bytes_per_second


@pytest.mark.parametrize("dialect", ["azure-openai", "voicelive"])
def test_demo_without_speech_still_calls_the_tool(
    dialect: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reply.wav"
    assert main(["--out", str(out), "--speech", "off", "--dialect", dialect]) == 0
    text = capsys.readouterr().out
    assert "as text" in text
    assert "Tool call:  get_weather" in text
    assert "Assistant:  Here is what I found for Paris: sunny, 22 degrees Celsius." in text
    assert "Speech placeholders in use" in text
    assert out.exists()


def test_demo_reports_a_missing_recording(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--audio", str(tmp_path / "nothing.wav"), "--out", str(tmp_path / "r.wav")]) == 1
    assert "demo failed" in capsys.readouterr().err
