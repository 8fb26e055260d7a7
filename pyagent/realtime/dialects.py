"""The three dialects of the realtime protocol, as values.

A dialect is data, not branches scattered through the code: the path it is served on, how a key is sent, which
names its events carry and which shape its session object has. The rest of pyagent asks the dialect and never
tests ``if dialect == ...``.

URLs: the endpoint is a base URL (``http(s)://`` or ``ws(s)://``; http maps to ws, https to wss) to which the dialect
appends its path, unless the endpoint already ends with it. ``openai`` appends ``/v1/realtime`` (``/realtime`` when
the endpoint already ends in ``/v1``) with ``?model=``; ``azure-openai`` appends ``/openai/realtime`` with
``?api-version=&deployment=``; ``azure-openai-ga`` (also chosen by ``azure-openai`` with ``api_version="v1"``)
appends ``/openai/v1/realtime`` with ``?model=``; ``voicelive`` appends ``/voice-live/realtime`` with
``?api-version=&model=`` or the agent parameters. :func:`detect_dialect` picks one from the host and the path.

A credential inside the endpoint (a secret-named query parameter such as ``?api-key=``, or user information
``https://user:KEY@host``) is a credential like any other: the built :class:`WebsocketURL` lists it in ``secrets``
and hides it in ``redacted`` and its repr; user information travels as an HTTP Basic ``Authorization`` header, never
in the request line.

Two shapes of session exist on the wire. The *flat* shape (OpenAI beta, Azure OpenAI preview, Voice Live) is
pyagent's neutral form: the voice layer builds a flat mapping and the dialect turns it into what its service takes
(:meth:`Dialect.session_to_wire`); the local server reads whatever arrives back into flat form
(:meth:`Dialect.session_from_wire`). Event names are kept in their GA spelling as the canonical names.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pyagent.realtime._redaction import HIDDEN, SECRET_NAMES, redact_url
from pyagent.realtime.errors import ConfigurationError, ConfigurationTypeError

__all__ = [
    "AGENT_QUERY_PARAMS",
    "AZURE_OPENAI",
    "AZURE_OPENAI_GA",
    "DIALECTS",
    "Dialect",
    "DialectName",
    "OPENAI",
    "OPENAI_DEFAULT_ENDPOINT",
    "VOICELIVE",
    "WebsocketURL",
    "check_endpoint",
    "detect_dialect",
    "flat_session_to_nested",
    "get_dialect",
    "is_loopback_host",
    "nested_session_to_flat",
    "resolve_dialect",
]

_log = logging.getLogger("pyagent.realtime")

OPENAI_DEFAULT_ENDPOINT = "https://api.openai.com/v1"

# connect()'s keyword -> Voice Live's query parameter for an Azure AI Foundry agent.
AGENT_QUERY_PARAMS: Mapping[str, str] = {
    "agent_name": "agent-name",
    "project_name": "agent-project-name",
    "agent_version": "agent-version",
    "conversation_id": "conversation-id",
    "authentication_identity_client_id": "agent-authentication-identity-client-id",
    "foundry_resource_override": "foundry-resource-override",
}
_SCHEMES = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}

DialectName = Literal["openai", "azure-openai", "azure-openai-ga", "voicelive"]

# GA event name -> beta event name, for the server events that were renamed. ``conversation.item.done`` has no beta
# twin: beta servers send only ``conversation.item.created``.
_GA_TO_BETA_SERVER: dict[str, str] = {
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "conversation.item.added": "conversation.item.created",
}
_BETA_TO_GA_SERVER: dict[str, str] = {beta: ga for ga, beta in _GA_TO_BETA_SERVER.items()}

# Flat audio format names <-> GA format objects.
_FLAT_TO_NESTED_FORMAT: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}
_NESTED_TO_FLAT_FORMAT: dict[str, str] = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}

# Flat key -> (path inside the nested session). Keys not listed keep their name at the top level.
_FLAT_TO_NESTED_PATH: dict[str, tuple[str, ...]] = {
    "modalities": ("output_modalities",),
    "max_response_output_tokens": ("max_output_tokens",),
    "input_audio_format": ("audio", "input", "format"),
    "input_audio_transcription": ("audio", "input", "transcription"),
    "input_audio_noise_reduction": ("audio", "input", "noise_reduction"),
    "turn_detection": ("audio", "input", "turn_detection"),
    "output_audio_format": ("audio", "output", "format"),
    "voice": ("audio", "output", "voice"),
    "speed": ("audio", "output", "speed"),
}
# Flat keys the GA session does not accept at all.
_FLAT_ONLY: frozenset[str] = frozenset(
    {
        "temperature",
        "input_audio_sampling_rate",
        "input_audio_echo_cancellation",
        "avatar",
        "animation",
        "output_audio_timestamp_types",
    }
)


def flat_session_to_nested(flat: Mapping[str, Any], *, session_type: str = "realtime") -> dict[str, Any]:
    """Turn a flat (beta) session mapping into the GA nested shape, dropping keys GA does not know.

    ``modalities: ["text", "audio"]`` becomes ``output_modalities: ["audio"]`` because GA takes one output modality.
    """
    nested: dict[str, Any] = {"type": session_type}
    for key, value in flat.items():
        if key in _FLAT_ONLY:
            continue
        if key in ("input_audio_format", "output_audio_format") and isinstance(value, str):
            value = dict(_FLAT_TO_NESTED_FORMAT.get(value, {"type": value}))
        if key == "modalities" and isinstance(value, list):
            value = ["audio"] if "audio" in value else list(value)
        path = _FLAT_TO_NESTED_PATH.get(key, (key,))
        target = nested
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return nested


def nested_session_to_flat(nested: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a GA nested session mapping into the flat shape; a flat mapping comes back unchanged but for ``type``.

    ``output_modalities: ["audio"]`` becomes ``modalities: ["text", "audio"]``: GA audio output always carries a
    transcript, which is what beta's two modalities meant.
    """
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        if key == "type" or key == "audio":
            continue
        if key == "output_modalities" and isinstance(value, list):
            flat["modalities"] = ["text", "audio"] if "audio" in value else list(value)
        elif key == "max_output_tokens":
            flat["max_response_output_tokens"] = value
        else:
            flat[key] = value
    audio = nested.get("audio")
    if isinstance(audio, Mapping):
        for flat_key, path in _FLAT_TO_NESTED_PATH.items():
            if path[0] != "audio":
                continue
            section = audio.get(path[1])
            if not isinstance(section, Mapping) or path[2] not in section:
                continue
            value = section[path[2]]
            if flat_key.endswith("_audio_format") and isinstance(value, Mapping):
                flat[flat_key] = _NESTED_TO_FLAT_FORMAT.get(str(value.get("type")), str(value.get("type")))
                if flat_key == "input_audio_format" and value.get("rate") not in (None, 24000):
                    flat["input_audio_sampling_rate"] = value.get("rate")
            else:
                flat[flat_key] = value
    return flat


