"""The programme's tables: day types, weekday defaults, calendar entries and rules.

One SQLModel family per entity (Base / Create / Update / table / Public). Day types are referred
to by name everywhere (weekday defaults, calendar, a rule's ``day_types``), as in spec.Programme;
crud.py keeps those names consistent (a rename is carried over, a delete of a used one refused).

Create models validate everything that needs no other row and no file system: each message is
per field, in English and Chinese. An Update is applied by merging it into the stored row and
validating the result as a Create, so a change can never leave an invalid row behind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import field_validator, model_validator
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from broadcaster.columns import EnumText
from broadcaster.problems import FieldProblem, problem, problems_error, refuse_hidden
from broadcaster.programme import spec
from broadcaster.programme.spec import Anchor, Content, ContentKind, RuleKind

DAY_TYPE_NAME_MAX = 40
RULE_NAME_MAX = 120
REF_MAX = 1000
TITLE_MAX = 300
NOTE_MAX = 500
MAX_OFFSET_S = 12 * 3600
MIN_EVERY_S = 60
DAY_S = 24 * 3600

_FORBID = SQLModelConfig(extra="forbid")


def _clean_text(value: Any) -> Any:
    # Names are trimmed; NUL is refused (PostgreSQL cannot store it), and so is any other
    # control or invisible character (the rule of names and titles everywhere: no_invisible).
    # Anything else, HTML and SQL included, is kept as the text it is.
    if isinstance(value, str):
        if "\x00" in value:
            raise problem("Must not contain a NUL character.", "不能包含 NUL 字符。")
        refuse_hidden(value)
        return value.strip()
    return value


def _local_time(value: dt.time | None) -> dt.time | None:
    if value is not None and value.tzinfo is not None:
        raise problem(
            "A local time of day without a zone: the store's time zone applies.",
            "请填写不带时区的本地时间，系统按商场所在时区计算。",
        )
    return value


# --- day types ---------------------------------------------------------------------------------


class DayTypeBase(SQLModel):
    name: str = Field(min_length=1, max_length=DAY_TYPE_NAME_MAX, unique=True, index=True)
    opening: dt.time
    closing: dt.time  # at or before opening: the day trades past midnight


class DayType(DayTypeBase, table=True):
    __tablename__ = "programme_day_type"
    id: int | None = Field(default=None, primary_key=True)


class DayTypeCreate(DayTypeBase):
    model_config = _FORBID

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _clean_text(value)

    @field_validator("opening", "closing")
    @classmethod
    def _times(cls, value: dt.time) -> dt.time | None:
        return _local_time(value)


class DayTypeUpdate(SQLModel):
    model_config = _FORBID
    name: str | None = None
    opening: dt.time | None = None
    closing: dt.time | None = None


class DayTypePublic(DayTypeBase):
    id: int


# --- weekday defaults --------------------------------------------------------------------------


class WeekdayDefaultBase(SQLModel):
    day_type: str = Field(min_length=1, max_length=DAY_TYPE_NAME_MAX)


class WeekdayDefault(WeekdayDefaultBase, table=True):
    __tablename__ = "programme_weekday"
    weekday: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # 0 = Mon


class WeekdayDefaultSet(WeekdayDefaultBase):
    """Create and Update at once: a weekday always has at most one day type."""

    model_config = _FORBID

    @field_validator("day_type", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _clean_text(value)


class WeekdayDefaultPublic(WeekdayDefaultBase):
    weekday: int


# --- calendar ----------------------------------------------------------------------------------


class CalendarEntryBase(SQLModel):
    date: dt.date = Field(unique=True, index=True)
    day_type: str = Field(min_length=1, max_length=DAY_TYPE_NAME_MAX)
    note: str = Field(default="", max_length=NOTE_MAX)  # "National Day", "store event"


class CalendarEntry(CalendarEntryBase, table=True):
    __tablename__ = "programme_calendar"
    id: int | None = Field(default=None, primary_key=True)


class CalendarEntryCreate(CalendarEntryBase):
    model_config = _FORBID

    @field_validator("day_type", "note", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _clean_text(value)


class CalendarEntryUpdate(SQLModel):
    model_config = _FORBID
    date: dt.date | None = None
    day_type: str | None = None
    note: str | None = None


class CalendarEntryPublic(CalendarEntryBase):
    id: int


# --- rules -------------------------------------------------------------------------------------


class ContentModel(SQLModel):
    kind: ContentKind
    ref: str = Field(min_length=1, max_length=REF_MAX)  # data-dir path, playlist or script id
    title: str = Field(default="", max_length=TITLE_MAX)

    model_config = _FORBID

    @field_validator("ref", "title", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _clean_text(value)

    def to_spec(self) -> Content:
        return Content(kind=self.kind, ref=self.ref, title=self.title)


class RuleBase(SQLModel):
    """The fields of spec.Rule that are stored as they are (content and spots differ)."""

    name: str = Field(min_length=1, max_length=RULE_NAME_MAX)
    kind: RuleKind = Field(sa_type=EnumText(RuleKind))
    enabled: bool = True
    order: int = Field(default=0, ge=0, le=100_000)
    priority: int = Field(default=0, ge=0, le=100)
    day_types: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: every day type
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # inclusive
    grace_s: int = Field(default=60, ge=0, le=3600)
    # Cut in at the instant over the ducked bed, or wait for the end of the music track (within
    # the grace). RuleCreate's default: fixed and offset cues cut in, the others wait.
    cut: bool = False
    at: dt.time | None = None  # FIXED
    anchor: Anchor | None = Field(default=None, sa_type=EnumText(Anchor))
    offset_s: int = 0
    window_start: dt.time | None = None  # RECURRING; None: the opening
    window_end: dt.time | None = None  # RECURRING; None: the closing
    every_s: int = Field(default=0, ge=0, le=DAY_S)
    spread_s: int = Field(default=0, ge=0, le=DAY_S)
    start: dt.time | None = None  # DAYPART; None: the opening
    end: dt.time | None = None  # DAYPART; None: the closing; at or before start: past midnight
    playlist: str | None = Field(default=None, max_length=REF_MAX)


class Rule(RuleBase, table=True):
    __tablename__ = "programme_rule"
    id: int | None = Field(default=None, primary_key=True)
    content_kind: str | None = Field(default=None, max_length=16)
    content_ref: str | None = Field(default=None, max_length=REF_MAX)
    content_title: str | None = Field(default=None, max_length=TITLE_MAX)
    spots: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)

    @property
    def content(self) -> ContentModel | None:
        if self.content_kind is None or self.content_ref is None:
            return None
        return ContentModel(
            kind=ContentKind(self.content_kind), ref=self.content_ref,
            title=self.content_title or "",
        )  # fmt: skip


class RuleCreate(RuleBase):
    """A rule as the supervisor writes it. Fields that do not apply to the kind are cleared."""

    model_config = _FORBID
    content: ContentModel | None = None  # FIXED, OFFSET
    spots: list[ContentModel] = Field(default_factory=list)  # RECURRING

    @model_validator(mode="before")
    @classmethod
    def _on_time_by_default(cls, values: Any) -> Any:
        # A fixed or offset cue speaks at its instant unless the rule says to wait.
        if isinstance(values, dict) and values.get("cut") is None:
            timed = values.get("kind") in (RuleKind.FIXED, RuleKind.OFFSET)
            values = {**values, "cut": timed}
        return values

    @field_validator("name", "playlist", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _clean_text(value)

    @field_validator("at", "window_start", "window_end", "start", "end")
    @classmethod
    def _times(cls, value: dt.time | None) -> dt.time | None:
        return _local_time(value)

    @field_validator("day_types", mode="before")
    @classmethod
    def _day_types(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple | set | frozenset):
            return value
        names = [_clean_text(v) for v in value]
        if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
            raise problem(
                "Day type names must be non-empty text, each given once.",
                "日期类型名称不能为空，也不能重复。",
            )
        return sorted(names)

    @field_validator("offset_s")
    @classmethod
    def _offset(cls, value: int) -> int:
        if abs(value) > MAX_OFFSET_S:
            raise problem(
                "The offset is outside the day: at most 12 hours (43200 s) before or after.",
                "偏移超出一天的范围：最多在开店或闭店前后 12 小时（43200 秒）以内。",
            )
        return value

    @model_validator(mode="after")
    def _complete_for_kind(self) -> RuleCreate:
        found = rule_problems(self)
        if found:
            raise problems_error(found)
        _clear_unused(self)
        return self

    @classmethod
    def from_spec(cls, rule: spec.Rule) -> RuleCreate:
        """The Create for a spec.Rule (validated like any other)."""
        return cls.model_validate(
            {
                **{
                    name: getattr(rule, name) for name in RuleBase.model_fields if name != "enabled"
                },
                "day_types": sorted(rule.day_types),
                "content": _content_dict(rule.content),
                "spots": [_content_dict(spot) for spot in rule.spots],
            }
        )

    def to_row(self) -> dict[str, Any]:
        """Column values for the table."""
        values = self.model_dump(exclude={"content", "spots"})
        content = self.content
        values.update(
            content_kind=content.kind.value if content else None,
            content_ref=content.ref if content else None,
            content_title=content.title if content else None,
            spots=[spot.model_dump(mode="json") for spot in self.spots],
        )
        return values


class RuleUpdate(SQLModel):
    """Only the fields sent are changed; the merged rule is then validated as a RuleCreate."""

    model_config = _FORBID
    name: str | None = None
    kind: RuleKind | None = None
    enabled: bool | None = None
    order: int | None = None
    priority: int | None = None
    day_types: list[str] | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    grace_s: int | None = None
    cut: bool | None = None
    content: ContentModel | None = None
    at: dt.time | None = None  # FIXED
    anchor: Anchor | None = None
    offset_s: int | None = None
    window_start: dt.time | None = None  # RECURRING; None: the opening
    window_end: dt.time | None = None  # RECURRING; None: the closing
    every_s: int | None = None
    spread_s: int | None = None
    spots: list[ContentModel] | None = None
    start: dt.time | None = None  # DAYPART; None: the opening
    end: dt.time | None = None  # DAYPART; None: the closing; at or before start: past midnight
    playlist: str | None = None


class RulePublic(RuleBase):
    id: int
    content: ContentModel | None = None
    spots: list[ContentModel] = Field(default_factory=list)

    @classmethod
    def from_row(cls, row: Rule) -> RulePublic:
        values = {name: getattr(row, name) for name in RuleBase.model_fields}
        return cls.model_validate(
            {**values, "id": row.id, "content": row.content, "spots": row.spots}
        )


def _content_dict(content: Content | None) -> dict[str, str] | None:
    if content is None:
        return None
    return {"kind": content.kind.value, "ref": content.ref, "title": content.title}


def rule_problems(rule: RuleCreate) -> list[FieldProblem]:
    """What a rule of its kind is missing, or what does not fit together."""
    found: list[FieldProblem] = []

    def add(field: str, message: str, message_zh: str) -> None:
        found.append(FieldProblem(field, message, message_zh))

    if rule.valid_from and rule.valid_until and rule.valid_until < rule.valid_from:
        add("valid_until", "The last day is before the first day.", "结束日期早于开始日期。")
    if rule.kind in (RuleKind.FIXED, RuleKind.OFFSET) and rule.content is None:
        add("content", "Choose what to play.", "请选择要播放的内容。")
    if rule.kind is RuleKind.FIXED and rule.at is None:
        add("at", "A fixed rule needs its time of day.", "定时规则需要填写播出时间。")
    if rule.kind is RuleKind.OFFSET and rule.anchor is None:
        add(
            "anchor", "Choose opening or closing as the anchor.", "请选择以开店还是闭店时间为基准。"
        )
    if rule.kind is RuleKind.RECURRING:
        if rule.every_s < MIN_EVERY_S:
            add("every_s", "Repeat at most once a minute: at least 60 seconds.",
                "重复间隔至少为 60 秒。")  # fmt: skip
        if not rule.spots:
            add("spots", "Give at least one spot to play in rotation.", "请至少添加一条轮播内容。")
        for index, spot in enumerate(rule.spots):
            if spot.kind is ContentKind.PLAYLIST:
                add(f"spots.{index}.kind", "A spot is something said or a song; music "
                    "playlists belong in a daypart.", "轮播内容应为语音或歌曲；背景音乐"
                    "播放列表请使用音乐时段规则。")  # fmt: skip
        if rule.window_start and rule.window_end and rule.window_end <= rule.window_start:
            add("window_end", "The window must end after it starts.",
                "时段的结束时间必须晚于开始时间。")  # fmt: skip
    if rule.kind is RuleKind.DAYPART:
        # None is the opening (start) or the closing (end), as for a recurring window.
        if rule.start is not None and rule.end == rule.start:
            add("end", "The daypart must end at another time than it starts.",
                "音乐时段的结束时间不能与开始时间相同。")  # fmt: skip
        if not rule.playlist:
            add("playlist", "Choose the playlist to play.", "请选择要播放的播放列表。")
    return found


def _clear_unused(rule: RuleCreate) -> None:
    # spec.Rule: fields that do not apply to the kind stay None (or zero, or empty).
    kind = rule.kind
    if kind not in (RuleKind.FIXED, RuleKind.OFFSET):
        rule.content = None
    if kind is not RuleKind.FIXED:
        rule.at = None
    if kind is not RuleKind.OFFSET:
        rule.anchor, rule.offset_s = None, 0
    if kind is not RuleKind.RECURRING:
        rule.window_start = rule.window_end = None
        rule.every_s, rule.spread_s, rule.spots = 0, 0, []
    if kind is not RuleKind.DAYPART:
        rule.start = rule.end = rule.playlist = None
