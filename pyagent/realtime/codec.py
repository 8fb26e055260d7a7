"""The one place realtime JSON is read or written: frames in, typed events out, and back.

Theory of operation: each direction has one msgspec Decoder for the tagged union of every event it models, built at
its first use (building one reads the annotations of every Struct, most of what importing the codec would cost; a
program that only sends, or only serves, never pays for the other). A well-formed frame is decoded in a single pass
in C, ``type`` found wherever it sits in the object and base64 audio turned into ``bytes`` on the way. The Structs
refuse fields they do not model, so that pass also fails for a frame that carries something new. Only then does the
slow path run: the frame is decoded again as plain JSON, a frame of a type we do not model becomes an
:class:`UnknownEvent` (kept whole), and a known type is typed from a copy with the new parts set aside, which go
back on the typed objects afterwards: an unknown field into the ``extra_fields`` of the object that carried it, an
unknown union variant (a new item type, content part, turn detection, ...) as an ``Unknown...`` part holding its
mapping. A known event that still does not fit its schema is an :class:`InvalidEvent`, with msgspec's path to the
fault. Neither raises, so a stream of events goes on; only data that is not a JSON object raises
:class:`EventDecodeError`.

Encoding a Struct is one call to a shared Encoder, after a check that costs little for the flat events that carry
audio: a ``float`` field holding NaN, infinity or a ``Decimal`` (which msgspec would send as ``null`` or a string) is
refused, so is a field holding what its type does not allow (``None`` in a required field, a number where a string
goes: msgspec's constructors do not check, and the service would answer with an ``error`` event later), and a tree
carrying unknown fields is written through :func:`~pyagent.realtime.events.WireFields.as_dict` so they go out too. A
plain mapping of a known type is first checked against its Struct (so a typo fails here, naming the field, rather than
as a server ``error`` later) and then sent as given; a mapping of a type we do not know passes through untouched, so
users can send what the service adds before we do. The codec knows nothing of sockets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

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
from pyagent.realtime.events._base import to_wire
from pyagent.realtime.events._shapes import (
    Fix,
    StructShape,
    apply_fixes,
    check_fields,
    check_struct,
    prepare,
    struct_shape,
)

__all__ = [
    "decode_client_event",
    "decode_server_event",
    "encode_client_event",
    "encode_server_event",
]

Frame = str | bytes | bytearray | memoryview
"""A WebSocket frame: text (``str``) or its UTF-8 bytes in any buffer."""

_RAW_DECODER = msgspec.json.Decoder()
_ENCODER = msgspec.json.Encoder()

# msgspec ends a validation message with " - at `$.path`" when the fault is below the top level.
_AT_PATH = re.compile(r" - at `(\$[^`]*)`$")
_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`")


class _LazyDecoder:
    """Stands in a module global for a Decoder until the first frame: then builds it, puts it in its own place (the
    hot path reads the global and calls ``decode``, as before) and decodes."""

    __slots__ = ("_name", "_union")

    def __init__(self, name: str, union: Any) -> None:
        self._name = name
        self._union = union

    def decode(self, data: Frame) -> Any:
        decoder = msgspec.json.Decoder(self._union)
        globals()[self._name] = decoder
        return decoder.decode(data)


_SERVER_DECODER: msgspec.json.Decoder[KnownServerEvent] | _LazyDecoder = _LazyDecoder(
    "_SERVER_DECODER", KnownServerEvent
)
_CLIENT_DECODER: msgspec.json.Decoder[KnownClientEvent] | _LazyDecoder = _LazyDecoder(
    "_CLIENT_DECODER", KnownClientEvent
)


class _FlatEvents(dict[type, StructShape | None]):
    """Event class -> its shape when it has neither nested objects nor numbers (the audio appends and deltas among
    them), else None: nothing to check before encoding such an event but its fields' kinds and whether it carries
    unknown fields. Each class is looked at once, when first encoded (a shape reads the Struct's annotations)."""

    def __missing__(self, cls: type) -> StructShape | None:
        shape = struct_shape(cls)
        flat = self[cls] = shape if not shape.nested and not shape.floats else None
        return flat


_FLAT_EVENTS = _FlatEvents()
# What encoding a Struct can raise for a value JSON cannot hold (a lone surrogate, a type msgspec does not know).
_ENCODE_ERRORS = (TypeError, msgspec.EncodeError, UnicodeEncodeError, RecursionError, OverflowError)


def decode_server_event(data: Frame) -> ServerEvent:
    """Decode one frame a server sent.

    Args:
        data: the WebSocket text frame (``str``) or its UTF-8 bytes (``bytes``, ``bytearray`` or ``memoryview``).

    Returns:
        The typed event, with any field pyagent does not model in the ``extra_fields`` of the object that carried it
        and any union variant it does not model as an ``Unknown...`` part (``UnknownItem``, ...);
        :class:`UnknownEvent` for a type pyagent does not model; :class:`InvalidEvent` for a known type that does not
        fit its schema (``null`` is accepted wherever a field is optional).

    Raises:
        EventDecodeError: the frame is not JSON, not a JSON object, or JSON that Python cannot hold as msgspec reads
            it: text with a lone surrogate (a ``str`` holding one, or an escaped ``"\\ud800"``), a number beyond the
            float range (``1e999``), an integer of more than 4,300 digits, nesting deeper than the recursion limit.
    """
    try:
        return _SERVER_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError, UnicodeEncodeError) as exc:  # the slow path sorts it out
        return cast("ServerEvent", _fallback(data, exc, SERVER_EVENT_TYPES))


