"""pyagent.telemetry with the OpenTelemetry SDK's in-memory exporters: the span tree, attributes, metrics, content
recording, secrets, and what happens without the extra."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from conftest import FIXTURES
from pyagent import Agent, ConfigurationTypeError, VoiceSession, telemetry
from pyagent.audio import load_audio
from pyagent.realtime import _observer, connect
from pyagent.realtime.errors import MissingDependencyError
from pyagent.realtime.events import ResponseDone
from pyagent.realtime.testing import Close, Expect, ScriptedServer, Send
from pyagent.server import LocalServer
from pyagent.voice import ResponseError

DIALECTS = ["openai", "azure-openai", "azure-openai-ga", "voicelive"]
PARIS = FIXTURES / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
KEY = "telemetry-Key/9z+Q=secret"
PROVIDERS = {"openai": "openai", "azure-openai": "azure.ai.openai", "azure-openai-ga": "azure.ai.openai"}


def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: the city.
    """
    return f"sunny in {city}"


class Recorded:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metrics])

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def named(self, prefix: str) -> list[ReadableSpan]:
        return [span for span in self.finished() if span.name.startswith(prefix)]

    def points(self, name: str) -> list[Any]:
        data = self.metrics.get_metrics_data()
        assert data is not None
        found = []
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)
        return found


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    record = Recorded()
    telemetry.instrument(tracer_provider=record.tracer_provider, meter_provider=record.meter_provider)
    try:
        yield record
    finally:
        telemetry.uninstrument()


def everything(spans: list[ReadableSpan]) -> str:
    """All a span holds, as text: names, attributes, events and their attributes, status."""
    parts = []
    for span in spans:
        parts.append(span.name)
        parts.append(repr(dict(span.attributes or {})))
        parts.append(repr(span.status.description))
        for event in span.events:
            parts.append(event.name)
            parts.append(repr(dict(event.attributes or {})))
    return "\n".join(parts)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_spoken_turn_with_a_tool_call_is_a_span_tree(recorded: Recorded, dialect: str) -> None:
    agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
    async with LocalServer(api_key=KEY) as server:
        session = VoiceSession(
            model="gpt-realtime", agent=agent, endpoint=server.endpoint, credential=KEY, dialect=dialect
        )
        async with session.connect() as voice:
            response = await voice.respond(load_audio(PARIS))
            session_id = voice.session_id
        port = server.port
    (connection,) = recorded.named("connect ")
    (turn,) = recorded.named("chat ")
    (tool,) = recorded.named("execute_tool ")
    assert connection.name == "connect gpt-realtime"
    assert turn.parent is not None
    assert turn.parent.span_id == connection.context.span_id
    assert tool.parent is not None
    assert tool.parent.span_id == turn.context.span_id
    provider = PROVIDERS.get(dialect, "az.ai.voicelive")
    attributes = dict(connection.attributes or {})
    assert attributes["gen_ai.system"] == attributes["gen_ai.provider.name"] == provider
    assert attributes["gen_ai.operation.name"] == "connect"
    assert (attributes["server.address"], attributes["gen_ai.request.model"]) == ("127.0.0.1", "gpt-realtime")
    assert attributes["server.port"] == port
    assert attributes["pyagent.realtime.events.received"] > 10
    counts = {event.name: dict(event.attributes or {}) for event in connection.events}
    assert counts["pyagent.realtime.events.sent"]["response.create"] == 2
    assert counts["pyagent.realtime.events.received"]["response.done"] == 2
    turn_attributes = dict(turn.attributes or {})
    assert turn_attributes["gen_ai.operation.name"] == "chat"
    assert turn_attributes["gen_ai.conversation.id"] == session_id
    assert turn_attributes["gen_ai.response.id"] == response.id
    assert turn_attributes["gen_ai.response.finish_reasons"] == ("completed",)
    assert turn_attributes["gen_ai.usage.input_tokens"] == response.usage["input_tokens"]
    assert turn_attributes["gen_ai.usage.output_tokens"] == response.usage["output_tokens"]
    assert turn_attributes["pyagent.turn.first_audio_latency_ms"] == response.timings.first_audio_latency_ms
    assert turn_attributes["pyagent.turn.tool_calls"] == 1
    assert "gen_ai.input.messages" not in turn_attributes  # content only when asked for
    tool_attributes = dict(tool.attributes or {})
    assert (tool_attributes["gen_ai.tool.name"], tool_attributes["gen_ai.operation.name"]) == (
        "get_weather",
        "execute_tool",
    )
    assert tool_attributes["gen_ai.tool.call.id"] == response.tool_calls[0].call_id
    assert "gen_ai.tool.call.arguments" not in tool_attributes
    assert all(span.status.status_code is not StatusCode.ERROR for span in recorded.finished())
    # A key given to the session is nowhere in what was traced.
    assert KEY not in everything(recorded.finished())
    # Metrics: the user's wait, the turn's length, the tokens by kind, the events by type.
    (latency,) = recorded.points("pyagent.voice.first_audio_latency")
    assert latency.count == 1
    assert latency.sum == pytest.approx(response.timings.first_audio_latency_ms / 1000, abs=0.002)
    assert recorded.points("pyagent.voice.turn.duration")[0].count == 1
    tokens = {
        point.attributes["gen_ai.token.type"]: point.value for point in recorded.points("pyagent.voice.token.usage")
    }
    assert tokens == {"input": response.usage["input_tokens"], "output": response.usage["output_tokens"]}
    events = {
        (point.attributes["pyagent.realtime.direction"], point.attributes["pyagent.realtime.event.type"]): point.value
        for point in recorded.points("pyagent.realtime.events")
    }
    assert events["sent", "response.create"] == 2


