"""What can be asked of the speakers: the request types the arbiter ranks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from pathlib import Path


class Kind(StrEnum):
    MUSIC = "music"
    ANNOUNCEMENT = "announcement"
    PAGE = "page"
    EMERGENCY = "emergency"


class Priority(IntEnum):
    """Higher wins: emergency > page > announcement/spot > music bed."""

    MUSIC = 0
    ANNOUNCEMENT = 1
    PAGE = 2
    EMERGENCY = 3


PRIORITY = {
    Kind.MUSIC: Priority.MUSIC,
    Kind.ANNOUNCEMENT: Priority.ANNOUNCEMENT,
    Kind.PAGE: Priority.PAGE,
    Kind.EMERGENCY: Priority.EMERGENCY,
}

_ids = itertools.count(1)


def next_request_id() -> int:
    return next(_ids)


@dataclass(frozen=True)
class Segment:
    """One file of a request (a page is chime + speech) with its duration from the pre-flight."""

    path: Path
    duration_ms: int


@dataclass(frozen=True)
class Request:
    """A voice item waiting for, or holding, the voice layer.

    ``seq`` orders requests of the same priority (first come, first served); a request that was
    preempted and put back keeps its ``seq`` so it returns to the head of its priority."""

    kind: Kind
    title: str
    segments: tuple[Segment, ...]
    requested_by: str
    requested_at: datetime
    planned_at: datetime | None = None
    expires_at: datetime | None = None
    requeued: bool = False
    cue_key: str | None = None  # the programme cue this plays (see programme.spec.Cue.key)
    after_track: bool = False  # wait for the current music track to end (within the grace)
    series: int | None = None  # the service-desk page this is one play of (paging.Pager)
    note: str = ""  # what the log should say about its source ("script welcome v2", "unapproved")
    zones: frozenset[str] = frozenset()  # the zones it is for (zones.selection); empty: all
    partial: bool = False  # may play in the zones that are free (zones.decide), else waits for all
    live: bool = False  # a live microphone call: after its segments (the chime) the microphone
    # is on air in its zones until the announcer lets go of "talk" (or it is preempted)
    id: int = field(default_factory=next_request_id)
    seq: int = 0

    @property
    def priority(self) -> Priority:
        return PRIORITY[self.kind]

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
