"""Item 1: a secret feed never changes hands, ids are never reused, removed slugs are kept.

A secret feed names its records by references the database enforces: removing one ends
the feed (its address then answers exactly as a wrong token does), merging carries it to
the record kept. No id is handed out twice, on SQLite (AUTOINCREMENT) as on PostgreSQL
(sequences), and a removed record's slug answers 410 Gone and goes to no new record for
30 days. Each test runs on both databases.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text, update

from screenings import tables
from screenings.cli import run
from screenings.config import Settings
from screenings.db import create_db_engine, unit_of_work
from screenings.errors import NotFound
from screenings.migrate import downgrade_schema, upgrade_schema
from screenings.services.secret_feeds import secret_query, token_hash
from screenings.web import FeedApp
from tests import factories as make
from tests.test_import import ROWS, write_csv
from tests.test_pages import get

Cli = Callable[..., tuple[int, str, str]]
BASE = "https://feeds.example.org"
SDF = "Sheffield Doc/Fest 2013"


@pytest.fixture
def url(seed_url: str, tmp_path: Path) -> str:
    url = seed_url
    assert run(["--db", url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))]) == 0
    return url


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run(["--db", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def _app(url: str) -> FeedApp:
    return FeedApp(Settings(url, default_timezone="Europe/London"), base_url=BASE)


def _token(cli: Cli, name: str, *filters: str) -> str:
    code, out, err = cli("feed", "create", name, *filters, "--base-url", BASE)
    assert code == 0, err
    address = out.strip()
    assert address.startswith(f"{BASE}/feeds/secret/") and address.endswith(".ics")
    return address.removeprefix(f"{BASE}/feeds/secret/").removesuffix(".ics")


def _value(url: str, column: Any, **where: Any) -> Any:
    """The one value of ``column`` in the row of its table that matches ``where``."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            conditions = [column.table.c[k] == v for k, v in where.items()]
            return connection.execute(select(column).where(*conditions)).scalar_one()
    finally:
        engine.dispose()


def _id(url: str, table: Any, **where: Any) -> int:
    return int(_value(url, table.c.id, **where))


def _slug(url: str, table: Any, **where: Any) -> str:
    return str(_value(url, table.c.slug, **where))


def _listed_feeds(cli: Cli) -> str:
    code, out, err = cli("feed", "list")
    assert code == 0, err
    return out


def test_a_feed_for_a_removed_edition_never_serves_the_record_that_follows_it(
    cli: Cli, url: str
) -> None:
    """The issue's sequence: a jury feed of an edition, the edition removed, a new
    edition (which SQLite would have given the freed id), a private screening in it."""
    token = _token(cli, "jury 2013", "--edition", SDF, "--include-private")
    app = _app(url)
    assert get(app, f"/feeds/secret/{token}.ics")[0] == 200
    old_edition = _id(url, tables.edition, slug="sheffield-doc-fest-2013")

    code, _, err = cli("remove", "edition", SDF, "--cascade")
    assert code == 2
    assert "it would end 1 secret feed(s) ('jury 2013'); pass --yes to do it" in err
    assert "live" in _listed_feeds(cli)  # said beforehand; nothing done

    code, out, err = cli("remove", "edition", SDF, "--cascade", "--yes")
    assert code == 0, err
    assert "ended 1 secret feed(s): 'jury 2013'" in out
    steps = [
        ("add", "festival", "Cannes", "--city", "Cannes", "--country", "FR",
         "--timezone", "Europe/Paris"),
        ("add", "edition", "Cannes", "2014", "--from", "2014-05-14", "--to", "2014-05-25"),
        ("add", "screening", "Mothers", "--on", "2014-05-15", "--at", "09:00", "--edition",
         "Cannes 2014", "--city", "Cannes", "--private", "--audience", "Distributors only",
         "--note", "embargoed"),
    ]  # fmt: skip
    for step in steps:
        code, _, err = cli(*step)
        assert code == 0, (step, err)
    assert _id(url, tables.edition, slug="cannes-2014") > old_edition  # never the freed id

    listed = _listed_feeds(cli)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert (
        f"jury 2013  (ended: its edition Sheffield Doc/Fest 2013 (#{old_edition}) was removed "
        f"on {today}; " in listed
    )
    assert "Cannes" not in listed

    unknown = secrets.token_urlsafe(32)
    for fmt in ("ics", "json"):
        status, _, body = get(app, f"/feeds/secret/{token}.{fmt}")
        assert (status, body) == get(app, f"/feeds/secret/{unknown}.{fmt}")[::2]
        assert status == 404
        assert b"Distributors" not in body and b"embargoed" not in body
        assert str(old_edition).encode() not in body


