"""The commands as a new user tried them, run for real in a subprocess: ``phone`` refuses a bad setting instead of
falling back to the local server; ``serve`` checks its options and ``--record`` at start, is quiet, and says where it
listens; no traceback for a closed pipe or an early Ctrl-C; a key is never printed nor sent in clear; ``chat``
refuses at start what would fail later and shows what it sends."""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
import websockets.sync.client
from test_cli import ServerThread
from test_cli_user import KEY, LONG, PYAGENT, STOP, WEATHER, clean_env, one_line, pyagent, write_wav

from conftest import ROOT
from pyagent.audio import load_audio

TIMEOUT = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    running = ServerThread(tmp_path_factory.mktemp("sessions"))
    yield running
    running.stop()


def refused(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> str:
    """The one stderr line of a command refused before anything started (exit 2, nothing on stdout)."""
    result = pyagent(*args, env=env)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    line = one_line(result)
    assert "Traceback" not in result.stderr
    assert KEY not in result.stderr
    return line


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(PYAGENT), *args],
        env=env if env is not None else clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Ctrl-C a running command; its status and what it wrote."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, out, err


# --------------------------------------------------------------------------------------------------- 4. phone


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--endpoint", "127.0.0.1:1"], {}, "pyagent phone: argument --endpoint: '127.0.0.1:1' has no scheme"),
        ([], {"PYAGENT_ENDPOINT": "127.0.0.1:8765"}, "pyagent phone: PYAGENT_ENDPOINT '127.0.0.1:8765' has no scheme"),
        ([], {"PYAGENT_DIALECT": "openia"}, "pyagent phone: PYAGENT_DIALECT 'openia' is not a dialect: accepted are"),
        (
            ["--dialect", "azure-openai", "--endpoint", "http://127.0.0.1:9"],
            {},
            "pyagent phone: the azure-openai dialect needs --model: the name of your deployment",
        ),
        (
            ["--endpoint", "ws://10.1.2.3:8765"],
            {"PYAGENT_API_KEY": KEY},
            "pyagent phone: refusing to send the key from PYAGENT_API_KEY over plaintext ws:// to 10.1.2.3",
        ),
        (["--port", "70000"], {}, "pyagent phone: argument --port: must be a number from 0 to 65535 (0: a free port)"),
        (["--agent", "justaname"], {}, "pyagent phone: --agent takes MODULE:ATTR (an Agent, or a function returning"),
        (
            ["--agent", "os:getcwd"],
            {},
            "pyagent phone: --agent os:getcwd is a built-in function, not an Agent or a function returning one",
        ),
        (["--agent", "os:sep"], {}, "--agent os:sep is a str, not an Agent or a function returning one"),
        (
            ["--agent", "telephony.agents:make_a_name"],
            {"PYTHONPATH": str(ROOT / "tests")},
            "--agent telephony.agents:make_a_name: make_a_name() returned a str, not an Agent (--agent takes an "
            "Agent, or a function returning one)",
        ),
        (
            ["--agent", "telephony.agents:make_for"],
            {"PYTHONPATH": str(ROOT / "tests")},
            "--agent telephony.agents:make_for: make_for() needs arguments (name); --agent calls it with none",
        ),
        (
            ["--agent", "telephony.agents:make_nothing_today"],
            {"PYTHONPATH": str(ROOT / "tests")},
            "--agent telephony.agents:make_nothing_today: calling make_nothing_today() to make the Agent raised "
            "RuntimeError: no agent today",
        ),
        (["--agent", "no_such_module_x:agent"], {}, "--agent no_such_module_x:agent: cannot import no_such_module_x"),
        (["--agent", "os:no_such_attr"], {}, "--agent os:no_such_attr: os has no attribute 'no_such_attr'"),
        (
            ["--public-url", "example.ngrok.app"],
            {},
            "pyagent phone: --public-url must be an http(s):// URL such as 'https://example.ngrok.app', not "
            "'example.ngrok.app'",
        ),
        (["--public-url", "https://[tunnel"], {}, "pyagent phone: --public-url 'https://[tunnel' has a malformed host"),
    ],
)
def test_phone_refuses_a_bad_setting_in_one_line_before_anything_starts(
    args: list[str], env: dict[str, str], expected: str
) -> None:
    line = refused("phone", "--port", "0", *args, env=clean_env(**env))
    assert expected in line
    assert "local server" not in line


