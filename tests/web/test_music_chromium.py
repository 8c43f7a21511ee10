"""The supervisor's music page in headless Chromium: the folder playlists the start-up scan
made, with their tracks; a list playlist made and renamed; an M3U imported; a rescan followed
to the end on its progress bar; and a playlist the programme plays refused on deletion with
the rules named."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from broadcaster.actors import Role
from tests.kit.browser import BROWSER_TESTS, DESKTOP, TABLET, log_in, shot
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = BROWSER_TESTS
TRACKS = {"轻音乐": ("晨曦.wav", "微风.wav"), "Jazz": ("Blue Lobby.wav", "Late Shift.wav"),
          "流行": ("午后.wav",)}  # fmt: skip


def _scanned(daemon: DaemonProcess, timeout: float = 60) -> None:
    """Wait for the scan the daemon starts with to have read and measured everything."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = daemon.get("/api/v1/library/scans")
        if jobs and jobs[0]["status"] not in ("queued", "running"):
            assert jobs[0]["status"] == "done", jobs[0]
            return
        time.sleep(0.2)
    raise AssertionError("the start-up scan did not finish")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    data = tmp_path_factory.mktemp("music-page") / "data"
    for n, (folder, names) in enumerate(TRACKS.items()):
        for m, name in enumerate(names):
            make_tone(data / "music" / folder / name, 8 + m, 220 + 110 * n, level_db=-18 + 4 * m)
    with DaemonProcess(data, audio__output="null") as running:
        _scanned(running)
        running.send("POST", "/api/v1/programme/rules", {
            "name": "午间爵士", "kind": "daypart", "start": "12:00", "end": "13:00",
            "playlist": "Jazz",
        })  # fmt: skip
        yield running


def test_the_supervisor_sees_the_folder_playlists_and_their_tracks(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, daemon, Role.SUPERVISOR)
    page.get_by_role("link", name="背景音乐").click()  # in the navigation bar
    expect(page).to_have_url(daemon.url + "/supervisor/music")
    table = page.locator("#mu-playlist-table")
    for folder, names in TRACKS.items():
        row = table.locator("tr.mu-playlist", has_text=folder)
        expect(row).to_contain_text("文件夹")
        expect(row.locator("td.num")).to_have_text(str(len(names)))
    expect(table.locator("tr", has_text="Jazz")).to_contain_text("午间爵士")  # used by a rule
    expect(page.locator("#mu-library")).to_have_text("5")
    tracks = page.locator("#mu-track-table")
    expect(tracks.locator("tr.mu-track")).to_have_count(5)
    expect(tracks).to_contain_text("LUFS")  # measured, with the gain the bed applies
    table.get_by_role("link", name="轻音乐").click()
    expect(page.locator("#mu-current")).to_contain_text("轻音乐")
    expect(tracks.locator("tr.mu-track")).to_have_count(2)
    expect(tracks).to_contain_text("0:08")
    page.fill("#mu-q", "微风")
    expect(tracks.locator("tr.mu-track")).to_have_count(1)
    page.fill("#mu-q", "")
    expect(tracks.locator("tr.mu-track")).to_have_count(2)
    shot(page, "music-zh-1280x800")
    page.close()


