"""Small builders of model rows for tests: real rows, flushed into a real database."""

from __future__ import annotations

import datetime as dt
import itertools
import types
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session, defer

from screenings import tables
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
    Programme,
    ProgrammeFilm,
    Screening,
    Selection,
    Venue,
)
from screenings.timeparse import wall_to_utc

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
    slug = _slug(f"{fest.name} {year}")
    columns = {c["name"] for c in inspect(session.connection()).get_columns("edition")}
    if "day_starts_at" not in columns:  # before revision 0009: the ORM would name it
        session.flush()
        made = _older(session, Edition, festival=fest, year=year, slug=slug, **kw)
        return session.get(Edition, made.id, options=[defer(Edition.day_starts_at)])  # type: ignore[return-value]
    return _add(session, Edition(festival=fest, year=year, slug=slug, **kw))


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
    if _before_programmes(session):
        return _older(session, Screening, film=f, local_date=day, local_time=time, **kw)
    return _add(session, Screening(film=f, local_date=day, local_time=time, **kw))


def award(session: Session, name: str = "Innovation Award", **kw: Any) -> Award:
    return _add(session, Award(name=name, **kw))


def nomination(session: Session, a: Award, year: int = 2013, **kw: Any) -> Nomination:
    if _before_programmes(session):
        return _older(session, Nomination, award=a, year=year, **kw)
    return _add(session, Nomination(award=a, year=year, **kw))


def _before_programmes(session: Session) -> bool:
    """Whether the catalogue is older than revision 0007, which has programmes."""
    return not inspect(session.connection()).has_table("programme")


def _older(session: Session, model: Any, **kw: Any) -> Any:
    """A row of ``model`` written as a catalogue before programmes holds it, with plain
    SQL: the ORM would name ``programme_id``, which it does not have yet. Records given
    (``film=``) are written as their ids; what is not given takes the column's default.
    Returns the row's values, ``id`` included, as attributes."""
    table = model.__table__
    values: dict[str, Any] = {}
    for name, value in kw.items():
        if f"{name}_id" in table.c and not isinstance(value, int | type(None)):
            values[f"{name}_id"] = value.id
        else:
            values[name] = value
    if "starts_at_utc" in table.c and values.get("local_time") is not None:
        values["starts_at_utc"] = wall_to_utc(
            values["local_date"], values["local_time"], values["timezone"]
        )
    for column in table.columns:
        if column.name not in values and column.default is not None and column.name != "id":
            default = column.default.arg
            values[column.name] = default(None) if callable(default) else default
    values["id"] = session.execute(insert(table).values(**values)).inserted_primary_key[0]
    return types.SimpleNamespace(**values)


def one_of_everything(session: Session) -> dict[str, Any]:
    """A row in every table, linked as the seed story links them."""
    ann = person(session, "Ann Shin")
    defector = film(session, "The Defector: Escape from North Korea", year=2012, runtime_minutes=71)
    _add(session, Credit(film=defector, person=ann, role="director", position=0))
    _add(session, FilmLink(film=defector, kind="website", url="https://thedefectormovie.com"))
    sheffield = festival(session, "Sheffield Doc/Fest", city="Sheffield", country="GB")
    sdf13 = edition(
        session,
        sheffield,
        2013,
        starts_on=dt.date(2013, 6, 12),
        ends_on=dt.date(2013, 6, 16),
    )
    columns = {c["name"] for c in inspect(session.connection()).get_columns("edition")}
    if "day_starts_at" in columns:  # revision 0009 on
        sdf13.day_starts_at = dt.time(6, 0)
    _add(session, Selection(film=defector, edition=sdf13, status="competition"))
    showroom = venue(session, "Showroom Cinema", timezone="Europe/London")
    shown = screening(
        session, defector, dt.date(2013, 6, 14), dt.time(18, 0), venue=showroom, edition=sdf13
    )
    innovation = award(session, "Innovation Award", festival=sheffield)
    nominated = nomination(session, innovation, 2013, film=defector, edition=sdf13)
    session.execute(
        insert(tables.feed_token).values(
            name="press",
            token_hash="0" * 64,
            filters={"version": 2},
            include_private=True,
            edition_id=sdf13.id,
        )
    )
    session.execute(
        insert(tables.retired_slug).values(
            kind="film", slug="the-defector-2011", retired_at=STAMP, public=True
        )
    )
    if inspect(session.connection()).has_table("import_source"):  # revision 0006 on
        _import_base(session, sdf13, shown)
        session.execute(
            insert(tables.row_fingerprint).values(
                digest="0" * 32, screening_id=shown.id, stamp=STAMP
            )
        )
        session.execute(
            insert(tables.alias).values(
                kind="venue", name="The Showroom", name_key="the showroom", venue_id=showroom.id
            )
        )
    if inspect(session.connection()).has_table("programme"):  # revision 0007 on
        add_programme(session, sheffield, sdf13, defector, showroom, innovation)
    if inspect(session.connection()).has_table("plan"):  # revision 0008 on
        add_plan(session, sdf13, defector, showroom, shown)
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


