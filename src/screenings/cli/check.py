"""``screenings check [filters]``: the clashes a programmer must see."""

from __future__ import annotations

from typing import Annotated

import typer

from screenings.cli.context import state

Opt = typer.Option


def check(
    ctx: typer.Context,
    festival: Annotated[str | None, Opt("--festival")] = None,
    year: Annotated[int | None, Opt("--year", help="With --festival: that edition.")] = None,
    edition: Annotated[str | None, Opt("--edition")] = None,
    venue: Annotated[str | None, Opt("--venue")] = None,
    film: Annotated[str | None, Opt("--film")] = None,
    from_: Annotated[str | None, Opt("--from")] = None,
    to: Annotated[str | None, Opt("--to")] = None,
    in_: Annotated[str | None, Opt("--in")] = None,
) -> None:
    """Find clashes among the screenings selected (all by default, private ones too):
    two screenings overlapping in one venue (by their effective length), a film shown
    twice at once, a screening outside its edition's dates, a screening whose zone
    contradicts its venue's. Exits 1 when it finds any.

    Example: screenings check --edition "Sheffield Doc/Fest 2013"
    """
    from screenings.cli.filters import date_span
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.query import ScreeningQuery
    from screenings.services.check import check_screenings

    settings = state(ctx).settings
    query = ScreeningQuery(
        festival=festival,
        year=year,
        edition=edition,
        venue=venue,
        film=film,
        dates=date_span(from_, to, None, in_, settings.dayfirst),
        default_length_minutes=settings.default_duration_minutes,
    )
    with unit_of_work(state(ctx).reader(), write=False) as session:
        clashes, notes = check_screenings(session, query)
    say_notes(notes)
    for clash in clashes:
        typer.echo(f"{clash.kind}: {clash.message}")
    if clashes:
        raise typer.Exit(1)
    typer.echo("no clashes")
