"""The zones on the consoles in headless Chromium (issue 16 part 4), with the real daemon playing
three local zones into null sinks of a private PulseAudio server: the announcer's grid shows
every zone and follows the air live (a script queued to 1F shows in 1F's tile, not in 2F's),
an emergency plan chosen on the page takes its zones only (and one zone chosen there is cleared
alone), a recording goes to the zone chosen
for it, and the desk sends a notice to one group, the request carrying that group."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.microphone import ToneMicrophone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for

pytestmark = [
    *BROWSER_TESTS,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]

ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "Ground floor", "sink": "zone_1f",
     "groups": ["floors"]},
    {"id": "2F", "name_zh": "二楼", "name_en": "First floor", "sink": "zone_2f",
     "groups": ["floors"]},
    {"id": "B1", "name_zh": "地下停车场", "name_en": "Car park", "sink": "zone_b1",
     "groups": ["parking"]},
]  # fmt: skip
GROUPS = [{"id": "floors", "name_zh": "商场楼层", "name_en": "Shop floors"},
          {"id": "parking", "name_zh": "停车场", "name_en": "Car park"}]  # fmt: skip
PLANS = [{"id": "fire_1f", "name_zh": "一楼火警（含停车场）", "name_en": "Fire on 1F",
          "zones": ["1F"], "groups": ["parking"]}]  # fmt: skip
PROMOTION = ("亲爱的顾客朋友们，一楼化妆品专柜今天全场八折，/ 买满三百元还送精美礼品一份，"
             "欢迎您到一楼化妆品专柜选购。")  # fmt: skip


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("zones-console") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    with PulseServer() as pulse:
        for zone in ZONES:
            pulse.add_sink(str(zone["sink"]))
        with ToneMicrophone(pulse, freq=3700) as mic, DaemonProcess(
            data, env=pulse.env, audio__output="pulse", zones=json.dumps(ZONES),
            zone_groups=json.dumps(GROUPS), emergency_plans=json.dumps(PLANS),
            live_mic__source=mic.source,
        ) as running:  # fmt: skip
            made = running.send("POST", "/api/v1/scripts", {
                "code": "promo_1f", "title": "一楼化妆品促销", "category": "promotion",
                "language": "zh-CN", "text": PROMOTION})  # fmt: skip
            running.send("POST", f"/api/v1/scripts/{made['id']}/approve")
            wait_for("music in every zone", lambda: all(
                z["bed"]["now_playing"] for z in running.get("/api/v1/status")["zones"].values()
            ), 20)  # fmt: skip
            yield running


def zone(d: DaemonProcess, zone_id: str) -> dict[str, Any]:
    return d.get("/api/v1/status")["zones"][zone_id]


def quiet(d: DaemonProcess) -> None:
    """Nothing waits and nothing speaks in any zone: the next test starts from the music."""
    if d.get("/api/v1/status")["emergency"] or any(
        z["emergency"] for z in d.get("/api/v1/status")["zones"].values()
    ):
        d.delete("/api/v1/emergency")
    for p in d.get("/api/v1/pages", params={"active": True}):
        d.send("POST", f"/api/v1/pages/{p['id']}/cancel")
    for item in d.get("/api/v1/status")["queue"]:
        d.delete(f"/api/v1/queue/{item['id']}")
    for z in d.get("/api/v1/status")["zones"].values():
        if z["voice"]:
            d.delete(f"/api/v1/queue/{z['voice']['id']}")
    wait_for("every zone free", lambda: not any(
        z["voice"] or z["emergency"] for z in d.get("/api/v1/status")["zones"].values()
    ) and not d.get("/api/v1/status")["queue"], 15)  # fmt: skip


def tile(page: Page, zone_id: str) -> Locator:
    return page.locator(f'#zone-grid .zone-tile[data-zone="{zone_id}"]')


def test_the_grid_follows_a_script_queued_to_1f_and_leaves_2f_alone(daemon, browser):
    quiet(daemon)
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    tiles = page.locator("#zone-grid .zone-tile")
    expect(tiles).to_have_count(3)
    for zone_id, name in (("1F", "一楼"), ("2F", "二楼"), ("B1", "地下停车场")):
        expect(tile(page, zone_id).locator(".zone-name")).to_have_text(name)
        expect(tile(page, zone_id)).to_have_attribute("data-state", "playing")
        expect(tile(page, zone_id).locator(".zone-bed")).to_contain_text("bed")
    chooser = page.locator("#queue-zones")
    expect(chooser.get_by_label("全部分区")).to_be_checked()  # the default: every zone
    chooser.get_by_label("一楼", exact=True).check()
    expect(chooser.get_by_label("全部分区")).not_to_be_checked()
    page.fill("#search", "化妆品")
    with page.expect_request("**/api/v1/announcements") as sent:
        page.locator("#scripts li", has_text="一楼化妆品促销").get_by_role(
            "button", name="排队播出").click()  # fmt: skip
    assert json.loads(sent.value.post_data or "{}")["zones"] == ["1F"]
    expect(tile(page, "1F")).to_have_attribute("data-state", "voice", timeout=20_000)
    expect(tile(page, "1F").locator(".zone-voice")).to_have_text("▶ 一楼化妆品促销")
    expect(tile(page, "1F")).to_contain_text("已压低")
    expect(tile(page, "2F")).to_have_attribute("data-state", "playing")
    expect(tile(page, "2F")).not_to_contain_text("促销")
    expect(tile(page, "B1")).not_to_contain_text("促销")
    assert zone(daemon, "2F")["voice"] is None and zone(daemon, "1F")["voice"]
    shot(page, "zones-announcer-zh-1280x800")
    page.goto(daemon.url + "/announcer?lang=en")  # the names in the page's language
    expect(tile(page, "1F").locator(".zone-name")).to_contain_text("Ground floor")
    expect(tile(page, "1F")).to_contain_text("ducked")
    expect(page.locator("#emergency-zones label.zone-pick").first).to_have_text("Whole building")
    shot(page, "zones-announcer-en-1280x800")
    expect(tile(page, "1F")).to_have_attribute("data-state", "playing", timeout=60_000)  # ended
    page.close()


def test_an_emergency_plan_chosen_on_the_page_takes_its_zones_only(daemon, browser):
    quiet(daemon)
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ANNOUNCER)
    plans = page.locator("#emergency-zones")
    expect(plans.locator("label.zone-pick").first).to_have_text("全楼")  # first, and chosen
    expect(plans.get_by_label("全楼")).to_be_checked()
    plans.get_by_label("一楼火警（含停车场）").check()
    expect(plans.get_by_label("全楼")).not_to_be_checked()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_request("**/api/v1/emergency") as sent:
        page.click("#emergency-start")
    assert json.loads(sent.value.post_data or "{}")["zones"] == ["fire_1f"]
    assert "一楼火警（含停车场）" in asked[0]  # the confirmation says where
    expect(page.locator(".banner.danger")).to_be_visible(timeout=10_000)
    for zone_id in ("1F", "B1"):
        expect(tile(page, zone_id)).to_have_attribute("data-state", "emergency")
        expect(tile(page, zone_id)).to_contain_text("紧急")
    expect(tile(page, "2F")).to_have_attribute("data-state", "playing")
    assert zone(daemon, "2F")["bed"]["mode"] == "playing"
    shot(page, "zones-emergency-zh-tablet")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#emergency-clear")
    expect(page.locator(".banner.danger")).to_have_count(0, timeout=10_000)
    expect(tile(page, "1F")).not_to_have_attribute("data-state", "emergency")
    page.close()


def test_the_announcer_clears_the_emergency_in_one_zone_and_it_holds_on_elsewhere(daemon, browser):
    quiet(daemon)
    daemon.send("POST", "/api/v1/emergency", {"title": "全楼火警"})  # the whole building
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    for zone_id in ("1F", "2F", "B1"):
        expect(tile(page, zone_id)).to_have_attribute("data-state", "emergency", timeout=10_000)
    expect(page.locator("#now .clear-where")).to_contain_text("紧急广播范围")
    chooser = page.locator("#emergency-zones")
    chooser.get_by_label("二楼").check()  # unchecks the whole building
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_response("**/api/v1/emergency?zone=2F") as cleared:
        page.click("#emergency-clear")
    assert cleared.value.status == 200 and cleared.value.request.method == "DELETE"
    assert "二楼" in asked[0]  # the confirmation says where
    expect(tile(page, "2F")).not_to_have_attribute("data-state", "emergency", timeout=10_000)
    expect(tile(page, "1F")).to_have_attribute("data-state", "emergency")
    expect(tile(page, "B1")).to_have_attribute("data-state", "emergency")
    expect(page.locator(".banner.danger")).to_be_visible()  # still on in 1F and B1
    assert zone(daemon, "2F")["emergency"] is None and zone(daemon, "1F")["emergency"]
    shot(page, "zones-emergency-cleared-in-2f-zh-1280x800")
    chooser.get_by_label("全楼").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#emergency-clear")
    expect(page.locator(".banner.danger")).to_have_count(0, timeout=10_000)
    page.close()


def test_the_desk_sends_a_notice_to_one_group_and_the_request_carries_it(daemon, browser):
    quiet(daemon)
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SERVICE_DESK)
    form = page.locator("#form-lost_person")
    chooser = form.locator(".zone-chooser")
    expect(chooser.get_by_label("全部分区")).to_be_checked()
    chooser.get_by_label("停车场", exact=True).check()  # the group, not the zone 地下停车场
    form.locator("input[name=name]").fill("乐乐")
    form.locator("input[name=age]").fill("五岁左右")
    form.locator("input[name=clothing]").fill("红色外套")
    form.locator("input[name=meet_at]").fill("一楼服务台")
    with page.expect_request("**/api/v1/pages") as sent:
        form.locator("button[type=submit]").click()
    body = json.loads(sent.value.post_data or "{}")
    assert body["zones"] == ["parking"] and "zones" not in body["fields"]
    expect(form.locator(".form-ok")).to_contain_text("已提交")
    notice = page.locator("li.page.active").first
    expect(notice.locator(".page-zones")).to_have_text("地下停车场", timeout=10_000)
    expect(chooser.get_by_label("全部分区")).to_be_checked()  # the form is reset for the next
    wait_for("the notice on air in B1", lambda: zone(daemon, "B1")["voice"], 30)
    assert zone(daemon, "1F")["voice"] is None and zone(daemon, "2F")["voice"] is None
    shot(page, "zones-desk-zh-1280x800")
    page.close()
    quiet(daemon)


def test_a_recording_goes_to_the_zone_chosen_for_it(daemon, browser):
    quiet(daemon)
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    page.click("#rec-start")
    expect(page.locator("#rec-state")).to_have_text("正在录音…")
    page.wait_for_timeout(1500)
    page.click("#rec-stop")
    expect(page.locator("#rec-send")).to_be_enabled()
    page.locator("#rec-zones").get_by_label("二楼", exact=True).check()
    page.fill("#rec-title", "二楼临时通知")
    page.click("#rec-send")
    expect(page.locator("#rec-note")).to_contain_text("录音已加入队列", timeout=10_000)

    def logged() -> Any:
        rows = daemon.get("/api/v1/log", params={"kind": "announcement"})
        return next((r for r in rows if r["title"] == "二楼临时通知" and r["outcome"]), None)

    row = wait_for("the recording's row in the play log", logged, 20)
    assert row["zones"] == "2F" and row["outcome"] == "completed"
    page.close()


def test_holding_talk_puts_the_microphone_live_in_the_chosen_zone_until_released(
    daemon: DaemonProcess, browser: Any
) -> None:
    quiet(daemon)
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    page.locator("#talk-zones").get_by_label("二楼", exact=True).check()
    button = page.locator("#talk-button")
    expect(button).to_be_enabled()  # its script has run (a press before that did nothing)
    button.hover()
    page.mouse.down()
    expect(page.locator("#talk-state")).to_have_text("正在广播：请讲话", timeout=15000)
    assert zone(daemon, "2F")["voice"]["live"] is True
    assert zone(daemon, "1F")["voice"] is None and zone(daemon, "B1")["voice"] is None
    expect(tile(page, "2F")).to_contain_text("现场广播", timeout=5000)
    shot(page, "talk-zh-1280x800")
    page.mouse.up()
    expect(page.locator("#talk-state")).to_have_text("未在讲话。")
    wait_for("the microphone off the air", lambda: zone(daemon, "2F")["voice"] is None, 10)
    [row] = [r for r in daemon.get("/api/v1/log", params={"kind": "page"})
             if r["title"].startswith("现场广播")]  # fmt: skip
    assert row["zones"] == "2F" and row["outcome"] == "completed"
    assert "talk released by" in row["detail"] and "recorded to" in row["detail"]
    page.close()
