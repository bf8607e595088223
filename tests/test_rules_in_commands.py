"""The rules of a value through the command line's add and edit, the feed server's
parameters and secret feeds (issue 19, bugs B, C, F, G), on SQLite and PostgreSQL.

A value refused by one door is refused by every door, before the database sees it,
with the rule's words, the field named in the door's own terms; one line on stderr, no
traceback, and the database as it was (a dump of every table compared).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine

from screenings import tables
from screenings.cli import run
from screenings.config import load_settings
from screenings.errors import InvalidInput
from screenings.web import FeedApp
from tests import test_curation
from tests.dumps import dump

Cli = Callable[..., tuple[int, str, str]]
LONG = "x" * 5000
SHOWING = (
    "The Defector — Fri 14 Jun 2013, 18:00 (Europe/London) · Showroom Cinema, Sheffield · "
    "Sheffield Doc/Fest 2013 · regular"
)


# The catalogue every test here starts from (conftest.copied_catalogue): one festival's
# edition, a venue, a film in its programme, a screening (#1), an award and a nomination.
START = [
    *test_curation.START,
    ["add", "selection", "The Defector", "--edition", "Sheffield Doc/Fest 2013"],
    ["add", "screening", "The Defector", "--edition", "Sheffield Doc/Fest 2013", "--venue",
     "Showroom", "--on", "2013-06-14", "--at", "18:00"],
    ["add", "award", "Innovation Award", "--festival", "Sheffield Doc/Fest"],
    ["add", "nomination", "--award", "Innovation Award", "--year", "2013", "--film",
     "The Defector"],
]  # fmt: skip


@pytest.fixture
def url(
    backend: str,
    copied_catalogue: Callable[[str, str, list[list[str]]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    for name in ("SCREENINGS_TIMEZONE", "SCREENINGS_DATE_ORDER"):
        monkeypatch.delenv(name, raising=False)
    return copied_catalogue(backend, "rules-in-commands", START)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """screenings on a copy of START: (exit code, stdout, stderr)."""
    capsys.readouterr()

    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def screening(cli: Cli) -> dict[str, Any]:
    code, out, err = cli("list", "--include-private", "--format", "json")
    assert code == 0, err
    (first, *_) = json.loads(out)["screenings"]
    return dict(first)


def refused(cli: Cli, url: str, args: list[str], message: str) -> None:
    """``args`` is refused with ``message``, in one line, and writes nothing."""
    before = dump(url)
    assert cli(*args) == (2, "", f"screenings: error: {message}\n")
    assert dump(url) == before


# --- Bugs C and F: text by the rules of the column it lands in ------------------------------
# What every door refuses is in tests/test_one_rule_every_door.py; here, what it keeps.


def test_a_text_is_kept_tidied_and_whitespace_controls_are_whitespace(cli: Cli) -> None:
    code, out, err = cli("add", "venue", "Lux", "--city", "  Tor\tonto ", "--address", "1\n2")
    assert (code, err) == (0, "")
    assert out == "Added venue #2: Lux · Tor onto\n"
    assert cli("edit", "screening", "1", "--note", "line one\r\nline two\t(2)")[0] == 0
    assert screening(cli)["notes"] == "line one\nline two\t(2)"


def test_a_service_names_a_field_in_its_own_terms_without_a_door(url: str, cli: Cli) -> None:
    """A service speaks the domain: called by no door, it names the field itself."""
    from screenings.db import create_db_engine, unit_of_work
    from screenings.services.schedule import add_screening
    from screenings.timeparse import When

    engine = create_db_engine(url)
    try:
        with pytest.raises(InvalidInput) as caught, unit_of_work(engine) as session:
            add_screening(
                session,
                load_settings(url),
                "The Defector",
                when=When(dt.date(2013, 6, 15)),
                venue="Showroom",
                ticket_url="tickets please",
            )
    finally:
        engine.dispose()
    assert caught.value.message == (
        "ticket_url: 'tickets please' is not a web address; expected https://..."
    )


# --- The feed server's parameters ---------------------------------------------------------


@pytest.fixture
def feeds(url: str, cli: Cli) -> Iterator[Callable[[str], tuple[str, bytes]]]:
    """GET a path of the feed server's WSGI application on the catalogue."""
    app = FeedApp(load_settings(url), base_url="http://feeds.example")
    answers: list[str] = []

    def get(path: str) -> tuple[str, bytes]:
        target, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": target,
            "QUERY_STRING": query,
            "SERVER_NAME": "feeds.example",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
        answers.clear()
        body = b"".join(app(environ, lambda status, headers: answers.append(status)))
        return answers[0], body

    yield get
    if app._engine is not None:
        app._engine.dispose()


