"""What programmes (#23) cost the catalogue without them, and what they cost with them.

1. The synthetic lineup of ``lineup_import.py`` (no programme), 100,000 screenings:
   ``import`` into a new SQLite catalogue, ``list --format json`` of every screening and
   ``export ics`` of every screening, each a whole process, by this code and by the
   code before programmes (a git worktree of ``--before``, default: the commit before
   the one that added ``services/programmes.py``), run alternately, best of
   ``--repeats``. Target: this code within 1.1x of the code before.
2. The same with 10% of the screenings programme screenings (blocks of four films at
   one slot, each programme shown at five slots), by this code; its figures beside
   those of case 1 (no target: the issue asks for the figures).

    .venv/bin/python benchmarks/programmes.py [ROWS] [--before REV] [--repeats 3]
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import write_bytecode
from lineup_import import CITIES, HEADER, timed, write_lineup

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.1


def option(name: str, default: str) -> str:
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def before_programmes() -> str:
    """The commit before the one that added programmes."""
    added = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--",
         "src/screenings/services/programmes.py"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    if not added:
        raise SystemExit("no commit adds src/screenings/services/programmes.py")
    return f"{added[-1]}^"


def write_blocks(path: Path, screenings: int, seed: int = 2026) -> int:
    """``screenings`` programme screenings appended to the lineup at ``path``: blocks of
    four new films at one slot, each programme at five slots. The rows written."""
    rng = random.Random(seed)
    written = 0
    with path.open("a", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for number in range(screenings // 5):
            films = [f"Short {number}-{n}" for n in range(4)]
            festival = f"Shorts Festival {number % 50} {2010 + number % 15}"
            for slot in range(5):
                city, zone = CITIES[(number + slot) % len(CITIES)]
                day = f"{2010 + number % 15}-0{1 + slot % 9}-1{slot}"
                for title in films:
                    writer.writerow(
                        [title, f"Director S{number}", "2020", str(rng.randrange(8, 30)),
                         festival, "Shorts", f"Shorts Cinema {slot}", city, day,
                         f"{9 + slot}:00", zone, "", f"Block {number}"]
                    )  # fmt: skip
                    written += 1
    return written


def run(code: Path, *args: str) -> float:
    env_path = f"{code / 'src'}"
    command = ["env", f"PYTHONPATH={env_path}", sys.executable, "-m", "screenings", *args]
    return timed(command)[0]


def case(code: Path, folder: Path, lineup: Path, name: str) -> dict[str, float]:
    """One round of the three commands by ``code`` on a new catalogue: seconds each."""
    database = folder / f"{name}.sqlite3"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    seconds = {"import": run(code, "--db", url, "import", str(lineup), "--skip-invalid")}
    seconds["list"] = run(code, "--db", url, "list", "--format", "json")
    out = folder / f"{name}.ics"
    seconds["export"] = run(code, "--db", url, "export", "ics", "-o", str(out),
                            "--include-private")  # fmt: skip
    return seconds


def best(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {k: min(r[k] for r in rounds) for k in rounds[0]}


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    repeats = int(option("--repeats", "3"))
    before = option("--before", before_programmes())
    folder = Path(tempfile.mkdtemp(prefix="bench-programmes-"))
    old = folder / "before"
    try:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old),
                        before], check=True)  # fmt: skip
        write_bytecode(old / "src")  # both as installed (bytecode.py)
        write_bytecode(ROOT / "src")
        plain = folder / "plain.csv"
        write_lineup(plain, rows)
        mixed = folder / "mixed.csv"
        write_lineup(mixed, rows * 9 // 10)
        text = mixed.read_text(encoding="utf-8").splitlines()
        with mixed.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([*HEADER, "Block"])
            for line in csv.reader(text[1:]):
                writer.writerow([*line, ""])
        extra = write_blocks(mixed, rows // 10)
        ours, theirs, blocks = [], [], []
        for _ in range(repeats):
            theirs.append(case(old, folder, plain, "before"))
            ours.append(case(ROOT, folder, plain, "after"))
            blocks.append(case(ROOT, folder, mixed, "blocks"))
        now, was, with_blocks = best(ours), best(theirs), best(blocks)
        print(f"{rows} screenings, no programme (best of {repeats}, before = {before}):")
        for step in now:
            ratio = now[step] / was[step]
            mark = "ok" if ratio <= TARGET else f"over {TARGET}x"
            print(f"  {step:7} {now[step]:7.2f} s   before {was[step]:7.2f} s   "
                  f"{ratio:5.2f}x  {mark}")  # fmt: skip
        print(f"{rows} screenings, 10% of them programme screenings ({extra} rows of blocks, "
              f"four films each):")  # fmt: skip
        for step in with_blocks:
            print(
                f"  {step:7} {with_blocks[step]:7.2f} s   "
                f"{with_blocks[step] / now[step]:5.2f}x the catalogue without programmes"
            )
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                       check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        os.sync()


if __name__ == "__main__":
    main()
