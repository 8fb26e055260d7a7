"""Checks of what the user passes to the session's calls: a clear, typed error at the call, before anything is sent.

Audio is bytes-like (``bytes``, ``bytearray``, ``memoryview``); a ``str`` is refused rather than encoded (text is
``send_text()``'s). A turn given as an iterable is checked chunk by chunk as it is sent.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterable, Iterable
from typing import Any

from pyagent.voice._config import AudioSettings
from pyagent.voice.errors import ConfigurationError, ConfigurationTypeError

__all__ = [
    "MIN_TURN_MS",
    "check_audio_chunk",
    "check_flag",
    "check_source",
    "check_text",
    "check_timeout",
    "check_turn_audio",
    "check_user_audio",
]

MIN_TURN_MS = 100
"""The shortest user turn the services take: a commit of less fails with ``input_audio_buffer_commit_empty``."""

_BYTES = (bytes, bytearray, memoryview)


def check_audio_chunk(value: object, what: str) -> bytes | bytearray | memoryview:
    """``value`` if it is audio (bytes-like).

    Raises:
        ConfigurationTypeError: anything else, text included.
    """
    if isinstance(value, _BYTES):
        return value
    hint = " (text goes to send_text())" if isinstance(value, str) else ""
    raise ConfigurationTypeError(f"{what} must be audio as bytes, not {type(value).__name__}{hint}")


def check_user_audio(value: object, what: str) -> Any:
    """``value`` if it can be a user turn's audio: bytes-like, or an (async) iterable of bytes-like chunks.

    Raises:
        ConfigurationTypeError: text, None, a number, a mapping, or another object that holds no audio.
    """
    if isinstance(value, _BYTES):
        return value
    if isinstance(value, str | dict) or not isinstance(value, Iterable | AsyncIterable):
        check_audio_chunk(value, what)
    return value


def check_text(value: object, what: str) -> str:
    """``value`` if it is words to send.

    Raises:
        ConfigurationTypeError: not a str.
        ConfigurationError: empty or blank (the services answer an empty message as if the user said nothing).
    """
    if not isinstance(value, str):
        raise ConfigurationTypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ConfigurationError(f"{what} is empty: say something")
    return value


def check_flag(value: object, what: str) -> bool:
    """``value`` if it is True or False.

    Raises:
        ConfigurationTypeError: anything else (``"yes"`` is not True).
    """
    if not isinstance(value, bool):
        raise ConfigurationTypeError(f"{what} must be True or False, not {value!r}")
    return value


def check_timeout(value: object, what: str) -> float | None:
    """``value`` if it is None or a finite number of seconds >= 0.

    Raises:
        ConfigurationTypeError: not a number.
        ConfigurationError: negative, NaN or infinite (None waits for ever).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationTypeError(f"{what} must be a number of seconds or None, not {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ConfigurationError(
            f"{what} must be a finite number of seconds >= 0, or None to wait for ever, not {value!r}"
        )
    return float(value)


def check_source(value: object, what: str) -> Any:
    """``value`` if it is None or an async iterable of audio chunks.

    Raises:
        ConfigurationTypeError: anything else.
    """
    if value is not None and not hasattr(value, "__aiter__"):
        raise ConfigurationTypeError(
            f"{what} must be an async iterable of audio chunks, or None for the microphone, not {type(value).__name__}"
        )
    return value


def check_turn_audio(size: int, settings: AudioSettings, what: str) -> None:
    """A whole turn of ``size`` bytes in ``settings``' format holds a turn: whole frames, at least 100 ms.

    Raises:
        ConfigurationError: not whole sample frames, or shorter than :data:`MIN_TURN_MS`.
    """
    if size % settings.frame_bytes:
        raise ConfigurationError(
            f"{what} is {size} bytes, not a whole number of {settings.frame_bytes}-byte sample frames of "
            f"{settings.format} ({settings.channels} ch)"
        )
    duration_ms = size * 1000 // settings.bytes_per_second
    if duration_ms < MIN_TURN_MS:
        raise ConfigurationError(
            f"{what} holds {duration_ms} ms of audio; a turn needs at least {MIN_TURN_MS} ms (the services refuse "
            "to end a shorter one)"
        )
