"""Times as people mean them: IANA zones and local wall times -> aware UTC instants.

A screening's truth is its local date, its local time (when known) and its
zone; the UTC instant is derived from them here and nowhere else. Light on
purpose: dateutil's parser, when a function needs it, is imported inside
that function.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from screenings import rules
from screenings.errors import InvalidInput
from screenings.rules import canonical_zone

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
            f"unknown time zone {name!r}; expected an IANA name such as 'Europe/London'",
            field=what,
        )
    return zone


def zone_name(text: str, *, what: str = "time zone") -> str:
    """The IANA name ``text`` means, as the catalogue keeps it (``rules.canonical_zone``:
    ``europe/amsterdam`` -> ``Europe/Amsterdam``, ``US/Eastern`` -> ``America/New_York``);
    ``InvalidInput`` when there is none."""
    return canonical_zone(text, what=what)


@lru_cache(maxsize=8192)  # a lineup repeats its days, times and zones
def wall_to_utc(day: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """The UTC instant of the wall time ``day time`` in ``zone_name``.

    A wall time that happens twice (clocks go back) is the first of the two,
    as a printed programme means it. A wall time that never happens (clocks
    go forward) is refused with ``InvalidInput`` rather than silently moved.
    """
    wall = dt.datetime.combine(day, time.replace(tzinfo=None))
    zone = load_zone(zone_name)
    offset = wall.replace(tzinfo=zone).utcoffset()
    if offset is not None and offset == wall.replace(tzinfo=zone, fold=1).utcoffset():
        # Both folds agree: no change of the clocks here, the wall time happens once.
        return (wall - offset).replace(tzinfo=UTC)
    readings = _readings(wall, zone_name)
    if not readings:
        raise _gap(wall, zone_name, "time")
    return next(iter(readings.values())).astimezone(UTC)


def _readings(wall: dt.datetime, zone_name: str) -> dict[dt.timedelta, dt.datetime]:
    """The aware datetimes a wall time can be in a zone, by UTC offset, earliest first:
    none in a gap, two in an overlap, one otherwise."""
    zone = load_zone(zone_name)
    readings: dict[dt.timedelta, dt.datetime] = {}
    for fold in (0, 1):
        local = wall.replace(tzinfo=zone, fold=fold)
        offset = local.utcoffset()
        back = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back == wall and offset is not None:
            readings.setdefault(offset, local)
    return readings


def _gap(wall: dt.datetime, zone_name: str, what: str) -> InvalidInput:
    zone = load_zone(zone_name)
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    assert before is not None and after is not None
    # The two instants someone might have meant, as the clocks showed them.
    early = (wall - max(before, after)).replace(tzinfo=UTC).astimezone(zone)
    late = (wall - min(before, after)).replace(tzinfo=UTC).astimezone(zone)
    return InvalidInput(
        f"{wall:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks go forward "
        f"from {_offset_text(min(before, after))} to {_offset_text(max(before, after))} then; "
        f"did you mean {early:%H:%M} ({_offset_text(early.utcoffset())}) or "
        f"{late:%H:%M} ({_offset_text(late.utcoffset())})?",
        field=what,
    )


# --- Dates and times as people type them ------------------------------------
#
# ISO and numeric forms are read here, never by dateutil: with dayfirst=True it
# reads ISO dates wrongly (2005-05-03 becomes 5 March, dateutil #268, #402,
# #1448) and it swaps day and month when the requested order is impossible.
# Only forms with a month name go to dateutil, and whatever it fills in from
# its default (a missing year, day or time) is caught by parsing twice with two
# different defaults.
# The patterns are compiled on first use (re caches them), not at import.

_ISO = (
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC_NO_YEAR = r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})$"
_YMD = r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})$"
_NUMERIC = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{2,4})$"
_TIME = r"^(?P<h>\d{1,2})(?:[:h.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$"
# "14 June 2013" and "June 14, 2013": the common forms with a month name, read without
# dateutil (anything else with a month name still goes to it).
_DAY_MONTH_YEAR = r"^(?P<d>\d{1,2})(?:st|nd|rd|th)? (?P<month>[a-z]{3,9})\.?,? (?P<y>\d{4})$"
_MONTH_DAY_YEAR = r"^(?P<month>[a-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})$"
_SHIFT = r"^(?P<sign>[+-])(?P<n>\d{1,4})\s*(?P<unit>d|w|days?|weeks?)$"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# The years a screening can have: the same bounds as the catalogue's CHECK constraints.
MIN_YEAR, MAX_YEAR = rules.MIN_YEAR, rules.MAX_YEAR
_NUMERIC_ORDER_HINT = "pass --dayfirst or --monthfirst, or set SCREENINGS_DATE_ORDER"


@dataclass(frozen=True)
class When:
    """A date, and a time when one was given, and a UTC offset when one was written."""

    day: dt.date
    time: dt.time | None = None
    offset: dt.timedelta | None = None
    note: str | None = None  # what a context supplied, to be said in the output


@dataclass(frozen=True)
class DateRange:
    """Local dates from ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date


