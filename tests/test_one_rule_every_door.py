"""One table of bad values (issue 19, bugs A to G), each put through every door that
accepts it: ``add`` and ``edit`` on the command line, a row of an imported lineup, and
the feed server's parameters where one takes it, on SQLite and on PostgreSQL.

Every door refuses a value with the same words, the rule's (``screenings.rules``),
naming the field in its own terms: ``--ticket-url``, ``FILE:LINE: column 'Ticket URL'``,
the parameter ``city``. Exit code 2, one line, no traceback, and the database exactly
as it was: every table dumped before and after.

The catalogue is built once per database and shared by the module's tests: each test
checks that nothing was written, so no test can change what the next one finds.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from screenings import tables
from screenings.cli import run
from screenings.config import load_settings
from screenings.web import FeedApp
from tests.conftest import BACKENDS, PostgresServer
from tests.dumps import dump

FILM = "The Defector"
LONG = "x" * 5000
LONG_URL = "https://x.example/" + LONG  # 5,018 characters
LONG_WORDS = "5,000 characters; at most {limit}"


# --- The doors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cli:
    """A command line; ``{}`` in ``args`` is the value; ``field`` is how it names it."""

    args: tuple[str, ...]
    field: str


@dataclass(frozen=True)
class Row:
    """A lineup row of ``FILM`` whose ``column`` holds the value (``{}`` in a column's
    name is the value, for a value a header names: a credit role)."""

    column: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Param:
    """The feed server's parameter ``name`` (its value percent-encoded as given)."""

    name: str


Door = Cli | Row | Param


@dataclass(frozen=True)
class Case:
    bug: str
    value: str
    words: str  # the rule's words, after the field's name
    doors: tuple[Door, ...]
    # The words for the value as a lineup's cell reads it, where that differs: a line
    # break in a cell is read as one newline, whichever the file wrote.
    file_words: str | None = None


def add_screening(option: str) -> Cli:
    return Cli(("add", "screening", FILM, "--venue", "Showroom", "--on", "2013-06-15",
                option, "{}"), option)  # fmt: skip


def edit_screening(option: str) -> Cli:
    return Cli(("edit", "screening", "1", option, "{}"), option)


def long(limit: str, *doors: Door, value: str = LONG, bug: str = "C") -> Case:
    return Case(bug, value, f"{len(value):,} characters; at most {limit}", doors)


def control(value: str, at: int, name: str) -> Case:
    doors = (
        Cli(("add", "film", "{}"), "TITLE"),
        Cli(("edit", "film", FILM, "--title", "{}"), "--title"),
        Cli(("add", "person", "{}"), "NAME"),
        Row("Title"),
        Param("city"),
    )
    words = f"holds a control character ({name}) at character {at}; expected text"
    return Case("D" if value[at - 1] == "\x00" else "F", value, words, doors)


def zone(value: str) -> Case:
    words = f"unknown time zone {value!r}; expected an IANA name such as 'Europe/London'"
    doors = (Cli(("add", "venue", "Lux", "--timezone", "{}"), "--timezone"),
             Cli(("edit", "venue", "Showroom", "--timezone", "{}"), "--timezone"),
             Cli(("add", "festival", "DOK Leipzig", "--timezone", "{}"), "--timezone"),
             Cli(("add", "screening", FILM, "--city", "Leeds", "--on", "2013-06-15",
                  "--timezone", "{}"), "--timezone"),
             Row("Timezone"))  # fmt: skip
    return Case("E", value, words, doors)


def bad_url(value: str) -> Case:
    def words(value: str) -> str:
        return f"{value!r} is not a web address; expected https://..."

    return Case("A", value, words(value), (add_screening("--ticket-url"),
                edit_screening("--ticket-url"), Row("Ticket URL")),
                file_words=words(value.replace("\r\n", "\n")))  # fmt: skip


