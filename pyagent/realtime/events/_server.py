"""Every event a server sends, one Struct per wire ``type``.

Written from the event tables of the OpenAI (GA and beta) and Azure AI Voice Live SDKs; ``protocol/events.json`` is the
same list as data and the tests hold the two together. A field is required only when every dialect that has the event
requires it; ``event_id`` is always optional (Voice Live may leave it out).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from msgspec import UNSET, UnsetType

from pyagent.realtime.events._base import ServerEventBase
from pyagent.realtime.events._models import (
    ContentPart,
    Conversation,
    ErrorDetail,
    Item,
    LogProb,
    RateLimit,
    Response,
    Session,
    TranscriptionLanguage,
    TranscriptionPhrase,
    TranscriptionUsage,
    WarningDetail,
)

__all__ = [
    "ConversationCreated",
    "ConversationItemAdded",
    "ConversationItemCreated",
    "ConversationItemDeleted",
    "ConversationItemDone",
    "ConversationItemInputAudioTranscriptionCompleted",
    "ConversationItemInputAudioTranscriptionDelta",
    "ConversationItemInputAudioTranscriptionFailed",
    "ConversationItemInputAudioTranscriptionSegment",
    "ConversationItemRetrieved",
    "ConversationItemTruncated",
    "ErrorEvent",
    "InputAudioBufferCleared",
    "InputAudioBufferCommitted",
    "InputAudioBufferDtmfEventReceived",
    "InputAudioBufferSpeechStarted",
    "InputAudioBufferSpeechStopped",
    "InputAudioBufferTimeoutTriggered",
    "McpListToolsCompleted",
    "McpListToolsFailed",
    "McpListToolsInProgress",
    "OutputAudioBufferCleared",
    "OutputAudioBufferStarted",
    "OutputAudioBufferStopped",
    "RateLimitsUpdated",
    "ResponseAnimationBlendshapesDelta",
    "ResponseAnimationBlendshapesDone",
    "ResponseAnimationVisemeDelta",
    "ResponseAnimationVisemeDone",
    "ResponseAudioDelta",
    "ResponseAudioDone",
    "ResponseAudioTimestampDelta",
    "ResponseAudioTimestampDone",
    "ResponseAudioTranscriptAnnotationAdded",
    "ResponseAudioTranscriptDelta",
    "ResponseAudioTranscriptDone",
    "ResponseContentPartAdded",
    "ResponseContentPartDone",
    "ResponseCreated",
    "ResponseDone",
    "ResponseFileSearchCallCompleted",
    "ResponseFileSearchCallInProgress",
    "ResponseFileSearchCallSearching",
    "ResponseFunctionCallArgumentsDelta",
    "ResponseFunctionCallArgumentsDone",
    "ResponseInvocationDelta",
    "ResponseMcpCallArgumentsDelta",
    "ResponseMcpCallArgumentsDone",
    "ResponseMcpCallCompleted",
    "ResponseMcpCallFailed",
    "ResponseMcpCallInProgress",
    "ResponseOutputAudioDelta",
    "ResponseOutputAudioDone",
    "ResponseOutputAudioTranscriptDelta",
    "ResponseOutputAudioTranscriptDone",
    "ResponseOutputItemAdded",
    "ResponseOutputItemDone",
    "ResponseOutputTextDelta",
    "ResponseOutputTextDone",
    "ResponseTextDelta",
    "ResponseTextDone",
    "ResponseVideoDelta",
    "ResponseWebSearchCallCompleted",
    "ResponseWebSearchCallInProgress",
    "ResponseWebSearchCallSearching",
    "SessionAvatarConnecting",
    "SessionAvatarSwitchToIdle",
    "SessionAvatarSwitchToSpeaking",
    "SessionClosed",
    "SessionCreated",
    "SessionInputTranscriptDelta",
    "SessionOutputAudioDelta",
    "SessionOutputTranscriptDelta",
    "SessionUpdated",
    "TranscriptionSessionCreated",
    "TranscriptionSessionUpdated",
    "WarningEvent",
]


class ConversationCreated(ServerEventBase, tag="conversation.created", kw_only=True):
    """The conversation exists (sent right after ``session.created``)."""

    type: ClassVar[Literal["conversation.created"]] = "conversation.created"
    event_id: str | UnsetType | None = UNSET
    conversation: Conversation


class ConversationItemAdded(ServerEventBase, tag="conversation.item.added", kw_only=True):
    """GA: an item joined the conversation (its content may still be streaming; ``conversation.item.done``
    follows).
    """

    type: ClassVar[Literal["conversation.item.added"]] = "conversation.item.added"
    event_id: str | UnsetType | None = UNSET
    item: Item
    previous_item_id: str | UnsetType | None = UNSET


class ConversationItemCreated(ServerEventBase, tag="conversation.item.created", kw_only=True):
    """An item joined the conversation (beta and Voice Live name; GA says ``.added``/``.done``)."""

    type: ClassVar[Literal["conversation.item.created"]] = "conversation.item.created"
    event_id: str | UnsetType | None = UNSET
    item: Item
    previous_item_id: str | UnsetType | None = UNSET


class ConversationItemDeleted(ServerEventBase, tag="conversation.item.deleted", kw_only=True):
    """An item was removed, as ``conversation.item.delete`` asked."""

    type: ClassVar[Literal["conversation.item.deleted"]] = "conversation.item.deleted"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class ConversationItemDone(ServerEventBase, tag="conversation.item.done", kw_only=True):
    """GA: an item is complete."""

    type: ClassVar[Literal["conversation.item.done"]] = "conversation.item.done"
    event_id: str | UnsetType | None = UNSET
    item: Item
    previous_item_id: str | UnsetType | None = UNSET


class ConversationItemInputAudioTranscriptionCompleted(
    ServerEventBase, tag="conversation.item.input_audio_transcription.completed", kw_only=True
):
    """The transcript of the user's audio item is final."""

    type: ClassVar[Literal["conversation.item.input_audio_transcription.completed"]] = (
        "conversation.item.input_audio_transcription.completed"
    )
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    transcript: str
    usage: TranscriptionUsage | UnsetType | None = UNSET
    languages: list[TranscriptionLanguage] | UnsetType | None = UNSET
    logprobs: list[LogProb] | UnsetType | None = UNSET
    phrases: list[TranscriptionPhrase] | UnsetType | None = UNSET


