"""What the schedule pages show: public records only, every screening through
``ScreeningQuery`` (private ones never, DESIGN.md invariant 8).

Each ``*_page`` function takes a slug as the feed server's routes give it and returns
a plain record (``records.HomePage``, ``EditionPage``, ...), or raises ``NotFound`` for
a record that does not exist or may not be named in public, the two alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, undefer

from screenings import tables
from screenings.errors import NotFound
from screenings.lookup import find_plan
from screenings.models import (
    Award,
    Edition,
    Festival,
    Film,
    Nomination,
    Person,
    Programme,
    Selection,
    Venue,
)
from screenings.query import OFF, ScreeningQuery
from screenings.records import (
    EditionPage,
    FestivalEdition,
    FestivalEntry,
    FestivalPage,
    FilmFacts,
    FilmPage,
    HomePage,
    KindIndex,
    LetterPage,
    PageLink,
    PersonPage,
    PlaceFacts,
    PlanPage,
    ProgrammeEntry,
    ProgrammeFilmLine,
    ProgrammePage,
    RunStep,
    ScheduleDay,
    ScheduleEntry,
    ScreeningView,
    VenuePage,
)
from screenings.services.awards import award_view
from screenings.services.catalog import (
    edition_view,
    festival_view,
    film_view,
    person_view,
    venue_view,
)
from screenings.services.listing import nomination_view
from screenings.services.programmes import programme_view
from screenings.services.published import (
    initial_of,
    public_condition,
    public_id,
    public_initials,
    public_records,
)
from screenings.timeparse import UTC, load_zone

F, E, FE, V, P = tables.film, tables.edition, tables.festival, tables.venue, tables.person
S = tables.screening
SE, C = tables.selection, tables.credit
PR = tables.programme
PFT = tables.programme_film


def edition_title(festival: str, year: int, label: str | None) -> str:
    """ "Sheffield Doc/Fest 2013", or with its label "Berlinale 2020 (70th)"."""
    return f"{festival} {year}" + (f" ({label})" if label else "")


# A kind with more public records than this is indexed by letter on the home page, and
# a letter's page shows this many at most: every index page stays small (the budget is
# 300 KB at 10,000 films; an entry, with its two feed links, takes about 600 bytes).
FULL_LIST = 300
LETTER_PAGE = 400
INDEXED = {"festival": "Festivals", "venue": "Venues", "film": "Films", "person": "People"}
ORDER = {"festival": FE.c.name_key, "venue": V.c.name_key, "film": F.c.title_key,
         "person": P.c.name_key}  # fmt: skip


def build_home_page(session: Session) -> HomePage:
    """Every festival with its editions, and every venue, film and person with something
    public, each in title order. Festivals with more than ``FULL_LIST`` editions in all
    are listed alone (their editions are on their pages); a kind with more than
    ``FULL_LIST`` records, as the first letters of their slugs instead, each leading to
    its ``build_letter_page``."""
    festivals = _festivals_and_editions(session)
    kinds = []
    if festivals is None:
        kinds.append(_indexed(session, "festival"))
    kinds += [_indexed(session, kind) for kind in ("venue", "film", "person")]
    return HomePage(festivals, kinds)


def _festivals_and_editions(session: Session) -> list[FestivalEntry] | None:
    """The public festivals with their public editions, or None when, together, they
    are more than ``FULL_LIST``."""
    festivals: dict[int, FestivalEntry] = {}
    public_festival, public_edition = public_condition("festival"), public_condition("edition")
    assert public_festival is not None and public_edition is not None
    rows = session.execute(
        select(FE.c.id, FE.c.slug, FE.c.name, E.c.slug, E.c.year, E.c.label)
        .select_from(FE)
        .outerjoin(E, and_(E.c.festival_id == FE.c.id, public_edition))
        .where(public_festival)
        .order_by(FE.c.name_key, FE.c.id, E.c.year.desc(), E.c.id)
        .limit(FULL_LIST + 1)
    ).all()
    # An entry each festival and each edition (the rows are cut at one more than the list).
    if len({row[0] for row in rows}) + sum(row[3] is not None for row in rows) > FULL_LIST:
        return None
    for festival_id, slug, name, edition_slug, year, label in rows:
        entry = festivals.setdefault(
            festival_id, FestivalEntry(PageLink("festival", slug, name), [])
        )
        if edition_slug is not None:
            title = edition_title(name, year, label)
            entry.editions.append(PageLink("edition", edition_slug, title))
    return list(festivals.values())


def _indexed(session: Session, kind: str) -> KindIndex:
    letters = public_initials(session, kind)
    if sum(count for _, count in letters) > FULL_LIST:
        return KindIndex(kind, INDEXED[kind], None, letters)
    return KindIndex(kind, INDEXED[kind], _links(session, kind), letters)


def _links(session: Session, kind: str, **window: Any) -> list[PageLink]:
    """The public records of ``kind`` (``published.public_records``) as page links."""
    rows = public_records(session, kind, ORDER[kind], **window)
    if kind == "venue":
        return [PageLink("venue", slug, _venue_title(name, city)) for slug, name, city in rows]
    if kind == "film":
        return [PageLink("film", slug, title, year) for slug, title, year in rows]
    return [PageLink(kind, slug, name) for slug, name in rows]


def build_letter_page(session: Session, kind: str, letter: str, number: int = 1) -> LetterPage:
    """The public records of ``kind`` whose slugs begin with ``letter`` (a to z, or
    "0-9"), ``LETTER_PAGE`` to a page; ``NotFound`` for a letter or page with none."""
    letters = public_initials(session, kind)
    count = dict(letters).get(letter, 0)
    pages = max(1, -(-count // LETTER_PAGE))
    if not count or not 1 <= number <= pages:
        raise NotFound(f"no {INDEXED[kind].lower()} under {letter!r}, page {number}")
    initial = initial_of(getattr(tables, kind).c.slug)
    begins = initial.in_(list("0123456789")) if letter == "0-9" else initial == letter
    window = (LETTER_PAGE, (number - 1) * LETTER_PAGE)
    links = _links(session, kind, where=begins, window=window)
    return LetterPage(kind, INDEXED[kind], letter, number, pages, links, letters)


def build_festival_page(session: Session, slug: str) -> FestivalPage:
    """A festival, its editions (latest first, with their public screening counts) and
    its awards."""
    festival = session.get_one(Festival, public_id(session, "festival", slug))
    public_edition = public_condition("edition")
    assert public_edition is not None
    editions = session.scalars(
        select(Edition)
        .where(Edition.festival_id == festival.id, public_edition)
        .order_by(Edition.year.desc(), Edition.id)
        .options(undefer(Edition.day_starts_at))  # with the rows: no query per edition
    ).all()
    counts = _public_counts(session, [e.id for e in editions])
    return FestivalPage(
        PageLink("festival", festival.slug, festival.name),
        festival_view(festival),
        [
            FestivalEdition(
                _edition_link(e),
                edition_view(session, e, counts.get((e.id, False), 0)),
                counts.get((e.id, True), 0),
            )
            for e in editions
        ],
        [
            award_view(award)
            for award in session.scalars(
                select(Award).where(Award.festival_id == festival.id).order_by(Award.name_key)
            )
        ],
    )


def _public_counts(session: Session, editions: list[int]) -> dict[tuple[int, bool], int]:
    """The public screenings of ``editions``, counted in one query, by (edition, off):
    those on (scheduled or tentative), and those cancelled or postponed apart."""
    off = S.c.status.in_(OFF).label("off")
    rows = session.execute(
        select(S.c.edition_id, off, func.count())
        .where(S.c.edition_id.in_(editions), S.c.visibility == "public")
        .group_by(S.c.edition_id, off)
    )
    return {(edition, bool(is_off)): count for edition, is_off, count in rows}


def build_edition_page(session: Session, slug: str, *, default_length_minutes: int) -> EditionPage:
    """An edition's public screenings by local day, and its selected films that have no
    public screening (dates not announced)."""
    edition = session.get_one(Edition, public_id(session, "edition", slug))
    entries = list_schedule(
        session,
        ScreeningQuery(edition=f"#{edition.id}", default_length_minutes=default_length_minutes),
    )
    # A film shown in a programme is screened too.
    screened = {link.slug for entry in entries for link in (entry.film, *entry.films)}
    programme = [
        ProgrammeEntry(PageLink("film", film_slug, title, year), section, premiere, status)
        for film_slug, title, year, section, premiere, status in session.execute(
            select(F.c.slug, F.c.title, F.c.year, SE.c.section, SE.c.premiere, SE.c.status)
            .join(SE, SE.c.film_id == F.c.id)
            .where(SE.c.edition_id == edition.id)
            .order_by(F.c.title_key, F.c.id)
        )
        if film_slug not in screened
    ]
    festival = edition.festival
    place = None
    if festival.city or festival.country:
        where = festival.city or festival.country
        assert where is not None
        place = PlaceFacts(None, where, None, festival.city, festival.country, None, None)
    return EditionPage(
        _edition_link(edition),
        PageLink("festival", festival.slug, festival.name),
        edition_view(session, edition),
        group_by_day(entries),
        programme,
        place,
    )


def build_film_page(session: Session, slug: str, *, default_length_minutes: int) -> FilmPage:
    """A film: its credits, its festival run (the editions that selected it, with section,
    premiere and public screenings; special screenings apart) in date order, and its
    nominations and awards."""
    film = session.get_one(Film, public_id(session, "film", slug))
    entries = list_schedule(
        session,
        ScreeningQuery(film=f"#{film.id}", default_length_minutes=default_length_minutes),
    )
    steps: dict[Any, RunStep] = {}
    selections = select(Selection).where(Selection.film_id == film.id)
    for selection in session.scalars(selections):
        edition = selection.edition
        steps[edition.id] = RunStep(
            _edition_link(edition),
            edition.year,
            edition.starts_on,
            edition.ends_on,
            selection.section,
            selection.premiere,
            selection.status,
            [],
        )
    for entry in entries:
        view = entry.screening
        if view.edition is None:  # a special screening is a step of its own
            steps[("special", view.id)] = RunStep(
                None, view.local_date.year, None, None, None, None, None, [entry]
            )
            continue
        if view.edition.id not in steps:  # screened, never "selected"
            steps[view.edition.id] = RunStep(
                entry.edition, view.edition.year, None, None, view.section, None, None, []
            )
        steps[view.edition.id].entries.append(entry)

    def order(step: RunStep) -> tuple[Any, ...]:
        known = step.entries[0].screening.local_date if step.entries else step.starts_on
        return (step.year, known is None, known or dt.date.min, step.edition or ())

    credits: dict[str, list[PageLink]] = {}
    for role, person_slug, name in session.execute(
        select(C.c.role, P.c.slug, P.c.name)
        .join(P, C.c.person_id == P.c.id)
        .where(C.c.film_id == film.id)
        .order_by(C.c.position, C.c.id)
    ):
        credits.setdefault(role, []).append(PageLink("person", person_slug, name))
    nominations = session.scalars(
        select(Nomination).where(Nomination.film_id == film.id).order_by(Nomination.year)
    )
    return FilmPage(
        PageLink("film", film.slug, film.title, film.year),
        film_view(film),
        list(credits.items()),
        sorted(steps.values(), key=order),
        [nomination_view(n) for n in nominations],
    )


def build_programme_page(
    session: Session, slug: str, *, default_length_minutes: int
) -> ProgrammePage:
    """A programme: its films in order (with directors, runtimes and the line shown with
    each) and its public screenings by local day."""
    programme = session.get_one(Programme, public_id(session, "programme", slug))
    view = programme_view(session, programme)
    ids = [entry.film_id for entry in programme.entries]
    directors: dict[int, list[str]] = defaultdict(list)
    for film_id, name in session.execute(
        select(C.c.film_id, P.c.name)
        .join(P, C.c.person_id == P.c.id)
        .where(C.c.film_id.in_(ids), C.c.role == "director")
        .order_by(C.c.film_id, C.c.position, C.c.id)
    ):
        directors[film_id].append(name)
    films = [
        ProgrammeFilmLine(
            PageLink("film", e.film.slug, e.film.title, e.film.year),
            tuple(directors[e.film_id]),
            e.film.runtime_minutes,
            e.extra,
        )
        for e in programme.entries
    ]
    screenings = tuple(session.scalars(select(S.c.id).where(S.c.programme_id == programme.id))) or (
        0,
    )  # none: a query of no screening
    entries = [  # each is this programme: said by the page, not by its screenings
        entry._replace(films=())
        for entry in list_schedule(
            session, ScreeningQuery(ids=screenings, default_length_minutes=default_length_minutes)
        )
    ]
    festival = programme.festival
    return ProgrammePage(
        PageLink("programme", programme.slug, programme.title),
        PageLink("festival", festival.slug, festival.name),
        _edition_link(programme.edition) if programme.edition is not None else None,
        view,
        films,
        group_by_day(entries),
    )


def build_venue_page(session: Session, slug: str, *, default_length_minutes: int) -> VenuePage:
    """A venue and its public screenings by local day."""
    venue = session.get_one(Venue, public_id(session, "venue", slug))
    entries = list_schedule(
        session,
        ScreeningQuery(venue=f"#{venue.id}", default_length_minutes=default_length_minutes),
    )
    return VenuePage(
        PageLink("venue", venue.slug, _venue_title(venue.name, venue.city)),
        venue_view(venue),
        group_by_day(entries),
    )


def build_person_page(session: Session, slug: str, *, default_length_minutes: int) -> PersonPage:
    """A person: the public films they are credited on (with the role), the public
    screenings of those films by local day, and their nominations."""
    person = session.get_one(Person, public_id(session, "person", slug))
    public_films = public_condition("film")
    assert public_films is not None
    credits: dict[PageLink, list[str]] = {}
    for film_slug, title, year, role in session.execute(
        select(F.c.slug, F.c.title, F.c.year, C.c.role)
        .join(C, C.c.film_id == F.c.id)
        .where(C.c.person_id == person.id, public_films)
        .order_by(F.c.year.nulls_last(), F.c.title_key, F.c.id, C.c.id)
    ):
        credits.setdefault(PageLink("film", film_slug, title, year), []).append(role)
    entries = list_schedule(
        session,
        ScreeningQuery(person=f"#{person.id}", default_length_minutes=default_length_minutes),
    )
    # A nomination for a film known only from private screenings is not named here.
    nominations = [
        nomination_view(nomination)
        for nomination in session.scalars(
            select(Nomination)
            .where(
                Nomination.person_id == person.id,
                or_(
                    Nomination.film_id.is_(None),
                    Nomination.film_id.in_(select(F.c.id).where(public_films)),
                ),
            )
            .order_by(Nomination.year)
        )
    ]
    return PersonPage(
        PageLink("person", person.slug, person.name),
        person_view(person),
        list(credits.items()),
        group_by_day(entries),
        nominations,
    )


# --- Screenings as pages show them ------------------------------------------------------


def build_plan_page(session: Session, query: ScreeningQuery, feed: str) -> PlanPage:
    """The screenings a plan chose (``query`` names the plan), by local day, for the page
    of its secret feed at ``feed``; private ones when the plan takes them."""
    assert query.plan is not None
    plan = find_plan(session, query.plan)
    return PlanPage(plan.name, plan.owner, feed, group_by_day(list_schedule(session, query)))


def list_schedule(session: Session, query: ScreeningQuery) -> list[ScheduleEntry]:
    """The public screenings ``query`` selects, each with the slugs of what it links to,
    its premiere, its film's directors, and what the page's structured data says of it
    (its end, its films' facts, its place): a query for the screenings, one for the
    directors of the films they show (a programme's included) and one for those films'
    facts, whatever the count. A plan's query (asked by its secret page only: a plan is
    never a web parameter) keeps the private screenings the plan takes, as its secret
    feed does."""
    found, statement = replace(query, include_private=False).run_with(  # never, here
        session, func.coalesce(F.c.slug, PR.c.slug), V.c.slug, E.c.slug, SE.c.premiere, *_PLACE
    )
    # The films shown: alone, or in a programme. Each film's facts are read once, not
    # with each of its screenings (its countries and languages are JSON to decode).
    shown = statement.with_only_columns(S.c.film_id).order_by(None).limit(None).subquery()
    programme_ids = {view.programme.id for view, _ in found if view.programme is not None}
    in_programmes = select(PFT.c.film_id).where(PFT.c.programme_id.in_(programme_ids))

    def shown_film(column: Any) -> Any:
        alone = column.in_(select(shown.c.film_id))
        return or_(alone, column.in_(in_programmes)) if programme_ids else alone

    directors: dict[int, list[str]] = defaultdict(list)
    for film_id, name in session.execute(
        select(C.c.film_id, P.c.name)
        .join(P, C.c.person_id == P.c.id)
        .where(shown_film(C.c.film_id), C.c.role == "director")
        .order_by(C.c.film_id, C.c.position, C.c.id)
    ):
        directors[film_id].append(name)
    films = {
        film_id: FilmFacts(
            PageLink("film", slug, title, year),
            tuple(directors[film_id]),
            runtime,
            tuple(countries or ()),
            tuple(languages or ()),
            imdb_id,
        )
        for film_id, slug, title, year, runtime, countries, languages, imdb_id in session.execute(
            select(
                F.c.id, F.c.slug, F.c.title, F.c.year, F.c.runtime_minutes, F.c.countries,
                F.c.languages, F.c.imdb_id,
            ).where(shown_film(F.c.id))
        )
    }  # fmt: skip
    made = _Entries(directors, films)
    return [made.entry(view, extra) for view, extra in found]


# What a page's structured data says of a venue, read with its screenings.
_PLACE = (V.c.address, V.c.country, V.c.latitude, V.c.longitude)


class _Entries:
    """Screenings' rows into ``ScheduleEntry`` records. The same film, venue, edition,
    clock and end come over and over: each made once."""

    def __init__(self, directors: dict[int, list[str]], films: dict[int, FilmFacts]) -> None:
        self.directors = directors
        self.films = films
        self.links: dict[tuple[str, int], PageLink] = {}
        self.places: dict[int, PlaceFacts] = {}
        self.clocks: dict[tuple[str, Any], str | None] = {}
        self.ends: dict[tuple[str, Any, int], str] = {}

    def entry(self, view: ScreeningView, extra: tuple[Any, ...]) -> ScheduleEntry:
        film_slug, venue_slug, edition_slug, premiere, *place_facts = extra
        film = _shown_link(view, film_slug, self.links)
        venue, place = self.venue(view, venue_slug, place_facts)
        edition = None
        if view.edition is not None:
            edition = self.links.get(("edition", view.edition.id))
            if edition is None:
                ref = view.edition
                title = edition_title(ref.festival, ref.year, ref.label)
                edition = PageLink("edition", edition_slug, title)
                self.links[("edition", ref.id)] = edition
        works = tuple(self.films[shown.id] for shown in view.films)  # one, or a programme's
        # Many screenings start at the same instant in the same zone: each named once.
        clock = (view.timezone, view.starts_at_utc)
        if clock not in self.clocks:
            self.clocks[clock] = _abbreviation(view)
        end = None
        if view.local_time is not None and view.starts_at_utc is not None:
            key = (*clock, view.length_minutes)
            end = self.ends.get(key)
            if end is None:
                end = self.ends[key] = _end(view)
        return ScheduleEntry(
            view,
            film,
            venue,
            edition,
            premiere if edition else None,
            tuple(self.directors[view.film.id]) if view.film else (),
            self.clocks[clock] if view.local_time is not None else None,
            tuple(work.link for work in works) if view.programme is not None else (),
            end,
            works,
            place,
        )

    def venue(
        self, view: ScreeningView, slug: str, facts: list[Any]
    ) -> tuple[PageLink | None, PlaceFacts | None]:
        """The link to the screening's venue, and its place: the venue (``_PLACE``'s
        values), else its city alone, else none."""
        if view.venue is None:
            if not view.city:
                return None, None
            return None, PlaceFacts(None, view.city, None, view.city, None, None, None)
        if view.venue.id not in self.places:
            title = _venue_title(view.venue.name, view.venue.city)
            link = PageLink("venue", slug, title)
            address, country, latitude, longitude = facts
            self.places[view.venue.id] = PlaceFacts(
                link, view.venue.name, address, view.venue.city, country, latitude, longitude
            )
        place = self.places[view.venue.id]
        return place.link, place


def _end(view: ScreeningView) -> str:
    """When a timed screening ends, as ISO 8601 local time with its offset: its start plus
    its effective length, on the clock of that instant (an end past a change of the
    clocks has the new offset)."""
    assert view.starts_at_utc is not None
    instant = view.starts_at_utc
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    ended = instant + dt.timedelta(minutes=view.length_minutes)
    return ended.astimezone(load_zone(view.timezone)).isoformat()


def _shown_link(view: ScreeningView, slug: str, links: dict[tuple[str, int], PageLink]) -> PageLink:
    """The link to what a screening shows: its film, or its programme."""
    kind, ref = ("film", view.film) if view.film is not None else ("programme", view.programme)
    assert ref is not None
    link = links.get((kind, ref.id))
    if link is None:
        year = view.film.year if view.film is not None else None
        link = links[(kind, ref.id)] = PageLink(kind, slug, ref.title, year)
    return link


def group_by_day(entries: Iterable[ScheduleEntry]) -> list[ScheduleDay]:
    """``entries`` (in the query's order, which is every door's: ``ScreeningQuery``, TBA
    last in its day) grouped by local date."""
    days: dict[dt.date, list[ScheduleEntry]] = defaultdict(list)
    for entry in entries:
        days[entry.screening.local_date].append(entry)
    return [ScheduleDay(day, found) for day, found in sorted(days.items())]


def _abbreviation(view: ScreeningView) -> str | None:
    """The name of the clock the local time is on ("BST", "EDT"), from the instant, so
    that the second 01:30 of a night the clocks go back says GMT."""
    if view.local_time is None or view.starts_at_utc is None:
        return None
    instant = view.starts_at_utc
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(load_zone(view.timezone)).tzname()


def _edition_link(edition: Edition) -> PageLink:
    return PageLink(
        "edition", edition.slug, edition_title(edition.festival.name, edition.year, edition.label)
    )


def _venue_title(name: str, city: str | None) -> str:
    return f"{name}, {city}" if city and city.casefold() not in name.casefold() else name
