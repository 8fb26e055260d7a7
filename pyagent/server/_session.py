"""The local server's protocol, without I/O: client frames in, server events and work requests out.

Theory of operation
-------------------
One :class:`ServerSession` is one realtime conversation on one WebSocket. It never touches a socket, a thread or the
wall clock: the I/O layer feeds it client frames (:meth:`ServerSession.receive`), the results of slow work it asked for
(:meth:`~ServerSession.recognized`, :meth:`~ServerSession.replied`, :meth:`~ServerSession.synthesized`) and the
passing of time (:meth:`~ServerSession.tick`, the clock is injected), and collects what it produced:
:meth:`~ServerSession.take_events` (server events as wire mappings, already in the dialect's names and shapes) and
:meth:`~ServerSession.take_jobs` (:class:`RecognizeJob`, :class:`RespondJob`, :class:`SynthesizeJob`).

The conversation is kept in one neutral form (flat session, GA-like items); the dialect is a value that decides the
names (``response.output_audio.delta`` or ``response.audio.delta``), the session shape (nested or flat) and the few
behaviours that differ (:data:`_PROFILES`).

A user turn::

    append ─► VAD ─► speech_started ─► speech_stopped ─► committed + user item + RecognizeJob
                         │                                  │ turn_detection.create_response
                         │                                  ▼
                         │       response.create ─► response.created ─► waits for the recognitions
                         │                                                  │ recognized (+ transcription events)
                         ▼                                                  ▼
        the active response is cancelled (turn_detected)         RespondJob ─► replied
    replied ─► per output: message (output_item.added, item added, content_part.added, SynthesizeJob ─► synthesized
               ─► audio + transcript deltas paced by the clock ─► .done events) | function_call (arguments delta/done)
           ─► response.done (+ rate_limits.updated)

The response's state, one table (``_Response.phase``):

    ============  ==========================================  ==============================
    phase         leaves on                                   to
    ============  ==========================================  ==============================
    waiting       every recognition it needs has come         responding (RespondJob out)
    responding    replied()                                   streaming / done
    streaming     synthesized() + ticks send all audio        streaming (next output) / done
    any           response.cancel, output_audio_buffer.clear  done (cancelled, client_cancelled)
    any           speech_started with interrupt_response      done (cancelled, turn_detected)
    ============  ==========================================  ==============================

Two more timers run on the injected clock: ``idle_timeout_ms`` (the user stayed silent after the assistant's audio:
``input_audio_buffer.timeout_triggered``, a commit and a response) and the session's maximum duration (an ``error``
``session_expired``, then :attr:`ServerSession.close_request` asks the I/O layer to close with 1001).

Memory. A session that streams for hours holds bounded audio (:attr:`ServerSession.audio_bytes_held`):

- every item keeps what the protocol needs of it for the session's life: its content and transcripts, and the length
  of its audio (what ``conversation.item.truncate`` checks ``audio_end_ms`` against, and what usage counts). That
  text grows with the conversation, as the services' history does: about a kilobyte per item;
- assistant audio is sent and forgotten: nothing of the protocol returns it;
- user audio is kept for ``conversation.item.retrieve`` (which returns it) for the most recent user items only, up to
  ``retained_audio_seconds`` in all (10 s by default); an older item is retrieved without its audio. An utterance
  longer than the whole allowance is not kept at all;
- input not yet committed: with turn detection, the current utterance and at most 30 s of the silence before it;
  without it, at most the latest :data:`MAX_UNCOMMITTED_SECONDS` (10 minutes), as a commit would take them.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import random
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from pyagent.audio import AudioFormat, Clock, VoiceActivityDetector, convert, decode_to_pcm16
from pyagent.realtime.codec import decode_client_event
from pyagent.realtime.dialects import Dialect, nested_session_to_flat
from pyagent.realtime.errors import EventDecodeError
from pyagent.realtime.events import InvalidEvent, UnknownEvent
from pyagent.server._responder import Reply, ResponderContext, ToolCall
from pyagent.server.errors import ConfigurationError

__all__ = [
    "DEFAULT_RETAINED_AUDIO_SECONDS",
    "MAX_UNCOMMITTED_SECONDS",
    "Job",
    "RecognizeJob",
    "RespondJob",
    "ServerSession",
    "SynthesizeJob",
    "new_id",
]

logger = logging.getLogger("pyagent.server")

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHUNK_MS = 100  # a typical server audio delta: 100 ms
_MIN_COMMIT_MS = 100  # the real services refuse to commit less
_VAD_SILENCE_KEPT_S = 30  # input kept between utterances when turn detection is on
MAX_UNCOMMITTED_SECONDS = 600
"""The most input audio a session holds uncommitted without turn detection; older audio is dropped first."""
DEFAULT_RETAINED_AUDIO_SECONDS = 10.0
"""User audio kept for ``conversation.item.retrieve``, most recent items first, all items together."""
_AUDIO_TOKENS_PER_SECOND = 10  # roughly what the real services bill for audio
_CHARS_PER_TOKEN = 4  # the usual estimate for English text


def new_id(prefix: str, rng: random.Random, length: int = 21) -> str:
    """An id of the services' form: ``prefix_`` and ``length`` base62 characters.

    The characters are those ``rng.choice(_BASE62)`` would pick (6 random bits, redrawn when 62 or more, as
    ``random`` does), drawn without its per-character calls: every event gets an id, and under load the ids were a
    tenth of the server's time. The same seed gives the same ids as before, so recorded sessions still replay.
    """
    getrandbits = rng.getrandbits
    picked = []
    for _ in range(length):
        index = getrandbits(6)
        while index >= 62:
            index = getrandbits(6)
        picked.append(_BASE62[index])
    return f"{prefix}_{''.join(picked)}"


@dataclass(frozen=True, slots=True)
class RecognizeJob:
    """Recognise ``pcm16`` (mono at ``sample_rate``), then call :meth:`ServerSession.recognized` with the words."""

    item_id: str
    pcm16: bytes
    sample_rate: int


@dataclass(frozen=True, slots=True)
class RespondJob:
    """Ask the responder, then call :meth:`ServerSession.replied` (or :meth:`ServerSession.reply_failed`)."""

    response_id: str
    context: ResponderContext


@dataclass(frozen=True, slots=True)
class SynthesizeJob:
    """Speak ``text`` (24 kHz PCM16), then call :meth:`ServerSession.synthesized` with the audio."""

    response_id: str
    item_id: str
    text: str


Job = RecognizeJob | RespondJob | SynthesizeJob


@dataclass(frozen=True, slots=True)
class _Profile:
    """How one dialect's service behaves where the services differ (data, not branches)."""

    id_length: int
    sends_rate_limits: bool
    transcript_before_user_item: bool  # Voice Live: transcription.completed comes before the user item's event
    default_voice: Any
    default_silence_ms: int
    default_transcription: Mapping[str, Any] | None


_PROFILES: Mapping[str, _Profile] = {
    "openai": _Profile(21, True, False, "alloy", 200, None),
    "azure-openai": _Profile(21, True, False, "alloy", 200, None),
    "azure-openai-ga": _Profile(21, True, False, "alloy", 200, None),
    "voicelive": _Profile(
        22, False, True, {"name": "en-US-Ava:DragonHDLatestNeural", "type": "azure-standard"}, 500, None
    ),
}

_TURN_TYPES = frozenset(
    {
        "server_vad",
        "semantic_vad",
        "azure_semantic_vad",
        "azure_semantic_vad_en",
        "azure_semantic_vad_multilingual",
    }
)
_EAGERNESS_SILENCE_MS = {"low": 1200, "medium": 700, "auto": 700, "high": 300}
_FLAT_FORMATS = ("pcm16", "g711_ulaw", "g711_alaw")
_TOOL_CHOICES = ("auto", "none", "required")

# Client events each dialect accepts; anything else is an unknown event for that path.
_COMMON_CLIENT_EVENTS = (
    "session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "conversation.item.delete",
    "response.create",
    "response.cancel",
    "output_audio_buffer.clear",
)
_BETA_CLIENT_EVENTS = (*_COMMON_CLIENT_EVENTS, "transcription_session.update")
_CLIENT_EVENTS: Mapping[str, tuple[str, ...]] = {
    "openai": _COMMON_CLIENT_EVENTS,
    "azure-openai-ga": _COMMON_CLIENT_EVENTS,
    "azure-openai": _BETA_CLIENT_EVENTS,
    "voicelive": (
        *_BETA_CLIENT_EVENTS,
        "input_audio.clear",
        "input_audio.turn.start",
        "input_audio.turn.append",
        "input_audio.turn.end",
        "input_audio.turn.cancel",
    ),
}
# Events of a dialect that need what a local server does not have (an avatar's WebRTC peer, typed-text streaming):
# they get an error that says so, not "unknown event".
_UNSUPPORTED_CLIENT_EVENTS: Mapping[str, tuple[str, ...]] = {
    "voicelive": ("session.avatar.connect", "input_text.delta", "input_text.done"),
}
_AUDIO_EVENTS = ("input_audio_buffer.append", "input_audio.turn.append")


