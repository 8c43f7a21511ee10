"""Rehearse a whole day: the real core, arbiter and feeder on a fake output and virtual clock.

`broadcaster simulate --date D` prints the play log the day would produce, with interrupts
injected as the service desk or an emergency would cause them ("10:15 page", "14:00 emergency
90"). Nothing is played and the real database is not touched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.core import Core
from broadcaster.db import make_engine
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile, Misfit, segments_for
from broadcaster.library.music import MusicLibrary
from broadcaster.playlog import PlayLogPublic
from broadcaster.programme.feeder import LEAD
from broadcaster.programme.planner import plan_day
from broadcaster.programme.spec import Programme, Timeline
from broadcaster.requests import Kind, Request, Segment
from broadcaster.scripts.book import ScriptBook
from broadcaster.settings import AudioSettings
from broadcaster.simulation import VirtualDriver
from broadcaster.speakers import ZoneOutput
from broadcaster.station import build_station
from broadcaster.zones.model import ZoneMap

INJECTABLE = ("page", "announcement", "emergency")
DEFAULT_FILES = {"page": "announcements/lost_child_zh.wav",
                 "announcement": "announcements/attention_zh.wav",
                 "emergency": "announcements/evacuation_zh.wav"}  # fmt: skip


class InjectionError(ValueError):
    """An --inject option that cannot be understood."""


@dataclass(frozen=True)
class Injection:
    at: time
    kind: str
    argument: str = ""  # a file for page/announcement, a duration in seconds for emergency


def parse_injection(text: str) -> Injection:
    """'HH:MM[:SS] page|announcement|emergency [file or seconds]'."""
    parts = text.split()
    if len(parts) < 2 or parts[1] not in INJECTABLE:
        raise InjectionError(
            f"--inject {text!r}: use 'HH:MM kind [file|seconds]', kind one of {INJECTABLE}"
        )
    try:
        when = time.fromisoformat(parts[0])
    except ValueError as exc:
        raise InjectionError(f"--inject {text!r}: {parts[0]!r} is not a time like 10:15") from exc
    return Injection(when, parts[1], " ".join(parts[2:]))


@dataclass
class DayResult:
    timeline: Timeline
    rows: list[PlayLogPublic]
    wall_seconds: float


def simulate_day(
    programme: Programme,
    day: date,
    zone: ZoneInfo,
    *,
    data_dir: Path,
    music_dir: Path,
    chime: Path,
    alert: Path,
    audio: AudioSettings | None = None,
    injections: tuple[Injection, ...] = (),
    scripts: ScriptBook | None = None,
    library: MusicLibrary | None = None,
    emergency: EmergencyProfile = DEFAULT_PROFILE,
    zone_map: ZoneMap | None = None,
) -> DayResult:
    """1. Plan the day (for the sound zones of ``zone_map``; None: one zone). 2. Start a core
    on a fake output per zone at the first planned moment less a few minutes. 3. Walk the virtual clock through every hand-over (cues LEAD early, daypart
    starts, injections) exactly as the live scheduler would. 4. Run past the last item and
    return the play log."""
    import time as wall

    began = wall.perf_counter()
    for injection in injections:
        if injection.kind != "emergency":
            name = injection.argument or DEFAULT_FILES[injection.kind]
            if not (data_dir / name).is_file():
                raise InjectionError(f"--inject: no file {name} in the data dir {data_dir}")
    zone_map = zone_map or ZoneMap()
    timeline = plan_day(programme, day, zone, zone_map)
    moments = [c.planned_at for c in timeline.cues] + [d.start for d in timeline.dayparts]
    moments += [d.end for d in timeline.dayparts]
    if timeline.opening and timeline.closing:
        moments += [timeline.opening, timeline.closing]
    local = [datetime.combine(day, i.at, zone) for i in injections]
    moments += local
    if not moments:
        return DayResult(timeline, [], wall.perf_counter() - began)
    start, end = min(moments) - timedelta(minutes=10), max(moments) + timedelta(minutes=10)

    with tempfile.TemporaryDirectory(prefix="broadcaster-sim-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'sim.db'}")
        clock = FakeClock(start)
        if library is None:
            library = MusicLibrary(engine, music_dir=music_dir, target_lufs=-20.0,
                                   unmeasured_gain_db=0.0, seed=0)  # fmt: skip
        # A store of zones: each its own fake output and music, as the daemon builds them.
        outputs = {z.id: FakeOutput(clock) for z in zone_map} if not zone_map.single else {}
        output = next(iter(outputs.values()), None) or FakeOutput(clock)
        station = build_station(
            clock=clock, output=output, engine=engine, music=library.everything(),
            audio=audio, gain_for=library.gain_for, emergency=emergency, desk=False,
            zones=[ZoneOutput(z, out, library.everything()) for z, out in outputs.items()],
        )  # fmt: skip
        core, playlog = station.core, station.playlog
        driver = VirtualDriver(clock, list(outputs.values()) or output, core)
        feeder = station.feed(data_dir=data_dir, playlists=library.playlist, tz=zone,
                              scripts=scripts, zone_map=zone_map)  # fmt: skip
        core.start()
        steps: list[tuple[datetime, int, Callable[[], None]]] = []
        for n, cue in enumerate(timeline.cues):
            steps.append((cue.planned_at - LEAD, n, partial(feeder.hand, cue)))
        for n, daypart in enumerate(timeline.dayparts):
            steps.append((daypart.start, n, partial(feeder.start_daypart, daypart)))
        for n, (injection, when) in enumerate(zip(injections, local, strict=True)):
            for step in _injection_steps(injection, when, core, clock, data_dir, chime, alert,
                                         emergency):  # fmt: skip
                steps.append((step[0], 10_000 + n, step[1]))
        for when, _, action in sorted(steps, key=lambda s: (s[0], s[1])):
            driver.run_until(max(when, clock.now()))
            action()
            core.process_pending()
        driver.run_until(end)
        core.shutdown()
        rows = playlog.query(limit=1_000_000)
        engine.dispose()
    return DayResult(timeline, rows, wall.perf_counter() - began)


def _injection_steps(
    injection: Injection, when: datetime, core: Core, clock: FakeClock, data_dir: Path,
    chime: Path, alert: Path, emergency: EmergencyProfile,
) -> list[tuple[datetime, Callable[[], None]]]:  # fmt: skip
    def segment(path: Path) -> Segment:
        return Segment(
            path, core.precheck.future(path).result(0).duration_ms
        )  # the fake answers now

    by = "simulation"
    if injection.kind == "emergency":
        seconds = float(injection.argument or 60)
        message = data_dir / DEFAULT_FILES["emergency"]

        def start() -> None:
            segments = segments_for(emergency, segment(alert), segment(message))
            if isinstance(segments, Misfit):
                raise InjectionError(f"--inject emergency: {segments.message}")
            core.start_emergency(Request(Kind.EMERGENCY, "emergency (rehearsal)", segments, by,
                                         clock.now()))  # fmt: skip

        def clear() -> None:
            core.clear_emergency(by)

        return [(when, start), (when + timedelta(seconds=seconds), clear)]

    kind = Kind.PAGE if injection.kind == "page" else Kind.ANNOUNCEMENT
    path = data_dir / (injection.argument or DEFAULT_FILES[injection.kind])

    def submit() -> None:
        segments = (segment(chime), segment(path)) if kind is Kind.PAGE else (segment(path),)
        core.submit(Request(kind, f"{injection.kind} (rehearsal)", segments, by, clock.now()))

    return [(when, submit)]
