"""``screenings edit KIND NAME ...``, ``cancel``, ``postpone``: change what is stored, and
say back what it is now. Every change a calendar would show bumps the screenings' sequence."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from screenings.cli.context import pairs, state, write
from screenings.cli.options import Minutes, OtherVenue, Venue, decimal_number, whole_number
from screenings.errors import InvalidInput

app = typer.Typer(
    help="Change a record; calendars see the change. An option given as '' clears that "
    "value.\n\nExample: screenings edit screening 3 --at 18:30",
    no_args_is_help=True,
)
Opt = typer.Option


@app.callback()
def _edits(ctx: typer.Context) -> None:
    # An edit may be fixing a stored value that keeps the catalogue from being upgraded
    # (migrate.Door.FIX): it works on such a catalogue as it is.
    state(ctx).fixing = True


# A number an edit may clear with "" is taken as text (a number option refuses ""), and
# read by options.whole_number or options.decimal_number.

# A rename keeps the old name as another name (``aliases.keep_old_name``).
RENAMED = "A new name; the old one is kept as another name, which a file may still use."
UNNAMED = "Drop one of its other names (kept by a merge or a rename)."


@app.command("film")
def film(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The film: title, 'Title (2012)' or #ID.")],
    title: Annotated[str | None, Opt("--title", help=RENAMED)] = None,
    year: Annotated[str | None, Opt("--year", metavar="INTEGER")] = None,
    original_title: Annotated[str | None, Opt("--original-title")] = None,
    runtime: Annotated[str | None, Opt("--runtime", help="Minutes.", metavar="INTEGER")] = None,
    country: Annotated[list[str] | None, Opt("--country", help="Replaces the countries.")] = None,
    language: Annotated[list[str] | None, Opt("--language", help="Replaces the languages.")] = None,
    imdb: Annotated[str | None, Opt("--imdb")] = None,
    director: Annotated[list[str] | None, Opt("--director", help="Replaces the directors.")] = None,
    producer: Annotated[list[str] | None, Opt("--producer", help="Replaces the producers.")] = None,
    credit: Annotated[
        list[str] | None, Opt("--credit", help="ROLE=NAME; replaces that role.")
    ] = None,
    link: Annotated[list[str] | None, Opt("--link", help="KIND=URL; replaces that kind.")] = None,
    website: Annotated[str | None, Opt("--website")] = None,
    remove_alias: Annotated[str | None, Opt("--remove-alias", help=UNNAMED)] = None,
) -> None:
    """Change a film; its screenings' calendars are updated.

    Example: screenings edit film "The Defector" --title "The Defector: Escape from North Korea"
    """
    from screenings.services.catalog import edit_film

    write(
        ctx,
        "Updated",
        "film",
        edit_film,
        name,
        title=title,
        year=whole_number(year, "--year"),
        original_title=original_title,
        runtime_minutes=whole_number(runtime, "--runtime"),
        countries=country,
        languages=language,
        imdb_id=imdb,
        directors=director,
        producers=producer,
        credits=pairs(credit, "--credit", "ROLE=NAME") if credit else None,
        links=pairs(link, "--link", "KIND=URL") if link else None,
        website=website,
        remove_alias=remove_alias,
    )


@app.command("person")
def person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person: name or #ID.")],
    new_name: Annotated[str | None, Opt("--name", help=RENAMED)] = None,
    remove_alias: Annotated[str | None, Opt("--remove-alias", help=UNNAMED)] = None,
) -> None:
    """Rename a person; the screenings of their films are updated.

    Example: screenings edit person "Ann Shin" --name "Ann Marie Shin"
    """
    from screenings.services.catalog import edit_person

    write(ctx, "Updated", "person", edit_person, name, new_name=new_name, remove_alias=remove_alias)


@app.command("festival")
def festival(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The festival.")],
    new_name: Annotated[str | None, Opt("--name", help=RENAMED)] = None,
    city: Annotated[str | None, Opt("--city")] = None,
    country: Annotated[str | None, Opt("--country")] = None,
    timezone: Annotated[str | None, Opt("--timezone")] = None,
    website: Annotated[str | None, Opt("--website")] = None,
    remove_alias: Annotated[str | None, Opt("--remove-alias", help=UNNAMED)] = None,
) -> None:
    """Change a festival; the screenings of its editions are updated.

    Example: screenings edit festival IDFA --website https://www.idfa.nl
    """
    from screenings.services.catalog import edit_festival

    write(
        ctx,
        "Updated",
        "festival",
        edit_festival,
        name,
        new_name=new_name,
        city=city,
        country=country,
        timezone=timezone,
        website=website,
        remove_alias=remove_alias,
    )


@app.command("venue")
def venue(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The venue: name, 'Name (City)' or #ID.")],
    new_name: Annotated[str | None, Opt("--name", help=RENAMED)] = None,
    address: Annotated[str | None, Opt("--address")] = None,
    city: Annotated[str | None, Opt("--city")] = None,
    country: Annotated[str | None, Opt("--country")] = None,
    timezone: Annotated[
        str | None, Opt("--timezone", help="Moves its screenings' instants.")
    ] = None,
    lat: Annotated[str | None, Opt("--lat", metavar="FLOAT")] = None,
    lon: Annotated[str | None, Opt("--lon", metavar="FLOAT")] = None,
    remove_alias: Annotated[str | None, Opt("--remove-alias", help=UNNAMED)] = None,
) -> None:
    """Change a venue; its screenings' calendars are updated.

    Example: screenings edit venue "Showroom Cinema" --address "15 Paternoster Row"
    """
    from screenings.services.catalog import edit_venue

    write(
        ctx,
        "Updated",
        "venue",
        edit_venue,
        name,
        new_name=new_name,
        address=address,
        city=city,
        country=country,
        timezone=timezone,
        latitude=decimal_number(lat, "--lat"),
        longitude=decimal_number(lon, "--lon"),
        remove_alias=remove_alias,
    )


@app.command("programme")
def programme(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The programme: its title, or #ID.")],
    festival: Annotated[str | None, Opt("--festival", help="Whose programme it is.")] = None,
    title: Annotated[str | None, Opt("--title", help=RENAMED)] = None,
    section: Annotated[str | None, Opt("--section", help="'' for none.")] = None,
    note: Annotated[str | None, Opt("--note", help="'' for none.")] = None,
    add_film: Annotated[list[str] | None, Opt("--add-film", help="Repeatable.")] = None,
    position: Annotated[
        int | None, Opt("--position", help="With --add-film: where (1 is first).")
    ] = None,
    remove_film: Annotated[list[str] | None, Opt("--remove-film", help="Repeatable.")] = None,
    move_film: Annotated[str | None, Opt("--move-film", help="With --to.")] = None,
    to: Annotated[int | None, Opt("--to", help="The position --move-film moves to.")] = None,
    extra: Annotated[
        list[str] | None, Opt("--extra", help="FILM=TEXT; FILM= for none. Repeatable.")
    ] = None,
) -> None:
    """Change a programme: its title, section, notes, and its films and their order. The
    calendars of its screenings are updated.

    Example: screenings edit programme "Shorts Competition 1" --move-film "Night Bus" --to 1
    """
    from screenings.services.programmes import edit_programme

    write(
        ctx,
        "Updated",
        "programme",
        edit_programme,
        name,
        festival=festival,
        title=title,
        section=section,
        notes=note,
        add_films=add_film or [],
        position=position,
        remove_films=remove_film or [],
        move_film=move_film,
        to=to,
        extras=pairs(extra, "--extra", "FILM=TEXT, e.g. 'Night Bus=+ Q&A'", clears=True),
    )


@app.command("screening")
def screening(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(help="The screening's #ID.")],
    on: Annotated[str | None, Opt("--on", help="A new date (the time is kept).")] = None,
    at: Annotated[
        str | None,
        Opt("--at", help="A new time, or date and time; TBA or '' for a time not known."),
    ] = None,
    venue: Annotated[str | None, Opt("--venue", help="'' for none (its city is kept).")] = None,
    city: Annotated[str | None, Opt("--city")] = None,
    duration: Annotated[
        str | None, Opt("--duration", help="The slot, in minutes.", metavar="INTEGER")
    ] = None,
    kind: Annotated[str | None, Opt("--kind")] = None,
    audience: Annotated[str | None, Opt("--audience")] = None,
    status: Annotated[str | None, Opt("--status")] = None,
    private: Annotated[bool | None, Opt("--private/--public")] = None,
    ticket_url: Annotated[str | None, Opt("--ticket-url")] = None,
    note: Annotated[str | None, Opt("--note")] = None,
    timezone: Annotated[str | None, Opt("--timezone")] = None,
    festival: Annotated[str | None, Opt("--festival")] = None,
    year: Annotated[int | None, Opt("--year", help="With --festival: the edition's year.")] = None,
    edition: Annotated[str | None, Opt("--edition", help="'' for no festival.")] = None,
) -> None:
    """Change a screening; its uid stays, its sequence goes up, calendars update in place.

    Example: screenings edit screening 3 --at 18:30 --venue "Showroom Cinema"
    """

    from screenings.services.schedule import date_context_of_edit, edit_screening
    from screenings.timeparse import read_change

    settings = state(ctx).settings

    def edit(session: Session, **fields: Any) -> Any:
        # What --on and --at say, a date without a year in the year of the edition the
        # screening is in (or is moved to); what they leave out stays.
        change = None
        if on is not None or at is not None:
            read_in = date_context_of_edit(
                session, ident, edition=edition, festival=festival, year=year
            )
            change = read_change(
                on, at, dayfirst=settings.dayfirst, edition=read_in, today=dt.date.today()
            )
        return edit_screening(session, settings, ident, change=change, **fields)

    write(
        ctx,
        "Updated",
        "screening",
        edit,
        venue=venue,
        city=city,
        duration_minutes=whole_number(duration, "--duration"),
        kind=kind,
        audience=audience,
        status=status,
        private=private,
        ticket_url=ticket_url,
        note=note,
        timezone=timezone,
        edition=edition,
        festival=festival,
        year=year,
    )


def cancel(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="screening")],
    ident: Annotated[str, typer.Argument(help="The screening's #ID.")],
    reason: Annotated[str | None, Opt("--reason", help="Kept in its notes.")] = None,
) -> None:
    """Cancel a screening: it stays, marked cancelled, so calendars see it go.

    Example: screenings cancel screening 3 --reason "print did not arrive"
    """
    _set(ctx, what, ident, "cancelled", reason, "Cancelled")


def postpone(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="screening")],
    ident: Annotated[str, typer.Argument(help="The screening's #ID.")],
    reason: Annotated[str | None, Opt("--reason", help="Kept in its notes.")] = None,
) -> None:
    """Postpone a screening (give it a new date later with 'edit screening').

    Example: screenings postpone screening 3
    """
    _set(ctx, what, ident, "postponed", reason, "Postponed")


def _set(
    ctx: typer.Context, what: str, ident: str, status: str, reason: str | None, verb: str
) -> None:
    from screenings.services.schedule import set_status

    if what != "screening":
        command = {"cancelled": "cancel", "postponed": "postpone"}[status]
        raise InvalidInput(f"{command}: only a screening can be {status}, not {what!r}")
    write(
        ctx,
        verb,
        "screening",
        set_status,
        state(ctx).settings,
        ident,
        status,
        reason,
    )


def merge(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="person, film, venue, festival or programme.")],
    keep: Annotated[str, typer.Argument(help="The one to keep.")],
    duplicate: Annotated[str, typer.Argument(help="The duplicate: moved into KEEP, removed.")],
) -> None:
    """Merge a duplicate into the record kept: credits, screenings, selections, links,
    nominations, editions and awards move; what both have is kept once.

    Example: screenings merge person "Ann Shin" "Anne Shin"
    """
    from screenings.db import unit_of_work
    from screenings.services.merge import merge as merge_records

    with unit_of_work(state(ctx).catalogue()) as session:
        saved = merge_records(session, kind, keep, duplicate)
    typer.echo(f"Merged into {kind} {saved.record}")
    for note in saved.notes:
        typer.echo(f"  {note}")


def remove(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            help="film, person, festival, edition, venue, award, programme; screening, "
            "nomination or selection by #ID; travel VENUE VENUE."
        ),
    ],
    name: Annotated[str, typer.Argument(help="A name, or #ID.")],
    other: Annotated[
        str | None, typer.Argument(help="travel only: the other venue.", show_default=False)
    ] = None,
    yes: Annotated[bool, Opt("--yes", help="Remove it (without: say what would go).")] = False,
    cascade: Annotated[bool, Opt("--cascade", help="Remove what depends on it too.")] = False,
) -> None:
    """Remove a record. Refused while others depend on it (they are named), unless
    --cascade. A screening removed vanishes from calendars without a word: prefer
    'cancel' for one that was announced.

    Example: screenings remove venue "Odeon (London)" --yes
    """
    from screenings.db import unit_of_work
    from screenings.services.remove import remove as remove_record

    if (kind == "travel") != (other is not None):
        raise InvalidInput(
            "remove: travel takes two venues (remove travel VENUE VENUE)"
            if kind == "travel"
            else f"remove: one {kind} at a time; only travel names two venues"
        )
    if kind == "travel":
        assert other is not None
        _remove_travel(ctx, name, other, confirmed=yes)
        return
    with unit_of_work(state(ctx).catalogue()) as session:
        saved = remove_record(session, kind, name, cascade=cascade, confirmed=yes)
    typer.echo(f"Removed {saved.record}")
    for note in saved.notes:
        typer.echo(f"  {note}")


def _remove_travel(ctx: typer.Context, first: str, second: str, *, confirmed: bool) -> None:
    from screenings.db import unit_of_work
    from screenings.services.plans import remove_travel

    with unit_of_work(state(ctx).catalogue()) as session:
        gone = remove_travel(session, first, second, confirmed=confirmed)
    typer.echo(f"Removed travel: {gone.first} <-> {gone.second} ({gone.minutes} min)")


@app.command("travel")
def travel(ctx: typer.Context, first: Venue, second: OtherVenue, minutes: Minutes) -> None:
    """Change the travel time between two venues.

    Example: screenings edit travel "Bio Rex" "Kino Regina" 12
    """
    from screenings.cli.add import travel_time

    travel_time(ctx, first, second, minutes, new=False)


@app.command("edition")
def edition(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="'Sheffield Doc/Fest 2013', its slug or #ID.")],
    year: Annotated[str | None, Opt("--year", metavar="INTEGER")] = None,
    label: Annotated[str | None, Opt("--label", help="'' removes it.")] = None,
    from_: Annotated[str | None, Opt("--from", help="The first day ('' for unknown).")] = None,
    to: Annotated[str | None, Opt("--to", help="The last day ('' for unknown).")] = None,
    festival: Annotated[str | None, Opt("--festival", help="Move it to this festival.")] = None,
    day_starts_at: Annotated[
        str | None,
        Opt(
            "--day-starts-at",
            help="When its festival day starts, e.g. 06:00: a frab schedule puts a 01:30 "
            "screening in the day before ('' for 00:00).",
        ),
    ] = None,
) -> None:
    """Change an edition; its screenings' calendars are updated.

    Example: screenings edit edition "Sheffield Doc/Fest 2013" --to 2013-06-17
    """
    from screenings import lookup
    from screenings.services.catalog import edit_edition
    from screenings.timeparse import parse_time, read_day

    dayfirst = state(ctx).settings.dayfirst
    new_year = whole_number(year, "--year")

    def edit(session: Session, **fields: Any) -> Any:
        # A day without a year is in the edition's (its new one, when --year changes it).
        in_year = new_year or lookup.find_edition(session, name).record.year

        def day(text: str | None, field: str) -> dt.date | Literal[""] | None:
            return None if text is None else read_day(text, field, dayfirst, in_year) or ""

        return edit_edition(
            session, name, starts_on=day(from_, "starts_on"), ends_on=day(to, "ends_on"), **fields
        )

    starts = None
    if day_starts_at is not None:
        starts = parse_time(day_starts_at, what="--day-starts-at") if day_starts_at.strip() else ""
    write(
        ctx,
        "Updated",
        "edition",
        edit,
        year=new_year,
        label=label,
        festival=festival,
        day_starts_at=starts,
    )


@app.command("award")
def award(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The award.")],
    new_name: Annotated[str | None, Opt("--name")] = None,
    presenter: Annotated[str | None, Opt("--presenter")] = None,
    festival: Annotated[str | None, Opt("--festival", help="'' for none.")] = None,
) -> None:
    """Rename an award, or change who presents it.

    Example: screenings edit award "Innovation Award" --name "Innovation Prize"
    """
    from screenings.services.awards import edit_award

    write(
        ctx,
        "Updated",
        "award",
        edit_award,
        name,
        new_name=new_name,
        presenter=presenter,
        festival=festival,
    )


@app.command("nomination")
def nomination(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(help="The nomination's #ID.")],
    result: Annotated[str | None, Opt("--result", help="nominated, won, special_mention.")] = None,
    category: Annotated[str | None, Opt("--category")] = None,
    film: Annotated[str | None, Opt("--film", help="'' for none.")] = None,
    person: Annotated[str | None, Opt("--person", help="'' for none; created if new.")] = None,
    year: Annotated[str | None, Opt("--year", metavar="INTEGER")] = None,
) -> None:
    """Change a nomination's result or category.

    Example: screenings edit nomination 4 --result won
    """
    from screenings.services.awards import edit_nomination

    write(
        ctx,
        "Updated",
        "nomination",
        edit_nomination,
        ident,
        result=result,
        category=category,
        film=film,
        person=person,
        year=whole_number(year, "--year"),
    )


@app.command("selection")
def selection(
    ctx: typer.Context,
    film: Annotated[str, typer.Argument(help="The film.")],
    festival: Annotated[str | None, Opt("--festival")] = None,
    year: Annotated[int | None, Opt("--year")] = None,
    edition: Annotated[str | None, Opt("--edition")] = None,
    section: Annotated[str | None, Opt("--section")] = None,
    premiere: Annotated[str | None, Opt("--premiere")] = None,
    status: Annotated[str | None, Opt("--status")] = None,
) -> None:
    """Change a film's place in an edition's programme.

    Example: screenings edit selection "The Defector" --edition "IDFA 2012" --status competition
    """
    from screenings.services.schedule import edit_selection

    write(
        ctx,
        "Updated",
        "selection",
        edit_selection,
        film,
        edition=edition,
        festival=festival,
        year=year,
        section=section,
        premiere=premiere,
        status=status,
    )
