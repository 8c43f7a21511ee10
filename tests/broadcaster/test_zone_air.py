"""Each zone its own air (issue 16): the core on two fake outputs, one per zone, on a virtual
clock. What a listener on each floor would hear, and what the log says of each zone."""

from __future__ import annotations

from dataclasses import replace

from broadcaster.audio.output import SILENT_DB
from broadcaster.requests import Kind
from tests.kit.factories import (
    ALERT,
    CHIME,
    MESSAGE,
    MUSIC,
    SPEECH,
    Rig,
    make_rig,
    request,
    zoned_rig,
)

ZONES = ("1F", "2F")


def zoned(tmp_path) -> Rig:
    return zoned_rig(tmp_path, ZONES)


def bed_level(rig: Rig, zone: str) -> float:
    track = rig.core.speakers[zone].bed.current
    return rig.outputs[zone].volume_at(track.layer) if track else SILENT_DB


def test_each_zone_plays_its_own_music_from_the_start(tmp_path):
    rig = zoned(tmp_path)
    for zone in ZONES:
        track = rig.core.speakers[zone].bed.current
        assert track is not None and rig.outputs[zone].playing(track.layer) == MUSIC[0]
        assert bed_level(rig, zone) == 0.0
    music = [r for r in rig.log() if r.kind == "music"]
    assert sorted(r.zones for r in music) == ["1F", "2F"]  # one row per zone, naming it


def test_a_promotion_in_1f_is_heard_in_1f_only_and_2f_music_stays_up(tmp_path):
    rig = zoned(tmp_path)
    rig.core.submit(
        replace(request(Kind.ANNOUNCEMENT, at=rig.clock.now()), zones=frozenset({"1F"}))
    )
    rig.run(1)
    assert rig.voice_in("1F") == SPEECH.path and bed_level(rig, "1F") == -15.0
    assert rig.voice_in("2F") is None and bed_level(rig, "2F") == 0.0
    assert not [p for p in rig.outputs["2F"].history if p.layer == "voice"]  # not one word
    rig.run(6)
    row = next(r for r in rig.log() if r.kind == "announcement")
    assert (row.outcome, row.zones) == ("completed", "1F")
    status = rig.core.snapshot()["zones"]
    assert status["1F"]["ducked"] is False and status["2F"]["bed"]["mode"] == "playing"


def test_a_page_to_every_zone_ducks_every_bed_and_is_logged_per_zone(tmp_path):
    rig = zoned(tmp_path)
    page = request(Kind.PAGE, title="寻人", segments=(CHIME, SPEECH), at=rig.clock.now())
    finished = []
    rig.core.on_finished(lambda r, outcome, started, final: finished.append((r.id, outcome, final)))
    rig.core.submit(page)
    rig.run(1)
    for zone in ZONES:
        assert rig.voice_in(zone) == CHIME.path and bed_level(rig, zone) == -15.0
    status = rig.core.snapshot()["zones"]
    assert all(status[z]["ducked"] and status[z]["voice"]["id"] == page.id for z in ZONES)
    rig.run(8)
    rows = [r for r in rig.log() if r.kind == "page"]
    assert sorted((r.zones, r.outcome) for r in rows) == [("1F", "completed"), ("2F", "completed")]
    assert [(i, o.value, f) for i, o, f in finished] == [(page.id, "completed", True)]  # told once
    assert all(bed_level(rig, zone) == 0.0 for zone in ZONES)


def test_an_emergency_in_2f_stops_2f_and_leaves_1f_music_playing(tmp_path):
    rig = zoned(tmp_path)
    emergency = replace(
        request(Kind.EMERGENCY, segments=(ALERT, MESSAGE), at=rig.clock.now()),
        zones=frozenset({"2F"}),
    )
    rig.core.start_emergency(emergency)
    rig.run(1)
    assert rig.voice_in("2F") == ALERT.path and rig.core.speakers["2F"].bed.current is None
    assert rig.voice_in("1F") is None and bed_level(rig, "1F") == 0.0
    assert rig.core.snapshot()["zones"]["1F"]["emergency"] is None
    assert rig.core.snapshot()["zones"]["2F"]["emergency"]["id"] == emergency.id
    rig.done(rig.core.clear_emergency("test"))
    rig.run(2)
    assert rig.voice_in("2F") is None and rig.core.speakers["2F"].bed.current is not None


def test_an_emergency_to_the_whole_building_cuts_every_zone_at_the_same_instant(tmp_path):
    rig = zoned(tmp_path)
    rig.core.start_emergency(request(Kind.EMERGENCY, segments=(ALERT, MESSAGE), at=rig.clock.now()))
    rig.run(0.01)
    starts = {z: [p.at for p in rig.outputs[z].history if p.layer == "voice"] for z in ZONES}
    assert starts["1F"] == starts["2F"] and len(starts["1F"]) == 1
    assert all(rig.core.speakers[z].bed.current is None for z in ZONES)


