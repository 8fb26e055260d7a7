"""The three dialects of the realtime protocol, as values.

A dialect is data, not branches scattered through the code: the path it is served on, how a key is sent, which
names its events carry and which shape its session object has. The rest of pyagent asks the dialect and never
tests ``if dialect == ...``.

Two shapes of session exist on the wire. The *flat* shape (OpenAI beta, Azure OpenAI preview, Voice Live) is
pyagent's neutral form: the voice layer builds a flat mapping and the dialect turns it into what its service takes
(:meth:`Dialect.session_to_wire`); the local server reads whatever arrives back into flat form
(:meth:`Dialect.session_from_wire`). Event names are kept in their GA spelling as the canonical names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AZURE_OPENAI",
    "AZURE_OPENAI_GA",
    "DIALECTS",
    "Dialect",
    "DialectName",
    "OPENAI",
    "VOICELIVE",
    "flat_session_to_nested",
    "get_dialect",
    "nested_session_to_flat",
]

DialectName = Literal["openai", "azure-openai", "azure-openai-ga", "voicelive"]

# GA event name -> beta event name, for the server events that were renamed. ``conversation.item.done`` has no beta
# twin: beta servers send only ``conversation.item.created``.
_GA_TO_BETA_SERVER: dict[str, str] = {
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "conversation.item.added": "conversation.item.created",
}
_BETA_TO_GA_SERVER: dict[str, str] = {beta: ga for ga, beta in _GA_TO_BETA_SERVER.items()}

# Flat audio format names <-> GA format objects.
_FLAT_TO_NESTED_FORMAT: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}
_NESTED_TO_FLAT_FORMAT: dict[str, str] = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}

# Flat key -> (path inside the nested session). Keys not listed keep their name at the top level.
_FLAT_TO_NESTED_PATH: dict[str, tuple[str, ...]] = {
    "modalities": ("output_modalities",),
    "max_response_output_tokens": ("max_output_tokens",),
    "input_audio_format": ("audio", "input", "format"),
    "input_audio_transcription": ("audio", "input", "transcription"),
    "input_audio_noise_reduction": ("audio", "input", "noise_reduction"),
    "turn_detection": ("audio", "input", "turn_detection"),
    "output_audio_format": ("audio", "output", "format"),
    "voice": ("audio", "output", "voice"),
    "speed": ("audio", "output", "speed"),
}
# Flat keys the GA session does not accept at all.
_FLAT_ONLY: frozenset[str] = frozenset(
    {
        "temperature",
        "input_audio_sampling_rate",
        "input_audio_echo_cancellation",
        "avatar",
        "animation",
        "output_audio_timestamp_types",
    }
)


def flat_session_to_nested(flat: Mapping[str, Any], *, session_type: str = "realtime") -> dict[str, Any]:
    """Turn a flat (beta) session mapping into the GA nested shape, dropping keys GA does not know.

    ``modalities: ["text", "audio"]`` becomes ``output_modalities: ["audio"]`` because GA takes one output modality.
    """
    nested: dict[str, Any] = {"type": session_type}
    for key, value in flat.items():
        if key in _FLAT_ONLY:
            continue
        if key in ("input_audio_format", "output_audio_format") and isinstance(value, str):
            value = dict(_FLAT_TO_NESTED_FORMAT.get(value, {"type": value}))
        if key == "modalities" and isinstance(value, list):
            value = ["audio"] if "audio" in value else list(value)
        path = _FLAT_TO_NESTED_PATH.get(key, (key,))
        target = nested
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return nested


def nested_session_to_flat(nested: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a GA nested session mapping into the flat shape; a flat mapping comes back unchanged but for ``type``.

    ``output_modalities: ["audio"]`` becomes ``modalities: ["text", "audio"]``: GA audio output always carries a
    transcript, which is what beta's two modalities meant.
    """
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        if key == "type" or key == "audio":
            continue
        if key == "output_modalities" and isinstance(value, list):
            flat["modalities"] = ["text", "audio"] if "audio" in value else list(value)
        elif key == "max_output_tokens":
            flat["max_response_output_tokens"] = value
        else:
            flat[key] = value
    audio = nested.get("audio")
    if isinstance(audio, Mapping):
        for flat_key, path in _FLAT_TO_NESTED_PATH.items():
            if path[0] != "audio":
                continue
            section = audio.get(path[1])
            if not isinstance(section, Mapping) or path[2] not in section:
                continue
            value = section[path[2]]
            if flat_key.endswith("_audio_format") and isinstance(value, Mapping):
                flat[flat_key] = _NESTED_TO_FLAT_FORMAT.get(str(value.get("type")), str(value.get("type")))
                if flat_key == "input_audio_format" and value.get("rate") not in (None, 24000):
                    flat["input_audio_sampling_rate"] = value.get("rate")
            else:
                flat[flat_key] = value
    return flat


