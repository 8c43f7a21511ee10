"""The play log's API as people and programs use it: newest rows first with a total and paging,
a CSV that Excel on a Chinese PC opens (BOM, the store's local time, Chinese headers, codes in
their own columns), and the advertisers' proof of play per campaign over a range of days."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.daemon import Daemon
from broadcaster.exports import KIND_NAMES
from broadcaster.playlog import LogKind

LOG = "/api/v1/log"
PROOF = "/api/v1/log/proof-of-play"


def spot(daemon: Daemon, key: str, outcome: str | None, at: datetime, *, rule: str = "promotions",
         title: str = "双十一促销") -> None:  # fmt: skip
    daemon.playlog.record(layer="voice", kind="announcement", title=title, cue_key=key,
                          requested_by=f"programme: {rule}", requested_at=at, planned_at=at,
                          started_at=at if outcome != "missed" else None,
                          ended_at=at + timedelta(seconds=12) if outcome else None,
                          outcome=outcome)  # fmt: skip


@pytest.fixture
def rows(daemon: Daemon) -> list[str]:
    """Five spots an hour apart from 08:00 store time (00:00 UTC) on 2026-11-23."""
    titles = [f"spot {n}" for n in range(5)]
    for n, title in enumerate(titles):
        spot(daemon, f"r:{n}", "completed", datetime(2026, 11, 23, n, tzinfo=UTC), title=title)
    return titles


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def day_range(**params: Any) -> dict[str, Any]:
    return {"since": "2026-11-23T00:00:00+08:00", "until": "2026-11-24T00:00:00+08:00",
            "kind": "announcement", **params}  # fmt: skip


def test_the_log_gives_the_newest_rows_first_with_a_total_and_pages(client, rows):
    reply = client.get(LOG, params=day_range(limit=2))
    assert reply.status_code == 200, reply.text
    assert [r["title"] for r in reply.json()] == ["spot 4", "spot 3"]
    assert reply.headers["X-Total-Count"] == "5" and reply.headers["X-Order"] == "newest-first"
    more = client.get(LOG, params=day_range(limit=2, offset=2)).json()
    assert [r["title"] for r in more] == ["spot 2", "spot 1"]
    oldest = client.get(LOG, params=day_range(limit=2, order="asc"))
    assert [r["title"] for r in oldest.json()] == ["spot 0", "spot 1"]
    assert oldest.headers["X-Order"] == "oldest-first" and oldest.headers["X-Total-Count"] == "5"
    assert client.get(LOG, params=day_range(offset=5)).json() == []
    for bad in ({"order": "sideways"}, {"offset": -1}):
        assert client.get(LOG, params=day_range(**bad)).status_code == 422


def test_the_csv_opens_in_a_chinese_spreadsheet(client, rows):
    reply = client.get(LOG, params=day_range(format="csv", order="asc"))
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.content.startswith(b"\xef\xbb\xbf")  # UTF-8's BOM: Excel reads it as UTF-8
    header, *lines = read_csv(reply.text)
    assert header[:6] == ["编号", "请求时间（Asia/Shanghai）", "计划时间（Asia/Shanghai）",
                          "开始时间（Asia/Shanghai）", "结束时间（Asia/Shanghai）", "类型"]  # fmt: skip
    first = dict(zip(header, lines[0], strict=True))
    assert first["开始时间（Asia/Shanghai）"] == "2026-11-23 08:00:00"  # 00:00 UTC, store time
    assert first["结束时间（Asia/Shanghai）"] == "2026-11-23 08:00:12"
    assert first["类型"] == "播音" and first["类型代码"] == "announcement"
    assert first["结果"] == "完整播出" and first["结果代码"] == "completed"
    assert first["标题"] == "spot 0" and reply.headers["X-Total-Count"] == "5"


def test_the_csv_speaks_english_when_asked_and_keeps_its_codes(client, rows):
    text = client.get(LOG, params=day_range(format="csv", lang="en")).text
    header, *lines = read_csv(text)
    assert header[:2] == ["ID", "Requested (Asia/Shanghai)"]
    first = dict(zip(header, lines[0], strict=True))
    assert first["Kind"] == "announcement" and first["Outcome code"] == "completed"
    assert first["Started (Asia/Shanghai)"] == "2026-11-23 12:00:00"  # newest: spot 4


def test_the_proof_of_play_covers_a_campaign_over_a_range_of_days(client, daemon):
    day = datetime(2026, 11, 23, 2, tzinfo=UTC)  # 10:00 store time
    spot(daemon, "p:1", "completed", day)
    spot(daemon, "p:2", "preempted", day + timedelta(days=1))
    spot(daemon, "p:3", "missed", day + timedelta(days=2))
    spot(daemon, "p:4", "completed", day + timedelta(days=3))  # after the range
    spot(daemon, "w:1", "completed", day, rule="welcome", title="欢迎光临")
    reply = client.get(PROOF, params={"from": "2026-11-23", "to": "2026-11-25",
                                      "rule": "promotions"})  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert reply.json() == [{"rule": "promotions", "title": "双十一促销", "planned": 3,
                             "played": 1, "late": 0, "cut_short": 1, "missed": 1, "on_air": 0,
                             "late_s": []}]  # fmt: skip
    both = client.get(PROOF, params={"from": "2026-11-23", "to": "2026-11-23"}).json()
    assert {p["rule"] for p in both} == {"promotions", "welcome"}
    airings = client.get(f"{PROOF}/airings", params={"from": "2026-11-23", "to": "2026-11-25",
                                                     "rule": "promotions"}).json()  # fmt: skip
    assert [(a["cue_key"], a["outcome"]) for a in airings] == [
        ("p:1", "completed"), ("p:2", "preempted"), ("p:3", "missed")]  # fmt: skip
    exported = client.get(f"{PROOF}/airings", params={"from": "2026-11-23", "to": "2026-11-25",
                                                      "rule": "promotions", "format": "csv"})  # fmt: skip
    assert exported.text.startswith("\ufeff规则（活动）,内容,计划时间")
    _, *lines = read_csv(exported.text)
    assert lines[0][:6] == ["promotions", "双十一促销", "2026-11-23 10:00:00",
                            "2026-11-23 10:00:00", "2026-11-23 10:00:12", "12.0"]  # fmt: skip
    assert lines[2][6:8] == ["未播出", "missed"]


@pytest.mark.parametrize("params", [
    {"from": "2026-11-25", "to": "2026-11-23"},
    {"from": "2025-01-01", "to": "2026-11-23"},
    {"day": "2026-11-23", "from": "2026-11-23"},
])  # fmt: skip
def test_a_report_range_that_makes_no_sense_is_refused_in_both_languages(client, params):
    reply = client.get(PROOF, params=params)
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert detail["code"] == "invalid_range" and detail["message"] and detail["message_zh"]


def test_the_log_filters_on_every_kind_it_writes_faults_too(client, daemon):
    """A sound-card outage is a ``fault`` row (what the handover lists): the log answers a
    ``kind=fault`` filter with it, as it does every other kind its rows carry."""
    assert isinstance(daemon.output, FakeOutput)
    daemon.output.set_fault("the sound card is gone")  # the output notices: a fault row opens
    assert daemon.core.call(lambda: None).result(5) is None and daemon.playlog.writer.flush()
    daemon.output.set_fault(None)  # and closes when the sound is back
    assert daemon.core.call(lambda: None).result(5) is None and daemon.playlog.writer.flush()
    reply = client.get(LOG, params={"kind": "fault"})
    assert reply.status_code == 200, reply.text
    assert [(r["kind"], r["outcome"], r["detail"]) for r in reply.json()] == [
        ("fault", "recovered", "the sound card is gone; sound back")]  # fmt: skip
    at = datetime(2026, 11, 23, 2, tzinfo=UTC)
    for kind in LogKind:
        daemon.playlog.record(layer="voice", kind=kind.value, title=f"a {kind.value} row",
                              requested_by="test", requested_at=at, outcome="completed")  # fmt: skip
    for kind in LogKind:
        reply = client.get(LOG, params={"kind": kind.value, "since": at.isoformat()})
        assert reply.status_code == 200, reply.text
        rows = reply.json()
        assert f"a {kind.value} row" in [r["title"] for r in rows]
        assert {r["kind"] for r in rows} == {kind.value}
    assert set(KIND_NAMES["zh"]) == {k.value for k in LogKind}  # each has its words
    refused = client.get(LOG, params={"kind": "weather"})
    assert refused.status_code == 422
