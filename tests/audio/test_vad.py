"""VoiceActivityDetector on real speech against spans measured independently, on silence and steady noise.

The truth. ``tests/audio/measure_speech_spans.py`` measures each recording without the detector: 5 ms frame levels,
a frame counts when it is 20 dB above the background and within 45 dB of the loudest frame, runs closer than 500 ms
merged, runs under 100 ms dropped; beside it, pocketsphinx's word alignment (first word's start, last word's end)
and the 10 ms levels around each boundary, read by eye. The envelope rule's numbers are the truth except in two
places where the by-eye reading disagrees, both noted below.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import FIXTURES
from pyagent.audio import (
    AudioFormatError,
    Resampler,
    VadEvent,
    VoiceActivityDetector,
    alaw_decode,
    float32_to_pcm16,
    load_audio,
    pcm16_to_float32,
    read_wav,
)

AUDIO = FIXTURES / "audio"
TOLERANCE_MS = 100

# file -> [(start_ms, end_ms), ...] with the default server_vad parameters (500 ms of silence ends speech)
TRUTH: dict[str, list[tuple[int, int]]] = {
    "espeak_stop_wait_a_moment_24k_pcm16_padded.wav": [(310, 1800)],
    "espeak_what_is_the_weather_in_paris_24k_pcm16_padded.wav": [(300, 1745)],
    "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav": [(570, 1760)],
    "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav": [(605, 1970)],
    "openai-dotnet_realtime_whats_the_weather_pcm16_24khz_mono.wav": [(560, 2645)],
    # By eye: the envelope rule starts at 615, on a 50 ms click (-41..-29 dBFS over a -60 dBFS background) that
    # stands 230 ms before the first word; the level rises into the first word at 880 ("In the Realtime API...").
    # The aligner starts "In" at 870 (and puts a spurious "it's" on the click, followed by 170 ms of silence); the
    # voicing check says the click holds no vowel: 610-665 ms is unvoiced (spectral centroid 5.3 kHz,
    # autocorrelation 0.08), 880-960 ms voiced (centroid 245 Hz, autocorrelation 0.72 at a 135 Hz pitch).
    # The 630 ms pause at 5.5 s splits the recording in two utterances.
    "openai-dotnet_realtime_api_description_pcm16_24khz_mono.wav": [(880, 5400), (6160, 11235)],
    # By eye: the envelope rule ends at 2900 on a faint tail (-55..-75 dBFS, 35 dB below the words, over a digital
    # -110 dBFS background) that the aligner marks as silence; the last word ("weather") ends at 2530.
    "aoai-realtime-audio-sdk_tell_me_the_weather_pcm16_24k_mono.raw": [(850, 2530)],
}


def detect(pcm: bytes, chunk_ms: int = 20, sample_rate: int = 24000, **kwargs: object) -> list[VadEvent]:
    detector = VoiceActivityDetector(sample_rate, **kwargs)  # type: ignore[arg-type]
    size = 2 * sample_rate * chunk_ms // 1000
    events: list[VadEvent] = []
    for start in range(0, len(pcm), size):
        events += detector.process(pcm[start : start + size])
    return events + detector.flush()


def spans(events: list[VadEvent]) -> list[tuple[int, int]]:
    kinds = [event.kind for event in events]
    assert kinds == ["speech_started", "speech_stopped"] * (len(events) // 2)
    return [(events[i].audio_ms, events[i + 1].audio_ms) for i in range(0, len(events), 2)]


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_speech_spans_match_the_measured_truth(name: str) -> None:
    found = spans(detect(load_audio(AUDIO / name)))
    truth = TRUTH[name]
    assert len(found) == len(truth), found
    for (start, end), (true_start, true_end) in zip(found, truth, strict=True):
        assert abs(start - true_start) <= TOLERANCE_MS, (start, true_start)
        assert abs(end - true_end) <= TOLERANCE_MS, (end, true_end)


@pytest.mark.parametrize("chunk_ms", [10, 20, 33, 100, 1000])
def test_chunk_size_does_not_change_the_result(long_speech: bytes, chunk_ms: int) -> None:
    reference = detect(long_speech, 20)
    assert detect(long_speech, chunk_ms) == reference
    # Uneven chunks too, with odd sample counts.
    detector = VoiceActivityDetector()
    events: list[VadEvent] = []
    position, sizes = 0, [2, 478, 962, 4802, 18]
    while position < len(long_speech):
        size = sizes[(position // 2) % len(sizes)]
        events += detector.process(long_speech[position : position + size])
        position += size
    assert events + detector.flush() == reference


def test_utterance_audio_carries_the_prefix_padding(speech: bytes) -> None:
    events = detect(speech, prefix_padding_ms=300, silence_duration_ms=500)
    started, stopped = events
    assert started.audio == b""
    assert stopped.audio_start_ms == started.audio_ms - 300
    # The utterance runs from the padding to the moment the stop was decided (end + silence duration).
    expected_start = stopped.audio_start_ms * 48
    decided = (stopped.audio_ms + 500) * 48
    assert stopped.audio == speech[expected_start:decided]
    assert len(stopped.audio) == decided - expected_start


def test_prefix_padding_is_clipped_at_the_stream_start(speech: bytes) -> None:
    _, stopped = detect(speech, prefix_padding_ms=2000)
    assert stopped.audio_start_ms == 0
    assert stopped.audio == speech[: len(stopped.audio)]


def test_silence_duration_sets_the_split(long_speech: bytes) -> None:
    # The 630 ms pause splits the recording with 500 ms; with 800 ms it is one utterance.
    assert len(spans(detect(long_speech, silence_duration_ms=500))) == 2
    assert len(spans(detect(long_speech, silence_duration_ms=800))) == 1
    # With 200 ms shorter pauses between phrases split it further.
    assert len(spans(detect(long_speech, silence_duration_ms=200))) > 2


def test_threshold_trades_sensitivity(speech: bytes) -> None:
    quiet = float32_to_pcm16(pcm16_to_float32(speech) * 0.05)  # -26 dB: speech peaks near -36 dBFS
    assert len(spans(detect(quiet, threshold=0.3))) == 1
    assert detect(quiet, threshold=0.9) == []


@pytest.mark.parametrize("seconds", [0.05, 10.0])
def test_digital_silence_gives_nothing(seconds: float) -> None:
    assert detect(bytes(int(48000 * seconds))) == []


@pytest.mark.parametrize("level_db", [-70, -50, -30, -15])
@pytest.mark.parametrize("kind", ["white", "brown", "hum"])
def test_steady_noise_gives_no_false_start(kind: str, level_db: float) -> None:
    rng = np.random.default_rng(7)
    n = 24000 * 6
    if kind == "white":
        noise = rng.standard_normal(n)
    elif kind == "brown":
        noise = np.cumsum(rng.standard_normal(n))
        noise -= np.convolve(noise, np.ones(2400) / 2400, "same")  # keep it centred: a rumble, not a drift
    else:
        t = np.arange(n) / 24000
        noise = np.sin(2 * np.pi * 50 * t) + 0.3 * np.sin(2 * np.pi * 150 * t)
    noise *= 10 ** (level_db / 20) / np.sqrt(np.mean(noise**2))
    detector = VoiceActivityDetector()
    assert detect(float32_to_pcm16(noise)) == []
    if kind == "white":  # the floor settles on the noise (frames lose their DC, which only white noise lacks)
        detector.process(float32_to_pcm16(noise))
        assert detector.noise_floor_db == pytest.approx(level_db, abs=3)


def test_speech_over_steady_noise_is_found(speech: bytes) -> None:
    rng = np.random.default_rng(3)
    clean = pcm16_to_float32(speech)
    noise = rng.standard_normal(len(clean)).astype(np.float32)
    noise *= 10 ** (-50 / 20)  # 20 dB under the speech's loud parts
    found = spans(detect(float32_to_pcm16(clean + noise)))
    (true_start, true_end) = TRUTH["hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"][0]
    assert len(found) == 1
    assert abs(found[0][0] - true_start) <= TOLERANCE_MS
    assert abs(found[0][1] - true_end) <= TOLERANCE_MS


def test_a_click_is_not_speech() -> None:
    signal = np.zeros(24000 * 2, dtype=np.float32)
    signal[24000 : 24000 + 480] = 0.8  # a 20 ms pop
    assert detect(float32_to_pcm16(signal)) == []


@pytest.mark.parametrize("path", sorted(AUDIO.glob("*alaw*.wav")), ids=lambda p: p.name)
def test_sample_rate_does_not_change_the_result(path: object) -> None:
    # The A-law recordings at their own 8 kHz and resampled to 24 kHz: the same spans within a frame or two.
    codes, _ = read_wav(path)  # type: ignore[arg-type]
    at_8k = alaw_decode(codes)
    resampler = Resampler(8000, 24000)
    at_24k = resampler.process(at_8k) + resampler.flush()
    found_8k = spans(detect(at_8k, sample_rate=8000))
    found_24k = spans(detect(at_24k))
    assert len(found_8k) == len(found_24k) == 1
    assert abs(found_8k[0][0] - found_24k[0][0]) <= 20
    assert abs(found_8k[0][1] - found_24k[0][1]) <= 20


def test_state_flush_and_reset(speech: bytes) -> None:
    detector = VoiceActivityDetector()
    cut = 48 * 1200  # in the middle of the sentence
    events = detector.process(speech[:cut])
    assert [e.kind for e in events] == ["speech_started"]
    assert detector.in_speech
    assert detector.position_ms == 1200
    (stopped,) = detector.flush()
    assert stopped.kind == "speech_stopped"
    assert not detector.in_speech
    assert detector.flush() == []
    detector.reset()
    assert detector.position_ms == 0
    assert detector.noise_floor_db is None
    assert spans(detector.process(speech) + detector.flush()) == spans(detect(speech))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": -0.1}, "threshold"),
        ({"prefix_padding_ms": -1}, "prefix_padding_ms"),
        ({"silence_duration_ms": 0}, "silence_duration_ms"),
        ({"sample_rate": 1000}, "sample rate"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        VoiceActivityDetector(**kwargs)  # type: ignore[arg-type]


def test_odd_byte_count_is_rejected() -> None:
    with pytest.raises(AudioFormatError, match="3 bytes"):
        VoiceActivityDetector().process(b"\x00\x00\x00")