class ConversationItemInputAudioTranscriptionDelta(
    ServerEventBase, tag="conversation.item.input_audio_transcription.delta", kw_only=True
):
    """A piece of the transcript of the user's audio as it is recognised."""

    type: ClassVar[Literal["conversation.item.input_audio_transcription.delta"]] = (
        "conversation.item.input_audio_transcription.delta"
    )
    event_id: str | UnsetType | None = UNSET
    item_id: str
    content_index: int | UnsetType | None = UNSET
    delta: str | UnsetType | None = UNSET
    logprobs: list[LogProb] | UnsetType | None = UNSET
    obfuscation: str | UnsetType | None = UNSET


class ConversationItemInputAudioTranscriptionFailed(
    ServerEventBase, tag="conversation.item.input_audio_transcription.failed", kw_only=True
):
    """The user's audio could not be transcribed; ``error`` says why."""

    type: ClassVar[Literal["conversation.item.input_audio_transcription.failed"]] = (
        "conversation.item.input_audio_transcription.failed"
    )
    event_id: str | UnsetType | None = UNSET
    content_index: int
    error: ErrorDetail
    item_id: str


class ConversationItemInputAudioTranscriptionSegment(
    ServerEventBase, tag="conversation.item.input_audio_transcription.segment", kw_only=True
):
    """GA: a diarized segment of the input transcript (who spoke when)."""

    type: ClassVar[Literal["conversation.item.input_audio_transcription.segment"]] = (
        "conversation.item.input_audio_transcription.segment"
    )
    event_id: str | UnsetType | None = UNSET
    id: str
    content_index: int
    end: float
    item_id: str
    speaker: str
    start: float
    text: str


class ConversationItemRetrieved(ServerEventBase, tag="conversation.item.retrieved", kw_only=True):
    """The item ``conversation.item.retrieve`` asked for."""

    type: ClassVar[Literal["conversation.item.retrieved"]] = "conversation.item.retrieved"
    event_id: str | UnsetType | None = UNSET
    item: Item


class ConversationItemTruncated(ServerEventBase, tag="conversation.item.truncated", kw_only=True):
    """An assistant audio item was cut, as ``conversation.item.truncate`` asked."""

    type: ClassVar[Literal["conversation.item.truncated"]] = "conversation.item.truncated"
    event_id: str | UnsetType | None = UNSET
    audio_end_ms: int
    content_index: int
    item_id: str


