"""`screenings list` on messy data: accents, duplicates, unknown parts. Both backends."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from screenings.cli import run
from screenings.cli.render import _cells, render_table
from screenings.db import create_db_engine, unit_of_work
from screenings.migrate import upgrade_schema
from screenings.models import Award, Edition, Festival, Film, Screening, Venue
from screenings.records import EditionRef, FilmRef, ScreeningView, VenueRef


def messy(session: Session) -> None:
    def add(row: Any) -> Any:
        session.add(row)
        session.flush()
        return row

    fnc = add(Festival(name="Festival du Nouveau Cinéma", slug="fnc", city="Montréal",
                       timezone="America/Toronto"))  # fmt: skip
    fnc13 = add(Edition(festival=fnc, year=2013, slug="fnc-2013"))
    add(Edition(festival=fnc, year=2013, label="Online", slug="fnc-2013-online"))
    parc = add(Venue(name="Cinéma du Parc", slug="cinema-du-parc", city="Montréal",
                     timezone="America/Toronto"))  # fmt: skip
    add(Venue(name="Cinéma du Parc", slug="cinema-du-parc-2", city="Paris"))
    add(Venue(name="Odeon", slug="odeon", city="London"))
    add(Venue(name="Odeon", slug="odeon-2", city=None))
    birdman = add(Film(title="Birdman or (The Unexpected Virtue of Ignorance)", slug="birdman",
                       year=2014))  # fmt: skip
    add(Film(title="Solaris", slug="solaris", year=1972))
    add(Film(title="Solaris", slug="solaris-2", year=None))
    orebro = add(Festival(name="Örebro Filmfestival", slug="orebro", city="Örebro",
                          timezone="Europe/Stockholm"))  # fmt: skip
    orebro13 = add(Edition(festival=orebro, year=2013, slug="orebro-2013"))
    day = dt.date(2013, 10, 12)
    for n, (venue, edition, city, audience) in enumerate(
        [(parc, fnc13, "Laval", None), (parc, fnc13, None, "Étudiants"),
         (None, orebro13, None, None)], start=1,
    ):  # fmt: skip
        add(Screening(uid=f"messy-{n}@test", film=birdman, venue=venue, edition=edition,
                      city=city, local_date=day, local_time=dt.time(18 + n),
                      timezone="America/Toronto" if venue else "Europe/Stockholm",
                      audience=audience))  # fmt: skip
    add(Award(name="Prix du public", festival=fnc))
    add(Award(name="Prix du public", festival=orebro))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("messy") / "messy.sqlite3")
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with unit_of_work(engine) as session:
        messy(session)
    engine.dispose()
    yield url


def listed(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert run(["--db", db, "list", *args, "--format", "json"]) == 0, capsys.readouterr().err
    document = json.loads(capsys.readouterr().out)
    return document[next(k for k in document if k != "version")]  # type: ignore[no-any-return]


def failed(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["--db", db, "list", *args])
    return code, capsys.readouterr().err.removeprefix("screenings: error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("args", "cities"),
    [
        (["--city", "Montreal"], ["Montréal"]),  # accents do not matter
        (["--city", "LAVAL"], ["Laval"]),  # the screening's own city, as shown
        (["--city", "örebro"], ["Örebro"]),  # no venue: the festival's city, as shown
        (["--audience", "etudiants"], ["Montréal"]),
    ],
)
def test_places_and_audiences_match_by_key(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], cities: list[str]
) -> None:
    assert [r["city"] for r in listed(db, capsys, *args)] == cities


def test_exact_names_win(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = listed(db, capsys, "--film", "Birdman or (The Unexpected Virtue of Ignorance)")
    assert len(rows) == 3
    at_parc = listed(db, capsys, "--venue", "cinema du parc (montreal)")
    assert {r["venue"]["city"] for r in at_parc} == {"Montréal"}
    assert len(listed(db, capsys, "--edition", "Festival du Nouveau Cinéma 2013")) == 2
    assert listed(db, capsys, "films", "--year", "1972")[0]["title"] == "Solaris"


def test_a_slug_never_wins_over_an_ambiguous_name(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, message = failed(db, capsys, "--venue", "odeon")
    assert code == 4
    assert message.startswith("--venue: 'odeon' matches 2: Odeon (city unknown, #")
    assert "Odeon (London, #" in message


def test_a_suggestion_tells_apart_the_names_it_offers(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, message = failed(db, capsys, "--venue", "Cinema du Prc")
    assert code == 3
    assert "'Cinéma du Parc (Montréal, #" in message
    assert "'Cinéma du Parc (Paris, #" in message


def test_an_award_is_found_among_its_festivals(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert listed(db, capsys, "nominations", "--award", "Prix du public", "--festival", "FNC") == []
    code, message = failed(db, capsys, "nominations", "--award", "Prix du public")
    assert (code, message.split(":")[0]) == (4, "--award")


def test_unknown_parts_sort_last_on_both_backends(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    films = [(f["title"], f["year"]) for f in listed(db, capsys, "films")]
    assert films[-2:] == [("Solaris", 1972), ("Solaris", None)]
    venues = [(v["name"], v["city"]) for v in listed(db, capsys, "venues")]
    assert venues[-2:] == [("Odeon", "London"), ("Odeon", None)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--in", "0000"], 2, "--in: '0000': expected a year from 1870 to 2200"),
        (["--to", "December 9999"], 2, "--to: 'December 9999': expected a year from 1870 to 2200"),
        (["--film", "#99999999999999999999"], 3, "--film: no film has id #99999999999999999999"),
        (["--film", "Solaris (99999999999)"], 2,
         "--film: expected a year in parentheses, got '99999999999'"),
        (["--festival", "FNC", "--year", "99999999999"], 2,
         "--year: expected a year from 1870 to 2200"),
        (["--edition", "fnc-2013", "--year", "2012"], 2,
         "--year: --edition already names the year"),
        (["--film", ""], 2, "--film: empty name"),
        (["--city", " "], 2, "--city: empty"),
        (["--on", "11 June 13"], 2,
         "--on: '11 June 13' has a two-digit year; write the year in full"),
        (["--on", "Wednesday 11 June 2013"], 2,
         "--on: 'Wednesday 11 June 2013': 11 June 2013 is a Tuesday"),
        (["--on", "2013-06-11T18:00"], 2,
         "--on: '2013-06-11T18:00' has a time; expected a day or a span of days"),
    ],
)  # fmt: skip
def test_out_of_range_and_empty_inputs_are_one_line(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    assert failed(db, capsys, *args) == (code, message)


def test_a_huge_limit_means_no_limit(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(listed(db, capsys, "--limit", "99999999999999999999")) == 3


def test_statuses_ignore_case(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(listed(db, capsys, "--status", "SCHEDULED")) == 3


def test_a_narrow_table_keeps_dates_whole_and_wide_characters_aligned() -> None:
    row = ScreeningView(
        1, "u", FilmRef(1, "千と千尋の神隠し", 2001), VenueRef(1, "Showroom Cinema", "Sheffield"),
        EditionRef(1, "Sheffield Doc/Fest", 2013, None), "Sheffield", dt.date(2013, 6, 14), None,
        "Europe/London", "2013-06-14", None, None, 90, "regular", "scheduled", "private", None,
        None, None, None, 0, dt.datetime(2013, 5, 23, tzinfo=dt.UTC),
    )  # fmt: skip
    for width in (66, None):  # eight columns, none cut below six cells
        lines = render_table(ScreeningView, [row, row._replace(visibility="public")], width)
        table = lines.splitlines()
        assert table[2].startswith("#1  2013-06-14  time TBA  ")
        assert "private" in table[2] or width
        if width:
            assert max(_cells(line) for line in table) <= width
        else:
            assert table[2].index("Showroom") == table[3].index("Showroom")
