"""The planner's optimisation: which screenings to attend, as a 0-1 program solved by
CP-SAT (OR-Tools).

Pure: no database, no I/O. ``services.planning`` turns a plan into a ``Problem`` (its
candidate screenings as ``Slot`` values, in minutes since the epoch, UTC) and a
``Solution`` back into words.

The model. One binary variable per candidate screening.
- Each wanted film is seen at most once (exactly once for a must-see): one row per film
  over the screenings that show it, alone or in a programme.
- No two chosen screenings clash. Screenings whose spans (start to end plus the buffer)
  share an instant clash whatever the journey: one row per maximal set of them (an
  interval graph's maximal cliques, found in one sweep), far fewer rows than pairs. A pair
  that does not overlap but leaves less time than the journey between the two venues
  gets a row of its own.
- Pins are fixed to 1; a screening that cannot be chosen (cancelled, private, time TBA,
  in a busy period) to 0.
- The objective is the sum of the priorities of the films seen. A re-solve then keeps
  that sum (a row) and, among the plans that reach it, changes the fewest screenings of
  the current plan: a second solve, each screening weighing 1 if it is in the current
  plan and -1 if not. The changes are those dropped plus those added, |current| + |new|
  - 2 kept, and |current| is fixed: the fewest changes are the most of 2 kept - |new|,
  the sum of those weights. No change of screenings ever costs a point of priority.

CP-SAT proves optimality exactly (the weights are integers). It runs on one worker, so the
same catalogue gives the same plan; HiGHS was tried too (benchmarks/planner.py).

When the hard constraints (must-sees, pins, busy periods) cannot all hold, ``conflict``
finds a minimal set of them that cannot: each is dropped in turn and stays dropped when
the rest is still infeasible (deletion filtering), so dropping any one member of what
remains makes the others feasible.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

# A solution's status, by name.
OPTIMAL, INFEASIBLE = "optimal", "infeasible"


@dataclass(frozen=True)
class Slot:
    """A candidate screening: minutes since the epoch (UTC), its place, its films."""

    id: int
    start: int | None  # None: its time is not known (TBA)
    end: int | None  # start plus its effective length
    place: int | None  # its venue
    city: str | None  # the key of its city, for the journeys
    films: tuple[int, ...]  # the wanted films it shows
    blocked: str | None = None  # why it cannot be chosen (cancelled, private, TBA, ...)


@dataclass(frozen=True)
class Busy:
    """A period the person cannot attend, in minutes since the epoch (UTC), end excluded."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    """What to solve: the candidates, what the person wants and cannot, and the journeys.

    ``travel(a, b)`` is the minutes from ``a``'s place to ``b``'s, or None where no time
    is known (two cities with none stated): then ``UNKNOWN_JOURNEY`` must lie between them.
    """

    slots: Sequence[Slot]
    priorities: dict[int, int]  # wanted film -> priority (1-5)
    musts: frozenset[int] = frozenset()  # films
    pins: frozenset[int] = frozenset()  # slots
    busy: Sequence[Busy] = ()
    buffer: int = 0
    travel: Callable[[Slot, Slot], int | None] = lambda a, b: 0
    current: frozenset[int] = frozenset()  # slots of the plan as it is (a re-solve)
    time_limit: float = 10.0


@dataclass(frozen=True)
class Solution:
    """The screenings chosen, the priority they add up to, and whether it is proven best.
    ``status``: ``optimal``, ``feasible`` (the best found within the time limit),
    ``infeasible`` (then ``conflict`` holds a minimal set of hard constraints that cannot
    all hold) or ``unknown`` (no plan found within the time limit)."""

    status: str
    chosen: tuple[int, ...] = ()
    priority: int = 0
    conflict: tuple[Item, ...] = ()
    seconds: float = 0.0
    bound: int | None = None  # the most any plan could reach, as far as the solve proved
    minimal: bool = True  # ``conflict`` is known minimal (no trial was cut short)

    @property
    def optimal(self) -> bool:
        return self.status == OPTIMAL


@dataclass(frozen=True, order=True)
class Item:
    """A hard constraint a person set: a must-see film, a pin, a busy period."""

    kind: str  # "must", "pin", "busy"
    id: int


def overlaps_busy(slot: Slot, busy: Busy) -> bool:
    """Whether ``slot`` runs into ``busy`` (a slot of unknown time never does)."""
    if slot.start is None or slot.end is None:
        return False
    return slot.start < busy.end and busy.start < slot.end


def clash(problem: Problem, a: Slot, b: Slot) -> bool:
    """Whether ``a`` and ``b`` cannot both be attended: they overlap, counting the buffer
    after each, or the journey from the first to the second does not fit between them."""
    if a.id == b.id or a.start is None or b.start is None or a.end is None or b.end is None:
        return False
    if (b.start, b.id) < (a.start, a.id):
        a, b = b, a
    assert a.end is not None and b.start is not None
    free = b.start - (a.end + problem.buffer)
    if free < 0:
        return True
    return free < journey_minutes(problem, a, b)


# Two cities with no stated travel time between them: a day apart, at least. Not "never":
# a plan over a festival in February and another in May needs no time between them, and
# two cities' screenings on one evening (or either side of a midnight) are never combined
# by a guess; a stated time (``add travel``) combines them closer.
UNKNOWN_JOURNEY = 24 * 60


def journey_minutes(problem: Problem, a: Slot, b: Slot) -> int:
    """The minutes from ``a``'s place to ``b``'s, ``UNKNOWN_JOURNEY`` where none is known."""
    journey = problem.travel(a, b)
    return UNKNOWN_JOURNEY if journey is None else journey


@dataclass
class _Rows:
    """The program's constraints, row by row: the columns (screenings) of each, their
    coefficients (1 unless given), and the bounds of their sum (None: unbounded)."""

    rows: list[tuple[list[int], list[int], int | None, int | None]] = field(default_factory=list)

    def add(
        self,
        columns: Iterable[int],
        lower: int | None,
        upper: int | None,
        values: Sequence[int] | None = None,
    ) -> None:
        listed = list(columns)
        self.rows.append((listed, list(values or [1] * len(listed)), lower, upper))


def _clash_rows(problem: Problem, slots: Sequence[Slot], column: dict[int, int]) -> _Rows:
    """Rows that keep clashing screenings apart: one per maximal set of overlapping spans;
    one per maximal set that the shortest journey between two places keeps apart (where
    every two of the same place clash too); one per pair whose journey does not fit."""
    rows = _Rows()
    timed = sorted(
        (s for s in slots if s.start is not None and s.end is not None),
        key=lambda s: (s.start, s.id),
    )
    for group in _sweep(timed, lambda a: _reach(problem, a)):
        rows.add((column[a.id] for a in group), None, 1)
    # A span stretched by the shortest journey between two places (``shortest``): two
    # such spans that share an instant clash if they are at two places. The pairs below
    # say the same, one by one; these sets say it at once, which the solver's bound
    # feels (a month-long plan's best found is closer to the best there is).
    shortest, longest = _journeys(problem, timed)
    if shortest > 0:
        for group in _sweep(timed, lambda a: _reach(problem, a) + shortest):
            if _each_place_clashes(problem, group):
                rows.add((column[a.id] for a in group), None, 1)
    # The journeys: pairs that do not overlap, but too close for the way between them.
    starts = [s.start for s in timed if s.start is not None]
    for a in timed:
        reach = _reach(problem, a)
        first = bisect.bisect_left(starts, reach)
        last = bisect.bisect_left(starts, reach + longest + 1)
        for b in timed[first:last]:
            if b.id != a.id and clash(problem, a, b):
                rows.add((column[a.id], column[b.id]), None, 1)
    return rows


def _sweep(timed: Sequence[Slot], reach: Callable[[Slot], int]) -> Iterable[list[Slot]]:
    """The maximal sets of spans (start to ``reach``) that share an instant, of at least
    two, in one pass over ``timed`` (in start order)."""
    active: list[Slot] = []
    grown = False  # whether a span opened since the last set was given
    for slot in timed:
        assert slot.start is not None
        if any(reach(a) <= slot.start for a in active):
            # A span closes: the open ones were a maximal set, if one opened since.
            if grown and len(active) > 1:
                yield list(active)
            grown = False
            active = [a for a in active if reach(a) > slot.start]
        active.append(slot)
        grown = True
    if grown and len(active) > 1:
        yield list(active)


def _each_place_clashes(problem: Problem, group: Sequence[Slot]) -> bool:
    """Whether every two screenings of ``group`` at one place clash (between places, the
    shortest journey keeps them apart already)."""
    by_place: dict[Any, list[Slot]] = {}
    for slot in group:
        by_place.setdefault((slot.place, slot.city), []).append(slot)
    return all(
        clash(problem, a, b)
        for same in by_place.values()
        for a, b in itertools.combinations(same, 2)
    )


def _reach(problem: Problem, slot: Slot) -> int:
    assert slot.end is not None
    return slot.end + problem.buffer


def _journeys(problem: Problem, slots: Sequence[Slot]) -> tuple[int, int]:
    """The shortest journey between two different places of ``slots`` (0 where there is
    one place) and the longest: the places are few, the screenings many."""
    places: dict[Any, Slot] = {}
    for slot in slots:
        places.setdefault((slot.place, slot.city), slot)
    minutes = [
        journey_minutes(problem, a, b)
        for key, a in places.items()
        for other, b in places.items()
        if key != other
    ]
    return (min(minutes), max(minutes)) if minutes else (0, 0)


def solve(problem: Problem, *, active: frozenset[Item] | None = None) -> Solution:
    """The best plan for ``problem``, or, when its hard constraints cannot all hold, a
    minimal set of them that cannot (``Solution.conflict``). ``active``: the hard
    constraints to hold (all, unless given: ``conflict`` tries subsets)."""
    began = time.perf_counter()
    until = time.monotonic() + problem.time_limit  # one limit for every solve it takes
    items = _items(problem) if active is None else active
    outcome = _run(problem, items, until, objective=True)
    if outcome.status == INFEASIBLE and active is None:
        core, minimal = conflict(problem, until)
        outcome = Solution(INFEASIBLE, conflict=tuple(sorted(core)), minimal=minimal)
    elif outcome.status == OPTIMAL and problem.current:
        # Two stages rather than one weighted objective: the tie-break as a second
        # solve is several times faster than folded into the first (benchmarks/planner).
        kept = _run(problem, items, until, objective=True, best=outcome.priority)
        if kept.status in (OPTIMAL, "feasible"):
            outcome = Solution(OPTIMAL, kept.chosen, outcome.priority, bound=outcome.priority)
    return replace(outcome, seconds=time.perf_counter() - began)


def _items(problem: Problem) -> frozenset[Item]:
    return frozenset(
        [Item("must", f) for f in problem.musts]
        + [Item("pin", p) for p in problem.pins]
        + [Item("busy", b.id) for b in problem.busy]
    )


def conflict(problem: Problem, until: float) -> tuple[frozenset[Item], bool]:
    """A minimal set of the hard constraints that cannot all hold (the problem must be
    infeasible with all of them): dropping any one member makes the rest feasible. And
    whether it is known minimal: a trial cut short by the time limit (``until``, a
    ``time.monotonic()`` instant) keeps its member, so the set may hold more."""
    kept = set(_items(problem))
    minimal = True
    for item in sorted(kept):
        trial = frozenset(kept - {item})
        status = _run(problem, trial, until, objective=False).status
        if status == INFEASIBLE:
            kept.discard(item)  # not needed for the conflict
        elif status not in (OPTIMAL, "feasible"):
            minimal = False
    return frozenset(kept), minimal


def _run(
    problem: Problem,
    active: frozenset[Item],
    until: float,
    *,
    objective: bool,
    best: int | None = None,
) -> Solution:
    """Build and solve the 0-1 program with the hard constraints ``active``: without
    ``objective``, whether it is feasible; with ``best``, the plan of that priority that
    keeps the most of ``problem.current``."""
    slots = list(problem.slots)
    lower, upper = _bounds(problem, slots, active)
    rows = _clash_rows(problem, slots, {slot.id: number for number, slot in enumerate(slots)})
    showing: dict[int, list[int]] = {}
    for number, slot in enumerate(slots):
        for film in slot.films:
            showing.setdefault(film, []).append(number)
    musts = {item.id for item in active if item.kind == "must"}
    if any(film not in showing for film in musts):
        return Solution(INFEASIBLE)  # a must-see with no screening at all
    for film in sorted(set(problem.priorities) | musts):
        if film in showing:
            rows.add(showing[film], 1 if film in musts else None, 1)
    weights = [0] * len(slots)
    if objective:
        weights = [
            sum(problem.priorities.get(film, 0) for film in set(slot.films)) for slot in slots
        ]
        if best is not None:
            # The second stage of a re-solve: no less priority than the best, and of
            # the plans that reach it, the one that changes the fewest screenings.
            rows.add(range(len(slots)), best, None, values=weights)
            weights = [1 if slot.id in problem.current else -1 for slot in slots]
    solved = _cp_sat(slots, (lower, upper), weights, rows, until - time.monotonic())
    return replace(solved, priority=priority_of(problem, solved.chosen))


def _bounds(
    problem: Problem, slots: Sequence[Slot], active: frozenset[Item]
) -> tuple[list[int], list[int]]:
    """Each screening's bounds: 1 to 1 when pinned, 0 to 0 when it cannot be chosen."""
    busy = [b for b in problem.busy if Item("busy", b.id) in active]
    pins = {item.id for item in active if item.kind == "pin"}
    lower = [1 if slot.id in pins else 0 for slot in slots]
    upper = [
        0 if slot.blocked is not None or any(overlaps_busy(slot, b) for b in busy) else 1
        for slot in slots
    ]
    return lower, upper


