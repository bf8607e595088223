"""CSV as spreadsheets write it -> a header and rows of text cells, each with its line.

UTF-8 with or without a byte-order mark (UTF-16 or UTF-32 when the file starts with
its mark, or the encoding given), comma, semicolon or tab (detected from the
header, or given), quoted fields with embedded newlines, blank rows skipped.
Streams: one row in memory at a time, and never more than the limits below
however the input is made. A line that cannot be decoded, or that is longer than
a line may be, stops the file with a ``RowIssue`` naming that line; text that
reads as UTF-8 garbled through cp1252 is refused unless ``force_encoding``;
nothing here raises for bad input.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, NamedTuple

from screenings.records import LineSet, RowIssue

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

# The input limits (docs/security.md, "Input limits"). A lineup's rows are a few hundred
# bytes and its columns a few dozen; a 1,000,000-row lineup is 150-200 MB.
MAX_LINE_BYTES = 1024 * 1024
"""A physical line, and a row whose quoted values span lines (the header too), in bytes
as stored."""
MAX_COLUMNS = 1000
"""Columns in the header."""
MAX_STDIN_BYTES = 1024 * 1024 * 1024
"""Standard input, copied aside to be read twice: what the copy may take on disk."""

_CHUNK = 1024 * 1024  # at most MAX_LINE_BYTES: see spooled()
_BLOCK = 64 * 1024  # read at a time (and the rest of its last line): see _Lines
# UTF-8 read as cp1252 or latin-1: a lead byte's character (Â to ô) followed by a
# continuation byte's (0x80-0xBF: € to Ÿ in cp1252, U+0080-U+00BF in latin-1). Cheap to
# look for; what it finds is then confirmed by ftfy, which knows real text ("«ÉTÉ»").
_CONTINUATION = "".join(
    sorted(
        {chr(b) for b in range(0x80, 0xC0)}
        | set(bytes(range(0x80, 0xC0)).decode("cp1252", "ignore"))
    )
)
_SUSPECT = re.compile(f"[\u00c2-\u00f4][{re.escape(_CONTINUATION)}]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# What a cell is trimmed of: whitespace (str.isspace), but not the control characters
# Python counts as whitespace (U+000B VT, U+000C FF, U+001C-U+001F, U+0085 NEL). Those are
# no blank: the rules of a value judge them (screenings.rules.clean_text: a space in one
# line, refused where a field keeps several), as every other door does, so they must
# reach the rules rather than vanish from the ends of a cell.
BLANKS = (
    "\t\n\r \xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)


class Cells(NamedTuple):
    """One row: the physical line it starts on, and its cells in header order, trimmed of
    ``BLANKS``."""

    line: int
    values: tuple[str, ...]


class Written(NamedTuple):
    """One row on one line, as written: the line, its bytes, and its cells untrimmed."""

    line: int
    data: bytes
    raw: list[str]

    def cells(self) -> Cells:
        """The row as ``Table.rows`` gives it: its cells trimmed."""
        return Cells(self.line, tuple(cell.strip(BLANKS) for cell in self.raw))


class _Undecodable(Exception):
    def __init__(self, line: int, error: UnicodeDecodeError) -> None:
        super().__init__(line)
        self.line = line
        self.error = error


class _TooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Lines(Iterator[str]):
    """The file's text, a physical line at a time, counting lines as csv reads them.

    Bytes are decoded line by line, so an undecodable byte is reported on its
    own line (an ASCII-compatible encoding never has a newline byte inside a
    character); UTF-16 and UTF-32 are read as the UTF-8 they decode to
    (``_AsUtf8``), so that they too end lines at newlines only, as csv does. A row
    may take ``left`` more bytes: whoever starts a row sets it to ``MAX_LINE_BYTES``,
    and a line that would go past it is ``_TooLong`` before more of it is read.
    ``garbled`` is the last line whose text has the look of UTF-8 read as cp1252 (looked
    for only if ``watch``). ``ended``: the file's end was read past. csv asks for a line
    after the last only while a row is still open (a quoted value never closed), and then
    gives what it read as a row (``_unclosed``).
    """

    def __init__(self, stream: BinaryIO, encoding: str, watch: bool) -> None:
        self.line = 0
        self.ended = False
        self.texts: list[str] = []  # the lines of the row being read (``new_row``)
        self.left = MAX_LINE_BYTES
        self.garbled = 0
        self.raw = b""  # the last line's bytes
        self.passed: LineSet | None = None  # lines passed over (Table.pass_over)
        self._watch = watch
        self._encoding = encoding
        codec = codecs.lookup(encoding).name
        # A file is read a block of whole lines at a time (``_block``), but for UTF-16 and
        # UTF-32, read a line at a time through ``_AsUtf8``, which raises where it cannot
        # decode; UTF-8 with a byte-order mark is UTF-8 once the mark is taken off.
        self._lines: list[bytes] = []
        self._at = 0
        self._by_line = codec.startswith(("utf-16", "utf-32"))
        self._sig = codec == "utf-8-sig"
        if self._sig:
            self._encoding = "utf-8"
        if self._by_line:
            # Buffered for its readline(limit); closing it closes only the _AsUtf8, not
            # the file, which may be read again.
            stream = io.BufferedReader(_AsUtf8(stream, codec), _CHUNK)
            self._encoding = "utf-8"
        self._stream = stream

    def _block(self) -> bool:
        """Read on: about ``_BLOCK`` bytes, then the rest of their last line, up to the
        most a line may hold (a longer one is ``_TooLong`` when its turn comes)."""
        block = self._stream.read(_BLOCK)
        if not block:
            return False
        if not block.endswith(b"\n"):
            block += self._stream.readline(MAX_LINE_BYTES + 1)
        lines = block.split(b"\n")
        last = lines.pop()  # b"" after a newline; else the end of the file, or of a long line
        self._lines = [line + b"\n" for line in lines]
        if last:
            self._lines.append(last)
        self._at = 0
        return True

    def new_row(self) -> None:
        """A row starts: it may take ``MAX_LINE_BYTES``, and its lines are kept anew."""
        self.left = MAX_LINE_BYTES
        self.texts.clear()

    def pass_over(self) -> None:
        """Go past the lines to pass over that come next, unread."""
        assert not self._by_line and self.passed is not None
        left = self.passed.run(self.line + 1)
        while left:
            if self._at == len(self._lines) and not self._block():
                return
            step = min(left, len(self._lines) - self._at)
            self._at += step
            self.line += step
            left -= step

    def __next__(self) -> str:
        if self._by_line:
            try:
                raw = self._stream.readline(self.left + 1)
            except UnicodeDecodeError as exc:  # from _AsUtf8: the line after the text it gave
                raise _Undecodable(self.line + 1, exc) from None
            if not raw:
                self.ended = True
                raise StopIteration
        else:
            if self._at == len(self._lines) and not self._block():
                self.ended = True
                raise StopIteration
            raw = self._lines[self._at]
            self._at += 1
        self.raw = raw
        self.line += 1
        self.left -= len(raw)
        if self.left < 0:
            raise _TooLong(self.line)
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            raise _Undecodable(self.line, exc) from None
        if self._sig and text.startswith("\ufeff"):  # as "utf-8-sig" reads each line
            text = text[1:]
        if self._watch and not raw.isascii() and _SUSPECT.search(text):
            self.garbled = self.line
        self.texts.append(text)
        return text


class _AsUtf8(io.RawIOBase):
    """A UTF-16 or UTF-32 stream as the UTF-8 bytes of its text, decoded a chunk at a
    time. At undecodable bytes it gives the text before them first, then raises."""

    def __init__(self, stream: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._stream = stream
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=_ESCAPE)
        self._pending = b""
        self._at = 0
        self._done = False
        self._error: UnicodeDecodeError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at == len(self._pending):
            if self._error is not None:
                raise self._error
            if self._done:
                return 0
            chunk = self._stream.read(_CHUNK)
            self._done = not chunk
            text = self._decoder.decode(chunk, final=self._done)
            if bad := _ESCAPED.search(text):
                raw = bytes(ord(char) - 0xDC00 for char in bad.group())
                self._error = UnicodeDecodeError(self._encoding, raw, 0, len(raw), "not text")
                text = text[: bad.start()]
            self._pending, self._at = text.encode("utf-8"), 0
        n = min(len(buffer), len(self._pending) - self._at)
        buffer[:n] = memoryview(self._pending)[self._at : self._at + n]
        self._at += n
        return n


def _escape_all(error: UnicodeError) -> tuple[str, int]:
    """Undecodable bytes as lone surrogates U+DC00 + byte (surrogateescape does it for
    bytes from 0x80 only): no UTF-16 or UTF-32 text decodes to one, so they mark where."""
    assert isinstance(error, UnicodeDecodeError)
    return "".join(chr(0xDC00 + b) for b in error.object[error.start : error.end]), error.end


_ESCAPE = "screenings.parsers.table.escape"
_ESCAPED = re.compile("[\udc00-\udcff]+")
codecs.register_error(_ESCAPE, _escape_all)


@dataclass
class Table:
    """A CSV file being read: its name, header, delimiter and encoding; rows on demand."""

    name: str
    header: tuple[str, ...]
    header_line: int
    delimiter: str
    encoding: str
    force_encoding: bool
    _lines: _Lines
    _reader: Iterator[list[str]]

    def pass_over(self, lines: LineSet) -> None:
        """Rows read no further: each of these lines holds a row of its own, passed over
        unread by ``rows`` and ``rows_as_written`` (a file in UTF-8 only)."""
        self._lines.passed = lines

    @property
    def lines_read(self) -> int:
        """The physical lines read so far (after opening: the header's last)."""
        return self._lines.line

    def cells_at(self, positions: list[int]) -> Iterator[tuple[int, list[str]]]:
        """A quick look at a few columns before the real read (``rows``): each row's
        cells at ``positions``, trimmed, with the line it starts on. It ends, saying
        nothing, at the first row ``rows`` refuses for its form (more cells than the
        header, or a line that cannot be read); a short row's missing cells are blank."""
        lines, reader, header = self._lines, self._reader, len(self.header)
        while True:
            start = lines.line + 1
            lines.new_row()
            try:
                raw = next(reader)
            except (StopIteration, _Undecodable, _TooLong, csv.Error):
                return
            if lines.ended:
                return  # a quoted value never closed: rows() refuses it
            width = len(raw)
            if width > header and any(cell.strip(BLANKS) for cell in raw[header:]):
                return  # a row with more cells than the header: rows() refuses it
            yield start, [raw[p].strip(BLANKS) if p < width else "" for p in positions]

    def rows(self) -> Iterator[Cells | RowIssue]:
        """Each non-blank row, padded to the header's width; a row of text garbled as
        UTF-8 read as cp1252 is an issue (unless ``force_encoding``); a line that cannot
        be decoded or is too long ends the file."""
        for row in self.rows_as_written():
            yield row.cells() if isinstance(row, Written) else row

    def rows_as_written(self) -> Iterator[Written | Cells | RowIssue]:
        """``rows``, but a row on one line of the header's width, and not garbled, as it
        is ``Written``: its cells are trimmed when someone asks for them."""
        width = len(self.header)
        lines = self._lines
        while True:
            if lines.passed is not None:
                lines.pass_over()
            start = lines.line + 1
            lines.new_row()
            try:
                raw = next(self._reader)
                if (
                    lines.line == start
                    and len(raw) == width
                    and lines.garbled < start
                    and not lines.ended  # else a quote left open (``_checked``)
                ):
                    if "".join(raw).strip(BLANKS):  # else blank
                        yield Written(start, lines.raw, raw)
                    continue
            except StopIteration:
                return
            except _Undecodable as exc:
                yield _decode_issue(self.name, exc.line, self.encoding, exc.error)
                return
            except _TooLong as exc:
                yield _too_long(self.name, start, exc.line)
                return
            except csv.Error as exc:
                yield _unreadable(self.name, start, lines.line, exc, "row")
                return
            row = self._checked(start, raw)
            if row is not None:
                yield row

    def _checked(self, start: int, raw: list[str]) -> Cells | RowIssue | None:
        """A row that is not simply ``Written``: over several lines, of another width than
        the header, or with text that may be garbled, or a quote left open (the file's
        last: csv read the rest into it); None if blank."""
        width = len(self.header)
        if self._lines.ended:
            column = self.header[len(raw) - 1] if len(raw) <= width else None
            return _unclosed(self.name, start, self._lines.line, column, raw[-1])
        cells = [cell.strip(BLANKS) for cell in raw]
        if self._lines.line > start:
            # A newline inside a quoted value is "\n", however the file ends its lines.
            cells = [cell.replace("\r\n", "\n") for cell in cells]
        if not any(cells):
            return None
        if self._lines.line > start and _closed_mid_value(self._lines.texts, self.delimiter):
            return _over_lines(self.name, start, self._lines.line, self.header, cells)
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            return RowIssue(
                self.name,
                start,
                None,
                extra[0],
                f"this row has {len(raw)} cells and the header {width}; "
                "a delimiter inside a value needs quotes",
            )
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        if self._lines.garbled >= start and not self.force_encoding:
            garbled = _garbled_cells(self.name, start, self.header, cells)
            if garbled is not None:
                return garbled
        return Cells(start, tuple(cells))


def open_table(  # noqa: C901, PLR0912 -- each file format (CSV, TSV, XLSX, ODS) and its encodings
    stream: BinaryIO,
    name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    force_encoding: bool = False,
) -> Table | RowIssue:
    """Open ``stream`` (bytes) as a CSV table, or say why its header cannot be read.

    ``encoding`` must be a text encoding (``text_codec``); ``force_encoding`` keeps
    text that looks like UTF-8 garbled through cp1252 instead of refusing it.
    """
    if encoding is None:
        encoding = _sniff(stream)
    elif text_codec(encoding) is None:
        return _encoding_issue(name, encoding)
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
    lines = _Lines(stream, encoding, watch=not force_encoding)
    try:
        while True:
            lines.new_row()
            first = next(lines, None)
            if first is None:
                return RowIssue(name, 1, None, None, "the file is empty; expected a header row")
            if first.strip():
                break
    except _Undecodable as exc:
        return _decode_issue(name, exc.line, encoding, exc.error)
    except _TooLong as exc:
        return _too_long(name, exc.line, exc.line)
    header_line = lines.line
    if delimiter is None:
        delimiter = _detect(first)
    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter)
    try:
        header = next(reader)
    except _Undecodable as exc:
        return _decode_issue(name, exc.line, encoding, exc.error)
    except _TooLong as exc:
        return _too_long(name, header_line, exc.line)
    except csv.Error as exc:
        return _unreadable(name, header_line, lines.line, exc, "header")
    if lines.ended:
        return _unclosed(name, header_line, lines.line, None, header[-1])
    if lines.line > header_line and _closed_mid_value(lines.texts, delimiter):
        return _over_lines(name, header_line, lines.line, (), header)
    if len(header) > MAX_COLUMNS:
        return RowIssue(
            name,
            header_line,
            None,
            None,
            f"the header has {len(header):,} columns; a file may have at most {MAX_COLUMNS:,}",
        )
    names = tuple(cell.strip().lstrip("\ufeff") for cell in header)
    if lines.garbled and not force_encoding:
        garbled = _garbled_cells(name, header_line, None, list(names))
        if garbled is not None:
            return garbled
    return Table(name, names, header_line, delimiter, encoding, force_encoding, lines, reader)


