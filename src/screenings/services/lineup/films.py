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
    FirstLines,
    FirstSaid,
    IdSet,
    Pairs,
    Pending,
    Resolved,
    Stated,
    StoredFilm,
    known,
    stated_details,
)

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer

# What a row states of its film that another row of it may state otherwise (of
# ``stated_details``: not the year, IMDb id or website, which find the film), and of its
# selection in an edition (``LineupRow.section``, ``premiere``, ``selection_status``), as
# the file's fields: its first row states each.
DETAIL_FIELDS = ("original_title", "runtime", "countries", "languages")
SELECTION_FIELDS = ("section", "premiere", "status")


def statement(fields: FilmFields) -> tuple[Any, ...]:
    """What a row states of its film, as ``DETAIL_FIELDS`` (not its IMDb id or website,
    which tell films apart: a row of another finds another film)."""
    return (
        fields.original_title,
        fields.runtime_minutes,
        fields.countries or None,
        fields.languages or None,
    )


def _same(value: Any, kept: Any) -> bool:
    """Whether two rows state a value alike: text whatever its case and accents, a list
    whatever its order ("Norway, Sweden" and "Sweden, Norway")."""
    if isinstance(value, str) and isinstance(kept, str):
        return name_key(value) == name_key(kept)
    if isinstance(value, tuple) and isinstance(kept, tuple):
        return sorted(map(name_key, value)) == sorted(map(name_key, kept))
    return bool(value == kept)


@dataclass
class FilmState:
    """What the films stage knows: the films and selections seen, what changed of them
    (their screenings are bumped at the end), and what a hand edit kept."""

    # Films with an id from here on are this import's own: their details are not news.
    first_new_film: int
    films_seen: IdSet = field(default_factory=IdSet)
    undated: set[int] = field(default_factory=set)  # films seen with no year yet
    selections_seen: Pairs = field(default_factory=Pairs)  # (film, edition)
    # What the first row read of a film states of it, and of its selection in an edition.
    details_said: FirstSaid = field(default_factory=FirstSaid)
    selections_said: FirstSaid = field(default_factory=FirstSaid)
    warned: set[tuple[int, int, str]] = field(default_factory=set)  # (film, edition, field)
    bump_films: set[int] = field(default_factory=set)
    bump_selections: set[tuple[int, int]] = field(default_factory=set)
    # Made by this chunk, until film_details.
    created_films: dict[int, dict[str, Any]] = field(default_factory=dict)
    films_kept: set[int] = field(default_factory=set)  # a hand edit kept something of
    unsettled_films: set[int] = field(default_factory=set)  # kept or in conflict
    unsettled: set[tuple[int, int]] = field(default_factory=set)  # selections likewise
    skipped_films: dict[int, int] = field(default_factory=dict)  # -> first skipped line
    skipped_selections: FirstLines = field(default_factory=FirstLines)  # likewise


