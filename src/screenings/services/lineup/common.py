"""What the stages of an import share: constants, the rows on their way, small helpers."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NamedTuple

from sqlalchemy import Table

from screenings import tables as T
from screenings.keys import name_key
from screenings.records import FilmFields, HeldRows, LineupRow
from screenings.services.bases import (
    Merged,
)
from screenings.services.changes import SCREENING_SHOWN

CHUNK = 2000
WINDOW = 10000  # rows looked up at once for their fingerprints, then applied by chunk
Emit = Callable[[dict[str, Any]], None]

# The screening columns a calendar shows (its film too: a row may name another film).
SHOWN = ("film_id", *SCREENING_SHOWN)
SLOT = ("venue_id", "city", "local_date", "local_time")
# What matching and comparing read of a stored screening (instants are derived, and
# reading them costs a conversion each).
MATCHED = [T.screening.c[c] for c in ("id", "uid", "external_id", "sequence", "updated_at", *SHOWN)]
# Field of the file -> the screening columns it states when the file has it.
STATES = {  # (the venue and city columns: see _Importer.change)
    "duration": ("duration_minutes",),
    "end": ("duration_minutes",),
    "kind": ("kind",),
    "audience": ("audience",),
    "ticket_url": ("ticket_url",),
    "notes": ("notes",),
}
# A record's field -> the field of the file that states it (for a conflict's column).
RECORD_FIELDS = {"runtime_minutes": "runtime", "imdb_id": "imdb_id", "status": "status"}
# Field of the file -> the group of a screening's fields it states (bases.SCREENING_GROUPS).
STATES_GROUP = {
    "duration": "duration",
    "end": "duration",
    "kind": "kind",
    "audience": "audience",
    "ticket_url": "ticket_url",
    "notes": "notes",
}


UNSEEN = object()


@dataclass
class ImportOptions:
    """What the import command adds to the parser's options."""

    sync: bool = False
    skip_invalid: bool = False
    theirs: bool = False  # the file wins over hand edits, where they disagree
    fail_on_conflict: bool = False  # a conflict refuses the whole file
    # The edition the door names (an edition, or a festival and a year),
    # found by the caller; rows without a festival of their own belong to it.
    edition_id: int | None = None
    read_all: bool = False  # read every row, even one unchanged since the last import
    # --day-starts-at: also the festival day's start of each edition the file names that
    # has none stored yet (``edition.day_starts_at``).
    day_starts_at: dt.time | None = None
    # The rows found unchanged before the file was read (``skipping.skim``), which the
    # source passes over.
    held: HeldRows | None = None


class HeldStale(Exception):
    """The rows found unchanged before the file was read (``ImportOptions.held``) may
    not be so now: the catalogue changed since they were found, or this import made a
    film or venue of a name another has (so that a row naming it reads otherwise). The
    unit of work is rolled back, and the caller imports the file again, every row read."""


@dataclass(eq=False)  # compared and hashed by identity: it stands for one new record
class Pending:
    """A record to create once a valid row uses it (a rejected row creates nothing)."""

    table: Table
    values: dict[str, Any]
    label: str
    id: int | None = None


@dataclass
class Resolved:
    """A valid screening or selection row, resolved to ids, on its way to the database."""

    line: int
    source: LineupRow
    film: int | Pending | None = None
    edition: int | Pending | None = None
    venue: int | Pending | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the screening's columns
    match: Any = None  # the stored screening it is, if any
    deferred: bool = False  # a sync without ids: a new slot that may turn out a move
    blocked_by: int | None = None  # the screening holding the slot this row moves into
    base: Any = None  # what this source's last import gave the screening (bases)
    file_values: dict[str, Any] | None = None  # the row's own values, before the merge
    merged: Merged | None = None
    base_current: bool = False  # file, base and catalogue agree: the base stays as it is


class RowError(Exception):
    def __init__(
        self, column: str, value: str, message: str, mentions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.column, self.value, self.message = column, value, message
        self.mentions = mentions


class IdSet:
    """A set of row ids as a bitmap: ids are small, dense integers, and a file may name a
    few hundred thousand films (a set of ints would take 60 bytes each, this an eighth)."""

    def __init__(self) -> None:
        self.bits = bytearray()

    def __contains__(self, number: int) -> bool:
        byte = number >> 3
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << (number & 7)))

    def add(self, number: int) -> None:
        byte = number >> 3
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits) + len(self.bits) // 2))
        self.bits[byte] |= 1 << (number & 7)


SPARSE = 25  # an IdMap is a dict while it holds fewer than one id in SPARSE up to its top


