"""frab schedules: the screenings a ``ScreeningQuery`` selects as a conference schedule in
the frab/C3VOC model, which conference and festival apps read (Giggity, EventFahrplan,
ConfClerk). ``exporters.frab`` writes it as ``schedule.xml`` or ``schedule.json``. Read
only; docs/feeds.md ("frab schedules") says what each field holds.

- **The conference** is the edition the query names (its title, its page), or the query
  itself: the feed's title, an acronym made from it.
- **Days** are festival days. Each runs from the edition's ``day_starts_at`` (00:00 when
  not set) to the same time the next day, in the conference's zone: with 06:00, a 01:30
  screening belongs to the day before. A screening is put in a day by its instant, so
  that a day's start that falls in a clock change still holds every screening that
  starts within it. An edition's own days are all listed, a day with no screening
  included; beyond them, the days that have a screening.
- **Rooms** are venues. A screening with no venue is in a room of its city,
  "<city> (venue TBA)". Room names are unique in a schedule (a room is a name there): two
  venues of one name in two cities are "<name>, <city>".
- **Events** are screenings with a time; a screening whose time is not known (TBA) is
  left out, and a note says how many, since a frab event needs a start.

Every ``guid`` is stable: an event's is the UUID of its screening's UID, and a room's and
a person's are UUIDs derived (uuid5) from the record's id and the feed domain.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from screenings.errors import InvalidInput
from screenings.keys import slugify
from screenings.query import CITY, FE, SE, SECTION, E, F, P, S, ScreeningQuery, V
from screenings.records import (
    FrabConference,
    FrabDay,
    FrabEvent,
    FrabLink,
    FrabPerson,
    FrabRoom,
    FrabSchedule,
    marked,
)
from screenings.services.feeds import FeedOptions, FilmDetails, Named, describe, empty_zone

TIMESLOT_MINUTES = 5
NO_VENUE = "venue TBA"
# A link's kind, as the C3VOC schema's link types name it; any other kind is "related".
LINK_TYPES = {
    "website": "web",
    "interactive": "web",
    "trailer": "media",
    "review": "article",
    "press_kit": "related",
}
# frab has no status and no privacy: the title says them (``records.marked``).
MARKS = ("cancelled", "postponed", "tentative", "private")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CHUNK = 2000

_COLUMNS: dict[str, Any] = {
    "id": S.c.id,
    "uid": S.c.uid,
    "status": S.c.status,
    "visibility": S.c.visibility,
    "kind": S.c.kind,
    "timezone": S.c.timezone,
    "starts_at_utc": S.c.starts_at_utc,
    "length_minutes": None,  # the query's own rule: query._length()
    "title": func.coalesce(F.c.title, P.c.title),
    "film_id": S.c.film_id,
    "film_slug": F.c.slug,
    "programme_id": S.c.programme_id,
    "programme_slug": P.c.slug,
    "synopsis": F.c.synopsis,
    "programme_notes": P.c.notes,
    "languages": cast(F.c.languages, Text),
    "website": F.c.website,
    "imdb_id": F.c.imdb_id,
    "section": SECTION,
    "premiere": SE.c.premiere,
    "venue_id": S.c.venue_id,
    "city": CITY,
    "notes": S.c.notes,
    "ticket_url": S.c.ticket_url,
    "film_year": F.c.year,
    "runtime": F.c.runtime_minutes,
    "venue_name": V.c.name,
    "festival": FE.c.name,
    "edition_year": E.c.year,
    "edition_label": E.c.label,
    "duration_minutes": S.c.duration_minutes,
}


def frab_schedule(session: Session, query: ScreeningQuery, options: FeedOptions) -> FrabSchedule:
    """The screenings ``query`` selects, with a time, as a frab schedule (see the module's
    docstring). ``options.base_url`` is needed: each event links to its page."""
    if not options.base_url:
        raise InvalidInput(
            "needed: a frab schedule links each screening to its page at the site's "
            "address (SCREENINGS_BASE_URL gives it to every command)",
            field="base_url",
        )
    base = options.base_url.rstrip("/")
    statement, notes = options.shown(query).statement(session)
    scope = statement.subquery()
    timed = scope.c.starts_at_utc.is_not(None)
    named = Named.of(session, query)
    edition = named.edition
    zones: Counter[str] = Counter(
        dict(
            session.execute(
                select(scope.c.timezone, func.count()).where(timed).group_by(scope.c.timezone)
            ).all()
        )
    )
    starts: Counter[Any] = Counter(
        dict(
            session.execute(
                select(E.c.day_starts_at, func.count())
                .select_from(scope.join(E, E.c.id == scope.c.edition_id))
                .where(timed)
                .group_by(E.c.day_starts_at)
            ).all()
        )
    )
    untimed = session.scalar(select(func.count()).where(scope.c.starts_at_utc.is_(None)))
    if untimed:
        notes.append(
            f"{untimed} screening(s) with no time yet left out: a frab event needs a start"
        )
    fallback = empty_zone(query, named, options)  # what a schedule with no event is about
    zone_name = _zone(edition, zones, fallback.name)
    zone = ZoneInfo(zone_name)
    day_start = _day_start(edition, starts)
    grid = _Grid(zone, day_start)
    instants = session.scalars(select(scope.c.starts_at_utc).where(timed).distinct())
    days = sorted({grid.day_of(instant) for instant in instants} | _edition_days(edition))
    if not days:  # a schedule has a day (schedule.xml wants one)
        days = [fallback.first]
    rooms = _Rooms(session, scope, timed, options.domain)
    title, _ = describe(query, named, options)
    if edition is not None:
        title = f"{edition.festival.name} {edition.year}" + (
            f" {edition.label}" if edition.label else ""
        )
    title = options.title or title
    acronym = _acronym(edition.slug if edition is not None else title)
    conference = FrabConference(
        acronym=acronym,
        title=title,
        start=days[0],
        end=days[-1],
        days=len(days),
        timeslot_minutes=TIMESLOT_MINUTES,
        zone=zone_name,
        url=f"{base}/editions/{edition.slug}" if edition is not None else None,
        base_url=base,
    )
    details = FilmDetails(session, scope)
    length = statement.selected_columns.length_minutes
    rows = session.execute(
        statement.with_only_columns(
            *(
                (length if column is None else column).label(name)
                for name, column in _COLUMNS.items()
            ),
            maintain_column_froms=False,
        )
        .where(S.c.starts_at_utc.is_not(None))
        .order_by(None)
        .order_by(S.c.starts_at_utc, S.c.id)
        .execution_options(yield_per=_CHUNK)
    )
    events = _Events(details, rooms, base, acronym, options.domain)
    count = sum(zones.values())
    return FrabSchedule(
        conference, rooms.all, _days(rows, events, grid, days, rooms.all), count, notes
    )


def _zone(edition: Any, zones: Counter[str], fallback: str) -> str:
    """The conference's zone: its edition's festival's, else the zone most of its
    screenings are in (the first by name of a tie), else the fallback's."""
    if edition is not None and edition.festival.timezone:
        return str(edition.festival.timezone)
    if zones:
        return min(zones, key=lambda name: (-zones[name], name))
    return fallback


