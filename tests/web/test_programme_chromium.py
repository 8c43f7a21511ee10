"""The supervisor's programme page in headless Chromium: a rule added through the form appears on
the day's timeline, a bad rule is refused beside its field, conflicts are highlighted, a rule is
switched off and deleted, and the service desk may not open the page or the programme's API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS
PROGRAMME = "/api/v1/programme"
PLAYLISTS = ("piano", "pop", "light", "foreign")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("programme") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    for hz, playlist in enumerate(PLAYLISTS):  # a folder in the music dir is a playlist
        make_tone(data / "music" / playlist / "track.wav", 60, 400 + 50 * hz)
    with DaemonProcess(data, audio__output="null") as running:
        for code, title in (("promo_member", "会员日积分返利"), ("floor_intro", "楼层介绍"),
                            ("service_intro", "服务介绍")):  # fmt: skip
            made = running.send("POST", "/api/v1/scripts", {
                "code": code, "title": title, "category": "promotion", "language": "zh-CN",
                "text": f"亲爱的顾客朋友们，/ {title}。",
            })  # fmt: skip
            running.send("POST", f"/api/v1/scripts/{made['id']}/approve")
        for name, opening, closing in (("weekday", "08:00", "22:00"),
                                       ("weekend", "09:00", "22:30")):  # fmt: skip
            running.send("POST", f"{PROGRAMME}/day-types",
                         {"name": name, "opening": opening, "closing": closing})  # fmt: skip
        for weekday in range(7):
            running.send("PUT", f"{PROGRAMME}/weekdays/{weekday}",
                         {"day_type": "weekday" if weekday < 5 else "weekend"})  # fmt: skip
        for rule in (
            {"name": "晨间钢琴", "kind": "daypart", "end": "12:00", "playlist": "piano"},
            {"name": "午间流行", "kind": "daypart", "start": "12:00", "end": "18:00",
             "playlist": "pop"},
            {"name": "晚间轻音乐", "kind": "daypart", "start": "18:00", "playlist": "light"},
            {"name": "楼层介绍", "kind": "fixed", "at": "09:00",
             "content": {"kind": "script", "ref": "floor_intro"}},
            {"name": "闭店提醒", "kind": "offset", "anchor": "closing", "offset_s": -900,
             "content": {"kind": "script", "ref": "service_intro"}},
        ):  # fmt: skip
            running.send("POST", f"{PROGRAMME}/rules", rule)
        yield running


def open_programme(page: Page, daemon: DaemonProcess, role: Role = Role.SUPERVISOR) -> None:
    log_in(page, daemon, role)
    page.get_by_role("link", name="节目单").click()  # in the navigation bar
    expect(page).to_have_url(daemon.url + "/supervisor/programme")


def rule_row(page: Page, name: str) -> Locator:
    return page.locator("#rules tr").filter(has=page.get_by_text(name, exact=True))


def test_the_supervisor_adds_a_promotion_every_15_minutes_and_sees_it_on_the_timeline(
    daemon, browser
):
    page = browser.new_page(viewport=DESKTOP)
    open_programme(page, daemon)
    expect(page.locator("h1")).to_contain_text("节目单")
    expect(page.locator("#day-type")).to_contain_text("按星期默认")
    expect(page.locator(".tl-music .band")).to_have_count(3)
    expect(page.locator(".tl-music")).to_contain_text("piano")
    expect(page.locator("#conflicts")).to_have_count(0)
    form = page.locator("#rule-form")
    form.locator("input[name=name]").fill("会员日促销")
    form.locator("select[name=kind]").select_option("recurring")
    expect(form.locator("input[name=at]")).to_be_hidden()  # a fixed rule's time: not this kind
    form.locator("input[name=window_start]").fill("10:00")
    form.locator("input[name=window_end]").fill("20:00")
    form.locator("input[name=every_min]").fill("15")
    form.get_by_role("checkbox", name="promo_member · 会员日积分返利").check()
    form.get_by_role("button", name="保存").click()
    lane = page.locator(".tl-row.lane", has_text="会员日促销")
    expect(lane).to_be_visible(timeout=10_000)
    expect(lane.locator(".cue")).to_have_count(40)  # 10:00, 10:15 … 19:45
    expect(lane.locator(".cue").first).to_have_attribute(
        "title", "10:00 · 会员日促销 · promo_member · 会员日积分返利"
    )
    row = rule_row(page, "会员日促销")
    expect(row).to_contain_text("循环轮播")
    expect(row).to_contain_text("10:00–20:00 每 15 分钟")
    lane.locator(".cue").nth(4).click()  # 11:00: the cue shows its rule
    expect(page.locator("#cue-detail")).to_contain_text("11:00")
    expect(page.locator("#cue-detail")).to_contain_text("会员日促销")
    shot(page, "programme-zh-1280x800")
    page.close()


def test_a_window_ending_before_it_starts_is_refused_beside_the_field(daemon, browser):
    before = len(daemon.send("GET", f"{PROGRAMME}/rules"))
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/programme?lang=en")
    form = page.locator("#rule-form")
    form.locator("input[name=name]").fill("Backwards promotion")
    form.locator("select[name=kind]").select_option("recurring")
    form.locator("input[name=window_start]").fill("20:00")
    form.locator("input[name=window_end]").fill("10:00")
    form.get_by_role("checkbox", name="promo_member · 会员日积分返利").check()
    form.get_by_role("button", name="Save").click()
    error = form.locator(".field-error[data-for=window_end]")
    expect(error).to_contain_text("The window must end after it starts.")
    expect(form.locator(".form-error")).to_be_empty()
    expect(page.locator("#rules")).not_to_contain_text("Backwards promotion")
    assert len(daemon.send("GET", f"{PROGRAMME}/rules")) == before  # nothing added
    expect(page.locator(".tl-row.lane")).not_to_contain_text(["Backwards promotion"])
    shot(page, "programme-en-tablet")
    page.close()


def test_cues_at_one_instant_and_overlapping_dayparts_are_highlighted(daemon, browser):
    daemon.send("POST", f"{PROGRAMME}/rules", {
        "name": "服务介绍", "kind": "fixed", "at": "09:00",  # with the floor introduction
        "content": {"kind": "script", "ref": "service_intro"},
    })  # fmt: skip
    daemon.send("POST", f"{PROGRAMME}/rules", {
        "name": "下午外文歌曲", "kind": "daypart", "start": "13:00", "end": "15:00",
        "playlist": "foreign", "priority": 5,
    })  # fmt: skip
    page = browser.new_page(viewport=DESKTOP)
    open_programme(page, daemon)
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("09:00：「楼层介绍」、「服务介绍」在同一时刻播出语音")
    expect(conflicts).to_contain_text("音乐时段「午间流行」与「下午外文歌曲」重叠")
    expect(page.locator(".tl .cue.conflict")).to_have_count(2)
    expect(page.locator(".tl .band.conflict")).to_have_count(3)  # pop, split around foreign
    expect(page.locator(".tl .overlap.conflict")).to_have_count(1)
    expect(page.locator("#rules tr.conflict")).to_have_count(4)
    page.locator(".tl .cue.conflict").first.click()
    expect(page.locator("#cue-detail")).to_contain_text("09:00")
    shot(page, "programme-conflict-zh-1280x800")
    page.close()


def test_the_page_lists_exactly_the_planners_conflicts_in_chinese_and_english(daemon, browser):
    # A playlist change inside another daypart: a conflict only the planner works out.
    added = daemon.send("POST", f"{PROGRAMME}/rules", {
        "name": "换轻音乐", "kind": "fixed", "at": "16:00",
        "content": {"kind": "playlist", "ref": "light"},
    })  # fmt: skip
    page = browser.new_page(viewport=DESKTOP)
    open_programme(page, daemon)
    day = page.locator("#day-bar input[name=date]").input_value()
    plan = daemon.send("GET", f"{PROGRAMME}/plan?date={day}")
    kinds = [c["kind"] for c in plan["conflicts"]]
    assert kinds.count("playlist_in_daypart") == 1 and "same_instant" in kinds, kinds
    items = page.locator("#conflicts .conflict-list li")
    expect(items).to_have_text([c["message_zh"] for c in plan["conflicts"]])
    expect(
        page.locator(".tl-row.lane", has_text="换轻音乐").locator(".cue.conflict")
    ).to_have_count(1)
    page.goto(f"{daemon.url}/supervisor/programme?date={day}&lang=en")
    expect(items).to_have_text([c["message"] for c in plan["conflicts"]])
    daemon.send("DELETE", f"{PROGRAMME}/rules/{added['id']}")
    page.close()


def test_the_supervisor_switches_a_rule_off_and_deletes_it_after_confirming(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    open_programme(page, daemon)
    rule_row(page, "服务介绍").get_by_role("button", name="启用").click()  # a tap: off
    expect(rule_row(page, "服务介绍")).to_contain_text("已停用", timeout=10_000)
    expect(page.locator(".tl-label", has_text="服务介绍")).to_have_count(0)
    expect(page.locator(".tl .cue.conflict")).to_have_count(0)  # the floor introduction alone
    page.once("dialog", lambda dialog: dialog.dismiss())  # changed their mind
    rule_row(page, "服务介绍").get_by_role("button", name="删除").click()
    expect(rule_row(page, "服务介绍")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    rule_row(page, "服务介绍").get_by_role("button", name="删除").click()
    expect(rule_row(page, "服务介绍")).to_have_count(0, timeout=10_000)
    assert "服务介绍" not in [r["name"] for r in daemon.send("GET", f"{PROGRAMME}/rules")]
    page.close()


def test_the_supervisor_edits_a_rule_and_gives_the_date_another_day_type(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    open_programme(page, daemon)
    rule_row(page, "会员日促销").get_by_role("button", name="编辑").click()
    form = page.locator("#rule-form")
    expect(form.locator("h2")).to_contain_text("编辑规则 · 会员日促销")
    expect(form.locator("input[name=window_start]")).to_have_value("10:00")
    form.locator("input[name=every_min]").fill("30")
    form.get_by_role("button", name="保存").click()
    lane = page.locator(".tl-row.lane", has_text="会员日促销")
    expect(lane.locator(".cue")).to_have_count(20, timeout=10_000)  # 10:00, 10:30 … 19:30
    expect(rule_row(page, "会员日促销")).to_contain_text("每 30 分钟")
    entry = page.locator("#entry-form")  # the date shown, by default
    entry.locator("select[name=day_type]").select_option("weekend")
    entry.locator("input[name=note]").fill("店庆")
    entry.get_by_role("button", name="添加日历条目").click()
    expect(page.locator("#day-type")).to_contain_text("日历指定 · 店庆", timeout=10_000)
    expect(page.locator("#day-type")).to_contain_text("09:00–22:30")
    expect(page.locator("#calendar")).to_contain_text("店庆")
    page.close()


def test_the_service_desk_may_not_open_the_programme_or_its_api(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.SERVICE_DESK)
    expect(page).to_have_url(daemon.url + "/desk")
    expect(page.get_by_role("link", name="节目单")).to_have_count(0)
    reply = page.goto(daemon.url + "/supervisor/programme")
    assert reply is not None and reply.status == 403
    expect(page.locator("main")).to_contain_text("无权")
    for path in ("/rules", "/plan?date=2025-03-12", "/day-types"):
        assert page.request.get(daemon.url + PROGRAMME + path).status == 403
    page.close()
