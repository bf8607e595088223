"""The engine and the unit of work: connection settings, atomicity, savepoints, writers queueing."""

from __future__ import annotations

import faulthandler
import itertools
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, func, select, table, text
from sqlalchemy.exc import DBAPIError

from screenings.db import create_db_engine, masked_url, unit_of_work
from screenings.errors import Conflict, DatabaseUnavailable, InvalidInput, NotFound
from screenings.migrate import upgrade_schema
from screenings.models import Festival
from tests import factories as make


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = create_db_engine("sqlite:///" + str(tmp_path / "uow.sqlite3"))
    upgrade_schema(engine)
    return engine


def _festivals(engine: Engine) -> int:
    with unit_of_work(engine, write=False) as session:
        return session.scalar(select(func.count()).select_from(Festival)) or 0


def test_sqlite_connections_have_foreign_keys_wal_and_a_busy_timeout(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_a_unit_of_work_commits_when_it_ends(migrated: Engine) -> None:
    with unit_of_work(migrated) as session:
        make.festival(session, "IDFA", timezone="Europe/Amsterdam")
    assert _festivals(migrated) == 1


def test_a_failing_unit_of_work_writes_nothing(migrated: Engine) -> None:
    with pytest.raises(NotFound), unit_of_work(migrated) as session:
        make.festival(session, "IDFA", timezone="Europe/Amsterdam")
        make.festival(session, "Hot Docs", timezone="America/Toronto")
        raise NotFound("film: no film called 'The Defecter'")
    assert _festivals(migrated) == 0


def test_a_broken_rule_late_in_a_unit_of_work_undoes_the_earlier_rows(migrated: Engine) -> None:
    with pytest.raises(Conflict), unit_of_work(migrated) as session:
        make.festival(session, "IDFA", timezone="Europe/Amsterdam")
        make.festival(session, "Hot Docs", timezone="America/Toronto")
        make.festival(session, "idfa")
    assert _festivals(migrated) == 0


def test_a_read_only_unit_of_work_keeps_nothing(migrated: Engine) -> None:
    with unit_of_work(migrated, write=False) as session:
        make.festival(session, "IDFA", timezone="Europe/Amsterdam")
    assert _festivals(migrated) == 0


def test_a_savepoint_rolls_back_alone(migrated: Engine) -> None:
    with unit_of_work(migrated) as session:
        make.festival(session, "IDFA", timezone="Europe/Amsterdam")
        savepoint = session.begin_nested()
        make.festival(session, "Hot Docs", timezone="America/Toronto")
        savepoint.rollback()
        make.festival(session, "Sheffield Doc/Fest")
    with unit_of_work(migrated, write=False) as session:
        names = set(session.scalars(select(Festival.name)))
    assert names == {"IDFA", "Sheffield Doc/Fest"}


def test_two_sqlite_writers_queue_instead_of_failing(sqlite_engine: Engine) -> None:
    # BEGIN IMMEDIATE: the second writer waits on the busy timeout for the first
    # to commit, instead of failing with "database is locked" when it upgrades
    # a read lock to a write lock.
    first_in = threading.Event()
    errors: list[BaseException] = []
    order: list[str] = []

    def writer(name: str, hold: float) -> None:
        try:
            with unit_of_work(sqlite_engine) as session:
                session.scalar(select(func.count()).select_from(Festival))
                first_in.set()
                time.sleep(hold)
                make.festival(session, name)
                order.append(name)
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=writer, args=("First Festival", 0.5))
    first.start()
    first_in.wait(5)
    second = threading.Thread(target=writer, args=("Second Festival", 0))
    second.start()
    first.join(30)
    second.join(30)
    assert errors == []
    assert order == ["First Festival", "Second Festival"]
    assert _festivals(sqlite_engine) == 2


def test_a_password_is_never_printed() -> None:
    assert masked_url("postgresql+psycopg://ann:s3cret@db.example/fest") == (
        "postgresql+psycopg://ann:***@db.example/fest"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/test", "database URL: unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@h/d", "database URL: use postgresql+psycopg://"),
        ("not a url://", "database URL: cannot read 'not a url://' as a database URL"),
    ],
)
def test_unusable_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("+", r"\+")):
        create_db_engine(url)


