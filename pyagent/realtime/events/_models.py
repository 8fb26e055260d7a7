"""The nested objects events carry: session, response, items, content parts, tools, usage, errors.

One Struct per object, each the superset of what OpenAI GA, the beta shape (Azure OpenAI preview) and Azure AI Voice
Live put there, so that one decoder serves every dialect. Where the protocol tells variants apart by ``type``
(items, content parts, turn detection, tools, audio formats) the variants are a tagged union msgspec picks in C;
where a field is a string in one dialect and an object in another (``voice``, audio ``format``, ``tool_choice``)
the field is the union of both. Optional fields accept ``null`` because the servers send it (``"usage": null``) and
keep it, so a decoded event encodes back to the same JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from pyagent.realtime.events._base import Model, TaggedModel, masked_repr
from pyagent.realtime.events._fallback import (
    UnknownContentPart,
    UnknownItem,
    UnknownTool,
    UnknownToolChoice,
    UnknownTranscriptionUsage,
    UnknownTruncation,
    UnknownTurnDetection,
)

__all__ = [
    "Animation",
    "AudioContent",
    "AudioEchoCancellation",
    "AudioFormat",
    "AudioInputTranscription",
    "AudioNoiseReduction",
    "Avatar",
    "AvatarBackground",
    "AvatarIceServer",
    "AvatarScene",
    "AvatarVideo",
    "AvatarVideoCrop",
    "AvatarVideoResolution",
    "AzureSemanticVad",
    "AzureSemanticVadEn",
    "AzureSemanticVadMultilingual",
    "CachedTokenDetails",
    "ClientSecret",
    "ClientSecretExpiry",
    "ContentPart",
    "Conversation",
    "EndOfUtteranceDetection",
    "ErrorDetail",
    "FileSearchCallItem",
    "FileSearchResult",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "FunctionTool",
    "InputAudioContent",
    "InputImageContent",
    "InputTextContent",
    "InputTokenDetails",
    "InterimResponse",
    "Item",
    "ItemReference",
    "ItemReferenceContent",
    "LogProb",
    "McpApprovalFilter",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallItem",
    "McpError",
    "McpListToolsItem",
    "McpTool",
    "McpToolFilter",
    "McpToolInfo",
    "MessageItem",
    "OutputAudioContent",
    "OutputTextContent",
    "OutputTokenDetails",
    "PcmAudioFormat",
    "PcmaAudioFormat",
    "PcmuAudioFormat",
    "Prompt",
    "RateLimit",
    "Reasoning",
    "Response",
    "ResponseAudio",
    "ResponseAudioOutput",
    "ResponseCreateParams",
    "ResponseStatusDetails",
    "RetentionRatioTruncation",
    "SemanticVad",
    "ServerVad",
    "Session",
    "SessionAgent",
    "SessionAudio",
    "SessionAudioInput",
    "SessionAudioOutput",
    "TextContent",
    "TokenLimits",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceMcp",
    "TracingConfig",
    "TranscriptionDurationUsage",
    "TranscriptionLanguage",
    "TranscriptionPhrase",
    "TranscriptionTokenDetails",
    "TranscriptionTokenUsage",
    "TranscriptionUsage",
    "TranscriptionWord",
    "Truncation",
    "TurnDetection",
    "Usage",
    "Voice",
    "WarningDetail",
    "WebSearchCallItem",
    "WireAudioFormat",
]


# --- errors -----------------------------------------------------------------------------------------------------


class ErrorDetail(Model, kw_only=True):
    """The ``error`` object of an ``error`` event (and of a failed transcription): why the server refused."""

    type: str | UnsetType | None = UNSET
    code: str | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET
    event_id: str | UnsetType | None = UNSET


class WarningDetail(Model, kw_only=True):
    """The ``warning`` object of a Voice Live ``warning`` event: something worked, but not as asked."""

    message: str
    code: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET


# --- audio formats, voices, transcription, noise and echo ---------------------------------------------------------


class AudioFormat(Model, kw_only=True):
    """GA's audio format object: ``{"type": "audio/pcm", "rate": 24000}``, ``{"type": "audio/pcmu"}``,
    ``{"type": "audio/pcma"}``.

    One Struct rather than a tagged union because the OpenAI SDK leaves ``type`` optional (``{"rate": 24000}`` is
    PCM) and a service may name a format pyagent does not know yet: both decode, and encode back as received. Build one
    with :class:`PcmAudioFormat`, :class:`PcmuAudioFormat` or :class:`PcmaAudioFormat`, which fill in ``type``.
    """

    type: str | UnsetType | None = UNSET
    rate: int | UnsetType | None = UNSET


class PcmAudioFormat(AudioFormat, kw_only=True):
    """``{"type": "audio/pcm", "rate": 24000}``: PCM16 little-endian mono (``rate`` in Hz; GA takes 24000)."""

    type: str | UnsetType | None = "audio/pcm"


class PcmuAudioFormat(AudioFormat, kw_only=True):
    """``{"type": "audio/pcmu"}``: G.711 µ-law at 8 kHz."""

    type: str | UnsetType | None = "audio/pcmu"


class PcmaAudioFormat(AudioFormat, kw_only=True):
    """``{"type": "audio/pcma"}``: G.711 A-law at 8 kHz."""

    type: str | UnsetType | None = "audio/pcma"


WireAudioFormat: TypeAlias = str | AudioFormat
"""An audio format: a beta string (``"pcm16"``, ``"g711_ulaw"``, ``"g711_alaw"``) or a GA object."""


class Voice(Model, kw_only=True):
    """A voice given as an object: Voice Live's Azure voices (``azure-standard``, ``azure-custom``,
    ``azure-personal``, ``avatar-voice-sync``, ``azure-realtime-native``, ``openai``) and GA's custom ``{"id"}``.

    One superset Struct rather than a tagged union because GA's custom voice has no ``type``.
    """

    type: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    endpoint_id: str | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    custom_lexicon_url: str | UnsetType | None = UNSET
    custom_text_normalization_url: str | UnsetType | None = UNSET
    prefer_locales: list[str] | UnsetType | None = UNSET
    locale: str | UnsetType | None = UNSET
    style: str | UnsetType | None = UNSET
    pitch: str | UnsetType | None = UNSET
    rate: str | UnsetType | None = UNSET
    volume: str | UnsetType | None = UNSET


class AudioInputTranscription(Model, kw_only=True):
    """How input audio is transcribed (``input_audio_transcription`` / ``audio.input.transcription``)."""

    model: str | UnsetType | None = UNSET
    language: str | UnsetType | None = UNSET
    languages: list[str] | UnsetType | None = UNSET
    prompt: str | UnsetType | None = UNSET
    delay: str | UnsetType | None = UNSET
    keywords: list[str] | UnsetType | None = UNSET
    custom_speech: dict[str, str] | UnsetType | None = UNSET
    phrase_list: list[str] | UnsetType | None = UNSET


class AudioNoiseReduction(Model, kw_only=True):
    """Input noise reduction: ``near_field``, ``far_field`` or Voice Live's ``azure_deep_noise_suppression``."""

    type: str | UnsetType | None = UNSET
    strength: float | UnsetType | None = UNSET


