"""Plain frozen records that cross layers: what services return and the doors render.

Each view turns into a JSON-ready dict (``as_dict``) with every key present
(``None`` when unknown) and into flat CSV columns (``flat_columns``); the
field order here is the order of the output contract (docs/output.md).
They are typed named tuples: immutable, and several times cheaper to define
than dataclasses, which every command that lists pays for at start-up. Their annotations
are evaluated as they are defined (no ``from __future__ import annotations``, and the
three that name a class defined further down are quoted): ``typing.NamedTuple`` compiles
each annotation kept as a string, and 450 of them cost every command 12 ms.
"""

import dataclasses
import datetime as dt
import enum
import operator
import re
import typing
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from typing import Any, NamedTuple, Protocol

# The output contract's version (docs/output.md), and those that can still be written:
# 2 (the programmes issue, #23) gave a screening ``films`` and ``programme``; ``film`` is
# null for a programme's. 1 is written on request (``ScreeningViewV1``).
CONTRACT_VERSION = 2
CONTRACTS = (1, 2)


class FilmRef(NamedTuple):
    id: int
    title: str
    year: int | None


class PersonRef(NamedTuple):
    id: int
    name: str


class VenueRef(NamedTuple):
    id: int
    name: str
    city: str | None


class FestivalRef(NamedTuple):
    id: int
    name: str


class EditionRef(NamedTuple):
    id: int
    festival: str
    year: int
    label: str | None


class ProgrammeRef(NamedTuple):
    """A programme, as a screening names it. One CSV cell: its title (``ONE_CELL``)."""

    id: int
    title: str


class ShownFilm(NamedTuple):
    """A film a screening shows, at its place in the order (1 for a one-film screening).
    In CSV, the titles of a screening's films are one cell, joined by " / "."""

    id: int
    title: str
    year: int | None
    position: int


# Records that CSV writes as one cell: the field named here (a list of them, joined by " / ").
ONE_CELL: dict[type, str] = {ProgrammeRef: "title", ShownFilm: "title"}


class AwardRef(NamedTuple):
    id: int
    name: str


class ScreeningView(NamedTuple):
    """One screening as every door shows it.

    ``start`` is ISO 8601 with the local offset (``2013-06-11T18:00:00+01:00``),
    or the date alone when the time is not known ("time TBA").
    ``length_minutes`` is the effective length: the screening's own slot,
    else the film's runtime (a programme's: the sum of its films', when all are known),
    else the configured default.

    A screening shows one film (``film``; ``programme`` is None) or one programme
    (``programme``; ``film`` is None). ``films`` are the films it shows, in order,
    either way. They come last: the CSV's columns of contract 1 come first, unchanged.
    """

    id: int
    uid: str
    film: FilmRef | None
    venue: VenueRef | None
    edition: EditionRef | None
    city: str | None
    local_date: dt.date
    local_time: dt.time | None
    timezone: str
    start: str
    starts_at_utc: dt.datetime | None
    duration_minutes: int | None
    length_minutes: int
    kind: str
    status: str
    visibility: str
    audience: str | None
    section: str | None
    ticket_url: str | None
    notes: str | None
    sequence: int
    updated_at: dt.datetime
    programme: ProgrammeRef | None = None
    films: list[ShownFilm] = []  # noqa: RUF012 -- a NamedTuple's default, never mutated

    @property
    def title(self) -> str:
        """What it shows: the film's title, or the programme's."""
        if self.programme is not None:
            return self.programme.title
        assert self.film is not None
        return self.film.title


class ProgrammeView(NamedTuple):
    """A programme as ``list programmes`` shows it: its films in order (one CSV cell,
    their titles joined by " / "), its length (the sum of its films' runtimes; None when
    one is not known) and how many screenings show it."""

    id: int
    title: str
    slug: str
    festival: FestivalRef
    edition: EditionRef | None
    section: str | None
    notes: str | None
    films: list[ShownFilm]
    length_minutes: int | None
    screenings: int


class ProgrammeFilmEntry(NamedTuple):
    """A film's place in a programme, as ``show programme`` says it."""

    position: int
    film: FilmRef
    runtime_minutes: int | None
    directors: list[str]
    extra: str | None


class ProgrammeShow(NamedTuple):
    """Everything known about a programme: itself, its films in order, its screenings."""

    programme: ProgrammeView
    entries: list[ProgrammeFilmEntry]
    screenings: list[ScreeningView]


