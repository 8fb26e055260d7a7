"""What a new connection is sent, decided with plain values: which closes are retried, how long to wait, which
items are replayed and how, what user audio is kept, and how the core goes offline and comes back."""

from __future__ import annotations

import math
from typing import Any

import pytest
from voice.core_support import CoreDriver, pcm

from pyagent.realtime.errors import (
    ConnectionClosed,
    ConnectionError,
    ConnectionTimeout,
    HandshakeError,
    InsecureTransportError,
    KeepaliveTimeout,
)
from pyagent.voice import (
    ConfigurationError,
    ReconnectPolicy,
    ResponseError,
    SessionClosedError,
    SessionState,
    ToolCallRecord,
)
from pyagent.voice._conversation import ConversationMirror
from pyagent.voice._core import Emit, Send, TurnFinished
from pyagent.voice._history import (
    IDLE_KEPT_MS,
    HistoryItem,
    InputAudioKeeper,
    conversation_history,
    heard_words,
    restore_events,
)
from pyagent.voice._reconnect import SESSION_LIMITS, Attempts, coerce_policy, gave_up, run_attempts, should_retry

# --------------------------------------------------------------------------------------------------- retried or not


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (SessionClosedError("going away", code=1001), True),
        (SessionClosedError("dropped", code=1006), True),
        (SessionClosedError("server error", code=1011), True),
        (SessionClosedError("restart", code=1012), True),
        (SessionClosedError("try again later", code=1013), True),
        (KeepaliveTimeout(1006, "keepalive ping timeout"), True),
        (SessionClosedError("bye", code=1000), False),
        (SessionClosedError("policy", code=1008), False),
        (SessionClosedError("auth", code=4001), False),
        (SessionClosedError("beta", code=4000), False),
        (SessionClosedError("bad request", code=4999), False),
        (SessionClosedError("no code"), False),
        (HandshakeError("HTTP 401", 401), False),
        (HandshakeError("HTTP 403", 403), False),
        (HandshakeError("HTTP 404", 404), False),
        (HandshakeError("HTTP 400", 400), False),
        (HandshakeError("HTTP 429", 429), True),
        (HandshakeError("HTTP 500", 500), True),
        (HandshakeError("HTTP 503", 503), True),
        (HandshakeError("no answer", None), True),
        (ConnectionTimeout("handshake took too long"), True),
        (ConnectionError("cannot connect"), True),
        (TimeoutError(), True),
        (ConnectionClosed(1012, "restart"), True),
        (InsecureTransportError("plaintext"), False),
        (ResponseError("refused", code="invalid_model"), False),
    ],
)
def test_which_ends_are_retried(error: BaseException, retried: bool) -> None:
    assert should_retry(error) is retried


