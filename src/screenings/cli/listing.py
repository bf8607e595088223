"""``screenings list [KIND]``: query the catalogue; screenings by default."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from screenings.cli.context import state
from screenings.cli.render import FORMATS, emit, say_notes
from screenings.errors import InvalidInput

KINDS = (
    "screenings",
    "films",
    "people",
    "festivals",
    "editions",
    "venues",
    "awards",
    "nominations",
)

# Which filters each kind takes; any other given is an error, never ignored.
ALLOWED: dict[str, set[str]] = {
    "screenings": {
        "film",
        "person",
        "director",
        "festival",
        "edition",
        "year",
        "venue",
        "city",
        "country",
        "from",
        "to",
        "on",
        "in",
        "upcoming",
        "status",
        "kind",
        "section",
        "audience",
        "include-private",
        "sort",
    },
    "films": {"person", "director", "festival", "edition", "year"},
    "people": {"film"},
    "festivals": {"city", "country"},
    "editions": {"festival", "year"},
    "venues": {"city", "country"},
    "awards": {"festival"},
    "nominations": {"award", "film", "person", "festival", "year", "result"},
}

Opt = typer.Option


def list_(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help="What to list: " + ", ".join(KINDS) + ".")
    ] = "screenings",
    film: Annotated[
        str | None, Opt("--film", help="A film: title, unique prefix, 'Title (2012)' or #ID.")
    ] = None,
    person: Annotated[str | None, Opt("--person", help="Anyone credited on the film.")] = None,
    director: Annotated[str | None, Opt("--director", help="A director of the film.")] = None,
    festival: Annotated[
        str | None, Opt("--festival", help="A festival (all its editions).")
    ] = None,
    edition: Annotated[
        str | None, Opt("--edition", help="An edition: 'Sheffield Doc/Fest 2013'.")
    ] = None,
    year: Annotated[
        int | None, Opt("--year", help="With --festival: that edition. Films: the film's year.")
    ] = None,
    venue: Annotated[
        str | None, Opt("--venue", help="A venue: name, 'Name (City)' or #ID.")
    ] = None,
    city: Annotated[
        str | None, Opt("--city", help="A city (the venue's, else the screening's).")
    ] = None,
    country: Annotated[
        str | None, Opt("--country", help="A country (the venue's, else the festival's).")
    ] = None,
    from_: Annotated[
        str | None, Opt("--from", help="From this date or range on (local dates).")
    ] = None,
    to: Annotated[str | None, Opt("--to", help="Up to this date or range, included.")] = None,
    on: Annotated[str | None, Opt("--on", help="On this day.")] = None,
    in_: Annotated[
        str | None, Opt("--in", help="In 'June 2013', '2013', 'this week', 'next month', ...")
    ] = None,
    upcoming: Annotated[
        bool, Opt("--upcoming", help="Only screenings that have not started.")
    ] = False,
    status: Annotated[
        list[str] | None,
        Opt("--status", help="scheduled, tentative, postponed, cancelled (repeatable)."),
    ] = None,
    kind_: Annotated[
        list[str] | None, Opt("--kind", help="regular, special, gala, press, ... (repeatable).")
    ] = None,
    section: Annotated[
        str | None, Opt("--section", help="The programme section of the film's selection.")
    ] = None,
    audience: Annotated[
        str | None, Opt("--audience", help="The audience, e.g. 'members of parliament'.")
    ] = None,
    include_private: Annotated[
        bool, Opt("--include-private", help="Include private screenings.")
    ] = False,
    award: Annotated[str | None, Opt("--award", help="Nominations: an award.")] = None,
    result: Annotated[
        str | None, Opt("--result", help="Nominations: nominated, won, special_mention.")
    ] = None,
    sort: Annotated[
        str | None, Opt("--sort", help="Screenings: start (default), -start, film, venue, updated.")
    ] = None,
    limit: Annotated[int | None, Opt("--limit", help="At most this many rows.")] = None,
    fmt: Annotated[
        str, Opt("--format", help="table, json or csv (see the README's output contract).")
    ] = "table",
) -> None:
    """List screenings (by default) or another kind of record, filtered.

    Screenings come in order of their day, then their start; one whose time is
    not known comes first in its day and shows "time TBA". Private screenings
    are left out unless --include-private.

    Filters by kind: screenings: all but --award and --result. films: --person,
    --director, --festival, --edition, --year. people: --film. festivals and
    venues: --city, --country. editions: --festival, --year. awards:
    --festival. nominations: --award, --film, --person, --festival, --year,
    --result. Every kind takes --limit and --format.

    Examples:

      screenings list --film "The Defector" --in 2013

      screenings list --edition "Sheffield Doc/Fest 2013" --format json

      screenings list nominations --festival "Sheffield Doc/Fest" --year 2013
    """
    if kind not in KINDS:
        raise InvalidInput(f"list: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise InvalidInput(
            f"--format: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    given = {
        "film": film,
        "person": person,
        "director": director,
        "festival": festival,
        "edition": edition,
        "year": year,
        "venue": venue,
        "city": city,
        "country": country,
        "from": from_,
        "to": to,
        "on": on,
        "in": in_,
        "upcoming": upcoming or None,
        "status": status or None,
        "kind": kind_ or None,
        "section": section,
        "audience": audience,
        "include-private": include_private or None,
        "award": award,
        "result": result,
        "sort": sort,
    }
    wrong = sorted(
        name for name, value in given.items() if value is not None and name not in ALLOWED[kind]
    )
    if wrong:
        raise InvalidInput(
            f"--{wrong[0]}: does not apply to 'list {kind}'; it takes "
            + (", ".join(f"--{o}" for o in sorted(ALLOWED[kind])) or "no filters")
            + ", --limit and --format"
        )
    from screenings.db import unit_of_work

    settings = state(ctx).settings
    engine = state(ctx).catalogue()
    with unit_of_work(engine, write=False) as session:
        if kind == "screenings":
            from screenings.query import ScreeningQuery
            from screenings.records import ScreeningView

            query = ScreeningQuery(
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
                kinds=tuple(k.lower() for k in kind_ or ()),
                section=section,
                audience=audience,
                include_private=include_private,
                limit=limit,
                sort=sort or "start",
                default_length_minutes=settings.default_duration_minutes,
            )
            found = query.run(session)
            say_notes(found.notes)
            emit(kind, ScreeningView, found.screenings, fmt)
            return
        from screenings.services import listing

        options: dict[str, Any] = {
            name.replace("-", "_"): value
            for name, value in given.items()
            if name in ALLOWED[kind] and value is not None
        }
        listed = getattr(listing, f"list_{kind}")(session, limit=_limit(limit), **options)
        say_notes(listed.notes)
        view_type = _VIEW_TYPES[kind]
        emit(kind, view_type, listed.rows, fmt)


def _limit(limit: int | None) -> int | None:
    if limit is not None and limit < 1:
        raise InvalidInput(f"--limit: expected a positive number, got {limit}")
    return limit


def date_span(
    from_: str | None, to: str | None, on: str | None, in_: str | None, dayfirst: bool | None
) -> Any:
    from screenings.timeparse import DateRange, parse_range

    if on and (from_ or to or in_):
        raise InvalidInput("--on: give a single day with --on, or a span with --from/--to/--in")
    if in_ and (from_ or to):
        raise InvalidInput("--in: give a span with --in, or with --from/--to, not both")
    today = dt.date.today()
    if on:
        day = parse_range(on, what="--on", dayfirst=dayfirst, today=today)
        if day.first != day.last:
            raise InvalidInput(f"--on: {on!r} is more than a day; use --in for a span")
        return day
    if in_:
        return parse_range(in_, what="--in", dayfirst=dayfirst, today=today)
    if not (from_ or to):
        return None
    first = (
        parse_range(from_, what="--from", dayfirst=dayfirst, today=today).first
        if from_
        else dt.date.min
    )
    last = parse_range(to, what="--to", dayfirst=dayfirst, today=today).last if to else dt.date.max
    if last < first:
        raise InvalidInput(f"--to: {to!r} ends before --from {from_!r} begins")
    return DateRange(first, last)


def _view_types() -> dict[str, type]:
    from screenings import records

    return {
        "films": records.FilmView,
        "people": records.PersonView,
        "festivals": records.FestivalView,
        "editions": records.EditionView,
        "venues": records.VenueView,
        "awards": records.AwardView,
        "nominations": records.NominationView,
    }


class _LazyTypes(dict[str, type]):
    def __missing__(self, key: str) -> type:
        self.update(_view_types())
        return self[key]


_VIEW_TYPES = _LazyTypes()
