"""The zones over HTTP: what a console offers to choose from (GET /api/v1/zones, for anyone
signed in), and the zone filter of the log and the proof of play, refused in both languages
when it names nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.media import make_tone

ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "Ground floor", "sink": "zone_1f",
     "groups": ["floors"]},
    {"id": "2F", "name_zh": "二楼", "name_en": "First floor", "sink": "zone_2f",
     "groups": ["floors"]},
    {"id": "B1", "name_zh": "地下停车场", "name_en": "Car park", "output": "snapcast",
     "stream": "b1", "groups": ["parking"]},
]  # fmt: skip
GROUPS = [{"id": "floors", "name_zh": "商场楼层", "name_en": "Shop floors"},
          {"id": "parking", "name_zh": "停车场", "name_en": "Car park"}]  # fmt: skip
PLANS = [{"id": "fire_1f", "name_zh": "一楼火警", "name_en": "Fire on 1F", "zones": ["1F"],
          "groups": ["parking"]}]  # fmt: skip


@pytest.fixture
def zoned(tmp_path) -> Iterator[Daemon]:
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 30, 220)
    d = start_daemon(data, zones=ZONES, zone_groups=GROUPS, emergency_plans=PLANS)
    yield d
    d.stop()


@pytest.fixture
def zoned_client(zoned: Daemon) -> Iterator[TestClient]:
    with api_client(zoned) as c:
        yield c


def test_a_store_with_nothing_configured_shows_its_one_zone(client):
    body = client.get("/api/v1/zones").json()
    assert body["zones"] == [{"id": "all", "name_zh": "全场", "name_en": "Whole store",
                              "output": "local", "sink": None, "stream": None, "groups": []}]  # fmt: skip
    assert body["groups"] == []
    assert body["emergency_plans"] == [{"id": "all", "name_zh": "全楼",
                                        "name_en": "Whole building", "zones": ["all"]}]  # fmt: skip


def test_the_zones_their_groups_and_the_emergency_plans_in_both_languages(zoned_client):
    body = zoned_client.get("/api/v1/zones").json()
    assert [(z["id"], z["name_zh"], z["name_en"], z["output"], z["sink"], z["stream"],
             z["groups"]) for z in body["zones"]] == [
        ("1F", "一楼", "Ground floor", "local", "zone_1f", None, ["floors"]),
        ("2F", "二楼", "First floor", "local", "zone_2f", None, ["floors"]),
        ("B1", "地下停车场", "Car park", "snapcast", None, "b1", ["parking"]),
    ]  # fmt: skip
    assert [(g["id"], g["zones"]) for g in body["groups"]] == [
        ("floors", ["1F", "2F"]), ("parking", ["B1"])]  # fmt: skip
    assert [(p["id"], p["name_zh"], p["zones"]) for p in body["emergency_plans"]] == [
        ("all", "全楼", ["1F", "2F", "B1"]), ("fire_1f", "一楼火警", ["1F", "B1"])]  # fmt: skip


def test_every_role_may_read_the_zones_and_nobody_unsigned(zoned, zoned_client):
    for role in (r for r in Role if r is not Role.SYSTEM):  # every person
        assert zoned_client.get("/api/v1/zones", headers=as_role(role)).status_code == 200
    with TestClient(zoned_client.app) as anonymous:
        assert anonymous.get("/api/v1/zones").status_code == 401


def test_the_zones_are_in_the_openapi_schema_with_their_model(zoned_client):
    schema = zoned_client.get("/openapi.json").json()
    route = schema["paths"]["/api/v1/zones"]["get"]
    assert route["tags"] == ["zones"] and "分区" in route["description"]
    assert route["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ZonesPublic"}  # fmt: skip


def spot(daemon: Daemon, key: str, zones: list[str] | None, outcome: str, minute: int) -> None:
    at = datetime(2026, 11, 23, 2, tzinfo=UTC) + timedelta(minutes=minute)
    daemon.playlog.record(layer="voice", kind="announcement", title="促销", cue_key=key,
                          requested_by="programme: promotions", requested_at=at, planned_at=at,
                          started_at=at, ended_at=at + timedelta(seconds=12), outcome=outcome,
                          zones=zones)  # fmt: skip


def test_the_proof_of_play_and_the_log_filter_by_zone_or_group(zoned, zoned_client):
    spot(zoned, "p:1", ["1F"], "completed", 0)
    spot(zoned, "p:2", ["2F"], "preempted", 1)
    spot(zoned, "p:3", ["B1"], "completed", 2)
    day = {"day": "2026-11-23"}
    proof = "/api/v1/log/proof-of-play"
    one = zoned_client.get(proof, params={**day, "zone": "2F"}).json()
    assert (one[0]["planned"], one[0]["played"], one[0]["cut_short"]) == (1, 0, 1)
    floors = zoned_client.get(proof, params={**day, "zone": "floors"}).json()
    assert (floors[0]["planned"], floors[0]["played"], floors[0]["cut_short"]) == (2, 1, 1)
    airings = zoned_client.get(f"{proof}/airings", params={**day, "zone": ["B1", "1F"]}).json()
    assert [(a["cue_key"], a["zones"]) for a in airings] == [("p:1", "1F"), ("p:3", "B1")]
    csv = zoned_client.get(f"{proof}/airings", params={**day, "format": "csv"}).text
    assert csv.splitlines()[0].endswith(",分区") and csv.splitlines()[1].endswith(",1F")
    log = zoned_client.get("/api/v1/log", params={"zone": "parking", "kind": "announcement"})
    assert [r["cue_key"] for r in log.json()] == ["p:3"] and log.headers["X-Total-Count"] == "1"


@pytest.mark.parametrize("path", ["/api/v1/log", "/api/v1/log/proof-of-play",
                                  "/api/v1/log/proof-of-play/airings"])  # fmt: skip
def test_a_zone_filter_that_names_nothing_is_refused_in_both_languages(zoned_client, path):
    reply = zoned_client.get(path, params={"zone": ["3F", "1F", "roof"]})
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert detail["code"] == "unknown_zones" and detail["unknown"] == ["3F", "roof"]
    assert '"3F"' in detail["message"] and '"roof"' in detail["message_zh"]


def settled(daemon: Daemon) -> dict:
    daemon.core.call(lambda: None).result(5)  # the core has handled what was posted
    return daemon.core.snapshot()["zones"]


def test_an_announcement_for_1f_is_on_air_in_1f_only(zoned, zoned_client):
    make_tone(zoned.settings.data_dir / "announcements" / "promo.wav", 2, 440)
    reply = zoned_client.post("/api/v1/announcements", json={
        "file": "announcements/promo.wav", "title": "1F 促销", "zones": ["1F"]})  # fmt: skip
    assert reply.status_code == 202, reply.text
    zones = settled(zoned)
    assert zones["1F"]["voice"]["title"] == "1F 促销"
    assert zones["2F"]["voice"] is None and zones["B1"]["voice"] is None
    assert [z["bed"]["mode"] for z in zones.values()] == ["ducked", "playing", "playing"]


def test_an_emergency_plan_reaches_its_zones_and_leaves_the_others_alone(zoned, zoned_client):
    reply = zoned_client.post("/api/v1/emergency", json={"title": "一楼火警",
                                                         "zones": ["fire_1f"]})  # fmt: skip
    assert reply.status_code == 202, reply.text
    zones = settled(zoned)
    assert zones["1F"]["emergency"]["title"] == "一楼火警"
    assert zones["B1"]["emergency"]["title"] == "一楼火警"
    assert zones["2F"]["emergency"] is None and zones["2F"]["bed"]["mode"] == "playing"
    assert zones["1F"]["bed"]["mode"] == "stopped"


@pytest.mark.parametrize("zones", [["9F"], ["fire_1f"], ["1F", "nowhere"], ["1F\u202e"]])
def test_a_call_for_zones_that_do_not_exist_is_refused_and_nothing_is_queued(
    zoned, zoned_client, zones
):
    make_tone(zoned.settings.data_dir / "announcements" / "promo.wav", 2, 440)
    reply = zoned_client.post("/api/v1/announcements", json={
        "file": "announcements/promo.wav", "zones": zones})  # fmt: skip
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail["message"] and detail["message_zh"]
    assert "zones" in reply.text  # the field named
    status = settled(zoned)
    assert all(z["voice"] is None for z in status.values())
    assert zoned.core.snapshot()["queue"] == []
