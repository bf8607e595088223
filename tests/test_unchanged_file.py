"""A file none of whose rows changed since its last import is said unchanged without the
importer (``services/skipping.py``: every row's fingerprint asked for at once, before
the ORM and the date-order pass). It must say what the whole way says, and go the whole
way whenever a row might read otherwise. On SQLite and PostgreSQL, through the command
line, with real CSV files; each step on two catalogues, one with ``--read-all``."""

from __future__ import annotations

import faulthandler
import sys
from pathlib import Path
from typing import Any

import pytest

import screenings.services.lineup as lineup_service
from screenings.records import Unread
from screenings.services import skipping
from tests.test_import import ROWS, without, write_csv
from tests.test_unread_rows import Twins, _unnoted, twins  # noqa: F401 -- the fixture

pytestmark = pytest.mark.usefixtures("twins", "way")


@pytest.fixture(params=["in-memory", "table"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How the digests are looked for: kept in memory (a file of up to 250,000 rows), or
    written to a temporary table three at a time (a larger file)."""
    if request.param == "table":
        monkeypatch.setattr(skipping, "IN_MEMORY", 2)
        monkeypatch.setattr(skipping, "BATCH", 3)
    return str(request.param)


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the importer was given (the whole way), in order."""
    given: list[str] = []
    whole_way = lineup_service.import_lineup

    def counted(session: Any, settings: Any, parsed: Any, *args: Any) -> Any:
        given.append(parsed.name)
        return whole_way(session, settings, parsed, *args)

    monkeypatch.setattr(lineup_service, "import_lineup", counted)
    return given


def test_an_unchanged_file_is_said_unchanged_without_the_importer(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    path = str(write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS]))
    assert "4 created" in twins.both("import", path)[1]
    imports.clear()
    code, out, err = twins.both("import", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}: 4 rows; screenings: 0 created, 0 updated, 0 moved, 4 unchanged, "
        "0 cancelled, 0 rejected",
        "  selections: 3 (0 new, 0 updated)",
    ]
    assert imports == [path], "only the catalogue with --read-all reads the file"
    # A hand edit since: that row goes the whole way, so the file does.
    assert twins.both("edit", "screening", "2", "--at", "14:30")[0] == 0
    imports.clear()
    assert "3 unchanged, 1 kept (edited by hand)" in twins.both("import", path)[1]
    assert imports == [path, path]
    # An option that changes what a row does: the whole way.
    imports.clear()
    twins.both("import", path, "--sync")
    assert imports == [path, path]


