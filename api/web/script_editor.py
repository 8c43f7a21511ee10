"""The supervisor's script editor: versions, markup help, listening, approval and recordings.

The page reads the library through broadcaster.scripts.crud; every change (create, edit, approve,
archive, a recording) goes to the JSON API (api/scripts.py) from script_editor.js with the
session's CSRF token, then the list and the open script are fetched again as fragments.
"""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.database import Db
from api.web.console import Console, NavEntry
from api.web.text import LANGUAGES, Words
from broadcaster.actors import Right
from broadcaster.problems import NotFound
from broadcaster.scripts import crud
from broadcaster.scripts.models import ScriptPublic, VersionPublic
from scripts_library.markup import LONG_PAUSE_MS, PARAGRAPH_PAUSE_MS, SHORT_PAUSE_MS
from scripts_library.spec import CATEGORY_ZH, Category, Language, Status

NAV: tuple[NavEntry, ...] = (("/supervisor/scripts", "se_page", Right.SCRIPTS),)
STATES = ("on_air", "draft", "never")
"""The list's state filter: has a version on air, has a draft waiting, never approved."""
_CATEGORY_EN = {
    Category.OPENING: "Opening", Category.CLOSING: "Closing",
    Category.FLOOR_GUIDE: "Floor guide", Category.SERVICES: "Services",
    Category.PROMOTION: "Promotion", Category.REMINDER: "Reminder",
    Category.LOST_PERSON: "Lost person", Category.LOST_ITEM: "Lost item",
    Category.EMERGENCY: "Emergency", Category.STAFF: "Staff",
}  # fmt: skip
_PAGE_WORDS: Words = {
    "zh": {
        "se_page": "稿件编辑", "se_new": "新建稿件", "se_code": "代码", "se_code_hint": "可不填，自动生成",
        "se_category": "类别", "se_language": "语言", "se_state": "版本状态", "se_status": "状态", "se_valid": "有效期",
        "se_valid_from": "开始日期", "se_valid_until": "结束日期", "se_sound": "声音",
        "se_recording": "录音", "se_synth": "语音合成", "se_text": "稿件内容",
        "se_st_draft": "草稿", "se_st_approved": "已审核", "se_st_superseded": "已替代",
        "se_on_air": "播出中", "se_waiting": "待审核", "se_never": "从未审核",
        "se_expired": "已过期", "se_not_yet": "未生效", "se_any": "全部",
        "se_search": "搜索代码、标题或内容", "se_count": "篇稿件", "se_none": "没有符合条件的稿件。",
        "se_pick": "从左侧列表中选择一篇稿件进行编辑，或新建稿件。", "se_gone": "这篇稿件不存在或已归档。",
        "se_create": "创建草稿", "se_save": "保存为草稿", "se_try": "试听当前文字",
        "se_draft_note": "保存后生成新的草稿版本；在新草稿审核通过之前，已审核的版本照常播出。",
        "se_first_note": "新稿件先保存为草稿，经客服主管审核通过后才能播出。",
        "se_versions": "版本记录", "se_version": "版本", "se_made": "编写", "se_approved_by": "审核",
        "se_approve": "审核通过", "se_approve_confirm": "确定审核通过这个版本吗？它将立即替换正在播出的版本。",
        "se_upload": "上传录音", "se_upload_note": "录音优先于语音合成；上传后成为新的草稿版本，需审核通过才会播出。",
        "se_uploading": "正在上传并检查录音……", "se_uploaded": "录音已上传，已生成新的草稿版本。",
        "se_archive": "归档稿件", "se_archive_note": "归档后稿件不再出现在稿件库中，也不会播出；历史版本保留在播出记录中。",
        "se_archive_confirm": "确定归档这篇稿件吗？", "se_archived": "稿件已归档。",
        "se_saved": "已保存为草稿。", "se_created": "稿件已创建。", "se_approved_ok": "已审核通过，新版本开始播出。",
        "se_rendering": "正在生成语音……", "se_at_char": "出错位置", "se_help": "标记说明",
        "se_help_short": "短停顿（换气）", "se_help_long": "长停顿（句与句之间）",
        "se_help_para": "空一行：段落停顿", "se_help_emph": "重读的字句", "se_help_literal": "输入符号本身",
        "se_help_example": "示例", "se_ms": "毫秒", "se_close": "关闭", "se_lang_zh-CN": "中文",
        "se_lang_en": "英文",
    },
    "en": {
        "se_page": "Script editor", "se_new": "New script", "se_code": "Code",
        "se_code_hint": "optional, made for you", "se_category": "Category",
        "se_language": "Language", "se_state": "Versions", "se_status": "State",
        "se_valid": "Valid",
        "se_valid_from": "From", "se_valid_until": "Until", "se_sound": "Sound",
        "se_recording": "recording", "se_synth": "synthesised voice", "se_text": "Words",
        "se_st_draft": "draft", "se_st_approved": "approved", "se_st_superseded": "superseded",
        "se_on_air": "on air", "se_waiting": "awaiting approval", "se_never": "never approved",
        "se_expired": "expired", "se_not_yet": "not yet valid", "se_any": "any",
        "se_search": "Search code, title or words", "se_count": "scripts",
        "se_none": "No script matches.",
        "se_pick": "Choose a script in the list to edit it, or write a new one.",
        "se_gone": "This script does not exist or was archived.",
        "se_create": "Create the draft", "se_save": "Save as a draft", "se_try": "Listen to these words",
        "se_draft_note": "Saving makes a new draft version; the approved version stays on air until the draft is approved.",
        "se_first_note": "A new script starts as a draft; it goes on air once a supervisor approves it.",
        "se_versions": "Versions", "se_version": "Version", "se_made": "Written",
        "se_approved_by": "Approved", "se_approve": "Approve",
        "se_approve_confirm": "Approve this version? It replaces the version on air at once.",
        "se_upload": "Upload a recording",
        "se_upload_note": "A recording wins over the voice; it becomes a new draft, on air once approved.",
        "se_uploading": "Uploading and checking the recording…",
        "se_uploaded": "Recording uploaded: a new draft version was made.",
        "se_archive": "Archive the script",
        "se_archive_note": "An archived script leaves the library and never goes on air; its versions stay in the play log.",
        "se_archive_confirm": "Archive this script?", "se_archived": "The script was archived.",
        "se_saved": "Saved as a draft.", "se_created": "Script created.",
        "se_approved_ok": "Approved: the new version is on air.",
        "se_rendering": "Making the voice…", "se_at_char": "Where", "se_help": "Markup",
        "se_help_short": "short pause (a breath)", "se_help_long": "long pause (between sentences)",
        "se_help_para": "a blank line: a paragraph pause", "se_help_emph": "said with emphasis",
        "se_help_literal": "the sign itself", "se_help_example": "Example", "se_ms": "ms",
        "se_close": "Close", "se_lang_zh-CN": "Chinese", "se_lang_en": "English",
    },
}  # fmt: skip
WORDS: Words = {
    lang: {
        **_PAGE_WORDS[lang],
        **{
            f"se_cat_{c.value}": CATEGORY_ZH[c] if lang == "zh" else _CATEGORY_EN[c]
            for c in Category
        },
    }
    for lang in LANGUAGES
}
PAUSES = {"short": SHORT_PAUSE_MS, "long": LONG_PAUSE_MS, "paragraph": PARAGRAPH_PAUSE_MS}
EXAMPLE = "亲爱的顾客朋友们，/ 本商场将于 *二十分钟后* 结束营业。// 感谢您的光临。"


