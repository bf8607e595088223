"""``screenings list [KIND]``: query the catalogue; screenings by default."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from screenings import records
from screenings.cli.context import state
from screenings.cli.filters import screening_query, with_filters
from screenings.cli.render import emit, say_notes
from screenings.errors import InvalidInput
from screenings.filters import CLI, FILTERS, filters_for
from screenings.outputs import FORMATS, LINKED
from screenings.records import CONTRACT_VERSION, ScreeningView

KINDS = (
    "screenings",
    "films",
    "people",
    "festivals",
    "editions",
    "venues",
    "programmes",
    "awards",
    "nominations",
    "travel",
)

# Which filters each kind takes, by name; any other given is an error, never ignored.
# Screenings take every filter the command line offers (``query.FILTERS``), and --sort.
ALLOWED: dict[str, set[str]] = {
    "screenings": {*(f.name for f in filters_for(CLI)), "sort"},
    "films": {"person", "director", "festival", "edition", "year"},
    "people": {"film"},
    "festivals": {"city", "country"},
    "editions": {"festival", "year"},
    "venues": {"city", "country"},
    "programmes": {"festival", "edition", "film"},
    "awards": {"festival"},
    "nominations": {"award", "film", "person", "festival", "year", "result"},
    "travel": {"venue"},
}
OPTIONS = {f.name: f.cli_option for f in FILTERS} | {
    "award": "--award",
    "result": "--result",
    "sort": "--sort",
}

Opt = typer.Option


@with_filters()
def list_(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help="What to list: " + ", ".join(KINDS) + ".")
    ] = "screenings",
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
            help="table, json or csv (see docs/output.md); screenings: also ics.",
        ),
    ] = "table",
    contract: Annotated[
        int,
        Opt(
            "--contract",
            help="Screenings, json or csv: 1 for the older contract (one film a screening; "
            "programme screenings left out, said on stderr).",
        ),
    ] = CONTRACT_VERSION,
    *,
    filters: dict[str, Any],
) -> None:
    """List screenings (by default) or another kind of record, filtered.

    Screenings come in order of their day, then their start; one whose time is
    not known comes last in its day and shows "time TBA". Private screenings
    are left out unless --include-private.

    Filters by kind: screenings: all but --award and --result. films: --person,
    --director, --festival, --edition, --year (alone: the film's year). people:
    --film. festivals and venues: --city, --country. editions: --festival,
    --year. programmes: --festival, --edition, --film. awards: --festival. nominations:
    --award, --film, --person, --festival, --year, --result. travel: --venue. Every kind
    takes --limit and --format.

    Examples:

      screenings list --film "The Defector" --in 2013

      screenings list --edition "Sheffield Doc/Fest 2013" --format json

      screenings list nominations --festival "Sheffield Doc/Fest" --year 2013
    """
    if kind not in KINDS:
        raise InvalidInput(f"list: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if contract != CONTRACT_VERSION and (kind != "screenings" or fmt not in ("json", "csv")):
        raise InvalidInput("--contract: only for screenings, as json or csv")
    # The terminal's table, or a registered format: of screenings, or of any rows.
    formats = ["table", *(n for n, f in FORMATS.items() if f.rows)]
    # A frab schedule links to the site's pages: 'export' writes one, with --base-url.
    formats += [n for n in FORMATS if kind == "screenings" and n not in formats and n not in LINKED]
    if fmt not in formats:
        raise InvalidInput(
            f"--format: unknown format {fmt!r} for {kind}; expected one of {', '.join(formats)}"
        )
    given = {**filters, "award": award, "result": result, "sort": sort}
    wrong = sorted(
        OPTIONS[name]
        for name, value in given.items()
        if value not in (None, False) and name not in ALLOWED[kind]
    )
    if wrong:
        raise InvalidInput(
            f"{wrong[0]}: does not apply to 'list {kind}'; it takes "
            + (", ".join(sorted(OPTIONS[name] for name in ALLOWED[kind])) or "no filters")
            + ", --limit and --format"
        )
    from screenings.db import unit_of_work

    settings = state(ctx).settings
    engine = state(ctx).reader()
    with unit_of_work(engine, write=False) as session:
        if kind == "screenings":
            query = screening_query(settings, filters, limit=limit, sort=sort)
            if fmt != "table":
                from screenings.cli.export import write_output
                from screenings.services.feeds import FeedOptions

                options = FeedOptions(
                    settings.feed_domain, zone=settings.default_timezone, contract=contract
                )
                write_output(session, query, options, FORMATS[fmt], None)
                return
            found = query.run(session)
            say_notes(found.notes)
            emit(kind, ScreeningView, found.screenings, fmt, query.focus(session))
            return
        from screenings.services import listing

        given_filters: dict[str, Any] = {
            name: value
            for name, value in given.items()
            if name in ALLOWED[kind] and value not in (None, False)
        }
        listed = getattr(listing, f"list_{kind}")(session, limit=_limit(limit), **given_filters)
        say_notes(listed.notes)
        view_type = _VIEW_TYPES[kind]
        emit(kind, view_type, listed.rows, fmt)


def _limit(limit: int | None) -> int | None:
    if limit is not None and limit < 1:
        raise InvalidInput(f"--limit: expected a positive number, got {limit}")
    return limit


# The rows of each kind but screenings (``ScreeningQuery``'s).
_VIEW_TYPES: dict[str, type] = {
    "films": records.FilmView,
    "people": records.PersonView,
    "festivals": records.FestivalView,
    "editions": records.EditionView,
    "venues": records.VenueView,
    "programmes": records.ProgrammeView,
    "awards": records.AwardView,
    "nominations": records.NominationView,
    "travel": records.TravelView,
}
