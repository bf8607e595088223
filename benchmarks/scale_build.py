"""The synthetic catalogue of ``benchmarks/scale.py``, seeded, written straight into the
real tables of a catalogue made by ``screenings db upgrade``.

Its shape, for N screenings (1,000,000 by default): N x 0.3 films, N x 0.005 venues in
about N x 0.0003 cities (300 at 1,000,000; a few big cities hold many venues, most
a handful), each city in a real zone; N / 2,500 festivals with a yearly edition in each
of five years (three past, this one, the next), so that an edition holds about 500
screenings (400 to 600): 95% of the screenings are festivals', the rest a cinema's
regular screenings (no edition) on any day of those years. An edition runs ten days or
more at as few of its city's venues as hold it, six starts a day, 150 minutes apart:
no venue shows two at once. Each of its films is selected (a ``selection`` row) and
shown about twice, on different days; 1% of its screenings are one programme of five
short films. Films are chosen by a skewed popularity, so a few are shown at dozens of
editions. Every film has one director (each directs 5 to 20 films) and two of a pool of
N / 10 actors. 1% of the screenings are private, 3% cancelled or tentative.

SQLite: the rows go in with ``sqlite3.executemany`` in one transaction, values written
as SQLAlchemy writes them there (dates ``YYYY-MM-DD``, times ``HH:MM:SS.ffffff``,
instants as the UTC wall clock). PostgreSQL: ``copy_catalogue`` copies every table of
such a SQLite file with COPY, in one transaction (also the floor of ``db copy``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from screenings.keys import name_key, slugify

DOMAIN = "screenings.localhost"  # the default feed domain, as new_uid() is given it
YEARS_BEFORE, YEARS_AFTER = 3, 1
STARTS = ("10:00", "12:30", "15:00", "17:30", "20:00", "22:30")  # 150 minutes apart
REGULAR_STARTS = ("13:05", "16:05", "19:05", "21:05")  # never a festival's start
EDITION_SIZE = 500
FESTIVAL_SHARE = 0.95
ZONES = (
    ("Europe/London", "United Kingdom"), ("Europe/Paris", "France"),
    ("Europe/Berlin", "Germany"), ("Europe/Madrid", "Spain"), ("Europe/Rome", "Italy"),
    ("Europe/Helsinki", "Finland"), ("Europe/Stockholm", "Sweden"),
    ("Europe/Warsaw", "Poland"), ("Europe/Athens", "Greece"), ("Europe/Lisbon", "Portugal"),
    ("America/New_York", "United States"), ("America/Chicago", "United States"),
    ("America/Los_Angeles", "United States"), ("America/Toronto", "Canada"),
    ("America/Sao_Paulo", "Brazil"), ("America/Mexico_City", "Mexico"),
    ("Asia/Tokyo", "Japan"), ("Asia/Seoul", "South Korea"), ("Asia/Kolkata", "India"),
    ("Australia/Sydney", "Australia"), ("Africa/Johannesburg", "South Africa"),
)  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    """The words of ``text``, each once: names made of them are unique."""
    return tuple(dict.fromkeys(text.split()))


SYLLABLES = _words(
    "va ro ma li ne ta ko sa be ri lo mu ka de no vi sto berg ha ven dor fel mar ga tu el an os"
)
WORDS = _words(
    "night river house light winter children border city silence road archive summer"
    " mother father island garden letter mirror forest shadow harbour station window"
    " stranger promise journey season memory ocean desert mountain village kingdom"
    " secret storm fire water stone glass bird wolf horse dream song dance voice"
    " heart blood salt iron gold silver paper time morning evening autumn spring"
    " return departure arrival crossing bridge tower wall street market school"
    " hospital factory theatre cinema portrait landscape chronicle testament"
    " promise echo ghost angel saint sinner thief soldier sailor hunter farmer"
    " painter dancer singer king queen prince sister brother daughter son friend"
    " enemy lover widow orphan"
)
FIRST = _words(
    "Anna Maria Eva Laura Sofia Elena Julia Clara Ines Nora Mira Lena Ada Alma Iris"
    " Vera Rosa Marta Hanna Ida Jonas Lukas Mateo Pablo Marco Hugo Felix Oskar Emil"
    " Karl Jan Piotr Andrei Tomas Mikko Lars Nils Erik Aki Kenji Hiro Min Ravi Arjun"
    " Omar Samir Diego Luis Jorge Tiago Noah Liam Ethan Owen Ruth Grace Agnes Ilse"
)
LAST = _words(
    "Virtanen Lindqvist Nowak Kowalski Rossi Bianchi Garcia Lopez Martin Bernard"
    " Dubois Muller Schmidt Fischer Weber Wagner Becker Hoffmann Novak Horvat Popescu"
    " Ionescu Papadopoulos Silva Santos Costa Pereira Tanaka Suzuki Sato Kim Lee Park"
    " Sharma Patel Singh Khan Ali Hassan Cohen Levi Jensen Hansen Nielsen Larsen"
    " Berg Dahl Holm Strand Lund Nyberg Koskinen Makinen Laine Heikkinen Smith Jones"
    " Taylor Brown Wilson Evans Thomas Roberts Walker Wright Hughes Green Hall Wood"
    " Clarke Turner Hill Moore Ward King Baker Carter"
)
SECTIONS = ("Competition", "Panorama", "Documentaries", "Retrospective", "Midnight")
VENUE_FORMS = ("{} Cinema", "Kino {}", "{} Hall", "Studio {}", "The {} Screen")


@dataclass(frozen=True)
class Sizes:
    """How big a catalogue to build; ``for_screenings`` scales the rest with N."""

    screenings: int
    films: int
    venues: int
    festivals: int
    cities: int

    @classmethod
    def for_screenings(cls, n: int) -> Sizes:
        return cls(
            screenings=n,
            films=max(50, round(n * 0.3)),
            venues=max(20, round(n * 0.005)),
            festivals=max(2, round(n * FESTIVAL_SHARE / EDITION_SIZE / _years())),
            cities=max(5, round(n * 0.0003)),
        )


def _years() -> int:
    return YEARS_BEFORE + 1 + YEARS_AFTER


def _stamp(at: dt.datetime) -> str:
    """An instant as SQLAlchemy's SQLite DATETIME keeps it (the UTC wall clock)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class Picks:
    """The records the queries of ``scale.py`` name, chosen once the catalogue is built."""

    festival: str
    year: int
    edition_slug: str
    edition_screenings: int
    director: str
    director_screenings: int


