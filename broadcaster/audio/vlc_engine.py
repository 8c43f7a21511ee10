"""The engine thread of the VLC outputs: the only thread that calls libvlc. Every zone's
``VlcOutput`` of a daemon shares one (``zone_outputs``), so what the core commands to all
zones in one step (an emergency's alert, after their beds' stops) runs back to back on one
thread, not on a thread per zone each woken when the scheduler lets it.

Measured (bench/zones.py, 4 zones on 2 cores, load average about 4): with a thread per zone
the engines took the same emergency's plays up to 20 ms apart in a traced run, and the zones'
first alert samples were 38 ms apart at p95; on one thread (with the alert armed, ``vlc_armed``:
each zone's part is two mutes and pauses of its bed and one unpause) 14 ms at p95.

An armed start (an unpause: ``start_after_hush``) waits for the end of its batch and until
``START_GAP_S`` after the last player was silenced (``hushed``: a bed stopped for the
emergency), so every zone's beds are paused before any zone's alert starts, and all the
alerts start back to back. Measured (``bench/armed_start.py --one-card --vlc-bed``, two zones
on one card, 20 rounds, quiet machine): with the beds paused in the same burst as the alerts
start, the zones' skew was p50 0.0 / p95 7.3 ms; with the beds paused 10 ms before, p50 0.0 /
p95 0.1 ms (20 ms: 0.0 / 0.0). The sound server starting a stream on a card whose other
streams are being corked at that moment is what spread them. Zones on sinks of their own (two
cards) keep their cards' own phase (about 10 ms apart there, gap or not).

Steps of the thread, until its last output leaves:
1. Wait up to 20 ms for a command; run it and every command already waiting (a batch).
2. The armed starts of the batch, once ``START_GAP_S`` has passed since the last silencing;
   commands arriving meanwhile (another zone's part of the same step) run first.
3. Each output's ``after_batch``: the slow releases and re-arming (``settle``), fades, and
   every 50 ms positions and the output's health.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

TICK_S = 0.02
START_GAP_S = 0.010  # between the last silencing and an armed start (see above)
Job = Callable[[], None]


class Member(Protocol):
    def after_batch(self, now: float) -> None:
        """After every batch of commands (and every ``TICK_S`` without one)."""


class VlcEngine:
    """One thread running the commands of the outputs that ``join`` it, in the order given."""

    def __init__(self, name: str = "vlc-output") -> None:
        self._name = name
        self._inbox: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._members: list[Member] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._starts: list[Job] = []  # armed starts of this batch (engine thread only)
        self._quiet_from = 0.0  # monotonic: START_GAP_S after the last silencing

    def put(self, job: Job) -> None:
        self._inbox.put(job)

    def join(self, member: Member, first: Job) -> None:
        """``member`` takes part from now on; ``first`` is its first command."""
        with self._lock:
            self._inbox.put(first)
            self._inbox.put(lambda: self._members.append(member))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def leave(self, member: Member, last: Job, timeout: float = 10.0) -> None:
        """``last`` (its shutdown) runs on the thread, then ``member`` takes no more part;
        waits for that unless called on the thread itself."""
        done = threading.Event()

        def going() -> None:
            try:
                last()
            finally:
                with contextlib.suppress(ValueError):
                    self._members.remove(member)
                done.set()

        self._inbox.put(going)
        if not self.on_thread():
            done.wait(timeout)

    def hushed(self) -> None:
        """A player was silenced (paused) just now: armed starts wait ``START_GAP_S``."""
        self._quiet_from = time.monotonic() + START_GAP_S

    def start_after_hush(self, job: Job) -> None:
        """Run ``job`` (an armed start, on the engine thread) after this batch's commands, once
        ``START_GAP_S`` has passed since the last silencing."""
        self._starts.append(job)

    def on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def guarded(self, job: Job) -> None:
        try:
            job()
        except Exception:  # the engine must outlive any one bad command or sink
            log.exception("VLC output engine: a step failed")

    def _run(self) -> None:
        while True:
            with contextlib.suppress(queue.Empty):
                self._batch(self._inbox.get(timeout=TICK_S))
            self._run_starts()
            now = time.monotonic()
            for member in list(self._members):
                self.guarded(functools.partial(member.after_batch, now))
            with self._lock:
                if not self._members and self._inbox.empty():
                    self._thread = None  # the next join starts a new thread
                    return

    def _batch(self, job: Job) -> None:
        """``job`` and every command already waiting."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.guarded(job)
                job = self._inbox.get_nowait()

    def _run_starts(self) -> None:
        while self._starts:
            wait = self._quiet_from - time.monotonic()
            if wait > 0:
                with contextlib.suppress(queue.Empty):
                    self._batch(self._inbox.get(timeout=wait))
                continue
            starts, self._starts = self._starts, []
            for start in starts:
                self.guarded(start)
