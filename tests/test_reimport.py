"""Re-imports after hand edits: the three-way rule, conflicts, tombstones, ``--sync`` that
cancels only what its file made, and the bases migration 0006 gives an older catalogue.
Real CSV files through the command line, SQLite and PostgreSQL (``tests/test_import.py``
holds the first imports and the file-only re-imports)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from screenings.db import create_db_engine
from screenings.migrate import downgrade_schema, upgrade_schema
from screenings.services.bases import base_values, three_way
from tests.test_import import HEADER, ROWS, Cli, by_start, cli, url, without, write_csv
from tests.test_import import screenings as all_screenings

__all__ = ["cli", "url"]  # the fixtures, shared with test_import

DEFECTOR_2 = "The Defector 2013-06-15 13:00"  # S2: line 3 of the file
ID_AND_SYNC = [
    pytest.param(True, False, id="id-column"),
    pytest.param(False, False, id="no-id"),
    pytest.param(True, True, id="id-column-sync"),
    pytest.param(False, True, id="no-id-sync"),
]


def lineup(tmp_path: Path, name: str, rows: list[list[str]], ids: bool) -> str:
    if ids:
        return str(write_csv(tmp_path / name, rows))
    header, rows = without("ID", rows)
    return str(write_csv(tmp_path / name, rows, header))


def plain(err: str, tmp_path: Path) -> str:
    return err.replace(str(tmp_path) + os.sep, "")


@pytest.mark.parametrize(("ids", "sync"), ID_AND_SYNC)
def test_a_hand_edit_survives_an_unchanged_re_import(
    cli: Cli, tmp_path: Path, ids: bool, sync: bool
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    before = by_start(cli)
    uid = before[DEFECTOR_2][0]
    code, _out, err = cli("edit", "screening", "2", "--at", "14:30")
    assert code == 0, err
    again = ["--sync"] if sync else []
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, ids), *again)
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 3 unchanged, 1 kept (edited by hand), 0 cancelled" in (
        out
    )
    after = by_start(cli)
    assert len(after) == 4  # no duplicate at the file's 13:00
    assert after["The Defector 2013-06-15 14:30"] == (uid, 1, "scheduled")  # one bump: the edit
    # A later sync still knows it as the file's screening: nothing is cancelled.
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, ids), "--sync")
    assert "1 kept (edited by hand), 0 cancelled" in out, err
    assert by_start(cli) == after


@pytest.mark.parametrize(("ids", "sync"), ID_AND_SYNC)
def test_a_file_change_where_nobody_edited_is_applied(
    cli: Cli, tmp_path: Path, ids: bool, sync: bool
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    cli("edit", "screening", "2", "--at", "14:30")  # a hand edit of another screening
    changed = [list(r) for r in ROWS]
    changed[0][11] = "Q&A with Ann Shin"  # S1's notes
    again = ["--sync"] if sync else []
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, ids), *again)
    assert code == 0, err
    assert "0 created, 1 updated, 0 moved, 2 unchanged, 1 kept (edited by hand)" in out
    shown = {k: v for k, v in by_start(cli).items() if k.startswith("The Defector")}
    assert sorted(shown) == ["The Defector 2013-06-14 18:00", "The Defector 2013-06-15 14:30"]


@pytest.mark.parametrize("ids", [True, False], ids=["id-column", "no-id"])
def test_a_conflict_is_listed_not_applied_then_taken_with_theirs(
    cli: Cli, tmp_path: Path, ids: bool
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    cli("edit", "screening", "2", "--at", "14:30")
    changed = [list(r) for r in ROWS]
    changed[1][10] = "16:00"  # the file moves S2 too, elsewhere
    changed[0][11] = "Q&A with Ann Shin"  # and changes S1, which nobody edited
    path = lineup(tmp_path, "v2.csv", changed, ids)
    report = tmp_path / "report.jsonl"
    # Without an id column, only a sync can tell a new time of S2 from a new screening.
    sync = [] if ids else ["--sync"]
    code, out, err = cli("import", path, "--report", str(report), *sync)
    assert code == 0, err
    assert "1 updated" in out and "1 with conflicts" in out
    time_column = "Time"
    assert (
        f"conflict: v2.csv:3: column {time_column!r}: the file says '2013-06-15 16:00' (it said "
        "'2013-06-15 13:00' at the last import), the catalogue says '2013-06-15 14:30' (changed "
        "since); kept the catalogue's (screening #2; --theirs takes the file's)"
    ) in plain(err, tmp_path)
    records = [json.loads(line) for line in report.read_text().splitlines()]
    (conflict,) = [r for r in records if r["type"] == "conflict"]
    assert (conflict["line"], conflict["column"], conflict["screening"]) == (3, "Time", 2)
    assert (conflict["file_value"], conflict["catalogue_value"]) == (
        "'2013-06-15 16:00'",
        "'2013-06-15 14:30'",
    )
    after = by_start(cli)
    assert "The Defector 2013-06-15 14:30" in after  # not applied
    # The same file again: still a conflict (its base did not move).
    code, out, err = cli("import", path, *sync)
    assert "1 with conflicts" in out and "conflict: " in err
    # Refused whole with --fail-on-conflict: exit 1, nothing written.
    changed[2][11] = "Restored print"
    refused = lineup(tmp_path, "v3.csv", changed, ids)
    code, out, err = cli("import", refused, "--fail-on-conflict", *sync)
    assert code == 1
    assert (
        "v3.csv: 1 conflict with edits made by hand since the last import; nothing was imported "
        "(re-import with --theirs to take the file's values, or without --fail-on-conflict to "
        "apply the rest)"
    ) in plain(err, tmp_path)
    assert by_start(cli) == after
    # --theirs: the file wins.
    code, out, err = cli("import", path, "--theirs", *sync)
    assert code == 0, err
    assert "0 created, 0 updated, 1 moved" in out and "conflict" not in plain(out + err, tmp_path)
    final = by_start(cli)
    assert final["The Defector 2013-06-15 16:00"][0] == after["The Defector 2013-06-15 14:30"][0]


def test_theirs_and_fail_on_conflict_together_are_refused(cli: Cli, tmp_path: Path) -> None:
    code, _out, err = cli(
        "import", lineup(tmp_path, "v1.csv", ROWS, True), "--theirs", "--fail-on-conflict"
    )
    assert code == 2
    assert "--theirs: give either --theirs or --fail-on-conflict" in err


@pytest.mark.parametrize(("ids", "sync"), ID_AND_SYNC)
def test_a_screening_removed_by_hand_stays_removed(
    cli: Cli, tmp_path: Path, ids: bool, sync: bool
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    code, _out, err = cli("remove", "screening", "#4", "--yes")  # Mothers
    assert code == 0, err
    again = ["--sync"] if sync else []
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, ids), *again)
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 3 unchanged, 1 kept removed, 0 cancelled" in out
    assert "Mothers 2013-06-13" not in by_start(cli)
    # The file changes the row since: it is made again, and the report says so.
    changed = [list(r) for r in ROWS]
    changed[3][11] = "Added: a second screening"
    report = tmp_path / "report.jsonl"
    code, out, err = cli(
        "import", lineup(tmp_path, "v2.csv", changed, ids), *again, "--report", str(report)
    )
    assert code == 0, err
    assert "1 created, 0 updated, 0 moved, 3 unchanged" in out
    assert "Mothers 2013-06-13" in by_start(cli)
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["line"] for r in records if r.get("recreated")] == [5]
    # And from then on it is the file's again: an unchanged re-import leaves it be.
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, ids), *again)
    assert "0 created, 0 updated, 0 moved, 4 unchanged" in out, err


def test_sync_never_cancels_a_screening_added_by_hand(cli: Cli, tmp_path: Path) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, True))
    code, _out, err = cli(
        "add", "screening", "The Act of Killing", "--edition", "Sheffield Doc/Fest 2013",
        "--venue", "Showroom Cinema", "--on", "2013-06-16", "--at", "20:00",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", ROWS[:3], True), "--sync")
    assert code == 0, err
    assert "1 cancelled" in out  # Mothers, which the file made and no longer lists
    after = by_start(cli)
    assert after["The Act of Killing 2013-06-16 20:00"][1:] == (0, "scheduled")
    assert after["Mothers 2013-06-13"][2] == "cancelled"


def test_the_migration_gives_an_older_catalogue_its_bases(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, False))
    engine = create_db_engine(url)
    # A catalogue as it was before revision 0006: no bases at all.
    downgrade_schema(engine, "0005")
    upgrade_schema(engine)
    with engine.connect() as connection:
        stated = connection.execute(text("SELECT stated FROM screening_base")).scalars().all()
        sources = connection.execute(text("SELECT kind FROM import_source")).scalars().all()
        records = connection.execute(
            text("SELECT kind, COUNT(*) FROM record_base GROUP BY kind ORDER BY kind")
        ).all()
    engine.dispose()
    assert len(stated) == 4 and set(stated) == {
        "film,place,when,duration,kind,status,visibility,audience,ticket_url,notes,external_id"
    }
    assert sources == ["lineup"]
    assert [tuple(r) for r in records] == [("film", 3), ("selection", 3)]
    # An unchanged file: nothing to report, no conflict. A hand edit then survives it.
    _code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, False))
    assert "0 created, 0 updated, 0 moved, 4 unchanged, 0 cancelled" in out, err
    cli("edit", "screening", "2", "--at", "14:30")
    _code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, False), "--sync")
    assert "3 unchanged, 1 kept (edited by hand), 0 cancelled" in out, err


def test_a_dry_run_with_a_rejected_row_still_says_what_the_rest_would_do(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    bad = [list(r) for r in ROWS]
    bad[3][9] = "2013-02-31"
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", bad, True), "--dry-run")
    assert code == 2
    assert "3 created, 0 updated, 0 moved, 0 unchanged, 0 cancelled, 1 rejected" in out
    assert "nothing was imported" in err
    if url.startswith("sqlite"):  # a dry run on a new file makes none
        assert "--db: no catalogue at" in cli("list")[2]
    else:  # the database was there, and nothing is in it
        assert by_start(cli) == {}


# -- the rule itself ---------------------------------------------------------------------------


def _values(**given: object) -> dict[str, object]:
    values: dict[str, object] = {
        "film_id": 1,
        "venue_id": 1,
        "city": None,
        "local_date": "2026-02-05",
        "local_time": "20:30",
        "timezone": "Europe/Helsinki",
        "duration_minutes": None,
        "kind": "regular",
        "status": None,
        "visibility": None,
        "audience": None,
        "ticket_url": None,
        "notes": None,
        "external_id": None,
    }
    values.update(given)
    return values


@pytest.mark.parametrize(
    ("file", "base", "catalogue", "becomes", "kept", "conflicts"),
    [
        ("A", "A", "A", "A", [], []),  # nothing changed
        ("A", "A", "B", "B", ["notes"], []),  # a hand edit the file did not contradict
        ("B", "A", "A", "B", [], []),  # the file changed it, nobody else did
        ("B", "A", "B", "B", [], []),  # both changed it the same way
        ("C", "A", "B", "B", [], ["notes"]),  # both changed it, differently
    ],
)
def test_three_way_by_group(
    file: str, base: str, catalogue: str, becomes: str, kept: list[str], conflicts: list[str]
) -> None:
    said = _values(notes=file)
    merged = three_way(said, _values(notes=base), _values(notes=catalogue), ["notes"])
    assert (said["notes"], merged.kept, merged.conflicts) == (becomes, kept, conflicts)
    theirs = _values(notes=file)
    three_way(theirs, _values(notes=base), _values(notes=catalogue), ["notes"], theirs=True)
    assert theirs["notes"] == (file if conflicts else becomes)  # it settles conflicts only


def test_a_conflict_keeps_its_old_base_and_the_rest_moves_on() -> None:
    old = {**_values(notes="A", local_time="20:30"), "stated": "film,when,notes"}
    file = _values(notes="C", local_time="21:00")
    values = base_values(file, {"film", "when", "notes", "place"}, old, ["notes"])
    assert (values["notes"], values["local_time"]) == ("A", "21:00")
    assert values["stated"] == "film,place,when,notes"


@pytest.mark.parametrize("ids", [True, False], ids=["id-column", "no-id"])
def test_a_venue_changed_by_hand_is_kept_and_theirs_leaves_what_did_not_conflict(
    cli: Cli, tmp_path: Path, ids: bool
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    cli("edit", "screening", "2", "--venue", "Crucible Theatre")
    cli("edit", "screening", "4", "--note", "Print from the director")
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, ids))
    assert "0 updated, 0 moved, 2 unchanged, 2 kept (edited by hand)" in out, err
    shown = screenings_where(cli)
    assert shown["The Defector 2013-06-15 13:00"] == "Crucible Theatre"
    # A conflict on S2's time and a change of its notes: the row counts as a conflict
    # alone; --theirs then takes the file's time, and leaves both hand edits that the
    # file did not contradict.
    changed = [list(r) for r in ROWS]
    changed[1][10], changed[1][11] = "16:00", "Restored print"
    cli("edit", "screening", "2", "--at", "14:30")
    sync = [] if ids else ["--sync"]
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, ids), *sync)
    assert "0 created, 0 updated, 0 moved, 2 unchanged, 1 kept (edited by hand), 1 with " in (
        out
    ), err
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, ids), "--theirs", *sync)
    assert code == 0, err
    shown = screenings_where(cli)
    assert shown["The Defector 2013-06-15 16:00"] == "Crucible Theatre"
    assert by_notes(cli)["Mothers 2013-06-13"] == "Print from the director"


def test_a_screening_cancelled_by_sync_is_reinstated_by_a_status_column(
    cli: Cli, tmp_path: Path
) -> None:
    header = [*HEADER, "Status"]
    rows = [[*r, "scheduled"] for r in ROWS]
    cli("import", str(write_csv(tmp_path / "v1.csv", rows, header)))
    _code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", rows[:3], header)), "--sync")
    assert "1 cancelled" in out, err
    _code, out, err = cli("import", str(write_csv(tmp_path / "v3.csv", rows, header)), "--sync")
    assert "1 updated" in out, err
    assert by_start(cli)["Mothers 2013-06-13"][2] == "scheduled"


def screenings_where(cli: Cli) -> dict[str, str]:
    return {k: (s["venue"] or {}).get("name") for k, s in all_screenings(cli).items()}


def by_notes(cli: Cli) -> dict[str, str]:
    return {k: s["notes"] for k, s in all_screenings(cli).items()}


def test_a_section_and_a_runtime_edited_by_hand_are_kept(cli: Cli, tmp_path: Path) -> None:
    path = lineup(tmp_path, "v1.csv", ROWS, True)
    cli("import", path)
    code, _out, err = cli("edit", "film", "The Act of Killing", "--runtime", "159")
    assert code == 0, err
    code, _out, err = cli(
        "edit", "selection", "The Act of Killing", "--edition", "Sheffield Doc/Fest 2013",
        "--section", "Special Events",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("import", path)
    assert code == 0, err
    assert "selections: 3 (0 new, 0 updated, 1 kept (edited by hand))" in out
    assert "films updated: 0; 1 kept (edited by hand)" in out
    code, out, _err = cli("show", "film", "The Act of Killing", "--format", "json")
    film = json.loads(out)["film"]
    assert film["film"]["runtime_minutes"] == 159
    assert film["run"][0]["section"] == "Special Events"
    # The file changes the runtime too, differently: a conflict, said with all three values.
    changed = [list(r) for r in ROWS]
    changed[2][4] = "120"
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, True))
    assert code == 0, err
    assert "films updated: 0; 1 with conflicts" in out
    assert (
        "conflict: v2.csv:4: column 'Runtime': the file says 120 (it said 115 at the last "
        "import), the catalogue says 159 (changed since); kept the catalogue's (film #2; "
        "--theirs takes the file's)"
    ) in plain(err, tmp_path)
    code, out, err = cli("import", lineup(tmp_path, "v2.csv", changed, True), "--theirs")
    assert code == 0, err
    code, out, _err = cli("show", "film", "The Act of Killing", "--format", "json")
    assert json.loads(out)["film"]["film"]["runtime_minutes"] == 120


def test_two_festivals_that_disagree_on_a_runtime_do_not_conflict(cli: Cli, tmp_path: Path) -> None:
    header = ["Title", "Year", "Runtime", "Festival", "City", "Date", "Time"]
    sheffield = [["The Defector", "2012", "71", "Sheffield Doc/Fest 2013", "Sheffield",
                  "2013-06-14", "18:00"]]  # fmt: skip
    hotdocs = [["The Defector", "2012", "73", "Hot Docs 2013", "Toronto", "2013-04-28",
                "19:00"]]  # fmt: skip
    for _ in range(2):  # each file re-imported after the other
        for name, rows, zone in (("s.csv", sheffield, "Europe/London"),
                                 ("h.csv", hotdocs, "America/Toronto")):  # fmt: skip
            code, out, err = cli(
                "import", str(write_csv(tmp_path / name, rows, header)), "--timezone", zone
            )
            assert code == 0, err
            assert "conflict" not in plain(out + err, tmp_path)


def test_a_screening_made_by_hand_then_listed_by_the_file_takes_the_file_s_values(
    cli: Cli, tmp_path: Path
) -> None:
    for command in (
        ("add", "film", "Mothers", "--year", "2012"),
        ("add", "festival", "Sheffield Doc/Fest", "--timezone", "Europe/London"),
        ("add", "edition", "Sheffield Doc/Fest", "2013"),
        ("add", "venue", "Showroom Cinema", "--city", "Sheffield"),
        ("add", "screening", "Mothers", "--edition", "Sheffield Doc/Fest 2013",
         "--venue", "Showroom Cinema", "--on", "2013-06-13", "--note", "typed by hand"),
    ):  # fmt: skip
        code, _out, err = cli(*command)
        assert code == 0, (command, err)
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, False))
    assert code == 0, err
    assert "1 matched for the first time (the file's values taken)" in out
    assert by_notes(cli)["Mothers 2013-06-13"] is None  # the file's empty Notes cell
    # From then on it is the file's: a hand edit survives the next import.
    cli("edit", "screening", "#1", "--note", "again")
    code, out, err = cli("import", lineup(tmp_path, "v1.csv", ROWS, False))
    assert "1 kept (edited by hand)" in out and "first time" not in out, err


def test_a_film_merged_after_a_hand_edit_keeps_the_edit(cli: Cli, tmp_path: Path) -> None:
    path = lineup(tmp_path, "v1.csv", ROWS, True)
    cli("import", path)
    cli("edit", "film", "The Defector", "--runtime", "75")
    cli("add", "film", "The Defector: Escape from North Korea", "--year", "2012")
    code, _out, err = cli(
        "merge", "film", "The Defector: Escape from North Korea", "The Defector (2012)"
    )
    assert code == 0, err
    code, out, err = cli("import", path)
    assert code == 0, err
    assert "films updated: 0; 1 kept (edited by hand)" in out
    code, out, _err = cli("show", "film", "The Defector: Escape from North Korea", "--format",
                          "json")  # fmt: skip
    assert json.loads(out)["film"]["film"]["runtime_minutes"] == 75


def test_a_credit_removed_by_hand_is_not_added_again(cli: Cli, tmp_path: Path) -> None:
    header = [*HEADER, "Producer"]
    rows = [[*r, "Anita Lee" if n == 0 else ""] for n, r in enumerate(ROWS)]
    path = str(write_csv(tmp_path / "v1.csv", rows, header))
    cli("import", path)
    code, _out, err = cli("edit", "film", "The Defector", "--producer", "")
    assert code == 0, err
    code, out, err = cli("import", path)
    assert code == 0, err
    assert "films updated: 0; 1 kept (edited by hand)" in out
    code, out, _err = cli("show", "film", "The Defector", "--format", "json")
    roles = {c["role"] for c in json.loads(out)["film"]["credits"]}
    assert roles == {"director"}
    # A new producer in the file is added: the file changed there.
    rows[0][-1] = "Ann Shin"
    code, out, err = cli("import", str(write_csv(tmp_path / "v2.csv", rows, header)))
    assert code == 0, err
    code, out, _err = cli("show", "film", "The Defector", "--format", "json")
    credits = {(c["person"], c["role"]) for c in json.loads(out)["film"]["credits"]}
    assert ("Ann Shin", "producer") in credits and ("Anita Lee", "producer") not in credits


def test_a_result_corrected_by_hand_survives_the_awards_file(cli: Cli, tmp_path: Path) -> None:
    from tests.test_import import AWARDS, AWARDS_HEADER

    cli("import", lineup(tmp_path, "v1.csv", ROWS, True))
    awards = str(write_csv(tmp_path / "awards.csv", AWARDS, AWARDS_HEADER))
    code, out, err = cli("import", awards)
    assert "nominations: 3 new" in out, err
    code, _out, err = cli("edit", "nomination", "#1", "--result", "won")  # the ceremony
    assert code == 0, err
    code, out, err = cli("import", awards)
    assert code == 0, err
    assert "nominations: 0 new, 0 updated, 2 unchanged, 1 kept (edited by hand)" in out
    # The file now says otherwise too: a conflict, the catalogue's kept.
    changed = [list(r) for r in AWARDS]
    changed[0][6] = "special mention"
    code, out, err = cli("import", str(write_csv(tmp_path / "a2.csv", changed, AWARDS_HEADER)))
    assert "1 with conflicts" in out and "the catalogue says 'won'" in err, err


def test_only_the_clashes_of_what_the_import_changed_are_said(cli: Cli, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][7], rows[3][9], rows[3][10] = "Crucible Theatre", "2013-06-14", "13:00"  # Mothers
    code, _out, err = cli("import", lineup(tmp_path, "v1.csv", rows, True))
    assert "clashes (1):" in err and "overlap at Crucible Theatre" in err  # with Act of Killing
    code, _out, err = cli("import", lineup(tmp_path, "v1.csv", rows, True))
    assert code == 0 and "clashes" not in err  # nothing changed: nothing checked
    rows[0][11] = "Q&A with Ann Shin"  # elsewhere
    code, _out, err = cli("import", lineup(tmp_path, "v2.csv", rows, True))
    assert code == 0 and "clashes" not in err
    rows[1][7], rows[1][9], rows[1][10] = "Crucible Theatre", "2013-06-14", "12:00"  # into it
    code, _out, err = cli("import", lineup(tmp_path, "v3.csv", rows, True))
    # S2 (#2) moved into both: its two clashes, not the one it left alone (#3 and #4).
    assert "clashes (2):" in err, err
    assert "#2 (The Defector) and #3 (The Act of Killing) overlap" in err
    assert "#2 (The Defector) and #4 (Mothers) overlap" in err
    assert "#3 and #4" not in err


def test_a_row_read_otherwise_is_not_skipped_as_unchanged(cli: Cli, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][9] = "06/05/2013"  # reads both ways: the option decides
    path = lineup(tmp_path, "v1.csv", rows, True)
    code, _out, err = cli("import", path, "--monthfirst")
    assert code == 0, err
    assert "The Defector 2013-06-05 18:00" in by_start(cli)
    code, out, err = cli("import", path, "--monthfirst")
    assert "0 created, 0 updated, 0 moved, 4 unchanged" in out, err
    # The same bytes, read day first: another date, so the row goes the whole way.
    code, out, err = cli("import", path, "--dayfirst")
    assert "0 created, 0 updated, 1 moved, 3 unchanged" in out, err
    assert "The Defector 2013-05-06 18:00" in by_start(cli)


def test_a_row_given_twice_is_refused_even_when_it_reads_as_before(
    cli: Cli, tmp_path: Path
) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, False))
    twice = [*ROWS, ROWS[0]]
    code, _out, err = cli("import", lineup(tmp_path, "v2.csv", twice, False))
    assert code == 2
    assert "v2.csv:6: column 'Date': '2013-06-14': the same screening as line 2" in plain(
        err, tmp_path
    )


@pytest.mark.parametrize("ids", [True, False], ids=["ids", "no-ids"])
def test_a_row_given_twice_chunks_apart_is_refused_on_a_first_import(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ids: bool
) -> None:
    """The importer reads a file a chunk at a time: a row that repeats one of an earlier
    chunk is refused as the same screening, naming its line, and nothing is written.
    (It matched the screening the earlier chunk made, through the base that chunk had
    kept: "1 unchanged", or "1 updated" with the first row's values lost, and every
    later import of the same file refused.)"""
    from screenings.services.lineup import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    twice = [*ROWS, [*ROWS[0][:11], "a second note"]]
    code, out, err = cli("import", lineup(tmp_path, "twice.csv", twice, ids))
    assert code == 2, out
    column = "'ID': 'S1'" if ids else "'Date': '2013-06-14'"
    assert f"twice.csv:6: column {column}: the same screening as line 2" in plain(err, tmp_path)
    assert all_screenings(cli) == {}


def test_a_film_s_details_come_from_its_first_row_even_when_that_row_is_skipped(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][4] = "75"  # S2 says another runtime than S1: the first row states the film's
    cli("import", lineup(tmp_path, "v1.csv", rows, True))
    rows[1][10] = "13:30"  # S2 moves; S1 is unchanged, and skipped
    _code, out, err = cli("import", lineup(tmp_path, "v2.csv", rows, True))
    assert "1 moved" in out and "films updated" not in out, err
    for _ in range(2):  # nothing flips back and forth
        _code, out, err = cli("import", lineup(tmp_path, "v2.csv", rows, True))
        assert "0 created, 0 updated, 0 moved, 4 unchanged" in out, err
    _code, out, _err = cli("show", "film", "The Defector", "--format", "json")
    assert json.loads(out)["film"]["film"]["runtime_minutes"] == 71


def test_a_sync_of_special_screenings_never_cancels_a_festival_s(cli: Cli, tmp_path: Path) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, False), "--sync")
    header, rows = without("ID", ROWS)
    at = header.index("Festival")
    special = [[*r[:at], "", *r[at + 1 :]] for r in rows[:1]]  # S1's row, with no festival
    for _ in range(2):
        code, out, err = cli(
            "import", str(write_csv(tmp_path / "s.csv", special, header)), "--sync"
        )
        assert code == 0, err
        assert "0 cancelled" in out
    assert {s[2] for s in by_start(cli).values()} == {"scheduled"}


def test_a_screening_listed_again_is_reinstated_by_a_sync(cli: Cli, tmp_path: Path) -> None:
    cli("import", lineup(tmp_path, "v1.csv", ROWS, True))
    cli("cancel", "screening", "#4")
    changed = [list(r) for r in ROWS]
    changed[0][11] = "Q&A with Ann Shin"  # so that this plain import writes
    cli("import", lineup(tmp_path, "v2.csv", changed, True))
    assert by_start(cli)["Mothers 2013-06-13"][2] == "cancelled"  # a plain import: as is
    code, _out, err = cli("import", lineup(tmp_path, "v2.csv", changed, True), "--sync")
    assert code == 0, err
    assert by_start(cli)["Mothers 2013-06-13"][2] == "scheduled"  # listed again: reinstated


def test_many_clashes_are_counted_all_shown_few_and_reported_all(cli: Cli, tmp_path: Path) -> None:
    """An import keeps the first clashes to show, not all (a large first import may have
    100,000): the summary counts every one, shows ten, and the report file has them all."""
    rows = [
        [f"C{n}", f"Film {n}", "2012", "Someone", "90", "Sheffield Doc/Fest 2013", "",
         "Showroom Cinema", "Sheffield", str(dt.date(2013, 6, 1) + dt.timedelta(days=n // 2)),
         "18:00" if n % 2 == 0 else "18:30", ""]
        for n in range(120)
    ]  # fmt: skip
    report = tmp_path / "report.jsonl"
    code, _out, err = cli("import", lineup(tmp_path, "many.csv", rows, True), "--report",
                          str(report))  # fmt: skip
    assert code == 0, err
    assert "clashes (60):" in err and "and 50 more (screenings check)" in err
    said = [json.loads(line) for line in report.read_text().splitlines()]
    assert len([r for r in said if r.get("kind") == "clash"]) == 60
