"""Hostile input to ``screenings import``, as whole processes, against floors in the same run.

Scenarios (issue 18, item 5):

- ``stdin``: a 200 MB stream without a newline offered on standard input
  (``... | screenings import -``): the time to the refusal, the peak resident memory,
  and how much of the stream the process took. Floors: ``python -c pass``; ``cat >
  /dev/null`` taking the same 200 MB from the same feeder; and ``screenings import``
  of a two-row lineup from standard input (what any import costs).
- ``header``: a file whose header has 25 million columns (50 MB on one line),
  ``screenings import FILE``: time and peak memory, against the same floors.
- ``accents``: ``parse_lineup`` on a 100,000-row lineup whose every row has accented
  names, dashes and guillemets (the rows the garbled-text check looks at twice),
  against ``csv.reader`` over the same file; run it with ``PYTHONPATH=OLD/src`` to
  compare with code before the check.
- ``endless`` (only when named): short lines without end (``yes ROW |``), refused at
  the 1 GiB standard input cap.

Each figure is the median of RUNS runs (default 5), floors and scenarios alternating.

Usage: .venv/bin/python benchmarks/hostile_input.py [stdin header accents endless]
       [--runs N]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bytecode import write_bytecode

MB = 1000 * 1000
SCREENINGS = [sys.executable, "-m", "screenings"]
GNU_TIME = "/usr/bin/time"  # apt-get install time
DASH = "\u2013"
LINEUP = "Title,Venue,City,Date,Time\nMothers,Showroom,Sheffield,2013-06-13,18:00\n"


class Run:
    """One process: its wall time to exit, its peak resident memory, the bytes it took."""

    def __init__(self, seconds: float, peak_kb: int, taken: int, code: int) -> None:
        self.seconds, self.peak_kb, self.taken, self.code = seconds, peak_kb, taken, code


def measure(argv: list[str], feed: Iterator[bytes] | None, env: dict[str, str]) -> Run:
    """Run ``argv``, writing ``feed`` to its standard input until it ends or stops taking it.

    The peak memory is GNU time's: a child forked by this process would count this
    process's own memory as its peak (Linux keeps the high-water mark across exec).
    """
    handle, peak_file = tempfile.mkstemp()
    os.close(handle)
    start = time.perf_counter()
    process = subprocess.Popen(
        [GNU_TIME, "-f", "%M", "-o", peak_file, *argv],
        stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    taken = 0
    if feed is not None:
        assert process.stdin is not None
        try:
            for block in feed:
                process.stdin.write(block)
                taken += len(block)
            process.stdin.close()
        except BrokenPipeError:
            pass
    code = process.wait()
    seconds = time.perf_counter() - start
    peak = Path(peak_file).read_text().strip().splitlines()[-1]
    os.unlink(peak_file)
    return Run(seconds, int(peak), taken, code)


def blocks(total: int, block: bytes) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


def median(runs: list[Run], key: Callable[[Run], float]) -> float:
    return statistics.median(key(r) for r in runs)


def report(name: str, runs: list[Run], floors: dict[str, list[Run]]) -> None:
    seconds, peak = median(runs, lambda r: r.seconds), median(runs, lambda r: r.peak_kb)
    taken = median(runs, lambda r: r.taken)
    codes = sorted({r.code for r in runs})
    print(
        f"{name}: {seconds:.3f} s, peak {peak / 1024:.1f} MB"
        + (f", took {taken / MB:.1f} MB of the stream" if taken else "")
        + f" (exit {', '.join(map(str, codes))})"
    )
    for floor, floor_runs in floors.items():
        f_seconds = median(floor_runs, lambda r: r.seconds)
        f_peak = median(floor_runs, lambda r: r.peak_kb)
        print(
            f"  floor {floor}: {f_seconds:.3f} s, peak {f_peak / 1024:.1f} MB -> "
            f"time {seconds / f_seconds:.2f}x, memory {peak / f_peak:.2f}x"
        )


def alternate(
    runs: int, scenario: Callable[[], Run], floors: dict[str, Callable[[], Run]]
) -> tuple[list[Run], dict[str, list[Run]]]:
    found: list[Run] = []
    floor_runs: dict[str, list[Run]] = {name: [] for name in floors}
    for _ in range(runs):
        for name, floor in floors.items():
            floor_runs[name].append(floor())
        found.append(scenario())
    return found, floor_runs


def stdin_scenario(folder: Path, runs: int) -> None:
    env = _catalogue(folder)
    size, block = 200 * MB, b"a" * 65536

    def refused() -> Run:
        return measure([*SCREENINGS, "import", "-"], blocks(size, block), env)

    def small_import() -> Run:
        return measure([*SCREENINGS, "import", "-"], iter([LINEUP.encode()]), env)

    found, floors = alternate(
        runs,
        refused,
        {
            "python -c pass": lambda: measure([sys.executable, "-c", "pass"], None, env),
            "cat > /dev/null (the same 200 MB)": lambda: measure(
                ["sh", "-c", "cat > /dev/null"], blocks(size, block), env
            ),
            "screenings import - (a two-row lineup)": small_import,
        },
    )
    report("200 MB without a newline on standard input, refused", found, floors)


def header_scenario(folder: Path, runs: int) -> None:
    env = _catalogue(folder)
    path = folder / "header.csv"
    with path.open("wb") as out:
        for _ in range(25):
            out.write(b"a," * 1_000_000)
        out.write(b"a\nx\n")
    small = folder / "small.csv"
    small.write_text(LINEUP, encoding="utf-8")
    found, floors = alternate(
        runs,
        lambda: measure([*SCREENINGS, "import", str(path)], None, env),
        {
            "python -c pass": lambda: measure([sys.executable, "-c", "pass"], None, env),
            "screenings import (a two-row lineup)": lambda: measure(
                [*SCREENINGS, "import", str(small)], None, env
            ),
        },
    )
    report("a header of 25 million columns (50 MB), refused", found, floors)


def endless_scenario(folder: Path, runs: int) -> None:
    env = _catalogue(folder)
    row = b"Mothers,Showroom,Sheffield,2013-06-13,18:00\n" * 1000

    def refused() -> Run:
        return measure([*SCREENINGS, "import", "-"], _endless(row), env)

    found, floors = alternate(
        runs,
        refused,
        {"python -c pass": lambda: measure([sys.executable, "-c", "pass"], None, env)},
    )
    report("short lines without end on standard input, refused at the cap", found, floors)


def _endless(row: bytes) -> Iterator[bytes]:
    yield LINEUP.encode()
    while True:
        yield row


def accents_scenario(folder: Path, runs: int) -> None:
    from screenings.parsers.lineup import parse_lineup

    path = folder / "accents.csv"
    names = ["Cinéma du Parc", "Müller & Søn", "São Paulo", "«L'ÉTÉ»", "Ærøskøbing", "Ñuñoa"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Title", "Director(s)", "Festival", "Section", "Venue", "City", "Date",
                         "Time", "Notes"])  # fmt: skip
        for n in range(100_000):
            name = names[n % len(names)]
            writer.writerow([f"{name} {n}", f"Réalisatrice {n % 97}", "Festival de Cannes 2013",
                             f"Un Certain Regard {DASH} Compétition", name, "Cannes",
                             f"{n % 28 + 1:02d}/05/2013", f"{10 + n % 12}:00",
                             f"note {n} …"])  # fmt: skip

    def floor() -> float:
        start = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as stream:
            sum(1 for _ in csv.reader(stream))
        return time.perf_counter() - start

    def parse() -> float:
        start = time.perf_counter()
        with path.open("rb") as stream:
            sum(1 for _ in parse_lineup(stream, path.name).items)
        return time.perf_counter() - start

    floors, parses = [], []
    for _ in range(runs):
        floors.append(floor())
        parses.append(parse())
    f, p = statistics.median(floors), statistics.median(parses)
    print(
        f"parse_lineup, 100,000 accented rows: {100_000 / p:,.0f} rows/s; floor csv.reader "
        f"{100_000 / f:,.0f} rows/s -> {p / f:.1f}x the floor's time"
        f" (ftfy loaded: {'ftfy' in sys.modules})"
    )


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "SCREENINGS_TIMEZONE": "Europe/London", "TMPDIR": str(folder)}


def _catalogue(folder: Path) -> dict[str, str]:
    """The environment of a user with a catalogue (made here, with the two-row lineup)."""
    handle, name = tempfile.mkstemp(suffix=".sqlite3", dir=folder)
    os.close(handle)
    os.unlink(name)
    env = {**_env(folder), "SCREENINGS_DATABASE_URL": f"sqlite:///{name}"}
    subprocess.run([*SCREENINGS, "import", "-"], input=LINEUP.encode(), env=env, check=True,
                   capture_output=True)  # fmt: skip
    return env


SCENARIOS = {
    "stdin": stdin_scenario,
    "header": header_scenario,
    "accents": accents_scenario,
    "endless": endless_scenario,
}


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=["stdin", "header", "accents"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.scenarios:
            SCENARIOS[name](Path(folder), args.runs)


if __name__ == "__main__":
    main()
