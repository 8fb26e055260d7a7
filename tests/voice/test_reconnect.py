"""Conversations that outlive their connection, end to end on every dialect.

Against the local server (which ends sessions at ``max_session_seconds`` with ``session_expired`` then 1001, and
records what every connection received), through a TCP proxy that drops connections, and against the scripted
server for the closes the local server never sends (1012, 4001). What each new connection received is read from the
servers' recordings: the same configuration, then the earlier turns in order, then the next turn.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from voice.conftest import DIALECTS
from voice.service_script import Service, speech_like
from voice.tcp_proxy import TcpProxy

from conftest import ROOT
from pyagent import Agent, VoiceSession, tool
from pyagent.realtime.errors import HandshakeError
from pyagent.realtime.testing import Reject, ScriptedPeer, ScriptedServer
from pyagent.server import EchoResponder, LocalServer, Reply, ResponderContext, SpeechEngines
from pyagent.server._speech import ToneSynthesizer
from pyagent.voice import (
    ConfigurationError,
    InvalidStateError,
    ReconnectPolicy,
    SessionClosedError,
    SessionSnapshot,
    SessionState,
    SnapshotError,
    VoiceResponse,
)

FAST = ReconnectPolicy(initial_delay=0.05, max_delay=0.2, renew_before_expiry=False)
WAIT = 30.0  # a hang guard for each step, not a measurement


def user_words(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """What the user said in each user message the service holds (typed, or heard from audio)."""
    said = []
    for item in items:
        if item.get("type") == "message" and item.get("role") == "user":
            parts = item.get("content") or []
            said.append(" ".join(str(p.get("text") or p.get("transcript") or "") for p in parts).strip())
    return said


def remembering(context: ResponderContext) -> Reply:
    """A model that shows what it remembers: how many user turns it holds, and the first and the last (and that
    calls a tool its words name, as the local server's default does)."""
    echo = EchoResponder()(context)
    if echo.tool_calls or context.pending_tool_outputs:
        return echo
    said = user_words(context.items)
    return Reply(text=f"Turn {len(said)}. First you said {said[0]}. Now you said {said[-1]}.")


class Watch:
    """The session's reconnect events and states, with a way to wait for the next ``reconnected``."""

    def __init__(self, session: VoiceSession) -> None:
        self.reconnecting: list[tuple[int, float, int | None, str]] = []
        self.reconnected: list[str] = []
        self.states: list[SessionState] = []
        self.errors: list[Exception] = []
        self.conversations: list[list[str]] = []  # the conversation's item ids when each reconnect began
        self.order: list[str] = []  # what the user's handlers were told, in order (audio, interrupted, ...)
        self._session = session
        for name in ("audio", "interrupted", "response_done"):
            session.on(name)(lambda *_, name=name: self.order.append(name))
        self._arrived = asyncio.Event()
        session.on("reconnecting")(self._on_reconnecting)
        session.on("reconnected")(self._on_reconnected)
        session.on("state_changed")(lambda new: self.states.append(new))
        session.on("error")(self.errors.append)

    def _on_reconnecting(self, attempt: int, delay: float, code: int | None, reason: str) -> None:
        self.reconnecting.append((attempt, delay, code, reason))
        self.order.append("reconnecting")
        if attempt == 1:
            self.conversations.append([item.id for item in self._session.conversation])

    def _on_reconnected(self, session_id: str) -> None:
        self.reconnected.append(session_id)
        self.order.append("reconnected")
        self._arrived.set()

    async def next_reconnect(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while len(self.reconnected) < count:
                self._arrived.clear()
                await self._arrived.wait()


def client_events(path: pathlib.Path) -> list[dict[str, Any]]:
    return [
        record["event"]
        for record in (json.loads(line) for line in path.read_text().splitlines())
        if record["dir"] == "client"
    ]


def events_of(path: pathlib.Path, direction: str) -> list[dict[str, Any]]:
    return [
        record["event"]
        for record in (json.loads(line) for line in path.read_text().splitlines())
        if record["dir"] == direction
    ]


def replayed(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The items a connection received before anything else but its configuration."""
    items = []
    for event in events[1:]:
        if event["type"] != "conversation.item.create" or "id" not in event["item"]:
            break
        items.append(event["item"])
    return items


# --------------------------------------------------------------------------------------------------- 1. expiries


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_four_turns_across_two_expiries(dialect: str, tmp_path: pathlib.Path, weather_audio: bytes) -> None:
    """The service ends each session at its maximum duration; every turn is answered, and each new connection
    receives the same configuration and the earlier turns in order before the next turn."""
    async with LocalServer(
        speech="off",
        realtime_factor=math.inf,
        max_session_seconds=1.5,
        record_dir=tmp_path,
        responder=remembering,
    ) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)
        answers: list[VoiceResponse] = []
        async with session.connect() as voice:
            answers.append(await voice.respond(weather_audio))  # spoken
            await watch.next_reconnect(1)
            await voice.send_text("my name is Ada")  # typed
            answers.append(await voice.receive())
            answers.append(await voice.respond(weather_audio))  # spoken
            await watch.next_reconnect(2)
            await voice.send_text("what is my name")
            answers.append(await voice.receive())
            final_conversation = [item.id for item in voice.conversation]
        recordings = list(server.recordings)
    assert [answer.status for answer in answers] == ["completed"] * 4
    assert [answer.text or answer.transcript for answer in answers][-1].startswith("Turn 4. First you said")
    assert "what is my name" in (answers[-1].text or answers[-1].transcript)
    assert [code for _, _, code, _ in watch.reconnecting] == [1001, 1001]
    assert watch.reconnecting[0][1] == 0.0  # the service announced the close: the first attempt is at once
    assert len(set(watch.reconnected)) == 2
    assert watch.errors == []  # a reconnect is not an error
    assert watch.states.count(SessionState.CONNECTING) == 3  # connect(), then two reconnects
    assert SessionState.DISCONNECTED not in watch.states[:-1]
    assert len(recordings) == 3
    received = [client_events(path) for path in recordings]
    configuration = received[0][0]
    assert configuration["type"] == "session.update"
    for index, events in enumerate(received[1:]):
        assert events[0]["type"] == "session.update"
        assert events[0]["session"] == configuration["session"]  # the same configuration
        items = replayed(events)
        assert [item["id"] for item in items] == watch.conversations[index]  # the earlier turns, in order
        assert [item["role"] for item in items if item["type"] == "message"][:2] == ["user", "assistant"]
        after = events[1 + len(items)]
        assert after["type"] in ("input_audio_buffer.append", "conversation.item.create")  # then the next turn
    assert final_conversation[: len(watch.conversations[1])] == watch.conversations[1]
    # The local server took every replayed item: its only errors are the two expiries.
    errors = [
        event["error"]["code"] for path in recordings for event in events_of(path, "server") if event["type"] == "error"
    ]
    assert errors == ["session_expired", "session_expired"]
    # Spoken turns whose transcript was known are replayed as that transcript (text), never as audio.
    second = replayed(received[2])
    assert second[0]["content"][0]["type"] == "input_text"
    assert second[0]["content"][0]["text"].startswith("[speech")  # the fallback recogniser's words


# --------------------------------------------------------------------------------------------------- 2. drops


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_drop_mid_response_is_reported_and_the_next_turn_has_the_history(
    dialect: str, tmp_path: pathlib.Path
) -> None:
    story = "once upon a time " + "there was a dragon who liked to talk " * 6
    replies = iter([Reply(text=story)])

    def responder(context: ResponderContext) -> Reply:
        return next(replies, None) or remembering(context)

    async with (
        LocalServer(speech="off", realtime_factor=4.0, record_dir=tmp_path, responder=responder) as server,
        TcpProxy(server.port) as proxy,
    ):
        session = VoiceSession(model="gpt-realtime", endpoint=proxy.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)
        interruptions: list[Any] = []
        session.on("interrupted")(interruptions.append)
        async with session.connect() as voice:
            await voice.send_text("tell me a story")
            async with asyncio.timeout(WAIT):
                while voice.state is not SessionState.SPEAKING:  # noqa: ASYNC110 - the session's state
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)  # some of it is heard
            proxy.drop()
            cut = await voice.receive()
            await watch.next_reconnect(1)
            await voice.send_text("what did I ask")
            answer = await voice.receive()
            conversation = list(voice.conversation)
        recordings = list(server.recordings)
    assert cut.interrupted
    assert cut.interruption is not None
    assert cut.interruption.source == "connection"
    assert "1006" in cut.interruption.reason
    assert interruptions == [cut.interruption]
    assert cut.status == "cancelled"
    # What the user hears: the answer's audio up to the drop, then nothing until the session is back.
    told = watch.order
    assert told.index("interrupted") > told.index("audio")
    assert told[told.index("interrupted") :][:4] == ["interrupted", "response_done", "reconnecting", "reconnected"]
    assert [code for _, _, code, _ in watch.reconnecting] == [1006]
    assert answer.status == "completed"
    assert (answer.text or answer.transcript).startswith("Turn 2. First you said tell me a story.")
    items = replayed(client_events(recordings[1]))
    assert [(item["type"], item["role"]) for item in items] == [("message", "user"), ("message", "assistant")]
    heard = items[1]["content"][0]["text"]
    assert heard, "something was heard before the drop"
    assert story.startswith(heard)
    assert len(heard) < len(story)  # only as far as it was heard
    assert cut.interruption.item_id == items[1]["id"]
    assert conversation[1].truncated_at_ms == cut.interruption.audio_end_ms


class SlowEars:
    """A recogniser that takes its time (the window in which a turn is committed and not yet answered)."""

    name = "slow"

    def recognize(self, pcm16: bytes, sample_rate: int) -> str:
        time.sleep(1.0)  # the server runs recognisers in a thread
        return f"[speech {len(pcm16) / 2 / sample_rate:.1f} s]"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_an_unanswered_spoken_turn_is_answered_after_the_restore_from_its_audio(
    dialect: str, tmp_path: pathlib.Path, weather_audio: bytes
) -> None:
    """The connection drops after the user's turn was committed and before its answer (and its transcript): the new
    connection gets the turn's audio, kept by the session, and answers it."""
    engines = SpeechEngines(recognizer=SlowEars(), synthesizer=ToneSynthesizer())
    async with (
        LocalServer(engines=engines, realtime_factor=math.inf, record_dir=tmp_path, responder=remembering) as server,
        TcpProxy(server.port) as proxy,
    ):
        session = VoiceSession(model="gpt-realtime", endpoint=proxy.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)
        async with session.connect() as voice:
            turn = asyncio.create_task(voice.respond(weather_audio))
            async with asyncio.timeout(WAIT):
                while voice.state is not SessionState.PROCESSING:  # noqa: ASYNC110 - the session's state
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # the answer is asked for; the service is still listening to the audio
            proxy.drop()
            async with asyncio.timeout(WAIT):
                answer = await turn
        recordings = list(server.recordings)
    assert [code for _, _, code, _ in watch.reconnecting] == [1006]
    assert answer.status == "completed"
    assert not answer.interrupted
    assert (answer.text or answer.transcript).startswith("Turn 1. First you said [speech")
    (user,) = replayed(client_events(recordings[1]))
    assert user["role"] == "user"
    (part,) = user["content"]
    assert part["type"] == "input_audio"
    audio = base64.b64decode(part["audio"])
    # The utterance as the service cut it: from its speech start (with the prefix padding) to its speech stop.
    heard = {event["type"]: event for event in events_of(recordings[0], "server")}
    start = heard["input_audio_buffer.speech_started"]["audio_start_ms"]
    stop = heard["input_audio_buffer.speech_stopped"]["audio_end_ms"]
    assert len(audio) == (stop - start) * 48
    assert audio in weather_audio
    assert not [event for event in events_of(recordings[1], "server") if event["type"] == "error"]  # accepted
    assert [event["type"] for event in client_events(recordings[1])][-1] == "response.create"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_1012_close_reports_the_cut_turn_and_the_next_turn_has_the_history(dialect: str) -> None:
    seen: list[list[dict[str, Any]]] = []

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, dialect)
        first = len(seen) == 0
        seen.append([])
        await svc.open(f"sess_{len(seen)}")
        if first:
            (hello,) = await svc.expect("conversation.item.create")
            await user_item(svc, "item_u1", None, hello["item"]["content"][0]["text"])
            await svc.expect("response.create")
            await svc.response_created("resp_1")
            await svc.spoken_item("resp_1", "item_a1", "item_u1", 0, "Hello there.", 600)
            await svc.response_done("resp_1")
            (more,) = await svc.expect("conversation.item.create")
            await user_item(svc, "item_u2", "item_a1", more["item"]["content"][0]["text"])
            await svc.expect("response.create")
            await svc.response_created("resp_2")
            await partial_item(svc, "resp_2", "item_a2", "item_u2", "Let me think about", 300)
            await asyncio.sleep(0.2)  # some of it is heard
            await peer.close(1012, "service restart")
            return
        creates = await svc.expect("conversation.item.create", 4)  # the history
        seen[-1].extend(event["item"] for event in creates)
        (question,) = await svc.expect("conversation.item.create")
        seen[-1].append(question["item"])
        await user_item(svc, "item_u3", "item_a2", question["item"]["content"][0]["text"])
        await svc.expect("response.create")
        await svc.response_created("resp_3")
        await svc.spoken_item("resp_3", "item_a3", "item_u3", 0, "You asked two things.", 600)
        await svc.response_done("resp_3")

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)
        async with session.connect() as voice:
            await voice.send_text("hello")
            first = await voice.receive()
            await voice.send_text("tell me more")
            cut = await voice.receive()
            await watch.next_reconnect(1)
            await voice.send_text("what did I ask")
            answer = await voice.receive()
        assert not server.errors
    assert first.transcript == "Hello there."
    assert cut.interrupted
    assert cut.interruption is not None
    assert cut.interruption.source == "connection"
    assert "1012" in cut.interruption.reason
    assert "service restart" in cut.interruption.reason
    assert watch.reconnecting[0][:3] == (1, 0.0, 1012)
    assert answer.transcript == "You asked two things."
    history, question = seen[1][:4], seen[1][4]
    assert [(item.get("id"), item["role"]) for item in history] == [
        ("item_u1", "user"),
        ("item_a1", "assistant"),
        ("item_u2", "user"),
        ("item_a2", "assistant"),
    ]
    assert history[0]["content"] == [{"type": "input_text", "text": "hello"}]
    text_type = "output_text" if dialect in ("openai", "azure-openai-ga") else "text"
    assert history[1]["content"] == [{"type": text_type, "text": "Hello there."}]
    assert history[3]["content"][0]["type"] == text_type
    assert "Let me think about".startswith(history[3]["content"][0]["text"])  # as far as it was heard
    assert question["content"] == [{"type": "input_text", "text": "what did I ask"}]


async def partial_item(svc: Service, response_id: str, item_id: str, previous: str, words: str, audio_ms: int) -> None:
    """An assistant item under way: announced, its transcript and audio arriving, not done."""
    item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant"}
    item |= {"status": "in_progress", "content": []}
    await svc.send("response.output_item.added", response_id=response_id, output_index=0, item=item)
    await svc.send("conversation.item.added", previous_item_id=previous, item=item)
    where = {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}
    await svc.send("response.content_part.added", **where, part={"type": "audio", "transcript": ""})
    await svc.send("response.output_audio_transcript.delta", **where, delta=words)
    delta = base64.b64encode(speech_like(audio_ms)).decode()
    await svc.send("response.output_audio.delta", **where, delta=delta)


async def user_item(svc: Service, item_id: str, previous: str | None, words: str) -> None:
    item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user", "status": "completed"}
    item["content"] = [{"type": "input_text", "text": words}]
    await svc.send("conversation.item.added", previous_item_id=previous, item=item)


# --------------------------------------------------------------------------------------------------- 3. not retried


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_4001_close_is_not_retried(dialect: str) -> None:
    async def service(peer: ScriptedPeer) -> None:
        await Service(peer, dialect).open()
        await asyncio.sleep(0.1)
        await peer.close(4001, "invalid_api_key")

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)
        await session.connect()
        async with asyncio.timeout(WAIT):
            while not watch.errors:  # noqa: ASYNC110 - the session's handlers
                await asyncio.sleep(0.01)
        with pytest.raises(SessionClosedError) as info:
            await session.send_text("are you there?")
        assert len(server.handshakes) == 1
    assert (info.value.code, info.value.reason) == (4001, "invalid_api_key")
    assert watch.reconnecting == []
    assert watch.errors == [info.value]
    assert session.state is SessionState.DISCONNECTED


