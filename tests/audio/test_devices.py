"""Microphone and speaker: the pure pipelines always, the devices only where PortAudio and a device exist."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import types

import numpy as np
import pytest

from conftest import ROOT
from pyagent.audio import (
    AudioDeviceError,
    AudioFormat,
    AudioFormatError,
    CapturePipeline,
    ManualClock,
    MicrophoneSource,
    PlaybackClock,
    RenderPipeline,
    SpeakerSink,
    check_devices,
    convert,
    pcm16_to_int16,
)


def portaudio_missing_reason() -> str | None:
    try:
        check_devices()
    except AudioDeviceError as error:
        return str(error)
    return None


MISSING = portaudio_missing_reason()
needs_portaudio = pytest.mark.skipif(MISSING is not None, reason=f"audio devices unavailable: {MISSING}")


def test_import_works_without_sounddevice() -> None:
    code = (
        "import sys; sys.modules['sounddevice'] = None\n"  # makes `import sounddevice` raise ImportError
        "import pyagent, pyagent.audio\n"
        "from pyagent.audio import AudioDeviceError, MicrophoneSource, check_devices\n"
        "try:\n"
        "    check_devices()\n"
        "except AudioDeviceError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "pip install 'pyagent-voice[devices]'" in result.stdout
    assert result.stdout.startswith("no audio input/output device found: ")


@pytest.mark.skipif(MISSING is None, reason="PortAudio is installed here")
async def test_missing_portaudio_is_a_clear_device_error() -> None:
    assert MISSING is not None
    assert "PortAudio" in MISSING
    with pytest.raises(AudioDeviceError, match="PortAudio"):
        MicrophoneSource().start()
    with pytest.raises(AudioDeviceError, match="PortAudio"):
        SpeakerSink(PlaybackClock()).start()


def test_capture_pipeline_resamples_and_reframes(speech: bytes) -> None:
    # A 48 kHz stereo device delivering blocks of uneven sizes; the session wants 20 ms at 24 kHz mono.
    device = convert(speech, AudioFormat(24000), AudioFormat(48000, 2))
    pipeline = CapturePipeline(48000, 24000, 20, device_channels=2)
    frames: list[bytes] = []
    position, sizes = 0, [4 * 480, 4 * 441, 4 * 1024, 4 * 7]
    index = 0
    while position < len(device):
        size = sizes[index % len(sizes)]
        frames += pipeline.feed(device[position : position + size])
        position += size
        index += 1
    frames += pipeline.flush()
    assert {len(frame) for frame in frames} == {960}
    out = b"".join(frames)
    assert len(speech) <= len(out) < len(speech) + 960
    # The speech survives the round trip 24k -> 48k stereo -> 24k mono.
    original = pcm16_to_int16(speech).astype(float)
    restored = pcm16_to_int16(out[: len(speech)]).astype(float)
    assert np.corrcoef(original, restored)[0, 1] > 0.999
    with pytest.raises(AudioFormatError):
        pipeline.feed(b"\x00\x00")  # half a stereo frame


def test_render_pipeline_at_the_clock_rate_counts_exactly() -> None:
    playback = PlaybackClock(clock=ManualClock())
    playback.enqueue("item_a", 0, b"\x01\x00" * 720)  # 30 ms
    render = RenderPipeline(playback)
    block = render.render(960)  # 20 ms
    assert block == b"\x01\x00" * 480
    assert playback.played_ms("item_a", 0) == 20
    block = render.render(960)
    assert block == b"\x01\x00" * 240 + bytes(480)  # padded with silence
    assert playback.truncate_ms("item_a", 0) == 30
    assert render.render(4) == bytes(4)
    with pytest.raises(AudioFormatError):
        render.render(3)


def test_render_pipeline_resamples_for_the_device(speech: bytes) -> None:
    playback = PlaybackClock(clock=ManualClock())
    playback.enqueue("item_a", 0, speech)
    render = RenderPipeline(playback, device_rate=48000)
    blocks = [render.render(2 * 960) for _ in range(len(speech) // 960 + 20)]
    assert {len(block) for block in blocks} == {1920}
    assert playback.played_bytes("item_a", 0) == len(speech)
    # Drained in 10 ms reads and flushed when the clock ran dry: the whole-clip conversion, then silence.
    out = b"".join(blocks)
    expected = convert(speech, AudioFormat(24000), AudioFormat(48000))
    assert out[: len(expected)] == expected
    assert out[len(expected) :] == bytes(len(out) - len(expected))


async def test_microphone_hands_device_blocks_to_the_event_loop(speech: bytes) -> None:
    # Stands in for PortAudio: a thread calls the stream callback with 10 ms blocks of a 16 kHz device.
    device = convert(speech, AudioFormat(24000), AudioFormat(16000))
    mic = MicrophoneSource(24000, frame_ms=40, device_rate=16000, max_pending_ms=10_000)
    mic._loop = asyncio.get_running_loop()
    mic._pipeline = CapturePipeline(16000, 24000, 40)
    mic._stream = "device"  # opened

    def device_thread() -> None:
        for start in range(0, len(device), 320):
            mic._callback(device[start : start + 320], 160, None, None)

    thread = threading.Thread(target=device_thread)
    thread.start()
    async with asyncio.timeout(10):
        frames = [await anext(mic)]  # while the device thread runs
        await asyncio.to_thread(thread.join)
    await asyncio.sleep(0)  # let the blocks scheduled by the last callbacks arrive
    mic._stream = None
    mic.close()
    frames += [frame async for frame in mic]
    assert {len(frame) for frame in frames} == {1920}
    assert mic.dropped_blocks == 0
    # Every block arrived in order: the frames are the whole-clip conversion, the last frame padded with silence.
    expected = convert(device, AudioFormat(16000), AudioFormat(24000))
    out = b"".join(frames)
    assert out[: len(expected)] == expected
    assert out[len(expected) :] == bytes(len(out) - len(expected))
    with pytest.raises(StopAsyncIteration):
        await anext(mic)


async def test_microphone_drops_the_oldest_blocks_for_a_slow_consumer() -> None:
    mic = MicrophoneSource(16000, device_rate=16000, max_pending_ms=100)
    mic._loop = asyncio.get_running_loop()
    mic._pipeline = CapturePipeline(16000, 16000, 20)
    for value in range(50):  # 50 blocks of 10 ms, nobody reading
        mic._deliver(value.to_bytes(2, "little") * 160)
    assert mic.dropped_blocks == 40
    first = await anext(mic)
    assert first == (40).to_bytes(2, "little") * 160 + (41).to_bytes(2, "little") * 160
    mic.close()


def test_bad_device_parameters() -> None:
    with pytest.raises(AudioFormatError):
        MicrophoneSource(1000)
    with pytest.raises(AudioFormatError):
        MicrophoneSource(frame_ms=0.001)
    with pytest.raises(AudioFormatError):
        SpeakerSink(PlaybackClock(), device_rate=3)
    with pytest.raises(AudioFormatError):
        SpeakerSink(PlaybackClock(), block_ms=0)


@needs_portaudio
async def test_microphone_and_speaker_on_real_devices() -> None:
    import sounddevice

    devices = sounddevice.query_devices()
    if not any(d["max_input_channels"] for d in devices) or not any(d["max_output_channels"] for d in devices):
        pytest.skip("PortAudio is present but there is no input or output device")
    playback = PlaybackClock()
    playback.enqueue("item_a", 0, bytes(4800))  # 100 ms of silence
    with SpeakerSink(playback):
        async with MicrophoneSource(frame_ms=20) as mic:
            async with asyncio.timeout(5):
                frame = await anext(mic)
        await asyncio.sleep(0.3)
    assert len(frame) == 960
    assert playback.sink_driven
    assert playback.played_ms("item_a", 0) == 100


def stand_in_sounddevice(devices: list[dict[str, object]], default: tuple[int, int]) -> types.ModuleType:
    """A stand-in for the hardware library with the devices given: PortAudio's answers, no audio."""
    module = types.ModuleType("sounddevice")

    class PortAudioError(Exception):
        pass

    def query_devices(device: object = None, kind: str | None = None) -> object:
        if kind is None:
            return devices
        index = default[0 if kind == "input" else 1]
        if index < 0:
            raise PortAudioError(f"Error querying device {index}")
        info = devices[index]
        if int(info[f"max_{kind}_channels"]) < 1:  # type: ignore[call-overload]
            raise ValueError(f"Not an {kind} device: {info['name']!r}")
        return info

    module.PortAudioError = PortAudioError  # type: ignore[attr-defined]
    module.query_devices = query_devices  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("devices", "default", "missing"),
    [
        ([], (-1, -1), "input/output"),
        ([{"name": "mic", "max_input_channels": 1, "max_output_channels": 0}], (0, -1), "output"),
        ([{"name": "speaker", "max_input_channels": 0, "max_output_channels": 2}], (-1, 0), "input"),
        ([{"name": "headset", "max_input_channels": 1, "max_output_channels": 2}], (0, 0), None),
    ],
)
def test_check_devices_names_the_missing_device(
    monkeypatch: pytest.MonkeyPatch, devices: list[dict[str, object]], default: tuple[int, int], missing: str | None
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", stand_in_sounddevice(devices, default))
    check_devices()  # importable: enough for code that opens a device itself
    if missing is None:
        check_devices(microphone=True, speaker=True)
        return
    with pytest.raises(AudioDeviceError, match=rf"^no audio {missing} device found: PortAudio lists {len(devices)} "):
        check_devices(microphone=True, speaker=True)
