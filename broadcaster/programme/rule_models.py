"""The rule tables and models: a rule as the supervisor writes it (RuleCreate, validated per
field in English and Chinese, fields that do not apply to its kind cleared), as stored (Rule:
its content and spots as columns) and as shown (RulePublic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import field_validator, model_validator
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from broadcaster.columns import EnumText
from broadcaster.problems import FieldProblem, problem, problems_error
from broadcaster.programme import spec
from broadcaster.programme.fields import (
    DAY_S,
    FORBID,
    MAX_OFFSET_S,
    MIN_EVERY_S,
    REF_MAX,
    RULE_NAME_MAX,
    TITLE_MAX,
    clean_text,
    local_time,
)
from broadcaster.programme.spec import Anchor, Content, ContentKind, RuleKind
from broadcaster.zones.model import ALL

# --- rules -------------------------------------------------------------------------------------


class ContentModel(SQLModel):
    kind: ContentKind
    ref: str = Field(min_length=1, max_length=REF_MAX)  # data-dir path, playlist or script id
    title: str = Field(default="", max_length=TITLE_MAX)

    model_config = FORBID

    @field_validator("ref", "title", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return clean_text(value)

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
    # Zone and group ids as written (checked against the configured zones when saved, resolved
    # when played: zones.selection); empty: every zone.
    zones: list[str] = Field(default_factory=list, sa_type=JSON)
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

    model_config = FORBID
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
        return clean_text(value)

    @field_validator("at", "window_start", "window_end", "start", "end")
    @classmethod
    def _times(cls, value: dt.time | None) -> dt.time | None:
        return local_time(value)

    @field_validator("day_types", mode="before")
    @classmethod
    def _day_types(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple | set | frozenset):
            return value
        names = [clean_text(v) for v in value]
        if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
            raise problem(
                "Day type names must be non-empty text, each given once.",
                "日期类型名称不能为空，也不能重复。",
            )
        return sorted(names)

    @field_validator("zones", mode="before")
    @classmethod
    def _zones(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        names = [clean_text(v) for v in value]
        folded = [n.casefold() for n in names if isinstance(n, str)]
        if len(folded) != len(names) or not all(folded) or len(set(folded)) != len(folded):
            raise problem(
                "Zone and group names must be non-empty text, each given once.",
                "分区和分组名称不能为空，也不能重复。",
            )
        return [] if folded == [ALL] else names  # "all" alone is every zone: nothing to name

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
                "zones": list(rule.zones),
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

    model_config = FORBID
    name: str | None = None
    kind: RuleKind | None = None
    enabled: bool | None = None
    order: int | None = None
    priority: int | None = None
    day_types: list[str] | None = None
    zones: list[str] | None = None
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
