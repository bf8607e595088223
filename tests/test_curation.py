"""Curation from the command line: add, edit, cancel, postpone. SQLite and PostgreSQL.

What each command says and its exit code, and one happy path per command; what the
services do with the values (bumps, uids, zones, merges) is ``tests/services/``'s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from screenings.cli import run

Cli = Callable[..., tuple[int, str, str]]


# The catalogue every test here starts from (conftest.copied_catalogue).
START = [
    ["add", "festival", "Sheffield Doc/Fest", "--city", "Sheffield", "--timezone",
     "Europe/London"],
    ["add", "edition", "Sheffield Doc/Fest", "2013", "--from", "2013-06-12", "--to",
     "2013-06-16"],
    ["add", "venue", "Showroom Cinema", "--city", "Sheffield", "--timezone", "Europe/London"],
    ["add", "film", "The Defector", "--year", "2012", "--runtime", "71", "--director",
     "Ann Shin"],
]  # fmt: skip


@pytest.fixture
def cli(backend: str, copied_catalogue: Callable[[str, str, list[list[str]]], str],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:  # fmt: skip
    """Run screenings on a new database of the backend holding START: (exit code, stdout,
    stderr)."""
    monkeypatch.delenv("SCREENINGS_TIMEZONE", raising=False)
    url = copied_catalogue(backend, "curation", START)
    capsys.readouterr()

    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def screenings(cli: Cli) -> list[dict[str, Any]]:
    code, out, err = cli("list", "--include-private", "--format", "json")
    assert code == 0, err
    return json.loads(out)["screenings"]  # type: ignore[no-any-return]


def test_add_screening_at_a_venue_takes_its_zone(cli: Cli) -> None:
    code, out, err = cli(
        "add",
        "screening",
        "The Defector",
        "--edition",
        "Sheffield Doc/Fest 2013",
        "--venue",
        "Showroom",
        "--on",
        "14 June",
        "--at",
        "18:00",
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Added screening #1: The Defector — Fri 14 Jun 2013, 18:00 (Europe/London) · "
        "Showroom Cinema, Sheffield · Sheffield Doc/Fest 2013 · regular",
        "  '14 June' read as 14 June 2013, the year of the edition",
        "  venue 'Showroom' is Showroom Cinema (Sheffield, #1)",
        "  added The Defector to the selection of Sheffield Doc/Fest 2013 (#1)",
    ]
    (row,) = screenings(cli)
    assert (row["starts_at_utc"], row["sequence"]) == ("2013-06-14T17:00:00Z", 0)


def test_a_new_venue_is_created_and_said(cli: Cli) -> None:
    code, out, _ = cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Curzon",
        "--city",
        "London",
        "--timezone",
        "Europe/London",
        "--on",
        "2013-06-10",
    )
    assert code == 0
    assert "  created venue #2: Curzon, London" in out.splitlines()


def test_cancel_keeps_the_screening_and_bumps_it(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    uid = screenings(cli)[0]["uid"]
    code, out, _ = cli("cancel", "screening", "#1", "--reason", "no print")
    assert code == 0
    assert out.startswith("Cancelled screening #1: ")
    (row,) = screenings(cli)
    assert (row["uid"], row["status"], row["sequence"], row["notes"]) == (
        uid,
        "cancelled",
        1,
        "no print",
    )
    assert cli("cancel", "screening", "1") == (
        5,
        "",
        "screenings: error: screening #1 is already cancelled\n",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["add", "film", "The Defector", "--year", "2012"],
            5,
            "film: The Defector (2012, #1) already exists",
        ),
        (
            ["add", "film", "X", "--runtime", "-5"],
            2,
            "--runtime: expected a positive number of minutes, got -5",
        ),
        (
            ["add", "film", "X", "--website", "thedefectormovie"],
            2,
            "--website: 'thedefectormovie' is not a web address; expected https://...",
        ),
        (
            ["add", "film", "X", "--imdb", "2407504"],
            2,
            "--imdb: '2407504' is not an IMDb id; expected e.g. tt2407504",
        ),
        (
            ["add", "festival", "IDFA", "--timezone", "Europe/Amsterdm"],
            2,
            "--timezone: unknown time zone 'Europe/Amsterdm'; expected an IANA name such as "
            "'Europe/London'",
        ),
        (
            ["add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-02-30"],
            2,
            "--on: '2013-02-30' is not a date (year 2013, month 2, day 30)",
        ),
        (
            [
                "add",
                "screening",
                "The Defector",
                "--venue",
                "Showroom",
                "--on",
                "2013-06-14",
                "--timezone",
                "Europe/Paris",
            ],
            2,
            "--timezone: Europe/Paris contradicts the zone of Showroom Cinema, Europe/London",
        ),
        (
            ["add", "screening", "The Defector", "--city", "London", "--on", "2013-06-11"],
            2,
            "--timezone: no time zone is known for this screening; give --timezone, a venue or "
            "festival that has one, or set SCREENINGS_TIMEZONE",
        ),
        (
            [
                "add",
                "screening",
                "The Defector",
                "--venue",
                "Showroom",
                "--on",
                "2013-03-31",
                "--at",
                "01:30",
            ],
            2,
            "--at: 2013-03-31 01:30 does not exist in Europe/London: the clocks go forward from "
            "+00:00 to +01:00 then; did you mean 00:30 (+00:00) or 02:30 (+01:00)?",
        ),
        (
            ["add", "screening", "The Defector", "--venue", "Showroom", "--at", "18:00"],
            2,
            "--at: '18:00' is a time alone; give the date with --on",
        ),
        (
            [
                "add",
                "screening",
                "The Defector",
                "--venue",
                "Showroom",
                "--on",
                "2013-06-14",
                "--ticket-url",
                "tickets please",
            ],
            2,
            "--ticket-url: 'tickets please' is not a web address; expected https://...",
        ),
        (
            ["add", "nomination", "--award", "X", "--year", "2013"],
            2,
            "nomination: give --film (or --programme), --person, or both",
        ),
        (
            ["add", "edition", "Sheffield Doc/Fest", "2013"],
            5,
            "edition: Sheffield Doc/Fest 2013 (#1) already exists",
        ),
        (
            ["add", "film", "X", "--colour", "red"],
            2,
            "No such option: --colour (Possible options: --country)",
        ),
        (["edit", "screening", "#7"], 3, "screening: no screening has id #7"),
        (["postpone", "film", "1"], 2, "postpone: only a screening can be postponed, not 'film'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli: Cli, args: list[str], code: int, message: str
) -> None:
    before = cli("db", "stats")[1]
    assert cli(*args) == (code, "", f"screenings: error: {message}\n")
    assert cli("db", "stats")[1] == before


def test_a_merge_of_two_people_keeps_every_credit(cli: Cli) -> None:
    cli(
        "add",
        "film",
        "Alma, a Tale of Violence",
        "--director",
        "Miquel Dewever-Plana",
        "--director",
        "Isabelle Fougère",
    )
    cli("add", "film", "Another Film", "--director", "I. Fougère", "--producer", "Isabelle Fougère")
    cli("add", "film", "Third Film", "--director", "I. Fougère")
    cli("add", "film", "Fourth Film", "--director", "Isabelle Fougère", "--director", "I. Fougère")
    # One name, whatever its accents: the same person, nothing to merge.
    assert cli("merge", "person", "Isabelle Fougère", "isabelle fougere") == (
        2,
        "",
        "screenings: error: merge: 'Isabelle Fougère' and 'isabelle fougere' are the "
        "same person (#3)\n",
    )
    code, out, _ = cli("merge", "person", "Isabelle Fougère", "I. Fougère")
    assert code == 0
    assert out.splitlines() == [
        "Merged into person Isabelle Fougère (#3)",
        "  moved 2 credit(s) and 0 nomination(s) and removed I. Fougère (#4); its name now "
        "finds the one kept",
    ]
    code, out, _ = cli("show", "person", "Isabelle Fougère", "--format", "json")
    roles = [(c["film"]["title"], c["role"]) for c in json.loads(out)["person"]["credits"]]
    assert sorted(roles) == [
        ("Alma, a Tale of Violence", "director"),
        ("Another Film", "director"),
        ("Another Film", "producer"),
        ("Fourth Film", "director"),  # credited twice before: kept once
        ("Third Film", "director"),
    ]
    # The duplicate's name now finds the person kept, and says so.
    code, out, err = cli("show", "person", "I. Fougère")
    assert code == 0
    assert "person 'I. Fougère' is another name of Isabelle Fougère (#3)" in out + err
    assert "  also called: I. Fougère" in out


def test_check_finds_overlaps_films_twice_and_dates_outside(cli: Cli) -> None:
    cli("add", "venue", "Crucible", "--city", "Sheffield", "--timezone", "Europe/London")
    cli("add", "film", "Alma", "--runtime", "90")
    for film, venue, day, at in (
        ("The Defector", "Showroom", "2013-06-14", "18:00"),
        ("Alma", "Showroom", "2013-06-14", "19:00"),  # The Defector runs 71 min: overlap
        ("The Defector", "Crucible", "2013-06-14", "18:30"),  # the same film at once
        ("Alma", "Crucible", "2013-06-20", "18:00"),  # after the edition
    ):
        assert cli("add", "screening", film, "--edition", "Sheffield Doc/Fest 2013", "--venue",
                   venue, "--on", day, "--at", at)[0] == 0  # fmt: skip
    code, out, _ = cli("check", "--edition", "Sheffield Doc/Fest 2013")
    assert code == 1
    assert out.splitlines() == [
        "venue overlap: #1 (The Defector) and #2 (Alma) overlap at Showroom Cinema: "
        "2013-06-14 18:00-19:11 and 2013-06-14 19:00-20:30",
        "film twice at once: #1 and #3 show The Defector at once: 2013-06-14 18:00-19:11 and "
        "2013-06-14 18:30-19:41",
        "outside edition: #4 (Alma) on 2013-06-20 is outside Sheffield Doc/Fest 2013 "
        "(2013-06-12 to 2013-06-16)",
    ]
    assert cli("cancel", "screening", "2")[0] == 0
    assert cli("check", "--venue", "Showroom") == (
        0,
        "no clashes\n",
        "screenings: venue 'Showroom' is Showroom Cinema (Sheffield, #1)\n",
    )


def test_check_reads_names_in_batches_and_says_the_same(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names and clocks of clashing screenings are read a batch of clashes at a time
    (an import of a million rows can have a hundred thousand clashes): a clash in any
    batch reads as it would alone."""
    from screenings.services import check

    cli("add", "venue", "Crucible", "--city", "Sheffield", "--timezone", "Europe/London")
    cli("add", "film", "Alma", "--runtime", "90")
    for venue in ("Showroom", "Crucible"):
        for at in ("18:00", "18:30", "19:00"):
            assert cli("add", "screening", "Alma", "--venue", venue, "--on", "2013-06-14",
                       "--at", at)[0] == 0  # fmt: skip
    code, whole, _ = cli("check")
    assert code == 1 and len(whole.splitlines()) > 3
    monkeypatch.setattr(check, "BATCH", 1)
    assert cli("check") == (1, whole, "")


