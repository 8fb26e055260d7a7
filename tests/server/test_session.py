"""The protocol state machine on plain values: frames in, events and jobs out, time from a manual clock."""

from __future__ import annotations

import base64
import json
import math
import random
from typing import Any

import pytest

from pyagent.audio import ManualClock
from pyagent.realtime.codec import encode_client_event, encode_server_event
from pyagent.realtime.dialects import AZURE_OPENAI, OPENAI, VOICELIVE, Dialect
from pyagent.server import EchoResponder, Reply, ResponderContext, ToolCall
from pyagent.server._session import _BASE62, RecognizeJob, RespondJob, ServerSession, SynthesizeJob, new_id
from pyagent.server._speech import DurationRecognizer, ToneSynthesizer

from .conftest import WEATHER_TOOL


class Driver:
    """Runs a session's jobs at once with the fallback engines, as the I/O layer would, and collects its events."""

    def __init__(self, dialect: Dialect = OPENAI, *, realtime_factor: float = math.inf, **kwargs: Any) -> None:
        self.clock = ManualClock()
        self.session = ServerSession(
            dialect, clock=self.clock, realtime_factor=realtime_factor, rng=random.Random(1), **kwargs
        )
        self.responder: Any = EchoResponder()
        self.contexts: list[ResponderContext] = []  # what the responder was given, response by response
        self.events: list[dict[str, Any]] = []
        self.held: list[Any] = []
        self.hold_synthesis = False
        self.session.start()
        self.pump()

    def send(self, event: dict[str, Any], *, unchecked: bool = False) -> list[dict[str, Any]]:
        """Send through the codec, or as plain JSON (``unchecked``) for what the codec would refuse to send."""
        self.session.receive(json.dumps(event) if unchecked else encode_client_event(event))
        return self.pump()

    def pump(self) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        while True:
            events = self.session.take_events()
            for event in events:
                encode_server_event(event)  # every event fits the codec's schema
            new.extend(events)
            jobs = self.session.take_jobs()
            if not jobs:
                break
            for job in jobs:
                if isinstance(job, RecognizeJob):
                    self.session.recognized(job.item_id, DurationRecognizer().recognize(job.pcm16, job.sample_rate))
                elif isinstance(job, RespondJob):
                    self.contexts.append(job.context)
                    self.session.replied(job.response_id, self.responder(job.context))
                elif isinstance(job, SynthesizeJob) and self.hold_synthesis:
                    self.held.append(job)
                else:
                    assert isinstance(job, SynthesizeJob)
                    self.session.synthesized(job.response_id, job.item_id, ToneSynthesizer().synthesize(job.text))
        self.events.extend(new)
        return new

    def advance(self, seconds: float) -> list[dict[str, Any]]:
        self.clock.advance(seconds)
        self.session.tick()
        return self.pump()


def user_text(text: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]},
    }


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def test_session_created_first_with_the_dialect_shape() -> None:
    ga = Driver(OPENAI).events[0]
    assert ga["type"] == "session.created"
    assert ga["session"]["object"] == "realtime.session"
    assert ga["session"]["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    beta = Driver(AZURE_OPENAI).events[0]["session"]
    assert beta["input_audio_format"] == "pcm16"
    assert beta["turn_detection"]["silence_duration_ms"] == 200
    voicelive = Driver(VOICELIVE).events[0]["session"]
    assert voicelive["voice"]["type"] == "azure-standard"
    assert voicelive["input_audio_sampling_rate"] == 24000
    assert voicelive["agent"] is None
    transcription = Driver(AZURE_OPENAI, transcription=True).events[0]
    assert transcription["type"] == "transcription_session.created"


def test_ids_repeat_with_the_same_seed() -> None:
    assert Driver().events == Driver().events


def test_ids_are_the_characters_random_choice_picks() -> None:
    """Recorded sessions replay with their seed: the ids must stay those ``rng.choice`` gave when they were made."""
    ours, reference = random.Random(2026), random.Random(2026)
    for length in (16, 21, 22) * 300:
        expected = "".join(reference.choice(_BASE62) for _ in range(length))
        assert new_id("item", ours, length) == f"item_{expected}"


def test_audio_is_paced_by_the_injected_clock() -> None:
    driver = Driver(realtime_factor=1.0)
    driver.send(user_text("one two three four five six"))
    first = driver.send({"type": "response.create"})
    deltas = [e for e in first if e["type"] == "response.output_audio.delta"]
    assert len(deltas) == 1  # only the first 100 ms are due at once
    deadline = driver.session.next_deadline()
    assert deadline == pytest.approx(0.1)
    assert driver.advance(0.05) == []
    assert kinds(driver.advance(0.05)) == ["response.output_audio.delta"]
    rest = driver.advance(60.0)
    assert rest[-2]["type"] == "response.done"
    assert driver.session.next_deadline() is None


def test_faster_than_real_time() -> None:
    driver = Driver(realtime_factor=4.0)
    driver.send(user_text("one two three"))
    driver.send({"type": "response.create"})
    assert driver.session.next_deadline() == pytest.approx(0.025)


def test_manual_turns_and_session_merge() -> None:
    driver = Driver(AZURE_OPENAI)
    updated = driver.send({"type": "session.update", "session": {"turn_detection": None, "instructions": "Hi."}})
    assert updated[0]["session"]["turn_detection"] is None
    assert updated[0]["session"]["voice"] == "alloy"  # untouched fields stay
    merged = driver.send(
        {"type": "session.update", "session": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 900}}}
    )
    assert merged[0]["session"]["turn_detection"]["silence_duration_ms"] == 900
    again = driver.send(
        {"type": "session.update", "session": {"turn_detection": {"type": "server_vad", "threshold": 0.7}}}
    )
    assert again[0]["session"]["turn_detection"]["silence_duration_ms"] == 900
    assert again[0]["session"]["turn_detection"]["threshold"] == 0.7


