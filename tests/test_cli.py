"""The ``pyagent`` command line: chat on WAV files against the local server, talk without devices, serve."""

from __future__ import annotations

import asyncio
import json
import pathlib
import re
import threading
from collections.abc import Iterator

import pytest

from conftest import FIXTURES
from pyagent.audio import AudioDeviceError, check_devices, read_wav
from pyagent.cli import main
from pyagent.server import LocalServer
from pyagent.voice._config import ENDPOINT_ENVIRONMENT

AUDIO = FIXTURES / "audio"


@pytest.fixture(autouse=True)
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


class ServerThread:
    """A local server on its own event loop in a thread, as a separate process would be."""

    def __init__(self, record_dir: pathlib.Path, *, api_key: str | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = LocalServer(record_dir=record_dir, realtime_factor=float("inf"), api_key=api_key)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.server.start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def close(self) -> None:
        """Close the server (its recordings are complete afterwards); closing twice is fine."""
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)

    def stop(self) -> None:
        self.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def server_thread(tmp_path: pathlib.Path) -> Iterator[ServerThread]:
    running = ServerThread(tmp_path / "sessions")
    yield running
    running.stop()


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: pyagent ")
    for command in ("serve", "chat", "talk"):
        assert command in captured.err


def test_chat_starts_the_local_server_when_nothing_is_configured(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = tmp_path / "reply.wav"
    wav = AUDIO / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
    assert main(["chat", str(wav), "--out", str(reply)]) == 0
    out = capsys.readouterr().out
    assert "No endpoint configured" in out
    assert "using the local server at http://127.0.0.1:" in out
    assert "speech started" in out  # the timeline
    assert "state PROCESSING -> SPEAKING" in out
    assert "You:       what is the weather in paris" in out
    assert "Assistant: I heard: what is the weather in paris." in out
    assert re.search(r"Timings:   end of speech -> response \d+ ms -> first audio \d+ ms -> done \d+ ms", out)
    assert f"Reply written to {reply}" in out
    audio, fmt = read_wav(reply)
    assert (fmt.sample_rate, fmt.channels, fmt.encoding) == (24000, 1, "pcm16")
    assert len(audio) > fmt.bytes_per_second  # more than a second of speech


def test_chat_any_format_against_a_configured_endpoint(
    server_thread: ServerThread, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = tmp_path / "reply.wav"
    wav = AUDIO / "aoai-realtime-audio-sdk_audio_weather_alaw_8k.wav"
    argv = [
        "chat",
        str(wav),
        "--out",
        str(reply),
        "--endpoint",
        server_thread.server.endpoint,
        "--dialect",
        "azure-openai",
        "--model",
        "my-deployment",
        "--voice",
        "shimmer",
        "--pace",
        "50",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "No endpoint configured" not in out
    assert "8000 Hz, 1 ch, A-law; sent as 8000 Hz, 1 ch, g711_alaw)" in out
    assert "Assistant: I heard:" in out
    _, fmt = read_wav(reply)
    assert (fmt.sample_rate, fmt.encoding) == (8000, "pcm16")  # the reply at the user's rate, as a PCM16 WAV
    server_thread.close()
    records = [json.loads(line) for path in (tmp_path / "sessions").glob("*.jsonl") for line in path.open()]
    meta = next(r for r in records if r["dir"] == "meta")
    assert meta["path"] == "/openai/realtime"
    assert meta["query"]["deployment"] == "my-deployment"
    update = next(r["event"] for r in records if r["dir"] == "client" and r["event"]["type"] == "session.update")
    assert update["session"]["voice"] == "shimmer"


def test_chat_finds_its_endpoint_in_the_environment(
    server_thread: ServerThread,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYAGENT_ENDPOINT", server_thread.server.endpoint)
    monkeypatch.setenv("PYAGENT_DIALECT", "voicelive")
    assert main(["chat", str(AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav")]) == 0
    out = capsys.readouterr().out
    assert "No endpoint configured" not in out
    assert "Assistant: I heard: stop" in out
    server_thread.close()
    records = [json.loads(line) for path in (tmp_path / "sessions").glob("*.jsonl") for line in path.open()]
    assert [r["path"] for r in records if r["dir"] == "meta"] == ["/voice-live/realtime"]


def test_chat_shows_progress_on_long_files(capsys: pytest.CaptureFixture[str]) -> None:
    raw = AUDIO / "aoai-realtime-audio-sdk_tell_me_the_weather_pcm16_24k_mono.raw"  # 4.5 s, headerless
    assert main(["chat", str(raw)]) == 0
    out = capsys.readouterr().out
    for mark in ("25%", "50%", "75%", "100%"):
        assert f"sent {mark} of the audio" in out
    assert "weather" in out.split("You:", 1)[1]
    assert "Assistant: I heard:" in out


def test_chat_errors_are_clear(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", str(tmp_path / "missing.wav")]) == 2  # a mistake in what was asked
    assert capsys.readouterr().err == f"pyagent chat: {tmp_path / 'missing.wav'}: no such file\n"
    assert (
        main(
            [
                "chat",
                str(AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"),
                "--endpoint",
                "http://127.0.0.1:9",
            ]
        )
        == 1  # a failure once the conversation runs
    )
    err = capsys.readouterr().err
    assert err.startswith("pyagent chat: cannot connect to 127.0.0.1")
    assert err.count("\n") == 1


def test_talk_without_audio_devices_says_what_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        check_devices()
    except AudioDeviceError as exc:
        reason = str(exc)
    else:
        pytest.skip("audio devices are available here; talk would open the microphone")
    assert main(["talk"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"pyagent talk: {reason}"
    assert "install" in captured.err
    assert "No endpoint configured" not in captured.out  # it failed before starting anything


def test_serve_is_wired(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    assert info.value.code == 0
    assert "--speech" in capsys.readouterr().out