@dataclass
class _Item:
    """One conversation item in neutral form; ``heard`` is what the server understood of user audio.

    ``audio_bytes`` is the length of the item's audio in the conversation (assistant audio sent, in the output
    format, up to a truncation; user audio as PCM16), kept for its whole life. ``audio`` is the user audio itself,
    kept only while the session's retention allows (see the module docstring), else None.
    """

    data: dict[str, Any]
    audio_bytes: int = 0
    audio_bytes_per_second: int = 48000
    audio: bytes | None = None
    heard: str | None = None

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def audio_seconds(self) -> float:
        return self.audio_bytes / self.audio_bytes_per_second


@dataclass
class _Chunk:
    due: float
    audio: bytes
    transcript: str


@dataclass
class _Response:
    id: str
    params: dict[str, Any]
    modalities: list[str]
    in_conversation: bool
    phase: Literal["waiting", "responding", "streaming", "done"] = "waiting"
    waiting_for: set[str] = field(default_factory=set)
    output: list[_Item] = field(default_factory=list)
    pending: deque[str | ToolCall] = field(default_factory=deque)
    current: _Item | None = None
    chunks: deque[_Chunk] = field(default_factory=deque)
    spoken: list[str] = field(default_factory=list)
    audio_ms_out: float = 0.0
    text_chars_out: int = 0
    first_audio_at: float | None = None
    incomplete: bool = False


