"""A person's plans, and the travel times between venues they are solved with.

A plan is named (unique, any case), spans one or more editions, and holds a wish list
(films or programmes, each with a priority from 1 to 5, some must-sees), pins (this very
screening), busy periods, and the screenings its last solve chose (``services.planning``
solves). Its parts are references the database enforces: removing a film, programme,
screening or edition a plan names ends that part, and first writes the plan a problem
naming what went (``note_removal``); ``merge`` carries them to the record kept (``carry``).

Travel times are catalogue data: minutes between two venues, the same both ways, stored
once per pair. A venue to itself is 0. Two venues of one city with no stated time take
the plan's default; two of different cities with none are never combined on one day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from screenings import lookup, rules, tables
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.keys import name_key
from screenings.models import Edition, Film, Programme, Screening, Venue
from screenings.services.secret_feeds import end_feeds
from screenings.timeparse import (
    UTC,
    When,
    load_zone,
    looks_like_time,
    parse_time,
    parse_when,
    resolve_local,
)

P = tables.plan
PE = tables.plan_edition
PW = tables.plan_want
PP = tables.plan_pin
PB = tables.plan_busy
PC = tables.plan_choice
PX = tables.plan_problem
T = tables.travel


@dataclass(frozen=True)
class Plan:
    """A plan's own settings, as stored."""

    id: int
    name: str
    owner: str | None
    travel_minutes: int
    buffer_minutes: int
    include_private: bool
    solved_at: dt.datetime | None
    optimal: bool | None


@dataclass(frozen=True)
class Travel:
    """A stated travel time between two venues (each as ``lookup.describe`` names it)."""

    first: str
    second: str
    minutes: int


def find_plan(session: Session, text: str) -> Plan:
    """The plan called ``text`` (any case and spacing) or ``#ID``; ``NotFound`` names
    the plans there are."""
    return _plan(lookup.find_plan(session, text))


def _plan(row: Any) -> Plan:
    return Plan(
        id=row.id,
        name=row.name,
        owner=row.owner,
        travel_minutes=row.travel_minutes,
        buffer_minutes=row.buffer_minutes,
        include_private=bool(row.include_private),
        solved_at=row.solved_at,
        optimal=None if row.optimal is None else bool(row.optimal),
    )


def _minutes(value: int | None, what: str, default: int) -> int:
    if value is None:
        return default
    if not 0 <= value <= rules.MAX_TRAVEL_MINUTES:
        raise InvalidInput(
            f"expected minutes from 0 to {rules.MAX_TRAVEL_MINUTES}, got {value}", field=what
        )
    return value


def create_plan(
    session: Session,
    name: str,
    *,
    editions: Sequence[str],
    travel_minutes: int | None = None,
    buffer_minutes: int | None = None,
    owner: str | None = None,
    include_private: bool = False,
) -> Plan:
    """Make a plan over ``editions`` (each named as ``lookup.find_edition`` reads names),
    with a default travel time between two venues of one city (15 minutes unless given)
    and a buffer after each screening (0 unless given)."""
    name = rules.clean_text(name, what="name", limit=rules.length("plan", "name"))
    if not name:
        raise InvalidInput("empty; expected a name for the plan", field="name")
    if not editions:
        raise InvalidInput("a plan needs at least one edition", field="edition")
    clean_owner = (
        rules.clean_text(owner, what="owner", limit=rules.length("plan", "owner")) or None
        if owner is not None
        else None
    )
    taken = session.execute(select(P.c.name).where(P.c.name_key == name_key(name))).scalar()
    if taken is not None:
        raise Conflict(f"there is already a plan called {taken!r}; choose another name")
    found = [lookup.find_edition(session, text).record for text in editions]
    plan_id = session.execute(
        insert(P)
        .values(
            name=name,
            name_key=name_key(name),
            owner=clean_owner,
            travel_minutes=_minutes(travel_minutes, "travel", rules.DEFAULT_TRAVEL_MINUTES),
            buffer_minutes=_minutes(buffer_minutes, "buffer", 0),
            include_private=include_private,
        )
        .returning(P.c.id)
    ).scalar_one()
    for edition_id in dict.fromkeys(edition.id for edition in found):
        session.execute(insert(PE).values(plan_id=plan_id, edition_id=edition_id))
    return find_plan(session, f"#{plan_id}")


