"""What the music bed plays: the source it draws from, the programme's songs, a track waiting
to play (``Queued``) and the track on one of its players (``OnBed``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from broadcaster.audio.output import MediaInfo
from broadcaster.playlog import Outcome, PlayLog
from playlists.names import display_name, path_text, readable
from playlists.sources import Listed

LAYER = "bed"  # the play log's layer for music


class MusicSource(Protocol):
    """Where the bed's tracks come from (``playlists.sources.PlaylistSource``)."""

    fault: str | None  # why it gives nothing, or gives from its fallback; None when all is well

    @property
    def key(self) -> str: ...

    def next_track(self, now: datetime) -> Listed | None: ...

    def played(self, track: Listed, at: datetime) -> None: ...

    def failed(self, track: Listed, at: datetime) -> bool: ...

    def succeeded(self, track: Listed) -> None: ...


@dataclass(frozen=True)
class Song:
    """A file the programme plays on the bed itself (welcome music, farewell song)."""

    path: Path
    title: str
    requested_by: str
    planned_at: datetime | None = None
    cue_key: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Queued:
    """A checked track waiting to play: resumed, a programme song, or the playlist's next."""

    info: MediaInfo
    start_ms: int = 0
    song: Song | None = None
    listed: Listed | None = None
    resumed: bool = False
    gain_db: float | None = None  # a resumed track keeps its gain: no level change mid-track


@dataclass
class OnBed:
    """A track on one of the bed's players."""

    info: MediaInfo
    token: int
    layer: str
    start_ms: int
    gain_db: float
    song: Song | None = None  # set when the programme asked for this file
    listed: Listed | None = None  # set when it came from the playlist
    row_id: int | None = None
    started_at: datetime | None = None
    started_passed: float | None = None  # the clock's monotonic reading at the start
    leaving: tuple[Outcome, str] = (Outcome.COMPLETED, "")  # how its row closes when faded out

    @property
    def title(self) -> str:
        if self.song:
            return self.song.title
        return self.listed.display if self.listed else display_name(self.info.path.stem)


def title_of(item: Queued) -> str:
    if item.song:
        return item.song.title
    return item.listed.display if item.listed else display_name(item.info.path.stem)


def log_detail(track: OnBed) -> str:
    parts = [f"resumed at {track.start_ms // 1000} s"] if track.start_ms else []
    if track.gain_db:
        parts.append(f"gain {track.gain_db:+.1f} dB")
    return "; ".join(parts)


def now_playing(
    track: OnBed | None, upcoming: Queued | None, *, crossfading: bool
) -> dict[str, Any] | None:
    """The bed's current track and the one after it, as the status shows them."""
    if track is None:
        return None
    return {
        "title": track.title,
        "artist": track.listed.artist if track.listed else None,
        "file": display_name(track.info.path.name),
        "layer": track.layer,
        "duration_ms": track.info.duration_ms,
        "gain_db": round(track.gain_db, 2),
        "started_at": track.started_at.isoformat() if track.started_at else None,
        "crossfading": crossfading,
        "next": None if upcoming is None else {
            "title": title_of(upcoming), "file": display_name(upcoming.info.path.name),
            "duration_ms": upcoming.info.duration_ms,
        },
    }  # fmt: skip


def record_failure(
    playlog: PlayLog, now: datetime, path: Path, detail: str, song: Song | None,
    title: str | None, zones: tuple[str, ...] | None,
) -> None:  # fmt: skip
    """A music row for a track that did not play (its check or its play failed)."""
    playlog.record(
        zones=zones,
        layer=LAYER, kind="music", title=song.title if song else title or display_name(path.stem),
        media_path=path_text(path), requested_by=song.requested_by if song else "music bed",
        requested_at=now, ended_at=now, outcome=Outcome.FAILED.value, detail=readable(detail),
        planned_at=song.planned_at if song else None, cue_key=song.cue_key if song else None,
    )  # fmt: skip
