"""``screenings list [KIND]``: query the catalogue; screenings by default."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from screenings.cli import filters
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
    film: filters.Film = None,
    person: filters.Person = None,
    director: filters.Director = None,
    festival: filters.Festival = None,
    edition: filters.Edition = None,
    year: filters.Year = None,
    venue: filters.Venue = None,
    city: filters.City = None,
    country: filters.Country = None,
    from_: filters.From = None,
    to: filters.To = None,
    on: filters.On = None,
    in_: filters.In = None,
    upcoming: filters.Upcoming = False,
    status: filters.Status = None,
    kind_: filters.Kind = None,
    section: filters.Section = None,
    audience: filters.Audience = None,
    include_private: filters.IncludePrivate = False,
    award: Annotated[str | None, Opt("--award", help="Nominations: an award.")] = None,
    result: Annotated[
        str | None, Opt("--result", help="Nominations: nominated, won, special_mention.")
    ] = None,
    sort: Annotated[
        str | None, Opt("--sort", help="Screenings: start (default), -start, film, venue, updated.")
    ] = None,
    limit: Annotated[int | None, Opt("--limit", help="At most this many rows.")] = None,
    fmt: Annotated[
        str,
        Opt(
            "--format",
            help="table, json or csv (see the README's output contract); screenings: also ics.",
        ),
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
    formats = (*FORMATS, "ics") if kind == "screenings" else FORMATS
    if fmt not in formats:
        raise InvalidInput(
            f"--format: unknown format {fmt!r} for {kind}; expected one of {', '.join(formats)}"
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
    engine = state(ctx).reader()
    with unit_of_work(engine, write=False) as session:
        if kind == "screenings":
            from screenings.records import ScreeningView

            query = filters.screening_query(
                settings, locals(), kind="kind_", limit=limit, sort=sort
            )
            if fmt == "ics":
                from screenings.cli.export import write_feed
                from screenings.services.feeds import FeedOptions

                options = FeedOptions(settings.feed_domain, zone=settings.default_timezone)
                write_feed(session, query, options, None)
                return
            found = query.run(session)
            say_notes(found.notes)
            emit(kind, ScreeningView, found.screenings, fmt)
            return
        from screenings.services import listing

        given_filters: dict[str, Any] = {
            name.replace("-", "_"): value
            for name, value in given.items()
            if name in ALLOWED[kind] and value is not None
        }
        listed = getattr(listing, f"list_{kind}")(session, limit=_limit(limit), **given_filters)
        say_notes(listed.notes)
        view_type = _VIEW_TYPES[kind]
        emit(kind, view_type, listed.rows, fmt)


def _limit(limit: int | None) -> int | None:
    if limit is not None and limit < 1:
        raise InvalidInput(f"--limit: expected a positive number, got {limit}")
    return limit


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
