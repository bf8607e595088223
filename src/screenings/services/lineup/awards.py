# mypy: disable-error-code="misc"
"""An awards file, row by row: nominations found by their key, created or updated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from screenings import tables as T
from screenings.keys import name_key
from screenings.records import AwardRow, Outcome, RowIssue
from screenings.services.awards import edition_of_year
from screenings.services.bases import merge_record
from screenings.services.catalog import unique_slugs
from screenings.services.lineup.common import Pending, Stated

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer


class Awards:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    # -- awards files ---------------------------------------------------------------------
    def award(self: Importer, row: AwardRow) -> None:
        """A nomination, found by its key (award, year, category, film, person): created,
        its result updated, or left as it is."""
        film = None
        if row.film is not None:  # found (or refused) before anything is created
            (found,) = self.films([(row.file, row.line, row.film)])
            if isinstance(found, RowIssue):
                self.reject(found)
                return
            if isinstance(found, Pending):
                found = self._create(found, "films")
            self.film_details([Stated(found, row.film, None, row.file, row.line)])
            film = found
        festival_id = None
        if row.festival:
            festival = self.festival(row.festival)[0]
            if isinstance(festival, Pending):
                festival = self._create(festival, "festivals")
            festival_id = festival
        award = self._award(row, festival_id)
        person = self.people([row.person])[name_key(row.person)] if row.person else None
        N = T.nomination.c
        category_key = name_key(row.category or "")
        stored = [
            s
            for s in self.session.execute(
                select(N.id, N.category, N.result, N.edition_id).where(
                    N.award_id == award,
                    N.year == row.year,
                    func.coalesce(N.film_id, 0) == (film or 0),
                    func.coalesce(N.person_id, 0) == (person or 0),
                )
            )
            if name_key(s.category or "") == category_key
        ]
        outcome = Outcome.UNCHANGED
        if not stored:
            edition = None
            if festival_id is not None:
                same_year = self.session.execute(
                    select(T.edition.c.id, T.edition.c.label).where(
                        T.edition.c.festival_id == festival_id, T.edition.c.year == row.year
                    )
                ).all()
                chosen = edition_of_year(same_year)
                edition = chosen.id if chosen is not None else None
            (number,) = self.insert(
                T.nomination,
                [
                    {
                        "award_id": award,
                        "edition_id": edition,
                        "year": row.year,
                        "category": row.category,
                        "film_id": film,
                        "person_id": person,
                        "result": row.result,
                    }
                ],
            )
            outcome = Outcome.CREATED
            self.record_bases.keep(
                self.award_sources.make(edition), "nomination", number, {"result": row.result}
            )
        else:
            outcome = self.nomination_result(row, stored[0])
        self.record_bases.flush()
        if outcome in {Outcome.KEPT, Outcome.CONFLICT}:  # counted by said_of_record
            return
        self.report.counts[f"nominations {outcome}"] += 1
        self.emit(
            {
                "type": "row",
                "outcome": outcome,
                "file": row.file,
                "line": row.line,
                "record": "nomination",
            }
        )

    def nomination_result(self: Importer, row: AwardRow, stored: Any) -> Outcome:
        """A stored nomination's result, merged three ways with what this edition's awards
        file gave it last (a result corrected by hand is kept); the outcome."""
        source = self.award_sources.find(stored.edition_id)
        if source is not None:
            self.record_bases.read("nomination", {(source, stored.id)})
        given, now = {"result": row.result}, {"result": stored.result}
        merged = merge_record(
            given,
            now,
            self.record_bases.get(source, "nomination", stored.id),
            theirs=self.options.theirs,
        )
        self.said_of_record(merged, (given, now), "nomination", stored.id, row)
        source = self.award_sources.make(stored.edition_id)
        self.record_bases.keep(source, "nomination", stored.id, merged.base)
        if merged.apply:
            self.session.execute(
                update(T.nomination)
                .where(T.nomination.c.id == stored.id)
                .values(result=row.result, updated_at=self.now)
            )
            return Outcome.UPDATED
        return (
            Outcome.CONFLICT
            if merged.conflicts
            else Outcome.KEPT
            if merged.kept
            else Outcome.UNCHANGED
        )

    def _award(self: Importer, row: AwardRow, festival_id: int | None) -> int:
        A = T.award.c
        key = name_key(row.award)
        same_festival = func.coalesce(A.festival_id, 0) == (festival_id or 0)
        found = self.session.scalar(select(A.id).where(A.name_key == key, same_festival))
        if found is not None:
            return int(found)
        name = " ".join(row.award.split())
        (number,) = self.insert(
            T.award,
            [
                {
                    "name": name,
                    "name_key": key,
                    "festival_id": festival_id,
                    "presenter": row.presenter,
                }
            ],
        )
        self.report.created("awards", name)
        return number

    def _create(self: Importer, pending: Pending, kind: str) -> int:
        if pending.id is None:
            slug_text = self._slug_text(pending)
            (slug,) = unique_slugs(self.session, pending.table.c.slug, [slug_text])
            (pending.id,) = self.insert(pending.table, [{**pending.values, "slug": slug}])
            self.report.created(kind, pending.label)
        return pending.id
