"""Resource accessors: thin keyword-only methods that build one client event each and send it.

Every payload argument takes a typed Struct from :mod:`pyagent.realtime.events` or a plain mapping. A Struct builds
the typed event; a mapping is sent as given (nested mappings such as azure-ai-voicelive's models become plain dicts),
so keys the codec does not model reach the server untouched, and the codec still validates the fields it knows.

Every method raises what :meth:`RealtimeConnection.send` raises: ``EventValidationError`` for an event that does not
fit its schema (nothing is sent) and ``ConnectionClosed`` once the connection is closed.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from pyagent.realtime import events as ev
from pyagent.realtime.codec import encode_client_event
from pyagent.realtime.errors import ConfigurationError, ConfigurationTypeError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyagent.realtime._options import WebsocketConnectionOptions
    from pyagent.realtime.dialects import Dialect
    from pyagent.realtime.events import ClientEvent

__all__ = [
    "AudioInput",
    "ConversationItemResource",
    "ConversationResource",
    "InputAudioBufferResource",
    "InputAudioResource",
    "InputAudioTurnResource",
    "InputTextResource",
    "OutputAudioBufferResource",
    "ResponseResource",
    "SessionAvatarResource",
    "SessionResource",
    "TranscriptionSessionResource",
    "audio_bytes",
]

AudioInput = Any
"""``bytes``, ``bytearray``, ``memoryview``, a numpy ``int16`` array or a base64 ``str`` of PCM16 (or G.711) audio."""


class _Sender(Protocol):
    """What a resource needs of its connection."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def options(self) -> WebsocketConnectionOptions: ...

    async def send(self, event: ClientEvent | Mapping[str, Any]) -> None: ...

    async def send_encoded(self, frames: Iterable[bytes]) -> None: ...


# Top-level keys only a flat session has; their presence on a GA dialect means the session needs nesting.
_FLAT_TRANSCRIPTION_KEYS = frozenset(
    {"input_audio_format", "input_audio_transcription", "input_audio_noise_reduction", "turn_detection", "modalities"}
)


def _plain(value: Any) -> Any:
    """Mappings and sequences as dicts and lists, so any Mapping type (an SDK model) encodes as JSON."""
    if isinstance(value, msgspec.Struct):
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _event(type_: str, event_id: str | None, **fields: Any) -> dict[str, Any]:
    """A mapping event with the fields that are not None."""
    event: dict[str, Any] = {"type": type_}
    if event_id is not None:
        event["event_id"] = event_id
    for key, value in fields.items():
        if value is not None:
            event[key] = _plain(value)
    return event


def _kw(**fields: Any) -> dict[str, Any]:
    """Keyword arguments for a Struct event: those that are not None (the rest stay UNSET, absent on the wire)."""
    return {key: value for key, value in fields.items() if value is not None}


def audio_bytes(audio: AudioInput) -> bytes | bytearray | memoryview:
    """Raw audio from any accepted form; a base64 str is decoded (and checked), numpy int16 made little-endian.

    Raises:
        ConfigurationTypeError: not an accepted form, or a numpy array that is not int16 (also a TypeError).
        ConfigurationError: a str that is not valid base64 (also a ValueError).
    """
    if isinstance(audio, (bytes, bytearray)):
        return audio
    if isinstance(audio, memoryview):
        return audio.cast("B") if audio.format != "B" or audio.ndim != 1 else audio
    if isinstance(audio, str):
        try:
            return base64.b64decode(audio, validate=True)
        except binascii.Error as exc:
            raise ConfigurationError(f"audio is a str but not valid base64: {exc}") from None
    dtype = getattr(audio, "dtype", None)
    if dtype is not None and hasattr(audio, "tobytes"):
        if getattr(dtype, "kind", "") != "i" or getattr(dtype, "itemsize", 0) != 2:
            raise ConfigurationTypeError(
                f"a numpy audio array must be int16 PCM, not {dtype}; convert with pyagent.audio.float32_to_pcm16"
            )
        data: bytes = audio.astype("<i2", copy=False).tobytes()
        return data
    raise ConfigurationTypeError(
        f"audio must be bytes, bytearray, memoryview, a numpy int16 array or base64 str, not {type(audio)}"
    )


def _chunks(data: bytes | bytearray | memoryview, limit: int) -> Iterator[bytes]:
    if len(data) <= limit:
        yield bytes(data)
        return
    view = memoryview(data)
    step = limit - (limit % 2)  # whole PCM16 samples in every chunk
    for start in range(0, len(view), step):
        yield bytes(view[start : start + step])


async def _send_audio(
    conn: _Sender, build: Callable[..., ClientEvent], audio: AudioInput, event_id: str | None
) -> None:
    """Send audio as one event, or as several back to back when it exceeds ``max_append_bytes``; the first event
    carries ``event_id``.

    Raises:
        ConfigurationTypeError, ConfigurationError: see :func:`audio_bytes`.
    """
    chunks = _chunks(audio_bytes(audio), conn.options.max_append_bytes)
    frames = [
        encode_client_event(build(audio=chunk, **_kw(event_id=event_id if i == 0 else None)))
        for i, chunk in enumerate(chunks)
    ]
    await conn.send_encoded(frames)


