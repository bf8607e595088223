# mypy: disable-error-code="misc"
"""The end of an import: moves paired and screenings cancelled by a sync (only what the
source made or matched), possible moves said, the screenings of changed films and
selections bumped."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from screenings import tables as T
from screenings.errors import Message
from screenings.query import shows_film
from screenings.records import Outcome
from screenings.services.lineup.common import Resolved, distance, shown_when

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer

FILMS_NAMED = 5000  # films whose absent screenings are asked for by name; more: all


class Ending:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    # -- the end: moves, cancellations, fan-out bumps ------------------------------------------
    def finish(self: Importer) -> None:
        self.unblock()
        self.apply_blocks()
        if self.options.sync:
            self.sync()
        elif self.match_state.new_slots:
            self.suggest_moves()
        self.settle_skipped()
        self.bump()
        self.report.bumped -= self.print_state.bumped_by_rows  # said as their rows' updates

    def absent(self: Importer, films: set[int] | None = None) -> list[Any]:
        """Screenings of the editions in scope that this source made or matched (a
        screening added by hand is never the file's to cancel) and that the file does not
        list (and no rejected row could be), not cancelled already; of ``films`` only, if
        given (and not too many to name: then of all)."""
        sources = self.scope_sources()
        if not sources:
            return []
        S, B = T.screening.c, T.screening_base.c
        film_keys = {}
        if self.match_state.protected_titles:
            film_keys = dict(
                self.session.execute(
                    select(T.film.c.id, T.film.c.title_key).where(
                        T.film.c.id.in_(
                            select(S.film_id).where(S.edition_id.in_(self.edition_scope))
                        )
                    )
                ).all()
            )
        query = select(*T.screening.c).where(S.id < self.first_new_id)
        named: dict[str, Any] = {}
        if films is not None and len(films) <= FILMS_NAMED:
            # Asked for by film (their few screenings), the rest checked of those found:
            # with the editions and bases in the query, SQLite read every screening of
            # the editions, or every base of the sources (0.06 s for one film).
            query = query.where(S.film_id.in_(bindparam("films", expanding=True)))
            named["films"] = sorted(films)
            scope = set(self.edition_scope)
            listed = [s for s in self.session.execute(query.order_by(S.id), named)
                      if s.edition_id in scope]  # fmt: skip
            based = self.of_sources([s.id for s in listed], sources)
            candidates = [s for s in listed if s.id in based]
        else:
            candidates = list(
                self.session.execute(
                    query.where(
                        S.edition_id.in_(self.edition_scope),
                        S.id.in_(select(B.screening_id).where(B.source_id.in_(sources))),
                    ).order_by(S.id)
                )
            )
        found = []
        for s in candidates:
            if s.id in self.match_state.claimed or s.status == "cancelled":
                continue
            if s.external_id in self.match_state.protected_ids:
                continue
            if film_keys.get(s.film_id) in self.match_state.protected_titles:
                continue
            found.append(s)
        return found

    def of_sources(self: Importer, numbers: list[int], sources: set[int]) -> set[int]:
        """Those of the screenings ``numbers`` that have a base of one of ``sources``."""
        B = T.screening_base.c
        return {
            number
            for start in range(0, len(numbers), 1000)
            for number, source in self.session.execute(
                select(B.screening_id, B.source_id).where(
                    B.screening_id.in_(numbers[start : start + 1000])
                )
            )
            if source in sources
        }

    def scope_sources(self: Importer) -> set[int]:
        return {self.match_state.sources.find(e) for e in self.edition_scope} - {None}  # type: ignore[return-value]

    def sync(self: Importer) -> None:
        if not self.edition_scope:
            said = Message(
                "no row was read (every row was rejected), so the file is the whole of no "
                "edition it knows; nothing is cancelled"
                if self.report.counts[Outcome.REJECTED]
                and self.report.counts[Outcome.REJECTED] == self.report.counts["rows"]
                else "the file names no festival edition, so there is nothing it is the "
                "whole of; special screenings are never cancelled by absence",
                field="sync",
            )
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "sync", "message": said})
        if self.match_state.unprotectable and self.edition_scope:
            lines = ", ".join(str(n) for n in self.match_state.unprotectable[:5])
            said = Message(
                f"nothing cancelled or moved, since rejected line(s) {lines} name no "
                "film or id, and could be any screening",
                field="sync",
            )
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "sync", "message": said})
            self.flush_deferred()
            self.write_bases()
            return
        absent = self.absent()
        by_film: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for s in absent:
            by_film[(s.film_id, s.edition_id)].append(s)
        B = T.screening_base.c
        bases = {  # by source: a screening may have a base in more than one
            (b.source_id, b.screening_id): b
            for b in self.session.execute(
                select(T.screening_base).where(
                    B.screening_id.in_([s.id for s in absent]),
                    B.source_id.in_(self.scope_sources()),
                )
            )
        } if self.match_state.deferred else {}  # fmt: skip
        changes: list[dict[str, Any]] = []
        left: list[Resolved] = []
        for row in self.match_state.deferred:
            values = row.values
            candidates = by_film.get((values["film_id"], values["edition_id"]), [])
            if not candidates:
                left.append(row)
                continue
            best = min(candidates, key=lambda s: distance(s, values))
            candidates.remove(best)
            self.match_state.claimed[best.id] = row.line
            row.base = bases.get((self.match_state.sources.find(values["edition_id"]), best.id))
            if row.base is not None:  # moved by the file, and perhaps by hand since
                self.merge(row, best)
            change = self.change(best._mapping, values)
            self.conflicted(row, best)
            if change is None:  # the move conflicts with one made by hand
                self.unchanged(row, best)
                continue
            changes.append(change)
            self.changed(row, best, change, [])
            self.remember(row, best.id)
        self.write([], changes)
        self.match_state.deferred = left
        self.flush_deferred()
        self.write_bases()
        cancelled = [s for group in by_film.values() for s in group]
        if cancelled:
            # Their bases say so too: a file that lists one again, with a Status column,
            # changes the status the last import left, and reinstates it.
            B = T.screening_base.c
            self.session.execute(
                update(T.screening_base)
                .where(
                    B.screening_id.in_([s.id for s in cancelled]),
                    B.source_id.in_(self.scope_sources()),
                    B.status.is_not(None),
                )
                .values(status="cancelled", updated_at=self.now)
            )
            self.session.execute(
                update(T.screening)
                .where(T.screening.c.id.in_([s.id for s in cancelled]))
                .values(
                    status="cancelled",
                    sequence=T.screening.c.sequence + 1,
                    updated_at=self.now,
                )
            )
        self.report.counts[Outcome.CANCELLED] += len(cancelled)
        for s in cancelled:
            self.emit(
                {
                    "type": "row",
                    "outcome": Outcome.CANCELLED,
                    "file": self.report.name,
                    "line": None,
                    "screening": s.id,
                    "uid": s.uid,
                }
            )

    def flush_deferred(self: Importer) -> None:
        self.write([self.new_values(r) for r in self.match_state.deferred], [])
        self.match_state.deferred = []

    def suggest_moves(self: Importer) -> None:
        """Without a sync, a new slot of a film already shown in that edition may be a move
        the file meant: say so, with the slots the file no longer lists."""
        absent: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for s in self.absent({row.values["film_id"] for row in self.match_state.new_slots}):
            absent[(s.film_id, s.edition_id)].append(s)
        for row in self.match_state.new_slots:
            values = row.values
            gone = absent.get((values["film_id"], values["edition_id"]))
            if not gone:
                continue
            was = ", ".join(f"#{s.id} {shown_when(s._mapping)}" for s in gone)
            message = (
                f"{self.report.name}:{row.line}: {row.source.film.title} at "
                f"{shown_when(values)} is a new screening, and the file no longer lists {was}; "
                "if it moved, "
                "re-import with {sync} to move it (same uid) and cancel what is gone"
            )
            said = Message(message, mentions=("sync",))
            self.report.possible_moves.append(said)
            self.emit(
                {"type": "warning", "kind": "possible move", "line": row.line, "message": said}
            )

    def bump(self: Importer) -> None:
        """Screenings whose film (details, credits, links) or selection changed."""
        S = T.screening.c
        films = sorted(self.film_state.bump_films)
        for start in range(0, len(films), 1000):  # a film's new runtime may make a clash
            # Its screenings alone and in programmes (a programme shows its details too).
            showing = shows_film(films[start : start + 1000], self.session)
            self.touch(self.session.scalars(select(S.id).where(showing)))
            self.report.bumped += self.session.execute(
                update(T.screening)
                .where(showing, S.updated_at != self.now)
                .values(sequence=S.sequence + 1, updated_at=self.now)
            ).rowcount  # type: ignore[attr-defined]
        for film, edition in sorted(self.film_state.bump_selections):
            self.report.bumped += self.session.execute(
                update(T.screening)
                .where(S.film_id == film, S.edition_id == edition, S.updated_at != self.now)
                .values(sequence=S.sequence + 1, updated_at=self.now)
            ).rowcount  # type: ignore[attr-defined]
