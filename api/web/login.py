"""The log-in page and the root, which sends a person to their role's page."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.accounts import log_in
from api.database import Db
from api.errors import ApiError
from api.web.console import HOME, Console, NavEntry
from api.web.text import Words

NAV: tuple[NavEntry, ...] = ()
WORDS: Words = {"zh": {}, "en": {}}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/")
    def root(request: Request) -> Response:
        found = console.person(request)
        return RedirectResponse(HOME[found[0].role] if found else "/login", status_code=303)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return console.render(request, "login.html", error=None, name="")

    @router.post("/login")
    def login(
        request: Request,
        db: Db,
        name: Annotated[str, Form(max_length=60)] = "",
        password: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """The form's log-in: api.accounts.log_in, as for POST /api/v1/login."""
        t = console.words(request)
        response = RedirectResponse("/", status_code=303)
        try:
            user, _ = log_in(request, response, db, console.daemon, name, password)
        except ApiError as refused:
            error = t["too_many"] if refused.status_code == 429 else t["bad_login"]
            return console.render(request, "login.html", status=refused.status_code,
                                  error=error, name=name)  # fmt: skip
        response.headers["location"] = HOME[user.role]
        return response

    return router
