"""The planner's solver (CP-SAT) on its own: exact optimality against every subset, minimal
conflicting sets, re-solves that change least, and the journeys between venues."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screenings.solver import (
    INFEASIBLE,
    OPTIMAL,
    Busy,
    Item,
    Problem,
    Slot,
    clash,
    greedy,
    priority_of,
    solve,
)
from tests.planning_brute import best, feasible, fewest_changes


def slot(
    number: int, start: int, length: int, place: int, films: tuple[int, ...], **kw: object
) -> Slot:
    return Slot(number, start, start + length, place, "helsinki", films, **kw)  # type: ignore[arg-type]


def walk(minutes: int) -> object:
    def travel(a: Slot, b: Slot) -> int | None:
        if a.place == b.place:
            return 0
        if a.city != b.city:
            return None
        return minutes

    return travel


@st.composite
def festivals(draw: st.DrawFn) -> Problem:
    """Up to 14 screenings of up to 6 films, some in programmes, in three venues of two
    cities over two days; priorities, must-sees, pins, busy periods, a buffer."""
    films = list(range(1, draw(st.integers(1, 6)) + 1))
    slots = []
    for number in range(1, draw(st.integers(0, 14)) + 1):
        start = draw(st.integers(0, 2 * 1440 // 15)) * 15
        shown = tuple(draw(st.lists(st.sampled_from(films), min_size=1, max_size=2, unique=True)))
        place = draw(st.integers(1, 3))
        blocked = draw(st.sampled_from([None] * 8 + ["cancelled", "time TBA"]))
        slots.append(
            Slot(
                number,
                start,
                start + draw(st.integers(20, 150)),
                place,
                "espoo" if place == 3 else "helsinki",
                shown,
                blocked,
            )
        )
    ids = [s.id for s in slots]
    busy_start = draw(st.integers(0, 2 * 1440))
    return Problem(
        slots=slots,
        priorities={film: draw(st.integers(1, 5)) for film in films},
        musts=frozenset(draw(st.lists(st.sampled_from(films), max_size=2))),
        pins=frozenset(draw(st.lists(st.sampled_from(ids), max_size=1)) if ids else []),
        busy=[Busy(1, busy_start, busy_start + 120)] if draw(st.booleans()) else [],
        buffer=draw(st.sampled_from([0, 10])),
        travel=walk(draw(st.sampled_from([0, 15, 40]))),  # type: ignore[arg-type]
    )


@settings(max_examples=300, deadline=None)
@given(festivals())
def test_every_plan_is_feasible_and_exactly_optimal(problem: Problem) -> None:
    solved = solve(problem)
    optimum = best(problem)
    if optimum is None:
        assert solved.status == INFEASIBLE
        assert solved.conflict  # and it names what cannot hold together
    else:
        by_id = {s.id: s for s in problem.slots}
        assert solved.status == OPTIMAL
        assert feasible(problem, [by_id[i] for i in solved.chosen])
        assert solved.priority == optimum
        by_hand = [by_id[i] for i in greedy(problem)]
        if feasible(problem, by_hand):
            assert priority_of(problem, [s.id for s in by_hand]) <= optimum


@settings(max_examples=150, deadline=None)
@given(festivals(), st.data())
def test_a_re_solve_changes_the_fewest_screenings_of_the_plan_before(
    problem: Problem, data: st.DataObject
) -> None:
    ids = [slot.id for slot in problem.slots]
    current = frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=4)) if ids else [])
    assume(current)  # a first solve has no plan before: it makes no promise of fewest
    problem = replace(problem, current=current)
    solved = solve(problem)
    expected = fewest_changes(problem)
    if expected is None:
        assert solved.status == INFEASIBLE
    else:
        assert solved.priority == best(problem)
        assert len(set(solved.chosen) ^ current) == expected


@settings(max_examples=100, deadline=None)
@given(festivals())
def test_a_conflicting_set_is_minimal(problem: Problem) -> None:
    solved = solve(problem)
    if solved.status != INFEASIBLE:
        return
    core = set(solved.conflict)
    for dropped in core:
        assert solve(problem, active=frozenset(core - {dropped})).status != INFEASIBLE
    assert solve(problem, active=frozenset(core)).status == INFEASIBLE


def test_the_solver_beats_a_hand_made_plan_where_greed_fails() -> None:
    # Greed takes the priority-5 film first, at its first screening, which blocks both
    # priority-4 films; the best plan takes its second screening and sees all three.
    problem = Problem(
        slots=[
            slot(1, 600, 120, 1, (1,)),
            slot(2, 900, 120, 1, (1,)),
            slot(3, 600, 100, 2, (2,)),
            slot(4, 720, 100, 2, (3,)),
        ],
        priorities={1: 5, 2: 4, 3: 4},
        travel=walk(15),  # type: ignore[arg-type]
    )
    assert greedy(problem) == (1,)
    solved = solve(problem)
    assert (solved.status, solved.chosen, solved.priority) == (OPTIMAL, (2, 3, 4), 13)


def test_the_journey_between_venues_and_the_buffer_keep_screenings_apart() -> None:
    ends_at_1000 = slot(1, 900, 100, 1, (1,))
    at_1010_elsewhere = slot(2, 1010, 60, 2, (2,))
    at_1010_same_venue = slot(3, 1010, 60, 1, (2,))
    problem = Problem([], {}, travel=walk(15))  # type: ignore[arg-type]
    assert clash(problem, ends_at_1000, at_1010_elsewhere)  # 10 minutes, a 15-minute walk
    assert not clash(problem, ends_at_1000, at_1010_same_venue)
    buffered = Problem([], {}, buffer=15, travel=walk(0))  # type: ignore[arg-type]
    assert clash(buffered, ends_at_1000, at_1010_same_venue)
    # Another city, no stated time: a day apart at least, midnight or not.
    other_city = Slot(4, 1300, 1360, 3, "espoo", (3,))
    assert clash(problem, ends_at_1000, other_city)
    next_morning = Slot(5, 1000 + 1439, 1000 + 1500, 3, "espoo", (3,))
    assert clash(problem, ends_at_1000, next_morning)
    a_day_later = Slot(6, 1000 + 1440, 1000 + 1500, 3, "espoo", (3,))
    assert not clash(problem, ends_at_1000, a_day_later)


def test_a_re_solve_keeps_the_current_plan_among_equally_good_ones() -> None:
    slots = [slot(1, 600, 90, 1, (1,)), slot(2, 900, 90, 1, (1,)), slot(3, 1200, 90, 1, (2,))]
    for current in (1, 2):
        problem = Problem(
            slots,
            {1: 3, 2: 3},
            current=frozenset({current, 3}),
            travel=walk(15),  # type: ignore[arg-type]
        )
        assert solve(problem).chosen == tuple(sorted({current, 3}))


def test_must_sees_that_cannot_all_be_seen_are_named_and_nothing_more() -> None:
    problem = Problem(
        slots=[slot(1, 600, 120, 1, (1,)), slot(2, 660, 90, 2, (2,)), slot(3, 900, 90, 2, (3,))],
        priorities={1: 3, 2: 3, 3: 3},
        musts=frozenset({1, 2, 3}),
        busy=[Busy(7, 2000, 2100)],
        travel=walk(15),  # type: ignore[arg-type]
    )
    solved = solve(problem)
    assert solved.status == INFEASIBLE
    assert solved.conflict == (Item("must", 1), Item("must", 2))


def test_every_subset_agrees_on_a_small_festival() -> None:
    films = {1: 5, 2: 4, 3: 3, 4: 2}
    slots = [
        slot(number, start, 95, place, (film,))
        for number, (start, place, film) in enumerate(
            itertools.product((600, 690, 780), (1, 2), (1, 2)), start=1
        )
        for film in [((number - 1) % 4) + 1]
    ]
    problem = Problem(slots, films, travel=walk(15))  # type: ignore[arg-type]
    solved = solve(problem)
    assert solved.status == OPTIMAL
    assert solved.priority == best(problem)
