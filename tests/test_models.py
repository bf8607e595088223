"""The model's rules, enforced by the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from screenings.db import RULES, unit_of_work
from screenings.errors import Conflict, InvalidInput
from screenings.models import Base, Festival, Film, Screening, Venue
from tests import factories as make

UTC = dt.UTC


def rejected(connection: Connection, build: Callable[[Session], Any]) -> str:
    """Run ``build`` in a unit of work; return the Conflict message it must raise."""
    with pytest.raises(Conflict) as caught, unit_of_work(connection) as session:
        build(session)
    return caught.value.message


def test_duplicate_festival_name_is_rejected_whatever_the_spelling(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        make.festival(session, "Sheffield Doc/Fest")
    message = rejected(connection, lambda s: make.festival(s, "  SHEFFIELD   doc/fest "))
    assert message == "festival: another festival has the same name"


def test_festival_names_differing_by_accents_only_are_one_festival(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        make.festival(session, "Festival de Cinéma")
    assert "same name" in rejected(connection, lambda s: make.festival(s, "festival de cinema"))


def test_duplicate_edition_is_rejected_but_a_labelled_one_is_not(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        fest = make.festival(session, "Hot Docs", timezone="America/Toronto")
        make.edition(session, fest, 2013)
        make.edition(session, fest, 2013, label="Winter")
        fest_id = fest.id

    def again(session: Session) -> None:
        make.edition(session, session.get(make.Festival, fest_id), 2013)  # type: ignore[arg-type]

    assert rejected(connection, again) == (
        "edition: this festival already has an edition in that year with that label (or none)"
    )


def test_a_screening_for_an_unknown_film_is_rejected(connection: Connection, backend: str) -> None:
    def orphan(session: Session) -> None:
        session.add(
            Screening(
                uid="orphan@test",
                film_id=987654,
                local_date=dt.date(2013, 6, 11),
                local_time=None,
                timezone="Europe/London",
            )
        )
        session.flush()

    # PostgreSQL names the reference that failed; SQLite only that one did.
    assert (
        rejected(connection, orphan)
        == {
            "postgresql": "screening: the film it refers to does not exist",
            "sqlite": (
                "screening: the edition or film or programme or venue it refers to does not exist"
            ),
        }[backend]
    )


def test_an_invalid_status_is_rejected(connection: Connection) -> None:
    def bad(session: Session) -> None:
        make.screening(session, make.film(session), status="sold out")

    assert rejected(connection, bad) == (
        "screening: the status must be one of scheduled, tentative, postponed, cancelled"
    )


def test_an_invalid_nomination_result_is_rejected(connection: Connection) -> None:
    def bad(session: Session) -> None:
        make.nomination(session, make.award(session), film=make.film(session), result="lost")

    assert rejected(connection, bad) == (
        "nomination: the result must be one of nominated, won, special_mention"
    )


def test_a_nomination_needs_a_film_or_a_person(connection: Connection) -> None:
    def bad(session: Session) -> None:
        make.nomination(session, make.award(session))

    assert (
        rejected(connection, bad)
        == "nomination: it needs a film (or a programme), a person, or both"
    )


@pytest.mark.parametrize(
    "zone", ["Europe/Lndon", "right/Europe/London", "", "Mars/Olympus_Mons", "Factory"]
)
def test_an_unknown_zone_name_is_refused_with_the_value(connection: Connection, zone: str) -> None:
    with pytest.raises(InvalidInput) as caught, unit_of_work(connection) as session:
        make.screening(session, make.film(session), timezone=zone)
    assert caught.value.message == (
        f"screening timezone: unknown time zone {zone!r}; "
        "expected an IANA name such as 'Europe/London'"
    )


@pytest.mark.parametrize(
    ("zone", "kept"),
    [("europe/london ", "Europe/London"), ("US/Eastern", "America/New_York"),
     ("Europe/Amsterdam", "Europe/Amsterdam")],
)  # fmt: skip
def test_a_zone_is_kept_in_the_zone_rule_s_spelling(zone: str, kept: str) -> None:
    # Whichever door sets it: a venue and its screenings cannot keep two spellings.
    assert Venue(name="Curzon", slug="curzon", timezone=zone).timezone == kept
    assert Festival(name="Fest", slug="fest", timezone=zone).timezone == kept
    assert Screening(local_date=dt.date(2013, 6, 11), timezone=zone).timezone == kept


def test_an_unknown_venue_zone_is_refused(connection: Connection) -> None:
    with pytest.raises(InvalidInput, match="venue timezone: unknown time zone 'BST'"):
        Venue(name="Curzon", slug="curzon", timezone="BST")


# Every natural key with a part that may be unknown: the first row is
# accepted, the second (same key, same unknown part) rejected, with the rule's message.
UNKNOWN_PART_KEYS: dict[str, tuple[Callable[[Session], Any], str]] = {
    "film without a year": (
        lambda s: make.film(s, "The Defector"),
        "uq_film_title_key_year",
    ),
    "venue without a city": (
        lambda s: make.venue(s, "Portcullis House", city=None),
        "uq_venue_name_key_city",
    ),
    "edition without a label": (
        lambda s: make.edition(s, _festival(s), 2012),
        "uq_edition_festival_year_label",
    ),
    "screening without a venue": (
        lambda s: make.screening(s, _film(s), city="London"),
        "uq_screening_slot",
    ),
    "screening without a venue or a time": (
        lambda s: make.screening(s, _film(s), time=None, city="London"),
        "uq_screening_slot",
    ),
    "screening without a venue, a city or a time": (
        lambda s: make.screening(s, _film(s), time=None),
        "uq_screening_slot",
    ),
    "screening without an edition, same external id": (
        lambda s: make.screening(s, _film(s), day=_next_day(), external_id="MPS-1", city="London"),
        "uq_screening_edition_external_id",
    ),
    "award without a festival": (
        lambda s: make.award(s, "Diversity Award", presenter="Canadian Academy"),
        "uq_award_name_key_festival",
    ),
    "nomination without a person or a category": (
        lambda s: make.nomination(s, _award(s), 2014, film=_film(s)),
        "uq_nomination_key",
    ),
    "nomination without a film": (
        lambda s: make.nomination(s, _award(s), 2013, person=_person(s), category="Inspiration"),
        "uq_nomination_key",
    ),
}


def _first(session: Session, model: Any, **where: Any) -> Any:
    found = session.scalars(select(model).filter_by(**where)).first()
    return found


def _film(session: Session) -> Film:
    return _first(session, Film, title_key="the defector") or make.film(session, "The Defector")


def _festival(session: Session) -> make.Festival:
    return _first(session, make.Festival, name_key="idfa") or make.festival(
        session, "IDFA", timezone="Europe/Amsterdam"
    )


def _award(session: Session) -> make.Award:
    return _first(session, make.Award, name_key="canadian screen award") or make.award(
        session, "Canadian Screen Award"
    )


def _person(session: Session) -> make.Person:
    return _first(session, make.Person, name_key="nick fraser") or make.person(
        session, "Nick Fraser"
    )


_days = iter(dt.date(2013, 1, 1) + dt.timedelta(days=n) for n in range(10_000))


def _next_day() -> dt.date:
    return next(_days)


@pytest.mark.parametrize("case", sorted(UNKNOWN_PART_KEYS))
def test_every_natural_key_holds_with_an_unknown_part(connection: Connection, case: str) -> None:
    build, rule = UNKNOWN_PART_KEYS[case]
    with unit_of_work(connection) as session:
        build(session)
    assert rejected(connection, build) == RULES[rule]


def test_a_known_part_tells_keys_apart(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        make.film(session, "The Defector")
        make.film(session, "The Defector", year=2012)
        make.film(session, "The Defector", year=1966)
        f = make.film(session, "Alma, a Tale of Violence")
        make.screening(session, f, time=None, city="London")
        make.screening(session, f, time=dt.time(18, 0), city="London")
        make.screening(session, f, time=None, city="Sheffield")
        count = session.scalar(select(text("count(*)")).select_from(Film))
    assert count == 4


def test_a_screening_keeps_its_wall_time_and_derives_utc(
    connection: Connection, backend: str
) -> None:
    with unit_of_work(connection) as session:
        s = make.screening(
            session, make.film(session), dt.date(2013, 6, 11), dt.time(18, 0), city="London"
        )
        screening_id = s.id
    with unit_of_work(connection, write=False) as session:
        session.expire_all()
        row = session.get(Screening, screening_id)
        assert row is not None
        assert row.starts_at_utc == dt.datetime(2013, 6, 11, 17, 0, tzinfo=UTC)
        assert row.starts_at_utc.tzinfo is UTC
        assert row.local_date == dt.date(2013, 6, 11)
        assert row.local_time == dt.time(18, 0)
        assert row.starts_at_utc.astimezone(make_zone("Europe/London")).time() == dt.time(18, 0)
        # Aware values come back the same on both backends.
        assert row.created_at.tzinfo is UTC
        assert abs(row.created_at - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)


def test_a_screening_with_no_known_time_has_no_instant(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        s = make.screening(session, make.film(session), dt.date(2013, 6, 11), None, city="London")
        screening_id = s.id
    with unit_of_work(connection, write=False) as session:
        session.expire_all()
        row = session.get(Screening, screening_id)
        assert row is not None
        assert row.local_time is None
        assert row.starts_at_utc is None


def test_changing_the_time_or_zone_moves_the_instant(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        s = make.screening(
            session,
            make.film(session),
            dt.date(2013, 4, 27),
            dt.time(21, 30),
            timezone="America/Toronto",
        )
        assert s.starts_at_utc == dt.datetime(2013, 4, 28, 1, 30, tzinfo=UTC)
        s.timezone = "Europe/Amsterdam"
        assert s.starts_at_utc == dt.datetime(2013, 4, 27, 19, 30, tzinfo=UTC)
        s.local_time = None
        assert s.starts_at_utc is None


def test_a_wall_time_that_does_not_exist_is_refused(connection: Connection) -> None:
    with pytest.raises(InvalidInput) as caught, unit_of_work(connection) as session:
        make.screening(session, make.film(session), dt.date(2013, 3, 31), dt.time(1, 30))
    assert caught.value.message == (
        "time: 2013-03-31 01:30 does not exist in Europe/London: the clocks go forward from "
        "+00:00 to +01:00 then; did you mean 00:30 (+00:00) or 02:30 (+01:00)?"
    )


def test_an_instant_cannot_be_stored_without_its_wall_time(connection: Connection) -> None:
    # Bypassing the model (as a bulk statement would) still cannot break the rule.
    def raw(session: Session) -> None:
        film_id = make.film(session).id
        session.execute(
            insert(Screening).values(
                uid="raw@test",
                film_id=film_id,
                local_date=dt.date(2013, 6, 11),
                local_time=None,
                timezone="Europe/London",
                starts_at_utc=dt.datetime(2013, 6, 11, 17, tzinfo=UTC),
                kind="regular",
                status="scheduled",
                visibility="public",
                sequence=0,
                created_at=dt.datetime.now(UTC),
                updated_at=dt.datetime.now(UTC),
            )
        )

    assert rejected(connection, raw) == RULES["ck_screening_instant_iff_time"]


def test_a_naive_instant_is_refused(connection: Connection) -> None:
    # A programming error (services always pass aware values), stopped before the database.
    with pytest.raises(StatementError, match="naive datetime"), unit_of_work(connection) as session:
        f = make.film(session)
        f.created_at = dt.datetime(2013, 6, 11, 17, 0)
        session.flush()


def test_names_get_their_keys(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        v = make.venue(session, "  Cinéma   du Parc ")
        assert v.name_key == "cinema du parc"
        n = make.nomination(
            session, make.award(session, "Prix  Spécial"), person=make.person(session)
        )
        assert n.award.name_key == "prix special"


def test_every_rule_of_the_model_has_a_message() -> None:
    names = set()
    for table in Base.metadata.tables.values():
        names |= {c.name for c in table.constraints if str(c.name).startswith(("uq_", "ck_"))}
        names |= {i.name for i in table.indexes if str(i.name).startswith("uq_")}
    assert names == set(RULES)


# The columns DESIGN.md gives each table (beyond id, created_at, updated_at).
DESIGN_COLUMNS = {
    "person": "name name_key slug",
    "film": "title title_key slug original_title year runtime_minutes countries languages "
    "synopsis website imdb_id",
    "credit": "film_id person_id role position",
    "film_link": "film_id kind url label",
    "festival": "name name_key slug city country website timezone",
    "edition": "festival_id year label slug starts_on ends_on day_starts_at",
    "selection": "film_id edition_id section premiere status notes",
    "venue": "name name_key slug address city country timezone latitude longitude",
    "screening": "uid external_id film_id programme_id venue_id edition_id city local_date "
    "local_time timezone starts_at_utc duration_minutes kind status visibility audience "
    "ticket_url notes sequence",
    "award": "name name_key festival_id presenter",
    "nomination": "award_id edition_id year category film_id person_id result programme_id",
    "revision": "counter",
    # The hardening issue (#18) makes a feed's records references the database enforces,
    # and keeps removed records' slugs: beyond DESIGN.md's table, which it overrides.
    "feed_token": "name token_hash filters include_private revoked_at film_id person_id "
    "director_id edition_id festival_id venue_id ended_at ended_because plan_id",
    "retired_slug": "kind slug retired_at public successor",
    # The import-pipeline issue (#21): what each import gave each screening.
    "import_source": "edition_id kind",
    "screening_base": "source_id screening_id stated external_id film_id venue_id city "
    "local_date local_time timezone duration_minutes kind status visibility audience "
    "ticket_url notes",
    "alias": "kind name name_key city film_id person_id venue_id festival_id programme_id",
    "record_base": "source_id kind record_id fields",
    "row_fingerprint": "digest screening_id stamp title_key venue_key festival_key edition_year "
    "label_key city_key",  # the names a row named (#21, migrations 0011 and 0012)
    # The programmes issue (#23): a screening shows a film or a programme.
    "programme": "festival_id edition_id title title_key slug section notes",
    "programme_film": "programme_id film_id position extra",
    # The planner issue (#24): travel times, and a person's plans; a secret feed of a plan.
    "travel": "venue_a_id venue_b_id minutes",
    "plan": "name name_key owner travel_minutes buffer_minutes include_private solved_at optimal",
    "plan_edition": "plan_id edition_id",
    "plan_want": "plan_id film_id programme_id priority must",
    "plan_pin": "plan_id screening_id",
    "plan_busy": "plan_id starts_at ends_at note",
    "plan_choice": "plan_id screening_id starts_at_utc venue_id status said",
    "plan_problem": "plan_id text",
}


def test_every_column_has_a_typed_attribute() -> None:
    import typing

    for mapper in Base.registry.mappers:
        hints = typing.get_type_hints(mapper.class_)
        missing = {c.key for c in mapper.local_table.columns} - set(hints)
        assert not missing, f"{mapper.class_.__name__} has no Mapped[...] for {missing}"


def test_every_table_has_the_columns_of_the_design() -> None:
    actual = {
        name: {c.name for c in table.columns} - {"id", "created_at", "updated_at"}
        for name, table in Base.metadata.tables.items()
    }
    assert actual == {name: set(columns.split()) for name, columns in DESIGN_COLUMNS.items()}


def make_zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