async def test_content_is_recorded_only_when_asked() -> None:
    record = Recorded()
    telemetry.instrument(True, tracer_provider=record.tracer_provider, meter_provider=record.meter_provider)
    try:
        agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
        async with LocalServer() as server:
            session = VoiceSession(model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect="voicelive")
            async with session.connect() as voice:
                response = await voice.respond(load_audio(PARIS))
    finally:
        telemetry.uninstrument()
    (turn,) = record.named("chat ")
    (tool,) = record.named("execute_tool ")
    attributes = dict(turn.attributes or {})
    said = json.loads(str(attributes["gen_ai.input.messages"]))
    assert said == [{"role": "user", "parts": [{"type": "text", "content": "what is the weather in paris"}]}]
    answer = json.loads(str(attributes["gen_ai.output.messages"]))
    assert answer[0]["parts"][0]["content"] == response.transcript
    tool_attributes = dict(tool.attributes or {})
    assert json.loads(str(tool_attributes["gen_ai.tool.call.arguments"])) == {"city": "Paris"}
    assert tool_attributes["gen_ai.tool.call.result"] == "sunny in Paris"


async def test_the_protocol_level_is_one_span_per_connection(recorded: Recorded) -> None:
    async with (
        LocalServer(speech="off") as server,
        connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime", dialect="openai") as conn,
    ):
        await conn.session.update(session={"type": "realtime", "instructions": "Be brief."})
        await conn.response.create()
        while not isinstance(await conn.recv(), ResponseDone):
            pass
    (span,) = recorded.finished()  # no span per event: counts on the connection's span
    attributes = dict(span.attributes or {})
    assert attributes["pyagent.close.by_client"] is True
    assert attributes["pyagent.realtime.events.sent"] == 2
    assert KEY not in everything([span])


async def test_failures_are_error_spans(recorded: Recorded) -> None:
    created = {"type": "session.created", "session": {"id": "sess_1"}}
    updated = {"type": "session.updated", "session": {"id": "sess_1"}}
    error = {"type": "error", "error": {"type": "server_error", "code": "server_error", "message": "boom"}}
    script = [Send(created), Expect("session.update"), Send(updated), Expect("response.create"), Send(error)]
    script += [Expect("conversation.item.create"), Close(1011, "server error")]
    async with ScriptedServer(script) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=False)
        async with session.connect() as voice:
            await voice.send_text("hello")
            with pytest.raises(ResponseError):
                await voice.receive()
            await voice.send_text("again")
            await asyncio.sleep(0.2)
    failed = [span for span in recorded.named("chat ") if span.status.status_code is StatusCode.ERROR]
    assert [dict(span.attributes or {})["error.type"] for span in failed] == ["ResponseError", "SessionClosedError"]
    (connection,) = recorded.named("connect ")
    assert connection.status.status_code is StatusCode.ERROR
    assert dict(connection.attributes or {})["pyagent.close.code"] == 1011
    assert "pyagent.service_error" in [event.name for event in failed[0].events]


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.delitem(sys.modules, "pyagent.telemetry._otel", raising=False)
    with pytest.raises(MissingDependencyError, match=r"pyagent-voice\[telemetry\]"):
        telemetry.instrument()
    assert not telemetry.is_instrumented()


async def test_the_environment_instruments_at_the_first_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAGENT_TELEMETRY", "on")
    monkeypatch.setattr(_observer, "_environment_read", [False])
    try:
        assert telemetry.is_instrumented()
    finally:
        telemetry.uninstrument()
    monkeypatch.setenv("PYAGENT_TELEMETRY", "")
    monkeypatch.setattr(_observer, "_environment_read", [False])
    assert not telemetry.is_instrumented()


