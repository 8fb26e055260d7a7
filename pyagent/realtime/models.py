"""The Azure AI Voice Live SDK's model, enum and event names: code written for ``azure.ai.voicelive.models`` runs on
pyagent by changing that import to ``pyagent.realtime.models`` (and ``azure.ai.voicelive.aio`` to
``pyagent.realtime``).

Each name is one of pyagent's own classes, not a look-alike: ``ServerEventResponseCreated is ResponseCreated``, so
``isinstance`` against the SDK's name holds for what ``recv()`` returns. Where the SDK has a request-side class that
fills in a discriminator (``UserMessageItem``'s ``role``, ``AzureStandardVoice``'s ``type``,
``ResponseCancelledDetails``'s ``type``), the name is a subclass of pyagent's class that fills in the same value;
decoding gives pyagent's class. The SDK's abstract bases (``Tool``, ``TurnDetection``, ``ConversationRequestItem``,
``ResponseItem``, ``ContentPart``, ``ServerEvent``, ...) are pyagent's unions, which work in ``isinstance`` and
annotations. The enums are ``StrEnum``s equal to their wire strings, as the SDK's are; ``ServerEventType`` and
``ClientEventType`` name every event pyagent models, the SDK's among them.

Every model encodes what the SDK's ``as_dict()`` gives for the same arguments (``tests/azure_sdk/test_models.py``
holds the two together), with one difference: pyagent sends an explicit ``None`` as ``null`` (absent and ``null``
differ on this wire: ``turn_detection=None`` turns server VAD off), where the SDK leaves the field out, except in
``RequestSession``. Leave a field out rather than passing ``None`` to keep it off the wire. Reading also differs in one
way: ``event["delta"]`` gives the audio as ``bytes`` (``event.delta`` in both), where the SDK's mapping view gives
base64 text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from pyagent.realtime import events as ev
from pyagent.realtime.events._base import Model

__all__ = [
    "ActionFind",
    "ActionOpenPage",
    "ActionSearch",
    "ActionSearchSource",
    "AgentConfig",
    "Animation",
    "AnimationOutputType",
    "AssistantMessageItem",
    "AudioEchoCancellation",
    "AudioInputTranscriptionOptions",
    "AudioNoiseReduction",
    "AudioTimestampType",
    "AvatarConfig",
    "AvatarConfigTypes",
    "AvatarOutputProtocol",
    "AzureAvatarVoiceSyncVoice",
    "AzureCustomVoice",
    "AzurePersonalVoice",
    "AzureRealtimeNativeVoice",
    "AzureRealtimeNativeVoiceName",
    "AzureSemanticDetection",
    "AzureSemanticDetectionEn",
    "AzureSemanticDetectionMultilingual",
    "AzureSemanticVad",
    "AzureSemanticVadEn",
    "AzureSemanticVadMultilingual",
    "AzureStandardVoice",
    "AzureVoice",
    "AzureVoiceType",
    "Background",
    "CachedTokenDetails",
    "ClientEvent",
    "ClientEventConversationItemCreate",
    "ClientEventConversationItemDelete",
    "ClientEventConversationItemRetrieve",
    "ClientEventConversationItemTruncate",
    "ClientEventInputAudioBufferAppend",
    "ClientEventInputAudioBufferClear",
    "ClientEventInputAudioBufferCommit",
    "ClientEventInputAudioClear",
    "ClientEventInputAudioTurnAppend",
    "ClientEventInputAudioTurnCancel",
    "ClientEventInputAudioTurnEnd",
    "ClientEventInputAudioTurnStart",
    "ClientEventInputTextDelta",
    "ClientEventInputTextDone",
    "ClientEventOutputAudioBufferClear",
    "ClientEventResponseCancel",
    "ClientEventResponseCreate",
    "ClientEventSessionAvatarConnect",
    "ClientEventSessionUpdate",
    "ClientEventType",
    "ContentPart",
    "ContentPartType",
    "ConversationItemBase",
    "ConversationRequestItem",
    "EchoCancellationReferenceSource",
    "EouDetection",
    "EouThresholdLevel",
    "ErrorResponse",
    "FileSearchResult",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "FunctionTool",
    "IceServer",
    "InputAudioContentPart",
    "InputAudioFormat",
    "InputTextContentPart",
    "InputTokenDetails",
    "InterimResponseConfig",
    "InterimResponseConfigBase",
    "InterimResponseConfigType",
    "InterimResponseTrigger",
    "ItemParamStatus",
    "ItemType",
    "LlmInterimResponseConfig",
    "LogProbProperties",
    "MCPApprovalResponseRequestItem",
    "MCPApprovalType",
    "MCPServer",
    "MCPTool",
    "MessageContentPart",
    "MessageItem",
    "MessageRole",
    "Modality",
    "OpenAIVoice",
    "OpenAIVoiceName",
    "OutputAudioFormat",
    "OutputTextContentPart",
    "OutputTokenDetails",
    "PersonalVoiceModels",
    "PhotoAvatarBaseModes",
    "ReasoningEffort",
    "RequestAudioContentPart",
    "RequestImageContentPart",
    "RequestImageContentPartDetail",
    "RequestSession",
    "RequestTextContentPart",
    "Response",
    "ResponseAudioContentPart",
    "ResponseCancelledDetails",
    "ResponseCreateParams",
    "ResponseFailedDetails",
    "ResponseFileSearchCallItem",
    "ResponseFunctionCallItem",
    "ResponseFunctionCallOutputItem",
    "ResponseIncompleteDetails",
    "ResponseItem",
    "ResponseItemStatus",
    "ResponseMCPApprovalRequestItem",
    "ResponseMCPApprovalResponseItem",
    "ResponseMCPCallItem",
    "ResponseMCPListToolItem",
    "ResponseMessageItem",
    "ResponseSession",
    "ResponseStatus",
    "ResponseStatusDetails",
    "ResponseTextContentPart",
    "ResponseWebSearchCallItem",
    "Scene",
    "ServerEvent",
    "ServerEventConversationItemCreated",
    "ServerEventConversationItemDeleted",
    "ServerEventConversationItemInputAudioTranscriptionCompleted",
    "ServerEventConversationItemInputAudioTranscriptionDelta",
    "ServerEventConversationItemInputAudioTranscriptionFailed",
    "ServerEventConversationItemRetrieved",
    "ServerEventConversationItemTruncated",
    "ServerEventError",
    "ServerEventErrorDetails",
    "ServerEventInputAudioBufferCleared",
    "ServerEventInputAudioBufferCommitted",
    "ServerEventInputAudioBufferSpeechStarted",
    "ServerEventInputAudioBufferSpeechStopped",
    "ServerEventMcpListToolsCompleted",
    "ServerEventMcpListToolsFailed",
    "ServerEventMcpListToolsInProgress",
    "ServerEventOutputAudioBufferCleared",
    "ServerEventResponseAnimationBlendshapeDelta",
    "ServerEventResponseAnimationBlendshapeDone",
    "ServerEventResponseAnimationVisemeDelta",
    "ServerEventResponseAnimationVisemeDone",
    "ServerEventResponseAudioDelta",
    "ServerEventResponseAudioDone",
    "ServerEventResponseAudioTimestampDelta",
    "ServerEventResponseAudioTimestampDone",
    "ServerEventResponseAudioTranscriptAnnotationAdded",
    "ServerEventResponseAudioTranscriptDelta",
    "ServerEventResponseAudioTranscriptDone",
    "ServerEventResponseContentPartAdded",
    "ServerEventResponseContentPartDone",
    "ServerEventResponseCreated",
    "ServerEventResponseDone",
    "ServerEventResponseFileSearchCallCompleted",
    "ServerEventResponseFileSearchCallInProgress",
    "ServerEventResponseFileSearchCallSearching",
    "ServerEventResponseFunctionCallArgumentsDelta",
    "ServerEventResponseFunctionCallArgumentsDone",
    "ServerEventResponseInvocationDelta",
    "ServerEventResponseMcpCallArgumentsDelta",
    "ServerEventResponseMcpCallArgumentsDone",
    "ServerEventResponseMcpCallCompleted",
    "ServerEventResponseMcpCallFailed",
    "ServerEventResponseMcpCallInProgress",
    "ServerEventResponseOutputItemAdded",
    "ServerEventResponseOutputItemDone",
    "ServerEventResponseTextDelta",
    "ServerEventResponseTextDone",
    "ServerEventResponseVideoDelta",
    "ServerEventResponseWebSearchCallCompleted",
    "ServerEventResponseWebSearchCallInProgress",
    "ServerEventResponseWebSearchCallSearching",
    "ServerEventSessionAvatarConnecting",
    "ServerEventSessionAvatarSwitchToIdle",
    "ServerEventSessionAvatarSwitchToSpeaking",
    "ServerEventSessionCreated",
    "ServerEventSessionUpdated",
    "ServerEventType",
    "ServerEventWarning",
    "ServerEventWarningDetails",
    "ServerVad",
    "SessionBase",
    "SessionIncludeOption",
    "StaticInterimResponseConfig",
    "SystemMessageItem",
    "TokenUsage",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunctionSelection",
    "ToolChoiceLiteral",
    "ToolChoiceSelection",
    "ToolType",
    "TranscriptionPhrase",
    "TranscriptionWord",
    "TurnDetection",
    "TurnDetectionType",
    "UserMessageItem",
    "VideoCrop",
    "VideoParams",
    "VideoResolution",
    "Voice",
    "VoiceLiveErrorDetails",
]

# --- enums --------------------------------------------------------------------------------------------------------


class AnimationOutputType(StrEnum):
    """What an animated avatar gets besides audio."""

    BLENDSHAPES = "blendshapes"
    VISEME_ID = "viseme_id"


class AudioTimestampType(StrEnum):
    """Which timestamps ``output_audio_timestamp_types`` asks for."""

    WORD = "word"


class AvatarConfigTypes(StrEnum):
    """The kinds of avatar."""

    VIDEO_AVATAR = "video-avatar"
    PHOTO_AVATAR = "photo-avatar"


class AvatarOutputProtocol(StrEnum):
    """How the avatar's video reaches the client."""

    WEBRTC = "webrtc"
    WEBSOCKET = "websocket"


