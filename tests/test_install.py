"""A regular install, as a user makes it: build the wheel, install it (not editable) into a fresh venv, and run
``python -m pyagent.demo`` and ``pyagent chat`` from another directory; and one distribution name everywhere.

Offline and quick: the wheel is built without an isolated build environment (setuptools comes with the dev extra)
and installed with ``--no-deps``; the new venv finds the dependencies (numpy, websockets, soxr, the speech engines)
through a ``.pth`` line naming the dev venv's site-packages. That line adds a directory to ``sys.path`` and nothing
else: the editable install there is not activated (``.pth`` files in an added directory are not read), so the
``pyagent`` that runs is the installed wheel's, which the test checks.
"""

from __future__ import annotations

import email.parser
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile

import pytest

from conftest import FIXTURES, ROOT
from pyagent import DISTRIBUTION, __version__
from pyagent.demo import QUESTION
from pyagent.voice._config import ENDPOINT_ENVIRONMENT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def run(args: list[str | os.PathLike[str]], cwd: pathlib.Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The wheel, built from a copy of what the repository ships (so the worktree gets no build/ or egg-info)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "pyagent", source / "pyagent", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source],
        cwd=source,
    )
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A fresh venv with the wheel installed, its dependencies visible from the dev venv."""
    root = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", root], cwd=root)
    python = root / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel], cwd=root)
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip()
    (pathlib.Path(purelib) / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root


def user_env() -> dict[str, str]:
    """The user's environment: no endpoint configured, nothing pointing at the repository."""
    drop = {*ENDPOINT_ENVIRONMENT, "PYTHONPATH", "VIRTUAL_ENV"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def test_the_wheel_carries_the_name_the_data_and_the_command(wheel: pathlib.Path) -> None:
    assert wheel.name == f"pyagent_voice-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"pyagent_voice-{__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        packaged = archive.read(f"pyagent/_data/{QUESTION.name}")
    assert metadata["Name"] == DISTRIBUTION == "pyagent-voice"
    assert metadata["Version"] == __version__
    assert "pyagent = pyagent.__main__:main" in entry_points  # the command line imported under the Ctrl-C guard
    assert "pyagent/py.typed" in names
    assert "pyagent/__main__.py" in names
    assert packaged == (FIXTURES / "audio" / QUESTION.name).read_bytes()  # the demo's recording, as the fixture
    assert not [name for name in names if name.startswith(("tests/", "fixtures/", "benchmarks/"))]


def test_the_installed_package_runs_the_demo_and_chat_from_another_directory(
    venv: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python, command = venv / "bin" / "python", venv / "bin" / "pyagent"
    env = user_env()
    where = run([python, "-c", "import pyagent; print(pyagent.__file__)"], cwd=elsewhere, env=env).strip()
    assert where.startswith(str(venv)), where  # the wheel's pyagent, not the repository's

    demo = run([python, "-m", "pyagent.demo"], cwd=elsewhere, env=env)
    assert "You asked:  what is the weather in paris" in demo
    assert "Tool call:  get_weather(" in demo
    assert (elsewhere / "out" / "reply.wav").stat().st_size > 48000  # written under out/, where the user is

    shutil.copy2(FIXTURES / "audio" / "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav", elsewhere / "q.wav")
    chat = run([command, "chat", "q.wav", "--out", "out/chat.wav"], cwd=elsewhere, env=env)
    assert "using the local server at http://127.0.0.1:" in chat
    assert "Assistant: I heard: stop wait a moment." in chat
    assert (elsewhere / "out" / "chat.wav").exists()
    module = run([python, "-m", "pyagent", "--version"], cwd=elsewhere, env=env)
    assert module.strip() == f"pyagent {__version__} (pyagent-voice)"


# --------------------------------------------------------------------------------------------------- the name

_STRANGER = re.compile(r"pip install\s+['\"]?pyagent(\[|['\"\s]|$)|`pyagent\[(devices|speech|dev)\]`")


def test_one_distribution_name_everywhere() -> None:
    assert PYPROJECT["project"]["name"] == DISTRIBUTION
    texts = {path: path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "pyagent").rglob("*.py"))]}
    for path, text in texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            assert not _STRANGER.search(line), f"{path.relative_to(ROOT)}:{number} names the stranger's package: {line}"
    readme = texts[ROOT / "README.md"]
    assert "pip install pyagent-voice" in readme
    assert "pip install '.[speech,devices]'" in readme  # from the clone
    assert "pip install 'pyagent-voice[devices]'" in readme
