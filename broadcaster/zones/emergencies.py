"""The emergencies on air and the zones each still holds (GB 50116 §4.8.10: zones chosen by
hand; the control room may end the alarm in one zone and keep it in the others).

Pure bookkeeping for the core: which emergency holds a zone, and what clearing some zones
ends. The voice layers and their rows are the core's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace

from broadcaster.requests import Request


class ActiveEmergencies:
    """The active emergencies in the order they started; ``zones`` empty: every zone."""

    def __init__(self) -> None:
        self._active: list[Request] = []

    def __iter__(self) -> Iterator[Request]:
        return iter(list(self._active))

    def __bool__(self) -> bool:
        return bool(self._active)

    def start(self, request: Request) -> None:
        self._active.append(request)

    def holds(self, request_id: int) -> bool:
        return any(e.id == request_id for e in self._active)

    def of(self, zone: str) -> Request | None:
        """The zone's emergency: the latest started whose zones reach it."""
        mine = [e for e in self._active if not e.zones or zone in e.zones]
        return mine[-1] if mine else None

    def reach(self, every: Collection[str]) -> frozenset[str]:
        """The zones some emergency holds."""
        return frozenset(z for z in every if self.of(z) is not None)

    def clear(
        self, zones: Collection[str], every: Collection[str], only: int | None = None
    ) -> dict[int, frozenset[str]]:
        """End the emergencies in ``zones`` (empty: everywhere), or only the one with the id
        ``only`` (cancelled by its id); ``every``: the configured zones. Returns each emergency
        that ended somewhere with the zones it ended in; one left with no zone is gone, one left
        with some holds only those (``zones`` narrowed, so a restart brings it back there
        only)."""
        ended: dict[int, frozenset[str]] = {}
        still: list[Request] = []
        for emergency in self._active:
            holds = emergency.zones or frozenset(every)
            out = holds & frozenset(zones) if zones else holds
            if only is not None and emergency.id != only:
                out = frozenset()
            if out:
                ended[emergency.id] = out
            if holds - out:
                still.append(emergency if not out else replace(emergency, zones=holds - out))
        self._active = still
        return ended
