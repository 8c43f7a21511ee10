"""The music library over HTTP: a scan job with progress, track search in Chinese, playlists
(create, rename, reorder, delete; import of a GBK M3U from a Windows PC; M3U8 export), now
playing with the next track, and refusals that change nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.music_files import make_gbk_m3u, make_library, plan_library, windows_path

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

CJK = re.compile(r"[\u4e00-\u9fff]")
BOSS = as_role(Role.SUPERVISOR)
DESK = as_role(Role.SERVICE_DESK)
COUNT = 12


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def refused(reply: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert code is None or detail["code"] == code, detail
    assert detail["message"] and CJK.search(detail["message_zh"]), detail
    return detail


def wait_for_scan(client: TestClient, job_id: int) -> dict[str, Any]:
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = ok(client.get(f"/api/v1/library/scans/{job_id}"))
        seen.append(job["progress"])
        if job["status"] not in ("queued", "running"):
            assert seen == sorted(seen)  # progress only goes forward
            return job
        time.sleep(0.05)
    raise AssertionError(f"scan {job_id} did not finish: {job}")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("library") / "data"
    make_library(data / "music", COUNT, seconds=3.0)
    daemon = start_daemon(data, scan=True, library={"drive_roots": {"D:": str(data / "music")}})
    with api_client(daemon) as client:
        scans = ok(client.get("/api/v1/library/scans"))
        assert scans and scans[0]["requested_by"] == "daemon start"
        wait_for_scan(client, scans[0]["id"])
        yield daemon, client
    daemon.stop()


@pytest.fixture
def client(api: tuple[Daemon, TestClient]) -> TestClient:
    return api[1]


def test_a_scan_requested_by_the_supervisor_runs_as_a_job_with_progress(client):
    job = ok(client.post("/api/v1/library/scans", headers=BOSS), 202)
    assert job["status"] in ("queued", "running", "done") and job["requested_by"].startswith("Wang")
    done = wait_for_scan(client, job["id"])
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["files"] == COUNT and done["added"] == 0  # the start-up scan found them all
    refused(client.post("/api/v1/library/scans", headers=DESK), 403, "forbidden")


def test_tracks_are_searched_by_chinese_title_or_artist_with_their_gain(client):
    page = ok(client.get("/api/v1/library/tracks"))
    assert page["total"] == COUNT and all(t["loudness"] == "measured" for t in page["tracks"])
    assert all(t["gain_db"] is not None for t in page["tracks"])
    chinese = next(t for t in plan_library(COUNT) if CJK.search(t.title))
    found = ok(client.get("/api/v1/library/tracks", params={"q": chinese.title.split()[0]}))
    assert chinese.title in [t["title"] for t in found["tracks"]]
    for hostile in ("%", "_", "' OR 1=1 --", "<script>", "\\"):
        assert ok(client.get("/api/v1/library/tracks", params={"q": hostile}))["total"] == 0
    refused(client.get("/api/v1/library/tracks/99999"), 404)


def test_a_list_playlist_is_made_renamed_reordered_exported_and_deleted(client):
    ids = [t["id"] for t in ok(client.get("/api/v1/library/tracks"))["tracks"]][:3]
    body = {
        "name": "午间<b>轻松 &amp; 'x'",
        "shuffle": False,
        "tracks": [{"track_id": i} for i in ids],
    }
    made = ok(client.post("/api/v1/playlists", json=body, headers=BOSS), 201)
    assert made["name"] == "午间<b>轻松 &amp; 'x'" and made["tracks"] == 3  # kept as plain text
    assert [e["track"]["id"] for e in made["entries"]] == ids
    pid = made["id"]
    changed = ok(client.patch(f"/api/v1/playlists/{pid}", headers=BOSS,
                              json={"name": "午间", "tracks": [{"track_id": ids[2]},
                                                              {"track_id": ids[0], "weight": 2}]}))  # fmt: skip
    assert [e["track"]["id"] for e in changed["entries"]] == [ids[2], ids[0]]
    exported = client.get(f"/api/v1/playlists/{pid}/export.m3u8")
    assert exported.status_code == 200 and exported.text.startswith("#EXTM3U")
    assert len([line for line in exported.text.splitlines() if not line.startswith("#")]) == 2
    assert ".." not in exported.text and not re.search(r"^/", exported.text, re.M)  # relative
    assert client.delete(f"/api/v1/playlists/{pid}", headers=BOSS).status_code == 204
    refused(client.get(f"/api/v1/playlists/{pid}"), 404)


def test_bad_playlists_are_refused_per_field_and_change_nothing(client, api):
    before = ok(client.get("/api/v1/playlists"))
    music = api[0].settings.music_path
    for body, field in (
        ({"name": "", "tracks": []}, "name"),
        ({"name": "../etc", "tracks": []}, "name"),
        ({"name": "a\u202eb", "tracks": []}, "name"),
        ({"name": "x" * 61, "tracks": []}, "name"),
        ({"name": "ghost", "tracks": [{"track_id": 99999}]}, "tracks"),
        ({"name": "w", "tracks": [{"track_id": 1, "weight": -1}]}, "tracks.0.weight"),
        ({"name": "f", "kind": "folder", "folder": "/etc"}, "folder"),
        ({"name": "f", "kind": "folder", "folder": "../../"}, "folder"),
        ({"name": "f", "kind": "folder", "folder": str(music / "nope")}, "folder"),
    ):
        detail = refused(client.post("/api/v1/playlists", json=body, headers=BOSS), 422)
        assert field in detail["fields"], (body, detail)
    taken = before[0]["name"]
    refused(client.post("/api/v1/playlists", json={"name": taken}, headers=BOSS), 409,
            "playlist_exists")  # fmt: skip
    refused(client.post("/api/v1/playlists", json={"name": "mine"}, headers=DESK), 403)
    assert ok(client.get("/api/v1/playlists")) == before


def test_a_playlist_the_programme_plays_cannot_be_deleted_or_renamed(client):
    folder = next(p for p in ok(client.get("/api/v1/playlists")) if p["name"] == "Jazz")
    rule = {"name": "jazz at noon", "kind": "daypart", "start": "12:00", "end": "13:00",
            "playlist": "Jazz"}  # fmt: skip
    made = ok(client.post("/api/v1/programme/rules", json=rule), 201)
    try:
        detail = refused(client.delete(f"/api/v1/playlists/{folder['id']}", headers=BOSS), 409)
        assert "jazz at noon" in detail["message"]
        refused(client.patch(f"/api/v1/playlists/{folder['id']}", json={"name": "J"},
                             headers=BOSS), 409)  # fmt: skip
    finally:
        client.delete(f"/api/v1/programme/rules/{made['id']}")
    bad = dict(rule, playlist="没有这个列表")
    detail = refused(client.post("/api/v1/programme/rules", json=bad), 422)
    assert "playlist" in detail["fields"]


def test_a_gbk_m3u_from_a_windows_pc_imports_and_reports_what_it_could_not_find(client, tmp_path):
    plan = plan_library(COUNT)
    lines = [windows_path(t.relative, root="D:\\") for t in plan[:5]]
    lines += ["D:\\旧歌\\不存在.mp3", "\\\\server\\share\\a.mp3", "http://stream.example/live"]
    m3u = make_gbk_m3u(tmp_path / "广播室.m3u", lines)
    with m3u.open("rb") as file:
        reply = client.post("/api/v1/playlists/import", headers=BOSS,
                            files={"file": ("广播室.m3u", file, "audio/x-mpegurl")})  # fmt: skip
    result = ok(reply, 201)
    assert result["playlist"]["name"] == "广播室" and result["imported"] == 5
    assert [e["track"]["title"] for e in result["playlist"]["entries"]] == [
        t.title for t in plan[:5]
    ]
    assert [u["line"] for u in result["unresolved"]] == [7, 8, 9]
    assert all(u["reason"] and CJK.search(u["reason_zh"]) for u in result["unresolved"])
    assert not list(Path(m3u.parent).glob(".import-*"))


def test_imports_that_are_not_playlists_are_refused_and_leave_nothing(client, api, tmp_path):
    before = ok(client.get("/api/v1/playlists"))
    big = b"#EXTM3U\n" + b"a.mp3\n" * (1_000_000)
    for name, data, status in (
        ("x.exe", b"MZ", 422),
        ("x.m3u", bytes(range(256)) * 8, 422),
        ("x.m3u", b"", 422),
        ("x.pls", b"[playlist]\nNumberOfEntries=0\n", 422),
        ("big.m3u", big, 413),
    ):
        reply = client.post("/api/v1/playlists/import", headers=BOSS,
                            files={"file": (name, data, "application/octet-stream")})  # fmt: skip
        refused(reply, status)
    assert ok(client.get("/api/v1/playlists")) == before
    assert not list(api[0].settings.music_path.glob(".import-*"))


def test_now_playing_shows_the_track_its_position_and_the_next(client, api):
    now = ok(client.get("/api/v1/now-playing"))
    assert now["mode"] == "playing" and now["track"] is not None
    assert now["track"]["position_ms"] is not None and now["track"]["gain_db"] is not None
    assert now["next"] is not None and now["next"]["title"]
