"""Plain frozen records that cross layers: what services return and exporters render.

Each view turns into a JSON-ready dict (``as_dict``) with every key present
(``None`` when unknown) and into flat CSV columns (``flat_columns``); the
field order here is the order of the output contract (README, "Output").
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, fields, is_dataclass
from typing import Any


@dataclass(frozen=True)
class FilmRef:
    id: int
    title: str
    year: int | None


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


@dataclass(frozen=True)
class VenueRef:
    id: int
    name: str
    city: str | None


@dataclass(frozen=True)
class FestivalRef:
    id: int
    name: str


@dataclass(frozen=True)
class EditionRef:
    id: int
    festival: str
    year: int
    label: str | None


@dataclass(frozen=True)
class AwardRef:
    id: int
    name: str


@dataclass(frozen=True)
class ScreeningView:
    """One screening as every door shows it.

    ``start`` is ISO 8601 with the local offset (``2013-06-11T18:00:00+01:00``),
    or the date alone when the time is not known ("time TBA").
    ``length_minutes`` is the effective length: the screening's own slot,
    else the film's runtime, else the configured default.
    """

    id: int
    uid: str
    film: FilmRef
    venue: VenueRef | None
    edition: EditionRef | None
    city: str | None
    local_date: dt.date
    local_time: dt.time | None
    timezone: str
    start: str
    starts_at_utc: dt.datetime | None
    duration_minutes: int | None
    length_minutes: int
    kind: str
    status: str
    visibility: str
    audience: str | None
    section: str | None
    ticket_url: str | None
    notes: str | None
    sequence: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class FilmView:
    id: int
    title: str
    original_title: str | None
    year: int | None
    runtime_minutes: int | None
    countries: list[str]
    languages: list[str]
    imdb_id: str | None
    website: str | None
    slug: str
    directors: list[str]


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    slug: str
    films: int


@dataclass(frozen=True)
class FestivalView:
    id: int
    name: str
    slug: str
    city: str | None
    country: str | None
    timezone: str | None
    website: str | None
    editions: int


@dataclass(frozen=True)
class EditionView:
    id: int
    festival: FestivalRef
    year: int
    label: str | None
    slug: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    screenings: int


@dataclass(frozen=True)
class VenueView:
    id: int
    name: str
    slug: str
    address: str | None
    city: str | None
    country: str | None
    timezone: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class AwardView:
    id: int
    name: str
    festival: FestivalRef | None
    presenter: str | None


@dataclass(frozen=True)
class NominationView:
    id: int
    award: AwardRef
    year: int
    edition: EditionRef | None
    category: str | None
    film: FilmRef | None
    person: PersonRef | None
    result: str


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return as_dict(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_dict(record: Any) -> dict[str, Any]:
    """The record as JSON-ready data: nested records as objects, times as ISO 8601 text."""
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


def flat_columns(view_type: type) -> list[str]:
    """The CSV columns of a view: nested records flattened as ``film_id``, ``film_title``, ..."""
    hints = typing.get_type_hints(view_type)
    columns: list[str] = []
    for f in fields(view_type):
        nested = _nested_type(hints[f.name])
        if nested is None:
            columns.append(f.name)
        else:
            columns.extend(f"{f.name}_{sub}" for sub in flat_columns(nested))
    return columns


def flat_row(record: Any) -> dict[str, Any]:
    """The record as one CSV row (keys as in ``flat_columns``); lists joined with '; '."""
    row: dict[str, Any] = {}
    hints = typing.get_type_hints(type(record))
    for f in fields(record):
        value = getattr(record, f.name)
        nested = _nested_type(hints[f.name])
        if nested is not None:
            inner = flat_row(value) if value is not None else dict.fromkeys(flat_columns(nested))
            row.update({f"{f.name}_{k}": v for k, v in inner.items()})
        elif isinstance(value, list):
            row[f.name] = "; ".join(str(v) for v in value)
        else:
            row[f.name] = _plain(value)
    return row


def _nested_type(hint: Any) -> type | None:
    for candidate in typing.get_args(hint) or (hint,):
        if isinstance(candidate, type) and is_dataclass(candidate):
            return candidate
    return None
