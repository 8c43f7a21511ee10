"""The supervisor's music: playlists, their tracks, imports and library scans."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter

from api.web.console import Console, NavEntry
from api.web.text import Words

NAV: tuple[NavEntry, ...] = ()
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    return router