CASES = [
    # A. The import as strict as the command line with a web address.
    bad_url("https://exa mple.com/a b"),
    bad_url("https://t.example/a b\r\nX-INJ:1"),
    bad_url("https://[::1/tickets"),  # urlsplit's ValueError was a traceback at every door
    bad_url("http://tickets.example:99999/"),
    # C. Every text as long as its column keeps, on both databases.
    long("200", add_screening("--audience"), edit_screening("--audience"), Row("Audience"),
         Param("audience"), Cli(("feed", "create", "jury 2", "--audience", "{}"), "--audience")),
    long("200", Cli(("add", "festival", "DOK Leipzig", "--city", "{}"), "--city"),
         Cli(("edit", "venue", "Showroom", "--city", "{}"), "--city"),
         Cli(("edit", "festival", "Sheffield Doc/Fest", "--city", "{}"), "--city"),
         Cli(("feed", "create", "jury 2", "--city", "{}"), "--city"),
         Cli(("add", "screening", FILM, "--city", "{}", "--on", "2013-06-15", "--timezone",
              "Europe/London"), "--city"), Row("City"), Param("city")),
    long("60", add_screening("--kind"), edit_screening("--kind"), Row("Kind"), Param("kind"),
         Cli(("feed", "create", "jury 2", "--kind", "{}"), "--kind")),
    long("1,000", add_screening("--ticket-url"), edit_screening("--ticket-url"),
         Row("Ticket URL"), value=LONG_URL),
    long("500", Cli(("add", "venue", "Lux", "--address", "{}"), "--address"),
         Cli(("edit", "venue", "Showroom", "--address", "{}"), "--address")),
    long("100", Cli(("add", "festival", "DOK Leipzig", "--country", "{}"), "--country"),
         Cli(("edit", "venue", "Showroom", "--country", "{}"), "--country"),
         Param("country")),
    long("200", Cli(("add", "edition", "Sheffield Doc/Fest", "2014", "--label", "{}"), "--label"),
         Cli(("edit", "edition", "Sheffield Doc/Fest 2013", "--label", "{}"), "--label")),
    long("300", Cli(("add", "nomination", "--award", "Innovation Award", "--year", "2013",
                     "--film", FILM, "--category", "{}"), "--category"),
         Cli(("edit", "nomination", "1", "--category", "{}"), "--category")),
    long("1,000", Cli(("add", "film", "Mothers", "--website", "{}"), "--website"),
         Cli(("edit", "festival", "Sheffield Doc/Fest", "--website", "{}"), "--website"),
         Row("Website"), value=LONG_URL),
    long("60", Cli(("add", "film", "Mothers", "--credit", "{}=Ann Shin"), "--credit"),
         Cli(("edit", "film", FILM, "--credit", "{}=Ann Shin"), "--credit")),
    long("60", Cli(("add", "film", "Mothers", "--link", "{}=https://example.org/"), "--link"),
         Cli(("edit", "film", FILM, "--link", "{}=https://example.org/"), "--link")),
    long("200", Cli(("feed", "create", "{}"), "NAME")),
    long("500", Cli(("add", "film", "Mothers", "--original-title", "{}"), "--original-title"),
         Cli(("edit", "film", FILM, "--original-title", "{}"), "--original-title"),
         Row("Original title")),
    long("200", Cli(("add", "selection", FILM, "--edition", "Sheffield Doc/Fest 2013",
                     "--section", "{}"), "--section"), Row("Section"), Param("section")),
    # C, by folding: a name within its length whose key (case and accents folded, by
    # which it is found) is not; the database refused the key, in the key's terms.
    Case("C", "ß" * 300, "600 characters once case and accents are folded (its key, which "
         "finds it however it is typed); at most 300",
         (Cli(("add", "person", "{}"), "NAME"), Cli(("add", "festival", "{}"), "NAME"),
          Cli(("edit", "person", "Ann Shin", "--name", "{}"), "--name"),
          Cli(("add", "film", "Mothers", "--director", "{}"), "--director"),
          Row("Director"), Row("Festival"), Row("Venue"))),
    # D. A NUL, refused alike (PostgreSQL failed the whole file, with no line).
    control("Tor\x00onto", 4, "U+0000 NUL"),
    # E. Zone names the zone rule refuses.
    zone("right/Europe/London"),
    zone("posix/Europe/London"),
    zone("posixrules"),
    zone("Factory"),
    # F. Control characters.
    control("Tor\x01onto", 4, "U+0001 a control character"),
    control("Tor\x07onto", 4, "U+0007 a control character"),
    control("Toronto\x7f", 8, "U+007F DEL"),
    control("\x1b[31mToronto", 1, "U+001B ESC"),
    control("Toronto\x9b2J", 8, "U+009B a control character"),
    # The other text fields of add and edit, and of a secret feed's filters.
    Case("F", "\x1b[31mred", "holds a control character (U+001B ESC) at character 1; "
         "expected text",
         (Cli(("add", "venue", "Lux", "--address", "{}"), "--address"),
          Cli(("edit", "film", FILM, "--original-title", "{}"), "--original-title"),
          edit_screening("--kind"), Cli(("feed", "create", "{}"), "NAME"))),
    Case("F", "Spring\x7f", "holds a control character (U+007F DEL) at character 7; "
         "expected text",
         (Cli(("add", "edition", "Sheffield Doc/Fest", "2014", "--label", "{}"), "--label"),
          Cli(("feed", "create", "jury 2", "--audience", "{}"), "--audience"))),
    Case("F", "G\x01B", "holds a control character (U+0001 a control character) at "
         "character 2; expected text",
         (Cli(("add", "film", "Mothers", "--country", "{}"), "--country"),
          Cli(("edit", "award", "Innovation Award", "--presenter", "{}"), "--presenter"))),
    Case("D", "a\x00b", "holds a control character (U+0000 NUL) at character 2; "
         "expected text", (add_screening("--note"), edit_screening("--note"))),
    Case("F", "\x9b2J", "holds a control character (U+009B a control character) at "
         "character 1; expected text",
         (Cli(("add", "selection", FILM, "--festival", "Sheffield Doc/Fest", "--year", "2013",
               "--section", "{}"), "--section"),
          Cli(("edit", "selection", FILM, "--edition", "Sheffield Doc/Fest 2013",
               "--premiere", "{}"), "--premiere"))),
    Case("F", "MPs\x07", "holds a control character (U+0007 a control character) at "
         "character 4; expected text",
         (edit_screening("--audience"), Cli(("cancel", "screening", "1", "--reason", "{}"),
                                            "--reason"))),
    long("300", Cli(("add", "award", "Jury Prize", "--presenter", "{}"), "--presenter"),
         Cli(("edit", "award", "Innovation Award", "--presenter", "{}"), "--presenter")),
    long("100", Cli(("edit", "selection", FILM, "--edition", "Sheffield Doc/Fest 2013",
                     "--premiere", "{}"), "--premiere"), Row("Premiere")),
    # A word of a closed vocabulary, read alike (a synonym too: "Canceled", "winner")
    # whichever door gives it.
    Case("G", "sold-out", "expected one of scheduled, tentative, postponed, cancelled, got "
         "'sold-out'",
         (add_screening("--status"), edit_screening("--status"),
          Cli(("list", "--status", "{}"), "--status"), Row("Status"), Param("status"),
          Cli(("feed", "create", "jury 2", "--status", "{}"), "--status"))),
    Case("G", "maybe", "expected one of nominated, won, special_mention, got 'maybe'",
         (Cli(("edit", "nomination", "1", "--result", "{}"), "--result"),)),
    # G. Dates and times.
    Case("G", "25:00", "'25:00' is not a time of day: its hour is 25; expected 00 to 23",
         (add_screening("--at"), edit_screening("--at"), Row("Time"))),
    Case("G", "18:60", "'18:60' is not a time of day: its minute is 60; expected 00 to 59",
         (add_screening("--at"), edit_screening("--at"), Row("Time"))),
    Case("G", "2014-05-05", "2014-05-05 is not in 2015, the edition's year",
         (Cli(("add", "edition", "Hot Docs", "2015", "--from", "{}"), "--from"),)),
    Case("G", "2014-04-25", "2014-04-25 is not in 2013, the edition's year",
         (Cli(("edit", "edition", "Hot Docs 2013", "--from", "{}"), "--from"),)),
    Case("G", "--monthfirst", "both orders given; give one of dayfirst or monthfirst",
         (Cli(("--dayfirst", "{}", "list"), "--dayfirst, --monthfirst"),
          Cli(("--dayfirst", "{}", "add", "edition", "Hot Docs", "2016"),
              "--dayfirst, --monthfirst"),
          Row("Title", options=("--dayfirst", "--monthfirst")))),
]  # fmt: skip