class AudioEchoCancellation(Model, kw_only=True):
    """Voice Live's server echo cancellation, so the assistant does not hear itself.

    ``type`` defaults to the one kind the service documents, ``"server_echo_cancellation"`` (what the Azure SDK's
    ``AudioEchoCancellation()`` sends too).
    """

    type: str | UnsetType | None = "server_echo_cancellation"
    reference_source: str | UnsetType | None = UNSET
    channels: int | UnsetType | None = UNSET


# --- turn detection -------------------------------------------------------------------------------------------------


class EndOfUtteranceDetection(Model, kw_only=True):
    """Voice Live's semantic end-of-utterance model that refines when a turn ends."""

    model: str
    threshold_level: str | UnsetType | None = UNSET
    timeout_ms: int | UnsetType | None = UNSET
    threshold: float | UnsetType | None = UNSET
    timeout: float | UnsetType | None = UNSET


class _VadCommon(TaggedModel, kw_only=True):
    """Fields every server-side VAD shares; ``None`` on the session's ``turn_detection`` disables them all."""

    create_response: bool | UnsetType | None = UNSET
    interrupt_response: bool | UnsetType | None = UNSET


class ServerVad(_VadCommon, tag="server_vad", kw_only=True):
    """Energy-based server VAD (all dialects; Voice Live adds ``end_of_utterance_detection``, ``auto_truncate``)."""

    type: ClassVar[Literal["server_vad"]] = "server_vad"
    threshold: float | UnsetType | None = UNSET
    prefix_padding_ms: int | UnsetType | None = UNSET
    silence_duration_ms: int | UnsetType | None = UNSET
    idle_timeout_ms: int | UnsetType | None = UNSET
    end_of_utterance_detection: EndOfUtteranceDetection | UnsetType | None = UNSET
    auto_truncate: bool | UnsetType | None = UNSET


