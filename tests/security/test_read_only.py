"""Item 7: a catalogue where its reader cannot write.

``list``, ``show``, ``check``, ``export``, ``feed list``, ``db stats`` and ``serve`` read
it, opening the file read-only; writes fail with one line saying why; a catalogue at an
older revision is refused, saying it must be upgraded where it can be written;
``--immutable`` (or ``?immutable=1``) is the user's word that nothing writes to the file,
never assumed, and ``serve`` without it notices a replaced file.

Tested as an unprivileged user in a folder it cannot write: as root (which CI is, and
which can write into any folder), each command runs under ``setpriv --reuid=65534
--regid=65534 --clear-groups``; as any other user, a 555 folder is enough. The tests
skip, with the reason, only where neither works. On PostgreSQL, the place is a database
whose transactions are read-only (a hot standby answers the same way).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from screenings.cli import run
from screenings.db import create_db_engine
from screenings.migrate import HEAD_REVISION, KNOWN_REVISIONS, downgrade_schema

DATA = Path(__file__).resolve().parents[2] / "data"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
ENV = {**os.environ, "SCREENINGS_TIMEZONE": "Europe/London"}
Ran = tuple[int, str, str]


def _unprivileged() -> list[str]:
    """The command prefix that runs as a user who cannot write a 555 folder."""
    prefix = NOBODY if os.geteuid() == 0 else []
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: no unprivileged user to test as")
    try:
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", "import screenings.cli"],
            capture_output=True,
            text=True,
            check=False,
        )
        problem = probe.stderr.strip()[-200:] if probe.returncode else None
    except OSError as exc:
        problem = str(exc)
    if problem is not None:
        who = "user 65534" if prefix else "this user"
        pytest.skip(f"{who} cannot run {sys.executable}: {problem}")
    return prefix


@pytest.fixture(scope="module")
def as_nobody() -> list[str]:
    return _unprivileged()


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A folder any user can enter (pytest's own are its owner's alone), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="screenings-read-only-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def _seeded(path: Path, *more: str) -> Path:
    url = f"sqlite:///{path}"
    for name in ("lineup.csv", "awards.csv"):
        assert run(["--db", url, "import", str(DATA / name)]) == 0
    if more:
        assert run(["--db", url, *more]) == 0
    return path


@dataclass
class Place:
    """A SQLite catalogue in a folder the reader cannot write, and a folder it can."""

    catalogue: Path
    out: Path
    prefix: list[str]

    def read(self, *args: str, db: str | None = None) -> Ran:
        database = db or str(self.catalogue)
        done = subprocess.run(
            [*self.prefix, sys.executable, "-m", "screenings", "--db", database, *args],
            capture_output=True,
            text=True,
            check=False,
            env=ENV,
            cwd=self.out,
            timeout=120,
        )
        return done.returncode, done.stdout, done.stderr

    def files(self) -> list[str]:
        return sorted(p.name for p in self.catalogue.parent.iterdir())


@pytest.fixture
def place(shared: Path, as_nobody: list[str], monkeypatch: pytest.MonkeyPatch) -> Place:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    folder = shared / "published"
    folder.mkdir()
    catalogue = _seeded(folder / "catalogue.sqlite3")
    catalogue.chmod(0o644)
    folder.chmod(0o555)
    out = shared / "out"
    out.mkdir()
    out.chmod(0o777)
    return Place(catalogue, out, as_nobody)


READING = [
    ("list",),
    ("list", "films", "--format", "json"),
    ("show", "film", "The Defector"),
    ("check",),
    ("export", "ics"),
    ("export", "json", "-o", "screenings.json"),
    ("export", "ics", "--split-by", "festival", "--out-dir", "feeds"),
    ("feed", "list"),
    ("db", "stats"),
    ("db", "current"),
]


def test_reading_commands_work_where_the_reader_cannot_write(place: Place) -> None:
    before = place.catalogue.read_bytes()
    for command in READING:
        code, _, err = place.read(*command)
        assert code == 0, (command, err)
        assert "error" not in err, command
    assert "The Defector" in place.read("list")[1]
    assert (place.out / "feeds" / "hot-docs.ics").exists()
    # Read as it is: nothing beside it, nothing in it changed.
    assert place.files() == ["catalogue.sqlite3"]
    assert place.catalogue.read_bytes() == before


def test_what_is_read_there_is_what_its_owner_reads(
    place: Place, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(place.catalogue), "export", "json"]) == 0
    owners = capfd.readouterr().out
    code, out, err = place.read("export", "json")
    assert (code, out) == (0, owners), err


WRITING = [
    ("add", "film", "Another Film"),
    ("import", str(DATA / "lineup.csv")),
    ("import", str(DATA / "lineup.csv"), "--dry-run"),
    ("edit", "film", "The Defector", "--runtime", "95"),
    ("cancel", "screening", "1"),
    ("feed", "create", "jury"),
    ("db", "upgrade"),
    ("db", "retime"),
]


def test_writes_there_fail_with_one_line_saying_why(place: Place) -> None:
    before = place.catalogue.read_bytes()
    folder = place.catalogue.parent
    why = {
        0o644: "the file is read-only for this user",  # its owner's, as published
        0o666: f"its folder {folder} cannot be written by this user (SQLite keeps a journal "
        "beside the file)",
    }
    for mode, reason in why.items():
        place.catalogue.chmod(mode)
        for command in WRITING:
            code, out, err = place.read(*command)
            assert (code, out) == (2, ""), (command, err)
            assert err == (
                f"screenings: error: --db: cannot write {place.catalogue}: {reason}\n"
            ), command
    assert place.files() == ["catalogue.sqlite3"]
    assert place.catalogue.read_bytes() == before


def test_a_read_only_file_in_a_writable_folder_is_said_so(place: Place) -> None:
    folder = place.catalogue.parent
    folder.chmod(0o777)
    place.catalogue.chmod(0o444)
    code, _, err = place.read("add", "film", "Another Film")
    assert code == 2
    assert err == (
        f"screenings: error: --db: cannot write {place.catalogue}: "
        "the file is read-only for this user\n"
    )
    assert place.read("list")[0] == 0
    assert place.files() == ["catalogue.sqlite3"]


def test_an_older_catalogue_there_is_refused_saying_where_to_upgrade(place: Place) -> None:
    folder = place.catalogue.parent
    folder.chmod(0o755)
    older = KNOWN_REVISIONS[-2]
    engine = create_db_engine(f"sqlite:///{place.catalogue}")
    downgrade_schema(engine, older)
    engine.dispose()
    for backup in folder.glob("*.bak"):
        backup.unlink()
    folder.chmod(0o555)
    said = (
        f"screenings: error: sqlite:///{place.catalogue} is at revision {older}, older than "
        f"this version's {HEAD_REVISION}, and cannot be upgraded here (the file is read-only "
        "for this user): upgrade it where it can be written ('screenings db upgrade')\n"
    )
    for command in (("list",), ("export", "ics"), ("serve", "--port", str(_free_port()))):
        assert place.read(*command)[::2] == (6, said), command
    assert place.files() == ["catalogue.sqlite3"]
    # Where it can be written, the first reading command upgrades it (after a backup).
    assert run(["--db", str(place.catalogue), "list"]) == 0
    assert place.read("list")[0] == 0


def _leave_in_wal_mode(path: Path) -> None:
    """As an earlier version left every catalogue: WAL set in the file, no -shm beside it."""
    folder = path.parent
    mode = folder.stat().st_mode
    folder.chmod(0o755)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    connection.close()
    folder.chmod(mode)
    assert not path.with_name(path.name + "-shm").exists()


def test_immutable_is_said_by_the_user_never_guessed(place: Place) -> None:
    _leave_in_wal_mode(place.catalogue)
    # SQLite cannot read it here without being told: refused, saying what would do.
    code, out, err = place.read("list")
    assert (code, out) == (7, "")
    assert err == (
        f"screenings: error: --db: {place.catalogue} was left in WAL mode, and SQLite can "
        f"read it only by making {place.catalogue.name}-shm beside it, which cannot be done "
        "here: run any command that writes (such as 'screenings db upgrade') on it once "
        "where it can be written, or give --immutable if nothing writes to it\n"
    )
    for option, db in (("--immutable",), None), ((), f"sqlite:///{place.catalogue}?immutable=1"):
        code, out, err = place.read(*option, "list", db=db)
        assert code == 0, err
        assert "The Defector" in out
    assert place.files() == ["catalogue.sqlite3"]


def test_a_command_that_writes_refuses_immutable_anywhere(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    catalogue = _seeded(tmp_path / "c.sqlite3")
    capfd.readouterr()
    assert run(["--db", str(catalogue), "--immutable", "add", "film", "Another Film"]) == 2
    assert capfd.readouterr().err == (
        "screenings: error: --immutable: the catalogue is declared immutable (nothing writes "
        "to it), and this command writes; leave immutable out to write\n"
    )
    url = f"sqlite:///{catalogue}?immutable=1"
    assert run(["--db", url, "import", str(DATA / "lineup.csv")]) == 2
    assert capfd.readouterr().err.startswith("screenings: error: --db: the catalogue is declared")
    assert run(["--db", url, "list", "films"]) == 0


def test_a_catalogue_at_rest_is_out_of_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mechanism: a writer leaves the file in rollback-journal mode when it is the
    last out, so that SQLite reads it anywhere."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    catalogue = _seeded(tmp_path / "c.sqlite3", "add", "film", "Another Film")
    with sqlite3.connect(catalogue) as probe:
        assert probe.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    probe.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3"]


# --- Readers and writers of one file ---------------------------------------------------

# Holds a read transaction on the catalogue, through the reading engine an export uses,
# until its standard input closes.
HOLDER = """
import sys
from sqlalchemy import text
from screenings.db import create_db_engine, unit_of_work
engine = create_db_engine(f"sqlite:///{sys.argv[1]}", read_only=True)
with unit_of_work(engine, write=False) as session:
    session.execute(text("SELECT count(*) FROM screening")).scalar()
    print("holding", flush=True)
    sys.stdin.read()
