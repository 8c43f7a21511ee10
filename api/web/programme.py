"""The supervisor's programme: rules, dayparts, day types, calendar and campaigns, and the timeline of any date with its conflicts.

The page reads through the programme's crud and the planner (``plan_day``, the function the live
scheduler uses); every change goes to the JSON API (/api/v1/programme) from programme.js.
The timeline of the date is ``programme_timeline``; its conflicts are the planner's own
(``Timeline.conflicts``), shown in the reader's language and marked on the cues, dayparts and
rules they name: the page finds none itself. This module: the words, the rules list, the route.
"""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from api.database import Db
from api.web.console import Console, NavEntry, language
from api.web.programme_timeline import DayView, content_text, day_view, hm
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.library.models import Playlist
from broadcaster.programme import crud
from broadcaster.programme.models import Rule, RulePublic
from broadcaster.programme.reach import ZoneReach
from broadcaster.programme.spec import (
    Anchor,
    RuleKind,
)
from broadcaster.scripts import crud as script_crud
from broadcaster.zones.model import ZoneMap

NAV: tuple[NavEntry, ...] = (("/supervisor/programme", "pg_page", Right.PROGRAMME),)
WORDS: Words = {
    "zh": {
        "pg_page": "节目单", "pg_title": "节目单与播音计划", "pg_prev": "前一天", "pg_next": "后一天",
        "pg_today": "今天", "pg_show": "查看", "pg_day_type": "日期类型", "pg_hours": "营业时间",
        "pg_from_calendar": "日历指定", "pg_from_weekday": "按星期默认", "pg_no_day": "这一天没有设置日期类型，不安排任何播音。请在下方为星期或日历指定日期类型。",
        "pg_timeline": "当日时间线", "pg_music_lane": "背景音乐", "pg_no_cues": "这一天没有语音或歌曲安排。",
        "pg_conflicts": "冲突与提醒", "pg_planner_notes": "规划器原文", "pg_now": "现在",
        "pg_cue": "播出项", "pg_all_cues": "当日全部播出项", "pg_priority": "优先级", "pg_edit_rule": "编辑这条规则", "pg_close": "关闭",
        "pg_rules": "规则", "pg_add_rule": "添加规则", "pg_edit": "编辑", "pg_delete": "删除",
        "pg_delete_confirm": "确定删除这条规则吗？删除后无法恢复。", "pg_when": "时间",
        "pg_content": "播放内容", "pg_day_types": "适用日期类型", "pg_dates": "有效日期",
        "pg_every_day": "每天", "pg_always": "长期", "pg_until": "至", "pg_no_rules": "还没有规则。",
        "pg_kind_fixed": "定时", "pg_kind_offset": "相对开闭店", "pg_kind_recurring": "循环轮播",
        "pg_kind_daypart": "音乐时段", "pg_opening": "开店", "pg_closing": "闭店",
        "pg_before": "{anchor}前 {n}", "pg_after": "{anchor}后 {n}", "pg_at_anchor": "{anchor}时",
        "pg_minutes": "{n} 分钟", "pg_seconds": "{n} 秒", "pg_every_n": "{start}–{end} 每 {n}",
        "pg_spread": "（另加 0–{n} 随机）", "pg_campaign": "活动", "pg_not_today": "当日不适用",
        "pg_rule_name": "规则名称", "pg_rule_kind": "规则类型", "pg_at": "播出时间",
        "pg_anchor": "基准", "pg_offset_dir": "前/后", "pg_offset_min": "分钟数",
        "pg_before_word": "之前", "pg_after_word": "之后", "pg_window_start": "时段开始",
        "pg_window_end": "时段结束", "pg_empty_opening": "留空 = 开店时间", "pg_empty_closing": "留空 = 闭店时间",
        "pg_every_min": "每隔（分钟）", "pg_spread_min": "随机加（分钟）", "pg_spots": "轮播稿件",
        "pg_start": "开始", "pg_end": "结束", "pg_playlist": "播放列表", "pg_content_kind": "内容类型",
        "pg_ck_script": "稿件", "pg_ck_song": "歌曲文件", "pg_ck_speech": "录音文件", "pg_ck_playlist": "播放列表",
        "pg_script": "稿件", "pg_file": "文件（数据目录内的相对路径）", "pg_valid_from": "开始日期",
        "pg_valid_until": "结束日期", "pg_dates_hint": "留空 = 长期有效；填写则为限期活动",
        "pg_all_types_hint": "都不勾选 = 所有日期类型", "pg_cut": "准点插播（压低音乐说话；不勾选 = 等当前歌曲结束）",
        "pg_rule_enabled": "启用这条规则", "pg_no_scripts": "没有已审核的稿件。", "pg_no_playlists": "没有播放列表。",
        "pg_day_types_title": "日期类型与营业时间", "pg_opening_time": "开店", "pg_closing_time": "闭店",
        "pg_add_day_type": "添加日期类型", "pg_weekdays": "每周默认", "pg_no_trading": "不营业",
        "pg_calendar": "日历（节假日、特别日）", "pg_note": "备注", "pg_add_entry": "添加日历条目",
        "pg_no_entries": "没有日历条目。", "pg_saved": "已保存。", "pg_mon": "星期一", "pg_tue": "星期二",
        "pg_wed": "星期三", "pg_thu": "星期四", "pg_fri": "星期五", "pg_sat": "星期六", "pg_sun": "星期日",
        "pg_new_rule": "新规则", "pg_type_name": "名称", "pg_add": "添加", "pg_editing": "编辑规则", "pg_cancel": "取消", "pg_delete_q": "确定删除吗？删除后无法恢复。",
        "pg_no_conflicts": "这一天没有冲突。",
        "pg_zones": "播放分区", "pg_all_zones_hint": "都不勾选 = 全部分区", "pg_groups": "分组",
    },
    "en": {
        "pg_page": "Programme", "pg_title": "Programme and broadcast plan", "pg_prev": "Previous day",
        "pg_next": "Next day", "pg_today": "Today", "pg_show": "Show", "pg_day_type": "Day type",
        "pg_hours": "Opening hours", "pg_from_calendar": "from the calendar",
        "pg_from_weekday": "weekday default", "pg_no_day": "This date has no day type, so nothing is planned. Give its weekday or the calendar a day type below.",
        "pg_timeline": "Timeline of the day", "pg_music_lane": "Music", "pg_no_cues": "Nothing is said or played on this day.",
        "pg_conflicts": "Conflicts and notes", "pg_planner_notes": "The planner's notes", "pg_now": "now",
        "pg_cue": "Cue", "pg_all_cues": "Every cue of the day", "pg_priority": "Priority", "pg_edit_rule": "Edit this rule", "pg_close": "Close",
        "pg_rules": "Rules", "pg_add_rule": "Add rule", "pg_edit": "Edit", "pg_delete": "Delete",
        "pg_delete_confirm": "Delete this rule? This cannot be undone.", "pg_when": "When",
        "pg_content": "Content", "pg_day_types": "Day types", "pg_dates": "Dates",
        "pg_every_day": "every day", "pg_always": "no end", "pg_until": "to", "pg_no_rules": "No rules yet.",
        "pg_kind_fixed": "Fixed time", "pg_kind_offset": "From opening/closing",
        "pg_kind_recurring": "Recurring", "pg_kind_daypart": "Music daypart", "pg_opening": "opening",
        "pg_closing": "closing", "pg_before": "{n} before {anchor}", "pg_after": "{n} after {anchor}",
        "pg_at_anchor": "at {anchor}", "pg_minutes": "{n} min", "pg_seconds": "{n} s",
        "pg_every_n": "{start}–{end} every {n}", "pg_spread": " (plus 0–{n} at random)",
        "pg_campaign": "campaign", "pg_not_today": "not on this date", "pg_rule_name": "Rule name",
        "pg_rule_kind": "Kind of rule", "pg_at": "Time", "pg_anchor": "Anchor",
        "pg_offset_dir": "Before/after", "pg_offset_min": "Minutes", "pg_before_word": "before",
        "pg_after_word": "after", "pg_window_start": "Window start", "pg_window_end": "Window end",
        "pg_empty_opening": "empty = opening time", "pg_empty_closing": "empty = closing time",
        "pg_every_min": "Every (minutes)", "pg_spread_min": "Plus at random (minutes)",
        "pg_spots": "Scripts in rotation", "pg_start": "Start", "pg_end": "End", "pg_playlist": "Playlist",
        "pg_content_kind": "Kind of content", "pg_ck_script": "Script", "pg_ck_song": "Song file",
        "pg_ck_speech": "Recorded speech file", "pg_ck_playlist": "Playlist", "pg_script": "Script",
        "pg_file": "File (path inside the data folder)", "pg_valid_from": "First day",
        "pg_valid_until": "Last day", "pg_dates_hint": "empty = always; with dates it is a campaign",
        "pg_all_types_hint": "none ticked = every day type", "pg_cut": "On time: cut in over the ducked music (unticked: wait for the song to end)",
        "pg_rule_enabled": "Rule enabled", "pg_no_scripts": "No approved scripts.", "pg_no_playlists": "No playlists.",
        "pg_day_types_title": "Day types and opening hours", "pg_opening_time": "Opens",
        "pg_closing_time": "Closes", "pg_add_day_type": "Add day type", "pg_weekdays": "Weekday defaults",
        "pg_no_trading": "closed", "pg_calendar": "Calendar (holidays, special days)", "pg_note": "Note",
        "pg_add_entry": "Add calendar entry", "pg_no_entries": "No calendar entries.", "pg_saved": "Saved.",
        "pg_mon": "Monday", "pg_tue": "Tuesday", "pg_wed": "Wednesday", "pg_thu": "Thursday",
        "pg_fri": "Friday", "pg_sat": "Saturday", "pg_sun": "Sunday", "pg_new_rule": "New rule", "pg_type_name": "Name", "pg_add": "Add",
        "pg_editing": "Edit rule", "pg_cancel": "Cancel", "pg_delete_q": "Delete it? This cannot be undone.",
        "pg_no_conflicts": "No conflicts on this day.",
        "pg_zones": "Zones", "pg_all_zones_hint": "none ticked = every zone", "pg_groups": "Groups",
    },
}  # fmt: skip
WEEKDAY_KEYS = ("pg_mon", "pg_tue", "pg_wed", "pg_thu", "pg_fri", "pg_sat", "pg_sun")


