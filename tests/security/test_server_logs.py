"""Items 6 (the logs) and 8c: what the feed server writes about its clients, and what
it tells its operator about a catalogue it cannot serve.

A real ``screenings serve`` on both databases, sent requests over real sockets, its
access log (stdout, ``--access-log``) and gunicorn's error log (stderr) read once it
has stopped:

- a request is one line of the access log, whatever its path holds: ``%0a``, ``%0d``,
  ``%1b``, DEL, C1 and the Unicode separators are escaped, never written raw;
- a secret feed's token is in no log, however the request writes its path (any case,
  percent-encoded once or twice, doubled slashes, a malformed request line or header
  that gunicorn quotes whole), and nothing but a secret feed's path is cut;
- gunicorn's own records (a malformed request quoted) are escaped the same way;
- a catalogue this version cannot serve gets a message naming a command that can work.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from screenings.cli import run
from screenings.db import create_db_engine
from tests.test_web import Server, cli, start

# Characters that would end a log line, rewrite the terminal showing it, or be read as
# a line break by a log viewer, if written raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
ACCESS_LINE = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ "(?:[^"\\]|\\.)*" \d{3} \d+')


@pytest.fixture
def url(seed_url: str) -> str:
    return seed_url


def stop(server: Server) -> tuple[str, str]:
    """The server's access log and error log, once it has stopped."""
    server.process.terminate()
    out, err = server.process.communicate(timeout=60)
    assert server.process.returncode == 0
    return out, err


