"""The programme's tables: day types, weekday defaults, calendar entries and rules (the rules'
models are ``rule_models``, re-exported here with the limits of ``fields``).

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

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from broadcaster.columns import EnumText
from broadcaster.programme.fields import (
    DAY_S,
    DAY_TYPE_NAME_MAX,
    FORBID,
    MAX_OFFSET_S,
    MIN_EVERY_S,
    NOTE_MAX,
    REF_MAX,
    RULE_NAME_MAX,
    TITLE_MAX,
    clean_text,
    local_time,
)
from broadcaster.programme.rule_models import (
    ContentModel,
    Rule,
    RuleBase,
    RuleCreate,
    RulePublic,
    RuleUpdate,
    rule_problems,
)

__all__ = [
    "DAY_S", "DAY_TYPE_NAME_MAX", "MAX_OFFSET_S", "MIN_EVERY_S", "NOTE_MAX", "REF_MAX",
    "RULE_NAME_MAX", "TITLE_MAX", "CalendarEntry", "CalendarEntryCreate", "CalendarEntryPublic",
    "CalendarEntryUpdate", "ContentModel", "DayType", "DayTypeBase", "DayTypeCreate",
    "DayTypePublic", "DayTypeUpdate", "EnumText", "Rule", "RuleBase", "RuleCreate", "RulePublic",
    "RuleUpdate", "WeekdayDefault", "WeekdayDefaultBase", "WeekdayDefaultPublic",
    "WeekdayDefaultSet", "rule_problems",
]  # fmt: skip


# --- day types ---------------------------------------------------------------------------------


class DayTypeBase(SQLModel):
    name: str = Field(min_length=1, max_length=DAY_TYPE_NAME_MAX, unique=True, index=True)
    opening: dt.time
    closing: dt.time  # at or before opening: the day trades past midnight


class DayType(DayTypeBase, table=True):
    __tablename__ = "programme_day_type"
    id: int | None = Field(default=None, primary_key=True)


class DayTypeCreate(DayTypeBase):
    model_config = FORBID

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return clean_text(value)

    @field_validator("opening", "closing")
    @classmethod
    def _times(cls, value: dt.time) -> dt.time | None:
        return local_time(value)


class DayTypeUpdate(SQLModel):
    model_config = FORBID
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

    model_config = FORBID

    @field_validator("day_type", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return clean_text(value)


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
    model_config = FORBID

    @field_validator("day_type", "note", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return clean_text(value)


class CalendarEntryUpdate(SQLModel):
    model_config = FORBID
    date: dt.date | None = None
    day_type: str | None = None
    note: str | None = None


class CalendarEntryPublic(CalendarEntryBase):
    id: int
