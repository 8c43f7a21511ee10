"""The supervisor's script editor in headless Chromium: a new script whose bad markup is shown
with its position, listened to, approved, then edited into a new draft while the approved
words stay on air; a typed title shown as text; the announcer kept out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS
NASTY = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("script-editor") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    with DaemonProcess(data, audio__output="null") as running:
        for code, title, category in (("closing_soon", "闭店提醒", "closing"),
                                      ("nasty", NASTY, "promotion")):  # fmt: skip
            made = running.send("POST", "/api/v1/scripts", {
                "code": code, "title": title, "category": category, "language": "zh-CN",
                "text": "亲爱的顾客朋友们，/ 本商场将于 *二十分钟后* 结束营业。", "valid_until": "2031-12-31",
            })  # fmt: skip
            running.send("POST", f"/api/v1/scripts/{made['id']}/approve")
        yield running


def test_the_supervisor_writes_checks_listens_approves_and_edits_a_script(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    log_in(page, daemon, Role.SUPERVISOR)
    page.get_by_role("link", name="稿件编辑").click()  # in the navigation bar
    expect(page).to_have_url(daemon.url + "/supervisor/scripts")
    scripts = page.locator("#se-scripts")
    expect(scripts).to_contain_text(NASTY)  # the typed title, as text
    expect(scripts).to_contain_text("闭店提醒")
    expect(page.locator("#se-help")).to_contain_text("短停顿")

    page.get_by_role("link", name="新建稿件").click()
    form = page.locator("#se-new")
    form.locator("input[name=code]").fill("noon_sale")
    form.locator("input[name=title]").fill("午间特惠")
    form.locator("select[name=category]").select_option("promotion")
    form.locator("textarea[name=text]").fill("亲爱的顾客朋友们，/ *午间特惠 现在开始。")
    form.get_by_role("button", name="创建草稿").click()
    problem = form.locator(".field-error[data-for=text]")
    expect(problem).to_contain_text("第 12 个字符")  # where the unclosed * is
    expect(form.locator(".se-where mark")).to_have_text("*")
    form.get_by_role("button", name="试听当前文字").click()  # the same problem, from the voice
    expect(page.locator("#se-listen-error")).to_contain_text("第 12 个字符")

    form.locator("textarea[name=text]").fill(
        "亲爱的顾客朋友们，/ *午间特惠* 现在开始。// 欢迎选购。"
    )
    form.get_by_role("button", name="创建草稿").click()
    expect(page.locator("#se-note")).to_contain_text("稿件已创建")
    versions = page.locator("#se-versions")
    expect(versions.locator("tr.se-version")).to_have_count(1)
    expect(versions).to_contain_text("草稿")
    expect(scripts).to_contain_text("午间特惠")
    assert "id=" in page.url

    versions.get_by_role("button", name="试听").click()
    page.wait_for_function(
        "() => { const a = document.getElementById('se-audio');"
        " return a && a.src.startsWith('blob:') && a.duration > 0; }",
        timeout=30_000,
    )  # fmt: skip
    versions.get_by_role("button", name="审核通过").click()
    expect(page.locator("#se-note")).to_contain_text("已审核通过")
    expect(versions.locator("tr.se-version.approved")).to_have_count(1)
    expect(versions).to_contain_text("supervisor")  # who approved, and when
    expect(scripts.locator("tr", has_text="午间特惠")).to_contain_text("已审核 v1")

    edit = page.locator("#se-edit")
    edit.locator("textarea[name=text]").fill("亲爱的顾客朋友们，/ *午间特惠* 延长到两点。")
    edit.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("#se-note")).to_contain_text("已保存为草稿")
    expect(versions.locator("tr.se-version")).to_have_count(2)
    expect(versions.locator("tr.se-version.draft")).to_contain_text("v2")
    expect(versions.locator("tr.se-version.approved")).to_contain_text("v1")  # still on air
    row = scripts.locator("tr", has_text="午间特惠")
    expect(row).to_contain_text("已审核 v1")
    expect(row).to_contain_text("草稿 v2")
    shot(page, "scripts-zh-1280x800")
    assert len(dialogs) == 1 and "审核通过" in dialogs[0]  # the approval's confirmation, no alert
    page.close()


def test_the_editor_filters_and_reads_in_english_on_a_tablet(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/scripts?lang=en")
    expect(page.locator("h1")).to_have_text("Script editor")
    page.locator("#se-filters select[name=category]").select_option("closing")
    expect(page.locator("#se-scripts tbody tr")).to_have_count(1)
    expect(page.locator("#se-scripts")).to_contain_text("闭店提醒")
    page.locator("#se-filters select[name=category]").select_option("")
    page.fill("#se-q", "alert")
    expect(page.locator("#se-scripts tbody tr")).to_have_count(1)
    page.locator("#se-scripts").get_by_role("link", name=NASTY).click()
    expect(page.locator("#se-title")).to_contain_text(NASTY)
    expect(page.locator("#se-versions")).to_contain_text("approved")
    expect(page.locator("#se-panel")).to_contain_text("Upload a recording")
    page.fill("#se-q", "")
    expect(page.locator("#se-scripts tbody tr")).to_have_count(3)
    shot(page, "scripts-en-tablet")
    page.close()


def test_the_announcer_sees_no_editor(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page).to_have_url(daemon.url + "/announcer")
    expect(page.get_by_role("link", name="稿件编辑")).to_have_count(0)
    reply = page.goto(daemon.url + "/supervisor/scripts")
    assert reply is not None and reply.status == 403
    expect(page.locator("main")).to_contain_text("无权")
    assert page.request.get(daemon.url + "/supervisor/scripts/panel?id=1").status == 403
    page.close()
