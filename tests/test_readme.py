"""The README's Python examples: those that need no cloud run offline against the local server, the cloud
quickstarts are compiled and their pyagent names and ``VoiceSession`` arguments checked."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from pyagent.voice import VoiceSession
from pyagent.voice._config import ENDPOINT_ENVIRONMENT

README = ROOT / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8")) if README.exists() else []


BLOCKS = python_blocks()


def runs_offline(source: str) -> bool:
    """A block runs here when it brings its own local server or never connects."""
    return "LocalServer" in source or ".connect(" not in source


def check_names(source: str) -> None:
    """Every pyagent import exists; VoiceSession gets only arguments it takes; session methods exist."""
    tree = ast.parse(source)
    parameters = inspect.signature(VoiceSession).parameters
    session_names = {"session", "voice"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pyagent"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "VoiceSession":
            for keyword in node.keywords:
                assert keyword.arg in parameters, f"VoiceSession takes no {keyword.arg!r}"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in session_names:
            assert hasattr(VoiceSession, node.attr), f"VoiceSession has no {node.attr!r}"


def test_readme_has_examples() -> None:
    if not BLOCKS:
        pytest.skip("README.md has no Python examples yet")
    assert any(runs_offline(block) and "LocalServer" in block for block in BLOCKS)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example(index: int, tmp_path: pathlib.Path) -> None:
    source = BLOCKS[index]
    compile(source, f"README.md python block {index + 1}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    check_names(source)
    if not runs_offline(source):
        return
    # Run where the example's relative paths resolve to the repository's fixtures and its files land in tmp_path.
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    env = {key: value for key, value in os.environ.items() if key not in ENDPOINT_ENVIRONMENT}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", source], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    if "print(" in source and ".connect(" in source:
        assert result.stdout.strip(), "the example printed nothing"
    check_shown_output(source, result.stdout)
    # What an example writes lands under out/, never loose where the user runs it (the repository's root).
    assert {path.name for path in tmp_path.iterdir()} <= {"fixtures", "out"}


def shown_output(source: str) -> tuple[list[str], list[str]]:
    """What an example says it prints: the comment lines that end it after a ``print``, and the comments on
    ``print(...)`` lines (``print(x)  # shown``, where the comment may go on after the output with ": why")."""
    lines = source.rstrip("\n").splitlines()
    trailing: list[str] = []
    while lines and lines[-1].startswith("# "):
        trailing.insert(0, lines.pop()[2:])
    if not lines or "print(" not in lines[-1]:
        trailing = []  # a commented-out call, not output
    inline = [line.split("  # ", 1)[1] for line in lines if line.lstrip().startswith("print(") and "  # " in line]
    return trailing, inline


def check_shown_output(source: str, stdout: str) -> None:
    printed = stdout.splitlines()
    trailing, inline = shown_output(source)
    if trailing:
        assert printed[-len(trailing) :] == trailing, "the example's output differs from what the README shows"
    for shown in inline:
        assert any(line and shown.startswith(line) for line in printed), f"{shown!r} is not what the example prints"


def test_the_examples_that_show_their_output_are_checked() -> None:
    shown = [shown_output(block) for block in BLOCKS if runs_offline(block)]
    assert sum(len(trailing) + len(inline) for trailing, inline in shown) >= 5  # else this check checks nothing
    with pytest.raises(AssertionError):
        check_shown_output('print("a")\n# b\n', "a\n")
    with pytest.raises(AssertionError):
        check_shown_output('print("a")  # b: why\n', "a\n")
    check_shown_output('print("a")  # a: why\nprint("b")\n# b\n', "a\nb\n")


def written_paths(source: str) -> list[str]:
    """The file names an example writes: write_wav's first argument and open(..., "w"/"wb")."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        mode = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else "r"
        if func == "write_wav" or (func == "open" and "w" in str(mode)):
            names.append(str(node.args[0].value))
    return names


def test_readme_examples_write_under_out() -> None:
    text = README.read_text(encoding="utf-8")
    written = [name for block in BLOCKS for name in written_paths(block)]
    assert written, "the examples write no file: this check would check nothing"
    assert all(name.startswith("out/") for name in written), written
    shell = re.findall(r"--out\s+(\S+)", "\n".join(re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)))
    assert shell
    assert all(name.startswith("out/") for name in shell), shell