def list_plans(session: Session) -> list[Plan]:
    """Every plan, by name."""
    return [_plan(row) for row in session.execute(select(P).order_by(P.c.name_key))]


def remove_plan(session: Session, name: str) -> tuple[Plan, list[str]]:
    """Remove a plan and everything it holds; the secret feeds made of it end (their
    addresses answer as unknown ones do). The plan, and the names of the feeds ended."""
    plan = find_plan(session, name)
    ended = end_feeds(session, "plan", plan.id, f"{plan.name!r} (#{plan.id})")
    session.execute(delete(P).where(P.c.id == plan.id))
    return plan, ended


def plan_editions(session: Session, plan: Plan) -> list[Edition]:
    """The editions a plan spans, oldest first."""
    ids = select(PE.c.edition_id).where(PE.c.plan_id == plan.id)
    found = session.scalars(select(Edition).where(Edition.id.in_(ids)))
    return sorted(found, key=lambda e: (e.year, e.festival.name, e.id))


# --- The wish list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wish:
    """A film or programme on a plan's wish list."""

    film_id: int | None
    programme_id: int | None
    title: str
    priority: int
    must: bool


def _priority(value: int | None) -> int:
    if value is None:
        return rules.DEFAULT_PRIORITY
    if not rules.MIN_PRIORITY <= value <= rules.MAX_PRIORITY:
        raise InvalidInput(
            f"expected {rules.MIN_PRIORITY} to {rules.MAX_PRIORITY} "
            f"({rules.MAX_PRIORITY}: want it most), got {value}",
            field="priority",
        )
    return value


def _wanted(session: Session, text: str) -> Film | Programme:
    """A film, or else a programme, by the name given: whole titles first, so that a
    programme's title is not read as the words of a film's."""
    for find in (
        lambda: lookup.find_film(session, text, words=False).record,
        lambda: lookup.find_programme(session, text, words=False).record,
    ):
        try:
            return find()
        except NotFound:
            continue
    return lookup.find_film(session, text).record  # the words of a title; says what is close


def want(
    session: Session,
    name: str,
    films: Sequence[str],
    *,
    priority: int | None = None,
    must: bool = False,
) -> tuple[Plan, list[Wish]]:
    """Put films (or programmes: each counts for every film it shows) on the wish list,
    with ``priority`` (1-5, 3 unless given) and as must-sees when ``must``; one already
    there takes the new priority and must-see mark. The wishes written."""
    plan = find_plan(session, name)
    if not films:
        raise InvalidInput("name at least one film or programme", field="films")
    level = _priority(priority)
    written: list[Wish] = []
    for text in films:
        record = _wanted(session, text)
        column = PW.c.film_id if isinstance(record, Film) else PW.c.programme_id
        where = [PW.c.plan_id == plan.id, column == record.id]
        if session.execute(select(PW.c.id).where(*where)).first() is None:
            session.execute(
                insert(PW).values(
                    plan_id=plan.id, priority=level, must=must, **{column.key: record.id}
                )
            )
        else:
            session.execute(update(PW).where(*where).values(priority=level, must=must))
        written.append(_wish(record, level, must))
    return plan, written


def _wish(record: Film | Programme, priority: int, must: bool) -> Wish:
    if isinstance(record, Film):
        return Wish(record.id, None, lookup.describe(record), priority, must)
    return Wish(None, record.id, lookup.describe(record), priority, must)


def unwant(session: Session, name: str, films: Sequence[str]) -> tuple[Plan, list[str]]:
    """Take films or programmes off the wish list; ``NotFound`` for one not on it."""
    plan = find_plan(session, name)
    gone = []
    for text in films:
        record = _wanted(session, text)
        column = PW.c.film_id if isinstance(record, Film) else PW.c.programme_id
        result = session.execute(delete(PW).where(PW.c.plan_id == plan.id, column == record.id))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound(f"{lookup.describe(record)} is not on the wish list of {plan.name!r}")
        gone.append(lookup.describe(record))
    return plan, gone


