"""The consoles' zones (issue 16 part 4), as the server renders them: the announcer's grid of
every zone's state (GB 50116 §4.8.11) in the page's language, the zone choosers of the
announcer and the desk (the emergency's with its plans, the whole building first and checked),
the zones a desk notice went to, and nothing of it in a store with one zone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.audio.output_health import SERVER_FAULT
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.api.test_zones_api import GROUPS, PLANS, ZONES
from tests.kit.accounts import NAMES, PASSWORD, api_client
from tests.kit.media import make_tone


@pytest.fixture
def zoned(tmp_path) -> Iterator[Daemon]:
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 30, 220)
    make_tone(data / "announcements" / "promo.wav", 2, 440)
    d = start_daemon(data, zones=ZONES, zone_groups=GROUPS, emergency_plans=PLANS)
    yield d
    d.stop()


@contextmanager
def signed_in(daemon: Daemon, role: Role) -> Iterator[TestClient]:
    """A browser's session (cookie and all) of ``role`` on the console."""
    with TestClient(api_client(daemon).app) as browser:
        browser.post("/login", data={"name": NAMES[role], "password": PASSWORD})
        yield browser


def tiles(html: str) -> dict[str, tuple[str, str]]:
    """Each zone tile's state and its text (tags stripped, spaces squeezed), by zone id."""
    found = re.findall(r'data-zone="([^"]+)" data-state="([^"]+)">(.*?)\n  </div>', html, re.S)
    return {zone: (state, " ".join(re.sub(r"<[^>]+>", " ", body).split()))
            for zone, state, body in found}  # fmt: skip


def settle(daemon: Daemon) -> None:
    daemon.core.call(lambda: None).result(5)


def test_a_one_zone_store_shows_no_grid_and_no_chooser(daemon):
    with signed_in(daemon, Role.ANNOUNCER) as browser:
        pages = [browser.get("/announcer").text, browser.get("/announcer/now").text]
    with signed_in(daemon, Role.SERVICE_DESK) as desk:
        pages.append(desk.get("/desk").text)
    for html in pages:
        assert "zone-grid" not in html and "zone-chooser" not in html and "zone-tile" not in html
    assert "紧急广播" in pages[1] and "语音 ·" not in pages[1]  # the page itself is whole


def test_the_grid_shows_every_zone_and_what_plays_there_in_the_pages_language(zoned):
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        zh = tiles(browser.get("/announcer/now").text)
        en = tiles(browser.get("/announcer/now?lang=en").text)
    assert list(zh) == ["1F", "2F", "B1"]
    assert [text.split(" ♪")[0] for _, text in zh.values()] == ["一楼", "二楼", "地下停车场"]
    assert [text.split(" ♪")[0] for _, text in en.values()] == [
        "Ground floor", "First floor", "Car park"]  # fmt: skip
    assert all(state == "playing" and "♪ a" in text for state, text in zh.values())
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        assert "语音 · 一楼" in browser.get("/announcer/now").text  # the layers: the first zone's


def test_a_1f_announcement_shows_in_the_1f_tile_only_with_its_music_ducked(zoned):
    with api_client(zoned) as api:
        reply = api.post("/api/v1/announcements", json={
            "file": "announcements/promo.wav", "title": "一楼化妆品促销", "zones": ["1F"]})  # fmt: skip
        assert reply.status_code == 202, reply.text
    settle(zoned)
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        shown = tiles(browser.get("/announcer/now").text)
    assert shown["1F"][0] == "voice" and "▶ 一楼化妆品促销" in shown["1F"][1]
    assert "已压低" in shown["1F"][1]
    for other in ("2F", "B1"):
        assert shown[other][0] == "playing" and "促销" not in shown[other][1]
        assert "已压低" not in shown[other][1]


def test_an_emergency_in_some_zones_shows_the_banner_and_those_tiles(zoned):
    with api_client(zoned) as api:
        reply = api.post("/api/v1/emergency", json={"title": "一楼火警", "zones": ["fire_1f"]})
        assert reply.status_code == 202, reply.text
    settle(zoned)
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        html = browser.get("/announcer/now").text
    shown = tiles(html)
    assert [shown[z][0] for z in ("1F", "2F", "B1")] == ["emergency", "playing", "emergency"]
    assert "⚠ 一楼火警" in shown["1F"][1] and "一楼火警" not in shown["2F"][1]
    # The first zone's emergency is not the only one: the banner (and its clear button) shows.
    assert "紧急广播进行中: 一楼火警" in html and 'id="emergency-clear"' in html
    assert "可只解除部分分区" in html  # it may be cleared in some zones (the chooser above)


