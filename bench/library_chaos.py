"""The music bed on a library that changes under it, for as long as you like (issue 14).

A real daemon plays into a private, recorded PulseAudio sink: first an in-order list, then a
shuffled folder (half the time each), while the playing source's files are deleted, emptied,
truncated, replaced by text, renamed to GBK names, added and restored at random, with a rescan
and a playlist edit in each half (``tests/kit/chaos.py``, shared with the suite's test). Prints
the longest silence, back-to-back repeats, the in-order list's continuity, failed rows per bad
file (and per hour) and tracks played.

    python bench/library_chaos.py [--minutes 10] [--tracks 30] [--seed 14]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit import chaos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--tracks", type=int, default=30, help="tracks per source (two sources)")
    parser.add_argument("--track-seconds", type=float, default=20.0)
    parser.add_argument("--step-seconds", type=float, default=5.0, help="between two changes")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = chaos.run(Path(tmp), phase_s=args.minutes * 30, tracks=args.tracks,
                           track_s=args.track_seconds, step_s=args.step_seconds, seed=args.seed,
                           log=print)  # fmt: skip
    for line in report.lines():
        print(line)
    hours = max(report.seconds / 3600, 1e-9)
    worst = max(report.failed_rows.values(), default=0)
    print(f"failed rows per bad file per hour: at most {worst / hours:.1f} "
          f"(the worst file's {worst} rows over {report.seconds / 60:.1f} min)")  # fmt: skip
    print(f"in-order positions played: {report.order_played}")


if __name__ == "__main__":
    main()