@dataclass(frozen=True, slots=True)
class Dialect:
    """One dialect of the realtime protocol.

    Attributes:
        name: ``"openai"``, ``"azure-openai"`` (preview path, beta names), ``"azure-openai-ga"`` (``/openai/v1``
            path, GA names) or ``"voicelive"``.
        path: the path the service answers on, after the endpoint's own path.
        session_shape: ``"nested"`` (GA) or ``"flat"`` (beta and Voice Live).
        key_header: the header a key travels in; ``"authorization"`` means ``Authorization: Bearer KEY``.
        default_api_version: the ``api-version`` query value, or None when the dialect has none.
        model_param: the query parameter naming the model or deployment.
        event_names: canonical (GA) server event name -> this dialect's name, for the names that differ.
    """

    name: DialectName
    path: str
    session_shape: Literal["nested", "flat"]
    key_header: str
    default_api_version: str | None
    model_param: str
    event_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def uses_ga_names(self) -> bool:
        """True when the dialect's server events carry GA names (``response.output_audio.delta``)."""
        return not self.event_names

    def server_event_name(self, canonical: str) -> str:
        """This dialect's name for a server event given by its GA name."""
        return self.event_names.get(canonical, canonical)

    def canonical_event_name(self, wire_name: str) -> str:
        """The GA name of a server event received under either spelling."""
        return _BETA_TO_GA_SERVER.get(wire_name, wire_name)

    def session_to_wire(self, flat: Mapping[str, Any], *, session_type: str = "realtime") -> dict[str, Any]:
        """The session object this dialect's ``session.update`` takes, from pyagent's flat form."""
        if self.session_shape == "nested":
            return flat_session_to_nested(flat, session_type=session_type)
        return dict(flat)

    def session_from_wire(self, session: Mapping[str, Any]) -> dict[str, Any]:
        """pyagent's flat form of a session object in either shape."""
        if "audio" in session or session.get("type") in ("realtime", "transcription"):
            return nested_session_to_flat(session)
        return {key: value for key, value in session.items() if key != "type"}


OPENAI = Dialect(
    name="openai",
    path="/realtime",
    session_shape="nested",
    key_header="authorization",
    default_api_version=None,
    model_param="model",
)
AZURE_OPENAI = Dialect(
    name="azure-openai",
    path="/openai/realtime",
    session_shape="flat",
    key_header="api-key",
    default_api_version="2025-04-01-preview",
    model_param="deployment",
    event_names=_GA_TO_BETA_SERVER,
)
AZURE_OPENAI_GA = Dialect(
    name="azure-openai-ga",
    path="/openai/v1/realtime",
    session_shape="nested",
    key_header="api-key",
    default_api_version=None,
    model_param="model",
)
VOICELIVE = Dialect(
    name="voicelive",
    path="/voice-live/realtime",
    session_shape="flat",
    key_header="api-key",
    default_api_version="2025-10-01",
    model_param="model",
    event_names=_GA_TO_BETA_SERVER,
)

DIALECTS: Mapping[str, Dialect] = {d.name: d for d in (OPENAI, AZURE_OPENAI, AZURE_OPENAI_GA, VOICELIVE)}


def get_dialect(name: str) -> Dialect:
    """The dialect of that name.

    Raises:
        ValueError: the name is not one of :data:`DIALECTS`.
    """
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; expected one of {', '.join(sorted(DIALECTS))}") from None
