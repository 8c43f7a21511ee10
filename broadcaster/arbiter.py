"""The one priority decision that owns the speakers, as a pure function.

Given what holds the voice layer, the active emergency and the queue, at ``now``, ``decide``
says what should be on air and what the music bed should do. The core applies the result; a
table of cases tests it (tests/broadcaster/test_arbiter.py). ``move`` is the one change of
order a person may ask for: a waiting request to another place among those of its priority.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from broadcaster.requests import Kind, Request


class BedMode(StrEnum):
    PLAYING = "playing"  # full level
    DUCKED = "ducked"  # lowered under speech, never silenced
    STOPPED = "stopped"  # only an emergency takes the whole air


@dataclass(frozen=True)
class ArbiterState:
    on_air: Request | None
    emergency: Request | None
    queue: tuple[Request, ...]


@dataclass(frozen=True)
class Decision:
    voice: Request | None  # what should hold the voice layer after this decision
    bed: BedMode
    queue: tuple[Request, ...]  # what still waits, in the order it will be served
    expired: tuple[Request, ...] = ()  # waited past expires_at: log them ``expired``
    preempted: Request | None = None  # taken off air; logged ``preempted`` unless requeued
    requeued: bool = False  # the preempted request went back to the head of the queue


def _order(request: Request) -> tuple[int, int]:
    return (-request.priority, request.seq)


def decide(state: ArbiterState, now: datetime) -> Decision:
    """Decide what holds the air.

    1. Requests in the queue whose ``expires_at`` has passed leave it as ``expired``.
    2. An active emergency holds the voice layer and the bed is stopped.
    3. Otherwise the best waiting request (highest priority, then first come) takes the voice
       layer if it is free, or preempts what is on air if its priority is strictly higher.
    4. A preempted announcement or page goes back to the head of the queue once, if it has not
       expired; a second preemption, or an emergency replaced by another, is final. (Clearing an
       emergency is the core's business: it takes the emergency off air before asking again.)
    5. The bed is ducked while anything holds the voice layer, playing otherwise.
    """
    expired = tuple(r for r in state.queue if r.expired(now))
    waiting = sorted((r for r in state.queue if not r.expired(now)), key=_order)
    on_air = state.on_air

    contender: Request | None
    if state.emergency is not None:
        contender = state.emergency
    else:
        contender = waiting[0] if waiting else None
        if contender is not None and on_air is not None and contender.priority <= on_air.priority:
            contender = None
        if contender is not None:
            waiting.remove(contender)

    if contender is None or (on_air is not None and contender.id == on_air.id):
        return Decision(on_air, _bed_for(on_air), tuple(waiting), expired)

    requeued = False
    if (
        on_air is not None
        and on_air.kind is not Kind.EMERGENCY
        and not on_air.requeued
        and not on_air.expired(now)
    ):
        waiting = sorted([replace(on_air, requeued=True), *waiting], key=_order)
        requeued = True
    return Decision(contender, _bed_for(contender), tuple(waiting), expired, on_air, requeued)


@dataclass(frozen=True)
class Moved:
    """What ``move`` did: the queue in its new order, where the request now waits (0-based),
    where it waited, where it was asked to go, and the places its priority allows."""

    request: Request
    queue: tuple[Request, ...]
    position: int
    was: int
    asked: int
    first: int
    last: int

    @property
    def clamped(self) -> bool:
        """The place asked for was among another priority's: it went as far as it may."""
        return self.position != self.asked


def move(queue: tuple[Request, ...], request_id: int, to_index: int) -> Moved | None:
    """Move the waiting request ``request_id`` to place ``to_index`` of the queue as it is
    served (the order ``decide`` keeps), or None when no waiting request has that id.

    1. The request stays among the requests of its own priority, which stand together in the
       queue: ``to_index`` is clamped to the places they hold, so a page stays ahead of every
       announcement and an announcement cannot pass a page.
    2. Within that run the requests keep the ``seq`` values they had between them, dealt out
       again in the new order: ``decide`` sorts them the same way, and a request that arrives
       later still comes after all of them.
    """
    ordered = sorted(queue, key=_order)
    was = next((i for i, r in enumerate(ordered) if r.id == request_id), None)
    if was is None:
        return None
    priority = ordered[was].priority
    same = [i for i, r in enumerate(ordered) if r.priority == priority]
    first, last = same[0], same[-1]
    position = min(max(to_index, first), last)
    run = ordered[first : last + 1]
    seqs = sorted(r.seq for r in run)
    run.insert(position - first, run.pop(was - first))
    run = [replace(r, seq=seq) for r, seq in zip(run, seqs, strict=True)]
    new_queue = (*ordered[:first], *run, *ordered[last + 1 :])
    return Moved(new_queue[position], new_queue, position, was, to_index, first, last)


def _bed_for(voice: Request | None) -> BedMode:
    if voice is None:
        return BedMode.PLAYING
    return BedMode.STOPPED if voice.kind is Kind.EMERGENCY else BedMode.DUCKED
