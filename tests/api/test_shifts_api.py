"""Shift handover (交接班) over HTTP, on a daemon with a real SQLite database: the outgoing
announcer's shift gathers what aired, was cut short or missed, the desk's pages, emergencies and
faults; they write notes and hand over (the record is then kept as signed, with its digest); the
incoming announcer, and only another person, confirms exactly that record and their own shift
starts; the supervisor reads every shift, an announcer only their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from broadcaster.actors import Actor, Role
from broadcaster.daemon import Daemon
from broadcaster.problems import Conflict
from broadcaster.shifts import crud
from broadcaster.shifts.models import Shift, ShiftCreate
from tests.kit.accounts import NAMES, PASSWORD, as_role

SHIFTS = "/api/v1/shifts"
CJK = re.compile(r"[\u4e00-\u9fff]")
ANNOUNCER = as_role(Role.ANNOUNCER)  # Zhou Min, the outgoing announcer


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message"] and CJK.search(detail["message_zh"]), detail
    return detail


def announcer(client: TestClient, name: str) -> dict[str, str]:
    """Another announcer's account and API key, made through the admin's API."""
    user = ok(client.post("/api/v1/users", json={"name": name, "role": "announcer",
                                                 "password": "一二三四五六七八"}), 201)  # fmt: skip
    key = ok(client.post(f"/api/v1/users/{user['id']}/api-keys", json={"name": "tests"}), 201)
    return {"Authorization": f"Bearer {key['key']}"}


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for item in items]


def test_a_shift_is_handed_over_with_what_aired_and_confirmed_by_the_next_announcer(
    client: TestClient, daemon: Daemon, run_for: Callable[[float], None]
) -> None:
    incoming = announcer(client, "陈静")
    shift = ok(client.post(SHIFTS, json={}, headers=ANNOUNCER), 201)
    assert shift["announcer"] == "Zhou Min" and shift["status"] == "open"
    refused(client.post(SHIFTS, json={}, headers=incoming), 409, "shift_open")

    # On air during the shift: an announcement in full, one cut short by an emergency, a page
    # cancelled by the desk, a programme spot missed (logged as the feeder does), a fault.
    ok(client.post("/api/v1/announcements", json={"file": "announcements/hello.wav",
                                                  "title": "欢迎光临"}, headers=ANNOUNCER), 202)  # fmt: skip
    run_for(5)
    ok(client.post("/api/v1/announcements", json={"file": "announcements/hello.wav",
                                                  "title": "会员日"}, headers=ANNOUNCER), 202)  # fmt: skip
    run_for(1)
    ok(client.post("/api/v1/emergency", json={"file": "announcements/hello.wav",
                                              "title": "消防演练"}, headers=ANNOUNCER), 202)  # fmt: skip
    run_for(3)
    ok(client.delete("/api/v1/emergency", headers=ANNOUNCER))
    page = ok(client.post("/api/v1/pages", json={"file": "announcements/hello.wav",
                                                 "title": "寻找乐乐", "chime": False}), 202)  # fmt: skip
    run_for(10)
    ok(client.post(f"/api/v1/pages/{page['id']}/cancel"))
    now = daemon.clock.now()
    daemon.playlog.record(layer="voice", kind="announcement", title="双十一促销", cue_key="p:1",
                          requested_by="programme: promotions", requested_at=now,
                          planned_at=now, ended_at=now, outcome="missed",
                          detail="the daemon was down")  # fmt: skip
    daemon.playlog.record(layer="output", kind="fault", title="扬声器没有声音",
                          requested_by="audio output", requested_at=now, started_at=now,
                          ended_at=now, outcome="recovered", detail="sound back")  # fmt: skip
    run_for(2)

    live = ok(client.get(f"{SHIFTS}/current", headers=incoming))  # the incoming may look
    assert live["id"] == shift["id"] and live["digest"] is None
    refused(client.patch(f"{SHIFTS}/{shift['id']}", json={"notes": "x"}, headers=incoming), 403,
            "forbidden")  # fmt: skip
    notes = "二号功放有杂音，已报修。\n寻找乐乐：家长已在服务台等候。"
    assert ok(client.patch(f"{SHIFTS}/{shift['id']}", json={"notes": notes},
                           headers=ANNOUNCER))["notes"] == notes  # fmt: skip

    handed = ok(client.post(f"{SHIFTS}/{shift['id']}/handover", json={}, headers=ANNOUNCER))
    record = handed["record"]
    assert handed["status"] == "handed_over" and re.fullmatch("[0-9a-f]{64}", handed["digest"])
    assert handed["notes"] == notes and handed["ended_at"] is not None
    assert "欢迎光临" in titles(record["spoken"]) and "寻找乐乐" in titles(record["spoken"])
    assert titles(record["cut_short"]) == ["会员日"]  # by the emergency, replayed, cut by the page
    assert titles(record["missed"]) == ["双十一促销"]
    assert [(p["title"], p["status"]) for p in record["pages"]] == [("寻找乐乐", "cancelled")]
    assert "消防演练" in titles(record["emergencies"])
    assert titles(record["faults"]) == ["扬声器没有声音"]
    assert record["aired"]["announcement"] == 1 and record["aired"]["page"] == 1

    refused(client.patch(f"{SHIFTS}/{shift['id']}", json={"notes": "later"}, headers=ANNOUNCER),
            409, "shift_handed_over")  # fmt: skip
    refused(client.post(SHIFTS, json={}, headers=incoming), 409, "handover_waiting")
    refused(client.post(f"{SHIFTS}/{shift['id']}/confirm", json={"digest": handed["digest"]},
                        headers=ANNOUNCER), 409, "own_handover")  # fmt: skip
    refused(client.post(f"{SHIFTS}/{shift['id']}/confirm", json={"digest": "0" * 64},
                        headers=incoming), 409, "record_changed")  # fmt: skip

    run_for(30)  # the incoming announcer reads before signing
    taken = ok(client.post(f"{SHIFTS}/{shift['id']}/confirm",
                           json={"digest": handed["digest"], "remarks": "已阅，功放已跟进"},
                           headers=incoming))  # fmt: skip
    confirmed, mine = taken["confirmed"], taken["shift"]
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_by"] == "陈静"
    assert confirmed["confirmed_at"] > confirmed["ended_at"]
    assert confirmed["remarks"] == "已阅，功放已跟进"
    assert mine["announcer"] == "陈静" and mine["status"] == "open"
    assert mine["started_at"] == confirmed["ended_at"] and mine["previous_id"] == shift["id"]

    # What airs next is the new shift's; the signed record stays as it was.
    ok(client.post("/api/v1/announcements", json={"file": "announcements/hello.wav",
                                                  "title": "交班之后"}, headers=incoming), 202)  # fmt: skip
    run_for(5)
    kept = ok(client.get(f"{SHIFTS}/{shift['id']}", headers=ANNOUNCER))
    assert kept["record"] == record and kept["digest"] == handed["digest"]
    assert "交班之后" in titles(ok(client.get(f"{SHIFTS}/{mine['id']}",
                                              headers=incoming))["record"]["spoken"])  # fmt: skip

    # The announcer reads the play log of their shift; the supervisor reads every shift.
    rows = ok(client.get(f"{SHIFTS}/{shift['id']}/log", headers=ANNOUNCER))
    assert "欢迎光临" in titles(rows) and "交班之后" not in titles(rows)
    assert rows == sorted(rows, key=lambda r: r["id"])
    refused(client.get("/api/v1/log", headers=ANNOUNCER), 403, "forbidden")
    csv = client.get(f"{SHIFTS}/{shift['id']}/log", params={"format": "csv"}, headers=ANNOUNCER)
    assert csv.text.startswith("\ufeff编号,请求时间") and "欢迎光临" in csv.text
    listed = ok(client.get(SHIFTS, headers=as_role(Role.SUPERVISOR)))
    assert [s["id"] for s in listed] == [mine["id"], shift["id"]]
    stranger = announcer(client, "孙丽")
    refused(client.get(f"{SHIFTS}/{shift['id']}", headers=stranger), 403, "forbidden")
    assert [s["id"] for s in ok(client.get(SHIFTS, headers=stranger))] == [mine["id"]]
    refused(client.get(SHIFTS, headers=as_role(Role.SERVICE_DESK)), 403, "forbidden")


def test_the_range_of_the_shift_list_is_in_the_stores_time(client, daemon, run_for):
    ok(client.post(SHIFTS, json={}, headers=ANNOUNCER), 201)
    today = daemon.clock.now().isoformat()
    tomorrow = (daemon.clock.now() + timedelta(days=1)).isoformat()
    assert len(ok(client.get(SHIFTS, params={"since": today}))) == 1
    assert ok(client.get(SHIFTS, params={"until": today})) == []  # started exactly then
    assert len(ok(client.get(SHIFTS, params={"until": tomorrow}))) == 1


def test_bad_notes_and_signatures_are_refused_per_field_and_nothing_changes(client):
    shift = ok(client.post(SHIFTS, json={"notes": "早班"}, headers=ANNOUNCER), 201)
    path = f"{SHIFTS}/{shift['id']}"
    for body, field in (({"notes": "a\x00b"}, "notes"), ({"notes": "长" * 4001}, "notes"),
                        ({"notes": "x", "author": "someone"}, "author")):  # fmt: skip
        detail = refused(client.patch(path, json=body, headers=ANNOUNCER), 422, "invalid_shift")
        assert field in detail["fields"], detail
    for digest in ("abc", "G" * 64, None):
        detail = refused(client.post(f"{path}/confirm", json={"digest": digest}), 422,
                         "invalid_shift")  # fmt: skip
        assert "digest" in detail["fields"]
    assert ok(client.get(path))["notes"] == "早班"
    refused(client.get(f"{SHIFTS}/424242"), 404, "not_found")


def test_the_database_keeps_to_one_current_shift_when_two_start_at_once(daemon, monkeypatch):
    """Two people starting a shift at the same moment both pass the check before either has
    written (simulated: the check is skipped); the database's own constraint refuses one."""
    monkeypatch.setattr(crud, "_nothing_unfinished", lambda session: None)
    assert daemon.engine is not None
    now = daemon.clock.now()
    with Session(daemon.engine) as first, Session(daemon.engine) as second:
        crud.start_shift(first, actor=Actor("Zhou Min", Role.ANNOUNCER), data=ShiftCreate(),
                         now=now)  # fmt: skip
        with pytest.raises(Conflict):
            crud.start_shift(second, actor=Actor("陈静", Role.ANNOUNCER), data=ShiftCreate(),
                             now=now)  # fmt: skip
    with Session(daemon.engine) as session:
        assert [s.announcer for s in session.exec(select(Shift)).all()] == ["Zhou Min"]


