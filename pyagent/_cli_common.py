"""What the commands share: option types whose errors are one line, and the service a session will reach, checked
whole before anything starts.

``pyagent chat``, ``talk`` and ``phone`` find their service the same way (``--endpoint``, then the environment, else
the local server in-process) and refuse the same mistakes the same way: a bad variable is a usage error, never a
silent fallback to the local server; a deployment-less Azure dialect names ``--model``; a key that would cross the
network in clear over ``ws://`` is refused before any socket opens. Every refusal is a :class:`UsageError`: one line,
exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pathlib
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pyagent._files import directory_problem

if TYPE_CHECKING:
    from pyagent.realtime.dialects import Dialect
    from pyagent.voice._config import EndpointSettings

__all__ = [
    "LOCAL_MODEL",
    "Service",
    "UsageError",
    "endpoint_option",
    "listening_port",
    "non_empty",
    "option_words",
    "out_file",
    "resolve_service",
    "shown_url",
]

LOCAL_MODEL = "gpt-realtime"
"""The model named to the local server when the user named none (it takes any name; the Azure dialects need one)."""

_WAV_SUFFIXES = (".wav", ".wave")
# Where an endpoint's settings came from (EndpointSettings.source), in the words of the command line.
_SOURCES = {
    "endpoint=": "--endpoint",
    "PYAGENT_ENDPOINT": "PYAGENT_ENDPOINT",
    "OPENAI_API_KEY": "OPENAI_API_KEY (OpenAI)",
    "AZURE_VOICELIVE_ENDPOINT": "AZURE_VOICELIVE_ENDPOINT",
    "--api-key": "--api-key (OpenAI)",
}


class UsageError(Exception):
    """A mistake in what the user asked: one line, exit status 2, before anything starts."""


# --------------------------------------------------------------------------------------------------- option types


def non_empty(text: str) -> str:
    """An option that must say something (an argparse type)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def listening_port(text: str) -> int:
    """A port to listen on: 0 to 65535, 0 picking a free one (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 65535 (0: a free port), not {text!r}")
    return value


def endpoint_option(text: str) -> str:
    """A service's base URL (an argparse type): any malformed URL is one line, its key hidden."""
    from pyagent.realtime.dialects import check_endpoint
    from pyagent.realtime.errors import ConfigurationError

    try:
        return check_endpoint(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("endpoint ")) from None


