"""The wall clock is stepped 2 minutes forward or back (an NTP correction, someone setting the
time) around programme cues: no cue plays twice, and none is lost — a cue jumped over plays if
still within its grace, or is logged ``missed`` once.

The real LiveScheduler, APScheduler, CueFeeder, core and play log run on a virtual clock. Only
what APScheduler takes from the machine is replaced: the wall clock it reads (the virtual one)
and its thread's sleep. That sleep is monotonic (``threading.Event.wait``): the wall instant it
ends at moves with every step of the wall clock, which is what ``Room.jump`` does to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import Clock, JumpingClock
from broadcaster.core import Core
from broadcaster.db import make_engine
from broadcaster.playlog import PlayLog, PlayLogPublic
from broadcaster.programme import scheduler as scheduler_module
from broadcaster.programme.scheduler import LiveScheduler
from broadcaster.programme.spec import Content, ContentKind, DayType, Programme, Rule, RuleKind
from broadcaster.station import build_station
from playlists.sources import track_list

ZONE = ZoneInfo("UTC")
SPEECH = Path("/audio/speech.wav")  # 5 s
MUSIC = [Path(f"/music/{name}.ogg") for name in ("one", "two", "three")]  # 3 min each
DAY = date(2026, 11, 23)


def at(clock_time: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock_time), ZONE)


def fixed(rule_id: int, name: str, clock_time: str, grace_s: int) -> Rule:
    content = Content(ContentKind.SPEECH, SPEECH.name, name)
    return Rule(rule_id, name, RuleKind.FIXED, grace_s=grace_s, cut=True, content=content,
                at=time.fromisoformat(clock_time))  # fmt: skip


def programme(*rules: Rule) -> Programme:
    all_day = DayType("all day", time(0), time(0))
    return Programme({all_day.name: all_day}, dict.fromkeys(range(7), all_day.name), {}, rules)


def clock_datetime(clock: Clock) -> type[datetime]:
    """``datetime`` as APScheduler's modules use it, with ``now`` read from ``clock``."""

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return clock.now().astimezone(tz)

    return ClockDatetime


@dataclass
class Room:
    """The broadcast room's programme path on a virtual clock, driven event by event."""

    clock: JumpingClock
    output: FakeOutput
    core: Core
    playlog: PlayLog
    live: LiveScheduler
    rules: list[Rule]
    asleep_until: datetime | None = None  # when APScheduler's sleep ends, as a wall instant
    woken: list[bool] = field(default_factory=lambda: [False])

    @property
    def apscheduler(self) -> Any:
        return self.live._scheduler

    def start(self) -> None:
        self.live.start()
        self.core.process_pending()
        self.run_until(self.clock.now())

    def change_programme(self, rule: Rule) -> None:
        """The supervisor saves a rule: the daemon plans again (Daemon.programme_changed)."""
        self.rules.append(rule)
        self.live.replan()

    def jump(self, seconds: float) -> None:
        self.clock.jump(seconds)
        if self.asleep_until is not None:
            self.asleep_until += timedelta(seconds=seconds)

    def run_until(self, when: datetime) -> None:
        while True:
            self.core.process_pending()
            if self.woken[0] or (self.asleep_until and self.asleep_until <= self.clock.now()):
                self._scheduler_wakes()
                continue
            due = [t for t in (self.output.next_due(), self.core.next_timer(), self.asleep_until)
                   if t is not None]  # fmt: skip
            step = min(due) if due else None
            if step is None or step > when:
                break
            self.clock.set(max(step, self.clock.now()))
            self.output.pump()
        self.clock.set(max(when, self.clock.now()))
        self.output.pump()
        self.core.process_pending()

    def _scheduler_wakes(self) -> None:
        """One turn of APScheduler's main loop: run what is due, then sleep as long as it asks."""
        self.woken[0] = False
        wait = self.apscheduler._process_jobs()
        self.core.process_pending()
        self.asleep_until = None if wait is None else self.clock.now() + timedelta(seconds=wait)

    def rows(self, name: str) -> list[PlayLogPublic]:
        key = {r.name: r.id for r in self.rules}[name]
        return [row for row in self.playlog.query() if row.cue_key == f"{key}:{DAY}:0"]

    def voice_plays(self) -> list[datetime]:
        return [record.at for record in self.output.history if record.layer == "voice"]


@pytest.fixture
def make_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rooms: list[Room] = []

    def make(start: datetime, *rules: Rule) -> Room:
        clock = JumpingClock(start)
        for module in (apscheduler.schedulers.base, apscheduler.executors.base):
            monkeypatch.setattr(module, "datetime", clock_datetime(clock))
        woken = [False]

        def wakeup(self: BaseScheduler) -> None:
            woken[0] = True

        # No thread: Room drives the main loop. Jobs run as they are submitted.
        monkeypatch.setattr(BackgroundScheduler, "start", BaseScheduler.start)
        monkeypatch.setattr(BackgroundScheduler, "shutdown", BaseScheduler.shutdown)
        monkeypatch.setattr(BackgroundScheduler, "wakeup", wakeup)
        monkeypatch.setattr(scheduler_module, "ThreadPoolExecutor", lambda workers: DebugExecutor())
        durations = {**dict.fromkeys(MUSIC, 180_000), SPEECH: 5000}
        output = FakeOutput(clock, durations=durations)
        station = build_station(clock=clock, output=output, music=track_list(MUSIC),
                                engine=make_engine(f"sqlite:///{tmp_path / 'log.db'}"),
                                desk=False)  # fmt: skip
        core, playlog = station.core, station.playlog
        core.start()
        feeder = station.feed(data_dir=SPEECH.parent, playlists=lambda name: track_list(MUSIC),
                              tz=ZONE, scripts=None)  # fmt: skip
        listed = list(rules)
        live = LiveScheduler(clock=clock, zone=ZONE, feeder=feeder,
                             load=lambda: programme(*listed))  # fmt: skip
        room = Room(clock, output, core, playlog, live, listed, woken=woken)
        rooms.append(room)
        room.start()
        return room

    yield make
    for room in rooms:
        room.live.stop()


