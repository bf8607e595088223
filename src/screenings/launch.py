"""The ``screenings`` command's first step: ``screenings --help`` answered from the text
Typer renders for it (``cli/help.txt``, kept equal to it by ``tests/test_newcomer.py``),
without importing Typer, which takes longer than the 100 ms the help may (#22); anything
else is ``screenings.cli.main``. A terminal narrower than 80 columns, for which Typer
wraps the text otherwise, goes to Typer too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP = Path(__file__).with_name("cli") / "help.txt"
WIDTH = 80  # the widest Typer's help is wrapped to (click's max_width)


def main() -> None:
    if sys.argv[1:] == ["--help"] and _wide() and (text := _help()) is not None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError:
            pass  # a closed or full output: Typer's way says so in one line
        else:
            sys.exit(0)
    from screenings.cli import main as run

    run()


def _wide() -> bool:
    """Whether Typer would wrap the help to its widest, as ``help.txt`` holds it."""
    columns = os.environ.get("COLUMNS", "")
    if columns:
        return columns.isdigit() and int(columns) >= WIDTH
    if sys.__stdout__ is None:
        return False  # no output at all: Typer's way says so
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns >= WIDTH
    except (OSError, ValueError):
        return True  # not a terminal: Typer wraps to 80


def _help() -> str | None:
    try:
        return HELP.read_text(encoding="utf-8")
    except OSError:
        return None
