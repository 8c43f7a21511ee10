"""Scanning the music folders into the library, in two phases a scan job reports on.

1. Tags (``scan_tags``): walk the folders (hidden files and folders skipped, symbolic links not
   followed), compare each audio file's size and modification time with the library, read the
   tags of new and changed files (``playlists.tags``), mark files that are gone as not present,
   and give each top-level folder of the music folder a folder playlist of its name.
2. Loudness (``measure_pending``): measure every present, readable track not yet measured
   (``playlists.track_loudness``: EBU R128 through ffmpeg) with ``workers`` ffmpeg processes.
   A result is stored only if the file is still the version that was measured.

Both report through ``report(job)``; a caller saves or shows the job (throttled by the caller).
"""

from __future__ import annotations

import os
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from broadcaster.library.models import (
    NAME_MAX,
    LibraryTrack,
    Loudness,
    Playlist,
    PlaylistKind,
    ScanJob,
)
from playlists.names import display_name, is_utf8, path_text, readable, text_path
from playlists.sources import AUDIO_SUFFIXES
from playlists.tags import TagError, TrackInfo, read_track
from playlists.track_loudness import LoudnessError, MeasureStopped, TrackLoudness, measure_track

BATCH = 200  # tracks written per transaction while reading tags
Report = Callable[[ScanJob], None]
Measured = Callable[[Path, TrackLoudness | None], None]


@dataclass(frozen=True)
class Found:
    path: Path
    folder: Path
    size: int
    mtime_ns: int


def find_audio(folders: Sequence[Path]) -> tuple[list[Found], list[str]]:
    """Every audio file under ``folders`` (each once); a warning per folder not found, and one
    counting the other files by extension (formats not played)."""
    found: dict[Path, Found] = {}
    warnings: list[str] = []
    others: Counter[str] = Counter()
    for folder in folders:
        folder = folder.resolve()  # tracks are stored by real path, as imported playlists resolve
        if not folder.is_dir():
            shown = display_name(folder)
            warnings.append(f"music folder not found: {shown} / 找不到音乐文件夹：{shown}")
            continue
        for path, stat in _walk(folder, others):
            found.setdefault(path, Found(path, folder, stat.st_size, stat.st_mtime_ns))
    if others:
        counts = ", ".join(f"{n} × {ext}" for ext, n in others.most_common(8))
        total = sum(others.values())
        warnings.append(f"{total} other files are not music the bed plays ({counts}) / "
                        f"{total} 个其他文件不是可播放的音乐格式（{counts}）")  # fmt: skip
    return sorted(found.values(), key=lambda f: str(f.path)), warnings


def _walk(folder: Path, others: Counter[str]) -> Iterator[tuple[Path, os.stat_result]]:
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # unreadable folder: its files are simply not found
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    suffix = os.path.splitext(entry.name)[1].lower()
                    if suffix in AUDIO_SUFFIXES:
                        yield Path(entry.path), entry.stat(follow_symlinks=False)
                    else:
                        others[readable(suffix) or "(no extension)"] += 1
            except OSError:
                continue


def scan_tags(
    engine: Engine,
    folders: Sequence[Path],
    job: ScanJob,
    *,
    now: Callable[[], datetime],
    report: Report,
    music_dir: Path | None = None,
) -> None:
    """Phase 1: bring the track table in line with the files (see the module docstring)."""
    job.phase = "tags"
    found, warnings = find_audio(folders)
    job.files = len(found)
    warnings += legacy_name_warnings(found)
    if warnings:
        job.message = "\n".join(warnings)[:2000]
    report(job)
    with Session(engine) as session:
        rows = session.exec(select(LibraryTrack)).all()
        known = {row.path: row for row in rows}
        seen: set[str] = set()
        for index, item in enumerate(found, 1):
            key = path_text(item.path)
            seen.add(key)
            row = known.get(key)
            if row is None or row.size != item.size or row.mtime_ns != item.mtime_ns:
                info = _read(item.path)
                if row is None:
                    row = LibraryTrack(path=key, folder=path_text(item.folder), size=item.size,
                                       mtime_ns=item.mtime_ns, title="", format="",
                                       added_at=now(), changed_at=now())  # fmt: skip
                    job.added += 1
                else:
                    job.changed += 1 if row.present else 0
                    job.added += 0 if row.present else 1
                _apply(row, item, info, now())
                job.unreadable += isinstance(info, TagError)
                session.add(row)
            elif not row.present:  # back at the same path, unchanged
                row.present, row.removed_at = True, None
                job.added += 1
                session.add(row)
            job.scanned = index
            if index % BATCH == 0:
                session.commit()
                report(job)
        for key, row in known.items():
            if row.present and key not in seen:
                row.present, row.removed_at = False, now()
                job.removed += 1
                session.add(row)
        if music_dir is not None:
            ensure_folder_playlists(session, music_dir, found, now())
        session.commit()
    report(job)


