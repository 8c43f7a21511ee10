"""Schedule accuracy with real VLC, over HTTP, and the speed of the day simulator.

1. Starts `broadcaster serve` with music playing into a private PulseAudio null sink, makes a day
   type trading around the clock the default of every weekday, and adds ``--cues`` FIXED rules
   (cut in, so none waits for the end of a track) saying a short espeak phrase, ``--spacing``
   seconds apart, the first about 15 s ahead (local times in the store's zone, to the second).
   When every cue has its play-log row it prints p50/p95/max of started_at - planned_at (the
   engine's STARTED time against the planned instant) and how many cues were missed or failed.
2. Generates the demo content (`broadcaster demo --no-serve`, ~20 s) into a temporary data dir
   and times `broadcaster simulate --default --date <a Monday>` there: the simulator's own
   figure as it prints it, and the command's wall time (Python start-up included).

Targets: p95 <= 20 ms, max <= 100 ms; the simulated day < 2 s.

Usage: .venv/bin/python bench/schedule_accuracy.py [--cues 40] [--spacing 3] [--no-simulation]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import pct
from broadcaster.daemon import Daemon
from broadcaster.settings import load_settings
from scripts_library.markup import parse
from scripts_library.voices.espeak import EspeakVoice
from tests.kit.daemon_process import DaemonProcess, zone_clear_of_midnight
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

SPEECH = "announcements/attention.wav"
FIRST_IN_S = 15
UNPLAYED = ("missed", "failed", "expired", "skipped", "cancelled", "preempted")


def schedule_accuracy(cues: int, spacing: int) -> None:
    span = timedelta(seconds=FIRST_IN_S + cues * spacing + 60)
    zone_name = zone_clear_of_midnight(span)
    zone = ZoneInfo(zone_name)
    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        data = Path(tmp) / "data"
        make_tone(data / "music" / "bed.wav", 600, 330, level_db=-14)
        EspeakVoice().render(parse("Attention please."), "en", data / SPEECH)
        # As `broadcaster demo` does: tones exist before the daemon starts.
        Daemon(load_settings(data_dir=data)).ensure_tones()  # the chime, the profile's alert
        daemon = DaemonProcess(
            data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink,
            timezone=zone_name,
        ).start()  # fmt: skip
        try:
            daemon.open_all_day()
            first = (datetime.now(UTC) + timedelta(seconds=FIRST_IN_S)).replace(microsecond=0)
            today = first.astimezone(zone).date()
            keys: dict[str, datetime] = {}
            for n in range(cues):
                at = first + timedelta(seconds=n * spacing)
                body = {
                    "name": f"bench cue {n + 1}", "kind": "fixed",
                    "at": at.astimezone(zone).strftime("%H:%M:%S"), "cut": True, "grace_s": 60,
                    "valid_from": today.isoformat(), "valid_until": today.isoformat(),
                    "content": {"kind": "speech", "ref": SPEECH, "title": f"cue {n + 1}"},
                }  # fmt: skip
                rule = daemon.send("POST", "/api/v1/programme/rules", body)
                keys[f"{rule['id']}:{today.isoformat()}:0"] = at
            ready = datetime.now(UTC)
            print(f"{cues} cues every {spacing} s from {first.astimezone(zone):%H:%M:%S} "
                  f"({zone_name}); rules in place {(first - ready).total_seconds():.1f} s "
                  "before the first")  # fmt: skip
            rows = wait_for_rows(daemon, keys, first + timedelta(seconds=cues * spacing + 30))
        finally:
            daemon.stop()

    late_ms: list[float] = []
    unplayed: dict[str, int] = {}
    for key, planned in keys.items():
        row = rows.get(key)
        if row is None:
            unplayed["no row"] = unplayed.get("no row", 0) + 1
            continue
        if row["outcome"] in UNPLAYED or row["started_at"] is None:
            unplayed[row["outcome"]] = unplayed.get(row["outcome"], 0) + 1
            continue
        assert datetime.fromisoformat(row["planned_at"]) == planned, row
        late_ms.append((datetime.fromisoformat(row["started_at"]) - planned).total_seconds() * 1e3)
    if late_ms:
        print(
            f"cue start - planned: n={len(late_ms)} p50={pct(late_ms, 0.5):.1f} ms "
            f"p95={pct(late_ms, 0.95):.1f} ms max={max(late_ms):.1f} ms "
            f"min={min(late_ms):.1f} ms (targets: p95 <= 20 ms, max <= 100 ms)"
        )
    missed = sum(unplayed.values())
    detail = ", ".join(f"{n} {why}" for why, n in sorted(unplayed.items())) or "none"
    print(f"cues missed or failed: {missed} of {cues} ({detail})")


def wait_for_rows(
    daemon: DaemonProcess, keys: dict[str, datetime], deadline: datetime
) -> dict[str, dict[str, Any]]:
    """Every cue's row, once it is closed (or the deadline passes: what there is)."""
    rows: dict[str, dict[str, Any]] = {}
    while datetime.now(UTC) < deadline:
        log = daemon.get(
            "/api/v1/log", params={"order": "asc", "kind": "announcement", "limit": 10000}
        )
        rows = {row["cue_key"]: row for row in log if row["cue_key"] in keys}
        if len(rows) == len(keys) and all(row["outcome"] for row in rows.values()):
            break
        time.sleep(0.5)
    return rows


def simulation_speed() -> None:
    cli = [sys.executable, "-m", "api.cli"]
    monday = date.today() + timedelta(days=-date.today().weekday() + 7)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BROADCASTER_DATA_DIR": str(Path(tmp) / "data")}
        began = time.perf_counter()
        subprocess.run([*cli, "demo", "--no-serve"], env=env, check=True, capture_output=True)
        print(f"demo content generated in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        done = subprocess.run(
            [*cli, "simulate", "--default", "--date", monday.isoformat()],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - began
    summary = done.stdout.strip().splitlines()[-1]
    match = re.search(r"simulated in ([0-9.]+) s", summary)
    figure = f"{float(match.group(1)):.2f} s" if match else "(not printed)"
    print(f"simulate --default --date {monday} (a Monday): printed: {summary!r}")
    print(f"simulated day: {figure} in the simulator, {wall:.2f} s for the whole command "
          "(target < 2 s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cues", type=int, default=40)
    parser.add_argument("--spacing", type=int, default=3, help="seconds between cues")
    parser.add_argument("--no-simulation", action="store_true", help="skip the simulator timing")
    args = parser.parse_args()
    if args.spacing < 2:
        parser.error("--spacing: at least 2 s (each cue says ~1.5 s)")
    schedule_accuracy(args.cues, args.spacing)
    if not args.no_simulation:
        simulation_speed()


if __name__ == "__main__":
    main()
