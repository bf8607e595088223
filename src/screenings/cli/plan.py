"""``screenings plan ...``: a person's festival plan, from a wish list to the screenings
to attend, solved; and the plan as a calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from screenings.cli.context import state

if TYPE_CHECKING:
    from screenings.records import ScreeningView
    from screenings.services.planning import Overview, Solved

app = typer.Typer(
    help="Plan a festival: a wish list of films, solved into the best schedule you can "
    "attend (no overlaps, time to walk between venues), as a calendar that keeps itself "
    "right.\n\n"
    'Example: screenings plan create "my docpoint" --edition "DocPoint 2026"',
    no_args_is_help=True,
)
Opt = typer.Option
Name = Annotated[str, typer.Argument(help="The plan's name (any case), or #ID.")]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the plan, unique.")],
    edition: Annotated[
        list[str] | None, Opt("--edition", help="'DocPoint 2026'; repeatable.")
    ] = None,
    travel: Annotated[
        int | None,
        Opt("--travel", help="Minutes between two venues of one city with no stated time [15]."),
    ] = None,
    buffer: Annotated[
        int | None, Opt("--buffer", help="Minutes kept free after each screening [0].")
    ] = None,
    owner: Annotated[str | None, Opt("--owner", help="Whose plan it is: a label.")] = None,
    include_private: Annotated[
        bool, Opt("--include-private", help="Private screenings are candidates too.")
    ] = False,
) -> None:
    """Make a plan over one or more editions.

    Example: screenings plan create "my docpoint" --edition "DocPoint 2026" --buffer 10
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.plans import create_plan, plan_editions

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, notes = create_plan(
            session,
            name,
            editions=edition or [],
            travel_minutes=travel,
            buffer_minutes=buffer,
            owner=owner,
            include_private=include_private,
        )
        over = ", ".join(f"{e.festival.name} {e.year}" for e in plan_editions(session, plan))
    say_notes(notes)
    private = "; private screenings are candidates" if plan.include_private else ""
    typer.echo(
        f"Made plan {plan.name!r} (#{plan.id}) over {over}: {plan.travel_minutes} min "
        f"between venues, {plan.buffer_minutes} min after each screening{private}"
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: Name,
    new_name: Annotated[str | None, Opt("--name", help="A new name.")] = None,
    add_edition: Annotated[list[str] | None, Opt("--add-edition", help="Repeatable.")] = None,
    remove_edition: Annotated[
        list[str] | None, Opt("--remove-edition", help="Repeatable; one stays.")
    ] = None,
    travel: Annotated[
        int | None, Opt("--travel", help="Minutes between two venues of one city.")
    ] = None,
    buffer: Annotated[int | None, Opt("--buffer", help="Minutes after each screening.")] = None,
    owner: Annotated[str | None, Opt("--owner", help="'' removes it.")] = None,
    include_private: Annotated[
        bool | None,
        Opt("--include-private/--public-only", help="Whether private screenings are candidates."),
    ] = None,
) -> None:
    """Change a plan's name, editions or settings; its screenings stay as solved until
    the next 'plan solve'.

    Example: screenings plan edit "my docpoint" --buffer 10 --add-edition "Tampere 2026"
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.plans import edit_plan

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, notes, changed = edit_plan(
            session,
            name,
            new_name=new_name,
            owner=owner,
            travel_minutes=travel,
            buffer_minutes=buffer,
            include_private=include_private,
            add_editions=add_edition or [],
            remove_editions=remove_edition or [],
        )
    say_notes(notes)
    if not changed:
        typer.echo(f"nothing changed: plan {plan.name!r} already is as given")
        return
    typer.echo(
        f"Updated plan {plan.name!r}; re-solve to apply: screenings plan solve {plan.name!r}"
    )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """The plans, with when each was last solved.

    Example: screenings plan list
    """
    from screenings.db import unit_of_work
    from screenings.services.plans import list_plans

    with unit_of_work(state(ctx).reader(), write=False) as session:
        found = list_plans(session)
    if not found:
        typer.echo("no plans yet", err=True)
    for plan in found:
        owner = f" ({plan.owner})" if plan.owner else ""
        solved = f"solved {plan.solved_at:%Y-%m-%d %H:%M UTC}" if plan.solved_at else "not solved"
        typer.echo(f"{plan.name}{owner}  #{plan.id}  {solved}")


@app.command("show")
def show(ctx: typer.Context, name: Name) -> None:
    """A plan: its editions, wish list, pins, busy periods and the screenings chosen, and
    what broke it since its last solve (a screening moved, cancelled or removed).

    Example: screenings plan show "my docpoint"
    """
    from screenings.db import unit_of_work
    from screenings.services.planning import plan_overview

    settings = state(ctx).settings
    with unit_of_work(state(ctx).reader(), write=False) as session:
        overview = plan_overview(
            session, name, default_length_minutes=settings.default_duration_minutes
        )
    typer.echo(plan_page(overview))


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Name,
    yes: Annotated[bool, Opt("--yes", help="Remove it (without: say what would go).")] = False,
) -> None:
    """Remove a plan; the secret feeds made of it end.

    Example: screenings plan remove "my docpoint" --yes
    """
    from screenings.db import unit_of_work
    from screenings.services.plans import remove_plan

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, ended = remove_plan(session, name, confirmed=yes)
    typer.echo(f"Removed plan {plan.name!r}")
    if ended:
        typer.echo(f"  ended {len(ended)} secret feed(s): {', '.join(map(repr, ended))}")


@app.command("want")
def want(
    ctx: typer.Context,
    name: Name,
    films: Annotated[
        list[str], typer.Argument(help="Films or programmes (a programme counts for each film).")
    ],
    priority: Annotated[int | None, Opt("--priority", help="1 to 5; 5: want it most [3].")] = None,
    must: Annotated[
        bool | None,
        Opt("--must/--not-must", help="A must-see: the plan has it, or fails (kept unless given)."),
    ] = None,
) -> None:
    """Put films on the wish list (again: with a new priority, or --must, --not-must).

    Example: screenings plan want "my docpoint" "Ice Tales" "Night Bus" --priority 5
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.plans import want as want_films

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, written, notes = want_films(session, name, films, priority=priority, must=must)
    for wish in written:
        mark = f"must-see, priority {wish.priority}" if wish.must else f"priority {wish.priority}"
        typer.echo(f"{plan.name}: wants {wish.title} ({mark})")
    say_notes(notes)


