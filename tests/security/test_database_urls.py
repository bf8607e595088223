"""Item 4: an empty catalogue must not be published over the real feed.

- An in-memory or empty-path database URL is refused where the settings are read,
  naming the URL: it would be a new, empty catalogue.
- Read-only commands never create a database: a missing SQLite file, or a database
  with no catalogue in it, is one line, with a hint that ``import`` or ``add`` creates one.
- ``export`` with no screenings does not replace a file (or a split's feeds) holding
  some, unless ``--allow-empty``.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect

from screenings.cli import run
from screenings.db import create_db_engine

DATA = Path(__file__).resolve().parents[2] / "data"
Cli = Callable[..., tuple[int, str, str]]


def _run(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capfd.readouterr()
    return code, out, err


@pytest.fixture
def published(tmp_path: Path) -> Path:
    feed = tmp_path / "real.ics"
    feed.write_bytes(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return feed


IN_MEMORY = ["sqlite://", "sqlite:///:memory:", ":memory:", " sqlite:///:memory: "]


@pytest.mark.parametrize("url", IN_MEMORY)
def test_an_in_memory_database_is_refused_naming_the_url(
    url: str, published: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = published.read_bytes()
    code, out, err = _run(capfd, "--db", url, "export", "ics", "-o", str(published))
    assert (code, out) == (2, "")
    assert err == (
        f"screenings: error: --db: {url.strip()!r} is an in-memory database: a new, empty "
        "catalogue, lost when the command ends; expected a path to a SQLite file or "
        "sqlite:///PATH\n"
    )
    assert published.read_bytes() == before


# As SQLAlchemy reads them: the path percent-decoded.
ENCODED_IN_MEMORY = ["sqlite:///%3Amemory%3A", "sqlite:///%3amemory%3a", "sqlite:///%3Amemory:"]


@pytest.mark.parametrize("url", ENCODED_IN_MEMORY)
def test_a_percent_encoded_in_memory_database_is_refused(
    url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    add = ["add", "festival", "Cannes", "--city", "Cannes", "--country", "FR"]
    code, out, err = _run(capfd, "--db", url, *add, "--timezone", "Europe/Paris")
    assert (code, out) == (2, "")  # not "Added festival #1", gone when the command ends
    assert err == (
        f"screenings: error: --db: {url!r} is an in-memory database: a new, empty "
        "catalogue, lost when the command ends; expected a path to a SQLite file or "
        "sqlite:///PATH\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///%20%20", "names no file (an unset variable?); expected sqlite:///PATH"),
        ("sqlite:///fest%00.sqlite3", ": a file name cannot hold a NUL character (%00)"),
        ("sqlite://ann@/fest.sqlite3", "names a host; expected sqlite:///PATH, or "),
        ("sqlite://:8000/fest.sqlite3", "names a host; expected sqlite:///PATH, or "),
    ],
)
def test_a_sqlite_url_is_judged_by_the_file_it_opens(
    url: str,
    message: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capfd, "--db", url, "add", "film", "Something Else")
    assert (code, out) == (2, "")
    assert err.startswith(f"screenings: error: --db: {url!r}") and message in err
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["fest?v=2.sqlite3", "100%.sqlite3", "a%3Fb.sqlite3", "x#y"])
def test_a_path_names_the_very_file_opened(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    assert _run(capfd, "--db", str(path), "add", "film", "Something Else")[0] == 0
    assert [p.name for p in tmp_path.iterdir()] == [name]
    code, out, _ = _run(capfd, "--db", str(path), "list", "films")
    assert code == 0 and "Something Else" in out


@pytest.mark.parametrize("unset", ["", "   "])
def test_an_empty_path_from_an_unset_variable_is_refused(
    unset: str,
    published: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = published.read_bytes()
    # SCREENINGS_DATABASE_URL="sqlite:///$UNSET", as a shell expands it.
    monkeypatch.setenv("SCREENINGS_DATABASE_URL", f"sqlite:///{unset}")
    code, _, err = _run(capfd, "export", "ics", "-o", str(published))
    assert code == 2
    assert err == (
        f"screenings: error: SCREENINGS_DATABASE_URL: {f'sqlite:///{unset}'.strip()!r} names "
        "no file (an unset variable?); expected sqlite:///PATH\n"
    )
    assert published.read_bytes() == before


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "sqlite:///feeds.sqlite3?mode=memory&uri=true",
            "the parameter 'mode' is not supported; a SQLite URL takes only ?immutable=1",
        ),
        (
            "sqlite:///file::memory:?uri=true",
            "the parameter 'uri' is not supported; a SQLite URL takes only ?immutable=1",
        ),
        ("sqlite://localhost/feeds.sqlite3", None),
    ],
)
def test_other_ways_to_an_in_memory_database_are_refused(
    url: str,
    message: str | None,
    published: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = published.read_bytes()
    code, _, err = _run(capfd, "--db", url, "export", "ics", "-o", str(published))
    assert code == 2 and err.startswith(f"screenings: error: --db: {url!r}")
    assert len(err.splitlines()) == 1
    if message is not None:
        assert err.endswith(f"{message}\n")
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.ics"]


def test_a_postgresql_url_that_names_no_database_is_refused(
    postgres_server: object, published: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/"
    code, _, err = _run(capfd, "--db", url, "export", "ics", "-o", str(published))
    assert code == 2 and "names no database" in err and len(err.splitlines()) == 1


def _port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


READERS: list[tuple[str, ...]] = [
    ("list",),
    ("list", "films"),
    ("show", "film", "The Defector"),
    ("check",),
    ("export", "ics"),
    ("export", "json", "-o", "{out}"),
    ("feed", "list"),
    ("db", "stats"),
    ("serve", "--port", "{port}"),
]


def _args(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    return [a.format(out=tmp_path / "out.json", port=_port()) for a in command]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_a_reading_command_never_creates_a_sqlite_file(
    command: tuple[str, ...], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo" / "fest.sqlite3"
    code, out, err = _run(capfd, "--db", str(typo), *_args(command, tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"screenings: error: --db: no catalogue at {typo}; "
        "'screenings import' or 'screenings add' creates one\n"
    )
    assert not typo.parent.exists()
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("command", READERS[:-1], ids=lambda c: " ".join(c[:2]))
def test_a_reading_command_never_creates_a_catalogue_in_an_empty_database(
    command: tuple[str, ...],
    backend: str,
    new_url: Callable[[str], str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    if backend == "sqlite":
        empty = tmp_path / "touched.sqlite3"
        empty.touch()  # `touch typo.sqlite3`, or a file another tool made
        url = f"sqlite:///{empty}"
    else:
        url = new_url(backend)
    engine = create_db_engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    code, out, err = _run(capfd, "--db", url, *_args(command, tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"screenings: error: --db: {shown} holds no catalogue yet; "
        "'screenings import' or 'screenings add' creates one\n"
    )
    if backend == "sqlite":
        assert empty.stat().st_size == 0  # not even a header written
    else:
        assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_the_server_creates_no_catalogue_in_an_empty_database(
    backend: str, new_url: Callable[[str], str], capfd: pytest.CaptureFixture[str]
) -> None:
    url = new_url(backend)
    engine = create_db_engine(url)
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).touch()
    code, out, err = _run(capfd, "--db", url, "serve", "--port", _port())
    assert code != 0 and out == "" and len(err.splitlines()) == 1
    if backend == "sqlite":
        assert Path(url.removeprefix("sqlite:///")).stat().st_size == 0
    else:
        assert inspect(engine).get_table_names() == []
    engine.dispose()


# --- A --db that names something that is not a regular file ---------------------------


def _node(tmp_path: Path, kind: str) -> Path:
    """A FIFO, or a character device (/dev/null's twin, made in the test's folder as root;
    else the real /dev/null, which an unprivileged user cannot harm)."""
    if kind == "fifo":
        os.mkfifo(tmp_path / "fest.sqlite3")
        return tmp_path / "fest.sqlite3"
    if os.geteuid() != 0:
        return Path("/dev/null")
    os.mknod(tmp_path / "fest.sqlite3", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return tmp_path / "fest.sqlite3"


@pytest.mark.parametrize("kind", ["fifo", "character device"])
@pytest.mark.parametrize(
    "command",
    [
        ("list",),
        ("add", "film", "Something Else"),
        ("db", "current"),
        ("db", "upgrade"),
        ("serve", "--port", "1"),
    ],
    ids=" ".join,
)
def test_a_database_that_is_not_a_regular_file_is_refused_in_one_line(
    kind: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    node = _node(tmp_path, kind)
    before = node.stat()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "screenings", "--db", str(node), *command],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} on a {kind} did not end in 60 s")
    what = "a FIFO" if kind == "fifo" else "a character device"
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"screenings: error: --db: {node} is {what}; expected a SQLite file\n"
    after = node.stat()
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )
    assert sorted(p.name for p in node.parent.iterdir() if p.name.startswith(node.name)) == [
        node.name
    ]


@pytest.mark.parametrize("kind", ["fifo", "character device"])
def test_the_wsgi_application_on_such_a_database_answers_503_and_logs_why(
    kind: str, tmp_path: Path
) -> None:
    from screenings.config import load_settings
    from screenings.web import FeedApp

    node = _node(tmp_path, kind)
    app = FeedApp(load_settings(str(node), environ={}))
    log = io.StringIO()
    answered: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/feeds/all.ics", "wsgi.errors": log}
    body = b"".join(app(environ, lambda status, headers: answered.append(status)))
    assert (answered, body) == (["503 Service Unavailable"], b"the catalogue is unavailable\n")
    what = "a FIFO" if kind == "fifo" else "a character device"
    assert log.getvalue() == f"screenings: --db: {node} is {what}; expected a SQLite file\n"


# --- An export of nothing over a published feed ----------------------------------------


@pytest.fixture
def cli(
    backend: str,
    new_url: Callable[[str], str],
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """The command line on a catalogue holding the seed data."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)

    def call(*args: str) -> tuple[int, str, str]:
        return _run(capfd, "--db", url, *args)

    for name in ("lineup.csv", "awards.csv"):
        code, _, err = call("import", str(DATA / name))
        assert code == 0, err
    return call


