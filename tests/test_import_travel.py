"""``screenings import`` of a travel file (#24): From, To, Minutes between venues, the same
both ways; created, updated, unchanged or rejected naming the line and the column; found
by its columns; a dry run storing nothing. Real CSV files, SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from screenings.cli import run
from screenings.parsers.lineup import LineupOptions, parse_lineup
from screenings.records import RowIssue, TravelRow
from tests.dumps import dump

Cli = Callable[..., tuple[int, str, str]]

VENUES = [
    ["add", "venue", "Bio Rex", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "venue", "Andorra", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "venue", "Orion", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
]
REX, ANDORRA, ORION = "Bio Rex (Helsinki, #1)", "Andorra (Helsinki, #2)", "Orion (Helsinki, #3)"
HEADER = ["From", "To", "Minutes"]
TIMES = [["Bio Rex", "Andorra", "10"], ["Orion", "Andorra", "15 min"], ["Bio Rex", "Orion", "0:12"]]


@pytest.fixture
def url(backend: str, copied_catalogue: Callable[[str, str, list[list[str]]], str]) -> str:
    """A new catalogue of three venues in Helsinki, #1 to #3, and no travel time."""
    return copied_catalogue(backend, "three-venues", VENUES)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, sep: str = ",") -> str:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def stated(cli: Cli, *venue: str) -> list[tuple[str, str, int]]:
    """The stored times, as ``list travel --format json`` gives them (of ``venue``)."""
    code, out, err = cli(
        "list", "travel", *(("--venue", *venue) if venue else ()), "--format", "json"
    )
    assert code == 0, err
    listed = json.loads(out)
    assert listed["version"] == 2
    return [(t["first"], t["second"], t["minutes"]) for t in listed["travel"]]


def test_a_travel_file_states_each_time_once_for_both_ways(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "travel.csv", TIMES)
    code, out, err = cli("import", path)
    assert code == 0, err
    assert out == f"{path}: 3 rows\n  travel times: 3 new, 0 updated, 0 unchanged\n"
    assert err == ""
    # "Orion, Andorra" is stored once, as Andorra and Orion: both ways read the same.
    both = [(ANDORRA, ORION, 15), (REX, ANDORRA, 10), (REX, ORION, 12)]
    assert stated(cli) == both
    assert stated(cli, "Orion") == [(ANDORRA, ORION, 15), (REX, ORION, 12)]
    assert stated(cli, "Andorra") == [(ANDORRA, ORION, 15), (REX, ANDORRA, 10)]
    code, _, err = cli("add", "travel", "Andorra", "Orion", "20")
    assert code == 5
    assert f"{ANDORRA} and {ORION} already have a travel time (15 min)" in err


def test_a_travel_file_imported_again_changes_nothing(cli: Cli, url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "travel.csv", TIMES)
    assert cli("import", path)[0] == 0
    before = dump(url)
    code, out, err = cli("import", path)
    assert code == 0, err
    assert out == f"{path}: 3 rows\n  travel times: 0 new, 0 updated, 3 unchanged\n"
    assert dump(url) == before