def wishes(session: Session, plan: Plan) -> list[Wish]:
    """The wish list: must-sees first, then by priority, then by title."""
    found = []
    for row in session.execute(select(PW).where(PW.c.plan_id == plan.id)):
        record: Film | Programme = (
            session.get_one(Film, row.film_id)
            if row.film_id is not None
            else session.get_one(Programme, row.programme_id)
        )
        found.append(_wish(record, row.priority, bool(row.must)))
    return sorted(found, key=lambda w: (not w.must, -w.priority, w.title.casefold()))


# --- Pins and busy periods -------------------------------------------------------------------


def pin(session: Session, name: str, screening: str, *, remove: bool = False) -> tuple[Plan, str]:
    """Pin the screening ``#ID`` into the plan (this very screening, whatever the solve
    prefers), or, with ``remove``, unpin it. The screening, in words."""
    plan = find_plan(session, name)
    record: Screening = lookup.find_by_id(session, Screening, screening, "screening")
    where = [PP.c.plan_id == plan.id, PP.c.screening_id == record.id]
    pinned = session.execute(select(PP.c.id).where(*where)).first() is not None
    if remove:
        if not pinned:
            raise NotFound(f"screening #{record.id} is not pinned in {plan.name!r}")
        session.execute(delete(PP).where(*where))
    elif not pinned:
        session.execute(insert(PP).values(plan_id=plan.id, screening_id=record.id))
    return plan, screening_said(record)


def pins(session: Session, plan: Plan) -> list[Screening]:
    ids = select(PP.c.screening_id).where(PP.c.plan_id == plan.id)
    return sorted(
        session.scalars(select(Screening).where(Screening.id.in_(ids))),
        key=lambda s: (s.local_date, s.starts_at_utc or dt.datetime.max.replace(tzinfo=UTC)),
    )


def screening_said(screening: Screening) -> str:
    """A screening as a person knows it: its id, what it shows, day, time and place."""
    day = screening.local_date.strftime("%a %d %b %Y")
    time = screening.local_time.strftime("%H:%M") if screening.local_time else "time TBA"
    venue = screening.venue.name if screening.venue else None
    city = screening.venue.city if screening.venue else screening.city
    place = ", ".join(p for p in (venue, city) if p)
    return ", ".join(p for p in (f"#{screening.id} {screening.title}", f"{day} {time}", place) if p)


@dataclass(frozen=True)
class BusyPeriod:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str | None


def plan_zone(session: Session, plan: Plan) -> str:
    """The zone a plan's times are read in: its editions' (their festival's, else the one
    their screenings have); ``InvalidInput`` when they differ, or none is known."""
    zones: set[str] = set()
    for edition in plan_editions(session, plan):
        zone = (
            edition.festival.timezone
            or session.execute(
                select(tables.screening.c.timezone)
                .where(tables.screening.c.edition_id == edition.id)
                .group_by(tables.screening.c.timezone)
                .order_by(func.count().desc(), tables.screening.c.timezone)
                .limit(1)
            ).scalar()
        )
        if zone:
            zones.add(zone)
    if len(zones) != 1:
        said = ", ".join(sorted(zones)) if zones else "none known"
        raise InvalidInput(
            f"the plan's editions have no one time zone ({said}); give the times with "
            "their offset, e.g. '2026-02-10 14:00+02:00'",
            field="from",
        )
    return zones.pop()