def legacy_name_warnings(found: Sequence[Found]) -> list[str]:
    """One line per folder holding file names that are not UTF-8 (copied from an old Windows
    PC): they are scanned and played all the same, shown decoded as their legacy encoding."""
    folders: dict[Path, list[Path]] = {}
    for item in found:
        if not is_utf8(item.path.name):
            folders.setdefault(item.path.parent, []).append(item.path)
    lines = []
    for folder, paths in sorted(folders.items(), key=lambda kv: path_text(kv[0])):
        shown, n = display_name(folder), len(paths)
        example = display_name(paths[0].name)
        lines.append(f"{n} file names in {shown} are not UTF-8 (e.g. “{example}”); they play, "
                     "shown as read in their old encoding / "
                     f"{shown} 中有 {n} 个文件名不是 UTF-8 编码（如“{example}”），仍可播放，"
                     "按其旧编码显示")  # fmt: skip
    return lines


def _read(path: Path) -> TrackInfo | TagError:
    try:
        return read_track(path)
    except TagError as error:
        return error


def _apply(row: LibraryTrack, item: Found, info: TrackInfo | TagError, at: datetime) -> None:
    row.folder, row.size, row.mtime_ns, row.changed_at = (
        path_text(item.folder),
        item.size,
        item.mtime_ns,
        at,
    )
    row.present, row.removed_at = True, None
    row.lufs = row.true_peak_dbtp = row.measured_at = None
    row.loudness = Loudness.PENDING
    if isinstance(info, TagError):
        row.title, row.artist, row.album = display_name(item.path.stem)[:300], None, None
        row.duration_ms, row.format = 0, item.path.suffix.lower().lstrip(".")[:16]
        row.problem = f"{info.message} / {info.message_zh}"[:1000]
        return
    row.title, row.artist, row.album = info.title[:300], _cut(info.artist), _cut(info.album)
    row.duration_ms, row.format, row.problem = info.duration_ms, info.format[:16], None


def _cut(text: str | None) -> str | None:
    return text[:300] if text else None


def ensure_folder_playlists(
    session: Session, music_dir: Path, found: Iterable[Found], at: datetime
) -> list[str]:
    """A folder playlist for each top-level folder of ``music_dir`` holding audio, named after
    the folder, unless a playlist of that name exists. Returns the names created."""
    music_dir = music_dir.resolve()
    tops = set()
    for item in found:
        if item.path.is_relative_to(music_dir):
            parts = item.path.relative_to(music_dir).parts
            if len(parts) > 1:
                tops.add(parts[0])
    taken = set(session.exec(select(Playlist.name)).all())
    created = []
    for top in sorted(tops):
        name = display_name(top)  # a GBK folder name shows as its Chinese
        if name in taken or len(name) > NAME_MAX or "\\" in name:
            continue
        taken.add(name)
        session.add(Playlist(name=name, kind=PlaylistKind.FOLDER, folder=path_text(music_dir / top),
                             created_at=at, created_by="library scan", updated_at=at))  # fmt: skip
        created.append(name)
    return created


def add_files(
    session: Session, paths: Sequence[Path], folders: Sequence[Path], at: datetime
) -> dict[Path, int]:
    """Track ids for ``paths`` (files inside the library ``folders``), reading the tags of any
    the library does not know yet (their loudness is measured by the next scan). Not
    committed: the caller's transaction decides."""
    wanted = {path_text(p): p for p in paths}
    rows = session.exec(select(LibraryTrack).where(col(LibraryTrack.path).in_(wanted))).all()
    known = {row.path: row for row in rows}
    roots = [f.resolve() for f in folders]
    for key, path in wanted.items():
        if key in known and known[key].present:
            continue
        stat = path.stat()
        folder = next((r for r in roots if path.is_relative_to(r)), path.parent)
        item = Found(path, folder, stat.st_size, stat.st_mtime_ns)
        row = known.get(key) or LibraryTrack(path=key, folder=path_text(folder), size=0, mtime_ns=0,
                                             title="", format="", added_at=at, changed_at=at)  # fmt: skip
        _apply(row, item, _read(path), at)
        session.add(row)
        known[key] = row
    session.flush()
    return {wanted[key]: row.id for key, row in known.items() if row.id is not None}


