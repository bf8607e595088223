# mypy: disable-error-code="misc"
"""A travel file, row by row: the minutes between two venues, set as the file states them.

A travel time is catalogue data of no edition: a file's row states it, and the
catalogue keeps what the last file (or command) said. There is no import source and
no base, so no three-way merge: a time edited by hand since an import is replaced by
the next import that states that pair otherwise (as ``edit travel`` would replace it).
Each row goes through ``services.plans.set_travel``, whose rules (a venue to itself,
minutes from 0 to a day) are the ones every door has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from screenings import lookup
from screenings.errors import Ambiguous, InvalidInput, NotFound
from screenings.models import Venue
from screenings.records import TRAVEL_FIELDS, Outcome, TravelRow
from screenings.services.plans import set_travel, stated_travel

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer

# A field ``set_travel`` refuses -> the file's field whose cell is at fault: "venues" is
# the second naming the first's venue again.
TRAVEL_COLUMNS = {"venues": "to", "minutes": "minutes"}
NO_EDITION = "a travel file states times between venues, of no festival edition"


@dataclass
class TravelState:
    """The stated times (read at the first row), and each pair's row in this file."""

    stated: dict[tuple[int, int], int] | None = None  # by (smaller venue id, larger)
    given: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # line, min


class TravelTimes:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    def travel(self: Importer, row: TravelRow) -> None:
        """State the row's time between its two venues, both ways: created, updated or
        unchanged; rejected (naming its column) when a venue is not found or is ambiguous,
        both are one venue, the minutes are out of range, or an earlier row of the file
        gave the pair another time."""
        state = self.travel_state
        if state.stated is None:
            state.stated = stated_travel(self.session)
        venues: list[Venue] = []
        for target, name in (("from", row.first), ("to", row.second)):
            try:
                venues.append(lookup.find_venue(self.session, name).record)
            except (NotFound, Ambiguous) as exc:
                self.reject(self.issue((row.file, row.line), target, name, exc.detail))
                return
        one, other = venues
        pair = (min(one.id, other.id), max(one.id, other.id))
        earlier = state.given.get(pair)
        if earlier is not None and earlier[1] != row.minutes and one.id != other.id:
            said = " and ".join(lookup.describe(v) for v in sorted(venues, key=lambda v: v.id))
            self.reject(
                self.issue(
                    (row.file, row.line),
                    "minutes",
                    str(row.minutes),
                    f"line {earlier[0]} gave {said} {earlier[1]} min; a pair has one time",
                )
            )
            return
        try:
            # By id: the names were found above, each for its own column's message.
            _, changed = set_travel(
                self.session, f"#{one.id}", f"#{other.id}", row.minutes, new=None
            )
        except InvalidInput as exc:
            target = TRAVEL_COLUMNS.get(exc.field or "", "minutes")
            value = row.second if target == "to" else str(row.minutes)
            self.reject(self.issue((row.file, row.line), target, value, exc.detail))
            return
        before = state.stated.get(pair)
        outcome = (
            Outcome.CREATED if before is None else Outcome.UPDATED if changed else Outcome.UNCHANGED
        )
        state.stated[pair] = row.minutes
        state.given.setdefault(pair, (row.line, row.minutes))
        self.report.counts[f"travel {outcome}"] += 1
        self.emit(
            {
                "type": "row",
                "outcome": outcome,
                "file": row.file,
                "line": row.line,
                "record": "travel",
            }
        )

    def refuse_an_edition(self: Importer) -> None:
        """Before any row: a travel file (its columns say so) names no edition, so an
        edition given to sync, or to put its rows in, is a mistake (a sync would cancel
        every screening of that edition, the file listing none)."""
        if not self.fields & TRAVEL_FIELDS:
            return
        if self.options.sync:
            raise InvalidInput(NO_EDITION, field="sync")
        if self.options.edition_id is not None:
            raise InvalidInput(NO_EDITION, field="edition")
