"""The announcer's shift handover (交接班): the shift open now with what aired in it, the
outgoing announcer's notes and "hand over", the incoming one's "confirm and take over", the
shifts a person may read (the supervisor: all) and each shift's printable record."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import datetime as dt
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.web.console import Console, NavEntry, day_param, language
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.clock import day_bounds
from broadcaster.problems import Forbidden, NotFound
from broadcaster.shifts import crud
from broadcaster.shifts.models import Shift, ShiftPublic

NAV: tuple[NavEntry, ...] = (
    ("/announcer/handover", "ho_nav", Right.HANDOVER),
    ("/shifts", "ho_shifts", Right.HANDOVER),
)
WORDS: Words = {
    "zh": {
        "ho_nav": "交接班", "ho_shifts": "交接班记录", "ho_title": "交接班记录",
        "ho_none": "目前没有值班记录。开始您的班次后，本班播出的内容会自动记入交接班记录。",
        "ho_start": "开始我的班次", "ho_on_duty": "值班播音员", "ho_since": "接班时间",
        "ho_until": "交班时间", "ho_status": "状态", "ho_status_open": "值班中",
        "ho_status_handed_over": "已交班，待接班人确认", "ho_status_confirmed": "已确认",
        "ho_notes": "交班说明", "ho_notes_hint": "设备情况、未完成事项、需要接班人注意的事……",
        "ho_save": "保存说明", "ho_saved": "已保存。", "ho_hand_over": "交班",
        "ho_hand_over_confirm": "确定交班吗？交班后本班记录将被签字保存，不能再修改。",
        "ho_waiting": "已交班，等待接班人确认。", "ho_confirm": "确认接班",
        "ho_confirm_hint": "请阅读以上交班记录。确认后，记录由您签字保存，您的班次随即开始。",
        "ho_remarks": "接班意见", "ho_remarks_hint": "可选：接班时发现的问题",
        "ho_other_on_duty": "正在值班，只有本人可以填写和交班。",
        "ho_aired": "本班播出", "ho_spoken": "完整播出的播音与寻人寻物", "ho_cut": "被打断的播出",
        "ho_missed": "未能播出", "ho_pages": "寻人寻物广播", "ho_emergencies": "紧急广播",
        "ho_faults": "设备故障", "ho_music_failed": "无法播放的音乐文件", "ho_none_item": "无",
        "ho_count_music": "背景音乐", "ho_count_announcement": "播音", "ho_count_page": "寻人寻物",
        "ho_count_emergency": "紧急广播", "ho_count_fault": "故障", "ho_tracks": "首",
        "ho_times": "次", "ho_still_open": "仍在广播", "ho_handed_by": "交班人",
        "ho_confirmed_by": "接班人", "ho_digest": "记录指纹（SHA-256）", "ho_print": "打印",
        "ho_open_record": "查看", "ho_previous": "以往班次", "ho_log_csv": "本班播出记录 CSV",
        "ho_signed_at": "签字时间", "ho_no_shifts": "没有可查看的班次。", "ho_plays": "已播",
        "ho_ended_by": "结束人", "ho_colon": "：", "ho_open_paren": "（", "ho_close_paren": "）",
    "ho_comma": "，",
        "ho_hand_over_for": "代为交班", "ho_by_supervisor": "代为交班",
        "ho_hand_over_for_confirm": "该播音员尚未交班。确定以您的名义代为交班吗？",
    },
    "en": {
        "ho_nav": "Handover", "ho_shifts": "Shifts", "ho_title": "Shift handover",
        "ho_none": "No shift is open. Start yours: what airs in it goes into its handover record.",
        "ho_start": "Start my shift", "ho_on_duty": "Announcer on duty", "ho_since": "Started",
        "ho_until": "Handed over", "ho_status": "State", "ho_status_open": "on duty",
        "ho_status_handed_over": "handed over, waiting for confirmation",
        "ho_status_confirmed": "confirmed", "ho_notes": "Handover notes",
        "ho_notes_hint": "Equipment, unfinished business, what the next announcer must know…",
        "ho_save": "Save the notes", "ho_saved": "Saved.", "ho_hand_over": "Hand over",
        "ho_hand_over_confirm": "Hand over now? The record is signed and kept; it cannot be changed afterwards.",
        "ho_waiting": "Handed over: waiting for the incoming announcer to confirm.",
        "ho_confirm": "Confirm and take over",
        "ho_confirm_hint": "Read the record above. Confirming signs it in your name and starts your shift.",
        "ho_remarks": "Remarks", "ho_remarks_hint": "optional: what you found at takeover",
        "ho_other_on_duty": "is on duty; only they write the notes and hand over.",
        "ho_aired": "Aired in the shift", "ho_spoken": "Announcements and pages played in full",
        "ho_cut": "Cut short", "ho_missed": "Never aired", "ho_pages": "Lost-and-found pages",
        "ho_emergencies": "Emergencies", "ho_faults": "Equipment faults",
        "ho_music_failed": "Music files that could not play", "ho_none_item": "none",
        "ho_count_music": "music", "ho_count_announcement": "announcements",
        "ho_count_page": "pages", "ho_count_emergency": "emergencies", "ho_count_fault": "faults",
        "ho_tracks": "", "ho_times": "", "ho_still_open": "still on air",
        "ho_handed_by": "Handed over by", "ho_confirmed_by": "Confirmed by",
        "ho_digest": "Record fingerprint (SHA-256)", "ho_print": "Print",
        "ho_open_record": "Open", "ho_previous": "Earlier shifts",
        "ho_log_csv": "The shift's play log as CSV", "ho_signed_at": "Signed at",
        "ho_no_shifts": "No shifts to show.", "ho_plays": "played", "ho_ended_by": "ended by",
        "ho_colon": ": ", "ho_open_paren": " (", "ho_close_paren": ")", "ho_comma": ", ",
        "ho_hand_over_for": "Hand over for them", "ho_by_supervisor": "handed over for them by",
        "ho_hand_over_for_confirm": "This announcer has not handed over. Hand over in your name for them?",
    },
}  # fmt: skip


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    daemon = console.daemon

    def view(db: Db, shift: Shift) -> ShiftPublic:
        return crud.public(db, shift=shift, playlog=daemon.playlog, now=console.now())

    @router.get("/announcer/handover", response_class=HTMLResponse)
    def handover(request: Request, db: Db) -> Response:
        """The shift open now (or waiting for its confirmation) and what the person may do."""
        found = console.person(request)
        current = crud.current_shift(db)
        earlier: list[Shift] = []
        if found is not None:
            earlier = [s for s in crud.list_shifts(db, actor=found[0], limit=20)
                       if current is None or s.id != current.id]  # fmt: skip
        return console.page(request, Right.HANDOVER, "handover.html",
                            shift=view(db, current) if current else None, earlier=earlier,
                            local=console.local("%m-%d %H:%M"))  # fmt: skip

    @router.get("/shifts", response_class=HTMLResponse)
    def shifts(request: Request, db: Db, start: str = "", end: str = "") -> Response:
        """The shifts the person may read over a range of days (the supervisor: everyone's)."""
        found = console.person(request)
        zone = daemon.settings.zone
        today = console.now().astimezone(zone).date()
        first, last = day_param(start, today - dt.timedelta(days=6)), day_param(end, today)
        listed: Sequence[Shift] = []
        if found is not None:
            since, until = (
                day_bounds(min(first, last), zone)[0],
                day_bounds(max(first, last), zone)[1],
            )
            listed = crud.list_shifts(db, actor=found[0], since=since, until=until, limit=500)
        return console.page(request, Right.HANDOVER, "shifts.html", shifts=listed, first=first,
                            last=last, local=console.local("%Y-%m-%d %H:%M"))  # fmt: skip

    @router.get("/shifts/{shift_id}", response_class=HTMLResponse)
    def record(request: Request, shift_id: int, db: Db) -> Response:
        """One shift's handover record, laid out to print and sign."""
        found = console.person(request)
        shift, status = None, 200
        if found is not None:
            try:
                shift = view(db, crud.get_shift(db, shift_id=shift_id, actor=found[0]))
            except (NotFound, Forbidden) as refused:
                status = 404 if isinstance(refused, NotFound) else 403
                message = refused.message_zh if language(request) == "zh" else refused.message
                return console.page(request, Right.HANDOVER, "shift.html", shift=None,
                                    status=status, refusal=message)  # fmt: skip
        return console.page(request, Right.HANDOVER, "shift.html", shift=shift, status=status,
                            local=console.local("%Y-%m-%d %H:%M:%S"),
                            zone=daemon.settings.zone.key)  # fmt: skip

    return router