def test_an_unreachable_postgresql_is_a_clear_error() -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseUnavailable) as caught, unit_of_work(engine) as session:
        session.scalar(select(1))
    assert caught.value.message.startswith(
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2: connection failed: "
    )
    assert "\n" not in caught.value.message


@pytest.fixture
def migrated(empty_engine: Engine) -> Engine:
    upgrade_schema(empty_engine)
    return empty_engine


def _libpq(monkeypatch: pytest.MonkeyPatch, chunked: bool) -> None:
    """Whether psycopg's libpq streams in chunks (17 and later), as the test says."""
    import psycopg

    def has_stream_chunked(check: bool = False) -> bool:
        return chunked

    monkeypatch.setattr(psycopg.capabilities, "has_stream_chunked", has_stream_chunked)


def test_driver_batches_give_a_querys_rows_as_its_result_would(
    migrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows as the driver gives them (on PostgreSQL streamed in chunks, or with an
    older libpq from a server-side cursor), in batches of the size asked, as
    SQLAlchemy's result has them, the planner's settings as they were after, whether
    every batch was read or the batches were closed early (the connection is free
    again then); a column whose type turns what the driver gives into something else
    is refused."""
    from screenings import tables as T
    from screenings.db import driver_batches

    with unit_of_work(migrated) as session:
        for n in range(7):
            make.festival(session, name=f"Festival {n}")
    F = T.festival.c
    query = select(F.id, F.name, F.timezone, F.id % 2).order_by(F.id)
    postgres = migrated.dialect.name == "postgresql"
    faulthandler.dump_traceback_later(60, exit=True, file=sys.__stderr__)  # a hang fails
    try:
        with migrated.connect() as connection:
            expected = [tuple(row) for row in connection.execute(query)]
            ways = itertools.product([True, False] if postgres else [True], [False, True])
            for chunked, whole in ways:
                if postgres:
                    _libpq(monkeypatch, chunked)
                batches = list(driver_batches(connection, query, 3, whole=whole))
                assert [len(batch) for batch in batches] == [3, 3, 1]
                assert [tuple(row) for batch in batches for row in batch] == expected
                early = driver_batches(connection, query, 3, whole=whole)
                assert [tuple(row) for row in next(early)] == expected[:3]
                early.close()  # rows still to come: the stream ends, the connection is free
                if postgres:  # planned for every row, then as before
                    for name, value in [
                        ("cursor_tuple_fraction", "0.1"),
                        ("enable_nestloop", "on"),
                    ]:
                        assert connection.exec_driver_sql(f"SHOW {name}").scalar() == value
                connection.rollback()
            # A bound value with a percent sign.
            like = query.where(F.name.like("Festival %"), F.id % 2 == 1)
            assert [len(batch) for batch in driver_batches(connection, like, 2)] == [2, 2]
            with pytest.raises(TypeError, match="created_at is processed"):
                next(driver_batches(connection, select(F.id, F.created_at), 3))
            with pytest.raises(TypeError, match="expands"):
                next(driver_batches(connection, query.where(F.id.in_([1, 2])), 3))
        with migrated.connect() as connection, pytest.raises(DBAPIError):
            nowhere = select(column("x")).select_from(table("nowhere"))
            next(driver_batches(connection, nowhere, 3))
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("many", [True, False], ids=["many-rows", "few-rows"])
def test_postgresql_takes_the_statistics_of_tables_an_import_filled(
    backend: str,
    new_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    many: bool,
) -> None:
    """After an import that wrote many rows to a table, its statistics are taken
    (``db.ANALYZE_AFTER`` rows), so that the next import's query of it is planned for
    what it holds: reltuples counts the rows (-1: never taken)."""
    from screenings import db
    from screenings.cli import run
    from tests.test_import import ROWS, write_csv

    monkeypatch.setattr(db, "ANALYZE_AFTER", 1 if many else 10_000)
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)
    path = write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS])
    assert run(["--db", url, "import", str(path)]) == 0
    engine = db.create_db_engine(url)
    try:
        with engine.connect() as connection:
            counted = connection.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'screening'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert counted == (len(ROWS) if many else -1)
