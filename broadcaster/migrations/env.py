"""Alembic's environment: runs on the connection that ``upgrade()`` hands over in
``config.attributes``, or on ``sqlalchemy.url`` when a developer runs the command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import broadcaster.accounts.models
import broadcaster.air_store
import broadcaster.library.models
import broadcaster.paging.models
import broadcaster.playlog
import broadcaster.programme.models
import broadcaster.scripts.models
import broadcaster.shifts.models  # noqa: F401  (each registers its tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters a table by copying it
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as fresh:
        run_migrations(fresh)
    engine.dispose()
