"""The daemon is killed (SIGKILL, as a power cut would) in the middle of the day programme and
started again: what already played is not played again, a cue still within its grace plays late,
one past its grace is logged ``missed``, and the music comes back by itself (how soon:
bench/crash_restart.py; asserted here is that it does, not a time the suite's load can break)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.kit.daemon_process import DaemonProcess, zone_clear_of_midnight
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for

pytestmark = pytest.mark.e2e

SPEECH = "announcements/cue.wav"


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def stamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def test_killed_daemon_catches_up_on_restart_without_replaying(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, 330)
    make_tone(data / SPEECH, 1, 880)
    zone_name = zone_clear_of_midnight(timedelta(minutes=2))
    zone = ZoneInfo(zone_name)
    daemon = DaemonProcess(data, audio__output="null", timezone=zone_name)
    try:
        daemon.start()
        daemon.open_all_day()
        # Whole seconds: rules are set to the second, so plan from the next one.
        t0 = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)
        today = t0.astimezone(zone).date()
        rules: dict[str, dict[str, Any]] = {}
        for name, delay, grace in (("A", 8, 60), ("B", 14, 120), ("C", 15, 2)):
            at = t0 + timedelta(seconds=delay)
            body = {
                "name": name, "kind": "fixed", "at": at.astimezone(zone).strftime("%H:%M:%S"),
                "grace_s": grace, "cut": True, "valid_from": today.isoformat(),
                "content": {"kind": "speech", "ref": SPEECH, "title": f"cue {name}"},
            }  # fmt: skip
            rule = daemon.send("POST", "/api/v1/programme/rules", body)
            rules[name] = {"at": at, "key": f"{rule['id']}:{today.isoformat()}:0"}

        def rows_of(name: str) -> list[dict[str, Any]]:
            log = daemon.get("/api/v1/log", params={"order": "asc", "limit": 10000})
            return [row for row in log if row["cue_key"] == rules[name]["key"]]

        # A goes on air before the power cut.
        wait_for("A to start", lambda: [r for r in rows_of("A") if r["started_at"]], 12)
        sleep_until(t0 + timedelta(seconds=11))
        assert not rows_of("B") and not rows_of("C"), "B or C logged before their time"
        daemon.kill()

        sleep_until(t0 + timedelta(seconds=20))
        restarted = datetime.now(UTC)
        daemon.start()

        b_rows = wait_for("B to play after the restart",
                          lambda: [r for r in rows_of("B") if r["outcome"]], 10)  # fmt: skip
        log = daemon.get("/api/v1/log", params={"order": "asc", "limit": 10000})
    finally:
        daemon.stop()

    # A: once, never replayed. If the kill caught it on air, the restart marks its open row.
    (a,) = [row for row in log if row["cue_key"] == rules["A"]["key"]]
    a_started = stamp(a["started_at"])
    assert a_started is not None and a_started < restarted
    assert a["outcome"] == "completed" or a["detail"].startswith("interrupted"), a
    assert not [row for row in log if row["outcome"] is None and row["kind"] != "music"]

    # B: played after the restart, late but within its grace, against its planned instant.
    (b,) = b_rows
    assert b["outcome"] == "completed", b
    b_started = stamp(b["started_at"])
    assert b_started is not None and b_started > restarted
    assert stamp(b["planned_at"]) == rules["B"]["at"]
    late = (b_started - rules["B"]["at"]).total_seconds()
    assert f"late {late:.0f} s" in b["detail"], b  # the log says how late it started

    # C: past its grace when the daemon came back: logged missed, with the reason.
    (c,) = [row for row in log if row["cue_key"] == rules["C"]["key"]]
    assert c["outcome"] == "missed", c
    assert c["started_at"] is None
    assert "late" in c["detail"], c["detail"]
    assert stamp(c["planned_at"]) == rules["C"]["at"]

    # The music is back after the restart.
    bed_starts = [stamp(row["started_at"]) for row in log if row["layer"] == "bed"]
    assert [at for at in bed_starts if at is not None and at > restarted], "no music after it"