class AzureRealtimeNativeVoiceName(StrEnum):
    """The voices of ``azure-realtime-native``."""

    AARTI = "aarti"
    ANDREW = "andrew"
    AVA = "ava"
    DENISE = "denise"
    DIYA = "diya"
    ELSA = "elsa"
    FLORIAN = "florian"
    FRANCISCA = "francisca"
    MEERA = "meera"
    XIAOXIAO = "xiaoxiao"
    YUNXI = "yunxi"
    XIMENA = "ximena"


class AzureVoiceType(StrEnum):
    """The ``type`` of an Azure voice object."""

    AZURE_CUSTOM = "azure-custom"
    AZURE_STANDARD = "azure-standard"
    AZURE_PERSONAL = "azure-personal"
    AVATAR_VOICE_SYNC = "avatar-voice-sync"


class ClientEventType(StrEnum):
    """The wire ``type`` of every client event pyagent models (and ``mcp_approval_response``, as the SDK lists it)."""

    SESSION_UPDATE = "session.update"
    INPUT_AUDIO_BUFFER_APPEND = "input_audio_buffer.append"
    INPUT_AUDIO_BUFFER_COMMIT = "input_audio_buffer.commit"
    INPUT_AUDIO_BUFFER_CLEAR = "input_audio_buffer.clear"
    INPUT_AUDIO_TURN_START = "input_audio.turn.start"
    INPUT_AUDIO_TURN_APPEND = "input_audio.turn.append"
    INPUT_AUDIO_TURN_END = "input_audio.turn.end"
    INPUT_AUDIO_TURN_CANCEL = "input_audio.turn.cancel"
    INPUT_AUDIO_CLEAR = "input_audio.clear"
    CONVERSATION_ITEM_CREATE = "conversation.item.create"
    CONVERSATION_ITEM_RETRIEVE = "conversation.item.retrieve"
    CONVERSATION_ITEM_TRUNCATE = "conversation.item.truncate"
    CONVERSATION_ITEM_DELETE = "conversation.item.delete"
    RESPONSE_CREATE = "response.create"
    RESPONSE_CANCEL = "response.cancel"
    SESSION_AVATAR_CONNECT = "session.avatar.connect"
    MCP_APPROVAL_RESPONSE = "mcp_approval_response"
    OUTPUT_AUDIO_BUFFER_CLEAR = "output_audio_buffer.clear"
    INPUT_TEXT_DELTA = "input_text.delta"
    INPUT_TEXT_DONE = "input_text.done"
    SESSION_CLOSE = "session.close"
    SESSION_INPUT_AUDIO_BUFFER_APPEND = "session.input_audio_buffer.append"
    TRANSCRIPTION_SESSION_UPDATE = "transcription_session.update"


