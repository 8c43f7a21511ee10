"""An emergency ended in chosen zones only (issue 16): ``DELETE /api/v1/emergency?zone=2F``
ends it in 2F and leaves it on in the others, each zone's play-log row closed as it ended
there; names that match nothing are refused in both languages and nothing ends. And a page
kept for a zone the settings no longer have plays in the zones that remain. The daemon runs
in-process on fake outputs (one per zone) and a virtual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.daemon import Daemon
from broadcaster.db import make_engine
from broadcaster.paging.models import Page
from broadcaster.simulation import VirtualDriver
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


def test_a_page_kept_for_a_zone_since_removed_plays_in_the_zones_that_remain(tmp_path):
    """The settings lost B1 between two runs (its player was taken out): the service desk's
    page kept for 1F and B1 carries on in 1F, its row (and the log's API) saying B1 was left
    out; a page kept for B1 alone is logged skipped and plays nowhere."""
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 30, 220)
    notice = make_tone(data / "pages" / "lost.wav", 2, 660)
    engine = make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:  # what the last run left: two active pages
        for title, kept in (("寻人 1F", "1F,B1"), ("寻车 B1", "B1")):
            session.add(Page(title=title, media_path=str(notice), duration_ms=2000,
                             chime=False, every_s=600, times=3, zones=kept,
                             created_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
                             created_by="Li Na"))  # fmt: skip
        session.commit()
    engine.dispose()
    daemon = start_daemon(data, zones=ZONES[:2], zone_groups=GROUPS)  # 1F and 2F: B1 is gone
    try:
        assert isinstance(daemon.clock, FakeClock) and isinstance(daemon.output, FakeOutput)
        driver = VirtualDriver(daemon.clock, daemon.output, daemon.core)
        daemon.core.call(driver.run_for, 1.0).result(30)  # the duck fade: the page starts
        assert zones(daemon)["1F"]["voice"]["title"] == "寻人 1F"
        assert zones(daemon)["2F"]["voice"] is None
        assert daemon.playlog.writer.flush()
        with api_client(daemon) as client:
            rows = client.get("/api/v1/log", params={"kind": "page"}).json()
        by_title = {r["title"]: r for r in rows}
        assert by_title["寻人 1F"]["zones"] == "1F" and by_title["寻人 1F"]["outcome"] is None
        assert "left out: B1" in by_title["寻人 1F"]["detail"]  # on air in 1F, saying so
        assert by_title["寻车 B1"]["outcome"] == "skipped" and by_title["寻车 B1"]["zones"] == "B1"
        assert "left out: B1" in by_title["寻车 B1"]["detail"]
    finally:
        daemon.stop()
