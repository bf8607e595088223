"""Names as people type them: one record, or a refusal that says why. Both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, insert

from screenings import tables
from screenings.db import unit_of_work
from screenings.errors import Ambiguous, InvalidInput, NotFound
from screenings.lookup import describe, find_edition, find_film, find_venue
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


def test_typed_words_begin_words_of_the_name_in_order(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        defector = make.film(session, "The Defector: Escape from North Korea", year=2012)
        escape = make.film(session, "Escape the Defector", year=2001)
        for typed in ("the defector esc", "escape north", "def esc", "DEF  ESC", "Défector (2012)"):
            found = find_film(session, typed)
            assert found.record is defector, typed
            assert found.note == f"film {' '.join(typed.split())!r} is {describe(defector)}"
        assert find_film(session, "esc def").record is escape  # in order: the other film
        with pytest.raises(NotFound, match="no film called 'efector'; did you mean"):
            find_film(session, "efector")  # inside a word is not a beginning
        with pytest.raises(Ambiguous, match="'defector' matches 2: Escape the Defector"):
            find_film(session, "defector")
        with pytest.raises(NotFound, match="no film called 'defector \\(1999\\)'"):
            find_film(session, "defector (1999)")


@pytest.mark.parametrize(
    ("title", "typed"),
    [
        ("Москва слезам не верит", "москва верит"),
        ("Москва слезам не верит", "МОСК"),
        ("東京物語", "東京"),
        ("القاهرة ٣٠", "القاهرة"),
        ("Ça ira, mon amour", "ca ira amo"),
        ("Żywot Mateusza", "zywot mat"),
    ],
)
def test_non_latin_names_are_found_by_their_words(
    connection: Connection, title: str, typed: str
) -> None:
    with unit_of_work(connection) as session:
        film = make.film(session, title, year=2000)
        make.film(session, "Another Film", year=2000)
        assert find_film(session, typed).record is film


def test_precedence_exact_alias_slug_then_words(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        roy = make.venue(session, "Bio Roy", city="Helsinki")
        biografen = make.venue(session, "Biografen Roy Kino", city="Helsinki")
        session.execute(
            insert(tables.alias).values(
                kind="venue", name="Roy", name_key="roy", venue_id=biografen.id
            )
        )
        # Exact beats the words ("bio roy" also begins "Biografen Roy Kino").
        assert find_venue(session, "Bio Roy").record is roy
        # An alias beats the words: "Roy" begins both names.
        assert find_venue(session, "roy").record is biografen
        # A slug beats the words.
        kino = make.venue(session, "Kino", city="Turku")
        assert find_venue(session, kino.slug).record is kino
        with pytest.raises(Ambiguous, match="'bio' matches 2"):
            find_venue(session, "bio")


def test_a_screening_is_not_added_for_a_film_its_words_only_begin(
    connection: Connection,
) -> None:
    with unit_of_work(connection) as session:
        make.film(session, "The Act of Killing", year=2012)
        with pytest.raises(
            NotFound, match="no film called 'The Act'; did you mean 'The Act of Killing'\\?"
        ):
            find_film(session, "The Act", words=False)
        assert find_film(session, "The Act").record.title == "The Act of Killing"


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