def test_check_shows_ends_on_the_zones_clocks(cli: Cli) -> None:
    # London, 27 October 2013: clocks go back at 02:00 BST. A 90-minute screening from
    # 00:30 ends at 01:00 GMT, not at "02:00"; one from 23:30 the night before ends the
    # next day.
    cli("add", "film", "Alma", "--runtime", "90")
    for day, at in (("2013-10-27", "00:30"), ("2013-10-27", "00:45")):
        assert cli("add", "screening", "Alma", "--venue", "Showroom", "--on", day,
                   "--at", at)[0] == 0  # fmt: skip
    code, out, _ = cli("check")
    assert code == 1
    assert "2013-10-27 00:30-01:00 and 2013-10-27 00:45-01:15" in out
    cli("add", "screening", "Alma", "--venue", "Showroom", "--on", "2013-06-14", "--at", "23:30")
    cli("add", "screening", "Alma", "--venue", "Showroom", "--on", "2013-06-15", "--at", "00:30")
    assert "2013-06-14 23:30-01:00 on 2013-06-15" in cli("check")[1]


def test_remove_is_refused_while_others_depend_on_it(cli: Cli) -> None:
    cli("add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-06-14")
    assert cli("remove", "venue", "Showroom") == (
        5,
        "",
        "screenings: error: remove: 1 screening(s) depend on Showroom Cinema (Sheffield, #1); "
        "remove or merge them first, or pass --cascade\n",
    )
    assert cli("remove", "venue", "Showroom", "--cascade") == (
        2,
        "",
        "screenings: error: remove: this would remove Showroom Cinema (Sheffield, #1) and "
        "1 screening(s); pass --yes to do it\n",
    )
    assert screenings(cli) != []
    code, out, _ = cli("remove", "venue", "Showroom", "--cascade", "--yes")
    assert (code, out) == (0, "Removed Showroom Cinema (Sheffield, #1)\n  with 1 screening(s)\n")
    assert screenings(cli) == []


