"""The local server over real WebSockets on 127.0.0.1, driven by a bare client through the codec."""

from __future__ import annotations

import base64
import json
import math
import re

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from pyagent.server import LocalServer, Reply, ResponderContext, ServerNotRunningError, ToolCall

from .conftest import WEATHER_TOOL, audio_of, types_of

PATHS = {
    "openai": "/v1/realtime?model=gpt-realtime",
    "azure-openai": "/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-4o-realtime-preview",
    "azure-openai-ga": "/openai/v1/realtime?model=gpt-realtime",
    "voicelive": "/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime",
}
GA = {"openai", "azure-openai-ga"}


def user_text(text: str) -> dict[str, object]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]},
    }


async def test_addresses_need_a_running_server() -> None:
    server = LocalServer(speech="off")
    with pytest.raises(ServerNotRunningError):
        _ = server.url
    async with server:
        assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", server.url)
        assert server.endpoint == server.url.replace("ws://", "http://")
    assert "key" not in repr(LocalServer(api_key="sekrit-123")).replace("key required", "")


async def test_spoken_turn_with_vad_transcription_and_audio_response(server, connect, paris_pcm16) -> None:
    client = await connect(server)
    await client.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"transcription": {"model": "whisper-1"}}}},
        }
    )
    updated = await client.until("session.updated")
    assert updated[-1]["session"]["audio"]["input"]["transcription"] == {"model": "whisper-1"}
    await client.append_audio(paris_pcm16)
    events = await client.until("response.done")
    kinds = types_of(events)
    order = [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "response.created",
        "conversation.item.input_audio_transcription.completed",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_audio.delta",
        "response.output_audio_transcript.done",
        "response.output_item.done",
        "response.done",
    ]
    positions = [kinds.index(kind) for kind in order]
    assert positions == sorted(positions), kinds
    started = events[kinds.index("input_audio_buffer.speech_started")]
    stopped = events[kinds.index("input_audio_buffer.speech_stopped")]
    # The recording has 0.3 s of silence before the words and 0.7 s after.
    assert 200 <= started["audio_start_ms"] <= 800
    assert started["audio_start_ms"] < stopped["audio_end_ms"] <= len(paris_pcm16) / 48
    assert started["item_id"] == stopped["item_id"] == events[kinds.index("input_audio_buffer.committed")]["item_id"]
    heard = events[kinds.index("conversation.item.input_audio_transcription.completed")]["transcript"]
    assert re.fullmatch(r"\[speech \d+\.\d s\]", heard)
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0] == {"type": "output_audio", "transcript": f"I heard: {heard}."}
    assert done["usage"]["output_tokens"] > 0
    assert done["usage"]["input_token_details"]["audio_tokens"] > 0
    assert len(audio_of(events)) > 24000  # the tones of five words last more than half a second
    assert (await client.recv())["type"] == "rate_limits.updated"