class ErrorEvent(ServerEventBase, tag="error", kw_only=True):
    """The server refused something; the connection stays open and ``error.event_id`` names the client
    event at fault.
    """

    type: ClassVar[Literal["error"]] = "error"
    event_id: str | UnsetType | None = UNSET
    error: ErrorDetail


class InputAudioBufferCleared(ServerEventBase, tag="input_audio_buffer.cleared", kw_only=True):
    """The input audio buffer was emptied."""

    type: ClassVar[Literal["input_audio_buffer.cleared"]] = "input_audio_buffer.cleared"
    event_id: str | UnsetType | None = UNSET


class InputAudioBufferCommitted(ServerEventBase, tag="input_audio_buffer.committed", kw_only=True):
    """The buffered input audio became a user item (``item_id``)."""

    type: ClassVar[Literal["input_audio_buffer.committed"]] = "input_audio_buffer.committed"
    event_id: str | UnsetType | None = UNSET
    item_id: str
    previous_item_id: str | UnsetType | None = UNSET


class InputAudioBufferDtmfEventReceived(ServerEventBase, tag="input_audio_buffer.dtmf_event_received", kw_only=True):
    """GA (SIP): a telephone keypad key was pressed."""

    type: ClassVar[Literal["input_audio_buffer.dtmf_event_received"]] = "input_audio_buffer.dtmf_event_received"
    event_id: str | UnsetType | None = UNSET
    event: str
    received_at: int


class InputAudioBufferSpeechStarted(ServerEventBase, tag="input_audio_buffer.speech_started", kw_only=True):
    """Server VAD heard the user start speaking: stop playback now (barge-in) and truncate."""

    type: ClassVar[Literal["input_audio_buffer.speech_started"]] = "input_audio_buffer.speech_started"
    event_id: str | UnsetType | None = UNSET
    audio_start_ms: int
    item_id: str


class InputAudioBufferSpeechStopped(ServerEventBase, tag="input_audio_buffer.speech_stopped", kw_only=True):
    """Server VAD heard the user stop speaking; a commit and usually a response follow."""

    type: ClassVar[Literal["input_audio_buffer.speech_stopped"]] = "input_audio_buffer.speech_stopped"
    event_id: str | UnsetType | None = UNSET
    audio_end_ms: int
    item_id: str


class InputAudioBufferTimeoutTriggered(ServerEventBase, tag="input_audio_buffer.timeout_triggered", kw_only=True):
    """GA: the user was silent for the turn detection's ``idle_timeout_ms``."""

    type: ClassVar[Literal["input_audio_buffer.timeout_triggered"]] = "input_audio_buffer.timeout_triggered"
    event_id: str | UnsetType | None = UNSET
    audio_end_ms: int
    audio_start_ms: int
    item_id: str


class McpListToolsCompleted(ServerEventBase, tag="mcp_list_tools.completed", kw_only=True):
    """The tools of an MCP server were listed."""

    type: ClassVar[Literal["mcp_list_tools.completed"]] = "mcp_list_tools.completed"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class McpListToolsFailed(ServerEventBase, tag="mcp_list_tools.failed", kw_only=True):
    """Listing the tools of an MCP server failed."""

    type: ClassVar[Literal["mcp_list_tools.failed"]] = "mcp_list_tools.failed"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class McpListToolsInProgress(ServerEventBase, tag="mcp_list_tools.in_progress", kw_only=True):
    """The server is listing the tools of an MCP server."""

    type: ClassVar[Literal["mcp_list_tools.in_progress"]] = "mcp_list_tools.in_progress"
    event_id: str | UnsetType | None = UNSET
    item_id: str


class OutputAudioBufferCleared(ServerEventBase, tag="output_audio_buffer.cleared", kw_only=True):
    """WebRTC/SIP: the server's playback buffer was emptied (barge-in or ``output_audio_buffer.clear``)."""

    type: ClassVar[Literal["output_audio_buffer.cleared"]] = "output_audio_buffer.cleared"
    event_id: str | UnsetType | None = UNSET
    response_id: str | UnsetType | None = UNSET


class OutputAudioBufferStarted(ServerEventBase, tag="output_audio_buffer.started", kw_only=True):
    """WebRTC/SIP: the server started playing a response's audio."""

    type: ClassVar[Literal["output_audio_buffer.started"]] = "output_audio_buffer.started"
    event_id: str | UnsetType | None = UNSET
    response_id: str


