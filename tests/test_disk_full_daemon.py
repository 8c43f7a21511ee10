"""The real daemon with its speech cache on a full disk: a spoken announcement or a lost-person
page that needs rendering is refused with a clear answer in both languages, the music plays on,
the daemon and its voice worker stay up, and once space is freed the same requests go through
without a restart.

The cache folder (data/cache/speech) is a small tmpfs mounted for the test (root only)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for
from tests.scripts_library.test_render_disk_full import fill

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]
ANNOUNCEMENT = {"text": "The car park on level two closes at ten tonight.", "language": "en"}
PAGE = {
    "template": "lost_person", "fields": {"name": "乐乐", "meet_at": "一楼服务台"},
    "fields_en": {"name": "Lele", "meet_at": "the service desk on the first floor"},
    "languages": ["zh-CN", "en"], "on_behalf_of": "王女士",
}  # fmt: skip


def post(daemon: DaemonProcess, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(daemon.url + path, json=body, headers=daemon.headers, timeout=30)


def workers(daemon: DaemonProcess) -> list[int]:
    assert daemon.proc is not None
    return [p.pid for p in psutil.Process(daemon.proc.pid).children()
            if "scripts_library.render_worker" in " ".join(p.cmdline())]  # fmt: skip


def test_a_full_speech_disk_refuses_clearly_the_music_plays_on_and_freeing_space_heals(
    tmp_path: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the dev machine run tests as root)")
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, 330, level_db=-20)
    cache = data / "cache" / "speech"
    cache.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(cache)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        filler = fill(cache)
        with DaemonProcess(data, audio__output="null") as daemon:

            def bed() -> dict[str, Any]:
                layer: dict[str, Any] = daemon.get("/api/v1/status")["layers"]["bed"]
                return layer

            before = wait_for("the music", lambda: (b := bed())["playing"]
                              and (b["position_ms"] or 0) > 500 and b, 15)  # fmt: skip
            [worker] = wait_for("the voice worker", lambda: workers(daemon), 30)

            for path, body in (("/api/v1/announcements", ANNOUNCEMENT), ("/api/v1/pages", PAGE)):
                refused = post(daemon, path, body)
                assert refused.status_code == 507, refused.text
                detail = refused.json()["detail"]
                assert detail["code"] == "disk_full"
                assert "disk is full" in detail["message"] and str(cache) in detail["message"]
                assert "Free some space" in detail["message"]
                assert "music keeps playing" in detail["message"]
                assert "磁盘已满" in detail["message_zh"] and "清理" in detail["message_zh"]
                assert "Traceback" not in refused.text
            assert [p for p in cache.rglob("*") if p.is_file()] == [filler], "nothing half written"

            after = bed()  # the music never stopped: still playing, the same track, further on
            assert after["playing"] and after["file"] == before["file"]
            assert after["position_ms"] > before["position_ms"]
            assert daemon.get("/api/v1/status")["fault"] is None
            assert daemon.get("/api/v1/log", params={"order": "asc", "kind": "page"}) == []
            assert workers(daemon) == [worker], "the voice worker is still the same one"

            filler.unlink()
            announced = post(daemon, "/api/v1/announcements", ANNOUNCEMENT)
            assert announced.status_code == 202, announced.text
            paged = post(daemon, "/api/v1/pages", PAGE)
            assert paged.status_code == 202, paged.text
            assert paged.json()["status"] == "active"
            wait_for(
                "the announcement on air",
                lambda: daemon.get("/api/v1/status")["layers"]["voice"]["playing"],
                10,
            )
            assert bed()["playing"], "the music goes on under the speech"
            assert workers(daemon) == [worker], "no restart was needed"
            daemon.send("POST", f"/api/v1/pages/{paged.json()['id']}/cancel")
    finally:
        if subprocess.run(["umount", str(cache)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(cache)], check=True)