def test_only_one_active_response() -> None:
    driver = Driver()
    driver.hold_synthesis = True
    driver.send({"type": "response.create"})
    error = driver.send({"type": "response.create", "event_id": "evt_2"})
    assert error[0]["error"]["code"] == "conversation_already_has_active_response"
    assert error[0]["error"]["event_id"] == "evt_2"


def test_cancel_before_the_reply_arrives_drops_the_late_work() -> None:
    driver = Driver()
    driver.hold_synthesis = True
    driver.send(user_text("hello"))
    driver.send({"type": "response.create"})
    done = driver.send({"type": "response.cancel"})
    assert kinds(done)[:5] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
    ]
    assert done[5]["response"]["status"] == "cancelled"
    job = driver.held.pop()
    driver.session.synthesized(job.response_id, job.item_id, ToneSynthesizer().synthesize(job.text))
    assert driver.pump() == []
    assert driver.advance(10) == []


def test_truncating_the_playing_item_stops_its_audio() -> None:
    driver = Driver(realtime_factor=1.0)
    driver.send(user_text("a long enough sentence to speak for a couple of seconds"))
    first = driver.send({"type": "response.create"})
    item_id = next(e for e in first if e["type"] == "response.output_item.added")["item"]["id"]
    driver.advance(0.35)
    too_far = driver.send(
        {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 5000}
    )
    assert too_far[0]["error"]["param"] == "audio_end_ms"
    events = driver.send(
        {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 250}
    )
    assert events[0]["type"] == "conversation.item.truncated"
    done = events[-2]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["status"] == "incomplete"
    assert driver.advance(10) == []
    retrieved = driver.send({"type": "conversation.item.retrieve", "item_id": item_id})
    assert retrieved[0]["item"]["content"][0]["transcript"] == ""


def test_out_of_band_response_stays_out_of_the_conversation() -> None:
    driver = Driver()
    driver.send(user_text("hello"))
    events = driver.send(
        {
            "type": "response.create",
            "response": {"conversation": "none", "output_modalities": ["text"], "metadata": {"topic": "x"}},
        }
    )
    assert "conversation.item.added" not in kinds(events)
    done = events[-2]["response"]
    assert done["conversation_id"] is None
    assert done["metadata"] == {"topic": "x"}
    assert done["output_modalities"] == ["text"]
    assert [item.id for item in driver.session.items] == [driver.session.items[0].id]


