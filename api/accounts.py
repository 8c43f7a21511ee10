"""Log-in, log-out, who am I; and for an admin: users, API keys and the audit trail.

Log-in sets an HttpOnly, SameSite=Strict session cookie (Secure over HTTPS, or always with
``http.secure_cookies``) and answers with the CSRF token the pages send back on every change.
Refused log-ins are limited per client and per name (5 in 5 minutes, then 429 with
Retry-After). Every change through the API, refused or not, is written to the audit trail by
the middleware in api/app.py; log-ins and refusals are written here."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import math
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.actor import SESSION_COOKIE, CurrentActor, need
from api.database import Db
from api.errors import ApiError, route_class
from broadcaster.accounts import crud
from broadcaster.accounts.models import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    AuditPublic,
    LoginSession,
    User,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from broadcaster.actors import ROLE_ZH, Actor, Right
from broadcaster.daemon import Daemon


class Login(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    name: str
    role: str
    role_zh: str
    rights: list[str]
    csrf_token: str | None  # for a logged-in page; None for an API key


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def log_in(
    request: Request, response: Response, session: Session, daemon: Daemon, name: str,
    password: str,
) -> tuple[User, LoginSession]:  # fmt: skip
    """The one way in, for the API and the log-in page: the rate limit (one per app, in
    ``app.state.login_limiter``, for both doors), the password, the audit row, a new session
    and its cookie on ``response``. Refusals are ApiErrors (401, 429)."""
    limiter: crud.LoginLimiter = request.app.state.login_limiter
    now, client = daemon.clock.now(), client_of(request)
    keys = (f"client:{client}", f"name:{name.casefold()}")
    wait = limiter.wait_s(*keys)
    if wait > 0:
        crud.audit(session, actor=name, action="login refused", status=429, now=now,
                   detail="too many failed log-ins", client=client)  # fmt: skip
        raise ApiError(429, "too_many_logins", f"Too many failed log-ins; try again in "
                       f"{math.ceil(wait / 60)} min.",
                       f"登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试。")  # fmt: skip
    user = crud.check_password(session, name=name, password=password)
    if user is None:
        limiter.failed(*keys)
        crud.audit(session, actor=name, action="login refused", status=401, now=now,
                   client=client)  # fmt: skip
        raise ApiError(401, "bad_login", "Wrong name or password.", "用户名或密码错误。")
    limiter.succeeded(*keys)
    token, row = crud.open_session(session, user=user, now=now, client=client)
    secure = daemon.settings.http.secure_cookies or request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, max_age=crud.SESSION_HOURS * 3600,
                        httponly=True, samesite="strict", secure=secure, path="/")  # fmt: skip
    crud.audit(session, actor=f"{user.name} ({user.role.value})", action="login", status=200,
               now=now, client=client)  # fmt: skip
    return user, row


def accounts_router(daemon: Daemon) -> APIRouter:
    now = daemon.clock.now
    router = APIRouter(
        prefix="/api/v1", tags=["accounts"], route_class=route_class("invalid_account")
    )
    admin = [need(Right.USERS)]

    @router.post("/login", response_model=Me)
    def login(body: Login, request: Request, response: Response, db: Db) -> Any:
        user, row = log_in(request, response, db, daemon, body.name, body.password)
        return Me(name=user.name, role=user.role.value, role_zh=ROLE_ZH[user.role],
                  rights=sorted(r.value for r in Actor(user.name, user.role).rights),
                  csrf_token=row.csrf_token)  # fmt: skip

    @router.post("/logout", status_code=204)
    def logout(request: Request, response: Response, db: Db, actor: CurrentActor) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            crud.close_session(db, token=token)
        response.delete_cookie(SESSION_COOKIE, path="/")

    @router.get("/me", response_model=Me)
    def me(request: Request, db: Db, actor: CurrentActor) -> Any:
        token = request.cookies.get(SESSION_COOKIE)
        found = crud.session_actor(db, token=token, now=now()) if token else None
        csrf = found[1].csrf_token if found and "authorization" not in request.headers else None
        return Me(name=actor.name, role=actor.role.value, role_zh=ROLE_ZH[actor.role],
                  rights=sorted(r.value for r in actor.rights), csrf_token=csrf)  # fmt: skip

    @router.get("/users", response_model=list[UserPublic], dependencies=admin)
    def users(db: Db) -> Any:
        return crud.list_users(db)

    @router.post("/users", response_model=UserPublic, status_code=201, dependencies=admin)
    def add_user(body: UserCreate, db: Db, actor: CurrentActor) -> Any:
        return crud.create_user(db, data=body, by=str(actor), now=now())

    @router.patch("/users/{user_id}", response_model=UserPublic, dependencies=admin)
    def change_user(user_id: int, body: UserUpdate, db: Db) -> Any:
        return crud.update_user(db, user_id=user_id, data=body)

    @router.get("/api-keys", response_model=list[ApiKeyPublic], dependencies=admin)
    def keys(db: Db) -> Any:
        return crud.list_keys(db)

    @router.post("/users/{user_id}/api-keys", response_model=ApiKeyCreated, status_code=201,
                 dependencies=admin)  # fmt: skip
    def add_key(user_id: int, body: ApiKeyCreate, db: Db, actor: CurrentActor) -> Any:
        """A key for an integration (a fire-panel bridge: a user with the announcer role and
        the key scoped to ``emergency``). The key is in this answer only."""
        return crud.create_key(db, user_id=user_id, data=body, by=str(actor), now=now())

    @router.delete("/api-keys/{key_id}", status_code=204, dependencies=admin)
    def revoke(key_id: int, db: Db) -> None:
        crud.revoke_key(db, key_id=key_id, now=now())

    @router.get("/audit", response_model=list[AuditPublic], dependencies=admin)
    def audit_trail(
        db: Db,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> Any:
        return crud.audit_trail(db, since=since, limit=limit)

    return router