@pytest.mark.parametrize("dialect", sorted(PATHS))
async def test_each_dialect_speaks_its_own_event_names(server, connect, dialect) -> None:
    client = await connect(server, PATHS[dialect])
    created = client.seen[0]
    ga = dialect in GA
    id_chars = 22 if dialect == "voicelive" else 21
    assert re.fullmatch(rf"event_[0-9A-Za-z]{{{id_chars}}}", created["event_id"])
    assert re.fullmatch(rf"sess_[0-9A-Za-z]{{{id_chars}}}", created["session"]["id"])
    if ga:
        assert created["session"]["type"] == "realtime"
        assert created["session"]["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
    else:
        assert created["session"]["output_audio_format"] == "pcm16"
        assert "audio" not in created["session"]
    await client.send(user_text("hello there"))
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    kinds = set(types_of(events))
    if ga:
        assert {"conversation.item.added", "conversation.item.done", "response.output_audio.delta"} <= kinds
        assert not kinds & {"conversation.item.created", "response.audio.delta", "response.audio_transcript.delta"}
        assert events[-1]["response"]["output"][0]["content"][0]["type"] == "output_audio"
    else:
        assert {"conversation.item.created", "response.audio.delta", "response.audio_transcript.done"} <= kinds
        assert not kinds & {"conversation.item.added", "conversation.item.done", "response.output_audio.delta"}
        assert events[-1]["response"]["output"][0]["content"][0]["type"] == "audio"
        assert events[-1]["response"]["output"][0]["object"] == "realtime.item"
    assert events[-1]["response"]["output"][0]["content"][0]["transcript"] == "I heard: hello there."


async def test_text_only_response_when_the_modalities_say_so(server, connect) -> None:
    client = await connect(server, PATHS["azure-openai"])
    await client.send({"type": "session.update", "session": {"modalities": ["text"]}})
    await client.until("session.updated")
    await client.send(user_text("just text"))
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    kinds = types_of(events)
    assert "response.text.delta" in kinds
    assert "response.audio.delta" not in kinds
    assert "".join(e["delta"] for e in events if e["type"] == "response.text.delta") == "I heard: just text."
    assert events[kinds.index("response.text.done")]["text"] == "I heard: just text."


async def test_g711_output_is_8_khz(server, connect) -> None:
    client = await connect(server, PATHS["azure-openai"])
    await client.send(user_text("hello"))
    await client.send({"type": "response.create"})
    pcm = audio_of(await client.until("response.done"), "response.audio.delta")
    await client.send({"type": "session.update", "session": {"output_audio_format": "g711_ulaw"}})
    updated = await client.until("session.updated")
    assert updated[-1]["session"]["output_audio_format"] == "g711_ulaw"
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    ulaw = audio_of(events, "response.audio.delta")
    assert events[-1]["response"]["output_audio_format"] == "g711_ulaw"
    # Same words, same length: 24 kHz PCM16 is 48 bytes per ms, G.711 at 8 kHz is 8.
    assert abs(len(ulaw) - len(pcm) / 6) < 80


async def test_wrong_or_missing_key_is_refused_with_401(connect) -> None:
    async with LocalServer(api_key="right-key", speech="off") as server:
        for headers in ({"api-key": "wrong-key"}, {"Authorization": "Bearer wrong-key"}, {}):
            with pytest.raises(InvalidStatus) as refused:
                async with websockets.connect(server.url + PATHS["openai"], additional_headers=headers):
                    pass
            assert refused.value.response.status_code == 401
            assert b"right-key" not in refused.value.response.body
        await connect(server, PATHS["openai"], headers={"Authorization": "Bearer right-key"})
        await connect(server, PATHS["voicelive"], headers={"api-key": "right-key"})


async def test_unknown_path_is_404(server) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(server.url + "/v2/elsewhere"):
            pass
    assert refused.value.response.status_code == 404


async def test_malformed_json_and_unknown_events_get_errors_and_the_connection_stays(server, connect) -> None:
    client = await connect(server)
    await client.send_raw("{not json")
    error = await client.recv()
    assert error["type"] == "error"
    assert error["error"]["code"] == "invalid_json"
    await client.send_raw(json.dumps({"type": "no.such.event", "event_id": "evt_1"}))
    error = await client.recv()
    assert error["type"] == "error"
    assert error["error"]["param"] == "type"
    assert error["error"]["event_id"] == "evt_1"
    assert "no.such.event" in error["error"]["message"]
    # transcription_session.update is a beta event: unknown on the GA path.
    await client.send_raw(json.dumps({"type": "transcription_session.update", "session": {}}))
    assert (await client.recv())["type"] == "error"
    await client.send_raw(json.dumps({"type": "conversation.item.truncate", "item_id": "x", "content_index": "0"}))
    error = await client.recv()
    assert error["type"] == "error"
    assert error["error"]["param"] is not None
    await client.send({"type": "session.update", "session": {"type": "realtime", "instructions": "still here"}})
    assert (await client.recv())["session"]["instructions"] == "still here"


async def test_invalid_session_values_get_an_error_and_change_nothing(server, connect) -> None:
    client = await connect(server, PATHS["voicelive"])
    await client.send({"type": "session.update", "session": {"output_audio_format": "mp3", "instructions": "x"}})
    error = await client.recv()
    assert error["type"] == "error"
    assert error["error"]["param"] == "session.output_audio_format"
    await client.send({"type": "session.update", "session": {"turn_detection": {"type": "server_vad", "threshold": 3}}})
    assert (await client.recv())["error"]["param"] == "session.turn_detection.threshold"
    await client.send({"type": "session.update", "session": {"voice": {"name": "en-US-Ava", "type": "azure-standard"}}})
    updated = await client.recv()
    assert updated["type"] == "session.updated"
    assert updated["session"]["output_audio_format"] == "pcm16"
    assert updated["session"]["instructions"] != "x"
    assert updated["session"]["voice"] == {"name": "en-US-Ava", "type": "azure-standard"}


async def test_ga_session_update_needs_its_type(server, connect) -> None:
    client = await connect(server)
    await client.send({"type": "session.update", "session": {"instructions": "no type"}})
    error = await client.recv()
    assert error["error"]["code"] == "missing_required_parameter"
    assert error["error"]["param"] == "session.type"


async def test_a_second_response_while_one_is_active_is_refused(connect) -> None:
    async with LocalServer(speech="off", realtime_factor=1.0) as server:
        client = await connect(server)
        await client.send(user_text("a sentence long enough to take a few seconds to say out loud"))
        await client.send({"type": "response.create"})
        created = (await client.until("response.created"))[-1]
        await client.send({"type": "response.create", "event_id": "evt_second"})
        error = (await client.until("error"))[-1]["error"]
        assert error["code"] == "conversation_already_has_active_response"
        assert error["message"].startswith("Conversation already has an active response")
        assert error["event_id"] == "evt_second"
        await client.send({"type": "response.cancel"})
        done = (await client.until("response.done"))[-1]["response"]
        assert done["id"] == created["response"]["id"]
        assert done["status"] == "cancelled"
        assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
        await client.send({"type": "response.cancel", "event_id": "evt_nothing"})
        error = (await client.until("error"))[-1]["error"]
        assert error["code"] == "response_cancel_not_active"


async def test_new_speech_interrupts_the_response(connect, stop_pcm16) -> None:
    async with LocalServer(speech="off", realtime_factor=1.0) as server:
        client = await connect(server)
        await client.send(user_text("tell me a long story about the sea and the ships that sail on it"))
        await client.send({"type": "response.create"})
        first = await client.until("response.output_audio.delta")
        response_id = first[-1]["response_id"]
        await client.append_audio(stop_pcm16)
        events = await client.until("response.done")
        kinds = types_of(events)
        assert kinds.index("input_audio_buffer.speech_started") < kinds.index("response.done")
        done = events[-1]["response"]
        assert done["id"] == response_id
        assert done["status"] == "cancelled"
        assert done["status_details"]["reason"] == "turn_detected"
        assert done["output"][0]["status"] == "incomplete"
        heard = done["output"][0]["content"][0]["transcript"]
        assert "tell me a long story" not in heard  # cut short: only what was sent before the interruption
        # The interrupted response sends no more audio; the next turn gets its own response.
        rest = await client.until("response.done")
        assert all(e.get("response_id") in (None, rest[-1]["response"]["id"]) for e in rest)
        assert rest[-1]["response"]["id"] != response_id


async def test_function_calling_round_trip(server, connect) -> None:
    client = await connect(server)
    await client.send({"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER_TOOL]}})
    await client.until("session.updated")
    await client.send(user_text("what is the weather in paris"))
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    kinds = types_of(events)
    assert "response.function_call_arguments.delta" in kinds
    call_done = events[kinds.index("response.function_call_arguments.done")]
    assert call_done["name"] == "get_weather"
    assert json.loads(call_done["arguments"]) == {"city": "Paris"}
    arguments = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    assert arguments == call_done["arguments"]
    output = events[-1]["response"]["output"]
    assert output[0]["type"] == "function_call"
    assert output[0]["call_id"] == call_done["call_id"]
    await client.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call_output",
                "call_id": call_done["call_id"],
                "output": json.dumps({"conditions": "sunny", "temperature": "22 degrees"}),
            },
        }
    )
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    said = events[-1]["response"]["output"][0]["content"][0]["transcript"]
    assert said == "Here is what I found for Paris: conditions sunny, temperature 22 degrees."


