"""Which zones heard a play-log row (issue 16).

- ``play_log.zones``: the ids of the zones an item was heard in, comma-separated in the
  configuration's order; NULL is every zone of a store with one output (every row made before
  zones existed is such a row, and stays NULL).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("play_log", sa.Column("zones", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("play_log") as batch:
        batch.drop_column("zones")
