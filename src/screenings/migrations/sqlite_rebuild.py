"""Rebuilding a SQLite table from its stored definition, for migrations from 0009 on
(0005 and 0007 keep their own copies, as they were shipped).

SQLite changes a CHECK constraint only by making the table again: ``rebuild`` makes it
from its stored ``CREATE TABLE`` with a change applied, keeping its rows and their ids,
its indexes, and its AUTOINCREMENT counter (``sqlite_sequence``, which a dropped table
loses). Foreign keys must be off, as the migration environment has them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def replace(sql: str, old: str, new: str) -> str:
    """``sql`` with ``old``, which it holds exactly once, replaced by ``new``."""
    found = sql.count(old)
    assert found == 1, f"{old!r}: found {found} times in {sql}"
    return sql.replace(old, new)


def rebuild(bind: Any, table: str, change: Callable[[str], str]) -> None:
    """Make ``table`` again from its stored definition with ``change`` applied to it."""
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
    columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    temporary = f"_new_{table}"
    head = re.compile(rf'^CREATE TABLE "?{table}"?\s*\(')
    assert head.match(stored), stored
    bind.exec_driver_sql(head.sub(f'CREATE TABLE "{temporary}" (', change(stored), count=1))
    kept = ", ".join(f'"{c}"' for c in columns)
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" ({kept}) SELECT {kept} FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
    if counter is not None:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, counter)
        )