def test_the_supervisor_makes_renames_and_imports_list_playlists(daemon, browser, tmp_path: Path):
    page = browser.new_page(viewport=DESKTOP)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/music")
    create = page.locator("#mu-create")
    create.locator("input[name=name]").fill("<b>午间</b>")
    create.get_by_role("button", name="创建").click()
    expect(create.locator(".field-error[data-for=name]")).to_contain_text("不能包含")
    create.locator("input[name=name]").fill("<i>午间精选")
    create.get_by_role("button", name="创建").click()
    expect(page.locator("#mu-note")).to_contain_text("已创建播放列表")
    row = page.locator("#mu-playlist-table tr.mu-playlist", has_text="<i>午间精选")
    expect(row).to_contain_text("列表")
    expect(page.locator("#mu-current")).to_contain_text("<i>午间精选")
    expect(page.locator("#mu-track-table")).to_contain_text("没有曲目")
    page.locator("#mu-all").click()  # back to the whole library, to fill the list from it
    expect(page.locator("#mu-current")).to_contain_text("全部曲目")
    page.locator("#mu-target").select_option(label="<i>午间精选")
    for title in ("微风", "Late Shift"):
        page.locator("#mu-track-table tr", has_text=title).get_by_role("button").click()
        expect(page.locator("#mu-note")).to_contain_text("已加入“<i>午间精选”")
    expect(row.locator("td.num")).to_have_text("2")
    row.locator("a.mu-show").click()
    listed = page.locator("#mu-track-table tr.mu-track")
    expect(listed).to_have_count(2)
    listed.first.get_by_role("button", name="移出").click()
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Late Shift")
    expect(row.locator("td.num")).to_have_text("1")

    row.get_by_role("button", name="重命名").click()
    page.locator("#mu-rename input[name=name]").fill("午间精选")
    page.locator("#mu-rename").get_by_role("button", name="保存").click()
    expect(page.locator("#mu-note")).to_contain_text("已重命名")
    renamed = page.locator("#mu-playlist-table tr.mu-playlist", has_text="午间精选")
    expect(renamed).to_have_count(1)
    renamed.locator("input.mu-shuffle").uncheck()
    expect(page.locator("#mu-note")).to_contain_text("已设为按顺序播放")  # saved, and said so
    page.reload()
    expect(renamed.locator("input.mu-shuffle")).not_to_be_checked()

    m3u = tmp_path / "广播室.m3u"
    m3u.write_bytes("#EXTM3U\r\nJazz/Blue Lobby.wav\r\n轻音乐/晨曦.wav\r\n旧歌/不存在.mp3\r\n"
                    .encode("gbk"))  # fmt: skip
    form = page.locator("#mu-import")
    form.locator("input[name=file]").set_input_files(str(m3u))
    form.get_by_role("button", name="导入").click()
    expect(page.locator("#mu-import-result")).to_contain_text("已导入“广播室”：2 首曲目")
    expect(page.locator("#mu-unresolved")).to_contain_text("第 4 行")
    imported = page.locator("#mu-playlist-table tr.mu-playlist", has_text="广播室")
    expect(imported.locator("td.num")).to_have_text("2")
    expect(page.locator("#mu-track-table tr.mu-track")).to_have_count(2)
    href = imported.get_by_role("link", name="导出").get_attribute("href")
    assert href is not None
    exported = page.request.get(daemon.url + href)
    assert exported.status == 200 and "Blue Lobby.wav" in exported.text()

    big = tmp_path / "big.m3u"
    big.write_bytes(b"#EXTM3U\n" + b"a" * (5 * 2**20 + 10))
    form.locator("input[name=file]").set_input_files(str(big))
    form.get_by_role("button", name="导入").click()
    expect(form.locator(".form-error")).to_contain_text("最大 5 MB")

    imported.get_by_role("button", name="删除").click()
    expect(page.locator("#mu-note")).to_contain_text("已删除播放列表")
    expect(imported).to_have_count(0)
    page.close()


def test_a_rescan_shows_its_progress_until_done(daemon, browser):
    make_tone(daemon.data_dir / "music" / "流行" / "新歌.wav", 6, 500)
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/music")
    page.get_by_role("button", name="重新扫描音乐库").click()
    expect(page.locator("#mu-progress")).to_be_visible()
    expect(page.locator("#mu-scan")).to_have_attribute("data-done", "done", timeout=60_000)
    expect(page.locator("#mu-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#mu-scan-state")).to_contain_text("扫描完成")
    expect(page.locator("#mu-scan-state")).to_contain_text("新增 1")
    expect(page.locator("#mu-library")).to_have_text("6")
    row = page.locator("#mu-playlist-table tr.mu-playlist", has_text="流行")
    expect(row.locator("td.num")).to_have_text("2")
    shot(page, "music-zh-tablet")
    page.close()


def test_a_playlist_the_programme_plays_cannot_be_deleted(daemon, browser):
    page = browser.new_page(viewport=DESKTOP)
    messages: list[str] = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    log_in(page, daemon, Role.SUPERVISOR)
    page.goto(daemon.url + "/supervisor/music")
    row = page.locator("#mu-playlist-table tr.mu-playlist", has_text="Jazz")
    row.get_by_role("button", name="删除").click()
    error = page.locator("#mu-error")
    expect(error).to_contain_text("播音计划正在使用“Jazz”")
    expect(error).to_contain_text("午间爵士")
    expect(row).to_have_count(1)
    assert len(messages) == 1 and "Jazz" in messages[0]
    page.goto(daemon.url + "/supervisor/music?lang=en")
    page.locator("#mu-playlist-table tr.mu-playlist", has_text="Jazz").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page.locator("#mu-error")).to_contain_text("The programme plays “Jazz”")
    page.close()


def test_the_announcer_cannot_open_the_music_page(daemon, browser):
    page = browser.new_page(viewport=TABLET)
    log_in(page, daemon, Role.ANNOUNCER)
    expect(page).to_have_url(daemon.url + "/announcer")
    reply = page.goto(daemon.url + "/supervisor/music")
    assert reply is not None and reply.status == 403
    page.close()
