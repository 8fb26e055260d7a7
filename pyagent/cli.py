"""The ``pyagent`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pyagent._version import __version__

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; subcommands are added by the layers that own them."""
    parser = argparse.ArgumentParser(prog="pyagent", description="Realtime voice conversations with AI models.")
    parser.add_argument("--version", action="version", version=f"pyagent {__version__}")
    parser.add_subparsers(dest="command", metavar="{serve,chat,talk}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pyagent`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(f"pyagent {__version__}")
        parser.print_help()
        return 0
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
