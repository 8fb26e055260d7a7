"""A session's conversation and settings as a value: moved to another process or machine and resumed there.

:class:`SessionSnapshot` holds what a new connection needs to go on with a conversation: the session's settings
(model, voice, language, audio format, turn detection, transcription), the agent's instructions and tool schemas,
and the conversation as it is replayed (:class:`~pyagent.voice._history.HistoryItem`: user turns as transcripts or
audio, assistant turns as text cut where they were heard, function calls with their outputs). It holds no
credential, no endpoint and no connection option (a header or a query may carry a key): those are given again to
:meth:`VoiceSession.from_snapshot`, with the agent whose Python tools the schemas describe.

JSON (:meth:`SessionSnapshot.to_json`) is the exchange form: plain values, user audio as base64, a ``version`` so a
newer pyagent can read an older snapshot.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyagent.voice._agent import Agent
from pyagent.voice._config import AudioSettings, TurnDetectionSettings
from pyagent.voice._history import HistoryItem
from pyagent.voice.errors import ConfigurationError, SnapshotError

__all__ = ["SNAPSHOT_VERSION", "SessionSnapshot", "resume_settings", "take_snapshot"]

SNAPSHOT_VERSION = 1
"""The version :meth:`SessionSnapshot.to_json` writes; :meth:`SessionSnapshot.from_json` reads it and older ones."""


@dataclasses.dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """A conversation and the settings to resume it with (``session.snapshot()``, ``VoiceSession.from_snapshot``).

    Attributes:
        model: the model (or deployment) the session talked to, as given.
        voice: the assistant's voice: a name or the service's voice object.
        language: the user's language.
        transcription_model: the model transcribing the user, or None.
        sample_rate: the rate of the user's audio (Hz).
        channels: its channels.
        audio_format: its encoding (``"pcm16"``, ``"g711_ulaw"``, ``"g711_alaw"``).
        turn_detection: ``enabled``, ``threshold``, ``prefix_padding_ms``, ``silence_duration_ms``.
        dialect: the dialect the session was given (``"auto"``, ``"openai"``...).
        agent_name: the agent's name ("" without an agent).
        instructions: the agent's instructions.
        tools: the JSON schemas of the agent's tools, as sent to the service.
        tool_choice: the agent's tool choice.
        temperature: the agent's temperature, or None.
        items: the conversation as it is replayed, in order.
        session_id: the service's id of the session it was taken from (for logs; a new one is made on resume).
        version: the snapshot format's version.
    """

    model: str
    voice: str | Mapping[str, Any]
    language: str
    transcription_model: str | None
    sample_rate: int
    channels: int
    audio_format: str
    turn_detection: Mapping[str, Any]
    dialect: str
    agent_name: str = ""
    instructions: str = ""
    tools: Sequence[Mapping[str, Any]] = ()
    tool_choice: str = "auto"
    temperature: float | None = None
    items: Sequence[HistoryItem] = ()
    session_id: str = ""
    version: int = SNAPSHOT_VERSION

    @property
    def tool_names(self) -> list[str]:
        """The names of the tools the conversation may call."""
        return [str(tool.get("name", "")) for tool in self.tools if tool.get("name")]

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready values."""
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if spec.name == "items":
                value = [item.to_dict() for item in value]
            elif spec.name == "tools":
                value = [dict(tool) for tool in value]
            elif isinstance(value, Mapping):
                value = dict(value)
            values[spec.name] = value
        return values

    def to_json(self) -> str:
        """The snapshot as JSON text (UTF-8 safe, one line)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> SessionSnapshot:
        """The snapshot :meth:`to_dict` gave.

        Raises:
            SnapshotError: not a snapshot, a newer version than this pyagent reads, or a field of the wrong type.
        """
        if not isinstance(values, Mapping):
            raise SnapshotError("a snapshot is a JSON object")
        version = values.get("version")
        if not isinstance(version, int) or version < 1:
            raise SnapshotError("not a pyagent session snapshot (no version)")
        if version > SNAPSHOT_VERSION:
            raise SnapshotError(f"snapshot version {version} is newer than this pyagent reads ({SNAPSHOT_VERSION})")
        known = {spec.name for spec in dataclasses.fields(cls)}
        fields = {name: value for name, value in values.items() if name in known}
        try:
            fields["items"] = tuple(HistoryItem.from_dict(item) for item in values.get("items", ()))
            fields["tools"] = tuple(dict(tool) for tool in values.get("tools", ()))
            snapshot = cls(**fields)
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"a malformed snapshot: {exc}") from None
        _check_types(snapshot)
        return snapshot

    @classmethod
    def from_json(cls, text: str | bytes) -> SessionSnapshot:
        """The snapshot :meth:`to_json` wrote.

        Raises:
            SnapshotError: not JSON, or not a snapshot this pyagent reads (see :meth:`from_dict`).
        """
        try:
            values = json.loads(text)
        except ValueError as exc:
            raise SnapshotError(f"a snapshot is JSON: {exc}") from None
        return cls.from_dict(values)

    def __repr__(self) -> str:
        return (
            f"SessionSnapshot(model={self.model!r}, dialect={self.dialect!r}, items={len(self.items)}, "
            f"tools={self.tool_names!r})"
        )


def _check_types(snapshot: SessionSnapshot) -> None:
    expected: dict[str, type | tuple[type, ...]] = {
        "model": str,
        "voice": (str, Mapping),
        "language": str,
        "transcription_model": (str, type(None)),
        "sample_rate": int,
        "channels": int,
        "audio_format": str,
        "turn_detection": Mapping,
        "dialect": str,
        "agent_name": str,
        "instructions": str,
        "tool_choice": str,
        "temperature": (int, float, type(None)),
        "session_id": str,
    }
    for name, kinds in expected.items():
        if not isinstance(getattr(snapshot, name), kinds):
            raise SnapshotError(f"a malformed snapshot: {name!r} has the wrong type")


def take_snapshot(
    *,
    model: str,
    voice: str | Mapping[str, Any],
    language: str,
    transcription_model: str | None,
    audio: AudioSettings,
    turn_detection: TurnDetectionSettings,
    dialect: str,
    agent: Agent | None,
    items: Sequence[HistoryItem],
    session_id: str,
) -> SessionSnapshot:
    """A session's settings and conversation as a snapshot (what ``VoiceSession.snapshot()`` returns)."""
    fields = agent.session_fields() if agent is not None else {}
    return SessionSnapshot(
        model=model,
        voice=dict(voice) if isinstance(voice, Mapping) else voice,
        language=language,
        transcription_model=transcription_model,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        audio_format=audio.format,
        turn_detection={
            "enabled": turn_detection.enabled,
            "threshold": turn_detection.threshold,
            "prefix_padding_ms": turn_detection.prefix_padding_ms,
            "silence_duration_ms": turn_detection.silence_duration_ms,
        },
        dialect=dialect,
        agent_name=agent.name if agent is not None else "",
        instructions=agent.instructions if agent is not None else "",
        tools=tuple(fields.get("tools", ())),
        tool_choice=agent.tool_choice if agent is not None else "auto",
        temperature=agent.temperature if agent is not None else None,
        items=tuple(items),
        session_id=session_id,
    )


