"""The dialect values: session shapes and event names."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from pyagent.realtime.dialects import (
    AZURE_OPENAI,
    AZURE_OPENAI_GA,
    OPENAI,
    VOICELIVE,
    detect_dialect,
    flat_session_to_nested,
    get_dialect,
    is_loopback_host,
    nested_session_to_flat,
    resolve_dialect,
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


# -- URLs, auth and auto detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "endpoint", "kwargs", "url"),
    [
        (
            "openai",
            "https://api.openai.com/v1",
            {"model": "gpt-realtime"},
            "wss://api.openai.com/v1/realtime?model=gpt-realtime",
        ),
        ("openai", "https://api.openai.com", {}, "wss://api.openai.com/v1/realtime"),
        (
            "azure-openai",
            "https://res.openai.azure.com/",
            {"model": "dep"},
            "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=dep",
        ),
        (
            "azure-openai-ga",
            "https://res.openai.azure.com",
            {"model": "dep"},
            "wss://res.openai.azure.com/openai/v1/realtime?model=dep",
        ),
        (
            "voicelive",
            "https://res.services.ai.azure.com",
            {"model": "gpt-realtime"},
            "wss://res.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime",
        ),
        (
            "voicelive",
            "wss://res.cognitiveservices.azure.com/voice-live/realtime",
            {"model": "m", "api_version": "2026-01-01-preview"},
            "wss://res.cognitiveservices.azure.com/voice-live/realtime?api-version=2026-01-01-preview&model=m",
        ),
        ("voicelive", "http://127.0.0.1:8765", {}, "ws://127.0.0.1:8765/voice-live/realtime?api-version=2025-10-01"),
    ],
)
def test_build_url(dialect: str, endpoint: str, kwargs: dict[str, str], url: str) -> None:
    assert get_dialect(dialect).build_url(endpoint, **kwargs).url == url


def test_build_url_refuses_what_the_dialect_does_not_take() -> None:
    with pytest.raises(ValueError, match="api_version"):
        OPENAI.build_url("https://api.openai.com/v1", api_version="2025-01-01")
    with pytest.raises(ValueError, match="http"):
        VOICELIVE.build_url("res.services.ai.azure.com")


@pytest.mark.parametrize(
    ("endpoint", "api_version", "name"),
    [
        ("https://api.openai.com/v1", None, "openai"),
        ("https://res.openai.azure.com", None, "azure-openai"),
        ("https://res.openai.azure.com", "v1", "azure-openai-ga"),
        ("https://res.openai.azure.com/openai/v1", None, "azure-openai-ga"),
        ("https://res.services.ai.azure.com", None, "voicelive"),
        ("https://res.cognitiveservices.azure.com", None, "voicelive"),
        ("https://res.cognitiveservices.azure.com/openai/realtime", None, "azure-openai"),
        ("http://127.0.0.1:9/v1", None, "openai"),
        ("http://127.0.0.1:9/openai/v1/realtime", None, "azure-openai-ga"),
        ("http://127.0.0.1:9", None, "voicelive"),
        ("https://proxy.example.com/voice-live", None, "voicelive"),
    ],
)
def test_detect_dialect(endpoint: str, api_version: str | None, name: str) -> None:
    assert detect_dialect(endpoint, api_version).name == name


def test_resolve_dialect_and_auth_headers() -> None:
    assert resolve_dialect("azure-openai", "https://x", "v1") is AZURE_OPENAI_GA
    assert resolve_dialect(VOICELIVE, "https://x") is VOICELIVE
    assert OPENAI.auth_header("key", "k") == ("Authorization", "Bearer k")
    assert AZURE_OPENAI.auth_header("key", "k") == ("api-key", "k")
    assert VOICELIVE.auth_header("token", "t") == ("Authorization", "Bearer t")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