def test_a_call_for_both_floors_waits_until_both_are_free_unless_it_is_partial(tmp_path):
    rig = zoned(tmp_path)
    busy = replace(request(Kind.ANNOUNCEMENT, title="2F promo", at=rig.clock.now()),
                   zones=frozenset({"2F"}))  # fmt: skip
    rig.core.submit(busy)
    rig.run(1)
    both = replace(request(Kind.ANNOUNCEMENT, title="both", at=rig.clock.now()),
                   zones=frozenset(ZONES))  # fmt: skip
    rig.core.submit(both)
    rig.run(1)
    assert rig.voice_in("1F") is None  # waits for 2F: all or nothing
    rig.run(5)  # the 2F promo ends
    assert rig.voice_in("1F") == SPEECH.path and rig.voice_in("2F") == SPEECH.path

    (tmp_path / "partial").mkdir()
    partial = make_rig(tmp_path / "partial", zones=ZONES)
    partial.run(10)
    partial.core.submit(replace(busy, zones=frozenset({"2F"})))
    partial.run(1)
    partial.core.submit(replace(both, partial=True))
    partial.run(1)
    assert partial.voice_in("1F") == SPEECH.path  # 1F is free: heard there at once
    assert partial.voice_in("2F") == SPEECH.path  # 2F: still the promo (same file)
    assert len([p for p in partial.outputs["2F"].history if p.layer == "voice"]) == 1
    partial.run(5)
    heard = [p for p in partial.outputs["2F"].history if p.layer == "voice"]
    assert len(heard) == 2  # then from its start in 2F
    partial.run(6)
    rows = sorted((r.title, r.zones, r.outcome) for r in partial.log() if r.kind == "announcement")
    assert rows == [("2F promo", "2F", "completed"), ("both", "1F", "completed"),
                    ("both", "2F", "completed")]  # fmt: skip


def test_a_remote_zone_without_players_is_a_fault_of_that_zone_until_they_are_back(tmp_path):
    rig = zoned(tmp_path)
    rig.core.zone_fault("2F", "zone 2F: no player connected / 分区 2F：没有播放器连接")
    rig.run(1)
    assert rig.core.air_fault() == "[2F] zone 2F: no player connected / 分区 2F：没有播放器连接"
    status = rig.core.snapshot()["zones"]
    assert status["2F"]["fault"].startswith("zone 2F") and status["1F"]["fault"] is None
    rig.core.zone_fault("2F", None)
    rig.run(1)
    assert rig.core.air_fault() is None
    [row] = [r for r in rig.log() if r.kind == "fault"]
    assert (row.zones, row.outcome) == ("2F", "recovered") and "no player" in row.detail


def test_a_live_call_goes_live_after_its_chime_in_its_zones_until_talk_is_released(tmp_path):
    rig = zoned(tmp_path)
    told: list[tuple[int, tuple[str, ...] | None]] = []
    rig.core.on_live(lambda request, zones: told.append((request.id, zones)))
    rig.core.live_recording = lambda request_id: f"recordings/live/call-{request_id}.wav"
    call = replace(request(Kind.PAGE, title="现场广播", segments=(CHIME,), at=rig.clock.now()),
                   zones=frozenset({"1F"}), partial=True, live=True)  # fmt: skip
    rig.core.submit(call)
    rig.run(1)
    assert rig.voice_in("1F") == CHIME.path and told == []  # the chime first
    rig.run(2)
    assert told == [(call.id, ("1F",))]  # then the microphone, in 1F only
    status = rig.core.snapshot()["zones"]
    assert status["1F"]["voice"]["live"] is True and status["1F"]["ducked"] is True
    assert status["2F"]["voice"] is None and bed_level(rig, "2F") == 0.0
    rig.run(60)  # held as long as the announcer talks
    assert rig.core.snapshot()["zones"]["1F"]["voice"]["live"] is True
    assert rig.done(rig.core.cancel(call.id, "announcer")) is True
    rig.run(1)
    assert told[-1] == (call.id, None) and bed_level(rig, "1F") == 0.0
    [row] = [r for r in rig.log() if r.kind == "page"]
    assert (row.outcome, row.zones) == ("completed", "1F")
    assert (
        row.detail == f"talk released by announcer; recorded to recordings/live/call-{call.id}.wav"
    )


def test_an_emergency_takes_the_microphone_off_the_air(tmp_path):
    rig = zoned(tmp_path)
    told: list[tuple[int, tuple[str, ...] | None]] = []
    rig.core.on_live(lambda request, zones: told.append((request.id, zones)))
    call = replace(request(Kind.PAGE, segments=(CHIME,), at=rig.clock.now()), live=True)
    rig.core.submit(call)
    rig.run(3)
    assert told[-1] == (call.id, ("1F", "2F"))  # each zone live as its chime ends
    assert all(zones for _, zones in told)
    rig.core.start_emergency(request(Kind.EMERGENCY, segments=(ALERT, MESSAGE), at=rig.clock.now()))
    rig.run(0.5)
    assert told[-1] == (call.id, None)  # the microphone is cut at once
    assert all(rig.voice_in(zone) == ALERT.path for zone in ZONES)
    rig.done(rig.core.clear_emergency("test"))
    rig.run(5)
    assert all(rig.voice_in(zone) is None for zone in ZONES)  # the call does not come back
    rows = [r for r in rig.log() if r.kind == "page"]
    assert [(r.outcome, r.detail.split(" #")[0]) for r in rows] == [
        ("preempted", "microphone cut by emergency"),
        ("preempted", "microphone cut by emergency"),
    ]
