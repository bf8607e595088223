"""Ids are never reused; a secret feed's records are references; removed slugs are kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

Three things that keep an address from ever coming to mean another record:

- On SQLite every table but ``revision`` becomes AUTOINCREMENT: without it SQLite hands
  out the highest id again once its row is deleted (PostgreSQL's sequences never do).
  SQLite cannot change a table's primary key in place, so each table is rebuilt from its
  own stored definition, the key clause alone changed, its rows copied with their ids,
  and its indexes made again from their stored definitions (the COALESCE(...) keys
  included). Each id counter starts past the table's highest id and past the highest id
  any secret feed names, so an id a feed held can never be handed out again.
- A secret feed's records (film, person, director, edition, festival, venue) move out
  of its JSON filters into columns the database enforces. A feed whose record no longer
  exists, or whose id now names a record made after the feed (SQLite reused the id),
  ends: it never serves again, and ``feed list`` says why.
- ``retired_slug`` keeps the slugs of removed records (``services.catalog``).

Foreign keys are off while this runs (``screenings.migrate``); ``PRAGMA
foreign_key_check`` must come back empty before the commit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Every table whose ids anything outside the row may name, parents first.
TABLES = (
    "person",
    "film",
    "festival",
    "venue",
    "edition",
    "credit",
    "film_link",
    "selection",
    "screening",
    "award",
    "nomination",
    "feed_token",
)
# A feed's filter key -> the table its id names.
TARGETS = {
    "film": "film",
    "person": "person",
    "director": "person",
    "edition": "edition",
    "festival": "festival",
    "venue": "venue",
}
FEED_CHECK = "CONSTRAINT ck_feed_token_ended_with_reason CHECK ((ended_at IS NULL) = (ended_because IS NULL))"  # noqa: E501


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.create_table(
        "retired_slug",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("successor", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('festival', 'edition', 'venue', 'film', 'person')", name="kind"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_retired_slug_kind_slug", "retired_slug", ["kind", "slug"], unique=True)
    columns = [f"{key}_id" for key in TARGETS]
    for column in columns:
        # On SQLite the references are written with the rebuild below.
        op.add_column("feed_token", sa.Column(column, sa.Integer(), nullable=True))
    op.add_column("feed_token", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("feed_token", sa.Column("ended_because", sa.String(300), nullable=True))
    named = _move_feed_targets(bind)
    if sqlite:
        references = [
            f"CONSTRAINT fk_feed_token_{key}_id_{table} FOREIGN KEY({key}_id) REFERENCES {table} (id)"  # noqa: E501
            for key, table in TARGETS.items()
        ]
        for table in TABLES:
            extra = [*references, FEED_CHECK] if table == "feed_token" else []
            _rebuild(bind, table, _with_autoincrement, extra)
        _start_counters_past(bind, named)
    else:
        for key, table in TARGETS.items():
            op.create_foreign_key(
                op.f(f"fk_feed_token_{key}_id_{table}"), "feed_token", table, [f"{key}_id"], ["id"]
            )
        op.create_check_constraint(
            op.f("ck_feed_token_ended_with_reason"),
            "feed_token",
            "(ended_at IS NULL) = (ended_because IS NULL)",
        )


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _restore_feed_filters(bind)
    if sqlite:
        for table in TABLES:
            _rebuild(bind, table, _without_autoincrement, [], drop=_feed_references)
        for column in [*(f"{key}_id" for key in TARGETS), "ended_at", "ended_because"]:
            bind.exec_driver_sql(f'ALTER TABLE feed_token DROP COLUMN "{column}"')
    else:
        op.drop_constraint(op.f("ck_feed_token_ended_with_reason"), "feed_token", type_="check")
        for key, table in TARGETS.items():
            op.drop_constraint(
                op.f(f"fk_feed_token_{key}_id_{table}"), "feed_token", type_="foreignkey"
            )
        for column in [*(f"{key}_id" for key in TARGETS), "ended_at", "ended_because"]:
            op.drop_column("feed_token", column)
    op.drop_index("uq_retired_slug_kind_slug", table_name="retired_slug")
    op.drop_table("retired_slug")


# --- Secret feeds -----------------------------------------------------------------------


def _now(bind: Any) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    # SQLite keeps the UTC wall clock (tables.UTCDateTime).
    return now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now


def _as_utc(value: Any) -> dt.datetime | None:
    """A stored instant as an aware UTC datetime (SQLite gives the UTC wall clock, as
    text when read without the model's column types)."""
    if value is None:
        return None
    instant = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(instant, dt.datetime)
    if instant.tzinfo is None:
        return instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(dt.UTC)


def _feeds() -> sa.TableClause:
    """feed_token as this revision leaves it, for reading and writing its rows."""
    return sa.table(
        "feed_token",
        sa.column("id", sa.Integer()),
        sa.column("filters", sa.JSON()),
        sa.column("created_at", sa.DateTime()),
        sa.column("revoked_at", sa.DateTime()),
        sa.column("ended_at", sa.DateTime()),
        sa.column("ended_because", sa.String()),
        *(sa.column(f"{key}_id", sa.Integer()) for key in TARGETS),
    )


def _move_feed_targets(bind: Any) -> dict[str, int]:
    """Each feed's named records into its reference columns; the highest id named of each
    table (for the SQLite counters). A record gone, or made after the feed (its id was
    reused), ends the feed."""
    feeds = _feeds()
    highest: dict[str, int] = {}
    now = _now(bind)
    for row in bind.execute(sa.select(feeds.c.id, feeds.c.filters, feeds.c.created_at)).all():
        filters = dict(row.filters) if isinstance(row.filters, dict) else {}
        values: dict[str, Any] = {}
        ended: str | None = None
        for key, table in TARGETS.items():
            named = filters.pop(key, None)
            if named is None:
                continue
            if not isinstance(named, int):
                ended = ended or f"its {key} ({named!r}) could not be read at the upgrade"
                continue
            highest[table] = max(highest.get(table, 0), named)
            made = bind.execute(
                sa.text(f"SELECT created_at FROM {table} WHERE id = :id"), {"id": named}
            ).first()
            if made is None:
                ended = ended or f"its {key} (#{named}) no longer existed at the upgrade"
                continue
            made_at, feed_at = _as_utc(made[0]), _as_utc(row.created_at)
            if made_at is not None and feed_at is not None and made_at > feed_at:
                ended = ended or (
                    f"its {key} (#{named}) was removed before the upgrade, "
                    "and its id was given to a newer record"
                )
                continue
            values[f"{key}_id"] = named
        filters["version"] = 2
        if ended is not None:
            values = {f"{key}_id": None for key in TARGETS}
            values |= {"ended_at": now, "ended_because": ended[:300]}
        bind.execute(sa.update(feeds).where(feeds.c.id == row.id).values(filters=filters, **values))
    return highest


def _restore_feed_filters(bind: Any) -> None:
    """The references back into the JSON filters (version 1). Version 1 knows no ended
    feed, and one without its references would serve every screening: it is revoked."""
    feeds = _feeds()
    for row in bind.execute(sa.select(feeds)).all():
        filters = dict(row.filters) if isinstance(row.filters, dict) else {}
        filters["version"] = 1
        for key in TARGETS:
            if getattr(row, f"{key}_id") is not None:
                filters[key] = getattr(row, f"{key}_id")
        values: dict[str, Any] = {"filters": filters}
        if row.ended_at is not None and row.revoked_at is None:
            values["revoked_at"] = row.ended_at
        bind.execute(sa.update(feeds).where(feeds.c.id == row.id).values(**values))


# --- SQLite: rebuilding a table with its key changed -------------------------------------


def _with_autoincrement(sql: str, table: str) -> str:
    key = re.compile(rf",\s*CONSTRAINT pk_{table} PRIMARY KEY \(id\)")
    sql, found = key.subn("", sql)
    sql, defined = re.subn(
        r"\bid INTEGER NOT NULL,",
        f"id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,",
        sql,
        count=1,
    )
    assert found == defined == 1, f"{table}: an unexpected definition: {sql}"
    return sql


def _without_autoincrement(sql: str, table: str) -> str:
    sql, defined = re.subn(
        rf"\bid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,",
        "id INTEGER NOT NULL,",
        sql,
        count=1,
    )
    assert defined == 1, f"{table}: an unexpected definition: {sql}"
    return _append(sql, [f"CONSTRAINT pk_{table} PRIMARY KEY (id)"])


def _feed_references(sql: str, table: str) -> str:
    """feed_token's definition without the references and the check upgrade() added
    (its columns are dropped after, which SQLite allows once nothing refers to them)."""
    if table != "feed_token":
        return sql
    for key, target in TARGETS.items():
        sql = re.sub(
            rf",\s*CONSTRAINT fk_feed_token_{key}_id_{target} FOREIGN KEY\({key}_id\) "
            rf"REFERENCES {target} \(id\)",
            "",
            sql,
        )
    return re.sub(r",\s*" + re.escape(FEED_CHECK), "", sql)


def _append(sql: str, clauses: list[str]) -> str:
    if not clauses:
        return sql
    body = sql.rstrip()
    assert body.endswith(")")
    return body[:-1].rstrip() + ", \n\t" + ", \n\t".join(clauses) + "\n)"


def _rebuild(
    bind: Any,
    table: str,
    change: Any,
    extra: list[str],
    drop: Any = None,
) -> None:
    """Rebuild ``table`` from its stored definition with ``change`` applied to it (and
    ``extra`` clauses added, ``drop`` applied): the steps SQLite's documentation gives
    for a change ALTER TABLE cannot make, with foreign keys off."""
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    indexes = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
        .scalars()
        .all()
    )
    old_columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    temporary = f"_new_{table}"
    head = re.compile(rf'^CREATE TABLE "?{table}"?\s*\(')
    assert head.match(stored), stored
    sql = change(stored, table)
    if drop is not None:
        sql = drop(sql, table)
    sql = head.sub(f'CREATE TABLE "{temporary}" (', _append(sql, extra), count=1)
    bind.exec_driver_sql(sql)
    new_columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{temporary}")')]
    kept = ", ".join(f'"{c}"' for c in new_columns if c in old_columns)
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" ({kept}) SELECT {kept} FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)


def _start_counters_past(bind: Any, named: dict[str, int]) -> None:
    """Each table's counter past its highest id and the highest id a feed named."""
    for table in TABLES:
        highest = bind.exec_driver_sql(f'SELECT coalesce(max(id), 0) FROM "{table}"').scalar()
        start = max(int(highest or 0), named.get(table, 0))
        bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        if start:
            bind.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, start)
            )