def decode_client_event(data: Frame) -> ClientEvent:
    """Decode one frame a client sent (what a local server reads); the mirror of :func:`decode_server_event`.

    Args:
        data: the WebSocket text frame (``str``) or its UTF-8 bytes (``bytes``, ``bytearray`` or ``memoryview``).

    Returns:
        The typed event; :class:`UnknownEvent` or :class:`InvalidEvent` as for :func:`decode_server_event`.

    Raises:
        EventDecodeError: as for :func:`decode_server_event`.
    """
    try:
        return _CLIENT_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError, UnicodeEncodeError) as exc:  # the slow path sorts it out
        return cast("ClientEvent", _fallback(data, exc, CLIENT_EVENT_TYPES))


def encode_client_event(event: ClientEvent | Mapping[str, Any]) -> bytes:
    """Encode an event a client sends, as the UTF-8 JSON of one text frame.

    Args:
        event: a client event Struct (its unknown fields and ``Unknown...`` parts included), an
            :class:`UnknownEvent`/:class:`InvalidEvent` (sent back as received), or a plain mapping in wire form
            (audio may be ``bytes`` or base64 text).

    Returns:
        The JSON bytes.

    Raises:
        EventValidationError: a mapping of a known client type does not fit its schema; a Struct's field holds what
            its type does not allow (``None`` in a required field, a ``str`` where an ``int`` goes); a ``float`` field
            holds NaN, infinity or a ``Decimal``; a string holds a lone surrogate or a value is of a type JSON cannot
            hold; or a server event was given.
        TypeError: neither a Struct nor a mapping.
    """
    if isinstance(event, ClientEventBase):
        return _encode_struct(event)
    return _encode_other(event, CLIENT_EVENT_TYPES, ServerEventBase, "client")


def encode_server_event(event: ServerEvent | Mapping[str, Any]) -> bytes:
    """Encode an event a server sends (what a local server writes); the mirror of :func:`encode_client_event`.

    Raises:
        EventValidationError: as for :func:`encode_client_event`, or a client event was given.
        TypeError: neither a Struct nor a mapping.
    """
    if isinstance(event, ServerEventBase):
        return _encode_struct(event)
    return _encode_other(event, SERVER_EVENT_TYPES, ClientEventBase, "server")


