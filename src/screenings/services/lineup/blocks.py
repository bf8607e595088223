# mypy: disable-error-code="misc"
"""Programmes of a lineup: rows with a Block cell, and the rows of a programmes file.

Rows that share a Block cell and a slot (edition, venue or city, date, time) are one
screening of that programme, which shows their films in row order. Such a row's film,
its credits and its selection are the file's as any row's (``films``); its screening
waits until every row is read, since a block's rows need not be next to each other.
Then, group by group:

- the programme is found by its title within the edition's festival (or by another name
  ``merge programme`` kept), or made in the edition, in its first row's section; one of
  another edition of the festival is refused (a title is the festival's). Its films
  become those of its first slot, merged three ways with what this source last gave
  them (a ``record_base`` of kind ``programme``); a change to them bumps every
  screening of it, once, as an edit would;
- the screening is found by the file's id (within the edition), else by the slot this
  source's base gave it (moved by hand since, perhaps), else by its programme and slot;
  a group that finds none is paired with a screening of its programme the file no longer
  lists (a move: its uid kept). Its values are merged three ways with its base
  (``bases.three_way``), as a film's screening's are;
- it claims its screening, so that ``--sync`` cancels only the programme screenings the
  file no longer lists.

A programmes file's rows (Block, Film, Position, Extra) set programmes' films without
screenings, first. A block's rows are always read whole: a change to one row re-reads
its group, so they leave no fingerprint (``fingerprints``) to be skipped by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from screenings import lookup
from screenings import tables as T
from screenings.errors import Message
from screenings.keys import name_key, new_uids
from screenings.records import Outcome
from screenings.services.bases import base_values, three_way
from screenings.services.catalog import unique_slugs
from screenings.services.lineup.common import SHOWN, Resolved
from screenings.services.programmes import slug_text
from screenings.timeparse import wall_to_utc

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer

P, PF, S, B = T.programme.c, T.programme_film.c, T.screening.c, T.screening_base.c


# A group of a block's rows: the rows, its programme, what it says of its screening, and
# the stored screening it is (None: none yet).
Group = tuple[list[Resolved], int, dict[str, Any], Any]


# The note of a programme made from a block whose films the file does not name (a feed's
# "Shorts" event, never split by guessing).
NO_FILMS_NOTE = "Imported as one event of a calendar feed: its films are not known yet."


def _start(file: dict[str, Any]) -> tuple[Any, ...]:
    return (file["local_date"], file["local_time"] or dt.time.max)


@dataclass
class BlockState:
    """The rows of blocks read so far, to be applied once every row is."""

    rows: list[Resolved] = field(default_factory=list)
    places: list[Resolved] = field(default_factory=list)  # a programmes file's rows
    made: set[int] = field(default_factory=set)  # screenings made or bumped by a group


class Blocks:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    def apply_blocks(self: Importer) -> None:
        """The programmes a programmes file defines, then each block's screenings, group
        by group, in the order of their first rows."""
        changed: set[int] = set()  # programmes whose films this file changed
        programmes: dict[tuple[int, str], int] = {}  # (festival, title key) -> programme
        self.define_programmes(programmes, changed)
        groups: dict[tuple[Any, ...], list[Resolved]] = {}
        for row in sorted(self.block_state.rows, key=lambda r: r.line):
            groups.setdefault(self.block_key(row), []).append(row)
        self.block_state.rows = []
        # Each group with its programme, what it says and the screening it is, if stored.
        found: list[Group] = []
        festivals: dict[Any, int] = {}  # edition -> its festival
        # programme -> its films, once set (a programmes file's, above, included)
        shown = {number: self.films_of(number) for number in programmes.values()}
        for rows in groups.values():
            first = rows[0]
            if first.edition not in festivals:
                festivals[first.edition] = self.session.execute(
                    select(T.edition.c.festival_id).where(T.edition.c.id == first.edition)
                ).scalar_one()
            festival = festivals[first.edition]
            key = (festival, name_key(first.source.block or ""))
            films = self.group_films(rows)
            if key not in programmes:
                made = self.programme_of(rows, festival, films, changed)
                if made is None:
                    continue  # its rows rejected
                programmes[key] = made
                shown[made] = self.films_of(made)
            elif shown.get(programmes[key]) != films:
                self.warn(
                    f"{self.report.name}:{first.line}: block {first.source.block!r} shows "
                    "other films here than at its first slot; its programme shows those of "
                    "its first slot"
                )
            file = self.block_file(rows, programmes[key])
            source = self.match_state.sources.make(first.edition)  # type: ignore[arg-type]
            found.append((rows, programmes[key], file, self.stored_block_screening(file, source)))
        self.pair_moved(found)
        for rows, programme, file, stored in found:
            if stored is not None and stored.programme_id != programme:
                self.reject_other(rows, stored)
                continue
            self.block_screening(rows, programme, changed, file, stored)
        if changed:
            bumped: Any = self.session.execute(
                update(T.screening)
                .where(
                    S.programme_id.in_(changed),
                    S.id.not_in(self.block_state.made),
                )
                .values(sequence=S.sequence + 1, updated_at=self.now)
            )
            self.report.bumped += bumped.rowcount or 0

    def group_films(self: Importer, rows: list[Resolved]) -> list[int]:
        """The films a group's rows name, in order, each once (and said when one is not)."""
        named = [r for r in rows if r.film is not None]  # a block of unknown films: none
        films = [int(film) for film in dict.fromkeys(r.film for r in named)]  # type: ignore[arg-type]
        if len(films) < len(named):
            self.warn(
                f"{self.report.name}:{rows[0].line}: block {rows[0].source.block!r} lists a "
                "film more than once at one slot; it is shown once"
            )
        return films

    def define_programmes(
        self: Importer, programmes: dict[tuple[int, str], int], changed: set[int]
    ) -> None:
        """A programmes file's blocks: each one's films in the order of their Position
        (else of their rows), each with its Extra line when the file has that column."""
        blocks: dict[tuple[Any, str], list[Resolved]] = {}
        for row in sorted(self.block_state.places, key=lambda r: r.line):
            blocks.setdefault((row.edition, name_key(row.source.block or "")), []).append(row)
        self.block_state.places = []
        for rows in blocks.values():
            rows.sort(key=lambda r: (r.source.position is None, r.source.position or 0, r.line))
            first = rows[0]
            festival: int = self.session.execute(
                select(T.edition.c.festival_id).where(T.edition.c.id == first.edition)
            ).scalar_one()
            films = [int(film) for film in dict.fromkeys(r.film for r in rows)]  # type: ignore[arg-type]
            found = self.programme_of(rows, festival, films, changed)
            if found is None:
                continue  # its rows rejected
            number = programmes[(festival, name_key(first.source.block or ""))] = found
            if "extra" in self.fields:
                for row in rows:
                    done: Any = self.session.execute(
                        update(T.programme_film)
                        .where(
                            PF.programme_id == number,
                            PF.film_id == row.film,
                            PF.extra.is_distinct_from(row.source.extra),
                        )
                        .values(extra=row.source.extra, updated_at=self.now)
                    )
                    if done.rowcount:  # the line shows in its screenings' calendars
                        changed.add(number)

    def block_key(self: Importer, row: Resolved) -> tuple[Any, ...]:
        v = row.values
        return (
            row.edition,
            name_key(row.source.block or ""),
            row.venue,
            name_key(v["city"] or ""),
            v["local_date"],
            v["local_time"],
        )

    def films_of(self: Importer, programme: int) -> list[int]:
        return list(
            self.session.scalars(
                select(PF.film_id).where(PF.programme_id == programme).order_by(PF.position)
            )
        )

    def programme_of(
        self: Importer, rows: list[Resolved], festival: int, films: list[int], changed: set[int]
    ) -> int | None:
        """The block's programme: found by its title within the festival, or made; its
        films those of its first slot (``films``), in order, merged three ways with what
        this source last gave it: a change made by hand that the file did not make
        stays; one the file made otherwise is a conflict, and the catalogue's stays.
        None, its rows rejected, for a programme of another edition of the festival: a
        title is the festival's, and this block would take that one over."""
        first = rows[0]
        title = first.source.block or ""
        found: Any = self.session.execute(
            select(P.id, P.edition_id).where(
                P.festival_id == festival, P.title_key == name_key(title)
            )
        ).first()
        if found is None:  # the title of a programme merged into another leads there
            merged = [p for p in lookup.aliased(self.session, "programme", title)
                      if p.festival_id == festival]  # fmt: skip
            found = (merged[0].id, merged[0].edition_id) if merged else None
        if found is not None and found[1] not in (None, first.edition):
            self.reject_block(rows, title, found[0], found[1])
            return None
        if found is not None:
            found = found[0]
        if found is None:
            year = self.session.scalar(
                select(T.edition.c.year).where(T.edition.c.id == first.edition)
            )
            (slug,) = unique_slugs(
                self.session, P.slug, [slug_text(self._festival_name(festival), year, title)]
            )
            found = self.session.execute(
                insert(T.programme)
                .values(
                    festival_id=festival,
                    edition_id=first.edition,
                    title=title,
                    title_key=name_key(title),
                    slug=slug,
                    section=first.source.section,
                    notes=None if films else NO_FILMS_NOTE,
                    created_at=self.now,
                    updated_at=self.now,
                )
                .returning(P.id)
            ).scalar_one()
            self.report.created("programmes", title)
        assert isinstance(first.edition, int)
        if not films:  # a block of unknown films says nothing of them: they stay
            self.report.counts["programmes"] += 1
            return int(found)
        wanted = self.merge_films(first, int(found), films)
        if self.films_of(found) != wanted:
            self.session.execute(delete(T.programme_film).where(PF.programme_id == found))
            self.session.execute(
                insert(T.programme_film),
                [
                    {
                        "programme_id": found,
                        "film_id": film,
                        "position": position,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                    for position, film in enumerate(wanted, start=1)
                ],
            )
            self.session.execute(
                update(T.programme).where(P.id == found).values(updated_at=self.now)
            )
            changed.add(found)
            self.report.counts["programmes changed"] += 1
        self.report.counts["programmes"] += 1
        return int(found)

    def merge_films(self: Importer, first: Resolved, programme: int, films: list[int]) -> list[int]:
        """The films the programme is to show: the file's, unless they were changed by
        hand since this source last gave them and the file did not change them (or
        changed them otherwise: a conflict). The base becomes the file's."""
        source = self.match_state.sources.make(first.edition)  # type: ignore[arg-type]
        self.record_bases.read("programme", {(source, programme)})
        base = self.record_bases.get(source, "programme", programme)
        self.record_bases.keep(source, "programme", programme, {"films": films})
        self.record_bases.flush()
        if base is None or self.options.theirs:
            return films
        now, was = self.films_of(programme), base["films"]
        if now in (films, was):
            return films  # the file's already, or nobody else changed them
        if films == was:
            self.report.counts["programmes kept"] += 1
            return now  # changed by hand; the file did not change them: kept
        self.report.counts["programmes with conflicts"] += 1
        said = Message(
            f"{self.report.name}:{first.line}: the file changed the films of block "
            f"{first.source.block!r}, which were changed by hand since its last import; kept "
            "the catalogue's ({theirs} takes the file's)",
            mentions=("theirs",),
        )
        self.report.conflicts.append(said)
        self.emit({"type": "conflict", "file": self.report.name, "line": first.line,
                   "programme": programme, "message": said})  # fmt: skip
        return now

    def reject_other(self: Importer, rows: list[Resolved], stored: Any) -> None:
        """Reject a block's rows whose id is another screening's: of a film alone, or of
        another programme (a screening keeps what it shows; its id is its own)."""
        shows = "a film" if stored.film_id is not None else "another programme"
        for row in rows:
            message = (
                f"this id is screening #{stored.id}, of {shows}; a block's screening is "
                "its programme's: give it another id"
            )
            cell = row.values["external_id"] or ""
            issue = self.issue((row.source.file, row.line), "id", cell, message)
            self.reject(issue, row.source)

    def reject_block(
        self: Importer, rows: list[Resolved], title: str, programme: int, edition: int
    ) -> None:
        """Reject a block's rows: its title is a programme of another edition."""
        year = self.session.scalar(select(T.edition.c.year).where(T.edition.c.id == edition))
        for row in rows:
            message = (
                f"the festival's programme of that title is of its {year} edition "
                f"(#{programme}); a title is unique within a festival: give this edition's "
                "block another title"
            )
            self.reject(self.issue((row.source.file, row.line), "block", title, message),
                        row.source)  # fmt: skip

    def _festival_name(self: Importer, festival: int) -> str:
        return str(
            self.session.scalar(select(T.festival.c.name).where(T.festival.c.id == festival))
        )

    def block_file(self: Importer, rows: list[Resolved], programme: int) -> dict[str, Any]:
        """What a block's group says of its screening (its first row's values)."""
        first = rows[0]
        file = {
            **first.values,
            "film_id": None,
            "programme_id": programme,
            "edition_id": first.edition,
            "venue_id": first.venue,
        }
        file["status"] = file["status"] or "scheduled"
        file["visibility"] = file["visibility"] or "public"
        return file

    def pair_moved(self: Importer, found: list[Group]) -> None:
        """A block's screening the file moved (a new slot, and its old one not listed):
        the groups of a programme found no screening, and as many of its screenings this
        source made are left unclaimed: paired in start order, each is the same screening,
        moved (its uid kept), as a film's screening is."""
        claimed = {stored.id for *_, stored in found if stored is not None}
        waiting: dict[tuple[int, int], list[int]] = {}
        for number, (rows, programme, _, stored) in enumerate(found):
            if stored is None:
                waiting.setdefault((programme, rows[0].edition), []).append(number)  # type: ignore[arg-type]
        for (programme, edition), numbers in waiting.items():
            source = self.match_state.sources.make(edition)
            left = [
                row
                for row in self.session.execute(
                    select(*T.screening.c)
                    .where(
                        S.programme_id == programme,
                        S.edition_id == edition,
                        S.status != "cancelled",
                        S.id.in_(select(B.screening_id).where(B.source_id == source)),
                    )
                    .order_by(S.local_date, S.local_time, S.id)
                )
                if row.id not in claimed
            ]
            if len(left) != len(numbers):
                continue  # which is which cannot be told: new ones made, a sync cancels
            ordered = sorted(numbers, key=lambda n: _start(found[n][2]))
            for number, stored in zip(ordered, left, strict=True):
                rows, programme_id, file, _ = found[number]
                found[number] = (rows, programme_id, file, stored)

    def block_screening(
        self: Importer,
        rows: list[Resolved],
        programme: int,
        changed: set[int],
        file: dict[str, Any],
        stored: Any,
    ) -> None:
        """The screening of a block's group: made, or merged with what is stored."""
        first = rows[0]
        assert isinstance(first.edition, int)  # made with the rows' films
        source = self.match_state.sources.make(first.edition)
        said = dict(file)  # the file's own values: what its base keeps (merged below)
        base = None
        if stored is not None:
            base = self.session.execute(
                select(*T.screening_base.c).where(
                    B.source_id == source, B.screening_id == stored.id
                )
            ).first()
        groups = self.row_groups(file) - {"film"}
        if stored is None:
            uid = new_uids(self.settings.feed_domain, 1)[0]
            values = {k: file[k] for k in (*SHOWN, "programme_id", "external_id", "starts_at_utc")}
            number = self.session.execute(
                insert(T.screening)
                .values(**values, uid=uid, sequence=0, created_at=self.now, updated_at=self.now)
                .returning(S.id)
            ).scalar_one()
            self.block_state.made.add(number)
            self.report.counts[Outcome.CREATED] += 1
            self.emit({"type": "row", "outcome": Outcome.CREATED, "file": self.report.name,
                       "line": first.line, "uid": uid})  # fmt: skip
        else:
            number = stored.id
            current = dict(stored._mapping)
            kept = self.merge_block(first, file, base, current, groups)
            columns = [c for c in (*SHOWN, "external_id") if c != "film_id"]
            differs = [c for c in columns if file[c] != current[c]]
            if differs or programme in changed:
                bump = programme in changed or any(c != "external_id" for c in differs)
                values = {c: file[c] for c in columns}
                values["starts_at_utc"] = (  # of the wall time kept, the file's or the hand's
                    None
                    if file["local_time"] is None
                    else wall_to_utc(file["local_date"], file["local_time"], file["timezone"])
                )
                if bump:
                    values["sequence"] = current["sequence"] + 1
                    values["updated_at"] = self.now
                self.session.execute(update(T.screening).where(S.id == number).values(**values))
                self.block_state.made.add(number)  # bumped once, here
                moved = any(c in differs for c in ("venue_id", "city", "local_date", "local_time"))
                outcome = Outcome.MOVED if moved else Outcome.UPDATED
                self.report.counts[outcome] += 1
                self.emit({"type": "row", "outcome": outcome, "file": self.report.name,
                           "line": first.line, "uid": stored.uid})  # fmt: skip
            elif kept is not Outcome.CONFLICT:  # a conflict is counted as that alone
                self.report.counts[kept] += 1
        self.match_state.claimed[number] = first.line
        if number in self.block_state.made:  # made or changed: its clashes are checked
            self.touch([number])
        self.remember_block(number, said, groups, source, base)

    def merge_block(
        self: Importer,
        first: Resolved,
        file: dict[str, Any],
        base: Any,
        current: dict[str, Any],
        groups: set[str],
    ) -> Outcome:
        """``file`` merged three ways with the group's base and the stored screening
        (``bases.three_way``): the outcome, kept when a hand edit stays. A conflict keeps the
        catalogue's value, and is said, as for any screening (``--theirs`` takes the
        file's)."""
        if base is None:
            return Outcome.UNCHANGED
        stated = groups & set(base.stated.split(","))
        merged = three_way(file, dict(base._mapping), current, stated, theirs=self.options.theirs)
        for group in merged.conflicts:
            self.report.counts["conflicts"] += 1
            said = Message(
                f"{self.report.name}:{first.line}: the file changed the {group} of block "
                f"{first.source.block!r} (screening #{current['id']}), which was changed by "
                "hand since its last import; kept the catalogue's ({theirs} takes the file's)",
                mentions=("theirs",),
            )
            self.report.conflicts.append(said)
            self.emit({"type": "conflict", "file": self.report.name, "line": first.line,
                       "screening": current["id"], "message": said})  # fmt: skip
        if merged.conflicts:
            return Outcome.CONFLICT
        return Outcome.KEPT if merged.kept else Outcome.UNCHANGED

    def remember_block(
        self: Importer,
        number: int,
        file: dict[str, Any],
        groups: set[str],
        source: int,
        base: Any,
    ) -> None:
        """The group's screening's base, as this import leaves it: the file's values."""
        old = dict(base._mapping) if base is not None else None
        values = base_values({**file, "film_id": None}, groups, old, ())
        values["screening_id"] = number
        if base is None:
            self.session.execute(
                insert(T.screening_base).values(
                    **values, source_id=source, created_at=self.now, updated_at=self.now
                )
            )
        elif any(values[k] != base._mapping[k] for k in values):
            self.session.execute(
                update(T.screening_base)
                .where(B.id == base.id)
                .values(**values, updated_at=self.now)
            )

    def stored_block_screening(self: Importer, file: dict[str, Any], source: int) -> Any:
        """The stored screening the group is: by the file's id within the edition; else
        the one of its programme that this source's last import gave that slot (moved by
        hand since, perhaps); else the one of its programme in that slot."""
        if file["external_id"] is not None:
            found = self.session.execute(
                select(*T.screening.c).where(
                    S.external_id == file["external_id"],
                    S.edition_id.is_(None)
                    if file["edition_id"] is None
                    else S.edition_id == file["edition_id"],
                )
            ).first()
            if found is not None:
                return found
        for number, time, city in self.session.execute(
            select(S.id, B.local_time, B.city)
            .join(T.screening_base, B.screening_id == S.id)
            .where(
                B.source_id == source,
                S.programme_id == file["programme_id"],
                B.local_date == file["local_date"],
                B.venue_id.is_(None)
                if file["venue_id"] is None
                else B.venue_id == file["venue_id"],
            )
        ):
            if time == file["local_time"] and name_key(city or "") == name_key(file["city"] or ""):
                return self.session.execute(select(*T.screening.c).where(S.id == number)).first()
        for found in self.session.execute(
            select(*T.screening.c).where(
                S.programme_id == file["programme_id"],
                S.local_date == file["local_date"],
                S.venue_id.is_(None)
                if file["venue_id"] is None
                else S.venue_id == file["venue_id"],
            )
        ):
            if found.local_time == file["local_time"] and name_key(found.city or "") == name_key(
                file["city"] or ""
            ):
                return found
        return None

    def warn(self: Importer, text: str) -> None:
        said = Message(text)
        self.report.warnings.append(said)
        self.emit({"type": "warning", "kind": "block", "message": said})
