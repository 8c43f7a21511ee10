"""Realtime scheduling for this process's threads but the main one (``bench/armed_start.py
--rt-audio``): VLC's (its players' input, decoder and output threads are all named ``python``
here) and libpulse's mainloops (``threaded-ml``), which start and feed each zone's stream.
Needs root, CAP_SYS_NICE or an RTPRIO limit. Not used by the daemon (see the README)."""

from __future__ import annotations

import os
from pathlib import Path


def promote_threads(priority: int = 5) -> int:
    """Each thread of this process but the main one gets ``SCHED_RR`` at ``priority`` if it
    has not yet; how many are realtime now."""
    count = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            tid = int(task.name)
            if tid == os.getpid():
                continue
            if os.sched_getscheduler(tid) != os.SCHED_RR:
                os.sched_setscheduler(tid, os.SCHED_RR, os.sched_param(priority))
            count += 1
        except (OSError, ValueError):  # the thread ended meanwhile, or no right to it
            continue
    return count
