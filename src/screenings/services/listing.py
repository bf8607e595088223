"""Listing the catalogue kind by kind: films, people, festivals, editions, venues, awards,
nominations. Screenings are listed through ``screenings.query.ScreeningQuery``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload, undefer

from screenings import lookup, rules
from screenings.errors import InvalidInput
from screenings.models import (
    NOMINATION_RESULTS,
    Award,
    Credit,
    Edition,
    Festival,
    Film,
    Nomination,
    Person,
    Screening,
    Selection,
    Venue,
)
from screenings.records import (
    AwardRef,
    AwardView,
    EditionRef,
    EditionView,
    FestivalRef,
    FestivalView,
    FilmRef,
    FilmView,
    NominationView,
    PersonRef,
    PersonView,
    ProgrammeRef,
    ProgrammeView,
    TravelView,
    VenueView,
)
from screenings.services.plans import list_travel as stated_times

V = TypeVar("V")


@dataclass(frozen=True)
class Listed(Generic[V]):
    """Rows of one kind, and the notes on how the names in the filters were read."""

    rows: list[V]
    notes: list[str]


class _Notes(list[str]):
    """The notes of a listing; ``take`` a found record and keep its note."""

    def take(self, found: lookup.Found[Any]) -> Any:
        return found.take(self)


def _spellings(session: Session, column: Any, text: str, what: str) -> list[str]:
    """The stored values of ``column`` with the key of ``text`` (case, accents)."""
    stored = select(column).where(column.is_not(None)).distinct()
    return lookup.spellings(session, stored, text, what)


def list_films(  # noqa: PLR0913 -- one keyword-only argument per filter list films takes
    session: Session,
    *,
    person: str | None = None,
    director: str | None = None,
    festival: str | None = None,
    edition: str | None = None,
    year: int | None = None,
    limit: int | None = None,
) -> Listed[FilmView]:
    """Films by title, then year; ``year`` alone is the film's year, with a festival the
    edition's (films selected in, or screened at, that edition)."""
    notes = _Notes()
    statement = select(Film)
    for text, role in ((person, None), (director, "director")):
        if text is not None:
            someone = notes.take(lookup.find_person(session, text, what=role or "person"))
            credited = [Credit.film_id == Film.id, Credit.person_id == someone.id]
            if role:
                credited.append(Credit.role == role)
            statement = statement.where(exists().where(*credited))
    if edition is not None and year is not None:
        raise InvalidInput("{edition} already names the year", field="year", mentions=("edition",))
    if edition is not None or (festival is not None and year is not None):
        chosen = notes.take(lookup.find_edition(session, edition, festival=festival, year=year))
        statement = statement.where(_in_editions(Edition.id == chosen.id))
    elif festival is not None:
        chosen_festival = notes.take(lookup.find_festival(session, festival))
        statement = statement.where(_in_editions(Edition.festival_id == chosen_festival.id))
    elif year is not None:
        statement = statement.where(Film.year == year)
    statement = statement.order_by(Film.title_key, Film.year.nulls_last(), Film.id).limit(limit)
    films = session.scalars(statement.options(selectinload(Film.credits).joinedload(Credit.person)))
    rows = [
        FilmView(
            id=f.id,
            title=f.title,
            original_title=f.original_title,
            year=f.year,
            runtime_minutes=f.runtime_minutes,
            countries=list(f.countries),
            languages=list(f.languages),
            imdb_id=f.imdb_id,
            website=f.website,
            slug=f.slug,
            directors=[c.person.name for c in f.credits if c.role == "director"],
        )
        for f in films
    ]
    return Listed(rows, notes)


