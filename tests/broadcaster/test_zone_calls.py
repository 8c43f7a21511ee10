"""What a zoned store's calls still lacked (issue 16): an emergency ended in some zones only,
and a live call that joins a zone as it comes free. The core on fake outputs, one per zone, on
a virtual clock."""

from __future__ import annotations

from dataclasses import replace

from broadcaster.requests import Kind
from tests.kit.factories import ALERT, CHIME, MESSAGE, Rig, request, zoned_rig

ZONES = ("1F", "2F", "B1")


def zoned(tmp_path) -> Rig:
    return zoned_rig(tmp_path, ZONES)


def emergency(rig: Rig, *zones: str):
    return replace(request(Kind.EMERGENCY, title="火警", segments=(ALERT, MESSAGE),
                           at=rig.clock.now()), zones=frozenset(zones))  # fmt: skip


def test_an_emergency_cleared_in_2f_holds_on_in_the_other_zones(tmp_path):
    rig = zoned(tmp_path)
    fire = rig.done(rig.core.start_emergency(emergency(rig)))  # the whole building
    rig.run(3)
    assert rig.done(rig.core.clear_emergency("supervisor", {"2F"})) is True
    rig.run(1)
    zones = rig.core.snapshot()["zones"]
    assert zones["2F"]["emergency"] is None and rig.voice_in("2F") is None
    assert zones["2F"]["bed"]["mode"] == "playing"  # its music is back
    for zone in ("1F", "B1"):
        assert zones[zone]["emergency"]["id"] == fire.id and rig.voice_in(zone) is not None
    rows = {r.zones: r for r in rig.log() if r.kind == "emergency"}
    assert rows["2F"].outcome == "completed" and "cleared by supervisor" in rows["2F"].detail
    assert rows["1F"].outcome is None and rows["B1"].outcome is None  # still on air there
    assert rig.done(rig.core.clear_emergency("supervisor", {"2F"})) is False  # none there now
    rig.run(5)
    assert rig.done(rig.core.clear_emergency("supervisor")) is True  # the rest, at once
    rig.run(1)
    rows = {r.zones: r for r in rig.log() if r.kind == "emergency"}
    assert {z: r.outcome for z, r in rows.items()} == dict.fromkeys(ZONES, "completed")
    assert rows["1F"].ended_at > rows["2F"].ended_at  # each row closed when it ended there
    assert all(z["emergency"] is None for z in rig.core.snapshot()["zones"].values())


def test_clearing_zones_ends_each_emergency_there_and_the_finished_hook_hears_it_once(
    tmp_path,
):
    rig = zoned(tmp_path)
    finished: list[tuple[int, str]] = []
    rig.core.on_finished(lambda r, outcome, started, final: finished.append((r.id, outcome)))
    one = rig.done(rig.core.start_emergency(emergency(rig, "1F", "2F")))
    two = rig.done(rig.core.start_emergency(emergency(rig, "B1")))
    rig.run(2)
    rig.done(rig.core.clear_emergency("supervisor", {"1F", "B1"}))
    rig.run(1)
    assert finished == [(two.id, "completed")]  # #1 still holds 2F
    assert rig.core.snapshot()["zones"]["2F"]["emergency"]["id"] == one.id
    rig.done(rig.core.clear_emergency("supervisor", {"2F"}))
    rig.run(1)
    assert finished == [(two.id, "completed"), (one.id, "completed")]


def live_call(rig: Rig, *zones: str):
    return replace(request(Kind.PAGE, title="现场广播", segments=(CHIME,), at=rig.clock.now()),
                   zones=frozenset(zones), partial=True, live=True)  # fmt: skip