def test_a_jump_forward_plays_the_cues_jumped_over_within_grace_and_logs_the_rest_missed(
    make_room,
):
    room = make_room(
        at("02:00:00"),
        fixed(1, "held", "02:00:43", grace_s=300),  # handed to the core before the jump
        fixed(2, "within grace", "02:01:00", grace_s=300),
        fixed(3, "past grace", "02:01:30", grace_s=60),
        fixed(4, "after", "02:03:00", grace_s=5),
    )
    room.run_until(at("02:00:40"))
    room.jump(+120)  # 02:02:40
    room.run_until(at("02:10:00"))

    for name in ("held", "within grace", "past grace", "after"):
        assert len(room.rows(name)) == 1, (name, room.rows(name))
    (held,), (within,), (past,), (after,) = (room.rows(n) for n in
                                             ("held", "within grace", "past grace", "after"))  # fmt: skip
    assert held.outcome == "completed" and held.started_at
    assert within.outcome == "completed" and within.started_at
    assert at("02:02:40") <= within.started_at <= at("02:02:40") + timedelta(seconds=15)
    assert past.outcome == "missed" and past.started_at is None
    assert re.search(r"\((70|71) s late\)", past.detail), past.detail  # seen within a second
    assert after.outcome == "completed" and after.started_at
    assert after.started_at - at("02:03:00") <= timedelta(seconds=2)  # on time, grace 5 s
    assert len(room.voice_plays()) == 3


def test_the_first_cue_after_a_jump_forward_still_plays_on_time(make_room):
    """APScheduler went to sleep until this cue's job; a step forward must not make it wake up
    two minutes late (and then drop the job as misfired)."""
    room = make_room(at("02:00:00"), fixed(1, "after", "02:03:00", grace_s=30))
    room.run_until(at("02:00:40"))
    room.jump(+120)
    room.run_until(at("02:10:00"))

    (after,) = room.rows("after")
    assert after.outcome == "completed" and after.started_at
    assert after.started_at - at("02:03:00") <= timedelta(seconds=2)


def test_a_jump_forward_over_midnight_still_plans_the_new_day(make_room):
    """The plan of the new day is made by a job just after midnight: jumped over, it must still
    run, or the whole day goes by without its programme."""
    day_before = DAY - timedelta(days=1)
    room = make_room(at("23:58:00", day_before), fixed(1, "early", "00:05:00", grace_s=60))
    room.run_until(at("23:59:00", day_before))
    room.jump(+120)  # 00:01:00 on DAY
    room.run_until(at("00:10:00"))

    (early,) = room.rows("early")
    assert early.outcome == "completed" and early.started_at
    assert early.started_at - at("00:05:00") <= timedelta(seconds=2)


@pytest.mark.parametrize("programme_changes", [False, True], ids=["as planned", "replanned"])
def test_a_jump_back_plays_nothing_twice_and_the_repeated_cues_not_yet_played_once(
    make_room, programme_changes
):
    room = make_room(
        at("02:00:00"),
        fixed(1, "played", "02:01:00", grace_s=60),  # on air 02:01:00-02:01:05
        fixed(2, "held", "02:01:30", grace_s=60),  # handed at 02:01:25, waits in the core
        fixed(3, "ahead", "02:02:00", grace_s=60),  # not yet handed at the jump
    )
    room.run_until(at("02:01:27"))
    assert [r.outcome for r in room.rows("played")] == ["completed"]
    room.jump(-120)  # 01:59:27: 02:01:00 comes round again
    room.run_until(at("01:59:40"))
    if programme_changes:  # the supervisor saves a rule meanwhile: the daemon plans again
        room.change_programme(fixed(4, "later", "03:00:00", grace_s=60))
    room.run_until(at("02:10:00"))

    played, held, ahead = room.rows("played"), room.rows("held"), room.rows("ahead")
    assert [r.outcome for r in played] == ["completed"], played
    assert [r.outcome for r in held] == ["completed"], held
    assert [r.outcome for r in ahead] == ["completed"], ahead
    assert held[0].started_at and held[0].started_at - at("02:01:30") <= timedelta(seconds=2)
    assert ahead[0].started_at and ahead[0].started_at - at("02:02:00") <= timedelta(seconds=2)
    assert len(room.voice_plays()) == 3


def test_a_rule_saved_moments_before_its_time_still_plays_on_time(make_room):
    """Saved 3 s before its cue, within the hand-over's lead (5 s): no job can hand it over
    any more, so the new plan does at once (it was neither played nor logged)."""
    room = make_room(at("02:00:00"))
    room.run_until(at("02:00:57"))
    room.change_programme(fixed(1, "just in time", "02:01:00", grace_s=30))
    room.run_until(at("02:02:00"))
    (row,) = room.rows("just in time")
    assert row.outcome == "completed" and row.started_at == at("02:01:00")