def out_file(text: str) -> pathlib.Path:
    """A WAV file the reply can be written to, checked before anything runs (an argparse type).

    Its directory is made to find out whether it can be, then removed again: a command that stops before it
    writes leaves nothing behind.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, such as out/reply.wav")
    path = pathlib.Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a directory; give a file name such as {text.rstrip('/' + os.sep)}/reply.wav"
        )
    if path.suffix.lower() not in _WAV_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"writes a WAV file: give a name ending in .wav, such as {str(path.with_suffix('.wav'))!r}, not {text!r}"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text!r} cannot be written (no permission)")
    problem = directory_problem(path.absolute().parent, keep=False)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r} cannot be written: {problem}")
    return path


def option_words(message: str, options: dict[str, str]) -> str:
    """A library's message in the command's words: ``record_dir ...`` becomes ``--record ...``."""
    for argument, option in options.items():
        if message.startswith(argument + " "):
            return option + message[len(argument) :]
    return message


# --------------------------------------------------------------------------------------------------- the service


@dataclass(frozen=True, slots=True)
class Service:
    """Where a session goes, decided and checked before anything starts.

    Attributes:
        settings: the endpoint and credential; None means the local server, started in-process.
        dialect: the dialect spoken (None for the local server: the command's ``--dialect``, else openai).
        model: the model that will be sent (the service's current one when the user named none).
        source: where the endpoint came from, in words (``--endpoint``, ``PYAGENT_ENDPOINT``, ...).
        key: where the key is, in words, never the key (``key from --api-key``, ``key in the endpoint's query
            (api-key)``, ``no key``).
    """

    settings: EndpointSettings | None
    dialect: Dialect | None
    model: str
    source: str
    key: str

    @property
    def has_key(self) -> bool:
        """A key goes with the connection: a credential, or one inside the endpoint."""
        return self.key != "no key"

    def describe(self) -> str:
        """``URL (dialect d, model m, key ...)``: what a command prints before it connects, without secrets."""
        from pyagent.realtime.dialects import OPENAI_DEFAULT_ENDPOINT

        assert self.settings is not None
        assert self.dialect is not None
        url = shown_url(self.settings.endpoint or OPENAI_DEFAULT_ENDPOINT)
        return f"{url} (dialect {self.dialect.name}, model {self.model}, {self.key})"


def resolve_service(args: argparse.Namespace) -> Service:
    """The service ``args`` (``--endpoint``, ``--api-key``, ``--dialect``, ``--model``) and the environment name,
    checked whole: what connecting would refuse is refused here, in the command's words.

    Raises:
        UsageError: a variable that cannot be used (``PYAGENT_ENDPOINT`` without a scheme, an unknown
            ``PYAGENT_DIALECT``); an Azure OpenAI dialect without ``--model``; a key over plaintext ``ws://`` to
            a host that is not this machine.
    """
    from pyagent.realtime.dialects import OPENAI_DEFAULT_ENDPOINT
    from pyagent.voice._config import (
        DEFAULT_MODEL,
        EndpointSettings,
        check_dialect,
        endpoint_configured,
        resolve_endpoint,
    )
    from pyagent.voice.errors import ConfigurationError

    env = os.environ
    api_key: str | None = getattr(args, "api_key", None)
    try:
        if args.dialect is None and env.get("PYAGENT_DIALECT", "").strip():
            check_dialect(env["PYAGENT_DIALECT"].strip(), "PYAGENT_DIALECT")
        if not endpoint_configured(args.endpoint, api_key):
            if api_key is None or args.dialect not in (None, "auto", "openai"):
                model = LOCAL_MODEL if args.model == DEFAULT_MODEL else args.model
                return Service(None, None, model, "the local server", "no key")
            # A key and nothing else: OpenAI, where OPENAI_BASE_URL says or at its own address.
            base = env.get("OPENAI_BASE_URL", "").strip() or OPENAI_DEFAULT_ENDPOINT
            found = resolve_endpoint(base, api_key, "openai")
            settings = EndpointSettings(found.endpoint, api_key, "openai", "--api-key")
        else:
            settings = resolve_endpoint(args.endpoint, api_key, args.dialect)
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    return _checked(settings, args.model, api_key)


def _checked(settings: EndpointSettings, model_option: str, api_key: str | None) -> Service:
    """The configured service, with everything connecting would check checked now (nothing is opened).

    Raises:
        UsageError: as :func:`resolve_service`.
    """
    from pyagent.errors import ConfigurationError
    from pyagent.realtime import connect
    from pyagent.realtime.dialects import OPENAI_DEFAULT_ENDPOINT, resolve_dialect
    from pyagent.realtime.errors import InsecureTransportError
    from pyagent.voice._config import resolve_model

    url = settings.endpoint or OPENAI_DEFAULT_ENDPOINT
    source = _SOURCES.get(settings.source, settings.source)
    try:
        dialect = resolve_dialect(settings.dialect, url)
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    try:
        model = resolve_model(model_option, dialect.name)
    except ConfigurationError:
        raise UsageError(
            f"the {dialect.name} dialect needs --model: the name of your deployment (for example --model "
            "gpt-realtime-prod)"
        ) from None
    key = _key_words(settings, url, api_key)
    try:
        # connect() checks the URL, the credential and the transport when called; it opens nothing until awaited.
        connect(endpoint=url, credential=settings.credential, dialect=dialect, model=model)
    except InsecureTransportError:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        secure = urlunsplit(({"http": "https", "ws": "wss"}.get(scheme, scheme), *parts[1:]))
        raise UsageError(
            f"refusing to send the {key} over plaintext {scheme}:// to {parts.hostname}, "
            f"where anyone on the way can read it: use {shown_url(secure)} (plain ws:// and http:// carry a key "
            "only to this machine)"
        ) from None
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    return Service(settings, dialect, model, source, key)


def _key_words(settings: EndpointSettings, url: str, api_key: str | None) -> str:
    """Where the key is, in words (never the key)."""
    from pyagent.realtime._redaction import SECRET_NAMES

    found: list[str] = []
    if settings.credential is not None:
        if api_key is not None:
            found.append("from --api-key")
        elif settings.source == "OPENAI_API_KEY":
            found.append("from OPENAI_API_KEY")
        elif settings.source == "AZURE_VOICELIVE_ENDPOINT":
            found.append("from AZURE_VOICELIVE_API_KEY")
        elif os.environ.get("PYAGENT_API_KEY", "").strip():
            found.append("from PYAGENT_API_KEY")
        else:
            found.append("from OPENAI_API_KEY")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        found.append("in the endpoint's user information")
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True) if name.lower() in SECRET_NAMES]
    if names:
        found.append(f"in the endpoint's query ({', '.join(dict.fromkeys(names))})")
    return "key " + " and ".join(found) if found else "no key"


def shown_url(endpoint: str) -> str:
    """The endpoint as the user may see it: scheme, host, port and path; no user information, no query (keys hide
    there)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def until_stopped() -> None:
    """Wait for SIGINT or SIGTERM: how the serving commands (``serve``, ``phone``) run until they are stopped.

    Windows has no loop signal handlers: there Ctrl-C arrives as ``KeyboardInterrupt`` instead.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
