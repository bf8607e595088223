"""Which rows an import may skip unread, and a file whose every row may be skipped.

A row's fingerprint is the digest its source gives it (``records.Unread``), salted with
what else decides how the importer applies it (``salt``, ``digests.Fingerprinter``). It
keeps the screening its row ended as, that screening's ``updated_at``, and how the row
named its film, venue and edition (name keys). The row is skipped while the screening
still has that stamp and the catalogue reads those names as it did (``named_alone``,
``edition_named``).

``skim`` asks for the fingerprints of all a file's rows at once, before the importer,
the ORM or the date-order pass are needed: the rows found (``records.HeldRows``) are
passed over by the parser and counted by the importer in bulk
(``services.lineup.fingerprints.skip_held``); a file all of whose rows are found is
said unchanged with nothing more (``Skimmed.report``). A file it cannot vouch for goes
the whole way (``services.lineup``), which skips its unchanged rows a window at a time.
Should the catalogue change between the two, or the import make a film or venue of a
name another has, the import is done again with every row read (``HeldStale``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    column,
    func,
    or_,
    select,
    tuple_,
    values,
)
from sqlalchemy.engine import Connection

from screenings import tables as T
from screenings.db import driver_batches, insert_columns
from screenings.digests import Fingerprinter
from screenings.keys import city_key, name_key
from screenings.records import HeldRows, ImportReport, LineSet, NotQuick, Outcome

VERSION = 4  # how the importer applies a row: a change to it makes every fingerprint old


def salt(fields: Iterable[str], edition_id: int | None, sync: bool, zone: str | None) -> bytes:
    """What, beside the row, decides how the importer applies it: the file's fields, the
    edition the command line gives rows without one, whether it syncs (a sync reinstates
    what a plain import leaves cancelled), the configured zone."""
    return repr((VERSION, sorted(fields), edition_id, sync, zone)).encode()


def named_alone(alone: Mapping[int, str], aliased: Aliased | None = None) -> list[Any]:
    """Whether a fingerprint's row names its screening's film and venue by their own
    names (the keys it keeps) as the catalogue reads them now: a film's title, or a
    venue's name, that no other film or venue has, nor an alias; or a venue's name with
    its city (``alone``: the venues alone in their city of a name several have, by id,
    with their cities' keys; ``venues_alone``), as the importer finds a venue by both; or
    another name of theirs that reads as them alone (``aliased``: ``aliases_alone``). A
    venue of that name added where the row named none, a film of that title, an alias
    made or dropped, a record renamed since would read otherwise; the row then goes the
    whole way. A venue's city edited changes its screenings' stamps. Conditions on a
    query of ``row_fingerprint`` joined to its screening, film and (outer) venue."""
    F, S, M, V = T.row_fingerprint.c, T.screening.c, T.film.c, T.venue.c
    venue_named = V.name_key == F.venue_key
    ways = [
        and_(F.venue_key.is_(None), S.venue_id.is_(None)),
        and_(venue_named, ~_crowded(V.name_key, T.venue, "venue")),
    ]
    if alone:
        found = _listed("alone", list(alone.items()), "city_key")
        # The venue is in the row's city: the importer finds it there before it looks
        # at other names (``places._venue``), so no alias can read the row otherwise.
        ways.append(and_(venue_named, tuple_(V.id, F.city_key).in_(select(found))))
    films = [and_(M.title_key == F.title_key, ~_crowded(M.title_key, T.film, "film"))]
    if aliased is not None and aliased.films:
        named = _listed("film_alias", aliased.films, "name_key")
        films.append(tuple_(M.id, F.title_key).in_(select(named)))
    if aliased is not None and aliased.venues:
        # An alias of no city reads as its venue in any city; of a city, for a row in
        # that city or naming none (``lookup.aliased``).
        anywhere = [(n, key) for n, key, city in aliased.venues if city is None]
        placed = [(n, key, city) for n, key, city in aliased.venues if city is not None]
        if anywhere:
            named = _listed("alias_any", anywhere, "name_key")
            ways.append(tuple_(V.id, F.venue_key).in_(select(named)))
        if placed:
            there = _listed("alias_city", placed, "name_key", "city_key")
            ways.append(tuple_(V.id, F.venue_key, F.city_key).in_(select(there)))
            ways.append(
                and_(
                    F.city_key.is_(None),
                    tuple_(V.id, F.venue_key).in_(select(there.c.id, there.c.name_key)),
                )
            )
    return [or_(*films), or_(*ways)]


def _listed(name: str, rows: Sequence[tuple[Any, ...]], *keys: str) -> Any:
    """``rows`` of a record's id and its ``keys`` (text) as a named list a query reads
    once (a WITH: SQLite's way)."""
    columns = [column(key, String) for key in keys]
    return values(column("id", Integer), *columns, name=name).data(list(rows)).cte(name)


@dataclass(frozen=True)
class Aliased:
    """The other names of films and venues that a row reads as their record alone
    (``aliases_alone``): (film id, name key), (venue id, name key, city key: None for
    an alias of no city)."""

    films: tuple[tuple[int, str], ...] = ()
    venues: tuple[tuple[int, str, str | None], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.films or self.venues)


def aliases_alone(connection: Connection) -> Aliased:
    """The aliases of films and venues that an import reads as their record: no film or
    venue has the name as its own (the importer looks at those first), and no other
    alias of the kind has it. None of a kind past ``ALIASED`` (their rows go the whole
    way). A record an import makes with such a name reads its rows again
    (``Fingerprints.made_aliased``, ``held_alone``): so the importer asks for these only
    where it can (the skim's one file)."""
    A = T.alias.c
    rows = connection.execute(
        select(A.kind, A.name_key, A.film_id, A.venue_id, A.city).where(
            A.kind.in_(("film", "venue"))
        )
    ).all()
    if not rows:
        return Aliased()
    names = Counter((kind, key) for kind, key, *_ in rows)
    own: set[tuple[str, str]] = set()
    for kind, key_column in (("film", T.film.c.title_key), ("venue", T.venue.c.name_key)):
        keys = sorted({key for k, key, *_ in rows if k == kind and names[kind, key] == 1})
        for start in range(0, len(keys), FOUND):
            chunk = keys[start : start + FOUND]
            own.update((kind, key) for key in connection.scalars(
                select(key_column).where(key_column.in_(chunk))
            ))  # fmt: skip
    alone = [row for row in rows if names[row[:2]] == 1 and tuple(row[:2]) not in own]
    films = tuple((film, key) for kind, key, film, _venue, _city in alone if kind == "film")
    venues = tuple(
        (venue, key, city_key(city)) for kind, key, _film, venue, city in alone if kind == "venue"
    )
    return Aliased(films if len(films) <= ALIASED else (), venues if len(venues) <= ALIASED else ())


def _crowded(key: Any, table: Table, kind: str) -> Any:
    """Whether two records of ``table`` have ``key``, or an alias has it (asked once in
    a query, not for each row). A row naming a venue with no other of its name may have
    been read through an alias (of another city's): it is crowded while the alias is."""
    A = T.alias.c
    other = table.alias(f"other_{kind}").c[key.key]  # not the row's own
    shared = select(other).group_by(other).having(func.count() > 1)
    return key.in_(shared.union(select(A.name_key).where(A.kind == kind)))


# Venues alone in their city asked for by id at most (two values each), and aliases of
# each kind (two values a film's, three a venue's): with the importer's digests asked for
# at a time (``FOUND``), 10,000 + 4,000 + 6,000 + 10,000 values, under SQLite's 32,766.
ALONE = 5_000
ALIASED = 2_000
FOUND = 10_000  # keys or digests asked for at a time (each query scans a little)


def venues_alone(connection: Connection) -> dict[int, str]:
    """The venues whose name other venues have too, but none in the same city (by key):
    a row that named such a venue with its city reads it as it did. By id, with their
    cities' keys; none if there are more than ``ALONE`` (their rows go the whole way)."""
    V = T.venue.c
    shared = select(V.name_key).group_by(V.name_key).having(func.count() > 1)
    keyed = [
        (number, name, key)
        for number, name, city in connection.execute(
            select(V.id, V.name_key, V.city).where(V.name_key.in_(shared), V.city.is_not(None))
        )
        if (key := city_key(city)) is not None
    ]
    places = Counter((name, city) for _number, name, city in keyed)
    alone = {number: city for number, name, city in keyed if places[name, city] == 1}
    return alone if len(alone) <= ALONE else {}


def edition_named() -> Any:
    """Whether a fingerprint's row names its screening's edition by its festival's own
    name and its year (the label is compared by ``_labels_agree``), or names none and
    the screening has none: the way the importer finds an edition first. A festival
    named through an alias or a looser spelling is left to the whole way."""
    F, S, E, FE = T.row_fingerprint.c, T.screening.c, T.edition.c, T.festival.c
    return or_(
        and_(F.festival_key.is_(None), S.edition_id.is_(None)),
        and_(FE.name_key == F.festival_key, E.year == F.edition_year),
    )


class QuickSource(Protocol):
    """A file read as its lines (``parsers.lineup.QuickFile``): its rows' line numbers
    and digests, read with an order of numeric dates, a block at a time;
    ``records.NotQuick`` at a row it cannot vouch for."""

    name: str
    mapping: list[tuple[str, str]]

    def orders(self) -> tuple[bool | None, ...]: ...

    def digests(self, dayfirst: bool | None) -> Iterator[tuple[Sequence[int], list[bytes]]]: ...


_WANTED = Table(
    "quick_rows",
    MetaData(),
    Column("digest", String(32)),
    Column("line", Integer),
    prefixes=["TEMPORARY"],
)
SCAN = 4  # a file with at least 1/SCAN as many rows as there are fingerprints reads them all
IN_MEMORY = 250_000  # rows of a file whose digests are kept in memory; more: a table
BATCH = 50_000  # digests written to the temporary table at a time


@dataclass
class Skimmed:
    """What asking for every row's fingerprint at once found (``skim``): the order of
    numeric dates the rows were read with, how many rows the file has, and those that
    hold."""

    name: str
    order: bool | None
    rows: int
    held: HeldRows

    def everything(self) -> bool:
        """Whether every row of the file holds."""
        return len(self.held) == self.rows

    def report(self) -> ImportReport:
        """The report of the import, when every row holds: every row unchanged."""
        report = ImportReport(self.name)
        report.counts["rows"] = report.counts[Outcome.UNCHANGED] = len(self.held)
        report.counts["selections"] = len(self.held.selections())
        report.edition_ids = set(self.held.editions) - {0}
        return report


def skim(
    connection: Connection, source: QuickSource, zone: str | None, *, sync: bool
) -> Skimmed | None:
    """The rows of ``source`` (imported with no edition given) that may be skipped
    unread, all found at once; None if none may, or the file must go the whole way (two
    rows alike: the second is a duplicate, as the whole way says; a row the source
    cannot vouch for)."""
    fields = {target for _column, target in source.mapping if target}
    row_salt = salt(fields, None, sync, zone)
    revision = connection.execute(
        select(T.revision.c.counter).where(T.revision.c.id == 1)
    ).scalar_one()
    try:
        order = _order(connection, source, row_salt)
        if order is _NONE:
            return None
        found = _held(connection, source, order, row_salt, revision)
    except NotQuick:
        return None
    if found is None:
        return None
    rows, held, editions = found
    if not held or not _labels_agree(connection, editions):
        return None
    return Skimmed(source.name, order, rows, held)


_NONE = object()  # no order of numeric dates found
SAMPLE = 64  # rows whose fingerprints tell the order of numeric dates they were read with


def _order(connection: Connection, source: QuickSource, row_salt: bytes) -> Any:
    """The numeric date order most of the file's first rows were last read with, if any
    (``QuickFile.known`` then checks it against the whole file)."""
    F = T.row_fingerprint.c
    found: dict[bool | None, int] = {}
    for order in source.orders():
        sample: list[str] = []
        for _numbers, prints in _fingerprints(source, order, row_salt):
            sample += prints[: SAMPLE - len(sample)]
            if len(sample) == SAMPLE:
                break
        found[order] = connection.execute(
            select(func.count()).where(F.digest.in_(sample))
        ).scalar_one()
    best = max(found, key=lambda order: found[order])
    return best if found[best] else _NONE


def _holding(alone: Mapping[int, str], aliased: Aliased | None = None) -> Any:
    """The fingerprints that hold, with their screening, its edition (0: none), film and
    whether it is private, and the row's label key (``alone``: ``venues_alone``;
    ``aliased``: ``aliases_alone``): as ``HeldRows`` keeps them, so that a hundred
    thousand rows are taken in as they come."""
    F, S = T.row_fingerprint.c, T.screening.c
    return (
        select(
            F.digest,
            S.id,
            func.coalesce(S.edition_id, 0),
            S.film_id,
            case((S.visibility == "private", 1), else_=0),
            F.label_key,
        )
        .join(T.screening, S.id == F.screening_id)
        .join(T.film, T.film.c.id == S.film_id)
        .outerjoin(T.venue, T.venue.c.id == S.venue_id)
        .outerjoin(T.edition, T.edition.c.id == S.edition_id)
        .outerjoin(T.festival, T.festival.c.id == T.edition.c.festival_id)
        .where(S.updated_at == F.stamp, *named_alone(alone, aliased), edition_named())
    )


HOLDING = _holding({})  # built once: most catalogues have no venue name in two cities


def _held(
    connection: Connection, source: QuickSource, order: bool | None, row_salt: bytes,
    revision: int,
) -> tuple[int, HeldRows, set[tuple[int, str]]] | None:  # fmt: skip
    """How many rows the file has, those whose fingerprints hold (in the file's order),
    and the editions they name with their label keys; None if two rows are alike
    (``_gathered``).

    A file of up to ``IN_MEMORY`` rows keeps its digests in memory, and (when it is
    about as large as every fingerprint kept: reading them in order is faster than
    finding each) reads all the fingerprints that hold, keeping its own. A larger file
    writes its digests to a temporary table, a batch at a time, and finds them there."""
    blocks = _fingerprints(source, order, row_salt)
    numbers: list[int] = []
    prints: list[str] = []
    for block_numbers, block_prints in blocks:
        numbers += block_numbers
        prints += block_prints
        if len(prints) > IN_MEMORY:
            break
    kept = connection.execute(select(func.count()).select_from(T.row_fingerprint)).scalar_one()
    alone, aliased = venues_alone(connection), aliases_alone(connection)
    found_held = _holding(alone, aliased) if alone or aliased else HOLDING
    if len(prints) <= IN_MEMORY and len(prints) * SCAN >= kept:
        lines = dict(zip(prints, numbers, strict=True))
        if len(lines) != len(prints):
            return None  # two rows alike
        del numbers, prints
        at_lines: list[int] = []  # of the rows found, and the rows
        found: list[Sequence[Any]] = []
        # Closed however the loop ends: till then the connection is the stream's.
        with closing(driver_batches(connection, found_held, BATCH, whole=True)) as batches:
            for batch in batches:
                at = list(map(lines.get, map(_FIRST, batch)))  # a line number is never 0
                at_lines += filter(None, at)
                found += compress(batch, at)
        if at_lines != sorted(at_lines):  # in the file's order
            by_line = sorted(range(len(at_lines)), key=at_lines.__getitem__)
            at_lines, found = [at_lines[n] for n in by_line], [found[n] for n in by_line]
        gathered = _gathered([[at_lines, *_columns(found, 1)]], revision)
        return None if gathered is None else (len(lines), *gathered)
    try:
        _WANTED.create(connection)
        rows = 0
        for batch_numbers, batch_prints in chain(_batches(numbers, prints), blocks):
            insert_columns(
                connection, _WANTED, {"line": list(batch_numbers), "digest": batch_prints}
            )
            rows += len(batch_prints)
        del numbers, prints
        Q = _WANTED.c
        query = (
            found_held.with_only_columns(
                Q.line, *list(found_held.selected_columns)[1:], maintain_column_froms=True
            )
            .join(_WANTED, Q.digest == T.row_fingerprint.c.digest)
            .order_by(Q.line)
        )
        # Closed before the rollback below, when two rows alike end the look early.
        with closing(driver_batches(connection, query, BATCH)) as streamed:
            gathered = _gathered(map(_columns, streamed), revision)
        return None if gathered is None else (rows, *gathered)
    finally:
        connection.rollback()  # PostgreSQL's temporary table goes with it; SQLite's not
        connection.exec_driver_sql("DROP TABLE IF EXISTS quick_rows")
        connection.commit()


def _fingerprints(
    source: QuickSource, order: bool | None, row_salt: bytes
) -> Iterator[tuple[Sequence[int], list[str]]]:
    """The line numbers and fingerprints of the rows of ``source`` read with ``order``,
    a block at a time."""
    salted = Fingerprinter(row_salt)
    for numbers, digests in source.digests(order):
        yield numbers, list(salted.many(digests))


def _batches(numbers: list[int], prints: list[str]) -> Iterator[tuple[list[int], list[str]]]:
    """Line numbers and fingerprints, ``BATCH`` at a time."""
    for start in range(0, len(prints), BATCH):
        yield numbers[start : start + BATCH], prints[start : start + BATCH]


_FIRST = itemgetter(0)
_BY_COLUMN = [itemgetter(n) for n in range(len(HOLDING.selected_columns))]


def _columns(rows: Sequence[Sequence[Any]], first: int = 0) -> list[list[Any]]:
    """Rows of ``HOLDING``'s width as its columns, from the ``first``."""
    return [list(map(column, rows)) for column in _BY_COLUMN[first:]]


def _gathered(
    batches: Iterable[Sequence[Sequence[Any]]], revision: int
) -> tuple[HeldRows, set[tuple[int, str]]] | None:
    """The rows found, given a batch at a time in the file's order as columns (line,
    screening, edition or 0, film, 1 if private, label key), and their editions with label
    keys; None if two rows of the file are alike (both found, as the same screening):
    the second is a duplicate, as the whole way says."""
    held, pairs = HeldRows(revision), set[tuple[int, str]]()
    seen, before = LineSet(), None  # the screenings of the batches before
    for lines, numbers, editions, films, private, labels in batches:
        if before is not None:
            seen.update(before)
        if len(set(numbers)) != len(numbers) or (
            before is not None and any(map(seen.__contains__, numbers))
        ):
            return None
        held.extend(lines, numbers, editions, films, private)
        pairs.update(zip(editions, labels, strict=True))
        before = numbers
    return held, {pair for pair in pairs if pair[0]}


def _labels_agree(connection: Connection, editions: set[tuple[int, str]]) -> bool:
    """Whether each edition is the only one of its festival and year whose label reads
    as its rows' label key (as the importer finds an edition by its label)."""
    E = T.edition.c
    if not editions:
        return True
    numbers = sorted({number for number, _key in editions})
    mine = {
        number: (festival, year)
        for number, festival, year in connection.execute(
            select(E.id, E.festival_id, E.year).where(E.id.in_(numbers))
        )
    }
    siblings: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for number, festival, year, label in connection.execute(
        select(E.id, E.festival_id, E.year, E.label).where(
            E.festival_id.in_({festival for festival, _year in mine.values()})
        )
    ):
        siblings.setdefault((festival, year), []).append((number, name_key(label or "")))
    for number, key in editions:
        same = [n for n, k in siblings.get(mine[number], []) if k == key]
        if same != [number]:
            return False
    return True
