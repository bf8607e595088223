"""Clashes a programmer must see, among the screenings a query selects: two screenings
overlapping in one venue, a film shown twice at once, a screening outside its edition's
dates, a screening whose zone contradicts its venue's. Meant to serve the import report
too, when the import lands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

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
    are effective lengths.

    The query's rows are read as they come, in two passes (by venue, then by film, each
    in start order) that hold only the screenings still running: an import's report
    checks whole editions, and memory must not grow with them."""
    query = query.with_private()
    statement, notes = query.statement(session)
    # The same FROM and WHERE, only the columns the checks read.
    c = statement.selected_columns
    statement = statement.with_only_columns(
        c.id, c.venue_id, c.venue_name, c.film_id, c.film_title, c.edition_id, c.local_date,
        c.local_time, c.timezone, c.starts_at_utc, c.duration_minutes, c.film_runtime, c.status,
        maintain_column_froms=True,
    ).order_by(None)  # fmt: skip

    def shown(order: Any) -> Iterator[_Shown]:
        for r in session.execute(statement.order_by(*order), execution_options={"yield_per": 2000}):
            if r.status == "cancelled":
                continue
            yield _Shown(
                r.id, r.venue_id, r.venue_name, r.film_id, r.film_title, r.edition_id,
                r.local_date, r.local_time, r.timezone, r.starts_at_utc,
                r.duration_minutes or r.film_runtime or query.default_length_minutes,
            )  # fmt: skip

    clashes: list[Clash] = []
    by_venue = shown([c.venue_id, c.starts_at_utc, c.id])
    for first, second in _overlaps(v for v in by_venue if v.venue_id and v.starts_at_utc):
        clashes.append(
            Clash(
                "venue overlap",
                (first.id, second.id),
                f"#{first.id} and #{second.id} overlap at {first.venue}: "
                f"{_span(first)} and {_span(second)}",
            )
        )
    by_film = shown([c.film_id, c.starts_at_utc, c.id])
    for first, second in _overlaps((v for v in by_film if v.starts_at_utc), key="film_id"):
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
    editions: dict[int, Edition | None] = {}
    zones: dict[int, str | None] = {}
    for view in shown([c.local_date, c.id]):
        if view.edition_id is not None:
            if view.edition_id not in editions:
                editions[view.edition_id] = session.get(Edition, view.edition_id)
            edition = editions[view.edition_id]
            assert edition is not None
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
        if view.venue_id is not None:
            if view.venue_id not in zones:
                zones[view.venue_id] = session.scalar(
                    select(Venue.timezone).where(Venue.id == view.venue_id)
                )
            zone = zones[view.venue_id]
            if zone and zone != view.timezone:
                clashes.append(
                    Clash(
                        "zone",
                        (view.id,),
                        f"#{view.id} is in {view.timezone}, but {view.venue} is in {zone}",
                    )
                )
    return clashes, notes


def _overlaps(ordered: Iterable[_Shown], key: str = "venue_id") -> Iterator[tuple[_Shown, _Shown]]:
    """Pairs that overlap, from screenings ordered by ``key`` then start: a sweep that
    keeps only those of the same ``key`` still running."""
    running: list[_Shown] = []
    for view in ordered:
        assert view.starts_at_utc is not None
        if running and getattr(running[0], key) != getattr(view, key):
            running = []
        running = [r for r in running if _end(r) > view.starts_at_utc]
        for earlier in running:
            yield earlier, view
        running.append(view)


def _end(view: _Shown) -> dt.datetime:
    assert view.starts_at_utc is not None
    return view.starts_at_utc + dt.timedelta(minutes=view.length_minutes)


def _span(view: _Shown) -> str:
    assert view.starts_at_utc is not None and view.local_time is not None
    end = dt.datetime.combine(view.local_date, view.local_time) + dt.timedelta(
        minutes=view.length_minutes
    )
    return f"{view.local_date} {view.local_time:%H:%M}-{end:%H:%M}"