class _Resource:
    __slots__ = ("_conn",)

    def __init__(self, connection: _Sender) -> None:
        self._conn = connection


class SessionAvatarResource(_Resource):
    """Voice Live's avatar (WebRTC) negotiation."""

    async def connect(self, *, client_sdp: str, event_id: str | None = None) -> None:
        """Send ``session.avatar.connect`` with the client's SDP offer; the server answers
        ``session.avatar.connecting`` with its SDP."""
        await self._conn.send(ev.SessionAvatarConnect(client_sdp=client_sdp, **_kw(event_id=event_id)))


class SessionResource(_Resource):
    """``session.update``; the server answers ``session.updated`` (or ``error``)."""

    __slots__ = ("avatar",)

    def __init__(self, connection: _Sender) -> None:
        super().__init__(connection)
        self.avatar = SessionAvatarResource(connection)

    async def update(self, *, session: ev.Session | Mapping[str, Any], event_id: str | None = None) -> None:
        """Send ``session.update`` with the session as given (convert a flat mapping with
        ``conn.dialect.session_to_wire`` first for GA dialects)."""
        if isinstance(session, ev.Session):
            await self._conn.send(ev.SessionUpdate(session=session, **_kw(event_id=event_id)))
        else:
            await self._conn.send(_event("session.update", event_id, session=session))


class TranscriptionSessionResource(_Resource):
    """Transcription-only sessions: ``transcription_session.update`` (beta, Voice Live), or on GA dialects
    ``session.update`` with ``session.type = "transcription"``, a flat (beta-shaped) session nested on the way so
    code written for Voice Live reaches OpenAI unchanged; the server answers ``*.updated``."""

    async def update(self, *, session: ev.Session | Mapping[str, Any], event_id: str | None = None) -> None:
        """Send the transcription session configuration in the form the connection's dialect takes."""
        body: dict[str, Any] = msgspec.to_builtins(session) if isinstance(session, msgspec.Struct) else _plain(session)
        dialect = self._conn.dialect
        if dialect.session_shape == "nested":
            if _FLAT_TRANSCRIPTION_KEYS.intersection(body):  # a beta/Voice Live shaped session: nest it for GA
                body = dialect.session_to_wire(body, session_type="transcription")
            body = {"type": "transcription", **{k: v for k, v in body.items() if k != "type"}}
            await self._conn.send(_event("session.update", event_id, session=body))
        else:
            await self._conn.send(_event("transcription_session.update", event_id, session=body))