def add_busy(
    session: Session,
    name: str,
    starts: str,
    ends: str,
    *,
    note: str | None = None,
    dayfirst: bool | None = None,
    today: dt.date | None = None,
) -> tuple[Plan, str]:
    """A period the person cannot attend, from ``starts`` to ``ends`` (each a date and
    time, in the plan's editions' zone unless it carries an offset; a date alone is the
    start of that day for ``starts``, the end of it for ``ends``; ``ends`` may be a time
    alone, on the day ``starts`` gives). The plan, and the period in words (in the zone
    it was read in)."""
    plan = find_plan(session, name)
    zone: str | None = None
    instants = []
    first_day: dt.date | None = None
    for text, field, end in ((starts, "from", False), (ends, "to", True)):
        if end and first_day is not None and looks_like_time(text):
            when = When(first_day, parse_time(text, what=field))  # the day it starts
        else:
            when = parse_when(text, what=field, dayfirst=dayfirst, today=today)
        first_day = first_day or when.day
        if when.time is None:
            when = When(when.day + dt.timedelta(days=1 if end else 0), dt.time(0))
        if when.offset is None:
            zone = zone or plan_zone(session, plan)
        instants.append(resolve_local(when, zone or "UTC", what=field))
    first, last = (i.astimezone(UTC) for i in instants)
    if last <= first:
        raise InvalidInput(f"expected a time after {{from}} ({starts!r})", field="to",
                           mentions=("from",))  # fmt: skip
    clean = (
        rules.clean_text(note, what="note", limit=rules.length("plan_busy", "note")) or None
        if note
        else None
    )
    busy_id = session.execute(
        insert(PB)
        .values(plan_id=plan.id, starts_at=first, ends_at=last, note=clean)
        .returning(PB.c.id)
    ).scalar_one()
    period = BusyPeriod(busy_id, first, last, clean)
    return plan, busy_said(period, zone or "UTC")


def busy_said(busy: BusyPeriod, zone: str) -> str:
    """A busy period in words, in ``zone``: "Wed 28 Jan 19:00-22:00 (jury dinner)"."""
    tz = load_zone(zone)
    first, last = busy.starts_at.astimezone(tz), busy.ends_at.astimezone(tz)
    end = f"{last:%H:%M}" if last.date() == first.date() else f"{last:%a %d %b %H:%M}"
    note = f" ({busy.note})" if busy.note else ""
    return f"{first:%a %d %b %H:%M}-{end}{note}"


def busy_periods(session: Session, plan: Plan) -> list[BusyPeriod]:
    rows = session.execute(select(PB).where(PB.c.plan_id == plan.id).order_by(PB.c.starts_at))
    return [BusyPeriod(r.id, r.starts_at, r.ends_at, r.note) for r in rows]


# --- Travel times ----------------------------------------------------------------------------


def _pair(session: Session, first: str, second: str) -> tuple[Venue, Venue]:
    one = lookup.find_venue(session, first).record
    other = lookup.find_venue(session, second).record
    if one.id == other.id:
        raise InvalidInput(
            f"both name {lookup.describe(one)}; a venue to itself is 0 minutes", field="venues"
        )
    return (one, other) if one.id < other.id else (other, one)


def set_travel(
    session: Session, first: str, second: str, minutes: int, *, new: bool | None = None
) -> tuple[Travel, bool]:
    """State the minutes between two venues, both ways. ``new``: True refuses a pair that
    has a time (``add``), False one that has none (``edit``), None takes either (an
    import). The time, and whether anything changed."""
    one, other = _pair(session, first, second)
    minutes = _minutes(minutes, "minutes", 0)
    where = [T.c.venue_a_id == one.id, T.c.venue_b_id == other.id]
    stated = session.execute(select(T.c.minutes).where(*where)).scalar()
    said = Travel(lookup.describe(one), lookup.describe(other), minutes)
    if stated is not None and new is True:
        raise Conflict(
            f"{said.first} and {said.second} already have a travel time ({stated} min); "
            "change it with 'screenings edit travel'"
        )
    if stated is None and new is False:
        raise NotFound(f"{said.first} and {said.second} have no travel time yet; add one")
    if stated is None:
        session.execute(insert(T).values(venue_a_id=one.id, venue_b_id=other.id, minutes=minutes))
    elif stated != minutes:
        session.execute(update(T).where(*where).values(minutes=minutes))
    return said, stated != minutes


def remove_travel(session: Session, first: str, second: str) -> Travel:
    one, other = _pair(session, first, second)
    where = [T.c.venue_a_id == one.id, T.c.venue_b_id == other.id]
    stated = session.execute(select(T.c.minutes).where(*where)).scalar()
    if stated is None:
        raise NotFound(f"{lookup.describe(one)} and {lookup.describe(other)} have no travel time")
    session.execute(delete(T).where(*where))
    return Travel(lookup.describe(one), lookup.describe(other), stated)


