"""Our package's bytecode, written before a whole ``screenings`` process is timed.

Installing the package writes it (pip compiles what it installs), and so does Python on
a program's first run, unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on the
machines these benchmarks run on. Without it every timed process compiled the package's
sources again, about 60-80 ms of a 0.8 s command that no installed copy pays (#21),
while the floors import only the standard library, whose bytecode is there.
``compileall`` writes it whatever that variable says.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def write_bytecode(src: Path | None = None) -> None:
    """Compile the package under ``src`` (a folder holding ``screenings``; by default the
    one imported) as installing it would."""
    if src is None:
        import screenings

        folder = Path(screenings.__file__).parent
    else:
        folder = src / "screenings"
    if not compileall.compile_dir(folder, quiet=1):
        raise SystemExit(f"could not compile {folder}")
