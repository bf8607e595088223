"""Merging duplicates: everything the duplicate has moves to the record kept, then the
duplicate is removed. What both have (the same credit, the same link) is kept once.
Calendars see every affected screening change (its sequence goes up). Secret feeds made
for the duplicate follow the record kept, and the duplicate's addresses redirect to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import lookup
from screenings.errors import Conflict, InvalidInput
from screenings.keys import name_key
from screenings.models import (
    Award,
    Credit,
    Festival,
    Film,
    FilmLink,
    Nomination,
    Person,
    Programme,
    ProgrammeFilm,
    Screening,
    Selection,
    Venue,
)
from screenings.query import shows_film
from screenings.services.aliases import keep_alias
from screenings.services.bases import move_record_bases, rename_in_bases
from screenings.services.catalog import FILM_SHOWN, Saved
from screenings.services.changes import bump, bump_film, snapshot
from screenings.services.plans import carry
from screenings.services.programmes import renumber
from screenings.services.published import retire_slug
from screenings.services.secret_feeds import carry_feeds

KINDS = ("person", "film", "venue", "festival", "programme")


def merge(session: Session, kind: str, keep: str, duplicate: str) -> Saved[str]:
    """Merge ``duplicate`` into ``keep`` (both named as the lookups read names)."""
    if kind not in KINDS:
        raise InvalidInput(f"expected one of {', '.join(KINDS)}, got {kind!r}", field="kind")
    finders: dict[str, Callable[..., lookup.Found[Any]]] = {
        "person": lookup.find_person,
        "film": lookup.find_film,
        "venue": lookup.find_venue,
        "festival": lookup.find_festival,
        "programme": lookup.find_programme,
    }
    find = finders[kind]
    kept_found, dup_found = find(session, keep), find(session, duplicate)
    kept, dup = kept_found.record, dup_found.record
    notes = [f.note for f in (kept_found, dup_found) if f.note]
    if kept.id == dup.id:
        raise InvalidInput(f"merge: {keep!r} and {duplicate!r} are the same {kind} (#{kept.id})")
    movers: dict[str, Callable[[Session, Any, Any], str]] = {
        "person": _people,
        "film": _films,
        "venue": _venues,
        "festival": _festivals,
        "programme": _programmes,
    }
    # The duplicate's addresses redirect to the kept record's (while it was public), and
    # its secret feeds follow it there: both before its screenings move.
    retire_slug(session, dup, successor=kept.slug)
    feeds = carry_feeds(session, kind, kept.id, dup.id)
    carry(session, kind, kept.id, dup.id)  # plans' wishes, and travel times
    moved = movers[kind](session, kept, dup)
    keep_alias(session, kind, kept, dup)  # its name still finds the record kept
    what = lookup.describe(dup)
    session.delete(dup)
    session.flush()
    notes.append(f"moved {moved} and removed {what}; its name now finds the one kept")
    if feeds:
        notes.append(f"{feeds} secret feed(s) now follow {lookup.describe(kept)}")
    return Saved(lookup.describe(kept), tuple(notes))


def _people(session: Session, kept: Person, dup: Person) -> str:
    credits = 0
    films = set()
    for credit in list(session.scalars(select(Credit).where(Credit.person_id == dup.id))):
        films.add(credit.film_id)
        if _has(session, Credit, film_id=credit.film_id, person_id=kept.id, role=credit.role):
            session.delete(credit)
        else:
            credit.person = kept
            credits += 1
    session.flush()
    if films:  # once per screening, however many credits the film had
        bump(session, shows_film(list(films), session))
    nominations = _move_nominations(session, "person_id", kept.id, dup.id)
    return f"{credits} credit(s) and {nominations} nomination(s)"


def _films(session: Session, kept: Film, dup: Film) -> str:  # noqa: C901 -- each part of a film moved to the one kept, or merged with its own
    before = snapshot(kept, *FILM_SHOWN)
    for attribute in (
        "original_title",
        "year",
        "runtime_minutes",
        "synopsis",
        "website",
        "imdb_id",
    ):
        if getattr(kept, attribute) is None and getattr(dup, attribute) is not None:
            value = getattr(dup, attribute)
            if attribute == "imdb_id":
                dup.imdb_id = None
                session.flush()
            setattr(kept, attribute, value)
    kept.countries = kept.countries or dup.countries
    kept.languages = kept.languages or dup.languages
    for credit in list(dup.credits):
        if not _has(session, Credit, film_id=kept.id, person_id=credit.person_id, role=credit.role):
            kept.credits.append(
                Credit(person_id=credit.person_id, role=credit.role, position=len(kept.credits))
            )
    for link in list(dup.links):
        if not _has(session, FilmLink, film_id=kept.id, url=link.url):
            kept.links.append(FilmLink(kind=link.kind, url=link.url, label=link.label))
    for selection in list(session.scalars(select(Selection).where(Selection.film_id == dup.id))):
        if _has(session, Selection, film_id=kept.id, edition_id=selection.edition_id):
            session.delete(selection)
        else:
            selection.film = kept
    session.flush()
    moved = _move_screenings(session, Screening.film_id, kept, dup)
    programmes = _move_programme_places(session, kept, dup)
    moved += session.scalars(select(Screening.id).where(Screening.programme_id.in_(programmes)))
    nominations = _move_nominations(session, "film_id", kept.id, dup.id)
    rename_in_bases(session, "film_id", kept.id, dup.id)
    move_record_bases(session, "film", kept.id, dup.id)
    session.flush()
    session.refresh(kept)
    if snapshot(kept, *FILM_SHOWN) != before:
        bump_film(session, kept.id)  # every screening shows the film's new details
    elif moved:
        bump(session, Screening.id.in_(moved))
    return f"{len(moved)} screening(s) and {nominations} nomination(s)"


def _programmes(session: Session, kept: Programme, dup: Programme) -> str:
    """The duplicate's screenings and nominations move to the kept programme, and its
    films it does not show yet are added after its own; its screenings' calendars, and
    those of the kept one when its films changed, are updated. Both must be of one
    festival (a title is the festival's)."""
    if kept.festival_id != dup.festival_id:
        raise InvalidInput(
            f"merge: {lookup.describe(kept)} and {lookup.describe(dup)} are of two festivals; "
            "a programme is its festival's"
        )
    shown = {entry.film_id for entry in kept.entries}
    added = 0
    for entry in list(dup.entries):
        if entry.film_id not in shown:
            added += 1
            kept.entries.append(
                ProgrammeFilm(
                    film_id=entry.film_id, position=len(kept.entries) + 1, extra=entry.extra
                )
            )
    session.flush()
    moved = _move_screenings(session, Screening.programme_id, kept, dup)
    nominations = _move_nominations(session, "programme_id", kept.id, dup.id)
    move_record_bases(session, "programme", kept.id, dup.id)
    session.flush()
    bumped = Screening.programme_id == kept.id if added else Screening.id.in_(moved)
    bump(session, bumped)
    return f"{len(moved)} screening(s), {nominations} nomination(s) and {added} film(s)"


def _move_screenings(session: Session, shows: Any, kept: Any, dup: Any) -> list[int]:
    """The duplicate's screenings (``shows``: the column naming what they show, a film or
    a programme) moved to the kept one, refused where the kept one has the same slot;
    their ids."""
    moved: list[int] = []
    for screening in list(session.scalars(select(Screening).where(shows == dup.id))):
        clash = session.scalars(
            select(Screening).where(
                shows == kept.id,
                Screening.local_date == screening.local_date,
                Screening.local_time.is_(None)
                if screening.local_time is None
                else Screening.local_time == screening.local_time,
                Screening.venue_id.is_(None)
                if screening.venue_id is None
                else Screening.venue_id == screening.venue_id,
            )
        ).first()
        if clash is not None and name_key(clash.city or "") == name_key(screening.city or ""):
            raise Conflict(
                f"merge: screening #{screening.id} and #{clash.id} are the same slot; "
                "cancel or edit one first"
            )
        setattr(screening, shows.key, kept.id)
        moved.append(screening.id)
    return moved


def _move_programme_places(session: Session, kept: Film, dup: Film) -> set[int]:
    """The duplicate's places in programmes become the kept film's; in a programme that
    shows both, the kept one keeps its place and the others close up. The programmes
    changed."""
    changed: set[int] = set()
    places = session.scalars(select(ProgrammeFilm).where(ProgrammeFilm.film_id == dup.id))
    for place in list(places):
        changed.add(place.programme_id)
        if _has(session, ProgrammeFilm, programme_id=place.programme_id, film_id=kept.id):
            session.delete(place)
            session.flush()
            renumber(session, place.programme_id)
        else:
            place.film = kept
    session.flush()
    return changed


def _venues(session: Session, kept: Venue, dup: Venue) -> str:
    moved = []
    for screening in list(dup.screenings):
        screening.venue = kept
        if kept.timezone:
            screening.timezone = kept.timezone
        moved.append(screening.id)
    rename_in_bases(session, "venue_id", kept.id, dup.id)
    session.flush()
    if moved:
        bump(session, Screening.id.in_(moved))
    return f"{len(moved)} screening(s)"


def _festivals(session: Session, kept: Festival, dup: Festival) -> str:
    editions = list(dup.editions)
    for edition in editions:
        for other in kept.editions:
            if other.year == edition.year and name_key(other.label or "") == name_key(
                edition.label or ""
            ):
                raise Conflict(
                    f"merge: both have an edition {edition.year}"
                    + (f" {edition.label}" if edition.label else "")
                    + "; merge their screenings by hand first"
                )
        edition.festival = kept
    awards = list(session.scalars(select(Award).where(Award.festival_id == dup.id)))
    for award in awards:
        if _has(session, Award, name_key=award.name_key, festival_id=kept.id):
            raise Conflict(f"merge: both give an award called {award.name}")
        award.festival = kept
    programmes = list(session.scalars(select(Programme).where(Programme.festival_id == dup.id)))
    for programme in programmes:
        if _has(session, Programme, title_key=programme.title_key, festival_id=kept.id):
            raise Conflict(
                f"merge: both have a programme called {programme.title}; give one another "
                f"title first (screenings edit programme '#{programme.id}' --title TITLE)"
            )
        programme.festival = kept
    session.flush()
    moved_editions = [edition.id for edition in editions]
    if moved_editions:  # they show another festival now
        bump(session, Screening.edition_id.in_(moved_editions))
    return f"{len(editions)} edition(s), {len(awards)} award(s) and {len(programmes)} programme(s)"


def _move_nominations(session: Session, column: str, kept_id: int, dup_id: int) -> int:
    moved = 0
    rows = session.scalars(select(Nomination).where(getattr(Nomination, column) == dup_id))
    for nomination in list(rows):
        same = {
            c: getattr(nomination, c)
            for c in ("award_id", "year", "category", "film_id", "person_id", "programme_id")
        }
        same[column] = kept_id
        if _has(session, Nomination, **same):
            session.delete(nomination)
        else:
            setattr(nomination, column, kept_id)
            moved += 1
    return moved


def _has(session: Session, model: Any, **values: Any) -> bool:
    conditions = [
        getattr(model, k).is_(None) if v is None else getattr(model, k) == v
        for k, v in values.items()
    ]
    return session.scalars(select(model).where(*conditions)).first() is not None
