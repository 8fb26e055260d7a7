"""Energy-based voice activity detection with the parameters of the realtime APIs' ``server_vad``.

Theory of operation. The stream is cut into 10 ms frames at fixed positions from its start, whatever the chunk sizes
that arrive, so the result does not depend on chunking. Each frame's level is its mean power with the DC removed, in
dBFS. A frame is speech when its level is above both

* the noise floor plus a margin, and
* an absolute level, so that near-silence with a very low floor is not speech.

``threshold`` (0..1, server_vad's sensitivity knob; higher means less sensitive) sets both: the margin is
``6 + 24 * threshold`` dB (18 dB at the default 0.5) and the absolute level ``-70 + 40 * threshold`` dBFS (-50 dBFS).
Inside speech the bar is 6 dB lower (hysteresis), so fading word endings stay in the utterance.

The noise floor starts at the first frame's level (a stream starts with background, not with a word), falls quickly
towards quieter frames (half the way each frame) and rises at most 3 dB per second, so steady noise of any level
becomes the floor and never starts speech, while a sudden change in noise ends a false utterance within seconds.

Speech starts after 50 ms of speech frames (gaps of up to 30 ms allowed), dated at its first speech frame; it stops
once ``silence_duration_ms`` have passed without a speech frame, dated at the end of the last speech frame. The
``speech_stopped`` event carries the utterance: from ``prefix_padding_ms`` before the start (as far as the stream
goes back) to the moment the stop was decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from pyagent.audio._convert import Bytes
from pyagent.audio._format import AudioFormat, check_whole_frames
from pyagent.audio.errors import ConfigurationError

__all__ = ["VadEvent", "VadEventKind", "VoiceActivityDetector"]

VadEventKind = Literal["speech_started", "speech_stopped"]

_FRAME_MS: Final = 10
_START_FRAMES: Final = 5  # speech frames needed to declare speech (50 ms)
_START_GAP_FRAMES: Final = 3  # quiet frames that abandon a would-be start
_HYSTERESIS_DB: Final = 6.0
_FLOOR_MIN_DB: Final = -100.0
_FLOOR_RISE_DB_PER_S: Final = 3.0
_FLOOR_FALL: Final = 0.5  # share of the way to a quieter frame: fast, but one quiet frame does not set the floor
_POWER_EPSILON: Final = 1e-12  # -120 dBFS: digital silence gets a finite level


@dataclass(frozen=True, slots=True)
class VadEvent:
    """A change of speech state.

    Attributes:
        kind: ``"speech_started"`` or ``"speech_stopped"``.
        audio_ms: milliseconds from the stream start where speech began (started; before the padding) or ended
            (stopped).
        audio: on ``speech_stopped`` the utterance, PCM16 from ``audio_start_ms``, prefix padding included, to the
            moment the stop was decided; empty on ``speech_started``.
        audio_start_ms: where ``audio`` begins, in milliseconds from the stream start (``audio_ms`` minus the prefix
            padding, or 0 if the stream is shorter).
    """

    kind: VadEventKind
    audio_ms: int
    audio: bytes = field(default=b"", repr=False)
    audio_start_ms: int = 0


class VoiceActivityDetector:
    """Find where speech starts and stops in a PCM16 mono stream fed in chunks of any size.

    Args:
        sample_rate: rate of the stream.
        threshold: sensitivity from 0 (most sensitive) to 1, mapped to energy levels as the module describes.
        prefix_padding_ms: audio kept before the start of speech in the utterance.
        silence_duration_ms: silence that ends speech.

    Raises:
        AudioFormatError: an unsupported rate, or a parameter out of range.
    """

    def __init__(
        self,
        sample_rate: int = 24000,
        threshold: float = 0.5,
        prefix_padding_ms: int = 300,
        silence_duration_ms: int = 500,
    ) -> None:
        self._format = AudioFormat(sample_rate)
        if not (isinstance(threshold, int | float) and 0.0 <= threshold <= 1.0):
            raise ConfigurationError(f"threshold must be from 0 to 1, got {threshold!r}")
        if not (isinstance(prefix_padding_ms, int) and 0 <= prefix_padding_ms <= 10_000):
            raise ConfigurationError(f"prefix_padding_ms must be 0..10000, got {prefix_padding_ms!r}")
        if not (isinstance(silence_duration_ms, int) and _FRAME_MS <= silence_duration_ms <= 10_000):
            raise ConfigurationError(f"silence_duration_ms must be {_FRAME_MS}..10000, got {silence_duration_ms!r}")
        self.threshold = float(threshold)
        self.prefix_padding_ms = prefix_padding_ms
        self.silence_duration_ms = silence_duration_ms
        self.margin_db = 6.0 + 24.0 * self.threshold
        """Level above the noise floor that counts as speech."""
        self.absolute_db = -70.0 + 40.0 * self.threshold
        """Level in dBFS below which nothing counts as speech."""
        self._frame_samples = self._format.ms_to_samples(_FRAME_MS)
        self._frame_bytes = 2 * self._frame_samples
        self._prefix_samples = self._format.ms_to_samples(prefix_padding_ms)
        self._silence_samples = self._format.ms_to_samples(silence_duration_ms)
        self._rise_per_frame = _FLOOR_RISE_DB_PER_S * self._frame_samples / self._format.sample_rate
        self.reset()

    def __repr__(self) -> str:
        return (
            f"VoiceActivityDetector({self._format.sample_rate}, threshold={self.threshold}, "
            f"prefix_padding_ms={self.prefix_padding_ms}, silence_duration_ms={self.silence_duration_ms})"
        )

    def reset(self) -> None:
        """Start a new stream: time goes back to 0 and the noise floor is learnt again."""
        self._partial = b""
        self._history = bytearray()  # whole frames from sample _history_start to _position
        self._history_start = 0
        self._position = 0  # samples of whole frames processed
        self._floor_db: float | None = None
        self._in_speech = False
        self._speech_start = 0
        self._last_speech_end = 0
        self._candidate_start: int | None = None
        self._candidate_frames = 0
        self._candidate_gap = 0

    @property
    def in_speech(self) -> bool:
        """True between ``speech_started`` and ``speech_stopped``."""
        return self._in_speech

    @property
    def noise_floor_db(self) -> float | None:
        """The current noise floor estimate in dBFS (None before the first frame)."""
        return self._floor_db

    @property
    def position_ms(self) -> int:
        """Milliseconds of the stream analysed so far (whole frames)."""
        return self._ms(self._position)

    def process(self, pcm16: Bytes) -> list[VadEvent]:
        """Analyse the next chunk of the stream and return the events it completes, in order.

        Raises:
            AudioFormatError: an odd byte count.
        """
        check_whole_frames(pcm16, 2)
        data = self._partial + bytes(pcm16) if self._partial else bytes(pcm16)
        n_frames = len(data) // self._frame_bytes
        whole = n_frames * self._frame_bytes
        self._partial = data[whole:]
        if not n_frames:
            return []
        self._history += memoryview(data)[:whole]
        events: list[VadEvent] = []
        for level in self._levels(data, n_frames).tolist():
            event = self._step(level)
            if event is not None:
                events.append(event)
        self._trim()
        return events

    def flush(self) -> list[VadEvent]:
        """End the stream: a ``speech_stopped`` if speech is in progress (then the detector is idle)."""
        if not self._in_speech:
            return []
        return [self._stop(self._position)]

    def _levels(self, data: bytes, n_frames: int) -> npt.NDArray[np.float32]:
        frames = np.frombuffer(data, dtype="<i2", count=n_frames * self._frame_samples).reshape(n_frames, -1)
        samples = frames.astype(np.float32)
        samples -= samples.mean(axis=1, keepdims=True)
        power = np.einsum("ij,ij->i", samples, samples) / (self._frame_samples * 32768.0 * 32768.0)
        levels: npt.NDArray[np.float32] = 10.0 * np.log10(power + _POWER_EPSILON)
        return levels

    def _step(self, level: float) -> VadEvent | None:
        start = self._position
        self._position += self._frame_samples
        end = self._position
        if self._floor_db is None:
            self._floor_db = max(level, _FLOOR_MIN_DB)
        bar = max(self._floor_db + self.margin_db, self.absolute_db)
        if self._in_speech:
            bar -= _HYSTERESIS_DB
        is_speech = level > bar
        if level < self._floor_db:
            self._floor_db = max(self._floor_db + _FLOOR_FALL * (level - self._floor_db), _FLOOR_MIN_DB)
        else:
            self._floor_db = min(level, self._floor_db + self._rise_per_frame)

        if self._in_speech:
            if is_speech:
                self._last_speech_end = end
            elif end - self._last_speech_end >= self._silence_samples:
                return self._stop(end)
            return None
        if is_speech:
            if self._candidate_start is None:
                self._candidate_start = start
                self._candidate_frames = 0
            self._candidate_frames += 1
            self._candidate_gap = 0
            if self._candidate_frames >= _START_FRAMES:
                self._in_speech = True
                self._speech_start = self._candidate_start
                self._last_speech_end = end
                self._candidate_start = None
                return VadEvent("speech_started", self._ms(self._speech_start))
        elif self._candidate_start is not None:
            self._candidate_gap += 1
            if self._candidate_gap >= _START_GAP_FRAMES:
                self._candidate_start = None
        return None

    def _stop(self, decided_at: int) -> VadEvent:
        self._in_speech = False
        self._candidate_start = None
        first = max(self._history_start, self._speech_start - self._prefix_samples)
        offset = 2 * (first - self._history_start)
        audio = bytes(self._history[offset : offset + 2 * (decided_at - first)])
        return VadEvent("speech_stopped", self._ms(self._last_speech_end), audio, self._ms(first))

    def _trim(self) -> None:
        """Keep only the history a future utterance can need: its prefix padding and any would-be start."""
        keep_from = self._position - self._prefix_samples - self._frame_samples * _START_FRAMES * 2
        if self._in_speech:
            keep_from = self._speech_start - self._prefix_samples
        elif self._candidate_start is not None:
            keep_from = min(keep_from, self._candidate_start - self._prefix_samples)
        drop = keep_from - self._history_start
        if drop > 0:
            del self._history[: 2 * drop]
            self._history_start += drop

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self._format.sample_rate
