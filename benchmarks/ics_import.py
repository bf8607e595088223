"""``screenings import FEED.ics`` against ``screenings import LINEUP.csv`` of the same
screenings, as whole processes.

The seeded synthetic lineup of ``lineup_import.py`` (N rows, all dated and timed, none
private; its Timezone column gives every zone, so the CSV needs no option) is imported
into a scratch SQLite file, and that catalogue exported with ``screenings --db FILE
export ics --include-private -o FEED.ics`` (neither timed): the same N screenings as
an iCalendar feed, whose ``X-SCREENINGS-*`` properties the importer reads (film, year,
director, festival, edition, section, venue, city), so both files name the same films,
editions and venues. Then, best of R rounds, each round:

- first imports, into new empty SQLite files (so both are first imports, the schema
  made by each), the order turned every round:
  ``screenings --db NEW1 import LINEUP.csv`` and ``screenings --db NEW2 import FEED.ics``;
- re-imports of the unchanged files into the catalogue each was just imported into
  (every screening unchanged), the order turned the same way.

Wall time with ``time.perf_counter``, interpreter start included; peak memory is the
maximum resident set size of that one import process, from ``os.wait4`` (as
``ics_export.py`` does), the largest over the rounds. The first line of each import's
summary (standard output) is printed: a first import must say N created, a re-import
N unchanged; the screenings of the last round's two catalogues are counted once with
``screenings --db FILE list --format json --include-private``, and must agree. A check
that fails is printed as MISMATCH and makes the exit status 1; the time target is
reported, never enforced.

Target (#25): the ics first import within 4x the CSV first import of the same rows, at
10,000 events. The re-import ratio is printed beside it (figures only).

Usage: .venv/bin/python benchmarks/ics_import.py [N] [--repeats 3]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bytecode import write_bytecode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ics_export import option
from lineup_import import write_lineup

TARGET = 4.0  # ics first import / CSV first import, at 10,000 events
KINDS = ("csv", "ics")
STEPS = ("first import", "re-import")


def timed(command: list[str], out: Path, err: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of one whole process: ``ics_export.timed``,
    with standard output kept in ``out`` (an import's summary) and stderr in ``err``."""
    import os
    import time

    with out.open("wb") as said, err.open("wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=said, stderr=log)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} failed ({status}):\n{err.read_text(errors='replace')}")
    return elapsed, usage.ru_maxrss * 1024  # Linux: kilobytes


