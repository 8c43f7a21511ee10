"""The console in Debian's headless Chromium (Playwright with ``executable_path``; no browser
download): the page sizes the issue asks for, logging in as a test account, screenshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.web.console import HOME
from broadcaster.actors import Role
from tests.kit.accounts import NAMES, PASSWORD
from tests.kit.daemon_process import DaemonProcess

CHROMIUM = shutil.which("chromium")
SHOTS = Path(__file__).parents[2] / "screenshots"  # not committed (.gitignore)
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 800}
BROWSER_TESTS = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, daemon: DaemonProcess, role: Role) -> None:
    page.goto(daemon.url + "/")
    expect(page).to_have_url(daemon.url + "/login")
    page.fill("input[name=name]", NAMES[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(daemon.url + HOME[role])  # each role lands on its own page
