"""Solving a plan: from its wish list to the screenings to attend, with the reasons.

The candidates are the screenings of the plan's editions that show a wanted film (alone or
in a programme), and the pinned ones, read through the one screening query every door
uses (``ScreeningQuery``: the same effective length, the same films of a programme). Each
becomes a ``solver.Slot``; the solver (CP-SAT) picks the best set, and this module says
what it picked, day by day, and why each wanted film left out is out, naming what it
clashes with. A plan that cannot hold all its must-sees, pins and busy periods gets a
minimal set of them that cannot, and keeps its current choices.

A plan is broken when something it chose changed after its solve: a screening moved,
cancelled or removed, a wished film or an edition removed (``plan_problems``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from screenings import solver, tables
from screenings.errors import Conflict, InvalidInput
from screenings.keys import name_key
from screenings.query import ScreeningQuery, programme_films
from screenings.records import ScreeningView
from screenings.services import plans
from screenings.services.plans import Plan, Wish
from screenings.timeparse import UTC

OFF = {"cancelled": "it is cancelled", "postponed": "it is postponed"}
MAX_TIME_LIMIT = 3600.0


@dataclass(frozen=True)
class Chosen:
    """A screening in the plan, and why: must-see, pinned, or the priority it adds."""

    screening: ScreeningView
    why: str


@dataclass(frozen=True)
class Solved:
    """What ``solve_plan`` found. ``status``: ``optimal`` (proven best), ``feasible``
    (the best found within the time limit), or ``infeasible`` (``conflict`` then says
    which must-sees, pins and busy periods cannot all hold; nothing was stored)."""

    plan: Plan
    status: str
    chosen: list[Chosen]
    left_out: list[str]
    conflict: list[str]
    priority: int
    greedy_priority: int
    kept: int
    dropped: int
    added: int
    seconds: float
    bound: int | None = None  # past the time limit: the most any plan could reach
    minimal: bool = True  # ``conflict`` known minimal (the time limit cut no trial short)


@dataclass(frozen=True)
class _Candidates:
    views: dict[int, ScreeningView]
    problem: solver.Problem
    titles: dict[int, str]  # wanted film -> title
    wished: dict[int, Wish]  # wanted film -> the wish that counts for it
    busy: dict[int, plans.BusyPeriod]
    zone: str  # the plan's times are said in (``plans.display_zone``)


def _minute(instant: dt.datetime) -> int:
    return int(instant.timestamp()) // 60


def _wished(session: Session, plan: Plan) -> tuple[dict[int, Wish], dict[int, str]]:
    """Each wanted film and the wish that counts for it (a programme's wish counts for
    each of its films; of two wishes for one film, the higher priority, and must-see if
    either is), and its title."""
    wishes = plans.wishes(session, plan)
    wished: dict[int, Wish] = {}
    titles: dict[int, str] = {}
    programmes = programme_films(session, {w.programme_id for w in wishes if w.programme_id})
    for wish in wishes:
        if wish.programme_id is None:
            assert wish.film_id is not None
            films = [(wish.film_id, wish.title)]
        else:
            films = [(f.id, f"{f.title} ({f.year or 'year unknown'}, #{f.id})")
                     for f in programmes.get(wish.programme_id, [])]  # fmt: skip
        for film_id, title in films:
            before = wished.get(film_id)
            if before is not None:
                stronger = wish if wish.priority > before.priority else before
                wished[film_id] = replace(
                    stronger, film_id=film_id, title=before.title, must=wish.must or before.must
                )
            else:
                wished[film_id] = replace(wish, film_id=film_id, title=title)
            titles.setdefault(film_id, title)
    return wished, titles


def _candidates(
    session: Session, plan: Plan, *, default_length_minutes: int, time_limit: float
) -> _Candidates:
    wished, titles = _wished(session, plan)
    editions = tuple(e.id for e in plans.plan_editions(session, plan))
    pinned = {s.id for s in plans.pins(session, plan)}
    query = ScreeningQuery(
        edition_ids=editions, include_private=True, default_length_minutes=default_length_minutes
    )
    views = {v.id: v for v in query.run(session).screenings} if editions else {}
    missing = pinned - set(views)
    if missing:
        pins_query = ScreeningQuery(
            ids=tuple(sorted(missing)),
            include_private=True,
            default_length_minutes=default_length_minutes,
        )
        views.update({v.id: v for v in pins_query.run(session).screenings})
    busy = {b.id: b for b in plans.busy_periods(session, plan)}
    slots = []
    for view in views.values():
        shown = tuple(f.id for f in view.films if f.id in wished)
        if not shown and view.id not in pinned:
            continue
        slots.append(_slot(view, shown, plan, pinned))
    travel = _journeys(session, plan)
    current = set(
        session.execute(
            select(tables.plan_choice.c.screening_id).where(tables.plan_choice.c.plan_id == plan.id)
        ).scalars()
    )
    problem = solver.Problem(
        slots=sorted(slots, key=lambda s: s.id),
        priorities={film: wish.priority for film, wish in wished.items()},
        musts=frozenset(film for film, wish in wished.items() if wish.must),
        pins=frozenset(pinned),
        busy=[solver.Busy(b.id, _minute(b.starts_at), _minute(b.ends_at)) for b in busy.values()],
        buffer=plan.buffer_minutes,
        travel=travel,
        current=frozenset(current),
        time_limit=time_limit,
    )
    return _Candidates(views, problem, titles, wished, busy, plans.display_zone(session, plan))


def _journeys(session: Session, plan: Plan) -> Callable[[solver.Slot, solver.Slot], int | None]:
    """The minutes from one screening's place to another's: 0 within a venue; the stated
    time between two venues; else the plan's default within one city, and for a
    screening with no venue there; None (unknown: ``solver.UNKNOWN_JOURNEY``) between
    two cities."""
    stated = plans.stated_travel(session)

    def travel(a: solver.Slot, b: solver.Slot) -> int | None:
        if a.place is not None and a.place == b.place:
            return 0
        if a.place is None or b.place is None:  # somewhere in its city: the default, within it
            return plan.travel_minutes if None in (a.city, b.city) or a.city == b.city else None
        pair = (min(a.place, b.place), max(a.place, b.place))
        if pair in stated:
            return stated[pair]
        if a.city is not None and a.city == b.city:
            return plan.travel_minutes
        return None

    return travel


def _slot(view: ScreeningView, films: tuple[int, ...], plan: Plan, pinned: set[int]) -> solver.Slot:
    blocked = OFF.get(view.status)
    if blocked is None and view.visibility == "private" and not plan.include_private:
        blocked = "it is private (the plan takes no private screenings)"
    if blocked is None and view.starts_at_utc is None and view.id not in pinned:
        blocked = "its time is not announced yet (pin it to take it anyway)"
    start = _minute(view.starts_at_utc) if view.starts_at_utc is not None else None
    return solver.Slot(
        id=view.id,
        start=start,
        end=start + view.length_minutes if start is not None else None,
        place=view.venue.id if view.venue else None,
        city=name_key(view.city) if view.city else None,
        films=films,
        blocked=blocked,
    )


def solve_plan(
    session: Session,
    name: str,
    *,
    fresh: bool = False,
    time_limit: float = 10.0,
    default_length_minutes: int = 90,
) -> Solved:
    """Solve the plan called ``name`` and store its choices (unless it cannot hold, when
    nothing is stored). Keeps as much of the current plan as the best priority allows,
    unless ``fresh``. ``time_limit`` in seconds: past it, the best plan found so far."""
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise InvalidInput(
            f"expected seconds above 0, up to {MAX_TIME_LIMIT:.0f}, got {time_limit:g}",
            field="time_limit",
        )
    plan = plans.find_plan(session, name)
    found = _candidates(
        session, plan, default_length_minutes=default_length_minutes, time_limit=time_limit
    )
    problem = found.problem
    before = problem.current  # the plan as it is, to say what changed, fresh or not
    if fresh:
        problem = solver.Problem(**{**problem.__dict__, "current": frozenset()})
    outcome = solver.solve(problem)
    greedy = solver.priority_of(problem, solver.greedy(problem))
    if outcome.status == solver.INFEASIBLE:
        return Solved(plan, outcome.status, [], [], _conflict(found, outcome.conflict),
                      0, greedy, 0, 0, 0, outcome.seconds, minimal=outcome.minimal)  # fmt: skip
    if outcome.status not in (solver.OPTIMAL, "feasible"):
        raise Conflict(
            f"no plan found within {time_limit:g} s; give it longer with {{time_limit}}",
            mentions=("time_limit",),
        )
    chosen = set(outcome.chosen)
    kept = len(chosen & before)
    _store(session, plan, [found.views[i] for i in sorted(chosen)], outcome.optimal)
    return Solved(
        plans.find_plan(session, f"#{plan.id}"),
        outcome.status,
        [_chosen(found, found.views[i]) for i in _by_start(found, chosen)],
        _left_out(found, chosen),
        [],
        outcome.priority,
        greedy,
        kept,
        len(before) - kept,
        len(chosen) - kept,
        outcome.seconds,
        outcome.bound,
    )


def _by_start(found: _Candidates, ids: set[int]) -> list[int]:
    def key(i: int) -> tuple[dt.date, dt.datetime, int]:
        view = found.views[i]
        return (view.local_date, view.starts_at_utc or dt.datetime.max.replace(tzinfo=UTC), i)

    return sorted(ids, key=key)


def _chosen(found: _Candidates, view: ScreeningView) -> Chosen:
    if view.id in found.problem.pins:
        return Chosen(view, "pinned")
    films = [found.wished[f.id] for f in view.films if f.id in found.wished]
    if any(w.must for w in films):
        return Chosen(view, "must-see")
    total = sum(w.priority for w in films)
    if len(films) > 1:  # a programme counts for each wanted film it shows
        return Chosen(view, f"priority {total}: {len(films)} wanted films")
    return Chosen(view, f"priority {total}")


def _store(session: Session, plan: Plan, chosen: Sequence[ScreeningView], optimal: bool) -> None:
    """The choices replace the plan's, each with what it is now; the problems are done."""
    session.execute(delete(tables.plan_choice).where(tables.plan_choice.c.plan_id == plan.id))
    session.execute(delete(tables.plan_problem).where(tables.plan_problem.c.plan_id == plan.id))
    for view in chosen:
        session.execute(
            insert(tables.plan_choice).values(
                plan_id=plan.id,
                screening_id=view.id,
                starts_at_utc=view.starts_at_utc,
                venue_id=view.venue.id if view.venue else None,
                status=view.status,
                said=said(view)[:1000],
            )
        )
    session.execute(
        update(tables.plan)
        .where(tables.plan.c.id == plan.id)
        .values(solved_at=dt.datetime.now(UTC), optimal=optimal)
    )


