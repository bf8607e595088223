# mypy: disable-error-code="misc"
"""Each screening row to its stored screening: through its base (by id, else by the slot
the last import gave it), else by id or slot, merged three ways; the rows that cannot be
are rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import or_, select

from screenings import tables as T
from screenings.keys import name_key
from screenings.records import Outcome
from screenings.services.bases import (
    Sources,
    read_bases,
    three_way,
)
from screenings.services.bases import base_of as find_base_of
from screenings.services.lineup.common import (
    MATCHED,
    IdMap,
    Resolved,
    known,
    outcome_record,
    slot_of,
)
from screenings.tables import SCREENING_GROUPS
from screenings.timeparse import wall_to_utc

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer


@dataclass
class MatchState:
    """What the matching stage knows: the screenings rows claimed, what a sync must leave
    alone, and the rows whose match waits for the end of the file."""

    sources: Sources
    claimed: IdMap = field(default_factory=IdMap)  # screening -> the line
    protected_ids: set[str] = field(default_factory=set)
    protected_titles: set[str] = field(default_factory=set)
    unprotectable: list[int] = field(default_factory=list)
    # A sync with no id column: new slots that may be moves.
    deferred: list[Resolved] = field(default_factory=list)
    deferred_slots: dict[tuple[Any, ...], int] = field(default_factory=dict)
    blocked: list[tuple[Resolved, dict[str, Any]]] = field(default_factory=list)  # unblock()
    new_slots: list[Resolved] = field(default_factory=list)  # of films shown there already
    based: set[int] = field(default_factory=set)  # screenings found through their base


REFUSED = object()  # see screening_for


class Spot(NamedTuple):
    """Where a row puts its screening: its slot, its (edition, id), and the stored
    screening in that slot, if any."""

    slot: tuple[Any, ...]
    ident: tuple[Any, Any]
    other: Any


@dataclass
class Stored:
    """A chunk's stored screenings, by the ways a row finds one, and its bases by
    (source, screening)."""

    by_id: dict[int, Any]
    by_slot: dict[tuple[Any, ...], Any]
    by_external: dict[tuple[Any, Any], Any]
    earlier: set[tuple[int, int]]  # (film, edition) shown before this import
    base_of: dict[tuple[int, int], Any]


@dataclass
class Taken:
    """The slots and ids the chunk's rows took so far, with their lines."""

    slots: dict[tuple[Any, ...], int] = field(default_factory=dict)
    ids: dict[tuple[Any, Any], int] = field(default_factory=dict)

    def take(self, row: Resolved, slot: tuple[Any, ...], ident: tuple[Any, Any]) -> None:
        self.slots[slot] = row.line
        if row.values["external_id"]:
            self.ids[ident] = row.line


