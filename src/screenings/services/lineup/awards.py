# mypy: disable-error-code="misc"
"""An awards file, row by row: nominations found by their key, created or updated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from screenings import tables as T
from screenings.keys import name_key
from screenings.records import AwardRow, RowIssue
from screenings.services.awards import edition_of_year
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
                select(N.id, N.category, N.result).where(
                    N.award_id == award,
                    N.year == row.year,
                    func.coalesce(N.film_id, 0) == (film or 0),
                    func.coalesce(N.person_id, 0) == (person or 0),
                )
            )
            if name_key(s.category or "") == category_key
        ]
        outcome = "unchanged"
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
            self.insert(
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
            outcome = "created"
        elif stored[0].result != row.result:
            self.session.execute(
                update(T.nomination)
                .where(N.id == stored[0].id)
                .values(result=row.result, updated_at=self.now)
            )
            outcome = "updated"
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
