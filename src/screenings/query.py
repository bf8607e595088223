"""ScreeningQuery: the one way every door selects screenings.

``list``, ``export``, the feed server and the import report build a
``ScreeningQuery`` from what the user asked and call ``run``. A filter is
added here once and means the same thing everywhere. Names are resolved
through ``services.lookup`` (never a silent pick), dates are local dates of
the screenings, both ends included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager

from screenings.errors import InvalidInput
from screenings.models import (
    SCREENING_STATUSES,
    Credit,
    Edition,
    Festival,
    Film,
    Screening,
    Selection,
    Venue,
)
from screenings.records import EditionRef, FilmRef, ScreeningView, VenueRef
from screenings.services import lookup
from screenings.timeparse import UTC, DateRange

SORTS = ("start", "-start", "film", "venue", "updated")


@dataclass(frozen=True)
class ScreeningQuery:
    """What to select, as the user said it. Every field is optional; all given must hold."""

    film: str | None = None
    person: str | None = None  # any credit
    director: str | None = None
    festival: str | None = None
    edition: str | None = None
    year: int | None = None  # with festival: that edition's year
    venue: str | None = None
    city: str | None = None
    country: str | None = None
    dates: DateRange | None = None  # local dates, both ends included
    upcoming_from: dt.datetime | None = None  # aware instant: screenings not over by then
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    section: str | None = None
    audience: str | None = None
    include_private: bool = False
    limit: int | None = None
    sort: str = "start"
    default_length_minutes: int = 90

    def run(self, session: Session) -> QueryResult:
        """The matching screenings as views, and the notes on how names were read."""
        statement, notes = self.statement(session)
        rows = session.execute(statement).all()
        return QueryResult([self._view(screening, section) for screening, section in rows], notes)

    def statement(self, session: Session) -> tuple[Select[Screening, str | None], list[str]]:
        """The SELECT (screening, its selection's section) this query stands for."""
        self._check()
        notes: list[str] = []

        def note(found: lookup.Found[Any]) -> Any:
            if found.note:
                notes.append(found.note)
            return found.record

        selection = aliased(Selection)
        statement = (
            select(Screening, selection.section)
            .join(Film, Screening.film_id == Film.id)
            .outerjoin(Venue, Screening.venue_id == Venue.id)
            .outerjoin(Edition, Screening.edition_id == Edition.id)
            .outerjoin(Festival, Edition.festival_id == Festival.id)
            .outerjoin(
                selection,
                and_(
                    selection.film_id == Screening.film_id,
                    selection.edition_id == Screening.edition_id,
                ),
            )
        )
        where: list[Any] = []
        if self.film:
            where.append(Screening.film_id == note(lookup.find_film(session, self.film)).id)
        for text, role in ((self.person, None), (self.director, "director")):
            if text:
                person = note(lookup.find_person(session, text, what=role or "person"))
                credited = [Credit.film_id == Screening.film_id, Credit.person_id == person.id]
                if role:
                    credited.append(Credit.role == role)
                where.append(exists().where(*credited))
        if self.edition or (self.festival and self.year is not None):
            found = lookup.find_edition(
                session, self.edition, festival=self.festival, year=self.year
            )
            where.append(Screening.edition_id == note(found).id)
        elif self.festival:
            where.append(
                Edition.festival_id == note(lookup.find_festival(session, self.festival)).id
            )
        if self.venue:
            where.append(Screening.venue_id == note(lookup.find_venue(session, self.venue)).id)
        if self.city:
            city = func.lower(func.coalesce(Venue.city, Screening.city, Festival.city))
            where.append(city == self.city.strip().lower())
        if self.country:
            country = func.lower(func.coalesce(Venue.country, Festival.country))
            where.append(country == self.country.strip().lower())
        if self.dates:
            where.append(Screening.local_date.between(self.dates.first, self.dates.last))
        if self.upcoming_from:
            now = self.upcoming_from.astimezone(UTC)
            # A screening whose time is not known counts until its day is over
            # even at UTC-12, the last place on Earth where a day ends.
            where.append(
                or_(
                    Screening.starts_at_utc >= now,
                    and_(
                        Screening.starts_at_utc.is_(None),
                        Screening.local_date >= (now - dt.timedelta(hours=12)).date(),
                    ),
                )
            )
        if self.statuses:
            where.append(Screening.status.in_(self.statuses))
        if self.kinds:
            where.append(Screening.kind.in_(self.kinds))
        if self.section:
            where.append(func.lower(selection.section) == self.section.strip().lower())
        if self.audience:
            where.append(func.lower(Screening.audience) == self.audience.strip().lower())
        if not self.include_private:
            where.append(Screening.visibility == "public")
        statement = (
            statement.where(*where)
            .order_by(*self._order())
            .options(
                contains_eager(Screening.film),
                contains_eager(Screening.venue),
                contains_eager(Screening.edition).contains_eager(Edition.festival),
            )
        )
        if self.limit is not None:
            statement = statement.limit(self.limit)
        return statement, notes

    def _check(self) -> None:
        unknown = [s for s in self.statuses if s not in SCREENING_STATUSES]
        if unknown:
            raise InvalidInput(
                f"--status: unknown status {unknown[0]!r}; expected one of "
                + ", ".join(SCREENING_STATUSES)
            )
        if self.sort not in SORTS:
            raise InvalidInput(
                f"--sort: unknown order {self.sort!r}; expected one of {', '.join(SORTS)}"
            )
        if self.limit is not None and self.limit < 1:
            raise InvalidInput(f"--limit: expected a positive number, got {self.limit}")
        if self.year is not None and not (self.festival or self.edition):
            raise InvalidInput("--year: give it with --festival (the edition's year)")
        if self.edition and self.festival:
            raise InvalidInput("--edition: give either --edition or --festival (with --year)")

    def _order(self) -> list[Any]:
        # A screening whose time is not known sorts at the start of its day.
        start: list[Any] = [Screening.local_date, Screening.starts_at_utc.nulls_first()]
        if self.sort == "-start":
            start = [Screening.local_date.desc(), Screening.starts_at_utc.desc().nulls_last()]
        by: dict[str, list[Any]] = {
            "start": start,
            "-start": start,
            "film": [Film.title_key, Film.year, *start],
            "venue": [Venue.name_key, *start],
            "updated": [Screening.updated_at.desc()],
        }
        return [*by[self.sort], Screening.id]

    def _view(self, screening: Screening, section: str | None) -> ScreeningView:
        film, venue, edition = screening.film, screening.venue, screening.edition
        if screening.local_time is None or screening.starts_at_utc is None:
            start = screening.local_date.isoformat()
        else:
            start = screening.starts_at_utc.astimezone(_zone(screening.timezone)).isoformat()
        return ScreeningView(
            id=screening.id,
            uid=screening.uid,
            film=FilmRef(film.id, film.title, film.year),
            venue=VenueRef(venue.id, venue.name, venue.city) if venue else None,
            edition=(
                EditionRef(edition.id, edition.festival.name, edition.year, edition.label)
                if edition
                else None
            ),
            city=screening.city or (venue.city if venue else None),
            local_date=screening.local_date,
            local_time=screening.local_time,
            timezone=screening.timezone,
            start=start,
            starts_at_utc=screening.starts_at_utc,
            duration_minutes=screening.duration_minutes,
            length_minutes=(
                screening.duration_minutes or film.runtime_minutes or self.default_length_minutes
            ),
            kind=screening.kind,
            status=screening.status,
            visibility=screening.visibility,
            audience=screening.audience,
            section=section,
            ticket_url=screening.ticket_url,
            notes=screening.notes,
            sequence=screening.sequence,
            updated_at=screening.updated_at,
        )


@dataclass(frozen=True)
class QueryResult:
    screenings: list[ScreeningView]
    notes: list[str]


def _zone(name: str) -> dt.tzinfo:
    from screenings.timeparse import load_zone

    return load_zone(name)