# --- The catalogue, built once per database ----------------------------------------------

SEED = [
    ["add", "festival", "Sheffield Doc/Fest", "--city", "Sheffield", "--timezone",
     "Europe/London"],
    ["add", "festival", "Hot Docs", "--city", "Toronto", "--timezone", "America/Toronto"],
    ["add", "edition", "Sheffield Doc/Fest", "2013", "--from", "2013-06-12", "--to",
     "2013-06-16"],
    ["add", "edition", "Hot Docs", "2013", "--from", "2013-04-25", "--to", "2013-05-05"],
    ["add", "venue", "Showroom Cinema", "--city", "Sheffield", "--timezone", "Europe/London"],
    ["add", "film", FILM, "--year", "2012", "--runtime", "71", "--director", "Ann Shin"],
    ["add", "selection", FILM, "--edition", "Sheffield Doc/Fest 2013"],
    ["add", "screening", FILM, "--edition", "Sheffield Doc/Fest 2013", "--venue", "Showroom",
     "--on", "2013-06-14", "--at", "18:00", "--ticket-url", "https://tickets.example/1"],
    ["add", "award", "Innovation Award", "--festival", "Sheffield Doc/Fest"],
    ["add", "nomination", "--award", "Innovation Award", "--year", "2013", "--film", FILM],
    ["feed", "create", "jury", "--festival", "Sheffield Doc/Fest"],
]  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        made = "sqlite:///" + str(tmp_path_factory.mktemp("doors") / "catalogue.sqlite3")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        made = server.new_database()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SCREENINGS_TIMEZONE", "SCREENINGS_DATE_ORDER", "SCREENINGS_BASE_URL"):
            patch.delenv(name, raising=False)
        for command in SEED:
            assert run(["--db", made, *command]) == 0, command
    yield made


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCREENINGS_TIMEZONE", "SCREENINGS_DATE_ORDER"):
        monkeypatch.delenv(name, raising=False)


