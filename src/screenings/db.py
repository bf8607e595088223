"""Engines, sessions and the unit of work; the only module that knows the backend's quirks.

SQLite: foreign keys on, WAL while a writer has the file open, a busy timeout, and
transactions begun by us (``BEGIN``, or ``BEGIN IMMEDIATE`` for a writing unit of work,
so two writers queue on the busy timeout instead of deadlocking), which also makes
savepoints behave. A reading engine opens the file read-only. PostgreSQL:
``postgresql+psycopg://`` only.

**Read-only places.** SQLite reads a file in WAL mode only where it can create the
``-shm`` and ``-wal`` files beside it, or finds them there, or is told the file is
immutable (https://www.sqlite.org/wal.html, "Read-Only Databases"); a file in
rollback-journal mode it reads anywhere. So a writer puts the file back in
rollback-journal mode when its last connection closes, if no one else has it open:
a catalogue at rest can be read from a read-only mount, or by a user who cannot write
its folder, with no flag that could be wrong.

**Who waits.** In WAL mode (while anyone, a writer or a reader such as the feed
server's pool, has the file open) readers and writers never wait for each other;
writers queue. On a file at rest, a writer switches it to WAL first, which waits for
the read transactions under way to end (``_use_wal``, in turns that let new readers
in). Measured in ``benchmarks/sqlite_waits.py``; the reasons in docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import re
import sqlite3
import stat
import time
import weakref
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    URL,
    Connection,
    Engine,
    Select,
    Table,
    create_engine,
    event,
    func,
    insert,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    SQLAlchemyError,
)

from screenings import rules
from screenings.config import nearest_there
from screenings.errors import Conflict, DatabaseUnavailable, InvalidInput
from screenings.tables import (
    NOMINATION_RESULTS,
    SCREENING_STATUSES,
    SELECTION_STATUSES,
    SOURCE_KINDS,
    VISIBILITIES,
    metadata,
    revision,
    utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import ORMExecuteState, Session

BUSY_TIMEOUT_SECONDS = 30
# How long a writer holds readers off at a time while it waits to switch a file at rest to
# WAL mode (``_use_wal``); as long again it lets them in.
WAL_TURN_MS = 50
_NEVER_FREE = "database is locked by readers that never let go"
_WRITE = "screenings_write"
# The execution options of a connection that writes outside a unit of work (db copy): on
# SQLite its transaction begins BEGIN IMMEDIATE, as a unit of work's that writes does.
WRITING = {_WRITE: True}
# Marks an engine made with ``immutable``: its file must not be changed from here.
_IMMUTABLE = "screenings_immutable"


def masked_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, fit to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Unreadable as a URL: still never print what looks like a password.
        return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", str(url))


def create_db_engine(  # noqa: C901 -- one branch per backend and per option of its URL
    url: str,
    *,
    what: str = "database URL",
    read_only: bool = False,
    immutable: bool = False,
    pool_size: int = 5,
) -> Engine:
    """An engine for ``url`` with the project's connection settings applied.

    ``what`` names where the URL came from (``--db``, an environment
    variable) in the errors: ``InvalidInput`` for a URL that cannot be used,
    ``DatabaseUnavailable`` when the PostgreSQL driver is not installed.
    Nothing is created or connected to yet. With ``read_only`` (the commands that
    only read, the feed server) the database refuses every write on its connections,
    a SQLite file is opened read-only (``mode=ro``: it is never created, and works
    where it cannot be written) and is never switched to WAL. ``immutable`` (a SQLite
    file, read-only) tells SQLite that nothing changes the file while it is open: no
    locks, no ``-shm``; only the user can know it. ``pool_size`` connections are kept
    (as many again may be opened at a peak): a threaded server needs one per thread
    and a few more.
    """
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 -- a bad port only shows when read
    except (ArgumentError, ValueError) as exc:
        raise InvalidInput(f"{what}: cannot read {masked_url(url)!r} as a database URL") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database
        in_memory = database in (None, "", ":memory:")
        kind = None if in_memory else _not_a_file(Path(str(database)))
        if kind is not None:
            raise InvalidInput(f"{what}: {database} is {kind}; expected a SQLite file")
        by_uri = (read_only or immutable) and not in_memory
        engine = _sqlite_engine(
            url,
            in_memory=in_memory,
            read_only=read_only or immutable,
            # Only the connection is opened by URI: the URL keeps naming the file.
            uri=_read_only_uri(str(database), immutable) if by_uri else None,
            pool_size=pool_size,
        )
        if immutable:
            engine.update_execution_options(**{_IMMUTABLE: True})
        return engine
    if immutable:
        raise InvalidInput(f"{what}: immutable is only for a SQLite file")
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise InvalidInput(f"{what}: use postgresql+psycopg://, not {parsed.drivername}://")
        if not parsed.database:
            raise InvalidInput(
                f"{what}: {masked_url(parsed)} names no database; "
                "expected postgresql+psycopg://USER@HOST/DATABASE"
            )
        # Never hang on a server that accepts and does not answer.
        connect_args: dict[str, Any] = (
            {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        )
        if read_only:
            connect_args["options"] = "-c default_transaction_read_only=on"
        try:
            return create_engine(
                url,
                pool_pre_ping=True,
                connect_args=connect_args,
                pool_size=pool_size,
                max_overflow=pool_size,
            )
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise DatabaseUnavailable(
                "PostgreSQL support is not installed: pip install 'screenings[postgres]'"
            ) from exc
    raise InvalidInput(
        f"{what}: unsupported database {backend!r}; "
        "expected a SQLite file, sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"
    )


def _not_a_file(path: Path) -> str | None:
    """What is at ``path`` (a symbolic link followed) when it is there and is not a regular
    file: SQLite would block on a FIFO until a writer came, read a device as an empty
    database, and fail on it with "disk I/O error"."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None  # nothing there (yet), or out of reach: said when it is opened
    if stat.S_ISREG(mode):
        return None
    kinds = {
        stat.S_IFDIR: "a folder",
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
    }
    return kinds.get(stat.S_IFMT(mode), "not a regular file")


