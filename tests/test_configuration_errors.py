"""Bad arguments across the public API: constructors and connect() refuse them with a typed ConfigurationError (a
PyagentError, and the ValueError or TypeError it was before), raised by the call itself, before any work; the walk
over every public constructor holds the README's promise that every error pyagent raises derives from PyagentError."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import math
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest

import pyagent
from pyagent import Agent, ConfigurationError, ConfigurationTypeError, PyagentError, VoiceSession, telemetry
from pyagent.audio import (
    AudioError,
    AudioFormat,
    Chunker,
    ManualClock,
    MicrophoneSource,
    PlaybackClock,
    RenderPipeline,
    Resampler,
    VoiceActivityDetector,
    load_audio,
    read_raw,
    read_wav,
    write_wav,
)
from pyagent.realtime import KeyCredential, RealtimeError, TokenCredential, WebsocketConnectionOptions, connect
from pyagent.server import LocalServer, ServerError
from pyagent.voice import VoiceError

NAN = math.nan
URL = "http://127.0.0.1:9"

# (call, the layer's base error, a fragment of the message)
REFUSED: list[tuple[Callable[[], object], type[PyagentError], str]] = [
    (lambda: VoiceSession(endpoint="127.0.0.1:8765"), VoiceError, "'127.0.0.1:8765' has no scheme"),
    (lambda: VoiceSession(endpoint="localhost:8765"), VoiceError, "for example 'http://localhost:8765'"),
    (lambda: VoiceSession(dialect="openia"), VoiceError, "dialect 'openia' is not a dialect"),
    (lambda: VoiceSession(sample_rate=96000), VoiceError, "sample_rate must be between 8000 and 48000"),
    (lambda: VoiceSession(model=""), VoiceError, "model must not be empty"),
    (lambda: VoiceSession(voice=7), VoiceError, "voice must be"),  # type: ignore[arg-type]
    (lambda: VoiceSession(credential=b"key"), VoiceError, "not bytes"),
    (lambda: VoiceSession(connect_options={"modle": "x"}), VoiceError, "modle"),
    (lambda: VoiceSession(audio_source=[b"\x00\x00"]), VoiceError, "async iterable"),  # type: ignore[arg-type]
    (lambda: Agent(temperature=NAN), VoiceError, "temperature"),
    (lambda: Agent(tools=3), VoiceError, "tools must be a list"),  # type: ignore[arg-type]
    (lambda: connect(endpoint="127.0.0.1:8765"), RealtimeError, "has no scheme"),
    (lambda: connect(endpoint=URL, dialect="openia"), RealtimeError, "unknown dialect 'openia'"),
    (lambda: connect(endpoint=URL, credential=5), RealtimeError, "credential must be"),
    (lambda: connect(endpoint=URL, headers=["api-key"]), RealtimeError, "headers must be a mapping"),
    (lambda: connect(endpoint=URL, model=""), RealtimeError, "model must not be empty"),
    (lambda: connect(endpoint=URL, modle="x"), RealtimeError, "modle"),  # type: ignore[arg-type]
    (lambda: WebsocketConnectionOptions(heartbeat=NAN), RealtimeError, "heartbeat must be positive"),
    (lambda: WebsocketConnectionOptions(max_queue=0), RealtimeError, "max_queue must be positive"),
    (lambda: WebsocketConnectionOptions(autoping="yes"), RealtimeError, "autoping"),  # type: ignore[arg-type]
    (lambda: KeyCredential(""), RealtimeError, "non-empty"),
    (lambda: TokenCredential(5), RealtimeError, "non-empty"),  # type: ignore[arg-type]
    (lambda: LocalServer(port=70000), ServerError, "port must be an int from 0 to 65535"),
    (lambda: LocalServer(realtime_factor=NAN), ServerError, "realtime_factor"),
    (lambda: LocalServer(speech="maybe"), ServerError, "speech must be"),  # type: ignore[arg-type]
    (lambda: LocalServer(host=""), ServerError, "host"),
    (lambda: AudioFormat(sample_rate=NAN), AudioError, "unsupported sample rate"),  # type: ignore[arg-type]
    (lambda: AudioFormat(encoding="mp3"), AudioError, "unsupported encoding"),  # type: ignore[arg-type]
    (lambda: Resampler(24000, 5), AudioError, "unsupported output sample rate"),
    (lambda: Chunker(NAN), AudioError, "frame_ms"),
    (lambda: VoiceActivityDetector(threshold=2), AudioError, "threshold"),
    (lambda: PlaybackClock(math.inf), AudioError, "sample rate"),  # type: ignore[arg-type]
    (lambda: ManualClock(NAN), AudioError, "finite number of seconds"),
    (lambda: RenderPipeline(None), AudioError, "PlaybackClock"),  # type: ignore[arg-type]
    (lambda: MicrophoneSource(frame_ms=-1), AudioError, "frame_ms"),
    (lambda: VoiceSession(endpoint="http://[::1"), VoiceError, "has a malformed host"),
    (lambda: connect(endpoint="https://[bad?api-key=sk-x"), RealtimeError, "'https://[bad?api-key=***'"),
    (lambda: connect(endpoint="http://127.0.0.1:0"), RealtimeError, "has port 0, which names no service"),
    (lambda: load_audio(5), AudioError, "path must be a file path"),  # type: ignore[arg-type]
    (lambda: load_audio(""), AudioError, "path must name a file"),
    (lambda: write_wav(None, b"", 24000), AudioError, "path must be a file path"),  # type: ignore[arg-type]
    (lambda: telemetry.instrument(tracer_provider="x"), PyagentError, "tracer_provider must be"),
    (lambda: telemetry.instrument(content_recording="false"), PyagentError, "content_recording must be"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("function", [read_wav, read_raw, load_audio, write_wav], ids=lambda f: f.__name__)
def test_the_file_functions_raise_only_pyagent_errors(function: Callable[..., object], tmp_path: Any) -> None:
    """Whatever the path: a bad kind, nothing, a directory, a missing file, a path through a file."""
    (tmp_path / "file.txt").write_text("not audio")
    arguments = (b"\x00\x00", 24000) if function is write_wav else ()
    for path in [*BAD, tmp_path, tmp_path / "missing" / "x.wav", tmp_path / "file.txt" / "x.wav"]:
        with pytest.raises(PyagentError):
            function(path, *arguments)


@pytest.mark.parametrize(("call", "layer", "fragment"), REFUSED)
def test_the_constructor_refuses_with_a_typed_configuration_error(
    call: Callable[[], object], layer: type[PyagentError], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        call()  # the call itself: connect() is not even awaited, no socket, no server
    error = info.value
    assert isinstance(error, layer), type(error).__mro__
    assert isinstance(error, ValueError)  # what callers caught before still catches it
    assert fragment in str(error)


def test_wrong_kinds_are_type_errors_too() -> None:
    with pytest.raises(ConfigurationTypeError) as info:
        connect(endpoint=URL, credential=5)
    assert isinstance(info.value, TypeError)
    with pytest.raises(TypeError):
        VoiceSession(model=7)  # type: ignore[arg-type]


class _Tokens:
    def get_token(self, *scopes: str) -> str:
        return "token"


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        # "false" is truthy: taken as a flag it would send the key over plaintext to a remote host.
        (lambda: connect(endpoint="http://192.0.2.1:9", credential="sk-k", allow_insecure="false"), "allow_insecure"),
        (lambda: connect(endpoint=URL, credential=_Tokens(), credential_scopes=5), "credential_scopes"),
        (lambda: connect(endpoint=URL, credential=_Tokens(), credential_scopes=b"scope"), "credential_scopes"),
        (lambda: connect(endpoint=URL, credential=_Tokens(), credential_scopes=["a", 5]), "credential_scopes"),
        (lambda: connect(endpoint=URL, dialect=5), "dialect"),
        (lambda: Resampler("24000", 8000), "sample rate"),
        (lambda: Resampler(24000, 8000, channels=1.0), "channel count"),
        (lambda: Agent(tool_timeout="5"), "tool_timeout"),
    ],
)
def test_each_wrong_kind_is_refused_at_the_call_as_a_type_error(call: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ConfigurationTypeError) as info:
        call()
    assert isinstance(info.value, TypeError)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------------------------------- the walk

# A valid value for each required parameter of a public constructor: the walk varies one argument at a time.
VALID: dict[str, object] = {
    "session_factory": lambda: None,
    "in_rate": 24000,
    "out_rate": 16000,
    "frame_ms": 20,
    "device_rate": 48000,
    "playback": PlaybackClock(),
    "function": lambda city: city,
    "key": "a-key",
    "token": "a-token",
}
BAD: list[object] = [object(), NAN, math.inf, -1, 10**12, "", b"\x00", None, [object()]]


def public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    seen: set[int] = set()
    names = ["pyagent"] + [
        info.name
        for info in pkgutil.walk_packages(pyagent.__path__, prefix="pyagent.")
        if not any(part.startswith("_") for part in info.name.split("."))
        and info.name not in ("pyagent.cli", "pyagent.demo")  # programs: their mistakes are exit statuses
    ]
    for module_name in names:
        module = importlib.import_module(module_name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if attr == "connect" or (inspect.isclass(obj) and not _made_for_the_user(obj)):
                yield f"{module_name}.{attr}", obj


def _made_for_the_user(cls: type) -> bool:
    """Classes the walk leaves out, each because no argument of theirs can be a user's mistake: errors, enums,
    protocol Structs (checked when encoded), protocols, records without checks (plain dataclasses the library fills
    in), the raw mappings the codec keeps of parts it does not know, and what a connection, a session or a server
    makes for itself (resources, the connection, a scripted peer, a response, the conversation's view)."""
    return (
        issubclass(cls, BaseException | enum.Enum | msgspec.Struct | dict)
        or bool(getattr(cls, "_is_protocol", False))
        or (dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__"))
        or cls.__name__.endswith("Resource")
        or cls.__name__ in ("RealtimeConnection", "ScriptedPeer", "VoiceResponse", "Conversation")
    )


PUBLIC = sorted(public_callables())


def test_the_walk_finds_the_constructors() -> None:
    names = {name for name, _ in PUBLIC}
    assert {"pyagent.VoiceSession", "pyagent.realtime.connect", "pyagent.server.LocalServer"} <= names
    assert "pyagent.audio.Resampler" in names
    assert len(names) >= 20


@pytest.mark.parametrize(("name", "constructor"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_every_public_constructor_raises_only_pyagent_errors(name: str, constructor: Callable[..., object]) -> None:
    parameters = [
        p
        for p in inspect.signature(constructor).parameters.values()
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
    missing = required - set(VALID)
    assert not missing, f"add a valid value for {sorted(missing)} (needed by {name}) to VALID"
    base: dict[str, Any] = {p: VALID[p] for p in required}
    if name.endswith(".connect"):
        base["endpoint"] = URL
    foreign: list[str] = []
    for parameter in parameters:
        for bad in BAD:
            try:
                made = constructor(**{**base, parameter.name: bad})
            except PyagentError:
                continue
            except Exception as exc:
                foreign.append(f"{parameter.name}={bad!r}: {type(exc).__name__}: {exc}")
            else:
                close = getattr(made, "close", None)
                if inspect.iscoroutinefunction(close):
                    continue  # nothing was started: a server or connection opens on start()/await, not here
    assert not foreign, f"{name} raised errors that are not PyagentError:\n" + "\n".join(foreign)
