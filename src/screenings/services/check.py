"""Clashes a programmer must see, among the screenings a query selects: two screenings
overlapping in one venue, a film shown twice at once (alone, or inside a programme), a
screening outside its edition's
dates, a screening whose zone contradicts its venue's. Meant to serve the import report
too, when the import lands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from screenings import tables
from screenings.db import has_table
from screenings.models import Screening
from screenings.query import E, ScreeningQuery, V, shows_film
from screenings.timeparse import load_zone

BATCH = 5000  # clashes whose screenings' names are read at once


class Clash(NamedTuple):
    kind: str  # "venue overlap", "film twice at once", "outside edition", "zone"
    screenings: tuple[int, ...]
    message: str


class _Timed(NamedTuple):
    """What the sweep needs of a screening: when it starts and how long it runs, where."""

    id: int
    venue_id: int | None
    films: tuple[int, ...]  # its film, or its programme's
    starts_at_utc: dt.datetime
    ends_at_utc: dt.datetime


class _Shown(NamedTuple):
    """What a clash's message says of a screening, asked only for those that clash."""

    venue: str | None
    film: str
    local_date: dt.date
    local_time: dt.time
    timezone: str


def check_screenings(session: Session, query: ScreeningQuery) -> tuple[list[Clash], list[str]]:
    """Every clash among the screenings ``query`` selects (private ones included; cancelled
    ones left out: they take no room), and the notes on how its names were read. Lengths
    are effective lengths (``clash_stream``)."""
    clashes, notes = clash_stream(session, query)
    return list(clashes), notes


def clash_stream(session: Session, query: ScreeningQuery) -> tuple[Iterator[Clash], list[str]]:
    """``check_screenings``, the clashes as they are found (in the same order: at venues,
    then of films, then outside editions, then of zones), so that a caller that keeps a
    few need not hold them all (a first import of 1,000,000 rows may have 100,000).

    The overlaps come from one pass over the query's rows in start order that holds only
    the screenings still running (an import's report checks whole editions: memory must
    not grow with them), reading no more of a row than its times and places; the names
    and clocks the messages show are then read for the screenings that clash, a batch of
    clashes at a time. Dates outside an edition and zones that contradict a venue's are
    asked of the database, with the same FROM and WHERE."""
    query = query.with_private()
    statement, notes = query.statement(session)
    return _clashes(session, query, statement.order_by(None)), notes