def _read_only_uri(database: str, immutable: bool) -> str:
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    return f"file:{quote(os.path.abspath(database))}?{flags}"


def _sqlite_engine(
    url: str,
    *,
    in_memory: bool,
    read_only: bool = False,
    uri: str | None = None,
    pool_size: int = 5,
) -> Engine:
    pooling = {} if in_memory else {"pool_size": pool_size, "max_overflow": pool_size}
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, **pooling)

    if uri is not None:

        @event.listens_for(engine, "do_connect")
        def _open_read_only(
            _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
        ) -> None:
            cargs[:] = [uri]
            cparams["uri"] = True

    if not read_only and not in_memory:

        @event.listens_for(engine, "close")
        def _at_rest(dbapi_connection: Any, _record: Any) -> None:
            _leave_wal(dbapi_connection)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below start transactions instead of
        # the driver, which otherwise defers BEGIN and breaks SAVEPOINT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
        elif not in_memory:
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    # A file at rest is in rollback-journal mode (see the module's docstring), and a
    # writer switches it to WAL before it writes, so that readers and writers stop
    # waiting for each other. The switch needs the file to itself for a moment: every
    # read transaction open on it must end first. SQLite's own wait would hold the
    # PENDING lock throughout, which keeps every new reader out for as long as the oldest
    # one reads (a long export stalled the feed server's requests for its whole length).
    # So the writer asks in short turns and lets readers in between them; when the file
    # was never free for the busy timeout, it gives up (describe_database_error).
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    cursor.execute(f"PRAGMA busy_timeout = {WAL_TURN_MS}")
    try:
        while True:
            try:
                cursor.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError(_NEVER_FREE)
            time.sleep(WAL_TURN_MS / 1000)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")


def _leave_wal(dbapi_connection: Any) -> None:
    # The last connection to close puts the file back in rollback-journal mode, which
    # SQLite reads where nothing can be written (see the module's docstring). Leaving
    # WAL needs the file to itself: with anyone else connected (a reader included, the
    # feed server's pool for as long as it runs), it is "locked", and the file stays in
    # WAL until a writer closes alone. Never waited for: the connection is closing.
    with suppress(sqlite3.Error):
        dbapi_connection.execute("PRAGMA busy_timeout = 0")
        dbapi_connection.execute("PRAGMA journal_mode = DELETE")