def test_a_file_whose_dates_no_longer_settle_their_order_is_refused_as_before(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """Its rows were read day first because one date could only be: without that row,
    the same rows, byte for byte, read no way at all."""
    rows = [list(r) for r in ROWS]
    rows[0][9], rows[1][9] = "14/06/2013", "05/06/2013"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    assert "4 created" in twins.both("import", path)[1]
    path = str(write_csv(tmp_path / "lineup.csv", rows[1:]))
    imports.clear()
    code, _out, err = twins.both("import", path)
    assert code == 2
    assert "no date in the file settles it" in err
    assert imports == [], "refused while reading, before the importer"


@pytest.mark.parametrize("change", ["a film renamed", "a venue of that name elsewhere"])
def test_a_row_that_may_read_otherwise_sends_the_file_the_whole_way(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    change: str,
) -> None:
    """A venue named with no city is the one of that name, until another is added."""
    header, rows = without("City", [list(r) for r in ROWS])
    path = str(write_csv(tmp_path / "lineup.csv", rows, header))
    twins.both("import", path)
    if change == "a film renamed":
        assert twins.both("edit", "film", "Mothers", "--title", "Mothers (2012)")[0] == 0
    else:
        assert twins.both("add", "venue", "Crucible Theatre", "--city", "Leeds",
                          "--timezone", "Europe/London")[0] == 0  # fmt: skip
    imports.clear()
    twins.both("import", path)
    assert imports == [path, path]


def test_a_row_twice_sends_the_file_the_whole_way(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """The second is a duplicate of the first, as the importer says (in its words); found
    last, or first, with rows still to come from the database (on PostgreSQL their
    stream is closed before the connection is used again: else the import hung)."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.call(twins.urls[0], "import", path)
    # A hang fails the run, not CI's clock.
    faulthandler.dump_traceback_later(120, exit=True, file=sys.__stderr__)
    try:
        for twice, line in (([*rows, rows[0]], len(rows) + 2), ([rows[0], *rows], 3)):
            path = str(write_csv(tmp_path / "lineup.csv", twice))
            imports.clear()
            code, _out, err = twins.call(twins.urls[0], "import", path)
            assert code == 2
            assert f"{path}:{line}: column 'ID': 'S1': the same" in err
            assert imports == [path]
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines of the rows read whole (``Unread.read``), in order."""
    read: list[int] = []
    whole = Unread.read

    def counted(self: Unread) -> Any:
        read.append(self.line)
        return whole(self)

    monkeypatch.setattr(Unread, "read", counted)
    return read


def test_rows_unchanged_are_passed_over_and_the_rest_read(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    rows_read: list[int],
) -> None:
    """Of a file with one row changed, the importer reads that row alone; the catalogue
    that reads every row (--read-all) says and ends the same."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    rows[2][10] = "13:15"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    rows_read.clear()
    code, out, err = twins.both("import", path)
    assert (code, err) == (0, "")
    assert "0 created, 0 updated, 1 moved, 3 unchanged" in out  # by its ID
    assert rows_read == [4, 2, 3, 4, 5], "the changed row, then the four read with --read-all"


def test_a_changed_row_reads_its_dates_in_the_order_an_unchanged_row_settled(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    rows_read: list[int],
) -> None:
    """The order of numeric dates comes from the whole file, rows passed over included:
    a changed row's date that cannot be read so is refused naming the line that settled
    it, as when every row is read."""
    rows = [list(r) for r in ROWS]
    rows[0][9], rows[1][9], rows[2][9] = "14/06/2013", "05/06/2013", "04/06/2013"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    assert "4 created" in twins.both("import", path)[1]
    rows[2][9] = "00/06/2013"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    rows_read.clear()
    code, _out, err = twins.both("import", path)
    assert code == 2
    assert "settled by line 2: '14/06/2013'" in err
    assert rows_read[0] == 4, "the skimming catalogue read the changed row alone"
    rows[2][9] = "06/13/2013"  # month first: the file's dates now disagree
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    code, _out, err = twins.both("import", path)
    assert code == 2
    assert "dates disagree on day/month order" in err


def test_a_lineup_named_as_such_is_read_from_its_start(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
) -> None:
    """--file-kind lineup: no sniffing rewinds the file for the whole way; the look for
    unchanged rows must leave it at its start, new or changed."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    assert "4 created" in twins.both("import", path, "--file-kind", "lineup")[1]
    rows[2][10] = "13:15"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    code, out, err = twins.both("import", path, "--file-kind", "lineup")
    assert (code, err) == (0, "")
    assert "1 moved, 3 unchanged" in out


def test_a_line_that_ends_the_file_ends_it_for_unchanged_rows_too(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A byte that is not UTF-8 stops the file where it is: the rows after it are not
    read, however unchanged, and are not counted."""
    rows = [list(r) for r in ROWS]
    path = tmp_path / "lineup.csv"
    write_csv(path, rows)
    twins.both("import", str(path))
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Showroom", b"Show\xffroom")
    path.write_bytes(b"\n".join(lines))
    code, out, err = twins.both("import", str(path), "--skip-invalid")
    assert code == 0, err
    assert "1 rows; " not in out and "rejected" in out + err


@pytest.fixture
def stale(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """After the unchanged rows are found, another writer commits (the revision counter
    moves) before the import starts; the URLs it happened to."""
    import sqlalchemy as sa

    from screenings.db import create_db_engine

    found: list[str] = []
    skim = skipping.skim

    def then_a_write(connection: Any, *args: Any, **kw: Any) -> Any:
        skimmed = skim(connection, *args, **kw)
        url = connection.engine.url.render_as_string(hide_password=False)
        engine = create_db_engine(url)
        with engine.begin() as writer:
            writer.execute(sa.text("UPDATE revision SET counter = counter + 1"))
        engine.dispose()
        found.append(url)
        return skimmed

    monkeypatch.setattr(skipping, "skim", then_a_write)
    return found


def test_rows_found_unchanged_before_another_write_are_read_again(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    stale: list[str],
) -> None:
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    rows[2][10] = "13:15"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    stale.clear()
    imports.clear()
    code, out, err = twins.both("import", path)
    assert (code, err) == (0, "")
    assert "1 moved, 3 unchanged" in out
    assert len(stale) == 1, "found unchanged once, by the catalogue that skims"
    assert imports == [path, path, path], "begun with rows held, then every row read"


@pytest.mark.parametrize("city", [True, False], ids=["held-rows-name-the-city", "no-city"])
def test_a_venue_made_of_a_name_another_has_reads_the_file_again(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    city: bool,
) -> None:
    """A changed row makes a second Showroom Cinema (in Leeds). The rows held that name
    the first with no city might read otherwise now: the import is done again with every
    row read. Rows that name it in Sheffield find it there still: no second go. (On
    PostgreSQL the attempt rolled back spent the venue's id: the two catalogues' ids
    differ, so what they say is compared, not what they hold.)"""
    rows = [list(r) for r in ROWS]
    if not city:
        rows[0][8] = rows[1][8] = ""  # the Showroom Cinema rows held name no city
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    rows[3][8] = "Leeds"
    rows[3][7] = "Showroom Cinema"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    imports.clear()
    skimming = twins.said(0, twins.call(twins.urls[0], "import", path))
    said = [skimming, twins.said(1, twins.call(twins.urls[1], "import", path, "--read-all"))]
    assert said[0] == said[1]
    code, out, err = said[0]
    assert code == 0, err
    assert "new venues (1): Showroom Cinema, Leeds" in out
    assert imports == ([path, path] if city else [path, path, path])


def test_venues_made_that_share_a_new_name_do_not_read_the_file_again(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """Two rows move to a new Moved Cinema, one in Sheffield and one in Leeds: no row
    held names either, so the import is not done again."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    rows[0][7], rows[3][7], rows[3][8] = "Moved Cinema", "Moved Cinema", "Leeds"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    imports.clear()
    code, out, err = twins.both("import", path)
    assert code == 0, err
    assert "new venues (2): Moved Cinema, Sheffield; Moved Cinema, Leeds" in out
    assert imports == [path, path], "once each: no second go"


def test_a_venue_name_several_cities_have_is_read_by_its_city(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    rows_read: list[int],
) -> None:
    """Real festivals share venue names across cities ("Kino", "Cinema 1"). A row that
    names its venue with its city reads it as it did while no other venue of that name
    is in that city: the file is still said unchanged without the importer, and of a
    changed file only the changed row is read, found a file at a time or a window at a
    time (--report: no look before the importer)."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    for city in ("Leeds", "York"):
        assert twins.both("add", "venue", "Crucible Theatre", "--city", city,
                          "--timezone", "Europe/London")[0] == 0  # fmt: skip
    imports.clear()
    assert "4 unchanged" in twins.both("import", path)[1]
    assert imports == [path], "only the catalogue with --read-all reads the file"
    rows[0][10] = "18:30"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    for report in ([], ["--report", str(tmp_path / "report.jsonl")]):
        rows_read.clear()
        code, out, err = twins.both("import", path, *report)
        assert (code, err) == (0, ""), err
        assert "1 moved, 3 unchanged" in out
        assert rows_read[0] == 2, "the skimming catalogue read the changed row alone"
        assert rows_read[1:] == [2, 3, 4, 5]
        rows[0][10] = "19:00"
        path = str(write_csv(tmp_path / "lineup.csv", rows))


def test_a_second_venue_of_a_name_in_the_same_city_sends_its_rows_the_whole_way(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    rows_read: list[int],
) -> None:
    """Two venues of one name in one city (by key), one in another, written straight
    (the commands refuse the second): a row naming that name and city may read either
    now, and goes the whole way; the catalogues say and end the same."""
    from sqlalchemy import insert

    from screenings import tables as T
    from screenings.db import create_db_engine

    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    for url in twins.urls:
        engine = create_db_engine(url)
        with engine.begin() as connection:
            for number, city in enumerate(("Leeds", " sheffield")):
                connection.execute(
                    insert(T.venue).values(
                        name="Crucible  theatre", name_key="crucible theatre",
                        slug=f"crucible-theatre-{number}", city=city,
                    )
                )  # fmt: skip
        engine.dispose()
    imports.clear()
    rows_read.clear()
    code, _out, err = twins.both("import", path)
    assert code == 0, err
    assert imports == [path, path]
    assert rows_read == [4, 2, 3, 4, 5], "the Crucible row read alone, then every row"


def test_a_row_with_no_city_still_needs_its_venue_name_alone(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A row whose City cell is emptied names the one Crucible Theatre there is (in
    Sheffield); with another in Leeds it reads no venue now, and is refused as a row
    read whole is, though the Sheffield one is alone in its city."""
    rows = [list(r) for r in ROWS]
    twins.both("import", str(write_csv(tmp_path / "lineup.csv", rows)))
    rows[2][8] = ""
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    assert "4 unchanged" in twins.both("import", path)[1]
    assert twins.both("add", "venue", "Crucible Theatre", "--city", "Leeds",
                      "--timezone", "Europe/London")[0] == 0  # fmt: skip
    code, _out, err = twins.both("import", path)
    assert code == 2 and "several venues are called Crucible Theatre" in err


def test_a_row_naming_a_record_by_another_name_of_it_is_passed_over(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """A row that names a venue merged into another (its name kept as an alias of the one
    kept), or a film renamed since, reads as that record alone: it is passed over unread
    as a row naming the record's own name is, until the alias is dropped (a record made
    with its name: the next test); then it goes the whole way. A row passed over does not say again
    that it named the record by another name (a note, as a year taken from the edition)."""
    path = str(write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS]))
    twins.both("import", path)
    assert twins.both("add", "venue", "Showroom", "--city", "Sheffield",
                      "--timezone", "Europe/London")[0] == 0  # fmt: skip
    assert twins.both("merge", "venue", "Showroom", "Showroom Cinema")[0] == 0
    assert twins.both("edit", "film", "Mothers", "--title", "Mothers of Shanghai")[0] == 0
    imports.clear()
    code, _out, err = twins.both("import", path)  # the merge and the rename moved their stamps
    assert "film 'Mothers' is another name of Mothers of Shanghai" in err
    assert imports == [path, path]
    imports.clear()
    code, out, err = twins.both("import", path)
    assert "4 unchanged" in out
    assert imports == [path], "only the catalogue with --read-all reads the file"
    # The alias dropped: the old name is a venue of its own again.
    assert twins.both("edit", "venue", "Showroom", "--remove-alias", "Showroom Cinema")[0] == 0
    imports.clear()
    code, out, err = twins.both("import", path)
    assert code == 0, err
    assert "new venues (1): Showroom Cinema" in out
    assert imports == [path, path]


@pytest.mark.parametrize("report", [False, True], ids=["skimmed", "windows"])
def test_a_record_made_with_an_alias_s_name_reads_the_rows_held_again(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    report: bool,
) -> None:
    """A row that names a venue with no city, or a film, by an alias is held while it
    reads as the record kept; an import that makes a venue (in another city) or a film
    (of another year) with that name makes the row read the new one, read whole: it is
    read again, before or after the row that made it, found by the skim or by the
    importer's windows (``--report`` asks for each row's outcome: no skim)."""
    rows = [list(r) for r in ROWS]
    rows[1][8] = ""  # S2 names its venue with no city
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    extra = ["--report", str(tmp_path / "report.jsonl")] if report else []
    twins.both("import", path)
    assert twins.both("add", "venue", "Showroom", "--city", "Sheffield",
                      "--timezone", "Europe/London")[0] == 0  # fmt: skip
    assert twins.both("merge", "venue", "Showroom", "Showroom Cinema")[0] == 0
    assert twins.both("edit", "film", "Mothers", "--title", "Mothers of Shanghai")[0] == 0
    twins.both("import", path)
    assert "4 unchanged" in twins.both("import", path, *extra)[1]
    made = [
        ["S5", "Mothers", "1999", "", "", "Sheffield Doc/Fest 2013", "", "Showroom Cinema",
         "London", "2013-06-16", "20:00", ""],
        *rows[1:],  # not S1, which names the venue in Sheffield: S2 would read that one
    ]  # fmt: skip
    # Compared by what they say and where S2 and S4 are: on PostgreSQL the attempt
    # rolled back spent ids, so the two catalogues' ids differ.
    args = ["import", str(write_csv(tmp_path / "lineup.csv", made)), *extra]
    said = [twins.said(0, twins.call(twins.urls[0], *args)),
            twins.said(1, twins.call(twins.urls[1], *args, "--read-all"))]  # fmt: skip
    assert _unnoted(said[0]) == _unnoted(said[1])
    code, out, err = said[0]
    assert code == 0, err
    assert "new venues (1): Showroom Cinema, London" in out
    assert "new films (1): Mothers (1999)" in out
    assert "1 created, 0 updated, 1 moved, 2 unchanged" in out
    for url in twins.urls:
        shown = twins.state(url)["screenings"]
        where = {(s["film"]["title"], s["local_date"]): s["venue"] for s in shown}
        # S2 reads the venue this import made, as a row read whole does.
        assert where["The Defector", "2013-06-15"]["city"] == "London"


def test_a_film_s_first_row_changed_states_its_selection_before_its_rows_held(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The first row of a film in an edition states its selection there: changed (a new
    section), it is read, and states it, though the film's later rows are held as
    unchanged; read whole, the later row is also warned of as not taken (a note of a row
    read: the catalogue that skips it says nothing of it)."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.both("import", path)
    rows[0][6] = "Panorama"  # S1, the first of The Defector's two rows
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    said = [twins.said(0, twins.call(twins.urls[0], "import", path)),
            twins.said(1, twins.call(twins.urls[1], "import", path, "--read-all"))]  # fmt: skip
    assert said[0][:2] == said[1][:2]
    assert "selections: 3 (0 new, 1 updated)" in said[0][1]
    assert "'Innovation' is not taken" in said[1][2] and "is not taken" not in said[0][2]
    assert twins.state(twins.urls[0]) == twins.state(twins.urls[1])
    shown = twins.state(twins.urls[0])["screenings"]
    assert {s["section"] for s in shown if s["film"]["title"] == "The Defector"} == {"Panorama"}


def test_two_files_read_every_row_named_by_an_alias(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A films file and a screenings file are not read again when an import turns out
    stale (``HeldStale``): their rows named by an alias are read whole, and a film this
    import makes with the alias's name is read as it would be with --read-all."""
    films = tmp_path / "films.csv"
    shows = tmp_path / "shows.csv"
    films_rows = [["F1", "The Defector", "2012", "Ann Shin", "71"],
                  ["F2", "Mothers", "2012", "Xu Huijing", ""]]  # fmt: skip
    shows_rows = [["F1", "Sheffield Doc/Fest 2013", "Showroom Cinema", "Sheffield",
                   "2013-06-14", "18:00"],
                  ["F2", "Sheffield Doc/Fest 2013", "Showroom Cinema", "Sheffield",
                   "2013-06-15", "18:00"]]  # fmt: skip
    film_header = ["film_id", "Title", "Year", "Director", "Runtime"]
    show_header = ["film_id", "Festival", "Venue", "City", "Date", "Time"]
    write_csv(films, films_rows, film_header)
    write_csv(shows, shows_rows, show_header)
    twins.both("import", str(films), str(shows))
    assert twins.both("edit", "film", "Mothers", "--title", "Mothers of Shanghai")[0] == 0
    twins.both("import", str(films), str(shows))
    write_csv(films, [["F3", "Mothers", "1999", "", ""], *films_rows], film_header)
    write_csv(shows, [["F3", "Sheffield Doc/Fest 2013", "Crucible Theatre", "Sheffield",
                       "2013-06-16", "20:00"], *shows_rows], show_header)  # fmt: skip
    code, out, err = twins.both("import", str(films), str(shows))
    assert code == 0, err
    assert "1 created" in out and "new films (1): Mothers (1999)" in out
