"""The upgrade to 0005 of a large SQLite catalogue, against floors measured in the same run.

The catalogue is the synthetic lineup of ``lineup_import.py`` imported at head and
downgraded to 0004 (the state a user's catalogue is in before this version). Measured:

- ``screenings db upgrade`` on a fresh copy of it, as a whole process: the stored values
  judged by the rules, the zone names rewritten, every table rebuilt with its CHECKs,
  and the backup. Floor: a process that copies the same file with ``VACUUM INTO``, which
  writes every table and index once, as the rebuild does (the backup comes on top);
- the judging alone (``migrate.find_offences``), in this process. Floor: the same
  columns of the same rows read with ``sqlite3`` and nothing done with them;
- what the CHECKs cost a write: the catalogue's screening rows inserted with ``sqlite3``
  into its own screening table, emptied, at 0005 (the CHECKs) and at 0004 (the floor),
  in turns, in this process.

Usage: .venv/bin/python benchmarks/migration_0005.py [ROWS] [--repeats 3]
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytecode import write_bytecode
from lineup_import import write_lineup

from screenings import rules

VACUUM_INTO = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("VACUUM INTO ?", (sys.argv[2],))
connection.close()
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def plain_read(path: Path) -> float:
    """Every column the rules judge, of every row, read with sqlite3 and dropped."""
    connection = sqlite3.connect(path)
    start = time.perf_counter()
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    for table, columns in rules.LENGTHS.items():
        judged = [*columns, *(c for t, c in rules.MULTILINE if t == table)]
        if table in tables:
            for _row in connection.execute(f'SELECT id, {", ".join(judged)} FROM "{table}"'):
                pass
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def inserted(path: Path, rows: list[tuple[object, ...]]) -> float:
    """``rows`` inserted into the screening table of ``path``, emptied first, in one
    transaction (rolled back: the file is used again)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    connection.execute("DELETE FROM screening")
    marks = ", ".join("?" * len(rows[0]))
    start = time.perf_counter()
    connection.executemany(f"INSERT INTO screening VALUES ({marks})", rows)
    elapsed = time.perf_counter() - start
    connection.execute("ROLLBACK")
    connection.close()
    return elapsed


def judged(path: Path) -> tuple[float, int]:
    from screenings.db import create_db_engine
    from screenings.migrate import find_offences

    engine = create_db_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        start = time.perf_counter()
        offences = find_offences(connection)
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, 0 if offences is None else offences.total


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 100_000
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
    screenings = str(Path(sys.executable).with_name("screenings"))
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        lineup, source = folder / "lineup.csv", folder / "at-0004.sqlite3"
        write_lineup(lineup, rows)
        subprocess.run([screenings, "--db", str(source), "import", str(lineup)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([screenings, "--db", str(source), "db", "downgrade", "0004"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for backup in folder.glob("*.bak"):
            backup.unlink()
        count = sqlite3.connect(source).execute("SELECT count(*) FROM screening").fetchone()[0]

        upgrades, floors, scans, reads = [], [], [], []
        for n in range(repeats):
            copy, vacuumed = folder / f"copy-{n}.sqlite3", folder / f"vacuumed-{n}.sqlite3"
            shutil.copy(source, copy)
            floors.append(timed([sys.executable, "-c", VACUUM_INTO, str(copy), str(vacuumed)]))
            upgrades.append(timed([screenings, "--db", str(copy), "db", "upgrade"]))
            scan, found = judged(source)
            scans.append(scan)
            reads.append(plain_read(source))
            assert found == 0, found
        upgraded = folder / "copy-0.sqlite3"
        rows = sqlite3.connect(source).execute("SELECT * FROM screening").fetchall()
        checked, unchecked = [], []
        for _ in range(repeats):
            unchecked.append(inserted(source, rows))
            checked.append(inserted(upgraded, rows))
        upgrade, floor = statistics.median(upgrades), statistics.median(floors)
        scan, read = statistics.median(scans), statistics.median(reads)
        size = source.stat().st_size / 1e6
        print(f"catalogue at 0004: {count:,} screenings, {size:.1f} MB (median of {repeats})")
        print(f"{'floor: VACUUM INTO a copy (process)':44} {floor:6.2f} s")
        print(f"{'db upgrade 0004 -> 0005 (process)':44} {upgrade:6.2f} s  {upgrade / floor:4.1f}x")
        print(f"{'floor: the judged columns read (sqlite3)':44} {read:6.2f} s")
        print(f"{'find_offences: every value judged':44} {scan:6.2f} s  {scan / read:4.1f}x")
        plain, with_checks = statistics.median(unchecked), statistics.median(checked)
        print(f"{'floor: the screenings inserted at 0004':44} {plain:6.2f} s")
        print(
            f"{'the screenings inserted at 0005 (CHECKs)':44} {with_checks:6.2f} s  "
            f"{with_checks / plain:4.2f}x"
        )


if __name__ == "__main__":
    main()
