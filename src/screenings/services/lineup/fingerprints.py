# mypy: disable-error-code="misc"
"""Rows an import may skip unread: a screening row whose text reads exactly as a row of
an earlier import did, whose screening nobody and nothing has changed since, changes
nothing.

A row's fingerprint is the digest its source gives it (``records.Unread``: its cells,
and everything the source reads them with: the columns and what they map to, the date
order the file settled, the encoding, the day's start, the options), salted with what
else decides how the importer applies it (the file's fields, the edition the command
line gives rows without one, the configured zone). A file whose date order flips
reads its ambiguous dates otherwise, and none of its rows match. Each fingerprint keeps
the screening its row ended as and that screening's ``updated_at``; the row is skipped
only while the screening is still there with that very stamp (a hand edit, a bump, a
cancellation, a removal each change or clear it, and the row then goes the whole way:
through its base, three ways), while its edition reads as the same edition, and while
it names its film and venue by names no other record has, or its venue by its name in
a city no other venue of that name is in, or either by an alias that reads as it
alone (``named_alone``: a name the catalogue would read otherwise now is read). A
skipped row is not read, so the notes said of it when it was read (a year taken from
the edition, a time after midnight, a name read as another name of a record) are not
said again; it counts as unchanged, and claims its screening, so a sync leaves it
be and a second row like it is a duplicate.
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, or_, select

from screenings import rules
from screenings import tables as T
from screenings.db import bulk_insert, write_aside
from screenings.digests import Fingerprinter
from screenings.keys import city_key, name_key
from screenings.records import HeldRows, Outcome, Unread
from screenings.services.lineup.common import HeldStale, Resolved, RowError
from screenings.services.skipping import (
    FOUND,
    Aliased,
    aliases_alone,
    named_alone,
    salt,
    venues_alone,
)

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer

PLACES = 500  # venues made whose rows held are looked for at a time (held_alone)
CITY_KEY = rules.length("row_fingerprint", "city_key")
SPELLINGS = 8192  # editions found by spelling kept at a time (see own_edition)
UNREAD = object()  # the edition of a row that cannot be read: no screening's


def held_query(alone: Mapping[int, str], aliased: Aliased | None = None) -> Any:
    """The screenings whose fingerprints hold, by digest, with their edition, film and
    visibility: the screening's stamp is the one its row left, and the catalogue reads
    the film and venue the row named as it did (``named_alone``, ``alone`` the venues
    alone in their city of a name several have, ``aliased`` the other names that read
    as their record alone)."""
    F, S = T.row_fingerprint.c, T.screening.c
    return (
        select(F.digest, S.id, S.edition_id, S.film_id, S.visibility)
        .join(T.screening, S.id == F.screening_id)
        .join(T.film, T.film.c.id == S.film_id)
        .outerjoin(T.venue, T.venue.c.id == S.venue_id)
        .where(
            F.digest.in_(bindparam("digests", expanding=True)),
            S.updated_at == F.stamp,
            *named_alone(alone, aliased),
        )
    )


def name_keys(item: Unread) -> dict[str, Any]:
    """How a row names its film, venue and edition, as its fingerprint keeps it. A city's
    key may be longer than the city and than its column ("ß" is "ss"; the rules refuse
    such a name, title or festival, whose keys are kept, but a city's is not): it is
    kept as None then, as for a row that named no city."""
    title, venue, city = item.named()
    spelling = item.spelling() or (None, None, None)
    festival, year, label = spelling
    venue_key = name_key(venue) or None  # a blank cell names none, as the importer reads it
    place = (city_key(city) or "") if venue_key else ""
    return {
        "title_key": name_key(title),
        "venue_key": venue_key,
        "city_key": place if 0 < len(place) <= CITY_KEY else None,
        "festival_key": name_key(festival) if festival else None,
        "edition_year": year,
        "label_key": name_key(label or "") if festival else None,
    }


class Skipped:
    """The rows an import skipped, in a few bytes each (a file may have a million): where
    they are, their screening, its film and edition."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.values = array("i")  # five a row: file, line, screening, film, edition (or 0)

    def add(self, file: str, line: int, number: int, film: int, edition: int | None) -> None:
        if not self.files or self.files[-1] != file:
            self.files.append(file)
        self.values.extend((len(self.files) - 1, line, number, film, edition or 0))

    def add_many(self, file: str, rows: HeldRows) -> None:
        """``add`` for each of ``rows`` of ``file``."""
        if not self.files or self.files[-1] != file:
            self.files.append(file)
        at = len(self.files) - 1
        self.values.extend(
            chain.from_iterable(
                zip(repeat(at), rows.lines, rows.screenings, rows.films, rows.editions)
            )
        )

    def __len__(self) -> int:
        return len(self.values) // 5

    def __iter__(self) -> Iterator[tuple[str, int, int, int, int]]:
        values, files = self.values, self.files
        for file, line, number, film, edition in zip(
            *(values[n::5] for n in range(5)), strict=True
        ):
            yield files[file], line, number, film, edition


@dataclass
class PrintState:
    """What the fingerprints stage knows: the salt, the digests of the rows read and of
    those applied, and the rows skipped."""

    fingerprinter: Fingerprinter  # a row's fingerprint: its digest, salted (``salt``)
    row_digests: dict[tuple[str, int], tuple[str, dict[str, Any]]] = field(default_factory=dict)
    new_fingerprints: dict[str, tuple[int, Any, dict[str, Any]]] = field(
        default_factory=dict
    )  # by chunk
    skipped: Skipped = field(default_factory=Skipped)  # skip_unchanged, settle_skipped
    editions_named: dict[tuple[Any, Any], Any] = field(default_factory=dict)  # own_edition
    held: Any = None  # the query of the fingerprints that hold (``held_query``), once asked
    alias_kinds: set[str] | None = None  # the kinds of record that have aliases, once asked
    made_alias_name: bool = False  # a film or venue made with an alias's name (made_aliased)
    bumped_by_rows: int = 0


class Fingerprints:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    def salt(self: Importer) -> bytes:
        """What, beside the row, decides how it reads (``skipping.salt``)."""
        return salt(
            self.fields, self.options.edition_id, self.options.sync, self.settings.default_timezone
        )

    def digest(self: Importer, item: Unread) -> str:
        return self.print_state.fingerprinter.one(item.digest)

    def skip_unchanged(self: Importer, items: list[Any]) -> list[Any]:
        """The items that still need the whole way: the others (unread rows whose
        fingerprint holds) are counted unchanged and claim their screenings."""
        digests = {id(item): self.digest(item) for item in items if isinstance(item, Unread)}
        if not digests:
            return items
        held = self.held(set(digests.values())) if not self.options.read_all else {}
        left = []
        claimed = self.match_state.claimed
        for item in items:
            digest = digests.get(id(item))
            found = held.get(digest) if digest is not None else None
            if found is not None and not (
                found[0] in claimed  # a second row like it: checked the whole way
                or self.own_edition(item) != found[1]  # another edition's now
            ):
                self.skip(item.file, item.line, *found)
                continue
            if digest is not None:
                self.print_state.row_digests[(item.file, item.line)] = (digest, name_keys(item))
            left.append(item)
        return left

    def held(self: Importer, digests: set[str]) -> dict[str, tuple[Any, ...]]:
        """Of these digests, those whose fingerprints hold, with their screening's id,
        edition, film and visibility (``held_query``)."""
        wanted = sorted(digests)
        found: dict[str, tuple[Any, ...]] = {}
        if self.print_state.held is None:  # the venues alone and the aliases, asked once
            connection = self.session.connection()
            # Through an alias only where the file may be read again (HeldStale: the skim's
            # one file, no --report), should this import make a record of the alias's name.
            aliased = aliases_alone(connection) if self.options.held is not None else None
            self.print_state.held = held_query(venues_alone(connection), aliased)
        for start in range(0, len(wanted), FOUND):
            for digest, *stored in self.session.execute(
                self.print_state.held,
                {"digests": wanted[start : start + FOUND]},  # a parameter: see writing.ids_of
            ).all():
                found[digest] = tuple(stored)
        return found

    def held_still(self: Importer, revision: int) -> None:
        """``HeldStale`` if the catalogue changed since the rows held were found."""
        now = self.session.scalar(select(T.revision.c.counter).where(T.revision.c.id == 1))
        if now != revision:
            raise HeldStale

    def held_alone(self: Importer) -> None:
        """``HeldStale`` if this import made a film or venue whose name a film or venue
        made before it has, or an alias (``made_aliased``): a row held (it names one of
        those), read whole, may read otherwise now (as ``named_alone`` says of the rows
        the whole way skips). Rare; the import is then done again, every row read. A
        venue made in a city: only a row held that named its name with no city, or in
        that city, may (one that named another city finds its own venue there)."""
        if self.print_state.made_alias_name:
            raise HeldStale
        films = {n: v["title_key"] for n, v in self.film_state.created_films.items()}
        if self.older(T.film.c.title_key, films):
            raise HeldStale
        venues = self.place_state.venues_made
        if not self.older(T.venue.c.name_key, {n: name for n, (name, _) in venues.items()}):
            return
        F = T.row_fingerprint.c
        places = sorted(set(venues.values()), key=repr)
        held = sorted(self.options.held.screenings) if self.options.held is not None else []
        for start in range(0, len(places), PLACES):
            named = or_(  # the name with no city, or in the city of the venue made
                *(
                    and_(F.venue_key == name, or_(F.city_key.is_(None), F.city_key == city))
                    for name, city in places[start : start + PLACES]
                )
            )
            for first in range(0, len(held), FOUND):
                of_held = F.screening_id.in_(held[first : first + FOUND])
                if self.session.execute(select(F.id).where(of_held, named).limit(1)).first():
                    raise HeldStale

    def older(self: Importer, key: Any, made: dict[int, str]) -> bool:
        """Whether a record made before this import has one of the names (``key``: the
        column) of the records it ``made`` (by id)."""
        if not made:
            return False
        table, names = key.table, sorted(set(made.values()))
        for start in range(0, len(names), FOUND):
            older = (  # made before: ids are never reused, so lower than this import's
                select(table.c.id)
                .where(key.in_(names[start : start + FOUND]), table.c.id < min(made))
                .limit(1)
            )
            if self.session.execute(older).first() is not None:
                return True
        return False

    def made_aliased(self: Importer, kind: str, keys: list[str]) -> None:
        """Note that this import made a film or venue (``kind``) with a name an alias has:
        a row held that named it may read the new record now (``held_alone``)."""
        state = self.print_state
        if state.made_alias_name or not keys or self.options.held is None:
            return  # no row held through an alias (``held``), or already said
        A = T.alias.c
        if state.alias_kinds is None:  # the kinds that have aliases, asked once
            state.alias_kinds = set(self.session.scalars(select(A.kind).distinct()))
        if kind not in state.alias_kinds:
            return
        for start in range(0, len(keys), FOUND):
            chunk = keys[start : start + FOUND]
            found = select(A.id).where(A.kind == kind, A.name_key.in_(chunk)).limit(1)
            if self.session.execute(found).first() is not None:
                state.made_alias_name = True
                return

    def skip_held(self: Importer, file: str, held: HeldRows) -> None:
        """Count the rows of ``file`` found unchanged before it was read, first, as
        ``skip`` counts each."""
        self.report.counts["rows"] += len(held)
        self.match_state.claimed.update(held.screenings, held.lines)
        films = self.film_state.skipped_films
        # Each film's first line: the rows are in the file's order.
        first = dict(zip(reversed(held.films), reversed(held.lines), strict=True))
        for film, line in first.items():
            if line < films.get(film, line + 1):
                films[film] = line
        self.print_state.skipped.add_many(file, held)
        editions = set(held.editions) - {0}
        self.edition_scope.update(editions)
        self.report.edition_ids.update(editions)
        seen = self.film_state.selections_seen  # as selections() counts
        self.report.counts["selections"] += seen.add_new(held.selections())
        stated = self.film_state.skipped_selections  # a row read before them states it
        selected = list(
            map(operator.and_, map(operator.truth, held.editions), map(operator.not_, held.private))
        )
        pairs = list(compress(zip(held.films, held.editions, strict=True), selected))
        lines = list(compress(held.lines, selected))
        # Each selection's first line, at C's pace: the rows are in the file's order.
        for (film, edition), line in dict(
            zip(reversed(pairs), reversed(lines), strict=True)
        ).items():
            stated.add(film, edition, line)

    def skip(  # noqa: PLR0913 -- a row: where it is, and what its screening is
        self: Importer,
        file: str,
        line: int,
        number: int,
        edition: int | None,
        film: int,
        visibility: str,
    ) -> None:
        """Count a row skipped as unchanged, and let it claim its screening."""
        report = self.report
        report.counts["rows"] += 1
        self.match_state.claimed[number] = line
        # Its film's details are as it stated them: a later row does not state them.
        films = self.film_state.skipped_films
        if line < films.get(film, line + 1):
            films[film] = line
        self.print_state.skipped.add(file, line, number, film, edition)
        if edition is not None:
            self.edition_scope.add(edition)
            report.edition_ids.add(edition)
            if visibility != "private":
                self.film_state.skipped_selections.add(film, edition, line)
            if visibility != "private" and (film, edition) not in self.film_state.selections_seen:
                self.film_state.selections_seen.add((film, edition))  # as selections() counts
                report.counts["selections"] += 1

    def own_edition(self: Importer, item: Unread) -> Any:
        """The edition a row names (its festival and year, or the command line's)."""
        key = (item.source, item.edition_key)
        found = self.print_state.editions_named.get(key, UNREAD)
        if found is not UNREAD and item.edition_key is not None:
            return found
        spelling = item.spelling()
        if spelling is None:
            return UNREAD  # the whole way says why
        try:
            found = self.edition_spelt(spelling) if spelling[0] else self.options.edition_id
        except RowError:
            return UNREAD
        if len(self.print_state.editions_named) >= SPELLINGS:
            self.print_state.editions_named.clear()
        self.print_state.editions_named[key] = found
        return found

    def settle_skipped(self: Importer) -> None:
        """Count and report the rows skipped, now that every row is read: unchanged, or
        updated after all when another row changed their film or their selection (a
        calendar shows that), as the whole way would have said. Before ``bump``."""
        S = T.screening.c
        skipped, films = self.print_state.skipped, self.film_state
        if not (self.reporting or films.bump_films or films.bump_selections):
            self.report.counts[Outcome.UNCHANGED] += len(skipped)  # each as it was
            return
        reclassified = 0
        said: list[dict[str, Any]] = []
        for file, line, number, film, edition in skipped:
            because = ["film"] if film in self.film_state.bump_films else []
            if edition and (film, edition) in self.film_state.bump_selections:
                because.append("selection")
            if because:
                reclassified += 1
                self.touch((number,))  # its film's new length may clash
            outcome = Outcome.UPDATED if because else Outcome.UNCHANGED
            self.report.counts[outcome] += 1
            if self.reporting or because:
                record = {"type": "row", "outcome": outcome, "file": file, "line": line,
                          "screening": number}  # fmt: skip
                if because:
                    record["changed"] = because
                said.append(record)
        for start in range(0, len(said), FOUND):  # their uids, a batch at a time
            batch = said[start : start + FOUND]
            uids = dict(
                self.session.execute(
                    select(S.id, S.uid).where(S.id.in_([r["screening"] for r in batch]))
                ).all()
            )
            for record in batch:
                record["uid"] = uids.get(record["screening"])
                self.emit(record)
        self.print_state.bumped_by_rows = reclassified  # bump() counts them as others: not others

    def fingerprint(self: Importer, row: Resolved, screening_id: int, stamp: Any) -> None:
        """Keep the fingerprint of a row that ended as ``screening_id``, updated at
        ``stamp`` (written with its chunk); not of a row that a hand edit kept something
        of, or that is in conflict with one (of its screening, film or selection): the
        next import says so again."""
        said = self.print_state.row_digests.pop((row.source.file, row.line), None)
        if said is None or (row.merged and (row.merged.kept or row.merged.conflicts)):
            return
        if (
            row.film in self.film_state.unsettled_films
            or (row.film, row.edition) in self.film_state.unsettled
        ):
            return
        digest, keys = said
        self.print_state.new_fingerprints[digest] = (screening_id, stamp, keys)

    def write_fingerprints(self: Importer) -> None:
        """A chunk's rows applied, as fingerprints, written aside (``db.write_aside``):
        they go with the import's commit when it changed something, and make none. A
        screening bumped at the end of the import (its film changed) has another stamp
        by then: its row goes the whole way next time."""
        found = dict(self.print_state.new_fingerprints)
        self.print_state.new_fingerprints.clear()
        if not found:
            return
        F = T.row_fingerprint.c
        digests = list(found)
        numbers = sorted({number for number, _stamp, _keys in found.values()})
        for start in range(0, len(digests), FOUND):  # a row's old digest goes with the new
            write_aside(
                self.session,
                delete(T.row_fingerprint).where(F.digest.in_(bindparam("digests", expanding=True))),
                {"digests": digests[start : start + FOUND]},
            )
            write_aside(
                self.session,
                delete(T.row_fingerprint).where(
                    F.screening_id.in_(bindparam("numbers", expanding=True))
                ),
                {"numbers": numbers[start : start + FOUND]},
            )
        rows = [
            {"digest": digest, "screening_id": number, "stamp": stamp, **keys,
             "created_at": self.now, "updated_at": self.now}
            for digest, (number, stamp, keys) in found.items()
        ]  # fmt: skip
        bulk_insert(self.session, T.row_fingerprint, rows, aside=True)
