"""`screenings list --limit 20` on a small catalogue, against the floor of its own imports.

The floor is `python -c "import sqlalchemy.orm, typer"`: no listing can start
faster than the libraries it stands on. The two commands are run alternately,
so both see the same machine load. Target: the list within 1.3x of the floor.

Usage: python benchmarks/list.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytecode import write_bytecode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET = 1.3


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    from tests.factories import festival_catalogue

    from screenings.db import create_db_engine, unit_of_work
    from screenings.migrate import upgrade_schema

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.sqlite3")
        engine = create_db_engine(f"sqlite:///{db}")
        upgrade_schema(engine)
        with unit_of_work(engine) as session:
            festival_catalogue(session)
        engine.dispose()
        floor_cmd = [python, "-c", "import sqlalchemy.orm, typer"]
        list_cmd = [python, "-m", "screenings", "--db", db, "list", "--limit", "20"]
        timed(list_cmd)  # warm the file cache
        floors, lists = [], []
        for _ in range(runs):
            floors.append(timed(floor_cmd))
            lists.append(timed(list_cmd))
    floor, listing = statistics.median(floors), statistics.median(lists)
    ratio = listing / floor
    print(f"floor  import sqlalchemy.orm, typer   {floor * 1000:7.1f} ms (median of {runs})")
    print(f"screenings list --limit 20          {listing * 1000:7.1f} ms (median of {runs})")
    print(f"ratio {ratio:.2f} (target {TARGET}): {'met' if ratio <= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
