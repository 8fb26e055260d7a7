"""The one place realtime JSON is read or written: frames in, typed events out, and back.

Theory of operation: each direction has one msgspec Decoder for the tagged union of every event it models, built
once at import. A well-formed frame is decoded in a single pass in C, ``type`` found wherever it sits in the object
and base64 audio turned into ``bytes`` on the way. Only when that fails does the slow path run: the frame is decoded
again as plain JSON to tell a frame we do not model (:class:`UnknownEvent`, kept whole) from a known event that does
not fit its schema (:class:`InvalidEvent`, with msgspec's path to the fault). Neither raises, so a stream of events
goes on; only bytes that are not a JSON object raise :class:`EventDecodeError`.

Encoding a Struct is one call to a shared Encoder. A plain mapping of a known type is first checked against its
Struct (so a typo fails here, naming the field, rather than as a server ``error`` later) and then sent as given;
a mapping of a type we do not know passes through untouched, so users can send what the service adds before we do.
The codec knows nothing of sockets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from pyagent.realtime.errors import ConfigurationTypeError, EventDecodeError, EventValidationError
from pyagent.realtime.events import (
    CLIENT_EVENT_TYPES,
    SERVER_EVENT_TYPES,
    ClientEvent,
    ClientEventBase,
    InvalidEvent,
    KnownClientEvent,
    KnownServerEvent,
    ServerEvent,
    ServerEventBase,
    UnknownEvent,
)

__all__ = [
    "decode_client_event",
    "decode_server_event",
    "encode_client_event",
    "encode_server_event",
]

_SERVER_DECODER: msgspec.json.Decoder[KnownServerEvent] = msgspec.json.Decoder(KnownServerEvent)
_CLIENT_DECODER: msgspec.json.Decoder[KnownClientEvent] = msgspec.json.Decoder(KnownClientEvent)
_RAW_DECODER = msgspec.json.Decoder()
_ENCODER = msgspec.json.Encoder()

# msgspec ends a validation message with " - at `$.path`" when the fault is below the top level.
_AT_PATH = re.compile(r" - at `(\$[^`]*)`$")
_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`")


def decode_server_event(data: str | bytes) -> ServerEvent:
    """Decode one frame a server sent.

    Args:
        data: the WebSocket text frame (``str``) or its UTF-8 bytes.

    Returns:
        The typed event; :class:`UnknownEvent` for a type pyagent does not model, :class:`InvalidEvent` for a known
        type that does not fit its schema.

    Raises:
        EventDecodeError: the frame is not JSON, or not a JSON object.
    """
    try:
        return _SERVER_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:  # the slow path sorts it out
        return _fallback(data, exc, SERVER_EVENT_TYPES)


def decode_client_event(data: str | bytes) -> ClientEvent:
    """Decode one frame a client sent (what a local server reads).

    Args:
        data: the WebSocket text frame (``str``) or its UTF-8 bytes.

    Returns:
        The typed event; :class:`UnknownEvent` or :class:`InvalidEvent` as for :func:`decode_server_event`.

    Raises:
        EventDecodeError: the frame is not JSON, or not a JSON object.
    """
    try:
        return _CLIENT_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:  # the slow path sorts it out
        return _fallback(data, exc, CLIENT_EVENT_TYPES)


def encode_client_event(event: ClientEvent | Mapping[str, Any]) -> bytes:
    """Encode an event a client sends, as the UTF-8 JSON of one text frame.

    Args:
        event: a client event Struct, an :class:`UnknownEvent`/:class:`InvalidEvent` (sent back as received), or a
            plain mapping in wire form (audio may be ``bytes`` or base64 text).

    Returns:
        The JSON bytes.

    Raises:
        EventValidationError: a mapping of a known client type does not fit its schema, or a server event was given.
    """
    if isinstance(event, ClientEventBase):
        return _ENCODER.encode(event)
    return _encode_other(event, CLIENT_EVENT_TYPES, ServerEventBase, "client")


def encode_server_event(event: ServerEvent | Mapping[str, Any]) -> bytes:
    """Encode an event a server sends (what a local server writes); the mirror of :func:`encode_client_event`.

    Raises:
        EventValidationError: a mapping of a known server type does not fit its schema, or a client event was given.
    """
    if isinstance(event, ServerEventBase):
        return _ENCODER.encode(event)
    return _encode_other(event, SERVER_EVENT_TYPES, ClientEventBase, "server")


def _fallback(data: str | bytes, exc: Exception, known: Mapping[str, type[Any]]) -> UnknownEvent | InvalidEvent:
    """Tell an unmodelled event from a malformed one after the fast decode failed; raise for what is no JSON object.

    Raises:
        EventDecodeError: the frame is not JSON, or not a JSON object.
    """
    if not isinstance(exc, msgspec.ValidationError):
        raise _decode_error(data, exc) from None
    try:
        raw = _RAW_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError) as err:
        raise _decode_error(data, err) from None
    if not isinstance(raw, dict):
        raise EventDecodeError(f"frame is not a JSON object but {type(raw).__name__}", data)
    text = data if isinstance(data, str) else data.decode("utf-8")
    event_type = raw.get("type")
    if not isinstance(event_type, str):
        return InvalidEvent(type="", raw=text, error=_message(exc))
    if event_type in known:
        return InvalidEvent(type=event_type, raw=text, error=_message(exc))
    return UnknownEvent(type=event_type, raw=raw)


def _encode_other(event: object, known: Mapping[str, type[Any]], wrong: type[msgspec.Struct], direction: str) -> bytes:
    """Encode what is not a Struct of the direction: a fallback event, or a mapping (validated when its type is known).

    Raises:
        EventValidationError: a Struct of the other direction, or a mapping that does not fit or is not JSON.
        ConfigurationTypeError: neither a Struct nor a mapping (also a TypeError).
    """
    if isinstance(event, UnknownEvent):
        return _ENCODER.encode(event.raw)
    if isinstance(event, InvalidEvent):
        return event.raw.encode("utf-8")
    if isinstance(event, wrong):
        raise EventValidationError(
            f"{type(event).__name__} is not a {direction} event", str(getattr(event, "type", ""))
        )
    if not isinstance(event, Mapping):
        raise ConfigurationTypeError(f"expected a {direction} event Struct or a mapping, got {type(event).__name__}")
    if not isinstance(event, dict):
        event = dict(event)
    event_type: object = event.get("type")
    if not isinstance(event_type, str):
        raise EventValidationError("an event needs a string `type`", "", "$.type")
    cls = known.get(event_type)
    try:
        if cls is not None:
            msgspec.convert(event, cls)  # checked against its Struct, then sent as given
        return _ENCODER.encode(event)
    except msgspec.ValidationError as exc:
        path = _error_path(str(exc))
        raise EventValidationError(f"{event_type}: {_message(exc)}", event_type, path) from None
    except (TypeError, msgspec.EncodeError) as exc:
        raise EventValidationError(f"{event_type}: cannot encode as JSON: {exc}", event_type) from None
    except RecursionError:
        raise EventValidationError(f"{event_type}: nested too deeply", event_type) from None


def _decode_error(data: str | bytes, exc: Exception) -> EventDecodeError:
    if isinstance(exc, RecursionError):
        return EventDecodeError("frame is nested too deeply", data)
    return EventDecodeError(f"frame is not JSON: {exc}", data)


def _message(exc: msgspec.ValidationError) -> str:
    """msgspec's message without its backquotes: ``Expected int, got str - at $.audio_end_ms``."""
    return str(exc).replace("`", "")


def _error_path(message: str) -> str:
    """The ``$.a.b`` path a msgspec message names; for a missing field, the field's own path."""
    match = _AT_PATH.search(message)
    path = match.group(1) if match else "$"
    missing = _MISSING_FIELD.match(message)
    if missing:
        path = f"{path}.{missing.group(1)}"
    return path
