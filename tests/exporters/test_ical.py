"""The iCalendar writer on its own: escaping, folding, statuses, time zones, any text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from screenings.exporters.ical import fold, render_event, render_ics
from screenings.records import FeedEvent, FeedHeader, ZoneSpan
from tests.icalcheck import ical_check

UTC = dt.UTC
STAMP = dt.datetime(2013, 5, 23, 9, 30, tzinfo=UTC)
HEADER = FeedHeader(
    uid="feed-test@screenings.example",
    title="Tests, with; punctuation\\",
    description="Every text a programmer might type.",
    refresh_minutes=720,
    zones=(
        ZoneSpan("Europe/London", dt.date(2013, 6, 1), dt.date(2013, 6, 30)),
        ZoneSpan("America/Toronto", dt.date(2013, 4, 1), dt.date(2013, 11, 30)),
    ),
)


def event(number: int = 1, **changes: Any) -> FeedEvent:
    base = FeedEvent(
        uid=f"test-{number}@screenings.example",
        sequence=0,
        created_at=STAMP,
        updated_at=STAMP,
        status="scheduled",
        visibility="public",
        kind="regular",
        timezone="Europe/London",
        local_date=dt.date(2013, 6, 14),
        local_time=dt.time(18, 0),
        starts_at_utc=dt.datetime(2013, 6, 14, 17, tzinfo=UTC),
        length_minutes=71,
        film_title="The Defector: Escape from North Korea",
        film_year=2012,
        runtime_minutes=71,
        countries=("Canada",),
        directors=("Ann Shin",),
        website=None,
        links=(),
        festival="Sheffield Doc/Fest",
        edition_year=2013,
        edition_label=None,
        section=None,
        premiere=None,
        venue_name="Showroom Cinema",
        venue_address=None,
        city="Sheffield",
        latitude=None,
        longitude=None,
        audience=None,
        ticket_url=None,
        notes=None,
    )
    return base._replace(**changes)


def parse(*events: FeedEvent, header: FeedHeader = HEADER) -> dict[str, Any]:
    data = b"".join(render_ics(header, events))
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_folding_keeps_lines_to_75_octets_and_characters_whole() -> None:
    line = "DESCRIPTION:" + "é" * 100 + "🎬" * 30
    folded = fold(line).encode()
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    for piece in physical:
        piece.decode()  # no piece ends or starts inside a character
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode() == line
    assert fold("SHORT:x") == "SHORT:x\r\n"
    ascii_line = "DESCRIPTION:" + "word " * 40
    assert fold(ascii_line).replace("\r\n ", "") == ascii_line + "\r\n"
    assert all(len(p) <= 75 for p in fold(ascii_line).split("\r\n"))


def test_statuses_and_the_postponed_summary() -> None:
    found = parse(
        event(1, status="tentative"),
        event(2, status="cancelled", sequence=3),
        event(3, status="postponed"),
    )
    assert [str(e["STATUS"]) for e in found.values()] == ["TENTATIVE", "CANCELLED", "CANCELLED"]
    assert str(found["test-3@screenings.example"]["SUMMARY"]).startswith("Postponed: ")
    assert int(found["test-2@screenings.example"]["SEQUENCE"]) == 3


def test_special_and_private_screenings_are_marked() -> None:
    found = parse(
        event(1, festival=None, edition_year=None, kind="regular"),
        event(2, kind="gala", visibility="private"),
    )
    summaries = [str(e["SUMMARY"]) for e in found.values()]
    assert summaries == [
        "The Defector: Escape from North Korea (special screening)",
        "The Defector: Escape from North Korea (gala screening, private)",
    ]
    assert str(found["test-2@screenings.example"]["CLASS"]) == "PRIVATE"


def test_a_start_in_the_repeated_hour_is_written_in_utc(tmp_path: Path) -> None:
    # London, 27 October 2024: 01:30 happens twice. ical.js and libical read
    # "DTSTART;TZID=Europe/London:20241027T013000" as the second (01:30 GMT),
    # icalendar and vobject as the first (00:30 UTC, what was stored).
    start = dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    day = dt.date(2024, 10, 27)
    header = HEADER._replace(zones=(ZoneSpan("Europe/London", day, day),))
    twice = event(local_date=day, local_time=dt.time(1, 30), starts_at_utc=start)
    (only,) = parse(twice, header=header).values()
    assert only.decoded("DTSTART") == start and "TZID" not in only["DTSTART"].params
    assert only.decoded("DTEND") == start + dt.timedelta(minutes=71)
    path = tmp_path / "twice.ics"
    path.write_bytes(b"".join(render_ics(header, [twice])))
    code, report = ical_check(path)
    assert code == 0, report


def test_an_end_in_the_repeated_hour_is_written_in_utc() -> None:
    # Toronto, 3 November 2013: clocks go back from 02:00 EDT to 01:00 EST. A 00:30
    # screening of 90 minutes ends at 01:00 EST, the second 01:00 of the night.
    start = dt.datetime(2013, 11, 3, 4, 30, tzinfo=UTC)
    found = parse(
        event(
            timezone="America/Toronto",
            local_date=dt.date(2013, 11, 3),
            local_time=dt.time(0, 30),
            starts_at_utc=start,
            length_minutes=90,
        )
    )
    (only,) = found.values()
    assert only.decoded("DTEND") == start + dt.timedelta(minutes=90)
    assert only.decoded("DTSTART").utcoffset() == dt.timedelta(hours=-4)


def test_geo_location_url_and_categories() -> None:
    found = parse(
        event(
            venue_address="15 Paternoster Row",
            latitude=53.3781,
            longitude=-1.4659,
            ticket_url="https://example.org/tickets?a=1,2;b",
            section="Innovation, new",
        )
    )
    (only,) = found.values()
    assert str(only["LOCATION"]) == "Showroom Cinema, 15 Paternoster Row, Sheffield"
    assert (only["GEO"].latitude, only["GEO"].longitude) == (53.3781, -1.4659)
    assert str(only["URL"]) == "https://example.org/tickets?a=1,2;b"
    assert only["CATEGORIES"].cats == ["Sheffield Doc/Fest", "Innovation, new", "regular"]


# --- Any text survives -------------------------------------------------------------

# What the README promises: control characters removed, CR and CRLF become line
# feeds, a tab a space, everything else exactly as typed. Written out again here,
# independently of the exporter's own code.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def promised(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROLS.sub("", text)


NASTY = [
    'comma, semicolon; backslash\\ quote" colon: done',
    "line\r\nbreaks\rand\nmore\n",
    "\\n is not a line break, \\; nor \\, these",
    "🎬🍿 emoji 👩🏽‍💻 and flags 🇨🇦",
    "مرحبا بالعالم - שלום עולם - mixed \u200frtl\u200e marks",
    "x" * 74 + "é" + "y" * 300,
    "\x00nul\x07bell\x1bescape\x7fdel\x85nel\tend",
    "\u2028line separator\u2029paragraph separator",
    "  leading and trailing spaces  ",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
)
TITLE = TEXT.filter(lambda t: promised(t).strip() != "")


_NOT_IN_URI = re.compile("[\x00-\x20\x7f-\x9f]")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def _collect(collected: list[tuple[FeedEvent, dict[str, Any]]], data: st.DataObject) -> None:
    number = len(collected) + 1
    texts = {
        name: data.draw(TITLE)
        for name in ("film_title", "venue_name", "festival", "section", "audience", "label")
    }
    notes, url = data.draw(TEXT), data.draw(TEXT)
    item = event(
        number,
        film_title=texts["film_title"],
        notes=notes or None,
        venue_name=texts["venue_name"],
        city=None,
        festival=texts["festival"],
        section=texts["section"],
        audience=texts["audience"],
        edition_label=texts["label"],
        ticket_url=url or None,
        directors=(),
        film_year=None,
        runtime_minutes=None,
        countries=(),
    )
    render_event(item)  # every example renders
    expected: dict[str, Any] = {name: promised(text) for name, text in texts.items()}
    # Categories: festival, section and kind, each once.
    parts = dict.fromkeys([texts["festival"], texts["section"], "regular"])
    expected["categories"] = [promised(part) for part in parts]
    expected["notes"] = promised(notes)
    # A URL is a URI: no whitespace or control character, the rest percent-encoded.
    expected["url"] = quote(_NOT_IN_URI.sub("", url), safe=":/?#[]@!$&'()*+,;=-._~%")
    collected.append((item, expected))


def test_any_text_survives_escaping_and_folding(tmp_path: Path) -> None:
    collected: list[tuple[FeedEvent, dict[str, Any]]] = []
    _collect(collected)
    path = tmp_path / "texts.ics"
    path.write_bytes(b"".join(render_ics(HEADER, [item for item, _ in collected])))
    code, report = ical_check(path)
    assert code == 0, report
    read = {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    assert len(read) == len(collected)
    for item, expected in collected:
        parsed = read[item.uid]
        assert str(parsed["SUMMARY"]) == expected["film_title"]
        assert str(parsed["LOCATION"]) == expected["venue_name"]
        assert parsed["CATEGORIES"].cats == expected["categories"]
        description = str(parsed["DESCRIPTION"])
        edition = f"{expected['festival']} 2013 ({expected['label']}) · {expected['section']}"
        assert edition in description
        assert f"For: {expected['audience']}" in description
        if expected["notes"]:
            assert f"\n\n{expected['notes']}\n\n" in description + "\n\n"
        if expected["url"]:
            assert str(parsed["URL"]) == expected["url"]
        else:
            assert "URL" not in parsed
    for line in path.read_bytes().split(b"\r\n"):
        assert len(line) <= 75