# --- Each door ----------------------------------------------------------------------------


def through_cli(door: Cli, value: str, url: str, capsys: pytest.CaptureFixture[str]) -> str:
    args = [value if arg == "{}" else arg.replace("{}", value) for arg in door.args]
    capsys.readouterr()
    code = run(["--db", url, *args])
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), (door, err)
    return err


def through_import(
    door: Row, value: str, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str]:
    """The refusal of a lineup whose second line holds ``value``; and its file's name."""
    row = {"Title": FILM, "Year": "2012", "City": "Leeds", "Date": "2013-06-20",
           "Time": "18:00", "Timezone": "Europe/London"}  # fmt: skip
    if not door.options:  # the options are the bad value: the cells are good ones
        row[door.column.replace("{}", value)] = value
    path = tmp_path / "lineup.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(row)
        writer.writerow(row.values())
    capsys.readouterr()
    code = run(["--db", url, "import", str(path), *door.options])
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), (door, err)
    return err, str(path)


def through_web(door: Param, value: str, url: str) -> tuple[str, str]:
    from urllib.parse import quote

    app = FeedApp(load_settings(url), base_url="http://feeds.example")
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/feeds/all.ics",
        "QUERY_STRING": f"{door.name}={quote(value)}",
        "SERVER_NAME": "feeds.example",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    try:
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    finally:
        if app._engine is not None:
            app._engine.dispose()
    return statuses[0], body.decode("utf-8")


