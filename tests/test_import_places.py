"""A festival an import makes takes its place (city and zone) from the options and the rows,
and says so when the rows disagree. Real CSV files, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

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
