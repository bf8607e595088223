"""The lineup parser on real files, one per trap: the exact record, or the exact issue."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screenings.parsers.lineup import (
    LineupOptions,
    describe_mapping,
    parse_lineup,
    parse_lineup_files,
)
from screenings.parsers.table import BLANKS, Cells, open_table
from screenings.records import AwardRow, FilmFields, FilmRow, LineupRow, RowIssue

DATA = Path(__file__).parent / "data"
D = dt.date
T = dt.time


def parse(name: str, **options: Any) -> list[Any]:
    with (DATA / name).open("rb") as stream:
        return [bare(i) for i in parse_lineup(stream, name, LineupOptions(**options)).items]


def bare(item: Any) -> Any:
    """An issue without what its row named (for --sync), which these tests do not compare."""
    return item._replace(title=None, external_id=None) if isinstance(item, RowIssue) else item


def issues(items: list[Any]) -> list[RowIssue]:
    return [bare(i) for i in items if isinstance(i, RowIssue)]


def rows(items: list[Any]) -> list[Any]:
    return [i for i in items if not isinstance(i, RowIssue)]


def when(row: LineupRow) -> tuple[int, dt.date | None, dt.time | None]:
    return row.line, row.local_date, row.local_time


def test_a_full_lineup_row() -> None:
    items = parse("lineup.csv")
    assert issues(items) == []
    defector, killing, mps, alma = rows(items)
    assert defector == LineupRow(
        file="lineup.csv",
        line=2,
        kind="screening",
        film=FilmFields(
            title="The Defector: Escape from North Korea",
            original_title=None,
            year=2012,
            directors=("Ann Shin",),
            countries=(),
            languages=(),
            imdb_id=None,
            runtime_minutes=71,
            credits=(),
            links=(),
            film_id=None,
        ),
        festival="Sheffield Doc/Fest",
        edition_year=2013,
        edition_label=None,
        section="Innovation",
        premiere="UK premiere",
        selection_status=None,
        venue="Showroom Cinema",
        city="Sheffield",
        local_date=D(2013, 6, 14),
        local_time=T(18, 0),
        timezone=None,
        duration_minutes=105,
        screening_kind="regular",
        audience=None,
        visibility="public",
        status="scheduled",
        ticket_url="https://sheffdocfest.com/films/the-defector",
        remarks="Q&A",
        external_id="SDF-1",
        notes=(),
        written_date="2013-06-14",
    )
    assert killing.film.directors == ("Joshua Oppenheimer", "Christine Cynn")
    assert killing.status == "cancelled"  # "Canceled" as Americans spell it
    # The screening for MPs: no festival, no venue, no time (TBA), private.
    assert (mps.kind, mps.festival, mps.venue, mps.city) == ("screening", None, None, "London")
    assert (mps.local_date, mps.local_time, mps.visibility) == (D(2013, 6, 11), None, "private")
    assert (mps.screening_kind, mps.audience) == ("special", "members of parliament")
    # A festival and no date: a selection only.
    assert (alma.kind, alma.festival, alma.edition_year, alma.section) == (
        "selection",
        "Sheffield Doc/Fest",
        2013,
        "Innovation",
    )
    assert alma.film.directors == ("Miquel Dewever-Plana", "Isabelle Fougère")


def test_a_byte_order_mark_is_not_part_of_the_first_column() -> None:
    (row,) = parse("bom.csv")
    assert (row.film.title, row.venue) == ("The Defector", "Showroom")


def test_semicolons_and_commas_inside_values() -> None:
    (row,) = parse("semicolons.csv")
    assert row.film.title == "Alma, a Tale of Violence"
    assert row.film.directors == ("Miquel Dewever-Plana", "Isabelle Fougère")
    assert (row.local_date, row.venue) == (D(2013, 6, 13), "Showroom")


def test_tabs_and_a_combined_date_and_time_column() -> None:
    (row,) = parse("tabs.tsv")
    assert when(row) == (2, D(2013, 6, 14), T(12, 30))
    assert row.duration_minutes == 120


def test_embedded_newlines_keep_physical_line_numbers() -> None:
    first, second = parse("embedded-newlines.csv")
    assert first.remarks == "Q&A with Ann Shin\nafter the screening,\nin the foyer"
    assert when(second) == (5, D(2013, 6, 14), None)  # lines 2-4 are the first row


def test_cp1252_bytes_name_their_line_and_suggest_the_encoding() -> None:
    items = parse("cp1252.csv")
    assert [type(i).__name__ for i in items] == ["LineupRow", "RowIssue"]
    assert items[1] == RowIssue(
        "cp1252.csv",
        3,
        None,
        "e9 6d",
        "not valid UTF-8 text (bytes e9 6d); if the spreadsheet saved it in a Windows "
        "encoding, pass --encoding cp1252",
    )
    fixed = parse("cp1252.csv", encoding="cp1252")
    assert [r.venue for r in fixed] == ["Showroom", "Cinéma du Parc"]


def test_dates_that_read_both_ways_are_refused_with_an_example() -> None:
    assert parse("ambiguous-dates.csv") == [
        RowIssue(
            "ambiguous-dates.csv",
            2,
            "Date",
            "06/11/2013",
            "'06/11/2013' reads as day/month or month/day, and no date in the file settles "
            "it; pass --dayfirst or --monthfirst",
        )
    ]
    assert [r.local_date for r in parse("ambiguous-dates.csv", dayfirst=False)] == [
        D(2013, 6, 11),
        D(2013, 7, 11),
    ]
    configured = parse("ambiguous-dates.csv", configured_dayfirst=True)
    assert [r.local_date for r in configured] == [D(2013, 11, 6), D(2013, 11, 7)]


def test_one_date_settles_the_order_for_the_whole_file() -> None:
    with (DATA / "settled-dates.csv").open("rb") as stream:
        parsed = parse_lineup(stream, "settled-dates.csv", LineupOptions(configured_dayfirst=False))
        assert [r.local_date for r in parsed.items] == [D(2013, 11, 6), D(2013, 11, 13)]
    assert parsed.date_order == "day/month"
    assert parsed.date_order_reason == "settled by line 3: '13/11/2013'"


def test_dates_that_disagree_on_the_order_are_refused() -> None:
    assert parse("disagreeing-dates.csv") == [
        RowIssue(
            "disagreeing-dates.csv",
            3,
            "Date",
            "06/14/2013",
            "dates disagree on day/month order: line 2 has '13/06/2013' (day first) and "
            "line 3 '06/14/2013' (month first)",
        )
    ]


def test_an_impossible_date_is_an_issue_and_nothing_is_swapped() -> None:
    first, issue = parse("impossible-date.csv")
    assert when(first) == (2, D(2013, 6, 14), T(18, 0))
    assert issue == RowIssue(
        "impossible-date.csv",
        3,
        "Date",
        "31.02.2013",
        "'31.02.2013' is not a date in the day/month/year order settled by line 2: "
        "'14.06.2013' (month 2, day 31); nothing is swapped",
    )


def test_iso_dates_stay_iso_whatever_the_order() -> None:
    assert [r.local_date for r in parse("bom.csv", dayfirst=True)] == [D(2013, 6, 14)]


def test_a_time_with_no_date_is_refused() -> None:
    assert parse("time-only.csv") == [
        RowIssue("time-only.csv", 2, "Time", "18:00", "a time with no date: a festival spans days")
    ]


def test_the_festival_day_can_start_after_midnight() -> None:
    late, after_midnight = parse("day-starts-at.csv", day_starts_at=T(6, 0))
    assert when(late) == (2, D(2013, 6, 14), T(23, 30))
    assert when(after_midnight) == (3, D(2013, 6, 15), T(1, 30))
    assert after_midnight.notes == (
        "01:30 before the festival day's start at 06:00: 2013-06-15, the next calendar day",
    )
    assert [r.local_date for r in parse("day-starts-at.csv")] == [D(2013, 6, 14)] * 2


def test_a_date_without_a_year_takes_the_editions_and_says_so() -> None:
    first, second = parse("no-year.csv")
    assert when(first) == (2, D(2013, 6, 14), T(18, 0))
    assert first.notes == ("'14 June' read as 14 June 2013, the year of the edition",)
    assert second.local_date == D(2013, 6, 15)
    (issue,) = parse("no-year.csv", mapping={"Edition": "ignore"})[:1]
    assert issue == RowIssue(
        "no-year.csv", 2, "Date", "14 June", "'14 June' has no year; expected e.g. 11 June 2013"
    )


def test_zones_are_recorded_and_checked_not_resolved() -> None:
    toronto, tba, bad = parse("zones.csv")
    assert (toronto.timezone, tba.timezone, tba.local_time) == ("America/Toronto", None, None)
    assert bad == RowIssue(
        "zones.csv",
        4,
        "Timezone",
        "BST",
        "unknown time zone 'BST'; expected an IANA name such as 'Europe/London'",
    )
    assert parse("zones.csv", timezone="Europe/London")[1].timezone == "Europe/London"


def test_a_two_file_lineup_joins_on_film_id() -> None:
    with (DATA / "films.csv").open("rb") as films, (DATA / "screenings.csv").open("rb") as shows:
        items = list(parse_lineup_files(films, "films.csv", shows, "screenings.csv").items)
    film_rows = [i for i in items if isinstance(i, FilmRow)]
    defector = film_rows[0].film
    assert defector.credits == (("producer", "Ann Shin"), ("supervising_editor", "Manfred Becker"))
    assert defector.links == (("website", "https://thedefectormovie.com"),)
    assert (defector.imdb_id, defector.runtime_minutes) == ("tt2407504", 71)
    assert film_rows[1].film.runtime_minutes == 115
    screenings = [i for i in items if isinstance(i, LineupRow)]
    assert [(s.external_id, s.film.title) for s in screenings] == [
        ("S1", "The Defector: Escape from North Korea"),
        ("S3", "The Act of Killing"),
    ]
    assert issues(items) == [
        RowIssue("screenings.csv", 3, "film_id", "F9", "no film with this film_id in films.csv")
    ]


def test_an_awards_file() -> None:
    items = parse("awards.csv")
    awards = [i for i in items if isinstance(i, AwardRow)]
    assert [
        (a.award, a.year, a.film.title if a.film else None, a.person, a.result) for a in awards
    ] == [
        ("Innovation Award", 2013, "The Defector", None, "nominated"),
        ("Innovation Award", 2013, "Alma, a Tale of Violence", None, "won"),
        ("Inspiration Award", 2013, None, "Nick Fraser", "won"),
        ("Diversity Award", 2014, "The Defector", None, "won"),
    ]
    assert awards[3].presenter == "Academy of Canadian Cinema & Television"
    assert issues(items) == [RowIssue("awards.csv", 6, "Film", "", "a film, a person, or both")]


def test_unknown_columns_are_reported_never_silently_dropped() -> None:
    items = parse("unknown-columns.csv")
    assert issues(items) == [
        RowIssue(
            "unknown-columns.csv",
            1,
            column,
            None,
            "unknown column, ignored; --map COLUMN=FIELD to use it, or COLUMN=ignore",
            "warning",
        )
        for column in ("Cine", "Colour")
    ]
    assert rows(items)[0].venue is None


def test_map_overrides_the_columns() -> None:
    items = parse("unknown-columns.csv", mapping={"Cine": "venue", "colour": "ignore"})
    assert issues(items) == []
    assert rows(items)[0].venue == "Showroom"
    with (DATA / "unknown-columns.csv").open("rb") as stream:
        parsed = parse_lineup(stream, "x.csv", LineupOptions(mapping={"Cine": "venue"}))
        shown = describe_mapping(parsed)
    assert shown[0] == "x.csv: a lineup file"
    assert "  Cine    -> venue" in shown
    assert "  Colour  -> (unknown: ignored; --map COLUMN=FIELD to use it)" in shown


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"Cinema": "venue"},
            "--map: the file has no column 'Cinema'; its columns: Title, Date, Time, Cine, Colour",
        ),
        ({"Cine": "screen"}, "--map: unknown field 'screen'; expected one of title, "),
    ],
)
def test_a_bad_map_is_refused(mapping: dict[str, str], message: str) -> None:
    (issue,) = parse("unknown-columns.csv", mapping=mapping)
    assert issue.message.startswith(message)


def test_the_kind_of_file_can_be_forced() -> None:
    (issue,) = parse("bom.csv", file_kind="awards")
    assert issue == RowIssue("bom.csv", 2, "award", "", "an award is required")


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_table_written_by_csv_reads_back_the_same(table: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Title", "Venue", "Notes"], *table])
    # Forced: any text may look like UTF-8 garbled through cp1252 ('Â\x80'), which is
    # refused otherwise (tests/security/test_hostile_input.py).
    opened = open_table(io.BytesIO(buffer.getvalue().encode()), "t.csv", force_encoding=True)
    assert not isinstance(opened, RowIssue)
    read = [r.values for r in opened.rows() if isinstance(r, Cells)]
    expected = [
        tuple(c.strip(BLANKS).replace("\r\n", "\n") for c in row)
        for row in table
        if any(c.strip(BLANKS) for c in row)
    ]
    assert read == expected


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["lineup", "films", "awards", None]))
def test_the_parser_never_raises_on_any_bytes(data: bytes, kind: str | None) -> None:
    items = list(parse_lineup(io.BytesIO(data), "fuzz.csv", LineupOptions(file_kind=kind)).items)
    assert all(isinstance(i, LineupRow | FilmRow | AwardRow | RowIssue) for i in items)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["The Defector", "", "Alma, a Tale", "x" * 30]),
            st.sampled_from(
                [
                    "2013-06-14",
                    "14/06/2013",
                    "06/14/2013",
                    "14 June",
                    "31.02.2013",
                    "",
                    "soon",
                    "11/06/13",
                ]
            ),
            st.sampled_from(["18:00", "", "6pm", "25:00", "18"]),
            st.sampled_from(["Europe/London", "", "BST"]),
        ),
        max_size=8,
    )
)
def test_messy_rows_give_records_or_issues_never_exceptions(
    table: list[tuple[str, str, str, str]],
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Title", "Date", "Time", "Timezone"], *table])
    items = list(parse_lineup(io.BytesIO(buffer.getvalue().encode()), "m.csv").items)
    assert all(isinstance(i, LineupRow | RowIssue) for i in items)


def _lineup_bytes(rows: int) -> bytes:
    lines = ["Title,Director,Date,Time,Venue,Notes"]
    lines += [
        f"Film {n},Someone {n % 50},2013-06-{n % 28 + 1:02d},18:00,Venue {n % 9},note {n}"
        for n in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_memory_does_not_grow_with_the_number_of_rows() -> None:
    def peak(rows: int) -> int:
        data = io.BytesIO(_lineup_bytes(rows))
        tracemalloc.start()
        try:
            count = sum(1 for _ in parse_lineup(data, "big.csv").items)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert count == rows

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5, (small, large)  # ten times the rows, not ten times the memory


def parse_text(text: str, **options: Any) -> list[Any]:
    data = io.BytesIO(text.replace("\n", "\r\n").encode())
    return list(parse_lineup(data, "t.csv", LineupOptions(**options)).items)


@pytest.mark.parametrize(
    ("cell", "minutes"),
    [
        ("105", 105),
        ("105 min", 105),
        ("105min", 105),
        ("1h45", 105),
        ("1h 45m", 105),
        ("01:45", 105),
        ("2h", 120),
        ("90'", 90),
    ],
)
def test_runtime_forms(cell: str, minutes: int) -> None:
    (row,) = parse_text(f"Title,Date,Runtime\nThe Defector,2013-06-14,{cell}\n")
    assert row.film.runtime_minutes == minutes


def test_a_bad_runtime_names_the_forms() -> None:
    (issue,) = parse_text("Title,Date,Length\nThe Defector,2013-06-14,long\n")
    # The issue names the row's film, so that --sync leaves its screenings alone.
    assert issue == RowIssue(
        "t.csv",
        2,
        "Length",
        "long",
        "expected minutes: 105, 105 min, 1h45 or 01:45",
        "error",
        "The Defector",
    )


@pytest.mark.parametrize(
    "cell",
    [
        "Ann Shin, Manfred Becker",
        "Ann Shin & Manfred Becker",
        "Ann Shin; Manfred Becker",
        "Ann Shin and Manfred Becker",
        "Ann Shin AND Manfred Becker",
    ],
)
def test_several_people_in_one_cell(cell: str) -> None:
    (row,) = parse_text(f'Title,Date,Directors\nThe Defector,2013-06-14,"{cell}"\n')
    assert row.film.directors == ("Ann Shin", "Manfred Becker")


def test_a_selections_file() -> None:
    items = parse_text(
        "Film,Festival,Year of festival,Strand,Premiere,Status\n"
        "The Defector,IDFA,2012,Reflecting Images - Panorama,festival premiere,selected\n"
        "The Defector,Hot Docs,2013,,Canadian premiere,in the running\n"
    )
    first, issue = items
    assert (first.kind, first.festival, first.edition_year, first.section, first.premiere) == (
        "selection",
        "IDFA",
        2012,
        "Reflecting Images - Panorama",
        "festival premiere",
    )
    assert issue == RowIssue(
        "t.csv",
        3,
        "Status",
        "in the running",
        "expected one of selected, competition, out_of_competition, withdrawn, got "
        "'in the running'",
        "error",
        first.film.title,
    )


def test_standard_input_is_read_twice_through_a_spool() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = b"Title,Date,Time\r\nThe Defector,06/11/2013,18:00\r\nThe Defector,13/11/2013,18:00\r\n"
    items = list(parse_lineup(io.BufferedReader(Pipe(data)), "<stdin>").items)
    assert [r.local_date for r in items] == [D(2013, 11, 6), D(2013, 11, 13)]


def test_the_delimiter_can_be_given_and_a_wrong_one_is_named() -> None:
    text = "Title;Date\nThe Defector, the film;2013-06-14\n"
    assert parse_text(text, delimiter="semicolon")[0].film.title == "The Defector, the film"
    (issue,) = parse_text(text, delimiter="pipe")
    assert issue.message == "--delimiter: expected comma, semicolon or tab (or , ; \\t)"


def test_utf16_from_a_spreadsheets_unicode_text_export() -> None:
    data = "Title\tDate\r\nCinéma Vérité\t2013-06-14\r\n".encode("utf-16")
    (row,) = parse_lineup(io.BytesIO(data), "u.txt").items
    assert isinstance(row, LineupRow)
    assert row.film.title == "Cinéma Vérité"


def test_a_row_with_more_cells_than_the_header_is_an_issue() -> None:
    (issue,) = parse_text("Title,Date\nAlma, a Tale of Violence,2013-06-13\n")
    assert issue == RowIssue(
        "t.csv",
        2,
        None,
        "2013-06-13",
        "this row has 3 cells and the header 2; a delimiter inside a value needs quotes",
    )


@pytest.mark.parametrize("ending", ["\n", ""], ids=["newline", "no-newline"])
def test_a_quote_never_closed_is_refused_not_read_to_the_end(ending: str) -> None:
    """csv reads the rest of the file into a quoted value left open: every row after it
    would be gone, and a sync would cancel their screenings."""
    found = parse_long(
        "Title,Date,Notes\n"
        'The Defector,2013-06-14,"Q&A\n'
        "Mothers,2013-06-13,\n"
        f"The Act of Killing,2013-06-14,{ending}"
    )
    assert found == [
        RowIssue(
            "long.csv", 2, "Notes", '"Q&A',
            "a double quote opens this value and none closes it, so lines 2-4, to the end "
            'of the file, would be one value; close it, or write a quote inside a value '
            'twice ("")',
        )
    ]  # fmt: skip
    (issue,) = parse_long('Title,Date\n"Mothers,2013-06-13\n')  # on the last line
    assert issue.column == "Title" and "so line 2, to the end of the file" in issue.message
    header = parse_long('Title,"Date\nMothers,2013-06-13\n')
    assert [str(i) for i in header] == [
        "long.csv:1: '\"Date': a double quote opens this value and none closes it, so lines "
        "1-2, to the end of the file, would be one value; close it, or write a quote inside "
        'a value twice ("")'
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_quote_left_open_that_a_later_quote_closes_is_refused(newline: str) -> None:
    """The next quote in the file, meant to open a value of a later row, closed the one
    left open: csv read the rows between into one value, of a row of the right width
    (or wider), which went on as if nothing was amiss. The rows after it are read."""
    text = (
        "Title,Date,Notes\n"
        'The Defector,2013-06-14,"Q&A with\n'
        'Mothers,2013-06-13,"a note"\n'
        "The Act of Killing,2013-06-14,\n"
    ).replace("\n", newline)
    found = parse_long(text)
    assert found[0] == RowIssue(
        "long.csv", 2, "Notes", '"Q&A with',
        "a double quote opens this value, and the next quote in the file (line 3) does not "
        "end one, so lines 2-3 would be read as one value; close it, or write a quote "
        'inside a value twice ("")',
    )  # fmt: skip
    assert [row.film.title for row in rows(found)] == ["The Act of Killing"]
    header = parse_long('Title,"Date\nMothers,2013-06-13,"a note"\nSalt,2013-06-14,\n')
    assert [str(i) for i in header] == [
        "long.csv:1: '\"Date': a double quote opens this value, and the next quote in the "
        "file (line 2) does not end one, so lines 1-2 would be read as one value; close it, "
        'or write a quote inside a value twice ("")'
    ]
    # A value over lines with a quote inside, written twice, is read.
    (row,) = parse_long('Title,Date,Notes\nMothers,2013-06-13,"Q&A\nwith ""Xu"""\n')
    assert bare(row).remarks == 'Q&A\nwith "Xu"'