class ScreeningViewV1(NamedTuple):
    """A screening as contract 1 shows it (``--contract 1``): one film, no programme.
    ``contract_one`` makes it; a programme screening has none."""

    id: int
    uid: str
    film: FilmRef
    venue: VenueRef | None
    edition: EditionRef | None
    city: str | None
    local_date: dt.date
    local_time: dt.time | None
    timezone: str
    start: str
    starts_at_utc: dt.datetime | None
    duration_minutes: int | None
    length_minutes: int
    kind: str
    status: str
    visibility: str
    audience: str | None
    section: str | None
    ticket_url: str | None
    notes: str | None
    sequence: int
    updated_at: dt.datetime


def contract_one(view: ScreeningView) -> ScreeningViewV1 | None:
    """``view`` as contract 1 has it; None for a programme screening, which it cannot
    show."""
    if view.film is None:
        return None
    fields = view._asdict()
    return ScreeningViewV1(**{name: fields[name] for name in ScreeningViewV1._fields})


class FilmView(NamedTuple):
    id: int
    title: str
    original_title: str | None
    year: int | None
    runtime_minutes: int | None
    countries: list[str]
    languages: list[str]
    imdb_id: str | None
    website: str | None
    slug: str
    directors: list[str]


class FilmStored(NamedTuple):
    """A film as ``add film`` and ``edit film`` stored it: the film, and every credit and
    link, so that the reply says back all of it."""

    film: FilmView
    credits: list[tuple[str, str]]  # (role, person), in their order
    links: list[tuple[str, str]]  # (kind, address)

    @property
    def id(self) -> int:
        return self.film.id


class PersonView(NamedTuple):
    id: int
    name: str
    slug: str
    films: int


class FestivalView(NamedTuple):
    id: int
    name: str
    slug: str
    city: str | None
    country: str | None
    timezone: str | None
    website: str | None
    editions: int


class EditionView(NamedTuple):
    id: int
    festival: FestivalRef
    year: int
    label: str | None
    slug: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    screenings: int
    day_starts_at: dt.time | None = None  # its festival day's start; None: 00:00


class VenueView(NamedTuple):
    id: int
    name: str
    slug: str
    address: str | None
    city: str | None
    country: str | None
    timezone: str | None
    latitude: float | None
    longitude: float | None


class TravelView(NamedTuple):
    """A stated travel time between two venues (each as its name, city and id say it)."""

    first: str
    second: str
    minutes: int


class AwardView(NamedTuple):
    id: int
    name: str
    festival: FestivalRef | None
    presenter: str | None


class NominationView(NamedTuple):
    id: int
    award: AwardRef
    year: int
    edition: EditionRef | None
    category: str | None
    film: FilmRef | None
    person: PersonRef | None
    result: str
    programme: ProgrammeRef | None = None  # rarely, instead of a film: a shorts block's award


