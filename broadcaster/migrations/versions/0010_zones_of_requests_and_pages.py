"""The zones an accepted request and a service-desk page are for (issue 16), so a restart
brings them back to the same zones.

- ``air_request.zones``: zone ids, comma-separated; NULL is every zone.
- ``air_request.partial``: it may play in the zones that are free (else it waits for all).
- ``page.zones``: as ``air_request.zones`` (a page is partial: heard where it can be).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("air_request", sa.Column("zones", sa.String(length=1000), nullable=True))
    op.add_column(
        "air_request",
        sa.Column("partial", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("page", sa.Column("zones", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("page") as batch:
        batch.drop_column("zones")
    with op.batch_alter_table("air_request") as batch:
        batch.drop_column("partial")
        batch.drop_column("zones")