def test_a_quote_left_open_far_from_the_end_stops_at_csv_s_limit() -> None:
    rows = "".join(f"Film {n},2013-06-14,\n" for n in range(10_000))  # 220 KB
    found = parse_long(f'Title,Date,Notes\nMothers,2013-06-13,"Q&A\n{rows}')
    (issue,) = [i for i in found if isinstance(i, RowIssue)]
    assert str(issue).startswith(
        "long.csv:2: a value of the row starting here runs past 131,072 characters by line "
    )
    assert str(issue).endswith("(a quote left open?); the rest of the file is not read")


def test_a_header_quote_left_open_far_from_the_end_says_so() -> None:
    rows = "".join(f"Film {n},2013-06-14\n" for n in range(10_000))
    (issue,) = parse_long(f'Title,"Date\n{rows}')
    assert str(issue).startswith(
        "long.csv:1: a value of the header starting here runs past 131,072 characters"
    )


def test_a_quoted_value_over_lines_that_closes_at_the_end_is_read() -> None:
    for ending in ("\n", ""):
        (row,) = parse_long(
            f'Title,Date,Notes\nMothers,2013-06-13,"Q&A\nwith the director"{ending}'
        )
        assert bare(row).remarks == "Q&A\nwith the director"


def parse_long(text: str) -> list[Any]:
    stream = io.BytesIO(text.encode("utf-8"))
    return [bare(i) for i in parse_lineup(stream, "long.csv", LineupOptions()).items]


