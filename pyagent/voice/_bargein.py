"""Barge-in, decided without I/O: what the user heard when they talked over the assistant, and what to tell the service.

The rules:

1. Only an assistant that is speaking can be interrupted: a response is active (created, not done) or its audio is
   still playing out of the :class:`~pyagent.audio.PlaybackClock`. Otherwise speech just starts a turn.
2. What the user heard is read per item from the playback clock *before* playback stops: the item being heard is
   truncated at the milliseconds played of it (``conversation.item.truncate``), never beyond what was received (the
   clock guarantees it; a service given more than it sent rejects the truncation and the model repeats itself).
   Items before it were heard whole and stay as they are. Assistant items the user never heard a sample of (queued
   behind the one playing, or announced by the active response with no audio played yet) are deleted
   (``conversation.item.delete``), so the model's memory matches what the user heard. Function calls stay.
3. Playback stops at once (``PlaybackClock.clear()``): the user must not hear the assistant go on.
4. The response is cancelled only if the service has not already done so: a service whose turn detection
   interrupts responses (``interrupt_response``) cancels its own when *it* detects speech; a response that is
   already done has nothing left to cancel. Cancelling twice earns an error event.
5. Late audio of the interrupted response and of the cut items is dropped.

:func:`plan_barge_in` answers with a :class:`BargeInPlan`; the voice core sends it in the order cancel, truncate,
delete, and tells the user with an :class:`Interruption`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal, Protocol

__all__ = ["BargeInPlan", "Interruption", "Playback", "Source", "Truncation", "plan_barge_in"]

Source = Literal["server", "local", "user", "connection"]


class Playback(Protocol):
    """What barge-in needs of :class:`pyagent.audio.PlaybackClock`."""

    @property
    def is_playing(self) -> bool: ...

    def truncate_ms(self, item_id: str, content_index: int) -> int: ...

    def played_bytes(self, item_id: str, content_index: int) -> int: ...

    def received_bytes(self, item_id: str, content_index: int) -> int: ...

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
        source: ``"server"`` (the service heard the user), ``"local"`` (the local detector did), ``"user"``
            (``interrupt()`` was called) or ``"connection"`` (the connection was lost while the assistant spoke).
        response_id: the interrupted response: the active one, else the one whose audio was playing.
        item_id: the assistant item being heard, which was truncated; None when no audio of it had been played.
        audio_end_ms: how much of that item was heard, as sent in the truncation (ms).
        cancelled: True when the session sent ``response.cancel`` (False when the service had already cancelled,
            or the response was done and only its audio was still playing).
        deleted_item_ids: assistant items the user never heard, deleted from the service's conversation.
        reason: why, in words, when it was not the user (a lost connection: its close code and reason).
    """

    source: Source
    response_id: str | None
    item_id: str | None
    audio_end_ms: int | None
    cancelled: bool
    deleted_item_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class BargeInPlan:
    """What was heard: the parts to truncate (the one being heard first) and the items to delete."""

    truncations: tuple[Truncation, ...] = ()
    deletions: tuple[str, ...] = ()

    @property
    def heard(self) -> Truncation | None:
        """The truncation of the item being heard, if any audio of it was played."""
        return self.truncations[0] if self.truncations else None


def plan_barge_in(
    playback: Playback,
    audible: Sequence[tuple[str, int]],
    unvoiced_items: Sequence[str],
    still_growing: frozenset[str],
) -> BargeInPlan:
    """Decide, from what the playback clock says was played, which items to truncate and which to delete.

    Args:
        playback: the clock the assistant's audio was played from (read before it is cleared).
        audible: the ``(item_id, content_index)`` parts that received audio and may not have been played whole, in
            the order their audio arrived.
        unvoiced_items: assistant message items of the active response that received no audio yet.
        still_growing: items whose audio may still grow (their response is active and they are not done): one
            played to the end of what arrived is still cut there, since more was on its way.

    Returns:
        The plan; parts heard whole of items that are complete are left alone.
    """
    truncations: list[Truncation] = []
    deletions: list[str] = []
    played_items: set[str] = set()
    for item_id, content_index in audible:
        played = playback.played_bytes(item_id, content_index)
        received = playback.received_bytes(item_id, content_index)
        if played > 0:
            played_items.add(item_id)
            if played < received or item_id in still_growing:
                truncations.append(Truncation(item_id, content_index, playback.truncate_ms(item_id, content_index)))
    for item_id, _ in audible:
        if item_id not in played_items and item_id not in deletions:
            deletions.append(item_id)
    for item_id in unvoiced_items:
        if item_id not in played_items and item_id not in deletions:
            deletions.append(item_id)
    return BargeInPlan(tuple(truncations), tuple(deletions))
