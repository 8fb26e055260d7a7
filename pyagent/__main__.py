"""``python -m pyagent`` and the ``pyagent`` console script: the command line (see :mod:`pyagent.cli`).

The command line is imported inside the guard, so Ctrl-C at any moment, while the first imports run too, ends the
command quietly with status 130 rather than a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> int:
    """Run the ``pyagent`` command with ``sys.argv``; returns its exit status."""
    try:
        from pyagent.cli import main as run

        return run()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
