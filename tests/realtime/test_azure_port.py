"""Code written for ``azure.ai.voicelive.aio`` runs by changing its import to ``pyagent.realtime``.

The body of ``_voice_live_app`` is written the way the Azure SDK's samples write it (its models, enums, key
credential and resource calls); only ``connect``, ``ConnectionError`` and ``ConnectionClosed`` come from pyagent.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pyagent.realtime import ConnectionClosed, ConnectionError, connect
from pyagent.realtime.testing import Close, Expect, ScriptedServer, Send

models = pytest.importorskip("azure.ai.voicelive.models")
credentials = pytest.importorskip("azure.core.credentials")

UPDATED = {"type": "session.updated", "event_id": "event_2", "session": {"id": "sess_1", "instructions": "Be brief."}}
ERROR = {"type": "error", "event_id": "event_3", "error": {"type": "invalid_request_error", "message": "no audio"}}


async def _voice_live_app(endpoint: str, key: str) -> list[Any]:
    seen: list[Any] = []
    try:
        async with connect(
            credential=credentials.AzureKeyCredential(key),
            endpoint=endpoint,
            model="gpt-4o-realtime-preview",
            connection_options={"max_msg_size": 10 * 1024 * 1024, "heartbeat": 20},
        ) as connection:
            session = models.RequestSession(
                modalities=[models.Modality.TEXT, models.Modality.AUDIO],
                instructions="Be brief.",
                voice=models.AzureStandardVoice(name="en-US-AvaNeural"),
                input_audio_format=models.InputAudioFormat.PCM16,
                output_audio_format=models.OutputAudioFormat.PCM16,
                turn_detection=models.ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500),
            )
            await connection.session.update(session=session)
            await connection.input_audio_buffer.append(audio=base64.b64encode(b"\x00\x00" * 2400).decode("utf-8"))
            await connection.conversation.item.create(
                item=models.UserMessageItem(content=[models.InputTextContentPart(text="hello")])
            )
            await connection.response.create()
            async for event in connection:
                seen.append(event)
                if event.type == models.ServerEventType.SESSION_UPDATED:
                    seen.append("updated")
                elif event.type == models.ServerEventType.ERROR:
                    seen.append(event.error.message)
    except ConnectionClosed as closed:
        seen.append((closed.code, closed.reason))
    except ConnectionError as failed:  # pragma: no cover - a failure shows in the assertions
        seen.append(failed)
    return seen


async def test_the_azure_sample_shape_runs_unchanged(key: str) -> None:
    script = [
        Expect("session.update"),
        Send(UPDATED),
        Expect("response.create"),
        Send(ERROR),
        Close(1011, "internal server error"),
    ]
    async with ScriptedServer(script) as server:
        seen = await _voice_live_app(server.endpoint, key)
    assert seen[1] == "updated"
    assert seen[3] == "no audio"
    assert seen[-1] == (1011, "internal server error")  # the Azure SDK ends silently here and drops the reason
    hs = server.handshakes[0]
    assert hs.path == "/voice-live/realtime"
    assert hs.query == {"api-version": "2025-10-01", "model": "gpt-4o-realtime-preview"}
    assert hs.headers["api-key"] == key
    assert server.received[0] == {
        "type": "session.update",
        "session": {
            "modalities": ["text", "audio"],
            "instructions": "Be brief.",
            "voice": {"name": "en-US-AvaNeural", "type": "azure-standard"},
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": {
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 500,
                "type": "server_vad",
            },
        },
    }
    assert server.received_types() == [
        "session.update",
        "input_audio_buffer.append",
        "conversation.item.create",
        "response.create",
    ]
    assert server.received[2]["item"] == {
        "content": [{"text": "hello", "type": "input_text"}],
        "type": "message",
        "role": "user",
    }
