"""Selections and screenings through the services, on both databases: where a screening's
zone comes from, what a date without a year means, and what an edit does to calendars."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings.config import Settings
from screenings.errors import Conflict, InvalidInput
from screenings.models import Festival
from screenings.services.schedule import (
    add_screening,
    add_selection,
    date_context,
    date_context_of_edit,
    edit_screening,
    set_status,
)
from screenings.timeparse import Change, When, read_change, read_when
from tests import factories as make

SIX_PM = When(dt.date(2013, 6, 14), dt.time(18, 0))


def _at(time: str) -> Change:
    return read_change(None, time, dayfirst=None, edition=None)


@pytest.fixture
def sheffield(session: Session) -> None:
    festival = make.festival(session, "Sheffield Doc/Fest", timezone="Europe/London")
    make.edition(session, festival, 2013)
    make.film(session, "The Defector", year=2012, runtime_minutes=71)


@pytest.mark.usefixtures("sheffield")
def test_a_date_without_a_year_is_in_the_edition_s(session: Session, settings: Settings) -> None:
    edition = date_context(session, "Sheffield Doc/Fest 2013", None, None)
    when = read_when("14 June", "6pm", dayfirst=None, edition=edition)
    saved = add_screening(
        session, settings, "The Defector", when=when, edition="Sheffield Doc/Fest 2013"
    )
    shown = saved.record
    assert shown.edition is not None
    assert saved.notes == (
        "'14 June' read as 14 June 2013, the year of the edition",
        f"added The Defector to the selection of Sheffield Doc/Fest 2013 (#{shown.edition.id})",
    )
    assert (shown.local_date, shown.local_time) == (dt.date(2013, 6, 14), dt.time(18, 0))
    assert shown.timezone == "Europe/London"  # the festival's
    assert shown.start == "2013-06-14T18:00:00+01:00"


@pytest.mark.usefixtures("sheffield")
def test_a_new_venue_is_made_where_it_is_said_and_said(
    session: Session, settings: Settings
) -> None:
    saved = add_screening(
        session,
        settings,
        "The Defector",
        when=SIX_PM,
        venue="Showroom Cinema",
        city="Sheffield",
        timezone="Europe/London",
    )
    assert saved.record.venue is not None and saved.record.venue.city == "Sheffield"
    assert any(note.startswith("created venue #") for note in saved.notes)


@pytest.mark.usefixtures("sheffield")
def test_no_zone_anywhere_is_refused_saying_how_to_give_one(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_screening(session, Settings("sqlite://"), "The Defector", when=SIX_PM)
    assert refused.value.field == "timezone"
    assert refused.value.said(lambda field: f"<{field}>") == (
        "<timezone>: no time zone is known for this screening; give <timezone>, a venue or "
        "festival that has one, or set SCREENINGS_TIMEZONE"
    )


@pytest.mark.usefixtures("sheffield")
@pytest.mark.parametrize(
    ("given", "field", "mentions"),
    [
        ({"year": 2013}, "year", ("festival",)),
        ({"festival": "Sheffield Doc/Fest"}, "festival", ("year",)),
        ({"ticket_url": "tickets"}, "ticket_url", ()),
        ({"duration_minutes": -5}, "duration_minutes", ()),
        ({"status": "sold out"}, "status", ()),
    ],
)
def test_a_bad_screening_is_refused_about_its_field(
    session: Session,
    settings: Settings,
    given: dict[str, object],
    field: str,
    mentions: tuple[str, ...],
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_screening(session, settings, "The Defector", when=SIX_PM, **given)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.mentions) == (field, mentions)


@pytest.mark.usefixtures("sheffield")
def test_a_date_without_a_year_is_read_in_the_year_of_the_edition_an_edit_moves_it_to(
    session: Session, settings: Settings
) -> None:
    festival = session.scalars(select(Festival)).one()
    make.edition(session, festival, 2014)
    added = add_screening(session, settings, "The Defector", when=SIX_PM).record
    assert date_context_of_edit(session, f"#{added.id}") is None  # a special screening
    moved_to = date_context_of_edit(
        session, f"#{added.id}", festival="Sheffield Doc/Fest", year=2014
    )
    assert moved_to is not None and moved_to.year == 2014
    change = read_change("20 June", None, dayfirst=None, edition=moved_to)
    moved = edit_screening(
        session, settings, f"#{added.id}", change=change, festival="Sheffield Doc/Fest", year=2014
    ).record
    assert (moved.local_date, moved.local_time) == (dt.date(2014, 6, 20), dt.time(18, 0))


@pytest.mark.usefixtures("sheffield")
def test_an_edit_keeps_the_uid_and_raises_the_sequence_once(
    session: Session, settings: Settings
) -> None:
    added = add_screening(
        session,
        settings,
        "The Defector",
        when=SIX_PM,
        edition="Sheffield Doc/Fest 2013",
    ).record
    same = edit_screening(session, settings, f"#{added.id}", change=_at("18:00"))
    assert not same.changed
    assert same.record.sequence == added.sequence
    moved = edit_screening(session, settings, f"#{added.id}", change=_at("20:30"), private=True)
    assert moved.changed
    assert (moved.record.uid, moved.record.sequence) == (added.uid, added.sequence + 1)
    assert moved.record.start == "2013-06-14T20:30:00+01:00"
    assert moved.record.visibility == "private"


@pytest.mark.usefixtures("sheffield")
def test_a_cancellation_keeps_the_screening_with_its_reason(
    session: Session, settings: Settings
) -> None:
    added = add_screening(session, settings, "The Defector", when=SIX_PM).record
    cancelled = set_status(session, settings, f"#{added.id}", "cancelled", "  print lost ").record
    assert (cancelled.status, cancelled.notes) == ("cancelled", "print lost")
    assert cancelled.sequence == added.sequence + 1
    with pytest.raises(Conflict, match="is already cancelled"):
        set_status(session, settings, f"#{added.id}", "cancelled")


@pytest.mark.usefixtures("sheffield")
def test_a_selection_is_once_per_edition(session: Session) -> None:
    saved = add_selection(
        session, "The Defector", edition="Sheffield Doc/Fest 2013", section=" Competition "
    )
    assert saved.record["section"] == "Competition"
    with pytest.raises(Conflict, match="is already in Sheffield Doc/Fest 2013"):
        add_selection(session, "The Defector", festival="Sheffield Doc/Fest", year=2013)
    with pytest.raises(InvalidInput) as refused:
        add_selection(session, "The Defector")
    assert refused.value.mentions == ("edition", "festival", "year")
