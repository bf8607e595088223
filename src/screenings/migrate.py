"""The schema's revision: checked on every open, migrated with Alembic from code.

Deciding whether a database needs an upgrade reads ``alembic_version`` with
plain SQLAlchemy and compares it to ``HEAD_REVISION``; Alembic itself is
imported only when a migration really runs. A test keeps ``KNOWN_REVISIONS``
equal to the migrations shipped.

A migration runs on a connection of its own, in one transaction, under a
lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL): the
state is read again once the lock is held, so of two processes migrating at
once the second finds the work done. On SQLite, foreign keys are off while
it runs (batch mode rebuilds tables, which would otherwise cascade or block),
``PRAGMA foreign_key_check`` must come back empty before the commit, and the
file is backed up next to itself first, whenever a schema is changed.

Every door (a command that reads or writes, ``db upgrade``, ``db current``, the feed
server) opens a catalogue through ``open_catalogue``, and what it may do with each
state, and says when it may not, is ``refusal``'s: one place, so that no door's
message names a command that cannot work.

**Values that break a rule.** The upgrade to ``RULES_REVISION`` puts the rules of a
value (``screenings.rules``) into the schema. Before it changes anything it judges every
stored text by them (``find_offences``); while any breaks one, no door upgrades the
catalogue, and each says which values, and the ``screenings edit`` command that fixes
each. Those commands (``Door.FIX``) work on the catalogue as it is, at the revision
before, whose schema is the same but for the CHECKs.
"""

from __future__ import annotations

import datetime as dt
import enum
import shlex
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from screenings import rules
from screenings.config import nearest_there
from screenings.db import (
    database_errors,
    masked_url,
    missing_file,
    schema_blocked,
    sqlite_file,
)
from screenings.db import open_catalogue as open_place
from screenings.errors import DatabaseState, InvalidInput, ScreeningsError

if TYPE_CHECKING:
    from alembic.config import Config

# Every revision ever shipped, oldest first (kept right by a test).
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]
# The revision that puts the rules of a value into the schema, refused while a stored
# value breaks one; a catalogue at the one before can be fixed as it is (Door.FIX).
RULES_REVISION = "0005"
FIXABLE_REVISION = KNOWN_REVISIONS[KNOWN_REVISIONS.index(RULES_REVISION) - 1]
# How many of the values that break a rule a refusal lists (it says how many in all).
OFFENCES_SHOWN = 10
# Set in the Alembic config's attributes once the stored values were judged under the
# migration's lock: the migration need not judge them again.
ROWS_CHECKED = "screenings_rows_checked"
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
    # Tables, and an alembic_version that records no revision: which one is unknown.
    UNRECORDED = "unrecorded"


class Door(enum.Enum):
    """Who wants to use a catalogue: each does something else with the same state."""

    READ = "read"  # a command that only reads: upgrades an older SQLite catalogue if it can
    WRITE = "write"  # a command that writes: also creates a new catalogue
    SERVE = "serve"  # serve, and the WSGI application: never creates or upgrades one
    MIGRATE = "migrate"  # db upgrade and db downgrade
    REPORT = "report"  # db current: changes nothing, says what would make it usable
    # edit: writes as WRITE does, and also works on a catalogue whose upgrade waits for
    # values that break a rule to be fixed, as it is (it may be fixing one)
    FIX = "fix"


@dataclass(frozen=True)
class Offence:
    """A stored value that breaks a rule of ``screenings.rules``."""

    table: str
    id: int
    column: str
    problem: str  # the rule's own words, naming "TABLE #ID COLUMN"
    fix: str | None  # the command that fixes it; None where no command changes it

    @property
    def describe(self) -> str:
        fix = self.fix or "no screenings command changes it: correct it in the database"
        return f"[{self.problem}; fix: {fix}]"


@dataclass(frozen=True)
class Offences:
    """The first ``OFFENCES_SHOWN`` values that break a rule, and how many do in all."""

    first: tuple[Offence, ...]
    total: int


