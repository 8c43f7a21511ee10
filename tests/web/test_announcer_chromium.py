"""The announcer's page in headless Chromium: what is on air with its progress, a script found
by search and queued with one tap, and the emergency button behind a confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("announcer") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    with DaemonProcess(data, audio__output="null") as running:
        made = running.send("POST", "/api/v1/scripts", {
            "code": "welcome_test", "title": "欢迎光临", "category": "opening",
            "language": "zh-CN", "text": "亲爱的顾客朋友们，/ 欢迎光临本商场。",
        })  # fmt: skip
        running.send("POST", f"/api/v1/scripts/{made['id']}/approve")
        yield running


def test_the_announcer_queues_a_script_and_hears_it_go_on_air(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page).to_have_url(daemon.url + "/announcer")
    expect(page.locator("#now")).to_contain_text("bed")  # the music, with its progress bar
    expect(page.locator(".progress")).to_be_visible()
    page.fill("#search", "欢迎")
    row = page.locator("#scripts li", has_text="欢迎光临")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="排队播出").click()
    expect(page.locator("#queued-note")).to_contain_text("已加入队列")
    expect(page.locator("#now .layer").first).to_contain_text("欢迎光临", timeout=10_000)
    shot(page, "announcer-zh-1280x800")
    page.close()


def test_an_emergency_needs_a_confirmation_then_stops_the_music_until_cleared(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ANNOUNCER)
    page.once("dialog", lambda dialog: dialog.dismiss())  # changed their mind
    page.click("#emergency-start")
    expect(page.locator(".banner.danger")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#emergency-start")
    expect(page.locator(".banner.danger")).to_be_visible(timeout=10_000)
    expect(page.locator("#now")).to_contain_text("已停止")
    shot(page, "announcer-emergency-zh-tablet")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#emergency-clear")
    expect(page.locator(".banner.danger")).to_have_count(0, timeout=10_000)
    expect(page.locator("#emergency-start")).to_be_visible()
    page.close()


def test_the_desk_cannot_open_the_announcers_page(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.SERVICE_DESK)
    reply = page.goto(daemon.url + "/announcer")
    assert reply is not None and reply.status == 403
    expect(page.locator("main")).to_contain_text("无权")
    page.close()


def test_the_supervisor_reads_the_days_log_filters_it_and_exports_it(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/log")
    expect(page.locator("h1")).to_contain_text("播出记录与播出证明")
    expect(page.locator("#log")).to_contain_text("欢迎光临")  # queued by the announcer above
    expect(page.locator("#log")).to_contain_text("music")
    expect(page.locator("#proof")).to_be_visible()
    shot(page, "log-zh-1280x800")
    page.select_option("select[name=kind]", "music")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"kind=music"))
    expect(page.locator("#log")).not_to_contain_text("欢迎光临")
    href = page.get_by_role("link", name="导出 CSV").get_attribute("href")
    assert href is not None
    exported = page.request.get(daemon.url + href)
    assert exported.status == 200 and exported.text().startswith("id,layer,kind")
    assert "欢迎光临" not in exported.text() and ",music," in exported.text()
    page.close()


def test_the_admin_adds_an_announcer_and_makes_a_fire_panel_key_shown_once(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ADMIN)
    page.get_by_role("link", name="账号管理").click()  # in the navigation bar
    expect(page).to_have_url(daemon.url + "/admin")
    form = page.locator("#add-user")
    form.locator("input[name=name]").fill("新播音员")
    form.locator("select[name=role]").select_option("announcer")
    form.locator("input[name=password]").fill("short")
    form.locator("input[name=password]").evaluate("i => i.removeAttribute('minlength')")
    form.get_by_role("button").click()
    expect(form.locator(".field-error[data-for=password]")).to_contain_text("至少 8 个字符")
    form.locator("input[name=password]").fill("a good long password")
    form.get_by_role("button").click()
    expect(page.locator("#users")).to_contain_text("新播音员", timeout=10_000)
    keys = page.locator("#add-key")
    keys.locator("select[name=user]").select_option(label="新播音员")
    keys.locator("input[name=name]").fill("fire panel")
    keys.locator("input[value=emergency]").check()
    keys.get_by_role("button").click()
    expect(page.locator("#new-key")).to_contain_text("bk_")
    key = page.locator("#new-key").inner_text()
    shot(page, "admin-zh-1280x800")
    panel = page.request.get(daemon.url + "/api/v1/status",
                             headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert panel.status == 403  # emergency only
    page.reload()
    expect(page.locator("#keys")).to_contain_text("fire panel")
    expect(page.locator("h2", has_text="接口密钥")).to_be_visible()
    assert key not in page.content()  # never shown again
    expect(page.locator("#audit")).to_contain_text("POST /api/v1/users")
    page.close()
