"""A frab schedule (``records.FrabSchedule``) as ``schedule.xml`` or ``schedule.json``, in
the C3VOC schemas that ``frab-check`` validates against.

Both are streamed: the days are written to a spooled file as they are read (memory is
kept for the largest), and its digest makes the schedule's ``version``, which apps
compare to see a change: the same schedule always gives the same bytes, and any change
of it a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from screenings import __version__
from screenings.records import FrabConference, FrabDay, FrabEvent, FrabSchedule

GENERATOR = "screenings"
FACTS_VERSION = 1
SCHEMA = "https://c3voc.de/schedule/schema.json"
_SPOOLED = 16 * 1024 * 1024  # kept in memory up to this, then in a temporary file
_PIECE = 64 * 1024
# The C3VOC JSON schema's pattern for a zone name: one it refuses (Etc/GMT+2, EST5EDT) is
# left out of schedule.json, and each event's date still carries its offset.
SCHEMA_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


def render_frab_xml(schedule: FrabSchedule) -> Iterator[bytes]:
    """``schedule.xml``."""
    return _render(schedule, _xml_days, _xml_head, (b"</schedule>\n", b""))


def render_frab_json(schedule: FrabSchedule) -> Iterator[bytes]:
    """``schedule.json``: one object; its days one to a line, then our own facts of its
    events (``schedule.screenings``), one to a line."""
    facts_head = f'\n]}},"screenings":{{"version":{FACTS_VERSION},"events":{{\n'.encode()
    return _render(schedule, _json_days, _json_head, (facts_head, b"\n}}}}\n"))


def _render(
    schedule: FrabSchedule,
    days: Callable[[FrabSchedule, IO[bytes], IO[bytes]], None],
    head: Callable[[FrabSchedule, str], bytes],
    tail: tuple[bytes, bytes],
) -> Iterator[bytes]:
    """The head (its version the digest of the rest), the days, then what ``days`` wrote
    beside them between the two parts of ``tail``: each spooled as it is written, so
    that memory stays flat however long the schedule."""
    with (
        tempfile.SpooledTemporaryFile(max_size=_SPOOLED) as spool,
        tempfile.SpooledTemporaryFile(max_size=_SPOOLED) as beside,
    ):
        days(schedule, spool, beside)
        digest = hashlib.sha256(repr(tuple(schedule.conference)).encode())
        for part in (spool, beside):
            part.seek(0)
            while piece := part.read(_PIECE):
                digest.update(piece)
        yield head(schedule, digest.hexdigest()[:12])
        spool.seek(0)
        while piece := spool.read(_PIECE):
            yield piece
        yield tail[0]
        beside.seek(0)
        while piece := beside.read(_PIECE):
            yield piece
        yield tail[1]


# --- schedule.xml ----------------------------------------------------------------------


def _xml_head(schedule: FrabSchedule, version: str) -> bytes:
    c = schedule.conference
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n',
        f"  <generator name={quoteattr(GENERATOR)} version={quoteattr(__version__)}/>\n",
        f"  <version>{version}</version>\n",
        "  <conference>\n",
        _element("acronym", c.acronym, 4),
        _element("title", c.title, 4),
        _element("start", c.start.isoformat(), 4),
        _element("end", c.end.isoformat(), 4),
        _element("days", str(c.days), 4),
        _element("timeslot_duration", _hours(c.timeslot_minutes), 4),
        _element("base_url", f"{c.base_url}/", 4),
    ]
    if c.url:
        parts.append(_element("url", c.url, 4))
    if c.zone:
        parts.append(_element("time_zone_name", c.zone, 4))
    parts.append("  </conference>\n")
    return "".join(parts).encode()


def _xml_days(schedule: FrabSchedule, out: IO[bytes], _beside: IO[bytes]) -> None:
    """The days (schedule.xml has no place for our facts: nothing beside them)."""
    for day in schedule.days:
        attributes = {
            "index": str(day.number),
            "date": day.date.isoformat(),
            "start": day.start.isoformat(),
            "end": day.end.isoformat(),
        }
        said = " ".join(f"{name}={quoteattr(value)}" for name, value in attributes.items())
        out.write(f"  <day {said}>\n".encode())
        for room, events in day.rooms:
            out.write(
                f"    <room name={quoteattr(room.name)} guid={quoteattr(room.guid)}>\n".encode()
            )
            for event in events:
                out.write(_xml_event(event).encode())
            out.write(b"    </room>\n")
        out.write(b"  </day>\n")


def _xml_event(e: FrabEvent) -> str:
    persons = "".join(
        f"<person id={quoteattr(str(p.id))} guid={quoteattr(p.guid)}>{escape(p.name)}</person>"
        for p in e.persons
    )
    links = "".join(
        f"<link href={quoteattr(link.url)} type={quoteattr(link.type)}>{escape(link.title)}</link>"
        for link in e.links
    )
    parts = [
        f"      <event guid={quoteattr(e.guid)} id={quoteattr(str(e.id))}>\n",
        _element("room", e.room, 8),
        _element("title", e.title, 8),
        _element("subtitle", e.subtitle, 8),
        _element("type", e.type, 8),
        _element("date", e.start.isoformat(), 8),
        _element("start", f"{e.start:%H:%M}", 8),
        _element("duration", _hours(e.duration_minutes), 8),
        _element("abstract", e.abstract, 8),
        _element("slug", e.slug, 8),
        _element("track", e.track or "", 8),
        f"        <persons>{persons}</persons>\n",
    ]
    if e.language:
        parts.append(_element("language", e.language, 8))
    parts += [
        _element("description", e.description, 8),
        "        <recording><license/><optout>true</optout></recording>\n",
        f"        <links>{links}</links>\n",
        "        <attachments/>\n",
        _element("url", e.url, 8),
        "      </event>\n",
    ]
    return "".join(parts)


def _element(name: str, text: str, indent: int) -> str:
    if not text:
        return f"{' ' * indent}<{name}/>\n"
    return f"{' ' * indent}<{name}>{escape(text)}</{name}>\n"


# --- schedule.json ---------------------------------------------------------------------


def _json_head(schedule: FrabSchedule, version: str) -> bytes:
    c: FrabConference = schedule.conference
    conference: dict[str, Any] = {
        "acronym": c.acronym,
        "title": c.title,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "daysCount": c.days,
        "timeslot_duration": _hours(c.timeslot_minutes),
    }
    if c.zone and SCHEMA_ZONE.match(c.zone):
        conference["time_zone_name"] = c.zone
    if c.url:
        conference["url"] = c.url
    conference["rooms"] = [{"name": r.name, "guid": r.guid} for r in schedule.rooms]
    document = {
        "$schema": SCHEMA,
        "generator": {"name": GENERATOR, "version": __version__},
        "schedule": {
            "version": version,
            "base_url": f"{c.base_url}/",
            "conference": conference,
        },
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text[: -len("}}}")].encode() + b',"days":[\n'


def _json_days(schedule: FrabSchedule, out: IO[bytes], beside: IO[bytes]) -> None:
    """The days, and beside them each event's facts by guid: ours, after the conference
    in the schedule (which the schema leaves open), for ``import`` (docs/output.md)."""
    first = said = True
    for day in schedule.days:
        if not first:
            out.write(b",\n")
        first = False
        out.write(json.dumps(_json_day(day), ensure_ascii=False, separators=(",", ":")).encode())
        for _, events in day.rooms:
            for event in events:
                if event.facts:
                    beside.write(b"" if said else b",\n")
                    said = False
                    facts = json.dumps(event.facts, ensure_ascii=False, separators=(",", ":"))
                    beside.write(f"{json.dumps(event.guid)}:{facts}".encode())


def _json_day(day: FrabDay) -> dict[str, Any]:
    return {
        "index": day.number,
        "date": day.date.isoformat(),
        "day_start": day.start.isoformat(),
        "day_end": day.end.isoformat(),
        "rooms": {room.name: [_json_event(e) for e in events] for room, events in day.rooms},
    }


def _json_event(e: FrabEvent) -> dict[str, Any]:
    # In UTC: an aware sum keeps the wall clock, and would be an hour out over a change.
    end = (e.start.astimezone(dt.UTC) + dt.timedelta(minutes=e.duration_minutes)).astimezone(
        e.start.tzinfo
    )
    return {
        "guid": e.guid,
        "id": e.id,
        "date": e.start.isoformat(),
        "start": f"{e.start:%H:%M}",
        "end": end.isoformat(),
        "duration": _hours(e.duration_minutes),
        "room": e.room,
        "slug": e.slug,
        "url": e.url,
        "title": e.title,
        "subtitle": e.subtitle,
        "track": e.track,
        "type": e.type,
        "language": e.language,
        "abstract": e.abstract,
        "description": e.description,
        "do_not_record": True,
        "persons": [{"id": p.id, "guid": p.guid, "public_name": p.name} for p in e.persons],
        "links": [{"url": link.url, "title": link.title, "type": link.type} for link in e.links],
        "attachments": [],
    }


def _hours(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
