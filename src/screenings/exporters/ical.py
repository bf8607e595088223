"""iCalendar feeds: calendar records in, RFC 5545 bytes out, the same bytes every time.

Events are written as text here, with our own escaping and folding, not as
icalendar component trees: a tree per event was measured at about fifteen
times a plain writer for 100,000 events; this writer is about four times
(benchmarks/ics_export.py). icalendar still writes the VTIMEZONE components
(``exporters.timezones``), a handful per file, and its parser reads back
everything we write in the tests.

What a subscriber sees, and why:

- ``UID`` is the screening's stored uid, ``SEQUENCE`` its stored sequence;
  ``DTSTAMP`` and ``LAST-MODIFIED`` are its ``updated_at`` and ``CREATED`` its
  ``created_at``. Nothing depends on the moment of export, so the feed carries
  no ``METHOD`` (RFC 5546 would then want ``DTSTAMP`` to be that moment).
- A screening with a time is local to its zone (``TZID``, with a VTIMEZONE
  in the file), except a start or end in the hour that repeats when clocks go
  back, which is in UTC (clients disagree on which of the two it means); one
  without a time (TBA) is an all-day event on its date.
- Cancelled is ``STATUS:CANCELLED``; postponed is ``CANCELLED`` too, at its
  old time, with "Postponed" in the summary (given a new date, it is the
  same screening moved, with a higher sequence).
- Text: control characters are removed, CR and CRLF become line feeds, a tab
  becomes a space; everything else is kept exactly, escaped (``\\ ; , \\n``)
  and folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import quote

from screenings.records import FeedEvent, FeedHeader, ProgrammeLine, ZoneSpan, marked
from screenings.timeparse import UTC, load_zone

PRODID = "-//screenings//Festival and screening calendars//EN"
CRLF = "\r\n"

# ICS status of each stored status. A postponed screening is off at its old time.
STATUS = {
    "scheduled": "CONFIRMED",
    "tentative": "TENTATIVE",
    "cancelled": "CANCELLED",
    "postponed": "CANCELLED",
}

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEEDS_CLEANING = re.compile("[\x00-\x1f\x7f-\x9f]")
_NEEDS_ESCAPING = re.compile("[\x00-\x1f\x7f-\x9f\\\\;,]")
_LINE_OCTETS = 75


def clean_text(text: str) -> str:
    """``text`` as a feed keeps it: CR and CRLF become LF, a tab a space, other control
    characters (C0, DEL, C1) are removed; everything else is unchanged."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): cleaned, then ``\\``, ``;``, ``,`` and line feeds
    escaped."""
    if _NEEDS_ESCAPING.search(text) is None:
        return text
    return (
        clean_text(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


# Places, festivals, sections and kinds repeat from event to event.
_escape_short = lru_cache(maxsize=4096)(escape_text)


def fold(line: str) -> str:
    """One content line and its CRLF, folded so that no line is longer than 75 octets
    in UTF-8 (RFC 5545 3.1); a fold never splits a character."""
    if len(line) <= _LINE_OCTETS and (line.isascii() or len(line.encode()) <= _LINE_OCTETS):
        return line + CRLF
    if line.isascii():
        pieces = [line[:_LINE_OCTETS]]
        pieces += [line[i : i + 74] for i in range(_LINE_OCTETS, len(line), 74)]
        return "\r\n ".join(pieces) + CRLF
    data = line.encode()
    cuts: list[str] = []
    start, room = 0, _LINE_OCTETS
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a continuation byte: back up to the character's start
            end -= 1
        cuts.append(data[start:end].decode())
        start, room = end, _LINE_OCTETS - 1  # the leading space of a continuation counts
    cuts.append(data[start:].decode())
    return "\r\n ".join(cuts) + CRLF


@lru_cache(maxsize=4096)
def _utc_stamp(instant: dt.datetime) -> str:
    # Cached: rows written together share their stamps, each formatted once.
    utc = instant.astimezone(UTC)
    return f"{_wall(utc.date(), utc.time())}Z"


_NOT_IN_URI = re.compile("[\x00-\x20\x7f-\x9f]")


def clean_uri(text: str) -> str:
    """A UID as a feed keeps it: no control character and no whitespace (a line break
    there would end the property and break the whole feed)."""
    return _NOT_IN_URI.sub("", text)


# RFC 3986: what a URI may hold as it is (reserved and unreserved characters, and '%').
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def uri_value(text: str) -> str:
    """A URL property's value: cleaned as a UID, then every character a URI may not
    hold (a backslash, a quote, a non-ASCII letter) percent-encoded in UTF-8."""
    return quote(clean_uri(text), safe=_URI_SAFE)


def _wall(day: dt.date, time: dt.time) -> str:
    # %-formatting: three times quicker than strftime, at 200,000 times a feed.
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        day.year,
        day.month,
        day.day,
        time.hour,
        time.minute,
        time.second,
    )


def _happens_twice(local: dt.datetime, zone_name: str) -> bool:
    """True when the zone's clocks show this wall time twice (they went back)."""
    if not _clocks_go_back(zone_name, local.date()):
        return False
    return local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset()


