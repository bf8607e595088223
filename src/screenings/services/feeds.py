"""Calendar feeds: the screenings a ``ScreeningQuery`` selects, as calendar records.

``calendar_feed`` is one feed, streamed (a 100,000-event feed is never held
in memory); ``split_feeds`` is one feed per festival, edition, venue, film or
person. Rendering the records is ``exporters.ical``'s job. Both read only.

Private screenings are left out unless the query includes them (DESIGN.md,
invariant 8). With ``cancelled="omit"`` cancelled and postponed screenings are
left out; by default they are kept, marked CANCELLED, so that calendars
which show cancellations show them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session

from screenings import tables
from screenings.errors import InvalidInput
from screenings.query import CITY, FE, SE, E, F, S, ScreeningQuery, V
from screenings.records import FeedEvent, FeedHeader, ZoneSpan
from screenings.services import lookup

REFRESH_MINUTES = 12 * 60
CANCELLED_MODES = ("mark", "omit")
OFF = ("cancelled", "postponed")  # what --cancelled omit leaves out: both are CANCELLED
SPLITS = ("festival", "edition", "venue", "film", "person")
# The feed of screenings that belong to no edition, in a festival or edition split. Its
# name has an underscore, which no slug has, so it cannot be a festival's file.
SPECIAL = "special_screenings"
_CHUNK = 2000


@dataclass(frozen=True)
class FeedOptions:
    """How feeds are made: ``domain`` names the calendars' UIDs (the feed-domain
    setting); ``zone`` is the zone an empty feed describes when nothing it names has one."""

    domain: str
    cancelled: str = "mark"
    refresh_minutes: int = REFRESH_MINUTES
    title: str | None = None
    zone: str | None = None

    def __post_init__(self) -> None:
        if self.cancelled not in CANCELLED_MODES:
            raise InvalidInput(
                f"--cancelled: expected one of {', '.join(CANCELLED_MODES)}, got {self.cancelled!r}"
            )
        if self.refresh_minutes < 1:
            raise InvalidInput("--refresh: expected at least one minute")


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
    the named edition's, festival's or venue's, else ``options.zone``, else UTC.
    """
    if options.cancelled == "omit":
        query = replace(query, statuses=_shown_statuses(query.statuses))
    statement, notes = query.statement(session)
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
    zones = tuple(ZoneSpan(name, first, last) for name, first, last, _ in spans)
    if not zones:
        zones = (_empty_zone(session, query, options),)
    title, identity = _describe(session, query, options)
    header = FeedHeader(
        uid=f"feed-{hashlib.sha256(identity.encode()).hexdigest()[:20]}@{options.domain}",
        title=options.title or title,
        description=_about(title, options),
        refresh_minutes=options.refresh_minutes,
        zones=zones,
    )
    count = sum(n for *_, n in spans)
    details = _FilmDetails(session, select(scope.c.film_id))
    rows = session.execute(
        _event_columns(statement, query.default_length_minutes).execution_options(yield_per=_CHUNK)
    )
    events = map(details.event, rows)
    return Feed(header, count, events, notes)


def _shown_statuses(asked: tuple[str, ...]) -> tuple[str, ...]:
    statuses = tuple(s for s in (asked or tables.SCREENING_STATUSES) if s.lower() not in OFF)
    # Only cancelled ones asked for, and omitted: nothing can match.
    return statuses or ("none",)


