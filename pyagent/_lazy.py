"""Modules executed at their first use rather than at import, with the standard library's ``LazyLoader``.

``import pyagent.realtime`` should cost what a program that only builds or decodes events needs; the transport
(websockets and what it loads) is executed when a connection first touches it. After that first attribute read the
module is an ordinary module: no indirection is left on the hot path (``importlib.util.LazyLoader``, see
https://docs.python.org/3/library/importlib.html#importlib.util.LazyLoader).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType

__all__ = ["ensure", "load"]

_LOADING = threading.Lock()


def load(name: str) -> ModuleType:
    """The module ``name``, registered now and executed at its first attribute read (at once if already loaded).

    Raises:
        ModuleNotFoundError: no module of that name is installed (found now, not at first use).
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def ensure(module: ModuleType) -> ModuleType:
    """``module`` executed, once, even when threads reach it together (Python 3.11's ``LazyLoader`` has no lock of
    its own: a second thread could read the module half executed). Call it where the module is first needed."""
    with _LOADING:
        _ = module.__dict__  # the first attribute read executes a lazy module; later ones cost nothing more
    return module
