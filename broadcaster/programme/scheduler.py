"""The live scheduler: APScheduler at the edge. Its jobs only hand due cues to the core.

1. On start: plan yesterday (for trading past midnight) and today; switch each zone's bed to the
   daypart that is current there now; catch up on missed cues (CueFeeder.catch_up); add a date job for every
   cue still ahead, ``LEAD`` before its instant, and one for every daypart boundary ahead.
2. Every day just after local midnight, and whenever the programme changes: plan again and
   replace the jobs, from now on; a daypart that now covers this moment in a zone and did not
   before takes over that zone's bed at once (by its own ``cut``) (past cues are not replayed, nor those already handed over:
   after the wall clock is set back, their instants come round again).

The jobs run by the wall clock, which can be stepped (an NTP correction, someone setting the
time): APScheduler looks at it at least every second (``WallClockScheduler``) and runs a job
however late it finds it; the feeder decides by the cue's own grace, and hands a cue over once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from broadcaster.clock import Clock
from broadcaster.programme.feeder import LEAD, CueFeeder, is_ahead
from broadcaster.programme.planner import plan_day
from broadcaster.programme.spec import Cue, Daypart, Programme, Timeline

log = logging.getLogger(__name__)
CUE_JOB = "cue:"
DAYPART_JOB = "daypart:"
MAX_SLEEP_S = 1.0  # how soon a step of the wall clock is seen


class WallClockScheduler(BackgroundScheduler):
    """APScheduler, never asleep for longer than ``MAX_SLEEP_S``.

    It sleeps until its next job on a monotonic timer, worked out from the wall clock when it
    goes to sleep. A step of the wall clock meanwhile is not seen: 2 minutes forward, and it
    woke up 2 minutes late and dropped every job it then found more than ``misfire_grace_time``
    late (cues jumped over or not, a daypart change, the plan of the new day), without a trace.
    """

    def _process_jobs(self) -> float | None:
        wait = super()._process_jobs()
        return MAX_SLEEP_S if wait is None else min(wait, MAX_SLEEP_S)


class LiveScheduler:
    def __init__(
        self,
        *,
        clock: Clock,
        zone: ZoneInfo,
        feeder: CueFeeder,
        load: Callable[[], Programme],
    ) -> None:
        self._clock, self._zone, self._feeder, self._load = clock, zone, feeder, load
        self._scheduler = WallClockScheduler(
            timezone=zone,
            # However late a job runs, it runs: the feeder logs a cue past its grace ``missed``.
            job_defaults={"misfire_grace_time": None},
            executors={"default": ThreadPoolExecutor(2)},  # jobs only hand cues over: quick
        )
        self._lock = threading.Lock()
        self.timelines: list[Timeline] = []

    def start(self) -> None:
        now = self._clock.now()
        self.timelines = self._plan(now)
        for daypart in dict.fromkeys(self._feeder.music_by_zone(self.timelines, now).values()):
            self._feeder.start_daypart(daypart, cut=True)
        midnight = datetime.combine(now.astimezone(self._zone).date(), time(0), self._zone)
        ahead = self._feeder.catch_up(self.timelines, now, since=midnight)
        self._scheduler.start()
        self._scheduler.add_job(
            self.replan, CronTrigger(hour=0, minute=0, second=5, timezone=self._zone),
            id="replan-midnight",
        )  # fmt: skip
        self._install(ahead, now)

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def replan(self) -> None:
        """Plan again from now on: the programme changed, or a new day began."""
        now = self._clock.now()
        before = self._feeder.music_by_zone(self.timelines, now)
        self.timelines = self._plan(now)
        # A daypart saved during its own hours (issue 14) takes over the zones where the music
        # changed.
        changed: dict[Daypart, list[str]] = {}
        for zone_id, after in self._feeder.music_by_zone(self.timelines, now).items():
            if zone_id not in before or _music(before[zone_id]) != _music(after):
                changed.setdefault(after, []).append(zone_id)
        for daypart, zone_ids in changed.items():
            whole = set(zone_ids) >= self._feeder.zone_map.ids
            self._feeder.start_daypart(daypart, zones=None if whole else zone_ids)
        self._feeder.forget_before(now - timedelta(days=2))
        cues = [c for t in self.timelines for c in t.cues if not self._feeder.accounted_for(c)]
        self._install([c for c in cues if is_ahead(c, now)], now)
        # Due in less than LEAD (a rule saved moments before its time, or a hand-over job the
        # new plan replaced before it ran): no job would hand them over any more; do it now.
        for cue in cues:
            if now < cue.planned_at and not is_ahead(cue, now):
                self._feeder.hand(cue)

    def _plan(self, now: datetime) -> list[Timeline]:
        today = now.astimezone(self._zone).date()
        programme = self._load()
        zone_map = self._feeder.zone_map
        timelines = [plan_day(programme, today - timedelta(days=1), self._zone, zone_map),
                     plan_day(programme, today, self._zone, zone_map)]  # fmt: skip
        for timeline in timelines:
            for warning in timeline.warnings:
                log.warning("plan %s: %s", timeline.day, warning)
        return timelines

    def _install(self, ahead: list[Cue], now: datetime) -> None:
        with self._lock:
            for job in self._scheduler.get_jobs():
                if job.id.startswith((CUE_JOB, DAYPART_JOB)):
                    job.remove()
            for cue in ahead:
                self._scheduler.add_job(
                    self._feeder.hand, DateTrigger(cue.planned_at - LEAD), args=[cue],
                    id=CUE_JOB + cue.key,
                )  # fmt: skip
            for timeline in self.timelines:
                for daypart in timeline.dayparts:
                    if daypart.start > now:
                        # A daypart split by a higher one is two pieces of one rule and day;
                        # one that gave way in some zones, pieces for the others.
                        piece = f"{daypart.rule_id}:{timeline.day}:{daypart.start.isoformat()}"
                        if daypart.zones:
                            piece += ":" + ",".join(daypart.zones)
                        self._scheduler.add_job(
                            self._feeder.start_daypart, DateTrigger(daypart.start),
                            args=[daypart], id=f"{DAYPART_JOB}{piece}",
                        )  # fmt: skip
        log.info("scheduled %d cues ahead", len(ahead))

    def upcoming(self, limit: int = 10) -> list[dict[str, Any]]:
        """The next cues today, for the status: what the programme plays next (and its rule's
        zones and groups; empty: every zone)."""
        now = self._clock.now()
        cues = sorted((c for t in self.timelines for c in t.cues if c.planned_at > now),
                      key=lambda c: c.planned_at)  # fmt: skip
        return [{"planned_at": c.planned_at.isoformat(), "rule": c.rule_name,
                 "title": c.content.title or c.rule_name, "kind": c.content.kind.value,
                 "zones": list(c.zones)}
                for c in cues[:limit]]  # fmt: skip


def _music(daypart: Daypart) -> tuple[int, str]:
    return daypart.rule_id, daypart.playlist