@lru_cache(maxsize=4096)
def _clocks_go_back(zone_name: str, day: dt.date) -> bool:
    """True when the zone's offset is lower at some point of ``day`` (or just after it)
    than before: only then can a wall time of that day happen twice. Sampled every 12
    hours, as the VTIMEZONE scan is (no zone changes twice within half a day)."""
    zone = load_zone(zone_name)

    def offset(on: dt.date, hour: int) -> dt.timedelta:
        value = dt.datetime.combine(on, dt.time(hour), tzinfo=zone).utcoffset()
        assert value is not None  # a ZoneInfo always knows its offset
        return value

    start, noon = offset(day, 0), offset(day, 12)
    return noon < start or offset(day + dt.timedelta(days=1), 0) < noon


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def summary(event: FeedEvent) -> str:
    """The film's title, marked when the screening is not a regular festival showing, is
    private, or is postponed: ``Postponed: The Defector (special screening, private)``."""
    marks: list[str] = []
    if event.kind == "special" or (event.festival is None and event.kind == "regular"):
        marks.append("special screening")
    elif event.kind != "regular":
        marks.append(f"{_words(event.kind)} screening")
    if event.visibility == "private":
        marks.append("private")
    text = event.film_title + (f" ({', '.join(marks)})" if marks else "")
    return marked(text, event.status, False, ("postponed",))


def _words(slug: str) -> str:
    """A stored slug as words: ``q_and_a`` -> ``q and a``."""
    return slug.replace("_", " ").replace("-", " ")


def location(event: FeedEvent) -> str | None:
    """Venue, address, city: the parts known, each once."""
    parts: list[str] = []
    for part in (event.venue_name, event.venue_address, event.city):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts) or None


def description(event: FeedEvent) -> str:  # noqa: C901, PLR0912 -- one line per part of an event's description, each there only when known
    """What the screening is, line by line: the film, its directors, year, runtime and
    countries (a programme: its title, then each of its films in order, with directors
    and runtime); the edition, section and premiere; audience, status, notes; the links."""
    lines: list[str] = []
    film = event.film_title
    if event.programme:
        lines.append(film)
        lines.extend(_programme_lines(event.programme))
        if event.programme_notes:
            lines.append(event.programme_notes)
    elif event.directors:
        lines.append(f"{film}, directed by {_names(event.directors)}")
    else:
        lines.append(film)
    facts = [str(event.film_year) if event.film_year else ""]
    if event.runtime_minutes:
        facts.append(f"{event.runtime_minutes} min")
    facts.append(", ".join(event.countries))
    if any(facts):
        lines.append(" · ".join(f for f in facts if f))
    if event.festival is not None:
        edition = f"{event.festival} {event.edition_year}"
        if event.edition_label:
            edition += f" ({event.edition_label})"
        lines.append(" · ".join(p for p in (edition, event.section, event.premiere) if p))
    else:
        lines.append("Special screening")
    if event.kind not in {"regular", "special"}:
        lines.append(f"Kind: {_words(event.kind)}")
    if event.audience:
        lines.append(f"For: {event.audience}")
    if event.visibility == "private":
        lines.append("Private screening")
    if event.status != "scheduled":
        lines.append(f"Status: {event.status}")
    if event.local_time is None:
        lines.append("Time to be announced")
    if event.notes:
        lines.append("")
        lines.append(event.notes)
    links = []
    if event.ticket_url:
        links.append(f"Tickets: {event.ticket_url}")
    if event.website:
        links.append(f"Website: {event.website}")
    links.extend(f"{kind.capitalize()}: {url}" for kind, url in event.links)
    if links:
        lines.append("")
        lines.extend(links)
    return "\n".join(lines)