@dataclass(frozen=True)
class Status:
    url: str
    revision: str | None
    state: SchemaState
    # An older catalogue: why its schema cannot be changed from here (a SQLite file in a
    # read-only place, or declared immutable), in words that follow its URL.
    blocked: str | None = None
    # An older catalogue is upgraded by the first command that uses it (SQLite), not only
    # by 'db upgrade' (PostgreSQL, shared: upgrading it is a deliberate act).
    upgrades_on_use: bool = False
    # An older catalogue below RULES_REVISION: the stored values that break a rule, which
    # keep it from being upgraded (None when none do, or it was not looked at).
    offences: Offences | None = None

    @property
    def describe(self) -> str:
        revision = self.revision or "none"
        if self.state is SchemaState.CURRENT:
            return f"{revision} (head)"
        return f"{revision} ({self.state.value}; head is {HEAD_REVISION})"


@dataclass(frozen=True)
class Migration:
    """What a migration did: the revisions before and after, and the backup it took."""

    before: str | None
    after: str | None
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def read_status(engine: Engine, *, judge: bool = True) -> Status:
    """Where the database stands, without importing Alembic and without a lock. An older
    catalogue's stored values are judged by the rules (``offences``) when its way up passes
    ``RULES_REVISION``, unless ``judge`` is False (a door that will upgrade it: the
    migration judges them, under its lock)."""
    with database_errors(engine), engine.connect() as connection:
        revision, state = _read_state(connection)
        offences = _offences_before(connection, revision, state, HEAD_REVISION) if judge else None
        connection.rollback()
    return Status(
        masked_url(engine.url),
        revision,
        state,
        blocked=schema_blocked(engine) if state is SchemaState.OLDER else None,
        upgrades_on_use=engine.dialect.name == "sqlite",
        offences=offences,
    )


def _read_for(engine: Engine, door: Door) -> Status:
    """Where the database stands for ``door``: its values judged only when the door will
    not upgrade it (and so will not have them judged under the migration's lock), or may
    use it as it is (``FIX``). Never for ``SERVE``: the server refuses every older
    catalogue alike, and tries again at each request, which must not cost a reading of
    the whole catalogue; 'screenings db upgrade', which it names, lists the values."""
    status = read_status(engine, judge=False)
    if status.state is SchemaState.OLDER and (
        door is Door.FIX or (door is not Door.SERVE and refusal(status, door) is not None)
    ):
        return read_status(engine)
    return status


def _offences_before(
    connection: Connection, revision: str | None, state: SchemaState, target: str | None
) -> Offences | None:
    """The values that keep a catalogue at ``revision`` from reaching ``target``: looked
    for only when the way up passes RULES_REVISION."""
    order = (None, *KNOWN_REVISIONS)
    if (
        state is not SchemaState.OLDER
        or revision is None
        or target is None
        or not order.index(revision) < order.index(RULES_REVISION) <= order.index(target)
    ):
        return None
    return find_offences(connection)


def _read_state(connection: Connection) -> tuple[str | None, SchemaState]:
    # The common case (a current database) costs one cheap query, no reflection.
    if not connection.dialect.has_table(connection, VERSION_TABLE):
        tables = inspect(connection).get_table_names()
        return None, (SchemaState.FOREIGN if tables else SchemaState.NEW)
    revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    if revision == HEAD_REVISION:
        return revision, SchemaState.CURRENT
    if revision is None:
        # Downgraded to base leaves the version table alone; with any other table there,
        # the record was lost, and upgrading "from base" would fail on every table.
        others = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
        return None, (SchemaState.UNRECORDED if others else SchemaState.OLDER)
    if revision in KNOWN_REVISIONS:
        return revision, SchemaState.OLDER
    return revision, SchemaState.UNKNOWN


