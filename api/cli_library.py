"""`broadcaster library scan|tracks|playlists`: the music library on the command line.

``scan`` runs the same scan as the daemon's API (broadcaster.library.jobs.run_scan), with one
ffmpeg per CPU for the loudness, and draws a progress bar on the terminal (plain lines when the
output is not a terminal). It is safe while the daemon runs: both write the one database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from broadcaster.settings import Settings

BAR = 30
PROBLEMS_SHOWN = 50


def add_commands(commands: Any) -> None:
    library = commands.add_parser("library", help="the music library: scan, list tracks, playlists")
    actions = library.add_subparsers(dest="action", required=True)
    scan = actions.add_parser("scan", help="scan the music folders: tags, then loudness")
    scan.add_argument("--no-loudness", action="store_true", help="read tags only (fast)")
    scan.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                      help="ffmpeg processes measuring loudness (default: one per CPU)")  # fmt: skip
    tracks = actions.add_parser("tracks", help="list (or search) the tracks")
    tracks.add_argument("query", nargs="?", help="part of a title, artist, album or file name")
    actions.add_parser("playlists", help="list the playlists")


class ProgressBar:
    """One line redrawn in place on a terminal; a line per 10 % otherwise (logs, CI)."""

    def __init__(self, out: TextIO | None = None) -> None:
        out = out or sys.stderr  # the stream of the moment, not the one at import
        self._out, self._tty = out, out.isatty()
        self._shown: tuple[str, int] = ("", -1)
        self._began = time.monotonic()

    def show(self, phase: str, done: int, total: int, note: str = "") -> None:
        share = done / total if total else 1.0
        tenth = int(share * 10)
        if not self._tty and (phase, tenth) == self._shown:
            return
        self._shown = (phase, tenth)
        filled = int(share * BAR)
        bar = "#" * filled + "." * (BAR - filled)
        line = f"{phase:<9} [{bar}] {share:4.0%} {done}/{total} {note}".rstrip()
        if self._tty:
            width = shutil.get_terminal_size().columns - 1
            self._out.write("\r" + line[:width].ljust(width))
        else:
            self._out.write(line + "\n")
        self._out.flush()

    def end(self) -> None:
        if self._tty:
            self._out.write("\n")
        self._out.flush()


def run(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from broadcaster.db import make_engine
    from broadcaster.library import crud

    engine = make_engine(settings.db_url)
    try:
        if args.action == "scan":
            return _scan(args, settings, engine)
        with Session(engine) as session:
            if args.action == "tracks":
                rows, total = crud.search_tracks(session, query=args.query, limit=1_000_000)
                for row in rows:
                    gain = crud.track_public(row, settings.speech.music_lufs).gain_db
                    print(f"{row.id:>6}  {row.artist or '-'} - {row.title}  [{row.format}, "
                          f"{row.duration_ms / 1000:.0f} s, {_state(row, gain)}]  "
                          f"{row.path}")  # fmt: skip
                print(f"{total} tracks / 共 {total} 首")
            else:
                for playlist in crud.list_playlists(session):
                    where = playlist.folder or "list"
                    print(f"{playlist.id:>4}  {playlist.name}  ({playlist.kind.value}: {where}, "
                          f"{playlist.tracks} tracks)")  # fmt: skip
        return 0
    finally:
        engine.dispose()


def _state(row: Any, gain: float | None) -> str:
    """A track's loudness, or why it is not played (both languages)."""
    if row.problem:
        return f"not played: {row.problem}"
    if gain is not None:
        return f"{gain:+.1f} dB"
    if row.loudness.value == "failed":
        return "not played: loudness could not be measured / 无法测量响度"
    return "not measured yet / 尚未测量"


def _scan(args: argparse.Namespace, settings: Settings, engine: Any) -> int:
    from sqlmodel import Session

    from broadcaster.library import crud
    from broadcaster.library.jobs import JobSaver, run_scan
    from broadcaster.library.models import JobStatus, ScanJob
    from playlists.names import display_name, text_path

    bar = ProgressBar()

    def show(job: ScanJob) -> None:
        if job.phase == "tags" and job.files:
            bar.show("tags", job.scanned, job.files, f"+{job.added} ~{job.changed} -{job.removed}")
        elif job.phase == "loudness":
            done = job.measured + job.measure_failed
            bar.show("loudness", done, job.to_measure, f"{job.audio_s / 60:.0f} min of audio")

    def now() -> datetime:
        return datetime.now(UTC)

    job = ScanJob(requested_by="command line", requested_at=now())
    folders = settings.music_folders
    print("Scanning / 正在扫描: " + ", ".join(map(str, folders)), file=sys.stderr)
    run_scan(engine, job, folders=folders, music_dir=settings.music_path, now=now,
             save=JobSaver(engine, show), workers=max(1, args.workers),
             loudness=not args.no_loudness)  # fmt: skip
    bar.end()
    if job.message:
        print(job.message, file=sys.stderr)
    with Session(engine) as session:
        problems = crud.problem_tracks(session)
    if problems:
        print(f"{len(problems)} files cannot be played / {len(problems)} 个文件无法播放:")
        for row in problems[:PROBLEMS_SHOWN]:
            print(f"  {display_name(text_path(row.path))}: {row.problem}")
        if len(problems) > PROBLEMS_SHOWN:
            print("  … `broadcaster library tracks` lists them all / 完整列表见 library tracks")
    print(f"{job.files} files: {job.added} added, {job.changed} changed, {job.removed} removed, "
          f"{job.unreadable} unreadable; loudness measured {job.measured}, "
          f"failed {job.measure_failed}.\n"
          f"共 {job.files} 个文件：新增 {job.added}，变更 {job.changed}，移除 {job.removed}，"
          f"无法读取 {job.unreadable}；响度已测 {job.measured}，失败 {job.measure_failed}。")  # fmt: skip
    return 0 if job.status is JobStatus.DONE else 1
