"""Small builders of model rows for tests: real rows, flushed into a real database."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from screenings.keys import slugify
from screenings.models import (
    Award,
    Credit,
    Edition,
    Festival,
    Film,
    FilmLink,
    Nomination,
    Person,
    Screening,
    Selection,
    Venue,
)

_counter = itertools.count(1)


def _slug(text: str) -> str:
    return f"{slugify(text)}-{next(_counter)}"


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def person(session: Session, name: str = "Ann Shin") -> Person:
    return _add(session, Person(name=name, slug=_slug(name)))


def film(session: Session, title: str = "The Defector", **kw: Any) -> Film:
    return _add(session, Film(title=title, slug=_slug(title), **kw))


def festival(session: Session, name: str = "Sheffield Doc/Fest", **kw: Any) -> Festival:
    kw.setdefault("timezone", "Europe/London")
    return _add(session, Festival(name=name, slug=_slug(name), **kw))


def edition(session: Session, fest: Festival, year: int = 2013, **kw: Any) -> Edition:
    return _add(session, Edition(festival=fest, year=year, slug=_slug(f"{fest.name} {year}"), **kw))


def venue(session: Session, name: str = "Showroom Cinema", **kw: Any) -> Venue:
    kw.setdefault("city", "Sheffield")
    return _add(session, Venue(name=name, slug=_slug(name), **kw))


def screening(
    session: Session,
    f: Film,
    day: dt.date = dt.date(2013, 6, 11),
    time: dt.time | None = dt.time(18, 0),
    **kw: Any,
) -> Screening:
    kw.setdefault("timezone", "Europe/London")
    kw.setdefault("uid", f"test-{next(_counter)}@screenings.test")
    return _add(session, Screening(film=f, local_date=day, local_time=time, **kw))


def award(session: Session, name: str = "Innovation Award", **kw: Any) -> Award:
    return _add(session, Award(name=name, **kw))


def nomination(session: Session, a: Award, year: int = 2013, **kw: Any) -> Nomination:
    return _add(session, Nomination(award=a, year=year, **kw))


def one_of_everything(session: Session) -> dict[str, Any]:
    """A row in every table, linked as the seed story links them."""
    ann = person(session, "Ann Shin")
    defector = film(session, "The Defector: Escape from North Korea", year=2012, runtime_minutes=71)
    _add(session, Credit(film=defector, person=ann, role="director", position=0))
    _add(session, FilmLink(film=defector, kind="website", url="https://thedefectormovie.com"))
    sheffield = festival(session, "Sheffield Doc/Fest", city="Sheffield", country="GB")
    sdf13 = edition(
        session, sheffield, 2013, starts_on=dt.date(2013, 6, 12), ends_on=dt.date(2013, 6, 16)
    )
    _add(session, Selection(film=defector, edition=sdf13, status="competition"))
    showroom = venue(session, "Showroom Cinema", timezone="Europe/London")
    shown = screening(
        session, defector, dt.date(2013, 6, 14), dt.time(18, 0), venue=showroom, edition=sdf13
    )
    innovation = award(session, "Innovation Award", festival=sheffield)
    nominated = nomination(session, innovation, 2013, film=defector, edition=sdf13)
    return {
        "person": ann,
        "film": defector,
        "festival": sheffield,
        "edition": sdf13,
        "venue": showroom,
        "screening": shown,
        "award": innovation,
        "nomination": nominated,
    }
