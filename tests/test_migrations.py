"""Migrations: round trips with data, agreement with the model, first use, and the lock."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from screenings.db import create_db_engine, unit_of_work
from screenings.errors import Conflict, DatabaseState, InvalidInput
from screenings.migrate import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    SchemaState,
    alembic_config,
    check_foreign_keys,
    downgrade_schema,
    ensure_schema,
    read_status,
    upgrade_schema,
)
from screenings.models import Base
from screenings.services.catalog import count_rows
from tests import factories as make


def test_head_revision_constant_is_the_newest_migration() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_current_head() == HEAD_REVISION
    oldest_first = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(oldest_first) == KNOWN_REVISIONS


def _fill(engine: Engine) -> dict[str, int]:
    with unit_of_work(engine) as session:
        make.one_of_everything(session)
    with unit_of_work(engine, write=False) as session:
        return count_rows(session)


def _table_names(engine: Engine) -> set[str]:
    from sqlalchemy import inspect

    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def _index_names(engine: Engine) -> set[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint)"  # keys, not indexes
    )
    with engine.connect() as connection:
        return set(connection.execute(text(sql)).scalars())


def test_upgrade_downgrade_upgrade_with_rows_in_every_table(empty_engine: Engine) -> None:
    engine = empty_engine
    upgrade_schema(engine)
    counts = _fill(engine)
    assert all(counts[table.name] >= 1 for table in Base.metadata.sorted_tables)

    done = downgrade_schema(engine, "base")
    assert (done.before, done.after) == (HEAD_REVISION, None)
    assert _table_names(engine) == {"alembic_version"}
    if engine.dialect.name == "sqlite":
        # Nothing lost: the backup taken before the downgrade holds every row.
        assert done.backup is not None
        with unit_of_work(create_db_engine(f"sqlite:///{done.backup}"), write=False) as session:
            assert count_rows(session) == counts

    upgrade_schema(engine)
    assert read_status(engine).state is SchemaState.CURRENT
    # The rebuilt schema takes the same rows again, with every rule in force.
    assert _fill(engine) == counts
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        make.festival(session, "Sheffield Doc/Fest")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_to_where_the_database_is_changes_and_copies_nothing(
    empty_engine: Engine,
) -> None:
    upgrade_schema(empty_engine)
    for done in (upgrade_schema(empty_engine), downgrade_schema(empty_engine, HEAD_REVISION)):
        assert (done.changed, done.backup) == (False, None)


def test_migrating_the_wrong_way_is_refused(empty_engine: Engine) -> None:
    read_status(empty_engine)  # the database exists, with no schema yet
    with pytest.raises(
        InvalidInput, match=f"is at base; to reach {HEAD_REVISION} use 'screenings db upgrade'"
    ):
        downgrade_schema(empty_engine, HEAD_REVISION)


def test_upgrading_a_current_database_with_rows_changes_nothing(empty_engine: Engine) -> None:
    upgrade_schema(empty_engine)
    counts = _fill(empty_engine)
    upgrade_schema(empty_engine)
    with unit_of_work(empty_engine, write=False) as session:
        assert count_rows(session) == counts


def test_models_and_migrations_agree(empty_engine: Engine) -> None:
    upgrade_schema(empty_engine)
    with empty_engine.connect() as connection:
        command.check(alembic_config(connection))  # raises if autogenerate finds a difference


def test_every_index_of_the_model_exists_after_migrating(empty_engine: Engine) -> None:
    # alembic check cannot see the COALESCE(...) keys; this test can.
    upgrade_schema(empty_engine)
    expected = {
        str(index.name) for table in Base.metadata.tables.values() for index in table.indexes
    }
    assert expected <= _index_names(empty_engine)
    assert {"uq_film_title_key_year", "uq_screening_slot", "uq_nomination_key"} <= expected


def test_a_dangling_reference_is_found(tmp_path: Path) -> None:
    engine = create_db_engine("sqlite:///" + str(tmp_path / "fk.sqlite3"))
    upgrade_schema(engine)
    with engine.connect() as connection:
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        connection.execute(
            text(
                "INSERT INTO credit (film_id, person_id, role, position, created_at, updated_at)"
                " VALUES (41, 42, 'director', 0, '2013-01-01', '2013-01-01')"
            )
        )
        with pytest.raises(DatabaseState, match="dangling references: credit row 1 -> "):
            check_foreign_keys(connection)


def _cli(*args: str) -> tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "screenings", *args], capture_output=True, text=True, check=False
    )
    return out.returncode, out.stdout, out.stderr


def test_an_older_sqlite_database_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    downgrade_schema(engine, "base")  # an older revision than this version's head
    engine.dispose()

    code, out, err = _cli("--db", str(path), "db", "stats")
    assert code == 0, err
    backups = list(tmp_path.glob("old.sqlite3.base-*.bak"))
    assert len(backups) == 1
    assert err.splitlines() == [
        f"screenings: upgraded {path} from revision none to {HEAD_REVISION} (backup: {backups[0]})"
    ]
    assert f"revision: {HEAD_REVISION} (head)" in out
    assert read_status(create_db_engine(f"sqlite:///{path}")).state is SchemaState.CURRENT
    # The backup is the database as it was.
    assert read_status(create_db_engine(f"sqlite:///{backups[0]}")).state is SchemaState.OLDER


def test_a_new_database_is_created_at_head_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    code, out, err = _cli("--db", str(path), "add", "person", "Ann Shin")
    assert code == 0, err
    assert err == f"screenings: created a new database at {path} (revision {HEAD_REVISION})\n"
    code, out, err = _cli("--db", str(path), "db", "stats")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # The schema's revision and the count of changes are named apart (#22 item 11).
    assert lines[:4] == [
        f"database: sqlite:///{path}",
        f"schema revision: {HEAD_REVISION} (head)",
        "changes written: 1",
        "rows:",
    ]
    assert "  festival: 0" in lines and "  person: 1" in lines
    assert not any(line.strip().startswith("revision") for line in lines)


def test_a_dry_run_on_a_new_file_makes_nothing(tmp_path: Path) -> None:
    """A dry run on a SQLite file not there yet, in folders not there yet, is tried on a
    new, empty catalogue, says so, and leaves no file and no folder; refused as the real
    run is where that can be told without writing (a folder that is a file)."""
    lineup = tmp_path / "lineup.csv"
    lineup.write_text("Title,Date,Time,Venue,Timezone\nA,2026-05-04,20:00,Roy,Europe/Oslo\n")
    path = tmp_path / "new" / "sub" / "catalogue.sqlite3"
    code, out, err = _cli("--db", str(path), "import", str(lineup), "--dry-run")
    assert code == 0, err
    assert "1 created" in out and "dry run: nothing was written" in out
    assert err == (
        f"screenings: dry run: no catalogue at {path} yet: tried on a new, empty one; "
        "none is made\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lineup.csv"]
    code, out, err = _cli("--db", str(path), "import", str(lineup))
    assert code == 0, err
    assert "1 created" in out and "created a new database" in err
    # Once it is there, a dry run reads it, and says nothing of it.
    code, out, err = _cli("--db", str(path), "import", str(lineup), "--dry-run")
    assert (code, err) == (0, ""), err
    assert "1 unchanged" in out
    # An empty file (as touch leaves it) is tried the same way, and left empty.
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    code, out, err = _cli("--db", str(empty), "import", str(lineup), "--dry-run")
    assert (code, "1 created" in out, empty.stat().st_size) == (0, True, 0), err
    assert f"no catalogue at {empty} yet" in err
    # Refused as the real run is, where that can be told without writing.
    (tmp_path / "a-file").write_text("")
    for db in ("a-file/c.sqlite3", "a-file/sub/c.sqlite3", "sqlite:///{}/n.sqlite3?immutable=1"):
        where = db.format(tmp_path) if db.startswith("sqlite") else str(tmp_path / db)
        dry = _cli("--db", where, "import", str(lineup), "--dry-run")
        real = _cli("--db", where, "import", str(lineup))
        assert dry[0] == real[0] == InvalidInput.exit_code
        assert dry[2] == real[2] and real[2].startswith("screenings: error: "), (dry, real)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a-file", "empty.sqlite3", "lineup.csv", "new"
    ]  # fmt: skip


def test_an_older_postgresql_database_is_refused(
    postgres_server: object, new_url: Callable[[str], str]
) -> None:
    url = new_url("postgresql")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    downgrade_schema(engine, "base")

    code, out, err = _cli("--db", url, "db", "stats")
    assert code == DatabaseState.exit_code
    assert out == ""
    masked = engine.url.render_as_string(hide_password=True)
    assert err == (
        f"screenings: error: {masked} is at revision none, older than this version's "
        f"{HEAD_REVISION}; run 'screenings db upgrade' to upgrade it\n"
    )
    assert _table_names(engine) == {"alembic_version"}  # nothing was done

    code, out, err = _cli("--db", url, "db", "upgrade")
    assert code == 0, err
    assert f"revision: {HEAD_REVISION} (head) (was none)" in out
    assert _cli("--db", url, "db", "stats")[0] == 0


def test_a_database_from_a_newer_version_is_refused(empty_engine: Engine) -> None:
    upgrade_schema(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    for attempt in (ensure_schema, upgrade_schema, lambda e: downgrade_schema(e, "base")):
        with pytest.raises(DatabaseState, match="revision 0099, which this version of screenings"):
            attempt(empty_engine)


def test_a_database_of_something_else_is_refused_and_left_alone(empty_engine: Engine) -> None:
    with empty_engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    for attempt in (ensure_schema, upgrade_schema):
        with pytest.raises(DatabaseState, match="holds tables but is not a screenings catalogue"):
            attempt(empty_engine)
    assert _table_names(empty_engine) == {"invoices"}


def test_deciding_whether_to_upgrade_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "current.sqlite3"
    upgrade_schema(create_db_engine(f"sqlite:///{path}"))
    probe = (
        "import sys\n"
        "from screenings.db import create_db_engine\n"
        "from screenings.migrate import ensure_schema\n"
        f"assert ensure_schema(create_db_engine({f'sqlite:///{path}'!r})) is None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _race(url: str, action: Callable[[Engine], object]) -> list[object]:
    """Run ``action`` in two threads at once, each with its own engine; return the results."""
    results: list[object] = []
    start = threading.Barrier(2)

    def one() -> None:
        engine = create_db_engine(url)
        try:
            start.wait()
            results.append(action(engine))
        except BaseException as exc:
            results.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_processes_upgrading_at_once_do_not_collide(empty_engine: Engine) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)
    results = _race(url, upgrade_schema)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sorted(r.changed for r in results) == [False, True]  # type: ignore[attr-defined]
    assert read_status(empty_engine).state is SchemaState.CURRENT


def test_two_first_uses_at_once_give_one_notice(
    new_url: Callable[[str], str], backend: str
) -> None:
    results = _race(new_url(backend), ensure_schema)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sorted(map(str, results)).count("None") == 1


def test_two_first_uses_of_an_older_sqlite_file_back_it_up_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    downgrade_schema(engine, "base")
    for old in tmp_path.glob("*.bak"):
        old.unlink()
    results = _race(f"sqlite:///{path}", ensure_schema)
    assert [r for r in results if r is not None and not isinstance(r, str)] == []
    assert len([r for r in results if isinstance(r, str) and r.startswith("upgraded")]) == 1
    assert len(list(tmp_path.glob("*.bak"))) == 1


# --- Every state of a catalogue through every door that reports it ---------------------
#
# One message per state and door, made in one place (migrate.refusal); each names a
# command that can work, and that command does work, or names none when no command of this
# version can (then 'db upgrade' is refused too).

OLDER = KNOWN_REVISIONS[-2]


def _at(state: str, url: str) -> None:
    """Put the new database at ``url`` in ``state``."""
    engine = create_db_engine(url)
    if state == "new" and engine.dialect.name == "sqlite":
        Path(str(engine.url.database)).touch()  # a file with no catalogue in it
    elif state == "older":
        upgrade_schema(engine, OLDER)
        if engine.dialect.name == "sqlite":
            for backup in Path(str(engine.url.database)).parent.glob("*.bak"):
                backup.unlink()
    elif state in {"unknown", "unrecorded"}:
        upgrade_schema(engine)
        with engine.begin() as connection:
            if state == "unknown":
                connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
            else:
                connection.execute(text("DELETE FROM alembic_version"))
    elif state == "foreign":
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    engine.dispose()


def _said(state: str, door: str, backend: str, shown: str) -> tuple[int, str | None]:
    """What ``door`` answers for a catalogue in ``state``: its exit code and message (None
    when it works). The specification, written out whole. ``db current`` changes nothing,
    exits 0, and says what stands in the way; the WSGI application answers 503."""
    code, message = _answer(state, door, backend, shown)
    if door == "wsgi":
        return (200, None) if message is None else (503, message)
    return (0, message) if door == "db current" else (code, message)


def _answer(state: str, door: str, backend: str, shown: str) -> tuple[int, str | None]:
    serving = door in {"serve", "wsgi"}
    if state == "new":
        if door in {"add", "db upgrade"}:
            return 0, None
        return 2, (
            f"--db: {shown} holds no catalogue yet; "
            "'screenings import' or 'screenings add' creates one"
        )
    if state == "older":
        older = f"{shown} is at revision {OLDER}, older than this version's {HEAD_REVISION}"
        if door == "db upgrade" or (door in {"list", "add"} and backend == "sqlite"):
            return 0, None
        if serving:
            return 6, (
                f"{older}; the server never upgrades it: "
                f"run 'screenings db upgrade' (to {HEAD_REVISION}) first"
            )
        return 6, f"{older}; run 'screenings db upgrade' to upgrade it"
    if state == "unknown":
        return 6, (
            f"{shown} is at revision 0099, which this version of screenings (head "
            f"{HEAD_REVISION}) does not know: a newer screenings wrote it; "
            f"{'serve' if serving else 'use'} it with that version (upgrade this one: in its "
            "checkout, 'git pull && pip install -e .')"
        )
    if state == "foreign":
        return 6, (
            f"{shown} holds tables but is not a screenings catalogue (it has no "
            f"alembic_version table); point {'the server' if serving else 'the command'} "
            "at one (--db or SCREENINGS_DATABASE_URL)"
        )
    return 6, (
        f"{shown} holds a catalogue's tables, but its alembic_version table records no "
        "revision, so which one it is cannot be known: restore it from a backup, or record "
        "its revision in alembic_version"
    )


DOORS = {
    "list": ["list"],
    "add": ["add", "film", "Something Else"],
    "db upgrade": ["db", "upgrade"],
    "db current": ["db", "current"],
    "serve": ["serve", "--port", "1"],  # the catalogue is checked before the port
}


def _through(door: str, url: str, capfd: pytest.CaptureFixture[str]) -> tuple[int, str | None]:
    """The exit code and the one message ``door`` gives (None when it says none)."""
    from screenings.cli import run
    from screenings.config import load_settings
    from screenings.web import FeedApp

    capfd.readouterr()
    if door == "wsgi":  # the application any WSGI server runs: a 503, and why in its log
        app = FeedApp(load_settings(url, environ={}))
        log = io.StringIO()
        answered: list[str] = []
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "wsgi.errors": log}
        b"".join(app(environ, lambda status, headers: answered.append(status)))
        if answered == ["200 OK"]:
            return 200, None
        assert answered == ["503 Service Unavailable"] and log.getvalue().count("\n") == 1
        return 503, log.getvalue().removeprefix("screenings: ").rstrip("\n")
    code = run(["--db", url, *DOORS[door]])
    out, err = capfd.readouterr()
    if door == "db current":  # the message, if any, is its third line
        lines = out.splitlines()
        return code, lines[2] if len(lines) > 2 else None
    if code == 0:
        return 0, None
    assert out == "" and err.count("\n") == 1, err
    return code, err.removeprefix("screenings: error: ").rstrip("\n")


def _named_command_works(message: str, url: str, capfd: pytest.CaptureFixture[str]) -> None:
    from screenings.cli import run

    named = re.findall(r"'screenings ([a-z ]+)'", message)
    if not named:  # no command of this version can: the upgrade is refused too
        assert run(["--db", url, "db", "upgrade"]) == DatabaseState.exit_code
        return
    for n, name in enumerate(named):
        args = ["add", "film", f"Film {n}"] if name in {"import", "add"} else name.split()
        assert run(["--db", url, *args]) == 0, (name, capfd.readouterr().err)


STATES = ["new", "older", "unknown", "foreign", "unrecorded"]


@pytest.mark.parametrize("door", [*DOORS, "wsgi"])
@pytest.mark.parametrize("state", STATES)
def test_every_state_through_every_door_names_a_command_that_works(
    state: str,
    door: str,
    backend: str,
    new_url: Callable[[str], str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    url = new_url(backend)
    _at(state, url)
    shown = create_db_engine(url).url.render_as_string(hide_password=True)
    expected = _said(state, door, backend, shown)
    assert _through(door, url, capfd) == expected
    message = expected[1]
    if message is not None:
        _named_command_works(message, url, capfd)