def test_the_backoff_grows_to_its_cap_with_jitter_taken_off() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=4.0, multiplier=2.0, jitter=0.5)
    assert [policy.delay(n, 1006) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    # A close the service announced (going away, restart) is answered at once, then the same steps.
    assert [policy.delay(n, 1001) for n in range(1, 5)] == [0.0, 0.5, 1.0, 2.0]
    assert [policy.delay(n, 1012) for n in range(1, 3)] == [0.0, 0.5]
    assert [policy.delay(n, None) for n in range(1, 3)] == [0.0, 0.5]  # a renewal: nothing closed
    assert policy.delay(3, 1006, random=lambda: 1.0) == 1.0  # half of 2.0 taken off
    assert policy.delay(3, 1006, random=lambda: 0.25) == 1.75


def test_the_policy_knows_each_services_maximum_and_renews_before_it() -> None:
    assert SESSION_LIMITS == {
        "openai": 3600.0,
        "azure-openai": 1800.0,
        "azure-openai-ga": 1800.0,
        "voicelive": 3600.0,
    }
    policy = ReconnectPolicy()
    assert policy.renew_after("openai") == 3600 - 300
    assert policy.renew_after("azure-openai") == 1800 - 300
    assert ReconnectPolicy(max_session_seconds=2.0).renew_after("openai") == 1.5  # the margin is a quarter at most
    assert ReconnectPolicy(renew_before_expiry=False).renew_after("openai") is None
    assert ReconnectPolicy(max_session_seconds=math.inf).renew_after("openai") is None


def test_reconnect_argument() -> None:
    assert coerce_policy(True) == ReconnectPolicy()
    assert coerce_policy(False) is None
    policy = ReconnectPolicy(max_attempts=2)
    assert coerce_policy(policy) is policy
    with pytest.raises(ConfigurationError, match="reconnect must be"):
        coerce_policy("yes")  # type: ignore[arg-type]
    for bad in ({"max_attempts": 0}, {"jitter": 2.0}, {"multiplier": 0.5}, {"max_session_seconds": 0}):
        with pytest.raises(ConfigurationError):
            ReconnectPolicy(**bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------- the history


def mirror_of(*events: tuple[str, dict[str, object]]) -> ConversationMirror:
    """A mirror filled the way the core fills it, from item objects placed in order."""
    mirror = ConversationMirror()
    previous: str | None = None
    for item_id, item in events:
        placed = mirror.place(item_id, previous)
        placed.update_from({"id": item_id, **item})
        previous = item_id
    return mirror


def user_audio(transcript: str | None, *, final: bool = True) -> dict[str, object]:
    return {"type": "message", "role": "user", "content": [{"type": "input_audio", "transcript": transcript}]}


def assistant(words: str) -> dict[str, object]:
    return {"type": "message", "role": "assistant", "content": [{"type": "audio", "transcript": words}]}


def test_turns_are_replayed_in_order_users_as_transcripts_assistants_as_text() -> None:
    mirror = mirror_of(
        ("item_u1", user_audio("what is the weather in paris")),
        ("item_call", {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}),
        ("item_out", {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}),
        ("item_a1", assistant("It is sunny in Paris.")),
        ("item_u2", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "thanks"}]}),
    )
    mirror.get("item_u1").parts[0].transcript_final = True  # type: ignore[union-attr]
    history, left_out = conversation_history(mirror)
    assert left_out == []
    assert history == [
        HistoryItem("item_u1", "message", "user", text="what is the weather in paris"),
        HistoryItem("item_call", "function_call", call_id="call_1", name="get_weather", arguments="{}"),
        HistoryItem("item_out", "function_call_output", call_id="call_1", output="sunny"),
        HistoryItem("item_a1", "message", "assistant", text="It is sunny in Paris."),
        HistoryItem("item_u2", "message", "user", text="thanks"),
    ]
    ids = iter(range(1, 100))
    ga = restore_events(history, assistant_text_type="output_text", next_event_id=lambda: f"evt_{next(ids)}")
    assert [event["event_id"] for event in ga] == [f"evt_{n}" for n in range(1, 6)]
    assert [event["item"] for event in ga] == [
        {
            "id": "item_u1",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "what is the weather in paris"}],
        },
        {"id": "item_call", "type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
        {"id": "item_out", "type": "function_call_output", "call_id": "call_1", "output": "sunny"},
        {
            "id": "item_a1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "It is sunny in Paris."}],
        },
        {"id": "item_u2", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "thanks"}]},
    ]
    beta = restore_events(history, assistant_text_type="text", next_event_id=lambda: "e")
    assert beta[3]["item"]["content"] == [{"type": "text", "text": "It is sunny in Paris."}]


def test_a_user_turn_without_a_final_transcript_is_replayed_as_its_audio_else_left_out() -> None:
    mirror = mirror_of(
        ("item_kept", user_audio(None)),
        ("item_partial", user_audio("what is the")),
        ("item_lost", user_audio(None)),
    )
    kept = {"item_kept": pcm(200), "item_partial": pcm(100)}
    history, left_out = conversation_history(mirror, kept_audio=kept.get)
    assert history == [
        HistoryItem("item_kept", "message", "user", audio=pcm(200)),
        HistoryItem("item_partial", "message", "user", audio=pcm(100)),  # the audio says more than a partial
    ]
    assert left_out == [("item_lost", "no transcript, and its audio is no longer kept")]
    (event, _) = restore_events(history, assistant_text_type="text", next_event_id=lambda: "e")
    assert event["item"]["content"] == [{"type": "input_audio", "audio": pcm(200)}]
    # Without its audio, a partial transcript is better than nothing.
    history, _ = conversation_history(mirror)
    assert history == [HistoryItem("item_partial", "message", "user", text="what is the")]