def _programme_lines(films: tuple[ProgrammeLine, ...]) -> list[str]:
    """``1. Ice Tales (2025), directed by Anna Virtanen · 12 min``, then its extra line."""
    lines = []
    for number, film in enumerate(films, start=1):
        line = f"{number}. {film.title}" + (f" ({film.year})" if film.year else "")
        if film.directors:
            line += f", directed by {_names(film.directors)}"
        if film.runtime_minutes:
            line += f" · {film.runtime_minutes} min"
        lines.append(line)
        if film.extra:
            lines.append(f"   {film.extra}")
    return lines


def _names(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def categories(event: FeedEvent) -> list[str]:
    """Festival, section, kind: the parts known, each once."""
    found: list[str] = []
    for part in (event.festival, event.section, event.kind):
        if part and part not in found:
            found.append(part)
    return found


# Our own properties (docs/output.md, "Our own calendar properties"): what SUMMARY and
# LOCATION say for people, as fields, so that ``import`` of our feed (``parsers.ics``)
# gets the catalogue back whole. Calendar applications ignore X- properties.
OWN = "X-SCREENINGS-"


def own_properties(event: FeedEvent) -> list[tuple[str, str]]:
    """(name, with its parameters, and value) of each of our properties the event has a
    value for. A programme's films are ``X-SCREENINGS-PROGRAMME-FILM`` in their order
    (``X-YEAR`` their year), each film's directors ``X-SCREENINGS-PROGRAMME-DIRECTOR``
    (``X-FILM`` its place, from 1)."""
    found: list[tuple[str, str]] = [
        (f"{OWN}PROGRAMME" if event.programme else f"{OWN}FILM", event.film_title)
    ]
    if event.film_year is not None and not event.programme:
        found.append((f"{OWN}YEAR", str(event.film_year)))
    if event.runtime_minutes and not event.programme:
        found.append((f"{OWN}RUNTIME", str(event.runtime_minutes)))
    if not event.programme:
        found += [(f"{OWN}DIRECTOR", name) for name in event.directors]
    for place, line in enumerate(event.programme, start=1):
        year = f";X-YEAR={line.year}" if line.year else ""
        year += f";X-RUNTIME={line.runtime_minutes}" if line.runtime_minutes else ""
        found.append((f"{OWN}PROGRAMME-FILM{year}", line.title))
        found += [(f"{OWN}PROGRAMME-DIRECTOR;X-FILM={place}", name) for name in line.directors]
    for name, value in (
        # Where DTSTART has no TZID (an all-day event, a start written in UTC): the zone.
        ("TIMEZONE", event.timezone if _start_without_zone(event) else None),
        ("DURATION", str(event.duration_minutes) if event.duration_minutes else None),
        ("VENUE", event.venue_name),
        ("CITY", event.city),
        ("KIND", event.kind if event.kind != "regular" else None),  # regular: the default
        ("FESTIVAL", event.festival),
        ("EDITION-YEAR", str(event.edition_year) if event.edition_year else None),
        ("EDITION-LABEL", event.edition_label),
        ("SECTION", event.section),
        ("TICKETS", event.ticket_url),
    ):
        if value:
            found.append((OWN + name, value))
    return found


def _start_without_zone(event: FeedEvent) -> bool:
    """Whether the event's DTSTART says no zone: it is all day, or written in UTC (a
    wall time that happens twice; ``render_event``)."""
    if event.local_time is None or event.starts_at_utc is None:
        return True
    start = dt.datetime.combine(
        event.local_date, event.local_time, tzinfo=load_zone(event.timezone)
    )
    return _happens_twice(start, event.timezone)


def render_event(event: FeedEvent) -> bytes:
    """One VEVENT, folded, CRLF line ends."""
    zone = event.timezone
    if event.local_time is None or event.starts_at_utc is None:
        day = event.local_date
        following = day + dt.timedelta(days=1)
        times = (
            f"DTSTART;VALUE=DATE:{day.year:04d}{day.month:02d}{day.day:02d}\r\n"
            f"DTEND;VALUE=DATE:{following.year:04d}{following.month:02d}{following.day:02d}\r\n"
        )
    else:
        # The stored wall time is the truth (DESIGN.md, "Times"); the end is reached
        # through UTC, since a length may cross a change of the clocks. A wall time
        # that happens twice (the hour repeated when clocks go back) is read as the
        # first by icalendar and vobject but as the second by ical.js and libical:
        # such a start or end is written in UTC, which every client reads alike.
        start_utc = event.starts_at_utc
        zone_info = load_zone(zone)
        start = dt.datetime.combine(event.local_date, event.local_time, tzinfo=zone_info)
        start_line = (
            f"DTSTART:{_utc_stamp(start_utc)}"
            if _happens_twice(start, zone)
            else f"DTSTART;TZID={zone}:{_wall(event.local_date, event.local_time)}"
        )
        end_utc = start_utc + dt.timedelta(minutes=event.length_minutes)
        end = end_utc.astimezone(zone_info)
        end_line = (
            f"DTEND:{_utc_stamp(end_utc)}"
            if _happens_twice(end, zone)
            else f"DTEND;TZID={zone}:{_wall(end.date(), end.time())}"
        )
        times = f"{start_line}\r\n{end_line}\r\n"
    stamp = _utc_stamp(event.updated_at)
    parts = [
        "BEGIN:VEVENT\r\n",
        fold(f"UID:{clean_uri(event.uid)}"),
        f"DTSTAMP:{stamp}\r\n",
        times,
        f"SEQUENCE:{event.sequence}\r\nSTATUS:{STATUS[event.status]}\r\n",
        fold(f"SUMMARY:{escape_text(summary(event))}"),
    ]
    place = location(event)
    if place:
        parts.append(fold(f"LOCATION:{_escape_short(place)}"))
    if event.latitude is not None and event.longitude is not None:
        parts.append(f"GEO:{_number(event.latitude)};{_number(event.longitude)}\r\n")
    parts.append(fold(f"DESCRIPTION:{escape_text(description(event))}"))
    url = uri_value(event.ticket_url or event.website or "")
    if url:
        parts.append(fold(f"URL:{url}"))
    parts.append(fold("CATEGORIES:" + ",".join(map(_escape_short, categories(event)))))
    if event.visibility == "private":
        parts.append("CLASS:PRIVATE\r\n")
    for name, value in own_properties(event):
        text = escape_text(value)
        if text:  # a value that is all control characters is none (libical drops it)
            parts.append(fold(f"{name}:{text}"))
    parts.append(
        f"CREATED:{_utc_stamp(event.created_at)}\r\nLAST-MODIFIED:{stamp}\r\nEND:VEVENT\r\n"
    )
    return "".join(parts).encode()


def render_header(header: FeedHeader) -> bytes:
    """BEGIN:VCALENDAR, the calendar's properties and its VTIMEZONEs."""
    refresh = _duration(header.refresh_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"UID:{clean_uri(header.uid)}",
        f"NAME:{escape_text(header.title)}",
        f"X-WR-CALNAME:{escape_text(header.title)}",
        f"DESCRIPTION:{escape_text(header.description)}",
        f"X-WR-CALDESC:{escape_text(header.description)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"X-PUBLISHED-TTL:{refresh}",
    ]
    head = "".join(map(fold, lines)).encode()
    return head + b"".join(_vtimezone(z) for z in header.zones)


FOOTER = b"END:VCALENDAR\r\n"


def _duration(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and not rest:
        return f"P{days}D"
    text = "P" + (f"{days}D" if days else "") + "T"
    return text + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


@lru_cache(maxsize=256)
def _vtimezone(span: ZoneSpan) -> bytes:
    from screenings.exporters.timezones import render_vtimezone

    return bytes(render_vtimezone(span.name, span.first, span.last).to_ical())


def render_ics(header: FeedHeader, events: Iterable[FeedEvent]) -> Iterator[bytes]:
    """The feed, in pieces to write one after another: the header with its VTIMEZONEs,
    then one VEVENT per event in the order given, then the end.

    Every zone an event uses must be in ``header.zones`` (covering its dates); a
    feed with no events must still name one zone, since RFC 5545 wants at least
    one component in a calendar.
    """
    if not header.zones:
        raise ValueError("a feed needs at least one VTIMEZONE")
    yield render_header(header)
    for event in events:
        yield render_event(event)
    yield FOOTER


def assemble(header: FeedHeader, events: Iterable[bytes]) -> bytes:
    """A whole feed from VEVENTs already rendered (``render_event``)."""
    return render_header(header) + b"".join(events) + FOOTER