def resume_settings(
    snapshot: SessionSnapshot, agent: Agent | None
) -> tuple[Agent | None, AudioSettings, TurnDetectionSettings]:
    """The agent, audio format and turn detection a resumed session takes from a snapshot.

    The agent given wins over the snapshot's instructions; without one, the snapshot's instructions make one.

    Raises:
        ConfigurationError: a tool the snapshot names is not among the agent's (the message names them), or a setting
            is out of range.
    """
    missing = [name for name in snapshot.tool_names if agent is None or agent.get_tool(name) is None]
    if missing:
        have = ", ".join(tool.name for tool in agent.tools) or "no tools" if agent is not None else "no agent"
        raise ConfigurationError(
            f"the snapshot's conversation uses tools the agent lacks: {', '.join(missing)} (given: {have}); "
            "pass the agent with those tools to from_snapshot()"
        )
    if agent is None and snapshot.instructions:
        agent = Agent(snapshot.agent_name or "assistant", snapshot.instructions)
    audio = AudioSettings().replace(snapshot.sample_rate, snapshot.channels, snapshot.audio_format)
    detection = snapshot.turn_detection
    turn_detection = TurnDetectionSettings(
        enabled=bool(detection.get("enabled", True)),
        threshold=float(detection.get("threshold", 0.5)),
        prefix_padding_ms=int(detection.get("prefix_padding_ms", 300)),
        silence_duration_ms=int(detection.get("silence_duration_ms", 500)),
    )
    return agent, audio, turn_detection
