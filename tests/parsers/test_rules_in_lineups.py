"""Issue 19, the import door: every cell of every kind of file obeys the rules of a value.

Each text cell goes through ``screenings.rules`` as a value typed on the command line
does: text hygiene (bug F: a control character in a name; bug D: a NUL byte, which
SQLite stored and PostgreSQL refused with a traceback for the whole file), the length
of the column it lands in (bug C: SQLite kept a 5,000-character value PostgreSQL
refuses), the web address rule (bug A) and the zone rule (bug E). A refused cell is a
row error naming the file, the line and the column, followed by the words the rule
says at every door; ``--skip-invalid`` imports the other rows. Real CSV files, parsed
alone and imported into SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from screenings import rules
from screenings.cli import run
from screenings.db import create_db_engine
from screenings.errors import InvalidInput
from screenings.parsers.lineup import LineupOptions, parse_lineup, parse_lineup_files
from screenings.records import AwardRow, FilmRow, LineupRow, RowIssue
from tests.dumps import dump

Cli = Callable[..., tuple[int, str, str]]

# Bug F: control characters in a name (an ESC sequence would colour a terminal).
CONTROLS = ["A\x00B", "A\x01B", "Bell\x07", "Del\x7f", "\x1b[31mRed\x1b[0m", "Sep\x1cX"]
LONG = "L" * 5000
BAD_URLS = ["https://exa mple.com/a b", "https://t.example/a b\r\nX-INJ:1", "ftp://t.example/"]
ODD_ZONES = ["right/Europe/London", "posix/Europe/Paris", "posixrules", "Factory", "BST"]
# Links the zone rule follows to their target; a name the country tables list stays.
ZONES = {"US/Eastern": "America/New_York", "Asia/Calcutta": "Asia/Kolkata",
         "europe/kiev": "Europe/Kyiv", "Europe/Amsterdam": "Europe/Amsterdam",
         "europe/paris": "Europe/Paris"}  # fmt: skip

LINEUP = {
    "Title": "Mothers", "Original title": "Mama", "Director": "Xu Huijing",
    "Festival": "IDFA 2012", "Section": "Competition", "Premiere": "World", "Venue": "Tuschinski",
    "City": "Amsterdam", "Date": "2012-11-21", "Time": "18:00", "Timezone": "Europe/Amsterdam",
    "Kind": "Gala", "Audience": "All ages", "Ticket URL": "https://idfa.example/t/1",
    "Notes": "Q&A", "ID": "S1",
}  # fmt: skip
FILMS = {
    "film_id": "F1", "Title": "Mothers", "Original title": "Mama", "Director": "Xu Huijing",
    "Producer": "Ann Shin", "Credit: Sound": "Lee Kim", "Website": "https://mothers.example",
    "Trailer": "https://mothers.example/trailer", "Link: Press kit": "https://mothers.example/p",
}  # fmt: skip
SCREENINGS = {
    "film_id": "F1", "Festival": "IDFA", "Edition": "2012", "Venue": "Tuschinski",
    "City": "Amsterdam", "Date": "2012-11-21", "Time": "18:00", "Timezone": "Europe/Amsterdam",
    "Kind": "Gala", "Audience": "All ages", "Ticket URL": "https://idfa.example/t/1", "ID": "S1",
}  # fmt: skip
SELECTIONS = {
    "Title": "Mothers", "Director": "Xu Huijing", "Festival": "IDFA", "Edition": "2012",
    "Section": "Competition", "Premiere": "World", "Status": "competition", "Notes": "Opening",
}  # fmt: skip
AWARDS = {
    "Award": "Innovation Award", "Festival": "IDFA", "Presenter": "VPRO", "Year": "2012",
    "Category": "Feature", "Film": "Mothers", "Person": "Xu Huijing", "Result": "won",
}  # fmt: skip
KINDS = {"lineup": LINEUP, "films": FILMS, "screenings": SCREENINGS, "selections": SELECTIONS,
         "awards": AWARDS}  # fmt: skip

# The longest text each column of each kind of file keeps: where its cell lands.
WIDTHS = {
    "lineup": {"Title": 500, "Original title": 500, "Director": 300, "Festival": 300,
               "Section": 200, "Premiere": 100, "Venue": 300, "City": 200, "Kind": 60,
               "Audience": 200, "Ticket URL": 1000, "ID": 200},
    "films": {"Title": 500, "Original title": 500, "Director": 300, "Producer": 300,
              "Credit: Sound": 300, "Website": 1000, "Trailer": 1000, "Link: Press kit": 1000},
    "screenings": {"Festival": 300, "Venue": 300, "City": 200, "Kind": 60, "Audience": 200,
                   "Ticket URL": 1000, "ID": 200},
    "selections": {"Title": 500, "Director": 300, "Festival": 300, "Section": 200,
                   "Premiere": 100},
    "awards": {"Award": 300, "Festival": 300, "Presenter": 300, "Category": 300, "Film": 500,
               "Person": 300},
}  # fmt: skip
URL_COLUMNS = {"Ticket URL", "Website", "Trailer", "Link: Press kit"}
# Columns read as names (not a URL, not a zone): every control character is refused there.
NAMED = {kind: [c for c in widths if c not in URL_COLUMNS] for kind, widths in WIDTHS.items()}


def words(rule: Callable[..., Any], value: str, **given: Any) -> str:
    """What ``rule`` says of ``value`` at any door, after the door's name for the field."""
    with pytest.raises(InvalidInput) as refused:
        rule(value, what="FIELD", **given)
    message: str = refused.value.message
    assert message.startswith("FIELD: ")
    return message.removeprefix("FIELD: ")


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def parsed(kind: str, rows: list[dict[str, str]], **options: Any) -> list[Any]:
    """The records and issues of a file of ``kind`` holding ``rows`` (a screenings file
    comes after the one-row films file it joins)."""
    given = LineupOptions(file_kind=None if kind == "screenings" else kind, **options)
    if kind == "screenings":
        films = io.BytesIO(csv_bytes([FILMS]))
        items = parse_lineup_files(films, "films.csv", io.BytesIO(csv_bytes(rows)), "s.csv", given)
        return [i for i in items.items if not isinstance(i, FilmRow)]
    return list(parse_lineup(io.BytesIO(csv_bytes(rows)), f"{kind}.csv", given).items)


