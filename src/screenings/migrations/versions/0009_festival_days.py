"""Festival days: when an edition's day starts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

- ``edition.day_starts_at``: the time of day at which the edition's festival day starts
  (NULL: not set, read as 00:00). A frab schedule's days run from it to the same time
  the next day, so with 06:00 a 01:30 screening belongs to the day before.

One new nullable column: existing rows are unchanged (NULL). On SQLite it is added and
dropped in place, so the table keeps its AUTOINCREMENT counter. Downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE edition ADD COLUMN day_starts_at TIME")
    else:
        op.add_column("edition", sa.Column("day_starts_at", sa.Time(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE edition DROP COLUMN day_starts_at")
    else:
        op.drop_column("edition", "day_starts_at")
