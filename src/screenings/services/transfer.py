"""A whole catalogue from one database into another (``db copy``, ``db backup`` from
PostgreSQL, ``db restore``): every table of the model, row for row, with its ids, in one
transaction on the target, then checked.

**What is copied.** Every table of ``screenings.tables``: the catalogue, its UIDs and
sequence numbers, aliases, import sources, bases and fingerprints, retired slugs, feed
tokens (only their hashes are stored, so the same secret addresses work on the target),
plans, and the revision counter. The schema itself is the target's own, made by the
migrations at the same revision; ``alembic_version`` is not a row of the catalogue.

**Id counters.** Ids are never reused (DESIGN.md, invariant 9), so each table's counter
on the target is set to the source's high-water mark, not to its ``max(id)``: a row
deleted from the end of a table still holds its number. SQLite keeps the mark in
``sqlite_sequence``, PostgreSQL in each table's sequence.

**Atomic.** The source is read in one transaction (a snapshot: SQLite's read
transaction, PostgreSQL's REPEATABLE READ), so a copy taken while an import writes holds
the catalogue before it or after it, never half of it. The target is written in one
transaction, committed only once its counts and checksums equal the source's: a copy
that fails or is killed leaves no catalogue row behind. A new SQLite file is written
under a hidden name beside it and linked into place when complete: one that stops
leaves no file, one killed leaves its hidden file, removed by the next copy there. In a
database, what may remain is the empty schema the copy made first, in its own
transaction, when there was none; a later copy into it is welcome, since it is a fresh
catalogue at the head revision.

**Checked.** Each table's rows, in id order, in a canonical form that is the same on
both backends (``canonical``: instants in UTC ISO 8601, dates and times in ISO, JSON with
sorted keys, booleans as 0 and 1, floats as JSON writes them), are counted and hashed
(SHA-256) as they are read from the source and again from the target before the commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Engine,
    Table,
    Time,
    delete,
    func,
    select,
    update,
)

from screenings import tables
from screenings.db import (
    WRITING,
    create_db_engine,
    database_errors,
    id_marks,
    insert_columns,
    lock_bulk_writers,
    masked_url,
    missing_file,
    set_id_mark,
    sqlite_file,
)
from screenings.errors import DatabaseState, InvalidInput, ScreeningsError
from screenings.migrate import (
    HEAD_REVISION,
    Door,
    SchemaState,
    read_status,
    refusal,
    upgrade_schema,
)

CHUNK = 5_000  # rows read, written and hashed at a time
COPIED = tuple(tables.metadata.sorted_tables)  # parents before the rows that name them

# Told how far the copy is: the table, its rows written so far, and its rows in all.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableCopy:
    """One table's rows and checksum (the first 16 hex digits of its SHA-256), as read
    from the source and as read back from the target, and its id counter as set."""

    table: str
    rows: int
    checksum: str
    target_rows: int
    target_checksum: str
    counter: int

    @property
    def same(self) -> bool:
        return (self.rows, self.checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True)
class Copy:
    """What a copy did: the source and target (as ``shown``), whether the target's
    schema was made for it, each table's figures, and whether it replaced a catalogue
    (whose revision counter then moved past both: not the source's)."""

    source: str
    target: str
    created: bool
    tables: tuple[TableCopy, ...]
    replaced: bool = False


def copy_catalogue(  # noqa: PLR0913 -- the two sides, and how the door calling it words them
    source: Engine,
    target: Engine,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    names: tuple[str, str] = ("SOURCE_URL", "TARGET_URL"),
    instead: str = "copy into an empty database or a new file",
) -> Copy:
    """Copy the catalogue at ``source`` into ``target`` (``copy_catalogue``'s module says
    how), or refuse in one line, naming (by ``names``) the side that is not ready:

    - the source must be a catalogue at this version's head revision, and not the target;
    - the target must be a new SQLite file in a folder that is there (written under a
      hidden name beside it, and linked into place when complete), a database with no tables (its
      schema is made at head, and committed), or a catalogue at head that holds no row;
      with ``replace`` (``db restore``), one that holds rows, all of which the same
      transaction deletes first, so a reader sees the old catalogue or the new one. Its
      revision counter then moves past both, so that every cache keyed by it (the feed
      server's) sees the change, and its id counters stay past the ids it had handed
      out. ``instead`` ends the refusal of a target that holds rows: what to do.
    """
    source_name, target_name = names
    if _same(source, target):
        raise InvalidInput(f"{source_name} and {target_name} are the same database")
    with _named(source_name):
        _check(source, target=False)
    path = missing_file(target.url)
    if path is None:
        with _named(target_name):
            created = _check(target, target=True)
        return _copy(source, target, created, replace, progress, names, instead)
    if not path.parent.is_dir():
        raise InvalidInput(f"{target_name}: {path.parent}: no such folder")
    _clear_stale(path)
    partial = _partial(path)
    into = create_db_engine(_sqlite_url(partial), what=target_name)
    try:
        with _named(target_name):
            _check(into, target=True)
        done = _copy(source, into, True, replace, progress, names, instead)
        into.dispose()
        _into_place(partial, path, target_name)
    finally:
        into.dispose()
        for leftover in (partial, *_sidecars(partial)):
            leftover.unlink(missing_ok=True)
    return dataclasses.replace(done, target=shown(target))


def _copy(  # noqa: PLR0913 -- copy_catalogue's, the target ready
    source: Engine,
    target: Engine,
    created: bool,
    replace: bool,
    progress: Progress | None,
    names: tuple[str, str],
    instead: str,
) -> Copy:
    target_name = names[1]
    copies = []
    snapshot = {"isolation_level": "REPEATABLE READ"} if source.dialect.name != "sqlite" else {}
    with (
        database_errors(source),
        database_errors(target),
        source.connect().execution_options(**snapshot) as reading,
        target.execution_options(**WRITING).connect() as writing,
        reading.begin(),
        writing.begin(),
    ):
        # Looked at under the writer's lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's queue
        # of bulk writers): an import or another copy cannot fill the target meanwhile.
        lock_bulk_writers(writing)
        held = _held(writing)
        if held and not replace:
            raise DatabaseState(
                f"{target_name}: {shown(target)} already holds a catalogue "
                f"({_describe(held)}); {instead}"
            )
        before = _counter(writing) if replace else 0
        spent = id_marks(writing, COPIED)  # ids handed out there before stay spent
        for table in reversed(COPIED):
            writing.execute(delete(table))
        marks = id_marks(reading, COPIED)
        marks = {name: max(marks.get(name, 0), spent.get(name, 0)) for name in marks | spent}
        totals = {t.name: _count(reading, t) for t in COPIED}
        for table in COPIED:
            rows, digest = _copy_table(reading, writing, table, totals[table.name], progress)
            copies.append((table, rows, digest))
        if replace:  # past both: every cache keyed by the counter sees the change
            moved = max(_counter(reading), before) + 1
            writing.execute(update(tables.revision).values(counter=moved))
        checked = tuple(_checked(writing, *copied, marks) for copied in copies)
        wrong = [c for c in checked if not c.same and not (replace and c.table == "revision")]
        if wrong:
            raise DatabaseState(
                f"{target_name}: the copy differs from the source in "
                + ", ".join(
                    f"{c.table} ({c.target_rows} rows, {c.target_checksum}; "
                    f"source {c.rows} rows, {c.checksum})"
                    for c in wrong
                )
                + "; nothing was written"
            )
    return Copy(shown(source), shown(target), created, checked, replaced=replace)


def shown(engine: Engine) -> str:
    """Where a catalogue is, as a user reads it: a SQLite file's path, else its URL with
    the password masked."""
    path = sqlite_file(engine.url)
    return str(path) if path is not None else masked_url(engine.url)


def _same(source: Engine, target: Engine) -> bool:
    one, other = sqlite_file(source.url), sqlite_file(target.url)
    if one is not None or other is not None:
        return one is not None and other is not None and one.resolve() == other.resolve()
    return source.url.render_as_string(hide_password=False) == target.url.render_as_string(
        hide_password=False
    )


@contextmanager
def _named(name: str) -> Iterator[None]:
    """A refusal about one side, named after it (``SOURCE_URL: ...``) where it names
    nothing yet: a connection that failed, a file that is not SQLite."""
    try:
        yield
    except ScreeningsError as exc:
        if exc.field is None and not exc.detail.startswith(f"{name}:"):
            exc.field = name
        raise


def _check(engine: Engine, *, target: bool, older: bool = False) -> bool:
    """Refuse a side that is not at head (naming the command that upgrades it), or not a
    catalogue; True when the target was new, and has just been given the schema.
    ``older``: a catalogue at an older revision will do (a SQLite file backed up as
    it is)."""
    if missing_file(engine.url) is not None:
        if not target:
            raise InvalidInput(f"no catalogue at {engine.url.database}")
        upgrade_schema(engine)
        return True
    status = read_status(engine, judge=False)
    where = shown(engine)
    if status.state is SchemaState.NEW and target:
        upgrade_schema(engine)
        return True
    if status.state is SchemaState.OLDER and not older:
        raise DatabaseState(
            f"{where} is at revision {status.revision or 'none'}, older than this "
            f"version's {HEAD_REVISION}, which both sides of a copy must be at: upgrade it "
            f"first with 'screenings --db {status.url} db upgrade'"
        )
    if status.state is SchemaState.OLDER:
        return False
    if status.state is SchemaState.FOREIGN:
        raise DatabaseState(
            f"{where} holds tables but is not a screenings catalogue (it has no "
            f"alembic_version table); name "
            + ("an empty database or a new file" if target else "a screenings catalogue")
        )
    if status.state is SchemaState.NEW:
        raise InvalidInput(f"{where} holds no catalogue")
    problem = refusal(status, Door.READ)
    if problem is not None:
        raise problem
    return False


def _held(connection: Connection) -> dict[str, int]:
    """The target's rows, by table, that a fresh catalogue does not have (its one
    revision row is not a row of the catalogue)."""
    counts = {t.name: _count(connection, t) for t in COPIED if t is not tables.revision}
    return {name: count for name, count in counts.items() if count}


def _describe(held: dict[str, int]) -> str:
    said = [f"{count:,} {table}" for table, count in sorted(held.items(), key=lambda i: -i[1])]
    return ", ".join(said[:4]) + (f" and {len(said) - 4} more tables" if len(said) > 4 else "")


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _copy_table(
    reading: Connection, writing: Connection, table: Table, total: int, progress: Progress | None
) -> tuple[int, str]:
    """Stream one table's rows from ``reading`` into ``writing``, in id order; return how
    many there were and their checksum."""
    digest = hashlib.sha256()
    line = canonical(table)
    keys = [column.key for column in table.columns]
    done = 0
    for chunk in _chunks(reading, table):
        digest.update("".join(line(row) + "\n" for row in chunk).encode())
        columns = map(list, zip(*chunk, strict=True))
        insert_columns(writing, table, dict(zip(keys, columns, strict=True)))
        done += len(chunk)
        if progress is not None:
            progress(table.name, done, total)
    if progress is not None and not done:
        progress(table.name, 0, 0)
    return done, digest.hexdigest()[:16]


def _chunks(connection: Connection, table: Table) -> Iterator[list[Any]]:
    result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
        select(table).order_by(table.c.id)
    )
    for partition in result.partitions(CHUNK):
        yield list(partition)