def refusal(status: Status, door: Door, *, source: str = "--db") -> ScreeningsError | None:  # noqa: C901 -- one message per state a database can be in
    """Why ``door`` cannot use the database at ``status``, as the error to raise: one line
    naming a command that can work, or, where no command of this version can, what to do
    instead; None when the door can use it, as it is or once it has created or upgraded
    it. ``source`` names where the URL came from (``--db``, a variable).

    Every door's message for every state is made here, so that they cannot drift apart:
    the commands, ``serve`` and the WSGI application's 503 log line all say these.
    """
    url, state = status.url, status.state
    if state is SchemaState.CURRENT:
        return None
    if state is SchemaState.OLDER and status.offences is not None:
        if door is Door.FIX and status.revision == FIXABLE_REVISION:
            return None
        return DatabaseState(_offences_message(status, status.offences))
    if state is SchemaState.NEW:
        if door in (Door.WRITE, Door.FIX, Door.MIGRATE):
            return None
        return InvalidInput(
            f"{source}: {url} holds no catalogue yet; "
            "'screenings import' or 'screenings add' creates one"
        )
    if state is SchemaState.OLDER:
        older = (
            f"{url} is at revision {status.revision or 'none'}, "
            f"older than this version's {HEAD_REVISION}"
        )
        if status.blocked is not None:
            return DatabaseState(
                f"{older}, and {status.blocked}: "
                "upgrade it where it can be written ('screenings db upgrade')"
            )
        if door is Door.MIGRATE or (
            door in (Door.READ, Door.WRITE, Door.FIX) and status.upgrades_on_use
        ):
            return None
        if door is Door.SERVE:
            return DatabaseState(
                f"{older}; the server never upgrades it: "
                f"run 'screenings db upgrade' (to {HEAD_REVISION}) first"
            )
        return DatabaseState(f"{older}; run 'screenings db upgrade' to upgrade it")
    if state is SchemaState.UNKNOWN:  # 'db upgrade' knows no way up from it
        return DatabaseState(
            f"{url} is at revision {status.revision}, which this version of screenings "
            f"(head {HEAD_REVISION}) does not know: a newer screenings wrote it; "
            f"{'serve' if door is Door.SERVE else 'use'} it with that version "
            "(upgrade this one: in its checkout, 'git pull && pip install -e .')"
        )
    if state is SchemaState.FOREIGN:
        return DatabaseState(
            f"{url} holds tables but is not a screenings catalogue (it has no "
            f"{VERSION_TABLE} table); point "
            f"{'the server' if door is Door.SERVE else 'the command'} at one "
            "(--db or SCREENINGS_DATABASE_URL)"
        )
    return DatabaseState(  # UNRECORDED: an upgrade "from base" would fail on every table
        f"{url} holds a catalogue's tables, but its {VERSION_TABLE} table records no "
        "revision, so which one it is cannot be known: restore it from a backup, or "
        f"record its revision in {VERSION_TABLE}"
    )


def _offences_message(status: Status, offences: Offences) -> str:
    count = offences.total
    values = f"{count} stored value{'s' if count != 1 else ''}"
    which = "each" if count <= len(offences.first) else f"the first {len(offences.first)}"
    first = ""
    if status.revision != FIXABLE_REVISION:  # the commands that fix them need its schema
        to = FIXABLE_REVISION
        first = f"upgrade it to {to} ('screenings db upgrade --to {to}'), then "
    return (
        f"{status.url} is at revision {status.revision}, and cannot be upgraded to "
        f"{HEAD_REVISION} while {values} break{'s' if count == 1 else ''} the catalogue's "
        f"rules; nothing was changed: {first}fix {which} and try again: "
        + " ".join(offence.describe for offence in offences.first)
    )


def _refuse(status: Status, door: Door, source: str = "--db") -> None:
    error = refusal(status, door, source=source)
    if error is not None:
        raise error


def open_catalogue(  # noqa: PLR0913 -- a door opens a catalogue with its own options, all keyword-only
    url: str,
    door: Door,
    *,
    what: str = "database URL",
    immutable: bool = False,
    immutable_by: str | None = None,
    pool_size: int = 5,
) -> tuple[Engine, str | None]:
    """The engine through which ``door`` uses the catalogue at ``url``, once its schema is at
    this version's revision, and a notice for stderr when it was created or upgraded on the
    way; else the one-line error saying why not (``screenings.db.open_catalogue`` for the
    place, ``refusal`` for the schema).

    A reading door (``READ``, ``SERVE``, ``REPORT``) gets an engine that only reads, and
    never creates a catalogue. ``READ`` upgrades an older SQLite one where it can be
    written, after a backup, as ``WRITE`` does; ``WRITE`` also creates a new one.
    ``MIGRATE`` gets the writing engine unchecked: the migration checks under its lock.
    ``REPORT`` gets the reading engine unchecked. ``FIX`` is ``WRITE``, except that a
    catalogue whose upgrade waits for values that break a rule to be fixed is used as it
    is, with a notice (when it is at the revision before ``RULES_REVISION``).
    """
    write = door in (Door.WRITE, Door.FIX, Door.MIGRATE)
    engine = open_place(
        url,
        what=what,
        write=write,
        immutable=immutable,
        immutable_by=immutable_by,
        pool_size=pool_size,
    )
    try:
        if door in (Door.MIGRATE, Door.REPORT):
            return engine, None
        if door is Door.WRITE:
            return engine, ensure_schema(engine)
        if door is Door.FIX and missing_file(engine.url) is None:
            status = _read_for(engine, door)
            if status.state is SchemaState.OLDER and status.offences is not None:
                _refuse(status, door, what)
                return engine, (
                    f"{_where(engine)} is edited as it is, at revision {status.revision}: "
                    "stored values broke a rule when it was opened; any other command lists "
                    "those left"
                )
        if door is Door.FIX:
            return engine, ensure_schema(engine)
        status = _read_for(engine, door)
        _refuse(status, door, what)
        if status.state is SchemaState.CURRENT:
            return engine, None
        # READ, on an older SQLite catalogue where it can be written. The reader lets go of
        # the file first: the writer, alone on it as it closes, can leave WAL mode.
        engine.dispose()
        writer = open_place(url, what=what, write=True)
        try:
            return engine, ensure_schema(writer)
        finally:
            writer.dispose()
    except BaseException:
        engine.dispose()
        raise


