"""Exports people open: CSV files that a spreadsheet on a Chinese Windows PC reads as they are.

1. UTF-8 with a byte-order mark (without it Excel reads the file as GBK and garbles every
   Chinese title).
2. Times in the store's zone, as ``YYYY-MM-DD HH:MM:SS`` (a spreadsheet's own date format; the
   zone is named in the header).
3. Headers in the reader's language; a kind or an outcome is given by its name in that
   language and, in a column of its own, by its code (for filters and other programs).
4. Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from broadcaster.log_words import Lang, detail_in
from broadcaster.playlog import PlayLogPublic

BOM = "\ufeff"

KIND_NAMES: dict[Lang, dict[str, str]] = {
    "zh": {"music": "背景音乐", "announcement": "播音", "page": "寻人寻物",
           "emergency": "紧急广播", "fault": "音频故障"},
    "en": {"music": "music", "announcement": "announcement", "page": "page",
           "emergency": "emergency", "fault": "audio fault"},
}  # fmt: skip
"""A play-log row's kind as a person reads it (the console's words come from here too)."""
OUTCOME_NAMES: dict[Lang, dict[str, str]] = {
    "zh": {"completed": "完整播出", "preempted": "被打断", "failed": "失败", "expired": "过期未播",
           "skipped": "跳过", "cancelled": "已撤销", "missed": "未播出", "recovered": "已恢复",
           "": "播出中"},
    "en": {"completed": "completed", "preempted": "preempted", "failed": "failed",
           "expired": "expired", "skipped": "skipped", "cancelled": "cancelled",
           "missed": "missed", "recovered": "recovered", "": "on air"},
}  # fmt: skip
"""An outcome as a person reads it; "" is a row still open (on air)."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# (attribute, Chinese header, English header); "@time" marks a time column (header + zone).
_LOG_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "编号", "ID"),
    ("requested_at", "请求时间", "Requested"),
    ("planned_at", "计划时间", "Planned"),
    ("started_at", "开始时间", "Started"),
    ("ended_at", "结束时间", "Ended"),
    ("kind_name", "类型", "Kind"),
    ("title", "标题", "Title"),
    ("requested_by", "请求者", "Asked by"),
    ("outcome_name", "结果", "Outcome"),
    ("detail", "说明", "Detail"),
    ("kind", "类型代码", "Kind code"),
    ("outcome", "结果代码", "Outcome code"),
    ("layer", "层", "Layer"),
    ("media_path", "文件", "File"),
    ("duck_db", "压低（dB）", "Ducked (dB)"),
    ("cue_key", "节目单编号", "Cue key"),
    ("zones", "分区", "Zones"),
)
_TIMES = {"requested_at", "planned_at", "started_at", "ended_at"}


def local_time(when: datetime | None, zone: ZoneInfo) -> str:
    return "" if when is None else when.astimezone(zone).strftime(TIME_FORMAT)


def kind_name(kind: str, lang: Lang) -> str:
    return KIND_NAMES[lang].get(kind, kind)


def outcome_name(outcome: str | None, lang: Lang) -> str:
    return OUTCOME_NAMES[lang].get(outcome or "", outcome or "")


def play_log_csv(rows: Iterable[PlayLogPublic], *, zone: ZoneInfo, lang: Lang = "zh") -> str:
    """The play log as a CSV file a spreadsheet opens (see the module's steps)."""
    header = []
    for name, zh, en in _LOG_COLUMNS:
        title = zh if lang == "zh" else en
        header.append(f"{title}（{zone.key}）" if name in _TIMES and lang == "zh"
                      else f"{title} ({zone.key})" if name in _TIMES else title)  # fmt: skip
    body = []
    for row in rows:
        values: list[object] = []
        for name, _, _ in _LOG_COLUMNS:
            if name == "kind_name":
                values.append(kind_name(row.kind, lang))
            elif name == "outcome_name":
                values.append(outcome_name(row.outcome, lang))
            elif name in _TIMES:
                values.append(local_time(getattr(row, name), zone))
            elif name == "detail":
                values.append(detail_in(row.detail, lang))
            else:
                values.append(getattr(row, name))
        body.append(values)
    return write_csv(header, body)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV text with the BOM, CRLF line ends (as Excel writes them) and formulas disarmed."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run text as a formula
    return value
