"""Calendar feeds: the screenings a ``ScreeningQuery`` selects, as calendar records.

``calendar_feed`` is one feed, streamed (a 100,000-event feed is never held
in memory); ``split_feeds`` is one feed per festival, edition, venue, film or
person. Rendering the records is ``exporters.ical``'s job. Both read only.

Private screenings are left out unless the query includes them (DESIGN.md,
invariant 8), and then they leave no trace: no group, no count. With
``cancelled="omit"`` cancelled and postponed screenings are left out; by
default they are kept, marked CANCELLED, so that calendars which show
cancellations show them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session

from screenings import lookup, tables
from screenings.errors import InvalidInput
from screenings.models import Edition, Festival, Film, Person, Venue
from screenings.query import CITY, FE, OFF, PF, SE, SECTION, E, F, P, S, ScreeningQuery, V
from screenings.records import (
    CONTRACT_VERSION,
    CONTRACTS,
    FeedEvent,
    FeedHeader,
    ProgrammeLine,
    ZoneSpan,
)

REFRESH_MINUTES = 12 * 60
MAX_REFRESH_MINUTES = 31 * 24 * 60
CANCELLED_MODES = ("mark", "omit")
SPLITS = ("festival", "edition", "venue", "film", "person")
# The feed of screenings that belong to no edition, in a festival or edition split. Its
# name has an underscore, which no slug has, so it cannot be a festival's file.
SPECIAL = "special_screenings"
_CHUNK = 2000


@dataclass(frozen=True)
class FeedOptions:
    """How feeds are made: ``domain`` names the calendars' UIDs (the feed-domain
    setting); ``zone`` is the zone an empty feed describes when nothing it names has one;
    ``title`` replaces the name made from the filters."""

    domain: str
    cancelled: str = "mark"
    refresh_minutes: int = REFRESH_MINUTES
    title: str | None = None
    zone: str | None = None
    contract: int = CONTRACT_VERSION  # of JSON and CSV (docs/output.md); 1 has no programmes
    # The site's address (``--base-url``, ``SCREENINGS_BASE_URL``, or the server's own):
    # a frab schedule links each event to its page there.
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.contract not in CONTRACTS:
            raise InvalidInput(
                f"expected {' or '.join(map(str, CONTRACTS))}, got {self.contract}",
                field="contract",
            )
        if self.cancelled not in CANCELLED_MODES:
            raise InvalidInput(
                f"expected one of {', '.join(CANCELLED_MODES)}, got {self.cancelled!r}",
                field="cancelled",
            )
        if not 1 <= self.refresh_minutes <= MAX_REFRESH_MINUTES:
            raise InvalidInput("expected from one minute to 31 days", field="refresh_minutes")
        if self.title is not None and not self.title.strip():
            raise InvalidInput("empty; give the calendar a name", field="title")

    def shown(self, query: ScreeningQuery) -> ScreeningQuery:
        """``query`` as the feed selects: without cancelled screenings when omitted."""
        return replace(query, hide_cancelled=True) if self.cancelled == "omit" else query


class Feed(NamedTuple):
    """One calendar: its header, how many events, and the events (a stream, to read
    inside the session's unit of work), with the notes on how names were read."""

    header: FeedHeader
    size: int
    events: Iterator[FeedEvent]
    notes: list[str]


def calendar_feed(session: Session, query: ScreeningQuery, options: FeedOptions) -> Feed:
    """The screenings ``query`` selects, in its order, as one feed.

    A feed with no events still describes a zone (RFC 5545 wants a component):
    the named venue's, edition's or festival's, else ``options.zone``, else UTC.
    """
    statement, notes = options.shown(query).statement(session)
    scope = statement.subquery()
    spans = session.execute(
        select(
            scope.c.timezone,
            func.min(scope.c.local_date),
            func.max(scope.c.local_date),
            func.count(),
        )
        .group_by(scope.c.timezone)
        .order_by(scope.c.timezone)
    ).all()
    named = Named.of(session, query)
    zones = tuple(ZoneSpan(name, first, last) for name, first, last, _ in spans)
    title, identity = describe(query, named, options)
    if options.title:
        identity += f";title={options.title}"  # a calendar of its own (a secret feed's)
    header = FeedHeader(
        uid=f"feed-{hashlib.sha256(identity.encode()).hexdigest()[:20]}@{options.domain}",
        title=options.title or title,
        description=_about(options.title or title, options),
        refresh_minutes=options.refresh_minutes,
        zones=zones or (empty_zone(query, named, options),),
    )
    details = FilmDetails(session, scope)
    rows = session.execute(_event_select(statement).execution_options(yield_per=_CHUNK))
    events = map(details.event, rows)
    return Feed(header, sum(n for *_, n in spans), events, notes)


# --- From rows to events -----------------------------------------------------------

# What each field of a FeedEvent is read from, over the query's joins. Directors and
# links are read apart, by film; the film's id stands in for them in the row.
_EVENT_COLUMNS: dict[str, Any] = {
    "uid": S.c.uid,
    "sequence": S.c.sequence,
    "created_at": S.c.created_at,
    "updated_at": S.c.updated_at,
    "status": S.c.status,
    "visibility": S.c.visibility,
    "kind": S.c.kind,
    "timezone": S.c.timezone,
    "local_date": S.c.local_date,
    "local_time": S.c.local_time,
    "starts_at_utc": S.c.starts_at_utc,
    "length_minutes": None,  # the query's own rule: query._length()
    "film_title": func.coalesce(F.c.title, P.c.title),  # a programme's, for one
    "film_year": F.c.year,
    "runtime_minutes": F.c.runtime_minutes,
    "countries": cast(F.c.countries, Text),  # JSON text, read once per distinct value
    "directors": S.c.film_id,
    "website": F.c.website,
    "links": S.c.film_id,
    "festival": FE.c.name,
    "edition_year": E.c.year,
    "edition_label": E.c.label,
    "section": SECTION,
    "premiere": SE.c.premiere,
    "venue_name": V.c.name,
    "venue_address": V.c.address,
    "city": CITY,
    "latitude": V.c.latitude,
    "longitude": V.c.longitude,
    "audience": S.c.audience,
    "ticket_url": S.c.ticket_url,
    "notes": S.c.notes,
    "programme": S.c.programme_id,  # its films are read apart, by programme
    "programme_notes": P.c.notes,
    "duration_minutes": S.c.duration_minutes,
}
assert tuple(_EVENT_COLUMNS) == FeedEvent._fields, "one column per FeedEvent field, in order"
_COUNTRIES = FeedEvent._fields.index("countries")
_DIRECTORS = FeedEvent._fields.index("directors")
_LINKS = FeedEvent._fields.index("links")
_PROGRAMME = FeedEvent._fields.index("programme")
_WIDTH = len(FeedEvent._fields)


def _event_select(statement: Select[Any], *, grouping: bool = False) -> Select[Any]:
    """The query's SELECT (its joins, filters and order) with one column per field of a
    ``FeedEvent``, in its order, then, with ``grouping``, what places a screening in a
    split's groups (``festival_slug``, ``edition_slug``, ``venue_slug``, ``venue_city``,
    ``film_slug``, ``film_id``)."""
    length = statement.selected_columns.length_minutes
    columns = [
        (length if column is None else column).label(name)
        for name, column in _EVENT_COLUMNS.items()
    ]
    if grouping:
        columns += [
            FE.c.slug.label("festival_slug"),
            E.c.slug.label("edition_slug"),
            V.c.slug.label("venue_slug"),
            V.c.city.label("venue_city"),
            F.c.slug.label("film_slug"),
            S.c.film_id.label("film_id"),
            S.c.programme_id.label("programme_id"),
        ]
    return statement.with_only_columns(*columns, maintain_column_froms=False)


class FilmDetails:
    """Directors and links of the films in a feed, and the films of its programmes, read
    once for all its screenings."""

    def __init__(self, session: Session, scope: Any) -> None:
        C, PE, L = tables.credit, tables.person, tables.film_link
        film_ids = select(scope.c.film_id)
        shown = select(PF.c.film_id).where(PF.c.programme_id.in_(select(scope.c.programme_id)))
        directors: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for film_id, person_id, name in session.execute(
            select(C.c.film_id, PE.c.id, PE.c.name)
            .join(PE, C.c.person_id == PE.c.id)
            .where(C.c.role == "director", C.c.film_id.in_(film_ids.union(shown)))
            .order_by(C.c.film_id, C.c.position, C.c.id)
        ):
            directors[film_id].append((person_id, name))
        # Each film's directors as (person id, name), and by name alone.
        self.directed = {k: tuple(v) for k, v in directors.items()}
        self.directors = {k: tuple(name for _, name in v) for k, v in directors.items()}
        programmes: dict[int, list[ProgrammeLine]] = defaultdict(list)
        # The films of each programme as a split by film groups them: (id, slug, title).
        self.programme_films: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for programme_id, film_id, slug, title, year, runtime, extra in session.execute(
            select(
                PF.c.programme_id,
                F.c.id,
                F.c.slug,
                F.c.title,
                F.c.year,
                F.c.runtime_minutes,
                PF.c.extra,
            )
            .join(F, PF.c.film_id == F.c.id)
            .where(PF.c.programme_id.in_(select(scope.c.programme_id)))
            .order_by(PF.c.programme_id, PF.c.position)
        ):
            line = ProgrammeLine(title, year, runtime, self.directors.get(film_id, ()), extra)
            programmes[programme_id].append(line)
            label = f"{title} ({year})" if year else title
            self.programme_films[programme_id].append((film_id, slug, label))
        self.programmes = {k: tuple(v) for k, v in programmes.items()}
        self.shown_films = shown
        links: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
        for film_id, kind, url, label in session.execute(
            select(L.c.film_id, L.c.kind, L.c.url, L.c.label)
            .where(L.c.film_id.in_(film_ids))
            .order_by(L.c.film_id, L.c.kind, L.c.url)
        ):
            links[film_id].append((kind, url, label))
        # Each film's links as (kind, url, label), and as (kind, url).
        self.labelled_links = {k: tuple(v) for k, v in links.items()}
        self.links = {k: tuple((kind, url) for kind, url, _ in v) for k, v in links.items()}
        # Lists of countries repeat: each JSON text is read once.
        self.countries: dict[str | None, tuple[str, ...]] = {None: ()}

    def event(self, row: Any) -> FeedEvent:
        """The event of a row of ``_event_select``."""
        values = list(row[:_WIDTH])
        countries = self.countries.get(values[_COUNTRIES])
        if countries is None:
            countries = self.countries[values[_COUNTRIES]] = tuple(json.loads(values[_COUNTRIES]))
        values[_COUNTRIES] = countries
        values[_DIRECTORS] = self.directors.get(values[_DIRECTORS], ())
        values[_LINKS] = self.links.get(values[_LINKS], ())
        values[_PROGRAMME] = self.programmes.get(values[_PROGRAMME], ())
        return FeedEvent._make(values)


# --- Names, titles, identity ---------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """The records a query names, resolved once (the query resolves them again for its
    SELECT, with the notes; both go through ``screenings.lookup``)."""

    film: Film | None = None
    person: Person | None = None
    director: Person | None = None
    edition: Edition | None = None
    festival: Festival | None = None
    venue: Venue | None = None
    plan: Any = None  # a plan's row (``lookup.find_plan``)

    @classmethod
    def of(cls, session: Session, query: ScreeningQuery) -> Named:
        edition = festival = None
        if query.edition is not None or (query.festival is not None and query.year is not None):
            edition = lookup.find_edition(
                session, query.edition, festival=query.festival, year=query.year
            ).record
        elif query.festival is not None:
            festival = lookup.find_festival(session, query.festival).record
        return cls(
            film=lookup.find_film(session, query.film).record if query.film else None,
            person=lookup.find_person(session, query.person).record if query.person else None,
            director=(
                lookup.find_person(session, query.director, what="director").record
                if query.director
                else None
            ),
            edition=edition,
            festival=festival,
            venue=lookup.find_venue(session, query.venue).record if query.venue else None,
            plan=lookup.find_plan(session, query.plan) if query.plan else None,
        )


def _about(title: str, options: FeedOptions) -> str:
    minutes = options.refresh_minutes
    every = next(
        (
            f"every {minutes // size} {unit}s" if minutes // size > 1 else f"every {unit}"
            for size, unit in ((1440, "day"), (60, "hour"), (1, "minute"))
            if minutes % size == 0
        ),
    )
    return (
        f"{title}. Times are local to each screening; a screening whose time is not "
        f"yet known is an all-day event. Updated in place; refreshed {every}."
    )


def describe(query: ScreeningQuery, named: Named, options: FeedOptions) -> tuple[str, str]:  # noqa: C901, PLR0912, PLR0915 -- a feed's title names each filter given, in one order
    """The feed's title from what the query names, and a text that identifies the feed
    (it makes the calendar's UID: the same filters give the same UID)."""
    parts: list[str] = []
    identity: list[str] = []
    if named.film is not None:
        film = named.film
        parts.append(f"{film.title} ({film.year})" if film.year else film.title)
        identity.append(f"film=#{film.id}")
    if named.person is not None:
        parts.append(f"films of {named.person.name}")
        identity.append(f"person=#{named.person.id}")
    if named.director is not None:
        parts.append(f"by {named.director.name}")
        identity.append(f"director=#{named.director.id}")
    if named.edition is not None:
        edition = named.edition
        label = f" {edition.label}" if edition.label else ""
        parts.append(f"{edition.festival.name} {edition.year}{label}")
        identity.append(f"edition=#{edition.id}")
    if named.festival is not None:
        parts.append(named.festival.name)
        identity.append(f"festival=#{named.festival.id}")
    if named.venue is not None:
        parts.append(", ".join(p for p in (named.venue.name, named.venue.city) if p))
        identity.append(f"venue=#{named.venue.id}")
    if named.plan is not None:
        parts.append(f"plan {named.plan.name}")
        identity.append(f"plan=#{named.plan.id}")
    for name, value in (
        ("city", query.city),
        ("country", query.country),
        ("section", query.section),
        ("audience", query.audience),
    ):
        if value is not None:
            parts.append(f"{name} {value}")
            identity.append(f"{name}={value.casefold()}")
    if query.dates is not None:
        first, last = query.dates.first, query.dates.last
        if first == last:
            parts.append(f"on {first}")
        elif last == dt.date.max:
            parts.append(f"from {first}")
        elif first == dt.date.min:
            parts.append(f"until {last}")
        else:
            parts.append(f"{first} to {last}")
        identity.append(f"dates={first}..{last}")
    if query.upcoming_from is not None:
        parts.append("upcoming")
        identity.append("upcoming")
    for name, values in (("status", query.statuses), ("kind", query.kinds)):
        if values:
            chosen = sorted(v.lower() for v in values)
            parts.append(" or ".join(chosen))
            identity.append(f"{name}={','.join(chosen)}")
    if query.include_private:
        identity.append("private")
    identity.append(f"cancelled={options.cancelled}")
    title = "Screenings: " + ", ".join(parts) if parts else "All screenings"
    return title, ";".join(identity)


def empty_zone(query: ScreeningQuery, named: Named, options: FeedOptions) -> ZoneSpan:
    """The zone an empty feed describes, around the dates it names (or its edition's)."""
    zone: str | None = named.venue.timezone if named.venue is not None else None
    day: dt.date | None = None
    if named.edition is not None:
        zone = zone or named.edition.festival.timezone
        day = named.edition.starts_on or dt.date(named.edition.year, 1, 1)
    elif named.festival is not None:
        zone = zone or named.festival.timezone
        years = [e.year for e in named.festival.editions]
        day = dt.date(max(years), 1, 1) if years else None
    if query.dates is not None and query.dates.first != dt.date.min:
        day = query.dates.first
    # No date to go by: the zone's rules as of a fixed day, so the bytes never depend
    # on when the feed was made.
    day = day or dt.date(2000, 1, 1)
    return ZoneSpan(zone or options.zone or "UTC", day, day)


# --- One feed per group --------------------------------------------------------------


@dataclass
class Group:
    """One feed of a split: its name, file, header and events (as ``split_feeds`` was
    asked to keep them); ``cancelled`` counts the screenings ``cancelled="omit"`` left
    out of it."""

    slug: str
    title: str
    file: str
    events: list[Any] = field(default_factory=list)
    cancelled: int = 0
    header: FeedHeader | None = None
    # zone -> the first and last local dates of the group's events in it
    spans: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)

    def add(self, event: FeedEvent, kept: Any) -> None:
        self.events.append(kept)
        day, zone = event.local_date, event.timezone
        first, last = self.spans.get(zone, (day, day))
        self.spans[zone] = (min(first, day), max(last, day))

    @property
    def reason(self) -> str | None:
        """Why the group has no feed, or None when it has one."""
        if self.events:
            return None
        if self.cancelled:
            return "only cancelled or postponed screenings (cancelled: omit)"
        return "no dated screenings"


