"""``/docs`` on a broadcast-room PC with no internet: Swagger UI comes from the daemon itself,
and its Authorize button takes an API key so "Try it out" can call a protected route."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Route, expect

from broadcaster.actors import Role
from tests.kit.accounts import key_for
from tests.kit.browser import BROWSER_TESTS, DESKTOP, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("docs") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    with DaemonProcess(data, audio__output="null") as running:
        yield running


def test_the_api_docs_work_offline_and_call_a_protected_route_with_a_key(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    outside: list[str] = []

    def offline(route: Route) -> None:
        # The network beyond this machine is unplugged: anything not the daemon fails.
        if route.request.url.startswith(daemon.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", offline)
    page.goto(daemon.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("broadcaster")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/status").first).to_be_visible()
    shot(page, "docs-offline-1280x800")

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").first.fill(key_for(Role.ANNOUNCER))
    dialog.locator("button.authorize").first.click()  # its accessible name: "Apply credentials"
    dialog.locator("button.btn-done").first.click()

    status = page.locator(".opblock", has=page.locator(".opblock-summary-path",
                                                      has_text="/api/v1/status")).first  # fmt: skip
    status.locator(".opblock-summary").click()
    status.get_by_role("button", name="Try it out").click()
    status.get_by_role("button", name="Execute").click()
    live = status.locator(".live-responses-table tbody")  # the answer the daemon gave
    expect(live.locator(".response-col_status").first).to_have_text("200")
    expect(live.locator(".microlight").first).to_contain_text('"bed"')
    assert outside == [], f"the page asked the internet for {outside}"
    page.close()