def first_line(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()
    return lines[0] if lines else ""


def said(line: str, what: str) -> int | None:
    """The count before ``what`` ("created", "unchanged") in a summary's first line."""
    found = re.search(rf"(\d+) {what}\b", line)
    return int(found[1]) if found else None


def screenings_in(screenings: str, db: Path) -> list[dict]:
    done = subprocess.run(
        [screenings, "--db", str(db), "list", "--format", "json", "--include-private"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"list of {db} failed:\n{done.stderr.decode()}")
    return json.loads(done.stdout)["screenings"]


def differences(csv_rows: list[dict], ics_rows: list[dict]) -> dict[str, int]:
    """Fields that differ between screenings of the two catalogues matched on film,
    venue, day and time (ids, uids and stamps aside): figures only, not a check."""
    aside = {"id", "uid", "updated_at", "edition", "film", "films", "venue", "programme"}

    def key(row: dict) -> tuple:
        return (row["film"]["title"], row["venue"]["name"], row["local_date"], row["local_time"])

    theirs = {key(row): row for row in ics_rows}
    counted: dict[str, int] = {}
    for row in csv_rows:
        other = theirs.get(key(row))
        if other is None:
            counted["(no match)"] = counted.get("(no match)", 0) + 1
            continue
        for name, value in row.items():
            if name not in aside and other.get(name) != value:
                counted[name] = counted.get(name, 0) + 1
    return counted


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    import tempfile

    args = sys.argv[1:]
    rows = int(args[0].replace("_", "")) if args and args[0].replace("_", "").isdigit() else 0
    rows = rows or 10_000
    repeats = int(option("--repeats", "3"))
    screenings = str(Path(sys.executable).with_name("screenings"))
    runs = {(kind, step): [] for kind in KINDS for step in STEPS}
    peak = dict.fromkeys(runs, 0)
    lines: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        lineup, feed = here / "lineup.csv", here / "feed.ics"
        out, err = here / "stdout.txt", here / "stderr.txt"
        write_lineup(lineup, rows)
        scratch = here / "scratch.sqlite3"
        for command in (
            [screenings, "--db", str(scratch), "import", str(lineup)],
            [screenings, "--db", str(scratch), "export", "ics", "--include-private",
             "-o", str(feed)],
        ):  # fmt: skip
            done = subprocess.run(command, capture_output=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{command} failed:\n{done.stderr.decode()}")
        events = feed.read_bytes().count(b"BEGIN:VEVENT")
        files = {"csv": lineup, "ics": feed}
        dbs: dict[str, Path] = {}
        for round_ in range(repeats):
            turn = round_ % len(KINDS)
            order = KINDS[turn:] + KINDS[:turn]
            dbs = {kind: here / f"{kind}-{round_}.sqlite3" for kind in KINDS}
            for step in STEPS:  # the first imports, then the re-imports into the same files
                for kind in order:
                    command = [screenings, "--db", str(dbs[kind]), "import", str(files[kind])]
                    seconds, memory = timed(command, out, err)
                    runs[kind, step].append(seconds)
                    peak[kind, step] = max(peak[kind, step], memory)
                    line = lines[kind, step] = first_line(out)
                    want = "created" if step == "first import" else "unchanged"
                    if said(line, want) != rows:
                        problems.append(f"{kind} {step}, round {round_ + 1}: wanted {rows:,} "
                                        f"{want}; it said: {line}")  # fmt: skip
        counted = {kind: screenings_in(screenings, dbs[kind]) for kind in KINDS}
        sizes = {kind: path.stat().st_size for kind, path in files.items()}

    best = {key: min(seconds) for key, seconds in runs.items()}
    print(f"{rows:,} rows, SQLite; lineup.csv {sizes['csv'] / 1e6:.1f} MB, feed.ics "
          f"{sizes['ics'] / 1e6:.1f} MB ({events:,} events); best of {repeats}, whole "
          "processes, order turned every round; peak = max RSS of the import process")  # fmt: skip
    print(f"{'':>4}  {'step':>12}  {'best s':>7}  {'runs s':>22}  {'peak MB':>7}")
    for step in STEPS:
        for kind in KINDS:
            spread = " ".join(f"{s:.2f}" for s in runs[kind, step])
            print(f"{kind:>4}  {step:>12}  {best[kind, step]:7.2f}  {spread:>22}  "
                  f"{peak[kind, step] / 1e6:7.0f}")  # fmt: skip
    first = best["ics", "first import"] / best["csv", "first import"]
    again = best["ics", "re-import"] / best["csv", "re-import"]
    memory = peak["ics", "first import"] / peak["csv", "first import"]
    print(f"ics / csv, first import: {first:.2f}x "
          f"{'PASS' if first <= TARGET else 'MISS'} (target <= {TARGET:g}x at 10,000 events); "
          f"peak memory {memory:.2f}x")  # fmt: skip
    print(f"ics / csv, re-import (unchanged): {again:.2f}x (figures only)")
    for (kind, step), line in lines.items():
        print(f"{kind} {step} said: {line}")
    numbers = {kind: len(found) for kind, found in counted.items()}
    same = numbers["csv"] == numbers["ics"] == rows
    print(f"screenings listed (last round): csv {numbers['csv']:,}, ics {numbers['ics']:,} "
          f"{'ok' if same else 'MISMATCH'}")  # fmt: skip
    if not same:
        problems.append(f"screenings listed: csv {numbers['csv']:,}, ics {numbers['ics']:,}, "
                        f"rows {rows:,}")  # fmt: skip
    differ = differences(counted["csv"], counted["ics"])
    shown = ", ".join(f"{name} {n:,}" for name, n in sorted(differ.items())) or "none"
    print(f"fields differing, csv vs ics catalogue (matched screenings; figures only): {shown}")
    for problem in problems:
        print(f"MISMATCH: {problem}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