# A bound no sum of priorities reaches: CP-SAT takes a domain, not an infinity.
_NO_LIMIT = 2**40


def _cp_sat(
    slots: Sequence[Slot],
    bounds: tuple[list[int], list[int]],
    weights: list[int],
    rows: _Rows,
    seconds: float,
) -> Solution:
    """Solve the 0-1 program with CP-SAT on one worker (deterministic), maximising
    ``weights``: proven optimal, the best found within the time limit, or infeasible."""
    # CP-SAT's own binding, not ``ortools.sat.python.cp_model``: that wrapper imports
    # pandas at its start (180 ms of its 290, for helpers that take pandas objects),
    # more than a whole ``screenings list``; the binding is the same solver, and takes
    # the model as CP-SAT's own CpModelProto, which the wrapper builds for it anyway.
    from ortools.sat.python import cp_model_helper as cp

    if any(low > high for low, high in zip(*bounds, strict=True)):
        return Solution(INFEASIBLE)  # a pinned screening that cannot be chosen
    model = cp.CpModelProto()
    for low, high in zip(*bounds, strict=True):
        model.variables.add().domain.extend([low, high])
    for columns, values, lower, upper in rows.rows:
        constraint = model.constraints.add()
        if upper == 1 and lower in (None, 1) and all(v == 1 for v in values):
            chosen = constraint.at_most_one if lower is None else constraint.exactly_one
            chosen.literals.extend(columns)
        else:
            constraint.linear.vars.extend(columns)
            constraint.linear.coeffs.extend(values)
            low = -_NO_LIMIT if lower is None else lower
            constraint.linear.domain.extend([low, _NO_LIMIT if upper is None else upper])
    # CP-SAT minimises: the negated weights, reported back with the sign undone.
    model.objective.vars.extend(range(len(slots)))
    model.objective.coeffs.extend(-weight for weight in weights)
    model.objective.scaling_factor = -1
    parameters = cp.SatParameters()
    parameters.num_workers = 1
    parameters.max_time_in_seconds = max(seconds, 0.01)
    solver = cp.SolveWrapper()
    solver.set_parameters(parameters)
    response = solver.solve(model)  # type: ignore[no-untyped-call]
    if response.status == cp.CpSolverStatus.INFEASIBLE:
        return Solution(INFEASIBLE)
    if response.status not in (cp.CpSolverStatus.OPTIMAL, cp.CpSolverStatus.FEASIBLE):
        return Solution("unknown")
    values = list(response.solution)
    chosen = tuple(sorted(slots[n].id for n, value in enumerate(values) if value))
    proven = response.status == cp.CpSolverStatus.OPTIMAL
    bound = int(response.best_objective_bound + 1e-6)  # weights are whole numbers
    return Solution(OPTIMAL if proven else "feasible", chosen, bound=bound)


