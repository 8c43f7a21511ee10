"""A partial call heard in some of its zones survives a crash for the others only (issue 16):
the real daemon with two zones on the kit's PulseAudio server. 2F is in an emergency; a partial
announcement for 1F and 2F is heard in 1F and waits for 2F; the daemon is killed (SIGKILL) and
restarted: the emergency holds 2F again, the announcement waits for 2F only (1F does not hear
it a second time), and plays there once the emergency is cleared in 2F."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for
from tests.kit.zone_air import TWO_FLOORS as ZONES
from tests.kit.zone_air import zone_status

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]


def rows(d: DaemonProcess, title: str) -> list[tuple[str, str | None]]:
    log = d.get("/api/v1/log", params={"order": "asc", "limit": 1000})
    return [(r["zones"], r["outcome"]) for r in log if r["title"] == title]


def test_a_partial_call_heard_in_1f_comes_back_after_a_crash_in_2f_only(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 300, 330)
    make_tone(data / "announcements" / "sale.wav", 2, 660)
    with PulseServer() as pulse:
        for zone in ZONES:
            pulse.add_sink(zone["sink"])
        daemon = DaemonProcess(data, env=pulse.env, audio__output="pulse",
                               zones=json.dumps(ZONES), emergency__gap_s="0.5")  # fmt: skip
        try:
            daemon.start()
            daemon.post("/api/v1/emergency", {"title": "二楼火警", "zones": ["2F"]})
            wait_for("the emergency in 2F", lambda: zone_status(daemon, "2F")["emergency"], 10)
            daemon.post("/api/v1/announcements", {"file": "announcements/sale.wav",
                                                  "title": "促销", "zones": ["1F", "2F"],
                                                  "partial": True})  # fmt: skip
            wait_for("heard in 1F", lambda: ("1F", "completed") in rows(daemon, "促销"), 20)
            queue: list[dict[str, Any]] = daemon.get("/api/v1/status")["queue"]
            assert [(q["title"], q["zones"]) for q in queue] == [("促销", ["2F"])]
            daemon.kill()  # the announcement is owed to 2F only

            daemon.start()
            wait_for("the emergency back in 2F", lambda: zone_status(daemon, "2F")["emergency"],
                     10)  # fmt: skip
            status = daemon.get("/api/v1/status")
            assert [(q["title"], q["zones"]) for q in status["queue"]] == [("促销", ["2F"])]
            assert status["zones"]["1F"]["voice"] is None
            assert daemon.send("DELETE", "/api/v1/emergency?zone=2F")["zones"] == ["2F"]
            wait_for("heard in 2F", lambda: ("2F", "completed") in rows(daemon, "促销"), 20)
            assert rows(daemon, "促销") == [("1F", "completed"), ("2F", "completed")]
            (row,) = [r for r in daemon.get("/api/v1/log", params={"zone": "2F"})
                      if r["title"] == "促销"]  # fmt: skip
            assert "resumed after a restart" in row["detail"]
        finally:
            daemon.stop()
