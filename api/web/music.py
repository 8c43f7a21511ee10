"""The supervisor's music: playlists, their tracks, imports and library scans.

The page reads the library through broadcaster.library.crud; changes (a list playlist made,
renamed, shuffled or deleted, an M3U imported, a rescan) go to the JSON API (api/library.py)
from music.js with the session's CSRF token; the playlists and tracks are fragments fetched
again after each change, and a scan's progress is polled from the API until it ends.
"""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.database import Db
from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.library import crud
from broadcaster.library.models import JobStatus, PlaylistKind, TrackPublic
from broadcaster.problems import NotFound
from broadcaster.programme.crud import rules_using
from broadcaster.programme.spec import ContentKind
from playlists.imports import MAX_BYTES

NAV: tuple[NavEntry, ...] = (("/supervisor/music", "mu_page", Right.MUSIC),)
TRACKS_SHOWN = 200
WORDS: Words = {
    "zh": {
        "mu_page": "背景音乐", "mu_name": "名称", "mu_playlists": "播放列表", "mu_kind": "类型", "mu_folder": "文件夹",
        "mu_list": "列表", "mu_shuffle": "随机播放", "mu_tracks": "曲目", "mu_n_tracks": "首",
        "mu_used_by": "节目单使用中", "mu_show": "查看曲目", "mu_export": "导出", "mu_rename": "重命名",
        "mu_delete": "删除", "mu_delete_confirm": "确定删除这个播放列表吗？曲目文件不会被删除。",
        "mu_new": "新建列表播放列表", "mu_create": "创建", "mu_new_name": "新名称",
        "mu_import": "导入播放列表", "mu_import_hint": "M3U、M3U8 或 PLS 文件，最大 {mb} MB；可不填名称，使用文件名",
        "mu_import_go": "导入", "mu_file": "文件", "mu_imported": "已导入“{name}”：{n} 首曲目。",
        "mu_unresolved": "以下条目未导入（找不到或无法播放）：", "mu_line": "第 {n} 行",
        "mu_all_tracks": "全部曲目", "mu_search": "搜索标题、艺术家、专辑或文件名", "mu_artist": "艺术家",
        "mu_duration": "时长", "mu_loudness": "响度 / 增益", "mu_problem": "问题", "mu_pending": "待测量",
        "mu_failed": "无法测量", "mu_none": "没有曲目。", "mu_shown": "仅显示前 {n} 首",
        "mu_library": "音乐库", "mu_in_library": "首曲目", "mu_rescan": "重新扫描音乐库",
        "mu_never_scanned": "还没有扫描过音乐库。", "mu_last_scan": "上次扫描",
        "mu_phase_queued": "排队等待扫描……", "mu_phase_tags": "读取标签", "mu_phase_loudness": "测量响度",
        "mu_scan_done": "扫描完成：共 {files} 个文件，新增 {added}，更改 {changed}，移除 {removed}，无法读取 {unreadable}。",
        "mu_scan_failed": "扫描失败", "mu_scan_interrupted": "扫描被中断", "mu_created_ok": "已创建播放列表。",
        "mu_renamed_ok": "已重命名。", "mu_shuffle_on": "已设为随机播放。",
        "mu_shuffle_off": "已设为按顺序播放。", "mu_deleted_ok": "已删除播放列表。", "mu_gone": "这个播放列表已不存在。",
        "mu_removed": "文件已移除", "mu_add_to": "加入列表", "mu_add": "加入",
        "mu_take_out": "移出", "mu_added_ok": "已加入“{name}”。", "mu_taken_out_ok": "已从列表中移出。",
    },
    "en": {
        "mu_page": "Music", "mu_name": "Name", "mu_playlists": "Playlists", "mu_kind": "Kind", "mu_folder": "folder",
        "mu_list": "list", "mu_shuffle": "Shuffle", "mu_tracks": "Tracks", "mu_n_tracks": "tracks",
        "mu_used_by": "used by the programme", "mu_show": "Tracks", "mu_export": "Export",
        "mu_rename": "Rename", "mu_delete": "Delete",
        "mu_delete_confirm": "Delete this playlist? The music files stay.",
        "mu_new": "New list playlist", "mu_create": "Create", "mu_new_name": "New name",
        "mu_import": "Import a playlist",
        "mu_import_hint": "an M3U, M3U8 or PLS file, at most {mb} MB; no name: the file's name",
        "mu_import_go": "Import", "mu_file": "File", "mu_imported": "Imported “{name}”: {n} tracks.",
        "mu_unresolved": "These entries were not imported (not found, or not playable):", "mu_line": "line {n}",
        "mu_all_tracks": "All tracks", "mu_search": "Search title, artist, album or file name",
        "mu_artist": "Artist", "mu_duration": "Length", "mu_loudness": "Loudness / gain",
        "mu_problem": "Problem", "mu_pending": "not measured yet", "mu_failed": "cannot be measured",
        "mu_none": "No tracks.", "mu_shown": "showing the first {n}", "mu_library": "Library",
        "mu_in_library": "tracks", "mu_rescan": "Rescan the library",
        "mu_never_scanned": "The library has not been scanned yet.", "mu_last_scan": "Last scan",
        "mu_phase_queued": "Waiting for the scan to start…", "mu_phase_tags": "Reading tags",
        "mu_phase_loudness": "Measuring loudness",
        "mu_scan_done": "Scan done: {files} files, {added} added, {changed} changed, {removed} removed, {unreadable} unreadable.",
        "mu_scan_failed": "The scan failed", "mu_scan_interrupted": "The scan was interrupted",
        "mu_created_ok": "Playlist created.", "mu_renamed_ok": "Renamed.", "mu_shuffle_on": "Now shuffled.",
        "mu_shuffle_off": "Now played in order.",
        "mu_deleted_ok": "Playlist deleted.", "mu_gone": "This playlist no longer exists.",
        "mu_removed": "file gone", "mu_add_to": "Add to list", "mu_add": "Add",
        "mu_take_out": "Take out", "mu_added_ok": "Added to “{name}”.",
        "mu_taken_out_ok": "Taken out of the list.",
    },
}  # fmt: skip


