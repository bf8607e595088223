"""Item 8b: a backup is taken at most once per attempted upgrade, and only kept when the
database may have changed.

A catalogue whose ``alembic_version`` table lost its row is not "older": upgrading it
"from base" fails on its first table, and each command that tried left a full copy
of the file behind. It is refused, before any backup, by every command and on both
databases. An upgrade that fails and is rolled back removes the backup it took.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text

from screenings.cli import run
from screenings.db import create_db_engine
from screenings.errors import DatabaseState
from screenings.migrate import upgrade_schema
from screenings.models import Film

DATA = Path(__file__).resolve().parents[2] / "data"
COMMANDS = [("list",), ("add", "film", "Another Film"), ("db", "upgrade"), ("db", "stats")]


@pytest.fixture
def unrecorded(
    backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Engine]:
    """A catalogue holding the seed data whose alembic_version table is empty."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)
    for name in ("lineup.csv", "awards.csv"):
        assert run(["--db", url, "import", str(DATA / name)]) == 0
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    return url, engine


def _films(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Film)).scalar_one()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_catalogue_whose_revision_is_not_recorded_is_refused_without_a_backup(
    command: tuple[str, ...],
    unrecorded: tuple[str, Engine],
    capfd: pytest.CaptureFixture[str],
) -> None:
    url, engine = unrecorded
    films, tables = _films(engine), sorted(inspect(engine).get_table_names())
    shown = engine.url.render_as_string(hide_password=True)
    capfd.readouterr()
    for _ in range(3):  # a script retrying, or a user
        assert run(["--db", url, *command]) == DatabaseState.exit_code
        out, err = capfd.readouterr()
        assert out == ""
        assert err == (
            f"screenings: error: {shown} holds a catalogue's tables, but its alembic_version "
            "table records no revision, so which one it is cannot be known: restore it from "
            "a backup, or record its revision in alembic_version\n"
        )
    if engine.dialect.name == "sqlite":
        folder = Path(str(engine.url.database)).parent
        assert sorted(p.name for p in folder.glob("*.bak")) == []
    assert (_films(engine), sorted(inspect(engine).get_table_names())) == (films, tables)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
    engine.dispose()


def _dangling(path: Path) -> None:
    """A credit that names a film that is not there, written past the foreign keys."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            "INSERT INTO credit (film_id, person_id, role, position, created_at, updated_at)"
            " VALUES (4141, 4242, 'director', 0, '2013-01-01', '2013-01-01')"
        )
    connection.close()


def test_an_upgrade_rolled_back_leaves_no_backup_behind(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine, "0002")  # older than head
    engine.dispose()
    _dangling(path)
    for _ in range(3):
        assert run(["--db", str(path), "list"]) == DatabaseState.exit_code
        err = capfd.readouterr().err
        assert err.startswith("screenings: error: migration rolled back: it would leave ")
        assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite3"]
    with sqlite3.connect(path) as connection:  # as it was
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0002",)
        ]
    connection.close()


def test_an_upgrade_that_succeeds_keeps_its_one_backup(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine, "0002")
    engine.dispose()
    for title in ("Another Film", "A Third Film"):
        assert run(["--db", str(path), "add", "film", title]) == 0
    backups = sorted(tmp_path.glob("old.sqlite3.0002-*.bak"))
    assert len(backups) == 1
    assert f"(backup: {backups[0]})" in capfd.readouterr().err
