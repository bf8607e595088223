"""A festival an import makes takes its place (city and zone) from the options and the rows,
and says so when the rows disagree; so do a film's details (its runtime) and its selection
in an edition (its section), which its first row states. Real CSV files, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from screenings import tables
from screenings.cli import run
from screenings.db import create_db_engine
from screenings.services.lineup.places import Places
from tests.test_import import Cli, cli, url, write_csv

__all__ = ["cli", "url"]  # the fixtures, shared with test_import

HEADER = ["Title", "Festival", "City", "Date", "Time"]


def test_a_festival_made_by_an_import_is_where_its_rows_are(cli: Cli, tmp_path: Path) -> None:
    rows = [
        ["Nattåget", "Tempo 2026", "Stockholm", "2026-03-05", "18:00"],
        ["Bortom", "Tempo 2026", "Stockholm", "2026-03-06", "20:00"],
    ]
    path = str(write_csv(tmp_path / "l.csv", rows, HEADER))
    code, _out, err = cli("import", path, "--timezone", "Europe/Stockholm")
    assert code == 0, err
    code, out, err = cli("show", "festival", "Tempo", "--format", "json")
    festival = json.loads(out)["festival"]["festival"]
    assert (festival["city"], festival["timezone"]) == ("Stockholm", "Europe/Stockholm")
    # So a screening added by hand at that festival needs no --timezone.
    code, out, err = cli(
        "add", "screening", "Bortom", "--festival", "Tempo", "--year", "2026",
        "--city", "Stockholm", "--on", "2026-03-07", "--at", "14:00",
    )  # fmt: skip
    assert code == 0, err
    assert "Europe/Stockholm" in out


def test_rows_that_disagree_on_a_new_festival_s_place_are_said(cli: Cli, tmp_path: Path) -> None:
    rows = [
        ["Nattåget", "Tempo 2026", "Stockholm", "2026-03-05", "18:00"],
        ["Bortom", "Tempo 2026", "Göteborg", "2026-03-06", "20:00"],
        ["Ljus", "Tempo 2026", "Malmö", "2026-03-06", "21:00"],
    ]
    path = str(write_csv(tmp_path / "l.csv", rows, HEADER))
    code, _out, err = cli("import", path, "--timezone", "Europe/Stockholm")
    assert code == 0, err
    said = err.replace(str(tmp_path) + os.sep, "")
    assert (
        "warning: l.csv:3: festival 'Tempo' is made with city 'Stockholm', as line 2 says; "
        "this row says 'Göteborg'"
    ) in said
    assert said.count("is made with city") == 1  # once per festival and field
    code, out, err = cli("show", "festival", "Tempo", "--format", "json")
    assert json.loads(out)["festival"]["festival"]["city"] == "Stockholm"


def test_rows_that_disagree_on_a_film_s_section_or_runtime_are_said(
    cli: Cli, tmp_path: Path
) -> None:
    header = ["Title", "Runtime", "Country", "Festival", "Section", "Premiere", "City", "Date",
              "Time"]  # fmt: skip
    rows = [
        ["Nattåget", "90", "Norway, Sweden", "Tempo 2026", "Competition", "", "Stockholm",
         "2026-03-05", "18:00"],
        ["Nattåget", "84", "Sweden, Norway", "Tempo 2026", "Nordic", "Nordic", "Stockholm",
         "2026-03-06", "20:00"],
        ["Nattåget", "85", "Norway", "Tempo 2026", "Shorts", "", "Stockholm", "2026-03-07",
         "21:00"],
        ["Nattåget", "", "", "Tempo 2026", "", "", "Stockholm", "2026-03-08", "21:00"],
        ["Nattåget", "", "", "Tempo 2026", "COMPETITION", "", "Stockholm", "2026-03-09", "21:00"],
    ]  # fmt: skip
    path = str(write_csv(tmp_path / "l.csv", rows, header))
    report = tmp_path / "report.jsonl"
    code, _out, err = cli("import", path, "--timezone", "Europe/Stockholm", "--report", str(report))
    assert code == 0, err
    said = err.replace(str(tmp_path) + os.sep, "").splitlines()
    assert [line for line in said if "is not taken" in line] == [
        "warning: l.csv:3: column 'Runtime': 84 is not taken: the details of 'Nattåget' are "
        "stated by its first row, line 2, which says 90",
        "warning: l.csv:4: column 'Country': 'Norway' is not taken: the details of 'Nattåget' "
        "are stated by its first row, line 2, which says 'Norway, Sweden'",
        "warning: l.csv:3: column 'Section': 'Nordic' is not taken: 'Nattåget' has one "
        "selection in Tempo 2026, stated by its first row, line 2, which says 'Competition'",
        "warning: l.csv:3: column 'Premiere': 'Nordic' is not taken: 'Nattåget' has one "
        "selection in Tempo 2026, stated by its first row, line 2, which leaves it empty",
    ]  # once per record and field; not for an empty cell, the same countries, another case
    warned = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [
        (w["kind"], w["file"], w["line"], w["column"]) for w in warned if w["type"] == "warning"
    ] == [
        ("film", path, 3, "Runtime"),
        ("film", path, 4, "Country"),
        ("selection", path, 3, "Section"),
        ("selection", path, 3, "Premiere"),
    ]
    code, out, err = cli("show", "film", "Nattåget", "--format", "json")
    assert code == 0, err
    film = json.loads(out)["film"]
    assert (film["film"]["runtime_minutes"], [r["section"] for r in film["run"]]) == (
        90,
        ["Competition"],
    )
    code, _out, err = cli("import", path, "--timezone", "Europe/Stockholm")
    assert code == 0, err
    assert "is not taken" not in err  # its rows unchanged, unread: said once, when read


def test_a_duplicate_row_quotes_its_date_as_written_then_as_read(cli: Cli, tmp_path: Path) -> None:
    rows = [
        ["Nattåget", "Tempo 2026", "Stockholm", "13/02/2026", "18:00"],
        ["Bortom", "Tempo 2026", "Stockholm", "09/02/2026", "20:00"],
        ["Bortom", "Tempo 2026", "Stockholm", "09/02/2026", "20:00"],
    ]
    path = str(write_csv(tmp_path / "l.csv", rows, HEADER))
    code, _out, err = cli("import", path, "--timezone", "Europe/Stockholm")
    assert code == 2
    assert (
        "l.csv:4: column 'Date': '09/02/2026' (read as 2026-02-09): the same screening as line 3"
    ) in err.replace(str(tmp_path) + os.sep, "")


def test_a_new_festival_s_zone_holds_for_its_later_rows(cli: Cli, tmp_path: Path) -> None:
    header = ["Title", "Festival", "City", "Date", "Time", "Timezone"]
    rows = [
        ["Nattåget", "Tempo 2026", "Oslo", "2026-03-05", "18:00", "Europe/Oslo"],
        ["Bortom", "Tempo 2026", "Oslo", "2026-03-06", "20:00", ""],  # the festival's zone
    ]
    path = str(write_csv(tmp_path / "l.csv", rows, header))
    code, _out, err = cli("import", path)  # SCREENINGS_TIMEZONE is Europe/London here
    assert code == 0, err
    code, out, err = cli("import", path)
    assert "0 created, 0 updated, 0 moved, 2 unchanged" in out, err
    code, out, err = cli("list", "--format", "json")
    assert {s["timezone"] for s in json.loads(out)["screenings"]} == {"Europe/Oslo"}


def test_editions_asked_for_a_chunk_at_once_are_those_asked_one_by_one(
    backend: str,
    new_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """``Places.find_editions`` finds what ``_festival`` and ``_edition`` find row by row:
    a festival by its name, another through an alias (left to them), a new festival, a
    new edition of a known one, two labels of one year, a label spelt otherwise."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/Stockholm")
    header = ["Title", "Festival", "Edition", "City", "Date", "Time"]
    first = [
        ["Nattåget", "Tempo", "2026", "Stockholm", "2026-03-05", "18:00"],
        ["Bortom", "Tempo", "2026 Winter", "Stockholm", "2026-03-06", "20:00"],
        ["Ljus", "Nordic", "2025", "Malmö", "2025-03-06", "21:00"],
    ]
    again = [
        ["Nattåget", "Tempo", "2026", "Stockholm", "2026-03-05", "19:00"],
        ["Bortom", "Tempo", "2026 winter", "Stockholm", "2026-03-06", "21:00"],
        ["Ljus", "Nordic", "2025", "Malmö", "2025-03-06", "22:00"],  # an alias now
        ["Mörker", "Newfest", "2026", "Umeå", "2026-04-01", "18:00"],
        ["Sommar", "Tempo", "2027", "Stockholm", "2027-03-05", "18:00"],
        ["Vinter", "Tempo", "2026  Winter", "Stockholm", "2026-03-07", "18:00"],
    ]
    made = []
    for batched in (True, False):
        if not batched:
            monkeypatch.setattr(Places, "find_editions", lambda self, items: None)
        url = new_url(backend)
        for args in (
            ["import", str(write_csv(tmp_path / "first.csv", first, header))],
            ["edit", "festival", "Nordic", "--name", "Nordisk Panorama"],
            ["import", str(write_csv(tmp_path / "again.csv", again, header))],
        ):
            assert run(["--db", url, *args]) == 0, capsys.readouterr().err
        engine = create_db_engine(url)
        with engine.connect() as connection:
            S, E = tables.screening.c, tables.edition.c
            made.append(
                (
                    connection.execute(select(S.id, S.edition_id).order_by(S.id)).all(),
                    connection.execute(
                        select(E.id, E.festival_id, E.year, E.label).order_by(E.id)
                    ).all(),
                )
            )
        engine.dispose()
    assert made[0] == made[1]
    screenings, editions = made[0]
    assert len(screenings) == 9 and len(editions) == 5  # 2026, 2026 Winter, 2025, 2026, 2027