class IdMap:
    """Record ids -> a positive int (the line that claimed a screening, the first edition
    of a film). A dict while the ids are few next to the largest; then an array indexed
    by id (a file may claim a million screenings: a dict takes about 100 bytes an entry,
    the array 4 for every id up to the largest). 0 is none."""

    def __init__(self) -> None:
        self.few: dict[int, int] | None = {}
        self.top = 0  # the largest id claimed
        self.lines = array("i")

    def __contains__(self, number: int) -> bool:
        """Whether ``number`` has a value."""
        if self.few is not None:
            return number in self.few
        return number < len(self.lines) and self.lines[number] != 0

    def get(self, number: int) -> int | None:
        """The value of ``number``, if any."""
        if self.few is not None:
            return self.few.get(number)
        return (self.lines[number] or None) if number < len(self.lines) else None

    def __setitem__(self, number: int, line: int) -> None:
        if self.few is not None:
            self.few[number] = line
            self.top = max(self.top, number)
            if len(self.few) * SPARSE > self.top:  # the array is the smaller now
                few, self.few = self.few, None
                for claimed, at in few.items():
                    self[claimed] = at
            return
        if number >= len(self.lines):  # room for this id, and half as many more
            more = number + 1 - len(self.lines) + len(self.lines) // 2
            self.lines.frombytes(bytes(more * self.lines.itemsize))
        self.lines[number] = line

    def update(self, numbers: Sequence[int], lines: Sequence[int]) -> None:
        """``self[number] = line`` for each number and line, at once."""
        if not numbers:
            return
        top = max(numbers)
        top = max(top, self.top)
        if self.few is not None and (len(self.few) + len(numbers)) * SPARSE <= top:
            self.few.update(zip(numbers, lines, strict=True))
            self.top = top
            return
        if self.few is not None:  # the array from now on
            few, self.few = self.few, None
            for claimed, at in few.items():
                self[claimed] = at
        if top >= len(self.lines):
            self.lines.extend(repeat(0, top + 1 - len(self.lines)))
        kept = self.lines
        for number, line in zip(numbers, lines, strict=True):
            kept[number] = line


class Pairs:
    """(film, edition) pairs: each film's first edition in an ``IdMap``, any other in a
    set (a film is in few editions; a file may name a few hundred thousand films)."""

    def __init__(self) -> None:
        self.first = IdMap()
        self.more: set[tuple[int, int]] = set()

    def __contains__(self, pair: tuple[int, int]) -> bool:
        film, edition = pair
        return self.first.get(film) == edition or pair in self.more

    def add(self, pair: tuple[int, int]) -> None:
        film, edition = pair
        first = self.first.get(film)
        if first is None:
            self.first[film] = edition
        elif first != edition:
            self.more.add(pair)

    def add_new(self, pairs: Iterable[tuple[int, int]]) -> int:
        """Add these pairs; how many were not in already (each looked up once: an
        import whose rows are held adds the selections of all their films at once)."""
        first, more, new = self.first, self.more, 0
        for pair in pairs:
            film, edition = pair
            known = first.get(film)
            if known is None:
                first[film] = edition
                new += 1
            elif known != edition and pair not in more:
                more.add(pair)
                new += 1
        return new


class FirstLines:
    """(film, edition) pairs -> the first line of them given (the first row of a film's
    selection skipped as unchanged), kept as ``Pairs`` keeps pairs."""

    def __init__(self) -> None:
        self.editions, self.lines = IdMap(), IdMap()
        self.more: dict[tuple[int, int], int] = {}

    def add(self, film: int, edition: int, line: int) -> None:
        known = self.editions.get(film)
        if known is None:
            self.editions[film], self.lines[film] = edition, line
        elif known == edition:
            if line < (self.lines.get(film) or line + 1):
                self.lines[film] = line
        elif line < self.more.get((film, edition), line + 1):
            self.more[(film, edition)] = line

    def get(self, film: int, edition: int) -> int | None:
        if self.editions.get(film) == edition:
            return self.lines.get(film)
        return self.more.get((film, edition))