def sqlite_file(url: str | URL) -> Path | None:
    """The absolute path of the SQLite file ``url`` names; None for any other database, and
    for a URL that cannot be read (``create_db_engine`` says why)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(os.path.abspath(str(parsed.database)))


def missing_file(url: str | URL) -> Path | None:
    """The SQLite file ``url`` names when nothing is there yet (a command that writes would
    create it); None when it is there, or the database is not a file."""
    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def open_catalogue(  # noqa: PLR0913 -- a door opens a catalogue with its own options, all keyword-only
    url: str,
    *,
    what: str = "database URL",
    write: bool = False,
    immutable: bool = False,
    immutable_by: str | None = None,
    pool_size: int = 5,
) -> Engine:
    """An engine for the catalogue at ``url``, for a command that writes (``write``) or for
    one that only reads, or the reason why not, known before anything is written: its
    schema's revision is not looked at (``screenings.migrate.open_catalogue`` does).

    Refused in one line naming ``what`` (where the URL came from), besides what
    ``create_db_engine`` refuses:

    - to write: a catalogue declared immutable (``InvalidInput`` naming ``immutable_by``,
      the option or the URL that said so), a SQLite file or folder this user cannot write
      (``InvalidInput``, saying why);
    - to read: a SQLite file that is not there (``InvalidInput``, with the hint that
      ``import`` or ``add`` creates one: a reader never creates a catalogue), and one
      SQLite could not read read-only (``DatabaseUnavailable``, saying what would do).

    A reading engine never writes (``create_db_engine``'s ``read_only``), and is opened
    ``immutable`` when the user said so.
    """
    if write and immutable:
        raise InvalidInput(
            f"{immutable_by or what}: the catalogue is declared immutable (nothing writes "
            "to it), and this command writes; leave immutable out to write"
        )
    engine = create_db_engine(
        url, what=what, read_only=not write, immutable=immutable, pool_size=pool_size
    )
    path = sqlite_file(engine.url)
    if path is None:
        return engine
    if write:
        problem = sqlite_write_problem(path)
        if problem is not None:
            raise InvalidInput(f"{what}: cannot write {path}: {problem}")
        return engine
    if not path.exists():
        raise InvalidInput(
            f"{what}: no catalogue at {path}; 'screenings import' or 'screenings add' creates one"
        )
    problem = sqlite_read_problem(path, immutable=immutable)
    if problem is not None:
        raise DatabaseUnavailable(f"{what}: {problem}")
    return engine


def schema_blocked(engine: Engine) -> str | None:
    """Why the schema of the database behind ``engine`` cannot be changed from here, in
    words that follow its name ("is declared immutable", "cannot be upgraded here (WHY)");
    None when nothing known beforehand stands in the way (always, on PostgreSQL: whether
    it may be upgraded is for ``screenings.migrate`` to say)."""
    path = sqlite_file(engine.url)
    if path is None:
        return None
    if engine.get_execution_options().get(_IMMUTABLE, False):
        return "is declared immutable"
    problem = sqlite_write_problem(path)
    return None if problem is None else f"cannot be upgraded here ({problem})"


def sqlite_write_problem(path: Path) -> str | None:
    """Why this user cannot write the SQLite file at ``path``, or create it there, in
    words that follow "cannot write PATH: "; None when nothing stands in the way.
    SQLite writes a journal beside the file, so its folder must be writable too."""
    if not path.exists():
        folder = nearest_there(path.parent)  # the folders after it are made with the file
        if not folder.is_dir():
            return None  # said where the folders are made
        if _read_only_mount(folder):
            return f"{folder} is on a read-only file system"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"{folder} cannot be written by this user"
        return None
    if _read_only_mount(path):
        return "it is on a read-only file system"
    if not os.access(path, os.W_OK):
        return "the file is read-only for this user"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return (
            f"its folder {path.parent} cannot be written by this user "
            "(SQLite keeps a journal beside the file)"
        )
    return None


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def sqlite_read_problem(path: Path, *, immutable: bool) -> str | None:
    """Why SQLite cannot read the file at ``path`` read-only, known before trying; None
    when it should. The one case: a file left in WAL mode (by an earlier version, or a
    writer that was killed) whose ``-shm`` file is absent and cannot be made."""
    if immutable:
        return None
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    in_wal = len(header) == 20 and header[:16] == b"SQLite format 3\x00" and header[18] == 2
    shm = path.with_name(path.name + "-shm")
    if in_wal and not shm.exists() and sqlite_write_problem(shm) is not None:
        return (
            f"{path} was left in WAL mode, and SQLite can read it only by making {shm.name} "
            "beside it, which cannot be done here: run any command that writes (such as "
            "'screenings db upgrade') on it once where it can be written, or give "
            "--immutable if nothing writes to it"
        )
    return None


# Set in a unit of work's ``Session.info`` once its transaction has changed a row.
_CHANGED = "screenings_changed"
_ASIDE = "screenings_written_aside"  # see write_aside


@functools.cache
def _session_class() -> type[Session]:
    """The session class of a unit of work, made when the first is: the ORM is imported
    then (0.05 s), not by a command that does without it (a lineup found unchanged)."""
    from sqlalchemy.orm import Session

    class _Work(Session):
        """The session of a unit of work, which notes whether its transaction changed a
        row: a flush that wrote a net change, an INSERT, DELETE or UPDATE through
        ``execute`` that touched a row, any textual statement (it may write), or
        ``mark_changed``."""

    event.listen(_Work, "after_flush", _flushed)
    event.listen(_Work, "do_orm_execute", _executed)
    return _Work


def _flushed(session: Session, _context: Any) -> None:
    # After the flush's statements, new, dirty and deleted still list what it flushed. An
    # attribute set to the value it had makes its object dirty, but the ORM writes only net
    # changes: no UPDATE, no updated_at moved, and so no change (is_modified says which).
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        session.info[_CHANGED] = True


def _executed(state: ORMExecuteState) -> Any:
    if state.is_select or state.session.info.get(_CHANGED, False):
        return None
    if not (state.is_update or state.is_delete):
        # An INSERT that succeeds has inserted its rows (the drivers' counts of an INSERT
        # are not to be trusted: -1, or 0 until RETURNING rows are read); a textual
        # statement may write anything.
        state.session.info[_CHANGED] = True
        return None
    # An UPDATE or DELETE changed something when it matched a row (-1: unknown, so yes).
    # The database counts a row set to the values it had: the services never issue such
    # an UPDATE (they compare first), so that a change that changes nothing writes nothing.
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:
        state.session.info[_CHANGED] = True
    return result


def has_table(session: Session, name: str) -> bool:
    """Whether the catalogue has table ``name``: one at an older revision, which an edit
    may be fixing before its upgrade (``migrate.Door.FIX``), may not. Asked once per
    session and table, and once per engine where it is there, until the engine is
    disposed of (a table that is there stays: only a downgrade drops one, by an engine
    of its own; a file replaced under the server's engine is met by its disposal), so
    the server's requests do not ask again."""
    bind = session.get_bind()
    seen = _tables_seen(bind) if isinstance(bind, Engine) else set()
    if name in seen:
        return True
    known = session.info.setdefault("tables", {})
    if name not in known:
        from sqlalchemy import inspect

        known[name] = inspect(session.connection()).has_table(name)
    if known[name]:
        seen.add(name)
    return bool(known[name])


_TABLES_SEEN: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()


def _tables_seen(engine: Engine) -> set[str]:
    """The tables seen on ``engine``, forgotten when it is disposed of (the feed server
    disposes of its engine when the file it reads is replaced: the new one may be older)."""
    seen = _TABLES_SEEN.get(engine)
    if seen is None:
        seen = _TABLES_SEEN[engine] = set()
        event.listen(engine, "engine_disposed", lambda _engine: seen.clear())
    return seen


_BULK = "screenings.bulk_rows"  # rows written by bulk_insert, by table


def mark_changed(session: Session) -> None:
    """Tell ``session``'s unit of work that its transaction changed the catalogue in a way
    that the session does not see: a COPY, or SQL run on ``session.connection()``
    (``bulk_insert`` does). Statements run through ``session.execute`` and flushes are
    seen."""
    session.info[_CHANGED] = True


def write_aside(session: Session, statement: Any, params: dict[str, Any] | None = None) -> None:
    """Run a statement that keeps what the catalogue can be told from, not the catalogue
    itself (an import's row fingerprints): it is not a change to the catalogue, so the
    revision counter stays and no reader re-reads, but it is committed (an import that
    changed nothing still keeps the fingerprints it made, or no later one could skip)."""
    _written(session, aside=True)
    session.connection().execute(statement, params)


def _written(session: Session, *, aside: bool) -> None:
    """Tell the unit of work that rows were written outside the session: a change to the
    catalogue (``mark_changed``), or rows kept aside (``write_aside``)."""
    if aside:
        session.info[_ASIDE] = True
    else:
        mark_changed(session)


def _changed(session: Session) -> bool:
    session.flush()  # what is still pending would be written by the commit
    return bool(session.info.get(_CHANGED, False))


@contextmanager
def unit_of_work(
    bind: Engine | Connection, *, write: bool = True, dry_run: bool = False
) -> Iterator[Session]:
    """One transaction for one command or request: committed when the block ends normally
    and the transaction changed a row; the revision counter is bumped then, and only then.

    A transaction that changed no row (a command with nothing to do: an edit to the
    values stored, an unchanged re-import, ``db retime`` with nothing moved) is rolled
    back: nothing is written, no reader re-reads (but for what was written aside, which
    is committed without a new revision: ``write_aside``). Changed rows are seen as
    ``_session_class`` says; a bulk path that bypasses the session says so with ``mark_changed``.

    On any exception nothing is written. A database rule broken inside the
    block comes out as ``Conflict`` (with a message naming the record and the
    rule), a busy or unreachable database as ``DatabaseUnavailable``. With
    ``write=False`` the transaction is rolled back at the end; with ``dry_run`` too,
    after writing as a real run would (``--dry-run``). A reading unit of work
    (``write=False``) on PostgreSQL sees one snapshot (REPEATABLE READ).

    ``bind`` may be a ``Connection`` already in a transaction (tests): the
    unit of work then runs in a savepoint inside it.
    """
    session: Session
    if isinstance(bind, Connection):
        session = _session_class()(bind=bind, join_transaction_mode="create_savepoint")
    else:
        engine: Engine
        if write:
            engine = bind.execution_options(**{_WRITE: True})
        elif bind.dialect.name == "postgresql":
            # A reader sees one snapshot, whatever commits meanwhile: an export's
            # several SELECTs agree (SQLite's transaction is one snapshot already).
            engine = bind.execution_options(isolation_level="REPEATABLE READ")
        else:
            engine = bind
        session = _session_class()(bind=engine)
    with session, database_errors(bind):
        try:
            yield session
            if write and not dry_run and _changed(session):
                bump_revision(session)
                session.commit()
            elif write and not dry_run and session.info.get(_ASIDE, False):
                session.commit()  # what is kept aside only: the revision stays
            else:
                session.rollback()
                session.info.pop(_BULK, None)
        except BaseException:
            session.rollback()
            raise
        if isinstance(bind, Engine):
            _analyze(bind, session.info.pop(_BULK, {}))


ANALYZE_AFTER = 10_000  # rows written in bulk to a table before its statistics are taken


def _analyze(engine: Engine, written: dict[str, int]) -> None:
    """Take the statistics of the tables a unit of work wrote many rows to, on
    PostgreSQL (whose planner otherwise plans the next query of them for the empty
    tables they were, until autovacuum gets to them: the next import's fingerprint query
    took 2.7 times as long)."""
    tables = sorted(name for name, count in written.items() if count >= ANALYZE_AFTER)
    if not tables or engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE " + ", ".join(f'"{name}"' for name in tables))
            connection.commit()
    except SQLAlchemyError:
        pass  # what was written is committed; the statistics are autovacuum's to take then


def bump_revision(session: Session) -> None:
    """Add one to the catalogue's revision counter, in the transaction about to commit:
    whoever caches what they read (the feed server) knows, by one cheap query, that
    something may have changed. Bumped by every unit of work that changed a row, and by
    no other (``unit_of_work``): a command with nothing to do leaves every cache warm.

    ``updated_at`` is the database's clock on PostgreSQL (``clock_timestamp()``, taken
    once the row is locked, so after the previous writer committed; writers' own
    clocks may be wrong), this machine's on SQLite (one machine), and never goes
    back: at least a millisecond after the previous value.
    """
    if session.get_bind().dialect.name == "postgresql":
        later = func.greatest(
            func.clock_timestamp(), revision.c.updated_at + text("interval '1 millisecond'")
        )
        session.execute(
            update(revision)
            .where(revision.c.id == 1)
            .values(counter=revision.c.counter + 1, updated_at=later)
        )
        return
    previous = session.execute(select(revision.c.updated_at).where(revision.c.id == 1)).scalar_one()
    now = max(utcnow(), previous + dt.timedelta(milliseconds=1))
    session.execute(
        update(revision)
        .where(revision.c.id == 1)
        .values(counter=revision.c.counter + 1, updated_at=now)
    )


# The revision row as the driver gives it, unprocessed: its text is the catalogue's
# version (a restored backup or a new file at the same path is another version).
REVISION_SQL = "SELECT counter, created_at, updated_at FROM revision WHERE id = 1"


def revision_version(row: Any) -> tuple[str, str, str]:
    """The version of a row of ``REVISION_SQL``."""
    return str(row[0]), str(row[1]), str(row[2])


@contextmanager
def database_errors(bind: Engine | Connection) -> Iterator[None]:
    """Turn the database's own errors into ``Conflict`` and ``DatabaseUnavailable``."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(describe_integrity_error(exc)) from exc
    except DataError as exc:
        rule = broken_length_rule(exc)
        if rule is not None:
            raise Conflict(RULES[rule]) from exc
        raise InvalidInput(describe_data_error(exc)) from exc
    except DBAPIError as exc:  # cannot connect, busy, not a database, bad connection option
        where = masked_url(bind.engine.url)
        raise DatabaseUnavailable(f"{where}: {describe_database_error(exc)}") from exc


BULK_WRITER_LOCK = 0x5C2EE  # the PostgreSQL advisory lock that queues bulk writers (imports)


def queue_bulk_writer(session: Session) -> None:
    """Make the session's transaction the only bulk writer until it ends, with room for it.

    On PostgreSQL, a transaction-scoped advisory lock: a second import waits here rather
    than racing the first to create the same films. On SQLite, writing transactions
    already queue (``BEGIN IMMEDIATE``); the page cache grows to 16 MB so that large
    index updates stay in memory (for this connection, which the pool keeps).
    """
    if session.get_bind().dialect.name == "postgresql":
        lock_bulk_writers(session.connection())
    else:
        # On the connection, not through the session, which takes textual SQL for a write.
        session.connection().exec_driver_sql("PRAGMA cache_size = -16384")


def lock_bulk_writers(connection: Connection) -> None:
    """PostgreSQL: wait to be the only bulk writer (an import, a copy) until this
    transaction ends. SQLite's writers queue already (``BEGIN IMMEDIATE``)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(BULK_WRITER_LOCK)))


def id_marks(connection: Connection, tables: tuple[Table, ...]) -> dict[str, int]:
    """Each table's id high-water mark, by name: the last id ever handed out there
    (``sqlite_sequence``, or the table's PostgreSQL sequence); none where none was."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name, seq FROM sqlite_sequence")).all()
        return {name: int(seq) for name, seq in rows}
    marks = {}
    for table in tables:
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar()
        if sequence is None:
            continue
        last, called = connection.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")
        ).one()
        marks[table.name] = int(last) if called else int(last) - 1
    return marks


def set_id_mark(connection: Connection, table: Table, mark: int) -> None:
    """Set ``table``'s id counter so that the next id handed out is ``mark + 1``."""
    if connection.dialect.name == "sqlite":
        if not table.dialect_options["sqlite"].get("autoincrement"):
            return  # ids may be reused (the revision counter's one row)
        connection.execute(
            text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table.name}
        )
        if mark:
            connection.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :mark)"),
                {"table": table.name, "mark": mark},
            )
        return
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar()
    if sequence is not None:
        connection.execute(
            text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": max(mark, 1), "called": mark > 0},
        )


