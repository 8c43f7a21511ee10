"""The planner's conflicts as data: what kind, which rules in which order, when, which cues, and
a text in English and Chinese in the store's time; the English ones are also its warnings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from broadcaster.programme.planner import plan_day
from broadcaster.programme.spec import (
    ConflictKind,
    Content,
    ContentKind,
    DayType,
    Programme,
    Rule,
    RuleKind,
    RuleRef,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = date(2026, 6, 3)


def rule(id: int, kind: RuleKind = RuleKind.FIXED, **fields: Any) -> Rule:
    fields.setdefault("name", f"rule {id}")
    fields.setdefault("order", id)
    if kind is RuleKind.FIXED:
        fields.setdefault("content", Content(ContentKind.SPEECH, f"announcements/{id}.wav"))
    return Rule(id=id, kind=kind, **fields)


def daypart(id: int, start: time, end: time, **fields: Any) -> Rule:
    return rule(id, RuleKind.DAYPART, start=start, end=end, playlist=f"list{id}", **fields)


def programme(*rules: Rule) -> Programme:
    return Programme(day_types={"normal": DayType("normal", time(8), time(22))},
                     weekday_defaults=dict.fromkeys(range(7), "normal"), calendar={},
                     rules=rules)  # fmt: skip


def shanghai(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(WEDNESDAY, time(hh, mm), SHANGHAI)


def test_voice_cues_at_one_instant_are_one_conflict_naming_the_rules_in_play_order() -> None:
    plan = programme(rule(1, name="商场介绍", at=time(10, 30)),
                     rule(2, name="服务介绍", at=time(10, 30), priority=3),
                     rule(3, name="歌曲", at=time(10, 30),
                          content=Content(ContentKind.SONG, "songs/a.wav")))  # fmt: skip

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    (conflict,) = timeline.conflicts
    assert conflict.kind is ConflictKind.SAME_INSTANT and conflict.layer == "voice"
    assert conflict.rules == (RuleRef(2, "服务介绍"), RuleRef(1, "商场介绍"))
    assert conflict.start == conflict.end == shanghai(10, 30)
    assert conflict.cue_keys == ("2:2026-06-03:0", "1:2026-06-03:0")
    assert (
        conflict.message_zh
        == "10:30：「服务介绍」、「商场介绍」在同一时刻播出语音，将按优先级依次播出。"
    )
    assert conflict.message.startswith(
        "10:30: '服务介绍' (rule 2) and '商场介绍' (rule 1) are voice"
    )
    assert timeline.warnings == (conflict.message,) and timeline.notes == ()


def test_an_overlap_names_the_daypart_that_gives_way_then_the_winner_over_their_shared_span():
    plan = programme(daypart(1, time(12), time(14)), daypart(2, time(13), time(15), priority=5))

    (conflict,) = plan_day(plan, WEDNESDAY, SHANGHAI).conflicts

    assert conflict.kind is ConflictKind.DAYPART_OVERLAP and conflict.outcome == "trimmed"
    assert [r.id for r in conflict.rules] == [1, 2]
    assert (conflict.start, conflict.end) == (shanghai(13), shanghai(14))
    assert conflict.message_zh.startswith("13:00–14:00：音乐时段「rule 1」与「rule 2」重叠")
    assert "被缩短" in conflict.message_zh


def test_a_daypart_overlapping_two_stronger_ones_is_a_conflict_with_each():
    plan = programme(daypart(1, time(9), time(18)), daypart(2, time(10), time(11), priority=5),
                     daypart(3, time(17), time(20), priority=5))  # fmt: skip

    conflicts = plan_day(plan, WEDNESDAY, SHANGHAI).conflicts

    assert [(c.rules[0].id, c.rules[1].id, c.outcome) for c in conflicts] == [
        (1, 2, "split"), (1, 3, "split")]  # fmt: skip
    assert [(c.start, c.end) for c in conflicts] == [
        (shanghai(10), shanghai(11)), (shanghai(17), shanghai(18))]  # fmt: skip


def test_a_playlist_change_inside_another_daypart_is_a_conflict_until_the_daypart_ends():
    plan = programme(
        daypart(1, time(12), time(18), name="午间流行"),
        rule(2, name="换轻音乐", at=time(16), content=Content(ContentKind.PLAYLIST, "light")),
        rule(3, name="同一列表", at=time(13), content=Content(ContentKind.PLAYLIST, "list1")),
    )

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    (conflict,) = timeline.conflicts  # switching to the daypart's own playlist is none
    assert conflict.kind is ConflictKind.PLAYLIST_IN_DAYPART
    assert conflict.rules == (RuleRef(2, "换轻音乐"), RuleRef(1, "午间流行"))
    assert (conflict.start, conflict.end) == (shanghai(16), shanghai(18))
    assert conflict.cue_keys == ("2:2026-06-03:0",)
    assert conflict.message_zh == (
        "16:00：「换轻音乐」在音乐时段「午间流行」（12:00–18:00，播放列表「list1」）中途把背景音乐"
        "切换为「light」；从此刻起播放「light」，直到下一个音乐时段开始。"
    )
    assert "changes the music to 'light' inside the daypart '午间流行'" in conflict.message


def test_conflicts_come_in_the_order_of_their_instants_after_the_other_notes() -> None:
    plan = programme(
        daypart(1, time(14), time(16)),
        daypart(2, time(15), time(17), priority=1),
        rule(3, at=time(9)),
        rule(4, at=time(9)),
        rule(5, name="No time"),
    )

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert [c.kind for c in timeline.conflicts] == [
        ConflictKind.SAME_INSTANT, ConflictKind.DAYPART_OVERLAP]  # fmt: skip
    assert len(timeline.notes) == 1 and "No time" in timeline.notes[0]
    assert timeline.warnings == timeline.notes + tuple(c.message for c in timeline.conflicts)


def test_broadcaster_plan_prints_the_planners_conflicts_and_notes_apart() -> None:
    from api.cli_programme import timeline_json, timeline_text
    from broadcaster.settings import Settings

    settings = Settings(timezone="Asia/Shanghai")
    plan = programme(rule(1, at=time(9)), rule(2, at=time(9)), rule(3, name="No time"))
    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    lines = timeline_text(timeline, settings).splitlines()
    shown = timeline_json(timeline, settings)

    (conflict,) = timeline.conflicts
    assert f"conflict: {conflict.message}" in lines
    assert [line for line in lines if line.startswith("warning: ")] == [
        f"warning: {timeline.notes[0]}"]  # fmt: skip
    assert [c["message_zh"] for c in shown["conflicts"]] == [conflict.message_zh]
    assert shown["conflicts"][0]["start"]["local"] == "2026-06-03T09:00:00+08:00"
