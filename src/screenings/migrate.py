"""The schema's revision: checked on every open, migrated with Alembic from code.

Deciding whether a database needs an upgrade reads ``alembic_version`` with
plain SQLAlchemy and compares it to ``HEAD_REVISION``; Alembic itself is
imported only when a migration really runs. A test keeps ``HEAD_REVISION``
equal to the newest migration.

Migrations run on their own connection, in one transaction. On SQLite,
foreign keys are off while they run (batch mode rebuilds tables, which would
otherwise cascade or block) and ``PRAGMA foreign_key_check`` must come back
empty before the transaction commits. On PostgreSQL they run under an
advisory lock, so two processes cannot migrate at once.
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from screenings.db import database_errors
from screenings.errors import DatabaseState, InvalidInput

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0001"
# Every revision ever shipped, oldest first, HEAD_REVISION last (kept right by a test).
KNOWN_REVISIONS: tuple[str, ...] = ("0001",)
VERSION_TABLE = "alembic_version"
SCRIPT_LOCATION = "screenings:migrations"
# pg_advisory_xact_lock key: a constant no other application on the server should use.
ADVISORY_LOCK_KEY = 72_020_130_611


class SchemaState(enum.Enum):
    NEW = "new"  # no tables at all
    CURRENT = "current"
    OLDER = "older"  # a revision this package can upgrade from
    UNKNOWN = "unknown"  # a revision this package does not know (a newer screenings?)
    FOREIGN = "foreign"  # tables, but no alembic_version: not a screenings database


@dataclass(frozen=True)
class Status:
    url: str
    revision: str | None
    state: SchemaState

    @property
    def describe(self) -> str:
        revision = self.revision or "none"
        if self.state is SchemaState.CURRENT:
            return f"{revision} (head)"
        return f"{revision} ({self.state.value}; head is {HEAD_REVISION})"


def read_status(engine: Engine) -> Status:
    """Where the database stands, without importing Alembic."""
    with database_errors(engine), engine.connect() as connection:
        revision, state = _read_state(connection)
        connection.rollback()
    return Status(engine.url.render_as_string(hide_password=True), revision, state)


def _read_state(connection: Connection) -> tuple[str | None, SchemaState]:
    # The common case (a current database) costs one cheap query, no reflection.
    if not connection.dialect.has_table(connection, VERSION_TABLE):
        tables = inspect(connection).get_table_names()
        return None, (SchemaState.FOREIGN if tables else SchemaState.NEW)
    revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    if revision == HEAD_REVISION:
        return revision, SchemaState.CURRENT
    if revision is None or revision in KNOWN_REVISIONS:
        return revision, SchemaState.OLDER
    return revision, SchemaState.UNKNOWN


def ensure_schema(engine: Engine) -> str | None:
    """Make the database usable by this version, or refuse; return a notice for stderr, if any.

    A new database is created at head. An older SQLite database is backed up
    next to its file and upgraded. An older PostgreSQL database is refused
    (``DatabaseState``): upgrading a shared database is a deliberate act,
    ``screenings db upgrade``. A database at an unknown revision is refused.
    """
    status = read_status(engine)
    if status.state is SchemaState.CURRENT:
        return None
    if status.state is SchemaState.NEW:
        upgrade_schema(engine)
        return f"created a new database at {_where(engine)} (revision {HEAD_REVISION})"
    if status.state is SchemaState.FOREIGN:
        raise DatabaseState(
            f"{status.url} holds tables but is not a screenings database "
            f"(no {VERSION_TABLE} table); point --db at another database"
        )
    if status.state is SchemaState.UNKNOWN:
        raise DatabaseState(
            f"{status.url} is at revision {status.revision}, which this version of screenings "
            f"(head {HEAD_REVISION}) does not know: it was written by a newer screenings"
        )
    if engine.dialect.name != "sqlite":
        raise DatabaseState(
            f"{status.url} is at revision {status.revision or 'none'}, older than this "
            f"version's {HEAD_REVISION}; run 'screenings db upgrade' to upgrade it"
        )
    backup = backup_sqlite(engine, status.revision)
    upgrade_schema(engine)
    return (
        f"upgraded {_where(engine)} from revision {status.revision or 'none'} to "
        f"{HEAD_REVISION} (backup: {backup})"
    )


def _where(engine: Engine) -> str:
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)


def backup_sqlite(engine: Engine, revision: str | None) -> Path:
    """Copy a SQLite database with SQLite's online backup, next to its file; return the copy."""
    database = engine.url.database
    if not database or database == ":memory:":
        raise DatabaseState("an in-memory database cannot be backed up")
    source_path = Path(database)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source_path.with_name(f"{source_path.name}.{revision or 'base'}-{stamp}.bak")
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the migrations shipped inside the package."""
    from alembic.config import Config

    config = Config(stdout=sys.stdout)  # not the stdout of import time
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection of its own, in one transaction, for migrating; committed if all went well.

    SQLite: foreign keys off while it runs (set before the transaction, where
    the PRAGMA takes effect), ``BEGIN IMMEDIATE`` so a second migrator waits,
    and ``PRAGMA foreign_key_check`` empty before the commit. PostgreSQL: an
    advisory lock held until the commit, so a second migrator waits and then
    finds the work done.
    """
    sqlite = engine.dialect.name == "sqlite"
    writer = engine.execution_options(screenings_write=True)
    with database_errors(engine), writer.connect() as connection:
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                if not sqlite:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                yield connection
                if sqlite:
                    check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def check_foreign_keys(connection: Connection) -> None:
    """Raise ``DatabaseState`` if any SQLite row points at a row that does not exist."""
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if rows:
        shown = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in rows[:5])
        raise DatabaseState(f"migration rolled back: it would leave dangling references: {shown}")


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Migrate up to ``revision`` (default: head) in one transaction."""
    _run("upgrade", engine, revision)


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Migrate down to ``revision`` (``base`` drops every table) in one transaction."""
    _run("downgrade", engine, revision)


def _run(direction: str, engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.util.exc import CommandError

    if revision not in {"head", "base", *KNOWN_REVISIONS}:
        raise InvalidInput(
            f"revision: unknown revision {revision!r}; expected head, base or one of "
            + ", ".join(KNOWN_REVISIONS)
        )
    with migration_connection(engine) as connection:
        try:
            getattr(command, direction)(alembic_config(connection), revision)
        except CommandError as exc:
            raise InvalidInput(f"revision: {exc}") from exc


def sqlite_file_missing(engine: Engine) -> bool:
    """True for a SQLite URL whose file does not exist yet (opening it would create it)."""
    database = engine.url.database
    return (
        engine.dialect.name == "sqlite"
        and bool(database)
        and database != ":memory:"
        and not Path(str(database)).exists()
    )


def history() -> list[tuple[str, str | None, str]]:
    """Every revision, oldest first: (revision, down revision, message)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    rows = []
    for script in scripts.walk_revisions():
        down = script.down_revision
        rows.append((script.revision, down if isinstance(down, str) else None, script.doc))
    return list(reversed(rows))
