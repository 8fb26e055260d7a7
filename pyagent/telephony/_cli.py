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
import functools
import importlib
import inspect
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyagent._cli_common import (
    UsageError,
    endpoint_option,
    listening_port,
    non_empty,
    option_words,
    resolve_service,
    until_stopped,
)

if TYPE_CHECKING:
    from pyagent._cli_common import Service
    from pyagent.telephony._server import PhoneServer
    from pyagent.voice import Agent, VoiceSession

__all__ = ["AUTH_TOKEN_ENV", "ACCOUNT_SID_ENV", "add_phone_parser", "load_agent", "run_phone"]

AUTH_TOKEN_ENV = "TWILIO_AUTH_TOKEN"
ACCOUNT_SID_ENV = "TWILIO_ACCOUNT_SID"
_INSTRUCTIONS = "You are a helpful voice assistant on a phone call. Keep answers short."
_DIALECTS = ("auto", "openai", "azure-openai", "azure-openai-ga", "voicelive")
_OPTIONS = {"public_url": "--public-url", "host": "--host"}  # PhoneServer's arguments, as the command names them


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
    parser.add_argument("--port", type=listening_port, default=8080, help="port (default: 8080; 0 picks a free one)")
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
    parser.add_argument(
        "--endpoint",
        type=endpoint_option,
        default=None,
        help="the service's base URL (default: $PYAGENT_ENDPOINT, ...)",
    )
    parser.add_argument(
        "--dialect",
        default=None,
        choices=_DIALECTS,
        help="the protocol dialect (default: $PYAGENT_DIALECT, else judged from the endpoint)",
    )
    parser.add_argument(
        "--model",
        type=non_empty,
        default="gpt-4o-realtime",  # pyagent.voice._config.DEFAULT_MODEL: the service's current realtime model
        help="model or Azure OpenAI deployment (default: the service's current realtime model)",
    )
    parser.add_argument("--voice", type=non_empty, default="alloy", help="the assistant's voice (default: alloy)")
    parser.add_argument("--instructions", default=_INSTRUCTIONS, help="instructions when no --agent is given")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every call")


