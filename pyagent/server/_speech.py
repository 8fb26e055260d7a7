"""The server's ears and voice: offline speech recognition and synthesis, with a deterministic fallback.

With the ``speech`` extra installed, pocketsphinx recognises what the user said and hibari-tts (its bundled voice
"heart" only: every other voice would download) speaks the replies. Both ship their models in their wheels, so nothing
is fetched at run time. Without them, the fallback keeps the protocol whole: recognition reports how long the speech
was (``"[speech 1.2 s]"``) and synthesis plays a tone per word, so the audio's length follows the text.

Models load once per process, on first use, and the work is synchronous: the server calls these objects through
``asyncio.to_thread`` so the event loop never waits on a model.
"""

from __future__ import annotations

import importlib
import logging
import threading
import zlib
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from pyagent._version import DISTRIBUTION
from pyagent.audio import Resampler, float32_to_pcm16
from pyagent.server.errors import ConfigurationError, SpeechUnavailableError

__all__ = [
    "DurationRecognizer",
    "HibariSynthesizer",
    "PocketsphinxRecognizer",
    "RECOGNIZER_RATE",
    "Recognizer",
    "SYNTHESIS_RATE",
    "SpeechEngines",
    "SpeechMode",
    "Synthesizer",
    "ToneSynthesizer",
    "load_speech_engines",
    "speech_unavailable_reason",
]

logger = logging.getLogger("pyagent.server")

SpeechMode = Literal["auto", "on", "off"]

RECOGNIZER_RATE = 16000
"""pocketsphinx's acoustic model is trained on 16 kHz audio."""
SYNTHESIS_RATE = 24000
"""Every synthesizer here produces 24 kHz PCM16 mono, the protocol's default output rate."""


class Recognizer(Protocol):
    """Turns an utterance into words."""

    name: str

    def recognize(self, pcm16: bytes, sample_rate: int) -> str:
        """The words in ``pcm16`` (mono, at ``sample_rate``), lower case, or a placeholder the fallback makes."""
        ...


class Synthesizer(Protocol):
    """Turns words into audio."""

    name: str

    def synthesize(self, text: str) -> bytes:
        """``text`` spoken as PCM16 mono at :data:`SYNTHESIS_RATE`."""
        ...


@dataclass(frozen=True, slots=True)
class SpeechEngines:
    """The recogniser and synthesizer a server uses; ``real`` is True when both are the speech extra's."""

    recognizer: Recognizer
    synthesizer: Synthesizer

    @property
    def real(self) -> bool:
        return not isinstance(self.recognizer, DurationRecognizer) and not isinstance(self.synthesizer, ToneSynthesizer)

    @property
    def description(self) -> str:
        """What a log line says is in use."""
        return f"recognition: {self.recognizer.name}, synthesis: {self.synthesizer.name}"


class DurationRecognizer:
    """The fallback recogniser: it cannot understand words, so it says how long the speech was."""

    name = "fallback (speech duration)"

    def recognize(self, pcm16: bytes, sample_rate: int) -> str:
        if not pcm16 or sample_rate <= 0:
            return ""
        return f"[speech {len(pcm16) / 2 / sample_rate:.1f} s]"


