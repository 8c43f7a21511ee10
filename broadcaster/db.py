"""The database engine: SQLite (WAL) in the data dir by default, PostgreSQL by URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine

from broadcaster import migrations
from broadcaster.problems import Conflict

BUSY_TIMEOUT_S = 15.0
"""How long a write waits for another program's lock (a backup, a scan) before it fails; the
API then answers 503 with Retry-After (api.errors). The air path's writes never wait on it:
they go through broadcaster.writer."""


def make_engine(url: str) -> Engine:
    """Create the engine and bring the schema to the newest migration."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    migrations.upgrade(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={round(BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def commit(session: Session, *, what: str, what_zh: str) -> None:
    """Commit a change the crud checks allowed. The checks before a write find clashes; the
    database's own constraints catch a race with another writer: then Conflict, nothing saved.
    ``what`` names the thing changed ("the programme", "this script")."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "conflict", f"Someone else changed {what} at the same time; try again.",
            f"其他人正在同时修改{what_zh}，请重试。",
        ) from exc  # fmt: skip