class CountingKey:
    """A credential asked for a token on every connection: the right key, then (from ``turn_bad``) a wrong one."""

    def __init__(self, key: str, turn_bad: int | None = None) -> None:
        self.key_ = key
        self.turn_bad = turn_bad
        self.calls = 0

    def get_token(self, *scopes: str) -> str:
        self.calls += 1
        if self.turn_bad is not None and self.calls >= self.turn_bad:
            return "sk-wrong-key-0000"
        return self.key_


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_handshake_401_is_not_retried(dialect: str) -> None:
    credential = CountingKey("sk-local-test-key", turn_bad=2)
    async with LocalServer(speech="off", api_key="sk-local-test-key") as server, TcpProxy(server.port) as proxy:
        session = VoiceSession(
            model="gpt-realtime", endpoint=proxy.endpoint, credential=credential, dialect=dialect, reconnect=FAST
        )
        watch = Watch(session)
        await session.connect()
        proxy.drop()
        async with asyncio.timeout(WAIT):
            while not watch.errors:  # noqa: ASYNC110 - the session's handlers
                await asyncio.sleep(0.01)
    (error,) = watch.errors
    assert isinstance(error, SessionClosedError)
    assert error.code == 1006  # the close that started it all
    assert isinstance(error.__cause__, HandshakeError)
    assert error.__cause__.status == 401
    assert "sk-wrong-key" not in str(error)
    assert [attempt for attempt, *_ in watch.reconnecting] == [1]  # one attempt, refused, not retried
    assert credential.calls == 2  # asked once per connection
    assert proxy.accepted == 2
    assert session.state is SessionState.DISCONNECTED


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_credentials_are_asked_once_per_connection(dialect: str) -> None:
    credential = CountingKey("sk-local-test-key")
    async with LocalServer(
        speech="off", api_key="sk-local-test-key", max_session_seconds=1.0, realtime_factor=math.inf
    ) as server:
        session = VoiceSession(
            model="gpt-realtime", endpoint=server.endpoint, credential=credential, dialect=dialect, reconnect=FAST
        )
        watch = Watch(session)
        async with session.connect() as voice:
            await watch.next_reconnect(2)
            await voice.send_text("still there?")
            answer = await voice.receive()
    assert answer.status == "completed"
    assert credential.calls == 3