def priority_of(problem: Problem, chosen: Iterable[int]) -> int:
    """The sum of the priorities of the wanted films ``chosen`` shows, each film once."""
    by_id = {slot.id: slot for slot in problem.slots}
    seen = {film for slot_id in chosen for film in by_id[slot_id].films}
    return sum(problem.priorities.get(film, 0) for film in seen)


def greedy(problem: Problem) -> tuple[int, ...]:
    """The plan a person makes by hand, as a yardstick: pins, then the must-sees, then
    the films by priority, highest first, each at its earliest screening that fits beside
    those taken. It may miss a must-see the best plan fits in."""
    by_id = {slot.id: slot for slot in problem.slots}
    taken = [by_id[p] for p in sorted(problem.pins) if p in by_id]
    seen = {film for slot in taken for film in slot.films}
    free = [
        s
        for s in problem.slots
        if s.blocked is None and not any(overlaps_busy(s, b) for b in problem.busy)
    ]
    order = sorted(
        problem.priorities, key=lambda f: (f not in problem.musts, -problem.priorities[f], f)
    )
    for film in order:
        if film in seen:
            continue
        showing = sorted(
            (s for s in free if film in s.films and s.start is not None),
            key=lambda s: (s.start, s.id),
        )
        for slot in showing:
            if not any(clash(problem, slot, other) for other in taken) and not (
                set(slot.films) & seen
            ):
                taken.append(slot)
                seen.update(slot.films)
                break
    return tuple(sorted(slot.id for slot in taken))
