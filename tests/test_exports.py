"""The public surface is explicit: every public module has a sorted ``__all__`` whose names all import."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import pyagent


def _public_modules() -> list[str]:
    names = ["pyagent"]
    for info in pkgutil.walk_packages(pyagent.__path__, prefix="pyagent."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts):
            continue
        names.append(info.name)
    return sorted(names)


PUBLIC_MODULES = _public_modules()

# Modules that need an optional extra (speech engines, audio devices) import it lazily and still import here.


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_module_has_sorted_all_and_every_name_imports(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names {attr!r}, which does not exist"


def test_package_root_exports() -> None:
    assert "PyagentError" in pyagent.__all__
    assert pyagent.__version__.count(".") == 2


def test_public_modules_were_found() -> None:
    assert "pyagent.realtime" in PUBLIC_MODULES
    assert "pyagent.errors" in PUBLIC_MODULES


def test_dir_lists_every_exported_name_before_its_first_use() -> None:
    """Names a package loads on first use (PEP 562) still show in ``dir()``, ``help()`` and completion: checked in a
    fresh interpreter, where none of them has been used yet."""
    code = (
        "import importlib, json, sys\n"
        "missing = {}\n"
        "for name in sys.argv[1:]:\n"
        "    module = importlib.import_module(name)\n"
        "    gap = sorted(set(module.__all__) - set(dir(module)))\n"
        "    if gap:\n"
        "        missing[name] = gap\n"
        "print(json.dumps(missing))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *PUBLIC_MODULES], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(result.stdout) == {}