class SemanticVad(_VadCommon, tag="semantic_vad", kw_only=True):
    """OpenAI's model-based VAD: it waits until the user sounds finished."""

    type: ClassVar[Literal["semantic_vad"]] = "semantic_vad"
    eagerness: str | UnsetType | None = UNSET


class _AzureSemanticVadCommon(_VadCommon, kw_only=True):
    """Voice Live's semantic VADs; ``neg_threshold``, ``window_size``, ``distinct_ci_phones`` and ``require_vowel`` are
    in the service's API reference (azure-ai-voicelive 1.3.1 lacks them)."""

    threshold: float | UnsetType | None = UNSET
    neg_threshold: float | UnsetType | None = UNSET
    window_size: int | UnsetType | None = UNSET
    distinct_ci_phones: int | UnsetType | None = UNSET
    require_vowel: bool | UnsetType | None = UNSET
    prefix_padding_ms: int | UnsetType | None = UNSET
    silence_duration_ms: int | UnsetType | None = UNSET
    speech_duration_ms: int | UnsetType | None = UNSET
    end_of_utterance_detection: EndOfUtteranceDetection | UnsetType | None = UNSET
    remove_filler_words: bool | UnsetType | None = UNSET
    languages: list[str] | UnsetType | None = UNSET
    auto_truncate: bool | UnsetType | None = UNSET


class AzureSemanticVad(_AzureSemanticVadCommon, tag="azure_semantic_vad", kw_only=True):
    """Voice Live's semantic VAD."""

    type: ClassVar[Literal["azure_semantic_vad"]] = "azure_semantic_vad"


class AzureSemanticVadEn(_AzureSemanticVadCommon, tag="azure_semantic_vad_en", kw_only=True):
    """Voice Live's semantic VAD tuned for English."""

    type: ClassVar[Literal["azure_semantic_vad_en"]] = "azure_semantic_vad_en"


class AzureSemanticVadMultilingual(_AzureSemanticVadCommon, tag="azure_semantic_vad_multilingual", kw_only=True):
    """Voice Live's multilingual semantic VAD."""

    type: ClassVar[Literal["azure_semantic_vad_multilingual"]] = "azure_semantic_vad_multilingual"


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    TurnDetection: TypeAlias = (
        ServerVad
        | SemanticVad
        | AzureSemanticVad
        | AzureSemanticVadEn
        | AzureSemanticVadMultilingual
        | UnknownTurnDetection
    )
else:
    TurnDetection = ServerVad | SemanticVad | AzureSemanticVad | AzureSemanticVadEn | AzureSemanticVadMultilingual
"""A turn detection setting; a session's ``turn_detection`` may also be ``None`` (VAD off, the client commits)."""


# --- tools ----------------------------------------------------------------------------------------------------------


class FunctionTool(TaggedModel, tag="function", kw_only=True):
    """A function the model may call; ``parameters`` is a JSON Schema kept as plain data."""

    type: ClassVar[Literal["function"]] = "function"
    name: str | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    parameters: Any | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET


class McpToolFilter(Model, kw_only=True):
    """Which tools of an MCP server a rule covers: by name, or the read-only ones."""

    tool_names: list[str] | UnsetType | None = UNSET
    read_only: bool | UnsetType | None = UNSET


class McpApprovalFilter(Model, kw_only=True):
    """Which MCP tools need approval: GA gives filters, Voice Live lists of tool names."""

    always: McpToolFilter | list[str] | UnsetType | None = UNSET
    never: McpToolFilter | list[str] | UnsetType | None = UNSET


class McpTool(TaggedModel, tag="mcp", kw_only=True):
    """A remote MCP server whose tools the model may call (GA, Voice Live); its credentials never appear in a repr."""

    type: ClassVar[Literal["mcp"]] = "mcp"
    server_label: str
    server_url: str | UnsetType | None = UNSET
    connector_id: str | UnsetType | None = UNSET
    authorization: str | UnsetType | None = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    allowed_tools: list[str] | McpToolFilter | UnsetType | None = UNSET
    require_approval: str | McpApprovalFilter | UnsetType | None = UNSET
    server_description: str | UnsetType | None = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET
    tunnel_id: str | UnsetType | None = UNSET

    def __repr__(self) -> str:
        return masked_repr(self, frozenset({"authorization"}))


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    Tool: TypeAlias = FunctionTool | McpTool | UnknownTool
else:
    Tool = FunctionTool | McpTool
"""A tool in a session or response: a function or an MCP server."""


class ToolChoiceFunction(TaggedModel, tag="function", kw_only=True):
    """Force one function: ``{"type": "function", "name": ...}``."""

    type: ClassVar[Literal["function"]] = "function"
    name: str