def test_the_record_page_refuses_in_the_persons_language(client):
    shift = ok(client.post(SHIFTS, json={}, headers=ANNOUNCER), 201)
    ok(client.post(f"{SHIFTS}/{shift['id']}/handover", json={}, headers=ANNOUNCER))
    other = announcer(client, "陈静")
    confirmed = ok(client.post(f"{SHIFTS}/{shift['id']}/confirm",
                               json={"digest": ok(client.get(f"{SHIFTS}/{shift['id']}"))["digest"]},
                               headers=other))  # fmt: skip
    assert confirmed["shift"]["announcer"] == "陈静"
    announcer(client, "孙丽")
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": "孙丽", "password": "一二三四五六七八"})
        page = browser.get(f"/shifts/{shift['id']}")
        assert page.status_code == 403 and "只有客服主管可以查看" in page.text
        assert browser.get("/shifts/424242", params={"lang": "en"}).status_code == 404
        own = browser.get("/announcer/handover")
        assert own.status_code == 200 and "陈静" in own.text  # the shift on duty, read-only
        assert 'id="notes-form"' not in own.text and 'id="confirm-form"' not in own.text


def test_a_supervisor_hands_over_a_shift_its_announcer_left_open_and_the_record_says_so(client):
    shift = ok(client.post(SHIFTS, json={"notes": "早班正常"}, headers=ANNOUNCER), 201)
    incoming = announcer(client, "陈静")
    refused(client.post(f"{SHIFTS}/{shift['id']}/handover", json={}, headers=incoming), 403,
            "forbidden")  # fmt: skip
    supervisor = as_role(Role.SUPERVISOR)
    refused(client.patch(f"{SHIFTS}/{shift['id']}", json={"notes": "x"}, headers=supervisor),
            403, "forbidden")  # the notes stay the announcer's  # fmt: skip
    with TestClient(client.app) as browser:  # the handover page offers it to the supervisor
        browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
        assert 'id="hand-over-for"' in browser.get("/announcer/handover").text
        browser.post("/login", data={"name": "陈静", "password": "一二三四五六七八"})
        page = browser.get("/announcer/handover").text
        assert "陈静 · 播音员" in page and 'id="hand-over-for"' not in page
    handed = ok(client.post(f"{SHIFTS}/{shift['id']}/handover", json={}, headers=supervisor))
    assert handed["announcer"] == "Zhou Min" and handed["handed_over_by"] == "Wang Fang"
    assert handed["notes"] == "早班正常" and handed["status"] == "handed_over"
    taken = ok(client.post(f"{SHIFTS}/{shift['id']}/confirm", json={"digest": handed["digest"]},
                           headers=incoming))  # fmt: skip
    assert taken["shift"]["announcer"] == "陈静"
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": "陈静", "password": "一二三四五六七八"})
        page = browser.get(f"/shifts/{shift['id']}")
        assert page.status_code == 200 and "代为交班 Wang Fang" in page.text
