"""``screenings export frab-json`` (and ``frab-xml``) against ``export ics`` of the same
query, as whole processes.

The seeded synthetic lineup of ``lineup_import.py`` (N rows, all dated and timed, none
private) is imported into a fresh SQLite file with ``screenings --db FILE import`` (not
timed). Then, best of R rounds, each of these three commands once a round, the order
turned by one every round so that the machine's noise falls on all of them:

- ics: ``screenings --db FILE export ics --include-private -o OUT.ics`` (the query of
  ``ics_export.py``);
- frab-json: ``screenings --db FILE export frab-json --base-url URL --include-private
  -o OUT.json``;
- frab-xml: the same with ``frab-xml`` and ``-o OUT.xml``.

Each output is removed before its run, so that every run writes its file (an export
leaves a file holding the same bytes alone). Wall time with ``time.perf_counter``,
interpreter start included; peak memory is the maximum resident set size of that one
export process, from ``os.wait4`` (as ``ics_export.py`` does), the largest over the
rounds. The events written are counted in each output (``BEGIN:VEVENT``, ``{"guid":``,
``<event ``): every row has a time, so the three should agree.

Target (from the issue): frab-json within 3x the ics export's time, at 100,000
screenings; frab-xml is measured beside it (figures only). A miss is reported, not an
error.

Then ``frab-check`` (``../shared/tools/frab-check/frab-check`` beside the project; skipped,
with the reason printed, when it is not there) validates the frab JSON of the last round,
and the frab XML of the last round when N is at most ``--check-rows`` (default 20,000),
else a separate ``frab-xml`` export of that many rows: its XSD check loads the document
through xmlschema, which refuses more than 1,000,000 elements (``MAX_XML_ELEMENTS``),
about 45,000 events. ``--check-rows 0`` skips the check.

Usage: .venv/bin/python benchmarks/frab_export.py [N] [--repeats 3] [--check-rows M]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bytecode import write_bytecode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ics_export import option, timed
from lineup_import import write_lineup

ROOT = Path(__file__).resolve().parent.parent
FRAB_CHECK = ROOT.parent / "shared" / "tools" / "frab-check" / "frab-check"
BASE_URL = "https://films.example"
TARGET = 3.0  # frab-json / ics, at 100,000 screenings
XML_CHECK_ROWS = 20_000  # frab-check's XSD check stops at 1,000,000 elements (~22 an event)
FORMATS = {  # name: (export arguments, output suffix, what starts an event in it)
    "ics": ([], ".ics", b"BEGIN:VEVENT"),
    "frab-json": (["--base-url", BASE_URL], ".json", b'{"guid":'),
    "frab-xml": (["--base-url", BASE_URL], ".xml", b"<event "),
}


def catalogue(folder: Path, rows: int, screenings: str) -> Path:
    """A new SQLite catalogue of the synthetic lineup of ``rows`` rows, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lineup, db = folder / "lineup.csv", folder / "catalogue.sqlite3"
    write_lineup(lineup, rows)
    done = subprocess.run(
        [screenings, "--db", str(db), "import", str(lineup)], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"import of {rows:,} rows failed:\n{done.stderr.decode()}")
    return db


def export(screenings: str, db: Path, name: str, out: Path) -> list[str]:
    extra, _, _ = FORMATS[name]
    return [screenings, "--db", str(db), "export", name, *extra, "--include-private",
            "-o", str(out)]  # fmt: skip


def frab_check(path: Path) -> tuple[str, float]:
    """``frab-check``'s verdict on one file (its exit status and output), and its time."""
    start = time.perf_counter()
    done = subprocess.run([str(FRAB_CHECK), str(path)], capture_output=True, text=True, check=False)
    said = (done.stdout + done.stderr).strip().replace("\n", "\n  ")
    return f"exit {done.returncode}: {said}", time.perf_counter() - start


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    import tempfile

    args = sys.argv[1:]
    rows = int(args[0].replace("_", "")) if args and args[0].replace("_", "").isdigit() else 0
    rows = rows or 100_000
    repeats = int(option("--repeats", "3"))
    check_rows = int(option("--check-rows", str(XML_CHECK_ROWS)).replace("_", ""))
    screenings = str(Path(sys.executable).with_name("screenings"))
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        db = catalogue(here / "timed", rows, screenings)
        log = here / "stderr.txt"
        outs = {name: here / f"out{suffix}" for name, (_, suffix, _) in FORMATS.items()}
        runs: dict[str, list[float]] = {name: [] for name in FORMATS}
        peak = dict.fromkeys(FORMATS, 0)
        said: dict[str, str] = {}
        names = list(FORMATS)
        for round_ in range(repeats):
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                outs[name].unlink(missing_ok=True)  # an unchanged file is not written
                seconds, memory = timed(export(screenings, db, name, outs[name]), log)
                runs[name].append(seconds)
                peak[name] = max(peak[name], memory)
                lines = log.read_text(errors="replace").strip().splitlines()
                said[name] = lines[-1] if lines else ""
        sizes = {name: out.stat().st_size for name, out in outs.items()}
        counted = {name: outs[name].read_bytes().count(FORMATS[name][2]) for name in FORMATS}

        checks: list[tuple[str, str, float]] = []  # what, frab-check's verdict, seconds
        if check_rows == 0:
            checks.append(("frab JSON and XML", "skipped (--check-rows 0)", 0.0))
        elif not FRAB_CHECK.exists():
            checks.append(("frab JSON and XML", f"skipped: {FRAB_CHECK} not found", 0.0))
        else:
            checks.append((f"frab-json, {rows:,} rows (timed)", *frab_check(outs["frab-json"])))
            xml, what = outs["frab-xml"], f"frab-xml, {rows:,} rows (timed)"
            if rows > check_rows:
                small = catalogue(here / "checked", check_rows, screenings)
                xml, what = here / "checked" / "schedule.xml", f"frab-xml, {check_rows:,} rows"
                timed(export(screenings, small, "frab-xml", xml), log)
            checks.append((what, *frab_check(xml)))

    best = {name: min(seconds) for name, seconds in runs.items()}
    print(f"{rows:,} screenings, SQLite; best of {repeats}, whole processes, run in turn; "
          f"peak = max RSS of the export process")  # fmt: skip
    print(f"{'export':>10}  {'best s':>7}  {'runs s':>22}  {'out MB':>7}  {'peak MB':>7}  "
          f"{'events':>8}  {'/ ics':>14}")  # fmt: skip
    for name in FORMATS:
        ratio = best[name] / best["ics"]
        mark = "" if name == "ics" else f"{ratio:5.2f}x"
        if name == "frab-json":
            mark += f" {'PASS' if ratio <= TARGET else 'MISS'}"
        print(f"{name:>10}  {best[name]:7.2f}  {' '.join(f'{s:.2f}' for s in runs[name]):>22}  "
              f"{sizes[name] / 1e6:7.1f}  {peak[name] / 1e6:7.0f}  {counted[name]:8,}  "
              f"{mark:>14}")  # fmt: skip
    print(f"target: frab-json / ics <= {TARGET:g}x (at 100,000 screenings); frab-xml: figures only")
    for name in FORMATS:
        print(f"{name} said: {said[name]}")
    for what, verdict, seconds in checks:
        print(f"frab-check of {what}, {seconds:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