class ToolChoiceMcp(TaggedModel, tag="mcp", kw_only=True):
    """Force one MCP server (or one of its tools)."""

    type: ClassVar[Literal["mcp"]] = "mcp"
    server_label: str
    name: str | UnsetType | None = UNSET


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    ToolChoice: TypeAlias = str | ToolChoiceFunction | ToolChoiceMcp | UnknownToolChoice
else:
    ToolChoice = str | ToolChoiceFunction | ToolChoiceMcp
"""``"auto"``, ``"none"``, ``"required"`` or a forced function / MCP tool."""


# --- content parts --------------------------------------------------------------------------------------------------


class InputTextContent(TaggedModel, tag="input_text", kw_only=True):
    """Text the user (or system) wrote."""

    type: ClassVar[Literal["input_text"]] = "input_text"
    text: str | UnsetType | None = UNSET


class InputAudioContent(TaggedModel, tag="input_audio", kw_only=True):
    """Audio the user spoke; ``audio`` is PCM (base64 on the wire), ``transcript`` what was heard."""

    type: ClassVar[Literal["input_audio"]] = "input_audio"
    audio: bytes | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET


class InputImageContent(TaggedModel, tag="input_image", kw_only=True):
    """An image given to the model as a URL or data URL."""

    type: ClassVar[Literal["input_image"]] = "input_image"
    image_url: str | UnsetType | None = UNSET
    detail: str | UnsetType | None = UNSET


class TextContent(TaggedModel, tag="text", kw_only=True):
    """Assistant text (beta name; GA says ``output_text``)."""

    type: ClassVar[Literal["text"]] = "text"
    text: str | UnsetType | None = UNSET


class AudioContent(TaggedModel, tag="audio", kw_only=True):
    """Assistant audio (beta name; GA says ``output_audio``); ``audio`` is PCM bytes when the server includes it."""

    type: ClassVar[Literal["audio"]] = "audio"
    audio: bytes | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET


class OutputTextContent(TaggedModel, tag="output_text", kw_only=True):
    """Assistant text (GA)."""

    type: ClassVar[Literal["output_text"]] = "output_text"
    text: str | UnsetType | None = UNSET


class OutputAudioContent(TaggedModel, tag="output_audio", kw_only=True):
    """Assistant audio (GA); ``audio`` is PCM bytes when the server includes it."""

    type: ClassVar[Literal["output_audio"]] = "output_audio"
    audio: bytes | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET


class ItemReferenceContent(TaggedModel, tag="item_reference", kw_only=True):
    """Beta: a content part that points at another item's content by ``id``."""

    type: ClassVar[Literal["item_reference"]] = "item_reference"
    id: str | UnsetType | None = UNSET


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    ContentPart: TypeAlias = (
        InputTextContent
        | InputAudioContent
        | InputImageContent
        | TextContent
        | AudioContent
        | OutputTextContent
        | OutputAudioContent
        | ItemReferenceContent
        | UnknownContentPart
    )
else:
    ContentPart = (
        InputTextContent
        | InputAudioContent
        | InputImageContent
        | TextContent
        | AudioContent
        | OutputTextContent
        | OutputAudioContent
        | ItemReferenceContent
    )
"""One part of a message's ``content`` (and the ``part`` of ``response.content_part.*``)."""


# --- items ----------------------------------------------------------------------------------------------------------


class MessageItem(TaggedModel, tag="message", kw_only=True):
    """A system, user or assistant message."""

    type: ClassVar[Literal["message"]] = "message"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    role: str
    content: list[ContentPart]


class FunctionCallItem(TaggedModel, tag="function_call", kw_only=True):
    """The model calls a function; the client answers with a :class:`FunctionCallOutputItem` of the same call_id."""

    type: ClassVar[Literal["function_call"]] = "function_call"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    call_id: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET


class FunctionCallOutputItem(TaggedModel, tag="function_call_output", kw_only=True):
    """What a function returned, sent back so the model can use it."""

    type: ClassVar[Literal["function_call_output"]] = "function_call_output"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    call_id: str
    output: str


class McpToolInfo(Model, kw_only=True):
    """One tool an MCP server offers (in an ``mcp_list_tools`` item)."""

    name: str
    description: str | UnsetType | None = UNSET
    input_schema: Any | UnsetType = UNSET
    annotations: Any | UnsetType = UNSET


class McpError(Model, kw_only=True):
    """Why an MCP call failed: ``protocol_error``, ``tool_execution_error`` or ``http_error``."""

    type: str | UnsetType | None = UNSET
    code: int | str | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET


