"""The admin's page in headless Chromium: changing an account's role and password (the person
logs in again with the new ones), and the last admin kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.accounts import NAMES
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS
NEW_PASSWORD = "a much longer passphrase"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("admin") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    with DaemonProcess(data, audio__output="null") as running:
        running.send("POST", "/api/v1/users", {
            "name": "柜台小张", "role": "service_desk", "password": "desk password 1",
        })  # fmt: skip
        yield running


def test_the_admin_changes_a_role_and_password_and_the_person_logs_in_again(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ADMIN)
    page.goto(daemon.url + "/admin")
    row = page.locator("#users tr", has_text="柜台小张")
    expect(row).to_contain_text("服务台")
    row.get_by_role("button", name="修改").click()
    form = page.locator("#edit-user")
    expect(form).to_be_visible()
    expect(form.locator("#edit-name")).to_have_text("柜台小张")
    form.locator("select[name=role]").select_option("announcer")
    form.locator("input[name=password]").fill("short")
    form.locator("input[name=password]").evaluate("i => i.removeAttribute('minlength')")
    form.get_by_role("button", name="保存").click()
    expect(form.locator(".field-error[data-for=password]")).to_contain_text("至少 8 个字符")
    expect(row).to_contain_text("服务台")  # refused: nothing changed
    shot(page, "admin-edit-zh-1280x800")
    form.locator("input[name=password]").fill(NEW_PASSWORD)
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#users tr", has_text="柜台小张")).to_contain_text("播音员")
    page.close()

    person = browser.new_page(viewport=TABLET)
    person.goto(daemon.url + "/login")
    person.fill("input[name=name]", "柜台小张")
    person.fill("input[name=password]", "desk password 1")  # the old one no longer works
    person.click("button[type=submit]")
    expect(person.locator(".error")).to_contain_text("用户名或密码错误")
    person.fill("input[name=password]", NEW_PASSWORD)
    person.click("button[type=submit]")
    expect(person).to_have_url(daemon.url + "/announcer")  # the new role's page
    person.close()


def test_the_last_admin_cannot_be_demoted_from_the_page(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ADMIN)
    page.goto(daemon.url + "/admin")
    page.locator("#users tr", has_text=NAMES[Role.ADMIN]).get_by_role("button", name="修改").click()
    form = page.locator("#edit-user")
    form.locator("select[name=role]").select_option("supervisor")
    form.get_by_role("button", name="保存").click()
    expect(form.locator(".form-error")).to_contain_text("最后一个管理员")
    page.goto(daemon.url + "/admin?lang=en")
    expect(page.locator("#users tr", has_text=NAMES[Role.ADMIN])).to_contain_text("admin")
    shot(page, "admin-en-tablet")
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