def bulk_insert(
    session: Session, table: Table, rows: list[dict[str, Any]], *, aside: bool = False
) -> None:
    """Insert many rows with the same keys, the fastest way each backend offers: on
    PostgreSQL, ``COPY ... FROM STDIN``; on SQLite, one ``executemany`` of the statement
    compiled once. Each value goes through its column type's own bind processor, so what
    is stored is exactly what SQLAlchemy would write, without its per-row parameter
    machinery (which costs more than the insert itself). The unit of work is told
    (``mark_changed``): neither path goes through the session; unless ``aside``, for
    rows written aside (``write_aside``). No rows: nothing done."""
    if not rows:
        return
    _written(session, aside=aside)
    insert_rows(session.connection(), table, rows)
    written = session.info.setdefault(_BULK, {})
    written[table.name] = written.get(table.name, 0) + len(rows)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``bulk_insert``'s rows, their columns' defaults filled in, on a connection."""
    keys = list(rows[0])
    for column in table.c:  # the columns' own Python defaults, as an ORM insert would use
        if column.key not in keys and column.default is not None and not column.primary_key:
            default: Any = column.default
            value = default.arg(None) if default.is_callable else default.arg
            for row in rows:
                row[column.key] = value
            keys.append(column.key)
    insert_columns(connection, table, {key: [row[key] for row in rows] for key in keys})


def driver_batches(
    connection: Connection, query: Select[Any], size: int, *, whole: bool = False
) -> Generator[Sequence[Any], None, None]:
    """The rows of ``query`` as the driver gives them, ``size`` at a time: for a query of
    many rows read by columns (``services.skipping``), where SQLAlchemy's result rows
    would cost more than the query. Every column's type and every bound value's must
    convert nothing (else ``TypeError``), and no value may expand (an ``in_`` list).
    The driver's errors are raised as SQLAlchemy's (``DBAPIError``), as
    ``database_errors`` expects.

    On PostgreSQL the rows come as the server sends them, ``size`` at a time (libpq 17's
    chunked rows, through psycopg's ``Cursor.stream``), so that a million are never held
    at once: 100,000 fingerprints in 0.17-0.18 s, where a server-side cursor took
    0.27-0.30 s. While they come, the connection is the stream's (psycopg holds its lock
    between two rows): anything else asked of it waits, forever, until the batches are
    all read or the iterator is closed, so a caller that may stop early closes it
    (``contextlib.closing``) before it uses the connection again. With an older libpq,
    which has no chunks, the rows come from a server-side cursor.

    ``whole``: the query reads its tables whole; on PostgreSQL their joins are then made
    by hashing each table once, never by looking rows up one by one. Its planner counts
    on conditions between two joined tables to keep few rows, and they keep most (every
    fingerprint that holds): it looked up 100,000 films one at a time, 0.27 s, where
    hashing took 0.17 s. The setting is the query's alone: the transaction's own comes
    back after it, read whole or not (as ``DEFAULT``: these are never set otherwise)."""
    dialect = connection.dialect
    for column in query.selected_columns:
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise TypeError(f"driver_batches: column {column} is processed")
    compiled = query.compile(dialect=dialect)
    for bind in compiled.binds.values():
        if bind.expanding or bind.type.dialect_impl(dialect).bind_processor(dialect):
            raise TypeError(f"driver_batches: value {bind.key} is processed or expands")
    given = compiled.construct_params()
    params: Any = (
        tuple(given[key] for key in compiled.positiontup or ()) if compiled.positional else given
    )
    raw = connection.connection.dbapi_connection
    assert raw is not None
    error = dialect.loaded_dbapi.Error
    try:
        if dialect.name != "postgresql":
            cursor = raw.cursor()
            try:
                cursor.execute(compiled.string, params)
                while rows := cursor.fetchmany(size):
                    yield rows
            finally:
                cursor.close()
            return
        plan = {"enable_nestloop": "off"} if whole else {}
        yield from _streamed(raw, compiled.string, params, size, plan)
    except error as exc:
        raise DBAPIError.instance(compiled.string, params, exc, error) from exc


_CURSORS = itertools.count(1)  # names of server-side cursors (_streamed, an old libpq)


def _streamed(
    raw: Any, sql: str, params: Any, size: int, plan: dict[str, str]
) -> Iterator[list[Any]]:
    """The rows of ``sql`` on a psycopg connection, ``size`` at a time, as they come,
    planned with ``plan`` (``SET LOCAL``); however the iterator ends, its stream or
    cursor is closed, and the settings are as they were unless the query failed (the
    transaction is aborted then)."""
    import psycopg  # here: only PostgreSQL needs it, and it is an optional dependency

    chunked = psycopg.capabilities.has_stream_chunked()
    if not chunked:  # a server-side cursor: planned for all its rows, not the first tenth
        plan = {**plan, "cursor_tuple_fraction": "1"}
    _set_plan(raw, plan)
    cursor = raw.cursor() if chunked else raw.cursor(f"driver_batches_{next(_CURSORS)}")
    rows = cursor.stream(sql, params, size=size) if chunked else None
    try:
        try:
            if rows is not None:
                yield from iter(lambda: list(itertools.islice(rows, size)), [])
            else:
                cursor.execute(sql, params)
                yield from iter(lambda: cursor.fetchmany(size), [])
        finally:
            if rows is not None:
                rows.close()  # gives the connection back: psycopg ends the query
            cursor.close()
    except GeneratorExit:  # closed early: the connection is free again
        _set_plan(raw, dict.fromkeys(plan, "DEFAULT"))
        raise
    _set_plan(raw, dict.fromkeys(plan, "DEFAULT"))


def _set_plan(raw: Any, settings: dict[str, str]) -> None:
    """Planner settings for the rest of the transaction (``SET LOCAL``)."""
    if not settings:
        return
    setting = raw.cursor()
    try:
        for name, value in settings.items():
            setting.execute(f"SET LOCAL {name} TO {value}")
    finally:
        setting.close()


def insert_columns(connection: Connection, table: Table, given: dict[str, list[Any]]) -> None:
    """``bulk_insert``'s two paths, on a connection, the values given column by column
    (each list as long as the others): also for a writer that is no unit of work and
    keeps the revision counter as it is (``db copy``)."""
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(given))
    postgres = dialect.name == "postgresql"
    order = list(compiled.positiontup or ()) if compiled.positional else list(given)
    columns: list[list[Any]] = []
    for key in order:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        values = given[key]
        if process is not None and isinstance(table.c[key].type, JSON):
            values = [process(v) for v in values]
        elif process is not None:
            seen: dict[Any, Any] = {}  # the same instant, date or zone over and over
            values = [seen[v] if v in seen else seen.setdefault(v, process(v)) for v in values]
        columns.append(values)
    if postgres:
        names = ", ".join(f'"{key}"' for key in order)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for record in zip(*columns, strict=True):
                    copy.write_row(record)
        finally:
            cursor.close()
        return
    params: list[Any] = list(zip(*columns, strict=True))
    if not compiled.positional:
        params = [dict(zip(order, values, strict=True)) for values in params]
    connection.exec_driver_sql(compiled.string, params)


def broken_length_rule(exc: DataError) -> str | None:
    """The length rule (``ck_<table>_<column>_length``) a value refused as data broke, when
    the statement's parameters tell which: PostgreSQL refuses a NUL in text before any
    CHECK sees it (and a catalogue before revision 0005 refuses a long text by its
    VARCHAR type), naming no column. Said in the words the CHECK's own refusal gets on
    either backend."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    limits = rules.LENGTHS.get(_statement_table(exc), {})
    if "NUL" in message:
        column = _parameter_column(exc, limits, lambda column, value: "\x00" in value)
    elif getattr(exc.orig, "sqlstate", None) == "22001":  # string data, right truncation
        column = _parameter_column(exc, limits, lambda column, value: len(value) > limits[column])
    else:
        return None
    return None if column is None else f"ck_{_statement_table(exc)}_{column}_length"


