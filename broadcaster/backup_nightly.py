"""The nightly backup inside the daemon: at ``backup.at`` (the store's time of day) one archive
into the backup folder, then the nightly archives older than ``backup.keep_days`` days are
deleted (``keep_days = 0``: no nightly backup). Archives made by hand are never deleted.

It runs on its own thread at a lower CPU priority than the rest of the daemon: the database
snapshot takes only a read transaction (the core keeps writing the play log meanwhile), and
the air never waits for it."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.backup import BackupError, take_backup
from broadcaster.clock import Clock
from broadcaster.settings import Settings

log = logging.getLogger(__name__)
NIGHTLY_PREFIX = "nightly-"
LOOK_AGAIN_S = 60.0  # the wall clock may be stepped: the next instant is worked out again


def next_run(now: datetime, at: str, zone: ZoneInfo) -> datetime:
    """The next ``at`` (HH:MM in ``zone``) strictly after ``now``."""
    hour, minute = map(int, at.split(":"))
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour, minute), zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), zone)
    return candidate


def prune(folder: Path, keep_days: int, now: datetime) -> list[Path]:
    """Delete the nightly archives made more than ``keep_days`` days before ``now``."""
    cutoff = now.timestamp() - keep_days * 86400
    gone = []
    for path in sorted(folder.glob(f"{NIGHTLY_PREFIX}*.tar.gz")):
        if path.stat().st_mtime < cutoff:
            path.unlink()
            gone.append(path)
    return gone


class NightlyBackup:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._settings.backup.keep_days == 0:
            log.info("nightly backup off (backup.keep_days = 0)")
            return
        self._thread = threading.Thread(target=self._run, name="nightly-backup", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def run_once(self) -> Path | None:
        """One nightly archive and the pruning; a failure is logged, never raised."""
        settings, now = self._settings, self._clock.now()
        try:
            path, manifest = take_backup(settings, settings.backup_path, now=now,
                                         name_prefix=NIGHTLY_PREFIX)  # fmt: skip
        except (BackupError, OSError) as exc:
            log.error("nightly backup failed: %s", exc)
            return None
        log.info("nightly backup %s (%d play-log rows, %.1f MB)", path, manifest.play_log_rows,
                 path.stat().st_size / 1e6)  # fmt: skip
        for old in prune(settings.backup_path, settings.backup.keep_days, now):
            log.info("nightly backup %s removed (older than %d days)", old.name,
                     settings.backup.keep_days)  # fmt: skip
        return path

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # Linux: this thread only
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        settings = self._settings
        due = next_run(self._clock.now(), settings.backup.at, settings.zone)
        while not self._stop.is_set():
            now = self._clock.now()
            if now >= due:
                self.run_once()
                due = next_run(max(now, due), settings.backup.at, settings.zone)
                continue
            if due - now > timedelta(days=1, minutes=1):  # the clock went back a long way
                due = next_run(now, settings.backup.at, settings.zone)
            self._stop.wait(min(LOOK_AGAIN_S, (due - now).total_seconds()))
