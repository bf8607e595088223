"""Real databases for the tests: SQLite files, and PostgreSQL when it can be reached.

PostgreSQL tests read ``SCREENINGS_TEST_POSTGRES_URL`` (any database on the
server; the tests create and drop databases of their own beside it). Without
it they skip with the reason; under ``CI=true`` a missing or unreachable
server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from screenings.config import database_url_from
from screenings.db import create_db_engine
from screenings.migrate import upgrade_schema

POSTGRES_ENV = "SCREENINGS_TEST_POSTGRES_URL"
DATA = Path(__file__).resolve().parents[1] / "data"
BACKENDS = ["sqlite", "postgresql"]


def _postgres_admin_url() -> str:
    """The server's URL, or skip (fail under CI=true) with the reason."""
    raw = os.environ.get(POSTGRES_ENV)
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not raw:
        reason = f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        if in_ci:
            pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: {reason}", pytrace=False)
        pytest.skip(reason)
    url = database_url_from(raw, source=POSTGRES_ENV)
    error = _reach(url)
    if error is not None:
        where = make_url(url).render_as_string(hide_password=True)
        reason = f"PostgreSQL at {where} is unreachable: {error}"
        if in_ci:
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return url


_reachable: dict[str, str | None] = {}


def _reach(url: str) -> str | None:
    if url not in _reachable:
        try:
            engine = create_engine(url)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _reachable[url] = None
        except Exception as exc:  # any failure to connect is a reason to skip
            _reachable[url] = str(exc).strip().splitlines()[0]
    return _reachable[url]


class PostgresServer:
    """Creates throwaway databases on the test server and drops them at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def new_database(self, template: str | None = None) -> str:
        """A new database, empty, or a copy of the database ``template`` (a URL made
        here: no session may be connected to it, so any left is ended first)."""
        name = f"screenings_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            if template is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                source = make_url(template).database
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :source AND pid <> pg_backend_pid()"
                    ),
                    {"source": source},
                )
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(_postgres_admin_url())
    yield server
    server.drop_all()


@pytest.fixture
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A factory of URLs of new, empty databases on a backend."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return "sqlite:///" + str(tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite3")
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.new_database()

    return make


# Catalogues built once per test process by the commands that make them, by backend and
# name: (the commands, the template's URL).
_built: dict[tuple[str, str], tuple[list[list[str]], str]] = {}


@pytest.fixture
def copied_catalogue(
    request: pytest.FixtureRequest, tmp_path: Path, _catalogue_dir: Path
) -> Callable[[str, str, list[list[str]]], str]:
    """A factory of new databases holding what ``commands`` (screenings' arguments, run in
    order, each expected to succeed) make: ``copy(backend, name, commands)``. The commands
    run once per test process, on a template, under the environment of the first test to
    ask; each test gets a copy of it (a file copied, a PostgreSQL database made from it),
    to change as it likes, without the cost of a schema and its records made anew."""
    from screenings.cli import run

    def copy(backend: str, name: str, commands: list[list[str]]) -> str:
        key = (backend, name)
        if key not in _built:
            if backend == "sqlite":
                template = "sqlite:///" + str(_catalogue_dir / f"{name}.sqlite3")
            else:
                template = request.getfixturevalue("postgres_server").new_database()
            for command in commands:
                assert run(["--db", template, *command]) == 0, (name, command)
            _built[key] = (commands, template)
        built, template = _built[key]
        assert built == commands, f"two recipes for the catalogue {name!r}"
        if backend == "sqlite":
            source = Path(make_url(template).database or "")
            target = tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite3"
            for suffix in ("", "-wal"):  # a writer leaves no WAL at close; were one left
                if source.with_name(source.name + suffix).exists():
                    shutil.copyfile(
                        source.with_name(source.name + suffix),
                        target.with_name(target.name + suffix),
                    )
            return "sqlite:///" + str(target)
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.new_database(template)

    return copy


# The seed story (``data/``), read with Europe/London as the default zone.
SEED = [["import", str(DATA / "lineup.csv")], ["import", str(DATA / "awards.csv")]]


@pytest.fixture
def seed_url(
    backend: str,
    copied_catalogue: Callable[[str, str, list[list[str]]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """A new database of ``backend`` holding the seed story (a copy), with Europe/London
    as the default zone from now on."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    return copied_catalogue(backend, "seed-london", SEED)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        request.getfixturevalue("postgres_server")
    return name


@pytest.fixture
def empty_engine(backend: str, new_url: Callable[[str], str]) -> Iterator[Engine]:
    """An engine on a new, empty database (no schema) of the backend under test."""
    engine = create_db_engine(new_url(backend))
    yield engine
    engine.dispose()


_catalogues: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def _catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("catalogue")


@pytest.fixture
def catalogue(backend: str, request: pytest.FixtureRequest, _catalogue_dir: Path) -> Engine:
    """A database at head, shared by the tests of a backend; use ``connection`` to write."""
    if backend not in _catalogues:
        if backend == "sqlite":
            url = "sqlite:///" + str(_catalogue_dir / "catalogue.sqlite3")
        else:
            url = request.getfixturevalue("postgres_server").new_database()
        engine = create_db_engine(url)
        upgrade_schema(engine)
        _catalogues[backend] = engine
    return _catalogues[backend]


@pytest.fixture
def connection(catalogue: Engine) -> Iterator[Connection]:
    """A connection in an outer transaction, rolled back after the test: pass it to unit_of_work."""
    with catalogue.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for engine in _catalogues.values():
        engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and "postgresql" in callspec.params.values()
        if on_postgres or "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran on PostgreSQL, so a log shows they were not skipped."""
    stats = terminalreporter.stats

    def count(outcome: str) -> int:
        return sum(
            1
            for report in stats.get(outcome, [])
            if "postgres" in getattr(report, "keywords", {})
            and (report.when == "call" or outcome == "skipped")
        )

    on_pg = {outcome: count(outcome) for outcome in ("passed", "failed")}
    skipped = count("skipped")
    terminalreporter.write_line(
        f"PostgreSQL: {on_pg['passed']} passed, {on_pg['failed']} failed, {skipped} skipped"
    )