def _event_columns(
    statement: Select[Any], default_length: int, *, grouping: bool = False
) -> Select[Any]:
    """The query's SELECT (its joins, filters and order) with the columns of a
    ``FeedEvent`` in its field order (the film's id standing for its directors and
    links; the countries as JSON text), then, with ``grouping``, those that place a
    screening in a split's groups."""
    columns = [
        S.c.uid,
        S.c.sequence,
        S.c.created_at,
        S.c.updated_at,
        S.c.status,
        S.c.visibility,
        S.c.kind,
        S.c.timezone,
        S.c.local_date,
        S.c.local_time,
        S.c.starts_at_utc,
        func.coalesce(S.c.duration_minutes, F.c.runtime_minutes, default_length),
        F.c.title,
        F.c.year,
        F.c.runtime_minutes,
        cast(F.c.countries, Text),
        S.c.film_id,
        F.c.website,
        FE.c.name,
        E.c.year,
        E.c.label,
        SE.c.section,
        SE.c.premiere,
        V.c.name,
        V.c.address,
        CITY,
        V.c.latitude,
        V.c.longitude,
        S.c.audience,
        S.c.ticket_url,
        S.c.notes,
    ]
    if grouping:
        columns += [
            FE.c.slug.label("festival_slug"),
            E.c.slug.label("edition_slug"),
            V.c.slug.label("venue_slug"),
            V.c.city.label("venue_city"),
            F.c.slug.label("film_slug"),
        ]
    return statement.with_only_columns(*columns, maintain_column_froms=False)


_FILM = 16  # the film's id in a row of _event_columns
_GROUPING = 31  # where the grouping columns begin


class _FilmDetails:
    """Directors and links of the films in a feed, read once for all its screenings."""

    def __init__(self, session: Session, film_ids: Select[Any]) -> None:
        self.directors: dict[int, tuple[str, ...]] = {}
        self.links: dict[int, tuple[tuple[str, str], ...]] = {}
        directors: dict[int, list[str]] = defaultdict(list)
        for film_id, name in session.execute(
            select(tables.credit.c.film_id, tables.person.c.name)
            .join(tables.person, tables.credit.c.person_id == tables.person.c.id)
            .where(tables.credit.c.role == "director", tables.credit.c.film_id.in_(film_ids))
            .order_by(tables.credit.c.film_id, tables.credit.c.position, tables.credit.c.id)
        ):
            directors[film_id].append(name)
        self.directors = {k: tuple(v) for k, v in directors.items()}
        links: dict[int, list[tuple[str, str]]] = defaultdict(list)
        L = tables.film_link
        for film_id, kind, url in session.execute(
            select(L.c.film_id, L.c.kind, L.c.url)
            .where(L.c.film_id.in_(film_ids))
            .order_by(L.c.film_id, L.c.kind, L.c.url)
        ):
            links[film_id].append((kind, url))
        self.links = {k: tuple(v) for k, v in links.items()}
        # Lists of countries repeat: each JSON text is read once.
        self.countries: dict[str | None, tuple[str, ...]] = {None: ()}

    def event(self, row: Any) -> FeedEvent:
        """The event of a row of ``_event_columns``."""
        film_id = row[_FILM]
        countries = self.countries.get(row[15])
        if countries is None:
            countries = self.countries[row[15]] = tuple(json.loads(row[15]))
        return FeedEvent._make(
            (
                *row[:15],
                countries,
                self.directors.get(film_id, ()),
                row[17],
                self.links.get(film_id, ()),
                *row[18:_GROUPING],
            )
        )


def _about(title: str, options: FeedOptions) -> str:
    hours = options.refresh_minutes / 60
    every = f"{hours:g} hours" if hours != 1 else "hour"
    return (
        f"{title}. Times are local to each screening; a screening whose time is not "
        f"yet known is an all-day event. Updated in place; refreshed every {every}."
    )


