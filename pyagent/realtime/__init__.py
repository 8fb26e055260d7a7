"""The protocol level: the typed event codec, the dialects and the realtime connection.

Code written for ``azure.ai.voicelive.aio`` ports by changing its imports: ``azure.ai.voicelive.aio`` to
``pyagent.realtime``, ``azure.ai.voicelive.models`` to :mod:`pyagent.realtime.models`, and azure-core's
``AzureKeyCredential`` / ``AsyncTokenCredential`` (and azure-identity's ``DefaultAzureCredential``) to the names here.
The same code reaches OpenAI and Azure OpenAI by passing ``dialect=`` (or letting ``"auto"`` judge from the endpoint).
"""

from __future__ import annotations

from pyagent.realtime._azure import AsyncTokenCredential, AzureKeyCredential, DefaultAzureCredential
from pyagent.realtime._connection import RealtimeConnection, VoiceLiveConnection, connect
from pyagent.realtime._credentials import AccessToken, KeyCredential, TokenCredential
from pyagent.realtime._options import WebsocketConnectionOptions
from pyagent.realtime._resources import (
    ConversationItemResource,
    ConversationResource,
    InputAudioBufferResource,
    InputAudioResource,
    InputAudioTurnResource,
    InputTextResource,
    OutputAudioBufferResource,
    ResponseResource,
    SessionAvatarResource,
    SessionResource,
    TranscriptionSessionResource,
)
from pyagent.realtime.codec import decode_client_event, decode_server_event, encode_client_event, encode_server_event
from pyagent.realtime.dialects import (
    AZURE_OPENAI,
    AZURE_OPENAI_GA,
    DIALECTS,
    OPENAI,
    VOICELIVE,
    Dialect,
    DialectName,
    detect_dialect,
    get_dialect,
)
from pyagent.realtime.errors import (
    CodecError,
    ConcurrencyError,
    ConfigurationError,
    ConfigurationTypeError,
    ConnectionClosed,
    ConnectionError,
    ConnectionTimeout,
    EventDecodeError,
    EventValidationError,
    FieldNotSetError,
    HandshakeError,
    InsecureTransportError,
    KeepaliveTimeout,
    MissingDependencyError,
    RealtimeError,
    TLSError,
)

__all__ = [
    "AZURE_OPENAI",
    "AZURE_OPENAI_GA",
    "AccessToken",
    "AsyncTokenCredential",
    "AzureKeyCredential",
    "CodecError",
    "ConcurrencyError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "ConnectionClosed",
    "ConnectionError",
    "ConnectionTimeout",
    "ConversationItemResource",
    "ConversationResource",
    "DIALECTS",
    "DefaultAzureCredential",
    "Dialect",
    "DialectName",
    "EventDecodeError",
    "EventValidationError",
    "FieldNotSetError",
    "HandshakeError",
    "InputAudioBufferResource",
    "InputAudioResource",
    "InputAudioTurnResource",
    "InputTextResource",
    "InsecureTransportError",
    "KeepaliveTimeout",
    "KeyCredential",
    "MissingDependencyError",
    "OPENAI",
    "OutputAudioBufferResource",
    "RealtimeConnection",
    "RealtimeError",
    "ResponseResource",
    "SessionAvatarResource",
    "SessionResource",
    "TLSError",
    "TokenCredential",
    "TranscriptionSessionResource",
    "VOICELIVE",
    "VoiceLiveConnection",
    "WebsocketConnectionOptions",
    "connect",
    "decode_client_event",
    "decode_server_event",
    "detect_dialect",
    "encode_client_event",
    "encode_server_event",
    "get_dialect",
]