def _clashes(session: Session, query: ScreeningQuery, statement: Any) -> Iterator[Clash]:  # noqa: C901 -- one pass, one kind of clash per branch
    c = statement.selected_columns

    def rows(*columns: Any, where: Any = None) -> Iterator[Any]:
        chosen = statement.with_only_columns(*columns, c.status, maintain_column_froms=True)
        if where is not None:
            chosen = chosen.where(where)
        else:
            chosen = chosen.where(c.starts_at_utc.is_not(None)).order_by(c.starts_at_utc, c.id)
        for row in session.execute(chosen, execution_options={"yield_per": 2000}):
            if row.status != "cancelled":
                yield row

    programmes = _programme_films(session)
    lengths: dict[int, dt.timedelta] = {}
    timed = (
        _Timed(
            id,
            venue,
            (film,) if programme is None else programmes.get(programme, ()),
            starts,
            starts + _length(lengths, length),
        )
        for id, venue, film, programme, starts, length, _status in rows(
            c.id, c.venue_id, c.film_id, c.programme_id, c.starts_at_utc, c.length_minutes
        )
    )
    of_films: list[Clash] = []
    pairs = _overlaps(timed)
    while batch := list(islice(pairs, BATCH)):  # the names of a batch's screenings at a time
        shown: dict[int, _Shown] = {}
        clashing = list({view.id for first, second, _ in batch for view in (first, second)})
        titles = _titles(session, {film for _, _, film in batch if film is not None})
        for r in rows(
            c.id,
            c.venue_name,
            c.film_title,
            c.local_date,
            c.local_time,
            c.timezone,
            where=c.id.in_(clashing),
        ):
            shown[r.id] = _Shown(r.venue_name, r.film_title, r.local_date, r.local_time, r.timezone)
        for first, second, film in batch:
            one, other = _span(first, shown[first.id]), _span(second, shown[second.id])
            if film is None:
                yield (
                    Clash(
                        "venue overlap",
                        (first.id, second.id),
                        f"#{first.id} ({shown[first.id].film}) and #{second.id} "
                        f"({shown[second.id].film}) overlap at {shown[first.id].venue}: "
                        f"{one} and {other}",
                    )
                )
            else:
                of_films.append(
                    Clash(
                        "film twice at once",
                        (first.id, second.id),
                        f"#{first.id} and #{second.id} show {titles[film]} at once: "
                        f"{one} and {other}",
                    )
                )
    yield from of_films
    outside = or_(
        and_(E.c.starts_on.is_not(None), c.local_date < E.c.starts_on),
        and_(E.c.ends_on.is_not(None), c.local_date > E.c.ends_on),
    )
    for r in rows(
        c.id,
        c.film_title,
        c.local_date,
        c.festival_name,
        c.edition_year,
        E.c.starts_on,
        E.c.ends_on,
        where=outside,
    ):
        edition = f"{r.festival_name} {r.edition_year}"
        said = outside_message(r.id, r.film_title, r.local_date, edition, r.starts_on, r.ends_on)
        yield Clash("outside edition", (r.id,), said)
    elsewhere = and_(V.c.timezone.is_not(None), V.c.timezone != c.timezone)
    zone = V.c.timezone.label("zone")
    for r in rows(c.id, c.film_title, c.timezone, c.venue_name, zone, where=elsewhere):
        yield Clash(
            "zone",
            (r.id,),
            f"#{r.id} ({r.film_title}) is in {r.timezone}, but {r.venue_name} is in {r.zone}",
        )


def _programme_films(session: Session) -> dict[int, tuple[int, ...]]:
    """The films of every programme, by programme: a small table, read once."""
    if not has_table(session, "programme"):
        return {}
    found: dict[int, list[int]] = {}
    pf = tables.programme_film
    for programme, film in session.execute(select(pf.c.programme_id, pf.c.film_id)):
        found.setdefault(programme, []).append(film)
    return {programme: tuple(films) for programme, films in found.items()}


def _titles(session: Session, films: set[int]) -> dict[int, str]:
    f = tables.film
    ordered = sorted(films)
    return {
        id: title
        for start in range(0, len(ordered), 1000)
        for id, title in session.execute(
            select(f.c.id, f.c.title).where(f.c.id.in_(ordered[start : start + 1000]))
        )
    }


def _overlaps(ordered: Iterable[_Timed]) -> Iterator[tuple[_Timed, _Timed, int | None]]:
    """Pairs of screenings that overlap at one venue (with None) or show one film at once
    at two places (with that film: alone, or inside a programme), from screenings in
    start order: a sweep that keeps, per venue and per film, only those still running.
    A pair that shares several films is given once."""
    at_venue: dict[int, list[_Timed]] = {}
    of_film: dict[int, list[_Timed]] = {}
    paired: set[tuple[int, int]] = set()  # pairs given for a film, when they share several
    for n, view in enumerate(ordered, start=1):
        if n % 10_000 == 0:  # forget the venues and films with nothing running any more
            for kept in (at_venue, of_film):
                now = view.starts_at_utc
                for gone in [k for k, v in kept.items() if all(r.ends_at_utc <= now for r in v)]:
                    del kept[gone]
        keys = [(at_venue, view.venue_id)] + [(of_film, film) for film in view.films]
        for running, key in keys:
            if key is None:
                continue
            still = [r for r in running.get(key, ()) if r.ends_at_utc > view.starts_at_utc]
            for earlier in still:
                if running is at_venue:
                    yield earlier, view, None
                elif (earlier.venue_id is None or earlier.venue_id != view.venue_id) and (
                    earlier.id,
                    view.id,
                ) not in paired:  # the same venue: a venue overlap
                    paired.add((earlier.id, view.id))
                    yield earlier, view, key
            still.append(view)
            running[key] = still


