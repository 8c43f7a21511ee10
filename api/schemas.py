"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from broadcaster.problems import FieldProblem, no_invisible, problems_error
from scripts_library.spec import Language

TEXT_MAX = 2000


class Spoken(BaseModel):
    """What to say: exactly one of a file in the data dir, an approved script, or one-off text
    (spoken by the voice of ``language`` and logged as unapproved)."""

    model_config = ConfigDict(extra="forbid")
    file: str | None = Field(None, min_length=1, max_length=1000,
                             examples=["announcements/attention_zh.wav"])  # fmt: skip
    script_id: int | None = Field(None, ge=1, description="an approved script")
    text: str | None = Field(None, min_length=1, max_length=TEXT_MAX, description="marked up")
    language: Language = Field(Language.ZH_CN, description="the language of ``text``")

    def sources(self) -> list[str]:
        return [name for name in ("file", "script_id", "text") if getattr(self, name) is not None]

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if len(self.sources()) > 1:
            raise _source_problem("Give only one of file, script_id and text.",
                                  "file、script_id、text 只能填一个。")  # fmt: skip
        return self


def _source_problem(message: str, message_zh: str) -> Exception:
    return problems_error([FieldProblem("body", message, message_zh)])


class Titled(BaseModel):
    """A title, and whom the request is made for, as typed by a person: shown on screens and
    in the log, so invisible characters are refused. Who asked is never taken from the body:
    the record names the authenticated caller (api.actor)."""

    title: str = Field("", max_length=200)
    on_behalf_of: str | None = Field(
        None, max_length=120,
        description="whom the signed-in person asks for (a customer at the desk); logged as "
                    "such, never as the author",
    )  # fmt: skip

    @model_validator(mode="before")
    @classmethod
    def _no_author_from_the_body(cls, values: Any) -> Any:
        """An older caller's ``requested_by`` (a fire-panel bridge naming itself) is never the
        author and never a reason to refuse an emergency: it is kept as ``on_behalf_of`` when
        that is not given, and shown as such."""
        if isinstance(values, dict) and "requested_by" in values:
            values = dict(values)
            named = values.pop("requested_by")
            if not values.get("on_behalf_of") and isinstance(named, str):
                values["on_behalf_of"] = named[:120]
        return values

    @field_validator("title", "on_behalf_of", mode="before")
    @classmethod
    def _visible(cls, value: Any) -> Any:
        return no_invisible(value)

    @field_validator("on_behalf_of")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class Zoned(BaseModel):
    """Where it is heard: zone ids, group ids or ``all`` (``GET /api/v1/zones``); none: every
    zone."""

    zones: list[str] = Field(
        default_factory=list, max_length=64, examples=[["1F"], ["floors"]],
        description="zone or group ids (an emergency also takes a plan's id); none: every zone",
    )  # fmt: skip

    @field_validator("zones")
    @classmethod
    def _visible_zones(cls, value: list[str]) -> list[str]:
        return [no_invisible(name) for name in value]


class AnnouncementRequest(Spoken, Titled, Zoned):
    partial: bool = Field(
        False, description="play at once in the zones that are free (else wait for all of them)"
    )
    expires_at: datetime | None = Field(None, description="not started by then: logged expired")

    @model_validator(mode="after")
    def _needs_source(self) -> Self:
        if not self.sources():
            raise ValueError(
                "give one of file, script_id and text / 请填写 file、script_id 或 text"
            )
        return self


class NoticePreview(BaseModel):
    """A template notice to listen to before sending it."""

    template: str = Field(..., examples=["lost_person"])
    fields: dict[str, Any] = Field(default_factory=dict)
    fields_en: dict[str, Any] | None = None
    languages: list[Language] = Field(
        default_factory=lambda: [Language.ZH_CN], min_length=1, max_length=2
    )


class PageRequest(Spoken, Titled, Zoned):
    """A service-desk notice: from a ``template`` with its ``fields`` (the usual way), or a file,
    script or text. Repeated every ``every_min`` minutes up to ``times`` times until resolved.
    Heard in each of its zones as soon as that zone is free (a page is partial)."""

    template: str | None = Field(None, examples=["lost_person"])
    fields: dict[str, Any] = Field(default_factory=dict, examples=[{"name": "乐乐", "age": "5"}])
    fields_en: dict[str, Any] | None = Field(None, description="English values, if they differ")
    languages: list[Language] = Field(
        default_factory=lambda: [Language.ZH_CN], min_length=1, max_length=2,
        description='["zh-CN", "en"] for a bilingual notice: Chinese, then English',
    )  # fmt: skip
    chime: bool = Field(True, description="play the prompt tone first")
    every_min: float | None = Field(None, ge=0.1, le=60, description="default: pages.every_min")
    times: int | None = Field(None, ge=1, le=20, description="default: pages.times")

    @model_validator(mode="after")
    def _needs_source(self) -> Self:
        given = self.sources() + (["template"] if self.template is not None else [])
        if len(given) != 1:
            raise _source_problem(
                "Give exactly one of template, file, script_id and text.",
                "template、file、script_id、text 必须且只能填一个。",
            )
        return self


class EmergencyRequest(Spoken, Titled, Zoned):
    """The alert tone, then (optionally) a message: a file, an approved script (the starter
    library has the evacuation notices) or text; repeated until cleared. ``zones`` may name an
    emergency plan (``emergency_plans``); none: the whole building."""


class LiveRequest(Titled, Zoned):
    """Talk: the chime, then the PC's microphone live in ``zones`` until released. It waits
    behind an emergency like a page and is heard in each zone as soon as that zone is free."""


class ResolveRequest(BaseModel):
    """How a found page leaves the air."""

    model_config = ConfigDict(extra="forbid")
    let_finish: bool = Field(
        False, description="let a play on air end its sentence (default: it fades out within 1 s)"
    )


class Accepted(BaseModel):
    id: int
    kind: str
    title: str
    queue_position: int | None = None
