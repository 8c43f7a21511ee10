"""The announcer's page: what is on air, the queue (reordered with ↑/↓ within a priority), the
programme next, scripts to queue, a recording made with the browser's microphone, and the
emergency button."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.status import current_status
from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.scripts import crud as script_crud

NAV: tuple[NavEntry, ...] = (("/announcer", "announcer", Right.ANNOUNCE),)
WORDS: Words = {
    "zh": {
        "an_up": "上移", "an_down": "下移", "an_page": "寻人寻物",
        "an_talk": "现场讲话", "an_talk_hold": "按住讲话",
        "an_talk_hint": "按住按钮（或按住 F8 键）讲话，松开即结束：先响提示音，所选分区的背景音乐自动压低；紧急广播时不能讲话。每次讲话都会录音。",
        "an_talk_idle": "未在讲话。", "an_talk_waiting": "正在接通（提示音）…", "an_talk_live": "正在广播：请讲话",
        "an_record": "现场录音", "an_record_hint": "对着麦克风录一段广播，试听无误后加入队列。",
        "an_rec_start": "开始录音", "an_rec_stop": "停止", "an_rec_again": "重新录音",
        "an_rec_title_hint": "例如：停车场满位提示", "an_rec_send": "录音加入队列",
        "an_rec_idle": "尚未录音。", "an_rec_recording": "正在录音…",
        "an_rec_ready": "录好了，请先试听。", "an_rec_sending": "正在上传并检查…",
        "an_rec_queued": "录音已加入队列：", "an_rec_no_mic": "无法使用麦克风：",
        "an_rec_unsupported": "此浏览器不支持录音，请使用新版 Chrome 或 Edge。",
        "an_rec_empty": "没有录到声音，请重新录音。", "an_rec_failed": "提交失败：",
    },
    "en": {
        "an_up": "Move up", "an_down": "Move down", "an_page": "page",
        "an_talk": "Talk", "an_talk_hold": "Hold to talk",
        "an_talk_hint": "Hold the button (or the F8 key) and speak; let go to end. The chime comes first and the chosen zones' music is lowered; not during an emergency. Every call is recorded.",
        "an_talk_idle": "Not talking.", "an_talk_waiting": "Connecting (chime)…", "an_talk_live": "On air: speak",
        "an_record": "Record an announcement", "an_record_hint": "Speak into the microphone, listen back, then queue it.",
        "an_rec_start": "Record", "an_rec_stop": "Stop", "an_rec_again": "Record again",
        "an_rec_title_hint": "e.g. Car park full", "an_rec_send": "Queue the recording",
        "an_rec_idle": "Nothing recorded yet.", "an_rec_recording": "Recording…",
        "an_rec_ready": "Recorded: listen back first.", "an_rec_sending": "Uploading and checking…",
        "an_rec_queued": "Recording queued: ", "an_rec_no_mic": "The microphone cannot be used: ",
        "an_rec_unsupported": "This browser cannot record; use a recent Chrome or Edge.",
        "an_rec_empty": "Nothing was recorded; record again.", "an_rec_failed": "Not queued: ",
    },
}  # fmt: skip


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/announcer", response_class=HTMLResponse)
    def announcer(request: Request) -> Response:
        return console.page(
            request, Right.ANNOUNCE, "announcer.html", zmap=console.daemon.settings.zone_map
        )

    @router.get("/announcer/now", response_class=HTMLResponse)
    def announcer_now(request: Request) -> Response:
        """What is on air, the queue and what the programme plays next (refreshed live)."""
        found = console.fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        return console.render(request, "_announcer_now.html", s=current_status(console.daemon),
                              local=console.local("%H:%M"),
                              zmap=console.daemon.settings.zone_map)  # fmt: skip

    @router.get("/announcer/scripts", response_class=HTMLResponse)
    def announcer_scripts(request: Request, db: Db, q: str = "") -> Response:
        """Approved scripts whose code, title or words contain ``q``, to queue with one tap."""
        found = console.fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        wanted = q.strip().casefold()[:100]
        scripts = [
            s for s in script_crud.list_scripts(db, approved=True)
            if s.on_air and (not wanted or wanted in s.code.casefold()
                             or wanted in s.on_air.title.casefold()
                             or wanted in s.on_air.text.casefold())
        ]  # fmt: skip
        return console.render(request, "_announcer_scripts.html", scripts=scripts[:40])

    return router
