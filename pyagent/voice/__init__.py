"""The voice session: turns, states, barge-in and tools over a realtime connection."""

from __future__ import annotations

from pyagent.voice._agent import Agent
from pyagent.voice._bargein import Interruption
from pyagent.voice._conversation import Conversation, ConversationItem
from pyagent.voice._history import HistoryItem
from pyagent.voice._reconnect import ReconnectPolicy
from pyagent.voice._snapshot import SessionSnapshot
from pyagent.voice._tools import Tool, tool
from pyagent.voice.errors import (
    ConfigurationError,
    InvalidStateError,
    ListenTimeoutError,
    ResponseError,
    SessionClosedError,
    SnapshotError,
    ToolArgumentsError,
    ToolDefinitionError,
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
    "ToolError",
    "VoiceError",
    "VoiceResponse",
    "VoiceSession",
    "tool",
]
