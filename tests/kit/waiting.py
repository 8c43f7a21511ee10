"""Waiting in real time for a running daemon to do something, with what it was in the failure."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(what: str, predicate: Callable[[], T | None], seconds: float) -> T:
    """The first truthy value of ``predicate`` (polled every 50 ms); AssertionError naming
    ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


def seconds_until(predicate: Callable[[], object], seconds: float) -> float | None:
    """Seconds until ``predicate()`` holds (polled every 50 ms), or None after ``seconds``: for
    the benches, which report how long a recovery took rather than fail."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.05)
    return None