@dataclass
class RuleRow:
    """A rule as the rules list shows it."""

    id: int
    name: str
    kind: str
    when: str
    content: str
    day_types: str
    dates: str
    campaign: bool
    enabled: bool
    applies: bool
    conflict: bool
    zones: str = ""  # where it plays, by name (a store of zones only)


def _duration(seconds: int, t: Mapping[str, str]) -> str:
    if seconds % 60:
        return t["pg_seconds"].format(n=seconds)
    return t["pg_minutes"].format(n=seconds // 60)


def _when(rule: Rule, t: Mapping[str, str]) -> str:
    opening, closing = t["pg_opening"], t["pg_closing"]
    if rule.kind is RuleKind.FIXED:
        return hm(rule.at)
    if rule.kind is RuleKind.OFFSET:
        anchor = opening if rule.anchor is Anchor.OPENING else closing
        if not rule.offset_s:
            return t["pg_at_anchor"].format(anchor=anchor)
        key = "pg_before" if rule.offset_s < 0 else "pg_after"
        return t[key].format(anchor=anchor, n=_duration(abs(rule.offset_s), t))
    if rule.kind is RuleKind.RECURRING:
        text = t["pg_every_n"].format(start=hm(rule.window_start) or opening,
                                      end=hm(rule.window_end) or closing,
                                      n=_duration(rule.every_s, t))  # fmt: skip
        return text + (
            t["pg_spread"].format(n=_duration(rule.spread_s, t)) if rule.spread_s else ""
        )
    return f"{hm(rule.start) or opening}–{hm(rule.end) or closing}"


def zone_choices(zone_map: ZoneMap, zh: bool) -> list[tuple[str, str, bool]]:
    """What the rule editor offers to choose (id, name, is a group): the groups, then the zones;
    none in a store of one zone."""
    if zone_map.single:
        return []
    groups = [(g.id, g.name_zh if zh else g.name_en, True) for g in zone_map.groups]
    return groups + [(z.id, z.name_zh if zh else z.name_en, False) for z in zone_map]


def rule_rows(
    rows: Sequence[Rule],
    view: DayView,
    t: Mapping[str, str],
    titles: Mapping[str, str],
    zh: bool,
    reach: ZoneReach,
) -> list[RuleRow]:
    listed = []
    for row in rows:
        assert row.id is not None
        spec_rule = crud.rule_to_spec(row)
        if row.kind is RuleKind.RECURRING:
            content = " / ".join(content_text(spot, titles) for spot in spec_rule.spots)
        elif row.kind is RuleKind.DAYPART:
            content = row.playlist or ""
        else:
            content = content_text(spec_rule.content, titles)
        separator = "、" if zh else ", "
        campaign = row.valid_from is not None or row.valid_until is not None
        dates = (f"{row.valid_from or ''} {t['pg_until']} {row.valid_until or t['pg_always']}"
                 if campaign else t["pg_always"])  # fmt: skip
        applies = ((not row.day_types or view.day_type in row.day_types)
                   and view.day_type is not None
                   and (row.valid_from is None or row.valid_from <= view.day)
                   and (row.valid_until is None or view.day <= row.valid_until))  # fmt: skip
        listed.append(RuleRow(
            row.id, row.name, t[f"pg_kind_{row.kind.value}"], _when(row, t), content,
            separator.join(row.day_types) or t["pg_every_day"], dates, campaign, row.enabled,
            applies, row.id in view.conflict_rules,
            reach.label(row.zones or [], zh=zh) if reach.zoned else "",
        ))  # fmt: skip
    return listed


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    daemon = console.daemon

    @router.get("/supervisor/programme", response_class=HTMLResponse)
    def programme(request: Request, db: Db, date: str = "") -> Response:
        """The timeline of a date (default today in the store's zone) with its conflicts, and
        the editor of rules, day types, weekday defaults and calendar (through the JSON API)."""
        if isinstance(console.fragment_for(request, Right.PROGRAMME), Response):
            return console.page(request, Right.PROGRAMME, "programme.html")  # log-in, or 403
        zone = daemon.settings.zone
        now = console.now()
        today = now.astimezone(zone).date()
        try:
            day = dt.date.fromisoformat(date) if date else today
        except ValueError:
            day = today
        t, zh = console.words(request), language(request) == "zh"
        scripts = [(s.code, s.on_air.title) for s in script_crud.list_scripts(db, approved=True)
                   if s.on_air]  # fmt: skip
        titles = dict(scripts)
        zone_map = daemon.settings.zone_map
        view = day_view(crud.load_programme(db), day, zone, now, titles=titles, zh=zh,
                        zone_map=zone_map, music_label=t["pg_music_lane"])  # fmt: skip
        rows = crud.list_rules(db)
        entries = crud.list_calendar_entries(db)
        entry = next((e for e in entries if e.date == day), None)
        music = daemon.settings.music_path
        folders = ({p.name for p in music.iterdir() if p.is_dir() and not p.name.startswith(".")}
                   if music.is_dir() else set())  # fmt: skip
        playlists = sorted(set(db.exec(select(Playlist.name)).all()) | folders)
        weekdays = {w.weekday: w.day_type for w in crud.list_weekday_defaults(db)}
        return console.page(
            request, Right.PROGRAMME, "programme.html", view=view, today=today,
            prev=day - dt.timedelta(days=1), next=day + dt.timedelta(days=1),
            calendar_entry=entry, rules=rule_rows(rows, view, t, titles, zh, ZoneReach(zone_map)),
            zone_choices=zone_choices(zone_map, zh),
            rules_json=[RulePublic.from_row(r).model_dump(mode="json") for r in rows],
            day_types=crud.list_day_types(db), weekdays=weekdays, weekday_keys=WEEKDAY_KEYS,
            entries=entries, scripts=scripts, playlists=playlists, hm=hm,
        )  # fmt: skip

    return router
