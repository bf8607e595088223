"""The ``screenings`` command line: parse, open the unit of work, call a service, render.

One small module per command group; this one builds the app and owns the one
place where a ``ScreeningsError`` becomes a one-line message and an exit code.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
import typer.core

from screenings import __version__
from screenings.cli import options, output
from screenings.cli.context import State
from screenings.errors import InvalidInput, Names, ScreeningsError, own


def _register(app: typer.Typer, name: str) -> None:
    """Put the command (or group) ``name`` on ``app``, importing only its own module."""
    import importlib

    module, attribute = REGISTRY[name]
    target = getattr(importlib.import_module(f"screenings.cli.{module}"), attribute)
    if isinstance(target, typer.Typer):
        app.add_typer(target, name=name)
    else:
        app.command(name)(target)


# Command -> (module in screenings.cli, the Typer group or the function), in the order
# ``--help`` lists them: by how often they are used.
REGISTRY = {
    "list": ("listing", "list_"),
    "show": ("show", "show"),
    "add": ("add", "app"),
    "edit": ("edit", "app"),
    "import": ("imports", "import_"),
    "export": ("export", "export"),
    "cancel": ("edit", "cancel"),
    "postpone": ("edit", "postpone"),
    "check": ("check", "check"),
    "serve": ("serve", "serve"),
    "merge": ("edit", "merge"),
    "remove": ("edit", "remove"),
    "plan": ("plan", "app"),
    "feed": ("feed", "app"),
    "db": ("db", "app"),
}
COMMANDS = tuple(REGISTRY)


class _Commands(typer.core.TyperGroup):
    """The top-level group: its commands listed in ``REGISTRY``'s order (Typer puts the
    groups after the single commands), and every argument of every command named in
    capitals (``FILM``), in its usage line and its list alike, as errors name it (Typer
    shows a name as it is spelt in the code, ``{film}``, where none is given)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [name for name in COMMANDS if name in self.commands]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _in_capitals(command)
        return command


def _in_capitals(command: Any) -> None:
    for param in command.params:
        if param.param_type_name == "argument" and param.metavar is None and param.name:
            param.metavar = param.name.upper()
    for each in getattr(command, "commands", {}).values():
        _in_capitals(each)