class OutputAudioBufferStopped(ServerEventBase, tag="output_audio_buffer.stopped", kw_only=True):
    """WebRTC/SIP: the server finished playing a response's audio."""

    type: ClassVar[Literal["output_audio_buffer.stopped"]] = "output_audio_buffer.stopped"
    event_id: str | UnsetType | None = UNSET
    response_id: str


class RateLimitsUpdated(ServerEventBase, tag="rate_limits.updated", kw_only=True):
    """The rate limits after a response started, so a client can pace itself."""

    type: ClassVar[Literal["rate_limits.updated"]] = "rate_limits.updated"
    event_id: str | UnsetType | None = UNSET
    rate_limits: list[RateLimit]


class ResponseAnimationBlendshapesDelta(ServerEventBase, tag="response.animation_blendshapes.delta", kw_only=True):
    """Voice Live: facial blendshape frames that animate an avatar with the speech."""

    type: ClassVar[Literal["response.animation_blendshapes.delta"]] = "response.animation_blendshapes.delta"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    frames: list[list[float]] | str
    frame_index: int


class ResponseAnimationBlendshapesDone(ServerEventBase, tag="response.animation_blendshapes.done", kw_only=True):
    """Voice Live: the blendshape frames of an item are complete."""

    type: ClassVar[Literal["response.animation_blendshapes.done"]] = "response.animation_blendshapes.done"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int


class ResponseAnimationVisemeDelta(ServerEventBase, tag="response.animation_viseme.delta", kw_only=True):
    """Voice Live: a viseme (mouth shape) at an offset into the audio."""

    type: ClassVar[Literal["response.animation_viseme.delta"]] = "response.animation_viseme.delta"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    audio_offset_ms: int
    viseme_id: int


class ResponseAnimationVisemeDone(ServerEventBase, tag="response.animation_viseme.done", kw_only=True):
    """Voice Live: the visemes of an item are complete."""

    type: ClassVar[Literal["response.animation_viseme.done"]] = "response.animation_viseme.done"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int


class ResponseAudioDelta(ServerEventBase, tag="response.audio.delta", kw_only=True):
    """Beta/Voice Live name of a chunk of assistant audio; ``delta`` is PCM bytes."""

    type: ClassVar[Literal["response.audio.delta"]] = "response.audio.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: bytes
    item_id: str
    output_index: int
    response_id: str


class ResponseAudioDone(ServerEventBase, tag="response.audio.done", kw_only=True):
    """Beta/Voice Live: the assistant audio of a content part is complete."""

    type: ClassVar[Literal["response.audio.done"]] = "response.audio.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str


class ResponseAudioTimestampDelta(ServerEventBase, tag="response.audio_timestamp.delta", kw_only=True):
    """Voice Live: when a word is spoken in the assistant audio (for captions and karaoke)."""

    type: ClassVar[Literal["response.audio_timestamp.delta"]] = "response.audio_timestamp.delta"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    audio_offset_ms: int
    audio_duration_ms: int
    text: str
    timestamp_type: str


class ResponseAudioTimestampDone(ServerEventBase, tag="response.audio_timestamp.done", kw_only=True):
    """Voice Live: the word timestamps of a content part are complete."""

    type: ClassVar[Literal["response.audio_timestamp.done"]] = "response.audio_timestamp.done"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int


class ResponseAudioTranscriptAnnotationAdded(
    ServerEventBase, tag="response.audio_transcript.annotation.added", kw_only=True
):
    """Voice Live: an annotation (a citation, ...) on the assistant transcript."""

    type: ClassVar[Literal["response.audio_transcript.annotation.added"]] = "response.audio_transcript.annotation.added"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    annotation_index: int
    annotation: Any


class ResponseAudioTranscriptDelta(ServerEventBase, tag="response.audio_transcript.delta", kw_only=True):
    """Beta/Voice Live: a piece of the transcript of the assistant audio."""

    type: ClassVar[Literal["response.audio_transcript.delta"]] = "response.audio_transcript.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseAudioTranscriptDone(ServerEventBase, tag="response.audio_transcript.done", kw_only=True):
    """Beta/Voice Live: the transcript of the assistant audio is final."""

    type: ClassVar[Literal["response.audio_transcript.done"]] = "response.audio_transcript.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str
    transcript: str


