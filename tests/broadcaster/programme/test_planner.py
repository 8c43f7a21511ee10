"""The planner turns the supervisor's rules into one day's cues and music, as the manual wants."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcaster.programme.default import (
    DEMO_PLAYLISTS,
    DEMO_SONGS,
    PROMOTION_SPOTS,
    SONG_DIR,
    default_programme,
    song_ref,
)
from broadcaster.programme.planner import VOICE_KINDS, plan_day
from broadcaster.programme.spec import (
    Anchor,
    Content,
    ContentKind,
    Cue,
    DayType,
    Programme,
    Rule,
    RuleKind,
    Timeline,
)
from scripts_library.starter import STARTER_CODES, STARTER_SCRIPTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = date(2026, 6, 3)
SATURDAY = date(2026, 6, 6)
SPRING_FORWARD = date(2026, 3, 29)  # Berlin: 02:00 CET -> 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # Berlin: 03:00 CEST -> 02:00 CET
NORMAL = DayType("normal", time(8, 0), time(22, 0))


def speech(ref: str = "announcements/x.wav") -> Content:
    return Content(ContentKind.SPEECH, ref)


def song(ref: str = "songs/x.wav") -> Content:
    return Content(ContentKind.SONG, ref)


def rule(id: int, kind: RuleKind = RuleKind.FIXED, **fields: Any) -> Rule:
    fields.setdefault("name", f"rule {id}")
    fields.setdefault("order", id)
    if kind in (RuleKind.FIXED, RuleKind.OFFSET):
        fields.setdefault("content", speech(f"announcements/{id}.wav"))
    return Rule(id=id, kind=kind, **fields)


def programme(*rules: Rule, day_type: DayType = NORMAL, **extra: Any) -> Programme:
    day_types = {day_type.name: day_type, **extra.pop("day_types", {})}
    return Programme(
        day_types=day_types,
        weekday_defaults=extra.pop("weekday_defaults", dict.fromkeys(range(7), day_type.name)),
        calendar=extra.pop("calendar", {}),
        rules=rules,
    )


def local(moment: datetime, zone: ZoneInfo = SHANGHAI) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def cues_of(timeline: Timeline, rule_id: int) -> list[Cue]:
    return [cue for cue in timeline.cues if cue.rule_id == rule_id]


def unwarned_voice_collisions(timeline: Timeline) -> list[list[Cue]]:
    """Groups of voice cues sharing an instant whose rules no warning names."""
    by_instant: dict[datetime, list[Cue]] = defaultdict(list)
    for cue in timeline.cues:
        if cue.content.kind in VOICE_KINDS:
            by_instant[cue.planned_at].append(cue)
    return [
        group
        for group in by_instant.values()
        if len(group) > 1
        and not any(
            all(f"(rule {cue.rule_id})" in warning for cue in group)
            for warning in timeline.warnings
        )
    ]


# -- the manual's store day -----------------------------------------------------------------------

# (local time, what goes on air: a song's file or a starter script's code) from the manual's day
# programme and the manual's rules
TABLE = [
    (time(7, 50), song_ref("staff_songs")),
    (time(7, 55), song_ref("welcome_music")),  # opening music = welcome music, opening -5 min
    (time(7, 55), "staff_word"),
    (time(8, 0), "opening_welcome"),
    (time(9, 0), "floor_guide"),
    (time(10, 0), "products"),
    (time(10, 30), "services"),
    (time(11, 0), "mall_info"),
    (time(11, 30), "floor_guide"),
    (time(15, 30), "services"),
    (time(16, 30), "mall_info"),
    (time(18, 30), "mall_info"),
    (time(19, 30), "floor_guide"),
    (time(20, 0), "products"),
    (time(21, 40), "pre_closing"),
    (time(21, 45), "closing_reminder"),  # closing -15 min
    (time(21, 55), song_ref("farewell_music")),  # closing -5 min
    (time(22, 0), song_ref("farewell_song")),  # at closing
    (time(22, 0), "closing_speech"),
]
MUSIC = [
    (time(8, 0), "piano"),
    (time(9, 0), "light"),
    (time(10, 0), "light"),
    (time(12, 30), "pop"),
    (time(13, 30), "foreign"),
    (time(14, 30), "upbeat"),
    (time(17, 30), "light"),
    (time(21, 0), "light"),
]


def is_promotion(cue: Cue) -> bool:
    return cue.content.kind is ContentKind.SCRIPT and cue.content.ref in PROMOTION_SPOTS


def test_domain_weekday_puts_every_table_item_at_its_time_and_each_key_once() -> None:
    timeline = plan_day(default_programme(), WEDNESDAY, SHANGHAI)

    assert timeline.day_type == "weekday"
    planned = [
        (local(cue.planned_at).time(), cue.content.ref)
        for cue in timeline.cues
        if not is_promotion(cue)
    ]
    assert planned == TABLE
    assert all(local(cue.planned_at).date() == WEDNESDAY for cue in timeline.cues)
    assert len({cue.key for cue in timeline.cues}) == len(timeline.cues)
    assert timeline.warnings == ()


def test_domain_weekday_music_runs_from_opening_to_closing_without_gaps() -> None:
    timeline = plan_day(default_programme(), WEDNESDAY, SHANGHAI)

    starts = [(local(part.start).time(), part.playlist) for part in timeline.dayparts]
    assert starts == MUSIC
    assert timeline.dayparts[0].start == timeline.opening
    assert timeline.dayparts[-1].end == timeline.closing
    for before, after in pairwise(timeline.dayparts):
        assert before.end == after.start


def test_farewell_song_starts_before_the_closing_speech_said_over_it() -> None:
    timeline = plan_day(default_programme(), WEDNESDAY, SHANGHAI)

    at_closing = [cue for cue in timeline.cues if cue.planned_at == timeline.closing]
    assert [cue.content.kind for cue in at_closing] == [ContentKind.SONG, ContentKind.SCRIPT]
    assert all(cue.cut for cue in at_closing)


def test_promotions_rotate_every_five_to_ten_minutes_while_the_mall_is_open() -> None:
    timeline = plan_day(default_programme(), WEDNESDAY, SHANGHAI)
    promos = [cue for cue in timeline.cues if is_promotion(cue)]

    assert local(promos[0].planned_at).time() == time(8, 5)
    assert local(promos[-1].planned_at).time() < time(21, 40)
    gaps = [(b.planned_at - a.planned_at).total_seconds() for a, b in pairwise(promos)]
    assert all(300 <= gap <= 600 for gap in gaps)
    assert len(set(gaps)) > 10  # really spread, not a fixed beat
    refs = [cue.content.ref for cue in promos[:8]]
    assert len(PROMOTION_SPOTS) == 4
    assert refs == [*PROMOTION_SPOTS, *PROMOTION_SPOTS]
    others = [cue for cue in timeline.cues if not is_promotion(cue)]
    assert max(cue.priority for cue in promos) < min(cue.priority for cue in others)


def test_no_voice_cue_shares_an_instant_with_another_without_a_warning_all_year() -> None:
    plan = default_programme()
    for offset in range(0, 365, 3):
        timeline = plan_day(plan, date(2026, 1, 1) + timedelta(days=offset), SHANGHAI)
        assert unwarned_voice_collisions(timeline) == []


def test_the_same_day_plans_the_same_and_another_day_spreads_differently() -> None:
    plan = default_programme()

    assert plan_day(plan, WEDNESDAY, SHANGHAI) == plan_day(default_programme(), WEDNESDAY, SHANGHAI)
    thursday = plan_day(plan, WEDNESDAY + timedelta(days=1), SHANGHAI)
    wednesday = plan_day(plan, WEDNESDAY, SHANGHAI)
    times = [local(cue.planned_at).time() for cue in wednesday.cues if is_promotion(cue)]
    times_next = [local(cue.planned_at).time() for cue in thursday.cues if is_promotion(cue)]
    assert times != times_next
    assert cues_of(thursday, 6)[0].content.ref == PROMOTION_SPOTS[0]  # rotation restarts


def test_weekend_keeps_its_later_closing_for_closing_items_music_and_promotions() -> None:
    timeline = plan_day(default_programme(), SATURDAY, SHANGHAI)

    assert timeline.day_type == "weekend"
    assert timeline.opening is not None and timeline.closing is not None
    assert local(timeline.opening) == at(SATURDAY, 8)
    assert local(timeline.closing) == at(SATURDAY, 22, 30)
    late = {cue.content.ref: local(cue.planned_at).time() for cue in timeline.cues}
    assert late["pre_closing"] == time(22, 10)
    assert late["closing_reminder"] == time(22, 15)
    assert late[song_ref("farewell_music")] == time(22, 25)
    assert late["closing_speech"] == time(22, 30)
    assert timeline.dayparts[-1].end == timeline.closing
    promos = [cue for cue in timeline.cues if is_promotion(cue)]
    assert {cue.rule_name for cue in promos} == {"促销广告（周末）Promotions (weekend)"}
    assert time(21, 40) < local(promos[-1].planned_at).time() < time(22, 10)


def test_default_programme_is_in_plan_order_and_uses_only_starter_scripts_and_demo_music() -> None:
    plan = default_programme()

    assert [r.id for r in plan.rules] == list(range(1, len(plan.rules) + 1))
    assert [r.order for r in plan.rules] == sorted(r.order for r in plan.rules)
    contents = [c for r in plan.rules for c in (r.content, *r.spots) if c is not None]
    assert {c.kind for c in contents} == {ContentKind.SCRIPT, ContentKind.SONG}  # no speech files
    codes = {c.ref for c in contents if c.kind == ContentKind.SCRIPT}
    songs = {c.ref for c in contents if c.kind == ContentKind.SONG}
    said = {ref for _, ref in TABLE if not ref.startswith(f"{SONG_DIR}/")}
    assert codes == said | set(PROMOTION_SPOTS)
    assert codes <= STARTER_CODES, f"not starter scripts: {sorted(codes - STARTER_CODES)}"
    assert songs == {song_ref(stem) for stem in DEMO_SONGS}
    assert {r.playlist for r in plan.rules if r.playlist} == set(DEMO_PLAYLISTS)
    languages = {s.code: s.language.value for s in STARTER_SCRIPTS}
    assert {languages[code] for code in codes} <= {"zh-CN", "en"}


# -- day types, calendar, validity --------------------------------------------------------------


def test_calendar_entry_overrides_the_weekday_default() -> None:
    holiday = DayType("holiday", time(10, 0), time(20, 0))
    plan = programme(
        rule(1, RuleKind.OFFSET, anchor=Anchor.OPENING),
        day_types={"holiday": holiday},
        calendar={date(2026, 10, 1): "holiday"},
    )

    timeline = plan_day(plan, date(2026, 10, 1), SHANGHAI)

    assert timeline.day_type == "holiday"
    assert local(timeline.cues[0].planned_at) == at(date(2026, 10, 1), 10)
    assert plan_day(plan, date(2026, 10, 2), SHANGHAI).day_type == "normal"


@pytest.mark.parametrize(
    ("calendar", "defaults", "named"),
    [({}, {}, "names no day type"), ({WEDNESDAY: "gala"}, {}, "'gala', which is not defined")],
)
def test_a_day_without_a_known_day_type_plans_nothing_and_says_so(
    calendar: dict[date, str], defaults: dict[int, str], named: str
) -> None:
    plan = programme(rule(1, at=time(9)), calendar=calendar, weekday_defaults=defaults)

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert (timeline.day_type, timeline.opening, timeline.cues, timeline.dayparts) == (
        None,
        None,
        (),
        (),
    )
    assert len(timeline.warnings) == 1 and named in timeline.warnings[0]


def test_a_campaign_rule_plays_only_inside_its_dates() -> None:
    campaign = rule(1, at=time(12), valid_from=date(2026, 6, 1), valid_until=date(2026, 6, 7))
    plan = programme(campaign)

    playing = {
        day: bool(plan_day(plan, day, SHANGHAI).cues)
        for day in (date(2026, 5, 31), date(2026, 6, 1), date(2026, 6, 7), date(2026, 6, 8))
    }

    assert playing == {
        date(2026, 5, 31): False,
        date(2026, 6, 1): True,
        date(2026, 6, 7): True,
        date(2026, 6, 8): False,
    }


def test_a_rule_for_other_day_types_stays_silent() -> None:
    plan = default_programme()
    weekday = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert not any(cue.rule_name == "促销广告（周末）Promotions (weekend)" for cue in weekday.cues)


# -- past midnight ------------------------------------------------------------------------------


def test_past_midnight_trading_puts_closing_and_small_hours_on_the_next_date() -> None:
    late = DayType("late", time(18, 0), time(1, 0))
    plan = programme(
        rule(1, RuleKind.OFFSET, anchor=Anchor.CLOSING, offset_s=-15 * 60),
        rule(2, at=time(0, 30)),
        rule(3, at=time(23, 0)),
        rule(4, RuleKind.DAYPART, start=time(23, 0), end=time(0, 30), playlist="light"),
        rule(5, RuleKind.DAYPART, start=time(0, 30), end=None, playlist="piano"),
        rule(6, RuleKind.RECURRING, window_start=time(0, 0), every_s=1800, spots=(speech(),)),
        day_type=late,
    )
    next_day = WEDNESDAY + timedelta(days=1)

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert timeline.closing is not None
    assert local(timeline.closing) == at(next_day, 1)
    assert local(cues_of(timeline, 1)[0].planned_at) == at(next_day, 0, 45)
    assert local(cues_of(timeline, 2)[0].planned_at) == at(next_day, 0, 30)
    assert local(cues_of(timeline, 3)[0].planned_at) == at(WEDNESDAY, 23)
    parts = [(local(p.start), local(p.end)) for p in timeline.dayparts]
    assert parts == [
        (at(WEDNESDAY, 23), at(next_day, 0, 30)),
        (at(next_day, 0, 30), at(next_day, 1)),
    ]
    assert [local(c.planned_at) for c in cues_of(timeline, 6)] == [
        at(next_day, 0),
        at(next_day, 0, 30),
    ]
    assert cues_of(timeline, 2)[0].key == f"2:{WEDNESDAY.isoformat()}:0"  # the trading day's key


# -- daylight saving time -----------------------------------------------------------------------


def test_spring_forward_moves_a_missing_time_to_the_end_of_the_gap_with_a_warning() -> None:
    plan = programme(rule(1, name="Night notice", at=time(2, 30)))

    timeline = plan_day(plan, SPRING_FORWARD, BERLIN)

    (cue,) = timeline.cues
    assert cue.planned_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert local(cue.planned_at, BERLIN) == at(SPRING_FORWARD, 3)
    (warning,) = timeline.warnings
    assert "Night notice" in warning and "02:30" in warning and "03:00" in warning


def test_spring_forward_recurring_cues_keep_real_time_spacing() -> None:
    plan = programme(
        rule(
            1,
            RuleKind.RECURRING,
            window_start=time(1),
            window_end=time(4),
            every_s=600,
            spots=(speech(),),
        )
    )

    cues = plan_day(plan, SPRING_FORWARD, BERLIN).cues

    gaps = {(b.planned_at - a.planned_at).total_seconds() for a, b in pairwise(cues)}
    assert gaps == {600}
    assert len(cues) == 12  # 01:00 CET to 04:00 CEST is two real hours


def test_fall_back_plays_a_repeated_time_once_at_its_first_occurrence() -> None:
    plan = programme(rule(1, at=time(2, 30)))

    timeline = plan_day(plan, FALL_BACK, BERLIN)

    (cue,) = timeline.cues
    assert cue.planned_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert timeline.warnings == ()


def test_fall_back_recurring_cues_do_not_double_in_the_repeated_hour() -> None:
    plan = programme(
        rule(
            1,
            RuleKind.RECURRING,
            window_start=time(1),
            window_end=time(4),
            every_s=600,
            spots=(speech(),),
        )
    )

    cues = plan_day(plan, FALL_BACK, BERLIN).cues

    gaps = {(b.planned_at - a.planned_at).total_seconds() for a, b in pairwise(cues)}
    assert gaps == {600}
    assert len(cues) == 24  # 01:00 CEST to 04:00 CET is four real hours, one cue per 10 min
    assert len({cue.planned_at for cue in cues}) == len(cues)


# -- conflicts ----------------------------------------------------------------------------------


def test_voice_cues_at_one_instant_play_by_priority_then_plan_order_then_id_with_a_warning() -> (
    None
):
    noon = time(12)
    plan = programme(
        rule(1, name="Low late", at=noon, order=20),
        rule(2, name="High", at=noon, order=30, priority=5),
        rule(4, name="Low early twin", at=noon, order=10),
        rule(3, name="Low early", at=noon, order=10),
    )

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert [cue.rule_name for cue in timeline.cues] == [
        "High",
        "Low early",
        "Low early twin",
        "Low late",
    ]
    (warning,) = timeline.warnings
    assert all(name in warning for name in ("High", "Low early", "Low late", "Low early twin"))


def test_two_songs_at_one_instant_are_ordered_and_warned_but_a_song_under_speech_is_not() -> None:
    plan = programme(
        rule(1, name="Jingle", at=time(12), content=song("songs/a.wav")),
        rule(2, name="Anthem", at=time(12), content=song("songs/b.wav"), priority=1),
        rule(3, name="Notice", at=time(12)),
    )

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert [cue.rule_name for cue in timeline.cues] == ["Anthem", "Jingle", "Notice"]
    (warning,) = timeline.warnings
    assert "Jingle" in warning and "Anthem" in warning and "Notice" not in warning


def test_cues_carry_the_rules_grace_priority_cut_and_a_stable_key() -> None:
    fixed = rule(7, at=time(9), grace_s=90, priority=3, cut=True)
    promos = rule(
        8,
        RuleKind.RECURRING,
        window_start=time(9),
        window_end=time(10),
        every_s=1200,
        spots=(speech("a"), speech("b")),
        grace_s=30,
    )
    before = plan_day(programme(fixed, promos), WEDNESDAY, SHANGHAI)
    after = plan_day(programme(rule(1, at=time(8, 30)), fixed, promos), WEDNESDAY, SHANGHAI)

    (cue,) = cues_of(before, 7)
    assert (cue.grace_s, cue.priority, cue.cut, cue.key) == (90, 3, True, "7:2026-06-03:0")
    assert [c.key for c in cues_of(before, 8)] == [f"8:2026-06-03:{n}" for n in range(3)]
    assert [c.content.ref for c in cues_of(before, 8)] == ["a", "b", "a"]
    assert [c.key for c in cues_of(after, 7) + cues_of(after, 8)] == [c.key for c in before.cues]


def test_recurring_cues_start_at_the_window_start_and_stop_before_its_end() -> None:
    plan = programme(
        rule(1, RuleKind.RECURRING, window_end=time(9), every_s=1200, spots=(speech(),))
    )

    cues = plan_day(plan, WEDNESDAY, SHANGHAI).cues

    assert [local(c.planned_at).time() for c in cues] == [time(8), time(8, 20), time(8, 40)]


# -- dayparts -----------------------------------------------------------------------------------


def daypart(id: int, start: time, end: time, **fields: Any) -> Rule:
    return rule(id, RuleKind.DAYPART, start=start, end=end, playlist=f"list{id}", **fields)


def spans(timeline: Timeline) -> list[tuple[int, time, time]]:
    return [(p.rule_id, local(p.start).time(), local(p.end).time()) for p in timeline.dayparts]


def test_a_higher_priority_daypart_splits_the_one_it_overlaps_with_a_warning() -> None:
    plan = programme(daypart(1, time(9), time(18)), daypart(2, time(12), time(13), priority=5))

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert spans(timeline) == [
        (1, time(9), time(12)),
        (2, time(12), time(13)),
        (1, time(13), time(18)),
    ]
    (warning,) = timeline.warnings
    assert "rule 1" in warning and "rule 2" in warning and "split" in warning


def test_between_equal_priorities_the_earlier_plan_order_keeps_the_overlap() -> None:
    plan = programme(
        daypart(1, time(9), time(18), order=20), daypart(2, time(17), time(20), order=10)
    )

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert spans(timeline) == [(1, time(9), time(17)), (2, time(17), time(20))]
    assert "trimmed" in timeline.warnings[0]


def test_a_daypart_covered_by_a_stronger_one_is_dropped() -> None:
    plan = programme(daypart(1, time(12), time(13)), daypart(2, time(9), time(18), priority=1))

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert spans(timeline) == [(2, time(9), time(18))]
    assert "dropped" in timeline.warnings[0]


# -- malformed rules ----------------------------------------------------------------------------


def test_malformed_rules_are_skipped_with_a_warning_and_the_rest_still_plays() -> None:
    broken = [
        rule(1, name="No time"),
        rule(2, name="No content", at=time(9), content=None),
        rule(3, RuleKind.OFFSET, name="No anchor"),
        rule(4, RuleKind.RECURRING, name="No interval", spots=(speech(),)),
        rule(5, RuleKind.RECURRING, name="No spots", every_s=300),
        rule(6, RuleKind.DAYPART, name="No playlist", start=time(9), end=time(10)),
        rule(7, RuleKind.OFFSET, name="Far away", anchor=Anchor.OPENING, offset_s=10**13),
    ]
    plan = programme(*broken, rule(8, name="Good", at=time(10)))

    timeline = plan_day(plan, WEDNESDAY, SHANGHAI)

    assert [cue.rule_name for cue in timeline.cues] == ["Good"]
    assert len(timeline.warnings) == len(broken)
    for bad, warning in zip(broken, timeline.warnings, strict=True):
        assert bad.name in warning and "skipped" in warning


# -- any programme ------------------------------------------------------------------------------

ZONES = [SHANGHAI, BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")]
maybe_time = st.none() | st.times()
contents = st.builds(Content, st.sampled_from(list(ContentKind)), st.sampled_from(["a", "b"]))


@st.composite
def random_rules(draw: st.DrawFn) -> tuple[Rule, ...]:
    count = draw(st.integers(0, 8))
    return tuple(
        Rule(
            id=n,
            name=f"rule {n}",
            kind=draw(st.sampled_from(list(RuleKind))),
            order=draw(st.integers(0, 3)),
            priority=draw(st.integers(0, 3)),
            day_types=draw(st.frozensets(st.sampled_from(["a", "b", "x"]), max_size=2)),
            content=draw(st.none() | contents),
            at=draw(maybe_time | st.sampled_from([time(2, 30), time(12)])),
            anchor=draw(st.none() | st.sampled_from(list(Anchor))),
            offset_s=draw(st.integers(-3 * 86400, 3 * 86400) | st.sampled_from([0, 10**13])),
            window_start=draw(maybe_time),
            window_end=draw(maybe_time),
            every_s=draw(st.integers(-5, 0) | st.integers(900, 7200)),
            spread_s=draw(st.integers(-5, 600)),
            spots=tuple(draw(st.lists(contents, max_size=3))),
            start=draw(maybe_time),
            end=draw(maybe_time),
            playlist=draw(st.none() | st.sampled_from(["", "p"])),
        )
        for n in range(1, count + 1)
    )


@given(
    rules=random_rules(),
    day=st.sampled_from([SPRING_FORWARD, FALL_BACK, WEDNESDAY])
    | st.dates(date(1990, 1, 1), date(2100, 12, 31)),
    zone=st.sampled_from(ZONES),
    hours=st.lists(st.times(), min_size=4, max_size=4),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_programme_plans_without_crashing_and_warns_about_every_voice_clash(
    rules: tuple[Rule, ...], day: date, zone: ZoneInfo, hours: list[time]
) -> None:
    a, b = DayType("a", hours[0], hours[1]), DayType("b", hours[2], hours[3])
    plan = Programme({"a": a, "b": b}, {d: "ab"[d % 2] for d in range(6)}, {}, rules)

    timeline = plan_day(plan, day, zone)

    assert unwarned_voice_collisions(timeline) == []
    assert len({cue.key for cue in timeline.cues}) == len(timeline.cues)
    assert [c.planned_at for c in timeline.cues] == sorted(c.planned_at for c in timeline.cues)
    for before, after in pairwise(timeline.dayparts):
        assert before.start < before.end <= after.start
    assert timeline == plan_day(plan, day, zone)
