"""Accounts: users, passwords (argon2), log-in sessions, API keys, the audit trail.

Keyword-only functions that take the session; refusals are problems in both languages
(Invalid, Conflict, NotFound). Nothing here knows about HTTP: api/auth.py turns a cookie or an
``Authorization`` header into an Actor through ``session_actor`` and ``key_actor``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from broadcaster.accounts.models import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    AuditEntry,
    LoginSession,
    User,
    UserCreate,
    UserUpdate,
)
from broadcaster.actors import Actor, Right, Role
from broadcaster.db import commit
from broadcaster.problems import Conflict, FieldProblem, Invalid, NotFound

SESSION_HOURS = 12  # a shift; then log in again
KEY_PREFIX = "bk_"
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked for an unknown name too, so a refusal takes as long whoever was named. Made on
    first use: an argon2 hash costs ~0.25 s and 64 MB, not to be paid on every start."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- users ------------------------------------------------------------------------------------


def create_user(session: Session, *, data: UserCreate, by: str, now: dt.datetime) -> User:
    if session.exec(select(User.id).where(User.name == data.name)).first() is not None:
        raise Conflict("user_exists", f"A user named “{data.name}” exists already.",
                       f"已有名为“{data.name}”的用户。")  # fmt: skip
    user = User(name=data.name, role=data.role, password_hash=_HASHER.hash(data.password),
                created_at=now, created_by=by[:120])  # fmt: skip
    session.add(user)
    commit(session, what="the users", what_zh="用户")
    session.refresh(user)
    return user


def update_user(session: Session, *, user_id: int, data: UserUpdate) -> User:
    user = get_user(session, user_id=user_id)
    demoted = data.role is not None and data.role is not Role.ADMIN
    disabled = data.active is False
    if user.role is Role.ADMIN and (demoted or disabled) and _admins(session) <= 1:
        raise Conflict("last_admin", "This is the last admin: make another admin first.",
                       "这是最后一个管理员账号：请先设置另一个管理员。")  # fmt: skip
    if data.role is not None:
        user.role = data.role
    if data.active is not None:
        user.active = data.active
    if data.password is not None:
        user.password_hash = _HASHER.hash(data.password)
    if data.password is not None or disabled or data.role is not None:
        # Rights or secrets changed: log-in sessions start again.
        session.execute(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.add(user)
    commit(session, what="this user", what_zh="该用户")
    session.refresh(user)
    return user


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user has id {user_id}.", f"没有编号为 {user_id} 的用户。")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))).all())


def has_users(session: Session) -> bool:
    return session.exec(select(User.id)).first() is not None


def _admins(session: Session) -> int:
    statement = (
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, col(User.active))
    )
    return int(session.exec(statement).one())


# -- log-in -----------------------------------------------------------------------------------


def check_password(session: Session, *, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (after the same work either way)."""
    user = session.exec(select(User).where(User.name == name)).first()
    try:
        _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def open_session(
    session: Session, *, user: User, now: dt.datetime, client: str = ""
) -> tuple[str, LoginSession]:
    """A new log-in session: the token for the cookie (never stored) and the row."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=digest(token), csrf_token=secrets.token_urlsafe(32),
                       user_id=user.id, created_at=now,
                       expires_at=now + dt.timedelta(hours=SESSION_HOURS), client=client[:120])  # fmt: skip
    user.last_login_at = now
    session.add(row)
    session.add(user)
    session.execute(delete(LoginSession).where(col(LoginSession.expires_at) < now))
    session.commit()
    session.refresh(row)
    return token, row


def close_session(session: Session, *, token: str) -> None:
    session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == digest(token)))
    session.commit()


def session_actor(
    session: Session, *, token: str, now: dt.datetime
) -> tuple[Actor, LoginSession] | None:
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == digest(token))).first()
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Actor(user.name, user.role), row


# -- API keys ---------------------------------------------------------------------------------


def create_key(
    session: Session, *, user_id: int, data: ApiKeyCreate, by: str, now: dt.datetime
) -> ApiKeyCreated:
    """A new key for ``user_id``, acting as that user, narrowed to ``data.scopes`` if given.
    The key itself is in the answer only."""
    user = get_user(session, user_id=user_id)
    if data.scopes is not None:
        beyond = sorted(set(data.scopes) - Actor(user.name, user.role).rights)
        if beyond:
            shown = ", ".join(beyond)
            raise Invalid([FieldProblem("scopes", f"The user's role does not have: {shown}.",
                                        f"该用户的角色没有这些权限：{shown}。")])  # fmt: skip
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=data.name, prefix=secret[:10], key_hash=digest(secret), user_id=user_id,
                 scopes=None if data.scopes is None else sorted(s.value for s in data.scopes),
                 created_at=now, created_by=by[:120])  # fmt: skip
    session.add(key)
    commit(session, what="the API keys", what_zh="接口密钥")
    session.refresh(key)
    return ApiKeyCreated.model_validate(key, update={"key": secret})


def revoke_key(session: Session, *, key_id: int, now: dt.datetime) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key has id {key_id}.", f"没有编号为 {key_id} 的接口密钥。")
    key.revoked_at = key.revoked_at or now
    session.add(key)
    session.commit()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def key_actor(
    session: Session, *, key: str, now: dt.datetime,
    later: Callable[[Callable[[Session], None]], None] | None = None,
) -> Actor | None:  # fmt: skip
    """The actor an API key acts as, or None. Its ``last_used_at`` is kept (at most once a
    minute: not a write per request), through ``later`` when given (an ordered writer, so a
    busy database never holds up the caller), else in ``session`` now."""
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        key_id = row.id

        def touch(s: Session) -> None:
            found = s.get(ApiKey, key_id)
            if found is not None:
                found.last_used_at = now
                s.add(found)

        if later is not None:
            later(touch)
        else:
            touch(session)
            session.commit()
    scopes = None if row.scopes is None else frozenset(Right(s) for s in row.scopes)
    return Actor(user.name, user.role, scopes)


# -- audit ------------------------------------------------------------------------------------


def audit(
    session: Session, *, actor: str, action: str, status: int, now: dt.datetime,
    detail: str = "", client: str = "",
) -> None:  # fmt: skip
    add_audit(session, actor=actor, action=action, status=status, now=now, detail=detail,
              client=client)  # fmt: skip
    session.commit()


def add_audit(
    session: Session, *, actor: str, action: str, status: int, now: dt.datetime,
    detail: str = "", client: str = "",
) -> None:  # fmt: skip
    """An audit entry, left for the caller's transaction to commit (an ordered writer's)."""
    session.add(AuditEntry(at=now, actor=actor[:120], action=action[:200], status=status,
                           detail=detail[:1000], client=client[:120]))  # fmt: skip


def audit_trail(
    session: Session, *, since: dt.datetime | None = None, limit: int = 500
) -> Sequence[AuditEntry]:
    statement = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if since is not None:
        statement = statement.where(col(AuditEntry.at) >= since)
    return session.exec(statement).all()


# -- log-in rate limit ------------------------------------------------------------------------


class LoginLimiter:
    """At most ``failures`` refused log-ins per client and per name within ``window_s``; then
    refused outright until the oldest failure leaves the window. In memory: a restart forgets."""

    def __init__(self, failures: int = 5, window_s: float = 300.0) -> None:
        self._failures, self._window = failures, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, *keys: str) -> float:
        """0 if a log-in may be tried now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._seen.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)

    def _wait(self, key: str, now: float) -> float:
        seen = self._seen.get(key)
        if not seen:
            return 0.0
        while seen and now - seen[0] > self._window:
            seen.popleft()
        if len(seen) < self._failures:
            return 0.0
        return self._window - (now - seen[0])
