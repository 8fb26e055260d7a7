"""Session settings to the flat session mapping and to each dialect's wire shape; endpoint resolution."""

from __future__ import annotations

import pytest

from pyagent.realtime.dialects import DIALECTS, get_dialect
from pyagent.voice import Agent
from pyagent.voice._config import (
    DEFAULT_MODEL,
    AudioSettings,
    TurnDetectionSettings,
    build_flat_session,
    resolve_endpoint,
    resolve_model,
)
from pyagent.voice.errors import ConfigurationError


def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def flat(turn: TurnDetectionSettings | None = None) -> dict[str, object]:
    agent = Agent("a", "Be brief.", tools=[get_weather])
    return build_flat_session(
        voice="alloy",
        instructions="ignored: the agent's win",
        turn_detection=turn or TurnDetectionSettings(threshold=0.6, prefix_padding_ms=200, silence_duration_ms=800),
        language="en",
        transcription_model="whisper-1",
        agent_fields=agent.session_fields(),
    )


def test_flat_session() -> None:
    assert flat() == {
        "modalities": ["text", "audio"],
        "voice": "alloy",
        "instructions": "Be brief.",
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm16",
        "turn_detection": {
            "type": "server_vad",
            "threshold": 0.6,
            "prefix_padding_ms": 200,
            "silence_duration_ms": 800,
            "create_response": False,
            "interrupt_response": True,
        },
        "input_audio_transcription": {"model": "whisper-1", "language": "en"},
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                    "additionalProperties": False,
                },
            }
        ],
        "tool_choice": "auto",
    }
    assert flat(TurnDetectionSettings(enabled=False))["turn_detection"] is None


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_each_dialect_gets_its_shape_and_reads_it_back(name: str) -> None:
    dialect = get_dialect(name)
    session = flat()
    wire = dialect.session_to_wire(session)
    if dialect.session_shape == "nested":
        assert wire["audio"]["input"]["turn_detection"]["silence_duration_ms"] == 800
        assert wire["audio"]["output"]["voice"] == "alloy"
        assert wire["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    else:
        assert wire["turn_detection"]["silence_duration_ms"] == 800
        assert wire["voice"] == "alloy"
    assert wire["tools"][0]["name"] == "get_weather"
    back = dialect.session_from_wire(wire)
    assert back["turn_detection"] == session["turn_detection"]
    assert back["tools"] == session["tools"]
    assert back["instructions"] == "Be brief."


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="threshold"):
        TurnDetectionSettings(threshold=1.5)
    with pytest.raises(ConfigurationError, match="must not be negative"):
        TurnDetectionSettings(silence_duration_ms=-1)
    with pytest.raises(ConfigurationError, match="between 8000 and 48000"):
        AudioSettings(sample_rate=96000)
    with pytest.raises(ConfigurationError, match="g711_ulaw audio is 8000 Hz"):
        AudioSettings(sample_rate=16000, format="g711_ulaw")
    with pytest.raises(ConfigurationError, match="channels"):
        AudioSettings(channels=3)
    with pytest.raises(ConfigurationError, match="audio format must be one of"):
        AudioSettings().replace(format="mp3")
    assert AudioSettings().replace(format="g711_alaw") == AudioSettings(8000, 1, "g711_alaw")
    assert AudioSettings(8000, 1, "g711_ulaw").replace(format="pcm16").sample_rate == 24000
    assert AudioSettings(44100, 2).replace(channels=1) == AudioSettings(44100, 1)
    assert AudioSettings().is_service_format
    assert not AudioSettings(48000).is_service_format
    assert AudioSettings(8000, 1, "g711_ulaw").bytes_per_second == 8000


def test_endpoint_resolution_order() -> None:
    env = {
        "PYAGENT_ENDPOINT": "http://127.0.0.1:1",
        "PYAGENT_API_KEY": "k1",
        "PYAGENT_DIALECT": "azure-openai",
        "OPENAI_API_KEY": "k2",
        "AZURE_VOICELIVE_ENDPOINT": "https://x.services.ai.azure.com",
        "AZURE_VOICELIVE_API_KEY": "k3",
    }
    got = resolve_endpoint("http://h", None, None, env)
    assert (got.endpoint, got.credential, got.dialect, got.source) == ("http://h", "k1", "azure-openai", "endpoint=")
    got = resolve_endpoint("http://h", "mine", "voicelive", env)
    assert (got.credential, got.dialect) == ("mine", "voicelive")
    got = resolve_endpoint(None, None, None, env)
    assert (got.endpoint, got.credential, got.dialect) == ("http://127.0.0.1:1", "k1", "azure-openai")
    del env["PYAGENT_ENDPOINT"]
    got = resolve_endpoint(None, None, None, env)
    assert (got.endpoint, got.credential, got.dialect) == (None, "k2", "openai")  # the connection's default
    del env["OPENAI_API_KEY"]
    got = resolve_endpoint(None, None, None, env)
    assert (got.endpoint, got.credential, got.dialect) == ("https://x.services.ai.azure.com", "k3", "voicelive")
    assert "k3" not in repr(got)
    del env["AZURE_VOICELIVE_API_KEY"]
    with pytest.raises(ConfigurationError) as info:
        resolve_endpoint(None, None, None, env)
    for name in ("endpoint=", "PYAGENT_ENDPOINT", "PYAGENT_API_KEY", "OPENAI_API_KEY", "AZURE_VOICELIVE_ENDPOINT"):
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("model", "dialect", "resolved"),
    [
        ("gpt-4o-realtime", "openai", "gpt-realtime"),
        ("gpt-4o-realtime", "voicelive", "gpt-realtime"),
        ("gpt-realtime-mini", "openai", "gpt-realtime-mini"),
        ("my-deployment", "azure-openai", "my-deployment"),
        ("gpt-4o-realtime-preview", "azure-openai-ga", "gpt-4o-realtime-preview"),
    ],
)
def test_the_default_model_stands_for_the_services_current_one(model: str, dialect: str, resolved: str) -> None:
    assert resolve_model(model, dialect) == resolved


@pytest.mark.parametrize("dialect", ["azure-openai", "azure-openai-ga"])
def test_azure_openai_needs_a_deployment_name(dialect: str) -> None:
    with pytest.raises(ConfigurationError, match=r"model='<deployment>'.*model parameter"):
        resolve_model(DEFAULT_MODEL, dialect)
