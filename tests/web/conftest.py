"""One headless Chromium for all the console's tests, with a fake microphone that hears a
steady tone (so a recording made on a page has real sound) and no permission prompt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.kit.browser import CHROMIUM
from tests.kit.media import make_tone

# What a page shows after the daemon has done something (rendered a notice, played it) may take
# a few seconds on a loaded 2-core machine: wait up to 15 s instead of Playwright's 5.
expect.set_options(timeout=15_000)
MICROPHONE_HZ = 523.0  # what the fake microphone hears, looped


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChineseBrowser]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    heard = make_tone(tmp_path_factory.mktemp("microphone") / "tone.wav", 5, MICROPHONE_HZ,
                      rate=48000)  # fmt: skip
    args = ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={heard}"]  # fmt: skip
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield ChineseBrowser(launched)
        launched.close()


class ChineseBrowser:
    """The browser, its pages in a Chinese locale as on the store's PCs (24-hour time fields,
    year-first dates); only a context's ``locale`` does that, not ``--lang``."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_page(self, **options: Any) -> Page:
        options.setdefault("locale", "zh-CN")
        return self._browser.new_page(**options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
