"""The demo: ``python -m pyagent.demo`` (what ``make demo`` runs).

A spoken question, a tool call and a spoken answer, offline: it starts the local realtime server in-process (real
speech recognition and synthesis when the speech extra is installed), runs a :class:`~pyagent.voice.VoiceSession`
with an :class:`~pyagent.voice.Agent` that has a ``get_weather(city)`` tool, sends the recording of "What is the
weather in Paris?", prints what was heard, the tool call and the answer, and writes the answer as a WAV file.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import pathlib
import sys
import time
from collections.abc import Sequence

from pyagent._cli_common import out_file
from pyagent.audio import load_audio, write_wav
from pyagent.errors import PyagentError
from pyagent.server import LocalServer
from pyagent.voice import Agent, ToolCallRecord, VoiceSession

__all__ = ["QUESTION", "TYPED_QUESTION", "get_weather", "main", "run"]

QUESTION = (
    pathlib.Path(__file__).resolve().parent / "_data" / "hibari_heart_what_is_the_weather_in_paris_24k_pcm16_padded.wav"
)
"""The recording of "What is the weather in Paris?" (24 kHz PCM16, pyagent's own data), installed with the package
(``pyagent/_data``), so the demo runs from any directory."""

TYPED_QUESTION = "What is the weather in Paris?"

_FORECASTS = {
    "paris": "sunny, 22 degrees Celsius",
    "london": "light rain, 14 degrees Celsius",
    "tokyo": "cloudy, 18 degrees Celsius",
}


def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: the city's name, for example "Paris".
    """
    return _FORECASTS.get(city.strip().lower(), f"no forecast for {city}")


async def run(audio_path: pathlib.Path, out: pathlib.Path, *, dialect: str = "openai", speech: str = "auto") -> int:
    """Run the demo; return the process exit code."""
    started = time.monotonic()
    audio = load_audio(audio_path)
    agent = Agent(
        "forecaster", "You are a friendly weather assistant. Use get_weather for forecasts.", tools=[get_weather]
    )
    async with LocalServer(speech=speech, realtime_factor=math.inf) as server:  # type: ignore[arg-type]
        engines = await server.speech_engines()
        print(f"Local realtime server at {server.endpoint} ({engines.description})")
        session = VoiceSession(model="gpt-realtime", agent=agent, endpoint=server.endpoint, dialect=dialect)

        @session.on("transcript_available")
        def on_transcript(text: str, role: str) -> None:
            if role == "user":
                print(f"You asked:  {text}")

        @session.on("function_call")
        def on_call(call: ToolCallRecord) -> None:
            print(f"Tool call:  {call.name}({call.arguments}) -> {call.output!r}")

        async with session.connect() as voice:
            if engines.real:
                print(f"Sending:    {audio_path.name} ({len(audio) / 48000:.1f} s)")
                response = await voice.respond(audio)
            else:
                # Placeholder recognition cannot understand words: ask in text so the tool call still shows.
                print(f"Sending:    {TYPED_QUESTION!r} as text (no speech recognition without the speech extra)")
                await voice.send_text(TYPED_QUESTION)
                response = await voice.receive()
    print(f"Assistant:  {response.transcript}")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_wav(out, response.audio, response.sample_rate, response.channels)
    print(
        f"Reply:      {out} ({response.duration_ms / 1000:.1f} s, {response.sample_rate} Hz); "
        f"done in {time.monotonic() - started:.1f} s"
    )
    if not engines.real:
        print("(Speech placeholders in use: the reply is tones. With the speech extra, real speech: --speech on.)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m pyagent.demo``."""
    parser = argparse.ArgumentParser(
        prog="python -m pyagent.demo",
        description="A spoken question, a tool call and a spoken answer, offline, against the in-process local server.",
    )
    parser.add_argument("--audio", type=pathlib.Path, default=QUESTION, help="the user's question (a WAV file)")
    parser.add_argument(
        "--out", type=out_file, default=pathlib.Path("out/reply.wav"), help="the reply WAV file (checked at start)"
    )
    parser.add_argument(
        "--dialect", default="openai", choices=("openai", "azure-openai", "azure-openai-ga", "voicelive")
    )
    parser.add_argument("--speech", default="auto", choices=("auto", "on", "off"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        return asyncio.run(run(args.audio, args.out, dialect=args.dialect, speech=args.speech))
    except (OSError, PyagentError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