def test_a_zones_fault_is_shown_in_its_tile_in_the_pages_language(zoned):
    zoned.core.speakers["2F"].output.set_fault(SERVER_FAULT)  # type: ignore[attr-defined]
    settle(zoned)
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        html = browser.get("/announcer/now").text
        english = tiles(browser.get("/announcer/now?lang=en").text)
    shown = tiles(html)
    assert 'class="zone-tile fault" role="listitem" data-zone="2F"' in html
    assert "故障" in shown["2F"][1] and "声音服务（PulseAudio）没有响应" in shown["2F"][1]
    assert "故障" not in shown["1F"][1]
    assert "does not answer" in english["2F"][1] and "声音" not in english["2F"][1]


def chooser(html: str, chooser_id: str) -> list[tuple[str, bool, str]]:
    """A chooser's boxes: value, checked, label."""
    part = html.split(f'id="{chooser_id}"', 1)[1].split("</fieldset>", 1)[0]
    boxes = re.findall(r'<input type="checkbox" value="([^"]+)"( checked)?> ([^<]+)</label>', part)
    return [(value, bool(checked), label.strip()) for value, checked, label in boxes]


def test_the_announcer_chooses_zones_and_the_emergencys_plans_whole_building_first(zoned):
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        html = browser.get("/announcer").text
        english = browser.get("/announcer?lang=en").text
    assert chooser(html, "emergency-zones") == [
        ("all", True, "全楼"), ("fire_1f", False, "一楼火警"), ("floors", False, "商场楼层"),
        ("parking", False, "停车场"), ("1F", False, "一楼"), ("2F", False, "二楼"),
        ("B1", False, "地下停车场")]  # fmt: skip
    for other in ("queue-zones", "rec-zones"):
        assert [(v, c) for v, c, _ in chooser(html, other)] == [
            ("all", True), ("floors", False), ("parking", False), ("1F", False), ("2F", False),
            ("B1", False)]  # fmt: skip
        assert chooser(html, other)[0][2] == "全部分区"
    assert [label for _, _, label in chooser(english, "emergency-zones")][:2] == [
        "Whole building", "Fire on 1F"]  # fmt: skip
    assert "/static/zones.js" in html


@pytest.mark.audio
def test_the_desk_chooses_zones_per_notice_and_lists_where_each_went(zoned):
    with api_client(zoned, Role.SERVICE_DESK) as api:
        reply = api.post("/api/v1/pages", json={
            "text": "请乐乐的家长到服务台", "zones": ["floors"], "times": 1})  # fmt: skip
        assert reply.status_code == 202, reply.text
    with signed_in(zoned, Role.SERVICE_DESK) as desk:
        html = desk.get("/desk").text
        active = desk.get("/desk/active").text
    assert [v for v, _, _ in chooser(html, "zones-lost_person")] == [
        "all", "floors", "parking", "1F", "2F", "B1"]  # fmt: skip
    assert html.count('class="zone-chooser"') == html.count('class="notice')  # one per form
    assert '<span class="page-zones">一楼、二楼</span>' in active


def test_the_queue_says_where_each_waiting_call_goes_in_the_configurations_order(zoned):
    with api_client(zoned) as api:
        for title, zones in (("一楼促销", ["1F"]), ("停车场提示", ["B1", "1F"]), ("全场", [])):
            reply = api.post("/api/v1/announcements", json={
                "file": "announcements/promo.wav", "title": title, "zones": zones})  # fmt: skip
            assert reply.status_code == 202, reply.text
    settle(zoned)
    queue = zoned.core.snapshot()["queue"]
    assert [(r["title"], r["zones"]) for r in queue] == [
        ("停车场提示", ["1F", "B1"]), ("全场", [])]  # fmt: skip
    with signed_in(zoned, Role.ANNOUNCER) as browser:
        html = browser.get("/announcer/now").text
        english = browser.get("/announcer/now?lang=en").text
    waiting = html.split('class="list queue"')[1]
    assert '<small class="queue-zones">· 一楼、地下停车场</small>' in waiting
    assert waiting.count("queue-zones") == 1  # a call for every zone says nothing more
    assert "· Ground floor, Car park</small>" in english
