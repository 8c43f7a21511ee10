"""Programme rules choose zones over HTTP (issue 16): zone and group ids checked against the
configured zones on create and update (a bilingual 422 listing the unknown names, nothing
saved), and the plan of a day saying where each cue plays and where rules clash."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from broadcaster.programme import crud, spec
from broadcaster.programme.models import Rule
from tests.api.conftest import start_daemon
from tests.api.test_zones_api import GROUPS, ZONES
from tests.kit.accounts import NAMES, PASSWORD, api_client
from tests.kit.programme import make_programme_media, rule

P = "/api/v1/programme"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zoned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("zoned-programme") / "data"
    make_programme_media(data, real_audio=False)
    daemon = start_daemon(data, zones=ZONES, zone_groups=GROUPS)
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


@pytest.fixture
def api(zoned: tuple[Daemon, TestClient]) -> TestClient:
    daemon, client = zoned
    assert daemon.engine is not None
    with Session(daemon.engine) as db:
        crud.replace_programme(db, spec.Programme({}, {}, {}, ()))
    client.post(f"{P}/day-types", json={"name": "weekday", "opening": "08:00",
                                        "closing": "22:00"})  # fmt: skip
    for weekday in range(7):
        client.put(f"{P}/weekdays/{weekday}", json={"day_type": "weekday"})
    return client


def rules(daemon: Daemon) -> list[Any]:
    assert daemon.engine is not None
    with Session(daemon.engine) as db:
        return [row.model_dump() for row in db.exec(select(Rule)).all()]


def test_a_rule_names_zones_and_groups_as_written(api):
    made = api.post(f"{P}/rules", json=rule(zones=["1F", "parking"]))
    assert made.status_code == 201, made.text
    assert made.json()["zones"] == ["1F", "parking"]
    assert api.get(f"{P}/rules/{made.json()['id']}").json()["zones"] == ["1F", "parking"]
    everywhere = api.post(f"{P}/rules", json=rule(name="Every zone"))
    assert everywhere.json()["zones"] == []
    every_by_name = api.post(f"{P}/rules", json=rule(name="All", zones=["all"]))
    assert every_by_name.json()["zones"] == []  # "all" alone is every zone


def test_unknown_zones_are_refused_in_both_languages_listing_each_and_nothing_is_saved(api, zoned):
    before = rules(zoned[0])
    reply = api.post(f"{P}/rules", json=rule(zones=["1F", "4F", "roof"]))

    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == "invalid_rule"
    field = detail["fields"]["zones"]
    assert '"4F"' in field["message"] and '"roof"' in field["message"]
    assert '"1F"' not in field["message"]
    assert '"4F"' in field["message_zh"] and CJK.search(field["message_zh"])
    assert rules(zoned[0]) == before


def test_an_update_to_unknown_zones_is_refused_and_the_rule_stays_as_it_was(api, zoned):
    made = api.post(f"{P}/rules", json=rule(zones=["floors"])).json()
    before = rules(zoned[0])

    reply = api.patch(f"{P}/rules/{made['id']}", json={"zones": ["3F"]})

    assert (
        reply.status_code == 422 and '"3F"' in reply.json()["detail"]["fields"]["zones"]["message"]
    )
    assert rules(zoned[0]) == before
    moved = api.patch(f"{P}/rules/{made['id']}", json={"zones": ["2F"]})
    assert moved.status_code == 200 and moved.json()["zones"] == ["2F"]


@pytest.mark.parametrize("zones", [["1F", "1f"], [""], ["1F", " "], ["1F\u200b"]])
def test_empty_repeated_or_hidden_zone_names_are_refused(api, zones):
    reply = api.post(f"{P}/rules", json=rule(zones=zones))
    assert reply.status_code == 422, reply.text
    assert "zones" in reply.json()["detail"]["fields"]


def test_the_plan_says_where_each_cue_plays_and_where_rules_clash(api):
    api.post(f"{P}/rules", json=rule(name="Cosmetics", at="10:30", zones=["1F"]))
    api.post(f"{P}/rules", json=rule(name="Parking", at="10:30", zones=["parking"]))
    api.post(f"{P}/rules", json=rule(name="Guide", at="10:30"))

    plan = api.get(f"{P}/plan", params={"date": "2026-11-23"}).json()

    assert {c["rule"]: c["zones"] for c in plan["cues"]} == {
        "Cosmetics": ["1F"], "Parking": ["parking"], "Guide": []}  # fmt: skip
    clashes = {tuple(r["name"] for r in c["rules"]): c["zones"] for c in plan["conflicts"]}
    assert clashes == {("Cosmetics", "Guide"): ["1F"], ("Parking", "Guide"): ["B1"]}
    (cosmetics,) = [c for c in plan["conflicts"] if c["zones"] == ["1F"]]
    assert cosmetics["message_zh"].endswith("（分区：一楼）")


def test_a_store_of_one_zone_refuses_a_rule_naming_a_floor(client):
    reply = client.post(f"{P}/rules", json=rule(zones=["1F"]))
    assert reply.status_code == 422
    assert "all" in reply.json()["detail"]["fields"]["zones"]["message"]  # what can be chosen


# --- the programme page ----------------------------------------------------------------------


@pytest.fixture
def page(api: TestClient) -> Iterator[TestClient]:
    with TestClient(api.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
        yield browser


def test_the_page_shows_each_rules_zones_by_name_in_the_readers_language(api, page):
    api.post(f"{P}/rules", json=rule(name="化妆品促销", at="10:30", zones=["1F"]))
    api.post(f"{P}/rules", json=rule(name="停车提示", at="11:00", zones=["parking"]))
    api.post(f"{P}/rules", json=rule(name="商场介绍", at="10:30"))
    api.post(f"{P}/rules", json=rule("daypart", name="全场音乐", start="08:00", end="22:00"))
    api.post(f"{P}/rules", json=rule("daypart", name="楼层音乐", start="12:00", end="14:00",
                                     playlist="light", zones=["floors"], priority=5))  # fmt: skip

    html = page.get("/supervisor/programme?date=2026-11-23").text
    english = page.get("/supervisor/programme?date=2026-11-23&lang=en").text

    # The rules list and the lanes: where each plays, named.
    assert 'class="zones-cell">一楼</td>' in html and 'class="zones-cell">停车场</td>' in html
    assert 'class="zones-cell">全部分区</td>' in html
    assert 'class="tl-zones">一楼</small>' in html
    assert 'class="tl-zones">Ground floor</small>' in english
    assert 'class="tl-zones">Car park</small>' in english
    # Each zone's music, its own row: the floors get the floor music over lunch.
    for zone in ("一楼", "二楼", "地下停车场"):
        assert f'title="背景音乐 · {zone}"' in html
    assert 'title="Music · Car park"' in english
    assert html.count('data-content="light · 商场楼层"') == 2  # in 1F's row and 2F's
    # The editor offers the groups and the zones; the conflict says where.
    for value in ("floors", "parking", "1F", "2F", "B1"):
        assert f'name="zone" value="{value}"' in html
    assert "（分区：一楼）" in html and "(Zones: Ground floor.)" in english


def test_a_store_of_one_zone_shows_no_zones_on_the_page(client):
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
        html = browser.get("/supervisor/programme").text
    assert 'id="zone-picks"' not in html and "zones-cell" not in html