def check_endpoint(endpoint: object, what: str = "endpoint") -> str:
    """``endpoint`` if it is a base URL :func:`~pyagent.realtime.connect` can use, else raise saying what is.

    Accepted: ``http://``, ``https://``, ``ws://`` or ``wss://`` with a host (a name, an IPv4 address, or an IPv6
    address in brackets) and an optional port from 1 to 65535 (``http://127.0.0.1:8765``,
    ``https://my-resource.openai.azure.com``). A host and port without a scheme (``127.0.0.1:8765``) is refused with
    the URL to write instead, rather than read as a path. Port 0 is refused: it asks for a free port when listening
    (``pyagent serve --port 0``) and names no service to connect to.

    Raises:
        ConfigurationError: no scheme, a scheme other than those, no host, a malformed host (an unclosed ``[``, an
            IPv6 literal that is not one, a space) or port. The message shows the endpoint with its credentials
            hidden (RFC 3986 section 3.2 for the parts of an authority).
        ConfigurationTypeError: not a str.
    """
    if not isinstance(endpoint, str):
        raise ConfigurationTypeError(f"{what} must be a URL str, not {type(endpoint).__name__}")
    text = endpoint.strip()
    shown = redact_url(repr(endpoint))  # a key in the query or the user information never reaches a message
    scheme = text.partition(":")[0].lower() if "://" in text else ""
    if scheme not in _SCHEMES:
        if "://" in text:
            raise ConfigurationError(
                f"{what} {shown} has the scheme {scheme + '://'!r}: accepted are http://, https://, ws:// and wss://"
            )
        suggestion = redact_url(repr(f"http://{text}")) if text else "'http://127.0.0.1:8765'"
        raise ConfigurationError(
            f"{what} {shown} has no scheme: write it as a URL, for example {suggestion} "
            "(accepted: http://, https://, ws://, wss://)"
        )
    problem = _authority_problem(text)
    if problem is not None:
        raise ConfigurationError(f"{what} {shown} {problem}")
    return text