def test_a_cell_longer_than_the_catalogue_keeps_is_a_row_error() -> None:
    long_title, long_name = "T" * 501, "N" * 301
    found = parse_long(
        "Title,Director,Festival,Date,Timezone\n"
        f"{long_title},Ann Shin,Hot Docs 2013,2013-04-27,America/Toronto\n"
        f'Fine,"Ann Shin, {long_name}",Hot Docs 2013,2013-04-27,America/Toronto\n'
        "Fine,Ann Shin,Hot Docs 2013,2013-04-27,America/Toronto\n"
    )
    assert found[:2] == [
        RowIssue("long.csv", 2, "Title", long_title, "501 characters; at most 500"),
        RowIssue("long.csv", 3, "Director", long_name, "301 characters; at most 300"),
    ]
    # A message echoes a cell's first 80 characters (tests/security/test_hostile_input.py).
    assert str(found[0]) == (
        "long.csv:2: column 'Title': '" + "T" * 80 + "…': 501 characters; at most 500"
    )
    assert len(rows(found)) == 1


def test_each_field_lands_in_a_column_of_the_schema() -> None:
    """The parser's lengths are the schema's: each field names the column it is kept in,
    whose width (none for Text) the rules give."""
    from screenings import rules, tables
    from screenings.parsers.lineup import (
        ALIASES,
        CREDIT_ROLE,
        LANDS_IN,
        LINK_KIND,
        LINK_URL,
        PERSON,
    )

    places = [*LANDS_IN.values(), PERSON, CREDIT_ROLE, LINK_KIND, *LINK_URL.values()]
    places.append(("film_link", "url"))
    for table, column in places:
        width = getattr(tables.metadata.tables[table].c[column].type, "length", None)
        assert width == rules.LENGTHS.get(table, {}).get(column), (table, column)
    assert set(LANDS_IN) <= set(ALIASES)


