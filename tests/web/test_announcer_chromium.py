"""The announcer's page in headless Chromium: what is on air with its progress, a script found
by search and queued with one tap, the queue reordered with its ↑/↓ buttons, a clip recorded
with the (fake) microphone, heard back and queued, and the emergency button behind a
confirmation."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.accounts import NAMES
from tests.kit.analysis import load_wav, tone_level_db
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.web.conftest import MICROPHONE_HZ

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("announcer") / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    make_tone(data / "announcements" / "long.wav", 120, 250)  # holds the air while others wait
    with DaemonProcess(data, audio__output="null") as running:
        for code, title, category, text in (
            ("welcome_test", "欢迎光临", "opening", "亲爱的顾客朋友们，/ 欢迎光临本商场。"),
            ("closing_test", "打烊提示", "closing", "本商场将于二十二点打烊。"),
        ):
            made = running.send("POST", "/api/v1/scripts", {
                "code": code, "title": title, "category": category, "language": "zh-CN",
                "text": text,
            })  # fmt: skip
            running.send("POST", f"/api/v1/scripts/{made['id']}/approve")
        yield running


def wait_for(predicate: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def clear_the_air(daemon: DaemonProcess) -> None:
    """Cancel what waits and what is on air, so the next test starts from the music alone."""
    status = daemon.get("/api/v1/status")
    for item in [*status["queue"], *([status["voice"]] if status["voice"] else [])]:
        daemon.delete(f"/api/v1/queue/{item['id']}")
    wait_for(lambda: not (s := daemon.get("/api/v1/status"))["queue"] and not s["voice"], 10,
             "an empty queue")  # fmt: skip


def test_the_announcer_queues_a_script_and_hears_it_go_on_air(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page).to_have_url(daemon.url + "/announcer")
    expect(page.locator("#now")).to_contain_text("bed")  # the music, with its progress bar
    expect(page.locator(".progress")).to_be_visible()
    expect(page.locator("#zone-grid, .zone-chooser")).to_have_count(0)  # one zone: no clutter
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
    expect(page.locator("#now .clear-where")).to_have_count(0)  # one zone: nothing to choose
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_request("**/api/v1/emergency") as cleared:
        page.click("#emergency-clear")
    assert cleared.value.method == "DELETE" and cleared.value.url.endswith("/api/v1/emergency")
    expect(page.locator(".banner.danger")).to_have_count(0, timeout=10_000)
    expect(page.locator("#emergency-start")).to_be_visible()
    page.close()


def test_the_desk_cannot_open_the_announcers_page(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.SERVICE_DESK)
    reply = page.goto(daemon.url + "/announcer")
    assert reply is not None and reply.status == 403
    expect(page.locator("main")).to_contain_text("无权")
    shot(page, "forbidden-zh-tablet")
    page.close()


def test_the_announcer_moves_a_waiting_script_up_the_queue(daemon, browser):
    clear_the_air(daemon)
    daemon.post("/api/v1/announcements", {"file": "announcements/long.wav", "title": "长音测试"})
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ANNOUNCER)
    for search, title in (("打烊", "打烊提示"), ("欢迎", "欢迎光临")):
        page.fill("#search", search)
        page.locator("#scripts li", has_text=title).get_by_role("button", name="排队播出").click()
        expect(page.locator("#queued-note")).to_contain_text(title)
    daemon.post("/api/v1/announcements", {"text": "请注意保管好您的随身物品。",
                                          "title": "安全提示"})  # fmt: skip
    queue = page.locator("#now .queue li")
    expect(queue).to_have_count(3, timeout=10_000)
    expect(queue.nth(0)).to_contain_text("打烊提示")
    expect(queue.nth(0).get_by_role("button", name="上移")).to_be_disabled()  # first already
    expect(queue.nth(2).get_by_role("button", name="下移")).to_be_disabled()  # last already

    queue.nth(1).get_by_role("button", name="上移").click()  # 欢迎光临 goes first

    expect(queue.nth(0)).to_contain_text("欢迎光临", timeout=10_000)
    expect(queue.nth(1)).to_contain_text("打烊提示")
    expect(page.locator("#queue-note")).to_contain_text("已移到队列第 1 位")
    status = daemon.get("/api/v1/status")
    assert [r["title"] for r in status["queue"]] == ["欢迎光临", "打烊提示", "安全提示"]
    assert status["voice"]["title"] == "长音测试"
    queue.nth(1).get_by_role("button", name="下移").click()  # 打烊提示 goes last
    expect(queue.nth(2)).to_contain_text("打烊提示", timeout=10_000)
    assert [r["title"] for r in daemon.get("/api/v1/status")["queue"]] == [
        "欢迎光临", "安全提示", "打烊提示"]  # fmt: skip
    page.locator("#queue-note").evaluate("n => n.textContent = ''")  # a settled page
    shot(page, "announcer-queue-zh-tablet")
    page.close()
    clear_the_air(daemon)


def test_record_and_talk_stay_disabled_until_their_scripts_have_run(daemon, browser):
    """A loaded PC may show the page before its scripts run: a press then did nothing at all
    (the suite's load caught a click on "record" in that moment). Scripts held back here."""
    page = browser.new_page(viewport=DESKTOP)
    held = re.compile(r".*/static/(announcer|talk)\.js$")
    page.route(held, lambda route: route.abort())
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page.locator("#rec-start")).to_be_disabled()
    expect(page.locator("#talk-button")).to_be_disabled()
    page.unroute(held)
    page.reload()
    expect(page.locator("#rec-start")).to_be_enabled()
    expect(page.locator("#talk-button")).to_be_enabled()
    page.close()


