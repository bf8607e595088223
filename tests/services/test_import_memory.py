"""What an import keeps of every row, in a few bytes each (``IdMap``, ``Pairs``): a file may
claim a million, and a small file may claim ids in the millions of a large catalogue."""

from __future__ import annotations

import tracemalloc

from screenings.services.lineup.common import FirstLines, FirstSaid, IdMap, Pairs


def peak(claims: list[tuple[int, int]]) -> tuple[IdMap, int]:
    tracemalloc.start()
    try:
        kept = IdMap()
        for number, line in claims:
            kept[number] = line
        return kept, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_few_claims_of_large_ids_take_little() -> None:
    kept, used = peak([(5_000_000 + n * 37, n + 2) for n in range(100)])
    assert used < 100_000, used  # an array up to the largest id would take 20 MB
    assert 5_000_000 in kept and kept.get(5_000_000 + 99 * 37) == 101
    assert 5_000_001 not in kept and kept.get(17) is None


def test_a_million_claims_take_a_few_bytes_each() -> None:
    kept, used = peak([(n, n + 1) for n in range(1, 1_000_001)])
    assert used < 8_000_000, used  # a dict would take about 100 MB
    assert kept.get(1) == 2 and kept.get(1_000_000) == 1_000_001
    assert 0 not in kept and 1_000_001 not in kept and kept.get(2_000_000) is None


def test_a_film_s_editions_are_kept_in_a_few_bytes() -> None:
    tracemalloc.start()
    try:
        seen = Pairs()
        for film in range(1, 300_001):
            seen.add((film, 1 + film % 200))
        seen.add((7, 3))  # a film in a second edition
        used = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert used < 4_000_000, used  # a set of 300,000 pairs would take about 20 MB
    assert (7, 8) in seen and (7, 3) in seen and (7, 4) not in seen and (300_001, 2) not in seen


def test_selections_added_at_once_count_as_one_at_a_time_would() -> None:
    """``Pairs.add_new`` (the selections of the rows found unchanged before the file is
    read) counts and keeps what ``in`` and ``add`` pair by pair would."""
    before = [(7, 3), (8, 1), (9, 2), (9, 5)]
    pairs = [(7, 3), (7, 4), (8, 1), (9, 5), (9, 6), (10, 1), (10, 1), (7, 4), (11, 2)]
    one_by_one, at_once = Pairs(), Pairs()
    for pair in before:
        one_by_one.add(pair)
        at_once.add(pair)
    new = 0
    for pair in pairs:
        if pair not in one_by_one:
            one_by_one.add(pair)
            new += 1
    assert at_once.add_new(pairs) == new == 4
    for film in range(6, 13):
        for edition in range(7):
            assert ((film, edition) in at_once) == ((film, edition) in one_by_one)


def test_claims_made_at_once_are_kept_as_one_at_a_time_would_be() -> None:
    """``IdMap.update`` (the rows found unchanged before the file is read), on a map that
    holds claims already, whether it stays a dict or becomes the array."""
    for before, numbers in [
        ([(9_000_000, 2)], [5_000_000 + n * 37 for n in range(50)]),  # stays a dict
        ([(3, 2)], list(range(10, 100_010))),  # becomes the array
        ([(n, n + 1) for n in range(1, 2_000)], list(range(5, 50_005, 5))),  # was one
    ]:
        lines = [n % 1_000 + 3 for n in numbers]
        one_by_one, at_once = IdMap(), IdMap()
        for number, line in before:
            one_by_one[number] = line
            at_once[number] = line
        for number, line in zip(numbers, lines, strict=True):
            one_by_one[number] = line
        at_once.update(numbers, lines)
        for number in {*numbers, *(n for n, _ in before), 0, 1, 4, max(numbers) + 1}:
            assert at_once.get(number) == one_by_one.get(number), number
            assert (number in at_once) == (number in one_by_one), number


def test_a_million_claims_made_at_once_take_a_few_bytes_each() -> None:
    numbers = list(range(1, 1_000_001))
    lines = [n + 1 for n in numbers]
    tracemalloc.start()
    try:
        kept = IdMap()
        kept.update(numbers, lines)
        used = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert used < 8_000_000, used
    assert kept.get(1) == 2 and kept.get(1_000_000) == 1_000_001 and 0 not in kept


def test_what_each_film_s_first_row_said_is_kept_in_a_few_bytes() -> None:
    """A file of 300,000 films, each in one edition and a few in a second: what each
    film's first row stated of its selection, and the first line of each, as ``Pairs``
    keeps the pairs (a dict of a tuple a film would take over 100 bytes each)."""
    tracemalloc.start()
    try:
        said, lines = FirstSaid(), FirstLines()
        for film in range(1, 300_001):
            section = ("Competition", "Panorama", "Shorts")[film % 3]
            said.first(film, film + 1, (section, None, None), within=7)
            lines.add(film, 7, film + 9)
            lines.add(film, 7, film + 1)  # an earlier line of it: the first
        for film in range(1, 301):  # a few films in a second edition
            said.first(film, 500_000 + film, ("Retrospective", None, None), within=8)
            lines.add(film, 8, 500_000 + film)
        used = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert used < 300_000 * 30, used  # five arrays of 4 bytes a film, grown by half at a time
    assert said.get(3, 7) == (4, ("Competition", None, None))
    assert said.get(3, 8) == (500_003, ("Retrospective", None, None))
    assert said.get(3, 9) is None and said.get(300_001, 7) is None
    assert (lines.get(3, 7), lines.get(3, 8), lines.get(3, 9)) == (4, 500_003, None)
