"""The day programme: day types, weekday defaults, calendar entries and rules.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_day_type",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("opening", sa.Time(), nullable=False),
        sa.Column("closing", sa.Time(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_programme_day_type_name", "programme_day_type", ["name"], unique=True)
    op.create_table(
        "programme_weekday",
        sa.Column("day_type", sa.String(length=40), nullable=False),
        sa.Column("weekday", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("weekday"),
    )
    op.create_table(
        "programme_calendar",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("day_type", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_programme_calendar_date", "programme_calendar", ["date"], unique=True)
    op.create_table(
        "programme_rule",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("day_types", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("grace_s", sa.Integer(), nullable=False),
        sa.Column("cut", sa.Boolean(), nullable=False),
        sa.Column("at", sa.Time(), nullable=True),
        sa.Column("anchor", sa.String(length=16), nullable=True),
        sa.Column("offset_s", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("every_s", sa.Integer(), nullable=False),
        sa.Column("spread_s", sa.Integer(), nullable=False),
        sa.Column("start", sa.Time(), nullable=True),
        sa.Column("end", sa.Time(), nullable=True),
        sa.Column("playlist", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_kind", sa.String(length=16), nullable=True),
        sa.Column("content_ref", sa.String(length=1000), nullable=True),
        sa.Column("content_title", sa.String(length=300), nullable=True),
        sa.Column("spots", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("programme_rule")
    op.drop_index("ix_programme_calendar_date", table_name="programme_calendar")
    op.drop_table("programme_calendar")
    op.drop_table("programme_weekday")
    op.drop_index("ix_programme_day_type_name", table_name="programme_day_type")
    op.drop_table("programme_day_type")
