"""The server's ears and voice: the real engines on the project's recordings, and the deterministic fallback."""

from __future__ import annotations

import base64
import math

import pytest

from pyagent.audio import AudioFormat, Resampler, convert, load_audio
from pyagent.server import LocalServer, SpeechUnavailableError
from pyagent.server._speech import DurationRecognizer, SpeechEngines, ToneSynthesizer, load_speech_engines

from .conftest import AUDIO, PARIS, STOP


def test_fallback_recognizer_reports_the_duration() -> None:
    assert DurationRecognizer().recognize(b"\0\0" * (24000 * 3 // 2), 24000) == "[speech 1.5 s]"
    assert DurationRecognizer().recognize(b"\0\0" * 8000, 8000) == "[speech 1.0 s]"


def test_fallback_synthesis_is_deterministic_and_its_length_follows_the_text() -> None:
    tones = ToneSynthesizer()
    short = tones.synthesize("hello")
    long = tones.synthesize("hello there, this sentence is a good deal longer")
    assert short == tones.synthesize("hello")
    assert len(long) > 3 * len(short)
    assert tones.synthesize("   ") == b""
    assert len(short) % 2 == 0


def test_speech_off_never_loads_the_models() -> None:
    engines = load_speech_engines("off")
    assert not engines.real
    assert "fallback" in engines.description
    with pytest.raises(ValueError, match="speech must be"):
        load_speech_engines("maybe")  # type: ignore[arg-type]


def test_speech_on_and_auto_give_the_real_engines(real_speech: SpeechEngines) -> None:
    assert real_speech.real
    assert load_speech_engines("auto") is real_speech
    assert "pocketsphinx" in real_speech.description


@pytest.mark.parametrize(
    ("name", "words"),
    [(PARIS.name, "what is the weather in paris"), (STOP.name, "stop wait a moment")],
)
def test_recognizes_the_hibari_recordings_word_for_word(real_speech: SpeechEngines, name: str, words: str) -> None:
    assert real_speech.recognizer.recognize(load_audio(AUDIO / name), 24000) == words


def test_recognizes_8_khz_telephone_audio(real_speech: SpeechEngines) -> None:
    pcm8k = Resampler(24000, 8000).process(load_audio(PARIS))
    heard = real_speech.recognizer.recognize(pcm8k, 8000)
    assert "weather" in heard


def test_synthesis_is_heard_back_word_for_word(real_speech: SpeechEngines) -> None:
    audio = real_speech.synthesizer.synthesize("I heard: stop wait a moment.")
    assert 1.0 < len(audio) / 48000 < 5.0
    assert real_speech.recognizer.recognize(audio, 24000) == "i heard stop wait a moment"


async def test_closed_loop_through_the_server(real_speech: SpeechEngines, connect, paris_pcm16: bytes) -> None:
    """The recording goes in, its words come out as the transcript, and the spoken answer is heard as said."""
    async with LocalServer(speech="on", realtime_factor=math.inf) as server:
        client = await connect(server, "/openai/realtime?api-version=2025-04-01-preview&deployment=d")
        await client.send({"type": "session.update", "session": {"input_audio_transcription": {"model": "whisper-1"}}})
        await client.append_audio(paris_pcm16)
        events = await client.until("response.done")
    transcript = next(e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed")
    assert transcript["transcript"] == "what is the weather in paris"
    said = events[-1]["response"]["output"][0]["content"][0]["transcript"]
    assert said == "I heard: what is the weather in paris."
    audio = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta")
    assert real_speech.recognizer.recognize(audio, 24000) == "i heard what is the weather in paris"


async def test_closed_loop_with_g711_both_ways(real_speech: SpeechEngines, connect, paris_pcm16: bytes) -> None:
    ulaw = convert(paris_pcm16, AudioFormat(), AudioFormat.from_wire("g711_ulaw"))
    async with LocalServer(speech="on", realtime_factor=math.inf) as server:
        client = await connect(server, "/voice-live/realtime?api-version=2025-10-01&model=m")
        await client.send(
            {
                "type": "session.update",
                "session": {
                    "input_audio_format": "g711_ulaw",
                    "output_audio_format": "g711_ulaw",
                    "input_audio_transcription": {"model": "azure-speech"},
                },
            }
        )
        for start in range(0, len(ulaw), 800):
            await client.send({"type": "input_audio_buffer.append", "audio": ulaw[start : start + 800]})
        events = await client.until("response.done")
    transcript = next(e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed")
    assert "weather" in transcript["transcript"]
    audio = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta")
    pcm8k = convert(audio, AudioFormat.from_wire("g711_ulaw"), AudioFormat(sample_rate=8000))
    assert "heard" in real_speech.recognizer.recognize(pcm8k, 8000)


async def test_speech_on_without_the_extra_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for a machine without the extra: the load failure is remembered and reported, never retried."""
    from pyagent.server import _speech

    monkeypatch.setattr(_speech, "_real_engines", None)
    monkeypatch.setattr(_speech, "_real_error", "the speech extra is not installed (pocketsphinx)")
    with pytest.raises(SpeechUnavailableError, match="pocketsphinx"):
        async with LocalServer(speech="on"):
            pass
    assert not load_speech_engines("auto").real
