"""The shift table and the handover record a shift keeps.

One SQLModel family (Base / Create / Update / table / Public). A shift is ``open`` while its
announcer holds the room, ``handed_over`` once they sign it off (the record of what happened
is then frozen into the row, with its SHA-256 digest), and ``confirmed`` when the incoming
announcer has read that record and signed for it (the digest they read must be the one kept).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from broadcaster.columns import EnumText, UtcDateTime
from broadcaster.problems import problem

NOTES_MAX = 4000
NAME_MAX = 120
_FORBID = SQLModelConfig(extra="forbid")


class ShiftStatus(StrEnum):
    OPEN = "open"  # the announcer holds the room
    HANDED_OVER = "handed_over"  # signed off by the outgoing announcer, waiting for the incoming
    CONFIRMED = "confirmed"  # the incoming announcer read the record and signed for it


def _notes(value: Any) -> Any:
    # Free text as written (line breaks kept); NUL cannot be stored by PostgreSQL.
    if isinstance(value, str):
        if "\x00" in value:
            raise problem("Must not contain a NUL character.", "不能包含 NUL 字符。")
        return value.strip()
    return value


class ShiftBase(SQLModel):
    notes: str = Field(default="", max_length=NOTES_MAX)  # the outgoing announcer's free notes


class Shift(ShiftBase, table=True):
    __tablename__ = "shift"
    id: int | None = Field(default=None, primary_key=True)
    announcer: str = Field(max_length=NAME_MAX, index=True)  # the authenticated person
    started_at: dt.datetime = Field(index=True, sa_type=UtcDateTime)
    ended_at: dt.datetime | None = Field(
        default=None, sa_type=UtcDateTime
    )  # when it was handed over
    handed_over_by: str | None = Field(default=None, max_length=NAME_MAX)  # or a supervisor
    status: ShiftStatus = Field(default=ShiftStatus.OPEN, sa_type=EnumText(ShiftStatus),
                                index=True)  # fmt: skip
    record: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    digest: str | None = Field(default=None, max_length=64)  # SHA-256 of what was handed over
    confirmed_by: str | None = Field(default=None, max_length=NAME_MAX)
    confirmed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    remarks: str = Field(default="", max_length=NOTES_MAX)  # the incoming announcer's
    previous_id: int | None = Field(default=None, foreign_key="shift.id")
    # True while open or waiting for its confirmation, NULL after: unique, so the database
    # itself keeps to one current shift when two people start one at the same moment.
    current: bool | None = Field(default=True, unique=True)


class ShiftCreate(ShiftBase):
    """Start a shift (the caller's); notes may be written from the start."""

    model_config = _FORBID
    _clean = field_validator("notes", mode="before")(_notes)


class ShiftUpdate(SQLModel):
    """The outgoing announcer's notes, while the shift is open."""

    model_config = _FORBID
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    _clean = field_validator("notes", mode="before")(_notes)


class ShiftHandOver(ShiftUpdate):
    """Sign the shift off; ``notes``, if sent, are its last words."""


class ShiftConfirm(SQLModel):
    """The incoming announcer signs for the record they read (its ``digest``)."""

    model_config = _FORBID
    digest: str = Field(min_length=64, max_length=64)
    remarks: str = Field(default="", max_length=NOTES_MAX)
    _clean = field_validator("remarks", mode="before")(_notes)

    @field_validator("digest")
    @classmethod
    def _hex(cls, value: str) -> str:
        if any(c not in "0123456789abcdef" for c in value):
            raise problem("The record's digest: 64 lowercase hexadecimal digits.",
                          "交班记录指纹应为 64 位小写十六进制数字。")  # fmt: skip
        return value


class LogItem(SQLModel):
    """A play-log row as the handover record lists it."""

    id: int
    kind: str
    title: str
    requested_by: str
    planned_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: str | None
    detail: str


class PageItem(SQLModel):
    """A service-desk notice of the shift, with how it ended (or that it is still open)."""

    id: int
    title: str
    status: str
    plays: int
    times: int
    created_at: dt.datetime
    created_by: str
    ended_at: dt.datetime | None
    ended_by: str | None


class ShiftRecord(SQLModel):
    """What happened on air in a shift, from the play log and the desk's pages."""

    since: dt.datetime
    until: dt.datetime
    aired: dict[str, int]  # completed rows per kind (music tracks too)
    spoken: list[LogItem]  # announcements and pages that played in full
    cut_short: list[LogItem]  # spoken items preempted
    missed: list[LogItem]  # spoken items that never went on air (missed, expired, failed…)
    pages: list[PageItem]
    emergencies: list[LogItem]
    faults: list[LogItem]
    music_failed: int  # tracks that could not be played


class ShiftPublic(ShiftBase):
    id: int
    announcer: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    handed_over_by: str | None
    status: ShiftStatus
    digest: str | None
    confirmed_by: str | None
    confirmed_at: dt.datetime | None
    remarks: str
    previous_id: int | None
    record: ShiftRecord | None = None  # the kept record; for an open shift, as it stands now
