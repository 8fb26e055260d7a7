"""``python -m pyagent``: the ``pyagent`` command line (see :mod:`pyagent.cli`)."""

from __future__ import annotations

import sys

from pyagent.cli import main

if __name__ == "__main__":
    sys.exit(main())