@functools.cache
def text_codec(encoding: str) -> str | None:
    """The codec's name if ``encoding`` reads text a line at a time, else None.

    That is an ASCII-compatible charset (every ASCII byte, alone or among others,
    reads as itself, so a newline byte always ends a line: UTF-8, cp1252, latin-1,
    Shift JIS, ...), or one of the UTF-16 and UTF-32 families (read through a text
    stream). Not byte transforms (base64, zlib, rot13), nor encodings with shifts or
    escapes (UTF-7, ISO-2022, punycode, idna, unicode_escape), nor EBCDIC.
    """
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None
    if codec.name.startswith(("utf-16", "utf-32")):
        return codec.name
    ascii_bytes = bytes(range(128))
    probes = [bytes([b]) for b in ascii_bytes]
    probes += [ascii_bytes, rb"\x41 \u0041 \101 +AGE- =41 ~{", b"xn--caf-dma.xn--caf-dma"]
    try:
        if all(probe.decode(codec.name) == probe.decode("ascii") for probe in probes):
            return codec.name
    except Exception:  # however a codec fails, it cannot read a lineup
        pass
    return None


def misread_utf8(stream: BinaryIO, name: str, encoding: str) -> RowIssue | None:
    """An issue if ``encoding`` (given, not UTF-8) would misread the stream's bytes from
    here on, which are UTF-8 text: it names the first line the two readings differ on,
    and what each reads there. None when the bytes are not UTF-8 (a real cp1252 or
    latin-1 file with accents), or read the same. The stream is left where it was."""
    codec = text_codec(encoding)
    if codec is None or codec.startswith("utf-8"):
        return None
    wide = codec.startswith(("utf-16", "utf-32"))
    position = stream.tell()
    try:
        line = _first_utf8_difference(stream, wide)
        if line is None:
            return None
        number, offset = line
        stream.seek(offset)
        raw = stream.readline(MAX_LINE_BYTES)
    finally:
        stream.seek(position)
    utf8 = raw.decode("utf-8", "replace")
    theirs = raw.decode(codec, "replace")
    at = next((i for i, (a, b) in enumerate(zip(utf8, theirs, strict=False)) if a != b), 0)
    label = _label(codec)
    return RowIssue(
        name,
        number,
        None,
        None,
        f"this file is UTF-8 text, which {label} misreads: this line reads "
        f"{_around(theirs, at)!r} as {label}, {_around(utf8, at)!r} as UTF-8; leave out "
        f"--encoding, or pass --force-encoding to read it as {label} all the same",
    )


