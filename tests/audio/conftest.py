"""Fixtures for the audio tests: the speech recordings in ``fixtures/audio``."""

from __future__ import annotations

import pathlib

import pytest

from conftest import FIXTURES
from pyagent.audio import load_audio

AUDIO = FIXTURES / "audio"
API_DESCRIPTION = AUDIO / "openai-dotnet_realtime_api_description_pcm16_24khz_mono.wav"
HIBARI_WEATHER = AUDIO / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
ALAW_FILES = sorted(AUDIO.glob("*alaw*.wav"))


@pytest.fixture(scope="session")
def audio_dir() -> pathlib.Path:
    return AUDIO


@pytest.fixture(scope="session")
def speech() -> bytes:
    """ "What is the weather in Paris?" as PCM16 mono 24 kHz (3.1 s)."""
    return load_audio(HIBARI_WEATHER)


@pytest.fixture(scope="session")
def long_speech() -> bytes:
    """12.2 s of speech as PCM16 mono 24 kHz."""
    return load_audio(API_DESCRIPTION)
