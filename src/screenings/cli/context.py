"""What every command receives from the root callback: the settings, and the open database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from screenings.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


# Engines the commands of this process opened: closed when the command ends (run()), so
# that a process running many commands (the tests) does not pile up connections.
OPEN_ENGINES: list[Engine] = []


def close_engines() -> None:
    while OPEN_ENGINES:
        OPEN_ENGINES.pop().dispose()


@dataclass
class State:
    """Built by the root callback from ``--db``; settings and engine are made when first asked."""

    db_option: str | None
    dayfirst_option: bool | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.db_option, dayfirst=self.dayfirst_option)
        return self._settings

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
        from pathlib import Path

        from sqlalchemy.engine import make_url

        url = make_url(self.settings.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database)
            if not path.exists():
                from screenings.errors import InvalidInput

                raise InvalidInput(
                    f"{self.settings.database_source}: no catalogue at {path}; "
                    "import or add something first, or check the path"
                )

    def catalogue(self) -> Engine:
        """The engine, once the database is known to be at this version's revision.

        First use creates a new database; an older SQLite one is backed up and
        upgraded (a one-line notice on stderr); anything else is refused.
        """
        from screenings.migrate import ensure_schema

        engine = self.engine()
        notice = ensure_schema(engine)
        if notice:
            typer.echo(f"screenings: {notice}", err=True)
        return engine


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
    from screenings.errors import InvalidInput

    found = []
    for value in values or ():
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise InvalidInput(f"{what}: expected {example}, got {value!r}")
        found.append((key.strip(), rest.strip()))
    return found
