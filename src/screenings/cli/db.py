"""``screenings db ...``: where the catalogue lives, and its schema revision."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screenings.cli.context import state

if TYPE_CHECKING:
    from screenings.migrate import Migration
    from screenings.services.transfer import Copy

app = typer.Typer(
    help="The database: its location and its schema revision.\n\n"
    "Example: screenings --db fest.sqlite3 db current",
    no_args_is_help=True,
)


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the database in use (password masked) and its schema revision. Changes nothing.

    Example: screenings --db fest.sqlite3 db current
    """
    from screenings.db import masked_url, missing_file
    from screenings.migrate import HEAD_REVISION, Door, read_status, refusal

    settings = state(ctx).settings
    if missing_file(settings.database_url) is not None:
        typer.echo(f"database: {masked_url(settings.database_url)}")
        typer.echo(
            f"revision: none (no such file yet; 'screenings import' or 'screenings add' "
            f"creates it at {HEAD_REVISION})"
        )
        return
    status = read_status(state(ctx).read_only_engine())
    typer.echo(f"database: {status.url}")
    typer.echo(f"revision: {status.describe}")
    problem = refusal(status, Door.REPORT, source=settings.database_source)
    if problem is not None:
        typer.echo(problem.message)


@app.command()
def upgrade(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Target revision.")] = "head",
) -> None:
    """Create the schema, or upgrade it to the newest revision (or --to REV).

    It runs under a lock (two processes cannot migrate at once) and in one
    transaction. A SQLite file is backed up next to itself before its schema
    changes.

    Example: screenings --db postgresql://me@dbhost/festival db upgrade
    """
    from screenings.migrate import upgrade_schema

    _report(ctx, upgrade_schema(state(ctx).writer(), to))


@app.command()
def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision; 'base' removes every table.")],
) -> None:
    """Downgrade the schema to REVISION. A SQLite file is backed up next to itself first.

    Example: screenings --db fest.sqlite3 db downgrade base
    """
    from screenings.migrate import downgrade_schema

    _report(ctx, downgrade_schema(state(ctx).writer(), revision))


def _report(ctx: typer.Context, done: Migration) -> None:
    from screenings.migrate import read_status

    if done.backup is not None:
        typer.echo(f"backup: {done.backup}", err=True)
    after = read_status(state(ctx).writer())
    typer.echo(f"database: {after.url}")
    was = f"was {done.before or 'none'}" if done.changed else "unchanged"
    typer.echo(f"revision: {after.describe} ({was})")


@app.command()
def history() -> None:
    """List the schema revisions this version knows, oldest first.

    Example: screenings db history
    """
    from screenings.migrate import HEAD_REVISION
    from screenings.migrate import history as revisions

    for revision, _down, message in revisions():
        mark = "  (head)" if revision == HEAD_REVISION else ""
        typer.echo(f"{revision}  {message.splitlines()[0] if message else ''}{mark}")


@app.command()
def stats(ctx: typer.Context) -> None:
    """Print the database, its schema revision, how many changes the catalogue has had,
    and how many rows each table holds.

    The schema revision is the migration the tables are at; the changes are the count
    every writing command adds one to (what the feed server watches).

    Like every command that only reads the catalogue, it never creates one; it upgrades
    an older SQLite one (after a backup) where the file can be written.

    Example: screenings --db demo/screenings.sqlite3 db stats
    """
    from screenings.db import unit_of_work
    from screenings.migrate import read_status
    from screenings.services.catalog import count_changes, count_rows

    engine = state(ctx).reader()
    status = read_status(engine)
    typer.echo(f"database: {status.url}")
    typer.echo(f"schema revision: {status.describe}")
    with unit_of_work(engine, write=False) as session:
        typer.echo(f"changes written: {count_changes(session)}")
        typer.echo("rows:")
        counts = count_rows(session)
        del counts["revision"]  # the counter's one row, said above
        for table, count in sorted(counts.items()):
            typer.echo(f"  {table}: {count}")


@app.command()
def retime(ctx: typer.Context) -> None:
    """Recompute every screening's UTC instant from its wall time, after the zone database
    changed a zone's rules; report what moved. Wall times never change.

    Example: screenings db retime
    """
    from screenings.db import unit_of_work
    from screenings.services.changes import retime as recompute

    with unit_of_work(state(ctx).catalogue()) as session:
        moved = recompute(session)
    for item in moved:
        if item.problem:
            typer.echo(f"#{item.id} {item.wall} {item.zone}: left as it was: {item.problem}")
        else:
            typer.echo(f"#{item.id} {item.wall} {item.zone}: {item.before} -> {item.after}")
    typer.echo(f"{sum(1 for m in moved if not m.problem)} screening(s) moved")


