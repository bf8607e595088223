"""A lineup read as its lines (``QuickFile``), before any import: each row's line number
and digest must be those the whole way (``parse_lineup``) gives the row, and a line the
whole way must read itself must stop it (``NotQuick``), whether a block of lines is
vouched for at once or line by line, wherever the blocks end."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screenings.parsers import lineup
from screenings.parsers.lineup import LineupOptions, QuickFile, parse_lineup, quick_read
from screenings.records import LineSet, NotQuick, Unread

HEADER = b"Title,Venue,Date,Time\n"
ROW = b"Night Light,Bio Roy,2026-02-09,20:30\n"


def _quick(data: bytes) -> QuickFile:
    source = quick_read(io.BytesIO(data), "lineup.csv", LineupOptions())
    assert source is not None
    return source


def _rows(source: QuickFile) -> list[tuple[int, bytes]] | int:
    """The rows a source gives, or the line it stops at."""
    try:
        blocks = source._row_blocks()
        return [row for numbers, lines in blocks for row in zip(numbers, lines, strict=True)]
    except NotQuick as stop:
        return int(stop.args[0])


def _line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lineup, "_plain_lines", lambda *args: False)


# Lines of a lineup, plain and odd: each a row the whole way reads as one, or one it
# skips (blank), or one it must read itself.
PIECES = [
    ROW,
    ROW.replace(b"\n", b"\r\n"),  # a Windows line end
    b'"Night, Light",Bio Roy,2026-02-09,20:30\n',  # a quoted cell
    b'"Night\n',  # a cell going on to the next line
    b"Caf\xc3\xa9 Night,Bio Roy,2026-02-09,20:30\n",  # UTF-8
    b"Caf\xe9 Night,Bio Roy,2026-02-09,20:30\n",  # not UTF-8
    b"Night\rLight,Bio Roy,2026-02-09,20:30\n",  # a carriage return alone
    b"Night\x00,Bio Roy,2026-02-09,20:30\n",  # a NUL
    b",,,\n",  # blank: delimiters only
    b"  \t\n",
    b"\n",
    "\u3000,\u00a0,,\n".encode(),  # blank: wide and no-break spaces
    "\u00a0Night,Bio Roy,2026-02-09,20:30\n".encode(),  # a blank, then a title
    b"Night Light,Bio Roy,2026-02-09,20:30",  # no newline (at the end only)
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(PIECES) - 1)), max_size=30),
    st.booleans(),
    st.sampled_from([16, 64, 200, 256 * 1024]),
)
def test_a_block_vouched_for_at_once_gives_what_each_line_would(
    pieces: list[int], last_without_newline: bool, block: int
) -> None:
    data = HEADER + b"".join(PIECES[n] for n in pieces)
    if last_without_newline:
        data += PIECES[-1]
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(lineup, "_QUICK_BLOCK", block)
        at_once = _rows(_quick(data))
        _line_by_line(monkeypatch)
        each = _rows(_quick(data))
    assert at_once == each


@pytest.mark.parametrize(
    ("odd", "stops"),
    [
        (b"Night\rLight,Bio Roy,2026-02-09,20:30\n", True),
        (b"Night\x00,Bio Roy,2026-02-09,20:30\n", True),
        (b'"Night,Bio Roy,2026-02-09,20:30\n', True),
        (b"Caf\xe9 Night,Bio Roy,2026-02-09,20:30\n", True),
        (b"X" * 200_000 + b",Bio Roy,2026-02-09,20:30\n", True),  # over csv's cell limit
        ("\u3000,\u00a0,,\n".encode(), False),  # a blank row: passed over
        (b",,,\r\n", False),
    ],
)
def test_an_odd_line_far_into_the_file_is_found_in_its_block(
    odd: bytes, stops: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Far enough that the blocks before it are vouched for at once."""
    monkeypatch.setattr(lineup, "_QUICK_BLOCK", 4096)
    data = HEADER + ROW * 500 + odd + ROW * 10
    found = _rows(_quick(data))
    if stops:
        assert found == 502, "the line after the header and 500 rows"
    else:
        assert isinstance(found, list)
        assert len(found) == 510
        assert [n for n, _ in found][499:501] == [501, 503]


def _whole_way(data: bytes) -> dict[int, bytes]:
    parsed = parse_lineup(io.BytesIO(data), "lineup.csv", LineupOptions())
    return {item.line: item.digest for item in parsed.rows if isinstance(item, Unread)}


def _digests(source: QuickFile, dayfirst: bool | None) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for numbers, digests in source.digests(dayfirst):
        found.update(zip(numbers, digests, strict=True))
    return found


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_each_rows_digest_is_the_whole_ways(ending: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lineup, "_QUICK_BLOCK", 300)
    rows: list[bytes] = [
        b"Night Light,Bio Roy,2026-02-09,20:30",
        b'"Night, Light",Bio Roy,2026-02-10,20:30',
        b"Caf\xc3\xa9 Night,Bio Roy,2026-02-11,20:30",
        b",,,",
        b"Night Light,Sal\xc3\xb3n,2026-02-12,21:00",
    ] * 20
    data = HEADER.replace(b"\n", ending) + ending.join(rows) + ending
    quick = _digests(_quick(data), None)
    assert len(quick) == 80, "the blank rows are passed over"
    assert quick == _whole_way(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 400), st.integers(0, 90)), max_size=8),
    st.integers(0, 520),
)
def test_a_run_of_lines_passed_over_is_counted_as_line_by_line(
    runs: list[tuple[int, int]], start: int
) -> None:
    """``LineSet.run``, eight lines a byte where it can: the parser passes over a run of
    unchanged rows at once, and so does the look for the line that settles the order."""
    lines = {line for first, length in runs for line in range(first, first + length)}
    expected = 0
    while start + expected in lines:
        expected += 1
    assert LineSet(sorted(lines)).run(start) == expected


DATES = ["2026-02-09", "13/02/2026", "02/13/2026", "05/06/2026", "05/05/2026", "9 Feb 2026"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(DATES), st.booleans()), min_size=1, max_size=40),
    st.sampled_from([True, False, None]),
    st.sampled_from([16, 64, 256 * 1024]),
)
def test_the_order_settled_past_held_runs_is_the_one_found_line_by_line(
    rows: list[tuple[str, bool]], dayfirst: bool | None, block: int
) -> None:
    """``QuickFile.known`` passes over runs of held rows (``LineSet.run``) once the order
    is settled, and the rest of the file when every row is held; it must find what a
    look at every line finds, wherever blocks end."""
    data = HEADER + b"".join(
        f"Night {n},Bio Roy,{date},20:30\n".encode() for n, (date, _held) in enumerate(rows)
    )
    # A held row was read with ``dayfirst``: none reads only the other way (or, with no
    # order, needs one).
    other = {
        True: {"02/13/2026"},
        False: {"13/02/2026"},
        None: {"13/02/2026", "02/13/2026", "05/06/2026"},
    }[dayfirst]
    lines = [n + 2 for n, (date, kept) in enumerate(rows) if kept and date not in other]
    held = LineSet(lines)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(lineup, "_QUICK_BLOCK", block)
        # Every row held: the look ends where the order is settled.
        found = _quick(data).known(dayfirst, held, every=len(lines) == len(rows))
        monkeypatch.setattr(LineSet, "run", lambda self, start: 0)
        each = _quick(data).known(dayfirst, held)
    assert (found and (found.dayfirst, found.reason)) == (each and (each.dayfirst, each.reason))
