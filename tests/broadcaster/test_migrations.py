"""The schema comes from Alembic migrations: a new database at head matches the models exactly,
an old one made before migrations is adopted with its rows, and the same files run on
PostgreSQL (tested against a throwaway local server when PostgreSQL is installed)."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import broadcaster.playlog
import broadcaster.programme.models  # noqa: F401  (the tables compared)
from broadcaster import migrations
from broadcaster.db import make_engine
from broadcaster.playlog import PlayLog
from broadcaster.programme import crud
from broadcaster.programme.default import default_programme
from broadcaster.programme.models import CalendarEntryCreate, RuleCreate
from tests.kit.programme import make_programme_media, rule

VERSIONS = Path(migrations.__file__).parent / "versions"


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_a_new_sqlite_database_at_head_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert revision(engine) == migrations.head_revision()
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_database_already_at_head_is_opened_without_running_alembic(tmp_path, monkeypatch):
    """Every start opens the database: one at head must not pay for Alembic (its time is in
    bench/db_start.py)."""
    url = f"sqlite:///{tmp_path / 'current.db'}"
    make_engine(url).dispose()

    def refuse(*args, **kwargs):
        raise AssertionError("alembic upgrade ran on a database already at head")

    monkeypatch.setattr(command, "upgrade", refuse)
    engine = make_engine(url)
    assert revision(engine) == migrations.head_revision()
    engine.dispose()
    with pytest.raises(AssertionError, match="already at head"):  # the guard is live
        make_engine(f"sqlite:///{tmp_path / 'new.db'}")


def test_a_database_from_before_migrations_is_adopted_with_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # play_log as create_all made it, before cue_key
        old.execute(
            "CREATE TABLE play_log (layer VARCHAR(16) NOT NULL, kind VARCHAR(16) NOT NULL, "
            "title VARCHAR(300) NOT NULL, media_path VARCHAR(1000), requested_by VARCHAR(120) "
            "NOT NULL, requested_at DATETIME, planned_at DATETIME, started_at DATETIME, "
            "ended_at DATETIME, outcome VARCHAR(16), detail VARCHAR(1000) NOT NULL, "
            "duck_db FLOAT, id INTEGER NOT NULL, PRIMARY KEY (id))"
        )
        for column in ("kind", "started_at", "outcome"):
            old.execute(f"CREATE INDEX ix_play_log_{column} ON play_log ({column})")
        old.execute(
            "INSERT INTO play_log (layer, kind, title, requested_by, detail, requested_at) "
            "VALUES ('voice', 'announcement', 'kept', 'test', '', '2026-11-23 02:00:00')"
        )
    engine = make_engine(f"sqlite:///{path}")
    assert revision(engine) == migrations.head_revision()
    assert [row.title for row in PlayLog(engine).query()] == ["kept"]
    assert "cue_key" in {c["name"] for c in inspect(engine).get_columns("play_log")}
    assert differences(engine) == []


def test_every_migration_goes_down_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'round.db'}")
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrations.upgrade(engine)
    assert differences(engine) == []


def test_migrations_use_only_portable_constructs():
    # The same files must run on SQLite and PostgreSQL: no dialect types, no raw SQL.
    for path in VERSIONS.glob("*.py"):
        source = path.read_text()
        assert "sqlalchemy.dialects" not in source, path.name
        assert "op.execute" not in source and "text(" not in source, path.name


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on a Unix socket (no TCP port), for this module only."""
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server as")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="broadcaster-pg-"))  # not tmp_path: the server's user
    if as_user:  # must be able to enter it
        shutil.chown(root, "postgres")
    data, port = root / "data", 54000 + os.getpid() % 1000

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=60)

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync")  # fmt: skip
        run("pg_ctl", "-D", str(data), "-w", "-l", str(root / "log"), "-o",
            f"-k {root} -c listen_addresses= -p {port} -F", "start")  # fmt: skip
        yield f"postgresql+psycopg://postgres@/postgres?host={root}&port={port}"
    finally:
        if (data / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_the_migrations_run_on_postgresql_and_match_the_models(postgres_url, tmp_path):
    engine = make_engine(postgres_url)
    try:
        assert revision(engine) == migrations.head_revision()
        assert differences(engine) == []
        make_engine(postgres_url).dispose()  # at head already: nothing to do

        data = tmp_path / "data"
        make_programme_media(data, real_audio=False)
        with Session(engine) as db:
            crud.replace_programme(db, default_programme())
            assert crud.load_programme(db) == default_programme()
            # Explicit rule ids moved the id sequence: a rule added by hand gets a free id.
            added = crud.create_rule(
                db, data=RuleCreate.model_validate(rule(name="Hostile <b>'; --")),
                data_dir=data, music_dir=data / "music",
            )  # fmt: skip
            assert added.id == len(default_programme().rules) + 1
            crud.create_calendar_entry(
                db, data=CalendarEntryCreate(date=date(2026, 10, 1), day_type="weekend")
            )
        now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        log = PlayLog(engine)
        log.record(layer="voice", kind="announcement", title="pg", requested_by="test",
                   requested_at=now.astimezone(ZoneInfo("Asia/Shanghai")),
                   cue_key="1:2026-11-23:0")  # fmt: skip
        (row,) = log.query()
        assert row.requested_at == now and row.requested_at.tzinfo is UTC  # the shared UtcDateTime
    finally:
        with engine.begin() as connection:
            command.downgrade(migrations.alembic_config(connection), "base")
        engine.dispose()


def test_head_read_from_the_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    from broadcaster.migrations import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_database_at_head_is_opened_without_loading_alembic(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'b.db'}"
    make_engine(url).dispose()  # creates and migrates
    probe = (
        "import sys; from broadcaster.db import make_engine; "
        f"make_engine({url!r}).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_voice_cues_made_before_0007_cut_in_on_time_and_songs_keep_their_choice(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cues.db'}")
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0006")
    with engine.begin() as connection:  # rules as the old defaults stored them: cut false
        for name, kind, content in (("intro", "fixed", "script"), ("notice", "offset", "speech"),
                                    ("farewell", "offset", "song"), ("promo", "recurring", None)):  # fmt: skip
            connection.exec_driver_sql(
                'INSERT INTO programme_rule (name, kind, enabled, "order", priority, day_types,'
                " grace_s, cut, offset_s, every_s, spread_s, content_kind, content_ref, spots) "
                "VALUES (?, ?, 1, 0, 0, '[]', 60, 0, 0, 0, 0, ?, 'x', '[]')",
                (name, kind, content),
            )
    migrations.upgrade(engine)
    with engine.connect() as connection:
        cut = dict(connection.exec_driver_sql("SELECT name, cut FROM programme_rule").all())
    assert cut == {"intro": 1, "notice": 1, "farewell": 0, "promo": 0}
    assert "on_behalf_of" in {c["name"] for c in inspect(engine).get_columns("page")}
    assert differences(engine) == []
