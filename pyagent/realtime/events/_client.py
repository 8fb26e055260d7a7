"""Every event a client sends, one Struct per wire ``type``.

Written from the event tables of the OpenAI (GA and beta) and Azure AI Voice Live SDKs; ``protocol/events.json`` is the
same list as data and the tests hold the two together. A field is required only when every dialect that has the event
requires it; ``event_id`` is always optional (the server assigns one when it is absent).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from msgspec import UNSET, UnsetType

from pyagent.realtime.events._base import ClientEventBase
from pyagent.realtime.events._models import (
    Item,
    ResponseCreateParams,
    Session,
)

__all__ = [
    "ConversationItemCreate",
    "ConversationItemDelete",
    "ConversationItemRetrieve",
    "ConversationItemTruncate",
    "InputAudioBufferAppend",
    "InputAudioBufferClear",
    "InputAudioBufferCommit",
    "InputAudioClear",
    "InputAudioTurnAppend",
    "InputAudioTurnCancel",
    "InputAudioTurnEnd",
    "InputAudioTurnStart",
    "InputTextDelta",
    "InputTextDone",
    "OutputAudioBufferClear",
    "ResponseCancel",
    "ResponseCreate",
    "SessionAvatarConnect",
    "SessionClose",
    "SessionInputAudioBufferAppend",
    "SessionUpdate",
    "TranscriptionSessionUpdate",
]


class ConversationItemCreate(ClientEventBase, tag="conversation.item.create", kw_only=True):
    """Add an item (message, function output, ...) to the conversation; answered by
    ``conversation.item.created`` (GA: ``.added``/``.done``).
    """

    type: ClassVar[Literal["conversation.item.create"]] = "conversation.item.create"
    event_id: str | UnsetType | None = UNSET
    item: Item
    previous_item_id: str | UnsetType | None = UNSET


class ConversationItemDelete(ClientEventBase, tag="conversation.item.delete", kw_only=True):
    """Remove an item from the conversation; answered by ``conversation.item.deleted``."""

    type: ClassVar[Literal["conversation.item.delete"]] = "conversation.item.delete"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class ConversationItemRetrieve(ClientEventBase, tag="conversation.item.retrieve", kw_only=True):
    """Ask for the server's copy of an item (with its audio); answered by ``conversation.item.retrieved``."""

    type: ClassVar[Literal["conversation.item.retrieve"]] = "conversation.item.retrieve"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class ConversationItemTruncate(ClientEventBase, tag="conversation.item.truncate", kw_only=True):
    """Cut an assistant audio item to what the user actually heard, so the model forgets the unheard rest;
    answered by ``conversation.item.truncated``.
    """

    type: ClassVar[Literal["conversation.item.truncate"]] = "conversation.item.truncate"
    event_id: str | UnsetType | None = UNSET
    audio_end_ms: int
    content_index: int
    item_id: str


class InputAudioClear(ClientEventBase, tag="input_audio.clear", kw_only=True):
    """Voice Live: drop all input audio of the current turn."""

    type: ClassVar[Literal["input_audio.clear"]] = "input_audio.clear"
    event_id: str | UnsetType | None = UNSET


class InputAudioTurnAppend(ClientEventBase, tag="input_audio.turn.append", kw_only=True):
    """Voice Live: append audio to an explicit turn the client delimits itself."""

    type: ClassVar[Literal["input_audio.turn.append"]] = "input_audio.turn.append"
    event_id: str | UnsetType | None = UNSET
    turn_id: str
    audio: bytes


class InputAudioTurnCancel(ClientEventBase, tag="input_audio.turn.cancel", kw_only=True):
    """Voice Live: abandon an explicit turn."""

    type: ClassVar[Literal["input_audio.turn.cancel"]] = "input_audio.turn.cancel"
    event_id: str | UnsetType | None = UNSET
    turn_id: str


class InputAudioTurnEnd(ClientEventBase, tag="input_audio.turn.end", kw_only=True):
    """Voice Live: close an explicit turn so the server answers it."""

    type: ClassVar[Literal["input_audio.turn.end"]] = "input_audio.turn.end"
    event_id: str | UnsetType | None = UNSET
    turn_id: str


class InputAudioTurnStart(ClientEventBase, tag="input_audio.turn.start", kw_only=True):
    """Voice Live: open an explicit turn (the client does its own turn detection)."""

    type: ClassVar[Literal["input_audio.turn.start"]] = "input_audio.turn.start"
    event_id: str | UnsetType | None = UNSET
    turn_id: str


