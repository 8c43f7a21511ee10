"""The composition root: builds settings, database, audio output, core and its thread in order,
and stops them in reverse. Nothing here runs at import time. The HTTP face (api.server) is put
on top of a started daemon."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from broadcaster.audio.live_mic import LiveMic
from broadcaster.audio.output import AudioOutput
from broadcaster.backup import BackupError, sqlite_path
from broadcaster.backup_nightly import NightlyBackup
from broadcaster.clock import Clock, SystemClock
from broadcaster.db import make_engine
from broadcaster.emergency import EmergencyProfile
from broadcaster.library.jobs import LibraryJobs
from broadcaster.library.music import build_library
from broadcaster.live_calls import LiveCalls
from broadcaster.programme.crud import load_programme
from broadcaster.programme.scheduler import LiveScheduler
from broadcaster.programme.spec import Programme
from broadcaster.requests import Segment
from broadcaster.runlock import RunLock
from broadcaster.scripts.book import ScriptBook, build_renderer
from broadcaster.settings import Settings, SettingsError
from broadcaster.station import build_station
from broadcaster.zone_outputs import build_zone_outputs, remote_sink
from scripts_library.render_worker import RenderWorkers

log = logging.getLogger(__name__)
WRITER_STOP_S = 1.5  # a stop writes what waits for this long (a locked database: the next
# start closes the rows left open as interrupted)


def build_output(settings: Settings, clock: Clock) -> AudioOutput:
    """The VLC output as configured (the only place that chooses it)."""
    from broadcaster.audio.vlc_output import VlcOutput

    audio = settings.audio
    return VlcOutput(
        clock, output=audio.output, device=audio.device, file_caching_ms=audio.file_caching_ms
    )


M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(count: int = 2) -> None:
    """glibc gives threads their own malloc arenas (up to eight per core); a daemon with VLC,
    HTTP and scheduler threads pays for them in resident memory, and two are plenty here."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to tune
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, count)


