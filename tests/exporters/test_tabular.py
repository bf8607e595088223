"""The JSON of the output contract, written straight from the records, is the json
module's, byte for byte, for every kind of value a record holds."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from screenings.exporters.tabular import render_json, render_json_record
from screenings.records import (
    EditionRef,
    FilmRef,
    FilmView,
    ProgrammeRef,
    ScreeningView,
    ShownFilm,
    VenueRef,
    VenueView,
    as_dict,
)


def _screening(number: int, **changes: object) -> ScreeningView:
    view = ScreeningView(
        id=number,
        uid=f"{number}@example.org",
        film=FilmRef(1, 'Title "quoted" \\ back\tslash', 2012),
        venue=VenueRef(2, "Kino Ünïcode ✓ 東京", None),
        edition=EditionRef(3, "DocPoint", 2026, None),
        city="Helsinki\u2028line",
        local_date=dt.date(2026, 1, 29),
        local_time=dt.time(18, 0),
        timezone="Europe/Helsinki",
        start="2026-01-29T18:00:00+02:00",
        starts_at_utc=dt.datetime(2026, 1, 29, 16, 0, tzinfo=dt.UTC),
        duration_minutes=None,
        length_minutes=78,
        kind="regular",
        status="scheduled",
        visibility="public",
        audience=None,
        section="\x1f control",
        ticket_url=None,
        notes="two\nlines",
        sequence=0,
        updated_at=dt.datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=dt.UTC),
        programme=None,
        films=[ShownFilm(1, "A", None, 1)],
    )
    return view._replace(**changes)


def _json_module(kind: str, rows: list[Any], version: int = 2) -> bytes:
    document = {"version": version, kind: [as_dict(row) for row in rows]}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def test_screenings_as_the_json_module_writes_them() -> None:
    rows = [
        _screening(1),
        _screening(2, film=None, programme=ProgrammeRef(9, "Shorts 1"),
                   films=[ShownFilm(4, "B", 2020, 1), ShownFilm(5, "C", None, 2)]),
        _screening(3, local_time=None, starts_at_utc=None, films=[], venue=None),
    ]  # fmt: skip
    assert render_json("screenings", ScreeningView, rows) == _json_module("screenings", rows)
    assert render_json("screenings", ScreeningView, []) == _json_module("screenings", [])


def test_other_kinds_with_lists_and_floats() -> None:
    films = [
        FilmView(1, "Москва", None, 2000, None, ["FI", "SE"], [], None, None, "moskva", []),
        FilmView(2, "=1+1", "x", None, 71, [], ["fi"], "tt1", "https://x", "x", ["Ann"]),
    ]
    assert render_json("films", FilmView, films) == _json_module("films", films)
    venues = [
        VenueView(1, "Bio Rex", "bio-rex", None, "Helsinki", "FI", "Europe/Helsinki",
                  60.1699, -24.938),
        VenueView(2, "Nowhere", "nowhere", None, None, None, None, 0.1, 1e-07),
    ]  # fmt: skip
    assert render_json("venues", VenueView, venues) == _json_module("venues", venues)


def test_plain_tuples_bools_and_version_1() -> None:
    from screenings.records import CreditRef, FilmShow, ScreeningViewV1, contract_one

    shows = [
        FilmShow(
            FilmView(1, "A", None, 2000, None, [], [], None, None, "a", []),
            [CreditRef("director", "X")],
            [],
            [],
            [],
            ("Other name", "Third"),
        )
    ]
    assert render_json("films", FilmShow, shows) == _json_module("films", shows)
    older = [contract_one(_screening(1))]
    expected = _json_module("screenings", older, version=1)
    assert render_json("screenings", ScreeningViewV1, older) == expected


def test_one_record() -> None:
    record = _screening(7)
    expected = json.dumps(
        {"version": 2, "screening": as_dict(record)}, indent=2, sort_keys=True, ensure_ascii=False
    )
    assert render_json_record("screening", record) == (expected + "\n").encode()