def build_app(only: str | None = None) -> typer.Typer:
    """The command line; with ``only``, just that command, since Typer builds every command
    it holds at each start (about 150 ms for all of them, their modules' imports
    included). ``screenings --help`` itself is answered before Typer (``launch``)."""
    app = typer.Typer(
        cls=_Commands,
        name="screenings",
        help="Track festival and special screenings of films, and publish them as calendars."
        '\n\nExample: screenings list --film "The Defector" --in 2013',
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(root)
    for name in COMMANDS:
        if only is None or name == only:
            _register(app, name)
    return app


def _command_in(args: Sequence[str]) -> str | None:
    """The command ``args`` name, past the global options; None for help or a mistake."""
    tokens = iter(args)
    for token in tokens:
        if token == "--db":
            next(tokens, None)
        elif not token.startswith("-"):
            return token if token in COMMANDS else None
    return None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screenings {__version__}")
        raise typer.Exit()


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
        bool,
        typer.Option(
            "--dayfirst",
            help=(
                "Read numeric dates such as 11/06/2013 day first (--monthfirst: month "
                "first; not both). Default: $SCREENINGS_DATE_ORDER (dayfirst or "
                "monthfirst); with neither, a date that reads both ways is refused."
            ),
        ),
    ] = False,
    monthfirst: options.MonthFirst = False,
    immutable: Annotated[
        bool,
        typer.Option(
            "--immutable",
            help=(
                "Read a SQLite file with no locks and no -shm/-wal files beside it: for a "
                "file that nothing writes to while it is read (on read-only media, say); "
                "never assumed. Commands that write refuse it. Same as ?immutable=1 in "
                "the URL."
            ),
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = State(db, options.day_order(dayfirst, monthfirst), immutable)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    The one place where errors become messages: a ``ScreeningsError`` or a
    usage error is one line on stderr and its exit code; Ctrl-C is exit 130.
    A stdout that cannot be written (a full device, a closed descriptor) is one line
    and exit 2, whatever the command; a reader that stopped reading (``| head``) ends
    it quietly, exit 0.
    A file's name that the system cannot look up (too long, a loop of links), met by
    whichever door, is one line and exit 2 (``_unusable_name``). Anything else is a bug
    and keeps its traceback.
    """
    args = list(argv) if argv is not None else sys.argv[1:]
    command_line = None
    try:
        command_line = build_app(_command_in(args))
        try:
            with output.guarded():
                result = command_line(args=args, prog_name="screenings", standalone_mode=False)
        finally:
            from screenings.cli.context import close_engines

            close_engines()
    except output.StdoutFailed as failed:
        output.discard_pending(failed)
        if failed.reader_gone:
            return 0
        return _fail(failed.message, STDOUT_FAILED)
    except ScreeningsError as exc:
        return _fail(exc.said(_names(command_line, args)), exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown command or option, bad value
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help is the answer
            typer.echo(exc.format_message(), err=True)
            return exc.exit_code
        return _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        return _fail(INTERRUPTED, 130)
    except (OSError, RuntimeError) as exc:
        said = _unusable_name(exc)
        if said is None:
            raise
        return _fail(said, InvalidInput.exit_code)
    if result == 130:  # Typer turns Ctrl-C into a silent exit 130
        return _fail(INTERRUPTED, 130)
    return result if isinstance(result, int) else 0


INTERRUPTED = "interrupted; nothing was written"
_NAME_ERRORS = {errno.ENAMETOOLONG: "File name too long", errno.ELOOP: "a loop of symbolic links"}


def _unusable_name(exc: OSError | RuntimeError) -> str | None:
    """The one line for a file's name, given by the user, that the system cannot look up
    (too long, a loop of links), whichever door met it first (a file to import, ``-o``, a
    backup's PATH): the name, and why. Raised before anything is written: the look-up is
    what fails. None for any other error (a bug: it keeps its traceback)."""
    if isinstance(exc, OSError):
        if exc.errno not in _NAME_ERRORS or exc.filename is None:
            return None
        return f"{os.fsdecode(exc.filename)}: {_NAME_ERRORS[exc.errno]}"
    loop = str(exc).removeprefix("Symlink loop from ")  # pathlib's, before Python 3.13
    if loop == str(exc):
        return None
    return f"{loop.strip(chr(39))}: {_NAME_ERRORS[errno.ELOOP]}"


# As for any output the user named that cannot be written (``export -o``).
STDOUT_FAILED = InvalidInput.exit_code


def _names(command_line: typer.Typer | None, args: list[str]) -> Names:
    """How the command that ran names a field (``options.command_names``)."""
    if command_line is None:
        return own
    return options.command_names(typer.main.get_command(command_line), args)


def _fail(message: str, code: int) -> int:
    typer.echo(f"screenings: error: {message}", err=True)
    return code


def main() -> None:
    code = run()
    # The process ends here, and the memory with it: the objects it made (a hundred
    # thousand and more of SQLAlchemy's, and of a large import's) are left out of the
    # collection Python makes at its end, which took 0.06-0.1 s of an unchanged 0.8 s
    # re-import (#21). Python's end still flushes the standard streams and runs atexit;
    # but what only that collection would have closed (a connection or a file caught in
    # a cycle) is never closed now: close what you open. run() disposes the engines,
    # the commands close their files (tests/test_cli.py checks a whole process's).
    gc.freeze()
    sys.exit(code)


def __getattr__(name: str) -> typer.Typer:
    # ``screenings.cli.app``: every command, for help walks and tests; built when asked for.
    if name == "app":
        return build_app()
    raise AttributeError(name)
