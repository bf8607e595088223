"""The check every service test's errors pass (``conftest.said``): it catches what it is
for, and every service's refusals go through it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from screenings.config import Settings
from screenings.errors import InvalidInput, ScreeningsError
from screenings.services.catalog import add_film, add_venue, edit_film
from screenings.services.schedule import add_screening
from screenings.timeparse import When
from tests.services.conftest import wrong_message


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (InvalidInput("--ticket-url: not a web address"), "a service names an option"),
        (InvalidInput("not a web address", field="Ticket URL"), "not a field's name"),
        (InvalidInput("give it with {festival}", field="year"), "not among the fields"),
        (InvalidInput("pass --yes to do it"), "a service names an option"),
    ],
)
def test_the_check_catches_a_service_speaking_the_command_line(
    error: ScreeningsError, problem: str
) -> None:
    found = wrong_message(error)
    assert found is not None and problem in found


def test_the_check_lets_a_field_be_named_by_the_door() -> None:
    error = InvalidInput("give it with {festival}", field="year", mentions=("festival",))
    assert wrong_message(error) is None
    assert error.said(lambda field: "--" + field) == "--year: give it with --festival"


def test_refusals_of_every_kind_are_kept_and_checked(
    session: Session, settings: Settings, said: list[ScreeningsError]
) -> None:
    calls = [
        lambda: add_film(session, "", year=2012),
        lambda: add_film(session, "X", website="nope"),
        lambda: add_venue(session, "Y", latitude=1.0),
        lambda: edit_film(session, "No Such Film", year=2000),
        lambda: add_screening(session, settings, "No Such Film", when=When(dt.date(2013, 6, 11))),
        lambda: add_screening(session, settings, "X", when=When(dt.date(2013, 6, 11)), year=2013),
    ]
    for call in calls:
        with pytest.raises(ScreeningsError):
            call()
    assert len(said) >= len(calls)  # the teardown checks each