class Catalogue:
    """The rows of every table, made from ``seed``; each table's rows are generated
    once, in the order of its ids (the ids are the row numbers, from 1)."""

    def __init__(self, sizes: Sizes, seed: int, today: dt.date) -> None:
        self.sizes, self.rng, self.today = sizes, random.Random(seed), today
        self.stamp = _stamp(dt.datetime.now(dt.UTC))
        self.first_year = today.year - YEARS_BEFORE
        self.years = range(self.first_year, today.year + YEARS_AFTER + 1)
        self._cities()
        self._venues()
        self._festivals()
        self._films()

    # --- places ------------------------------------------------------------------------------

    def _cities(self) -> None:
        rng, n = self.rng, self.sizes.cities
        names = [
            "".join(parts).title()
            for parts in itertools.product(SYLLABLES, SYLLABLES, ["", *SYLLABLES])
        ]
        self.city_names = rng.sample(names, n)
        self.city_zone = [rng.choice(ZONES) for _ in range(n)]
        # Venues by city: a few big cities, many small ones (at least 3 each).
        weights = [1 / (rank + 1) ** 0.9 for rank in range(n)]
        spare = self.sizes.venues - 3 * n
        total = sum(weights)
        counts = [3 + int(spare * w / total) for w in weights]
        counts[0] += self.sizes.venues - sum(counts)
        self.city_venue_count = counts

    def _venues(self) -> None:
        rng = self.rng
        self.venue_rows: list[tuple[Any, ...]] = []
        self.city_venues: list[list[int]] = []
        for city, count in enumerate(self.city_venue_count):
            name_city = self.city_names[city]
            zone, country = self.city_zone[city]
            words = rng.sample(WORDS, min(count, len(WORDS)))
            ids = []
            for number in range(count):
                word = words[number % len(words)].title()
                name = VENUE_FORMS[number % len(VENUE_FORMS)].format(word)
                if number >= len(words):
                    name += f" {number // len(words) + 1}"
                venue_id = len(self.venue_rows) + 1
                ids.append(venue_id)
                self.venue_rows.append((
                    venue_id, name, name_key(name), slugify(f"{name} {name_city}"),
                    f"{rng.randint(1, 200)} {rng.choice(WORDS).title()} Street", name_city,
                    country, zone, round(rng.uniform(-60, 60), 5), round(rng.uniform(-170, 170), 5),
                    self.stamp, self.stamp,
                ))  # fmt: skip
            self.city_venues.append(ids)

    def _festivals(self) -> None:
        """Festivals in the cities whose venues can hold an edition, a city's spread over
        the year so that they never overlap."""
        rng, n = self.rng, self.sizes.festivals
        per_day = len(STARTS)
        needed = math.ceil(EDITION_SIZE * 1.2 / 10 / per_day)
        able = [c for c, ids in enumerate(self.city_venues) if len(ids) >= needed] or [0]
        cities = [able[i % len(able)] if i < len(able) else rng.choice(able) for i in range(n)]
        by_city: dict[int, list[int]] = {}
        for festival, city in enumerate(cities):
            by_city.setdefault(city, []).append(festival)
        self.festival_city = cities
        self.festival_day = [0] * n  # the day of the year its editions open
        names = [""] * n
        today = self.today.timetuple().tm_yday
        for city, festivals in by_city.items():
            offset = rng.randrange(340)
            if city == cities[0]:  # the first festival runs this week: --from today finds it
                offset = min(max(today - 3, 0), 339)
            words = rng.sample(WORDS, min(len(festivals), len(WORDS)))
            for rank, festival in enumerate(festivals):
                self.festival_day[festival] = (offset + rank * 340 // len(festivals)) % 340
                word = words[rank % len(words)].title()
                suffix = f" {rank // len(words) + 1}" if rank >= len(words) else ""
                names[festival] = f"{self.city_names[city]} {word} Film Festival{suffix}"
        self.festival_rows: list[tuple[Any, ...]] = []
        for festival, name in enumerate(names):
            city = cities[festival]
            zone, country = self.city_zone[city]
            self.festival_rows.append((
                festival + 1, name, name_key(name), slugify(name), self.city_names[city],
                country, f"https://{slugify(name)}.example.org", zone, self.stamp, self.stamp,
            ))  # fmt: skip
        # Edition sizes: about EDITION_SIZE each, for FESTIVAL_SHARE of the screenings.
        editions = n * _years()
        weights = [rng.uniform(0.8, 1.2) for _ in range(editions)]
        total = sum(weights)
        budget = round(self.sizes.screenings * FESTIVAL_SHARE)
        self.edition_sizes = [max(10, round(budget * w / total)) for w in weights]

    def _films(self) -> None:
        rng, n = self.rng, self.sizes.films
        combos = rng.sample(range(len(WORDS) ** 3), n)
        self.film_title = []
        for combo in combos:
            a, rest = divmod(combo, len(WORDS) ** 2)
            b, c = divmod(rest, len(WORDS))
            self.film_title.append(f"{WORDS[a].title()} {WORDS[b]} {WORDS[c]}")
        self.film_year = [
            max(1930, min(self.today.year, 2025 - int(rng.expovariate(1 / 12)))) for _ in range(n)
        ]
        self.short = [i % 33 == 0 for i in range(n)]  # shorts: the programmes' films
        self.film_runtime = [
            rng.randint(8, 25) if self.short[i] else rng.randint(60, 140) for i in range(n)
        ]
        features = [i for i in range(n) if not self.short[i]]
        rng.shuffle(features)
        self.features = features
        # A skewed popularity: the first of the shuffled features are chosen most.
        self.feature_cum = list(
            itertools.accumulate(1 / (rank + 50) ** 0.8 for rank in range(len(features)))
        )
        self.shorts = [i for i in range(n) if self.short[i]]

    def popular_films(self, count: int) -> list[int]:
        """``count`` distinct films (0-based), by popularity."""
        chosen: dict[int, None] = {}
        top = self.feature_cum[-1]
        while len(chosen) < min(count, len(self.features)):
            at = bisect.bisect(self.feature_cum, self.rng.random() * top)
            chosen[self.features[min(at, len(self.features) - 1)]] = None
        return list(chosen)

    # --- tables ------------------------------------------------------------------------------

    def films(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        for i, title in enumerate(self.film_title):
            year = self.film_year[i]
            slug = slugify(f"{title} {year}")
            country = rng.choice(ZONES)[1]
            yield (
                i + 1, title, name_key(title), slug, None, year, self.film_runtime[i],
                f'["{country}"]', '["en"]' if rng.random() < 0.5 else "[]",
                None, None, f"tt{10_000_000 + i}" if rng.random() < 0.6 else None,
                self.stamp, self.stamp,
            )  # fmt: skip

    def people_and_credits(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
        """Every person and every credit; and each director's name, by film (0-based)."""
        rng, n = self.rng, self.sizes.films
        order = list(range(n))
        rng.shuffle(order)
        director_of = [0] * n
        directors = 0
        at = 0
        while at < n:
            take = rng.randint(5, 20)
            for film in order[at : at + take]:
                director_of[film] = directors
            directors += 1
            at += take
        actors = max(10, n // 3)
        space = len(FIRST) * 27 * len(LAST) * (len(LAST) + 1)
        names = []
        for code in rng.sample(range(space), directors + actors):
            rest, second = divmod(code, len(LAST) + 1)
            rest, last = divmod(rest, len(LAST))
            first, initial = divmod(rest, 27)
            name = FIRST[first]
            if initial:
                name += f" {chr(64 + initial)}."
            name += f" {LAST[last]}" + (f"-{LAST[second - 1]}" if second else "")
            names.append(name)
        people = [
            (i + 1, name, name_key(name), slugify(name), self.stamp, self.stamp)
            for i, name in enumerate(names)
        ]
        credits = []
        for film in range(n):
            credits.append((film + 1, director_of[film] + 1, "director", 0))
            for position, actor in enumerate(rng.sample(range(actors), 2), start=1):
                credits.append((film + 1, directors + actor + 1, "cast", position))
        rows = [(i + 1, *c, self.stamp, self.stamp) for i, c in enumerate(credits)]
        return people, rows, [names[director_of[film]] for film in range(n)]

    def schedule(
        self,
    ) -> tuple[list[tuple[Any, ...]], Iterator[tuple[Any, ...]], Callable[[], dict[str, Any]]]:
        """The editions' rows; the screenings (a generator that also fills the
        selections, programmes and their films, which the callable returns once the
        screenings are consumed)."""
        editions: list[tuple[Any, ...]] = []
        for festival in range(self.sizes.festivals):
            slug = self.festival_rows[festival][3]
            for y, year in enumerate(self.years):
                size = self.edition_sizes[festival * _years() + y]
                venues = self._edition_venues(festival, size)
                days = math.ceil(size / (len(STARTS) * len(venues)))
                opens = dt.date(year, 1, 1) + dt.timedelta(days=self.festival_day[festival])
                closes = opens + dt.timedelta(days=days - 1)
                editions.append((
                    len(editions) + 1, festival + 1, year, None, f"{slug}-{year}",
                    opens.isoformat(), closes.isoformat(), None, self.stamp, self.stamp,
                ))  # fmt: skip
        extra: dict[str, Any] = {"selection": [], "programme": [], "programme_film": []}
        return editions, self._screenings(editions, extra), lambda: extra

    def _edition_venues(self, festival: int, size: int) -> list[int]:
        own = self.city_venues[self.festival_city[festival]]
        return own[: max(1, min(len(own), math.ceil(size / 10 / len(STARTS))))]

    def _screenings(
        self, editions: list[tuple[Any, ...]], extra: dict[str, Any]
    ) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        zones = {zone: ZoneInfo(zone) for zone, _ in ZONES}
        venue_zone = {row[0]: row[7] for row in self.venue_rows}
        millis = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
        number = 0

        def row(
            film: int | None,
            programme: int | None,
            venue: int,
            edition: int | None,
            day: dt.date,
            start: str,
            external: str | None,
            ticket: str | None,
        ) -> tuple[Any, ...]:
            nonlocal number
            number += 1
            noise = rng.getrandbits(80)
            value = (millis + number // 4) << 80 | noise
            value = (value & ~(0xF << 76)) | (0x7 << 76)
            value = (value & ~(0x3 << 62)) | (0x2 << 62)
            h = f"{value:032x}"
            uid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}@{DOMAIN}"
            zone = venue_zone[venue]
            hour, minute = int(start[:2]), int(start[3:])
            local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zones[zone])
            luck = rng.random()
            status = "cancelled" if luck < 0.02 else "tentative" if luck < 0.03 else "scheduled"
            kind = "regular" if rng.random() < 0.92 else rng.choice(("special", "gala", "press"))
            return (
                number, uid, external, film, programme, venue, edition, None,
                day.isoformat(), f"{start}:00.000000", zone, _stamp(local), None, kind, status,
                "private" if rng.random() < 0.01 else "public", None, ticket,
                "Q&A with the director" if rng.random() < 0.05 else None, 0,
                self.stamp, self.stamp,
            )  # fmt: skip

        for edition in editions:
            edition_id, festival_id, year, _, slug, opens = edition[:6]
            festival = festival_id - 1
            size = self.edition_sizes[edition_id - 1]
            venues = self._edition_venues(festival, size)
            first_day = dt.date.fromisoformat(opens)
            programme_id = len(extra["programme"]) + 1
            title = f"Shorts {year}"
            extra["programme"].append((
                programme_id, festival_id, edition_id, title, name_key(title),
                f"{slug}-shorts", "Shorts", None, self.stamp, self.stamp,
            ))  # fmt: skip
            for position, short in enumerate(rng.sample(self.shorts, 5), start=1):
                extra["programme_film"].append((
                    len(extra["programme_film"]) + 1, programme_id, short + 1, position, None,
                    self.stamp, self.stamp,
                ))  # fmt: skip
            shows = [k for k in range(size) if k % 100 != 50]
            films = self.popular_films(math.ceil(len(shows) / 2))
            sections = rng.sample(SECTIONS, 3)
            for film in films:
                extra["selection"].append((
                    len(extra["selection"]) + 1, film + 1, edition_id, rng.choice(sections),
                    "World premiere" if rng.random() < 0.1 else None,
                    "competition" if rng.random() < 0.2 else "selected", None,
                    self.stamp, self.stamp,
                ))  # fmt: skip
            per_day = len(STARTS) * len(venues)
            shown = 0
            for k in range(size):
                day = first_day + dt.timedelta(days=k // per_day)
                within = k % per_day
                start = STARTS[within // len(venues)]
                venue = venues[within % len(venues)]
                ticket = f"https://tickets.example.org/{slug}/{k + 1}" if k % 2 else None
                if k % 100 == 50:
                    yield row(
                        None, programme_id, venue, edition_id, day, start, f"S{k + 1}", ticket
                    )
                    continue
                film = films[shown % len(films)] + 1
                shown += 1
                yield row(film, None, venue, edition_id, day, start, f"S{k + 1}", ticket)
        # A cinema's regular screenings, on any day of the years covered.
        first = dt.date(self.years[0], 1, 1)
        span = (dt.date(self.years[-1], 12, 31) - first).days + 1
        taken: set[tuple[int, int, int, str]] = set()
        while number < self.sizes.screenings:
            film = self.popular_films(1)[0] + 1
            venue = rng.randint(1, len(self.venue_rows))
            day_number = rng.randrange(span)
            start = rng.choice(REGULAR_STARTS)
            if (film, venue, day_number, start) in taken:
                continue
            taken.add((film, venue, day_number, start))
            day = first + dt.timedelta(days=day_number)
            yield row(film, None, venue, None, day, start, None, None)


COLUMNS = {
    "venue": "id, name, name_key, slug, address, city, country, timezone, latitude, longitude,"
    " created_at, updated_at",
    "festival": "id, name, name_key, slug, city, country, website, timezone, created_at,"
    " updated_at",
    "edition": "id, festival_id, year, label, slug, starts_on, ends_on, day_starts_at,"
    " created_at, updated_at",
    "film": "id, title, title_key, slug, original_title, year, runtime_minutes, countries,"
    " languages, synopsis, website, imdb_id, created_at, updated_at",
    "person": "id, name, name_key, slug, created_at, updated_at",
    "credit": "id, film_id, person_id, role, position, created_at, updated_at",
    "programme": "id, festival_id, edition_id, title, title_key, slug, section, notes,"
    " created_at, updated_at",
    "programme_film": "id, programme_id, film_id, position, extra, created_at, updated_at",
    "selection": "id, film_id, edition_id, section, premiere, status, notes, created_at,"
    " updated_at",
    "screening": "id, uid, external_id, film_id, programme_id, venue_id, edition_id, city,"
    " local_date, local_time, timezone, starts_at_utc, duration_minutes, kind, status,"
    " visibility, audience, ticket_url, notes, sequence, created_at, updated_at",
}


def _insert(db: sqlite3.Connection, table: str, rows: Any) -> None:
    columns = COLUMNS[table]
    marks = ", ".join("?" for _ in columns.split(","))
    db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def fill_sqlite(
    path: Path, sizes: Sizes, seed: int, say: Callable[[str], None] = print
) -> tuple[Picks, dict[str, int]]:
    """Write the catalogue into the SQLite file ``path``, created at head and empty, in one
    transaction; the picks of ``scale.py``'s queries, and the rows of each table."""
    catalogue = Catalogue(sizes, seed, dt.date.today())
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA cache_size = -400000")  # 400 MB: the indexes are built in memory
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    _insert(db, "venue", catalogue.venue_rows)
    _insert(db, "festival", catalogue.festival_rows)
    say(f"  films ({sizes.films:,})")
    _insert(db, "film", catalogue.films())
    people, credits, directors = catalogue.people_and_credits()
    _insert(db, "person", people)
    _insert(db, "credit", credits)
    editions, screenings, extra = catalogue.schedule()
    _insert(db, "edition", editions)
    say(f"  screenings ({sizes.screenings:,})")
    _insert(db, "screening", screenings)
    for table in ("programme", "programme_film", "selection"):
        _insert(db, table, extra()[table])
    # Every writing transaction bumps the revision (db.unit_of_work): so does this one.
    db.execute(
        "UPDATE revision SET counter = counter + 1, updated_at = ? WHERE id = 1",
        (catalogue.stamp,),
    )
    db.execute("COMMIT")
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COLUMNS}
    picks = _picks(db, catalogue.today)
    db.close()
    del directors
    return picks, counts


def _picks(db: sqlite3.Connection, today: dt.date) -> Picks:
    """This year's edition whose public screenings are nearest 500 in number; the director
    whose public screenings (of their films, alone) are nearest 100."""
    festival, year, slug, size = db.execute(
        "SELECT f.name, e.year, e.slug, count(*) AS n FROM screening s"
        " JOIN edition e ON s.edition_id = e.id JOIN festival f ON e.festival_id = f.id"
        " WHERE e.year = ? AND s.visibility = 'public'"
        " GROUP BY e.id ORDER BY abs(count(*) - 500), e.id LIMIT 1",
        (today.year,),
    ).fetchone()
    director, shown = db.execute(
        "SELECT p.name, count(*) FROM credit c JOIN screening s ON s.film_id = c.film_id"
        " JOIN person p ON p.id = c.person_id"
        " WHERE c.role = 'director' AND s.visibility = 'public'"
        " GROUP BY p.id ORDER BY abs(count(*) - 100), p.id LIMIT 1"
    ).fetchone()
    return Picks(festival, year, slug, size, director, shown)


# --- PostgreSQL ------------------------------------------------------------------------------


def copy_order(sqlite_file: Path) -> list[str]:
    """The catalogue's tables of ``sqlite_file`` holding rows, parents before children
    (the order of the model's foreign keys); Alembic's own table left out."""
    from screenings.tables import metadata

    db = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    try:
        return [
            table.name
            for table in metadata.sorted_tables
            if db.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone()
        ]
    finally:
        db.close()


def copy_catalogue(sqlite_file: Path, dsn: str) -> dict[str, int]:
    """Every row of every catalogue table of ``sqlite_file`` into the PostgreSQL database
    ``dsn`` (created at head, empty: its revision row is replaced by the file's), with
    ``COPY ... FROM STDIN``, in one transaction; then each id sequence set past the
    largest id. Rows copied, by table. Instants are read as UTC (the session's zone)."""
    import psycopg

    source = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    copied: dict[str, int] = {}
    try:
        with psycopg.connect(dsn) as target, target.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("DELETE FROM revision")
            for table in copy_order(sqlite_file):
                read = source.execute(f"SELECT * FROM {table}")
                columns = ", ".join(d[0] for d in read.description)
                count = 0
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    while rows := read.fetchmany(10_000):
                        for values in rows:
                            copy.write_row(values)
                        count += len(rows)
                copied[table] = count
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM "
                    + table
                    + " HAVING max(id) IS NOT NULL",
                    (table,),
                )
    finally:
        source.close()
    return copied
