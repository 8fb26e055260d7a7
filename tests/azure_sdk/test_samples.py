"""The published samples of azure-ai-voicelive run on pyagent with only their imports changed.

Each sample that needs no network (see ``samples/README.md``) runs twice against the local server, as published with
the Azure SDK and as ported to pyagent, in a subprocess whose microphone plays the "What is the weather in Paris?"
recording and whose speaker writes a file (``samples/wav_pyaudio.py``, standing in for ``pyaudio``). Each run must
complete its turns (the tool call included) and the two runs must agree: the same ``session.update``, the same audio
sent, the same answers and the same audio played.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import json
import os
import pathlib
import signal
import sys
import wave
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from azure_sdk.samples.port import port

from conftest import FIXTURES
from pyagent.server import LocalServer

pytest.importorskip("azure.ai.voicelive.aio")
pytest.importorskip("azure.identity.aio")  # the published samples import it (they use a key here)

SAMPLES = pathlib.Path(__file__).resolve().parent / "samples"
WAV = FIXTURES / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
KEY = "vl-sample-key"
PACE = "4"  # the microphone and speaker run four times faster than real time
# Faster than real time, as the services send audio: the function calling sample waits 10 s for a whole answer.
SERVER_PACE = 8.0


@dataclass(frozen=True)
class Scenario:
    """What a run of the sample must print before it is stopped with Ctrl+C, and what it needs set."""

    markers: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    tool_call: bool = False


SCENARIOS = {
    "basic_voice_assistant_async": Scenario(("✅ Response complete",)),
    "async_function_calling_sample": Scenario(
        ("Final response transcript: Here is what I found for Paris: location Paris, temperature 22",),
        tool_call=True,
    ),
    "agent_v2_sample": Scenario(
        ("Agent Audio Response:\tI heard: what is the weather in paris.", "✅ Response complete"),
        env={"AGENT_NAME": "weather-agent", "AGENT_PROJECT_NAME": "voice-project"},
    ),
}
FAILURES = ("Timeout waiting", "Traceback", "Fatal Error", "Error executing", "VoiceLive error", "Expected ")


@dataclass
class Run:
    log: str
    events: list[dict[str, Any]]
    played: bytes

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e["event"] for e in self.events if e["dir"] == "client" and e["event"]["type"] == kind]

    def received(self, kind: str) -> list[dict[str, Any]]:
        return [e["event"] for e in self.events if e["dir"] == "server" and e["event"]["type"] == kind]

    def audio_sent(self) -> bytes:
        return b"".join(base64.b64decode(e["audio"]) for e in self.sent("input_audio_buffer.append"))

    def audio_answered(self) -> bytes:
        return b"".join(base64.b64decode(e["delta"]) for e in self.received("response.audio.delta"))


def _nonzero(pcm: bytes) -> bytes:
    """The samples that are not silence: what a speaker callback pads between packets drops out."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
    return samples[samples != 0].tobytes()


def _speaker_state(path: pathlib.Path) -> tuple[int, int]:
    """(samples of sound written, samples of silence written since the last sound)."""
    if not path.exists():
        return 0, 0
    data = path.read_bytes()
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
    sound = np.flatnonzero(samples)
    return len(sound), (len(samples) - 1 - int(sound[-1])) if len(sound) else len(samples)


async def _played_settles(path: pathlib.Path) -> None:
    """Wait until the speaker has played everything it will: half a second of silence after the sound (a callback
    speaker pads with silence), or no new sound for two seconds (a blocking one writes nothing when idle); 30 s
    at most."""
    last, still = -1, 0
    for _ in range(300):
        sound, silence_after = await asyncio.to_thread(_speaker_state, path)
        if sound and silence_after >= 12000:
            return
        still = still + 1 if sound == last else 0
        last = sound
        if still >= 20:
            return
        await asyncio.sleep(0.1)


