"""Every declared screening filter, through every door it is declared for, selects the
same screenings: the command line's option (``list``), the feed server's parameter, a
secret feed's stored form. Both databases."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import insert

from screenings import tables
from screenings.cli import run
from screenings.config import Settings
from screenings.db import create_db_engine, unit_of_work
from screenings.filters import CLI, FILTERS, SECRET, WEB, filters_for
from screenings.migrate import upgrade_schema
from screenings.models import Credit, Selection
from screenings.query import SQL
from screenings.services.secret_feeds import TARGETS, create_secret_feed, secret_query
from screenings.web import PARAMETERS, FeedApp
from tests import factories as make

# A value for each filter, with what it selects of screenings A, B and C (C is private).
# The year is given with its festival, as every door takes it.
VALUES: dict[str, tuple[Any, set[str]]] = {
    "film": ("The Defector", {"A"}),
    "person": ("Ann Shin", {"A"}),
    "director": ("ann shin", {"A"}),
    "festival": ("Sheffield Doc/Fest", {"A", "B"}),
    "edition": ("Sheffield Doc/Fest 2099", {"A"}),
    "year": (2012, {"B"}),
    "venue": ("Showroom Cinema", {"A"}),
    "city": ("SHEFFIELD", {"A"}),
    "country": ("ca", {"B"}),
    "from": ("2099-01-01", {"A"}),
    "to": ("1 January 2013", {"B"}),
    "on": ("2099-06-14", {"A"}),
    "in": ("2012", {"B"}),
    "upcoming": (True, {"A"}),
    "status": (["Canceled"], {"B"}),
    "kind": (["Gala"], {"B"}),
    "section": ("competition", {"A"}),
    "audience": ("Members of Parliament", {"A"}),
    "include_private": (True, {"A", "B", "C"}),
    # A plan that takes private screenings, and chose A and C.
    "plan": ("ANN'S PLAN", {"A", "C"}),
}


def _catalogue(url: str) -> dict[int, str]:
    """Three screenings that the filters tell apart; their ids -> A, B, C."""
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with unit_of_work(engine) as session:
        sheffield = make.festival(session, "Sheffield Doc/Fest", country="GB")
        future = make.edition(session, sheffield, 2099)
        past = make.edition(session, sheffield, 2012)
        showroom = make.venue(session, "Showroom Cinema", country="GB", timezone="Europe/London")
        bloor = make.venue(session, "Bloor", city="Toronto", country="CA", timezone="Etc/UTC")
        defector = make.film(session, "The Defector", year=2012)
        tokyo = make.film(session, "Tokyo Waka", year=2013)
        session.add(Credit(film=defector, person=make.person(session), role="director"))
        session.add(Selection(film=defector, edition=future, section="Competition"))
        a = make.screening(
            session,
            defector,
            dt.date(2099, 6, 14),
            venue=showroom,
            edition=future,
            audience="members of parliament",
        )
        b = make.screening(
            session,
            tokyo,
            dt.date(2012, 6, 10),
            venue=bloor,
            edition=past,
            status="cancelled",
            kind="gala",
            timezone="Etc/UTC",
        )
        c = make.screening(session, defector, dt.date(2099, 7, 1), visibility="private")
        named = {a.id: "A", b.id: "B", c.id: "C"}
        session.flush()
        plan = tables.plan
        plan_id = session.execute(
            insert(plan)
            .values(name="Ann's plan", name_key="ann's plan", include_private=True)
            .returning(plan.c.id)
        ).scalar_one()
        for chosen in (a, c):
            session.execute(
                insert(tables.plan_choice).values(
                    plan_id=plan_id, screening_id=chosen.id, status="scheduled", said="-"
                )
            )
    engine.dispose()
    return named


def _given(name: str) -> dict[str, Any]:
    value = VALUES[name][0]
    return {"festival": "Sheffield Doc/Fest", "year": value} if name == "year" else {name: value}


def _by_command_line(url: str, name: str, capsys: pytest.CaptureFixture[str]) -> list[int]:
    args = []
    for each, value in _given(name).items():
        option = next(f.cli_option for f in FILTERS if f.name == each)
        if value is True:
            args.append(option)
        else:
            for one in value if isinstance(value, list) else [value]:
                args += [option, str(one)]
    capsys.readouterr()
    code = run(["--db", url, "list", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [s["id"] for s in json.loads(out)["screenings"]]


def _by_web_parameter(url: str, name: str) -> list[int]:
    pairs = [(k, v) for k, value in _given(name).items() for v in _listed(value)]
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/feeds/all.json",
        "QUERY_STRING": urlencode(pairs),
        "SERVER_NAME": "films.example.org",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
    }
    answer: list[str] = []
    app = FeedApp(Settings(url, default_timezone="Europe/London"))
    body = b"".join(app(environ, lambda status, headers: answer.append(status)))
    assert answer == ["200 OK"], body
    return [s["id"] for s in json.loads(body)["screenings"]]


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _by_secret_feed(url: str, name: str) -> list[int]:
    engine = create_db_engine(url)
    try:
        with unit_of_work(engine) as session:
            _feed, token, _notes = create_secret_feed(
                session, f"feed of {name}", _given(name), settings=Settings(url)
            )
        with unit_of_work(engine, write=False) as session:
            query, _, _ = secret_query(session, token, default_length_minutes=90)
            return [s.id for s in query.run(session).screenings]
    finally:
        engine.dispose()


def test_every_filter_selects_alike_through_every_door(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = new_url(backend)
    named = _catalogue(url)
    wrong = []
    walked = 0
    doors: dict[str, Callable[[str], list[int]]] = {
        CLI: lambda name: _by_command_line(url, name, capsys),
        WEB: lambda name: _by_web_parameter(url, name),
        SECRET: lambda name: _by_secret_feed(url, name),
    }
    for declared in FILTERS:
        expected = VALUES[declared.name][1]
        for door in sorted(declared.doors):
            got = {named[number] for number in doors[door](declared.name)}
            walked += 1
            if got != expected:
                wrong.append(f"{declared.name} through {door}: {sorted(got)}, not {expected}")
    assert wrong == []
    assert walked == sum(len(f.doors) for f in FILTERS) == 50


def test_each_filter_has_its_sql_and_a_value_here() -> None:
    assert set(SQL) == {f.name for f in FILTERS} == set(VALUES)


def test_a_private_filter_is_never_a_web_parameter() -> None:
    assert "include_private" not in PARAMETERS
    assert {f.name for f in filters_for(WEB)} <= set(PARAMETERS)
    assert all(f.refers is None for f in filters_for(WEB))  # the address names a record


def test_a_secret_feed_keeps_a_reference_column_for_each_filter_naming_a_record() -> None:
    assert set(TARGETS) == set(tables.FEED_TARGETS)
    assert {f"{name}_id" for name in TARGETS} <= set(tables.feed_token.c.keys())


def test_a_stored_feed_names_no_record_by_number(
    backend: str, new_url: Callable[[str], str]
) -> None:
    """A filter that names a record is stored as an enforced reference, never as a number
    in the JSON: a feed made for a film keeps no id among its stored filters."""
    url = new_url(backend)
    _catalogue(url)
    engine = create_db_engine(url)
    with unit_of_work(engine) as session:
        create_secret_feed(
            session, "jury", {"film": "The Defector", "venue": "Showroom"}, settings=Settings(url)
        )
        row = session.execute(tables.feed_token.select()).one()
        assert row.filters == {"version": 2, "cancelled": "mark"}
        assert row.film_id is not None and row.venue_id is not None
    engine.dispose()
