"""A local realtime-compatible server: every dialect on its real path, real VAD, offline speech, a pluggable brain.

Run it with ``pyagent serve`` or in-process::

    async with LocalServer() as server:              # 127.0.0.1, a free port, any key accepted
        async with connect(endpoint=server.endpoint, credential="any", dialect="voicelive") as conn:
            ...

Paths: ``/v1/realtime`` (OpenAI GA), ``/openai/realtime`` (Azure OpenAI preview, beta names),
``/openai/v1/realtime`` (Azure OpenAI GA) and ``/voice-live/realtime`` (Voice Live), each with its own event names
and session shape. Choices where the services leave room, made to match them:

- ``input_audio_transcription`` is off (null) by default, as on the real services: configure it (any model name) to
  get ``conversation.item.input_audio_transcription.*`` events. The server always recognises user audio for its
  responder, so responses follow the words whether or not transcripts are sent. Transcription sessions (GA
  ``session.type = "transcription"`` or ``?intent=transcription``, beta ``transcription_session.update``) always
  transcribe.
- Response audio is sent ``realtime_factor`` times faster than it plays: 10 by default, because the services send it
  faster than real time too (so a client's own timeouts hold here as there, and examples do not wait the length of
  each answer); ``realtime_factor=1`` (``pyagent serve --realtime-factor 1``) paces it as a listener hears it, for
  code that must see an answer still arriving (a barge-in over it); ``math.inf`` sends it as soon as it is made.
- Memory stays flat however long sessions stream: each item keeps its content, transcripts and audio length for the
  session's life (about a kilobyte per item); assistant audio is sent and forgotten; user audio is kept for
  ``conversation.item.retrieve`` for the latest items only (``retained_audio_seconds``, 10 s in all by default;
  older items are retrieved without it); uncommitted input is capped (30 s of silence with turn detection, 10
  minutes without).
- Recordings (``record_dir``) keep the audio, base64 as on the wire, so they replay whole; no header or key is written.
- Tests: ``pytest_plugins = ["pyagent.server.pytest_plugin"]`` gives a ``local_server`` fixture.
"""

from __future__ import annotations

from pyagent.server._responder import EchoResponder, Reply, Responder, ResponderContext, ToolCall
from pyagent.server._server import LocalServer
from pyagent.server._speech import Recognizer, SpeechEngines, SpeechMode, Synthesizer
from pyagent.server.errors import (
    ConfigurationError,
    ResponderError,
    ServerError,
    ServerNotRunningError,
    SpeechUnavailableError,
)

__all__ = [
    "ConfigurationError",
    "EchoResponder",
    "LocalServer",
    "Recognizer",
    "Reply",
    "Responder",
    "ResponderContext",
    "ResponderError",
    "ServerError",
    "ServerNotRunningError",
    "SpeechEngines",
    "SpeechMode",
    "SpeechUnavailableError",
    "Synthesizer",
    "ToolCall",
]
