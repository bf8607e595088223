"""What every command receives from the root callback: the settings, and the open database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from screenings.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from screenings.config import Settings
    from screenings.migrate import Door


# Engines the commands of this process opened: closed when the command ends (run()), so
# that a process running many commands (the tests) does not pile up connections.
OPEN_ENGINES: list[Engine] = []


def close_engines() -> None:
    while OPEN_ENGINES:
        OPEN_ENGINES.pop().dispose()


@dataclass
class State:
    """Built by the root callback from ``--db``; settings and engines are made when asked.

    A command that writes opens the catalogue with ``catalogue()``; one that only reads
    (list, show, check, export, feed list, db stats) with ``reader()``, which never
    creates or changes a database beyond upgrading an older SQLite file where it can be
    written; ``serve`` checks it with ``servable()``. Whether and how is for
    ``screenings.migrate.open_catalogue`` to say: this only asks, and prints its notice.
    """

    db_option: str | None
    dayfirst_option: bool | None = None
    immutable_option: bool = False
    # The command edits records in place (edit ...): see migrate.Door.FIX.
    fixing: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _writer: Engine | None = field(default=None, repr=False)
    # A dry run's catalogue in memory, for a file not there yet (_open): one for the command.
    _trial: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        # Here, not at the top: the top-level help needs no settings.
        from screenings.config import load_settings

        if self._settings is None:
            self._settings = load_settings(
                self.db_option, dayfirst=self.dayfirst_option, immutable=self.immutable_option
            )
        return self._settings

    def _open(self, door: Door, *, dry_run: bool = False) -> Engine:
        from screenings.migrate import open_catalogue, would_create

        if dry_run and self._trial is not None:
            return self._trial
        settings = self.settings
        url, what, immutable = settings.database_url, settings.database_source, settings.immutable
        immutable_by = "--immutable" if self.immutable_option else None
        # A dry run on a SQLite file not there yet: refused as the real run would be where
        # that can be told, then tried on a new, empty catalogue in memory, kept for the
        # rest of the command (its skim and its import), so that it writes nothing, not
        # even the file.
        new = None
        if dry_run:
            new = would_create(url, what=what, immutable=immutable, immutable_by=immutable_by)
        engine, notice = open_catalogue(
            url if new is None else "sqlite://",
            door,
            what=what,
            immutable=immutable,
            immutable_by=immutable_by,
        )
        OPEN_ENGINES.append(engine)
        if new is not None:
            self._trial = engine
            notice = f"dry run: no catalogue at {new} yet: tried on a new, empty one; none is made"
        if notice:
            typer.echo(f"screenings: {notice}", err=True)
        return engine

    def writer(self) -> Engine:
        """The engine, for a command that changes the schema itself (db upgrade, db
        downgrade), its revision unchecked: refused in one line where the catalogue
        cannot be written."""
        from screenings.migrate import Door

        if self._writer is None:
            self._writer = self._open(Door.MIGRATE)
        return self._writer

    def catalogue(self, *, dry_run: bool = False) -> Engine:
        """The engine, for a command that writes, once the database is at this version's
        revision: a new one is created, an older SQLite one backed up and upgraded (a
        one-line notice on stderr each), anything else refused in one line. An edit also
        works on a catalogue whose upgrade waits for it to fix a value (``Door.FIX``).
        ``dry_run`` (the command writes nothing): a SQLite file not there yet is not made;
        the command is tried on a new, empty catalogue in memory, with a notice."""
        from screenings.migrate import Door

        return self._open(Door.FIX if self.fixing else Door.WRITE, dry_run=dry_run)

    def reader(self) -> Engine:
        """The engine for a command that only reads, once the catalogue is at this
        version's revision. Never creates a database; upgrades an older SQLite catalogue
        as ``catalogue()`` does where it can be written; else refused in one line."""
        from screenings.migrate import Door

        return self._open(Door.READ)

    def read_only_engine(self) -> Engine:
        """An engine that only reads the catalogue, its revision unchecked (db current)."""
        from screenings.migrate import Door

        return self._open(Door.REPORT)

    def servable(self) -> str:
        """The catalogue's URL (password masked) once it is known that the feed server can
        serve it; else refused in one line naming what would make it servable. Checked
        read-only: even the start does not write (nor switch a file to WAL)."""
        from screenings.db import masked_url
        from screenings.migrate import Door

        engine = self._open(Door.SERVE)
        engine.dispose()  # the server's workers open their own, once forked
        return masked_url(engine.url)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def write(
    ctx: typer.Context, verb: str, what: str, action: Callable[..., Any], *args: Any, **kw: Any
) -> None:
    """Run a writing service in one unit of work, then say back what it stored."""
    from screenings.cli.render import say_stored
    from screenings.db import unit_of_work

    with unit_of_work(state(ctx).catalogue()) as session:
        saved = action(session, *args, **kw)
    say_stored(verb, what, saved)


def pairs(
    values: Sequence[str] | None, what: str, example: str, *, clears: bool = False
) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options as pairs; ``InvalidInput`` naming ``what`` for a bad one.
    ``clears``: ``KEY=`` is allowed, an empty value (it clears what KEY had)."""

    found = []
    for value in values or ():
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not (rest.strip() or clears):
            raise InvalidInput(f"{what}: expected {example}, got {value!r}")
        found.append((key.strip(), rest.strip()))
    return found
