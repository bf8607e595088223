"""Festival lineups as spreadsheets export them -> clean records, or precise complaints.

``parse_lineup`` reads one CSV file (``parse_lineup_files`` a films file and a
screenings file joined on ``film_id``) and yields, row by row, a record
(``LineupRow``, ``FilmRow``, ``AwardRow``, ``TravelRow``) or a ``RowIssue`` that names the
file, the physical line, the column, the raw value and what was expected.
Pure: no database, no printing; it never raises for bad input. It streams:
memory does not grow with the number of rows (a file read twice to decide its
date order is read from disk twice; standard input is spooled first).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import Any, BinaryIO, TypeVar

from screenings import rules
from screenings.digests import Digester
from screenings.errors import InvalidInput
from screenings.keys import name_key
from screenings.parsers import frab, ics
from screenings.parsers.table import (
    BLANKS,
    MAX_LINE_BYTES,
    Cells,
    Table,
    Written,
    misread_utf8,
    open_table,
    spooled,
    text_codec,
)
from screenings.records import (
    TRAVEL_FIELDS,
    AwardRow,
    FilmFields,
    FilmRow,
    LineSet,
    LineupRow,
    NotQuick,
    RowIssue,
    TravelRow,
    Unread,
    shorten,
)
from screenings.timeparse import parse_time, parse_when, time_unknown

_T = TypeVar("_T")

FILE_KINDS = (
    "lineup",
    "films",
    "screenings",
    "selections",
    "awards",
    "programmes",
    "travel",
    "frab",  # a frab schedule (parsers.frab), told from its content
    "ics",  # an iCalendar feed (parsers.ics), told from its content
)

# Column names as spreadsheets write them -> fields. Matched on their key
# (case and accents ignored, punctuation as spaces).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "film", "film title", "titre"),
    "original_title": ("original title",),
    "directors": ("director", "directors", "director s", "directed by"),
    "year": ("year", "film year", "production year"),
    "countries": ("country", "countries"),
    "languages": ("language", "languages"),
    "imdb_id": ("imdb", "imdb id"),
    "runtime": ("runtime", "length", "running time"),
    "duration": ("duration", "slot"),
    "end": ("end", "ends", "end time"),
    "festival": ("festival",),
    "edition": ("edition", "year of festival", "festival year"),
    "section": ("section", "strand", "programme", "program"),
    # Rows that share a Block cell and a slot are one screening of that programme.
    "block": ("block", "shorts block", "package"),
    # A programmes file: a block's films in order, and the line shown with each.
    "position": ("position", "order", "running order"),
    "extra": ("extra", "extra line"),
    "premiere": ("premiere",),
    "venue": ("venue", "cinema", "location", "screen"),
    "city": ("city",),
    "date": ("date", "day"),
    "time": ("time",),
    "start": ("start", "starts", "date time", "date and time", "datetime"),
    "timezone": ("timezone", "time zone", "tz"),
    "kind": ("kind", "type"),
    "audience": ("audience",),
    "visibility": ("visibility",),
    "private": ("private",),
    "status": ("status",),
    "ticket_url": ("ticket url", "tickets", "ticket link", "booking"),
    "notes": ("notes", "note", "comments"),
    "id": ("screening id", "id", "code"),
    "film_id": ("film id",),
    "award": ("award",),
    "presenter": ("presenter", "presented by"),
    "category": ("category",),
    "person": ("person", "nominee"),
    "result": ("result",),
    # A travel file: the minutes between two venues, the same both ways.
    "from": ("from", "from venue", "venue a"),
    "to": ("to", "to venue", "venue b"),
    "minutes": ("minutes", "travel time", "travel minutes", "walk"),
}
CREDIT_COLUMNS = {
    "producer": "producer",
    "producers": "producer",
    "writer": "writer",
    "writers": "writer",
    "editor": "editor",
    "editors": "editor",
    "cinematographer": "cinematographer",
    "cinematography": "cinematographer",
    "director of photography": "cinematographer",
    "composer": "composer",
    "music": "composer",
}
LINK_COLUMNS = {"website": "website", "trailer": "trailer", "web doc": "interactive"}
FIELDS = tuple(ALIASES)
IGNORE = "ignore"
READING = 1
_QUICK_BLOCK = 256 * 1024  # bytes a QuickFile reads at a time
PROGRAMME_WORDS = {"programme", "program"}  # a Section column a reader may take for a Block
MAX_POSITION = 10_000  # a film's place in a programme: far more than any programme has
"""How this module reads a row: a change to it that can read the same cells otherwise
makes it count up, and every fingerprint made before then is old (``Unread``)."""

_TRUE = {"yes", "y", "true", "x", "1", "private"}
_FALSE = {"no", "n", "false", "0", "", "public"}
_PEOPLE = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
_LIST = re.compile(r"\s*[,;/]\s*")
_MINUTES = re.compile(
    r"^(?:(?P<min>\d{1,4})\s*(?:min|mins|minutes|m|')?"
    r"|(?P<h>\d{1,2})\s*h\s*(?:(?P<hm>\d{1,2})\s*(?:min|m)?)?"
    r"|(?P<hh>\d{1,2}):(?P<mm>\d{2}))$",
    re.IGNORECASE,
)
_IMDB = re.compile(r"(tt\d{7,9})")
# Where the catalogue keeps each field's cell, as (table, column): the rules of a value
# (screenings.rules) say how long it may be there (LENGTHS) and whether it may hold
# several lines (MULTILINE), as they do for every other door; a cell they refuse is a
# row error here, never a failure of the database. A field not listed is read into
# something else (a date, a number, a word of a closed set, a list) or not kept; its
# cell is clean text all the same. A web address and a zone go to their own rules.
LANDS_IN: dict[str, tuple[str, str]] = {
    "title": ("film", "title"),
    "original_title": ("film", "original_title"),
    "festival": ("festival", "name"),
    "section": ("selection", "section"),
    "block": ("programme", "title"),
    "extra": ("programme_film", "extra"),
    "premiere": ("selection", "premiere"),
    "venue": ("venue", "name"),
    "city": ("screening", "city"),  # or the venue's: as long
    "timezone": ("screening", "timezone"),
    "kind": ("screening", "kind"),
    "audience": ("screening", "audience"),
    "ticket_url": ("screening", "ticket_url"),
    "notes": ("screening", "notes"),  # or the selection's: both of several lines, any length
    "id": ("screening", "external_id"),
    "award": ("award", "name"),
    "presenter": ("award", "presenter"),
    "category": ("nomination", "category"),
    "person": ("person", "name"),
    "from": ("venue", "name"),  # a venue's name, 'Name (City)', alias, slug or #ID
    "to": ("venue", "name"),
}
# The columns whose name is found again by its key (keys.name_key), as long as the name:
# a name whose key is longer is refused (rules.check_key_length).
KEYED = {("film", "title"), ("festival", "name"), ("venue", "name"), ("award", "name"),
         ("person", "name"), ("programme", "title")}  # fmt: skip
KEYED_FIELDS = {field for field, place in LANDS_IN.items() if place in KEYED}
# Each name in a cell of names (Director, a credit column) is a person's; a credit
# column's role and a link column's kind come from its name (or --map).
PERSON = ("person", "name")
CREDIT_ROLE = ("credit", "role")
LINK_KIND = ("film_link", "kind")
LINK_URL = {"website": ("film", "website")}  # other kinds: ("film_link", "url")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_TITLE_YEAR = re.compile(r"^(?P<title>.+?)\s*\((?P<year>1[89]\d\d|2[01]\d\d)\)$")
_TRAILING_YEAR = re.compile(r"^(?P<name>.+?)\s+(?P<year>1[89]\d\d|2[01]\d\d)$")


def _dated(match: re.Match[str] | None) -> re.Match[str] | None:
    """``match`` when its ``year`` is one the rules allow (``rules.MIN_YEAR`` to
    ``MAX_YEAR``): "Mothers (1850)" is a title, not "Mothers" of 1850."""
    if match is not None and rules.MIN_YEAR <= int(match["year"]) <= rules.MAX_YEAR:
        return match
    return None


@dataclass(frozen=True)
class LineupOptions:
    """How to read a lineup (the import command's options).

    ``mapping``: column -> field overrides (field ``ignore`` drops a column).
    ``dayfirst``: the order given for this import (``--dayfirst``/
    ``--monthfirst``); ``configured_dayfirst``: the user's setting, used only
    when the file's own dates do not settle it. ``festival``/``year``: the
    edition given on the command line (rows may name their own).
    ``force_encoding``: read the text as ``encoding`` (or UTF-8) says even where it
    looks misread (UTF-8 text read as another encoding, or garbled through cp1252).
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    file_kind: str | None = None
    encoding: str | None = None
    force_encoding: bool = False
    delimiter: str | None = None
    dayfirst: bool | None = None
    configured_dayfirst: bool | None = None
    day_starts_at: dt.time | None = None
    festival: str | None = None
    year: int | None = None
    timezone: str | None = None
    edition: str | None = None  # --edition: a schedule's events are put in it


@dataclass
class Parsed:
    """A file opened for parsing: what it is, how its columns map, then its records.

    ``unreadable``: why no row of it can be read, if so (its header, its encoding, its
    date order, standard input past its cap); ``rows`` is then that issue alone.
    """

    name: str
    kind: str
    mapping: list[tuple[str, str]]  # (column, field); field "" for an unknown column
    date_order: str | None  # "day/month", "month/day" or None (no numeric dates)
    date_order_reason: str | None
    rows: Iterator[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue | Unread]  # see items
    unreadable: RowIssue | None = None

    @property
    def items(self) -> Iterator[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue]:
        """Every record, read: ``rows`` leaves each screening row ``Unread`` (with its
        fingerprint) for an importer to read only if it must."""
        return (row.read() if isinstance(row, Unread) else row for row in self.rows)


def describe_mapping(parsed: Parsed) -> list[str]:
    """The mapping as lines for ``--show-mapping``."""
    width = max((len(shorten(c)) for c, _ in parsed.mapping), default=0)
    article = "an" if parsed.kind[0] in "aeiou" else "a"
    lines = [f"{parsed.name}: {article} {parsed.kind} file"]
    for column, target in parsed.mapping:
        shown = target or "(unknown: ignored; --map COLUMN=FIELD to use it)"
        lines.append(f"  {shorten(column).ljust(width)}  -> {shown}")
    if parsed.date_order:
        lines.append(f"  numeric dates read {parsed.date_order} ({parsed.date_order_reason})")
    return lines


def parse_lineup(
    stream: BinaryIO, name: str, options: LineupOptions | None = None, known: Known | None = None
) -> Parsed:
    """Open one lineup, films, screenings, selections, awards, programmes or travel file
    for parsing; the rows ``known`` unchanged (``QuickFile.known``) are passed over.

    ``stream`` is the file's bytes; ``name`` is how issues name it. A file
    whose header cannot be used gives a ``Parsed`` whose only item is the issue.
    """
    options = options or LineupOptions()
    if options.festival:
        # The festival of rows that name none, so a festival's name: its rules.
        try:
            rules.clean_text(
                options.festival, what="--festival", limit=_limit(LANDS_IN["festival"])
            )
        except InvalidInput as exc:
            return _failed(name, RowIssue(name, 0, None, None, exc.message))
    copy = spooled(stream, name)
    if isinstance(copy, RowIssue):
        return _failed(name, copy)
    stream = copy
    if options.file_kind in {None, "frab", "ics"}:
        head = stream.read(64)
        stream.seek(0)
        if options.file_kind == "ics" or (options.file_kind is None and ics.sniff(head)):
            return _ics(stream, name, options)
        if options.file_kind == "frab" or frab.sniff(head):
            return _frab(stream, name, options)
    if options.encoding is not None and not options.force_encoding:
        misread = misread_utf8(stream, name, options.encoding)
        if misread is not None:
            return _failed(name, misread)
    opened = open_table(
        stream,
        name,
        encoding=options.encoding,
        delimiter=options.delimiter,
        force_encoding=options.force_encoding,
    )
    if isinstance(opened, RowIssue):
        return _failed(name, opened)
    columns = _map_columns(opened, options)
    if isinstance(columns, RowIssue):
        return _failed(name, columns)
    kind = options.file_kind or _detect_kind(set(columns.values()))
    if kind not in FILE_KINDS:
        return _failed(
            name,
            RowIssue(
                name,
                opened.header_line,
                None,
                None,
                "cannot tell what kind of file this is from its columns ("
                + _listed(opened.header)
                + "); expected a lineup (title and date), a films "
                "file (film_id and title), a screenings file (film_id and date), a selections "
                "file (film and festival), an awards file (award), a programmes file "
                "(block and film, no date) or a travel file (from, to and minutes); or pass "
                "--file-kind",
            ),
        )
    columns = _read_by(kind, columns)
    mapping = [(c, columns.get(c, "")) for c in opened.header]
    order = (known.dayfirst, known.reason) if known else _date_order(stream, name, options, columns)
    if isinstance(order, RowIssue):
        return _failed(name, order, kind, mapping)
    dayfirst, reason = order
    stream.seek(0)
    reopened = open_table(
        stream,
        name,
        encoding=options.encoding,
        delimiter=opened.delimiter,
        force_encoding=options.force_encoding,
    )
    assert not isinstance(reopened, RowIssue)
    if known:
        reopened.pass_over(known.lines)
    reader = _RowReader(
        name,
        reopened.header,
        columns,
        options,
        dayfirst,
        reason,
        kind=kind,
        delimiter=reopened.delimiter,
    )
    items = _items(reopened, reader, kind, mapping, opened.header_line)
    shown_order = None if dayfirst is None else ("day/month" if dayfirst else "month/day")
    return Parsed(name, kind, mapping, shown_order, reason, items)


@dataclass
class QuickFile:
    """A lineup whose rows may have been imported before, read as its lines: enough to
    find each row's fingerprint without reading it (``quick_read``). Its rows are read
    again for each question, a block at a time, so that a file of a million rows is never
    held whole."""

    name: str
    kind: str
    mapping: list[tuple[str, str]]
    delimiter: str
    options: LineupOptions
    stream: BinaryIO
    data_start: int  # the header's last line
    dates: list[int]  # the positions of the date columns

    def orders(self) -> tuple[bool | None, ...]:
        """The numeric date orders its rows may have been read with."""
        given = self.options.dayfirst
        return (given,) if given is not None else (True, False, None)

    def _row_blocks(self) -> Iterator[tuple[Sequence[int], list[bytes]]]:
        """The rows not blank, a block at a time: their line numbers, and their lines as
        the whole way digests them (newline included); ``NotQuick`` at a line the whole
        way must read. A block is vouched for at once where it can be
        (``_plain_lines``), else line by line."""
        blank, blanks = (self.delimiter + " \t\r\n").encode(), self.delimiter + BLANKS
        for first, data, block, bare in self._blocks():
            skip = max(0, self.data_start + 1 - first)  # the header's lines
            lines = block[skip:] if skip else block
            if not bare and _plain_lines(data, lines, blank, blanks):
                yield range(first + skip, first + skip + len(lines)), lines
                continue
            numbers, kept = [], []
            for number, line in enumerate(lines, first + skip):
                left = line.strip(blank)
                if not _one_row(line, left):
                    raise NotQuick(number)
                if not left or (not left.isascii() and not left.decode("utf-8").strip(blanks)):
                    continue  # a blank row, as the whole way skips it
                numbers.append(number)
                kept.append(line)
            yield numbers, kept

    def _blocks(self) -> Iterator[tuple[int, bytes, list[bytes], bool]]:
        """The file's whole lines a block at a time: the first one's number, the
        block's bytes, its lines (each with its newline; the last line of the file may
        have none), and whether a carriage return in them ends no line. The stream is
        left at its start (the whole way reads it next)."""
        self.stream.seek(0)
        try:
            number, rest = 1, b""
            while block := self.stream.read(_QUICK_BLOCK):
                data = rest + block
                end = data.rfind(b"\n") + 1
                data, rest = data[:end], data[end:]
                lines = data.splitlines(keepends=True)
                bare = len(lines) != data.count(b"\n")  # a carriage return alone splits too
                if bare:
                    lines = [line + b"\n" for line in data[:-1].split(b"\n")]
                if len(rest) > MAX_LINE_BYTES:
                    raise NotQuick(number + len(lines))
                yield number, data, lines, bare
                number += len(lines)
            if rest:
                yield number, rest, [rest], b"\r" in rest
        finally:
            self.stream.seek(0)

    def digests(self, dayfirst: bool | None) -> Iterator[tuple[Sequence[int], list[bytes]]]:
        """The rows' line numbers and digests, as ``Unread`` has them, read with
        ``dayfirst``, a block at a time."""
        said = interpretation(self.kind, self.mapping, self.delimiter, dayfirst, self.options)
        digester = line_digester(said)
        for numbers, lines in self._row_blocks():
            yield numbers, list(digester.many(lines))

    def known(self, dayfirst: bool | None, held: LineSet, *, every: bool = False) -> Known | None:
        """The rows at the lines ``held`` (read with ``dayfirst`` before, and unchanged
        since; ``every``: they are all the file's rows) as ``Known`` to ``parse_lineup``,
        with the order of numeric dates the whole file settles as ``_date_order`` finds
        it: None if that may not be ``dayfirst`` (a row not held that reads otherwise, or
        no date that settles it), and the file goes the whole way. A held row cannot
        disagree with ``dayfirst``: it was read so."""
        given = self.options.dayfirst
        if given is not None:
            return Known(given, "as given", held) if dayfirst == given else None
        try:
            return self._settled(dayfirst, held, every)
        except NotQuick:
            return None

    def _settled(self, dayfirst: bool | None, held: LineSet, every: bool) -> Known | None:
        settled: tuple[int, str] | None = None
        width = len(self.mapping)
        for first, _data, lines, _bare in self._blocks():
            at = max(0, self.data_start + 1 - first)
            while at < len(lines):
                number = first + at
                # Held rows are of the header's width and were read with the order: once
                # the order is settled (or needs none), a run of them needs no look, and
                # when every row is held, neither does the rest of the file.
                if (settled or dayfirst is None) and every:
                    return _known(dayfirst, settled, held)
                if (settled or dayfirst is None) and (passed := held.run(number)):
                    at += passed
                    continue
                at += 1
                cells = _cells(lines[at - 1], self.delimiter)
                if len(cells) > width and any(cell.strip(BLANKS) for cell in cells[width:]):
                    return _known(dayfirst, settled, held)  # where the date-order pass stops
                for reads, value in self._dates_read(cells):
                    if dayfirst is None:
                        return None  # a numeric date that needs an order, read with none
                    if reads is not None and reads != dayfirst and number not in held:
                        return None  # read otherwise: the file's dates disagree, or flip
                    if reads == dayfirst and settled is None:
                        settled = (number, value)
        return _known(dayfirst, settled, held)

    def _dates_read(self, cells: list[str]) -> Iterator[tuple[bool | None, str]]:
        """The row's numeric dates that need an order of numeric dates, each with the
        order it alone reads with (None: either)."""
        for position in self.dates:
            value = cells[position].strip(BLANKS) if position < len(cells) else ""
            match = _NUMERIC_DATE.match(value)
            if not match:
                continue
            a, b = int(match[1]), int(match[2])
            if a > 12 >= b or b > 12 >= a:
                yield a > 12, value
            elif a != b:
                yield None, value  # either way: the order read it
            # else the same both ways


def _known(dayfirst: bool | None, settled: tuple[int, str] | None, held: LineSet) -> Known | None:
    """What ``QuickFile.known`` finds once it has found the line that settles the order
    (``settled``), if any."""
    if dayfirst is None:
        return Known(None, None, held)
    if settled is None:
        return None
    return Known(dayfirst, f"settled by line {settled[0]}: {settled[1]!r}", held)


@dataclass(frozen=True)
class Known:
    """Rows of a file known unchanged since its last import (``services.skipping``),
    which ``parse_lineup`` passes over unread, and the order of numeric dates the file
    settles (``QuickFile.known``), which it then need not find."""

    dayfirst: bool | None
    reason: str | None
    lines: LineSet


def _cells(line: bytes, delimiter: str) -> list[str]:
    """A line's cells, as ``csv`` reads them (a line ``_one_row`` let through)."""
    text = line.decode("utf-8")
    if '"' in text:
        try:
            return next(csv.reader([text], delimiter=delimiter), [])
        except csv.Error:
            raise NotQuick(0) from None
    return text.rstrip("\r\n").split(delimiter)


def _plain_lines(data: bytes, lines: list[bytes], blank: bytes, blanks: str) -> bool:
    """Whether each of these lines (of ``data``, in which no carriage return is alone) is
    a row ``_one_row`` lets through and none is blank (``blank``: the file's delimiter
    and ASCII blanks; ``blanks``: the delimiter and every blank): then they need no look
    each. The same checks as ``_one_row``'s, a block at a time: change both."""
    if b"\x00" in data:
        return False
    if max(map(len, lines), default=0) > min(MAX_LINE_BYTES, csv.field_size_limit()):
        return False
    if b'"' in data and any(map((1).__and__, map(bytes.count, lines, repeat(b'"')))):
        return False  # an odd number of quotes: a cell may go on to the next line
    left = list(map(bytes.strip, lines, repeat(blank)))
    if not all(left):
        return False
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(rest[0] < 0x80 or rest.decode("utf-8").strip(blanks) for rest in left)


def _one_row(line: bytes, left: bytes) -> bool:
    """Whether the whole way reads ``line`` as a row of its own and goes on past it:
    none of what ends a file there (a byte that is not UTF-8, a line too long, what
    ``csv`` refuses: a carriage return inside the line, a cell over its size limit,
    a NUL), nor quotes that may go on to the next line. ``left``: the line stripped.
    ``_plain_lines`` checks the same of a block of lines at once: change both."""
    if len(line) > MAX_LINE_BYTES or len(line) > csv.field_size_limit():
        return False
    body = line[:-2] if line.endswith(b"\r\n") else line.removesuffix(b"\n")
    if b"\r" in body or b"\x00" in body:
        return False
    if b'"' in line and line.count(b'"') % 2:
        return False
    if not left.isascii():
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def line_digester(interpretation: bytes) -> Digester:
    """The digests of rows on one line: of their bytes and of how the file reads them."""
    return Digester(interpretation, b"line")


def cells_digester(interpretation: bytes) -> Digester:
    """The digests of rows over several lines: of their cells (``repr``) and of how the
    file reads them."""
    return Digester(interpretation, b"cells")


# A films file's film (``repr``), and a screening row joined to its film: both digests.
_FILM_DIGEST, _JOINED_DIGEST = Digester(b"", b"film"), Digester(b"", b"joined")


def quick_read(stream: BinaryIO, name: str, options: LineupOptions) -> QuickFile | None:
    """``stream`` as a ``QuickFile``: a CSV lineup in UTF-8 whose header is read as the
    whole way reads it and says nothing of it. None for any other file, which goes the
    whole way. Only the header is read here; the stream is left at its start."""
    if options.file_kind not in {None, "lineup"} or not stream.seekable():
        return None
    if options.encoding is not None and text_codec(options.encoding) not in {"utf-8", "utf-8-sig"}:
        return None
    head = stream.read(64)
    stream.seek(0)
    if ics.sniff(head) or frab.sniff(head):
        return None
    opened = open_table(
        stream, name, encoding=options.encoding, delimiter=options.delimiter,
        force_encoding=options.force_encoding,
    )  # fmt: skip
    stream.seek(0)
    if isinstance(opened, RowIssue) or opened.encoding not in {"utf-8", "utf-8-sig"}:
        return None
    columns = _map_columns(opened, options)
    if isinstance(columns, RowIssue):
        return None
    if (options.file_kind or _detect_kind(set(columns.values()))) != "lineup":
        return None
    columns = _read_by("lineup", columns)
    mapping = [(c, columns.get(c, "")) for c in opened.header]
    if next(_header_issues(name, opened.header_line, mapping), None) is not None:
        return None
    dates = [opened.header.index(c) for c, f in mapping if f in {"date", "start"}]
    return QuickFile(
        name, "lineup", mapping, opened.delimiter, options, stream, opened.lines_read, dates
    )


def _not_a_table(name: str, kind: str, options: LineupOptions) -> RowIssue | None:
    """A schedule or a feed has no columns, delimiter or encoding to choose: the options
    for those are refused rather than left unused."""
    given = [
        option
        for option, value in (
            ("--map", options.mapping),
            ("--delimiter", options.delimiter),
            ("--encoding", options.encoding),
        )
        if value
    ]
    if not given:
        return None
    what = "a frab schedule" if kind == frab.KIND else "an iCalendar feed"
    return RowIssue(name, 0, None, None, f"{given[0]}: only for CSV files; this is {what}")


def _frab(stream: BinaryIO, name: str, options: LineupOptions) -> Parsed:
    """A frab schedule (``parsers.frab``), as a lineup's rows."""
    if (refused := _not_a_table(name, frab.KIND, options)) is not None:
        return _failed(name, refused, frab.KIND, list(frab.MAPPING))
    read = frab.read_frab(
        stream,
        name,
        festival=options.festival,
        year=options.year,
        zone=options.timezone,
        edition=options.edition is not None,
    )
    if isinstance(read, RowIssue):
        return _failed(name, read, frab.KIND, list(frab.MAPPING))
    _, rows = read
    return Parsed(name, frab.KIND, list(frab.MAPPING), None, None, rows)


def _ics(stream: BinaryIO, name: str, options: LineupOptions) -> Parsed:
    """An iCalendar feed (``parsers.ics``), as a lineup's rows; what reading it says
    (recurrences expanded, blocks of films) first, as warnings."""
    if (refused := _not_a_table(name, ics.KIND, options)) is not None:
        return _failed(name, refused, ics.KIND, list(ics.MAPPING))
    read = ics.read_ics(
        stream, name, festival=options.festival, year=options.year, zone=options.timezone
    )
    if isinstance(read, RowIssue):
        return _failed(name, read, ics.KIND, list(ics.MAPPING))
    said = [RowIssue(name, 0, None, None, note, severity="warning") for note in read.notes]
    return Parsed(name, ics.KIND, list(ics.MAPPING), None, None, iter([*said, *read.rows]))


def file_kind(stream: BinaryIO, name: str, options: LineupOptions | None = None) -> str:
    """What kind of file ``stream`` is, from its header alone ("unknown" when it cannot
    be told); the stream is left at its start."""
    options = options or LineupOptions()
    opened = open_table(
        stream, name, encoding=options.encoding, delimiter=options.delimiter, force_encoding=True
    )  # its columns' names are enough: reading the file refuses garbled text
    columns = _map_columns(opened, options) if not isinstance(opened, RowIssue) else opened
    stream.seek(0)
    if isinstance(columns, RowIssue):
        return "unknown"
    return options.file_kind or _detect_kind(set(columns.values()))


def parse_lineup_files(
    films: BinaryIO,
    films_name: str,
    screenings: BinaryIO,
    screenings_name: str,
    options: LineupOptions | None = None,
) -> Parsed:
    """A two-file lineup: every film row, then every screening row with its film joined
    on ``film_id``. A screening whose film_id the films file lacks is an issue."""
    options = options or LineupOptions()
    films_parsed = parse_lineup(films, films_name, _kind(options, "films"))
    parsed = parse_lineup(screenings, screenings_name, _kind(options, "screenings"))
    items = _joined(films_parsed, parsed)
    mapping = films_parsed.mapping + parsed.mapping
    name = f"{films_name} + {screenings_name}"
    unreadable = films_parsed.unreadable or parsed.unreadable
    return Parsed(
        name, "lineup", mapping, parsed.date_order, parsed.date_order_reason, items, unreadable
    )


def _joined(films: Parsed, screenings: Parsed) -> Iterator[LineupRow | FilmRow | RowIssue | Unread]:
    known: dict[str, tuple[FilmFields, bytes]] = {}  # by film_id: the film, its digest
    for item in films.items:
        if isinstance(item, FilmRow) and item.film.film_id:
            digest = _FILM_DIGEST.one(repr(item.film).encode())
            known[item.film.film_id] = (item.film, digest)
        if isinstance(item, FilmRow | RowIssue):
            yield item
    film_id_column = next((c for c, f in screenings.mapping if f == "film_id"), "film_id")
    joined: _Joined | None = None
    for row in screenings.rows:
        if isinstance(row, Unread) and isinstance(row.source, _RowReader):
            joined = joined or _Joined(known, row.source, film_id_column, films.name)
            film = known.get(row.source.as_written(row.row, "film_id"))
            if film is not None:  # its fingerprint is of its cells and of its film's
                digest = _JOINED_DIGEST.one(row.digest + film[1])
                yield row._replace(digest=digest, source=joined)
                continue
            row = joined.read(row.row)  # noqa: PLW2901 -- no such film, or not as written
        if isinstance(row, LineupRow | RowIssue):
            yield row


class _Joined:
    """Reads a screenings file's rows with their films, from the films file by film_id."""

    def __init__(
        self,
        known: dict[str, tuple[FilmFields, bytes]],
        reader: _RowReader,
        film_id_column: str,
        films_name: str,
    ) -> None:
        self.known = known
        self.reader = reader
        self.film_id_column = film_id_column
        self.films_name = films_name

    def read(self, row: Cells | Written) -> LineupRow | RowIssue:
        item = self.reader.read(row)
        if not isinstance(item, LineupRow):
            return item  # type: ignore[no-any-return]
        film = self.known.get(item.film.film_id or "")
        if film is None:
            return RowIssue(
                self.reader.name,
                item.line,
                self.film_id_column,
                item.film.film_id,
                f"no film with this film_id in {self.films_name}",
                "error",
                None,
                item.external_id,
            )
        return item._replace(film=film[0])

    def spelling(self, row: Cells | Written) -> tuple[str | None, int | None, str | None] | None:
        """The edition the row names."""
        return self.reader.spelling(row)

    def named(self, row: Cells | Written) -> tuple[str, str, str]:
        """The title of the row's film (the films file's), the venue and city it names."""
        film = self.known.get(self.reader.as_written(row, "film_id"))
        title = (film[0].title or "") if film is not None else ""
        _title, venue, city = self.reader.named(row)
        return title, venue, city


def _kind(options: LineupOptions, kind: str) -> LineupOptions:

    return replace(options, file_kind=options.file_kind or kind)


def _failed(
    name: str, issue: RowIssue, kind: str = "unknown", mapping: list[tuple[str, str]] | None = None
) -> Parsed:
    return Parsed(name, kind, mapping or [], None, None, iter([issue]), issue)


def _listed(columns: Sequence[str]) -> str:
    """Column names as a message lists them: the first 20, each cut as a cell is."""
    shown = ", ".join(shorten(c) for c in columns[:20])
    return shown + (f", and {len(columns) - 20:,} more" if len(columns) > 20 else "")


def _map_columns(table: Table, options: LineupOptions) -> dict[str, str] | RowIssue:
    by_key = {_column_key(a): f for f, aliases in ALIASES.items() for a in aliases}
    # "--map Crew='Credit: Sound Design'" as a column of that name would read:
    # "credit: sound_design" (the open vocabularies are lower-case words).
    overrides = {
        _column_key(c): f if f in FIELDS or f == IGNORE else _credit_or_link(f)
        for c, f in options.mapping.items()
    }
    header_keys = {_column_key(c) for c in table.header}
    for column, target in options.mapping.items():
        if _column_key(column) not in header_keys:
            return RowIssue(
                table.name,
                table.header_line,
                column,
                None,
                f"--map: the file has no column {shorten(column)!r}; its columns: "
                + _listed(table.header),
            )
        if target not in FIELDS and target != IGNORE and not _credit_or_link(target):
            return RowIssue(
                table.name,
                table.header_line,
                column,
                target,
                f"--map: unknown field {target!r}; expected one of "
                + ", ".join(FIELDS)
                + ", 'credit: ROLE', 'link: KIND' or ignore",
            )
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for column in table.header:
        key = _column_key(column)
        target = overrides.get(key) or by_key.get(key) or _credit_or_link(column) or ""
        if target == IGNORE:
            columns[column] = IGNORE
            continue
        if target and not target.startswith(("credit:", "link:")) and target in seen:
            return RowIssue(
                table.name,
                table.header_line,
                column,
                None,
                f"both {shorten(seen[target])!r} and {shorten(column)!r} are the {target} column; "
                f"--map one of them to another field or to ignore",
            )
        if target:
            seen[target] = column
            columns[column] = target
        if target.startswith(("credit:", "link:")):
            credit = target.startswith("credit:")
            what = "its credit role" if credit else "its link kind"
            try:
                word = rules.open_word(
                    target.split(":", 1)[1],
                    what=what,
                    limit=_limit(CREDIT_ROLE if credit else LINK_KIND) or sys.maxsize,
                )
            except InvalidInput as exc:
                return RowIssue(table.name, table.header_line, column, None, exc.message)
            if not word:
                return RowIssue(table.name, table.header_line, column, None, f"{what}: empty")
            columns[column] = f"{'credit' if credit else 'link'}: {word}"
    return columns


_PREFIXED = re.compile(r"^\s*(?:credit|link)\b[\W_]*(?P<rest>.*?)\s*$", re.IGNORECASE | re.DOTALL)


def _column_key(column: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", name_key(column)).split())


def _credit_or_link(column: str) -> str:
    """The credit or link a column (or a --map target) names: "credit: ROLE" or "link:
    KIND", the role or kind as written; "" for neither."""
    key = _column_key(column)
    if key in CREDIT_COLUMNS:
        return f"credit: {CREDIT_COLUMNS[key]}"
    if key in LINK_COLUMNS:
        return f"link: {LINK_COLUMNS[key]}"
    for prefix in ("credit ", "link "):
        if key.startswith(prefix) and key[len(prefix) :].strip():
            # The role or kind as written after its prefix ("Credit: Éditeur"), read by
            # the open-word rule in _map_columns as the command line's --credit is.
            written = _PREFIXED.match(column)
            rest = written["rest"] if written else key[len(prefix) :]
            return f"{prefix.strip()}: {rest}"
    return ""


def _detect_kind(fields: set[str]) -> str:
    dated = bool(fields & {"date", "start", "time"})
    if fields >= TRAVEL_FIELDS and "title" not in fields:
        return "travel"
    if "award" in fields:
        return "awards"
    if "block" in fields and "title" in fields and not dated:
        return "programmes"
    if "film_id" in fields and "title" not in fields and dated:
        return "screenings"
    if "film_id" in fields and not dated and "venue" not in fields:
        return "films"
    if "title" in fields and (dated or "venue" in fields):
        return "lineup"
    if "title" in fields and fields & {"festival", "edition"}:
        return "selections"
    return "unknown"


def _read_by(kind: str, columns: dict[str, str]) -> dict[str, str]:
    """The columns a file of ``kind`` reads: a travel file its From, To and Minutes
    alone (``TRAVEL_FIELDS``), any other kind all but those; a column left out is an
    unknown column, and its warning says so (a lineup's Minutes may be its runtime:
    --map reads it so)."""
    travel = kind == "travel"
    return {c: f for c, f in columns.items() if f == IGNORE or (f in TRAVEL_FIELDS) == travel}


def _date_order(
    stream: BinaryIO, name: str, options: LineupOptions, columns: Mapping[str, str]
) -> tuple[bool | None, str | None] | RowIssue:
    """Numeric day/month order: given; else settled by the file's own dates; else the
    configured setting; else an issue showing a row that reads both ways."""
    if options.dayfirst is not None:
        return options.dayfirst, "as given"
    date_columns = [c for c, f in columns.items() if f in {"date", "start"}]
    if not date_columns:
        return None, None
    stream.seek(0)
    # Only the dates matter here: the real pass refuses garbled text, unless forced.
    table = open_table(
        stream, name, encoding=options.encoding, delimiter=options.delimiter, force_encoding=True
    )
    if isinstance(table, RowIssue):
        return table
    positions = [table.header.index(c) for c in date_columns]
    dayfirst_at = monthfirst_at = ambiguous_at = None
    seen: set[str] = set()  # a value read once settles what it can
    for line, values in table.cells_at(positions):  # the real pass reports what is wrong
        for position, value in zip(positions, values, strict=True):
            if value in seen:
                continue
            seen.add(value)
            match = _NUMERIC_DATE.match(value)
            if not match:
                continue
            a, b = int(match[1]), int(match[2])
            where = (line, table.header[position], value)
            if a > 12 >= b:
                dayfirst_at = dayfirst_at or where
            elif b > 12 >= a:
                monthfirst_at = monthfirst_at or where
            elif a != b:
                ambiguous_at = ambiguous_at or where
    if dayfirst_at and monthfirst_at:
        return RowIssue(
            name,
            monthfirst_at[0],
            monthfirst_at[1],
            monthfirst_at[2],
            f"dates disagree on day/month order: line {dayfirst_at[0]} has {dayfirst_at[2]!r} "
            f"(day first) and line {monthfirst_at[0]} {monthfirst_at[2]!r} (month first)",
        )
    if dayfirst_at or monthfirst_at:
        line, _column, value = dayfirst_at or monthfirst_at  # type: ignore[misc]
        return dayfirst_at is not None, f"settled by line {line}: {value!r}"
    if ambiguous_at is None:
        return None, None
    if options.configured_dayfirst is not None:
        return options.configured_dayfirst, "the configured date order"
    line, column, value = ambiguous_at
    return RowIssue(
        name,
        line,
        column,
        value,
        f"{value!r} reads as day/month or month/day, and no date in the file settles it; "
        "pass --dayfirst or --monthfirst",
    )


def _header_issues(
    name: str, header_line: int, mapping: list[tuple[str, str]]
) -> Iterator[RowIssue]:
    """What the header says before any row: columns left unread, a section column that
    may be a block."""
    for column, target in mapping:
        if not target:
            yield RowIssue(
                name,
                header_line,
                column,
                None,
                "unknown column, ignored; --map COLUMN=FIELD to use it, or COLUMN=ignore",
                "warning",
            )
    targets = {target for _, target in mapping}
    for column, target in mapping:
        if target == "section" and name_key(column) in PROGRAMME_WORDS and "block" not in targets:
            yield RowIssue(
                name,
                header_line,
                column,
                None,
                "read as the section; several films shown as one screening (a shorts block) "
                f"are a Block column: --map '{column}=block' to read it so",
                "warning",
            )


def interpretation(
    kind: str, mapping: list[tuple[str, str]], delimiter: str, dayfirst: bool | None,
    options: LineupOptions,
) -> bytes:  # fmt: skip
    """How a file reads any of its rows: every row's fingerprint starts with it."""
    return repr((READING, kind, mapping, delimiter, dayfirst, options)).encode()


def _items(
    table: Table, reader: _RowReader, kind: str, mapping: list[tuple[str, str]], header_line: int
) -> Iterator[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue | Unread]:
    yield from _header_issues(table.name, header_line, mapping)
    if kind not in {"lineup", "screenings"}:
        for cells in table.rows():
            yield cells if isinstance(cells, RowIssue) else reader.read(cells)
        return
    line_digest = line_digester(reader.interpretation).one
    cells_digest = cells_digester(reader.interpretation).one
    for row in table.rows_as_written():
        if isinstance(row, RowIssue):
            yield row
            continue
        # The row's bytes (or, over several lines, its cells exactly: their repr) and how
        # they are read.
        if isinstance(row, Written):
            digest = line_digest(row.data)
        else:
            digest = cells_digest(repr(row.values).encode())
        where = (reader.as_written(row, "festival"), reader.as_written(row, "edition"))
        yield Unread(table.name, row.line, digest, row, reader, where)


class _Bad(Exception):
    def __init__(self, column: str | None, value: str | None, message: str) -> None:
        super().__init__(message)
        self.column, self.value, self.message = column, value, message


class _Remembered:
    """What values already read read as, by kind of value: up to ``LIMIT`` of a kind, then
    forgotten all at once and learnt again, so that memory stays the same however long
    the file (more of them cost a 1,000,000-row import 40 MB for little speed)."""

    LIMIT = 8192

    def __init__(self) -> None:
        self.kinds: dict[str, dict[Any, Any]] = defaultdict(dict)

    def get(self, kind: str, key: Any) -> Any:
        return self.kinds[kind].get(key)

    def keep(self, kind: str, key: Any, value: Any) -> Any:
        known = self.kinds[kind]
        if len(known) >= self.LIMIT:
            known.clear()
        known[key] = value
        return value


class _RowReader:
    """Reads one row's cells into a record, raising ``_Bad`` at the first bad value."""

    def __init__(
        self,
        name: str,
        header: Sequence[str],
        columns: Mapping[str, str],
        options: LineupOptions,
        dayfirst: bool | None,
        order_reason: str | None = None,
        *,
        kind: str = "lineup",
        delimiter: str = ",",
    ) -> None:
        self.name = name
        self.options = options
        self.dayfirst = dayfirst
        # Why the numeric date order is what it is, for a date it refuses.
        self.order_said = {
            "as given": "order given for this import",
            "the configured date order": "order configured",
        }.get(order_reason or "", f"order {order_reason}" if order_reason else "order set here")
        self.index: dict[str, int] = {}
        self.column: dict[str, str] = {}
        self.extra: list[tuple[str, int, str]] = []  # (target, index, column) credits/links
        # Each field's position, and the longest cell its column keeps (for raw()).
        self.spec: dict[str, tuple[int, int]] = {}
        self.plain = False  # the row's cells are all as the rules keep text: see _plain
        self.build: Callable[[Cells], Any] = {
            "lineup": self.lineup_row,
            "screenings": self.lineup_row,
            "selections": self.selection_row,
            "films": self.film_row,
            "awards": self.award_row,
            "programmes": self.programme_row,
            "travel": self.travel_row,
        }[kind]
        # How it reads any row (its part of every fingerprint: see ``Unread``).
        mapping = [(column, columns.get(column, "")) for column in header]
        self.interpretation = interpretation(kind, mapping, delimiter, dayfirst, options)
        # A value seen before reads as it did (a lineup repeats its dates, times, zones,
        # festivals and directors thousands of times): what it read as, by kind of value.
        self.remembered = _Remembered()
        for position, column in enumerate(header):
            target = columns.get(column, "")
            if target.startswith(("credit:", "link:")):
                self.extra.append((target, position, column))
            elif target and target != IGNORE:
                self.index[target] = position
                self.column[target] = column
                self.spec[target] = (position, _limit(LANDS_IN.get(target)) or sys.maxsize)

    # -- a row -------------------------------------------------------------------
    def read(self, row: Cells | Written) -> Any:
        """The row as a record of the file's kind, or the issue that refuses it."""
        if isinstance(row, Written):
            row = row.cells()
        self.plain = _plain(row.values)
        try:
            return self.build(row)
        except _Bad as bad:
            named = (self.cell(row, "title") or None, self.cell(row, "id") or None)
            return RowIssue(self.name, row.line, bad.column, bad.value, bad.message, "error",
                            *named)  # fmt: skip

    def spelling(self, row: Cells | Written) -> tuple[str | None, int | None, str | None] | None:
        """The festival, year and label of the edition the row names; None if refused."""
        written = (self.as_written(row, "festival"), self.as_written(row, "edition"))
        known = self.remembered.get("spelling", written)
        if known is None:
            cells = row.cells() if isinstance(row, Written) else row
            self.plain = _plain((self.cell(cells, "festival"), self.cell(cells, "edition")))
            try:
                known = self.edition(cells)
            except _Bad:
                known = ()
            self.remembered.keep("spelling", written, known)
        return known or None

    def named(self, row: Cells | Written) -> tuple[str, str, str]:
        """The film title, venue and city the row names, as written."""
        written = self.as_written
        return written(row, "title"), written(row, "venue"), written(row, "city")

    def as_written(self, row: Cells | Written, target: str) -> str:
        """The field's cell, trimmed or not: a key to what it reads as."""
        position = self.index.get(target)
        if position is None:
            return ""
        return row.raw[position] if isinstance(row, Written) else row.values[position]

    # -- cells -------------------------------------------------------------
    def cell(self, row: Cells, target: str) -> str:
        """The cell as it is (no check): what a rejected row named."""
        position = self.index.get(target)
        return row.values[position] if position is not None else ""

    def raw(self, row: Cells, target: str) -> str:
        """The field's cell as the catalogue keeps text (``rules.clean_text``: no control
        character, whitespace tidied, no longer than its column, several lines only where
        the column has them); "" when the file has no such column. ``_Bad`` if refused."""
        spec = self.spec.get(target)
        if spec is None:
            return ""
        value = row.values[spec[0]]
        if self.plain and len(value) <= spec[1] and (value.isascii() or target not in KEYED_FIELDS):
            return value  # clean_text would return it as it is
        place = LANDS_IN.get(target)
        value = self.ruled(
            rules.clean_text,
            target,
            value,
            limit=_limit(place),
            multiline=place in rules.MULTILINE,
        )
        if place in KEYED and not value.isascii():
            self.ruled(rules.check_key_length, target, value, key=name_key(value), limit=spec[1])
        return value

    def text(self, row: Cells, target: str) -> str | None:
        return self.raw(row, target) or None

    def ruled(self, rule: Callable[..., _T], target: str, value: str, **given: Any) -> _T:
        """``rule(value, **given)``, a rule of ``screenings.rules``, for the field's cell."""
        return _ruled(rule, self.column.get(target, target), value, **given)

    def bad(self, target: str, value: str, message: str) -> _Bad:
        return _Bad(self.column.get(target, target), value, message)

    def zone(self, row: Cells) -> str | None:
        """The row's zone as the catalogue keeps it (``rules.canonical_zone``), else the
        command line's (``--timezone``, judged by the same rule), else None."""
        value = self.cell(row, "timezone")
        if not value:
            return self.options.timezone
        known: str | None = self.remembered.get("zone", value)
        if known is None:
            # europe/london -> Europe/London, US/Eastern -> America/New_York
            known = self.remembered.keep(
                "zone", value, self.ruled(rules.canonical_zone, "timezone", value)
            )
        return known

    def url(self, row: Cells, target: str) -> str | None:
        """The field's web address (``rules.check_url``), or None for an empty cell."""
        value = self.cell(row, target)
        if not value:
            return None
        known: str | None = self.remembered.get("url", value)
        if known is None:
            limit = _limit(LANDS_IN[target])
            known = self.remembered.keep(
                "url", value, self.ruled(rules.check_url, target, value, limit=limit)
            )
        return known

    def programme_row(self, row: Cells) -> LineupRow:
        """A programmes file's row: a film's place in a block of an edition (its
        selection there too), at ``Position`` (else in row order), with its Extra line."""
        block = self.text(row, "block")
        if block is None:
            raise self.bad("block", "", "a programme (block) is required")
        selection = self.selection_row(row)
        position = None
        written = self.raw(row, "position")
        if written:
            if not written.isdigit() or not 1 <= int(written) <= MAX_POSITION:
                raise self.bad("position", written, "expected a position: 1, 2, 3, ...")
            position = int(written)
        return selection._replace(block=block, position=position, extra=self.text(row, "extra"))

    def integer_year(self, row: Cells, target: str) -> int | None:
        value = self.raw(row, target)
        if not value:
            return None
        known: int | None = self.remembered.get("year", value)
        if known is not None:
            return known
        if not re.fullmatch(r"\d{4}", value) or not rules.MIN_YEAR <= int(value) <= rules.MAX_YEAR:
            raise self.bad(target, value, "expected a year such as 2012")
        self.remembered.keep("year", value, int(value))
        return int(value)

    def minutes(self, row: Cells, target: str, *, least: int = 1) -> int | None:
        """The field's cell in minutes (105, "105 min", "1h45", "01:45"), at least
        ``least`` (a length is a minute or more; a travel time may be 0); None if empty."""
        value = self.raw(row, target)
        if not value:
            return None
        total: int | None = self.remembered.get("minutes", value)
        if total is None:
            match = _MINUTES.match(value)
            if not match:
                raise self.bad(target, value, "expected minutes: 105, 105 min, 1h45 or 01:45")
            if match["min"] is not None:
                total = int(match["min"])
            elif match["h"] is not None:
                total = int(match["h"]) * 60 + int(match["hm"] or 0)
            else:
                total = int(match["hh"]) * 60 + int(match["mm"])
            self.remembered.keep("minutes", value, total)
        if total < least:
            raise self.bad(target, value, "expected a length of at least a minute")
        return total

    # -- the film ------------------------------------------------------------
    def film(self, row: Cells, *, required: bool = True) -> FilmFields:
        title = self.text(row, "title")
        if required and not title:
            raise self.bad("title", "", "a title is required")
        imdb = self.raw(row, "imdb_id")
        imdb_id = None
        if imdb:
            match = _IMDB.search(imdb)
            if not match:
                raise self.bad("imdb_id", imdb, "expected an IMDb id such as tt2407504")
            imdb_id = match[1]
        credits: list[tuple[str, str]] = []
        links: list[tuple[str, str]] = []
        for target, position, column in self.extra:
            value = row.values[position]
            if not value:
                continue
            kind = target.split(":", 1)[1].strip()
            if target.startswith("credit:"):
                if not self.plain:
                    value = _ruled(rules.clean_text, column, value)
                credits.extend((kind, person) for person in _people(value, column))
            else:
                place = LINK_URL.get(kind, ("film_link", "url"))
                links.append((kind, _ruled(rules.check_url, column, value, limit=_limit(place))))
        return FilmFields(
            title=title,
            original_title=self.text(row, "original_title"),
            year=self.integer_year(row, "year"),
            directors=self.people(self.raw(row, "directors")),
            countries=self.split(self.raw(row, "countries")),
            languages=self.split(self.raw(row, "languages")),
            imdb_id=imdb_id,
            runtime_minutes=self.minutes(row, "runtime"),
            credits=tuple(credits),
            links=tuple(links),
            film_id=self.text(row, "film_id"),
        )

    def people(self, value: str) -> tuple[str, ...]:
        if not value:
            return ()
        known: tuple[str, ...] | None = self.remembered.get("people", value)
        if known is None:
            names = tuple(_people(value, self.column.get("directors")))
            known = self.remembered.keep("people", value, names)
        return known

    def split(self, value: str) -> tuple[str, ...]:
        if not value:
            return ()
        known: tuple[str, ...] | None = self.remembered.get("list", value)
        if known is None:
            known = self.remembered.keep("list", value, tuple(_split(value)))
        return known

    # -- the edition ----------------------------------------------------------
    def edition(self, row: Cells) -> tuple[str | None, int | None, str | None]:
        festival = self.text(row, "festival") or self.options.festival
        value = self.raw(row, "edition")
        known: tuple[str | None, int | None, str | None] | None
        known = self.remembered.get("edition", (festival, value))
        if known is None:
            read = self._edition(festival, value)
            known = self.remembered.keep("edition", (festival, value), read)
        return known

    def _edition(
        self, festival: str | None, value: str
    ) -> tuple[str | None, int | None, str | None]:
        if not value and festival and (trailing := _dated(_TRAILING_YEAR.match(festival))):
            # "Sheffield Doc/Fest 2013" in a Festival column: the festival and its edition.
            return trailing["name"], int(trailing["year"]), None
        if not value:
            return festival, self.options.year, None
        match = _YEAR.search(value)
        if not match:
            raise self.bad("edition", value, "expected the edition's year, e.g. 2013")
        if not rules.MIN_YEAR <= int(match[1]) <= rules.MAX_YEAR:
            raise self.bad(
                "edition", value, f"a year from {rules.MIN_YEAR} to {rules.MAX_YEAR}, e.g. 2013"
            )
        if festival and (trailing := _dated(_TRAILING_YEAR.match(festival))):
            if trailing["year"] != match[1]:
                raise self.bad(
                    "edition",
                    value,
                    f"the festival column says {festival!r}, a {trailing['year']} edition",
                )
            festival = trailing["name"]
        rest = (value[: match.start()] + value[match.end() :]).strip(" -,")
        label = rest if rest and name_key(rest) != name_key(festival or "") else None
        if label is not None:
            try:
                rules.check_length(label, what="its label", limit=rules.length("edition", "label"))
            except InvalidInput as exc:
                raise self.bad("edition", value, exc.message) from None
        return festival, int(match[1]), label

    # -- the date and time ------------------------------------------------------
    def when(
        self, row: Cells, year: int | None
    ) -> tuple[dt.date | None, dt.time | None, tuple[str, ...]]:
        start, date, time = self.raw(row, "start"), self.raw(row, "date"), self.raw(row, "time")
        notes: list[str] = []
        if start and (date or time):
            raise self.bad("start", start, "give the date and time in one column or two, not both")
        if start:
            target, text_date, text_time = "start", start, None
        else:
            target, text_date, text_time = "date", date, time
        if text_time and time_unknown(text_time):
            text_time = ""  # the time is not known yet: a screening with time TBA
        if not text_date:
            if text_time:
                raise self.bad("time", text_time, "a time with no date: a festival spans days")
            return None, None, ()
        parsed = self.remembered.get("date", (text_date, year))
        if parsed is None:
            try:
                parsed = parse_when(
                    text_date,
                    what="date",
                    dayfirst=self.dayfirst,
                    year=year,
                    order_said=self.order_said,
                )
            except InvalidInput as exc:
                raise self.bad(target, text_date, exc.detail) from None
            self.remembered.keep("date", (text_date, year), parsed)
        if parsed.offset is not None:
            raise self.bad(
                target,
                text_date,
                "an offset in a lineup: give the zone in a Timezone column instead",
            )
        if parsed.note:
            notes.append(parsed.note)
        day, local_time = parsed.day, parsed.time
        if text_time:
            if local_time is not None:
                raise self.bad("time", text_time, "the date column already has a time")
            local_time = self.remembered.get("time", text_time)
            if local_time is None:
                try:
                    local_time = self.remembered.keep("time", text_time, parse_time(text_time))
                except InvalidInput as exc:
                    raise self.bad("time", text_time, exc.detail) from None
        starts_at = self.options.day_starts_at
        if local_time is not None and starts_at is not None and local_time < starts_at:
            day = day + dt.timedelta(days=1)
            notes.append(
                f"{local_time:%H:%M} before the festival day's start at {starts_at:%H:%M}: "
                f"{day.isoformat()}, the next calendar day"
            )
        return day, local_time, tuple(notes)

    # -- records ---------------------------------------------------------------
    def lineup_row(self, row: Cells) -> LineupRow:
        film = self.film(row, required="film_id" not in self.index)
        festival, year, label = self.edition(row)
        day, time, notes = self.when(row, year)
        duration = self.minutes(row, "duration")
        end = self.raw(row, "end")
        if end:
            if duration is not None:
                raise self.bad("end", end, "give a duration or an end, not both")
            if time is None:
                raise self.bad("end", end, "an end time needs a start time")
            try:
                until = parse_time(end)
            except InvalidInput as exc:
                raise self.bad("end", end, exc.detail) from None
            duration = (
                dt.datetime.combine(day or dt.date.min, until)
                - dt.datetime.combine(day or dt.date.min, time)
            ).seconds // 60 or None  # past midnight wraps to the next day
        zone = self.zone(row)
        url = self.url(row, "ticket_url")
        kind = "screening" if day is not None else "selection"
        if kind == "selection" and self.text(row, "block") is not None:
            raise self.bad(
                "date",
                "",
                "a row of a block is a screening of it: give its date (a programmes file "
                "lists a block's films without screenings)",
            )
        if kind == "selection" and not festival:
            raise self.bad(
                "date",
                "",
                "a date is required (a row without one is a selection, and needs a festival)",
            )
        visibility = self.visibility(row)
        if kind == "selection" and visibility == "private":
            target = "private" if "private" in self.index else "visibility"
            raise self.bad(
                target,
                self.raw(row, target),
                "a row without a date puts its film in the festival's programme, which is "
                "public; give the private screening's date",
            )
        return LineupRow(
            file=self.name,
            line=row.line,
            kind=kind,
            film=film,
            festival=festival,
            edition_year=year,
            edition_label=label,
            section=self.text(row, "section"),
            premiere=self.text(row, "premiere"),
            selection_status=None,
            venue=self.text(row, "venue"),
            city=self.text(row, "city"),
            local_date=day,
            local_time=time,
            timezone=zone,
            duration_minutes=duration,
            screening_kind=self.screening_kind(row),
            audience=self.text(row, "audience"),
            visibility=visibility,
            status=self.status(row),
            ticket_url=url,
            remarks=self.text(row, "notes"),
            external_id=self.text(row, "id"),
            notes=notes,
            written_date=self.raw(row, "start") or self.raw(row, "date") or None,
            block=self.text(row, "block"),
        )

    def selection_row(self, row: Cells) -> LineupRow:
        festival, year, label = self.edition(row)
        if not festival:
            raise self.bad("festival", "", "a festival is required")
        if year is None:
            raise self.bad("edition", "", "the edition's year is required")
        given = self.raw(row, "status")
        status = (
            self.ruled(rules.closed_word, "status", given, allowed=rules.SELECTION_STATUSES)
            if given
            else None
        )
        return LineupRow(
            self.name,
            row.line,
            "selection",
            self.film(row),
            festival,
            year,
            label,
            self.text(row, "section"),
            self.text(row, "premiere"),
            status,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            self.text(row, "notes"),
            None,
            (),
        )

    def film_row(self, row: Cells) -> FilmRow:
        return FilmRow(self.name, row.line, self.film(row))

    def award_row(self, row: Cells) -> AwardRow:
        award = self.raw(row, "award")
        if not award:
            raise self.bad("award", "", "an award is required")
        year = self.integer_year(row, "edition") or self.integer_year(row, "year")
        if year is None:
            raise self.bad("year", "", "a year is required")
        film = self.film(row, required=False) if self.raw(row, "title") else None
        if film is not None and "edition" not in self.index:
            # The one Year column is the award's; the film is then found by its title, or
            # by its title and year written "Mothers (2012)".
            dated = _dated(_TITLE_YEAR.match(film.title or ""))
            film = film._replace(
                title=dated["title"] if dated else film.title,
                year=int(dated["year"]) if dated else None,
            )
        person = self.text(row, "person")
        if film is None and person is None:
            raise self.bad("title", "", "a film, a person, or both")
        result = self.ruled(
            rules.closed_word,
            "result",
            self.raw(row, "result") or "nominated",
            allowed=rules.NOMINATION_RESULTS,
        )
        return AwardRow(
            self.name,
            row.line,
            award,
            self.text(row, "festival") or self.options.festival,
            self.text(row, "presenter"),
            year,
            self.text(row, "category"),
            film,
            person,
            result,
        )

    def travel_row(self, row: Cells) -> TravelRow:
        """A travel file's row: two venues (as the catalogue finds them: a name, 'Name
        (City)', an alias, a slug or #ID) and the minutes between them, 0 or more."""
        first, second = self.text(row, "from"), self.text(row, "to")
        if first is None:
            raise self.bad("from", "", "a venue is required: its name, 'Name (City)' or #ID")
        if second is None:
            raise self.bad("to", "", "a venue is required: its name, 'Name (City)' or #ID")
        minutes = self.minutes(row, "minutes", least=0)
        if minutes is None:
            raise self.bad("minutes", "", "the travel time is required: 10, 10 min or 0:10")
        return TravelRow(self.name, row.line, first, second, minutes)

    def screening_kind(self, row: Cells) -> str | None:
        """The Kind cell as a word of its open vocabulary ("Special Gala" -> special_gala)."""
        kind = _slug(self.raw(row, "kind"))
        limit = self.spec["kind"][1] if kind is not None else 0
        if kind is not None and len(kind) > limit:  # lower case can be longer
            self.ruled(rules.check_length, "kind", kind, limit=limit)
        return kind

    def visibility(self, row: Cells) -> str | None:
        for target in ("visibility", "private"):
            value = self.raw(row, target)
            if not value:
                continue
            word = value.lower()
            if target == "visibility" and word in {"public", "private"}:
                return word
            if target == "private" and word in _TRUE | _FALSE:
                return "private" if word in _TRUE else "public"
            expected = "public or private" if target == "visibility" else "yes or no"
            raise self.bad(target, value, f"expected {expected}")
        return None

    def status(self, row: Cells) -> str | None:
        value = self.raw(row, "status")
        if not value:
            return None
        return self.ruled(rules.closed_word, "status", value, allowed=rules.SCREENING_STATUSES)


def _people(value: str, column: str | None) -> list[str]:
    """The names in a cell ("Ann Shin, Manfred Becker"), clean text; a name longer than the
    catalogue keeps (``rules.LENGTHS``) is ``_Bad`` in ``column``."""
    names = _names(value)
    limit = rules.length(*PERSON)
    for name in names:
        if len(name) > limit:
            _ruled(rules.check_length, column, name, limit=limit)
        if not name.isascii():
            _ruled(rules.check_key_length, column, name, key=name_key(name), limit=limit)
    return names


def _names(value: str) -> list[str]:
    return [p for p in (part.strip() for part in _PEOPLE.split(value)) if p]


def _split(value: str) -> list[str]:
    return [p for p in (part.strip() for part in _LIST.split(value)) if p]


def _slug(value: str) -> str | None:
    slug = "_".join(value.lower().split())
    return slug or None


def _limit(place: tuple[str, str] | None) -> int | None:
    """The most characters the catalogue keeps at ``(table, column)``; None: no limit."""
    return rules.LENGTHS.get(place[0], {}).get(place[1]) if place is not None else None


def _ruled(rule: Callable[..., _T], column: str | None, value: str, **given: Any) -> _T:
    """``rule(value, **given)``, a rule of ``screenings.rules``, for a cell of ``column``;
    ``_Bad`` naming the column, with the rule's own words (those every door says)."""
    what = f"column {column!r}"
    try:
        return rule(value, what=what, **given)
    except InvalidInput as exc:
        raise _Bad(column, value, exc.detail) from None


def _plain(values: Sequence[str]) -> bool:
    """True if no cell of the row holds what text hygiene would refuse or change: nothing
    but printable characters and single spaces (cells come trimmed). Such a cell is kept
    as it is once its length is checked, which is the common case, told for the whole row
    at once; ``str.isprintable`` is false for every control and every other whitespace."""
    joined = "|".join(values)
    return joined.isprintable() and "  " not in joined
