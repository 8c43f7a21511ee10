"""Drive the real core on a virtual clock: jump from one due event to the next.

Tests use it to play minutes of broadcast in milliseconds; the day simulator will use it for a
whole trading day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.core import Core


class VirtualDriver:
    """``output``: the fake output, or one per zone."""

    def __init__(
        self, clock: FakeClock, output: FakeOutput | Sequence[FakeOutput], core: Core
    ) -> None:
        self.clock, self.core = clock, core
        self.outputs = [output] if isinstance(output, FakeOutput) else list(output)

    def run_until(self, when: datetime) -> None:
        """Process everything due up to ``when`` and leave the clock there."""
        self.core.process_pending()
        while True:
            due = [t for t in (*(o.next_due() for o in self.outputs), self.core.next_timer())
                   if t is not None]  # fmt: skip
            step = min(due) if due else None
            if step is None or step > when:
                break
            self.clock.set(max(step, self.clock.now()))
            self._pump()
        self.clock.set(max(when, self.clock.now()))
        self._pump()

    def _pump(self) -> None:
        for output in self.outputs:
            output.pump()
        self.core.process_pending()

    def run_for(self, seconds: float) -> None:
        self.run_until(self.clock.now() + timedelta(seconds=seconds))
