"""The planner with sound zones (issue 16): cues and dayparts carry their rule's zones, rules
clash only where both are heard, dayparts give way zone by zone, and a store of one zone plans
exactly as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcaster.programme.planner import plan_day
from broadcaster.programme.reach import ZoneReach
from broadcaster.programme.spec import ConflictKind, Content, ContentKind, Rule
from broadcaster.zones.model import Zone, ZoneGroup, ZoneMap
from tests.broadcaster.programme.test_conflicts import (
    SHANGHAI,
    WEDNESDAY,
    daypart,
    programme,
    rule,
    shanghai,
)

MALL = ZoneMap(
    zones=(Zone("1F", "一楼", "Ground floor", sink="a", groups=("floors",)),
           Zone("2F", "二楼", "First floor", sink="b", groups=("floors",)),
           Zone("4F", "四楼游乐区", "4F play area", sink="c")),
    groups=(ZoneGroup("floors", "商场楼层", "Shop floors"),),
)  # fmt: skip


def song(id: int, **fields: Any) -> Rule:
    return rule(id, content=Content(ContentKind.SONG, f"songs/{id}.wav"), **fields)


# (rules' zones, the conflicts as (rule ids in play order, zones)) for voice cues at 10:30.
SAME_INSTANT = [
    pytest.param((("1F",), ("2F",)), [], id="different zones: no conflict"),
    pytest.param((("1F",), ("1F",)), [((1, 2), ("1F",))], id="same zone"),
    pytest.param(((), ("2F",)), [((1, 2), ("2F",))], id="every zone meets one zone there"),
    pytest.param((("floors",), ("2F",)), [((1, 2), ("2F",))], id="a group meets its zone"),
    pytest.param((("floors",), ("4F",)), [], id="a group misses a zone outside it"),
    pytest.param(((), ()), [((1, 2), ("1F", "2F", "4F"))], id="both everywhere: one conflict"),
    pytest.param((("1F",), ("2F",), ()), [((1, 3), ("1F",)), ((2, 3), ("2F",))],
                 id="three rules: each pair where it meets"),
    pytest.param((("1F",), ("gone",)), [], id="a rule whose zone is gone clashes nowhere"),
    pytest.param((("1F",), ("2F", "gone")), [], id="one zone gone: it plays in the other"),
    pytest.param((("2F",), ("2F", "gone")), [((1, 2), ("2F",))],
                 id="one zone gone: it clashes where it still plays"),
]  # fmt: skip


@pytest.mark.parametrize(("zones", "expected"), SAME_INSTANT)
def test_cues_at_one_instant_clash_only_where_their_zones_overlap(zones, expected) -> None:
    rules = [rule(n, at=time(10, 30), zones=z) for n, z in enumerate(zones, 1)]

    timeline = plan_day(programme(*rules), WEDNESDAY, SHANGHAI, MALL)

    found = [(tuple(r.id for r in c.rules), c.zones) for c in timeline.conflicts]
    assert found == expected
    assert all(c.kind is ConflictKind.SAME_INSTANT for c in timeline.conflicts)
    assert [c.zones for c in timeline.cues] == list(zones)


def test_a_zoned_conflict_says_where_in_both_languages() -> None:
    plan = programme(rule(1, name="化妆品促销", at=time(10, 30), zones=("1F",)),
                     rule(2, name="商场介绍", at=time(10, 30)))  # fmt: skip

    (conflict,) = plan_day(plan, WEDNESDAY, SHANGHAI, MALL).conflicts

    assert conflict.message.endswith("(Zones: Ground floor.)")
    assert conflict.message_zh.endswith("（分区：一楼）")
    assert conflict.message_zh.startswith("10:30：「化妆品促销」、「商场介绍」在同一时刻播出语音")


def test_songs_and_voice_at_one_instant_in_one_zone_stay_apart_by_layer() -> None:
    plan = programme(rule(1, at=time(10, 30), zones=("1F",)), song(2, at=time(10, 30)))

    assert plan_day(plan, WEDNESDAY, SHANGHAI, MALL).conflicts == ()


def test_a_one_zone_store_plans_exactly_as_before() -> None:
    plan = programme(rule(1, at=time(10, 30)), rule(2, at=time(10, 30), priority=2),
                     daypart(3, time(12), time(14)), daypart(4, time(13), time(15), priority=5),
                     rule(5, at=time(12, 30), content=Content(ContentKind.PLAYLIST, "other")))  # fmt: skip

    before = plan_day(plan, WEDNESDAY, SHANGHAI)
    one_zone = plan_day(plan, WEDNESDAY, SHANGHAI, ZoneMap())

    assert one_zone == before
    assert [c.kind for c in before.conflicts] == [ConflictKind.SAME_INSTANT,
                                                  ConflictKind.PLAYLIST_IN_DAYPART,
                                                  ConflictKind.DAYPART_OVERLAP]  # fmt: skip
    assert all(c.zones == () for c in before.conflicts)
    assert all("分区" not in c.message_zh for c in before.conflicts)


def test_dayparts_in_different_zones_both_play_whole() -> None:
    plan = programme(daypart(1, time(9), time(22), zones=("floors",)),
                     daypart(2, time(10), time(18), zones=("4F",)))  # fmt: skip

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI, MALL)

    assert timeline.conflicts == ()
    assert [(d.rule_id, d.zones) for d in timeline.dayparts] == [(1, ("floors",)), (2, ("4F",))]


def test_childrens_music_in_the_play_area_takes_it_and_gives_it_back_after() -> None:
    """Every zone's daypart 09–22 under a 4F daypart of children's music 10–18 (higher): the
    other zones keep it whole, 4F has it before and after the children's music."""
    plan = programme(daypart(1, time(9), time(22)),
                     daypart(2, time(10), time(18), zones=("4F",), priority=5))  # fmt: skip

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI, MALL)

    parts = [(d.rule_id, d.start, d.end, d.zones) for d in timeline.dayparts]
    assert parts == [
        (1, shanghai(9), shanghai(10), ("4F",)),
        (1, shanghai(9), shanghai(22), ("1F", "2F")),
        (2, shanghai(10), shanghai(18), ("4F",)),
        (1, shanghai(18), shanghai(22), ("4F",)),
    ]
    (conflict,) = timeline.conflicts
    assert conflict.kind is ConflictKind.DAYPART_OVERLAP and conflict.outcome == "split"
    assert [r.id for r in conflict.rules] == [1, 2] and conflict.zones == ("4F",)
    assert conflict.message_zh.endswith("（分区：四楼游乐区）")


