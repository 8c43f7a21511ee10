"""The core's status snapshot: plain JSON-ready dicts, read from memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from broadcaster.arbiter import BedMode
from broadcaster.requests import Request

if TYPE_CHECKING:
    from broadcaster.speakers import Speakers


def describe(request: Request) -> dict[str, Any]:
    return {
        "id": request.id,
        "kind": request.kind.value,
        "title": request.title,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "expires_at": request.expires_at.isoformat() if request.expires_at else None,
        "planned_at": request.planned_at.isoformat() if request.planned_at else None,
        "zones": sorted(request.zones),  # empty: every zone
    }


def in_time_order(requests: Iterable[Request]) -> list[dict[str, Any]]:
    """Held requests by the instant they are for (planned, else requested)."""
    return [describe(r) for r in sorted(requests, key=_when)]


def _when(request: Request) -> datetime:
    return request.planned_at or request.requested_at


def status_of(
    speakers: Mapping[str, Speakers],
    emergencies: Sequence[Request],
    queue: Iterable[Request],
    held: Mapping[int, Request],
) -> dict[str, Any]:
    """The core's snapshot: what the status and the pages show, from memory. ``bed``,
    ``voice``, ``ducked`` and ``emergency`` are the first zone's (the only one in a one-zone
    store); ``zones`` has each zone's."""
    zones = {zone: _zone_status(s, emergencies) for zone, s in speakers.items()}
    first = next(iter(zones.values()))
    return {
        **first,
        "queue": [describe(r) for r in queue],
        "scheduled": in_time_order(held.values()),
        "zones": zones,
    }


def _zone_status(speakers: Speakers, emergencies: Sequence[Request]) -> dict[str, Any]:
    bed = speakers.bed
    mine = [e for e in emergencies if not e.zones or speakers.zone in e.zones]
    return {
        "bed": {
            "mode": bed.mode.value,
            "volume_db": bed.target_db() if bed.mode is not BedMode.STOPPED else None,
            "title": bed.current.title if bed.current else None,
            "duration_ms": bed.current.info.duration_ms if bed.current else None,
            "now_playing": bed.now_playing(),
        },
        "voice": speakers.voice.status(),
        "ducked": bed.mode is BedMode.DUCKED,
        "emergency": describe(mine[-1]) if mine else None,
        "fault": speakers.output_fault() or bed.fault,
    }
