"""Secret feeds through the services, on both databases: made from filters, stored as
references and words, served by token, revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import tables
from screenings.config import Settings
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.services.secret_feeds import (
    NO_SUCH_FEED,
    create_secret_feed,
    list_secret_feeds,
    revoke_secret_feed,
    secret_query,
)
from tests import factories as make

SETTINGS = Settings("sqlite://")


@pytest.fixture
def sheffield(session: Session) -> None:
    festival = make.festival(session, "Sheffield Doc/Fest")
    edition = make.edition(session, festival, 2013)
    film = make.film(session, "The Defector", year=2012)
    make.screening(session, film, dt.date(2013, 6, 14), edition=edition)
    make.screening(session, film, dt.date(2013, 6, 15), edition=edition, visibility="private")


@pytest.mark.usefixtures("sheffield")
def test_a_feed_keeps_records_as_references_and_dates_as_words(session: Session) -> None:
    feed, token, notes = create_secret_feed(
        session,
        " jury  2013 ",
        {"festival": "sheffield", "year": 2013, "in": "June 2013", "city": " Sheffield ",
         "include_private": True},
        settings=SETTINGS,
    )  # fmt: skip
    assert feed.name == "jury 2013"
    assert notes == [f"festival 'sheffield' is Sheffield Doc/Fest (#{_id(session)})"]
    row = session.execute(select(tables.feed_token)).one()
    assert row.edition_id is not None and row.festival_id is None  # the year made an edition
    assert row.filters == {
        "version": 2,
        "cancelled": "mark",
        "city": "Sheffield",
        "in": "June 2013",
    }
    query, cancelled, name = secret_query(session, token, default_length_minutes=90)
    assert (cancelled, name) == ("mark", "jury 2013")
    assert query.include_private
    assert [s.local_date.day for s in query.run(session).screenings] == []  # no city there
    assert feed.filters == [
        f"edition: Sheffield Doc/Fest 2013 (#{row.edition_id})",
        "city: Sheffield",
        "in: June 2013 (read on each request)",
    ]


def _id(session: Session) -> int:
    return session.execute(select(tables.festival.c.id)).scalar_one()


@pytest.mark.usefixtures("sheffield")
def test_a_feed_of_private_screenings_serves_them_to_its_token_only(session: Session) -> None:
    _feed, token, _ = create_secret_feed(
        session, "jury", {"film": "The Defector", "include_private": True}, settings=SETTINGS
    )
    query, _, _ = secret_query(session, token, default_length_minutes=90)
    assert len(query.run(session).screenings) == 2
    revoke_secret_feed(session, "JURY")
    with pytest.raises(NotFound, match=NO_SUCH_FEED):
        secret_query(session, token, default_length_minutes=90)
    with pytest.raises(NotFound, match=NO_SUCH_FEED):
        secret_query(session, "x" * 43, default_length_minutes=90)
    assert [feed.status.split()[0] for feed in list_secret_feeds(session)] == ["revoked"]


@pytest.mark.usefixtures("sheffield")
def test_a_feed_name_is_one_feed_and_never_empty(session: Session) -> None:
    create_secret_feed(session, "press", {}, settings=SETTINGS)
    with pytest.raises(Conflict, match="already a secret feed called 'press'"):
        create_secret_feed(session, "Press", {}, settings=SETTINGS)
    with pytest.raises(InvalidInput) as refused:
        create_secret_feed(session, " ", {}, settings=SETTINGS)
    assert refused.value.field == "name"
    with pytest.raises(InvalidInput) as refused:
        create_secret_feed(session, "later", {"in": "someday"}, settings=SETTINGS)
    assert refused.value.field == "in"


@pytest.mark.usefixtures("sheffield")
def test_a_feed_says_its_filters_by_their_names(session: Session) -> None:
    feed, _token, _ = create_secret_feed(
        session,
        "press",
        {"status": ["Canceled", "postponed"], "kind": ["Gala"], "upcoming": True, "on": "today"},
        settings=SETTINGS,
    )
    assert feed.filters == [
        "on: today (read on each request)",
        "upcoming (read on each request)",
        "status: cancelled, postponed",
        "kind: gala",
    ]
