"""Awards and nominations through the services, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from screenings.errors import InvalidInput, NotFound
from screenings.services.awards import add_award, add_nomination, edit_nomination
from tests import factories as make


@pytest.fixture
def hot_docs(session: Session) -> None:
    festival = make.festival(session, "Hot Docs", timezone="America/Toronto")
    make.edition(session, festival, 2013)
    make.film(session, "The Defector", year=2012)


@pytest.mark.usefixtures("hot_docs")
def test_a_nomination_is_linked_to_the_edition_of_its_year(session: Session) -> None:
    add_award(session, "Best Canadian Feature", festival="Hot Docs")
    saved = add_nomination(
        session, award="Best Canadian Feature", year=2013, film="The Defector", result="Winner"
    )
    assert saved.record.result == "won"  # a synonym, read as the word kept
    assert saved.record.edition is not None and saved.record.edition.year == 2013
    edited = edit_nomination(session, f"#{saved.record.id}", result="special mention")
    assert edited.record.result == "special_mention"


@pytest.mark.usefixtures("hot_docs")
def test_an_award_is_of_a_festival_or_a_presenter(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_award(session, "Best Feature", festival="Hot Docs", presenter="The Academy")
    assert refused.value.said(str.upper) == "FESTIVAL: give FESTIVAL or PRESENTER, not both"


@pytest.mark.usefixtures("hot_docs")
def test_a_nomination_needs_someone_or_something(session: Session) -> None:
    add_award(session, "Best Feature", presenter="The Academy")
    with pytest.raises(InvalidInput) as refused:
        add_nomination(session, award="Best Feature", year=2013)
    assert refused.value.mentions == ("film", "programme", "person")
    with pytest.raises(NotFound) as missing:
        add_nomination(session, award="Best Picture", year=2013, film="The Defector")
    assert missing.value.field == "award"
    with pytest.raises(InvalidInput) as bad:
        add_nomination(session, award="Best Feature", year=2013, film="The Defector", result="x")
    assert bad.value.field == "result"