@dataclass
class Credits:
    """The credits and links films have (as stored, then as this chunk adds them), and
    what it adds."""

    credits: dict[int, set[tuple[int, str]]] = field(default_factory=lambda: defaultdict(set))
    positions: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    links: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    new_credits: list[dict[str, Any]] = field(default_factory=list)
    new_links: list[dict[str, Any]] = field(default_factory=list)
    added: set[int] = field(default_factory=set)  # films given a credit or link


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
        # Found first by IMDb id: stored, or made by an earlier row of this chunk.
        by_imdb: dict[str, int | Pending] = {s.imdb_id: s.id for s in stored if s.imdb_id}
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
                found.append(by_imdb[fields.imdb_id])
                continue
            same = by_title.get(key, [])
            exact = [s for s in same if s.year == fields.year]
            if fields.year is None and len(same) > 1:
                years = ", ".join(str(s.year or "no year") for s in same)
                found.append(
                    self.issue(
                        (file, line),
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
                            (file, line),
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
                found.append(self.plan_film(planned[key], title, key, fields, by_imdb))
        return found

    def plan_film(
        self: Importer,
        planned: list[Pending],
        title: str,
        key: str,
        fields: FilmFields,
        by_imdb: dict[str, int | Pending],
    ) -> Pending:
        """A film new to the catalogue, the same as one an earlier row of this chunk named
        with the same title when the years allow (a row with no year, or a year where the
        other had none); found by its IMDb id (``by_imdb``) by a later row."""
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
        if fields.imdb_id:
            by_imdb[fields.imdb_id] = pending
        return pending

    def film_details(self: Importer, films: list[Stated]) -> None:
        """The first row of each film in this import states its details, credits and links:
        what differs from the catalogue is set (never cleared), and the film's screenings
        are bumped when a calendar would show it."""
        first, where = self.first_statements(films)
        if not first:
            return
        F = T.film.c
        stored = self.stored_films(first)
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
            self.said_of_record(merged, (given, current), "film", number, where[number])
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

    def first_statements(
        self: Importer, films: list[Stated]
    ) -> tuple[dict[int, FilmFields], dict[int, Stated]]:
        """What the first row of each film new to this import says of it, and that row
        (none for a film whose first row was skipped as unchanged); a year given by a
        later row to a film named first without one is set now."""
        first: dict[int, FilmFields] = {}
        where: dict[int, Stated] = {}  # the row that states each film's details
        dated: dict[int, int] = {}  # a year for a film the file named first without one
        state = self.film_state
        for stated in films:
            film, fields = stated.film, stated.fields
            number = film.id if isinstance(film, Pending) else film
            assert isinstance(number, int)
            if number not in state.films_seen:
                state.films_seen.add(number)
                if state.skipped_films.get(number, stated.line + 1) < stated.line:
                    continue  # an earlier row, skipped as unchanged, states them
                first[number] = fields
                where[number] = stated
                state.details_said.first(number, stated.line, statement(fields))
                continue
            if number in state.undated and fields.year is not None:
                state.undated.discard(number)
                dated[number] = fields.year
            self.said_otherwise((number, 0), stated, statement(fields))
        for number, year in dated.items():
            self.session.execute(
                update(T.film).where(T.film.c.id == number).values(year=year, updated_at=self.now)
            )
            if number < state.first_new_film:
                state.bump_films.add(number)
        return first, where

    def stored_films(self: Importer, first: dict[int, FilmFields]) -> dict[int, Any]:
        """The details the catalogue holds of these films (``StoredFilm``): a film this
        chunk created holds what it was created with, without asking."""
        created = dict(self.film_state.created_films)
        self.film_state.created_films.clear()
        stored: dict[int, Any] = {
            number: StoredFilm(number, *(values[k] for k in StoredFilm._fields[1:]))
            for number, values in created.items()
            if number in first
        }
        asked = [number for number in first if number not in stored]
        if asked:
            F = T.film.c
            columns = [F[k] for k in StoredFilm._fields]
            stored.update(
                (r.id, r) for r in self.session.execute(select(*columns).where(F.id.in_(asked)))
            )
        return stored

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
        have = self.credits_held([n for n in first if n < self.film_state.first_new_film])
        names = list(  # in the order of the file: new people are created (and slugged) so
            dict.fromkeys(
                name for f in first.values() for name in (*f.directors, *(n for _, n in f.credits))
            )
        )
        people = self.people(names)
        for film_id, fields in first.items():
            base = bases[film_id][1]
            removed = self.film_credits(film_id, fields, base, people, have)
            removed = self.film_links(film_id, fields, base, have) or removed
            if removed:
                self.film_state.unsettled_films.add(film_id)
            if removed and film_id not in self.film_state.films_kept:
                self.film_state.films_kept.add(film_id)
                self.report.counts["films kept"] += 1
        if have.new_credits:
            bulk_insert(self.session, T.credit, have.new_credits)
        if have.new_links:
            bulk_insert(self.session, T.film_link, have.new_links)
        stored = {number for number in have.added if number < self.film_state.first_new_film}
        self.film_state.bump_films |= stored
        return stored

    def credits_held(self: Importer, older: list[int]) -> Credits:
        """The credits and links the catalogue holds of these films (of the catalogue: a
        film this import created has none yet)."""
        C, L = T.credit.c, T.film_link.c
        have = Credits()
        if older:
            for film_id, person_id, role, position in self.session.execute(
                select(C.film_id, C.person_id, C.role, C.position).where(C.film_id.in_(older))
            ):
                have.credits[film_id].add((person_id, role))
                have.positions[film_id] = max(have.positions[film_id], position + 1)
            for film_id, url in self.session.execute(
                select(L.film_id, L.url).where(L.film_id.in_(older))
            ):
                have.links[film_id].add(url)
        return have

    def film_credits(
        self: Importer,
        film_id: int,
        fields: FilmFields,
        base: dict[str, Any],
        people: dict[str, int],
        have: Credits,
    ) -> bool:
        """Add the credits the row gives the film and it lacks (not those removed by hand,
        which the base holds); True if one was removed by hand. The base takes them."""
        had = set(base.get("credits", ()))
        removed = False
        wanted = [("director", d) for d in fields.directors] + [
            ("_".join(role.lower().split()), n) for role, n in fields.credits
        ]
        stated = []
        for role, name in wanted:
            person = people[name_key(name)]
            token = f"{person}:{role}"
            stated.append(token)
            if (person, role) in have.credits[film_id]:
                continue
            if token in had:
                removed = True  # removed by hand since the file gave it
                continue
            have.credits[film_id].add((person, role))
            have.new_credits.append(
                {"film_id": film_id, "person_id": person, "role": role,
                 "position": have.positions[film_id]}
            )  # fmt: skip
            have.positions[film_id] += 1
            have.added.add(film_id)
        if stated:
            base["credits"] = sorted(set(stated))
        return removed

    def film_links(
        self: Importer, film_id: int, fields: FilmFields, base: dict[str, Any], have: Credits
    ) -> bool:
        """``film_credits``, for the links (but the website, a detail of the film)."""
        had = set(base.get("links", ()))
        removed = False
        stated = [url for kind, url in fields.links if kind != "website"]
        for kind, url in fields.links:
            if kind == "website" or url in have.links[film_id]:
                continue
            if url in had:
                removed = True
                continue
            have.links[film_id].add(url)
            have.new_links.append({"film_id": film_id, "kind": kind, "url": url})
            have.added.add(film_id)
        if stated:
            base["links"] = sorted(set(stated))
        return removed

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
        first = self.first_selections(rows)
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
            change = self.merge_selection(now, stated, (film, edition), source)
            if change is not None:
                changed.append(change)
        self.report.counts["selections"] += len(first)
        self.report.counts["selections created"] += len(new)
        self.report.counts["selections updated"] += len(changed)
        self.insert_selections(new, new_given)
        if changed:
            self.session.execute(update(T.selection).where(S.id == bindparam("_id")), changed)
        self.record_bases.flush()

    def first_selections(self: Importer, rows: list[Resolved]) -> dict[tuple[int, int], LineupRow]:
        """The first row of each (film, edition) new to this import, by the pair; the
        editions go in the report's and the sync's scope."""
        first: dict[tuple[int, int], LineupRow] = {}
        for row in rows:
            if not isinstance(row.edition, int):
                continue
            self.report.edition_ids.add(row.edition)
            self.edition_scope.add(row.edition)
            if row.source.visibility == "private":
                # A private screening announces nothing: it puts its film in no
                # programme (as a private screening added by hand does not).
                continue
            assert isinstance(row.film, int)
            pair, source, state = (row.film, row.edition), row.source, self.film_state
            said = (source.section, source.premiere, source.selection_status)
            if pair not in state.selections_seen:
                state.selections_seen.add(pair)
            elif state.selections_said.get(*pair) is not None or source.line > (
                state.skipped_selections.get(*pair) or 0
            ):
                self.said_otherwise(pair, source, said)
                continue
            else:  # before the rows of it skipped as unchanged: this row states it
                self.report.counts["selections"] -= 1  # counted with them; counted below
            state.selections_said.first(row.film, source.line, said, within=row.edition)
            first[pair] = source
        return first

    def said_otherwise(
        self: Importer, key: tuple[int, int], row: LineupRow | Stated, said: tuple[Any, ...]
    ) -> None:
        """Warn, once for each field, of a later row that states its film (``key``: the
        film and 0) or its film's selection in an edition (the film and the edition)
        otherwise than the first row did, which is what the import takes. An empty cell
        states nothing."""
        film, edition = key
        state = self.film_state
        first = (state.selections_said if edition else state.details_said).get(film, edition)
        if first is None:  # its first row was skipped as unchanged: not read, not compared
            return
        line, stated = first
        if said == stated:  # most rows: as the first
            return
        for name, value, kept in zip(
            SELECTION_FIELDS if isinstance(row, LineupRow) else DETAIL_FIELDS,
            said,
            stated,
            strict=True,
        ):
            if value is None or value == kept or _same(value, kept):
                continue
            if (*key, name) in state.warned:
                continue
            state.warned.add((*key, name))
            if isinstance(row, LineupRow):
                where = f"{row.festival} {row.edition_year}" if row.festival else "its edition"
                kind, whose = "selection", f"{row.film.title!r} has one selection in {where},"
            else:
                kind, whose = "film", f"the details of {row.fields.title!r} are"
            column = self.columns.get(name, name)
            was = f"says {_cell(kept)}" if kept is not None else "leaves it empty"
            message = Message(
                f"{row.file}:{row.line}: column {column!r}: {_cell(value)} is not taken: "
                f"{whose} stated by its first row, line {line}, which {was}"
            )
            self.report.warnings.append(message)
            self.emit({"type": "warning", "kind": kind, "file": row.file, "line": row.line,
                       "column": column, "message": message})  # fmt: skip

    def merge_selection(
        self: Importer,
        now: Any,
        stated: dict[str, Any],
        pair: tuple[int, int],
        source: LineupRow,
    ) -> dict[str, Any] | None:
        """A stored selection merged three ways with what the row states; its change to
        write, if any (a change a calendar shows bumps its screenings)."""
        film, edition = pair
        base = self.record_bases.get(self.match_state.sources.find(edition), "selection", now.id)
        current = dict(now._mapping)
        merged = merge_record(stated, current, base, theirs=self.options.theirs)
        self.said_of_record(merged, (stated, current), "selection", now.id, source)
        if merged.kept or merged.conflicts:  # its rows go the whole way next time too
            self.film_state.unsettled.add(pair)
        self.record_bases.keep(
            self.match_state.sources.make(edition), "selection", now.id, merged.base
        )
        diff = merged.apply
        if not diff:
            return None
        if set(diff) - {"notes"}:  # its section, premiere and status show in calendars
            self.film_state.bump_selections.add((film, edition))
        values = {k: getattr(now, k) for k in ("section", "premiere", "status", "notes")}
        return {"_id": now.id, **values, **diff, "updated_at": self.now}

    def insert_selections(
        self: Importer, new: list[dict[str, Any]], given: list[dict[str, Any]]
    ) -> None:
        """Create these selections, each with its base: what its row stated."""
        if not new:
            return
        S = T.selection.c
        self.insert(T.selection, new)
        made = {
            (r.film_id, r.edition_id): r.id
            for r in self.session.execute(
                select(S.id, S.film_id, S.edition_id).where(
                    S.film_id.in_({v["film_id"] for v in new})
                )
            )
        }
        for values, stated in zip(new, given, strict=True):
            source_id = self.match_state.sources.make(values["edition_id"])
            number = made[(values["film_id"], values["edition_id"])]
            self.record_bases.keep(source_id, "selection", number, stated)

    def said_of_record(
        self: Importer,
        merged: RecordMerge,
        values: tuple[Mapping[str, Any], Mapping[str, Any]],
        kind: str,
        number: int,
        row: Any,
    ) -> None:
        """Count what a record's three-way comparison kept (as "films kept", ...), and say
        each conflict, with the file's value (``values[0]``), the last import's and the
        catalogue's (``values[1]``)."""
        given, now = values
        counted = f"{kind}s"
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


def _cell(value: Any) -> str:
    """A stated value as a message quotes it: a list as its cell's items."""
    return repr(", ".join(value)) if isinstance(value, tuple) else repr(value)
