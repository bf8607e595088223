"""iCalendar feeds in: a festival's ``.ics`` (often a scraper's), or our own ``export ics``,
as lineup rows for the import pipeline (``services.lineup``), the file kind ``ics``, told
from the content. icalendar reads the file; recurring-ical-events expands recurrences.

Each VEVENT is a screening:

- UID: the source key (the external id); an occurrence of a recurring event adds its
  start (``UID#20260203T2030``);
- SUMMARY: the film; LOCATION: the venue; DTSTART and DTEND (or DURATION): the time and
  the slot; URL (else a link on a DESCRIPTION line that speaks of tickets): the ticket
  address; STATUS:CANCELLED a cancellation, TENTATIVE tentative; CLASS:PRIVATE (or
  CONFIDENTIAL) a private screening;
- our own feeds say more in ``X-SCREENINGS-*`` properties (``exporters.ical``), read
  here before SUMMARY and LOCATION, which are written for people.

Zones: a TZID names the zone (through the file's VTIMEZONE, else the zone database: a
``TZID=Europe/London`` with no VTIMEZONE is read as London); a floating time takes
``--timezone``, else the calendar's ``X-WR-TIMEZONE``, else is refused, naming the
event; a time in UTC is shown in that zone too. An all-day event is a screening whose
time is not known (TBA). A summary that names a block of films ("Shorts", "A + B") is a
programme of that title whose films are not known yet, never split by guessing (with no
edition named, a screening of a film of that title); a warning says which.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from screenings import rules
from screenings.errors import InvalidInput
from screenings.parsers.checked import checked, programme_rows, said
from screenings.records import FilmFields, LineupRow, RowIssue, unmarked

KIND = "ics"
OWN = "X-SCREENINGS-"
OCCURRENCES = 1000  # of one recurring event, at most
# The file's name for each field a row's rule may refuse (``parsers.checked``).
NAMES = {
    "title": "SUMMARY",
    "venue": "LOCATION",
    "city": "X-SCREENINGS-CITY",
    "section": "X-SCREENINGS-SECTION",
    "external_id": "UID",
    "ticket_url": "URL",
    "kind": "X-SCREENINGS-KIND",
    "duration": "DTEND",
    "year": "X-SCREENINGS-YEAR",
    "runtime": "X-SCREENINGS-RUNTIME",
    "directors": "X-SCREENINGS-DIRECTOR",
}
MAPPING = [
    ("UID", "id"),
    ("SUMMARY", "title"),
    ("LOCATION", "venue"),
    ("DTSTART", "start"),
    ("DTEND", "duration"),
    ("URL", "ticket_url"),
    ("STATUS", "status"),
    ("CLASS", "visibility"),
]
_BLOCK = re.compile(
    r"\bshorts?\b|\bshort films\b|\bkurzfilm|\bcourts?[- ]m[ée]trages?\b|\s\+\s|\bdouble bill\b",
    re.IGNORECASE,
)
_TICKET_LINE = re.compile(r"(?i)(ticket|tix|booking|billet)[^\n]*?(https?://[^\s<>\"]+)")


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes say it is an iCalendar file."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR")


class Read:
    """A calendar read: its rows, and what the reading says of it (expansions, blocks)."""

    def __init__(self, rows: list[LineupRow | RowIssue], notes: list[str]) -> None:
        self.rows, self.notes = rows, notes


def read_ics(  # noqa: C901, PLR0912, PLR0915 -- each event once, in file order, with its overrides
    stream: BinaryIO, name: str, *, festival: str | None, year: int | None, zone: str | None
) -> Read | RowIssue:
    """The feed's events as rows, or why it cannot be read at all. ``festival``,
    ``year``: the edition the command line names (rows of our own feeds name theirs);
    ``zone``: ``--timezone``, for floating times (before ``X-WR-TIMEZONE``)."""
    from icalendar import Calendar

    data = stream.read()
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        wrong = str(error).splitlines()[0][:200] if str(error) else "cannot be parsed"
        return RowIssue(name, 0, None, None, f"not an iCalendar file: {wrong}")
    named_zone = calendar.get("X-WR-TIMEZONE")
    wr_zone = _zone_name(named_zone)
    if named_zone is not None and wr_zone is None and zone is None:
        wrong = f"its X-WR-TIMEZONE {str(named_zone)[:80]!r} is no zone the zone database knows"
        return RowIssue(name, 0, "X-WR-TIMEZONE", None, wrong + "; give {timezone}",
                        mentions=("timezone",))  # fmt: skip
    floating = zone or wr_zone
    rows: list[LineupRow | RowIssue] = []
    notes: list[str] = []
    recurring = expanded = 0
    blocks: list[str] = []  # events that are programmes of films not known
    loose: list[str] = []  # events that name a block but no edition: a film each
    events = list(calendar.walk("VEVENT"))
    # A recurring event's overrides (RECURRENCE-ID) are read with it, as calendars do.
    repeating = {_text(e, "UID") for e in events if e.get("RRULE") or e.get("RDATE")}
    overrides: dict[str | None, list[Any]] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is not None and _text(event, "UID") in repeating:
            overrides.setdefault(_text(event, "UID"), []).append(event)
    for number, event in enumerate(events, start=1):
        where = f"{name}, event {number}"
        uid = _text(event, "UID")
        if event.get("RECURRENCE-ID") is not None and uid in repeating:
            continue
        try:
            if event.get("RRULE") or event.get("RDATE"):
                recurring += 1
                occurrences = _occurrences(calendar, event, overrides.get(uid, []), year)
                expanded += len(occurrences)
                for occurrence in occurrences:
                    one = _row(where, len(rows) + 1, occurrence, floating, festival, year,
                               repeat=True)  # fmt: skip
                    rows.extend(_programme(one, occurrence))
            else:
                one = _row(where, len(rows) + 1, event, floating, festival, year)
                rows.extend(_programme(one, event))
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
            # icalendar reads a broken property when it is used (BrokenCalendarProperty);
            # recurring-ical-events refuses a broken rule: the event, not the file.
            title = _text(event, "SUMMARY") or uid or str(number)
            wrong = said(error)
            rows.append(RowIssue(where, 0, None, None,
                                 f"event {title!r} cannot be read: {wrong}", title=title,
                                 external_id=uid))  # fmt: skip
            continue
        row = rows[-1] if rows else None
        if isinstance(row, LineupRow) and row.block is not None and row.film.title is None:
            blocks.append(repr(row.block))
        elif isinstance(row, LineupRow) and _is_block(row, event):
            loose.append(repr(row.film.title))
    if recurring:
        notes.append(
            f"{recurring} recurring event(s) expanded into {expanded} screening(s) "
            f"(at most {OCCURRENCES} each" + (f", within {year}" if year else "") + ")"
        )
    if blocks:
        notes.append(
            f"{len(blocks)} event(s) name a block of films ({_listed(blocks)}): each is a "
            "programme of that title, its films not known yet (never split by guessing)"
        )
    if loose:
        notes.append(
            f"{len(loose)} event(s) name a block of films ({_listed(loose)}) but no edition: "
            "each is one screening of a film of that title; a programme is a festival's, so "
            "name the edition to make them programmes"
        )
    return Read(rows, notes)


def _listed(titles: list[str]) -> str:
    return ", ".join(titles[:5]) + (f" and {len(titles) - 5} more" if len(titles) > 5 else "")


def _is_block(row: LineupRow, event: Any) -> bool:
    """Whether a feed's event (not ours: ours say what they show) names a block of films."""
    ours = event.get(f"{OWN}FILM") is not None or event.get(f"{OWN}PROGRAMME") is not None
    return not ours and row.block is None and bool(_BLOCK.search(row.film.title or ""))


