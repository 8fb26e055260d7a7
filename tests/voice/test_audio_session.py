"""The user's audio format (configure_audio round trips), listen() on the recordings, configure_turn_detection."""

from __future__ import annotations

import asyncio
import math
import pathlib
from collections.abc import AsyncIterator

import pytest
from voice.conftest import DIALECTS, WEATHER_WAV, chunks, recorded_events

from conftest import FIXTURES
from pyagent import VoiceSession
from pyagent.audio import (
    AudioDeviceError,
    AudioFormat,
    VoiceActivityDetector,
    apply_gain,
    check_devices,
    convert,
    dbfs,
    read_wav,
)
from pyagent.server import LocalServer, Reply, ResponderContext
from pyagent.voice import ConfigurationError, ListenTimeoutError, SessionState
from pyagent.voice._audio_io import EchoGate

AUDIO = FIXTURES / "audio"


async def source(data: bytes, chunk_bytes: int, silence_bytes: int = 0) -> AsyncIterator[bytes]:
    """A microphone stand-in: the recording in small chunks, then silence for ever (or the end)."""
    for chunk in chunks(data, chunk_bytes):
        await asyncio.sleep(0)
        yield chunk
    while silence_bytes:
        await asyncio.sleep(0.001)
        yield b"\x00" * silence_bytes


def same_answer(context: ResponderContext) -> Reply:
    return Reply(text="The same answer every time.")


async def test_configure_audio_round_trips(weather_audio: bytes) -> None:
    """The user speaks and hears 8, 16, 44.1, 48 kHz (and stereo, and G.711); the service sees 24 kHz mono."""
    reference_format = AudioFormat(24000)
    async with (
        LocalServer(responder=same_answer, realtime_factor=math.inf) as server,
        VoiceSession(endpoint=server.endpoint, turn_detection=False).connect() as voice,
    ):
        heard: list[bytes] = []
        voice.on("audio")(heard.append)
        reference = await voice.respond(weather_audio)
        assert reference.input_transcript == "what is the weather in paris"
        for rate, channels, encoding in [
            (8000, 1, "pcm16"),
            (16000, 1, "pcm16"),
            (44100, 1, "pcm16"),
            (48000, 2, "pcm16"),
            (8000, 1, "g711_ulaw"),
        ]:
            voice.configure_audio(sample_rate=rate, channels=channels, format=encoding)
            user_format = AudioFormat(rate, channels, encoding)  # type: ignore[arg-type]
            heard.clear()
            response = await voice.respond(convert(weather_audio, reference_format, user_format))
            label = f"{rate} Hz x{channels} {encoding}"
            assert b"".join(heard) == response.audio, label  # the audio event gets it all, the resampler's tail too
            assert "weather in paris" in response.input_transcript, label  # 8 kHz is narrow band: close, not exact
            assert response.transcript == reference.transcript, label
            assert (response.sample_rate, response.channels, response.format) == (rate, channels, encoding)
            # The same answer, at the user's rate: as long as the 24 kHz one, to a few samples.
            assert abs(response.duration_ms - reference.duration_ms) <= 2, label
            assert len(response.audio) % user_format.frame_bytes == 0
        with pytest.raises(ConfigurationError, match="8000 Hz"):
            voice.configure_audio(sample_rate=16000, format="g711_ulaw")


@pytest.mark.parametrize(
    "name",
    [
        "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav",
        "espeak_what_is_the_weather_in_paris_24k_pcm16_padded.wav",
        "aoai-realtime-audio-sdk_audio_weather_alaw_8k.wav",
    ],
)
async def test_listen_cuts_the_utterance_and_respond_answers_it(server: LocalServer, name: str) -> None:
    data, fmt = read_wav(AUDIO / name)
    events: list[str] = []
    microphone = source(data, fmt.ms_to_bytes(20), silence_bytes=fmt.ms_to_bytes(20))
    session = VoiceSession(
        endpoint=server.endpoint, dialect="voicelive", sample_rate=fmt.sample_rate, audio_source=microphone
    )
    session.configure_audio(sample_rate=fmt.sample_rate, channels=1, format=fmt.encoding)
    session.configure_turn_detection(enabled=True, threshold=0.5, prefix_padding=300, silence_duration=500)
    session.on("speech_started")(lambda: events.append("started"))
    session.on("speech_ended")(lambda: events.append("ended"))
    async with session.connect() as voice:
        utterance = await voice.listen(timeout=10)
        assert events == ["started", "ended"]
        seconds = len(utterance) / fmt.bytes_per_second
        total = len(data) / fmt.bytes_per_second
        assert 1.0 < seconds < total  # the speech with its padding, not the whole recording
        response = await voice.respond(utterance)
    assert "weather" in response.input_transcript
    assert response.transcript.startswith("I heard:")
    assert response.format == fmt.encoding


