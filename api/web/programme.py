"""The supervisor's programme: rules, dayparts, day types, calendar and campaigns, and the timeline of any date with its conflicts."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter

from api.web.console import Console, NavEntry
from api.web.text import Words

NAV: tuple[NavEntry, ...] = ()
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    return router