def test_one_time_changed_is_one_updated(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", write(tmp_path / "travel.csv", TIMES))[0] == 0
    # The same pairs, each written the other way round; one of them 5 minutes longer.
    changed = [["Andorra", "Bio Rex", "10"], ["Andorra", "Orion", "15"], ["Orion", "Bio Rex", "17"]]
    path = write(tmp_path / "changed.csv", changed)
    code, out, err = cli("import", path)
    assert code == 0, err
    assert out == f"{path}: 3 rows\n  travel times: 0 new, 1 updated, 2 unchanged\n"
    assert stated(cli) == [(ANDORRA, ORION, 15), (REX, ANDORRA, 10), (REX, ORION, 17)]


def test_a_row_naming_an_unknown_venue_is_rejected_by_line_and_column(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    before = dump(url)
    path = write(tmp_path / "travel.csv", [*TIMES[:2], ["Orion", "Bio Rexx", "12"]])
    code, out, err = cli("import", path)
    assert code == 2
    assert out == ""
    assert err == (
        f"rejected: {path}:4: column 'To': no venue called 'Bio Rexx'; did you mean 'Bio Rex'?\n"
        f"screenings: error: {path}: 1 row rejected; nothing was imported (fix them, or "
        "--skip-invalid to import the valid rows)\n"
    )
    assert dump(url) == before  # the valid rows' times are not kept either
    code, out, err = cli("import", path, "--skip-invalid")
    assert code == 0, err
    assert out == f"{path}: 3 rows\n  travel times: 2 new, 0 updated, 0 unchanged, 1 rejected\n"
    assert err.startswith(f"rejected: {path}:4: column 'To': no venue called 'Bio Rexx'")
    assert stated(cli) == [(ANDORRA, ORION, 15), (REX, ANDORRA, 10)]


NOT_A_TIME = [
    (["Bio Rexx", "Orion", "5"],
     "column 'From': no venue called 'Bio Rexx'; did you mean 'Bio Rex'?"),
    (["Rex", "#1", "5"], f"column 'To': both name {REX}; a venue to itself is 0 minutes"),
    (["Orion", "Andorra", "1441"],
     "column 'Minutes': expected minutes from 0 to 1440, got 1441"),
    (["Orion", "Andorra", "soon"],
     "column 'Minutes': 'soon': expected minutes: 105, 105 min, 1h45 or 01:45"),
    (["", "Andorra", "5"], "column 'From': a venue is required: its name, 'Name (City)' or #ID"),
    (["Orion", "", "5"], "column 'To': a venue is required: its name, 'Name (City)' or #ID"),
    (["Orion", "Andorra", ""],
     "column 'Minutes': the travel time is required: 10, 10 min or 0:10"),
    (["#9", "Andorra", "5"], "column 'From': no venue has id #9"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "said"), NOT_A_TIME)
def test_a_row_that_cannot_be_a_travel_time_is_refused_naming_its_column(
    cli: Cli, url: str, tmp_path: Path, row: list[str], said: str
) -> None:
    before = dump(url)
    path = write(tmp_path / "travel.csv", [row])
    code, out, err = cli("import", path)
    assert code == 2 and out == ""
    assert err == f"screenings: error: {path}:2: {said}; nothing was imported\n"
    assert dump(url) == before


def test_a_venue_ambiguous_by_name_is_refused_naming_both(cli: Cli, tmp_path: Path) -> None:
    add = ["add", "venue", "Orion", "--city", "Tampere", "--timezone", "Europe/Helsinki"]
    assert cli(*add)[0] == 0
    path = write(tmp_path / "travel.csv", [["Bio Rex", "Orion", "5"]])
    code, _, err = cli("import", path)
    assert code == 2
    assert err == (
        f"screenings: error: {path}:2: column 'To': 'Orion' matches 2: {ORION}; Orion "
        "(Tampere, #4); say which (#ID); nothing was imported\n"
    )
    # 'Name (City)' says which.
    path = write(tmp_path / "travel.csv", [["Bio Rex", "Orion (Helsinki)", "5"]])
    assert cli("import", path)[0] == 0
    assert stated(cli) == [(REX, ORION, 5)]


def test_a_file_giving_a_pair_two_times_is_refused(cli: Cli, tmp_path: Path) -> None:
    rows = [["Bio Rex", "Orion", "12"], ["Orion", "Bio Rex (Helsinki)", "12"], ["#3", "#1", "14"]]
    path = write(tmp_path / "travel.csv", rows)
    code, _, err = cli("import", path)
    assert code == 2
    assert err.splitlines()[0] == (
        f"rejected: {path}:4: column 'Minutes': '14': line 2 gave {REX} and {ORION} 12 min; "
        "a pair has one time"
    )


def test_a_zero_minute_time_is_a_time(cli: Cli, tmp_path: Path) -> None:
    """Two screens of one building: no time to walk between them, and stated so."""
    path = write(
        tmp_path / "travel.csv", [["Bio Rex", "Andorra", "0"], ["Orion", "Andorra", "0 min"]]
    )
    code, out, err = cli("import", path)
    assert code == 0, err
    assert out == f"{path}: 2 rows\n  travel times: 2 new, 0 updated, 0 unchanged\n"
    assert stated(cli) == [(ANDORRA, ORION, 0), (REX, ANDORRA, 0)]


@pytest.mark.parametrize(
    ("header", "sep"),
    [
        (["From", "To", "Minutes"], ","),
        (["Venue A", "Venue B", "Travel time"], ","),
        (["from venue", "to venue", "walk"], ";"),
        (["TO", "FROM", "Travel Minutes"], "\t"),
    ],
)
def test_a_travel_file_is_told_by_its_columns(
    cli: Cli, tmp_path: Path, header: list[str], sep: str
) -> None:
    path = write(tmp_path / "walks.txt", [["Bio Rex", "Orion", "7"]], header, sep)
    code, out, err = cli("import", path, "--show-mapping")
    assert code == 0, err
    assert out.splitlines()[0] == f"{path}: a travel file"
    code, out, err = cli("import", path)
    assert code == 0, err
    assert out == f"{path}: 1 row\n  travel times: 1 new, 0 updated, 0 unchanged\n"
    assert stated(cli) == [(REX, ORION, 7)]


def test_file_kind_travel_with_columns_mapped(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", [["Bio Rex", "Orion", "7"]], ["Here", "There", "Time"])
    code, _, err = cli("import", path)
    assert code == 2
    assert "cannot tell what kind of file this is from its columns (Here, There, Time)" in err
    assert "or a travel file (from, to and minutes); or pass --file-kind" in err
    maps = ["--map", "Here=from", "--map", "There=to", "--map", "Time=minutes"]
    code, _, err = cli("import", path, "--file-kind", "travel", *maps)
    assert code == 0, err
    assert stated(cli) == [(REX, ORION, 7)]
    code, _, err = cli("import", path, "--file-kind", "trips")
    assert code == 2
    assert err == (
        "screenings: error: --file-kind: expected one of lineup, films, screenings, "
        "selections, awards, programmes, travel, frab, ics\n"
    )


def test_a_dry_run_stores_nothing(cli: Cli, url: str, tmp_path: Path) -> None:
    before = dump(url)
    path = write(tmp_path / "travel.csv", TIMES)
    code, out, err = cli("import", path, "--dry-run")
    assert code == 0, err
    assert out == (
        f"{path}: 3 rows\n  travel times: 3 new, 0 updated, 0 unchanged\n"
        "dry run: nothing was written\n"
    )
    assert dump(url) == before
    assert stated(cli) == []
    # A rejected row in a dry run: what the others would do, then why nothing would be.
    path = write(tmp_path / "bad.csv", [*TIMES, ["Orion", "Nowhere", "3"]])
    code, out, err = cli("import", path, "--dry-run")
    assert code == 2
    assert out == f"{path}: 4 rows\n  travel times: 3 new, 0 updated, 0 unchanged, 1 rejected\n"
    assert err.startswith(f"rejected: {path}:5: column 'To': no venue called 'Nowhere'")
    assert dump(url) == before


@pytest.mark.parametrize("option", [["--sync"], ["--edition", "DocPoint 2026"]])
def test_a_travel_file_has_no_edition_to_sync_or_fill(
    cli: Cli, url: str, tmp_path: Path, option: list[str]
) -> None:
    before = dump(url)
    path = write(tmp_path / "travel.csv", TIMES)
    if option[0] == "--edition":
        assert cli("add", "festival", "DocPoint")[0] == 0
        assert cli("add", "edition", "DocPoint", "2026")[0] == 0
        before = dump(url)
    code, out, err = cli("import", path, *option)
    assert code == 2 and out == ""
    assert err == (
        f"screenings: error: {option[0]}: a travel file states times between venues, of no "
        "festival edition\n"
    )
    assert dump(url) == before


def test_the_report_file_has_each_rows_outcome(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", write(tmp_path / "first.csv", TIMES[:1]))[0] == 0
    report = tmp_path / "report.jsonl"
    path = write(tmp_path / "travel.csv", [["Andorra", "Bio Rex", "11"], *TIMES[1:]])
    assert cli("import", path, "--report", str(report))[0] == 0
    records = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["outcome"], r["record"]) for r in records] == [
        (2, "updated", "travel"),
        (3, "created", "travel"),
        (4, "created", "travel"),
    ]


def test_a_lineup_minutes_column_is_no_travel_time(cli: Cli, tmp_path: Path) -> None:
    """Travel columns are a travel file's alone: in a lineup, Minutes is an unknown
    column, as it was before travel files (its runtime, perhaps: --map says how)."""
    header = ["Title", "Date", "Time", "Venue", "City", "Minutes"]
    path = write(
        tmp_path / "lineup.csv",
        [["Salt", "2026-02-04", "18:00", "Bio Rex", "Helsinki", "8"]],
        header,
    )
    code, _, err = cli("import", path, "--timezone", "Europe/Helsinki")
    assert code == 0, err
    assert (
        f"warning: {path}:1: column 'Minutes': unknown column, ignored; --map COLUMN=FIELD to "
        "use it, or COLUMN=ignore"
    ) in err.splitlines()
    assert stated(cli) == []


# -- The parser alone ---------------------------------------------------------------------------


def parsed(text: str, **options: object) -> list[object]:
    stream = io.BytesIO(text.encode())
    return list(parse_lineup(stream, "t.csv", LineupOptions(**options)).items)  # type: ignore[arg-type]


def test_the_parser_reads_a_travel_row_in_minutes() -> None:
    rows = parsed("From,To,Minutes\nBio Rex,Orion,0\nOrion,Andorra (Helsinki),1h05\n#1,#2,0:10\n")
    assert rows == [
        TravelRow("t.csv", 2, "Bio Rex", "Orion", 0),
        TravelRow("t.csv", 3, "Orion", "Andorra (Helsinki)", 65),
        TravelRow("t.csv", 4, "#1", "#2", 10),
    ]


def test_a_travel_file_reads_no_other_column() -> None:
    (warning, row) = parsed("From,To,Minutes,Notes\nBio Rex,Orion,4,by tram\n")
    assert isinstance(warning, RowIssue) and warning.severity == "warning"
    assert str(warning) == (
        "t.csv:1: column 'Notes': unknown column, ignored; --map COLUMN=FIELD to use it, or "
        "COLUMN=ignore"
    )
    assert row == TravelRow("t.csv", 2, "Bio Rex", "Orion", 4)
