"""Other names of records: kept by ``merge`` and by a rename (``edit ... --name``,
``--title``), listed by ``show``, dropped by ``edit``, refused to ``add``; and the
near-duplicate test that suggests a merge before one is needed.

An alias is the name of a duplicate merged into a record, or a name the record had
(``tables.alias``). Lookups (``lookup.aliased``) and imports read it: a file that still
says "Biografen Roy" after ``merge venue "Bio Roy" "Biografen Roy"`` means Bio Roy, and
creates nothing.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from screenings import lookup
from screenings import tables as T
from screenings.db import has_table
from screenings.errors import Conflict, NotFound
from screenings.keys import name_key

NEAR_RATIO = 0.8  # difflib's ratio from which two names are near duplicates
KEPT_BY = "kept by a merge or a rename"  # how a message says where an alias comes from


def _name_of(record: Any) -> str:
    return str(getattr(record, "title", None) or record.name)


def _key_of(record: Any) -> str:
    return str(getattr(record, "title_key", None) or record.name_key)


def keep_alias(session: Session, kind: str, kept: Any, dup: Any) -> int | None:
    """``dup`` is merged into ``kept``: its name, and every alias it had, name ``kept``.
    The id of the record ``dup``'s name is another name of now (``kept``'s, or one
    whose alias it was already); None when it is ``kept``'s own name."""
    A = T.alias.c
    column = f"{kind}_id"
    session.execute(update(T.alias).where(A[column] == dup.id).values({column: kept.id}))
    # A venue's alias is in the duplicate's city, or else the kept one's: an alias with
    # no city would take that name in every city.
    city = (dup.city or kept.city) if kind == "venue" else None
    key = _key_of(dup)
    if key == _key_of(kept) and name_key(city or "") == name_key(getattr(kept, "city", "") or ""):
        return None  # the same name: nothing another name would find
    same_city = A.city.is_(None) if city is None else A.city == city
    taken = session.scalar(select(A[column]).where(A.kind == kind, A.name_key == key, same_city))
    if taken is None:
        session.execute(
            insert(T.alias).values(
                kind=kind, name=_name_of(dup), name_key=key, city=city, **{column: kept.id}
            )
        )
        return int(kept.id)
    return int(taken)


def keep_old_name(  # noqa: PLR0913 -- the record, and the name and city it had
    session: Session, kind: str, record: Any, name: str, city: str | None, notes: list[str]
) -> None:
    """A record renamed by hand keeps the name it had (``name``, in ``city`` for a venue)
    as another name, as ``merge`` keeps a duplicate's: a lineup or a lookup that still
    says it means the record, and a re-import makes no second one (the three-way rule:
    the file did not change the name, the hand did, and the hand's edit stays). Said in
    ``notes``; nothing when only the spelling changed (the key is the same), nor in a
    catalogue with no aliases yet (one an edit is fixing before its upgrade:
    ``migrate.Door.FIX``)."""
    city = city if kind == "venue" else None
    if name_key(name) == _key_of(record) and (
        kind != "venue" or name_key(city or "") == name_key(record.city or "")
    ):
        return
    if not has_table(session, "alias"):
        return
    before = _Named(record.id, name, name_key(name), city)
    names = keep_alias(session, kind, record, before)
    if names == record.id:
        notes.append(
            f"{name!r} is kept as another name of it (a file that still says it means it); "
            f"drop it with --remove-alias {name!r}"
        )
    elif names is not None:  # another record's other name already: it stays that one's
        other = lookup.describe(session.get(lookup.MODELS[kind], names))
        notes.append(f"{name!r} is another name of {other} already, and stays so")


class _Named(NamedTuple):
    """What a record was called: ``keep_alias`` reads it as the record merged away."""

    id: int
    name: str
    name_key: str
    city: str | None


def aliases_of(session: Session, kind: str, number: int) -> tuple[str, ...]:
    """A record's other names, in the order they were kept."""
    A = T.alias.c
    return tuple(session.scalars(select(A.name).where(A[f"{kind}_id"] == number).order_by(A.id)))


def drop_alias(
    session: Session, kind: str, record: Any, name: str | None, notes: list[str]
) -> bool:
    """``edit ... --remove-alias NAME``: drop that other name of ``record`` (said in
    ``notes``); False when none was given."""
    if name is None:
        return False
    remove_alias(session, kind, record, name)
    notes.append(f"{name!r} no longer names it")
    return True