def test_remove_names_all_that_a_cascade_takes_with_it(cli: Cli) -> None:
    """A festival's cascade takes its editions and, with them, their screenings and
    selections: the answer counts them all, before and after."""
    for step in (
        ("add", "selection", "The Defector", "--edition", "Sheffield Doc/Fest 2013"),
        ("add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-06-14",
         "--edition", "Sheffield Doc/Fest 2013"),
        ("add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-06-15",
         "--edition", "Sheffield Doc/Fest 2013"),
    ):  # fmt: skip
        code, _, err = cli(*step)
        assert code == 0, err
    assert cli("remove", "festival", "Sheffield Doc/Fest", "--cascade") == (
        2,
        "",
        "screenings: error: remove: this would remove Sheffield Doc/Fest (#1) and "
        "1 edition(s), 1 selection(s), 2 screening(s); pass --yes to do it\n",
    )
    code, out, _ = cli("remove", "festival", "Sheffield Doc/Fest", "--cascade", "--yes")
    assert (code, out) == (
        0,
        "Removed Sheffield Doc/Fest (#1)\n  with 1 edition(s), 1 selection(s), 2 screening(s)\n",
    )
    assert screenings(cli) == []


def test_retime_reports_nothing_when_the_zone_rules_have_not_changed(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    assert cli("db", "retime") == (0, "0 screening(s) moved\n", "")


@pytest.mark.parametrize("kind", ["film", "person", "festival", "edition", "venue", "screening"])
def test_show_every_kind(cli: Cli, kind: str) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--edition",
        "Sheffield Doc/Fest 2013",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    name = {"film": "The Defector", "person": "Ann Shin", "festival": "Sheffield Doc/Fest",
            "edition": "Sheffield Doc/Fest 2013", "venue": "Showroom Cinema",
            "screening": "#1"}[kind]  # fmt: skip
    code, out, err = cli("show", kind, name)
    assert (code, err) == (0, "")
    assert "The Defector" in out or kind == "festival"
    code, out, _ = cli("show", kind, name, "--format", "json")
    document = json.loads(out)
    assert set(document) == {"version", kind}


def test_edits_of_an_edition_festival_or_selection_reach_its_screenings(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--edition",
        "Sheffield Doc/Fest 2013",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    # The screening put the film in the edition's selection.
    assert cli("edit", "edition", "Sheffield Doc/Fest 2013", "--to", "17 June")[0] == 0
    assert (
        cli("edit", "festival", "Sheffield Doc/Fest", "--website", "https://sheffdocfest.com")[0]
        == 0
    )
    code, out, _ = cli(
        "edit",
        "selection",
        "The Defector",
        "--edition",
        "Sheffield Doc/Fest 2013",
        "--section",
        "Innovation",
    )
    assert code == 0
    assert "section: Innovation" in out
    # edit edition, edit festival, edit selection: three changes it shows
    assert [r["sequence"] for r in screenings(cli)] == [3]
    assert [r["section"] for r in screenings(cli)] == ["Innovation"]


def test_a_nomination_result_can_change(cli: Cli) -> None:
    cli("add", "award", "Innovation Award", "--festival", "Sheffield Doc/Fest")
    cli(
        "add",
        "nomination",
        "--award",
        "Innovation Award",
        "--year",
        "2013",
        "--film",
        "The Defector",
    )
    code, out, _ = cli("edit", "nomination", "#1", "--result", "special mention")
    assert (code, out) == (
        0,
        "Updated nomination #1: Innovation Award 2013 · The Defector (2012) · special_mention\n",
    )
    assert cli("edit", "nomination", "1", "--result", "lost") == (
        2,
        "",
        "screenings: error: --result: expected one of nominated, won, special_mention, "
        "got 'lost'\n",
    )


def test_merging_venues_moves_their_screenings_into_the_kept_zone(cli: Cli) -> None:
    cli("add", "venue", "Showroom", "--city", "Sheffield ", "--timezone", "Europe/London")
    cli("add", "screening", "The Defector", "--venue", "#2", "--on", "2013-06-14", "--at", "18:00")
    code, out, _ = cli("merge", "venue", "#1", "#2")
    assert code == 0
    assert out.splitlines()[-1] == (
        "  moved 1 screening(s) and removed Showroom (Sheffield, #2); its name now finds the "
        "one kept"
    )
    (row,) = screenings(cli)
    assert (row["venue"]["name"], row["sequence"]) == ("Showroom Cinema", 1)


def test_merging_festivals_refuses_two_editions_of_one_year(cli: Cli) -> None:
    cli("add", "festival", "Sheffield International Documentary Festival")
    cli("add", "edition", "Sheffield International Documentary Festival", "2012")
    code, out, _ = cli(
        "merge", "festival", "Sheffield Doc/Fest", "Sheffield International Documentary Festival"
    )
    assert code == 0
    assert out.splitlines()[-1] == (
        "  moved 1 edition(s), 0 award(s) and 0 programme(s) and removed Sheffield "
        "International Documentary Festival (#2); its name now finds the one kept"
    )
    cli("add", "festival", "SIDF")
    cli("add", "edition", "SIDF", "2013")
    assert cli("merge", "festival", "Sheffield Doc/Fest", "SIDF") == (
        5,
        "",
        "screenings: error: merge: both have an edition 2013; merge their screenings by "
        "hand first\n",
    )


def test_postpone_and_a_new_date(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    code, out, _ = cli("postpone", "screening", "1", "--reason", "projector")
    assert (code, out.split(" — ")[0]) == (0, "Postponed screening #1: The Defector")
    assert cli("edit", "screening", "1", "--on", "2013-06-16", "--status", "scheduled")[0] == 0
    (row,) = screenings(cli)
    assert (row["local_date"], row["local_time"], row["status"], row["sequence"]) == (
        "2013-06-16",
        "18:00:00",
        "scheduled",
        2,
    )


def test_add_and_edit_people_and_awards(cli: Cli) -> None:
    assert cli("add", "person", "Nick Fraser") == (0, "Added person #2: Nick Fraser\n", "")
    assert cli("add", "person", "nick  fraser") == (
        5,
        "",
        "screenings: error: person: Nick Fraser (#2) already exists\n",
    )
    cli("add", "award", "Inspiration Award", "--festival", "Sheffield Doc/Fest")
    assert cli("edit", "award", "Inspiration", "--presenter", "Sheffield Doc/Fest") == (
        0,
        "Updated award #1: Inspiration Award · Sheffield Doc/Fest\n"
        "  award 'Inspiration' is Inspiration Award (Sheffield Doc/Fest, #1)\n",
        "",
    )
    assert cli("add", "award", "Inspiration Award", "--festival", "Sheffield Doc/Fest") == (
        5,
        "",
        "screenings: error: award: Inspiration Award (Sheffield Doc/Fest, #1) already exists\n",
    )


def test_numeric_dates_follow_the_date_order(cli: Cli) -> None:
    assert (
        cli("add", "screening", "The Defector", "--venue", "Showroom", "--on", "11/06/2013")[0] == 2
    )
    assert (
        cli(
            "--dayfirst",
            "add",
            "screening",
            "The Defector",
            "--venue",
            "Showroom",
            "--on",
            "11/06/2013",
        )[0]
        == 0
    )
    assert [r["local_date"] for r in screenings(cli)] == ["2013-06-11"]


def test_remove_names_what_depends_on_a_film_or_a_person(cli: Cli) -> None:
    cli("add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-06-14")
    assert cli("remove", "film", "The Defector")[2] == (
        "screenings: error: remove: 1 screening(s) depend on The Defector (2012, #1); remove "
        "or merge them first, or pass --cascade\n"
    )
    assert cli("remove", "person", "Ann Shin")[2] == (
        "screenings: error: remove: 1 credit(s) depend on Ann Shin (#1); remove or merge them "
        "first, or pass --cascade\n"
    )
    assert cli("remove", "screening", "#1", "--yes") == (0, "Removed screening #1\n", "")


def test_retime_puts_instants_back_on_their_wall_times(cli: Cli, backend: str) -> None:
    # As if the zone database had moved Europe/London by an hour since the instant was derived.
    from sqlalchemy import text as sql

    from screenings.db import create_db_engine

    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    url = cli("db", "current")[1].splitlines()[0].removeprefix("database: ")
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sql("UPDATE screening SET starts_at_utc = :wrong"),
            {
                "wrong": "2013-06-14 16:00:00+00:00"
                if backend == "postgresql"
                else "2013-06-14 16:00:00.000000"
            },
        )
    engine.dispose()
    code, out, _ = cli("db", "retime")
    assert code == 0
    assert out.splitlines() == [
        "#1 2013-06-14 18:00 Europe/London: 2013-06-14 16:00:00+00:00 -> 2013-06-14 17:00:00+00:00",
        "1 screening(s) moved",
    ]
    (row,) = screenings(cli)
    assert (row["starts_at_utc"], row["sequence"]) == ("2013-06-14T17:00:00Z", 1)


def test_an_edit_that_changes_nothing_bumps_nothing(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    assert cli("edit", "film", "The Defector", "--runtime", "71")[0] == 0
    assert cli("edit", "venue", "Showroom", "--timezone", "Europe/London")[0] == 0
    code, out, _ = cli("edit", "screening", "1", "--at", "18:00")
    assert (code, out) == (
        0,
        "nothing changed: screening #1 already is The Defector — Fri 14 Jun 2013, 18:00 "
        "(Europe/London) · Showroom Cinema, Sheffield · regular\n",
    )
    assert [r["sequence"] for r in screenings(cli)] == [0]


def test_calendar_bumps_after_the_trial(cli: Cli) -> None:
    """Each change a calendar shows bumps each affected screening exactly once."""
    cli(
        "add",
        "screening",
        "The Defector",
        "--edition",
        "Sheffield Doc/Fest 2013",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    cli("add", "person", "A. Shin")
    cli("edit", "film", "The Defector", "--credit", "writer=A. Shin", "--credit", "editor=A. Shin")
    assert [r["sequence"] for r in screenings(cli)] == [1]
    assert cli("merge", "person", "Ann Shin", "A. Shin")[0] == 0
    assert [r["sequence"] for r in screenings(cli)] == [2]  # two credits, one bump
    cli("add", "festival", "Sheffield International Documentary Festival")
    assert (
        cli(
            "merge",
            "festival",
            "Sheffield International Documentary Festival",
            "Sheffield Doc/Fest",
        )[0]
        == 0
    )
    (row,) = screenings(cli)
    assert (row["edition"]["festival"], row["sequence"]) == (
        "Sheffield International Documentary Festival",
        3,
    )


def test_the_same_title_without_a_year_is_refused(cli: Cli) -> None:
    assert cli("add", "film", "the defector") == (
        5,
        "",
        "screenings: error: film: The Defector (2012, #1) has the same title; give both "
        "years to tell two films apart, or edit that one\n",
    )
    assert cli("add", "film", "The Defector", "--year", "1966")[0] == 0


def test_edit_screening_dates_and_cities(cli: Cli) -> None:
    cli(
        "add",
        "screening",
        "The Defector",
        "--venue",
        "Showroom",
        "--on",
        "2013-06-14",
        "--at",
        "18:00",
    )
    assert cli("edit", "screening", "1", "--at", "15 June 2013 20:00")[0] == 0
    (row,) = screenings(cli)
    assert (row["local_date"], row["local_time"]) == ("2013-06-15", "20:00:00")
    assert cli("edit", "screening", "1", "--city", "Leeds") == (
        2,
        "",
        "screenings: error: --city: screening #1 is at Showroom Cinema, whose city it "
        "takes; give --venue to move it\n",
    )


def test_remove_a_nomination_and_keep_a_films_nomination_without_the_person(cli: Cli) -> None:
    cli("add", "award", "Innovation Award", "--festival", "Sheffield Doc/Fest")
    cli(
        "add",
        "nomination",
        "--award",
        "Innovation Award",
        "--year",
        "2013",
        "--film",
        "The Defector",
        "--person",
        "Ann Shin",
    )
    cli(
        "add",
        "nomination",
        "--award",
        "Innovation Award",
        "--year",
        "2013",
        "--person",
        "Nick Fraser",
    )
    assert cli("remove", "nomination", "#2", "--yes") == (0, "Removed nomination #2\n", "")
    assert cli("remove", "person", "Ann Shin", "--cascade", "--yes")[0] == 0
    code, out, _ = cli("list", "nominations", "--format", "json")
    assert code == 0
    (left,) = json.loads(out)["nominations"]
    assert (left["film"]["title"], left["person"], left["edition"]["year"]) == (
        "The Defector",
        None,
        2013,
    )


def test_an_overlong_title_is_refused_on_both_backends(cli: Cli) -> None:
    code, _, err = cli("add", "film", "x" * 501)
    assert (code, err) == (2, "screenings: error: TITLE: 501 characters; at most 500\n")


def test_zone_names_are_read_whatever_their_case(cli: Cli) -> None:
    code, out, _ = cli(
        "add", "venue", "Tuschinski", "--city", "Amsterdam", "--timezone", "europe/amsterdam"
    )
    assert (code, out) == (0, "Added venue #2: Tuschinski · Amsterdam · Europe/Amsterdam\n")
    assert cli("add", "venue", "Lux", "--lat", "52.1")[2] == (
        "screenings: error: --lat: give --lat and --lon together\n"
    )
    cli("add", "film", "Alma", "--country", "", "--country", "Mexico")
    code, out, _ = cli("list", "films", "--format", "json")
    assert [f["countries"] for f in json.loads(out)["films"]] == [["Mexico"], []]


def test_edit_takes_the_options_of_add(cli: Cli) -> None:
    cli("add", "screening", "The Defector", "--venue", "Showroom", "--on", "2013-06-14")
    assert cli("edit", "screening", "1", "--edition", "Sheffield Doc/Fest 2013")[0] == 0
    assert screenings(cli)[0]["edition"]["festival"] == "Sheffield Doc/Fest"
    assert cli("edit", "screening", "1", "--edition", "")[0] == 0
    assert screenings(cli)[0]["edition"] is None
    cli("add", "festival", "Doc/Fest")
    cli("add", "edition", "Doc/Fest", "2014")
    assert cli("edit", "edition", "Doc/Fest 2014", "--festival", "Sheffield Doc/Fest")[0] == 0
    cli("add", "award", "Innovation Award")
    assert cli("edit", "award", "Innovation Award", "--festival", "Sheffield Doc/Fest")[1] == (
        "Updated award #1: Innovation Award · Sheffield Doc/Fest\n"
    )
    cli(
        "add",
        "nomination",
        "--award",
        "Innovation Award",
        "--year",
        "2013",
        "--film",
        "The Defector",
    )
    code, out, _ = cli(
        "edit", "nomination", "1", "--person", "Ann Shin", "--film", "", "--year", "2014"
    )
    assert (code, out) == (
        0,
        "Updated nomination #1: Innovation Award 2014 · Ann Shin · nominated\n",
    )
    assert cli("edit", "nomination", "1", "--person", "")[2] == (
        "screenings: error: nomination: a nomination needs a film, a person, or both\n"
    )


def test_edit_screening_takes_an_offset_and_refuses_a_taken_slot(cli: Cli) -> None:
    for day in ("2013-10-26", "2013-10-27"):
        cli("add", "screening", "The Defector", "--venue", "Showroom", "--on", day, "--at", "18:00")
    assert cli("edit", "screening", "1", "--at", "2013-10-27 01:30+01:00")[0] == 0
    assert screenings(cli)[0]["starts_at_utc"] == "2013-10-27T00:30:00Z"
    assert cli("edit", "screening", "1", "--at", "2013-10-27 01:30+00:00")[2] == (
        "screenings: error: --at: 2013-10-27 01:30 is the second of two in Europe/London; only "
        "the first can be stored yet\n"
    )
    assert cli("edit", "screening", "1", "--at", "2013-10-27 18:00") == (
        5,
        "",
        "screenings: error: screening: The Defector already has a screening there on "
        "2013-10-27 at 18:00\n",
    )
