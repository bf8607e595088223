"""``screenings add KIND ...``: put films, people, festivals, editions, venues, selections,
screenings, awards and nominations into the catalogue, and say back what was stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from screenings.cli.context import pairs, state, write
from screenings.cli.options import Minutes, OtherVenue, Venue

app = typer.Typer(
    help="Add a record to the catalogue, and say back what was stored.\n\n"
    'Example: screenings add film "The Defector" --year 2012 --director "Ann Shin"',
    no_args_is_help=True,
)
Opt = typer.Option


def _write(
    ctx: typer.Context,
    what: str,
    action: Callable[..., Any],
    *args: Any,
    **kw: Any,
) -> None:
    """Add through the service ``action``."""
    write(ctx, "Added", what, action, *args, **kw)


@app.command("film")
def film(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The title.")],
    year: Annotated[int | None, Opt("--year", help="The year of the film.")] = None,
    original_title: Annotated[str | None, Opt("--original-title")] = None,
    runtime: Annotated[int | None, Opt("--runtime", help="Minutes.")] = None,
    country: Annotated[list[str] | None, Opt("--country", help="Repeatable.")] = None,
    language: Annotated[list[str] | None, Opt("--language", help="Repeatable.")] = None,
    imdb: Annotated[str | None, Opt("--imdb", help="tt2407504, or its IMDb address.")] = None,
    director: Annotated[list[str] | None, Opt("--director", help="Repeatable.")] = None,
    producer: Annotated[list[str] | None, Opt("--producer", help="Repeatable.")] = None,
    credit: Annotated[list[str] | None, Opt("--credit", help="ROLE=NAME, repeatable.")] = None,
    link: Annotated[list[str] | None, Opt("--link", help="KIND=URL, repeatable.")] = None,
    website: Annotated[str | None, Opt("--website")] = None,
) -> None:
    """Add a film with its credits and links; people named for the first time are created.

    Example: screenings add film "The Defector: Escape from North Korea" --year 2012
    --runtime 71 --director "Ann Shin" --credit "editor=Manfred Becker"
    """
    from screenings.services.catalog import add_film

    _write(
        ctx,
        "film",
        add_film,
        title,
        year=year,
        original_title=original_title,
        runtime_minutes=runtime,
        countries=country or [],
        languages=language or [],
        imdb_id=imdb,
        directors=director or [],
        producers=producer or [],
        credits=pairs(credit, "--credit", "ROLE=NAME, e.g. editor=Manfred Becker"),
        links=pairs(link, "--link", "KIND=URL, e.g. trailer=https://..."),
        website=website,
    )


@app.command("person")
def person(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The name.")]) -> None:
    """Add a person.

    Example: screenings add person "Nick Fraser"
    """
    from screenings.services.catalog import add_person

    _write(ctx, "person", add_person, name)


@app.command("festival")
def festival(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The festival's name, without a year.")],
    city: Annotated[str | None, Opt("--city")] = None,
    country: Annotated[str | None, Opt("--country")] = None,
    timezone: Annotated[str | None, Opt("--timezone", help="IANA, e.g. Europe/London.")] = None,
    website: Annotated[str | None, Opt("--website")] = None,
) -> None:
    """Add a festival (its yearly editions are added with 'add edition').

    Example: screenings add festival "Sheffield Doc/Fest" --city Sheffield --country GB
    --timezone Europe/London
    """
    from screenings.services.catalog import add_festival

    _write(
        ctx,
        "festival",
        add_festival,
        name,
        city=city,
        country=country,
        timezone=timezone,
        website=website,
    )


@app.command("edition")
def edition(
    ctx: typer.Context,
    festival: Annotated[str, typer.Argument(help="The festival.")],
    year: Annotated[int, typer.Argument(help="The edition's year.")],
    label: Annotated[str | None, Opt("--label", help="Tells apart two runs in one year.")] = None,
    from_: Annotated[str | None, Opt("--from", help="The first day.")] = None,
    to: Annotated[str | None, Opt("--to", help="The last day.")] = None,
) -> None:
    """Add a festival's edition of a year, with its dates when known.

    Its first day is in YEAR; its last in YEAR too, or in the next one for an edition
    that runs over New Year.

    Example: screenings add edition "Sheffield Doc/Fest" 2013 --from 2013-06-12 --to 2013-06-16
    """
    from screenings.services.catalog import add_edition
    from screenings.timeparse import read_day

    dayfirst = state(ctx).settings.dayfirst
    _write(
        ctx,
        "edition",
        add_edition,
        festival,
        year,
        label=label,
        starts_on=read_day(from_, "starts_on", dayfirst, year),
        ends_on=read_day(to, "ends_on", dayfirst, year),
    )


@app.command("venue")
def venue(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The venue's name.")],
    address: Annotated[str | None, Opt("--address")] = None,
    city: Annotated[str | None, Opt("--city")] = None,
    country: Annotated[str | None, Opt("--country")] = None,
    timezone: Annotated[str | None, Opt("--timezone", help="IANA, e.g. Europe/London.")] = None,
    lat: Annotated[float | None, Opt("--lat")] = None,
    lon: Annotated[float | None, Opt("--lon")] = None,
) -> None:
    """Add a venue; its zone is every screening's there.

    Example: screenings add venue "Showroom Cinema" --city Sheffield --timezone Europe/London
    """
    from screenings.services.catalog import add_venue

    _write(
        ctx,
        "venue",
        add_venue,
        name,
        address=address,
        city=city,
        country=country,
        timezone=timezone,
        latitude=lat,
        longitude=lon,
    )


@app.command("selection")
def selection(
    ctx: typer.Context,
    film: Annotated[str, typer.Argument(help="The film.")],
    festival: Annotated[str | None, Opt("--festival")] = None,
    year: Annotated[int | None, Opt("--year", help="With --festival: the edition's year.")] = None,
    edition: Annotated[str | None, Opt("--edition", help="'Sheffield Doc/Fest 2013'.")] = None,
    section: Annotated[str | None, Opt("--section")] = None,
    premiere: Annotated[str | None, Opt("--premiere", help="e.g. 'world premiere'.")] = None,
    status: Annotated[
        str, Opt("--status", help="selected, competition, out_of_competition, withdrawn.")
    ] = "selected",
) -> None:
    """Put a film in an edition's programme, with or without dated screenings.

    Example: screenings add selection "The Defector" --festival IDFA --year 2012
    --section "Reflecting Images - Panorama"
    """
    from screenings.services.schedule import add_selection

    _write(
        ctx,
        "selection",
        add_selection,
        film,
        edition=edition,
        festival=festival,
        year=year,
        section=section,
        premiere=premiere,
        status=status,
    )


@app.command("travel")
def travel(ctx: typer.Context, first: Venue, second: OtherVenue, minutes: Minutes) -> None:
    """State the travel time between two venues, the same both ways: the planner keeps
    that much time between two screenings there (a venue to itself is 0; two venues of
    one city with no stated time take the plan's default; of two cities, none: such
    screenings are never planned on one day).

    Example: screenings add travel "Bio Rex" "Kino Regina" 10
    """
    travel_time(ctx, first, second, minutes, new=True)


def travel_time(ctx: typer.Context, first: str, second: str, minutes: int, *, new: bool) -> None:
    """``add travel`` and ``edit travel``: one service, told which it is."""
    from screenings.db import unit_of_work
    from screenings.services.plans import set_travel

    with unit_of_work(state(ctx).catalogue()) as session:
        said, changed = set_travel(session, first, second, minutes, new=new)
    verb = ("Added" if new else "Updated") if changed else "nothing changed:"
    typer.echo(f"{verb} travel: {said.first} <-> {said.second}: {said.minutes} min")


@app.command("programme")
def programme(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The title, unique within its festival.")],
    festival: Annotated[str | None, Opt("--festival")] = None,
    edition: Annotated[
        str | None, Opt("--edition", help="'DocPoint 2026': its films join its selection.")
    ] = None,
    section: Annotated[str | None, Opt("--section")] = None,
    film: Annotated[list[str] | None, Opt("--film", help="Repeatable, in the order shown.")] = None,
    extra: Annotated[
        list[str] | None, Opt("--extra", help="FILM=TEXT: a line shown with it, repeatable.")
    ] = None,
    note: Annotated[str | None, Opt("--note", help="A Q&A, an introduction, ...")] = None,
) -> None:
    """Add a programme: several films shown as one screening (a shorts block, a double
    bill, a feature with its short), in order.

    Example: screenings add programme "Shorts Competition 1" --edition "DocPoint 2026"
    --film "Ice Tales" --film "Night Bus" --extra "Night Bus=+ Q&A with the director"
    """
    from screenings.services.programmes import add_programme

    _write(
        ctx,
        "programme",
        add_programme,
        title,
        festival=festival,
        edition=edition,
        section=section,
        notes=note,
        films=film or [],
        extras=pairs(extra, "--extra", "FILM=TEXT, e.g. 'Night Bus=+ Q&A'"),
    )


@app.command("screening")
def screening(
    ctx: typer.Context,
    film: Annotated[str | None, typer.Argument(help="The film (or give --programme).")] = None,
    on: Annotated[str | None, Opt("--on", help="The date: 2013-06-11, '11 June 2013'.")] = None,
    at: Annotated[str | None, Opt("--at", help="The time (with --on), or date and time.")] = None,
    venue: Annotated[str | None, Opt("--venue", help="Created, in --city, if new.")] = None,
    city: Annotated[str | None, Opt("--city")] = None,
    festival: Annotated[str | None, Opt("--festival")] = None,
    year: Annotated[int | None, Opt("--year", help="With --festival: the edition's year.")] = None,
    edition: Annotated[str | None, Opt("--edition")] = None,
    duration: Annotated[int | None, Opt("--duration", help="The slot, in minutes.")] = None,
    kind: Annotated[str, Opt("--kind", help="regular, special, gala, press, ...")] = "regular",
    audience: Annotated[str | None, Opt("--audience")] = None,
    status: Annotated[str, Opt("--status")] = "scheduled",
    private: Annotated[bool, Opt("--private", help="Left out of public lists and feeds.")] = False,
    ticket_url: Annotated[str | None, Opt("--ticket-url")] = None,
    note: Annotated[str | None, Opt("--note")] = None,
    timezone: Annotated[str | None, Opt("--timezone", help="When no venue gives one.")] = None,
    programme: Annotated[
        str | None, Opt("--programme", help="A programme, shown instead of one film.")
    ] = None,
) -> None:
    """Add a screening of a film, or of a programme: at a festival, or a special one with
    no festival. A time that is not known is left out (or given as --at TBA), never
    invented ("time TBA").

    Example: screenings add screening "The Defector: Escape from North Korea" --on
    "11 June 2013" --city London --kind special --audience "Members of Parliament"
    --private --timezone Europe/London
    """

    from screenings.services.schedule import add_screening, date_context
    from screenings.timeparse import read_when

    settings = state(ctx).settings

    def add(session: Session, **fields: Any) -> Any:
        # What --on and --at say, a date without a year in the edition's.
        when = read_when(
            on,
            at,
            dayfirst=settings.dayfirst,
            edition=date_context(session, edition, festival, year),
            today=dt.date.today(),
        )
        return add_screening(session, settings, film, when=when, programme=programme, **fields)

    _write(
        ctx,
        "screening",
        add,
        venue=venue,
        city=city,
        edition=edition,
        festival=festival,
        year=year,
        duration_minutes=duration,
        kind=kind,
        audience=audience,
        status=status,
        private=private,
        ticket_url=ticket_url,
        note=note,
        timezone=timezone,
    )


@app.command("award")
def award(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The award's name.")],
    festival: Annotated[str | None, Opt("--festival")] = None,
    presenter: Annotated[str | None, Opt("--presenter", help="An academy, a guild, ...")] = None,
) -> None:
    """Add an award, given at a festival or by a presenting body.

    Example: screenings add award "Innovation Award" --festival "Sheffield Doc/Fest"
    """
    from screenings.services.awards import add_award

    _write(
        ctx,
        "award",
        add_award,
        name,
        festival=festival,
        presenter=presenter,
    )


@app.command("nomination")
def nomination(
    ctx: typer.Context,
    award: Annotated[str, Opt("--award", help="The award.")],
    year: Annotated[int, Opt("--year", help="The year it was given.")],
    festival: Annotated[str | None, Opt("--festival")] = None,
    category: Annotated[str | None, Opt("--category")] = None,
    film: Annotated[str | None, Opt("--film")] = None,
    person: Annotated[str | None, Opt("--person", help="Created if new.")] = None,
    result: Annotated[str, Opt("--result", help="nominated, won, special_mention.")] = "nominated",
    programme: Annotated[
        str | None, Opt("--programme", help="Instead of --film: a programme (a shorts block).")
    ] = None,
) -> None:
    """A film, a person, or both, up for an award in a year, and the result; rarely, a
    programme instead of a film.

    Example: screenings add nomination --award "Innovation Award" --festival
    "Sheffield Doc/Fest" --year 2013 --film "The Defector"
    """
    from screenings.services.awards import add_nomination

    _write(
        ctx,
        "nomination",
        add_nomination,
        award=award,
        year=year,
        festival=festival,
        category=category,
        film=film,
        person=person,
        result=result,
        programme=programme,
    )