def door_ids() -> list[Any]:
    params = []
    for number, case in enumerate(CASES):
        for door in case.doors:
            if isinstance(door, Cli):
                name, where = " ".join(door.args[:2]), door.field
            else:
                name, where = type(door).__name__, getattr(door, "column", None) or door.name
            params.append(pytest.param(case, door, id=f"{case.bug}{number}-{name}-{where}"))
    return params


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(("case", "door"), door_ids())
def test_every_door_refuses_a_bad_value_in_the_rule_s_words_and_writes_nothing(
    case: Case, door: Door, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(url)
    if isinstance(door, Cli):
        err = through_cli(door, case.value, url, capsys)
        assert err == f"screenings: error: {door.field}: {case.words}\n"
    elif isinstance(door, Row):
        err, path = through_import(door, case.value, url, tmp_path, capsys)
        column = door.column.replace("{}", case.value)
        if door.options:  # an option of the import, named as the command line names it
            assert err == f"screenings: error: --dayfirst, --monthfirst: {case.words}\n"
        else:
            # Line 2 of the file, its column by its header; the cell is quoted (at most
            # 80 characters of it, controls escaped) before the rule's words when the
            # words do not quote it themselves.
            assert err.startswith(f"screenings: error: {path}:2: column '{column}': "), err
            words = case.file_words or case.words
            assert err.endswith(f"{words}; nothing was imported\n"), err
        assert err.count("\n") == 1
    else:
        status, body = through_web(door, case.value, url)
        assert (status, body) == ("400 Bad Request", f"{door.name}: {case.words}\n")
        err = body
    assert "Traceback" not in err
    assert dump(url) == before


def test_the_table_covers_every_bug_and_every_kind_of_door() -> None:
    bugs = {case.bug for case in CASES}
    assert bugs == {"A", "C", "D", "E", "F", "G"}  # B is a change, not a refusal: below
    kinds = {type(door) for case in CASES for door in case.doors}
    assert kinds == {Cli, Row, Param}
    for case in CASES:
        commands = {door.args[0] for door in case.doors if isinstance(door, Cli)}
        assert commands, case  # at least the command line's door


# --- B. A venue's zone, as every door keeps it --------------------------------------------


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("typed", "kept"),
    [("europe/paris", "Europe/Paris"), ("US/Eastern", "America/New_York"),
     ("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv"),
     ("Europe/Amsterdam", "Europe/Amsterdam")],
)  # fmt: skip
def test_a_zone_is_kept_in_one_spelling_whichever_door_sets_it(
    typed: str,
    kept: str,
    backend: str,
    new_url: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_url(backend)
    for command in SEED[:8]:
        assert run(["--db", url, *command]) == 0, command
    # By hand: a venue with a screening gets a new zone, and so do its screenings.
    assert run(["--db", url, "edit", "venue", "Showroom", "--timezone", typed]) == 0
    assert run(["--db", url, "add", "festival", "Elsewhere", "--timezone", typed]) == 0
    # By a lineup: a screening of its own zone.
    path = tmp_path / "lineup.csv"
    path.write_text(
        f"Title,Year,City,Date,Time,Timezone\n{FILM},2012,Leeds,2013-06-20,18:00,{typed}\n",
        encoding="utf-8",
    )
    assert run(["--db", url, "import", str(path)]) == 0
    capsys.readouterr()
    stored = dump(url)
    zones = {
        table: {row[index] for row in stored[table]}
        for table, index in (
            ("venue", [c.name for c in tables.venue.columns].index("timezone")),
            ("festival", [c.name for c in tables.festival.columns].index("timezone")),
            ("screening", [c.name for c in tables.screening.columns].index("timezone")),
        )
    }
    assert zones["venue"] == {kept}
    assert kept in zones["festival"] and (typed == kept or typed not in zones["festival"])
    assert zones["screening"] == {kept}  # the venue's screening and the imported one