def _parameter_column(exc: DBAPIError, columns: dict[str, int], test: Any) -> str | None:
    params = exc.params
    sets = [params] if isinstance(params, dict) else params if isinstance(params, list) else []
    for given in sets:
        for key, value in given.items() if isinstance(given, dict) else ():
            # The ORM names a parameter after its column (with a suffix when it repeats).
            column = key if key in columns else re.sub(r"_+\d+$", "", key)
            if isinstance(value, str) and column in columns and test(column, value):
                return column
    return None


def describe_data_error(exc: DataError) -> str:
    """One line naming the table of a value the database refused as data (a number out of
    range, a NUL or a long text whose column the parameters do not tell)."""
    table = _statement_table(exc)
    message = str(exc.orig) if exc.orig is not None else str(exc)
    first = message.strip().splitlines()[0]
    if "NUL" in first:
        return f"{table}: a text holds a NUL character, which the catalogue never keeps"
    return f"{table}: a value the catalogue cannot keep ({first})"


def describe_database_error(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if _NEVER_FREE in text:
        return (
            f"busy: it was being read all along for {BUSY_TIMEOUT_SECONDS} s (a long export?), "
            "and a writer needs it to itself for a moment first, to switch it to WAL mode; "
            "try again when the reading is done"
        )
    if "database is locked" in text:
        return (
            f"busy: another process is writing to it (waited up to {BUSY_TIMEOUT_SECONDS} s); "
            "try again when it is done"
        )
    if "file is not a database" in text:
        return "not a SQLite database"
    if "readonly database" in text:
        return "cannot write: the file, or its folder, is read-only for this user"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc.orig).__name__


