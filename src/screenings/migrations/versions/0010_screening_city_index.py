"""An index on a screening's own city.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

``list --city`` matches a city by key, as names are matched: it first gathers the
stored spellings that share the key (``query._spellings``), from venues, festivals and
the screenings that name a city of their own (those with no venue). Venues and
festivals are few; without this index, the screenings' own cities took reading every
screening (0.7 s at a million, ``benchmarks/scale.py``). Nothing else changes.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_screening_city"), "screening", ["city"])


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_city"), table_name="screening")