def _day_start(edition: Any, starts: Counter[Any]) -> dt.time:
    """When its festival day starts: the edition's, else the one most of the schedule's
    screenings' editions have (00:00 where none is set)."""
    if edition is not None:
        return edition.day_starts_at or dt.time(0, 0)
    counted: Counter[dt.time] = Counter()
    for value, n in starts.items():
        counted[value or dt.time(0, 0)] += n
    if not counted:
        return dt.time(0, 0)
    return min(counted, key=lambda t: (-counted[t], t))


def _edition_days(edition: Any) -> set[dt.date]:
    if edition is None or edition.starts_on is None:
        return set()
    last = edition.ends_on or edition.starts_on
    return {
        edition.starts_on + dt.timedelta(days=n) for n in range((last - edition.starts_on).days + 1)
    }


def _acronym(text: str) -> str:
    """An acronym the C3VOC schema takes (lowercase ASCII letters, digits, underscores;
    four or more): ``sheffield-doc-fest-2013`` -> ``sheffield_doc_fest_2013``."""
    made = slugify(text, max_length=60).replace("-", "_")
    return made if len(made) >= 4 else f"screenings_{made}"


class _Grid:
    """Festival days in a zone, each from ``at`` to ``at`` the next day."""

    def __init__(self, zone: ZoneInfo, at: dt.time) -> None:
        self.zone, self.at = zone, at

    def day_of(self, instant: dt.datetime) -> dt.date:
        """The festival day an instant is in."""
        day = instant.astimezone(self.zone).date()
        return day if instant >= self.start(day) else day - dt.timedelta(days=1)

    @lru_cache(maxsize=4096)  # noqa: B019 -- a grid lives for one schedule
    def start(self, day: dt.date) -> dt.datetime:
        """The first instant of a festival day: the first whose wall time is its start or
        later (in a clock change that skips the start, the change itself)."""
        wall = dt.datetime.combine(day, self.at)
        first = wall.replace(tzinfo=self.zone)
        if first.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) == wall:
            return first  # an existing wall time (fold 0: the first of two)
        low = wall.replace(tzinfo=self.zone, fold=1).astimezone(dt.UTC)  # before the gap
        high = first.astimezone(dt.UTC)  # after it
        while high - low > dt.timedelta(seconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(self.zone).replace(tzinfo=None) >= wall:
                high = middle
            else:
                low = middle
        return high.replace(microsecond=0).astimezone(self.zone)


class _Rooms:
    """The schedule's rooms: one per venue, and one per city of screenings with no venue,
    each with a name of its own in the schedule."""

    def __init__(self, session: Session, scope: Any, timed: Any, domain: str) -> None:
        namespace = uuid.uuid5(uuid.NAMESPACE_DNS, domain)
        found = session.execute(
            select(scope.c.venue_id, V.c.name, V.c.city, scope.c.display_city)
            .select_from(scope.outerjoin(V, V.c.id == scope.c.venue_id))
            .where(timed)
            .distinct()
        ).all()
        venues = {(v, name, city) for v, name, city, _ in found if v is not None}
        cities = {city for v, _, _, city in found if v is None}
        same_name = Counter(name.casefold() for _, name, _ in venues)
        named: dict[int, str] = {}
        for venue_id, name, city in sorted(venues, key=lambda v: v[0]):
            named[venue_id] = f"{name}, {city}" if same_name[name.casefold()] > 1 and city else name
        # Still the same (two venues of one name in one city, or none): the id says which.
        twice = Counter(n.casefold() for n in named.values())
        for venue_id, name in named.items():
            if twice[name.casefold()] > 1:
                named[venue_id] = f"{name} (#{venue_id})"
        self.venue: dict[int, FrabRoom] = {
            venue_id: FrabRoom(name, str(uuid.uuid5(namespace, f"venue/{venue_id}")))
            for venue_id, name in named.items()
        }
        self.city: dict[str | None, FrabRoom] = {
            city: FrabRoom(
                f"{city} ({NO_VENUE})" if city else "Venue TBA",
                str(uuid.uuid5(namespace, f"city/{city or ''}")),
            )
            for city in cities
        }
        self.all = tuple(
            sorted((*self.venue.values(), *self.city.values()), key=lambda r: r.name.casefold())
        )

    def of(self, venue_id: int | None, city: str | None) -> FrabRoom:
        return self.venue[venue_id] if venue_id is not None else self.city[city]


class _Events:
    """Rows of the schedule's SELECT as frab events."""

    def __init__(
        self, details: FilmDetails, rooms: _Rooms, base: str, acronym: str, domain: str
    ) -> None:
        self.details, self.rooms, self.base, self.acronym = details, rooms, base, acronym
        self.namespace = uuid.uuid5(uuid.NAMESPACE_DNS, domain)
        self.people: dict[int, FrabPerson] = {}
        self.zones: dict[str, ZoneInfo] = {}  # ZoneInfo's own cache keeps only eight

    def event(self, row: Any) -> FrabEvent:
        details = self.details
        zone = self.zones.get(row.timezone)
        if zone is None:
            zone = self.zones[row.timezone] = ZoneInfo(row.timezone)
        start = row.starts_at_utc.astimezone(zone)
        directed: list[tuple[int, str]] = []
        lines: list[str] = []
        if row.programme_id is not None:
            for (film_id, _, _), line in zip(
                details.programme_films.get(row.programme_id, ()),
                details.programmes.get(row.programme_id, ()),
                strict=True,
            ):
                directed += [d for d in details.directed.get(film_id, ()) if d not in directed]
                year = f" ({line.year})" if line.year else ""
                by = f", by {', '.join(line.directors)}" if line.directors else ""
                lines.append(f"{line.title}{year}{by}" + (f". {line.extra}" if line.extra else ""))
            abstract = row.programme_notes or ""
            slug = row.programme_slug
        else:
            directed = list(details.directed.get(row.film_id, ()))
            abstract = row.synopsis or ""
            slug = row.film_slug
        lines += [text for text in (row.premiere, row.notes) if text]
        if row.ticket_url:
            lines.append(f"Tickets: {row.ticket_url}")
        languages = json.loads(row.languages) if row.languages else []
        first = languages[0].strip().lower() if languages else ""
        return FrabEvent(
            id=row.id,
            guid=self._guid(row.uid),
            room=self.rooms.of(row.venue_id, row.city).name,
            title=marked(row.title, row.status, row.visibility == "private", MARKS),
            subtitle=row.section or "",
            track=row.section,
            type="screening" if row.kind == "regular" else row.kind,
            start=start,
            duration_minutes=row.length_minutes,
            abstract=abstract,
            description="\n".join(lines),
            # The XSD wants four characters or more after the acronym's hyphen.
            slug=f"{self.acronym}-{row.id}-{slug if len(slug) >= 4 else slug + '-screening'}",
            language=first if _LANGUAGE_CODE.match(first) else None,
            persons=tuple(self._person(*d) for d in directed),
            links=self._links(row),
            url=f"{self.base}/screenings/{row.id}",
            facts=self._facts(row),
        )

    def _facts(self, row: Any) -> dict[str, Any]:
        """What frab's fields cannot say of a screening, the unknown left out."""
        facts: dict[str, Any] = {
            "timezone": row.timezone,
            "venue": row.venue_name,
            "city": row.city,
            "kind": row.kind,
            "duration": row.duration_minutes,
            "festival": row.festival,
            "edition_year": row.edition_year,
            "edition_label": row.edition_label,
            "tickets": row.ticket_url,
        }
        if row.programme_id is None:
            facts |= {
                "film": row.title,
                "year": row.film_year,
                "runtime": row.runtime,
                "directors": [name for _, name in self.details.directed.get(row.film_id, ())],
            }
        else:
            facts["programme"] = row.title
            facts["films"] = [
                {
                    "title": line.title,
                    "year": line.year,
                    "runtime": line.runtime_minutes,
                    "directors": list(line.directors),
                }
                for line in self.details.programmes.get(row.programme_id, ())
            ]
        return {key: value for key, value in facts.items() if value not in (None, [])}

    def _guid(self, uid: str) -> str:
        """The UUID of a UID ``<uuid>@<domain>``; for a UID of another form (one an
        older catalogue made), a UUID derived from it."""
        try:
            return str(uuid.UUID(uid.partition("@")[0]))
        except ValueError:
            return str(uuid.uuid5(self.namespace, f"screening/{uid}"))

    def _person(self, person_id: int, name: str) -> FrabPerson:
        found = self.people.get(person_id)
        if found is None:
            guid = str(uuid.uuid5(self.namespace, f"person/{person_id}"))
            found = self.people[person_id] = FrabPerson(person_id, guid, name)
        return found

    def _links(self, row: Any) -> tuple[FrabLink, ...]:
        links = []
        if row.website:
            links.append(FrabLink(row.website, "Website", "web"))
        if row.imdb_id:
            links.append(FrabLink(f"https://www.imdb.com/title/{row.imdb_id}/", "IMDb", "web"))
        for kind, url, label in self.details.labelled_links.get(row.film_id, ()):
            title = label or kind.replace("_", " ").capitalize()
            links.append(FrabLink(url, title, LINK_TYPES.get(kind, "related")))
        if row.ticket_url:
            links.append(FrabLink(row.ticket_url, "Tickets", "web"))
        return tuple(links)


def _days(
    rows: Any, events: _Events, grid: _Grid, days: list[dt.date], rooms: tuple[FrabRoom, ...]
) -> Iterator[FrabDay]:
    """The days, in order, each with its rooms' events (rows come in start order)."""
    order = {room.name: n for n, room in enumerate(rooms)}
    by_room = {room.name: room for room in rooms}
    rows = iter(rows)
    pending = next(rows, None)
    for index, day in enumerate(days, start=1):
        held: dict[str, list[FrabEvent]] = defaultdict(list)
        end = grid.start(day + dt.timedelta(days=1))
        while pending is not None and pending.starts_at_utc < end:
            event = events.event(pending)
            held[event.room].append(event)
            pending = next(rows, None)
        yield FrabDay(
            number=index,
            date=day,
            start=grid.start(day),
            end=end,
            rooms=tuple(
                (by_room[name], tuple(held[name])) for name in sorted(held, key=order.__getitem__)
            ),
        )
