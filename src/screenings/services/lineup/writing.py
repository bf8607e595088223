# mypy: disable-error-code="misc"
"""Writing what the rows matched: new screenings and changes in bulk, the outcomes and
conflicts said, each screening's base remembered, slots that change hands settled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from screenings import tables as T
from screenings.db import bulk_insert
from screenings.errors import Message
from screenings.keys import new_uids
from screenings.records import Outcome
from screenings.services.bases import (
    base_values,
)
from screenings.services.lineup.common import (
    MATCHED,
    SHOWN,
    SLOT,
    Resolved,
    known,
    outcome_record,
    shown_when,
)
from screenings.tables import SCREENING_GROUPS

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer


@dataclass
class WriteState:
    """What the writing stage keeps between statements: bases to write, and the
    screenings made or changed, whose clashes are said (past ``check.NEAR_LIMIT`` the
    editions are checked whole, and no more are kept: a file may have a million)."""

    base_inserts: list[dict[str, Any]] = field(default_factory=list)
    base_updates: list[dict[str, Any]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)


class Writing:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    def screenings(self: Importer, rows: list[Resolved]) -> None:
        """Write the matched rows' screenings: new ones inserted, changed ones updated."""
        inserts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for row in rows:
            values = row.values
            if row.file_values is None:
                values["film_id"], values["venue_id"], values["edition_id"] = (
                    row.film, row.venue, row.edition
                )  # fmt: skip
            else:  # merged: its values say what stays; a record made since has its id now
                for column in ("film_id", "venue_id", "edition_id"):
                    values[column] = known(values[column])
                    row.file_values[column] = known(row.file_values[column])
            match = row.match
            if match is None:
                if row.deferred:
                    self.match_state.deferred.append(row)
                else:
                    inserts.append(self.new_values(row))
                continue
            # Its film or its place in the programme changed: a calendar shows that too.
            because = ["film"] if values["film_id"] in self.film_state.bump_films else []
            if (values["film_id"], values["edition_id"]) in self.film_state.bump_selections:
                because.append("selection")
            change = self.change(match._mapping, values, bump=bool(because))
            if change is None:
                self.conflicted(row, match)
                self.unchanged(row, match)
                continue
            if row.blocked_by is not None:
                self.match_state.blocked.append((row, change))
                continue
            self.conflicted(row, match)
            self.changed(row, match, change, because)
            self.remember(row, match.id)
            changes.append(change)
        self.write(inserts, changes)
        self.write_bases()

    def changed(
        self: Importer, row: Resolved, match: Any, change: dict[str, Any], because: list[str]
    ) -> None:
        """Count and report a screening the row changes."""
        moved = any(change[c] != match._mapping[c] for c in SLOT)
        outcome = Outcome.MOVED if moved else Outcome.UPDATED
        if not (row.merged and row.merged.conflicts):  # else counted as a conflict alone
            self.report.counts[outcome] += 1
        shown = [c for c in SHOWN if change[c] != match._mapping[c]] + because
        kept = row.merged.kept if row.merged else None
        self.emit(outcome_record(row, outcome, match, shown, kept=kept))
        self.fingerprint(row, match.id, change["updated_at"])

    def unchanged(self: Importer, row: Resolved, match: Any) -> None:
        """A row that changes nothing of its screening: unchanged, kept as edited by hand,
        or in conflict with a hand edit (counted as that alone)."""
        merged = row.merged
        outcome = (
            Outcome.CONFLICT
            if merged and merged.conflicts
            else Outcome.KEPT
            if merged and merged.kept
            else Outcome.UNCHANGED
        )
        if outcome != Outcome.CONFLICT:
            self.report.counts[outcome] += 1
        if self.reporting or outcome != Outcome.UNCHANGED:
            kept = merged.kept if merged else None
            self.emit(outcome_record(row, outcome, match, kept=kept))
        self.remember(row, match.id)
        self.fingerprint(row, match.id, match.updated_at)

    def conflicted(self: Importer, row: Resolved, match: Any) -> None:
        """Say each group where the file, its last import and the catalogue all differ."""
        if row.merged is None or not row.merged.conflicts:
            return
        assert row.file_values is not None
        self.report.counts["conflicts"] += 1
        for group in row.merged.conflicts:
            target, column = self.column_of(group, row.file_values, row.base._mapping)
            said, was, now = (
                self.shown_value(group, v)
                for v in (row.file_values, row.base._mapping, match._mapping)
            )
            where = f" column {column!r}:" if column else ""
            message = (
                f"{row.source.file}:{row.line}:{where} the file says {said} (it said {was} "
                f"at the last import), the catalogue says {now} (changed since); kept the "
                f"catalogue's (screening #{match.id}; {{theirs}} takes the file's)"
            )
            said_message = Message(message, mentions=("theirs",))
            self.report.conflicts.append(said_message)
            self.emit(
                {
                    "type": "conflict",
                    "file": row.source.file,
                    "line": row.line,
                    "column": column,
                    "field": target,
                    "file_value": said,
                    "base_value": was,
                    "catalogue_value": now,
                    "screening": match.id,
                    "uid": match.uid,
                    "message": said_message,
                }
            )

    def column_of(
        self: Importer, group: str, file: dict[str, Any], base: Any
    ) -> tuple[str, str | None]:
        """The field of the file a group is read from, and the file's column for it: the
        first of the group's fields that changed."""
        fields = {
            "film": ("title",),
            "place": ("venue", "city"),
            "when": ("date", "start", "time", "timezone"),
            "duration": ("duration", "end", "runtime"),
        }.get(group, (group,))
        if group == "when" and file["local_date"] == base["local_date"]:
            fields = fields[1:]
        for target in fields:
            if target in self.columns:
                return target, self.columns[target]
        return fields[0], None

    def shown_value(self: Importer, group: str, values: Any) -> str:
        """A group's value as a person reads it: a film's title, a venue's name, a time."""
        if group == "film":
            title = self.session.scalar(
                select(T.film.c.title).where(T.film.c.id == values["film_id"])
            )
            return repr(title or f"film #{values['film_id']}")
        if group == "place":
            if values["venue_id"] is None:
                return repr(values["city"] or "no place")
            name = self.session.scalar(
                select(T.venue.c.name).where(T.venue.c.id == values["venue_id"])
            )
            return repr(name or f"venue #{values['venue_id']}")
        if group == "when":
            return repr(shown_when(values))
        (column,) = SCREENING_GROUPS[group]
        return repr(values[column])

    def remember(self: Importer, row: Resolved, screening_id: int) -> None:
        """The row's screening's base, as this import leaves it: the file's values, but
        where they conflicted; written only where it changed."""
        if row.base_current:
            return
        file = row.file_values or row.values
        stated = self.row_groups(file)
        old = row.base._mapping if row.base is not None else None
        conflicts = row.merged.conflicts if row.merged else ()
        values = base_values(file, stated, old, conflicts)
        values["screening_id"] = screening_id
        if old is None and row.match is not None:
            # A screening made by hand (or by another source) that this source's file now
            # lists: no base yet, so the file's values were taken, as before bases.
            self.report.counts["first matched"] += 1
        if old is None:
            values["source_id"] = self.match_state.sources.make(file["edition_id"])
            self.write_state.base_inserts.append(values)
            self.match_state.based.add(screening_id)
        elif any(values[k] != old[k] for k in values):
            values["_id"] = old["id"]
            self.write_state.base_updates.append(values)

    def write_bases(self: Importer) -> None:
        """The bases ``remember`` queued: new ones in one bulk insert, changed ones in one
        bulk update."""
        inserts, updates = list(self.write_state.base_inserts), list(self.write_state.base_updates)
        self.write_state.base_inserts.clear()
        self.write_state.base_updates.clear()
        if inserts:
            now = self.now
            for values in inserts:
                values["created_at"] = values["updated_at"] = now
            bulk_insert(self.session, T.screening_base, inserts)
        if updates:
            for values in updates:
                values["updated_at"] = self.now
            self.session.execute(
                update(T.screening_base).where(T.screening_base.c.id == bindparam("_id")), updates
            )

    def unblock(self: Importer) -> None:
        """Rows that move a screening into a slot another screening of the file held when
        they were read (two screenings swapping slots, or a chain of them): each goes
        through if, now that every row is applied, the slot is free or held only by
        another of these; the others are rejected. The movers are first parked out of
        every slot (no venue, a city no one has), so the unique index never sees two."""
        if not self.match_state.blocked:
            return
        S = T.screening.c
        moving = {row.match.id for row, _ in self.match_state.blocked}
        holders: dict[tuple[Any, ...], int] = {}
        films = {change["film_id"] for _, change in self.match_state.blocked}
        for stored in self.session.execute(
            select(*MATCHED, T.venue.c.city.label("venue_city"))
            .outerjoin(T.venue, T.venue.c.id == S.venue_id)
            .where(S.film_id.in_(films))
        ):
            holders[self.slot(stored._mapping)] = stored.id
        ready = list(self.match_state.blocked)
        while True:  # a refused move keeps its screening in place, which may refuse another
            refused = [
                (row, change, holder)
                for row, change in ready
                if (holder := holders.get(self.slot(change))) is not None and holder not in moving
            ]
            if not refused:
                break
            for row, change, holder in refused:
                self.reject_slot(
                    row,
                    change["local_date"],
                    f"screening #{holder} already has this film, place and time",
                )
                moving.discard(row.match.id)
                ready.remove((row, change))
        if not ready:
            return
        self.session.execute(
            update(T.screening)
            .where(S.id == bindparam("_id"))
            .values(venue_id=None, city=bindparam("parked")),
            [{"_id": row.match.id, "parked": f"(moving #{row.match.id})"} for row, _ in ready],
        )
        for row, change in ready:
            self.conflicted(row, row.match)
            self.changed(row, row.match, change, [])
            self.remember(row, row.match.id)
        self.write([], [change for _, change in ready])
        self.write_bases()

    def new_values(self: Importer, row: Resolved) -> dict[str, Any]:
        values = dict(row.values)
        values["status"] = values["status"] or "scheduled"
        values["visibility"] = values["visibility"] or "public"
        values["sequence"] = 0
        values["row"] = row
        return values

    def change(
        self: Importer, stored: Any, values: dict[str, Any], *, bump: bool = False
    ) -> dict[str, Any] | None:
        """The stored screening as the row states it, or None when nothing a calendar shows
        changed (an id adopted is kept quietly); ``bump``: its film or selection did."""
        new = self.as_stated(stored, values)
        shown_changed = bump or any(new[c] != stored[c] for c in SHOWN)
        if not shown_changed and new["external_id"] == stored["external_id"]:
            return None
        new["_id"] = stored["id"]
        new["updated_at"] = stored["updated_at"]
        if shown_changed:
            new["sequence"] = stored["sequence"] + 1
            new["updated_at"] = self.now
        return new

    def as_stated(self: Importer, stored: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The columns a calendar shows (and the id and sequence) of a stored screening,
        with what the row states of them."""
        new = {c: stored[c] for c in (*SHOWN, "external_id", "sequence")}
        for column in ("film_id", "edition_id", "local_date", "local_time", "timezone"):
            new[column] = values[column]
        new["starts_at_utc"] = values["starts_at_utc"]
        if values["edition_id"] is None:
            new["edition_id"] = stored["edition_id"]
        for column in self.states:  # the columns the file has say what they say
            new[column] = values[column]
        if "venue" in self.fields:
            new["venue_id"], new["city"] = values["venue_id"], values["city"]
        elif "city" in self.fields and stored["venue_id"] is None:
            new["city"] = values["city"]  # a screening at a venue is in the venue's city
        for column in ("status", "visibility"):
            if values[column] is not None:
                new[column] = values[column]
        if self.options.sync and values["status"] is None and stored["status"] == "cancelled":
            new["status"] = "scheduled"  # listed again: reinstated
        if values["external_id"] and not stored["external_id"]:
            new["external_id"] = values["external_id"]
        return new

    def write(self: Importer, inserts: list[dict[str, Any]], changes: list[dict[str, Any]]) -> None:
        """New screenings in one plain bulk INSERT (no ids asked back: a new screening is
        known by its uid), changed ones in one bulk UPDATE."""
        if inserts:
            rows: list[Resolved] = [v.pop("row") for v in inserts]
            uids = new_uids(self.settings.feed_domain, len(inserts))
            for values, uid in zip(inserts, uids, strict=True):
                values["uid"] = uid
                values["created_at"] = values["updated_at"] = self.now
            bulk_insert(self.session, T.screening, inserts)
            self.report.counts[Outcome.CREATED] += len(inserts)
            ids = self.ids_of(uids)
            self.touch(ids.values())
            claimed = self.match_state.claimed
            for row, values in zip(rows, inserts, strict=True):
                # The row's own, as a matched one's is: a later chunk's row like it, found
                # through the base kept here, is the same screening, said with its line.
                claimed[ids[values["uid"]]] = row.line
                self.remember(row, ids[values["uid"]])
                self.fingerprint(row, ids[values["uid"]], self.now)
                if self.reporting or row.base is not None:
                    record = {
                        "type": "row",
                        "outcome": Outcome.CREATED,
                        "file": self.report.name,
                        "line": row.line,
                        "uid": values["uid"],
                    }
                    if row.base is not None:  # removed by hand, changed in the file since
                        record["recreated"] = True
                    self.emit(record)
        if changes:
            self.touch(change["_id"] for change in changes)
            self.session.execute(
                update(T.screening).where(T.screening.c.id == bindparam("_id")), changes
            )

    def ids_of(self: Importer, uids: list[str]) -> dict[str, int]:
        """New screenings' ids, by uid (a bulk insert hands none back)."""
        S = T.screening.c
        found: dict[str, int] = {}
        for start in range(0, len(uids), 5000):
            found.update(
                (uid, number)
                for uid, number in self.session.execute(
                    # The uids are a parameter, not part of the statement: SQLAlchemy's
                    # cache of compiled statements would keep every chunk's otherwise.
                    select(S.uid, S.id).where(S.uid.in_(bindparam("uids", expanding=True))),
                    {"uids": uids[start : start + 5000]},
                )
            )
        return found

    def reject_row(self: Importer, row: Resolved, column: str, value: str, message: str) -> None:
        self.reject(self.issue((row.source.file, row.line), column, value, message), row.source)

    def reject_duplicate(self: Importer, row: Resolved, line: int | None) -> None:
        earlier = f"line {line}" if line else "an earlier line"
        if self.by_id:
            value = row.values["external_id"] or ""
            self.reject_row(row, "id", value, f"the same screening as {earlier}")
        else:
            self.reject_slot(row, row.values["local_date"], f"the same screening as {earlier}")

    def reject_slot(self: Importer, row: Resolved, day: dt.date, message: str) -> None:
        """Refuse a row for its slot, quoting its date cell as written, then as read."""
        written = row.source.written_date or str(day)
        read = "" if written == str(day) else f" (read as {day})"
        column = "start" if "start" in self.fields else "date"
        self.reject_row(row, column, written, f"{written!r}{read}: {message}")