@app.command("unwant")
def unwant(
    ctx: typer.Context,
    name: Name,
    films: Annotated[list[str], typer.Argument(help="Films or programmes.")],
) -> None:
    """Take films off the wish list.

    Example: screenings plan unwant "my docpoint" "Night Bus"
    """
    from screenings.db import unit_of_work
    from screenings.services.plans import unwant as unwant_films

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, gone = unwant_films(session, name, films)
    for title in gone:
        typer.echo(f"{plan.name}: no longer wants {title}")


def _pin(ctx: typer.Context, name: str, screening: str, *, remove: bool) -> None:
    from screenings.db import unit_of_work
    from screenings.services.plans import pin as pin_screening

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, said = pin_screening(session, name, screening, remove=remove)
    typer.echo(f"{plan.name}: {'unpinned' if remove else 'pinned'} {said}")


@app.command("pin")
def pin(
    ctx: typer.Context,
    name: Name,
    screening: Annotated[str, typer.Argument(help="#ID of the screening.")],
) -> None:
    """Pin this very screening into the plan: the solve keeps it, whatever it prefers
    (one whose time is not announced yet is taken only when pinned).

    Example: screenings plan pin "my docpoint" "#12"
    """
    _pin(ctx, name, screening, remove=False)


@app.command("unpin")
def unpin(
    ctx: typer.Context,
    name: Name,
    screening: Annotated[str, typer.Argument(help="#ID of the screening.")],
) -> None:
    """Unpin a screening.

    Example: screenings plan unpin "my docpoint" "#12"
    """
    _pin(ctx, name, screening, remove=True)