def refusal(kind: str, column: str, value: str) -> RowIssue:
    """The one issue of a file whose one row has ``value`` in ``column``."""
    (item,) = parsed(kind, [{**KINDS[kind], column: value}])
    assert isinstance(item, RowIssue), (column, value, item)
    return item


def one_row(kind: str, column: str, value: str, **options: Any) -> Any:
    (item,) = parsed(kind, [{**KINDS[kind], column: value}], **options)
    assert isinstance(item, LineupRow | FilmRow | AwardRow), item
    return item


# -- the parser, every column of every kind of file --------------------------------------


@pytest.mark.parametrize(
    ("kind", "column"), [(kind, column) for kind, columns in NAMED.items() for column in columns]
)
def test_a_control_character_in_a_name_is_refused(kind: str, column: str) -> None:
    for value in CONTROLS:
        issue = refusal(kind, column, value)
        assert (issue.line, issue.column, issue.value) == (2, column, value)
        assert issue.message == words(rules.clean_text, value)
        assert issue.message.startswith("holds a control character (U+")


def test_the_words_for_a_control_character() -> None:
    issue = refusal("lineup", "Title", "A\x00B")
    assert str(issue) == (
        "lineup.csv:2: column 'Title': 'A\\x00B': holds a control character (U+0000 NUL) at "
        "character 2; expected text"
    )
    assert refusal("lineup", "Venue", "\x1b[31mRed").message == (
        "holds a control character (U+001B ESC) at character 1; expected text"
    )


@pytest.mark.parametrize(
    ("kind", "column", "limit"),
    [(kind, column, limit) for kind, widths in WIDTHS.items() for column, limit in widths.items()],
)
def test_a_cell_longer_than_its_column_is_refused(kind: str, column: str, limit: int) -> None:
    value = "https://t.example/" + "a" * 4982 if column in URL_COLUMNS else LONG
    issue = refusal(kind, column, value)
    assert (issue.line, issue.column, issue.value) == (2, column, value)
    assert issue.message == f"5,000 characters; at most {limit:,}"
    assert issue.message == words(rules.check_length, value, limit=limit)
    # As long as the column keeps is kept (a name of several: each name).
    if column not in URL_COLUMNS and column != "Festival":
        one_row(kind, column, "L" * limit)