def _first_utf8_difference(stream: BinaryIO, wide: bool) -> tuple[int, int] | None:
    """(line number, byte offset) of the first line that UTF-8 and an ASCII-compatible
    encoding (``wide``: a UTF-16 or UTF-32 one) would read differently, if the rest of
    the stream is valid UTF-8; else None. UTF-16 and UTF-32 text with a line end always
    has a zero byte, which UTF-8 text never has."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, offset = 0, stream.tell()
    first: tuple[int, int] | None = (1, offset) if wide else None
    while chunk := stream.read(_CHUNK):
        if wide and b"\0" in chunk:
            return None
        if first is None:
            if chunk.isascii():
                lines += chunk.count(b"\n")
                offset += len(chunk)
                continue
            at = _NON_ASCII.search(chunk).start()  # type: ignore[union-attr]
            first = (lines + chunk.count(b"\n", 0, at) + 1, offset + chunk.rfind(b"\n", 0, at) + 1)
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return first


def _around(text: str, at: int) -> str:
    """At most 80 characters of ``text``, from a little before ``at``, "…" where cut."""
    text = text.rstrip("\r\n")
    start = max(0, at - 20)
    shown = text[start : start + 78]
    return ("…" if start else "") + shown + ("…" if len(text) > start + 78 else "")


def _garbled_cells(
    name: str, line: int, header: tuple[str, ...] | None, cells: list[str]
) -> RowIssue | None:
    """An issue for the first cell that reads as UTF-8 garbled through cp1252 or
    latin-1 (ftfy can read it back), with what it would read; None if none does."""
    for position, cell in enumerate(cells):
        if not cell.isascii() and (suspect := _SUSPECT.search(cell)):
            fixed = _ungarbled(cell)
            if fixed is None:
                continue
            at = suspect.start()
            where = "a column name" if header is None else "this value"
            return RowIssue(
                name,
                line,
                header[position] if header is not None else None,
                _around(cell, at),
                f"{where} looks like UTF-8 text garbled as cp1252: it would read "
                f"{_around(fixed, at)!r}; correct the file, or pass --force-encoding to take "
                "it as it reads",
            )
    return None


@functools.lru_cache(maxsize=8192)  # a lineup repeats its values; memory stays flat
def _ungarbled(text: str) -> str | None:
    """``text`` read back as the UTF-8 it was, if it is UTF-8 garbled through an 8-bit
    encoding; else None."""
    import ftfy  # 80 ms to import: only for text that has the look of garbled UTF-8

    fixed, steps = ftfy.fix_encoding_and_explain(text)
    if fixed != text and any(
        step in {("decode", "utf-8"), ("apply", "decode_inconsistent_utf8")} for step in steps or ()
    ):
        return fixed
    return None


def spooled(stream: BinaryIO, name: str) -> BinaryIO | RowIssue:
    """``stream`` if it can be read twice, else a copy of it in a temporary file
    (standard input), read from its start; or an issue if it holds more than
    ``MAX_STDIN_BYTES``.

    The copy stops early, after the first run of more than four times
    ``MAX_LINE_BYTES`` with no newline byte: in every text encoding that is a line too
    long (an ASCII-compatible one counts as many bytes, UTF-16 and UTF-32 at least a
    quarter as many once read as UTF-8), so the parser refuses it by its number, as it
    would in a file, and the rest is never read.
    """
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- returned
    total = run = 0  # run: bytes since the last newline byte
    too_long = 4 * MAX_LINE_BYTES
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > MAX_STDIN_BYTES:
            spool.close()
            return RowIssue(
                name,
                0,
                None,
                None,
                f"more than {_size(MAX_STDIN_BYTES)}, the most kept aside to read it twice; "
                "save it to a file and import the file",
            )
        try:
            spool.write(chunk)
        except OSError as exc:  # the temporary folder is full, or too small for it
            spool.close()
            return RowIssue(
                name,
                0,
                None,
                None,
                f"cannot keep it aside to read it twice, after {_size(total - len(chunk))}: "
                f"{exc.strerror or exc} (in {tempfile.gettempdir()}); save it to a file "
                "and import the file",
            )
        # A run wholly inside a chunk is shorter than the chunk, so short enough: only the
        # one the chunk ends (or goes on with) can be longer.
        first = chunk.find(b"\n")
        if first < 0:
            run += len(chunk)
            longest = run
        else:
            longest = run + first
            run = len(chunk) - 1 - chunk.rfind(b"\n")
        if longest > too_long:
            break
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _sniff(stream: BinaryIO) -> str:
    """UTF-32 or UTF-16 when the stream starts with its byte-order mark, else UTF-8
    (with or without its own)."""
    start = _first_bytes(stream, 4)
    if start in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    return "utf-8-sig"


def _first_bytes(stream: BinaryIO, n: int) -> bytes:
    if stream.seekable():
        position = stream.tell()
        start = stream.read(n)
        stream.seek(position)
        return start
    return stream.peek(n)[:n] if hasattr(stream, "peek") else b""


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


def _label(encoding: str) -> str:
    return codecs.lookup(encoding).name.replace("-sig", "").upper()


def _encoding_issue(name: str, encoding: str) -> RowIssue:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return RowIssue(name, 0, None, encoding, f"--encoding: unknown encoding {encoding!r}")
    return RowIssue(
        name,
        0,
        None,
        encoding,
        f"--encoding: {encoding!r} is not a text encoding; expected one that reads text "
        "such as utf-8, cp1252, latin-1 or utf-16",
    )


def _unclosed(name: str, start: int, last: int, column: str | None, cell: str) -> RowIssue:
    """A row whose quoted value is never closed: csv would read the rest of the file into
    it, and every row after it would be gone (a sync would cancel their screenings). The
    value is shown as its first line has it."""
    lines = f"line {start}" if last == start else f"lines {start}-{last}"
    return RowIssue(
        name,
        start,
        column,
        '"' + _first_line(cell),
        f"a double quote opens this value and none closes it, so {lines}, to the end of "
        'the file, would be one value; close it, or write a quote inside a value twice ("")',
    )


def _closed_mid_value(texts: list[str], delimiter: str) -> bool:
    """Whether the lines of a row over several lines have a quote that ends a quoted
    value with more of the value after it (``"a note"`` met inside a quoted value): the
    row's opening quote was left open, and the next quote in the file, meant to open
    another value, closed it, so the lines between were read into one value. csv reads
    that leniently; strictly, it is an error."""
    try:
        list(csv.reader(["".join(texts)], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "expected after" in str(exc)
    return False


def _over_lines(
    name: str, start: int, last: int, header: tuple[str, ...], cells: list[str]
) -> RowIssue:
    """A row over several lines whose quote was left open (``_closed_mid_value``), its
    column named by ``header`` (the header itself: none)."""
    at = next((n for n, cell in enumerate(cells) if "\n" in cell), len(cells) - 1)
    return RowIssue(
        name,
        start,
        header[at] if at < len(header) else None,
        '"' + _first_line(cells[at]),
        f"a double quote opens this value, and the next quote in the file (line {last}) "
        f"does not end one, so lines {start}-{last} would be read as one value; close it, "
        'or write a quote inside a value twice ("")',
    )


def _first_line(cell: str) -> str:
    """A value as its first line has it, whatever ends the file's lines."""
    return cell.splitlines()[0] if cell else ""


