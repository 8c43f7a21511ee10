"""How long the suite takes: `make check` and/or `make test` timed from this checkout, with the
CPU they used and the machine's load before and after (the wall time means little on a machine
other work shares; the CPU time says what the suite itself costs).

Usage: .venv/bin/python bench/suite_time.py [check] [test] [--workers N]
(--workers sets CHECK_WORKERS and TEST_WORKERS; 0 runs in one process, for comparison.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["check"], choices=["check", "test"])
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    for target in args.targets:
        command = ["make", "--no-print-directory", target]
        if args.workers is not None:
            command += [f"CHECK_WORKERS={args.workers}", f"TEST_WORKERS={args.workers}"]
        before, cpu0, t0 = load(), children_cpu(), time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
        lines = done.stdout.splitlines()
        summary = [
            line for line in lines if " in " in line and ("passed" in line or "failed" in line)
        ]
        parts = [
            line
            for line in lines
            if line.startswith(("make test (", "make check:", "FAILED", "ERROR"))
        ]
        print(f"make {target}: {wall:.0f} s wall, {cpu:.0f} s CPU, exit {done.returncode}; "
              f"load {before} -> {load()} on {os.cpu_count()} cores")  # fmt: skip
        for line in summary or [done.stdout[-500:]]:  # make test: the parallel part, the serial
            print(f"  {line}")
        for line in parts:  # the Makefile's own clock: the parallel part, then the whole
            print(f"  {line}")


if __name__ == "__main__":
    main()
