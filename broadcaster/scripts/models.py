"""The script library's tables: a script, and its versions.

A script (``script``) is what the programme and the announcer refer to: a stable id and a short
``code``. What it says lives in its versions (``script_version``), numbered from 1, each a draft,
approved or superseded. At most one version is approved at a time; it is the one on air. Editing
a script whose newest version is approved adds a new draft, so the approved words stay on air
until the supervisor approves the new ones. No version is ever deleted: the log can always say
which words went out.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import field_validator, model_validator
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from broadcaster.columns import EnumText, UtcDateTime
from broadcaster.problems import FieldProblem, no_invisible, problem, problems_error
from scripts_library import markup
from scripts_library.spec import Category, Language, Status

TITLE_MAX = 120
TEXT_MAX = 4000
CODE_MAX = 60
REF_MAX = 1000
ACTOR_MAX = 120
CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")

_FORBID = SQLModelConfig(extra="forbid")


class Script(SQLModel, table=True):
    __tablename__ = "script"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=CODE_MAX, unique=True, index=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=ACTOR_MAX)
    archived: bool = False  # "deleted": hidden, never on air; its versions stay for the log


class ScriptContent(SQLModel):
    """What one version says and when it may be used."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    category: Category = Field(sa_type=EnumText(Category))
    language: Language = Field(sa_type=EnumText(Language))
    text: str = Field(min_length=1, max_length=TEXT_MAX, sa_column=Column(Text, nullable=False))
    recording: str | None = Field(default=None, max_length=REF_MAX)  # in the data dir; wins
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # inclusive


class ScriptVersion(ScriptContent, table=True):
    __tablename__ = "script_version"
    __table_args__ = (UniqueConstraint("script_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    script_id: int = Field(foreign_key="script.id", index=True)
    number: int
    status: Status = Field(sa_type=EnumText(Status))
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=ACTOR_MAX)
    approved_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    approved_by: str | None = Field(default=None, max_length=ACTOR_MAX)


class ScriptCreate(ScriptContent):
    """A new script: its first version is a draft."""

    model_config = _FORBID
    code: str | None = Field(
        default=None, max_length=CODE_MAX, description="short name; s<id> if not given"
    )

    @field_validator("title", "code", mode="before")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        return no_invisible(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not CODE.match(value):
            raise problem(
                "Use lower-case letters, digits, - and _ (e.g. opening_welcome).",
                "只能使用小写字母、数字、- 和 _（例如 opening_welcome）。",
            )
        return value

    @field_validator("text")
    @classmethod
    def _markup(cls, value: str) -> str:
        if "\x00" in value:
            raise problem("Must not contain a NUL character.", "不能包含 NUL 字符。")
        try:
            markup.check(value)
        except markup.MarkupError as exc:
            # The message names positions only, never the text, so it is safe as a template.
            raise problem(exc.message, exc.message_zh) from None
        return value

    @field_validator("recording")
    @classmethod
    def _recording(cls, value: str | None) -> str | None:
        if value is not None and ("\x00" in value or not value.strip()):
            raise problem("The file name is empty or invalid.", "文件名为空或无效。")
        return value or None

    @model_validator(mode="after")
    def _dates(self) -> ScriptCreate:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise problems_error([FieldProblem(
                "valid_until", "Must not be before valid_from.", "结束日期不能早于开始日期。",
            )])  # fmt: skip
        return self


class ScriptUpdate(SQLModel):
    """Any of the content fields; the rest stay as they are."""

    model_config = _FORBID
    title: str | None = None
    category: Category | None = None
    language: Language | None = None
    text: str | None = None
    recording: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class VersionPublic(ScriptContent):
    id: int
    number: int
    status: Status
    created_at: dt.datetime
    created_by: str
    approved_at: dt.datetime | None
    approved_by: str | None


class ScriptPublic(SQLModel):
    id: int
    code: str
    created_at: dt.datetime
    created_by: str
    on_air: VersionPublic | None = Field(description="the approved version, if any")
    draft: VersionPublic | None = Field(description="a draft newer than the approved version")


CONTENT_FIELDS = tuple(ScriptContent.model_fields)
