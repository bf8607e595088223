"""VTIMEZONE components that every calendar parser reads the same way.

icalendar's ``Calendar.add_missing_timezones()`` describes a zone with one
STANDARD and one DAYLIGHT block carrying long RDATE lists. Thunderbird's
ical.js and vobject ignore those RDATEs and read every summer time of, say,
America/Toronto an hour off (tests/exporters/test_timezones.py shows it).
This module writes the same information in the plainest form RFC 5545
offers, which all of them read alike: one STANDARD or DAYLIGHT block per
transition, each with a single DTSTART and no RDATE or RRULE, limited to the
dates a feed covers plus a margin.

The transitions come from the zone database through ``zoneinfo`` (tzdata),
so the file says exactly what ``zoneinfo`` says. Pure and deterministic: the
same zone and range give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from screenings.timeparse import UTC, load_zone

if TYPE_CHECKING:
    from icalendar import Timezone

# Transitions are looked for this far either side of the range a feed covers,
# so an event at the edge (or a client that pads its view) is still covered.
MARGIN = dt.timedelta(days=366)
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = dt.datetime(2200, 1, 1, tzinfo=UTC)
# The zone is sampled at this step, then each change is bisected to the second.
# No zone since 1900 has changed twice within half a day.
_STEP = dt.timedelta(hours=12)
_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Period:
    """What a zone's clocks say from one instant on: offset from UTC, DST part, abbreviation."""

    offset: dt.timedelta
    dst: dt.timedelta
    name: str


@dataclass(frozen=True)
class Transition:
    """The clocks change at ``at`` (UTC) from ``before`` to ``after``."""

    at: dt.datetime
    before: Period
    after: Period

    @property
    def local_start(self) -> dt.datetime:
        """The onset as RFC 5545 wants it: a wall time in the offset in force before."""
        return (self.at + self.before.offset).replace(tzinfo=None)


def _period(zone: ZoneInfo, instant: dt.datetime) -> Period:
    local = instant.astimezone(zone)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None and dst is not None
    return Period(offset, dst, local.tzname() or "")


def zone_transitions(zone_name: str, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """Every change of the zone's offset, DST flag or abbreviation after ``start`` and up
    to ``end``, oldest first.

    ``start`` and ``end`` are aware instants. The period in force at
    ``start`` opens the list as a transition to itself at ``start``, so the
    list always says what the clocks read from ``start`` on, even for a zone
    that never changes.

    The zone is scanned once per process (a split export asks for one zone
    hundreds of times): a request beyond what was scanned scans only the part
    missing, and each answer is a slice of the whole, the same list a scan of
    [start, end] alone gives, since every transition is found to the second
    whatever the grid of the scan.
    """
    known = _SCANNED.get(zone_name)
    if known is None:
        known = _SCANNED[zone_name] = (start, end, _scan(zone_name, start, end))
    if start < known[0]:
        # The scan of [start, known start] ends with what the known list opens with.
        earlier = _scan(zone_name, start, known[0])
        known = _SCANNED[zone_name] = (start, known[1], earlier + known[2][1:])
    if end > known[1]:
        later = _scan(zone_name, known[1], end)
        known = _SCANNED[zone_name] = (known[0], end, known[2] + later[1:])
    transitions = known[2]
    first = bisect_right(transitions, start, key=lambda t: t.at) - 1
    current = transitions[first].after
    found = [Transition(start, current, current)]
    for transition in transitions[first + 1 :]:
        if transition.at > end:
            break
        found.append(transition)
    return found


_SCANNED: dict[str, tuple[dt.datetime, dt.datetime, list[Transition]]] = {}


def _scan(zone_name: str, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    zone = load_zone(zone_name)
    current = _period(zone, start)
    found = [Transition(start, current, current)]
    low = start
    # The scan compares plain tuples: a Period is made only where the clocks change.
    reading = _reading(zone, start)
    while low < end:
        high = min(low + _STEP, end)
        if _reading(zone, high) != reading:
            at = _bisect(zone, low, high, current)
            after = _period(zone, at)
            found.append(Transition(at, current, after))
            current, low, reading = after, at, _reading(zone, at)
        else:
            low = high
    return found


def _reading(zone: ZoneInfo, instant: dt.datetime) -> tuple[object, ...]:
    local = instant.astimezone(zone)
    return (local.utcoffset(), local.dst(), local.tzname())


def _bisect(zone: ZoneInfo, low: dt.datetime, high: dt.datetime, before: Period) -> dt.datetime:
    """The first second in (low, high] at which the zone is no longer in ``before``."""
    while high - low > _SECOND:
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + _SECOND
        if _period(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


def _is_daylight(period: Period, negative_dst_standards: set[dt.timedelta]) -> bool:
    # tzdata marks Irish winter time (and Morocco's Ramadan time) as a
    # negative DST. Calendar apps expect the rearguard reading: the lower
    # offset is STANDARD and the higher one DAYLIGHT.
    if period.dst > dt.timedelta(0):
        return True
    return period.dst == dt.timedelta(0) and period.offset in negative_dst_standards


def render_vtimezone(zone_name: str, first: dt.date, last: dt.date) -> Timezone:
    """A VTIMEZONE for ``zone_name`` that covers the dates ``first`` to ``last`` (with a margin).

    One STANDARD or DAYLIGHT block per transition (no RDATE, no RRULE), the
    first block saying what the clocks read at the start of the margin.
    Raises ``InvalidInput`` for a zone the zone database does not know.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    if last < first:
        first, last = last, first
    zone = load_zone(zone_name)
    # The first block opens at a local midnight, which reads better than any instant.
    start = _clamp(dt.datetime.combine(first - MARGIN, dt.time(), tzinfo=zone).astimezone(UTC))
    end = _clamp(dt.datetime.combine(last + MARGIN, dt.time(), tzinfo=UTC))
    transitions = zone_transitions(zone_name, start, end)
    negative = {t.after.offset - t.after.dst for t in transitions if t.after.dst < dt.timedelta(0)}

    timezone = Timezone()
    timezone.add("TZID", zone_name)
    for transition in transitions:
        after = transition.after
        block = TimezoneDaylight() if _is_daylight(after, negative) else TimezoneStandard()
        block.add("DTSTART", transition.local_start)
        block.add("TZOFFSETFROM", transition.before.offset)
        block.add("TZOFFSETTO", after.offset)
        if after.name:
            block.add("TZNAME", after.name)
        timezone.add_component(block)
    return timezone


def _clamp(instant: dt.datetime) -> dt.datetime:
    return min(max(instant, _EARLIEST), _LATEST)
