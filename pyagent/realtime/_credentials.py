"""Credentials: keys and tokens, duck-typed so azure-core and azure-identity objects work without importing them.

A secret is held in :class:`Secret`, whose repr never shows it; everything that logs, formats an error or builds a
repr goes through ``pyagent.realtime._redaction.redact`` with the secrets of the connection in hand.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pyagent.realtime._redaction import HIDDEN as _HIDDEN
from pyagent.realtime.errors import ConfigurationTypeError

__all__ = [
    "DEFAULT_CREDENTIAL_SCOPES",
    "AccessToken",
    "CredentialLike",
    "KeyCredential",
    "Secret",
    "TokenCredential",
    "check_credential",
    "check_scopes",
    "resolve_credential",
]

DEFAULT_CREDENTIAL_SCOPES: tuple[str, ...] = ("https://ai.azure.com/.default",)


class Secret:
    """A key or token whose repr and str never show it; ``.value`` does, on purpose only."""

    __slots__ = ("_value", "kind")

    def __init__(self, value: str, kind: Literal["key", "token"]) -> None:
        if not isinstance(value, str) or not value:
            raise ConfigurationTypeError(f"a {kind} must be a non-empty str")
        self._value = value
        self.kind = kind

    @property
    def value(self) -> str:
        """The secret itself, for the one header that carries it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret(kind={self.kind!r}, value={_HIDDEN!r})"

    __str__ = __repr__


class KeyCredential:
    """An API key (``azure.core.credentials.AzureKeyCredential``'s counterpart): sent in the dialect's key header.

    Args:
        key: the key; ``repr()`` hides it.
    """

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        if not isinstance(key, str) or not key:
            raise ConfigurationTypeError("key must be a non-empty str")
        self._key = key

    @property
    def key(self) -> str:
        """The key."""
        return self._key

    def update(self, key: str) -> None:
        """Replace the key (a rotated key); the next connection uses it."""
        if not isinstance(key, str) or not key:
            raise ConfigurationTypeError("key must be a non-empty str")
        self._key = key

    def __repr__(self) -> str:
        return f"KeyCredential(key={_HIDDEN!r})"


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token with its expiry (seconds since the epoch, 0 when unknown); the repr hides the token."""

    token: str
    expires_on: int = 0

    def __repr__(self) -> str:
        return f"AccessToken(token={_HIDDEN!r}, expires_on={self.expires_on})"


class TokenCredential:
    """A bearer token obtained elsewhere (an Entra ID token, an OpenAI ephemeral client secret).

    It answers ``get_token(*scopes)`` like azure-identity's credentials, so it goes wherever they go.

    Args:
        token: the token; ``repr()`` hides it.
        expires_on: its expiry in seconds since the epoch, 0 when unknown.
    """

    __slots__ = ("_token",)

    def __init__(self, token: str, *, expires_on: int = 0) -> None:
        if not isinstance(token, str) or not token:
            raise ConfigurationTypeError("token must be a non-empty str")
        self._token = AccessToken(token, expires_on)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The token, whatever the scopes (it was issued for them already)."""
        return self._token

    def __repr__(self) -> str:
        return f"TokenCredential(token={_HIDDEN!r}, expires_on={self._token.expires_on})"


@runtime_checkable
class _HasKey(Protocol):
    @property
    def key(self) -> str: ...


@runtime_checkable
class _HasGetToken(Protocol):
    def get_token(self, *scopes: str) -> Any: ...


CredentialLike = str | KeyCredential | TokenCredential | _HasKey | _HasGetToken | Callable[[], Any]
"""What ``connect(credential=...)`` takes: a key, an object with ``.key``, an object with ``get_token(*scopes)``
(sync or async) or a callable returning a token or an object with ``.token`` (sync or async)."""


def _token_text(result: Any, origin: str) -> str:
    token = getattr(result, "token", result)
    if not isinstance(token, str) or not token:
        raise ConfigurationTypeError(f"{origin} must give a non-empty str token or an object with a .token str")
    return token


async def _await_if_needed(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


_KINDS = "a key str, an object with .key, an object with get_token(*scopes) or a callable returning a token"


def check_credential(credential: object) -> None:
    """Raise unless ``credential`` is of a kind :func:`resolve_credential` takes; nothing is asked of it yet.

    ``connect()`` calls it, so a wrong credential fails at the call, not once the first connection is attempted.

    Raises:
        ConfigurationTypeError: the credential is none of the accepted kinds, or an empty key.
    """
    if credential is None or callable(getattr(credential, "get_token", None)) or hasattr(credential, "key"):
        return
    if isinstance(credential, str):
        if not credential:
            raise ConfigurationTypeError("credential is an empty str; give the key itself, or None for no key")
        return
    if isinstance(credential, bytes | bytearray):
        raise ConfigurationTypeError("credential must be a str key, not bytes")
    if not callable(credential):
        raise ConfigurationTypeError(f"credential must be {_KINDS}, not {type(credential).__name__}")


def check_scopes(scopes: object) -> None:
    """Raise unless ``scopes`` is what :func:`resolve_credential` takes: None, one str, or a sequence of str.

    Raises:
        ConfigurationTypeError: anything else (bytes would be asked for as numbers, a number fails only later).
    """
    if scopes is None or isinstance(scopes, str):
        return
    if (
        isinstance(scopes, Sequence)
        and not isinstance(scopes, bytes | bytearray)
        and all(isinstance(scope, str) for scope in scopes)
    ):
        return
    raise ConfigurationTypeError(f"credential_scopes must be a str or a sequence of str, not {scopes!r}")


async def resolve_credential(credential: object, scopes: Sequence[str] | str | None) -> Secret | None:
    """The secret a credential stands for, asking a token credential once with ``scopes``.

    Args:
        credential: see :data:`CredentialLike`; ``None`` means no authentication (a local server).
        scopes: the token scopes (one str or several); default ``https://ai.azure.com/.default``.

    Raises:
        ConfigurationTypeError: the credential is none of the accepted kinds or gives no token.
    """
    if credential is None:
        return None
    if isinstance(credential, str):
        return Secret(credential, "key")
    if isinstance(credential, (bytes, bytearray)):
        raise ConfigurationTypeError("credential must be a str key, not bytes")
    if hasattr(credential, "key") and not hasattr(credential, "get_token"):
        key = getattr(credential, "key")  # noqa: B009 - a duck-typed AzureKeyCredential
        if not isinstance(key, str) or not key:
            raise ConfigurationTypeError("credential.key must be a non-empty str")
        return Secret(key, "key")
    get_token = getattr(credential, "get_token", None)
    if callable(get_token):
        if scopes is None:
            wanted = DEFAULT_CREDENTIAL_SCOPES
        else:
            wanted = (scopes,) if isinstance(scopes, str) else tuple(scopes)
        result = await _await_if_needed(get_token(*wanted))
        return Secret(_token_text(result, "credential.get_token()"), "token")
    if callable(credential):
        result = await _await_if_needed(credential())
        return Secret(_token_text(result, "the credential callable"), "token")
    raise ConfigurationTypeError(f"credential must be {_KINDS}, not {type(credential).__name__}")
