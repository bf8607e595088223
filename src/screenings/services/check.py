"""Clashes a programmer must see, among the screenings a query selects: two screenings
overlapping in one venue, a film shown twice at once, a screening outside its edition's
dates, a screening whose zone contradicts its venue's. Meant to serve the import report
too, when the import lands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from screenings.query import E, ScreeningQuery, V
from screenings.timeparse import load_zone


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
    are effective lengths.

    The overlaps come from one pass over the query's rows in start order that holds only
    the screenings still running (an import's report checks whole editions: memory must
    not grow with them); dates outside an edition and zones that contradict a venue's are
    asked of the database, with the same FROM and WHERE."""
    query = query.with_private()
    statement, notes = query.statement(session)
    c = statement.selected_columns
    statement = statement.order_by(None)

    def rows(*columns: Any, where: Any = None) -> Iterator[Any]:
        chosen = statement.with_only_columns(*columns, c.status, maintain_column_froms=True)
        if where is not None:
            chosen = chosen.where(where)
        else:
            chosen = chosen.where(c.starts_at_utc.is_not(None)).order_by(c.starts_at_utc, c.id)
        for row in session.execute(chosen, execution_options={"yield_per": 2000}):
            if row.status != "cancelled":
                yield row

    timed = (
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
        for r in rows(
            c.id,
            c.venue_id,
            c.venue_name,
            c.film_id,
            c.film_title,
            c.edition_id,
            c.local_date,
            c.local_time,
            c.timezone,
            c.starts_at_utc,
            c.duration_minutes,
            c.film_runtime,
        )
    )
    at_venues: list[Clash] = []
    of_films: list[Clash] = []
    for first, second, same_venue in _overlaps(timed):
        if same_venue:
            at_venues.append(
                Clash(
                    "venue overlap",
                    (first.id, second.id),
                    f"#{first.id} and #{second.id} overlap at {first.venue}: "
                    f"{_span(first)} and {_span(second)}",
                )
            )
        else:
            of_films.append(
                Clash(
                    "film twice at once",
                    (first.id, second.id),
                    f"#{first.id} and #{second.id} show {first.film} at once: "
                    f"{_span(first)} and {_span(second)}",
                )
            )
    clashes = at_venues + of_films
    outside = or_(
        and_(E.c.starts_on.is_not(None), c.local_date < E.c.starts_on),
        and_(E.c.ends_on.is_not(None), c.local_date > E.c.ends_on),
    )
    for r in rows(
        c.id,
        c.local_date,
        c.festival_name,
        c.edition_year,
        E.c.starts_on,
        E.c.ends_on,
        where=outside,
    ):
        clashes.append(
            Clash(
                "outside edition",
                (r.id,),
                f"#{r.id} on {r.local_date} is outside {r.festival_name} {r.edition_year} "
                f"({r.starts_on or '?'} to {r.ends_on or '?'})",
            )
        )
    elsewhere = and_(V.c.timezone.is_not(None), V.c.timezone != c.timezone)
    for r in rows(c.id, c.timezone, c.venue_name, V.c.timezone.label("zone"), where=elsewhere):
        clashes.append(
            Clash("zone", (r.id,), f"#{r.id} is in {r.timezone}, but {r.venue_name} is in {r.zone}")
        )
    return clashes, notes


def _overlaps(ordered: Iterable[_Shown]) -> Iterator[tuple[_Shown, _Shown, bool]]:
    """Pairs of screenings that overlap at one venue (True) or show one film at once at
    two places (False), from screenings in start order: a sweep that keeps, per venue
    and per film, only those still running."""
    at_venue: dict[int, list[_Shown]] = {}
    of_film: dict[int, list[_Shown]] = {}
    for n, view in enumerate(ordered, start=1):
        assert view.starts_at_utc is not None
        if n % 10_000 == 0:  # forget the venues and films with nothing running any more
            for kept in (at_venue, of_film):
                now = view.starts_at_utc
                for gone in [k for k, v in kept.items() if all(_end(r) <= now for r in v)]:
                    del kept[gone]
        for running, key in ((at_venue, view.venue_id), (of_film, view.film_id)):
            if key is None:
                continue
            still = [r for r in running.get(key, ()) if _end(r) > view.starts_at_utc]
            for earlier in still:
                if running is at_venue:
                    yield earlier, view, True
                elif earlier.venue_id is None or earlier.venue_id != view.venue_id:
                    yield earlier, view, False  # the same venue: said as a venue overlap
            still.append(view)
            running[key] = still


def _end(view: _Shown) -> dt.datetime:
    assert view.starts_at_utc is not None
    return view.starts_at_utc + dt.timedelta(minutes=view.length_minutes)


def _span(view: _Shown) -> str:
    """``2013-06-14 18:00-19:11``, the end read on the zone's clocks: a slot across a
    change of the clocks ends when they say, not at the wall time plus the length."""
    assert view.starts_at_utc is not None and view.local_time is not None
    end = _end(view).astimezone(load_zone(view.timezone))
    later = "" if end.date() == view.local_date else f" on {end.date()}"
    return f"{view.local_date} {view.local_time:%H:%M}-{end:%H:%M}{later}"