# RFC 3986 authority after the user information: a bracketed IP literal or a name, then an optional ":port".
_HOST_PORT = re.compile(r"^(?P<host>\[[^\[\]]*\]|[^\[\]:]*)(?::(?P<port>[^:]*))?$")
# What no host name holds: whitespace, controls, and the characters RFC 3986 leaves out of a reg-name.
_BAD_NAME_CHARACTERS = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}%]")


def _authority_problem(text: str) -> str | None:
    """What is wrong with the host and port of an http(s)/ws(s) URL, in words, or None.

    Never quotes urllib's own messages: they may repeat the endpoint, key included.
    """
    rest = text.split("://", 1)[1]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    match = _HOST_PORT.match(host_port)
    if match is None:
        if host_port.count("[") != host_port.count("]") or host_port.startswith("["):
            return "has a malformed host: an IPv6 address goes between [ and ], as in http://[::1]:8765"
        return "has a malformed host and port (write HOST[:PORT], an IPv6 address in brackets)"
    host, port = match.group("host"), match.group("port")
    if not host or host == "[]":
        scheme = text.partition(":")[0].lower()
        return f"has no host (write {scheme}://HOST[:PORT][/PATH])"
    if host.startswith("["):
        literal = host[1:-1].replace("%25", "%", 1)
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return "has a malformed host: what is in brackets must be an IPv6 address, as in http://[::1]:8765"
    elif _BAD_NAME_CHARACTERS.search(host):
        return 'has a malformed host: a host name holds no spaces, controls or any of "<>\\^`{|}%'
    if port:
        if not port.isascii() or not port.isdigit() or not 0 <= int(port) <= 65535:
            return "has a bad port (a number from 1 to 65535)"
        if int(port) == 0:
            return (
                "has port 0, which names no service: port 0 asks for a free port when listening only; give the port "
                "the service listens on (1 to 65535)"
            )
    try:
        urlsplit(text).port  # noqa: B018  # what urllib cannot read, connect() could not either
    except ValueError:
        return "has a malformed host and port (write HOST[:PORT], an IPv6 address in brackets)"
    return None


