"""Times as people mean them: IANA zones and local wall times -> aware UTC instants.

A screening's truth is its local date, its local time (when known) and its
zone; the UTC instant is derived from them here and nowhere else. Light on
purpose: dateutil's parser, when a function needs it, is imported inside
that function.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from screenings.errors import InvalidInput

UTC = dt.UTC


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def load_zone(name: str, *, what: str = "time zone") -> ZoneInfo:
    """The IANA zone called ``name`` (exact spelling, e.g. ``Europe/London``).

    Raises ``InvalidInput`` naming ``what`` and the value when the zone database
    has no such zone.
    """
    zone = _zone(name) if name and name == name.strip() else None
    if zone is None or name.upper() in {"LOCALTIME"}:
        raise InvalidInput(
            f"{what}: unknown time zone {name!r}; expected an IANA name such as 'Europe/London'"
        )
    return zone


def wall_to_utc(day: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """The UTC instant of the wall time ``day time`` in ``zone_name``.

    A wall time that happens twice (clocks go back) is the first of the two,
    as a printed programme means it. A wall time that never happens (clocks
    go forward) is refused with ``InvalidInput`` rather than silently moved.
    """
    zone = load_zone(zone_name)
    local = dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(
            f"time: {day.isoformat()} {time.strftime('%H:%M')} does not exist in {zone_name} "
            "(the clocks go forward then)"
        )
    return instant


def utc_to_wall(instant: dt.datetime, zone_name: str) -> dt.datetime:
    """The aware local datetime in ``zone_name`` of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("utc_to_wall needs an aware datetime")
    return instant.astimezone(load_zone(zone_name))
