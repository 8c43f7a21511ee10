"""The music library over HTTP: tracks (list, search), scans (a job with progress), playlists
(CRUD, M3U/M3U8/PLS import, M3U8 export) and what the bed plays now and next. All of it needs
the music right (a supervisor's); now-playing only the status right. Every route goes through broadcaster.library.crud;
refusals come out in the house format (api.errors)."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from api.actor import CurrentActor, need
from api.database import Db
from api.errors import ApiError, route_class
from broadcaster.actors import Right
from broadcaster.bed import BED_LAYERS
from broadcaster.daemon import Daemon
from broadcaster.library import crud, playlist_files
from broadcaster.library.models import (
    PlaylistCreate,
    PlaylistDetail,
    PlaylistPublic,
    PlaylistUpdate,
    ScanJobPublic,
    TrackPublic,
)
from playlists.imports import MAX_BYTES, SUFFIXES


class TrackPage(BaseModel):
    total: int
    tracks: list[TrackPublic]


class UnresolvedEntry(BaseModel):
    line: int
    text: str
    reason: str
    reason_zh: str


class ImportResult(BaseModel):
    playlist: PlaylistDetail
    encoding: str
    imported: int
    unresolved: list[UnresolvedEntry]


def library_router(daemon: Daemon) -> APIRouter:
    settings = daemon.settings
    target = settings.speech.music_lufs
    now = daemon.clock.now
    router = APIRouter(prefix="/api/v1", tags=["music"], route_class=route_class("invalid_music"))

    @router.get("/library/tracks", dependencies=[need(Right.MUSIC)], response_model=TrackPage)
    def tracks(
        db: Db,
        q: Annotated[str | None, Query(max_length=200)] = None,
        playlist_id: int | None = None,
        include_removed: bool = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Any:
        rows, total = crud.search_tracks(db, query=q, playlist_id=playlist_id,
                                         present_only=not include_removed, limit=limit,
                                         offset=offset)  # fmt: skip
        return TrackPage(total=total, tracks=[crud.track_public(r, target) for r in rows])

    @router.get(
        "/library/tracks/{track_id}", dependencies=[need(Right.MUSIC)], response_model=TrackPublic
    )
    def track(track_id: int, db: Db) -> Any:
        return crud.track_public(crud.get_track(db, track_id=track_id), target)

    @router.post(
        "/library/scans",
        dependencies=[need(Right.MUSIC)],
        response_model=ScanJobPublic,
        status_code=202,
    )
    def scan(actor: CurrentActor) -> Any:
        """Queue a scan of the music folders (or join the one already waiting)."""
        return crud.job_public(daemon.library_jobs.request(str(actor)))

    @router.get(
        "/library/scans", dependencies=[need(Right.MUSIC)], response_model=list[ScanJobPublic]
    )
    def scans(db: Db, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Any:
        return [crud.job_public(job) for job in crud.list_jobs(db, limit=limit)]

    @router.get(
        "/library/scans/{job_id}", dependencies=[need(Right.MUSIC)], response_model=ScanJobPublic
    )
    def scan_job(job_id: int, db: Db) -> Any:
        return crud.job_public(crud.get_job(db, job_id=job_id))

    @router.get("/playlists", dependencies=[need(Right.MUSIC)], response_model=list[PlaylistPublic])
    def playlists(db: Db) -> Any:
        return crud.list_playlists(db)

    @router.post(
        "/playlists",
        dependencies=[need(Right.MUSIC)],
        response_model=PlaylistDetail,
        status_code=201,
    )
    def create(body: PlaylistCreate, db: Db, actor: CurrentActor) -> Any:
        row = crud.create_playlist(db, data=body, actor=actor, folders=settings.music_folders,
                                   now=now())  # fmt: skip
        changed()
        return crud.playlist_detail(db, row, target)

    @router.post(
        "/playlists/import",
        dependencies=[need(Right.MUSIC)],
        response_model=ImportResult,
        status_code=201,
    )
    async def import_playlist(
        file: UploadFile,
        db: Db,
        actor: CurrentActor,
        name: Annotated[str | None, Form(max_length=200)] = None,
        shuffle: Annotated[bool, Form()] = True,
    ) -> Any:
        """An M3U, M3U8 or PLS file from the old broadcast PC: entries are looked for in the
        music folders (relative paths from the music folder; Windows drives through
        ``library.drive_roots``). Entries that do not resolve are listed, never fatal."""
        filename = Path(file.filename or "playlist.m3u").name
        suffix = Path(filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise ApiError(422, "bad_playlist_type", "Upload a .m3u, .m3u8 or .pls file.",
                           "请上传 .m3u、.m3u8 或 .pls 文件。")  # fmt: skip
        data = await file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            limit = f"{MAX_BYTES // 2**20} MB"
            raise ApiError(413, "playlist_too_large", f"A playlist file is at most {limit}.",
                           f"播放列表文件不能超过 {limit}。")  # fmt: skip
        music_dir = settings.music_path.resolve()
        # Written to the system's temporary folder (the music folder may be read-only, and is
        # scanned); relative entries still resolve from the music folder.
        handle, temporary = tempfile.mkstemp(prefix="broadcaster-import-", suffix=suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            row, imported = playlist_files.import_playlist(
                db, file=Path(temporary), name=name or Path(filename).stem, shuffle=shuffle,
                actor=actor, folders=settings.music_folders,
                drive_roots=settings.library.drive_roots, now=now(), label=filename,
                base=music_dir,
            )  # fmt: skip
        finally:
            Path(temporary).unlink(missing_ok=True)
        changed()
        daemon.library_jobs.request("playlist import")  # measures the new files (silence too)
        unresolved = [UnresolvedEntry(line=u.line, text=u.text, reason=u.reason,
                                      reason_zh=u.reason_zh) for u in imported.unresolved]  # fmt: skip
        return ImportResult(playlist=crud.playlist_detail(db, row, target),
                            encoding=imported.encoding, imported=len(imported.entries),
                            unresolved=unresolved)  # fmt: skip

    @router.get(
        "/playlists/{playlist_id}", dependencies=[need(Right.MUSIC)], response_model=PlaylistDetail
    )
    def playlist(playlist_id: int, db: Db) -> Any:
        return crud.playlist_detail(db, crud.get_playlist(db, playlist_id=playlist_id), target)

    @router.get(
        "/playlists/{playlist_id}/export.m3u8",
        dependencies=[need(Right.MUSIC)],
        response_class=PlainTextResponse,
    )
    def export(playlist_id: int, db: Db) -> Any:
        row = crud.get_playlist(db, playlist_id=playlist_id)
        text = playlist_files.export_playlist(
            db, playlist_id=playlist_id, relative_to=settings.music_path
        )
        return PlainTextResponse(text, media_type="audio/x-mpegurl; charset=utf-8", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(row.name)}.m3u8"})  # fmt: skip

    @router.patch(
        "/playlists/{playlist_id}", dependencies=[need(Right.MUSIC)], response_model=PlaylistDetail
    )
    def update(playlist_id: int, body: PlaylistUpdate, db: Db) -> Any:
        row = crud.update_playlist(db, playlist_id=playlist_id, data=body, now=now())
        changed()
        return crud.playlist_detail(db, row, target)

    @router.delete("/playlists/{playlist_id}", dependencies=[need(Right.MUSIC)], status_code=204)
    def delete(playlist_id: int, db: Db) -> None:
        crud.delete_playlist(db, playlist_id=playlist_id)
        changed()

    @router.get("/now-playing", dependencies=[need(Right.STATUS)])
    def now_playing() -> dict[str, Any]:
        """The bed's track (with its position), the track after it, and the bed's mode."""
        bed = daemon.core.snapshot()["bed"]
        track = bed.get("now_playing")
        if track is not None and track["layer"] in BED_LAYERS:
            state = daemon.output.layer_state(track["layer"])
            track = {**track, "position_ms": state.position_ms if state.playing else None}
        return {"mode": bed["mode"], "volume_db": bed["volume_db"], "track": track,
                "next": track["next"] if track else None}  # fmt: skip

    def changed() -> None:
        daemon.library.changed()  # playlists in use reload at their next pick

    return router


def _quoted(name: str) -> str:
    return quote(name, safe="")