def _occurrences(calendar: Any, event: Any, overrides: list[Any], year: int | None) -> list[Any]:
    """The occurrences of a recurring event, its overrides (RECURRENCE-ID) in their
    place: within the edition's year when one is named, and at most ``OCCURRENCES``."""
    import recurring_ical_events
    from icalendar import Calendar

    alone = Calendar()
    for zone in calendar.walk("VTIMEZONE"):
        alone.add_component(zone)
    alone.add_component(event)
    for override in overrides:
        alone.add_component(override)
    found = recurring_ical_events.of(alone)
    if year is not None:
        return list(itertools.islice(found.between((year, 1, 1), (year + 1, 1, 1)), OCCURRENCES))
    return list(itertools.islice(found.all(), OCCURRENCES))


def _zone_name(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return rules.canonical_zone(str(value).strip(), what="X-WR-TIMEZONE")
    except InvalidInput:
        return None


def _text(event: Any, key: str) -> str | None:
    value = event.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value).strip()
    return text or None


def _texts(event: Any, key: str) -> tuple[str, ...]:
    value = event.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    return tuple(t for v in values if (t := str(v).strip()))


def _row(  # noqa: C901, PLR0912, PLR0913, PLR0915 -- one event's properties, each read once, in order
    where: str,
    line: int,  # the row's number, from 1: an import's claims are by row
    event: Any,
    floating: str | None,
    festival: str | None,
    year: int | None,
    *,
    repeat: bool = False,
) -> LineupRow | RowIssue:
    uid = _text(event, "UID")
    own_title = _text(event, f"{OWN}FILM") or _text(event, f"{OWN}PROGRAMME")
    summary = _text(event, "SUMMARY")
    title = own_title or summary
    label = f"event {title or uid or where!r}"
    if not title:
        return RowIssue(where, 0, "SUMMARY", None, f"{label} has no summary", external_id=uid)
    start = event.get("DTSTART")
    if start is None:
        return RowIssue(where, 0, "DTSTART", None, f"{label} has no DTSTART", title=title,
                        external_id=uid)  # fmt: skip
    if isinstance(start, list):
        return RowIssue(where, 0, "DTSTART", None, f"{label} has {len(start)} DTSTARTs",
                        title=title, external_id=uid)  # fmt: skip
    value = start.dt
    if not isinstance(value, dt.date):  # a PERIOD, a duration
        return RowIssue(where, 0, "DTSTART", None, f"{label}: its DTSTART is no date or "
                        "date and time", title=title, external_id=uid)  # fmt: skip
    tzid = start.params.get("TZID") if hasattr(start, "params") else None
    own_zone = _zone_name(event.get(f"{OWN}TIMEZONE"))  # our own feed's: the truth
    if own_zone is not None:
        floating = own_zone
    local_time: dt.time | None
    zone: str | None
    if not isinstance(value, dt.datetime):  # an all-day event: its time is not known
        local_date, local_time, zone, minutes = value, None, floating, None
    else:
        zone = own_zone or _zone_of(value, tzid, floating)
        if zone is None:
            said = (
                f"its TZID {tzid!r} is no zone the zone database knows"
                if tzid
                else f"its time is {'floating' if value.tzinfo is None else 'in UTC'}, and "
                "the calendar names no zone to read it in (X-WR-TIMEZONE); give {timezone}"
            )
            return RowIssue(where, 0, "DTSTART", str(start.to_ical().decode()),
                            f"{label}: {said}", title=title, external_id=uid,
                            mentions=("timezone",))  # fmt: skip
        wall = value.replace(tzinfo=ZoneInfo(zone)) if value.tzinfo is None else value
        wall = wall.astimezone(ZoneInfo(zone))
        local_date, local_time = wall.date(), wall.time().replace(second=0, microsecond=0)
        minutes = _minutes(event, value)
        if own_title is not None:  # our own feed: DTEND is the length shown, not a slot
            own = _text(event, f"{OWN}DURATION") or ""
            minutes = int(own) if own.isdigit() and len(own) <= 6 else None
    recurrence = event.get("RECURRENCE-ID")
    if recurrence is not None and isinstance(recurrence.dt, dt.date):
        value = recurrence.dt  # an override keeps the key of the occurrence it replaces
    if repeat and uid:
        stamp = (
            value.strftime("%Y%m%dT%H%M")
            if isinstance(value, dt.datetime)
            else value.strftime("%Y%m%d")
        )
        uid = f"{uid}#{stamp}"
    status = {"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(
        (_text(event, "STATUS") or "").upper()
    )
    if own_title and summary and unmarked(summary)[1] == "postponed":
        status = "postponed"  # our own feed marks a postponement as its summary says
    private = (_text(event, "CLASS") or "").upper() in {"PRIVATE", "CONFIDENTIAL"}
    tickets = _text(event, f"{OWN}TICKETS")
    if tickets is None and own_title is None:
        tickets = _text(event, "URL")
        if tickets is None and (found := _TICKET_LINE.search(_text(event, "DESCRIPTION") or "")):
            tickets = found[2].rstrip(".,;)")
    year_text = _text(event, f"{OWN}YEAR") or ""
    runtime_text = _text(event, f"{OWN}RUNTIME") or ""
    edition_year = _text(event, f"{OWN}EDITION-YEAR") or ""
    own_festival = _text(event, f"{OWN}FESTIVAL")
    venue = _text(event, f"{OWN}VENUE") if own_title else _text(event, "LOCATION")
    film = FilmFields(
        title=title,
        original_title=None,
        year=int(year_text) if year_text.isdigit() and len(year_text) <= 4 else None,
        directors=_texts(event, f"{OWN}DIRECTOR"),
        countries=(),
        languages=(),
        imdb_id=None,
        runtime_minutes=(
            int(runtime_text) if runtime_text.isdigit() and len(runtime_text) <= 6 else None
        ),
        credits=(),
        links=(),
        film_id=None,
    )
    return checked(
        LineupRow(
            file=where,
            line=line,
            kind="screening",
            film=film,
            festival=own_festival or festival,
            edition_year=(
                int(edition_year)
                if own_festival and edition_year.isdigit() and len(edition_year) <= 4
                else year
            ),
            edition_label=_text(event, f"{OWN}EDITION-LABEL") if own_festival else None,
            section=_text(event, f"{OWN}SECTION"),
            premiere=None,
            selection_status=None,
            venue=venue,
            city=_text(event, f"{OWN}CITY"),
            local_date=local_date,
            local_time=local_time,
            timezone=zone,
            duration_minutes=minutes,
            screening_kind=_text(event, f"{OWN}KIND"),
            audience=None,
            visibility="private" if private else None,
            status=status,
            ticket_url=tickets,
            remarks=None,
            external_id=uid,
            notes=(),
            written_date=str(start.to_ical().decode()),
        ),
        NAMES,
    )