def test_a_feed_follows_a_merge_and_ends_with_a_removed_film_or_director(
    cli: Cli, url: str
) -> None:
    for step in (
        ("add", "festival", "Sheffield DocFest", "--city", "Sheffield",
         "--timezone", "Europe/London"),
        ("add", "edition", "Sheffield DocFest", "2014"),
    ):  # fmt: skip
        code, _, err = cli(*step)
        assert code == 0, err
    merged = _token(cli, "press", "--festival", "Sheffield DocFest")
    killing = _token(cli, "killing", "--film", "The Act of Killing")
    director = _token(cli, "oppenheimer", "--director", "Joshua Oppenheimer")
    dup = _id(url, tables.festival, slug="sheffield-docfest")

    code, out, err = cli("merge", "festival", "Sheffield Doc/Fest", "Sheffield DocFest")
    assert code == 0, err
    assert "1 secret feed(s) now follow Sheffield Doc/Fest" in out
    listed = _listed_feeds(cli)
    assert "press  (live;" in listed
    assert (
        f"festival: Sheffield Doc/Fest (#{_id(url, tables.festival, slug='sheffield-doc-fest')})"
        in listed
    )
    assert f"#{dup}" not in listed and "(gone)" not in listed
    app = _app(url)
    status, _, body = get(app, f"/feeds/secret/{merged}.json")
    assert status == 200
    assert {s["edition"]["festival"] for s in json.loads(body)["screenings"]} == {
        "Sheffield Doc/Fest"
    }

    code, _, err = cli("remove", "film", "The Act of Killing", "--cascade")
    assert code == 2
    assert "it would end 1 secret feed(s) ('killing')" in err
    code, _, err = cli("remove", "film", "The Act of Killing", "--cascade", "--yes")
    assert code == 0, err
    code, _, err = cli("remove", "person", "Joshua Oppenheimer", "--cascade", "--yes")
    assert code == 0, err
    listed = _listed_feeds(cli)
    assert "killing  (ended: its film The Act of Killing (2012, #" in listed
    assert "oppenheimer  (ended: its person Joshua Oppenheimer (#" in listed
    for token in (killing, director):
        assert get(app, f"/feeds/secret/{token}.ics")[0] == 404
    assert get(app, f"/feeds/secret/{merged}.ics")[0] == 200


def test_a_removed_record_cannot_be_removed_under_a_feed_behind_its_back(
    url: str, cli: Cli
) -> None:
    """The reference is the database's: a delete that bypasses ``remove`` is refused."""
    _token(cli, "jury", "--edition", SDF)
    engine = create_db_engine(url)
    edition = _id(url, tables.edition, slug="sheffield-doc-fest-2013")
    try:
        with pytest.raises(Exception, match=r"(?i)foreign key"), engine.begin() as connection:
            for table in (tables.screening, tables.selection, tables.nomination):
                connection.execute(table.delete().where(table.c.edition_id == edition))
            connection.execute(tables.edition.delete().where(tables.edition.c.id == edition))
    finally:
        engine.dispose()


def test_ids_are_never_reused(url: str, cli: Cli, backend: str) -> None:
    """The highest id, freed, is not handed out again: films, people, venues, festivals."""
    steps = [
        (tables.film, {"title": "A Film"}, ("add", "film", "A Film", "--year", "2020"),
         ("remove", "film", "A Film", "--yes")),
        (tables.person, {"name": "A Person"}, ("add", "person", "A Person"),
         ("remove", "person", "A Person", "--yes")),
        (tables.venue, {"name": "A Venue"}, ("add", "venue", "A Venue", "--city", "Leeds",
         "--timezone", "Europe/London"), ("remove", "venue", "A Venue", "--yes")),
        (tables.festival, {"name": "A Festival"}, ("add", "festival", "A Festival"),
         ("remove", "festival", "A Festival", "--yes")),
    ]  # fmt: skip
    for table, where, add, remove in steps:
        assert cli(*add)[0] == 0
        first = _id(url, table, **where)
        assert cli(*remove)[0] == 0
        assert cli(*add)[0] == 0
        assert _id(url, table, **where) > first, table.name
    if backend == "sqlite":  # every table that anything outside its row may name
        engine = create_db_engine(url)
        with engine.connect() as connection:
            for table in tables.metadata.sorted_tables:
                sql = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :name"),
                    {"name": table.name},
                ).scalar_one()
                assert ("AUTOINCREMENT" in sql) == (table.name != "revision"), table.name
        engine.dispose()


