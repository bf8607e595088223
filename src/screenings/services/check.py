"""Clashes a programmer must see, among the screenings a query selects: two screenings
overlapping in one venue, a film shown twice at once, a screening outside its edition's
dates, a screening whose zone contradicts its venue's. Meant to serve the import report
too, when the import lands."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings.models import Edition, Venue
from screenings.query import ScreeningQuery


class Clash(NamedTuple):
    kind: str  # "venue overlap", "film twice at once", "outside edition", "zone"
    screenings: tuple[int, ...]
    message: str


class _Shown(NamedTuple):
    """What the checks need of a screening: a row of the query's SELECT, no view built."""

    id: int
    venue_id: int | None
    venue: str | None
    film_id: int
    film: str
    edition_id: int | None
    local_date: dt.date
    local_time: dt.time | None
    timezone: str
    starts_at_utc: dt.datetime | None
    length_minutes: int


def check_screenings(session: Session, query: ScreeningQuery) -> tuple[list[Clash], list[str]]:
    """Every clash among the screenings ``query`` selects (private ones included; cancelled
    ones left out: they take no room), and the notes on how its names were read. Lengths
    are effective lengths. Reads the query's rows as they come (an import's report checks
    whole editions), building no views."""
    query = query.with_private()
    statement, notes = query.statement(session)
    # The same FROM and WHERE, only the columns the checks read.
    c = statement.selected_columns
    statement = statement.with_only_columns(
        c.id, c.venue_id, c.venue_name, c.film_id, c.film_title, c.edition_id, c.local_date,
        c.local_time, c.timezone, c.starts_at_utc, c.duration_minutes, c.film_runtime, c.status,
        maintain_column_froms=True,
    )  # fmt: skip
    views = [
        _Shown(
            r.id,
            r.venue_id,
            r.venue_name,
            r.film_id,
            r.film_title,
            r.edition_id,
            r.local_date,
            r.local_time,
            r.timezone,
            r.starts_at_utc,
            r.duration_minutes or r.film_runtime or query.default_length_minutes,
        )
        for r in session.execute(statement)
        if r.status != "cancelled"
    ]
    clashes: list[Clash] = []
    by_venue: dict[int, list[_Shown]] = defaultdict(list)
    by_film: dict[int, list[_Shown]] = defaultdict(list)
    for view in views:
        if view.starts_at_utc is None:
            continue
        if view.venue_id is not None:
            by_venue[view.venue_id].append(view)
        by_film[view.film_id].append(view)
    for group in by_venue.values():
        for first, second in _overlaps(group):
            clashes.append(
                Clash(
                    "venue overlap",
                    (first.id, second.id),
                    f"#{first.id} and #{second.id} overlap at {first.venue}: "
                    f"{_span(first)} and {_span(second)}",
                )
            )
    for group in by_film.values():
        for first, second in _overlaps(group):
            if first.venue_id and first.venue_id == second.venue_id:
                continue  # already said as a venue overlap
            clashes.append(
                Clash(
                    "film twice at once",
                    (first.id, second.id),
                    f"#{first.id} and #{second.id} show {first.film} at once: "
                    f"{_span(first)} and {_span(second)}",
                )
            )
    edition_ids = {v.edition_id for v in views if v.edition_id}
    editions = {
        e.id: e for e in session.scalars(select(Edition).where(Edition.id.in_(edition_ids)))
    }
    for view in views:
        edition = editions.get(view.edition_id) if view.edition_id else None
        if edition is None:
            continue
        starts, ends = edition.starts_on, edition.ends_on
        if (starts and view.local_date < starts) or (ends and view.local_date > ends):
            clashes.append(
                Clash(
                    "outside edition",
                    (view.id,),
                    f"#{view.id} on {view.local_date} is outside {edition.festival.name} "
                    f"{edition.year} ({starts or '?'} to {ends or '?'})",
                )
            )
    venue_ids = {v.venue_id for v in views if v.venue_id}
    zones = dict(
        session.execute(select(Venue.id, Venue.timezone).where(Venue.id.in_(venue_ids))).all()
    )
    for view in views:
        if view.venue_id is None:
            continue
        zone = zones.get(view.venue_id)
        if zone and zone != view.timezone:
            clashes.append(
                Clash(
                    "zone",
                    (view.id,),
                    f"#{view.id} is in {view.timezone}, but {view.venue} is in {zone}",
                )
            )
    return clashes, notes


def _overlaps(group: list[_Shown]) -> list[tuple[_Shown, _Shown]]:
    ordered = sorted(group, key=lambda v: (v.starts_at_utc, v.id))
    found = []
    for i, first in enumerate(ordered):
        end = _end(first)
        for second in ordered[i + 1 :]:
            assert second.starts_at_utc is not None
            if second.starts_at_utc >= end:
                break
            found.append((first, second))
    return found


def _end(view: _Shown) -> dt.datetime:
    assert view.starts_at_utc is not None
    return view.starts_at_utc + dt.timedelta(minutes=view.length_minutes)


def _span(view: _Shown) -> str:
    assert view.starts_at_utc is not None and view.local_time is not None
    end = dt.datetime.combine(view.local_date, view.local_time) + dt.timedelta(
        minutes=view.length_minutes
    )
    return f"{view.local_date} {view.local_time:%H:%M}-{end:%H:%M}"
