"""An emergency ended in chosen zones only (issue 16): ``DELETE /api/v1/emergency?zone=2F``
ends it in 2F and leaves it on in the others, each zone's play-log row closed as it ended
there; names that match nothing are refused in both languages and nothing ends. The daemon
runs in-process on fake outputs (one per zone) and a virtual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client
from tests.kit.media import make_tone

ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "Ground floor", "sink": "zone_1f",
     "groups": ["floors"]},
    {"id": "2F", "name_zh": "二楼", "name_en": "First floor", "sink": "zone_2f",
     "groups": ["floors"]},
    {"id": "B1", "name_zh": "地下停车场", "name_en": "Car park", "sink": "zone_b1"},
]  # fmt: skip
GROUPS = [{"id": "floors", "name_zh": "商场楼层", "name_en": "Shop floors"}]
PLANS = [{"id": "fire_b1", "name_zh": "停车场火警", "name_en": "Fire in the car park",
          "zones": ["B1"]}]  # fmt: skip
EMERGENCY = "/api/v1/emergency"


@pytest.fixture
def zoned(tmp_path) -> Iterator[Daemon]:
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 30, 220)
    d = start_daemon(data, zones=ZONES, zone_groups=GROUPS, emergency_plans=PLANS)
    yield d
    d.stop()


@pytest.fixture
def client(zoned: Daemon) -> Iterator[TestClient]:
    with api_client(zoned) as c:
        yield c


def zones(daemon: Daemon) -> dict:
    daemon.core.call(lambda: None).result(5)  # the core has handled what was posted
    return daemon.core.snapshot()["zones"]


def emergency_rows(daemon: Daemon) -> dict[str, dict]:
    assert daemon.playlog.writer.flush()
    rows = daemon.playlog.query(kinds=["emergency"], limit=100)
    return {r.zones: {"outcome": r.outcome, "detail": r.detail} for r in rows}


def test_an_emergency_ended_in_2f_holds_on_in_the_other_zones(zoned, client):
    started = client.post(EMERGENCY, json={"title": "火警"})
    assert started.status_code == 202, started.text
    assert all(z["emergency"] for z in zones(zoned).values())
    reply = client.delete(EMERGENCY, params={"zone": "2F"})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"cleared": True, "zones": ["2F"]}
    now = zones(zoned)
    assert now["2F"]["emergency"] is None and now["2F"]["bed"]["mode"] == "playing"
    assert now["1F"]["emergency"]["title"] == now["B1"]["emergency"]["title"] == "火警"
    rows = emergency_rows(zoned)
    assert rows["2F"]["outcome"] == "completed" and "cleared by" in rows["2F"]["detail"]
    assert rows["1F"]["outcome"] is None and rows["B1"]["outcome"] is None  # on air there
    # A plan's or a group's name works as for starting one; then nothing is left in B1.
    assert client.delete(EMERGENCY, params={"zone": "fire_b1"}).json()["zones"] == ["B1"]
    again = client.delete(EMERGENCY, params={"zone": ["B1", "2F"]})
    assert again.status_code == 409 and again.json()["detail"]["code"] == "no_emergency"
    assert "B1" in again.json()["detail"]["message"] and again.json()["detail"]["message_zh"]
    assert zones(zoned)["1F"]["emergency"] is not None
    assert client.delete(EMERGENCY).json() == {"cleared": True, "zones": None}  # the rest
    assert all(z["emergency"] is None for z in zones(zoned).values())
    assert {z: r["outcome"] for z, r in emergency_rows(zoned).items()} == {
        "1F": "completed", "2F": "completed", "B1": "completed"}  # fmt: skip


@pytest.mark.parametrize("names", [["9F"], ["2F", "roof"], ["2F\u202e"]])
def test_ending_it_in_zones_that_do_not_exist_is_refused_and_nothing_ends(zoned, client, names):
    assert client.post(EMERGENCY, json={"title": "火警"}).status_code == 202
    reply = client.delete(EMERGENCY, params={"zone": names})
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == "unknown_zones" and detail["message"] and detail["message_zh"]
    assert all(z["emergency"] for z in zones(zoned).values())  # nothing ended
    assert all(r["outcome"] is None for r in emergency_rows(zoned).values())


def test_a_store_of_one_zone_ends_its_emergency_as_before(client_one_zone):
    client, daemon = client_one_zone
    assert client.post(EMERGENCY, json={"title": "火警"}).status_code == 202
    assert client.delete(EMERGENCY, params={"zone": "1F"}).status_code == 422  # no such zone
    assert client.delete(EMERGENCY).json() == {"cleared": True, "zones": None}
    assert client.delete(EMERGENCY).status_code == 409
    (row,) = daemon.playlog.query(kinds=["emergency"], limit=10)
    assert (row.zones, row.outcome) == (None, "completed")


@pytest.fixture
def client_one_zone(daemon: Daemon) -> Iterator[tuple[TestClient, Daemon]]:
    with api_client(daemon) as c:
        yield c, daemon
