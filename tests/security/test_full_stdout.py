"""Item 8a: a standard output that cannot be written is one line, never a traceback.

Real devices and real pipes: /dev/full (every write fails with ENOSPC), a pipe whose
reader has gone (``screenings list | head -1``: EPIPE) and a closed descriptor
(``>&-``). Every command that writes to stdout goes through the one handler in
``screenings.cli.run``: a full or closed stdout is ``screenings: error: stdout: cannot
write: ...`` and exit 2; a reader that stopped reading ends the command quietly, exit 0.
The commands run in-process on both databases, and as ``python -m screenings``, where
Python's own flush of stdout at exit must not print anything after the line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from screenings.cli import run

DATA = Path(__file__).resolve().parents[2] / "data"
FULL = Path("/dev/full")
TITLE = "The Defector: Escape from North Korea"
COMMANDS = {  # each writes to stdout when it works
    "list": ("list",),
    "list csv": ("list", "--format", "csv"),
    "list json": ("list", "--format", "json"),
    "list films": ("list", "films"),
    "show": ("show", "film", TITLE),
    "check": ("check",),
    "export csv": ("export", "csv"),
    "export ics": ("export", "ics"),
}
NO_SPACE = "screenings: error: stdout: cannot write: No space left on device\n"
CLOSED = "screenings: error: stdout: cannot write: Bad file descriptor\n"

needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A catalogue holding the seed lineup."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("stdout") / "catalogue.sqlite3")
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    assert run(["--db", url, "import", str(DATA / "lineup.csv")]) == 0
    yield url


@pytest.fixture(autouse=True)
def _zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")


def gone_reader() -> int:
    """The writing end of a pipe whose reader has gone, as ``| head -1`` once head exits."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return write_end


def run_with_stdout(stream: IO[Any], monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", stream)
        return run(list(args))


@needs_dev_full
@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_device_is_one_line(
    db: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with FULL.open("w") as full:
        code = run_with_stdout(full, monkeypatch, "--db", db, *COMMANDS[command])
    assert (code, capsys.readouterr().err) == (2, NO_SPACE)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_reader_that_stopped_reading_ends_the_command_quietly(
    db: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with os.fdopen(gone_reader(), "w") as pipe:
        code = run_with_stdout(pipe, monkeypatch, "--db", db, *COMMANDS[command])
    assert (code, capsys.readouterr().err) == (0, "")


def screenings(db: str | None, *args: str, stdout: Any) -> subprocess.CompletedProcess[str]:
    where = ("--db", db) if db is not None else ()
    return subprocess.run(
        [sys.executable, "-m", "screenings", *where, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )


PROCESS_COMMANDS = ["list", "list csv", "show"]


@needs_dev_full
@pytest.mark.parametrize("command", PROCESS_COMMANDS)
def test_a_full_device_is_one_line_and_nothing_after_it(db: str, command: str) -> None:
    with FULL.open("wb") as full:
        done = screenings(db, *COMMANDS[command], stdout=full)
    assert (done.returncode, done.stderr) == (2, NO_SPACE)


@pytest.mark.parametrize("command", PROCESS_COMMANDS)
def test_head_closing_the_pipe_is_silent(db: str, command: str) -> None:
    write_end = gone_reader()
    try:
        done = screenings(db, *COMMANDS[command], stdout=write_end)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


@needs_dev_full
@pytest.mark.parametrize("args", [("--version",), ("--help",), ("list", "--help")])
def test_help_and_version_on_a_full_device(args: tuple[str, ...]) -> None:
    with FULL.open("wb") as full:
        done = screenings(None, *args, stdout=full)
    assert (done.returncode, done.stderr) == (2, NO_SPACE)


@pytest.mark.parametrize("command", ["list", "export ics"])
def test_a_closed_stdout_is_one_line(db: str, command: str) -> None:
    shell = ["sh", "-c", 'exec "$@" >&-', "sh"]  # the shell closes stdout, as asked
    done = subprocess.run(
        [*shell, sys.executable, "-m", "screenings", "--db", db, *COMMANDS[command]],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (2, CLOSED)
