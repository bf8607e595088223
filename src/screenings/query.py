"""ScreeningQuery: the one way every door selects screenings.

``list``, ``show`` and ``check`` build a ``ScreeningQuery`` from what the
user asked and call ``run``; the exports, the feed server and the import
report are to do the same. A filter is
added here once and means the same thing everywhere. Names are resolved
through ``services.lookup`` (never a silent pick), dates are local dates of
the screenings, both ends included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from screenings import tables
from screenings.errors import InvalidInput
from screenings.records import EditionRef, FilmRef, ScreeningView, VenueRef
from screenings.timeparse import MAX_YEAR, MIN_YEAR, UTC, DateRange, load_zone

SORTS = ("start", "-start", "film", "venue", "updated")
OFF = ("cancelled", "postponed")  # what hide_cancelled leaves out: neither is on
MAX_LIMIT = 2**31 - 1  # any larger limit is no limit, and SQLite refuses it

# Plain tables, not the ORM classes: a list needs no instances (see statement()).
S = tables.screening
F = tables.film
V = tables.venue
E = tables.edition
FE = tables.festival
SE = tables.selection
C = tables.credit
# Where a screening is: its own city, else its venue's, else its festival's. The
# output and the --city filter both use this one expression.
CITY = func.coalesce(S.c.city, V.c.city, FE.c.city)


@dataclass(frozen=True)
class ScreeningQuery:
    """What to select, as the user said it. Every field is optional; all given must hold."""

    ids: tuple[int, ...] = ()  # these screenings only
    edition_ids: tuple[int, ...] = ()  # screenings of these editions only (an import's)
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
    hide_cancelled: bool = False  # leave out cancelled and postponed screenings
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
        rows = session.execute(statement).mappings()
        return QueryResult([self._view(row) for row in rows], notes)

    def run_with(
        self, session: Session, *extra: Any
    ) -> tuple[list[tuple[ScreeningView, tuple[Any, ...]]], Select[Any]]:
        """The matching screenings as views, each with the values of ``extra`` (columns of
        the tables this query joins: film, venue, edition, festival, selection) beside
        it; and the statement, to select more about the same screenings."""
        statement, _ = self.statement(session)
        names = [f"extra_{number}" for number in range(len(extra))]
        labelled = statement.add_columns(
            *(column.label(name) for column, name in zip(extra, names, strict=True))
        )
        rows = session.execute(labelled).mappings()
        found = [(self._view(row), tuple(row[name] for name in names)) for row in rows]
        return found, statement

    def statement(self, session: Session) -> tuple[Select[Any], list[str]]:
        """The one SELECT this query stands for: plain columns, one row per screening.

        Core tables rather than ORM entities: a list needs no instances, and
        skipping them keeps a large list fast and a small one quick to start.
        """
        self._check()
        notes: list[str] = []
        if self.names_given:
            from screenings.services import lookup  # the ORM: only for a query with names

        def note(found: Any) -> Any:
            return found.take(notes)

        statement = (
            select(
                *S.c,
                F.c.title.label("film_title"),
                F.c.year.label("film_year"),
                F.c.runtime_minutes.label("film_runtime"),
                V.c.name.label("venue_name"),
                V.c.city.label("venue_city"),
                E.c.year.label("edition_year"),
                E.c.label.label("edition_label"),
                FE.c.name.label("festival_name"),
                SE.c.section.label("section"),
                CITY.label("display_city"),
                self.length().label("length_minutes"),
            )
            .join(F, S.c.film_id == F.c.id)
            .outerjoin(V, S.c.venue_id == V.c.id)
            .outerjoin(E, S.c.edition_id == E.c.id)
            .outerjoin(FE, E.c.festival_id == FE.c.id)
            .outerjoin(SE, and_(SE.c.film_id == S.c.film_id, SE.c.edition_id == S.c.edition_id))
        )
        where: list[Any] = []
        if self.ids:
            where.append(S.c.id.in_(self.ids))
        if self.edition_ids:
            where.append(S.c.edition_id.in_(self.edition_ids))
        if self.film is not None:
            where.append(S.c.film_id == note(lookup.find_film(session, self.film)).id)
        for text, role in ((self.person, None), (self.director, "director")):
            if text is not None:
                person = note(lookup.find_person(session, text, what=role or "person"))
                credited = [C.c.film_id == S.c.film_id, C.c.person_id == person.id]
                if role:
                    credited.append(C.c.role == role)
                where.append(exists().where(*credited))
        if self.edition is not None or (self.festival is not None and self.year is not None):
            found = lookup.find_edition(
                session, self.edition, festival=self.festival, year=self.year
            )
            where.append(S.c.edition_id == note(found).id)
        elif self.festival is not None:
            where.append(E.c.festival_id == note(lookup.find_festival(session, self.festival)).id)
        if self.venue is not None:
            where.append(S.c.venue_id == note(lookup.find_venue(session, self.venue)).id)
        # Free text (cities, countries, sections, audiences) matches by key, like names:
        # the stored spellings with the same key, found here, go into the SELECT.
        for text, expression, what in (
            (self.city, CITY, "--city"),
            (self.country, func.coalesce(V.c.country, FE.c.country), "--country"),
            (self.section, SE.c.section, "--section"),
            (self.audience, S.c.audience, "--audience"),
        ):
            if text is not None:
                where.append(expression.in_(_spellings(session, expression, text, what)))
        if self.dates:
            where.append(S.c.local_date.between(self.dates.first, self.dates.last))
        if self.upcoming_from:
            now = self.upcoming_from.astimezone(UTC)
            # A screening whose time is not known counts until its day is over
            # even at UTC-12, the last place on Earth where a day ends.
            where.append(
                or_(
                    S.c.starts_at_utc >= now,
                    and_(
                        S.c.starts_at_utc.is_(None),
                        S.c.local_date >= (now - dt.timedelta(hours=12)).date(),
                    ),
                )
            )
        if self.statuses:
            where.append(S.c.status.in_([status.lower() for status in self.statuses]))
        if self.hide_cancelled:
            where.append(S.c.status.not_in(OFF))
        if self.kinds:
            where.append(S.c.kind.in_(self.kinds))
        if not self.include_private:
            where.append(S.c.visibility == "public")
        statement = statement.where(*where).order_by(*self._order())
        if self.limit is not None:
            statement = statement.limit(min(self.limit, MAX_LIMIT))
        return statement, notes

    def length(self) -> Any:
        """A screening's effective length in minutes, as SQL: its own slot, else its
        film's runtime, else the configured default (DESIGN.md, "Length")."""
        return func.coalesce(S.c.duration_minutes, F.c.runtime_minutes, self.default_length_minutes)

    def with_private(self) -> ScreeningQuery:
        """The same query with private screenings included (for checks, never for output)."""
        from dataclasses import replace

        return replace(self, include_private=True)

    @property
    def names_given(self) -> bool:
        """True when the query names a film, person, festival, edition or venue."""
        names = (self.film, self.person, self.director, self.festival, self.edition, self.venue)
        return any(name is not None for name in names)

    def _check(self) -> None:
        # A status's word is judged, and read as the catalogue keeps it ("Canceled" is
        # cancelled), by every door alike: services.criteria.checked_query.
        if self.sort not in SORTS:
            raise InvalidInput(
                f"--sort: unknown order {self.sort!r}; expected one of {', '.join(SORTS)}"
            )
        if self.limit is not None and self.limit < 1:
            raise InvalidInput(f"--limit: expected a positive number, got {self.limit}")
        if self.year is not None and self.festival is None:
            if self.edition is not None:
                raise InvalidInput("--year: --edition already names the year")
            raise InvalidInput("--year: give it with --festival (the edition's year)")
        if self.year is not None and not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidInput(f"--year: expected a year from {MIN_YEAR} to {MAX_YEAR}")
        if self.edition is not None and self.festival is not None:
            raise InvalidInput("--edition: give either --edition or --festival (with --year)")
        if self.hide_cancelled and self.statuses and all(s.lower() in OFF for s in self.statuses):
            raise InvalidInput(
                "--cancelled omit: leaves out every screening --status asks for "
                f"({', '.join(self.statuses)})"
            )

    def _order(self) -> list[Any]:
        # A screening whose time is not known sorts at the start of its day.
        start: list[Any] = [S.c.local_date, S.c.starts_at_utc.nulls_first()]
        if self.sort == "-start":
            start = [S.c.local_date.desc(), S.c.starts_at_utc.desc().nulls_last()]
        by: dict[str, list[Any]] = {
            "start": start,
            "-start": start,
            # Unknown parts last, on both backends (they disagree by default).
            "film": [F.c.title_key, F.c.year.nulls_last(), *start],
            "venue": [V.c.name_key.nulls_last(), V.c.city.nulls_last(), *start],
            "updated": [S.c.updated_at.desc()],
        }
        return [*by[self.sort], S.c.id]

    def _view(self, row: Any) -> ScreeningView:
        if row.local_time is None or row.starts_at_utc is None:
            start = row.local_date.isoformat()
        else:
            start = row.starts_at_utc.astimezone(load_zone(row.timezone)).isoformat()
        return ScreeningView(
            id=row.id,
            uid=row.uid,
            film=FilmRef(row.film_id, row.film_title, row.film_year),
            venue=VenueRef(row.venue_id, row.venue_name, row.venue_city) if row.venue_id else None,
            edition=(
                EditionRef(row.edition_id, row.festival_name, row.edition_year, row.edition_label)
                if row.edition_id
                else None
            ),
            city=row.display_city,
            local_date=row.local_date,
            local_time=row.local_time,
            timezone=row.timezone,
            start=start,
            starts_at_utc=row.starts_at_utc,
            duration_minutes=row.duration_minutes,
            length_minutes=row.length_minutes,
            kind=row.kind,
            status=row.status,
            visibility=row.visibility,
            audience=row.audience,
            section=row.section,
            ticket_url=row.ticket_url,
            notes=row.notes,
            sequence=row.sequence,
            updated_at=row.updated_at,
        )


def _spellings(session: Session, expression: Any, text: str, what: str) -> list[str]:
    """The stored values of ``expression`` (over a screening's joins) with the key of ``text``."""
    from screenings.services.lookup import spellings

    stored = (
        select(expression.label("value"))
        .select_from(S)
        .outerjoin(V, S.c.venue_id == V.c.id)
        .outerjoin(E, S.c.edition_id == E.c.id)
        .outerjoin(FE, E.c.festival_id == FE.c.id)
        .outerjoin(SE, and_(SE.c.film_id == S.c.film_id, SE.c.edition_id == S.c.edition_id))
        .where(expression.is_not(None))
        .distinct()
    )
    return spellings(session, stored, text, what)


@dataclass(frozen=True)
class QueryResult:
    screenings: list[ScreeningView]
    notes: list[str]