class InputAudioBufferAppend(ClientEventBase, tag="input_audio_buffer.append", kw_only=True):
    """Stream microphone audio to the server; ``audio`` is PCM bytes here and base64 on the wire."""

    type: ClassVar[Literal["input_audio_buffer.append"]] = "input_audio_buffer.append"
    event_id: str | UnsetType | None = UNSET
    audio: bytes


class InputAudioBufferClear(ClientEventBase, tag="input_audio_buffer.clear", kw_only=True):
    """Discard uncommitted input audio; answered by ``input_audio_buffer.cleared``."""

    type: ClassVar[Literal["input_audio_buffer.clear"]] = "input_audio_buffer.clear"
    event_id: str | UnsetType | None = UNSET


class InputAudioBufferCommit(ClientEventBase, tag="input_audio_buffer.commit", kw_only=True):
    """Make the buffered audio a user item (needed when turn detection is off); answered by
    ``input_audio_buffer.committed``.
    """

    type: ClassVar[Literal["input_audio_buffer.commit"]] = "input_audio_buffer.commit"
    event_id: str | UnsetType | None = UNSET


class InputTextDelta(ClientEventBase, tag="input_text.delta", kw_only=True):
    """Voice Live: stream user text into a message item piece by piece."""

    type: ClassVar[Literal["input_text.delta"]] = "input_text.delta"
    event_id: str | UnsetType | None = UNSET
    id: str
    delta: str
    content_index: int | UnsetType | None = UNSET


class InputTextDone(ClientEventBase, tag="input_text.done", kw_only=True):
    """Voice Live: the streamed user text is complete."""

    type: ClassVar[Literal["input_text.done"]] = "input_text.done"
    event_id: str | UnsetType | None = UNSET
    id: str
    content_index: int | UnsetType | None = UNSET


class OutputAudioBufferClear(ClientEventBase, tag="output_audio_buffer.clear", kw_only=True):
    """WebRTC/SIP: stop the server's audio playback at once; answered by ``output_audio_buffer.cleared``."""

    type: ClassVar[Literal["output_audio_buffer.clear"]] = "output_audio_buffer.clear"
    event_id: str | UnsetType | None = UNSET


class ResponseCancel(ClientEventBase, tag="response.cancel", kw_only=True):
    """Stop the response in progress; the server ends it with ``response.done`` status ``cancelled``."""

    type: ClassVar[Literal["response.cancel"]] = "response.cancel"
    event_id: str | UnsetType | None = UNSET
    response_id: str | UnsetType | None = UNSET


class ResponseCreate(ClientEventBase, tag="response.create", kw_only=True):
    """Ask the model to answer now (after a tool output, or with turn detection off); the reply starts with
    ``response.created``.
    """

    type: ClassVar[Literal["response.create"]] = "response.create"
    event_id: str | UnsetType | None = UNSET
    response: ResponseCreateParams | UnsetType | None = UNSET
    additional_instructions: str | UnsetType | None = UNSET


class SessionAvatarConnect(ClientEventBase, tag="session.avatar.connect", kw_only=True):
    """Voice Live: send the client's WebRTC SDP offer for the avatar video; answered by
    ``session.avatar.connecting``.
    """

    type: ClassVar[Literal["session.avatar.connect"]] = "session.avatar.connect"
    event_id: str | UnsetType | None = UNSET
    client_sdp: str


class SessionClose(ClientEventBase, tag="session.close", kw_only=True):
    """Translation sessions: end the session; answered by ``session.closed``."""

    type: ClassVar[Literal["session.close"]] = "session.close"
    event_id: str | UnsetType | None = UNSET


class SessionInputAudioBufferAppend(ClientEventBase, tag="session.input_audio_buffer.append", kw_only=True):
    """Translation sessions: stream audio to translate; ``audio`` is PCM bytes."""

    type: ClassVar[Literal["session.input_audio_buffer.append"]] = "session.input_audio_buffer.append"
    event_id: str | UnsetType | None = UNSET
    audio: bytes


class SessionUpdate(ClientEventBase, tag="session.update", kw_only=True):
    """Change the session (instructions, voice, formats, turn detection, tools); answered by ``session.updated``."""

    type: ClassVar[Literal["session.update"]] = "session.update"
    event_id: str | UnsetType | None = UNSET
    session: Session


class TranscriptionSessionUpdate(ClientEventBase, tag="transcription_session.update", kw_only=True):
    """Beta/Voice Live: configure a transcription-only session; answered by ``transcription_session.updated``."""

    type: ClassVar[Literal["transcription_session.update"]] = "transcription_session.update"
    event_id: str | UnsetType | None = UNSET
    session: Session
