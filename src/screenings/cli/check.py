"""``screenings check [filters]``: the clashes a programmer must see."""

from __future__ import annotations

from typing import Any

import typer

from screenings.cli.context import state
from screenings.cli.filters import screening_query, with_filters


@with_filters("festival", "year", "edition", "venue", "film", "from", "to", "in")
def check(ctx: typer.Context, *, filters: dict[str, Any]) -> None:
    """Find clashes among the screenings selected (all by default, private ones too):
    two screenings overlapping in one venue (by their effective length), a film shown
    twice at once, a screening outside its edition's dates, a screening whose zone
    contradicts its venue's. Exits 1 when it finds any.

    Example: screenings check --edition "Sheffield Doc/Fest 2013"
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.check import check_screenings

    query = screening_query(state(ctx).settings, filters)
    with unit_of_work(state(ctx).reader(), write=False) as session:
        clashes, notes = check_screenings(session, query)
    say_notes(notes)
    for clash in clashes:
        typer.echo(f"{clash.kind}: {clash.message}")
    if clashes:
        raise typer.Exit(1)
    typer.echo("no clashes")
