"""A daypart rule saved during its own hours takes over the bed at once (issue 14, item 5):
saved 00:00–23:59 at 05:24, the whole library kept playing until the next restart."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.clock import FakeClock
from broadcaster.programme.feeder import CueFeeder
from broadcaster.programme.scheduler import LiveScheduler
from broadcaster.programme.spec import DayType, Programme, Rule, RuleKind
from broadcaster.zones.model import Zone, ZoneMap
from playlists.sources import track_list

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 5, 24, tzinfo=ZONE).astimezone(UTC)


class Core:
    """Records the music the feeder hands over."""

    def __init__(self) -> None:
        self.music: list[tuple[str, bool]] = []
        self.zones: list[frozenset[str]] = []  # the zones of each switch (empty: every zone)

    def set_music(self, music, *, cut: bool, zones=()) -> None:
        self.music.append((music().key, cut))
        self.zones.append(frozenset(zones))


def programme(*rules: Rule) -> Programme:
    all_day = DayType("all day", time(0), time(0))
    return Programme({all_day.name: all_day}, dict.fromkeys(range(7), all_day.name), {}, rules)


def test_a_daypart_saved_during_its_hours_takes_over_at_once(tmp_path):
    rules: list[Rule] = []
    core = Core()
    feeder = CueFeeder(core=core, playlog=None, clock=FakeClock(NOW), data_dir=tmp_path,  # type: ignore[arg-type]
                       playlists=lambda name: track_list([Path(f"/music/{name}.ogg")]),
                       zone=ZONE, scripts=None)  # fmt: skip
    feeder.catch_up = lambda timelines, now, since: []  # type: ignore[method-assign]
    live = LiveScheduler(clock=FakeClock(NOW), zone=ZONE, feeder=feeder,
                         load=lambda: programme(*rules))  # fmt: skip
    live.start()
    try:
        assert core.music == []  # no daypart yet: the whole library plays
        rules.append(Rule(1, "all day", RuleKind.DAYPART, start=time(0), end=time(23, 59),
                          playlist="lounge"))  # fmt: skip
        live.replan()
        assert core.music == [("/music/lounge.ogg", False)]
        live.replan()  # saving another rule does not switch again
        assert len(core.music) == 1
    finally:
        live.stop()


def test_with_zones_each_zone_takes_the_daypart_saved_for_it_and_no_other(tmp_path):
    """A 4F daypart of children's music saved during its hours takes over 4F only; the floors
    keep the music they had."""
    rules = [Rule(1, "all day", RuleKind.DAYPART, start=time(0), end=time(23, 59),
                  playlist="lounge")]  # fmt: skip
    mall = ZoneMap(zones=(Zone("1F", "一楼", "1F", sink="a"), Zone("4F", "四楼", "4F", sink="b")))
    core = Core()
    feeder = CueFeeder(core=core, playlog=None, clock=FakeClock(NOW), data_dir=tmp_path,  # type: ignore[arg-type]
                       playlists=lambda name: track_list([Path(f"/music/{name}.ogg")]),
                       zone=ZONE, scripts=None, zone_map=mall)  # fmt: skip
    feeder.catch_up = lambda timelines, now, since: []  # type: ignore[method-assign]
    live = LiveScheduler(clock=FakeClock(NOW), zone=ZONE, feeder=feeder,
                         load=lambda: programme(*rules))  # fmt: skip
    live.start()
    try:
        assert core.music == [("/music/lounge.ogg", True)] and core.zones == [frozenset()]
        # (Ends with the other: the scheduler's jobs run by the real wall clock, long past NOW.)
        rules.append(Rule(2, "kids", RuleKind.DAYPART, start=time(5), end=time(23, 59),
                          playlist="kids", priority=5, zones=("4F",)))  # fmt: skip
        live.replan()
        assert core.music[1:] == [("/music/kids.ogg", False)]
        assert core.zones[1:] == [frozenset({"4F"})]
        live.replan()  # saving another rule does not switch again
        assert len(core.music) == 2
    finally:
        live.stop()