class McpApprovalRequestItem(TaggedModel, tag="mcp_approval_request", kw_only=True):
    """The model asks the client to approve an MCP tool call."""

    type: ClassVar[Literal["mcp_approval_request"]] = "mcp_approval_request"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    server_label: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET


class McpApprovalResponseItem(TaggedModel, tag="mcp_approval_response", kw_only=True):
    """The client's answer to an :class:`McpApprovalRequestItem`."""

    type: ClassVar[Literal["mcp_approval_response"]] = "mcp_approval_response"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    approval_request_id: str
    approve: bool
    reason: str | UnsetType | None = UNSET


class McpListToolsItem(TaggedModel, tag="mcp_list_tools", kw_only=True):
    """The tools an MCP server offered when the session listed them."""

    type: ClassVar[Literal["mcp_list_tools"]] = "mcp_list_tools"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    server_label: str | UnsetType | None = UNSET
    tools: list[McpToolInfo] | UnsetType | None = UNSET


class McpCallItem(TaggedModel, tag="mcp_call", kw_only=True):
    """An MCP tool call the server ran, with its output or error."""

    type: ClassVar[Literal["mcp_call"]] = "mcp_call"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    server_label: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET
    approval_request_id: str | UnsetType | None = UNSET
    output: str | UnsetType | None = UNSET
    error: McpError | UnsetType | None = UNSET


class ItemReference(TaggedModel, tag="item_reference", kw_only=True):
    """A reference to an existing item, used in ``response.create``'s ``input``."""

    type: ClassVar[Literal["item_reference"]] = "item_reference"
    id: str
    object: str | UnsetType | None = UNSET


class FileSearchResult(Model, kw_only=True):
    """One hit of a Voice Live file search."""

    file_id: str | UnsetType | None = UNSET
    filename: str | UnsetType | None = UNSET
    score: float | UnsetType | None = UNSET
    text: str | UnsetType | None = UNSET
    attributes: dict[str, Any] | UnsetType | None = UNSET


class FileSearchCallItem(TaggedModel, tag="file_search_call", kw_only=True):
    """A Voice Live file search the server ran."""

    type: ClassVar[Literal["file_search_call"]] = "file_search_call"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    queries: list[str] | UnsetType | None = UNSET
    results: list[FileSearchResult] | UnsetType | None = UNSET


class WebSearchCallItem(TaggedModel, tag="web_search_call", kw_only=True):
    """A Voice Live web search the server ran; ``action`` (search / open_page / find) is kept as plain data."""

    type: ClassVar[Literal["web_search_call"]] = "web_search_call"
    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    action: Any | UnsetType = UNSET


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    Item: TypeAlias = (
        MessageItem
        | FunctionCallItem
        | FunctionCallOutputItem
        | McpApprovalRequestItem
        | McpApprovalResponseItem
        | McpListToolsItem
        | McpCallItem
        | ItemReference
        | FileSearchCallItem
        | WebSearchCallItem
        | UnknownItem
    )
else:
    Item = (
        MessageItem
        | FunctionCallItem
        | FunctionCallOutputItem
        | McpApprovalRequestItem
        | McpApprovalResponseItem
        | McpListToolsItem
        | McpCallItem
        | ItemReference
        | FileSearchCallItem
        | WebSearchCallItem
    )
"""A conversation item, told apart by ``type``."""


# --- usage, rate limits, transcription details ------------------------------------------------------------------


class CachedTokenDetails(Model, kw_only=True):
    """How many of the cached input tokens were text, audio, image."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET


class InputTokenDetails(Model, kw_only=True):
    """The input tokens of a response by kind."""

    cached_tokens: int | UnsetType | None = UNSET
    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET
    cached_tokens_details: CachedTokenDetails | UnsetType | None = UNSET


class OutputTokenDetails(Model, kw_only=True):
    """The output tokens of a response by kind."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    reasoning_tokens: int | UnsetType | None = UNSET


class Usage(Model, kw_only=True):
    """Token usage of one response (``response.done``), for billing and context accounting."""

    total_tokens: int | UnsetType | None = UNSET
    input_tokens: int | UnsetType | None = UNSET
    output_tokens: int | UnsetType | None = UNSET
    input_token_details: InputTokenDetails | UnsetType | None = UNSET
    output_token_details: OutputTokenDetails | UnsetType | None = UNSET