class ResponseResource(_Resource):
    """``response.create`` / ``response.cancel``."""

    async def create(
        self,
        *,
        response: ev.ResponseCreateParams | Mapping[str, Any] | None = None,
        additional_instructions: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Send ``response.create`` (start inference); the server answers ``response.created`` ... ``response.done``.

        Args:
            response: per-response overrides (instructions, modalities, voice, tools, conversation, ...).
            additional_instructions: Voice Live: text appended to the session's instructions for this response.
        """
        if response is None or isinstance(response, ev.ResponseCreateParams):
            await self._conn.send(
                ev.ResponseCreate(
                    **_kw(response=response, additional_instructions=additional_instructions, event_id=event_id)
                )
            )
        else:
            await self._conn.send(
                _event("response.create", event_id, response=response, additional_instructions=additional_instructions)
            )

    async def cancel(self, *, response_id: str | None = None, event_id: str | None = None) -> None:
        """Send ``response.cancel``; the server answers ``response.done`` with status ``cancelled``."""
        await self._conn.send(ev.ResponseCancel(**_kw(response_id=response_id, event_id=event_id)))


class InputAudioBufferResource(_Resource):
    """The input audio buffer: ``input_audio_buffer.append`` / ``commit`` / ``clear``."""

    async def append(self, *, audio: AudioInput, event_id: str | None = None) -> None:
        """Send ``input_audio_buffer.append``; audio larger than ``max_append_bytes`` goes as several events, back
        to back (the first carries ``event_id``). The server does not answer appends.

        Args:
            audio: bytes, bytearray, memoryview, a numpy int16 array, or a base64 str (the Azure SDK's form).

        Raises:
            TypeError: audio of no accepted form, or a numpy array that is not int16.
            ValueError: a str that is not valid base64.
            ConnectionClosed: the connection is closed.
        """
        await _send_audio(self._conn, ev.InputAudioBufferAppend, audio, event_id)

    async def commit(self, *, event_id: str | None = None) -> None:
        """Send ``input_audio_buffer.commit``; the server answers ``input_audio_buffer.committed``."""
        await self._conn.send(ev.InputAudioBufferCommit(**_kw(event_id=event_id)))

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``input_audio_buffer.clear``; the server answers ``input_audio_buffer.cleared``."""
        await self._conn.send(ev.InputAudioBufferClear(**_kw(event_id=event_id)))


class OutputAudioBufferResource(_Resource):
    """``output_audio_buffer.clear`` (WebRTC/SIP sessions; stops audio the server is still playing)."""

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``output_audio_buffer.clear``; the server answers ``output_audio_buffer.cleared``."""
        await self._conn.send(ev.OutputAudioBufferClear(**_kw(event_id=event_id)))


class ConversationItemResource(_Resource):
    """``conversation.item.create`` / ``delete`` / ``retrieve`` / ``truncate``."""

    async def create(
        self,
        *,
        item: ev.Item | Mapping[str, Any],
        previous_item_id: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Send ``conversation.item.create``; the server answers ``conversation.item.added`` (GA) or ``.created``.

        Args:
            item: a message, ``function_call_output``, ... as a typed item or a plain dict.
            previous_item_id: insert after this item (``"root"`` for the start); the end when None.
        """
        if isinstance(item, msgspec.Struct):
            await self._conn.send(
                ev.ConversationItemCreate(item=item, **_kw(previous_item_id=previous_item_id, event_id=event_id))
            )
        else:
            await self._conn.send(
                _event("conversation.item.create", event_id, previous_item_id=previous_item_id, item=item)
            )

    async def delete(self, *, item_id: str, event_id: str | None = None) -> None:
        """Send ``conversation.item.delete``; the server answers ``conversation.item.deleted``."""
        await self._conn.send(ev.ConversationItemDelete(item_id=item_id, **_kw(event_id=event_id)))

    async def retrieve(self, *, item_id: str, event_id: str | None = None) -> None:
        """Send ``conversation.item.retrieve``; the server answers ``conversation.item.retrieved``."""
        await self._conn.send(ev.ConversationItemRetrieve(item_id=item_id, **_kw(event_id=event_id)))

    async def truncate(
        self, *, item_id: str, content_index: int, audio_end_ms: int, event_id: str | None = None
    ) -> None:
        """Send ``conversation.item.truncate`` (barge-in: how much of the assistant's audio was heard); the server
        answers ``conversation.item.truncated``."""
        await self._conn.send(
            ev.ConversationItemTruncate(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms, **_kw(event_id=event_id)
            )
        )


class ConversationResource(_Resource):
    """The conversation; its items are under :attr:`item`."""

    __slots__ = ("item",)

    def __init__(self, connection: _Sender) -> None:
        super().__init__(connection)
        self.item = ConversationItemResource(connection)


class InputAudioTurnResource(_Resource):
    """Voice Live's client-delimited turns: ``input_audio.turn.start`` / ``append`` / ``end`` / ``cancel``."""

    async def start(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.start``: audio until ``end`` belongs to this turn."""
        await self._conn.send(ev.InputAudioTurnStart(turn_id=turn_id, **_kw(event_id=event_id)))

    async def append(self, *, turn_id: str, audio: AudioInput, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.append`` (split like ``input_audio_buffer.append``).

        Raises:
            TypeError, ValueError, ConnectionClosed: as for :meth:`InputAudioBufferResource.append`.
        """
        await _send_audio(self._conn, functools.partial(ev.InputAudioTurnAppend, turn_id=turn_id), audio, event_id)

    async def end(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.end``: the turn's audio is complete."""
        await self._conn.send(ev.InputAudioTurnEnd(turn_id=turn_id, **_kw(event_id=event_id)))

    async def cancel(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.cancel``: drop the turn's audio."""
        await self._conn.send(ev.InputAudioTurnCancel(turn_id=turn_id, **_kw(event_id=event_id)))


class InputAudioResource(_Resource):
    """Voice Live's ``input_audio.*`` events; turns are under :attr:`turn`."""

    __slots__ = ("turn",)

    def __init__(self, connection: _Sender) -> None:
        super().__init__(connection)
        self.turn = InputAudioTurnResource(connection)

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``input_audio.clear``: drop the audio not yet committed."""
        await self._conn.send(ev.InputAudioClear(**_kw(event_id=event_id)))


class InputTextResource(_Resource):
    """Voice Live's streamed text input: ``input_text.delta`` / ``input_text.done``."""

    async def delta(
        self, *, id: str, delta: str, content_index: int | None = None, event_id: str | None = None
    ) -> None:
        """Send ``input_text.delta``: a piece of the user's typed text for item ``id``."""
        await self._conn.send(
            ev.InputTextDelta(id=id, delta=delta, **_kw(content_index=content_index, event_id=event_id))
        )

    async def done(self, *, id: str, content_index: int | None = None, event_id: str | None = None) -> None:
        """Send ``input_text.done``: the user's text for item ``id`` is complete."""
        await self._conn.send(ev.InputTextDone(id=id, **_kw(content_index=content_index, event_id=event_id)))