async def test_when_the_attempts_run_out_the_last_close_ends_the_session(tmp_path: pathlib.Path) -> None:
    policy = ReconnectPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02)
    async with LocalServer(speech="off", realtime_factor=2.0, responder=lambda _: Reply(text="word " * 80)) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=policy)
        watch = Watch(session)
        await session.connect()
        await session.send_text("talk")
        async with asyncio.timeout(WAIT):
            while session.state is not SessionState.SPEAKING:  # noqa: ASYNC110 - the session's state
                await asyncio.sleep(0.01)
        await server.close()  # every connection ends (1001) and the port no longer answers
        cut = await session.receive()
        with pytest.raises(SessionClosedError) as info:
            await session.receive()
    assert cut.interrupted
    assert [attempt for attempt, *_ in watch.reconnecting] == [1, 2, 3]
    assert info.value.code == 1001
    assert "gave up reconnecting after 3 attempts" in str(info.value)
    assert watch.errors == [info.value]
    assert watch.states[-2:] == [SessionState.CONNECTING, SessionState.DISCONNECTED]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_handshake_5xx_is_retried(dialect: str) -> None:
    """The first attempt after a drop meets a 503; the next one connects and restores."""

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, dialect)
        await svc.open(f"sess_{len(peer.server.peers)}")
        if len(peer.server.peers) == 1:
            peer.server.reject = Reject(503, "Service Unavailable")  # the next handshake is refused
            peer.drop()
            return
        await svc.expect("response.create")
        await svc.response_created("resp_1")
        await svc.spoken_item("resp_1", "item_a", None, 0, "Back.", 200)
        await svc.response_done("resp_1")

    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=FAST)
        watch = Watch(session)

        def accept_again(attempt: int) -> None:
            if attempt == 2:
                server.reject = None

        session.on("reconnecting")(accept_again)
        async with session.connect() as voice:
            await watch.next_reconnect(1)
            await voice.send_text("hello again")
            answer = await voice.receive()
    assert answer.transcript == "Back."
    assert [(attempt, code) for attempt, _, code, _ in watch.reconnecting] == [(1, 1006), (2, None)]
    assert "503" in watch.reconnecting[1][3]
    assert len(server.handshakes) == 3


