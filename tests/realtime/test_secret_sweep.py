"""One distinctive key through every path on every dialect, then a grep of everything the run left behind.

Each scenario below uses the key one way (as the credential, inside the endpoint, refused by the server, echoed back
by the server, refused before any socket) against a real server on loopback, and hands what it saw to a
:class:`Sweep`: the events it received, the objects it made, the exceptions it caught. The sweep also captures every
log record of the run (every logger, DEBUG and up, with its exception) and reads every recording the local server
wrote. Then it greps all of it for the key, its base64 and its URL-quoted forms.

A new layer joins the sweep by adding a scenario to :data:`SCENARIOS`: an async function ``(sweep, dialect)`` that
drives it with ``sweep.key`` and passes what it produces to ``sweep.saw(...)`` and ``sweep.caught(...)``.
"""

from __future__ import annotations

import base64
import logging
import pathlib
import traceback
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import msgspec
import pytest

from conftest import FIXTURES
from pyagent.audio import load_audio
from pyagent.realtime import (
    ConnectionClosed,
    HandshakeError,
    InsecureTransportError,
    RealtimeConnection,
    connect,
)
from pyagent.realtime.events import ResponseDone
from pyagent.realtime.testing import Close, Expect, Reject, ScriptedServer, Send
from pyagent.server import LocalServer
from pyagent.voice import Agent, ResponseError, SessionClosedError, VoiceSession

KEY = "pyagent-Sweep/7Qx+kZ=Key-4c1d"  # '/', '+' and '=' give it URL-quoted and base64 forms of its own
USER = "sweeper"
DIALECTS = ["openai", "azure-openai", "azure-openai-ga", "voicelive"]
PARIS = FIXTURES / "audio" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"


def key_forms(key: str) -> dict[str, str]:
    """The forms the grep looks for, computed here (not with the library's helper: an oracle shares no code)."""
    raw = key.encode()
    basic = f"{USER}:{key}".encode()
    return {
        "key": key,
        "URL-quoted": quote(key, safe=""),
        "URL-quoted (+)": quote_plus(key, safe=""),
        "URL-quoted (path)": quote(key),
        "base64": base64.b64encode(raw).decode(),
        "base64 (unpadded)": base64.b64encode(raw).decode().rstrip("="),
        "base64 (URL-safe)": base64.urlsafe_b64encode(raw).decode(),
        "base64 of user:key": base64.b64encode(basic).decode(),
    }


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + "".join(traceback.format_exception(record.exc_info[1]))
        self.lines.append(text)


async def _run(action: Awaitable[Any] | Callable[[], Any]) -> None:
    result = action() if callable(action) else action
    if isinstance(result, Awaitable):
        await result


class Sweep:
    """Everything a run left behind, and the grep over it."""

    def __init__(self, key: str, recordings: pathlib.Path) -> None:
        self.key = key
        self.recordings = recordings
        self.texts: list[tuple[str, str]] = []  # (where it came from, the text)
        self.exceptions = 0
        self.records = _Records()

    @property
    def quoted_key(self) -> str:
        return quote(self.key, safe="")

    def saw(self, origin: str, *objects: Any) -> None:
        """Keep the repr and str of objects (events, connections, servers...), and a struct's fields as data."""
        for obj in objects:
            self.texts.append((f"{origin} repr", repr(obj)))
            self.texts.append((f"{origin} str", str(obj)))
            if isinstance(obj, msgspec.Struct):
                self.texts.append((f"{origin} fields", repr(msgspec.to_builtins(obj))))

    def caught(self, origin: str, exc: BaseException) -> None:
        """Keep an exception, its attributes and every exception chained to it as ``__cause__`` or ``__context__``."""
        seen: set[int] = set()
        pending: list[BaseException] = [exc]
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            self.exceptions += 1
            name = f"{origin} {type(current).__name__}"
            self.texts.append((f"{name} str", str(current)))
            self.texts.append((f"{name} repr", repr(current)))
            self.texts.append((f"{name} args", repr(current.args)))
            self.texts.append((f"{name} attributes", repr(getattr(current, "__dict__", {}))))
            self.texts.append((f"{name} traceback", "".join(traceback.format_exception(current))))
            pending += [linked for linked in (current.__cause__, current.__context__) if linked is not None]

    async def expect(self, origin: str, kind: type[BaseException], action: Awaitable[Any] | Callable[[], Any]) -> None:
        """Run ``action`` (a call or an awaitable), which must raise ``kind``; keep what it raised."""
        with pytest.raises(kind) as raised:
            await _run(action)
        self.caught(origin, raised.value)

    def everything(self) -> Iterator[tuple[str, str]]:
        yield from self.texts
        for line in self.records.lines:
            yield "log", line
        for path in sorted(self.recordings.glob("**/*")):
            if path.is_file():
                yield f"recording {path.name}", path.read_text(encoding="utf-8", errors="replace")

    def leaks(self) -> list[str]:
        found = []
        for origin, text in self.everything():
            for form_name, form in key_forms(self.key).items():
                if form in text:
                    found.append(f"{form_name} in {origin}: ...{text[max(0, text.index(form) - 60) :][:140]!r}")
        return found


