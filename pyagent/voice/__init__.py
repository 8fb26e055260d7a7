"""The voice session: turns, states, barge-in and tools over a realtime connection."""

from __future__ import annotations

from pyagent.voice._agent import Agent
from pyagent.voice._bargein import Interruption
from pyagent.voice._context import current_session
from pyagent.voice._conversation import Conversation, ConversationItem
from pyagent.voice._history import HistoryItem
from pyagent.voice._reconnect import ReconnectPolicy
from pyagent.voice._results import TurnTimings
from pyagent.voice._snapshot import SessionSnapshot
from pyagent.voice._tools import Tool, tool
from pyagent.voice.errors import (
    ConfigurationError,
    ConfigurationTypeError,
    InvalidStateError,
    ListenTimeoutError,
    ResponseError,
    SessionClosedError,
    SnapshotError,
    ToolArgumentsError,
    ToolDefinitionError,
    ToolDefinitionWarning,
    ToolError,
    VoiceError,
)
from pyagent.voice.session import (
    AudioSource,
    ResponseChunk,
    SessionState,
    ToolCallRecord,
    VoiceResponse,
    VoiceSession,
)

__all__ = [
    "Agent",
    "AudioSource",
    "ConfigurationError",
    "ConfigurationTypeError",
    "Conversation",
    "ConversationItem",
    "HistoryItem",
    "Interruption",
    "InvalidStateError",
    "ListenTimeoutError",
    "ReconnectPolicy",
    "ResponseChunk",
    "ResponseError",
    "SessionClosedError",
    "SessionSnapshot",
    "SessionState",
    "SnapshotError",
    "Tool",
    "ToolArgumentsError",
    "ToolCallRecord",
    "ToolDefinitionError",
    "ToolDefinitionWarning",
    "ToolError",
    "TurnTimings",
    "VoiceError",
    "VoiceResponse",
    "VoiceSession",
    "current_session",
    "tool",
]