async def test_a_keepalive_timeout_is_retried() -> None:
    """The service stops answering pings: the heartbeat ends the connection (1006) and the session reconnects."""

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "voicelive")
        await svc.open(f"sess_{len(peer.server.peers)}")
        if len(peer.server.peers) == 1:
            await peer.stall(1.0)
            return
        await svc.expect("response.create")
        await svc.response_created("resp_1")
        await svc.spoken_item("resp_1", "item_a", None, 0, "Awake.", 200)
        await svc.response_done("resp_1")

    async with ScriptedServer(service) as server:
        session = VoiceSession(
            model="gpt-realtime",
            endpoint=server.endpoint,
            dialect="voicelive",
            reconnect=FAST,
            connect_options={"connection_options": {"heartbeat": 0.1}},
        )
        watch = Watch(session)
        async with session.connect() as voice:
            await watch.next_reconnect(1)
            await voice.send_text("hello?")
            answer = await voice.receive()
    assert answer.transcript == "Awake."
    assert watch.reconnecting[0][2:] == (1006, "keepalive ping timeout")


# --------------------------------------------------------------------------------------------------- 4. renewal


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_renewal_between_turns_never_meets_the_maximum(dialect: str, tmp_path: pathlib.Path) -> None:
    """With a 2 s maximum, a conversation with pauses moves to a new connection between turns before it: the
    service never ends a session (no ``session_expired``, no 1001)."""
    async with LocalServer(
        speech="off", realtime_factor=math.inf, max_session_seconds=2.0, record_dir=tmp_path, responder=remembering
    ) as server:
        policy = ReconnectPolicy(max_session_seconds=2.0, initial_delay=0.05)
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect, reconnect=policy)
        watch = Watch(session)
        answers = []
        async with session.connect() as voice:
            for turn in range(10):
                await voice.send_text(f"turn {turn + 1}")
                answers.append(await voice.receive())
                await asyncio.sleep(0.4)  # a pause
        recordings = list(server.recordings)
    assert [answer.status for answer in answers] == ["completed"] * 10
    assert (answers[-1].text or answers[-1].transcript) == "Turn 10. First you said turn 1. Now you said turn 10."
    assert len(watch.reconnected) >= 2
    assert all(code is None for _, _, code, _ in watch.reconnecting)  # renewals, not closes
    assert watch.errors == []
    server_events = [event for path in recordings for event in events_of(path, "server")]
    assert not [event for event in server_events if event["type"] == "error"]
    assert len(recordings) == len(watch.reconnected) + 1


