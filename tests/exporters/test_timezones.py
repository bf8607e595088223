"""VTIMEZONE: what we write is read the same way by ical.js, libical, icalendar and vobject."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, Timezone

from screenings.errors import InvalidInput
from screenings.exporters.timezones import render_vtimezone, zone_transitions
from tests.icalcheck import ical_check

UTC = dt.UTC
STAMP = dt.datetime(2013, 5, 23, tzinfo=UTC)

# Awkward on purpose: half- and quarter-hour offsets, 30-minute and 2-hour DST,
# the southern hemisphere, negative DST, zones whose rules changed, a skipped
# day, an offset with seconds, and the festival cities of the seed story.
MATRIX_ZONES = [
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Eucla",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Asuncion",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Europe/Moscow",
    "Asia/Tehran",
    "America/Mexico_City",
    "America/St_Johns",
    "America/Caracas",
    "Asia/Pyongyang",
    "Asia/Colombo",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Antarctica/Troll",
    "America/Havana",
    "Asia/Gaza",
    "Africa/Cairo",
    "Europe/Istanbul",
    "America/Nuuk",
    "Africa/Monrovia",  # from 1972 only: see test_an_offset_with_seconds_is_written_exactly
    "America/Adak",
    "Asia/Dhaka",
    "UTC",
    "Etc/GMT+12",
    # The seed story's festivals: IDFA, Hot Docs, IFFBoston, London, Sheffield.
    "Europe/Amsterdam",
    "America/Toronto",
    "America/New_York",
    "Europe/London",
]


def calendar_with(
    zone_name: str, starts: Iterable[dt.datetime], vtimezone: Timezone | None
) -> bytes:
    """A calendar with one hour-long VEVENT per local start in ``zone_name``."""
    zone = zoneinfo.ZoneInfo(zone_name)
    calendar = Calendar()
    calendar.add("PRODID", "-//screenings//tests//EN")
    calendar.add("VERSION", "2.0")
    if vtimezone is not None:
        calendar.add_component(vtimezone)
    slug = zone_name.replace("/", "-").lower()
    for n, start in enumerate(sorted(starts)):
        event = Event()
        event.add("UID", f"{slug}-{n}@tests.screenings")
        event.add("DTSTAMP", STAMP)
        event.add("DTSTART", start.replace(tzinfo=zone))
        event.add("DTEND", (start + dt.timedelta(hours=1)).replace(tzinfo=zone))
        event.add("SUMMARY", f"{zone_name} {start:%Y-%m-%d %H:%M}")
        calendar.add_component(event)
    return calendar.to_ical()


def unambiguous(zone: dt.tzinfo, local: dt.datetime) -> bool:
    """True when the wall time happens exactly once (parsers may differ on the others)."""
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return False
    return first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def matrix_starts(zone_name: str) -> list[dt.datetime]:
    """Wall times over 1970-2037: mid-winter and mid-summer of every year, and around
    (up to 40 of) the transitions: the days either side, and the hours either side."""
    zone = zoneinfo.ZoneInfo(zone_name)
    starts = {dt.datetime(year, month, 15, 12, 0) for year in range(1970, 2038) for month in (1, 7)}
    transitions = zone_transitions(
        zone_name, dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(2038, 1, 1, tzinfo=UTC)
    )[1:]
    step = max(1, len(transitions) // 40)
    for transition in transitions[::step]:
        wall = transition.at.astimezone(zone).replace(tzinfo=None, second=0)
        for delta in (-1, 1):
            starts.add((wall + dt.timedelta(days=delta)).replace(hour=12, minute=0))
        for hours in (-2, -1, 1, 2):
            starts.add(wall + dt.timedelta(hours=hours))
    since = MATRIX_SINCE.get(zone_name, dt.datetime.min)
    return sorted(s for s in starts if unambiguous(zone, s) and s >= since)


# Before 1972 Monrovia ran 44 minutes 30 seconds behind UTC. RFC 5545 offsets
# may carry seconds, and libical reads them, but ical.js and vobject drop them.
MATRIX_SINCE = {"Africa/Monrovia": dt.datetime(1972, 1, 8)}


def test_matrix_every_parser_agrees_with_the_zone_database(tmp_path: Path) -> None:
    files = []
    for zone_name in MATRIX_ZONES:
        starts = matrix_starts(zone_name)
        vtimezone = render_vtimezone(zone_name, dt.date(1970, 1, 1), dt.date(2037, 12, 31))
        path = tmp_path / (zone_name.replace("/", "-") + ".ics")
        path.write_bytes(calendar_with(zone_name, starts, vtimezone))
        files.append(path)
    assert len(files) >= 30
    code, report = ical_check(*files)
    assert code == 0, report
    assert f"files: {len(files)} passed, 0 failed" in report


TORONTO_2013 = [
    dt.datetime(2013, 4, 27, 21, 30),  # Hot Docs: The Defector's first screening
    dt.datetime(2013, 4, 29, 13, 0),
    dt.datetime(2013, 5, 4, 18, 45),
    dt.datetime(2013, 11, 2, 12, 0),
    dt.datetime(2013, 11, 4, 12, 0),
]


def test_toronto_2013_regression_icalendar_rdates_fail_ours_pass(tmp_path: Path) -> None:
    theirs = Calendar.from_ical(calendar_with("America/Toronto", TORONTO_2013, None))
    theirs.add_missing_timezones()
    (tmp_path / "theirs.ics").write_bytes(theirs.to_ical())
    ours = render_vtimezone("America/Toronto", dt.date(2013, 4, 25), dt.date(2013, 11, 4))
    (tmp_path / "ours.ics").write_bytes(calendar_with("America/Toronto", TORONTO_2013, ours))

    code, report = ical_check(tmp_path / "theirs.ics")
    assert code == 1
    assert "FAIL  agreement   UID=america-toronto-0@tests.screenings DTSTART" in report
    assert "ical.js 2013-04-28T02:30:00Z" in report  # an hour late in Thunderbird

    code, report = ical_check(tmp_path / "ours.ics")
    assert code == 0, report
    assert "5 timed DTSTARTs agree across ical.js, libical, icalendar, vobject" in report


def offset_from_blocks(vtimezone: Timezone, instant: dt.datetime) -> dt.timedelta:
    """The offset a VTIMEZONE itself defines at ``instant``, read as RFC 5545 says.

    Each block's onset is its DTSTART, a wall time in its TZOFFSETFROM; from
    there until the next onset the offset is its TZOFFSETTO.
    """
    onsets = []
    for block in vtimezone.subcomponents:
        local = block.decoded("DTSTART")
        before = block["TZOFFSETFROM"].td
        onsets.append(((local - before).replace(tzinfo=UTC), block["TZOFFSETTO"].td))
    onsets.sort()
    assert onsets[0][0] <= instant, "the VTIMEZONE must cover the range it was made for"
    return [offset for onset, offset in onsets if onset <= instant][-1]


ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2037, 12, 31))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone_name=st.sampled_from(ZONES),
    first=DATES,
    span=st.integers(min_value=0, max_value=3 * 366),
    moments=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=20),
)
def test_the_blocks_define_the_zone_databases_offset(
    zone_name: str, first: dt.date, span: int, moments: list[float]
) -> None:
    last = first + dt.timedelta(days=span)
    written = render_vtimezone(zone_name, first, last).to_ical()
    vtimezone = Timezone.from_ical(written)  # read back what a client gets
    zone = zoneinfo.ZoneInfo(zone_name)
    start = dt.datetime.combine(first, dt.time(), tzinfo=UTC)
    length = dt.timedelta(days=span + 1)
    for moment in moments:
        instant = (start + length * moment).replace(microsecond=0)
        assert offset_from_blocks(vtimezone, instant) == instant.astimezone(zone).utcoffset()
    # Each block's claim, to the second: the old offset until its onset, the new one from it.
    for block in vtimezone.subcomponents:
        onset = (block.decoded("DTSTART") - block["TZOFFSETFROM"].td).replace(tzinfo=UTC)
        before = (onset - dt.timedelta(seconds=1)).astimezone(zone).utcoffset()
        assert onset.astimezone(zone).utcoffset() == block["TZOFFSETTO"].td
        if block["TZOFFSETFROM"].td != block["TZOFFSETTO"].td:
            assert before == block["TZOFFSETFROM"].td


def test_the_same_zone_and_range_give_the_same_bytes() -> None:
    first = render_vtimezone("America/Toronto", dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    second = render_vtimezone("America/Toronto", dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    assert first.to_ical() == second.to_ical()


def test_a_feed_gets_only_the_transitions_it_needs() -> None:
    vtimezone = render_vtimezone("Europe/London", dt.date(2013, 6, 11), dt.date(2013, 6, 16))
    blocks = [(b.name, b.decoded("DTSTART")) for b in vtimezone.subcomponents]
    # What the clocks read a year before, then each change up to a year after.
    assert blocks == [
        ("DAYLIGHT", dt.datetime(2012, 6, 10, 0, 0)),
        ("STANDARD", dt.datetime(2012, 10, 28, 2, 0)),
        ("DAYLIGHT", dt.datetime(2013, 3, 31, 1, 0)),
        ("STANDARD", dt.datetime(2013, 10, 27, 2, 0)),
        ("DAYLIGHT", dt.datetime(2014, 3, 30, 1, 0)),
    ]
    text = vtimezone.to_ical().decode()
    assert "RDATE" not in text
    assert "RRULE" not in text


@pytest.mark.parametrize(
    ("zone_name", "day", "offset", "name"),
    [
        ("Asia/Kolkata", dt.date(2013, 6, 11), "+0530", "IST"),  # never had DST since
        ("America/Sao_Paulo", dt.date(2024, 1, 10), "-0300", "-03"),  # dropped DST in 2019
        ("Europe/Moscow", dt.date(2020, 1, 10), "+0300", "MSK"),  # dropped DST in 2011
        ("UTC", dt.date(2013, 6, 11), "+0000", "UTC"),
    ],
)
def test_a_range_with_no_transition_still_gets_a_valid_zone(
    zone_name: str, day: dt.date, offset: str, name: str
) -> None:
    text = render_vtimezone(zone_name, day, day).to_ical().decode()
    assert text.count("BEGIN:STANDARD") == 1
    assert "BEGIN:DAYLIGHT" not in text
    assert f"TZOFFSETFROM:{offset}\r\n" in text
    assert f"TZOFFSETTO:{offset}\r\n" in text
    assert f"TZNAME:{name}\r\n" in text


def test_an_offset_with_seconds_is_written_exactly() -> None:
    text = render_vtimezone("Africa/Monrovia", dt.date(1971, 6, 1), dt.date(1971, 6, 1)).to_ical()
    assert b"TZOFFSETFROM:-004430\r\nTZOFFSETTO:+0000\r\n" in text


def test_irish_winter_time_is_standard_and_summer_time_daylight() -> None:
    # tzdata calls Irish winter time a negative DST; calendar apps expect the opposite.
    vtimezone = render_vtimezone("Europe/Dublin", dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    kinds = {(b.name, str(b["TZNAME"])) for b in vtimezone.subcomponents}
    assert kinds == {("STANDARD", "GMT"), ("DAYLIGHT", "IST")}


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone 'Europe/Sheffield'"):
        render_vtimezone("Europe/Sheffield", dt.date(2013, 6, 12), dt.date(2013, 6, 16))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["Europe/London", "Africa/Casablanca", "Australia/Lord_Howe", "Asia/Gaza"]),
    st.lists(st.tuples(st.integers(0, 25_000), st.integers(1, 3_000)), min_size=1, max_size=4),
)
def test_a_zone_scanned_once_answers_any_range_as_a_scan_of_it_alone(
    zone: str, ranges: list[tuple[int, int]]
) -> None:
    # A split export asks for one zone over many ranges, in any order: each answer must
    # be what scanning that range alone gives, transitions at the seams included.
    from screenings.exporters import timezones

    timezones._SCANNED.pop(zone, None)
    for offset, days in ranges:
        start = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(days=offset, hours=offset % 24)
        end = start + dt.timedelta(days=days)
        assert zone_transitions(zone, start, end) == timezones._scan(zone, start, end)
