"""Playlist files in and out: an M3U, M3U8 or PLS file imported as a list playlist of the
library's tracks (what cannot be used is reported entry by entry, in both languages), and a
playlist exported as M3U8. Keyword-only, through the library's crud."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session, col, select

from broadcaster.actors import Actor
from broadcaster.library import crud
from broadcaster.library.models import (
    EntryIn,
    LibraryTrack,
    Playlist,
    PlaylistCreate,
    PlaylistEntry,
    PlaylistKind,
)
from broadcaster.library.scan import add_files
from broadcaster.problems import FieldProblem, Invalid, problems_from_errors
from playlists.imports import (
    Entry,
    Imported,
    PlaylistError,
    Unresolved,
    export_m3u8,
    read_playlist,
)
from playlists.names import display_name, text_path
from playlists.sources import AUDIO_SUFFIXES


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
    return crud.create_playlist(session, data=data, actor=actor, folders=folders, now=now), imported


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
    row = crud.get_playlist(session, playlist_id=playlist_id)
    if row.kind is PlaylistKind.FOLDER and row.folder:
        tracks, _ = crud.search_tracks(session, playlist_id=playlist_id, limit=1_000_000)
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