def ensure_schema(engine: Engine) -> str | None:
    """Make the database usable by this version, or refuse; return a notice for stderr, if any.

    A new database is created at head. An older SQLite database is backed up
    next to its file and upgraded. An older PostgreSQL database is refused
    (``DatabaseState``): upgrading a shared database is a deliberate act,
    ``screenings db upgrade``. A database at an unknown revision, of another
    application, or whose revision is not recorded, is refused. Every refusal is
    ``refusal``'s, for a writing command.
    """
    if missing_file(engine.url) is None:
        status = _read_for(engine, Door.WRITE)
        if status.state is SchemaState.CURRENT:
            return None
        _refuse(status, Door.WRITE)
    done = upgrade_schema(engine)
    if not done.changed:  # another process got there first
        return None
    where = _where(engine)
    if done.backup is None:
        return f"created a new database at {where} (revision {HEAD_REVISION})"
    return (
        f"upgraded {where} from revision {done.before or 'none'} to {HEAD_REVISION} "
        f"(backup: {done.backup})"
    )


def _where(engine: Engine) -> str:
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database
    return masked_url(engine.url)


def upgrade_schema(engine: Engine, revision: str = "head") -> Migration:
    """Create the schema or migrate it up to ``revision`` (default: head), in one transaction.

    A SQLite file (and its folder) is created if missing. Nothing happens,
    and nothing is backed up, when the database is already there.
    """
    return _migrate(engine, "upgrade", revision)


def downgrade_schema(engine: Engine, revision: str) -> Migration:
    """Migrate down to ``revision`` (``base`` drops every table), in one transaction."""
    return _migrate(engine, "downgrade", revision)


def _migrate(engine: Engine, direction: str, revision: str) -> Migration:  # noqa: C901 -- backup, upgrade and check, each with its own failure
    order = (None, *KNOWN_REVISIONS)
    if revision not in {"head", "base", *KNOWN_REVISIONS}:
        raise InvalidInput(
            f"revision: unknown revision {revision!r}; expected head, base or one of "
            + ", ".join(KNOWN_REVISIONS)
        )
    target = {"head": HEAD_REVISION, "base": None}.get(revision, revision)
    missing = missing_file(engine.url)
    if missing is not None:
        if direction == "downgrade":
            raise InvalidInput(f"database: no database at {engine.url.database}")
        _make_folder(missing.parent)

    from alembic import command

    url = masked_url(engine.url)
    backup = None
    try:
        with migration_connection(engine) as connection:
            before, state = _read_state(connection)  # again, now that the lock is held
            _refuse(Status(url, before, state), Door.MIGRATE)
            if before == target:
                return Migration(before, before, None)
            if (order.index(target) > order.index(before)) != (direction == "upgrade"):
                other = "upgrade" if direction == "downgrade" else "downgrade"
                raise InvalidInput(
                    f"revision: {url} is at {before or 'base'}; to reach {target or 'base'} "
                    f"use 'screenings db {other}'"
                )
            if direction == "upgrade":  # before the backup: a refused upgrade leaves none
                offences = _offences_before(connection, before, state, target)
                if offences is not None:
                    raise DatabaseState(_offences_message(Status(url, before, state), offences))
            if engine.dialect.name == "sqlite" and state is not SchemaState.NEW:
                backup = backup_sqlite(engine, before)
            config = alembic_config(connection)
            config.attributes[ROWS_CHECKED] = True  # under this lock, in this transaction
            getattr(command, direction)(config, target or "base")
    except BaseException:
        if backup is not None:
            _drop_needless_backup(engine, backup, before)
        raise
    return Migration(before, target, backup)


