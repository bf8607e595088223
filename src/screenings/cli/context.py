"""What every command receives from the root callback: the settings, and the open database."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from screenings.config import Settings, load_settings
from screenings.errors import DatabaseState, DatabaseUnavailable, InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from screenings.migrate import Status


# Engines the commands of this process opened: closed when the command ends (run()), so
# that a process running many commands (the tests) does not pile up connections.
OPEN_ENGINES: list[Engine] = []


def close_engines() -> None:
    while OPEN_ENGINES:
        OPEN_ENGINES.pop().dispose()


@dataclass
class State:
    """Built by the root callback from ``--db``; settings and engine are made when first asked.

    A command that writes opens the catalogue with ``catalogue()``; one that only reads
    (list, show, check, export, serve, feed list, db stats) with ``reader()``, which
    never creates or changes a database beyond upgrading an older SQLite file where it
    can be written.
    """

    db_option: str | None
    dayfirst_option: bool | None = None
    immutable_option: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _reader: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(
                self.db_option, dayfirst=self.dayfirst_option, immutable=self.immutable_option
            )
        return self._settings

    def sqlite_path(self) -> Path | None:
        """The SQLite file of the configured database; None for PostgreSQL."""
        from sqlalchemy.engine import make_url

        url = make_url(self.settings.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(os.path.abspath(str(url.database)))

    def engine(self) -> Engine:
        """The engine for the configured database, without checking its revision."""
        if self._engine is None:
            from screenings.db import create_db_engine

            settings = self.settings
            self._engine = create_db_engine(settings.database_url, what=settings.database_source)
            OPEN_ENGINES.append(self._engine)
        return self._engine

    def refuse_missing_database(self) -> None:
        """``InvalidInput`` when the database is a SQLite file that does not exist yet:
        for commands that only read, where creating it would hide a mistyped path."""
        path = self.sqlite_path()
        if path is not None and not path.exists():
            raise InvalidInput(
                f"{self.settings.database_source}: no catalogue at {path}; "
                "'screenings import' or 'screenings add' creates one"
            )

    def writer(self) -> Engine:
        """The engine, for a command that writes: refused in one line when the catalogue
        was declared immutable, or its SQLite file (or its folder) cannot be written."""
        settings = self.settings
        if settings.immutable:
            where = "--immutable" if self.immutable_option else settings.database_source
            raise InvalidInput(
                f"{where}: the catalogue is declared immutable (nothing writes to it), and "
                "this command writes; leave immutable out to write"
            )
        path = self.sqlite_path()
        if path is not None:
            from screenings.db import sqlite_write_problem

            problem = sqlite_write_problem(path)
            if problem is not None:
                raise InvalidInput(f"{settings.database_source}: cannot write {path}: {problem}")
        return self.engine()

    def catalogue(self) -> Engine:
        """The engine, for a command that writes, once the database is known to be at this
        version's revision.

        First use creates a new database; an older SQLite one is backed up and
        upgraded (a one-line notice on stderr); anything else is refused.
        """
        from screenings.migrate import ensure_schema

        engine = self.writer()
        notice = ensure_schema(engine)
        if notice:
            typer.echo(f"screenings: {notice}", err=True)
        return engine

    def read_only_engine(self) -> Engine:
        """An engine that only reads (a SQLite file opened read-only, ``immutable`` if the
        user said so), without checking the revision; refused in one line where SQLite
        could not read the file."""
        if self._reader is None:
            from screenings.db import create_db_engine, sqlite_read_problem

            settings = self.settings
            engine = create_db_engine(
                settings.database_url,
                what=settings.database_source,
                read_only=True,
                immutable=settings.immutable,
            )
            path = self.sqlite_path()
            if path is not None:
                problem = sqlite_read_problem(path, immutable=settings.immutable)
                if problem is not None:
                    raise DatabaseUnavailable(f"{settings.database_source}: {problem}")
            self._reader = engine
            OPEN_ENGINES.append(engine)
        return self._reader

    def reader(self) -> Engine:
        """The engine for a command that only reads, once the catalogue is known to be at
        this version's revision. Never creates a database: a missing SQLite file, or a
        database with no catalogue in it, is ``InvalidInput``.

        An older SQLite catalogue is upgraded as ``catalogue()`` does where it can be
        written; in a read-only place, or declared immutable, or on PostgreSQL, it is
        ``DatabaseState``, saying where it must be upgraded.
        """
        from screenings.migrate import SchemaState, read_status, refuse_unusable

        self.refuse_missing_database()
        engine = self.read_only_engine()
        status = read_status(engine)
        if status.state is SchemaState.CURRENT:
            return engine
        refuse_unusable(status)
        settings = self.settings
        if status.state is SchemaState.NEW:
            raise InvalidInput(
                f"{settings.database_source}: {status.url} holds no catalogue yet; "
                "'screenings import' or 'screenings add' creates one"
            )
        if self.sqlite_path() is None:
            raise DatabaseState(f"{_older(status)}; run 'screenings db upgrade' to upgrade it")
        refusal = self.not_upgradable_here(status)
        if refusal is not None:
            raise DatabaseState(refusal)
        # The writer alone on the file, so that it can leave it out of WAL mode.
        engine.dispose()
        self.catalogue().dispose()
        return engine

    def not_upgradable_here(self, status: Status) -> str | None:
        """For a SQLite catalogue at an older revision that cannot be upgraded where it is
        (a read-only place, or declared immutable): the message saying where it must be
        upgraded. None otherwise."""
        from screenings.db import sqlite_write_problem
        from screenings.migrate import SchemaState

        path = self.sqlite_path()
        if status.state is not SchemaState.OLDER or path is None:
            return None
        problem = sqlite_write_problem(path)
        if problem is None and not self.settings.immutable:
            return None
        why = f"cannot be upgraded here ({problem})" if problem else "is declared immutable"
        return (
            f"{_older(status)}, and {why}: "
            "upgrade it where it can be written ('screenings db upgrade')"
        )


def _older(status: Status) -> str:
    from screenings.migrate import HEAD_REVISION

    return (
        f"{status.url} is at revision {status.revision or 'none'}, "
        f"older than this version's {HEAD_REVISION}"
    )


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


def pairs(values: Sequence[str] | None, what: str, example: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options as pairs; ``InvalidInput`` naming ``what`` for a bad one."""

    found = []
    for value in values or ():
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise InvalidInput(f"{what}: expected {example}, got {value!r}")
        found.append((key.strip(), rest.strip()))
    return found
