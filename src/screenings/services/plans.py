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
import re
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


def _name(name: str) -> str:
    """A plan's name as kept: tidied, not empty, and not one that reads as an id."""
    kept = rules.clean_text(name, what="name", limit=rules.length("plan", "name"))
    if not kept:
        raise InvalidInput("empty; expected a name for the plan", field="name")
    if re.fullmatch(r"#\d+", kept):
        raise InvalidInput(f"{kept!r} reads as a plan's id; choose another name", field="name")
    return kept


def _owner(owner: str | None) -> str | None:
    if owner is None:
        return None
    return rules.clean_text(owner, what="owner", limit=rules.length("plan", "owner")) or None


def _free_name(session: Session, name: str, plan_id: int | None = None) -> None:
    taken = session.execute(
        select(P.c.name).where(P.c.name_key == name_key(name), P.c.id != (plan_id or 0))
    ).scalar()
    if taken is not None:
        raise Conflict(f"there is already a plan called {taken!r}; choose another name")


def _editions(session: Session, texts: Sequence[str], notes: list[str]) -> list[Edition]:
    """The editions named (each as ``lookup.find_edition`` reads names), once each; how a
    name was read goes into ``notes``."""
    found = [lookup.find_edition(session, text).take(notes) for text in texts]
    return list({edition.id: edition for edition in found}.values())


def create_plan(
    session: Session,
    name: str,
    *,
    editions: Sequence[str],
    travel_minutes: int | None = None,
    buffer_minutes: int | None = None,
    owner: str | None = None,
    include_private: bool = False,
) -> tuple[Plan, list[str]]:
    """Make a plan over ``editions``, with a default travel time between two venues of
    one city (15 minutes unless given) and a buffer after each screening (0 unless
    given). The plan, and notes on how the editions' names were read."""
    name = _name(name)
    if not editions:
        raise InvalidInput("a plan needs at least one edition", field="edition")
    _free_name(session, name)
    notes: list[str] = []
    found = _editions(session, editions, notes)
    plan_id = session.execute(
        insert(P)
        .values(
            name=name,
            name_key=name_key(name),
            owner=_owner(owner),
            travel_minutes=_minutes(travel_minutes, "travel", rules.DEFAULT_TRAVEL_MINUTES),
            buffer_minutes=_minutes(buffer_minutes, "buffer", 0),
            include_private=include_private,
        )
        .returning(P.c.id)
    ).scalar_one()
    for edition in found:
        session.execute(insert(PE).values(plan_id=plan_id, edition_id=edition.id))
    return find_plan(session, f"#{plan_id}"), notes


def edit_plan(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    owner: str | None = None,
    travel_minutes: int | None = None,
    buffer_minutes: int | None = None,
    include_private: bool | None = None,
    add_editions: Sequence[str] = (),
    remove_editions: Sequence[str] = (),
) -> tuple[Plan, list[str], bool]:
    """Change a plan's settings or editions (``owner`` "" clears it). Its screenings stay
    as solved until the next solve. The plan, notes on how names were read, and whether
    anything changed."""
    plan = find_plan(session, name)
    values: dict[str, object] = {}
    if new_name is not None:
        values["name"] = _name(new_name)
        _free_name(session, str(values["name"]), plan.id)
    if owner is not None:
        values["owner"] = _owner(owner)
    if travel_minutes is not None:
        values["travel_minutes"] = _minutes(travel_minutes, "travel", 0)
    if buffer_minutes is not None:
        values["buffer_minutes"] = _minutes(buffer_minutes, "buffer", 0)
    if include_private is not None:
        values["include_private"] = include_private
    changed = any(getattr(plan, key) != value for key, value in values.items())
    if "name" in values:
        values["name_key"] = name_key(str(values["name"]))
    if values:
        session.execute(update(P).where(P.c.id == plan.id).values(**values))
    notes: list[str] = []
    moved = _move_editions(session, plan, add_editions, remove_editions, notes)
    return find_plan(session, f"#{plan.id}"), notes, changed or moved


