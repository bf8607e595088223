"""Names as people type them -> the one record they mean, or a clear refusal.

A name matches case- and accent-insensitively (through the stored key). In this
order, the first that finds anything wins: ``#ID``; the whole name; an alias (a
duplicate's name that ``merge`` kept finds the record kept); the slug; then, by
its words, a name whose words the typed words begin, in order, anywhere in it
("defector", "escape north" and "def esc" all find "The Defector: Escape from
North Korea"; the caller is told which it took). ``Title (2012)`` picks a film's
year and ``Venue (City)`` a venue's city. Not found: the closest names are
suggested. Several match: they are listed with their years or cities and ids.
Never a silent pick.

The word match is for finding what exists. Where a miss would create a record (a
screening's film, named to be scheduled), the caller asks for ``words=False``: "The
Act" must not become "The Act of Killing". What the words would have found is then
suggested.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from screenings import tables
from screenings.db import has_table
from screenings.errors import Ambiguous, InvalidInput, NotFound, ScreeningsError
from screenings.keys import name_key
from screenings.models import Award, Edition, Festival, Film, Person, Programme, Venue
from screenings.timeparse import MAX_YEAR, MIN_YEAR

T = TypeVar("T")

_BY_ID = re.compile(r"^#(\d+)$")
_WORD = re.compile(r"\w+")
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?P<extra>[^()]+)\)$")
_TRAILING_YEAR = re.compile(r"^(?P<name>.+?)\s+(?P<year>\d{4})(?:\s+(?P<label>.+))?$")
_MAX_SHOWN = 8


@dataclass(frozen=True)
class Found(Generic[T]):
    """The record a name was resolved to, and, when it was not an exact match, what to say."""

    record: T
    note: str | None = None

    def take(self, notes: list[str]) -> T:
        """The record; the note, if any, goes into ``notes`` (to be said to the user)."""
        if self.note:
            notes.append(self.note)
        return self.record


def describe(record: Any) -> str:
    """How a record is named back to the user: enough to tell it apart, with its id."""
    if isinstance(record, Film):
        return f"{record.title} ({record.year or 'year unknown'}, #{record.id})"
    if isinstance(record, Venue):
        return f"{record.name} ({record.city or 'city unknown'}, #{record.id})"
    if isinstance(record, Edition):
        label = f" {record.label}" if record.label else ""
        return f"{record.festival.name} {record.year}{label} (#{record.id})"
    if isinstance(record, Programme):
        return f"{record.title} ({record.festival.name}, #{record.id})"
    if isinstance(record, Award):
        where = record.festival.name if record.festival else record.presenter or "no festival"
        return f"{record.name} ({where}, #{record.id})"
    return f"{record.name} (#{record.id})"


def _resolve(  # noqa: PLR0913 -- a kind of record's columns, as each finder names them
    session: Session,
    model: Any,
    text: str,
    *,
    what: str,
    key_column: Any,
    extra: tuple[Any, str] | None = None,
    slug_column: Any = None,
    where: Sequence[ColumnElement[bool]] = (),
    alias_kind: str | None = None,
    words: bool = True,
) -> Found[Any]:
    """The generic resolution, each way tried only when the ones before found nothing:
    by #id; by name (whole, then with a parenthesised year or city); by an alias
    (``merge`` keeps the duplicate's name); by slug; and, unless ``words`` is False, by
    the words of the name (``_Search.words``). An error is about the field named as
    the kind of record (``what``)."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput("empty name", field=what)
    if _BY_ID.match(raw):
        return Found(find_by_id(session, model, raw, what))
    # The whole text first: a title may itself end in parentheses.
    readings: list[tuple[str, str | None]] = [(raw, None)]
    if extra is not None and (match := _PARENTHESIS.match(raw)):
        readings.append((match["name"], match["extra"].strip()))
    search = _Search(session, model, what, raw, key_column, where, extra, readings)
    ways = [
        search.exact,
        lambda: search.aliased(alias_kind) if alias_kind is not None else None,
        lambda: search.slug(slug_column) if slug_column is not None else None,
    ]
    for way in [*ways, search.words] if words else ways:
        found = way()
        if found is not None:
            return found
    worded = [] if words else search.worded()  # suggested, not taken
    raise _not_found(session, model, what, raw, name_key(raw), where, worded)


@dataclass(frozen=True)
class _Search:
    """One name looked for among one kind of record: its readings (the name as typed;
    and the name before a parenthesised year or city, with it), each read in turn."""

    session: Session
    model: Any
    what: str
    raw: str
    key_column: Any
    where: Sequence[ColumnElement[bool]]
    extra: tuple[Any, str] | None
    readings: list[tuple[str, str | None]]

    def read(self) -> Iterator[tuple[str, Callable[[Any], bool]]]:
        """Each reading's name and its test on candidates (the year or city): a bad year
        refused only when the whole text found nothing."""
        for name, qualifier in self.readings:
            yield name, _qualifier(self.what, self.extra, qualifier)

    def exact(self) -> Found[Any] | None:
        for name, keep in self.read():
            statement = select(self.model).where(self.key_column == name_key(name), *self.where)
            found = self.one([r for r in self.session.scalars(statement) if keep(r)])
            if found is not None:
                return found
        return None

    def aliased(self, kind: str) -> Found[Any] | None:
        for name, keep in self.read():
            records = [r for r in aliased(self.session, kind, name) if keep(r) and self.within(r)]
            found = self.one(records)
            if found is not None:
                note = f"{self.what} {self.raw!r} is another name of {describe(found.record)}"
                return Found(found.record, note)
        return None

    def within(self, record: Any) -> bool:
        """Whether ``record`` is among those searched (a festival's programmes)."""
        if not self.where:
            return True
        model = self.model
        found = select(model.id).where(model.id == record.id, *self.where)
        return self.session.scalar(found) is not None

    def slug(self, column: Any) -> Found[Any] | None:
        statement = select(self.model).where(column == self.raw.lower(), *self.where)
        record = self.session.scalars(statement).first()
        return None if record is None else Found(record)

    def words(self) -> Found[Any] | None:
        for name, keep in self.read():
            found = self.one(self.by_words(name, keep))
            if found is not None:
                return Found(found.record, f"{self.what} {self.raw!r} is {describe(found.record)}")
        return None

    def worded(self) -> list[Any]:
        """What ``words`` would have found, by any reading."""
        return [r for name, keep in self.read() for r in self.by_words(name, keep)]

    def by_words(self, name: str, keep: Any) -> list[Any]:
        """The records whose name's words the words of ``name`` begin, in order, anywhere
        in it, whatever the case and accents (both compared by their keys): "def esc"
        finds "The Defector: Escape from North Korea", not "Escape the Defector". The
        database narrows the search to names holding every typed word (``LIKE``, on
        either backend); the rest is checked here."""
        typed = _WORD.findall(name_key(name))
        if not typed:
            return []
        holding = [self.key_column.like(f"%{_escape_like(w)}%", escape="\\") for w in typed]
        candidates = self.session.scalars(select(self.model).where(*holding, *self.where))
        key = self.key_column.key
        return [r for r in candidates if _begins_words(typed, getattr(r, key)) and keep(r)]

    def one(self, records: list[Any]) -> Found[Any] | None:
        """The record when there is one; None for none; several are refused, listed."""
        if len(records) > 1:
            raise _ambiguous(self.what, self.raw, records)
        return Found(records[0]) if records else None


def _begins_words(typed: Sequence[str], key: str) -> bool:
    """Whether each of ``typed`` begins a word of ``key``, each after the one before."""
    words = iter(_WORD.findall(key))
    return all(any(word.startswith(start) for word in words) for start in typed)


MODELS: dict[str, Any] = {
    "film": Film,
    "person": Person,
    "venue": Venue,
    "festival": Festival,
    "programme": Programme,
}


def aliased(session: Session, kind: str, name: str, city: str | None = None) -> list[Any]:
    """The records of ``kind`` that ``name`` is another name of (``tables.alias``); for
    a venue, with a ``city``, those whose alias is in that city (or has none)."""
    if not _has_aliases(session):
        return []
    A = tables.alias.c
    rows = session.execute(
        select(A[f"{kind}_id"], A.city).where(A.kind == kind, A.name_key == name_key(name))
    ).all()
    wanted = name_key(city) if city else None
    return [
        session.get(MODELS[kind], number)
        for number, where in rows
        if wanted is None or name_key(where or "") in {wanted, ""}
    ]


def _has_aliases(session: Session) -> bool:
    """Whether the catalogue has aliases at all: one at an older revision, which an edit
    may be fixing before its upgrade (``migrate.Door.FIX``), has no such table. Asked
    once per session."""
    return has_table(session, "alias")


MAX_ID = 2**31 - 1  # the largest id PostgreSQL's integer holds


def find_by_id(session: Session, model: Any, text: str, what: str) -> Any:
    """The record of ``model`` with the id in ``text`` (``#3`` or ``3``)."""
    number = text.strip().removeprefix("#")
    if not number.isdigit():
        raise InvalidInput(f"expected a {what}'s #ID, got {text!r}", field=what)
    record = session.get(model, int(number)) if int(number) <= MAX_ID else None
    if record is None:
        raise NotFound(f"no {what} has id #{number}", field=what)
    return record


def _qualifier(what: str, extra: tuple[Any, str] | None, value: str | None) -> Any:
    """A test on candidates for the parenthesised part: the year, or the city (by its key)."""
    if extra is None or value is None:
        return lambda record: True
    column, kind = extra
    if kind == "year":
        if not value.isdigit() or not MIN_YEAR <= int(value) <= MAX_YEAR:
            raise InvalidInput(f"expected a year in parentheses, got {value!r}", field=what)
        return lambda record: getattr(record, column.key) == int(value)
    wanted = name_key(value)
    return lambda record: name_key(getattr(record, column.key) or "") == wanted


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ambiguous(what: str, raw: str, records: Sequence[Any]) -> Ambiguous:
    shown = sorted(records, key=lambda r: (describe(r).casefold(), r.id))
    listed = "; ".join(describe(r) for r in shown[:_MAX_SHOWN])
    more = f"; and {len(shown) - _MAX_SHOWN} more" if len(shown) > _MAX_SHOWN else ""
    return Ambiguous(f"{raw!r} matches {len(shown)}: {listed}{more}; say which (#ID)", field=what)


def _not_found(  # noqa: PLR0913 -- the search that failed, as it was made, to suggest the names closest
    session: Session,
    model: Any,
    what: str,
    raw: str,
    key: str,
    where: Sequence[ColumnElement[bool]],
    worded: Sequence[Any] = (),
) -> NotFound:
    """Nothing found: the names the typed words begin (``worded``, when they were not to
    be taken), then the closest, suggested."""
    records = list(session.scalars(select(model).where(*where)))
    attribute = "title" if model in (Film, Programme) else "name"
    close = sorted({getattr(r, attribute) for r in worded})[:_MAX_SHOWN]
    close += [
        name
        for name in _closest(key, sorted({getattr(r, attribute) for r in records}))
        if name not in close
    ]
    shown: list[str] = []
    for name in close:
        same = [r for r in records if getattr(r, attribute) == name]
        # A suggestion must itself be usable: a name several records share comes with each.
        shown += [repr(name)] if len(same) == 1 else [repr(describe(r)) for r in same]
    hint = f"; did you mean {', '.join(shown)}?" if shown else ""
    return NotFound(f"no {what} called {raw!r}{hint}", field=what)


def _closest(key: str, names: Sequence[str], n: int = 3) -> list[str]:
    """The names most like ``key``, compared with runs of as many words as were typed,
    so that a typo in "Defektor" still finds "The Defector: Escape from North Korea"."""
    typed = len(key.split())
    scored = []
    for name in names:
        words = name_key(name).replace(":", " ").split()
        windows = [" ".join(words[i : i + typed]) for i in range(max(1, len(words) - typed + 1))]
        score = max(difflib.SequenceMatcher(None, key, w).ratio() for w in windows)
        if score >= 0.75:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)[:n]]


