"""What an import gave each screening (its base), and the three-way rule that reads it.

A source is a festival edition's file of one kind (``tables.import_source``); a
screening's base is what its source's last import gave it, by groups of fields
(``tables.SCREENING_GROUPS``). A re-import compares, group by group, the file's value,
the base and the catalogue's value:

- the file's equals the base: the file did not change it, so the catalogue's stays, a
  hand edit included ("kept");
- the catalogue's equals the base (or the file's): nobody else touched it, so the
  file's is applied;
- all three differ: a conflict. The catalogue's stays, and the base too, so the next
  import of the same file reports it again; ``theirs`` makes the file win.

A group the base does not state (a first import, or a column the last file did not
have) has no base: the file's is applied. The rule is pure (``three_way``,
``base_values``); the queries that read and rename bases are here too, and the importer
(``services.lineup``) writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from screenings import tables as T
from screenings.db import bulk_insert
from screenings.tables import SCREENING_GROUPS

# What an import reads of a base (its timestamps cost a conversion each, and say nothing).
READ = [c for c in T.screening_base.c if c.name not in {"created_at", "updated_at"}]


@dataclass
class Merged:
    """A three-way comparison's result for one screening."""

    kept: list[str] = field(default_factory=list)  # groups where a hand edit stays
    conflicts: list[str] = field(default_factory=list)  # groups where all three differ


def three_way(
    file: dict[str, Any],
    base: Mapping[str, Any],
    catalogue: Mapping[str, Any],
    groups: Iterable[str],
    *,
    theirs: bool = False,
) -> Merged:
    """Compare ``groups`` (those the file states and the base states) and make ``file``
    say what the screening is to become: where the catalogue's value stays (kept, or a
    conflict), its columns in ``file`` are set to the catalogue's."""
    merged = Merged()
    for group in groups:
        columns = SCREENING_GROUPS[group]
        said = tuple(file[c] for c in columns)
        was = tuple(base[c] for c in columns)
        now = tuple(catalogue[c] for c in columns)
        if said == now:
            continue  # the file's value is the catalogue's already
        if said == was:
            merged.kept.append(group)  # the file did not change it: a hand edit stays
        elif now == was or theirs:
            continue  # nobody else changed it (or the file wins a conflict): the file's
        else:
            merged.conflicts.append(group)
        for column in columns:
            file[column] = catalogue[column]
    return merged


def base_values(
    file: Mapping[str, Any], stated: set[str], old: Mapping[str, Any] | None, keep: Iterable[str]
) -> dict[str, Any]:
    """A base's new columns: the file's for the groups it states, except ``keep`` (the
    conflicts, whose base stays as it was), and the old base's for the others."""
    kept = set(keep)
    old_stated = set(old["stated"].split(",")) if old is not None and old["stated"] else set()
    values: dict[str, Any] = {}
    for group, columns in SCREENING_GROUPS.items():
        source = old if (group in kept or group not in stated) else file
        for column in columns:
            values[column] = source[column] if source is not None else None
    now_stated = stated | old_stated  # a conflict's group is in both: its old value stays
    values["stated"] = ",".join(g for g in SCREENING_GROUPS if g in now_stated)
    return values


class Sources:
    """The sources of one import: found once per edition, created when first written."""

    def __init__(self, session: Session, kind: str = "lineup") -> None:
        self.session = session
        self.kind = kind
        self.ids: dict[int | None, int | None] = {}

    def find(self, edition_id: Any) -> int | None:
        """The source's id; None while it has none (or its edition is not made yet)."""
        if edition_id is not None and not isinstance(edition_id, int):
            return None  # an edition this import creates: no source has it yet
        if edition_id not in self.ids:
            S = T.import_source.c
            self.ids[edition_id] = self.session.scalar(
                select(S.id).where(
                    S.kind == self.kind,
                    S.edition_id.is_(None) if edition_id is None else S.edition_id == edition_id,
                )
            )
        return self.ids[edition_id]

    def make(self, edition_id: int | None) -> int:
        found = self.find(edition_id)
        if found is None:
            found = self.session.execute(
                insert(T.import_source)
                .values(edition_id=edition_id, kind=self.kind)
                .returning(T.import_source.c.id)
            ).scalar_one()
            self.ids[edition_id] = found
        return found


def read_bases(
    session: Session, sources: set[int], films: set[int], externals: set[str]
) -> list[Row[Any]]:
    """The bases of these sources that rows naming ``films`` (or ``externals``) may be
    found through: by the film they recorded (a merge rewrites it), or their id."""
    if not sources:
        return []
    B = T.screening_base.c
    # One query per index (an OR of them would scan the source's every base).
    # The lists are parameters, not part of the statements: SQLAlchemy's cache of
    # compiled statements would keep every chunk's otherwise.
    ways: list[tuple[Any, dict[str, Any]]] = [
        (B.film_id.in_(bindparam("films", expanding=True)), {"films": sorted(films)})
    ]
    if externals:
        ways.append(
            (
                B.external_id.in_(bindparam("externals", expanding=True)),
                {"externals": sorted(externals)},
            )
        )
    found: dict[int, Any] = {}
    for way, given in ways:  # by film or id alone (see the indexes), then by source here
        for base in session.execute(
            select(*READ, T.venue.c.city.label("venue_city"))
            .outerjoin(T.venue, T.venue.c.id == B.venue_id)
            .where(way),
            given,
        ):
            if base.source_id in sources:
                found[base.id] = base
    return list(found.values())


