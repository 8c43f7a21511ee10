"""Kill the sound server under a playing daemon again and again; print how fast it is noticed
and how fast the music is heard again once the server is back.

Each round: music plays through a private PulseAudio server (a null sink whose monitor is
recorded); the server is killed (SIGKILL) for a random 1-20 s outage, then started again at the
same socket. Measured: the time until ``/api/v1/status`` shows the fault, and the time from the
server's return to the music's return on the recorded monitor. At the end the play log must
hold one ``fault`` row per outage, each closed as recovered.

    python bench/output_recovery.py [--rounds 10] [--seed 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.analysis import first_time_above, level_track, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import seconds_until as until

TONE_HZ = 440.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    noticed: list[float] = []
    back: list[float] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        data = Path(tmp) / "data"
        make_tone(data / "music" / "bed.wav", 600, TONE_HZ)
        daemon = DaemonProcess(data, env=pulse.env, audio__output="pulse").start()
        try:
            until(lambda: daemon.get("/api/v1/status")["bed"]["title"], 10)
            time.sleep(3)
            for n in range(1, args.rounds + 1):
                outage = rng.uniform(1, 20)
                pulse.crash()
                seen = until(lambda: daemon.get("/api/v1/status")["fault"], 15)
                if seen is None:
                    problems.append(f"round {n}: the fault never showed")
                else:
                    noticed.append(seen)
                time.sleep(max(0.0, outage - (seen or 0)))
                pulse.revive()
                revived = time.monotonic()
                wav = Path(tmp) / f"round{n}.wav"
                with pulse.record(wav) as recording:
                    cleared = until(lambda: daemon.get("/api/v1/status")["fault"] is None, 60)
                    time.sleep(2)
                samples, rate = load_wav(wav)
                heard = first_time_above(level_track(samples, rate, TONE_HZ, 0.02), -40)
                if cleared is None or heard is None:
                    problems.append(f"round {n}: music not back (cleared={cleared})")
                else:
                    back.append(recording.started - revived + heard)
                print(f"round {n:2d}: outage {outage:4.1f} s, fault shown after "
                      f"{seen if seen is not None else float('nan'):.1f} s, music back "
                      f"{back[-1] if back and heard is not None else float('nan'):.1f} s "
                      "after the server", flush=True)  # fmt: skip
                time.sleep(rng.uniform(1, 4))
            rows = [r for r in daemon.get("/api/v1/log", params={"order": "asc", "limit": 10000})
                    if r["kind"] == "fault"]  # fmt: skip
            if len(rows) != args.rounds or any(r["outcome"] != "recovered" for r in rows):
                problems.append(f"fault rows: {[(r['id'], r['outcome']) for r in rows]}")
        finally:
            daemon.stop()
    for problem in problems:
        print("PROBLEM:", problem)
    for name, values in (("fault shown after the server died", noticed),
                         ("music back after the server returned", back)):  # fmt: skip
        if values:
            print(f"{name}: n={len(values)} p50={statistics.median(values):.2f} s "
                  f"max={max(values):.2f} s")  # fmt: skip
    print(f"rounds: {args.rounds}, with a problem: {len(problems)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