def test_phone_says_where_its_endpoint_came_from(server: ServerThread) -> None:
    endpoint = server.server.endpoint
    cases = [
        (["--endpoint", endpoint, "--dialect", "openai"], {}, "--endpoint"),
        ([], {"PYAGENT_ENDPOINT": endpoint, "PYAGENT_DIALECT": "openai"}, "PYAGENT_ENDPOINT"),
    ]
    for args, env, source in cases:
        process = start("phone", "--port", "0", *args, env=clean_env(**env))
        assert process.stdout is not None
        banner = process.stdout.readline()
        status, _, err = interrupt(process)
        assert status == 0, err
        assert f"through {endpoint} (dialect openai, model gpt-realtime, no key), endpoint from {source}\n" in banner
        assert "(endpoint=)" not in banner


# --------------------------------------------------------------------------------------------------- 5. tracebacks


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "70000"], "pyagent serve: argument --port: must be a number from 0 to 65535 (0: a free port)"),
        (["--port", "0", "--api-key", ""], "pyagent serve: argument --api-key: must not be empty"),
        (["--realtime-factor", "soon"], "pyagent serve: argument --realtime-factor: must be a number > 0, or 'inf'"),
        (["--port", "0", "--record", "{file}"], "pyagent serve: --record cannot hold recordings: '{file}' is a file"),
        (
            ["--port", "0", "--record", "{file}/sessions"],
            "pyagent serve: --record cannot hold recordings: a part of '{file}/sessions' is a file, not a directory",
        ),
    ],
)
def test_serve_refuses_a_bad_option_in_one_line_before_listening(
    tmp_path: pathlib.Path, args: list[str], expected: str
) -> None:
    file = tmp_path / "file.txt"
    file.write_text("not a directory")
    line = refused("serve", "--speech", "off", *(arg.replace("{file}", str(file)) for arg in args))
    assert line.startswith(expected.replace("{file}", str(file)))


@pytest.mark.skipif(not pathlib.Path("/proc/self").is_dir(), reason="needs /proc, where nothing can be created")
def test_serve_refuses_a_record_directory_that_cannot_be_created() -> None:
    line = refused("serve", "--port", "0", "--speech", "off", "--record", "/proc/nope")
    assert line.startswith("pyagent serve: --record cannot hold recordings: '/proc/nope' cannot be created")


def test_a_closed_stdout_ends_chat_quietly() -> None:
    """``pyagent chat FILE | head -3``: the reader goes away mid-conversation."""
    process = start("chat", str(LONG), "--pace", "4")
    assert process.stdout is not None
    head = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # what head does after its third line
    assert process.wait(timeout=TIMEOUT) == 141  # 128 + SIGPIPE, as a shell reports a tool SIGPIPE ended
    assert process.stderr is not None
    assert process.stderr.read() == ""  # no BrokenPipeError, from the handlers or at exit
    assert head[0].startswith("No endpoint configured")


SIGINT_AT = '''
import os, signal, sys

class _CtrlC:
    """Ctrl-C as the named module starts to import: the user's key press, at a moment a test can name."""

    def find_spec(self, name, path=None, target=None):
        if name == os.environ["PYAGENT_TEST_SIGINT_AT"]:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, _CtrlC())
'''


