"""Codec speed, side by side with two baselines in the same run.

Baselines: the standard library (``json`` + ``base64``, what a hand-rolled client does) and a bare msgspec decoder
for a single Struct of exactly the one event (the floor: no union, no fallback, nothing else to look up). pyagent's
codec decodes the tagged union of every server event, so the goal is to come close to the floor (>= 0.8x) and
well above the stdlib (>= 3x) for audio, and over a million transcript deltas a second.

A frame with a field pyagent does not model takes the slow path (decoded again as plain JSON, the field kept on the
event): its line compares it with the same frame without that field, on the fast path, and with the stdlib.
"""

from __future__ import annotations

import base64
import json
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from pyagent.realtime.codec import decode_server_event, encode_client_event
from pyagent.realtime.events import InputAudioBufferAppend, ResponseDone, ResponseOutputAudioDelta

__all__ = ["main"]

_AUDIO = Path(__file__).resolve().parent.parent / "fixtures" / "audio"


def _pcm(n_bytes: int) -> bytes:
    with wave.open(str(_AUDIO / "openai-dotnet_realtime_whats_the_weather_pcm16_24khz_mono.wav")) as wav:
        frames = wav.readframes(wav.getnframes())
    return frames[24000 : 24000 + n_bytes]


class _BareAudioDelta(msgspec.Struct, tag_field="type", tag="response.output_audio.delta"):
    event_id: str
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    delta: bytes


class _BareTranscriptDelta(msgspec.Struct, tag_field="type", tag="response.output_audio_transcript.delta"):
    event_id: str
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    delta: str


class _BareAppend(msgspec.Struct, tag_field="type", tag="input_audio_buffer.append"):
    audio: bytes


def _rates(funcs: dict[str, Callable[[], object]], seconds: float = 0.1, rounds: int = 7) -> dict[str, float]:
    """Operations per second of each function, best of ``rounds``; the functions take turns within each round so
    that a change in machine load (two cores shared with other work) hits them alike."""
    sizes = {}
    for name, func in funcs.items():
        n = 1
        while True:
            started = time.perf_counter()
            for _ in range(n):
                func()
            elapsed = time.perf_counter() - started
            if elapsed > 0.01:
                break
            n *= 4
        sizes[name] = max(1, int(n * seconds / elapsed))
    best = dict.fromkeys(funcs, 0.0)
    for _ in range(rounds):
        for name, func in funcs.items():
            n = sizes[name]
            started = time.perf_counter()
            for _ in range(n):
                func()
            best[name] = max(best[name], n / (time.perf_counter() - started))
    return best


def _report(name: str, funcs: dict[str, Callable[[], object]], goal: str) -> None:
    rates = _rates(funcs)
    ours = rates.pop("pyagent")
    ratios = "  ".join(f"{key} {value:>11,.0f}/s ({ours / value:5.2f}x)" for key, value in rates.items())
    print(f"{name:<34} pyagent {ours:>11,.0f}/s   {ratios}   goal: {goal}")


def main() -> None:
    """Run the four cases and print rates and ratios."""
    pcm_100ms = _pcm(4800)
    audio_frame = json.dumps(
        {
            "type": "response.output_audio.delta",
            "event_id": "event_CCXHxcMy86rrKhBLDdqCh",
            "response_id": "resp_CCXHw0UJld10EzIUXQCNh",
            "item_id": "item_CCXHwGjjDUfOXbiySlK7i",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(pcm_100ms).decode(),
        }
    ).encode()
    assert len(json.loads(audio_frame)["delta"]) == 6400
    transcript_frame = json.dumps(
        {
            "type": "response.output_audio_transcript.delta",
            "event_id": "event_CCXHxcMy86rrKhBLDdqCh",
            "response_id": "resp_CCXHw0UJld10EzIUXQCNh",
            "item_id": "item_CCXHwGjjDUfOXbiySlK7i",
            "output_index": 0,
            "content_index": 0,
            "delta": "Loud and",
        }
    ).encode()
    done_frame = (Path(__file__).resolve().parent.parent / "fixtures" / "events").joinpath(
        "openai-python_openapi_realtime_event_examples.json"
    )
    done: dict[str, Any] = next(
        e["example"] for e in json.loads(done_frame.read_text()) if e["schema"] == "RealtimeServerEventResponseDone"
    )
    response_done_frame = json.dumps(done).encode()

    newer_audio_frame = json.dumps({**json.loads(audio_frame), "sequence_number": 7}).encode()
    newer = decode_server_event(newer_audio_frame)
    assert isinstance(newer, ResponseOutputAudioDelta)
    assert newer.extra_fields == {"sequence_number": 7}
    assert isinstance(decode_server_event(audio_frame), ResponseOutputAudioDelta)
    assert isinstance(decode_server_event(response_done_frame), ResponseDone)

    bare_audio = msgspec.json.Decoder(_BareAudioDelta)
    bare_transcript = msgspec.json.Decoder(_BareTranscriptDelta)
    bare_encoder = msgspec.json.Encoder()
    # for response.done, untyped msgspec (dicts and lists, no schema checked) is the reference
    bare_done = msgspec.json.Decoder()

    def stdlib_audio() -> object:
        event = json.loads(audio_frame)
        event["delta"] = base64.b64decode(event["delta"])
        return event

    print("case                               rates (ratio = pyagent / baseline)")
    _report(
        "audio delta decode (100 ms)",
        {
            "pyagent": lambda: decode_server_event(audio_frame),
            "bare msgspec": lambda: bare_audio.decode(audio_frame),
            "stdlib": stdlib_audio,
        },
        ">= 0.8x bare, >= 3x stdlib",
    )
    _report(
        "transcript delta decode",
        {
            "pyagent": lambda: decode_server_event(transcript_frame),
            "bare msgspec": lambda: bare_transcript.decode(transcript_frame),
            "stdlib": lambda: json.loads(transcript_frame),
        },
        ">= 1,000,000/s",
    )
    _report(
        "response.done with usage decode",
        {
            "pyagent": lambda: decode_server_event(response_done_frame),
            "msgspec untyped": lambda: bare_done.decode(response_done_frame),
            "stdlib": lambda: json.loads(response_done_frame),
        },
        "faster than stdlib",
    )
    _report(
        "audio delta with an unknown field",
        {
            "pyagent": lambda: decode_server_event(newer_audio_frame),
            "fast path": lambda: decode_server_event(audio_frame),
            "stdlib": stdlib_audio,
        },
        "faster than stdlib, the field kept",
    )
    _report(
        "input_audio_buffer.append encode",
        {
            "pyagent": lambda: encode_client_event(InputAudioBufferAppend(audio=pcm_100ms)),
            "bare msgspec": lambda: bare_encoder.encode(_BareAppend(audio=pcm_100ms)),
            "stdlib": lambda: json.dumps(
                {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm_100ms).decode()}
            ).encode(),
        },
        "faster than stdlib",
    )


if __name__ == "__main__":
    main()
