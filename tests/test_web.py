"""``screenings serve``: real HTTP against a real server process on 127.0.0.1, on SQLite
and PostgreSQL."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select, text

from screenings import tables
from screenings.cli import run
from screenings.db import create_db_engine
from screenings.migrate import upgrade_schema
from tests.conftest import BACKENDS
from tests.icalcheck import ical_check
from tests.test_import import ROWS, write_csv

DATA = Path(__file__).resolve().parents[1] / "data"
Response = tuple[int, dict[str, str], bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(port: int, path: str, method: str = "GET", **headers: str) -> Response:
    """One request on a new connection (so that any worker may answer it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def cli(url: str, *args: str) -> int:
    return run(["--db", url, *args])


class Server:
    def __init__(self, url: str, port: int, process: subprocess.Popen[str]) -> None:
        self.url, self.port, self.process = url, port, process

    def get(self, path: str, method: str = "GET", **headers: str) -> Response:
        return request(self.port, path, method, **headers)


def start(url: str, *extra: str, port: int | None = None) -> Server:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "screenings", "--db", url, "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SCREENINGS_TIMEZONE": "Europe/London", "SCREENINGS_WORKER_HEADER": "1"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.communicate()}")
        try:
            if request(port, "/healthz")[0] == 200:
                return Server(url, port, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not answer within 30 s")


def with_seed(url: str) -> str:
    """``url``, its database holding the seed story (``data/``)."""
    for name in ("lineup.csv", "awards.csv"):
        assert cli(url, "import", str(DATA / name)) == 0
    return url


@pytest.fixture
def url(seed_url: str) -> str:
    return seed_url


@pytest.fixture
def server(url: str, tmp_path: Path) -> Iterator[Server]:
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    started = start(url, "--workers", "2", "--threads", "2")
    yield started
    stop(started)


@pytest.fixture(scope="module", params=BACKENDS)
def reader(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server as ``server`` makes it, one per database for the tests of this module
    that only read (their requests change nothing it serves); a test that writes, or
    that might harm its server, takes a ``server`` of its own."""
    folder = tmp_path_factory.mktemp("served")
    if request.param == "sqlite":
        made = "sqlite:///" + str(folder / "catalogue.sqlite3")
    else:
        made = request.getfixturevalue("postgres_server").new_database()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
        with_seed(made)
        assert cli(made, "import", str(write_csv(folder / "sheffield.csv", ROWS))) == 0
    started = start(made, "--workers", "2", "--threads", "2")
    yield started
    stop(started)


def stop(server: Server) -> None:
    """Stop a test's server at once (gunicorn's quick shutdown, SIGINT): a graceful stop
    waits a second or more for its workers, and the graceful stop is not under test."""
    server.process.send_signal(signal.SIGINT)
    server.process.communicate(timeout=30)


def revision(url: str) -> int:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        counter = connection.execute(select(tables.revision.c.counter)).scalar_one()
    engine.dispose()
    return int(counter)


FEEDS = [
    "/feeds/all.ics",
    "/feeds/festivals/hot-docs.ics",
    "/feeds/festivals/sheffield-doc-fest.ics",
    "/feeds/editions/sheffield-doc-fest-2013.ics",
    "/feeds/venues/showroom-cinema.ics",
    "/feeds/films/the-defector-escape-from-north-korea-2012.ics",
    "/feeds/people/ann-shin.ics",
    "/feeds/people/joshua-oppenheimer.ics?role=director",
    "/feeds/festivals/sheffield-doc-fest.ics?from=2013-06-14&to=2013-06-14&cancelled=omit",
    "/feeds/all.ics?section=Competition&kind=regular",
]


def test_every_feed_route_serves_a_valid_calendar(
    reader: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = reader
    paths = []
    for number, path in enumerate(FEEDS):
        status, headers, body = server.get(path)
        assert (status, headers["content-type"]) == (200, "text/calendar; charset=utf-8"), path
        assert headers["cache-control"] == "public, max-age=300"
        assert headers["vary"] == "Accept-Encoding" and headers["etag"].startswith('"')
        file = tmp_path / f"feed{number}.ics"
        file.write_bytes(body)
        paths.append(file)
    code, report = ical_check(*paths)
    assert code == 0, report
    # What each feed holds.
    summaries = {
        path: sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(p.read_bytes()).walk("VEVENT"))
        for path, p in zip(FEEDS, paths, strict=True)
    }
    assert summaries["/feeds/festivals/hot-docs.ics"] == ["The Defector: Escape from North Korea"]
    assert summaries["/feeds/people/joshua-oppenheimer.ics?role=director"] == ["The Act of Killing"]
    assert summaries[FEEDS[8]] == ["The Act of Killing", "The Defector"]
    assert summaries[FEEDS[9]] == ["Mothers", "The Act of Killing"]
    # The private screening for MPs is in no feed (DESIGN.md, invariant 8).
    for path in FEEDS:
        assert all("private" not in s for s in summaries[path]), path
    # .json is the contract of `list`.
    status, headers, body = server.get("/feeds/all.json")
    assert (status, headers["content-type"]) == (200, "application/json; charset=utf-8")
    assert cli(server.url, "list", "--format", "json") == 0
    assert body.decode() == capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "method", "status", "message"),
    [
        ("/feeds/festivals/cannes.ics", "GET", 404, "no festival with the address 'cannes'"),
        ("/feeds/cinemas/x.ics", "GET", 404, "no such page: /feeds/cinemas/x.ics"),
        ("/feeds/", "POST", 405, "only GET and HEAD"),
        ("/feeds/all.ics?colour=red", "GET", 400, "colour: unknown parameter; expected one of"),
        ("/feeds/all.ics?from=someday", "GET", 400, "from: cannot read 'someday'"),
        ("/feeds/all.ics?cancelled=maybe", "GET", 400, "cancelled: expected one of mark, omit"),
        ("/feeds/all.ics?section=a&section=b", "GET", 400, "section: given 2 times"),
        ("/feeds/festivals/idfa.ics?role=director", "GET", 400, "role: only for /feeds/people"),
        ("/feeds/all.ics?in=2013&from=2013-05-01", "GET", 400, "in: give a span with in"),
        ("/feeds/all.ics?on=2013-04-27&to=2013-05-01", "GET", 400, "on: give a single day"),
        ("/feeds/all.ics?city=%ff", "GET", 400, "query: not UTF-8 text"),
        (
            "/feeds/all.ics?status=bogus",
            "GET",
            400,
            "status: expected one of scheduled, tentative, postponed, cancelled, got 'bogus'",
        ),
        ("/feeds/all.ics?kind=%00", "GET", 400, "kind: holds a control character"),
        ("/feeds?x=1", "GET", 400, "/feeds takes no parameters"),
        ("/healthz?x=1", "GET", 400, "/healthz takes no parameters"),
        ("/feeds/caf%C3%A9.ics", "GET", 404, "no such page: /feeds/café.ics"),
        ("/feeds/all.ics", "POST", 405, "only GET and HEAD"),
        ("/feeds/all.ics", "DELETE", 405, "only GET and HEAD"),
    ],
)
def test_mistakes_get_a_status_and_a_line(
    reader: Server, path: str, method: str, status: int, message: str
) -> None:
    got, headers, body = reader.get(path, method)
    assert got == status and message in body.decode() and body.count(b"\n") == 1
    assert not body.startswith(b"--")
    assert b"Traceback" not in body
    if status == 405:
        assert headers["allow"] == "GET, HEAD"


def test_validators_gzip_and_head(reader: Server) -> None:
    server = reader
    path = "/feeds/festivals/sheffield-doc-fest.ics"
    time.sleep(1.1)  # Last-Modified is sent once the last change is a second old
    status, headers, body = server.get(path)
    etag, modified = headers["etag"], headers["last-modified"]
    assert server.get(path, If_None_Match=etag)[:1] == (304,)
    status, headers304, body304 = server.get(path, If_None_Match=f'W/{etag}, "other"')
    assert (status, body304) == (304, b"") and headers304["etag"] == etag
    assert "content-length" not in headers304  # not the 200's length, so none
    assert server.get(path, If_Modified_Since=modified)[0] == 304
    assert server.get(path, If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")[0] == 200
    assert server.get(path, If_Modified_Since="Fri, 01 Jan 2100 00:00:00 GMT")[0] == 200
    # gzip: its own representation, with its own ETag.
    status, zipped_headers, zipped = server.get(path, Accept_Encoding="gzip, deflate")
    assert zipped_headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == body
    assert zipped_headers["etag"] != etag and zipped_headers["etag"].endswith('-gzip"')
    assert server.get(path, Accept_Encoding="gzip", If_None_Match=etag)[0] == 200
    assert server.get(path, Accept_Encoding="gzip", If_None_Match=zipped_headers["etag"])[0] == 304
    assert "content-encoding" not in server.get(path, Accept_Encoding="gzip;q=0")[1]
    assert "content-encoding" not in server.get(path, Accept_Encoding="GZIP; Q=0")[1]
    assert server.get(path, Accept_Encoding="*;q=0, gzip")[1]["content-encoding"] == "gzip"
    assert server.get(path, Accept_Encoding="br, *")[1]["content-encoding"] == "gzip"
    # HEAD: the headers of GET, no body.
    status, head_headers, head_body = server.get(path, "HEAD")
    assert (status, head_body) == (200, b"")
    assert head_headers["content-length"] == str(len(body)) and head_headers["etag"] == etag


def _from_every_worker(server: Server, path: str, workers: int = 2) -> list[Response]:
    """Answers to ``path`` until each of the server's workers has given one (in parallel,
    so that the master hands requests to all of them)."""
    from concurrent.futures import ThreadPoolExecutor

    answers: list[Response] = []
    with ThreadPoolExecutor(8) as pool:
        for _ in range(20):
            answers += pool.map(lambda _: server.get(path), range(16))
            if len({a[1]["x-screenings-worker"] for a in answers}) >= workers:
                return answers
    raise AssertionError("not every worker answered")


def test_an_edit_reaches_every_worker_on_the_next_request(server: Server) -> None:
    path = "/feeds/festivals/sheffield-doc-fest.ics"
    warm = _from_every_worker(server, path)  # every worker renders and caches the feed
    old_etag = warm[-1][1]["etag"]
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(warm[-1][2]).walk("VEVENT")}
    old_sequence = int(events["Mothers"]["SEQUENCE"])
    before = revision(server.url)
    assert cli(server.url, "edit", "film", "Mothers", "--runtime", "95") == 0
    assert revision(server.url) == before + 1
    for status, headers, body in _from_every_worker(server, path):
        assert status == 200 and headers["etag"] != old_etag
        events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
        assert int(events["Mothers"]["SEQUENCE"]) == old_sequence + 1
    # The server only reads: the counter is where the edit left it.
    assert revision(server.url) == before + 1


def test_more_threads_than_connections_never_starve(url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    running = start(url, "--workers", "1", "--threads", "24")
    try:
        paths = [f"/feeds/all.ics?section=s{n}" for n in range(48)]  # 48 cache misses
        with ThreadPoolExecutor(48) as pool:
            statuses = [answer[0] for answer in pool.map(running.get, paths)]
        assert statuses == [200] * 48
    finally:
        stop(running)


def test_a_film_known_only_from_private_screenings_is_named_nowhere(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(server.url, "add", "film", "Closed Session", "--year", "2013") == 0
    assert cli(server.url, "add", "screening", "Closed Session", "--on", "2013-06-20",
               "--city", "London", "--timezone", "Europe/London", "--private") == 0  # fmt: skip
    capsys.readouterr()
    status, _, body = server.get("/feeds")
    assert status == 200 and b"Closed Session" not in body and b"closed-session" not in body
    assert server.get("/feeds/films/closed-session-2013.ics")[0] == 404
    assert server.get("/feeds/films/closed-session-2013.json")[0] == 404


def test_the_feed_index_and_the_health_check(reader: Server) -> None:
    status, _, body = reader.get("/feeds")
    index = json.loads(body)
    assert status == 200 and index["all"] == f"http://127.0.0.1:{reader.port}/feeds/all.ics"
    assert {e["title"] for e in index["festivals"]} >= {"Hot Docs", "Sheffield Doc/Fest"}
    assert reader.get("/healthz")[:1] == (200,)


def test_the_server_refuses_what_it_cannot_serve(
    backend: str, new_url: Callable[[str], str], tmp_path: Path
) -> None:
    old = new_url(backend)
    engine = create_db_engine(old)
    upgrade_schema(engine, "0001")
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "screenings", "--db", old, "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 6 and "run 'screenings db upgrade'" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    missing = tmp_path / "missing.sqlite3"
    assert run(["--db", str(missing), "serve"]) == 2 and not missing.exists()


def test_a_port_in_use_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.sqlite3")
    assert run(["--db", db, "db", "upgrade"]) == 0
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        capsys.readouterr()
        assert run(["--db", db, "serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err.startswith(
        f"screenings: error: --port: cannot listen on 127.0.0.1:{port}"
    )


def test_a_command_that_writes_bumps_the_revision_and_one_that_changes_nothing_does_not(
    url: str, tmp_path: Path
) -> None:
    start_at = revision(url)
    assert cli(url, "list") == 0 and cli(url, "export", "ics", "-o", str(tmp_path / "a.ics")) == 0
    assert revision(url) == start_at
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0  # bulk path
    assert revision(url) == start_at + 1
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS)), "--dry-run") == 0
    assert revision(url) == start_at + 1
    assert cli(url, "add", "person", "Nick Broomfield") == 0
    assert revision(url) == start_at + 2
    assert cli(url, "add", "person", "Nick Broomfield") != 0  # refused: nothing written
    # Nothing to do (tests/test_nothing_changed.py has every such command): nothing written,
    # every server's cache stays warm.
    assert cli(url, "db", "retime") == 0
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    assert cli(url, "edit", "person", "Nick Broomfield", "--name", "Nick Broomfield") == 0
    assert revision(url) == start_at + 2


def test_the_server_runs_on_a_read_only_database(
    postgres_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A read-only replica refuses every write: the server must need none.
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    made = postgres_server.new_database()
    assert cli(made, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    name = made.rsplit("/", 1)[1]
    with postgres_server.admin.connect() as admin:
        admin.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    read_only = start(made, "--workers", "1")
    try:
        for path in ("/feeds/all.ics", "/feeds/festivals/sheffield-doc-fest.json", "/feeds"):
            assert read_only.get(path)[0] == 200, path
        assert cli(made, "edit", "film", "Mothers", "--runtime", "95") != 0  # it is read-only
    finally:
        stop(read_only)


def test_a_change_within_a_second_never_shares_a_last_modified(server: Server) -> None:
    path = "/feeds/editions/sheffield-doc-fest-2013.ics"
    assert cli(server.url, "edit", "film", "Mothers", "--runtime", "96") == 0
    status, headers, body = server.get(path)
    # Not a second old: no Last-Modified yet, so no client can send it back. (On a machine
    # loaded enough that the answer came a second later, it may have one: the change was
    # a second old by then. Either way, what a client sends back must not hide the next.)
    assert status == 200
    assert cli(server.url, "edit", "film", "Mothers", "--runtime", "97") == 0
    since = headers.get("last-modified", headers["date"])
    status, _, again = server.get(path, If_Modified_Since=since)
    assert status == 200 and again != body


def test_a_replaced_database_file_is_served_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SQLite matter: a server holding the old file open would serve it for ever.
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = "sqlite:///" + str(tmp_path / "replaced.sqlite3")
    assert cli(url, "import", str(DATA / "lineup.csv")) == 0
    running = start(url, "--workers", "1")
    try:
        before = running.get("/feeds/all.ics")[2]
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
        status, _, after = running.get("/feeds/all.ics")
        assert status == 200 and after != before
        assert b"The Act of Killing" in after and b"Escape from North Korea" not in after
    finally:
        stop(running)


def test_a_restored_backup_is_served_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    path = tmp_path / "restored.sqlite3"
    url = "sqlite:///" + str(path)
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    with sqlite3.connect(path) as source, sqlite3.connect(tmp_path / "backup.sqlite3") as copy:
        source.backup(copy)  # the WAL's pages too
    running = start(url, "--workers", "1")
    try:
        assert cli(url, "edit", "film", "Mothers", "--runtime", "95") == 0
        assert b'"runtime_minutes": 95' not in running.get("/feeds/all.json")[2]  # in list's
        for journal in (tmp_path / "restored.sqlite3-wal", tmp_path / "restored.sqlite3-shm"):
            journal.unlink(missing_ok=True)  # the old file's write-ahead log goes with it
        os.replace(tmp_path / "backup.sqlite3", path)  # the backup, back in place
        assert cli(url, "edit", "film", "Mothers", "--runtime", "120") == 0
        body = running.get("/feeds/films/mothers-2012.ics")[2]
        assert b"120 min" in body and b"95 min" not in body
    finally:
        stop(running)


def test_the_wsgi_application_on_a_missing_database_says_503_and_creates_nothing(
    tmp_path: Path,
) -> None:
    from screenings.config import load_settings
    from screenings.web import FeedApp

    missing = tmp_path / "missing.sqlite3"
    app = FeedApp(load_settings(str(missing), environ={}))
    answered: list[str] = []
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": "/feeds/all.ics", "wsgi.errors": sys.stderr},
            lambda status, headers: answered.append(status),
        )
    )
    assert answered == ["503 Service Unavailable"] and body == b"the catalogue is unavailable\n"
    assert not missing.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--host", ""), "--host: empty; expected an address"),
        (("--host", "999.1.1.1"), "--host: cannot use '999.1.1.1'"),
        (("--port", "70000"), "--port: expected 1 to 65535, got 70000"),
        (("--workers", "0"), "--workers: expected 1 to 64"),
        (("--threads", "500"), "--threads: expected 1 to 64"),
        (("--base-url", "notaurl"), "--base-url: 'notaurl' is not a web address"),
    ],
)
def test_bad_server_options_are_one_line(
    args: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.sqlite3")
    assert run(["--db", db, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"screenings: error: {message}") and err.count("\n") == 1


# --- Secret feeds and hostile requests (issue 10) -------------------------------------


def private_screening(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert cli(url, "list", "--include-private", "--format", "json") == 0
    listed = json.loads(capsys.readouterr().out)["screenings"]
    (private,) = [s for s in listed if s["visibility"] == "private"]
    return dict(private)


def _public_bodies(server: Server) -> list[bytes]:
    paths = [
        *FEEDS,
        "/feeds",
        "/feeds/all.json",
        "/feeds/films/the-defector-escape-from-north-korea-2012.json",
    ]
    return [server.get(path)[2] for path in paths]


def test_a_secret_feed_shows_private_screenings_until_revoked(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    private = private_screening(url, capsys)
    assert cli(url, "feed", "create", "parliament", "--include-private", "--kind", "special",
               "--base-url", "https://feeds.example.org") == 0  # fmt: skip
    address = capsys.readouterr().out.strip()
    assert address.startswith("https://feeds.example.org/feeds/secret/")
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) == 43
    assert cli(url, "feed", "list") == 0
    listing = capsys.readouterr().out
    assert "parliament  (live; made " in listing and "private screenings included" in listing
    assert token not in listing and "kind: special" in listing
    server = start(url, "--workers", "2", "--access-log")
    try:
        status, headers, body = server.get(f"/feeds/secret/{token}.ics")
        assert status == 200 and headers["cache-control"] == "private, no-store"
        assert str(Calendar.from_ical(body)["X-WR-CALNAME"]) == "parliament (secret feed)"
        # However the path is written, the log and a 404 leave the token out.
        for odd in (f"//feeds/secret/{token}.ics", f"/feeds/SECRET/{token}.ics",
                    f"/feeds/secret//{token}.ics", f"/feeds/secret/{token}"):  # fmt: skip
            status, _, answer = server.get(odd)
            assert status == 404 and token.encode() not in answer, odd
        assert private["uid"].encode() in body and b"Members of Parliament" in body
        # Never in a public response: its uid, its notes, its audience.
        for public in _public_bodies(server):
            for secret in (private["uid"], private["notes"][:40], private["audience"]):
                assert secret.encode() not in public
        _from_every_worker(server, f"/feeds/secret/{token}.ics")  # cached in each worker
        assert cli(url, "feed", "revoke", "parliament") == 0
        for status, _, _ in _from_every_worker(server, f"/feeds/secret/{token}.ics"):
            assert status == 404  # every worker, from the next request
    finally:
        server.process.terminate()
        log, _ = server.process.communicate(timeout=30)
    assert "/feeds/secret/[token]" in log and token not in log
    assert cli(url, "feed", "list") == 0 and "parliament  (revoked " in capsys.readouterr().out
    assert cli(url, "feed", "revoke", "PARLIAMENT") == 0  # any case
    assert "was revoked already, on " in capsys.readouterr().out
    assert cli(url, "feed", "create", "Parliament") == 5
    assert "(revoked on " in capsys.readouterr().err


def test_a_secret_feed_keeps_its_filters_through_a_rename_and_reads_dates_each_time(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    assert cli(url, "feed", "create", "killing", "--film", "The Act of Killing",
               "--upcoming") == 0  # fmt: skip
    killing = capsys.readouterr().out.strip().rsplit("/", 1)[1].removesuffix(".ics")
    assert cli(url, "feed", "create", "all of it", "--film", "The Act of Killing") == 0
    every = capsys.readouterr().out.strip().rsplit("/", 1)[1].removesuffix(".ics")
    assert cli(url, "edit", "film", "The Act of Killing", "--title", "Jagal") == 0
    assert cli(url, "feed", "list") == 0
    listing = capsys.readouterr().out
    assert "film: Jagal (2012, #" in listing and "upcoming (read on each request)" in listing
    server = start(url, "--workers", "1")
    try:
        upcoming = Calendar.from_ical(server.get(f"/feeds/secret/{killing}.ics")[2])
        assert upcoming.walk("VEVENT") == []  # 2013 is past: read today, not when made
        everything = Calendar.from_ical(server.get(f"/feeds/secret/{every}.ics")[2])
        assert [str(e["SUMMARY"]) for e in everything.walk("VEVENT")] == ["Jagal"]
    finally:
        stop(server)


HOSTILE = [
    "/feeds/../../etc/passwd",
    "/feeds/%2e%2e/%2e%2e/etc/passwd",
    "/feeds/%252e%252e/%252e%252e/etc/passwd",
    "/feeds/festivals/..%2f..%2fetc%2fpasswd.ics",
    "/feeds/festivals/hot-docs'%20OR%20'1'='1.ics",
    "/feeds/festivals/x;DROP%20TABLE%20screening.ics",
    "/feeds/all.ics?from=" + "9" * 500,
    "/feeds/all.ics?kind=%ff%fe",
    "/feeds/%ff%fe.ics",
    "/feeds/all.ics?" + "&".join(f"p{n}=1" for n in range(200)),
    "/feeds/secret/short.ics",
    "/feeds/secret/" + "A" * 43 + ".ics",
    "/feeds/secret/" + "A" * 44 + ".ics",
    "/feeds/secret/../all.ics",
    "/feeds/secret/" + "A" * 43 + ".ics?include_private=1",
    "/" + "a" * 9000,
]


def test_hostile_requests_get_a_4xx_and_the_server_stays_up(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    private = private_screening(server.url, capsys)
    for path in HOSTILE:
        status, _, body = server.get(path)
        assert 400 <= status < 500, (path, status)
        text = body.decode("utf-8", "replace")
        assert "Traceback" not in text and "root:" not in text, path
        assert private["uid"] not in text, path
    # Free text with SQL in it is only text: bound as a parameter, it matches nothing
    # and the feed is empty (as `list --section` answers "no screenings match").
    status, _, body = server.get("/feeds/all.ics?section=%27%3B%20DROP%20TABLE%20screening%3B--")
    assert status == 200 and Calendar.from_ical(body).walk("VEVENT") == []
    # Text longer than any city kept is refused as every door refuses it.
    status, _, body = server.get("/feeds/all.ics?city=" + "x" * 3000)
    assert (status, body) == (400, b"city: 3,000 characters; at most 200\n")
    status, _, _ = server.get("/feeds/all.ics", X_Padding="x" * 20000)
    assert 400 <= status < 500
    for number in range(300):  # many unknown slugs
        assert server.get(f"/feeds/films/unknown-{number}.ics")[0] == 404
    assert server.get("/healthz")[0] == 200
    for public in _public_bodies(server):
        assert private["uid"].encode() not in public