@pytest.mark.parametrize("module", ["asyncio", "argparse", "pyagent.server._cli", "numpy", "pyagent.voice"])
def test_ctrl_c_during_the_first_imports_exits_130_quietly(tmp_path: pathlib.Path, module: str) -> None:
    (tmp_path / "sitecustomize.py").write_text(SIGINT_AT)
    env = clean_env(PYTHONPATH=str(tmp_path), PYAGENT_TEST_SIGINT_AT=module)
    for command in ([str(PYAGENT)], [sys.executable, "-m", "pyagent"]):
        result = subprocess.run(
            [*command, "chat", str(STOP)], env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        assert (result.returncode, result.stdout, result.stderr) == (130, "", "")


# --------------------------------------------------------------------------------------------------- 6, 7. endpoints


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            f"https://[bad?api-key={KEY}",
            "pyagent chat: argument --endpoint: 'https://[bad?api-key=***' has a malformed host: an IPv6 address goes "
            "between [ and ]",
        ),
        (f"http://user:{KEY}@[::1", "argument --endpoint: 'http://***@[::1' has a malformed host"),
        (f"https://my host/?key={KEY}", "argument --endpoint: 'https://my host/?key=***' has a malformed host"),
        ("http://127.0.0.1:0", "argument --endpoint: 'http://127.0.0.1:0' has port 0, which names no service"),
        ("http://127.0.0.1:65536", "argument --endpoint: 'http://127.0.0.1:65536' has a bad port (a number from 1"),
    ],
)
def test_a_malformed_endpoint_is_one_line_with_the_key_hidden(endpoint: str, expected: str) -> None:
    line = refused("chat", STOP, "--endpoint", endpoint)
    assert expected in line
    for internal in ("_endpoint_option", "invalid", "0 to 65535", "Invalid IPv6"):
        assert internal not in line


def test_port_0_in_the_environment_s_endpoint_is_refused_too() -> None:
    line = refused("chat", STOP, env=clean_env(PYAGENT_ENDPOINT="http://127.0.0.1:0"))
    assert line.startswith("pyagent chat: PYAGENT_ENDPOINT 'http://127.0.0.1:0' has port 0, which names no service")


# --------------------------------------------------------------------------------------------------- 8. at start


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["--endpoint", "http://127.0.0.1:9", "--dialect", "azure-openai"],
            {},
            "pyagent chat: the azure-openai dialect needs --model: the name of your deployment (for example --model "
            "gpt-realtime-prod)",
        ),
        (
            ["--endpoint", "https://my-resource.openai.azure.com", "--api-key", KEY],
            {},
            "pyagent chat: the azure-openai dialect needs --model",  # judged from the host
        ),
        (["--endpoint", "http://127.0.0.1:9"], {"PYAGENT_DIALECT": "azure-openai-ga"}, "azure-openai-ga dialect needs"),
        (
            ["--endpoint", f"ws://example.com:8765/?api-key={KEY}"],
            {},
            "pyagent chat: refusing to send the key in the endpoint's query (api-key) over plaintext ws:// to "
            "example.com, where anyone on the way can read it: use wss://example.com:8765/ (plain ws:// and http:// "
            "carry a key only to this machine)",
        ),
        (
            ["--endpoint", "ws://10.1.2.3:8765", "--api-key", KEY],
            {},
            "pyagent chat: refusing to send the key from --api-key over plaintext ws:// to 10.1.2.3, where anyone on "
            "the way can read it: use wss://10.1.2.3:8765",
        ),
        (
            ["--endpoint", f"http://user:{KEY}@10.1.2.3:8765"],
            {},
            "refusing to send the key in the endpoint's user information over plaintext http:// to 10.1.2.3",
        ),
        (
            [],
            {"PYAGENT_ENDPOINT": "http://10.1.2.3:8765", "PYAGENT_API_KEY": KEY},
            "refusing to send the key from PYAGENT_API_KEY over plaintext http:// to 10.1.2.3",
        ),
    ],
)
def test_what_would_fail_every_call_is_refused_at_start(args: list[str], env: dict[str, str], expected: str) -> None:
    line = refused("chat", STOP, *args, env=clean_env(**env))
    assert expected in line
    assert "model=" not in line  # the command's option, not the Python API's argument
    assert "allow_insecure" not in line


@pytest.mark.skipif(not pathlib.Path("/proc/self").is_dir(), reason="needs /proc, where nothing can be created")
def test_an_out_file_whose_directory_cannot_be_made_is_refused_at_start() -> None:
    line = refused("chat", STOP, "--out", "/proc/nope/x.wav")
    assert line.startswith(
        "pyagent chat: argument --out: '/proc/nope/x.wav' cannot be written: '/proc/nope' cannot be created"
    )


def test_an_out_file_s_directory_is_checked_and_left_as_it_was(tmp_path: pathlib.Path) -> None:
    """The check makes the missing directories to find out, and takes them back when the command stops early."""
    reply = tmp_path / "new" / "deeper" / "reply.wav"
    line = refused("chat", STOP, "--out", reply, "--endpoint", "127.0.0.1:8765")  # refused for the endpoint
    assert "--endpoint" in line
    assert not (tmp_path / "new").exists()