class ContentPartType(StrEnum):
    """The ``type`` of a content part."""

    INPUT_TEXT = "input_text"
    INPUT_AUDIO = "input_audio"
    INPUT_IMAGE = "input_image"
    TEXT = "text"
    AUDIO = "audio"
    OUTPUT_TEXT = "output_text"
    OUTPUT_AUDIO = "output_audio"
    ITEM_REFERENCE = "item_reference"


class EchoCancellationReferenceSource(StrEnum):
    """Where echo cancellation takes its reference signal from."""

    SERVER = "server"
    CLIENT = "client"


class EouThresholdLevel(StrEnum):
    """How readily end-of-utterance detection ends a turn."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    DEFAULT = "default"


class InputAudioFormat(StrEnum):
    """The beta / Voice Live input audio formats."""

    PCM16 = "pcm16"
    G711_ULAW = "g711_ulaw"
    G711_ALAW = "g711_alaw"


class InterimResponseConfigType(StrEnum):
    """The kinds of interim response."""

    STATIC_INTERIM_RESPONSE = "static_interim_response"
    LLM_INTERIM_RESPONSE = "llm_interim_response"


class InterimResponseTrigger(StrEnum):
    """What makes the service say an interim response."""

    LATENCY = "latency"
    TOOL = "tool"


class ItemParamStatus(StrEnum):
    """The status a client may give an item it creates."""

    COMPLETED = "completed"
    INCOMPLETE = "incomplete"


class ItemType(StrEnum):
    """The ``type`` of a conversation item."""

    MESSAGE = "message"
    FUNCTION_CALL = "function_call"
    FUNCTION_CALL_OUTPUT = "function_call_output"
    MCP_LIST_TOOLS = "mcp_list_tools"
    MCP_CALL = "mcp_call"
    MCP_APPROVAL_REQUEST = "mcp_approval_request"
    MCP_APPROVAL_RESPONSE = "mcp_approval_response"
    WEB_SEARCH_CALL = "web_search_call"
    FILE_SEARCH_CALL = "file_search_call"
    ITEM_REFERENCE = "item_reference"


class MCPApprovalType(StrEnum):
    """``require_approval`` of an MCP server."""

    NEVER = "never"
    ALWAYS = "always"


class MessageRole(StrEnum):
    """Who wrote a message."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class Modality(StrEnum):
    """What a session or response produces."""

    TEXT = "text"
    AUDIO = "audio"
    ANIMATION = "animation"
    AVATAR = "avatar"


class OpenAIVoiceName(StrEnum):
    """The OpenAI voices."""

    ALLOY = "alloy"
    ASH = "ash"
    BALLAD = "ballad"
    CORAL = "coral"
    ECHO = "echo"
    SAGE = "sage"
    SHIMMER = "shimmer"
    VERSE = "verse"
    MARIN = "marin"
    CEDAR = "cedar"


