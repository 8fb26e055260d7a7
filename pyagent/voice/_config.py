"""What a session asks of the service, and where the service is: pure values, no I/O.

The session keeps its settings (voice, instructions, tools, turn detection, the user's audio format) here and turns
them into pyagent's neutral *flat* session mapping; the connection's dialect turns that into the shape its service
takes (``conn.dialect.session_to_wire(flat)``), so nothing here knows which service it talks to.

The audio on the wire (:class:`WireAudio`, chosen per connection by :func:`choose_wire_audio`) is the user's own
format when the service speaks it (G.711 at 8 kHz on every dialect, PCM16 at 24 kHz, Voice Live's 8 and 16 kHz PCM16):
then nothing is converted in either direction. Otherwise it is PCM16 at 24 kHz mono, the one format every dialect
accepts, and the session converts the user's format (:class:`AudioSettings`) on the way in and out, so 44.1/48 kHz
microphones work the same everywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from collections.abc import Mapping
from typing import Any, Literal

from pyagent.audio import AudioFormat
from pyagent.realtime import connect
from pyagent.realtime._credentials import check_credential
from pyagent.realtime.dialects import AGENT_QUERY_PARAMS, DIALECTS, Dialect, check_endpoint
from pyagent.realtime.errors import ConfigurationError as RealtimeConfigurationError
from pyagent.voice._agent import Agent
from pyagent.voice.errors import ConfigurationError, ConfigurationTypeError

__all__ = [
    "ENDPOINT_ENVIRONMENT",
    "AudioEncoding",
    "AudioSettings",
    "EndpointSettings",
    "SERVICE_AUDIO",
    "SERVICE_CHANNELS",
    "SERVICE_SAMPLE_RATE",
    "TurnDetectionSettings",
    "WireAudio",
    "DEFAULT_MODEL",
    "SERVICE_MODELS",
    "build_flat_session",
    "check_dialect",
    "check_session_arguments",
    "endpoint_configured",
    "choose_wire_audio",
    "resolve_endpoint",
    "resolve_model",
]

SERVICE_SAMPLE_RATE = 24000
SERVICE_CHANNELS = 1
AudioEncoding = Literal["pcm16", "g711_ulaw", "g711_alaw"]
_ENCODINGS: tuple[str, ...] = ("pcm16", "g711_ulaw", "g711_alaw")
ENDPOINT_ENVIRONMENT: tuple[str, ...] = (
    "PYAGENT_ENDPOINT",
    "PYAGENT_API_KEY",
    "PYAGENT_DIALECT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AZURE_VOICELIVE_ENDPOINT",
    "AZURE_VOICELIVE_API_KEY",
)
"""The environment variables :func:`resolve_endpoint` reads."""

DEFAULT_MODEL = "gpt-4o-realtime"
"""The constructor's default ``model`` (the seed's): not an id any service accepts, so it stands for "the service's
current realtime model" and :func:`resolve_model` replaces it."""

SERVICE_MODELS: Mapping[str, str | None] = {
    # OpenAI's alias for its current GA realtime model (platform.openai.com/docs/models/gpt-realtime).
    "openai": "gpt-realtime",
    # Voice Live lists gpt-realtime among its supported models (learn.microsoft.com, "Voice Live API overview").
    "voicelive": "gpt-realtime",
    # Azure OpenAI serves deployments, whose names only their owner knows.
    "azure-openai": None,
    "azure-openai-ga": None,
}
"""Dialect -> the model the default stands for; None where the caller must name a deployment."""


