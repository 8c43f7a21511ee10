"""The shift handover (交接班) in headless Chromium against a real daemon: the outgoing
announcer starts a shift, sees what aired in it, writes notes and hands over; the incoming
announcer reads the record and confirms it, which starts their shift; the supervisor reads every
shift and opens the signed record to print it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from broadcaster.actors import Role
from tests.kit.accounts import NAMES
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess, zone_clear_of_midnight
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for

pytestmark = BROWSER_TESTS
INCOMING, INCOMING_PASSWORD = "陈静", "一二三四五六七八"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("handover") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    make_tone(data / "announcements" / "welcome.wav", 2, 440)
    zone = zone_clear_of_midnight(timedelta(minutes=10))
    with DaemonProcess(data, audio__output="null", timezone=zone) as running:
        running.send("POST", "/api/v1/users", {"name": INCOMING, "role": "announcer",
                                               "password": INCOMING_PASSWORD})  # fmt: skip
        yield running


def log_in_as(page: Page, daemon: DaemonProcess, name: str, password: str) -> None:
    page.goto(daemon.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(daemon.url + "/announcer")


def test_the_outgoing_hands_over_the_incoming_confirms_and_the_supervisor_reads(daemon, browser):
    outgoing = browser.new_page(viewport=DESKTOP)
    log_in(outgoing, daemon, Role.ANNOUNCER)
    outgoing.get_by_role("link", name="交接班", exact=True).click()
    expect(outgoing).to_have_url(daemon.url + "/announcer/handover")
    outgoing.get_by_role("button", name="开始我的班次").click()
    expect(outgoing.locator("#announcer")).to_have_text(NAMES[Role.ANNOUNCER])
    expect(outgoing.locator("#status")).to_have_text("值班中")

    # Something airs in the shift: an announcement in full, a page the desk cancels.
    daemon.post("/api/v1/announcements", {"file": "announcements/welcome.wav",
                                          "title": "欢迎光临"})  # fmt: skip
    page_id = daemon.post("/api/v1/pages", {"file": "announcements/welcome.wav",
                                            "title": "寻找乐乐", "chime": False})["id"]  # fmt: skip

    def played(title: str) -> Any:
        rows = daemon.get("/api/v1/log", params={"kind": ["announcement", "page"]})
        return any(r["title"] == title and r["outcome"] == "completed" for r in rows)

    wait_for("both to play", lambda: played("欢迎光临") and played("寻找乐乐"), 30)
    daemon.send("POST", f"/api/v1/pages/{page_id}/cancel")
    outgoing.reload()
    expect(outgoing.locator("#spoken")).to_contain_text("欢迎光临")
    expect(outgoing.locator("#pages")).to_contain_text("寻找乐乐")
    expect(outgoing.locator("#pages")).to_contain_text("已撤销")
    notes = "二号功放有杂音，已报修。\n寻找乐乐：家长已在服务台等候。"
    outgoing.fill("#notes", notes)
    outgoing.get_by_role("button", name="保存说明").click()
    expect(outgoing.locator("#notes-note")).to_have_text("已保存。")
    shot(outgoing, "handover-zh-1280x800")
    outgoing.once("dialog", lambda dialog: dialog.accept())  # "hand over now?"
    outgoing.get_by_role("button", name="交班", exact=True).click()
    expect(outgoing.locator("#status")).to_have_text("已交班，待接班人确认")
    expect(outgoing.locator("#waiting")).to_be_visible()
    expect(outgoing.locator("#confirm-form")).to_have_count(0)  # not one's own handover

    incoming = browser.new_page(viewport=DESKTOP)
    log_in_as(incoming, daemon, INCOMING, INCOMING_PASSWORD)
    incoming.goto(daemon.url + "/announcer/handover")
    expect(incoming.locator("#notes-text")).to_have_text(notes)
    expect(incoming.locator("#spoken")).to_contain_text("欢迎光临")
    incoming.fill("#confirm-form textarea[name=remarks]", "已阅，功放已跟进")
    shot(incoming, "handover-confirm-zh-1280x800")
    incoming.get_by_role("button", name="确认接班").click()
    expect(incoming.locator("#announcer")).to_have_text(INCOMING)
    expect(incoming.locator("#status")).to_have_text("值班中")
    expect(incoming.locator("#shift-list")).to_contain_text(NAMES[Role.ANNOUNCER])

    supervisor = browser.new_page(viewport=DESKTOP)
    log_in(supervisor, daemon, Role.SUPERVISOR)
    supervisor.goto(daemon.url + "/shifts")
    rows = supervisor.locator("#shift-list tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text=NAMES[Role.ANNOUNCER])
    expect(row).to_contain_text("已确认")
    row.get_by_role("link", name="查看").click()
    expect(supervisor).to_have_url(re.compile(r"/shifts/\d+$"))
    expect(supervisor.locator("#notes-text")).to_have_text(notes)
    expect(supervisor.locator("#confirmed-by")).to_have_text(INCOMING)
    expect(supervisor.locator("#remarks-text")).to_have_text("已阅，功放已跟进")
    expect(supervisor.locator("#digest")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    shot(supervisor, "shift-record-zh-1280x800")
    supervisor.emulate_media(media="print")  # on paper: the record alone, no bar or buttons
    expect(supervisor.locator("header.bar")).to_be_hidden()
    expect(supervisor.get_by_role("button", name="打印")).to_be_hidden()
    expect(supervisor.locator("#signatures")).to_be_visible()
    shot(supervisor, "shift-record-print")
    supervisor.emulate_media(media="screen")
    supervisor.set_viewport_size(TABLET)
    supervisor.get_by_role("link", name="English").click()
    expect(supervisor.locator("h1")).to_contain_text("Shift handover")
    expect(supervisor.locator("#status")).to_have_text("confirmed")
    shot(supervisor, "shift-record-en-tablet")
    for page in (outgoing, incoming, supervisor):
        page.close()


def test_the_printable_proof_of_play_shows_a_campaigns_airings(daemon, browser):
    zone = ZoneInfo(daemon.get("/api/v1/status")["timezone"])
    daemon.open_all_day()
    at = (datetime.now(UTC) + timedelta(seconds=6)).replace(microsecond=0)
    daemon.send("POST", "/api/v1/programme/rules", {
        "name": "双十一促销", "kind": "fixed", "at": at.astimezone(zone).strftime("%H:%M:%S"),
        "grace_s": 60, "cut": True, "valid_from": at.astimezone(zone).date().isoformat(),
        "content": {"kind": "speech", "ref": "announcements/welcome.wav", "title": "满300减50"},
    })  # fmt: skip
    wait_for("the spot", lambda: [r for r in daemon.get("/api/v1/log", params={"kind": "announcement"})
                                  if r["cue_key"] and r["outcome"] == "completed"], 30)  # fmt: skip
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/log")
    page.get_by_role("link", name="打印广告播出证明").click()
    expect(page).to_have_url(re.compile(r"/supervisor/log/proof\?start=\d{4}-\d\d-\d\d"))
    expect(page.locator("#certificate h1")).to_have_text("广告播出证明")
    expect(page.locator("#campaign")).to_have_text("全部活动")
    day = at.astimezone(zone).date()
    page.select_option("select[name=rule]", "双十一促销")
    page.fill("input[name=start]", (day - timedelta(days=6)).isoformat())
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#campaign")).to_have_text("双十一促销")
    expect(page.locator("#period")).to_have_text(f"{day - timedelta(days=6)} — {day}")
    expect(page.locator("#proof tbody tr")).to_have_count(1)
    expect(page.locator("#proof tbody tr")).to_contain_text("满300减50")
    airing = page.locator("#airings tbody tr")
    expect(airing).to_have_count(1)
    expect(airing).to_contain_text(at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"))
    expect(airing.locator("td[data-outcome]")).to_have_text("完整播出")
    shot(page, "proof-of-play-zh-1280x800")
    href = page.get_by_role("link", name="导出逐次记录 CSV").get_attribute("href")
    assert href is not None and f"to={day}" in href
    exported = page.request.get(daemon.url + href)
    assert exported.status == 200 and exported.text().startswith("\ufeff规则（活动）")
    assert "双十一促销,满300减50," in exported.text()
    page.close()
