"""The core's thread discipline as a small base class: an inbox, timers and listeners.

Everything that changes the core's state runs on one thread, one message at a time: other
threads ``post`` or ``call`` into the inbox; timers (``schedule``) fire on the same thread; the
loop is driven either by a real thread (``run_forever``) or by a simulator stepping a virtual
clock (``process_pending``, ``next_timer``). Listeners are told of every change.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TypeVar

from broadcaster.clock import Clock

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[str, dict[str, Any]], None]


class EventLoop:
    """``post``, ``call``, ``subscribe`` and the driving methods are safe from any thread;
    ``schedule`` and ``_changed`` belong to the loop's own thread."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._timers: list[tuple[datetime, int, Callable[[], None]]] = []
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

    def schedule(self, when: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` on the loop's thread once ``when`` has come (loop thread only)."""
        heapq.heappush(self._timers, (when, next(self._timer_seq), action))

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
                if not self._timers or self._timers[0][0] > self._clock.now():
                    return
                _, _, action = heapq.heappop(self._timers)
            self._run(action)

    def next_timer(self) -> datetime | None:
        return self._timers[0][0] if self._timers else None

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # one bad message must not silence the building
            log.exception("core action failed")

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
