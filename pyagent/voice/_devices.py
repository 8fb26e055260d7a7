"""The microphone and the speaker, through the optional ``sounddevice`` package (the ``devices`` extra).

Imported only when a session needs a device, so everything else works without PortAudio.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from pyagent.audio import PlaybackClock, dbfs
from pyagent.voice._audio_io import encode_user_audio
from pyagent.voice._config import AudioSettings
from pyagent.voice.errors import ConfigurationError

__all__ = ["Microphone", "Speaker", "load_sounddevice"]

logger = logging.getLogger("pyagent.voice")

_BLOCK_MS = 20


def load_sounddevice() -> Any:
    """The ``sounddevice`` module.

    Raises:
        ConfigurationError: it is not installed or finds no PortAudio library.
    """
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise ConfigurationError(
            "the microphone and speaker need the devices extra: pip install 'pyagent[devices]' "
            f"(and the PortAudio library); or give the session an audio_source ({exc})"
        ) from exc
    return sounddevice


class Microphone:
    """The default input device as an async iterable of chunks in the session's audio format."""

    def __init__(self, settings: AudioSettings) -> None:
        self.settings = settings
        self._sd = load_sounddevice()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        settings = self.settings

        def callback(indata: Any, frames: int, time: Any, status: Any) -> None:
            if status:
                logger.debug("microphone: %s", status)
            loop.call_soon_threadsafe(queue.put_nowait, bytes(indata))

        stream = self._sd.RawInputStream(
            samplerate=settings.sample_rate,
            channels=settings.channels,
            dtype="int16",
            blocksize=settings.sample_rate * _BLOCK_MS // 1000,
            callback=callback,
        )
        with stream:
            while True:
                pcm = await queue.get()
                if settings.format != "pcm16":
                    pcm = encode_user_audio(pcm, settings)
                yield pcm


class Speaker:
    """The default output device, draining a session's :class:`PlaybackClock` (what it plays counts as played)."""

    def __init__(self, playback: PlaybackClock) -> None:
        self._playback = playback
        self._sd = load_sounddevice()
        self._stream: Any = None
        self.level_dbfs: float | None = None
        """The level of the last block played, None when the last block was silence (for :class:`EchoGate`)."""

    def start(self) -> None:
        """Start playing; the device pulls audio from the playback clock from now on."""
        playback = self._playback

        def callback(outdata: Any, frames: int, time: Any, status: Any) -> None:
            wanted = len(outdata)
            data = playback.read(wanted)
            self.level_dbfs = dbfs(data) if data else None
            outdata[: len(data)] = data
            outdata[len(data) :] = b"\x00" * (wanted - len(data))

        self._stream = self._sd.RawOutputStream(
            samplerate=playback.sample_rate, channels=1, dtype="int16", callback=callback
        )
        self._stream.start()

    def stop(self) -> None:
        """Stop and release the device."""
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
