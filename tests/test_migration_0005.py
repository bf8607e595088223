"""Migration 0005: the same limits on both databases, and the stored values judged first.

A catalogue at 0004 holding values that break a rule of ``screenings.rules`` is refused
by every door, unchanged, with one message naming each value and the command that fixes
it; those commands work on it as it is, and then it upgrades. A clean one is upgraded,
its zone names rewritten as the zone rule keeps them. After it, a text too long (or
holding a NUL) written straight to the database is refused alike by SQLite and
PostgreSQL, in the same words.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from screenings import rules
from screenings.cli import run
from screenings.db import RULES, create_db_engine, unit_of_work
from screenings.errors import Conflict, DatabaseState
from screenings.migrate import (
    HEAD_REVISION,
    SchemaState,
    alembic_config,
    downgrade_schema,
    migration_connection,
    read_status,
    upgrade_schema,
)
from tests import factories as make

BEFORE = "0004"
UTC = dt.UTC


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str]) -> str:
    return new_url(backend)


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def _shown(url: str) -> str:
    return create_db_engine(url).url.render_as_string(hide_password=True)


def _catalogue_at_0004(engine: Engine) -> dict[str, int]:
    """A catalogue at 0004 with a row in every table; the ids of the rows the tests spoil."""
    upgrade_schema(engine, BEFORE)
    with unit_of_work(engine) as session:
        made = make.one_of_everything(session)
        return {name: row.id for name, row in made.items()}


def _spoil(engine: Engine, *statements: tuple[str, dict[str, Any]]) -> None:
    """Write values straight to the database, as an older version or a hand could."""
    with engine.begin() as connection:
        for sql, params in statements:
            connection.execute(text(sql), params)


def _dump(engine: Engine) -> dict[str, Any]:
    """Every row of every table, and the schema, as the database holds them."""
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        dump: dict[str, Any] = {
            name: connection.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')).all()
            for name in names
        }
        if engine.dialect.name == "sqlite":
            schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        else:
            schema = (
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                " UNION ALL SELECT table_name, column_name, data_type"
                " FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
            )
        dump["(schema)"] = connection.execute(text(schema)).all()
    return dump


def _files(engine: Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    return sorted(p.name for p in Path(str(engine.url.database)).parent.iterdir())


def _cli(url: str, args: list[str], capfd: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capfd.readouterr()
    code = run(["--db", url, *args])
    out, err = capfd.readouterr()
    return code, out, err


def _rule(check: Callable[..., object], value: str, what: str, **kw: Any) -> str:
    """The words a rule of ``screenings.rules`` says of ``value``: the very words every door
    gives for it."""
    with pytest.raises(rules.InvalidInput) as refused:
        check(value, what=what, **kw)
    return refused.value.message


# --- A catalogue holding values that break a rule --------------------------------------

BELL_CITY = "Shef\x07field"
BAD_ZONE = "right/Europe/London"
BAD_TICKETS = "https://exa mple.com/a b"
NUL_NAME = "Ann\x00Shin"
LONG_TITLE = "x" * 5000


def _offending(engine: Engine) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A catalogue at 0004 holding a value of each kind that breaks a rule: its ids, and
    what the refusal must list, in order: each value's problem and the command that
    fixes it. PostgreSQL kept no text longer than its VARCHAR, and no NUL, even at 0004."""
    ids = _catalogue_at_0004(engine)
    sqlite = engine.dialect.name == "sqlite"
    spoilt = [
        ("UPDATE festival SET city = :v WHERE id = :id", {"v": BELL_CITY, "id": ids["festival"]}),
        ("UPDATE venue SET timezone = :v WHERE id = :id", {"v": BAD_ZONE, "id": ids["venue"]}),
        ("UPDATE screening SET timezone = :v WHERE id = :id", {"v": BAD_ZONE, "id": ids["screening"]}),  # noqa: E501
        ("UPDATE screening SET ticket_url = :v WHERE id = :id", {"v": BAD_TICKETS, "id": ids["screening"]}),  # noqa: E501
    ]  # fmt: skip
    if sqlite:
        spoilt += [
            ("UPDATE person SET name = :v WHERE id = :id", {"v": NUL_NAME, "id": ids["person"]}),
            ("UPDATE film SET original_title = :v WHERE id = :id", {"v": LONG_TITLE, "id": ids["film"]}),  # noqa: E501
        ]  # fmt: skip
    _spoil(engine, *spoilt)
    person, film, festival = ids["person"], ids["film"], ids["festival"]
    venue, screening = ids["venue"], ids["screening"]
    fix_venue = f"screenings edit venue '#{venue}' --timezone Europe/London"
    listed = []
    if sqlite:
        what = f"person #{person} name"
        fix = f"screenings edit person '#{person}' --name NAME"
        listed.append((_rule(rules.clean_text, NUL_NAME, what), fix))
        what = f"film #{film} original_title"
        listed.append(
            (
                _rule(rules.check_length, LONG_TITLE, what, limit=500),
                f"screenings edit film '#{film}' --original-title TITLE",
            )
        )
    listed += [
        (
            _rule(rules.clean_text, BELL_CITY, f"festival #{festival} city"),
            f"screenings edit festival '#{festival}' --city CITY",
        ),
        (_rule(rules.canonical_zone, BAD_ZONE, f"venue #{venue} timezone"), fix_venue),
        # A screening's zone that is its venue's is fixed with the venue's.
        (_rule(rules.canonical_zone, BAD_ZONE, f"screening #{screening} timezone"), fix_venue),
        (
            _rule(rules.check_url, BAD_TICKETS, f"screening #{screening} ticket_url"),
            f"screenings edit screening '#{screening}' --ticket-url URL",
        ),
    ]
    return ids, listed


