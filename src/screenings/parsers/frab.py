"""frab schedules in: ``schedule.json`` and ``schedule.xml`` (frab, pretalx, our own
``export frab-json|frab-xml``) as lineup rows for the import pipeline
(``services.lineup``), the file kind ``frab``, told from the content.

Lenient where real files are: a slug or acronym in capitals, an id that is no number, a
person with ``name`` or ``public_name``, a ``date`` with its offset or a day's date and
a ``start`` alone, a missing ``time_zone_name`` (``--timezone`` then). What a row cannot
do without is refused, naming the event: its title and its start.

- the conference is the edition: its title without its year is the festival, the year
  is the conference's, and what follows the year a label (``DocPoint 2026 Winter``);
  ``--festival``/``--year`` or ``--edition`` name another;
- a room is a venue; our own ``<city> (venue TBA)`` is a screening with no venue there;
- an event is a screening: its ``guid`` the source key (the external id), ``title`` the
  film (``Cancelled: `` and ``Postponed: `` before it are the status), persons its
  directors, ``track`` its section, ``type`` its kind (``screening``: regular),
  ``duration`` its slot, links titled ``Tickets`` its ticket address and an IMDb link
  the film's IMDb id; the conference's zone is every screening's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple

from screenings import rules
from screenings.errors import InvalidInput
from screenings.parsers.checked import checked, programme_rows, said
from screenings.records import FilmFields, LineupRow, RowIssue, unmarked

KIND = "frab"
NO_VENUE = re.compile(r"^(?P<city>.*?)\s*\(venue TBA\)$|^Venue TBA$", re.IGNORECASE)
# The file's name for each field a row's rule may refuse (``parsers.checked``).
NAMES = {
    "title": "title",
    "venue": "room",
    "city": "room",
    "section": "track",
    "external_id": "guid",
    "ticket_url": "links",
    "kind": "type",
    "duration": "duration",
    "directors": "persons",
}
_IMDB = re.compile(r"imdb\.com/title/(tt\d{5,10})", re.IGNORECASE)
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)(?::[0-5]\d)?$")
_START = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)")
_YEAR = re.compile(r"(?<!\d)((?:18|19|20|21)\d\d)(?!\d)")
# What each part of an event is read as (the fields of a lineup's columns).
MAPPING = [
    ("guid", "id"),
    ("title", "title"),
    ("persons", "directors"),
    ("language", "languages"),
    ("room", "venue"),
    ("date", "start"),
    ("duration", "duration"),
    ("track", "section"),
    ("type", "kind"),
    ("links", "ticket_url"),
]


class Conference(NamedTuple):
    """What a schedule says of its conference: the edition its events are in, and its
    zone (None when it names none, or one the zone database does not know:
    ``zone_given`` says which)."""

    festival: str | None
    year: int | None
    label: str | None
    zone: str | None
    zone_given: str | None = None
    named: bool = False  # the command line named the edition: the file's is not taken


class Event(NamedTuple):
    """An event as the file has it, in either format."""

    number: int  # from 1, in file order
    guid: str | None
    day: str | None  # its day's date
    room: str | None
    title: str | None
    date: str | None
    start: str | None
    duration: str | None
    track: str | None
    type: str | None
    language: str | None
    persons: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # (url, title)
    facts: dict[str, Any] | None = None  # our own schedule.json's, by its guid


def sniff(head: bytes) -> bool:
    """Whether a file's first bytes say it is a frab schedule (JSON or XML)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith((b"{", b"<"))


def read_frab(  # noqa: PLR0913 -- a file, and the edition and zone the command line gives
    stream: BinaryIO,
    name: str,
    *,
    festival: str | None,
    year: int | None,
    zone: str | None,
    edition: bool = False,
) -> tuple[Conference, Iterator[LineupRow | RowIssue]] | RowIssue:
    """The schedule's conference and its events as rows, or why it cannot be read at all.
    ``festival``, ``year``: the edition the command line names (rows then name it); with
    ``edition`` (``--edition``) the rows name none, and the import puts them in it;
    ``zone``: ``--timezone``, for a schedule that names none."""
    data = stream.read()
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        conference, events = _json(text) if text.startswith(b"{") else _xml(text)
    except (ValueError, ET.ParseError, KeyError, TypeError, AttributeError, LookupError) as error:
        return RowIssue(name, 0, None, None, f"not a frab schedule: {_said(error)}")
    zone = zone or conference.zone
    if zone is None:
        said = (
            f"its time_zone_name {conference.zone_given[:80]!r} is no zone the zone database knows"
            if conference.zone_given
            else "the schedule names no zone (time_zone_name)"
        )
        return RowIssue(name, 0, None, None, said + "; give {timezone}", mentions=("timezone",))
    if festival is not None or edition:
        conference = conference._replace(festival=festival, year=year, label=None, named=True)
    return conference, (row for event in events for row in _rows(name, conference, zone, event))


