"""Programmes: a named, ordered list of films shown as one screening (a shorts block, a
double bill, a feature with its short).

A programme belongs to a festival (its title is unique there) and, optionally, to one
edition: then each of its films is in that edition's selection, in the programme's
section when it has one. Every change a calendar would show (its title, section, notes,
its films and their order) bumps the screenings that show it (``changes.bump``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from screenings import lookup, rules
from screenings.config import Settings
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.keys import name_key
from screenings.models import (
    Credit,
    Edition,
    Festival,
    Film,
    Person,
    Programme,
    ProgrammeFilm,
    Screening,
)
from screenings.query import ScreeningQuery
from screenings.records import (
    EditionRef,
    FestivalRef,
    FilmRef,
    ProgrammeFilmEntry,
    ProgrammeShow,
    ProgrammeView,
    ShownFilm,
)
from screenings.services.aliases import keep_old_name
from screenings.services.catalog import (
    Saved,
    check_name,
    check_text,
    renew_slug,
    unique_slug,
)
from screenings.services.changes import bump
from screenings.services.schedule import put_in_selection


def slug_text(festival: str, year: int | None, title: str) -> str:
    """What a programme's slug is made of: its festival, its edition's year, its title
    (``docpoint-2026-shorts-competition-1``), whichever door made it."""
    return f"{festival} {year} {title}" if year is not None else f"{festival} {title}"


def taken_title(session: Session, festival: Festival, title: str, other_than: int = 0) -> None:
    """Refuse a title another programme of the festival has (a title is the festival's)."""
    taken = session.scalar(
        select(Programme).where(
            Programme.festival_id == festival.id,
            Programme.title_key == name_key(title),
            Programme.id != other_than,
        )
    )
    if taken is not None:
        raise Conflict(
            f"programme: {festival.name} already has a programme called {taken.title!r} "
            f"(#{taken.id}); a title is unique within its festival"
        )


def _title(value: str) -> str:
    return check_name(value, "title", rules.length("programme", "title"))


def _festival_and_edition(
    session: Session, festival: str | None, edition: str | None, notes: list[str]
) -> tuple[Festival, Edition | None]:
    """The festival a programme is of, and its edition when one is named; an edition
    names its festival, and one named beside it must be that festival's."""
    if edition is not None:
        chosen = lookup.find_edition(session, edition).take(notes)
        if festival is not None:
            named = lookup.find_festival(session, festival).take(notes)
            if named.id != chosen.festival_id:
                raise InvalidInput(
                    f"{lookup.describe(chosen)} is not an edition of {named.name}",
                    field="edition",
                )
        return chosen.festival, chosen
    if festival is None:
        raise InvalidInput("give the programme's {festival} or {edition}", field="festival",
                           mentions=("festival", "edition"))  # fmt: skip
    return lookup.find_festival(session, festival).take(notes), None


def _films(session: Session, names: Sequence[str], what: str, notes: list[str]) -> list[Film]:
    """The films named, each whole (or by alias, slug or #ID), as ``add screening`` takes
    its film; one named twice is refused."""
    films: list[Film] = []
    for name in names:
        film = lookup.find_film(session, name, words=False).take(notes)
        if film in films:
            raise InvalidInput(f"{film.title} is named twice", field=what)
        films.append(film)
    return films


def _extras(
    films: Sequence[Film], extras: Sequence[tuple[str, str]], session: Session, notes: list[str]
) -> dict[int, str | None]:
    """``FILM=TEXT`` pairs as extra lines by film id; each must name one of ``films``."""
    found: dict[int, str | None] = {}
    for name, text in extras:
        film = lookup.find_film(session, name, words=False).take(notes)
        if film not in films:
            raise InvalidInput(f"{film.title} is not one of the programme's films", field="extra")
        found[film.id] = check_text(text, "extra", "programme_film", "extra")
    return found


def find(session: Session, name: str, festival: str | None, notes: list[str]) -> Programme:
    """The programme ``name`` names (among ``festival``'s, when given), as every command
    that takes one finds it (``lookup.find_programme``); how it was read, in ``notes``."""
    festival_id = None
    if festival is not None:
        festival_id = lookup.find_festival(session, festival).take(notes).id
    return lookup.find_programme(session, name, festival_id=festival_id).take(notes)


def add_programme(  # noqa: PLR0913 -- one keyword-only argument per option of 'add programme'
    session: Session,
    title: str,
    *,
    festival: str | None = None,
    edition: str | None = None,
    section: str | None = None,
    notes: str | None = None,
    films: Sequence[str] = (),
    extras: Sequence[tuple[str, str]] = (),
) -> Saved[ProgrammeView]:
    """Add a programme of a festival (and of an edition, when given) showing ``films`` in
    that order; each film of an edition's programme is put in its selection."""
    said: list[str] = []
    title = _title(title)
    chosen_festival, chosen_edition = _festival_and_edition(session, festival, edition, said)
    section = check_text(section, "section", "programme", "section")
    notes = check_text(notes, "notes", "programme", "notes")
    shown = _films(session, films, "film", said)
    extra = _extras(shown, extras, session, said)
    taken_title(session, chosen_festival, title)
    year = chosen_edition.year if chosen_edition is not None else None
    programme = Programme(
        festival=chosen_festival,
        edition=chosen_edition,
        title=title,
        slug=unique_slug(session, Programme.slug, slug_text(chosen_festival.name, year, title)),
        section=section,
        notes=notes,
    )
    session.add(programme)
    for position, film in enumerate(shown, start=1):
        programme.entries.append(
            ProgrammeFilm(film=film, position=position, extra=extra.get(film.id))
        )
    session.flush()
    said += _selected(session, programme)
    return Saved(programme_view(session, programme), tuple(said))


def edit_programme(  # noqa: PLR0913 -- one keyword-only argument per option of 'edit programme'
    session: Session,
    name: str,
    *,
    festival: str | None = None,
    title: str | None = None,
    section: str | None = None,
    notes: str | None = None,
    add_films: Sequence[str] = (),
    position: int | None = None,
    remove_films: Sequence[str] = (),
    move_film: str | None = None,
    to: int | None = None,
    extras: Sequence[tuple[str, str]] = (),
) -> Saved[ProgrammeView]:
    """Change a programme: its title, section or notes, and its films (added at the end
    or at ``position``, removed, or one moved to position ``to``). The screenings that
    show it are bumped once when anything a calendar shows changed."""
    said: list[str] = []
    programme = find(session, name, festival, said)
    before = _shown(programme)
    if title is not None:
        title = _title(title)
        taken_title(session, programme.festival, title, other_than=programme.id)
        old_title, programme.title = programme.title, title
        keep_old_name(session, "programme", programme, old_title, None, said)
        year = programme.edition.year if programme.edition is not None else None
        renew_slug(session, programme, slug_text(programme.festival.name, year, title), said)
    if section is not None:
        programme.section = check_text(section, "section", "programme", "section")
    if notes is not None:
        programme.notes = check_text(notes, "notes", "programme", "notes")
    entries = _reorder(session, programme, add_films, position, remove_films, move_film, to, said)
    extra = _extras([e.film for e in entries], extras, session, said)
    for entry in entries:
        if entry.film_id in extra:
            entry.extra = extra[entry.film_id]
    session.flush()
    session.expire(programme, ["entries"])
    said += _selected(session, programme)
    changed = _shown(programme) != before
    if changed:
        count = bump(session, Screening.programme_id == programme.id)
        if count:
            said.append(f"{count} screening(s) of it changed in subscribed calendars")
    return Saved(programme_view(session, programme), tuple(said), changed=changed)


def _reorder(  # noqa: PLR0913 -- the options of 'edit programme' that change its films
    session: Session,
    programme: Programme,
    add_films: Sequence[str],
    position: int | None,
    remove_films: Sequence[str],
    move_film: str | None,
    to: int | None,
    said: list[str],
) -> list[ProgrammeFilm]:
    """The programme's films removed, added and moved as asked, numbered 1, 2, ... in
    their new order."""
    entries = list(programme.entries)
    for film in _films(session, remove_films, "remove_film", said):
        entry = next((e for e in entries if e.film_id == film.id), None)
        if entry is None:
            raise NotFound(f"{film.title} is not in {programme.title}", field="remove_film")
        entries.remove(entry)
        programme.entries.remove(entry)
    added = _films(session, add_films, "add_film", said)
    if position is not None and not add_films:
        raise InvalidInput("give it with {add_film}", field="position", mentions=("add_film",))
    _check_position(position, len(entries) + 1, "position")
    at = len(entries) if position is None else position - 1
    for offset, film in enumerate(added):
        if any(e.film_id == film.id for e in entries):
            raise Conflict(f"programme: {film.title} is already in {programme.title}")
        entry = ProgrammeFilm(film=film, position=len(entries) + 1)
        programme.entries.append(entry)
        entries.insert(at + offset, entry)
    if (move_film is None) != (to is None):
        raise InvalidInput("give {move_film} and {to} together", field="move_film",
                           mentions=("move_film", "to"))  # fmt: skip
    if move_film is not None and to is not None:
        film = lookup.find_film(session, move_film, words=False).take(said)
        entry = next((e for e in entries if e.film_id == film.id), None)
        if entry is None:
            raise NotFound(f"{film.title} is not in {programme.title}", field="move_film")
        _check_position(to, len(entries), "to")
        entries.remove(entry)
        entries.insert(to - 1, entry)
    for number, entry in enumerate(entries, start=1):
        entry.position = number
    return entries


def renumber(session: Session, programme_id: int) -> None:
    """A programme's films numbered 1, 2, ... again, in their order (after one left)."""
    entries = session.scalars(
        select(ProgrammeFilm)
        .where(ProgrammeFilm.programme_id == programme_id)
        .order_by(ProgrammeFilm.position)
    )
    for number, entry in enumerate(entries, start=1):
        entry.position = number


def _check_position(value: int | None, last: int, what: str) -> None:
    if value is not None and not 1 <= value <= last:
        raise InvalidInput(f"expected a position from 1 to {last}, got {value}", field=what)


def _shown(programme: Programme) -> tuple[Any, ...]:
    """What a calendar shows of a programme: a change to any of it bumps its screenings."""
    films = tuple((e.film_id, e.extra) for e in sorted(programme.entries, key=lambda e: e.position))
    return (programme.title, programme.section, programme.notes, films)


def _selected(session: Session, programme: Programme) -> list[str]:
    """Each film of an edition's programme is in the edition's selection (in the
    programme's section, when it has one): those put there now, said."""
    edition = programme.edition
    if edition is None:
        return []
    said: list[str] = []
    for entry in programme.entries:
        put_in_selection(session, entry.film, edition, said, section=programme.section)
    session.flush()
    return said


def programme_view(session: Session, programme: Programme) -> ProgrammeView:
    """One programme as ``list programmes`` shows it."""
    return list_programmes(session, ids=(programme.id,)).rows[0]


class Listed(NamedTuple):
    """Programmes, and the notes on how the names in the filters were read (the
    listing service's ``Listed``, which this module cannot import: it imports this)."""

    rows: list[ProgrammeView]
    notes: list[str]


def list_programmes(  # noqa: PLR0913 -- one keyword-only argument per filter
    session: Session,
    *,
    festival: str | None = None,
    edition: str | None = None,
    film: str | None = None,
    ids: tuple[int, ...] = (),
    limit: int | None = None,
) -> Listed:
    """Programmes, by festival, then title: of one festival or edition, or holding a
    film, when asked."""
    notes: list[str] = []
    statement = select(Programme).join(Festival, Programme.festival_id == Festival.id)
    if ids:
        statement = statement.where(Programme.id.in_(ids))
    if festival is not None:
        chosen = lookup.find_festival(session, festival).take(notes)
        statement = statement.where(Programme.festival_id == chosen.id)
    if edition is not None:
        chosen_edition = lookup.find_edition(session, edition).take(notes)
        statement = statement.where(Programme.edition_id == chosen_edition.id)
    if film is not None:
        chosen_film = lookup.find_film(session, film).take(notes)
        holding = select(ProgrammeFilm.programme_id).where(ProgrammeFilm.film_id == chosen_film.id)
        statement = statement.where(Programme.id.in_(holding))
    statement = statement.order_by(Festival.name_key, Programme.title_key, Programme.id)
    if limit is not None:
        statement = statement.limit(limit)
    # Their films, festival and edition in three more queries, whatever their number.
    statement = statement.options(
        selectinload(Programme.entries).joinedload(ProgrammeFilm.film),
        joinedload(Programme.festival),
        joinedload(Programme.edition),
    )
    programmes = list(session.scalars(statement).unique())
    counts = dict(
        session.execute(
            select(Screening.programme_id, func.count())
            .where(Screening.programme_id.in_([p.id for p in programmes]))
            .group_by(Screening.programme_id)
        ).all()
    )
    return Listed([_view(p, counts.get(p.id, 0)) for p in programmes], notes)


def _view(programme: Programme, screenings: int) -> ProgrammeView:
    entries = programme.entries
    runtimes = [e.film.runtime_minutes for e in entries]
    known = all(r is not None for r in runtimes) and bool(runtimes)
    edition = programme.edition
    return ProgrammeView(
        id=programme.id,
        title=programme.title,
        slug=programme.slug,
        festival=FestivalRef(programme.festival.id, programme.festival.name),
        edition=(
            EditionRef(edition.id, programme.festival.name, edition.year, edition.label)
            if edition is not None
            else None
        ),
        section=programme.section,
        notes=programme.notes,
        films=[ShownFilm(e.film.id, e.film.title, e.film.year, e.position) for e in entries],
        length_minutes=sum(r for r in runtimes if r is not None) if known else None,
        screenings=screenings,
    )


def show_programme(
    session: Session, settings: Settings, name: str, festival: str | None = None
) -> tuple[ProgrammeShow, list[str]]:
    """A programme, its films (with their directors and runtimes) and its screenings,
    private ones included (the user named it)."""
    notes: list[str] = []
    programme = find(session, name, festival, notes)
    directors: dict[int, list[str]] = {}
    for film_id, person in session.execute(
        select(Credit.film_id, Person.name)
        .join(Person, Credit.person_id == Person.id)
        .where(
            Credit.film_id.in_([e.film_id for e in programme.entries]), Credit.role == "director"
        )
        .order_by(Credit.film_id, Credit.position, Credit.id)
    ):
        directors.setdefault(film_id, []).append(person)
    entries = [
        ProgrammeFilmEntry(
            e.position,
            FilmRef(e.film.id, e.film.title, e.film.year),
            e.film.runtime_minutes,
            directors.get(e.film_id, []),
            e.extra,
        )
        for e in programme.entries
    ]
    query = ScreeningQuery(
        ids=tuple(
            session.scalars(select(Screening.id).where(Screening.programme_id == programme.id))
        ),
        include_private=True,
        default_length_minutes=settings.default_duration_minutes,
    )
    screenings = query.run(session).screenings if query.ids else []
    show = ProgrammeShow(_view(programme, len(screenings)), entries, screenings)
    return show, notes