def _refusal(url: str, listed: list[tuple[str, str]], total: int | None = None) -> str:
    count = len(listed) if total is None else total
    which = "each" if count == len(listed) else f"the first {len(listed)}"
    return (
        f"{_shown(url)} is at revision {BEFORE}, and cannot be upgraded to {HEAD_REVISION} "
        f"while {count} stored values break the catalogue's rules; nothing was changed: "
        f"fix {which} and try again: "
        + " ".join(f"[{problem}; fix: {fix}]" for problem, fix in listed)
    )


# Every door that would upgrade the catalogue, or tell how: reading and writing commands
# (which upgrade a SQLite catalogue on first use), db upgrade, db current, serve.
DOORS = {
    "list": ["list"],
    "add": ["add", "film", "Something Else"],
    "db upgrade": ["db", "upgrade"],
    "db current": ["db", "current"],
    "serve": ["serve", "--port", "1"],  # the catalogue is checked before the port
}


@pytest.mark.parametrize("door", DOORS)
def test_values_that_break_a_rule_keep_every_door_from_upgrading_and_change_nothing(
    engine: Engine, url: str, door: str, capfd: pytest.CaptureFixture[str]
) -> None:
    _ids, listed = _offending(engine)
    before, files = _dump(engine), _files(engine)

    code, out, err = _cli(url, DOORS[door], capfd)

    expected = _refusal(url, listed)
    if door == "serve":  # it never upgrades, nor reads a catalogue it cannot serve
        expected = (
            f"{_shown(url)} is at revision {BEFORE}, older than this version's {HEAD_REVISION}; "
            f"the server never upgrades it: run 'screenings db upgrade' (to {HEAD_REVISION}) first"
        )
    if door == "db current":  # changes nothing, and says what stands in the way
        assert (code, out.splitlines()[2:], err) == (0, [expected], "")
    else:
        assert (code, out, err) == (DatabaseState.exit_code, "", f"screenings: error: {expected}\n")
    assert _dump(engine) == before
    assert _files(engine) == files  # no backup, no journal left behind
    assert read_status(engine).revision == BEFORE


def test_the_refusal_lists_the_first_ten_and_says_how_many_in_all(engine: Engine, url: str) -> None:
    ids = _catalogue_at_0004(engine)
    with unit_of_work(engine) as session:
        film = session.get(make.Film, ids["film"])
        for day in range(1, 13):
            make.screening(session, film, dt.date(2013, 7, day), city="London")
    _spoil(engine, ("UPDATE screening SET ticket_url = 'ftp://tickets.example/'", {}))
    with engine.connect() as connection:
        shown = connection.execute(text("SELECT id FROM screening ORDER BY id")).scalars().all()
    listed = [
        (
            _rule(rules.check_url, "ftp://tickets.example/", f"screening #{n} ticket_url"),
            f"screenings edit screening '#{n}' --ticket-url URL",
        )
        for n in shown[:10]
    ]
    with pytest.raises(DatabaseState) as refused:
        upgrade_schema(engine)
    assert refused.value.message == _refusal(url, listed, total=13)


