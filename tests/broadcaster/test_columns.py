"""The shared column types against a real migrated SQLite database: every instant reads back
aware in UTC whichever zone it was written in, a query in another zone finds the same rows, a
naive instant is refused, and rows an existing database already holds read back unchanged."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime
from sqlalchemy.exc import StatementError
from sqlmodel import Session, SQLModel

import broadcaster.accounts.models
import broadcaster.air_store
import broadcaster.library.models
import broadcaster.paging.models
import broadcaster.programme.models
import broadcaster.shifts.models  # noqa: F401  (every table registered, as migrations/env.py)
from broadcaster.accounts import crud as accounts
from broadcaster.columns import UtcDateTime
from broadcaster.db import make_engine
from broadcaster.playlog import PlayLog
from broadcaster.scripts.models import Script

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON_UTC = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'columns.db'}")
    yield engine
    engine.dispose()


def test_an_instant_written_in_the_store_zone_reads_back_as_the_same_instant_in_utc(engine):
    log = PlayLog(engine)
    local = NOON_UTC.astimezone(SHANGHAI)  # 20:00 in Shanghai
    log.record(layer="voice", kind="announcement", title="t", requested_by="test",
               requested_at=local, started_at=local, ended_at=local)  # fmt: skip

    (row,) = log.query()

    assert row.requested_at == NOON_UTC and row.requested_at.tzinfo is UTC
    assert row.started_at is not None and row.started_at.utcoffset() == timedelta(0)


def test_a_query_bound_in_another_zone_finds_the_rows_of_that_instant(engine):
    log = PlayLog(engine)
    for hours in (-1, 1):
        log.record(layer="voice", kind="announcement", title=f"{hours:+d} h", requested_by="t",
                   requested_at=NOON_UTC + timedelta(hours=hours))  # fmt: skip
    since = NOON_UTC.astimezone(SHANGHAI)  # as a page in the store's zone would ask

    titles = [row.title for row in log.query(since=since)]

    assert titles == ["+1 h"]


def test_a_naive_instant_is_refused_and_nothing_is_stored(engine):
    with Session(engine) as session:
        session.add(Script(code="naive", created_at=datetime(2026, 11, 23, 12), created_by="t"))
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()
    with Session(engine) as session:
        assert session.get(Script, 1) is None


def test_rows_an_existing_database_holds_read_back_as_the_utc_instants_they_were(engine, tmp_path):
    # What SQLAlchemy wrote before the shared type: the UTC wall time, no offset.
    with sqlite3.connect(tmp_path / "columns.db") as raw:
        raw.execute(
            "INSERT INTO audit (at, actor, action, status, detail, client) "
            "VALUES ('2026-11-23 12:00:00.000000', 'old', 'POST /x', 200, '', '')"
        )
    with Session(engine) as session:
        (entry,) = accounts.audit_trail(session)
        since_local = (NOON_UTC - timedelta(minutes=1)).astimezone(SHANGHAI)
        assert accounts.audit_trail(session, since=since_local) == [entry]

    assert entry.at == NOON_UTC and entry.at.tzinfo is UTC


def test_every_instant_column_of_every_table_is_the_shared_utc_type():
    # Not the ORM's default for a datetime field, which differs between SQLModel versions
    # (naive DateTime before 0.0.50): one type, one behaviour.
    instants = [
        (table.name, column.name, column.type)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(getattr(column.type, "impl", column.type), DateTime)
    ]

    assert len(instants) > 30
    assert [(t, c) for t, c, kind in instants if not isinstance(kind, UtcDateTime)] == []
