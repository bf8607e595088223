"""``screenings import schedule.json|schedule.xml``: frab schedules in, through the import
pipeline, on SQLite and PostgreSQL: our own exports come back whole, and real-world
shaped files (a pretalx schedule.json, an older frab schedule.xml, in tests/samples)
are read leniently."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from screenings import tables
from screenings.cli import run
from screenings.db import create_db_engine
from tests.test_frab import SITE, festival

Cli = Callable[..., tuple[int, str, str]]
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("SCREENINGS_BASE_URL", raising=False)
    monkeypatch.delenv("SCREENINGS_FEED_DOMAIN", raising=False)
    monkeypatch.delenv("SCREENINGS_TIMEZONE", raising=False)
    return new_url(backend)


@pytest.fixture
def other(backend: str, new_url: Callable[[str], str]) -> str:
    """A second, fresh catalogue on the same backend."""
    return new_url(backend)


def call(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return lambda *args: call(url, capsys, *args)


def screenings(url: str) -> list[tuple[Any, ...]]:
    """Each screening as a person would compare two catalogues: its wall time and zone,
    venue, film and directors, and status."""
    S, F, V, C, P = tables.screening, tables.film, tables.venue, tables.credit, tables.person
    engine = create_db_engine(url)
    with engine.connect() as connection:
        directors: dict[int, list[str]] = {}
        for film, name in connection.execute(
            select(C.c.film_id, P.c.name)
            .join(P, C.c.person_id == P.c.id)
            .where(C.c.role == "director")
            .order_by(C.c.film_id, C.c.position)
        ):
            directors.setdefault(film, []).append(name)
        rows = connection.execute(
            select(
                S.c.local_date,
                S.c.local_time,
                S.c.timezone,
                V.c.name,
                S.c.city,
                F.c.title,
                S.c.film_id,
                S.c.status,
                S.c.ticket_url,
            )
            .outerjoin(V, S.c.venue_id == V.c.id)
            .outerjoin(F, S.c.film_id == F.c.id)
            .order_by(S.c.local_date, S.c.local_time, F.c.title)
        ).all()
    engine.dispose()
    return [
        (
            day,
            time,
            zone,
            venue,
            None if venue else city,
            title,
            tuple(directors.get(film, ())),
            status,
            tickets,
        )
        for day, time, zone, venue, city, title, film, status, tickets in rows
    ]


def counts(err_or_out: str) -> str:
    return next(line for line in err_or_out.splitlines() if "screenings:" in line)


def listed(where: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[Any, ...]]:
    """Each screening as ``list --format json`` shows it: its day and time, programme,
    films (title, year, place), venue and city, edition, status and visibility."""
    code = run(["--db", where, "list", "--format", "json", "--include-private"])
    assert code == 0
    return [
        (r["local_date"], r["local_time"], r["timezone"],
         r["programme"] and r["programme"]["title"],
         [(f["title"], f["year"], f["position"]) for f in r["films"]],
         r["venue"] and (r["venue"]["name"], r["venue"]["city"]), r["city"],
         r["edition"] and (r["edition"]["festival"], r["edition"]["year"]), r["status"],
         r["visibility"], r["length_minutes"], r["duration_minutes"])
        for r in json.loads(capsys.readouterr().out)["screenings"]
    ]  # fmt: skip


def test_our_own_schedule_json_comes_back_whole_and_again_unchanged(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """schedule.json's own facts (beside the schedule) bring back what frab's fields cannot
    say: films' years, venues' cities, a programme and its films, zones."""
    festival(cli, url)
    path = tmp_path / "schedule.json"
    code, _, err = cli("export", "frab-json", "--edition", "DocPoint 2026", "--include-private",
                       "--base-url", SITE, "-o", str(path))  # fmt: skip
    assert code == 0, err
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "6 created" in counts(out)
    # Everything but the screening whose time is not known (a frab event needs a start).
    assert listed(other, capsys) == [s for s in listed(url, capsys) if s[1] is not None]
    assert screenings(other) == [s for s in screenings(url) if s[1] is not None]
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 6 unchanged" in counts(out)


def test_our_own_schedule_xml_comes_back_as_frab_can_say_it(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """schedule.xml has no place for our facts: times, zones, venues, films' titles,
    directors and status come back; a programme comes back as a film of its title."""
    festival(cli, url)
    code, _, err = cli("remove", "screening", "#3", "--yes")  # a programme: it'd be a film
    assert code == 0, err
    path = tmp_path / "schedule.xml"
    code, _, err = cli("export", "frab-xml", "--edition", "DocPoint 2026", "--base-url", SITE,
                       "-o", str(path))  # fmt: skip
    assert code == 0, err
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "4 created" in counts(out)
    # What the schedule shows: neither the private screening (30 January, 10:00) nor the
    # one whose time is not known.
    private = ("2026-01-30", "10:00:00")
    shown = [s for s in screenings(url) if s[1] is not None and (str(s[0]), str(s[1])) != private]
    assert len(shown) == 4
    assert screenings(other) == shown
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 4 unchanged" in counts(out)


def test_a_pretalx_schedule_is_read_leniently(cli: Cli, url: str, tmp_path: Path) -> None:
    code, out, err = cli("import", str(SAMPLES / "pretalx-festival.schedule.json"))
    assert code == 0, err
    assert "3 created" in counts(out)
    assert "new festivals (1): Nordic Docs" in out
    found = screenings(url)
    assert [(s[0].isoformat(), s[1].isoformat()[:5], s[2], s[3], s[5]) for s in found] == [
        ("2026-03-12", "19:00", "Europe/Oslo", "Saga 1", "The Last Ferry"),
        ("2026-03-12", "23:30", "Europe/Oslo", "Cinemateket", "Night Shift"),
        ("2026-03-14", "01:15", "Europe/Oslo", "Saga 1", "Aurora"),
    ]
    assert found[1][6] == ("Mads Kjær", "Aino Virtanen")  # name, and the older public_name
    assert found[0][8] == "https://tickets.example/ferry"
    _, out, _ = cli("list", "editions", "--format", "json")
    assert json.loads(out)["editions"][0]["year"] == 2026
    _, out, _ = cli("show", "film", "The Last Ferry", "--format", "json")
    assert json.loads(out)["film"]["film"]["imdb_id"] == "tt9876543"
    _, out, _ = cli("list", "--format", "json")
    kinds = {s["kind"] for s in json.loads(out)["screenings"]}
    assert kinds == {"regular", "q&a"}


def test_an_older_frab_xml_is_read_leniently_and_its_cancellations_kept(cli: Cli, url: str) -> None:
    code, out, err = cli("import", str(SAMPLES / "frab-festival.schedule.xml"))
    assert code == 0, err
    assert "new editions (1): Kurzfilm Fest 2026 Winter" in out
    found = screenings(url)
    assert [(s[0].isoformat(), s[1].isoformat()[:5], s[5], s[7]) for s in found] == [
        ("2026-02-20", "20:00", "Eröffnung & Kurzfilme I", "scheduled"),
        ("2026-02-20", "23:45", "Mitternachtsrolle", "cancelled"),
        ("2026-02-22", "01:00", "Nachtfalter", "scheduled"),
    ]
    assert found[0][6] == ("Jana Brückner", "Tomás Ortega")
    assert found[0][2] == "Europe/Berlin"


def test_re_imports_keep_hand_edits_and_sync_cancels_what_the_schedule_dropped(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "schedule.json"
    shutil.copy(SAMPLES / "pretalx-festival.schedule.json", path)
    assert cli("import", str(path))[0] == 0
    # By hand: The Last Ferry moves to 19:30. The unchanged file keeps it there.
    code, _, err = cli("edit", "screening", "#1", "--at", "19:30")
    assert code == 0, err
    code, out, err = cli("import", str(path))
    assert code == 0, err
    assert "kept" in out
    assert screenings(url)[0][1].isoformat()[:5] == "19:30"
    # The schedule moves Night Shift and drops Aurora: the move is applied, and --sync
    # cancels Aurora (matched by its guid, not by its time).
    document = json.loads(path.read_text())
    day = document["schedule"]["conference"]["days"][0]
    day["rooms"]["Cinemateket"][0]["date"] = "2026-03-12T22:00:00+01:00"
    document["schedule"]["conference"]["days"].pop()
    path.write_text(json.dumps(document))
    code, out, err = cli("import", str(path), "--sync")
    assert code == 0, err
    assert "1 updated" in counts(out) or "1 moved" in counts(out)
    assert "1 cancelled" in counts(out)
    found = {s[5]: s for s in screenings(url)}
    assert found["Night Shift"][1].isoformat()[:5] == "22:00"
    assert found["Aurora"][7] == "cancelled"
    assert found["The Last Ferry"][1].isoformat()[:5] == "19:30"


def test_a_frab_sync_never_cancels_what_a_lineup_of_the_same_edition_made(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    lineup = tmp_path / "lineup.csv"
    lineup.write_text(
        "Title,Festival,Venue,City,Date,Time\n"
        "Side Show,Nordic Docs 2026,Saga 1,Oslo,2026-03-13,12:00\n"
    )
    assert cli("import", str(lineup), "--timezone", "Europe/Oslo")[0] == 0
    code, out, err = cli("import", str(SAMPLES / "pretalx-festival.schedule.json"), "--sync")
    assert code == 0, err
    assert "0 cancelled" in counts(out)
    side = next(s for s in screenings(url) if s[5] == "Side Show")
    assert side[7] == "scheduled"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"schedule": ', "schedule.json: not a frab schedule: Expecting value"),
        (b"<schedule><conference>", "schedule.json: not a frab schedule: no element found"),
        (b'{"schedule": {"conference": {"title": "X 2026", "start": "2026-01-01", "days": []}}}',
         "schedule.json: the schedule names no zone (time_zone_name); give --timezone;"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_frab_schedule_is_one_line_and_imports_nothing(
    cli: Cli, tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "schedule.json"
    path.write_bytes(content)
    code, out, err = cli("import", str(path))
    assert code == 2, out + err
    assert err.startswith(f"screenings: error: {tmp_path}/{said}"), err
    assert len(err.strip().splitlines()) == 1


def test_an_event_with_no_start_is_rejected_by_name_and_nothing_is_written(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    document = json.loads((SAMPLES / "pretalx-festival.schedule.json").read_text())
    event = document["schedule"]["conference"]["days"][0]["rooms"]["Saga 1"][0]
    event["date"] = "next Tuesday"
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(document))
    code, out, err = cli("import", str(path))
    assert code == 2
    assert f"{path}, event 1: column 'date': event 'The Last Ferry'" in out + err
    assert "'next Tuesday' is not a date and time" in out + err
    assert screenings(url) == []


def test_migration_0009_takes_frab_and_ics_sources_and_its_downgrade_drops_them(
    url: str, cli: Cli, tmp_path: Path
) -> None:
    """A catalogue that imported a frab schedule and a lineup goes down to 0008 (its frab
    source and that source's bases dropped, the lineup's kept) and up again, where the
    next frab import finds its screenings again, with no base: the file wins, and says
    so."""
    from screenings.migrate import downgrade_schema, upgrade_schema

    lineup = tmp_path / "lineup.csv"
    lineup.write_text(
        "Title,Festival,Venue,City,Date,Time\n"
        "Side Show,Nordic Docs 2026,Saga 1,Oslo,2026-03-13,12:00\n"
    )
    assert cli("import", str(lineup), "--timezone", "Europe/Oslo")[0] == 0
    assert cli("import", str(SAMPLES / "pretalx-festival.schedule.json"))[0] == 0
    engine = create_db_engine(url)

    def kinds() -> list[str]:
        with engine.connect() as connection:
            return sorted(connection.execute(select(tables.import_source.c.kind)).scalars())

    try:
        assert kinds() == ["frab", "lineup"]
        downgrade_schema(engine, "0008")
        assert kinds() == ["lineup"]
        upgrade_schema(engine)
    finally:
        engine.dispose()
    code, out, err = cli("import", str(SAMPLES / "pretalx-festival.schedule.json"))
    assert code == 0, err
    assert "0 created" in counts(out), out
    assert len(screenings(url)) == 4


def test_edition_puts_a_schedule_in_that_edition(cli: Cli, url: str) -> None:
    assert cli("add", "festival", "Other Fest", "--timezone", "Europe/Oslo")[0] == 0
    assert cli("add", "edition", "Other Fest", "2026")[0] == 0
    schedule = str(SAMPLES / "pretalx-festival.schedule.json")
    code, _, err = cli("import", schedule, "--edition", "Other Fest 2026")
    assert code == 0, err
    _, listed, _ = cli("list", "--format", "json")
    assert {r["edition"]["festival"] for r in json.loads(listed)["screenings"]} == {"Other Fest"}


def test_a_private_screening_stays_private_through_a_schedule(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    festival(cli, url)
    path = tmp_path / "schedule.json"
    code, _, err = cli("export", "frab-json", "--edition", "DocPoint 2026", "--include-private",
                       "--base-url", SITE, "-o", str(path))  # fmt: skip
    assert code == 0, err
    titles = [e["title"] for d in json.loads(path.read_text())["schedule"]["conference"]["days"]
              for events in d["rooms"].values() for e in events]  # fmt: skip
    assert "Private: Abode of Dawn" in titles
    assert call(other, capsys, "import", str(path))[0] == 0
    _, listed, _ = call(other, capsys, "list", "--format", "json", "--include-private")
    private = [r for r in json.loads(listed)["screenings"] if r["visibility"] == "private"]
    assert [(r["local_date"], r["local_time"]) for r in private] == [("2026-01-30", "10:00:00")]


def test_a_hostile_link_in_a_schedule_is_refused_as_in_a_spreadsheet(
    cli: Cli, tmp_path: Path
) -> None:
    document = json.loads((SAMPLES / "pretalx-festival.schedule.json").read_text())
    event = document["schedule"]["conference"]["days"][0]["rooms"]["Saga 1"][0]
    event["links"][0]["url"] = "javascript:alert(1)"
    event["title"] = "Bell\x07Song"
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(document))
    code, out, err = cli("import", str(path))
    assert code == 2
    assert "column 'title': event 'Bell\\x07Song': holds a control character" in out + err
