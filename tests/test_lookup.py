"""Names as people type them: one record, or a refusal that says why. Both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from screenings.db import unit_of_work
from screenings.errors import Ambiguous, InvalidInput, NotFound
from screenings.lookup import find_edition, find_film, find_venue
from tests import factories as make


def test_exact_prefix_year_and_id(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        old = make.film(session, "The Defector", year=1966)
        new = make.film(session, "The Defector", year=2012)
        long = make.film(session, "Defector Stories: Part One", year=2015)
        assert find_film(session, "the defector (1966)").record is old
        assert find_film(session, f"#{new.id}").record is new
        found = find_film(session, "defector stories")
        assert found.record is long
        assert (
            found.note
            == f"film 'defector stories' is Defector Stories: Part One (2015, #{long.id})"
        )
        assert (
            find_film(session, "DEFECTOR STORIES: PART ONE").note is None
        )  # exact: nothing to say


def test_same_title_different_years_is_ambiguous_and_lists_them(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        old = make.film(session, "The Defector", year=1966).id
        new = make.film(session, "The Defector", year=2012).id
        with pytest.raises(Ambiguous) as caught:
            find_film(session, "The Defector")
    assert caught.value.message == (
        f"film: 'The Defector' matches 2: The Defector (1966, #{old}); "
        f"The Defector (2012, #{new}); say which (#ID)"
    )


def test_a_prefix_must_end_at_a_word_boundary(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        make.film(session, "Defectors", year=2020)
        with pytest.raises(NotFound, match="no film called 'Defector'; did you mean 'Defectors'"):
            find_film(session, "Defector")


def test_venue_by_city(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        sheffield = make.venue(session, "Showroom", city="Sheffield")
        make.venue(session, "Showroom", city="Leeds")
        assert find_venue(session, "showroom (Sheffield)").record is sheffield
        with pytest.raises(
            Ambiguous, match=r"'Showroom' matches 2: Showroom \(Leeds, #\d+\); Showroom \(Sheffield"
        ):
            find_venue(session, "Showroom")


def test_an_unknown_id_and_a_bad_year(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        with pytest.raises(NotFound, match="film: no film has id #999999"):
            find_film(session, "#999999")
        with pytest.raises(InvalidInput, match="film: expected a year in parentheses, got 'new'"):
            find_film(session, "The Defector (new)")


def test_an_edition_by_name_slug_or_parts(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        fest = make.festival(session, "Sheffield Doc/Fest")
        sdf13 = make.edition(session, fest, 2013)
        assert find_edition(session, "sheffield doc/fest 2013").record is sdf13
        assert find_edition(session, sdf13.slug).record is sdf13
        assert find_edition(session, festival="Sheffield", year=2013).record is sdf13
        assert find_edition(session, festival="Sheffield", year=2013).note == (
            f"festival 'Sheffield' is Sheffield Doc/Fest (#{fest.id})"
        )
