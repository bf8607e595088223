"""The catalogue at scale (issue #26): 1,000,000 screenings, 300,000 films, 5,000 venues,
on SQLite and on PostgreSQL, each query against the same query written by hand.

The catalogue (``scale_build``: seeded, about 500 screenings an edition, directors of 5
to 20 films, venues in about 300 cities, five years of screenings including this week)
is made once by ``screenings db upgrade`` and rows written straight into its tables,
and kept for the next run (``--work``; ``--rebuild`` makes it again): a SQLite file,
and a PostgreSQL database (``scale_bench_N``) into which that file is copied with COPY.
Its build times are printed each run.

Measured, on each backend:

- three listings, in this process: what ``screenings list`` calls to select and fetch
  its records (``query.from_filters`` and ``ScreeningQuery.run`` in a reading unit of
  work, names looked up, views made; the table not rendered), against one query written
  by hand in plain ``sqlite3`` or ``psycopg`` returning the same columns in the same
  order, fetched, the programmes' films too; both give the same screenings (checked),
  best of ``--repeats``, run alternately. Targets: 2x each. For each, the EXPLAIN
  (SQLite: EXPLAIN QUERY PLAN) of every statement the product sent (captured as
  sent), whether it reads ``screening`` through an index or scans it, and how long
  each takes alone;
- ``--city``'s cost with a stored derived city (``--no-experiments`` skips it): the
  hand-written query through a side table of each screening's city key and date, with
  an index on (key, date), made and dropped in the benchmark's database only;
- a cached feed request: ``screenings serve`` (2 workers x 4 threads) answering the
  picked edition's feed after one request warmed its cache, against nginx serving the
  same bytes as a static file, under wrk (64 connections, ``--duration`` s each; without
  wrk, sequential keep-alive requests from this process). Target: 0.25 of nginx's rate;
- ``screenings db copy`` of the SQLite file into a new PostgreSQL database at head,
  as a whole process, against ``scale_build.copy_catalogue``: the same rows read with
  ``sqlite3`` and written with psycopg's COPY into another database at head, every
  table, in one transaction, sequences set after. Target: 3x. Skipped, saying so,
  when the command is not there.

Usage: .venv/bin/python benchmarks/scale.py [--screenings 1000000] [--backend both]
       [--repeats 5] [--work DIR] [--rebuild] [--seed 2026] [--duration 10]
       [--postgres postgresql+psycopg://postgres@127.0.0.1:5432] [--only queries,feed,copy]
       [--no-experiments]
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feed_server import free_port, option, wait_for, wrk
from scale_build import Picks, Sizes, copy_catalogue, fill_sqlite

LIST_TARGET = 2.0  # the listings, product / plain
FEED_TARGET = 0.25  # cached feed requests per second, product / nginx
COPY_TARGET = 3.0  # db copy / plain COPY
SCREENINGS_BIN = str(Path(sys.executable).with_name("screenings"))
NGINX = "/usr/sbin/nginx"
PREFIX = "scale_bench_"  # every PostgreSQL database this makes and drops
DEFAULT_LENGTH = 90  # minutes, config.DEFAULT_DURATION_MINUTES

# --- The hand-written queries ----------------------------------------------------------------
# The columns ``ScreeningQuery.run`` reads (``query.VIEW_FIELDS``) in its order, over the
# same joins.
SELECT = """SELECT s.id, s.uid, s.film_id, coalesce(f.title, p.title), f.year,
 s.programme_id, p.title, s.venue_id, v.name, v.city, s.edition_id, fe.name, e.year,
 e.label, coalesce(s.city, v.city, fe.city), s.local_date, s.local_time, s.timezone,
 s.starts_at_utc, s.duration_minutes,
 coalesce(s.duration_minutes, f.runtime_minutes, CASE WHEN s.programme_id IS NOT NULL THEN
  (SELECT CASE WHEN count(*) = count(pff.runtime_minutes) THEN sum(pff.runtime_minutes) END
   FROM programme_film pf JOIN film pff ON pf.film_id = pff.id
   WHERE pf.programme_id = s.programme_id) END, ?),
 s.kind, s.status, s.visibility, s.audience, coalesce(se.section, p.section),
 s.ticket_url, s.notes, s.sequence, s.updated_at