def test_tool_choice_none_keeps_the_tools_out_of_reach() -> None:
    driver = Driver()
    driver.send({"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER_TOOL]}})
    driver.send(user_text("what is the weather in paris"))
    called = driver.send({"type": "response.create"})
    assert "response.function_call_arguments.done" in kinds(called)
    driver.send({"type": "session.update", "session": {"type": "realtime", "tool_choice": "none"}})
    driver.send(user_text("what is the weather in paris"))
    spoken = driver.send({"type": "response.create"})
    assert "response.function_call_arguments.done" not in kinds(spoken)


def test_responder_text_then_tool_calls_in_one_response() -> None:
    driver = Driver(AZURE_OPENAI)
    driver.responder = lambda context: Reply(text="Let me look.", tool_calls=[ToolCall("a"), ToolCall("b", {"x": 1})])
    events = driver.send({"type": "response.create"})
    output = events[-2]["response"]["output"]
    assert [item["type"] for item in output] == ["message", "function_call", "function_call"]
    assert [item.get("name") for item in output] == [None, "a", "b"]
    indexes = [e["output_index"] for e in events if e["type"] == "response.output_item.added"]
    assert indexes == [0, 1, 2]


def test_voice_cannot_change_once_the_assistant_has_spoken() -> None:
    driver = Driver(AZURE_OPENAI)
    assert driver.send({"type": "session.update", "session": {"voice": "verse"}})[0]["type"] == "session.updated"
    driver.send({"type": "response.create"})
    error = driver.send({"type": "session.update", "session": {"voice": "alloy"}})
    assert error[0]["error"]["code"] == "cannot_update_voice"


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"modalities": ["video"]}, "session.modalities"),
        ({"input_audio_format": "opus"}, "session.input_audio_format"),
        ({"turn_detection": {"type": "magic"}}, "session.turn_detection.type"),
        (
            {"turn_detection": {"type": "server_vad", "silence_duration_ms": -1}},
            "session.turn_detection.silence_duration_ms",
        ),
        ({"temperature": 2.0}, "session.temperature"),
        ({"max_response_output_tokens": 0}, "session.max_response_output_tokens"),
        ({"tool_choice": "sometimes"}, "session.tool_choice"),
        ({"tools": [{"type": "function"}]}, "session.tools[0].name"),
    ],
)
def test_invalid_session_values(session: dict[str, Any], param: str) -> None:
    driver = Driver(AZURE_OPENAI)
    before = dict(driver.session.config)
    error = driver.send({"type": "session.update", "session": session}, unchecked=True)
    assert error[0]["type"] == "error"
    assert error[0]["error"]["param"] == param
    assert driver.session.config == before


def test_delete_and_retrieve_unknown_items() -> None:
    driver = Driver()
    for event in (
        {"type": "conversation.item.delete", "item_id": "item_nope"},
        {"type": "conversation.item.retrieve", "item_id": "item_nope"},
        {"type": "conversation.item.truncate", "item_id": "item_nope", "content_index": 0, "audio_end_ms": 0},
    ):
        assert driver.send(event)[0]["error"]["code"] == "item_not_found"


def test_items_with_duplicate_ids_or_bad_roles_are_refused() -> None:
    driver = Driver()
    item = {"id": "item_mine", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "a"}]}
    assert driver.send({"type": "conversation.item.create", "item": item})[0]["item"]["id"] == "item_mine"
    assert driver.send({"type": "conversation.item.create", "item": item})[0]["error"]["code"] == "item_already_exists"


def test_interruption_by_speech(paris_pcm16: bytes) -> None:
    driver = Driver(realtime_factor=1.0)
    driver.send(user_text("a long enough sentence to speak for a couple of seconds"))
    driver.send({"type": "response.create"})
    driver.advance(0.2)
    events: list[dict[str, Any]] = []
    for start in range(0, len(paris_pcm16), 4800):
        events += driver.send({"type": "input_audio_buffer.append", "audio": paris_pcm16[start : start + 4800]})
    order = kinds(events)
    cancelled = next(e for e in events if e["type"] == "response.done")
    assert order.index("input_audio_buffer.speech_started") < order.index("response.done")
    assert cancelled["response"]["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert order.count("response.created") == 1  # the new turn's response
    assert order.index("input_audio_buffer.committed") < order.index("response.created")


def test_interrupt_response_false_lets_the_response_finish(paris_pcm16: bytes) -> None:
    driver = Driver(realtime_factor=1.0)
    driver.send(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "interrupt_response": False}}},
            },
        }
    )
    driver.send(user_text("a long enough sentence to speak for a couple of seconds"))
    driver.send({"type": "response.create"})
    events: list[dict[str, Any]] = []
    for start in range(0, len(paris_pcm16), 4800):
        events += driver.send({"type": "input_audio_buffer.append", "audio": paris_pcm16[start : start + 4800]})
    assert "input_audio_buffer.speech_started" in kinds(events)
    assert "response.done" not in kinds(events)
    assert driver.advance(60)[-2]["response"]["status"] == "completed"


