"""Every name ../shared/spec/voice-session.md gives exists with the parameters and defaults it shows."""

from __future__ import annotations

import inspect

from pyagent.voice import VoiceSession
from pyagent.voice.session import SessionState


def parameters(function: object) -> dict[str, object]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return {name: p.default for name, p in signature.parameters.items() if name != "self"}


def test_constructor_as_the_spec_shows() -> None:
    got = parameters(VoiceSession)
    assert list(got)[:6] == ["model", "voice", "agent", "language", "sample_rate", "turn_detection"]
    assert got["model"] == "gpt-4o-realtime"
    assert got["voice"] == "alloy"
    assert got["agent"] is None
    assert got["language"] == "en"
    assert got["sample_rate"] == 24000
    assert got["turn_detection"] is True
    assert got["dialect"] == "auto"  # the keyword extras
    assert got["endpoint"] is None
    assert got["credential"] is None


def test_methods_as_the_spec_shows() -> None:
    assert parameters(VoiceSession.send_audio) == {"audio_data": inspect.Parameter.empty, "commit": True}
    assert parameters(VoiceSession.listen) == {"timeout": None}
    assert list(parameters(VoiceSession.respond)) == ["user_audio"]
    assert parameters(VoiceSession.receive) == {}
    assert parameters(VoiceSession.stream_receive) == {}
    assert parameters(VoiceSession.interrupt) == {}
    assert parameters(VoiceSession.disconnect) == {}
    assert list(parameters(VoiceSession.configure_turn_detection)) == [
        "enabled",
        "threshold",
        "prefix_padding",
        "silence_duration",
    ]
    assert list(parameters(VoiceSession.configure_audio)) == ["sample_rate", "channels", "format"]
    for name in ("connect", "on"):
        assert callable(getattr(VoiceSession, name))
    for name in ("state", "model", "voice", "is_connected", "session_id"):
        assert isinstance(inspect.getattr_static(VoiceSession, name), property)


def test_a_fresh_session() -> None:
    session = VoiceSession()
    assert session.state is SessionState.IDLE
    assert (session.model, session.voice, session.is_connected, session.session_id) == (
        "gpt-4o-realtime",
        "alloy",
        False,
        "",
    )
    session.configure_turn_detection(enabled=True, threshold=0.5, prefix_padding=300, silence_duration=800)
    session.configure_audio(sample_rate=24000, channels=1, format="pcm16")
    assert session.turn_detection.silence_duration_ms == 800
    assert "alloy" in repr(session)
    narrow = VoiceSession(sample_rate=16000, turn_detection=False)
    assert (narrow.sample_rate, narrow.audio_format.sample_rate, narrow.turn_detection.enabled) == (16000, 16000, False)
    assert VoiceSession(voice={"type": "azure-standard", "name": "en-US-Ava:DragonHDLatestNeural"}).voice == (
        "en-US-Ava:DragonHDLatestNeural"
    )
