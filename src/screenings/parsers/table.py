"""CSV as spreadsheets write it -> a header and rows of text cells, each with its line.

UTF-8 with or without a byte-order mark (UTF-16 when the file starts with
its mark, or the encoding given), comma, semicolon or tab (detected from the
header, or given), quoted fields with embedded newlines, blank rows skipped.
Streams: one row in memory at a time. A line that cannot be decoded stops
the file with a ``RowIssue`` naming that line and suggesting ``--encoding``;
nothing here raises for bad input.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from screenings.records import RowIssue

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


class Cells(NamedTuple):
    """One row: the physical line it starts on, and its cells in header order, trimmed."""

    line: int
    values: tuple[str, ...]


class _Undecodable(Exception):
    def __init__(self, line: int, error: UnicodeDecodeError) -> None:
        super().__init__(line)
        self.line = line
        self.error = error


class _Lines(Iterator[str]):
    """The file's text, a physical line at a time, counting lines as csv reads them.

    Bytes are decoded line by line, so an undecodable byte is reported on its
    own line (an 8-bit encoding or UTF-8 never has a newline byte inside a
    character); UTF-16 goes through a text stream instead.
    """

    def __init__(self, stream: BinaryIO, encoding: str) -> None:
        self.line = 0
        self._encoding = encoding
        self._text: codecs.StreamReader | None = None
        if codecs.lookup(encoding).name.startswith("utf-16"):
            # A reader, not a TextIOWrapper: that one closes the file when collected,
            # and the file may be read twice.
            self._text = codecs.getreader(encoding)(stream)
        self._stream = stream

    def __next__(self) -> str:
        if self._text is not None:
            text = self._text.readline(keepends=True)
            if not text:
                raise StopIteration
            self.line += 1
            return text
        raw = self._stream.readline()
        if not raw:
            raise StopIteration
        self.line += 1
        try:
            return raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            raise _Undecodable(self.line, exc) from None


@dataclass
class Table:
    """A CSV file being read: its name, header, delimiter and encoding; rows on demand."""

    name: str
    header: tuple[str, ...]
    header_line: int
    delimiter: str
    encoding: str
    _lines: _Lines
    _reader: Iterator[list[str]]

    def rows(self) -> Iterator[Cells | RowIssue]:
        """Each non-blank row, padded to the header's width; a decoding issue ends the file."""
        width = len(self.header)
        while True:
            start = self._lines.line + 1
            try:
                raw = next(self._reader)
            except StopIteration:
                return
            except _Undecodable as exc:
                yield _decode_issue(self.name, exc.line, self.encoding, exc.error)
                return
            except csv.Error as exc:
                yield RowIssue(self.name, start, None, None, f"unreadable CSV: {exc}")
                return
            cells = list(map(str.strip, raw))
            if self._lines.line > start:
                # A newline inside a quoted value is "\n", however the file ends its lines.
                cells = [cell.replace("\r\n", "\n") for cell in cells]
            if not any(cells):
                continue
            extra = [cell for cell in cells[width:] if cell]
            if extra:
                yield RowIssue(
                    self.name,
                    start,
                    None,
                    extra[0],
                    f"this row has {len(raw)} cells and the header {width}; "
                    "a delimiter inside a value needs quotes",
                )
                continue
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            yield Cells(start, tuple(cells))


def open_table(
    stream: BinaryIO, name: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Table | RowIssue:
    """Open ``stream`` (bytes) as a CSV table, or say why its header cannot be read."""
    if encoding is None:
        start = _first_bytes(stream, 2)
        encoding = "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        return RowIssue(name, 0, None, encoding, f"--encoding: unknown encoding {encoding!r}")
    if delimiter is not None:
        named = {v: k for k, v in DELIMITERS.items()} | {d: d for d in DELIMITERS} | {"\\t": "\t"}
        if delimiter not in named:
            return RowIssue(
                name,
                0,
                None,
                delimiter,
                "--delimiter: expected comma, semicolon or tab (or , ; \\t)",
            )
        delimiter = named[delimiter]
    lines = _Lines(stream, encoding)
    try:
        while True:
            first = next(lines, None)
            if first is None:
                return RowIssue(name, 1, None, None, "the file is empty; expected a header row")
            if first.strip():
                break
    except _Undecodable as exc:
        return _decode_issue(name, exc.line, encoding, exc.error)
    header_line = lines.line
    if delimiter is None:
        delimiter = _detect(first)
    reader = csv.reader(_Prepend(first, lines), delimiter=delimiter)
    try:
        header = next(reader)
    except _Undecodable as exc:
        return _decode_issue(name, exc.line, encoding, exc.error)
    except csv.Error as exc:
        return RowIssue(name, header_line, None, None, f"unreadable CSV header: {exc}")
    names = tuple(cell.strip().lstrip("\ufeff") for cell in header)
    return Table(name, names, header_line, delimiter, encoding, lines, reader)


def _first_bytes(stream: BinaryIO, n: int) -> bytes:
    if stream.seekable():
        position = stream.tell()
        start = stream.read(n)
        stream.seek(position)
        return start
    return stream.peek(n)[:n] if hasattr(stream, "peek") else b""


class _Prepend(Iterator[str]):
    def __init__(self, first: str, rest: Iterator[str]) -> None:
        self._first: str | None = first
        self._rest = rest

    def __next__(self) -> str:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._rest)


def _detect(first_line: str) -> str:
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _decode_issue(name: str, line: int, encoding: str, exc: UnicodeDecodeError) -> RowIssue:
    bad = exc.object[exc.start : exc.start + 2]
    shown = bad.hex(" ") if isinstance(bad, bytes) else repr(bad)
    label = codecs.lookup(encoding).name.replace("-sig", "").upper()
    return RowIssue(
        name,
        line,
        None,
        shown,
        f"not valid {label} text (bytes {shown}); if the spreadsheet saved it in a Windows "
        "encoding, pass --encoding cp1252",
    )
