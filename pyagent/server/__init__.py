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
- Response audio is paced at ``realtime_factor`` times real time (1 by default, as a live service plays it);
  ``math.inf`` sends it as soon as it is synthesized.
- Recordings (``record_dir``) keep the audio, base64 as on the wire, so they replay whole; no header or key is written.
- Tests: ``pytest_plugins = ["pyagent.server.pytest_plugin"]`` gives a ``local_server`` fixture.
"""

from __future__ import annotations

from pyagent.server._responder import EchoResponder, Reply, Responder, ResponderContext, ToolCall
from pyagent.server._server import LocalServer
from pyagent.server._speech import Recognizer, SpeechEngines, SpeechMode, Synthesizer
from pyagent.server.errors import ConfigurationError, ServerError, ServerNotRunningError, SpeechUnavailableError

__all__ = [
    "ConfigurationError",
    "EchoResponder",
    "LocalServer",
    "Recognizer",
    "Reply",
    "Responder",
    "ResponderContext",
    "ServerError",
    "ServerNotRunningError",
    "SpeechEngines",
    "SpeechMode",
    "SpeechUnavailableError",
    "Synthesizer",
    "ToolCall",
]