# --- the environment asking is not the code asking; instrument() takes only what it can use ---------------------


async def _a_spoken_turn(local: LocalServer) -> str:
    session = VoiceSession(model="gpt-realtime", endpoint=local.endpoint, dialect="openai")
    async with session.connect() as voice:
        response = await voice.respond(load_audio(PARIS))
    return response.input_transcript or ""


async def test_telemetry_on_without_opentelemetry_warns_once_and_the_conversation_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.delitem(sys.modules, "pyagent.telemetry._otel", raising=False)
    monkeypatch.setenv("PYAGENT_TELEMETRY", "on")
    monkeypatch.setattr(_observer, "_environment_read", [False])
    caplog.set_level(logging.WARNING)
    async with LocalServer(realtime_factor=math.inf) as local:
        heard = [await _a_spoken_turn(local), await _a_spoken_turn(local)]
    assert heard == ["what is the weather in paris"] * 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "PYAGENT_TELEMETRY=on but not tracing: pyagent.telemetry needs the OpenTelemetry API: pip install "
        "'pyagent-voice[telemetry]' (or pip install opentelemetry-api)"
    ]
    assert not telemetry.is_instrumented()


@pytest.mark.parametrize("value", ["maybe", "enabled", "2"])
def test_a_telemetry_variable_neither_on_nor_off_is_logged_and_not_traced(
    value: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYAGENT_TELEMETRY", value)
    monkeypatch.setattr(_observer, "_environment_read", [False])
    caplog.set_level(logging.WARNING)
    assert not telemetry.is_instrumented()
    assert [r.getMessage() for r in caplog.records] == [
        f"PYAGENT_TELEMETRY={value!r} is neither on (1, true, on, yes) nor off (0, false, off, no, empty): not tracing"
    ]
    for off in ("off", "0", "No", " "):
        caplog.clear()
        monkeypatch.setenv("PYAGENT_TELEMETRY", off)
        monkeypatch.setattr(_observer, "_environment_read", [False])
        assert not telemetry.is_instrumented()
        assert caplog.records == []


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"tracer_provider": "x"}, "tracer_provider must be an OpenTelemetry TracerProvider (with get_tracer()) or "),
        ({"meter_provider": 5}, "meter_provider must be an OpenTelemetry MeterProvider (with get_meter()) or None"),
        ({"content_recording": "false"}, "content_recording must be True, False or None"),
        ({"content_recording": 1}, "content_recording must be True, False or None"),
    ],
)
def test_instrument_refuses_what_it_cannot_use(arguments: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigurationTypeError, match=re.escape(says)):
        telemetry.instrument(**arguments)
    assert not telemetry.is_instrumented()


async def _connect_once() -> None:
    script = [Send({"type": "session.created", "session": {"id": "s"}})]
    async with (
        ScriptedServer(script) as server,
        connect(endpoint=server.endpoint, dialect="openai", model="gpt-realtime") as conn,
    ):
        await conn.recv()


async def test_a_second_instrument_changes_nothing_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    first, second = Recorded(), Recorded()
    telemetry.instrument(tracer_provider=first.tracer_provider, meter_provider=first.meter_provider)
    try:
        caplog.set_level(logging.WARNING)
        telemetry.instrument(True, tracer_provider=second.tracer_provider, meter_provider=second.meter_provider)
        assert [r.getMessage() for r in caplog.records] == [
            "pyagent.telemetry is already instrumented: this instrument() call changes nothing; call uninstrument() "
            "first to change its settings"
        ]
        await _connect_once()
    finally:
        telemetry.uninstrument()
    assert [span.name for span in first.finished()] == ["connect gpt-realtime"]
    assert second.finished() == []
    telemetry.instrument(tracer_provider=second.tracer_provider, meter_provider=second.meter_provider)
    try:
        await _connect_once()  # after uninstrument(), new settings take
    finally:
        telemetry.uninstrument()
    assert [span.name for span in second.finished()] == ["connect gpt-realtime"]


async def test_the_application_s_instrument_replaces_what_the_environment_set_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYAGENT_TELEMETRY", "on")
    monkeypatch.setattr(_observer, "_environment_read", [False])
    record = Recorded()
    caplog.set_level(logging.WARNING)
    try:
        assert telemetry.is_instrumented()  # by the environment
        telemetry.instrument(tracer_provider=record.tracer_provider, meter_provider=record.meter_provider)
        await _connect_once()
    finally:
        telemetry.uninstrument()
    assert [span.name for span in record.finished()] == ["connect gpt-realtime"]
    assert caplog.records == []
