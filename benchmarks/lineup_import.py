"""``screenings import`` of a large synthetic lineup, against a floor, as whole processes.

The generator is seeded: about 3 screenings per film, about 50 venues in a dozen
cities and zones, about 200 festivals, dates written four ways (ISO, "14 June
2013", "Jun 14, 2013", 14/06/2013), few venue clashes.

The floor is the same file loaded into one flat SQLite table with Python's
``csv`` and ``sqlite3.executemany``, as a whole process too (interpreter start
included). In one run: the floor, the first import into a fresh SQLite
database, and the re-import of the unchanged file (targets: 3x and 2x the
floor); then the schema floor: the screening rows the first import stored,
dumped to CSV and loaded by a process with ``csv`` and ``sqlite3.executemany``
into the catalogue's own screening table, emptied (its eight indexes, checks
and foreign keys), which is the part of an import no design of the importer
can skip; then, with ``--memory``, the peak resident memory of importing a
1,000,000-row file (target: under 300 MB).

Usage: .venv/bin/python benchmarks/lineup_import.py [ROWS] [--memory] [--sync]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITIES = [
    ("Sheffield", "Europe/London"), ("London", "Europe/London"),
    ("Amsterdam", "Europe/Amsterdam"), ("Berlin", "Europe/Berlin"), ("Paris", "Europe/Paris"),
    ("Toronto", "America/Toronto"), ("Boston", "America/New_York"),
    ("New York", "America/New_York"), ("Los Angeles", "America/Los_Angeles"),
    ("Tokyo", "Asia/Tokyo"), ("Sydney", "Australia/Sydney"), ("São Paulo", "America/Sao_Paulo"),
]  # fmt: skip
HEADER = ["Title", "Director", "Year", "Runtime", "Festival", "Section", "Venue", "City",
          "Date", "Time", "Timezone", "Notes"]  # fmt: skip
WORDS = ["night", "light", "river", "north", "house", "last", "silent", "city", "winter",
         "road", "sea", "song", "wall", "mother", "border", "island", "fire", "garden", "letter",
         "escape"]  # fmt: skip


def write_lineup(path: Path, rows: int, seed: int = 2013) -> None:
    """About ``rows`` screenings: a film has 1 to 5 (3 on average) in one festival edition."""
    import csv

    rng = random.Random(seed)
    venues = [(f"{rng.choice(WORDS).title()} Cinema {n}", *CITIES[n % len(CITIES)])
              for n in range(50)]  # fmt: skip
    festivals = [f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Festival {n}"
                 for n in range(200)]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        written, film = 0, 0
        taken: set[tuple[int, dt.date, int]] = set()
        while written < rows:
            film += 1
            festival = festivals[film % len(festivals)]
            year = 2005 + film % 20
            start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(350))
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {film}"
            director = f"Director {rng.randrange(rows // 4 + 1)}"
            runtime = str(rng.randrange(60, 150)) if rng.random() < 0.7 else ""
            section = f"Section {film % 9}"
            for n in range(min(rng.choice((1, 2, 3, 3, 4, 5)), rows - written)):
                # A venue's day has five slots, 2h45 apart: a clash only when two
                # screenings draw the same slot (about 1 in 100 here).
                number, day = rng.randrange(len(venues)), start + dt.timedelta(days=n)
                slot = rng.randrange(5)
                if (number, day, slot) in taken and rng.random() < 0.99:
                    slot = (slot + 1) % 5
                taken.add((number, day, slot))
                venue, city, zone = venues[number]
                time = f"{10 + slot * 11 // 4}:{(slot * 45) % 60:02d}"
                writer.writerow(
                    [title, director, str(year - 1), runtime, f"{festival} {year}", section,
                     venue, city, _date(day, film + n), time, zone,
                     "Q&A" if rng.random() < 0.1 else ""]
                )  # fmt: skip
                written += 1


def _date(day: dt.date, n: int) -> str:
    form = n % 4
    if form == 0:
        return day.isoformat()
    if form == 1:
        return f"{day.day} {day:%B %Y}"
    if form == 2:
        return f"{day:%b} {day.day}, {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


# The part of an import no design can skip: the screenings, as the first import stored
# them, inserted into an empty catalogue (its indexes, checks and foreign keys) with
# csv and sqlite3.executemany alone.
SCHEMA_FLOOR = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[2])
connection.execute("PRAGMA foreign_keys = ON")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    header = next(rows)
    marks = ", ".join("?" for _ in header)
    rows = ([value or None for value in row] for row in rows)
    connection.executemany(f"INSERT INTO screening ({', '.join(header)}) VALUES ({marks})", rows)
connection.commit()
"""

