"""The bed's view of the library: playlists by name, each track's gain, one shared rotation.

A playlist name from the programme is a playlist in the library; failing that, a folder of that
name in the music folder (so music copied in this morning plays before its scan). Folder
playlists list the scanned, playable tracks under their folder, or, while the folder has not
been scanned yet, its files as they are. Every source shares one rotation, so a song that
played under one daypart's playlist is not repeated by the next, and one ``SetAside``, so a
file that failed under one is not tried again by the next; a playlist with nothing playable
falls back to the whole library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from broadcaster.library.models import LibraryTrack, Loudness, Playlist, PlaylistEntry, PlaylistKind
from broadcaster.playlog import PlayLogEntry
from broadcaster.settings import Settings
from playlists.names import path_text, text_path
from playlists.rotation import Rotation, RotationRules
from playlists.sources import Listed, PlaylistSource, SetAside, folder_tracks
from playlists.track_loudness import TrackLoudness, gain_db

ALL_MUSIC = "(all music)"  # the source before any daypart: every track in the music folder


def build_library(
    settings: Settings,
    engine: Engine,
    *,
    seed: int | None = None,
    measure_first: Callable[[Path], None] = lambda path: None,
) -> MusicLibrary:
    """The library as the settings describe it (the daemon's, and the simulator's)."""
    lib = settings.library
    rules = RotationRules(
        no_repeat=timedelta(minutes=lib.no_repeat_min),
        artist_apart=timedelta(minutes=lib.artist_apart_min),
    )
    return MusicLibrary(engine, music_dir=settings.music_path, target_lufs=settings.speech.music_lufs,
                        unmeasured_gain_db=lib.unmeasured_gain_db, rules=rules, seed=seed,
                        measure_first=measure_first)  # fmt: skip


def track_gain(row: LibraryTrack, target_lufs: float) -> float | None:
    """The gain the bed plays ``row`` at, or None while its loudness is not measured."""
    if row.loudness is not Loudness.MEASURED or row.lufs is None:
        return None
    return round(gain_db(row.lufs, target_lufs, true_peak_dbtp=row.true_peak_dbtp), 2)


class MusicLibrary:
    def __init__(
        self,
        engine: Engine,
        *,
        music_dir: Path,
        target_lufs: float,
        unmeasured_gain_db: float,
        rules: RotationRules | None = None,
        seed: int | None = None,
        measure_first: Callable[[Path], None] = lambda path: None,
    ) -> None:
        self._engine, self._music_dir = engine, music_dir.resolve()
        self._target, self._unmeasured = target_lufs, unmeasured_gain_db
        self._measure_first = measure_first
        self.rotation = Rotation(rules or RotationRules(), seed=seed)
        self.aside = SetAside()  # files that failed, shared by every playlist
        self._gains: dict[str, float] = {}
        self._version = 0
        self._lock = threading.Lock()
        self.changed()

    # -- what the bed asks ------------------------------------------------------------------
    def gain_for(self, path: Path) -> float:
        """The measured gain to the bed target; ``unmeasured_gain_db`` (and a request to measure
        it next) for a track not measured yet."""
        gain = self._gains.get(path_text(path))
        if gain is None:
            self._measure_first(path)
            return self._unmeasured
        return gain

    def playlist(self, name: str) -> PlaylistSource:
        with Session(self._engine) as session:
            row = session.exec(select(Playlist).where(Playlist.name == name)).first()
        if row is None:
            folder = self._music_dir / name if name != ALL_MUSIC else self._music_dir
            return self._source(f"folder:{folder}", lambda: self._folder(folder), shuffle=True)
        assert row.id is not None
        playlist_id = row.id
        if row.kind is PlaylistKind.FOLDER and row.folder:
            folder = text_path(row.folder)
            return self._source(f"playlist:{playlist_id}", lambda: self._folder(folder),
                                shuffle=row.shuffle)  # fmt: skip
        return self._source(f"playlist:{playlist_id}", lambda: self._entries(playlist_id),
                            shuffle=row.shuffle)  # fmt: skip

    def everything(self) -> PlaylistSource:
        """All the music in the music folder, shuffled: what plays before any daypart."""
        return self.playlist(ALL_MUSIC)

    def exists(self, name: str) -> bool:
        with Session(self._engine) as session:
            if session.exec(select(Playlist.id).where(Playlist.name == name)).first():
                return True
        return _plain(name) and (self._music_dir / name).is_dir()

    # -- what the scan tells ----------------------------------------------------------------
    def changed(self) -> None:
        """The library changed (a scan or a measurement): reload gains; playlists reload."""
        statement = select(LibraryTrack).where(LibraryTrack.loudness == Loudness.MEASURED)
        with Session(self._engine) as session:
            gains = {}
            for row in session.exec(statement).all():
                gain = track_gain(row, self._target)
                if gain is not None:
                    gains[row.path] = gain
        with self._lock:
            self._gains = gains
            self._version += 1

    def measured(self, path: Path, result: TrackLoudness | None) -> None:
        """One track was measured (``None``: it failed, and leaves the playlists)."""
        if result is None:
            self.changed()
            return
        gain = gain_db(result.lufs, self._target, true_peak_dbtp=result.true_peak_dbtp)
        self._gains[path_text(path)] = round(gain, 2)  # one key: no need to copy the table

    def remember(self, since: timedelta, now: datetime) -> int:
        """Carry the rotation on from the play log (after a restart): the songs played within
        ``since`` are not repeated. Returns how many plays were read."""
        statement = (
            select(PlayLogEntry.media_path, PlayLogEntry.started_at, LibraryTrack.artist)
            .join(
                LibraryTrack, col(LibraryTrack.path) == col(PlayLogEntry.media_path), isouter=True
            )
            .where(PlayLogEntry.layer == "bed", PlayLogEntry.kind == "music")
            .where(col(PlayLogEntry.started_at) >= now - since)
        )
        with Session(self._engine) as session:
            rows = session.exec(statement).all()
        for path, started, artist in rows:
            if path and started is not None:
                self.rotation.played(Listed(text_path(path), "", artist).for_rotation(),
                                     started)  # fmt: skip
        return len(rows)

    # -- internals --------------------------------------------------------------------------
    def _source(
        self, key: str, load: Callable[[], list[Listed]], *, shuffle: bool
    ) -> PlaylistSource:
        return PlaylistSource(key, load, rotation=self.rotation if shuffle else None,
                              version=lambda: self._version, aside=self.aside,
                              fallback=self.everything)  # fmt: skip

    def _folder(self, folder: Path) -> list[Listed]:
        prefix = path_text(folder.resolve()).rstrip("/") + "/"
        # One query, so one snapshot: with two (the playable rows, then "was it scanned?") a
        # scan committing in between made a scanned folder look empty, and the bed said "no
        # music" while its track played.
        statement = (
            select(LibraryTrack)
            .where(col(LibraryTrack.path).startswith(prefix, autoescape=True))
            .order_by(col(LibraryTrack.path))
        )
        with Session(self._engine) as session:
            rows = session.exec(statement).all()
        if not rows:
            return folder_tracks(folder)  # not scanned yet: play the files as they are
        return [_listed(row) for row in rows if row.playable]

    def _entries(self, playlist_id: int) -> list[Listed]:
        statement = (
            select(PlaylistEntry, LibraryTrack)
            .join(LibraryTrack, col(LibraryTrack.id) == col(PlaylistEntry.track_id))
            .where(PlaylistEntry.playlist_id == playlist_id)
            .where(col(LibraryTrack.present), col(LibraryTrack.problem).is_(None))
            .order_by(col(PlaylistEntry.position))
        )
        with Session(self._engine) as session:
            rows = session.exec(statement).all()
        return [
            _listed(track, entry.weight)
            for entry, track in rows
            if track.loudness is not Loudness.FAILED
        ]


def _listed(row: LibraryTrack, weight: float = 1.0) -> Listed:
    return Listed(text_path(row.path), row.title, row.artist, weight, row.duration_ms / 1000)


def _plain(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name
