"""The core's thread discipline as a small base class: an inbox, timers and listeners.

Everything that changes the core's state runs on one thread, one message at a time: other
threads ``post`` or ``call`` into the inbox; timers (``schedule``) fire on the same thread; the
loop is driven either by a real thread (``run_forever``) or by a simulator stepping a virtual
clock (``process_pending``, ``next_timer``). Listeners are told of every change.

Timers are wall-clock instants. Most are planned instants (a cue's time: after a step of the
wall clock it still comes at that time); those worked out as a length of time from now (a fade,
a gap, the rest of a track: ``duration=True``) move with a step, so the length is kept. A step
is told apart from time passing by the clock's ``monotonic`` reading.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from broadcaster.clock import Clock

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[str, dict[str, Any]], None]


class Schedule(Protocol):
    """``EventLoop.schedule``, as handed to the loop's collaborators."""

    def __call__(
        self, when: datetime, action: Callable[[], None], *, duration: bool = False
    ) -> None: ...


STEP_S = 1.0  # the wall clock moving this much more (or less) than time passed is a step


class EventLoop:
    """``post``, ``call``, ``subscribe`` and the driving methods are safe from any thread;
    ``schedule`` and ``_changed`` belong to the loop's own thread."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._timers: list[tuple[datetime, int, Callable[[], None], bool]] = []
        self._read_at: tuple[datetime, float] = (clock.now(), clock.monotonic())
        self._timer_seq = itertools.count()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()

    def post(self, action: Callable[[], None]) -> None:
        self._inbox.put(action)

    def call(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` on the loop's thread; the future carries its result."""
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # handed to the caller, who decides what a person sees
                future.set_exception(exc)

        self._inbox.put(run)
        return future

    def schedule(
        self, when: datetime, action: Callable[[], None], *, duration: bool = False
    ) -> None:
        """Run ``action`` on the loop's thread once ``when`` has come (loop thread only).
        ``duration``: ``when`` is now plus a length of time, kept when the wall clock is
        stepped meanwhile (the timer moves with the step)."""
        heapq.heappush(self._timers, (when, next(self._timer_seq), action, duration))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # -- driving: a real thread, or a simulator stepping a virtual clock --------------------
    def run_forever(self, stop: threading.Event) -> None:
        """The thread's loop: wait for a message or the next timer, then act."""
        while not stop.is_set():
            due = self.next_timer()
            timeout = 0.25
            if due is not None:
                timeout = min(timeout, max(0.0, (due - self._clock.now()).total_seconds()))
            try:
                action = self._inbox.get(timeout=timeout)
            except queue.Empty:
                pass
            else:
                self._run(action)
            self.process_pending()

    def process_pending(self) -> None:
        """Handle every waiting message and every timer that is due now."""
        while True:
            try:
                action = self._inbox.get_nowait()
            except queue.Empty:
                self._follow_steps()
                if not self._timers or self._timers[0][0] > self._clock.now():
                    return
                _, _, action, _ = heapq.heappop(self._timers)
            self._run(action)

    def _follow_steps(self) -> None:
        """Move the ``duration`` timers with a step of the wall clock seen since last time."""
        wall, passed = self._clock.now(), self._clock.monotonic()
        step = (wall - self._read_at[0]).total_seconds() - (passed - self._read_at[1])
        self._read_at = (wall, passed)
        if abs(step) < STEP_S:
            return
        log.warning("the wall clock was stepped by %+.1f s: timed lengths keep their length, "
                    "planned instants their time", step)  # fmt: skip
        shift = timedelta(seconds=step)
        self._timers = [(when + shift if duration else when, seq, action, duration)
                        for when, seq, action, duration in self._timers]  # fmt: skip
        heapq.heapify(self._timers)

    def next_timer(self) -> datetime | None:
        return self._timers[0][0] if self._timers else None

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # one bad message must not silence the building
            log.exception("core action failed")
        try:
            self._after_action()
        except Exception:
            log.exception("core action failed")

    def _after_action(self) -> None:
        """After every message and timer (a subclass acts on what its parts answered)."""

    # -- what listeners see -----------------------------------------------------------------
    def _before_telling(self) -> None:
        """Bring what listeners may read up to date (a subclass's status snapshot)."""

    def _changed(self, kind: str, data: dict[str, Any]) -> None:
        self._before_telling()
        payload = {"event": kind, "at": self._clock.now().isoformat(), **data}
        for key, value in payload.items():
            if isinstance(value, datetime):
                payload[key] = value.isoformat()
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(kind, payload)
            except Exception:
                log.exception("a status listener failed")
