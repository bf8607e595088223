"""Cost of a VTIMEZONE, as a ratio against icalendar's add_missing_timezones() in the same run.

Usage: python benchmarks/vtimezone.py [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import sys
import timeit
import zoneinfo

from icalendar import Calendar, Event

from screenings.exporters.timezones import render_vtimezone

ZONES = ["America/Toronto", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]


def icalendar_floor(zone_name: str) -> None:
    calendar = Calendar()
    event = Event()
    event.add("UID", "x@bench")
    event.add("DTSTART", dt.datetime(2013, 6, 11, 18, tzinfo=zoneinfo.ZoneInfo(zone_name)))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    calendar.to_ical()


def ours(zone_name: str, first: dt.date, last: dt.date) -> None:
    render_vtimezone(zone_name, first, last).to_ical()


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    header = ("zone", "floor ms", "1 year ms", "ratio", "1970-2037 ms", "ratio")
    print("{:22} {:>9} {:>10} {:>6} {:>13} {:>6}".format(*header))
    for zone in ZONES:
        floor = min(
            timeit.repeat(lambda zone=zone: icalendar_floor(zone), number=1, repeat=repeats)
        )
        year = min(
            timeit.repeat(
                lambda zone=zone: ours(zone, dt.date(2013, 1, 1), dt.date(2013, 12, 31)),
                number=1,
                repeat=repeats,
            )
        )
        span = min(
            timeit.repeat(
                lambda zone=zone: ours(zone, dt.date(1970, 1, 1), dt.date(2037, 12, 31)),
                number=1,
                repeat=max(3, repeats // 4),
            )
        )
        print(
            f"{zone:22} {floor * 1e3:9.2f} {year * 1e3:10.2f} {year / floor:6.2f}"
            f" {span * 1e3:13.1f} {span / floor:6.1f}"
        )


if __name__ == "__main__":
    main()
