"""Parsing a large lineup, against reading the same file with the csv module alone.

The floor is `csv.reader` over the decoded file: no parser can read the rows
faster than that. Memory is the peak traced while parsing 10,000 and 100,000
rows: it must not grow with the number of rows.

Usage: python benchmarks/lineup.py [ROWS]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from screenings.parsers.lineup import parse_lineup

HEADER = "Title,Director(s),Year,Festival,Section,Venue,City,Date,Time,Runtime,Notes"


def write_lineup(path: Path, rows: int) -> None:
    with path.open("w", newline="") as out:
        out.write(HEADER + "\r\n")
        for n in range(rows):
            out.write(
                f'"Film {n}, part {n % 3}",Director {n % 97} & Co-director {n % 13},'
                f"{1990 + n % 30},Sheffield Doc/Fest 2013,Strand {n % 7},Venue {n % 11},"
                f"Sheffield,{n % 28 + 1:02d}/06/2013,{10 + n % 12}:{n % 4 * 15:02d},"
                f"{60 + n % 90} min,note {n}\r\n"
            )


def floor(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return sum(1 for _ in csv.reader(stream))


def parse(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in parse_lineup(stream, path.name).items)


def peak_memory(path: Path) -> int:
    tracemalloc.start()
    try:
        parse(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "big.csv", Path(folder) / "small.csv"
        write_lineup(big, rows)
        write_lineup(small, rows // 10)
        start = time.perf_counter()
        floor(big)
        floor_s = time.perf_counter() - start
        start = time.perf_counter()
        parsed = parse(big)
        parse_s = time.perf_counter() - start
        small_peak, big_peak = peak_memory(small), peak_memory(big)
    print(f"floor  csv.reader          {rows / floor_s:10,.0f} rows/s")
    print(
        f"parse_lineup               {parsed / parse_s:10,.0f} rows/s "
        f"({parse_s / floor_s:.1f}x the floor's time; reads the file twice for its dates)"
    )
    print(
        f"peak memory  {rows // 10:,} rows {small_peak / 1e6:.2f} MB, {rows:,} rows "
        f"{big_peak / 1e6:.2f} MB (ratio {big_peak / small_peak:.2f})"
    )


if __name__ == "__main__":
    main()