# --------------------------------------------------------------------------------------------------- 5. the gap


async def test_calls_during_the_gap_wait_and_audio_is_buffered() -> None:
    """While the session reconnects, send_text() waits for the restore, send_audio(commit=False) is buffered up to
    the policy's bound (then waits), and both reach the new connection after the replayed conversation."""
    connected = asyncio.Event()

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "openai")
        await svc.open(f"sess_{len(peer.server.peers)}")
        if len(peer.server.peers) == 1:
            await asyncio.sleep(0.05)
            peer.drop()
            return
        connected.set()
        await svc.expect("response.create")
        await svc.response_created("resp_1")
        await svc.spoken_item("resp_1", "item_a", None, 0, "Yes.", 300)
        await svc.response_done("resp_1")

    policy = ReconnectPolicy(initial_delay=0.5, max_gap_audio_seconds=0.25)
    chunk = b"\x10\x00\xf0\xff" * 1200  # 100 ms
    async with ScriptedServer(service) as server:
        session = VoiceSession(
            model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=policy, turn_detection=False
        )
        watch = Watch(session)
        await session.connect()
        async with asyncio.timeout(WAIT):
            while not watch.reconnecting:  # noqa: ASYNC110 - the session's handlers
                await asyncio.sleep(0.01)
        assert session.state is SessionState.CONNECTING
        for _ in range(2):
            await session.send_audio(chunk, commit=False)  # buffered, at once
        assert not connected.is_set()
        third = asyncio.create_task(session.send_audio(chunk, commit=False))  # over the bound: waits
        typed = asyncio.create_task(session.send_text("are you there?"))
        await asyncio.sleep(0.1)
        assert not third.done()
        assert not typed.done()
        async with asyncio.timeout(WAIT):
            await asyncio.gather(third, typed)
        assert watch.reconnected
        answer = await session.receive()
        await session.disconnect()
        second = server.peers[1].received
    assert answer.transcript == "Yes."
    kinds = [event["type"] for event in second]
    assert kinds[0] == "session.update"
    appends = [event for event in second if event["type"] == "input_audio_buffer.append"]
    assert b"".join(base64.b64decode(event["audio"]) for event in appends) == chunk * 3
    assert kinds.index("input_audio_buffer.append") < kinds.index("conversation.item.create")
    assert kinds[-1] == "response.create"


