"""``pyagent._lazy``: a module registered now and executed once, at its first use, from any number of threads."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

import pytest

from pyagent import _lazy

CHILD = textwrap.dedent(
    """
    import sys, threading
    from pyagent import _lazy

    slow = _lazy.load("slow_module")
    print("executed at load:", "RUNS" in vars(sys.modules["builtins"]))
    seen = []
    def use():
        seen.append(_lazy.ensure(slow).VALUE)
    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    import builtins
    print("values:", sorted(set(seen)), len(seen))
    print("runs:", builtins.RUNS)
    """
)
SLOW = textwrap.dedent(
    """
    import builtins, time
    builtins.RUNS = getattr(builtins, "RUNS", 0) + 1
    time.sleep(0.2)  # threads arrive while the body runs
    VALUE = 42
    """
)


def test_a_lazy_module_runs_once_at_first_use_whatever_the_threads(tmp_path: pathlib.Path) -> None:
    (tmp_path / "slow_module.py").write_text(SLOW)
    root = pathlib.Path(__file__).resolve().parents[1]
    env_path = f"{tmp_path}"
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == ["executed at load: False", "values: [42] 8", "runs: 1"]


def test_an_unknown_module_fails_at_load_not_at_first_use() -> None:
    with pytest.raises(ModuleNotFoundError) as caught:
        _lazy.load("pyagent.no_such_module")
    assert caught.value.name == "pyagent.no_such_module"


def test_a_loaded_module_is_returned_as_it_is() -> None:
    assert _lazy.load("json") is sys.modules["json"]
    assert _lazy.ensure(sys.modules["json"]) is sys.modules["json"]
