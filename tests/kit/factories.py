"""Factories for requests and a core wired to fakes on a virtual clock."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.audio.output import SILENT_DB
from broadcaster.bed_tracks import MusicSource
from broadcaster.clock import FakeClock
from broadcaster.core import Core
from broadcaster.db import make_engine
from broadcaster.emergency import EmergencyProfile
from broadcaster.playlog import PlayLog, PlayLogPublic
from broadcaster.requests import Kind, Request, Segment
from broadcaster.settings import AudioSettings
from broadcaster.simulation import VirtualDriver
from broadcaster.speakers import ZoneOutput
from broadcaster.station import build_station
from playlists.sources import track_list

T = TypeVar("T")
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def request(
    kind: Kind = Kind.ANNOUNCEMENT,
    *,
    title: str = "",
    seq: int = 0,
    at: datetime = T0,
    expires_in: float | None = None,
    segments: tuple[Segment, ...] = (Segment(Path("/audio/speech.wav"), 5000),),
    requested_by: str = "test",
) -> Request:
    return Request(
        kind=kind,
        title=title or f"{kind.value} {seq}",
        segments=segments,
        requested_by=requested_by,
        requested_at=at,
        expires_at=at + timedelta(seconds=expires_in) if expires_in is not None else None,
        seq=seq,
    )


@dataclass
class Rig:
    clock: FakeClock
    output: FakeOutput
    core: Core
    driver: VirtualDriver
    playlog: PlayLog
    engine: Engine
    outputs: dict[str, FakeOutput] = field(default_factory=dict)  # by zone, when zoned

    def run(self, seconds: float) -> None:
        self.driver.run_for(seconds)

    def done(self, future: Future[T]) -> T:
        """Let the core handle what is waiting, then return the future's result."""
        self.core.process_pending()
        return future.result(timeout=0)

    def log(self) -> list[PlayLogPublic]:
        return self.playlog.query()

    def voice_in(self, zone: str) -> Path | None:
        """The file a zone's voice layer plays (a zoned rig)."""
        return self.outputs[zone].playing("voice")

    def bed_playing(self) -> Path | None:
        """The file the bed's current track plays (whichever of its two players it is on)."""
        track = self.core.bed.current
        return self.output.playing(track.layer) if track else None

    def bed_volume(self) -> float:
        """The current bed track's effective volume now (silence when none plays)."""
        track = self.core.bed.current
        return self.output.volume_at(track.layer) if track else SILENT_DB


MUSIC = [Path(f"/music/{name}.ogg") for name in ("one", "two", "three")]
CHIME = Segment(Path("/audio/chime.wav"), 2000)
SPEECH = Segment(Path("/audio/speech.wav"), 5000)
ALERT = Segment(Path("/audio/alert.wav"), 3000)
MESSAGE = Segment(Path("/audio/evacuate.wav"), 6000)


def zoned_rig(tmp_path: Path, zones: Sequence[str]) -> Rig:
    """A rig with one fake output per zone, its music playing in each for 10 s."""
    rig = make_rig(tmp_path, zones=zones)
    rig.run(10)
    return rig


def make_rig(
    tmp_path: Path,
    *,
    music: list[Path] | None = None,
    durations: dict[Path, int] | None = None,
    audio: AudioSettings | None = None,
    gains: dict[Path, float] | None = None,
    clock: FakeClock | None = None,
    emergency: EmergencyProfile | None = None,
    source: MusicSource | None = None,
    zones: Sequence[str] = (),
) -> Rig:
    """A core on fakes: three 3-minute tracks, a virtual clock at T0 and a real SQLite log.
    ``zones``: one fake output (and its own rotation of the music) per zone."""
    clock = clock or FakeClock(T0)
    known = {path: 180_000 for path in MUSIC}
    known.update({s.path: s.duration_ms for s in (CHIME, SPEECH, ALERT, MESSAGE)})
    known.update(durations or {})

    def probe(path: Path) -> int:
        from broadcaster.audio.output import MediaError

        if path not in known:
            raise MediaError(f"file not found: {path}")
        if known[path] <= 0:
            raise MediaError(f"not playable audio: {path}")
        return known[path]

    def tracks() -> MusicSource:
        return source or track_list(music if music is not None else MUSIC)

    outputs = {zone: FakeOutput(clock, probe=probe) for zone in zones}
    output = next(iter(outputs.values())) if outputs else FakeOutput(clock, probe=probe)
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    station = build_station(
        clock=clock, output=output, engine=engine, music=tracks(),
        audio=audio, gain_for=lambda path: (gains or {}).get(path, 0.0),
        **({"emergency": emergency} if emergency is not None else {}), desk=False,
        zones=[ZoneOutput(zone, out, tracks()) for zone, out in outputs.items()],
    )  # fmt: skip
    core, playlog = station.core, station.playlog
    core.start()
    driver = VirtualDriver(clock, list(outputs.values()) or output, core)
    rig = Rig(clock, output, core, driver, playlog, engine, outputs)
    rig.driver.run_until(T0)
    return rig
