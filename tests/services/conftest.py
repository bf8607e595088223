"""Services called directly, on the rollback connection of both databases.

Every error a service raises in these tests is kept (``said``), and checked when the
test ends: it names no command-line option (a service speaks the domain; the door names
its fields), its field is a field's name, and every field its detail refers to is
listed, so that each door can name it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from screenings.config import Settings
from screenings.db import unit_of_work
from screenings.errors import ScreeningsError

OPTION = re.compile(r"(?:^|[\s\"'(/,;])--[a-z]")
FIELD = re.compile(r"[a-z][a-z_]*\Z")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@pytest.fixture(autouse=True)
def said(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ScreeningsError]]:
    """The errors made during the test, checked at its end (see the module's docstring)."""
    made: list[ScreeningsError] = []
    original = ScreeningsError.__init__

    def keep(self: ScreeningsError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(ScreeningsError, "__init__", keep)
    yield made
    for error in made:
        problem = wrong_message(error)
        assert problem is None, problem


def wrong_message(error: ScreeningsError) -> str | None:
    """What is wrong with how a service words ``error``, or None."""
    message = error.said()
    if OPTION.search(message):
        return f"a service names an option: {message!r}"
    if error.field is not None and not FIELD.match(error.field):
        return f"not a field's name: {error.field!r}"
    for name in PLACEHOLDER.findall(error.detail):
        if name not in error.mentions:
            return f"{{{name}}} is not among the fields it mentions: {message!r}"
    return None


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session on the test's connection: what a service writes is rolled back."""
    with unit_of_work(connection) as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    return Settings("sqlite://", default_timezone="Europe/London")