async def test_a_custom_async_responder_sees_the_conversation(connect) -> None:
    seen: list[ResponderContext] = []

    async def responder(context: ResponderContext) -> Reply:
        seen.append(context)
        return Reply(text="Calling.", tool_calls=[ToolCall("lookup", {"q": context.transcript})])

    async with LocalServer(speech="off", realtime_factor=math.inf, responder=responder) as server:
        client = await connect(server, PATHS["azure-openai"])
        await client.send({"type": "session.update", "session": {"instructions": "Be brief."}})
        await client.send(user_text("find it"))
        await client.send({"type": "response.create"})
        events = await client.until("response.done")
    output = events[-1]["response"]["output"]
    assert [item["type"] for item in output] == ["message", "function_call"]
    assert json.loads(output[1]["arguments"]) == {"q": "find it"}
    assert seen[0].transcript == "find it"
    assert seen[0].instructions == "Be brief."
    assert seen[0].items[-1]["content"][0] == {"type": "input_text", "text": "find it"}


async def test_a_failing_responder_fails_the_response_not_the_server(connect) -> None:
    def responder(context: ResponderContext) -> Reply:
        raise RuntimeError("boom")

    async with LocalServer(speech="off", realtime_factor=math.inf, responder=responder) as server:
        client = await connect(server)
        await client.send({"type": "response.create"})
        done = (await client.until("response.done"))[-1]["response"]
        assert done["status"] == "failed"
        await client.send({"type": "session.update", "session": {"type": "realtime"}})
        assert (await client.until("session.updated"))[-1]["type"] == "session.updated"


