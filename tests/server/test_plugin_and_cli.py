"""The public pytest fixture and the ``serve`` command line."""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import re
import signal
import subprocess
import sys
from typing import Any

import pytest
import websockets
from websockets.sync.client import connect as sync_connect

from pyagent.server import SpeechUnavailableError
from pyagent.server._cli import add_serve_parser

pytest_plugins = ["pyagent.server.pytest_plugin"]
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def local_server_options() -> dict[str, Any]:
    return {"speech": "off", "realtime_factor": math.inf, "api_key": "fixture-key"}


def test_the_fixture_serves_a_synchronous_test(local_server) -> None:
    with sync_connect(
        local_server.url + "/voice-live/realtime?model=m", additional_headers={"api-key": "fixture-key"}
    ) as ws:
        created = json.loads(ws.recv(timeout=10))
        assert created["type"] == "session.created"
        ws.send(json.dumps({"type": "response.create"}))
        while json.loads(ws.recv(timeout=10))["type"] != "response.done":
            pass


async def test_the_fixture_serves_an_asynchronous_test(local_server) -> None:
    async with websockets.connect(
        local_server.url + "/v1/realtime", additional_headers={"Authorization": "Bearer fixture-key"}
    ) as ws:
        assert json.loads(await ws.recv())["session"]["type"] == "realtime"


def test_a_start_failure_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyagent.server import _speech
    from pyagent.server.pytest_plugin import running_server

    monkeypatch.setattr(_speech, "_real_engines", None)
    monkeypatch.setattr(_speech, "_real_error", "the speech extra is not installed (hibari)")
    with pytest.raises(SpeechUnavailableError), running_server(speech="on"):
        pass


def test_serve_arguments() -> None:
    parser = argparse.ArgumentParser(prog="pyagent")
    add_serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve"])
    assert (args.host, args.port, args.api_key, args.record, args.speech) == ("127.0.0.1", 8765, None, None, "auto")
    assert args.realtime_factor == 10.0  # faster than real time by default, as the services send it
    assert parser.parse_args(["serve", "--realtime-factor", "1"]).realtime_factor == 1.0  # a listener's pace
    args = parser.parse_args(
        ["serve", "--port", "0", "--api-key", "k", "--record", "rec", "--speech", "off", "--realtime-factor", "inf"]
    )
    assert (args.port, args.api_key, args.record, args.speech) == (0, "k", "rec", "off")
    assert math.isinf(args.realtime_factor)
    assert args.func.__name__ == "run_serve"
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--realtime-factor", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--speech", "loud"])


def test_pyagent_serve_runs_until_interrupted(tmp_path: pathlib.Path) -> None:
    """The command itself, in its own process: loopback, the key checked in the handshake, sessions recorded."""
    command = [sys.executable, "-m", "pyagent.cli", "serve", "--port", "0", "--speech", "off", "--api-key", "cli-key"]
    process = subprocess.Popen(
        [*command, "--record", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert banner.startswith("pyagent local realtime server listening on 127.0.0.1:")
        url = re.search(r"ws://127\.0\.0\.1:\d+", banner)
        assert url is not None, banner
        with pytest.raises(websockets.InvalidStatus) as refused:
            sync_connect(url.group() + "/v1/realtime", additional_headers={"Authorization": "Bearer wrong"}).close()
        assert refused.value.response.status_code == 401
        with sync_connect(url.group() + "/v1/realtime", additional_headers={"Authorization": "Bearer cli-key"}) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "session.created"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    [recording] = tmp_path.glob("local_*.jsonl")
    assert "cli-key" not in recording.read_text()
    assert "session.created" in recording.read_text()