@dataclass(frozen=True, slots=True, repr=False)
class Dialect:
    """One dialect of the realtime protocol.

    Attributes:
        name: ``"openai"``, ``"azure-openai"`` (preview path, beta names), ``"azure-openai-ga"`` (``/openai/v1``
            path, GA names) or ``"voicelive"``.
        path: the path the service answers on, after the endpoint's own path.
        session_shape: ``"nested"`` (GA) or ``"flat"`` (beta and Voice Live).
        key_header: the header a key travels in; ``"authorization"`` means ``Authorization: Bearer KEY``.
        default_api_version: the ``api-version`` query value, or None when the dialect has none.
        model_param: the query parameter naming the model or deployment.
        event_names: canonical (GA) server event name -> this dialect's name, for the names that differ.
        pcm_rates: the PCM16 sample rates the service takes and gives on the wire. Every dialect speaks 24 kHz;
            Voice Live also 8 and 16 kHz (``input_audio_sampling_rate``, ``output_audio_format: "pcm16_16000hz"``,
            Azure AI Voice Live API reference). G.711 at 8 kHz is spoken by all.
    """

    name: DialectName
    path: str
    session_shape: Literal["nested", "flat"]
    key_header: str
    default_api_version: str | None
    model_param: str
    event_names: Mapping[str, str] = field(default_factory=dict)
    pcm_rates: tuple[int, ...] = (24000,)

    def __repr__(self) -> str:
        # One short line in logs and messages; the event-name table is data, not identity.
        return f"<Dialect {self.name}: {self.path}, {self.session_shape} sessions>"

    @property
    def full_path(self) -> str:
        """The path under a bare host: OpenAI's ``/realtime`` lives under ``/v1``."""
        return "/v1" + self.path if self.name == "openai" else self.path

    @property
    def uses_ga_names(self) -> bool:
        """True when the dialect's server events carry GA names (``response.output_audio.delta``)."""
        return not self.event_names

    def server_event_name(self, canonical: str) -> str:
        """This dialect's name for a server event given by its GA name."""
        return self.event_names.get(canonical, canonical)

    def canonical_event_name(self, wire_name: str) -> str:
        """The GA name of a server event received under either spelling."""
        return _BETA_TO_GA_SERVER.get(wire_name, wire_name)

    def auth_header(self, kind: Literal["key", "token"], secret: str) -> tuple[str, str]:
        """The header that carries a key (the dialect's key header) or a token (always ``Authorization: Bearer``)."""
        if kind == "token" or self.key_header == "authorization":
            return "Authorization", f"Bearer {secret}"
        return self.key_header, secret

    def build_url(
        self,
        endpoint: str,
        *,
        model: str | None = None,
        api_version: str | None = None,
        query: Mapping[str, Any] | None = None,
        agent: Mapping[str, str | None] | None = None,
    ) -> WebsocketURL:
        """The WebSocket URL of this dialect's realtime endpoint under ``endpoint``.

        Query parameters come in this order of precedence, last wins: the endpoint's own, the dialect's
        (``api-version``, the model or deployment, the agent parameters), then ``query`` (a ``None`` value there
        removes a parameter).

        Raises:
            ConfigurationError: the endpoint is not an http(s)/ws(s) URL with a host and a valid port (see
                :func:`check_endpoint`), or the dialect does not take what was given. The message shows the endpoint
                with its credentials hidden.
        """
        parts = urlsplit(check_endpoint(endpoint))
        scheme = _SCHEMES[parts.scheme.lower()]
        port = parts.port  # check_endpoint read it: a valid port or None
        hostname = parts.hostname or ""
        basic_auth = _userinfo(parts.netloc, endpoint)
        netloc = parts.netloc.rpartition("@")[2]
        path = _join_overlapping(parts.path.rstrip("/"), self.full_path)
        params: dict[str, str] = dict(parse_qsl(parts.query, keep_blank_values=True))
        version = api_version if api_version is not None else self.default_api_version
        if self.default_api_version is not None and version is not None:
            params["api-version"] = version
        elif api_version is not None and api_version != "v1":
            raise ConfigurationError(f"the {self.name} dialect takes no api_version (got {api_version!r})")
        if model is not None:
            params[self.model_param] = model
        agent_params = {k: v for k, v in (agent or {}).items() if v is not None}
        if agent_params:
            if self.name != "voicelive":
                raise ConfigurationError(
                    f"agent parameters ({', '.join(sorted(agent_params))}) need the voicelive dialect"
                )
            if "agent_name" not in agent_params or "project_name" not in agent_params:
                raise ConfigurationError("agent_name and project_name are both needed to reach an agent")
            for key, value in agent_params.items():
                params[AGENT_QUERY_PARAMS[key]] = value
        for key, value in (query or {}).items():
            if value is None:
                params.pop(str(key), None)
            else:
                params[str(key)] = _query_text(value)
        url = urlunsplit((scheme, netloc, path, urlencode(params), ""))
        return WebsocketURL(
            url=url,
            secure=scheme == "wss",
            host=hostname,
            path=path,
            query=params,
            port=port,
            basic_auth=basic_auth,
            loopback=is_loopback_host(hostname),
        )

    def audio_format_fields(self, encoding: str, sample_rate: int) -> dict[str, Any] | None:
        """The flat session fields that ask this dialect's service for audio in this format both ways, or None
        when it does not speak it (the caller then converts to and from PCM16 at 24 kHz).

        ``("g711_ulaw", 8000)`` -> ``{"input_audio_format": "g711_ulaw", "output_audio_format": "g711_ulaw"}`` on
        every dialect; ``("pcm16", 16000)`` on Voice Live -> ``input_audio_sampling_rate: 16000`` and
        ``output_audio_format: "pcm16_16000hz"``.
        """
        if encoding in ("g711_ulaw", "g711_alaw"):
            return {"input_audio_format": encoding, "output_audio_format": encoding} if sample_rate == 8000 else None
        if encoding != "pcm16" or sample_rate not in self.pcm_rates:
            return None
        fields: dict[str, Any] = {"input_audio_format": "pcm16", "output_audio_format": "pcm16"}
        if len(self.pcm_rates) > 1:  # the service takes other rates: name this one, so no later update changes it
            fields["input_audio_sampling_rate"] = sample_rate
            if sample_rate != 24000:
                fields["output_audio_format"] = f"pcm16_{sample_rate}hz"
        return fields

    def session_to_wire(self, flat: Mapping[str, Any], *, session_type: str = "realtime") -> dict[str, Any]:
        """The session object this dialect's ``session.update`` takes, from pyagent's flat form."""
        if self.session_shape == "nested":
            return flat_session_to_nested(flat, session_type=session_type)
        return dict(flat)

    def session_from_wire(self, session: Mapping[str, Any]) -> dict[str, Any]:
        """pyagent's flat form of a session object in either shape."""
        if "audio" in session or session.get("type") in ("realtime", "transcription"):
            return nested_session_to_flat(session)
        return {key: value for key, value in session.items() if key != "type"}