async def test_handlers_may_call_the_session_while_it_reconnects() -> None:
    """A ``response_done`` handler of the cut turn that sends the next turn waits for the restore (no deadlock); a
    ``reconnecting`` handler that would wait for the reconnect it is part of is told so at once."""

    async def service(peer: ScriptedPeer) -> None:
        svc = Service(peer, "openai")
        await svc.open(f"sess_{len(peer.server.peers)}")
        await svc.expect("response.create")
        number = len(peer.server.peers)
        await svc.response_created(f"resp_{number}")
        if number == 1:
            await partial_item(svc, "resp_1", "item_a1", "item_u1", "Let me see", 400)
            await asyncio.sleep(0.2)
            peer.drop()
            return
        await svc.spoken_item(f"resp_{number}", f"item_a{number}", None, 0, "Still here.", 200)
        await svc.response_done(f"resp_{number}")

    refused: list[Exception] = []
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai", reconnect=FAST)

        @session.on("response_done")
        async def follow_up(response: VoiceResponse) -> None:
            if response.interrupted:
                await session.send_text("are you still there?")

        @session.on("reconnecting")
        async def too_early() -> None:
            try:
                await session.send_text("hello?")
            except Exception as exc:
                refused.append(exc)

        async with session.connect() as voice:
            await voice.send_text("hello")
            cut = await voice.receive()
            async with asyncio.timeout(WAIT):
                answer = await voice.receive()
    assert cut.interrupted
    assert answer.transcript == "Still here."
    (error,) = refused
    assert isinstance(error, InvalidStateError)
    assert "start it in a task" in str(error)


