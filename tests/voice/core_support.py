"""Driving the voice core with plain values: events as dicts, a ManualClock, and every effect it returns."""

from __future__ import annotations

from typing import Any

from pyagent.audio import ManualClock, PlaybackClock
from pyagent.voice._core import Audio, Effect, Emit, Send, TurnFailed, TurnFinished, VoiceCore
from pyagent.voice._results import TurnOutcome
from pyagent.voice.errors import ResponseError, SessionClosedError

MS = 48  # bytes per millisecond of 24 kHz PCM16 mono


def pcm(ms: int) -> bytes:
    """``ms`` milliseconds of a quiet square wave (not silence) at 24 kHz."""
    return b"\x10\x00\xf0\xff" * (ms * MS // 4)


class CoreDriver:
    """A voice core fed by hand: ``send()`` mimics the session sending what the core asked for."""

    def __init__(self, *, server_turn_detection: bool = True) -> None:
        self.clock = ManualClock()
        self.playback = PlaybackClock(24000, clock=self.clock)
        self.core = VoiceCore(self.playback, server_turn_detection=server_turn_detection)
        self.sent: list[dict[str, Any]] = []
        self.effects: list[Effect] = []

    def run(self, effects: list[Effect]) -> list[Effect]:
        """Record the effects, and send what they ask to send (as the session does)."""
        for effect in effects:
            if isinstance(effect, Send):
                self.sent.append(effect.event)
                self.core.sent(effect.event)
        self.effects.extend(effects)
        return effects

    def event(self, name: str, **fields: Any) -> list[Effect]:
        return self.run(self.core.receive(name, {"type": name, **fields}))

    # -- what happened ------------------------------------------------------------------------------------------

    def sent_types(self) -> list[str]:
        return [event["type"] for event in self.sent]

    def last_sent(self, kind: str) -> dict[str, Any]:
        return [event for event in self.sent if event["type"] == kind][-1]

    def emitted(self, name: str) -> list[tuple[Any, ...]]:
        return [effect.args for effect in self.effects if isinstance(effect, Emit) and effect.name == name]

    def finished(self) -> list[TurnOutcome]:
        return [effect.outcome for effect in self.effects if isinstance(effect, TurnFinished)]

    def failed(self) -> list[tuple[int, ResponseError | SessionClosedError]]:
        return [(effect.turn, effect.error) for effect in self.effects if isinstance(effect, TurnFailed)]

    def audio(self, turn: int) -> bytes:
        return b"".join(effect.data for effect in self.effects if isinstance(effect, Audio) and effect.turn == turn)

    # -- the service's side, in a few words ---------------------------------------------------------------------

    def response_created(self, response_id: str) -> None:
        self.event("response.created", response={"id": response_id, "status": "in_progress", "output": []})

    def assistant_item(self, response_id: str, item_id: str, previous: str | None, index: int = 0) -> None:
        item = {"id": item_id, "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        self.event("response.output_item.added", response_id=response_id, output_index=index, item=item)
        self.event("conversation.item.added", previous_item_id=previous, item=item)

    def audio_delta(self, response_id: str, item_id: str, data: bytes) -> None:
        self.event(
            "response.output_audio.delta",
            response_id=response_id,
            item_id=item_id,
            output_index=0,
            content_index=0,
            delta=data,
        )

    def transcript_done(self, response_id: str, item_id: str, words: str) -> None:
        self.event(
            "response.output_audio_transcript.done",
            response_id=response_id,
            item_id=item_id,
            output_index=0,
            content_index=0,
            transcript=words,
        )

    def item_done(self, response_id: str, item_id: str, status: str = "completed") -> None:
        item = {"id": item_id, "type": "message", "role": "assistant", "status": status}
        self.event("response.output_item.done", response_id=response_id, output_index=0, item=item)

    def response_done(self, response_id: str, status: str = "completed", output: list[Any] | None = None) -> None:
        response = {
            "id": response_id,
            "status": status,
            "output": output or [],
            "usage": {"total_tokens": 10, "input_tokens": 4, "output_tokens": 6},
        }
        self.event("response.done", response=response)

    def committed(self, item_id: str, previous: str | None) -> None:
        self.event("input_audio_buffer.committed", item_id=item_id, previous_item_id=previous)

    def user_transcript(self, item_id: str, words: str) -> None:
        self.event(
            "conversation.item.input_audio_transcription.completed", item_id=item_id, content_index=0, transcript=words
        )

    def session_updated(self) -> None:
        self.event("session.updated", session={"id": "sess_core"})
