"""The multi-zone decision (broadcaster.zones.decide) as a table of cases, one per rule of its
docstring, and the properties that make it safe to call again and again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcaster.arbiter import BedMode
from broadcaster.requests import Kind, Request
from broadcaster.zones.decide import ZoneAir, ZonesDecision, decide_zones
from tests.kit.factories import T0, request

F1, F2 = "1F", "2F"
BOTH = frozenset({F1, F2})
LATER = T0 + timedelta(seconds=60)


def call(kind: Kind, seq: int, zones: frozenset[str] = frozenset(), *, partial: bool = False,
         expires_in: float | None = None, requeued: bool = False) -> Request:  # fmt: skip
    made = request(kind, seq=seq, expires_in=expires_in)
    return replace(made, zones=zones, partial=partial, requeued=requeued, title=f"#{seq}")


ANN_1F = call(Kind.ANNOUNCEMENT, 1, frozenset({F1}))
ANN_ALL = call(Kind.ANNOUNCEMENT, 2)
ANN_ALL_P = call(Kind.ANNOUNCEMENT, 3, partial=True)
PAGE_2F = call(Kind.PAGE, 4, frozenset({F2}))
PAGE_ALL = call(Kind.PAGE, 5)
PAGE_ALL_P = call(Kind.PAGE, 6, partial=True)
PAGE_1F = call(Kind.PAGE, 7, frozenset({F1}))
EMER_2F = call(Kind.EMERGENCY, 8, frozenset({F2}))
EMER_ALL = call(Kind.EMERGENCY, 9)
OLD_ALL = call(Kind.ANNOUNCEMENT, 10, expires_in=30)
ANN_1F_LATE = call(Kind.ANNOUNCEMENT, 11, frozenset({F1}))
ANN_BOTH_ON = replace(ANN_ALL, zones=BOTH)  # on air in both zones (a started call names them)
ANN_BOTH_ON_P = replace(ANN_ALL_P, zones=BOTH)
REPLAYED_ON = replace(ANN_BOTH_ON, requeued=True)
IDLE = ZoneAir()

P, D, S = BedMode.PLAYING, BedMode.DUCKED, BedMode.STOPPED

# (name, air of 1F, air of 2F, queue, now,
#  {zone: (voice, zones it is heard in, bed)}, queue after [(request, zones)],
#  {zone: (preempted, requeued)}, expired)
CASES = [
    ("idle: every zone's music plays", IDLE, IDLE, (), T0,
     {F1: (None, None, P), F2: (None, None, P)}, [], {}, []),
    ("a page to all zones ducks every zone's bed", IDLE, IDLE, (PAGE_ALL,), T0,
     {F1: (PAGE_ALL, BOTH, D), F2: (PAGE_ALL, BOTH, D)}, [], {}, []),
    ("a promotion to 1F leaves 2F's bed playing", IDLE, IDLE, (ANN_1F,), T0,
     {F1: (ANN_1F, {F1}, D), F2: (None, None, P)}, [], {}, []),
    ("an emergency to 2F leaves 1F's music alone", IDLE, ZoneAir(None, EMER_2F), (), T0,
     {F1: (None, None, P), F2: (EMER_2F, {F2}, S)}, [], {}, []),
    ("an emergency to 2F leaves 1F's own call on air", ZoneAir(ANN_1F), ZoneAir(None, EMER_2F),
     (), T0, {F1: (ANN_1F, {F1}, D), F2: (EMER_2F, {F2}, S)}, [], {}, []),
    ("an emergency in every zone stops every bed and calls wait",
     ZoneAir(None, EMER_ALL), ZoneAir(None, EMER_ALL), (PAGE_ALL_P,), T0,
     {F1: (EMER_ALL, None, S), F2: (EMER_ALL, None, S)}, [(PAGE_ALL_P, None)], {}, []),
    ("in each zone the highest priority wins (a partial call takes what is left)",
     IDLE, IDLE, (ANN_ALL_P, PAGE_2F), T0,
     {F1: (ANN_ALL_P, {F1}, D), F2: (PAGE_2F, {F2}, D)}, [(ANN_ALL_P, {F2})], {}, []),
    ("equal priorities: first come first served in each zone", IDLE, IDLE, (PAGE_1F, PAGE_ALL),
     T0, {F1: (PAGE_ALL, BOTH, D), F2: (PAGE_ALL, BOTH, D)}, [(PAGE_1F, {F1})], {}, []),
    ("a partial call plays in the free zones and waits for the rest", IDLE, ZoneAir(PAGE_2F),
     (PAGE_ALL_P,), T0, {F1: (PAGE_ALL_P, {F1}, D), F2: (PAGE_2F, {F2}, D)},
     [(PAGE_ALL_P, {F2})], {}, []),
    ("the rest of a partial call starts from its beginning when its zone comes free",
     ZoneAir(replace(PAGE_ALL_P, zones=frozenset({F1}))), IDLE,
     (replace(PAGE_ALL_P, zones=frozenset({F2})),), T0,
     {F1: (PAGE_ALL_P, {F1}, D), F2: (PAGE_ALL_P, {F2}, D)}, [], {}, []),
    ("a call that is not partial waits until all its zones are free", IDLE, ZoneAir(PAGE_2F),
     (PAGE_ALL,), T0, {F1: (None, None, P), F2: (PAGE_2F, {F2}, D)}, [(PAGE_ALL, None)], {},
     []),
    ("while it waits, later calls of its priority wait behind it", IDLE, ZoneAir(PAGE_2F),
     (PAGE_1F, PAGE_ALL), T0, {F1: (None, None, P), F2: (PAGE_2F, {F2}, D)},
     [(PAGE_ALL, None), (PAGE_1F, {F1})], {}, []),
    ("while it waits, a lower call may play in its free zone", IDLE, ZoneAir(PAGE_2F),
     (ANN_1F, PAGE_ALL), T0, {F1: (ANN_1F, {F1}, D), F2: (PAGE_2F, {F2}, D)},
     [(PAGE_ALL, None)], {}, []),
    ("when all its zones are free it preempts the lower call", ZoneAir(ANN_1F), IDLE,
     (PAGE_ALL,), T0, {F1: (PAGE_ALL, BOTH, D), F2: (PAGE_ALL, BOTH, D)}, [(ANN_1F, {F1})],
     {F1: (ANN_1F, True)}, []),
    ("a partial call that loses a zone plays on in the other and goes back for the lost one",
     ZoneAir(ANN_BOTH_ON_P), ZoneAir(ANN_BOTH_ON_P, EMER_2F), (), T0,
     {F1: (ANN_ALL_P, BOTH, D), F2: (EMER_2F, {F2}, S)}, [(ANN_ALL_P, {F2})],
     {F2: (ANN_ALL_P, True)}, []),
    ("a call that is not partial and loses a zone leaves all of them and goes back once",
     ZoneAir(ANN_BOTH_ON), ZoneAir(ANN_BOTH_ON, EMER_2F), (), T0,
     {F1: (None, None, P), F2: (EMER_2F, {F2}, S)}, [(ANN_ALL, BOTH)],
     {F1: (ANN_ALL, True), F2: (ANN_ALL, True)}, []),
    ("...and a second time it is taken off for good",
     ZoneAir(REPLAYED_ON), ZoneAir(REPLAYED_ON, EMER_2F), (), T0,
     {F1: (None, None, P), F2: (EMER_2F, {F2}, S)}, [],
     {F1: (ANN_ALL, False), F2: (ANN_ALL, False)}, []),
    ("a call taken off a zone it lost waits ahead of later ones of its priority",
     ZoneAir(ANN_BOTH_ON), ZoneAir(ANN_BOTH_ON, EMER_2F), (ANN_1F_LATE,), T0,
     {F1: (None, None, P), F2: (EMER_2F, {F2}, S)}, [(ANN_ALL, BOTH), (ANN_1F_LATE, {F1})],
     {F1: (ANN_ALL, True), F2: (ANN_ALL, True)}, []),
    ("a request not started by expires_at expires once, whatever its zones", IDLE, IDLE,
     (OLD_ALL, ANN_1F), LATER, {F1: (ANN_1F, {F1}, D), F2: (None, None, P)}, [], {},
     [OLD_ALL]),
]  # fmt: skip


def voice_of(decision: ZonesDecision, zone: str) -> tuple[int | None, frozenset[str] | None]:
    voice = decision.zones[zone].voice
    return (voice.id, voice.zones or None) if voice else (None, None)


@pytest.mark.parametrize(
    ("air1", "air2", "queue", "now", "zones", "after", "cut", "expired"),
    [case[1:] for case in CASES], ids=[case[0] for case in CASES],
)  # fmt: skip
def test_decision_table(air1, air2, queue, now, zones, after, cut, expired):
    decision = decide_zones({F1: air1, F2: air2}, queue, now)
    for zone, (voice, heard, bed) in zones.items():
        expected = (voice.id, frozenset(heard) if heard else None) if voice else (None, None)
        assert voice_of(decision, zone) == expected, zone
        assert decision.zones[zone].bed is bed, zone
    assert [(r.id, r.zones or None) for r in decision.queue] == [
        (r.id, frozenset(z) if z else None) for r, z in after
    ]
    for zone in (F1, F2):
        d = decision.zones[zone]
        got = (d.preempted.id, d.requeued) if d.preempted else None
        want = (cut[zone][0].id, cut[zone][1]) if zone in cut else None
        assert got == want, zone
        assert [r.id for r in d.queue] == [r.id for r, z in after if not z or zone in z]
    assert [r.id for r in decision.expired] == [r.id for r in expired]


def test_a_call_put_back_is_marked_so_it_is_not_put_back_twice():
    decision = decide_zones({F1: ZoneAir(ANN_BOTH_ON), F2: ZoneAir(ANN_BOTH_ON, EMER_2F)}, (), T0)
    assert decision.queue[0].requeued


def test_a_request_for_a_zone_that_does_not_exist_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown zones"):
        decide_zones({F1: IDLE}, (PAGE_2F,), T0)


def test_one_zone_decides_exactly_as_the_one_zone_arbiter():
    from broadcaster.arbiter import ArbiterState, decide

    queue = (ANN_1F, replace(PAGE_1F, zones=frozenset()))
    one = decide(ArbiterState(None, None, queue), T0)
    many = decide_zones({F1: IDLE}, queue, T0).zones[F1]
    assert (one.voice.id if one.voice else None) == (many.voice.id if many.voice else None)
    assert one.bed is many.bed and [r.id for r in one.queue] == [r.id for r in many.queue]


# --- properties over random situations -------------------------------------------------------

ZONES = ("1F", "2F", "3F")
KINDS = (Kind.ANNOUNCEMENT, Kind.PAGE)


@st.composite
def situations(draw: st.DrawFn) -> tuple[dict[str, ZoneAir], list[Request]]:
    emergencies = draw(st.sets(st.sampled_from(ZONES)))
    emergency = call(Kind.EMERGENCY, 100, frozenset(emergencies)) if emergencies else None
    queue = []
    for seq in range(draw(st.integers(0, 6))):
        zones = draw(st.sets(st.sampled_from(ZONES)))
        queue.append(call(draw(st.sampled_from(KINDS)), seq + 1, frozenset(zones),
                          partial=draw(st.booleans())))  # fmt: skip
    air = {z: ZoneAir(None, emergency if z in emergencies else None) for z in ZONES}
    return air, queue


def applied(air: dict[str, ZoneAir], decision: ZonesDecision) -> dict[str, ZoneAir]:
    return {z: ZoneAir(decision.zones[z].voice, air[z].emergency) for z in air}


def summary(decision: ZonesDecision) -> tuple[object, ...]:
    voices = tuple(sorted((z, voice_of(decision, z)) for z in decision.zones))
    return voices, tuple((r.id, r.zones) for r in decision.queue)


@settings(max_examples=150, deadline=None)
@given(situations())
def test_every_zone_hears_only_what_is_for_it_and_a_call_not_partial_is_whole(situation):
    air, queue = situation
    decision = decide_zones(air, queue, T0)
    asked = {r.id: r.zones or frozenset(ZONES) for r in queue}
    for zone, d in decision.zones.items():
        if d.voice is not None and d.voice.kind is not Kind.EMERGENCY:
            assert zone in asked[d.voice.id]  # not one sample of a call leaks into another zone
            assert decision.heard_in(d.voice.id) == d.voice.zones  # it says where it is heard
            if not d.voice.partial:
                assert d.voice.zones == asked[d.voice.id]
        assert d.bed is (S if air[zone].emergency else D if d.voice else P)


@settings(max_examples=150, deadline=None)
@given(situations())
def test_deciding_again_on_the_result_changes_nothing(situation):
    air, queue = situation
    first = decide_zones(air, queue, T0)
    second = decide_zones(applied(air, first), first.queue, T0)
    assert summary(second) == summary(first)
    assert all(d.preempted is None for d in second.zones.values())


@settings(max_examples=100, deadline=None)
@given(situations())
def test_the_order_the_zones_are_listed_in_does_not_matter(situation):
    air, queue = situation
    forward = decide_zones(air, queue, T0)
    backward = decide_zones(dict(reversed(list(air.items()))), queue, T0)
    assert summary(forward) == summary(backward)


@settings(max_examples=100, deadline=None)
@given(situations(), st.lists(st.integers(0, 10), max_size=8))
def test_calls_ending_one_after_another_keep_every_rule(situation, endings):
    air, queue = situation
    asked = {r.id: r.zones or frozenset(ZONES) for r in queue}
    decision = decide_zones(air, queue, T0)
    for pick in endings:
        air = applied(air, decision)
        for zone, d in decision.zones.items():
            if d.voice is not None and d.voice.kind is not Kind.EMERGENCY:
                assert zone in asked[d.voice.id]
                if not d.voice.partial:
                    assert d.voice.zones == asked[d.voice.id]  # whole, or not at all
        on_air = sorted({a.on_air.id for a in air.values()
                         if a.on_air and a.on_air.kind is not Kind.EMERGENCY})  # fmt: skip
        if not on_air:
            break
        ended = on_air[pick % len(on_air)]  # it finished: off every zone it was heard in
        air = {z: ZoneAir(None if a.on_air and a.on_air.id == ended else a.on_air, a.emergency)
               for z, a in air.items()}  # fmt: skip
        decision = decide_zones(air, decision.queue, T0)
        assert all(d.preempted is None or d.preempted.id != ended for d in decision.zones.values())