async def test_conversation_items_create_retrieve_delete_truncate(server, connect) -> None:
    client = await connect(server)
    await client.send(user_text("first"))
    first = (await client.until("conversation.item.done"))[-1]["item"]["id"]
    await client.send(user_text("second"))
    added = (await client.until("conversation.item.added"))[-1]
    assert added["previous_item_id"] == first
    second = added["item"]["id"]
    await client.send({**user_text("zeroth"), "previous_item_id": "root"})
    added = (await client.until("conversation.item.added"))[-1]
    assert added["previous_item_id"] is None
    zeroth = added["item"]["id"]
    await client.send({**user_text("between"), "previous_item_id": first})
    assert (await client.until("conversation.item.added"))[-1]["previous_item_id"] == first
    await client.send({**user_text("nowhere"), "previous_item_id": "item_missing"})
    assert (await client.until("error"))[-1]["error"]["code"] == "item_not_found"
    await client.send({"type": "conversation.item.retrieve", "item_id": second})
    retrieved = (await client.until("conversation.item.retrieved"))[-1]["item"]
    assert retrieved["content"] == [{"type": "input_text", "text": "second"}]
    await client.send({"type": "conversation.item.delete", "item_id": zeroth})
    assert (await client.until("conversation.item.deleted"))[-1]["item_id"] == zeroth
    await client.send({"type": "conversation.item.retrieve", "item_id": zeroth})
    assert (await client.until("error"))[-1]["error"]["code"] == "item_not_found"
    await client.send({"type": "response.create"})
    done = (await client.until("response.done"))[-1]["response"]
    assistant = done["output"][0]["id"]
    # 24 kHz PCM16 tones of "I heard: second." last well over 500 ms.
    await client.send(
        {"type": "conversation.item.truncate", "item_id": assistant, "content_index": 0, "audio_end_ms": 600000}
    )
    error = (await client.until("error"))[-1]["error"]
    assert error["param"] == "audio_end_ms"
    await client.send(
        {"type": "conversation.item.truncate", "item_id": assistant, "content_index": 0, "audio_end_ms": 500}
    )
    truncated = (await client.until("conversation.item.truncated"))[-1]
    assert (truncated["item_id"], truncated["audio_end_ms"]) == (assistant, 500)


async def test_manual_turns_without_turn_detection(server, connect, paris_pcm16) -> None:
    client = await connect(server, PATHS["azure-openai"])
    await client.send({"type": "session.update", "session": {"turn_detection": None}})
    assert (await client.until("session.updated"))[-1]["session"]["turn_detection"] is None
    await client.send({"type": "input_audio_buffer.commit"})
    assert (await client.until("error"))[-1]["error"]["code"] == "input_audio_buffer_commit_empty"
    await client.append_audio(paris_pcm16)
    await client.send({"type": "input_audio_buffer.commit"})
    events = await client.until("input_audio_buffer.committed")
    assert not any("speech_" in kind for kind in types_of(events))
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    assert events[-1]["response"]["status"] == "completed"
    await client.append_audio(paris_pcm16[:4800])
    await client.send({"type": "input_audio_buffer.clear"})
    assert (await client.until("input_audio_buffer.cleared"))[-1]["type"] == "input_audio_buffer.cleared"


