"""The protocol level: the typed event codec and the realtime connection."""

from __future__ import annotations

from pyagent.realtime.errors import (
    CodecError,
    ConnectionClosed,
    ConnectionError,
    ConnectionTimeout,
    EventDecodeError,
    EventValidationError,
    HandshakeError,
    InsecureTransportError,
)

__all__ = [
    "CodecError",
    "ConnectionClosed",
    "ConnectionError",
    "ConnectionTimeout",
    "EventDecodeError",
    "EventValidationError",
    "HandshakeError",
    "InsecureTransportError",
]
