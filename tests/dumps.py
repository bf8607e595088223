"""Every row of a catalogue, to show that a command wrote nothing (or what it wrote)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from screenings import tables
from screenings.db import create_db_engine

Dump = dict[str, list[tuple[Any, ...]]]


def dump(target: str | Engine) -> Dump:
    """Every row of every table (the revision counter, timestamps and secret feeds
    included), in primary-key order, as the driver gives it; ``target`` is a URL or an
    engine (left open)."""
    engine = create_db_engine(target) if isinstance(target, str) else target
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in tables.metadata.sorted_tables
            }
    finally:
        if engine is not target:
            engine.dispose()


CACHES = ("row_fingerprint",)
"""Tables that keep what the catalogue can be told from, not the catalogue: an import
that changes nothing may still write them (``db.write_aside``), with no new revision."""


def catalogue(rows: Dump) -> Dump:
    """``rows`` without the tables in ``CACHES``."""
    return {name: values for name, values in rows.items() if name not in CACHES}
