"""The OpenTelemetry observer: spans and metrics from what connections and voice sessions tell their watches."""

from __future__ import annotations

import collections
import json
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from pyagent._version import __version__
from pyagent.realtime import RealtimeConnection
from pyagent.voice._core import Emit, TurnFailed, TurnFinished, TurnInterrupted, TurnMerged
from pyagent.voice._results import ToolCallRecord, TurnOutcome

__all__ = ["Telemetry"]

# The dialect's service as the conventions' gen_ai.provider.name (gen_ai.system before it); Voice Live as the
# azure-ai-voicelive instrumentor names it, so that one dashboard serves both clients.
_PROVIDERS = {
    "openai": "openai",
    "azure-openai": "azure.ai.openai",
    "azure-openai-ga": "azure.ai.openai",
    "voicelive": "az.ai.voicelive",
}
# Per-event fields of the turn that become span attributes, in milliseconds.
_TIMINGS = ("response_latency_ms", "first_audio_latency_ms", "audio_ms", "duration_ms", "tools_ms", "heard_ms")


def _error_attributes(error: BaseException) -> dict[str, Any]:
    """An error as span event attributes: its kind and the service's code, never its message (which may quote
    what the user said)."""
    attributes: dict[str, Any] = {"error.type": type(error).__name__}
    code = getattr(error, "code", None)
    if code not in (None, ""):
        attributes["pyagent.error.code"] = str(code)
    return attributes


class Telemetry:
    """Makes the watches of connections and sessions, and holds the instruments they record to."""

    def __init__(self, *, content_recording: bool, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        self.content_recording = content_recording
        self.tracer = trace.get_tracer("pyagent", __version__, tracer_provider)
        meter = metrics.get_meter("pyagent", __version__, meter_provider=meter_provider)
        self.first_audio_latency = meter.create_histogram(
            "pyagent.voice.first_audio_latency",
            unit="s",
            description="From the end of the user's speech to the first audio of the answer",
        )
        self.turn_duration = meter.create_histogram(
            "pyagent.voice.turn.duration", unit="s", description="From the end of the user's speech to the answer's end"
        )
        self.tokens = meter.create_counter(
            "pyagent.voice.token.usage", unit="{token}", description="Tokens the service counted, by kind"
        )
        self.events = meter.create_counter(
            "pyagent.realtime.events", unit="{event}", description="Events sent and received, by type"
        )

    # -- the protocol level ------------------------------------------------------------------------------------------

    def connecting(self, *, dialect: str, model: str | None, host: str, port: int | None) -> _ConnectionWatch:
        provider = _PROVIDERS.get(dialect, dialect)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "connect",
            "gen_ai.system": provider,
            "gen_ai.provider.name": provider,
            "server.address": host,
            "pyagent.dialect": dialect,
        }
        if model:
            attributes["gen_ai.request.model"] = model
        if port is not None:
            attributes["server.port"] = port
        span = self.tracer.start_span(f"connect {model or dialect}", kind=SpanKind.CLIENT, attributes=attributes)
        return _ConnectionWatch(self, span, provider)

    # -- the voice session -------------------------------------------------------------------------------------------

    def session_connected(self, session: Any, connection: RealtimeConnection, model: str) -> _SessionWatch:
        watch = getattr(connection, "_watch", None)
        parent = watch.span if isinstance(watch, _ConnectionWatch) else None
        provider = watch.provider if isinstance(watch, _ConnectionWatch) else _PROVIDERS.get(connection.dialect.name)
        return _SessionWatch(self, session, parent, model, provider or connection.dialect.name)