class ResponseContentPartAdded(ServerEventBase, tag="response.content_part.added", kw_only=True):
    """A content part (text or audio) was added to an output item."""

    type: ClassVar[Literal["response.content_part.added"]] = "response.content_part.added"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    part: ContentPart
    response_id: str


class ResponseContentPartDone(ServerEventBase, tag="response.content_part.done", kw_only=True):
    """A content part is complete."""

    type: ClassVar[Literal["response.content_part.done"]] = "response.content_part.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    part: ContentPart
    response_id: str


class ResponseCreated(ServerEventBase, tag="response.created", kw_only=True):
    """A response started (status ``in_progress``); only one may be active at a time."""

    type: ClassVar[Literal["response.created"]] = "response.created"
    event_id: str | UnsetType | None = UNSET
    response: Response
    timestamp: str | UnsetType | None = UNSET


class ResponseDone(ServerEventBase, tag="response.done", kw_only=True):
    """A response ended (completed, cancelled, incomplete or failed) with its output and usage."""

    type: ClassVar[Literal["response.done"]] = "response.done"
    event_id: str | UnsetType | None = UNSET
    response: Response


class ResponseFileSearchCallCompleted(ServerEventBase, tag="response.file_search_call.completed", kw_only=True):
    """Voice Live: a file search finished."""

    type: ClassVar[Literal["response.file_search_call.completed"]] = "response.file_search_call.completed"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class ResponseFileSearchCallInProgress(ServerEventBase, tag="response.file_search_call.in_progress", kw_only=True):
    """Voice Live: a file search started."""

    type: ClassVar[Literal["response.file_search_call.in_progress"]] = "response.file_search_call.in_progress"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class ResponseFileSearchCallSearching(ServerEventBase, tag="response.file_search_call.searching", kw_only=True):
    """Voice Live: a file search is searching."""

    type: ClassVar[Literal["response.file_search_call.searching"]] = "response.file_search_call.searching"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class ResponseFunctionCallArgumentsDelta(ServerEventBase, tag="response.function_call_arguments.delta", kw_only=True):
    """A piece of a function call's JSON arguments."""

    type: ClassVar[Literal["response.function_call_arguments.delta"]] = "response.function_call_arguments.delta"
    event_id: str | UnsetType | None = UNSET
    call_id: str
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseFunctionCallArgumentsDone(ServerEventBase, tag="response.function_call_arguments.done", kw_only=True):
    """A function call's arguments are complete: run the tool now."""

    type: ClassVar[Literal["response.function_call_arguments.done"]] = "response.function_call_arguments.done"
    event_id: str | UnsetType | None = UNSET
    arguments: str
    call_id: str
    item_id: str
    name: str | UnsetType | None = UNSET
    output_index: int
    response_id: str


class ResponseInvocationDelta(ServerEventBase, tag="response.invocation.delta", kw_only=True):
    """Voice Live: progress of an agent invocation, kept as plain data."""

    type: ClassVar[Literal["response.invocation.delta"]] = "response.invocation.delta"
    event_id: str | UnsetType | None = UNSET
    delta: dict[str, Any]


class ResponseMcpCallCompleted(ServerEventBase, tag="response.mcp_call.completed", kw_only=True):
    """An MCP tool call succeeded."""

    type: ClassVar[Literal["response.mcp_call.completed"]] = "response.mcp_call.completed"
    event_id: str | UnsetType | None = UNSET
    item_id: str
    output_index: int


class ResponseMcpCallFailed(ServerEventBase, tag="response.mcp_call.failed", kw_only=True):
    """An MCP tool call failed."""

    type: ClassVar[Literal["response.mcp_call.failed"]] = "response.mcp_call.failed"
    event_id: str | UnsetType | None = UNSET
    item_id: str
    output_index: int


class ResponseMcpCallInProgress(ServerEventBase, tag="response.mcp_call.in_progress", kw_only=True):
    """An MCP tool call started."""

    type: ClassVar[Literal["response.mcp_call.in_progress"]] = "response.mcp_call.in_progress"
    event_id: str | UnsetType | None = UNSET
    item_id: str
    output_index: int


class ResponseMcpCallArgumentsDelta(ServerEventBase, tag="response.mcp_call_arguments.delta", kw_only=True):
    """A piece of an MCP call's arguments."""

    type: ClassVar[Literal["response.mcp_call_arguments.delta"]] = "response.mcp_call_arguments.delta"
    event_id: str | UnsetType | None = UNSET
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseMcpCallArgumentsDone(ServerEventBase, tag="response.mcp_call_arguments.done", kw_only=True):
    """An MCP call's arguments are complete."""

    type: ClassVar[Literal["response.mcp_call_arguments.done"]] = "response.mcp_call_arguments.done"
    event_id: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET
    item_id: str
    output_index: int
    response_id: str