def test_a_live_call_waiting_for_a_zone_joins_it_with_the_chime_when_it_comes_free(tmp_path):
    """2F is held by an emergency when the announcer talks to 1F and 2F: the call is live in
    1F; when 2F's emergency is cleared, 2F hears the chime and then the microphone too."""
    rig = zoned(tmp_path)
    told: list[tuple[int, tuple[str, ...] | None]] = []
    rig.core.on_live(lambda request, zones: told.append((request.id, zones)))
    rig.done(rig.core.start_emergency(emergency(rig, "2F")))
    call = rig.done(rig.core.submit(live_call(rig, "1F", "2F")))
    rig.run(3)
    assert told == [(call.id, ("1F",))]  # live in 1F; 2F waits behind its emergency
    assert rig.voice_in("2F") == ALERT.path or rig.voice_in("2F") == MESSAGE.path
    rig.done(rig.core.clear_emergency("supervisor", {"2F"}))
    rig.run(0.5)
    assert rig.voice_in("2F") == CHIME.path and told[-1] == (call.id, ("1F",))  # chime first
    rig.run(3)
    assert told[-1] == (call.id, ("1F", "2F"))  # then the microphone
    status = rig.core.snapshot()["zones"]
    assert status["2F"]["voice"]["live"] and status["2F"]["ducked"]
    assert status["B1"]["voice"] is None  # never asked for
    assert rig.done(rig.core.cancel(call.id, "announcer"))
    rig.run(1)
    assert told[-1] == (call.id, None)
    rows = sorted((r.zones, r.outcome) for r in rig.log() if r.kind == "page")
    assert rows == [("1F", "completed"), ("2F", "completed")]


def test_an_emergency_in_1f_takes_the_microphone_out_of_1f_and_it_comes_back_after(tmp_path):
    """The microphone reaches a zone's sink directly (a PulseAudio loopback): a zone taken by
    an emergency must lose it at once, while the call goes on in its other zones; when the
    emergency there ends the call joins 1F again, chime first."""
    rig = zoned(tmp_path)
    told: list[tuple[int, tuple[str, ...] | None]] = []
    rig.core.on_live(lambda request, zones: told.append((request.id, zones)))
    call = rig.done(rig.core.submit(live_call(rig, "1F", "2F")))
    rig.run(3)
    assert told[-1] == (call.id, ("1F", "2F"))
    rig.done(rig.core.start_emergency(emergency(rig, "1F")))
    rig.run(0.1)
    assert told[-1] == (call.id, ("2F",))  # out of 1F at once, still live in 2F
    assert rig.voice_in("1F") == ALERT.path
    rig.done(rig.core.clear_emergency("supervisor"))
    rig.run(3)
    assert told[-1] == (call.id, ("1F", "2F"))
    rig.done(rig.core.cancel(call.id, "announcer"))
    rig.run(1)
    assert told[-1] == (call.id, None)
    rows = [(r.zones, r.outcome, r.detail.split(" #")[0]) for r in rig.log() if r.kind == "page"]
    assert sorted(rows) == [
        ("1F", "completed", "back after an interruption; talk released by announcer"),
        ("1F", "preempted", "microphone cut by emergency"),
        ("2F", "completed", "talk released by announcer"),
    ]


def test_an_emergency_cancelled_by_its_id_ends_alone(tmp_path):
    """The building's alarm, then 2F's own: cancelling 2F's by its id gives 2F back to the
    building's alarm (it used to clear both); the building's, cancelled by its id while 2F's
    is still on, ends everywhere but 2F, even though 2F's was in front of it there."""
    rig = zoned(tmp_path)
    building = rig.done(rig.core.start_emergency(emergency(rig)))
    rig.run(2)
    floor = rig.done(rig.core.start_emergency(emergency(rig, "2F")))
    rig.run(2)
    assert rig.core.snapshot()["zones"]["2F"]["emergency"]["id"] == floor.id
    assert rig.done(rig.core.cancel(floor.id, "supervisor")) is True
    rig.run(1)
    zones = rig.core.snapshot()["zones"]
    assert all(zones[z]["emergency"]["id"] == building.id for z in ZONES)
    assert all(rig.voice_in(z) is not None for z in ZONES)
    floor = rig.done(rig.core.start_emergency(emergency(rig, "2F")))
    rig.run(2)
    assert rig.done(rig.core.cancel(building.id, "supervisor")) is True
    rig.run(1)
    zones = rig.core.snapshot()["zones"]
    assert zones["2F"]["emergency"]["id"] == floor.id and rig.voice_in("2F") is not None
    assert zones["1F"]["emergency"] is None and zones["B1"]["emergency"] is None
    assert zones["1F"]["bed"]["mode"] == "playing"