# Words a programme writes for a time not known yet: the screening is at "time TBA".
UNKNOWN_TIMES = frozenset(
    {"tba", "tbc", "tbd", "time tba", "to be announced", "to be confirmed", "?"}
)


def time_unknown(text: str) -> bool:
    """True for the words that say a time is not known yet (``TBA``, ``TBA.``, ``to be
    confirmed``), whichever door reads them: an edit's ``--at`` and a lineup's cell."""
    return " ".join(text.split()).lower().rstrip(".") in UNKNOWN_TIMES


def looks_like_time(text: str) -> bool:
    """True for a text written as a time of day (``18:00``, ``6pm``), whether or not it is
    one (``25:00`` is written as one): ``parse_time`` says what is wrong with it."""
    match = re.match(_TIME, text.strip().lower())
    return match is not None and (match["m"] is not None or match["ampm"] is not None)


def parse_time(text: str, *, what: str = "time") -> dt.time:
    """``18:00``, ``18.30``, ``18h30``, ``6pm``, ``6:30 pm`` -> a time; anything else is
    refused, saying what is wrong with a time that is none (``25:00``, ``18:60``)."""
    match = re.match(_TIME, text.strip().lower())
    if not match or (match["m"] is None and match["ampm"] is None):
        raise InvalidInput(
            f"cannot read {text[:80]!r} as a time; expected e.g. 18:00 or 6pm",
            field=what,
        )
    hour, minute = int(match["h"]), int(match["m"] or 0)
    second = int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise InvalidInput(
                f"{text!r} has an hour of {hour} with am/pm; expected 1 to 12",
                field=what,
            )
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    for value, unit, last in ((hour, "hour", 23), (minute, "minute", 59), (second, "second", 59)):
        if value > last:
            raise InvalidInput(
                f"{text!r} is not a time of day: its {unit} is {value}; expected 00 to {last}",
                field=what,
            )
    return dt.time(hour, minute, second)


