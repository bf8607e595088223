"""Festival days, and frab and iCalendar files as import sources.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

- ``edition.day_starts_at``: the time of day at which the edition's festival day starts
  (NULL: not set, read as 00:00). A frab schedule's days run from it to the same time
  the next day, so with 06:00 a 01:30 screening belongs to the day before.

- ``import_source.kind`` may also be ``frab`` and ``ics``: a frab schedule and an
  iCalendar feed of an edition are sources of their own, beside its lineup, so that a
  ``--sync`` of one never cancels what another made.

One new nullable column: existing rows are unchanged (NULL). On SQLite it is added and
dropped in place, so the table keeps its AUTOINCREMENT counter; ``import_source`` is
made again with its new CHECK, keeping its rows, ids and counter. Downgrade drops the
column, and the sources of the two new kinds with their bases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from screenings.migrations.sqlite_rebuild import rebuild, replace

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("lineup", "awards")
KINDS = ("lineup", "awards", "frab", "ics")


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _source_kinds(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        rebuild(
            op.get_bind(),
            "import_source",
            lambda sql: replace(sql, f"CHECK ({_kinds(old)})", f"CHECK ({_kinds(new)})"),
        )
    else:
        op.drop_constraint(op.f("ck_import_source_kind"), "import_source", type_="check")
        op.create_check_constraint(op.f("ck_import_source_kind"), "import_source", _kinds(new))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE edition ADD COLUMN day_starts_at TIME")
    else:
        op.add_column("edition", sa.Column("day_starts_at", sa.Time(), nullable=True))
    _source_kinds(KINDS_BEFORE, KINDS)


def downgrade() -> None:
    # Their bases go with them (ON DELETE CASCADE; on SQLite by hand, in
    # case foreign keys are off).
    gone = "SELECT id FROM import_source WHERE kind IN ('frab', 'ics')"
    for table in ("screening_base", "record_base"):
        op.execute(f"DELETE FROM {table} WHERE source_id IN ({gone})")
    op.execute("DELETE FROM import_source WHERE kind IN ('frab', 'ics')")
    _source_kinds(KINDS, KINDS_BEFORE)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE edition DROP COLUMN day_starts_at")
    else:
        op.drop_column("edition", "day_starts_at")
