"""``screenings export ics`` of a large catalogue, against a plain-text floor, as whole processes.

For each size N, the seeded synthetic lineup of ``lineup_import.py`` (N rows, all
dated and timed, none private) is imported into a fresh SQLite file with
``screenings --db FILE import`` (not timed). Then, best of R runs each, alternately:

- ours: ``screenings --db FILE export ics --include-private -o OUT.ics``, the output
  removed before each run so that every run writes the file;
- the floor: this script with ``--floor LINEUP.csv OUT.ics``, a minimal writer in one
  function (``floor``): ``csv`` in, one VEVENT per dated row written as strings (UID,
  DTSTAMP, DTSTART/DTEND with TZID or VALUE=DATE, SUMMARY, LOCATION, DESCRIPTION), RFC
  5545 TEXT escaping and folding at 75 octets, no VTIMEZONE, no library.

Both are timed as whole processes (interpreter start included), wall time with
``time.perf_counter``. Peak memory is the maximum resident set size of our export
process alone, from ``os.wait4`` on its pid (the rusage of that one child, not the
running maximum over all children that ``RUSAGE_CHILDREN`` gives), the largest over
the runs. The events written (``BEGIN:VEVENT``) are counted in both outputs.

Targets (from the issue): ours within 5x the floor's time at 100,000 events; peak
memory no more than twice the size of the output. Each is marked PASS or MISS at
every size; a miss is reported, not an error.

Usage: .venv/bin/python benchmarks/ics_export.py [--sizes 10000,100000] [--repeats 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bytecode import write_bytecode

TIME_TARGET = 5.0  # ours / floor, at 100,000 events
MEMORY_TARGET = 2.0  # peak RSS / output size


def floor(lineup: str, out: str) -> None:
    """One VEVENT per dated row of ``lineup``, written to ``out`` as plain strings."""
    import csv
    import datetime as dt

    months = {m: n for n, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )}  # fmt: skip

    def date(text: str) -> dt.date | None:  # 2013-06-14, 14 June 2013, Jun 14, 2013, 14/06/2013
        try:
            if "/" in text:
                d, m, y = text.split("/")
                return dt.date(int(y), int(m), int(d))
            if "," in text:
                month_day, y = text.split(",")
                m, d = month_day.split()
                return dt.date(int(y), months[m[:3].lower()], int(d))
            if " " in text:
                d, m, y = text.split()
                return dt.date(int(y), months[m[:3].lower()], int(d))
            return dt.date.fromisoformat(text)
        except (ValueError, KeyError):
            return None

    def escape(text: str) -> str:
        return (
            text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    def fold(line: str) -> bytes:
        data = line.encode()
        pieces, start, room = [], 0, 75
        while len(data) - start > room:
            end = start + room
            while data[end] & 0xC0 == 0x80:  # not inside a UTF-8 character
                end -= 1
            pieces.append(data[start:end])
            start, room = end, 74
        pieces.append(data[start:])
        return b"\r\n ".join(pieces) + b"\r\n"

    with open(lineup, newline="", encoding="utf-8") as f, open(out, "wb") as ics:
        rows = csv.reader(f)
        column = {name: i for i, name in enumerate(next(rows))}
        title, director, year, runtime, festival, section, venue, city = (column[c] for c in (
            "Title", "Director", "Year", "Runtime", "Festival", "Section", "Venue", "City"
        ))  # fmt: skip
        day_, time_, zone_, notes = (column[c] for c in ("Date", "Time", "Timezone", "Notes"))
        ics.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//floor//ics_export//EN\r\n")
        for number, row in enumerate(rows, 1):
            day = date(row[day_].strip())
            if day is None:
                continue
            if row[time_] and row[zone_]:
                hour, minute = row[time_].split(":")
                start = dt.datetime(day.year, day.month, day.day, int(hour), int(minute))
                end = start + dt.timedelta(minutes=int(row[runtime] or 90))
                zone = row[zone_]
                times = [f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                         f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}"]  # fmt: skip
            else:
                times = [f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                         f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}"]  # fmt: skip
            minutes = f"{row[runtime]} min" if row[runtime] else ""
            text = [row[director], row[year], minutes, row[festival], row[section], row[notes]]
            place = ", ".join(p for p in (row[venue], row[city]) if p)
            lines = [
                "BEGIN:VEVENT",
                f"UID:row-{number}@floor.invalid",
                "DTSTAMP:20130614T000000Z",
                *times,
                f"SUMMARY:{escape(row[title])}",
                f"LOCATION:{escape(place)}",
                f"DESCRIPTION:{escape(chr(10).join(t for t in text if t))}",
                "END:VEVENT",
            ]
            ics.write(b"".join(map(fold, lines)))
        ics.write(b"END:VCALENDAR\r\n")


def timed(command: list[str], log: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of one whole process, stderr to ``log``."""
    import os
    import subprocess
    import time

    with log.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} failed ({status}):\n{log.read_text(errors='replace')}")
    return elapsed, usage.ru_maxrss * 1024  # Linux: kilobytes


