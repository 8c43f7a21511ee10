"""The web console: server-rendered pages (Jinja2, htmx served from this package, no CDN).

Simplified Chinese by default, English with ``?lang=en`` (remembered in a cookie). One module
per role's pages, each giving its routes (``pages(console)``), its entries in the navigation
bar (``NAV``) and its own words (``WORDS``); ``console.Console`` is what they share.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from api.web import (
    admin,
    announcer,
    desk,
    handover,
    log,
    login,
    music,
    programme,
    script_editor,
)
from api.web.console import STATIC, Console
from api.web.text import merge
from broadcaster.daemon import Daemon

PARTS = (login, desk, announcer, handover, programme, script_editor, music, log, admin)
"""The console's page modules, in the order of the navigation bar."""


def web_router(daemon: Daemon) -> APIRouter:
    text = merge(*(part.WORDS for part in PARTS))
    console = Console(daemon, text, [entry for part in PARTS for entry in part.NAV])
    router = APIRouter(include_in_schema=False)
    for part in PARTS:
        router.include_router(part.pages(console))
    return router


def mount_static(app: Any) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
