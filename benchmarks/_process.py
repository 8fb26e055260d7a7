"""A benchmark's server in a process of its own: started, its port read, stopped when the benchmark is done.

The module given is run as ``python -m <module> <role>``; it prints its port on the first line of its output and
serves until its standard input closes.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator, Mapping

ROOT = pathlib.Path(__file__).resolve().parents[1]

__all__ = ["ROOT", "ServerProcess", "serving", "with_root_on_path"]


def with_root_on_path(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with the repository on ``PYTHONPATH``, so ``python -m benchmarks...`` finds it."""
    env = dict(os.environ if environ is None else environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class ServerProcess:
    """The running server: its port, its process id (for its CPU time)."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def serving(module: str, role: str, env: Mapping[str, str] | None = None) -> Iterator[ServerProcess]:
    """Run ``python -m module role`` from the repository root until the block ends (its stdin is then closed)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, role],
        cwd=ROOT,
        env=dict(env) if env is not None else with_root_on_path(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield ServerProcess(process, int(process.stdout.readline()))
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