class Split(NamedTuple):
    """The feeds of a split, in order of title. ``ungrouped`` counts the screenings
    shown but in no group (no venue, no one credited); ``scope`` says what was split
    and how, so that a later split knows whether it replaces this one."""

    by: str
    groups: list[Group]
    ungrouped: int
    scope: str
    notes: list[str]


def split_feeds(  # noqa: C901, PLR0913 -- one pass over the screenings, each to its groups; what to keep of them, and the files there are
    session: Session,
    query: ScreeningQuery,
    by: str,
    options: FeedOptions,
    *,
    keep: Callable[[FeedEvent], Any] = lambda event: event,
    present: Collection[str] = (),
) -> Split:
    """One feed per ``by`` (festival, edition, venue, film or person) for the screenings
    ``query`` selects. In a festival or edition split, screenings of no edition make a
    feed of their own (file ``special_screenings.ics``). A person's feed has the
    screenings of every film they are credited on.

    Groups whose screenings are all cancelled (with ``omit``) are listed with no
    events, and so are festivals, editions and films that have only undated
    selections when the query names nothing beyond them.

    Each event is passed once to ``keep``, and what it returns is what the groups
    hold: the event itself by default, or, say, its rendered bytes, so that a large
    split holds no more than its output.

    ``present``: the feeds' file names already published. A record renamed since (its
    slug changed, the old one kept: ``catalog.renew_slug``) keeps the file it has there,
    so that its subscribers keep their calendar.
    """
    if by not in SPLITS:
        raise InvalidInput(f"expected one of {', '.join(SPLITS)}, got {by!r}", field="split_by")
    statement, notes = query.statement(session)
    scope = statement.subquery()
    details = FilmDetails(session, scope)
    people = {}
    if by == "person":
        people = _people(session, select(scope.c.film_id).union(details.shown_films))
    groups: dict[str, Group] = {}
    ungrouped = 0
    omit = options.cancelled == "omit"
    for row in session.execute(
        _event_select(statement, grouping=True).execution_options(yield_per=_CHUNK)
    ):
        event = details.event(row)
        keys = _groups_of(row, event, by, people, details.programme_films)
        shown = not (omit and event.status in OFF)
        if not keys and shown:
            ungrouped += 1
        kept = keep(event) if keys and shown else None
        for slug, title in keys:
            group = groups.get(slug)
            if group is None:
                group = groups[slug] = Group(slug, title, f"{slug}.ics")
            if shown:
                group.add(event, kept)
            else:
                group.cancelled += 1
    named = Named.of(session, query)
    if by in {"festival", "edition", "film"} and _names_only_programme(query):
        for slug, title in _programme_groups(session, named, by):
            groups.setdefault(slug, Group(slug, title, f"{slug}.ics"))
    _keep_files(session, by, groups, present)
    # A feed of private screenings, or without the cancelled ones, is another calendar.
    suffix = ("+private" if query.include_private else "") + ("+omit" if omit else "")
    for group in groups.values():
        if group.events:
            stem = group.file.removesuffix(".ics")
            group.header = _group_header(group, f"{by}-{stem}{suffix}", options)
    ordered = sorted(groups.values(), key=lambda g: (g.slug == SPECIAL, g.title.casefold(), g.slug))
    _, identity = describe(query, named, options)
    return Split(by, ordered, ungrouped, f"by={by};{identity}", notes)