def test_the_label_of_an_edition_is_as_long_as_the_catalogue_keeps() -> None:
    issue = refusal("selections", "Edition", "2012 " + "L" * 201)
    assert (issue.column, issue.message) == ("Edition", "its label: 201 characters; at most 200")
    assert one_row("selections", "Edition", "2012 " + "L" * 200).edition_label == "L" * 200


@pytest.mark.parametrize("kind", ["lineup", "screenings"])
@pytest.mark.parametrize("value", BAD_URLS)
def test_a_ticket_url_that_is_no_web_address_is_refused(kind: str, value: str) -> None:
    issue = refusal(kind, "Ticket URL", value)
    read = value.replace("\r\n", "\n")  # a quoted value's line break, as the file reads
    assert (issue.column, issue.value) == ("Ticket URL", read)
    assert issue.message == words(rules.check_url, read)
    assert issue.message.endswith("is not a web address; expected https://...")


@pytest.mark.parametrize("column", ["Website", "Trailer", "Link: Press kit"])
@pytest.mark.parametrize("value", BAD_URLS)
def test_a_link_that_is_no_web_address_is_refused(column: str, value: str) -> None:
    issue = refusal("films", column, value)
    read = value.replace("\r\n", "\n")
    assert (issue.column, issue.value) == (column, read)
    assert issue.message == words(rules.check_url, read)


def test_the_words_for_a_ticket_url_name_it_once() -> None:
    assert str(refusal("lineup", "Ticket URL", "https://exa mple.com/a b")) == (
        "lineup.csv:2: column 'Ticket URL': 'https://exa mple.com/a b' is not a web address; "
        "expected https://..."
    )
    assert str(refusal("lineup", "Ticket URL", "https://t.example/a b\r\nX-INJ:1")) == (
        "lineup.csv:2: column 'Ticket URL': 'https://t.example/a b\\nX-INJ:1' is not a web "
        "address; expected https://..."
    )


@pytest.mark.parametrize("kind", ["lineup", "screenings"])
@pytest.mark.parametrize("zone", ODD_ZONES)
def test_an_odd_zone_is_refused(kind: str, zone: str) -> None:
    issue = refusal(kind, "Timezone", zone)
    assert (issue.column, issue.value) == ("Timezone", zone)
    assert issue.message == words(rules.canonical_zone, zone)
    assert str(issue).endswith(
        f"column 'Timezone': unknown time zone {zone!r}; expected an IANA name such as "
        "'Europe/London'"
    )


@pytest.mark.parametrize(("zone", "kept"), ZONES.items())
def test_a_zone_is_kept_as_the_rule_keeps_it(zone: str, kept: str) -> None:
    assert one_row("lineup", "Timezone", zone).timezone == kept
    assert one_row("screenings", "Timezone", zone).timezone == kept


def test_a_nul_anywhere_read_is_refused_by_the_rule() -> None:
    """Cells read into something else (a date, a year, a status, a join key) are clean text
    first: a NUL there is the hygiene rule's refusal, not a stranger's."""
    for kind, column in [("lineup", "Date"), ("lineup", "Time"), ("selections", "Status"),
                         ("awards", "Year"), ("awards", "Result"), ("screenings", "Edition"),
                         ("lineup", "Notes"), ("selections", "Notes")]:  # fmt: skip
        issue = refusal(kind, column, "2\x0012")
        assert (issue.column, issue.message) == (column, words(rules.clean_text, "2\x0012"))


