"""The play log, as broadcaster/playlog.py defines it.

A database made before migrations existed (by ``create_all``) already has the table, perhaps
without ``cue_key``: it is adopted as it is and given what it lacks, keeping its rows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

INDEXED = ("kind", "started_at", "outcome", "cue_key")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("play_log"):
        op.create_table(
            "play_log",
            sa.Column("layer", sa.String(length=16), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("title", sa.String(length=300), nullable=False),
            sa.Column("media_path", sa.String(length=1000), nullable=True),
            sa.Column("requested_by", sa.String(length=120), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("outcome", sa.String(length=16), nullable=True),
            sa.Column("detail", sa.String(length=1000), nullable=False),
            sa.Column("duck_db", sa.Float(), nullable=True),
            sa.Column("cue_key", sa.String(length=120), nullable=True),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    elif "cue_key" not in {c["name"] for c in inspector.get_columns("play_log")}:
        with op.batch_alter_table("play_log") as batch:
            batch.add_column(sa.Column("cue_key", sa.String(length=120), nullable=True))
    existing = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("play_log")}
    for column in INDEXED:
        if f"ix_play_log_{column}" not in existing:
            op.create_index(f"ix_play_log_{column}", "play_log", [column])


def downgrade() -> None:
    op.drop_table("play_log")
