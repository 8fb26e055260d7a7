"""A session holds bounded audio however long it streams, and still gives the protocol what it needs.

On plain values (the session state machine, a manual clock, the speech recordings): what is kept, what is dropped,
what ``conversation.item.retrieve``, ``conversation.item.truncate`` and usage still see.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pyagent.audio import load_audio
from pyagent.realtime.dialects import OPENAI, VOICELIVE
from pyagent.server._session import DEFAULT_RETAINED_AUDIO_SECONDS, MAX_UNCOMMITTED_SECONDS, ServerSession

from .conftest import PARIS, STOP
from .test_session import Driver, kinds

BYTES_PER_SECOND = 48000  # PCM16 at 24 kHz


def _speak(driver: Driver, pcm16: bytes, chunk: int = 9600) -> list[dict[str, Any]]:
    """Stream an utterance in 200 ms appends; the session's own turn detection commits it and answers."""
    events: list[dict[str, Any]] = []
    for start in range(0, len(pcm16), chunk):
        events += driver.send({"type": "input_audio_buffer.append", "audio": pcm16[start : start + chunk]})
    events += driver.advance(60.0)  # the answer's audio, sent in full
    assert "response.done" in kinds(events)
    return events


def _committed(events: list[dict[str, Any]]) -> list[str]:
    return [event["item_id"] for event in events if event["type"] == "input_audio_buffer.committed"]


def _retrieve(driver: Driver, item_id: str) -> dict[str, Any]:
    answer = driver.send({"type": "conversation.item.retrieve", "item_id": item_id})
    assert answer[0]["type"] == "conversation.item.retrieved"
    item: dict[str, Any] = answer[0]["item"]
    return item