# -- the scenarios ------------------------------------------------------------------------------------------------

_OPTIONS: dict[str, Any] = {"connection_options": {"receive_timeout": 15.0}}  # a missing event fails, not hangs


async def _a_whole_conversation(sweep: Sweep, conn: RealtimeConnection, origin: str) -> None:
    """Speak, get an answer, create, retrieve and break things: every kind of event the server sends."""
    sweep.saw(f"{origin} connection", conn, conn.url, conn.options)
    silence = bytes(48000)  # a second after the question: the server's turn detection ends the turn and answers
    await conn.input_audio_buffer.append(audio=load_audio(PARIS) + silence)
    while not isinstance(event := await conn.recv(), ResponseDone):
        sweep.saw(f"{origin} event", event)
    sweep.saw(f"{origin} event", event)
    await conn.conversation.item.create(
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Thanks."}]}
    )
    await conn.conversation.item.retrieve(item_id="item_that_is_not_there")  # an error event
    await conn.send({"type": "conversation.item.truncate", "item_id": "nope", "content_index": 0, "audio_end_ms": 1})
    errors = 0
    while errors < 2:
        event = await conn.recv()
        sweep.saw(f"{origin} event", event)
        errors += event.type == "error"


async def key_as_the_credential(sweep: Sweep, dialect: str) -> None:
    async with LocalServer(api_key=sweep.key, speech="off", record_dir=sweep.recordings) as server:
        sweep.saw("server", server)
        opener = connect(
            endpoint=server.endpoint, credential=sweep.key, dialect=dialect, model="gpt-realtime", **_OPTIONS
        )
        sweep.saw("opener", opener, opener._opening.url)
        async with opener as conn:
            await _a_whole_conversation(sweep, conn, "credential")


async def key_in_the_endpoint(sweep: Sweep, dialect: str) -> None:
    async with LocalServer(api_key=sweep.key, speech="off", record_dir=sweep.recordings) as server:
        endpoint = f"{server.endpoint}/?api-key={sweep.quoted_key}"
        async with connect(endpoint=endpoint, dialect=dialect, model="gpt-realtime", **_OPTIONS) as conn:
            await _a_whole_conversation(sweep, conn, "endpoint query")


async def key_as_the_endpoints_user_information(sweep: Sweep, dialect: str) -> None:
    async with LocalServer(speech="off", record_dir=sweep.recordings) as server:  # any key: Basic auth is let in
        endpoint = server.endpoint.replace("://", f"://{USER}:{sweep.quoted_key}@")
        async with connect(endpoint=endpoint, dialect=dialect, model="gpt-realtime", **_OPTIONS) as conn:
            await _a_whole_conversation(sweep, conn, "endpoint user information")


async def key_refused_by_the_server(sweep: Sweep, dialect: str) -> None:
    async with LocalServer(api_key="the-server-wants-another-key", speech="off") as server:
        for how in ({"credential": sweep.key}, {"headers": {"api-key": sweep.key}}, {"query": {"api-key": sweep.key}}):
            opener = connect(endpoint=server.endpoint, dialect=dialect, model="m", **how)  # type: ignore[arg-type]
            await sweep.expect(f"refused {next(iter(how))}", HandshakeError, opener)


async def key_echoed_by_the_server(sweep: Sweep, dialect: str) -> None:
    key = sweep.key
    message = f"Incorrect API key provided: {key}. ({quote_plus(key)}, {base64.b64encode(key.encode()).decode()})"
    error = {"type": "error", "event_id": "event_1", "error": {"type": "invalid_request_error", "message": message}}
    script = [Send(error), Send(f"not json {key}"), Close(4001, f"invalid key {key}")]
    async with ScriptedServer(script) as server:
        async with connect(endpoint=server.endpoint, credential=key, dialect=dialect) as conn:
            sweep.saw("echo event", await conn.recv())
            await sweep.expect("echo frame", Exception, conn.recv())  # a frame that is not JSON
            await sweep.expect("echo close", ConnectionClosed, conn.recv())
        sweep.saw("echo handshake", server.handshakes[0])
    async with ScriptedServer(reject=Reject(403, f"key {key} is not allowed here")) as server:
        await sweep.expect("echo refusal", HandshakeError, connect(endpoint=server.endpoint, credential=key))