def parse_when(  # noqa: C901, PLR0913 -- each written form of a date, tried in order; the reading's context
    text: str,
    *,
    what: str = "date",
    dayfirst: bool | None = None,
    today: dt.date | None = None,
    year: int | None = None,
    order_said: str = "order set here",
    within: tuple[str, DateRange | None] | None = None,
) -> When:
    """A date, optionally with a time and an offset, read strictly.

    ``dayfirst`` is the user's numeric date order (None: not set, so a numeric
    date that reads both ways is refused). ``today`` anchors the relative
    words (today, tomorrow, yesterday, weekday names, +3d, -2w). ``year`` is
    a context's year (an edition's), used for a date written without one and
    said in ``When.note``. ``order_said`` says where ``dayfirst`` came from, for a
    date it refuses ("order settled by line 3: '13/06/2026'"). A missing year without
    such a context, a missing day, an impossible date and a day/month swap are all
    refused. A weekday name alone is the day of that name in ``within`` (an edition's
    name and days, None when not known), else the next such day, today included; its
    ``When.note`` says which (``_weekday``).
    """
    raw = " ".join(text.split())
    lowered = raw.lower()
    if not raw:
        raise InvalidInput("empty; expected a date such as 2013-06-11", field=what)
    if relative := _relative_day(raw, today, within, what):
        return relative
    if match := re.match(_ISO, raw):
        day = _make_date(int(match["y"]), int(match["m"]), int(match["d"]), raw, what)
        time = parse_time(match["time"], what=what) if match["time"] else None
        offset = _offset(match["offset"], raw, what) if match["offset"] else None
        if offset is not None and time is None:
            raise InvalidInput(f"{raw!r} has an offset but no time", field=what)
        return When(day, time, offset)
    if match := re.match(_YMD, raw):
        return When(_make_date(int(match["y"]), int(match["m"]), int(match["d"]), raw, what))
    date_part, _, time_part = raw.partition(" ")
    if re.match(_NUMERIC_NO_YEAR, date_part):
        if year is None:
            raise InvalidInput(f"{raw!r} has no year; expected e.g. 11/06/2013", field=what)
        time = parse_time(time_part, what=what) if time_part else None
        day = _numeric_date(f"{date_part}/{year}", dayfirst, what, order_said)
        return When(day, time, None, f"{raw!r} read as {day:%d %B} {year}, the year of the edition")
    if re.match(_NUMERIC, date_part):
        time = parse_time(time_part, what=what) if time_part else None
        return When(_numeric_date(date_part, dayfirst, what, order_said), time)
    for form in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        if (match := re.match(form, lowered)) and (month := _month_number(match["month"])):
            return When(_make_date(int(match["y"]), month, int(match["d"]), raw, what))
    if looks_like_time(raw):
        parse_time(raw, what=what)  # a time that is none is said first
        raise InvalidInput(f"{raw!r} is a time; expected a date such as 2013-06-11", field=what)
    if not any(month[:3] in lowered for month in _MONTHS):
        raise InvalidInput(
            f"cannot read {raw!r} as a date; expected e.g. 2013-06-11, 11 June 2013 "
            "or June 11, 2013",
            field=what,
        )
    return _textual(raw, what, year)


