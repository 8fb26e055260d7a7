"""A voice session in a fresh interpreter where numpy was never imported: numpy loads only if the audio converts.

The other voice tests run in this process, where numpy is loaded long before any session, so they cannot show that
a session works when the audio stack loads on its first use. Here the local server runs in this process and the
session in a child interpreter that connects to it over loopback and reports what it heard and what it loaded.
"""

from __future__ import annotations

import asyncio
import json
import math
import pathlib
import sys
import textwrap
from typing import Any

import pytest
from voice.conftest import WEATHER_WAV

from conftest import ROOT
from pyagent.audio import AudioFormat, convert, load_audio
from pyagent.server import LocalServer, Reply, ResponderContext

_SESSION = """
import asyncio, json, pathlib, sys
import pyagent.voice
from pyagent.voice import VoiceSession

def heavy():
    return sorted({"numpy", "soxr"} & {name.split(".")[0] for name in sys.modules})

async def main(endpoint, dialect, rate, encoding, question):
    loaded = {"import": heavy()}
    session = VoiceSession(model="gpt-realtime", endpoint=endpoint, dialect=dialect)
    session.configure_audio(sample_rate=rate, format=encoding)
    async with session.connect() as voice:
        loaded["connected"] = heavy()
        response = await voice.respond(pathlib.Path(question).read_bytes())
        wire = voice.wire_audio_format
    loaded["answered"] = heavy()
    print(json.dumps({
        "loaded": loaded,
        "wire": [wire.sample_rate, wire.encoding],
        "input_transcript": response.input_transcript,
        "transcript": response.transcript,
        "format": [response.format, response.sample_rate],
        "audio_bytes": len(response.audio),
        "duration_ms": response.duration_ms,
    }))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]))
"""


def weather_forecast(context: ResponderContext) -> Reply:
    return Reply(text=f"You asked: {context.transcript}.")


async def _session_in_fresh_interpreter(
    endpoint: str, dialect: str, audio: AudioFormat, question: pathlib.Path
) -> dict[str, Any]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(_SESSION),
        endpoint,
        dialect,
        str(audio.sample_rate),
        audio.encoding,
        str(question),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), 90)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert child.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize(
    ("dialect", "audio", "converts"),
    [
        ("openai", AudioFormat(16000), True),  # resampled both ways: numpy and soxr load at the first chunk
        ("azure-openai", AudioFormat(8000, 1, "g711_alaw"), False),  # the wire speaks it: nothing to convert
        ("openai", AudioFormat(8000, 1, "g711_ulaw"), False),
    ],
    ids=["pcm16-16k-resampled", "alaw-native", "ulaw-native"],
)
async def test_a_session_works_where_numpy_was_never_imported(
    dialect: str, audio: AudioFormat, converts: bool, tmp_path: pathlib.Path
) -> None:
    question = tmp_path / "question"
    question.write_bytes(convert(load_audio(WEATHER_WAV), AudioFormat(24000), audio))
    async with LocalServer(realtime_factor=math.inf, seed=1, responder=weather_forecast) as server:
        heard = await _session_in_fresh_interpreter(server.endpoint, dialect, audio, question)

    assert heard["loaded"]["import"] == []
    if converts:
        # The audio stack loads at the first chunk the session converts, not at import, construction or connect.
        assert heard["loaded"]["connected"] == []
        assert heard["loaded"]["answered"] == ["numpy", "soxr"]
        assert heard["wire"] == [24000, "pcm16"]
    else:
        assert heard["loaded"]["answered"] == []  # a whole call without numpy or soxr
        assert heard["wire"] == [8000, audio.encoding]
    assert "weather in paris" in heard["input_transcript"].lower()
    assert heard["transcript"] == f"You asked: {heard['input_transcript']}."
    assert heard["format"] == [audio.encoding, audio.sample_rate]
    # The answer comes back in the session's format: bytes and milliseconds agree at its rate.
    assert heard["audio_bytes"] > 0
    assert heard["duration_ms"] == heard["audio_bytes"] * 1000 // audio.bytes_per_second