def load_agent(spec: str) -> Agent:
    """The :class:`~pyagent.voice.Agent` named ``module:attr``: an Agent, or a function of yours returning one.

    Only Python functions (and Agent subclasses) are called, with no arguments: a built-in such as ``os:getcwd`` or
    ``os:abort`` is refused without being run.

    Raises:
        ConfigurationError: not ``module:attr``; the module cannot be imported (or fails as it runs); no such
            attribute; the attribute is neither an Agent nor a function returning one; the function needs arguments,
            raises, or returns something else (each said in one line).
    """
    from pyagent.voice import Agent, ConfigurationError

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigurationError(f"--agent takes MODULE:ATTR (an Agent, or a function returning one), not {spec!r}")
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"--agent {spec}: cannot import {module_name} ({exc})") from None
    except Exception as exc:  # the user's module failed as it ran: one line, not its traceback
        raise ConfigurationError(
            f"--agent {spec}: importing {module_name} raised {type(exc).__name__}: {exc}"
        ) from None
    for part in attr.split("."):
        value = getattr(value, part, None)
        if value is None:
            raise ConfigurationError(f"--agent {spec}: {module_name} has no attribute {attr!r}")
    if isinstance(value, Agent):
        return value
    factory = (inspect.isclass(value) and issubclass(value, Agent)) or inspect.isfunction(value)
    factory = factory or inspect.ismethod(value) or isinstance(value, functools.partial)
    if not factory:
        kind = "built-in function" if inspect.isbuiltin(value) else type(value).__name__
        raise ConfigurationError(f"--agent {spec} is a {kind}, not an Agent or a function returning one")
    try:
        needed = [
            p.name
            for p in inspect.signature(value).parameters.values()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except ValueError:  # no signature to read: the call will say
        needed = []
    if needed:
        raise ConfigurationError(
            f"--agent {spec}: {attr}() needs arguments ({', '.join(needed)}); --agent calls it with none"
        )
    try:
        made = value()
    except Exception as exc:
        raise ConfigurationError(
            f"--agent {spec}: calling {attr}() to make the Agent raised {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(made, Agent):
        raise ConfigurationError(
            f"--agent {spec}: {attr}() returned a {type(made).__name__}, not an Agent (--agent takes an Agent, or a "
            "function returning one)"
        )
    return made


@dataclass(slots=True)
class _Plan:
    """Everything ``pyagent phone`` checked before starting: the agent, the service and the (unstarted) server."""

    agent: Agent
    service: Service
    server: PhoneServer
    backend: list[tuple[str | None, Any, str]]  # (endpoint, credential, dialect), set once the service is up


def run_phone(args: argparse.Namespace) -> int:
    """Serve calls until interrupted: 0 on a clean stop; 2 for a mistake in what was asked (one line, before
    anything starts); 1 when the server cannot start (the port is taken, the phone extra is missing)."""
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    from pyagent.errors import ConfigurationError, PyagentError

    try:
        plan = _plan(args)
    except (UsageError, ConfigurationError) as exc:
        print(f"pyagent phone: {option_words(str(exc), _OPTIONS)}", file=sys.stderr)
        return 2
    except PyagentError as exc:  # the phone extra is missing
        print(f"pyagent phone: {exc}", file=sys.stderr)
        return 1
    try:
        asyncio.run(_serve(args, plan))
    except KeyboardInterrupt:
        pass
    except (PyagentError, OSError) as exc:
        print(f"pyagent phone: {exc}", file=sys.stderr)
        return 1
    return 0


def _plan(args: argparse.Namespace) -> _Plan:
    """Check what was asked, whole, before anything starts.

    Raises:
        UsageError: the service's settings (see :func:`pyagent._cli_common.resolve_service`).
        ConfigurationError: the agent, ``--public-url`` or another argument of the server.
        MissingDependencyError: the phone extra is missing.
    """
    from pyagent.telephony._server import PhoneServer
    from pyagent.voice import Agent

    agent = load_agent(args.agent) if args.agent else Agent("assistant", args.instructions)
    service = resolve_service(args)
    backend: list[tuple[str | None, Any, str]] = []
    server = PhoneServer(
        _session_factory(args, agent, service, backend),
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        auth_token=os.environ.get(AUTH_TOKEN_ENV) or None,
        account_sid=os.environ.get(ACCOUNT_SID_ENV) or None,
    )
    return _Plan(agent, service, server, backend)


def _session_factory(
    args: argparse.Namespace, agent: Agent, service: Service, backend: list[tuple[str | None, Any, str]]
) -> Callable[[], VoiceSession]:
    def session() -> VoiceSession:
        from pyagent.voice import VoiceSession

        endpoint, credential, dialect = backend[0]
        return VoiceSession(
            model=service.model,
            voice=args.voice,
            agent=agent,
            endpoint=endpoint,
            credential=credential,
            dialect=dialect,
        )

    return session


@contextlib.asynccontextmanager
async def _backend(args: argparse.Namespace, service: Service) -> AsyncIterator[tuple[str | None, Any, str, str]]:
    """``(endpoint, credential, dialect, description)``: the configured service, else the local server."""
    settings = service.settings
    if settings is not None:
        yield (
            settings.endpoint,
            settings.credential,
            settings.dialect,
            (f"{service.describe()}, endpoint from {service.source}"),
        )
        return
    from pyagent.server import LocalServer

    async with LocalServer() as server:
        engines = await server.speech_engines()
        dialect = args.dialect if args.dialect not in (None, "auto") else "openai"
        yield (
            server.endpoint,
            None,
            dialect,
            f"the local server at {server.endpoint} (dialect {dialect}, model {service.model}; {engines.description})",
        )


async def _serve(args: argparse.Namespace, plan: _Plan) -> None:
    token = os.environ.get(AUTH_TOKEN_ENV) or None
    async with _backend(args, plan.service) as (endpoint, credential, dialect, backend):
        plan.backend[:] = [(endpoint, credential, dialect)]
        async with plan.server as server:
            urls = server.public_urls()
            print(f"pyagent phone on {server.url}, answering with {plan.agent.name!r} through {backend}", flush=True)
            print(f"  Twilio voice webhook (POST): {urls['webhook']}", flush=True)
            print(f"  Twilio media stream:         {urls['twilio']}", flush=True)
            print(f"  ACS media stream:            {urls['acs']}", flush=True)
            if token:
                print(f"  Twilio signatures checked ({AUTH_TOKEN_ENV} is set)", flush=True)
            else:
                print(f"  Twilio signatures NOT checked: set {AUTH_TOKEN_ENV} to refuse unsigned requests", flush=True)
            await until_stopped()