def _weekday(
    raw: str, today: dt.date, within: tuple[str, DateRange | None] | None, what: str
) -> When:
    """A weekday name alone: in an edition (``within``: its name and days), that day of
    the edition, refused when it has none or several of that name, or no days known;
    else the next such day, today included."""
    wanted = _WEEKDAYS.index(raw.lower())
    name = _WEEKDAYS[wanted].title()
    if within is None:
        day = today + dt.timedelta(days=(wanted - today.weekday()) % 7)
        return When(day, note=f"{raw!r} read as the next {name}, {day:%d %B %Y}")
    called, days = within
    if days is None:
        raise InvalidInput(f"{raw!r}: {called} has no dates yet; give the date", field=what)
    first = days.first + dt.timedelta(days=(wanted - days.first.weekday()) % 7)
    found = [first + dt.timedelta(weeks=n) for n in range((days.last - first).days // 7 + 1)]
    if len(found) == 1:
        return When(found[0], note=f"{raw!r} read as {found[0]:%A %d %B %Y}, in {called}")
    if not found:
        span = f"{days.first:%d %B} to {days.last:%d %B %Y}"
        raise InvalidInput(f"{raw!r}: {called} ({span}) has no {name}", field=what)
    said = ", ".join(f"{day:%d %B %Y}" for day in found[:-1]) + f" or {found[-1]:%d %B %Y}"
    raise InvalidInput(f"{raw!r} in {called} is {said}; give the date", field=what)


def _relative_day(
    raw: str, today: dt.date | None, within: tuple[str, DateRange | None] | None, what: str
) -> When | None:
    lowered = raw.lower()
    words = {"today": 0, "tomorrow": 1, "yesterday": -1}
    shift = re.match(_SHIFT, lowered)
    if lowered not in words and lowered not in _WEEKDAYS and not shift:
        return None
    if today is None:
        raise InvalidInput(f"{lowered!r} needs a current date, and none is known here", field=what)
    if lowered in words:
        return When(today + dt.timedelta(days=words[lowered]))
    if lowered in _WEEKDAYS:
        return _weekday(raw, today, within, what)
    assert shift is not None
    n = int(shift["n"]) * (7 if shift["unit"].startswith("w") else 1)
    return When(today + dt.timedelta(days=n if shift["sign"] == "+" else -n))


def _make_date(y: int, m: int, d: int, raw: str, what: str) -> dt.date:
    _year_in_range(y, raw, what)
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise InvalidInput(
            f"{raw!r} is not a date (year {y}, month {m}, day {d})",
            field=what,
        ) from None


def _offset(text: str, raw: str, what: str) -> dt.timedelta:
    if text == "Z":
        return dt.timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 18 or minutes > 59:
        raise InvalidInput(f"{raw!r} has an impossible UTC offset {text}", field=what)
    return sign * dt.timedelta(hours=hours, minutes=minutes)


def _numeric_date(
    text: str, dayfirst: bool | None, what: str, order_said: str = "order set here"
) -> dt.date:
    match = re.match(_NUMERIC, text)
    assert match is not None
    a, b, year_text = int(match["a"]), int(match["b"]), match["y"]
    if len(year_text) != 4:
        raise InvalidInput(f"{text!r} has a two-digit year; write the year in full", field=what)
    year = int(year_text)
    if dayfirst is None:
        readings = {(m, d) for m, d in ((b, a), (a, b)) if _valid(year, m, d)}
        if len(readings) > 1:
            raise InvalidInput(
                f"{text!r} reads as {a} {_MONTHS[b - 1].title()} or "
                f"{_MONTHS[a - 1].title()} {b}; {_NUMERIC_ORDER_HINT}",
                field=what,
            )
        if not readings:
            raise InvalidInput(f"{text!r} is not a date", field=what)
        ((month, day),) = readings
        return dt.date(year, month, day)
    day, month = (a, b) if dayfirst else (b, a)
    if not _valid(year, month, day):
        order = "day/month/year" if dayfirst else "month/day/year"
        raise InvalidInput(
            f"{text!r} is not a date in the {order} {order_said} "
            f"(month {month}, day {day}); nothing is swapped",
            field=what,
        )
    return dt.date(year, month, day)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _textual(raw: str, what: str, year: int | None) -> When:
    from dateutil import parser  # slow to import: only for month names

    def read(default: dt.datetime) -> dt.datetime:
        try:
            return parser.parse(raw, default=default, dayfirst=False, yearfirst=False)
        except (ValueError, OverflowError):
            raise InvalidInput(
                f"cannot read {raw!r} as a date; expected e.g. 11 June 2013",
                field=what,
            ) from None

    one = read(dt.datetime(1904, 1, 1, 0, 0))
    two = read(dt.datetime(1908, 2, 2, 1, 0))
    if one.month != two.month or one.day != two.day:
        raise InvalidInput(
            f"{raw!r} has no day of the month; expected e.g. 11 June 2013", field=what
        )
    note = None
    if one.year != two.year:
        if year is None:
            raise InvalidInput(f"{raw!r} has no year; expected e.g. 11 June 2013", field=what)
        one = one.replace(year=year)
        note = f"{raw!r} read as {one:%d %B} {year}, the year of the edition"
    elif not re.search(rf"(?<!\d){one.year}(?!\d)", raw):
        raise InvalidInput(f"{raw!r} has a two-digit year; write the year in full", field=what)
    named = [d for d in _WEEKDAYS if re.search(rf"\b{d[:3]}", raw.lower())]
    if named and _WEEKDAYS[one.weekday()] not in named:
        raise InvalidInput(
            f"{raw!r}: {one:%d %B %Y} is a {_WEEKDAYS[one.weekday()].title()}",
            field=what,
        )
    time = one.time().replace(tzinfo=None) if one.hour == two.hour else None
    offset = one.utcoffset() if one.tzinfo is not None else None
    return When(_make_date(one.year, one.month, one.day, raw, what), time, offset, note)


def parse_range(
    text: str,
    *,
    what: str = "date range",
    dayfirst: bool | None = None,
    today: dt.date | None = None,
) -> DateRange:
    """A span of local dates: ``2013``, ``June 2013``, ``this week``, ``next week``,
    ``this month``, ``next month``, or any single date that ``parse_when`` reads.

    Weeks run Monday to Sunday.
    """
    raw = " ".join(text.split())
    lowered = raw.lower()
    if re.fullmatch(r"\d{4}", raw):
        year = _year_in_range(int(raw), raw, what)
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31))
    words = lowered.split(" ")
    if len(words) == 2 and words[0] in {"this", "next", "last"} and words[1] in {"week", "month"}:
        if today is None:
            raise InvalidInput(f"{raw!r} needs a current date, and none is known here", field=what)
        step = {"this": 0, "next": 1, "last": -1}[words[0]]
        if words[1] == "week":
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=step)
            return DateRange(monday, monday + dt.timedelta(days=6))
        month_index = today.year * 12 + today.month - 1 + step
        return _month(month_index // 12, month_index % 12 + 1)
    if len(words) == 2 and re.fullmatch(r"\d{4}", words[1]):
        month = _month_number(words[0])
        if month is not None:
            return _month(_year_in_range(int(words[1]), raw, what), month)
    when = parse_when(raw, what=what, dayfirst=dayfirst, today=today)
    if when.time is not None:
        raise InvalidInput(f"{raw!r} has a time; expected a day or a span of days", field=what)
    return DateRange(when.day, when.day)


def date_span(
    words: Mapping[str, str | None], *, dayfirst: bool | None, today: dt.date
) -> DateRange | None:
    """The local dates that the words ``from``/``to`` (a span, either end open), ``on``
    (one day) or ``in`` ("June 2013", "next week") say, read against ``today``; None when
    none is given. Contradictory combinations are refused; an error is about the field
    ``from``, ``to``, ``on`` or ``in`` (``errors.ScreeningsError``)."""
    from_, to, on, in_ = (words.get(word) for word in ("from", "to", "on", "in"))
    if on and (from_ or to or in_):
        raise InvalidInput(
            "give a single day with {on}, or a span with {from}/{to}/{in}",
            field="on",
            mentions=("on", "from", "to", "in"),
        )
    if in_ and (from_ or to):
        raise InvalidInput(
            "give a span with {in}, or with {from}/{to}, not both",
            field="in",
            mentions=("in", "from", "to"),
        )
    if on:
        day = parse_range(on, what="on", dayfirst=dayfirst, today=today)
        if day.first != day.last:
            raise InvalidInput(
                f"{on!r} is more than a day; use {{in}} for a span", field="on", mentions=("in",)
            )
        return day
    if in_:
        return parse_range(in_, what="in", dayfirst=dayfirst, today=today)
    if not (from_ or to):
        return None
    first = (
        parse_range(from_, what="from", dayfirst=dayfirst, today=today).first
        if from_
        else dt.date.min
    )
    last = parse_range(to, what="to", dayfirst=dayfirst, today=today).last if to else dt.date.max
    if last < first:
        raise InvalidInput(
            f"{to!r} ends before {{from}} {from_!r} begins", field="to", mentions=("from",)
        )
    return DateRange(first, last)


def _month_number(word: str) -> int | None:
    word = word.rstrip(".")
    for number, name in enumerate(_MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return number
    return None


def _month(year: int, month: int) -> DateRange:

    last = calendar.monthrange(year, month)[1]
    return DateRange(dt.date(year, month, 1), dt.date(year, month, last))


def _year_in_range(year: int, raw: str, what: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"{raw!r}: expected a year from {MIN_YEAR} to {MAX_YEAR}", field=what)
    return year


def resolve_local(when: When, zone_name: str, *, what: str = "time") -> dt.datetime:
    """The aware instant of a wall time in a zone, refusing the ones that are not one instant.

    A wall time the clocks skip (gap) or pass twice (overlap) is refused with
    the zone and the instants involved, unless ``when`` carries an explicit
    UTC offset, which picks one (and must be one the zone uses then).
    """
    if when.time is None:
        raise InvalidInput(f"{when.day.isoformat()} has no time of day", field=what)
    wall = dt.datetime.combine(when.day, when.time)
    readings = _readings(wall, zone_name)
    shown = f"{wall:%Y-%m-%d %H:%M}"
    if when.offset is not None:
        if when.offset in readings:
            return readings[when.offset]
        allowed = " or ".join(_offset_text(o) for o in readings) or "none: it is skipped"
        raise InvalidInput(
            f"{shown}{_offset_text(when.offset)} is not a time in {zone_name} "
            f"(its offset then is {allowed})",
            field=what,
        )
    if not readings:
        raise _gap(wall, zone_name, what)
    if len(readings) > 1:
        first, second = readings.values()
        raise InvalidInput(
            f"{shown} happens twice in {zone_name}, at {first:%H:%M%z} "
            f"({first.astimezone(UTC):%H:%M} UTC) and at {second:%H:%M%z} "
            f"({second.astimezone(UTC):%H:%M} UTC); give the offset, e.g. "
            f"'{shown}{_offset_text(first.utcoffset())}'",
            field=what,
        )
    return next(iter(readings.values()))


def _offset_text(offset: dt.timedelta | None) -> str:
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- The words of a screening's time, as a person gives them ---------------------------


def read_when(
    on: str | None,
    at: str | None,
    *,
    dayfirst: bool | None,
    edition: InEdition | None,
    today: dt.date | None = None,
) -> When:
    """``on`` a date with ``at`` a time, or ``at`` a date and time, as one ``When``;
    ``edition`` is the one the date is read in (``InEdition``). ``at`` empty or a word
    for a time not known yet (``TBA``) gives the date with no time. An error is about
    the field ``on`` or ``at``."""
    if on is None and at is None:
        raise InvalidInput(
            "a date is required ({on} DATE [{at} TIME], or {at} DATETIME)",
            field="on",
            mentions=("on", "at"),
        )
    no_time_given = at is not None and no_time(at)
    if on is not None:
        when = parse_when(on, what="on", dayfirst=dayfirst, today=today, year=_year(edition),
                          within=_within(edition))  # fmt: skip
        if at is None:
            return when
        if when.time is not None:
            raise InvalidInput("{on} already gives a time", field="at", mentions=("on",))
        time = None if no_time_given else parse_time(at, what="at")
        return When(when.day, time, None, when.note)
    assert at is not None
    if no_time_given:
        raise InvalidInput(
            f"{at[:80]!r} is no date; give the date with {{on}}", field="at", mentions=("on",)
        )
    if looks_like_time(at):
        parse_time(at, what="at")  # a time that is none is said first
        raise InvalidInput(
            f"{at!r} is a time alone; give the date with {{on}}", field="at", mentions=("on",)
        )
    when = parse_when(at, what="at", dayfirst=dayfirst, today=today, year=_year(edition),
                      within=_within(edition))  # fmt: skip
    if when.time is None:
        raise InvalidInput(
            f"{at[:80]!r} has no time; use {{on}} for a date alone", field="at", mentions=("on",)
        )
    return when


@dataclass(frozen=True)
class InEdition:
    """The edition a date is read in: its year, for a date written without one; its name
    and days (when both ends are known), for a weekday alone."""

    year: int
    name: str
    days: DateRange | None = None


def _year(edition: InEdition | None) -> int | None:
    return edition.year if edition is not None else None


def _within(edition: InEdition | None) -> tuple[str, DateRange | None] | None:
    return None if edition is None else (edition.name, edition.days)


@dataclass(frozen=True)
class Change:
    """What an edit's ``on``/``at`` say of a screening's time: its new day (None: the day
    stays), its new time when ``time_given`` (None: not known, ``TBA``; else the time
    stays), the UTC offset written, and how a date was read (``note``)."""

    day: dt.date | None
    time: dt.time | None
    time_given: bool
    offset: dt.timedelta | None = None
    note: str | None = None


def read_change(
    on: str | None,
    at: str | None,
    *,
    dayfirst: bool | None,
    edition: InEdition | None,
    today: dt.date | None = None,
) -> Change:
    """An edit's ``on``/``at``, read as ``read_when`` reads them, but for what stays: ``at``
    a time alone (or none: ``TBA``, ``""``) keeps the day; ``on`` alone keeps the time."""
    if on is None and at is not None and (no_time(at) or looks_like_time(at)):
        return Change(None, None if no_time(at) else parse_time(at, what="at"), True)
    when = read_when(on, at, dayfirst=dayfirst, edition=edition, today=today)
    if on is not None and at is None and when.time is None:
        return Change(when.day, None, False, None, when.note)
    return Change(when.day, when.time, True, when.offset, when.note)


def no_time(at: str) -> bool:
    """True for an ``at`` that says the time is not known: empty, or ``TBA`` and the like."""
    return not at.strip() or time_unknown(at)


def read_day(text: str | None, what: str, dayfirst: bool | None, year: int) -> dt.date | None:
    """A day as typed (``parse_when``), one without a year in ``year``; None for None or
    ``""`` (an edit clears the day). A time given with it is refused."""
    if text is None or not text.strip():
        return None
    when = parse_when(text, what=what, dayfirst=dayfirst, year=year)
    if when.time is not None:
        raise InvalidInput(f"{text[:80]!r} has a time; expected a day", field=what)
    return when.day
