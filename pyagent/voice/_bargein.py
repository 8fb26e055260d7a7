"""Barge-in, decided without I/O: what to do when the user talks over the assistant.

The rules, in the order they run:

1. Only an assistant that is speaking can be interrupted: a response is active (created, not done) or its audio is
   still playing out of the :class:`~pyagent.audio.PlaybackClock`. Otherwise speech just starts a turn.
2. The ``audio_end_ms`` of the truncation is what the playback clock says was *played* of the item being spoken,
   read before playback stops, and never beyond what was received (the clock guarantees it). A service given more
   than it sent rejects the truncation and the model repeats itself.
3. Playback stops at once (``PlaybackClock.clear()``): the user must not hear the assistant go on.
4. The response is cancelled only if the service has not already done so: a service whose turn detection
   interrupts responses (``interrupt_response``) cancels its own when *it* detects speech; a response that is
   already done has nothing left to cancel. Cancelling twice earns an error event.
5. The interrupted response's late audio is dropped, and the session emits ``interrupted`` and goes LISTENING.

:class:`BargeIn` follows the responses from the service's events and answers :meth:`BargeIn.speech_started` with a
:class:`BargeInAction` the session carries out; the tests drive it with a real PlaybackClock under a ManualClock.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Protocol

__all__ = ["BargeIn", "BargeInAction", "Interruption", "Playback", "Truncation"]

Source = Literal["server", "local", "user"]


class Playback(Protocol):
    """What barge-in needs of :class:`pyagent.audio.PlaybackClock`."""

    @property
    def is_playing(self) -> bool: ...

    def truncate_ms(self, item_id: str, content_index: int) -> int: ...

    def clear(self) -> int: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Truncation:
    """A ``conversation.item.truncate`` to send."""

    item_id: str
    content_index: int
    audio_end_ms: int


@dataclasses.dataclass(frozen=True, slots=True)
class Interruption:
    """What an ``interrupted`` handler receives.

    Attributes:
        source: ``"server"`` (the service heard the user), ``"local"`` (the local detector did) or ``"user"``
            (``interrupt()`` was called).
        response_id: the interrupted response, if one was active.
        item_id: the assistant item that was cut, if audio had arrived.
        audio_end_ms: how much of that item's audio was played, as sent in the truncation.
        cancelled: True when the session sent ``response.cancel`` (False when the service had already cancelled).
    """

    source: Source
    response_id: str | None
    item_id: str | None
    audio_end_ms: int | None
    cancelled: bool


@dataclasses.dataclass(frozen=True, slots=True)
class BargeInAction:
    """What the session must do, in this order: stop playback, cancel, truncate, emit ``interrupted``."""

    stop_playback: bool = False
    cancel_response_id: str | None = None
    truncate: Truncation | None = None
    interruption: Interruption | None = None

    @property
    def interrupted(self) -> bool:
        """True when something was interrupted (emit ``interrupted`` and go LISTENING)."""
        return self.interruption is not None


NOTHING = BargeInAction()


class BargeIn:
    """Follows the active response and the item being spoken; decides barge-in.

    Args:
        server_interrupts: True when the service cancels its own response when it detects speech (server turn
            detection with ``interrupt_response``).
    """

    def __init__(self, *, server_interrupts: bool = True) -> None:
        self.server_interrupts = server_interrupts
        self._active: str | None = None
        self._spoken: tuple[str, int] | None = None
        self._truncated: set[tuple[str, int]] = set()
        self._dropped: set[str] = set()

    @property
    def active_response(self) -> str | None:
        """The id of the response the service is producing, or None."""
        return self._active

    def response_created(self, response_id: str) -> None:
        """The service created a response."""
        self._active = response_id

    def response_done(self, response_id: str) -> None:
        """The service finished a response (any status)."""
        if self._active == response_id:
            self._active = None

    def audio_received(self, response_id: str, item_id: str, content_index: int) -> bool:
        """Assistant audio arrived; return False when it belongs to an interrupted response and must be dropped."""
        if response_id in self._dropped or (item_id, content_index) in self._truncated:
            return False
        self._spoken = (item_id, content_index)
        return True

    def is_dropped(self, response_id: str) -> bool:
        """True when the response was interrupted: its late output must be dropped."""
        return response_id in self._dropped

    def speech_started(self, source: Source, playback: Playback) -> BargeInAction:
        """The user started speaking (``source``) or asked to interrupt; decide what happens."""
        playing = playback.is_playing
        active = self._active
        if active is None and not playing:
            return NOTHING
        truncate: Truncation | None = None
        if self._spoken is not None and self._spoken not in self._truncated:
            item_id, content_index = self._spoken
            # Read before clear(): what was played is what the user heard up to this instant.
            truncate = Truncation(item_id, content_index, playback.truncate_ms(item_id, content_index))
            self._truncated.add(self._spoken)
        service_cancels = source == "server" and self.server_interrupts
        cancel = active if active is not None and not service_cancels else None
        if active is not None:
            self._dropped.add(active)
        interruption = Interruption(
            source=source,
            response_id=active,
            item_id=truncate.item_id if truncate else None,
            audio_end_ms=truncate.audio_end_ms if truncate else None,
            cancelled=cancel is not None,
        )
        return BargeInAction(
            stop_playback=True, cancel_response_id=cancel, truncate=truncate, interruption=interruption
        )
