"""The service desk's page: lost-and-found notices from the templates, listened to first."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.paging.pager import list_pages
from scripts_library.templates import TEMPLATES

NAV: tuple[NavEntry, ...] = (("/desk", "desk_short", Right.PAGES),)
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/desk", response_class=HTMLResponse)
    def desk(request: Request) -> Response:
        return console.page(request, Right.PAGES, "desk.html", templates=list(TEMPLATES.values()))

    @router.get("/desk/active", response_class=HTMLResponse)
    def desk_active(request: Request) -> Response:
        """The fragment of notices on air or waiting to repeat, refreshed on live events."""
        found = console.fragment_for(request, Right.PAGES)
        if isinstance(found, Response):
            return found
        engine = console.daemon.engine
        assert engine is not None
        return console.render(request, "_desk_pages.html", pages=list_pages(engine, limit=20),
                              csrf=found[1], local=console.local("%H:%M"))  # fmt: skip

    return router