NOTHING = ("--festival", "Hot Docs", "--in", "1999")  # a filter that matches no screening


@pytest.mark.parametrize("fmt", ["ics", "json", "csv"])
def test_an_export_of_nothing_does_not_replace_a_file_holding_screenings(
    fmt: str, cli: Cli, tmp_path: Path
) -> None:
    published = tmp_path / f"hot-docs.{fmt}"
    assert cli("export", fmt, "--festival", "Hot Docs", "-o", str(published))[0] == 0
    before = published.read_bytes()
    code, _, err = cli("export", fmt, *NOTHING, "-o", str(published))
    assert code == 2
    assert err.endswith(
        f"screenings: error: --output: {published} holds screenings, and this export has "
        "none; it is left as it was (--allow-empty replaces it)\n"
    )
    assert published.read_bytes() == before

    code, _, err = cli("export", fmt, *NOTHING, "-o", str(published), "--allow-empty")
    assert code == 0, err
    emptied = published.read_bytes()
    assert emptied != before
    # It holds none now: the same export again needs no --allow-empty.
    assert cli("export", fmt, *NOTHING, "-o", str(published))[0] == 0
    assert published.read_bytes() == emptied


def test_an_export_of_nothing_replaces_an_empty_feed_or_an_empty_file(
    cli: Cli, tmp_path: Path
) -> None:
    published = tmp_path / "empty.ics"
    published.touch()
    assert cli("export", "ics", *NOTHING, "-o", str(published))[0] == 0
    assert b"BEGIN:VEVENT" not in published.read_bytes()
    assert cli("export", "ics", *NOTHING, "--title", "Nothing", "-o", str(published))[0] == 0
    assert b"Nothing" in published.read_bytes()