def said(view: ScreeningView) -> str:
    """A screening as the plan names it: id, what it shows, day, time, place."""
    time = view.local_time.strftime("%H:%M") if view.local_time else "time TBA"
    place = ", ".join(p for p in (view.venue.name if view.venue else None, view.city) if p)
    day = view.local_date.strftime("%a %d %b")
    return ", ".join(p for p in (f"#{view.id} {view.title}", f"{day} {time}", place) if p)


def _short(view: ScreeningView) -> str:
    time = view.local_time.strftime("%H:%M") if view.local_time else "time TBA"
    return f"#{view.id} ({view.local_date:%a %d %b} {time}):"


def _left_out(found: _Candidates, chosen: set[int]) -> list[str]:
    """For each wanted film the plan leaves out, why: each of its screenings, and what
    it clashes with, by name."""
    problem = found.problem
    slots = {slot.id: slot for slot in problem.slots}
    seen = {film: i for i in chosen for film in slots[i].films}
    taken = [slots[i] for i in chosen]
    # Films left out for the same reasons (a programme's, say) are said together.
    grouped: dict[str, list[str]] = {}
    for film, wish in sorted(found.wished.items(), key=lambda fw: (-fw[1].priority, fw[1].title)):
        if film in seen:
            continue
        showing = sorted((s for s in problem.slots if film in s.films),
                         key=lambda s: (s.start is None, s.start or 0, s.id))  # fmt: skip
        if not showing:
            why = "it has no screening in the plan's editions"
        else:
            reasons = [
                f"{_short(found.views[s.id])} {_why_not(found, s, taken, seen)}" for s in showing
            ]
            count = "its one screening" if len(showing) == 1 else f"none of its {len(showing)} fits"
            why = f"{count}: " + "; ".join(reasons)
        grouped.setdefault(why, []).append(f"{found.titles[film]}, priority {wish.priority},")
    lines = []
    for why, films in grouped.items():
        if len(films) == 1:
            lines.append(f"{films[0]} is left out: {why}")
        else:
            named = "; ".join(title.removesuffix(",") for title in films)
            lines.append(f"{named}: left out, each: {why}")
    return lines


