"""The ``pyagent`` command line: ``serve`` the local server, ``chat`` with a WAV file, ``talk`` through the devices.

``chat`` and ``talk`` find their endpoint like :class:`~pyagent.voice.VoiceSession` does (``--endpoint``, then
``PYAGENT_ENDPOINT`` / ``PYAGENT_API_KEY`` / ``PYAGENT_DIALECT``, ``OPENAI_API_KEY`` (+ ``OPENAI_BASE_URL``),
``AZURE_VOICELIVE_ENDPOINT`` + ``AZURE_VOICELIVE_API_KEY``); with none configured they start the local server
in-process and say so.

Every mistake in what was asked (an option, a variable, the audio file, an Azure dialect without ``--model``, a key
that would go over plaintext ``ws://`` to another machine) is one line on stderr naming it and what is accepted, with
exit status 2, before any server starts or any connection is made. Failures once the conversation runs (the server
refused the key, closed the connection) are one line too, with exit status 1. Ctrl-C ends a command quietly with
status 130; a reader that goes away (``pyagent chat F | head -3``) ends it quietly with status 141, as SIGPIPE ends
a Unix tool.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import pathlib
import sys
import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO
from urllib.parse import urlsplit, urlunsplit

from pyagent._cli_common import (
    Service,
    UsageError,
    endpoint_option,
    non_empty,
    out_file,
    resolve_service,
    shown_url,
)
from pyagent._version import DISTRIBUTION, __version__

if TYPE_CHECKING:  # the voice layer is imported when a command needs it, so `pyagent --help` stays quick
    from pyagent.audio import AudioFormat
    from pyagent.voice import TurnTimings, VoiceSession
    from pyagent.voice._config import EndpointSettings

__all__ = ["build_parser", "main"]

_CHUNK_MS = 100
_MIN_TURN_MS = 100  # the services refuse to commit less ("buffer too small. Expected at least 100ms of audio")
_PROGRESS_AFTER_S = 4.0  # files longer than this show their progress as lines when the output is not a terminal
_TICK_S = 0.2  # how often a terminal's status line is redrawn
_WAITING = "waiting for the answer..."
_DIALECTS = ("auto", "openai", "azure-openai", "azure-openai-ga", "voicelive")
# RFC 6455 section 7.4.1 names, for close frames that carry no reason.
_CLOSE_NAMES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1006: "dropped without a close frame",
    1007: "invalid payload data",
    1008: "policy violation",
    1009: "message too big",
    1010: "mandatory extension",
    1011: "internal server error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
}


_SIGPIPE_STATUS = 128 + 13  # what a shell reports for a process SIGPIPE ended


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (``pyagent chat: argument --pace: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(
        prog="pyagent",
        description=f"Realtime voice conversations with AI models (installed as {DISTRIBUTION}).",
    )
    parser.add_argument("--version", action="version", version=f"pyagent {__version__} ({DISTRIBUTION})")
    commands = parser.add_subparsers(dest="command", metavar="{serve,chat,talk,phone}", parser_class=_Parser)

    from pyagent.server._cli import add_serve_parser
    from pyagent.telephony._cli import add_phone_parser

    add_serve_parser(commands)

    chat = commands.add_parser(
        "chat",
        help="send a WAV file as the user's turn and print the conversation",
        description="Stream a WAV file (any rate and channels; 8, 16, 24 or 32-bit PCM, float or G.711) as the user's "
        "turn, print the conversation and an event timeline, and write the spoken reply.",
    )
    chat.add_argument(
        "file", type=pathlib.Path, help="the user's audio: a WAV file, or a .raw/.pcm file of 24 kHz PCM16 mono"
    )
    chat.add_argument("--out", type=out_file, default=None, help="write the reply to this WAV file (say out/x.wav)")
    chat.add_argument(
        "--pace",
        type=_pace,
        default=0.0,
        metavar="FACTOR",
        help="stream at FACTOR times real time (1 = real time; default 0 = as fast as possible)",
    )
    _add_session_options(chat)

    talk = commands.add_parser(
        "talk",
        help=f"talk through the microphone and speaker (pip install '{DISTRIBUTION}[devices]')",
        description="A spoken conversation through the default microphone and speaker; Ctrl-C ends it.",
    )
    _add_session_options(talk)
    add_phone_parser(commands)
    return parser


def _add_session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        type=endpoint_option,
        default=None,
        help="the service's base URL, such as http://127.0.0.1:8765 (default: $PYAGENT_ENDPOINT, ...)",
    )
    parser.add_argument(
        "--dialect",
        default=None,
        choices=_DIALECTS,
        help="the protocol dialect (default: $PYAGENT_DIALECT, else judged from the endpoint)",
    )
    parser.add_argument(
        "--api-key",
        type=non_empty,
        default=None,
        metavar="KEY",
        help="the service's key (default: $PYAGENT_API_KEY, $OPENAI_API_KEY or $AZURE_VOICELIVE_API_KEY); with no "
        "endpoint configured, a key means OpenAI",
    )
    parser.add_argument(
        "--model",
        type=non_empty,
        default="gpt-4o-realtime",
        help="model or Azure OpenAI deployment (default: the service's current realtime model)",
    )
    parser.add_argument("--voice", type=non_empty, default="alloy", help="the assistant's voice (default: alloy)")
    parser.add_argument("--instructions", default="You are a helpful voice assistant. Keep answers short.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the library does")


# --------------------------------------------------------------------------------------------------- option types


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number (1 = real time, 0 = as fast as possible), not {text!r}"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"must be a finite number >= 0 (1 = real time, 0 = as fast as possible), not {text!r}"
        )
    return value


# --------------------------------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    """The ``pyagent`` command; returns the exit status. The console script and ``python -m pyagent`` run it from
    :mod:`pyagent.__main__`, which imports this module under the same Ctrl-C guard."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C at any moment, while the first imports run too: quietly
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command that was given them: "pyagent chat: unrecognized arguments: b.wav"
        command = _subparsers(parser).get(args.command or "", parser)
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "serve":
        from pyagent.server._cli import run_serve

        return run_serve(args)
    if args.command == "phone":
        from pyagent.telephony._cli import run_phone

        return run_phone(args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    out = _Output(sys.stdout)
    runner = _chat if args.command == "chat" else _talk
    try:
        status = asyncio.run(runner(args, out))
    except UsageError as exc:
        print(f"pyagent {args.command}: {exc}", file=sys.stderr)
        return 2
    except asyncio.CancelledError:
        if not out.closed:
            raise
    return _SIGPIPE_STATUS if out.closed else status


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subcommands only there
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


class _Output:
    """Standard output for the command's lines. When the reader goes away (a closed pipe: ``| head -3``), the command
    ends quietly, as SIGPIPE ends a Unix tool: the conversation is cancelled, later lines go nowhere, and no handler
    of the session raises BrokenPipeError. (SIGPIPE itself is left ignored, as Python sets it: with its default
    action, a peer closing one of the command's sockets would kill the process.)"""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.closed = False
        self._task: asyncio.Task[object] | None = None

    def watch(self) -> None:
        """Cancel the current task when the reader goes away."""
        self._task = asyncio.current_task()

    def write(self, text: str) -> int:
        if self.closed:
            return len(text)
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        if self.closed:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._gone()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def _gone(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError, ValueError):  # what is still buffered (flushed at exit) goes nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        if self._task is not None and not self._task.done():
            self._task.cancel()


# --------------------------------------------------------------------------------------------------- the service


@contextlib.asynccontextmanager
async def _endpoint(service: Service, args: argparse.Namespace, out: _Output) -> AsyncIterator[EndpointSettings]:
    """The settings for the session; a local server when nothing is configured. Says where it connects, how and
    with which model (the one that will be sent), before connecting."""
    from pyagent.voice._config import EndpointSettings

    if service.settings is not None:
        print(f"Endpoint: {service.describe()}", file=out, flush=True)
        yield service.settings
        return
    from pyagent.server import LocalServer

    args.model = service.model  # the local server takes any name; the Azure dialects need one
    async with LocalServer(realtime_factor=math.inf) as server:  # replies as fast as they are made
        engines = await server.speech_engines()
        dialect_name = args.dialect if args.dialect not in (None, "auto") else "openai"
        print(
            f"No endpoint configured (--endpoint, PYAGENT_ENDPOINT, OPENAI_API_KEY or AZURE_VOICELIVE_ENDPOINT): "
            f"using the local server at {server.endpoint} ({engines.description}).",
            file=out,
        )
        print(f"Endpoint: {server.endpoint} (dialect {dialect_name}, model {args.model}, no key)", file=out, flush=True)
        yield EndpointSettings(server.endpoint, None, dialect_name, "local server")


def _service(args: argparse.Namespace) -> Service:
    """The options' own checks (through the session's constructor), then the service, checked whole.

    Raises:
        UsageError: any mistake, in the command's words.
    """
    from pyagent.voice._config import EndpointSettings

    _session(args, EndpointSettings(None, args.api_key, args.dialect or "auto", "the options"))
    return resolve_service(args)


def _session(args: argparse.Namespace, settings: EndpointSettings) -> VoiceSession:
    from pyagent.voice import Agent, VoiceSession
    from pyagent.voice.errors import ConfigurationError

    try:
        return VoiceSession(
            model=args.model,
            voice=args.voice,
            agent=Agent("assistant", args.instructions),
            endpoint=settings.endpoint,
            credential=settings.credential,
            dialect=settings.dialect,
        )
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None


def _failure(exc: BaseException, service: Service) -> str:
    """One line for what ended the conversation: the server's close, a refused key, a TLS mismatch."""
    from pyagent.realtime.errors import ConnectionClosed, HandshakeError
    from pyagent.voice.errors import SessionClosedError

    if isinstance(exc, SessionClosedError | ConnectionClosed) and exc.code is not None:
        if exc.code == 1006 and not exc.reason.strip(" ."):
            return "the connection dropped without a close frame (1006)"
        reason = exc.reason.strip() or _CLOSE_NAMES.get(exc.code, "no reason given")
        if "without a close frame" in reason:
            return f"the connection dropped ({exc.code}, {reason})"
        return f"the server closed the connection ({exc.code}, {reason})"
    if isinstance(exc, HandshakeError) and exc.status in (401, 403):
        if not service.has_key:
            return (
                f"no API key given, and the server wants one (HTTP {exc.status}): pass --api-key, or set "
                "PYAGENT_API_KEY (OPENAI_API_KEY for OpenAI, AZURE_VOICELIVE_API_KEY for Voice Live)"
            )
        return f"the server refused the {service.key}: {exc}"
    return str(exc)


async def _explain(exc: BaseException, service: Service) -> str:
    """The one line for a failure; a TLS failure on an endpoint that answers in plain HTTP is named as such."""
    from pyagent.realtime.errors import TLSError

    settings = service.settings
    endpoint = settings.endpoint if settings is not None else None
    if isinstance(exc, TLSError) and endpoint and await _speaks_plain_http(endpoint):
        parts = urlsplit(endpoint)
        plain = shown_url(urlunsplit(("http" if parts.scheme == "https" else "ws", *parts[1:])))
        return f"{shown_url(endpoint)} speaks plain HTTP, not TLS: use {plain}"
    return " ".join(_failure(exc, service).split())  # one line, whatever a server's body held


async def _speaks_plain_http(endpoint: str) -> bool:
    """True when the endpoint's host and port answer a plain HTTP request (asked once, for 3 s at most)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    try:
        async with asyncio.timeout(3):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("ascii"))
                await writer.drain()
                head = await reader.read(5)
            finally:
                writer.close()
    except (OSError, TimeoutError, UnicodeError):
        return False
    return head == b"HTTP/"


async def _closed_reason(session: VoiceSession, exc: BaseException) -> BaseException:
    """What ended a session that refused a call because it had ended: the close it ended with, rather than the advice
    to connect again that the refusal carries."""
    from pyagent.voice import SessionState
    from pyagent.voice.errors import InvalidStateError, SessionClosedError

    if isinstance(exc, InvalidStateError) and session.state is SessionState.DISCONNECTED:
        for _ in range(64):  # past the responses still queued, a closed session answers with why it closed
            try:
                await session.receive()
            except SessionClosedError as closed:
                return closed
            except Exception:  # nothing better to say than the refusal itself
                return exc
    return exc


class _Progress:
    """The timeline of the session's events, and on a terminal one live status line under it with the time it has
    taken so far ("waiting for the answer... 2.4 s"); when the output is not a terminal, plain lines only."""

    def __init__(self, out: _Output, live: bool) -> None:
        self.out = out
        self.live = live
        self.start = time.monotonic()
        self._status: str | None = None
        self._detail = ""
        self._since = 0.0
        self._ticker: asyncio.Task[None] | None = None

    def line(self, text: str) -> None:
        self._erase()
        print(f"  [{time.monotonic() - self.start:6.2f}s] {text}", file=self.out, flush=True)
        self._draw()

    @property
    def current(self) -> str | None:
        """The status shown now, if any."""
        return self._status

    def status(self, text: str | None, detail: str = "", *, plain: bool = False) -> None:
        """Show ``text`` with the seconds since it was first shown (and ``detail``), live on a terminal; otherwise
        as one timeline line if ``plain`` (the timeline's times then tell how long it took)."""
        if text == self._status:
            if detail != self._detail:
                self._erase()
                self._detail = detail
                self._draw()
            return
        self._erase()
        self._status, self._detail, self._since = text, detail, time.monotonic()
        if text is None:
            return
        if not self.live:
            if plain:
                self.line(text)
            return
        self._draw()
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self.status(None)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(_TICK_S)
            self._erase()
            self._draw()

    def _draw(self) -> None:
        if self.live and self._status is not None:
            detail = f" ({self._detail})" if self._detail else ""
            self.out.write(f"  {self._status} {time.monotonic() - self._since:.1f} s{detail}")
            self.out.flush()

    def _erase(self) -> None:
        if self.live and self._status is not None:
            self.out.write("\r\x1b[K")

    def attach(self, session: VoiceSession) -> None:
        session.on("state_changed")(lambda new, old: self.line(f"state {old.name} -> {new.name}"))
        session.on("speech_started")(lambda: self.line("speech started"))
        session.on("speech_ended")(lambda: self.line("speech ended"))
        session.on("response_started")(self._response_started)
        session.on("response_done")(lambda: self.status(None))
        session.on("function_call")(lambda call: self.line(f"tool {call.name}({call.arguments}) -> {call.output}"))
        session.on("interrupted")(lambda info: self.line(f"interrupted at {info.audio_end_ms} ms"))
        session.on("error")(lambda error: self.line(f"error: {error}"))
        session.on("transcript_available")(lambda text, role: self.line(f"{role} transcript: {text}"))

    def _response_started(self) -> None:
        self.line("response started")
        if self._status == _WAITING:
            self.status("receiving the answer...")


# --------------------------------------------------------------------------------------------------- chat


def _read_turn(path: pathlib.Path) -> tuple[bytes, AudioFormat, str]:
    """The user's audio, its format, and how the file stores it in words; refused with one line if it cannot make
    a turn.

    Raises:
        UsageError: unreadable, not WAV (nor .raw/.pcm), empty or shorter than 100 ms.
    """
    from pyagent.audio import AudioFormat
    from pyagent.audio._wav import RAW_SUFFIXES, read_wav_stored
    from pyagent.errors import PyagentError

    try:
        if path.is_file() and path.stat().st_size == 0:
            raise UsageError(f"{path} is empty (0 bytes); a turn needs at least {_MIN_TURN_MS} ms of audio")
        if path.suffix.lower() in RAW_SUFFIXES:
            data, fmt, stored = path.read_bytes(), AudioFormat(24000), "16-bit PCM, headerless"
            data = data[: len(data) - len(data) % fmt.frame_bytes]
        else:
            data, fmt, stored = read_wav_stored(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory; give a WAV file") from None
    except PyagentError as exc:  # the audio layer's message names the file and says why
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    duration_ms = fmt.bytes_to_ms(len(data))
    if duration_ms < _MIN_TURN_MS:
        what = "no audio" if not data else f"{math.floor(duration_ms)} ms of audio"
        raise UsageError(
            f"{path} holds {what}; a turn needs at least {_MIN_TURN_MS} ms (the services refuse to end a shorter one)"
        )
    return data, fmt, stored


def _fit_to_session(data: bytes, fmt: AudioFormat) -> tuple[bytes, AudioFormat]:
    """The file as the session takes it: as it is when the session converts it itself (8-48 kHz, mono or stereo,
    PCM16 or G.711), else converted here to 24 kHz PCM16 mono (96 kHz, 6 channels, ...)."""
    from pyagent.audio import AudioFormat, convert
    from pyagent.voice._config import AudioSettings
    from pyagent.voice.errors import ConfigurationError

    try:
        AudioSettings(sample_rate=fmt.sample_rate, channels=fmt.channels, format=fmt.encoding)
    except ConfigurationError:
        target = AudioFormat(24000)
        return convert(data, fmt, target), target
    return data, fmt


def _wire_format(settings: EndpointSettings, fmt: AudioFormat) -> AudioFormat:
    """The format the session sends ``fmt`` in on this service: its own where the service speaks it, else PCM16 at
    24 kHz mono (see :func:`pyagent.voice._config.choose_wire_audio`)."""
    from pyagent.realtime.dialects import OPENAI_DEFAULT_ENDPOINT, resolve_dialect
    from pyagent.voice._config import AudioSettings, choose_wire_audio

    dialect = resolve_dialect(settings.dialect, settings.endpoint or OPENAI_DEFAULT_ENDPOINT)
    audio = AudioSettings(sample_rate=fmt.sample_rate, channels=fmt.channels, format=fmt.encoding)
    return choose_wire_audio(audio, dialect).format


async def _chat(args: argparse.Namespace, out: _Output) -> int:
    from pyagent.audio import decode_to_pcm16, write_wav
    from pyagent.errors import PyagentError

    out.watch()
    path: pathlib.Path = args.file
    service = _service(args)
    data, fmt, stored = _read_turn(path)
    seconds = len(data) / fmt.bytes_per_second
    sent, sent_fmt = _fit_to_session(data, fmt)
    progress = _Progress(out, live=out.isatty())
    try:
        async with _endpoint(service, args, out) as settings:
            session = _session(args, settings)
            session.configure_audio(
                sample_rate=sent_fmt.sample_rate, channels=sent_fmt.channels, format=sent_fmt.encoding
            )
            wire = _wire_format(settings, sent_fmt)
            print(
                f"Sending {path.name} ({seconds:.1f} s, {fmt.sample_rate} Hz, {fmt.channels} ch, {stored}; "
                f"sent as {wire.sample_rate} Hz, {wire.channels} ch, {wire.encoding})",
                file=out,
            )
            print("Timeline:", file=out, flush=True)
            progress.attach(session)
            try:
                async with session.connect() as voice:
                    try:
                        # The whole file is one user turn, however many pauses it holds: one answer.
                        turn = _stream_file(sent, sent_fmt, args.pace, seconds, progress)
                        responses = [await voice.respond(turn)]
                    except PyagentError as exc:
                        raise await _closed_reason(voice, exc) from None
            finally:
                progress.close()
    except PyagentError as exc:
        print(f"pyagent chat: {await _explain(exc, service)}", file=sys.stderr)
        return 1
    print("Conversation:", file=out)
    for response in responses:
        print(f"  You:       {response.input_transcript or '(no transcript)'}", file=out)
        for call in response.tool_calls:
            print(f"  Tool:      {call.name}({call.arguments}) -> {call.output}", file=out)
        said = response.transcript or response.text or "(nothing)"
        print(f"  Assistant: {said}{' (interrupted)' if response.interrupted else ''}", file=out)
    response = responses[-1]
    usage = dict(response.usage)
    print(f"  ({response.duration_ms / 1000:.1f} s of audio, status {response.status}, usage {usage})", file=out)
    print(f"Timings:   {_timings_line(response.timings)}", file=out)
    if args.out is not None:
        pcm = decode_to_pcm16(response.audio, response.format)
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_wav(args.out, pcm, response.sample_rate, response.channels)
        except PyagentError as exc:  # an AudioFileError names the file and says why
            print(f"pyagent chat: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"pyagent chat: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"Reply written to {args.out}", file=out)
    return 0


async def _stream_file(
    data: bytes, fmt: AudioFormat, pace: float, seconds: float, progress: _Progress
) -> AsyncIterator[bytes]:
    """The file in 100 ms chunks at ``pace`` times real time (0: as fast as the connection takes them); at its end
    the session ends the turn, and the progress says it waits for the answer."""
    chunk = fmt.ms_to_bytes(_CHUNK_MS)
    marks = seconds > _PROGRESS_AFTER_S and not progress.live
    next_mark = 0.25
    started = time.monotonic()
    for index, start in enumerate(range(0, len(data), chunk)):
        yield data[start : start + chunk]
        if pace > 0:
            due = started + (index + 1) * _CHUNK_MS / 1000 / pace
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        done = min(1.0, (start + chunk) / len(data))
        if progress.live:
            progress.status("sending the audio...", f"{done:.0%} of {seconds:.1f} s")
        while marks and done >= next_mark:
            progress.line(f"sent {next_mark:.0%} of the audio")
            next_mark += 0.25
    progress.status(None)
    progress.line("end of the user's turn")
    progress.status(_WAITING, plain=True)


def _timings_line(timings: TurnTimings) -> str:
    """The turn's waits in one line: what the user waited for, and what the answer took."""

    def ms(value: int | None) -> str:
        return "-" if value is None else f"{value} ms"

    parts = [
        f"end of speech -> response {ms(timings.response_latency_ms)}",
        f"-> first audio {ms(timings.first_audio_latency_ms)}",
        f"-> done {ms(timings.duration_ms)}",
    ]
    if timings.tools_ms:
        parts.append(f"(tools {timings.tools_ms} ms)")
    if timings.heard_ms is not None:
        parts.append(f"(interrupted after {timings.heard_ms} ms heard)")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------- talk


async def _talk(args: argparse.Namespace, out: _Output) -> int:
    from pyagent.audio import AudioDeviceError, SpeakerSink, check_devices, dbfs
    from pyagent.errors import PyagentError
    from pyagent.voice._audio_io import EchoGate, microphone

    out.watch()
    service = _service(args)
    try:
        check_devices(microphone=True, speaker=True)  # before anything starts: say what is missing
    except AudioDeviceError as exc:
        print(f"pyagent talk: {exc}", file=sys.stderr)
        return 1
    try:
        async with _endpoint(service, args, out) as settings:
            session = _session(args, settings)
            gate = EchoGate()
            assistant_level: list[float] = [-math.inf]  # the level of the assistant's voice, for the echo gate
            session.on("audio")(lambda data: assistant_level.__setitem__(0, dbfs(data)))
            session.on("transcript_available")(lambda text, role: print(f"{role:>9}: {text}", file=out, flush=True))
            session.on("interrupted")(lambda: print("(interrupted)", file=out, flush=True))
            async with session.connect() as voice, SpeakerSink(voice.playback):
                print("Talk now (headphones are best); Ctrl-C ends the conversation.", file=out, flush=True)
                try:
                    async for chunk in microphone(voice.audio_format):
                        playing = assistant_level[0] if voice.playback.is_playing else None
                        await voice.send_audio(gate.process(chunk, playing), commit=False)
                except PyagentError as exc:
                    raise await _closed_reason(voice, exc) from None
    except PyagentError as exc:
        print(f"pyagent talk: {await _explain(exc, service)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
