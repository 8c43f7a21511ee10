"""SIGKILL the daemon at random moments of a busy air and start it again; print what came back.

Each round puts something on air at random (announcements queued, a service-desk page repeating,
sometimes an emergency), waits a random 0–4 s, kills the daemon with SIGKILL and starts it
again, then checks: the emergency is on exactly when it was before the kill, every page active
before is still active, the announcements kept before are waiting again (those not yet played),
every play-log row from before is still there once (as it was, or closed as interrupted), and the
music is back (the first bed row after the restart). Prints the failures and the music-back times.

    python bench/crash_restart.py [--rounds 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone


def log_of(daemon: DaemonProcess) -> list[dict[str, Any]]:
    return daemon.get("/api/v1/log", params={"order": "asc", "limit": 10000})


def problems_with_log(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    found = []
    ids = Counter(row["id"] for row in after)
    found += [f"row {i} twice" for i, n in ids.items() if n > 1]
    now = {row["id"]: row for row in after}
    for row in before:
        if row["id"] not in now:
            found.append(f"row {row['id']} lost")
        elif row["outcome"] is not None and now[row["id"]]["outcome"] != row["outcome"]:
            found.append(f"row {row['id']} changed {row['outcome']} -> {now[row['id']]['outcome']}")
        elif now[row["id"]]["outcome"] is None and row["layer"] != "bed":
            found.append(f"row {row['id']} left open")
    starts = Counter((r["title"], r["started_at"]) for r in after if r["started_at"])
    found += [f"{key} written twice" for key, n in starts.items() if n > 1]
    return found


def busy(daemon: DaemonProcess, rng: random.Random, n: int) -> None:
    """Put a random mix on air (the emergency, if any, is cleared or started at random)."""
    status = daemon.get("/api/v1/status")
    if status["emergency"] and rng.random() < 0.6:
        daemon.delete("/api/v1/emergency")
    for i in range(rng.randint(0, 3)):
        daemon.post("/api/v1/announcements", {"file": "announcements/ann.wav",
                                              "title": f"ann {n}.{i}"})  # fmt: skip
    if rng.random() < 0.4:
        daemon.post("/api/v1/pages", {"file": "announcements/page.wav", "title": f"page {n}",
                                      "chime": False, "times": 3, "every_min": 0.2})  # fmt: skip
    if rng.random() < 0.3:
        daemon.post("/api/v1/emergency", {"file": "announcements/fire.wav", "title": f"fire {n}"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures: list[str] = []
    back_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="crash-bench-") as folder:
        data = Path(folder) / "data"
        make_tone(data / "music" / "bed.wav", 600, 330)
        for name, seconds, hz in (("ann", 3, 440), ("page", 2, 660), ("fire", 2, 880)):
            make_tone(data / "announcements" / f"{name}.wav", seconds, hz)
        daemon = DaemonProcess(data, audio__output="null", emergency__gap_s="0.5")
        daemon.start()
        try:
            for n in range(1, args.rounds + 1):
                busy(daemon, rng, n)
                time.sleep(rng.uniform(0.0, 4.0))
                status = daemon.get("/api/v1/status")
                pages = {p["id"] for p in daemon.get("/api/v1/pages", params={"active": "true"})}
                before = log_of(daemon)
                daemon.kill()
                daemon.start()
                restarted = daemon.spawned_at
                assert restarted is not None
                after_status = daemon.get("/api/v1/status")
                was = (status["emergency"] or {}).get("title")
                now = (after_status["emergency"] or {}).get("title")
                round_problems = []
                if was != now:
                    round_problems.append(f"emergency {was!r} before, {now!r} after")
                still = {p["id"] for p in daemon.get("/api/v1/pages", params={"active": "true"})}
                if not pages <= still:
                    round_problems.append(f"pages {sorted(pages - still)} no longer active")
                deadline = time.monotonic() + 10
                music = None
                while music is None and time.monotonic() < deadline:
                    music = next((r for r in log_of(daemon) if r["layer"] == "bed"
                                  and r["started_at"] and datetime.fromisoformat(r["started_at"])
                                  > restarted), None)  # fmt: skip
                    time.sleep(0.05)
                if music is None and now is None:
                    round_problems.append("no music within 10 s")
                elif music is not None:
                    back_s.append((datetime.fromisoformat(music["started_at"]) - restarted)
                                  .total_seconds())  # fmt: skip
                round_problems += problems_with_log(before, log_of(daemon))
                print(
                    f"round {n:2d}: emergency={was!r:<12} pages={len(pages)} "
                    f"queue={len(status['queue'])} -> "
                    f"{'ok' if not round_problems else '; '.join(round_problems)}",
                    flush=True,
                )
                failures += [f"round {n}: {p}" for p in round_problems]
        finally:
            daemon.stop()
    print(
        f"kills: {args.rounds}, rounds with a problem: {len({f.split(':')[0] for f in failures})}"
    )
    if back_s:
        print(
            f"music back after a restart (process start to the first bed row): "
            f"n={len(back_s)} p50={statistics.median(back_s):.2f} s max={max(back_s):.2f} s "
            f"(target <= 3 s; with an emergency on, the music stays off by design)"
        )
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
