"""Where an unchanged re-import's time goes (#21): each step of ``services.skipping.skim``
timed alone, in one process, on the seeded lineup of ``lineup_import.py`` after its
first import into a new SQLite catalogue (or, with ``--postgres URL``, a scratch
database made from that administrative URL and dropped after).

The floor is the same file read with ``csv`` alone; every figure is the best of
``--repeats``. The steps: reading the file's lines and vouching for them
(``QuickFile._row_blocks``), with each row's digest, with its fingerprint; the query
of the fingerprints that hold, as SQLAlchemy's result rows and as the driver's
(``db.driver_batches``); the whole skim; the look for the line that settles the
day/month order (``QuickFile.known``).

Usage: .venv/bin/python benchmarks/unchanged_steps.py [ROWS] [--repeats 5] [--postgres URL]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from lineup_import import write_lineup


def best(repeats: int, step: Callable[[], Any]) -> float:
    return min(timeit.repeat(step, number=1, repeat=repeats))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres", help="an administrative postgresql+psycopg:// URL")
    args = parser.parse_args()

    from screenings.db import create_db_engine, driver_batches
    from screenings.parsers.lineup import LineupOptions, quick_read
    from screenings.services import skipping

    with tempfile.TemporaryDirectory() as folder:
        lineup = Path(folder) / "lineup.csv"
        write_lineup(lineup, args.rows)
        url, drop = f"sqlite:///{folder}/catalogue.sqlite3", None
        if args.postgres:
            import psycopg

            admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
            name = "bench_unchanged_steps"
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name}")
                connection.execute(f"CREATE DATABASE {name}")
            url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            drop = (admin, name)
        try:
            screenings = str(Path(sys.executable).with_name("screenings"))
            subprocess.run([screenings, "--db", url, "import", str(lineup)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            engine = create_db_engine(url)
            source = quick_read(lineup.open("rb"), "lineup.csv", LineupOptions())
            assert source is not None
            fields = {target for _column, target in source.mapping if target}
            salt = skipping.salt(fields, None, False, None)

            def floor() -> None:
                with lineup.open(newline="", encoding="utf-8") as f:
                    for _row in csv.reader(f):
                        pass

            figures = {"floor: csv.reader over the file": best(args.repeats, floor)}
            steps: dict[str, Callable[[], Any]] = {
                "lines read and vouched for": lambda: list(source._row_blocks()),
                "  and digested": lambda: list(source.digests(True)),
                "  and fingerprinted": lambda: list(skipping._fingerprints(source, True, salt)),
            }
            for name, step in steps.items():
                figures[name] = best(args.repeats, step)
            with engine.connect() as connection:
                figures["query, SQLAlchemy's rows"] = best(
                    args.repeats, lambda: connection.execute(skipping.HOLDING).all()
                )
                figures["query, the driver's (driver_batches)"] = best(
                    args.repeats,
                    lambda: list(
                        driver_batches(connection, skipping.HOLDING, skipping.BATCH, whole=True)
                    ),
                )
                skimmed = skipping.skim(connection, source, None, sync=False)
                assert skimmed is not None and skimmed.everything(), "every row should hold"
                figures["skim, in all"] = best(
                    args.repeats, lambda: skipping.skim(connection, source, None, sync=False)
                )
                held = skimmed.held.line_set()
                figures["the order's look (known)"] = best(
                    args.repeats, lambda: source.known(skimmed.order, held, every=True)
                )
            engine.dispose()
        finally:
            if drop is not None:
                import psycopg

                with psycopg.connect(drop[0], autocommit=True) as connection:
                    connection.execute(f"DROP DATABASE IF EXISTS {drop[1]} WITH (FORCE)")
    floor_time = figures["floor: csv.reader over the file"]
    print(f"{args.rows:,} rows, {'PostgreSQL' if args.postgres else 'SQLite'}, best of "
          f"{args.repeats}")  # fmt: skip
    for name, seconds in figures.items():
        print(f"  {name:40} {seconds:6.3f} s  {seconds / floor_time:5.1f}x the floor")


if __name__ == "__main__":
    main()
