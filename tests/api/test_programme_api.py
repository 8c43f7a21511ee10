"""The supervisor's programme over HTTP: CRUD, refusals with a message per field in both
languages that change nothing, 404 and 409, and the plan of a day.

One daemon serves the whole module (starting one costs more than all these requests); each test
starts from an empty programme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from broadcaster.daemon import Daemon
from broadcaster.programme import crud, spec
from broadcaster.programme.default import default_programme
from broadcaster.programme.models import CalendarEntry, DayType, Rule, WeekdayDefault
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client
from tests.kit.programme import (
    BAD_REFS,
    INVALID_DAY_TYPES,
    INVALID_RULES,
    WELCOME,
    make_programme_media,
    rule,
    speech,
)

P = "/api/v1/programme"
CJK = re.compile(r"[\u4e00-\u9fff]")
EMPTY = spec.Programme(day_types={}, weekday_defaults={}, calendar={}, rules=())


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("programme") / "data"
    make_programme_media(data)
    daemon = start_daemon(data)
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


@pytest.fixture
def daemon(shared: tuple[Daemon, TestClient], monkeypatch: pytest.MonkeyPatch) -> Daemon:
    daemon = shared[0]
    assert daemon.engine is not None
    with Session(daemon.engine) as db:
        crud.replace_programme(db, EMPTY)
    daemon.changes = []  # type: ignore[attr-defined]
    monkeypatch.setattr(daemon, "programme_changed", lambda: daemon.changes.append(1),
                        raising=False)  # fmt: skip
    return daemon


@pytest.fixture
def api(shared: tuple[Daemon, TestClient], daemon: Daemon) -> TestClient:
    return shared[1]


def stored(daemon: Daemon) -> list[Any]:
    """Every row of every programme table."""
    assert daemon.engine is not None
    with Session(daemon.engine) as db:
        return [
            [row.model_dump() for row in db.exec(select(table))]
            for table in (DayType, WeekdayDefault, CalendarEntry, Rule)
        ]


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def add_day_type(api: TestClient, name: str = "weekday", **times: str) -> dict[str, Any]:
    body = {"name": name, "opening": "08:00", "closing": "22:00", **times}
    return ok(api.post(f"{P}/day-types", json=body), 201)


def assert_refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code
    assert detail["message"] and CJK.search(detail["message_zh"])
    return detail


# --- CRUD --------------------------------------------------------------------------------------


def test_day_types_round_trip(api, daemon):
    created = add_day_type(api)
    assert created == {"id": created["id"], "name": "weekday", "opening": "08:00:00",
                       "closing": "22:00:00"}  # fmt: skip
    url = f"{P}/day-types/{created['id']}"
    assert ok(api.get(url)) == created
    assert ok(api.patch(url, json={"closing": "22:30"}))["closing"] == "22:30:00"
    assert [d["name"] for d in ok(api.get(f"{P}/day-types"))] == ["weekday"]
    ok(api.delete(url), 204)
    assert ok(api.get(f"{P}/day-types")) == []
    assert len(daemon.changes) == 3  # create, update, delete: the scheduler re-plans each time


def test_weekdays_round_trip(api):
    add_day_type(api)
    add_day_type(api, "weekend", closing="22:30")
    for weekday in range(7):
        name = "weekday" if weekday < 5 else "weekend"
        body = ok(api.put(f"{P}/weekdays/{weekday}", json={"day_type": name}))
        assert body == {"weekday": weekday, "day_type": name}
    assert [w["day_type"] for w in ok(api.get(f"{P}/weekdays"))][4:] == ["weekday", "weekend",
                                                                         "weekend"]  # fmt: skip
    ok(api.delete(f"{P}/weekdays/6"), 204)
    assert_refused(api.get(f"{P}/weekdays/6"), 404, "not_found")
    assert_refused(api.put(f"{P}/weekdays/7", json={"day_type": "weekday"}), 422,
                   "invalid_weekday")  # fmt: skip
    detail = assert_refused(api.put(f"{P}/weekdays/6", json={"day_type": "holiday"}), 422,
                            "invalid_weekday")  # fmt: skip
    assert "holiday" in detail["fields"]["day_type"]["message"]


def test_calendar_round_trip(api):
    add_day_type(api)
    add_day_type(api, "holiday")
    body = {"date": "2026-10-01", "day_type": "holiday", "note": "National Day 国庆节"}
    created = ok(api.post(f"{P}/calendar", json=body), 201)
    assert created == {"id": created["id"], **body}
    url = f"{P}/calendar/{created['id']}"
    assert ok(api.patch(url, json={"day_type": "weekday"}))["day_type"] == "weekday"
    ok(api.post(f"{P}/calendar", json={"date": "2026-10-08", "day_type": "weekday"}), 201)
    listed = ok(api.get(f"{P}/calendar", params={"since": "2026-10-02"}))
    assert [e["date"] for e in listed] == ["2026-10-08"]
    ok(api.delete(url), 204)
    assert_refused(api.get(url), 404, "not_found")


def test_rules_round_trip(api, daemon):
    add_day_type(api)
    body = rule(day_types=["weekday"], priority=20, cut=True)
    created = ok(api.post(f"{P}/rules", json=body), 201)
    assert created["content"] == speech() and created["day_types"] == ["weekday"]
    assert (created["at"], created["priority"], created["enabled"]) == ("09:00:00", 20, True)
    url = f"{P}/rules/{created['id']}"
    assert ok(api.get(url)) == created
    changed = ok(api.patch(url, json={"kind": "daypart", "playlist": "light", "end": "10:00"}))
    assert (changed["kind"], changed["playlist"], changed["at"], changed["content"]) == (
        "daypart", "light", None, None,
    )  # fmt: skip
    ok(api.patch(url, json={"enabled": False}))
    assert ok(api.get(f"{P}/rules", params={"enabled": "true"})) == []
    assert [r["id"] for r in ok(api.get(f"{P}/rules"))] == [created["id"]]
    ok(api.delete(url), 204)
    assert_refused(api.delete(url), 404, "not_found")
    assert len(daemon.changes) == 5  # day type, rule, two updates, delete


def test_fixed_and_offset_cues_cut_in_on_time_unless_the_rule_says_to_wait(api, daemon):
    add_day_type(api)
    made = {kind: ok(api.post(f"{P}/rules", json=rule(kind, name=kind)), 201)
            for kind in ("fixed", "offset", "recurring", "daypart")}  # fmt: skip
    assert {kind: r["cut"] for kind, r in made.items()} == {
        "fixed": True, "offset": True, "recurring": False, "daypart": False,
    }  # fmt: skip
    waits = ok(api.post(f"{P}/rules", json=rule(name="after the song", cut=False)), 201)
    assert waits["cut"] is False  # an explicit choice, kept
    edited = ok(api.patch(f"{P}/rules/{waits['id']}", json={"priority": 5}))
    assert edited["cut"] is False  # and kept through an edit


def test_hostile_text_is_stored_as_text(api):
    name = "<script>alert(1)</script>'; DROP TABLE programme_rule; --"
    add_day_type(api, "<b>'; DROP TABLE x;--")
    created = ok(api.post(f"{P}/rules", json=rule(name=name, day_types=["<b>'; DROP TABLE x;--"],
                                                 content=speech(title=name))), 201)  # fmt: skip
    assert created["name"] == name and created["content"]["title"] == name
    assert ok(api.get(f"{P}/rules"))[0]["name"] == name
    assert ok(api.get(f"{P}/day-types"))[0]["name"] == "<b>'; DROP TABLE x;--"


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"), [c[1:] for c in INVALID_RULES], ids=[c[0] for c in INVALID_RULES]
)
def test_an_invalid_rule_is_refused_per_field_and_nothing_changes(api, daemon, body, field, words):
    add_day_type(api)
    ok(api.post(f"{P}/rules", json=rule("daypart")), 201)
    before = stored(daemon)
    detail = assert_refused(api.post(f"{P}/rules", json=body), 422, "invalid_rule")
    assert words.lower() in detail["fields"][field]["message"].lower(), detail
    assert CJK.search(detail["fields"][field]["message_zh"])
    assert stored(daemon) == before
    assert len(daemon.changes) == 2  # the day type and the first rule only


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [c[1:] for c in INVALID_DAY_TYPES],
    ids=[c[0] for c in INVALID_DAY_TYPES],
)
def test_an_invalid_day_type_is_refused_per_field(api, daemon, body, field, words):
    before = stored(daemon)
    detail = assert_refused(api.post(f"{P}/day-types", json=body), 422, "invalid_day_type")
    assert words.lower() in detail["fields"][field]["message"].lower()
    assert stored(daemon) == before


def test_an_update_that_breaks_a_rule_is_refused_and_changes_nothing(api, daemon):
    created = ok(api.post(f"{P}/rules", json=rule("recurring")), 201)
    before = stored(daemon)
    url = f"{P}/rules/{created['id']}"
    detail = assert_refused(api.patch(url, json={"window_end": "08:00"}), 422, "invalid_rule")
    assert set(detail["fields"]) == {"window_end"}
    detail = assert_refused(api.patch(url, json={"kind": "fixed"}), 422, "invalid_rule")
    assert set(detail["fields"]) == {"at", "content"}
    assert stored(daemon) == before


def test_a_body_that_is_not_json_is_refused(api, daemon):
    reply = api.post(
        f"{P}/rules", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert "body" in assert_refused(reply, 422, "invalid_rule")["fields"]


@pytest.mark.parametrize(("ref", "words"), [c[1:] for c in BAD_REFS], ids=[c[0] for c in BAD_REFS])
def test_content_outside_the_data_folder_or_missing_is_refused(api, daemon, ref, words):
    before = stored(daemon)
    for body, field in ((rule(content=speech(ref=ref)), "content.ref"),
                        (rule("recurring", spots=[speech(), speech(ref)]), "spots.1.ref")):  # fmt: skip
        detail = assert_refused(api.post(f"{P}/rules", json=body), 422, "invalid_rule")
        assert words in detail["fields"][field]["message"]
    assert stored(daemon) == before


def test_an_absolute_path_inside_the_data_folder_gets_the_relative_one(api, daemon):
    body = rule(content=speech(ref=str(daemon.settings.data_dir.resolve() / WELCOME)))
    detail = assert_refused(api.post(f"{P}/rules", json=body), 422, "invalid_rule")
    assert detail["fields"]["content.ref"]["message"].endswith(WELCOME)


def test_unknown_playlist_and_day_type_are_refused(api, daemon):
    detail = assert_refused(api.post(f"{P}/rules", json=rule("daypart", playlist="jazz")), 422,
                            "invalid_rule")  # fmt: skip
    assert "jazz" in detail["fields"]["playlist"]["message"]
    detail = assert_refused(api.post(f"{P}/rules", json=rule(day_types=["holiday"])), 422,
                            "invalid_rule")  # fmt: skip
    assert "holiday" in detail["fields"]["day_types"]["message"]
    assert stored(daemon) == [[], [], [], []]
    assert daemon.changes == []


@pytest.mark.parametrize(
    "url", [f"{P}/day-types/999", f"{P}/calendar/999", f"{P}/rules/999", f"{P}/weekdays/3"]
)
def test_unknown_ids_are_404_in_both_languages(api, url):
    assert_refused(api.get(url), 404, "not_found")
    assert_refused(api.delete(url), 404, "not_found")
    if "weekdays" not in url:
        assert_refused(api.patch(url, json={}), 404, "not_found")


@pytest.mark.parametrize("user", ["rule", "calendar", "weekday"])
def test_deleting_a_day_type_in_use_is_409_and_changes_nothing(api, daemon, user):
    holiday = add_day_type(api, "holiday")
    if user == "rule":
        ok(api.post(f"{P}/rules", json=rule(day_types=["holiday"])), 201)
    elif user == "calendar":
        ok(api.post(f"{P}/calendar", json={"date": "2026-10-01", "day_type": "holiday"}), 201)
    else:
        ok(api.put(f"{P}/weekdays/6", json={"day_type": "holiday"}))
    before = stored(daemon)
    assert_refused(api.delete(f"{P}/day-types/{holiday['id']}"), 409, "day_type_in_use")
    assert stored(daemon) == before


def test_a_taken_name_or_date_is_409(api, daemon):
    add_day_type(api)
    ok(api.post(f"{P}/calendar", json={"date": "2026-10-01", "day_type": "weekday"}), 201)
    before = stored(daemon)
    detail = assert_refused(api.post(f"{P}/day-types", json={"name": " weekday ",
                            "opening": "09:00", "closing": "21:00"}), 409, "name_taken")  # fmt: skip
    assert "name" in detail["fields"]
    assert_refused(api.post(f"{P}/calendar", json={"date": "2026-10-01", "day_type": "weekday"}),
                   409, "date_taken")  # fmt: skip
    assert stored(daemon) == before


# --- the plan of a day -------------------------------------------------------------------------


def test_the_plan_shows_the_days_cues_in_utc_and_local_time(api):
    add_day_type(api)
    ok(api.put(f"{P}/weekdays/0", json={"day_type": "weekday"}))
    ok(api.post(f"{P}/rules", json=rule(at="09:30")), 201)
    ok(api.post(f"{P}/rules", json=rule("daypart")), 201)
    plan = ok(api.get(f"{P}/plan", params={"date": "2026-11-23"}))  # a Monday
    assert (plan["date"], plan["day_type"], plan["timezone"]) == (
        "2026-11-23", "weekday", "Asia/Shanghai",
    )  # fmt: skip
    [cue] = plan["cues"]
    assert cue["rule"] == "Floor guide" and cue["ref"] == WELCOME
    assert cue["planned_at"] == {"utc": "2026-11-23T01:30:00+00:00",
                                 "local": "2026-11-23T09:30:00+08:00"}  # fmt: skip
    [daypart] = plan["dayparts"]
    assert daypart["playlist"] == "pop" and daypart["start"]["local"].endswith("12:30:00+08:00")


def test_the_plan_of_the_default_programme(api, daemon):
    assert daemon.engine is not None
    with Session(daemon.engine) as db:
        crud.replace_programme(db, default_programme())
    plan = ok(api.get(f"{P}/plan", params={"date": "2026-11-28"}))  # a Saturday
    assert plan["day_type"] == "weekend" and len(plan["cues"]) > 20
    assert plan["opening"]["local"] == "2026-11-28T08:00:00+08:00"
    assert {c["rule"] for c in plan["cues"]} >= {"开市迎宾词 Opening welcome"}


def test_a_day_with_no_day_type_has_no_cues_and_says_why(api):
    plan = ok(api.get(f"{P}/plan", params={"date": "2026-11-23"}))
    assert plan["day_type"] is None and plan["cues"] == [] and plan["warnings"]


@pytest.mark.parametrize("params", [{}, {"date": "2026-13-01"}, {"date": "tomorrow"}])
def test_the_plan_needs_a_real_date(api, params):
    detail = assert_refused(api.get(f"{P}/plan", params=params), 422, "invalid_plan_request")
    assert "date" in detail["fields"]


def test_routes_are_listed_in_the_openapi_schema(api):
    paths = ok(api.get("/openapi.json"))["paths"]
    assert {f"{P}/rules", f"{P}/rules/{{rule_id}}", f"{P}/plan"} <= set(paths)
    assert "RuleCreate" in str(paths[f"{P}/rules"]["post"])


def test_a_data_dir_name_is_not_taken_from_the_request(api, daemon, tmp_path: Path):
    # The folders are the daemon's settings: a request cannot point the checks elsewhere.
    body = {**rule(), "data_dir": str(tmp_path)}
    detail = assert_refused(api.post(f"{P}/rules", json=body), 422, "invalid_rule")
    assert "data_dir" in detail["fields"]