FLOOR = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[2])
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    header = next(rows)
    columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
    connection.execute(f"CREATE TABLE lineup (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" for _ in header)
    names = ", ".join(f"c{i}" for i in range(len(header)))
    connection.executemany(f"INSERT INTO lineup ({names}) VALUES ({marks})", rows)
connection.commit()
"""


def timed(command: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of a whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"{command} failed:\n{process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss * 1024


def _schema_floor(folder: Path, catalogue: Path) -> float:
    """The schema floor's time: the screening rows of ``catalogue`` dumped to CSV, then
    loaded by a process into a copy of ``catalogue`` whose screenings were deleted."""
    import csv
    import shutil
    import sqlite3

    dump, empty = folder / "screenings.csv", folder / "empty.sqlite3"
    shutil.copy(catalogue, empty)
    source = sqlite3.connect(catalogue)
    with dump.open("w", newline="") as out:
        cursor = source.execute("SELECT * FROM screening ORDER BY id")
        writer = csv.writer(out)
        writer.writerow([d[0] for d in cursor.description])
        writer.writerows(cursor)
    source.close()
    target = sqlite3.connect(empty)
    target.execute("DELETE FROM screening")
    target.commit()
    target.execute("VACUUM")
    target.close()
    elapsed, _ = timed([sys.executable, "-c", SCHEMA_FLOOR, str(dump), str(empty)])
    return elapsed


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 100_000
    screenings = [str(Path(sys.executable).with_name("screenings"))]
    extra = ["--sync"] if "--sync" in sys.argv else []
    with tempfile.TemporaryDirectory() as folder:
        lineup = Path(folder) / "lineup.csv"
        write_lineup(lineup, rows)
        floor_db, db = Path(folder) / "floor.sqlite3", Path(folder) / "catalogue.sqlite3"
        floor_s, _ = timed([sys.executable, "-c", FLOOR, str(lineup), str(floor_db)])
        command = [*screenings, "--db", str(db), "import", str(lineup), *extra]
        first_s, first_mem = timed(command)
        again_s, _ = timed(command)
        schema_s = _schema_floor(Path(folder), db)
        print(f"rows: {rows:,} ({lineup.stat().st_size / 1e6:.1f} MB)")
        print(f"{'floor (csv + sqlite3.executemany)':36} {floor_s:6.2f} s")
        for label, seconds, note in (
            ("first import", first_s, f"(target 3x; peak {first_mem / 1e6:.0f} MB)"),
            ("re-import, unchanged", again_s, "(target 2x)"),
            ("schema floor: the screenings alone", schema_s, "(the first import's screening "
             "rows, csv + sqlite3.executemany into the catalogue's empty screening table)"),
        ):  # fmt: skip
            print(f"{label:36} {seconds:6.2f} s  {seconds / floor_s:4.1f}x  {note}")
        if "--memory" in sys.argv:
            big = Path(folder) / "big.csv"
            write_lineup(big, 1_000_000)
            big_db = Path(folder) / "big.sqlite3"
            big_s, big_mem = timed([*screenings, "--db", str(big_db), "import", str(big)])
            print(f"1,000,000 rows: {big_s:.1f} s, peak {big_mem / 1e6:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