def _said(error: Exception) -> str:
    """What is wrong, in the file's terms where it can be told (``checked.said``)."""
    if isinstance(error, TypeError | AttributeError):
        return "a part of it is not of the kind the format has there (a list for an object?)"
    return said(error)


# --- The two formats -------------------------------------------------------------------


def _json(data: bytes) -> tuple[Conference, list[Event]]:
    document = json.loads(data)
    schedule = document["schedule"]
    conference = schedule["conference"]
    ours = schedule.get("screenings")
    facts = ours.get("events") if isinstance(ours, dict) else None
    facts = facts if isinstance(facts, dict) else {}
    events: list[Event] = []
    for day in conference.get("days") or []:
        for room, found in (day.get("rooms") or {}).items():
            for event in found or []:
                persons = tuple(
                    str(p.get("name") or p.get("public_name") or "").strip()
                    if isinstance(p, dict)
                    else str(p).strip()  # a name alone, as some exports write them
                    for p in event.get("persons") or []
                )
                links = tuple(
                    (str(link.get("url") or ""), str(link.get("title") or ""))
                    if isinstance(link, dict)
                    else (str(link), "")
                    for link in event.get("links") or []
                )
                made = _event(len(events) + 1, event.get, day.get("date"), room, persons, links)
                events.append(made._replace(facts=facts.get(made.guid)))
    return _conference(
        conference.get("title"), conference.get("start"), conference.get("time_zone_name")
    ), events


def _xml(data: bytes) -> tuple[Conference, list[Event]]:
    root = ET.fromstring(data)
    if root.tag != "schedule":
        raise ValueError(f"its root element is <{root.tag}>, not <schedule>")
    conference = root.find("conference")
    if conference is None:
        raise ValueError("no <conference>")
    events: list[Event] = []
    for day in root.iter("day"):
        for room in day.iter("room"):
            for event in room.iter("event"):
                links = tuple(
                    (link.get("href") or "", (link.text or "").strip())
                    for link in event.iter("link")
                )
                persons = tuple((p.text or "").strip() for p in event.iter("person"))

                def value(key: str, event: Any = event) -> Any:  # guid: an attribute
                    return event.get(key) if key == "guid" else event.findtext(key)

                events.append(
                    _event(
                        len(events) + 1, value, day.get("date"), room.get("name"), persons, links
                    )
                )
    return (
        _conference(
            conference.findtext("title"),
            conference.findtext("start"),
            conference.findtext("time_zone_name"),
        ),
        events,
    )