class FirstSaid:
    """For each film (or each film in an edition: its selection there), the line of the
    first row read that states it, and what that row states, so that a later row saying
    otherwise can be warned of. Kept as ``Pairs`` keeps pairs: a film's first edition in
    ``IdMap``s, what a row states as a number for each different statement (a file makes
    few: its sections, its runtimes), any other edition in a dict."""

    def __init__(self) -> None:
        self.within, self.lines, self.codes = IdMap(), IdMap(), IdMap()
        self.more: dict[tuple[int, int], tuple[int, int]] = {}
        self.numbered: dict[tuple[Any, ...], int] = {}  # a statement -> its number
        self.statements: list[tuple[Any, ...]] = []  # by number - 1

    def first(self, film: int, line: int, statement: tuple[Any, ...], within: int = 0) -> None:
        """``line`` states ``film`` (in the edition ``within``; 0: the film itself) first,
        as ``statement``."""
        code = self.numbered.get(statement)
        if code is None:
            self.statements.append(statement)
            code = self.numbered[statement] = len(self.statements)
        if film not in self.within:  # IdMap's 0 is none: the edition + 1
            self.within[film], self.lines[film], self.codes[film] = within + 1, line, code
        else:
            self.more[(film, within)] = (line, code)

    def get(self, film: int, within: int = 0) -> tuple[int, tuple[Any, ...]] | None:
        """The line that stated ``film`` (in ``within``) first and what it stated; None if
        no row read in this import did (its first row was skipped as unchanged)."""
        if self.within.get(film) == within + 1:
            line, code = self.lines.get(film), self.codes.get(film)
            assert line is not None and code is not None
            return line, self.statements[code - 1]
        found = self.more.get((film, within))
        return None if found is None else (found[0], self.statements[found[1] - 1])


class StoredFilm(NamedTuple):
    """What ``film_details`` compares a row's film with."""

    id: int
    year: int | None
    original_title: str | None
    runtime_minutes: int | None
    countries: list[str]
    languages: list[str]
    imdb_id: str | None
    website: str | None


# A film's details as a row states none of them (its lists are required: stored empty).
UNSTATED: dict[str, Any] = {
    **dict.fromkeys(StoredFilm._fields[1:]),
    "countries": [],
    "languages": [],
}


class Stated(NamedTuple):
    """A film as a row states it: its details, and the row's edition (its source)."""

    film: Any  # an id, or a Pending film
    fields: FilmFields
    edition: Any  # an id, a Pending edition, or None
    file: str
    line: int


def state_new_films(details: list[Stated]) -> None:
    """A film new to the catalogue is created with what the first valid row naming it
    states (a films file's rows first, then the others in order), as ``film_details``
    would set it after: the row that planned it may since have been rejected."""
    stated: set[int] = set()
    for film, fields, *_ in details:
        if isinstance(film, Pending) and film.id is None and id(film) not in stated:
            stated.add(id(film))
            film.values.update((k, v) for k, v in stated_details(fields).items() if v is not None)


def stated_details(fields: FilmFields) -> dict[str, Any]:
    """The film's columns a row states (None: it states nothing there), those of
    ``StoredFilm``."""
    return {
        "year": fields.year,
        "original_title": fields.original_title,
        "runtime_minutes": fields.runtime_minutes,
        "countries": list(fields.countries) or None,
        "languages": list(fields.languages) or None,
        "imdb_id": fields.imdb_id,
        "website": next((url for kind, url in fields.links if kind == "website"), None),
    }


def known(record: Any) -> Any:
    """An id for a planned record already created, else the record as it is."""
    return record.id if isinstance(record, Pending) and record.id is not None else record


def slot_of(values: Any) -> tuple[Any, ...]:
    return (
        values["film_id"],
        values["venue_id"],
        name_key(values["city"] or "") if values["venue_id"] is None else "",
        values["local_date"],
        values["local_time"],
    )


def distance(stored: Any, values: dict[str, Any]) -> tuple[int, float]:
    """How far a disappeared slot is from a new one: the same venue is nearer than any
    other, then the nearer time."""
    same_venue = 0 if stored.venue_id == values["venue_id"] else 1
    a = dt.datetime.combine(stored.local_date, stored.local_time or dt.time(12))
    b = dt.datetime.combine(values["local_date"], values["local_time"] or dt.time(12))
    return same_venue, abs((a - b).total_seconds())


def shown_when(values: Any) -> str:
    time = values["local_time"]
    return f"{values['local_date']} " + (f"{time:%H:%M}" if time else "time TBA")


def outcome_record(
    row: Resolved,
    outcome: str,
    screening: Any,
    changed: list[str] | None = None,
    *,
    kept: list[str] | None = None,
) -> dict[str, Any]:
    """The ``--report`` record of what a row did to ``screening`` (its id and uid; None
    when it made none)."""
    record = {
        "type": "row",
        "outcome": outcome,
        "file": row.source.file,
        "line": row.line,
        "screening": screening.id if screening is not None else None,
        "uid": screening.uid if screening is not None else None,
    }
    if changed:
        record["changed"] = changed
    if kept:
        record["kept"] = kept  # edited by hand, and the file did not change it
    return record
