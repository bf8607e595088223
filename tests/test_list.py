"""`screenings list`, as a user runs it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from screenings.cli import run
from screenings.db import create_db_engine, unit_of_work
from screenings.migrate import upgrade_schema
from tests import factories as make
from tests.golden import matches

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a database holding ``factories.festival_catalogue`` (read-only in these tests)."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("list") / "catalogue.sqlite3")
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with unit_of_work(engine) as session:
        make.festival_catalogue(session)
    engine.dispose()
    yield url


@pytest.fixture(autouse=True)
def _no_date_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCREENINGS_DATE_ORDER", raising=False)


def list_json(db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code = run(["--db", db, "list", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = json.loads(captured.out)
    kind = args[0] if args and not args[0].startswith("-") else "screenings"
    assert set(document) == {"version", kind}
    rows: list[dict[str, Any]] = document[kind]
    return rows


def shown(db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Screenings listed, as 'date film-title-start' strings, in output order."""
    return [
        f"{r['local_date']} {r['film']['title'].split(':')[0].split(',')[0]}"
        for r in list_json(db, *args, capsys=capsys)
    ]


def error(db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["--db", db, *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    return code, captured.err.removeprefix("screenings: error: ").rstrip("\n")


def test_the_default_lists_public_screenings_in_day_order(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shown(db, capsys=capsys) == [
        "2012-11-18 The Defector",
        "2013-04-27 The Defector",
        "2013-06-11 The Defector",
        "2013-06-14 The Act of Killing",
        "2013-06-14 The Defector",
        "2013-06-15 The Act of Killing",
        "2099-01-01 The Defector",
    ]


def test_the_table_says_time_tba(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "list", "--on", "2013-06-11"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "date", "time", "film", "where", "festival", "kind",
                                "status"]  # fmt: skip
    assert (
        lines[2]
        .split("  ", 1)[1]
        .startswith("2013-06-11  time TBA  The Defector: Escape from North Korea (2012)")
    )
    assert "London  special screenings" not in lines[2]
    assert "special screening" in lines[2]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--film", "The Act of Killing"],
            ["2013-06-14 The Act of Killing", "2013-06-15 The Act of Killing"],
        ),
        (["--film", "Alma (2012)", "--include-private"], ["2013-06-13 Alma"]),
        (
            ["--person", "Manfred Becker", "--in", "2013"],
            ["2013-04-27 The Defector", "2013-06-11 The Defector", "2013-06-14 The Defector"],
        ),
        (
            ["--director", "joshua oppenheimer"],
            ["2013-06-14 The Act of Killing", "2013-06-15 The Act of Killing"],
        ),
        (["--director", "Manfred Becker"], []),
        (["--festival", "IDFA"], ["2012-11-18 The Defector"]),
        (["--edition", "Hot Docs 2013"], ["2013-04-27 The Defector"]),
        (
            ["--festival", "Sheffield Doc/Fest", "--year", "2013"],
            [
                "2013-06-14 The Act of Killing",
                "2013-06-14 The Defector",
                "2013-06-15 The Act of Killing",
            ],
        ),
        (
            ["--edition", "sheffield-doc-fest-2013", "--venue", "Showroom Cinema"],
            ["2013-06-14 The Defector", "2013-06-15 The Act of Killing"],
        ),
        (["--city", "london"], ["2013-06-11 The Defector"]),
        (["--country", "CA", "--in", "2013"], ["2013-04-27 The Defector"]),
        (
            ["--from", "2013-06-12", "--to", "2013-06-14"],
            ["2013-06-14 The Act of Killing", "2013-06-14 The Defector"],
        ),
        (
            ["--from", "June 2013", "--to", "2013"],
            [
                "2013-06-11 The Defector",
                "2013-06-14 The Act of Killing",
                "2013-06-14 The Defector",
                "2013-06-15 The Act of Killing",
            ],
        ),
        (["--to", "April 2013"], ["2012-11-18 The Defector", "2013-04-27 The Defector"]),
        (["--on", "11 June 2013"], ["2013-06-11 The Defector"]),
        (["--in", "June 2013", "--kind", "special"], ["2013-06-11 The Defector"]),
        (["--in", "2012"], ["2012-11-18 The Defector"]),
        (["--upcoming"], ["2099-01-01 The Defector"]),
        (
            ["--status", "tentative", "--status", "cancelled"],
            ["2013-06-14 The Act of Killing", "2099-01-01 The Defector"],
        ),
        (["--kind", "PREMIERE"], ["2013-04-27 The Defector"]),
        (
            ["--section", "competition"],
            ["2013-06-14 The Act of Killing", "2013-06-15 The Act of Killing"],
        ),
        (["--audience", "Members of Parliament"], ["2013-06-11 The Defector"]),
        (
            ["--include-private", "--in", "June 2013"],
            [
                "2013-06-11 The Defector",
                "2013-06-13 Alma",
                "2013-06-14 The Act of Killing",
                "2013-06-14 The Defector",
                "2013-06-15 The Act of Killing",
            ],
        ),
        (["--limit", "2"], ["2012-11-18 The Defector", "2013-04-27 The Defector"]),
        (
            ["--sort", "-start", "--limit", "2"],
            ["2099-01-01 The Defector", "2013-06-15 The Act of Killing"],
        ),
        (
            ["--sort", "film", "--in", "2013"],
            [
                "2013-06-14 The Act of Killing",
                "2013-06-15 The Act of Killing",
                "2013-04-27 The Defector",
                "2013-06-11 The Defector",
                "2013-06-14 The Defector",
            ],
        ),
        (
            ["--sort", "venue", "--edition", "Sheffield Doc/Fest 2013"],
            [
                "2013-06-14 The Act of Killing",
                "2013-06-14 The Defector",
                "2013-06-15 The Act of Killing",
            ],
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0].startswith("-") else None,
)
def test_each_filter(
    db: str, args: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert shown(db, *args, capsys=capsys) == expected


def test_next_week_is_relative_to_today(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert shown(db, "--in", "next week", capsys=capsys) == []  # nothing is on next week
    assert shown(db, "--from", "today", capsys=capsys) == ["2099-01-01 The Defector"]


def test_a_prefix_is_taken_and_said(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "list", "--film", "the defector", "--in", "2012"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "screenings: film 'the defector' is The Defector: Escape from North Korea (2012, #1)\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["list", "--film", "The Defecter"],
            3,
            "--film: no film called 'The Defecter'; "
            "did you mean 'The Defector: Escape from North Korea'?",
        ),
        (
            ["list", "--film", "The"],
            4,
            "--film: 'The' matches 2: The Act of Killing (2012, #2); "
            "The Defector: Escape from North Korea (2012, #1); say which (#ID)",
        ),
        (
            ["list", "--venue", "Theater"],
            3,
            "--venue: no venue called 'Theater'; did you mean 'Crucible Theatre', "
            "'Isabel Bader Theatre'?",
        ),
        (
            ["list", "--venue", "Theatr"],
            4,
            "--venue: 'Theatr' matches 2: Crucible Theatre (Sheffield, #{crucible}); "
            "Isabel Bader Theatre (Toronto, #{bader}); say which (#ID)",
        ),
        (
            ["list", "--edition", "Hot Docs 2014"],
            3,
            "--edition: Hot Docs has no edition in 2014; its editions: 2013",
        ),
        (
            ["list", "--edition", "Hot Docs"],
            2,
            "--edition: expected a festival and a year, e.g. 'Sheffield Doc/Fest 2013', "
            "got 'Hot Docs'",
        ),
        (["list", "--year", "2013"], 2, "--year: give it with --festival (the edition's year)"),
        (
            ["list", "--status", "sold-out"],
            2,
            "--status: expected one of scheduled, tentative, postponed, cancelled, got 'sold-out'",
        ),
        (
            ["list", "--sort", "popularity"],
            2,
            "--sort: unknown order 'popularity'; "
            "expected one of start, -start, film, venue, updated",
        ),
        (["list", "--limit", "0"], 2, "--limit: expected a positive number, got 0"),
        (
            ["list", "--on", "June 2013"],
            2,
            "--on: 'June 2013' is more than a day; use --in for a span",
        ),
        (
            ["list", "--on", "11/06/2013"],
            2,
            "--on: '11/06/2013' reads as 11 June or November 6; pass --dayfirst or --monthfirst, "
            "or set SCREENINGS_DATE_ORDER",
        ),
        (
            ["--dayfirst", "list", "--on", "06/13/2013"],
            2,
            "--on: '06/13/2013' is not a date in the day/month/year order set here "
            "(month 13, day 6); nothing is swapped",
        ),
        (["list", "--on", "11 June"], 2, "--on: '11 June' has no year; expected e.g. 11 June 2013"),
        (
            ["list", "--from", "2013-06-14", "--to", "2013-06-01"],
            2,
            "--to: '2013-06-01' ends before --from '2013-06-14' begins",
        ),
        (
            ["list", "festivals", "--film", "The Defector"],
            2,
            "--film: does not apply to 'list festivals'; it takes --city, --country, --limit and "
            "--format",
        ),
        (
            ["list", "venues", "--upcoming"],
            2,
            "--upcoming: does not apply to 'list venues'; it takes --city, --country, --limit and "
            "--format",
        ),
        (
            ["list", "screenings", "--result", "won"],
            2,
            "--result: does not apply to 'list screenings'; "
            "it takes --audience, --city, --country, "
            "--director, --edition, --festival, --film, --from, --in, --include-private, --kind, "
            "--on, --person, --plan, --section, --sort, --status, --to, --upcoming, --venue, "
            "--year, --limit and --format",
        ),
        (
            ["list", "cinemas"],
            2,
            "list: unknown kind 'cinemas'; expected one of screenings, films, people, festivals, "
            "editions, venues, programmes, awards, nominations, travel",
        ),
        (
            ["list", "--format", "xml"],
            2,
            "--format: unknown format 'xml' for screenings; expected one of table, json, csv, ics",
        ),
    ],
)
def test_refusals_are_one_line_with_the_right_code(
    db: str, args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if "{crucible}" in message:  # ids differ by backend
        venues = {v["name"]: v["id"] for v in list_json(db, "venues", capsys=capsys)}
        message = message.format(
            crucible=venues["Crucible Theatre"], bader=venues["Isabel Bader Theatre"]
        )
    assert error(db, *args, capsys=capsys) == (code, message)


def test_monthfirst_reads_us_dates(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", db, "--monthfirst", "list", "--on", "06/11/2013", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["screenings"]
    assert [r["local_date"] for r in rows] == ["2013-06-11"]


@pytest.mark.parametrize(
    ("kind", "args", "first"),
    [
        ("films", [], "Alma, a Tale of Violence"),
        ("films", ["--director", "Ann Shin"], "The Defector: Escape from North Korea"),
        ("films", ["--edition", "Sheffield Doc/Fest 2013"], "Alma, a Tale of Violence"),
        ("films", ["--festival", "IDFA"], "The Defector: Escape from North Korea"),
        ("people", ["--film", "The Defector (2012)"], "Ann Shin"),
        ("festivals", ["--country", "ca"], "Hot Docs"),
        ("editions", ["--festival", "Sheffield Doc/Fest"], 3),
        ("venues", ["--city", "Sheffield"], "Crucible Theatre"),
        ("awards", ["--festival", "Sheffield Doc/Fest"], "Innovation Award"),
        ("nominations", ["--result", "won", "--year", "2013"], 2),
    ],
)
def test_other_kinds_take_their_filters(
    db: str, kind: str, args: list[str], first: str | int, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list_json(db, kind, *args, capsys=capsys)
    if isinstance(first, int):
        assert len(rows) == (1 if kind == "editions" else first)
        return
    assert rows[0].get("title", rows[0].get("name")) == first


def test_nominations_list_film_and_person(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list_json(db, "nominations", "--award", "Innovation", capsys=capsys)
    assert [(r["film"]["title"], r["result"]) for r in rows] == [
        ("The Defector: Escape from North Korea", "nominated"),
        ("Alma, a Tale of Violence", "won"),
    ]
    inspiration = list_json(db, "nominations", "--person", "Nick Fraser", capsys=capsys)
    assert inspiration[0]["film"] is None
    assert inspiration[0]["person"]["name"] == "Nick Fraser"


def _golden(name: str, actual: str) -> None:
    matches(GOLDEN / name, actual.encode())


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_output_contract_is_pinned(
    db: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same golden file on both backends: they hand back the same values.
    assert run(["--db", db, "list", "--include-private", "--format", fmt]) == 0
    _golden(f"list-screenings.{fmt}", capsys.readouterr().out)


def test_json_keys_are_always_present(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list_json(db, "--include-private", capsys=capsys)
    keys = {frozenset(r) for r in rows}
    assert len(keys) == 1
    tba = next(r for r in rows if r["local_time"] is None)
    assert tba["venue"] is None
    assert tba["edition"] is None
    assert tba["starts_at_utc"] is None
    assert tba["start"] == "2013-06-11"
    hot_docs = next(r for r in rows if r["local_date"] == "2013-04-27")
    assert hot_docs["start"] == "2013-04-27T21:30:00-04:00"
    assert hot_docs["starts_at_utc"] == "2013-04-28T01:30:00Z"
    assert hot_docs["length_minutes"] == 71  # the film's runtime: no slot of its own
    alma = next(r for r in rows if r["film"]["title"].startswith("Alma"))
    assert alma["length_minutes"] == 90  # neither: the default


def test_list_without_dates_imports_nothing_heavy(db: str) -> None:
    probe = (
        "import sys\n"
        "from screenings.cli import run\n"
        f"code = run(['--db', {db!r}, 'list', '--film', 'The Act of Killing', '--limit', '20'])\n"
        "heavy = {'alembic', 'icalendar', 'dateutil.parser', 'http.server', 'screenings.web',"
        " 'jinja2', 'gevent', 'gunicorn', 'ftfy', 'screenings.server'}\n"
        "print(code, sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "0 []"


def test_a_list_of_today_is_relative(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    today = dt.date.today().isoformat()
    assert shown(db, "--on", today, capsys=capsys) == shown(db, "--on", "today", capsys=capsys)
