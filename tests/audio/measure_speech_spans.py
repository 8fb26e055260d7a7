"""Measure where speech starts and ends in the fixture recordings, independently of the VoiceActivityDetector.

Run ``.venv/bin/python tests/audio/measure_speech_spans.py``; the numbers it prints are written into
``test_vad.py`` as the truth. Two independent measurements per file:

* the envelope: 5 ms frame levels in dBFS; a frame is loud when it is 20 dB above the background (the louder median
  of the first and last 200 ms) and within 45 dB of the loudest frame; runs of loud frames closer than 500 ms
  (server_vad's default silence) are merged and runs shorter than 100 ms (clicks) dropped;
* the words: pocketsphinx (if installed) aligns its recognised words at 10 ms resolution; the first word's start and
  the last word's end are printed beside the envelope for a cross-check.

The printed 10 ms levels around each boundary were then read by eye, with a voicing check (spectral centroid and
pitch periodicity) of the first 80 ms of each span; where the envelope rule caught a breath or a click rather than a
word, the test's truth says so.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pyagent.audio import Resampler, load_audio  # noqa: E402

FILES = [
    "espeak_stop_wait_a_moment_24k_pcm16_padded.wav",
    "espeak_what_is_the_weather_in_paris_24k_pcm16_padded.wav",
    "hibari_heart_stop_wait_a_moment_24k_pcm16_padded.wav",
    "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav",
    "openai-dotnet_realtime_whats_the_weather_pcm16_24khz_mono.wav",
    "openai-dotnet_realtime_api_description_pcm16_24khz_mono.wav",
    "aoai-realtime-audio-sdk_tell_me_the_weather_pcm16_24k_mono.raw",
]
FRAME = 120  # 5 ms at 24 kHz


def envelope_spans(samples: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray]:
    n = len(samples) // FRAME
    frames = samples[: n * FRAME].astype(np.float64).reshape(n, FRAME) / 32768
    levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    bar = max(np.median(levels[:40]), np.median(levels[-40:])) + 20, levels.max() - 45
    loud = np.nonzero(levels > max(bar))[0].tolist()
    runs: list[tuple[int, int]] = []
    start = previous = loud[0]
    for index in loud[1:]:
        if index - previous > 100:  # 500 ms
            runs.append((start, previous + 1))
            start = index
        previous = index
    runs.append((start, previous + 1))
    return [(start * 5, end * 5) for start, end in runs if end - start >= 20], levels  # 100 ms at least


def words(pcm24k: bytes) -> list[tuple[str, int, int]]:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        return []
    resampler = Resampler(24000, 16000)
    pcm16k = resampler.process(pcm24k) + resampler.flush()
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm16k, full_utt=True)
    decoder.end_utt()
    return [
        (seg.word, seg.start_frame * 10, (seg.end_frame + 1) * 10)
        for seg in decoder.seg()
        if seg.word not in ("<s>", "</s>", "<sil>", "[NOISE]")
    ]


def voicing(samples: np.ndarray, start_ms: int, end_ms: int) -> str:
    """Spectral centroid and pitch periodicity of a stretch: a vowel is low and periodic, a click or breath is not."""
    stretch = samples[start_ms * 24 : end_ms * 24].astype(np.float64)
    stretch -= stretch.mean()
    power = np.abs(np.fft.rfft(stretch * np.hanning(len(stretch)))) ** 2
    freqs = np.fft.rfftfreq(len(stretch), 1 / 24000)
    centroid = (power * freqs).sum() / power.sum()
    auto = np.correlate(stretch, stretch, "full")[len(stretch) - 1 :]
    auto /= auto[0]
    lag = int(np.argmax(auto[48:288])) + 48  # pitch periods of 2 to 12 ms
    return f"centroid {centroid:.0f} Hz, autocorrelation {auto[lag]:.2f} at {24000 / lag:.0f} Hz"


def main() -> None:
    for name in FILES:
        pcm = load_audio(ROOT / "fixtures" / "audio" / name)
        samples = np.frombuffer(pcm, dtype="<i2")
        spans, levels = envelope_spans(samples)
        aligned = words(pcm)
        print(name)
        print("  envelope spans (ms):", spans)
        if aligned:
            print(f"  words: first {aligned[0]}, last {aligned[-1]}")
        for start, end in spans:
            print(f"  voicing of the first 80 ms from {start}: {voicing(samples, start, start + 80)}")
            for label, at in (("onset", start), ("end", end)):
                lo = max(0, at // 5 - 12)
                around = " ".join(f"{i * 5}:{levels[i]:.0f}" for i in range(lo, min(len(levels), lo + 24), 2))
                print(f"  {label} {at}: {around}")


if __name__ == "__main__":
    main()