def find_film(session: Session, text: str, *, words: bool = True) -> Found[Film]:
    """A film by ``#ID``, title (``Title (2012)`` for the year), alias, slug, or (unless
    ``words`` is False) the words of its title."""
    return _resolve(
        session,
        Film,
        text,
        what="film",
        key_column=Film.title_key,
        extra=(Film.year, "year"),
        slug_column=Film.slug,
        alias_kind="film",
        words=words,
    )


def find_person(session: Session, text: str, *, what: str = "person") -> Found[Person]:
    """A person by ``#ID``, name, alias, slug, or the words of the name."""
    return _resolve(
        session,
        Person,
        text,
        what=what,
        key_column=Person.name_key,
        slug_column=Person.slug,
        alias_kind="person",
    )


def find_festival(session: Session, text: str) -> Found[Festival]:
    """A festival by ``#ID``, name, alias, slug, or the words of the name."""
    return _resolve(
        session,
        Festival,
        text,
        what="festival",
        key_column=Festival.name_key,
        slug_column=Festival.slug,
        alias_kind="festival",
    )


def find_venue(session: Session, text: str) -> Found[Venue]:
    """A venue by ``#ID``, name (``Name (City)`` for the city), alias, slug, or the words
    of the name."""
    return _resolve(
        session,
        Venue,
        text,
        what="venue",
        key_column=Venue.name_key,
        extra=(Venue.city, "city"),
        slug_column=Venue.slug,
        alias_kind="venue",
    )


