"""OpenTelemetry traces and metrics for pyagent's connections and voice sessions (the ``telemetry`` extra).

Nothing is traced until :func:`instrument` is called (or the environment variable ``PYAGENT_TELEMETRY=on`` is set,
which instruments at the first connection). Then, through the OpenTelemetry API (the SDK and exporters are the
application's choice, as usual with OpenTelemetry):

- one span per connection, ``connect {model}`` (``gen_ai.operation.name`` ``connect``, as the azure-ai-voicelive
  instrumentor names it), from the handshake to the close, with ``gen_ai.system`` / ``gen_ai.provider.name``,
  ``gen_ai.request.model``, ``server.address``, ``server.port``, the counts of events sent and received by type
  (a span event at the close, not a span per event: the hot path is untouched), and error status on an abnormal close;
- for a :class:`~pyagent.voice.VoiceSession`, one span per turn, ``chat {model}`` (a child of its connection's span),
  with ``gen_ai.conversation.id`` (the session id), ``gen_ai.response.id``, ``gen_ai.response.finish_reasons``,
  ``gen_ai.usage.input_tokens`` / ``output_tokens`` and the turn's timings as ``pyagent.turn.*`` attributes
  (milliseconds); span events for a barge-in (``pyagent.barge_in``) and the service's errors; error status with
  ``error.type`` when the turn fails;
- one span per tool run, ``execute_tool {name}`` (a child of its turn's span), with ``gen_ai.tool.name`` and
  ``gen_ai.tool.call.id``;
- metrics: ``pyagent.voice.first_audio_latency`` (histogram, s: the user's end of speech to the first audio of the
  answer), ``pyagent.voice.turn.duration`` (histogram, s), ``pyagent.voice.token.usage`` (counter, tokens, by
  ``gen_ai.token.type``) and ``pyagent.realtime.events`` (counter, by ``pyagent.realtime.event.type`` and direction).

Attribute names follow the OpenTelemetry semantic conventions for generative AI
(opentelemetry.io/docs/specs/semconv/gen-ai/) where one applies. What users said, what the model answered and the
tools' arguments and results are recorded only with ``content_recording=True`` (or
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``, the conventions' variable): as
``gen_ai.input.messages`` / ``gen_ai.output.messages`` on turn spans and ``gen_ai.tool.call.arguments`` /
``gen_ai.tool.call.result`` on tool spans. Audio is never recorded; neither are credentials nor endpoints' queries.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pyagent.errors import ConfigurationTypeError
from pyagent.realtime import _observer as realtime_observer
from pyagent.realtime.errors import MissingDependencyError
from pyagent.voice import _observer as voice_observer

__all__ = ["CONTENT_ENVIRONMENT", "ENVIRONMENT", "instrument", "is_instrumented", "uninstrument"]

_log = logging.getLogger("pyagent.telemetry")

ENVIRONMENT = "PYAGENT_TELEMETRY"
"""Set to ``on`` (or ``1``, ``true``, ``yes``) to instrument at the first connection without calling instrument().

The environment asking is not the code asking: without OpenTelemetry installed, or with a value that is neither on
nor off (``off``, ``0``, ``false``, ``no``, empty), one WARNING on the ``pyagent.realtime`` logger says so and
connections go on untraced."""
CONTENT_ENVIRONMENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""The OpenTelemetry GenAI conventions' variable: ``true`` records content when ``content_recording`` is not given."""

_by_code = [False]  # instrument() was called by the application (not for the environment) and not undone since


def instrument(
    content_recording: bool | None = None, *, tracer_provider: Any = None, meter_provider: Any = None
) -> None:
    """Trace and measure every connection and voice session opened from now on.

    A second call while instrumented changes nothing and logs a WARNING, as OpenTelemetry's own instrumentors do:
    call :func:`uninstrument` first to change the settings. (What ``PYAGENT_TELEMETRY=on`` set up is the exception:
    a call from the application replaces it.)

    Args:
        content_recording: record transcripts, answers and tools' arguments and results in spans; None reads
            ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (off unless ``true``).
        tracer_provider: an OpenTelemetry ``TracerProvider`` (anything with ``get_tracer``); None uses the global
            one.
        meter_provider: an OpenTelemetry ``MeterProvider`` (anything with ``get_meter``); None uses the global one.

    Raises:
        ConfigurationTypeError: ``content_recording`` is not True, False or None (the string ``"false"`` would be
            true), or a provider is not one (also a ``TypeError``).
        MissingDependencyError: ``opentelemetry-api`` is not installed (``pip install 'pyagent-voice[telemetry]'``).
    """
    if content_recording is not None and not isinstance(content_recording, bool):
        raise ConfigurationTypeError(
            f"content_recording must be True, False or None (read {CONTENT_ENVIRONMENT}), not {content_recording!r}"
        )
    for name, value, method in (
        ("tracer_provider", tracer_provider, "get_tracer"),
        ("meter_provider", meter_provider, "get_meter"),
    ):
        if value is not None and not callable(getattr(value, method, None)):
            raise ConfigurationTypeError(
                f"{name} must be an OpenTelemetry {name.split('_')[0].title()}Provider (with {method}()) or None, "
                f"not {type(value).__name__}"
            )
    if realtime_observer.installed() is not None and _by_code[0]:
        _log.warning(
            "pyagent.telemetry is already instrumented: this instrument() call changes nothing; call uninstrument() "
            "first to change its settings"
        )
        return
    _install(content_recording, tracer_provider, meter_provider)
    _by_code[0] = True


def _instrument_for_environment() -> None:
    """What ``PYAGENT_TELEMETRY=on`` does at the first connection (unless the application instrumented first).

    Raises:
        MissingDependencyError: ``opentelemetry-api`` is not installed.
    """
    if realtime_observer.installed() is None:
        _install(None, None, None)


def _install(content_recording: bool | None, tracer_provider: Any, meter_provider: Any) -> None:
    try:
        from pyagent.telemetry._otel import Telemetry
    except ImportError as exc:
        raise MissingDependencyError(
            "pyagent.telemetry needs the OpenTelemetry API: pip install 'pyagent-voice[telemetry]' "
            "(or pip install opentelemetry-api)"
        ) from exc
    if content_recording is None:
        content_recording = os.environ.get(CONTENT_ENVIRONMENT, "").strip().lower() == "true"
    telemetry = Telemetry(
        content_recording=content_recording, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    realtime_observer.install(telemetry)
    voice_observer.install(telemetry)


def uninstrument() -> None:
    """Stop tracing connections and sessions opened from now on (those open are traced to their end)."""
    realtime_observer.install(None)
    voice_observer.install(None)
    _by_code[0] = False


def is_instrumented() -> bool:
    """True between :func:`instrument` and :func:`uninstrument`."""
    return realtime_observer.current() is not None