class OutputAudioFormat(StrEnum):
    """The beta / Voice Live output audio formats."""

    PCM16 = "pcm16"
    PCM16_8000_HZ = "pcm16_8000hz"
    PCM16_16000_HZ = "pcm16_16000hz"
    G711_ULAW = "g711_ulaw"
    G711_ALAW = "g711_alaw"


class PersonalVoiceModels(StrEnum):
    """The neural models a personal voice runs on."""

    DRAGON_LATEST_NEURAL = "DragonLatestNeural"
    PHOENIX_LATEST_NEURAL = "PhoenixLatestNeural"
    PHOENIX_V2_NEURAL = "PhoenixV2Neural"
    DRAGON_HD_OMNI_LATEST_NEURAL = "DragonHDOmniLatestNeural"
    MAI_VOICE1 = "MAI-Voice-1"


class PhotoAvatarBaseModes(StrEnum):
    """The base models of a photo avatar."""

    VASA1 = "vasa-1"


class ReasoningEffort(StrEnum):
    """How hard a reasoning model thinks."""

    NONE = "none"
    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    XHIGH = "xhigh"


class RequestImageContentPartDetail(StrEnum):
    """The detail an image is looked at with."""

    AUTO = "auto"
    LOW = "low"
    HIGH = "high"


class ResponseItemStatus(StrEnum):
    """The status of an item a response produced."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"


class ResponseStatus(StrEnum):
    """The status of a response."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    IN_PROGRESS = "in_progress"


class ServerEventType(StrEnum):
    """The wire ``type`` of every server event pyagent models."""

    ERROR = "error"
    WARNING = "warning"
    SESSION_AVATAR_CONNECTING = "session.avatar.connecting"
    SESSION_CREATED = "session.created"
    SESSION_UPDATED = "session.updated"
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_COMPLETED = "conversation.item.input_audio_transcription.completed"
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_DELTA = "conversation.item.input_audio_transcription.delta"
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_FAILED = "conversation.item.input_audio_transcription.failed"
    CONVERSATION_ITEM_CREATED = "conversation.item.created"
    CONVERSATION_ITEM_RETRIEVED = "conversation.item.retrieved"
    CONVERSATION_ITEM_TRUNCATED = "conversation.item.truncated"
    CONVERSATION_ITEM_DELETED = "conversation.item.deleted"
    INPUT_AUDIO_BUFFER_COMMITTED = "input_audio_buffer.committed"
    INPUT_AUDIO_BUFFER_CLEARED = "input_audio_buffer.cleared"
    INPUT_AUDIO_BUFFER_SPEECH_STARTED = "input_audio_buffer.speech_started"
    INPUT_AUDIO_BUFFER_SPEECH_STOPPED = "input_audio_buffer.speech_stopped"
    RESPONSE_CREATED = "response.created"
    RESPONSE_DONE = "response.done"
    RESPONSE_OUTPUT_ITEM_ADDED = "response.output_item.added"
    RESPONSE_OUTPUT_ITEM_DONE = "response.output_item.done"
    RESPONSE_CONTENT_PART_ADDED = "response.content_part.added"
    RESPONSE_CONTENT_PART_DONE = "response.content_part.done"
    RESPONSE_TEXT_DELTA = "response.text.delta"
    RESPONSE_TEXT_DONE = "response.text.done"
    RESPONSE_AUDIO_TRANSCRIPT_DELTA = "response.audio_transcript.delta"
    RESPONSE_AUDIO_TRANSCRIPT_DONE = "response.audio_transcript.done"
    RESPONSE_AUDIO_DELTA = "response.audio.delta"
    RESPONSE_AUDIO_DONE = "response.audio.done"
    RESPONSE_ANIMATION_BLENDSHAPES_DELTA = "response.animation_blendshapes.delta"
    RESPONSE_ANIMATION_BLENDSHAPES_DONE = "response.animation_blendshapes.done"
    RESPONSE_AUDIO_TIMESTAMP_DELTA = "response.audio_timestamp.delta"
    RESPONSE_AUDIO_TIMESTAMP_DONE = "response.audio_timestamp.done"
    RESPONSE_ANIMATION_VISEME_DELTA = "response.animation_viseme.delta"
    RESPONSE_ANIMATION_VISEME_DONE = "response.animation_viseme.done"
    RESPONSE_FUNCTION_CALL_ARGUMENTS_DELTA = "response.function_call_arguments.delta"
    RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE = "response.function_call_arguments.done"
    MCP_LIST_TOOLS_IN_PROGRESS = "mcp_list_tools.in_progress"
    MCP_LIST_TOOLS_COMPLETED = "mcp_list_tools.completed"
    MCP_LIST_TOOLS_FAILED = "mcp_list_tools.failed"
    RESPONSE_MCP_CALL_ARGUMENTS_DELTA = "response.mcp_call_arguments.delta"
    RESPONSE_MCP_CALL_ARGUMENTS_DONE = "response.mcp_call_arguments.done"
    RESPONSE_MCP_CALL_IN_PROGRESS = "response.mcp_call.in_progress"
    RESPONSE_MCP_CALL_COMPLETED = "response.mcp_call.completed"
    RESPONSE_MCP_CALL_FAILED = "response.mcp_call.failed"
    SESSION_AVATAR_SWITCH_TO_SPEAKING = "session.avatar.switch_to_speaking"
    SESSION_AVATAR_SWITCH_TO_IDLE = "session.avatar.switch_to_idle"
    RESPONSE_VIDEO_DELTA = "response.video.delta"
    RESPONSE_WEB_SEARCH_CALL_SEARCHING = "response.web_search_call.searching"
    RESPONSE_WEB_SEARCH_CALL_IN_PROGRESS = "response.web_search_call.in_progress"
    RESPONSE_WEB_SEARCH_CALL_COMPLETED = "response.web_search_call.completed"
    RESPONSE_FILE_SEARCH_CALL_SEARCHING = "response.file_search_call.searching"
    RESPONSE_FILE_SEARCH_CALL_IN_PROGRESS = "response.file_search_call.in_progress"
    RESPONSE_FILE_SEARCH_CALL_COMPLETED = "response.file_search_call.completed"
    OUTPUT_AUDIO_BUFFER_CLEARED = "output_audio_buffer.cleared"
    RESPONSE_AUDIO_TRANSCRIPT_ANNOTATION_ADDED = "response.audio_transcript.annotation.added"
    RESPONSE_INVOCATION_DELTA = "response.invocation.delta"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_ITEM_ADDED = "conversation.item.added"
    CONVERSATION_ITEM_DONE = "conversation.item.done"
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_SEGMENT = "conversation.item.input_audio_transcription.segment"
    INPUT_AUDIO_BUFFER_DTMF_EVENT_RECEIVED = "input_audio_buffer.dtmf_event_received"
    INPUT_AUDIO_BUFFER_TIMEOUT_TRIGGERED = "input_audio_buffer.timeout_triggered"
    OUTPUT_AUDIO_BUFFER_STARTED = "output_audio_buffer.started"
    OUTPUT_AUDIO_BUFFER_STOPPED = "output_audio_buffer.stopped"
    RATE_LIMITS_UPDATED = "rate_limits.updated"
    RESPONSE_OUTPUT_AUDIO_DELTA = "response.output_audio.delta"
    RESPONSE_OUTPUT_AUDIO_DONE = "response.output_audio.done"
    RESPONSE_OUTPUT_AUDIO_TRANSCRIPT_DELTA = "response.output_audio_transcript.delta"
    RESPONSE_OUTPUT_AUDIO_TRANSCRIPT_DONE = "response.output_audio_transcript.done"
    RESPONSE_OUTPUT_TEXT_DELTA = "response.output_text.delta"
    RESPONSE_OUTPUT_TEXT_DONE = "response.output_text.done"
    SESSION_CLOSED = "session.closed"
    SESSION_INPUT_TRANSCRIPT_DELTA = "session.input_transcript.delta"
    SESSION_OUTPUT_AUDIO_DELTA = "session.output_audio.delta"
    SESSION_OUTPUT_TRANSCRIPT_DELTA = "session.output_transcript.delta"
    TRANSCRIPTION_SESSION_CREATED = "transcription_session.created"
    TRANSCRIPTION_SESSION_UPDATED = "transcription_session.updated"