def test_voicelive_explicit_turns(paris_pcm16: bytes) -> None:
    driver = Driver(VOICELIVE)
    driver.send({"type": "session.update", "session": {"turn_detection": None}})
    driver.send({"type": "input_audio.turn.start", "turn_id": "t1"})
    wrong = driver.send({"type": "input_audio.turn.append", "turn_id": "t2", "audio": paris_pcm16[:4800]})
    assert wrong[0]["error"]["param"] == "turn_id"
    for start in range(0, len(paris_pcm16), 4800):
        driver.send({"type": "input_audio.turn.append", "turn_id": "t1", "audio": paris_pcm16[start : start + 4800]})
    events = driver.send({"type": "input_audio.turn.end", "turn_id": "t1"})
    order = kinds(events)
    assert order[0] == "input_audio_buffer.committed"
    assert "response.created" in order
    assert events[-1]["type"] == "response.done"
    driver.send({"type": "input_audio.turn.start", "turn_id": "t2"})
    driver.send({"type": "input_audio.turn.append", "turn_id": "t2", "audio": paris_pcm16[:4800]})
    assert driver.send({"type": "input_audio.turn.cancel", "turn_id": "t2"}) == []
    assert driver.send({"type": "input_audio.clear"})[0]["type"] == "input_audio_buffer.cleared"


def test_voicelive_only_events_elsewhere_are_unknown_and_avatars_unsupported() -> None:
    assert "Supported values" in Driver(OPENAI).send({"type": "input_audio.clear"})[0]["error"]["message"]
    avatar = Driver(VOICELIVE).send({"type": "session.avatar.connect", "client_sdp": "v=0"})
    assert avatar[0]["error"]["code"] == "unsupported_event"


def test_idle_timeout_commits_and_responds_after_the_assistant_finished() -> None:
    driver = Driver(realtime_factor=1.0)
    driver.send(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}},
            },
        }
    )
    driver.send(user_text("hi"))
    driver.send({"type": "response.create"})
    driver.advance(30)  # the answer has been sent and played
    assert driver.session.next_deadline() is not None
    silence = b"\0\0" * 2400
    driver.send({"type": "input_audio_buffer.append", "audio": silence})
    events = driver.advance(5)
    order = kinds(events)
    assert order[0] == "input_audio_buffer.timeout_triggered"
    assert order[1] == "input_audio_buffer.committed"
    assert "response.created" in order
    assert events[0]["audio_end_ms"] >= events[0]["audio_start_ms"]


def test_max_output_tokens_cuts_the_reply_short() -> None:
    driver = Driver()
    driver.send(user_text("one two three four five six seven eight nine ten"))
    events = driver.send({"type": "response.create", "response": {"max_output_tokens": 3}})
    done = events[-2]["response"]
    assert done["status"] == "incomplete"
    assert done["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert len(done["output"][0]["content"][0]["transcript"]) <= 12


def test_a_failed_recognition_is_a_failed_transcription_not_a_failed_turn(paris_pcm16: bytes) -> None:
    driver = Driver(AZURE_OPENAI)
    driver.send({"type": "session.update", "session": {"input_audio_transcription": {"model": "whisper-1"}}})
    driver.send({"type": "session.update", "session": {"turn_detection": None}})
    driver.send({"type": "input_audio_buffer.append", "audio": paris_pcm16})
    driver.session.receive(encode_client_event({"type": "input_audio_buffer.commit"}))
    [job] = [job for job in driver.session.take_jobs() if isinstance(job, RecognizeJob)]
    driver.session.recognition_failed(job.item_id, "The audio could not be transcribed.")
    events = driver.pump()
    failed = next(e for e in events if e["type"] == "conversation.item.input_audio_transcription.failed")
    assert failed["item_id"] == job.item_id
    assert "conversation.item.input_audio_transcription.completed" not in kinds(events)
    assert driver.send({"type": "response.create"})[-2]["response"]["status"] == "completed"


def test_response_create_with_its_own_input_and_instructions() -> None:
    driver = Driver()
    first = driver.send(user_text("first"))[0]["item"]["id"]
    driver.send(user_text("second"))
    driver.send(
        {
            "type": "response.create",
            "response": {
                "instructions": "Only the first.",
                "input": [
                    {"type": "item_reference", "id": first},
                    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "extra"}]},
                ],
            },
        }
    )
    [context] = driver.contexts
    assert context.instructions == "Only the first."
    assert [item["content"][0]["text"] for item in context.items] == ["first", "extra"]
    assert context.transcript == "extra"