@dataclass(frozen=True)
class _Pending:
    id: int
    path: Path
    size: int
    mtime_ns: int


def pending_tracks(engine: Engine) -> list[_Pending]:
    statement = (
        select(LibraryTrack.id, LibraryTrack.path, LibraryTrack.size, LibraryTrack.mtime_ns)
        .where(col(LibraryTrack.present), col(LibraryTrack.problem).is_(None))
        .where(LibraryTrack.loudness == Loudness.PENDING)
        .order_by(col(LibraryTrack.id))
    )
    with Session(engine) as session:
        rows = session.exec(statement).all()
    return [_Pending(i, text_path(p), s, m) for i, p, s, m in rows if i is not None]


def measure_pending(
    engine: Engine,
    job: ScanJob,
    *,
    now: Callable[[], datetime],
    report: Report,
    workers: int = 1,
    nice: int = 0,
    stop: threading.Event | None = None,
    first: queue.SimpleQueue[Path] | None = None,
    measured: Measured = lambda path, result: None,
    only_first: bool = False,
) -> None:
    """Phase 2: measure the loudness of every pending track (see the module docstring). Paths
    put on ``first`` jump the queue (the track the bed is about to play); ``measured(path,
    loudness)`` is called after each stored result (``None`` when the track failed); ``stop`` ends the phase early (the rest stay pending).
    With ``only_first`` only the paths put on ``first`` are measured."""
    job.phase = "loudness"
    todo = pending_tracks(engine)
    by_path = {path_text(item.path): item for item in todo}
    if only_first:
        todo = []
    job.to_measure = len(todo)
    report(job)
    done_ids: set[int] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loudness") as pool:
        running: dict[Future[TrackLoudness], _Pending] = {}
        while todo or running or (first is not None and not first.empty()):
            while len(running) < workers and (todo or (first and not first.empty())):
                item = _next_item(todo, first, by_path, done_ids)
                if item is None:
                    break
                done_ids.add(item.id)
                running[pool.submit(measure_track, item.path, nice=nice, stop=stop)] = item
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            future = next(iter(finished))
            item = running.pop(future)
            if isinstance(future.exception(), MeasureStopped):
                for other in running:  # those running see ``stop`` too and end within 0.1 s
                    other.cancel()
                return  # the tracks not measured stay pending for the next scan
            stored = _store(engine, item, future, now())
            if stored:
                job.measured += 1
            else:
                job.measure_failed += 1
            if future.exception() is None:
                job.audio_s += future.result().duration_ms / 1000
            measured(item.path, future.result() if stored else None)
            report(job)
            if stop is not None and stop.is_set():
                for other in running:
                    other.cancel()
                return


def _next_item(
    todo: list[_Pending],
    first: queue.SimpleQueue[Path] | None,
    by_path: dict[str, _Pending],
    done: set[int],
) -> _Pending | None:
    while first is not None and not first.empty():
        wanted = by_path.get(path_text(first.get_nowait()))
        if wanted is not None and wanted.id not in done:
            if wanted in todo:
                todo.remove(wanted)
            return wanted
    while todo:
        item = todo.pop(0)
        if item.id not in done:
            return item
    return None


def _store(engine: Engine, item: _Pending, future: Future[TrackLoudness], at: datetime) -> bool:
    """Write one result; True when the track was measured (not failed, not silent)."""
    error = future.exception()
    if isinstance(error, LoudnessError):
        values = {"loudness": Loudness.FAILED.value, "measured_at": at,
                  "problem": f"{error.message} / {error.message_zh}"[:1000]}  # fmt: skip
    elif error is not None:
        raise error
    elif future.result().lufs == float("-inf"):
        values = {"loudness": Loudness.FAILED.value, "measured_at": at,
                  "problem": "the track is silent / 该曲目没有声音"}  # fmt: skip
    else:
        result = future.result()
        values = {"loudness": Loudness.MEASURED.value, "measured_at": at, "lufs": result.lufs,
                  "true_peak_dbtp": _finite(result.true_peak_dbtp)}  # fmt: skip
    statement = (
        update(LibraryTrack)
        .where(col(LibraryTrack.id) == item.id, col(LibraryTrack.size) == item.size)
        .where(col(LibraryTrack.mtime_ns) == item.mtime_ns)  # still the version measured
        .values(**values)
    )
    with Session(engine) as session:
        session.execute(statement)
        session.commit()
    return values["loudness"] == Loudness.MEASURED.value


def _finite(value: float | None) -> float | None:
    # A true peak of -inf (silence) is stored as unknown.
    return value if value is not None and abs(value) != float("inf") else None