class SessionIncludeOption(StrEnum):
    """What ``include`` adds to a session's events."""

    ITEM_INPUT_AUDIO_TRANSCRIPTION_LOGPROBS = "item.input_audio_transcription.logprobs"
    ITEM_INPUT_AUDIO_TRANSCRIPTION_PHRASES = "item.input_audio_transcription.phrases"
    FILE_SEARCH_CALL_RESULTS = "file_search_call.results"


class ToolChoiceLiteral(StrEnum):
    """The string forms of ``tool_choice``."""

    AUTO = "auto"
    NONE = "none"
    REQUIRED = "required"


class ToolType(StrEnum):
    """The ``type`` of a tool."""

    FUNCTION = "function"
    MCP = "mcp"


class TurnDetectionType(StrEnum):
    """The ``type`` of a turn detection."""

    SERVER_VAD = "server_vad"
    AZURE_SEMANTIC_VAD = "azure_semantic_vad"
    AZURE_SEMANTIC_VAD_EN = "azure_semantic_vad_en"
    AZURE_SEMANTIC_VAD_MULTILINGUAL = "azure_semantic_vad_multilingual"
    SEMANTIC_VAD = "semantic_vad"


# --- events: the SDK's names for pyagent's event classes -----------------------------------------------------------

ClientEvent: TypeAlias = ev.ClientEvent
"""Any client event (the SDK's base class): pyagent's union of every client event it models."""
ServerEvent: TypeAlias = ev.ServerEvent
"""Any server event (the SDK's base class): pyagent's union, ``UnknownEvent`` and ``InvalidEvent`` included."""

