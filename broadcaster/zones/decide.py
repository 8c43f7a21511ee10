"""The multi-zone decision, as a pure function on top of ``broadcaster.arbiter.decide``.

The model is Bosch PRAESENSA's: every call has a priority, content and a set of zones; in
each zone the highest priority wins and equal priorities are first come, first served; a
partial call plays in the zones that are free. Each zone decides by the same ``decide`` as the
one-zone daemon; this module only couples the zones that one call shares. The table test is
tests/broadcaster/zones/test_decide.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from broadcaster.arbiter import ArbiterState, Decision, decide
from broadcaster.requests import Kind, Request


@dataclass(frozen=True)
class ZoneAir:
    """What holds one zone when the decision is asked (``ArbiterState`` without the queue:
    the queue is the store's, each request naming its zones)."""

    on_air: Request | None = None
    emergency: Request | None = None


@dataclass(frozen=True)
class ZonesDecision:
    zones: Mapping[str, Decision]  # per zone: its voice, bed, what waits for it, what was cut
    queue: tuple[Request, ...]  # every request still waiting, once, for the zones it waits for
    expired: tuple[Request, ...] = ()  # waited past expires_at: log them ``expired``, once

    def heard_in(self, request_id: int) -> frozenset[str]:
        """The zones whose voice layer this request holds after the decision."""
        return frozenset(z for z, d in self.zones.items()
                         if d.voice is not None and d.voice.id == request_id)  # fmt: skip


def _order(request: Request) -> tuple[int, int]:
    return (-request.priority, request.seq)


def decide_zones(
    air: Mapping[str, ZoneAir], queue: Sequence[Request], now: datetime
) -> ZonesDecision:
    """Decide what holds the air of every zone.

    1. Requests in the queue whose ``expires_at`` has passed leave it as ``expired`` (once,
       whatever their zones).
    2. A request is for its ``zones`` (empty: every zone). Each zone decides by
       ``arbiter.decide`` over what holds it (its voice, its emergency) and the waiting
       requests for it: the highest priority wins, equal priorities first come first served,
       a higher priority preempts, the zone's emergency holds it and stops its bed.
    3. So each zone's bed follows only its own voice: a page to all zones ducks every zone's
       bed; a promotion to 1F ducks 1F and leaves 2F's bed playing; an emergency to zone 2
       stops zone 2's bed and leaves zone 1 alone (its music, or its own call, plays on).
    4. A ``partial`` request starts at once in the zones it wins. For its other zones it keeps
       waiting (same id, same place in the queue, ``zones`` narrowed to them) and starts in
       each from its beginning as it comes free (PRAESENSA's stacked call); it never joins a
       zone in the middle of a message, and it still expires at ``expires_at``.
    5. A request that is not partial starts only when it wins every one of its zones at once;
       until then it takes none of them, and in each of its zones the later requests of its
       priority wait behind it (first come, first served) while lower ones may play meanwhile
       (they are preempted when it starts).
    6. A call on air that loses a zone to a higher one: a partial call plays on in its other
       zones and, for the zone it lost, goes back to the queue once (``decide``'s rule 4) to
       be heard there again from the start; a call that is not partial is taken off all its
       zones (all or nothing) and goes back once, for all of them. Emergencies are not
       coupled: the caller puts the active emergency into each zone of its plan.
    7. Conflicts are settled in serve order (priority, then what is on air before what waits,
       then first come): the first call whose zones disagree with its partial flag is
       withheld (5) or taken off (6), and the zones decide again. A call's outcome depends
       only on the calls before it, so each is settled once, the order the zones are listed
       in does not matter, and deciding again on the result changes nothing.
    """
    every = frozenset(air)

    def reach(request: Request) -> frozenset[str]:
        zones = request.zones or every
        if not zones <= every:
            raise ValueError(f"request {request.id} names unknown zones {sorted(zones - every)}")
        return zones

    expired = tuple(r for r in queue if r.expired(now))
    waiting = sorted((r for r in queue if not r.expired(now)), key=_order)
    position = {r.id: n for n, r in enumerate(waiting)}
    waiting_ids = set(position)
    on_air = {zone: state.on_air for zone, state in air.items()}
    held: list[Request] = []  # non-partial requests that cannot have all their zones now
    knocked: dict[str, Request] = {}  # zone -> non-partial call taken off it (rule 6)
    goes_back: dict[int, bool] = {}  # such a call: whether decide put it back in the queue

    def queue_of(zone: str) -> tuple[Request, ...]:
        return tuple(
            r for r in waiting
            if zone in reach(r) and not any(
                zone in reach(h) and h.priority == r.priority and position[h.id] <= position[r.id]
                for h in held)
        )  # fmt: skip

    while True:
        decisions = {
            zone: decide(ArbiterState(on_air[zone], state.emergency, queue_of(zone)), now)
            for zone, state in air.items()
        }
        won = _started(decisions, on_air, waiting_ids)
        problem = _first_disagreement(decisions, won, reach)
        if problem is None:
            break
        if problem.id in waiting_ids:
            held.append(problem)  # rule 5
            continue
        goes_back[problem.id] = any(d.requeued for d in decisions.values()
                                    if d.preempted is not None and d.preempted.id == problem.id)  # fmt: skip
        zones = frozenset(z for z, r in on_air.items() if r is not None and r.id == problem.id)
        for zone in zones:  # rule 6: off every zone it holds
            knocked[zone], on_air[zone] = problem, None
        if goes_back[problem.id]:  # it waits again now, ahead of the later ones of its priority
            again = replace(problem, requeued=True, zones=zones)
            waiting = sorted([*waiting, again], key=_order)
            position = {r.id: n for n, r in enumerate(waiting)}
            waiting_ids.add(again.id)
            held.append(again)
    return _assemble(decisions, won, knocked, goes_back, waiting, expired, reach)


Reach = Callable[[Request], frozenset[str]]


def _started(
    decisions: Mapping[str, Decision], on_air: Mapping[str, Request | None], waiting_ids: set[int]
) -> dict[int, tuple[Request, frozenset[str]]]:
    """The waiting requests that take a voice layer, with the zones they take."""
    won: dict[int, tuple[Request, frozenset[str]]] = {}
    for zone, decision in decisions.items():
        voice, before = decision.voice, on_air[zone]
        if voice is None or voice.id not in waiting_ids:
            continue
        if before is not None and before.id == voice.id:
            continue  # on air here already (a partial call whose rest waits for other zones)
        won[voice.id] = (voice, won.get(voice.id, (voice, frozenset()))[1] | {zone})
    return won


def _first_disagreement(
    decisions: Mapping[str, Decision],
    won: Mapping[int, tuple[Request, frozenset[str]]],
    reach: Reach,
) -> Request | None:
    """The first call, in serve order, that is not partial and holds some but not all of its
    zones: a waiting one that won only some (rule 5), or one on air that lost some (rule 6)."""
    found = [r for r, zones in won.values() if not r.partial and zones != reach(r)]
    for decision in decisions.values():
        cut = decision.preempted
        if cut is None or cut.partial or cut.kind is Kind.EMERGENCY:
            continue
        if any(d.voice is not None and d.voice.id == cut.id for d in decisions.values()):
            found.append(cut)
    if not found:
        return None
    return min(found, key=lambda r: (-r.priority, r.id in won, r.seq))


def _assemble(
    decisions: Mapping[str, Decision],
    won: Mapping[int, tuple[Request, frozenset[str]]],
    knocked: Mapping[str, Request],
    goes_back: Mapping[int, bool],
    waiting: list[Request],
    expired: tuple[Request, ...],
    reach: Reach,
) -> ZonesDecision:
    # What still waits: requests that started nowhere, and the rest of partial ones (rule 4).
    still: dict[int, Request] = {}
    for request in waiting:
        missed = reach(request) - won[request.id][1] if request.id in won else frozenset()
        if request.id not in won:
            still[request.id] = request
        elif missed:
            still[request.id] = replace(request, zones=frozenset(missed))
    # What was taken off: per zone, and whether it goes back (decide's rule 4, and rule 6).
    cut: dict[str, tuple[Request, bool]] = {
        zone: (d.preempted, d.requeued) for zone, d in decisions.items() if d.preempted
    }
    cut.update({zone: (r, goes_back[r.id]) for zone, r in knocked.items()})
    back: dict[int, Request] = {}
    for zone, (request, again) in cut.items():
        if again:
            before = back[request.id].zones if request.id in back else frozenset()
            back[request.id] = replace(request, requeued=True, zones=before | {zone})
    for request_id, request in back.items():
        if request_id in still:  # the rest of a partial call was waiting already
            request = replace(request, zones=request.zones | reach(still[request_id]))
        still[request_id] = request
    queue = tuple(sorted(still.values(), key=_order))
    zones: dict[str, Decision] = {}
    for zone, decision in decisions.items():
        voice = decision.voice
        if voice is not None and voice.id in won and zone in won[voice.id][1]:
            voice = replace(voice, zones=won[voice.id][1])
        preempted, again = cut.get(zone, (None, False))
        zones[zone] = Decision(voice, decision.bed, tuple(r for r in queue if zone in reach(r)),
                               (), preempted, again)  # fmt: skip
    return ZonesDecision(zones, queue, expired)
