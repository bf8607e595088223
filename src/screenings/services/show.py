"""Everything known about one record, for ``screenings show``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings.config import Settings
from screenings.errors import InvalidInput, NotFound
from screenings.models import Nomination, Selection
from screenings.query import ScreeningQuery
from screenings.records import CreditRef, EditionRef, FilmShow, LinkRef, RunEntry, ScreeningView
from screenings.services import lookup
from screenings.services.catalog import Saved, film_view
from screenings.services.listing import nomination_view


def show_film(
    session: Session, settings: Settings, name: str, *, include_private: bool = True
) -> Saved[FilmShow]:
    """A film with its credits, links, festival run in date order (selections with section
    and premiere, dated screenings, special screenings), nominations and awards."""
    found = lookup.find_film(session, name)
    film = found.record
    query = ScreeningQuery(
        film=f"#{film.id}",
        include_private=include_private,
        default_length_minutes=settings.default_duration_minutes,
    )
    screenings = query.run(session).screenings
    by_edition: dict[int | None, list[ScreeningView]] = {}
    for screening in screenings:
        key = screening.edition.id if screening.edition else None
        by_edition.setdefault(key, []).append(screening)
    run: list[RunEntry] = []
    selections = session.scalars(select(Selection).where(Selection.film_id == film.id))
    for selection in selections:
        edition = selection.edition
        shown = by_edition.pop(edition.id, [])
        run.append(
            RunEntry(
                edition.year,
                _first_day(edition.starts_on, shown),
                EditionRef(edition.id, edition.festival.name, edition.year, edition.label),
                selection.section,
                selection.premiere,
                selection.status,
                shown,
            )
        )
    for edition_id, shown in by_edition.items():
        edition_ref = shown[0].edition
        if edition_id is not None and edition_ref is not None:  # screened, never "selected"
            day = shown[0].local_date
            run.append(RunEntry(day.year, day, edition_ref, None, None, None, shown))
        else:
            run.extend(
                RunEntry(s.local_date.year, s.local_date, None, None, None, None, [s])
                for s in shown
            )
    # In date order; within a year, an entry with no known day after the dated ones.
    run.sort(
        key=lambda entry: (
            entry.year,
            entry.day is None,
            entry.day or dt.date.min,
            entry.edition.id if entry.edition else 0,
        )
    )
    nominations = session.scalars(
        select(Nomination)
        .where(Nomination.film_id == film.id)
        .order_by(Nomination.year, Nomination.id)
    )
    credits = [CreditRef(c.role, c.person.name) for c in film.credits]
    links = [LinkRef(link.kind, link.url) for link in film.links]
    if film.website:
        links.insert(0, LinkRef("website", film.website))
    show = FilmShow(film_view(film), credits, links, run, [nomination_view(n) for n in nominations])
    return Saved(show, (found.note,) if found.note else ())


def _first_day(starts_on: dt.date | None, shown: list[ScreeningView]) -> dt.date | None:
    days = [s.local_date for s in shown] + ([starts_on] if starts_on else [])
    return min(days) if days else None


def show_screening(session: Session, settings: Settings, text: str) -> Saved[ScreeningView]:
    """One screening by ``#ID`` (private ones too: the user named it)."""
    number = text.strip().removeprefix("#")
    if not number.isdigit() or int(number) > lookup.MAX_ID:
        raise InvalidInput(f"show screening: expected a screening's #ID, got {text!r}")
    query = ScreeningQuery(
        ids=(int(number),),
        include_private=True,
        default_length_minutes=settings.default_duration_minutes,
    )
    found = query.run(session).screenings
    if not found:
        raise NotFound(f"screening: no screening has id #{number}")
    return Saved(found[0])