STAMP = dt.datetime(2013, 5, 23, 12, 0, tzinfo=dt.UTC)


def add_programme(
    session: Session,
    sheffield: Festival,
    sdf13: Edition,
    defector: Film,
    showroom: Venue,
    prize: Award,
) -> None:
    """A programme of the edition, its film, a screening of it and its nomination."""
    block = _add(
        session,
        Programme(festival=sheffield, edition=sdf13, title="Shorts 1", slug="shorts-1"),
    )
    short = film(session, "A Short", year=2013, runtime_minutes=12)
    _add(session, ProgrammeFilm(programme=block, film=short, position=1, extra="+ Q&A"))
    _add(session, ProgrammeFilm(programme=block, film=defector, position=2))
    _add(
        session,
        Screening(
            programme=block,
            local_date=dt.date(2013, 6, 15),
            local_time=dt.time(12, 0),
            timezone="Europe/London",
            uid=f"test-{next(_counter)}@screenings.test",
            venue=showroom,
            edition=sdf13,
        ),
    )
    nomination(session, prize, 2013, programme=block, category="Audience", edition=sdf13)


def add_plan(
    session: Session, sdf13: Edition, defector: Film, showroom: Venue, shown: Screening
) -> None:
    """A travel time, and a plan with a row in each of its tables and a secret feed."""
    other = venue(session, "Crucible", city="Sheffield", timezone="Europe/London")
    low, high = sorted((showroom.id, other.id))
    session.execute(insert(tables.travel).values(venue_a_id=low, venue_b_id=high, minutes=10))
    plan_id = session.execute(
        insert(tables.plan)
        .values(name="Ann's Sheffield", name_key="ann's sheffield", owner="A. Critic")
        .returning(tables.plan.c.id)
    ).scalar_one()
    session.execute(insert(tables.plan_edition).values(plan_id=plan_id, edition_id=sdf13.id))
    session.execute(
        insert(tables.plan_want).values(plan_id=plan_id, film_id=defector.id, priority=5, must=True)
    )
    session.execute(insert(tables.plan_pin).values(plan_id=plan_id, screening_id=shown.id))
    session.execute(
        insert(tables.plan_busy).values(
            plan_id=plan_id,
            starts_at=dt.datetime(2013, 6, 14, 9, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2013, 6, 14, 11, 0, tzinfo=dt.UTC),
            note="jury meeting",
        )
    )
    session.execute(
        insert(tables.plan_choice).values(
            plan_id=plan_id,
            screening_id=shown.id,
            starts_at_utc=shown.starts_at_utc,
            venue_id=showroom.id,
            status="scheduled",
            said="The Defector, Fri 14 Jun 2013 18:00, Showroom Cinema",
        )
    )
    session.execute(
        insert(tables.plan_problem).values(plan_id=plan_id, text="a film on the wish list went")
    )
    session.execute(
        insert(tables.feed_token).values(
            name="ann's plan",
            token_hash="1" * 64,
            filters={"version": 2},
            include_private=False,
            plan_id=plan_id,
        )
    )


