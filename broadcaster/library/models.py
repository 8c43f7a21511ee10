"""The music library's tables: the tracks a scan found, the playlists, and the scan jobs.

A track row is kept when its file goes away (``present`` false): the play log and playlists may
still name it, and a file that comes back at the same path is the same track again. Loudness is
measured once per file version (size and modification time): a changed file is measured again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from broadcaster.columns import EnumText, UtcDateTime
from broadcaster.problems import no_invisible, problem

PATH_MAX = 1000
NAME_MAX = 60
TAG_MAX = 300


class Loudness(StrEnum):
    PENDING = "pending"  # not measured yet: plays at library.unmeasured_gain_db
    MEASURED = "measured"
    FAILED = "failed"  # ffmpeg could not measure it: the file is not played


class LibraryTrack(SQLModel, table=True):
    __tablename__ = "track"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=PATH_MAX, unique=True, index=True)
    folder: str = Field(max_length=PATH_MAX)  # the library folder it was found under
    size: int = Field(sa_type=BigInteger)
    mtime_ns: int = Field(sa_type=BigInteger)
    title: str = Field(max_length=TAG_MAX)
    artist: str | None = Field(default=None, max_length=TAG_MAX)
    album: str | None = Field(default=None, max_length=TAG_MAX)
    duration_ms: int = 0
    format: str = Field(max_length=16)
    problem: str | None = Field(default=None, max_length=1000)  # why it cannot be played
    lufs: float | None = None
    true_peak_dbtp: float | None = None
    loudness: Loudness = Field(default=Loudness.PENDING, sa_type=EnumText(Loudness), index=True)
    present: bool = Field(default=True, index=True)
    added_at: dt.datetime = Field(sa_type=UtcDateTime)
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)
    removed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    measured_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)

    @property
    def playable(self) -> bool:
        return self.present and self.problem is None and self.loudness is not Loudness.FAILED


class TrackPublic(SQLModel):
    id: int
    path: str  # the true name: a byte that is not UTF-8 is written \xHH (playlists.names)
    name: str  # the file's name as a person reads it (legacy encodings decoded)
    title: str
    artist: str | None
    album: str | None
    duration_ms: int
    format: str
    problem: str | None
    lufs: float | None
    true_peak_dbtp: float | None
    loudness: Loudness
    gain_db: float | None  # what the bed applies; None until measured
    present: bool
    added_at: dt.datetime
    changed_at: dt.datetime


class PlaylistKind(StrEnum):
    FOLDER = "folder"  # every track under a folder of the library, as it is today
    LIST = "list"  # the tracks listed, in order


def _name(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise problem(
                "A playlist name cannot contain / or \\.", "播放列表名称不能包含 / 或 \\。"
            )
        no_invisible(value)
    return value


class PlaylistBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, unique=True, index=True)
    kind: PlaylistKind = Field(sa_type=EnumText(PlaylistKind))
    folder: str | None = Field(default=None, max_length=PATH_MAX)  # FOLDER: under a library folder
    shuffle: bool = True  # False: a LIST plays in its order


class Playlist(PlaylistBase, table=True):
    __tablename__ = "playlist"
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=120)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class PlaylistEntry(SQLModel, table=True):
    __tablename__ = "playlist_entry"
    id: int | None = Field(default=None, primary_key=True)
    playlist_id: int = Field(foreign_key="playlist.id", index=True)
    position: int
    track_id: int = Field(foreign_key="track.id", index=True)
    weight: float = 1.0


class EntryIn(SQLModel):
    track_id: int
    weight: float = Field(1.0, ge=0.0, le=10.0)


class PlaylistCreate(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    kind: PlaylistKind = PlaylistKind.LIST
    folder: str | None = Field(default=None, max_length=PATH_MAX)
    shuffle: bool = True
    tracks: list[EntryIn] = Field(default_factory=list, max_length=20000)

    _clean = field_validator("name", mode="before")(_name)


class PlaylistUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    shuffle: bool | None = None
    tracks: list[EntryIn] | None = Field(default=None, max_length=20000)

    _clean = field_validator("name", mode="before")(_name)


class EntryPublic(SQLModel):
    position: int
    weight: float
    track: TrackPublic


class PlaylistPublic(SQLModel):
    id: int
    name: str
    kind: PlaylistKind
    folder: str | None
    shuffle: bool
    tracks: int  # how many playable tracks it has now
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime


class PlaylistDetail(PlaylistPublic):
    entries: list[EntryPublic]  # LIST only; a FOLDER playlist's tracks are /library/tracks


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the daemon stopped before it finished


class ScanJob(SQLModel, table=True):
    """One scan of the library folders: tags first, then loudness; progress as it goes."""

    __tablename__ = "scan_job"
    id: int | None = Field(default=None, primary_key=True)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=EnumText(JobStatus), index=True)
    phase: str = Field(default="tags", max_length=16)  # tags, loudness, done
    requested_by: str = Field(max_length=120)
    requested_at: dt.datetime = Field(sa_type=UtcDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    files: int = 0  # audio files found
    scanned: int = 0  # of them, looked at so far
    added: int = 0
    changed: int = 0
    removed: int = 0
    unreadable: int = 0
    to_measure: int = 0
    measured: int = 0
    measure_failed: int = 0
    audio_s: float = 0.0  # seconds of audio measured
    message: str | None = Field(default=None, max_length=2000)


class ScanJobPublic(SQLModel):
    id: int
    status: JobStatus
    phase: str
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    files: int
    scanned: int
    added: int
    changed: int
    removed: int
    unreadable: int
    to_measure: int
    measured: int
    measure_failed: int
    progress: float  # 0..1 over both phases
    message: str | None
