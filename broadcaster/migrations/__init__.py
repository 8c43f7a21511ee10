"""Schema migrations (Alembic), run from code: no alembic.ini is needed.

``upgrade(engine)`` brings a database to the newest schema; ``make_engine`` calls it on every
start. A new migration, after changing a table model::

    .venv/bin/python -m broadcaster.migrations revision "add the script library tables"

writes ``versions/NNNN_<slug>.py`` from a comparison of the models with a fresh database at head
(review it: autogenerate misses renames, and SQLite needs ``batch_alter_table``). Migrations use
only portable SQLAlchemy constructs, so the same files run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration in code; env.py runs on ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("version_path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration the database has not had yet (in one transaction where the
    database allows DDL in transactions, as SQLite and PostgreSQL both do)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
