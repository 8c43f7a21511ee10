"""Library scans in the running daemon: one at a time, on a background thread, with progress.

Each scan is a ``scan_job`` row (queued, running, done, failed; interrupted when the daemon
stopped first) that the API reads for its progress. The thread also measures, ahead of the
rest, a track the bed is about to play unmeasured. ffmpeg runs at a low CPU priority with
``library.loudness_workers`` processes (one by default), so playback never waits for it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from broadcaster.library.models import JobStatus, ScanJob
from broadcaster.library.scan import Measured, measure_pending, scan_tags

log = logging.getLogger(__name__)
SAVE_EVERY_S = 0.5  # progress is written at most this often
NICE = 10


def interrupt_unfinished(engine: Engine, at: datetime) -> int:
    """Jobs a stopped daemon left queued or running: marked interrupted."""
    statement = select(ScanJob).where(
        col(ScanJob.status).in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
    )
    with Session(engine) as session:
        jobs = session.exec(statement).all()
        for job in jobs:
            job.status, job.finished_at = JobStatus.INTERRUPTED, at
            job.message = "the daemon stopped before the scan finished / 扫描完成前服务已停止"
            session.add(job)
        session.commit()
    return len(jobs)


class JobSaver:
    """Writes a job's progress, at most every SAVE_EVERY_S (and always when ``force``)."""

    def __init__(self, engine: Engine, show: Callable[[ScanJob], None] = lambda job: None) -> None:
        self._engine, self._show = engine, show
        self._saved_at = 0.0

    def __call__(self, job: ScanJob, force: bool = False) -> None:
        self._show(job)
        if force or time.monotonic() - self._saved_at >= SAVE_EVERY_S:
            self._saved_at = time.monotonic()
            with Session(self._engine) as session:
                session.add(job)
                session.commit()
                session.refresh(job)


def run_scan(
    engine: Engine,
    job: ScanJob,
    *,
    folders: Sequence[Path],
    music_dir: Path,
    now: Callable[[], datetime],
    save: JobSaver,
    workers: int,
    nice: int = 0,
    loudness: bool = True,
    stop: threading.Event | None = None,
    first: queue.SimpleQueue[Path] | None = None,
    changed: Callable[[], None] = lambda: None,
    measured: Measured = lambda path, result: None,
) -> ScanJob:
    """Both phases of one scan, the job row kept up to date; an error fails the job."""
    job.status, job.started_at = JobStatus.RUNNING, now()
    save(job, force=True)
    try:
        scan_tags(engine, folders, job, now=now, report=save, music_dir=music_dir)
        changed()
        if loudness:
            measure_pending(engine, job, now=now, report=save, workers=workers, nice=nice,
                            stop=stop, first=first, measured=measured)  # fmt: skip
        stopped = stop is not None and stop.is_set()
        job.status = JobStatus.INTERRUPTED if stopped else JobStatus.DONE
        job.phase = job.phase if stopped else "done"
    except Exception as error:
        log.exception("library scan %s failed", job.id)
        job.status = JobStatus.FAILED
        job.message = f"{job.message or ''}\n{type(error).__name__}: {error}".strip()[:2000]
    job.finished_at = now()
    save(job, force=True)
    changed()
    return job


class LibraryJobs:
    def __init__(
        self,
        engine: Engine,
        *,
        folders: Sequence[Path],
        music_dir: Path,
        now: Callable[[], datetime],
        workers: int = 1,
        rescan_every_s: float = 0,
        changed: Callable[[], None] = lambda: None,
        measured: Measured = lambda path, result: None,
    ) -> None:
        self._engine, self._folders, self._music_dir = engine, list(folders), music_dir
        self._now, self._workers, self._changed = now, workers, changed
        self._measured = measured
        self._rescan_every_s = rescan_every_s
        self._first: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._asked: set[str] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, *, scan_now: bool = True) -> None:
        if n := interrupt_unfinished(self._engine, self._now()):
            log.warning("%d library scans were interrupted by the last stop", n)
        if scan_now:
            self.request("daemon start")
        self._thread = threading.Thread(target=self._run, name="library-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def request(self, requested_by: str) -> ScanJob:
        """Queue a scan, or return the one already waiting (two requests, one scan)."""
        with Session(self._engine) as session:
            waiting = session.exec(
                select(ScanJob).where(ScanJob.status == JobStatus.QUEUED).order_by(col(ScanJob.id))
            ).first()
            if waiting is None:
                waiting = ScanJob(requested_by=requested_by[:120], requested_at=self._now())
                session.add(waiting)
                session.commit()
                session.refresh(waiting)
        self._wake.set()
        return waiting

    def measure_first(self, path: Path) -> None:
        """The bed wants this track soon and it is not measured: measure it next."""
        if str(path) not in self._asked:
            self._asked.add(str(path))
            self._first.put(path)
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(timeout=self._rescan_every_s or None)
            self._wake.clear()
            if self._stop.is_set():
                return
            job = self._next_queued()
            if job is None and not woken and self._rescan_every_s:  # the interval ran out
                job = self.request("scheduled rescan")
                self._wake.clear()  # (request wakes the thread: this is that wake)
            try:
                self._work(job)
            except Exception:
                log.exception("library job thread: a step failed")

    def _work(self, job: ScanJob | None) -> None:
        if job is not None:
            run_scan(self._engine, job, folders=self._folders, music_dir=self._music_dir,
                     now=self._now, save=JobSaver(self._engine), workers=self._workers, nice=NICE,
                     stop=self._stop, first=self._first, changed=self._changed,
                     measured=self._measured)  # fmt: skip
        elif not self._first.empty():  # no scan running: measure what the bed asked for
            quick = ScanJob(requested_by="music bed", requested_at=self._now())
            measure_pending(self._engine, quick, now=self._now, report=lambda job: None,
                            workers=1, nice=NICE, stop=self._stop, first=self._first,
                            measured=self._measured, only_first=True)  # fmt: skip

    def _next_queued(self) -> ScanJob | None:
        with Session(self._engine) as session:
            return session.exec(
                select(ScanJob).where(ScanJob.status == JobStatus.QUEUED).order_by(col(ScanJob.id))
            ).first()
