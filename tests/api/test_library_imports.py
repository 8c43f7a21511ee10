"""Playlist imports from an old broadcast PC (issue 14, item 6): every refusal gives the reason
per entry in both languages, unusable files are problems and not counted, messages name the
upload (not a temporary file), the temporary file never touches the music folder, Latin-1 and
percent-encoded GBK entries import."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.library as library_routes
from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.media import make_empty, make_text, make_tone

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

CJK = re.compile(r"[\u4e00-\u9fff]")
BOSS = as_role(Role.SUPERVISOR)
GBK_NAME = "月亮".encode("gbk") + b".mp3"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("imports") / "data"
    music = data / "music"
    make_tone(music / "a.mp3", 2.0, 440)
    make_tone(music / "Café.mp3", 2.0, 550)
    make_tone(Path(os.fsdecode(os.fsencode(music / "解压") + b"/" + GBK_NAME)), 2.0, 660)
    make_empty(music / "empty.mp3")
    make_text(music / "cover.jpg")
    daemon = start_daemon(data, library={"drive_roots": {"D:": str(music)}})
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


def upload(client: TestClient, name: str, data: bytes) -> Any:
    return client.post("/api/v1/playlists/import", headers=BOSS,
                       files={"file": (name, data, "audio/x-mpegurl")})  # fmt: skip


def test_when_nothing_resolves_each_entry_says_why_in_both_languages(api):
    _, client = api
    reply = upload(client, "旧列表.m3u", b"#EXTM3U\nD:\\nope.mp3\nhttp://radio/live\ncover.jpg\n")
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    lines = {k: v for k, v in detail["fields"].items() if k.startswith("line")}
    assert sorted(lines) == ["line 2", "line 3", "line 4"]
    for problem in lines.values():
        assert problem["message"] and CJK.search(problem["message_zh"])
    assert "not an audio file" in lines["line 4"]["message"]


def test_unusable_files_are_listed_as_problems_and_not_counted(api):
    _, client = api
    reply = upload(client, "mixed.m3u", b"a.mp3\nempty.mp3\ncover.jpg\n")
    assert reply.status_code == 201, reply.text
    result = reply.json()
    assert result["imported"] == 1 and len(result["playlist"]["entries"]) == 1
    reasons = {u["line"]: u["reason"] for u in result["unresolved"]}
    assert set(reasons) == {2, 3} and "empty" in reasons[2] and "not an audio" in reasons[3]


def test_a_refusal_names_the_upload_not_a_temporary_file(api):
    _, client = api
    reply = upload(client, "我的列表.m3u", b"#EXTM3U\n")
    assert reply.status_code == 422, reply.text
    text = reply.text
    assert "我的列表.m3u" in text and "import-" not in text


def test_the_temporary_file_is_written_outside_the_music_folder(api, monkeypatch):
    daemon, client = api
    original = library_routes.tempfile.mkstemp
    made: list[str] = []

    def recording(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = original(*args, **kwargs)
        made.append(name)
        return handle, name

    monkeypatch.setattr(library_routes.tempfile, "mkstemp", recording)
    reply = upload(client, "plain.m3u", b"a.mp3\n")
    assert reply.status_code == 201, reply.text
    music = daemon.settings.music_path.resolve()
    assert made and not any(Path(m).resolve().is_relative_to(music) for m in made)


def test_a_latin1_playlist_imports(api):
    _, client = api
    reply = upload(client, "latin.m3u", "#EXTINF:2,Café\nCafé.mp3\n".encode("latin-1"))
    assert reply.status_code == 201, reply.text
    assert reply.json()["imported"] == 1 and reply.json()["encoding"] == "cp1252"


def test_a_percent_encoded_gbk_file_url_imports_the_file(api):
    _, client = api
    url = b"file:///D:/%E8%A7%A3%E5%8E%8B/%D4%C2%C1%C1.mp3\n"
    reply = upload(client, "urls.m3u", url)
    assert reply.status_code == 201, reply.text
    result = reply.json()
    assert result["imported"] == 1
    track = result["playlist"]["entries"][0]["track"]
    assert track["name"] == "月亮.mp3" and track["title"] == "月亮"
    missing = upload(client, "urls2.m3u", url.replace(b"%C1%C1", b"%C1%C2"))
    assert missing.status_code == 422 and CJK.search(missing.json()["detail"]["message_zh"])


def test_the_status_shows_a_gbk_named_track_on_air(tmp_path):
    data = tmp_path / "data"
    make_tone(Path(os.fsdecode(os.fsencode(data / "music") + b"/" + GBK_NAME)), 30.0, 440)
    daemon = start_daemon(data)
    try:
        with api_client(daemon) as client:
            reply = client.get("/api/v1/status", headers=BOSS)
            assert reply.status_code == 200, reply.text
            assert reply.json()["layers"]["bed"]["file"] == "月亮.mp3"
    finally:
        daemon.stop()