def test_an_interrupted_assistant_turn_is_replayed_as_far_as_it_was_heard() -> None:
    """The cut: of the words, the share the heard milliseconds are of the audio received; at most 4 words a
    second heard (the transcript runs ahead of the audio)."""
    words = "one two three four five six seven eight nine ten"
    assert heard_words(words, 1000, 4000) == "one two three"  # 10 x 1/4 = 2.5, rounded half up
    assert heard_words(words, 2000, 4000) == "one two three four five"
    assert heard_words(words, 4000, 4000) == words
    assert heard_words(words, 500, 500) == "one two"  # all the audio received was heard: 4 words/s at most
    assert heard_words(words, 0, 4000) == ""
    assert heard_words("", 1000, 4000) == ""
    mirror = mirror_of(("item_cut", assistant(words)), ("item_gone", assistant("never heard")))
    cut = mirror.get("item_cut")
    assert cut is not None
    cut.parts[0].audio_bytes = 48 * 4000  # 4 s of 24 kHz PCM16 received
    cut.truncated_at_ms = 2000
    gone = mirror.get("item_gone")
    assert gone is not None
    gone.unheard = True  # barge-in deleted it; the service had not confirmed yet
    history, left_out = conversation_history(mirror)
    assert history == [HistoryItem("item_cut", "message", "assistant", text="one two three four five")]
    assert left_out == [("item_gone", "deleted by barge-in: never heard")]
    # Before the service confirms a truncation, the cut the session sent counts.
    cut.truncated_at_ms, cut.heard_ms = None, 1000
    assert conversation_history(mirror)[0][0].text == "one two three"


def test_function_calls_are_replayed_with_their_outputs_or_not_at_all() -> None:
    mirror = mirror_of(
        ("item_done", {"type": "function_call", "call_id": "call_done", "name": "a", "arguments": "{}"}),
        ("item_sent", {"type": "function_call", "call_id": "call_sent", "name": "b", "arguments": "{}"}),
        ("item_running", {"type": "function_call", "call_id": "call_running", "name": "c", "arguments": "{}"}),
        ("item_cut", {"type": "function_call", "call_id": "call_cut", "name": "d", "arguments": '{"x'}),
        ("item_out", {"type": "function_call_output", "call_id": "call_done", "output": "1"}),
        ("item_orphan", {"type": "function_call_output", "call_id": "call_elsewhere", "output": "2"}),
    )
    history, left_out = conversation_history(
        mirror, running_calls={"call_running"}, unconfirmed_outputs={"call_sent": "3"}, unconfirmed_texts=["hi"]
    )
    assert [(h.id, h.type, h.call_id, h.output) for h in history] == [
        ("item_done", "function_call", "call_done", ""),
        ("item_sent", "function_call", "call_sent", ""),
        ("", "function_call_output", "call_sent", "3"),  # sent, never confirmed: right after its call
        ("item_running", "function_call", "call_running", ""),  # its output follows when the tool returns
        ("item_out", "function_call_output", "call_done", "1"),
        ("", "message", "", ""),
    ]
    assert history[-1] == HistoryItem("", "message", "user", text="hi")
    assert left_out == [
        ("item_cut", "a function call that has no output"),
        ("item_orphan", "the output of a call that is not in the history"),
    ]
    events = restore_events(history, assistant_text_type="text", next_event_id=lambda: "e")
    assert "id" not in events[2]["item"]
    assert "id" not in events[-1]["item"]


def test_history_items_round_trip_as_plain_values() -> None:
    items = [
        HistoryItem("item_1", "message", "user", audio=pcm(20)),
        HistoryItem("item_2", "function_call", call_id="c", name="n", arguments="{}"),
        HistoryItem("", "message", "assistant", text="hello"),
    ]
    assert [HistoryItem.from_dict(item.to_dict()) for item in items] == items
    assert "audio=960 bytes" in repr(items[0])
    with pytest.raises(ValueError, match="must be a string"):
        HistoryItem.from_dict({"id": 1, "type": "message"})


# --------------------------------------------------------------------------------------------------- kept audio


def test_the_keeper_keeps_each_items_audio_until_its_transcript_and_the_input_not_committed() -> None:
    keeper = InputAudioKeeper(48000, max_bytes=48000 * 10)
    silence, speech = b"\x00\x00" * 24000, pcm(800)  # 1 s of silence, then 0.8 s of speech
    keeper.appended(silence + speech + silence[:9600], turn_detection=True)
    keeper.speech_started("item_1", 700)  # the service's audio_start_ms includes its prefix padding
    keeper.speech_stopped("item_1", 1800)
    keeper.committed("item_1")
    audio = keeper.audio_of("item_1")
    assert audio == (silence + speech)[700 * 48 : 1800 * 48]
    assert keeper.pending(turn_detection=True) == b""  # nothing said since
    keeper.speech_started("item_2", 1900)
    keeper.appended(pcm(300), turn_detection=True)
    assert keeper.pending(turn_detection=True) == (silence[:9600] + pcm(300))[100 * 48 :]  # the speech under way
    keeper.forget("item_1")  # its transcript arrived
    assert keeper.audio_of("item_1") is None
    keeper.new_connection(keep_mark=False)
    assert keeper.position == 0
    assert keeper.pending(turn_detection=True) == b""