def _encode_struct(event: ClientEventBase | ServerEventBase) -> bytes:
    """One Encoder call, or the wire form when some object of the tree carries unknown fields.

    Raises:
        EventValidationError: a number, a string or a value JSON cannot carry.
    """
    try:
        flat = _FLAT_EVENTS[type(event)]
        if flat is not None and not event._extra:
            check_fields(event, flat)
            return _ENCODER.encode(event)
        if check_struct(event):
            return _ENCODER.encode(to_wire(event))
        return _ENCODER.encode(event)
    except EventValidationError as exc:
        raise EventValidationError(f"{event.type}: {exc}", event.type, exc.path) from None
    except _ENCODE_ERRORS as exc:
        raise EventValidationError(f"{event.type}: cannot encode as JSON: {_why(exc)}", event.type) from None


def _fallback(data: Frame, exc: Exception, known: Mapping[str, type[Any]]) -> Any:
    """Type a frame the single-pass decode refused: keep what it does not model, or tell an unmodelled event
    (:class:`UnknownEvent`) from a malformed one (:class:`InvalidEvent`).

    Raises:
        EventDecodeError: the frame is not JSON, or not a JSON object.
    """
    if not isinstance(exc, msgspec.ValidationError):
        raise _decode_error(data, exc) from None
    try:
        raw = _RAW_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError, UnicodeEncodeError) as err:
        raise _decode_error(data, err) from None
    if not isinstance(raw, dict):
        raise EventDecodeError(f"frame is not a JSON object but {type(raw).__name__}", data)
    event_type = raw.get("type")
    if not isinstance(event_type, str):
        return InvalidEvent(type="", raw=_text(data), error=_message(exc))
    cls = known.get(event_type)
    if cls is None:
        return UnknownEvent(type=event_type, raw=raw)
    fixes: list[Fix] = []
    try:
        typed = msgspec.convert(prepare(raw, cls, fixes), cls)
    except msgspec.ValidationError as err:
        return InvalidEvent(type=event_type, raw=_text(data), error=_message(err))
    except RecursionError:
        raise EventDecodeError("frame is nested too deeply", data) from None
    return apply_fixes(typed, fixes)


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
        wire = cls is not None and _check_mapping(event, cls)  # checked against its Struct, then sent as given
        return _ENCODER.encode(to_wire(event) if wire else event)
    except EventValidationError as exc:
        raise EventValidationError(f"{event_type}: {exc}", event_type, exc.path) from None
    except msgspec.ValidationError as exc:
        path = _error_path(str(exc))
        raise EventValidationError(f"{event_type}: {_message(exc)}", event_type, path) from None
    except RecursionError:
        raise EventValidationError(f"{event_type}: nested too deeply", event_type) from None
    except _ENCODE_ERRORS as exc:
        raise EventValidationError(f"{event_type}: cannot encode as JSON: {_why(exc)}", event_type) from None


def _check_mapping(event: dict[str, Any], cls: type[msgspec.Struct]) -> bool:
    """Check a mapping to send against its Struct; tell whether a Struct inside it carries unknown fields.

    Raises:
        msgspec.ValidationError: it does not fit (a field it does not model is no fault).
        EventValidationError: a ``float`` field holds NaN, infinity or a ``Decimal``.
    """
    if (
        _FLAT_EVENTS[cls] is not None
    ):  # no numbers and no nested objects: one pass in C settles it, unless a field is new
        try:
            msgspec.convert(event, cls)
            return False
        except msgspec.ValidationError:
            pass
    fixes: list[Fix] = []
    msgspec.convert(prepare(event, cls, fixes, numbers=True), cls)
    return any(fix.wire for fix in fixes)


def _text(data: Frame) -> str:
    """The frame as text (the ``raw`` of an :class:`InvalidEvent`); the bytes were valid UTF-8 for msgspec."""
    return data if isinstance(data, str) else bytes(data).decode("utf-8", errors="replace")


def _decode_error(data: Frame, exc: Exception) -> EventDecodeError:
    if isinstance(exc, RecursionError):
        return EventDecodeError("frame is nested too deeply", data)
    if isinstance(exc, UnicodeEncodeError):
        return EventDecodeError("frame text holds a lone surrogate, which is not Unicode JSON can carry", data)
    return EventDecodeError(f"frame is not JSON: {exc}", data)


def _why(exc: BaseException) -> str:
    if isinstance(exc, UnicodeEncodeError):
        return "a string holds a lone surrogate"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


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