async def _run(variant: str, sample: str, scenario: Scenario, tmp_path: pathlib.Path) -> Run:
    out = tmp_path / variant
    await asyncio.to_thread(out.mkdir)
    played = out / "played.pcm"
    async with LocalServer(api_key=KEY, speech="on", realtime_factor=SERVER_PACE, record_dir=out) as server:
        env = {
            **os.environ,
            "AZURE_VOICELIVE_ENDPOINT": server.endpoint,
            "AZURE_VOICELIVE_API_KEY": KEY,
            "AZURE_VOICELIVE_USE_API_KEY": "true",
            "SAMPLE_WAV": str(WAV),
            "SAMPLE_PLAYED": str(played),
            "SAMPLE_PACE": PACE,
            "PYTHONUNBUFFERED": "1",
            **scenario.env,
        }
        script = SAMPLES / "original" / f"{sample}.py"
        if variant == "ported":  # the port: the published file with its imports changed, and nothing else
            ported = out / f"{sample}.py"
            await asyncio.to_thread(ported.write_text, port(script.read_text(encoding="utf-8")), encoding="utf-8")
            script = ported
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SAMPLES / "run_sample.py"),
            str(script),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(60):
                while not all(any(m in line for line in lines) for m in scenario.markers):
                    line = await process.stdout.readline()
                    assert line, "the sample ended before its turns were done:\n" + "\n".join(lines)
                    lines.append(line.decode("utf-8", "replace").rstrip())
            await _played_settles(played)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)  # the samples run until Ctrl+C
            rest, _ = await asyncio.wait_for(process.communicate(), 30)
        lines += rest.decode("utf-8", "replace").splitlines()
        assert process.returncode == 0, "\n".join(lines)
    (recording,) = server.recordings
    events = [json.loads(line) for line in (await asyncio.to_thread(recording.read_text)).splitlines()]
    sound = await asyncio.to_thread(played.read_bytes) if played.exists() else b""
    return Run("\n".join(lines), events, sound)


def _without_ids(event: dict[str, Any]) -> dict[str, Any]:
    """An event with the ids the server made up (different in every run) left out."""
    out = {}
    for key, value in event.items():
        if key in ("event_id", "previous_item_id", "call_id", "id", "item_id"):
            continue
        out[key] = _without_ids(value) if isinstance(value, dict) else value
    return out


@pytest.mark.timeout(240)
@pytest.mark.parametrize("sample", sorted(SCENARIOS))
async def test_sample_runs_ported_as_it_runs_on_the_sdk(sample: str, tmp_path: pathlib.Path) -> None:
    scenario = SCENARIOS[sample]
    sdk = await _run("original", sample, scenario, tmp_path)
    ported = await _run("ported", sample, scenario, tmp_path)
    with wave.open(str(WAV)) as wav:
        spoken = wav.readframes(wav.getnframes())

    for run in (sdk, ported):
        assert not [line for line in run.log.splitlines() if any(f in line for f in FAILURES)], run.log
        assert run.events[0]["path"] == "/voice-live/realtime"
        assert run.audio_sent().startswith(spoken)  # the whole recording, then the microphone's silence
        done = run.received("response.done")
        assert done
        assert all(d["response"]["status"] == "completed" for d in done)
    # the same configuration, word for word
    assert ported.sent("session.update") == sdk.sent("session.update")
    assert len(ported.sent("session.update")) == 1
    # the same turns: what the client asked for and what the server answered
    for kind in ("conversation.item.create", "response.create"):
        assert [_without_ids(e) for e in ported.sent(kind)] == [_without_ids(e) for e in sdk.sent(kind)]
    assert [d["response"]["output"][-1]["type"] for d in ported.received("response.done")] == [
        d["response"]["output"][-1]["type"] for d in sdk.received("response.done")
    ]
    assert ported.audio_answered() == sdk.audio_answered()
    assert len(sdk.audio_answered()) > 24000
    # the same sound out of the speaker
    assert _nonzero(ported.played) == _nonzero(sdk.played)
    if scenario.tool_call:
        (output,) = ported.sent("conversation.item.create")
        assert output["item"]["type"] == "function_call_output"
        assert json.loads(output["item"]["output"])["location"] == "Paris"
        assert len(ported.sent("response.create")) == 1
        # This sample reads the answer's events itself while it waits for the tool round to end, so none of its
        # audio reaches the speaker, with the SDK as with pyagent.
        assert _nonzero(sdk.played) == b""
    else:
        assert _nonzero(ported.played) == _nonzero(ported.audio_answered())


def _statements(path: pathlib.Path) -> list[str]:
    """Every statement of a module but its imports, as source (imports inside functions included)."""

    class _DropImports(ast.NodeTransformer):
        def visit_Import(self, node: ast.Import) -> None:
            return None

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            return None

    tree = _DropImports().visit(ast.parse(path.read_text(encoding="utf-8")))
    return [ast.unparse(node) for node in tree.body]


@pytest.mark.parametrize("sample", sorted(SCENARIOS))
def test_the_port_changes_only_imports(sample: str, tmp_path: pathlib.Path) -> None:
    original = SAMPLES / "original" / f"{sample}.py"
    ported = tmp_path / f"{sample}.py"
    ported.write_text(port(original.read_text(encoding="utf-8")), encoding="utf-8")
    assert _statements(ported) == _statements(original)
    changed = [
        (a, b)
        for a, b in zip(original.read_text().splitlines(), ported.read_text().splitlines(), strict=True)
        if a != b
    ]
    assert changed
    for before, after in changed:
        assert before.lstrip().startswith("from azure.")
        assert after.lstrip().startswith("from pyagent.realtime")
    source = ported.read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("from azure", "import azure"))]
    assert top_level == []  # a port needs no azure package (the tracing helper's own imports run only when asked)
