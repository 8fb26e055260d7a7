"""Keeping secrets out of log lines, reprs, error messages and the events a connection hands out.

One set of secret names (:data:`SECRET_NAMES` for headers and query parameters alike, :data:`SECRET_EVENT_FIELDS` for
fields inside events) and one logging adapter serve the client connection, the scripted test server and the local
server: websockets logs every handshake header and every frame at DEBUG, and each of them hands it this adapter.

A secret shows up in more forms than its own spelling: URL-quoted in a query string, base64-encoded in an HTTP Basic
header, JSON-escaped in an event. :func:`secret_forms` lists them, and whatever hides a secret hides all its forms.
Credentials carried inside a URL (``?api-key=K``, ``https://user:K@host``) are also hidden by name and position with
:func:`redact_url`, which works on any text, a malformed endpoint included.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "HIDDEN",
    "SECRET_EVENT_FIELDS",
    "SECRET_NAMES",
    "RedactingLogger",
    "frame_forms",
    "redact",
    "redact_frame",
    "redact_url",
    "secret_forms",
    "secrets_in",
]

HIDDEN = "***"
# Header and query parameter names whose values are credentials, wherever a caller puts them (matched without regard
# to case). ``api-key`` is Azure OpenAI's and Voice Live's key header, ``Ocp-Apim-Subscription-Key`` and
# ``subscription-key`` Azure AI services' (Azure API Management's) key header and query parameter.
SECRET_NAMES = frozenset(
    {
        "access_token",
        "api-key",
        "api_key",
        "apikey",
        "authorization",
        "client_secret",
        "cookie",
        "key",
        "ocp-apim-subscription-key",
        "proxy-authorization",
        "sig",
        "subscription-key",
        "subscription_key",
        "token",
        "x-api-key",
    }
)
# Fields of events whose values are credentials wherever they appear (an MCP tool's ``authorization`` and ``headers``,
# an avatar ICE server's ``credential``, a ``client_secret``...): hidden from recordings. ``headers`` maps names to
# values that may be keys.
SECRET_EVENT_FIELDS = frozenset(
    {"authorization", "api_key", "api-key", "client_secret", "credential", "password", "access_token", "headers"}
)
_MIN_SECRET = 4  # shorter values are left alone: hiding every "a" in a log would hide everything and protect nothing
# websockets' data frame opcodes by name: this module is loaded without websockets (see _transport).
_DATA_OPCODES = frozenset({"TEXT", "BINARY", "CONT"})
# websockets' handshake log lines: "< name: value" / "> name: value", and the request line with its query string.
_HEADER_LINE = re.compile(r"^([<>] )([A-Za-z0-9_-]+)(: )(.*)$", re.DOTALL)
_QUERY_VALUE = re.compile(
    r"([?&](?:" + "|".join(re.escape(name) for name in sorted(SECRET_NAMES)) + r")=)[^&#\s'\"]*", re.IGNORECASE
)
# The user information of a URL in any text: "scheme://user:password@", up to the host. A "/" is allowed in it: a
# password with an unquoted "/" makes a malformed endpoint, and that endpoint is then quoted in an error message.
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^?#\s'\"]*@")


def secret_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """Every form in which ``secrets`` may appear in text, longest first, without duplicates.

    Each secret itself, URL-quoted (``%2F`` and ``+`` spellings), base64 (standard and URL-safe, padded or not) and
    JSON-escaped. Secrets shorter than four characters are left out (see :func:`redact`).
    """
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) < _MIN_SECRET:
            continue
        encoded = secret.encode("utf-8")
        forms.update(
            {
                secret,
                quote(secret, safe=""),
                quote_plus(secret, safe=""),
                json.dumps(secret)[1:-1],
                base64.b64encode(encoded).decode("ascii"),
                base64.urlsafe_b64encode(encoded).decode("ascii"),
                base64.b64encode(encoded).decode("ascii").rstrip("="),
                base64.urlsafe_b64encode(encoded).decode("ascii").rstrip("="),
            }
        )
    return tuple(sorted((form for form in forms if len(form) >= _MIN_SECRET), key=lambda form: (-len(form), form)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``.

    Secrets shorter than four characters are left alone: replacing every ``a`` in a log would hide everything and
    protect nothing (such a value is no secret). Give the output of :func:`secret_forms` to hide the other forms too.
    """
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SECRET and secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def redact_url(text: str) -> str:
    """``text`` with the credentials URLs in it carry hidden: user information and secret-named query values.

    ``https://user:KEY@host/?api-key=KEY&model=m`` becomes ``https://***@host/?api-key=***&model=m``. Works on any
    text (a log line, a malformed endpoint in an error message), not only on well-formed URLs.
    """
    text = _USERINFO.sub(r"\1" + HIDDEN + "@", text)
    return _QUERY_VALUE.sub(r"\1" + HIDDEN, text)