def _is_record(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _plain(value: Any) -> Any:
    if _is_record(value):
        return as_dict(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_dict(record: Any) -> dict[str, Any]:
    """The record as JSON-ready data: nested records as objects, times as ISO 8601 text."""
    return {name: _plain(value) for name, value in zip(record._fields, record, strict=True)}


def flat_columns(view_type: type) -> list[str]:
    """The CSV columns of a view: nested records flattened as ``film_id``, ``film_title``, ..."""
    return [name for name, _ in _flat_fields(view_type)]


def numeric_columns(view_type: type) -> frozenset[str]:
    """The CSV columns of a view declared as numbers (``int`` or ``float``, or None when
    unknown): ids, years, minutes, counts, ``sequence``, ``latitude``, ``longitude``.
    Their cells are numbers the catalogue holds, never text someone typed."""
    return frozenset(name for name, hint in _flat_fields(view_type) if _is_number(hint))


def _flat_fields(view_type: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(view_type)
    fields: list[tuple[str, Any]] = []
    for name in view_type._fields:  # type: ignore[attr-defined]
        nested = _nested_type(hints[name])
        if nested is None or nested in ONE_CELL:  # one cell
            fields.append((name, hints[name]))
        else:
            fields.extend((f"{name}_{sub}", hint) for sub, hint in _flat_fields(nested))
    return fields


def _is_number(hint: Any) -> bool:
    kinds = [kind for kind in typing.get_args(hint) or (hint,) if kind is not type(None)]
    # Compared by identity, not issubclass: a bool is not a number to a spreadsheet.
    return bool(kinds) and all(kind in (int, float) for kind in kinds)


def flat_row(record: Any) -> dict[str, Any]:
    """The record as one CSV row (keys as in ``flat_columns``); lists joined with '; '."""
    row: dict[str, Any] = {}
    hints = typing.get_type_hints(type(record))
    for name, value in zip(record._fields, record, strict=True):
        nested = _nested_type(hints[name])
        if isinstance(value, list) and nested is not None:  # records, one cell each
            row[name] = " / ".join(str(getattr(v, ONE_CELL[nested])) for v in value)
        elif nested is not None and nested in ONE_CELL:
            row[name] = None if value is None else getattr(value, ONE_CELL[nested])
        elif nested is not None:
            inner = flat_row(value) if value is not None else dict.fromkeys(flat_columns(nested))
            row.update({f"{name}_{k}": v for k, v in inner.items()})
        elif isinstance(value, list):
            row[name] = "; ".join(str(v) for v in value)
        else:
            row[name] = _plain(value)
    return row


def _nested_type(hint: Any) -> type | None:
    for candidate in typing.get_args(hint) or (hint,):
        if (
            isinstance(candidate, type)
            and issubclass(candidate, tuple)
            and hasattr(candidate, "_fields")
        ):
            return candidate
    return None


# --- What the lineup parser reads -------------------------------------------

SHOWN_CHARS = 80  # of a cell that a message echoes (docs/security.md, "Input limits")


def shorten(text: str) -> str:
    """``text`` as a message may echo a cell: its first 80 characters, then "…" if cut."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


class RowIssue(NamedTuple):
    """A complaint about a file: where (file, physical line, column), the raw value, and
    what was expected. ``severity`` is "error" (the row is not usable) or "warning"."""

    file: str
    line: int
    column: str | None
    value: str | None
    message: str
    severity: str = "error"
    # What the rejected row named, when it could be read: it keeps --sync from
    # cancelling the screening the row may be.
    title: str | None = None
    external_id: str | None = None
    # The fields the message refers to, each written ``{field}`` in it for the door to
    # name (``errors.ScreeningsError``): "give an Edition column or {year}".
    mentions: tuple[str, ...] = ()

    def said(self, names: Callable[[str], str] = lambda field: field) -> str:
        """``str(self)``, each field it mentions named as ``names`` names it."""
        line = str(self)
        for field in self.mentions:
            line = line.replace("{" + field + "}", names(field))
        return line

    def __str__(self) -> str:
        """One line; the column, the value and whatever the message quotes of either are
        cut to their first 80 characters (a cell may be a megabyte); a field it mentions
        stays ``{field}`` (``said`` names it)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        column = f" column {shorten(self.column)!r}:" if self.column else ""
        value = ""
        if self.value and not _quotes(self.message, self.value):
            value = f" {shorten(self.value)!r}:"
        message = _shortened(_shortened(self.message, self.value), self.column)
        return f"{where}:{column}{value} {message}"


def _quotes(message: str, cell: str) -> bool:
    """Whether ``message`` quotes ``cell``: as it is, or as the rules of a value quote one
    (``screenings.rules``: the repr of its first 80 characters, which escapes controls)."""
    return cell in message or repr(cell.strip()[:SHOWN_CHARS]) in message


def _shortened(message: str, cell: str | None) -> str:
    """``message`` with each long ``cell`` it quotes (as is, or as ``repr`` quotes it) cut."""
    if cell is None or len(cell) <= SHOWN_CHARS:
        return message
    return message.replace(repr(cell), repr(shorten(cell))).replace(cell, shorten(cell))


class FilmFields(NamedTuple):
    """What a row says about its film; ``film_id`` is the key that joins two files."""

    title: str | None
    original_title: str | None
    year: int | None
    directors: tuple[str, ...]
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    imdb_id: str | None
    runtime_minutes: int | None
    credits: tuple[tuple[str, str], ...]  # (role, name), beyond the directors
    links: tuple[tuple[str, str], ...]  # (kind, url)
    film_id: str | None


class LineupRow(NamedTuple):
    """One row of a lineup: a screening, or (no date) a film's selection in an edition.

    ``local_time`` is None for a screening whose time is not known (TBA).
    ``timezone`` is the zone the row or the command line gave, if any;
    choosing the zone by the venue or festival happens when the row is applied.
    ``notes`` say what was supplied from elsewhere (the edition's year, the next day).
    """

    file: str
    line: int
    kind: str  # "screening" or "selection"
    film: FilmFields
    festival: str | None
    edition_year: int | None
    edition_label: str | None
    section: str | None
    premiere: str | None
    selection_status: str | None
    venue: str | None
    city: str | None
    local_date: dt.date | None
    local_time: dt.time | None
    timezone: str | None
    duration_minutes: int | None
    screening_kind: str | None
    audience: str | None
    visibility: str | None
    status: str | None
    ticket_url: str | None
    remarks: str | None
    external_id: str | None
    notes: tuple[str, ...]
    written_date: str | None = None  # the date (or start) cell as written, for messages
    block: str | None = None  # the programme the row's film is shown in (a Block column)
    position: int | None = None  # a programmes file's: the film's place in its block
    extra: str | None = None  # a programmes file's: the line shown with the film


class FilmRow(NamedTuple):
    """One row of a films file."""

    file: str
    line: int
    film: FilmFields


class RowSource(Protocol):
    """What reads the rows a source leaves unread (see ``Unread``)."""

    def read(self, row: Any) -> LineupRow | RowIssue:
        """The row read whole: a record, or why it cannot be used."""
        ...

    def spelling(self, row: Any) -> tuple[str | None, int | None, str | None] | None:
        """The edition the row names (festival, year, label), read alone; None if it
        cannot be read (``read`` says why)."""
        ...

    def named(self, row: Any) -> tuple[str, str, str]:
        """The film title, the venue and the city the row names, as written ("" for
        none)."""
        ...


class SourceFile(Protocol):
    """What an import reads, whatever the format: its name (for messages), its columns
    and the fields each maps to (``(column, field)``, field "" when unknown: messages
    name a field by the source's own column), and its rows, in order: records, issues,
    and screening rows left ``Unread`` with their fingerprints. A CSV file
    (``parsers.lineup.Parsed``) is one."""

    name: str
    kind: str  # its file kind: "lineup", "frab", ... (``parsers.lineup.FILE_KINDS``)
    mapping: list[tuple[str, str]]
    rows: "Iterator[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue | Unread]"


class NotQuick(Exception):
    """A row a source cannot vouch for before it is read (a cell over several lines, a
    line too long): the file goes the whole way (``services.skipping``)."""


class LineSet:
    """Numbers, a bit each (a file may have a million rows): the lines a parse passes
    over, the screenings a skim has found."""

    def __init__(self, lines: Sequence[int] = ()) -> None:
        self.bits = bytearray((max(lines) >> 3) + 1 if lines else 0)
        bits = self.bits
        for line in lines:
            bits[line >> 3] |= 1 << (line & 7)

    def add(self, line: int) -> None:
        """One more number."""
        at = line >> 3
        if at >= len(self.bits):
            self.bits.extend(bytes(at - len(self.bits) + 1))
        self.bits[at] |= 1 << (line & 7)

    def update(self, lines: Iterable[int]) -> None:
        """More numbers."""
        for line in lines:
            self.add(line)

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        at = line >> 3
        return at < len(self.bits) and bool(self.bits[at] >> (line & 7) & 1)

    def run(self, start: int) -> int:
        """How many numbers from ``start`` on, one after another, are in the set: eight
        a byte where the bytes are full."""
        line = start
        while line & 7:
            if line not in self:
                return line - start
            line += 1
        found = _NOT_FULL.search(self.bits, line >> 3)
        line = max(line, (found.start() if found else len(self.bits)) << 3)
        while line in self:
            line += 1
        return line - start


_NOT_FULL = re.compile(rb"[^\xff]")


class HeldRows:
    """The rows of a file found unchanged before it was read (``services.skipping``), in
    the file's order, a few bytes each (a file may have a million): each as (line,
    screening, edition or None, film, private)."""

    def __init__(self, revision: int) -> None:
        self.revision = revision  # the catalogue's, when they were found
        self.lines = array("i")
        self.screenings = array("i")
        self.editions = array("i")  # 0: none
        self.films = array("i")
        self.private = bytearray()

    def extend(
        self,
        lines: Iterable[int],
        screenings: Iterable[int],
        editions: Iterable[int],
        films: Iterable[int],
        private: Iterable[int],
    ) -> None:
        """More rows, after those added, given as columns (an edition 0: none; private 1,
        public 0), as the query of the rows found gives them."""
        self.lines.extend(lines)
        self.screenings.extend(screenings)
        self.editions.extend(editions)
        self.films.extend(films)
        self.private.extend(private)

    def selections(self) -> set[tuple[int, int]]:
        """The (film, edition) pairs of the rows that are public and of an edition: the
        selections they make."""
        public = map(operator.and_, map(operator.truth, self.editions),
                     map(operator.not_, self.private))  # fmt: skip
        return set(compress(zip(self.films, self.editions, strict=True), public))

    def __len__(self) -> int:
        return len(self.lines)

    def line_set(self) -> LineSet:
        """Their lines."""
        return LineSet(self.lines)

    def __iter__(self) -> Iterator[tuple[int, int, int | None, int, bool]]:
        for line, screening, edition, film, private in zip(
            self.lines, self.screenings, self.editions, self.films, self.private, strict=True
        ):
            yield line, screening, edition or None, film, bool(private)


class Unread(NamedTuple):
    """A screening row of a source, not read yet: where it is, and its fingerprint, a
    digest of its text and of everything the source reads it with (the columns and
    what they map to, the date order, the options). An importer reads only the rows
    whose fingerprint it has not seen applied (``services.lineup.fingerprints``)."""

    file: str
    line: int
    digest: bytes
    row: Any  # the source's own form of it (a CSV file's cells)
    source: RowSource
    # Rows of one source with equal keys name the same edition (``spelling``).
    edition_key: Any = None

    def read(self) -> LineupRow | RowIssue:
        """``RowSource.read``."""
        return self.source.read(self.row)

    def spelling(self) -> tuple[str | None, int | None, str | None] | None:
        """``RowSource.spelling``."""
        return self.source.spelling(self.row)

    def named(self) -> tuple[str, str, str]:
        """``RowSource.named``."""
        return self.source.named(self.row)


class AwardRow(NamedTuple):
    """One row of an awards file: a film and/or a person up for an award, and the result."""

    file: str
    line: int
    award: str
    festival: str | None
    presenter: str | None
    year: int
    category: str | None
    film: FilmFields | None
    person: str | None
    result: str


# The fields of a travel file's columns (``SourceFile.mapping``), and of no other kind's.
TRAVEL_FIELDS = frozenset({"from", "to", "minutes"})


class TravelRow(NamedTuple):
    """One row of a travel file: the minutes between two venues (From and To), the same
    both ways; each venue as a name, 'Name (City)', an alias, a slug or ``#ID``."""

    file: str
    line: int
    first: str
    second: str
    minutes: int


class RunEntry(NamedTuple):
    """One step of a film's festival run: a selection in an edition (with the screenings
    there), or a special screening (no edition). ``day`` is the day of its first screening,
    None when it has none; the edition's own dates are given apart. A date is never
    invented."""

    year: int
    day: dt.date | None
    edition: EditionRef | None
    edition_starts_on: dt.date | None
    edition_ends_on: dt.date | None
    section: str | None
    premiere: str | None
    status: str | None
    screenings: list[ScreeningView]


class CreditRef(NamedTuple):
    role: str
    person: str


class LinkRef(NamedTuple):
    kind: str
    url: str


class FilmShow(NamedTuple):
    """Everything known about a film."""

    film: FilmView
    credits: list[CreditRef]
    links: list[LinkRef]
    run: list[RunEntry]
    nominations: list[NominationView]
    aliases: tuple[str, ...] = ()  # other names, kept by a merge or a rename


class SelectionRef(NamedTuple):
    film: FilmRef
    edition: EditionRef
    section: str | None
    premiere: str | None
    status: str


class FilmCredit(NamedTuple):
    film: FilmRef
    role: str


class PersonShow(NamedTuple):
    person: PersonView
    credits: list[FilmCredit]
    nominations: list[NominationView]
    aliases: tuple[str, ...] = ()


class FestivalShow(NamedTuple):
    festival: FestivalView
    editions: list[EditionView]
    awards: list[AwardView]
    aliases: tuple[str, ...] = ()


class EditionShow(NamedTuple):
    edition: EditionView
    selections: list[SelectionRef]
    screenings: list[ScreeningView]


class VenueShow(NamedTuple):
    venue: VenueView
    screenings: list[ScreeningView]
    aliases: tuple[str, ...] = ()


# --- What a calendar feed shows ---------------------------------------------------------


class FeedEvent(NamedTuple):
    """One screening as a calendar event shows it: the screening, its film, place and
    edition. ``local_time`` and ``starts_at_utc`` are None when the time is not known (an
    all-day event on ``local_date``); ``length_minutes`` is the effective length (see
    ScreeningView). The field order is the order of the feed's SELECT (services.feeds)."""

    uid: str
    sequence: int
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str
    visibility: str
    kind: str
    timezone: str
    local_date: dt.date
    local_time: dt.time | None
    starts_at_utc: dt.datetime | None
    length_minutes: int
    film_title: str
    film_year: int | None
    runtime_minutes: int | None
    countries: tuple[str, ...]
    directors: tuple[str, ...]
    website: str | None
    links: tuple[tuple[str, str], ...]  # (kind, url)
    festival: str | None
    edition_year: int | None
    edition_label: str | None
    section: str | None
    premiere: str | None
    venue_name: str | None
    venue_address: str | None
    city: str | None
    latitude: float | None
    longitude: float | None
    audience: str | None
    ticket_url: str | None
    notes: str | None
    # A programme screening's films, in order (its title is ``film_title``); none else.
    programme: "tuple[ProgrammeLine, ...]" = ()
    programme_notes: str | None = None  # a programme's own (a Q&A, an introduction)
    duration_minutes: int | None = None  # its own slot, when it has one


class ProgrammeLine(NamedTuple):
    """A film of a programme, as its screenings' calendar events describe it."""

    title: str
    year: int | None
    runtime_minutes: int | None
    directors: tuple[str, ...]
    extra: str | None


class ZoneSpan(NamedTuple):
    """A zone a feed uses, and the local dates its events span in it."""

    name: str
    first: dt.date
    last: dt.date


class FeedHeader(NamedTuple):
    """A calendar's own properties: a stable ``uid``, its name and description, how often
    clients should refresh it, and the zones its VTIMEZONEs cover."""

    uid: str
    title: str
    description: str
    refresh_minutes: int
    zones: tuple[ZoneSpan, ...]


class FeedIndexEntry(NamedTuple):
    """One group of a split feed as its index lists it: ``file`` is None when the group
    has nothing to show, and ``reason`` says why; ``cancelled`` counts the group's
    cancelled and postponed screenings its feed leaves out (``--cancelled omit``)."""

    slug: str
    title: str
    file: str | None
    events: int
    cancelled: int
    reason: str | None


# --- What the schedule pages show -------------------------------------------------------


class PageLink(NamedTuple):
    """A record a page may name and link to: ``kind`` is festival, edition, venue, film or
    person; its page is ``/{plural}/{slug}``, its feed ``/feeds/{plural}/{slug}.ics``.
    ``year`` is a film's, kept apart from its title so that a right-to-left title does
    not carry it to the wrong side."""

    kind: str
    slug: str
    title: str
    year: int | None = None

    @property
    def label(self) -> str:
        """The title as text: "The Act of Killing (2012)"."""
        return f"{self.title} ({self.year})" if self.year else self.title


class FilmFacts(NamedTuple):
    """A film as a page's structured data (JSON-LD) describes it: its page, directors in
    credit order, runtime, and countries and languages as the catalogue has them (names
    as typed, not codes)."""

    link: PageLink
    directors: tuple[str, ...]
    runtime_minutes: int | None
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    imdb_id: str | None


class PlaceFacts(NamedTuple):
    """Where something happens, as a page's structured data says it: a venue (``link``
    to its page) with what is known of its address, or a city alone (``link`` None)."""

    link: PageLink | None
    name: str
    address: str | None
    city: str | None
    country: str | None
    latitude: float | None
    longitude: float | None


class ScheduleEntry(NamedTuple):
    """One public screening on a page, with the records it links to. ``zone_abbreviation``
    names the local time's clock ("BST"), None when the time is not known (TBA).

    For the page's structured data: ``end`` is the local end (ISO 8601 with its offset,
    the start plus the effective length), None when the time is not known; ``works`` the
    films it shows, in order (one, or a programme's); ``place`` its venue, else its city,
    else None."""

    screening: ScreeningView
    film: PageLink
    venue: PageLink | None
    edition: PageLink | None
    premiere: str | None
    directors: tuple[str, ...]
    zone_abbreviation: str | None
    films: tuple[PageLink, ...] = ()  # a programme's, in order (``film`` links to it)
    end: str | None = None
    works: tuple[FilmFacts, ...] = ()
    place: PlaceFacts | None = None


class ScheduleDay(NamedTuple):
    """The screenings of one local date, in start order (TBA last)."""

    day: dt.date
    entries: list[ScheduleEntry]


class FestivalEntry(NamedTuple):
    festival: PageLink
    editions: list[PageLink]


class KindIndex(NamedTuple):
    """One kind of record on the home page: every one of them (``links``) when they are
    few, else (``links`` None) the first letters of their slugs, each with how many, for
    a page per letter (``LetterPage``)."""

    kind: str
    heading: str
    links: list[PageLink] | None
    letters: list[tuple[str, int]]


class HomePage(NamedTuple):
    """Everything that may be named in public, by kind, in title order: the festivals
    with their editions when they are few (else ``festivals`` is None and the festivals
    are indexed by letter, as the other kinds may be)."""

    festivals: list[FestivalEntry] | None
    kinds: list[KindIndex]


class LetterPage(NamedTuple):
    """The records of one kind whose slugs begin with ``letter`` ("0-9" for a digit), in
    title order, ``number`` of ``pages`` pages."""

    kind: str
    heading: str
    letter: str
    number: int
    pages: int
    links: list[PageLink]
    letters: list[tuple[str, int]]


class FestivalEdition(NamedTuple):
    """An edition on its festival's page: ``edition.screenings`` counts its public
    screenings that are on; ``off`` those cancelled or postponed."""

    link: PageLink
    edition: EditionView
    off: int


class FestivalPage(NamedTuple):
    link: PageLink
    festival: FestivalView
    editions: list[FestivalEdition]
    awards: list[AwardView]


class EditionPage(NamedTuple):
    """An edition's public screenings by local day; ``programme`` has the selected films
    with no public screening yet (their dates not announced); ``place`` the festival's
    city and country, when known."""

    link: PageLink
    festival: PageLink
    edition: EditionView
    days: list[ScheduleDay]
    programme: "list[ProgrammeEntry]"
    place: PlaceFacts | None = None


class ProgrammeEntry(NamedTuple):
    """A film an edition selected that has no public screening yet; ``status`` is the
    selection's (``selected``, ``competition``, ``withdrawn``, ...)."""

    film: PageLink
    section: str | None
    premiere: str | None
    status: str


class RunStep(NamedTuple):
    """A film's festival run, on its page: an edition (or a special screening) with its
    section and premiere and its public screenings."""

    edition: PageLink | None
    year: int
    starts_on: dt.date | None
    ends_on: dt.date | None
    section: str | None
    premiere: str | None
    status: str | None  # the selection's; None for a special screening
    entries: list[ScheduleEntry]


class FilmPage(NamedTuple):
    link: PageLink
    film: FilmView
    credits: list[tuple[str, list[PageLink]]]  # role, people, in credit order
    run: list[RunStep]
    nominations: list[NominationView]


class ProgrammeFilmLine(NamedTuple):
    """A film of a programme, on the programme's page."""

    film: PageLink
    directors: tuple[str, ...]
    runtime_minutes: int | None
    extra: str | None


class ProgrammePage(NamedTuple):
    link: PageLink
    festival: PageLink
    edition: PageLink | None
    programme: ProgrammeView
    films: list[ProgrammeFilmLine]
    days: list[ScheduleDay]


class VenuePage(NamedTuple):
    link: PageLink
    venue: VenueView
    days: list[ScheduleDay]


class PlanPage(NamedTuple):
    """A plan's screenings by day, for the page of its secret feed (``.html``); ``feed``
    is the secret feed's own address (``.ics``), to subscribe to."""

    name: str
    owner: str | None
    feed: str
    days: list[ScheduleDay]


class PersonPage(NamedTuple):
    link: PageLink
    person: PersonView
    credits: list[tuple[PageLink, list[str]]]  # film, roles in credit order
    days: list[ScheduleDay]
    nominations: list[NominationView]


# --- What an import did -----------------------------------------------------------------

NAMED_NEW = 10  # new records an import names in its report, per kind


class Said(Protocol):
    """A message that names the fields it mentions as a door names them
    (``errors.Message``, ``RowIssue``)."""

    def said(self, names: Callable[[str], str] = ...) -> str: ...


class Outcome(enum.StrEnum):
    """What an import did with a row (its ``--report`` record's "outcome"), or with a
    screening the file no longer lists (cancelled)."""

    CREATED = "created"
    UPDATED = "updated"
    MOVED = "moved"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # edited by hand, and the file did not change it
    KEPT_REMOVED = "kept removed"  # removed by hand, and the file did not change its row
    CONFLICT = "conflict"  # edited by hand, and the file changed it otherwise
    CANCELLED = "cancelled"
    REJECTED = "rejected"


@dataclasses.dataclass
class ImportReport:
    """What an import did, in counts, with the problems and warnings to show."""

    name: str
    counts: dict[str, int] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(
            (
                "rows",
                "created",
                "updated",
                "moved",
                "unchanged",
                "kept",
                "kept removed",
                "first matched",
                "conflicts",
                "cancelled",
                "rejected",
                "selections",
                "selections created",
                "selections updated",
                "selections kept",
                "selections with conflicts",
                "films kept",
                "films with conflicts",
                "nominations created",
                "nominations updated",
                "nominations unchanged",
                "nominations kept",
                "nominations with conflicts",
                "films updated",
                "programmes",
                "programmes changed",
                "programmes kept",
                "programmes with conflicts",
                "travel created",
                "travel updated",
                "travel unchanged",
            ),
            0,
        )
    )
    new: dict[str, list[str]] = dataclasses.field(
        default_factory=lambda: {
            k: []
            for k in ("festivals", "editions", "films", "people", "venues", "awards", "programmes")
        }
    )
    new_counts: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    issues: list[RowIssue] = dataclasses.field(default_factory=list)  # errors: rejected rows
    warnings: list[Said] = dataclasses.field(default_factory=list)
    possible_moves: list[Said] = dataclasses.field(default_factory=list)
    conflicts: list[Said] = dataclasses.field(default_factory=list)  # file and hand edit disagree
    edition_ids: set[int] = dataclasses.field(default_factory=set)
    # The clashes of the screenings the import made or changed ("venue overlap: ..."):
    # how many, and the first few (a first import of a large file may have 100,000).
    clashes: list[str] = dataclasses.field(default_factory=list)
    clash_count: int = 0
    bumped: int = 0  # other screenings whose film or selection changed

    def created(self, kind: str, label: str) -> None:
        """Count a new record; name the first few (a big file creates thousands)."""
        self.new_counts[kind] += 1
        if len(self.new[kind]) < NAMED_NEW:
            self.new[kind].append(label)


# --- frab schedules (services.frab -> exporters.frab) -----------------------------------


# What a title says of a screening where the format has no field for it (a frab event's
# title, an .ics SUMMARY): written by the exporters, read back by the importers.
STATUS_MARKS = {"cancelled": "Cancelled: ", "postponed": "Postponed: ", "tentative": "Tentative: "}
PRIVATE_MARK = "Private: "


def marked(title: str, status: str, private: bool, marks: tuple[str, ...]) -> str:
    """``title`` with the marks of ``status`` and privacy that ``marks`` names."""
    said = STATUS_MARKS.get(status, "") if status in marks else ""
    return said + (PRIVATE_MARK if private and "private" in marks else "") + title


def unmarked(title: str) -> tuple[str, str | None, bool]:
    """(the title, its status, whether private) from a title ``marked`` wrote."""
    status = None
    for name, mark in STATUS_MARKS.items():
        if title.startswith(mark) and len(title) > len(mark):
            title, status = title[len(mark) :], name
            break
    private = title.startswith(PRIVATE_MARK) and len(title) > len(PRIVATE_MARK)
    return (title[len(PRIVATE_MARK) :] if private else title), status, private


class FrabPerson(NamedTuple):
    """A director, as a frab event lists its persons."""

    id: int
    guid: str
    name: str


class FrabLink(NamedTuple):
    """A link of a frab event: ``type`` is one of the C3VOC schema's (web, media, ...)."""

    url: str
    title: str
    type: str


class FrabRoom(NamedTuple):
    """A room of a frab schedule: a venue, or the city of screenings with none."""

    name: str
    guid: str


class FrabEvent(NamedTuple):
    """One screening as a frab event. ``start`` is aware, in the screening's own zone."""

    id: int
    guid: str
    room: str
    title: str
    subtitle: str
    track: str | None
    type: str
    start: dt.datetime
    duration_minutes: int
    abstract: str
    description: str
    slug: str
    language: str | None
    persons: tuple[FrabPerson, ...]
    links: tuple[FrabLink, ...]
    url: str
    # What the catalogue says of it beyond frab's fields (its film's year, its venue's
    # city, its zone, a programme's films, ...): schedule.json carries them beside the
    # schedule, for ``import`` to read back (docs/output.md, "Our own schedule facts").
    facts: dict[str, Any] | None = None


class FrabDay(NamedTuple):
    """A festival day: from ``start`` to ``end`` (its day's start the next day), with its
    rooms' events, each room once, in the order of the conference's rooms."""

    number: int  # its index, from 1
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    rooms: tuple[tuple[FrabRoom, tuple[FrabEvent, ...]], ...]


class FrabConference(NamedTuple):
    """What a frab schedule says of itself. ``zone`` is None where the schedule's zones
    have none in common; ``url`` is the edition's page, for one edition."""

    acronym: str
    title: str
    start: dt.date
    end: dt.date
    days: int
    timeslot_minutes: int
    zone: str | None
    url: str | None
    base_url: str


class FrabSchedule(NamedTuple):
    """A frab schedule: the conference, its rooms, and its days (a stream, to read
    inside the session's unit of work), with how many events and what was left out."""

    conference: FrabConference
    rooms: tuple[FrabRoom, ...]
    days: Iterator[FrabDay]
    size: int  # events
    notes: list[str]
