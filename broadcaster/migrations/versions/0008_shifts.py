"""Shifts and their handover record (交接班).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shift",
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcer", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_by", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remarks", sa.String(length=4000), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["previous_id"], ["shift.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("current"),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_announcer"), ["announcer"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_status"))
        batch_op.drop_index(batch_op.f("ix_shift_started_at"))
        batch_op.drop_index(batch_op.f("ix_shift_announcer"))
    op.drop_table("shift")
