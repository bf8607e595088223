"""The import's run: its state, the chunks of rows, and the records it creates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from screenings import tables as T
from screenings.config import Settings
from screenings.db import bulk_insert, queue_bulk_writer
from screenings.digests import Fingerprinter
from screenings.errors import InvalidInput, Message
from screenings.keys import city_key, name_key
from screenings.records import (
    AwardRow,
    FilmRow,
    ImportReport,
    LineupRow,
    Outcome,
    RowIssue,
    SourceFile,
    TravelRow,
    Unread,
)
from screenings.services.aliases import near_duplicate_note, near_duplicates
from screenings.services.bases import (
    RecordBases,
    Sources,
)
from screenings.services.catalog import unique_slugs
from screenings.services.check import NEAR_LIMIT
from screenings.services.lineup.awards import Awards
from screenings.services.lineup.blocks import Blocks, BlockState
from screenings.services.lineup.common import (
    CHUNK,
    STATES,
    STATES_GROUP,
    WINDOW,
    Emit,
    ImportOptions,
    Pending,
    Resolved,
    RowError,
    Stated,
    state_new_films,
)
from screenings.services.lineup.ending import Ending
from screenings.services.lineup.films import Films, FilmState
from screenings.services.lineup.fingerprints import Fingerprints, PrintState
from screenings.services.lineup.matching import Matching, MatchState
from screenings.services.lineup.places import Places, PlaceState
from screenings.services.lineup.travel import TravelState, TravelTimes
from screenings.services.lineup.writing import WriteState, Writing
from screenings.timeparse import wall_to_utc


class Importer(Fingerprints, Places, Films, Matching, Writing, Blocks, Ending, Awards, TravelTimes):
    """One import: the state its stages share, the run, and the records it creates."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        source: SourceFile,
        options: ImportOptions,
        emit: Emit | None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.options = options
        self.emit: Emit = emit or (lambda _record: None)
        self.reporting = emit is not None  # else the per-row records are not even made
        self.report = ImportReport(source.name)
        self.columns = {target: column for column, target in source.mapping if target}
        self.fields = set(self.columns)
        self.by_id = "id" in self.fields
        self.states = {c for f in self.fields for c in STATES.get(f, ())}
        self.now = T.utcnow()
        queue_bulk_writer(session)  # one import at a time, with room for its indexes
        self.first_new_id = (session.scalar(select(func.max(T.screening.c.id))) or 0) + 1
        # Each stage's own state (the stages are this class's bases, one module each).
        self.place_state = PlaceState()
        self.film_state = FilmState(
            first_new_film=(session.scalar(select(func.max(T.film.c.id))) or 0) + 1
        )
        # A frab schedule (or an iCalendar feed) of an edition is a source of its own,
        # beside the edition's lineup (tables.SOURCE_KINDS).
        kind = source.kind if source.kind in T.SOURCE_KINDS else "lineup"
        self.match_state = MatchState(sources=Sources(session, kind))
        self.write_state = WriteState()
        self.block_state = BlockState()
        self.print_state = PrintState(Fingerprinter(self.salt()))
        self.travel_state = TravelState()
        self.edition_scope: set[int] = set()
        self.record_bases = RecordBases(session)
        self.award_sources = Sources(session, "awards")  # an awards file's nominations
        self.stated = {"film", "when"} | {STATES_GROUP[f] for f in self.fields & set(STATES_GROUP)}
        if "venue" in self.fields:
            self.stated.add("place")
        self.refuse_an_edition()
        if options.edition_id is not None:
            self.edition_scope.add(options.edition_id)
            self.place_state.edition_zone[options.edition_id] = self._zone_of_edition(
                options.edition_id
            )

    # -- the run ----------------------------------------------------------------------
    def run(
        self,
        items: Iterable[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue | Unread],
        progress: Callable[[int], None] | None,
    ) -> None:
        iterator = iter(items)
        if self.options.held is not None:
            self.held_still(self.options.held.revision)
            self.skip_held(self.report.name, self.options.held)
        while window := list(islice(iterator, WINDOW)):
            left = self.skip_unchanged(window)
            for start in range(0, len(left), CHUNK):
                self.read_chunk(left[start : start + CHUNK])
            self.print_state.row_digests.clear()  # of rows rejected: the others' went
            if progress is not None:
                progress(self.report.counts["rows"])
        self.finish()
        if self.options.held is not None:
            self.held_alone()

    def read_chunk(
        self, chunk: list[LineupRow | FilmRow | AwardRow | TravelRow | RowIssue | Unread]
    ) -> None:
        """Read what a chunk's rows say and apply them (``chunk``), in the file's order."""
        rows: list[LineupRow | FilmRow] = []
        for unread in chunk:
            item = unread.read() if isinstance(unread, Unread) else unread
            if isinstance(item, RowIssue):
                if item.severity == "error":
                    self.report.counts["rows"] += 1
                    self.reject(item)
                else:
                    self.report.warnings.append(Message(str(item)))
                    self.emit({"type": "warning", **item._asdict()})
            elif isinstance(item, AwardRow):
                self.report.counts["rows"] += 1
                self.award(item)
            elif isinstance(item, TravelRow):
                self.report.counts["rows"] += 1
                self.travel(item)
            else:
                self.report.counts["rows"] += 1
                rows.append(item)
                for note in getattr(item, "notes", ()):  # how a date was read
                    message = f"{item.file}:{item.line}: {note}"
                    self.report.warnings.append(Message(message))
                    self.emit({"type": "warning", "kind": "note", "file": item.file,
                               "line": item.line, "message": note})  # fmt: skip
        if rows:
            self.chunk(rows)

    def issue(
        self,
        where: tuple[str, int],
        target: str,
        value: str,
        message: str,
        mentions: tuple[str, ...] = (),
    ) -> RowIssue:
        """An issue at ``where`` (file, line) naming the file's own column for the field
        ``target`` (none if absent); ``mentions``, the fields its message refers to
        (``{field}``)."""
        file, line = where
        return RowIssue(file, line, self.columns.get(target), value, message, mentions=mentions)

    def reject(self, issue: RowIssue, source: LineupRow | None = None) -> None:
        self.report.counts[Outcome.REJECTED] += 1
        self.report.issues.append(issue)
        self.emit(
            {
                "type": "row",
                "outcome": Outcome.REJECTED,
                "file": issue.file,
                "line": issue.line,
                "column": issue.column,
                "value": issue.value,
                "message": Message(issue.message, mentions=issue.mentions),
            }
        )
        # A rejected row protects the screenings it could be from a sync.
        external, title = issue.external_id, issue.title
        if source is not None:
            external, title = source.external_id, source.film.title
        if external:
            self.match_state.protected_ids.add(external)
        elif title:
            self.match_state.protected_titles.add(name_key(title))
        else:
            self.match_state.unprotectable.append(issue.line)

    # -- a chunk of rows ------------------------------------------------------------------
    def chunk(self, items: list[LineupRow | FilmRow]) -> None:
        """Everything about a row is found and checked before anything is written for it:
        a row rejected under skip_invalid leaves no festival, film or selection behind."""
        rows: list[Resolved] = []
        film_rows: list[FilmRow] = []
        # A block whose films are not known (a feed's "Shorts" event): its programme and
        # screening only, with no film to find (``blocks``).
        filmless: list[Resolved] = []
        self.find_editions([item for item in items if not isinstance(item, FilmRow)])
        for item in items:
            if isinstance(item, FilmRow):
                film_rows.append(item)
            elif (row := self.resolve(item)) is not None:
                if item.block is not None and item.film.title is None:
                    filmless.append(row)
                else:
                    rows.append(row)
        wanted = [(r.source.file, r.line, r.source.film) for r in rows]
        wanted += [(f.file, f.line, f.film) for f in film_rows]
        films = self.films(wanted)
        found: list[Resolved] = []
        for row, film in zip(rows, films, strict=False):
            if isinstance(film, RowIssue):
                self.reject(film, row.source)
            else:
                row.film = film
                found.append(row)
        details: list[Stated] = []
        for film_row, film in zip(film_rows, films[len(rows) :], strict=True):
            if isinstance(film, RowIssue):
                self.reject(film)
            else:
                details.append(Stated(film, film_row.film, None, film_row.file, film_row.line))
        kept = [r for r in found if r.source.kind == "selection"]
        # A block's rows wait for the whole file (``blocks``); their films and selections
        # are made with the others'.
        blocks = [r for r in found if r.source.kind == "screening" and r.source.block]
        kept += self.match(
            [r for r in found if r.source.kind == "screening" and not r.source.block]
        )
        kept += blocks
        self.block_state.rows += blocks + filmless
        # A programmes file's rows: selections, each a film's place in its block.
        self.block_state.places += [
            r for r in found if r.source.kind == "selection" and r.source.block
        ]
        kept.sort(key=lambda r: r.line)  # first rows first: they state a film's details
        films_of_file = [d.film for d in details]
        details += [Stated(r.film, r.source.film, r.edition, r.source.file, r.line) for r in kept]
        state_new_films(details)
        self.create_pending(kept + filmless, films_of_file)
        self.film_details(details)
        self.selections(kept)
        self.screenings([r for r in kept if r.source.kind == "screening" and not r.source.block])
        self.write_fingerprints()

    def touch(self, numbers: Iterable[int]) -> None:
        """Keep screenings made or changed, for the clash check, up to one more than the
        check takes one by one (``check.NEAR_LIMIT``)."""
        for number in numbers:
            if len(self.write_state.touched) > NEAR_LIMIT:
                return
            self.write_state.touched.add(number)

    def resolve(self, item: LineupRow) -> Resolved | None:
        """The row's edition, venue, zone and instant, found or planned; None if rejected."""
        row = Resolved(item.line, item)
        try:
            row.edition = self.edition(item)
            if item.kind == "selection":
                if row.edition is None:
                    raise RowError("festival", "", "a selection needs a festival and a year")
                return row
            if item.block is not None and row.edition is None:
                raise RowError(
                    "block",
                    item.block,
                    "a block is a programme of a festival: give the row's festival and year",
                )
            row.venue = self.venue(item)
            zone = self.zone(item, row)
            if isinstance(row.venue, Pending) and row.venue.values["timezone"] is None:
                # A venue new to the catalogue is where its first row says: every later
                # row there must agree (a venue has one zone).
                row.venue.values["timezone"] = zone
            time = item.local_time
            instant = None
            if time is not None:
                try:
                    instant = wall_to_utc(item.local_date, time, zone)
                except InvalidInput as exc:
                    column = "start" if "start" in self.fields else "time"
                    raise RowError(column, f"{time:%H:%M}", exc.detail) from None
            self.place_festival(item, row)
        except RowError as bad:
            issue = self.issue(
                (item.file, item.line), bad.column, bad.value, bad.message, bad.mentions
            )
            self.reject(issue, item)
            return None
        row.values = {
            "city": self.city(item.city) if row.venue is None else None,
            "local_date": item.local_date,
            "local_time": time,
            "timezone": zone,
            "starts_at_utc": instant,
            "duration_minutes": item.duration_minutes,
            "kind": item.screening_kind or "regular",
            "status": item.status,
            "visibility": item.visibility,
            "audience": item.audience,
            "ticket_url": item.ticket_url,
            "notes": item.remarks,
            "external_id": item.external_id,
        }
        return row

    # -- creating what valid rows use -------------------------------------------------------
    def create_pending(self, rows: list[Resolved], films: list[int | Pending]) -> None:
        """Festivals, editions, venues and films first named by these rows (and the films of
        a films file), in bulk."""
        for attribute, table, kind in (
            ("edition", T.festival, "festivals"),
            ("edition", T.edition, "editions"),
            ("venue", T.venue, "venues"),
            ("film", T.film, "films"),
        ):
            planned: dict[int, Pending] = {}
            if table is T.film:  # a films file's first, in its order
                planned = {id(f): f for f in films if isinstance(f, Pending) and f.id is None}
            planned |= self.planned(rows, attribute, table)
            if planned:
                self.create(table, kind, list(planned.values()))
        for row in rows:
            for attribute in ("edition", "venue", "film"):
                target = getattr(row, attribute)
                if isinstance(target, Pending):
                    setattr(row, attribute, target.id)

    def planned(self, rows: list[Resolved], attribute: str, table: Table) -> dict[int, Pending]:
        """The records of ``table`` these rows name (as ``attribute``) and that are yet to
        be made, by identity (a festival through its edition)."""
        pending: dict[int, Pending] = {}
        for row in rows:
            target = getattr(row, attribute)
            if table is T.festival and isinstance(target, Pending):
                target = target.values["festival_id"]
            if isinstance(target, Pending) and target.id is None and target.table is table:
                pending[id(target)] = target
        return pending

    def create(self, table: Table, kind: str, planned: list[Pending]) -> None:
        """Make these records, each with a unique slug; each ``Pending`` gets its id."""
        for p in planned:  # what they refer to was created just before
            for k, v in p.values.items():
                if isinstance(v, Pending):
                    p.values[k] = v.id
        slugs = unique_slugs(self.session, table.c.slug, [self._slug_text(p) for p in planned])
        values = [{**p.values, "slug": s} for p, s in zip(planned, slugs, strict=True)]
        for p, number in zip(planned, self.insert(table, values), strict=True):
            p.id = number
            self.report.created(kind, p.label)
            if table is T.venue:
                self.place_state.venue_zone[number] = p.values["timezone"]
                name, city = p.values["name_key"], city_key(p.values["city"])
                self.place_state.venues_made[number] = (name, city)
            elif table is T.film:
                self.film_state.created_films[number] = p.values
            if table in (T.venue, T.festival):
                self.near_duplicates(table.name, p.values, number)
        if table in (T.venue, T.film):
            key = "name_key" if table is T.venue else "title_key"
            self.made_aliased(table.name, [p.values[key] for p in planned])

    def near_duplicates(self, kind: str, values: dict[str, Any], number: int) -> None:
        """Warn of a new venue or festival whose name is near one made before it."""
        name, city = values["name"], values.get("city")
        near = [r for r in near_duplicates(self.session, kind, name, city) if r.id < number]
        if near:
            said = Message(f"{self.report.name}: " + near_duplicate_note(kind, name, city, near))
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "near duplicate", "message": said})

    def _slug_text(self, pending: Pending) -> str:
        v = pending.values
        if pending.table is T.edition:
            festival_slug = self.session.scalar(
                select(T.festival.c.slug).where(T.festival.c.id == v["festival_id"])
            )
            return f"{festival_slug} {v['year']} {v['label'] or ''}".strip()
        if pending.table is T.film:
            return f"{v['title']} {v['year'] or ''}".strip()
        return str(v["name"])

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` in one bulk statement; their new ids, in order (by their unique
        slugs: SQLite's driver would otherwise insert row by row to hand ids back)."""
        for row in rows:
            row.setdefault("created_at", self.now)
            row.setdefault("updated_at", self.now)
        if "slug" not in table.c:
            if len(rows) == 1:
                return [self.session.execute(insert(table).returning(table.c.id), rows[0]).one()[0]]
            bulk_insert(self.session, table, rows)
            return []
        bulk_insert(self.session, table, rows)
        slugs = [row["slug"] for row in rows]
        ids = dict(
            self.session.execute(
                select(table.c.slug, table.c.id).where(table.c.slug.in_(slugs))
            ).all()
        )
        return [ids[slug] for slug in slugs]