def events(path: Path) -> int:
    return path.read_bytes().count(b"BEGIN:VEVENT")


def option(name: str, default: str) -> str:
    args = sys.argv[1:]
    for n, arg in enumerate(args):
        if arg == name and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    import subprocess
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from lineup_import import write_lineup

    sizes = [int(s.replace("_", "")) for s in option("--sizes", "10000,100000").split(",")]
    repeats = int(option("--repeats", "3"))
    screenings = str(Path(sys.executable).with_name("screenings"))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            here = Path(folder) / str(size)
            here.mkdir()
            lineup, db = here / "lineup.csv", here / "catalogue.sqlite3"
            ours_ics, floor_ics, log = here / "ours.ics", here / "floor.ics", here / "stderr.txt"
            write_lineup(lineup, size)
            done = subprocess.run(
                [screenings, "--db", str(db), "import", str(lineup)],
                capture_output=True,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"import of {size:,} rows failed:\n{done.stderr.decode()}")
            ours_command = [screenings, "--db", str(db), "export", "ics", "--include-private",
                            "-o", str(ours_ics)]  # fmt: skip
            floor_command = [sys.executable, __file__, "--floor", str(lineup), str(floor_ics)]
            floor_runs, ours_runs, peak = [], [], 0
            for _ in range(repeats):
                floor_runs.append(timed(floor_command, log)[0])
                ours_ics.unlink(missing_ok=True)  # an unchanged file is compared, not written
                seconds, memory = timed(ours_command, log)
                ours_runs.append(seconds)
                peak = max(peak, memory)
            said = log.read_text(errors="replace").strip().splitlines()
            results.append(
                (size, min(floor_runs), min(ours_runs), ours_ics.stat().st_size, peak,
                 events(ours_ics), events(floor_ics), floor_ics.stat().st_size,
                 said[-1] if said else "")
            )  # fmt: skip
    print(f"best of {repeats}; whole processes; peak = max RSS of our export process")
    print(f"{'N':>9}  {'floor s':>8}  {'ours s':>8}  {'ours/floor':>16}  {'out MB':>7}  "
          f"{'peak MB':>8}  {'peak/out':>14}")  # fmt: skip
    for size, floor_s, ours_s, size_b, peak, *_ in results:
        ratio, memory = ours_s / floor_s, peak / size_b
        print(f"{size:>9,}  {floor_s:8.2f}  {ours_s:8.2f}  {ratio:5.1f}x "
              f"{'PASS' if ratio <= TIME_TARGET else 'MISS':>10}  {size_b / 1e6:7.1f}  "
              f"{peak / 1e6:8.0f}  {memory:4.1f}x "
              f"{'PASS' if memory <= MEMORY_TARGET else 'MISS':>8}")  # fmt: skip
    print(f"targets: ours/floor <= {TIME_TARGET:g}x (at 100,000 events); "
          f"peak/out <= {MEMORY_TARGET:g}x")  # fmt: skip
    for size, *_, ours_n, floor_n, floor_b, said in results:
        print(f"{size:>9,} rows: events ours {ours_n:,}, floor {floor_n:,} "
              f"(floor output {floor_b / 1e6:.1f} MB); export said: {said}")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--floor"]:
        floor(sys.argv[2], sys.argv[3])
    else:
        main()
