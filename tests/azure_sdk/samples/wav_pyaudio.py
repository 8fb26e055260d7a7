"""A stand-in for the ``pyaudio`` module the Azure samples open their microphone and speaker with.

The microphone plays a WAV file and then silence; the speaker appends what it is given to a file. Both keep time the
way PortAudio does (a buffer every ``frames_per_buffer`` frames), ``SAMPLE_PACE`` times faster than real time, in
both modes the samples use: callbacks (a thread calls the sample's function) and blocking ``read``/``write``.

Configured by the environment: ``SAMPLE_WAV`` (24 kHz mono PCM16, as the samples open the device), ``SAMPLE_PLAYED``
(the file the speaker writes raw PCM16 to) and ``SAMPLE_PACE``.
"""

from __future__ import annotations

import os
import threading
import time
import wave
from collections.abc import Callable
from typing import Any

paInt16 = 8
paContinue = 0
paComplete = 1
paAbort = 2

_PACE = float(os.environ.get("SAMPLE_PACE", "1"))
_LOCK = threading.Lock()


def get_sample_size(format: int) -> int:
    assert format == paInt16
    return 2


class _Microphone:
    """The WAV's frames, then silence for as long as the stream is read."""

    def __init__(self, path: str) -> None:
        with wave.open(path) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2), path
            self._pcm = wav.readframes(wav.getnframes())
        self._position = 0

    def read(self, size: int) -> bytes:
        chunk = self._pcm[self._position : self._position + size]
        self._position += len(chunk)
        return chunk + bytes(size - len(chunk))


class Stream:
    """One open device stream, paced like PortAudio's."""

    def __init__(
        self,
        *,
        rate: int,
        channels: int,
        input: bool,
        output: bool,
        frames_per_buffer: int,
        stream_callback: Callable[..., tuple[bytes | None, int]] | None,
    ) -> None:
        assert (rate, channels) == (24000, 1), "the samples open 24 kHz mono"
        self._input = input
        self._frames = frames_per_buffer
        self._period = frames_per_buffer / rate / _PACE
        self._callback = stream_callback
        self._microphone = _Microphone(os.environ["SAMPLE_WAV"]) if input else None
        self._active = False
        self._next = time.monotonic()
        self._thread: threading.Thread | None = None
        if stream_callback is not None:
            self.start_stream()  # PortAudio starts a callback stream on open

    def start_stream(self) -> None:
        self._active = True
        self._next = time.monotonic()
        if self._callback is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run_callbacks, daemon=True)
            self._thread.start()

    def stop_stream(self) -> None:
        self._active = False

    def close(self) -> None:
        self._active = False

    def is_active(self) -> bool:
        return self._active

    def _tick(self) -> None:
        self._next += self._period
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _run_callbacks(self) -> None:
        assert self._callback is not None
        while self._active:
            self._tick()
            if self._input:
                assert self._microphone is not None
                _, flag = self._callback(self._microphone.read(self._frames * 2), self._frames, {}, 0)
            else:
                out, flag = self._callback(None, self._frames, {}, 0)
                _play(out or b"")
            if flag != paContinue:
                self._active = False

    def read(self, num_frames: int, exception_on_overflow: bool = True) -> bytes:
        assert self._microphone is not None
        self._tick()
        return self._microphone.read(num_frames * 2)

    def write(self, frames: bytes, num_frames: int | None = None, exception_on_underflow: bool = False) -> None:
        _play(bytes(frames))
        self._next = max(self._next, time.monotonic())
        self._next += len(frames) / 2 / 24000 / _PACE
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _play(data: bytes) -> None:
    with _LOCK, open(os.environ["SAMPLE_PLAYED"], "ab") as played:
        played.write(data)


class PyAudio:
    """The device host: one input device (the WAV) and one output device (the file)."""

    def open(
        self,
        format: int = paInt16,
        channels: int = 1,
        rate: int = 24000,
        input: bool = False,
        output: bool = False,
        frames_per_buffer: int = 1024,
        stream_callback: Callable[..., tuple[bytes | None, int]] | None = None,
        **_: Any,
    ) -> Stream:
        assert format == paInt16
        return Stream(
            rate=rate,
            channels=channels,
            input=input,
            output=output,
            frames_per_buffer=frames_per_buffer,
            stream_callback=stream_callback,
        )

    def get_device_count(self) -> int:
        return 2

    def get_device_info_by_index(self, index: int) -> dict[str, Any]:
        names = ("WAV microphone", "file speaker")
        return {"index": index, "name": names[index], "maxInputChannels": 1 - index, "maxOutputChannels": index}

    def terminate(self) -> None:
        pass