@app.command("busy")
def busy(
    ctx: typer.Context,
    name: Name,
    from_: Annotated[str, Opt("--from", help="'2026-02-10 14:00' (with +02:00: that offset).")],
    to: Annotated[str, Opt("--to", help="The end; a date alone: the end of that day.")],
    note: Annotated[str | None, Opt("--note", help="A meeting, a jury session, ...")] = None,
) -> None:
    """A time you cannot attend, read in the editions' time zone unless an offset is given.

    Example: screenings plan busy "my docpoint" --from "2026-02-10 14:00" --to 16:00
    """
    from screenings.db import unit_of_work
    from screenings.services.plans import add_busy

    settings = state(ctx).settings
    with unit_of_work(state(ctx).catalogue()) as session:
        plan, period = add_busy(session, name, from_, to, note=note, dayfirst=settings.dayfirst)
    typer.echo(f"{plan.name}: busy {period}")


@app.command("unbusy")
def unbusy(
    ctx: typer.Context,
    name: Name,
    busy: Annotated[str, typer.Argument(help="#ID of the busy period, as plan show lists it.")],
) -> None:
    """Take a busy period off the plan.

    Example: screenings plan unbusy "my docpoint" "#1"
    """
    from screenings.db import unit_of_work
    from screenings.services.plans import remove_busy

    with unit_of_work(state(ctx).catalogue()) as session:
        plan, period = remove_busy(session, name, busy)
    typer.echo(f"{plan.name}: no longer busy {period}")


@app.command("solve")
def solve(
    ctx: typer.Context,
    name: Name,
    fresh: Annotated[
        bool, Opt("--fresh", help="Ignore the current plan (by default: change it least).")
    ] = False,
    time_limit: Annotated[
        float, Opt("--time-limit", help="Seconds; past it, the best plan found so far.")
    ] = 10.0,
) -> None:
    """Choose at most one screening of each wanted film, for the most priority: no
    overlaps, time to get between venues, no busy period, must-sees and pins kept. Says
    what was left out and why, and whether the plan is proven the best.

    Example: screenings plan solve "my docpoint"
    """
    from screenings.db import unit_of_work
    from screenings.errors import Conflict
    from screenings.services.planning import solve_plan

    settings = state(ctx).settings
    with unit_of_work(state(ctx).catalogue()) as session:
        solved = solve_plan(
            session,
            name,
            fresh=fresh,
            time_limit=time_limit,
            default_length_minutes=settings.default_duration_minutes,
        )
    if solved.conflict:
        lines = "\n".join(f"  - {line}" for line in solved.conflict)
        fits = (
            "drop any one and the rest fit"
            if solved.minimal
            else "the time limit ran out before each was tried: some may not be needed"
        )
        typer.echo(
            f"plan {solved.plan.name!r} cannot hold all of these; {fits}:\n{lines}", err=True
        )
        raise Conflict(f"plan: {solved.plan.name!r} cannot be solved; nothing changed")
    typer.echo(solved_page(solved))


@app.command("export")
def export(
    ctx: typer.Context,
    name: Name,
    output: Annotated[str | None, Opt("-o", "--output", help="A file; '-' for stdout.")] = None,
) -> None:
    """The plan's chosen screenings as a calendar (.ics), with the same UIDs as the
    festival's feeds: a subscribed calendar sees moves and cancellations in place.

    Example: screenings plan export "my docpoint" -o plan.ics
    """
    from pathlib import Path

    from screenings.cli.export import write_output
    from screenings.cli.filters import screening_query
    from screenings.db import unit_of_work
    from screenings.outputs import FORMATS
    from screenings.services.feeds import FeedOptions

    settings = state(ctx).settings
    options = FeedOptions(domain=settings.feed_domain, zone=settings.default_timezone)
    query = screening_query(settings, {"plan": name})
    target = Path(output) if output not in (None, "-") else None
    with unit_of_work(state(ctx).reader(), write=False) as session:
        write_output(session, query, options, FORMATS["ics"], target, allow_empty=True)


# --- Rendering ------------------------------------------------------------------------------


