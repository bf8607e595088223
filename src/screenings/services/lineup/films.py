# mypy: disable-error-code="misc"
"""What a row says of its film and its place in a programme: films found or planned, their
details, credits and links, people, and selections, each merged three ways with its
base."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select, update

from screenings import tables as T
from screenings.db import bulk_insert
from screenings.errors import Message
from screenings.keys import name_key
from screenings.records import FilmFields, LineupRow, RowIssue
from screenings.services.bases import (
    RecordMerge,
    merge_record,
)
from screenings.services.catalog import unique_slugs
from screenings.services.lineup.common import (
    RECORD_FIELDS,
    UNSTATED,
    IdSet,
    Pending,
    Resolved,
    Stated,
    StoredFilm,
    known,
    stated_details,
)

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer


@dataclass
class FilmState:
    """What the films stage knows: the films and selections seen, what changed of them
    (their screenings are bumped at the end), and what a hand edit kept."""

    # Films with an id from here on are this import's own: their details are not news.
    first_new_film: int
    films_seen: IdSet = field(default_factory=IdSet)
    undated: set[int] = field(default_factory=set)  # films seen with no year yet
    selections_seen: set[int] = field(default_factory=set)  # film id << 32 | edition id
    bump_films: set[int] = field(default_factory=set)
    bump_selections: set[tuple[int, int]] = field(default_factory=set)
    # Made by this chunk, until film_details.
    created_films: dict[int, dict[str, Any]] = field(default_factory=dict)
    films_kept: set[int] = field(default_factory=set)  # a hand edit kept something of
    unsettled_films: set[int] = field(default_factory=set)  # kept or in conflict
    unsettled: set[tuple[int, int]] = field(default_factory=set)  # selections likewise
    skipped_films: dict[int, int] = field(default_factory=dict)  # -> first skipped line


class Films:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    # -- films ------------------------------------------------------------------------------
    def films(
        self: Importer, wanted: list[tuple[str, int, FilmFields]]
    ) -> list[int | Pending | RowIssue]:
        """Each (file, line, film)'s film: stored (by IMDb id, else title and year), or planned."""
        keys = {name_key(f.title or "") for _, _, f in wanted}
        imdbs = {f.imdb_id for _, _, f in wanted if f.imdb_id}
        F = T.film.c
        stored = self.session.execute(
            select(F.id, F.title, F.title_key, F.year, F.imdb_id).where(
                or_(F.title_key.in_(keys), F.imdb_id.in_(imdbs))
            )
        ).all()
        by_title: dict[str, list[Any]] = defaultdict(list)
        by_imdb = {s.imdb_id: s for s in stored if s.imdb_id}
        for s in stored:
            by_title[s.title_key].append(s)
        titles = {name_key(f.title or ""): f for _, _, f in wanted}
        for key in sorted(keys - set(by_title)):  # a merged duplicate's title
            said = titles[key]
            if (kept := self.aliased("film", said.title or "", year=said.year)) is not None:
                by_title[key] = [
                    self.session.execute(
                        select(F.id, F.title, F.title_key, F.year, F.imdb_id).where(F.id == kept.id)
                    ).one()
                ]
        planned: dict[str, list[Pending]] = defaultdict(list)  # new films, by title key
        found: list[int | Pending | RowIssue] = []
        for file, line, fields in wanted:
            title = " ".join((fields.title or "").split())
            key = name_key(title)
            if fields.imdb_id and fields.imdb_id in by_imdb:
                found.append(by_imdb[fields.imdb_id].id)
                continue
            same = by_title.get(key, [])
            exact = [s for s in same if s.year == fields.year]
            if fields.year is None and len(same) > 1:
                years = ", ".join(str(s.year or "no year") for s in same)
                found.append(
                    self.issue(
                        file,
                        line,
                        "year",
                        "",
                        f"several films are called {title} ({years}); add a Year column",
                    )
                )
            elif exact or (fields.year is None and same):
                match = (exact or same)[0]
                if fields.imdb_id and match.imdb_id and match.imdb_id != fields.imdb_id:
                    found.append(
                        self.issue(
                            file,
                            line,
                            "imdb_id",
                            fields.imdb_id,
                            f"{match.title} has IMDb id {match.imdb_id} in the catalogue",
                        )
                    )
                else:
                    found.append(match.id)
            elif (undated := [s for s in same if s.year is None]) and len(undated) == 1:
                found.append(undated[0].id)  # its year is filled in below
            else:
                found.append(self.plan_film(planned[key], title, key, fields))
        return found

    def plan_film(
        self: Importer, planned: list[Pending], title: str, key: str, fields: FilmFields
    ) -> Pending:
        """A film new to the catalogue, the same as one an earlier row of this chunk named
        with the same title when the years allow (a row with no year, or a year where the
        other had none)."""
        year = fields.year
        same = [p for p in planned if year is None or p.values["year"] in {None, year}]
        if same:
            chosen = next((p for p in same if p.values["year"] == year), same[0])
            if year is not None and chosen.values["year"] is None:
                chosen.values["year"] = year
                chosen.label = f"{title} ({year})"
            return chosen
        pending = Pending(
            T.film,
            # The rest of its details are what its first valid row states: state_new_films.
            {
                "title": title,
                "title_key": key,
                **UNSTATED,
                "year": year,
                "imdb_id": fields.imdb_id,
            },
            f"{title} ({year})" if year else title,
        )
        planned.append(pending)
        return pending

    def film_details(self: Importer, films: list[Stated]) -> None:
        """The first row of each film in this import states its details, credits and links:
        what differs from the catalogue is set (never cleared), and the film's screenings
        are bumped when a calendar would show it."""
        first: dict[int, FilmFields] = {}
        where: dict[int, Stated] = {}  # the row that states each film's details
        dated: dict[int, int] = {}  # a year for a film the file named first without one
        for stated in films:
            film, fields = stated.film, stated.fields
            number = film.id if isinstance(film, Pending) else film
            assert isinstance(number, int)
            if number not in self.film_state.films_seen:
                self.film_state.films_seen.add(number)
                if self.film_state.skipped_films.get(number, stated.line + 1) < stated.line:
                    continue  # an earlier row, skipped as unchanged, states them
                first[number] = fields
                where[number] = stated
            elif number in self.film_state.undated and fields.year is not None:
                self.film_state.undated.discard(number)
                dated[number] = fields.year
        for number, year in dated.items():
            self.session.execute(
                update(T.film).where(T.film.c.id == number).values(year=year, updated_at=self.now)
            )
            if number < self.film_state.first_new_film:
                self.film_state.bump_films.add(number)
        if not first:
            return
        F = T.film.c
        # A film this chunk created holds what it was created with: no need to ask.
        created = dict(self.film_state.created_films)
        self.film_state.created_films.clear()
        stored: dict[int, Any] = {
            number: StoredFilm(number, *(values[k] for k in StoredFilm._fields[1:]))
            for number, values in created.items()
            if number in first
        }
        asked = [number for number in first if number not in stored]
        if asked:
            columns = [F[k] for k in StoredFilm._fields]
            stored.update(
                (r.id, r) for r in self.session.execute(select(*columns).where(F.id.in_(asked)))
            )
        updates = []
        updated: set[int] = set()  # films of the catalogue the file changes
        sources = {n: self.match_state.sources.find(known(where[n].edition)) for n in first}
        film_bases: dict[int, tuple[int, dict[str, Any]]] = {}
        self.record_bases.read("film", {(s, n) for n, s in sources.items() if s is not None})
        for number, fields in first.items():
            now = stored[number]
            given = {k: v for k, v in stated_details(fields).items() if v is not None}
            current = now._asdict()
            merged = merge_record(
                given,
                current,
                self.record_bases.get(sources[number], "film", number),
                theirs=self.options.theirs,
            )
            self.said_of_record(merged, (given, current), "film", number, where[number], "films")
            source = self.match_state.sources.make(known(where[number].edition))
            film_bases[number] = (source, merged.base)  # kept once credits and links join it
            changed = merged.apply
            if changed.get("year", now.year) is None:
                self.film_state.undated.add(number)
            if changed:
                updates.append({"_id": number, **{**now._asdict(), **changed}})
                if number < self.film_state.first_new_film:
                    updated.add(number)
                    if set(changed) - {"imdb_id"}:
                        self.film_state.bump_films.add(number)
        if updates:
            for u in updates:
                u.pop("id", None)
                u["updated_at"] = self.now
            self.session.execute(update(T.film).where(F.id == bindparam("_id")), updates)
        updated |= self.credits_and_links(first, film_bases)
        for number, (source, held) in film_bases.items():
            self.record_bases.keep(source, "film", number, held)
        self.report.counts["films updated"] += len(updated)
        self.record_bases.flush()

    def credits_and_links(
        self: Importer,
        first: dict[int, FilmFields],
        bases: dict[int, tuple[int, dict[str, Any]]],
    ) -> set[int]:
        """Credits and links the file adds to these films; the films of the catalogue
        that got one (their screenings are bumped: credits and links show in calendars).
        A credit or link the film's base holds (the file gave it before) and the catalogue
        does not was removed by hand: it is not added again. ``bases``: each film's base,
        given its credits and links as the file states them."""
        C, L = T.credit.c, T.film_link.c
        credits: dict[int, set[tuple[int, str]]] = defaultdict(set)
        positions: dict[int, int] = defaultdict(int)
        links: dict[int, set[str]] = defaultdict(set)
        # A film this import created has none yet: this is its first row.
        older = [number for number in first if number < self.film_state.first_new_film]
        if older:
            for film_id, person_id, role, position in self.session.execute(
                select(C.film_id, C.person_id, C.role, C.position).where(C.film_id.in_(older))
            ):
                credits[film_id].add((person_id, role))
                positions[film_id] = max(positions[film_id], position + 1)
            for film_id, url in self.session.execute(
                select(L.film_id, L.url).where(L.film_id.in_(older))
            ):
                links[film_id].add(url)
        names = list(  # in the order of the file: new people are created (and slugged) so
            dict.fromkeys(
                name for f in first.values() for name in (*f.directors, *(n for _, n in f.credits))
            )
        )
        people = self.people(names)
        new_credits, new_links = [], []
        added: set[int] = set()
        for film_id, fields in first.items():
            base = bases[film_id][1]
            had_credits = set(base.get("credits", ()))
            had_links = set(base.get("links", ()))
            removed = False
            wanted = [("director", d) for d in fields.directors] + [
                ("_".join(role.lower().split()), n) for role, n in fields.credits
            ]
            stated_credits = []
            for role, name in wanted:
                person = people[name_key(name)]
                token = f"{person}:{role}"
                stated_credits.append(token)
                if (person, role) not in credits[film_id] and token in had_credits:
                    removed = True  # removed by hand since the file gave it
                elif (person, role) not in credits[film_id]:
                    credits[film_id].add((person, role))
                    new_credits.append(
                        {
                            "film_id": film_id,
                            "person_id": person,
                            "role": role,
                            "position": positions[film_id],
                        }
                    )
                    positions[film_id] += 1
                    added.add(film_id)
            stated_links = [url for kind, url in fields.links if kind != "website"]
            for kind, url in fields.links:
                if kind != "website" and url not in links[film_id] and url in had_links:
                    removed = True
                elif kind != "website" and url not in links[film_id]:
                    links[film_id].add(url)
                    new_links.append({"film_id": film_id, "kind": kind, "url": url})
                    added.add(film_id)
            if stated_credits:
                base["credits"] = sorted(set(stated_credits))
            if stated_links:
                base["links"] = sorted(set(stated_links))
            if removed:
                self.film_state.unsettled_films.add(film_id)
            if removed and film_id not in self.film_state.films_kept:
                self.film_state.films_kept.add(film_id)
                self.report.counts["films kept"] += 1
        if new_credits:
            bulk_insert(self.session, T.credit, new_credits)
        if new_links:
            bulk_insert(self.session, T.film_link, new_links)
        stored = {number for number in added if number < self.film_state.first_new_film}
        self.film_state.bump_films |= stored
        return stored

    def people(self: Importer, names: list[str]) -> dict[str, int]:
        """Person ids by name key; people named for the first time are created."""
        by_key = {name_key(n): " ".join(n.split()) for n in names}
        P = T.person.c
        found = dict(
            self.session.execute(select(P.name_key, P.id).where(P.name_key.in_(by_key))).all()
        )
        for k in [k for k in by_key if k not in found]:  # a merged duplicate's name
            if (kept := self.aliased("person", by_key[k])) is not None:
                found[k] = kept.id
        missing = [k for k in by_key if k not in found]
        if missing:
            slugs = unique_slugs(self.session, T.person.c.slug, [by_key[k] for k in missing])
            rows = [
                {"name": by_key[k], "name_key": k, "slug": s}
                for k, s in zip(missing, slugs, strict=True)
            ]
            for row, number in zip(rows, self.insert(T.person, rows), strict=True):
                found[row["name_key"]] = number
                self.report.created("people", row["name"])
        return found

    # -- selections -------------------------------------------------------------------------
    def selections(self: Importer, rows: list[Resolved]) -> None:
        """A row with an edition puts its film in that edition's programme (a private
        screening's row does not: it announces nothing); the first row of
        a film there states its section, premiere and status (an empty cell states nothing)."""
        first: dict[tuple[int, int], LineupRow] = {}
        for row in rows:
            if isinstance(row.edition, int):
                self.report.edition_ids.add(row.edition)
                self.edition_scope.add(row.edition)
                if row.source.visibility == "private":
                    # A private screening announces nothing: it puts its film in no
                    # programme (as a private screening added by hand does not).
                    continue
                assert isinstance(row.film, int)
                key = (row.film, row.edition)
                packed = row.film << 32 | row.edition  # an int: far smaller than a tuple
                if packed not in self.film_state.selections_seen:
                    self.film_state.selections_seen.add(packed)
                    first[key] = row.source
        if not first:
            return
        S = T.selection.c
        stored = {
            (r.film_id, r.edition_id): r
            for r in self.session.execute(
                # By film alone: a film is in few editions, and a film-by-edition IN would
                # probe the index for every pair of the two lists.
                select(
                    S.id, S.film_id, S.edition_id, S.section, S.premiere, S.status, S.notes
                ).where(S.film_id.in_({f for f, _ in first}))
            )
        }
        sources = {edition: self.match_state.sources.find(edition) for _, edition in first}
        self.record_bases.read(
            "selection",
            {(found, now.id) for (_, e), now in stored.items() if (found := sources.get(e))},
        )
        new, changed = [], []
        new_given: list[dict[str, Any]] = []
        for (film, edition), source in first.items():
            given = {
                "section": source.section,
                "premiere": source.premiere,
                "status": source.selection_status,
                # A row with no date is the selection itself: its notes are the selection's.
                "notes": source.remarks if source.kind == "selection" else None,
            }
            stated = {k: v for k, v in given.items() if v is not None}
            now = stored.get((film, edition))
            if now is None:
                new.append(
                    {
                        "film_id": film,
                        "edition_id": edition,
                        **{k: v for k, v in given.items() if k != "status"},
                        "status": given["status"] or "selected",
                    }
                )
                new_given.append(stated)
                continue
            base = self.record_bases.get(sources[edition], "selection", now.id)
            current = dict(now._mapping)
            merged = merge_record(stated, current, base, theirs=self.options.theirs)
            self.said_of_record(
                merged, (stated, current), "selection", now.id, source, "selections"
            )
            if merged.kept or merged.conflicts:  # its rows go the whole way next time too
                self.film_state.unsettled.add((film, edition))
            self.record_bases.keep(
                self.match_state.sources.make(edition), "selection", now.id, merged.base
            )
            diff = merged.apply
            if diff:
                values = {k: getattr(now, k) for k in ("section", "premiere", "status", "notes")}
                changed.append({"_id": now.id, **values, **diff, "updated_at": self.now})
                if set(diff) - {"notes"}:  # its section, premiere and status show in calendars
                    self.film_state.bump_selections.add((film, edition))
        self.report.counts["selections"] += len(first)
        self.report.counts["selections created"] += len(new)
        self.report.counts["selections updated"] += len(changed)
        if new:
            self.insert(T.selection, new)
            made = {
                (r.film_id, r.edition_id): r.id
                for r in self.session.execute(
                    select(S.id, S.film_id, S.edition_id).where(
                        S.film_id.in_({v["film_id"] for v in new})
                    )
                )
            }
            for values, stated in zip(new, new_given, strict=True):
                source_id = self.match_state.sources.make(values["edition_id"])  # type: ignore[arg-type]
                number = made[(values["film_id"], values["edition_id"])]
                self.record_bases.keep(source_id, "selection", number, stated)
        if changed:
            self.session.execute(update(T.selection).where(S.id == bindparam("_id")), changed)
        self.record_bases.flush()

    def said_of_record(
        self: Importer,
        merged: RecordMerge,
        values: tuple[Mapping[str, Any], Mapping[str, Any]],
        kind: str,
        number: int,
        row: Any,
        counted: str,
    ) -> None:
        """Count what a record's three-way comparison kept, and say each conflict, with the
        file's value (``values[0]``), the last import's and the catalogue's (``values[1]``)."""
        given, now = values
        if kind == "film" and (merged.kept or merged.conflicts):
            self.film_state.unsettled_films.add(number)  # its rows go the whole way next time too
        if merged.kept and not (counted == "films" and number in self.film_state.films_kept):
            self.report.counts[f"{counted} kept"] += 1
            if counted == "films":
                self.film_state.films_kept.add(number)
        if not merged.conflicts:
            return
        self.report.counts[f"{counted} with conflicts"] += 1
        for key in merged.conflicts:
            column = self.columns.get(RECORD_FIELDS.get(key, key))
            where = f" column {column!r}:" if column else ""
            message = (
                f"{row.file}:{row.line}:{where} the file says {given[key]!r} (it said "
                f"{merged.base[key]!r} at the last import), the catalogue says {now[key]!r} "
                f"(changed since); kept the catalogue's ({kind} #{number}; {{theirs}} takes "
                "the file's)"
            )
            said = Message(message, mentions=("theirs",))
            self.report.conflicts.append(said)
            self.emit({"type": "conflict", "file": row.file, "line": row.line, "column": column,
                       "field": key, "record": kind, "id": number, "message": said})  # fmt: skip