ClientEventConversationItemCreate = ev.ConversationItemCreate
ClientEventConversationItemDelete = ev.ConversationItemDelete
ClientEventConversationItemRetrieve = ev.ConversationItemRetrieve
ClientEventConversationItemTruncate = ev.ConversationItemTruncate
ClientEventInputAudioBufferAppend = ev.InputAudioBufferAppend
ClientEventInputAudioBufferClear = ev.InputAudioBufferClear
ClientEventInputAudioBufferCommit = ev.InputAudioBufferCommit
ClientEventInputAudioClear = ev.InputAudioClear
ClientEventInputAudioTurnAppend = ev.InputAudioTurnAppend
ClientEventInputAudioTurnCancel = ev.InputAudioTurnCancel
ClientEventInputAudioTurnEnd = ev.InputAudioTurnEnd
ClientEventInputAudioTurnStart = ev.InputAudioTurnStart
ClientEventInputTextDelta = ev.InputTextDelta
ClientEventInputTextDone = ev.InputTextDone
ClientEventOutputAudioBufferClear = ev.OutputAudioBufferClear
ClientEventResponseCancel = ev.ResponseCancel
ClientEventResponseCreate = ev.ResponseCreate
ClientEventSessionAvatarConnect = ev.SessionAvatarConnect
ClientEventSessionUpdate = ev.SessionUpdate

ServerEventConversationItemCreated = ev.ConversationItemCreated
ServerEventConversationItemDeleted = ev.ConversationItemDeleted
ServerEventConversationItemInputAudioTranscriptionCompleted = ev.ConversationItemInputAudioTranscriptionCompleted
ServerEventConversationItemInputAudioTranscriptionDelta = ev.ConversationItemInputAudioTranscriptionDelta
ServerEventConversationItemInputAudioTranscriptionFailed = ev.ConversationItemInputAudioTranscriptionFailed
ServerEventConversationItemRetrieved = ev.ConversationItemRetrieved
ServerEventConversationItemTruncated = ev.ConversationItemTruncated
ServerEventError = ev.ErrorEvent
ServerEventInputAudioBufferCleared = ev.InputAudioBufferCleared
ServerEventInputAudioBufferCommitted = ev.InputAudioBufferCommitted
ServerEventInputAudioBufferSpeechStarted = ev.InputAudioBufferSpeechStarted
ServerEventInputAudioBufferSpeechStopped = ev.InputAudioBufferSpeechStopped
ServerEventMcpListToolsCompleted = ev.McpListToolsCompleted
ServerEventMcpListToolsFailed = ev.McpListToolsFailed
ServerEventMcpListToolsInProgress = ev.McpListToolsInProgress
ServerEventOutputAudioBufferCleared = ev.OutputAudioBufferCleared
ServerEventResponseAnimationBlendshapeDelta = ev.ResponseAnimationBlendshapesDelta
ServerEventResponseAnimationBlendshapeDone = ev.ResponseAnimationBlendshapesDone
ServerEventResponseAnimationVisemeDelta = ev.ResponseAnimationVisemeDelta
ServerEventResponseAnimationVisemeDone = ev.ResponseAnimationVisemeDone
ServerEventResponseAudioDelta = ev.ResponseAudioDelta
ServerEventResponseAudioDone = ev.ResponseAudioDone
ServerEventResponseAudioTimestampDelta = ev.ResponseAudioTimestampDelta
ServerEventResponseAudioTimestampDone = ev.ResponseAudioTimestampDone
ServerEventResponseAudioTranscriptAnnotationAdded = ev.ResponseAudioTranscriptAnnotationAdded
ServerEventResponseAudioTranscriptDelta = ev.ResponseAudioTranscriptDelta
ServerEventResponseAudioTranscriptDone = ev.ResponseAudioTranscriptDone
ServerEventResponseContentPartAdded = ev.ResponseContentPartAdded
ServerEventResponseContentPartDone = ev.ResponseContentPartDone
ServerEventResponseCreated = ev.ResponseCreated
ServerEventResponseDone = ev.ResponseDone
ServerEventResponseFileSearchCallCompleted = ev.ResponseFileSearchCallCompleted
ServerEventResponseFileSearchCallInProgress = ev.ResponseFileSearchCallInProgress
ServerEventResponseFileSearchCallSearching = ev.ResponseFileSearchCallSearching
ServerEventResponseFunctionCallArgumentsDelta = ev.ResponseFunctionCallArgumentsDelta
ServerEventResponseFunctionCallArgumentsDone = ev.ResponseFunctionCallArgumentsDone
ServerEventResponseInvocationDelta = ev.ResponseInvocationDelta
ServerEventResponseMcpCallArgumentsDelta = ev.ResponseMcpCallArgumentsDelta
ServerEventResponseMcpCallArgumentsDone = ev.ResponseMcpCallArgumentsDone
ServerEventResponseMcpCallCompleted = ev.ResponseMcpCallCompleted
ServerEventResponseMcpCallFailed = ev.ResponseMcpCallFailed
ServerEventResponseMcpCallInProgress = ev.ResponseMcpCallInProgress
ServerEventResponseOutputItemAdded = ev.ResponseOutputItemAdded
ServerEventResponseOutputItemDone = ev.ResponseOutputItemDone
ServerEventResponseTextDelta = ev.ResponseTextDelta
ServerEventResponseTextDone = ev.ResponseTextDone
ServerEventResponseVideoDelta = ev.ResponseVideoDelta
ServerEventResponseWebSearchCallCompleted = ev.ResponseWebSearchCallCompleted
ServerEventResponseWebSearchCallInProgress = ev.ResponseWebSearchCallInProgress
ServerEventResponseWebSearchCallSearching = ev.ResponseWebSearchCallSearching
ServerEventSessionAvatarConnecting = ev.SessionAvatarConnecting
ServerEventSessionAvatarSwitchToIdle = ev.SessionAvatarSwitchToIdle
ServerEventSessionAvatarSwitchToSpeaking = ev.SessionAvatarSwitchToSpeaking
ServerEventSessionCreated = ev.SessionCreated
ServerEventSessionUpdated = ev.SessionUpdated
ServerEventWarning = ev.WarningEvent
ServerEventErrorDetails = ev.ErrorDetail
ServerEventWarningDetails = ev.WarningDetail
VoiceLiveErrorDetails = ev.ErrorDetail


