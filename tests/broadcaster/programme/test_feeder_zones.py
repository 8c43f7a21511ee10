"""The feeder on a zoned core (issue 16): each cue and daypart goes to its rule's zones; a
rule naming zones that are no longer configured plays in those that remain, saying which were
left out, and is logged ``skipped`` when none remain, never an exception."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from broadcaster.programme.feeder import CueFeeder
from broadcaster.programme.spec import Content, ContentKind, Cue, Daypart
from broadcaster.zones.model import Zone, ZoneGroup, ZoneMap
from playlists.sources import track_list
from tests.kit.factories import MUSIC, SPEECH, Rig, make_rig

ZONES = ("1F", "2F", "4F")
MALL = ZoneMap(
    zones=(Zone("1F", "一楼", "Ground floor", sink="a", groups=("floors",)),
           Zone("2F", "二楼", "First floor", sink="b", groups=("floors",)),
           Zone("4F", "四楼游乐区", "4F play area", sink="c")),
    groups=(ZoneGroup("floors", "商场楼层", "Shop floors"),),
)  # fmt: skip
WELCOME = Path("/audio/welcome.ogg")
KIDS = Path("/music/kids.ogg")


def zoned(tmp_path: Path) -> tuple[Rig, CueFeeder]:
    rig = make_rig(tmp_path, zones=ZONES, durations={WELCOME: 60_000, KIDS: 120_000})
    rig.run(10)
    feeder = CueFeeder(core=rig.core, playlog=rig.playlog, clock=rig.clock,
                       data_dir=SPEECH.path.parent, zone=UTC, scripts=None, zone_map=MALL,
                       playlists=lambda name: track_list([Path(f"/music/{name}.ogg")]))  # fmt: skip
    return rig, feeder


def cue(rig: Rig, kind: ContentKind, ref: str, zones: tuple[str, ...], key: str = "7:d:0") -> Cue:
    at = rig.clock.now() + timedelta(seconds=5)
    return Cue(key, 7, "化妆品促销", at, Content(kind, ref), 0, 60, cut=True, zones=zones)


def voices(rig: Rig, zone: str) -> list[Path]:
    return [p.path for p in rig.outputs[zone].history if p.layer == "voice"]


def bed_file(rig: Rig, zone: str) -> Path | None:
    track = rig.core.speakers[zone].bed.current
    return rig.outputs[zone].playing(track.layer) if track else None


def test_a_1f_promotion_is_handed_to_1f_only_and_logged_there(tmp_path):
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.SPEECH, SPEECH.path.name, ("1F",)))
    rig.run(15)

    assert voices(rig, "1F") == [SPEECH.path]
    assert voices(rig, "2F") == [] and voices(rig, "4F") == []
    (row,) = [r for r in rig.log() if r.kind == "announcement"]
    assert (row.outcome, row.zones, row.cue_key) == ("completed", "1F", "7:d:0")


def test_a_group_reaches_its_zones_and_no_other(tmp_path):
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.SPEECH, SPEECH.path.name, ("floors",)))
    rig.run(15)

    assert voices(rig, "1F") == voices(rig, "2F") == [SPEECH.path] and voices(rig, "4F") == []
    rows = [r for r in rig.log() if r.kind == "announcement"]
    assert sorted(r.zones for r in rows) == ["1F", "2F"]


def test_a_song_plays_on_the_beds_of_its_zones_only(tmp_path):
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.SONG, WELCOME.name, ("4F",)))
    rig.run(6)

    assert bed_file(rig, "4F") == WELCOME
    assert bed_file(rig, "1F") == bed_file(rig, "2F") == MUSIC[0]


def test_a_playlist_cue_and_a_daypart_switch_only_their_zones_music(tmp_path):
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.PLAYLIST, "kids", ("4F",)))
    rig.run(3)
    assert bed_file(rig, "4F") == KIDS and bed_file(rig, "1F") == MUSIC[0]

    now = rig.clock.now()
    feeder.start_daypart(Daypart(8, "楼层音乐", now, now + timedelta(hours=1), "kids", True,
                                 ("floors",)))  # fmt: skip
    rig.run(3)
    assert bed_file(rig, "1F") == bed_file(rig, "2F") == KIDS


def test_a_rule_whose_zones_are_all_gone_is_logged_skipped_and_plays_nowhere(tmp_path):
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.SPEECH, SPEECH.path.name, ("B1", "3F")))
    now = rig.clock.now()
    feeder.start_daypart(Daypart(9, "停车场音乐", now, now + timedelta(hours=1), "kids", True,
                                 ("B1",)))  # fmt: skip
    rig.run(15)

    assert all(voices(rig, z) == [] for z in ZONES)
    assert all(bed_file(rig, z) == MUSIC[0] for z in ZONES)
    skipped = {r.title: r for r in rig.log() if r.outcome == "skipped"}
    assert set(skipped) == {"化妆品促销", "停车场音乐"}
    for row in skipped.values():
        assert "not configured: B1" in row.detail and "分区未配置" in row.detail
    assert skipped["化妆品促销"].cue_key == "7:d:0"
    assert skipped["化妆品促销"].zones == "B1,3F"  # as the rule names them
    assert skipped["停车场音乐"].zones == "B1"


def test_a_rule_naming_some_zones_that_are_gone_plays_in_those_that_remain(tmp_path, caplog):
    """The settings lost B1 (the car park's player was taken out): a promotion for 1F and B1
    still plays in 1F, its row saying B1 was left out; a daypart for 2F and B1 still sets 2F's
    music. A warning says it for the technician."""
    rig, feeder = zoned(tmp_path)

    feeder.hand(cue(rig, ContentKind.SPEECH, SPEECH.path.name, ("1F", "B1")))
    now = rig.clock.now()
    feeder.start_daypart(Daypart(9, "儿童音乐", now, now + timedelta(hours=1), "kids", True,
                                 ("2F", "B1")))  # fmt: skip
    rig.run(15)

    assert voices(rig, "1F") == [SPEECH.path]
    assert voices(rig, "2F") == [] and voices(rig, "4F") == []
    assert bed_file(rig, "2F") == KIDS and bed_file(rig, "1F") == bed_file(rig, "4F") == MUSIC[0]
    assert not [r for r in rig.log() if r.outcome == "skipped"]
    (row,) = [r for r in rig.log() if r.kind == "announcement"]
    assert (row.outcome, row.zones, row.cue_key) == ("completed", "1F", "7:d:0")
    assert "left out: B1" in row.detail and "分区已不存在" in row.detail
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("7:d:0" in w and "left out: B1" in w for w in warned)
    assert any("儿童音乐" in w and "left out: B1" in w for w in warned)


def test_a_missed_cue_is_logged_for_its_zones(tmp_path):
    rig, feeder = zoned(tmp_path)
    late = cue(rig, ContentKind.SPEECH, SPEECH.path.name, ("floors",))
    rig.run(120)

    feeder.hand(late)

    (row,) = [r for r in rig.log() if r.outcome == "missed"]
    assert row.zones == "1F,2F"


def test_each_zone_gets_the_daypart_current_there(tmp_path):
    rig, feeder = zoned(tmp_path)
    now = rig.clock.now()
    hour = timedelta(hours=1)
    every = Daypart(1, "全场", now - hour, now + hour, "all", False, ("1F", "2F"))
    kids = Daypart(2, "儿童", now - hour, now + hour, "kids", False, ("4F",))
    gone = Daypart(3, "停车场", now - hour, now + hour, "park", False, ("B1",))
    later = Daypart(4, "晚间", now + hour, now + 2 * hour, "late", False, ())

    from broadcaster.programme.spec import Timeline

    timeline = Timeline(now.date(), "d", None, None, dayparts=(every, kids, gone, later))
    held = feeder.music_by_zone([timeline], now)

    assert held == {"1F": every, "2F": every, "4F": kids}


def test_a_daypart_for_two_floors_gives_each_floor_its_own_run_of_the_playlist(tmp_path):
    """Each zone's bed takes its own source of the daypart's playlist: both floors hear every
    track in the playlist's order (one source shared by both dealt the tracks out between
    them: 1F the first, 2F the second, each floor half the playlist)."""
    songs = [Path(f"/music/set/{n}.ogg") for n in "abc"]
    rig = make_rig(tmp_path, zones=ZONES, durations=dict.fromkeys(songs, 60_000))
    rig.run(10)
    feeder = CueFeeder(core=rig.core, playlog=rig.playlog, clock=rig.clock,
                       data_dir=SPEECH.path.parent, zone=UTC, scripts=None, zone_map=MALL,
                       playlists=lambda name: track_list(songs))  # fmt: skip
    now = rig.clock.now()
    feeder.start_daypart(Daypart(8, "楼层音乐", now, now + timedelta(hours=1), "set", True,
                                 ("floors",)))  # fmt: skip
    rig.run(200)  # three tracks and a bit

    def heard(zone: str) -> list[str]:
        return [r.media_path for r in rig.log() if r.kind == "music" and r.zones == zone
                and r.started_at is not None and r.media_path in map(str, songs)]  # fmt: skip

    assert heard("1F") == heard("2F") == [str(s) for s in (*songs, songs[0])]
    assert bed_file(rig, "4F") in MUSIC  # not its daypart
