"""The screening filters of the commands that select screenings (``list``, ``export``,
``feed create``, ``check``): options made from the filters ``screenings.filters``
declares, and the ``ScreeningQuery`` they make."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from screenings.filters import CLI, filters_for

if TYPE_CHECKING:
    from screenings.config import Settings
    from screenings.filters import Filter
    from screenings.query import ScreeningQuery

Command = TypeVar("Command", bound=Callable[..., Any])
_PREFIX = "filter_"  # a filter's parameter: never the name of a command's own


def _parameter(declared: Filter) -> inspect.Parameter:
    option = typer.Option(declared.cli_option, help=declared.help)
    hint: Any = {str: str | None, int: int | None, bool: bool, list: list[str] | None}
    default = False if declared.type is bool else None
    return inspect.Parameter(
        _PREFIX + declared.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[hint[declared.type], option],
    )


def with_filters(*only: str) -> Callable[[Command], Command]:
    """A command with an option for each filter the command line offers (``FILTERS``;
    ``only`` these, when named), after its own parameters; it is called with their
    values as ``filters``, by filter name (a filter not given is None or False)."""
    chosen = [f for f in filters_for(CLI) if not only or f.name in only]
    assert len(chosen) == len(only) or not only, f"not a command-line filter: {only}"

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "filters"]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {
                name.removeprefix(_PREFIX): kwargs.pop(name)
                for name in list(kwargs)
                if name.startswith(_PREFIX)
            }
            return command(*args, filters=given, **kwargs)

        # Typer reads a command's options from its signature and its annotations.
        parameters = [*own, *(_parameter(declared) for declared in chosen)]
        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run  # type: ignore[return-value]

    return decorate


def screening_query(
    settings: Settings,
    given: Mapping[str, Any],
    *,
    limit: int | None = None,
    sort: str | None = None,
) -> ScreeningQuery:
    """The query the filters ``given`` (by filter name) stand for; dates are read in the
    configured date order against today, free text judged as every door judges it."""
    from screenings.query import from_filters  # SQLAlchemy: not for --help

    return from_filters(
        given,
        today=dt.date.today(),
        now=dt.datetime.now(dt.UTC),
        dayfirst=settings.dayfirst,
        default_length_minutes=settings.default_duration_minutes,
        limit=limit,
        sort=sort or "start",
    )
