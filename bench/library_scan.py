"""Library scan speed on a generated library of real, tagged files in six formats.

1. Makes ``--files`` files of ``--seconds`` each with ``tests.kit.music_files.make_library``
   (MP3, M4A, FLAC, Ogg Vorbis, Opus, WAV; Chinese names and GBK tags among them) in a temp
   folder, and prints how long that took.
2. Tag scan (``scan_tags``) into a fresh SQLite database: files per second for the first scan
   (every file read) and for a rescan of the unchanged library (sizes and times compared only).
   The job's counts are checked: first scan all added, none changed, removed or unreadable;
   rescan nothing at all. A wrong count exits with status 1.
3. Loudness (``measure_pending``, ffmpeg's EBU R128 with true peak) of ``--measure`` files: a
   separate library of that many files (the same first files of the same plan) and, for each
   worker count, a fresh database tag-scanned first (untimed); with ``--measure`` equal to
   ``--files`` the main library is measured. Timed with 1 worker, then with ``os.cpu_count()``
   workers: seconds of audio per second of wall time, overall and per core, and per second of
   ffmpeg's CPU time (a per-core figure that other load on the machine changes less; the
   1-minute load average is printed beside it). Every track must end up measured with a LUFS
   value (failures are printed, exit status 1); the largest difference from the level the
   file was made at is printed too.
4. Peak RSS: this process (``RUSAGE_SELF``) and the largest child (``RUSAGE_CHILDREN``). On
   Linux a child's ``ru_maxrss`` starts at its parent's RSS when it is spawned (fork and exec
   carry it over), so the second is at least the bench's own RSS and does not tell ffmpeg's.
   ffmpeg's own peak is therefore measured apart: one file of each format through
   ``measure_track`` with ``ffmpeg`` run under GNU ``time`` (``%M``), by a shim on the PATH.

``--keep DIR`` makes everything under DIR (which must be empty or absent) and leaves it there.

The default run (2,000 files, 300 measured twice) takes about 1.5 minutes on 2 cores
(most of it the two loudness runs, about 1,200 s of audio each).

Usage: .venv/bin/python bench/library_scan.py [--files 2000] [--seconds 4] [--measure 300]
       [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from broadcaster.db import make_engine
from broadcaster.library.models import LibraryTrack, Loudness, ScanJob
from broadcaster.library.scan import measure_pending, scan_tags
from playlists.track_loudness import measure_track
from tests.kit.music_files import FORMATS, make_library, plan_library

ROOT = Path(__file__).resolve().parent.parent

FFMPEG_SHIM = """#!/bin/sh
exec {time} -a -o {log} -f "%M" {ffmpeg} "$@"
"""


def now() -> datetime:
    return datetime.now(UTC)


def new_job() -> ScanJob:
    return ScanJob(requested_by="bench", requested_at=now())


def tag_scan(engine: Engine, folder: Path) -> tuple[ScanJob, float]:
    job = new_job()
    t0 = time.perf_counter()
    scan_tags(engine, [folder], job, now=now, report=lambda job: None, music_dir=folder)
    return job, time.perf_counter() - t0


def check_counts(name: str, job: ScanJob, files: int, added: int) -> bool:
    got = {"files": job.files, "scanned": job.scanned, "added": job.added,
           "changed": job.changed, "removed": job.removed, "unreadable": job.unreadable}  # fmt: skip
    want = {"files": files, "scanned": files, "added": added,
            "changed": 0, "removed": 0, "unreadable": 0}  # fmt: skip
    ok = got == want
    shown = " ".join(f"{key}={value}" for key, value in got.items())
    print(f"{name} counts: {shown} ({'as expected' if ok else f'WRONG, expected {want}'})")
    return ok


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(folder: Path, db: Path, workers: int, levels: dict[str, float]) -> bool:
    """Tag-scan ``folder`` into a fresh database (untimed), then time measure_pending."""
    engine = make_engine(f"sqlite:///{db}")
    tag_scan(engine, folder)
    job = new_job()
    cpu0, t0 = children_cpu_s(), time.perf_counter()
    measure_pending(engine, job, now=now, report=lambda job: None, workers=workers)
    wall, cpu = time.perf_counter() - t0, children_cpu_s() - cpu0
    factor = job.audio_s / wall
    label = f"loudness, {workers} worker{'s' if workers > 1 else ''}"
    per_core = "" if workers == 1 else f", {factor / workers:.1f}x per core"
    print(
        f"{label}: {job.audio_s:.0f} s of audio in {wall:.2f} s = {factor:.1f}x real time"
        f"{per_core} (target >= 30x per core; {job.to_measure} files, "
        f"{job.to_measure / wall:.1f} files/s; ffmpeg used {cpu:.1f} CPU s = "
        f"{job.audio_s / cpu:.1f}x per CPU second; load average {os.getloadavg()[0]:.2f})"
    )
    with Session(engine) as session:
        rows = session.exec(select(LibraryTrack)).all()
    engine.dispose()
    failures = [r for r in rows if r.loudness != Loudness.MEASURED or r.lufs is None]
    off = [
        abs(r.lufs - levels[r.path]) for r in rows if r.lufs is not None and r.path in levels
    ]  # fmt: skip
    print(
        f"{label} check: {len(rows) - len(failures)}/{len(rows)} tracks have a LUFS value "
        f"(job: measured={job.measured} failed={job.measure_failed}); largest difference "
        f"from the level made: {max(off, default=float('nan')):.2f} LU"
    )
    for row in failures:
        print(f"  NOT MEASURED: {row.path}: loudness={row.loudness} problem={row.problem}")
    return not failures and job.measured == len(rows) == job.to_measure


def ffmpeg_peak_mb(paths: list[Path], scratch: Path) -> dict[str, float] | None:
    """ffmpeg's own peak RSS measuring each of ``paths`` with ``measure_track``, by format:
    ``ffmpeg`` on the PATH is, for this step only, a shim that runs the real one under GNU
    time, whose own RSS (the floor of its child's ru_maxrss) is a couple of MB. None if GNU
    time is not installed."""
    real, gnu_time = shutil.which("ffmpeg"), shutil.which("time") or "/usr/bin/time"
    if real is None or not Path(gnu_time).is_file():
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    log = scratch / "peaks.txt"
    shim = scratch / "ffmpeg"
    quoted = {
        key: shlex.quote(str(value))
        for key, value in (("time", gnu_time), ("log", log), ("ffmpeg", real))
    }
    shim.write_text(FFMPEG_SHIM.format(**quoted))
    shim.chmod(0o755)
    path_before = os.environ["PATH"]
    os.environ["PATH"] = f"{scratch}{os.pathsep}{path_before}"
    peaks = {}
    try:
        for path in paths:
            log.write_text("")
            measure_track(path)
            peaks[path.suffix.lstrip(".")] = int(log.read_text().split()[-1]) / 1024
    finally:
        os.environ["PATH"] = path_before
    return peaks


@contextmanager
def workdir(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield Path(tmp)
        return
    keep.mkdir(parents=True, exist_ok=True)
    yield keep.resolve()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--measure", type=int, default=300)
    parser.add_argument("--keep", type=Path, metavar="DIR")
    args = parser.parse_args()
    if not 0 < args.measure <= args.files:
        parser.error("--measure must be between 1 and --files")
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder must be empty or absent")
    ok = True

    with workdir(args.keep) as tmp:
        music = tmp / "music"
        t0 = time.perf_counter()
        make_library(music, args.files, seconds=args.seconds)
        print(
            f"made {args.files} files of {args.seconds:g} s ({', '.join(FORMATS)}) in "
            f"{time.perf_counter() - t0:.1f} s"
        )

        engine = make_engine(f"sqlite:///{tmp}/lib.db")
        job, took = tag_scan(engine, music)
        print(
            f"tag scan: {job.files} files in {took:.2f} s = {job.files / took:.0f} files/s "
            f"(target >= 300)"
        )
        ok &= check_counts("tag scan", job, args.files, added=args.files)
        job, took = tag_scan(engine, music)
        print(
            f"rescan, nothing changed: {job.files} files in {took:.2f} s = "
            f"{job.files / took:.0f} files/s"
        )
        ok &= check_counts("rescan", job, args.files, added=0)
        engine.dispose()

        folder = music
        if args.measure < args.files:
            folder = tmp / "measure"
            make_library(folder, args.measure, seconds=args.seconds)
        plan = plan_library(args.measure)
        levels = {
            str(folder.resolve().joinpath(*track.relative.parts)): track.level_lufs
            for track in plan
        }
        cores = os.cpu_count() or 1
        ok &= measure(folder, tmp / "measure-1.db", 1, levels)
        ok &= measure(folder, tmp / f"measure-{cores}.db", cores, levels)

        one_each = [folder.joinpath(*track.relative.parts) for track in plan[: len(FORMATS)]]
        ffmpeg_mb = ffmpeg_peak_mb(one_each, tmp / "shim")

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak RSS: bench process {self_mb:.1f} MB; largest child (RUSAGE_CHILDREN, which starts "
        f"at the bench's own RSS) {children_mb:.1f} MB"
    )
    if ffmpeg_mb is None:
        print("ffmpeg's own peak RSS: unknown (GNU time is not installed)")
    else:
        shown = ", ".join(f"{fmt} {mb:.1f}" for fmt, mb in ffmpeg_mb.items())
        print(f"ffmpeg's own peak RSS measuring loudness, MB: {shown}")
    if args.keep is not None:
        print(f"kept: {args.keep.resolve()}")
    if not ok:
        print("FAILED: see the lines above")
        sys.exit(1)


if __name__ == "__main__":
    main()