# What each named rule means, in the words a user needs. A test keeps this
# table complete: every unique key and check constraint of the model has a line.
RULES: dict[str, str] = {
    "uq_person_name_key": "person: another person has the same name",
    "uq_person_slug": "person: another person has the same slug",
    "ck_person_name_not_blank": "person: the name is empty",
    "uq_film_title_key_year": (
        "film: another film has the same title and year (or the same title, both years unknown)"
    ),
    "uq_film_slug": "film: another film has the same slug",
    "uq_film_imdb_id": "film: another film has the same IMDb id",
    "ck_film_title_not_blank": "film: the title is empty",
    "ck_film_year_range": "film: the year must be between 1870 and 2200",
    "ck_film_runtime_positive": "film: the runtime must be a positive number of minutes",
    "uq_credit_film_person_role": "credit: this person already has this role on this film",
    "ck_credit_role_lower": "credit: the role must be lower-case text, not empty",
    "uq_film_link_film_url": "film link: this film already has a link to this URL",
    "ck_film_link_kind_lower": "film link: the kind must be lower-case text, not empty",
    "ck_film_link_url_not_blank": "film link: the URL is empty",
    "uq_festival_name_key": "festival: another festival has the same name",
    "uq_festival_slug": "festival: another festival has the same slug",
    "ck_festival_name_not_blank": "festival: the name is empty",
    "uq_edition_festival_year_label": (
        "edition: this festival already has an edition in that year with that label (or none)"
    ),
    "uq_edition_slug": "edition: another edition has the same slug",
    "ck_edition_year_range": "edition: the year must be between 1870 and 2200",
    "ck_edition_dates_ordered": "edition: it cannot end before it starts",
    "uq_selection_film_edition": "selection: this film is already in that edition's programme",
    "ck_selection_status": "selection: the status must be one of " + ", ".join(SELECTION_STATUSES),
    "uq_venue_name_key_city": (
        "venue: another venue in the same city (or with no city) has the same name"
    ),
    "uq_venue_slug": "venue: another venue has the same slug",
    "ck_venue_name_not_blank": "venue: the name is empty",
    "ck_venue_latitude_range": "venue: the latitude must be between -90 and 90",
    "ck_venue_longitude_range": "venue: the longitude must be between -180 and 180",
    "uq_screening_uid": "screening: another screening has the same uid",
    "uq_screening_edition_external_id": (
        "screening: another screening of that edition (or with no edition) has the same id"
    ),
    "uq_screening_slot": (
        "screening: this film (or programme) already has a screening at that venue or city "
        "on that date at that time (or with the time unknown)"
    ),
    "ck_screening_film_or_programme": "screening: it shows a film or a programme, exactly one",
    "uq_programme_festival_title_key": (
        "programme: that festival already has a programme with the same title"
    ),
    "uq_programme_slug": "programme: another programme has the same slug",
    "ck_programme_title_not_blank": "programme: the title is empty",
    "uq_programme_film_programme_film": "programme: that film is already in the programme",
    "ck_programme_film_position_positive": "programme: a film's position is 1 or more",
    "ck_nomination_film_not_programme": ("nomination: it names a film or a programme, not both"),
    "ck_screening_status": "screening: the status must be one of " + ", ".join(SCREENING_STATUSES),
    "ck_screening_visibility": "screening: the visibility must be one of "
    + ", ".join(VISIBILITIES),
    "ck_screening_kind_lower": "screening: the kind must be lower-case text, not empty",
    "ck_screening_duration_positive": (
        "screening: the duration must be a positive number of minutes"
    ),
    "ck_screening_sequence_not_negative": "screening: the sequence cannot be negative",
    "ck_revision_one_row": "revision: the counter has one row only",
    "uq_feed_token_name": "feed: there is already a secret feed with this name",
    "uq_feed_token_token_hash": "feed: that token is taken (try again)",
    "ck_feed_token_name_not_blank": "feed: the name is empty",
    "ck_feed_token_token_hash_sha256": "feed: a token hash is 64 hexadecimal digits",
    "ck_revision_counter_not_negative": "revision: the counter cannot be negative",
    "ck_feed_token_ended_with_reason": "feed: an ended feed says why, and only an ended one",
    "uq_retired_slug_kind_slug": "retired slug: that slug is already kept as retired",
    "ck_retired_slug_kind": "retired slug: the kind must be a festival, edition, venue, "
    "film, person or programme",
    "ck_screening_instant_iff_time": (
        "screening: the UTC start must be set exactly when the local time is known"
    ),
    "uq_award_name_key_festival": (
        "award: that festival (or no festival) already has an award with the same name"
    ),
    "ck_award_name_not_blank": "award: the name is empty",
    "uq_nomination_key": (
        "nomination: that award already has this nomination for the same year, category, "
        "film and person"
    ),
    "ck_nomination_result": "nomination: the result must be one of "
    + ", ".join(NOMINATION_RESULTS),
    "ck_nomination_film_or_person": (
        "nomination: it needs a film (or a programme), a person, or both"
    ),
    "ck_nomination_year_range": "nomination: the year must be between 1870 and 2200",
    "uq_import_source_edition_kind": "import source: that edition already has a file of that kind",
    "ck_import_source_kind": "import source: the kind must be one of " + ", ".join(SOURCE_KINDS),
    "uq_screening_base_source_screening": (
        "screening base: that screening already has a base from that source"
    ),
    "uq_alias_kind_name_key_city": "alias: that name is already another name of a record",
    "uq_record_base_source_kind_record": "record base: that record already has a base from "
    "that source",
    "ck_record_base_kind": (
        "record base: the kind must be a film, a selection, a nomination or a programme"
    ),
    "uq_row_fingerprint_digest": "row fingerprint: that digest is kept already",
    "ck_alias_kind": "alias: the kind must be a film, person, venue or festival",
    "ck_alias_name_not_blank": "alias: the name is empty",
    "ck_alias_one_record": "alias: it names exactly one record, of its kind",
    "uq_travel_venue_a_id_venue_b_id": "travel: those two venues already have a travel time",
    "ck_travel_pair_ordered": "travel: a time joins two different venues",
    "ck_travel_minutes_range": "travel: the minutes must be from 0 to 1440 (a day)",
    "uq_plan_name_key": "plan: there is already a plan with this name",
    "ck_plan_name_not_blank": "plan: the name is empty",
    "ck_plan_travel_range": "plan: the travel time must be from 0 to 1440 minutes",
    "ck_plan_buffer_range": "plan: the buffer must be from 0 to 1440 minutes",
    "uq_plan_edition_plan_id_edition_id": "plan: that edition is in the plan already",
    "uq_plan_want_plan_id_film_id_programme_id": "plan: that film is on the wish list already",
    "ck_plan_want_film_or_programme": "plan: a wish names a film or a programme",
    "ck_plan_want_priority_range": "plan: the priority must be from 1 to 5",
    "uq_plan_pin_plan_id_screening_id": "plan: that screening is pinned already",
    "ck_plan_busy_ends_after_start": "plan: a busy period ends after it starts",
    "uq_plan_choice_plan_id_screening_id": "plan: that screening is chosen already",
}
# Every text column's length (tables._length), one rule per column, made from the lengths.
_TABLE_WORDS = {
    "import_source": "import source",
    "screening_base": "screening base",
    "record_base": "record base",
    "row_fingerprint": "row fingerprint",
    "film_link": "film link",
    "feed_token": "feed",
    "retired_slug": "retired slug",
    "plan_busy": "plan",
    "plan_choice": "plan",
    "plan_problem": "plan",
}
_COLUMN_WORDS = {
    "name_key": "name's key",
    "title_key": "title's key",
    "url": "URL",
    "ticket_url": "ticket URL",
    "imdb_id": "IMDb id",
    "external_id": "external id",
    "token_hash": "token hash",
    "ended_because": "reason it ended",
}
RULES.update(
    {
        f"ck_{table}_{column}_length": (
            f"{_TABLE_WORDS.get(table, table)}: the "
            f"{_COLUMN_WORDS.get(column, column.replace('_', ' '))} is longer than "
            f"{limit:,} characters, or holds a NUL"
        )
        for table, columns in rules.LENGTHS.items()
        for column, limit in columns.items()
    }
)

