"""How each row fingerprint's row named its film, venue and edition.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

``row_fingerprint`` gains five nullable columns: the name keys of the film title, the
venue and the festival a row named, the edition's year and the key of its label. A
row is skipped unread only while the catalogue still reads those names as the record
its last import gave it; with the keys kept beside the digest, that is checked in the
query that finds the fingerprints, for every row at once, without reading the row.

Fingerprints are a cache: the ones kept before this revision have no keys, and are
dropped (the next import of each file reads every row once, and keeps new ones). On
SQLite the table is made again in place, keeping its AUTOINCREMENT counter. Downgrade
drops the columns, and the fingerprints with them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from screenings.migrations.sqlite_rebuild import rebuild, replace

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Each column's type on SQLite, and its width (none for the year).
COLUMNS = {
    "title_key": 500,
    "venue_key": 300,
    "festival_key": 300,
    "edition_year": None,
    "label_key": 200,
}
DIGEST_CHECK = "CONSTRAINT ck_row_fingerprint_digest_length CHECK "


def _check(column: str, width: int) -> str:
    return f"length({column}) <= {width} AND {column} = substr({column}, 1, length({column}))"


def _sqlite_with_columns(sql: str) -> str:
    """The table's stored definition with the five columns and their length checks."""
    columns = "".join(
        f"\n\t{name} {'INTEGER' if width is None else f'VARCHAR({width})'}, "
        for name, width in COLUMNS.items()
    )
    checks = "".join(
        f"\n\tCONSTRAINT ck_row_fingerprint_{name}_length CHECK ({_check(name, width)}), "
        for name, width in COLUMNS.items()
        if width is not None
    )
    return replace(sql, f"\n\t{DIGEST_CHECK}", columns + checks + f"\n\t{DIGEST_CHECK}")


def upgrade() -> None:
    op.execute("DELETE FROM row_fingerprint")
    if op.get_bind().dialect.name == "sqlite":
        rebuild(op.get_bind(), "row_fingerprint", _sqlite_with_columns)
        return
    for name, width in COLUMNS.items():
        op.add_column(
            "row_fingerprint",
            sa.Column(name, sa.Integer() if width is None else sa.Text(), nullable=True),
        )
        if width is not None:
            op.create_check_constraint(
                op.f(f"ck_row_fingerprint_{name}_length"), "row_fingerprint", _check(name, width)
            )


def downgrade() -> None:
    op.execute("DELETE FROM row_fingerprint")
    if op.get_bind().dialect.name != "sqlite":
        for name in COLUMNS:
            op.drop_column("row_fingerprint", name)
        return
    # The table is empty: made again from its definition without the columns (rebuild
    # would copy the columns it no longer has), its index and counter kept.
    bind = op.get_bind()
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'row_fingerprint'"
    ).scalar_one()
    counter = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'row_fingerprint'"
    ).scalar()
    bind.exec_driver_sql("DROP TABLE row_fingerprint")
    bind.exec_driver_sql(_sqlite_without_columns(stored))
    bind.exec_driver_sql(
        "CREATE INDEX ix_row_fingerprint_screening_id ON row_fingerprint (screening_id)"
    )
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'row_fingerprint'")
    if counter is not None:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('row_fingerprint', ?)", (counter,)
        )


def _sqlite_without_columns(sql: str) -> str:
    for name, width in COLUMNS.items():
        kind = "INTEGER" if width is None else f"VARCHAR({width})"
        sql = replace(sql, f"\n\t{name} {kind}, ", "")
        if width is not None:
            check = _check(name, width)
            sql = replace(
                sql, f"\n\tCONSTRAINT ck_row_fingerprint_{name}_length CHECK ({check}), ", ""
            )
    return sql
