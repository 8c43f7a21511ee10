"""Whom a page was asked for (never its author), and programme voice cues on time by default.

- ``page.on_behalf_of``: the text the desk types for a customer; ``created_by`` stays the
  authenticated person.
- Fixed and offset rules that speak (speech or script content) now cut in at their instant over
  the ducked bed by default; waiting for the end of the music track is an explicit choice. The
  rows made before could not say which they meant (``cut`` was false by default, and the default
  programme's introductions waited on purpose), and the plan is to be executed strictly: they
  become ``cut``. A supervisor who wants one to wait unticks "cut in" again. Songs and playlists
  keep their setting.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RULES = sa.table(
    "programme_rule",
    sa.column("kind", sa.String),
    sa.column("content_kind", sa.String),
    sa.column("cut", sa.Boolean),
)


def upgrade() -> None:
    op.add_column("page", sa.Column("on_behalf_of", sa.String(length=120), nullable=True))
    voice_cues = RULES.update().where(
        RULES.c.kind.in_(["fixed", "offset"]), RULES.c.content_kind.in_(["speech", "script"])
    )
    op.get_bind().execute(voice_cues.values(cut=True))


def downgrade() -> None:
    with op.batch_alter_table("page") as batch:
        batch.drop_column("on_behalf_of")