class Matching:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    # -- screenings -------------------------------------------------------------------------
    def match(self: Importer, rows: list[Resolved]) -> list[Resolved]:
        """Each row's stored screening (through its base, else by id, else by slot), or
        none; the rows that cannot be (a duplicate, a slot another screening has) are
        rejected. Rows found through their base are merged three ways (``merge``) before
        their slot is checked. Writes nothing."""
        if not rows:
            return []
        for row in rows:  # a record created by an earlier chunk is known by its id now
            row.film, row.venue, row.edition = (
                known(row.film),
                known(row.venue),
                known(row.edition),
            )
            row.values["film_id"] = row.film
            row.values["venue_id"] = row.venue
            row.values["edition_id"] = row.edition
        stored = self.stored_for(rows)
        taken = Taken()
        # Rows found through their base first: their screenings are theirs, wherever a
        # hand edit moved them, before another row's slot can take them.
        return [
            row
            for row in sorted(rows, key=lambda r: r.base is None)
            if self.match_row(row, stored, taken)
        ]

    def stored_for(self: Importer, rows: list[Resolved]) -> Stored:
        """The screenings and bases the rows may be (of their films, ids and sources), and
        each row's base."""
        S = T.screening.c
        films = {r.film for r in rows if isinstance(r.film, int)}
        externals = {r.values["external_id"] for r in rows if r.values["external_id"]}
        sources = {self.match_state.sources.find(r.values["edition_id"]) for r in rows} - {None}
        bases = read_bases(self.session, sources, films, externals)  # type: ignore[arg-type]
        where: Any = S.film_id.in_(films)
        if externals:
            where = or_(where, S.external_id.in_(externals))
        if bases:
            where = or_(where, S.id.in_({b.screening_id for b in bases if b.screening_id}))
        found = self.session.execute(
            select(*MATCHED, T.venue.c.city.label("venue_city"))
            .outerjoin(T.venue, T.venue.c.id == S.venue_id)
            .where(where)
        ).all()
        stored = Stored(
            by_id={s.id: s for s in found},
            by_slot={self.slot(s._mapping): s for s in found},
            by_external={(s.edition_id, s.external_id): s for s in found if s.external_id},
            earlier={(s.film_id, s.edition_id) for s in found if s.id < self.first_new_id},
            base_of={(b.source_id, b.screening_id): b for b in bases if b.screening_id},
        )
        # Bases: a tombstone first, so that a live base of the same slot wins.
        bases.sort(key=lambda b: b.screening_id is not None)
        base_by_slot = {(b.source_id, self.slot(b._mapping)): b for b in bases}
        base_by_external = {(b.source_id, b.external_id): b for b in bases if b.external_id}
        # This chunk's (the bases read are its films'): the set does not grow with the file.
        self.match_state.based.clear()
        self.match_state.based.update(b.screening_id for b in bases if b.screening_id)
        for row in rows:
            row.base = self.find_base(row, base_by_external, base_by_slot)
        return stored

    def match_row(self: Importer, row: Resolved, stored: Stored, taken: Taken) -> bool:
        """Match one row (``row.match``), unless it is refused (then False)."""
        values = row.values
        slot = self.slot(values)
        ident = (values["edition_id"], values["external_id"])
        spot = Spot(slot, ident, stored.by_slot.get(slot))
        if self.refused(row, spot, stored, taken):
            return False
        if row.base is not None:
            if not self.match_base(row, stored.by_id, stored.by_slot):
                return False
            taken.take(row, slot, ident)
            return True
        match = self.screening_for(row, spot, stored)
        if match is REFUSED:
            return False
        taken.take(row, slot, ident)
        row.match = match
        if match is not None:
            self.claim(row, match, stored)
        elif (values["film_id"], values["edition_id"]) in stored.earlier and values["edition_id"]:
            # A new slot of a film the edition already shows: in a sync (and no ids)
            # perhaps a move, paired at the end; without, a possible move to report.
            if self.options.sync and not self.by_id:
                row.deferred = True
                self.match_state.deferred_slots[slot] = row.line
            elif not self.options.sync:
                self.match_state.new_slots.append(row)
        return True

    def screening_for(
        self: Importer,
        row: Resolved,
        spot: Spot,
        stored: Stored,
    ) -> Any:
        """The stored screening a row without a base is (by its id, else its slot), None
        if new, or ``REFUSED`` once the row is rejected (another screening has its slot,
        or an earlier row took its screening)."""
        values = row.values
        ident, other = spot.ident, spot.other
        match = None
        if self.by_id and values["external_id"]:
            match = stored.by_external.get(ident)
            if match is not None and match.film_id is None:  # one of a programme's
                self.reject_row(
                    row,
                    "id",
                    values["external_id"],
                    f"this id is screening #{match.id}, of a programme; a row without a "
                    "block is one film's screening: give the block, or another id",
                )
                return REFUSED
        if match is None and other is not None:
            if other.id >= self.first_new_id:  # created by an earlier line of this file
                self.reject_duplicate(row, self.match_state.claimed.get(other.id))
                return REFUSED
            match = other
        elif match is not None and other is not None and other.id != match.id:
            if not (self.by_id and other.external_id and other.id < self.first_new_id):
                self.reject_slot(
                    row,
                    values["local_date"],
                    f"screening #{other.id} already has this film, place and time",
                )
                return REFUSED
            # The slot is held by another screening of the file, which a row may move
            # away (two screenings swapping slots): settled once every row is read.
            row.blocked_by = other.id
        claimed = self.match_state.claimed
        if match is not None and (match.id in claimed or match.id >= self.first_new_id):
            self.reject_duplicate(row, claimed.get(match.id))  # or created just now
            return REFUSED
        return match

    def refused(
        self: Importer,
        row: Resolved,
        spot: Spot,
        stored: Stored,
        taken: Taken,
    ) -> bool:
        """Reject a row whose id or slot an earlier row of the file took, or whose slot
        another screening with an id holds; True if so."""
        values = row.values
        slot, ident, other = spot
        if self.by_id and values["external_id"] and ident in taken.ids:
            line = taken.ids[ident]
            self.reject_row(row, "id", values["external_id"], f"the same id as line {line}")
            return True
        if (
            row.base is None
            and self.by_id
            and other is not None
            and other.external_id
            and other.external_id != values["external_id"]
            and other.id < self.first_new_id
            and stored.by_external.get(ident) is None  # else the row may move it away
        ):
            self.reject_row(
                row,
                "id",
                values["external_id"] or "",
                f"screening #{other.id} (id {other.external_id}) already has this "
                "film, place and time",
            )
            return True
        if slot in taken.slots or slot in self.match_state.deferred_slots:
            self.reject_duplicate(
                row, taken.slots.get(slot) or self.match_state.deferred_slots[slot]
            )
            return True
        return False

    def claim(self: Importer, row: Resolved, match: Any, stored: Stored) -> None:
        """The row's screening is this import's; merged three ways with its base, if this
        source keeps one for it (found by another slot than the one it records)."""
        self.match_state.claimed[match.id] = row.line
        source = self.match_state.sources.find(row.values["edition_id"])
        if match.id in self.match_state.based and source is not None:
            row.base = stored.base_of.get((source, match.id)) or find_base_of(
                self.session, source, match.id
            )
            if row.base is not None:
                self.merge(row, match)

    def find_base(
        self: Importer,
        row: Resolved,
        by_external: dict[tuple[Any, ...], Any],
        by_slot: dict[tuple[Any, ...], Any],
    ) -> Any:
        """The base this row's source keeps for it: through the row's id when the file has
        one, else through the slot the last import gave it (not the screening's slot now:
        that is how a screening moved by hand is still found)."""
        source = self.match_state.sources.find(row.values["edition_id"])
        if source is None:
            return None
        external = row.values["external_id"]
        if self.by_id and external:
            found = by_external.get((source, external))
            if found is not None:
                return found
        found = by_slot.get((source, self.slot(row.values)))
        if found is not None and self.by_id and found.external_id not in {None, external}:
            return None  # the base of another id's screening
        return found

    def match_base(
        self: Importer, row: Resolved, by_id: dict[int, Any], by_slot: dict[Any, Any]
    ) -> bool:
        """A row found through its base: its screening, merged three ways; False when the
        row is refused, or stands for a screening removed by hand (a tombstone)."""
        base = row.base
        if base.screening_id is None:  # removed by hand after an import made it
            if self.same_as_base(row):
                self.report.counts[Outcome.KEPT_REMOVED] += 1
                self.emit(outcome_record(row, Outcome.KEPT_REMOVED, None))
                return False
            other = by_slot.get(self.slot(row.values))
            if other is not None:  # made again by hand, or another holds the slot now
                self.reject_slot(
                    row,
                    row.values["local_date"],
                    f"screening #{other.id} already has this film, place and time",
                )
                return False
            return True  # the file changed it since: made again (row.base is re-pointed)
        match = by_id[base.screening_id]
        if match.id in self.match_state.claimed:
            self.reject_duplicate(row, self.match_state.claimed.get(match.id))
            return False
        self.merge(row, match)
        other = by_slot.get(self.slot(row.values))
        if other is not None and other.id != match.id:
            if other.id >= self.first_new_id:
                self.reject_duplicate(row, self.match_state.claimed.get(other.id))
                return False
            if other.id in self.match_state.based or (self.by_id and other.external_id):
                row.blocked_by = other.id  # another of the file's, which may move away
            else:
                self.reject_slot(
                    row,
                    row.values["local_date"],
                    f"screening #{other.id} already has this film, place and time",
                )
                return False
        row.match = match
        self.match_state.claimed[match.id] = row.line
        return True

    def row_groups(self: Importer, values: dict[str, Any]) -> set[str]:
        """The groups of a screening's fields this row states."""
        groups = set(self.stated)
        for column in ("status", "visibility", "external_id"):
            if values[column] is not None:
                groups.add(column)
        return groups

    def same_as_base(self: Importer, row: Resolved) -> bool:
        stated = set(row.base.stated.split(","))
        groups = (self.row_groups(row.values) & stated) - {"external_id"}
        return all(
            row.values[c] == row.base._mapping[c] for g in groups for c in SCREENING_GROUPS[g]
        )

    def merge(self: Importer, row: Resolved, match: Any) -> None:
        """Three ways, group by group (``bases.three_way``): ``row.values`` become what the
        screening is to be; the row's own values are kept for its new base."""
        stated = set(row.base.stated.split(",")) if row.base.stated else set()
        wanted = self.row_groups(row.values)
        groups = (wanted & stated) - {"external_id"}
        base, values, now = row.base._mapping, row.values, match._mapping
        columns = [c for g in groups for c in SCREENING_GROUPS[g]]
        if (
            wanted <= stated
            and all(values[c] == base[c] for c in columns)
            and all(now[c] == base[c] for c in columns)
            and values["external_id"] == base["external_id"]
        ):
            row.base_current = True  # the usual re-import: nothing to merge, nor to remember
            return
        row.file_values = dict(row.values)
        row.merged = three_way(
            row.values,
            row.base._mapping,
            match._mapping,
            sorted(groups),
            theirs=self.options.theirs,
        )
        if "when" in row.merged.kept or "when" in row.merged.conflicts:
            values = row.values
            values["starts_at_utc"] = (
                wall_to_utc(values["local_date"], values["local_time"], values["timezone"])
                if values["local_time"] is not None
                else None
            )

    def slot(self: Importer, values: Any) -> tuple[Any, ...]:
        """A screening's natural key: film, venue (or its city), local date and time. For a
        file without a Venue column, the city alone (the venue's, for one that has one)."""
        if "venue" in self.fields:
            return slot_of(values)
        city = values["city"] or values.get("venue_city") or ""
        return (values["film_id"], name_key(city), values["local_date"], values["local_time"])
