"""The city each row fingerprint's row named its venue in.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

``row_fingerprint`` gains ``city_key``: the name key of the City cell of a row that
named a venue (NULL: it named no venue, or no city). The importer finds a venue by its
name and, when the row gives one, its city; a row is skipped unread while the
catalogue still reads its venue as it did, and with the city kept, a venue name that
several cities have ("Kino", "Cinema 1") no longer sends every row naming it the whole
way: only a second venue of that name in the same city would.

Fingerprints are a cache: those kept before this revision have no city, and are dropped
(the next import of each file reads every row once, and keeps new ones). The column is
added in place on both databases (on SQLite with its length check, so the table keeps
its AUTOINCREMENT counter). Downgrade drops it, and the fingerprints with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WIDTH = 200
CHECK = f"length(city_key) <= {WIDTH} AND city_key = substr(city_key, 1, length(city_key))"


def upgrade() -> None:
    op.execute("DELETE FROM row_fingerprint")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE row_fingerprint ADD COLUMN city_key VARCHAR({WIDTH}) "
            f"CONSTRAINT ck_row_fingerprint_city_key_length CHECK ({CHECK})"
        )
        return
    op.add_column("row_fingerprint", sa.Column("city_key", sa.Text(), nullable=True))
    op.create_check_constraint(op.f("ck_row_fingerprint_city_key_length"), "row_fingerprint", CHECK)


def downgrade() -> None:
    op.execute("DELETE FROM row_fingerprint")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE row_fingerprint DROP COLUMN city_key")
    else:
        op.drop_column("row_fingerprint", "city_key")
