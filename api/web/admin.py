"""The admin's page: accounts, API keys and the latest audit entries."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.accounts import crud
from broadcaster.actors import Right, Role

NAV: tuple[NavEntry, ...] = (("/admin", "admin_page", Right.USERS),)
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/admin", response_class=HTMLResponse)
    def admin(request: Request, db: Db) -> Response:
        """Accounts, API keys and the latest audit entries; changes go through the JSON API."""
        users = crud.list_users(db)
        return console.page(request, Right.USERS, "admin.html", users=users,
                            keys=crud.list_keys(db), names={u.id: u.name for u in users},
                            trail=crud.audit_trail(db, limit=50),
                            local=console.local("%m-%d %H:%M"),
                            roles=[r.value for r in Role if r is not Role.SYSTEM],
                            rights=[r.value for r in Right])  # fmt: skip

    return router
