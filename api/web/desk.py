"""The service desk's page: lost-and-found notices from the templates, listened to first."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.clock import day_bounds
from broadcaster.paging.pager import list_pages
from scripts_library.templates import TEMPLATES

NAV: tuple[NavEntry, ...] = (("/desk", "desk_short", Right.PAGES),)
WORDS: Words = {
    "zh": {"de_history_none": "今天还没有结束的广播。", "de_ended": "结束"},
    "en": {"de_history_none": "No notice has ended today.", "de_ended": "ended"},
}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/desk", response_class=HTMLResponse)
    def desk(request: Request) -> Response:
        return console.page(request, Right.PAGES, "desk.html", templates=list(TEMPLATES.values()),
                            zmap=console.daemon.settings.zone_map)  # fmt: skip

    @router.get("/desk/active", response_class=HTMLResponse)
    def desk_active(request: Request) -> Response:
        """The notices on air or waiting to repeat, and today's ended ones (the store's day),
        refreshed on live events."""
        found = console.fragment_for(request, Right.PAGES)
        if isinstance(found, Response):
            return found
        daemon = console.daemon
        engine, zone = daemon.engine, daemon.settings.zone
        assert engine is not None
        since, _ = day_bounds(console.now().astimezone(zone).date(), zone)
        daemon.writer.caught_up()  # a page just sent is shown, even with the database locked
        active = daemon.pager.latest(list_pages(engine, active=True, limit=100), add_active=True)
        return console.render(request, "_desk_pages.html", csrf=found[1], pages=active,
                              history=list_pages(engine, active=False, since=since, limit=500),
                              local=console.local("%H:%M"), zmap=daemon.settings.zone_map)  # fmt: skip

    return router
