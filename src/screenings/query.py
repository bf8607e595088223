"""ScreeningQuery: the one way every door selects screenings.

``list``, ``show`` and ``check`` build a ``ScreeningQuery`` from what the
user asked and call ``run``; the exports, the feed server and the import
report are to do the same. A filter is
added here once and means the same thing everywhere. Names are resolved
through ``screenings.lookup`` (never a silent pick), dates are local dates of
the screenings, both ends included.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    any_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from screenings import rules, tables
from screenings.db import has_table
from screenings.errors import InvalidInput
from screenings.filters import FILTERS
from screenings.records import (
    EditionRef,
    FilmRef,
    ProgrammeRef,
    ScreeningView,
    ShownFilm,
    VenueRef,
)
from screenings.timeparse import MAX_YEAR, MIN_YEAR, UTC, DateRange, date_span, load_zone

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
P = tables.programme
PF = tables.programme_film
PFF = tables.film.alias("programme_film_film")  # a programme's films, beside the film joined
# Where a screening is: its own city, else its venue's, else its festival's. The
# output and the city filter both use this one expression.
CITY_SOURCES = (S.c.city, V.c.city, FE.c.city)
CITY = func.coalesce(*CITY_SOURCES)
COUNTRY_SOURCES = (V.c.country, FE.c.country)
# A screening's section: its film's in the edition's programme, else its programme's own.
SECTION_SOURCES = (SE.c.section, P.c.section)
SECTION = func.coalesce(*SECTION_SOURCES)
# What a screening shows, by key: its film's title, or its programme's (for the order).
TITLE_KEY = func.coalesce(F.c.title_key, P.c.title_key)
# A programme's length: the sum of its films' runtimes, unknown (NULL) when any is.
PROGRAMME_LENGTH = (
    select(
        case(
            (func.count() == func.count(PFF.c.runtime_minutes), func.sum(PFF.c.runtime_minutes)),
            else_=null(),
        )
    )
    .select_from(PF.join(PFF, PF.c.film_id == PFF.c.id))
    .where(PF.c.programme_id == S.c.programme_id)
    .scalar_subquery()
)


@dataclass(frozen=True)
class ScreeningQuery:
    """What to select, in the domain's values: every field is optional; all given must
    hold. The filters a door offers fill the fields (``FILTERS``, ``from_filters``);
    a name is resolved when the query runs (``screenings.lookup``: never a silent pick)."""

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
    plan: str | None = None  # a plan's chosen screenings (its name, or #ID)
    limit: int | None = None
    sort: str = "start"
    default_length_minutes: int = 90

    def run(self, session: Session) -> QueryResult:
        """The matching screenings as views, and the notes on how names were read."""
        statement, notes = self.views(session)
        rows = session.execute(statement).all()
        shown = programme_films(session, {row[_PROGRAMME] for row in rows} - {None})
        return QueryResult([self._view(row, shown) for row in rows], notes)

    def views(self, session: Session) -> tuple[Select[Any], list[str]]:
        """``statement`` with only what a view is made of (``VIEW_FIELDS``, in order):
        a list of many screenings reads no more than it shows."""
        statement, notes = self.statement(session)
        columns = statement.selected_columns
        return statement.with_only_columns(*(columns[name] for name in VIEW_FIELDS)), notes

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
        result = session.execute(labelled)
        keys = list(result.keys())
        fields = _fields(keys)
        extras = _picker([keys.index(name) for name in names])
        rows = result.all()
        shown = programme_films(session, {row.programme_id for row in rows} - {None})
        found = [(self._view(fields(row), shown), extras(row)) for row in rows]
        return found, statement

    def statement(self, session: Session) -> tuple[Select[Any], list[str]]:
        """The one SELECT this query stands for: plain columns, one row per screening.

        Core tables rather than ORM entities: a list needs no instances, and
        skipping them keeps a large list fast and a small one quick to start.
        """
        self._check()
        notes: list[str] = []
        # A catalogue older than programmes (revision 0007), which ``edit`` may be fixing
        # before its upgrade (``migrate.Door.FIX``): every screening shows a film.
        programmes = has_table(session, "programme")
        statement = _columns_and_joins(programmes, self.default_length_minutes)
        title_key = TITLE_KEY if programmes else F.c.title_key
        return self._filtered(session, statement, notes, title_key), notes

    def _filtered(
        self, session: Session, statement: Select[Any], notes: list[str], title_key: Any
    ) -> Select[Any]:
        where: list[Any] = []
        if self.ids:
            where.append(S.c.id.in_(self.ids))
        if self.edition_ids:
            where.append(S.c.edition_id.in_(self.edition_ids))
        # Each filter's SQL, once where several share it (the four words of dates).
        for sql in dict.fromkeys(SQL[declared.name] for declared in FILTERS):
            where.extend(sql(session, self, notes))
        if self.hide_cancelled:
            where.append(S.c.status.not_in(OFF))
        statement = statement.where(*where).order_by(*self._order(title_key))
        if self.limit is not None:
            statement = statement.limit(min(self.limit, MAX_LIMIT))
        return statement

    def checked(self) -> ScreeningQuery:
        """This query with its free-text filters as the catalogue keeps such values: each
        tidied (``rules.clean_text``) and no longer than the column it is matched against,
        kinds as stored (lower-case, words joined by ``_``), statuses from their closed
        set. ``InvalidInput`` is about the filter's field (``city``, ``kind``)."""
        changes: dict[str, Any] = {}
        for field, (table, column) in _JUDGED.items():
            value = getattr(self, field)
            if value is not None:
                kept = rules.clean_text(value, what=field, limit=rules.length(table, column))
                if not kept:
                    raise InvalidInput("empty", field=field)
                changes[field] = kept
        changes["kinds"] = tuple(
            rules.required_word(
                kind,
                what="kind",
                limit=rules.length("screening", "kind"),
                example=rules.SCREENING_KIND_EXAMPLE,
            )
            for kind in self.kinds
        )
        changes["statuses"] = tuple(
            rules.closed_word(status, rules.SCREENING_STATUSES, what="status")
            for status in self.statuses
        )
        return replace(self, **changes)

    def focus(self, session: Session) -> frozenset[int]:
        """The films this query asks about (``film``, ``person``, ``director``), by id:
        a programme shows them among others. Names resolve as ``run`` resolved them."""
        ids: set[int] = set()
        if self.film is not None:
            ids.add(_lookup().find_film(session, self.film).take([]).id)
        for text, role in ((self.person, None), (self.director, "director")):
            if text is not None:
                person = _lookup().find_person(session, text, what=role or "person").take([])
                credits = select(C.c.film_id).where(C.c.person_id == person.id)
                if role:
                    credits = credits.where(C.c.role == role)
                ids.update(session.execute(credits).scalars())
        return frozenset(ids)

    def with_private(self) -> ScreeningQuery:
        """The same query with private screenings included (for checks, never for output)."""
        return replace(self, include_private=True)

    def _check(self) -> None:
        # A status's word is judged, and read as the catalogue keeps it ("Canceled" is
        # cancelled), by every door alike: checked(), through from_filters.
        if self.sort not in SORTS:
            raise InvalidInput(
                f"unknown order {self.sort!r}; expected one of {', '.join(SORTS)}", field="sort"
            )
        if self.limit is not None and self.limit < 1:
            raise InvalidInput(f"expected a positive number, got {self.limit}", field="limit")
        if self.year is not None and self.festival is None:
            if self.edition is not None:
                raise InvalidInput(
                    "{edition} already names the year", field="year", mentions=("edition",)
                )
            raise InvalidInput(
                "give it with {festival} (the edition's year)", field="year", mentions=("festival",)
            )
        if self.year is not None and not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidInput(f"expected a year from {MIN_YEAR} to {MAX_YEAR}", field="year")
        if self.edition is not None and self.festival is not None:
            raise InvalidInput(
                "give either {edition} or {festival} (with {year})",
                field="edition",
                mentions=("edition", "festival", "year"),
            )
        if self.hide_cancelled and self.statuses and all(s.lower() in OFF for s in self.statuses):
            raise InvalidInput(
                f"omit leaves out every screening {{status}} asks for ({', '.join(self.statuses)})",
                field="cancelled",
                mentions=("status",),
            )

    def _order(self, title_key: Any) -> list[Any]:
        # Every door's order (the list, the pages, the exports): by day, then by start,
        # a screening whose time is not known (TBA) last in its day, as a printed
        # programme has it; then by title. Reversed, the other way round throughout.
        start: list[Any] = [S.c.local_date, S.c.starts_at_utc.nulls_last(), title_key]
        if self.sort == "-start":
            start = [
                S.c.local_date.desc(),
                S.c.starts_at_utc.desc().nulls_first(),
                title_key.desc(),
            ]
        by: dict[str, list[Any]] = {
            "start": start,
            "-start": start,
            # Unknown parts last, on both backends (they disagree by default).
            "film": [title_key, F.c.year.nulls_last(), *start],
            "venue": [V.c.name_key.nulls_last(), V.c.city.nulls_last(), *start],
            "updated": [S.c.updated_at.desc()],
        }
        return [*by[self.sort], S.c.id]

    def _view(self, row: Any, shown: Mapping[int, list[ShownFilm]]) -> ScreeningView:
        """A screening's view from its row's ``VIEW_FIELDS``, in that order (a list makes
        hundreds of thousands: values taken by position, not name)."""
        (
            id_, uid, film_id, film_title, film_year, programme_id, programme_title,
            venue_id, venue_name, venue_city, edition_id, festival_name, edition_year,
            edition_label, display_city, local_date, local_time, timezone, starts_at_utc,
            duration_minutes, length_minutes, kind, status, visibility, audience, section,
            ticket_url, notes, sequence, updated_at,
        ) = row  # fmt: skip
        if local_time is None or starts_at_utc is None:
            start = local_date.isoformat()
        else:
            start = starts_at_utc.astimezone(load_zone(timezone)).isoformat()
        film = None
        if programme_id is None:
            film = FilmRef(film_id, film_title, film_year)
            films = [ShownFilm(film_id, film_title, film_year, 1)]
            programme = None
        else:
            films = shown.get(programme_id, [])
            programme = ProgrammeRef(programme_id, programme_title)
        return ScreeningView(
            id_,
            uid,
            film,
            VenueRef(venue_id, venue_name, venue_city) if venue_id else None,
            EditionRef(edition_id, festival_name, edition_year, edition_label)
            if edition_id
            else None,
            display_city,
            local_date,
            local_time,
            timezone,
            start,
            starts_at_utc,
            duration_minutes,
            length_minutes,
            kind,
            status,
            visibility,
            audience,
            section,
            ticket_url,
            notes,
            sequence,
            updated_at,
            programme,
            films,
        )


