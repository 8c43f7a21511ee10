"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PlayRequest(BaseModel):
    """An audio file to put on air. ``file`` is relative to the data dir (or absolute inside it)."""

    file: str = Field(..., min_length=1, max_length=1000, examples=["announcements/welcome.wav"])
    title: str = Field("", max_length=200)
    requested_by: str = Field("api", min_length=1, max_length=120)
    expires_at: datetime | None = Field(None, description="not started by then: logged expired")


class PageRequest(PlayRequest):
    chime: bool = Field(True, description="play the prompt tone first")


class EmergencyRequest(BaseModel):
    file: str | None = Field(None, max_length=1000, description="spoken message after the alert")
    title: str = Field("emergency", max_length=200)
    requested_by: str = Field("api", min_length=1, max_length=120)


class Accepted(BaseModel):
    id: int
    kind: str
    title: str
    queue_position: int | None = None
