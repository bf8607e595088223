"""``screenings db ...``: where the catalogue lives, and its schema revision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from screenings.cli.context import state

if TYPE_CHECKING:
    from screenings.migrate import Migration

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
