"""The web console: server-rendered pages (Jinja2, htmx served from this package, no CDN).

Simplified Chinese by default, English with ``?lang=en`` (remembered in a cookie). A page needs
a log-in session (else it sends the person to the log-in page) and the right of its role
(else a 403 page in their language); the page's own changes go to the JSON API with the
session's CSRF token, and its live parts are fragments that htmx fetches again when the
daemon's server-sent events say something changed.

So far: log-in, the service desk, the announcer, the play log and the admin's accounts page.
"""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from api.accounts import log_in
from api.actor import SESSION_COOKIE
from api.database import Db
from api.errors import ApiError
from api.status import current_status
from api.web_text import TEXT, Language
from broadcaster.accounts import crud
from broadcaster.actors import ROLE_ZH, Actor, Right, Role
from broadcaster.clock import day_bounds
from broadcaster.daemon import Daemon
from broadcaster.paging.pager import list_pages
from broadcaster.playlog import Outcome
from broadcaster.proof import proof_of_play
from broadcaster.requests import Kind
from broadcaster.scripts import crud as script_crud
from scripts_library.templates import TEMPLATES

HERE = Path(__file__).parent
LANG_COOKIE = "broadcaster_lang"
HOME = {Role.SERVICE_DESK: "/desk", Role.ANNOUNCER: "/announcer", Role.SUPERVISOR: "/announcer",
        Role.ADMIN: "/announcer"}  # fmt: skip
"""Where a role lands after log-in (the supervisor's pages come next)."""

PAGES = (
    ("/desk", "desk_short", Right.PAGES),
    ("/announcer", "announcer", Right.ANNOUNCE),
    ("/supervisor/log", "log_page", Right.LOG),
    ("/admin", "admin_page", Right.USERS),
)
"""The console's pages, for the navigation bar: those the person's role may open."""

KINDS = [k.value for k in Kind] + ["music"]
OUTCOMES = [o.value for o in Outcome]

templates = Jinja2Templates(directory=HERE / "templates")  # autoescaping on for .html


def language(request: Request) -> Language:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if asked == "en" else "zh"


