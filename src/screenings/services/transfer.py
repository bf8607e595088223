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
that fails or is killed leaves no catalogue row behind. What may remain is the empty
schema the copy made first, in its own transaction, when the target had none (a
new SQLite file, or the tables in an empty PostgreSQL database); a later copy into it is
welcome, since it is a fresh catalogue at the head revision.

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
import sqlite3
from collections.abc import Callable, Iterator, Sequence
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
    text,
    update,
)

from screenings import tables
from screenings.db import (
    BULK_WRITER_LOCK,
    create_db_engine,
    database_errors,
    insert_columns,
    masked_url,
    missing_file,
)
from screenings.errors import DatabaseState, InvalidInput
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
    """What a copy did: the source and target (passwords masked), whether the target's
    schema was made for it, and each table's figures."""

    source: str
    target: str
    created: bool
    tables: tuple[TableCopy, ...]


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

    - the source must be a catalogue at this version's head revision;
    - the target must be a new database (its schema is made at head, and committed), or
      a catalogue at head that holds no row; with ``replace`` (``db restore``), one that
      holds rows, all of which the same transaction deletes first, so a reader sees the
      old catalogue or the new one. Its revision counter then moves past both, so that
      every cache keyed by it (the feed server's) sees the change. ``instead`` ends the
      refusal of a target that holds rows: what the user can do.
    """
    source_name, target_name = names
    _check(source, source_name, target=False)
    created = _check(target, target_name, target=True)
    copies = []
    snapshot = {"isolation_level": "REPEATABLE READ"} if source.dialect.name != "sqlite" else {}
    with (
        database_errors(source),
        database_errors(target),
        source.connect().execution_options(**snapshot) as reading,
        target.execution_options(screenings_write=True).connect() as writing,
        reading.begin(),
        writing.begin(),
    ):
        # Looked at under the writer's lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's queue
        # of bulk writers): an import or another copy cannot fill the target meanwhile.
        if target.dialect.name == "postgresql":
            writing.execute(select(func.pg_advisory_xact_lock(BULK_WRITER_LOCK)))
        held = _held(writing)
        if held and not replace:
            raise DatabaseState(
                f"{target_name}: {masked_url(target.url)} already holds a catalogue "
                f"({_describe(held)}); {instead}"
            )
        before = _counter(writing) if replace else 0
        for table in reversed(COPIED):
            writing.execute(delete(table))
        marks = _marks(reading)
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
    return Copy(masked_url(source.url), masked_url(target.url), created, checked)


def _check(engine: Engine, name: str, *, target: bool) -> bool:
    """Refuse a side that is not at head (naming the command that upgrades it); True
    when the target was new, and has just been given the schema."""
    if missing_file(engine.url) is not None:
        if not target:
            raise InvalidInput(f"{name}: no catalogue at {engine.url.database}")
        upgrade_schema(engine)
        return True
    status = read_status(engine, judge=False)
    if status.state is SchemaState.NEW and target:
        upgrade_schema(engine)
        return True
    if status.state is SchemaState.OLDER:
        raise DatabaseState(
            f"{name}: {status.url} is at revision {status.revision or 'none'}, and a copy "
            f"needs both sides at this version's {HEAD_REVISION}: upgrade it first with "
            f"'screenings --db {status.url} db upgrade'"
        )
    problem = refusal(status, Door.READ, source=name)
    if problem is not None:
        raise problem
    return False


def _held(connection: Connection) -> dict[str, int]:
    """The target's rows, by table, that a fresh catalogue does not have (its one
    revision row is not a row of the catalogue)."""
    counts = {t.name: _count(connection, t) for t in COPIED if t is not tables.revision}
    return {name: count for name, count in counts.items() if count}


def _describe(held: dict[str, int]) -> str:
    shown = [f"{count:,} {table}" for table, count in sorted(held.items(), key=lambda i: -i[1])]
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more tables" if len(shown) > 4 else "")


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
    _set_mark(writing, table, counter)
    digest = hashlib.sha256()
    line = canonical(table)
    written = 0
    for chunk in _chunks(writing, table):
        digest.update("".join(line(row) + "\n" for row in chunk).encode())
        written += len(chunk)
    return TableCopy(table.name, rows, checksum, written, digest.hexdigest()[:16], counter)


def _max_id(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.max(table.c.id))).scalar() or 0)


def _marks(connection: Connection) -> dict[str, int]:
    """Each table's id high-water mark on the source: the last id ever handed out."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name, seq FROM sqlite_sequence")).all()
        return {name: int(seq) for name, seq in rows}
    marks = {}
    for table in COPIED:
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