_SQLITE_UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(\w+)'")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (\w+)\.(\w+)")
_STATEMENT_TABLE = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)


def describe_integrity_error(exc: IntegrityError) -> str:
    """One line saying which record broke which rule, from either backend's error."""
    orig = exc.orig
    message = str(orig) if orig is not None else str(exc)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        name = getattr(diag, "constraint_name", None)
        table = getattr(diag, "table_name", None) or _statement_table(exc)
        code = getattr(orig, "sqlstate", None)
        if code == "23502":
            return f"{table}.{diag.column_name}: a value is required"
        if code == "23503":
            return _foreign_key_message(exc, table, name)
        if name and name in RULES:
            return RULES[name]
        return f"{table}: " + message.strip().splitlines()[0]
    if match := _SQLITE_INDEX.search(message):
        return RULES.get(match.group(1), f"duplicate: {match.group(1)}")
    if match := _SQLITE_UNIQUE_COLUMNS.search(message):
        columns = [part.strip() for part in match.group(1).split(",")]
        table = columns[0].split(".")[0]
        name = f"uq_{table}_" + "_".join(c.split(".")[1] for c in columns)
        return RULES.get(name, f"{table}: duplicate {', '.join(columns)}")
    if match := _SQLITE_CHECK.search(message):
        return RULES.get(match.group(1), f"rule broken: {match.group(1)}")
    if match := _SQLITE_NOT_NULL.search(message):
        return f"{match.group(1)}.{match.group(2)}: a value is required"
    if "FOREIGN KEY constraint failed" in message:
        return _foreign_key_message(exc, _statement_table(exc), None)
    return "database rule broken: " + message.strip().splitlines()[0]


def _statement_table(exc: DBAPIError) -> str:
    match = _STATEMENT_TABLE.search(exc.statement or "")
    return match.group(2) if match else "record"


def _foreign_key_message(exc: DBAPIError, table: str | None, name: str | None) -> str:
    statement = (exc.statement or "").lstrip().upper()
    if statement.startswith("DELETE") or "is still referenced" in str(exc.orig):
        return f"{table}: cannot remove it while other records still refer to it"
    if name and name.startswith(f"fk_{table}_"):
        # fk_<table>_<column>_<referred table>: PostgreSQL names the one that failed.
        referred = name.rsplit("_", 1)[-1]
        return f"{table}: the {referred} it refers to does not exist"
    # SQLite does not say which reference failed: name the ones it could be.
    targets = sorted(
        {fk.column.table.name for fk in metadata.tables[table].foreign_keys}
        if table is not None and table in metadata.tables
        else set()
    )
    return f"{table}: the {' or '.join(targets) or 'record'} it refers to does not exist"
