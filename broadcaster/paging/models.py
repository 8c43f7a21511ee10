"""The service desk's pages (寻人寻物): one row per notice, kept as the desk's record.

A page is asked for once and played again every ``every_s`` seconds until it has played
``times`` times, or the desk resolves (the child is found) or cancels it. The row says how far
it got, so a restarted daemon carries on with the pages that were still active.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from broadcaster.columns import EnumText, UtcDateTime

TITLE_MAX = 300


class PageStatus(StrEnum):
    ACTIVE = "active"  # more plays to come
    RESOLVED = "resolved"  # found: never plays again
    CANCELLED = "cancelled"  # withdrawn by the desk
    FINISHED = "finished"  # played every time it was asked to


class Page(SQLModel, table=True):
    __tablename__ = "page"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=TITLE_MAX)
    template: str | None = Field(default=None, max_length=40)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    media_path: str = Field(max_length=1000)  # the rendered (or given) notice, without chime
    duration_ms: int = 0
    chime: bool = True
    every_s: int
    times: int
    plays: int = 0  # passes that reached the speakers in full
    attempts: int = 0  # passes that ended one way or another (played, failed, expired)
    status: PageStatus = Field(
        default=PageStatus.ACTIVE,
        sa_type=EnumText(PageStatus),
        index=True,
    )
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=120)  # the authenticated person who asked
    on_behalf_of: str | None = Field(default=None, max_length=120)  # whom they typed it for
    last_started_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_by: str | None = Field(default=None, max_length=120)
    zones: str | None = Field(default=None, max_length=1000)  # "1F,2F"; None: every zone


class PagePublic(SQLModel):
    id: int
    title: str
    template: str | None
    fields: dict[str, Any]
    languages: list[str]
    every_s: int
    times: int
    plays: int
    attempts: int
    status: PageStatus
    created_at: dt.datetime
    created_by: str
    on_behalf_of: str | None = None
    last_started_at: dt.datetime | None
    ended_at: dt.datetime | None
    ended_by: str | None
    zones: str | None = None  # "1F,2F"; None: every zone
