"""Azure Communication Services calls end to end: a simulated ACS (real WebSocket, real PCM16 speech, playing what it
gets in real time) against the phone server and the local server."""

from __future__ import annotations

import asyncio
import base64
import pathlib
import time

import pytest
from telephony.carriers import AcsCaller
from telephony.conftest import CallLog, bridge_tasks, phone_server, speech, wait_until
from voice.conftest import recorded_events

from pyagent.audio import AudioFormat
from pyagent.server import LocalServer
from pyagent.voice import SessionState

HEADERS = {"x-ms-call-connection-id": "call-connection-1", "x-ms-call-correlation-id": "correlation-1"}
QUESTION = "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
STOP = "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav"


@pytest.mark.parametrize(("dialect", "native"), [("voicelive", True), ("openai", False)])
async def test_an_acs_call_at_16_khz_is_answered_in_its_frames(
    dialect: str, native: bool, local: LocalServer, tmp_path: pathlib.Path
) -> None:
    """Voice Live speaks 16 kHz PCM16 natively; OpenAI does not, and the reply is resampled from 24 kHz."""
    log = CallLog()
    server = await phone_server(log, local, dialect)
    try:
        async with AcsCaller(server.public_urls()["acs"], HEADERS, sample_rate=16000) as caller:
            await caller.press("9")
            await caller.speak(speech(QUESTION, AudioFormat(16000)), then_silence_ms=1000)
            await log.wait_responses(1)
            response = log.responses[0]
            slack = 0 if native else 64  # resampled on its own, the reply may differ by a few samples
            await wait_until(lambda: len(caller.heard) >= len(response.audio) - slack and not caller.playing)
            session = log.sessions[0]
            wire = session.wire_audio_format
            await caller.hang_up()  # ACS has no stop: the socket closes
            await wait_until(lambda: server.active_calls == 0)
        assert session.state is SessionState.DISCONNECTED
        assert bridge_tasks() == []
    finally:
        await server.close()
    assert wire == (AudioFormat(16000) if native else AudioFormat(24000))
    assert log.digits == ["9"]
    assert log.tool_calls == [{"city": "Paris", "call_id": "call-connection-1", "stream_id": caller.subscription_id}]
    assert (response.format, response.sample_rate) == ("pcm16", 16000)
    payloads = [base64.b64decode(r.message["audioData"]["data"]) for r in caller.frames("AudioData")]
    assert all(len(p) == 640 for p in payloads[:-1])  # 20 ms of 16 kHz PCM16
    sent = b"".join(payloads)
    if native:
        assert sent == response.audio == bytes(caller.heard)
        events = await recorded_events(local, tmp_path, "server")
        deltas = [e for e in events if e["type"] == "response.audio.delta"]
        assert b"".join(base64.b64decode(e["delta"]) for e in deltas) == response.audio
    else:
        assert abs(len(sent) - len(response.audio)) <= 64  # the same reply, resampled on its own
    assert caller.frames("StopAudio") == []


@pytest.mark.parametrize("stall_ms", [0, 400])
async def test_acs_barge_in_stops_the_audio_and_truncates_at_the_real_time_estimate(
    talkative: LocalServer, stall_ms: int
) -> None:
    """ACS acknowledges nothing: what was sent is heard in real time, and StopAudio drops the rest at once.

    The phone keeps playing while the program's event loop is blocked (``stall_ms``: a garbage collection, a busy
    machine); the bridge's estimate follows the wall clock, so it stays true to what the caller heard."""
    log = CallLog()
    server = await phone_server(log, talkative, "openai")
    try:
        async with AcsCaller(server.public_urls()["acs"], HEADERS, sample_rate=24000) as caller:
            await caller.speak(speech(QUESTION, AudioFormat(24000)), then_silence_ms=300)
            await wait_until(lambda: caller.heard_ms >= 800)
            time.sleep(stall_ms / 1000)  # noqa: ASYNC251 - blocks the loop on purpose: bridge, session, service stall
            await wait_until(lambda: caller.heard_ms >= 1500)
            talking = asyncio.create_task(caller.speak(speech(STOP, AudioFormat(24000)), then_silence_ms=1200))
            await wait_until(lambda: bool(caller.clears))
            await talking
            await log.wait_responses(2)
            await wait_until(lambda: bytes(caller.heard).endswith(log.responses[1].audio))
            await caller.hang_up()
            await wait_until(lambda: server.active_calls == 0)
    finally:
        await server.close()
    [stop] = caller.clears
    [(interrupted_at, interruption)] = log.interruptions
    first, second = log.responses[:2]
    assert log.sessions[0].wire_audio_format == AudioFormat(24000)  # native: nothing converted
    between = [r for r in caller.frames("AudioData") if interrupted_at <= r.at < stop.at]
    assert between == []
    # Heard in real time from the send: within a few frames of what the caller had played when the barge-in was
    # decided (what it had heard when StopAudio arrived, less what it went on hearing while StopAudio was on its way).
    end_ms = interruption.audio_end_ms
    heard_at_decision = stop.heard_ms - (stop.at - interrupted_at) * 1000
    assert abs(end_ms - heard_at_decision) <= 200, (end_ms, stop.heard_ms, stop.at - interrupted_at)
    assert end_ms < first.duration_ms
    heard_of_first = caller.heard[: len(caller.heard) - len(second.audio)]
    assert bytes(heard_of_first) == first.audio[: len(heard_of_first)]
    assert len(heard_of_first) <= stop.heard_ms * 48 + 960
    assert second.transcript == "All right, I stopped."
