"""The supervisor's programme page in a store of zones, in headless Chromium (issue 16): a rule
made in the editor with a zone ticked is saved for that zone, shown by the zone's name in the
rules list and on that zone's own music row (not the other's); editing it shows its zone
ticked; a rule of a group says the group's name on its lane."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

pytestmark = [
    *BROWSER_TESTS,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]
PROGRAMME = "/api/v1/programme"
ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "Ground floor", "sink": "zone_1f",
     "groups": ["floors"]},
    {"id": "2F", "name_zh": "二楼", "name_en": "First floor", "sink": "zone_2f",
     "groups": ["floors"]},
]  # fmt: skip
GROUPS = [{"id": "floors", "name_zh": "商场楼层", "name_en": "Shop floors"}]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("programme-zones") / "data"
    for hz, playlist in enumerate(("lounge", "kids")):
        make_tone(data / "music" / playlist / "track.wav", 30, 400 + 50 * hz)
    make_tone(data / "announcements" / "parking.wav", 3, 300)
    with PulseServer() as pulse:
        for zone in ZONES:
            pulse.add_sink(zone["sink"])
        with DaemonProcess(data, env=pulse.env, audio__output="pulse", zones=json.dumps(ZONES),
                           zone_groups=json.dumps(GROUPS)) as running:  # fmt: skip
            running.send("POST", f"{PROGRAMME}/day-types",
                         {"name": "weekday", "opening": "08:00", "closing": "22:00"})  # fmt: skip
            for weekday in range(7):
                running.send("PUT", f"{PROGRAMME}/weekdays/{weekday}", {"day_type": "weekday"})
            running.send("POST", f"{PROGRAMME}/rules", {
                "name": "全场音乐", "kind": "daypart", "playlist": "lounge"})  # fmt: skip
            running.send("POST", f"{PROGRAMME}/rules", {
                "name": "楼层提示", "kind": "fixed", "at": "10:00", "zones": ["floors"],
                "content": {"kind": "speech", "ref": "announcements/parking.wav"}})  # fmt: skip
            yield running


def test_a_daypart_made_for_one_zone_plays_on_that_zones_row_only(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/programme")
    rows = page.locator(".tl-row.tl-music")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator(".tl-label")).to_have_text("背景音乐 · 一楼")
    expect(page.locator(".tl-row.lane", has_text="楼层提示").locator(".tl-zones")).to_have_text(
        "商场楼层"
    )

    form = page.locator("#rule-form")
    form.locator("input[name=name]").fill("儿童音乐")
    form.locator("select[name=kind]").select_option("daypart")
    form.locator("input[name=start]").fill("12:00")
    form.locator("input[name=end]").fill("14:00")
    form.locator("select[name=playlist]").select_option("kids")
    form.locator("input[name=priority]").fill("5")
    form.get_by_role("checkbox", name="二楼").check()
    form.get_by_role("button", name="保存").click()

    row = page.locator("#rules tr").filter(has=page.get_by_text("儿童音乐", exact=True))
    expect(row.locator(".zones-cell")).to_have_text("二楼", timeout=10_000)
    (saved,) = [r for r in daemon.send("GET", f"{PROGRAMME}/rules") if r["name"] == "儿童音乐"]
    assert saved["zones"] == ["2F"]
    expect(rows.nth(1).locator(".band", has_text="kids")).to_have_count(1)
    expect(rows.nth(0).locator(".band", has_text="kids")).to_have_count(0)
    expect(rows.nth(0).locator(".band.conflict")).to_have_count(0)  # 1F has no clash
    expect(rows.nth(1).locator(".band", has_text="lounge")).to_have_count(2)  # before and after
    expect(page.locator("#conflicts")).to_contain_text("（分区：二楼）")
    shot(page, "programme-zones-zh-1280x800")

    row.get_by_role("button", name="编辑").click()
    expect(form.get_by_role("checkbox", name="二楼")).to_be_checked()
    expect(form.get_by_role("checkbox", name="一楼")).not_to_be_checked()
    page.goto(daemon.url + "/supervisor/programme?lang=en")
    expect(rows.nth(1).locator(".tl-label")).to_have_text("Music · First floor")
    page.close()
