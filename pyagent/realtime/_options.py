"""Transport options of a realtime connection, mapped onto the websockets library.

The field names are the ones ``azure.ai.voicelive.aio.WebsocketConnectionOptions`` uses, so code written for that SDK
passes its options (a dataclass here, a plain mapping there) unchanged; unlike that SDK every field takes effect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyagent.realtime.errors import ConfigurationError, ConfigurationTypeError

__all__ = ["DEFAULT_MAX_APPEND_BYTES", "DEFAULT_MAX_MSG_SIZE", "WebsocketConnectionOptions", "coerce_options"]

DEFAULT_MAX_MSG_SIZE = 4 * 1024 * 1024
# Raw audio per ``input_audio_buffer.append``: base64 grows it by 4/3, so 2 MiB stays under the 4 MiB frame limit
# services apply and well under the 15 MiB OpenAI documents for one event.
DEFAULT_MAX_APPEND_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class WebsocketConnectionOptions:
    """How the WebSocket transport behaves; every field is honoured.

    Attributes:
        compression: per-message deflate. ``None``/``False`` (default): off, because base64 audio hardly compresses and
            deflate costs CPU on every frame; ``True``: on with default windows; an ``int`` 9..15: on, with that
            ``client_max_window_bits`` (a smaller window costs less memory per connection).
        max_msg_size: the largest incoming message in bytes (default 4 MiB); a larger one closes the connection with
            1009. ``None`` lifts the limit.
        heartbeat: seconds between keep-alive pings (default 30); a pong missing for as long closes the connection as
            1006 with :class:`~pyagent.realtime.errors.KeepaliveTimeout`. ``None`` sends no pings.
        autoclose: answer the server's close frame at once (default ``True``, what RFC 6455 asks). Either way the
            events received before it are delivered first, then the server's code and reason. ``False`` holds the
            answer back until :meth:`RealtimeConnection.close` is called (the server may drop the TCP connection
            after its own close timeout); it costs one extra task per ``recv()``.
        autoping: answer the server's pings with pongs (default ``True``). ``False`` leaves them unanswered, which
            lets a test see how a server treats a silent client.
        receive_timeout: the longest :meth:`RealtimeConnection.recv` waits for one event (default ``None``: no limit);
            exceeding it raises :class:`~pyagent.realtime.errors.ConnectionTimeout` and keeps the connection open.
        close_timeout: the longest the closing handshake may take before the TCP connection is dropped (default 10 s).
        handshake_timeout: the longest opening (DNS, TCP, TLS and the upgrade) may take (default 10 s); exceeding it
            raises :class:`~pyagent.realtime.errors.ConnectionTimeout`.
        max_queue: incoming messages buffered before reading from the socket pauses (default 16): the backpressure
            that keeps a slow consumer's memory bounded.
        max_append_bytes: the most raw audio one ``input_audio_buffer.append`` carries; larger audio is split into
            several events (default 2 MiB).
        vendor_options: keyword arguments passed as they are to ``websockets.asyncio.client.connect`` (for example
            ``ssl``, ``proxy``, ``write_limit``); they win over the mapped fields.
    """

    compression: bool | int | None = None
    max_msg_size: int | None = DEFAULT_MAX_MSG_SIZE
    heartbeat: float | None = 30.0
    autoclose: bool = True
    autoping: bool = True
    receive_timeout: float | None = None
    close_timeout: float | None = 10.0
    handshake_timeout: float | None = 10.0
    max_queue: int | None = 16
    max_append_bytes: int = DEFAULT_MAX_APPEND_BYTES
    vendor_options: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        """Check every field, so a bad option fails here rather than inside websockets once a socket is open.

        Raises:
            ConfigurationError: a value out of range (compression window, a timeout that is not above 0, ...).
            ConfigurationTypeError: a value of the wrong kind.
        """
        compression = self.compression
        if (
            compression is not None
            and not isinstance(compression, bool)
            and not (isinstance(compression, int) and 9 <= compression <= 15)
        ):
            raise ConfigurationError(f"compression must be a bool, None or window bits 9..15, not {compression!r}")
        for name in ("autoclose", "autoping"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationTypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if not _is_int(self.max_append_bytes):
            raise ConfigurationTypeError(f"max_append_bytes must be an int, not {self.max_append_bytes!r}")
        if self.max_append_bytes < 2:
            raise ConfigurationError("max_append_bytes must be at least one PCM16 sample (2 bytes)")
        for name in ("max_msg_size", "max_queue"):
            value = getattr(self, name)
            if value is not None and not _is_int(value):
                raise ConfigurationTypeError(f"{name} must be an int or None, not {value!r}")
            if value is not None and value <= 0:
                raise ConfigurationError(f"{name} must be positive or None, not {value!r}")
        for name in ("heartbeat", "receive_timeout", "close_timeout", "handshake_timeout"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationTypeError(f"{name} must be a number of seconds or None, not {value!r}")
            if not value > 0:  # NaN too
                raise ConfigurationError(f"{name} must be positive seconds or None, not {value!r}")
        if self.vendor_options is not None and not isinstance(self.vendor_options, Mapping):
            raise ConfigurationTypeError(
                f"vendor_options must be a mapping of keyword arguments, not {type(self.vendor_options).__name__}"
            )

    def websockets_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``websockets.asyncio.client.connect`` these options stand for."""
        # Imported here, at connect: websockets is not loaded by importing pyagent.realtime (see _transport).
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

        kwargs: dict[str, Any] = {
            "max_size": self.max_msg_size,
            "ping_interval": self.heartbeat,
            "ping_timeout": self.heartbeat,
            "close_timeout": self.close_timeout,
            "open_timeout": self.handshake_timeout,
            "max_queue": self.max_queue,
            "compression": None,
        }
        if self.compression is True:
            kwargs["extensions"] = [ClientPerMessageDeflateFactory()]
        elif self.compression is not None and self.compression is not False:
            kwargs["extensions"] = [ClientPerMessageDeflateFactory(client_max_window_bits=int(self.compression))]
        if self.vendor_options:
            kwargs.update(self.vendor_options)
        return kwargs


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_FIELDS = frozenset(field.name for field in dataclasses.fields(WebsocketConnectionOptions))


def coerce_options(options: WebsocketConnectionOptions | Mapping[str, Any] | None) -> WebsocketConnectionOptions:
    """Options from the dataclass, a mapping (the Azure SDK's TypedDict form) or ``None`` (the defaults).

    Raises:
        ConfigurationTypeError: not one of those, or a mapping names a field that does not exist (the Azure SDK ignores
            it silently).
        ConfigurationError: a field's value out of range.
    """
    if options is None:
        return WebsocketConnectionOptions()
    if isinstance(options, WebsocketConnectionOptions):
        return options
    if isinstance(options, Mapping):
        unknown = sorted(str(key) for key in options if key not in _FIELDS)
        if unknown:
            raise ConfigurationTypeError(
                f"unknown connection option(s): {', '.join(unknown)}; expected some of {sorted(_FIELDS)}"
            )
        return WebsocketConnectionOptions(**{str(key): value for key, value in options.items()})
    raise ConfigurationTypeError(
        f"connection_options must be WebsocketConnectionOptions or a mapping, not {type(options).__name__}"
    )