def test_text_is_tidied_as_at_every_door() -> None:
    row = one_row("lineup", "Title", "The  Act\tof\xa0Killing")
    assert row.film.title == "The Act of Killing"
    notes = one_row("lineup", "Notes", "Q&A\r\n\twith the director\r\n").remarks
    assert notes == rules.clean_text("Q&A\n\twith the director", what="", multiline=True)
    assert notes == "Q&A\n\twith the director"
    assert one_row("lineup", "Audience", "\u3000All  ages\xa0").audience == "All ages"
    assert one_row("lineup", "Kind", "Special  Gala").screening_kind == "special_gala"


def test_a_cell_is_trimmed_of_blanks_but_not_of_controls() -> None:
    from screenings.parsers.table import BLANKS

    assert set(BLANKS) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - {
        "\x0b",
        "\x0c",
        "\x1c",
        "\x1d",
        "\x1e",
        "\x1f",
        "\x85",
    }
    for control in ["\x1c", "\x1d", "\x1e", "\x1f", "\x85"]:
        issue = refusal("lineup", "Title", "Mothers" + control)
        assert issue.message.startswith("holds a control character"), control
    # A vertical tab or a form feed is a space in one line, and refused in a field of
    # several lines, as `--note` refuses it: the rules judge it, at the end of a cell too.
    for control in ["\x0b", "\x0c"]:
        assert one_row("lineup", "Title", "Mothers" + control).film.title == "Mothers"
        issue = refusal("lineup", "Notes", "Q&A" + control)
        assert issue.message == words(rules.clean_text, "Q&A" + control, multiline=True)


def test_a_credit_role_or_link_kind_longer_than_kept_is_refused_by_its_column() -> None:
    for header, what, limit in [("Credit: ", "credit role", 60), ("Link: ", "link kind", 60)]:
        column = header + "x" * (limit + 1)
        value = "Lee Kim" if header.startswith("Credit") else "https://t.example/"
        (issue,) = parsed("films", [{**FILMS, column: value}])
        assert issue == RowIssue(
            "films.csv", 1, column, None, f"its {what}: {limit + 1} characters; at most {limit}"
        )
        (row,) = parsed("films", [{**FILMS, header + "x" * limit: value}])
        assert isinstance(row, FilmRow)
    (issue,) = parsed("films", [{**FILMS, "Crew": "Lee Kim"}], mapping={"Crew": "credit: " + LONG})
    assert (issue.column, issue.message) == (
        "Crew",
        "its credit role: 5,000 characters; at most 60",
    )


def test_a_mapped_credit_or_link_reads_as_a_column_of_that_name() -> None:
    (row,) = parsed(
        "films",
        [{**FILMS, "Crew": "Lee Kim", "Promo": "https://t.example/p"}],
        mapping={"Crew": "Credit: Sound Design", "Promo": "trailer"},
    )
    assert ("sound_design", "Lee Kim") in row.film.credits
    assert ("trailer", "https://t.example/p") in row.film.links


@pytest.mark.parametrize(
    ("title", "year"),
    [("Mothers (2012)", 2012), ("Mothers (1850)", None), ("Mothers (2201)", None)],
)
def test_a_year_after_a_title_is_a_year_only_within_the_rules_years(
    title: str, year: int | None
) -> None:
    # In an awards file with one Year column (the award's), "Title (2012)" names the film
    # and its year; a year the rules refuse is part of the title, never a film's year
    # the database would refuse (failing the whole file, before).
    row = one_row("awards", "Film", title)
    assert (row.film.title, row.film.year) == (title.removesuffix(" (2012)"), year)


def test_an_edition_s_year_outside_the_rules_years_is_a_row_error() -> None:
    (issue,) = parsed("lineup", [{**LINEUP, "Festival": "IDFA", "Edition": "1850"}])
    assert isinstance(issue, RowIssue) and (issue.line, issue.column) == (2, "Edition")
    assert issue.message == "a year from 1870 to 2200, e.g. 2013"
    # In a Festival column, a number no edition can have is part of the festival's name.
    row = one_row("lineup", "Festival", "IDFA 1850")
    assert (row.festival, row.edition_year) == ("IDFA 1850", None)