async def test_listen_timeout_and_end_of_source(server: LocalServer, weather_audio: bytes) -> None:
    async with VoiceSession(endpoint=server.endpoint).connect() as voice:
        voice.set_audio_source(source(b"", 960, silence_bytes=960))
        with pytest.raises(ListenTimeoutError, match=r"within 0\.2 s"):
            await voice.listen(timeout=0.2)
        voice.set_audio_source(source(b"\x00" * 48000, 960))
        assert await voice.listen() == b""  # the source ended without speech
        # A recording that ends in the middle of speech still gives the utterance.
        voice.set_audio_source(source(weather_audio[: len(weather_audio) // 2], 960))
        assert len(await voice.listen()) > 0
        assert voice.state is SessionState.LISTENING


async def test_listen_cuts_with_the_configured_turn_detection(server: LocalServer, weather_audio: bytes) -> None:
    """threshold, prefix_padding and silence_duration reach listen()'s detector: it cuts where one built with them
    does, and the two settings cut differently (the padding and the silence are part of the utterance)."""
    settings = [(0.5, 0, 500), (0.95, 300, 1000)]
    expected: list[bytes] = []
    for threshold, padding, silence in settings:
        vad = VoiceActivityDetector(24000, threshold=threshold, prefix_padding_ms=padding, silence_duration_ms=silence)
        events = [event for chunk in chunks(weather_audio, 960) for event in vad.process(chunk)]
        expected.append(next(event.audio for event in events if event.kind == "speech_stopped"))
    assert len(expected[1]) - len(expected[0]) >= 700 * 48  # the settings matter: +300 ms padding, +500 ms silence
    async with VoiceSession(endpoint=server.endpoint, turn_detection=False).connect() as voice:
        for (threshold, padding, silence), utterance in zip(settings, expected, strict=True):
            voice.configure_turn_detection(
                enabled=False, threshold=threshold, prefix_padding=padding, silence_duration=silence
            )
            voice.set_audio_source(source(weather_audio, 960, silence_bytes=960))
            assert await voice.listen(timeout=10) == utterance


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_configure_turn_detection_updates_the_service(
    server: LocalServer, dialect: str, tmp_path: pathlib.Path
) -> None:
    async with VoiceSession(model="gpt-realtime", endpoint=server.endpoint, dialect=dialect).connect() as voice:
        voice.configure_turn_detection(threshold=0.7, prefix_padding=200, silence_duration=800)
        voice.configure_turn_detection(enabled=False)
        await voice.send_text("hello")
        assert (await voice.receive()).transcript == "I heard: hello."
    updates = [e["session"] for e in await recorded_events(server, tmp_path, "client") if e["type"] == "session.update"]
    if dialect in ("openai", "azure-openai-ga"):  # the GA session nests it under audio.input
        updates = [u.get("audio", {}).get("input", {}) for u in updates]
    turn_details = [u["turn_detection"] for u in updates if "turn_detection" in u]
    assert turn_details == [
        {
            "type": "server_vad",
            "threshold": 0.5,
            "prefix_padding_ms": 300,
            "silence_duration_ms": 500,
            "create_response": False,
            "interrupt_response": True,
        },
        {
            "type": "server_vad",
            "threshold": 0.7,
            "prefix_padding_ms": 200,
            "silence_duration_ms": 800,
            "create_response": False,
            "interrupt_response": True,
        },
        None,
    ]


def test_weather_fixture_exists() -> None:
    assert WEATHER_WAV.exists()


def test_echo_gate_passes_the_user_over_the_speaker_but_not_the_echo() -> None:
    data, _ = read_wav(WEATHER_WAV)
    speech = data[24000 : 24000 + 4800]  # 100 ms of speech
    quiet = apply_gain(speech, -30.0)  # the speaker's voice, heard back faintly
    gate = EchoGate(margin_db=6.0)
    assert gate.process(speech, None) == speech  # nothing plays: everything passes
    level = dbfs(speech) - 10.0  # the speaker plays 10 dB below the user
    assert gate.process(speech, level) == speech  # the user talks over it: barge-in stays possible
    assert gate.process(quiet, level) == b"\x00" * len(quiet)  # its own echo: silence of the same length


async def test_listen_without_a_source_uses_the_microphone(server: LocalServer) -> None:
    try:
        check_devices()
    except AudioDeviceError:
        pass
    else:
        pytest.skip("audio devices are available here; listen() would open the microphone")
    async with VoiceSession(endpoint=server.endpoint).connect() as voice:
        with pytest.raises(AudioDeviceError, match="install"):
            await voice.listen(timeout=1)
        assert voice.is_connected
