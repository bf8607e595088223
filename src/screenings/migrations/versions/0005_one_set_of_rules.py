"""The same limits on both databases: every text within its length; zones as the rule keeps them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

- Every text column with a width gets a CHECK ``ck_<table>_<column>_length``: at most
  that many characters, and no NUL (``tables._length`` says why the NUL). SQLite keeps
  any length in a VARCHAR, and cannot add a CHECK to a table: each table is rebuilt from
  its stored definition with the CHECKs added, as 0004 rebuilds them, its id counter
  kept. On PostgreSQL the same CHECKs are added, and the columns become TEXT, so that
  the CHECK refuses there too, naming its column, where the VARCHAR's own error named
  none.
- Stored zone names that the zone rule maps to another (``US/Eastern`` ->
  ``America/New_York``, ``europe/paris`` -> ``Europe/Paris``) are rewritten, on
  festivals, venues and screenings; a screening whose zone is rewritten has its
  ``sequence`` bumped and ``updated_at`` moved (the TZID in its feeds changes), and the
  revision counter moves once.

Nothing changes while a stored value breaks a rule of ``screenings.rules`` (a text too
long, a control character, a web address or a zone the rules refuse): the upgrade is
refused with the list of them and the commands that fix them
(``screenings.migrate.find_offences``), judged under the migration's lock.

Downgrade removes the CHECKs (and makes the PostgreSQL columns VARCHAR again). Zone
names stay as the rule keeps them: the names they replaced meant the same zones.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from screenings import rules
from screenings.migrate import ROWS_CHECKED, refuse_offences

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The widths of revision 0004's text columns, which this revision enforces (a later change
# to screenings.rules.LENGTHS is a later revision's).
LENGTHS: dict[str, dict[str, int]] = {
    "person": {"name": 300, "name_key": 300, "slug": 100},
    "film": {
        "title": 500,
        "title_key": 500,
        "slug": 100,
        "original_title": 500,
        "website": 1000,
        "imdb_id": 20,
    },
    "credit": {"role": 60},
    "film_link": {"kind": 60, "url": 1000, "label": 300},
    "festival": {
        "name": 300,
        "name_key": 300,
        "slug": 100,
        "city": 200,
        "country": 100,
        "website": 1000,
        "timezone": 64,
    },
    "edition": {"label": 200, "slug": 100},
    "selection": {"section": 200, "premiere": 100, "status": 30},
    "venue": {
        "name": 300,
        "name_key": 300,
        "slug": 100,
        "address": 500,
        "city": 200,
        "country": 100,
        "timezone": 64,
    },
    "screening": {
        "uid": 255,
        "external_id": 200,
        "city": 200,
        "timezone": 64,
        "kind": 60,
        "status": 30,
        "visibility": 30,
        "audience": 200,
        "ticket_url": 1000,
    },
    "award": {"name": 300, "name_key": 300, "presenter": 300},
    "nomination": {"category": 300, "result": 30},
    "feed_token": {"name": 200, "token_hash": 64, "ended_because": 300},
    "retired_slug": {"kind": 20, "slug": 100, "successor": 100},
}
ZONED = ("festival", "venue", "screening")


def _check(table: str, column: str, limit: int) -> tuple[str, str]:
    """The name and condition of a column's length CHECK (as ``tables._length`` makes it)."""
    return (
        f"ck_{table}_{column}_length",
        f"length({column}) <= {limit} AND {column} = substr({column}, 1, length({column}))",
    )


