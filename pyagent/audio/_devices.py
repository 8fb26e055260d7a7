"""Microphone and speaker through sounddevice (the ``devices`` extra), imported only when a device is opened.

The device side only moves bytes; what happens to them is in two pure pipelines that tests drive without PortAudio:
:class:`CapturePipeline` turns device blocks at the device's rate into fixed frames at the session's rate, and
:class:`RenderPipeline` fills device blocks from a :class:`PlaybackClock`, resampling when the device runs at another
rate. PortAudio calls back on its own thread: the microphone hands blocks to the event loop with
``call_soon_threadsafe``, and the speaker reads the playback clock, which takes a lock.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from types import TracebackType
from typing import Any, Final

from pyagent._version import DISTRIBUTION
from pyagent.audio._chunk import Chunker
from pyagent.audio._convert import Bytes, to_mono
from pyagent.audio._format import AudioFormat, check_channels, check_duration_ms, check_sample_rate
from pyagent.audio._playback import PlaybackClock
from pyagent.audio._resample import Resampler
from pyagent.audio._transcode import decode_to_pcm16
from pyagent.audio.errors import AudioDeviceError, AudioFormatError, ConfigurationError

__all__ = ["CapturePipeline", "MicrophoneSource", "RenderPipeline", "SpeakerSink", "check_devices"]

logger = logging.getLogger("pyagent.audio")

_EXTRA_HINT: Final = f"install the extra: pip install '{DISTRIBUTION}[devices]'"
_NO_DEVICE: Final = "no audio input/output device found"
_PORTAUDIO_HINT: Final = "install PortAudio (Debian/Ubuntu: apt install libportaudio2; macOS: brew install portaudio)"


def _sounddevice() -> Any:
    """Import sounddevice, translating its absence or PortAudio's into :class:`AudioDeviceError`."""
    try:
        import sounddevice  # optional: imported only when a device is used
    except ImportError as error:
        raise AudioDeviceError(f"{_NO_DEVICE}: devices need the sounddevice package; {_EXTRA_HINT}") from error
    except OSError as error:
        raise AudioDeviceError(
            f"{_NO_DEVICE}: devices need the PortAudio library ({error}); {_PORTAUDIO_HINT}"
        ) from error
    return sounddevice


def check_devices(*, microphone: bool = False, speaker: bool = False) -> None:
    """Raise unless audio devices can be used here: sounddevice importable and PortAudio present, and, when asked,
    a default input device (``microphone``) and output device (``speaker``).

    Every message starts with "no audio input/output device found" (or names the kind that is missing), then says
    why and what to install or connect.

    Raises:
        AudioDeviceError: with the reason and what to install or connect.
    """
    sd = _sounddevice()
    wanted = [kind for kind, asked in (("input", microphone), ("output", speaker)) if asked]
    missing = [kind for kind in wanted if not _has_default_device(sd, kind)]
    if not missing:
        return
    try:
        count = len(sd.query_devices())
    except Exception:  # PortAudio itself failing is one more reason there is no device; the message says enough
        count = 0
    kinds = "/".join(missing)
    raise AudioDeviceError(
        f"no audio {kinds} device found: PortAudio lists {count} device(s), none a default "
        f"{' or '.join(missing)}; connect one (or choose one with device=)"
    )


def _has_default_device(sd: Any, kind: str) -> bool:
    try:
        info = sd.query_devices(kind=kind)
    except (ValueError, sd.PortAudioError):  # no default device of that kind (index -1), or one without channels
        return False
    return int(info.get(f"max_{kind}_channels", 0)) > 0


def _default_rate(sd: Any, device: int | str | None, kind: str) -> int:
    try:
        info = sd.query_devices(device, kind)
    except (ValueError, sd.PortAudioError) as error:
        raise AudioDeviceError(f"no {kind} device {device!r}: {error}") from error
    return int(info["default_samplerate"])


class CapturePipeline:
    """Device blocks (PCM16 at the device's rate and channels) in, frames at the session's format out.

    Args:
        device_rate: the rate the device captures at.
        sample_rate: the rate the session wants.
        frame_ms: duration of each frame given out.
        device_channels: channels the device delivers (down-mixed to mono).
    """

    def __init__(
        self, device_rate: int, sample_rate: int = 24000, frame_ms: float = 20, device_channels: int = 1
    ) -> None:
        self.device_format = AudioFormat(device_rate, device_channels)
        self._resampler = Resampler(device_rate, sample_rate)
        self._chunker = Chunker(frame_ms, sample_rate)

    def feed(self, block: Bytes) -> list[bytes]:
        """Take one device block and return the frames it completes.

        Raises:
            AudioFormatError: the block is not whole device frames.
        """
        mono = to_mono(block, self.device_format.channels)
        return self._chunker.push(self._resampler.process(mono))

    def flush(self) -> list[bytes]:
        """The frames left at the end of the capture (the last one padded with silence)."""
        frames = self._chunker.push(self._resampler.flush())
        rest = self._chunker.flush(pad=True)
        return [*frames, rest] if rest else frames


