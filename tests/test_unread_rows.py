"""A row unchanged since its last import is skipped unread (its fingerprint holds:
``services/lineup/fingerprints.py``), and that must never show. Every step below runs on
two catalogues, one importing as usual and one with ``--read-all`` (every row read the
whole way): they say the same and end the same, on SQLite and PostgreSQL, through the
command line, with real CSV files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from screenings.cli import run
from screenings.services.lineup import importer
from tests.dumps import catalogue, dump
from tests.test_import import HEADER, ROWS, without, write_csv

Step = tuple[str, ...]


def _unnoted(said: tuple[int, str, str]) -> tuple[int, str, str]:
    """What a command said, less the notes of rows read that named a record by another
    name of it."""
    code, out, err = said
    return code, out, "".join(s for s in err.splitlines(True) if " is another name of " not in s)


class Twins:
    """Two catalogues, each given the same commands; an import reads every row only in
    the second."""

    def __init__(self, urls: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        self.urls = urls
        self.capsys = capsys

    def call(self, url: str, *args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def said(self, which: int, outcome: tuple[int, str, str]) -> tuple[int, str, str]:
        """``outcome`` as either catalogue would say it (its name as the other's)."""
        code, out, err = outcome
        name = self.urls[which].rsplit("/", 1)[-1]
        return code, out.replace(name, "<catalogue>"), err.replace(name, "<catalogue>")

    def both(self, *args: str) -> tuple[int, str, str]:
        """Run ``args`` on both; what they said (as the one reading every row said it),
        once the test checked it was the same, but for what only a row read says: that
        it named a record by another name of it (docs/import.md, "Fast re-imports")."""
        extra = ["--read-all"] if args[0] == "import" else []
        skipping = self.said(0, self.call(self.urls[0], *args))
        reading = self.said(1, self.call(self.urls[1], *args, *extra))
        assert _unnoted(skipping) == _unnoted(reading), args
        assert self.state(self.urls[0]) == self.state(self.urls[1]), args
        return reading

    def state(self, url: str) -> dict[str, Any]:
        """Every screening and film as the catalogue shows them, but for what is random
        (uids) or the clock's (updated_at)."""
        statuses = [a for s in ("scheduled", "tentative", "postponed", "cancelled")
                    for a in ("--status", s)]  # fmt: skip
        code, out, err = self.call(url, "list", "--include-private", *statuses, "--format", "json")
        assert code == 0, err
        shown = json.loads(out)["screenings"]
        for screening in shown:
            del screening["uid"], screening["updated_at"]
        films = {}
        for number in sorted({s["film"]["id"] for s in shown}):
            code, out, err = self.call(url, "show", "film", f"#{number}", "--format", "json")
            assert code == 0, err
            films[number] = json.loads(out)["film"]["film"]
        return {"screenings": shown, "films": films}


@pytest.fixture
def twins(
    backend: str,
    new_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Twins:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    return Twins([new_url(backend), new_url(backend)], capsys)


def lineup(folder: Path, name: str, rows: list[list[str]], ids: bool) -> str:
    if ids:
        return str(write_csv(folder / name, rows))
    header, rows = without("ID", rows)
    return str(write_csv(folder / name, rows, header))


@pytest.mark.parametrize("ids", [True, False], ids=["id-column", "no-id"])
@pytest.mark.parametrize("window", [None, 3], ids=["window", "small-windows"])
def test_skipping_unchanged_rows_never_shows(
    twins: Twins, tmp_path: Path, ids: bool, window: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if window is not None:  # rows looked up three at a time, applied two at a time
        monkeypatch.setattr(importer, "WINDOW", window)
        monkeypatch.setattr(importer, "CHUNK", 2)
    v1 = lineup(tmp_path, "v1.csv", ROWS, ids)
    assert "4 created" in twins.both("import", v1)[1]
    assert "0 moved, 4 unchanged" in twins.both("import", v1)[1]
    # A hand edit: its row goes the whole way, and keeps it.
    assert twins.both("edit", "screening", "2", "--at", "14:30")[0] == 0
    assert "3 unchanged, 1 kept (edited by hand)" in twins.both("import", v1)[1]
    # A changed file: a new time, a new title, the rest as it was.
    rows = [list(r) for r in ROWS]
    rows[0][10] = "18:30"
    rows[2][1] = "The Act of Killing (director's cut)"
    v2 = lineup(tmp_path, "v2.csv", rows, ids)
    code, out, err = twins.both("import", v2)
    assert code == 0, err
    assert ("1 moved" if ids else "2 created") in out  # with no id, a new slot is new
    twins.both("import", v2, "--sync")
    twins.both("import", v2)
    # Removed by hand: an unchanged row does not bring it back.
    (mothers,) = [s["id"] for s in twins.state(twins.urls[0])["screenings"]
                  if s["film"]["title"] == "Mothers"]  # fmt: skip
    assert twins.both("remove", "screening", f"#{mothers}", "--yes")[0] == 0
    assert "kept removed" in twins.both("import", v2)[1]
    # A date that reads both ways: the order decides, and is part of every fingerprint.
    rows[3][9] = "06/05/2013"
    v3 = lineup(tmp_path, "v3.csv", rows, ids)
    twins.both("import", v3, "--monthfirst")
    twins.both("import", v3, "--monthfirst")
    assert "Mothers 2013-05-06" not in str(twins.state(twins.urls[0]))
    twins.both("import", v3, "--dayfirst")
    assert "'2013-05-06'" in str(twins.state(twins.urls[0]))
    # Another zone for the rows that give none.
    twins.both("import", v3, "--dayfirst", "--timezone", "Europe/Berlin")


def test_a_screenings_file_row_is_read_again_when_its_film_changes(
    twins: Twins, tmp_path: Path
) -> None:
    films = tmp_path / "films.csv"
    shows = tmp_path / "screenings.csv"
    films.write_text(
        "film_id,Title,Year,Director,Runtime\n"
        "F1,The Defector,2012,Ann Shin,71\n"
        "F2,Mothers,2012,Xu Huijing,\n",
        encoding="utf-8",
    )
    shows.write_text(
        "film_id,Festival,Venue,City,Date,Time\n"
        "F1,Sheffield Doc/Fest 2013,Showroom Cinema,Sheffield,2013-06-14,18:00\n"
        "F2,Sheffield Doc/Fest 2013,Showroom Cinema,Sheffield,2013-06-15,13:00\n",
        encoding="utf-8",
    )
    assert "2 created" in twins.both("import", str(films), str(shows))[1]
    assert "2 unchanged" in twins.both("import", str(films), str(shows))[1]
    # The screenings file is as it was; its first row's film is not.
    films.write_text(
        "film_id,Title,Year,Director,Runtime\n"
        "F1,The Defector: Escape from North Korea,2012,Ann Shin,80\n"
        "F2,Mothers,2012,Xu Huijing,\n",
        encoding="utf-8",
    )
    code, _out, err = twins.both("import", str(films), str(shows))
    assert code == 0, err
    shown = twins.state(twins.urls[0])["screenings"]
    assert {s["film"]["title"] for s in shown} >= {"The Defector: Escape from North Korea"}


def test_a_note_said_when_a_row_was_read_is_not_said_while_it_is_skipped(
    twins: Twins, tmp_path: Path
) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][9] = "14 June"  # the year is the edition's: a note says so
    path = lineup(tmp_path, "v1.csv", rows, True)
    note = "'14 June' read as 14 June 2013, the year of the edition"
    url = twins.urls[0]
    _code, _out, err = twins.call(url, "import", path)
    assert note in err
    code, out, err = twins.call(url, "import", path)
    assert code == 0 and "4 unchanged" in out and note not in err  # not read
    code, out, err = twins.call(url, "import", path, "--read-all")
    assert code == 0 and "4 unchanged" in out and note in err


def test_an_import_that_changes_nothing_keeps_the_fingerprints_it_made(
    twins: Twins, tmp_path: Path
) -> None:
    """Read otherwise (another option), every row goes the whole way and changes nothing:
    its fingerprints are kept all the same (with no new revision), so the next import
    like it skips every row and writes nothing at all."""
    url = twins.urls[0]
    path = lineup(tmp_path, "v1.csv", [list(r) for r in ROWS], True)
    twins.call(url, "import", path)
    before = dump(url)
    code, out, err = twins.call(url, "import", path, "--timezone", "Europe/London")
    assert code == 0 and "4 unchanged" in out, err
    after = dump(url)
    assert catalogue(after) == catalogue(before)  # the revision counter included
    assert after["row_fingerprint"] != before["row_fingerprint"]
    twins.call(url, "import", path, "--timezone", "Europe/London")
    assert dump(url) == after


def test_the_header_is_part_of_every_fingerprint(twins: Twins, tmp_path: Path) -> None:
    """The same cells under other column names read otherwise: with the Section and
    Notes columns' names swapped, no row is unchanged."""
    rows = [list(r) for r in ROWS]
    twins.both("import", str(write_csv(tmp_path / "v1.csv", rows)))
    swapped = {"Section": "Notes", "Notes": "Section"}
    header = [swapped.get(c, c) for c in HEADER]
    code, out, err = twins.both("import", str(write_csv(tmp_path / "v2.csv", rows, header)))
    assert code == 0, err
    assert "0 unchanged" in out
    (first,) = [s for s in twins.state(twins.urls[0])["screenings"] if s["id"] == 1]
    assert first["notes"] == "Innovation"


def test_a_name_the_catalogue_reads_otherwise_now_is_read_again(
    twins: Twins, tmp_path: Path
) -> None:
    """What a row means depends on the catalogue too: a venue named without its city is
    the one venue of that name, until another is added; then the row is read again, and
    refused as a row read whole is."""
    header, rows = without("City", [list(r) for r in ROWS])
    path = str(write_csv(tmp_path / "v1.csv", rows, header))
    assert "4 created" in twins.both("import", path)[1]
    assert "4 unchanged" in twins.both("import", path)[1]
    assert twins.both("add", "film", "Mothers", "--year", "1999")[0] == 0  # another, by year
    assert "4 unchanged" in twins.both("import", path)[1]
    assert twins.both("add", "venue", "Showroom Cinema", "--city", "Leeds",
                      "--timezone", "Europe/London")[0] == 0  # fmt: skip
    code, _out, err = twins.both("import", path)
    assert code == 2 and "several venues are called Showroom Cinema" in err


def test_an_alias_dropped_is_a_name_read_otherwise(twins: Twins, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    path = lineup(tmp_path, "v1.csv", rows, True)
    twins.both("import", path)
    assert twins.both("add", "venue", "Showroom", "--city", "Sheffield",
                      "--timezone", "Europe/London")[0] == 0  # fmt: skip
    assert twins.both("merge", "venue", "Showroom", "Showroom Cinema")[0] == 0
    twins.both("import", path)  # the rows name the venue kept by its alias
    twins.both("import", path)
    assert twins.both("edit", "venue", "Showroom", "--remove-alias", "Showroom Cinema")[0] == 0
    code, out, err = twins.both("import", path)  # the old name is a venue of its own again
    assert code == 0, err
    assert "new venues (1): Showroom Cinema" in out