async def test_disconnect_while_reconnecting_ends_everything() -> None:
    async def service(peer: ScriptedPeer) -> None:
        await Service(peer, "voicelive").open()
        await asyncio.sleep(0.05)
        peer.drop()

    policy = ReconnectPolicy(initial_delay=30.0)
    async with ScriptedServer(service) as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="voicelive", reconnect=policy)
        watch = Watch(session)
        await session.connect()
        async with asyncio.timeout(WAIT):
            while not watch.reconnecting:  # noqa: ASYNC110 - the session's handlers
                await asyncio.sleep(0.01)
        waiting = asyncio.create_task(session.send_text("hello?"))
        receiving = asyncio.create_task(session.receive())
        await asyncio.sleep(0.05)
        async with asyncio.timeout(5):
            await session.disconnect()
            with pytest.raises(SessionClosedError):
                await waiting
            with pytest.raises(SessionClosedError):
                await receiving
    assert session.state is SessionState.DISCONNECTED
    assert len(server.handshakes) == 1
    assert watch.errors == []  # the user ended it


# --------------------------------------------------------------------------------------------------- 6. snapshots


SNAPSHOT_SCRIPT = """
import asyncio, sys
from pyagent import Agent, VoiceSession

def get_weather(city: str) -> str:
    '''The weather in a city.

    Args:
        city: the city.
    '''
    return "sunny, 22 degrees"

async def main() -> None:
    endpoint, dialect, key = sys.argv[1:4]
    agent = Agent("forecaster", "You tell the weather.", tools=[get_weather])
    session = VoiceSession(model="gpt-realtime", endpoint=endpoint, dialect=dialect, credential=key, agent=agent)
    async with session.connect() as voice:
        for words in ("my name is Ada", "what is the weather in paris"):
            await voice.send_text(words)
            await voice.receive()
        print(voice.snapshot().to_json())

asyncio.run(main())
"""