def _drop_needless_backup(engine: Engine, backup: Path, before: str | None) -> None:
    # The migration failed and its transaction was rolled back: the file is what the
    # backup holds. Kept unless the revision reads as before, so a command retried
    # after each failure does not leave a full copy behind every time.
    try:
        with engine.connect() as connection:
            unchanged = _read_state(connection)[0] == before
            connection.rollback()
    except Exception:
        return
    if unchanged:
        backup.unlink(missing_ok=True)


def _make_folder(folder: Path) -> None:
    refusal = _folder_refusal(folder)
    if refusal is not None:
        raise refusal
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"database: cannot create the folder {folder}: {exc.strerror}") from exc


def _folder_refusal(folder: Path) -> InvalidInput | None:
    """Why a database cannot be made in ``folder`` (made with its parents where they are
    not there), as far as it can be told without making anything: it, or the nearest of
    its parents that is there, is a file."""
    if folder.exists() and not folder.is_dir():
        return InvalidInput(f"database: cannot create a database in {folder}: it is a file")
    there = nearest_there(folder)
    if there != folder and not there.is_dir():
        return InvalidInput(f"database: cannot create the folder {folder}: Not a directory")
    return None


def would_create(
    url: str, *, what: str, immutable: bool = False, immutable_by: str | None = None
) -> Path | None:
    """For a command that writes nothing (a dry run): the SQLite file in which a writing
    command would create a catalogue at ``url`` (not there yet, or empty, as ``touch``
    leaves it); None when ``url`` names no such file. ``InvalidInput`` where the writing
    command would be refused and this can be told without writing: a place declared
    immutable or that this user cannot write, a folder that is a file. Not told: what
    only opening the file finds (a place like ``/proc`` that takes no file)."""
    path = sqlite_file(url)
    if path is None or (path.exists() and (not path.is_file() or path.stat().st_size > 0)):
        return None
    open_place(url, what=what, write=True, immutable=immutable, immutable_by=immutable_by).dispose()
    refusal = _folder_refusal(path.parent)
    if refusal is not None:
        raise refusal
    return path


def backup_sqlite(engine: Engine, revision: str | None) -> Path:
    """Copy a SQLite database with SQLite's online backup, next to its file; return the copy.

    The name carries the revision and the time to the microsecond, and an
    existing file is never overwritten.
    """
    database = engine.url.database
    if not database or database == ":memory:":
        raise DatabaseState("an in-memory database cannot be backed up")
    source_path = Path(database)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = f"{source_path.name}.{revision or 'base'}-{stamp}"
    target = source_path.with_name(f"{stem}.bak")
    n = 1
    while target.exists():
        target = source_path.with_name(f"{stem}-{n}.bak")
        n += 1
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
    """A connection of its own, in one locked transaction, committed if all went well.

    SQLite: foreign keys off while it runs (set before the transaction, where
    the PRAGMA takes effect), ``BEGIN IMMEDIATE`` so a second migrator waits,
    and ``PRAGMA foreign_key_check`` empty before the commit. PostgreSQL: an
    advisory lock held until the commit, so a second migrator waits.
    """
    sqlite = engine.dialect.name == "sqlite"
    writer = engine.execution_options(screenings_write=True)
    with database_errors(engine), writer.connect() as connection:
        if sqlite:
            # PRAGMA foreign_keys is ignored inside a transaction: set it before one begins.
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