def remove_alias(session: Session, kind: str, record: Any, name: str) -> None:
    """Drop one of a record's other names (``edit ... --remove-alias``)."""
    A = T.alias.c
    gone = session.execute(
        delete(T.alias).where(A[f"{kind}_id"] == record.id, A.name_key == name_key(name))
    ).rowcount  # type: ignore[attr-defined]
    if not gone:
        known = aliases_of(session, kind, record.id)
        said = f"; its other names: {', '.join(known)}" if known else "; it has none"
        raise NotFound(
            f"{name!r} is not another name of {lookup.describe(record)}{said}",
            field="remove_alias",
        )


def refuse_alias(  # noqa: PLR0913 -- a name and what tells it apart: city, year, the record renamed
    session: Session,
    kind: str,
    name: str,
    city: str | None = None,
    *,
    year: int | None = None,
    record: Any = None,
) -> None:
    """A record may not take a name that is another record's alias (the lookups would
    find the other one); a film of another year than the alias's film may. A record
    renamed to one of its own aliases takes the name back: the alias goes."""
    for other in lookup.aliased(session, kind, name, city):
        if year is not None and getattr(other, "year", None) not in {None, year}:
            continue
        if record is not None and other.id == record.id:
            remove_alias(session, kind, record, name)
            continue
        raise Conflict(
            f"{kind}: {name!r} is another name of {lookup.describe(other)} ({KEPT_BY}); "
            f"use that {kind}, or drop the name first: screenings edit {kind} "
            f"'#{other.id}' --remove-alias {name!r}"
        )


@functools.lru_cache(maxsize=4096)  # an import compares each new place with every other
def words(name: str) -> tuple[str, ...]:
    """A name's words, lowercased, without accents or punctuation."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return tuple("".join(c if c.isalnum() else " " for c in plain).split())


def _numbered(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Two names of one place's screens: the same words but the last, a number or a
    letter each ("Cinema 1", "Cinema 2"; "Hall A", "Hall B"; "Sal 1", "Sal 10")."""
    if len(first) != len(second) or first[:-1] != second[:-1]:
        return False
    return all(w.isdigit() or len(w) == 1 for w in (first[-1], second[-1]))


def _begins(short: str, long: str) -> bool:
    """A word begins another: three letters at least, or the whole word."""
    return short == long or (len(short) >= 3 and long.startswith(short))


def near(a: str, b: str) -> bool:
    """Two names are near duplicates: one's words begin the other's, word by word from the
    start ("Bio Roy", "Biografen Roy"), or their difflib ratio is at least 0.8; never two
    numbered screens of one place ("Cinema 1", "Cinema 2")."""
    first, second = words(a), words(b)
    if not first or not second or first == second or _numbered(first, second):
        return False
    short, long = sorted((first, second), key=len)
    if all(_begins(s, w) or _begins(w, s) for s, w in zip(short, long, strict=False)):
        return True
    matcher = difflib.SequenceMatcher(None, " ".join(first), " ".join(second))
    return (  # the cheap upper bounds first
        matcher.real_quick_ratio() >= NEAR_RATIO
        and matcher.quick_ratio() >= NEAR_RATIO
        and matcher.ratio() >= NEAR_RATIO
    )


def near_duplicates(session: Session, kind: str, name: str, city: str | None) -> list[Any]:
    """Venues or festivals in the same city (or with none) whose names are near ``name``."""
    model = lookup.MODELS[kind]
    wanted = name_key(city or "")
    found = [
        number
        for number, other, other_city in session.execute(
            select(model.id, model.name, model.city).order_by(model.id)
        )
        if (not wanted or not other_city or name_key(other_city) == wanted) and near(name, other)
    ]
    if not found:
        return []
    return list(session.scalars(select(model).where(model.id.in_(found)).order_by(model.id)))


def near_duplicate_note(kind: str, name: str, city: str | None, records: list[Any]) -> str:
    """The warning for a new venue or festival near others: which, and the merge (a
    venue named with its city, "Kino (Malmö)", as another city's may have its name)."""
    where = f" ({city})" if city else ""
    others = "; ".join(lookup.describe(r) for r in records)
    first = records[0]
    duplicate = f"{name}{where}" if kind == "venue" else name
    return (
        f"{kind} {name!r}{where} looks like {others}; if they are one, keep one with: "
        f"screenings merge {kind} '#{first.id}' {duplicate!r}"
    )
