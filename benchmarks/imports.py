"""Import time: ``import pyagent.realtime`` and ``import pyagent.voice`` beside ``import azure.ai.voicelive.aio``.

Each import runs in a fresh interpreter (``python -c``), timed inside it around the import statement alone (the
interpreter's own start-up is the same for all and left out), ``ROUNDS`` times, the three taking turns so a busy
machine slows them alike; the figure is the median. Goals: realtime <= 0.4x and voice <= 0.6x the Azure SDK.

Below the table, the modules that cost most in each of pyagent's imports (``-X importtime``, cumulative, median of
a few runs): what stands between the figures and the goals.

Every package imports from compiled bytecode, as after ``pip install`` (which writes ``.pyc`` files): pyagent's own
modules are compiled first, and ``PYTHONDONTWRITEBYTECODE`` is dropped from the children's environment, or pyagent
(an editable install here) would be compiled from source at every import while the packages beside it would not.
"""

from __future__ import annotations

import collections
import compileall
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("PYAGENT_BENCH_IMPORT_ROUNDS", "21"))
IMPORTS = {
    "pyagent.realtime": "import pyagent.realtime",
    "pyagent.voice": "import pyagent.voice",
    "azure.ai.voicelive.aio": "import azure.ai.voicelive.aio",
}
GOALS = {"pyagent.realtime": 0.4, "pyagent.voice": 0.6}
# Where the time goes: these packages and pyagent's own modules, whichever load under the import.
WATCHED = ("numpy", "soxr", "websockets", "msgspec", "asyncio", "importlib.metadata", "python_socks", "ssl")


# The children import from bytecode, as installed packages do (see the module's docstring).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _timed(statement: str) -> float:
    code = f"import time\nstarted = time.perf_counter()\n{statement}\nprint(time.perf_counter() - started)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV, check=True)
    return float(result.stdout)


def _importtime(statement: str) -> dict[str, float]:
    """Cumulative ms per module as ``-X importtime`` reports it."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    cumulative: dict[str, float] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, total, name = line.split("|")
        if total.strip().isdigit():
            cumulative[name.strip()] = int(total) / 1000
    return cumulative


def main() -> None:
    """Time each import in fresh interpreters, print medians, ratios and the heaviest modules."""
    compileall.compile_dir(ROOT / "pyagent", quiet=1)  # what pip does at install
    for statement in IMPORTS.values():
        _timed(statement)  # and the rest of the bytecode in place before any timing
    times: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(ROUNDS):
        for name, statement in IMPORTS.items():
            times[name].append(_timed(statement))
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    azure = medians["azure.ai.voicelive.aio"]
    print(f"  fresh interpreters, {ROUNDS} rounds, median ms (the three taking turns)")
    for name, median in medians.items():
        spread = sorted(times[name])
        low, high = spread[len(spread) // 10] * 1000, spread[-1 - len(spread) // 10] * 1000
        line = f"    import {name:<24}{median:8.1f} ms  (p10 {low:.1f}, p90 {high:.1f})"
        if name in GOALS:
            ratio = median / azure
            verdict = "met" if ratio <= GOALS[name] else "not met"
            line += f"   {ratio:.2f}x the Azure SDK (goal <= {GOALS[name]}x: {verdict})"
        print(line)
    for name in GOALS:
        runs = [_importtime(IMPORTS[name]) for _ in range(5)]
        names = {module for run in runs for module in run}
        cumulative = {module: statistics.median(run.get(module, 0.0) for run in runs) for module in names}
        watched = [m for m in names if m in WATCHED or (m.startswith("pyagent.") and m.count(".") <= 2)]
        heaviest = sorted(watched, key=lambda m: -cumulative[m])[:12]
        print(f"  under import {name} (cumulative ms, -X importtime, median of 5):")
        print("    " + ", ".join(f"{m} {cumulative[m]:.1f}" for m in heaviest))


if __name__ == "__main__":
    main()
