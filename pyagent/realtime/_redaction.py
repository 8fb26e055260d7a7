"""Keeping secrets out of log lines, reprs and error messages.

One set of secret names and one logging adapter serve the client connection, the scripted test server and the local
server: websockets logs every handshake header and every frame at DEBUG, and each of them hands it this adapter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from websockets.frames import Frame, Opcode

__all__ = ["HIDDEN", "SECRET_NAMES", "RedactingLogger", "redact", "secrets_in"]

HIDDEN = "***"
# Header and query parameter names whose values are credentials, wherever a caller puts them.
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
        "proxy-authorization",
        "sig",
        "token",
        "x-api-key",
    }
)
_DATA_OPCODES = frozenset({Opcode.TEXT, Opcode.BINARY, Opcode.CONT})
# websockets' handshake log lines: "< name: value" / "> name: value", and the request line with its query string.
_HEADER_LINE = re.compile(r"^([<>] )([A-Za-z0-9_-]+)(: )(.*)$", re.DOTALL)
_QUERY_VALUE = re.compile(
    r"([?&](?:" + "|".join(re.escape(name) for name in sorted(SECRET_NAMES)) + r")=)[^&\s]*", re.IGNORECASE
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``.

    Secrets shorter than four characters are left alone: replacing every ``a`` in a log would hide everything and
    protect nothing (such a value is no secret).
    """
    for secret in secrets:
        if len(secret) >= 4 and secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def secrets_in(pairs: Mapping[str, Any]) -> tuple[str, ...]:
    """The credentials among headers or query parameters, by name, for :func:`redact`.

    ``Authorization: Bearer T`` gives both the whole value and ``T``, so ``T`` is hidden wherever it shows up alone.
    """
    found: list[str] = []
    for name, value in pairs.items():
        if str(name).lower() in SECRET_NAMES and value is not None:
            text = str(value)
            found.append(text)
            scheme, _, rest = text.partition(" ")
            if rest and scheme.lower() in ("bearer", "basic"):
                found.append(rest)
    return tuple(found)


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger for websockets that never writes a secret.

    Data frames are logged by kind and size only: events carry secrets nobody told the logger about (an ephemeral
    key in ``session.created``, an MCP server's authorization in ``session.update``). Header lines and query values
    named as secrets are hidden by name, and the ``secrets`` given (a list the owner may extend as handshakes arrive)
    wherever they appear, for instance in a close reason that echoes a key.
    """

    def __init__(self, logger: logging.Logger, secrets: Sequence[str] = ()) -> None:
        super().__init__(logger, {})
        self._secrets = secrets

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        args = tuple(
            f"{arg.opcode.name} [{len(arg.data)} bytes]"
            if isinstance(arg, Frame) and arg.opcode in _DATA_OPCODES
            else arg
            for arg in args
        )
        text = str(msg) % args if args else str(msg)
        header = _HEADER_LINE.match(text)
        if header and header.group(2).lower() in SECRET_NAMES:
            text = f"{header.group(1)}{header.group(2)}{header.group(3)}{HIDDEN}"
        text = _QUERY_VALUE.sub(r"\1" + HIDDEN, text)
        self.logger.log(level, "%s", redact(text, self._secrets), **kwargs)
