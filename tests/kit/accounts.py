"""Accounts for tests: a user per role, each with an API key whose text is known, so a test
can say ``headers=as_role(Role.SERVICE_DESK)``; clients are admins unless told otherwise."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from broadcaster.accounts import crud
from broadcaster.accounts.models import ApiKey, User
from broadcaster.actors import Role
from broadcaster.daemon import Daemon

PASSWORD = "correct horse battery"
NAMES = {Role.SERVICE_DESK: "Li Na", Role.ANNOUNCER: "Zhou Min", Role.SUPERVISOR: "Wang Fang",
         Role.ADMIN: "Admin Chen"}  # fmt: skip


def key_for(role: Role) -> str:
    return f"test-key-{role.value}"


def as_role(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {key_for(role)}"}


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per test process (argon2 costs ~0.15 s a hash, and every daemon of
    the suite seeds four people), with the daemon's own parameters."""
    return PasswordHasher().hash(PASSWORD)


def seed_accounts(engine: Engine) -> None:
    """The four people of the tests and their keys (a second call changes nothing)."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        for role, name in NAMES.items():
            user = session.exec(select(User).where(User.name == name)).first()
            if user is None:
                user = User(name=name, role=role, password_hash=password_hash(), created_at=now,
                            created_by="tests")  # fmt: skip
                session.add(user)
                session.commit()
                session.refresh(user)
            digest = crud.digest(key_for(role))
            if session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first() is None:
                assert user.id is not None
                session.add(ApiKey(name="tests", prefix=key_for(role)[:10], key_hash=digest,
                                   user_id=user.id, created_at=now, created_by="tests"))  # fmt: skip
                session.commit()


def api_client(daemon: Daemon, role: Role = Role.ADMIN) -> TestClient:
    """A client of ``daemon``'s API acting as ``role`` (use it in a ``with`` block)."""
    assert daemon.engine is not None
    seed_accounts(daemon.engine)
    return TestClient(create_app(daemon), headers=as_role(role))