class TranscriptionTokenDetails(Model, kw_only=True):
    """The input tokens of a transcription by kind."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET


class TranscriptionTokenUsage(TaggedModel, tag="tokens", kw_only=True):
    """Transcription billed by tokens."""

    type: ClassVar[Literal["tokens"]] = "tokens"
    input_tokens: int | UnsetType | None = UNSET
    output_tokens: int | UnsetType | None = UNSET
    total_tokens: int | UnsetType | None = UNSET
    input_token_details: TranscriptionTokenDetails | UnsetType | None = UNSET


class TranscriptionDurationUsage(TaggedModel, tag="duration", kw_only=True):
    """Transcription billed by audio duration."""

    type: ClassVar[Literal["duration"]] = "duration"
    seconds: float | UnsetType | None = UNSET


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    TranscriptionUsage: TypeAlias = TranscriptionTokenUsage | TranscriptionDurationUsage | UnknownTranscriptionUsage
else:
    TranscriptionUsage = TranscriptionTokenUsage | TranscriptionDurationUsage
"""The ``usage`` of a completed input transcription."""


class LogProb(Model, kw_only=True):
    """One token's log probability, when the session ``include``s transcription logprobs."""

    token: str
    logprob: float
    bytes: list[int] | UnsetType | None = UNSET


class TranscriptionLanguage(Model, kw_only=True):
    """A language the transcriber detected (GA ``languages``)."""

    code: str | UnsetType | None = UNSET
    language: str | UnsetType | None = UNSET
    probability: float | UnsetType | None = UNSET
    confidence: float | UnsetType | None = UNSET


class TranscriptionWord(Model, kw_only=True):
    """One word of a Voice Live transcription phrase with its timing."""

    text: str
    offset_milliseconds: int | UnsetType | None = UNSET
    duration_milliseconds: int | UnsetType | None = UNSET


class TranscriptionPhrase(Model, kw_only=True):
    """One phrase of a Voice Live transcription with timing, words and confidence."""

    text: str
    offset_milliseconds: int | UnsetType | None = UNSET
    duration_milliseconds: int | UnsetType | None = UNSET
    words: list[TranscriptionWord] | UnsetType | None = UNSET
    locale: str | UnsetType | None = UNSET
    confidence: float | UnsetType | None = UNSET


class RateLimit(Model, kw_only=True):
    """One rate limit as ``rate_limits.updated`` reports it."""

    name: str | UnsetType | None = UNSET
    limit: int | UnsetType | None = UNSET
    remaining: int | UnsetType | None = UNSET
    reset_seconds: float | UnsetType | None = UNSET


# --- session ----------------------------------------------------------------------------------------------------


class SessionAudioInput(Model, kw_only=True):
    """GA ``session.audio.input``: format, transcription, noise reduction and turn detection of the input."""

    format: WireAudioFormat | UnsetType | None = UNSET
    transcription: AudioInputTranscription | UnsetType | None = UNSET
    noise_reduction: AudioNoiseReduction | UnsetType | None = UNSET
    turn_detection: TurnDetection | UnsetType | None = UNSET


class SessionAudioOutput(Model, kw_only=True):
    """GA ``session.audio.output``: format, voice and speed of what the model says."""

    format: WireAudioFormat | UnsetType | None = UNSET
    voice: str | Voice | UnsetType | None = UNSET
    speed: float | UnsetType | None = UNSET
    language: str | UnsetType | None = UNSET


class SessionAudio(Model, kw_only=True):
    """GA ``session.audio``."""

    input: SessionAudioInput | UnsetType | None = UNSET
    output: SessionAudioOutput | UnsetType | None = UNSET


class TracingConfig(Model, kw_only=True):
    """Where the server's traces of this session go."""

    workflow_name: str | UnsetType | None = UNSET
    group_id: str | UnsetType | None = UNSET
    metadata: Any | UnsetType = UNSET


class TokenLimits(Model, kw_only=True):
    """The token budget a retention-ratio truncation keeps to."""

    post_instructions: int | UnsetType | None = UNSET


class RetentionRatioTruncation(TaggedModel, tag="retention_ratio", kw_only=True):
    """Drop this share of the conversation when the context is full."""

    type: ClassVar[Literal["retention_ratio"]] = "retention_ratio"
    retention_ratio: float | UnsetType | None = UNSET
    token_limits: TokenLimits | UnsetType | None = UNSET


if TYPE_CHECKING:  # msgspec decodes the runtime union; the codec puts the Unknown part in place
    Truncation: TypeAlias = str | RetentionRatioTruncation | UnknownTruncation
else:
    Truncation = str | RetentionRatioTruncation
"""``"auto"``, ``"disabled"`` or a retention-ratio truncation."""


class Prompt(Model, kw_only=True):
    """A stored prompt reference with its variables."""

    id: str
    version: str | UnsetType | None = UNSET
    variables: dict[str, Any] | UnsetType | None = UNSET


