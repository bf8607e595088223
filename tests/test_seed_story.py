"""The seed story (../shared/seed/FACTS.md), entered with the curation commands, then read
back with show and list. No time or venue is invented. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator

import pytest

from screenings.cli import run

STORY = """
add film "The Defector: Escape from North Korea" --year 2012 --runtime 71 --country Canada
    --language English --language Korean --imdb tt2407504 --director "Ann Shin"
    --producer "Ann Shin" --credit "writer=Ann Shin" --credit "supervising editor=Manfred Becker"
    --credit "writer=Manfred Becker" --credit "cinematographer=Stephen Chung"
    --website https://thedefectormovie.com
add festival IDFA --city Amsterdam --country NL --timezone Europe/Amsterdam
add edition IDFA 2012 --from 2012-11-14 --to 2012-11-25
add selection "The Defector" --festival IDFA --year 2012
    --section "Reflecting Images – Panorama" --premiere "festival premiere"
add festival "Hot Docs" --city Toronto --country CA --timezone America/Toronto
add edition "Hot Docs" 2013 --from 2013-04-25 --to 2013-05-05
add selection "The Defector" --festival "Hot Docs" --year 2013 --premiere "Canadian premiere"
add screening "The Defector: Escape from North Korea" --festival "Hot Docs" --year 2013
    --on "27 April" --city Toronto
add festival "Independent Film Festival Boston" --city Boston --country US
    --timezone America/New_York
add edition "Independent Film Festival Boston" 2013
add selection "The Defector" --edition "Independent Film Festival Boston 2013"
    --premiere "East Coast premiere"
add screening "The Defector: Escape from North Korea" --on "11 June 2013" --city London
    --timezone Europe/London --kind special --audience "Members of Parliament" --private
    --note "reported"
add festival "Sheffield Doc/Fest" --city Sheffield --country GB --timezone Europe/London
add edition "Sheffield Doc/Fest" 2013 --from "12 June" --to "16 June"
add selection "The Defector" --festival "Sheffield Doc/Fest" --year 2013
add award "Innovation Award" --festival "Sheffield Doc/Fest"
add nomination --award "Innovation Award" --festival "Sheffield Doc/Fest" --year 2013
    --film "The Defector"
add film "Alma, a Tale of Violence" --director "Miquel Dewever-Plana"
    --director "Isabelle Fougère"
add nomination --award "Innovation Award" --festival "Sheffield Doc/Fest" --year 2013
    --film "Alma" --result won
add award "Inspiration Award" --festival "Sheffield Doc/Fest"
add nomination --award "Inspiration Award" --year 2013 --person "Nick Fraser" --result won
add award "Canadian Screen Awards" --presenter "Academy of Canadian Cinema & Television"
add nomination --award "Canadian Screen Awards" --year 2014 --category "Diversity Award"
    --film "The Defector" --result won
add nomination --award "Canadian Screen Awards" --year 2014
    --category "Best Documentary Program" --film "The Defector" --result won
add nomination --award "Canadian Screen Awards" --year 2014
    --category "Best Direction in a Documentary Program" --film "The Defector" --result won
"""


def commands() -> list[list[str]]:
    joined = STORY.replace("\n    ", " ").strip().splitlines()
    return [shlex.split(line) for line in joined]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def story(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("story") / "story.sqlite3")
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    for command in commands():
        assert run(["--db", url, *command]) == 0, command
    yield url


def test_the_story_is_said_back_as_it_is_stored(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("echo") / "echo.sqlite3")
    outputs = []
    for command in commands():
        assert run(["--db", url, *command]) == 0
        outputs.append(capsys.readouterr().out.splitlines()[0])
    assert outputs[0] == (
        "Added film #1: The Defector: Escape from North Korea (2012) · 71 min · Canada · "
        "languages: English, Korean · IMDb tt2407504 · director: Ann Shin · producer: Ann Shin · "
        "writer: Ann Shin, Manfred Becker · supervising editor: Manfred Becker · "
        "cinematographer: Stephen Chung · website: https://thedefectormovie.com"
    )
    assert outputs[7] == (
        "Added screening #1: The Defector: Escape from North Korea — Sat 27 Apr 2013, time TBA "
        "(America/Toronto) · Toronto · Hot Docs 2013 · regular"
    )
    assert outputs[11] == (
        "Added screening #2: The Defector: Escape from North Korea — Tue 11 Jun 2013, time TBA "
        "(Europe/London) · London · special · audience: Members of Parliament · private"
    )


def test_show_film_tells_the_whole_run(story: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", story, "show", "film", "The Defector"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "screenings: film 'The Defector' is The Defector: Escape from North Korea (2012, #1)\n"
    )
    assert captured.out == (
        "The Defector: Escape from North Korea (2012)  #1\n"
        "  71 min · Canada · languages: English, Korean · IMDb tt2407504\n"
        "  director: Ann Shin\n"
        "  producer: Ann Shin\n"
        "  writer: Ann Shin, Manfred Becker\n"
        "  supervising editor: Manfred Becker\n"
        "  cinematographer: Stephen Chung\n"
        "  website: https://thedefectormovie.com\n"
        "Festival run\n"
        "  2012  IDFA 2012 (2012-11-14 to 2012-11-25) · Reflecting Images – Panorama · "
        "festival premiere\n"
        "  2013-04-27  Hot Docs 2013 · Canadian premiere\n"
        "              #1  The Defector: Escape from North Korea — Sat 27 Apr 2013, time TBA "
        "(America/Toronto) · Toronto · Hot Docs 2013 · regular\n"
        "  2013-06-11  special screening: #2  The Defector: Escape from North Korea — Tue 11 Jun "
        "2013, time TBA (Europe/London) · London · special · audience: Members of Parliament · "
        "private\n"
        "  2013  Sheffield Doc/Fest 2013 (2013-06-12 to 2013-06-16)\n"
        "  2013 (day unknown)  Independent Film Festival Boston 2013 · East Coast premiere\n"
        "Awards and nominations\n"
        "  2013  Innovation Award: nominated\n"
        "  2014  Canadian Screen Awards (Diversity Award): won\n"
        "  2014  Canadian Screen Awards (Best Documentary Program): won\n"
        "  2014  Canadian Screen Awards (Best Direction in a Documentary Program): won\n"
    )


def test_nothing_is_invented(story: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", story, "list", "--include-private", "--format", "json"]) == 0
    screenings = json.loads(capsys.readouterr().out)["screenings"]
    assert [(s["local_date"], s["local_time"], s["venue"]) for s in screenings] == [
        ("2013-04-27", None, None),
        ("2013-06-11", None, None),
    ]


def test_the_lists_of_the_story(story: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--db", story, "list", "--director", "ann shin", "--in", "2013",
                "--format", "json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)["screenings"]
    assert [(r["local_date"], r["edition"]["festival"]) for r in rows] == [
        ("2013-04-27", "Hot Docs")  # the screening for MPs is private
    ]
    assert run(["--db", story, "list", "nominations", "--festival", "sheffield doc/fest",
                "--year", "2013", "--format", "json"]) == 0  # fmt: skip
    nominations = json.loads(capsys.readouterr().out)["nominations"]
    assert [
        (n["award"]["name"], (n["film"] or {}).get("title"), (n["person"] or {}).get("name"),
         n["result"])
        for n in nominations
    ] == [
        ("Innovation Award", "The Defector: Escape from North Korea", None, "nominated"),
        ("Innovation Award", "Alma, a Tale of Violence", None, "won"),
        ("Inspiration Award", None, "Nick Fraser", "won"),
    ]  # fmt: skip
