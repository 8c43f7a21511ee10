"""What the core's status snapshot says about requests: plain JSON-ready dicts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from broadcaster.requests import Request


def describe(request: Request) -> dict[str, Any]:
    return {
        "id": request.id,
        "kind": request.kind.value,
        "title": request.title,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "expires_at": request.expires_at.isoformat() if request.expires_at else None,
        "planned_at": request.planned_at.isoformat() if request.planned_at else None,
    }


def in_time_order(requests: Iterable[Request]) -> list[dict[str, Any]]:
    """Held requests by the instant they are for (planned, else requested)."""
    return [describe(r) for r in sorted(requests, key=_when)]


def _when(request: Request) -> datetime:
    return request.planned_at or request.requested_at
