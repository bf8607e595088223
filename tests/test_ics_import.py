"""``screenings import feed.ics``: iCalendar feeds in, through the import pipeline, on
SQLite and PostgreSQL: our own feeds come back whole (their X-SCREENINGS-* properties),
and a scraped festival feed (tests/samples/scraped-festival.ics: TZID with no
VTIMEZONE, X-WR-TIMEZONE, a floating time, a shorts block, a ticket link in its
DESCRIPTION, an all-day event, a recurring one) is read leniently."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_frab import HOSTILE, festival
from tests.test_frab_import import call, screenings

Cli = Callable[..., tuple[int, str, str]]
SCRAPED = Path(__file__).parent / "samples" / "scraped-festival.ics"
OCDF = ("--festival", "Open City Documentary Festival", "--year", "2026")


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("SCREENINGS_FEED_DOMAIN", raising=False)
    monkeypatch.delenv("SCREENINGS_TIMEZONE", raising=False)
    return new_url(backend)


@pytest.fixture
def other(backend: str, new_url: Callable[[str], str]) -> str:
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return lambda *args: call(url, capsys, *args)


def first_line(out: str) -> str:
    return out.splitlines()[0]


def test_our_own_feed_comes_back_whole_and_again_unchanged(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    festival(cli, url)
    path = tmp_path / "feed.ics"
    code, _, err = cli("export", "ics", "--edition", "DocPoint 2026", "--include-private",
                       "-o", str(path))  # fmt: skip
    assert code == 0, err
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "7 created" in first_line(out)
    assert screenings(other) == screenings(url)  # times, zones, venues, films, directors, status

    # The films' years, the programme with its films in order, and the edition came back
    # too, from X-SCREENINGS-*.
    def shown(where: str) -> list[tuple[object, ...]]:
        _, listed, _ = call(where, capsys, "list", "--format", "json", "--include-private")
        return [
            (r["local_date"], r["programme"] and r["programme"]["title"],
             [(f["title"], f["year"], f["position"]) for f in r["films"]],
             r["edition"]["festival"], r["visibility"], r["length_minutes"],
             r["duration_minutes"])
            for r in json.loads(listed)["screenings"]
        ]  # fmt: skip

    assert shown(other) == shown(url)
    rows = [r for r in shown(other) if r[1] == "Shorts 1"]
    assert rows[0][2] == [(HOSTILE, 2024, 1), ("A Short", 2025, 2)]
    _, listed, _ = call(other, capsys, "list", "--format", "json", "--include-private")
    rows = json.loads(listed)["screenings"]
    assert {r["edition"]["festival"] for r in rows} == {"DocPoint"}
    assert sum(r["visibility"] == "private" for r in rows) == 1
    code, out, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 7 unchanged" in first_line(out)


def test_a_scraped_festival_feed_is_read_leniently(cli: Cli, url: str) -> None:
    code, out, err = cli("import", str(SCRAPED), *OCDF)
    assert code == 0, err
    assert "8 created" in first_line(out)
    assert "1 recurring event(s) expanded into 3 screening(s)" in err
    assert (
        "name a block of films ('Shorts Programme 2: Cities'): each is a programme of that "
        "title, its films not known yet (never split by guessing)"
    ) in err
    found = {(s[5], str(s[0])): s for s in screenings(url)}
    # TZID=Europe/London with no VTIMEZONE: London's wall time.
    harbour = found["Silent Harbour", "2026-04-09"]
    assert (str(harbour[1]), harbour[2], harbour[3]) == ("18:30:00", "Europe/London", "Curzon Soho")
    assert harbour[8] == "https://tickets.example/ocdf/silent-harbour"
    # A ticket link in the DESCRIPTION, when the event has no URL; a block of films is a
    # programme of that title with a note, its films not known (never split).
    shorts = found[None, "2026-04-10"]
    assert shorts[8] == "https://tickets.example/ocdf/shorts-2"
    _, shown, _ = cli("show", "programme", "Shorts Programme 2: Cities", "--format", "json")
    programme = json.loads(shown)["programme"]
    assert programme["programme"]["films"] == []
    assert "its films are not known yet" in programme["programme"]["notes"]
    # A floating time, in the calendar's X-WR-TIMEZONE; STATUS:CANCELLED.
    river = found["The River Keepers", "2026-04-11"]
    assert (str(river[1]), river[2], river[7]) == ("14:00:00", "Europe/London", "cancelled")
    # An all-day event: a screening whose time is not known.
    assert found["Archive Day", "2026-04-12"][1] is None
    assert {d for title, d in found if title == "Morning Talks"} == {
        "2026-04-09",
        "2026-04-10",
        "2026-04-11",
    }
    _, listed, _ = cli("list", "--format", "json", "--include-private")
    private = [r["film"]["title"] for r in json.loads(listed)["screenings"]
               if r["visibility"] == "private"]  # fmt: skip
    assert private == ["Industry Preview"]
    # Again: every event is unchanged, the occurrences of the recurring one included.
    code, out, err = cli("import", str(SCRAPED), *OCDF)
    assert code == 0, err
    assert "0 created, 0 updated, 0 moved, 8 unchanged" in first_line(out)


def test_a_moved_event_is_followed_by_its_uid_and_sync_cancels_a_dropped_one(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(SCRAPED.read_bytes())
    assert cli("import", str(path), *OCDF)[0] == 0
    text = path.read_bytes().decode()
    text = text.replace("DTSTART;TZID=Europe/London:20260409T183000",
                        "DTSTART;TZID=Europe/London:20260409T190000")  # fmt: skip
    start = text.index("BEGIN:VEVENT\r\nUID:ocdf-2026-004")
    text = text[:start] + text[text.index("END:VEVENT\r\n", start) + len("END:VEVENT\r\n") :]
    path.write_bytes(text.encode())
    code, out, err = cli("import", str(path), *OCDF, "--sync")
    assert code == 0, err
    assert "1 cancelled" in first_line(out)
    found = {(s[5], str(s[0])): s for s in screenings(url)}
    assert str(found["Silent Harbour", "2026-04-09"][1]) == "19:00:00"
    assert len([s for s in found if s[0] == "Silent Harbour"]) == 1  # moved, not doubled
    assert found["Archive Day", "2026-04-12"][7] == "cancelled"
    assert found["Industry Preview", "2026-04-09"][7] == "scheduled"


def test_a_floating_time_with_no_zone_is_refused_by_name(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "feed.ics"
    text = SCRAPED.read_bytes().decode().replace("X-WR-TIMEZONE:Europe/London\r\n", "")
    path.write_bytes(text.encode())
    code, out, err = cli("import", str(path), *OCDF)
    assert code == 2
    assert "event 'The River Keepers': its time is floating" in out + err
    assert "give --timezone" in out + err
    assert screenings(url) == []
    # With --timezone it is read in that zone (one the venue's, as the import's rules
    # want: Europe/Paris would contradict Curzon Soho's London, and be refused).
    code, out, err = cli("import", str(path), *OCDF, "--timezone", "Europe/London")
    assert code == 0, err
    river = next(s for s in screenings(url) if s[5] == "The River Keepers")
    assert (str(river[1]), river[2]) == ("14:00:00", "Europe/London")


def test_a_file_that_is_no_calendar_is_one_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n")
    code, out, err = cli("import", str(path))
    assert code == 2, out
    assert err.startswith(f"screenings: error: {path}: not an iCalendar file: "), err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_tzid_is_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(
        SCRAPED.read_bytes().replace(
            b"DTSTART;TZID=Europe/London:20260409T183000",
            b"DTSTART;TZID=Mars/Olympus:20260409T183000",
        )
    )
    code, out, err = cli("import", str(path), *OCDF)
    assert code == 2
    assert "event 'Silent Harbour': its TZID 'Mars/Olympus' is no zone" in out + err


def test_show_mapping_says_how_a_feed_is_read(cli: Cli) -> None:
    code, out, err = cli("import", str(SCRAPED), "--show-mapping")
    assert code == 0, err
    assert out.splitlines()[:2] == [f"{SCRAPED}: an ics file", "  UID       -> id"]


def test_the_feed_kind_is_told_from_the_content_whatever_the_name(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "lineup.txt"
    path.write_bytes(SCRAPED.read_bytes())
    code, _, err = cli("import", str(path), *OCDF)
    assert code == 0, err
    assert len(screenings(url)) == 8
    assert dt.date(2026, 4, 9) in {s[0] for s in screenings(url)}


def test_broken_events_are_rejected_by_name_never_a_traceback(cli: Cli, tmp_path: Path) -> None:
    """icalendar reads a broken property only when it is used; each broken event is a
    rejected row naming it, and the file is refused whole (exit 2, nothing written)."""
    text = SCRAPED.read_bytes().decode()
    broken = {
        "DTSTART;TZID=Europe/London:20260409T183000": "DTSTART:notadate",
        "RRULE:FREQ=DAILY;COUNT=3": "RRULE:FREQ=SOMETIMES",
        "DTSTART;VALUE=DATE:20260412": "DTSTART;VALUE=DATE:20260412\r\nDTSTART:20260413T100000",
    }
    for old, new in broken.items():
        text = text.replace(old, new)
    path = tmp_path / "feed.ics"
    path.write_bytes(text.encode())
    code, out, err = cli("import", str(path), *OCDF)
    assert code == 2, out + err
    said = out + err
    assert "Traceback" not in said
    assert "event 'Silent Harbour'" in said
    assert "event 'Morning Talks' cannot be read" in said
    assert "event 'Archive Day' has 2 DTSTARTs" in said
    assert "3 rows rejected; nothing was imported" in err


def test_an_override_of_one_occurrence_replaces_it(cli: Cli, url: str, tmp_path: Path) -> None:
    """RECURRENCE-ID: the 10 April Morning Talks moved to 10:30 is that occurrence, moved,
    not a fourth screening; a cancelled occurrence is a cancellation."""
    override = (
        "BEGIN:VEVENT\r\nUID:ocdf-2026-006@scraper.example\r\nDTSTAMP:20260301T090000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/London:20260410T100000\r\n"
        "DTSTART;TZID=Europe/London:20260410T103000\r\nDTEND;TZID=Europe/London:20260410T113000"
        "\r\nSUMMARY:Morning Talks\r\nLOCATION:Festival Hub\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ocdf-2026-006@scraper.example\r\nDTSTAMP:20260301T090000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/London:20260411T100000\r\n"
        "DTSTART;TZID=Europe/London:20260411T100000\r\nDTEND;TZID=Europe/London:20260411T110000"
        "\r\nSUMMARY:Morning Talks\r\nLOCATION:Festival Hub\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
    )
    text = SCRAPED.read_bytes().decode().replace("END:VCALENDAR", override + "END:VCALENDAR")
    path = tmp_path / "feed.ics"
    path.write_bytes(text.encode())
    code, _, err = cli("import", str(path), *OCDF)
    assert code == 0, err
    talks = sorted((str(s[0]), str(s[1]), s[7]) for s in screenings(url) if s[5] == "Morning Talks")
    assert talks == [
        ("2026-04-09", "10:00:00", "scheduled"),
        ("2026-04-10", "10:30:00", "scheduled"),
        ("2026-04-11", "10:00:00", "cancelled"),
    ]


def test_a_hostile_ticket_address_is_refused_as_in_a_spreadsheet(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(
        SCRAPED.read_bytes().replace(
            b"URL:https://tickets.example/ocdf/silent-harbour", b"URL:javascript:alert(1)"
        )
    )
    code, out, err = cli("import", str(path), *OCDF)
    assert code == 2
    assert "column 'URL': event 'Silent Harbour': 'javascript:alert(1)' is not a web address" in (
        out + err
    )


def test_the_seed_catalogues_feed_comes_back_whole(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """data/lineup.csv has a screening whose time is not known: an all-day event, whose
    zone only X-SCREENINGS-TIMEZONE says."""
    data = Path(__file__).resolve().parents[1] / "data" / "lineup.csv"
    code, _, err = cli("import", str(data))
    assert code == 0, err
    path = tmp_path / "seed.ics"
    assert cli("export", "ics", "--include-private", "-o", str(path))[0] == 0
    code, _, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert screenings(other) == screenings(url)


def test_options_for_spreadsheets_are_refused_for_a_feed(cli: Cli) -> None:
    code, _, err = cli("import", str(SCRAPED), "--delimiter", ";")
    assert code == 2
    assert err == (
        f"screenings: error: {SCRAPED}: --delimiter: only for CSV files; this is an iCalendar "
        "feed; nothing was imported\n"
    )


def test_a_start_in_an_hour_that_happens_twice_comes_back_in_its_zone(
    cli: Cli, url: str, other: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """01:30 on 25 October 2026 happens twice in London: the feed writes it in UTC, and
    says its zone in X-SCREENINGS-TIMEZONE, which the import reads it back in."""
    assert cli("add", "venue", "Rio", "--city", "London", "--timezone", "Europe/London")[0] == 0
    assert cli("add", "film", "Late", "--year", "2025")[0] == 0
    code, _, err = cli(
        "add", "screening", "Late", "--venue", "Rio", "--at", "2026-10-25 01:30+01:00"
    )
    assert code == 0, err
    path = tmp_path / "feed.ics"
    assert cli("export", "ics", "-o", str(path))[0] == 0
    text = path.read_text()
    assert "DTSTART:20261025T003000Z" in text and "X-SCREENINGS-TIMEZONE:Europe/London" in text
    code, _, err = call(other, capsys, "import", str(path))
    assert code == 0, err
    assert screenings(other) == screenings(url)