def test_a_credit_role_or_link_kind_in_a_header_reads_as_the_command_line_reads_it() -> None:
    # The open-word rule (rules.open_word), as `--credit 'Éditeur=Bob'` and `--link` read
    # them: accents kept, lower-case, words joined by "_" ('editeur' before, a second role).
    header = {**FILMS, "Credit: Éditeur": "Bob", "Link – Press Kit": "https://x.example/p"}
    (film,) = parsed("films", [header])
    assert ("éditeur", "Bob") in film.film.credits
    assert ("press_kit", "https://x.example/p") in film.film.links
    assert rules.open_word("Éditeur", what="--credit", limit=60) == "éditeur"


def test_the_festival_option_is_a_festival_name() -> None:
    for value, message in [
        ("Hot\x07Docs", words(rules.clean_text, "Hot\x07Docs")),
        (LONG, "5,000 characters; at most 300"),
    ]:
        (issue,) = parsed("lineup", [LINEUP], festival=value)
        assert issue == RowIssue("lineup.csv", 0, None, None, f"--festival: {message}")


# -- the import, on both databases ------------------------------------------------------------


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str]) -> str:
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


# Per kind of file: rows that break a rule, each in one cell (column, value).
BROKEN: dict[str, list[tuple[str, str]]] = {
    "lineup": [("Title", "A\x00B"), ("Venue", "Hall\x00"), ("Kind", LONG), ("City", LONG),
               ("Audience", LONG), ("Original title", LONG), ("Ticket URL", BAD_URLS[0]),
               ("Ticket URL", BAD_URLS[1]), ("Timezone", "right/Europe/London"),
               ("Director", "\x1b[31mRed\x1b[0m"), ("Notes", "a\x00b")],
    "films": [("Title", "A\x00B"), ("Website", "https://exa mple.com/a b"),
              ("Website", "https://t.example/" + "a" * 4982), ("Producer", "Ann\x7fShin"),
              ("Trailer", BAD_URLS[1])],
    "screenings": [("ID", "S\x00"), ("Kind", LONG), ("Ticket URL", BAD_URLS[0]),
                   ("Timezone", "posixrules"), ("Audience", "All\x07")],
    "selections": [("Title", "A\x00B"), ("Section", LONG), ("Edition", "2012 " + "L" * 300),
                   ("Premiere", "World\x01")],
    "awards": [("Category", "C\x00"), ("Presenter", LONG), ("Person", "P\x01"),
               ("Award", LONG)],
}  # fmt: skip


def good(kind: str, n: int) -> dict[str, str]:
    """Row ``n`` of a file of ``kind``, valid and a record of its own."""
    row = dict(KINDS[kind])
    if kind in {"lineup", "screenings"}:
        row.update(Date=f"2012-11-{n + 1:02d}", ID=f"S{n}")
    elif kind == "awards":
        row.update(Category=f"Feature {n}")
    else:
        row.update(Title=f"Mothers {n}")
        if kind == "films":
            row["film_id"] = f"F{n}"
    return row