def _move_editions(
    session: Session,
    plan: Plan,
    added: Sequence[str],
    removed: Sequence[str],
    notes: list[str],
) -> bool:
    """Add and remove a plan's editions, one at least kept; whether any moved."""
    held = {edition.id for edition in plan_editions(session, plan)}
    moved = False
    for edition in _editions(session, added, notes):
        if edition.id not in held:
            session.execute(insert(PE).values(plan_id=plan.id, edition_id=edition.id))
            held.add(edition.id)
            moved = True
    for edition in _editions(session, removed, notes):
        if edition.id not in held:
            raise NotFound(f"{lookup.describe(edition)} is not an edition of {plan.name!r}")
        if held == {edition.id}:
            raise InvalidInput(
                "a plan needs at least one edition; add another first", field="remove_edition"
            )
        session.execute(delete(PE).where(PE.c.plan_id == plan.id, PE.c.edition_id == edition.id))
        held.discard(edition.id)
        moved = True
    return moved


def list_plans(session: Session) -> list[Plan]:
    """Every plan, by name."""
    return [_plan(row) for row in session.execute(select(P).order_by(P.c.name_key))]


def remove_plan(session: Session, name: str, *, confirmed: bool = False) -> tuple[Plan, list[str]]:
    """Remove a plan and everything it holds; the secret feeds made of it end (their
    addresses answer as unknown ones do). Without ``confirmed`` nothing goes: the answer
    says what would (``InvalidInput``). The plan, and the names of the feeds ended."""
    plan = find_plan(session, name)
    ended = end_feeds(session, "plan", plan.id, f"{plan.name!r} (#{plan.id})")
    if not confirmed:
        feeds = f" and end its secret feed(s) {', '.join(map(repr, ended))}" if ended else ""
        raise InvalidInput(
            f"plan: this would remove {plan.name!r} (#{plan.id}){feeds}; pass {{confirmed}} "
            "to do it",
            mentions=("confirmed",),
        )
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
    try:
        return lookup.find_film(session, text).record  # the words of a title
    except NotFound as missing:
        try:
            return lookup.find_programme(session, text).record
        except NotFound:
            raise missing from None  # the film's message: it says what is close


def want(
    session: Session,
    name: str,
    films: Sequence[str],
    *,
    priority: int | None = None,
    must: bool | None = None,
) -> tuple[Plan, list[Wish], list[str]]:
    """Put films (or programmes: each counts for every film it shows) on the wish list,
    with ``priority`` (1-5; 3 for a new wish unless given) and as must-sees when
    ``must``; a wish already there keeps what is not given. The wishes written, and
    notes (a film with no screening in the plan's editions)."""
    plan = find_plan(session, name)
    if not films:
        raise InvalidInput("name at least one film or programme", field="films")
    level = None if priority is None else _priority(priority)
    written: dict[tuple[int | None, int | None], Wish] = {}
    notes: list[str] = []
    for text in films:
        record = _wanted(session, text)
        column = PW.c.film_id if isinstance(record, Film) else PW.c.programme_id
        where = [PW.c.plan_id == plan.id, column == record.id]
        row = session.execute(select(PW).where(*where)).first()
        kept_level = level or (row.priority if row else rules.DEFAULT_PRIORITY)
        kept_must = must if must is not None else bool(row.must) if row else False
        if row is None:
            session.execute(
                insert(PW).values(
                    plan_id=plan.id, priority=kept_level, must=kept_must, **{column.key: record.id}
                )
            )
        else:
            session.execute(update(PW).where(*where).values(priority=kept_level, must=kept_must))
        wish = _wish(record, kept_level, kept_must)
        written[(wish.film_id, wish.programme_id)] = wish
        if not _screened(session, plan, record):
            notes.append(f"{lookup.describe(record)} has no screening in the plan's editions")
    return plan, list(written.values()), notes


def _screened(session: Session, plan: Plan, record: Film | Programme) -> bool:
    """Whether ``record`` is shown (alone or in a programme) in one of the plan's editions."""
    screening = tables.screening
    shown = (
        (screening.c.film_id == record.id)
        | screening.c.programme_id.in_(
            select(tables.programme_film.c.programme_id).where(
                tables.programme_film.c.film_id == record.id
            )
        )
        if isinstance(record, Film)
        else screening.c.programme_id == record.id
    )
    editions = select(PE.c.edition_id).where(PE.c.plan_id == plan.id)
    found = session.execute(
        select(screening.c.id).where(shown, screening.c.edition_id.in_(editions)).limit(1)
    ).first()
    return found is not None


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
    rows = session.execute(select(PW).where(PW.c.plan_id == plan.id)).all()
    # Their films and programmes read at once, not one query a wish.
    film_ids = [r.film_id for r in rows if r.film_id is not None]
    programme_ids = [r.programme_id for r in rows if r.programme_id is not None]
    films = {f.id: f for f in session.scalars(select(Film).where(Film.id.in_(film_ids)))}
    programmes = {
        p.id: p for p in session.scalars(select(Programme).where(Programme.id.in_(programme_ids)))
    }
    found = [
        _wish(
            films[row.film_id] if row.film_id is not None else programmes[row.programme_id],
            row.priority,
            bool(row.must),
        )
        for row in rows
    ]
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


