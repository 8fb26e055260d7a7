"""The dialect values: session shapes and event names."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from pyagent.realtime.dialects import (
    AZURE_OPENAI,
    OPENAI,
    VOICELIVE,
    flat_session_to_nested,
    get_dialect,
    nested_session_to_flat,
)

SHARED = ROOT / "fixtures" / "events"

FLAT = {
    "instructions": "Be brief.",
    "modalities": ["text", "audio"],
    "voice": "alloy",
    "input_audio_format": "pcm16",
    "output_audio_format": "g711_ulaw",
    "input_audio_transcription": {"model": "whisper-1"},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500},
    "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
    "tool_choice": "auto",
    "max_response_output_tokens": "inf",
}


def test_flat_to_nested_places_every_key() -> None:
    nested = flat_session_to_nested(FLAT)
    assert nested["type"] == "realtime"
    assert nested["output_modalities"] == ["audio"]
    assert nested["max_output_tokens"] == "inf"
    assert nested["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert nested["audio"]["output"]["format"] == {"type": "audio/pcmu"}
    assert nested["audio"]["output"]["voice"] == "alloy"
    assert nested["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert nested["audio"]["input"]["transcription"] == {"model": "whisper-1"}
    assert nested["tools"] == FLAT["tools"]


def test_nested_back_to_flat_is_the_same_session() -> None:
    assert nested_session_to_flat(flat_session_to_nested(FLAT)) == FLAT


def test_null_turn_detection_survives_both_ways() -> None:
    nested = flat_session_to_nested({"turn_detection": None})
    assert nested["audio"]["input"]["turn_detection"] is None
    assert nested_session_to_flat(nested) == {"turn_detection": None}


def test_recorded_ga_session_reads_as_flat() -> None:
    record = json.loads((SHARED / "openai-dotnet_SessionRecord_CreateEphemeralToken.json").read_text())
    ga_session = record["Entries"][0]["ResponseBody"]["session"]
    flat = OPENAI.session_from_wire(ga_session)
    assert flat["modalities"] == ["text", "audio"]
    assert flat["input_audio_format"] == "pcm16"
    assert flat["voice"] == ga_session["audio"]["output"]["voice"]
    assert flat["instructions"] == "You are a friendly assistant."
    assert "audio" not in flat


def test_flat_dialects_send_flat_sessions_and_beta_names() -> None:
    assert VOICELIVE.session_to_wire(FLAT) == FLAT
    assert AZURE_OPENAI.server_event_name("response.output_audio.delta") == "response.audio.delta"
    assert OPENAI.server_event_name("response.output_audio.delta") == "response.output_audio.delta"
    assert VOICELIVE.canonical_event_name("response.audio_transcript.delta") == "response.output_audio_transcript.delta"
    assert OPENAI.uses_ga_names
    assert not VOICELIVE.uses_ga_names


def test_unknown_dialect_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown dialect 'nope'"):
        get_dialect("nope")