engine.dispose()
"""


@dataclass
class LongReader:
    """Another process in a read transaction on a catalogue at rest (a long export)."""

    catalogue: Path
    process: subprocess.Popen[str]

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=60)


@pytest.fixture
def long_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LongReader]:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    catalogue = _seeded(tmp_path / "c.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(catalogue)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    reader = LongReader(catalogue, process)
    try:
        assert process.stdout is not None and process.stdout.readline() == "holding\n"
        yield reader
    finally:
        reader.release()


def _read_revision(catalogue: Path, wait_ms: int) -> None:
    """One short read transaction, as the feed server makes for each request."""
    reader = sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True, isolation_level=None)
    try:
        reader.execute(f"PRAGMA busy_timeout = {wait_ms}")
        reader.execute("BEGIN")
        reader.execute("SELECT counter FROM revision").fetchone()
        reader.execute("ROLLBACK")
    finally:
        reader.close()


def test_a_writer_waiting_for_a_long_reader_holds_no_other_reader_up(
    long_reader: LongReader,
) -> None:
    """A writer on a file at rest waits for the reads under way to end, to switch it to
    WAL mode; readers that come meanwhile (the feed server's requests) are let in between
    its turns, not held up until the long reader is done."""
    catalogue = long_reader.catalogue
    add = ["add", "film", "Written While Read"]
    writer = subprocess.Popen(
        [sys.executable, "-m", "screenings", "--db", str(catalogue), *add],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        for _ in range(40):  # a reader now and then, for as long as the writer waits
            # Its turns are 50 ms; a writer that kept the PENDING lock while it waited
            # would keep this reader out past its 2 s: "database is locked".
            _read_revision(catalogue, wait_ms=2000)
            time.sleep(0.1)
        assert writer.poll() is None  # it waits: the long reader has not let go
        long_reader.release()
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.communicate()
    assert (writer.returncode, err) == (0, "")
    assert out.startswith("Added film #")


def test_a_writer_that_never_finds_the_file_free_gives_up_in_one_line(
    long_reader: LongReader,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from screenings import db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 1)
    catalogue = long_reader.catalogue
    capfd.readouterr()
    assert run(["--db", str(catalogue), "add", "film", "Written While Read"]) == 7
    out, err = capfd.readouterr()
    assert out == ""
    assert err == (
        f"screenings: error: sqlite:///{catalogue}: busy: it was being read all along for "
        "1 s (a long export?), and a writer needs it to itself for a moment first, to "
        "switch it to WAL mode; try again when the reading is done\n"
    )
    long_reader.release()
    assert run(["--db", str(catalogue), "list", "films", "--format", "json"]) == 0
    assert "Written While Read" not in capfd.readouterr().out


# --- The feed server ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.fixture
def serving(place: Place) -> Iterator[tuple[Place, int]]:
    port = _free_port()
    serve = ("serve", "--port", str(port), "--workers", "1")
    process = subprocess.Popen(
        [*place.prefix, sys.executable, "-m", "screenings", "--db", str(place.catalogue), *serve],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=place.out,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server stopped: {process.communicate()}")
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield place, port
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_server_serves_it_and_notices_a_replaced_file(
    serving: tuple[Place, int], shared: Path
) -> None:
    place, port = serving
    status, body = _get(port, "/feeds/all.ics")
    assert status == 200 and b"The Defector" in body and b"Mothers" not in body
    # A new catalogue put in its place, as a publisher does (root can write the folder).
    staging = shared / "staging"
    staging.mkdir()
    _seeded(
        staging / "catalogue.sqlite3",
        *("add", "screening", "Mothers", "--on", "2013-06-15", "--at", "18:00"),
        *("--city", "Sheffield", "--timezone", "Europe/London"),
    )
    (staging / "catalogue.sqlite3").chmod(0o644)
    os.replace(staging / "catalogue.sqlite3", place.catalogue)
    status, body = _get(port, "/feeds/all.ics")
    assert status == 200 and b"Mothers" in body
    assert place.files() == ["catalogue.sqlite3"]


# --- PostgreSQL: a database whose transactions are read-only -----------------------------


@pytest.fixture
def read_only_database(
    postgres_server: object, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url("postgresql")
    for name in ("lineup.csv", "awards.csv"):
        assert run(["--db", url, "import", str(DATA / name)]) == 0
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    yield url
    admin.dispose()


def test_on_postgresql_reading_works_and_writes_fail_with_one_line(
    read_only_database: str,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = read_only_database
    monkeypatch.chdir(tmp_path)  # the exports' files
    for command in READING[:-2]:
        assert run(["--db", url, *command]) == 0, command
    # The seed is imported already: importing it again has nothing to write, and does not
    # fail; the same file with one note changed has something.
    assert run(["--db", url, "import", str(DATA / "lineup.csv")]) == 0
    changed = tmp_path / "lineup.csv"
    seed = (DATA / "lineup.csv").read_text(encoding="utf-8")
    changed.write_text(seed.replace("Reported only", "Reported"), encoding="utf-8")
    capfd.readouterr()
    writing = [c for c in WRITING if "--dry-run" not in c and c[0] != "db"]
    for command in [("import", str(changed)) if c[0] == "import" else c for c in writing]:
        assert run(["--db", url, *command]) == 7, command
        err = capfd.readouterr().err
        assert len(err.splitlines()) == 1 and "read-only transaction" in err, (command, err)