def test_a_kind_parameter_is_read_as_kinds_are_kept(
    cli: Cli, feeds: Callable[[str], tuple[str, bytes]]
) -> None:
    assert cli("edit", "screening", "1", "--kind", "Special Screening")[0] == 0
    status, body = feeds("/feeds/all.ics?kind=special%20screening")
    assert status == "200 OK"
    assert len(Calendar.from_ical(body).walk("VEVENT")) == 1


# --- Bug B: one spelling of a zone for a venue and its screenings --------------------------


@pytest.mark.parametrize(
    ("typed", "kept", "utc"),
    [("europe/paris", "Europe/Paris", "2013-06-14T16:00:00Z"),
     ("US/Eastern", "America/New_York", "2013-06-14T22:00:00Z")],
)  # fmt: skip
def test_a_venue_s_new_zone_is_its_screenings_in_one_spelling(
    cli: Cli, typed: str, kept: str, utc: str
) -> None:
    code, out, err = cli("edit", "venue", "Showroom Cinema", "--timezone", typed)
    assert (code, err) == (0, "")
    assert out == f"Updated venue #1: Showroom Cinema · Sheffield · {kept}\n"
    shown = screening(cli)
    assert (shown["timezone"], shown["starts_at_utc"], shown["sequence"]) == (kept, utc, 1)


def test_a_venue_s_zone_given_again_moves_a_screening_that_had_another(cli: Cli, url: str) -> None:
    # A screening whose zone is not its venue's (written by hand, or by an old version):
    # the venue's zone given as it is brings it into line, and calendars are told.
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(tables.screening.update().values(timezone="Europe/Dublin"))
    engine.dispose()
    code, out, err = cli("edit", "venue", "Showroom Cinema", "--timezone", "Europe/London")
    assert (code, err) == (0, "")
    assert out == "Updated venue #1: Showroom Cinema · Sheffield · Europe/London\n"
    shown = screening(cli)
    assert (shown["timezone"], shown["sequence"]) == ("Europe/London", 1)


def test_a_venue_s_new_zone_that_skips_a_screening_s_time_names_the_screening(
    cli: Cli, url: str
) -> None:
    # 01:30 on 31 March 2013 is a time in Paris, and none in London (the clocks skip it).
    assert cli("edit", "venue", "Showroom Cinema", "--timezone", "Europe/Paris")[0] == 0
    assert cli("edit", "screening", "1", "--at", "2013-03-31 01:30")[0] == 0
    before = dump(url)
    assert cli("edit", "venue", "Showroom Cinema", "--timezone", "europe/london") == (
        2,
        "",
        "screenings: error: --timezone: screening #1 at 2013-03-31 01:30 does not exist in "
        "Europe/London: the clocks go forward from +00:00 to +01:00 then; did you mean 00:30 "
        "(+00:00) or 02:30 (+01:00)? (move it first: change the time of screening #1)\n",
    )
    assert dump(url) == before


# --- Bug G: empty values and dates ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["--dayfirst", "--monthfirst", "list"], ["--monthfirst", "--dayfirst", "add", "edition",
     "Sheffield Doc/Fest", "2014", "--from", "11/06/2014"]],
)  # fmt: skip
def test_both_date_orders_at_once_are_refused(cli: Cli, url: str, args: list[str]) -> None:
    refused(
        cli, url, args, "--dayfirst, --monthfirst: both orders given; give one of dayfirst or "
        "monthfirst"
    )  # fmt: skip


