"""A scripted service for voice tests: the server's side of a conversation, event by event, in a dialect's names.

Tests play the odd orders of real services (late transcripts, two audio items in one response, errors without an
event id, closes at any moment) over a real WebSocket with :class:`~pyagent.realtime.testing.ScriptedServer`. The
events are written once, in their GA names; :class:`Service` sends them in the names of the connection's dialect.
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

from pyagent.realtime.dialects import get_dialect
from pyagent.realtime.testing import ScriptedPeer

MS = 48  # bytes per millisecond of 24 kHz PCM16 mono
_ids = itertools.count(1)


def speech_like(ms: int) -> bytes:
    """``ms`` of a quiet square wave at 24 kHz (a stand-in for assistant audio the test never listens to)."""
    return b"\x10\x00\xf0\xff" * (ms * MS // 4)


class Service:
    """One connection's server side, speaking ``dialect``'s event names."""

    def __init__(self, peer: ScriptedPeer, dialect: str) -> None:
        self.peer = peer
        self.dialect = get_dialect(dialect)

    async def send(self, name: str, **fields: Any) -> None:
        await self.peer.send(
            {"type": self.dialect.server_event_name(name), "event_id": f"event_{next(_ids)}", **fields}
        )

    async def expect(self, kind: str, count: int = 1, within: float = 10.0) -> list[Any]:
        return await self.peer.expect(kind, count, within)

    async def open(self, session_id: str = "sess_scripted") -> None:
        """session.created, then the answer to the session's configuration."""
        await self.send("session.created", session={"id": session_id, "object": "realtime.session"})
        await self.expect("session.update")
        await self.send("session.updated", session={"id": session_id, "object": "realtime.session"})

    async def updated(self) -> None:
        await self.send("session.updated", session={"id": "sess_scripted", "object": "realtime.session"})

    async def user_speech(self, item_id: str, previous: str | None, start_ms: int, end_ms: int) -> None:
        """The detector heard an utterance and committed it."""
        await self.send("input_audio_buffer.speech_started", audio_start_ms=start_ms, item_id=item_id)
        await self.send("input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id)
        await self.send("input_audio_buffer.committed", item_id=item_id, previous_item_id=previous)
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user", "status": "completed"}
        item["content"] = [{"type": "input_audio", "transcript": None}]
        await self.send("conversation.item.added", previous_item_id=previous, item=item)

    async def user_transcript(self, item_id: str, words: str) -> None:
        await self.send(
            "conversation.item.input_audio_transcription.completed",
            item_id=item_id,
            content_index=0,
            transcript=words,
        )

    async def response_created(self, response_id: str) -> None:
        response = {"id": response_id, "object": "realtime.response", "status": "in_progress", "output": []}
        await self.send("response.created", response=response)

    async def spoken_item(
        self, response_id: str, item_id: str, previous: str | None, index: int, words: str, audio_ms: int
    ) -> None:
        """An assistant message item with its transcript and ``audio_ms`` of audio, sent in 100 ms deltas."""
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant"}
        item |= {"status": "in_progress", "content": []}
        await self.send("response.output_item.added", response_id=response_id, output_index=index, item=item)
        await self.send("conversation.item.added", previous_item_id=previous, item=item)
        where = {"response_id": response_id, "item_id": item_id, "output_index": index, "content_index": 0}
        await self.send("response.content_part.added", **where, part={"type": "audio", "transcript": ""})
        await self.send("response.output_audio_transcript.delta", **where, delta=words)
        audio = speech_like(audio_ms)
        for start in range(0, len(audio), 100 * MS):
            delta = base64.b64encode(audio[start : start + 100 * MS]).decode()
            await self.send("response.output_audio.delta", **where, delta=delta)
        await self.send("response.output_audio.done", **where)
        await self.send("response.output_audio_transcript.done", **where, transcript=words)
        done = item | {"status": "completed", "content": [{"type": "audio", "transcript": words}]}
        await self.send("response.output_item.done", response_id=response_id, output_index=index, item=done)

    async def response_done(self, response_id: str, status: str = "completed", output: Any = ()) -> None:
        response = {
            "id": response_id,
            "object": "realtime.response",
            "status": status,
            "output": list(output),
            "usage": {"total_tokens": 12, "input_tokens": 5, "output_tokens": 7},
        }
        await self.send("response.done", response=response)

    async def error(
        self, message: str, *, code: str, kind: str = "invalid_request_error", event_id: Any = None
    ) -> None:
        await self.send("error", error={"type": kind, "code": code, "message": message, "event_id": event_id})