def _length(lengths: dict[int, dt.timedelta], minutes: int) -> dt.timedelta:
    length = lengths.get(minutes)
    if length is None:
        length = lengths[minutes] = dt.timedelta(minutes=minutes)
    return length


def _span(view: _Timed, shown: _Shown) -> str:
    """``2013-06-14 18:00-19:11``, the end read on the zone's clocks: a slot across a
    change of the clocks ends when they say, not at the wall time plus the length."""
    end = view.ends_at_utc.astimezone(load_zone(shown.timezone))
    later = "" if end.date() == shown.local_date else f" on {end.date()}"
    return f"{shown.local_date} {shown.local_time:%H:%M}-{end:%H:%M}{later}"


NEAR_LIMIT = 2000  # changed screenings beyond which whole editions are checked at once


def clashes_of_changed(
    session: Session,
    changed: set[int],
    edition_ids: tuple[int, ...],
    default_length_minutes: int,
) -> Iterable[Clash]:
    """The clashes that involve one of the ``changed`` screenings (an import's, made or
    changed): among the screenings of their venue-days and of their films only, so that
    an import that changed a few rows of a large festival checks a few venue-days, and
    one that changed none checks nothing. Many changed (a first import; the importer
    keeps no more than one past ``NEAR_LIMIT``): every clash of the editions, in one
    pass."""
    if not changed:
        return []
    if len(changed) > NEAR_LIMIT and edition_ids:
        whole = ScreeningQuery(
            edition_ids=edition_ids, default_length_minutes=default_length_minutes
        )
        return clash_stream(session, whole)[0]  # ``changed`` holds the first ones only
    places: dict[int, set[dt.date]] = {}  # venue -> the days a changed screening is on
    programmes = _programme_films(session)
    films: set[int] = set()
    ordered = sorted(changed)
    for start in range(0, len(ordered), 1000):
        for venue, day, film, programme in session.execute(
            select(
                Screening.venue_id,
                Screening.local_date,
                Screening.film_id,
                Screening.programme_id,
            ).where(Screening.id.in_(ordered[start : start + 1000]))
        ):
            films.update((film,) if film is not None else programmes.get(programme or 0, ()))
            if venue is not None:  # the day before and after too: one may run past midnight
                places.setdefault(venue, set()).update(
                    day + dt.timedelta(days=n) for n in (-1, 0, 1)
                )
    near: set[int] = set(changed)
    # By day, then by venue here: a venue's screenings are many more than a day's (by
    # venue, SQLite read every screening of each venue: 0.25 s for 1,000 changed of
    # 100,000, against 0.06 s).
    days = sorted(set().union(*places.values()))
    for start in range(0, len(days), 1000):
        on_days = session.execute(
            select(Screening.id, Screening.venue_id, Screening.local_date).where(
                Screening.local_date.in_(days[start : start + 1000])
            )
        )
        near.update(number for number, venue, day in on_days if day in places.get(venue or 0, ()))
    listed = sorted(films)
    for start in range(0, len(listed), 1000):
        near.update(
            session.scalars(
                select(Screening.id).where(shows_film(listed[start : start + 1000], session))
            )
        )
    query = ScreeningQuery(ids=tuple(sorted(near)), default_length_minutes=default_length_minutes)
    found, _notes = check_screenings(session, query)
    return [c for c in found if changed.intersection(c.screenings)]


def outside_message(  # noqa: PLR0913 -- the screening and the edition's days, as said
    number: int,
    film: str,
    day: dt.date,
    edition: str,
    first: dt.date | None,
    last: dt.date | None,
) -> str:
    """A screening outside its edition's days, in the words ``check`` and the commands
    that store one (``schedule.outside_edition``) both use."""
    return f"#{number} ({film}) on {day} is outside {edition} ({first or '?'} to {last or '?'})"