def _keep_files(
    session: Session, by: str, groups: dict[str, Group], present: Collection[str]
) -> None:
    """Each group whose record had another slug with a feed in ``present`` keeps that
    file (its oldest, by name, when it had several)."""
    if not present or by not in {"festival", "edition", "venue", "film", "person"}:
        return
    RS = tables.retired_slug
    rows = session.execute(
        select(RS.c.slug, RS.c.successor)
        .where(RS.c.kind == by, RS.c.successor.in_(list(groups)))
        .order_by(RS.c.retired_at, RS.c.slug)
    )
    for old, slug in rows:
        group = groups[slug]
        if f"{old}.ics" in present and group.file == f"{slug}.ics":
            group.file = f"{old}.ics"


def _groups_of(
    row: Any,
    event: FeedEvent,
    by: str,
    people: dict[int, list[tuple[str, str]]],
    programmes: dict[int, list[tuple[int, str, str]]],
) -> list[tuple[str, str]]:
    """(slug, title) of each group the row belongs to: a programme screening is in the
    group of each of its films, and of everyone credited on one, once."""
    if by == "festival":
        if row.festival_slug is None:
            return [(SPECIAL, "Special screenings")]
        return [(row.festival_slug, event.festival or "")]
    if by == "edition":
        if row.edition_slug is None:
            return [(SPECIAL, "Special screenings")]
        label = f" {event.edition_label}" if event.edition_label else ""
        return [(row.edition_slug, f"{event.festival} {event.edition_year}{label}")]
    if by == "venue":
        if row.venue_slug is None:
            return []
        return [(row.venue_slug, ", ".join(p for p in (event.venue_name, row.venue_city) if p))]
    films = programmes.get(row.programme_id, []) if row.programme_id is not None else []
    if by == "film":
        if row.programme_id is not None:
            return [(slug, label) for _, slug, label in films]
        year = f" ({event.film_year})" if event.film_year else ""
        return [(row.film_slug, f"{event.film_title}{year}")]
    if row.programme_id is not None:
        return list(dict.fromkeys(p for film_id, _, _ in films for p in people.get(film_id, [])))
    return people.get(row.film_id, [])