class ServerSession:
    """The protocol state machine of one connection (see the module docstring).

    Args:
        dialect: the dialect of the path the client connected on.
        clock: the time source; the I/O layer passes a monotonic clock, tests a manual one.
        model: the model or deployment the client asked for.
        transcription: start as a transcription session (``?intent=transcription``).
        realtime_factor: how much faster than real time response audio is sent; ``math.inf`` sends it at once.
        rng: the source of ids (seed it for repeatable sessions).
        max_duration: seconds after which the session expires (an ``error`` event, then a 1001 close), as the
            services end long sessions; None for no limit.
        beta_header: the client sent ``OpenAI-Beta: realtime=v1`` on the GA path, which the service refuses.
        retained_audio_seconds: user audio kept for ``conversation.item.retrieve``, the most recent items' first, all
            items together (see the module docstring); 0 keeps none.
        created_at: the session's creation as a Unix time (seconds), for the ``expires_at`` it announces.

    Raises:
        ConfigurationError: ``realtime_factor`` is not above 0, or ``retained_audio_seconds`` is negative.
    """

    def __init__(
        self,
        dialect: Dialect,
        *,
        clock: Clock,
        model: str = "gpt-realtime",
        transcription: bool = False,
        realtime_factor: float = 1.0,
        rng: random.Random | None = None,
        max_duration: float | None = None,
        beta_header: bool = False,
        retained_audio_seconds: float = DEFAULT_RETAINED_AUDIO_SECONDS,
        created_at: float = 0.0,
    ) -> None:
        if not realtime_factor > 0:
            raise ConfigurationError("realtime_factor must be > 0 (math.inf: as fast as possible)")
        if not retained_audio_seconds >= 0:
            raise ConfigurationError("retained_audio_seconds must be >= 0")
        self._retained_audio_seconds = retained_audio_seconds
        self._retained: deque[_Item] = deque()  # user items whose audio is kept, oldest first
        self.dialect = dialect
        self._profile = _PROFILES[dialect.name]
        self._clock = clock
        self._rng = rng or random.Random()
        self._realtime_factor = realtime_factor
        self.model = model
        self.kind: Literal["realtime", "transcription"] = "transcription" if transcription else "realtime"
        self.id = self._new_id("sess")
        self._conversation_id = self._new_id("conv")
        self._created_at = clock.now()
        # The services' expires_at is a Unix time: the I/O layer gives the wall-clock time of creation for it.
        self._created_wall = created_at
        self.config: dict[str, Any] = self._default_config()
        self.items: list[_Item] = []
        self._events: list[dict[str, Any]] = []
        self._jobs: list[Job] = []
        self._buffer = bytearray()
        self._carry = b""  # an odd trailing byte of PCM16 waits for its pair
        self._audio_ms = 0.0  # input audio received since the session began
        self._vad: VoiceActivityDetector | None = None
        self._vad_origin_ms = 0.0
        self._speech_item_id: str | None = None
        self._recognizing: set[str] = set()
        self._active: _Response | None = None
        self._assistant_audio = False
        self._responses = 0
        self._tokens_used = 0
        self._idle_deadline: float | None = None
        self._max_duration = max_duration
        self._beta_header = beta_header
        self.close_request: tuple[int, str] | None = None
        """Set when the session wants the connection closed: ``(code, reason)``; it reads nothing more."""
        self._turn_id: str | None = None
        self._configure_input()

    # ------------------------------------------------------------------------------------------------ I/O contract

    def start(self) -> None:
        """Emit the greeting the services send on connect (``session.created``)."""
        if self._beta_header and self.dialect.uses_ga_names and self.dialect.name == "openai":
            self._error(
                "invalid_request_error",
                "beta_api_shape_disabled",
                "The beta Realtime API shape is no longer supported. Remove the 'OpenAI-Beta: realtime=v1' header "
                "to use the GA Realtime API.",
            )
            self.close_request = (4000, "beta_api_shape_disabled")
            return
        name = "transcription_session.created" if self._is_beta_transcription() else "session.created"
        self._emit(name, session=self._render_session())

    def take_events(self) -> list[dict[str, Any]]:
        """The server events produced since the last call, in order, as wire mappings."""
        events, self._events = self._events, []
        return events

    def take_jobs(self) -> list[Job]:
        """The slow work requested since the last call; the I/O layer runs it and reports back."""
        jobs, self._jobs = self._jobs, []
        return jobs

    def next_deadline(self) -> float | None:
        """When :meth:`tick` next has something to send (clock seconds), or None."""
        deadlines = [self._idle_deadline, self._expires()]
        response = self._active
        if response is not None and response.chunks:
            deadlines.append(response.chunks[0].due)
        due = [deadline for deadline in deadlines if deadline is not None]
        return min(due) if due else None

    def _expires(self) -> float | None:
        if self._max_duration is None or self.close_request is not None:
            return None
        return self._created_at + self._max_duration

    @property
    def active_response_id(self) -> str | None:
        """The id of the response in progress, if any."""
        return self._active.id if self._active is not None else None

    def receive(self, data: str | bytes) -> None:
        """Handle one client frame; protocol faults become ``error`` events and the session goes on."""
        if self.close_request is not None:
            return
        try:
            event = decode_client_event(data)
        except EventDecodeError as exc:
            self._error("invalid_request_error", "invalid_json", f"The server could not parse the frame: {exc}")
            return
        if isinstance(event, InvalidEvent):
            self._invalid_event(event)
            return
        accepted = self._accepted_events()
        if isinstance(event, UnknownEvent):
            # A type the codec does not model but this path accepts is handled from its raw mapping.
            raw_id = event.raw.get("event_id")
            if event.type not in accepted or event.type in _AUDIO_EVENTS:
                self._unknown_event(event.type, raw_id)
                return
            self._dispatch(event.type, dict(event.raw), raw_id if isinstance(raw_id, str) else None)
            return
        event_id = _unset_to_none(getattr(event, "event_id", None))
        if event.type not in accepted:
            self._unknown_event(event.type, event_id)
            return
        if event.type == "input_audio_buffer.append":
            self._append(bytes(getattr(event, "audio", b"")), event_id)
            return
        if event.type == "input_audio.turn.append":
            self._turn_append(str(getattr(event, "turn_id", "")), bytes(getattr(event, "audio", b"")), event_id)
            return
        self._dispatch(event.type, msgspec.to_builtins(event), event_id)

    def _dispatch(self, kind: str, body: dict[str, Any], event_id: str | None) -> None:
        handler = getattr(self, "_on_" + kind.replace(".", "_"))
        handler(body, event_id)

    def recognized(self, item_id: str, text: str) -> None:
        """The words of a user audio item (the result of a :class:`RecognizeJob`)."""
        self._recognizing.discard(item_id)
        item = self._find(item_id)
        if item is None:  # deleted meanwhile
            self._maybe_respond()
            return
        item.heard = text
        for part in item.data.get("content", []):
            if part.get("type") == "input_audio" and self._transcribing():
                part["transcript"] = text
        if self._transcribing() and item.data.get("_committed") and not item.data.pop("_no_transcript_events", False):
            seconds = item.audio_seconds
            for index, word in enumerate(text.split(" ")):
                if word:
                    self._emit(
                        "conversation.item.input_audio_transcription.delta",
                        item_id=item_id,
                        content_index=0,
                        delta=word if index == 0 else " " + word,
                    )
            self._emit(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=text,
                usage={"type": "duration", "seconds": round(seconds, 3)},
            )
        if item.data.pop("_announce_after_transcript", False):
            self._announce_item(item)
        self._maybe_respond()

    def recognition_failed(self, item_id: str, message: str) -> None:
        """Recognition of a user audio item failed: the transcription fails, the conversation goes on."""
        item = self._find(item_id)
        if item is not None and self._transcribing() and item.data.get("_committed"):
            self._emit(
                "conversation.item.input_audio_transcription.failed",
                item_id=item_id,
                content_index=0,
                error={
                    "type": "transcription_error",
                    "code": "audio_unintelligible",
                    "message": message,
                    "param": None,
                },
            )
            item.data["_no_transcript_events"] = True
        self.recognized(item_id, "")

    def replied(self, response_id: str, reply: Reply) -> None:
        """The responder's answer for a response (the result of a :class:`RespondJob`)."""
        response = self._active
        if response is None or response.id != response_id or response.phase != "responding":
            return  # cancelled meanwhile
        text, calls = reply.text, list(reply.tool_calls)
        limit = response.params.get("max_response_output_tokens", self.config.get("max_response_output_tokens"))
        if isinstance(limit, int) and len(text) > limit * _CHARS_PER_TOKEN:
            # Out of tokens mid-sentence, as a model would be: the rest of the reply is never produced.
            text, calls = text[: limit * _CHARS_PER_TOKEN].rstrip(), []
            response.incomplete = True
        if text:
            response.pending.append(text)
        response.pending.extend(calls)
        self._advance(response)

    def reply_failed(self, response_id: str, message: str) -> None:
        """The responder raised: the response ends as ``failed``."""
        response = self._active
        if response is None or response.id != response_id:
            return
        self._finish_response(
            response, "failed", {"type": "failed", "error": {"type": "server_error", "code": None, "message": message}}
        )

    def synthesized(self, response_id: str, item_id: str, pcm16_24k: bytes) -> None:
        """The audio of a message (the result of a :class:`SynthesizeJob`): schedule it for sending."""
        response = self._active
        if response is None or response.id != response_id or response.current is None:
            return
        if response.current.id != item_id:
            return
        out_format = self._output_format(response)
        audio = pcm16_24k if out_format == AudioFormat() else convert(pcm16_24k, AudioFormat(), out_format)
        text = str(response.current.data["_text"])
        words = [w for w in text.split(" ") if w]
        chunk_bytes = max(out_format.frame_bytes, out_format.ms_to_bytes(_CHUNK_MS))
        pieces = [audio[i : i + chunk_bytes] for i in range(0, len(audio), chunk_bytes)] or [b""]
        start = self._clock.now()
        for index, piece in enumerate(pieces):
            # Words are spread over the chunks so the transcript runs alongside the audio.
            first = -(-len(words) * index // len(pieces))  # ceil: the first chunk already carries words
            last = -(-len(words) * (index + 1) // len(pieces))
            said = " ".join(words[first:last])
            if said and first > 0:
                said = " " + said
            due = start + (index * _CHUNK_MS / 1000.0) / self._realtime_factor
            response.chunks.append(_Chunk(due=due, audio=piece, transcript=said))
        self.tick()

    def tick(self) -> None:
        """Send whatever response audio is due by now; fire the idle timeout and the expiry when they are due."""
        response = self._active
        now = self._clock.now()
        expires = self._expires()
        if expires is not None and now >= expires:
            assert self._max_duration is not None
            minutes = self._max_duration / 60
            self._error(
                "invalid_request_error",
                "session_expired",
                f"Your session hit the maximum duration of {minutes:g} minutes.",
            )
            self._active = None
            self.close_request = (1001, "session reached its maximum duration")
            return
        if response is None:
            if self._idle_deadline is not None and now >= self._idle_deadline:
                self._idle_timeout()
            return
        while response.chunks and response.chunks[0].due <= now:
            chunk = response.chunks.popleft()
            self._send_chunk(response, chunk)
            if not response.chunks:
                self._close_message(response, "completed")
                self._advance(response)
                return

    # --------------------------------------------------------------------------------------------- client events

    def _on_session_update(self, body: dict[str, Any], event_id: str | None) -> None:
        session = body.get("session")
        if not isinstance(session, Mapping):
            self._missing("session", event_id)
            return
        if self.dialect.session_shape == "nested":
            kind = session.get("type")
            if kind not in ("realtime", "transcription"):
                self._missing("session.type", event_id)
                return
            if kind != self.kind and (self._active is not None or self.items):
                self._error(
                    "invalid_request_error",
                    "invalid_value",
                    "Cannot change the session type once the conversation has started.",
                    "session.type",
                    event_id,
                )
                return
            flat = nested_session_to_flat(session)
            if "output_modalities" not in session:
                flat.pop("modalities", None)
            new_kind: Literal["realtime", "transcription"] = "transcription" if kind == "transcription" else "realtime"
        else:
            flat = {key: value for key, value in session.items() if key != "type"}
            new_kind = self.kind
        if self._apply_config(flat, "session", event_id):
            self.kind = new_kind
            self._emit("session.updated", session=self._render_session())

    def _on_transcription_session_update(self, body: dict[str, Any], event_id: str | None) -> None:
        session = body.get("session")
        if not isinstance(session, Mapping):
            self._missing("session", event_id)
            return
        flat = {key: value for key, value in session.items() if key != "type"}
        if self._apply_config(flat, "session", event_id):
            self.kind = "transcription"
            self._emit("transcription_session.updated", session=self._render_session())

    def _on_input_audio_buffer_commit(self, body: dict[str, Any], event_id: str | None) -> None:
        fmt = self._input_format()
        buffered_ms = fmt.bytes_to_ms(len(self._buffer)) if self._buffer else 0.0
        if buffered_ms < _MIN_COMMIT_MS:
            self._error(
                "invalid_request_error",
                "input_audio_buffer_commit_empty",
                f"Error committing input audio buffer: buffer too small. Expected at least {_MIN_COMMIT_MS}ms of "
                f"audio, but buffer only has {buffered_ms:.2f}ms of audio.",
                None,
                event_id,
            )
            return
        audio = bytes(self._buffer)
        self._buffer.clear()
        if self._vad is not None:
            self._restart_vad()
        # A manual commit never starts a response by itself, even with turn detection on: the client asked for
        # the commit and will ask for the response.
        self._commit(audio, item_id=self._speech_item_id)
        self._speech_item_id = None

    def _on_input_audio_clear(self, body: dict[str, Any], event_id: str | None) -> None:
        """Voice Live's ``input_audio.clear``: drops the pending input audio like ``input_audio_buffer.clear``."""
        self._on_input_audio_buffer_clear(body, event_id)

    def _on_input_audio_turn_start(self, body: dict[str, Any], event_id: str | None) -> None:
        """Voice Live's explicit turns: audio between ``start`` and ``end`` is one user turn, VAD or not."""
        self._turn_id = str(body.get("turn_id"))
        self._buffer.clear()
        self._carry = b""

    def _turn_append(self, turn_id: str, audio: bytes, event_id: str | None) -> None:
        if turn_id != self._turn_id:
            self._error(
                "invalid_request_error", "invalid_value", f"No turn '{turn_id}' has been started.", "turn_id", event_id
            )
            return
        fmt = self._input_format()
        pcm = self._to_pcm16(audio, fmt)
        self._buffer.extend(pcm[: len(pcm) // 2 * 2])
        self._audio_ms += len(pcm) * 1000 / (2 * fmt.sample_rate)
        self._cap_uncommitted(fmt)

    def _cap_uncommitted(self, fmt: AudioFormat) -> None:
        """Keep at most the latest :data:`MAX_UNCOMMITTED_SECONDS` of input no speech detector hands over."""
        limit = MAX_UNCOMMITTED_SECONDS * 2 * fmt.sample_rate
        if len(self._buffer) > limit:
            del self._buffer[: len(self._buffer) - limit]

    def _on_input_audio_turn_end(self, body: dict[str, Any], event_id: str | None) -> None:
        if str(body.get("turn_id")) != self._turn_id:
            self._error(
                "invalid_request_error",
                "invalid_value",
                f"No turn '{body.get('turn_id')}' has been started.",
                "turn_id",
                event_id,
            )
            return
        self._turn_id = None
        self._on_input_audio_buffer_commit({}, event_id)
        if self.items and self.items[-1].data.get("_committed") and self.kind == "realtime" and self._active is None:
            self._start_response({}, None)

    def _on_input_audio_turn_cancel(self, body: dict[str, Any], event_id: str | None) -> None:
        self._turn_id = None
        self._buffer.clear()
        self._carry = b""

    def _idle_timeout(self) -> None:
        """The user stayed silent for ``idle_timeout_ms`` after the assistant spoke: commit and respond anyway."""
        self._idle_deadline = None
        fmt = self._input_format()
        end_ms = int(self._audio_ms)
        start_ms = max(0, int(self._audio_ms - fmt.bytes_to_ms(len(self._buffer))))
        item_id = self._new_id("item")
        self._emit(
            "input_audio_buffer.timeout_triggered", audio_start_ms=start_ms, audio_end_ms=end_ms, item_id=item_id
        )
        audio = bytes(self._buffer)
        self._buffer.clear()
        self._restart_vad()
        self._commit(audio, item_id=item_id)
        if self._turn_detection().get("create_response", True):
            self._start_response({}, None)

    def _on_input_audio_buffer_clear(self, body: dict[str, Any], event_id: str | None) -> None:
        self._buffer.clear()
        self._carry = b""
        if self._vad is not None:
            self._restart_vad()
        self._speech_item_id = None
        self._emit("input_audio_buffer.cleared")

    def _on_output_audio_buffer_clear(self, body: dict[str, Any], event_id: str | None) -> None:
        response = self._active
        if response is None:
            self._error(
                "invalid_request_error", "invalid_value", "There is no response audio to clear.", None, event_id
            )
            return
        response.chunks.clear()
        self._cancel(response, "client_cancelled")
        self._emit("output_audio_buffer.cleared", response_id=response.id)

    def _on_conversation_item_create(self, body: dict[str, Any], event_id: str | None) -> None:
        raw = body.get("item")
        if not isinstance(raw, Mapping):
            self._missing("item", event_id)
            return
        data = self._neutral_item(raw)
        problem = _item_problem(data)
        if problem is not None:
            self._error("invalid_request_error", "invalid_value", problem[0], f"item.{problem[1]}", event_id)
            return
        if "id" in raw and self._find(str(raw["id"])) is not None:
            self._error(
                "invalid_request_error",
                "item_already_exists",
                f"Item with id '{raw['id']}' already exists.",
                "item.id",
                event_id,
            )
            return
        previous = body.get("previous_item_id")
        index = len(self.items)
        if previous == "root":
            index = 0
        elif isinstance(previous, str):
            found = self._index(previous)
            if found is None:
                self._error(
                    "invalid_request_error",
                    "item_not_found",
                    f"Previous item with id '{previous}' not found.",
                    "previous_item_id",
                    event_id,
                )
                return
            index = found + 1
        item = _Item(data=data)
        pcm16 = b""
        for part in data.get("content", []):
            if part.get("type") == "input_audio" and "audio" in part:
                fmt = self._input_format()
                pcm16 = self._to_pcm16(base64.b64decode(part.pop("audio")), fmt)
                pcm16 = pcm16[: len(pcm16) // 2 * 2]
                item.audio_bytes_per_second = 2 * fmt.sample_rate
                self._recognizing.add(item.id)
                self._jobs.append(RecognizeJob(item.id, pcm16, fmt.sample_rate))
        self.items.insert(index, item)
        if pcm16:
            self._retain(item, pcm16)
        self._announce_item(item)

    def _on_conversation_item_retrieve(self, body: dict[str, Any], event_id: str | None) -> None:
        item = self._find(str(body.get("item_id")))
        if item is None:
            self._item_not_found(body.get("item_id"), event_id)
            return
        rendered = self._render_item(item)
        if item.audio is not None and item.data.get("role") == "user":  # None once it left the retained audio
            for part in rendered.get("content", []):
                if part.get("type") == "input_audio":
                    part["audio"] = base64.b64encode(item.audio).decode("ascii")
        self._emit("conversation.item.retrieved", item=rendered)

    def _on_conversation_item_delete(self, body: dict[str, Any], event_id: str | None) -> None:
        item_id = str(body.get("item_id"))
        index = self._index(item_id)
        if index is None:
            self._item_not_found(item_id, event_id)
            return
        self._release(self.items.pop(index))
        self._emit("conversation.item.deleted", item_id=item_id)

    def _on_conversation_item_truncate(self, body: dict[str, Any], event_id: str | None) -> None:
        item_id = str(body.get("item_id"))
        item = self._find(item_id)
        if item is None:
            self._item_not_found(item_id, event_id)
            return
        content_index = int(body.get("content_index", 0))
        audio_end_ms = int(body.get("audio_end_ms", 0))
        content = item.data.get("content", [])
        if (
            item.data.get("role") != "assistant"
            or not (0 <= content_index < len(content))
            or content[content_index].get("type") != "audio"
        ):
            self._error(
                "invalid_request_error",
                "invalid_value",
                "Only assistant messages with audio content can be truncated.",
                "content_index",
                event_id,
            )
            return
        length_ms = int(item.audio_bytes * 1000 / item.audio_bytes_per_second)
        if audio_end_ms < 0 or audio_end_ms > length_ms:
            self._error(
                "invalid_request_error",
                "invalid_value",
                f"Audio content of {length_ms}ms is already shorter than {audio_end_ms}ms.",
                "audio_end_ms",
                event_id,
            )
            return
        item.audio_bytes = min(item.audio_bytes, item.audio_bytes_per_second * audio_end_ms // 1000 // 2 * 2)
        content[content_index]["transcript"] = ""  # the services drop the transcript of truncated audio
        item.data["_truncated"] = True
        self._emit(
            "conversation.item.truncated", item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
        )
        response = self._active
        if response is not None and response.current is item:
            # What the user did not hear is not sent either; the response goes on with its next output.
            self._close_message(response, "incomplete")
            self._advance(response)

    def _on_response_create(self, body: dict[str, Any], event_id: str | None) -> None:
        if self.kind == "transcription":
            self._error(
                "invalid_request_error",
                "invalid_value",
                "Responses cannot be created in a transcription session.",
                "type",
                event_id,
            )
            return
        params = body.get("response") or {}
        self._start_response(dict(params), event_id)

    def _on_response_cancel(self, body: dict[str, Any], event_id: str | None) -> None:
        response = self._active
        wanted = body.get("response_id")
        if response is None or (wanted is not None and wanted != response.id):
            self._error(
                "invalid_request_error",
                "response_cancel_not_active",
                "Cancellation failed: no active response found.",
                None,
                event_id,
            )
            return
        self._cancel(response, "client_cancelled")

    # --------------------------------------------------------------------------------------------------- input audio

    def _append(self, audio: bytes, event_id: str | None) -> None:
        fmt = self._input_format()
        if fmt.encoding == "pcm16":
            pcm = self._carry + audio
            whole = len(pcm) // 2 * 2
            pcm, self._carry = pcm[:whole], pcm[whole:]
        else:
            pcm = self._to_pcm16(audio, fmt)
        self._buffer.extend(pcm)
        self._audio_ms += len(pcm) * 1000 / (2 * fmt.sample_rate)
        if self._vad is None:
            self._cap_uncommitted(fmt)
            return
        if not self._vad.in_speech and len(self._buffer) > _VAD_SILENCE_KEPT_S * 2 * fmt.sample_rate:
            # With turn detection the detector hands over each utterance; of a long silence only the recent part
            # is kept (for a manual commit), so a microphone left open does not grow the buffer without end.
            del self._buffer[: len(self._buffer) - _VAD_SILENCE_KEPT_S * 2 * fmt.sample_rate]
        for vad_event in self._vad.process(pcm):
            at_ms = int(self._vad_origin_ms + vad_event.audio_ms)
            if vad_event.kind == "speech_started":
                self._idle_deadline = None
                self._speech_item_id = self._new_id("item")
                self._emit("input_audio_buffer.speech_started", audio_start_ms=at_ms, item_id=self._speech_item_id)
                response = self._active
                if response is not None and self._turn_detection().get("interrupt_response", True):
                    self._cancel(response, "turn_detected")
            else:
                item_id = self._speech_item_id or self._new_id("item")
                self._speech_item_id = None
                self._emit("input_audio_buffer.speech_stopped", audio_end_ms=at_ms, item_id=item_id)
                self._buffer.clear()
                self._commit(vad_event.audio, item_id=item_id)
                if (
                    self.kind == "realtime"
                    and self._turn_detection().get("create_response", True)
                    and self._active is None
                ):
                    self._start_response({}, None)

    def _commit(self, pcm16: bytes, *, item_id: str | None) -> None:
        fmt = self._input_format()
        item_id = item_id or self._new_id("item")
        previous = self.items[-1].id if self.items else None
        data: dict[str, Any] = {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
            "_committed": True,
        }
        item = _Item(data=data, audio_bytes=len(pcm16), audio_bytes_per_second=2 * fmt.sample_rate)
        self.items.append(item)
        self._retain(item, pcm16)
        self._emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        self._recognizing.add(item_id)
        self._jobs.append(RecognizeJob(item_id, bytes(pcm16), fmt.sample_rate))
        if self._profile.transcript_before_user_item and self._transcribing():
            data["_announce_after_transcript"] = True
        else:
            self._announce_item(item)

    # ---------------------------------------------------------------------------------------------------- responses

    def _start_response(self, params: dict[str, Any], event_id: str | None) -> None:
        if self._active is not None:
            self._error(
                "invalid_request_error",
                "conversation_already_has_active_response",
                f"Conversation already has an active response in progress: {self._active.id}. Wait until the "
                "response is finished before creating a new one.",
                None,
                event_id,
            )
            return
        flat = nested_session_to_flat(params) if self.dialect.session_shape == "nested" else dict(params)
        problem = _config_problem(flat, self.dialect)
        if problem is not None:
            self._error("invalid_request_error", "invalid_value", problem[0], f"response.{problem[1]}", event_id)
            return
        modalities = flat.get("modalities") or self.config.get("modalities") or ["text", "audio"]
        if self.dialect.session_shape == "nested" and "output_modalities" not in params:
            modalities = self.config.get("modalities") or ["text", "audio"]
        self._idle_deadline = None
        response = _Response(
            id=self._new_id("resp"),
            params=flat,
            modalities=list(modalities),
            in_conversation=params.get("conversation", "auto") != "none",
        )
        self._active = response
        self._responses += 1
        self._emit("response.created", response=self._render_response(response, "in_progress"))
        response.waiting_for = set(self._recognizing)
        self._maybe_respond()

    def _maybe_respond(self) -> None:
        response = self._active
        if response is None or response.phase != "waiting":
            return
        response.waiting_for &= self._recognizing
        if response.waiting_for:
            return
        response.phase = "responding"
        self._jobs.append(RespondJob(response.id, self._context(response)))

    def _context(self, response: _Response) -> ResponderContext:
        items = self.items
        given = response.params.get("input")
        if isinstance(given, list):
            items = []
            for raw in given:
                if isinstance(raw, Mapping) and raw.get("type") == "item_reference":
                    found = self._find(str(raw.get("id")))
                    if found is not None:
                        items.append(found)
                elif isinstance(raw, Mapping):
                    items.append(_Item(data=self._neutral_item(raw)))
        flat_items = [_context_item(item) for item in items]
        # The user's last turn: every user message since the assistant last spoke (the service's turn detection
        # cuts one turn into several items at its pauses), in order.
        heard: list[str] = []
        for entry in reversed(flat_items):
            if entry.get("type") != "message" or entry.get("role") != "user":
                if heard:
                    break
                continue
            words = " ".join(
                str(part.get("text") or part.get("transcript") or "") for part in entry.get("content", [])
            ).strip()
            if words:
                heard.append(words)
                if isinstance(given, list):
                    break  # a response given its own input answers its last message
        transcript = " ".join(reversed(heard))
        tools = response.params.get("tools", self.config.get("tools") or [])
        choice = response.params.get("tool_choice", self.config.get("tool_choice", "auto"))
        if choice == "none":
            tools = []
        elif isinstance(choice, Mapping) and choice.get("name"):
            tools = [tool for tool in tools if tool.get("name") == choice.get("name")]
        instructions = response.params.get("instructions", self.config.get("instructions") or "")
        return ResponderContext(
            transcript=transcript,
            items=flat_items,
            tools=[dict(tool) for tool in tools],
            instructions=str(instructions),
        )

    def _advance(self, response: _Response) -> None:
        """Start the next output of the response, or finish it when none is left."""
        response.phase = "streaming"
        while response.pending:
            nxt = response.pending.popleft()
            if isinstance(nxt, ToolCall):
                self._function_call(response, nxt)
                continue
            item = self._open_message(response, nxt)
            if "audio" in response.modalities:
                self._jobs.append(SynthesizeJob(response.id, item.id, nxt))
                return  # synthesized() and tick() carry on
            self._stream_text(response, item, nxt)
        if response.incomplete:
            self._finish_response(response, "incomplete", {"type": "incomplete", "reason": "max_output_tokens"})
        else:
            self._finish_response(response, "completed", None)

    def _open_message(self, response: _Response, text: str) -> _Item:
        audio = "audio" in response.modalities
        fmt = self._output_format(response)
        part: dict[str, Any] = {"type": "audio", "transcript": ""} if audio else {"type": "text", "text": ""}
        item = _Item(
            data={
                "id": self._new_id("item"),
                "type": "message",
                "status": "in_progress",
                "role": "assistant",
                "content": [],
                "_text": text,
            },
            audio_bytes_per_second=fmt.bytes_per_second,
        )
        response.current = item
        response.spoken = []
        output_index = self._add_output(response, item)
        item.data["content"] = [part]
        self._emit(
            "response.content_part.added",
            response_id=response.id,
            item_id=item.id,
            output_index=output_index,
            content_index=0,
            part=self._render_part(part, event_part=True),
        )
        if audio:
            self._assistant_audio = True
        return item

    def _stream_text(self, response: _Response, item: _Item, text: str) -> None:
        index = response.output.index(item)
        words = [w for w in text.split(" ") if w]
        for position, word in enumerate(words):
            self._emit(
                "response.output_text.delta",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
                delta=word if position == 0 else " " + word,
            )
        response.spoken = [text]
        self._close_message(response, "completed")

    def _send_chunk(self, response: _Response, chunk: _Chunk) -> None:
        item = response.current
        assert item is not None  # chunks exist only while a message is open
        index = response.output.index(item)
        if chunk.transcript:
            response.spoken.append(chunk.transcript)
            self._emit(
                "response.output_audio_transcript.delta",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
                delta=chunk.transcript,
            )
        if chunk.audio:
            if response.first_audio_at is None:
                response.first_audio_at = self._clock.now()
            item.audio_bytes += len(chunk.audio)  # the length is kept; the audio itself, sent, is not
            response.audio_ms_out += len(chunk.audio) * 1000 / item.audio_bytes_per_second
            self._emit(
                "response.output_audio.delta",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
                delta=base64.b64encode(chunk.audio).decode("ascii"),
            )

    def _close_message(self, response: _Response, status: str) -> None:
        item = response.current
        if item is None:
            return
        response.current = None
        response.chunks.clear()
        index = response.output.index(item)
        said = "".join(response.spoken)
        part = item.data["content"][0] if item.data.get("content") else None
        if part is None:  # cancelled before its content part was announced
            part = (
                {"type": "audio", "transcript": ""} if "audio" in response.modalities else {"type": "text", "text": ""}
            )
            item.data["content"] = [part]
        elif part["type"] == "audio":
            part["transcript"] = "" if item.data.get("_truncated") else said
            self._emit(
                "response.output_audio.done",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
            )
            self._emit(
                "response.output_audio_transcript.done",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
                transcript=said,
            )
        else:
            part["text"] = said
            self._emit(
                "response.output_text.done",
                response_id=response.id,
                item_id=item.id,
                output_index=index,
                content_index=0,
                text=said,
            )
        response.text_chars_out += len(said)
        self._emit(
            "response.content_part.done",
            response_id=response.id,
            item_id=item.id,
            output_index=index,
            content_index=0,
            part=self._render_part(part, event_part=True),
        )
        item.data["status"] = status
        item.data.pop("_text", None)
        self._output_done(response, item, index)

    def _function_call(self, response: _Response, call: ToolCall) -> None:
        arguments = json.dumps(dict(call.arguments), separators=(",", ":"))
        if not any(tool.get("name") == call.name for tool in self.config.get("tools") or []):
            logger.warning("the responder called %r, which is not a tool of this session", call.name)
        item = _Item(
            data={
                "id": self._new_id("item"),
                "type": "function_call",
                "status": "in_progress",
                "name": call.name,
                "call_id": new_id("call", self._rng, 16),
                "arguments": "",
            }
        )
        output_index = self._add_output(response, item)
        call_id = item.data["call_id"]
        for start in range(0, len(arguments), 16):
            self._emit(
                "response.function_call_arguments.delta",
                response_id=response.id,
                item_id=item.id,
                output_index=output_index,
                call_id=call_id,
                delta=arguments[start : start + 16],
            )
        item.data["arguments"] = arguments
        item.data["status"] = "completed"
        self._emit(
            "response.function_call_arguments.done",
            response_id=response.id,
            item_id=item.id,
            output_index=output_index,
            call_id=call_id,
            name=call.name,
            arguments=arguments,
        )
        self._output_done(response, item, output_index)
        response.text_chars_out += len(arguments)

    def _cancel(self, response: _Response, reason: str) -> None:
        if response.current is not None:
            self._close_message(response, "incomplete")
        response.pending.clear()
        self._finish_response(response, "cancelled", {"type": "cancelled", "reason": reason})

    def _finish_response(self, response: _Response, status: str, details: dict[str, Any] | None) -> None:
        response.phase = "done"
        self._active = None
        idle_ms = self._turn_detection().get("idle_timeout_ms")
        if isinstance(idle_ms, int) and idle_ms > 0 and self._vad is not None and self.kind == "realtime":
            # The user's silence is counted from when the assistant's audio has finished playing.
            played_until = self._clock.now()
            if response.first_audio_at is not None:
                played_until = max(played_until, response.first_audio_at + response.audio_ms_out / 1000.0)
            self._idle_deadline = played_until + idle_ms / 1000.0
        rendered = self._render_response(response, status, details)
        self._tokens_used += int(rendered["usage"]["total_tokens"])
        self._emit("response.done", response=rendered)
        if self._profile.sends_rate_limits:
            self._emit(
                "rate_limits.updated",
                rate_limits=[
                    {"name": "requests", "limit": 5000, "remaining": 5000 - self._responses, "reset_seconds": 0.012},
                    {
                        "name": "tokens",
                        "limit": 40000000,
                        "remaining": 40000000 - self._tokens_used,
                        "reset_seconds": round(self._tokens_used * 60 / 40000000, 3),
                    },
                ],
            )

    # ------------------------------------------------------------------------------------------------ configuration

    def _default_config(self) -> dict[str, Any]:
        profile = self._profile
        config: dict[str, Any] = {
            "modalities": ["text", "audio"],
            "instructions": "You are a local test assistant. You repeat what you hear and call the tools you are "
            "given when the words name them.",
            "voice": copy.deepcopy(profile.default_voice),
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": copy.deepcopy(profile.default_transcription),
            "input_audio_noise_reduction": None,
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": profile.default_silence_ms,
                "idle_timeout_ms": None,
                "create_response": True,
                "interrupt_response": True,
            },
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
            "speed": 1.0,
        }
        if self.dialect.name == "voicelive":
            config["input_audio_sampling_rate"] = 24000
        if self.kind == "transcription":
            config["input_audio_transcription"] = {"model": "gpt-4o-transcribe", "prompt": "", "language": ""}
        return config

    def _apply_config(self, flat: Mapping[str, Any], where: str, event_id: str | None) -> bool:
        """Validate and merge a flat session update; on a fault send ``error`` and change nothing."""
        problem = _config_problem(flat, self.dialect)
        if problem is not None:
            message, param = problem
            self._error("invalid_request_error", "invalid_value", message, f"{where}.{param}", event_id)
            return False
        if "voice" in flat and flat["voice"] != self.config.get("voice") and self._assistant_audio:
            self._error(
                "invalid_request_error",
                "cannot_update_voice",
                "Cannot update a conversation's voice if assistant audio is present.",
                f"{where}.voice",
                event_id,
            )
            return False
        before = (
            self.config.get("input_audio_format"),
            self.config.get("input_audio_sampling_rate"),
            json.dumps(self.config.get("turn_detection"), sort_keys=True),
        )
        for key, value in flat.items():
            if (
                key == "turn_detection"
                and isinstance(value, Mapping)
                and isinstance(self.config.get("turn_detection"), Mapping)
                and value.get("type", self.config["turn_detection"].get("type"))
                == self.config["turn_detection"].get("type")
            ):
                merged = dict(self.config["turn_detection"])
                merged.update(value)
                self.config[key] = merged
            else:
                self.config[key] = copy.deepcopy(value)
        after = (
            self.config.get("input_audio_format"),
            self.config.get("input_audio_sampling_rate"),
            json.dumps(self.config.get("turn_detection"), sort_keys=True),
        )
        if before[:2] != after[:2]:
            # Audio already buffered is in the old format: it cannot be read in the new one.
            self._buffer.clear()
            self._carry = b""
        if before != after:
            self._configure_input()
        return True

    def _configure_input(self) -> None:
        turn = self.config.get("turn_detection")
        if not isinstance(turn, Mapping):
            self._vad = None
            return
        self._restart_vad()

    def _restart_vad(self) -> None:
        turn = self._turn_detection()
        silence: Any = turn.get("silence_duration_ms")
        if silence is None:  # semantic VAD: its eagerness stands for a silence length
            silence = _EAGERNESS_SILENCE_MS.get(str(turn.get("eagerness", "auto")), 700)
        threshold: Any = turn.get("threshold")
        padding: Any = turn.get("prefix_padding_ms")
        self._vad = VoiceActivityDetector(
            sample_rate=self._input_format().sample_rate,
            threshold=float(threshold) if threshold is not None else 0.5,
            prefix_padding_ms=int(padding) if padding is not None else 300,
            silence_duration_ms=max(10, int(silence)),
        )
        self._vad_origin_ms = self._audio_ms

    def _turn_detection(self) -> Mapping[str, Any]:
        turn = self.config.get("turn_detection")
        return turn if isinstance(turn, Mapping) else {}

    def _transcribing(self) -> bool:
        return self.kind == "transcription" or bool(self.config.get("input_audio_transcription"))

    def _input_format(self) -> AudioFormat:
        name = str(self.config.get("input_audio_format") or "pcm16")
        rate = self.config.get("input_audio_sampling_rate") if name == "pcm16" else None
        return AudioFormat.from_wire(name, sample_rate=int(rate)) if rate else AudioFormat.from_wire(name)

    def _output_format(self, response: _Response | None = None) -> AudioFormat:
        """The session's output format, or the one a ``response.create`` asked for."""
        name = response.params.get("output_audio_format") if response is not None else None
        return AudioFormat.from_wire(str(name or self.config.get("output_audio_format") or "pcm16"))

    @staticmethod
    def _to_pcm16(audio: bytes, fmt: AudioFormat) -> bytes:
        """PCM16 from input audio; an odd PCM16 byte is left for the caller to carry or drop, not refused."""
        return audio if fmt.encoding == "pcm16" else decode_to_pcm16(audio, fmt.encoding)

    def _accepted_events(self) -> tuple[str, ...]:
        return _CLIENT_EVENTS[self.dialect.name]

    def _is_beta_transcription(self) -> bool:
        return self.kind == "transcription" and self.dialect.session_shape == "flat"

    # ------------------------------------------------------------------------------------------------- rendering

    def _render_session(self) -> dict[str, Any]:
        c = self.config
        expires_at = int(self._created_wall + (self._max_duration or 30 * 60))
        if self.dialect.session_shape == "nested":
            audio_in: dict[str, Any] = {
                "format": _nested_format(c.get("input_audio_format"), c.get("input_audio_sampling_rate")),
                "transcription": c.get("input_audio_transcription"),
                "noise_reduction": c.get("input_audio_noise_reduction"),
                "turn_detection": c.get("turn_detection"),
            }
            if self.kind == "transcription":
                return {
                    "type": "transcription",
                    "object": "realtime.transcription_session",
                    "id": self.id,
                    "expires_at": expires_at,
                    "audio": {"input": audio_in},
                    "include": None,
                }
            return {
                "type": "realtime",
                "object": "realtime.session",
                "id": self.id,
                "model": self.model,
                "output_modalities": ["audio"] if "audio" in (c.get("modalities") or []) else ["text"],
                "instructions": c.get("instructions"),
                "tools": c.get("tools") or [],
                "tool_choice": c.get("tool_choice"),
                "max_output_tokens": c.get("max_response_output_tokens"),
                "tracing": None,
                "truncation": "auto",
                "prompt": None,
                "expires_at": expires_at,
                "audio": {
                    "input": audio_in,
                    "output": {
                        "format": _nested_format(c.get("output_audio_format"), None),
                        "voice": c.get("voice"),
                        "speed": c.get("speed", 1.0),
                    },
                },
                "include": None,
            }
        if self.kind == "transcription":
            return {
                "id": self.id,
                "object": "realtime.transcription_session",
                "input_audio_format": c.get("input_audio_format"),
                "input_audio_transcription": c.get("input_audio_transcription"),
                "turn_detection": c.get("turn_detection"),
                "input_audio_noise_reduction": c.get("input_audio_noise_reduction"),
                "include": [],
            }
        session: dict[str, Any] = {"object": "realtime.session", "id": self.id, "model": self.model}
        keys = (
            "modalities",
            "instructions",
            "voice",
            "input_audio_format",
            "output_audio_format",
            "input_audio_sampling_rate",
            "input_audio_transcription",
            "input_audio_noise_reduction",
            "turn_detection",
            "tools",
            "tool_choice",
            "temperature",
            "max_response_output_tokens",
        )
        for key in keys:
            if key in c:
                session[key] = c[key]
        for key, value in c.items():  # Voice Live extras the client set (avatar, echo cancellation, ...)
            if key not in session and key != "speed":
                session[key] = value
        if self.dialect.name == "voicelive":
            session.pop("object", None)
            session["agent"] = None
        else:
            session["expires_at"] = expires_at
        return session

    def _render_response(
        self, response: _Response, status: str, details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        c = self.config
        output = [self._render_item(item) for item in response.output] if status != "in_progress" else []
        rendered: dict[str, Any] = {
            "object": "realtime.response",
            "id": response.id,
            "status": status,
            "status_details": details,
            "output": output,
            "conversation_id": self._conversation_id if response.in_conversation else None,
        }
        fmt_name = response.params.get("output_audio_format", c.get("output_audio_format"))
        voice = response.params.get("voice", c.get("voice"))
        max_tokens = response.params.get("max_response_output_tokens", c.get("max_response_output_tokens"))
        if self.dialect.session_shape == "nested":
            rendered["output_modalities"] = ["audio"] if "audio" in response.modalities else ["text"]
            rendered["max_output_tokens"] = max_tokens
            rendered["audio"] = {"output": {"format": _nested_format(fmt_name, None), "voice": voice}}
        else:
            rendered["modalities"] = response.modalities
            rendered["voice"] = voice
            rendered["output_audio_format"] = fmt_name
            rendered["temperature"] = response.params.get("temperature", c.get("temperature"))
            rendered["max_output_tokens"] = max_tokens
        rendered["usage"] = None if status == "in_progress" else self._usage(response)
        rendered["metadata"] = response.params.get("metadata")
        return rendered

    def _usage(self, response: _Response) -> dict[str, Any]:
        text_in = audio_in = 0
        for item in self.items:
            if item in response.output:
                continue
            for part in item.data.get("content", []):
                text_in += len(str(part.get("text") or "")) // 4
            text_in += len(str(item.data.get("arguments") or item.data.get("output") or "")) // 4
            if item.audio_bytes:
                audio_in += int(item.audio_seconds * _AUDIO_TOKENS_PER_SECOND)
        text_in += len(str(self.config.get("instructions") or "")) // 4
        text_out = (response.text_chars_out + 3) // 4
        audio_out = int(response.audio_ms_out / 1000 * _AUDIO_TOKENS_PER_SECOND)
        return {
            "total_tokens": text_in + audio_in + text_out + audio_out,
            "input_tokens": text_in + audio_in,
            "output_tokens": text_out + audio_out,
            "input_token_details": {
                "text_tokens": text_in,
                "audio_tokens": audio_in,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
        }

    def _render_item(self, item: _Item) -> dict[str, Any]:
        data = {key: copy.deepcopy(value) for key, value in item.data.items() if not key.startswith("_")}
        if "content" in data:
            data["content"] = [self._render_part(part) for part in data["content"]]
        if not self.dialect.uses_ga_names:
            data = {"id": data.pop("id"), "object": "realtime.item", **data}
        return data

    def _render_part(self, part: Mapping[str, Any], *, event_part: bool = False) -> dict[str, Any]:
        rendered = dict(part)
        kind = part.get("type")
        if self.dialect.uses_ga_names and not event_part and kind in ("text", "audio"):
            rendered["type"] = "output_" + str(kind)
        return rendered

    def _neutral_item(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        data = {key: copy.deepcopy(value) for key, value in raw.items() if key != "object"}
        data.setdefault("id", self._new_id("item"))
        data.setdefault("status", "completed")
        content = data.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") in ("output_text", "output_audio"):
                    part["type"] = str(part["type"])[len("output_") :]
        return data

    # ---------------------------------------------------------------------------------------------------- helpers

    def _announce_item(self, item: _Item) -> None:
        """A complete item is in the conversation: ``added`` (beta ``created``), and on GA paths at once ``done``."""
        self._emit("conversation.item.added", previous_item_id=self._previous_id(item), item=self._render_item(item))
        self._item_done(item)

    def _item_done(self, item: _Item) -> None:
        if self.dialect.uses_ga_names:  # beta paths have no conversation.item.done
            self._emit("conversation.item.done", previous_item_id=self._previous_id(item), item=self._render_item(item))

    def _add_output(self, response: _Response, item: _Item) -> int:
        """Announce the response's next output item, in the conversation too unless out of band; its output index."""
        index = len(response.output)
        response.output.append(item)
        self._emit(
            "response.output_item.added", response_id=response.id, output_index=index, item=self._render_item(item)
        )
        if response.in_conversation:
            self.items.append(item)
            self._emit(
                "conversation.item.added", previous_item_id=self._previous_id(item), item=self._render_item(item)
            )
        return index

    def _output_done(self, response: _Response, item: _Item, index: int) -> None:
        self._emit(
            "response.output_item.done", response_id=response.id, output_index=index, item=self._render_item(item)
        )
        if response.in_conversation:
            self._item_done(item)

    def _retain(self, item: _Item, pcm16: bytes) -> None:
        """Keep a user item's audio for ``conversation.item.retrieve``, dropping the oldest kept audio over the cap."""
        item.audio_bytes = len(pcm16)
        if item.audio_seconds > self._retained_audio_seconds:
            return  # longer than the whole allowance: never kept
        item.audio = pcm16
        self._retained.append(item)
        held = sum(kept.audio_seconds for kept in self._retained)
        while held > self._retained_audio_seconds:
            oldest = self._retained.popleft()
            held -= oldest.audio_seconds
            oldest.audio = None

    def _release(self, item: _Item) -> None:
        if item.audio is not None:
            item.audio = None
            self._retained = deque(kept for kept in self._retained if kept is not item)  # by identity, not by ==

    @property
    def audio_bytes_held(self) -> int:
        """The audio this session holds now, in bytes: uncommitted input, kept user audio, reply audio not yet sent.

        Bounded whatever the session's length (see the module docstring); the speech detector's own buffer of the
        utterance in progress comes on top.
        """
        held = len(self._buffer) + sum(len(item.audio or b"") for item in self._retained)
        if self._active is not None:
            held += sum(len(chunk.audio) for chunk in self._active.chunks)
        return held

    def _previous_id(self, item: _Item) -> str | None:
        index = self._index(item.id)
        if index is None or index == 0:
            return None
        return self.items[index - 1].id

    def _find(self, item_id: str) -> _Item | None:
        index = self._index(item_id)
        return self.items[index] if index is not None else None

    def _index(self, item_id: str) -> int | None:
        for index, item in enumerate(self.items):
            if item.id == item_id:
                return index
        return None

    def _new_id(self, prefix: str) -> str:
        return new_id(prefix, self._rng, self._profile.id_length)

    def _emit(self, canonical: str, **fields: Any) -> None:
        event: dict[str, Any] = {"type": self.dialect.server_event_name(canonical), "event_id": self._new_id("event")}
        event.update(fields)
        self._events.append(event)

    def _error(
        self, kind: str, code: str | None, message: str, param: str | None = None, event_id: str | None = None
    ) -> None:
        self._emit(
            "error", error={"type": kind, "code": code, "message": message, "param": param, "event_id": event_id}
        )

    def _missing(self, param: str, event_id: str | None) -> None:
        self._error(
            "invalid_request_error",
            "missing_required_parameter",
            f"Missing required parameter: '{param}'.",
            param,
            event_id,
        )

    def _item_not_found(self, item_id: object, event_id: str | None) -> None:
        self._error(
            "invalid_request_error", "item_not_found", f"Item with item_id not found: {item_id}", "item_id", event_id
        )

    def _unknown_event(self, kind: str, event_id: object) -> None:
        if kind in _UNSUPPORTED_CLIENT_EVENTS.get(self.dialect.name, ()):
            self._error(
                "invalid_request_error",
                "unsupported_event",
                f"'{kind}' is not supported by the local server.",
                "type",
                event_id if isinstance(event_id, str) else None,
            )
            return
        supported = ", ".join(f"'{name}'" for name in self._accepted_events())
        self._error(
            "invalid_request_error",
            "invalid_value",
            f"Invalid value: '{kind}'. Supported values are: {supported}.",
            "type",
            event_id if isinstance(event_id, str) else None,
        )

    def _invalid_event(self, event: InvalidEvent) -> None:
        event_id = None
        try:
            raw = json.loads(event.raw)
            if isinstance(raw, dict) and isinstance(raw.get("event_id"), str):
                event_id = raw["event_id"]
        except ValueError:
            pass
        if not event.type:
            self._error(
                "invalid_request_error", "missing_required_parameter", "The 'type' field is missing.", "type", event_id
            )
            return
        if event.type not in self._accepted_events():
            self._unknown_event(event.type, event_id)
            return
        path = _error_path(event.error)
        self._error(
            "invalid_request_error", "invalid_value", f"Invalid '{event.type}' event: {event.error}", path, event_id
        )


# ------------------------------------------------------------------------------------------------------ validation


def _config_problem(flat: Mapping[str, Any], dialect: Dialect) -> tuple[str, str] | None:
    """``(message, param)`` for the first invalid value of a flat session update, or None."""
    modalities = flat.get("modalities")
    if "modalities" in flat and (
        not isinstance(modalities, list) or not modalities or any(m not in ("text", "audio") for m in modalities)
    ):
        return (
            f"Invalid modalities: {modalities!r}. Supported combinations are: ['text'] and ['audio', 'text'].",
            "modalities",
        )
    for key in ("input_audio_format", "output_audio_format"):
        # Voice Live also gives PCM16 at its other rates, named by rate ("pcm16_16000hz").
        names: tuple[str, ...] = _FLAT_FORMATS
        if key == "output_audio_format":
            names += tuple(f"pcm16_{rate}hz" for rate in dialect.pcm_rates if rate != 24000)
        if key in flat and flat[key] not in names:
            supported = ", ".join(f"'{name}'" for name in names)
            return f"Invalid value: '{flat[key]}'. Supported values are: {supported}.", key
    rate = flat.get("input_audio_sampling_rate")
    if "input_audio_sampling_rate" in flat and rate not in (8000, 16000, 24000):
        return (
            f"Invalid input_audio_sampling_rate: {rate!r}. Supported values are 8000, 16000 and 24000.",
            "input_audio_sampling_rate",
        )
    turn = flat.get("turn_detection")
    if "turn_detection" in flat and turn is not None:
        if not isinstance(turn, Mapping):
            return "turn_detection must be an object or null.", "turn_detection"
        if turn.get("type", "server_vad") not in _TURN_TYPES:
            return (
                f"Invalid value: '{turn.get('type')}'. Supported values are: 'server_vad', 'semantic_vad'.",
                "turn_detection.type",
            )
        threshold = turn.get("threshold")
        if threshold is not None and (not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0):
            return (
                f"Invalid 'turn_detection.threshold': {threshold!r}. Expected a number between 0 and 1.",
                "turn_detection.threshold",
            )
        for key in ("prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"):
            value = turn.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10000):
                return (
                    f"Invalid 'turn_detection.{key}': {value!r}. Expected an integer from 0 to 10000.",
                    f"turn_detection.{key}",
                )
    temperature = flat.get("temperature")
    if "temperature" in flat and (not isinstance(temperature, int | float) or not 0.6 <= temperature <= 1.2):
        return f"Invalid 'temperature': {temperature!r}. Expected a number between 0.6 and 1.2.", "temperature"
    tokens = flat.get("max_response_output_tokens")
    if (
        "max_response_output_tokens" in flat
        and tokens != "inf"
        and (not isinstance(tokens, int) or isinstance(tokens, bool) or not 1 <= tokens <= 4096)
    ):
        return (
            f"Invalid 'max_response_output_tokens': {tokens!r}. Expected 1 to 4096 or 'inf'.",
            "max_response_output_tokens",
        )
    tools = flat.get("tools")
    if "tools" in flat:
        if not isinstance(tools, list):
            return "tools must be a list.", "tools"
        for index, tool in enumerate(tools):
            if not isinstance(tool, Mapping) or (
                tool.get("type", "function") == "function" and not isinstance(tool.get("name"), str)
            ):
                return "Missing required parameter: 'name'.", f"tools[{index}].name"
    choice = flat.get("tool_choice")
    if (
        "tool_choice" in flat
        and choice not in _TOOL_CHOICES
        and not (isinstance(choice, Mapping) and isinstance(choice.get("name"), str))
    ):
        return f"Invalid value: {choice!r}. Supported values are: 'auto', 'none', 'required'.", "tool_choice"
    voice = flat.get("voice")
    if (
        "voice" in flat
        and not isinstance(voice, str)
        and not (dialect.name == "voicelive" and isinstance(voice, Mapping))
    ):
        return f"Invalid value: {voice!r}. Expected a voice name.", "voice"
    instructions = flat.get("instructions")
    if "instructions" in flat and not isinstance(instructions, str):
        return "instructions must be a string.", "instructions"
    return None


def _item_problem(data: Mapping[str, Any]) -> tuple[str, str] | None:
    kind = data.get("type")
    if kind == "message":
        if data.get("role") not in ("user", "assistant", "system"):
            return f"Invalid value: '{data.get('role')}'. Supported values are: 'user', 'assistant', 'system'.", "role"
        if not isinstance(data.get("content"), list):
            return "Missing required parameter: 'content'.", "content"
        return None
    if kind == "function_call":
        for key in ("name", "call_id"):
            if not isinstance(data.get(key), str):
                return f"Missing required parameter: '{key}'.", key
        return None
    if kind == "function_call_output":
        for key in ("call_id", "output"):
            if not isinstance(data.get(key), str):
                return f"Missing required parameter: '{key}'.", key
        return None
    return f"Invalid value: '{kind}'. Supported values are: 'message', 'function_call', 'function_call_output'.", "type"


def _context_item(item: _Item) -> dict[str, Any]:
    """The flat dict a responder sees: no private keys, user audio carries what the server heard."""
    data = {key: copy.deepcopy(value) for key, value in item.data.items() if not key.startswith("_")}
    for part in data.get("content", []):
        if part.get("type") == "input_audio":
            part.pop("audio", None)
            part["transcript"] = item.heard if item.heard is not None else part.get("transcript")
    return data


def _nested_format(name: object, rate: object) -> dict[str, Any]:
    if name == "g711_ulaw":
        return {"type": "audio/pcmu"}
    if name == "g711_alaw":
        return {"type": "audio/pcma"}
    return {"type": "audio/pcm", "rate": int(rate) if isinstance(rate, int) else 24000}


def _error_path(message: str) -> str | None:
    """The wire path msgspec's message names (``content_index``, ``session.turn_detection.type``), if any."""
    at = re.search(r" - at `?\$\.?([^`\s]*)`?", message)
    path = at.group(1) if at else ""
    missing = re.match(r"Object missing required field `?([^`\s]+)`?", message)
    if missing:
        path = f"{path}.{missing.group(1)}" if path else missing.group(1)
    return path or None


def _unset_to_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