def screening_words(screening: Screening) -> str:
    """A screening as a person knows it: what it shows, its day, time and place."""
    day = screening.local_date.strftime("%a %d %b %Y")
    time = screening.local_time.strftime("%H:%M") if screening.local_time else "time TBA"
    venue = screening.venue.name if screening.venue else None
    city = screening.venue.city if screening.venue else screening.city
    place = ", ".join(p for p in (venue, city) if p)
    return ", ".join(p for p in (screening.title, f"{day} {time}", place) if p)


def screening_said(screening: Screening) -> str:
    """``screening_words`` after the screening's id: "#3 The Defector, ..."."""
    return f"#{screening.id} {screening_words(screening)}"


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
        if when.offset is not None:  # an instant as given: the offset picks it
            assert when.time is not None
            offset = dt.timezone(when.offset)
            instants.append(dt.datetime.combine(when.day, when.time, tzinfo=offset))
            continue
        zone = zone or plan_zone(session, plan)
        instants.append(resolve_local(when, zone, what=field))
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
    return plan, f"#{busy_id} {busy_said(period, display_zone(session, plan))}"


def remove_busy(session: Session, name: str, ident: str) -> tuple[Plan, str]:
    """Take the busy period ``#ID`` (as ``plan show`` lists it) off the plan."""
    plan = find_plan(session, name)
    number = ident.strip().removeprefix("#")
    row = (
        session.execute(select(PB).where(PB.c.plan_id == plan.id, PB.c.id == int(number))).first()
        if number.isdigit()
        else None
    )
    if row is None:
        held = ", ".join(f"#{b.id}" for b in busy_periods(session, plan)) or "none"
        raise NotFound(f"{plan.name!r} has no busy period {ident!r} (it has: {held})")
    session.execute(delete(PB).where(PB.c.id == row.id))
    period = BusyPeriod(row.id, row.starts_at, row.ends_at, row.note)
    return plan, busy_said(period, display_zone(session, plan))


def display_zone(session: Session, plan: Plan) -> str:
    """The zone a plan's times are said in: its editions' one zone, else UTC."""
    try:
        return plan_zone(session, plan)
    except InvalidInput:
        return "UTC"


def busy_said(busy: BusyPeriod, zone: str) -> str:
    """A busy period in words, in ``zone``: "Wed 28 Jan 19:00-22:00 (jury dinner)"."""
    tz = load_zone(zone)
    first, last = busy.starts_at.astimezone(tz), busy.ends_at.astimezone(tz)
    end = f"{last:%H:%M}" if last.date() == first.date() else f"{last:%a %d %b %H:%M}"
    note = f" ({busy.note})" if busy.note else ""
    utc = " UTC" if zone == "UTC" else ""
    return f"{first:%a %d %b %Y %H:%M}-{end}{utc}{note}"


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


def remove_travel(session: Session, first: str, second: str, *, confirmed: bool = False) -> Travel:
    """Remove the stated time between two venues (they then take a plan's default, or
    none between two cities); without ``confirmed``, say what would go."""
    one, other = _pair(session, first, second)
    where = [T.c.venue_a_id == one.id, T.c.venue_b_id == other.id]
    stated = session.execute(select(T.c.minutes).where(*where)).scalar()
    if stated is None:
        raise NotFound(f"{lookup.describe(one)} and {lookup.describe(other)} have no travel time")
    gone = Travel(lookup.describe(one), lookup.describe(other), stated)
    if not confirmed:
        raise InvalidInput(
            f"remove: this would remove the travel time {gone.first} <-> {gone.second} "
            f"({gone.minutes} min); pass {{confirmed}} to do it",
            mentions=("confirmed",),
        )
    session.execute(delete(T).where(*where))
    return gone


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
        # What a plan chose was at the duplicate: it is at the one kept, not moved.
        session.execute(update(PC).where(PC.c.venue_id == duplicate_id).values(venue_id=kept_id))
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