def _why_not(
    found: _Candidates, slot: solver.Slot, taken: Sequence[solver.Slot], seen: dict[int, int]
) -> str:
    if slot.blocked is not None:
        return slot.blocked
    again = [film for film in slot.films if film in seen and seen[film] != slot.id]
    if again:  # a film is seen once: a programme showing one seen elsewhere is not taken
        return "it also shows " + " and ".join(
            f"{found.titles[film]}, seen at #{seen[film]}" for film in again
        )
    for busy in found.problem.busy:
        if solver.overlaps_busy(slot, busy):
            period = found.busy[busy.id]
            return f"falls in the busy period {plans.busy_said(period, found.zone)}"
    clashing = [other for other in taken if solver.clash(found.problem, slot, other)]
    if not clashing:
        return "would fit (the solve stopped at its time limit)"
    names = []
    for other in clashing:
        label = _chosen(found, found.views[other.id]).why
        named = f"{label} {found.views[other.id].title}"
        if found.problem.travel(slot, other) is None and not _overlap(found.problem, slot, other):
            named += " (in another city, with no travel time stated: 'screenings add travel')"
        names.append(named)
    return "clashes with " + " and ".join(names)


def _overlap(problem: solver.Problem, a: solver.Slot, b: solver.Slot) -> bool:
    """Whether ``a`` and ``b`` run into each other, the buffer counted, journeys not."""
    assert a.start is not None and a.end is not None and b.start is not None
    assert b.end is not None
    return a.start < b.end + problem.buffer and b.start < a.end + problem.buffer