def test_the_keeper_is_bounded() -> None:
    keeper = InputAudioKeeper(48000, max_bytes=48000)  # 1 s
    keeper.mark()
    keeper.appended(pcm(3000), turn_detection=False)
    assert len(keeper.pending(turn_detection=False)) <= 48000 * 5 // 4
    for n in range(5):
        keeper.appended(pcm(400), turn_detection=False)
        keeper.committed(f"item_{n}")
    assert keeper.audio_of("item_0") is None
    assert keeper.audio_of("item_1") is None
    assert keeper.audio_of("item_4") == pcm(400)
    assert keeper.kept_bytes <= 48000 + 48000 * 5 // 4
    # Silence between turns detected by the service: only its end is kept.
    idle = InputAudioKeeper(48000, max_bytes=48000 * 30)
    for _ in range(50):
        idle.appended(b"\x00\x00" * 2400, turn_detection=True)
    assert idle.kept_bytes <= IDLE_KEPT_MS * 48 * 5 // 4
    # A keeper of nothing keeps nothing.
    none = InputAudioKeeper(48000, max_bytes=0)
    none.appended(pcm(100), turn_detection=False)
    none.committed("item_x")
    assert none.kept_bytes == 0
    assert none.audio_of("item_x") is None


# --------------------------------------------------------------------------------------------------- the core


def keeping_driver(*, server_turn_detection: bool = True) -> CoreDriver:
    driver = CoreDriver(server_turn_detection=server_turn_detection)
    driver.core.keeper = InputAudioKeeper(48000, max_bytes=48000 * 30)
    return driver


def test_a_response_cut_by_the_loss_ends_interrupted_and_is_replayed_as_far_as_heard() -> None:
    driver = keeping_driver()
    core = driver.core
    driver.run(core.text_turn("tell me a story")[1])
    driver.event(
        "conversation.item.added",
        previous_item_id=None,
        item={
            "id": "item_u",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "tell me a story"}],
        },
    )
    driver.response_created("resp_1")
    driver.assistant_item("resp_1", "item_a", "item_u")
    driver.event(
        "response.output_audio_transcript.delta",
        response_id="resp_1",
        item_id="item_a",
        output_index=0,
        content_index=0,
        delta="once upon a time there was a dragon",
    )
    driver.audio_delta("resp_1", "item_a", pcm(2000))
    driver.clock.advance(1.0)  # one second of it played
    effects = driver.run(core.connection_lost("the service closed the connection (1006)"))
    assert core.machine.state is SessionState.CONNECTING
    assert not any(isinstance(effect, Send) for effect in effects)
    (interruption,) = [args[0] for args in driver.emitted("interrupted")]
    assert (interruption.source, interruption.item_id, interruption.audio_end_ms) == ("connection", "item_a", 1000)
    assert interruption.reason == "the service closed the connection (1006)"
    assert not interruption.cancelled
    (outcome,) = driver.finished()
    assert outcome.interruption is interruption
    assert outcome.status == "cancelled"
    assert not driver.playback.is_playing
    cut = core.conversation.get("item_a")
    assert cut is not None
    assert (cut.status, cut.truncated_at_ms) == ("incomplete", 1000)  # ended unfinished, as a cancel leaves it
    # While offline nothing is sent: a typed turn waits for the restore.
    driver.run(core.text_turn("and then?")[1])
    assert driver.sent_types() == ["conversation.item.create", "response.create"]  # nothing more
    effects = driver.run(core.restore(assistant_text_type="text", barrier={}))
    items = [e["item"] for e in driver.sent[2:] if e["type"] == "conversation.item.create"]
    assert items == [
        {
            "id": "item_u",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "tell me a story"}],
        },
        {
            "id": "item_a",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "once upon a time"}],
        },
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "and then?"}]},
    ]
    assert driver.sent_types()[-1] == "response.create"  # the waiting turn is answered after the history