def import_file(cli: Cli, tmp_path: Path, kind: str, rows: list[dict[str, str]], *args: str) -> Any:
    files = [write(tmp_path / f"{kind}.csv", rows)]
    if kind == "screenings":
        files.insert(0, write(tmp_path / "films.csv", [FILMS]))
    return cli("import", *map(str, files), "--timezone", "Europe/Amsterdam", *args)


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_rows_are_row_errors_on_both_databases(
    cli: Cli, url: str, tmp_path: Path, kind: str
) -> None:
    """Each broken row is rejected with its line, its column and the rule's words, the same
    on SQLite and PostgreSQL; --skip-invalid imports the rest, and nothing broken is
    stored. Without it, nothing at all is."""
    rows = [good(kind, 0)]
    for n, (column, value) in enumerate(BROKEN[kind], start=1):
        rows += [{**good(kind, n), column: value}]
    rows.append(good(kind, len(rows)))
    assert cli("db", "upgrade")[0] == 0
    before = dump(url)
    code, _out, err = import_file(cli, tmp_path, kind, rows)
    assert code == 2, err
    assert "Traceback" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(
            f"{len(BROKEN[kind])} rows rejected; nothing was imported (fix them, or --skip-invalid "
            "to import the valid rows)"
        )
    )
    assert dump(url) == before

    report = tmp_path / "report.jsonl"
    code, _out, err = import_file(
        cli, tmp_path, kind, rows, "--skip-invalid", "--report", str(report)
    )
    assert code == 0, err
    records = [json.loads(line) for line in report.read_text().splitlines()]
    rejected = [
        (r["line"], r["column"], r["message"]) for r in records if r.get("outcome") == "rejected"
    ]
    expected = []
    line = 3  # the physical line a row starts on: a quoted line break adds one
    for column, value in BROKEN[kind]:
        read = value.replace("\r\n", "\n")
        if column in URL_COLUMNS:
            message = words(rules.check_url, read)
        elif column == "Timezone":
            message = words(rules.canonical_zone, read)
        elif column == "Edition":
            message = "its label: 300 characters; at most 200"
        else:
            message = words(rules.clean_text, read, limit=WIDTHS[kind].get(column))
        expected.append((line, column, message))
        line += 1 + read.count("\n")
    assert rejected == expected
    for line, column, message in expected:
        assert f"{kind}.csv:{line}: column '{column}':" in err and message in err
    texts = [v for rows in dump(url).values() for row in rows for v in row if isinstance(v, str)]
    assert texts and not [v for v in texts if not v.replace("\n", "").isprintable()]
    assert not [v for v in texts if "L" * 61 in v or "exa mple" in v or "X-INJ" in v]
    assert not [v for v in texts if v.startswith(("right/", "posix"))]


def test_a_nul_on_postgresql_is_a_row_error_with_its_line(cli: Cli, tmp_path: Path) -> None:
    """Bug D as filed: PostgreSQL refused the whole file with a psycopg traceback."""
    rows = [good("lineup", 0), {**good("lineup", 1), "Title": "A\x00B"}, good("lineup", 2)]
    code, out, err = import_file(cli, tmp_path, "lineup", rows, "--skip-invalid")
    assert code == 0, err
    assert out.startswith(f"{tmp_path / 'lineup.csv'}: 3 rows; screenings: 2 created")
    assert (
        f"rejected: {tmp_path / 'lineup.csv'}:3: column 'Title': 'A\\x00B': holds a control "
        "character (U+0000 NUL) at character 2; expected text"
    ) in err.splitlines()


def test_zones_are_stored_as_the_rule_keeps_them(cli: Cli, url: str, tmp_path: Path) -> None:
    rows = [{**good("lineup", n), "Venue": f"Hall {n}", "Timezone": zone}
            for n, zone in enumerate(ZONES)]  # fmt: skip
    code, _out, err = import_file(cli, tmp_path, "lineup", rows)
    assert code == 0, err
    engine = create_db_engine(url)
    with engine.connect() as c:
        screenings = c.execute(text("SELECT external_id, timezone FROM screening")).all()
        venues = c.execute(text("SELECT name, timezone FROM venue")).all()
    engine.dispose()
    wanted = list(ZONES.values())
    assert sorted(screenings) == sorted((f"S{n}", zone) for n, zone in enumerate(wanted))
    assert sorted(venues) == sorted((f"Hall {n}", zone) for n, zone in enumerate(wanted))


@pytest.mark.parametrize("zone", ["right/Europe/London", "posix/Europe/London", "Factory"])
def test_the_timezone_option_is_refused_by_the_zone_rule(
    cli: Cli, url: str, tmp_path: Path, zone: str
) -> None:
    rows = [{**good("lineup", 0), "Timezone": ""}]
    path = write(tmp_path / "lineup.csv", rows)
    code, _out, err = cli("import", str(path), "--timezone", zone)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        f"screenings: error: --timezone: {words(rules.canonical_zone, zone)}"
    )


def test_the_timezone_option_is_kept_as_the_rule_keeps_it(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    rows = [{**good("lineup", 0), "Timezone": ""}]
    code, _out, err = cli(
        "import", str(write(tmp_path / "l.csv", rows)), "--timezone", "US/Eastern"
    )
    assert code == 0, err
    engine = create_db_engine(url)
    with engine.connect() as c:
        assert c.execute(text("SELECT timezone FROM screening")).scalar_one() == "America/New_York"
    engine.dispose()