class Reasoning(Model, kw_only=True):
    """How hard a reasoning model thinks."""

    effort: str | UnsetType | None = UNSET


class ClientSecretExpiry(Model, kw_only=True):
    """When a requested ephemeral key expires: ``seconds`` after its ``anchor``."""

    anchor: str | UnsetType | None = UNSET
    seconds: int | UnsetType | None = UNSET


class ClientSecret(Model, kw_only=True):
    """An ephemeral key a session was created with; its value never appears in a repr."""

    value: str | UnsetType | None = UNSET
    expires_at: int | ClientSecretExpiry | UnsetType | None = UNSET
    expires_after: ClientSecretExpiry | UnsetType | None = UNSET

    def __repr__(self) -> str:
        return masked_repr(self, frozenset({"value"}))


class AvatarIceServer(Model, kw_only=True):
    """A TURN/STUN server for the avatar's WebRTC stream; the credential never appears in a repr."""

    urls: list[str]
    username: str | UnsetType | None = UNSET
    credential: str | UnsetType | None = UNSET

    def __repr__(self) -> str:
        return masked_repr(self, frozenset({"credential"}))


class AvatarVideoCrop(Model, kw_only=True):
    """The part of the avatar video that is sent."""

    top_left: list[int]
    bottom_right: list[int]


class AvatarVideoResolution(Model, kw_only=True):
    """The avatar video size."""

    width: int
    height: int


class AvatarBackground(Model, kw_only=True):
    """The avatar video background: a colour or an image."""

    color: str | UnsetType | None = UNSET
    image_url: str | UnsetType | None = UNSET


class AvatarVideo(Model, kw_only=True):
    """Encoding of the avatar video stream."""

    bitrate: int | UnsetType | None = UNSET
    codec: str | UnsetType | None = UNSET
    crop: AvatarVideoCrop | UnsetType | None = UNSET
    resolution: AvatarVideoResolution | UnsetType | None = UNSET
    background: AvatarBackground | UnsetType | None = UNSET
    gop_size: int | UnsetType | None = UNSET


class AvatarScene(Model, kw_only=True):
    """Camera placement of a photo avatar."""

    zoom: float | UnsetType | None = UNSET
    position_x: float | UnsetType | None = UNSET
    position_y: float | UnsetType | None = UNSET
    rotation_x: float | UnsetType | None = UNSET
    rotation_y: float | UnsetType | None = UNSET
    rotation_z: float | UnsetType | None = UNSET
    amplitude: float | UnsetType | None = UNSET


class Avatar(Model, kw_only=True):
    """Voice Live's talking avatar (video over WebRTC, negotiated with ``session.avatar.connect``)."""

    type: str | UnsetType | None = UNSET
    character: str | UnsetType | None = UNSET
    style: str | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    customized: bool | UnsetType | None = UNSET
    ice_servers: list[AvatarIceServer] | UnsetType | None = UNSET
    video: AvatarVideo | UnsetType | None = UNSET
    scene: AvatarScene | UnsetType | None = UNSET
    output_protocol: str | UnsetType | None = UNSET
    output_audit_audio: bool | UnsetType | None = UNSET


class Animation(Model, kw_only=True):
    """Voice Live's animation outputs (``blendshapes``, ``viseme_id``) and the model that makes them."""

    model_name: str | UnsetType | None = UNSET
    outputs: list[str] | UnsetType | None = UNSET


class InterimResponse(Model, kw_only=True):
    """Voice Live's interim response (``llm_interim_response`` / ``static_interim_response``): what the assistant
    says while a slow tool or model works."""

    type: str
    triggers: list[str] | UnsetType | None = UNSET
    latency_threshold_ms: int | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    texts: list[str] | UnsetType | None = UNSET


class SessionAgent(Model, kw_only=True):
    """The Foundry agent a Voice Live session runs in agent mode; ``type`` is ``"agent"``, the one kind there is
    (what the Azure SDK's ``AgentConfig`` sends too)."""

    type: str | UnsetType | None = "agent"
    name: str | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    agent_id: str | UnsetType | None = UNSET
    thread_id: str | UnsetType | None = UNSET


