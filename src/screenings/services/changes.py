"""Editing what is stored, and telling subscribed calendars: every change a calendar would
show bumps the affected screenings' ``sequence`` and ``updated_at``, in the same
transaction (DESIGN.md, "Identity and change"). A ``uid`` never changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from screenings.models import Credit, Edition, Screening, utcnow


def bump(session: Session, *where: ColumnElement[bool]) -> int:
    """Add one to the sequence of every screening matching ``where``; return how many.

    A bulk UPDATE, so the import path can use it too; ORM objects already loaded
    are refreshed from it.
    """
    result: Any = session.execute(
        update(Screening)
        .where(*where)
        .values(sequence=Screening.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)


def bump_film(session: Session, film_id: int) -> int:
    return bump(session, Screening.film_id == film_id)


def bump_person(session: Session, person_id: int) -> int:
    """A person's name shows in the credits of every screening of their films."""
    films = select(Credit.film_id).where(Credit.person_id == person_id)
    return bump(session, Screening.film_id.in_(films))


def bump_venue(session: Session, venue_id: int) -> int:
    return bump(session, Screening.venue_id == venue_id)


def bump_edition(session: Session, edition_id: int) -> int:
    return bump(session, Screening.edition_id == edition_id)


def bump_festival(session: Session, festival_id: int) -> int:
    editions = select(Edition.id).where(Edition.festival_id == festival_id)
    return bump(session, Screening.edition_id.in_(editions))
