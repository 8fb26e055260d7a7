"""The ``pyagent`` command as a user meets it, run for real in a subprocess: every mistake is one line and exit 2
before anything starts, every file a WAV reader takes is sent, failures say what happened, and the user sees where
the conversation goes and how long the answer takes."""

from __future__ import annotations

import json
import os
import pathlib
import pty
import re
import select
import struct
import subprocess
import sys
import time
import wave
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from test_cli import ServerThread

from conftest import FIXTURES
from pyagent.audio import AudioDeviceError, check_devices, load_audio
from pyagent.realtime import DIALECTS
from pyagent.voice._config import ENDPOINT_ENVIRONMENT

AUDIO = FIXTURES / "audio"
WEATHER = AUDIO / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
STOP = AUDIO / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"
LONG = AUDIO / "openai-dotnet_realtime_api_description_pcm16_24khz_mono.wav"  # 12.2 s
PYAGENT = pathlib.Path(sys.executable).parent / "pyagent"  # the console script, as pip installed it
KEY = "sk-test-0123456789abcdef"


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ENDPOINT_ENVIRONMENT}
    env.update(extra)
    return env


def pyagent(
    *args: str | os.PathLike[str], env: dict[str, str] | None = None, cwd: pathlib.Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYAGENT), *map(str, args)],
        env=env if env is not None else clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused command; nothing may have started (no output at all)."""
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    running = ServerThread(tmp_path_factory.mktemp("sessions"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    """A local server that wants the key KEY, as a cloud service does."""
    running = ServerThread(tmp_path_factory.mktemp("keyed"), api_key=KEY)
    yield running
    running.stop()


def recorded_paths(server: ServerThread) -> list[str]:
    assert server.server.record_dir is not None
    return [
        json.loads(path.read_text().splitlines()[0])["path"]
        for path in sorted(server.server.record_dir.glob("*.jsonl"))
    ]


# --------------------------------------------------------------------------------------------------- point 3


def test_python_m_pyagent_runs_the_cli_and_no_command_prints_help_and_exits_2() -> None:
    module = subprocess.run(
        [sys.executable, "-m", "pyagent", "--version"], capture_output=True, text=True, check=False, timeout=30
    )
    assert (module.returncode, module.stdout.strip()) == (0, "pyagent 0.1.0 (pyagent-voice)")
    for command in ([sys.executable, "-m", "pyagent"], [str(PYAGENT)]):
        bare = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
        assert bare.returncode == 2
        assert bare.stdout == ""
        assert bare.stderr.startswith("usage: pyagent [-h] [--version] {serve,chat,talk,phone}")
        assert "send a WAV file as the user's turn" in bare.stderr


# --------------------------------------------------------------------------------------------------- point 4


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["--endpoint", "127.0.0.1:8765"],
            {},
            "pyagent chat: argument --endpoint: '127.0.0.1:8765' has no scheme: write it as a URL, for example "
            "'http://127.0.0.1:8765'",
        ),
        (["--endpoint", "ftp://host"], {}, "argument --endpoint: 'ftp://host' has the scheme 'ftp://'"),
        (["--dialect", "openia"], {}, "argument --dialect: invalid choice: 'openia' (choose from 'auto', 'openai'"),
        ([], {"PYAGENT_DIALECT": "openia"}, "pyagent chat: PYAGENT_DIALECT 'openia' is not a dialect: accepted are"),
        ([], {"PYAGENT_ENDPOINT": "127.0.0.1:8765"}, "pyagent chat: PYAGENT_ENDPOINT '127.0.0.1:8765' has no scheme"),
        ([], {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "localhost:9"}, "OPENAI_BASE_URL 'localhost:9' has no scheme"),
        (
            ["--pace", "-1"],
            {},
            "argument --pace: must be a finite number >= 0 (1 = real time, 0 = as fast as possible)",
        ),
        (["--pace", "nan"], {}, "argument --pace: must be a finite number >= 0"),
        (["--pace", "fast"], {}, "argument --pace: must be a number"),
        (["--out", "{tmp}"], {}, "argument --out: '{tmp}' is a directory; give a file name such as {tmp}/reply.wav"),
        (["--out", "{tmp}/file.txt/reply.wav"], {}, "argument --out: '{tmp}/file.txt/reply.wav' cannot be written"),
        (["--model", ""], {}, "pyagent chat: argument --model: must not be empty"),
        (["--api-key", ""], {}, "pyagent chat: argument --api-key: must not be empty"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2_before_anything_starts(
    tmp_path: pathlib.Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    (tmp_path / "file.txt").write_text("not a directory")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = pyagent("chat", WEATHER, *args, env=clean_env(**env))
    assert result.returncode == 2
    line = one_line(result)  # stdout empty: no local server started, no endpoint printed, nothing connected
    assert expected.replace("{tmp}", str(tmp_path)) in line
    assert KEY not in result.stderr


def test_talk_refuses_a_bad_option_before_looking_for_devices() -> None:
    result = pyagent("talk", "--endpoint", "localhost:8765")
    assert result.returncode == 2
    assert one_line(result).startswith("pyagent talk: argument --endpoint: 'localhost:8765' has no scheme")


# --------------------------------------------------------------------------------------------------- point 5


def write_wav(path: pathlib.Path, frames: bytes, rate: int, channels: int, width: int) -> pathlib.Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return path


def studio_wav(path: pathlib.Path) -> pathlib.Path:
    """The weather question as a 96 kHz, 6-channel, 24-bit WAV (each channel at its own gain)."""
    mono = np.frombuffer(load_audio(WEATHER, 96000), "<i2").astype(np.int32) << 8
    gains = np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    channels = np.round(mono[:, None] * gains[None, :]).astype("<i4")
    packed = channels.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return write_wav(path, packed, 96000, 6, 3)


def eight_bit_wav(path: pathlib.Path) -> pathlib.Path:
    pcm = np.frombuffer(load_audio(WEATHER, 16000), "<i2").astype(np.int32)
    return write_wav(path, ((pcm + 32768 + 128) >> 8).clip(0, 255).astype(np.uint8).tobytes(), 16000, 1, 1)


def streamed_wav(path: pathlib.Path) -> pathlib.Path:
    """The fixture as a recorder writing to a pipe leaves it: RIFF and data sizes 0xFFFFFFFF."""
    blob = bytearray(WEATHER.read_bytes())
    struct.pack_into("<I", blob, 4, 0xFFFFFFFF)
    data_at = blob.index(b"data")
    struct.pack_into("<I", blob, data_at + 4, 0xFFFFFFFF)
    path.write_bytes(bytes(blob))
    return path


@pytest.mark.parametrize(
    ("make", "described"),
    [
        (studio_wav, "(3.1 s, 96000 Hz, 6 ch, 24-bit PCM; sent as 24000 Hz, 1 ch, pcm16)"),
        (eight_bit_wav, "(3.1 s, 16000 Hz, 1 ch, 8-bit PCM; sent as 24000 Hz, 1 ch, pcm16)"),
        (streamed_wav, "(3.1 s, 24000 Hz, 1 ch, 16-bit PCM; sent as 24000 Hz, 1 ch, pcm16)"),
    ],
)
def test_chat_sends_any_wav_the_reader_takes(
    server: ServerThread, tmp_path: pathlib.Path, make: object, described: str
) -> None:
    path = make(tmp_path / "question.wav")  # type: ignore[operator]
    result = pyagent("chat", path, "--endpoint", server.server.endpoint, "--dialect", "openai")
    assert result.returncode == 0, result.stderr
    assert f"Sending question.wav {described}" in result.stdout
    heard = result.stdout.split("You:", 1)[1].splitlines()[0].strip()
    if make is not eight_bit_wav:  # 8-bit noise may cost the recogniser a word; the turn still goes through
        assert heard == "what is the weather in paris"
    assert "Assistant: I heard:" in result.stdout


CONTAINERS = {
    "voice.flac": (b"fLaC\x00\x00\x00\x22" + bytes(60), "FLAC"),
    "voice.mp3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(60), "MP3"),
    "voice.ogg": (b"OggS\x00\x02" + bytes(60), "Ogg"),
    "voice.m4a": (b"\x00\x00\x00\x20ftypM4A " + bytes(60), "MP4/M4A"),
}


@pytest.mark.parametrize("name", list(CONTAINERS))
def test_chat_refuses_other_containers_with_advice(tmp_path: pathlib.Path, name: str) -> None:
    blob, kind = CONTAINERS[name]
    (tmp_path / name).write_bytes(blob)
    result = pyagent("chat", tmp_path / name)
    assert result.returncode == 2
    assert f"{name} is {kind}" in one_line(result)
    assert "audio, not WAV: convert it to WAV first" in result.stderr


def test_chat_reads_raw_audio_only_from_raw_and_pcm_files(tmp_path: pathlib.Path) -> None:
    pcm = load_audio(STOP)
    (tmp_path / "turn.bin").write_bytes(pcm)
    result = pyagent("chat", tmp_path / "turn.bin")
    assert result.returncode == 2
    assert "turn.bin is not a RIFF/WAVE file" in one_line(result)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.wav", b"", "empty.wav is empty (0 bytes); a turn needs at least 100 ms of audio"),
        ("empty.raw", b"", "empty.raw is empty"),
        ("short.raw", bytes(2 * 2400 - 2), "short.raw holds 99 ms of audio; a turn needs at least 100 ms"),
        ("silent.wav", None, "silent.wav holds no audio; a turn needs at least 100 ms"),
    ],
)
def test_chat_refuses_a_turn_too_short_before_connecting(
    tmp_path: pathlib.Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is None:
        write_wav(path, b"", 24000, 1, 2)
    else:
        path.write_bytes(content)
    result = pyagent("chat", path)
    assert result.returncode == 2
    assert expected in one_line(result)


# --------------------------------------------------------------------------------------------------- point 6


def test_talk_without_devices_says_so_before_anything_starts() -> None:
    try:
        check_devices(microphone=True, speaker=True)
    except AudioDeviceError:
        pass
    else:
        pytest.skip("this machine has audio devices: talk would open them")
    result = pyagent("talk")
    assert result.returncode == 1
    line = one_line(result)  # nothing started: no local server, no endpoint line
    assert line.startswith("pyagent talk: no audio input/output device found: ")


def test_talk_with_portaudio_but_no_device_says_so(tmp_path: pathlib.Path) -> None:
    """PortAudio with no device at all, as on a server: a stand-in for the hardware library, nothing else."""
    (tmp_path / "sounddevice.py").write_text(
        "class PortAudioError(Exception):\n"
        "    pass\n"
        "def query_devices(device=None, kind=None):\n"
        "    if kind is None:\n"
        "        return []\n"
        "    raise PortAudioError('Error querying device -1')\n"
    )
    env = clean_env(PYTHONPATH=str(tmp_path))
    result = pyagent("talk", env=env)
    assert result.returncode == 1
    assert one_line(result) == (
        "pyagent talk: no audio input/output device found: PortAudio lists 0 device(s), none a default input or "
        "output; connect one (or choose one with device=)"
    )


# --------------------------------------------------------------------------------------------------- point 7


def test_a_server_that_goes_away_mid_chat(tmp_path: pathlib.Path) -> None:
    going = ServerThread(tmp_path / "sessions")
    try:
        chat = subprocess.Popen(
            [str(PYAGENT), "chat", str(LONG), "--pace", "1", "--endpoint", going.server.endpoint],
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert chat.stdout is not None
        for line in chat.stdout:  # the chat is streaming its 12 s file in real time
            if "speech started" in line:
                break
        going.close()  # LocalServer.close(): every connection is closed with 1001, going away
        _, err = chat.communicate(timeout=30)
    finally:
        going.stop()
    assert chat.returncode == 1
    assert err == "pyagent chat: the server closed the connection (1001, going away)\n"


def test_a_wss_endpoint_that_speaks_plain_http_says_so(server: ServerThread) -> None:
    port = server.server.port
    result = pyagent("chat", STOP, "--endpoint", f"wss://127.0.0.1:{port}")
    assert result.returncode == 1
    assert result.stderr == (
        f"pyagent chat: wss://127.0.0.1:{port} speaks plain HTTP, not TLS: use ws://127.0.0.1:{port}\n"
    )


# --------------------------------------------------------------------------------------------------- point 8


def test_api_key_option_on_chat_and_talk(keyed_server: ServerThread) -> None:
    result = pyagent("chat", STOP, "--endpoint", keyed_server.server.endpoint, "--api-key", KEY)
    assert result.returncode == 0, result.stderr
    assert "(dialect voicelive, model gpt-realtime, key from --api-key)" in result.stdout
    assert "Assistant: I heard: stop" in result.stdout
    assert KEY not in result.stdout + result.stderr
    assert "--api-key KEY" in pyagent("talk", "--help").stdout


def test_openai_dialect_takes_openai_api_key(keyed_server: ServerThread) -> None:
    env = clean_env(OPENAI_API_KEY=KEY)
    result = pyagent("chat", STOP, "--endpoint", keyed_server.server.endpoint, "--dialect", "openai", env=env)
    assert result.returncode == 0, result.stderr
    assert "(dialect openai, model gpt-realtime, key from OPENAI_API_KEY)" in result.stdout
    assert KEY not in result.stdout + result.stderr


def test_openai_base_url_is_honoured_as_the_openai_sdk_does(tmp_path: pathlib.Path) -> None:
    keyed = ServerThread(tmp_path / "sessions", api_key=KEY)
    try:
        base = f"{keyed.server.endpoint}/v1"
        result = pyagent("chat", STOP, env=clean_env(OPENAI_API_KEY=KEY, OPENAI_BASE_URL=base))
        keyed.close()  # the recordings are complete once the server is closed
    finally:
        keyed.stop()
    assert result.returncode == 0, result.stderr
    assert f"Endpoint: {base} (dialect openai, model gpt-realtime, key from OPENAI_API_KEY)" in result.stdout
    assert recorded_paths(keyed) == ["/v1/realtime"]  # OpenAI's path under the base URL, as the SDK builds it


def test_a_key_and_nothing_else_means_openai(keyed_server: ServerThread) -> None:
    base = f"{keyed_server.server.endpoint}/v1"  # OpenAI's address here, as OPENAI_BASE_URL moves it for the SDK
    result = pyagent("chat", STOP, "--api-key", KEY, env=clean_env(OPENAI_BASE_URL=base))
    assert result.returncode == 0, result.stderr
    assert f"Endpoint: {base} (dialect openai, model gpt-realtime, key from --api-key)" in result.stdout
    assert "No endpoint configured" not in result.stdout


def test_no_key_against_a_server_that_wants_one(tmp_path: pathlib.Path) -> None:
    keyed = ServerThread(tmp_path / "sessions", api_key=KEY)
    try:
        result = pyagent("chat", STOP, "--endpoint", keyed.server.endpoint)
        wrong = pyagent("chat", STOP, "--endpoint", keyed.server.endpoint, "--api-key", "sk-wrong")
    finally:
        keyed.stop()
    assert result.returncode == 1
    assert result.stderr.startswith("pyagent chat: no API key given, and the server wants one (HTTP 401): pass ")
    assert "Incorrect API key" not in result.stderr
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("pyagent chat: the server refused the key from --api-key: ")
    assert wrong.stderr.count("\n") == 1
    assert "sk-wrong" not in wrong.stderr


# --------------------------------------------------------------------------------------------------- point 9


def test_chat_says_where_it_connects_before_connecting(server: ServerThread) -> None:
    endpoint = f"http://user:{KEY}@127.0.0.1:{server.server.port}/?api-key={KEY}"
    result = pyagent(
        "chat", STOP, "-v", "--endpoint", endpoint, "--dialect", "azure-openai", "--model", "my-deployment"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Endpoint: http://127.0.0.1:{server.server.port}/ (dialect azure-openai, model my-deployment, key in the "
        "endpoint's user information and in the endpoint's query (api-key))"
    )
    assert lines.index("Timeline:") > 0  # before connecting: before the first state change
    assert KEY not in result.stdout + result.stderr  # -v logs included
    assert "connected (azure-openai)" in result.stderr  # -v shows the library's log


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_the_dialect_repr_is_one_short_line(name: str) -> None:
    text = repr(DIALECTS[name])
    assert "\n" not in text
    assert len(text) < 80
    assert name in text


def test_piped_progress_is_plain_lines_and_covers_the_wait(server: ServerThread) -> None:
    result = pyagent("chat", WEATHER, "--endpoint", server.server.endpoint, "--dialect", "openai")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout
    assert "\x1b" not in result.stdout
    timeline = [line.split("] ", 1)[1] for line in result.stdout.splitlines() if line.startswith("  [")]
    wait = timeline.index("waiting for the answer...")
    assert timeline[wait - 1] == "end of the user's turn"
    assert "response started" in timeline[wait:]


def run_on_a_terminal(args: Sequence[str], timeout: float = 60) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its stdout, as a user's shell does; return its status and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdout=follower, stderr=subprocess.PIPE, env=clean_env(), close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=10), b"".join(chunks).decode("utf-8", "replace")


def test_terminal_progress_shows_the_wait_for_the_answer_with_elapsed_time(server: ServerThread) -> None:
    status, output = run_on_a_terminal(
        [str(PYAGENT), "chat", str(LONG), "--pace", "8", "--endpoint", server.server.endpoint, "--dialect", "openai"]
    )
    assert status == 0, output
    assert re.search(r"sending the audio\.\.\. \d+\.\d s \(\d+% of 12\.2 s\)", output)
    assert re.search(r"waiting for the answer\.\.\. \d+\.\d s", output)
    assert "\r\x1b[K" in output  # the status line is redrawn in place, and erased before the timeline goes on
    assert "Conversation:" in output
    assert "sent 25% of the audio" not in output  # a terminal gets the live line instead of the plain marks


def test_chat_on_a_long_file_with_pauses_prints_one_answer_to_the_whole_file() -> None:
    """The local server's turn detection cuts the 12 s recording at its pauses; the file is still one turn."""
    result = pyagent("chat", LONG)
    assert result.returncode == 0, result.stderr
    conversation = result.stdout.split("Conversation:", 1)[1]
    assert conversation.count("  Assistant: ") == 1
    (said,) = [line for line in conversation.splitlines() if line.startswith("  You:")]
    assert result.stdout.count("speech started") >= 2  # the service heard more than one stretch of speech
    assert len(said.split()) > 20  # every stretch's words, not the last one's alone