@functools.lru_cache(maxsize=8)
def _columns_and_joins(programmes: bool, default_length_minutes: int) -> Select[Any]:
    """``ScreeningQuery.statement`` before its filters and order: every query of the same
    settings shares it (a SELECT of 40 columns over six joins is made once, not at every
    request of the server). ``programmes``: whether the catalogue has them (a catalogue
    older than revision 0007, which ``edit`` may be fixing before its upgrade, shows a
    film at every screening)."""
    shows = [
        column if programmes or column.name != "programme_id" else null().label(column.name)
        for column in S.c
    ]
    statement = select(
        *shows,
        # What it shows: the film's title, or the programme's; ``film_id`` says which.
        (func.coalesce(F.c.title, P.c.title) if programmes else F.c.title).label("film_title"),
        F.c.year.label("film_year"),
        F.c.runtime_minutes.label("film_runtime"),
        (P.c.title if programmes else null()).label("programme_title"),
        V.c.name.label("venue_name"),
        V.c.city.label("venue_city"),
        E.c.year.label("edition_year"),
        E.c.label.label("edition_label"),
        FE.c.name.label("festival_name"),
        (SECTION if programmes else SE.c.section).label("section"),
        CITY.label("display_city"),
        _length(default_length_minutes, programmes=programmes).label("length_minutes"),
    ).outerjoin(F, S.c.film_id == F.c.id)
    if programmes:
        statement = statement.outerjoin(P, S.c.programme_id == P.c.id)
    return (
        statement.outerjoin(V, S.c.venue_id == V.c.id)
        .outerjoin(E, S.c.edition_id == E.c.id)
        .outerjoin(FE, E.c.festival_id == FE.c.id)
        .outerjoin(SE, and_(SE.c.film_id == S.c.film_id, SE.c.edition_id == S.c.edition_id))
    )