async def test_transcription_sessions(server, connect, paris_pcm16) -> None:
    client = await connect(server, "/v1/realtime?intent=transcription")
    assert client.seen[0]["session"]["type"] == "transcription"
    await client.append_audio(paris_pcm16)
    events = await client.until("conversation.item.input_audio_transcription.completed")
    assert "response.created" not in types_of(events)
    await client.send({"type": "response.create"})
    assert (await client.until("error"))[-1]["type"] == "error"

    beta = await connect(server, PATHS["azure-openai"])
    await beta.send(
        {
            "type": "transcription_session.update",
            "session": {"input_audio_transcription": {"model": "gpt-4o-transcribe"}},
        }
    )
    updated = (await beta.until("transcription_session.updated"))[-1]
    assert updated["session"]["input_audio_transcription"] == {"model": "gpt-4o-transcribe"}
    await beta.append_audio(paris_pcm16)
    events = await beta.until("conversation.item.input_audio_transcription.completed")
    assert "response.created" not in types_of(events)


async def test_g711_input_is_heard_at_8_khz(server, connect, paris_pcm16) -> None:
    from pyagent.audio import AudioFormat, convert

    alaw = convert(paris_pcm16, AudioFormat(), AudioFormat.from_wire("g711_alaw"))
    client = await connect(server, PATHS["voicelive"])
    await client.send(
        {
            "type": "session.update",
            "session": {"input_audio_format": "g711_alaw", "input_audio_transcription": {"model": "azure-speech"}},
        }
    )
    await client.until("session.updated")
    for start in range(0, len(alaw), 800):
        await client.send({"type": "input_audio_buffer.append", "audio": alaw[start : start + 800]})
    events = await client.until("conversation.item.input_audio_transcription.completed")
    stopped = next(e for e in events if e["type"] == "input_audio_buffer.speech_stopped")
    assert stopped["audio_end_ms"] <= len(alaw) / 8
    # Voice Live sends the user's transcript before the user item (the documented order).
    rest = await client.until("conversation.item.created")
    assert rest[-1]["item"]["role"] == "user"
    assert rest[-1]["item"]["content"][0]["transcript"] == events[-1]["transcript"]
    await client.until("response.done")  # read everything: unread frames would hold up the client's close


async def test_recording_writes_the_session_as_jsonl(connect, tmp_path) -> None:
    async with LocalServer(speech="off", realtime_factor=math.inf, record_dir=tmp_path, api_key="k-secret") as server:
        client = await connect(server, PATHS["voicelive"] + "&api-key=k-secret", headers={"api-key": "k-secret"})
        await client.send(user_text("record me"))
        await client.send({"type": "response.create"})
        events = await client.until("response.done")
        await client.send_raw("{broken")
        await client.until("error")
        await client.ws.close()
        await server.close()
    [path] = server.recordings
    from pyagent.realtime.testing import load_session

    assert load_session(path)  # the scripted server reads it as it is
    assert path.parent == tmp_path
    assert path.name.startswith("local_")
    assert path.suffix == ".jsonl"
    text = path.read_text()
    assert "k-secret" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    meta = lines[0]
    assert meta["dir"] == "meta"
    assert meta["dialect"] == "voicelive"
    assert meta["path"] == "/voice-live/realtime"
    assert meta["query"]["model"] == "gpt-realtime"
    assert "api-key" not in meta["query"]
    assert [line["dir"] for line in lines[1:3]] == ["server", "client"]
    times = [line["t"] for line in lines]
    assert times == sorted(times)
    server_events = [line["event"] for line in lines if line["dir"] == "server"]
    assert server_events[1:] == client.seen[1:] or server_events == client.seen
    assert all(set(line) == {"t", "dir", "event"} for line in lines[1:])
    assert server_events[-1]["type"] == "error"
    assert [line["event"]["type"] for line in lines if line["dir"] == "client"] == [
        "conversation.item.create",
        "response.create",
    ]
    deltas = [e for e in server_events if e["type"] == "response.audio.delta"]
    assert deltas
    assert base64.b64decode(deltas[0]["delta"]) == base64.b64decode(
        next(e for e in events if e["type"] == "response.audio.delta")["delta"]
    )