OPENAI = Dialect(
    name="openai",
    path="/realtime",
    session_shape="nested",
    key_header="authorization",
    default_api_version=None,
    model_param="model",
)
AZURE_OPENAI = Dialect(
    name="azure-openai",
    path="/openai/realtime",
    session_shape="flat",
    key_header="api-key",
    default_api_version="2025-04-01-preview",
    model_param="deployment",
    event_names=_GA_TO_BETA_SERVER,
)
AZURE_OPENAI_GA = Dialect(
    name="azure-openai-ga",
    path="/openai/v1/realtime",
    session_shape="nested",
    key_header="api-key",
    default_api_version=None,
    model_param="model",
)
VOICELIVE = Dialect(
    name="voicelive",
    path="/voice-live/realtime",
    session_shape="flat",
    key_header="api-key",
    default_api_version="2025-10-01",
    model_param="model",
    event_names=_GA_TO_BETA_SERVER,
    pcm_rates=(8000, 16000, 24000),
)

DIALECTS: Mapping[str, Dialect] = {d.name: d for d in (OPENAI, AZURE_OPENAI, AZURE_OPENAI_GA, VOICELIVE)}


@dataclass(frozen=True, slots=True, repr=False)
class WebsocketURL:
    """A built realtime URL and its parts.

    A credential the endpoint carried stays here (the connection must send it): in ``query`` under a secret name
    (``api-key``, ``key``, ``token``, ``access_token``, ``subscription-key``, ...) and in ``basic_auth`` (the
    endpoint's user information, sent as an HTTP Basic header, never in ``url``). :attr:`secrets` lists them;
    :attr:`redacted` and ``repr()`` hide them.

    Attributes:
        url: the ``ws(s)://`` URL to open, without user information.
        secure: ``wss``.
        host: the host name or address, without brackets.
        path: the request path.
        query: the query parameters, as sent.
        port: the port the endpoint named, None for the scheme's default.
        basic_auth: ``(user, password)`` from the endpoint's user information, percent-decoded, or None.
        loopback: the host is this machine (see :func:`is_loopback_host`), where plaintext exposes nothing.
    """

    url: str
    secure: bool
    host: str
    path: str
    query: Mapping[str, str]
    port: int | None = None
    basic_auth: tuple[str, str] | None = None
    loopback: bool = False

    @property
    def secrets(self) -> tuple[str, ...]:
        """The credentials this URL carries: secret-named query values and the user information's parts."""
        found = [value for name, value in self.query.items() if name.lower() in SECRET_NAMES and value]
        if self.basic_auth is not None:
            user, password = self.basic_auth
            found += [value for value in (user, password, f"{user}:{password}") if value]
        return tuple(found)

    @property
    def redacted(self) -> str:
        """The URL with every credential it carries shown as ``***`` (for logs, reprs and messages)."""
        parts = urlsplit(self.url)
        shown = {name: HIDDEN if name.lower() in SECRET_NAMES else value for name, value in self.query.items()}
        query = urlencode(shown)
        netloc = f"{HIDDEN}@{parts.netloc}" if self.basic_auth is not None else parts.netloc
        return urlunsplit((parts.scheme, netloc, parts.path, query, "")).replace("%2A%2A%2A", HIDDEN)

    def __repr__(self) -> str:
        return f"WebsocketURL({self.redacted!r}, loopback={self.loopback})"