def _describe(session: Session, query: ScreeningQuery, options: FeedOptions) -> tuple[str, str]:
    """The feed's title from what the query names, and a text that identifies the feed
    (it makes the calendar's UID: the same filters give the same UID)."""
    parts: list[str] = []
    identity: list[str] = []
    if query.film is not None:
        film = lookup.find_film(session, query.film).record
        parts.append(f"{film.title} ({film.year})" if film.year else film.title)
        identity.append(f"film=#{film.id}")
    for text, role in ((query.person, "person"), (query.director, "director")):
        if text is not None:
            person = lookup.find_person(session, text, what=role).record
            parts.append(f"films of {person.name}" if role == "person" else f"by {person.name}")
            identity.append(f"{role}=#{person.id}")
    if query.edition is not None or (query.festival is not None and query.year is not None):
        edition = lookup.find_edition(
            session, query.edition, festival=query.festival, year=query.year
        ).record
        label = f" {edition.label}" if edition.label else ""
        parts.append(f"{edition.festival.name} {edition.year}{label}")
        identity.append(f"edition=#{edition.id}")
    elif query.festival is not None:
        festival = lookup.find_festival(session, query.festival).record
        parts.append(festival.name)
        identity.append(f"festival=#{festival.id}")
    if query.venue is not None:
        venue = lookup.find_venue(session, query.venue).record
        parts.append(", ".join(p for p in (venue.name, venue.city) if p))
        identity.append(f"venue=#{venue.id}")
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
        span = (
            f"on {first}"
            if first == last
            else f"from {first}"
            if last == dt.date.max
            else f"until {last}"
            if first == dt.date.min
            else f"{first} to {last}"
        )
        parts.append(span)
        identity.append(f"dates={first}..{last}")
    if query.upcoming_from is not None:
        parts.append("upcoming")
        identity.append("upcoming")
    for name, values in (("status", query.statuses), ("kind", query.kinds)):
        if values:
            parts.append(" or ".join(sorted(v.lower() for v in values)))
            identity.append(f"{name}={','.join(sorted(v.lower() for v in values))}")
    if query.include_private:
        identity.append("private")
    identity.append(f"cancelled={options.cancelled}")
    title = "Screenings: " + ", ".join(parts) if parts else "All screenings"
    return title, ";".join(identity)