def test_anything_but_an_export_of_nothing_counts_as_holding_screenings(
    cli: Cli, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps({"version": 1, "screenings": [{"id": 1}]}))
    assert cli("export", "json", *NOTHING, "-o", str(notes))[0] == 2
    notes.write_text("not an export at all")
    assert cli("export", "json", *NOTHING, "-o", str(notes))[0] == 2
    assert notes.read_text() == "not an export at all"


def test_a_split_of_nothing_leaves_the_published_feeds_alone(cli: Cli, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    split = ("export", "ics", "--split-by", "festival", "--out-dir", str(feeds))
    assert cli(*split)[0] == 0
    before = {p.name: p.read_bytes() for p in feeds.iterdir()}
    assert "hot-docs.ics" in before
    code, _, err = cli(*split, "--in", "1999")
    assert code == 2
    assert err.endswith(
        f"screenings: error: --out-dir: {feeds / 'index.json'} lists 1 feed(s), and this "
        "split has no events; nothing was changed (--allow-empty publishes it)\n"
    )
    assert {p.name: p.read_bytes() for p in feeds.iterdir()} == before
    code, _, err = cli(*split, "--in", "1999", "--allow-empty")
    assert code == 0, err
    index = json.loads((feeds / "index.json").read_text())
    assert [feed["file"] for feed in index["feeds"] if feed["file"]] == []


def test_a_mistyped_database_never_reaches_the_published_feed(
    published: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = published.read_bytes()
    typo = tmp_path / "typo.sqlite3"
    code, _, err = _run(capfd, "--db", str(typo), "export", "ics", "-o", str(published))
    assert code == 2 and f"no catalogue at {typo}" in err
    assert not typo.exists() and published.read_bytes() == before
    # Created by a command that writes, it is empty: the feed is still not replaced.
    assert _run(capfd, "--db", str(typo), "add", "film", "Something Else")[0] == 0
    code, _, err = _run(capfd, "--db", str(typo), "export", "ics", "-o", str(published))
    assert code == 2 and "holds screenings, and this export has none" in err
    assert published.read_bytes() == before
    assert os.path.exists(typo)
