"""Who is asking, and may they: authentication and the right each route needs.

A caller is a person logged in (the ``broadcaster_session`` cookie, plus the ``X-CSRF-Token``
header on every change, which a page reads from ``/api/v1/me``) or an integration with an API
key (``Authorization: Bearer bk_…``; no cookie, so no CSRF token). Each route declares the one
right it needs with ``need(Right.X)`` (broadcaster.actors.RIGHTS says which roles have it);
``PUBLIC`` lists the few routes anyone may call. The authorization test walks every route
against that table.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependency's annotations.
import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from api.errors import ApiError
from broadcaster.accounts.crud import key_actor, session_actor
from broadcaster.actors import Actor, Right

SESSION_COOKIE = "broadcaster_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC = frozenset({"/api/v1/health", "/api/v1/login", "/docs", "/docs/oauth2-redirect",
                    "/openapi.json", "/redoc"})  # fmt: skip


def current_actor(request: Request) -> Actor:
    """The authenticated caller (401 if none), remembered on the request for the audit."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    daemon = request.app.state.daemon
    now = daemon.clock.now()
    with Session(daemon.engine) as session:
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, key = header.partition(" ")
            actor = (
                key_actor(session, key=key.strip(), now=now, later=daemon.writer.submit)
                if scheme.lower() == "bearer"
                else None
            )
            if actor is None:
                raise ApiError(401, "bad_api_key", "The API key is unknown or was revoked.",
                               "接口密钥无效或已被撤销。")  # fmt: skip
        else:
            token = request.cookies.get(SESSION_COOKIE)
            found = session_actor(session, token=token, now=now) if token else None
            if found is None:
                raise ApiError(401, "not_logged_in", "Log in first (or your session has ended).",
                               "请先登录（或登录已过期）。")  # fmt: skip
            actor, row = found
            sent = request.headers.get(CSRF_HEADER, "")
            if request.method in UNSAFE and not hmac.compare_digest(sent, row.csrf_token):
                raise ApiError(403, "csrf", "The page's security token is missing or old; "
                               "reload the page and try again.",
                               "页面安全令牌缺失或已过期，请刷新页面后重试。")  # fmt: skip
    request.state.actor = actor
    return actor


class Need:
    """A route's dependency: the caller must hold ``right`` (403 in both languages if not)."""

    def __init__(self, right: Right) -> None:
        self.right = right

    def __call__(self, request: Request) -> Actor:
        actor = current_actor(request)
        if not actor.may(self.right):
            raise ApiError(403, "forbidden",
                           f"Your role ({actor.role.value}) may not do this: it needs the "
                           f"right “{self.right.value}”.",
                           f"您的角色（{actor.role.value}）无权执行此操作（需要“{self.right.value}”权限）。")  # fmt: skip
        return actor


def need(right: Right) -> Any:
    return Depends(Need(right))


CurrentActor = Annotated[Actor, Depends(current_actor)]