def festival_catalogue(session: Session) -> None:
    """The seed story and its neighbours: several festivals, zones, a TBA and a private
    screening. Every id, uid and timestamp is fixed, so outputs can be pinned."""

    def stamped(row: Any) -> Any:
        row.created_at = row.updated_at = STAMP
        return _add(session, row)

    ann = stamped(Person(name="Ann Shin", slug="ann-shin"))
    manfred = stamped(Person(name="Manfred Becker", slug="manfred-becker"))
    oppenheimer = stamped(Person(name="Joshua Oppenheimer", slug="joshua-oppenheimer"))
    defector = stamped(
        Film(
            title="The Defector: Escape from North Korea",
            slug="the-defector",
            year=2012,
            runtime_minutes=71,
            countries=["CA"],
            languages=["en", "ko"],
            imdb_id="tt2407504",
        )
    )
    act = stamped(
        Film(title="The Act of Killing", slug="the-act-of-killing", year=2012, runtime_minutes=115)
    )
    alma = stamped(Film(title="Alma, a Tale of Violence", slug="alma", year=2012))
    for film_, person_, role in (
        (defector, ann, "director"),
        (defector, ann, "producer"),
        (defector, manfred, "editor"),
        (act, oppenheimer, "director"),
    ):
        stamped(Credit(film=film_, person=person_, role=role))
    idfa = stamped(
        Festival(
            name="IDFA", slug="idfa", city="Amsterdam", country="NL", timezone="Europe/Amsterdam"
        )
    )
    hot_docs = stamped(
        Festival(
            name="Hot Docs",
            slug="hot-docs",
            city="Toronto",
            country="CA",
            timezone="America/Toronto",
        )
    )
    sheffield = stamped(
        Festival(
            name="Sheffield Doc/Fest",
            slug="sheffield-doc-fest",
            city="Sheffield",
            country="GB",
            timezone="Europe/London",
        )
    )
    idfa12 = stamped(Edition(festival=idfa, year=2012, slug="idfa-2012"))
    hd13 = stamped(Edition(festival=hot_docs, year=2013, slug="hot-docs-2013"))
    sdf13 = stamped(
        Edition(
            festival=sheffield,
            year=2013,
            slug="sheffield-doc-fest-2013",
            starts_on=dt.date(2013, 6, 12),
            ends_on=dt.date(2013, 6, 16),
        )
    )
    stamped(Selection(film=defector, edition=idfa12, section="Reflecting Images - Panorama"))
    stamped(Selection(film=defector, edition=sdf13, section="Innovation"))
    stamped(Selection(film=act, edition=sdf13, section="Competition", status="competition"))
    tuschinski = stamped(
        Venue(
            name="Tuschinski",
            slug="tuschinski",
            city="Amsterdam",
            country="NL",
            timezone="Europe/Amsterdam",
        )
    )
    isabel = stamped(
        Venue(
            name="Isabel Bader Theatre",
            slug="isabel-bader",
            city="Toronto",
            country="CA",
            timezone="America/Toronto",
        )
    )
    showroom = stamped(
        Venue(
            name="Showroom Cinema",
            slug="showroom",
            city="Sheffield",
            country="GB",
            timezone="Europe/London",
        )
    )
    crucible = stamped(
        Venue(
            name="Crucible Theatre",
            slug="crucible",
            city="Sheffield",
            country="GB",
            timezone="Europe/London",
        )
    )
    rows = [
        (defector, tuschinski, idfa12, dt.date(2012, 11, 18), dt.time(19, 0), {}),
        (defector, isabel, hd13, dt.date(2013, 4, 27), dt.time(21, 30), {"kind": "premiere"}),
        (
            defector,
            None,
            None,
            dt.date(2013, 6, 11),
            None,
            {"city": "London", "kind": "special", "audience": "members of parliament"},
        ),
        (defector, showroom, sdf13, dt.date(2013, 6, 14), dt.time(18, 0), {}),
        (act, crucible, sdf13, dt.date(2013, 6, 14), dt.time(12, 30), {"status": "tentative"}),
        (act, showroom, sdf13, dt.date(2013, 6, 15), None, {}),
        (
            alma,
            showroom,
            sdf13,
            dt.date(2013, 6, 13),
            dt.time(20, 0),
            {"visibility": "private", "kind": "press"},
        ),
        (
            defector,
            None,
            None,
            dt.date(2099, 1, 1),
            None,
            {"city": "Toronto", "status": "cancelled"},
        ),
    ]
    for n, (film_, venue_, edition_, day, time, extra) in enumerate(rows, start=1):
        stamped(
            Screening(
                uid=f"golden-{n}@screenings.test",
                film=film_,
                venue=venue_,
                edition=edition_,
                local_date=day,
                local_time=time,
                timezone=(
                    venue_.timezone
                    if venue_
                    else "Europe/London"
                    if extra.get("city") == "London"
                    else "America/Toronto"
                ),
                **extra,
            )
        )
    innovation = stamped(Award(name="Innovation Award", festival=sheffield))
    stamped(Nomination(award=innovation, year=2013, edition=sdf13, film=defector))
    stamped(Nomination(award=innovation, year=2013, edition=sdf13, film=alma, result="won"))
    inspiration = stamped(Award(name="Inspiration Award", festival=sheffield))
    stamped(
        Nomination(
            award=inspiration,
            year=2013,
            person=stamped(Person(name="Nick Fraser", slug="nick-fraser")),
            result="won",
        )
    )
    diversity = stamped(Award(name="Diversity Award", presenter="Academy of Canadian Cinema"))
    stamped(Nomination(award=diversity, year=2014, film=defector, result="won"))


def _import_base(session: Session, edition: Edition, shown: Screening) -> None:
    """What a lineup import of ``edition`` gave ``shown`` (a source and a base)."""
    source = session.execute(
        insert(tables.import_source)
        .values(edition_id=edition.id, kind="lineup")
        .returning(tables.import_source.c.id)
    ).scalar_one()
    session.execute(
        insert(tables.record_base).values(
            source_id=source, kind="film", record_id=shown.film_id, fields={"year": 2012}
        )
    )
    session.execute(
        insert(tables.screening_base).values(
            source_id=source,
            screening_id=shown.id,
            stated="film,when",
            film_id=shown.film_id,
            local_date=shown.local_date,
            local_time=shown.local_time,
            timezone=shown.timezone,
        )
    )
