"""How the command line names the field an error is about (``errors.ScreeningsError``):
by the option or argument of the command that ran, so that a service's refusal reads
``--ticket-url: ...``; the numbers an edit takes, which ``""`` clears; and the two
date orders, which the root command and ``import`` take."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from screenings.errors import InvalidInput, Names
from screenings.services.fields import FloatOrClear, IntOrClear

# Beside a command's own --dayfirst, whose help says what the two do (``day_order``).
MonthFirst = Annotated[bool, typer.Option("--monthfirst", help="Read numeric dates month first.")]

# The fields whose option is not ``--`` and the field's name with dashes.
RENAMED = {
    "runtime_minutes": "--runtime",
    "duration_minutes": "--duration",
    "imdb_id": "--imdb",
    "countries": "--country",
    "languages": "--language",
    "directors": "--director",
    "producers": "--producer",
    "credits": "--credit",
    "links": "--link",
    "new_name": "--name",
    "when": "--at",
    "starts_on": "--from",
    "ends_on": "--to",
    "latitude": "--lat",
    "longitude": "--lon",
    "statuses": "--status",
    "kinds": "--kind",
    "confirmed": "--yes",
    "refresh_minutes": "--refresh",
}


def command_names(command: Any, args: Sequence[str]) -> Names:
    """How the command that ``args`` run (in ``command``, the click command of the whole
    command line) names a field (``names_of``)."""
    # Typer carries its own copy of click: its classes are known by what they say they are.
    chain = [command]
    for arg in args:
        if arg in getattr(command, "commands", {}):
            command = command.commands[arg]
            chain.append(command)
    return names_of(chain)


def context_names(ctx: Any) -> Names:
    """How the command running in ``ctx`` (a Typer context) names a field."""
    chain: list[Any] = []
    while ctx is not None:
        chain.insert(0, ctx.command)
        ctx = ctx.parent
    return names_of(chain)


def names_of(chain: Sequence[Any]) -> Names:
    """How a command (the last of ``chain``, after the groups it is in) names a field: by
    its option (``--ticket-url``; ``--runtime`` for ``runtime_minutes``, ``RENAMED``),
    else by its argument as the usage line shows it (``TITLE``), else by the field's own
    name (something no option gives, or named by a door already: ``column 'Date'``)."""
    options: set[str] = set()
    arguments: dict[str, str] = {}
    for each in chain:
        for param in each.params:
            if param.param_type_name == "option":
                options.update(param.opts)
            elif param.name:
                arguments[param.name] = param.metavar or param.name.upper()

    def name(field: str) -> str:
        for option in (RENAMED.get(field), "--" + field.replace("_", "-")):
            if option in options:
                return option
        return arguments.get(field, field)

    return name


def whole_number(text: str | None, what: str) -> IntOrClear | None:
    """The whole number an option gives (an option typed as text, since a number option
    cannot be given ``""``): None when not given, ``""`` when given empty (an edit clears
    the value), else the number; ``InvalidInput`` naming ``what`` otherwise."""
    if text is None or not text.strip():
        return None if text is None else ""
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what}: {text[:80]!r} is not a whole number") from None


def decimal_number(text: str | None, what: str) -> FloatOrClear | None:
    """As ``whole_number``, for a number such as ``53.38``."""
    if text is None or not text.strip():
        return None if text is None else ""
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{what}: {text[:80]!r} is not a number")
    return number


def day_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    """The date order ``--dayfirst``/``--monthfirst`` say (True day first, False month
    first, None neither); both at once are refused (``rules.day_order``)."""
    # Here, not at the top: the rules read unicodedata and urllib, which --help never needs.
    from screenings.rules import day_order as order_rule

    return order_rule(dayfirst, monthfirst, what="--dayfirst, --monthfirst")


# The arguments of ``add travel`` and ``edit travel``.
Venue = Annotated[str, typer.Argument(help="A venue: name, 'Name (City)' or #ID.")]
OtherVenue = Annotated[str, typer.Argument(help="Another venue.")]
Minutes = Annotated[int, typer.Argument(help="Minutes between them, either way.")]
