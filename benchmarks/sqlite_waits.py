"""Who waits for whom on a SQLite catalogue: in WAL mode while a writer has it open, back
in rollback-journal mode at rest (docs/security.md, "Readers and writers of one file").

Every party is a process of its own (SQLite's locks are per process), on a catalogue of
the seed data:

- ``reader``: a reader holds a read transaction for ``--hold`` seconds on the file at
  rest, as a long export does; half a second in, a writer starts (``screenings add
  film``). A prober, a process that reads as the feed server does for each request (one
  short read transaction every 20 ms on a read-only connection), runs throughout.
  Printed: the writer's time, against the same writer with no reader (the floor); the
  prober's worst read while the writer waits, against its worst read with no writer (the
  floor); the file's journal mode after.
- ``server``: ``screenings serve`` on the file at rest; the prober asks it for
  ``/feeds/all.ics`` every 20 ms; two re-imports of the lineup run one after the other.
  Printed: each import's time, against the same import with no server (the floor); the
  prober's worst answer during the imports, against its worst before them (the floor);
  the file's journal mode (read from its header: nothing is opened) and the files beside
  it after each import, and after the server stops.

Usage: python benchmarks/sqlite_waits.py [reader] [server] [--hold 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
ENV = {**os.environ, "SCREENINGS_TIMEZONE": "Europe/London"}
PYTHON = sys.executable

# A read transaction every 20 ms until the stop file appears; each read's start (seconds
# since the prober began) and length, as JSON.
SQL_PROBER = """
import json, os, sqlite3, sys, time
db, stop = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None, timeout=30)
begun, reads = time.monotonic(), []
while not os.path.exists(stop):
    start = time.monotonic()
    connection.execute("BEGIN")
    connection.execute("SELECT counter FROM revision").fetchone()
    connection.execute("ROLLBACK")
    reads.append((start - begun, time.monotonic() - start))
    time.sleep(0.02)
print(json.dumps(reads))
"""

HTTP_PROBER = """
import http.client, json, os, sys, time
port, stop = int(sys.argv[1]), sys.argv[2]
begun, reads = time.monotonic(), []
while not os.path.exists(stop):
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/feeds/all.ics")
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 200, answer.status
    reads.append((start - begun, time.monotonic() - start))
    time.sleep(0.02)
print(json.dumps(reads))
"""

# Holds a read transaction through screenings' own reading engine, as an export does.
HOLDER = """
import sys, time
from sqlalchemy import text
from screenings.db import create_db_engine, unit_of_work
engine = create_db_engine(f"sqlite:///{sys.argv[1]}", read_only=True)
with unit_of_work(engine, write=False) as session:
    session.execute(text("SELECT count(*) FROM screening")).scalar()
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
engine.dispose()
"""


def screenings(db: Path, *args: str) -> float:
    """Run a command on ``db``; its time in seconds."""
    start = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "screenings", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    took = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"screenings {' '.join(args)}: {done.stderr.strip()}")
    return took


def journal_mode(db: Path) -> str:
    """The file's journal mode, from its header (bytes 18 and 19 are 2 in WAL mode)."""
    with open(db, "rb") as handle:
        header = handle.read(20)
    mode = "wal" if header[18] == 2 else "rollback journal"
    beside = sorted(p.name.removeprefix(db.name) for p in db.parent.glob(db.name + "-*"))
    return f"{mode}{' (' + ', '.join(beside) + ' beside it)' if beside else ''}"


class Prober:
    """A process that reads, as the feed server does, until stopped."""

    def __init__(self, code: str, *args: str, folder: Path) -> None:
        self.stop = folder / f"stop-{time.monotonic_ns()}"
        self.begun = time.monotonic()
        self.process = subprocess.Popen(
            [PYTHON, "-c", code, *args, str(self.stop)], stdout=subprocess.PIPE, text=True
        )

    def finish(self) -> list[tuple[float, float]]:
        self.stop.touch()
        out, _ = self.process.communicate(timeout=120)
        return [(self.begun + at, took) for at, took in json.loads(out)]


def worst(reads: list[tuple[float, float]], start: float, end: float) -> str:
    """The worst and the 99th-percentile read among those begun between start and end."""
    window = sorted(took for at, took in reads if start <= at <= end)
    if not window:
        return "no read"
    p99 = window[min(len(window) - 1, int(len(window) * 0.99))]
    return f"worst {window[-1] * 1000:7.1f} ms, p99 {p99 * 1000:6.1f} ms ({len(window)} reads)"


def seeded(folder: Path) -> Path:
    db = folder / "catalogue.sqlite3"
    for name in ("lineup.csv", "awards.csv"):
        screenings(db, "import", str(DATA / name))
    return db


def reader(folder: Path, hold: float) -> None:
    db = seeded(folder)
    print(f"reader: a read transaction held {hold:.0f} s on a file at rest, a writer 0.5 s in")
    print(f"  at rest: {journal_mode(db)}")
    # Floors: the writer and the prober alone.
    prober = Prober(SQL_PROBER, str(db), folder=folder)
    time.sleep(1)
    floor_probe = prober.finish()
    floor_writer = min(screenings(db, "add", "film", f"Floor {n}") for n in range(3))
    print(f"  floor: the writer alone {floor_writer:6.2f} s")
    print(f"  floor: the prober alone {worst(floor_probe, 0, float('inf'))}")

    prober = Prober(SQL_PROBER, str(db), folder=folder)
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(db), str(hold)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    assert holder.stdout is not None
    holder.stdout.readline()
    time.sleep(0.5)
    start = time.monotonic()
    took = screenings(db, "add", "film", "Written while read")
    end = time.monotonic()
    holder.wait(timeout=120)
    time.sleep(0.3)
    reads = prober.finish()
    print(f"  the writer              {took:6.2f} s ({took / floor_writer:.1f}x the floor)")
    print(f"  the prober meanwhile    {worst(reads, start, end)}")
    print(f"  after: {journal_mode(db)}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server(folder: Path) -> None:
    db = seeded(folder)
    lineup = str(DATA / "lineup.csv")
    floor_import = min(screenings(db, "import", lineup) for _ in range(3))
    print("server: screenings serve, and two re-imports of the lineup while it answers")
    print(f"  at rest: {journal_mode(db)}")
    print(f"  floor: a re-import with no server {floor_import:6.2f} s")
    port = _free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "screenings", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/feeds/all.ics")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        prober = Prober(HTTP_PROBER, str(port), folder=folder)
        time.sleep(2)
        start = time.monotonic()
        for n in (1, 2):
            took = screenings(db, "import", lineup)
            print(
                f"  re-import {n}             {took:6.2f} s ({took / floor_import:.1f}x the "
                f"floor); then {journal_mode(db)}"
            )
        end = time.monotonic()
        time.sleep(1)
        reads = prober.finish()
        print(f"  the prober before       {worst(reads, 0, start)}")
        print(f"  the prober meanwhile    {worst(reads, start, end)}")
    finally:
        process.terminate()
        process.wait(timeout=60)
    print(f"  after the server stops: {journal_mode(db)}")
    screenings(db, "add", "film", "Written alone")
    print(f"  after a writer alone:   {journal_mode(db)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=["reader", "server", []], default=[])
    parser.add_argument("--hold", type=float, default=4.0, help="seconds the reader reads")
    options = parser.parse_args()
    for scenario in options.scenarios or ["reader", "server"]:
        folder = Path(tempfile.mkdtemp(prefix="screenings-waits-"))
        try:
            if scenario == "reader":
                reader(folder, options.hold)
            else:
                server(folder)
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