def test_a_key_in_the_endpoint_is_named_where_it_is_never_shown(tmp_path: pathlib.Path) -> None:
    keyed = ServerThread(tmp_path / "sessions", api_key=KEY)
    endpoint = keyed.server.endpoint
    try:
        result = pyagent("chat", STOP, "--endpoint", f"{endpoint}/?api-key={KEY}", "--dialect", "openai")
    finally:
        keyed.stop()
    assert result.returncode == 0, result.stderr  # the key in the query is the one the server wanted
    assert (
        f"Endpoint: {endpoint}/ (dialect openai, model gpt-realtime, key in the endpoint's query (api-key))"
        in result.stdout
    )
    assert KEY not in result.stdout + result.stderr


# --------------------------------------------------------------------------------------------------- 9. the model


@pytest.mark.parametrize(("dialect", "model"), [("openai", "gpt-realtime"), ("voicelive", "gpt-realtime")])
def test_the_endpoint_line_shows_the_model_that_is_sent(tmp_path: pathlib.Path, dialect: str, model: str) -> None:
    recorded = ServerThread(tmp_path / "sessions")
    try:
        result = pyagent("chat", STOP, "--endpoint", recorded.server.endpoint, "--dialect", dialect)
        recorded.close()  # the recording is complete once the server is closed
    finally:
        recorded.stop()
    assert result.returncode == 0, result.stderr
    assert f"(dialect {dialect}, model {model}, no key)" in result.stdout
    assert "gpt-4o-realtime" not in result.stdout
    (recording,) = (tmp_path / "sessions").glob("*.jsonl")
    meta = json.loads(recording.read_text().splitlines()[0])
    assert meta["query"]["model"] == model  # what the line said is what was sent


# --------------------------------------------------------------------------------------------------- 13. serve


def test_serve_on_every_interface_says_where_and_warns_when_any_key_is_accepted() -> None:
    process = start("serve", "--host", "0.0.0.0", "--port", "0", "--speech", "off")
    assert process.stdout is not None
    banner = process.stdout.readline()
    status, _, err = interrupt(process)
    assert status == 0, err
    found = re.fullmatch(r"pyagent local realtime server listening on 0\.0\.0\.0:(\d+)\n", banner)
    assert found is not None, banner
    port = found.group(1)
    (warning,) = err.splitlines()
    assert warning.endswith(
        f"pyagent.server WARNING listening on 0.0.0.0:{port}, beyond this machine, and any key is accepted: whoever "
        "reaches the port is served; set api_key (pyagent serve --api-key) or listen on 127.0.0.1"
    )
    keyed = start("serve", "--host", "0.0.0.0", "--port", "0", "--speech", "off", "--api-key", KEY)
    assert keyed.stdout is not None
    assert keyed.stdout.readline().startswith("pyagent local realtime server listening on 0.0.0.0:")
    status, _, err = interrupt(keyed)
    assert (status, err) == (0, "")


# --------------------------------------------------------------------------------------------------- 15. small


def float32_wav(path: pathlib.Path) -> pathlib.Path:
    """The weather question as a 32-bit float WAV (format tag 3), written by hand: the stdlib writes PCM only."""
    samples = np.frombuffer(load_audio(WEATHER, 16000), "<i2").astype("<f4") / 32768
    fmt = (3).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little")
    fmt += (64000).to_bytes(4, "little") + (4).to_bytes(2, "little") + (32).to_bytes(2, "little")
    data = samples.tobytes()
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"data" + len(data).to_bytes(4, "little") + data
    path.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)
    return path


def pcm32_wav(path: pathlib.Path) -> pathlib.Path:
    pcm = np.frombuffer(load_audio(WEATHER, 48000, 2), "<i2").astype("<i4") << 16
    return write_wav(path, pcm.tobytes(), 48000, 2, 4)