def test_both_date_orders_at_once_are_refused_by_import(cli: Cli, url: str, tmp_path: Path) -> None:
    lineup = tmp_path / "lineup.csv"
    lineup.write_text(
        "Title,Festival,Edition,Venue,City,Date,Time,Timezone\n"
        "Mothers,Sheffield Doc/Fest,2013,Showroom Cinema,Sheffield,12/06/2013,18:00,"
        "Europe/London\n"
    )
    refused(
        cli, url, ["import", str(lineup), "--dayfirst", "--monthfirst"],
        "--dayfirst, --monthfirst: both orders given; give one of dayfirst or monthfirst",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [(["add", "edition", "Sheffield Doc/Fest", "2015", "--from", "2014-05-05", "--to",
       "2014-05-10"], "--from: 2014-05-05 is not in 2015, the edition's year"),
     (["add", "edition", "Sheffield Doc/Fest", "2015", "--to", "2017-01-02"],
      "--to: 2017-01-02 is not in 2015, the edition's year (nor in 2016, for an edition "
      "running over New Year)"),
     (["add", "edition", "Sheffield Doc/Fest", "2015", "--from", "2015-12-28", "--to",
       "3 January"], "--to: 2015-01-03 is before --from 2015-12-28 (an edition running over "
      "New Year ends in 2016)"),
     (["edit", "edition", "Sheffield Doc/Fest 2013", "--year", "2014"],
      "--from: 2013-06-12 is not in 2014, the edition's year"),
     (["edit", "edition", "Sheffield Doc/Fest 2013", "--to", "2012-06-16"],
      "--to: 2012-06-16 is before --from 2013-06-12")],
)  # fmt: skip
def test_an_edition_s_days_must_fit_its_year(
    cli: Cli, url: str, args: list[str], message: str
) -> None:
    refused(cli, url, args, message)


@pytest.mark.parametrize(
    ("args", "said"),
    [(["2015", "--from", "2015-12-28", "--to", "2016-01-03"], "2015-12-28 to 2016-01-03"),
     (["2016", "--to", "2016-05-03"], "? to 2016-05-03"),
     (["2017", "--from", "28 April"], "2017-04-28 to ?")],
)  # fmt: skip
def test_an_edition_running_over_new_year_is_kept_and_its_days_said(
    cli: Cli, args: list[str], said: str
) -> None:
    code, out, err = cli("add", "edition", "Sheffield Doc/Fest", *args)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"Added edition #2: Sheffield Doc/Fest {args[0]} · {said}"


def test_an_empty_value_clears_every_optional_value_of_an_edit(cli: Cli) -> None:
    assert cli("edit", "film", "The Defector", "--imdb", "tt2407504", "--website",
               "https://thedefectormovie.com")[0] == 0  # fmt: skip
    code, out, err = cli(
        "edit", "film", "The Defector", "--year", "", "--runtime", "", "--imdb", "",
        "--website", "", "--director", "",
    )  # fmt: skip
    assert (code, out, err) == (0, "Updated film #1: The Defector\n  film address "
                                "'the-defector-2012' is now 'the-defector'; the old one leads "
                                "there\n  1 screening(s) updated for calendars\n", "")  # fmt: skip
    code, out, _ = cli("list", "films", "--format", "json")
    (film,) = json.loads(out)["films"]
    assert [film[k] for k in ("year", "runtime_minutes", "imdb_id", "website", "directors")] == [
        None, None, None, None, [],
    ]  # fmt: skip
    assert cli("edit", "screening", "1", "--duration", "95")[0] == 0
    assert cli("edit", "screening", "1", "--duration", "")[0] == 0
    assert screening(cli)["duration_minutes"] is None
    assert cli("edit", "venue", "Showroom", "--lat", "53.38", "--lon", "-1.47")[0] == 0
    assert cli("edit", "venue", "Showroom", "--lat", "", "--lon", "", "--address", "")[0] == 0
    assert cli("edit", "festival", "Sheffield Doc/Fest", "--timezone", "", "--city", "")[0] == 0
    assert cli("edit", "edition", "Sheffield Doc/Fest 2013", "--from", "", "--to", "")[0] == 0
    cleared = {
        "venues": ("latitude", "longitude", "address"),
        "festivals": ("timezone", "city"),
        "editions": ("starts_on", "ends_on"),
    }
    for kind, fields in cleared.items():
        code, out, _ = cli("list", kind, "--format", "json")
        (record,) = json.loads(out)[kind]
        assert [record[field] for field in fields] == [None] * len(fields), kind