def find_programme(
    session: Session, text: str, *, festival_id: int | None = None, words: bool = True
) -> Found[Programme]:
    """A programme by ``#ID``, title, other name, slug, or (unless ``words`` is False) the
    words of the title; among one festival's programmes when given (a title is unique
    within its festival only; an ``#ID`` of another festival's is refused)."""
    where = [Programme.festival_id == festival_id] if festival_id is not None else []
    found: Found[Programme] = _resolve(
        session,
        Programme,
        text,
        what="programme",
        key_column=Programme.title_key,
        slug_column=Programme.slug,
        where=where,
        alias_kind="programme",
        words=words,
    )
    if festival_id is not None and found.record.festival_id != festival_id:
        raise NotFound(
            f"{describe(found.record)} is not a programme of that festival", field="programme"
        )
    return found


def find_award(session: Session, text: str, *, festival_id: int | None = None) -> Found[Award]:
    """An award by ``#ID``, name, or the words of the name; among one festival's awards
    when given."""
    where = [Award.festival_id == festival_id] if festival_id is not None else []
    return _resolve(session, Award, text, what="award", key_column=Award.name_key, where=where)


def find_plan(session: Session, text: str) -> Any:
    """A plan's row by its name (any case and spacing) or ``#ID``; ``NotFound`` names the
    plans there are."""
    plan = tables.plan
    wanted = text.strip()
    where = (
        plan.c.id == int(wanted[1:])
        if wanted.startswith("#") and wanted[1:].isdigit()
        else plan.c.name_key == name_key(wanted)
    )
    row = session.execute(select(plan).where(where)).first()
    if row is None:
        known = session.execute(select(plan.c.name).order_by(plan.c.name_key)).scalars().all()
        raise NotFound(
            f"no plan called {text!r}"
            + (f"; there are: {', '.join(known)}" if known else "; there are none yet")
        )
    return row


