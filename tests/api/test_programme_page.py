"""The supervisor's programme page without a browser: the timeline of a date as the planner
plans it, its conflicts marked, the rules listed, and user text escaped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api.web.programme_timeline import day_view
from broadcaster.actors import Role
from broadcaster.programme.planner import plan_day
from broadcaster.programme.spec import (
    ConflictKind,
    Content,
    ContentKind,
    DayType,
    Programme,
    Rule,
    RuleKind,
)
from tests.kit.accounts import NAMES, PASSWORD
from tests.kit.daemon_process import STORE_ZONE

DAY = date(2025, 3, 12)  # a Wednesday
ZONE_NOW = datetime.fromisoformat("2025-03-12T10:00:00+08:00")


def _programme(*rules: Rule) -> Programme:
    return Programme(day_types={"weekday": DayType("weekday", time(8), time(22))},
                     weekday_defaults=dict.fromkeys(range(7), "weekday"), calendar={},
                     rules=rules)  # fmt: skip


def _fixed(rule_id: int, name: str, at: time) -> Rule:
    return Rule(id=rule_id, name=name, kind=RuleKind.FIXED, at=at,
                content=Content(ContentKind.SCRIPT, f"s{rule_id}"))  # fmt: skip


def _daypart(rule_id: int, name: str, start: time, end: time, priority: int = 0) -> Rule:
    return Rule(id=rule_id, name=name, kind=RuleKind.DAYPART, start=start, end=end,
                playlist=name, priority=priority)  # fmt: skip


def test_two_voice_cues_at_one_instant_are_a_conflict_in_the_timeline():
    programme = _programme(_fixed(1, "商场介绍", time(10, 30)), _fixed(2, "服务介绍", time(10, 30)),
                           _fixed(3, "午间提示", time(12)))  # fmt: skip
    view = day_view(programme, DAY, ZoneInfo(STORE_ZONE), ZONE_NOW, titles={}, zh=True)
    assert view.day_type == "weekday" and (view.opening, view.closing) == ("08:00", "22:00")
    marks = {lane.name: lane.markers for lane in view.lanes}
    assert [m.conflict for m in marks["商场介绍"] + marks["服务介绍"]] == [True, True]
    assert [m.conflict for m in marks["午间提示"]] == [False]
    assert view.conflicts == [
        "10:30：「商场介绍」、「服务介绍」在同一时刻播出语音，将按优先级依次播出。"
    ]
    assert view.conflict_rules == {1, 2}
    assert 0 < marks["商场介绍"][0].left < marks["午间提示"][0].left < 100


def test_overlapping_dayparts_are_marked_though_the_planner_trimmed_one():
    programme = _programme(_daypart(1, "pop", time(12), time(14)),
                           _daypart(2, "foreign", time(13), time(15), priority=5))  # fmt: skip
    view = day_view(programme, DAY, ZoneInfo(STORE_ZONE), ZONE_NOW, titles={}, zh=False)
    assert [(b.playlist, b.start, b.end, b.conflict) for b in view.bands] == [
        ("pop", "12:00", "13:00", True), ("foreign", "13:00", "15:00", True)]  # fmt: skip
    assert [(o.start, o.end) for o in view.overlaps] == [("13:00", "14:00")]
    assert view.conflicts == [
        "13:00–14:00: the music daypart 'pop' (rule 1) overlaps 'foreign' (rule 2), which takes "
        "precedence and plays in the overlap; 'pop' is trimmed."
    ]
    assert view.now is not None  # 10:00 is inside the axis


def test_the_page_shows_exactly_the_planners_conflicts_a_playlist_change_in_a_daypart_too():
    # A kind of conflict the page never worked out for itself: it shows what the planner says.
    programme = _programme(
        _daypart(1, "午间流行", time(12), time(18)), _fixed(2, "商场介绍", time(10, 30)),
        _fixed(3, "服务介绍", time(10, 30)),
        Rule(id=4, name="换轻音乐", kind=RuleKind.FIXED, at=time(16),
             content=Content(ContentKind.PLAYLIST, "light")),
    )  # fmt: skip
    planned = plan_day(programme, DAY, ZoneInfo(STORE_ZONE)).conflicts
    assert [c.kind for c in planned] == [
        ConflictKind.SAME_INSTANT,
        ConflictKind.PLAYLIST_IN_DAYPART,
    ]

    for zh in (True, False):
        view = day_view(programme, DAY, ZoneInfo(STORE_ZONE), ZONE_NOW, titles={}, zh=zh)
        assert view.conflicts == [c.message_zh if zh else c.message for c in planned]
    marks = {lane.name: lane.markers for lane in view.lanes}
    assert [m.conflict for m in marks["换轻音乐"]] == [True]
    assert [(b.name, b.conflict) for b in view.bands] == [("午间流行", True)]
    assert view.conflict_rules == {1, 2, 3, 4} and view.overlaps == []


@pytest.fixture
def supervisor(client: TestClient) -> Iterator[TestClient]:
    client.post("/api/v1/programme/day-types", json={"name": "weekday", "opening": "08:00",
                                                     "closing": "22:00"})  # fmt: skip
    for weekday in range(7):
        client.put(f"/api/v1/programme/weekdays/{weekday}", json={"day_type": "weekday"})
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
        yield browser


def test_the_page_shows_the_rules_on_the_timeline_with_user_text_escaped(client, supervisor):
    for name in ("<b>Opening</b> & welcome", "Second at ten"):
        reply = client.post("/api/v1/programme/rules", json={
            "name": name, "kind": "offset", "anchor": "opening", "offset_s": 7200,
            "content": {"kind": "speech", "ref": "announcements/hello.wav"},
        })  # fmt: skip
        assert reply.status_code == 201, reply.text
    html = supervisor.get("/supervisor/programme?date=2025-03-12").text
    assert "&lt;b&gt;Opening&lt;/b&gt; &amp; welcome" in html and "<b>Opening</b>" not in html
    assert html.count('class="cue conflict') == 2 and 'id="conflicts"' in html
    assert "在同一时刻播出语音" in html and "开店后 120 分钟" in html
    english = supervisor.get("/supervisor/programme?date=2025-03-12&lang=en").text
    assert "are voice cues at the same moment" in english and "120 min after opening" in english


def test_a_date_without_a_day_type_says_nothing_is_planned(supervisor, client):
    client.delete("/api/v1/programme/weekdays/0")
    html = supervisor.get("/supervisor/programme?date=2025-03-10").text  # a Monday
    assert "这一天没有设置日期类型" in html
    assert supervisor.get("/supervisor/programme?date=not-a-date").status_code == 200


@pytest.mark.scheduler  # saving a rule replans the live scheduler
def test_a_daypart_split_by_a_higher_one_is_saved_and_scheduled_in_two_pieces(
    daemon, client, supervisor
):
    for playlist in ("pop", "foreign"):
        (daemon.settings.music_path / playlist).mkdir()
    for rule in ({"name": "pop", "kind": "daypart", "start": "12:00", "end": "18:00",
                  "playlist": "pop"},
                 {"name": "foreign", "kind": "daypart", "start": "13:00", "end": "15:00",
                  "playlist": "foreign", "priority": 5}):  # fmt: skip
        reply = client.post("/api/v1/programme/rules", json=rule)  # the live scheduler replans
        assert reply.status_code == 201, reply.text
    html = supervisor.get("/supervisor/programme?date=2026-11-23").text
    assert html.count('class="band pal-1 conflict"') == 2  # pop: before and after foreign
    assert "音乐时段「pop」与「foreign」重叠，重叠部分播放「foreign」" in html


def test_the_page_and_the_plan_api_give_the_same_conflicts(daemon, client, supervisor):
    (daemon.settings.music_path / "pop").mkdir()
    (daemon.settings.music_path / "light").mkdir()
    for rule in ({"name": "午间流行", "kind": "daypart", "start": "12:00", "end": "18:00",
                  "playlist": "pop"},
                 {"name": "换轻音乐", "kind": "fixed", "at": "16:00",
                  "content": {"kind": "playlist", "ref": "light"}}):  # fmt: skip
        reply = client.post("/api/v1/programme/rules", json=rule)
        assert reply.status_code == 201, reply.text

    plan = client.get("/api/v1/programme/plan?date=2026-11-23").json()
    html = supervisor.get("/supervisor/programme?date=2026-11-23").text
    english = supervisor.get("/supervisor/programme?date=2026-11-23&lang=en").text

    (conflict,) = plan["conflicts"]
    assert conflict["kind"] == "playlist_in_daypart" and conflict["cue_keys"] == [
        "2:2026-11-23:0"]  # fmt: skip
    assert [r["name"] for r in conflict["rules"]] == ["换轻音乐", "午间流行"]
    assert conflict["start"]["local"].startswith("2026-11-23T16:00:00")
    assert conflict["end"]["local"].startswith("2026-11-23T18:00:00")
    assert plan["warnings"] == [conflict["message"]]
    assert f"<li>{conflict['message_zh']}</li>" in html
    assert f"<li>{escape(conflict['message'])}</li>" in english