@app.command()
def copy(
    source_url: Annotated[
        str, typer.Argument(help="The catalogue to copy: a SQLite file's path or a database URL.")
    ],
    target_url: Annotated[
        str,
        typer.Argument(
            help="Where to: a new SQLite file, an empty database, or a fresh catalogue at the "
            "head revision."
        ),
    ],
) -> None:
    """Copy a whole catalogue into another database: SQLite to PostgreSQL, and back.

    Every table is copied with its ids, UIDs and sequence numbers, import bases, slug
    history, feed tokens (the same secret addresses work), plans and the revision
    counter; each table's id counter is set past the source's last id. Both must be at
    this version's schema revision. The target is written in one transaction, committed
    once every table's row count and checksum equal the source's (printed): an
    interrupted copy leaves no catalogue rows, at most the empty schema it made.

    Example: screenings db copy fest.sqlite3 postgresql://me@dbhost/festival
    """
    from screenings.config import database_url_from, immutable_from
    from screenings.db import open_catalogue
    from screenings.services.transfer import copy_catalogue

    url, immutable = immutable_from(database_url_from(source_url, source="SOURCE_URL"))
    reading = open_catalogue(url, what="SOURCE_URL", immutable=immutable)
    try:
        writing = open_catalogue(
            database_url_from(target_url, source="TARGET_URL"), what="TARGET_URL", write=True
        )
        try:
            with _Progress() as progress, _terminated_as_interrupted():
                done = copy_catalogue(reading, writing, progress=progress)
        finally:
            writing.dispose()
    finally:
        reading.dispose()
    _say_copied(done)


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The new file to write; default: beside a SQLite catalogue, else here, "
            "named after the catalogue and the time.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a consistent snapshot of the catalogue to a new SQLite file.

    From SQLite, by SQLite's online backup; from PostgreSQL, by 'db copy' into a new
    file. An import under way is in the backup whole or not at all. The file is a plain
    SQLite catalogue: 'screenings --db FILE list' reads it, and 'db restore' puts it back.

    Example: screenings --db postgresql://me@dbhost/festival db backup festival.sqlite3
    """
    from screenings.db import open_catalogue, sqlite_file
    from screenings.services.transfer import backup_catalogue

    settings = state(ctx).settings
    engine = open_catalogue(settings.database_url, what=settings.database_source)
    try:
        if path is None:
            path = _backup_name(sqlite_file(engine.url), engine.url.database or "catalogue")
        with _Progress() as progress, _terminated_as_interrupted():
            done = backup_catalogue(
                engine, path, progress=progress, source_name=settings.database_source
            )
    finally:
        engine.dispose()
    typer.echo(f"backup: {done.path}")
    typer.echo(f"{_counted(sum(done.rows.values()), 'row')} of {len(done.rows)} tables")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="The backup: a SQLite file 'db backup' wrote.")],
    target_url: Annotated[
        str, typer.Argument(help="Where to restore it: a SQLite file's path or a database URL.")
    ],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the catalogue the target holds."),
    ] = False,
) -> None:
    """Restore a backup into a new file or an empty database, or, with --replace, in
    place of the catalogue there.

    A new SQLite file is written under another name and renamed when complete; any other
    target is written in one transaction. Either way a running 'serve' sees the old
    catalogue or the restored one, never a part. Checked as 'db copy' is.

    Example: screenings db restore festival.sqlite3 postgresql://me@dbhost/festival --replace
    """
    from screenings.config import database_url_from
    from screenings.db import open_catalogue
    from screenings.services.transfer import restore_catalogue

    engine = open_catalogue(
        database_url_from(target_url, source="TARGET_URL"), what="TARGET_URL", write=True
    )
    try:
        with _Progress() as progress, _terminated_as_interrupted():
            done = restore_catalogue(path, engine, replace=replace, progress=progress)
    finally:
        engine.dispose()
    _say_copied(done)


def _say_copied(done: Copy) -> None:
    """Each table's rows and checksum on both sides, then the total."""
    width = max(len(t.table) for t in done.tables)
    typer.echo(f"{'table':<{width}}  {'rows':>12}  checksum          target")
    for t in done.tables:
        verdict = "same" if t.same else f"{t.target_rows:,} {t.target_checksum}"
        if done.replaced and t.table == "revision":
            verdict = "moved past both"  # db restore --replace: the counter moves on
        typer.echo(f"{t.table:<{width}}  {t.rows:>12,}  {t.checksum}  {verdict}")
    rows = _counted(sum(t.rows for t in done.tables), "row")
    made = " (its schema made at the head revision)" if done.created else ""
    typer.echo(f"copied {rows} of {len(done.tables)} tables to {done.target}{made}")


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM (what ``kill`` and service managers send) taken as Ctrl-C while a copy
    runs: its transaction is rolled back and its partial file removed, as for Ctrl-C."""

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    try:
        before = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: left as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _backup_name(file: Path | None, name: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if file is not None:
        return file.with_name(f"{file.stem}-backup-{stamp}.sqlite3")
    return Path.cwd() / f"{Path(name).name}-backup-{stamp}.sqlite3"


class _Progress:
    """How far a copy is, on stderr: on a terminal, one line rewritten; else a line per
    table as it ends (a log shows where a copy was when it stopped)."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown = False

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.shown and self.terminal:
            sys.stderr.write("\n")

    def __call__(self, table: str, done: int, total: int) -> None:
        if self.terminal:
            self.shown = True
            sys.stderr.write(f"\r\033[Kcopying {table}: {done:,} of {total:,} rows")
        elif done == total and total:
            sys.stderr.write(f"copied {table}: {_counted(total, 'row')}\n")
        sys.stderr.flush()
