"""The screening filters every command that selects screenings takes (``list``,
``export``), declared once, and the ``ScreeningQuery`` they make."""

from __future__ import annotations

import datetime as dt
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


def screening_query(
    settings: Settings,
    *,
    film: str | None = None,
    person: str | None = None,
    director: str | None = None,
    festival: str | None = None,
    edition: str | None = None,
    year: int | None = None,
    venue: str | None = None,
    city: str | None = None,
    country: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    on: str | None = None,
    in_: str | None = None,
    upcoming: bool = False,
    status: list[str] | None = None,
    kind: list[str] | None = None,
    section: str | None = None,
    audience: str | None = None,
    include_private: bool = False,
    limit: int | None = None,
    sort: str | None = None,
) -> ScreeningQuery:
    """The query the filters stand for; dates are read in the configured date order."""
    from screenings.query import ScreeningQuery

    return ScreeningQuery(
        film=film,
        person=person,
        director=director,
        festival=festival,
        edition=edition,
        year=year,
        venue=venue,
        city=city,
        country=country,
        dates=date_span(from_, to, on, in_, settings.dayfirst),
        upcoming_from=dt.datetime.now(dt.UTC) if upcoming else None,
        statuses=tuple(status or ()),
        kinds=tuple(k.lower() for k in kind or ()),
        section=section,
        audience=audience,
        include_private=include_private,
        limit=limit,
        sort=sort or "start",
        default_length_minutes=settings.default_duration_minutes,
    )


def date_span(
    from_: str | None, to: str | None, on: str | None, in_: str | None, dayfirst: bool | None
) -> Any:
    """The local dates ``--from``/``--to``/``--on``/``--in`` say, read against today."""
    from screenings.timeparse import date_span as span

    return span(from_, to, on, in_, dayfirst=dayfirst, today=dt.date.today())
