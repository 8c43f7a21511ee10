"""The service desk's lost-person page, end to end: the real daemon (real VLC into a null
output, real espeak-ng voice, real SQLite) is asked over HTTP for a bilingual notice, plays it,
repeats it, and once it is resolved after the second play it never plays a third time."""

from __future__ import annotations

import shutil
import time
from datetime import datetime

import pytest

from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]
EVERY_MIN = 0.4  # a play (chime + notice, spoken fast) lasts about 20 s; the repeat 4 s after


def test_a_resolved_lost_person_page_plays_exactly_twice(tmp_path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 300, 330, level_db=-20)
    fast = {"voices__espeak__speed_wpm_zh": "400"}  # the same voice, to spend less time waiting
    with DaemonProcess(data, audio__output="null", **fast) as daemon:
        page = daemon.post("/api/v1/pages", {
            "template": "lost_person", "fields": {"name": "乐乐", "meet_at": "一楼服务台"},
            "fields_en": {"name": "Lele", "meet_at": "the service desk on the first floor"},
            "languages": ["zh-CN"], "every_min": EVERY_MIN, "times": 5,
            "on_behalf_of": "王女士",
        })  # fmt: skip
        assert page["status"] == "active" and page["title"].startswith("寻人")

        def plays() -> list[dict]:
            rows = daemon.get("/api/v1/log", params={"order": "asc", "kind": "page"})
            return [r for r in rows if r["outcome"] is not None]

        wait_for("two plays", lambda: len(plays()) >= 2, 3 * 60 * EVERY_MIN + 60)
        resolved = daemon.send("POST", f"/api/v1/pages/{page['id']}/resolve")
        assert resolved["status"] == "resolved" and resolved["plays"] == 2

        first, second = plays()
        assert first["outcome"] == second["outcome"] == "completed"
        assert "play 1/5" in first["detail"] and "play 2/5" in second["detail"]
        gap = datetime.fromisoformat(second["started_at"]) - datetime.fromisoformat(
            first["started_at"]
        )
        assert abs(gap.total_seconds() - 60 * EVERY_MIN) < 2  # repeated on its interval

        # Past the moment the third play was due, and then some: nothing more.
        third_due = datetime.fromisoformat(second["started_at"]).timestamp() + 60 * EVERY_MIN
        time.sleep(max(0.0, third_due + 3 - time.time()))
        rows = daemon.get("/api/v1/log", params={"order": "asc", "kind": "page"})
        assert len(rows) == 2, rows
        assert daemon.get("/api/v1/status")["voice"] is None
        assert daemon.get(f"/api/v1/pages/{page['id']}")["status"] == "resolved"