class RenderPipeline:
    """Fill device blocks from a :class:`PlaybackClock`, at the device's rate, with silence when nothing is queued.

    At equal rates a block of ``n`` bytes reads exactly ``n`` bytes from the clock, so what the clock counts as
    played is what the device was given. At another rate the resampler reads ahead by its filter delay (a few ms).

    Args:
        playback: the buffer to drain.
        device_rate: the rate the device plays at (default: the clock's).
    """

    def __init__(self, playback: PlaybackClock, device_rate: int | None = None) -> None:
        if not isinstance(playback, PlaybackClock):
            raise ConfigurationError(f"playback must be a PlaybackClock, not {type(playback).__name__}")
        self.playback = playback
        self.device_rate = check_sample_rate(device_rate if device_rate is not None else playback.sample_rate)
        self._resampler = (
            Resampler(playback.sample_rate, self.device_rate) if self.device_rate != playback.sample_rate else None
        )
        self._encoding = playback.audio_format.encoding  # G.711 when the service speaks it on the wire
        self._ready = bytearray()
        self._read_size = max(2, playback.audio_format.ms_to_bytes(10))

    def render(self, n_bytes: int) -> bytes:
        """Exactly ``n_bytes`` of PCM16 mono for the device (padded with silence)."""
        if n_bytes % 2:
            raise AudioFormatError(f"a device block is whole PCM16 samples, {n_bytes} bytes is not")
        if self._resampler is None and self._encoding == "pcm16":
            data = self.playback.read(n_bytes)
            return data + bytes(n_bytes - len(data)) if len(data) < n_bytes else data
        while len(self._ready) < n_bytes:
            data = self.playback.read(self._read_size)
            if not data:
                if self._resampler is not None:
                    self._ready += self._resampler.flush()  # the stream paused: play the filter's tail now
                break
            pcm = decode_to_pcm16(data, self._encoding)
            self._ready += self._resampler.process(pcm) if self._resampler is not None else pcm
        out = bytes(self._ready[:n_bytes])
        del self._ready[:n_bytes]
        return out + bytes(n_bytes - len(out)) if len(out) < n_bytes else out