def test_a_long_session_holds_bounded_audio_and_keeps_what_the_protocol_needs() -> None:
    driver = Driver(OPENAI, realtime_factor=1.0)
    paris, stop = load_audio(PARIS), load_audio(STOP)
    held: list[int] = []
    user_items: list[str] = []
    answers: list[dict[str, Any]] = []
    streamed = 0
    for turn in range(30):  # over two minutes of speech and answers
        utterance = paris if turn % 2 == 0 else stop
        events = _speak(driver, utterance)
        streamed += len(utterance) + sum(
            len(base64.b64decode(event["delta"])) for event in events if event["type"] == "response.output_audio.delta"
        )
        user_items += _committed(events)
        answers.append(next(e for e in reversed(events) if e["type"] == "response.done")["response"])
        held.append(driver.session.audio_bytes_held)
    assert len(user_items) == 30
    assert streamed > 120 * BYTES_PER_SECOND  # what keeping every turn's audio would have held
    cap = DEFAULT_RETAINED_AUDIO_SECONDS * BYTES_PER_SECOND
    assert max(held) <= cap + len(stop)  # kept user audio, plus at most what is left uncommitted between turns
    assert held[-1] <= held[len(held) // 2] + len(stop)  # flat once the allowance is full

    # retrieve: the latest user items come with their audio, the oldest without it, all with their transcripts.
    latest, oldest = _retrieve(driver, user_items[-1]), _retrieve(driver, user_items[0])
    latest_part, oldest_part = latest["content"][0], oldest["content"][0]
    assert latest_part["type"] == oldest_part["type"] == "input_audio"
    assert 0.5 * len(stop) < len(base64.b64decode(latest_part["audio"])) <= len(stop)
    assert "audio" not in oldest_part
    assert oldest["status"] == "completed"
    kept = sum(1 for item_id in user_items if "audio" in _retrieve(driver, item_id)["content"][0])
    assert 1 <= kept < len(user_items)

    # truncate: an old answer still knows its length, long after its audio was sent and forgotten.
    first_answer = answers[0]["output"][0]
    length_ms = (
        1000
        * sum(
            len(base64.b64decode(e["delta"]))
            for e in driver.events
            if e["type"] == "response.output_audio.delta" and e["item_id"] == first_answer["id"]
        )
        // BYTES_PER_SECOND
    )
    truncate = {"type": "conversation.item.truncate", "item_id": first_answer["id"], "content_index": 0}
    too_far = driver.send({**truncate, "audio_end_ms": length_ms + 50})
    assert too_far[0]["error"]["param"] == "audio_end_ms"
    assert f"{length_ms}ms" in too_far[0]["error"]["message"]
    assert driver.send({**truncate, "audio_end_ms": length_ms // 2})[0]["type"] == "conversation.item.truncated"

    # usage: input audio tokens keep counting every turn's audio, kept or not.
    audio_in = [answer["usage"]["input_token_details"]["audio_tokens"] for answer in answers]
    assert audio_in == sorted(audio_in)
    assert audio_in[-1] > 2 * audio_in[len(audio_in) // 2 - 1]


@pytest.mark.parametrize("seconds", [0.0, 2.0, 60.0])
def test_the_retained_audio_is_configurable(seconds: float) -> None:
    driver = Driver(OPENAI, retained_audio_seconds=seconds)
    paris = load_audio(PARIS)
    items: list[str] = []
    for _ in range(3):
        items += _committed(_speak(driver, paris))
    with_audio = [item_id for item_id in items if "audio" in _retrieve(driver, item_id)["content"][0]]
    utterance_s = driver.session.items[0].audio_seconds
    assert 1.0 < utterance_s < 4.0
    expected = items[len(items) - min(len(items), int(seconds // utterance_s)) :] if seconds else []
    assert with_audio == expected
    driver.send({"type": "input_audio_buffer.clear"})  # the silence after the last utterance, not yet committed
    assert driver.session.audio_bytes_held <= seconds * BYTES_PER_SECOND


def test_deleting_an_item_releases_its_audio() -> None:
    driver = Driver(OPENAI)
    item_id = _committed(_speak(driver, load_audio(PARIS)))[0]
    before = driver.session.audio_bytes_held
    assert before > BYTES_PER_SECOND
    assert driver.send({"type": "conversation.item.delete", "item_id": item_id})[0]["type"] == (
        "conversation.item.deleted"
    )
    assert driver.session.audio_bytes_held <= before - BYTES_PER_SECOND


def test_audio_given_in_an_item_is_kept_like_spoken_audio() -> None:
    driver = Driver(OPENAI, retained_audio_seconds=5.0)
    paris = load_audio(PARIS)
    created = driver.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": [{"type": "input_audio", "audio": paris}]},
        }
    )
    item_id = created[0]["item"]["id"]
    assert base64.b64decode(_retrieve(driver, item_id)["content"][0]["audio"]) == paris
    for _ in range(3):
        _speak(driver, paris)
    assert "audio" not in _retrieve(driver, item_id)["content"][0]  # pushed out by newer speech


def test_uncommitted_input_without_turn_detection_is_capped() -> None:
    driver = Driver(VOICELIVE)
    driver.send({"type": "session.update", "session": {"turn_detection": None, "input_audio_sampling_rate": 8000}})
    second = load_audio(PARIS, sample_rate=8000)[: 2 * 8000]  # one second of real speech at 8 kHz
    minute = second * 60
    for _ in range(MAX_UNCOMMITTED_SECONDS // 60 + 2):  # two minutes over the cap
        driver.send({"type": "input_audio_buffer.append", "audio": minute})
    assert driver.session.audio_bytes_held == MAX_UNCOMMITTED_SECONDS * 2 * 8000
    events = driver.send({"type": "input_audio_buffer.commit"})
    item = next(e for e in events if e["type"] == "conversation.item.created")["item"]
    assert driver.session.items[-1].id == item["id"]
    assert driver.session.items[-1].audio_seconds == MAX_UNCOMMITTED_SECONDS  # the latest ten minutes
    assert driver.session.audio_bytes_held <= DEFAULT_RETAINED_AUDIO_SECONDS * 2 * 8000  # too long to keep


def test_a_negative_allowance_is_refused() -> None:
    with pytest.raises(ValueError, match="retained_audio_seconds"):
        ServerSession(OPENAI, clock=Driver().clock, retained_audio_seconds=-1)