def test_the_commands_named_fix_the_catalogue_as_it_is_and_then_it_upgrades(
    engine: Engine, url: str, backend: str, capfd: pytest.CaptureFixture[str]
) -> None:
    ids, listed = _offending(engine)
    placeholders = {
        "NAME": "Ann Shin",
        "TITLE": "Defector",
        "CITY": "Sheffield",
        "URL": "https://tickets.example/1",
    }
    where = engine.url.database if backend == "sqlite" else _shown(url)
    for _problem, fix in listed:
        args = [placeholders.get(arg, arg) for arg in shlex.split(fix)[1:]]
        code, _out, err = _cli(url, args, capfd)
        assert code == 0, (fix, err)
        # The edit works on the catalogue at 0004, and says so (true of the last fix too).
        assert err == (
            f"screenings: {where} is edited as it is, at revision {BEFORE}: stored values "
            "broke a rule when it was opened; any other command lists those left\n"
        )
    assert read_status(engine).revision == BEFORE

    # Fixed: the next command upgrades it (SQLite, on first use), or db upgrade does.
    code, _out, err = _cli(url, ["list"] if backend == "sqlite" else ["db", "upgrade"], capfd)
    assert code == 0, err
    assert read_status(engine).state is SchemaState.CURRENT
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT v.timezone, s.timezone, s.ticket_url, f.city FROM screening s"
                 " JOIN venue v ON v.id = s.venue_id JOIN edition e ON e.id = s.edition_id"
                 " JOIN festival f ON f.id = e.festival_id WHERE s.id = :id"),
            {"id": ids["screening"]},
        ).one()  # fmt: skip
    assert tuple(stored) == (
        "Europe/London",
        "Europe/London",
        "https://tickets.example/1",
        "Sheffield",
    )


def test_the_alembic_command_refuses_too(engine: Engine, url: str) -> None:
    # Run without screenings.migrate (alembic upgrade head): the migration judges itself.
    _ids, listed = _offending(engine)
    before = _dump(engine)
    with pytest.raises(DatabaseState) as refused, migration_connection(engine) as connection:
        command.upgrade(alembic_config(connection), "head")
    assert refused.value.message == _refusal(url, listed)
    assert _dump(engine) == before


def test_a_catalogue_older_than_0004_is_told_to_reach_0004_first(engine: Engine, url: str) -> None:
    ids = _catalogue_at_0004(engine)
    _spoil(engine, ("UPDATE festival SET city = :v WHERE id = :id", {"v": BELL_CITY, "id": ids["festival"]}))  # noqa: E501  # fmt: skip
    downgrade_schema(engine, "0003")
    message = read_status(engine)
    with pytest.raises(DatabaseState) as refused:
        upgrade_schema(engine)
    assert refused.value.message.startswith(
        f"{_shown(url)} is at revision 0003, and cannot be upgraded to {HEAD_REVISION} while "
        "1 stored value breaks the catalogue's rules; nothing was changed: upgrade it to "
        f"{BEFORE} ('screenings db upgrade --to {BEFORE}'), then fix each and try again: "
        f"[festival #{ids['festival']} city: "
    )
    assert message.offences is not None and message.offences.total == 1
    assert upgrade_schema(engine, BEFORE).after == BEFORE  # that way is open


# --- A clean catalogue --------------------------------------------------------------------