def test_a_removed_record_s_slug_is_gone_for_30_days(url: str, cli: Cli) -> None:
    app = _app(url)
    slug = _slug(url, tables.film, title="Mothers")
    assert cli("remove", "film", "Mothers", "--cascade", "--yes")[0] == 0
    for path in (f"/films/{slug}", f"/feeds/films/{slug}.ics"):
        status, _, body = get(app, path)
        assert status == 410, path
        assert body.startswith(f"the film {slug!r} was removed on ".encode())
    # A new film of the same title gets another slug while the old one is retired.
    assert cli("add", "film", "Mothers", "--year", "2012")[0] == 0
    assert _slug(url, tables.film, title="Mothers") != slug
    assert get(app, f"/films/{slug}")[0] == 410
    engine = create_db_engine(url)
    with engine.begin() as connection:
        # Thirty-one days on, the slug is free again: 404, and the next film may take it.
        connection.execute(
            update(tables.retired_slug).values(
                retired_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
            )
        )
    engine.dispose()
    assert get(app, f"/films/{slug}")[0] == 404
    assert cli("remove", "film", "Mothers", "--yes")[0] == 0
    assert cli("add", "film", "Mothers")[0] == 0
    assert _slug(url, tables.film, title="Mothers") == slug.removesuffix("-2012")


def test_a_private_record_s_slug_answers_as_one_that_never_was(url: str, cli: Cli) -> None:
    steps = [
        ("add", "film", "Secret Film"),
        ("add", "screening", "Secret Film", "--on", "2013-06-20", "--city", "London",
         "--private"),
        ("remove", "film", "Secret Film", "--cascade", "--yes"),
    ]  # fmt: skip
    for step in steps:
        code, _, err = cli(*step)
        assert code == 0, err
    status, _, body = get(_app(url), "/films/secret-film")
    assert status == 404
    assert body == get(_app(url), "/films/never-was")[2].replace(b"never-was", b"secret-film")


def test_a_merged_duplicate_s_addresses_lead_to_the_record_kept(url: str, cli: Cli) -> None:
    code, _, err = cli("add", "venue", "Showroom", "--city", "Sheffield")
    assert code == 0, err
    code, _, err = cli(
        "add", "screening", "Mothers", "--on", "2013-06-16", "--at", "15:00",
        "--venue", "Showroom (Sheffield)", "--edition", SDF,
    )  # fmt: skip
    assert code == 0, err
    assert cli("merge", "venue", "Showroom Cinema", "Showroom (Sheffield)")[0] == 0
    app = _app(url)
    for path, moved in (
        ("/venues/showroom", "/venues/showroom-cinema"),
        (
            "/feeds/venues/showroom.ics?cancelled=omit",
            "/feeds/venues/showroom-cinema.ics?cancelled=omit",
        ),
    ):
        status, headers, _ = get(app, path)
        assert (status, headers["location"]) == (301, moved)
        assert get(app, moved)[0] == 200
    # A merged slug is never given to a new record.
    assert cli("add", "venue", "Showroom", "--city", "Leeds")[0] == 0
    assert _id(url, tables.venue, name="Showroom") and get(app, "/venues/showroom")[0] == 301


# --- The migration ------------------------------------------------------------------------


def _at_0003_with_feeds(engine: Engine) -> dict[str, str]:
    """A catalogue at revision 0003 with three secret feeds (their tokens, by name): one
    for an edition that exists, one for a film removed (id 999), one for a venue whose id
    SQLite reused after the feed was made."""
    upgrade_schema(engine, "0003")
    with unit_of_work(engine) as session:
        fest = make.festival(session, "Hot Docs", city="Toronto")
        edition = make.edition(session, fest, 2013)
        venue = make.venue(session, "Bloor Hot Docs Cinema")
        tokens = {name: secrets.token_urlsafe(32) for name in ("hot docs", "gone", "reused")}
        long_ago = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
        for name, filters in (
            ("hot docs", {"edition": edition.id, "city": "Toronto"}),
            ("gone", {"film": 999}),
            ("reused", {"venue": venue.id}),
        ):
            session.execute(
                insert(tables.feed_token).values(
                    name=name,
                    token_hash=token_hash(tokens[name]),
                    filters={"version": 1, "cancelled": "mark", **filters},
                    include_private=False,
                    created_at=long_ago if name == "reused" else dt.datetime.now(dt.UTC),
                )
            )
        # The venue was made after the feed that names its id: SQLite reused the id.
        session.execute(
            update(tables.venue)
            .where(tables.venue.c.id == venue.id)
            .values(created_at=long_ago + dt.timedelta(days=1))
        )
    return tokens