def _in_editions(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    selected = exists().where(
        Selection.film_id == Film.id, Selection.edition_id == Edition.id, condition
    )
    screened = exists().where(
        Screening.film_id == Film.id, Screening.edition_id == Edition.id, condition
    )
    return or_(selected, screened)


def list_programmes(
    session: Session,
    *,
    festival: str | None = None,
    edition: str | None = None,
    film: str | None = None,
    limit: int | None = None,
) -> Listed[ProgrammeView]:
    """Programmes, by festival then title: of a festival or an edition, or holding a film."""
    from screenings.services.programmes import list_programmes as listed

    found = listed(session, festival=festival, edition=edition, film=film, limit=limit)
    return Listed(found.rows, found.notes)


def list_people(
    session: Session, *, film: str | None = None, limit: int | None = None
) -> Listed[PersonView]:
    """People by name, with how many films they are credited on."""
    notes = _Notes()
    films = func.count(func.distinct(Credit.film_id))
    statement = (
        select(Person, films).outerjoin(Credit, Credit.person_id == Person.id).group_by(Person.id)
    )
    if film is not None:
        chosen = notes.take(lookup.find_film(session, film))
        on_film = aliased(Credit)
        statement = statement.where(
            exists().where(on_film.person_id == Person.id, on_film.film_id == chosen.id)
        )
    statement = statement.order_by(Person.name_key, Person.id).limit(limit)
    rows = [PersonView(p.id, p.name, p.slug, n) for p, n in session.execute(statement)]
    return Listed(rows, notes)


def list_festivals(
    session: Session,
    *,
    city: str | None = None,
    country: str | None = None,
    limit: int | None = None,
) -> Listed[FestivalView]:
    """Festivals by name, with how many editions each has."""
    editions = func.count(Edition.id)
    statement = (
        select(Festival, editions)
        .outerjoin(Edition, Edition.festival_id == Festival.id)
        .group_by(Festival.id)
    )
    for text, column, what in (
        (city, Festival.city, "city"),
        (country, Festival.country, "country"),
    ):
        if text is not None:
            statement = statement.where(column.in_(_spellings(session, column, text, what)))
    statement = statement.order_by(Festival.name_key, Festival.id).limit(limit)
    rows = [
        FestivalView(f.id, f.name, f.slug, f.city, f.country, f.timezone, f.website, n)
        for f, n in session.execute(statement)
    ]
    return Listed(rows, [])


def list_editions(
    session: Session,
    *,
    festival: str | None = None,
    year: int | None = None,
    limit: int | None = None,
) -> Listed[EditionView]:
    """Editions by festival, then year, with how many public screenings each has."""
    notes = _Notes()
    screenings = func.count(Screening.id)
    statement = (
        select(Edition, screenings)
        .join(Festival, Edition.festival_id == Festival.id)
        .outerjoin(
            Screening, and_(Screening.edition_id == Edition.id, Screening.visibility == "public")
        )
        .group_by(Edition.id, Festival.id)
        .options(undefer(Edition.day_starts_at))  # with the rows: no query per edition
    )
    if festival is not None:
        chosen = notes.take(lookup.find_festival(session, festival))
        statement = statement.where(Edition.festival_id == chosen.id)
    if year is not None:
        statement = statement.where(Edition.year == year)
    statement = statement.order_by(Festival.name_key, Edition.year, Edition.id).limit(limit)
    rows = [
        EditionView(
            e.id,
            FestivalRef(e.festival.id, e.festival.name),
            e.year,
            e.label,
            e.slug,
            e.starts_on,
            e.ends_on,
            n,
            e.day_starts_at,
        )
        for e, n in session.execute(statement)
    ]
    return Listed(rows, notes)


def list_venues(
    session: Session,
    *,
    city: str | None = None,
    country: str | None = None,
    limit: int | None = None,
) -> Listed[VenueView]:
    """Venues by name, then city."""
    statement = select(Venue)
    for text, column, what in ((city, Venue.city, "city"), (country, Venue.country, "country")):
        if text is not None:
            statement = statement.where(column.in_(_spellings(session, column, text, what)))
    statement = statement.order_by(Venue.name_key, Venue.city.nulls_last(), Venue.id).limit(limit)
    rows = [
        VenueView(
            v.id, v.name, v.slug, v.address, v.city, v.country, v.timezone, v.latitude, v.longitude
        )
        for v in session.scalars(statement)
    ]
    return Listed(rows, [])


def list_awards(
    session: Session, *, festival: str | None = None, limit: int | None = None
) -> Listed[AwardView]:
    """Awards by name."""
    notes = _Notes()
    statement = select(Award).options(selectinload(Award.festival))
    if festival is not None:
        chosen = notes.take(lookup.find_festival(session, festival))
        statement = statement.where(Award.festival_id == chosen.id)
    statement = statement.order_by(Award.name_key, Award.id).limit(limit)
    rows = [
        AwardView(
            a.id,
            a.name,
            FestivalRef(a.festival.id, a.festival.name) if a.festival else None,
            a.presenter,
        )
        for a in session.scalars(statement)
    ]
    return Listed(rows, notes)


def list_nominations(  # noqa: PLR0913 -- one keyword-only argument per filter list nominations takes
    session: Session,
    *,
    award: str | None = None,
    film: str | None = None,
    person: str | None = None,
    festival: str | None = None,
    year: int | None = None,
    result: str | None = None,
    limit: int | None = None,
) -> Listed[NominationView]:
    """Nominations by year, then award, then id."""
    notes = _Notes()
    statement = select(Nomination).join(Award, Nomination.award_id == Award.id)
    chosen_festival = (
        notes.take(lookup.find_festival(session, festival)) if festival is not None else None
    )
    if chosen_festival is not None:
        statement = statement.where(Award.festival_id == chosen_festival.id)
    if award is not None:
        festival_id = chosen_festival.id if chosen_festival is not None else None
        found = lookup.find_award(session, award, festival_id=festival_id)
        statement = statement.where(Nomination.award_id == notes.take(found).id)
    if film is not None:
        statement = statement.where(
            Nomination.film_id == notes.take(lookup.find_film(session, film)).id
        )
    if person is not None:
        statement = statement.where(
            Nomination.person_id == notes.take(lookup.find_person(session, person)).id
        )
    if year is not None:
        statement = statement.where(Nomination.year == year)
    if result is not None:
        result = rules.closed_word(result, NOMINATION_RESULTS, what="result")
        statement = statement.where(Nomination.result == result)
    statement = statement.order_by(Nomination.year, Award.name_key, Nomination.id).limit(limit)
    statement = statement.options(
        selectinload(Nomination.award),
        selectinload(Nomination.film),
        selectinload(Nomination.person),
        selectinload(Nomination.edition).joinedload(Edition.festival),
    )
    rows = [nomination_view(n) for n in session.scalars(statement)]
    return Listed(rows, notes)


def nomination_view(n: Nomination) -> NominationView:
    return NominationView(
        id=n.id,
        award=AwardRef(n.award.id, n.award.name),
        year=n.year,
        edition=(
            EditionRef(n.edition.id, n.edition.festival.name, n.edition.year, n.edition.label)
            if n.edition
            else None
        ),
        category=n.category,
        film=FilmRef(n.film.id, n.film.title, n.film.year) if n.film else None,
        person=PersonRef(n.person.id, n.person.name) if n.person else None,
        result=n.result,
        programme=(
            ProgrammeRef(n.programme.id, n.programme.title) if n.programme is not None else None
        ),
    )


def list_travel(
    session: Session, *, venue: str | None = None, limit: int | None = None
) -> Listed[TravelView]:
    """The stated travel times between venues (of ``venue`` only, when given), by venue."""
    rows = [TravelView(t.first, t.second, t.minutes) for t in stated_times(session, venue)]
    return Listed(rows[:limit] if limit is not None else rows, [])