def test_changing_the_input_format_drops_audio_buffered_in_the_old_one(paris_pcm16: bytes) -> None:
    driver = Driver(AZURE_OPENAI)
    driver.send({"type": "session.update", "session": {"turn_detection": None}})
    driver.send({"type": "input_audio_buffer.append", "audio": paris_pcm16[:48000]})
    driver.send({"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}})
    error = driver.send({"type": "input_audio_buffer.commit"})
    assert error[0]["error"]["code"] == "input_audio_buffer_commit_empty"


def test_response_create_may_choose_its_own_output_format_and_is_validated() -> None:
    driver = Driver(AZURE_OPENAI)
    driver.send(user_text("hello"))
    events = driver.send({"type": "response.create", "response": {"output_audio_format": "g711_alaw"}})
    alaw = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta")
    assert events[-2]["response"]["output_audio_format"] == "g711_alaw"
    pcm = driver.send({"type": "response.create"})
    pcm16 = b"".join(base64.b64decode(e["delta"]) for e in pcm if e["type"] == "response.audio.delta")
    assert abs(len(alaw) * 6 - len(pcm16)) < 500
    error = driver.send({"type": "response.create", "response": {"temperature": 9}}, unchecked=True)
    assert error[0]["error"]["param"] == "response.temperature"
    assert driver.session.active_response_id is None


def test_voicelive_16_khz_input_is_timed_and_heard_at_its_rate(paris_pcm16: bytes) -> None:
    from pyagent.audio import Resampler

    pcm16k = Resampler(24000, 16000).process(paris_pcm16)
    driver = Driver(VOICELIVE)
    driver.send({"type": "session.update", "session": {"input_audio_sampling_rate": 16000}})
    events: list[dict[str, Any]] = []
    for start in range(0, len(pcm16k), 3200):
        events += driver.send({"type": "input_audio_buffer.append", "audio": pcm16k[start : start + 3200]})
    stopped = next(e for e in events if e["type"] == "input_audio_buffer.speech_stopped")
    reference = Driver(VOICELIVE)
    ref_events: list[dict[str, Any]] = []
    for start in range(0, len(paris_pcm16), 4800):
        ref_events += reference.send({"type": "input_audio_buffer.append", "audio": paris_pcm16[start : start + 4800]})
    ref_stopped = next(e for e in ref_events if e["type"] == "input_audio_buffer.speech_stopped")
    assert abs(stopped["audio_end_ms"] - ref_stopped["audio_end_ms"]) <= 30
    # The fallback recogniser measures the utterance at the session's rate: about the same length both ways.
    heard = next(e for e in events if e["type"] == "response.done")["response"]["output"][0]["content"][0]
    assert heard["transcript"].startswith("I heard: [speech 2.")


def test_a_long_silence_under_vad_does_not_grow_the_buffer() -> None:
    driver = Driver()
    second = b"\0\0" * 24000
    for _ in range(40):
        driver.send({"type": "input_audio_buffer.append", "audio": second})
    assert len(driver.session._buffer) <= 31 * 48000


def test_ga_session_update_makes_a_transcription_session(paris_pcm16: bytes) -> None:
    driver = Driver(OPENAI)
    updated = driver.send(
        {
            "type": "session.update",
            "session": {"type": "transcription", "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}}},
        }
    )
    assert updated[0]["type"] == "session.updated"
    assert updated[0]["session"]["type"] == "transcription"
    assert updated[0]["session"]["object"] == "realtime.transcription_session"
    events: list[dict[str, Any]] = []
    for start in range(0, len(paris_pcm16), 4800):
        events += driver.send({"type": "input_audio_buffer.append", "audio": paris_pcm16[start : start + 4800]})
    order = kinds(events)
    assert order.index("input_audio_buffer.speech_stopped") < order.index(
        "conversation.item.input_audio_transcription.completed"
    )
    assert "response.created" not in order
    assert driver.send({"type": "response.create"})[0]["error"]["param"] == "type"


def test_previous_item_id_places_items_where_the_client_says() -> None:
    driver = Driver()
    first = driver.send(user_text("first"))[0]["item"]["id"]
    second = driver.send(user_text("second"))[0]["item"]["id"]
    driver.send({**user_text("zeroth"), "previous_item_id": "root"})
    between = driver.send({**user_text("between"), "previous_item_id": first})
    assert between[0]["previous_item_id"] == first
    driver.send({"type": "conversation.item.delete", "item_id": second})
    driver.send({"type": "response.create"})
    [context] = driver.contexts
    assert [item["content"][0]["text"] for item in context.items] == ["zeroth", "first", "between"]
    # The assistant's answer goes at the end, after the item that now stands last.
    added = [e for e in driver.events if e["type"] == "conversation.item.added"][-1]
    assert added["item"]["role"] == "assistant"
    assert added["previous_item_id"] == between[0]["item"]["id"]