def test_the_migration_turns_stored_targets_into_references(
    empty_engine: Engine, backend: str
) -> None:
    engine = empty_engine
    tokens = _at_0003_with_feeds(engine)
    upgrade_schema(engine)
    T = tables.feed_token
    with engine.connect() as connection:
        rows = {row.name: row for row in connection.execute(select(T))}
    assert rows["hot docs"].edition_id is not None and rows["hot docs"].ended_at is None
    assert rows["hot docs"].filters == {"version": 2, "cancelled": "mark", "city": "Toronto"}
    assert rows["gone"].ended_because == "its film (#999) no longer existed at the upgrade"
    assert rows["reused"].ended_because.startswith("its venue (#")
    assert rows["reused"].venue_id is None
    with unit_of_work(engine, write=False) as session:
        query, _, name = secret_query(session, tokens["hot docs"], default_length_minutes=90)
        assert (name, query.edition, query.city) == (
            "hot docs",
            f"#{rows['hot docs'].edition_id}",
            "Toronto",
        )
        for ended in ("gone", "reused"):
            with pytest.raises(NotFound, match=r"^no such feed$"):
                secret_query(session, tokens[ended], default_length_minutes=90)
    # No id a feed held is handed out again: the next film comes after #999.
    with unit_of_work(engine) as session:
        film = make.film(session, "After the upgrade").id
    assert film > 999 or backend == "postgresql"

    downgrade_schema(engine, "0003")
    with engine.connect() as connection:
        back = {row.name: row for row in connection.execute(text("SELECT * FROM feed_token"))}
    filters = back["hot docs"].filters
    filters = json.loads(filters) if isinstance(filters, str) else filters
    assert filters["version"] == 1 and filters["edition"] == rows["hot docs"].edition_id
    # Version 1 knows no ended feed: one without its record would serve everything.
    assert back["gone"].revoked_at is not None and back["reused"].revoked_at is not None
    assert back["hot docs"].revoked_at is None
    upgrade_schema(engine)


def test_a_merge_never_leads_to_a_record_kept_that_is_private(url: str, cli: Cli) -> None:
    steps = [
        ("add", "film", "Secret Codename", "--year", "2020"),
        ("add", "film", "Public Title", "--year", "2020"),
        ("add", "screening", "Public Title", "--on", "2013-06-20", "--city", "London"),
        ("merge", "film", "Secret Codename", "Public Title"),
    ]
    for step in steps:
        code, _, err = cli(*step)
        assert code == 0, (step, err)
    app = _app(url)
    assert get(app, "/films/public-title-2020")[1]["location"] == "/films/secret-codename-2020"
    screening = _id(url, tables.screening, local_date=dt.date(2013, 6, 20))
    assert cli("edit", "screening", f"#{screening}", "--private")[0] == 0
    for path in ("/films/public-title-2020", "/feeds/films/public-title-2020.ics"):
        status, headers, body = get(app, path)
        assert status == 404, path
        assert "location" not in headers and b"secret" not in body


def test_a_revoked_feed_is_not_ended_again_and_says_what_went(url: str, cli: Cli) -> None:
    _token(cli, "old", "--edition", SDF)
    _token(cli, "jury", "--edition", SDF, "--include-private")
    assert cli("feed", "revoke", "old")[0] == 0
    code, _, err = cli("remove", "edition", SDF, "--cascade")
    assert code == 2 and "it would end 1 secret feed(s) ('jury');" in err
    assert cli("remove", "edition", SDF, "--cascade", "--yes")[0] == 0
    listed = _listed_feeds(cli).splitlines()
    old = listed.index(next(line for line in listed if line.startswith("old  ")))
    assert listed[old].startswith("old  (revoked ")
    assert listed[old + 1].strip().startswith("its edition Sheffield Doc/Fest 2013 (#")
    assert "all screenings" not in listed