class Daemon:
    """The running broadcaster, minus its HTTP face."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        output: AudioOutput | None = None,
        zone_output: Callable[[str], AudioOutput] | None = None,
        scheduler: bool = True,
        warm_renderer: bool = True,
        render_workers: RenderWorkers | None = None,
        scan_at_start: bool = True,
    ) -> None:
        self.settings = settings
        self._with_scheduler = scheduler
        self._warm_renderer = warm_renderer  # False: the render worker starts on first use
        self._render_workers = render_workers  # tests: one worker shared by their daemons
        self._scan_at_start = scan_at_start  # False: the library is scanned when asked (tests)
        self.clock: Clock = clock or SystemClock()
        self._output = output
        self._zone_output = zone_output  # tests: each zone's output (a fake) by its id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.engine: Engine | None = None

    @property
    def chime(self) -> Path:
        return self.settings.audio.chime or self.settings.data_dir / "tones" / "chime.wav"

    @property
    def emergency(self) -> EmergencyProfile:
        return self.settings.emergency.build()

    @property
    def alert(self) -> Path:
        """The configured alert file, or the profile's tone generated to its length."""
        profile = self.emergency
        generated = f"alert-{profile.tone.value}-{round(profile.alert_s * 1000)}ms.wav"
        return self.settings.audio.alert or self.settings.data_dir / "tones" / generated

    def start(self) -> None:
        """1. data dir, tones and voices, 2. database and music library, 3. audio output,
        4. core, pager and the store of what must survive a crash, 5. live scheduler (current
        daypart, catch-up, jobs), 6. the core thread and the library's scan thread, 7. the
        pages still active from the last run, then its emergency and queued announcements,
        8. the nightly backup."""
        limit_malloc_arenas()
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.run_lock = RunLock(settings.data_dir)
        if not self.run_lock.acquire():
            log.warning("another broadcaster holds %s: two daemons on one data folder",
                        self.run_lock.path)  # fmt: skip
        self.ensure_tones()
        # Starts its worker process in the background (unless told not to: tests that never
        # render spare a process loading numpy and scipy).
        self.renderer = build_renderer(
            settings, warm=self._warm_renderer, workers=self._render_workers
        )
        self.engine = make_engine(settings.db_url)
        self.library = build_library(
            settings, self.engine, measure_first=lambda path: self.library_jobs.measure_first(path)
        )
        # Each configured zone's output (none: the one output); remote zones' servers run.
        zones, self.remote_zones = build_zone_outputs(
            settings,
            self.clock,
            music=self.library.everything,
            report=self._zone_report,
            given=self._zone_output,
        )
        one = zones[0].output if zones else None
        self.output = one or self._output or build_output(settings, self.clock)
        self.station = build_station(
            clock=self.clock, output=self.output,
            engine=self.engine, music=self.library.everything(), audio=settings.audio,
            gain_for=self.library.gain_for, emergency=self.emergency,
            on_time_s=settings.programme.on_time_s, zones=zones,
        )  # fmt: skip
        # The one writer of the air path's records, its play log, the core:
        self.writer, self.playlog = self.station.writer, self.station.playlog
        self.core = self.station.core  # from here the remote zones' watches report to it
        for remote in self.remote_zones:  # a fault seen before the core was there
            if remote.fault:
                self.core.zone_fault(remote.zone, remote.fault)
        assert self.station.pager is not None and self.station.air_store is not None
        self.pager, self.air_store = self.station.pager, self.station.air_store
        self.live_calls = self._live_calls()
        if interrupted := self.playlog.close_interrupted():
            log.warning("%d play-log rows were left open by an unclean stop", interrupted)
        self.library_jobs = LibraryJobs(
            self.engine, folders=settings.music_folders, music_dir=settings.music_path,
            now=self.clock.now, workers=settings.library.loudness_workers,
            rescan_every_s=settings.library.rescan_min * 60, changed=self.library.changed,
            measured=self.library.measured,
        )  # fmt: skip
        self.library.remember(timedelta(minutes=settings.library.no_repeat_min), self.clock.now())
        # An emergency left by the last run goes first, before the bed starts: nothing but
        # the emergency is heard after a restart (and no music row is opened and cut).
        resumed_air = self.air_store.resume(self.core, emergency=True)
        self.core.start()
        for speakers in self.core.speakers.values():  # an emergency's alert: one unpause
            speakers.output.arm(self.alert)
        self.scripts = ScriptBook(
            engine=self.engine, renderer=self.renderer, data_dir=settings.data_dir
        )
        self.feeder = self.station.feed(
            data_dir=settings.data_dir, playlists=self.library.playlist, tz=settings.zone,
            scripts=self.scripts, zone_map=settings.zone_map,
        )  # fmt: skip
        self.scheduler = LiveScheduler(
            clock=self.clock, zone=settings.zone, feeder=self.feeder, load=self.load_programme
        )
        if self._with_scheduler:
            # Before the core thread runs, so the current daypart is chosen before any music.
            self.scheduler.start()
        self._thread = threading.Thread(target=self._run_core, name="broadcaster-core", daemon=True)
        self._thread.start()
        # A scan at every start (files changed while it was stopped), unless a test asks none.
        self.library_jobs.start(scan_now=self._scan_at_start)
        chime = self.station.precheck.future(self.chime).result(10)
        if resumed := self.pager.resume(Segment(self.chime, chime.duration_ms)).result(10):
            log.warning("%d service-desk pages were still active: they carry on", resumed)
        if resumed := resumed_air + self.air_store.resume(self.core, emergency=False):
            log.warning("%d announcements or an emergency were left by the last run: resumed",
                        resumed)  # fmt: skip
        self.nightly_backup = NightlyBackup(settings, self.clock)
        try:
            sqlite_path(settings)
        except BackupError as exc:
            log.warning("no nightly backup: %s", exc)
        else:
            self.nightly_backup.start()
        log.info("broadcaster started; music from %s", settings.music_path)

    def _live_calls(self) -> LiveCalls:
        """The live microphone behind the core's live calls (its routes follow the core)."""
        settings = self.settings
        mic = LiveMic(recordings=settings.live_recordings_path, source=settings.live_mic.source,
                      latency_ms=settings.live_mic.latency_ms,
                      now=lambda: self.clock.now().astimezone(settings.zone))  # fmt: skip
        calls = LiveCalls(mic, sink_of=self.sink_of, cancel=lambda request_id, why: self.core.call(
            lambda: self.core.cancel_now(request_id, "the microphone", why=why)))  # fmt: skip
        self.core.on_live(calls.told)
        self.core.live_recording = calls.recording
        if settings.audio.output == "pulse":
            calls.sweep()  # routes a dead run left in the sound server, off the start path
        return calls

    def sink_of(self, zone: str) -> str | None:
        """A zone's PulseAudio sink (None: the default sink)."""
        zones = self.settings.zone_map
        found = zones.zone(zone)
        if zones.single or found is None:
            return self.settings.audio.device
        if found.output == "snapcast":
            return remote_sink(found.id)
        return found.sink or self.settings.audio.device

    def _zone_report(self, zone: str, fault: str | None) -> None:
        if hasattr(self, "core"):  # else told once the core is built
            self.core.zone_fault(zone, fault)

    def ensure_tones(self) -> None:
        """Configured tones must exist; the default ones are generated when missing."""
        for name, configured in (("chime", self.settings.audio.chime),
                                 ("alert", self.settings.audio.alert)):  # fmt: skip
            if configured is not None and not configured.is_file():
                raise SettingsError(
                    f"audio.{name}: file not found: {configured}\n"
                    f"audio.{name}：找不到文件 {configured}"
                )
        missing = [p for p in (self.chime, self.alert) if not p.exists()]
        if not missing:
            return
        # Imported only when a tone must be made: numpy costs the running daemon ~15 MB.
        from scripts_library.tones import make_alert_tone, make_chime

        profile = self.emergency
        if self.chime in missing:
            make_chime(self.chime)
        if self.alert in missing:
            make_alert_tone(self.alert, seconds=profile.alert_s, shape=profile.tone.value)

    def load_programme(self) -> Programme:
        assert self.engine is not None
        with Session(self.engine) as session:
            return load_programme(session)

    def programme_changed(self) -> None:
        """The supervisor changed the programme: plan again from now on."""
        if self._with_scheduler:
            self.scheduler.replan()

    def alive(self, timeout: float) -> bool:
        """The core thread runs and answers within ``timeout`` seconds (the watchdog's test)."""
        if self._thread is None or not self._thread.is_alive():
            return False
        try:
            return bool(self.core.call(lambda: True).result(timeout))
        except Exception:  # a timeout or a core that refuses work: not alive
            return False

    def _run_core(self) -> None:
        self.core.run_forever(self._stop)
        self.core.shutdown()

    def stop(self) -> None:
        """Reverse order: nightly backup, core thread (closes open log rows), the writer (writes
        them, for as long as ``WRITER_STOP_S`` allows), output, database, run lock."""
        if hasattr(self, "nightly_backup"):
            self.nightly_backup.stop()
        if hasattr(self, "library_jobs"):
            self.library_jobs.stop()
        if hasattr(self, "scheduler"):
            self.scheduler.stop()
        self._stop.set()
        if self._thread is not None:
            self.core.post(lambda: None)  # wake the loop now rather than at its next poll
            self._thread.join(timeout=10)
            self._thread = None
        if hasattr(self, "live_calls"):
            self.live_calls.close()  # the microphone off the air, its recording completed
        if hasattr(self, "writer"):
            self.writer.stop(WRITER_STOP_S)
        if hasattr(self, "output"):
            self.output.close()
        if hasattr(self, "station"):
            for speakers in self.core.speakers.values():
                if speakers.output is not self.output:
                    speakers.output.close()
        for remote in getattr(self, "remote_zones", []):
            remote.stop()
        if hasattr(self, "renderer"):
            self.renderer.close()
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        if hasattr(self, "run_lock"):
            self.run_lock.release()
        log.info("broadcaster stopped")
