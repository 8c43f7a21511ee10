"""One station built in one place: the daemon, the day simulator and the tests all build the
air path here, so what they run is wired the same way.

A station is the air and what hangs on it:

1. one ordered ``Writer`` and the ``PlayLog`` it writes (the air never waits for the database);
2. the ``Core`` on the given output, with its music bed, its voice layer and the one
   ``Prechecker`` every file goes through before air;
3. with ``desk``: the service desk's ``Pager`` and the ``AirStore`` that keeps what an accepted
   request needs to survive a crash (both hooked to the core before it starts);
4. ``feed``: the programme's ``CueFeeder``, which turns due cues into requests.

Nothing is started here: the caller starts the core (a thread, or a virtual clock's driver).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from broadcaster.air_store import AirStore
from broadcaster.audio.output import AudioOutput
from broadcaster.bed_tracks import MusicSource
from broadcaster.clock import Clock
from broadcaster.core import Core
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile
from broadcaster.paging.pager import Pager
from broadcaster.playlog import PlayLog
from broadcaster.precheck import Prechecker
from broadcaster.programme.feeder import CueFeeder
from broadcaster.proof import ON_TIME_S
from broadcaster.scripts.book import ScriptBook
from broadcaster.settings import AudioSettings
from broadcaster.speakers import ZoneOutput
from broadcaster.writer import Writer
from broadcaster.zones.model import ZoneMap


@dataclass
class Station:
    clock: Clock
    output: AudioOutput
    writer: Writer
    playlog: PlayLog
    core: Core
    pager: Pager | None = None
    air_store: AirStore | None = None
    feeder: CueFeeder | None = None

    @property
    def precheck(self) -> Prechecker:
        return self.core.precheck

    def feed(
        self,
        *,
        data_dir: Path,
        playlists: Callable[[str], MusicSource],
        tz: ZoneInfo,
        scripts: ScriptBook | None,
        zone_map: ZoneMap | None = None,
    ) -> CueFeeder:
        """The programme's feeder on this station (once the scripts can be read);
        ``zone_map``: the settings' sound zones, which the rules name (``CueFeeder``)."""
        self.feeder = CueFeeder(
            core=self.core, playlog=self.playlog, clock=self.clock, data_dir=data_dir,
            playlists=playlists, zone=tz, scripts=scripts, zone_map=zone_map,
        )  # fmt: skip
        return self.feeder


def build_station(
    *,
    clock: Clock,
    output: AudioOutput,
    engine: Engine,
    music: MusicSource,
    audio: AudioSettings | None = None,
    gain_for: Callable[[Path], float] = lambda path: 0.0,
    emergency: EmergencyProfile = DEFAULT_PROFILE,
    on_time_s: float = ON_TIME_S,
    zones: Sequence[ZoneOutput] = (),
    desk: bool = True,
) -> Station:
    """``zones``: each zone's output and music (``Core``); none: one zone on ``output``."""
    writer = Writer(engine)
    playlog = PlayLog(engine, writer)
    core = Core(
        clock=clock, output=output, playlog=playlog, music=music, audio=audio or AudioSettings(),
        gain_for=gain_for, emergency=emergency, on_time_s=on_time_s, zones=zones,
    )  # fmt: skip
    station = Station(clock, output, writer, playlog, core)
    if desk:
        station.pager = Pager(core=core, engine=engine, clock=clock, writer=writer)
        station.air_store = AirStore(engine, writer)
        station.air_store.attach(core)
    return station
