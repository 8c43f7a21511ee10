"""Keyword-only reads and writes of the library: tracks, playlists, scan jobs (playlist files
in and out, M3U/PLS, are ``playlist_files``).

Every write checks before it writes and raises a problem in both languages (NotFound, Invalid,
Conflict); nothing is half-written: each call is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

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
from broadcaster.problems import Conflict, FieldProblem, Invalid, NotFound
from broadcaster.programme.crud import rules_using
from broadcaster.programme.spec import ContentKind
from playlists.names import display_name, path_text, text_path

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
