"""What a newcomer trips on (#22), as they meet it: a small festival built by hand with the
commands the README shows, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import pytest
from icalendar import Calendar

from screenings.cli import run
from screenings.config import Settings
from screenings.web import FeedApp
from tests.test_pages import Page, get
from tests.test_web import start

DOCPOINT = [
    ["add", "festival", "DocPoint", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "edition", "DocPoint", "2026", "--from", "2026-02-03", "--to", "2026-02-08"],
    ["add", "venue", "Bio Rex", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "film", "The Defector: Escape from North Korea", "--year", "2012",
     "--credit", "director=Ann Shin", "--runtime", "71"],
    ["add", "film", "Москва", "--year", "2000"],
    ["add", "film", "The Act of Killing", "--year", "2012"],
    ["add", "screening", "#1", "--edition", "DocPoint 2026", "--venue", "Bio Rex",
     "--on", "2026-02-04", "--at", "20:00"],
    ["add", "screening", "#1", "--edition", "DocPoint 2026", "--venue", "Bio Rex",
     "--on", "2026-02-04"],
    ["add", "screening", "#3", "--edition", "DocPoint 2026", "--venue", "Bio Rex",
     "--on", "2026-02-04", "--at", "10:00"],
    ["add", "screening", "#2", "--edition", "DocPoint 2026", "--venue", "Bio Rex",
     "--on", "2026-02-05", "--at", "18:00"],
]  # fmt: skip


@pytest.fixture
def docpoint(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> str:
    """A catalogue made by hand: DocPoint 2026 at Bio Rex, three films, four screenings
    (#2 with no time, on the day of #1 and #3)."""
    url = new_url(backend)
    for command in DOCPOINT:
        assert run(["--db", url, *command]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return url


def said(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listed(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out, err = said(url, "list", *args, "--format", "json", capsys=capsys)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)["screenings"]
    return rows


# -- 1. screening ids can be seen ---------------------------------------------------------


def test_the_list_table_starts_with_each_screenings_id(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = said(docpoint, "list", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "date", "time"]
    assert [line.split()[0] for line in lines[2:]] == ["#3", "#1", "#2", "#4"]
    # The id shown is the one the commands take.
    assert said(docpoint, "cancel", "screening", lines[2].split()[0], capsys=capsys)[0] == 0
    assert listed(docpoint, "--film", "The Act of Killing", capsys=capsys)[0]["status"] == (
        "cancelled"
    )


def test_show_film_puts_each_screenings_id_beside_it(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = said(docpoint, "show", "film", "#1", capsys=capsys)
    assert code == 0
    run_lines = [line.strip() for line in out.splitlines() if "Wed 04 Feb 2026" in line]
    assert [line.split()[0] for line in run_lines] == ["#1", "#2"]
    assert run_lines[0].startswith(
        "#1  The Defector: Escape from North Korea — Wed 04 Feb 2026, 20:00"
    )


# -- 5. one order for "time TBA" in every door -------------------------------------------


def test_time_tba_comes_last_in_its_day_in_the_list_the_exports_and_the_pages(
    docpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    expected = [3, 1, 2, 4]  # 10:00, 20:00, then the one with no time; then the next day
    assert [row["id"] for row in listed(docpoint, capsys=capsys)] == expected
    code, out, _ = said(docpoint, "list", "--format", "csv", capsys=capsys)
    assert code == 0
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [str(n) for n in expected]
    # Reversed, the other way round throughout: the day's TBA first.
    assert [row["id"] for row in listed(docpoint, "--sort", "-start", capsys=capsys)] == [
        4, 2, 1, 3,
    ]  # fmt: skip
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    status, _, body = get(app, "/editions/docpoint-2026")
    assert status == 200
    rows = Page(body).rows
    assert [row.split(" ")[0] for row in rows] == ["10:00", "20:00", "Time", "18:00"]
    assert rows[2].startswith("Time TBA The Defector")


# -- 2. a name is found by any of its words -----------------------------------------------


@pytest.mark.parametrize("typed", ["defector", "escape north", "def esc"])
def test_show_and_list_find_a_film_by_any_of_its_words(
    docpoint: str, typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(docpoint, "show", "film", typed, capsys=capsys)
    assert code == 0, err
    assert out.startswith("The Defector: Escape from North Korea (2012)  #1\n")
    assert (
        err == f"screenings: film {typed!r} is The Defector: Escape from North Korea (2012, #1)\n"
    )
    assert [row["id"] for row in listed(docpoint, "--film", typed, capsys=capsys)] == [1, 2]


def test_a_non_latin_title_and_a_venue_are_found_by_a_word(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [row["id"] for row in listed(docpoint, "--film", "моск", capsys=capsys)] == [4]
    assert len(listed(docpoint, "--venue", "rex", capsys=capsys)) == 4


def test_add_screening_does_not_take_a_film_its_words_only_begin(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(docpoint, "add", "screening", "The Act", "--venue", "Bio Rex",
                          "--on", "2026-02-06", "--at", "12:00", capsys=capsys)  # fmt: skip
    assert (code, out) == (3, "")
    assert err == (
        "screenings: error: FILM: no film called 'The Act'; did you mean 'The Act of Killing'?\n"
    )
    assert len(listed(docpoint, capsys=capsys)) == 4  # nothing added


# -- 6. check names clashing screenings by their films ------------------------------------


def test_check_names_the_films_of_clashing_screenings(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    added = ["add", "screening", "Москва", "--edition", "DocPoint 2026", "--venue", "Bio Rex",
             "--on", "2026-02-04", "--at", "10:30"]  # fmt: skip
    assert said(docpoint, *added, capsys=capsys)[0] == 0
    code, out, _ = said(docpoint, "check", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "venue overlap: #3 (The Act of Killing) and #5 (Москва) overlap at Bio Rex: "
        "2026-02-04 10:00-11:30 and 2026-02-04 10:30-12:00"
    ]


# -- 7. add film says back everything it stored -------------------------------------------


def test_add_film_says_back_every_value_credit_and_link(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = said(
        docpoint, "add", "film", "The Long Night", "--year", "2024",
        "--original-title", "Den långa natten", "--runtime", "90", "--country", "Sweden",
        "--language", "sv", "--imdb", "tt1234567", "--director", "Maria Lind",
        "--credit", "editor=Ana Ruiz", "--website", "https://longnight.example",
        "--link", "trailer=https://example.org/trailer", capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == (
        "Added film #4: The Long Night (2024) · original title: Den långa natten · 90 min · "
        "Sweden · languages: sv · IMDb tt1234567 · director: Maria Lind · editor: Ana Ruiz · "
        "website: https://longnight.example · trailer: https://example.org/trailer"
    )
    # An edit says back the same whole film.
    code, out, _ = said(docpoint, "edit", "film", "#4", "--runtime", "91", capsys=capsys)
    assert code == 0
    assert "· 91 min ·" in out and "editor: Ana Ruiz" in out and "trailer:" in out


# -- 8. a public screening in an edition puts its film in the selection --------------------


def test_a_public_screening_puts_its_film_in_the_selection_and_a_private_one_does_not(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = new_url(backend)
    for command in [*DOCPOINT[:2], ["add", "film", "Alma", "--year", "2012"]]:
        assert run(["--db", url, *command]) == 0
    on = ["--edition", "DocPoint 2026", "--city", "Helsinki"]
    code, out, _ = said(url, "add", "screening", "Alma", *on, "--on", "2026-02-04", "--private",
                        capsys=capsys)  # fmt: skip
    assert code == 0 and "selection" not in out
    code, out, _ = said(url, "show", "edition", "DocPoint 2026", capsys=capsys)
    assert out.splitlines()[1:3] == ["Selection", "  (none recorded)"]
    code, out, _ = said(url, "add", "screening", "Alma", *on, "--on", "2026-02-05", capsys=capsys)
    assert out.splitlines()[1] == "  added Alma to the selection of DocPoint 2026 (#1)"
    code, out, _ = said(url, "add", "screening", "Alma", *on, "--on", "2026-02-06", capsys=capsys)
    assert len(out.splitlines()) == 1  # already selected: nothing more said
    code, out, _ = said(url, "show", "edition", "DocPoint 2026", capsys=capsys)
    assert out.splitlines()[1:3] == ["Selection", "  Alma (2012) · selected"]
    assert "Programme" not in out
    # Added again, it is refused, saying what put it there and what changes it.
    code, out, err = said(url, "add", "selection", "Alma", "--edition", "DocPoint 2026",
                          "--section", "Panorama", capsys=capsys)  # fmt: skip
    assert (code, out) == (5, "")  # a conflict
    assert err == (
        "screenings: error: selection: Alma is already in DocPoint 2026 (#1) (a public screening "
        "there puts it in); edit selection changes its section, premiere or status\n"
    )


# -- 9. remove screening without --yes says which, and suggests cancel ---------------------


def test_remove_screening_unconfirmed_names_it_and_suggests_cancelling_an_upcoming_one(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(docpoint, "remove", "screening", "1", capsys=capsys)
    assert (code, out) == (2, "")
    assert err == (
        "screenings: error: remove: this would remove screening #1 (The Defector: Escape from "
        "North Korea, Wed 04 Feb 2026 20:00, Bio Rex, Helsinki); pass --yes to do it\n"
    )  # past: no suggestion
    for day, private in (("2099-05-01", []), ("2099-05-02", ["--private"])):
        assert said(docpoint, "add", "screening", "Москва", "--venue", "Bio Rex", "--on", day,
                    *private, capsys=capsys)[0] == 0  # fmt: skip
    code, _, err = said(docpoint, "remove", "screening", "5", capsys=capsys)
    assert code == 2
    assert err == (
        "screenings: error: remove: this would remove screening #5 (Москва, Fri 01 May 2099 "
        "time TBA, Bio Rex, Helsinki); pass --yes to do it; to tell subscribers it is off, "
        "cancel screening 5 instead (it stays in their calendars, marked cancelled)\n"
    )
    code, _, err = said(docpoint, "remove", "screening", "6", capsys=capsys)
    assert code == 2 and "cancel screening" not in err  # private: no subscriber sees it
    assert len(listed(docpoint, "--include-private", capsys=capsys)) == 6  # nothing removed


# -- 10. serve names the schedule page first -----------------------------------------------


def test_serve_names_the_schedule_page_first(docpoint: str) -> None:
    server = start(docpoint, "--workers", "1", "--threads", "1")
    server.process.send_signal(signal.SIGINT)
    _, err = server.process.communicate(timeout=30)
    first = err.splitlines()[0]
    base = f"http://127.0.0.1:{server.port}"
    assert first.startswith("screenings: serving ")
    assert (
        f": the schedule at {base}/, every public screening's feed at {base}/feeds/all.ics ("
        in first
    )


# -- 12. help texts: one style for arguments, commands by use -------------------------------


def _every_command() -> list[list[str]]:
    import typer.main

    from screenings.cli import build_app

    top = typer.main.get_command(build_app())
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            found.append(path)
            return
        for name in children:
            walk(children[name], [*path, name])

    walk(top, [])
    return found


def test_help_lists_commands_by_use_and_names_every_argument_in_capitals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    assert listed[:6] == ["list", "show", "add", "edit", "import", "export"]
    assert listed[-2:] == ["feed", "db"]
    commands = _every_command()
    assert len(commands) > 30
    for path in commands:
        assert run([*path, "--help"]) == 0, path
        out = capsys.readouterr().out
        usage = out.splitlines()[0]
        assert usage.startswith(f"Usage: screenings {' '.join(path)} [OPTIONS]"), usage
        for word in usage.split()[3 + len(path) :]:
            assert word.strip("{}[].") == word.strip("{}[].").upper(), (path, usage)
        if "Arguments:" in out:
            names = [
                line.split()[0]
                for line in out.split("Arguments:")[1].split("Options:")[0].splitlines()
                if line.startswith("  ") and not line.startswith("   ")
            ]
            assert names and all(name == name.upper() for name in names), (path, names)
    # An error names the argument as the help does.
    assert run(["show", "film"]) == 2
    assert capsys.readouterr().err == "screenings: error: Missing argument 'NAME'.\n"


# -- 4. dates outside the edition are warned of; a weekday alone is the edition's ----------


def test_add_edit_and_import_warn_of_a_date_outside_the_edition(
    docpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    code, out, err = said(docpoint, "add", "screening", "Москва", "--edition", "DocPoint 2026",
                          "--venue", "Bio Rex", "--on", "2026-02-10", capsys=capsys)  # fmt: skip
    assert code == 0 and out.startswith("Added screening #5: Москва — Tue 10 Feb 2026")
    assert err == (
        "screenings: warning: #5 (Москва) on 2026-02-10 is outside DocPoint 2026 "
        "(2026-02-03 to 2026-02-08)\n"
    )
    # A weekday alone is the edition's day of that name, and said.
    code, out, err = said(docpoint, "edit", "screening", "#5", "--on", "Sunday", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == "  'Sunday' read as Sunday 08 February 2026, in DocPoint 2026"
    code, out, err = said(docpoint, "edit", "screening", "#5", "--on", "2026-03-01",
                          capsys=capsys)  # fmt: skip
    assert code == 0 and "is outside DocPoint 2026 (2026-02-03 to 2026-02-08)" in err
    lineup = tmp_path / "late.csv"
    lineup.write_text(
        "Title,Festival,Venue,City,Date,Time\n"
        "The Act of Killing,DocPoint 2026,Bio Rex,Helsinki,2026-02-12,18:00\n"
    )
    code, _, err = said(docpoint, "import", str(lineup), capsys=capsys)
    assert code == 0
    assert (
        "(The Act of Killing) on 2026-02-12 is outside DocPoint 2026 (2026-02-03 to 2026-02-08)"
        in err
    )


# -- 15. the festival page counts what it shows, in one query -------------------------------


def _statements(url: str, slug: str) -> tuple[int, Any]:
    from sqlalchemy import event

    from screenings.db import create_db_engine, unit_of_work
    from screenings.services.pages import build_festival_page

    engine = create_db_engine(url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with unit_of_work(engine, write=False) as session:
        seen.clear()
        page = build_festival_page(session, slug)
    engine.dispose()
    return len(seen), page


def test_the_festival_page_counts_screenings_that_are_on_in_one_query(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert said(docpoint, "cancel", "screening", "3", capsys=capsys)[0] == 0
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    _, _, body = get(app, "/festivals/docpoint")
    text = Page(body).text
    assert "3 public screenings, and 1 cancelled or postponed" in text
    one, _ = _statements(docpoint, "docpoint")
    for year in ("2027", "2028"):
        for command in (
            ["add", "edition", "DocPoint", year, "--from", f"{year}-02-03",
             "--to", f"{year}-02-08"],
            ["add", "screening", "#3", "--edition", f"DocPoint {year}", "--venue", "Bio Rex",
             "--on", f"{year}-02-04"],
        ):  # fmt: skip
            assert said(docpoint, *command, capsys=capsys)[0] == 0
    three, page = _statements(docpoint, "docpoint")
    assert len(page.editions) == 3
    assert three == one  # not one count per edition


# -- 3. non-Latin names get slugs; a rename keeps the old address working -------------------


def test_a_non_latin_title_gets_a_transliterated_slug_and_a_rename_redirects_for_good(
    docpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    from sqlalchemy import update

    from screenings import tables
    from screenings.db import create_db_engine

    code, out, _ = said(docpoint, "list", "films", "--format", "json", capsys=capsys)
    slugs = {film["title"]: film["slug"] for film in json.loads(out)["films"]}
    assert slugs["Москва"] == "moskva-2000"
    # A film made before slugs were transliterated, and subscribed to as such.
    engine = create_db_engine(docpoint)
    with engine.begin() as connection:
        connection.execute(
            update(tables.film).where(tables.film.c.id == 2).values(slug="untitled-3")
        )
    engine.dispose()
    feeds = tmp_path / "feeds"
    split = ["export", "ics", "--split-by", "film", "--out-dir", str(feeds)]
    assert said(docpoint, *split, capsys=capsys)[0] == 0
    assert (feeds / "untitled-3.ics").exists()

    code, out, _ = said(docpoint, "edit", "film", "#2", "--title", "Москва слезам не верит",
                        capsys=capsys)  # fmt: skip
    assert code == 0
    new = "moskva-slezam-ne-verit-2000"
    assert (
        f"  film address 'untitled-3' is now {new!r}; the old one leads there" in out.splitlines()
    )
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    for old, moved in (
        ("/films/untitled-3", f"/films/{new}"),
        ("/feeds/films/untitled-3.ics", f"/feeds/films/{new}.ics"),
    ):
        status, headers, _ = get(app, old)
        assert (status, headers["location"]) == (301, moved), old
        assert get(app, moved)[0] == 200
    # The split keeps writing the file its subscribers have; no new one beside it.
    assert said(docpoint, *split, capsys=capsys)[0] == 0
    kept = Calendar.from_ical((feeds / "untitled-3.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in kept.walk("VEVENT")] == ["Москва слезам не верит"]
    assert not (feeds / f"{new}.ics").exists()
    # A year cleared leaves the slug without it (its "-2000" was the year, not a number).
    code, out, _ = said(docpoint, "edit", "film", "#2", "--year", "", capsys=capsys)
    assert code == 0 and f"film address {new!r} is now 'moskva-slezam-ne-verit'" in out


# -- 14. the home page is indexed by letter: every index page stays small ------------------

WORDS = ["night", "river", "north", "house", "silent", "winter", "border", "garden", "letter",
         "escape", "mother", "island", "Москва", "東京", "zero"]  # fmt: skip


def test_every_index_page_stays_under_300_kb_at_10000_films(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import random

    from screenings import tables
    from screenings.db import bulk_insert, create_db_engine, unit_of_work
    from screenings.keys import name_key, slugify

    rng = random.Random(22)
    engine = create_db_engine(docpoint)
    with unit_of_work(engine) as session:
        titles = [
            " ".join(rng.choice(WORDS).title() for _ in range(rng.randrange(2, 5))) + f" {n}"
            for n in range(10_000)
        ]
        films = [
            {"title": t, "title_key": name_key(t), "slug": f"{slugify(t)}-{1990 + n % 30}",
             "year": 1990 + n % 30, "countries": [], "languages": []}
            for n, t in enumerate(titles)
        ]  # fmt: skip
        bulk_insert(session, tables.film, films)
        selected = tables.selection.select().with_only_columns(tables.selection.c.film_id)
        unselected = tables.film.select().with_only_columns(tables.film.c.id)
        ids = list(session.scalars(unselected.where(tables.film.c.id.not_in(selected))))
        selections = [{"film_id": i, "edition_id": 1, "status": "selected"} for i in ids]
        bulk_insert(session, tables.selection, selections)
    engine.dispose()
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    status, _, home = get(app, "/")
    assert status == 200 and len(home) < 300_000
    links = [href for href, _ in Page(home).links if href.startswith("/a-z/films/")]
    assert links[0] == "/a-z/films/0-9" or links[0] == "/a-z/films/b"
    waiting, films_seen, largest = list(links), set(), 0
    seen_pages = set()
    while waiting:
        path = waiting.pop()
        if path in seen_pages:
            continue
        seen_pages.add(path)
        status, _, body = get(app, path)
        assert status == 200, path
        largest = max(largest, len(body))
        for href, _ in Page(body).links:
            if href.startswith("/films/"):
                films_seen.add(href)
            elif href.startswith("/a-z/films/"):
                waiting.append(href)
    assert largest < 300_000
    # Every public film is on one of them: the 10,000 and the three of DocPoint.
    assert len(films_seen) == 10_003
    assert any(p.endswith("/2") for p in seen_pages)  # a letter of more than one page
    assert get(app, "/a-z/films/q")[0] == 404  # no film under Q


# -- 13. the top-level help is printed without Typer ---------------------------------------


def _help_of(entry: str, columns: str) -> str:
    """``screenings --help`` as a process prints it, through ``entry``."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"from {entry} import main; main()", "--help"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "COLUMNS": columns},
    )  # fmt: skip
    return done.stdout


def test_the_top_level_help_is_printed_without_typer_as_typer_prints_it() -> None:
    """``screenings.launch`` answers ``--help`` from ``cli/help.txt`` (Typer's import
    alone takes more than 100 ms here): the file is what Typer prints, for a terminal of
    80 columns or more (SCREENINGS_UPDATE_GOLDEN=1 writes it anew), and a narrower one
    gets Typer's own wrapping."""
    from pathlib import Path

    from tests.golden import matches

    typer_says = _help_of("screenings.cli", "80")
    matches(Path(__file__).parents[1] / "src/screenings/cli/help.txt", typer_says.encode())
    assert _help_of("screenings.launch", "80") == typer_says
    assert _help_of("screenings.launch", "200") == _help_of("screenings.cli", "200")
    assert _help_of("screenings.launch", "60") == _help_of("screenings.cli", "60")
    assert _help_of("screenings.launch", "60") != typer_says  # wrapped for 60 columns