async def test_sessions_are_independent(server, connect) -> None:
    import asyncio

    clients = [await connect(server, PATHS[name]) for name in ("openai", "voicelive", "azure-openai")]

    async def turn(client, words: str) -> dict:
        await client.send(user_text(words))
        await client.send({"type": "response.create"})
        return (await client.until("response.done"))[-1]["response"]

    answers = await asyncio.gather(*(turn(c, f"number {i}") for i, c in enumerate(clients)))
    said = [answer["output"][0]["content"][0]["transcript"] for answer in answers]
    assert said == ["I heard: number 0.", "I heard: number 1.", "I heard: number 2."]
    assert len({client.seen[0]["session"]["id"] for client in clients}) == 3


async def test_the_beta_header_is_refused_on_the_ga_path() -> None:
    async with (
        LocalServer(speech="off") as server,
        websockets.connect(server.url + PATHS["openai"], additional_headers={"OpenAI-Beta": "realtime=v1"}) as ws,
    ):
        error = json.loads(await ws.recv())
        assert error["type"] == "error"
        assert error["error"]["code"] == "beta_api_shape_disabled"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4000


async def test_sessions_end_at_their_maximum_duration(connect) -> None:
    async with LocalServer(speech="off", max_session_seconds=0.3) as server:
        client = await connect(server, PATHS["voicelive"])
        error = await client.recv()
        assert error["error"]["code"] == "session_expired"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1001


async def test_logs_say_which_keys_are_accepted_and_never_show_one(caplog, connect, request) -> None:
    import logging

    # The handler goes on the loggers themselves: other tests may have changed levels or propagation.
    for name in ("pyagent.server", "websockets.server"):  # websockets logs handshake headers at DEBUG
        caplog.set_level(logging.DEBUG, logger=name)
        logging.getLogger(name).addHandler(caplog.handler)
        request.addfinalizer(lambda name=name: logging.getLogger(name).removeHandler(caplog.handler))
    async with LocalServer(speech="off") as server:
        await connect(server, headers={"Authorization": "Bearer offered-secret-1"})
        await connect(server, PATHS["voicelive"] + "&api-key=query-secret-4")
        await server.speech_engines()
    assert "GET /voice-live/realtime" in caplog.text
    assert "any key is accepted" in caplog.text
    assert "speech in use: recognition: fallback (speech duration), synthesis: fallback (tones)" in caplog.text
    caplog.clear()
    async with LocalServer(speech="off", api_key="server-secret-2") as server:
        with pytest.raises(InvalidStatus):
            async with websockets.connect(server.url + PATHS["voicelive"], additional_headers={"api-key": "guess-3"}):
                pass
        await connect(server, PATHS["voicelive"], headers={"api-key": "server-secret-2"})
    assert "refused" in caplog.text
    assert "any key" not in caplog.text
    for secret in ("offered-secret-1", "server-secret-2", "guess-3", "query-secret-4"):
        assert secret not in caplog.text


async def test_debug_logs_never_show_a_secret_carried_inside_an_event(caplog, connect, request) -> None:
    import logging

    for name in ("pyagent.server", "websockets.server"):  # websockets logs every frame at DEBUG
        caplog.set_level(logging.DEBUG, logger=name)
        logging.getLogger(name).addHandler(caplog.handler)
        request.addfinalizer(lambda name=name: logging.getLogger(name).removeHandler(caplog.handler))
    mcp_tool = {"type": "mcp", "server_label": "d", "server_url": "https://x", "authorization": "mcp-secret-5"}
    async with LocalServer(speech="off") as server:
        client = await connect(server, PATHS["openai"])
        await client.send({"type": "session.update", "session": {"type": "realtime", "tools": [mcp_tool]}})
        await client.until("session.updated")
    assert "TEXT [" in caplog.text  # the frames were logged, by kind and size
    assert "mcp-secret-5" not in caplog.text


