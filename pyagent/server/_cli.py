"""``pyagent serve``: the local realtime server from the command line.

``pyagent/cli.py`` wires this in with :func:`add_serve_parser` and :func:`run_serve`; the server runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import sys
from typing import Any

from pyagent._cli_common import listening_port, option_words, until_stopped
from pyagent.server._server import DEFAULT_REALTIME_FACTOR, PATHS, LocalServer
from pyagent.server.errors import ConfigurationError, ServerError

__all__ = ["API_KEY_ENV", "add_serve_parser", "run_serve"]

API_KEY_ENV = "PYAGENT_SERVER_API_KEY"


def _factor(text: str) -> float:
    if text.strip().lower() in ("inf", "max", "fast"):
        return math.inf
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, or 'inf', not {text!r}") from None
    if not value > 0:  # NaN too
        raise argparse.ArgumentTypeError(f"must be a number > 0, or 'inf', not {text!r}")
    return value


def _key(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"must not be empty (leave it out, and ${API_KEY_ENV} unset, to accept any key)"
        )
    return text


def add_serve_parser(subparsers: Any) -> None:
    """Add the ``serve`` subcommand to an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "serve",
        help="run the local realtime-compatible server",
        description="A local realtime server speaking the OpenAI, Azure OpenAI and Voice Live protocols, with real VAD "
        "and offline speech. Paths: " + ", ".join(PATHS) + ".",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 is every one: add --api-key)",
    )
    parser.add_argument("--port", type=listening_port, default=8765, help="port (default: 8765; 0 picks a free one)")
    parser.add_argument(
        "--api-key",
        type=_key,
        default=None,
        help=f"the key clients must send (default: ${API_KEY_ENV}, else any key is accepted)",
    )
    parser.add_argument(
        "--record", metavar="DIR", default=None, help="write every session to DIR as JSONL (checked at start)"
    )
    parser.add_argument(
        "--speech",
        choices=("auto", "on", "off"),
        default="auto",
        help="real recognition and synthesis (pocketsphinx, hibari-tts): auto uses them when installed",
    )
    parser.add_argument(
        "--realtime-factor",
        type=_factor,
        default=DEFAULT_REALTIME_FACTOR,
        help="send response audio this many times faster than it plays, as the services do (default: "
        f"{DEFAULT_REALTIME_FACTOR:g}); 1 paces it as a listener hears it, 'inf' sends it at once",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every session")
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted: 0 on a clean stop; 2 for a setting it cannot use (one line, before anything
    listens); 1 when it cannot start (the port is taken, the speech extra is missing with ``--speech on``)."""
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    api_key = args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV) or None
    try:
        server = LocalServer(
            host=args.host,
            port=args.port,
            api_key=api_key,
            speech=args.speech,
            record_dir=args.record,
            realtime_factor=args.realtime_factor,
        )
        asyncio.run(_serve(server))
    except KeyboardInterrupt:
        pass
    except ConfigurationError as exc:
        print(f"pyagent serve: {option_words(str(exc), _OPTIONS)}", file=sys.stderr)
        return 2
    except (ServerError, OSError) as exc:
        print(f"pyagent serve: {option_words(str(exc), _OPTIONS)}", file=sys.stderr)
        return 1
    return 0


_OPTIONS = {"record_dir": "--record", "api_key": "--api-key", "host": "--host", "speech='on'": "--speech on"}


async def _serve(server: LocalServer) -> None:
    await server.start()
    listening = ", ".join(server.listening_on)
    print(f"pyagent local realtime server listening on {listening}", flush=True)
    print(f"  endpoint for clients on this machine: {server.endpoint}", flush=True)
    for path, dialect in PATHS.items():
        print(f"  {dialect.name:<16} {server.url}{path}", flush=True)
    try:
        await until_stopped()
    finally:
        await server.close()
