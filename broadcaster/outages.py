"""The play log's record of the output's outages: one ``fault`` row per outage, from when the
output noticed it to when the sound came back (or the daemon stopped)."""

from __future__ import annotations

from datetime import datetime

from broadcaster.audio.output import OUTPUT
from broadcaster.playlog import LogKind, Outcome, PlayLog

FAULT_TITLE = "音频输出故障 / audio output fault"


class OutageRows:
    def __init__(self, playlog: PlayLog, log_zone: str | None = None) -> None:
        self._log = playlog
        self._zones = None if log_zone is None else (log_zone,)  # what its rows name
        self._row: int | None = None  # the row of the outage now on

    def told(self, fault: str, at: datetime) -> None:
        """The output's fault text now ("" when the sound is back)."""
        if fault and self._row is None:
            self._row = self._log.open(
                zones=self._zones,
                layer=OUTPUT, kind=LogKind.FAULT.value, title=FAULT_TITLE, requested_by="audio output",
                requested_at=at, started_at=at, detail=fault[:1000],
            )  # fmt: skip
        elif not fault and self._row is not None:
            self._log.close(self._row, ended_at=at, outcome=Outcome.RECOVERED, detail="sound back")
            self._row = None

    def stopped(self, at: datetime) -> None:
        if self._row is not None:
            self._log.close(self._row, ended_at=at, outcome=Outcome.FAILED,
                            detail="daemon stopped while the fault was on")  # fmt: skip
            self._row = None
