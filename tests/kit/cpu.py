"""CPU time of a set of processes, for the benches' CPU figures."""

from __future__ import annotations

import psutil


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User plus system CPU seconds of ``processes`` (one that has gone counts nothing)."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total
