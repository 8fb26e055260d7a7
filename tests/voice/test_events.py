"""The event emitter: sync and async handlers, argument trimming, a raising handler is logged."""

from __future__ import annotations

import logging

import pytest

from pyagent.voice._events import EVENTS, EventEmitter


def test_the_events_the_issue_names() -> None:
    assert set(EVENTS) == {
        "speech_started",
        "speech_ended",
        "response_started",
        "transcript_available",
        "response_done",
        "audio",
        "function_call",
        "state_changed",
        "interrupted",
        "dtmf",  # issue 16: a key the caller pressed on a phone call
        "error",
        "reconnecting",
        "reconnected",
    }
    assert EVENTS["reconnecting"].startswith("(attempt: int, delay: float, code: int | None, reason: str)")
    assert EVENTS["reconnected"].startswith("(session_id: str)")


async def test_sync_and_async_handlers_in_order_with_trimmed_arguments() -> None:
    emitter = EventEmitter()
    seen: list[object] = []

    @emitter.on("transcript_available")
    async def only_text(text: str) -> None:
        seen.append(("async", text))

    @emitter.on("transcript_available")
    def with_role(text: str, role: str) -> None:
        seen.append(("sync", text, role))

    @emitter.on("transcript_available")
    def nothing() -> None:
        seen.append("none")

    emitter.add("transcript_available", lambda *args: seen.append(args))
    await emitter.emit("transcript_available", "hello", "assistant")
    assert seen == [("async", "hello"), ("sync", "hello", "assistant"), "none", ("hello", "assistant")]
    assert only_text.__name__ == "only_text"  # the decorator returns the function


async def test_a_raising_handler_is_logged_and_the_others_run(caplog: pytest.LogCaptureFixture) -> None:
    emitter = EventEmitter()
    seen: list[str] = []

    @emitter.on("speech_started")
    def broken() -> None:
        raise RuntimeError("handler bug")

    @emitter.on("speech_started")
    async def broken_async() -> None:
        raise KeyError("async bug")

    @emitter.on("speech_started")
    def fine() -> None:
        seen.append("ran")

    with caplog.at_level(logging.ERROR, logger="pyagent.voice"):
        await emitter.emit("speech_started")
    assert seen == ["ran"]
    assert "handler bug" in caplog.text
    assert "async bug" in caplog.text
    assert "broken" in caplog.text


async def test_remove_and_unknown_names() -> None:
    emitter = EventEmitter()
    seen: list[bytes] = []
    emitter.add("audio", seen.append)
    assert emitter.has_handlers("audio")
    await emitter.emit("audio", b"x")
    emitter.remove("audio", seen.append)
    await emitter.emit("audio", b"y")
    assert seen == [b"x"]
    assert not emitter.has_handlers("audio")
    with pytest.raises(ValueError, match=r"unknown event 'speech_start'.*speech_started"):
        emitter.on("speech_start")
    with pytest.raises(TypeError, match="must be callable"):
        emitter.add("audio", "not a function")  # type: ignore[arg-type]
