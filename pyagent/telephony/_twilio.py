"""Twilio's webhook side: the request signature and the TwiML that connects a call to the media WebSocket.

The signature (Twilio, "Webhooks security"): Twilio signs every request it makes, the WebSocket upgrade of a Media
Stream included, with ``X-Twilio-Signature``: the base64 of HMAC-SHA1, keyed by the account's auth token, over the
full URL it requested followed by each POST parameter's name and value, sorted by name. A GET request (and the
WebSocket upgrade) signs the URL alone, query string included. The hash uses the stdlib's ``hmac``; the comparison is
constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import quoteattr

__all__ = ["twilio_signature", "twiml_connect_stream", "valid_twilio_signature"]

_DEFAULT_PORTS = {"https": 443, "wss": 443, "http": 80, "ws": 80}


def _pairs(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return sorted((str(name), str(value)) for name, value in items)


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
    """The ``X-Twilio-Signature`` Twilio sends for a request to ``url`` with these POST parameters.

    Args:
        auth_token: the account's auth token (the HMAC key; never logged).
        url: the full URL Twilio requested (scheme, host, port if any, path and query string).
        params: the form parameters of a POST (none for a GET or a WebSocket upgrade).
    """
    data = url + "".join(name + value for name, value in _pairs(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _port_variants(url: str) -> list[str]:
    """The URL as given, and with its default port added or removed (Twilio may sign either, as its helper
    libraries allow)."""
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if default is None:
        return [url]
    if parts.port is None:
        other = parts._replace(netloc=f"{host}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=host)
    else:
        return [url]
    return [url, urlunsplit(other)]


def valid_twilio_signature(
    auth_token: str,
    signature: str | None,
    url: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> bool:
    """True when ``signature`` is Twilio's for this request (a missing one is not)."""
    if not signature:
        return False
    pairs = _pairs(params)
    return any(
        hmac.compare_digest(twilio_signature(auth_token, variant, pairs), signature) for variant in _port_variants(url)
    )


def twiml_connect_stream(stream_url: str, parameters: Mapping[str, str] | None = None) -> str:
    """The TwiML answering a call with a bidirectional Media Stream to ``stream_url`` (``<Connect><Stream>``).

    Args:
        stream_url: the media WebSocket (``wss://``; Twilio takes no query string there).
        parameters: ``<Parameter>`` values, given back in the stream's ``start`` (``customParameters``).
    """
    inner = "".join(
        f"<Parameter name={quoteattr(str(name))} value={quoteattr(str(value))} />"
        for name, value in (parameters or {}).items()
    )
    stream = (
        f"<Stream url={quoteattr(stream_url)}>{inner}</Stream>" if inner else f"<Stream url={quoteattr(stream_url)} />"
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Connect>{stream}</Connect></Response>'