def _programme(row: LineupRow | RowIssue, event: Any) -> list[LineupRow | RowIssue]:
    """A programme screening of our own feed as the rows of a Block column: one per film
    (``X-SCREENINGS-PROGRAMME-FILM``, its year and directors), in order, each with the
    screening's slot and key; any other row as it is."""
    films = event.get(f"{OWN}PROGRAMME-FILM")
    ours = event.get(f"{OWN}PROGRAMME") is not None
    if (
        isinstance(row, LineupRow)
        and (_is_block(row, event) or (ours and not films))
        and row.festival
        and row.edition_year
    ):
        # A feed's "Shorts" event (or our programme of no film yet): a programme of that
        # title, its films not known.
        return programme_rows(row, (), NAMES)
    if not isinstance(row, LineupRow) or event.get(f"{OWN}PROGRAMME") is None or not films:
        return [row]
    films = films if isinstance(films, list) else [films]
    found = event.get(f"{OWN}PROGRAMME-DIRECTOR") or []
    directed = found if isinstance(found, list) else [found]
    shown = []
    for place, film in enumerate(films, start=1):
        year = str(film.params.get("X-YEAR", ""))
        directors = tuple(
            str(d).strip() for d in directed if str(d.params.get("X-FILM", "")) == str(place)
        )
        number = int(year) if year.isdigit() and len(year) <= 4 else None
        runtime = str(film.params.get("X-RUNTIME", ""))
        minutes = int(runtime) if runtime.isdigit() and len(runtime) <= 6 else None
        shown.append((str(film).strip(), number, directors, minutes))
    return programme_rows(row, shown, NAMES)