def upgrade() -> None:
    bind = op.get_bind()
    if not context.config.attributes.get(ROWS_CHECKED):  # run by the alembic command
        refuse_offences(bind)
    _canonical_zones(bind)
    if bind.dialect.name == "sqlite":
        for table, columns in LENGTHS.items():
            clauses = [
                f"CONSTRAINT {name} CHECK ({condition})"
                for name, condition in (_check(table, c, n) for c, n in columns.items())
            ]
            _rebuild(bind, table, lambda sql, clauses=clauses: _append(sql, clauses))
        return
    for table, columns in LENGTHS.items():
        changes = [f'ALTER COLUMN "{column}" TYPE TEXT' for column in columns]
        changes += [
            f"ADD CONSTRAINT {name} CHECK ({condition})"
            for name, condition in (_check(table, c, n) for c, n in columns.items())
        ]
        bind.exec_driver_sql(f'ALTER TABLE "{table}" ' + ", ".join(changes))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, columns in LENGTHS.items():
            checks = [_check(table, c, n) for c, n in columns.items()]
            _rebuild(bind, table, lambda sql, checks=checks: _without(sql, checks))
        return
    for table, columns in LENGTHS.items():
        changes = [f"DROP CONSTRAINT {_check(table, c, n)[0]}" for c, n in columns.items()]
        changes += [f'ALTER COLUMN "{c}" TYPE VARCHAR({n})' for c, n in columns.items()]
        bind.exec_driver_sql(f'ALTER TABLE "{table}" ' + ", ".join(changes))


# --- Zone names ------------------------------------------------------------------------------


def _canonical_zones(bind: Any) -> None:
    """Rewrite each stored zone name the zone rule maps to another; bump the screenings
    whose zone moved, and the revision counter once if anything did."""
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # SQLite keeps the UTC wall clock (tables.UTCDateTime)
    moved = False
    for name in ZONED:
        table = sa.table(
            name,
            sa.column("timezone", sa.String()),
            sa.column("sequence", sa.Integer()),
            sa.column("updated_at", sa.DateTime()),
        )
        stored = bind.execute(
            sa.select(table.c.timezone).where(table.c.timezone.is_not(None)).distinct()
        ).scalars()
        for zone in list(stored):
            kept = rules.canonical_zone(zone, what=f"{name} timezone")  # judged before
            if kept == zone:
                continue
            values: dict[str, Any] = {"timezone": kept, "updated_at": now}
            if name == "screening":
                values["sequence"] = table.c.sequence + 1
            bind.execute(sa.update(table).where(table.c.timezone == zone).values(**values))
            moved = True
    if moved:
        counter = sa.table(
            "revision",
            sa.column("id", sa.Integer()),
            sa.column("counter", sa.BigInteger()),
            sa.column("updated_at", sa.DateTime()),
        )
        previous = bind.execute(sa.select(counter.c.updated_at)).scalar()
        if isinstance(previous, str):
            previous = dt.datetime.fromisoformat(previous)
        if previous is not None and previous.tzinfo is None and now.tzinfo is not None:
            previous = previous.replace(tzinfo=dt.UTC)
        later = now if previous is None else max(now, previous + dt.timedelta(milliseconds=1))
        bind.execute(
            sa.update(counter)
            .where(counter.c.id == 1)
            .values(counter=counter.c.counter + 1, updated_at=later)
        )


# --- SQLite: rebuilding a table with clauses added or removed (as 0004 does) ---------------


def _append(sql: str, clauses: list[str]) -> str:
    body = sql.rstrip()
    assert body.endswith(")"), sql
    return body[:-1].rstrip() + ", \n\t" + ", \n\t".join(clauses) + "\n)"


def _without(sql: str, checks: list[tuple[str, str]]) -> str:
    for name, condition in checks:
        clause = re.escape(f"CONSTRAINT {name} CHECK ({condition})")
        sql, found = re.subn(r",\s*" + clause, "", sql, count=1)
        assert found == 1, f"{name}: not in {sql}"
    return sql


def _rebuild(bind: Any, table: str, change: Any) -> None:
    """Rebuild ``table`` from its stored definition with ``change`` applied to it: the
    steps SQLite's documentation gives for a change ALTER TABLE cannot make, with foreign
    keys off. Its rows keep their ids, and its id counter (sqlite_sequence, which a
    dropped table loses) is kept, so that no id is handed out again."""
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
    counter = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).scalar()
    temporary = f"_new_{table}"
    head = re.compile(rf'^CREATE TABLE "?{table}"?\s*\(')
    assert head.match(stored), stored
    bind.exec_driver_sql(head.sub(f'CREATE TABLE "{temporary}" (', change(stored), count=1))
    columns = ", ".join(
        f'"{row[1]}"' for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')
    )
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" ({columns}) SELECT {columns} FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
    if counter is not None:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, counter)
        )
