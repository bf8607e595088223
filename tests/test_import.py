"""``screenings import``: first import, re-imports, moves, cancellations, rejections, dry runs,
the report, awards files and two imports at once. Real CSV files, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from screenings.cli import run
from screenings.db import create_db_engine
from tests.dumps import catalogue, dump

Cli = Callable[..., tuple[int, str, str]]

HEADER = ["ID", "Title", "Year", "Director", "Runtime", "Festival", "Section", "Venue",
          "City", "Date", "Time", "Notes"]  # fmt: skip
ROWS = [
    ["S1", "The Defector", "2012", "Ann Shin", "71", "Sheffield Doc/Fest 2013", "Innovation",
     "Showroom Cinema", "Sheffield", "2013-06-14", "18:00", "Q&A"],
    ["S2", "The Defector", "2012", "Ann Shin", "71", "Sheffield Doc/Fest 2013", "Innovation",
     "Showroom Cinema", "Sheffield", "2013-06-15", "13:00", ""],
    ["S3", "The Act of Killing", "2012", "Joshua Oppenheimer", "115", "Sheffield Doc/Fest 2013",
     "Competition", "Crucible Theatre", "Sheffield", "2013-06-14", "12:30", ""],
    ["S4", "Mothers", "2012", "Xu Huijing", "", "Sheffield Doc/Fest 2013", "Competition",
     "Showroom Cinema", "Sheffield", "2013-06-13", "", ""],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def without(column: str, rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    at = HEADER.index(column)
    return [c for c in HEADER if c != column], [r[:at] + r[at + 1 :] for r in rows]


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def screenings(cli: Cli) -> dict[str, dict[str, Any]]:
    """Stored screenings by external id (or film and date), with uid and sequence."""
    statuses = [a for s in ("scheduled", "tentative", "postponed", "cancelled")
                for a in ("--status", s)]  # fmt: skip
    code, out, err = cli("list", "--include-private", *statuses, "--format", "json")
    assert code == 0, err
    found = json.loads(out)["screenings"]
    return {f"{s['film']['title']} {s['local_date']} {(s['local_time'] or '')[:5]}".strip(): s
            for s in found}  # fmt: skip


def by_start(cli: Cli) -> dict[str, tuple[str, int, str]]:
    return {k: (s["uid"], s["sequence"], s["status"]) for k, s in screenings(cli).items()}


def test_first_import_creates_everything_once(cli: Cli, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "lineup.csv", ROWS)
    code, out, err = cli("import", str(lineup))
    assert code == 0, err
    assert "4 rows; screenings: 4 created, 0 updated, 0 moved, 0 unchanged" in out
    assert "new films (3)" in out and "new venues (2)" in out and "new editions (1)" in out
    assert "selections: 3 (3 new, 0 updated)" in out
    shown = screenings(cli)
    assert set(shown) == {
        "The Defector 2013-06-14 18:00", "The Defector 2013-06-15 13:00",
        "The Act of Killing 2013-06-14 12:30", "Mothers 2013-06-13",
    }  # fmt: skip
    first = shown["The Defector 2013-06-14 18:00"]
    assert first["timezone"] == "Europe/London" and first["notes"] == "Q&A"
    assert first["starts_at_utc"].startswith("2013-06-14T17:00")
    assert first["section"] == "Innovation" and first["sequence"] == 0
    code, out, _ = cli("show", "film", "The Defector")
    assert "director: Ann Shin" in out and "71 min" in out


def test_an_identical_re_import_changes_no_row(cli: Cli, url: str, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "lineup.csv", ROWS)
    cli("import", str(lineup))
    before = dump(url)
    code, out, err = cli("import", str(lineup), "--sync")
    assert code == 0, err
    assert "screenings: 0 created, 0 updated, 0 moved, 4 unchanged, 0 cancelled, 0 rejected" in out
    assert "new " not in out
    # updated_at included; a sync reads rows otherwise, so it keeps its own fingerprints
    assert catalogue(dump(url)) == catalogue(before)
    fingerprinted = dump(url)
    assert cli("import", str(lineup), "--sync")[0] == 0
    assert dump(url) == fingerprinted  # the second time, not even those


def test_a_corrected_file_updates_only_what_changed(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = by_start(cli)
    fixed = [list(r) for r in ROWS]
    fixed[0][11] = "Q&A with Ann Shin"  # notes changed
    fixed[1][10] = "14:00"  # S2 moved by an hour
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", fixed)))
    assert code == 0, err
    assert "0 created, 1 updated, 1 moved, 2 unchanged, 0 cancelled" in out
    after = by_start(cli)
    assert after["The Defector 2013-06-14 18:00"][:2] == (
        before["The Defector 2013-06-14 18:00"][0],
        1,
    )
    assert after["The Defector 2013-06-15 14:00"][:2] == (
        before["The Defector 2013-06-15 13:00"][0],
        1,
    )
    assert (
        after["The Act of Killing 2013-06-14 12:30"]
        == before["The Act of Killing 2013-06-14 12:30"]
    )
    assert after["Mothers 2013-06-13"] == before["Mothers 2013-06-13"]


def test_a_film_detail_changed_bumps_its_screenings(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    fixed = [list(r) for r in ROWS]
    fixed[2][4] = "122"  # The Act of Killing: the director's cut
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", fixed)))
    assert code == 0, err
    assert "films updated: 1" in out
    seqs = {k: v[1] for k, v in by_start(cli).items()}
    assert seqs == {"The Defector 2013-06-14 18:00": 0, "The Defector 2013-06-15 13:00": 0,
                    "The Act of Killing 2013-06-14 12:30": 1, "Mothers 2013-06-13": 0}  # fmt: skip


def test_an_id_less_move_with_sync_keeps_the_uid(cli: Cli, tmp_path: Path) -> None:
    header, rows = without("ID", ROWS)
    cli("import", str(write_csv(tmp_path / "v1.csv", rows, header)))
    before = by_start(cli)
    rows[1][9] = "15:30"  # S2's time, one column to the left without the ID
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", rows, header)), "--sync")
    assert code == 0, err
    assert "0 created, 0 updated, 1 moved, 3 unchanged, 0 cancelled" in out
    after = by_start(cli)
    assert after["The Defector 2013-06-15 15:30"] == (
        before["The Defector 2013-06-15 13:00"][0],
        1,
        "scheduled",
    )
    assert len(after) == 4


def test_an_id_less_move_without_sync_adds_and_warns(cli: Cli, tmp_path: Path) -> None:
    header, rows = without("ID", ROWS)
    cli("import", str(write_csv(tmp_path / "v1.csv", rows, header)))
    rows[1][9] = "15:30"
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", rows, header)))
    assert code == 0, err
    assert "1 created, 0 updated, 0 moved, 3 unchanged, 0 cancelled" in out
    assert "possible move: v2.csv:3: The Defector at 2013-06-15 15:30 is a new screening" in (
        err.replace(str(tmp_path) + os.sep, "")
    )
    assert "--sync" in err
    assert len(by_start(cli)) == 5


def test_the_nearest_slot_is_the_one_moved(cli: Cli, tmp_path: Path) -> None:
    header, rows = without("ID", ROWS)
    cli("import", str(write_csv(tmp_path / "v1.csv", rows, header)))
    before = by_start(cli)
    # Both Defector slots move a little; the file lists the later one first, so the
    # pairing must go by time, not by the order the screenings were stored in.
    rows[0][9], rows[1][9] = "13:15", "18:30"
    rows[0][8], rows[1][8] = "2013-06-15", "2013-06-14"
    code, _out, err = cli("import", str(write_csv(tmp_path / "v2.csv", rows, header)), "--sync")
    assert code == 0, err
    after = by_start(cli)
    assert after["The Defector 2013-06-14 18:30"][0] == before["The Defector 2013-06-14 18:00"][0]
    assert after["The Defector 2013-06-15 13:15"][0] == before["The Defector 2013-06-15 13:00"][0]


def test_sync_cancels_what_the_file_no_longer_lists(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = by_start(cli)
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", ROWS[:3])), "--sync")
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 3 unchanged, 1 cancelled" in out
    after = by_start(cli)
    assert after["Mothers 2013-06-13"] == (before["Mothers 2013-06-13"][0], 1, "cancelled")
    # Listed again: reinstated, same uid, a higher sequence.
    code, out, err = cli("import", str(write_csv(tmp_path / "v3.csv", ROWS)), "--sync")
    assert "1 updated" in out, err
    assert by_start(cli)["Mothers 2013-06-13"] == (before["Mothers 2013-06-13"][0], 2, "scheduled")


def test_without_sync_absence_means_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    _code, out, _ = cli("import", str(write_csv(tmp_path / "v2.csv", ROWS[:3])))
    assert "0 cancelled" in out
    assert by_start(cli)["Mothers 2013-06-13"][2] == "scheduled"


def test_a_rejected_row_protects_its_screening_from_sync(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    bad = [list(r) for r in ROWS]
    bad[3][9] = "2013-02-31"  # Mothers: an impossible date
    code, out, err = cli(
        "import", str(write_csv(tmp_path / "v2.csv", bad)), "--sync", "--skip-invalid"
    )
    assert code == 0, err
    assert "3 unchanged, 0 cancelled, 1 rejected" in out
    assert "v2.csv:5: column 'Date'" in err
    assert by_start(cli)["Mothers 2013-06-13"][1:] == (0, "scheduled")


def test_a_rejected_file_changes_nothing(cli: Cli, url: str, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = dump(url)
    bad = [list(r) for r in ROWS]
    bad[0][11] = "changed notes"
    bad[2][4] = "two hours"
    bad.append(["S5", "New Film", "2013", "", "", "Sheffield Doc/Fest 2013", "", "Showroom Cinema",
                "Sheffield", "2013-03-31", "01:30", ""])  # fmt: skip
    code, _out, err = cli("import", str(write_csv(tmp_path / "v2.csv", bad)), "--sync")
    assert code == 2
    lines = err.strip().splitlines()
    assert any(
        "v2.csv:4: column 'Runtime': 'two hours': expected minutes" in line for line in lines
    )
    assert any(
        "v2.csv:6: column 'Time': 2013-03-31 01:30 does not exist in Europe/London" in line
        for line in lines
    )
    assert lines[-1].endswith(
        "2 rows rejected; nothing was imported (fix them, or --skip-invalid to import the "
        "valid rows)"
    )
    assert "Traceback" not in err
    assert dump(url) == before


def test_rows_rejected_in_the_same_words_are_said_once(cli: Cli, tmp_path: Path) -> None:
    """A file that lacks what every row needs (here a City, as two venues share a name)
    gives one line, with the other rows' lines, not a line for each row; another reason
    keeps its own line, and --report keeps every row."""
    for city in ("Malmö", "Uppsala"):
        assert cli("add", "venue", "Kino", "--city", city, "--timezone", "Europe/Stockholm")[0] == 0
    header = ["Title", "Venue", "Date", "Time", "Timezone"]
    rows = [[f"Film {n}", "Kino", f"2026-03-{n:02d}", "18:00", "Europe/Stockholm"]
            for n in range(1, 21)]  # fmt: skip
    rows[4][2] = "2026-02-30"
    rows[9][1] = rows[12][1] = "Bio"  # new venues, in the default zone's place
    report = tmp_path / "report.jsonl"
    code, _out, err = cli("import", str(write_csv(tmp_path / "k.csv", rows, header)),
                          "--report", str(report))  # fmt: skip
    assert code == 2
    said = err.replace(str(tmp_path) + os.sep, "").splitlines()
    assert said[:2] == [  # in the file's order
        "rejected: k.csv:2: column 'Venue': several venues are called Kino (in Malmö, Uppsala); "
        "add a City (and 16 more rows: lines 3-5, 7-10, 12-13, 15-21)",
        "rejected: k.csv:6: column 'Date': '2026-02-30' is not a date (year 2026, month 2, day 30)",
    ]
    assert said[-1].endswith("18 rows rejected; nothing was imported (fix them, or "
                             "--skip-invalid to import the valid rows)")  # fmt: skip
    records = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert sum(r.get("outcome") == "rejected" for r in records) == 18


def test_lines_not_shown_are_counted_with_the_rows_they_say(cli: Cli, tmp_path: Path) -> None:
    for city in ("Malmö", "Uppsala"):
        assert cli("add", "venue", "Kino", "--city", city, "--timezone", "Europe/Stockholm")[0] == 0
    header = ["Title", "Venue", "Date", "Time", "Timezone"]
    rows = [[f"Film {n}", "Bio", f"2026-02-{30 + n % 2} {n}", "18:00", "Europe/Stockholm"]
            for n in range(55)]  # fmt: skip
    rows += [[f"Film {n}", "Kino", "2026-03-01", "18:00", "Europe/Stockholm"] for n in range(10)]
    code, _out, err = cli("import", str(write_csv(tmp_path / "k.csv", rows, header)))
    assert code == 2
    said = err.splitlines()
    assert (
        said[-2] == "and 6 more lines (15 rejected rows among them) (--report FILE keeps them all)"
    )


def test_two_new_rows_of_one_imdb_id_are_one_film(cli: Cli, tmp_path: Path) -> None:
    """A film is found by its IMDb id before its title, stored or made by this import:
    two rows with the id and two titles make one film (before, the second film broke
    the catalogue's rule and the whole import stopped, naming no row)."""
    header = ["Title", "Year", "IMDb", "Festival", "Venue", "City", "Date", "Time"]
    rows = [
        ["Lake", "2025", "tt1234567", "Tempo 2026", "Draken", "Göteborg", "2026-01-29", "18:00"],
        ["Sjön", "2025", "tt1234567", "Tempo 2026", "Draken", "Göteborg", "2026-01-30", "18:00"],
    ]
    code, out, err = cli("import", str(write_csv(tmp_path / "i.csv", rows, header)),
                         "--timezone", "Europe/Stockholm")  # fmt: skip
    assert code == 0, err
    assert "2 created" in out and "new films (1): Lake (2025)" in out


def test_a_dry_run_reports_and_writes_nothing(cli: Cli, url: str, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "lineup.csv", ROWS)
    cli("db", "upgrade")  # creates the database
    before = dump(url)
    code, out, err = cli("import", str(lineup), "--dry-run")
    assert code == 0, err
    assert "4 created" in out and out.strip().endswith("dry run: nothing was written")
    assert dump(url) == before


def test_the_report_file_has_a_line_per_row_and_warning(cli: Cli, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows.append(["S5", "The Act of Killing", "2012", "", "", "Sheffield Doc/Fest 2013", "",
                 "Crucible Theatre", "Sheffield", "2013-06-14", "13:00", ""])  # fmt: skip
    rows.append(["S6", "", "", "", "", "", "", "", "", "2013-06-14", "", ""])
    report = tmp_path / "report.jsonl"
    code, _out, err = cli(
        "import", str(write_csv(tmp_path / "l.csv", rows)), "--skip-invalid", "--report",
        str(report),
    )  # fmt: skip
    assert code == 0, err
    records = [json.loads(line) for line in report.read_text().splitlines()]
    outcomes = sorted((r["line"], r["outcome"]) for r in records if r["type"] == "row")
    assert outcomes == [(2, "created"), (3, "created"), (4, "created"), (5, "created"),
                        (6, "created"), (7, "rejected")]  # fmt: skip
    clashes = [r for r in records if r["type"] == "warning" and r.get("kind") == "clash"]
    assert len(clashes) == 1 and "overlap at Crucible Theatre" in clashes[0]["message"]
    assert "clashes (1):" in err and "overlap at Crucible Theatre" in err
    rejected = next(r for r in records if r["outcome"] == "rejected")
    assert rejected["column"] == "Title" and rejected["message"] == "a title is required"


def test_a_bad_argument_is_one_line(cli: Cli, tmp_path: Path) -> None:
    code, _out, err = cli("import", str(tmp_path / "missing.csv"))
    assert code == 2
    assert err.strip() == f"screenings: error: FILE: {tmp_path / 'missing.csv'}: no such file"
    code, _out, err = cli("import", str(write_csv(tmp_path / "l.csv", ROWS)), "--year", "2013")
    assert code == 2 and "--year: give it with --festival" in err


def test_festival_and_year_options_and_the_zone_rule(cli: Cli, tmp_path: Path) -> None:
    header = ["Title", "Venue", "City", "Date", "Time", "Timezone"]
    rows = [["The Defector", "Bell Lightbox", "Toronto", "2013-04-27", "21:30", "America/Toronto"],
            ["The Defector", "Bell Lightbox", "Toronto", "2013-04-29", "10:00", ""]]  # fmt: skip
    code, _out, err = cli(
        "import", str(write_csv(tmp_path / "h.csv", rows, header)), "--festival", "Hot Docs",
        "--year", "2013",
    )  # fmt: skip
    assert code == 0, err
    shown = screenings(cli)
    # The second row takes the zone its venue got from the first.
    assert shown["The Defector 2013-04-29 10:00"]["timezone"] == "America/Toronto"
    assert shown["The Defector 2013-04-29 10:00"]["starts_at_utc"].startswith("2013-04-29T14:00")
    assert shown["The Defector 2013-04-27 21:30"]["edition"]["festival"] == "Hot Docs"
    rows.append(["Another", "Bell Lightbox", "Toronto", "2013-04-30", "10:00", "Europe/London"])
    code, _out, err = cli(
        "import", str(write_csv(tmp_path / "h2.csv", rows, header)), "--festival", "Hot Docs",
        "--year", "2013",
    )  # fmt: skip
    assert code == 2
    assert "h2.csv:4: column 'Timezone': Europe/London contradicts the zone of Bell Lightbox" in err


def test_a_two_file_lineup(cli: Cli, tmp_path: Path) -> None:
    films = write_csv(tmp_path / "films.csv", [["F1", "The Defector", "2012", "Ann Shin", "71"]],
                      ["Film ID", "Title", "Year", "Director", "Runtime"])  # fmt: skip
    shows = write_csv(
        tmp_path / "shows.csv",
        [["F1", "S1", "IDFA 2012", "Tuschinski", "Amsterdam", "2012-11-17", "16:45"]],
        ["Film ID", "ID", "Festival", "Venue", "City", "Date", "Time"],
    )
    code, out, err = cli("import", str(films), str(shows), "--timezone", "Europe/Amsterdam")
    assert code == 0, err
    shown = screenings(cli)["The Defector 2012-11-17 16:45"]
    assert shown["timezone"] == "Europe/Amsterdam"
    assert shown["edition"]["festival"] == "IDFA"
    code, out, err = cli("import", str(films), str(shows), "--timezone", "Europe/Amsterdam")
    assert "0 created, 0 updated, 0 moved, 1 unchanged" in out


AWARDS_HEADER = ["Award", "Festival", "Year", "Category", "Film", "Person", "Result"]
AWARDS = [
    ["Innovation Award", "Sheffield Doc/Fest", "2013", "", "The Defector", "", "nominated"],
    ["Innovation Award", "Sheffield Doc/Fest", "2013", "", "Alma, a Tale of Violence", "", "won"],
    ["Inspiration Award", "Sheffield Doc/Fest", "2013", "", "", "Nick Fraser", "won"],
]  # fmt: skip


def test_an_awards_file_imports_nominations_idempotently(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    awards = write_csv(tmp_path / "awards.csv", AWARDS, AWARDS_HEADER)
    code, out, err = cli("import", str(awards))
    assert code == 0, err
    assert "nominations: 3 new, 0 updated, 0 unchanged" in out
    # The Year column is the award's: the film is the one stored (2012), not a new one.
    assert "new films (1): Alma, a Tale of Violence" in out
    assert "new awards (2)" in out and "new people (1): Nick Fraser" in out
    before = dump(url)
    code, out, err = cli("import", str(awards))
    assert "nominations: 0 new, 0 updated, 3 unchanged" in out, err
    assert dump(url) == before
    changed = [list(r) for r in AWARDS]
    changed[0][6] = "special mention"
    code, out, err = cli("import", str(write_csv(tmp_path / "a2.csv", changed, AWARDS_HEADER)))
    assert "nominations: 0 new, 1 updated, 2 unchanged" in out, err
    code, out, _ = cli("show", "film", "The Defector")
    assert "Innovation Award" in out and "special mention" in out.replace("_", " ")


def test_two_imports_at_once_neither_duplicates_nor_loses(url: str, tmp_path: Path) -> None:
    """Two processes import overlapping files at the same moment: both succeed (one waits
    for the other), and every film, venue and screening exists once."""
    first = write_csv(tmp_path / "a.csv", ROWS)
    second = write_csv(tmp_path / "b.csv", [*ROWS[1:], [
        "S9", "God Loves Uganda", "2013", "Roger Ross Williams", "", "Sheffield Doc/Fest 2013",
        "", "Showroom Cinema", "Sheffield", "2013-06-16", "20:00", ""]])  # fmt: skip
    assert run(["--db", url, "db", "upgrade"]) == 0  # the schema, made once
    env = {**os.environ, "SCREENINGS_DATABASE_URL": url}
    command = [sys.executable, "-m", "screenings", "import"]
    processes = [
        subprocess.Popen(
            [*command, str(f)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for f in (first, second)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    tables = dump(url)
    assert len(tables["screening"]) == 5
    assert len(tables["film"]) == 4
    assert len(tables["venue"]) == 2
    assert len(tables["edition"]) == 1


DATA = Path(__file__).parent.parent / "data"


def test_the_seed_data_imports_and_re_imports_unchanged(cli: Cli, url: str) -> None:
    for name in ("lineup.csv", "awards.csv"):
        code, out, err = cli("import", str(DATA / name))
        assert code == 0, err
        assert "rejected" not in err and "warning" not in err
    code, out, _ = cli("show", "film", "The Defector")
    assert "71 min · Canada · languages: English, Korean · IMDb tt2407504" in out
    assert "IDFA 2012 · Reflecting Images – Panorama · festival premiere" in out
    assert "Sat 27 Apr 2013, time TBA (America/Toronto) · Toronto · Hot Docs 2013" in out
    assert "Tue 11 Jun 2013, time TBA (Europe/London) · London · special" in out
    assert "audience: Members of Parliament · private" in out
    assert "2013  Innovation Award: nominated" in out
    assert "Canadian Screen Awards (Best Direction in a Documentary Program): won" in out
    code, out, _ = cli("list", "--format", "json")
    assert json.loads(out)["screenings"][0]["local_time"] is None  # no invented time
    before = dump(url)
    code, out, err = cli("import", str(DATA / "lineup.csv"), "--sync")
    assert "0 created, 0 updated, 0 moved, 2 unchanged, 0 cancelled" in out, err
    code, out, err = cli("import", str(DATA / "awards.csv"))
    assert "nominations: 0 new, 0 updated, 9 unchanged" in out, err
    assert catalogue(dump(url)) == catalogue(before)  # a sync keeps its own fingerprints


def test_messy_rows_get_row_errors_not_crashes(cli: Cli, tmp_path: Path) -> None:
    def lines(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    dup = lines("dup.csv", "ID,Title,Venue,City,Date,Time\nX1,A,V,Sheffield,2013-06-14,18:00\n"
                "X1,A,V,Sheffield,2013-06-15,18:00\n")  # fmt: skip
    code, _out, err = cli("import", dup)
    assert code == 2 and "dup.csv:3: column 'ID': 'X1': the same id as line 2" in err
    # A new venue is where its first row says; a later row elsewhere is refused.
    zones = lines("tz.csv", "Title,Venue,City,Date,Time,Timezone\nA,Le Champo,Paris,2013-06-14,"
                  "18:00,\nA,Le Champo,Paris,2013-06-15,18:00,Europe/Paris\n")  # fmt: skip
    code, _out, err = cli("import", zones)
    assert code == 2
    assert (
        "tz.csv:3: column 'Timezone': Europe/Paris contradicts the zone of Le Champo, Europe/London"
        in err
    )
    years = lines("fe.csv", "Title,Festival,Edition,Date\nA,Sheffield Doc/Fest 2013,2014,"
                  "2013-06-14\n")  # fmt: skip
    code, _out, err = cli("import", years)
    assert code == 2 and "the festival column says 'Sheffield Doc/Fest 2013'" in err
    tba = lines("tba.csv", "Title,City,Date,Time,Timezone\nA,Paris,2013-06-14,TBA,europe/paris\n")
    code, _out, err = cli("import", tba)
    assert code == 0, err
    (shown,) = screenings(cli).values()
    assert (shown["local_time"], shown["timezone"]) == (None, "Europe/Paris")


def test_two_files_in_either_order_and_one_alone(cli: Cli, tmp_path: Path) -> None:
    films = write_csv(tmp_path / "films.csv", [["F1", "The Defector", "2012"]],
                      ["Film ID", "Title", "Year"])  # fmt: skip
    shows = write_csv(tmp_path / "shows.csv", [["F1", "Tuschinski", "Amsterdam", "2012-11-17",
                      "16:45"]], ["Film ID", "Venue", "City", "Date", "Time"])  # fmt: skip
    code, _out, err = cli("import", str(shows))
    assert code == 2 and "is a screenings file" in err and "give its films file first" in err
    code, out, err = cli("import", str(shows), str(films), "--timezone", "Europe/Amsterdam")
    assert code == 0, err
    assert "1 created" in out


def test_an_awards_film_with_its_year_in_brackets(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    awards = write_csv(
        tmp_path / "a.csv",
        [["Special Jury Award", "Sheffield Doc/Fest", "2013", "Mothers (2012)", "special mention"]],
        ["Award", "Festival", "Year", "Film", "Result"],
    )
    code, out, err = cli("import", str(awards))
    assert code == 0, err
    assert "new films" not in out  # the stored Mothers (2012), not a new film


def test_skip_invalid_leaves_nothing_of_a_rejected_row(cli: Cli, url: str, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = dump(url)
    clash = [
        "Z1",
        "The Defector",
        "2012",
        "Ann Shin",
        "75",
        "New Fest 2014",
        "Shorts",
        "Showroom Cinema",
        "Sheffield",
        "2013-06-14",
        "18:00",
        "",
    ]  # S1's slot, another id
    code, out, err = cli(
        "import", str(write_csv(tmp_path / "v2.csv", [clash, *ROWS])), "--skip-invalid"
    )  # fmt: skip
    assert code == 0, err
    assert "v2.csv:2: column 'ID': 'Z1': screening #1 (id S1) already has this film" in err
    assert "new " not in out and "films updated" not in out
    assert dump(url) == before  # no festival, edition, selection, runtime or bump from it


def test_a_new_film_takes_its_details_from_its_first_valid_row(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    """The row that first names a new film may be rejected later (here: a repeated id);
    the film is then made from the next valid row, as if the rejected one were not there.
    A films file's rows come first, whatever order planned the film."""
    header = ["Title", "Year", "Country", "Runtime", "Festival", "Edition", "Venue", "City",
              "Date", "Time", "ID"]  # fmt: skip
    rows = [
        ["Bar", "2010", "", "", "Fest", "2013", "Cinema", "Sheffield", "2013-06-14", "18:00",
         "S1"],
        ["Foo", "2012", "France", "90", "Fest", "2013", "Cinema", "Sheffield", "2013-06-14",
         "21:00", "S1"],  # the same id as line 2: rejected
        ["Foo", "2012", "", "", "Fest", "2013", "Cinema", "Sheffield", "2013-06-15", "18:00",
         "S2"],
    ]  # fmt: skip
    code, _, err = cli("import", str(write_csv(tmp_path / "l.csv", rows, header)),
                       "--skip-invalid")  # fmt: skip
    assert code == 0 and "l.csv:3:" in err, err
    films = {row[1]: row for row in dump(url)["film"]}
    engine = create_db_engine(url)
    with engine.connect() as c:
        foo = c.execute(text("SELECT runtime_minutes, countries FROM film WHERE title = 'Foo'"))
        assert [(runtime, json.loads(countries) if isinstance(countries, str) else countries)
                for runtime, countries in foo] == [(None, [])]  # fmt: skip
    engine.dispose()
    assert set(films) == {"Bar", "Foo"}

    films_file = write_csv(tmp_path / "films.csv", [["F1", "Baz", "France", ""],
                           ["F2", "Baz", "Germany", "95"]], ["Film ID", "Title", "Country",
                           "Runtime"])  # fmt: skip
    screenings_file = write_csv(tmp_path / "s.csv", [["F2", "2013-06-16", "18:00", "Cinema"]],
                                ["Film ID", "Date", "Time", "Venue"])  # fmt: skip
    assert cli("import", str(films_file), str(screenings_file))[0] == 0
    engine = create_db_engine(url)
    with engine.connect() as c:
        baz = c.execute(text("SELECT runtime_minutes, countries FROM film WHERE title = 'Baz'"))
        assert [(runtime, json.loads(countries) if isinstance(countries, str) else countries)
                for runtime, countries in baz] == [(None, ["France"])]  # fmt: skip
    engine.dispose()


def test_a_film_and_a_venue_named_with_and_without_year_and_city(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    header = ["Title", "Year", "Venue", "City", "Date", "Time"]
    rows = [["Foo", "", "Showroom", "", "2013-06-14", "18:00"],
            ["Foo", "2012", "Showroom", "Sheffield", "2013-06-15", "18:00"]]  # fmt: skip
    lineup = write_csv(tmp_path / "l.csv", rows, header)
    code, out, err = cli("import", str(lineup))
    assert code == 0, err
    assert "new films (1): Foo (2012)" in out and "new venues (1): Showroom, Sheffield" in out
    code, out, err = cli("import", str(lineup))
    assert "0 created, 0 updated, 0 moved, 2 unchanged" in out, err


def test_a_file_without_venues_keeps_a_venue_given_by_hand(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(DATA / "lineup.csv"))
    code, _out, err = cli("edit", "screening", "1", "--venue", "Bell Lightbox", "--city", "Toronto")
    assert code == 0, err
    before = by_start(cli)
    code, out, err = cli("import", str(DATA / "lineup.csv"), "--sync")
    assert "0 created, 0 updated, 0 moved, 2 unchanged, 0 cancelled" in out, err
    assert by_start(cli) == before


def test_rows_across_chunks(
    cli: Cli, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screenings.services.lineup import importer

    monkeypatch.setattr(importer, "CHUNK", 1)  # every row in a chunk of its own
    monkeypatch.setattr(importer, "WINDOW", 2)  # and its fingerprint looked up with one other
    header, rows = without("ID", ROWS)
    rows.insert(1, ["The Defector", "", "", "", "", "", "Showroom Cinema", "Sheffield",
                    "2013-06-14", "18:00", ""])  # fmt: skip
    code, _out, err = cli("import", str(write_csv(tmp_path / "l.csv", rows, header)))
    assert code == 2
    assert "l.csv:3: column 'Date': '2013-06-14': the same screening as line 2" in err
    del rows[1]
    lineup_file = write_csv(tmp_path / "l.csv", rows, header)
    code, out, err = cli("import", str(lineup_file))
    assert code == 0 and "4 created" in out, err
    before = dump(url)
    code, out, err = cli("import", str(lineup_file), "--sync")
    assert "4 unchanged" in out, err
    assert catalogue(dump(url)) == catalogue(before)  # a sync keeps its own fingerprints


def test_a_credit_added_updates_the_rows_of_its_film(cli: Cli, tmp_path: Path) -> None:
    header = [*HEADER, "Producer"]
    cli("import", str(write_csv(tmp_path / "v1.csv", [[*r, ""] for r in ROWS], header)))
    rows = [[*r, ""] for r in ROWS]
    rows[0][12] = "Ann Shin"  # The Defector gets a producer: its calendars show credits
    report = tmp_path / "r.jsonl"
    code, out, err = cli(
        "import", str(write_csv(tmp_path / "v2.csv", rows, header)), "--report", str(report)
    )
    assert code == 0, err
    assert "0 created, 2 updated, 0 moved, 2 unchanged" in out and "films updated: 1" in out
    assert "other screenings updated" not in out  # both are rows of this file
    outcomes = {
        r["line"]: (r["outcome"], r.get("changed"))
        for r in map(json.loads, report.read_text().splitlines())
        if r["type"] == "row"
    }
    assert outcomes[2] == ("updated", ["film"]) and outcomes[3] == ("updated", ["film"])
    assert outcomes[4] == ("unchanged", None)


def test_how_a_date_was_read_is_said(cli: Cli, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "l.csv", [["Foo", "Cinema A", "Sheffield", "12 June", "18:00"]],
                       ["Title", "Venue", "City", "Date", "Time"])  # fmt: skip
    code, _out, err = cli("import", str(lineup), "--festival", "Yrfest", "--year", "2019")
    assert code == 0, err
    assert "warning: " in err and "l.csv:2: '12 June' read as 12 June 2019" in err


def test_an_id_column_move_with_sync_keeps_the_uid(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = by_start(cli)
    moved = [list(r) for r in ROWS]
    moved[2][7], moved[2][10] = "Showroom Cinema", "21:00"  # S3: another venue and time
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", moved)), "--sync")
    assert code == 0, err
    assert "0 created, 0 updated, 1 moved, 3 unchanged, 0 cancelled" in out
    after = by_start(cli)
    assert after["The Act of Killing 2013-06-14 21:00"] == (
        before["The Act of Killing 2013-06-14 12:30"][0],
        1,
        "scheduled",
    )
    assert len(after) == 4


def test_two_screenings_with_ids_swap_slots(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))
    before = by_start(cli)
    swapped = [list(r) for r in ROWS]
    swapped[0][9:11], swapped[1][9:11] = ROWS[1][9:11], ROWS[0][9:11]  # S1 and S2 swap
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", swapped)), "--sync")
    assert code == 0, err
    assert "0 created, 0 updated, 2 moved, 2 unchanged, 0 cancelled" in out
    after = by_start(cli)
    assert after["The Defector 2013-06-15 13:00"] == (
        before["The Defector 2013-06-14 18:00"][0],
        1,
        "scheduled",
    )  # S1's uid, in S2's old slot
    assert after["The Defector 2013-06-14 18:00"][:2] == (
        before["The Defector 2013-06-15 13:00"][0],
        1,
    )
    # Into a slot that stays taken (S2 is not in this file): refused, naming S2.
    taken = [list(r) for r in swapped]
    taken[0][9:11] = swapped[1][9:11]
    del taken[1]
    code, out, err = cli("import", str(write_csv(tmp_path / "v3.csv", taken)))
    assert code == 2
    assert "v3.csv:2: column 'Date': '2013-06-14': screening #2 already has this film" in err


def test_sync_on_special_screenings_says_it_does_nothing(cli: Cli, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "s.csv", [["The Defector", "London", "2013-06-11", "special"]],
                       ["Title", "City", "Date", "Kind"])  # fmt: skip
    report = tmp_path / "report.jsonl"
    code, _out, err = cli("import", str(lineup), "--sync", "--report", str(report))
    assert code == 0, err
    assert "--sync: the file names no festival edition" in err
    # The report names the option as the command line does.
    warnings = [
        r for r in map(json.loads, report.read_text().splitlines()) if r["type"] == "warning"
    ]
    assert [w["message"][:46] for w in warnings] == [
        "--sync: the file names no festival edition, so"
    ]


def test_sync_with_every_row_rejected_says_so_and_cancels_nothing(cli: Cli, tmp_path: Path) -> None:
    """It said "the file names no festival edition", of a file whose every row named one."""
    assert cli("import", str(write_csv(tmp_path / "v1.csv", ROWS)))[0] == 0
    before = by_start(cli)
    broken = [[*r[:9], "2013-13-45", *r[10:]] for r in ROWS]
    code, out, err = cli(
        "import", str(write_csv(tmp_path / "v2.csv", broken)), "--sync", "--skip-invalid"
    )
    assert code == 0, err
    assert "0 cancelled, 4 rejected" in out
    assert (
        "--sync: no row was read (every row was rejected), so the file is the whole of no "
        "edition it knows; nothing is cancelled"
    ) in err
    assert by_start(cli) == before


def test_a_row_with_no_zone_says_which_option_gives_one(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCREENINGS_TIMEZONE")
    lineup = write_csv(tmp_path / "z.csv", [["The Defector", "London", "2013-06-11 18:00"]],
                       ["Title", "City", "Date"])  # fmt: skip
    report = tmp_path / "report.jsonl"
    code, _out, err = cli("import", str(lineup), "--report", str(report))
    assert code == 2
    assert err.rstrip().endswith(
        "no time zone is known for this screening; add a Timezone column, pass --timezone, "
        "or set SCREENINGS_TIMEZONE; nothing was imported"
    ), err
    (rejected,) = map(json.loads, report.read_text().splitlines())
    assert rejected["message"].endswith("pass --timezone, or set SCREENINGS_TIMEZONE")
    # The file has the column, and this row leaves its cell empty: adding one is no help.
    lineup = write_csv(tmp_path / "z2.csv", [["The Defector", "London", "2013-06-11 18:00", ""]],
                       ["Title", "City", "Date", "Zone"])  # fmt: skip
    code, _out, err = cli("import", str(lineup), "--map", "Zone=timezone")
    assert code == 2
    assert err.rstrip().endswith(
        "z2.csv:2: column 'Zone': no time zone is known for this screening; fill in this "
        "cell, pass --timezone, or set SCREENINGS_TIMEZONE; nothing was imported"
    ), err


@pytest.mark.parametrize("ids", [True, False], ids=["id-column", "no-id"])
def test_a_quote_left_open_is_refused_and_cancels_nothing(
    cli: Cli, tmp_path: Path, ids: bool
) -> None:
    """A quote opened in S1's Notes and never closed: csv would read the three rows after
    it into that value, and --sync cancelled their screenings, exit 0. Now the row is
    refused naming the quote, and nothing is cancelled, even with --skip-invalid."""
    header, rows = (HEADER, ROWS) if ids else without("ID", [list(r) for r in ROWS])
    lineup = write_csv(tmp_path / "lineup.csv", rows, header)
    assert cli("import", str(lineup))[0] == 0
    before = by_start(cli)
    broken = tmp_path / "broken.csv"
    broken.write_text(lineup.read_text().replace(",Q&A", ',"Q&A', 1), encoding="utf-8")
    code, out, err = cli("import", str(broken), "--sync")
    assert code == 2, out
    assert (
        f"{broken}:2: column 'Notes': '\"Q&A': a double quote opens this value and none "
        "closes it, so lines 2-5, to the end of the file, would be one value"
    ) in err
    code, out, err = cli("import", str(broken), "--sync", "--skip-invalid")
    assert code == 0, err
    assert "0 cancelled, 1 rejected" in out
    assert by_start(cli) == before


def test_a_city_whose_key_is_longer_than_the_city_imports(cli: Cli, tmp_path: Path) -> None:
    """A key may be longer than its name ("ß" is "ss"): a City of 200 "ß" is as long as
    a city may be, and its key twice that; the row's fingerprint keeps no city then."""
    rows = [list(r) for r in ROWS]
    rows[2][8] = "ß" * 200
    lineup = write_csv(tmp_path / "lineup.csv", rows)
    for said in ("4 created", "4 unchanged"):
        code, out, err = cli("import", str(lineup))
        assert code == 0, err
        assert said in out
