"""Programmes (#23): one screening shows several films, in order. A five-short block
entered by hand, a film in two programmes that is also screened alone, and what every
door makes of them, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from screenings.cli import run
from screenings.db import create_db_engine
from tests.icalcheck import ical_check

SHORTS = [
    ("Ice Tales", "12", "Anna Virtanen"),
    ("Night Bus", "18", "Jussi Koski"),
    ("Salt", "8", "Mira Laine"),
    ("The Ferry", "25", "Otto Berg"),
    ("Lichen", "15", "Anna Virtanen"),
]
BLOCK = "Shorts Competition 1"
DOCPOINT = [
    ["add", "festival", "DocPoint", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "edition", "DocPoint", "2026", "--from", "2026-01-27", "--to", "2026-02-01"],
    ["add", "venue", "Bio Rex", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "venue", "Andorra", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    *(
        ["add", "film", title, "--year", "2025", "--runtime", runtime, "--director", director]
        for title, runtime, director in SHORTS
    ),
    ["add", "film", "Long Road", "--year", "2025", "--director", "Otto Berg"],  # no runtime
    ["add", "programme", BLOCK, "--edition", "DocPoint 2026", "--section", "Shorts",
     *(arg for title, _, _ in SHORTS for arg in ("--film", title)),
     "--extra", "Night Bus=+ Q&A with the director"],
    ["add", "programme", "Night Owls", "--festival", "DocPoint",
     "--film", "Night Bus", "--film", "Salt"],
    ["add", "screening", "--programme", BLOCK, "--edition", "DocPoint 2026",
     "--venue", "Bio Rex", "--on", "2026-01-29", "--at", "18:00"],
    ["add", "screening", "--programme", "Night Owls", "--edition", "DocPoint 2026",
     "--venue", "Bio Rex", "--on", "2026-01-30", "--at", "23:00"],
    ["add", "screening", "Night Bus", "--edition", "DocPoint 2026",
     "--venue", "Andorra", "--on", "2026-01-31", "--at", "12:00"],
]  # fmt: skip


@pytest.fixture
def docpoint(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> str:
    """DocPoint 2026 by hand: a five-short block (#1), a second programme with two of its
    films (#2), and one of them screened alone (#3)."""
    url = new_url(backend)
    for command in DOCPOINT:
        assert run(["--db", url, *command]) == 0, (command, capsys.readouterr().err)
    capsys.readouterr()
    return url


def said(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listed(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = said(url, "list", *args, "--format", "json", capsys=capsys)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def sequences(url: str, capsys: pytest.CaptureFixture[str]) -> dict[int, int]:
    rows = listed(url, capsys=capsys)["screenings"]
    return {row["id"]: row["sequence"] for row in rows}


def test_a_block_entered_by_hand_is_one_screening_of_its_films_in_order(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    document = listed(docpoint, "--on", "2026-01-29", capsys=capsys)
    assert document["version"] == 2
    (block,) = document["screenings"]
    assert block["film"] is None
    assert block["programme"]["title"] == BLOCK
    assert [(f["title"], f["position"]) for f in block["films"]] == [
        (title, n) for n, (title, _, _) in enumerate(SHORTS, start=1)
    ]
    assert block["length_minutes"] == 12 + 18 + 8 + 25 + 15  # the sum of the runtimes
    assert block["section"] == "Shorts"
    _code, out, _ = said(docpoint, "list", "--on", "2026-01-29", capsys=capsys)
    assert "Shorts Competition 1 (5 films)" in out
    # One film alone is as it was, and names itself in ``films`` too.
    (alone,) = listed(docpoint, "--on", "2026-01-31", capsys=capsys)["screenings"]
    assert alone["programme"] is None
    assert alone["films"] == [{"id": alone["film"]["id"], "position": 1, "title": "Night Bus",
                               "year": 2025}]  # fmt: skip


def test_each_film_of_an_editions_programme_is_in_its_selection(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = said(docpoint, "show", "edition", "DocPoint 2026", capsys=capsys)
    assert code == 0
    for title, _, _ in SHORTS:
        assert f"{title} (2025) · Shorts" in out


def test_a_film_in_two_programmes_and_alone_is_found_by_film_and_director(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (("--film", "Night Bus"), ("--director", "Jussi Koski"), ("--person", "Koski")):
        rows = listed(docpoint, *args, capsys=capsys)["screenings"]
        assert [(r["id"], (r["programme"] or {}).get("title")) for r in rows] == [
            (1, BLOCK),
            (2, "Night Owls"),
            (3, None),
        ], args
    _, out, _ = said(docpoint, "list", "--director", "Jussi Koski", capsys=capsys)
    assert "Night Bus in Shorts Competition 1" in out
    assert "Night Bus in Night Owls" in out
    # A director of two films of one block: the block is listed once, naming both, and
    # nothing else (neither the other programme nor the film alone shows a film of hers).
    _, out, _ = said(docpoint, "list", "--director", "Anna Virtanen", capsys=capsys)
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["#1"]
    assert "Ice Tales / Lichen in Shorts Competition 1" in out
    rows = listed(docpoint, "--director", "Otto Berg", capsys=capsys)["screenings"]
    assert [r["id"] for r in rows] == [1]  # The Ferry's block; Long Road is not screened


def test_show_film_lists_its_screenings_in_programmes(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = said(docpoint, "show", "film", "Night Bus", capsys=capsys)
    assert code == 0
    assert "#1  Night Bus in Shorts Competition 1 — Thu 29 Jan 2026, 18:00" in out
    assert "#2  Night Bus in Night Owls — Fri 30 Jan 2026, 23:00" in out
    assert "#3  Night Bus — Sat 31 Jan 2026, 12:00" in out


def test_show_and_list_programmes(docpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = said(docpoint, "show", "programme", BLOCK, capsys=capsys)
    assert code == 0
    assert "2. Night Bus (2025) · director: Jussi Koski · 18 min · + Q&A with the director" in out
    assert "#1  Shorts Competition 1 — Thu 29 Jan 2026, 18:00" in out
    code, out, _ = said(docpoint, "list", "programmes", "--film", "Salt", capsys=capsys)
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["#2", "#1"]
    assert (
        listed(docpoint, "programmes", "--edition", "DocPoint 2026", capsys=capsys)["programmes"][
            0
        ]["length_minutes"]
        == 78
    )


def test_a_films_feed_includes_its_programme_screenings(
    docpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "night-bus.ics"
    assert (
        said(docpoint, "export", "ics", "--film", "Night Bus", "-o", str(feed), capsys=capsys)[0]
        == 0
    )
    code, report = ical_check(feed)
    assert code == 0, report
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(feed.read_bytes()).walk("VEVENT")}
    assert set(events) == {BLOCK, "Night Owls", "Night Bus"}
    block = events[BLOCK]
    description = str(block["DESCRIPTION"]).splitlines()
    assert description[:4] == [
        BLOCK,
        "1. Ice Tales (2025), directed by Anna Virtanen · 12 min",
        "2. Night Bus (2025), directed by Jussi Koski · 18 min",
        "   + Q&A with the director",
    ]
    assert [str(c) for c in block["CATEGORIES"].cats] == ["DocPoint", "Shorts", "regular"]
    # DTEND: the block's length, the sum of its films' runtimes.
    assert block["DTEND"].dt - block["DTSTART"].dt == dt.timedelta(minutes=78)


def test_a_directors_split_feed_has_the_programme_once(
    docpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feeds"
    code, _, err = said(docpoint, "export", "ics", "--split-by", "person", "--out-dir", str(out),
                        capsys=capsys)  # fmt: skip
    assert code == 0, err
    anna = Calendar.from_ical((out / "anna-virtanen.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in anna.walk("VEVENT")] == [BLOCK]
    films = tmp_path / "films"
    code, _, err = said(docpoint, "export", "ics", "--split-by", "film", "--out-dir", str(films),
                        capsys=capsys)  # fmt: skip
    assert code == 0, err
    salt = Calendar.from_ical((films / "salt-2025.ics").read_bytes())
    assert sorted(str(e["SUMMARY"]) for e in salt.walk("VEVENT")) == ["Night Owls", BLOCK]


def test_check_finds_a_film_in_two_places_at_once(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = said(docpoint, "check", capsys=capsys)
    assert "no clashes" in out
    # Night Bus alone at Andorra while its block runs at Bio Rex (18:00-19:18).
    assert said(docpoint, "edit", "screening", "3", "--on", "2026-01-29", "--at", "18:30",
                capsys=capsys)[0] == 0  # fmt: skip
    _, out, _ = said(docpoint, "check", capsys=capsys)
    assert "film twice at once: #1 and #3 show Night Bus at once" in out
    # Two blocks that share two films clash once, naming one of them.
    assert said(docpoint, "edit", "screening", "2", "--on", "2026-01-29", "--at", "18:10",
                "--venue", "Andorra", capsys=capsys)[0] == 0  # fmt: skip
    _code, out, _ = said(docpoint, "check", capsys=capsys)
    assert out.count("#1 and #2 show") == 1


def test_editing_a_programme_bumps_the_screenings_that_show_it_and_nothing_else(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sequences(docpoint, capsys)
    code, out, err = said(docpoint, "edit", "programme", BLOCK, "--move-film", "Lichen", "--to",
                          "1", capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert "1 screening(s) of it changed in subscribed calendars" in out
    after = sequences(docpoint, capsys)
    assert after == {**before, 1: before[1] + 1}
    (block,) = listed(docpoint, "--on", "2026-01-29", capsys=capsys)["screenings"]
    assert [f["title"] for f in block["films"]][:2] == ["Lichen", "Ice Tales"]
    # The same again changes nothing, and bumps nothing.
    code, out, _ = said(docpoint, "edit", "programme", BLOCK, "--move-film", "Lichen", "--to",
                        "1", capsys=capsys)  # fmt: skip
    assert out.startswith("nothing changed: programme #1")
    assert sequences(docpoint, capsys) == after
    # A film's new runtime shows in every screening of it: alone and in both programmes.
    assert said(docpoint, "edit", "film", "Night Bus", "--runtime", "20", capsys=capsys)[0] == 0
    bumped = sequences(docpoint, capsys)
    assert bumped == {n: after[n] + 1 for n in after}


def test_a_programme_with_a_film_of_unknown_runtime_has_the_default_length(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert said(docpoint, "edit", "programme", "Night Owls", "--add-film", "Long Road",
                capsys=capsys)[0] == 0  # fmt: skip
    (owls,) = listed(docpoint, "--on", "2026-01-30", capsys=capsys)["screenings"]
    assert owls["length_minutes"] == 90  # the default: one runtime is not known
    assert said(docpoint, "edit", "screening", "2", "--duration", "150", capsys=capsys)[0] == 0
    (owls,) = listed(docpoint, "--on", "2026-01-30", capsys=capsys)["screenings"]
    assert owls["length_minutes"] == 150  # its own stated duration wins


def test_contract_1_leaves_programme_screenings_out_and_says_how_many(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(docpoint, "list", "--format", "json", "--contract", "1", capsys=capsys)
    assert code == 0
    document = json.loads(out)
    assert document["version"] == 1
    (only,) = document["screenings"]
    assert only["film"]["title"] == "Night Bus"
    assert "programme" not in only and "films" not in only
    assert "contract 1 leaves out 2 programme screening(s)" in err
    code, out, err = said(docpoint, "export", "csv", "--contract", "1", capsys=capsys)
    assert code == 0
    header = out.splitlines()[0]
    assert header.endswith(",sequence,updated_at")
    code, _, err = said(docpoint, "list", "--contract", "1", capsys=capsys)
    assert (code, err.strip()) == (
        2,
        "screenings: error: --contract: only for screenings, as json or csv",
    )


def test_remove_programme_is_refused_while_screenings_show_it(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = said(docpoint, "remove", "programme", "Night Owls", "--yes", capsys=capsys)
    assert (code, err.strip()) == (
        5,
        "screenings: error: remove: 1 screening(s) depend on Night Owls (DocPoint, #2); remove "
        "or merge them first, or pass --cascade",
    )
    code, _out, err = said(docpoint, "remove", "programme", "Night Owls", "--yes", "--cascade",
                          capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert [r["id"] for r in listed(docpoint, capsys=capsys)["screenings"]] == [1, 3]


def test_removing_a_film_closes_up_its_programmes(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sequences(docpoint, capsys)
    code, _, err = said(docpoint, "remove", "film", "Salt", "--yes", capsys=capsys)
    assert code == 5 and "depend on Salt (2025, #3)" in err
    code, _, err = said(docpoint, "remove", "film", "Salt", "--yes", "--cascade", capsys=capsys)
    assert code == 0, err
    (block,) = listed(docpoint, "--on", "2026-01-29", capsys=capsys)["screenings"]
    assert [(f["title"], f["position"]) for f in block["films"]] == [
        ("Ice Tales", 1), ("Night Bus", 2), ("The Ferry", 3), ("Lichen", 4)
    ]  # fmt: skip
    after = sequences(docpoint, capsys)
    assert after == {1: before[1] + 1, 2: before[2] + 1, 3: before[3]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "screening", "Salt", "--programme", BLOCK, "--on", "2026-01-29"],
         "FILM: give the film, or --programme, not both"),
        (["add", "screening", "--on", "2026-01-29", "--city", "Helsinki"],
         "FILM: give a film or --programme"),
        (["add", "programme", "Block", "--festival", "DocPoint", "--film", "Nope"],
         "--film: no film called 'Nope'"),
        (["add", "programme", "Block", "--festival", "DocPoint", "--film", "Salt", "--film",
          "#3"], "--film: Salt is named twice"),
        (["add", "programme", BLOCK, "--festival", "DocPoint"],
         "programme: DocPoint already has a programme called 'Shorts Competition 1' (#1); a "
         "title is unique within its festival"),
        (["edit", "programme", "Night Owls", "--title", "shorts competition 1"],
         "programme: DocPoint already has a programme called 'Shorts Competition 1' (#1); a "
         "title is unique within its festival"),
        (["add", "programme", "Block"], "--festival: give the programme's --festival or --edition"),
        (["edit", "programme", BLOCK, "--move-film", "Salt", "--to", "9"],
         "--to: expected a position from 1 to 5, got 9"),
        (["edit", "programme", BLOCK, "--remove-film", "Long Road"],
         "--remove-film: Long Road is not in Shorts Competition 1"),
        (["add", "programme", "Block", "--festival", "DocPoint", "--film", "Salt", "--extra",
          "Lichen=+ Q&A"], "--extra: Lichen is not one of the programme's films"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(
    docpoint: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = listed(docpoint, "programmes", capsys=capsys), listed(docpoint, capsys=capsys)
    code, _out, err = said(docpoint, *args, capsys=capsys)
    assert code != 0
    assert err.strip().splitlines() == [f"screenings: error: {message}"]
    assert (listed(docpoint, "programmes", capsys=capsys), listed(docpoint, capsys=capsys)) == (
        before
    )


def test_the_database_holds_a_screening_to_a_film_or_a_programme(docpoint: str) -> None:
    engine = create_db_engine(docpoint)
    for sets in ("film_id = 1, programme_id = 1", "film_id = NULL, programme_id = NULL"):
        with pytest.raises(IntegrityError, match="film_or_programme"), engine.begin() as connection:
            connection.execute(text(f"UPDATE screening SET {sets} WHERE id = 3"))
    engine.dispose()


def test_json_of_a_programme_screening_on_the_server(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from screenings.config import Settings
    from screenings.web import FeedApp
    from tests.test_pages import get

    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    status, headers, body = get(app, "/feeds/films/night-bus-2025.json?contract=1")
    assert status == 200
    assert json.loads(body)["version"] == 1
    assert headers["screenings-left-out"].startswith(
        "contract 1 leaves out 2 programme screening(s)"
    )
    status, headers, body = get(app, "/feeds/films/night-bus-2025.json")
    assert len(json.loads(body)["screenings"]) == 3
    assert "screenings-left-out" not in headers
    status, _, body = get(app, "/feeds/films/night-bus-2025.ics?contract=1")
    assert status == 400


def test_the_migration_keeps_every_row_and_every_id_counter(empty_engine: Any) -> None:
    """A catalogue at 0006 with a row in every table, upgraded: each row as it was, each
    screening still showing its film, each id counter where it was; then a programme
    screening can be stored, and the downgrade takes it away again."""
    from screenings.db import unit_of_work
    from screenings.migrate import downgrade_schema, upgrade_schema
    from screenings.models import Award, Edition, Festival, Film, Venue
    from tests import factories as make

    engine = empty_engine
    upgrade_schema(engine, "0006")
    with unit_of_work(engine) as session:
        make.one_of_everything(session)

    def rows() -> dict[str, list[tuple[Any, ...]]]:
        found = {}
        with engine.connect() as connection:
            for table in ("screening", "nomination", "retired_slug", "film", "selection"):
                columns = [
                    c for c in connection.execute(text(f"SELECT * FROM {table}")).keys()  # noqa: SIM118
                    if c != "programme_id"
                ]  # fmt: skip
                listed = ", ".join(columns)
                found[table] = [
                    tuple(row)
                    for row in connection.execute(text(f"SELECT {listed} FROM {table} ORDER BY id"))
                ]
        return found

    def counters() -> dict[str, int]:
        if engine.dialect.name != "sqlite":
            return {}
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT name, seq FROM sqlite_sequence")).all())

    before, counted = rows(), counters()
    upgrade_schema(engine)
    assert rows() == before
    assert {k: v for k, v in counters().items() if k in counted} == counted
    with engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM screening WHERE programme_id IS NOT NULL")
            ).scalar()
            == 0
        )
    with unit_of_work(engine) as session:  # a programme, its screening and nomination
        get = session.get
        make.add_programme(
            session, get(Festival, 1), get(Edition, 1), get(Film, 1), get(Venue, 1), get(Award, 1)
        )
    count = text("SELECT count(*) FROM screening")
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == 2
    downgrade_schema(engine, "0006")
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == 1  # the programme's went with it
        nominations = connection.execute(text("SELECT count(*) FROM nomination")).scalar()
        assert nominations == 1  # the programme's nomination too
    with pytest.raises(IntegrityError), engine.begin() as connection:  # NOT NULL again
        connection.execute(text("UPDATE screening SET film_id = NULL"))
    upgrade_schema(engine)  # and up again: the screenings as they were
    assert rows()["screening"] == before["screening"]


# -- import: a Block column ------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shorts-block.csv"
HEADER = "Festival,Edition,Block,Film,Director,Year,Runtime,Date,Time,Venue,City\n"


def block_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A lineup of (block, film, slot) rows at DocPoint 2026 in Helsinki; a slot is
    "DATE TIME VENUE"."""
    lines = [HEADER]
    for block, film, slot in rows:
        day, time, venue = slot.split(" ", 2)
        lines.append(
            f"DocPoint,2026,{block},{film},Someone,2025,10,{day},{time},{venue},Helsinki\n"
        )
    path.write_text("".join(lines))
    return path


def imported(url: str, path: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = said(url, "import", str(path), "--timezone", "Europe/Helsinki", *args,
                          capsys=capsys)  # fmt: skip
    assert code == 0, err
    return out


def test_a_five_short_block_imported_from_a_csv(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = new_url(backend)
    out = imported(url, EXAMPLE, capsys=capsys)
    assert "14 rows; screenings: 5 created" in out
    assert "programmes: 2 (2 with their films set or changed)" in out
    rows = listed(url, capsys=capsys)["screenings"]
    blocks = [r for r in rows if r["programme"]]
    assert [(r["programme"]["title"], r["local_date"]) for r in blocks] == [
        ("Shorts Competition 1", "2026-02-04"),
        ("Shorts Competition 2", "2026-02-05"),
        ("Shorts Competition 1", "2026-02-06"),
    ]
    assert [f["title"] for f in blocks[0]["films"]] == [t for t, _, _ in SHORTS]
    assert blocks[0]["length_minutes"] == 78
    # Its films are in the edition's selection, in the rows' section.
    _, out, _ = said(url, "show", "edition", "DocPoint 2026", capsys=capsys)
    assert "Salt (2025) · Shorts Competition" in out
    # The same file again: nothing changes.
    before = sequences(url, capsys)
    out = imported(url, EXAMPLE, capsys=capsys)
    assert "screenings: 0 created, 0 updated, 0 moved, 5 unchanged" in out
    assert "(0 with their films set or changed)" in out
    assert sequences(url, capsys) == before


def test_a_reimport_that_moves_a_short_bumps_both_blocks_and_nothing_else(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    one, two = "2026-01-29 18:00 Bio Rex", "2026-01-30 20:00 Bio Rex"
    rows = [("Block 1", "A", one), ("Block 1", "B", one), ("Block 1", "C", one),
            ("Block 2", "D", two), ("Block 2", "E", two),
            ("", "F", "2026-01-31 12:00 Andorra")]  # fmt: skip
    imported(url, block_file(tmp_path / "first.csv", rows), capsys=capsys)
    before = sequences(url, capsys)
    moved = [r for r in rows if r[1] != "B"] + [("Block 2", "B", two)]
    out = imported(url, block_file(tmp_path / "moved.csv", moved), capsys=capsys)
    assert "screenings: 0 created, 2 updated, 0 moved, 1 unchanged" in out
    after = sequences(url, capsys)
    shown = {r["programme"]["title"] if r["programme"] else r["film"]["title"]: r
             for r in listed(url, capsys=capsys)["screenings"]}  # fmt: skip
    one_id, two_id = shown["Block 1"]["id"], shown["Block 2"]["id"]
    assert after == {**before, one_id: before[one_id] + 1, two_id: before[two_id] + 1}
    assert [f["title"] for f in shown["Block 1"]["films"]] == ["A", "C"]
    assert [f["title"] for f in shown["Block 2"]["films"]] == ["D", "E", "B"]


def test_a_hand_edit_to_a_block_screening_survives_a_reimport_and_sync_cancels_it(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    one, two = "2026-01-29 18:00 Bio Rex", "2026-01-30 20:00 Bio Rex"
    rows = [("Block 1", "A", one), ("Block 1", "B", one), ("Block 2", "C", two)]
    path = block_file(tmp_path / "lineup.csv", rows)
    imported(url, path, capsys=capsys)
    block = next(
        r for r in listed(url, capsys=capsys)["screenings"] if r["local_date"] == "2026-01-29"
    )
    assert said(url, "edit", "screening", str(block["id"]), "--at", "18:30", capsys=capsys)[0] == 0
    out = imported(url, path, capsys=capsys)
    assert "1 kept (edited by hand)" in out
    times = {r["id"]: r["local_time"] for r in listed(url, capsys=capsys)["screenings"]}
    assert times[block["id"]] == "18:30:00" and len(times) == 2  # no duplicate at 18:00
    out = imported(url, block_file(tmp_path / "less.csv", rows[:2]), "--sync", capsys=capsys)
    assert "1 cancelled" in out
    statuses = {
        r["programme"]["title"]: r["status"] for r in listed(url, capsys=capsys)["screenings"]
    }
    assert statuses == {"Block 1": "scheduled", "Block 2": "cancelled"}


def test_a_block_row_needs_a_festival(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    path = tmp_path / "special.csv"
    path.write_text("Block,Film,Date,Time,City\nShorts,A,2026-01-29,18:00,Helsinki\n")
    code, _, err = said(url, "import", str(path), "--timezone", "Europe/Helsinki", capsys=capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        f"screenings: error: {path}:2: column 'Block': 'Shorts': a block is a programme of a "
        "festival: give the row's festival and year; nothing was imported"
    )


# -- pages ------------------------------------------------------------------------------------


def test_the_pages_show_programmes_and_their_films(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from screenings.config import Settings
    from screenings.web import FeedApp
    from tests.test_pages import Page, get

    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    status, _, body = get(app, "/programmes/docpoint-2026-shorts-competition-1")
    assert status == 200, body
    page = Page(body)
    assert ("/films/night-bus-2025", "Night Bus (2025)") in page.links
    text = body.decode()
    assert (
        "directed by <bdi>Jussi Koski</bdi> · 18 min · <bdi>+ Q&amp;A with the director</bdi>"
        in text
    )
    assert len(page.rows) == 1 and "18:00 EET Bio Rex, Helsinki" in page.rows[0], page.rows
    # A film's page says which programme each of its screenings is in.
    status, _, body = get(app, "/films/night-bus-2025")
    rows = Page(body).rows
    assert any("in Shorts Competition 1" in row for row in rows), rows
    assert any("in Night Owls" in row for row in rows), rows
    # The edition's page lists a programme's films under its title.
    status, _, body = get(app, "/editions/docpoint-2026")
    block = next(row for row in Page(body).rows if "Shorts Competition 1" in row)
    assert all(title in block for title, _, _ in SHORTS)
    # Its films are screened: none is listed as "screening dates not known".
    assert "screening dates not known" not in body.decode()


def test_a_festivals_programme_with_only_private_screenings_has_no_page(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from screenings.config import Settings
    from screenings.web import FeedApp
    from tests.test_pages import get

    assert said(docpoint, "edit", "screening", "2", "--private", capsys=capsys)[0] == 0
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    status, _, _ = get(app, "/programmes/docpoint-night-owls")
    assert status == 404
    assert said(docpoint, "edit", "screening", "2", "--public", capsys=capsys)[0] == 0
    app = FeedApp(Settings(docpoint, default_timezone="Europe/Helsinki"))
    assert get(app, "/programmes/docpoint-night-owls")[0] == 200


def test_a_programme_reordered_by_hand_keeps_its_order_over_an_unchanged_file(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    one = "2026-01-29 18:00 Bio Rex"
    rows = [("Block 1", "A", one), ("Block 1", "B", one), ("Block 1", "C", one)]
    path = block_file(tmp_path / "lineup.csv", rows)
    imported(url, path, capsys=capsys)
    assert said(url, "edit", "programme", "Block 1", "--move-film", "C", "--to", "1",
                capsys=capsys)[0] == 0  # fmt: skip
    before = sequences(url, capsys)
    out = imported(url, path, capsys=capsys)
    assert "1 kept as edited by hand" in out
    (block,) = listed(url, capsys=capsys)["screenings"]
    assert [f["title"] for f in block["films"]] == ["C", "A", "B"]
    assert sequences(url, capsys) == before
    # The file changes them otherwise: a conflict, the catalogue's kept, unless --theirs.
    swapped = block_file(tmp_path / "swapped.csv", [rows[1], rows[0], rows[2]])
    out = imported(url, swapped, capsys=capsys)
    assert "programmes: 1 (0 with their films set or changed, 1 with conflicts)" in out
    (block,) = listed(url, capsys=capsys)["screenings"]
    assert [f["title"] for f in block["films"]] == ["C", "A", "B"]
    imported(url, block_file(tmp_path / "again.csv", [rows[0], rows[2]]), "--theirs",
             capsys=capsys)  # fmt: skip
    (block,) = listed(url, capsys=capsys)["screenings"]
    assert [f["title"] for f in block["films"]] == ["A", "C"]


def test_an_award_for_a_programme(docpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert said(docpoint, "add", "award", "Audience Award", "--festival", "DocPoint",
                capsys=capsys)[0] == 0  # fmt: skip
    args = ["--award", "Audience Award", "--year", "2026", "--programme", BLOCK]
    code, out, err = said(docpoint, "add", "nomination", *args, "--result", "won", capsys=capsys)
    assert code == 0, err
    assert out.startswith("Added nomination #1: Audience Award 2026 · Shorts Competition 1 · won")
    (nomination,) = listed(docpoint, "nominations", capsys=capsys)["nominations"]
    assert (nomination["film"], nomination["programme"]["title"]) == (None, BLOCK)
    code, _, err = said(docpoint, "add", "nomination", "--award", "Audience Award", "--year",
                        "2026", "--programme", BLOCK, "--film", "Salt", capsys=capsys)  # fmt: skip
    assert (code, err.strip()) == (
        2,
        "screenings: error: nomination: give --film or --programme, not both",
    )


def test_a_programmes_file_defines_programmes_without_screenings(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    path = tmp_path / "programmes.csv"
    path.write_text(
        "Festival,Edition,Package,Film,Position,Extra,Runtime\n"
        "DocPoint,2026,Shorts 1,Ice Tales,2,,12\n"
        "DocPoint,2026,Shorts 1,Night Bus,1,+ Q&A,18\n"
        "DocPoint,2026,Shorts 2,Salt,,,8\n"
        "DocPoint,2026,Shorts 2,Lichen,,,15\n"
    )
    out = imported(url, path, capsys=capsys)
    assert "programmes: 2 (2 with their films set or changed)" in out
    shown = listed(url, "programmes", capsys=capsys)["programmes"]
    assert [(p["title"], [f["title"] for f in p["films"]], p["length_minutes"]) for p in shown] == [
        ("Shorts 1", ["Night Bus", "Ice Tales"], 30),  # by Position
        ("Shorts 2", ["Salt", "Lichen"], 23),  # by row
    ]
    _, out, _ = said(url, "show", "programme", "Shorts 1", capsys=capsys)
    assert "1. Night Bus · 18 min · + Q&A" in out
    # Each film is in the edition's selection.
    _, out, _ = said(url, "show", "edition", "DocPoint 2026", capsys=capsys)
    assert out.split("Selection\n")[1].split("Screenings")[0].splitlines() == [
        "  Ice Tales · selected", "  Lichen · selected", "  Night Bus · selected",
        "  Salt · selected",
    ]  # fmt: skip
    out = imported(url, path, capsys=capsys)
    assert "programmes: 2 (0 with their films set or changed)" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("Festival,Edition,Block,Film,Position\nDocPoint,2026,Shorts 1,Salt,0\n")
    code, _, err = said(url, "import", str(bad), capsys=capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        f"screenings: error: {bad}:2: column 'Position': '0': expected a position: 1, 2, 3, "
        "...; nothing was imported"
    )


def test_merging_a_programme_keeps_its_title_as_another_name(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    one, two = "2026-01-29 18:00 Bio Rex", "2026-01-30 20:00 Bio Rex"
    rows = [("Shorts 1", "A", one), ("Shorts 1", "B", one), ("Shorts One", "C", two)]
    path = block_file(tmp_path / "lineup.csv", rows)
    imported(url, path, capsys=capsys)
    code, out, err = said(url, "merge", "programme", "Shorts 1", "Shorts One", capsys=capsys)
    assert code == 0, err
    assert "moved 1 screening(s), 0 nomination(s) and 1 film(s)" in out
    (kept,) = listed(url, "programmes", capsys=capsys)["programmes"]
    assert [f["title"] for f in kept["films"]] == ["A", "B", "C"]
    # The duplicate's title finds the one kept: a lookup, and a re-import, which makes
    # no duplicate again.
    code, out, err = said(url, "show", "programme", "Shorts One", capsys=capsys)
    assert code == 0 and out.startswith("Shorts 1 · DocPoint 2026")
    assert "is another name of Shorts 1" in err
    imported(url, path, capsys=capsys)
    assert [p["title"] for p in listed(url, "programmes", capsys=capsys)["programmes"]] == [
        "Shorts 1"
    ]
    rows = listed(url, capsys=capsys)["screenings"]
    assert {r["programme"]["title"] for r in rows} == {"Shorts 1"} and len(rows) == 2
    # Two festivals' programmes are not merged.
    assert said(url, "add", "festival", "Other", "--timezone", "Europe/Helsinki",
                capsys=capsys)[0] == 0  # fmt: skip
    assert said(url, "add", "programme", "Block", "--festival", "Other", capsys=capsys)[0] == 0
    code, _, err = said(url, "merge", "programme", "Shorts 1", "Block", capsys=capsys)
    assert code == 2 and "are of two festivals" in err


def test_a_block_moved_in_the_file_keeps_its_screening_and_a_hand_edit_is_a_conflict(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    one = "2026-01-29 18:00 Bio Rex"
    rows = [("Block 1", "A", one), ("Block 1", "B", one)]
    imported(url, block_file(tmp_path / "first.csv", rows), capsys=capsys)
    (before,) = listed(url, capsys=capsys)["screenings"]
    later = [(b, f, "2026-01-29 20:00 Bio Rex") for b, f, _ in rows]
    out = imported(url, block_file(tmp_path / "later.csv", later), "--sync", capsys=capsys)
    assert "screenings: 0 created, 0 updated, 1 moved, 0 unchanged" in out
    (after,) = listed(url, capsys=capsys)["screenings"]
    assert (after["uid"], after["local_time"], after["sequence"]) == (
        before["uid"], "20:00:00", before["sequence"] + 1
    )  # fmt: skip
    # Moved by hand, then by the file otherwise: a conflict; the hand's stays.
    assert said(url, "edit", "screening", str(after["id"]), "--at", "21:00", capsys=capsys)[0] == 0
    latest = [(b, f, "2026-01-29 20:30 Bio Rex") for b, f, _ in rows]
    out = imported(url, block_file(tmp_path / "latest.csv", latest), capsys=capsys)
    assert "0 unchanged, 1 with conflicts" in out
    (now,) = listed(url, capsys=capsys)["screenings"]
    assert now["local_time"] == "21:00:00"


def test_a_block_cannot_take_another_editions_programme_or_another_screenings_id(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    old = tmp_path / "2025.csv"
    old.write_text(
        HEADER + "DocPoint,2025,Shorts 1,A,Someone,2025,10,2025-01-29,18:00,Bio Rex,Helsinki\n"
    )
    imported(url, old, capsys=capsys)
    new = block_file(tmp_path / "2026.csv", [("Shorts 1", "C", "2026-01-29 18:00 Bio Rex")])
    code, _, err = said(url, "import", str(new), "--timezone", "Europe/Helsinki", capsys=capsys)
    assert code == 2
    assert (
        f"{new}:2: column 'Block': 'Shorts 1': the festival's programme of that title is of "
        "its 2025 edition (#1); a title is unique within a festival: give this edition's "
        "block another title"
    ) in err
    # A row alone whose id is a block's screening, and the other way round.
    ids = tmp_path / "ids.csv"
    ids.write_text(
        "Festival,Edition,Id,Block,Film,Date,Time,Venue,City\n"
        "DocPoint,2026,S1,Block,A,2026-01-29,18:00,Bio Rex,Helsinki\n"
        "DocPoint,2026,S2,,B,2026-01-29,20:00,Bio Rex,Helsinki\n"
    )
    imported(url, ids, capsys=capsys)
    swapped = tmp_path / "swapped.csv"
    swapped.write_text(
        "Festival,Edition,Id,Block,Film,Date,Time,Venue,City\n"
        "DocPoint,2026,S2,Block,A,2026-01-29,18:00,Bio Rex,Helsinki\n"
        "DocPoint,2026,S1,,B,2026-01-29,20:00,Bio Rex,Helsinki\n"
    )
    code, _, err = said(url, "import", str(swapped), "--timezone", "Europe/Helsinki",
                        capsys=capsys)  # fmt: skip
    assert code == 2
    assert f"rejected: {swapped}:3: " in err  # B's row: its slot is its own screening's
    film_screening = next(r["id"] for r in listed(url, capsys=capsys)["screenings"] if r["film"])
    assert (
        f"rejected: {swapped}:2: column 'Id': 'S2': this id is screening #{film_screening}, of "
        "a film; a block's screening is its programme's: give it another id"
    ) in err


def test_what_a_screening_of_a_programme_may_be_given(
    docpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Named whole: a few words of its title are a suggestion, not a choice.
    where = ["--edition", "DocPoint 2026", "--on", "2026-01-30"]
    code, _, err = said(docpoint, "add", "screening", "--programme", "Shorts Comp", *where,
                        capsys=capsys)  # fmt: skip
    assert code != 0
    assert "no programme called 'Shorts Comp'; did you mean 'Shorts Competition 1'?" in err
    # Another festival's programme, even by its #ID; and an edition of another festival.
    for command in (
        ["add", "festival", "Tampere", "--timezone", "Europe/Helsinki"],
        ["add", "edition", "Tampere", "2026"],
        ["add", "programme", "Tampere Shorts", "--edition", "Tampere 2026", "--film", "Salt"],
    ):
        assert said(docpoint, *command, capsys=capsys)[0] == 0, command
    code, _, err = said(docpoint, "add", "screening", "--programme", "#3", "--edition",
                        "DocPoint 2026", "--on", "2026-01-30", capsys=capsys)  # fmt: skip
    assert (code, err.strip()) == (
        3,
        "screenings: error: --programme: Tampere Shorts (Tampere, #3) is not a programme of "
        "that festival",
    )
    code, _, err = said(docpoint, "edit", "screening", "1", "--edition", "Tampere 2026",
                        capsys=capsys)  # fmt: skip
    assert (code, err.strip()) == (
        2,
        "screenings: error: --edition: Shorts Competition 1 (DocPoint, #1) is a programme of "
        "DocPoint 2026 (#1), not of Tampere 2026 (#2)",
    )
    # An extra line cleared; the programme's notes in its calendar.
    assert said(docpoint, "edit", "programme", BLOCK, "--extra", "Night Bus=", "--note",
                "Introduced by the jury", capsys=capsys)[0] == 0  # fmt: skip
    feed = tmp_path / "block.ics"
    assert said(docpoint, "export", "ics", "--on", "2026-01-29", "-o", str(feed),
                capsys=capsys)[0] == 0  # fmt: skip
    (event,) = Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    description = str(event["DESCRIPTION"]).splitlines()
    assert "   + Q&A with the director" not in description
    assert description[6] == "Introduced by the jury"


def test_editing_a_programme_keeps_its_events_uids_and_bumps_their_sequence(
    docpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.icalcheck import ical_compare

    old, new = tmp_path / "old.ics", tmp_path / "new.ics"
    assert said(docpoint, "export", "ics", "-o", str(old), capsys=capsys)[0] == 0
    assert said(docpoint, "edit", "programme", BLOCK, "--remove-film", "Salt",
                capsys=capsys)[0] == 0  # fmt: skip
    assert said(docpoint, "export", "ics", "-o", str(new), capsys=capsys)[0] == 0
    before = {str(e["UID"]): e for e in Calendar.from_ical(old.read_bytes()).walk("VEVENT")}
    after = {str(e["UID"]): e for e in Calendar.from_ical(new.read_bytes()).walk("VEVENT")}
    assert set(before) == set(after)
    changed = {uid for uid in after if int(after[uid]["SEQUENCE"]) != int(before[uid]["SEQUENCE"])}
    assert [str(after[uid]["SUMMARY"]) for uid in changed] == [BLOCK]
    assert "Salt" not in str(after[changed.pop()]["DESCRIPTION"])
    ical_compare(old, new)  # UIDs kept, SEQUENCE bumped where the event changed
    code, checked = ical_check(new)
    assert code == 0, checked


def test_an_import_says_what_a_reader_may_take_for_a_block(
    backend: str, new_url: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = new_url(backend)
    path = tmp_path / "programme.csv"
    path.write_text(
        "Festival,Edition,Programme,Film,Date,Time,Venue,City\n"
        "DocPoint,2026,Shorts,A,2026-01-29,18:00,Bio Rex,Helsinki\n"
    )
    code, _, err = said(url, "import", str(path), "--timezone", "Europe/Helsinki", capsys=capsys)
    assert code == 0
    assert (
        f"warning: {path}:1: column 'Programme': read as the section; several films shown as "
        "one screening (a shorts block) are a Block column: --map 'Programme=block' to read it "
        "so"
    ) in err
    twice = block_file(tmp_path / "twice.csv", [("Block", "A", "2026-01-29 20:00 Bio Rex")] * 2)
    code, _, err = said(url, "import", str(twice), "--timezone", "Europe/Helsinki", capsys=capsys)
    assert code == 0
    assert f"warning: {twice}:2: block 'Block' lists a film more than once at one slot" in err


def test_a_programme_renamed_keeps_its_old_title(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a film or venue renamed does: a lineup or a lookup that still says the old
    title finds it."""
    code, out, err = said(docpoint, "edit", "programme", "Night Owls", "--title", "Late Night",
                          capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert "'Night Owls' is kept as another name of it" in out
    code, out, err = said(docpoint, "show", "programme", "Night Owls", capsys=capsys)
    assert code == 0, err
    assert "Late Night" in out