def _screening_rows(engine: Engine) -> dict[int, tuple[str, int, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, timezone, sequence, updated_at FROM screening ORDER BY id")
        ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _counter(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT counter FROM revision")).scalar_one())


def test_a_clean_catalogue_is_upgraded_its_zone_names_rewritten_and_their_screenings_bumped(
    engine: Engine,
) -> None:
    ids = _catalogue_at_0004(engine)
    with unit_of_work(engine) as session:
        film = session.get(make.Film, ids["film"])
        calcutta = make.screening(session, film, dt.date(2013, 7, 1), city="Kolkata").id
        paris = make.screening(session, film, dt.date(2013, 7, 2), city="Paris").id
        untouched = make.screening(session, film, dt.date(2013, 7, 3), city="London").id
    _spoil(
        engine,
        ("UPDATE festival SET timezone = 'US/Eastern' WHERE id = :id", {"id": ids["festival"]}),
        ("UPDATE venue SET timezone = 'US/Eastern' WHERE id = :id", {"id": ids["venue"]}),
        ("UPDATE screening SET timezone = 'US/Eastern' WHERE id = :id", {"id": ids["screening"]}),
        ("UPDATE screening SET timezone = 'Asia/Calcutta' WHERE id = :id", {"id": calcutta}),
        ("UPDATE screening SET timezone = 'europe/paris' WHERE id = :id", {"id": paris}),
    )
    before, counter = _screening_rows(engine), _counter(engine)

    done = upgrade_schema(engine)

    assert (done.before, done.after) == (BEFORE, HEAD_REVISION)
    assert read_status(engine).state is SchemaState.CURRENT
    after = _screening_rows(engine)
    moved = {ids["screening"]: "America/New_York", calcutta: "Asia/Kolkata", paris: "Europe/Paris"}
    for screening, zone in moved.items():
        assert after[screening][:2] == (zone, before[screening][1] + 1)
        assert after[screening][2] != before[screening][2]  # updated_at moved
    assert after[untouched] == before[untouched]  # Europe/London: kept as it was
    assert _counter(engine) == counter + 1
    with engine.connect() as connection:
        zones = connection.execute(
            text("SELECT f.timezone, v.timezone FROM festival f, venue v"
                 " WHERE f.id = :f AND v.id = :v"),
            {"f": ids["festival"], "v": ids["venue"]},
        ).one()  # fmt: skip
    assert tuple(zones) == ("America/New_York", "America/New_York")

    # Downgraded, the CHECKs go; the zone names stay as the rule keeps them.
    downgrade_schema(engine, BEFORE)
    assert _screening_rows(engine)[ids["screening"]][0] == "America/New_York"
    if engine.dialect.name == "sqlite":
        _spoil(engine, ("UPDATE venue SET city = :v", {"v": "x" * 5000}))  # kept again


def test_ids_are_never_handed_out_again_across_the_rebuild(engine: Engine) -> None:
    ids = _catalogue_at_0004(engine)
    with unit_of_work(engine) as session:
        film = session.get(make.Film, ids["film"])
        last = make.screening(session, film, dt.date(2013, 7, 1), city="London").id
    _spoil(engine, ("DELETE FROM screening WHERE id = :id", {"id": last}))
    upgrade_schema(engine)
    with unit_of_work(engine) as session:
        film = session.get(make.Film, ids["film"])
        assert make.screening(session, film, dt.date(2013, 7, 2), city="London").id > last


# --- After the upgrade: one limit on both databases, in the same words ---------------------

# Columns held by a stricter rule of their own (a closed set, a SHA-256's 64 digits), which
# a value too long breaks as well: which of the two each database names first is its own.
STRICTER = {
    ("selection", "status"),
    ("screening", "status"),
    ("screening", "visibility"),
    ("nomination", "result"),
    ("retired_slug", "kind"),
    ("import_source", "kind"),
    ("alias", "kind"),
    ("record_base", "kind"),
    ("feed_token", "token_hash"),
}
COLUMNS = sorted(
    (table, column)
    for table, columns in rules.LENGTHS.items()
    for column in columns
    if (table, column) not in STRICTER
)


def _filled(connection: Any) -> Any:
    with unit_of_work(connection) as session:
        make.one_of_everything(session)
    return connection


# What else a row needs for the value to be the only rule it may break.
ALONGSIDE = {("feed_token", "ended_because"): ", ended_at = created_at"}


def _write_straight(connection: Any, table: str, column: str, value: str) -> None:
    """Set ``table.column`` of one row to ``value`` with plain SQL, past every service."""
    also = ALONGSIDE.get((table, column), "")
    with unit_of_work(connection) as session:
        session.execute(
            text(f'UPDATE "{table}" SET "{column}" = :{column}{also} '
                 f'WHERE id = (SELECT min(id) FROM "{table}")'),
            {column: value},
        )  # fmt: skip


@pytest.mark.parametrize(("table", "column"), COLUMNS)
def test_a_text_too_long_written_straight_is_refused_alike_on_both(
    connection: Any, table: str, column: str
) -> None:
    limit = rules.length(table, column)
    _filled(connection)
    _write_straight(connection, table, column, "x" * limit)  # as long as it may be: kept
    for value in ("x" * 5000, "x" * (limit + 1)):
        with pytest.raises(Conflict) as refused:
            _write_straight(connection, table, column, value)
        assert refused.value.message == RULES[f"ck_{table}_{column}_length"]


def test_the_words_of_a_length_rule(connection: Any) -> None:
    _filled(connection)
    with pytest.raises(Conflict) as refused:
        _write_straight(connection, "venue", "city", "x" * 5000)
    assert refused.value.message == "venue: the city is longer than 200 characters, or holds a NUL"
    with pytest.raises(Conflict) as refused:
        _write_straight(connection, "screening", "ticket_url", "https://" + "x" * 5000)
    assert refused.value.message == (
        "screening: the ticket URL is longer than 1,000 characters, or holds a NUL"
    )


@pytest.mark.parametrize("value", ["\x00" + "x" * 5000, "Sheffield\x00"])
def test_a_nul_written_straight_is_refused_alike_on_both(connection: Any, value: str) -> None:
    # SQLite's length() stops at a NUL: the CHECK still sees the whole value. PostgreSQL
    # refuses a NUL before any CHECK: the same rule is named from the statement.
    _filled(connection)
    with pytest.raises(Conflict) as refused:
        _write_straight(connection, "venue", "city", value)
    assert refused.value.message == RULES["ck_venue_city_length"]
