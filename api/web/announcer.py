"""The announcer's page: what is on air, the queue, the programme next, scripts to queue, and
the emergency button."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.status import current_status
from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.scripts import crud as script_crud

NAV: tuple[NavEntry, ...] = (("/announcer", "announcer", Right.ANNOUNCE),)
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/announcer", response_class=HTMLResponse)
    def announcer(request: Request) -> Response:
        return console.page(request, Right.ANNOUNCE, "announcer.html")

    @router.get("/announcer/now", response_class=HTMLResponse)
    def announcer_now(request: Request) -> Response:
        """What is on air, the queue and what the programme plays next (refreshed live)."""
        found = console.fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        return console.render(request, "_announcer_now.html", s=current_status(console.daemon),
                              local=console.local("%H:%M"))  # fmt: skip

    @router.get("/announcer/scripts", response_class=HTMLResponse)
    def announcer_scripts(request: Request, db: Db, q: str = "") -> Response:
        """Approved scripts whose code, title or words contain ``q``, to queue with one tap."""
        found = console.fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        wanted = q.strip().casefold()[:100]
        scripts = [
            s for s in script_crud.list_scripts(db, approved=True)
            if s.on_air and (not wanted or wanted in s.code.casefold()
                             or wanted in s.on_air.title.casefold()
                             or wanted in s.on_air.text.casefold())
        ]  # fmt: skip
        return console.render(request, "_announcer_scripts.html", scripts=scripts[:40])

    return router