def history() -> list[tuple[str, str | None, str]]:
    """Every revision, oldest first: (revision, down revision, message)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    rows = []
    for script in scripts.walk_revisions():
        down = script.down_revision
        rows.append((script.revision, down if isinstance(down, str) else None, script.doc))
    return list(reversed(rows))


# --- Stored values judged by the rules of a value -----------------------------------------

# The tables whose text the rules judge, parents first (a venue's fix comes before its
# screenings'), and the columns a rule other than text hygiene judges.
_JUDGED = (
    "person",
    "film",
    "credit",
    "film_link",
    "festival",
    "edition",
    "selection",
    "venue",
    "screening",
    "award",
    "nomination",
    "feed_token",
    "retired_slug",
)
_ZONES = {("festival", "timezone"), ("venue", "timezone"), ("screening", "timezone")}
_URLS = {
    ("film", "website"),
    ("film_link", "url"),
    ("festival", "website"),
    ("screening", "ticket_url"),
}
# (table, column) -> the edit command's kind and option, and what its value stands for.
_EDITS = {
    ("person", "name"): ("person", "--name", "NAME"),
    ("person", "name_key"): ("person", "--name", "NAME"),
    ("film", "title"): ("film", "--title", "TITLE"),
    ("film", "title_key"): ("film", "--title", "TITLE"),
    ("film", "original_title"): ("film", "--original-title", "TITLE"),
    ("film", "website"): ("film", "--website", "URL"),
    ("film", "imdb_id"): ("film", "--imdb", "IMDB_ID"),
    ("festival", "name"): ("festival", "--name", "NAME"),
    ("festival", "name_key"): ("festival", "--name", "NAME"),
    ("festival", "city"): ("festival", "--city", "CITY"),
    ("festival", "country"): ("festival", "--country", "COUNTRY"),
    ("festival", "website"): ("festival", "--website", "URL"),
    ("festival", "timezone"): ("festival", "--timezone", "ZONE"),
    ("edition", "label"): ("edition", "--label", "LABEL"),
    ("venue", "name"): ("venue", "--name", "NAME"),
    ("venue", "name_key"): ("venue", "--name", "NAME"),
    ("venue", "address"): ("venue", "--address", "ADDRESS"),
    ("venue", "city"): ("venue", "--city", "CITY"),
    ("venue", "country"): ("venue", "--country", "COUNTRY"),
    ("venue", "timezone"): ("venue", "--timezone", "ZONE"),
    ("screening", "city"): ("screening", "--city", "CITY"),
    ("screening", "timezone"): ("screening", "--timezone", "ZONE"),
    ("screening", "kind"): ("screening", "--kind", "KIND"),
    ("screening", "audience"): ("screening", "--audience", "AUDIENCE"),
    ("screening", "ticket_url"): ("screening", "--ticket-url", "URL"),
    ("screening", "notes"): ("screening", "--note", "NOTE"),
    ("award", "name"): ("award", "--name", "NAME"),
    ("award", "name_key"): ("award", "--name", "NAME"),
    ("award", "presenter"): ("award", "--presenter", "PRESENTER"),
    ("nomination", "category"): ("nomination", "--category", "CATEGORY"),
}
# How many values each column's memory of values kept holds (find_offences).
_KEPT_REMEMBERED = 20_000
# Columns whose record is named through another's: table -> the columns fetched with it.
_CONTEXT = {
    "selection": ("film_id", "edition_id"),
    "film_link": ("film_id", "kind"),
    "screening": ("venue_id",),
}


def find_offences(connection: Connection) -> Offences | None:
    """Every stored text that a rule of ``screenings.rules`` refuses, judged as every door
    judges a value (the first ``OFFENCES_SHOWN`` of them, and how many in all); None when
    none does. Refused: a text longer than its column keeps, a control character where
    text hygiene refuses one (a NUL anywhere), a web address the URL rule refuses, a zone
    the zone rule refuses (a zone it maps to another name is no offence: the upgrade
    rewrites it). Reads every row once; changes nothing."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    first: list[Offence] = []
    total = 0
    bad_venue_zones: dict[int, str] = {}
    for table in _JUDGED:
        if table not in present:
            continue
        have = {column["name"] for column in inspector.get_columns(table)}
        judged = [
            column
            for column in (*rules.LENGTHS.get(table, {}), *_multiline(table))
            if column in have
        ]
        extra = [column for column in _CONTEXT.get(table, ()) if column in have]
        listed = ", ".join(f'"{column}"' for column in (*judged, *extra))
        present_values = " OR ".join(f'"{column}" IS NOT NULL' for column in judged)
        rows = connection.execute(
            text(f'SELECT id, {listed} FROM "{table}" WHERE {present_values} ORDER BY id'),
            execution_options={"stream_results": True},  # (for this statement only)
        )
        # A value a rule keeps in one row it keeps in every row of its column: many
        # repeat (a zone, a city, a kind). The memory of them is bounded.
        kept: dict[str, set[object]] = {column: set() for column in judged}
        for row in rows:
            ident = row[0]
            context = dict(zip(extra, row[1 + len(judged) :], strict=True))
            for column, value in zip(judged, row[1 : 1 + len(judged)], strict=True):
                if value is None or value in kept[column]:
                    continue
                problem = _problem(table, column, value, ident)
                if problem is None:
                    if len(kept[column]) >= _KEPT_REMEMBERED:
                        kept[column].clear()
                    kept[column].add(value)
                    continue
                total += 1
                if table == "venue" and column == "timezone":
                    bad_venue_zones[ident] = value
                if len(first) < OFFENCES_SHOWN:
                    fix = _fix(table, column, value, ident, context, bad_venue_zones)
                    first.append(Offence(table, ident, column, problem, fix))
    return Offences(tuple(first), total) if total else None