def _empty_zone(session: Session, query: ScreeningQuery, options: FeedOptions) -> ZoneSpan:
    """The zone an empty feed describes, around the dates it names (or its edition's)."""
    zone: str | None = None
    day: dt.date | None = None
    if query.venue is not None:
        zone = lookup.find_venue(session, query.venue).record.timezone
    if query.edition is not None or (query.festival is not None and query.year is not None):
        edition = lookup.find_edition(
            session, query.edition, festival=query.festival, year=query.year
        ).record
        zone = zone or edition.festival.timezone
        day = edition.starts_on or dt.date(edition.year, 1, 1)
    elif query.festival is not None:
        festival = lookup.find_festival(session, query.festival).record
        zone = zone or festival.timezone
        years = [e.year for e in festival.editions]
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
    asked to keep them); ``left_out`` counts the screenings of the group a feed does not
    show (private, cancelled), by reason."""

    slug: str
    title: str
    file: str
    events: list[Any] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
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
        if self.left_out.get("private"):
            return "only private screenings (--include-private shows them)"
        if self.left_out.get("cancelled"):
            return "only cancelled or postponed screenings (--cancelled omit)"
        return "no dated screenings"


class Split(NamedTuple):
    """The feeds of a split, in order of title, and the screenings in none of them."""

    by: str
    groups: list[Group]
    ungrouped: int  # screenings shown by the query but in no group (no venue, no credits)
    notes: list[str]


def split_feeds(
    session: Session,
    query: ScreeningQuery,
    by: str,
    options: FeedOptions,
    keep: Callable[[FeedEvent], Any] = lambda event: event,
) -> Split:
    """One feed per ``by`` (festival, edition, venue, film or person) for the screenings
    ``query`` selects. In a festival or edition split, screenings of no edition make a
    feed of their own (file ``special_screenings.ics``). A person's feed has the
    screenings of every film they are credited on.

    Groups whose screenings are all left out (private, or cancelled with ``omit``)
    are listed with no events, and so are festivals, editions and films that have
    only undated selections when the query names nothing beyond them.

    Each event is passed once to ``keep``, and what it returns is what the groups
    hold: the event itself by default, or, say, its rendered bytes, so that a large
    split holds no more than its output.
    """
    if by not in SPLITS:
        raise InvalidInput(f"--split-by: expected one of {', '.join(SPLITS)}, got {by!r}")
    statement, notes = query.with_private().statement(session)
    scope = statement.subquery()
    statement = _event_columns(statement, query.default_length_minutes, grouping=True)
    details = _FilmDetails(session, select(scope.c.film_id))
    people = _people(session, select(scope.c.film_id)) if by == "person" else {}
    groups: dict[str, Group] = {}
    ungrouped = 0
    for row in session.execute(statement.execution_options(yield_per=_CHUNK)):
        event = details.event(row)
        keys = _groups_of(row, event, by, people)
        why = _left_out(event, query, options)
        if not keys and why is None:
            ungrouped += 1
        kept = keep(event) if keys and why is None else None
        for slug, title in keys:
            group = groups.get(slug)
            if group is None:
                group = groups[slug] = Group(slug, title, f"{slug}.ics")
            if why is None:
                group.add(event, kept)
            else:
                group.left_out[why] = group.left_out.get(why, 0) + 1
    if by in {"festival", "edition", "film"} and _names_only_programme(query):
        for slug, title in _programme_groups(session, query, by):
            groups.setdefault(slug, Group(slug, title, f"{slug}.ics"))
    for group in groups.values():
        if group.events:
            group.header = _group_header(group, by, options)
    ordered = sorted(groups.values(), key=lambda g: (g.slug == SPECIAL, g.title.casefold(), g.slug))
    return Split(by, ordered, ungrouped, notes)


def _left_out(event: FeedEvent, query: ScreeningQuery, options: FeedOptions) -> str | None:
    if event.visibility == "private" and not query.include_private:
        return "private"
    if options.cancelled == "omit" and event.status in OFF:
        return "cancelled"
    return None


def _groups_of(
    row: Any, event: FeedEvent, by: str, people: dict[int, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """(slug, title) of each group the row belongs to."""
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
    if by == "film":
        year = f" ({event.film_year})" if event.film_year else ""
        return [(row.film_slug, f"{event.film_title}{year}")]
    return people.get(row[_FILM], [])


def _people(session: Session, film_ids: Select[Any]) -> dict[int, list[tuple[str, str]]]:
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
    )


def _programme_groups(session: Session, query: ScreeningQuery, by: str) -> list[tuple[str, str]]:
    """(slug, title) of the festivals, editions or films with a selection in scope."""
    statement = (
        select(F.c.slug, F.c.title, F.c.year, E.c.slug, E.c.year, E.c.label, FE.c.slug, FE.c.name)
        .select_from(SE)
        .join(F, SE.c.film_id == F.c.id)
        .join(E, SE.c.edition_id == E.c.id)
        .join(FE, E.c.festival_id == FE.c.id)
    )
    if query.film is not None:
        statement = statement.where(F.c.id == lookup.find_film(session, query.film).record.id)
    if query.edition is not None or (query.festival is not None and query.year is not None):
        edition = lookup.find_edition(
            session, query.edition, festival=query.festival, year=query.year
        ).record
        statement = statement.where(E.c.id == edition.id)
    elif query.festival is not None:
        festival = lookup.find_festival(session, query.festival).record
        statement = statement.where(FE.c.id == festival.id)
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


def _group_header(group: Group, by: str, options: FeedOptions) -> FeedHeader:
    spans = group.spans
    title = f"Screenings: {group.title}" if group.slug != SPECIAL else group.title
    return FeedHeader(
        uid=f"{by}-{group.slug}@{options.domain}",
        title=title,
        description=_about(title, options),
        refresh_minutes=options.refresh_minutes,
        zones=tuple(ZoneSpan(z, *spans[z]) for z in sorted(spans)),
    )