def test_the_announcer_records_a_clip_hears_it_back_and_it_goes_on_air(daemon, browser):
    clear_the_air(daemon)
    title = "临时通知<script>alert(1)</script>'; DROP TABLE play_log; --"
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page.locator("#rec-send")).to_be_disabled()  # nothing recorded yet
    page.click("#rec-start")
    expect(page.locator("#rec-state")).to_have_text("正在录音…")
    page.wait_for_timeout(2500)  # speak (the fake microphone hears a steady tone)
    page.click("#rec-stop")
    expect(page.locator("#rec-state")).to_have_text("录好了，请先试听。")
    audio = page.locator("#rec-audio")
    expect(audio).to_be_visible()
    seconds = audio.evaluate(
        "a => new Promise(done => { const check = () => Number.isFinite(a.duration) && a.duration"
        " > 0 && done(a.duration); check(); a.addEventListener('durationchange', check);"
        " a.addEventListener('loadedmetadata', check); })"
    )
    assert 1.5 < seconds < 4, seconds  # heard back: about the 2.5 s recorded
    page.fill("#rec-title", "停车场满位提示")
    expect(page.locator("#rec-time")).not_to_have_text("0:00")
    shot(page, "announcer-record-zh-1280x800")
    page.fill("#rec-title", title)
    page.click("#rec-send")
    expect(page.locator("#rec-note")).to_contain_text("录音已加入队列", timeout=10_000)
    expect(page.locator("#rec-note")).to_contain_text("<script>")  # shown as text
    expect(page.locator("#rec-send")).to_be_disabled()  # sent once
    expect(page.locator("#now .layer").first).to_contain_text("临时通知<script>", timeout=10_000)
    assert page.locator("#now script").count() == 0  # nothing of the title became markup

    def played() -> Any:
        rows = daemon.get("/api/v1/log", params={"order": "asc", "kind": "announcement"})
        return next((r for r in rows if r["title"] == title and r["outcome"]), None)

    row = wait_for(played, 15, "the recording's row in the play log")
    assert row["outcome"] == "completed" and row["requested_by"] == NAMES[Role.ANNOUNCER]
    assert "recorded in the browser" in row["detail"]
    saved = daemon.data_dir / row["media_path"]
    assert saved.parent.name == "recorded" and saved.suffix == ".webm"
    heard = saved.with_suffix(".check.wav")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(saved), str(heard)],
                   check=True)  # fmt: skip
    samples, rate = load_wav(heard)
    assert tone_level_db(samples, rate, MICROPHONE_HZ, 0.5, 1.5, tolerance_hz=5) > -30
    page.close()


def test_the_supervisor_reads_the_days_log_filters_it_and_exports_it(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/log")
    expect(page.locator("h1")).to_contain_text("播出记录与播出证明")
    expect(page.locator("#log")).to_contain_text("欢迎光临")  # queued by the announcer above
    expect(page.locator("#log")).to_contain_text("背景音乐")  # kinds and outcomes in Chinese
    expect(page.locator("#log td[data-kind=music]").first).to_have_text("背景音乐")
    expect(page.locator("#proof")).to_be_visible()
    shot(page, "log-zh-1280x800")
    page.select_option("select[name=kind]", "music")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"kind=music"))
    expect(page.locator("#log")).not_to_contain_text("欢迎光临")
    href = page.get_by_role("link", name="导出 CSV").get_attribute("href")
    assert href is not None
    exported = page.request.get(daemon.url + href)
    assert exported.status == 200 and exported.text().startswith("\ufeff编号,请求时间")
    assert "欢迎光临" not in exported.text() and ",music," in exported.text()
    page.set_viewport_size(TABLET)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_contain_text("Play log")
    shot(page, "log-en-tablet")
    page.close()
