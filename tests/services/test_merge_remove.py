"""Merging duplicates and removing records through the services, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from screenings.db import unit_of_work
from screenings.errors import Conflict, InvalidInput
from screenings.models import Film, Screening
from screenings.services.merge import merge
from screenings.services.remove import remove
from tests import factories as make


def test_a_merge_keeps_one_film_with_the_screenings_of_both(session: Session) -> None:
    kept = make.film(session, "The Defector", year=2012)
    duplicate = make.film(session, "The Defector: Escape from North Korea", year=2012)
    stays = make.screening(session, kept)
    moves = make.screening(session, duplicate, time=None)
    saved = merge(session, "film", f"#{kept.id}", f"#{duplicate.id}")
    assert "moved 1 screening(s)" in saved.notes[-1]
    assert session.scalars(select(Film.id)).all() == [kept.id]
    session.refresh(stays)
    session.refresh(moves)
    # Only the moved screening changed for its calendars: the kept film gained nothing.
    assert [(s.film_id, s.sequence) for s in (stays, moves)] == [(kept.id, 0), (kept.id, 1)]


def test_a_remove_is_said_before_it_is_done(connection: Connection) -> None:
    with unit_of_work(connection) as session:
        make.screening(session, make.film(session, "The Defector", year=2012))
    with pytest.raises(Conflict) as refused, unit_of_work(connection) as session:
        remove(session, "film", "The Defector")
    assert refused.value.mentions == ("cascade",)
    with pytest.raises(InvalidInput) as unconfirmed, unit_of_work(connection) as session:
        remove(session, "film", "The Defector", cascade=True)
    assert unconfirmed.value.mentions == ("confirmed",)
    assert "1 screening(s)" in unconfirmed.value.detail
    with unit_of_work(connection) as session:
        assert session.scalar(select(func.count()).select_from(Film)) == 1  # still there
        remove(session, "film", "The Defector", cascade=True, confirmed=True)
    with unit_of_work(connection, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Screening)) == 0
