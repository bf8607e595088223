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
can skip; the write floor: every row of every table the first import stored (films,
people, credits, selections, screenings, their bases and the rows' fingerprints) loaded
the same way into an emptied copy, which is what this design must write (#21: the
first import is printed against it too); then, with ``--memory``, the peak resident
memory of importing a 1,000,000-row file (target: under 300 MB).

Each case, on SQLite and (with ``SCREENINGS_BENCH_POSTGRES_URL`` or
``SCREENINGS_TEST_POSTGRES_URL``, an administrative URL: scratch databases are made
and dropped) on PostgreSQL: the re-import of the unchanged file (target 2x the flat
floor), the re-import of the file with 1,000 rows changed (moves, new times, new
titles; target 3x the flat floor), the first import (target 3.5x the schema floor,
2.5x the stretch). On PostgreSQL the flat floor is COPY into one flat table, the schema
floor COPY into the catalogue's own screening table, the write floor COPY of every
row stored into a new catalogue. With ``--memory``: the same at
1,000,000 rows on SQLite, and the first import's peak memory (target < 300 MB).

With ``--shared-venues`` the 50 venues have 10 names, each in 5 cities: a row is found
unchanged by its venue's name and city (migration 0012).

The flat floor and the unchanged re-import, which writes nothing, are run ``--repeats``
times (3) one after the other, and the best of each is taken; the other cases once.

Usage: .venv/bin/python benchmarks/lineup_import.py [ROWS] [--memory] [--sync] [--no-postgres]
       [--shared-venues] [--repeats N]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bytecode import write_bytecode

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


def write_lineup(path: Path, rows: int, seed: int = 2013, *, shared: bool = False) -> None:
    """About ``rows`` screenings: a film has 1 to 5 (3 on average) in one festival edition.
    ``shared``: the 50 venues have 10 names, each in 5 cities ("Kino 3" in Sheffield,
    Berlin, ...), as real festivals' venues share names."""
    import csv

    rng = random.Random(seed)
    venues = [(f"{rng.choice(WORDS).title()} Cinema {n}", *CITIES[n % len(CITIES)])
              for n in range(50)]  # fmt: skip
    if shared:  # n % 10 and n % 12 tell the 50 apart: no two of one name in one city
        venues = [(f"Kino {n % 10}", city, zone) for n, (_name, city, zone) in enumerate(venues)]
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
# csv and sqlite3.executemany alone; the write floor: every row it stored, table by
# table. Arguments: the catalogue, then (table, dump) pairs, in the tables' order.
SCHEMA_FLOOR = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA foreign_keys = ON")
for table, dump in zip(sys.argv[2::2], sys.argv[3::2]):
    with open(dump, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        marks = ", ".join("?" for _ in header)
        rows = ([value or None for value in row] for row in rows)
        connection.executemany(f"INSERT INTO {table} ({', '.join(header)}) VALUES ({marks})", rows)
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


# Runs a command and prints its wall time and peak resident memory: a small process of
# its own, so that the peak is the command's alone (a child forked by this process, which
# holds the generated files' rows, would count this process's pages until it execs).
RUN = """
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_pid, status, usage = os.wait4(process.pid, 0)
elapsed = time.perf_counter() - start
if status != 0:
    sys.stderr.write(process.stderr.read().decode() if process.stderr else "")
    sys.exit(1)
print(elapsed, usage.ru_maxrss * 1024)
"""


def timed(command: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of a whole process."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{command} failed:\n{done.stderr}")
    elapsed, peak = done.stdout.split()
    return float(elapsed), int(peak)


def _written_tables(source: Any) -> list[str]:
    """The tables the first import stored rows in, parents first (``source``: a
    connection of sqlite3 or psycopg to its catalogue)."""
    from screenings.tables import metadata

    return [
        table.name
        for table in metadata.sorted_tables
        if table.name != "revision"  # the catalogue's, not the import's
        and source.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone()
    ]


def _schema_floor(folder: Path, catalogue: Path) -> tuple[float, float]:
    """The schema floor's and the write floor's times: the screening rows of ``catalogue``
    (for the write floor, the rows of every table the import wrote) dumped to CSV, then
    loaded by a process into a copy of ``catalogue`` emptied of them."""
    import csv
    import shutil
    import sqlite3

    source = sqlite3.connect(catalogue)
    tables = _written_tables(source)
    dumps = {}
    for table in tables:
        dumps[table] = folder / f"{table}.csv"
        with dumps[table].open("w", newline="") as out:
            cursor = source.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            writer = csv.writer(out)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows(cursor)
    source.close()
    seconds = []
    for loaded in (["screening"], tables):
        empty = folder / "empty.sqlite3"
        shutil.copy(catalogue, empty)
        target = sqlite3.connect(empty)
        for table in reversed(loaded):
            target.execute(f'DELETE FROM "{table}"')
        target.commit()
        target.execute("VACUUM")
        target.close()
        pairs = [str(part) for table in loaded for part in (table, dumps[table])]
        seconds.append(timed([sys.executable, "-c", SCHEMA_FLOOR, str(empty), *pairs])[0])
        empty.unlink()
    return seconds[0], seconds[1]


def write_changed(lineup: Path, changed: Path, count: int = 1000) -> None:
    """``lineup`` with ``count`` rows changed, spread over the file: a third moved to
    another venue, a third at a new time, a third under a new title."""
    import csv

    with lineup.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    venue, time, title = header.index("Venue"), header.index("Time"), header.index("Title")
    step = max(1, len(rows) // count)
    for n, row in enumerate(rows[::step][:count]):
        if n % 3 == 0:
            row[venue] = "Moved Cinema"
        elif n % 3 == 1:
            row[time] = "23:40"
        else:
            row[title] += " (restored)"
    with changed.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


PG_FLOOR = """
import csv, sys, psycopg
with psycopg.connect(sys.argv[2]) as connection, open(sys.argv[1], newline="",
                                                      encoding="utf-8") as f:
    rows = csv.reader(f)
    header = next(rows)
    columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
    connection.execute(f"CREATE TABLE lineup (id SERIAL PRIMARY KEY, {columns})")
    names = ", ".join(f"c{i}" for i in range(len(header)))
    with connection.cursor().copy(f"COPY lineup ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
"""

PG_SCHEMA_FLOOR = """
import csv, sys, psycopg
with psycopg.connect(sys.argv[1]) as connection:
    for table, dump in zip(sys.argv[2::2], sys.argv[3::2]):
        with open(dump, newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            header = next(rows)
            with connection.cursor().copy(
                f"COPY {table} ({', '.join(header)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row([value or None for value in row])
"""


class Case:
    """One backend's runs: the floors and the imports, each a whole process; the flat
    floor and the unchanged re-import ``repeats`` times (``_best_of``)."""

    def __init__(self, name: str, repeats: int) -> None:
        self.name, self.repeats = name, repeats
        self.seconds: dict[str, float] = {}
        self.memory: dict[str, int] = {}

    def ratio(self, key: str, floor: str = "flat floor") -> float:
        return self.seconds[key] / self.seconds[floor]


def _best_of(case: Case, floor: Callable[[], float], unchanged: list[str]) -> None:
    """The flat floor and the unchanged re-import (which writes nothing), ``repeats``
    times each, one after the other: the best of each (a single run moved 30% with the
    machine's load)."""
    floors, reimports = [], []
    for _ in range(case.repeats):
        floors.append(floor())
        reimports.append(timed(unchanged)[0])
    case.seconds["flat floor"] = min(floors)
    case.seconds["re-import, unchanged"] = min(reimports)


def _sqlite_case(folder: Path, lineup: Path, changed: Path, screenings: list[str],
                 extra: list[str], repeats: int) -> Case:  # fmt: skip
    case = Case("SQLite", repeats)
    floor_db, db = folder / "floor.sqlite3", folder / "catalogue.sqlite3"

    def floor() -> float:
        floor_db.unlink(missing_ok=True)
        return timed([sys.executable, "-c", FLOOR, str(lineup), str(floor_db)])[0]

    command = [*screenings, "--db", str(db), "import"]
    case.seconds["first import"], case.memory["first import"] = timed(
        [*command, str(lineup), *extra]
    )
    _best_of(case, floor, [*command, str(lineup), *extra])
    case.seconds["schema floor"], case.seconds["write floor"] = _schema_floor(folder, db)
    case.seconds["re-import, 1,000 changed"], _ = timed([*command, str(changed), *extra])
    return case


def _postgres_case(admin: str, lineup: Path, changed: Path, screenings: list[str],
                   extra: list[str], folder: Path, repeats: int) -> Case:  # fmt: skip
    """The same runs on PostgreSQL, in scratch databases made from ``admin`` (a URL)."""
    import psycopg

    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    names = [f"bench_import_{os.getpid()}_{n}" for n in range(4)]
    with psycopg.connect(plain, autocommit=True) as connection:
        for name in names:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
    base = plain.rsplit("/", 1)[0]
    floor_url, catalogue_url, *empty_urls = (f"{base}/{name}" for name in names)
    case = Case("PostgreSQL", repeats)

    def floor() -> float:
        with psycopg.connect(floor_url, autocommit=True) as connection:
            connection.execute("DROP TABLE IF EXISTS lineup")
        return timed([sys.executable, "-c", PG_FLOOR, str(lineup), floor_url])[0]

    try:
        url = catalogue_url.replace("postgresql://", "postgresql+psycopg://")
        command = [*screenings, "--db", url, "import"]
        case.seconds["first import"], case.memory["first import"] = timed(
            [*command, str(lineup), *extra]
        )
        _best_of(case, floor, [*command, str(lineup), *extra])
        case.seconds["schema floor"], case.seconds["write floor"] = _postgres_schema_floor(
            folder, catalogue_url, empty_urls, screenings
        )
        case.seconds["re-import, 1,000 changed"], _ = timed([*command, str(changed), *extra])
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            for name in names:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return case


def _postgres_schema_floor(folder: Path, catalogue: str, empties: list[str],
                           screenings: list[str]) -> tuple[float, float]:  # fmt: skip
    """COPY of the first import's screening rows into an empty catalogue's own table (its
    films, venues... there already); COPY of every row it stored into another."""

    import psycopg

    with psycopg.connect(catalogue) as source:
        tables = _written_tables(source)
        dumps = {}
        for table in tables:
            dumps[table] = folder / f"pg-{table}.csv"
            with (
                dumps[table].open("wb") as out,
                source.cursor().copy(
                    f"COPY (SELECT * FROM {table} ORDER BY id) TO STDOUT (FORMAT csv, HEADER)"
                ) as copy,
            ):  # as PostgreSQL writes each value (a JSON column as JSON)
                for data in copy:
                    out.write(data)
    for empty in empties:
        url = empty.replace("postgresql://", "postgresql+psycopg://")
        subprocess.run([*screenings, "--db", url, "db", "upgrade"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    parents = [t for t in tables if t in ("person", "film", "festival", "edition", "venue")]
    pairs = [str(part) for table in parents for part in (table, dumps[table])]
    timed([sys.executable, "-c", PG_SCHEMA_FLOOR, empties[0], *pairs])  # what the rows refer to
    seconds = []
    for empty, loaded in ((empties[0], ["screening"]), (empties[1], tables)):
        pairs = [str(part) for table in loaded for part in (table, dumps[table])]
        seconds.append(timed([sys.executable, "-c", PG_SCHEMA_FLOOR, empty, *pairs])[0])
    return seconds[0], seconds[1]


def _print(case: Case) -> None:
    s = case.seconds
    schema = case.ratio("schema floor")
    print(f"{case.name}: flat floor {s['flat floor']:.2f} s (best of {case.repeats}), schema floor "
          f"{s['schema floor']:.2f} s ({schema:.1f}x the flat floor), write floor "
          f"{s['write floor']:.2f} s ({case.ratio('write floor', 'schema floor'):.1f}x the "
          "schema floor: every row the first import stored)")  # fmt: skip
    for key, target, floor in (
        ("re-import, unchanged", f"target 2x the flat floor; best of {case.repeats}", "flat floor"),
        ("re-import, 1,000 changed", "target 3x the flat floor", "flat floor"),
        ("first import", "target 3.5x the schema floor, stretch 2.5x", "schema floor"),
    ):
        extra = ""
        if key == "first import":
            extra = (f"; {case.ratio(key, 'write floor'):.1f}x the write floor; "
                     f"{case.ratio(key):.1f}x the flat floor; peak "
                     f"{case.memory[key] / 1e6:.0f} MB")  # fmt: skip
        print(f"  {key:28} {s[key]:6.2f} s  {case.ratio(key, floor):5.1f}x the {floor} "
              f"({target}{extra})")  # fmt: skip


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    argv = sys.argv[1:]
    repeats = 3  # runs of the flat floor and the unchanged re-import (--repeats N)
    if "--repeats" in argv:
        at = argv.index("--repeats")
        repeats = int(argv[at + 1])
        del argv[at : at + 2]
    args = [a for a in argv if not a.startswith("--")]
    rows = int(args[0]) if args else 100_000
    screenings = [str(Path(sys.executable).with_name("screenings"))]
    extra = ["--sync"] if "--sync" in sys.argv else []
    postgres = os.environ.get("SCREENINGS_BENCH_POSTGRES_URL",
                              os.environ.get("SCREENINGS_TEST_POSTGRES_URL"))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        lineup, changed = Path(folder) / "lineup.csv", Path(folder) / "changed.csv"
        write_lineup(lineup, rows, shared="--shared-venues" in sys.argv)
        write_changed(lineup, changed)
        print(f"rows: {rows:,} ({lineup.stat().st_size / 1e6:.1f} MB)")
        _print(_sqlite_case(Path(folder), lineup, changed, screenings, extra, repeats))
        if postgres and "--no-postgres" not in sys.argv:
            _print(
                _postgres_case(postgres, lineup, changed, screenings, extra, Path(folder), repeats)
            )
        else:
            print("PostgreSQL: skipped (set SCREENINGS_BENCH_POSTGRES_URL)")
        if "--memory" in sys.argv:
            big, big_changed = Path(folder) / "big.csv", Path(folder) / "big-changed.csv"
            write_lineup(big, 1_000_000)
            write_changed(big, big_changed)
            (Path(folder) / "big").mkdir()
            case = _sqlite_case(Path(folder) / "big", big, big_changed, screenings, [], repeats)
            print(f"1,000,000 rows: first import peak {case.memory['first import'] / 1e6:.0f} MB "
                  "(target < 300 MB)")  # fmt: skip
            _print(case)


if __name__ == "__main__":
    main()
