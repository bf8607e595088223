"""The ``screenings`` command line: parse, open the unit of work, call a service, render.

One small module per command group; this one builds the app and owns the one
place where a ``ScreeningsError`` becomes a one-line message and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from screenings import __version__
from screenings.cli import db as db_commands
from screenings.cli import listing
from screenings.cli.context import State
from screenings.errors import ScreeningsError

app = typer.Typer(
    name="screenings",
    help="Track festival and special screenings of films, and publish them as calendars.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(db_commands.app, name="db")
app.command("list")(listing.list_)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screenings {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help=(
                "The database: a SQLite file path or a URL (sqlite:///PATH, "
                "postgresql+psycopg://USER@HOST/DB). Default: $SCREENINGS_DATABASE_URL, "
                "else a SQLite file in the user data directory."
            ),
        ),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help=(
                "How to read numeric dates such as 11/06/2013. Default: "
                "$SCREENINGS_DATE_ORDER (dayfirst or monthfirst); with neither, a date "
                "that reads both ways is refused."
            ),
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = State(db, dayfirst)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="screenings")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except ScreeningsError as exc:
        typer.echo(f"screenings: error: {exc.message}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("screenings: interrupted; nothing was written", err=True)
        return 130
    return 0


def main() -> None:
    sys.exit(run())
