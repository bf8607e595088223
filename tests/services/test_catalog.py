"""Films, people, festivals, editions and venues, added and edited through the services,
on both databases: what is stored, what is refused and which field a refusal is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from screenings.db import unit_of_work
from screenings.errors import Conflict, InvalidInput, ScreeningsError
from screenings.models import Credit, Film, Person, Screening
from screenings.services.catalog import (
    add_edition,
    add_festival,
    add_film,
    add_person,
    add_venue,
    count_rows,
    edit_film,
    edit_person,
    edit_venue,
)
from tests import factories as make

JUNE_16 = dt.date(2013, 6, 16)


def test_a_film_is_stored_tidied_with_its_people(session: Session) -> None:
    saved = add_film(
        session,
        "  The   Defector ",
        year=2012,
        runtime_minutes=71,
        countries=["Canada", " "],
        directors=["Ann  Shin"],
        producers=["Ann Shin", "Hans Olson"],
        links=[("Website", "https://thedefectormovie.com")],
    )
    assert saved.record.film.title == "The Defector"
    assert saved.record.film.directors == ["Ann Shin"]
    assert saved.record.film.countries == ["Canada"]
    assert saved.record.credits == [
        ("director", "Ann Shin"), ("producer", "Ann Shin"), ("producer", "Hans Olson")
    ]  # fmt: skip
    assert saved.record.links == [("website", "https://thedefectormovie.com")]
    # The two people are new: each is said once, and Ann Shin is one person.
    assert [note for note in saved.notes if note.startswith("created person")] == [
        f"created person #{p.id}: {p.name}"
        for p in session.scalars(select(Person).order_by(Person.id))
    ]
    assert session.scalar(select(Film.website)) is None  # a link is no website field


@pytest.mark.parametrize(
    ("values", "field", "detail"),
    [
        ({"title": ""}, "title", "empty; expected a name"),
        ({"runtime_minutes": 0}, "runtime_minutes", "expected a positive number of minutes"),
        ({"year": 1700}, "year", "expected a year from"),
        ({"imdb_id": "2407504"}, "imdb_id", "is not an IMDb id"),
        ({"website": "thedefectormovie"}, "website", "is not a web address"),
        ({"original_title": "A\x00B"}, "original_title", "holds a control character"),
        ({"credits": [("", "Ann Shin")]}, "credits", "empty; expected e.g."),
    ],
)
def test_a_bad_film_value_is_refused_about_its_field(
    connection: Connection, values: dict[str, Any], field: str, detail: str
) -> None:
    given = {"title": "The Defector", **values}
    with pytest.raises(InvalidInput) as refused, unit_of_work(connection) as session:
        add_film(session, given.pop("title"), **given)
    assert refused.value.field == field
    assert detail in refused.value.detail
    with unit_of_work(connection, write=False) as session:
        assert count_rows(session)["film"] == 0


def test_the_same_film_twice_is_a_conflict_naming_the_one_there(session: Session) -> None:
    first = add_film(session, "The Defector", year=2012).record
    with pytest.raises(Conflict, match=rf"film: The Defector \(2012, #{first.id}\) already"):
        add_film(session, "the defector", year=2012)


def test_a_person_twice_is_a_conflict(session: Session) -> None:
    add_person(session, "Ann Shin")
    with pytest.raises(Conflict, match="already exists"):
        add_person(session, "ann  shin")


def test_an_edit_that_changes_nothing_says_so_and_bumps_nothing(session: Session) -> None:
    film = make.film(session, "The Defector", year=2012, runtime_minutes=71)
    shown = make.screening(session, film)
    unchanged = edit_film(session, "The Defector", runtime_minutes=71)
    assert not unchanged.changed
    assert shown.sequence == 0
    changed = edit_film(session, "The Defector", runtime_minutes=72)
    assert changed.changed
    session.refresh(shown)
    assert shown.sequence == 1  # calendars see the new length


def test_an_edition_s_days_must_fit_its_year(session: Session) -> None:
    make.festival(session, "Sheffield Doc/Fest")
    saved = add_edition(
        session, "Sheffield Doc/Fest", 2013, starts_on=dt.date(2013, 6, 12), ends_on=JUNE_16
    )
    assert (saved.record.starts_on, saved.record.ends_on) == (
        dt.date(2013, 6, 12),
        JUNE_16,
    )
    with pytest.raises(InvalidInput) as refused:
        add_edition(
            session,
            "Sheffield Doc/Fest",
            2014,
            starts_on=dt.date(2014, 6, 16),
            ends_on=dt.date(2014, 6, 12),
        )
    assert refused.value.field == "ends_on"
    assert refused.value.mentions == ("starts_on",)
    # Each door names both fields in its own terms.
    assert refused.value.said(lambda field: f"<{field}>") == (
        "<ends_on>: 2014-06-12 is before <starts_on> 2014-06-16"
    )


def test_a_film_s_new_title_or_a_person_s_new_name_reaches_each_calendar(
    session: Session,
) -> None:
    film = make.film(session, "The Defector", year=2012)
    ann = make.person(session, "Ann Shin")
    session.add(Credit(film=film, person=ann, role="director"))
    shown = [make.screening(session, film, dt.date(2013, 6, day)) for day in (14, 15)]
    uids = [s.uid for s in shown]
    edit_film(session, "The Defector", title="The Defector: Escape from North Korea")
    edit_person(session, "Ann Shin", new_name="Ann Marie Shin")
    for screening in shown:
        session.refresh(screening)
    assert [(s.uid, s.sequence) for s in shown] == [(uid, 2) for uid in uids]


def test_a_festival_keeps_a_zone_in_its_canonical_spelling(session: Session) -> None:
    saved = add_festival(session, "Hot Docs", city="Toronto", timezone="us/eastern")
    assert saved.record.timezone == "America/New_York"
    with pytest.raises(InvalidInput) as refused:
        add_festival(session, "Visions du Réel", timezone="Mars/Olympus")
    assert refused.value.field == "timezone"


def test_a_position_needs_both_halves(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_venue(session, "Showroom Cinema", city="Sheffield", latitude=53.38)
    assert refused.value.said() == "latitude: give latitude and longitude together"
    with pytest.raises(InvalidInput) as refused:
        add_venue(session, "Showroom Cinema", city="Sheffield", latitude=91.0, longitude=0.0)
    assert refused.value.field == "latitude"


def test_a_venue_s_new_zone_moves_its_screenings_instants(session: Session) -> None:
    venue = make.venue(session, "Bloor Hot Docs Cinema", city="Toronto")
    film = make.film(session)
    shown = make.screening(session, film, venue=venue, timezone="Europe/London")
    before = shown.starts_at_utc
    edit_venue(session, "Bloor Hot Docs Cinema", timezone="America/Toronto")
    session.refresh(shown)
    assert shown.timezone == "America/Toronto"
    assert shown.starts_at_utc - before == dt.timedelta(hours=5)  # 18:00 there, not here
    assert shown.local_time == dt.time(18, 0)  # the wall time is the truth


def test_a_new_zone_without_a_screening_s_time_names_the_screening(
    connection: Connection,
) -> None:
    with unit_of_work(connection) as session:
        venue = make.venue(session, "Showroom Cinema")
        make.screening(
            session,
            make.film(session),
            dt.date(2013, 3, 31),
            dt.time(1, 30),
            venue=venue,
            timezone="Etc/UTC",
        )
    with pytest.raises(ScreeningsError) as refused, unit_of_work(connection) as session:
        edit_venue(session, "Showroom Cinema", timezone="Europe/London")
    assert refused.value.field == "timezone"
    assert refused.value.detail.startswith("screening #")
    assert "does not exist in Europe/London" in refused.value.detail
    with unit_of_work(connection, write=False) as session:
        assert session.scalar(select(Screening.timezone)) == "Etc/UTC"  # nothing half done