def _conflict(found: _Candidates, items: Sequence[solver.Item]) -> list[str]:
    """A minimal conflicting set, in words."""
    lines = []
    for item in items:
        if item.kind == "must":
            showing = [slot for slot in found.problem.slots if item.id in slot.films]
            why = ""
            if not showing:
                why = " (it has no screening in the plan's editions)"
            elif all(slot.blocked for slot in showing):
                why = (
                    " ("
                    + "; ".join(
                        f"{_short(found.views[slot.id])} {slot.blocked}" for slot in showing
                    )
                    + ")"
                )
            lines.append(f"must-see {found.titles[item.id]}{why}")
        elif item.kind == "pin":
            view = found.views[item.id]
            blocked = next(s.blocked for s in found.problem.slots if s.id == item.id)
            lines.append(f"pin {said(view)}" + (f" ({blocked})" if blocked else ""))
        else:
            lines.append(f"busy {plans.busy_said(found.busy[item.id], found.zone)}")
    return lines


# --- A plan as it stands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """A plan as ``plan show`` shows it."""

    plan: Plan
    editions: list[str]
    wishes: list[Wish]
    pins: list[str]
    busy: list[str]
    chosen: list[ScreeningView]
    changed: list[str]  # what changed since its last solve (a move, a removal, ...)
    broken: list[str]  # what makes it impossible to follow now (``plan_clashes``)


def plan_overview(session: Session, name: str, *, default_length_minutes: int = 90) -> Overview:
    """The plan called ``name``: its settings, wishes, pins, busy periods, the screenings
    it chose as they are now, and what broke it since its last solve."""
    from screenings import lookup

    plan = plans.find_plan(session, name)
    zone = plans.display_zone(session, plan)
    chosen, changed = plan_problems(session, plan, default_length_minutes=default_length_minutes)
    broken = _clashes(session, plan, chosen)
    return Overview(
        plan=plan,
        editions=[lookup.describe(e) for e in plans.plan_editions(session, plan)],
        wishes=plans.wishes(session, plan),
        pins=[plans.screening_said(s) for s in plans.pins(session, plan)],
        busy=[f"#{b.id} {plans.busy_said(b, zone)}" for b in plans.busy_periods(session, plan)],
        chosen=chosen,
        changed=changed,
        broken=[message for _, _, message in broken],
    )