def find_edition(  # noqa: C901 -- an edition's ways of being named, in the order they are tried
    session: Session,
    text: str | None = None,
    *,
    festival: str | None = None,
    year: int | None = None,
) -> Found[Edition]:
    """An edition: ``"Sheffield Doc/Fest 2013"`` (a label may follow the year), its slug,
    ``#ID``, or a festival and a year given apart."""
    notes: list[str] = []
    label: str | None = None
    if text is not None:
        raw = " ".join(text.split())
        if _BY_ID.match(raw):
            return Found(find_by_id(session, Edition, raw, "edition"))
        match = _TRAILING_YEAR.match(raw)
        if not match:
            by_slug = session.scalars(select(Edition).where(Edition.slug == raw.lower())).first()
            if by_slug is not None:
                return Found(by_slug)
            raise InvalidInput(
                f"expected a festival and a year, e.g. 'Sheffield Doc/Fest 2013', got {raw!r}",
                field="edition",
            )
        festival, year, label = match["name"], int(match["year"]), match["label"]
    if festival is None or year is None:
        raise InvalidInput(
            "give {edition} 'FESTIVAL YEAR', or {festival} and {year}",
            field="edition",
            mentions=("edition", "festival", "year"),
        )
    try:
        found = find_festival(session, festival)
    except ScreeningsError as error:  # the festival of what was typed as an edition
        error.field = "edition" if text is not None else error.field
        raise
    if found.note:
        notes.append(found.note)
    conditions = [Edition.festival_id == found.record.id, Edition.year == year]
    editions = list(session.scalars(select(Edition).where(*conditions)))
    if label is not None:
        editions = [e for e in editions if name_key(e.label or "") == name_key(label)]
    elif len(editions) > 1:
        # No label given: the edition without one is meant, not a labelled one beside it.
        editions = [e for e in editions if not e.label] or editions
    if not editions:
        years = sorted({e.year for e in found.record.editions})
        known = f"; its editions: {', '.join(map(str, years))}" if years else "; it has none yet"
        raise NotFound(
            f"{found.record.name} has no edition in {year}{known}",
            field="edition" if text is not None else "year",
        )
    if len(editions) > 1:
        raise _ambiguous(
            "edition" if text is not None else "year", f"{found.record.name} {year}", editions
        )
    return Found(editions[0], "; ".join(notes) or None)


def spellings(session: Session, stored: Any, text: str, what: str) -> list[str]:
    """Of the values ``stored`` (a SELECT of one column) yields, those with the key of
    ``text``: how free text (cities, sections, ...) matches whatever the case and accents,
    portably (SQLite's ``lower()`` knows only ASCII)."""
    wanted = name_key(text)
    if not wanted:
        raise InvalidInput("empty", field=what)
    return [value for value in session.scalars(stored) if value and name_key(value) == wanted]
