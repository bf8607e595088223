"""Moving a catalogue between databases (#26): ``db copy``, ``db backup`` and ``db
restore``, on SQLite and PostgreSQL, in both directions, through the command line:
round trips that give the same outputs and the same rows, id counters past the last id,
secret feeds that still work, refusals that write nothing, a copy killed with kill -9,
and a backup taken while an import writes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from screenings.cli import run
from screenings.config import Settings
from screenings.db import BULK_WRITER_LOCK, create_db_engine, unit_of_work
from screenings.migrate import upgrade_schema
from screenings.web import FeedApp
from tests import factories as make
from tests.conftest import SEED
from tests.dumps import Dump, dump
from tests.test_import import write_csv
from tests.test_pages import get

OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


def said(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def outputs(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """What a user reads off a catalogue: ``list --format json`` and the calendar of every
    screening, private ones included."""
    code, listed, err = said(capsys, "--db", url, "list", "--format", "json")
    assert code == 0, err
    code, calendar, err = said(capsys, "--db", url, "export", "ics", "--include-private")
    assert code == 0, err
    return listed, calendar


def catalogue_rows(url: str) -> Dump:
    """Every row of the catalogue but the fresh schema's own: its revision counter's."""
    rows = dump(url)
    del rows["revision"]
    return rows


@pytest.fixture
def everything(
    backend: str,
    new_url: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[str, str]:
    """A catalogue with a row in every table, the seed story imported, a secret feed (its
    token returned) and its last screening removed, so that the high-water mark of its
    ids is above its highest id."""
    url = new_url(backend)
    engine = create_db_engine(url)
    try:
        upgrade_schema(engine)
        with unit_of_work(engine) as session:
            make.one_of_everything(session)
    finally:
        engine.dispose()
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    for command in SEED:
        assert run(["--db", url, *command]) == 0
    code, out, err = said(capsys, "--db", url, "feed", "create", "jury", "--include-private")
    assert code == 0, err
    (address,) = [line for line in (out + err).splitlines() if "/feeds/secret/" in line]
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    last = max(row[0] for row in dump(url)["screening"])
    assert run(["--db", url, "remove", "screening", f"#{last}", "--yes"]) == 0
    capsys.readouterr()
    return url, token


def test_a_round_trip_through_the_other_backend_gives_the_same_catalogue(
    backend: str,
    everything: tuple[str, str],
    new_url: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SQLite -> PostgreSQL -> SQLite, and PostgreSQL -> SQLite -> PostgreSQL: every row of
    every table is the same on all three (ids, UIDs, sequences, bases, fingerprints,
    aliases, retired slugs, feed tokens, plans, the revision counter, the timestamps), and
    so are the listing and the calendar, byte for byte."""
    source, token = everything
    rows = dump(source)
    assert all(rows.values()), [name for name, found in rows.items() if not found]
    there, back = new_url(OTHER[backend]), new_url(backend)
    for origin, destination in ((source, there), (there, back)):
        code, out, err = said(capsys, "db", "copy", origin, destination)
        assert code == 0, err
        assert "(its schema made at the head revision)" in out.splitlines()[-1]
        figures = [line.split() for line in out.splitlines()[1:-1]]
        assert {name for name, *_ in figures} == set(rows)
        assert all(verdict == "same" for *_, verdict in figures), out
        assert {name: int(count.replace(",", "")) for name, count, *_ in figures} == {
            name: len(found) for name, found in rows.items()
        }
    assert dump(there) == rows
    assert dump(back) == rows
    assert outputs(there, capsys) == outputs(source, capsys) == outputs(back, capsys)

    # The secret feed's address works on the copy.
    for url in (there, back):
        status, _, body = get(FeedApp(Settings(url)), f"/feeds/secret/{token}.ics")
        assert status == 200 and b"BEGIN:VCALENDAR" in body
    # Ids go on past the source's last, never reusing the one removed.
    removed = dump(source)["screening"]
    for url in (source, there, back):
        code, _, err = said(
            capsys, "--db", url, "add", "screening", "The Defector: Escape from North Korea",
            "--venue", "Showroom Cinema", "--at", "2013-06-15 12:00",
        )  # fmt: skip
        assert code == 0, err
    added = [{row[0] for row in dump(url)["screening"]} - {r[0] for r in removed}
             for url in (source, there, back)]  # fmt: skip
    assert added[0] == added[1] == added[2]
    (number,) = added[0]
    assert number > max(r[0] for r in removed) + 1  # the removed one's number is skipped


