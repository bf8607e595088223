"""frab schedules: ``export frab-xml|frab-json`` and the server's ``.frab.xml`` and
``.frab.json`` feeds, on SQLite and PostgreSQL, each checked by
../shared/tools/frab-check (the C3VOC schemas) and read back as an app would."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from screenings import tables
from screenings.cli import run
from screenings.config import load_settings
from screenings.db import create_db_engine
from screenings.web import FeedApp
from tests.icalcheck import frab_check
from tests.test_import import ROWS, write_csv
from tests.test_pages import get

Cli = Callable[..., tuple[int, str, str]]
SITE = "https://films.example"
HOSTILE = "Night <Bus> & </title> Co"


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("SCREENINGS_BASE_URL", raising=False)
    monkeypatch.delenv("SCREENINGS_FEED_DOMAIN", raising=False)
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def _ok(cli: Cli, *args: str) -> str:
    code, out, err = cli(*args)
    assert code == 0, err
    return out


def festival(cli: Cli, url: str) -> None:
    """DocPoint 2026, whose festival day starts at 06:00: two cinemas, a programme, a
    screening with no venue, one past midnight, one cancelled, one private, one TBA."""
    _ok(cli, "add", "festival", "DocPoint", "--city", "Helsinki", "--timezone", "Europe/Helsinki")
    _ok(cli, "add", "edition", "DocPoint", "2026", "--from", "2026-01-27", "--to", "2026-01-30")
    _ok(cli, "edit", "edition", "DocPoint 2026", "--day-starts-at", "06:00")
    for venue in ("Kinopalatsi 7", "Bio Rex"):
        _ok(cli, "add", "venue", venue, "--city", "Helsinki", "--timezone", "Europe/Helsinki")
    _ok(cli, "add", "film", "Abode of Dawn", "--year", "2025", "--runtime", "105",
        "--director", "Kristina Shtubert", "--language", "fi", "--imdb", "tt2407504",
        "--link", "trailer=https://video.example/abode",
        "--website", "https://abode.example")  # fmt: skip
    _ok(cli, "add", "film", HOSTILE, "--year", "2024", "--runtime", "12",
        "--director", "Ann Shin", "--director", "Kristina Shtubert")  # fmt: skip
    _ok(cli, "add", "film", "A Short", "--year", "2025", "--runtime", "9", "--director", "Ann Shin")
    _ok(cli, "add", "programme", "Shorts 1", "--edition", "DocPoint 2026", "--section",
        "Shorts", "--film", HOSTILE, "--film", "A Short", "--note", "Q&A after")  # fmt: skip
    _ok(cli, "add", "selection", "Abode of Dawn", "--edition", "DocPoint 2026",
        "--section", "Competition", "--premiere", "world premiere")  # fmt: skip
    screening = ["add", "screening", "--edition", "DocPoint 2026"]
    _ok(cli, *screening, "Abode of Dawn", "--venue", "Kinopalatsi 7", "--at", "2026-01-28 20:30",
        "--ticket-url", "https://tickets.example/1")  # fmt: skip
    _ok(cli, *screening, "Abode of Dawn", "--venue", "Bio Rex", "--at", "2026-01-29 01:30")
    _ok(
        cli, *screening, "--programme", "Shorts 1", "--venue", "Bio Rex", "--at", "2026-01-29 18:00"
    )
    _ok(cli, *screening, "Abode of Dawn", "--city", "Helsinki", "--at", "2026-01-30 18:00")
    _ok(cli, *screening, "Abode of Dawn", "--venue", "Bio Rex", "--at", "2026-01-30 21:00",
        "--status", "cancelled")  # fmt: skip
    _ok(cli, *screening, "Abode of Dawn", "--venue", "Bio Rex", "--at", "2026-01-30 10:00",
        "--private")  # fmt: skip
    _ok(cli, *screening, "Abode of Dawn", "--venue", "Bio Rex", "--on", "2026-01-30")  # TBA
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(update(tables.film).values(synopsis="A dawn & a <door>."))
    engine.dispose()


def export(cli: Cli, tmp_path: Path, fmt: str, *args: str) -> tuple[Path, str]:
    path = tmp_path / f"schedule.{fmt.removeprefix('frab-')}"
    code, _, err = cli("export", fmt, "--edition", "DocPoint 2026", "--base-url", SITE,
                       "-o", str(path), *args)  # fmt: skip
    assert code == 0, err
    return path, err


def json_events(document: dict[str, Any]) -> dict[int, tuple[str, str, dict[str, Any]]]:
    """Each event by id: (its day's date, its room, the event)."""
    return {
        event["id"]: (day["date"], room, event)
        for day in document["schedule"]["conference"]["days"]
        for room, found in day["rooms"].items()
        for event in found
    }


def test_an_edition_as_frab_json_and_xml_passes_frab_check_and_says_what_apps_need(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    festival(cli, url)
    path, said = export(cli, tmp_path, "frab-json")
    xml_path, _ = export(cli, tmp_path, "frab-xml")
    code, report = frab_check(path, xml_path)
    assert code == 0, report
    assert "1 screening(s) with no time yet left out" in said
    document = json.loads(path.read_text())
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "docpoint_2026"
    assert conference["title"] == "DocPoint 2026"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2026-01-27",
        "2026-01-30",
        4,
    )
    assert conference["time_zone_name"] == "Europe/Helsinki"
    assert conference["url"] == f"{SITE}/editions/docpoint-2026"
    days = conference["days"]
    assert [d["date"] for d in days] == ["2026-01-27", "2026-01-28", "2026-01-29", "2026-01-30"]
    assert days[0]["rooms"] == {}  # the edition's first day, with nothing yet, is listed
    assert days[1]["day_start"] == "2026-01-28T06:00:00+02:00"
    assert days[1]["day_end"] == "2026-01-29T06:00:00+02:00"
    rooms = {r["name"]: r["guid"] for r in conference["rooms"]}
    assert set(rooms) == {"Bio Rex", "Kinopalatsi 7", "Helsinki (venue TBA)"}
    found = json_events(document)
    assert len(found) == 5  # not the private one, not the TBA one
    by_start = {event["date"]: (day, room, event) for day, room, event in found.values()}
    # 01:30 belongs to the festival day before: the day starts at 06:00.
    day, room, late = by_start["2026-01-29T01:30:00+02:00"]
    assert (day, room, late["start"]) == ("2026-01-28", "Bio Rex", "01:30")
    day, room, first = by_start["2026-01-28T20:30:00+02:00"]
    assert first["title"] == "Abode of Dawn"
    assert (first["subtitle"], first["track"], first["type"]) == (
        "Competition",
        "Competition",
        "screening",
    )
    assert first["duration"] == "01:45"
    assert first["end"] == "2026-01-28T22:15:00+02:00"
    assert first["abstract"] == "A dawn & a <door>."
    assert first["language"] == "fi"
    assert [p["public_name"] for p in first["persons"]] == ["Kristina Shtubert"]
    assert [(link["title"], link["type"]) for link in first["links"]] == [
        ("Website", "web"),
        ("IMDb", "web"),
        ("Trailer", "media"),
        ("Tickets", "web"),
    ]
    assert first["url"] == f"{SITE}/screenings/{first['id']}"
    assert "world premiere" in first["description"]
    assert first["slug"] == f"docpoint_2026-{first['id']}-abode-of-dawn-2025"
    assert first["guid"] == str(uuid.UUID(uid_of(url, first["id"]).partition("@")[0]))
    _, room, programme = by_start["2026-01-29T18:00:00+02:00"]
    assert programme["title"] == "Shorts 1"
    assert programme["abstract"] == "Q&A after"
    assert [p["public_name"] for p in programme["persons"]] == ["Ann Shin", "Kristina Shtubert"]
    assert HOSTILE in programme["description"]
    assert programme["language"] is None
    _, room, _ = by_start["2026-01-30T18:00:00+02:00"]
    assert room == "Helsinki (venue TBA)"
    _, _, cancelled = by_start["2026-01-30T21:00:00+02:00"]
    assert cancelled["title"] == "Cancelled: Abode of Dawn"
    same_in_xml(xml_path, found)


def uid_of(url: str, screening_id: int) -> str:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(
            select(tables.screening.c.uid).where(tables.screening.c.id == screening_id)
        )
    engine.dispose()
    return str(found)


def same_in_xml(xml_path: Path, found: dict[int, tuple[str, str, dict[str, Any]]]) -> None:
    """schedule.xml says of each event what schedule.json says."""
    root = ET.parse(xml_path).getroot()
    xml_events = {int(e.get("id") or 0): e for e in root.iter("event")}
    assert set(xml_events) == set(found)
    for number, (day, room, event) in found.items():
        element = xml_events[number]
        assert element.get("guid") == event["guid"]
        assert element.findtext("title") == event["title"]
        assert element.findtext("date") == event["date"]
        assert element.findtext("room") == room
        day_element = next(d for d in root.iter("day") if element in d.iter("event"))
        assert day_element.get("date") == day
        assert [p.text for p in element.iter("person")] == [
            p["public_name"] for p in event["persons"]
        ]


def test_the_version_is_the_schedules_own_and_changes_with_it(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    festival(cli, url)
    first = json.loads(export(cli, tmp_path, "frab-json")[0].read_text())
    xml_first = ET.parse(export(cli, tmp_path, "frab-xml")[0]).getroot().findtext("version")
    # Nothing changed: the same bytes, so the file is left alone.
    path, _ = export(cli, tmp_path, "frab-json")
    assert json.loads(path.read_text()) == first
    # A change in the catalogue that this schedule does not show changes nothing.
    _ok(cli, "add", "venue", "Elsewhere", "--city", "Tampere", "--timezone", "Europe/Helsinki")
    assert json.loads(export(cli, tmp_path, "frab-json")[0].read_text()) == first
    _ok(cli, "edit", "screening", "#1", "--at", "21:00")
    second = json.loads(export(cli, tmp_path, "frab-json")[0].read_text())
    assert second["schedule"]["version"] != first["schedule"]["version"]
    xml_second = ET.parse(export(cli, tmp_path, "frab-xml")[0]).getroot().findtext("version")
    assert xml_second != xml_first
    # Moving the festival day's start moves the 01:30 screening into its own date's day.
    _ok(cli, "edit", "edition", "DocPoint 2026", "--day-starts-at", "")
    third = json.loads(export(cli, tmp_path, "frab-json")[0].read_text())
    late = next(e for e in json_events(third).values() if e[2]["start"] == "01:30")
    assert late[0] == "2026-01-29"
    assert third["schedule"]["conference"]["days"][2]["day_start"] == "2026-01-29T00:00:00+02:00"


def test_a_day_that_starts_in_a_clock_change_holds_every_screening_in_it(
    cli: Cli, tmp_path: Path
) -> None:
    """London skips 01:00-02:00 on 29 March 2026; a day starting at 01:30 starts at the
    change. 00:50 GMT is the day before's; 02:10 BST (after the change) is the 29th's."""
    _ok(cli, "add", "festival", "Nightfest", "--city", "London", "--timezone", "Europe/London")
    _ok(cli, "add", "edition", "Nightfest", "2026", "--from", "2026-03-28", "--to", "2026-03-29")
    _ok(cli, "edit", "edition", "Nightfest 2026", "--day-starts-at", "01:30")
    _ok(cli, "add", "venue", "Rio", "--city", "London", "--timezone", "Europe/London")
    _ok(cli, "add", "film", "Late", "--year", "2025", "--runtime", "30")
    for at in ("2026-03-29 00:50", "2026-03-29 02:10", "2026-03-28 12:00"):
        _ok(cli, "add", "screening", "Late", "--edition", "Nightfest 2026", "--venue", "Rio",
            "--at", at)  # fmt: skip
    path = tmp_path / "night.json"
    _ok(cli, "export", "frab-json", "--edition", "Nightfest 2026", "--base-url", SITE,
        "-o", str(path))  # fmt: skip
    document = json.loads(path.read_text())
    days = {day["date"]: day for day in document["schedule"]["conference"]["days"]}
    assert days["2026-03-29"]["day_start"] == "2026-03-29T02:00:00+01:00"
    placed = {e["start"]: day for day, _, e in json_events(document).values()}
    assert placed == {"00:50": "2026-03-28", "12:00": "2026-03-28", "02:10": "2026-03-29"}
    code, report = frab_check(path)
    assert code == 0, report


def test_without_the_sites_address_the_export_is_refused_and_nothing_written(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    festival(cli, url)
    path = tmp_path / "schedule.json"
    code, _, err = cli("export", "frab-json", "--edition", "DocPoint 2026", "-o", str(path))
    assert code == 2
    assert err.startswith("screenings: error: --base-url: ")
    assert "SCREENINGS_BASE_URL" in err and len(err.splitlines()) == 1
    assert not path.exists()
    code, _, err = cli("export", "frab-xml", "--base-url", "ftp://films.example", "-o", str(path))
    assert (code, err.splitlines()[0][:30]) == (2, "screenings: error: --base-url:")
    code, _, err = cli("export", "ics", "--base-url", SITE)
    assert "--base-url: only for frab schedules" in err


def test_the_server_answers_every_feed_path_as_frab_too(cli: Cli, url: str, tmp_path: Path) -> None:
    festival(cli, url)
    app = FeedApp(load_settings(url, environ={}), base_url=SITE)
    status, headers, body = get(app, "/feeds/editions/docpoint-2026.frab.json")
    assert status == 200, body
    assert headers["content-type"] == "application/json; charset=utf-8"
    document = json.loads(body)
    assert len(json_events(document)) == 5  # public only
    assert all(
        e["url"].startswith(f"{SITE}/screenings/") for _, _, e in json_events(document).values()
    )
    status, headers, xml_body = get(app, "/feeds/venues/bio-rex.frab.xml")
    assert status == 200
    assert headers["content-type"].startswith("application/vnd.c3voc.schedule+xml")
    (tmp_path / "feed.json").write_bytes(body)
    (tmp_path / "feed.xml").write_bytes(xml_body)
    code, report = frab_check(tmp_path / "feed.json", tmp_path / "feed.xml")
    assert code == 0, report
    # The same ETag rules as every feed: a 304 while nothing changed, new bytes after.
    status, _, _ = get(app, "/feeds/editions/docpoint-2026.frab.json",
                           if_none_match=headers_etag(app))  # fmt: skip
    assert status == 304
    _ok(cli, "edit", "screening", "#1", "--at", "21:30")
    status, _, changed = get(app, "/feeds/editions/docpoint-2026.frab.json")
    assert json.loads(changed)["schedule"]["version"] != document["schedule"]["version"]
    # A screening's own address goes to the page that shows it; a private one is unknown.
    status, headers, _ = get(app, "/screenings/1")
    assert (status, headers["location"]) == (302, "/films/abode-of-dawn-2025#screening-1")
    status, headers, _ = get(app, "/screenings/3")
    assert (status, headers["location"]) == (302, "/programmes/docpoint-2026-shorts-1#screening-3")
    private = next(n for n in range(1, 9) if n not in json_events(document) and n != 7)
    assert get(app, f"/screenings/{private}")[0] == 404
    assert get(app, "/screenings/999")[0] == 404


def headers_etag(app: FeedApp) -> str:
    return get(app, "/feeds/editions/docpoint-2026.frab.json")[1]["etag"]


def test_a_secret_feed_shows_its_private_screenings_in_frab_too(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    festival(cli, url)
    code, out, err = cli("feed", "create", "press", "--edition", "DocPoint 2026",
                         "--include-private")  # fmt: skip
    assert code == 0, err
    token = out.strip().rsplit("/", 1)[1].removesuffix(".ics")
    app = FeedApp(load_settings(url, environ={}), base_url=SITE)
    status, headers, body = get(app, f"/feeds/secret/{token}.frab.json")
    assert status == 200, body
    assert headers["cache-control"] == "private, no-store"
    assert len(json_events(json.loads(body))) == 6  # the private one too
    public = json_events(json.loads(get(app, "/feeds/editions/docpoint-2026.frab.json")[2]))
    assert len(public) == 5


def test_import_day_starts_at_is_stored_where_an_edition_has_none_and_kept_where_it_has(
    cli: Cli, tmp_path: Path
) -> None:
    """``--day-starts-at 06:00`` reads a 01:30 row as the next morning's, and makes it the
    festival day's start of the editions the file names that have none; another value
    later reads the file, keeps the stored one, and says so."""
    lineup = write_csv(tmp_path / "lineup.csv", ROWS)
    code, _, err = cli("import", str(lineup), "--timezone", "Europe/London",
                       "--day-starts-at", "06:00")  # fmt: skip
    assert code == 0, err
    _, out, _ = cli("show", "edition", "Sheffield Doc/Fest 2013")
    assert "festival days from 06:00" in out
    code, _, err = cli("import", str(lineup), "--timezone", "Europe/London",
                       "--day-starts-at", "05:00")  # fmt: skip
    assert code == 0, err
    assert "festival day starts at 06:00, as stored" in err
    _, out, _ = cli("list", "editions", "--format", "json")
    assert json.loads(out)["editions"][0]["day_starts_at"] == "06:00:00"
