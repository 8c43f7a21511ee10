"""The zones a programme rule plays in (issue 16): ``programme_rule.zones``, a JSON list of
zone and group ids as the supervisor chose them; empty (every rule stored before) is every
zone.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_rule") as batch:
        batch.add_column(sa.Column("zones", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("programme_rule") as batch:
        batch.drop_column("zones")