def _checked(
    writing: Connection, table: Table, rows: int, checksum: str, marks: dict[str, int]
) -> TableCopy:
    """Set the table's id counter on the target, and read what the target now holds."""
    counter = max(marks.get(table.name, 0), _max_id(writing, table))
    set_id_mark(writing, table, counter)
    digest = hashlib.sha256()
    line = canonical(table)
    written = 0
    for chunk in _chunks(writing, table):
        digest.update("".join(line(row) + "\n" for row in chunk).encode())
        written += len(chunk)
    return TableCopy(table.name, rows, checksum, written, digest.hexdigest()[:16], counter)


def _max_id(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.max(table.c.id))).scalar() or 0)


def _counter(connection: Connection) -> int:
    return int(connection.execute(select(tables.revision.c.counter)).scalar() or 0)


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DOCUMENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def canonical(table: Table) -> Callable[[Sequence[Any]], str]:
    """How a row of ``table`` (its values in column order, as SQLAlchemy reads them) is
    written as one line of JSON that is the same on SQLite and PostgreSQL: instants in
    UTC ISO 8601, dates and times in ISO, JSON documents as text with sorted keys,
    booleans as 0 and 1; text, numbers and NULL as JSON writes them. One converter per
    column, chosen once: a copy writes a million rows through it twice."""
    converters = [_converter(column.type) for column in table.columns]
    if not any(converters):
        return lambda row: _LINE(list(row))
    pairs = list(enumerate(converters))

    def line(row: Sequence[Any]) -> str:
        values = list(row)
        for index, convert in pairs:
            value = values[index]
            if convert is not None and value is not None:
                values[index] = convert(value)
        return _LINE(values)

    return line