FROM screening s
LEFT JOIN film f ON s.film_id = f.id
LEFT JOIN programme p ON s.programme_id = p.id
LEFT JOIN venue v ON s.venue_id = v.id
LEFT JOIN edition e ON s.edition_id = e.id
LEFT JOIN festival fe ON e.festival_id = fe.id
LEFT JOIN selection se ON se.film_id = s.film_id AND se.edition_id = s.edition_id
WHERE s.visibility = 'public' AND """
ORDER = (
    " ORDER BY s.local_date, s.starts_at_utc NULLS LAST, coalesce(f.title_key, p.title_key), s.id"
)
BY_EDITION = """s.edition_id = (SELECT e2.id FROM edition e2
 JOIN festival f2 ON f2.id = e2.festival_id
 WHERE f2.name_key = ? AND e2.year = ? AND e2.label IS NULL)"""
DIRECTOR = "(SELECT id FROM person WHERE name_key = ?)"
BY_DIRECTOR = f"""(s.film_id IN (SELECT c.film_id FROM credit c
  WHERE c.person_id = {DIRECTOR} AND c.role = 'director')
 OR s.programme_id IN (SELECT pf.programme_id FROM programme_film pf
  JOIN credit c ON c.film_id = pf.film_id
  WHERE c.person_id = {DIRECTOR} AND c.role = 'director'))"""
# PostgreSQL turns ``x IN (SELECT ...) OR y IN (SELECT ...)`` into a filter over every
# row; over arrays, it ORs two index scans.
BY_DIRECTOR_PG = f"""(s.film_id = ANY(ARRAY(SELECT c.film_id FROM credit c
  WHERE c.person_id = {DIRECTOR} AND c.role = 'director'))
 OR s.programme_id = ANY(ARRAY(SELECT pf.programme_id FROM programme_film pf
  JOIN credit c ON c.film_id = pf.film_id
  WHERE c.person_id = {DIRECTOR} AND c.role = 'director')))"""
BY_CITY = "s.local_date BETWEEN ? AND ? AND coalesce(s.city, v.city, fe.city) = ?"
# The same, through a stored derived city key with an index (the experiment).
BY_CITY_KEY = """s.id IN (SELECT k.screening_id FROM scale_city_key k
 WHERE k.city_key = ? AND k.local_date BETWEEN ? AND ?)"""
PROGRAMME_FILMS = """SELECT pf.programme_id, f.id, f.title, f.year, pf.position
FROM programme_film pf JOIN film f ON pf.film_id = f.id
WHERE pf.programme_id IN ({}) ORDER BY pf.programme_id, pf.position"""


@dataclass(frozen=True)
class Listing:
    """One ``screenings list``: its filters, and the same written by hand."""

    label: str
    given: dict[str, Any]
    where: str
    parameters: tuple[Any, ...]


def listings(picks: Picks, city: str, today: dt.date) -> list[Listing]:
    from screenings.keys import name_key

    week = (today, today + dt.timedelta(days=7))
    return [
        Listing(
            f"list --festival {picks.festival!r} --year {picks.year}",
            {"festival": picks.festival, "year": picks.year},
            BY_EDITION,
            (name_key(picks.festival), picks.year),
        ),
        Listing(
            f"list --director {picks.director!r}",
            {"director": picks.director},
            BY_DIRECTOR,
            (name_key(picks.director),) * 2,
        ),
        Listing(
            f"list --from today --to +7d --city {city!r}",
            {"from": "today", "to": "+7d", "city": city},
            BY_CITY,
            (*week, city),
        ),
    ]


# --- Backends ---------------------------------------------------------------------------------


@dataclass
class Backend:
    """A catalogue to measure: its URL for the product, and plain DB-API access to it."""

    name: str
    url: str
    connect: Callable[[], Any]
    writable: Callable[[], Any]  # for the experiment's side table

    def sql(self, text: str) -> str:
        if self.name == "sqlite":
            return text
        return text.replace(BY_DIRECTOR, BY_DIRECTOR_PG).replace("?", "%s")

    def values(self, parameters: tuple[Any, ...]) -> tuple[Any, ...]:
        # sqlite3 compares the stored ISO text; psycopg sends dates as dates.
        if self.name == "sqlite":
            return tuple(p.isoformat() if isinstance(p, dt.date) else p for p in parameters)
        return parameters


def sqlite_backend(path: Path) -> Backend:
    return Backend(
        "sqlite",
        f"sqlite:///{path}",
        lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True),
        lambda: sqlite3.connect(path, isolation_level=None),
    )


def postgres_backend(base: str, database: str) -> Backend:
    import psycopg

    dsn = f"{plain_dsn(base)}/{database}"

    def connect() -> Any:
        return psycopg.connect(dsn, autocommit=True)

    return Backend("postgresql", f"{base}/{database}", connect, connect)


def plain_dsn(base: str) -> str:
    return base.replace("postgresql+psycopg://", "postgresql://")


def admin(base: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{plain_dsn(base)}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def database_exists(base: str, database: str) -> bool:
    import psycopg

    with psycopg.connect(f"{plain_dsn(base)}/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return found.fetchone() is not None


def fresh_database(base: str, database: str) -> str:
    """A new, empty PostgreSQL database ``database`` at head; its URL."""
    assert database.startswith(PREFIX), database
    admin(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(base, f'CREATE DATABASE "{database}"')
    url = f"{base}/{database}"
    subprocess.run([SCREENINGS_BIN, "--db", url, "db", "upgrade"], check=True, capture_output=True)
    return url


def drop_database(base: str, database: str) -> None:
    assert database.startswith(PREFIX), database
    admin(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# --- Building, once ---------------------------------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_sqlite(work: Path, sizes: Sizes, seed: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The SQLite catalogue of ``sizes``, made unless a previous run left it; its record
    (picks, counts, build time)."""
    path = work / f"scale-{sizes.screenings}-{seed}.sqlite3"
    meta_path = path.with_suffix(".json")
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        print(f"sqlite: {path} (kept from {meta['built_at']}; built in {meta['seconds']:.1f} s)")
        return path, meta
    for stale in work.glob(path.name + "*"):
        stale.unlink()
    meta_path.unlink(missing_ok=True)
    began = time.perf_counter()
    subprocess.run(
        [SCREENINGS_BIN, "--db", str(path), "db", "upgrade"], check=True, capture_output=True
    )
    schema = time.perf_counter() - began
    picks, counts = fill_sqlite(path, sizes, seed, say=lambda line: print(line, flush=True))
    seconds = time.perf_counter() - began
    meta = {
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": seconds,
        "schema_seconds": schema,
        "peak_mb": peak_mb(),
        "bytes": path.stat().st_size,
        "sizes": asdict(sizes),
        "picks": asdict(picks),
        "counts": counts,
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    print(
        f"sqlite: built {path} in {seconds:.1f} s (schema {schema:.1f} s), "
        f"{meta['bytes'] / 2**20:.0f} MB, peak memory {meta['peak_mb']:.0f} MB"
    )
    return path, meta


def build_postgres(
    base: str, sqlite_path: Path, meta: dict[str, Any], rebuild: bool
) -> tuple[str, dict[str, Any]]:
    """The PostgreSQL catalogue: the SQLite file's rows, COPYed into a database at head,
    then ANALYZEd (as autovacuum would after a bulk load); made unless kept."""
    database = f"{PREFIX}{meta['sizes']['screenings']}"
    kept = meta.get("postgresql")
    if (
        not rebuild
        and kept
        and kept["from"] == meta["built_at"]
        and database_exists(base, database)
    ):
        print(f"postgresql: {database} (kept; built in {kept['seconds']:.1f} s)")
        return database, meta
    began = time.perf_counter()
    fresh_database(base, database)
    schema = time.perf_counter() - began
    copy_catalogue(sqlite_path, f"{plain_dsn(base)}/{database}")
    copied = time.perf_counter() - began
    admin_db = postgres_backend(base, database).connect()
    try:
        admin_db.execute("ANALYZE")
    finally:
        admin_db.close()
    seconds = time.perf_counter() - began
    meta["postgresql"] = {
        "from": meta["built_at"],
        "seconds": seconds,
        "schema_seconds": schema,
        "copy_seconds": copied - schema,
        "analyze_seconds": seconds - copied,
    }
    sqlite_path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    print(
        f"postgresql: built {database} in {seconds:.1f} s (schema {schema:.1f} s, COPY "
        f"{copied - schema:.1f} s, ANALYZE {seconds - copied:.1f} s)"
    )
    return database, meta


def busiest_city(sqlite_path: Path, today: dt.date) -> tuple[str, int]:
    """The city (a screening's own, else its venue's, else its festival's) with the most
    public screenings from today to a week on, and how many."""
    db = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        city, count = db.execute(
            "SELECT coalesce(s.city, v.city, fe.city) AS c, count(*) FROM screening s"
            " LEFT JOIN venue v ON s.venue_id = v.id LEFT JOIN edition e ON s.edition_id = e.id"
            " LEFT JOIN festival fe ON e.festival_id = fe.id"
            " WHERE s.local_date BETWEEN ? AND ? AND s.visibility = 'public'"
            " GROUP BY c ORDER BY count(*) DESC, c LIMIT 1",
            (today.isoformat(), (today + dt.timedelta(days=7)).isoformat()),
        ).fetchone()
        return str(city), int(count)
    finally:
        db.close()


# --- The listings -----------------------------------------------------------------------------


def product(engine: Any, given: dict[str, Any]) -> list[int]:
    """What ``screenings list`` does before it renders: the query from the filters, run in
    a reading unit of work; the screenings' ids, in order."""
    from screenings.db import unit_of_work

    with unit_of_work(engine, write=False) as session:
        return [screening.id for screening in query_of(given).run(session).screenings]


def query_of(given: dict[str, Any]) -> Any:
    """The ``ScreeningQuery`` of ``screenings list`` with the options ``given``."""
    from screenings.filters import FILTERS
    from screenings.query import from_filters

    filters = {f.name: (False if f.type is bool else None) for f in FILTERS} | given
    return from_filters(
        filters,
        today=dt.date.today(),
        now=dt.datetime.now(dt.UTC),
        dayfirst=None,
        default_length_minutes=DEFAULT_LENGTH,
        sort="start",
    )


def breakdown(engine: Any, given: dict[str, Any]) -> dict[str, float]:
    """Where the product's time goes, in ms: names looked up and the SELECT built; it
    executed and fetched through SQLAlchemy (types converted); the programmes' films;
    the views made (``ScreeningQuery._view``, as ``run`` makes them)."""
    from screenings.db import unit_of_work
    from screenings.query import programme_films

    with unit_of_work(engine, write=False) as session:
        began = time.perf_counter()
        query = query_of(given)
        statement, _ = query.views(session)
        built = time.perf_counter()
        rows = session.execute(statement).all()
        fetched = time.perf_counter()
        shown = programme_films(session, {row.programme_id for row in rows} - {None})
        films = time.perf_counter()
        [query._view(row, shown) for row in rows]
        viewed = time.perf_counter()
    return {
        "lookups + SELECT built": (built - began) * 1000,
        "executed + fetched": (fetched - built) * 1000,
        "programme films": (films - fetched) * 1000,
        "views": (viewed - films) * 1000,
    }


def plain(backend: Backend, connection: Any, where: str, parameters: tuple[Any, ...]) -> list[int]:
    """The hand-written query, fetched, with its programmes' films; the ids, in order."""
    cursor = connection.cursor()
    cursor.execute(
        backend.sql(SELECT + where + ORDER), backend.values((DEFAULT_LENGTH, *parameters))
    )
    rows = cursor.fetchall()
    programmes = sorted({row[5] for row in rows if row[5] is not None})
    if programmes:
        marks = ", ".join("?" for _ in programmes)
        cursor.execute(backend.sql(PROGRAMME_FILMS.format(marks)), programmes)
        cursor.fetchall()
    return [row[0] for row in rows]


def best(function: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times)


def captured(engine: Any, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements ``run`` sends through ``engine``, with their parameters, as sent."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return sent


def explain(backend: Backend, connection: Any, statement: str, parameters: Any) -> list[str]:
    cursor = connection.cursor()
    if backend.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return [row[3] for row in cursor.fetchall()]
    cursor.execute("EXPLAIN " + statement, parameters)
    return [row[0] for row in cursor.fetchall()]


def verdict(plan: list[str]) -> str:
    """How a plan reads ``screening`` (named so, or ``s``): through an index, by a full
    scan (SQLite's SCAN, of the table or of a whole index; PostgreSQL's Seq Scan, or an
    Index Scan with no Index Cond: the whole index, in its order), or not at all."""
    text = "\n".join(plan)
    if re.search(r"^\s*SCAN (screening|s)\b|Seq Scan on screening\b", text, re.MULTILINE):
        return "FULL SCAN of screening"
    for at, line in enumerate(plan):
        if re.search(r"Index (Only )?Scan (Backward )?using \S+ on screening\b", line):
            node = [line]
            for later in plan[at + 1 :]:
                if "->" in later:
                    break
                node.append(later)
            if not any("Index Cond" in part for part in node):
                return "FULL SCAN of screening"
    if re.search(r"^\s*SEARCH (screening|s)\b|Scan.* on screening\b", text, re.MULTILINE):
        return "index on screening"
    return "no screening"


def timed(
    backend: Backend, engine: Any, connection: Any, listing: Listing, repeats: int
) -> tuple[float, float]:
    """The best of ``repeats`` seconds of the product and of the plain query, in turn."""
    ours = plainly = float("inf")
    for _ in range(repeats):
        ours = min(ours, best(lambda: product(engine, listing.given), 1))
        plainly = min(
            plainly, best(lambda: plain(backend, connection, listing.where, listing.parameters), 1)
        )
    return ours, plainly


def measure_listings(
    backend: Backend, listing_set: list[Listing], repeats: int, experiments: bool
) -> None:
    from screenings.migrate import Door, open_catalogue

    engine, _ = open_catalogue(backend.url, Door.READ)
    connection = backend.connect()
    try:
        for listing in listing_set:
            ours_ids = product(engine, listing.given)  # warm: engine, lookups, caches
            plain_ids = plain(backend, connection, listing.where, listing.parameters)
            same = "same screenings" if ours_ids == plain_ids else "DIFFERENT SCREENINGS"
            ours, plainly = timed(backend, engine, connection, listing, repeats)
            ratio = ours / plainly
            print(f"\n[{backend.name}] {listing.label}: {len(ours_ids)} rows ({same})")
            print(f"  product {ours * 1000:9.1f} ms   plain {plainly * 1000:9.1f} ms   "
                  f"ratio {ratio:6.2f} (target {LIST_TARGET}x): "
                  f"{'PASS' if ratio <= LIST_TARGET else 'MISS'}")  # fmt: skip
            parts = [breakdown(engine, listing.given) for _ in range(repeats)]
            print("  product, best of each part: " + ", ".join(
                f"{name} {min(p[name] for p in parts):.1f} ms" for name in parts[0]
            ))  # fmt: skip
            show_statements(backend, engine, connection, listing)
            plan = explain(
                backend,
                connection,
                backend.sql(SELECT + listing.where + ORDER),
                backend.values((DEFAULT_LENGTH, *listing.parameters)),
            )
            print(f"  plain's plan: {verdict(plan)}")
        if experiments:
            derived_city(backend, listing_set[-1], repeats)
    finally:
        connection.close()
        engine.dispose()


def show_statements(backend: Backend, engine: Any, connection: Any, listing: Listing) -> None:
    """Each SELECT the product sent for ``listing``: alone, timed; its plan."""
    sent = captured(engine, lambda: product(engine, listing.given))
    selects = [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT")]
    print(f"  the product sent {len(sent)} statements, {len(selects)} SELECTs:")
    raw = engine.raw_connection()
    try:
        for number, (statement, parameters) in enumerate(selects, start=1):
            plan = explain(backend, raw, statement, parameters)

            def again(statement: str = statement, parameters: Any = parameters) -> None:
                cursor = raw.cursor()
                cursor.execute(statement, parameters)
                cursor.fetchall()

            alone = best(again, 3)
            head = " ".join(statement.split())[:90]
            print(f"  {number}. {alone * 1000:8.1f} ms  {verdict(plan):24}  {head}")
            if "screening" in statement:
                for line in plan:
                    print(f"       | {line}")
        raw.rollback()
    finally:
        raw.close()


def derived_city(backend: Backend, listing: Listing, repeats: int) -> None:
    """The city listing through a stored key of each screening's city (as a derived
    column would be), with an index on (key, date, id): made, timed, dropped."""
    first, last, city = listing.parameters
    connection = backend.writable()
    cursor = connection.cursor()
    began = time.perf_counter()
    cursor.execute("DROP TABLE IF EXISTS scale_city_key")
    cursor.execute(
        "CREATE TABLE scale_city_key (screening_id INTEGER PRIMARY KEY, city_key TEXT,"
        " local_date DATE NOT NULL)"
    )
    cursor.execute(
        "INSERT INTO scale_city_key SELECT s.id, lower(coalesce(s.city, v.city, fe.city)),"
        " s.local_date FROM screening s LEFT JOIN venue v ON s.venue_id = v.id"
        " LEFT JOIN edition e ON s.edition_id = e.id"
        " LEFT JOIN festival fe ON e.festival_id = fe.id"
    )
    cursor.execute(
        "CREATE INDEX ix_scale_city_key ON scale_city_key (city_key, local_date, screening_id)"
    )
    if backend.name == "postgresql":
        cursor.execute("ANALYZE scale_city_key")
    made = time.perf_counter() - began
    try:
        parameters = (city.lower(), first, last)
        ids = plain(backend, connection, BY_CITY_KEY, parameters)
        expected = plain(backend, connection, listing.where, listing.parameters)
        keyed = best(lambda: plain(backend, connection, BY_CITY_KEY, parameters), repeats)
        coalesced = best(
            lambda: plain(backend, connection, listing.where, listing.parameters), repeats
        )
        plan = explain(
            backend,
            connection,
            backend.sql(SELECT + BY_CITY_KEY + ORDER),
            backend.values((DEFAULT_LENGTH, *parameters)),
        )
        print(f"\n[{backend.name}] experiment: --city through a stored city key + index "
              f"(side table made in {made:.1f} s, dropped after)")  # fmt: skip
        print(f"  plain, coalesce(s.city, v.city, fe.city) = ?: {coalesced * 1000:8.1f} ms")
        print(f"  plain, stored key, index (key, date):         {keyed * 1000:8.1f} ms "
              f"({len(ids)} rows, {'same' if ids == expected else 'DIFFERENT'})")  # fmt: skip
        for line in plan:
            print(f"       | {line}")
    finally:
        cursor.execute("DROP TABLE scale_city_key")
    connection.close()


# --- The cached feed --------------------------------------------------------------------------


def sequential(url: str, requests: int) -> float:
    """Requests per second of ``requests`` GETs of ``url`` on one kept-alive connection."""
    host, _, path = url.removeprefix("http://").partition("/")
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port))
    began = time.perf_counter()
    for _ in range(requests):
        connection.request("GET", "/" + path)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200, answer.status
    took = time.perf_counter() - began
    connection.close()
    return requests / took


def measure_feed(backend: Backend, slug: str, duration: int) -> None:
    print(f"\n[{backend.name}] a cached feed request: /feeds/editions/{slug}.ics")
    if not Path(NGINX).exists():
        print(f"  SKIP: nginx is missing ({NGINX}): apt-get install -y nginx-light")
        return
    load = shutil.which("wrk")
    port = free_port()
    server = subprocess.Popen(
        [SCREENINGS_BIN, "--db", backend.url, "serve", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        work.chmod(0o755)  # nginx's workers run as another user when started as root
        (work / "static").mkdir()
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz")
            feed = f"http://127.0.0.1:{port}/feeds/editions/{slug}.ics"
            began = time.perf_counter()
            with urllib.request.urlopen(feed) as answer:  # renders it, and caches it
                body = answer.read()
            first = time.perf_counter() - began
            (work / "static" / "feed.ics").write_bytes(body)
            nginx_port = free_port()
            conf = work / "nginx.conf"
            conf.write_text(
                "worker_processes auto; daemon off; pid nginx.pid; error_log stderr;\n"
                "events { worker_connections 1024; }\n"
                "http { access_log off; sendfile on; keepalive_requests 100000;\n"
                f"  server {{ listen 127.0.0.1:{nginx_port}; root {work / 'static'}; }} }}\n"
            )
            nginx = subprocess.Popen(
                [NGINX, "-p", str(work), "-c", str(conf)], stderr=subprocess.DEVNULL
            )
            static = f"http://127.0.0.1:{nginx_port}/feed.ics"
            try:
                wait_for(static)
                ceiling = wrk(static, duration)["rps"] if load else sequential(static, 3000)
            finally:
                nginx.terminate()
                nginx.wait(10)
            if load:
                result = wrk(feed, duration)
                ours, errors = result["rps"], result["errors"]
            else:
                ours, errors = sequential(feed, 3000), 0
        finally:
            server.terminate()
            server.wait(30)
    how = "wrk, 64 connections" if load else "one kept-alive connection, no wrk"
    print(f"  {len(body) / 1024:.0f} KB; first request (rendered) {first * 1000:.0f} ms; "
          f"{how}, {duration} s each")  # fmt: skip
    ratio = ours / ceiling
    print(f"  nginx {ceiling:9.0f} req/s   screenings serve {ours:9.0f} req/s ({errors:.0f} "
          f"errors)   ratio {ratio:.2f} (target {FEED_TARGET}): "
          f"{'PASS' if ratio >= FEED_TARGET else 'MISS'}")  # fmt: skip


# --- db copy ----------------------------------------------------------------------------------


def measure_copy(base: str, sqlite_path: Path) -> None:
    print(f"\n[copy] screenings db copy {sqlite_path.name} -> PostgreSQL")
    helped = subprocess.run(
        [SCREENINGS_BIN, "db", "copy", "--help"], capture_output=True, text=True, check=False
    )
    if helped.returncode != 0:
        print("  SKIP: 'screenings db copy' is missing (its --help exits "
              f"{helped.returncode}); the floor is not measured either")  # fmt: skip
        return
    ours_db, floor_db = f"{PREFIX}copy_ours", f"{PREFIX}copy_floor"
    try:
        target = fresh_database(base, ours_db)
        began = time.perf_counter()
        process = subprocess.Popen(
            [SCREENINGS_BIN, "db", "copy", f"sqlite:///{sqlite_path}", target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        ours = time.perf_counter() - began
        out = (process.stdout.read() if process.stdout else b"").decode()
        err = (process.stderr.read() if process.stderr else b"").decode()
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"  FAILED (exit {os.waitstatus_to_exitcode(status)}): {err.strip()[-500:]}")
            return
        fresh_database(base, floor_db)
        began = time.perf_counter()
        copied = copy_catalogue(sqlite_path, f"{plain_dsn(base)}/{floor_db}")
        floor = time.perf_counter() - began
        differ = [table for table, count in copied.items() if count != _count(base, ours_db, table)]
        same = "the same counts in both" if not differ else "COUNTS DIFFER: " + ", ".join(differ)
        print(f"  {sum(copied.values()):,} rows in {len(copied)} tables; {same}")
        if out.strip():
            print("  it said: " + out.strip().splitlines()[-1][:200])
        ratio = ours / floor
        print(f"  db copy {ours:8.1f} s (peak {usage.ru_maxrss / 1024:.0f} MB)   plain COPY "
              f"{floor:8.1f} s   ratio {ratio:.2f} (target {COPY_TARGET}x): "
              f"{'PASS' if ratio <= COPY_TARGET else 'MISS'}")  # fmt: skip
    finally:
        drop_database(base, ours_db)
        drop_database(base, floor_db)


def _count(base: str, database: str, table: str) -> int:
    connection = postgres_backend(base, database).connect()
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    screenings = int(option("--screenings", "1000000"))
    sizes = Sizes.for_screenings(screenings)
    backends = option("--backend", "both")
    if backends not in {"sqlite", "postgresql", "both"}:
        raise SystemExit(f"--backend: expected sqlite, postgresql or both, got {backends!r}")
    repeats = int(option("--repeats", "5"))
    seed = int(option("--seed", "2026"))
    duration = int(option("--duration", "10"))
    base = option("--postgres", "postgresql+psycopg://postgres@127.0.0.1:5432").rstrip("/")
    only = set(option("--only", "queries,feed,copy").split(","))
    work = Path(option("--work", str(Path(tempfile.gettempdir()) / "scale_bench")))
    work.mkdir(parents=True, exist_ok=True)
    rebuild = "--rebuild" in sys.argv
    experiments = "--no-experiments" not in sys.argv
    print(f"catalogue: {sizes.screenings:,} screenings, {sizes.films:,} films, "
          f"{sizes.venues:,} venues in {sizes.cities} cities, {sizes.festivals} festivals x 5 "
          f"yearly editions; seed {seed}")  # fmt: skip
    sqlite_path, meta = build_sqlite(work, sizes, seed, rebuild)
    chosen: list[Backend] = []
    if backends in {"sqlite", "both"}:
        chosen.append(sqlite_backend(sqlite_path))
    if backends in {"postgresql", "both"}:
        database, meta = build_postgres(base, sqlite_path, meta, rebuild)
        chosen.append(postgres_backend(base, database))
    print("rows: " + ", ".join(f"{table} {n:,}" for table, n in meta["counts"].items()))
    picks = Picks(**meta["picks"])
    today = dt.date.today()
    city, in_city = busiest_city(sqlite_path, today)
    print(f"picked: {picks.festival} {picks.year} ({picks.edition_screenings} public "
          f"screenings), director {picks.director} ({picks.director_screenings}), "
          f"city {city} ({in_city} from {today} to a week on)")  # fmt: skip
    for backend in chosen:
        if "queries" in only:
            measure_listings(backend, listings(picks, city, today), repeats, experiments)
        if "feed" in only:
            measure_feed(backend, picks.edition_slug, duration)
    if "copy" in only and backends in {"postgresql", "both"}:
        measure_copy(base, sqlite_path)
    print(f"\npeak memory of this process: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