class ResponseOutputAudioDelta(ServerEventBase, tag="response.output_audio.delta", kw_only=True):
    """GA: a chunk of assistant audio; ``delta`` is PCM bytes (base64 on the wire, decoded once in C)."""

    type: ClassVar[Literal["response.output_audio.delta"]] = "response.output_audio.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: bytes
    item_id: str
    output_index: int
    response_id: str


class ResponseOutputAudioDone(ServerEventBase, tag="response.output_audio.done", kw_only=True):
    """GA: the assistant audio of a content part is complete."""

    type: ClassVar[Literal["response.output_audio.done"]] = "response.output_audio.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str


class ResponseOutputAudioTranscriptDelta(ServerEventBase, tag="response.output_audio_transcript.delta", kw_only=True):
    """GA: a piece of the transcript of the assistant audio."""

    type: ClassVar[Literal["response.output_audio_transcript.delta"]] = "response.output_audio_transcript.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseOutputAudioTranscriptDone(ServerEventBase, tag="response.output_audio_transcript.done", kw_only=True):
    """GA: the transcript of the assistant audio is final."""

    type: ClassVar[Literal["response.output_audio_transcript.done"]] = "response.output_audio_transcript.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str
    transcript: str


class ResponseOutputItemAdded(ServerEventBase, tag="response.output_item.added", kw_only=True):
    """An output item (message, function call, ...) of a response started."""

    type: ClassVar[Literal["response.output_item.added"]] = "response.output_item.added"
    event_id: str | UnsetType | None = UNSET
    item: Item
    output_index: int
    response_id: str


class ResponseOutputItemDone(ServerEventBase, tag="response.output_item.done", kw_only=True):
    """An output item of a response is complete."""

    type: ClassVar[Literal["response.output_item.done"]] = "response.output_item.done"
    event_id: str | UnsetType | None = UNSET
    item: Item
    output_index: int
    response_id: str


class ResponseOutputTextDelta(ServerEventBase, tag="response.output_text.delta", kw_only=True):
    """GA: a piece of assistant text."""

    type: ClassVar[Literal["response.output_text.delta"]] = "response.output_text.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseOutputTextDone(ServerEventBase, tag="response.output_text.done", kw_only=True):
    """GA: the assistant text of a content part is final."""

    type: ClassVar[Literal["response.output_text.done"]] = "response.output_text.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str
    text: str


class ResponseTextDelta(ServerEventBase, tag="response.text.delta", kw_only=True):
    """Beta/Voice Live: a piece of assistant text."""

    type: ClassVar[Literal["response.text.delta"]] = "response.text.delta"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    delta: str
    item_id: str
    output_index: int
    response_id: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseTextDone(ServerEventBase, tag="response.text.done", kw_only=True):
    """Beta/Voice Live: the assistant text of a content part is final."""

    type: ClassVar[Literal["response.text.done"]] = "response.text.done"
    event_id: str | UnsetType | None = UNSET
    content_index: int
    item_id: str
    output_index: int
    response_id: str
    text: str


class ResponseVideoDelta(ServerEventBase, tag="response.video.delta", kw_only=True):
    """Voice Live: a chunk of avatar video sent over the WebSocket; kept as the encoded text."""

    type: ClassVar[Literal["response.video.delta"]] = "response.video.delta"
    event_id: str | UnsetType | None = UNSET
    output_index: int
    codec: str
    delta: str


class ResponseWebSearchCallCompleted(ServerEventBase, tag="response.web_search_call.completed", kw_only=True):
    """Voice Live: a web search finished."""

    type: ClassVar[Literal["response.web_search_call.completed"]] = "response.web_search_call.completed"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class ResponseWebSearchCallInProgress(ServerEventBase, tag="response.web_search_call.in_progress", kw_only=True):
    """Voice Live: a web search started."""

    type: ClassVar[Literal["response.web_search_call.in_progress"]] = "response.web_search_call.in_progress"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class ResponseWebSearchCallSearching(ServerEventBase, tag="response.web_search_call.searching", kw_only=True):
    """Voice Live: a web search is searching."""

    type: ClassVar[Literal["response.web_search_call.searching"]] = "response.web_search_call.searching"
    event_id: str | UnsetType | None = UNSET
    response_id: str
    item_id: str
    output_index: int
    sequence_number: int


