"""Keyword-only reads and writes of the library: tracks, playlists, scan jobs.

Every write checks before it writes and raises a problem in both languages (NotFound, Invalid,
Conflict); nothing is half-written: each call is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from broadcaster.actors import Actor
from broadcaster.db import commit
from broadcaster.library.models import (
    EntryIn,
    EntryPublic,
    JobStatus,
    LibraryTrack,
    Playlist,
    PlaylistCreate,
    PlaylistDetail,
    PlaylistEntry,
    PlaylistKind,
    PlaylistPublic,
    PlaylistUpdate,
    ScanJob,
    ScanJobPublic,
    TrackPublic,
)
from broadcaster.library.music import track_gain
from broadcaster.library.scan import add_files
from broadcaster.problems import Conflict, FieldProblem, Invalid, NotFound, problems_from_errors
from broadcaster.programme.crud import rules_using
from broadcaster.programme.spec import ContentKind
from playlists.imports import (
    Entry,
    Imported,
    PlaylistError,
    Unresolved,
    export_m3u8,
    read_playlist,
)
from playlists.names import display_name, path_text, text_path
from playlists.sources import AUDIO_SUFFIXES

# -- tracks -----------------------------------------------------------------------------------


def track_public(row: LibraryTrack, target_lufs: float) -> TrackPublic:
    name = display_name(text_path(row.path).name)
    return TrackPublic.model_validate(
        row, update={"gain_db": track_gain(row, target_lufs), "name": name}
    )


def search_tracks(
    session: Session,
    *,
    query: str | None = None,
    playlist_id: int | None = None,
    present_only: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[LibraryTrack], int]:
    """Tracks whose title, artist, album or file name contains ``query`` (any case), in a
    playlist if given; the page asked for and the total count."""
    statement = select(LibraryTrack)
    if present_only:
        statement = statement.where(col(LibraryTrack.present))
    if query:
        pattern = f"%{_escape_like(query.strip())}%"
        statement = statement.where(
            or_(
                *(
                    col(c).ilike(pattern, escape="\\")
                    for c in (
                        LibraryTrack.title,
                        LibraryTrack.artist,
                        LibraryTrack.album,
                        LibraryTrack.path,
                    )
                )
            )
        )
    if playlist_id is not None:
        playlist = get_playlist(session, playlist_id=playlist_id)
        if playlist.kind is PlaylistKind.FOLDER and playlist.folder:
            prefix = playlist.folder.rstrip("/") + "/"
            statement = statement.where(col(LibraryTrack.path).startswith(prefix, autoescape=True))
        else:
            ids = select(PlaylistEntry.track_id).where(PlaylistEntry.playlist_id == playlist_id)
            statement = statement.where(col(LibraryTrack.id).in_(ids))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(LibraryTrack.path)).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


def problem_tracks(session: Session) -> list[LibraryTrack]:
    """Present tracks the bed will not play, each with its reason (``problem``)."""
    statement = (
        select(LibraryTrack)
        .where(col(LibraryTrack.present), col(LibraryTrack.problem).is_not(None))
        .order_by(col(LibraryTrack.path))
    )
    return list(session.exec(statement).all())


def get_track(session: Session, *, track_id: int) -> LibraryTrack:
    row = session.get(LibraryTrack, track_id)
    if row is None:
        raise NotFound(f"No track has id {track_id}.", f"没有编号为 {track_id} 的曲目。")
    return row


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- playlists --------------------------------------------------------------------------------


def list_playlists(session: Session) -> list[PlaylistPublic]:
    rows = session.exec(select(Playlist).order_by(col(Playlist.name))).all()
    return [playlist_public(session, row) for row in rows]


def get_playlist(session: Session, *, playlist_id: int) -> Playlist:
    row = session.get(Playlist, playlist_id)
    if row is None:
        raise NotFound(f"No playlist has id {playlist_id}.",
                       f"没有编号为 {playlist_id} 的播放列表。")  # fmt: skip
    return row


def playlist_public(session: Session, row: Playlist) -> PlaylistPublic:
    return PlaylistPublic.model_validate(row, update={"tracks": _count(session, row)})


def playlist_detail(session: Session, row: Playlist, target_lufs: float) -> PlaylistDetail:
    entries = []
    if row.kind is PlaylistKind.LIST:
        statement = (
            select(PlaylistEntry, LibraryTrack)
            .join(LibraryTrack, col(LibraryTrack.id) == col(PlaylistEntry.track_id))
            .where(PlaylistEntry.playlist_id == row.id)
            .order_by(col(PlaylistEntry.position))
        )
        entries = [
            EntryPublic(
                position=entry.position, weight=entry.weight, track=track_public(track, target_lufs)
            )
            for entry, track in session.exec(statement).all()
        ]
    return PlaylistDetail.model_validate(
        row, update={"tracks": _count(session, row), "entries": entries}
    )


def _count(session: Session, row: Playlist) -> int:
    playable = (col(LibraryTrack.present), col(LibraryTrack.problem).is_(None))
    if row.kind is PlaylistKind.FOLDER and row.folder:
        prefix = row.folder.rstrip("/") + "/"
        statement = (
            select(func.count())
            .select_from(LibraryTrack)
            .where(*playable, col(LibraryTrack.path).startswith(prefix, autoescape=True))
        )
    else:
        statement = (
            select(func.count())
            .select_from(PlaylistEntry)
            .join(LibraryTrack, col(LibraryTrack.id) == col(PlaylistEntry.track_id))
            .where(PlaylistEntry.playlist_id == row.id, *playable)
        )
    return int(session.exec(statement).one())


def create_playlist(
    session: Session,
    *,
    data: PlaylistCreate,
    actor: Actor,
    folders: Sequence[Path],
    now: dt.datetime,
) -> Playlist:
    """A list of tracks, or a folder inside one of the library ``folders``."""
    _name_free(session, data.name)
    folder = None
    if data.kind is PlaylistKind.FOLDER:
        folder = path_text(_inside_library(data.folder, folders))
        if data.tracks:
            raise Invalid([FieldProblem("tracks", "A folder playlist has the folder's tracks; "
                                        "leave the list empty.",
                                        "文件夹播放列表包含该文件夹中的曲目，曲目列表请留空。")])  # fmt: skip
    row = Playlist(name=data.name, kind=data.kind, folder=folder, shuffle=data.shuffle,
                   created_at=now, created_by=actor.name, updated_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    assert row.id is not None
    _set_entries(session, row.id, data.tracks)
    commit(session, what="the playlists", what_zh="播放列表")
    session.refresh(row)
    return row


def update_playlist(
    session: Session, *, playlist_id: int, data: PlaylistUpdate, now: dt.datetime
) -> Playlist:
    row = get_playlist(session, playlist_id=playlist_id)
    if data.name is not None and data.name != row.name:
        _name_free(session, data.name)
        if used := _used_by_programme(session, row.name):
            raise Conflict("playlist_in_use", f"The programme plays “{row.name}” ({', '.join(used)}): "
                           "change those rules first, then rename it.",
                           f"播音计划正在使用“{row.name}”（{'、'.join(used)}）：请先修改这些规则，再重命名。")  # fmt: skip
        row.name = data.name
    if data.shuffle is not None:
        row.shuffle = data.shuffle
    if data.tracks is not None:
        if row.kind is PlaylistKind.FOLDER:
            raise Invalid([FieldProblem("tracks", "A folder playlist's tracks are its folder's.",
                                        "文件夹播放列表的曲目就是该文件夹中的曲目。")])  # fmt: skip
        assert row.id is not None
        session.execute(delete(PlaylistEntry).where(col(PlaylistEntry.playlist_id) == row.id))
        _set_entries(session, row.id, data.tracks)
    row.updated_at = now
    session.add(row)
    commit(session, what="this playlist", what_zh="该播放列表")
    session.refresh(row)
    return row


def delete_playlist(session: Session, *, playlist_id: int) -> None:
    row = get_playlist(session, playlist_id=playlist_id)
    if used := _used_by_programme(session, row.name):
        raise Conflict("playlist_in_use", f"The programme plays “{row.name}” ({', '.join(used)}): "
                       "remove it from those rules first.",
                       f"播音计划正在使用“{row.name}”（{'、'.join(used)}）：请先从这些规则中移除。")  # fmt: skip
    session.execute(delete(PlaylistEntry).where(col(PlaylistEntry.playlist_id) == playlist_id))
    session.delete(row)
    commit(session, what="the playlists", what_zh="播放列表")


def _set_entries(session: Session, playlist_id: int, tracks: Sequence[EntryIn]) -> None:
    ids = {entry.track_id for entry in tracks}
    known = set(session.exec(select(LibraryTrack.id).where(col(LibraryTrack.id).in_(ids))).all())
    unknown = sorted(ids - known)
    if unknown:
        shown = ", ".join(map(str, unknown[:10]))
        raise Invalid([FieldProblem("tracks", f"No track has id {shown}.",
                                    f"没有这些编号的曲目：{shown}。")])  # fmt: skip
    for position, entry in enumerate(tracks):
        session.add(PlaylistEntry(playlist_id=playlist_id, position=position,
                                  track_id=entry.track_id, weight=entry.weight))  # fmt: skip


def _name_free(session: Session, name: str) -> None:
    if session.exec(select(Playlist.id).where(Playlist.name == name)).first() is not None:
        raise Conflict("playlist_exists", f"A playlist named “{name}” exists already.",
                       f"已有名为“{name}”的播放列表。")  # fmt: skip


def _inside_library(folder: str | None, folders: Sequence[Path]) -> Path:
    if not folder:
        raise Invalid([FieldProblem("folder", "Say which folder the playlist plays.",
                                    "请填写播放列表对应的文件夹。")])  # fmt: skip
    roots = [Path(f).resolve() for f in folders]
    candidate = text_path(folder)
    path = (candidate if candidate.is_absolute() else roots[0] / candidate).resolve()
    if not any(path == root or path.is_relative_to(root) for root in roots):
        raise Invalid([FieldProblem("folder", "The folder must be inside a music folder of the "
                                    "library.", "文件夹必须位于音乐库的音乐目录之内。")])  # fmt: skip
    if not path.is_dir():
        raise Invalid([FieldProblem("folder", "No such folder.", "没有这个文件夹。")])
    return path


def _used_by_programme(session: Session, name: str) -> list[str]:
    return rules_using(session, kind=ContentKind.PLAYLIST, ref=name)


# -- scan jobs --------------------------------------------------------------------------------


def job_public(job: ScanJob) -> ScanJobPublic:
    if job.status is JobStatus.DONE:
        progress = 1.0
    elif job.phase == "loudness":
        progress = 0.5 + 0.5 * (job.measured + job.measure_failed) / max(job.to_measure, 1)
    else:
        progress = 0.5 * job.scanned / max(job.files, 1)
    return ScanJobPublic.model_validate(job, update={"progress": round(progress, 3)})


def get_job(session: Session, *, job_id: int) -> ScanJob:
    row = session.get(ScanJob, job_id)
    if row is None:
        raise NotFound(f"No scan has id {job_id}.", f"没有编号为 {job_id} 的扫描任务。")
    return row


def list_jobs(session: Session, *, limit: int = 20) -> list[ScanJob]:
    return list(session.exec(select(ScanJob).order_by(col(ScanJob.id).desc()).limit(limit)).all())


# -- import -----------------------------------------------------------------------------------


def import_playlist(
    session: Session,
    *,
    file: Path,
    name: str,
    shuffle: bool,
    actor: Actor,
    folders: Sequence[Path],
    drive_roots: Mapping[str, Path],
    now: dt.datetime,
    label: str | None = None,
    base: Path | None = None,
) -> tuple[Playlist, Imported]:
    """A list playlist from an M3U, M3U8 or PLS file: every entry that resolves to a playable
    file in the library folders (files not scanned yet are added); the rest (not found, not
    audio, empty or unreadable, failed its measurement) are returned with their reasons, never
    fatal. A file that is not a playlist at all, or lists nothing usable, is refused (Invalid,
    with a problem per entry). ``label`` names the upload in messages; relative entries
    resolve from ``base``."""
    try:
        imported = read_playlist(file, music_dirs=folders, drive_roots=drive_roots, name=label,
                                 base=base)  # fmt: skip
    except PlaylistError as error:
        raise Invalid([FieldProblem("file", error.message, error.message_zh)]) from None
    try:
        data = PlaylistCreate(name=name, kind=PlaylistKind.LIST, shuffle=shuffle)
    except ValidationError as error:
        raise Invalid(problems_from_errors(error.errors())) from None
    audio = [e for e in imported.entries if e.path.suffix.lower() in AUDIO_SUFFIXES]
    ids = add_files(session, [entry.path for entry in audio], folders, now)
    rows = {i: session.get(LibraryTrack, i) for i in ids.values()}
    usable, unusable = [], [_not_audio(e) for e in imported.entries if e not in audio]
    for entry in audio:
        row = rows[ids[entry.path]]
        if row is not None and row.playable:
            usable.append(entry)
        else:
            reason = (row.problem if row else None) or "cannot be played / 无法播放"
            english, _, chinese = reason.partition(" / ")
            unusable.append(Unresolved(entry.line, display_name(entry.path.name), english,
                                       chinese or english))  # fmt: skip
    imported = Imported(tuple(usable), tuple(sorted(
        (*imported.unresolved, *unusable), key=lambda u: u.line)), imported.encoding)  # fmt: skip
    if not usable:
        raise Invalid([FieldProblem(
            "file", "None of the playlist's entries is a playable file in the music folders; "
            "nothing was imported (the reason for each entry follows).",
            "播放列表中没有任何条目是音乐目录中可播放的文件，未导入任何内容（各条目的原因见下）。",
        ), *entry_problems(imported.unresolved)])  # fmt: skip
    data.tracks = [EntryIn(track_id=ids[entry.path], weight=1.0) for entry in usable]
    return create_playlist(session, data=data, actor=actor, folders=folders, now=now), imported


def entry_problems(unresolved: Sequence[Unresolved]) -> list[FieldProblem]:
    """One problem per entry left out: its line, what it said and why, in both languages."""
    return [FieldProblem(f"line {u.line}", f"line {u.line}: {u.text}: {u.reason}",
                         f"第 {u.line} 行：{u.text}：{u.reason_zh}") for u in unresolved]  # fmt: skip


def _not_audio(entry: Entry) -> Unresolved:
    suffix = entry.path.suffix.lower() or "(no extension)"
    return Unresolved(entry.line, display_name(entry.path.name),
                      f"not an audio file ({suffix})", f"不是音频文件（{suffix}）")  # fmt: skip


def export_playlist(session: Session, *, playlist_id: int, relative_to: Path) -> str:
    """The playlist's present tracks as M3U8 text (paths relative to the music folder)."""
    row = get_playlist(session, playlist_id=playlist_id)
    if row.kind is PlaylistKind.FOLDER and row.folder:
        tracks, _ = search_tracks(session, playlist_id=playlist_id, limit=1_000_000)
    else:
        statement = (
            select(LibraryTrack)
            .join(PlaylistEntry, col(LibraryTrack.id) == col(PlaylistEntry.track_id))
            .where(PlaylistEntry.playlist_id == playlist_id, col(LibraryTrack.present))
            .order_by(col(PlaylistEntry.position))
        )
        tracks = list(session.exec(statement).all())
    entries = [
        Entry(text_path(t.path), _display(t), t.duration_ms / 1000 or None, 0) for t in tracks
    ]
    return export_m3u8(entries, relative_to=relative_to.resolve())


def _display(track: LibraryTrack) -> str:
    return f"{track.artist} - {track.title}" if track.artist else track.title