def test_a_private_row_without_a_date_is_refused() -> None:
    found = parse_long(
        "Title,Festival,Date,Private\nSealed,Hot Docs 2013,,yes\nOpen,Hot Docs 2013,,no\n"
    )
    assert found[0] == RowIssue(
        "long.csv", 2, "Private", "yes",
        "a row without a date puts its film in the festival's programme, which is public; "
        "give the private screening's date",
    )  # fmt: skip
    assert [row.film.title for row in rows(found)] == ["Open"]


def test_the_date_order_is_settled_by_the_rows_before_a_broken_one(tmp_path: Path) -> None:
    """A row with more cells than the header is refused, and so is what follows it for
    settling the day/month order: a date after it neither settles the order nor
    contradicts it."""
    lineup = tmp_path / "broken.csv"
    lineup.write_text(
        "title,venue,date,time,timezone\n"
        "Foo,Showroom,03/04/2013,18:00,Europe/London\n"
        "Bar,Showroom,04/04/2013,18:00,Europe/London,extra\n"
        "Baz,Showroom,25/04/2013,18:00,Europe/London\n",
        encoding="utf-8",
    )
    with lineup.open("rb") as stream:
        parsed = parse_lineup(stream, "broken.csv", LineupOptions())
        found = [(i.line, i.value) for i in parsed.items if isinstance(i, RowIssue)]
    assert parsed.date_order is None
    assert found == [(2, "03/04/2013")]  # reads both ways, and nothing before settles it