def _userinfo(netloc: str, endpoint: str) -> tuple[str, str] | None:
    """``(user, password)`` from the user information of a netloc, percent-decoded; None when there is none.

    A user without a password gives an empty password, as HTTP clients do.

    Raises:
        ConfigurationError: the user information is not valid percent-encoded UTF-8 (the message hides it).
    """
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return None
    user, _, password = userinfo.partition(":")
    try:
        return unquote(user, errors="strict"), unquote(password, errors="strict")
    except UnicodeDecodeError:
        pass  # raised below, outside this block: the decode error quotes the secret and must not be its __context__
    raise ConfigurationError(f"the user information of endpoint {redact_url(repr(endpoint))} is not valid UTF-8")


def _join_overlapping(base: str, tail: str) -> str:
    """``base`` + ``tail`` without repeating the segments where base's end is tail's start.

    ``/openai`` + ``/openai/realtime`` is ``/openai/realtime``; ``/v1`` + ``/v1/realtime`` is ``/v1/realtime``.
    """
    tail_parts = tail.strip("/").split("/")
    base_parts = base.strip("/").split("/") if base.strip("/") else []
    for size in range(min(len(base_parts), len(tail_parts)), 0, -1):
        if base_parts[-size:] == tail_parts[:size]:
            return "/" + "/".join(base_parts + tail_parts[size:])
    return "/" + "/".join(base_parts + tail_parts)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_loopback_host(host: str, *, resolve: Callable[[str], Iterable[str]] | None = None) -> bool:
    """True when ``host`` is this machine: where plaintext ``ws://`` exposes nothing and no proxy is wanted.

    Loopback addresses (127.0.0.0/8, ``::1``) and ``localhost`` always count. A name under ``.localhost``
    (``app.localhost``) counts only when it resolves, and resolves to loopback addresses alone: RFC 6761 section 6.3
    reserves those names for loopback, but not every resolver honours it, and one that asks DNS may get any address.
    Every other name is remote, whatever it resolves to.

    Args:
        host: a host name or address (IPv6 with or without brackets).
        resolve: the addresses a name resolves to; default ``socket.getaddrinfo`` (a name that does not resolve
            gives none).
    """
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    if _is_loopback_address(host):
        return True
    if not host.endswith(".localhost"):
        return False
    addresses = list((resolve or _resolve)(host))
    return bool(addresses) and all(_is_loopback_address(address) for address in addresses)