def test_an_unanswered_turn_is_answered_after_the_restore_and_its_audio_replayed() -> None:
    """The user's item was committed, its answer asked for, the connection lost before the response began."""
    driver = keeping_driver()
    core = driver.core
    driver.core.sent({"type": "input_audio_buffer.append", "audio": b"\x00\x00" * 4800 + pcm(900)})
    driver.event("input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_u")
    driver.event("input_audio_buffer.speech_stopped", audio_end_ms=1000, item_id="item_u")
    driver.committed("item_u", None)
    driver.event(
        "conversation.item.added",
        previous_item_id=None,
        item={"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_audio"}]},
    )
    assert driver.sent_types() == ["response.create"]
    driver.run(core.connection_lost("dropped"))
    assert driver.emitted("interrupted") == []  # nothing was being said
    driver.run(core.restore(assistant_text_type="output_text", barrier={}))
    assert driver.sent_types() == ["response.create", "conversation.item.create", "response.create"]
    replayed = driver.sent[1]["item"]
    assert replayed["id"] == "item_u"
    assert replayed["content"] == [
        {"type": "input_audio", "audio": (b"\x00\x00" * 4800 + pcm(900))[100 * 48 : 1000 * 48]}
    ]
    # The service's copy of the replayed item changes nothing in the mirror.
    driver.event(
        "conversation.item.added",
        previous_item_id=None,
        item={"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "?"}]},
    )
    item = core.conversation.get("item_u")
    assert item is not None
    assert item.parts[0].type == "input_audio"


def test_a_turn_being_ended_is_ended_again_with_its_audio() -> None:
    """respond() had sent its audio and its barrier when the connection dropped: the new connection gets the audio
    again, then a new barrier, then the turn is answered."""
    driver = keeping_driver()
    core = driver.core
    number, effects = core.open_turn()
    driver.run(effects)
    driver.core.sent({"type": "input_audio_buffer.append", "audio": pcm(700)})
    driver.run(core.end_turn(number, {}))
    assert driver.sent_types() == ["session.update"]
    driver.run(core.connection_lost("dropped"))
    driver.run(core.restore(assistant_text_type="text", barrier={}, gap_audio=pcm(100)))
    assert driver.sent_types() == [
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.append",
        "session.update",
    ]
    assert b"".join(e["audio"] for e in driver.sent[1:3]) == pcm(700) + pcm(100)
    driver.committed("item_u", None)
    driver.session_updated()  # the new barrier's answer: all committed, the rest cleared, then the answer
    assert driver.sent_types()[-2:] == ["input_audio_buffer.clear", "response.create"]


def test_a_tool_that_returns_while_offline_has_its_output_replayed_after_its_call() -> None:
    driver = keeping_driver()
    core = driver.core
    driver.run(core.text_turn("weather?")[1])
    user = {"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "weather?"}]}
    driver.event("conversation.item.added", previous_item_id=None, item=user)
    driver.response_created("resp_1")
    call = {"id": "item_call", "type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}
    driver.event("response.output_item.added", response_id="resp_1", output_index=0, item=call)
    driver.event("conversation.item.added", previous_item_id="item_u", item=call)
    driver.response_done("resp_1", output=[call])
    driver.run(core.connection_lost("dropped"))
    effects = driver.run(core.tools_done(1, [ToolCallRecord("call_1", "get_weather", "{}", "sunny")]))
    assert not any(isinstance(effect, Send) for effect in effects)
    driver.run(core.restore(assistant_text_type="text", barrier={}))
    items = [e["item"] for e in driver.sent if e["type"] == "conversation.item.create"]
    assert [item.get("type") for item in items][-3:] == ["message", "function_call", "function_call_output"]
    assert items[-1] == {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
    assert driver.sent_types()[-1] == "response.create"


def test_the_core_is_quiet_only_between_turns() -> None:
    driver = keeping_driver()
    core = driver.core
    assert core.quiet
    driver.run(core.text_turn("hi")[1])
    assert not core.quiet
    driver.response_created("resp_1")
    driver.response_done("resp_1")
    assert core.quiet
    driver.event("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_x")
    assert not core.quiet
    driver.run(core.connection_lost("renewal"))
    assert not core.quiet  # offline


def test_a_closed_session_after_a_loss_fails_what_waits() -> None:
    driver = keeping_driver()
    core = driver.core
    number, _ = core.text_turn("hi")
    driver.run(core.connection_lost("dropped"))
    error = SessionClosedError("gave up", code=1006)
    effects = driver.run(core.closed(error, by_user=False))
    assert driver.failed() == [(number, error)]
    assert core.machine.state is SessionState.DISCONNECTED
    assert [e for e in effects if isinstance(e, Emit) and e.name == "error"]
    assert not [e for e in effects if isinstance(e, TurnFinished)]


# --------------------------------------------------------------------------------------------------- the attempts


async def test_attempts_back_off_tell_each_and_stop_on_what_is_not_retried() -> None:
    policy = ReconnectPolicy(max_attempts=4, initial_delay=0.5, jitter=0.0)
    told: list[tuple[int, float, int | None, str]] = []
    slept: list[float] = []
    failures: list[BaseException] = [ConnectionError("refused"), HandshakeError("HTTP 503", 503)]

    async def attempt() -> None:
        if failures:
            raise failures.pop(0)

    async def tell(*args: Any) -> None:
        told.append(args)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    attempts = Attempts()
    restored, last = await run_attempts(
        policy, attempts, code=1006, reason="dropped", attempt=attempt, tell=tell, random=lambda: 0.0, sleep=sleep
    )
    assert (restored, last) == (True, None)
    assert slept == [0.5, 1.0, 2.0]
    assert told[0] == (1, 0.5, 1006, "dropped")
    assert told[1][2:] == (None, "refused")  # the latest failure is told
    assert attempts.count == 3  # carried to the next reconnect unless the connection lasts
    # A refusal that will not change is not retried.
    failures.append(HandshakeError("HTTP 401", 401))
    restored, last = await run_attempts(
        policy, attempts, code=1006, reason="dropped", attempt=attempt, tell=tell, random=lambda: 0.0, sleep=sleep
    )
    assert not restored
    assert isinstance(last, HandshakeError)
    assert attempts.count == 4
    # No attempt left: the session ends with the close that started it.
    restored, last = await run_attempts(
        policy, attempts, code=1001, reason="going away", attempt=attempt, tell=tell, random=lambda: 0.0, sleep=sleep
    )
    assert (restored, last) == (False, None)
    cause = SessionClosedError("the service closed the connection (1001)", code=1001, reason="going away")
    error = gave_up(cause, last, attempts.count)
    assert (error.code, error.reason) == (1001, "going away")
    assert "gave up reconnecting after 4 attempts" in str(error)
    attempts.connected_at = 0.0
    attempts.reset_if_lasted(100.0, policy, 10.0)
    assert attempts.count == 0


def test_an_utterance_stays_whole_until_the_service_commits_it() -> None:
    keeper = InputAudioKeeper(48000, max_bytes=48000 * 30)
    stream = b"\x00\x00" * 12000 + pcm(4000) + b"\x00\x00" * 72000  # 0.5 s silence, 4 s speech, 3 s silence
    keeper.appended(stream[: 500 * 48], turn_detection=True)
    keeper.speech_started("item_long", 300)
    keeper.appended(stream[500 * 48 : 4500 * 48], turn_detection=True)
    keeper.speech_stopped("item_long", 4500)
    for start in range(4500 * 48, len(stream), 4800):  # the silence goes on before the commit arrives
        keeper.appended(stream[start : start + 4800], turn_detection=True)
    keeper.committed("item_long")
    assert keeper.audio_of("item_long") == stream[300 * 48 : 4500 * 48]


def test_a_response_that_had_said_nothing_is_asked_for_again() -> None:
    """Created, an item announced, no word and no sound yet: the turn is still unanswered, not interrupted."""
    driver = keeping_driver()
    core = driver.core
    number, effects = core.text_turn("hello")
    driver.run(effects)
    user = {"id": "item_u", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]}
    driver.event("conversation.item.added", previous_item_id=None, item=user)
    driver.response_created("resp_1")
    driver.assistant_item("resp_1", "item_empty", "item_u")
    driver.run(core.connection_lost("dropped"))
    assert driver.emitted("interrupted") == []
    assert driver.finished() == []
    assert "item_empty" not in core.conversation
    driver.run(core.restore(assistant_text_type="text", barrier={}))
    assert driver.sent_types()[-2:] == ["conversation.item.create", "response.create"]
    driver.response_created("resp_2")
    driver.response_done("resp_2")
    (outcome,) = driver.finished()
    assert outcome.turn == number
    assert outcome.response_ids == ("resp_2",)
    assert outcome.interruption is None
