"""Editing what is stored, and telling subscribed calendars: every change a calendar would
show bumps the affected screenings' ``sequence`` and ``updated_at``, in the same
transaction (DESIGN.md, "Identity and change"). A ``uid`` never changes."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from screenings.errors import InvalidInput
from screenings.models import Credit, Edition, Screening, utcnow
from screenings.query import shows_film
from screenings.timeparse import wall_to_utc

# What a calendar shows of a screening: a change to one of these bumps its sequence
# (an edit, or an import).
SCREENING_SHOWN = (
    "local_date",
    "local_time",
    "timezone",
    "venue_id",
    "edition_id",
    "city",
    "duration_minutes",
    "kind",
    "status",
    "visibility",
    "audience",
    "ticket_url",
    "notes",
)


def bump(session: Session, *where: ColumnElement[bool]) -> int:
    """Add one to the sequence of every screening matching ``where``; return how many.

    A bulk UPDATE; ORM objects already loaded are refreshed from it. (The import bumps
    with its own bulk statements, on the Core tables, once per film for a whole file.)
    """
    result: Any = session.execute(
        update(Screening)
        .where(*where)
        .values(sequence=Screening.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)


def bump_film(session: Session, film_id: int) -> int:
    """A film's details show in every screening of it: alone, or in a programme."""
    return bump(session, shows_film(film_id, session))


def bump_person(session: Session, person_id: int) -> int:
    """A person's name shows in the credits of every screening of their films."""
    films = select(Credit.film_id).where(Credit.person_id == person_id)
    return bump(session, shows_film(films, session))


def bump_venue(session: Session, venue_id: int) -> int:
    return bump(session, Screening.venue_id == venue_id)


def bump_edition(session: Session, edition_id: int) -> int:
    return bump(session, Screening.edition_id == edition_id)


def bump_festival(session: Session, festival_id: int) -> int:
    editions = select(Edition.id).where(Edition.festival_id == festival_id)
    return bump(session, Screening.edition_id.in_(editions))


class Moved(NamedTuple):
    """A screening whose UTC instant the zone database now puts elsewhere."""

    id: int
    zone: str
    wall: str
    before: dt.datetime | None
    after: dt.datetime | None
    problem: str | None = None


def retime(session: Session) -> list[Moved]:
    """Recompute every derived UTC instant from the stored wall time and zone (after the
    zone database changed a zone's rules); bump each screening that moved. A wall time
    that no longer exists is reported, and left as it was."""

    moved: list[Moved] = []
    rows = session.execute(
        select(
            Screening.id,
            Screening.local_date,
            Screening.local_time,
            Screening.timezone,
            Screening.starts_at_utc,
        ).where(Screening.local_time.is_not(None))
    )
    for number, day, time, zone, before in rows:
        assert time is not None  # selected so
        wall = f"{day} {time:%H:%M}"
        try:
            after = wall_to_utc(day, time, zone)
        except InvalidInput as exc:
            moved.append(Moved(number, zone, wall, before, None, exc.message))
            continue
        if after != before:
            moved.append(Moved(number, zone, wall, before, after))
    for item in moved:
        if item.after is not None:
            session.execute(
                update(Screening).where(Screening.id == item.id).values(starts_at_utc=item.after)
            )
            bump(session, Screening.id == item.id)
    return moved


def snapshot(record: Any, *attributes: str) -> tuple[Any, ...]:
    """What a calendar shows of ``record``: compared before and after an edit, it says
    whether the screenings must be bumped (an edit that changes nothing bumps nothing)."""
    values: list[Any] = []
    for attribute in attributes:
        value = getattr(record, attribute)
        if isinstance(value, list):
            value = tuple(sorted(repr(_plain(v)) for v in value))
        values.append(value)
    return tuple(values)


def _plain(value: Any) -> Any:
    columns = getattr(getattr(value, "__table__", None), "columns", None)
    if columns is None:
        return value
    return tuple(
        getattr(value, c.key) for c in columns if c.key not in {"id", "created_at", "updated_at"}
    )
