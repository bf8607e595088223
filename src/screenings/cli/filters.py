"""The screening filters every command that selects screenings takes (``list``,
``export``, ``feed create``), declared once, and the ``ScreeningQuery`` they make; and
the two date orders, which the root command and ``import`` take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from screenings.config import Settings
    from screenings.query import ScreeningQuery

Opt = typer.Option

Film = Annotated[
    str | None, Opt("--film", help="A film: title, unique prefix, 'Title (2012)' or #ID.")
]
Person = Annotated[str | None, Opt("--person", help="Anyone credited on the film.")]
Director = Annotated[str | None, Opt("--director", help="A director of the film.")]
Festival = Annotated[str | None, Opt("--festival", help="A festival (all its editions).")]
Edition = Annotated[str | None, Opt("--edition", help="An edition: 'Sheffield Doc/Fest 2013'.")]
Year = Annotated[
    int | None, Opt("--year", help="With --festival: that edition. Films: the film's year.")
]
Venue = Annotated[str | None, Opt("--venue", help="A venue: name, 'Name (City)' or #ID.")]
City = Annotated[str | None, Opt("--city", help="A city (the venue's, else the screening's).")]
Country = Annotated[
    str | None, Opt("--country", help="A country (the venue's, else the festival's).")
]
From = Annotated[str | None, Opt("--from", help="From this date or range on (local dates).")]
To = Annotated[str | None, Opt("--to", help="Up to this date or range, included.")]
On = Annotated[str | None, Opt("--on", help="On this day.")]
In = Annotated[
    str | None, Opt("--in", help="In 'June 2013', '2013', 'this week', 'next month', ...")
]
Upcoming = Annotated[bool, Opt("--upcoming", help="Only screenings that have not started.")]
Status = Annotated[
    list[str] | None,
    Opt("--status", help="scheduled, tentative, postponed, cancelled (repeatable)."),
]
Kind = Annotated[
    list[str] | None, Opt("--kind", help="regular, special, gala, press, ... (repeatable).")
]
Section = Annotated[
    str | None, Opt("--section", help="The programme section of the film's selection.")
]
Audience = Annotated[
    str | None, Opt("--audience", help="The audience, e.g. 'members of parliament'.")
]
IncludePrivate = Annotated[bool, Opt("--include-private", help="Include private screenings.")]

# Beside a command's own --dayfirst, whose help says what the two do (``day_order``).
MonthFirst = Annotated[bool, Opt("--monthfirst", help="Read numeric dates month first.")]


def day_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    """The date order ``--dayfirst``/``--monthfirst`` say (True day first, False month
    first, None neither); both at once are refused (``rules.day_order``)."""
    from screenings.rules import day_order as rule

    return rule(dayfirst, monthfirst, what="--dayfirst, --monthfirst")


# The filters above, by the name of the command's parameter that takes each.
NAMES = ("film", "person", "director", "festival", "edition", "year", "venue", "city",
         "country", "from_", "to", "on", "in_", "upcoming", "status", "kind", "section",
         "audience", "include_private")  # fmt: skip


def screening_query(
    settings: Settings,
    given: Mapping[str, Any],
    *,
    kind: str = "kind",
    limit: int | None = None,
    sort: str | None = None,
) -> ScreeningQuery:
    """The query the filters in ``given`` stand for (a command's parameters, by the names
    in ``NAMES``; ``kind`` names the parameter that holds --kind); dates are read in
    the configured date order; free text is judged as every door judges it
    (``services.criteria``)."""
    from screenings.cli.options import option_names
    from screenings.query import ScreeningQuery
    from screenings.services.criteria import checked_query

    value = {name: given.get(name) for name in NAMES}
    value["kind"] = given.get(kind)
    query = ScreeningQuery(
        film=value["film"],
        person=value["person"],
        director=value["director"],
        festival=value["festival"],
        edition=value["edition"],
        year=value["year"],
        venue=value["venue"],
        city=value["city"],
        country=value["country"],
        dates=date_span(value["from_"], value["to"], value["on"], value["in_"], settings.dayfirst),
        upcoming_from=dt.datetime.now(dt.UTC) if value["upcoming"] else None,
        statuses=tuple(value["status"] or ()),
        kinds=tuple(value["kind"] or ()),
        section=value["section"],
        audience=value["audience"],
        include_private=bool(value["include_private"]),
        limit=limit,
        sort=sort or "start",
        default_length_minutes=settings.default_duration_minutes,
    )
    return checked_query(query, option_names())


def date_span(
    from_: str | None, to: str | None, on: str | None, in_: str | None, dayfirst: bool | None
) -> Any:
    """The local dates ``--from``/``--to``/``--on``/``--in`` say, read against today."""
    from screenings.timeparse import date_span as span

    return span(from_, to, on, in_, dayfirst=dayfirst, today=dt.date.today())