async def test_a_job_cancelled_while_the_models_load_does_not_cancel_the_load() -> None:
    import asyncio

    server = LocalServer(speech="off")
    waiter = asyncio.ensure_future(server.speech_engines())
    await asyncio.sleep(0)
    waiter.cancel()
    engines = await server.speech_engines()
    assert not engines.real


class _BrokenSynthesizer:
    name = "broken"

    def synthesize(self, text: str) -> bytes:
        raise RuntimeError("no voice today")


class _FixedRecognizer:
    name = "fixed"

    def recognize(self, pcm16: bytes, sample_rate: int) -> str:
        return "what is the weather in paris"


async def test_own_engines_and_a_failing_synthesizer(connect, paris_pcm16) -> None:
    from pyagent.server import SpeechEngines

    engines = SpeechEngines(recognizer=_FixedRecognizer(), synthesizer=_BrokenSynthesizer())
    async with LocalServer(engines=engines, realtime_factor=math.inf) as server:
        assert await server.speech_engines() is engines
        client = await connect(server)
        await client.append_audio(paris_pcm16)
        events = await client.until("response.done")
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["transcript"] == "I heard: what is the weather in paris."
    assert len(audio_of(events)) > 0  # the tones stood in for the voice


async def test_recording_hides_credentials_carried_inside_events(connect, tmp_path) -> None:
    mcp_tool = {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://mcp.example.com",
        "authorization": "Bearer mcp-secret-1",
        "headers": {"X-Api-Key": "mcp-secret-2"},
    }
    async with LocalServer(speech="off", realtime_factor=math.inf, record_dir=tmp_path) as server:
        client = await connect(server, PATHS["openai"])
        await client.send({"type": "session.update", "session": {"type": "realtime", "tools": [mcp_tool]}})
        await client.until("session.updated")
        await client.send(user_text("still recorded"))
        await client.ws.close()
        await server.close()
    [path] = server.recordings
    text = path.read_text()
    assert "mcp-secret-1" not in text
    assert "mcp-secret-2" not in text
    client_events = [json.loads(line)["event"] for line in text.splitlines()[1:] if '"dir": "client"' in line]
    [update] = [event for event in client_events if event["type"] == "session.update"]
    [tool] = update["session"]["tools"]
    assert tool["authorization"] == "[redacted]"
    assert tool["headers"] == {"X-Api-Key": "[redacted]"}
    assert tool["server_url"] == "https://mcp.example.com"  # only the secrets are hidden
    assert any(event["type"] == "conversation.item.create" for event in client_events)


async def test_a_record_dir_that_cannot_hold_recordings_is_refused_before_anything_listens(tmp_path) -> None:
    from pyagent.server import ConfigurationError

    (tmp_path / "file.txt").write_text("not a directory")
    cases = {
        tmp_path / "file.txt": "record_dir cannot hold recordings: '{p}' is a file, not a directory",
        tmp_path / "file.txt" / "sessions": "record_dir cannot hold recordings: a part of '{p}' is a file",
    }
    for path, says in cases.items():
        server = LocalServer(record_dir=path, speech="off")
        with pytest.raises(ConfigurationError, match=re.escape(says.format(p=path))):
            await server.start()
        with pytest.raises(ServerNotRunningError):
            server.port  # noqa: B018  # nothing listens
    fresh = tmp_path / "new" / "sessions"
    async with LocalServer(record_dir=fresh, speech="off") as server:  # a directory it can make is made at start
        assert fresh.is_dir()
        assert server.is_loopback_only


async def test_listening_beyond_this_machine_without_a_key_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="pyagent.server")
    async with LocalServer(host="0.0.0.0", speech="off") as server:
        port = server.port
        assert server.listening_on == (f"0.0.0.0:{port}",)
        assert not server.is_loopback_only
        assert server.url == f"ws://127.0.0.1:{port}"  # what a client on this machine uses
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        f"listening on 0.0.0.0:{port}, beyond this machine, and any key is accepted: whoever reaches the port "
        "is served; set api_key (pyagent serve --api-key) or listen on 127.0.0.1"
    ]
    caplog.clear()
    async with LocalServer(host="0.0.0.0", speech="off", api_key="k3y-for-everyone") as server:
        pass
    async with LocalServer(speech="off") as server:
        assert server.listening_on == (f"127.0.0.1:{server.port}",)
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
