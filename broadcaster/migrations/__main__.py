"""``python -m broadcaster.migrations revision "what changed"``: write the next migration from a
comparison of the table models with a scratch SQLite database at head. Review what it wrote."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from broadcaster.migrations import HERE, alembic_config, upgrade


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m broadcaster.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    revision = commands.add_parser("revision", help="autogenerate the next migration")
    revision.add_argument("message")
    args = parser.parse_args(argv)

    numbers = [int(p.name[:4]) for p in (HERE / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        upgrade(engine)
        with engine.begin() as connection:
            config = alembic_config(connection)
            config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
            command.revision(
                config, args.message, autogenerate=True, rev_id=f"{max(numbers, default=0) + 1:04d}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
