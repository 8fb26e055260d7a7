"""The voice core with plain values: the orders of events that break a session following "the latest event"."""

from __future__ import annotations

import pytest
from voice.core_support import CoreDriver, pcm

from pyagent.voice._bargein import Interruption
from pyagent.voice._core import RequestDone, RunTools, TurnEnded, TurnInterrupted, TurnMerged
from pyagent.voice._results import ToolCallRecord
from pyagent.voice._states import SessionState
from pyagent.voice.errors import ResponseError, SessionClosedError

# --------------------------------------------------------------------------------------------------- 1. barge-in


def two_item_answer(driver: CoreDriver) -> int:
    """A typed turn answered by one response with two audio items, A then B, 2 s each, all received."""
    number, effects = driver.core.text_turn("tell me two things")
    driver.run(effects)
    driver.event(
        "conversation.item.added",
        previous_item_id=None,
        item={"id": "item_user", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]},
    )
    driver.response_created("resp_1")
    driver.assistant_item("resp_1", "item_a", "item_user", 0)
    driver.audio_delta("resp_1", "item_a", pcm(2000))
    driver.item_done("resp_1", "item_a")
    driver.assistant_item("resp_1", "item_b", "item_a", 1)
    driver.audio_delta("resp_1", "item_b", pcm(2000))
    driver.item_done("resp_1", "item_b")
    return number


