"""What the layers (the music bed, the voice layer) answer with: values, never calls up.

A layer that learns something the core must act on (a track ended, a voice item finished)
puts a value in its ``Outbox``; the core takes them after every step of its loop and decides.
A layer never holds a reference to the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broadcaster.playlog import Outcome
from broadcaster.requests import Request


@dataclass(frozen=True)
class Changed:
    """For listeners (the SSE stream): ``kind`` and its data, as ``EventLoop._changed`` takes."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class TrackEnded:
    """A music track ended or was crossfaded out: cues waiting for the end of the track may go.
    ``follow``: the bed waits for ``Bed.follow_on`` before its next track (so the core can duck
    it first for a cue that was waiting); False when the next track is already crossfading in."""

    follow: bool


@dataclass(frozen=True)
class VoiceStarted:
    request: Request
    at: datetime


@dataclass(frozen=True)
class VoiceEnded:
    """A voice item left the air (or never reached it): ``started_at`` None if it never
    started; ``final`` False when it was preempted and put back in the queue."""

    request: Request
    outcome: Outcome
    started_at: datetime | None
    final: bool = True


News = Changed | TrackEnded | VoiceStarted | VoiceEnded


class Outbox:
    def __init__(self) -> None:
        self._items: list[News] = []

    def put(self, item: News) -> None:
        self._items.append(item)

    def changed(self, kind: str, data: dict[str, Any]) -> None:
        self._items.append(Changed(kind, data))

    def take(self) -> list[News]:
        items, self._items = self._items, []
        return items