def send(port: int, data: bytes) -> bytes:
    """``data`` sent as it is on a new connection; what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b"Connection: close" not in answer:
                break  # kept alive: the head is all that is read here
        return answer


def secret_token(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert cli(url, "feed", "create", "press", "--include-private") == 0
    address = capsys.readouterr().out.strip()
    return address.rsplit("/", 1)[1].removesuffix(".ics")


FORGING = [
    "/films/x%0a2026-12-05T00:00:00Z%2010.0.0.1%20%22GET%20/forged%22%20200%201",
    "/films/x%0d%1b[2J%1b]0;owned%07",
    "/films/x%7f%c2%9b31m%c2%85",
    "/films/x%e2%80%a8y%e2%80%a9z",
    "/films/%22quoted%22%5cslash",
    "/films/%ff%fe",
]


def test_a_request_is_one_line_of_the_access_log_whatever_its_path_holds(url: str) -> None:
    server = start(url, "--workers", "1", "--access-log")
    try:
        for path in FORGING:
            assert server.get(path)[0] == 404, path
        assert server.get("/feeds/all.ics?city=%0a%1b")[0] == 400  # logged as sent
    finally:
        log, _ = stop(server)
    lines = log.splitlines()  # also at \r, \x1c-\x1e, \x85, \u2028 and \u2029
    lines = [line for line in lines if '"GET /healthz"' not in line]  # start()'s
    assert len(lines) == len(FORGING) + 1, lines
    assert all(ACCESS_LINE.fullmatch(line) for line in lines), lines
    assert not RAW.search(log)
    assert '"GET /films/x\\n2026-12-05T00:00:00Z 10.0.0.1 \\"GET /forged\\" 200 1" 404' in log
    assert "/films/x\\r\\x1b[2J\\x1b]0;owned\\x07" in log
    assert "/films/x\\x7f\\x9b31m\\x85" in log and "/films/x\\u2028y\\u2029z" in log
    assert '/films/\\"quoted\\"\\\\slash' in log and '"GET /films/\\xff\\xfe" 404' in log


def test_a_secret_feed_token_is_in_no_log_however_it_is_written(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token = secret_token(url, capsys)
    server = start(url, "--workers", "1", "--access-log")
    spellings = [
        f"/feeds/secret/{token}.ics",
        f"/feeds/secret/{token}.json",
        f"//feeds/secret/{token}.ics",
        f"/feeds/SECRET/{token}.ics",
        f"/feeds/secret//{token}.ics",
        f"/Feeds/Secret/{token}",
        f"/feeds%2Fsecret%2F{token}.ics",
        f"/feeds%252Fsecret%252f{token}.ics",
        f"/feeds/%73%65cret/{token}.ics",
        f"/calendar/feeds/secret/{token}.ics",
        f"/feeds/secret/{token}.ics/more",
        # Paths the path rule does not read as a secret feed's (a 404 each), and a token
        # after a character at which that rule stops: the token is hidden all the same.
        f"/feeds/./secret/{token}.ics",
        f"/feeds/x/../secret/{token}.ics",
        f"/feeds/secret;x=1/{token}.ics",
        f"/feeds/secret%00/{token}.ics",
        f"/feeds/sec%C2%ADret/{token}.ics",
        f"/feeds/secret/%22{token}.ics",
        f"/feeds/secret/%3C{token}.ics",
        f"/feeds/secret/%20{token}.ics",
        f"/feeds/secret/%3F{token}.ics",
    ]
    try:
        for path in spellings:
            status, _, body = server.get(path)
            assert status in {200, 404} and token.encode() not in body, path
        # Malformed requests, which gunicorn refuses and quotes in its error log.
        for raw in (
            f"GET /feeds/secret/{token}.ics\x01 HTTP/1.1\r\n\r\n",
            f"GET  /feeds/secret/{token}.ics HTTP/1.1\r\n\r\n",
            f"GET /feeds%2fsecret%2f{token}.ics\r\n\r\n",
            f"GET / HTTP/1.1\r\nHost: x\r\nX/feeds/secret/{token}.ics\r\n\r\n",
            f"GET feeds/secret/{token}.ics HTTP/1.1\r\n\r\n",  # no leading slash
            f"GET /feeds/secret/{token[:10]} {token[10:]}.ics HTTP/1.1\r\n\r\n",  # broken
        ):
            assert send(server.port, raw.encode()).startswith(b"HTTP/1.1 400 "), raw
    finally:
        access, errors = stop(server)
    pieces = {token[start : start + 16] for start in range(len(token) - 15)}
    assert not any(piece in access or piece in errors for piece in pieces)
    assert access.count("[token]") == len(spellings)
    assert errors.count("/feeds/secret/[token]") == 3 and "X/feeds/secret/[token].ics" in errors
    assert "'GET feeds/secret/[token].ics HTTP/1.1'" in errors
    assert "Invalid HTTP Version: '[token].ics HTTP/1.1'" in errors
    assert '"GET /feeds/./secret/[token].ics" 404' in access
    assert '"GET /feeds/secret/\\"[token].ics" 404' in access
    assert '"GET /feeds/secret/ [token].ics" 404' in access
    assert "/feeds%2fsecret%2f[token].ics" in errors
    assert '"GET /feeds/secret/[token].ics" 200' in access
    assert '"GET /feeds/secret/[token].json" 200' in access


def test_nothing_but_a_secret_feed_path_is_redacted(url: str) -> None:
    public = [
        "/films/x-secret/abc",
        "/films/the-secret-life/cast",
        "/feeds/films/secret-agent/1950.ics",
        "/secrets/feeds",
    ]
    server = start(url, "--workers", "1", "--access-log")
    try:
        for path in public:
            status, _, body = server.get(path)
            assert status == 404 and body.decode() == f"no such page: {path}\n", path
        assert server.get("/films/the-secret-life-2020")[0] == 404  # no such film
    finally:
        log, _ = stop(server)
    for path in [*public, "/films/the-secret-life-2020"]:
        assert f'"GET {path}" 404' in log
    assert "[token]" not in log


def test_a_record_is_one_line_and_what_follows_it_is_indented(tmp_path: Path) -> None:
    from screenings.server import ErrorStream, SafeFormatter

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(SafeFormatter(logging.Formatter("[%(levelname)s] %(message)s")))
    log = logging.getLogger(f"screenings.test.{tmp_path.name}")
    log.addHandler(handler)
    log.propagate = False
    token = "k" * 43
    log.warning("Invalid request: 'GET /feeds/secret/%s.ics\n[INFO] forged'", token)
    try:
        raise ValueError(f"no feed /feeds/secret/{token}.ics\n[INFO] forged too")
    except ValueError:
        log.exception("Error handling request /x\x1b[2J")
    # What the application writes to wsgi.errors (a traceback it prints), line by line.
    stream = ErrorStream(log)
    print(f"screenings: no catalogue at /srv/feeds/secret/{token}.sqlite3", file=stream)
    print("Traceback (most recent call last):\n  File 'x'\nKeyError: '\x1b[31m'", file=stream)
    lines = written.getvalue().splitlines()
    assert token not in written.getvalue() and not RAW.search(written.getvalue())
    heads = [line for line in lines if not line.startswith("    ")]
    assert heads == [
        "[WARNING] Invalid request: 'GET /feeds/secret/[token].ics\\n[INFO] forged'",
        "[ERROR] Error handling request /x\\x1b[2J",
        "[ERROR] screenings: no catalogue at /srv/feeds/secret/[token]",
        "[ERROR] Traceback (most recent call last):",
    ]
    assert "    ValueError: no feed /feeds/secret/[token].ics" in lines
    assert "    [INFO] forged too" in lines  # indented: no record of its own
    assert lines[-2:] == ["      File 'x'", "    KeyError: '\\x1b[31m'"]


@given(st.text())
def test_a_logged_field_is_one_line_with_no_control_character(value: str) -> None:
    from screenings import logsafe

    logged = logsafe.field(value)
    assert logged.splitlines() in ([logged], []) and not RAW.search(logged)
    assert "\n" not in logged and "\t" not in logged


# As ``feed create`` makes them: 43 characters of URL-safe base64.
TOKEN = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43, max_size=43
)


@given(
    token=TOKEN,
    case=st.lists(st.booleans(), min_size=11, max_size=11),
    encoded=st.lists(st.sampled_from(["", "%", "%25"]), min_size=11, max_size=11),
    slashes=st.lists(
        st.sampled_from(["/", "//", "%2F", "%2f", "%252F", "\\"]), min_size=3, max_size=3
    ),
    prefix=st.sampled_from(["", "/calendar", "GET ", "https://feeds.example.org"]),
    ending=st.sampled_from(["", ".ics", ".json", ".ics HTTP/1.1", "?x=1", '" 404 0']),
)
def test_a_token_is_redacted_however_its_path_is_spelt(
    token: str,
    case: list[bool],
    encoded: list[str],
    slashes: list[str],
    prefix: str,
    ending: str,
) -> None:
    from screenings import logsafe

    letters = []
    for number, letter in enumerate("feedssecret"):
        char = letter.upper() if case[number] else letter
        letters.append(f"{encoded[number]}{ord(char):02x}" if encoded[number] else char)
    path = f"{prefix}{slashes[0]}{''.join(letters[:5])}{slashes[1]}{''.join(letters[5:])}"
    path += f"{slashes[2]}{token}{ending}"
    logged = logsafe.field(path)
    assert token not in logged and "[token]" in logged


def decoded(text: str) -> str:
    """``text`` percent-decoded until nothing more is."""
    while (plain := unquote(text)) != text:
        text = plain
    return text


# As ``secrets.token_urlsafe(32)`` makes them, and holding both upper- and lower-case
# letters, as all but about one in 2.7 billion do (docs/security.md).
MIXED_TOKEN = (
    st.binary(min_size=32, max_size=32)
    .map(lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
    .filter(lambda token: token not in {token.lower(), token.upper()})
)


# What a token may follow: a secret feed's path the path rule reads, or one it does not
# (no leading slash, dot segments, parameters, a NUL or a soft hyphen in "secret"), or
# a log message, a parameter, nothing.
LEADING = [
    "GET feeds/secret/", "/feeds/./secret/", "/feeds/x/../secret/", "/feeds/secret;x=1/",
    "/feeds/secret%00/", "/feeds/secret\x00/", "/feeds/sec%C2%ADret/", "/feeds/sec\xadret/",
    "/feeds/secret/", "/calendar/feeds/secret/", "Invalid HTTP Version: '", "?token=", "",
]  # fmt: skip


@given(
    token=MIXED_TOKEN,
    before=st.sampled_from(LEADING),
    stop=st.sampled_from(["", '"', "<", " ", "?", "%22", "%3C", "%20", "%3F", "%2522", "\\"]),
    encoded=st.sets(st.integers(0, 42)),
    layers=st.integers(1, 3),
    ending=st.sampled_from(["", ".ics", ".json", ".ics HTTP/1.1", "?x=1", '" 404 0', "'"]),
)
def test_a_token_is_redacted_wherever_it_stands(
    token: str, before: str, stop: str, encoded: set[int], layers: int, ending: str
) -> None:
    """Whatever path leads to it, whatever character stops the path rule before it, and
    with any of its characters percent-encoded, once or more."""
    from screenings import logsafe

    written = "".join(
        "%" + "25" * (layers - 1) + f"{ord(char):02X}" if number in encoded else char
        for number, char in enumerate(token)
    )
    logged = logsafe.field(f"{before}{stop}{written}{ending}")
    assert token not in decoded(logged) and "[token]" in logged


@pytest.mark.parametrize(
    "public",
    [
        "/films/x-secret/abc",
        "/secret/x",
        "/feeds/secretive/x",
        "/feeds/x/secret/y",
        "/films/the-defector-escape-from-north-korea-2012/screenings-at-sheffield-doc-fest",
        "/feeds/people/" + "a-very-long-name-" * 8 + "2026.ics",
        "GET /FEEDS/ALL.ICS?CITY=" + "SHEFFIELD-" * 6,
        "Invalid request from ip=127.0.0.1: Invalid HTTP Version: 'HTTP/1.1 X'",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    ],
)
def test_a_public_path_is_never_cut(public: str) -> None:
    from screenings import logsafe

    assert logsafe.field(public) == public


@given(st.from_regex(r"/(films|feeds/venues)/[a-z0-9-]{1,300}(\.ics)?", fullmatch=True))
def test_a_lower_case_slug_is_never_cut(public: str) -> None:
    from screenings import logsafe

    assert logsafe.field(public) == public


# --- Item 8c: a catalogue the server cannot serve ------------------------------------


def newer_catalogue(url: str) -> str:
    """``url``, its catalogue marked as written by a newer screenings."""
    assert run(["--db", url, "db", "upgrade"]) == 0
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff00000099'"))
    engine.dispose()
    return url


def foreign_catalogue(url: str) -> str:
    """``url``, a database of another application."""
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoice (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    return url


@pytest.mark.parametrize(
    ("make", "works"),
    [
        (
            newer_catalogue,
            "serve it with that version (upgrade this one: in its checkout, "
            "'git pull && pip install -e .')",
        ),
        (foreign_catalogue, "point the server at one (--db or SCREENINGS_DATABASE_URL)"),
    ],
)
def test_a_catalogue_the_server_cannot_serve_names_a_command_that_works(
    make: Callable[[str], str],
    works: str,
    backend: str,
    new_url: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from screenings.config import load_settings
    from screenings.web import FeedApp

    url = make(new_url(backend))
    capsys.readouterr()
    assert run(["--db", url, "db", "upgrade"]) == 6  # refused: no way out, whatever it says
    capsys.readouterr()
    assert run(["--db", url, "serve", "--port", "1"]) == 6
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith(works), err
    assert "db upgrade" not in err
    # The WSGI application, run by another server: a 503, and the same in its log.
    app = FeedApp(load_settings(url, environ={}))
    errors = io.StringIO()
    answered: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "wsgi.errors": errors}
    b"".join(app(environ, lambda status, headers: answered.append(status)))
    assert answered == ["503 Service Unavailable"]
    assert errors.getvalue().rstrip().endswith(works) and "db upgrade" not in errors.getvalue()


def test_an_older_catalogue_still_names_db_upgrade(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    from screenings.migrate import upgrade_schema

    url = new_url(backend)
    engine = create_db_engine(url)
    upgrade_schema(engine, "0001")
    engine.dispose()
    capsys.readouterr()
    assert run(["--db", url, "serve", "--port", "1"]) == 6
    assert "run 'screenings db upgrade' (to " in capsys.readouterr().err
    assert run(["--db", url, "db", "upgrade"]) == 0  # and it works