# --- session and response -------------------------------------------------------------------------------------------

RequestSession = ev.Session
ResponseSession = ev.Session
SessionBase = ev.Session
ResponseCreateParams = ev.ResponseCreateParams
Response = ev.Response
ResponseStatusDetails = ev.ResponseStatusDetails
TokenUsage = ev.Usage
InputTokenDetails = ev.InputTokenDetails
OutputTokenDetails = ev.OutputTokenDetails
CachedTokenDetails = ev.CachedTokenDetails
Animation = ev.Animation
AgentConfig = ev.SessionAgent
AudioEchoCancellation = ev.AudioEchoCancellation
AudioNoiseReduction = ev.AudioNoiseReduction
AudioInputTranscriptionOptions = ev.AudioInputTranscription
InterimResponseConfigBase = ev.InterimResponse
InterimResponseConfig = ev.InterimResponse
"""A static or LLM interim response (the SDK's union of the two; both are :class:`InterimResponseConfigBase`)."""


class ResponseCancelledDetails(ev.ResponseStatusDetails, kw_only=True):
    """Why a response was cancelled: ``type`` is ``"cancelled"``."""

    type: str | UnsetType | None = "cancelled"


class ResponseFailedDetails(ev.ResponseStatusDetails, kw_only=True):
    """Why a response failed: ``type`` is ``"failed"``."""

    type: str | UnsetType | None = "failed"


class ResponseIncompleteDetails(ev.ResponseStatusDetails, kw_only=True):
    """Why a response is incomplete: ``type`` is ``"incomplete"``."""

    type: str | UnsetType | None = "incomplete"


class LlmInterimResponseConfig(ev.InterimResponse, kw_only=True):
    """An interim response a model writes: ``type`` is ``"llm_interim_response"``."""

    type: str = "llm_interim_response"


class StaticInterimResponseConfig(ev.InterimResponse, kw_only=True):
    """An interim response from fixed ``texts``: ``type`` is ``"static_interim_response"``."""

    type: str = "static_interim_response"


# --- voices ---------------------------------------------------------------------------------------------------------

Voice = ev.Voice
AzureVoice = ev.Voice


class AzureStandardVoice(ev.Voice, kw_only=True):
    """An Azure standard voice by ``name``: ``type`` is ``"azure-standard"``."""

    type: str | UnsetType | None = "azure-standard"


class AzureCustomVoice(ev.Voice, kw_only=True):
    """An Azure custom voice (``name``, ``endpoint_id``): ``type`` is ``"azure-custom"``."""

    type: str | UnsetType | None = "azure-custom"


class AzurePersonalVoice(ev.Voice, kw_only=True):
    """An Azure personal voice (``name``, ``model``): ``type`` is ``"azure-personal"``."""

    type: str | UnsetType | None = "azure-personal"


class AzureAvatarVoiceSyncVoice(ev.Voice, kw_only=True):
    """The voice of a voice-sync avatar: ``type`` is ``"avatar-voice-sync"``."""

    type: str | UnsetType | None = "avatar-voice-sync"


class AzureRealtimeNativeVoice(ev.Voice, kw_only=True):
    """A voice of the realtime-native models: ``type`` is ``"azure-realtime-native"``."""

    type: str | UnsetType | None = "azure-realtime-native"


class OpenAIVoice(ev.Voice, kw_only=True):
    """An OpenAI voice given as an object: ``type`` is ``"openai"``."""

    type: str | UnsetType | None = "openai"


# --- turn detection ---------------------------------------------------------------------------------------------------

TurnDetection: TypeAlias = ev.TurnDetection
"""Any turn detection (the SDK's base class): pyagent's union of its variants."""
ServerVad = ev.ServerVad
AzureSemanticVad = ev.AzureSemanticVad
AzureSemanticVadEn = ev.AzureSemanticVadEn
AzureSemanticVadMultilingual = ev.AzureSemanticVadMultilingual
EouDetection = ev.EndOfUtteranceDetection


class AzureSemanticDetection(ev.EndOfUtteranceDetection, kw_only=True):
    """Semantic end-of-utterance detection: ``model`` is ``"semantic_detection_v1"``."""

    model: str = "semantic_detection_v1"


class AzureSemanticDetectionEn(ev.EndOfUtteranceDetection, kw_only=True):
    """English semantic end-of-utterance detection: ``model`` is ``"semantic_detection_v1_en"``."""

    model: str = "semantic_detection_v1_en"


class AzureSemanticDetectionMultilingual(ev.EndOfUtteranceDetection, kw_only=True):
    """Multilingual semantic end-of-utterance detection: ``model`` is ``"semantic_detection_v1_multilingual"``."""

    model: str = "semantic_detection_v1_multilingual"


# --- tools ----------------------------------------------------------------------------------------------------------