def _converter(kind: Any) -> Callable[[Any], Any] | None:
    if isinstance(kind, tables.UTCDateTime):  # aware, in UTC, on both backends
        return _instant
    if isinstance(kind, Boolean):
        return int
    if isinstance(kind, Date | Time):
        return _iso
    if isinstance(kind, JSON):
        return _DOCUMENT
    return None


def _instant(value: dt.datetime) -> str:
    return value.isoformat()  # UTCDateTime gives every instant in UTC


def _iso(value: dt.date | dt.time) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class Backup:
    """A backup written: its file, and the rows it holds by table."""

    path: Path
    rows: dict[str, int]


def backup_catalogue(
    source: Engine, path: Path, *, progress: Progress | None = None, source_name: str = "--db"
) -> Backup:
    """Write a consistent snapshot of the catalogue at ``source`` to a new SQLite file at
    ``path``, which must not exist: from SQLite, by SQLite's online backup (one step,
    under one read transaction, so an import under way is in it whole or not at all; a
    catalogue at an older revision is backed up as it is); from PostgreSQL, by
    ``copy_catalogue`` into a new file. Either way the file is written beside ``path``
    under another name and renamed when complete, in rollback-journal mode, so it opens
    anywhere, read-only mounts included. ``source_name``: what named the catalogue
    (``--db``, an environment variable), for a refusal."""
    if path.is_dir():
        raise InvalidInput(f"PATH: {path} is a folder; name a new file in it")
    if path.exists():
        raise InvalidInput(f"PATH: {path} already exists; name a new file")
    if not path.parent.is_dir():
        raise InvalidInput(f"PATH: {path.parent}: no such folder")
    if source.dialect.name != "sqlite":
        into = create_db_engine(_sqlite_url(path), what="PATH")
        try:
            copy_catalogue(source, into, progress=progress, names=(source_name, "PATH"))
        finally:
            into.dispose()
        return Backup(path, _rows_in(path))
    with _named(source_name):
        _check(source, target=False, older=True)
    _clear_stale(path)
    partial = _partial(path)
    try:
        with database_errors(source):
            _sqlite_backup(source, partial, path)
        _into_place(partial, path, "PATH")
    finally:
        for leftover in (partial, *_sidecars(partial)):
            leftover.unlink(missing_ok=True)
    return Backup(path, _rows_in(path))


