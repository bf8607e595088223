"""The planner's yardstick: every subset of a small problem's screenings, tried."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from screenings.solver import Problem, Slot, clash, overlaps_busy, priority_of


def feasible(problem: Problem, chosen: Iterable[Slot]) -> bool:
    """Whether ``chosen`` keeps every hard rule: pins in, must-sees seen, nothing blocked
    or in a busy period, no two clashing, no film seen twice."""
    picked = list(chosen)
    ids = {slot.id for slot in picked}
    films = [film for slot in picked for film in set(slot.films)]
    return (
        problem.pins <= ids
        and problem.musts <= set(films)
        and len(films) == len(set(films))
        and not any(s.blocked or any(overlaps_busy(s, b) for b in problem.busy) for s in picked)
        and not any(clash(problem, a, b) for a, b in itertools.combinations(picked, 2))
    )


def best(problem: Problem) -> int | None:
    """The highest priority any feasible plan reaches; None when none is feasible."""
    found = None
    for size in range(len(problem.slots) + 1):
        for picked in itertools.combinations(problem.slots, size):
            if feasible(problem, picked):
                value = priority_of(problem, [slot.id for slot in picked])
                found = value if found is None else max(found, value)
    return found


def fewest_changes(problem: Problem) -> int | None:
    """Of the feasible plans of the highest priority, the fewest screenings changed from
    ``problem.current`` (dropped plus added); None when none is feasible."""
    top = best(problem)
    if top is None:
        return None
    found = None
    for size in range(len(problem.slots) + 1):
        for picked in itertools.combinations(problem.slots, size):
            ids = {slot.id for slot in picked}
            if feasible(problem, picked) and priority_of(problem, ids) == top:
                changes = len(ids ^ problem.current)
                found = changes if found is None else min(found, changes)
    return found
