"""Start-up cost of the command line, as ratios against floors measured in the same run.

Usage: python benchmarks/startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytecode import write_bytecode


def median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    write_bytecode()  # as installed (bytecode.py)
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.sqlite3")
        subprocess.run(
            [python, "-m", "screenings", "--db", db, "db", "upgrade"],
            check=True,
            capture_output=True,
        )
        floor_python = median_seconds([python, "-c", "pass"], runs)
        floor_select = median_seconds(
            [
                python,
                "-c",
                "import sqlalchemy as sa; e = sa.create_engine('sqlite:///" + db + "');"
                " c = e.connect(); c.execute(sa.text('SELECT 1'))",
            ],
            runs,
        )
        floor_typer = median_seconds([python, "-c", "import typer"], runs)
        help_ = median_seconds([python, "-m", "screenings", "--help"], runs)
        stats = median_seconds([python, "-m", "screenings", "--db", db, "db", "stats"], runs)
    print(f"floor  python -c pass          {floor_python * 1000:7.1f} ms")
    print(f"floor  sqlalchemy SELECT 1     {floor_select * 1000:7.1f} ms")
    print(f"floor  python -c 'import typer' {floor_typer * 1000:6.1f} ms")
    print(
        f"screenings --help              {help_ * 1000:7.1f} ms  "
        f"({help_ / floor_python:.1f}x python, {help_ / floor_typer:.2f}x importing typer)"
    )
    print(
        f"screenings db stats            {stats * 1000:7.1f} ms  "
        f"({stats / floor_select:.2f}x SELECT 1)"
    )


if __name__ == "__main__":
    main()
