"""What ``import pyagent.realtime`` loads: the protocol layer, not the audio stack.

A program that only speaks the protocol (a text agent, a proxy, a test harness) must not pay for numpy and soxr,
which are most of what the audio layer costs to import. Timings are in ``benchmarks/imports.py``, not here.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _modules_after(statement: str) -> set[str]:
    """The top-level packages a fresh interpreter loads for ``statement``."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"{statement}\n"
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(result.stdout.split())


def test_import_realtime_loads_neither_numpy_nor_soxr() -> None:
    loaded = _modules_after("import pyagent.realtime")
    assert "pyagent" in loaded  # the import did happen
    assert "msgspec" in loaded
    assert not loaded & {"numpy", "soxr"}, sorted(loaded & {"numpy", "soxr"})


def test_connecting_names_load_neither_numpy_nor_soxr() -> None:
    loaded = _modules_after(
        "from pyagent.realtime import connect, RealtimeConnection, WebsocketConnectionOptions\n"
        "from pyagent.realtime.codec import decode_server_event\n"
        'decode_server_event(b\'{"type": "session.created", "event_id": "e", "session": {}}\')'
    )
    assert not loaded & {"numpy", "soxr"}, sorted(loaded & {"numpy", "soxr"})