def mount_static(app: Any) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def web_router(daemon: Daemon) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    now = daemon.clock.now

    def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        lang = language(request)
        response = templates.TemplateResponse(
            request, template, {"t": TEXT[lang], "lang": lang, **context}, status_code=status
        )
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
        return response

    def person(request: Request) -> tuple[Actor, str] | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        with Session(daemon.engine) as session:
            found = crud.session_actor(session, token=token, now=now())
        return (found[0], found[1].csrf_token) if found else None

    def page(request: Request, right: Right, template: str, **context: Any) -> Response:
        found = person(request)
        if found is None:
            return RedirectResponse("/login", status_code=303)
        actor, csrf = found
        if not actor.may(right):
            return render(request, "forbidden.html", status=403, actor=actor)
        lang = language(request)
        nav = [(url, TEXT[lang][key]) for url, key, need in PAGES if actor.may(need)]
        return render(request, template, actor=actor, csrf=csrf, nav=nav,
                      role_name=ROLE_ZH[actor.role] if language(request) == "zh"
                      else actor.role.value.replace("_", " "), **context)  # fmt: skip

    def fragment_for(request: Request, right: Right) -> tuple[Actor, str] | Response:
        """A page's live fragment: the person and their CSRF token, or the bare refusal."""
        found = person(request)
        if found is None or not found[0].may(right):
            return Response(status_code=401 if found is None else 403)
        return found

    @router.get("/")
    def root(request: Request) -> Response:
        found = person(request)
        return RedirectResponse(HOME[found[0].role] if found else "/login", status_code=303)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return render(request, "login.html", error=None, name="")

    @router.post("/login")
    def login(
        request: Request,
        db: Db,
        name: Annotated[str, Form(max_length=60)] = "",
        password: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """The form's log-in: api.accounts.log_in, as for POST /api/v1/login."""
        t = TEXT[language(request)]
        response = RedirectResponse("/", status_code=303)
        try:
            user, _ = log_in(request, response, db, daemon, name, password)
        except ApiError as refused:
            error = t["too_many"] if refused.status_code == 429 else t["bad_login"]
            return render(request, "login.html", status=refused.status_code, error=error,
                          name=name)  # fmt: skip
        response.headers["location"] = HOME[user.role]
        return response

    @router.get("/desk", response_class=HTMLResponse)
    def desk(request: Request) -> Response:
        return page(request, Right.PAGES, "desk.html", templates=list(TEMPLATES.values()))

    @router.get("/desk/active", response_class=HTMLResponse)
    def desk_active(request: Request) -> Response:
        """The fragment of notices on air or waiting to repeat, refreshed on live events."""
        found = fragment_for(request, Right.PAGES)
        if isinstance(found, Response):
            return found
        assert daemon.engine is not None
        listed = list_pages(daemon.engine, limit=20)
        zone = daemon.settings.zone
        return render(request, "_desk_pages.html", pages=listed, csrf=found[1],
                      local=lambda when: when.astimezone(zone).strftime("%H:%M"))  # fmt: skip

    @router.get("/announcer", response_class=HTMLResponse)
    def announcer(request: Request) -> Response:
        return page(request, Right.ANNOUNCE, "announcer.html")

    @router.get("/announcer/now", response_class=HTMLResponse)
    def announcer_now(request: Request) -> Response:
        """What is on air, the queue and what the programme plays next (refreshed live)."""
        found = fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        zone = daemon.settings.zone

        def local(stamp: str | None) -> str:
            return datetime.fromisoformat(stamp).astimezone(zone).strftime("%H:%M") if stamp else ""

        return render(request, "_announcer_now.html", s=current_status(daemon), local=local)

    @router.get("/announcer/scripts", response_class=HTMLResponse)
    def announcer_scripts(request: Request, db: Db, q: str = "") -> Response:
        """Approved scripts whose code, title or words contain ``q``, to queue with one tap."""
        found = fragment_for(request, Right.ANNOUNCE)
        if isinstance(found, Response):
            return found
        wanted = q.strip().casefold()[:100]
        scripts = [
            s for s in script_crud.list_scripts(db, approved=True)
            if s.on_air and (not wanted or wanted in s.code.casefold()
                             or wanted in s.on_air.title.casefold()
                             or wanted in s.on_air.text.casefold())
        ]  # fmt: skip
        return render(request, "_announcer_scripts.html", scripts=scripts[:40])

    @router.get("/supervisor/log", response_class=HTMLResponse)
    def play_log(request: Request, day: str = "", kind: str = "", outcome: str = "") -> Response:
        """The play log of a day, filtered, with the proof of play per spot; printable."""
        zone = daemon.settings.zone
        today = now().astimezone(zone).date()
        try:
            chosen = date.fromisoformat(day) if day else today
        except ValueError:
            chosen = today
        kinds = [kind] if kind in KINDS else []
        outcomes = [outcome] if outcome in OUTCOMES else []
        since, until = day_bounds(chosen, zone)
        rows = daemon.playlog.query(since=since, until=until, kinds=kinds, outcomes=outcomes,
                                    limit=5000)  # fmt: skip
        proof = proof_of_play(daemon.playlog.query(since=since, until=until, limit=100_000))
        csv = "/api/v1/log?" + urlencode({"since": since.isoformat(), "until": until.isoformat(),
                                          "format": "csv", "limit": 10000,
                                          **({"kind": kind} if kinds else {}),
                                          **({"outcome": outcome} if outcomes else {})})  # fmt: skip

        def local(when: datetime | None) -> str:
            return when.astimezone(zone).strftime("%H:%M:%S") if when else ""

        return page(request, Right.LOG, "log.html", rows=rows, proof=proof, day=chosen,
                    kind=kind, outcome=outcome, kinds=KINDS, outcomes=OUTCOMES, csv=csv,
                    local=local)  # fmt: skip

    @router.get("/admin", response_class=HTMLResponse)
    def admin(request: Request, db: Db) -> Response:
        """Accounts, API keys and the latest audit entries; changes go through the JSON API."""
        zone = daemon.settings.zone

        def local(when: datetime | None) -> str:
            return when.astimezone(zone).strftime("%m-%d %H:%M") if when else ""

        users = crud.list_users(db)
        names = {u.id: u.name for u in users}
        return page(request, Right.USERS, "admin.html", users=users, keys=crud.list_keys(db),
                    names=names, trail=crud.audit_trail(db, limit=50), local=local,
                    roles=[r.value for r in Role if r is not Role.SYSTEM],
                    rights=[r.value for r in Right])  # fmt: skip

    return router