def redact_frame(frame: bytes, forms: Sequence[bytes]) -> bytes:
    """A received frame with every secret form replaced by ``***``; the frame itself when none is in it.

    The forms are :func:`frame_forms`. A JSON frame stays valid JSON: the forms hold no quote or backslash (their
    JSON-escaped form is among them). The base64 audio of an audio delta, nine tenths of what a session receives, is
    not searched: it is decoded to audio bytes, never shown as text, and a key is no audio.
    """
    start, end = _audio_payload(frame)
    for form in forms:
        if frame.find(form, 0, start) != -1 or frame.find(form, end) != -1:
            frame = frame.replace(form, _HIDDEN_BYTES)
    return frame


_HIDDEN_BYTES = HIDDEN.encode("ascii")
_DELTA_KEY = b'"delta":"'
_AUDIO_DELTA_TYPES = (b'"type":"response.output_audio.delta"', b'"type":"response.audio.delta"')


def _audio_payload(frame: bytes) -> tuple[int, int]:
    """Where the base64 audio of an audio delta lies in a frame, ``(start, end)``; ``(len, len)`` for other frames."""
    key = frame.find(_DELTA_KEY)
    if key != -1:
        start = key + len(_DELTA_KEY)
        end = frame.find(b'"', start)  # base64 holds no quote: the string's end
        if end != -1 and any(
            frame.find(kind, 0, key) != -1 or frame.find(kind, end) != -1 for kind in _AUDIO_DELTA_TYPES
        ):
            return key, end
    return len(frame), len(frame)


def frame_forms(forms: Iterable[str]) -> tuple[bytes, ...]:
    """The :func:`secret_forms` to look for in received frames: UTF-8, without quote or backslash, and without a
    form that holds a shorter one (a padded base64 holds its unpadded self: hiding the shorter hides both)."""
    encoded = [form.encode("utf-8") for form in forms if '"' not in form and "\\" not in form]
    return tuple(form for form in encoded if not any(other != form and other in form for other in encoded))


def secrets_in(pairs: Mapping[str, Any]) -> tuple[str, ...]:
    """The credentials among headers or query parameters, by name, for :func:`redact`.

    ``Authorization: Bearer T`` gives both the whole value and ``T``, so ``T`` is hidden wherever it shows up alone;
    ``Authorization: Basic B`` gives ``B`` and the ``user:password`` it encodes, and the password alone.
    """
    found: list[str] = []
    for name, value in pairs.items():
        if str(name).lower() in SECRET_NAMES and value is not None:
            text = str(value)
            found.append(text)
            scheme, _, rest = text.partition(" ")
            rest = rest.strip()
            if rest and scheme.lower() in ("bearer", "basic"):
                found.append(rest)
            if rest and scheme.lower() == "basic":
                found.extend(_basic_parts(rest))
    return tuple(found)


def _basic_parts(encoded: str) -> list[str]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except ValueError:  # not base64 or not UTF-8: the value itself is hidden already
        return []
    user, _, password = decoded.partition(":")
    return [decoded, user, password]


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger for websockets that never writes a secret.

    Data frames are logged by kind and size only: events carry secrets nobody told the logger about (an ephemeral
    key in ``session.created``, an MCP server's authorization in ``session.update``). Header lines and query values
    named as secrets are hidden by name, user information in URLs by position, and the ``secrets`` given (a list the
    owner may extend as handshakes arrive) wherever they appear, for instance in a close reason that echoes a key.
    """

    def __init__(self, logger: logging.Logger, secrets: Sequence[str] = ()) -> None:
        super().__init__(logger, {})
        self._secrets = secrets

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        from websockets.frames import Frame  # loaded already: only websockets logs through this adapter

        args = tuple(
            f"{arg.opcode.name} [{len(arg.data)} bytes]"
            if isinstance(arg, Frame) and arg.opcode.name in _DATA_OPCODES
            else arg
            for arg in args
        )
        text = str(msg) % args if args else str(msg)
        header = _HEADER_LINE.match(text)
        if header and header.group(2).lower() in SECRET_NAMES:
            text = f"{header.group(1)}{header.group(2)}{header.group(3)}{HIDDEN}"
        self.logger.log(level, "%s", redact(redact_url(text), self._secrets), **kwargs)