def _set_mark(connection: Connection, table: Table, mark: int) -> None:
    """Set the target's counter so that the next id handed out is ``mark + 1``."""
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


def backup_catalogue(source: Engine, path: Path, *, progress: Progress | None = None) -> Backup:
    """Write a consistent snapshot of the catalogue at ``source`` to a new SQLite file at
    ``path``, which must not exist: from SQLite, by SQLite's online backup (one step,
    under one read transaction, so an import under way is in it whole or not at all);
    from PostgreSQL, by ``copy_catalogue`` into a new file. Either way the file is
    written beside ``path`` under another name and renamed when complete, in
    rollback-journal mode, so it opens anywhere, read-only mounts included."""
    if path.exists():
        raise InvalidInput(f"PATH: {path} already exists; name a new file")
    if not path.parent.is_dir():
        raise InvalidInput(f"PATH: {path.parent} is not a folder")
    partial = _partial(path)
    try:
        if source.dialect.name == "sqlite":
            _check(source, "--db", target=False)
            with database_errors(source):
                _sqlite_backup(source, partial)
        else:
            into = create_db_engine(_sqlite_url(partial))
            try:
                copy_catalogue(source, into, progress=progress, names=("--db", "PATH"))
            finally:
                into.dispose()
        os.replace(partial, path)
    finally:
        for leftover in (partial, *_sidecars(partial)):
            leftover.unlink(missing_ok=True)
    return Backup(path, _rows_in(path))


def restore_catalogue(
    backup: Path, target: Engine, *, replace: bool = False, progress: Progress | None = None
) -> Copy:
    """Restore the backup at ``backup`` (a SQLite catalogue at the head revision) into
    ``target``. A new SQLite file is written beside its place under another name and
    renamed when complete; any other target is written in one transaction
    (``copy_catalogue``), onto a catalogue that holds rows only with ``replace``. Either
    way a server reading the target sees the old catalogue or the restored one."""
    if not backup.is_file():
        raise InvalidInput(f"PATH: {backup}: no such file; expected a file 'db backup' wrote")
    source = create_db_engine(_sqlite_url(backup), what="PATH", read_only=True)
    try:
        names = ("PATH", "TARGET_URL")
        instead = "restore into an empty database or a new file, or replace it with --replace"
        path = missing_file(target.url)
        if path is None:
            return copy_catalogue(
                source, target, replace=replace, progress=progress, names=names, instead=instead
            )
        partial = _partial(path)
        into = create_db_engine(_sqlite_url(partial))
        try:
            done = copy_catalogue(source, into, progress=progress, names=names)
        finally:
            into.dispose()
            for leftover in _sidecars(partial):
                leftover.unlink(missing_ok=True)
        try:
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return dataclasses.replace(done, target=masked_url(target.url))
    finally:
        source.dispose()


def _partial(path: Path) -> Path:
    """Where a file is written before it is renamed to ``path``: beside it (the rename
    is then atomic), hidden, and this process's own."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))


def _sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(path.resolve()).replace("%", "%25").replace("?", "%3F")


def _sqlite_backup(source: Engine, path: Path) -> None:
    """SQLite's online backup of ``source`` into a new file at ``path``, in one step."""
    raw = source.raw_connection()
    try:
        into = sqlite3.connect(path)
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
        with engine.connect() as connection:
            return {t.name: _count(connection, t) for t in COPIED}
    finally:
        engine.dispose()