def _is_loopback_address(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.partition("%")[0]).is_loopback  # an IPv6 scope ("%eth0") is no part of it
    except ValueError:
        return False


def _resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # does not resolve (gaierror is an OSError), or not a valid name
        return []
    return [str(info[4][0]) for info in infos]


def detect_dialect(endpoint: str, api_version: str | None = None) -> Dialect:
    """The dialect an endpoint speaks, judged from its host, then its path; ``voicelive`` when nothing tells.

    ``api.openai.com`` is OpenAI; ``*.openai.azure.com`` is Azure OpenAI (GA when the path has ``/openai/v1`` or
    ``api_version`` is ``"v1"``); ``*.services.ai.azure.com`` is Voice Live; ``*.cognitiveservices.azure.com`` serves
    both Azure OpenAI and Voice Live, so its path decides. Other hosts (a local server) are judged by their path:
    ``/voice-live`` -> voicelive, ``/openai/v1`` -> azure-openai-ga, ``/openai`` -> azure-openai, ``/v1`` -> openai.
    """
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/").lower()
    by_path = _dialect_from_path(path, api_version)
    if host == "api.openai.com" or host.endswith(".openai.com"):
        dialect, why = OPENAI, f"host {host}"
    elif host.endswith(".openai.azure.com"):
        dialect = by_path if by_path in (AZURE_OPENAI, AZURE_OPENAI_GA) else _azure_openai(api_version)
        why = f"host {host}"
    elif host.endswith(".services.ai.azure.com"):
        dialect, why = (by_path if by_path is not None else VOICELIVE), f"host {host}"
    elif by_path is not None:
        dialect, why = by_path, f"path {path!r}"
    else:
        dialect, why = VOICELIVE, "neither host nor path tells; the default"
    _log.debug("dialect auto-detected as %s (%s)", dialect.name, why)
    return dialect


def _azure_openai(api_version: str | None) -> Dialect:
    return AZURE_OPENAI_GA if api_version == "v1" else AZURE_OPENAI


def _dialect_from_path(path: str, api_version: str | None) -> Dialect | None:
    if "/voice-live" in path:
        return VOICELIVE
    if "/openai/v1" in path:
        return AZURE_OPENAI_GA
    if "/openai" in path:
        return _azure_openai(api_version)
    if path.endswith("/v1") or "/v1/realtime" in path:
        return OPENAI
    return None


def resolve_dialect(name: str | Dialect, endpoint: str, api_version: str | None = None) -> Dialect:
    """The dialect ``connect(dialect=name)`` means: a :class:`Dialect`, one of :data:`DIALECTS` or ``"auto"``.

    ``"azure-openai"`` with ``api_version="v1"`` is the GA form (``/openai/v1/realtime``).

    Raises:
        ConfigurationError: an unknown name.
    """
    if isinstance(name, Dialect):
        return name
    if name == "auto":
        return detect_dialect(endpoint, api_version)
    dialect = get_dialect(name)
    if dialect is AZURE_OPENAI and api_version == "v1":
        return AZURE_OPENAI_GA
    return dialect


def get_dialect(name: str) -> Dialect:
    """The dialect of that name.

    Raises:
        ConfigurationError: the name is not one of :data:`DIALECTS`.
    """
    try:
        return DIALECTS[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name
        raise ConfigurationError(
            f"unknown dialect {name!r}; expected auto or one of {', '.join(sorted(DIALECTS))}"
        ) from None