class SessionAvatarConnecting(ServerEventBase, tag="session.avatar.connecting", kw_only=True):
    """Voice Live: the server's WebRTC SDP answer for the avatar video."""

    type: ClassVar[Literal["session.avatar.connecting"]] = "session.avatar.connecting"
    event_id: str | UnsetType | None = UNSET
    server_sdp: str


class SessionAvatarSwitchToIdle(ServerEventBase, tag="session.avatar.switch_to_idle", kw_only=True):
    """Voice Live: the avatar stopped speaking."""

    type: ClassVar[Literal["session.avatar.switch_to_idle"]] = "session.avatar.switch_to_idle"
    event_id: str | UnsetType | None = UNSET
    turn_id: str | UnsetType | None = UNSET


class SessionAvatarSwitchToSpeaking(ServerEventBase, tag="session.avatar.switch_to_speaking", kw_only=True):
    """Voice Live: the avatar started speaking."""

    type: ClassVar[Literal["session.avatar.switch_to_speaking"]] = "session.avatar.switch_to_speaking"
    event_id: str | UnsetType | None = UNSET
    turn_id: str | UnsetType | None = UNSET


class SessionClosed(ServerEventBase, tag="session.closed", kw_only=True):
    """Translation sessions: the session ended as ``session.close`` asked."""

    type: ClassVar[Literal["session.closed"]] = "session.closed"
    event_id: str | UnsetType | None = UNSET


class SessionCreated(ServerEventBase, tag="session.created", kw_only=True):
    """The session exists, with its defaults; the first event of every connection."""

    type: ClassVar[Literal["session.created"]] = "session.created"
    event_id: str | UnsetType | None = UNSET
    session: Session


class SessionInputTranscriptDelta(ServerEventBase, tag="session.input_transcript.delta", kw_only=True):
    """Translation sessions: a piece of the transcript of the source speech."""

    type: ClassVar[Literal["session.input_transcript.delta"]] = "session.input_transcript.delta"
    event_id: str | UnsetType | None = UNSET
    delta: str
    elapsed_ms: int | UnsetType | None = UNSET


class SessionOutputAudioDelta(ServerEventBase, tag="session.output_audio.delta", kw_only=True):
    """Translation sessions: a chunk of translated speech; ``delta`` is PCM bytes."""

    type: ClassVar[Literal["session.output_audio.delta"]] = "session.output_audio.delta"
    event_id: str | UnsetType | None = UNSET
    delta: bytes
    channels: int | UnsetType | None = UNSET
    elapsed_ms: int | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET
    sample_rate: int | UnsetType | None = UNSET


class SessionOutputTranscriptDelta(ServerEventBase, tag="session.output_transcript.delta", kw_only=True):
    """Translation sessions: a piece of the translated text."""

    type: ClassVar[Literal["session.output_transcript.delta"]] = "session.output_transcript.delta"
    event_id: str | UnsetType | None = UNSET
    delta: str
    elapsed_ms: int | UnsetType | None = UNSET


class SessionUpdated(ServerEventBase, tag="session.updated", kw_only=True):
    """The session after a ``session.update``: what the server actually applied."""

    type: ClassVar[Literal["session.updated"]] = "session.updated"
    event_id: str | UnsetType | None = UNSET
    session: Session


class TranscriptionSessionCreated(ServerEventBase, tag="transcription_session.created", kw_only=True):
    """Beta: a transcription-only session exists, with its defaults."""

    type: ClassVar[Literal["transcription_session.created"]] = "transcription_session.created"
    event_id: str | UnsetType | None = UNSET
    session: Session


class TranscriptionSessionUpdated(ServerEventBase, tag="transcription_session.updated", kw_only=True):
    """Beta: the transcription-only session after ``transcription_session.update``."""

    type: ClassVar[Literal["transcription_session.updated"]] = "transcription_session.updated"
    event_id: str | UnsetType | None = UNSET
    session: Session


class WarningEvent(ServerEventBase, tag="warning", kw_only=True):
    """Voice Live: something was accepted but not as asked (the connection goes on)."""

    type: ClassVar[Literal["warning"]] = "warning"
    event_id: str | UnsetType | None = UNSET
    warning: WarningDetail