def test_a_playlist_cue_inside_a_daypart_clashes_only_in_a_zone_both_reach() -> None:
    change = Content(ContentKind.PLAYLIST, "promo")
    apart = programme(daypart(1, time(9), time(22), zones=("4F",)),
                      rule(2, at=time(12), content=change, zones=("1F",)))  # fmt: skip
    shared = programme(daypart(1, time(9), time(22), zones=("floors",)),
                       rule(2, at=time(12), content=change, zones=("2F", "4F")))  # fmt: skip

    assert plan_day(apart, WEDNESDAY, SHANGHAI, MALL).conflicts == ()
    (conflict,) = plan_day(shared, WEDNESDAY, SHANGHAI, MALL).conflicts
    assert conflict.kind is ConflictKind.PLAYLIST_IN_DAYPART and conflict.zones == ("2F",)


def test_a_rule_naming_a_zone_no_longer_configured_is_planned_with_a_warning() -> None:
    plan = programme(rule(1, name="B1 parking", at=time(10), zones=("B1",)))

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI, MALL)

    assert [c.zones for c in timeline.cues] == [("B1",)]
    (note,) = timeline.notes
    assert "'B1'" in note and "not configured" in note and "skipped" in note


def test_a_rule_naming_some_zones_no_longer_configured_plays_in_the_others() -> None:
    plan = programme(rule(1, name="parking and 1F", at=time(10), zones=("1F", "B1")))

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI, MALL)

    (note,) = timeline.notes
    assert "'B1'" in note and "not configured" in note and "plays in its other zones" in note


NAMES = [(), ("1F",), ("2F",), ("4F",), ("floors",), ("1F", "4F")]


@st.composite
def zoned_dayparts(draw: st.DrawFn) -> tuple[Rule, ...]:
    hours = st.integers(8, 21).map(lambda h: time(h))
    return tuple(
        daypart(n, draw(hours), draw(hours), priority=draw(st.integers(0, 2)),
                zones=draw(st.sampled_from(NAMES)))
        for n in range(1, draw(st.integers(1, 6)) + 1)
    )  # fmt: skip


@given(rules=zoned_dayparts())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_each_zone_hears_the_dayparts_a_store_of_that_zone_alone_would(rules) -> None:
    """Zone by zone, the zoned plan's music is exactly the one-zone plan of the rules that reach
    that zone: no overlap in any zone, nothing taken from a zone a winner does not reach."""
    timeline = plan_day(programme(*rules), WEDNESDAY, SHANGHAI, MALL)
    reach = ZoneReach(MALL)
    for zone in MALL:
        heard = sorted((d.start, d.end, d.rule_id) for d in timeline.dayparts
                       if reach.reaches(d.zones, zone.id))  # fmt: skip
        alone = programme(*(replace(r, zones=()) for r in rules
                            if reach.reaches(r.zones, zone.id)))  # fmt: skip
        expected = sorted((d.start, d.end, d.rule_id)
                          for d in plan_day(alone, WEDNESDAY, SHANGHAI).dayparts)  # fmt: skip
        assert heard == expected, zone.id
        for (_, end, _), (start, _, _) in pairwise(heard):
            assert end <= start