@pytest.mark.parametrize(
    ("make", "dialect", "described"),
    [
        (float32_wav, "openai", "(3.1 s, 16000 Hz, 1 ch, 32-bit float; sent as 24000 Hz, 1 ch, pcm16)"),
        (float32_wav, "voicelive", "(3.1 s, 16000 Hz, 1 ch, 32-bit float; sent as 16000 Hz, 1 ch, pcm16)"),
        (pcm32_wav, "openai", "(3.1 s, 48000 Hz, 2 ch, 32-bit PCM; sent as 24000 Hz, 1 ch, pcm16)"),
    ],
)
def test_the_sending_line_says_what_the_file_is_and_what_it_is_sent_as(
    server: ServerThread, tmp_path: pathlib.Path, make: object, dialect: str, described: str
) -> None:
    path = make(tmp_path / "question.wav")  # type: ignore[operator]
    result = pyagent("chat", path, "--endpoint", server.server.endpoint, "--dialect", dialect)
    assert result.returncode == 0, result.stderr
    assert f"Sending question.wav {described}\n" in result.stdout
    assert "You:       what is the weather in paris" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "reply.mp3"], "pyagent chat: argument --out: writes a WAV file: give a name ending in .wav, such"),
        (["--out", ""], "pyagent chat: argument --out: needs a file name, such as out/reply.wav"),
        ([str(STOP)], f"pyagent chat: unrecognized arguments: {STOP} (see pyagent chat --help)"),
    ],
)
def test_small_mistakes_are_said_by_the_command_in_its_words(args: list[str], expected: str) -> None:
    assert refused("chat", STOP, *args).startswith(expected)


def test_an_empty_wav_is_empty_in_the_demo_as_in_chat(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    chat = refused("chat", empty)
    demo = subprocess.run(
        [sys.executable, "-m", "pyagent.demo", "--audio", str(empty), "--out", str(tmp_path / "out" / "reply.wav")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert demo.returncode == 1
    assert demo.stderr == "demo failed: empty.wav is empty (0 bytes): there is no audio in it\n"
    assert chat == f"pyagent chat: {empty} is empty (0 bytes); a turn needs at least 100 ms of audio"
    assert not (tmp_path / "out").exists()  # checked, not left behind


def test_the_demo_refuses_a_directory_for_its_reply_before_it_runs(tmp_path: pathlib.Path) -> None:
    demo = subprocess.run(
        [sys.executable, "-m", "pyagent.demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert demo.returncode == 2
    assert demo.stdout == ""  # nothing started
    assert f"argument --out: '{tmp_path}' is a directory; give a file name such as {tmp_path}/reply.wav" in demo.stderr
    assert "Exception ignored" not in demo.stderr
    assert "Traceback" not in demo.stderr


def test_serve_is_quiet_without_v_and_tells_every_session_with_it() -> None:
    for verbose in (False, True):
        process = start("serve", "--port", "0", "--speech", "off", *(["-v"] if verbose else []))
        assert process.stdout is not None
        url = re.search(r"ws://127\.0\.0\.1:\d+", "".join(process.stdout.readline() for _ in range(3)))
        assert url is not None
        with websockets.sync.client.connect(url.group() + "/v1/realtime") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "session.created"
        status, _, err = interrupt(process)
        assert status == 0
        if verbose:
            assert "pyagent.server INFO session " in err
        else:
            assert err == ""


def test_serve_speech_on_without_the_extra_says_so_once(tmp_path: pathlib.Path) -> None:
    """A stand-in for the missing recogniser (the speech extra is installed here): nothing else is replaced."""
    (tmp_path / "pocketsphinx.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pocketsphinx'\", name='pocketsphinx')\n"
    )
    result = pyagent("serve", "--port", "0", "--speech", "on", env=clean_env(PYTHONPATH=str(tmp_path)))
    assert result.returncode == 1
    assert one_line(result) == (
        "pyagent serve: --speech on but the speech extra is not installed (pocketsphinx); install the extra: "
        "pip install 'pyagent-voice[speech]'"
    )


def test_phone_takes_a_function_returning_the_agent(server: ServerThread) -> None:
    env = clean_env(PYTHONPATH=str(ROOT / "tests"))
    agent = ["--agent", "telephony.agents:make_receptionist", "--dialect", "openai"]
    process = start("phone", "--port", "0", "--endpoint", server.server.endpoint, *agent, env=env)
    assert process.stdout is not None
    banner = process.stdout.readline()
    status, _, err = interrupt(process)
    assert status == 0, err
    assert "answering with 'receptionist' through" in banner