def restore_catalogue(
    backup: Path, target: Engine, *, replace: bool = False, progress: Progress | None = None
) -> Copy:
    """Restore the backup at ``backup`` (a SQLite catalogue at the head revision) into
    ``target``, as ``copy_catalogue`` copies: a new SQLite file is written under another
    name and renamed when complete; any other target in one transaction, onto a catalogue
    that holds rows only with ``replace``. Either way a server reading the target sees
    the old catalogue or the restored one."""
    if "://" in str(backup):
        raise InvalidInput(f"PATH: {backup}: expected the path of a backup file, not a URL")
    if backup.is_dir():
        raise InvalidInput(f"PATH: {backup} is a folder; expected a file 'db backup' wrote")
    if not backup.is_file():
        raise InvalidInput(f"PATH: {backup}: no such file; expected a file 'db backup' wrote")
    source = create_db_engine(_sqlite_url(backup), what="PATH", read_only=True)
    try:
        return copy_catalogue(
            source,
            target,
            replace=replace,
            progress=progress,
            names=("PATH", "TARGET_URL"),
            instead="restore into an empty database or a new file, or replace it with --replace",
        )
    finally:
        source.dispose()


def _partial(path: Path) -> Path:
    """Where a file is written before it is linked to ``path``: beside it (the link is
    then atomic), hidden, and this process's own, on this host."""
    return path.with_name(f".{path.name}.partial-{socket.gethostname()}-{os.getpid()}")


def _into_place(partial: Path, path: Path, name: str) -> None:
    """``partial`` under the name ``path``, atomically, unless a file has appeared there
    since the copy began (it is kept, and the copy refused)."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise InvalidInput(f"{name}: {path} appeared while the copy ran; it is kept") from None
    except OSError:  # a file system without hard links: renamed, after one more look
        if path.exists():
            raise InvalidInput(f"{name}: {path} appeared while the copy ran; it is kept") from None
        os.replace(partial, path)


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))


def _clear_stale(path: Path) -> None:
    """Remove what a copy into ``path`` left behind when it was killed (``kill -9``, a
    power cut): its hidden partial file, if the process that wrote it, on this host, is
    gone (a copy from another host sharing the folder is left alone)."""
    for partial in path.parent.glob(f".{path.name}.partial-{socket.gethostname()}-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            for leftover in (partial, *_sidecars(partial)):
                leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(path.resolve()).replace("%", "%25").replace("?", "%3F")


def _sqlite_backup(source: Engine, path: Path, named: Path) -> None:
    """SQLite's online backup of ``source`` into a new file at ``path``, in one step
    (``named``: the file the user named, for a refusal)."""
    raw = source.raw_connection()
    try:
        try:
            into = sqlite3.connect(path)
            into.execute("PRAGMA user_version")  # the file is made here, or refused
        except sqlite3.Error as exc:
            raise InvalidInput(f"PATH: cannot write {named}: {exc}") from None
        try:
            raw.driver_connection.backup(into)  # type: ignore[union-attr]
            into.execute("PRAGMA journal_mode = DELETE")
        finally:
            into.close()
    finally:
        raw.close()


def _rows_in(path: Path) -> dict[str, int]:
    engine = create_db_engine(_sqlite_url(path), read_only=True)
    try:
        with engine.connect() as connection:  # an older catalogue lacks the newer tables
            there = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
            return {t.name: _count(connection, t) for t in COPIED if t.name in there}
    finally:
        engine.dispose()