class _ConnectionWatch:
    """One connection's span: opened at the handshake, ended at the close with the counts of events."""

    def __init__(self, telemetry: Telemetry, span: Span, provider: str) -> None:
        self.telemetry = telemetry
        self.span = span
        self.provider = provider
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def sent(self, event_type: str) -> None:
        self.counts["sent", event_type] += 1

    def received(self, event_type: str) -> None:
        self.counts["received", event_type] += 1

    def failed(self, error: BaseException) -> None:
        self.span.set_attribute("error.type", type(error).__name__)
        self.span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        self.span.end()

    def closed(self, code: int | None, reason: str, *, by_us: bool) -> None:
        span = self.span
        span.set_attribute("pyagent.close.code", code if code is not None else 1006)
        span.set_attribute("pyagent.close.by_client", by_us)
        for direction in ("sent", "received"):
            by_type = {kind: n for (way, kind), n in self.counts.items() if way == direction}
            span.set_attribute(f"pyagent.realtime.events.{direction}", sum(by_type.values()))
            if by_type:
                span.add_event(f"pyagent.realtime.events.{direction}", attributes=by_type)
        for (direction, kind), count in self.counts.items():
            self.telemetry.events.add(
                count,
                {
                    "pyagent.realtime.event.type": kind,
                    "pyagent.realtime.direction": direction,
                    "gen_ai.system": self.provider,
                },
            )
        if not by_us and code not in (1000, None):
            span.set_attribute("error.type", str(code))
            span.set_status(Status(StatusCode.ERROR, f"closed by the server ({code})"))
        span.end()


class _ToolWatch:
    def __init__(self, telemetry: Telemetry, span: Span) -> None:
        self.telemetry = telemetry
        self.span = span

    def finished(self, record: ToolCallRecord) -> None:
        if self.telemetry.content_recording:
            self.span.set_attribute("gen_ai.tool.call.result", record.output)
        if record.error is not None:
            self.span.set_attribute("error.type", "tool_error")
            self.span.set_status(Status(StatusCode.ERROR, "the tool failed"))
        self.span.end()


