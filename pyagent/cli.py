"""The ``pyagent`` command line: ``serve`` the local server, ``chat`` with a WAV file, ``talk`` through the devices.

``chat`` and ``talk`` find their endpoint like :class:`~pyagent.voice.VoiceSession` does (``--endpoint``, then
``PYAGENT_ENDPOINT`` / ``PYAGENT_API_KEY`` / ``PYAGENT_DIALECT``, ``OPENAI_API_KEY``, ``AZURE_VOICELIVE_ENDPOINT`` +
``AZURE_VOICELIVE_API_KEY``); with none configured they start the local server in-process and say so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import pathlib
import sys
import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, TextIO

from pyagent._version import __version__

if TYPE_CHECKING:  # the voice layer is imported when a command needs it, so `pyagent --help` stays quick
    from pyagent.audio import AudioFormat
    from pyagent.voice import VoiceSession

__all__ = ["build_parser", "main"]

_CHUNK_MS = 100
_PROGRESS_AFTER_S = 4.0  # files longer than this show their progress


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="pyagent", description="Realtime voice conversations with AI models.")
    parser.add_argument("--version", action="version", version=f"pyagent {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{serve,chat,talk,phone}")

    from pyagent.server._cli import add_serve_parser
    from pyagent.telephony._cli import add_phone_parser

    add_serve_parser(commands)

    chat = commands.add_parser(
        "chat",
        help="send a WAV file as the user's turn and print the conversation",
        description="Stream a WAV file (any rate, channels, PCM16 or G.711) as the user's turn, print the "
        "conversation and an event timeline, and write the spoken reply.",
    )
    chat.add_argument("file", type=pathlib.Path, help="the user's audio: a WAV file, or a .raw 24 kHz PCM16 mono file")
    chat.add_argument("--out", type=pathlib.Path, default=None, help="write the reply to this WAV file")
    chat.add_argument(
        "--pace",
        type=float,
        default=0.0,
        metavar="FACTOR",
        help="stream at FACTOR times real time (1 = real time; default 0 = as fast as possible)",
    )
    _add_session_options(chat)

    talk = commands.add_parser(
        "talk",
        help="talk through the microphone and speaker (the devices extra)",
        description="A spoken conversation through the default microphone and speaker; Ctrl-C ends it.",
    )
    _add_session_options(talk)
    add_phone_parser(commands)
    return parser


def _add_session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=None, help="the service's base URL (default: $PYAGENT_ENDPOINT, ...)")
    parser.add_argument(
        "--dialect",
        default=None,
        choices=("auto", "openai", "azure-openai", "azure-openai-ga", "voicelive"),
        help="the protocol dialect (default: $PYAGENT_DIALECT, else judged from the endpoint)",
    )
    parser.add_argument(
        "--model",
        default="gpt-4o-realtime",
        help="model or Azure OpenAI deployment (default: the service's current realtime model)",
    )
    parser.add_argument("--voice", default="alloy", help="the assistant's voice (default: alloy)")
    parser.add_argument("--instructions", default="You are a helpful voice assistant. Keep answers short.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the library does")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pyagent`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(f"pyagent {__version__}")
        parser.print_help()
        return 0
    if args.command == "serve":
        from pyagent.server._cli import run_serve

        return run_serve(args)
    if args.command == "phone":
        from pyagent.telephony._cli import run_phone

        return run_phone(args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    runner = _chat if args.command == "chat" else _talk
    try:
        return asyncio.run(runner(args))
    except KeyboardInterrupt:
        return 130


# --------------------------------------------------------------------------------------------------- common


def _endpoint_configured(args: argparse.Namespace) -> bool:
    """True when a session would find an endpoint (the same rules as VoiceSession's)."""
    from pyagent.voice._config import resolve_endpoint
    from pyagent.voice.errors import ConfigurationError

    try:
        resolve_endpoint(args.endpoint, None, args.dialect)
    except ConfigurationError:
        return False
    return True


@contextlib.asynccontextmanager
async def _endpoint(args: argparse.Namespace, out: TextIO) -> AsyncIterator[tuple[str | None, str | None]]:
    """``(endpoint, dialect)`` for the session; a local server when nothing is configured."""
    if _endpoint_configured(args):
        yield args.endpoint, args.dialect
        return
    from pyagent.server import LocalServer

    if args.model == "gpt-4o-realtime":
        args.model = "gpt-realtime"  # the local server takes any name; the Azure dialects need one
    async with LocalServer(realtime_factor=math.inf) as server:  # replies as fast as they are made
        engines = await server.speech_engines()
        print(
            f"No endpoint configured (--endpoint, PYAGENT_ENDPOINT, OPENAI_API_KEY or AZURE_VOICELIVE_ENDPOINT): "
            f"using the local server at {server.endpoint} ({engines.description}).",
            file=out,
        )
        yield server.endpoint, args.dialect or "openai"


def _session(args: argparse.Namespace, endpoint: str | None, dialect: str | None) -> VoiceSession:
    from pyagent.voice import Agent, VoiceSession

    return VoiceSession(
        model=args.model,
        voice=args.voice,
        agent=Agent("assistant", args.instructions),
        endpoint=endpoint,
        dialect=dialect or "auto",
    )


class _Timeline:
    """Prints the session's events with the time since the start."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.start = time.monotonic()

    def line(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.start:6.2f}s] {text}", file=self.out, flush=True)

    def attach(self, session: VoiceSession) -> None:
        session.on("state_changed")(lambda new, old: self.line(f"state {old.name} -> {new.name}"))
        session.on("speech_started")(lambda: self.line("speech started"))
        session.on("speech_ended")(lambda: self.line("speech ended"))
        session.on("response_started")(lambda: self.line("response started"))
        session.on("function_call")(lambda call: self.line(f"tool {call.name}({call.arguments}) -> {call.output}"))
        session.on("interrupted")(lambda info: self.line(f"interrupted at {info.audio_end_ms} ms"))
        session.on("error")(lambda error: self.line(f"error: {error}"))
        session.on("transcript_available")(lambda text, role: self.line(f"{role} transcript: {text}"))


# --------------------------------------------------------------------------------------------------- chat


async def _chat(args: argparse.Namespace) -> int:
    from pyagent.audio import AudioFormat, decode_to_pcm16, load_audio, read_wav, write_wav
    from pyagent.errors import PyagentError

    out = sys.stdout
    path: pathlib.Path = args.file
    try:
        if path.suffix.lower() == ".wav":
            data, fmt = read_wav(path)
        else:
            data, fmt = load_audio(path), AudioFormat(24000)
    except (OSError, PyagentError) as exc:
        print(f"pyagent chat: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    seconds = len(data) / fmt.bytes_per_second
    try:
        async with _endpoint(args, out) as (endpoint, dialect):
            session = _session(args, endpoint, dialect)
            session.configure_audio(sample_rate=fmt.sample_rate, channels=fmt.channels, format=fmt.encoding)
            timeline = _Timeline(out)
            print(f"Sending {path.name} ({seconds:.1f} s, {fmt.sample_rate} Hz, {fmt.channels} ch, {fmt.encoding})")
            print("Timeline:")
            timeline.attach(session)
            async with session.connect() as voice:
                # The whole file is one user turn, however many pauses it holds: one answer.
                responses = [await voice.respond(_stream_file(data, fmt, args.pace, seconds, timeline))]
    except PyagentError as exc:
        print(f"pyagent chat: {exc}", file=sys.stderr)
        return 1
    print("Conversation:")
    for response in responses:
        print(f"  You:       {response.input_transcript or '(no transcript)'}")
        for call in response.tool_calls:
            print(f"  Tool:      {call.name}({call.arguments}) -> {call.output}")
        said = response.transcript or response.text or "(nothing)"
        print(f"  Assistant: {said}{' (interrupted)' if response.interrupted else ''}")
    response = responses[-1]
    print(f"  ({response.duration_ms / 1000:.1f} s of audio, status {response.status}, usage {dict(response.usage)})")
    if args.out is not None:
        pcm = decode_to_pcm16(response.audio, response.format)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_wav(args.out, pcm, response.sample_rate, response.channels)
        print(f"Reply written to {args.out}")
    return 0


async def _stream_file(
    data: bytes, fmt: AudioFormat, pace: float, seconds: float, timeline: _Timeline
) -> AsyncIterator[bytes]:
    """The file in 100 ms chunks at ``pace`` times real time (0: as fast as the connection takes them)."""
    chunk = fmt.ms_to_bytes(_CHUNK_MS)
    show_progress = seconds > _PROGRESS_AFTER_S
    next_mark = 0.25
    started = time.monotonic()
    for index, start in enumerate(range(0, len(data), chunk)):
        yield data[start : start + chunk]
        if pace > 0:
            due = started + (index + 1) * _CHUNK_MS / 1000 / pace
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        done = min(1.0, (start + chunk) / len(data))
        while show_progress and done >= next_mark:
            timeline.line(f"sent {next_mark:.0%} of the audio")
            next_mark += 0.25
    timeline.line("end of the user's turn")


# --------------------------------------------------------------------------------------------------- talk


async def _talk(args: argparse.Namespace) -> int:
    from pyagent.audio import SpeakerSink, check_devices, dbfs
    from pyagent.errors import PyagentError
    from pyagent.voice._audio_io import EchoGate, microphone

    out = sys.stdout
    try:
        check_devices()  # before anything starts: say what to install
        async with _endpoint(args, out) as (endpoint, dialect):
            session = _session(args, endpoint, dialect)
            gate = EchoGate()
            assistant_level: list[float] = [-math.inf]  # the level of the assistant's voice, for the echo gate
            session.on("audio")(lambda data: assistant_level.__setitem__(0, dbfs(data)))
            session.on("transcript_available")(lambda text, role: print(f"{role:>9}: {text}", file=out, flush=True))
            session.on("interrupted")(lambda: print("(interrupted)", file=out, flush=True))
            async with session.connect() as voice, SpeakerSink(voice.playback):
                print("Talk now (headphones are best); Ctrl-C ends the conversation.", file=out, flush=True)
                async for chunk in microphone(voice.audio_format):
                    playing = assistant_level[0] if voice.playback.is_playing else None
                    await voice.send_audio(gate.process(chunk, playing), commit=False)
    except PyagentError as exc:
        print(f"pyagent talk: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
