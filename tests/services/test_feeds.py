"""Calendar feeds through the services, on both databases: what a feed holds, and how
``cancelled`` and a split shape it. Rendering the events is the exporter's (and
``tests/exporters``')."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from screenings.errors import InvalidInput
from screenings.query import ScreeningQuery
from screenings.services.feeds import FeedOptions, calendar_feed, split_feeds
from tests import factories as make

DOMAIN = "screenings.test"


@pytest.fixture
def programme(session: Session) -> None:
    sheffield = make.festival(session, "Sheffield Doc/Fest")
    sdf13 = make.edition(session, sheffield, 2013)
    showroom = make.venue(session, "Showroom Cinema", timezone="Europe/London")
    crucible = make.venue(session, "Crucible Theatre", timezone="Europe/London")
    defector = make.film(session, "The Defector", year=2012)
    make.screening(session, defector, dt.date(2013, 6, 14), venue=showroom, edition=sdf13)
    make.screening(
        session, defector, dt.date(2013, 6, 15), venue=crucible, edition=sdf13, status="cancelled"
    )
    make.screening(session, defector, dt.date(2013, 6, 16), venue=showroom, visibility="private")


@pytest.mark.usefixtures("programme")
def test_a_feed_keeps_cancellations_marked_and_leaves_out_private_ones(
    session: Session,
) -> None:
    feed = calendar_feed(session, ScreeningQuery(film="The Defector"), FeedOptions(DOMAIN))
    events = list(feed.events)
    assert feed.size == len(events) == 2  # the private screening leaves no trace
    assert [e.status for e in events] == ["scheduled", "cancelled"]
    assert feed.header.title == "Screenings: The Defector (2012)"
    assert feed.header.uid.endswith("@" + DOMAIN)
    omitted = calendar_feed(
        session, ScreeningQuery(film="The Defector"), FeedOptions(DOMAIN, cancelled="omit")
    )
    assert [e.status for e in omitted.events] == ["scheduled"]
    assert omitted.header.uid != feed.header.uid  # another calendar, for its subscribers


@pytest.mark.usefixtures("programme")
def test_a_split_by_venue_has_one_feed_per_venue(session: Session) -> None:
    split = split_feeds(session, ScreeningQuery(), "venue", FeedOptions(DOMAIN, cancelled="omit"))
    shown = {group.title: (len(group.events), group.cancelled) for group in split.groups}
    assert shown == {"Showroom Cinema, Sheffield": (1, 0), "Crucible Theatre, Sheffield": (0, 1)}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"cancelled": "hide"}, "cancelled"),
        ({"refresh_minutes": 0}, "refresh_minutes"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_feed_options_are_refused_about_their_field(
    given: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        FeedOptions(DOMAIN, **given)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.usefixtures("programme")
def test_an_unknown_split_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        split_feeds(session, ScreeningQuery(), "city", FeedOptions(DOMAIN))
    assert refused.value.field == "split_by"