def forecast(city: str) -> str:
    """The weather in a city.

    Args:
        city: the city.
    """
    return "sunny, 22 degrees"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_snapshot_taken_in_one_process_resumes_in_another(dialect: str, tmp_path: pathlib.Path) -> None:
    key = "sk-snapshot-secret-4242"
    async with LocalServer(
        speech="off", api_key=key, record_dir=tmp_path, responder=remembering, realtime_factor=math.inf
    ) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYAGENT_", "OPENAI_", "AZURE_"))}
        env["PYTHONPATH"] = str(ROOT)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SNAPSHOT_SCRIPT,
            server.endpoint,
            dialect,
            key,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        async with asyncio.timeout(60):
            out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        text = out.decode().strip()
        assert key not in text  # nothing secret in a snapshot
        snapshot = SessionSnapshot.from_json(text)
        assert snapshot.tool_names == ["get_weather"]
        with pytest.raises(ConfigurationError, match="get_weather"):
            VoiceSession.from_snapshot(snapshot, endpoint=server.endpoint, credential=key)
        agent = Agent("forecaster", "You tell the weather.", tools=[tool(name="get_weather")(forecast)])
        resuming = VoiceSession.from_snapshot(snapshot, agent=agent, endpoint=server.endpoint, credential=key)
        async with resuming as voice:
            assert [item.id for item in voice.conversation] == [item.id for item in snapshot.items if item.id]
            await voice.send_text("who am I")
            answer = await voice.receive()
        recordings = list(server.recordings)
    assert (answer.text or answer.transcript) == "Turn 3. First you said my name is Ada. Now you said who am I."
    kinds = [(item.type, item.role) for item in snapshot.items]
    assert kinds == [
        ("message", "user"),
        ("message", "assistant"),
        ("message", "user"),
        ("function_call", ""),
        ("function_call_output", ""),
        ("message", "assistant"),
    ]
    resumed_events = client_events(recordings[-1])
    assert resumed_events[0]["type"] == "session.update"
    assert [item["id"] for item in replayed(resumed_events)] == [item.id for item in snapshot.items]
    # In the order the server saw them: the history, then the new turn, then the first answer.
    both = [
        (record["dir"], record["event"]["type"])
        for record in (json.loads(line) for line in recordings[-1].read_text().splitlines())
        if record["dir"] != "meta"
    ]
    last_replayed = max(i for i, entry in enumerate(both) if entry == ("client", "conversation.item.create"))
    first_answer = both.index(("server", "response.created"))
    assert first_answer > last_replayed
    assert not [kind for direction, kind in both if (direction, kind) == ("server", "error")]
    kinds_sent = [event["type"] for event in resumed_events]
    # The history, then the new turn, then its response: the answer comes after the replayed history.
    assert kinds_sent[: 1 + len(snapshot.items)] == ["session.update"] + ["conversation.item.create"] * len(
        snapshot.items
    )
    assert kinds_sent[1 + len(snapshot.items) :] == ["conversation.item.create", "response.create"]
    for path in recordings:
        assert key not in path.read_text()


def test_snapshot_json_is_checked() -> None:
    with pytest.raises(SnapshotError, match="JSON"):
        SessionSnapshot.from_json("not json")
    with pytest.raises(SnapshotError, match="no version"):
        SessionSnapshot.from_json("{}")
    with pytest.raises(SnapshotError, match="newer"):
        SessionSnapshot.from_json('{"version": 99}')
    with pytest.raises(SnapshotError, match="malformed"):
        SessionSnapshot.from_json('{"version": 1, "model": 3}')
    snapshot = SessionSnapshot(
        model="m",
        voice={"type": "azure-standard", "name": "en-US-Ava:DragonHDLatestNeural"},
        language="en",
        transcription_model=None,
        sample_rate=16000,
        channels=1,
        audio_format="pcm16",
        turn_detection={"enabled": False},
        dialect="voicelive",
    )
    assert SessionSnapshot.from_json(snapshot.to_json()) == snapshot


async def test_renewal_follows_the_expiry_the_service_announces() -> None:
    """No maximum given: the session reads session.created's expires_at and moves before it, between turns."""
    renewed: list[str] = []
    causes: list[int | None] = []
    async with LocalServer(max_session_seconds=3, speech="off") as server:
        session = VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect="openai")
        session.on("reconnected")(renewed.append)
        session.on("reconnecting")(lambda attempt, delay, code: causes.append(code))
        interrupted: list[object] = []
        session.on("interrupted")(interrupted.append)
        async with session.connect() as voice:
            answers = []
            for words in ("one", "two", "three", "four"):
                await voice.send_text(words)
                answers.append(await voice.receive())
                await asyncio.sleep(1.0)
    assert [answer.transcript for answer in answers] == [f"I heard: {w}." for w in ("one", "two", "three", "four")]
    assert renewed  # it moved at least once
    assert causes == [None] * len(causes)  # every move a renewal, none caused by the service's close (1001)
    assert interrupted == []  # never cut by the service's end