def _event(  # noqa: PLR0913 -- an event's values, and what its day and room say of it
    number: int,
    value: Callable[[str], Any],
    day: Any,
    room: Any,
    persons: tuple[str, ...],
    links: tuple[tuple[str, str], ...],
) -> Event:
    """An event of either format, ``value`` reading its fields by frab's names."""
    return Event(
        number,
        _text(value("guid")),
        _text(day),
        _text(value("room")) or room,
        _text(value("title")),
        _text(value("date")),
        _text(value("start")),
        _text(value("duration")),
        _text(value("track")),
        _text(value("type")),
        _text(value("language")),
        tuple(p for p in persons if p),
        links,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _conference(title: Any, start: Any, zone: Any) -> Conference:
    """The edition a conference is: its title split at its year (``DocPoint 2026
    Winter``: DocPoint, 2026, Winter); a title with no year is the festival's, in the
    year the conference starts."""
    title = _text(title) or ""
    first = _text(start) or ""
    year = int(first[:4]) if first[:4].isdigit() else None
    festival, label = title or None, None
    found = _YEAR.search(title)
    if found is not None and found.start() > 0 and (year is None or int(found[1]) == year):
        festival = title[: found.start()].strip(" -\u2013,:") or None
        label = title[found.end() :].strip(" -\u2013,:") or None
        year = int(found[1])
    given = _text(zone)
    zone_name = None
    if given is not None:
        try:
            zone_name = rules.canonical_zone(given, what="time_zone_name")
        except InvalidInput:
            zone_name = None
    return Conference(festival, year, label, zone_name, given)


# --- An event as a row -------------------------------------------------------------------


def _rows(name: str, conference: Conference, zone: str, event: Event) -> list[LineupRow | RowIssue]:
    """The rows of an event: one, or a programme's (our own schedule's facts say its
    films: the rows of a Block column)."""
    row = _row(name, conference, zone, event)
    facts = event.facts if isinstance(event.facts, dict) else {}
    if not isinstance(row, LineupRow) or not isinstance(facts.get("programme"), str):
        return [row]
    films = [
        (
            str(film["title"]),
            _fact(film, "year", int),
            tuple(str(d) for d in film.get("directors") or () if isinstance(d, str)),
            _fact(film, "runtime", int),
        )
        for film in facts.get("films") or ()
        if isinstance(film, dict) and isinstance(film.get("title"), str)
    ]
    return programme_rows(row, films, NAMES)


def _fact(facts: dict[str, Any], key: str, kind: type) -> Any:
    """One of our facts, if it is of the kind it should be (else as if not said)."""
    value = facts.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _row(name: str, conference: Conference, zone: str, event: Event) -> LineupRow | RowIssue:
    where = f"{name}, event {event.number}"
    label = f"event {event.title or event.guid or event.number!r}"
    line = event.number
    if not event.title:
        return RowIssue(where, 0, "title", None, f"{label} has no title",
                        external_id=event.guid)  # fmt: skip
    title, status, private = unmarked(event.title)
    facts = event.facts if isinstance(event.facts, dict) else {}
    own_zone = _fact(facts, "timezone", str)
    if own_zone is not None:
        with contextlib.suppress(InvalidInput):  # else the conference's, as for any schedule
            zone = rules.canonical_zone(own_zone, what="timezone")
    start = _start(event, zone)
    if isinstance(start, str):
        return RowIssue(where, 0, "date", event.date or event.start, f"{label}: {start}",
                        title=title, external_id=event.guid)  # fmt: skip
    duration = None
    if event.duration:
        match = _DURATION.match(event.duration)
        if match is None:
            return RowIssue(where, 0, "duration", event.duration,
                            f"{label}: expected a duration such as 01:45", title=title,
                            external_id=event.guid)  # fmt: skip
        duration = int(match[1]) * 60 + int(match[2]) or None
    venue, city = event.room, None
    if venue and (tba := NO_VENUE.match(venue)):
        venue, city = None, (tba["city"] or None)
    imdb = next((m[1] for url, _ in event.links if (m := _IMDB.search(url))), None)
    tickets = next((url for url, said in event.links if said.casefold() == "tickets"), None)
    kind = (event.type or "screening").strip().lower()
    kind = "regular" if kind == "screening" else kind
    festival, year, label_of = conference.festival, conference.year, conference.label
    directors = event.persons
    film_year = runtime = None
    if facts:  # our own schedule: what frab cannot say, said beside it
        title = _fact(facts, "film", str) or _fact(facts, "programme", str) or title
        film_year = _fact(facts, "year", int)
        runtime = _fact(facts, "runtime", int)
        directors = tuple(str(d) for d in facts.get("directors") or () if isinstance(d, str))
        venue, city = _fact(facts, "venue", str), _fact(facts, "city", str)
        duration = _fact(facts, "duration", int)  # its own slot; frab's is the length shown
        kind = _fact(facts, "kind", str) or kind
        tickets = _fact(facts, "tickets", str)
        if not conference.named and _fact(facts, "festival", str):
            festival = _fact(facts, "festival", str)
            year = _fact(facts, "edition_year", int)
            label_of = _fact(facts, "edition_label", str)
    film = FilmFields(
        title=title,
        original_title=None,
        year=film_year,
        directors=directors,
        countries=(),
        languages=(event.language,) if event.language and len(event.language) <= 20 else (),
        imdb_id=imdb,
        runtime_minutes=runtime,
        credits=(),
        links=(),
        film_id=None,
    )
    row = LineupRow(
        file=where,
        line=line,
        kind="screening",
        film=film,
        festival=festival,
        edition_year=year,
        edition_label=label_of,
        section=event.track,
        premiere=None,
        selection_status=None,
        venue=venue,
        city=city,
        local_date=start.date(),
        local_time=start.time().replace(second=0, microsecond=0),
        timezone=zone,
        duration_minutes=duration,
        screening_kind=kind,
        audience=None,
        visibility="private" if private else None,
        status=status,
        ticket_url=tickets,
        remarks=None,
        external_id=event.guid,
        notes=(),
        written_date=event.date or event.start,
    )
    return checked(row, NAMES)


def _start(event: Event, zone_name: str) -> dt.datetime | str:
    """The event's start as a wall time in the conference's zone: its ``date`` (with its
    offset), else its day's date and ``start``; or what is wrong."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    match = _START.match(event.start or "")
    if event.date:
        try:
            found = dt.datetime.fromisoformat(event.date)
        except ValueError:
            found = None
        if found is not None and len(event.date) > 10:
            return found.replace(tzinfo=zone) if found.tzinfo is None else found.astimezone(zone)
        if found is None or match is None:  # a date alone: no time is invented
            return f"{event.date!r} is not a date and time (ISO 8601, with its offset)"
        return dt.datetime.combine(found.date(), dt.time(int(match[1]), int(match[2])), tzinfo=zone)
    if event.day and match is not None:
        try:
            day = dt.date.fromisoformat(event.day)
        except ValueError:
            return f"its day's date {event.day!r} is not a date"
        return dt.datetime.combine(day, dt.time(int(match[1]), int(match[2])), tzinfo=zone)
    return "no start: expected a date (2026-02-03T20:30:00+02:00), or a day and a start"
