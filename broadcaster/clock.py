"""Where "now" comes from. Every decision reads the time once from a clock object, so a whole
trading day can be simulated on a virtual clock and tests never sleep to let time pass."""

from __future__ import annotations

import threading
import time as _time
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """A source of aware UTC instants, and of time passing.

    ``now`` is the wall clock, which can be stepped (an NTP correction, someone setting the
    time); ``monotonic`` counts seconds that really passed, never stepped: lengths of time
    (how long a file played, a fade, a gap) are measured on it."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The wall clock, in UTC (the store's zone is applied only when showing times)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.monotonic()


class FakeClock:
    """A virtual clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
        self._passed = 0.0  # seconds of virtual time passed (set, advance), for ``monotonic``
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._passed

    def set(self, when: datetime) -> None:
        with self._lock:
            if when < self._now:
                raise ValueError("a virtual clock only moves forward")
            self._passed += (when - self._now).total_seconds()
            self._now = when

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._passed += seconds
            return self._now


class JumpingClock(FakeClock):
    """A virtual clock that can also be stepped, as the wall clock is by an NTP correction or
    by someone setting the time: ``set`` and ``advance`` are time passing (never backwards),
    ``jump`` moves the reading either way with no time passing."""

    def jump(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A store's calendar day as instants: its local midnight to the next (23 or 25 hours
    apart on a clock-change day)."""
    return (datetime.combine(day, time(0), zone),
            datetime.combine(day + timedelta(days=1), time(0), zone))  # fmt: skip