class Session(Model, kw_only=True):
    """The session object, requested in ``session.update`` and reported in ``session.created``/``.updated``.

    One Struct for every shape: GA nests audio settings under ``audio`` and says ``output_modalities`` and
    ``max_output_tokens``; the beta shape and Voice Live are flat (``modalities``, ``voice``, ``input_audio_format``,
    ``turn_detection``, ...) and Voice Live adds avatar, animation, echo cancellation and timestamps. Every field is
    optional; ``turn_detection=None`` disables server VAD.
    """

    type: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    expires_at: int | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    # GA nested shape
    output_modalities: list[str] | UnsetType | None = UNSET
    audio: SessionAudio | UnsetType | None = UNSET
    max_output_tokens: int | str | UnsetType | None = UNSET
    include: list[str] | UnsetType | None = UNSET
    tracing: str | TracingConfig | UnsetType | None = UNSET
    truncation: Truncation | UnsetType | None = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    # beta / Voice Live flat shape
    modalities: list[str] | UnsetType | None = UNSET
    voice: str | Voice | UnsetType | None = UNSET
    input_audio_format: str | UnsetType | None = UNSET
    output_audio_format: str | UnsetType | None = UNSET
    input_audio_sampling_rate: int | UnsetType | None = UNSET
    input_audio_transcription: AudioInputTranscription | UnsetType | None = UNSET
    input_audio_noise_reduction: AudioNoiseReduction | UnsetType | None = UNSET
    input_audio_echo_cancellation: AudioEchoCancellation | UnsetType | None = UNSET
    turn_detection: TurnDetection | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    max_response_output_tokens: int | str | UnsetType | None = UNSET
    speed: float | UnsetType | None = UNSET
    client_secret: ClientSecret | UnsetType | None = UNSET
    # both
    tools: list[Tool] | UnsetType | None = UNSET
    tool_choice: ToolChoice | UnsetType | None = UNSET
    # Voice Live extensions
    avatar: Avatar | UnsetType | None = UNSET
    animation: Animation | UnsetType | None = UNSET
    output_audio_timestamp_types: list[str] | UnsetType | None = UNSET
    reasoning_effort: str | UnsetType | None = UNSET
    interim_response: InterimResponse | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType | None = UNSET
    agent: SessionAgent | UnsetType | None = UNSET


class Conversation(Model, kw_only=True):
    """The conversation ``conversation.created`` announces."""

    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET


# --- response ---------------------------------------------------------------------------------------------------


class ResponseStatusDetails(Model, kw_only=True):
    """Why a response ended as it did: ``type`` cancelled / incomplete / failed, a ``reason`` or an ``error``."""

    type: str | UnsetType | None = UNSET
    reason: str | UnsetType | None = UNSET
    error: ErrorDetail | str | UnsetType | None = UNSET


class ResponseAudioOutput(Model, kw_only=True):
    """GA ``response.audio.output``: the format and voice of this response."""

    format: WireAudioFormat | UnsetType | None = UNSET
    voice: str | Voice | UnsetType | None = UNSET


class ResponseAudio(Model, kw_only=True):
    """GA ``response.audio``."""

    output: ResponseAudioOutput | UnsetType | None = UNSET


class Response(Model, kw_only=True):
    """The response object of ``response.created`` / ``response.done``: status, output items and usage."""

    id: str | UnsetType | None = UNSET
    object: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET
    status_details: ResponseStatusDetails | UnsetType | None = UNSET
    output: list[Item] | UnsetType | None = UNSET
    usage: Usage | UnsetType | None = UNSET
    conversation_id: str | UnsetType | None = UNSET
    output_modalities: list[str] | UnsetType | None = UNSET
    modalities: list[str] | UnsetType | None = UNSET
    audio: ResponseAudio | UnsetType | None = UNSET
    voice: str | Voice | UnsetType | None = UNSET
    output_audio_format: str | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    max_output_tokens: int | str | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType | None = UNSET


class ResponseCreateParams(Model, kw_only=True):
    """The ``response`` of ``response.create``: settings for this one response (GA, beta and Voice Live)."""

    conversation: str | UnsetType | None = UNSET
    input: list[Item] | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    output_modalities: list[str] | UnsetType | None = UNSET
    modalities: list[str] | UnsetType | None = UNSET
    audio: ResponseAudio | UnsetType | None = UNSET
    voice: str | Voice | UnsetType | None = UNSET
    output_audio_format: str | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType | None = UNSET
    tool_choice: ToolChoice | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    max_output_tokens: int | str | UnsetType | None = UNSET
    max_response_output_tokens: int | str | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType | None = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    # Voice Live extensions
    commit: bool | UnsetType | None = UNSET
    cancel_previous: bool | UnsetType | None = UNSET
    append_input_items: list[Item] | UnsetType | None = UNSET
    input_items: list[Item] | UnsetType | None = UNSET
    pre_generated_assistant_message: MessageItem | UnsetType | None = UNSET
    reasoning_effort: str | UnsetType | None = UNSET
    interim_response: InterimResponse | UnsetType | None = UNSET
    invoke_input: dict[str, Any] | UnsetType | None = UNSET