def _zone_of(value: dt.datetime, tzid: str | None, floating: str | None) -> str | None:
    """The IANA zone of a start: its own (a ZoneInfo, or its TZID known to the zone
    database), else for a floating time or one in UTC the zone given for them."""
    if tzid:
        key = getattr(value.tzinfo, "key", None)
        for candidate in (key, tzid):
            if candidate:
                try:
                    return rules.canonical_zone(str(candidate), what="TZID")
                except InvalidInput:
                    continue
        return None
    if value.tzinfo is None or value.utcoffset() == dt.timedelta(0):
        return floating  # floating, or UTC: shown in the zone given for them
    key = getattr(value.tzinfo, "key", None)
    return key or floating


def _minutes(event: Any, start: dt.datetime) -> int | None:
    """The slot: DTEND less DTSTART, or DURATION; None when neither is given."""
    end = event.get("DTEND")
    if end is not None and isinstance(end.dt, dt.datetime):
        later = end.dt
        if (later.tzinfo is None) != (start.tzinfo is None):
            return None
        minutes = int((later - start).total_seconds() // 60)
        return minutes if minutes > 0 else None
    duration = event.get("DURATION")
    if duration is not None:
        minutes = int(duration.dt.total_seconds() // 60)
        return minutes if minutes > 0 else None
    return None
