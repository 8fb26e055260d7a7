"""The proof that the local server speaks the real protocol: the vendors' own clients complete a spoken turn on it.

The ``openai`` package's realtime clients (OpenAI GA, Azure OpenAI preview and GA) and ``azure-ai-voicelive``'s async
client (Voice Live) each update the session, stream the "What is the weather in Paris?" recording, and get VAD events,
the user's transcript, a response with audio and ``response.done`` back, parsed by their own models.
"""

from __future__ import annotations

import base64
import math
from typing import Any

from azure.ai.voicelive.aio import connect as voicelive_connect
from azure.ai.voicelive.models import (
    AudioInputTranscriptionOptions,
    InputAudioFormat,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerVad,
)
from azure.core.credentials import AzureKeyCredential
from openai import AsyncAzureOpenAI, AsyncOpenAI

from pyagent.server import LocalServer

CHUNK = 4800  # 100 ms of 24 kHz PCM16
SPOKEN_TURN = (  # the events of a spoken turn every dialect names alike
    "session.updated",
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "input_audio_buffer.committed",
    "conversation.item.input_audio_transcription.completed",
    "response.created",
    "response.output_item.added",
    "response.content_part.added",
)


async def test_openai_realtime_client_completes_a_spoken_turn(paris_pcm16: bytes) -> None:
    async with LocalServer(api_key="sk-local-test", speech="off", realtime_factor=math.inf) as server:
        client = AsyncOpenAI(api_key="sk-local-test", websocket_base_url=f"{server.url}/v1")
        async with client.realtime.connect(model="gpt-realtime") as connection:
            await connection.session.update(
                session={
                    "type": "realtime",
                    "instructions": "Repeat what you hear.",
                    "audio": {
                        "input": {
                            "transcription": {"model": "whisper-1"},
                            "turn_detection": {"type": "server_vad", "silence_duration_ms": 400},
                        }
                    },
                }
            )
            for start in range(0, len(paris_pcm16), CHUNK):
                chunk = paris_pcm16[start : start + CHUNK]
                await connection.input_audio_buffer.append(audio=base64.b64encode(chunk).decode("ascii"))
            seen: list[str] = []
            audio = bytearray()
            transcript = ""
            async for event in connection:
                seen.append(event.type)
                if event.type == "response.output_audio.delta":
                    audio.extend(base64.b64decode(event.delta))
                elif event.type == "conversation.item.input_audio_transcription.completed":
                    transcript = event.transcript
                elif event.type == "response.done":
                    done = event.response
                    break
        await client.close()
    assert seen[0] == "session.created"
    for kind in (*SPOKEN_TURN, "conversation.item.added", "response.output_audio_transcript.delta"):
        assert kind in seen
    assert transcript.startswith("[speech ")
    assert done.status == "completed"
    assert done.output is not None
    assert done.output[0].type == "message"
    assert done.usage is not None
    assert done.usage.output_tokens
    assert len(audio) > 24000


async def test_azure_voicelive_client_completes_a_spoken_turn(paris_pcm16: bytes) -> None:
    async with (
        LocalServer(api_key="vl-local-test", speech="off", realtime_factor=math.inf) as server,
        voicelive_connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("vl-local-test"), model="gpt-realtime"
        ) as connection,
    ):
        await connection.session.update(
            session=RequestSession(
                modalities=[Modality.TEXT, Modality.AUDIO],
                instructions="Repeat what you hear.",
                input_audio_format=InputAudioFormat.PCM16,
                output_audio_format=OutputAudioFormat.PCM16,
                input_audio_transcription=AudioInputTranscriptionOptions(model="azure-speech"),
                turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500),
            )
        )
        for start in range(0, len(paris_pcm16), CHUNK):
            chunk = paris_pcm16[start : start + CHUNK]
            await connection.input_audio_buffer.append(audio=base64.b64encode(chunk).decode("ascii"))
        seen: list[str] = []
        audio = bytearray()
        transcript = ""
        async for event in connection:
            kind = str(event.type)
            seen.append(kind)
            if kind == "response.audio.delta":
                audio.extend(event.delta)
            elif kind == "conversation.item.input_audio_transcription.completed":
                transcript = event.transcript
            elif kind == "response.done":
                done = event.response
                break
    assert seen[0] == "session.created"
    for kind in (*SPOKEN_TURN, "conversation.item.created", "response.audio_transcript.delta"):
        assert kind in seen
    # The documented Voice Live order: the user's transcript before the user item.
    assert seen.index("conversation.item.input_audio_transcription.completed") < seen.index("conversation.item.created")
    assert transcript.startswith("[speech ")
    assert done.status == "completed"
    assert len(audio) > 24000


async def _turn(manager: Any, session: dict[str, Any], pcm16: bytes) -> tuple[list[str], bytes, Any]:
    """A spoken turn through one of the ``openai`` package's realtime connection managers: the event types, the
    response audio and the ``response.done`` response."""
    async with manager as connection:
        await connection.session.update(session=session)
        for start in range(0, len(pcm16), CHUNK):
            await connection.input_audio_buffer.append(audio=base64.b64encode(pcm16[start : start + CHUNK]).decode())
        seen: list[str] = []
        audio = bytearray()
        async for event in connection:
            seen.append(event.type)
            if event.type in ("response.audio.delta", "response.output_audio.delta"):
                audio.extend(base64.b64decode(event.delta))
            if event.type == "response.done":
                return seen, bytes(audio), event.response
    raise AssertionError("the connection ended before response.done")


async def test_azure_openai_clients_complete_a_spoken_turn_on_both_azure_paths(paris_pcm16: bytes) -> None:
    """``AsyncAzureOpenAI``: the preview client (beta events, ``/openai/realtime``) and the GA one (``/openai/v1``)."""
    async with LocalServer(api_key="az-local-test", speech="off", realtime_factor=math.inf) as server:
        preview = AsyncAzureOpenAI(
            azure_endpoint=server.endpoint,
            api_key="az-local-test",
            api_version="2025-04-01-preview",
            websocket_base_url=f"{server.url}/openai",
        )
        ga = AsyncAzureOpenAI(
            azure_endpoint=server.endpoint,
            api_key="az-local-test",
            api_version="2025-04-01-preview",
            websocket_base_url=f"{server.url}/openai/v1",
        )
        turns = [
            (
                preview.beta.realtime.connect(model="gpt-4o-realtime-preview"),
                {"input_audio_transcription": {"model": "whisper-1"}},
                ("response.audio_transcript.delta", "conversation.item.created"),
                "response.output_audio.delta",
            ),
            (
                ga.realtime.connect(model="gpt-realtime"),
                {"type": "realtime", "audio": {"input": {"transcription": {"model": "whisper-1"}}}},
                ("response.output_audio_transcript.delta", "conversation.item.added"),
                "response.audio.delta",
            ),
        ]
        for manager, session, own_names, other_dialects_name in turns:
            seen, audio, done = await _turn(manager, session, paris_pcm16)
            assert all(kind in seen for kind in (*SPOKEN_TURN, *own_names)), seen
            assert other_dialects_name not in seen
            assert done.status == "completed"
            assert len(audio) > 24000
        await preview.close()
        await ga.close()