Tool: TypeAlias = ev.Tool
"""Any tool (the SDK's base class): a function or an MCP server."""
FunctionTool = ev.FunctionTool
MCPServer = ev.McpTool
MCPTool = ev.McpToolInfo
ToolChoice: TypeAlias = ev.ToolChoice
"""``"auto"``, ``"none"``, ``"required"`` or a forced tool."""
ToolChoiceSelection: TypeAlias = ev.ToolChoiceFunction | ev.ToolChoiceMcp
"""A forced tool (the SDK's base class)."""
ToolChoiceFunctionSelection = ev.ToolChoiceFunction


# --- items and content parts ---------------------------------------------------------------------------------------

ConversationItemBase: TypeAlias = ev.Item
"""Any conversation item."""
ConversationRequestItem: TypeAlias = ev.Item
"""An item a client creates (the SDK's base class): pyagent's union of items."""
ResponseItem: TypeAlias = ev.Item
"""An item a response produced (the SDK's base class): pyagent's union of items."""
MessageItem = ev.MessageItem
ResponseMessageItem = ev.MessageItem
FunctionCallItem = ev.FunctionCallItem
ResponseFunctionCallItem = ev.FunctionCallItem
FunctionCallOutputItem = ev.FunctionCallOutputItem
ResponseFunctionCallOutputItem = ev.FunctionCallOutputItem
MCPApprovalResponseRequestItem = ev.McpApprovalResponseItem
ResponseMCPApprovalResponseItem = ev.McpApprovalResponseItem
ResponseMCPApprovalRequestItem = ev.McpApprovalRequestItem
ResponseMCPCallItem = ev.McpCallItem
ResponseMCPListToolItem = ev.McpListToolsItem
ResponseFileSearchCallItem = ev.FileSearchCallItem
ResponseWebSearchCallItem = ev.WebSearchCallItem
FileSearchResult = ev.FileSearchResult


class SystemMessageItem(ev.MessageItem, kw_only=True):
    """A system message: ``role`` is ``"system"``."""

    role: str = "system"


class UserMessageItem(ev.MessageItem, kw_only=True):
    """A user message: ``role`` is ``"user"``."""

    role: str = "user"


class AssistantMessageItem(ev.MessageItem, kw_only=True):
    """An assistant message: ``role`` is ``"assistant"``."""

    role: str = "assistant"


ContentPart: TypeAlias = ev.ContentPart
"""Any content part (the SDK's base class)."""
MessageContentPart: TypeAlias = ev.ContentPart
"""A content part of a message a client creates (the SDK's base class)."""
InputTextContentPart = ev.InputTextContent
RequestTextContentPart = ev.InputTextContent
InputAudioContentPart = ev.InputAudioContent
RequestAudioContentPart = ev.InputAudioContent
RequestImageContentPart = ev.InputImageContent
OutputTextContentPart = ev.TextContent
ResponseTextContentPart = ev.TextContent
ResponseAudioContentPart = ev.AudioContent
LogProbProperties = ev.LogProb
TranscriptionPhrase = ev.TranscriptionPhrase
TranscriptionWord = ev.TranscriptionWord


class ActionSearchSource(Model, kw_only=True):
    """A source a web search used: ``type`` is ``"url"``."""

    type: str | UnsetType | None = "url"
    url: str | UnsetType | None = UNSET


class ActionSearch(Model, kw_only=True):
    """The ``search`` action of a web search call (a ``WebSearchCallItem``'s ``action``)."""

    type: str | UnsetType | None = "search"
    query: str | UnsetType | None = UNSET
    sources: list[ActionSearchSource] | UnsetType | None = UNSET


class ActionOpenPage(Model, kw_only=True):
    """The ``open_page`` action of a web search call."""

    type: str | UnsetType | None = "open_page"
    url: str | UnsetType | None = UNSET


class ActionFind(Model, kw_only=True):
    """The ``find`` action of a web search call: a ``pattern`` looked for in the page at ``url``."""

    type: str | UnsetType | None = "find"
    pattern: str | UnsetType | None = UNSET
    url: str | UnsetType | None = UNSET


class ErrorResponse(Model, kw_only=True):
    """An error body: ``{"error": {...}}``."""

    error: ev.ErrorDetail | UnsetType | None = UNSET


# --- avatar ---------------------------------------------------------------------------------------------------------

IceServer = ev.AvatarIceServer
Background = ev.AvatarBackground
Scene = ev.AvatarScene
VideoCrop = ev.AvatarVideoCrop
VideoParams = ev.AvatarVideo
VideoResolution = ev.AvatarVideoResolution


class AvatarConfig(Model, kw_only=True):
    """A session's ``avatar`` built with the SDK's argument names: ``avatar_type`` is the wire ``type``; otherwise
    :class:`pyagent.realtime.events.Avatar` (what decoding gives)."""

    avatar_type: str | UnsetType | None = msgspec.field(default=UNSET, name="type")
    ice_servers: list[ev.AvatarIceServer] | UnsetType | None = UNSET
    character: str | UnsetType | None = UNSET
    style: str | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    customized: bool | UnsetType | None = UNSET
    video: ev.AvatarVideo | UnsetType | None = UNSET
    scene: ev.AvatarScene | UnsetType | None = UNSET
    output_protocol: str | UnsetType | None = UNSET
    output_audit_audio: bool | UnsetType | None = UNSET
