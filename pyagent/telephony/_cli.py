"""``pyagent phone``: a ready server for phone calls, from the command line.

``pyagent/cli.py`` wires this in with :func:`add_phone_parser` and :func:`run_phone`. The session of each call finds
its service like ``pyagent chat`` does (``--endpoint``, ``PYAGENT_ENDPOINT``, ``OPENAI_API_KEY``,
``AZURE_VOICELIVE_ENDPOINT``); with none configured, the local server runs in-process. Twilio's secrets come from the
environment only: ``TWILIO_AUTH_TOKEN`` (signatures checked when set) and ``TWILIO_ACCOUNT_SID``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyagent.voice import Agent

__all__ = ["AUTH_TOKEN_ENV", "ACCOUNT_SID_ENV", "add_phone_parser", "load_agent", "run_phone"]

AUTH_TOKEN_ENV = "TWILIO_AUTH_TOKEN"
ACCOUNT_SID_ENV = "TWILIO_ACCOUNT_SID"
_INSTRUCTIONS = "You are a helpful voice assistant on a phone call. Keep answers short."


def add_phone_parser(subparsers: Any) -> None:
    """Add the ``phone`` subcommand to an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "phone",
        help="answer phone calls (Twilio Media Streams, Azure Communication Services) with a voice agent",
        description="Serve Twilio's voice webhook (POST /incoming-call, answered with <Connect><Stream>) and the "
        "media WebSockets (/media-stream for Twilio, /acs/media-stream for ACS); each call is bridged to its own "
        f"voice session. Set {AUTH_TOKEN_ENV} to refuse requests Twilio did not sign.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    parser.add_argument(
        "--public-url",
        default=None,
        help="the public https:// base Twilio reaches this server at (a tunnel): the stream URL in the TwiML and the "
        "URL the signatures cover (default: the request's own URL and host)",
    )
    parser.add_argument(
        "--agent",
        default=None,
        metavar="MODULE:ATTR",
        help="the Agent to answer with (an Agent, or a function returning one), e.g. myapp.agents:receptionist",
    )
    parser.add_argument("--endpoint", default=None, help="the service's base URL (default: $PYAGENT_ENDPOINT, ...)")
    parser.add_argument(
        "--dialect",
        default=None,
        choices=("auto", "openai", "azure-openai", "azure-openai-ga", "voicelive"),
        help="the protocol dialect (default: $PYAGENT_DIALECT, else judged from the endpoint)",
    )
    parser.add_argument("--model", default="gpt-4o-realtime", help="model or Azure OpenAI deployment")
    parser.add_argument("--voice", default="alloy", help="the assistant's voice (default: alloy)")
    parser.add_argument("--instructions", default=_INSTRUCTIONS, help="instructions when no --agent is given")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every call")


def load_agent(spec: str) -> Agent:
    """The :class:`~pyagent.voice.Agent` named ``module:attr``: an Agent, or a callable returning one.

    Raises:
        ValueError: not ``module:attr``, or the attribute is no Agent (a ConfigurationError).
        ImportError: the module cannot be imported.
    """
    from pyagent.voice import Agent, ConfigurationError

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigurationError(f"--agent takes MODULE:ATTR, not {spec!r}")
    value: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part, None)
        if value is None:
            raise ConfigurationError(f"{module_name} has no attribute {attr!r}")
    if not isinstance(value, Agent) and callable(value):
        value = value()
    if not isinstance(value, Agent):
        raise ConfigurationError(f"{spec} is a {type(value).__name__}, not an Agent")
    return value


def run_phone(args: argparse.Namespace) -> int:
    """Serve calls until interrupted; 0 on a clean stop, 1 when the server cannot start."""
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    from pyagent.errors import PyagentError

    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except (PyagentError, OSError, ImportError) as exc:
        print(f"pyagent phone: {exc}", file=sys.stderr)
        return 1
    return 0


@contextlib.asynccontextmanager
async def _backend(args: argparse.Namespace) -> AsyncIterator[tuple[str | None, str | None, str]]:
    """``(endpoint, dialect, description)``: the configured service, else the local server in-process."""
    from pyagent.voice._config import resolve_endpoint
    from pyagent.voice.errors import ConfigurationError

    try:
        settings = resolve_endpoint(args.endpoint, None, args.dialect)
    except ConfigurationError:
        settings = None
    if settings is not None:
        yield args.endpoint, args.dialect, f"the service at {settings.endpoint or settings.dialect} ({settings.source})"
        return
    from pyagent.server import LocalServer

    if args.model == "gpt-4o-realtime":
        args.model = "gpt-realtime"
    async with LocalServer() as server:
        engines = await server.speech_engines()
        yield (
            server.endpoint,
            args.dialect or "openai",
            f"the local server at {server.endpoint} ({engines.description})",
        )


async def _serve(args: argparse.Namespace) -> None:
    from pyagent.telephony._server import PhoneServer
    from pyagent.voice import Agent, VoiceSession

    agent = load_agent(args.agent) if args.agent else Agent("assistant", args.instructions)
    token = os.environ.get(AUTH_TOKEN_ENV) or None
    async with _backend(args) as (endpoint, dialect, backend):

        def session() -> VoiceSession:
            return VoiceSession(
                model=args.model, voice=args.voice, agent=agent, endpoint=endpoint, dialect=dialect or "auto"
            )

        server = PhoneServer(
            session,
            host=args.host,
            port=args.port,
            public_url=args.public_url,
            auth_token=token,
            account_sid=os.environ.get(ACCOUNT_SID_ENV) or None,
        )
        async with server:
            urls = server.public_urls()
            print(f"pyagent phone on {server.url}, answering with {agent.name!r} through {backend}", flush=True)
            print(f"  Twilio voice webhook (POST): {urls['webhook']}", flush=True)
            print(f"  Twilio media stream:         {urls['twilio']}", flush=True)
            print(f"  ACS media stream:            {urls['acs']}", flush=True)
            if token:
                print(f"  Twilio signatures checked ({AUTH_TOKEN_ENV} is set)", flush=True)
            else:
                print(f"  Twilio signatures NOT checked: set {AUTH_TOKEN_ENV} to refuse unsigned requests", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, stop.set)
            await stop.wait()