def list_travel(session: Session, venue: str | None = None) -> list[Travel]:
    """Every stated travel time (of ``venue`` only, when given), by venue."""
    where = []
    if venue is not None:
        found = lookup.find_venue(session, venue).record
        where.append(or_(T.c.venue_a_id == found.id, T.c.venue_b_id == found.id))
    rows = session.execute(select(T).where(*where)).all()
    ids = {r.venue_a_id for r in rows} | {r.venue_b_id for r in rows}
    venues = {v.id: v for v in session.scalars(select(Venue).where(Venue.id.in_(ids)))}
    found_times = [
        Travel(
            lookup.describe(venues[r.venue_a_id]), lookup.describe(venues[r.venue_b_id]), r.minutes
        )
        for r in rows
    ]
    return sorted(found_times, key=lambda t: (t.first.casefold(), t.second.casefold()))


def stated_travel(session: Session) -> dict[tuple[int, int], int]:
    """Every stated time, by (smaller venue id, larger)."""
    return {(r.venue_a_id, r.venue_b_id): r.minutes for r in session.execute(select(T))}


# --- What removals and merges do to plans ----------------------------------------------------


def note_removal(session: Session, record: Any) -> None:
    """Before ``record`` (a film, programme, screening or edition) is removed: write each
    plan that names it a problem saying what went. The database then ends the parts that
    named it (ON DELETE CASCADE)."""
    if isinstance(record, Screening):
        said = screening_said(record)
        naming = [PP.c.screening_id == record.id, PC.c.screening_id == record.id]
        text = f"screening {said} was removed"
    elif isinstance(record, Film | Programme):
        kind = "film" if isinstance(record, Film) else "programme"
        naming = [PW.c[f"{kind}_id"] == record.id]
        text = f"the {kind} {lookup.describe(record)} was removed; it was on the wish list"
    elif isinstance(record, Edition):
        naming = [PE.c.edition_id == record.id]
        text = (
            f"the edition {lookup.describe(record)} was removed; its screenings are no "
            "longer candidates"
        )
    else:
        return
    plans: set[int] = set()
    for condition in naming:
        table = condition.left.table
        plans.update(session.execute(select(table.c.plan_id).where(condition)).scalars())
    for plan_id in sorted(plans):
        session.execute(insert(PX).values(plan_id=plan_id, text=text[:1000]))


def carry(session: Session, kind: str, kept_id: int, duplicate_id: int) -> None:
    """``merge``: the wishes naming the duplicate film or programme name the one kept
    (where a plan wants both, one wish stays: the higher priority, must-see if either
    was); the duplicate venue's travel times become the kept one's (its own kept where
    both have one)."""
    if kind in {"film", "programme"}:
        column = PW.c[f"{kind}_id"]
        for row in session.execute(select(PW).where(column == duplicate_id)).all():
            other = session.execute(
                select(PW).where(PW.c.plan_id == row.plan_id, column == kept_id)
            ).first()
            if other is None:
                session.execute(update(PW).where(PW.c.id == row.id).values({column: kept_id}))
            else:
                session.execute(
                    update(PW)
                    .where(PW.c.id == other.id)
                    .values(priority=max(row.priority, other.priority), must=row.must or other.must)
                )
                session.execute(delete(PW).where(PW.c.id == row.id))
    elif kind == "venue":
        kept_times = stated_travel(session)
        for (a, b), minutes in list(kept_times.items()):
            if duplicate_id not in (a, b):
                continue
            session.execute(delete(T).where(T.c.venue_a_id == a, T.c.venue_b_id == b))
            far = b if a == duplicate_id else a
            if far == kept_id:
                continue
            pair = (min(far, kept_id), max(far, kept_id))
            if pair not in kept_times:
                session.execute(
                    insert(T).values(venue_a_id=pair[0], venue_b_id=pair[1], minutes=minutes)
                )