def rename_in_bases(session: Session, column: str, kept_id: int, dup_id: int) -> None:
    """A merge: bases that recorded the duplicate recorded the record kept (``column``:
    ``film_id`` or ``venue_id``), so an unchanged file names what it named before."""
    session.execute(
        update(T.screening_base)
        .where(T.screening_base.c[column] == dup_id)
        .values({column: kept_id})
    )


def move_record_bases(session: Session, kind: str, kept_id: int, dup_id: int) -> None:
    """A merge: the duplicate's bases become the kept record's, for each source where it
    has none of its own (so a hand edit made before the merge still stands against the
    file that named the duplicate); the rest go."""
    R = T.record_base.c
    own = select(R.source_id).where(R.kind == kind, R.record_id == kept_id)
    session.execute(
        update(T.record_base)
        .where(R.kind == kind, R.record_id == dup_id, R.source_id.not_in(own))
        .values(record_id=kept_id)
    )
    session.execute(delete(T.record_base).where(R.kind == kind, R.record_id == dup_id))


def base_of(session: Session, source: int, screening_id: int) -> Any:
    """The base ``source`` keeps for a screening, if any."""
    B = T.screening_base.c
    return session.execute(
        select(*READ, T.venue.c.city.label("venue_city"))
        .outerjoin(T.venue, T.venue.c.id == B.venue_id)
        .where(B.source_id == source, B.screening_id == screening_id)
    ).first()


# -- whole records: a film's details, a selection ---------------------------------------------

_NO_BASE = object()


@dataclass
class RecordMerge:
    """A three-way comparison of a record's fields (``merge_record``)."""

    apply: dict[str, Any] = field(default_factory=dict)  # the file's values to write
    kept: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    base: dict[str, Any] = field(default_factory=dict)  # the record's base from now on


def merge_record(
    given: Mapping[str, Any],
    now: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    *,
    theirs: bool = False,
) -> RecordMerge:
    """The rule of ``three_way`` for the fields a file states of a whole record (``given``,
    none of them None: an empty cell states nothing there): a field the base does not
    hold takes the file's value, as every import did before bases."""
    merged = RecordMerge(base=dict(base or {}))
    for key, said in given.items():
        was = merged.base.get(key, _NO_BASE)
        current = now[key]
        if said == current:
            merged.base[key] = said
        elif was is _NO_BASE or current == was:
            merged.apply[key] = merged.base[key] = said
        elif said == was:
            merged.kept.append(key)
        elif theirs:
            merged.apply[key] = merged.base[key] = said
        else:
            merged.conflicts.append(key)  # its base stays: the same file says it again
    return merged


class RecordBases:
    """The bases of whole records one import reads and writes, by (source, kind, id)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.found: dict[tuple[int, str, int], tuple[int, dict[str, Any]]] = {}
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []

    def read(self, kind: str, wanted: set[tuple[int, int]]) -> None:
        """Read the bases of (source, record id) pairs of ``kind``."""
        if not wanted:
            return
        R = T.record_base.c
        numbers = {number for _, number in wanted}
        # One query, by record (a record has a base in few sources; a source IN beside
        # it would probe every pair); the pairs not wanted are left.
        for row in self.session.execute(
            select(R.id, R.source_id, R.record_id, R.fields).where(
                R.kind == kind, R.record_id.in_(bindparam("numbers", expanding=True))
            ),
            {"numbers": sorted(numbers)},  # a parameter: see read_bases
        ):
            if (row.source_id, row.record_id) in wanted:
                self.found[(row.source_id, kind, row.record_id)] = (row.id, dict(row.fields))

    def get(self, source: int | None, kind: str, number: int) -> dict[str, Any] | None:
        """The fields a record's base holds, as ``read`` found them (None: no base)."""
        if source is None:
            return None
        found = self.found.get((source, kind, number))
        return found[1] if found is not None else None

    def keep(self, source: int, kind: str, number: int, fields: dict[str, Any]) -> None:
        """The record's base from now on (written by ``flush``, where it changed)."""
        found = self.found.get((source, kind, number))
        if found is None:
            row = {"source_id": source, "kind": kind, "record_id": number, "fields": fields}
            self.inserts.append(row)
        elif found[1] != fields:
            self.updates.append({"_id": found[0], "fields": fields})
        else:
            return
        self.found[(source, kind, number)] = (found[0] if found else 0, fields)

    def flush(self) -> None:
        """Write the bases ``keep`` queued: new ones in one insert, changed ones in one
        update."""
        now = T.utcnow()
        inserts, self.inserts = self.inserts, []
        updates, self.updates = self.updates, []
        for row in inserts:
            row["created_at"] = row["updated_at"] = now
        if inserts:
            bulk_insert(self.session, T.record_base, inserts)
        for row in updates:
            row["updated_at"] = now
        if updates:
            self.session.execute(
                update(T.record_base).where(T.record_base.c.id == bindparam("_id")), updates
            )
        self.found.clear()  # read again by the next chunk: memory holds a chunk's
