"""Where each request is still owed: the zones it has not been heard in yet (waiting for
them, or on air there now). A partial call heard in 1F while 2F waits for it, or an emergency
cleared in 2F alone, is owed fewer zones than it asked for; the core tells its submitted
hook again with those zones, so what survives a crash (``air_store``) comes back there only,
not in every zone it first asked for.

Pure bookkeeping for the core, which says after each decision where each request is now
(``update``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

from broadcaster.requests import Request


class OwedZones:
    def __init__(self, every: Collection[str]) -> None:
        self._every = frozenset(every)
        self._owed: dict[int, frozenset[str]] = {}  # request id -> the zones still owed
        self._told: dict[int, Request] = {}  # the request as the hook last heard of it

    def told(self, request: Request) -> Request:
        """``request`` as the hook is to hear of it (accepted, or a new place in the queue):
        with the zones it is still owed when those are fewer than it asked for."""
        owed = self._owed.setdefault(request.id, request.zones or self._every)
        if owed != (request.zones or self._every):
            request = replace(request, zones=owed)
        self._told[request.id] = request
        return request

    def update(self, where: Iterable[tuple[Request, str]]) -> list[Request]:
        """``where``: each (request, zone) pair where a request is now, on air or waiting.
        Returns the requests now owed fewer zones than before (to tell again, with those
        zones); requests found nowhere are done with and forgotten."""
        now: dict[int, set[str]] = {}
        for request, zone in where:
            if request.id in self._owed:
                now.setdefault(request.id, set()).add(zone)
        narrowed = []
        for request_id in list(self._owed):
            zones = frozenset(now.get(request_id, ()))
            if not zones:
                del self._owed[request_id]
                self._told.pop(request_id, None)
            elif zones < self._owed[request_id]:
                self._owed[request_id] = zones
                told = replace(self._told[request_id], zones=zones)
                self._told[request_id] = told
                narrowed.append(told)
        return narrowed
