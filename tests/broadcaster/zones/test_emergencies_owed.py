"""The core's zone bookkeeping as pure logic: which emergency holds a zone and what clearing
some zones ends; which zones a request is still owed as it is heard in some of them."""

from __future__ import annotations

from dataclasses import replace

from broadcaster.requests import Kind
from broadcaster.zones.emergencies import ActiveEmergencies
from broadcaster.zones.owed import OwedZones
from tests.kit.factories import request

EVERY = ("1F", "2F", "B1")


def fire(*zones: str, seq: int = 1):
    return replace(request(Kind.EMERGENCY, seq=seq), zones=frozenset(zones))


def test_the_latest_emergency_reaching_a_zone_holds_it():
    active = ActiveEmergencies()
    building, parking = fire(seq=1), fire("B1", seq=2)
    active.start(building)
    active.start(parking)
    assert active.of("1F") is building and active.of("B1") is parking
    assert active.reach(EVERY) == frozenset(EVERY)


def test_clearing_some_zones_narrows_an_emergency_and_ends_one_left_with_none():
    active = ActiveEmergencies()
    building, parking = fire(seq=1), fire("B1", seq=2)
    active.start(building)
    active.start(parking)
    ended = active.clear({"2F", "B1"}, EVERY)
    assert ended == {building.id: frozenset({"2F", "B1"}), parking.id: frozenset({"B1"})}
    (left,) = list(active)
    assert left.id == building.id and left.zones == frozenset({"1F"})
    assert active.of("2F") is None and active.of("B1") is None
    assert active.clear({"2F"}, EVERY) == {}  # nothing there any more
    assert active.clear((), EVERY) == {building.id: frozenset({"1F"})} and not active


def test_a_request_is_owed_fewer_zones_as_it_is_heard_in_some():
    owed = OwedZones(EVERY)
    call = replace(request(), zones=frozenset({"1F", "2F"}), partial=True)
    assert owed.told(call) == call  # as asked
    assert owed.update([(call, "1F"), (call, "2F")]) == []  # on air in 1F, waiting for 2F
    (narrowed,) = owed.update([(replace(call, zones=frozenset({"2F"})), "2F")])  # done in 1F
    assert narrowed.id == call.id and narrowed.zones == frozenset({"2F"})
    assert owed.update([(call, "2F")]) == []  # told once
    moved = replace(call, seq=7)
    assert owed.told(moved).zones == frozenset({"2F"})  # a move keeps what is owed
    assert owed.update([]) == []  # heard everywhere: forgotten
    assert owed.told(call) == call  # a new start (resumed) is owed what it asks


def test_a_request_for_every_zone_stays_for_every_zone_until_one_is_done():
    owed = OwedZones(EVERY)
    everywhere = request()
    owed.told(everywhere)
    assert owed.update([(everywhere, z) for z in EVERY]) == []
    (narrowed,) = owed.update([(everywhere, "1F"), (everywhere, "B1")])
    assert narrowed.zones == frozenset({"1F", "B1"})
