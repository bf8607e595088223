"""Awards and nominations: films and people up for an award, and what they won."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import lookup, rules
from screenings.errors import Conflict, InvalidInput
from screenings.keys import name_key
from screenings.models import NOMINATION_RESULTS, Award, Nomination
from screenings.records import AwardView, FestivalRef, NominationView
from screenings.services.catalog import Saved, check_name, check_text, check_year, person_named
from screenings.services.changes import snapshot
from screenings.services.fields import IntOrClear
from screenings.services.listing import nomination_view


class _Labelled(Protocol):
    @property
    def label(self) -> Any: ...


E = TypeVar("E", bound=_Labelled)


def add_award(
    session: Session,
    name: str,
    *,
    festival: str | None = None,
    presenter: str | None = None,
) -> Saved[AwardView]:
    """Add an award given at a festival, or by a presenting body (an academy, a guild)."""
    name = check_name(name, "name", rules.length("award", "name"))
    presenter = check_text(presenter, "presenter", "award", "presenter")
    if festival is not None and presenter is not None:
        raise InvalidInput(
            "give {festival} or {presenter}, not both",
            field="festival",
            mentions=("festival", "presenter"),
        )
    notes: list[str] = []
    chosen = None
    if festival is not None:
        found = lookup.find_festival(session, festival)
        chosen = found.record
        if found.note:
            notes.append(found.note)
    for award in session.scalars(select(Award).where(Award.name_key == name_key(name))):
        if award.festival_id == (chosen.id if chosen else None):
            raise Conflict(f"award: {lookup.describe(award)} already exists")
    award = Award(name=name, festival=chosen, presenter=presenter)
    session.add(award)
    session.flush()
    return Saved(award_view(award), tuple(notes))


def edition_of_year(same_year: Sequence[E]) -> E | None:
    """A nomination's edition, of its festival's editions of that year: the one without a
    label, else the only one; None when that does not settle it."""
    unlabelled = [e for e in same_year if not e.label] or list(same_year)
    return unlabelled[0] if len(unlabelled) == 1 else None


def award_view(award: Award) -> AwardView:
    festival = FestivalRef(award.festival.id, award.festival.name) if award.festival else None
    return AwardView(award.id, award.name, festival, award.presenter)


def add_nomination(
    session: Session,
    *,
    award: str,
    year: int,
    festival: str | None = None,
    category: str | None = None,
    film: str | None = None,
    person: str | None = None,
    result: str = "nominated",
    programme: str | None = None,
) -> Saved[NominationView]:
    """A film, a person, or both, up for an award in a year; linked to the festival's
    edition of that year when there is one. A person named for the first time is created.
    Rarely, a programme instead of a film (an audience award for a shorts block), among
    the award's festival's programmes."""
    notes: list[str] = []
    check_year(year, "year")
    category = check_text(category, "category", "nomination", "category")
    if film is None and person is None and programme is None:
        raise _no_nominee()
    if film is not None and programme is not None:
        raise InvalidInput(
            "nomination: give {film} or {programme}, not both", mentions=("film", "programme")
        )
    result = _result(result, "result")
    festival_id = None
    if festival is not None:
        found_festival = lookup.find_festival(session, festival)
        festival_id = found_festival.record.id
        if found_festival.note:
            notes.append(found_festival.note)
    found_award = lookup.find_award(session, award, festival_id=festival_id)
    chosen = found_award.record
    if found_award.note:
        notes.append(found_award.note)
    chosen_film = lookup.find_film(session, film).take(notes) if film is not None else None
    nominee = person_named(session, person, notes, "person") if person is not None else None
    chosen_programme = (
        lookup.find_programme(session, programme, festival_id=chosen.festival_id).take(notes)
        if programme is not None
        else None
    )
    edition = None
    if chosen.festival is not None:
        edition = edition_of_year([e for e in chosen.festival.editions if e.year == year])
    for other in session.scalars(
        select(Nomination).where(Nomination.award_id == chosen.id, Nomination.year == year)
    ):
        if (other.film_id, other.person_id, other.programme_id, name_key(other.category or "")) == (
            chosen_film.id if chosen_film else None,
            nominee.id if nominee else None,
            chosen_programme.id if chosen_programme else None,
            name_key(category or ""),
        ):
            raise Conflict(f"nomination: that nomination for {chosen.name} {year} already exists")
    nomination = Nomination(
        award=chosen,
        year=year,
        edition=edition,
        category=category,
        film=chosen_film,
        person=nominee,
        result=result,
        programme=chosen_programme,
    )
    session.add(nomination)
    session.flush()
    return Saved(nomination_view(nomination), tuple(notes))


def _no_nominee() -> InvalidInput:
    return InvalidInput(
        "nomination: give {film} (or {programme}), {person}, or both",
        mentions=("film", "programme", "person"),
    )


def _result(value: str, what: str) -> str:
    return rules.closed_word(value, NOMINATION_RESULTS, what=what)


AWARD_KEPT = ("name", "presenter", "festival_id")
NOMINATION_KEPT = ("result", "category", "film_id", "person_id", "year")


def edit_award(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    presenter: str | None = None,
    festival: str | None = None,
) -> Saved[AwardView]:
    """Rename an award, change its presenter, or its festival (``""`` for none)."""
    found = lookup.find_award(session, name)
    award = found.record
    before = snapshot(award, *AWARD_KEPT)
    if festival is not None:
        award.festival = lookup.find_festival(session, festival).record if festival else None
    if new_name is not None:
        award.name = check_name(new_name, "new_name", rules.length("award", "name"))
    if presenter is not None:
        award.presenter = check_text(presenter, "presenter", "award", "presenter")
    for other in session.scalars(select(Award).where(Award.name_key == award.name_key)):
        if other.id != award.id and other.festival_id == award.festival_id:
            raise Conflict(f"award: {lookup.describe(other)} already exists")
    session.flush()
    changed = snapshot(award, *AWARD_KEPT) != before
    return Saved(award_view(award), (found.note,) if found.note else (), changed)


def edit_nomination(
    session: Session,
    ident: str,
    *,
    result: str | None = None,
    category: str | None = None,
    film: str | None = None,
    person: str | None = None,
    year: IntOrClear | None = None,
) -> Saved[NominationView]:
    """Change a nomination: its result (nominated, won, special_mention), category, film,
    person (``""`` for none: a film or a person must remain) or year."""
    nomination: Nomination = lookup.find_by_id(session, Nomination, ident, "nomination")
    before = snapshot(nomination, *NOMINATION_KEPT)
    if result is not None:
        nomination.result = _result(result, "result")
    if category is not None:
        nomination.category = check_text(category, "category", "nomination", "category")
    if year is not None:
        if isinstance(year, str):
            raise InvalidInput("empty; a nomination is of a year", field="year")
        check_year(year, "year")
        nomination.year = year
    notes: list[str] = []
    # Both resolved before either is set: a half-done change must not reach the database.
    new_film = lookup.find_film(session, film).record if film else None
    new_person = person_named(session, person, notes, "person") if person else None
    if film is not None:
        nomination.film = new_film
    if person is not None:
        nomination.person = new_person
    if nomination.film is None and nomination.person is None:
        raise InvalidInput("nomination: a nomination needs a film, a person, or both")
    session.flush()
    changed = snapshot(nomination, *NOMINATION_KEPT) != before
    return Saved(nomination_view(nomination), tuple(notes), changed)
