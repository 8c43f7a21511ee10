"""Drive the real core on a virtual clock: jump from one due event to the next.

Tests use it to play minutes of broadcast in milliseconds; the day simulator will use it for a
whole trading day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.core import Core


class VirtualDriver:
    def __init__(self, clock: FakeClock, output: FakeOutput, core: Core) -> None:
        self.clock, self.output, self.core = clock, output, core

    def run_until(self, when: datetime) -> None:
        """Process everything due up to ``when`` and leave the clock there."""
        self.core.process_pending()
        while True:
            due = [t for t in (self.output.next_due(), self.core.next_timer()) if t is not None]
            step = min(due) if due else None
            if step is None or step > when:
                break
            self.clock.set(max(step, self.clock.now()))
            self.output.pump()
            self.core.process_pending()
        self.clock.set(max(when, self.clock.now()))
        self.output.pump()
        self.core.process_pending()

    def run_for(self, seconds: float) -> None:
        self.run_until(self.clock.now() + timedelta(seconds=seconds))
