"""Plain frozen records that cross layers: what services return and exporters render.

Each view turns into a JSON-ready dict (``as_dict``) with every key present
(``None`` when unknown) and into flat CSV columns (``flat_columns``); the
field order here is the order of the output contract (README, "Output").
They are typed named tuples: immutable, and several times cheaper to define
than dataclasses, which every command that lists pays for at start-up.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any, NamedTuple


class FilmRef(NamedTuple):
    id: int
    title: str
    year: int | None


class PersonRef(NamedTuple):
    id: int
    name: str


class VenueRef(NamedTuple):
    id: int
    name: str
    city: str | None


class FestivalRef(NamedTuple):
    id: int
    name: str


class EditionRef(NamedTuple):
    id: int
    festival: str
    year: int
    label: str | None


class AwardRef(NamedTuple):
    id: int
    name: str


class ScreeningView(NamedTuple):
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


class FilmView(NamedTuple):
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


class PersonView(NamedTuple):
    id: int
    name: str
    slug: str
    films: int


class FestivalView(NamedTuple):
    id: int
    name: str
    slug: str
    city: str | None
    country: str | None
    timezone: str | None
    website: str | None
    editions: int


class EditionView(NamedTuple):
    id: int
    festival: FestivalRef
    year: int
    label: str | None
    slug: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    screenings: int


class VenueView(NamedTuple):
    id: int
    name: str
    slug: str
    address: str | None
    city: str | None
    country: str | None
    timezone: str | None
    latitude: float | None
    longitude: float | None


class AwardView(NamedTuple):
    id: int
    name: str
    festival: FestivalRef | None
    presenter: str | None


class NominationView(NamedTuple):
    id: int
    award: AwardRef
    year: int
    edition: EditionRef | None
    category: str | None
    film: FilmRef | None
    person: PersonRef | None
    result: str


def _is_record(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _plain(value: Any) -> Any:
    if _is_record(value):
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
    return {name: _plain(value) for name, value in zip(record._fields, record, strict=True)}


def flat_columns(view_type: type) -> list[str]:
    """The CSV columns of a view: nested records flattened as ``film_id``, ``film_title``, ..."""
    hints = typing.get_type_hints(view_type)
    columns: list[str] = []
    for name in view_type._fields:  # type: ignore[attr-defined]
        nested = _nested_type(hints[name])
        if nested is None:
            columns.append(name)
        else:
            columns.extend(f"{name}_{sub}" for sub in flat_columns(nested))
    return columns


def flat_row(record: Any) -> dict[str, Any]:
    """The record as one CSV row (keys as in ``flat_columns``); lists joined with '; '."""
    row: dict[str, Any] = {}
    hints = typing.get_type_hints(type(record))
    for name, value in zip(record._fields, record, strict=True):
        nested = _nested_type(hints[name])
        if nested is not None:
            inner = flat_row(value) if value is not None else dict.fromkeys(flat_columns(nested))
            row.update({f"{name}_{k}": v for k, v in inner.items()})
        elif isinstance(value, list):
            row[name] = "; ".join(str(v) for v in value)
        else:
            row[name] = _plain(value)
    return row


def _nested_type(hint: Any) -> type | None:
    for candidate in typing.get_args(hint) or (hint,):
        if (
            isinstance(candidate, type)
            and issubclass(candidate, tuple)
            and hasattr(candidate, "_fields")
        ):
            return candidate
    return None