def _unreadable(name: str, start: int, line: int, error: csv.Error, what: str) -> RowIssue:
    """A ``what`` ("row" or "header") csv cannot read: most likely a value past csv's
    own limit (a quote left open far from the end of the file)."""
    if "field larger than field limit" in str(error):
        return RowIssue(
            name,
            start,
            None,
            None,
            f"a value of the {what} starting here runs past {csv.field_size_limit():,} "
            f"characters by line {line}, the most a value may hold (a quote left open?); "
            "the rest of the file is not read",
        )
    unreadable = "unreadable CSV" if what == "row" else f"unreadable CSV {what}"
    return RowIssue(name, start, None, None, f"{unreadable}: {error}")


def _too_long(name: str, start: int, line: int) -> RowIssue:
    if line == start:
        what = f"a line longer than {_size(MAX_LINE_BYTES)}, the most a line may hold"
    else:
        what = (
            f"the row starting here runs past {_size(MAX_LINE_BYTES)} by line {line}, the most "
            "a row may hold (a quote left open?)"
        )
    return RowIssue(name, start, None, None, f"{what}; the rest of the file is not read")


def _size(limit: int) -> str:
    """A limit in bytes as a message says it: "1,048,576 bytes (1 MiB)"."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if limit >= size and limit % size == 0:
            return f"{limit:,} bytes ({limit // size} {unit})"
    return f"{limit:,} bytes"


def _decode_issue(name: str, line: int, encoding: str, exc: UnicodeDecodeError) -> RowIssue:
    bad = exc.object[exc.start : exc.start + 2]
    shown = bad.hex(" ") if isinstance(bad, bytes) else repr(bad)
    label = _label(encoding)
    return RowIssue(
        name,
        line,
        None,
        shown,
        f"not valid {label} text (bytes {shown}); if the spreadsheet saved it in a Windows "
        "encoding, pass --encoding cp1252",
    )
