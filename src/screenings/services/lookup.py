"""Names as people type them -> the one record they mean, or a clear refusal.

A name matches case- and accent-insensitively (through the stored key), whole
or by a unique prefix that ends at a word boundary ("The Defector" finds "The
Defector: Escape from North Korea"; the caller is told which it took).
``#ID`` picks by id; ``Title (2012)`` picks a film's year and ``Venue (City)``
a venue's city. Not found: the closest names are suggested. Several match:
they are listed with their years or cities and ids. Never a silent pick.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from screenings.errors import Ambiguous, InvalidInput, NotFound
from screenings.keys import name_key
from screenings.models import Award, Edition, Festival, Film, Person, Venue

T = TypeVar("T")

_BY_ID = re.compile(r"^#(\d+)$")
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?P<extra>[^()]+)\)$")
_TRAILING_YEAR = re.compile(r"^(?P<name>.+?)\s+(?P<year>\d{4})(?:\s+(?P<label>.+))?$")
_MAX_SHOWN = 8


@dataclass(frozen=True)
class Found(Generic[T]):
    """The record a name was resolved to, and, when it was not an exact match, what to say."""

    record: T
    note: str | None = None


def describe(record: Any) -> str:
    """How a record is named back to the user: enough to tell it apart, with its id."""
    if isinstance(record, Film):
        return f"{record.title} ({record.year or 'year unknown'}, #{record.id})"
    if isinstance(record, Venue):
        return f"{record.name} ({record.city or 'city unknown'}, #{record.id})"
    if isinstance(record, Edition):
        label = f" {record.label}" if record.label else ""
        return f"{record.festival.name} {record.year}{label} (#{record.id})"
    if isinstance(record, Award):
        where = record.festival.name if record.festival else record.presenter or "no festival"
        return f"{record.name} ({where}, #{record.id})"
    return f"{record.name} (#{record.id})"


def _resolve(
    session: Session,
    model: Any,
    text: str,
    *,
    what: str,
    key_column: Any,
    extra: tuple[Any, str] | None = None,
) -> Found[Any]:
    """The generic resolution: by #id, by key (with an optional parenthesised part), by prefix."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput(f"{what}: empty name")
    if match := _BY_ID.match(raw):
        record = session.get(model, int(match[1]))
        if record is None:
            raise NotFound(f"{what}: no {what} has id #{match[1]}")
        return Found(record)

    conditions: list[ColumnElement[bool]] = []
    name = raw
    if extra is not None and (match := _PARENTHESIS.match(raw)):
        column, kind = extra
        name = match["name"]
        value = match["extra"].strip()
        if kind == "year":
            if not value.isdigit():
                raise InvalidInput(f"{what}: expected a year in parentheses, got {value!r}")
            conditions.append(column == int(value))
        else:
            conditions.append(column == value)
    key = name_key(name)

    exact = list(session.scalars(select(model).where(key_column == key, *conditions)))
    if len(exact) == 1:
        return Found(exact[0])
    if len(exact) > 1:
        raise _ambiguous(what, raw, exact)

    pattern = _escape_like(key) + "%"
    candidates = session.scalars(
        select(model).where(key_column.like(pattern, escape="\\"), *conditions)
    )
    prefixed = [r for r in candidates if _at_word_boundary(getattr(r, key_column.key), key)]
    if len(prefixed) == 1:
        record = prefixed[0]
        return Found(record, f"{what} {raw!r} is {describe(record)}")
    if len(prefixed) > 1:
        raise _ambiguous(what, raw, prefixed)
    raise _not_found(session, model, what, raw, key, key_column)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _at_word_boundary(candidate_key: str, typed_key: str) -> bool:
    following = candidate_key[len(typed_key) : len(typed_key) + 1]
    return not following or not following.isalnum()


def _ambiguous(what: str, raw: str, records: Sequence[Any]) -> Ambiguous:
    shown = sorted(records, key=lambda r: (describe(r).casefold(), r.id))
    listed = "; ".join(describe(r) for r in shown[:_MAX_SHOWN])
    more = f"; and {len(shown) - _MAX_SHOWN} more" if len(shown) > _MAX_SHOWN else ""
    return Ambiguous(f"{what}: {raw!r} matches {len(shown)}: {listed}{more}; say which (#ID)")


def _not_found(
    session: Session, model: Any, what: str, raw: str, key: str, key_column: Any
) -> NotFound:
    display = Film.title if model is Film else model.name
    names = sorted(set(session.scalars(select(display))))
    close = _closest(key, names)
    hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    return NotFound(f"{what}: no {what} called {raw!r}{hint}")


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


def find_film(session: Session, text: str) -> Found[Film]:
    """A film by title (``Title (2012)`` for the year), unique title prefix, or ``#ID``."""
    return _resolve(
        session, Film, text, what="film", key_column=Film.title_key, extra=(Film.year, "year")
    )


def find_person(session: Session, text: str, *, what: str = "person") -> Found[Person]:
    """A person by name, unique name prefix, or ``#ID``."""
    return _resolve(session, Person, text, what=what, key_column=Person.name_key)


def find_festival(session: Session, text: str) -> Found[Festival]:
    """A festival by name, unique name prefix, slug, or ``#ID``."""
    by_slug = session.scalars(select(Festival).where(Festival.slug == text.strip())).first()
    if by_slug is not None:
        return Found(by_slug)
    return _resolve(session, Festival, text, what="festival", key_column=Festival.name_key)


def find_venue(session: Session, text: str) -> Found[Venue]:
    """A venue by name (``Name (City)`` for the city), unique prefix, slug, or ``#ID``."""
    by_slug = session.scalars(select(Venue).where(Venue.slug == text.strip())).first()
    if by_slug is not None:
        return Found(by_slug)
    return _resolve(
        session, Venue, text, what="venue", key_column=Venue.name_key, extra=(Venue.city, "city")
    )


def find_award(session: Session, text: str) -> Found[Award]:
    """An award by name, unique prefix, or ``#ID``."""
    return _resolve(session, Award, text, what="award", key_column=Award.name_key)


def find_edition(
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
        if match := _BY_ID.match(raw):
            record = session.get(Edition, int(match[1]))
            if record is None:
                raise NotFound(f"edition: no edition has id #{match[1]}")
            return Found(record)
        by_slug = session.scalars(select(Edition).where(Edition.slug == raw)).first()
        if by_slug is not None:
            return Found(by_slug)
        match = _TRAILING_YEAR.match(raw)
        if not match:
            raise InvalidInput(
                f"edition: expected a festival and a year, e.g. 'Sheffield Doc/Fest 2013', "
                f"got {raw!r}"
            )
        festival, year, label = match["name"], int(match["year"]), match["label"]
    if festival is None or year is None:
        raise InvalidInput("edition: give --edition 'FESTIVAL YEAR', or --festival and --year")
    found = find_festival(session, festival)
    if found.note:
        notes.append(found.note)
    conditions = [Edition.festival_id == found.record.id, Edition.year == year]
    editions = list(session.scalars(select(Edition).where(*conditions)))
    if label is not None:
        editions = [e for e in editions if name_key(e.label or "") == name_key(label)]
    if not editions:
        years = sorted({e.year for e in found.record.editions})
        known = f"; its editions: {', '.join(map(str, years))}" if years else "; it has none yet"
        raise NotFound(f"edition: {found.record.name} has no edition in {year}{known}")
    if len(editions) > 1:
        raise _ambiguous("edition", f"{found.record.name} {year}", editions)
    return Found(editions[0], "; ".join(notes) or None)
