"""Everything known about one record, for ``screenings show``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import lookup
from screenings.config import Settings
from screenings.models import Award, Nomination, Screening, Selection
from screenings.records import (
    CreditRef,
    EditionRef,
    EditionShow,
    FestivalShow,
    FilmCredit,
    FilmRef,
    FilmShow,
    LinkRef,
    PersonShow,
    ProgrammeShow,
    RunEntry,
    ScreeningView,
    SelectionRef,
    VenueShow,
)
from screenings.services import programmes
from screenings.services.aliases import aliases_of
from screenings.services.awards import award_view
from screenings.services.catalog import (
    Saved,
    edition_view,
    festival_view,
    film_view,
    person_view,
    venue_view,
)
from screenings.services.listing import nomination_view
from screenings.services.schedule import screening_view, screening_views


def show_film(session: Session, settings: Settings, name: str) -> Saved[FilmShow]:
    """A film with its credits, links, festival run in date order (selections with section
    and premiere, dated screenings, special screenings, private ones included: the user
    named the film), nominations and awards."""
    found = lookup.find_film(session, name)
    film = found.record
    screenings = screening_views(session, settings, film=f"#{film.id}")
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
                min((s.local_date for s in shown), default=None),
                EditionRef(edition.id, edition.festival.name, edition.year, edition.label),
                edition.starts_on,
                edition.ends_on,
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
            run.append(RunEntry(day.year, day, edition_ref, None, None, None, None, None, shown))
        else:
            run.extend(
                RunEntry(s.local_date.year, s.local_date, None, None, None, None, None, None, [s])
                for s in shown
            )

    # In date order (a screening's day, else its edition's first day); within a year, an
    # entry with no known day after the dated ones.
    def order(entry: RunEntry) -> tuple[Any, ...]:
        known = entry.day or entry.edition_starts_on
        return (
            entry.year,
            known is None,
            known or dt.date.min,
            entry.edition.id if entry.edition else 0,
        )

    run.sort(key=order)
    nominations = session.scalars(
        select(Nomination)
        .where(Nomination.film_id == film.id)
        .order_by(Nomination.year, Nomination.id)
    )
    credits = [CreditRef(c.role, c.person.name) for c in film.credits]
    links = [LinkRef(link.kind, link.url) for link in film.links]
    if film.website:
        links.insert(0, LinkRef("website", film.website))
    show = FilmShow(
        film_view(film),
        credits,
        links,
        run,
        [nomination_view(n) for n in nominations],
        aliases_of(session, "film", film.id),
    )
    return Saved(show, (found.note,) if found.note else ())


def show_programme(session: Session, settings: Settings, name: str) -> Saved[ProgrammeShow]:
    """A programme, its films in order (with directors and runtimes) and its screenings."""
    show, notes = programmes.show_programme(session, settings, name)
    return Saved(show, tuple(notes))


def show_screening(session: Session, settings: Settings, text: str) -> Saved[ScreeningView]:
    """One screening by ``#ID`` (private ones too: the user named it)."""
    screening = lookup.find_by_id(session, Screening, text, "screening")
    return Saved(screening_view(session, screening.id, settings))


def show_person(session: Session, settings: Settings, name: str) -> Saved[PersonShow]:
    """A person: the films they are credited on (with the role), their nominations."""
    found = lookup.find_person(session, name)
    person = found.record
    credits = [
        FilmCredit(FilmRef(c.film.id, c.film.title, c.film.year), c.role)
        for c in sorted(person.credits, key=lambda c: (c.film.year or 0, c.film.title_key, c.role))
    ]
    nominations = session.scalars(
        select(Nomination)
        .where(Nomination.person_id == person.id)
        .order_by(Nomination.year, Nomination.id)
    )
    show = PersonShow(
        person_view(person),
        credits,
        [nomination_view(n) for n in nominations],
        aliases_of(session, "person", person.id),
    )
    return Saved(show, (found.note,) if found.note else ())


def show_festival(session: Session, settings: Settings, name: str) -> Saved[FestivalShow]:
    """A festival: its editions (with their public screening counts) and its awards."""
    found = lookup.find_festival(session, name)
    festival = found.record
    awards = session.scalars(
        select(Award).where(Award.festival_id == festival.id).order_by(Award.name_key)
    )
    show = FestivalShow(
        festival_view(festival),
        [edition_view(session, e) for e in festival.editions],
        [award_view(a) for a in awards],
        aliases_of(session, "festival", festival.id),
    )
    return Saved(show, (found.note,) if found.note else ())


def show_edition(session: Session, settings: Settings, name: str) -> Saved[EditionShow]:
    """An edition: its programme (selections) and its screenings, private ones included."""
    found = lookup.find_edition(session, name)
    edition = found.record
    selections = session.scalars(select(Selection).where(Selection.edition_id == edition.id))
    edition_ref = EditionRef(edition.id, edition.festival.name, edition.year, edition.label)
    refs = sorted(
        (
            SelectionRef(
                FilmRef(s.film.id, s.film.title, s.film.year),
                edition_ref,
                s.section,
                s.premiere,
                s.status,
            )
            for s in selections
        ),
        key=lambda s: (s.section or "", s.film.title),
    )
    shown = screening_views(session, settings, edition=f"#{edition.id}")
    return Saved(
        EditionShow(edition_view(session, edition), refs, shown),
        (found.note,) if found.note else (),
    )


def show_venue(session: Session, settings: Settings, name: str) -> Saved[VenueShow]:
    """A venue and its screenings, private ones included."""
    found = lookup.find_venue(session, name)
    venue = found.record
    shown = screening_views(session, settings, venue=f"#{venue.id}")
    aliases = aliases_of(session, "venue", venue.id)
    return Saved(VenueShow(venue_view(venue), shown, aliases), (found.note,) if found.note else ())
