"""Schema migrations (Alembic), run from code: no alembic.ini is needed.

``upgrade(engine)`` brings a database to the newest schema; ``make_engine`` calls it on every
start. A new migration, after changing a table model::

    .venv/bin/python -m broadcaster.migrations revision "add the script library tables"

writes ``versions/NNNN_<slug>.py`` from a comparison of the models with a fresh database at head
(review it: autogenerate misses renames, and SQLite needs ``batch_alter_table``). Migrations use
only portable SQLAlchemy constructs, so the same files run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent
_REVISION = re.compile(r'^(down_)?revision\s*=\s*(?:"([^"]+)"|None)', re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration in code; env.py runs on ``connection`` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("version_path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration, read from the files' ``revision``/``down_revision`` lines: the one
    revision no other migration names as its parent."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    (head,) = revisions - parents - {""}
    return head


def known_revisions() -> set[str]:
    """Every revision this version of the code has a migration for."""
    found: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        found.update(
            v for down, v in _REVISION.findall(path.read_text(encoding="utf-8")) if not down
        )
    return found


def is_current(engine: Engine) -> bool:
    if not inspect(engine).has_table("alembic_version"):
        return False
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return [row[0] for row in versions] == [head_revision()]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration the database has not had yet (in one transaction where the
    database allows DDL in transactions, as SQLite and PostgreSQL both do).

    A database already at head is left alone without loading Alembic at all: Alembic and the
    template engine it brings cost the running daemon about 10 MB."""
    if revision == "head" and is_current(engine):
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