@dataclass(frozen=True)
class Row:
    """One script of the list: what it is now and how many versions of each state it has."""

    script: ScriptPublic
    current: VersionPublic
    superseded: int
    when: str  # "expired", "not_yet" or ""


def _rows(db: Session, today: date) -> list[Row]:
    rows = []
    for script in crud.list_scripts(db):
        current = script.draft or script.on_air
        if current is None:  # not possible: every script has a version
            continue
        versions = crud.list_versions(db, script_id=script.id)
        shown = script.on_air or current
        when = ""
        if shown.valid_until and shown.valid_until < today:
            when = "expired"
        elif shown.valid_from and shown.valid_from > today:
            when = "not_yet"
        superseded = sum(v.status is Status.SUPERSEDED for v in versions)
        rows.append(Row(script, current, superseded, when))
    return rows


def _matches(row: Row, q: str, category: str, language: str, state: str) -> bool:
    script, current = row.script, row.current
    if category and current.category.value != category:
        return False
    if language and current.language.value != language:
        return False
    if state == "on_air" and script.on_air is None:
        return False
    if state == "draft" and script.draft is None:
        return False
    if state == "never" and script.on_air is not None:
        return False
    if q:
        haystack = [script.code, current.title, current.text]
        if script.on_air:
            haystack += [script.on_air.title, script.on_air.text]
        return any(q in text.casefold() for text in haystack)
    return True


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    zone = console.daemon.settings.zone

    def listed(db: Session, q: str, category: str, language: str, state: str) -> dict[str, Any]:
        wanted = q.strip().casefold()[:100]
        today = console.now().astimezone(zone).date()
        rows = [r for r in _rows(db, today) if _matches(r, wanted, category, language, state)]
        return {"rows": rows}

    def panel(db: Session, script_id: int | None) -> dict[str, Any]:
        choices = {"categories": [c.value for c in Category],
                   "languages": [lang.value for lang in Language]}  # fmt: skip
        if script_id is None:
            return {"script": None, **choices}
        try:
            script = crud.get_script(db, script_id=script_id)
            versions = crud.list_versions(db, script_id=script_id)
        except NotFound:
            return {"script": None, "gone": True, **choices}
        return {"script": script, "versions": list(reversed(versions)),
                "current": versions[-1], **choices}  # fmt: skip

    @router.get("/supervisor/scripts", response_class=HTMLResponse)
    def editor(
        request: Request,
        db: Db,
        q: str = "",
        category: str = "",
        language: str = "",
        state: str = "",
        id: int | None = None,
        new: bool = False,
    ) -> Response:
        """The list of scripts (filtered) and, beside it, the chosen script or a new one."""
        opened = panel(db, id) if id is not None or new else {"script": None, "idle": True}
        return console.page(
            request, Right.SCRIPTS, "scripts_editor.html", q=q, category=category,
            language=language, state=state, states=STATES, pauses=PAUSES, example=EXAMPLE,
            local=console.local("%Y-%m-%d %H:%M"), **listed(db, q, category, language, state),
            **{"categories": [c.value for c in Category],
               "languages": [lang.value for lang in Language], **opened},
        )  # fmt: skip

    @router.get("/supervisor/scripts/list", response_class=HTMLResponse)
    def script_list(
        request: Request, db: Db, q: str = "", category: str = "", language: str = "",
        state: str = "",
    ) -> Response:  # fmt: skip
        """The list alone, for the search box and the filters."""
        found = console.fragment_for(request, Right.SCRIPTS)
        if isinstance(found, Response):
            return found
        return console.render(request, "_scripts_editor_list.html",
                              **listed(db, q, category, language, state))  # fmt: skip

    @router.get("/supervisor/scripts/panel", response_class=HTMLResponse)
    def script_panel(request: Request, db: Db, id: int | None = None) -> Response:
        """One script to edit (its versions, listening, approval, recording), or with no
        ``id`` the form of a new script."""
        found = console.fragment_for(request, Right.SCRIPTS)
        if isinstance(found, Response):
            return found
        return console.render(request, "_scripts_editor_panel.html",
                              local=console.local("%Y-%m-%d %H:%M"), **panel(db, id))  # fmt: skip

    return router