def _days(chosen: Sequence[tuple[ScreeningView, str]]) -> list[str]:
    """The screenings day by day: time, length, title, place, id, and why each is in."""
    from screenings.timeparse import load_zone

    lines: list[str] = []
    day = None
    zoned = len({view.timezone for view, _ in chosen}) > 1  # a plan over several zones
    for view, why in chosen:
        if view.local_date != day:
            day = view.local_date
            lines.append(f"{day:%a %d %b %Y}")
        if view.local_time is not None and view.starts_at_utc is not None:
            start = view.starts_at_utc.astimezone(load_zone(view.timezone))
            end = start + dt.timedelta(minutes=view.length_minutes)
            when = f"{start:%H:%M}-{end:%H:%M}" + (f" {start:%Z}" if zoned else "")
        else:
            when = "time TBA   "
        place = ", ".join(p for p in (view.venue.name if view.venue else None, view.city) if p)
        films = (
            " (" + "; ".join(f.title for f in view.films) + ")"
            if view.programme is not None
            else ""
        )
        status = f" [{view.status.upper()}]" if view.status in ("cancelled", "postponed") else ""
        tail = f"  [{why}]" if why else ""
        lines.append(f"  {when}  {view.title}{films}{status}  {place}  #{view.id}{tail}")
    return lines


def solved_page(solved: Solved) -> str:
    """``plan solve``: the plan day by day, what was left out and why, and how good it is."""
    plan = solved.plan
    proof = (
        "proven optimal"
        if solved.status == "optimal"
        else "the best found within the time limit, not proven optimal: "
        f"no plan reaches more than {solved.bound}"
    )
    lines = [
        f"Plan {plan.name!r}: {len(solved.chosen)} screening(s), priority {solved.priority} "
        f"({proof}; a plan by hand, each film at its first screening that fits: priority "
        f"{solved.greedy_priority})"
    ]
    if solved.kept or solved.dropped:
        lines.append(
            f"  changes to the plan before: {solved.kept} kept, {solved.dropped} dropped, "
            f"{solved.added} added"
        )
    lines += _days([(c.screening, c.why) for c in solved.chosen])
    if solved.left_out:
        lines.append("Left out")
        lines += [f"  {line}" for line in solved.left_out]
    return "\n".join(lines)


def plan_page(overview: Overview) -> str:
    """``plan show``: settings, wishes, pins, busy periods, the plan, and what broke it."""
    plan = overview.plan
    owner = f" ({plan.owner})" if plan.owner else ""
    private = "; private screenings are candidates" if plan.include_private else ""
    lines = [
        f"{plan.name}{owner}  #{plan.id}",
        f"  editions: {', '.join(overview.editions) or '(none left)'}",
        f"  {plan.travel_minutes} min between venues of one city, {plan.buffer_minutes} min "
        f"after each screening{private}",
        "Wish list",
    ]
    lines += [
        f"  {w.title}  " + ("must-see, " if w.must else "") + f"priority {w.priority}"
        for w in overview.wishes
    ] or ["  (empty)"]
    if overview.pins:
        lines.append("Pinned")
        lines += [f"  {pinned}" for pinned in overview.pins]
    if overview.busy:
        lines.append("Busy")
        lines += [f"  {period}" for period in overview.busy]
    if plan.solved_at is None:
        lines.append(f"Not solved yet: screenings plan solve {plan.name!r}")
    else:
        proof = "proven optimal" if plan.optimal else "best found within the time limit"
        lines.append(f"Plan (solved {plan.solved_at:%Y-%m-%d %H:%M UTC}, {proof})")
        lines += _days([(view, "") for view in overview.chosen]) or ["  (nothing chosen)"]
    if overview.changed:
        lines.append("Changed since its solve:")
        lines += [f"  {change}" for change in overview.changed]
    if overview.broken:
        lines.append("BROKEN: it cannot be followed as it stands:")
        lines += [f"  {problem}" for problem in overview.broken]
    if overview.changed or overview.broken:
        lines.append(f"Re-solve, changing as little as it can: screenings plan solve {plan.name!r}")
    return "\n".join(lines)