async def key_refused_before_any_socket(sweep: Sweep, dialect: str) -> None:
    quoted = sweep.quoted_key
    for endpoint in (
        f"ws://192.0.2.1:9/?api-key={quoted}",
        f"http://192.0.2.1:9/?subscription-key={quoted}",
        f"ws://{USER}:{quoted}@192.0.2.1:9",
    ):
        await sweep.expect("plaintext", InsecureTransportError, lambda e=endpoint: connect(endpoint=e, dialect=dialect))
    await sweep.expect(
        "plaintext header",
        InsecureTransportError,
        lambda: connect(endpoint="ws://192.0.2.1:9", dialect=dialect, headers={"Ocp-Apim-Subscription-Key": sweep.key}),
    )
    for endpoint in (
        f"ftp://h.example/?key={quoted}",
        f"https://{USER}:{quoted}@h.example:99999",
        f"https://{USER}:{sweep.key}@h",
    ):
        await sweep.expect("malformed", ValueError, lambda e=endpoint: connect(endpoint=e, dialect=dialect))


async def key_given_to_a_voice_session(sweep: Sweep, dialect: str) -> None:
    """The voice layer: a spoken turn with a tool call, a refusal that quotes the key, an expiry that quotes it."""
    key = sweep.key
    seen: list[Any] = []

    def get_weather(city: str) -> str:
        """The weather in a city.

        Args:
            city: the city.
        """
        return f"sunny in {city}"

    agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
    async with LocalServer(api_key=key, speech="off", record_dir=sweep.recordings) as server:
        session = VoiceSession(
            model="gpt-realtime", agent=agent, endpoint=server.endpoint, credential=key, dialect=dialect
        )
        for name in ("transcript_available", "response_done", "function_call", "error", "state_changed"):
            session.on(name)(lambda *args: seen.append(args))
        async with session.connect() as voice:
            sweep.saw("voice session", voice, voice.dialect, voice.playback)
            response = await voice.respond(load_audio(PARIS))
            sweep.saw("voice response", response, *response.tool_calls, *voice.conversation)
            sweep.saw("voice conversation", voice.conversation.to_list())
    message = f"Incorrect API key provided: {key} ({quote_plus(key)})"
    refusal = {"type": "error", "event_id": "event_1", "error": {"type": "invalid_request_error", "message": message}}
    async with ScriptedServer([Send(refusal), Close(1008, f"bad key {key}")]) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, credential=key, dialect=dialect)
        await sweep.expect("voice refused", ResponseError, session.connect())
    created = {"type": "session.created", "event_id": "event_1", "session": {"id": "sess_1"}}
    updated = {"type": "session.updated", "event_id": "event_2", "session": {"id": "sess_1"}}
    expired = {
        "type": "error",
        "event_id": "event_3",
        "error": {"type": "invalid_request_error", "code": "session_expired", "message": f"expired for {key}"},
    }
    script = [Send(created), Expect("session.update"), Send(updated), Send(expired), Close(4001, f"key {key}")]
    async with ScriptedServer(script) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, credential=key, dialect=dialect)
        session.on("error")(lambda error: seen.append((error,)))
        await session.connect()
        await sweep.expect("voice expired", SessionClosedError, session.receive())
        sweep.saw("voice closed", session)
    for args in seen:
        sweep.saw("voice handler", *args)
        for value in args:
            if isinstance(value, BaseException):
                sweep.caught("voice handler", value)


Scenario = Callable[[Sweep, str], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {
    "key as the credential": key_as_the_credential,
    "key in the endpoint": key_in_the_endpoint,
    "key as the endpoint's user information": key_as_the_endpoints_user_information,
    "key refused by the server": key_refused_by_the_server,
    "key echoed by the server": key_echoed_by_the_server,
    "key refused before any socket": key_refused_before_any_socket,
    "key given to a voice session": key_given_to_a_voice_session,
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def test_the_key_shows_nowhere(scenario: str, dialect: str, tmp_path: pathlib.Path) -> None:
    sweep = Sweep(KEY, tmp_path / "recordings")
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(sweep.records)
    try:
        await SCENARIOS[scenario](sweep, dialect)
    finally:
        root.removeHandler(sweep.records)
        root.setLevel(previous)
    texts = list(sweep.everything())
    if scenario != "key refused before any socket":  # which logs nothing: nothing happened
        assert len(sweep.records.lines) > 10, "no log line was captured, so the grep proved nothing"
    assert len(texts) > 20
    if scenario in ("key as the credential", "key in the endpoint", "key as the endpoint's user information"):
        assert any(origin.startswith("recording") for origin, _ in texts), "no recording was written"
        assert any("response.done" in text for origin, text in texts if origin.startswith("recording"))
    else:
        assert sweep.exceptions >= 3
    assert sweep.leaks() == []
