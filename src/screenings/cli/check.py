"""``screenings check [filters]``: the clashes a programmer must see."""

from __future__ import annotations

from typing import Any

import typer

from screenings.cli.context import state
from screenings.cli.filters import screening_query, with_filters


@with_filters("festival", "year", "edition", "venue", "film", "from", "to", "in", "plan")
def check(ctx: typer.Context, *, filters: dict[str, Any]) -> None:
    """Find clashes among the screenings selected (all by default, private ones too):
    two screenings overlapping in one venue (by their effective length), a film shown
    twice at once, a screening outside its edition's dates, a screening whose zone
    contradicts its venue's. With --plan, the plan's screenings, and what makes the plan
    impossible to follow: two that overlap (with its buffer), a journey between venues
    that does not fit, one in a busy period, one called off. Exits 1 when it finds any.

    Example: screenings check --edition "Sheffield Doc/Fest 2013"
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.check import check_screenings

    query = screening_query(state(ctx).settings, filters)
    with unit_of_work(state(ctx).reader(), write=False) as session:
        clashes, notes = check_screenings(session, query)
        found = [(clash.kind, clash.message) for clash in clashes]
        if query.plan is not None:
            from screenings.services.planning import plan_clashes

            length = state(ctx).settings.default_duration_minutes
            within = {view.id for view in query.with_private().run(session).screenings}
            found += [
                (kind, message)
                for kind, ids, message in plan_clashes(
                    session, query.plan, default_length_minutes=length
                )
                if within.intersection(ids)  # the other filters given choose among them
            ]
    say_notes(notes)
    for kind, message in found:
        typer.echo(f"{kind}: {message}")
    if found:
        raise typer.Exit(1)
    typer.echo("no clashes")
