"""Removing a record: refused while other records depend on it (they are named), unless
the removal cascades to them. A film's credits and links, being parts of it, go with it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import lookup
from screenings.errors import Conflict, InvalidInput
from screenings.models import (
    Award,
    Credit,
    Edition,
    Festival,
    Film,
    Nomination,
    Person,
    Programme,
    ProgrammeFilm,
    Screening,
    Selection,
    Venue,
)
from screenings.query import shows_film
from screenings.services.catalog import Saved
from screenings.services.changes import bump
from screenings.services.plans import note_removal, screening_words
from screenings.services.programmes import renumber
from screenings.services.published import retire_slug
from screenings.services.schedule import screening_by_id
from screenings.services.secret_feeds import end_feeds

KINDS = (
    "film",
    "person",
    "festival",
    "edition",
    "venue",
    "screening",
    "award",
    "nomination",
    "selection",
    "programme",
)
BY_ID = {"screening", "nomination", "selection"}


def _dependents(session: Session, record: Any) -> list[tuple[str, list[Any]]]:
    """What depends on ``record``, by kind, for the message and for a cascade."""

    def rows(model: Any, *where: Any) -> list[Any]:
        return list(session.scalars(select(model).where(*where)))

    if isinstance(record, Film):
        return [
            ("selection", rows(Selection, Selection.film_id == record.id)),
            ("screening", rows(Screening, Screening.film_id == record.id)),
            ("nomination", rows(Nomination, Nomination.film_id == record.id)),
            # Its place in a programme: the programme stays, without it.
            ("programme place", rows(ProgrammeFilm, ProgrammeFilm.film_id == record.id)),
        ]
    if isinstance(record, Programme):
        return [
            ("screening", rows(Screening, Screening.programme_id == record.id)),
            ("nomination", rows(Nomination, Nomination.programme_id == record.id)),
        ]
    if isinstance(record, Person):
        # A nomination that also names a film (or a programme) stays, without the person.
        return [
            ("credit", rows(Credit, Credit.person_id == record.id)),
            (
                "nomination",
                rows(
                    Nomination,
                    Nomination.person_id == record.id,
                    Nomination.film_id.is_(None),
                    Nomination.programme_id.is_(None),
                ),
            ),
        ]
    if isinstance(record, Festival):
        return [
            ("edition", rows(Edition, Edition.festival_id == record.id)),
            ("award", rows(Award, Award.festival_id == record.id)),
            ("programme", rows(Programme, Programme.festival_id == record.id)),
        ]
    if isinstance(record, Edition):
        return [
            ("selection", rows(Selection, Selection.edition_id == record.id)),
            ("screening", rows(Screening, Screening.edition_id == record.id)),
            ("nomination", rows(Nomination, Nomination.edition_id == record.id)),
            ("programme", rows(Programme, Programme.edition_id == record.id)),
        ]
    if isinstance(record, Venue):
        return [("screening", rows(Screening, Screening.venue_id == record.id))]
    if isinstance(record, Award):
        return [("nomination", rows(Nomination, Nomination.award_id == record.id))]
    return []


def _cancel_instead(screening: Screening) -> str:
    """For a public screening still to come that is on: cancelling it keeps it in the
    subscribed calendars, marked cancelled, where removing it makes it vanish."""
    now = dt.datetime.now(dt.UTC)
    if screening.starts_at_utc is not None:
        starts = screening.starts_at_utc
        upcoming = (starts if starts.tzinfo else starts.replace(tzinfo=dt.UTC)) > now
    else:
        upcoming = screening.local_date >= now.date()
    if screening.visibility != "public" or screening.status == "cancelled" or not upcoming:
        return ""
    return (
        f"; to tell subscribers it is off, cancel screening {screening.id} instead (it stays "
        "in their calendars, marked cancelled)"
    )


def remove(
    session: Session, kind: str, name: str, *, cascade: bool = False, confirmed: bool = False
) -> Saved[str]:
    """Remove a film, person, festival, edition, venue, screening or award.

    Refused (``Conflict``) while others depend on it, naming how many of what,
    unless ``cascade``. Without ``confirmed`` nothing is removed: the answer
    says what would be (``InvalidInput``, so the command exits non-zero), the secret
    feeds it would end included. A secret feed made for any record removed, the
    cascade's included, ends (``secret_feeds.end_feeds``); the slug of each is retired
    (``published.retire_slug``).
    """
    finders: dict[str, Callable[[Session, str], Any]] = {
        "film": lambda s, n: lookup.find_film(s, n).record,
        "person": lambda s, n: lookup.find_person(s, n).record,
        "festival": lambda s, n: lookup.find_festival(s, n).record,
        "edition": lambda s, n: lookup.find_edition(s, n).record,
        "venue": lambda s, n: lookup.find_venue(s, n).record,
        "award": lambda s, n: lookup.find_award(s, n).record,
        "screening": screening_by_id,
        "nomination": lambda s, n: lookup.find_by_id(s, Nomination, n, "nomination"),
        "selection": lambda s, n: lookup.find_by_id(s, Selection, n, "selection"),
        "programme": lambda s, n: lookup.find_programme(s, n).record,
    }
    if kind not in finders:
        raise InvalidInput(f"expected one of {', '.join(KINDS)}, got {kind!r}", field="kind")
    record = finders[kind](session, name)
    described = f"{kind} #{record.id}" if kind in BY_ID else lookup.describe(record)
    if not cascade:
        _refuse_dependents(session, record, described)
    tree = _tree(session, record)
    ended = _farewell(session, tree)
    _cascade(session, record)
    # Everything that goes with it, the cascade's own dependents included (a festival's
    # editions and their screenings), by kind, in the order met.
    counts = Counter(type(row).__table__.name for row in tree[1:])
    removed = [f"{n} {kind.replace('_', ' ')}(s)" for kind, n in counts.items()]
    if isinstance(record, Person):
        for nomination in session.scalars(
            select(Nomination).where(Nomination.person_id == record.id)
        ):
            nomination.person_id = None
    if not confirmed:
        extra = f" and {', '.join(removed)}" if removed else ""
        feeds = (
            f"; it would end {len(ended)} secret feed(s) ({', '.join(map(repr, ended))})"
            if ended
            else ""
        )
        if isinstance(record, Screening):
            described += f" ({screening_words(record)})"
        raise InvalidInput(
            f"remove: this would remove {described}{extra}{feeds}; pass {{confirmed}} to do it"
            + (_cancel_instead(record) if isinstance(record, Screening) else ""),
            mentions=("confirmed",),
        )
    if isinstance(record, Selection):
        # Its section and premiere show in the calendars of the film's screenings there.
        bump(
            session,
            Screening.film_id == record.film_id,
            Screening.edition_id == record.edition_id,
        )
    session.delete(record)
    session.flush()
    notes = [f"with {', '.join(removed)}"] if removed else []
    if ended:
        notes.append(f"ended {len(ended)} secret feed(s): {', '.join(map(repr, ended))}")
    return Saved(described, tuple(notes))


def _refuse_dependents(session: Session, record: Any, described: str) -> None:
    for kind, rows in _dependents(session, record):
        if rows:
            raise Conflict(
                f"remove: {len(rows)} {kind}(s) depend on {described}; remove or merge them "
                "first, or pass {cascade}",
                mentions=("cascade",),
            )


def _tree(session: Session, record: Any) -> list[Any]:
    """``record`` and everything a cascade would remove with it, before any of it goes."""
    found = [record]
    for _, rows in _dependents(session, record):
        for row in rows:
            found.extend(_tree(session, row))
    return found


def _farewell(session: Session, records: list[Any]) -> list[str]:
    """Before ``records`` go: tell the plans that name any of them, end the secret feeds
    made for any of them, and retire the slug of each that has one (while its
    screenings, which made it public or not, are still there). The names of the feeds
    ended."""
    ended: list[str] = []
    for record in records:
        note_removal(session, record)  # the plans that name it say what went
        if isinstance(record, Film | Person | Festival | Edition | Venue):
            kind = record.__table__.name
            ended.extend(end_feeds(session, kind, record.id, lookup.describe(record)))
            retire_slug(session, record)
        elif isinstance(record, Programme):
            retire_slug(session, record)
    return sorted(set(ended))


def _cascade(session: Session, record: Any) -> None:
    """Delete what depends on ``record`` (checked beforehand: ``_refuse_dependents``)."""
    for _, rows in _dependents(session, record):
        films = {row.film_id for row in rows if isinstance(row, Credit)}
        programmes = {row.programme_id for row in rows if isinstance(row, ProgrammeFilm)}
        for row in rows:
            _cascade(session, row)
            session.delete(row)
        if films:  # the films' calendars show their credits: once per screening
            session.flush()
            bump(session, shows_film(list(films), session))
        if programmes:  # a programme without one of its films: its calendars show that
            session.flush()
            for programme in programmes:
                renumber(session, programme)
            bump(session, Screening.programme_id.in_(programmes))
    session.flush()