@pytest.mark.parametrize(
    ("args", "message"),
    [(["edit", "edition", "Sheffield Doc/Fest 2013", "--year", ""],
      "--year: empty; an edition is of a year"),
     (["edit", "nomination", "1", "--year", ""], "--year: empty; a nomination is of a year"),
     (["edit", "film", "The Defector", "--title", ""], "--title: empty; expected a name"),
     (["edit", "screening", "1", "--timezone", ""],
      "--timezone: empty; a screening is always in a zone"),
     (["edit", "film", "The Defector", "--year", "soon"], "--year: 'soon' is not a whole number"),
     (["edit", "venue", "Showroom", "--lat", "53.38"], "--lat: give --lat and --lon together")],
)  # fmt: skip
def test_an_empty_value_is_refused_where_a_value_is_required(
    cli: Cli, url: str, args: list[str], message: str
) -> None:
    refused(cli, url, args, message)


@pytest.mark.parametrize("at", ["TBA", ""])
def test_an_unknown_time_keeps_the_date_and_makes_an_all_day_event(cli: Cli, at: str) -> None:
    code, out, err = cli("edit", "screening", "1", "--at", at)
    assert (code, err) == (0, "")
    assert out == "Updated screening #1: " + SHOWING.replace("18:00", "time TBA") + "\n"
    shown = screening(cli)
    assert (shown["local_date"], shown["local_time"], shown["sequence"]) == ("2013-06-14", None, 1)
    code, ics, _ = cli("export", "ics")
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date(2013, 6, 14)
    assert (event["SEQUENCE"], event["DTSTART"].params.get("VALUE")) == (1, "DATE")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["edit", "screening", "1", "--at", "25:00"],
      "--at: '25:00' is not a time of day: its hour is 25; expected 00 to 23"),
     (["edit", "screening", "1", "--at", "2013-06-15 18:60"],
      "--at: '18:60' is not a time of day: its minute is 60; expected 00 to 59"),
     (["add", "screening", "The Defector", "--venue", "Showroom", "--at", "24:30"],
      "--at: '24:30' is not a time of day: its hour is 24; expected 00 to 23"),
     (["add", "screening", "The Defector", "--venue", "Showroom", "--on", "25:00"],
      "--on: '25:00' is not a time of day: its hour is 25; expected 00 to 23")],
)  # fmt: skip
def test_a_time_that_is_none_says_what_is_wrong_with_it(
    cli: Cli, url: str, args: list[str], message: str
) -> None:
    refused(cli, url, args, message)


# --- An edit that changes nothing says so, and only that ---------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [(["screening", "1", "--at", "18:00", "--kind", "Regular"],
      f"screening #1 already is {SHOWING}"),
     (["film", "The Defector", "--year", "2012", "--director", "Ann Shin"],
      "film #1 already is The Defector (2012) · 71 min · director: Ann Shin"),
     (["person", "Ann Shin", "--name", "Ann  Shin"], "person #1 already is Ann Shin"),
     (["festival", "Sheffield Doc/Fest", "--city", "Sheffield", "--timezone", "europe/london"],
      "festival #1 already is Sheffield Doc/Fest · Sheffield · Europe/London"),
     (["edition", "Sheffield Doc/Fest 2013", "--from", "2013-06-12"],
      "edition #1 already is Sheffield Doc/Fest 2013 · 2013-06-12 to 2013-06-16"),
     (["venue", "Showroom Cinema", "--timezone", "Europe/London"],
      "venue #1 already is Showroom Cinema · Sheffield · Europe/London"),
     (["selection", "The Defector", "--edition", "Sheffield Doc/Fest 2013", "--status",
       "selected"], "selection #1 already is The Defector (2012, #1) in Sheffield Doc/Fest 2013 "
      "(#1) · selected"),
     (["award", "Innovation Award", "--festival", "Sheffield Doc/Fest"],
      "award #1 already is Innovation Award · Sheffield Doc/Fest"),
     (["nomination", "1", "--result", "nominated"],
      "nomination #1 already is Innovation Award 2013 · The Defector (2012) · nominated")],
)  # fmt: skip
def test_an_edit_that_changes_nothing_says_only_that(cli: Cli, args: list[str], said: str) -> None:
    assert cli("edit", *args) == (0, f"nothing changed: {said}\n", "")
    assert screening(cli)["sequence"] == 0