def _people(session: Session, film_ids: Any) -> dict[int, list[tuple[str, str]]]:
    """film id -> (slug, name) of everyone credited on it, each once."""
    P, C = tables.person, tables.credit
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for film_id, slug, name in session.execute(
        select(C.c.film_id, P.c.slug, P.c.name)
        .join(P, C.c.person_id == P.c.id)
        .where(C.c.film_id.in_(film_ids))
        .distinct()
        .order_by(C.c.film_id, P.c.slug)
    ):
        found[film_id].append((slug, name))
    return found


def _names_only_programme(query: ScreeningQuery) -> bool:
    """True when the query names nothing a selection does not have (a venue, dates, ...)."""
    return not (
        query.ids
        or query.edition_ids
        or query.person
        or query.director
        or query.venue
        or query.city
        or query.country
        or query.dates
        or query.upcoming_from
        or query.statuses
        or query.kinds
        or query.section
        or query.audience
        or query.plan
    )


def _programme_groups(session: Session, named: Named, by: str) -> list[tuple[str, str]]:
    """(slug, title) of the festivals, editions or films with a selection in scope."""
    statement = (
        select(F.c.slug, F.c.title, F.c.year, E.c.slug, E.c.year, E.c.label, FE.c.slug, FE.c.name)
        .select_from(SE)
        .join(F, SE.c.film_id == F.c.id)
        .join(E, SE.c.edition_id == E.c.id)
        .join(FE, E.c.festival_id == FE.c.id)
    )
    if named.film is not None:
        statement = statement.where(F.c.id == named.film.id)
    if named.edition is not None:
        statement = statement.where(E.c.id == named.edition.id)
    if named.festival is not None:
        statement = statement.where(FE.c.id == named.festival.id)
    found = []
    for film_slug, title, year, edition_slug, e_year, label, festival_slug, name in session.execute(
        statement
    ):
        if by == "festival":
            found.append((festival_slug, name))
        elif by == "edition":
            found.append((edition_slug, f"{name} {e_year}" + (f" {label}" if label else "")))
        else:
            found.append((film_slug, f"{title} ({year})" if year else title))
    return found


def _group_header(group: Group, uid: str, options: FeedOptions) -> FeedHeader:
    title = f"Screenings: {group.title}" if group.slug != SPECIAL else group.title
    return FeedHeader(
        uid=f"{uid}@{options.domain}",
        title=title,
        description=_about(title, options),
        refresh_minutes=options.refresh_minutes,
        zones=tuple(ZoneSpan(z, *group.spans[z]) for z in sorted(group.spans)),
    )