class _SessionWatch:
    """One connection of a voice session: a span per turn, events for barge-in and errors."""

    def __init__(self, telemetry: Telemetry, session: Any, parent: Span | None, model: str, provider: str) -> None:
        self.telemetry = telemetry
        self.session = session
        self.context = trace.set_span_in_context(parent) if parent is not None else None
        self.model = model
        self.provider = provider
        self.turns: dict[int, Span] = {}
        self.parent = parent
        self.failures: set[int] = set()  # the error that failed the last turn, told on that turn's span

    def _attributes(self) -> dict[str, Any]:
        return {
            "gen_ai.system": self.provider,
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.model,
        }

    def _turn(self, number: int) -> Span:
        span = self.turns.get(number)
        if span is None:
            attributes = {"gen_ai.operation.name": "chat", "pyagent.turn": number, **self._attributes()}
            span = self.telemetry.tracer.start_span(
                f"chat {self.model}", context=self.context, kind=SpanKind.CLIENT, attributes=attributes
            )
            self.turns[number] = span
        return span

    def effect(self, effect: Any) -> None:
        number = getattr(effect, "turn", None)
        if isinstance(effect, TurnInterrupted):
            return  # an answer already complete: the barge-in is told by its interrupted event
        if isinstance(effect, TurnMerged):
            span = self.turns.pop(effect.turn, None)
            if span is not None:  # the caller's turn added nothing: its answer is the other turn's
                span.set_attribute("pyagent.turn.merged_into", effect.into)
                span.end()
        elif isinstance(number, int):
            span = self._turn(number)
            if isinstance(effect, TurnFailed):
                self._failed(number, span, effect.error)
        elif isinstance(effect, TurnFinished):
            self._finished(self._turn(effect.outcome.turn), effect.outcome)
        elif isinstance(effect, Emit):
            self._emitted(effect)

    def _emitted(self, effect: Emit) -> None:
        if effect.name == "interrupted":
            (interruption,) = effect.args
            attributes: dict[str, Any] = {"pyagent.barge_in.source": interruption.source}
            if interruption.item_id is not None:
                attributes["pyagent.barge_in.item_id"] = interruption.item_id
            if interruption.audio_end_ms is not None:
                attributes["pyagent.barge_in.audio_end_ms"] = interruption.audio_end_ms
            attributes["pyagent.barge_in.deleted_items"] = len(interruption.deleted_item_ids)
            for span in self._targets():
                span.add_event("pyagent.barge_in", attributes=attributes)
        elif effect.name == "error":
            (error,) = effect.args
            if id(error) in self.failures:
                return  # already on the span of the turn it failed
            for span in self._targets():
                span.add_event("pyagent.service_error", attributes=_error_attributes(error))

    def _targets(self) -> list[Span]:
        """Where an event of the session belongs: the open turns, else the connection."""
        if self.turns:
            return list(self.turns.values())
        return [self.parent] if self.parent is not None and self.parent.is_recording() else []

    def _finished(self, span: Span, outcome: TurnOutcome) -> None:
        self.turns.pop(outcome.turn, None)
        session_id = getattr(self.session, "session_id", "")
        if session_id:
            span.set_attribute("gen_ai.conversation.id", session_id)
        if outcome.response_ids:
            span.set_attribute("gen_ai.response.id", outcome.response_ids[-1])
        span.set_attribute("gen_ai.response.finish_reasons", [outcome.status])
        usage = {"input": outcome.usage.get("input_tokens"), "output": outcome.usage.get("output_tokens")}
        for kind, count in usage.items():
            if isinstance(count, int):
                span.set_attribute(f"gen_ai.usage.{kind}_tokens", count)
                self.telemetry.tokens.add(count, {"gen_ai.token.type": kind, **self._attributes()})
        timings = outcome.timings.to_dict()
        for name in _TIMINGS:
            value = timings.get(name)
            if value is not None:
                span.set_attribute(f"pyagent.turn.{name}", value)
        span.set_attribute("pyagent.turn.interrupted", outcome.interruption is not None)
        span.set_attribute("pyagent.turn.tool_calls", len(outcome.tool_calls))
        if self.telemetry.content_recording:
            user = [{"role": "user", "parts": [{"type": "text", "content": outcome.input_transcript}]}]
            said = outcome.transcript or outcome.text
            answer = [{"role": "assistant", "parts": [{"type": "text", "content": said}]}]
            span.set_attribute("gen_ai.input.messages", json.dumps(user, ensure_ascii=False))
            span.set_attribute("gen_ai.output.messages", json.dumps(answer, ensure_ascii=False))
        latency = outcome.timings.first_audio_latency_ms
        if latency is not None:
            self.telemetry.first_audio_latency.record(latency / 1000, self._attributes())
        duration = outcome.timings.duration_ms
        if duration is not None:
            self.telemetry.turn_duration.record(duration / 1000, self._attributes())
        span.end()

    def _failed(self, number: int, span: Span, error: BaseException) -> None:
        self.turns.pop(number, None)
        self.failures = {id(error)}
        span.set_attribute("error.type", type(error).__name__)
        code = getattr(error, "code", None)
        if code not in (None, ""):
            span.set_attribute("pyagent.error.code", str(code))
        span.add_event("pyagent.service_error", attributes=_error_attributes(error))
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()

    def tool(self, turn: int, call_id: str, name: str, arguments: str) -> _ToolWatch:
        parent = trace.set_span_in_context(self._turn(turn))
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
            **self._attributes(),
        }
        if self.telemetry.content_recording:
            attributes["gen_ai.tool.call.arguments"] = arguments
        span = self.telemetry.tracer.start_span(
            f"execute_tool {name}", context=parent, kind=SpanKind.INTERNAL, attributes=attributes
        )
        return _ToolWatch(self.telemetry, span)

    def moved(self, connection: RealtimeConnection) -> None:
        """A reconnect: turns from now on are children of the new connection's span, which says what it restored."""
        watch = getattr(connection, "_watch", None)
        if isinstance(watch, _ConnectionWatch):
            watch.span.add_event("pyagent.reconnected", attributes={"pyagent.restored": True})
            self.parent = watch.span
            self.context = trace.set_span_in_context(watch.span)

    def reconnecting(self, attempt: int, delay: float, code: int | None, reason: str) -> None:
        attributes: dict[str, Any] = {"pyagent.reconnect.attempt": attempt, "pyagent.reconnect.delay_s": delay}
        if code is not None:
            attributes["pyagent.close.code"] = code
        for span in self._targets():
            span.add_event("pyagent.reconnecting", attributes=attributes)

    def closed(self, error: BaseException | None) -> None:
        for span in self.turns.values():  # turns the close ended were failed by it; what is left was never begun
            span.set_attribute("pyagent.turn.unanswered", True)
            span.end()
        self.turns.clear()
        if error is not None and self.parent is not None and self.parent.is_recording():
            self.parent.add_event("pyagent.session_closed", attributes={"error.type": type(error).__name__})