def _length(default_length_minutes: int, *, programmes: bool) -> Any:
    # Asked of a programme's screening only: a film's of unknown runtime skips it.
    programme = [case((S.c.programme_id.is_not(None), PROGRAMME_LENGTH))] if programmes else []
    return func.coalesce(
        S.c.duration_minutes, F.c.runtime_minutes, *programme, default_length_minutes
    )


# The columns a view is made of, in ``_view``'s order; the programme's id is the sixth.
VIEW_FIELDS = (
    "id", "uid", "film_id", "film_title", "film_year", "programme_id", "programme_title",
    "venue_id", "venue_name", "venue_city", "edition_id", "festival_name", "edition_year",
    "edition_label", "display_city", "local_date", "local_time", "timezone", "starts_at_utc",
    "duration_minutes", "length_minutes", "kind", "status", "visibility", "audience",
    "section", "ticket_url", "notes", "sequence", "updated_at",
)  # fmt: skip
_PROGRAMME = VIEW_FIELDS.index("programme_id")


def _fields(keys: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """What takes a row's ``VIEW_FIELDS`` out of it, in order, given its columns' names."""
    return itemgetter(*(keys.index(name) for name in VIEW_FIELDS))


def _picker(positions: list[int]) -> Callable[[Any], tuple[Any, ...]]:
    """What takes the values at ``positions`` out of a row, as a tuple (of one, or none)."""
    if len(positions) == 1:
        (only,) = positions
        return lambda row: (row[only],)
    if not positions:
        return lambda _row: ()
    return itemgetter(*positions)


def programme_films(session: Session, ids: set[int]) -> dict[int, list[ShownFilm]]:
    """The films of each programme of ``ids``, in order: one query, whatever their number."""
    if not ids:
        return {}
    found: dict[int, list[ShownFilm]] = {}
    rows = session.execute(
        select(PF.c.programme_id, F.c.id, F.c.title, F.c.year, PF.c.position)
        .join(F, PF.c.film_id == F.c.id)
        .where(PF.c.programme_id.in_(sorted(ids)))
        .order_by(PF.c.programme_id, PF.c.position)
    )
    for programme_id, *film in rows:
        found.setdefault(programme_id, []).append(ShownFilm(*film))
    return found


# --- The SQL of each filter -------------------------------------------------------------------
#
# A filter is declared once in ``screenings.filters`` (its name, field, type, help and
# doors: what the command line needs at start-up, without SQLAlchemy); its SQL is here,
# by its name (``SQL``). A test keeps the two alike.

Where = Callable[[Session, "ScreeningQuery", list[str]], list[Any]]


def _lookup() -> Any:
    """``screenings.lookup``, imported by the first query that names a record: it maps
    the model's classes (15 ms at every start), which a list by dates never needs."""
    from screenings import lookup

    return lookup


def shows_film(films: int | list[int] | Select[Any], session: Session) -> Any:
    """SQL: the screening shows the film of id ``films`` (or one of a list of ids, or of
    a SELECT of them): alone, or in its programme. Either way the screenings are found
    through their own indexes (``film_id``, ``programme_id``)."""
    among = PF.c.film_id == films if isinstance(films, int) else PF.c.film_id.in_(films)
    programmes = select(PF.c.programme_id).where(among)
    with_programmes = has_table(session, "programme")
    if isinstance(films, Select) and session.get_bind().dialect.name == "postgresql":
        # PostgreSQL reads "x IN (SELECT) OR y IN (SELECT)" as a test of every row; each
        # SELECT made an array once, it ORs two index scans (benchmarks/scale.py).
        alone: Any = S.c.film_id == any_(_array(films))
        if not with_programmes:
            return alone
        return or_(alone, S.c.programme_id == any_(_array(programmes)))
    alone = S.c.film_id == films if isinstance(films, int) else S.c.film_id.in_(films)
    if not with_programmes:
        return alone
    return or_(alone, S.c.programme_id.in_(programmes))


def _array(ids: Select[Any]) -> Any:
    """PostgreSQL: the ids a one-column SELECT gives, as one array, computed once (the
    CAST makes ``ANY`` read it as an array, not as a subquery's rows); none: an empty
    array, so that the test is false, never unknown."""
    (column,) = ids.selected_columns
    found = ids.with_only_columns(func.array_agg(column)).scalar_subquery()
    return func.coalesce(cast(found, ARRAY(Integer)), cast(literal("{}"), ARRAY(Integer)))


def _film(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.film is None:
        return []
    return [shows_film(_lookup().find_film(session, query.film).take(notes).id, session)]


def _credited(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    where = []
    for text, role in ((query.person, None), (query.director, "director")):
        if text is not None:
            person = _lookup().find_person(session, text, what=role or "person").take(notes)
            credited = [C.c.person_id == person.id]
            if role:
                credited.append(C.c.role == role)
            where.append(shows_film(select(C.c.film_id).where(*credited), session))
    return where


def _edition(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.edition is not None or (query.festival is not None and query.year is not None):
        found = _lookup().find_edition(
            session, query.edition, festival=query.festival, year=query.year
        )
        return [S.c.edition_id == found.take(notes).id]
    if query.festival is not None:
        return [E.c.festival_id == _lookup().find_festival(session, query.festival).take(notes).id]
    return []


def _venue(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.venue is None:
        return []
    return [S.c.venue_id == _lookup().find_venue(session, query.venue).take(notes).id]


def _text(field: str, expression: Any, *sources: Any) -> Where:
    """Free text (a city, a section, ...) matches by key, as names do: the stored
    spellings with the same key, found here, go into the SELECT. ``sources``: the columns
    ``expression`` takes its values from, each read on its own table (a venue's city, a
    festival's, a screening's own: indexed, where a screening's joins would be read
    whole); none: the values of ``expression`` over the screenings' joins."""

    def where(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
        text = getattr(query, field)
        if text is None:
            return []
        return [expression.in_(_spellings(session, expression, text, field, sources))]

    return where


def _dates(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.dates is None:
        return []
    return [S.c.local_date.between(query.dates.first, query.dates.last)]


def _upcoming(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.upcoming_from is None:
        return []
    now = query.upcoming_from.astimezone(UTC)
    # A screening whose time is not known counts until its day is over even at UTC-12,
    # the last place on Earth where a day ends.
    return [
        or_(
            S.c.starts_at_utc >= now,
            and_(
                S.c.starts_at_utc.is_(None),
                S.c.local_date >= (now - dt.timedelta(hours=12)).date(),
            ),
        )
    ]


def _statuses(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    return [S.c.status.in_(query.statuses)] if query.statuses else []


def _kinds(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    return [S.c.kind.in_(query.kinds)] if query.kinds else []


def _visibility(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.include_private:
        return []
    if query.plan is not None and _lookup().find_plan(session, query.plan).include_private:
        return []  # the plan was made to take private screenings: its own choice, stated
    return [S.c.visibility == "public"]


def _plan(session: Session, query: ScreeningQuery, notes: list[str]) -> list[Any]:
    if query.plan is None:
        return []
    plan = _lookup().find_plan(session, query.plan)
    chosen = tables.plan_choice
    return [S.c.id.in_(select(chosen.c.screening_id).where(chosen.c.plan_id == plan.id))]


SQL: dict[str, Where] = {
    "film": _film,
    "person": _credited,
    "director": _credited,
    "festival": _edition,
    "edition": _edition,
    "year": _edition,  # with the festival, an edition
    "venue": _venue,
    "city": _text("city", CITY, *CITY_SOURCES),
    "country": _text("country", func.coalesce(*COUNTRY_SOURCES), *COUNTRY_SOURCES),
    "from": _dates,
    "to": _dates,
    "on": _dates,
    "in": _dates,
    "upcoming": _upcoming,
    "status": _statuses,
    "kind": _kinds,
    "section": _text("section", SECTION, *SECTION_SOURCES),
    "audience": _text("audience", S.c.audience),
    "include_private": _visibility,
    "plan": _plan,
}
# The free-text filters, and the column whose rules judge each (``rules.clean_text``).
_JUDGED = {
    "city": ("screening", "city"),
    "country": ("venue", "country"),
    "section": ("selection", "section"),
    "audience": ("screening", "audience"),
}


def from_filters(
    given: Mapping[str, Any],
    *,
    today: dt.date,
    now: dt.datetime,
    dayfirst: bool | None,
    default_length_minutes: int,
    **rest: Any,
) -> ScreeningQuery:
    """The query that filter values stand for (``given``, by filter name; a value not
    given is None, False or empty), judged as every door judges them (``checked``): date
    words are read against ``today`` in the ``dayfirst`` order, ``upcoming`` from
    ``now``. ``rest`` sets the query's other fields (``limit``, ``sort``, ...)."""
    unknown = set(given) - {declared.name for declared in FILTERS}
    assert not unknown, f"not a declared filter: {sorted(unknown)}"
    values: dict[str, Any] = {}
    for declared in FILTERS:
        value = given.get(declared.name)
        if value is None or value is False or declared.field == "dates":
            continue
        if declared.name == "upcoming":
            values["upcoming_from"] = now
        elif declared.type is list:
            values[declared.field] = tuple(value)
        else:
            values[declared.field] = value
    dates = date_span(given, dayfirst=dayfirst, today=today)
    query = ScreeningQuery(
        **values, dates=dates, default_length_minutes=default_length_minutes, **rest
    )
    return query.checked()


def _spellings(
    session: Session, expression: Any, text: str, what: str, sources: tuple[Any, ...] = ()
) -> list[str]:
    """The stored values of ``expression`` (over a screening's joins), or of its
    ``sources``, with the key of ``text``."""
    if sources:
        each = [select(c.label("value")).where(c.is_not(None)).distinct() for c in sources]
        found: list[str] = _lookup().spellings(session, union(*each), text, what)
        return found
    stored = (
        select(expression.label("value"))
        .select_from(S)
        .outerjoin(V, S.c.venue_id == V.c.id)
        .outerjoin(E, S.c.edition_id == E.c.id)
        .outerjoin(FE, E.c.festival_id == FE.c.id)
        .outerjoin(SE, and_(SE.c.film_id == S.c.film_id, SE.c.edition_id == S.c.edition_id))
        .outerjoin(P, S.c.programme_id == P.c.id)
        .where(expression.is_not(None))
        .distinct()
    )
    found = _lookup().spellings(session, stored, text, what)
    return found


@dataclass(frozen=True)
class QueryResult:
    screenings: list[ScreeningView]
    notes: list[str]
