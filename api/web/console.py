"""What every console page shares: the person behind the session, their language, rendering
a template with the words of that language, and the navigation bar of the pages they may open.

A page needs a log-in session (else it sends the person to the log-in page) and the right of
its role (else a 403 page in their language); the page's own changes go to the JSON API with
the session's CSRF token, and its live parts are fragments that htmx fetches again when the
daemon's server-sent events say something changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from api.actor import SESSION_COOKIE
from api.web.text import Language
from broadcaster.accounts import crud
from broadcaster.actors import ROLE_ZH, Actor, Right, Role
from broadcaster.daemon import Daemon
from broadcaster.log_words import detail_in, in_language

TEMPLATES = Path(__file__).parents[1] / "templates"
STATIC = Path(__file__).parents[1] / "static"
LANG_COOKIE = "broadcaster_lang"
HOME = {Role.SERVICE_DESK: "/desk", Role.ANNOUNCER: "/announcer",
        Role.SUPERVISOR: "/supervisor/programme", Role.ADMIN: "/admin"}  # fmt: skip
"""Where a role lands after log-in: the page of its own work (the bar leads to the others)."""

NavEntry = tuple[str, str, Right]
"""A page in the navigation bar: its URL, the key of its name in the words, the right it needs."""

templates = Jinja2Templates(directory=TEMPLATES)  # autoescaping on for .html
templates.env.filters["in_language"] = in_language
templates.env.filters["detail_in"] = detail_in


def language(request: Request) -> Language:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if asked == "en" else "zh"


class Console:
    """The pages' shared services; each role's module builds its routes on one of these."""

    def __init__(
        self,
        daemon: Daemon,
        text: Mapping[Language, Mapping[str, str]],
        nav: Sequence[NavEntry],
    ) -> None:
        self.daemon = daemon
        self.text = text
        self.nav = nav
        self.now = daemon.clock.now

    def words(self, request: Request) -> Mapping[str, str]:
        return self.text[language(request)]

    def local(self, fmt: str) -> Callable[[datetime | str | None], str]:
        """A template helper showing a time in the store's zone (ISO strings accepted)."""
        zone = self.daemon.settings.zone

        def shown(when: datetime | str | None) -> str:
            if not when:
                return ""
            moment = datetime.fromisoformat(when) if isinstance(when, str) else when
            return moment.astimezone(zone).strftime(fmt)

        return shown

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        lang = language(request)
        response = templates.TemplateResponse(
            request, template, {"t": self.text[lang], "lang": lang, **context}, status_code=status
        )
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
        return response

    def person(self, request: Request) -> tuple[Actor, str] | None:
        """The actor behind the session cookie and the session's CSRF token, if logged in."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        with Session(self.daemon.engine) as session:
            found = crud.session_actor(session, token=token, now=self.now())
        return (found[0], found[1].csrf_token) if found else None

    def page(self, request: Request, right: Right, template: str, **context: Any) -> Response:
        """A whole page: the log-in page without a session, a 403 page without the right."""
        found = self.person(request)
        if found is None:
            return RedirectResponse("/login", status_code=303)
        actor, csrf = found
        lang = language(request)
        nav = [(url, self.text[lang][key]) for url, key, need in self.nav if actor.may(need)]
        role_name = ROLE_ZH[actor.role] if lang == "zh" else actor.role.value.replace("_", " ")
        if not actor.may(right):  # the bar still leads to the pages the role may open
            return self.render(request, "forbidden.html", status=403, actor=actor, csrf=csrf,
                               nav=nav, role_name=role_name)  # fmt: skip
        return self.render(request, template, actor=actor, csrf=csrf, nav=nav,
                           role_name=role_name, **context)  # fmt: skip

    def fragment_for(self, request: Request, right: Right) -> tuple[Actor, str] | Response:
        """A page's live fragment: the person and their CSRF token, or the bare refusal."""
        found = self.person(request)
        if found is None or not found[0].may(right):
            return Response(status_code=401 if found is None else 403)
        return found


def day_param(text: str, default: date) -> date:
    """A date from a page's query (``2026-11-23``); ``default`` when it is empty or not a date."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default