class ToneSynthesizer:
    """The fallback synthesizer: one short tone per word, its length following the word's, silence between words.

    Deterministic (the pitch of a word comes from a checksum of it), so recordings and tests repeat exactly.
    """

    name = "fallback (tones)"

    def __init__(self, *, ms_per_char: int = 55, gap_ms: int = 70, amplitude: float = 0.25) -> None:
        self._ms_per_char = ms_per_char
        self._gap = np.zeros(SYNTHESIS_RATE * gap_ms // 1000, dtype=np.float32)
        self._amplitude = amplitude

    def synthesize(self, text: str) -> bytes:
        parts: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        for word in text.split():
            length = SYNTHESIS_RATE * self._ms_per_char * max(1, len(word)) // 1000
            frequency = 220.0 + (zlib.crc32(word.lower().encode()) % 440)
            t = np.arange(length, dtype=np.float32) / SYNTHESIS_RATE
            tone = self._amplitude * np.sin(2.0 * np.pi * frequency * t).astype(np.float32)
            ramp = min(length // 4, SYNTHESIS_RATE // 200)  # 5 ms fades: no clicks
            if ramp:
                fade = np.linspace(0.0, 1.0, ramp, dtype=np.float32)
                tone[:ramp] *= fade
                tone[-ramp:] *= fade[::-1]
            parts.extend((tone, self._gap))
        if not parts:
            return b""
        return float32_to_pcm16(np.concatenate(parts))


class PocketsphinxRecognizer:
    """pocketsphinx with its bundled US English model and general language model.

    One decoder serves the whole process; a lock keeps calls from threads one at a time (a decoder holds one
    utterance at a time).
    """

    name = "pocketsphinx"

    def __init__(self) -> None:
        import pocketsphinx

        config = pocketsphinx.Config()
        config["loglevel"] = "FATAL"
        self._decoder: Any = pocketsphinx.Decoder(config)
        self._lock = threading.Lock()

    def recognize(self, pcm16: bytes, sample_rate: int) -> str:
        if sample_rate != RECOGNIZER_RATE:
            resampler = Resampler(sample_rate, RECOGNIZER_RATE)
            pcm16 = resampler.process(pcm16) + resampler.flush()
        if len(pcm16) < RECOGNIZER_RATE // 10:  # under ~50 ms: nothing to decode
            return ""
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(pcm16, False, True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
        return str(hypothesis.hypstr) if hypothesis is not None else ""


class HibariSynthesizer:
    """hibari-tts with its bundled voice "heart" (the only one that needs no download)."""

    name = "hibari-tts (voice heart)"

    def __init__(self) -> None:
        hibari: Any = importlib.import_module("hibari")  # untyped; imported by name so mypy needs no stubs
        self._tts: Any = hibari.Hibari(voice="heart")
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> bytes:
        if not text.strip():
            return b""
        with self._lock:
            # A fixed seed: the same text gives the same audio, so sessions and tests repeat.
            audio = self._tts(text, seed=0)
        return float32_to_pcm16(np.asarray(audio, dtype=np.float32))


_FALLBACK = SpeechEngines(recognizer=DurationRecognizer(), synthesizer=ToneSynthesizer())
_real_engines: SpeechEngines | None = None
_real_error: str | None = None
_load_lock = threading.Lock()


def _load_real() -> SpeechEngines | None:
    """Load the speech extra once per process; remember a failure so it is not retried on every connection."""
    global _real_engines, _real_error
    with _load_lock:
        if _real_engines is None and _real_error is None:
            try:
                engines = SpeechEngines(recognizer=PocketsphinxRecognizer(), synthesizer=HibariSynthesizer())
                engines.synthesizer.synthesize("Ready.")  # the first synthesis pays a one-off warm-up; not a user
                _real_engines = engines
            except ImportError as exc:
                _real_error = f"the speech extra is not installed ({exc.name or exc})"
            except (OSError, RuntimeError, ValueError) as exc:  # a model file missing or unreadable
                _real_error = f"the speech models failed to load ({type(exc).__name__}: {exc})"
        return _real_engines


def load_speech_engines(mode: SpeechMode) -> SpeechEngines:
    """The engines for ``mode``: ``"on"`` needs the speech extra, ``"auto"`` uses it when it loads, ``"off"`` never.

    Blocking (the first call loads models, about a second): call it off the event loop.

    Raises:
        SpeechUnavailableError: ``mode`` is ``"on"`` and the speech extra cannot be loaded.
        ConfigurationError: ``mode`` is not one of the three (also a ValueError).
    """
    if mode == "off":
        return _FALLBACK
    if mode not in ("auto", "on"):
        raise ConfigurationError(f"speech must be 'auto', 'on' or 'off', not {mode!r}")
    engines = _load_real()
    if engines is not None:
        return engines
    if mode == "on":
        raise SpeechUnavailableError(
            f"speech='on' but {_real_error}; install the extra: pip install '{DISTRIBUTION}[speech]'"
        )
    return _FALLBACK


def speech_unavailable_reason() -> str | None:
    """Why the real engines could not be loaded, once a load was tried; None when they loaded or were not tried."""
    return _real_error
