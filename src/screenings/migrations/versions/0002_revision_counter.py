"""The revision counter: one row, bumped by every transaction that writes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The feed server compares it with what it rendered last to know, with one
cheap query, whether any feed can have changed.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="one_row"),
        sa.CheckConstraint("counter >= 0", name="counter_not_negative"),
    )
    now = dt.datetime.now(dt.UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # SQLite keeps the UTC wall clock (tables.UTCDateTime)
    op.bulk_insert(table, [{"id": 1, "counter": 0, "created_at": now, "updated_at": now}])


def downgrade() -> None:
    op.drop_table("revision")