def duration(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"  # fmt: skip


def chosen_id(value: str) -> int | None:
    """The playlist asked for (the page's forms send an empty value for "all tracks")."""
    return int(value) if value.strip().isdigit() else None


def _has(track: TrackPublic, wanted: str) -> bool:
    words = (track.title, track.artist or "", track.album or "", track.path)
    return not wanted or any(wanted.casefold() in w.casefold() for w in words)


def problem_in(text: str | None, lang: str) -> str:
    """A track's problem in the page's language (the scan stores "English / 中文")."""
    if not text:
        return ""
    english, _, chinese = text.partition(" / ")
    return (chinese or english) if lang == "zh" else english


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    target = console.daemon.settings.speech.music_lufs

    def playlists(db: Session) -> dict[str, Any]:
        rows = crud.list_playlists(db)
        used = {p.id: rules_using(db, kind=ContentKind.PLAYLIST, ref=p.name) for p in rows}
        return {"playlists": rows, "used": used}

    def tracks(db: Session, playlist_id: int | None, q: str) -> dict[str, Any]:
        """A list playlist's entries in their order (``q`` filters them), else the tracks of
        the folder playlist or of the library whose words contain ``q``; with the list
        playlists a track can be added to."""
        wanted = q.strip()[:200]
        lists = [p for p in crud.list_playlists(db) if p.kind is PlaylistKind.LIST]
        shared = {"lists": lists, "shown": TRACKS_SHOWN, "duration": duration,
                  "problem_in": problem_in}  # fmt: skip
        try:
            chosen = crud.get_playlist(db, playlist_id=playlist_id) if playlist_id else None
        except NotFound:
            return {"gone": True, "rows": [], "total": 0, "chosen": None, **shared}
        if chosen is not None and chosen.kind is PlaylistKind.LIST:
            entries = crud.playlist_detail(db, chosen, target).entries
            found = [(e.position, e.track) for e in entries if _has(e.track, wanted)]
            return {"rows": found[:TRACKS_SHOWN], "total": len(found), "chosen": chosen, **shared}
        rows, total = crud.search_tracks(db, query=wanted or None, playlist_id=playlist_id,
                                         limit=TRACKS_SHOWN)  # fmt: skip
        return {"rows": [(None, crud.track_public(r, target)) for r in rows], "total": total,
                "chosen": chosen, **shared}  # fmt: skip

    @router.get("/supervisor/music", response_class=HTMLResponse)
    def music(request: Request, db: Db, playlist: str = "", q: str = "") -> Response:
        """Playlists, the tracks of one (or a search of all), imports and the library scan."""
        playlist_id = chosen_id(playlist)
        jobs = crud.list_jobs(db, limit=1)
        job = crud.job_public(jobs[0]) if jobs else None
        running = job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        _, library = crud.search_tracks(db, limit=1)
        return console.page(
            request, Right.MUSIC, "music.html", q=q, playlist_id=playlist_id, job=job,
            running=running, library=library, max_mb=MAX_BYTES // 2**20,
            local=console.local("%Y-%m-%d %H:%M"), **playlists(db),
            **tracks(db, playlist_id, q),
        )  # fmt: skip

    @router.get("/supervisor/music/playlists", response_class=HTMLResponse)
    def playlist_table(request: Request, db: Db, playlist: str = "") -> Response:
        """The playlists' table alone, fetched again after a change."""
        playlist_id = chosen_id(playlist)
        found = console.fragment_for(request, Right.MUSIC)
        if isinstance(found, Response):
            return found
        return console.render(request, "_music_playlists.html", playlist_id=playlist_id,
                              **playlists(db))  # fmt: skip

    @router.get("/supervisor/music/tracks", response_class=HTMLResponse)
    def track_table(
        request: Request,
        db: Db,
        playlist: str = "",
        q: Annotated[str, Query(max_length=200)] = "",
    ) -> Response:
        """The tracks of a playlist (or of the whole library) whose words contain ``q``."""
        playlist_id = chosen_id(playlist)
        found = console.fragment_for(request, Right.MUSIC)
        if isinstance(found, Response):
            return found
        return console.render(request, "_music_tracks.html", q=q, **tracks(db, playlist_id, q))

    return router
