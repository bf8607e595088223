"""Alembic environment: run by ``screenings.migrate`` (with a connection) or the ``alembic`` CLI."""

from __future__ import annotations

import warnings
from typing import Any

from alembic import context
from sqlalchemy import Column, Connection

from screenings.migrate import migration_connection
from screenings.tables import metadata

config = context.config
target_metadata = metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # Unique indexes over COALESCE(...) are written by hand in the migrations;
    # autogenerate cannot reflect them on SQLite and compares them unevenly on
    # PostgreSQL. tests/test_migrations.py checks each exists on both backends.
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


EXPRESSION_INDEXES = frozenset(
    index.name
    for table in target_metadata.tables.values()
    for index in table.indexes
    if index.name is not None and not all(isinstance(e, Column) for e in index.expressions)
)


def run_on(connection: Connection) -> None:
    # Said once here, and checked by tests/test_migrations.py instead.
    warnings.filterwarnings("ignore", message=".*expression-based index.*")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    # screenings.migrate.migration_connection has begun the transaction (and
    # taken the lock); Alembic joins it, and the commit happens there.
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    # Run from the alembic CLI: the database is the one screenings would use.
    from screenings.config import load_settings
    from screenings.db import create_db_engine

    url = context.get_x_argument(as_dictionary=True).get("db")
    engine = create_db_engine(load_settings(url).database_url)
    with migration_connection(engine) as own:
        run_on(own)


if context.is_offline_mode():
    raise SystemExit("screenings migrations run online only: give a database (-x db=URL)")
run_online()
