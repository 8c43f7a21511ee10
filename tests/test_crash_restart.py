"""SIGKILL (a power cut, the OOM killer) while the air is busy, then a restart: the emergency is
still on, the service desk's page still repeats, the announcer's queue comes back in order, the
log keeps every row once, and the music comes back by itself. (bench/crash_restart.py kills at
20 random moments and prints how soon the music is back; this is the short version for
``make test``, which asserts what came back, not how fast.)"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for

pytestmark = pytest.mark.e2e


def log_of(daemon: DaemonProcess) -> list[dict[str, Any]]:
    return daemon.get("/api/v1/log", params={"order": "asc", "limit": 10000})


def unchanged_or_closed(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    """Every row from before the kill is still there once: as it was, or (if it was open, or
    its end had not been written yet) closed by the restart as interrupted."""
    ids = Counter(row["id"] for row in after)
    assert all(count == 1 for count in ids.values())
    now = {row["id"]: row for row in after}
    for row in before:
        assert row["id"] in now, f"row {row['id']} ({row['title']}) lost"
        if row["outcome"] is not None:
            assert now[row["id"]]["outcome"] == row["outcome"], (row, now[row["id"]])
        else:
            assert now[row["id"]]["outcome"] is not None, now[row["id"]]
    starts = Counter((row["title"], row["started_at"]) for row in after if row["started_at"])
    assert all(count == 1 for count in starts.values()), "a row written twice"


def test_a_killed_daemon_comes_back_with_its_emergency_page_queue_and_music(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    for name, seconds, hz in (("long", 8, 440), ("short", 1, 550), ("page", 2, 660),
                              ("fire", 2, 880)):  # fmt: skip
        make_tone(data / "announcements" / f"{name}.wav", seconds, hz)
    daemon = DaemonProcess(data, audio__output="null", emergency__gap_s="0.5")
    try:
        daemon.start()
        daemon.post("/api/v1/announcements", {"file": "announcements/long.wav", "title": "long"})
        wait_for("long on air", lambda: (daemon.get("/api/v1/status")["voice"] or {}).get("title")
                 == "long", 10)  # fmt: skip
        daemon.post("/api/v1/announcements", {"file": "announcements/short.wav", "title": "short"})
        page = daemon.post("/api/v1/pages", {"file": "announcements/page.wav", "title": "寻人",
                                             "chime": False, "times": 5, "every_min": 1})  # fmt: skip
        wait_for("the page played", lambda: [r for r in log_of(daemon)
                                             if r["kind"] == "page" and r["outcome"]], 10)  # fmt: skip
        daemon.post("/api/v1/emergency", {"file": "announcements/fire.wav", "title": "fire"})
        wait_for("the emergency on air", lambda: daemon.get("/api/v1/status")["emergency"], 10)
        time.sleep(1)
        before = log_of(daemon)
        daemon.kill()  # with the emergency on air, a page repeating and two announcements kept

        daemon.start()
        restarted = daemon.spawned_at
        assert restarted is not None
        status = daemon.get("/api/v1/status")
        assert status["emergency"]["title"] == "fire"
        assert status["bed"]["mode"] == "stopped"
        time.sleep(1)
        # Nothing but the emergency is heard: the music did not start first (and was not
        # logged as stopped for the emergency a moment later).
        music = [r for r in log_of(daemon) if r["layer"] == "bed" and r["started_at"]
                 and datetime.fromisoformat(r["started_at"]) > restarted]  # fmt: skip
        assert music == [], music
        assert status["voice"]["kind"] == "emergency"
        assert daemon.get(f"/api/v1/pages/{page['id']}")["status"] == "active"
        # "long" was cut by the page (and came back), then by the emergency: a second cut is
        # final (the arbiter's rule), so only "short" still waits, as before the kill.
        assert [r["title"] for r in status["queue"]] == ["short"]
        unchanged_or_closed(before, log_of(daemon))

        assert daemon.delete("/api/v1/emergency").status_code == 200
        wait_for("short played after the emergency", lambda: [
            r for r in log_of(daemon) if r["title"] == "short" and r["outcome"] == "completed"
        ], 30)  # fmt: skip
        before = log_of(daemon)
        daemon.kill()  # music playing, nothing else on air

        daemon.start()
        restarted = daemon.spawned_at
        assert restarted is not None
        wait_for("music after the restart", lambda: [  # without being asked
            r for r in log_of(daemon) if r["layer"] == "bed" and r["started_at"]
            and datetime.fromisoformat(r["started_at"]) > restarted
        ], 10)  # fmt: skip
        unchanged_or_closed(before, log_of(daemon))
        assert daemon.get("/api/v1/status")["queue"] == []  # nothing replayed
    finally:
        daemon.stop()