@dataclasses.dataclass(frozen=True, slots=True)
class TurnDetectionSettings:
    """When a user's turn ends: on the service (server VAD) and in :meth:`VoiceSession.listen` (the local detector).

    Attributes:
        enabled: False lets the caller decide turns (``send_audio(commit=True)``); the service detects none.
        threshold: speech probability above which audio counts as speech, 0.0 to 1.0.
        prefix_padding_ms: audio kept from before speech starts.
        silence_duration_ms: silence that ends a turn.
    """

    enabled: bool = True
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigurationTypeError(f"turn detection enabled must be True or False, not {self.enabled!r}")
        for name in ("threshold", "prefix_padding_ms", "silence_duration_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationTypeError(f"turn detection {name} must be a number, not {value!r}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigurationError(f"turn detection threshold must be between 0.0 and 1.0, got {self.threshold}")
        if self.prefix_padding_ms < 0 or self.silence_duration_ms < 0:
            raise ConfigurationError("turn detection prefix_padding and silence_duration must not be negative")

    def to_flat(self) -> dict[str, Any] | None:
        """The flat ``turn_detection`` value.

        The session, not the service, creates every response (``create_response: false``): that is how it keeps
        exactly one response per turn and never two at once, on every dialect. The service still cancels its own
        response when the user starts speaking (``interrupt_response: true``).
        """
        if not self.enabled:
            return None
        return {
            "type": "server_vad",
            "threshold": self.threshold,
            "prefix_padding_ms": self.prefix_padding_ms,
            "silence_duration_ms": self.silence_duration_ms,
            "create_response": False,
            "interrupt_response": True,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class AudioSettings:
    """The audio format the *user* sends and receives; the session converts to and from the service's.

    Attributes:
        sample_rate: 8000 to 48000 Hz (G.711 is always 8000).
        channels: 1 or 2 (interleaved).
        format: ``"pcm16"``, ``"g711_ulaw"`` or ``"g711_alaw"``.
    """

    sample_rate: int = SERVICE_SAMPLE_RATE
    channels: int = 1
    format: AudioEncoding = "pcm16"

    def __post_init__(self) -> None:
        for name in ("sample_rate", "channels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigurationTypeError(f"{name} must be an int, not {value!r}")
        if self.format not in _ENCODINGS:
            raise ConfigurationError(f"audio format must be one of {', '.join(_ENCODINGS)}, got {self.format!r}")
        if not 8000 <= self.sample_rate <= 48000:
            raise ConfigurationError(f"sample_rate must be between 8000 and 48000 Hz, got {self.sample_rate}")
        if self.format != "pcm16" and self.sample_rate != 8000:
            raise ConfigurationError(f"{self.format} audio is 8000 Hz, not {self.sample_rate}")
        if self.channels not in (1, 2):
            raise ConfigurationError(f"channels must be 1 or 2, got {self.channels}")

    @property
    def is_service_format(self) -> bool:
        """True when no conversion is needed."""
        return self.format == "pcm16" and self.sample_rate == SERVICE_SAMPLE_RATE and self.channels == SERVICE_CHANNELS

    @property
    def frame_bytes(self) -> int:
        """Bytes of one sample frame (all channels) in this format."""
        return self.channels * (2 if self.format == "pcm16" else 1)

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of audio in this format."""
        return self.sample_rate * self.frame_bytes

    def replace(
        self, sample_rate: int | None = None, channels: int | None = None, format: str | None = None
    ) -> AudioSettings:
        """A copy with the given fields changed; G.711 without a rate means 8000 Hz."""
        new_format = format if format is not None else self.format
        if new_format not in _ENCODINGS:
            raise ConfigurationError(f"audio format must be one of {', '.join(_ENCODINGS)}, got {new_format!r}")
        rate = sample_rate
        if rate is None:
            rate = 8000 if new_format != "pcm16" else (self.sample_rate if self.format == "pcm16" else 24000)
        return AudioSettings(
            sample_rate=rate,
            channels=channels if channels is not None else self.channels,
            format=new_format,  # type: ignore[arg-type]  # checked against _ENCODINGS above
        )


@dataclasses.dataclass(frozen=True, slots=True)
class WireAudio:
    """The audio format on the wire for one connection, and the flat session fields that ask the service for it.

    Attributes:
        format: the format of every ``input_audio_buffer.append`` and every audio delta (mono).
        fields: ``input_audio_format``, ``output_audio_format`` (and Voice Live's ``input_audio_sampling_rate``),
            sent in every full ``session.update`` so that no later update changes the format.
    """

    format: AudioFormat
    fields: Mapping[str, Any]

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of audio on the wire."""
        return self.format.bytes_per_second


SERVICE_AUDIO = WireAudio(
    AudioFormat(SERVICE_SAMPLE_RATE), {"input_audio_format": "pcm16", "output_audio_format": "pcm16"}
)
"""PCM16 at 24 kHz mono: what every dialect speaks, and the wire format whenever the user's is not native."""


def choose_wire_audio(settings: AudioSettings, dialect: Dialect) -> WireAudio:
    """The wire format for the user's audio on this dialect: the user's own when the service speaks it (nothing to
    convert, both ways), else :data:`SERVICE_AUDIO`."""
    if settings.channels == 1:
        fields = dialect.audio_format_fields(settings.format, settings.sample_rate)
        if fields is not None:
            return WireAudio(AudioFormat(settings.sample_rate, 1, settings.format), fields)
    fields = dialect.audio_format_fields("pcm16", SERVICE_SAMPLE_RATE)
    return WireAudio(SERVICE_AUDIO.format, fields) if fields is not None else SERVICE_AUDIO


def build_flat_session(
    *,
    voice: str | Mapping[str, Any],
    instructions: str,
    turn_detection: TurnDetectionSettings,
    language: str | None,
    transcription_model: str | None,
    agent_fields: Mapping[str, Any] | None = None,
    audio_fields: Mapping[str, Any] = SERVICE_AUDIO.fields,
) -> dict[str, Any]:
    """pyagent's flat session mapping for these settings (contract: the beta ``session.update`` shape).

    The agent's fields (instructions, tools, tool_choice, temperature) win over the session's own instructions.
    ``audio_fields`` are the wire format's (:attr:`WireAudio.fields`).
    """
    flat: dict[str, Any] = {
        "modalities": ["text", "audio"],
        "voice": dict(voice) if isinstance(voice, Mapping) else voice,
        "instructions": instructions,
        **audio_fields,
        "turn_detection": turn_detection.to_flat(),
    }
    if transcription_model:
        transcription: dict[str, Any] = {"model": transcription_model}
        if language:
            transcription["language"] = language
        flat["input_audio_transcription"] = transcription
    if agent_fields:
        for key, value in agent_fields.items():
            if key == "instructions" and not value:
                continue
            flat[key] = value
    return flat


@dataclasses.dataclass(frozen=True, slots=True)
class EndpointSettings:
    """Where to connect and how to authenticate; the credential never shows in a repr.

    Attributes:
        endpoint: the base URL given to :func:`pyagent.realtime.connect` (None: the dialect's default service).
        credential: an API key (str), a key or token credential object, or None (the local server).
        dialect: the dialect name, or ``"auto"``.
        source: where the settings came from (an argument or the environment variables' names), for messages.
    """

    endpoint: str | None
    credential: Any = dataclasses.field(repr=False)
    dialect: str
    source: str


def resolve_endpoint(
    endpoint: str | None,
    credential: Any,
    dialect: str | None,
    environ: Mapping[str, str] | None = None,
) -> EndpointSettings:
    """The endpoint from the arguments, else from the environment.

    Order: ``endpoint=`` argument; ``PYAGENT_ENDPOINT`` (+ ``PYAGENT_API_KEY``, ``PYAGENT_DIALECT``);
    ``OPENAI_API_KEY`` (OpenAI, at ``OPENAI_BASE_URL`` when set, as the OpenAI SDK reads it);
    ``AZURE_VOICELIVE_ENDPOINT`` + ``AZURE_VOICELIVE_API_KEY`` (Voice Live). An explicit ``credential=`` or
    ``dialect=`` always wins over the environment's. An endpoint of the ``openai`` dialect with no key of its own
    (no ``credential=``, no ``PYAGENT_API_KEY``) takes ``OPENAI_API_KEY``, as the OpenAI SDK does with a
    ``base_url``.

    Raises:
        ConfigurationError: none of these is set (the message names every option), or a variable's value cannot
            be used (``PYAGENT_ENDPOINT=127.0.0.1:8765`` without a scheme, an unknown ``PYAGENT_DIALECT``): the
            message names the variable.
    """
    env = os.environ if environ is None else environ
    explicit_dialect = dialect if dialect not in (None, "", "auto") else None
    if explicit_dialect is not None:
        check_dialect(explicit_dialect)
    env_dialect = _env_value(env, "PYAGENT_DIALECT")
    if env_dialect is not None and explicit_dialect is None:
        check_dialect(env_dialect, "PYAGENT_DIALECT")
    if endpoint or _env_value(env, "PYAGENT_ENDPOINT"):
        source = "endpoint=" if endpoint else "PYAGENT_ENDPOINT"
        url = _checked_endpoint(endpoint or env["PYAGENT_ENDPOINT"], source)
        chosen = explicit_dialect or env_dialect or "auto"
        key = credential if credential is not None else _env_value(env, "PYAGENT_API_KEY")
        if key is None and chosen == "openai":
            key = _env_value(env, "OPENAI_API_KEY")
        return EndpointSettings(url, key, chosen, source)
    if _env_value(env, "OPENAI_API_KEY"):
        key = credential if credential is not None else env["OPENAI_API_KEY"]
        base_url = _env_value(env, "OPENAI_BASE_URL")
        # No OPENAI_BASE_URL: the connection knows where the OpenAI service is.
        openai_url = _checked_endpoint(base_url, "OPENAI_BASE_URL") if base_url is not None else None
        return EndpointSettings(openai_url, key, explicit_dialect or "openai", "OPENAI_API_KEY")
    voicelive = _env_value(env, "AZURE_VOICELIVE_ENDPOINT")
    if voicelive and (credential is not None or _env_value(env, "AZURE_VOICELIVE_API_KEY")):
        key = credential if credential is not None else env["AZURE_VOICELIVE_API_KEY"]
        return EndpointSettings(
            _checked_endpoint(voicelive, "AZURE_VOICELIVE_ENDPOINT"),
            key,
            explicit_dialect or "voicelive",
            "AZURE_VOICELIVE_ENDPOINT",
        )
    raise ConfigurationError(
        "no realtime endpoint is configured. Pass endpoint= (and credential=, dialect=) to VoiceSession, or set "
        "PYAGENT_ENDPOINT (with PYAGENT_API_KEY and PYAGENT_DIALECT as needed), or OPENAI_API_KEY for OpenAI, or "
        "AZURE_VOICELIVE_ENDPOINT with AZURE_VOICELIVE_API_KEY for Azure AI Voice Live. "
        "For a local, offline endpoint run `pyagent serve`."
    )


def resolve_model(model: str, dialect: str) -> str:
    """The model to ask for: ``model`` unchanged, unless it is :data:`DEFAULT_MODEL`, which becomes the dialect's
    current realtime model (:data:`SERVICE_MODELS`).

    Raises:
        ConfigurationError: the default was left on Azure OpenAI, which needs a deployment name.
    """
    if model != DEFAULT_MODEL:
        return model
    current = SERVICE_MODELS.get(dialect, "gpt-realtime")
    if current is None:
        raise ConfigurationError(
            f"the {dialect} dialect needs your deployment's name: pass model='<deployment>' to VoiceSession "
            "(the model parameter)"
        )
    return current


def endpoint_configured(endpoint: str | None, credential: Any, environ: Mapping[str, str] | None = None) -> bool:
    """True when :func:`resolve_endpoint` finds an endpoint (well formed or not) rather than raising that none is
    configured: what ``pyagent chat`` asks before it starts the local server instead."""
    env = os.environ if environ is None else environ
    voicelive = _env_value(env, "AZURE_VOICELIVE_ENDPOINT") and (
        credential is not None or _env_value(env, "AZURE_VOICELIVE_API_KEY")
    )
    return bool(endpoint or _env_value(env, "PYAGENT_ENDPOINT") or _env_value(env, "OPENAI_API_KEY") or voicelive)


def _env_value(env: Mapping[str, str], name: str) -> str | None:
    """A variable's value, or None when it is unset or empty (an empty variable means "not set" in shells)."""
    value = env.get(name, "").strip()
    return value or None


def _checked_endpoint(value: str, source: str) -> str:
    what = "endpoint" if source == "endpoint=" else source
    try:
        return check_endpoint(value, what)
    except RealtimeConfigurationError as exc:
        raise ConfigurationError(str(exc)) from None


def check_dialect(name: object, what: str = "dialect") -> str:
    """``name`` if it names a dialect (or ``"auto"``).

    Raises:
        ConfigurationError: an unknown name; the message names ``what`` (an argument, an option or a variable)
            and lists the accepted names.
    """
    if isinstance(name, str) and (name == "auto" or name in DIALECTS):
        return name
    accepted = ", ".join(["auto", *sorted(DIALECTS)])
    raise ConfigurationError(f"{what} {name!r} is not a dialect: accepted are {accepted}")


_SESSION_SETS = frozenset({"endpoint", "credential", "model", "dialect"})


@functools.cache
def _connect_options() -> frozenset[str]:
    """What ``connect_options`` may hold: connect()'s parameters (read at the first check, not at import)."""
    return (frozenset(inspect.signature(connect).parameters) | frozenset(AGENT_QUERY_PARAMS)) - (
        _SESSION_SETS | {"agent_fields"}
    )


def check_session_arguments(
    *,
    model: object,
    voice: object,
    agent: object,
    language: object,
    sample_rate: object,
    turn_detection: object,
    endpoint: object,
    credential: object,
    dialect: object,
    audio_source: object,
    clock: object,
    transcription_model: object,
    connect_options: object,
) -> None:
    """:class:`~pyagent.voice.VoiceSession`'s constructor checks, so a session that cannot work fails where it is
    made, before a connection is tried. The environment is read later, by :func:`resolve_endpoint`.

    Raises:
        ConfigurationError: a value out of range: an empty model, an endpoint without a scheme, an unknown dialect.
        ConfigurationTypeError: a value of the wrong kind.
    """
    if not isinstance(model, str):
        raise ConfigurationTypeError(f"model must be a str (the model or deployment), not {model!r}")
    if not model.strip():
        raise ConfigurationError("model must not be empty: name the model or deployment")
    if not isinstance(voice, str | Mapping):
        raise ConfigurationTypeError(f"voice must be a voice name or the service's voice object, not {voice!r}")
    if not voice:
        raise ConfigurationError("voice must not be empty: name a voice such as 'alloy'")
    if agent is not None and not isinstance(agent, Agent):
        raise ConfigurationTypeError(f"agent must be an Agent or None, not {type(agent).__name__}")
    if language is not None and not isinstance(language, str):
        raise ConfigurationTypeError(f"language must be a str such as 'en', or None, not {language!r}")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int):
        raise ConfigurationTypeError(f"sample_rate must be an int number of hertz, not {sample_rate!r}")
    if not isinstance(turn_detection, bool):
        raise ConfigurationTypeError(f"turn_detection must be True or False, not {turn_detection!r}")
    if endpoint is not None:
        if not isinstance(endpoint, str):
            raise ConfigurationTypeError(f"endpoint must be a URL str or None, not {type(endpoint).__name__}")
        _checked_endpoint(endpoint, "endpoint=")
    try:
        check_credential(credential)
    except RealtimeConfigurationError as exc:
        raise ConfigurationTypeError(str(exc)) from None
    check_dialect(dialect)
    if audio_source is not None and not hasattr(audio_source, "__aiter__"):
        raise ConfigurationTypeError(
            f"audio_source must be an async iterable of audio chunks, or None for the microphone, not "
            f"{type(audio_source).__name__}"
        )
    if clock is not None and not callable(getattr(clock, "now", None)):
        raise ConfigurationTypeError(f"clock must have a now() method (a Clock), not {type(clock).__name__}")
    if transcription_model is not None and (not isinstance(transcription_model, str) or not transcription_model):
        raise ConfigurationTypeError(
            f"transcription_model must be a non-empty str or None, not {transcription_model!r}"
        )
    if connect_options is not None:
        if not isinstance(connect_options, Mapping):
            raise ConfigurationTypeError(f"connect_options must be a mapping, not {type(connect_options).__name__}")
        unknown = sorted(str(key) for key in connect_options if key not in _connect_options())
        if unknown:
            raise ConfigurationTypeError(
                f"connect_options has what connect() does not take, or the session sets itself: {', '.join(unknown)} "
                f"(accepted: {', '.join(sorted(_connect_options()))})"
            )
