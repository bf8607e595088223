"""Aliases kept by ``merge`` (found by lookups, filters and imports, listed by ``show``,
dropped by ``edit --remove-alias``, refused to ``add``) and the near-duplicate warning.
Real CSV files through the command line, SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screenings.services.aliases import near
from tests.test_import import Cli, cli, url, write_csv

__all__ = ["cli", "url"]  # the fixtures, shared with test_import

HEADER = ["Title", "Year", "Director", "Festival", "Venue", "City", "Date", "Time"]
ROWS = [
    ["The Defector", "2012", "Ann Shin", "DocPoint 2026", "Bio Roy", "Helsinki", "2026-02-05",
     "18:00"],
    ["Mothers", "2012", "Xu Huijing", "DocPoint 2026", "Biografen Roy", "Helsinki", "2026-02-06",
     "16:00"],
]  # fmt: skip


def plain(text: str, tmp_path: Path) -> str:
    return text.replace(str(tmp_path) + os.sep, "")


def venues_of(cli: Cli) -> set[str]:
    code, out, err = cli("list", "--format", "csv")
    assert code == 0, err
    header, *rows = out.splitlines()
    return {row.split(",")[header.split(",").index("venue_name")] for row in rows}


def test_two_near_names_in_one_city_are_both_made_with_a_warning(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("import", str(write_csv(tmp_path / "l.csv", ROWS, HEADER)))
    assert code == 0, err
    assert "new venues (2): Bio Roy, Helsinki; Biografen Roy, Helsinki" in out
    assert (
        "warning: l.csv: venue 'Biografen Roy' (Helsinki) looks like Bio Roy (Helsinki, #1); "
        "if they are one, keep one with: screenings merge venue '#1' 'Biografen Roy (Helsinki)'"
    ) in plain(err, tmp_path)
    # By hand too: created, and said.
    code, out, err = cli("add", "venue", "Bio Rex", "--city", "Helsinki")
    assert code == 0, err
    assert "venue 'Bio Rex' (Helsinki) looks like Bio Roy (Helsinki, #1)" not in out + err
    code, out, err = cli("add", "venue", "Biografen Rex", "--city", "Helsinki")
    assert code == 0, err
    assert (
        "venue 'Biografen Rex' (Helsinki) looks like Biografen Roy (Helsinki, #2); Bio Rex "
        "(Helsinki, #3); if they are one, keep one with: screenings merge venue '#2' "
        "'Biografen Rex (Helsinki)'"
    ) in out
    # Another city: not compared; and the merge it suggested names the one in Helsinki.
    code, out, err = cli("add", "venue", "Bio Roy", "--city", "Turku")
    assert "looks like" not in out + err
    assert cli("add", "venue", "Biografen Rex", "--city", "Turku")[0] == 0
    code, out, err = cli("merge", "venue", "#2", "Biografen Rex (Helsinki)")
    assert code == 0, err


@pytest.mark.parametrize(
    ("ids", "sync"),
    [(True, False), (False, False), (True, True), (False, True)],
    ids=["id-column", "no-id", "id-column-sync", "no-id-sync"],
)
def test_a_merge_keeps_the_name_for_lookups_filters_and_re_imports(
    cli: Cli, tmp_path: Path, ids: bool, sync: bool
) -> None:
    if ids:
        rows = [[f"R{n}", *row] for n, row in enumerate(ROWS)]
        lineup = str(write_csv(tmp_path / "l.csv", rows, ["ID", *HEADER]))
    else:
        lineup = str(write_csv(tmp_path / "l.csv", ROWS, HEADER))
    again = ["--sync"] if sync else []
    cli("import", lineup)
    code, out, err = cli("merge", "venue", "Bio Roy", "Biografen Roy")
    assert code == 0, err
    assert venues_of(cli) == {"Bio Roy"}
    # The file still says "Biografen Roy": read as Bio Roy, nothing made, moved or
    # cancelled.
    code, out, err = cli("import", lineup, *again)
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 2 unchanged, 0 cancelled" in out
    assert "new venues" not in out
    assert (
        "warning: l.csv: venue 'Biografen Roy' is another name of Bio Roy (Helsinki, #1) "
        "(kept by a merge or a rename); read as that"
    ) in plain(err, tmp_path)
    assert venues_of(cli) == {"Bio Roy"}
    # A filter and a lookup find it by the old name, and say so.
    code, out, err = cli("list", "--venue", "Biografen Roy", "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 3
    assert "venue 'Biografen Roy' is another name of Bio Roy (Helsinki, #1)" in err
    code, out, err = cli("show", "venue", "Bio Roy")
    assert "  also called: Biografen Roy" in out
    # The name is taken: a new venue may not have it.
    code, out, err = cli("add", "venue", "Biografen Roy", "--city", "Helsinki")
    assert code == 5
    assert (
        "venue: 'Biografen Roy' is another name of Bio Roy (Helsinki, #1) (kept by a merge "
        "or a rename); use that venue, or drop the name first: screenings edit venue '#1' "
        "--remove-alias "
        "'Biografen Roy'"
    ) in err
    # Dropped: the name finds nothing, and may be given again.
    code, out, err = cli("edit", "venue", "Bio Roy", "--remove-alias", "Biografen Roy")
    assert code == 0, err
    assert "'Biografen Roy' no longer names it" in out
    code, out, err = cli("show", "venue", "Bio Roy")
    assert "also called" not in out
    assert cli("list", "--venue", "Biografen Roy")[0] == 3
    code, out, err = cli("edit", "venue", "Bio Roy", "--remove-alias", "Biografen Roy")
    assert code == 3
    assert "--remove-alias: 'Biografen Roy' is not another name of Bio Roy" in err
    code, out, err = cli("add", "venue", "Biografen Roy", "--city", "Helsinki")
    assert code == 0, err


def test_merged_films_people_and_festivals_keep_their_names(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "l.csv", ROWS, HEADER)))
    cli("add", "film", "The Defector: Escape from North Korea", "--year", "2012")
    code, _out, err = cli(
        "merge", "film", "The Defector: Escape from North Korea", "The Defector (2012)"
    )
    assert code == 0, err
    cli("add", "person", "Huijing Xu")
    assert cli("merge", "person", "Huijing Xu", "Xu Huijing")[0] == 0
    cli("add", "festival", "DocPoint Helsinki")
    assert cli("merge", "festival", "DocPoint Helsinki", "DocPoint")[0] == 0
    # An import of the same file makes no film, person or festival again.
    code, out, err = cli("import", str(write_csv(tmp_path / "l.csv", ROWS, HEADER)))
    assert code == 0, err
    assert "new " not in out
    said = plain(err, tmp_path)
    assert "film 'The Defector' is another name of The Defector: Escape from North Korea" in said
    assert "person 'Xu Huijing' is another name of Huijing Xu" in said
    assert "festival 'DocPoint' is another name of DocPoint Helsinki" in said
    code, out, err = cli("show", "film", "The Defector")
    assert code == 0, err
    assert "also called: The Defector" in out
    assert cli("add", "person", "Xu Huijing")[0] == 5


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Bio Roy", "Biografen Roy", True),  # words that begin the other's, from the start
        ("Showroom", "Showroom Cinema", True),  # contained, word by word
        ("Showroom Cinema", "Showroom Cinemas", True),  # a ratio of at least 0.8
        ("Bio Rex", "Andorra", False),
        ("Roy", "Bio Roy", False),  # not from the start
        ("Kino Helios", "Kino Atlantis", False),
        ("Cinema 1", "Cinema 2", False),  # numbered screens of one place
        ("Sal 1", "Sal 10", False),
        ("Hall A", "Hall B", False),
        ("Doc", "DocPoint", True),  # three letters that begin the other's word
        ("De", "Delft Filmhuis", False),  # two letters do not
    ],
)
def test_near_names(a: str, b: str, expected: bool) -> None:
    assert near(a, b) is expected
    assert near(b, a) is expected


def test_an_alias_keeps_to_its_city_and_a_film_s_to_its_year(cli: Cli, tmp_path: Path) -> None:
    cli("add", "venue", "Sal 1")  # no city
    cli("add", "venue", "Cinemateket", "--city", "Oslo", "--timezone", "Europe/Oslo")
    assert cli("merge", "venue", "Cinemateket", "Sal 1")[0] == 0
    rows = [["Kvinner", "2019", "", "BIFF 2026", "Sal 1", "Bergen", "2026-10-01", "18:00"]]
    code, out, err = cli(
        "import", str(write_csv(tmp_path / "b.csv", rows, HEADER)), "--timezone", "Europe/Oslo"
    )
    assert code == 0, err
    assert "new venues (1): Sal 1, Bergen" in out  # the alias is Oslo's "Sal 1"
    cli("add", "film", "Dune: Part One", "--year", "2021")
    cli("add", "film", "Dune", "--year", "2021")
    assert cli("merge", "film", "Dune: Part One", "Dune (2021)")[0] == 0
    code, _out, err = cli("add", "film", "Dune", "--year", "1984")
    assert code == 0, err  # another year: another film
    assert cli("add", "film", "Dune", "--year", "2021")[0] == 5


def test_a_rename_to_another_record_s_alias_is_refused(cli: Cli) -> None:
    cli("add", "person", "Huijing Xu")
    cli("add", "person", "Xu Huijing")
    cli("add", "person", "Ann Shin")
    assert cli("merge", "person", "Huijing Xu", "Xu Huijing")[0] == 0
    code, _out, err = cli("edit", "person", "Ann Shin", "--name", "Xu Huijing")
    assert code == 5
    assert "'Xu Huijing' is another name of Huijing Xu (#1)" in err
    # Its own alias: the record takes the name back, and the alias goes (the name it
    # leaves is kept instead).
    code, out, err = cli("edit", "person", "Huijing Xu", "--name", "Xu Huijing")
    assert code == 0, err
    code, out, err = cli("show", "person", "Xu Huijing")
    assert "also called: Huijing Xu" in out and "also called: Xu Huijing" not in out


@pytest.mark.parametrize("ids", [True, False], ids=["id-column", "no-id"])
def test_a_rename_keeps_the_old_name_for_the_file_that_still_says_it(
    cli: Cli, tmp_path: Path, ids: bool
) -> None:
    """Renamed by hand, a venue, film, person and festival keep their old names: the
    unchanged file re-imports as unchanged, where it made a second venue and film (and
    warned of a possible move for each screening)."""
    if ids:
        rows = [[f"R{n}", *row] for n, row in enumerate(ROWS)]
        lineup = str(write_csv(tmp_path / "l.csv", rows, ["ID", *HEADER]))
    else:
        lineup = str(write_csv(tmp_path / "l.csv", ROWS, HEADER))
    assert cli("import", lineup)[0] == 0
    renames = [
        ("venue", "Bio Roy", "--name", "Kino Roy"),
        ("film", "The Defector", "--title", "The Defector: Escape from North Korea"),
        ("person", "Ann Shin", "--name", "Ann Shin-Lee"),
        ("festival", "DocPoint", "--name", "DocPoint Helsinki"),
    ]
    for kind, old, option, new in renames:
        code, out, err = cli("edit", kind, old, option, new)
        assert code == 0, err
        assert (
            f"{old!r} is kept as another name of it (a file that still says it means it); "
            f"drop it with --remove-alias {old!r}"
        ) in out
    code, out, err = cli("import", lineup)
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 2 unchanged, 0 cancelled" in out
    assert "new " not in out and "possible move" not in err
    assert "venue 'Bio Roy' is another name of Kino Roy (Helsinki, #1)" in err
    assert venues_of(cli) == {"Kino Roy", "Biografen Roy"}
    code, out, err = cli("show", "film", "The Defector: Escape from North Korea")
    assert "also called: The Defector" in out
    # Renamed back: the name is its own again, and no longer another.
    code, out, err = cli("edit", "venue", "Kino Roy", "--name", "Bio Roy")
    assert code == 0, err
    code, out, err = cli("show", "venue", "Bio Roy")
    assert "also called: Kino Roy" in out and "also called: Bio Roy" not in out
    # Dropped: the file's name makes a venue of its own again.
    cli("edit", "venue", "Bio Roy", "--name", "Kino Roy")
    assert cli("edit", "venue", "Kino Roy", "--remove-alias", "Bio Roy")[0] == 0
    code, out, err = cli("import", lineup)
    assert code == 0, err
    assert "new venues (1): Bio Roy, Helsinki" in out


def test_a_new_spelling_of_the_same_name_keeps_no_other_name(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "l.csv", ROWS, HEADER)))
    code, out, err = cli("edit", "venue", "Bio Roy", "--name", "BIO  ROY")
    assert code == 0, err
    assert "kept as another name" not in out
    code, out, err = cli("show", "venue", "BIO ROY")
    assert "also called" not in out


def test_a_rename_says_what_became_of_the_old_name(cli: Cli) -> None:
    """A second film of the same title renamed: the title is the first one's other name
    already, and stays so (it said "kept" of a name it did not keep). A venue given its
    city and a new spelling keeps no other name, and says none."""
    for year in ("2012", "2019"):
        assert cli("add", "film", "Mothers", "--year", year)[0] == 0
    code, out, err = cli("edit", "film", "Mothers (2012)", "--title", "Mothers of Beijing")
    assert code == 0, err
    assert "'Mothers' is kept as another name of it" in out
    code, out, err = cli("edit", "film", "Mothers (2019)", "--title", "Mothers Again")
    assert code == 0, err
    assert "'Mothers' is another name of Mothers of Beijing (2012, #1) already, and stays so" in out
    assert "kept as another name" not in out
    assert cli("add", "venue", "Kino")[0] == 0
    code, out, err = cli("edit", "venue", "Kino", "--name", "KINO", "--city", "Oslo")
    assert code == 0, err
    assert "another name" not in out