def refuse_offences(connection: Connection) -> None:
    """Raise ``DatabaseState`` listing the stored values that break a rule, if any: for a
    migration run without ``screenings.migrate`` (the ``alembic`` command)."""
    offences = find_offences(connection)
    if offences is not None:
        revision, state = _read_state(connection)
        status = Status(masked_url(connection.engine.url), revision, state)
        raise DatabaseState(_offences_message(status, offences))


def _multiline(table: str) -> list[str]:
    return [column for judged, column in sorted(rules.MULTILINE) if judged == table]


def _problem(table: str, column: str, value: object, ident: int) -> str | None:
    """What a rule says of ``value``, stored in ``table.column`` of row ``ident``, in the
    rule's own words; None when every rule keeps it."""
    what = f"{table} #{ident} {column}"
    if not isinstance(value, str):
        return f"{what}: not text"
    limit = rules.LENGTHS.get(table, {}).get(column)
    try:
        if limit is not None:
            rules.check_length(value, what=what, limit=limit)  # the stored value, as it is
        if (table, column) in _ZONES:
            rules.canonical_zone(value, what=what)
        elif (table, column) in _URLS:
            rules.check_url(value, what=what, limit=limit or 1000)
        else:
            rules.clean_text(value, what=what, multiline=(table, column) in rules.MULTILINE)
    except InvalidInput as refused:
        return refused.message
    return None


def _fix(  # noqa: PLR0913 -- one offending value, with what names it for its fix
    table: str,
    column: str,
    value: str,
    ident: int,
    context: dict[str, object],
    bad_venue_zones: dict[int, str],
) -> str | None:
    """The command line that fixes ``table.column`` of row ``ident``; None if none does."""
    if table == "screening" and column == "timezone":
        venue = context.get("venue_id")
        if isinstance(venue, int) and bad_venue_zones.get(venue) == value:
            # Its zone is its venue's: fixing the venue's moves its screenings with it.
            return _fix("venue", "timezone", value, venue, {}, bad_venue_zones)
    if table == "selection" and column in {"section", "premiere"}:
        film, edition = context.get("film_id"), context.get("edition_id")
        option = f"--{column}"
        return _command("selection", f"#{film}", "--edition", f"#{edition}", option, column.upper())
    if table == "film_link" and column == "url" and isinstance(context.get("kind"), str):
        kind = str(context["kind"])
        if _problem(table, "kind", kind, ident) is None:
            return _command("film", f"#{context.get('film_id')}", "--link", f"{kind}=URL")
    edit = _EDITS.get((table, column))
    if edit is None:
        return None
    kind, option, placeholder = edit
    if (table, column) in _ZONES:
        placeholder = _zone_meant(value) or placeholder
    elif (table, column) in _URLS and not value.strip():
        placeholder = ""  # an empty address: '' clears it
    return _command(kind, f"#{ident}", option, placeholder)


def _command(*args: str) -> str:
    return shlex.join(["screenings", "edit", *args])


def _zone_meant(value: str) -> str | None:
    """The zone a refused zone name most likely meant (``right/Europe/London`` ->
    ``Europe/London``), when there is one."""
    name = value.strip()
    for prefix in ("posix/", "right/"):
        if name.lower().startswith(prefix):
            try:
                return rules.canonical_zone(name[len(prefix) :], what="zone")
            except InvalidInput:
                return None
    return None