def plan_problems(
    session: Session, plan: Plan, *, default_length_minutes: int = 90
) -> tuple[list[ScreeningView], list[str]]:
    """The screenings the plan chose, as they are now, and what broke since its solve:
    what was removed (``plans.note_removal``), each chosen screening moved or called
    off, and two chosen screenings that now clash."""
    C = tables.plan_choice
    rows = {r.screening_id: r for r in session.execute(select(C).where(C.c.plan_id == plan.id))}
    query = ScreeningQuery(
        ids=tuple(sorted(rows)), include_private=True, default_length_minutes=default_length_minutes
    )
    views = query.run(session).screenings if rows else []
    problems = list(
        session.execute(
            select(tables.plan_problem.c.text)
            .where(tables.plan_problem.c.plan_id == plan.id)
            .order_by(tables.plan_problem.c.id)
        ).scalars()
    )
    for view in views:
        row = rows[view.id]
        if view.visibility == "private" and not plan.include_private:
            problems.append(
                f"{row.said} is now private: the plan takes no private screenings, and its "
                "calendar leaves it out"
            )
        venue = view.venue.id if view.venue else None
        if view.status in OFF and row.status not in OFF:
            problems.append(f"{row.said} is now {view.status}")
        elif view.starts_at_utc != row.starts_at_utc or venue != row.venue_id:
            problems.append(f"{row.said} moved: now {said(view)}")
    return views, problems


def plan_clashes(
    session: Session, name: str, *, default_length_minutes: int = 90
) -> list[tuple[str, tuple[int, ...], str]]:
    """What makes the plan called ``name`` impossible to follow as it stands (``check
    --plan``): two chosen screenings that overlap (with the buffer), a journey between
    two that does not fit, one in a busy period, one called off. Each as (kind, the
    screenings' ids, message)."""
    plan = plans.find_plan(session, name)
    views, _ = plan_problems(session, plan, default_length_minutes=default_length_minutes)
    return _clashes(session, plan, views)


def _clashes(
    session: Session, plan: Plan, views: Sequence[ScreeningView]
) -> list[tuple[str, tuple[int, ...], str]]:
    """``plan_clashes`` of the screenings ``views`` (the plan's, as they are now)."""
    ids = {view.id for view in views}
    slots = sorted(
        (_slot(view, (), plan, ids) for view in views),
        key=lambda s: (s.start is None, s.start or 0, s.id),
    )
    by_id = {view.id: view for view in views}
    problem = solver.Problem(
        slots=slots,
        priorities={},
        buffer=plan.buffer_minutes,
        travel=_journeys(session, plan),
    )
    zone = plans.display_zone(session, plan)
    busy = [
        (period, solver.Busy(period.id, _minute(period.starts_at), _minute(period.ends_at)))
        for period in plans.busy_periods(session, plan)
    ]
    found: list[tuple[str, tuple[int, ...], str]] = []
    for number, first in enumerate(slots):
        view = by_id[first.id]
        if view.status in OFF:
            found.append(("plan: called off", (first.id,), f"{said(view)}: {OFF[view.status]}"))
            continue  # it takes no time: its clashes are none
        if first.start is None:
            unknown = f"{said(view)}: its time is not announced, so its clashes are unknown"
            found.append(("plan: time TBA", (first.id,), unknown))
        for period, span in busy:
            if solver.overlaps_busy(first, span):
                falls = f"{said(view)} falls in {plans.busy_said(period, zone)}"
                found.append(("plan: busy", (first.id,), falls))
        for second in slots[number + 1 :]:
            if by_id[second.id].status in OFF or not solver.clash(problem, first, second):
                continue
            other = by_id[second.id]
            assert first.end is not None and second.start is not None
            kind, why = "plan: overlap", "overlap"
            if second.start >= first.end + plan.buffer_minutes:
                journey = problem.travel(first, second)
                kind = "plan: impossible journey"
                takes = f"which takes {journey} min" if journey is not None else None
                why = (
                    f"leave {second.start - first.end - plan.buffer_minutes} min to get there, "
                    + (takes or "in another city, with no travel time stated (add travel)")
                )
            found.append((kind, (first.id, second.id), f"{said(view)} and {said(other)} {why}"))
    return found
