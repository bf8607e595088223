"""What an import keeps of every row, in a few bytes each (``IdMap``, ``Pairs``): a file may
claim a million, and a small file may claim ids in the millions of a large catalogue."""

from __future__ import annotations

import tracemalloc

from screenings.services.lineup.common import IdMap, Pairs


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