def test_a_copy_into_a_catalogue_that_holds_rows_is_refused_and_writes_nothing(
    backend: str,
    everything: tuple[str, str],
    new_url: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, _ = everything
    target = new_url(OTHER[backend])
    assert run(["--db", target, "add", "film", "Kept"]) == 0
    capsys.readouterr()
    before = dump(target)
    code, out, err = said(capsys, "db", "copy", source, target)
    assert code != 0 and not out
    (line,) = err.splitlines()
    assert line.startswith("screenings: error: TARGET_URL: ")
    assert "already holds a catalogue (1 film)" in line
    assert "copy into an empty database or a new file" in line
    assert dump(target) == before


def test_a_source_or_target_at_another_revision_is_refused_naming_the_upgrade(
    new_url: Callable[[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = new_url("sqlite")
    assert run(["--db", older, "db", "upgrade", "--to", "0008"]) == 0
    current = new_url("sqlite")
    assert run(["--db", current, "add", "film", "Kept"]) == 0
    capsys.readouterr()
    for source, target, side in ((older, new_url("sqlite"), "SOURCE_URL"),
                                 (current, older, "TARGET_URL")):  # fmt: skip
        code, out, err = said(capsys, "db", "copy", source, target)
        assert code != 0 and not out
        (line,) = err.splitlines()
        assert f"{side}: " in line and "is at revision 0008" in line, line
        assert "'screenings --db " in line and " db upgrade'" in line
    missing = tmp_path / "nothing-here.sqlite3"
    code, _, err = said(capsys, "db", "copy", str(missing), new_url("sqlite"))
    assert code != 0 and f"SOURCE_URL: no catalogue at {missing}" in err
    assert not missing.exists()


# -- kill -9 --------------------------------------------------------------------------


LINEUP = ["ID", "Title", "Year", "Director", "Festival", "Venue", "City", "Date", "Time"]


def lineup(path: Path, screenings: int) -> Path:
    """A lineup of ``screenings`` rows: a film for every two, twelve venues, two editions."""
    rows = [
        [f"R{n}", f"Film {n // 2}", "2025", f"Director {n // 20}",
         f"Big Fest {2025 + n % 2}", f"Hall {n % 12}", "Leeds",
         f"{2025 + n % 2}-11-{1 + n % 28:02d}", f"{10 + n % 12}:{(n * 5) % 60:02d}"]
        for n in range(screenings)
    ]  # fmt: skip
    return write_csv(path, rows, LINEUP)


@pytest.fixture(scope="module")
def big_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalogue of 6,000 screenings, made once."""
    folder = tmp_path_factory.mktemp("big")
    url = "sqlite:///" + str(folder / "big.sqlite3")
    csv = lineup(folder / "big.csv", 6000)
    assert run(["--db", url, "import", str(csv), "--timezone", "Europe/London"]) == 0
    return url


def screenings_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "screenings", *args]


def stopped_midway(source: str, target: str, how: signal.Signals) -> int:
    """``screenings db copy SOURCE TARGET``, sent ``how`` once it has written its first
    films; its exit status."""
    copying = subprocess.Popen(
        screenings_command("db", "copy", source, target),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert copying.stderr is not None
        for line in copying.stderr:  # a line per table as it ends, when not a terminal
            if line.startswith("copied film:"):
                copying.send_signal(how)
                break
        copying.communicate(timeout=60)
    finally:
        copying.kill()
        copying.wait(timeout=60)
    return copying.returncode


def test_a_copy_killed_midway_leaves_no_catalogue_rows_and_can_be_run_again(
    backend: str, big_source: str, new_url: Callable[[str], str]
) -> None:
    """Killed (SIGKILL) once it has written its first films. Into PostgreSQL: the target
    holds the schema it made, at the head revision, and no row of the catalogue. Into a
    new SQLite file: there is no file, only the hidden one it was writing, which the next
    copy removes. The same copy then succeeds."""
    target = new_url(backend)
    assert stopped_midway(big_source, target, signal.SIGKILL) == -signal.SIGKILL
    if backend == "sqlite":
        path = Path(target.removeprefix("sqlite:///"))
        assert not path.exists()
        assert [p.name for p in path.parent.glob(f".{path.name}.partial-*")]
    else:
        rows = catalogue_rows(target)
        assert not any(rows.values()), {name: len(found) for name, found in rows.items() if found}
        assert dump(target)["revision"][0][1] == 0  # the fresh catalogue's counter
    assert run(["db", "copy", big_source, target]) == 0
    assert catalogue_rows(target) == catalogue_rows(big_source)
    if backend == "sqlite":
        assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")]


def test_a_copy_stopped_by_sigterm_says_so_and_leaves_nothing(
    big_source: str, tmp_path: Path
) -> None:
    """SIGTERM, as a service manager sends it, is taken as Ctrl-C: one line, exit 130, the
    transaction rolled back and the hidden file removed."""
    target = tmp_path / "stopped.sqlite3"
    copying = subprocess.Popen(
        screenings_command("db", "copy", big_source, str(target)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert copying.stderr is not None
    said = []
    for line in copying.stderr:
        said.append(line)
        if line.startswith("copied film:"):
            copying.send_signal(signal.SIGTERM)
            break
    said += copying.stderr.readlines()
    assert copying.wait(timeout=60) == 130
    assert said[-1] == "screenings: error: interrupted; nothing was written\n"
    assert list(tmp_path.iterdir()) == []


# -- backups --------------------------------------------------------------------------


def writer_holds(url: str) -> bool:
    """Whether an importer holds the catalogue's writing lock now: SQLite's (a second
    BEGIN IMMEDIATE fails at once), or the advisory lock that PostgreSQL imports hold."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            held = connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key"),
                {"key": BULK_WRITER_LOCK},
            ).scalar_one()
        return bool(held)
    finally:
        engine.dispose()


@pytest.fixture
def importing(
    backend: str, new_url: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, subprocess.Popen[str], Dump]]:
    """A catalogue holding the seed story, and an import of 8,000 rows into it under way
    (its writing lock held), with the rows it held before."""
    url = new_url(backend)
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    for command in SEED:
        assert run(["--db", url, *command]) == 0
    before = dump(url)
    csv = lineup(tmp_path / "more.csv", 8000)
    process = subprocess.Popen(
        screenings_command("--db", url, "import", str(csv), "--timezone", "Europe/London"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not writer_holds(url):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        yield url, process, before
    finally:
        process.kill() if process.poll() is None else None
        process.wait(timeout=120)


def test_a_backup_taken_while_an_import_runs_holds_the_catalogue_before_it(
    importing: tuple[str, subprocess.Popen[str], Dump],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The backup is taken while the import holds its transaction: it holds the catalogue
    as it was before, whole; one taken after holds it after. Each is a plain SQLite file in
    rollback-journal mode that passes SQLite's own checks."""
    url, process, before = importing
    during, after = tmp_path / "during.sqlite3", tmp_path / "after.sqlite3"
    code, out, err = said(capsys, "--db", url, "db", "backup", str(during))
    assert process.poll() is None, "the import ended before the backup did: make it longer"
    assert code == 0, err
    assert out.splitlines()[0] == f"backup: {during}"
    assert process.wait(timeout=300) == 0, process.communicate()
    assert run(["--db", url, "db", "backup", str(after)]) == 0
    for path in (during, after):
        check = sqlite3.connect(path)
        try:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert check.execute("PRAGMA foreign_key_check").fetchall() == []
            assert check.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        finally:
            check.close()
    assert dump(f"sqlite:///{during}") == before
    assert dump(f"sqlite:///{after}") == dump(url)
    assert len(dump(url)["screening"]) == len(before["screening"]) + 8000
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial


def test_a_backup_never_overwrites_a_file(
    backend: str, everything: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = everything
    there = tmp_path / "kept.sqlite3"
    there.write_text("mine")
    code, out, err = said(capsys, "--db", url, "db", "backup", str(there))
    assert code != 0 and not out
    assert err.strip() == f"screenings: error: PATH: {there} already exists; name a new file"
    assert there.read_text() == "mine"


# -- restores -------------------------------------------------------------------------


def test_a_restore_is_refused_onto_a_catalogue_unless_replace(
    backend: str,
    everything: tuple[str, str],
    new_url: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Into a new file (written aside, then renamed: nothing else is left in its folder),
    into an empty database; onto one that holds a catalogue only with --replace, which
    bumps its revision counter past both, so a running server's cache sees the change."""
    source, token = everything
    saved = tmp_path / "saved.sqlite3"
    assert run(["--db", source, "db", "backup", str(saved)]) == 0
    restored = tmp_path / "restored" / "catalogue.sqlite3"
    restored.parent.mkdir()
    code, out, err = said(capsys, "db", "restore", str(saved), str(restored))
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"copied {sum(map(len, dump(source).values())):,} rows")
    assert f" to {restored} " in out.splitlines()[-1]
    assert [p.name for p in restored.parent.iterdir()] == ["catalogue.sqlite3"]
    assert dump(f"sqlite:///{restored}") == dump(source)

    target = new_url(backend)
    for number in range(12):  # more films than the backup holds: ids up to 12 spent
        assert run(["--db", target, "add", "film", f"Kept {number}"]) == 0
    capsys.readouterr()
    before = dump(target)
    code, out, err = said(capsys, "db", "restore", str(saved), target)
    assert code != 0 and not out
    (line,) = err.splitlines()
    assert line.startswith("screenings: error: TARGET_URL: ")
    assert line.endswith("or replace it with --replace")
    assert dump(target) == before

    code, out, err = said(capsys, "db", "restore", str(saved), target, "--replace")
    assert code == 0, err
    after = dump(target)
    counter = max(before["revision"][0][1], dump(source)["revision"][0][1]) + 1
    assert after["revision"][0][1] == counter
    assert catalogue_rows(target) == catalogue_rows(source)
    status, _, body = get(FeedApp(Settings(target)), f"/feeds/secret/{token}.ics")
    assert status == 200 and b"BEGIN:VCALENDAR" in body
    # Ids handed out on the target before the restore stay spent: /films/13 on.
    assert run(["--db", target, "add", "film", "After the restore"]) == 0
    spent = max(row[0] for row in before["film"] + dump(source)["film"])
    assert max(row[0] for row in dump(target)["film"]) == spent + 1 >= 13


def test_a_restore_of_a_file_that_is_not_there_is_refused(
    new_url: Callable[[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = new_url("sqlite")
    code, out, err = said(capsys, "db", "restore", str(tmp_path / "gone.sqlite3"), target)
    assert code != 0 and not out
    assert err.strip() == (
        f"screenings: error: PATH: {tmp_path / 'gone.sqlite3'}: no such file; "
        "expected a file 'db backup' wrote"
    )
    assert not Path(target.removeprefix("sqlite:///")).exists()


def test_the_canonical_rows_are_the_same_on_both_backends(
    everything: tuple[str, str], new_url: Callable[[str], str], backend: str
) -> None:
    """The checksums the copy compares are of a form that the two backends give alike: the
    same catalogue on both hashes the same, table by table."""
    from screenings.services.transfer import COPIED, canonical

    source, _ = everything
    copy = new_url(OTHER[backend])
    assert run(["db", "copy", source, copy]) == 0

    def lines(url: str) -> dict[str, list[str]]:
        engine: Engine = create_db_engine(url)
        try:
            with engine.connect() as connection:
                return {
                    table.name: [
                        canonical(table)(row)
                        for row in connection.execute(select(table).order_by(table.c.id))
                    ]
                    for table in COPIED
                }
        finally:
            engine.dispose()

    ours, theirs = lines(source), lines(copy)
    assert ours == theirs
    screening = json.loads(ours["screening"][0])
    assert any(isinstance(v, str) and v.endswith("+00:00") for v in screening)  # instants
    film = json.loads(ours["film"][0])
    assert any(isinstance(v, str) and v.startswith("[") for v in film)  # JSON, as text


def test_each_side_that_is_not_ready_is_named(
    backend: str,
    everything: tuple[str, str],
    new_url: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One line each, naming the argument, nothing written: the same database twice, a
    folder that is not there, a file that is not SQLite, a database of another program."""
    source, _ = everything
    not_sqlite = tmp_path / "lineup.csv"
    not_sqlite.write_text("Title,Year\nThe Defector,2012\n")
    foreign = new_url(OTHER[backend])
    engine = create_db_engine(foreign)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
    finally:
        engine.dispose()
    cases = [
        (source, source, "SOURCE_URL and TARGET_URL are the same database"),
        (source, str(tmp_path / "typo" / "copy.sqlite3"),
         f"TARGET_URL: {tmp_path / 'typo'}: no such folder"),
        (str(not_sqlite), new_url("sqlite"), "SOURCE_URL: "),
        (source, foreign, "TARGET_URL: "),
    ]  # fmt: skip
    for origin, destination, expected in cases:
        code, out, err = said(capsys, "db", "copy", origin, destination)
        assert code != 0 and not out, err
        (line,) = err.splitlines()
        assert line.startswith(f"screenings: error: {expected}"), line
    assert "is not a screenings catalogue" in line and "name an empty database" in line
    assert not (tmp_path / "typo").exists()


def test_an_older_sqlite_catalogue_is_backed_up_as_it_is(
    new_url: Callable[[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup before an upgrade is what a careful user takes: it is not refused."""
    older = new_url("sqlite")
    assert run(["--db", older, "db", "upgrade", "--to", "0006"]) == 0  # before plans
    capsys.readouterr()
    saved = tmp_path / "before-upgrade.sqlite3"
    code, out, err = said(capsys, "--db", older, "db", "backup", str(saved))
    assert code == 0, err
    assert out.splitlines() == [f"backup: {saved}", "1 row of 19 tables"]
    check = sqlite3.connect(saved)
    try:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
    finally:
        check.close()