def test_barge_in_cuts_the_item_being_heard_and_deletes_the_unheard() -> None:
    driver = CoreDriver()
    two_item_answer(driver)
    driver.response_done("resp_1")
    driver.clock.advance(1.0)  # the user heard 1.0 s of A
    driver.event("input_audio_buffer.speech_started", audio_start_ms=5000, item_id="item_next")
    truncate = driver.last_sent("conversation.item.truncate")
    assert (truncate["item_id"], truncate["content_index"], truncate["audio_end_ms"]) == ("item_a", 0, 1000)
    assert [e["item_id"] for e in driver.sent if e["type"] == "conversation.item.delete"] == ["item_b"]
    assert "response.cancel" not in driver.sent_types()  # the response was done: nothing to cancel
    assert driver.emitted("interrupted") == [
        (Interruption("server", "resp_1", "item_a", 1000, cancelled=False, deleted_item_ids=("item_b",)),)
    ]
    assert not driver.playback.is_playing
    # The service confirms: the mirror says what the model now remembers.
    driver.event("conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=1000)
    driver.event("conversation.item.deleted", item_id="item_b")
    conversation = driver.core.conversation
    assert [item.id for item in conversation.ordered()] == ["item_user", "item_a"]
    assert conversation.snapshot(conversation.ordered()[1]).truncated_at_ms == 1000


def test_barge_in_while_the_response_is_active_cancels_only_when_the_service_did_not() -> None:
    for source_is_service, cancels in ((True, False), (False, True)):
        driver = CoreDriver()
        number = two_item_answer(driver)
        driver.clock.advance(2.5)  # A whole, 0.5 s of B
        if source_is_service:
            driver.event("input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_u2")
        else:
            driver.run(driver.core.interrupt("user")[1])
        assert ("response.cancel" in driver.sent_types()) is cancels
        truncate = driver.last_sent("conversation.item.truncate")
        # A was complete and heard whole: only B, still on its way, is cut (at 500 ms).
        assert (truncate["item_id"], truncate["audio_end_ms"]) == ("item_b", 500)
        assert "conversation.item.delete" not in driver.sent_types()
        # Late audio of the interrupted response is not the user's.
        driver.audio_delta("resp_1", "item_b", pcm(500))
        assert driver.playback.received_ms("item_b", 0) == 2000
        driver.response_done("resp_1", "cancelled")
        (outcome,) = driver.finished()
        assert outcome.turn == number
        assert outcome.status == "cancelled"
        assert outcome.interruption is not None
        assert outcome.interruption.item_id == "item_b"
        assert outcome.item_ids == ("item_a", "item_b")


def test_a_filler_still_playing_when_the_answer_after_a_tool_call_arrives() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("weather in paris?")
    driver.run(effects)
    driver.response_created("resp_1")
    driver.assistant_item("resp_1", "item_filler", None, 0)
    driver.audio_delta("resp_1", "item_filler", pcm(2000))
    driver.item_done("resp_1", "item_filler")
    call = {"id": "item_call", "type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}
    driver.response_done("resp_1", output=[{"id": "item_filler", "type": "message", "role": "assistant"}, call])
    (run,) = [effect for effect in driver.effects if isinstance(effect, RunTools)]
    assert [c.name for c in run.calls] == ["get_weather"]
    driver.run(driver.core.tools_done(number, [ToolCallRecord("call_1", "get_weather", "{}", "sunny")]))
    assert driver.sent_types()[-2:] == ["conversation.item.create", "response.create"]
    driver.response_created("resp_2")
    driver.assistant_item("resp_2", "item_answer", "item_call", 0)
    driver.audio_delta("resp_2", "item_answer", pcm(2000))
    driver.clock.advance(1.0)  # the user has heard 1.0 s of the filler, none of the answer
    driver.event("input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_u2")
    truncate = driver.last_sent("conversation.item.truncate")
    assert (truncate["item_id"], truncate["audio_end_ms"]) == ("item_filler", 1000)
    assert [e["item_id"] for e in driver.sent if e["type"] == "conversation.item.delete"] == ["item_answer"]
    (interruption,) = driver.emitted("interrupted")
    assert interruption[0].item_id == "item_filler"
    assert interruption[0].response_id == "resp_2"


def test_an_item_announced_with_no_audio_yet_is_deleted_too() -> None:
    driver = CoreDriver()
    two_item_answer(driver)
    driver.assistant_item("resp_1", "item_c", "item_b", 2)  # announced, no audio arrived
    driver.clock.advance(0.3)
    driver.run(driver.core.interrupt()[1])
    assert [e["item_id"] for e in driver.sent if e["type"] == "conversation.item.delete"] == ["item_b", "item_c"]


def test_nothing_to_interrupt() -> None:
    driver = CoreDriver()
    interrupted, effects = driver.core.interrupt()
    assert (interrupted, effects) == (False, [])


# --------------------------------------------------------------------------------------------------- 2. transcripts


def test_transcripts_belong_to_their_item_whenever_they_arrive() -> None:
    driver = CoreDriver()
    # Turn 1: the service's detector ends it; its transcript comes after its answer.
    driver.event("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u1")
    driver.event("input_audio_buffer.speech_stopped", audio_end_ms=1200, item_id="item_u1")
    driver.committed("item_u1", None)
    driver.response_created("resp_1")
    driver.assistant_item("resp_1", "item_a1", "item_u1")
    driver.audio_delta("resp_1", "item_a1", pcm(400))
    driver.transcript_done("resp_1", "item_a1", "First answer.")
    driver.response_done("resp_1")
    # Turn 2 starts; turn 1's transcript arrives late, turn 2's during response 2.
    driver.run(driver.core.settle())
    driver.event("input_audio_buffer.speech_started", audio_start_ms=3000, item_id="item_u2")
    driver.event("input_audio_buffer.speech_stopped", audio_end_ms=3900, item_id="item_u2")
    driver.committed("item_u2", "item_a1")
    driver.user_transcript("item_u1", "what is the weather")
    driver.response_created("resp_2")
    driver.user_transcript("item_u2", "and tomorrow")
    driver.assistant_item("resp_2", "item_a2", "item_u2")
    driver.transcript_done("resp_2", "item_a2", "Rain.")
    driver.response_done("resp_2")
    first, second = driver.finished()
    assert first.input_transcript == ""  # not known when the answer was complete
    assert second.input_transcript == "and tomorrow"  # turn 2's words, never turn 1's
    assert (first.transcript, second.transcript) == ("First answer.", "Rain.")
    assert ("what is the weather", "user", "item_u1") in driver.emitted("transcript_available")
    assert ("Rain.", "assistant", "item_a2") in driver.emitted("transcript_available")
    items = {item.id: driver.core.conversation.snapshot(item) for item in driver.core.conversation.ordered()}
    assert items["item_u1"].transcript == "what is the weather"
    assert items["item_u1"].audio_ms == 1200
    assert [item.id for item in driver.core.conversation.ordered()] == ["item_u1", "item_a1", "item_u2", "item_a2"]


def test_a_transcript_before_its_item_lands_on_the_item() -> None:
    """Voice Live sends a user item's transcript before conversation.item.created."""
    driver = CoreDriver()
    driver.committed("item_u1", None)
    driver.user_transcript("item_u1", "hello")
    driver.event(
        "conversation.item.created",
        previous_item_id=None,
        item={"id": "item_u1", "type": "message", "role": "user", "content": [{"type": "input_audio"}]},
    )
    driver.response_created("resp_1")
    driver.response_done("resp_1")
    (outcome,) = driver.finished()
    assert outcome.input_transcript == "hello"
    assert outcome.input_item_ids == ("item_u1",)


# --------------------------------------------------------------------------------------------------- 3. one turn


def test_a_caller_turn_cut_at_its_pauses_is_answered_once() -> None:
    driver = CoreDriver()
    number, effects = driver.core.open_turn()
    driver.run(effects)
    # While the audio goes out, the service's detector cuts it at two pauses.
    for index, (start, end) in enumerate(((0, 1500), (3000, 4200))):
        item_id = f"item_u{index}"
        driver.event("input_audio_buffer.speech_started", audio_start_ms=start, item_id=item_id)
        driver.event("input_audio_buffer.speech_stopped", audio_end_ms=end, item_id=item_id)
        driver.committed(item_id, f"item_u{index - 1}" if index else None)
    assert "response.create" not in driver.sent_types()
    driver.run(driver.core.end_turn(number, {"type": "realtime"}))
    assert driver.sent_types()[-1] == "session.update"  # the barrier
    driver.session_updated()
    assert driver.sent_types()[-2:] == ["input_audio_buffer.clear", "response.create"]
    assert TurnEnded(number) in driver.effects
    driver.user_transcript("item_u0", "what is the weather")
    driver.user_transcript("item_u1", "in paris")
    driver.response_created("resp_1")
    driver.response_done("resp_1")
    (outcome,) = driver.finished()
    assert outcome.input_item_ids == ("item_u0", "item_u1")
    assert outcome.input_transcript == "what is the weather in paris"
    assert driver.sent_types().count("response.create") == 1
    assert "response.cancel" not in driver.sent_types()


def test_a_caller_turn_still_in_speech_at_the_barrier_is_committed() -> None:
    driver = CoreDriver()
    number, effects = driver.core.open_turn()
    driver.run(effects)
    driver.run([*driver.core.end_turn(number, {})])
    driver.event("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u0")
    driver.session_updated()
    assert driver.sent_types()[-2:] == ["input_audio_buffer.commit", "response.create"]
    driver.committed("item_u0", None)
    driver.response_created("resp_1")
    driver.response_done("resp_1")
    assert driver.finished()[0].input_item_ids == ("item_u0",)


def test_an_empty_caller_turn_after_streamed_speech_is_the_streamed_turn() -> None:
    driver = CoreDriver()
    driver.event("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_u0")
    driver.event("input_audio_buffer.speech_stopped", audio_end_ms=900, item_id="item_u0")
    driver.committed("item_u0", None)  # the detector ended a streamed turn: it is answered
    assert driver.sent_types() == ["response.create"]
    number, effects = driver.core.open_turn()
    driver.run(effects)
    driver.run(driver.core.end_turn(number, {}))
    driver.session_updated()
    assert TurnMerged(number, 1) in driver.effects
    assert driver.sent_types().count("response.create") == 1


def test_without_turn_detection_the_caller_commits() -> None:
    driver = CoreDriver(server_turn_detection=False)
    number, effects = driver.core.open_turn()
    driver.run(effects)
    driver.run([])
    driver.core.sent({"type": "input_audio_buffer.append", "audio": pcm(700)})
    driver.run(driver.core.end_turn(number, {}))
    assert driver.sent_types() == ["input_audio_buffer.commit", "response.create"]
    driver.committed("item_u0", None)
    assert driver.core.conversation.snapshot(driver.core.conversation.ordered()[0]).audio_ms == 700


def test_audio_told_without_the_event_counts_as_an_append() -> None:
    # The session sends its audio as typed events and tells the core only their length.
    driver = CoreDriver(server_turn_detection=False)
    number, effects = driver.core.open_turn()
    driver.run(effects)
    driver.core.sent_audio(pcm(300))
    driver.core.sent({"type": "input_audio_buffer.append", "audio": pcm(400)})
    driver.run(driver.core.end_turn(number, {}))
    driver.committed("item_u0", None)
    assert driver.core.conversation.snapshot(driver.core.conversation.ordered()[0]).audio_ms == 700


def test_turns_are_answered_one_at_a_time_and_tool_answers_first() -> None:
    driver = CoreDriver()
    first, effects = driver.core.text_turn("one")
    driver.run(effects)
    second, effects = driver.core.text_turn("two")
    driver.run(effects)
    assert driver.sent_types().count("response.create") == 1
    driver.response_created("resp_1")
    call = {"id": "item_call", "type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    driver.response_done("resp_1", output=[call])
    assert driver.sent_types().count("response.create") == 1  # tools run: turn two still waits
    driver.run(driver.core.tools_done(first, [ToolCallRecord("c1", "f", "{}", "ok")]))
    driver.response_created("resp_2")  # the tool's answer, before turn two's
    driver.response_done("resp_2")
    driver.response_created("resp_3")
    driver.response_done("resp_3")
    outcomes = driver.finished()
    assert [(o.turn, o.response_ids) for o in outcomes] == [(first, ("resp_1", "resp_2")), (second, ("resp_3",))]


# --------------------------------------------------------------------------------------------------- 4. outcomes


def test_an_error_without_event_id_fails_the_pending_request_and_the_next_turn_works() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("hello")
    driver.run(effects)
    driver.event(
        "error",
        error={"type": "server_error", "code": "server_error", "message": "The server had an error", "event_id": None},
    )
    ((turn, error),) = driver.failed()
    assert turn == number
    assert isinstance(error, ResponseError)
    assert (error.code, str(error)) == ("server_error", "The server had an error")
    following, effects = driver.core.text_turn("again")
    driver.run(effects)
    assert driver.sent_types().count("response.create") == 2
    driver.response_created("resp_2")
    driver.response_done("resp_2")
    assert driver.finished()[0].turn == following


def test_an_error_naming_the_request_fails_it() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("hello")
    driver.run(effects)
    create = driver.last_sent("response.create")
    driver.event(
        "error", error={"type": "invalid_request_error", "code": "bad", "message": "no", "event_id": create["event_id"]}
    )
    assert [turn for turn, _ in driver.failed()] == [number]


def test_a_server_error_during_a_response_fails_it() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("hello")
    driver.run(effects)
    driver.response_created("resp_1")
    driver.event("error", error={"type": "server_error", "message": "boom"})
    assert [turn for turn, _ in driver.failed()] == [number]
    assert driver.last_sent("response.cancel")["response_id"] == "resp_1"
    driver.audio_delta("resp_1", "item_x", pcm(100))  # whatever still comes of it is dropped
    assert driver.playback.received_ms("item_x", 0) == 0


def test_an_error_naming_no_request_is_told() -> None:
    driver = CoreDriver()
    driver.event("error", error={"type": "invalid_request_error", "code": "x", "message": "about nothing of ours"})
    ((error,),) = driver.emitted("error")
    assert str(error) == "about nothing of ours"


def test_a_session_update_is_answered_or_refused() -> None:
    driver = CoreDriver()
    send = driver.core.session_update({"instructions": "x"})
    driver.run([send])
    event_id = send.event["event_id"]
    driver.event("error", error={"type": "invalid_request_error", "code": "invalid_value", "event_id": event_id})
    refused = [effect for effect in driver.effects if isinstance(effect, RequestDone)]
    assert len(refused) == 1
    assert isinstance(refused[0].error, ResponseError)
    send = driver.core.session_update({})
    driver.run([send])
    driver.session_updated()
    assert RequestDone(send.event["event_id"], None) in driver.effects


# --------------------------------------------------------------------------------------------------- 5, 6. closes


def test_a_close_ends_every_wait_and_tells_once() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("hello")
    driver.run(effects)
    driver.run([driver.core.session_update({})])
    driver.event(
        "error",
        error={"type": "invalid_request_error", "code": "session_expired", "message": "maximum duration reached"},
    )
    assert driver.emitted("error") == []  # told with the close that follows
    closed = SessionClosedError("the service closed the connection (1001)", code=1001, reason="going away")
    effects = driver.run(driver.core.closed(closed, by_user=False))
    assert driver.core.machine.state is SessionState.DISCONNECTED
    ((turn, error),) = driver.failed()
    assert turn == number
    assert isinstance(error, SessionClosedError)
    assert (error.code, error.service_error.code if error.service_error else None) == (1001, "session_expired")
    assert "maximum duration reached" in str(error)
    assert driver.emitted("error") == [(error,)]
    assert any(isinstance(effect, RequestDone) and effect.error is error for effect in effects)


def test_an_error_that_no_close_follows_is_told_with_the_next_event() -> None:
    driver = CoreDriver()
    driver.event("error", error={"type": "invalid_request_error", "code": "session_expired", "message": "soon"})
    driver.event("rate_limits.updated", rate_limits=[])
    assert [str(args[0]) for args in driver.emitted("error")] == ["soon"]


@pytest.mark.parametrize("by_user", [True, False])
def test_closing_idle(by_user: bool) -> None:
    driver = CoreDriver()
    closed = SessionClosedError("closed", code=1000 if by_user else 4001, reason="")
    driver.run(driver.core.closed(closed, by_user=by_user))
    assert driver.core.closed_error is (None if by_user else closed)
    assert driver.emitted("error") == ([] if by_user else [(closed,)])


# --------------------------------------------------------------------------------------------------- timings


def test_a_turns_moments_are_stamped_with_the_time_it_is_told() -> None:
    driver = CoreDriver()
    core = driver.core
    driver.run(core.receive("input_audio_buffer.speech_started", {"audio_start_ms": 0, "item_id": "u1"}, now=10.0))
    driver.run(core.receive("input_audio_buffer.speech_stopped", {"audio_end_ms": 900, "item_id": "u1"}, now=11.0))
    driver.run(core.receive("input_audio_buffer.committed", {"item_id": "u1", "previous_item_id": None}, now=11.02))
    created = {"response": {"id": "resp_1", "status": "in_progress"}}
    driver.run(core.receive("response.created", created, now=11.25))
    delta = {"response_id": "resp_1", "item_id": "a1", "output_index": 0, "content_index": 0, "delta": pcm(100)}
    driver.run(core.receive("response.output_audio.delta", delta, now=11.5))
    driver.run(core.receive("response.output_audio.delta", delta, now=11.9))
    call = {"id": "c", "type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
    driver.run(
        core.receive("response.done", {"response": {"id": "resp_1", "status": "completed", "output": [call]}}, now=12.0)
    )
    driver.run(core.tools_done(1, [ToolCallRecord("call_1", "f", "{}", "ok")], now=12.4))
    driver.run(core.receive("response.created", {"response": {"id": "resp_2"}}, now=12.6))
    driver.run(core.receive("response.done", {"response": {"id": "resp_2", "status": "completed"}}, now=13.0))
    (outcome,) = driver.finished()
    timings = outcome.timings
    assert (timings.speech_ended, timings.response_created, timings.first_audio, timings.last_audio) == (
        11.0,
        11.25,
        11.5,
        11.9,
    )
    assert timings.response_done == 13.0
    assert (timings.response_latency_ms, timings.first_audio_latency_ms, timings.audio_ms) == (250, 500, 400)
    assert (timings.duration_ms, timings.tools_ms, timings.heard_ms, timings.interrupted) == (2000, 400, None, None)


def test_a_barge_in_is_stamped_with_what_was_heard() -> None:
    driver = CoreDriver()
    number, effects = driver.core.text_turn("hello", now=5.0)
    driver.run(effects)
    driver.run(driver.core.receive("response.created", {"response": {"id": "resp_1"}}, now=5.2))
    delta = {"response_id": "resp_1", "item_id": "a1", "output_index": 0, "content_index": 0, "delta": pcm(1000)}
    driver.run(driver.core.receive("response.output_audio.delta", delta, now=5.3))
    driver.clock.advance(0.3)
    driver.run(driver.core.interrupt(now=5.6)[1])
    driver.run(driver.core.receive("response.done", {"response": {"id": "resp_1", "status": "cancelled"}}, now=5.7))
    (outcome,) = driver.finished()
    assert outcome.turn == number
    assert (outcome.timings.speech_ended, outcome.timings.interrupted, outcome.timings.heard_ms) == (5.0, 5.6, 300)
    assert outcome.timings.to_dict()["heard_ms"] == 300


def test_cutting_an_answer_already_complete_says_so_for_that_turn() -> None:
    driver = CoreDriver()
    number = two_item_answer(driver)
    driver.response_done("resp_1")
    (outcome,) = driver.finished()
    assert outcome.interruption is None  # handed over complete
    driver.clock.advance(0.5)
    driver.run(driver.core.interrupt()[1])
    (late,) = [effect for effect in driver.effects if isinstance(effect, TurnInterrupted)]
    assert late.turn == number
    assert (late.interruption.item_id, late.interruption.audio_end_ms) == ("item_a", 500)
