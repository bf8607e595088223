"""The command line as a user meets it: help everywhere, fast start, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from screenings import __version__
from screenings.cli import app, run
from screenings.migrate import HEAD_REVISION, KNOWN_REVISIONS


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "screenings")
def test_every_command_has_help(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: screenings")
    assert len(out.splitlines()) > 3
    assert "Example" in out, f"screenings {' '.join(path)} --help shows no example"


def test_the_commands_of_this_stage_exist() -> None:
    assert {" ".join(p) for p in _command_paths()} >= {
        "db current",
        "db upgrade",
        "db downgrade",
        "db history",
        "db stats",
    }


def test_help_starts_without_the_heavy_modules() -> None:
    probe = (
        "import sys\n"
        "from screenings.cli import run\n"
        "code = run(['db', '--help'])\n"
        "heavy = {'alembic', 'icalendar', 'dateutil', 'sqlalchemy', 'psycopg', 'platformdirs',"
        " 'jinja2', 'playwright', 'gevent', 'gunicorn', 'ftfy'}\n"
        "print(code, sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "0 []"


def test_a_whole_process_leaves_what_it_wrote_whole(
    backend: str,
    new_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    """The console command ends without Python's last collection (``cli.main``): what an
    import (first, unchanged, refused) and an export wrote is whole, as the same command
    run in this process writes it; a SQLite catalogue is left as every connection
    leaves it when it closes (no journal beside it, out of WAL: byte 18 of its header)."""
    from tests.test_import import HEADER, ROWS, write_csv

    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)
    lineup, report = write_csv(tmp_path / "lineup.csv", ROWS), tmp_path / "report.jsonl"
    moved = [*ROWS[:-1], [*ROWS[-1][:9], "31/02/2013", *ROWS[-1][10:]]]  # no such day
    refused = write_csv(tmp_path / "refused.csv", moved, HEADER)
    feed = tmp_path / "feed.ics"
    for args, code in (
        (["import", str(lineup), "--report", str(report)], 0),
        (["import", str(lineup)], 0),  # unchanged: said without the importer
        (["import", str(refused)], 2),
        (["export", "ics", "-o", str(feed)], 0),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "screenings", "--db", url, *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == code, done.stderr
    said = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [row["outcome"] for row in said if row["type"] == "row"] == ["created"] * len(ROWS)
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        assert sorted(p.name for p in path.parent.glob(path.name + "*")) == [path.name]
        assert path.read_bytes()[18:20] == b"\x01\x01"
    assert run(["--db", url, "export", "ics"]) == 0
    assert feed.read_bytes() == capsysbinary.readouterr().out


def test_an_unchanged_lineup_is_said_so_without_the_orm_or_the_importer(tmp_path: Path) -> None:
    """The re-import of an unchanged file answers from the fingerprints alone
    (``services/skipping.py``): the ORM (``db._session_class``) and the importer are
    never imported, which is most of what it saves."""
    from tests.test_import import ROWS, write_csv

    path = write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS])
    probe = (
        "import sys\n"
        "from screenings.cli import run\n"
        f"code = run(['--db', {str(tmp_path / 'c.sqlite3')!r}, 'import', {str(path)!r}])\n"
        "heavy = {'sqlalchemy.orm', 'screenings.models', 'screenings.services.lineup'}\n"
        "print(code, sorted(heavy & set(sys.modules)))\n"
    )
    env = {**os.environ, "SCREENINGS_TIMEZONE": "Europe/London"}
    command = [sys.executable, "-c", probe]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert first.stdout.splitlines()[-1].startswith("0 ['screenings.models'"), first.stderr
    again = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert "4 unchanged" in again.stdout, again.stderr
    assert again.stdout.splitlines()[-1] == "0 []"


def test_python_dash_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "screenings", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == f"screenings {__version__}\n"


def test_a_bad_db_option_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", "mysql://root@localhost/test", "db", "current"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "screenings: error: --db: unsupported database 'mysql'; expected a SQLite file, "
        "sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE\n"
    )


def test_an_unknown_revision_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(tmp_path / "c.sqlite3"), "db", "upgrade", "--to", "7"]) == 2
    assert capsys.readouterr().err == (
        "screenings: error: revision: unknown revision '7'; expected head, base or one of "
        f"{', '.join(KNOWN_REVISIONS)}\n"
    )


def test_db_current_reports_a_missing_file_without_creating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere" / "c.sqlite3"
    assert run(["--db", str(path), "db", "current"]) == 0
    assert capsys.readouterr().out == (
        f"database: sqlite:///{path}\n"
        "revision: none (no such file yet; 'screenings import' or 'screenings add' creates "
        f"it at {HEAD_REVISION})\n"
    )
    assert not path.exists()


def test_db_upgrade_then_current_and_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    assert run(["--db", str(path), "db", "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"database: sqlite:///{path}",
        f"revision: {HEAD_REVISION} (head) (was none)",
    ]
    assert run(["--db", str(path), "db", "current"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"revision: {HEAD_REVISION} (head)"
    assert run(["db", "history"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("0001  The initial catalogue")
    assert "0002  The revision counter" in shown
    assert "0003  Secret feeds" in shown
    assert "0004  Ids are never reused" in shown
    assert "0005  The same limits on both databases" in shown
    assert "0010  An index on a screening's own city." in shown
    assert "0011  How each row fingerprint's row named its film" in shown
    assert f"{HEAD_REVISION}  The city each row fingerprint's row named its venue in." in shown
    assert shown.endswith("(head)\n")


def test_db_downgrade_backs_up_sqlite_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    assert run(["--db", str(path), "db", "upgrade"]) == 0
    assert run(["--db", str(path), "db", "downgrade", "base"]) == 0
    captured = capsys.readouterr()
    backups = list(tmp_path.glob(f"c.sqlite3.{HEAD_REVISION}-*.bak"))
    assert len(backups) == 1
    assert f"backup: {backups[0]}" in captured.err
    assert captured.out.splitlines()[-1] == (
        f"revision: none (older; head is {HEAD_REVISION}) (was {HEAD_REVISION})"
    )


def test_db_current_masks_the_password(
    postgres_server: object, new_url: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = new_url("postgresql")  # type: ignore[operator]
    with_password = url.replace("postgres@", "postgres:hunter2@", 1)
    assert run(["--db", with_password, "db", "current"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out
    assert "postgres:***@" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "No such command 'frobnicate'."),
        (["db", "stats", "extra"], "Got unexpected extra argument(s) (extra)"),
        (["--bogus"], "No such option: --bogus"),
        (["list", "--limit", "x"], "Invalid value for '--limit': 'x' is not a valid int."),
    ],
)
def test_usage_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(args) == 2
    assert capsys.readouterr().err == f"screenings: error: {message}\n"


def _messy_inputs(tmp: Path) -> list[tuple[list[str], int, str]]:
    (tmp / "notes.txt").write_text("not a database\n")
    (tmp / "a-folder").mkdir()
    (tmp / "a-file").write_text("")
    return [
        (["--db", str(tmp / "notes.txt"), "db", "stats"], 7,
         f"sqlite:///{tmp}/notes.txt: not a SQLite database"),
        (["--db", str(tmp / "a-folder"), "db", "stats"], 2,
         f"--db: {tmp}/a-folder is a folder; expected a SQLite file"),
        (["--db", str(tmp / "a-file" / "x.sqlite3"), "db", "upgrade"], 2,
         f"database: cannot create a database in {tmp}/a-file: it is a file"),
        (["--db", str(tmp / "a-file" / "sub" / "x.sqlite3"), "db", "upgrade"], 2,
         f"database: cannot create the folder {tmp}/a-file/sub: Not a directory"),
        (["--db", "postgresql://ann:secret@127.0.0.1:notaport/fest", "db", "current"], 2,
         "--db: cannot read 'postgresql+psycopg://ann:***@127.0.0.1:notaport/fest' as a "
         "database URL"),
        (["--db", "postgresql://ann@127.0.0.1:5432", "db", "current"], 2,
         "--db: postgresql+psycopg://ann@127.0.0.1:5432 names no database; "
         "expected postgresql+psycopg://USER@HOST/DATABASE"),
        (["--db", "postgresql://ann:pa@ss@127.0.0.1/fest", "db", "current"], 2,
         "--db: the URL has more than one '@' before the host; percent-encode an '@' in the "
         "password as %40"),
        (["--db", "", "db", "current"], 2,
         "--db: empty; expected a path to a SQLite file or a database URL"),
        (["--db", str(tmp / "missing.sqlite3"), "db", "downgrade", "base"], 2,
         f"database: no database at {tmp}/missing.sqlite3"),
    ]  # fmt: skip


def test_messy_database_inputs_get_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, code, message in _messy_inputs(tmp_path):
        assert (run(args), capsys.readouterr().err) == (
            code,
            f"screenings: error: {message}\n",
        ), args


def test_the_environment_variable_is_named_in_its_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCREENINGS_DATABASE_URL", "mysql://root@localhost/x")
    assert run(["db", "current"]) == 2
    assert capsys.readouterr().err.startswith("screenings: error: SCREENINGS_DATABASE_URL: ")


def test_db_current_creates_no_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", str(tmp_path / "new" / "x.sqlite3"), "db", "current"]) == 0
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_is_one_line_and_exit_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from screenings import migrate

    def interrupted(engine: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(migrate, "ensure_schema", interrupted)
    assert run(["--db", str(tmp_path / "c.sqlite3"), "add", "person", "Ann Shin"]) == 130
    assert capsys.readouterr().err.strip() == "screenings: error: interrupted; nothing was written"


def test_a_file_name_the_system_cannot_look_up_is_one_line_at_every_door(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file to import, an export's -o, a backup's PATH, whose name is too long or a loop
    of links: one line naming it, exit 2, nothing written (each was a traceback)."""
    db = str(tmp_path / "c.sqlite3")
    assert run(["--db", db, "add", "person", "Ann Shin"]) == 0
    long = tmp_path / ("x" * 300)
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    before = sorted(p.name for p in tmp_path.iterdir())
    capsys.readouterr()
    for args, said in (
        (["import", f"{long}.csv"], f"{long}.csv: File name too long"),
        (["import", str(loop)], f"{loop}: a loop of symbolic links"),
        (["export", "ics", "-o", f"{long}.ics"], f"{long}.ics: File name too long"),
        (["export", "ics", "-o", str(loop)], f"{loop}: a loop of symbolic links"),
        (["db", "backup", f"{long}.sqlite3"], f"{long}.sqlite3: File name too long"),
    ):
        assert run(["--db", db, *args]) == 2, args
        assert capsys.readouterr().err == f"screenings: error: {said}\n", args
    assert sorted(p.name for p in tmp_path.iterdir()) == before