class MicrophoneSource:
    """Capture from a microphone as an async iterator of PCM16 mono frames at the session's rate.

    The device runs at its own default rate (or ``device_rate``); frames are resampled to ``sample_rate``. If the
    consumer falls behind by more than ``max_pending_ms``, the oldest blocks are dropped (and counted) rather than
    letting latency grow. Use ``async with MicrophoneSource() as mic: async for frame in mic: ...``.

    Args:
        sample_rate: rate of the frames given out.
        frame_ms: duration of each frame.
        device: a sounddevice device index or name (default input device if None).
        device_rate: capture rate (the device's default if None).
        device_channels: channels to capture (down-mixed to mono).
        max_pending_ms: audio held for a slow consumer before the oldest is dropped.

    Raises:
        AudioFormatError: a bad rate, channel count or frame duration.
    """

    def __init__(
        self,
        sample_rate: int = 24000,
        *,
        frame_ms: float = 20,
        device: int | str | None = None,
        device_rate: int | None = None,
        device_channels: int = 1,
        max_pending_ms: int = 2000,
    ) -> None:
        self.sample_rate = check_sample_rate(sample_rate)
        self.frame_ms = check_duration_ms(frame_ms, "frame_ms")
        check_duration_ms(max_pending_ms, "max_pending_ms")
        self.device = device
        self.device_rate = check_sample_rate(device_rate) if device_rate is not None else None
        self.device_channels = check_channels(device_channels)
        Chunker(frame_ms, sample_rate)  # validates the frame duration now rather than at start
        self.max_pending_ms = max_pending_ms
        self.dropped_blocks = 0
        """Device blocks dropped because the consumer fell behind."""
        self._stream: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pipeline: CapturePipeline | None = None
        self._blocks: collections.deque[bytes | None] = collections.deque()
        self._pending_bytes = 0
        self._wakeup = asyncio.Event()
        self._frames: collections.deque[bytes] = collections.deque()
        self._closed = False
        self._ended = False

    def start(self) -> None:
        """Open the device and start capturing; needs a running event loop.

        Raises:
            AudioDeviceError: sounddevice or PortAudio missing, or the device refused the stream.
        """
        if self._stream is not None:
            return
        sd = _sounddevice()
        self._loop = asyncio.get_running_loop()
        rate = self.device_rate or _default_rate(sd, self.device, "input")
        self._pipeline = CapturePipeline(rate, self.sample_rate, self.frame_ms, self.device_channels)
        block_frames = AudioFormat(rate).ms_to_samples(self.frame_ms)
        try:
            stream = sd.RawInputStream(
                samplerate=rate,
                blocksize=block_frames,
                device=self.device,
                channels=self.device_channels,
                dtype="int16",
                callback=self._callback,
            )
            stream.start()
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"cannot open the microphone at {rate} Hz: {error}") from error
        self._stream = stream
        self.device_rate = rate
        logger.info("microphone open at %d Hz, delivering %d Hz", rate, self.sample_rate)

    def close(self) -> None:
        """Stop capturing; iteration ends after the frames already captured."""
        if self._closed:
            return
        self._closed = True
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        self._blocks.append(None)
        self._wakeup.set()

    async def __aenter__(self) -> MicrophoneSource:
        self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __aiter__(self) -> MicrophoneSource:
        return self

    async def __anext__(self) -> bytes:
        while not self._frames:
            if self._ended:
                raise StopAsyncIteration
            if not self._blocks:
                if self._stream is None and not self._closed:
                    self.start()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            block = self._blocks.popleft()
            if block is None:
                self._ended = True
                if self._pipeline is not None:
                    self._frames.extend(self._pipeline.flush())
                continue
            assert self._pipeline is not None
            self._pending_bytes -= len(block)
            self._frames.extend(self._pipeline.feed(block))
        return self._frames.popleft()

    def _callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        # PortAudio's thread: copy the block and hand it to the event loop.
        if status:
            logger.debug("microphone status: %s", status)
        block = bytes(indata)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._deliver, block)
        except RuntimeError:  # the loop closed between the check and the call
            logger.debug("microphone block after the event loop closed, dropped")

    def _deliver(self, block: bytes) -> None:
        assert self._pipeline is not None
        self._blocks.append(block)
        self._pending_bytes += len(block)
        limit = self._pipeline.device_format.ms_to_bytes(self.max_pending_ms)
        while self._pending_bytes > limit and len(self._blocks) > 1 and self._blocks[0] is not None:
            dropped = self._blocks.popleft()
            assert dropped is not None
            self._pending_bytes -= len(dropped)
            self.dropped_blocks += 1
        self._wakeup.set()


class SpeakerSink:
    """Play a :class:`PlaybackClock` on a speaker: the device callback reads the clock, so what it reads is played.

    Args:
        playback: the buffer to drain (its first read puts it in sink mode).
        device: a sounddevice device index or name (default output device if None).
        device_rate: playback rate (default: the clock's rate; resampled when different).
        block_ms: duration of each device block (latency vs. robustness).

    Raises:
        AudioFormatError: a bad rate or block duration.
    """

    def __init__(
        self,
        playback: PlaybackClock,
        *,
        device: int | str | None = None,
        device_rate: int | None = None,
        block_ms: float = 20,
    ) -> None:
        self.playback = playback
        self.device = device
        self._pipeline = RenderPipeline(playback, device_rate)
        self.block_frames = AudioFormat(self._pipeline.device_rate).ms_to_samples(
            check_duration_ms(block_ms, "block_ms")
        )
        if self.block_frames <= 0:
            raise ConfigurationError(f"a {block_ms} ms block holds no sample")
        self._stream: Any = None

    @property
    def device_rate(self) -> int:
        """The rate the device plays at."""
        return self._pipeline.device_rate

    def start(self) -> None:
        """Open the device and start playing (silence until audio is enqueued).

        Raises:
            AudioDeviceError: sounddevice or PortAudio missing, or the device refused the stream.
        """
        if self._stream is not None:
            return
        sd = _sounddevice()
        try:
            stream = sd.RawOutputStream(
                samplerate=self.device_rate,
                blocksize=self.block_frames,
                device=self.device,
                channels=1,
                dtype="int16",
                callback=self._callback,
            )
            stream.start()
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"cannot open the speaker at {self.device_rate} Hz: {error}") from error
        self._stream = stream
        logger.info("speaker open at %d Hz", self.device_rate)

    def close(self) -> None:
        """Stop playing; audio still queued stays in the playback clock."""
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def __enter__(self) -> SpeakerSink:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> SpeakerSink:
        self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        # PortAudio's thread: fill the block from the playback clock.
        if status:
            logger.debug("speaker status: %s", status)
        outdata[:] = self._pipeline.render(2 * frames)
