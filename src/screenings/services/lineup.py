"""Applying a parsed lineup to the catalogue: idempotent, all or nothing, set-based.

``import_lineup`` takes the records of ``screenings.parsers.lineup`` and makes
the catalogue say what the file says, changing exactly what differs:

- films, people, festivals, editions, venues and selections are found by
  their keys (and IMDb id), never duplicated, and created when new;
- a row matches a stored screening by its id column (within its edition)
  when the file has one, else by its slot (film, venue or city, local date,
  local time); a matched screening keeps its ``uid``, and its ``sequence``
  goes up only when something a calendar shows changed;
- with ``sync``, the file is the whole of each edition it names: screenings
  of those editions it does not list are cancelled (never deleted), and,
  for a file without an id column, a disappeared slot and a new slot of the
  same film are paired as a move (same venue first, then nearest time). A
  rejected row protects the screenings it could be.

Rows go through in chunks, each with a handful of set-based statements (a
query per kind of record, one bulk insert, one bulk update), so the work per
row is small and memory holds a chunk, not the file (beyond a few integers per
film and per matched screening). A row is found, matched and checked before
anything is created for it. Awards files, small, go row by row. Every outcome
goes to ``emit`` as it happens (the ``--report`` file); the report keeps counts.

The caller owns the transaction: a file with a rejected row is refused with
``ImportRejected`` once every row was read (so every problem is listed), and
the unit of work rolls back; with ``skip_invalid`` the valid rows stand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from screenings import lookup
from screenings import tables as T
from screenings.config import Settings
from screenings.db import bulk_insert, queue_bulk_writer
from screenings.errors import InvalidInput, Message, ScreeningsError
from screenings.keys import name_key, new_uids
from screenings.records import AwardRow, FilmFields, FilmRow, LineupRow, RowIssue
from screenings.services.aliases import near_duplicate_note, near_duplicates
from screenings.services.awards import edition_of_year
from screenings.services.bases import (
    Merged,
    RecordBases,
    RecordMerge,
    Sources,
    base_values,
    merge_record,
    read_bases,
    three_way,
)
from screenings.services.bases import base_of as find_base_of
from screenings.services.catalog import stored_places, unique_slugs
from screenings.services.changes import SCREENING_SHOWN
from screenings.services.schedule import choose_zone
from screenings.tables import SCREENING_GROUPS
from screenings.timeparse import wall_to_utc

CHUNK = 2000
NAMED = 10  # new records named in the report, per kind
Emit = Callable[[dict[str, Any]], None]

# The screening columns a calendar shows (its film too: a row may name another film).
SHOWN = ("film_id", *SCREENING_SHOWN)
SLOT = ("venue_id", "city", "local_date", "local_time")
# What matching and comparing read of a stored screening (instants are derived, and
# reading them costs a conversion each).
MATCHED = [T.screening.c[c] for c in ("id", "uid", "external_id", "sequence", "updated_at", *SHOWN)]
# Field of the file -> the screening columns it states when the file has it.
STATES = {  # (the venue and city columns: see _Importer.change)
    "duration": ("duration_minutes",),
    "end": ("duration_minutes",),
    "kind": ("kind",),
    "audience": ("audience",),
    "ticket_url": ("ticket_url",),
    "notes": ("notes",),
}
# A record's field -> the field of the file that states it (for a conflict's column).
RECORD_FIELDS = {"runtime_minutes": "runtime", "imdb_id": "imdb_id", "status": "status"}
# Field of the file -> the group of a screening's fields it states (bases.SCREENING_GROUPS).
STATES_GROUP = {
    "duration": "duration",
    "end": "duration",
    "kind": "kind",
    "audience": "audience",
    "ticket_url": "ticket_url",
    "notes": "notes",
}


_UNSEEN = object()


class ImportRejected(InvalidInput):
    """The file has rejected rows and ``skip_invalid`` was not given: nothing is kept."""

    def __init__(self, report: ImportReport) -> None:
        rejected = report.counts["rejected"]
        if len(report.issues) == 1 and report.counts["rows"] == 1:
            issue = report.issues[0]  # the file, or its one row
            super().__init__(f"{issue}; nothing was imported", mentions=issue.mentions)
        else:
            super().__init__(
                f"{report.name}: {rejected} row{'s' if rejected != 1 else ''} rejected; nothing "
                "was imported (fix them, or {skip_invalid} to import the valid rows)",
                mentions=("skip_invalid",),
            )
        self.report = report


class ImportConflicted(ScreeningsError):
    """A file changes what was edited by hand since its last import, and
    ``fail_on_conflict`` was given: nothing is kept."""

    exit_code = 1

    def __init__(self, report: ImportReport) -> None:
        count = len(report.conflicts)
        super().__init__(
            f"{report.name}: {count} conflict{'s' if count != 1 else ''} with edits made by "
            "hand since the last import; nothing was imported (re-import with {theirs} to "
            "take the file's values, or without {fail_on_conflict} to apply the rest)",
            mentions=("theirs", "fail_on_conflict"),
        )
        self.report = report


@dataclass
class ImportOptions:
    """What the import command adds to the parser's options."""

    sync: bool = False
    skip_invalid: bool = False
    theirs: bool = False  # the file wins over hand edits, where they disagree
    fail_on_conflict: bool = False  # a conflict refuses the whole file
    # The edition the door names (an edition, or a festival and a year),
    # found by the caller; rows without a festival of their own belong to it.
    edition_id: int | None = None


@dataclass
class ImportReport:
    """What an import did, in counts, with the problems and warnings to show."""

    name: str
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "rows",
                "created",
                "updated",
                "moved",
                "unchanged",
                "kept",
                "kept removed",
                "conflicts",
                "cancelled",
                "rejected",
                "selections",
                "selections created",
                "selections updated",
                "selections kept",
                "selections with conflicts",
                "films kept",
                "films with conflicts",
                "nominations created",
                "nominations updated",
                "nominations unchanged",
                "films updated",
            ),
            0,
        )
    )
    new: dict[str, list[str]] = field(
        default_factory=lambda: {
            k: [] for k in ("festivals", "editions", "films", "people", "venues", "awards")
        }
    )
    new_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    issues: list[RowIssue] = field(default_factory=list)  # errors: rejected rows
    warnings: list[Message] = field(default_factory=list)
    possible_moves: list[Message] = field(default_factory=list)
    conflicts: list[Message] = field(default_factory=list)  # file and hand edit disagree
    edition_ids: set[int] = field(default_factory=set)
    bumped: int = 0  # other screenings whose film or selection changed

    def created(self, kind: str, label: str) -> None:
        """Count a new record; name the first few (a big file creates thousands)."""
        self.new_counts[kind] += 1
        if len(self.new[kind]) < NAMED:
            self.new[kind].append(label)


@dataclass(eq=False)  # compared and hashed by identity: it stands for one new record
class _Pending:
    """A record to create once a valid row uses it (a rejected row creates nothing)."""

    table: Table
    values: dict[str, Any]
    label: str
    id: int | None = None


@dataclass
class _Row:
    """A valid screening or selection row, resolved to ids, on its way to the database."""

    line: int
    source: LineupRow
    film: int | _Pending | None = None
    edition: int | _Pending | None = None
    venue: int | _Pending | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the screening's columns
    match: Any = None  # the stored screening it is, if any
    deferred: bool = False  # a sync without ids: a new slot that may turn out a move
    blocked_by: int | None = None  # the screening holding the slot this row moves into
    base: Any = None  # what this source's last import gave the screening (bases)
    file_values: dict[str, Any] | None = None  # the row's own values, before the merge
    merged: Merged | None = None
    base_current: bool = False  # file, base and catalogue agree: the base stays as it is


def import_lineup(
    session: Session,
    settings: Settings,
    name: str,
    mapping: list[tuple[str, str]],
    items: Iterable[LineupRow | FilmRow | AwardRow | RowIssue],
    options: ImportOptions,
    emit: Emit | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Apply a parsed file (``mapping``: its columns and the fields they map to) and report.

    Raises ``ImportRejected`` after reading every row when a row was rejected and
    ``options.skip_invalid`` is false; the caller's transaction then rolls back.
    """
    importer = _Importer(session, settings, name, mapping, options, emit)
    importer.run(items, progress)
    if importer.report.counts["rejected"] and not options.skip_invalid:
        raise ImportRejected(importer.report)
    if importer.report.conflicts and options.fail_on_conflict:
        raise ImportConflicted(importer.report)
    return importer.report


class _Importer:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        name: str,
        mapping: list[tuple[str, str]],
        options: ImportOptions,
        emit: Emit | None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.options = options
        self.emit: Emit = emit or (lambda _record: None)
        self.reporting = emit is not None  # else the per-row records are not even made
        self.report = ImportReport(name)
        self.columns = {target: column for column, target in mapping if target}
        self.fields = set(self.columns)
        self.by_id = "id" in self.fields
        self.states = {c for f in self.fields for c in STATES.get(f, ())}
        self.now = T.utcnow()
        queue_bulk_writer(session)  # one import at a time, with room for its indexes
        self.first_new_id = (session.scalar(select(func.max(T.screening.c.id))) or 0) + 1
        self.festivals: dict[str, tuple[int | _Pending, str | None]] = {}
        self.editions: dict[tuple[str, int, str], int | _Pending] = {}
        self.edition_zone: dict[int, str | None] = {}
        self.venues: dict[tuple[str, str | None], int | _Pending | str] = {}
        self.venue_zone: dict[int, str | None] = {}
        self.cities: dict[str, str] | None = None
        self.claimed: dict[int, int] = {}  # screening id -> the line that claimed it
        self.films_seen = _IdSet()
        self.undated: set[int] = set()  # films seen with no year yet
        # Films with an id from here on are this import's own: their details are not news.
        self.first_new_film = (session.scalar(select(func.max(T.film.c.id))) or 0) + 1
        self.selections_seen: set[int] = set()  # film id << 32 | edition id
        self.bump_films: set[int] = set()
        self.bump_selections: set[tuple[int, int]] = set()
        self.created_films: dict[int, dict[str, Any]] = {}  # by this chunk, until film_details
        self.protected_ids: set[str] = set()
        self.protected_titles: set[str] = set()
        self.unprotectable: list[int] = []
        self.deferred: list[_Row] = []  # a sync, no id column: new slots that may be moves
        self.deferred_slots: dict[tuple[Any, ...], int] = {}
        self.blocked: list[tuple[_Row, dict[str, Any]]] = []  # see unblock()
        self.new_slots: list[_Row] = []  # new slots of films already shown there
        self.edition_scope: set[int] = set()
        self.sources = Sources(session)
        self.record_bases = RecordBases(session)
        self.festival_places: dict[tuple[int, str], tuple[str, int]] = {}  # see place_festival
        self.festival_places_warned: set[tuple[int, str]] = set()
        self.stated = {"film", "when"} | {STATES_GROUP[f] for f in self.fields & set(STATES_GROUP)}
        if "venue" in self.fields:
            self.stated.add("place")
        self.based: set[int] = set()  # screenings this import found through their base
        self.base_inserts: list[dict[str, Any]] = []
        self.base_updates: list[dict[str, Any]] = []
        self.found: dict[str, dict[Any, Any]] = defaultdict(dict)  # by spelling: see edition()
        if options.edition_id is not None:
            self.edition_scope.add(options.edition_id)
            self.edition_zone[options.edition_id] = self._zone_of_edition(options.edition_id)

    # -- the run ----------------------------------------------------------------------
    def run(
        self,
        items: Iterable[LineupRow | FilmRow | AwardRow | RowIssue],
        progress: Callable[[int], None] | None,
    ) -> None:
        iterator = iter(items)
        while chunk := list(islice(iterator, CHUNK)):
            rows: list[LineupRow | FilmRow] = []
            for item in chunk:
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
            if progress is not None:
                progress(self.report.counts["rows"])
        self.finish()

    def issue(
        self,
        file: str,
        line: int,
        target: str,
        value: str,
        message: str,
        mentions: tuple[str, ...] = (),
    ) -> RowIssue:
        """An issue naming the file's own column for the field ``target`` (none if absent);
        ``mentions``, the fields its message refers to (``{field}``)."""
        return RowIssue(file, line, self.columns.get(target), value, message, mentions=mentions)

    def reject(self, issue: RowIssue, source: LineupRow | None = None) -> None:
        self.report.counts["rejected"] += 1
        self.report.issues.append(issue)
        self.emit(
            {
                "type": "row",
                "outcome": "rejected",
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
            self.protected_ids.add(external)
        elif title:
            self.protected_titles.add(name_key(title))
        else:
            self.unprotectable.append(issue.line)

    # -- a chunk of rows ------------------------------------------------------------------
    def chunk(self, items: list[LineupRow | FilmRow]) -> None:
        """Everything about a row is found and checked before anything is written for it:
        a row rejected under skip_invalid leaves no festival, film or selection behind."""
        rows: list[_Row] = []
        film_rows: list[FilmRow] = []
        for item in items:
            if isinstance(item, FilmRow):
                film_rows.append(item)
            elif (row := self.resolve(item)) is not None:
                rows.append(row)
        wanted = [(r.source.file, r.line, r.source.film) for r in rows]
        wanted += [(f.file, f.line, f.film) for f in film_rows]
        films = self.films(wanted)
        found: list[_Row] = []
        for row, film in zip(rows, films, strict=False):
            if isinstance(film, RowIssue):
                self.reject(film, row.source)
            else:
                row.film = film
                found.append(row)
        details: list[_Stated] = []
        for film_row, film in zip(film_rows, films[len(rows) :], strict=True):
            if isinstance(film, RowIssue):
                self.reject(film)
            else:
                details.append(_Stated(film, film_row.film, None, film_row.file, film_row.line))
        kept = [r for r in found if r.source.kind == "selection"]
        kept += self.match([r for r in found if r.source.kind == "screening"])
        kept.sort(key=lambda r: r.line)  # first rows first: they state a film's details
        films_of_file = [d.film for d in details]
        details += [_Stated(r.film, r.source.film, r.edition, r.source.file, r.line) for r in kept]
        _state_new_films(details)
        self.create_pending(kept, films_of_file)
        self.film_details(details)
        self.selections(kept)
        self.screenings([r for r in kept if r.source.kind == "screening"])

    def resolve(self, item: LineupRow) -> _Row | None:
        """The row's edition, venue, zone and instant, found or planned; None if rejected."""
        row = _Row(item.line, item)
        try:
            row.edition = self.edition(item)
            if item.kind == "selection":
                if row.edition is None:
                    raise _RowError("festival", "", "a selection needs a festival and a year")
                return row
            row.venue = self.venue(item)
            zone = self.zone(item, row)
            self.place_festival(item, zone)
            if isinstance(row.venue, _Pending) and row.venue.values["timezone"] is None:
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
                    raise _RowError(column, f"{time:%H:%M}", exc.detail) from None
        except _RowError as bad:
            issue = self.issue(
                item.file, item.line, bad.column, bad.value, bad.message, bad.mentions
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

    # -- festivals, editions, venues, cities ---------------------------------------------------
    # Each is found once per spelling in the file (a lineup names them over and over), and
    # what a spelling found never changes during an import.
    def edition(self, item: LineupRow) -> int | _Pending | None:
        spelling = (item.festival, item.edition_year, item.edition_label)
        found = self.found["edition"].get(spelling, _UNSEEN)
        if found is _UNSEEN:
            found = self.found["edition"][spelling] = self._edition(item)
        return found  # type: ignore[no-any-return]

    def _edition(self, item: LineupRow) -> int | _Pending | None:
        if item.festival is None:
            if item.edition_year is not None:
                raise _RowError("edition", str(item.edition_year), "an edition with no festival")
            return self.options.edition_id
        if item.edition_year is None:
            raise _RowError(
                "edition",
                "",
                f"which year of {item.festival}? give an Edition column or {{year}}",
                ("year",),
            )
        festival, _zone = self.festival(item.festival)
        label = " ".join(item.edition_label.split()) if item.edition_label else None
        key = (name_key(item.festival), item.edition_year, name_key(label or ""))
        if key not in self.editions:
            found = None
            if isinstance(festival, int):
                for number, stored in self.session.execute(
                    select(T.edition.c.id, T.edition.c.label).where(
                        T.edition.c.festival_id == festival, T.edition.c.year == item.edition_year
                    )
                ):
                    if name_key(stored or "") == key[2]:
                        found = number
            self.editions[key] = found or _Pending(
                T.edition,
                {"festival_id": festival, "year": item.edition_year, "label": label},
                f"{item.festival} {item.edition_year}" + (f" {label}" if label else ""),
            )
        return self.editions[key]

    def festival(self, name: str) -> tuple[int | _Pending, str | None]:
        found = self.found["festival"].get(name)
        if found is None:
            found = self.found["festival"][name] = self._festival(name)
        return found

    def _festival(self, name: str) -> tuple[int | _Pending, str | None]:
        key = name_key(name)
        if key not in self.festivals:
            stored: Any = self.session.execute(
                select(T.festival.c.id, T.festival.c.timezone).where(T.festival.c.name_key == key)
            ).first()
            if stored is None and (kept := self.aliased("festival", name)) is not None:
                stored = (kept.id, kept.timezone)
            tidy = " ".join(name.split())
            self.festivals[key] = (
                (stored[0], stored[1])
                if stored
                else (
                    _Pending(
                        T.festival,
                        {"name": tidy, "name_key": key, "city": None, "timezone": None},
                        tidy,
                    ),
                    None,
                )
            )
        return self.festivals[key]

    def _zone_of_edition(self, edition_id: int) -> str | None:
        return self.session.scalar(
            select(T.festival.c.timezone)
            .join(T.edition, T.edition.c.festival_id == T.festival.c.id)
            .where(T.edition.c.id == edition_id)
        )

    def venue(self, item: LineupRow) -> int | _Pending | None:
        if not item.venue:
            return None
        found = self.found["venue"].get((item.venue, item.city))
        if found is None:
            found = self.found["venue"][item.venue, item.city] = self._venue(item)
        if isinstance(found, str):
            raise _RowError("venue", item.venue, found)
        return found

    def _venue(self, item: LineupRow) -> int | _Pending | str:
        assert item.venue is not None
        name = " ".join(item.venue.split())
        city = self.city(item.city)
        key = (name_key(name), name_key(city) if city else None)
        if key not in self.venues:
            stored = self.session.execute(
                select(T.venue.c.id, T.venue.c.city, T.venue.c.timezone).where(
                    T.venue.c.name_key == key[0]
                )
            ).all()
            here = [s for s in stored if city is None or name_key(s.city or "") == key[1]]
            named = [  # the same name earlier in this file: with a city, or with none
                v for (n, c), v in self.venues.items() if n == key[0] and not isinstance(v, str)
            ]
            unplaced = self.venues.get((key[0], None))
            if city is None and not here and len(named) == 1:
                self.venues[key] = named[0]
            elif city is not None and not here and isinstance(unplaced, _Pending):
                unplaced.values["city"] = city  # named without its city first, then with it
                unplaced.label = f"{name}, {city}"
                self.venues[key] = unplaced
            elif city is None and len(here) > 1:
                cities = ", ".join(sorted(s.city or "no city" for s in here))
                self.venues[key] = f"several venues are called {name} (in {cities}); add a City"
            elif here:
                self.venues[key] = here[0].id
                self.venue_zone[here[0].id] = here[0].timezone
            elif (kept := self.aliased("venue", name, city)) is not None:
                self.venues[key] = kept.id
                self.venue_zone[kept.id] = kept.timezone
            else:
                label = f"{name}, {city}" if city else name
                values = {"name": name, "name_key": key[0], "city": city, "timezone": None}
                self.venues[key] = _Pending(T.venue, values, label)
        return self.venues[key]

    def place_festival(self, item: LineupRow, zone: str | None) -> None:
        """A festival this import makes is where its first row is: that row's city and
        zone (of its venue, the row, ``--timezone`` or the festival rule). A later row
        that says otherwise is warned of, once, with both values and their lines."""
        if not item.festival:
            return
        festival = self.festival(item.festival)[0]
        if not isinstance(festival, _Pending) or festival.id is not None:
            return
        for field_name, value in (("city", self.city(item.city)), ("timezone", zone)):
            if value is None:
                continue
            first = self.festival_places.setdefault((id(festival), field_name), (value, item.line))
            if first[0] == value or first[1] == item.line:
                festival.values[field_name] = first[0]
                continue
            if (id(festival), field_name) in self.festival_places_warned:
                continue
            self.festival_places_warned.add((id(festival), field_name))
            said = Message(
                f"{item.file}:{item.line}: festival {festival.label!r} is made with "
                f"{field_name} {first[0]!r}, as line {first[1]} says; this row says {value!r}"
            )
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "place", "line": item.line, "message": said})

    def aliased(self, kind: str, name: str, city: str | None = None) -> Any:
        """The one record ``name`` is another name of (kept by a merge), said once, or
        None (none, or several: then the name makes a new record, as before)."""
        found = lookup.aliased(self.session, kind, name, city)
        if len(found) != 1:
            return None
        said = Message(
            f"{self.report.name}: {kind} {name!r} is another name of "
            f"{lookup.describe(found[0])} (kept by a merge); read as that"
        )
        self.report.warnings.append(said)
        self.emit({"type": "warning", "kind": "alias", "message": said})
        return found[0]

    def city(self, text: str | None) -> str | None:
        """A city in the spelling already stored for it, if any ("sheffield" -> "Sheffield")."""
        if not text:
            return None
        found = self.found["city"].get(text)
        if found is None:
            found = self.found["city"][text] = self._city(text)
        return found

    def _city(self, text: str) -> str:
        tidy = " ".join(text.split())
        if self.cities is None:  # read once: this import's rows add to it as they go
            self.cities = stored_places(self.session)
        return self.cities.setdefault(name_key(tidy), tidy)

    def zone(self, item: LineupRow, row: _Row) -> str:
        """The rule of ``add screening`` (``schedule.choose_zone``), for a row."""
        venue = row.venue
        venue_zone = (
            venue.values["timezone"]
            if isinstance(venue, _Pending)
            else self.venue_zone.get(venue)
            if venue is not None
            else None
        )
        festival_zone = None
        if item.festival:
            festival_zone = self.festival(item.festival)[1]
        elif isinstance(row.edition, int):
            festival_zone = self.edition_zone.get(row.edition)
        try:
            return choose_zone(
                venue_zone,
                item.venue,
                item.timezone,
                festival_zone,
                self.settings.default_timezone,
                field=None,
                hint="add a Timezone column, pass {timezone}, or set SCREENINGS_TIMEZONE",
            )
        except InvalidInput as exc:
            raise _RowError("timezone", item.timezone or "", exc.detail, exc.mentions) from None

    # -- films ------------------------------------------------------------------------------
    def films(self, wanted: list[tuple[str, int, FilmFields]]) -> list[int | _Pending | RowIssue]:
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
        titles = {name_key(f.title or ""): f.title or "" for _, _, f in wanted}
        for key in sorted(keys - set(by_title)):  # a merged duplicate's title
            if (kept := self.aliased("film", titles[key])) is not None:
                by_title[key] = [
                    self.session.execute(
                        select(F.id, F.title, F.title_key, F.year, F.imdb_id).where(F.id == kept.id)
                    ).one()
                ]
        planned: dict[str, list[_Pending]] = defaultdict(list)  # new films, by title key
        found: list[int | _Pending | RowIssue] = []
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
        self, planned: list[_Pending], title: str, key: str, fields: FilmFields
    ) -> _Pending:
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
        pending = _Pending(
            T.film,
            # The rest of its details are what its first valid row states: _state_new_films.
            {
                "title": title,
                "title_key": key,
                **_UNSTATED,
                "year": year,
                "imdb_id": fields.imdb_id,
            },
            f"{title} ({year})" if year else title,
        )
        planned.append(pending)
        return pending

    def film_details(self, films: list[_Stated]) -> None:
        """The first row of each film in this import states its details, credits and links:
        what differs from the catalogue is set (never cleared), and the film's screenings
        are bumped when a calendar would show it."""
        first: dict[int, FilmFields] = {}
        where: dict[int, _Stated] = {}  # the row that states each film's details
        dated: dict[int, int] = {}  # a year for a film the file named first without one
        for stated in films:
            film, fields = stated.film, stated.fields
            number = film.id if isinstance(film, _Pending) else film
            assert isinstance(number, int)
            if number not in self.films_seen:
                self.films_seen.add(number)
                first[number] = fields
                where[number] = stated
            elif number in self.undated and fields.year is not None:
                self.undated.discard(number)
                dated[number] = fields.year
        for number, year in dated.items():
            self.session.execute(
                update(T.film).where(T.film.c.id == number).values(year=year, updated_at=self.now)
            )
            if number < self.first_new_film:
                self.bump_films.add(number)
        if not first:
            return
        F = T.film.c
        # A film this chunk created holds what it was created with: no need to ask.
        created, self.created_films = self.created_films, {}
        stored: dict[int, Any] = {
            number: _StoredFilm(number, *(values[k] for k in _StoredFilm._fields[1:]))
            for number, values in created.items()
            if number in first
        }
        asked = [number for number in first if number not in stored]
        if asked:
            columns = [F[k] for k in _StoredFilm._fields]
            stored.update(
                (r.id, r) for r in self.session.execute(select(*columns).where(F.id.in_(asked)))
            )
        updates = []
        updated: set[int] = set()  # films of the catalogue the file changes
        sources = {n: self.sources.find(_known(where[n].edition)) for n in first}
        self.record_bases.read("film", {(s, n) for n, s in sources.items() if s is not None})
        for number, fields in first.items():
            now = stored[number]
            given = {k: v for k, v in _film_details(fields).items() if v is not None}
            current = now._asdict()
            merged = merge_record(
                given,
                current,
                self.record_bases.get(sources[number], "film", number),
                theirs=self.options.theirs,
            )
            self.said_of_record(merged, (given, current), "film", number, where[number], "films")
            source = self.sources.make(_known(where[number].edition))
            self.record_bases.keep(source, "film", number, merged.base)
            changed = merged.apply
            if changed.get("year", now.year) is None:
                self.undated.add(number)
            if changed:
                updates.append({"_id": number, **{**now._asdict(), **changed}})
                if number < self.first_new_film:
                    updated.add(number)
                    if set(changed) - {"imdb_id"}:
                        self.bump_films.add(number)
        if updates:
            for u in updates:
                u.pop("id", None)
                u["updated_at"] = self.now
            self.session.execute(update(T.film).where(F.id == bindparam("_id")), updates)
        updated |= self.credits_and_links(first)
        self.report.counts["films updated"] += len(updated)
        self.record_bases.flush()

    def credits_and_links(self, first: dict[int, FilmFields]) -> set[int]:
        """Credits and links the file adds to these films; the films of the catalogue
        that got one (their screenings are bumped: credits and links show in calendars)."""
        C, L = T.credit.c, T.film_link.c
        credits: dict[int, set[tuple[int, str]]] = defaultdict(set)
        positions: dict[int, int] = defaultdict(int)
        links: dict[int, set[str]] = defaultdict(set)
        # A film this import created has none yet: this is its first row.
        older = [number for number in first if number < self.first_new_film]
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
            wanted = [("director", d) for d in fields.directors] + [
                ("_".join(role.lower().split()), n) for role, n in fields.credits
            ]
            for role, name in wanted:
                person = people[name_key(name)]
                if (person, role) not in credits[film_id]:
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
            for kind, url in fields.links:
                if kind != "website" and url not in links[film_id]:
                    links[film_id].add(url)
                    new_links.append({"film_id": film_id, "kind": kind, "url": url})
                    added.add(film_id)
        if new_credits:
            bulk_insert(self.session, T.credit, new_credits)
        if new_links:
            bulk_insert(self.session, T.film_link, new_links)
        stored = {number for number in added if number < self.first_new_film}
        self.bump_films |= stored
        return stored

    def people(self, names: list[str]) -> dict[str, int]:
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

    # -- creating what valid rows use -------------------------------------------------------
    def create_pending(self, rows: list[_Row], films: list[int | _Pending]) -> None:
        """Festivals, editions, venues and films first named by these rows (and the films of
        a films file), in bulk."""
        for attribute, table, kind in (
            ("edition", T.festival, "festivals"),
            ("edition", T.edition, "editions"),
            ("venue", T.venue, "venues"),
            ("film", T.film, "films"),
        ):
            pending: dict[int, _Pending] = {}
            if table is T.film:
                pending.update(
                    (id(f), f) for f in films if isinstance(f, _Pending) and f.id is None
                )
            for row in rows:
                target = getattr(row, attribute)
                if table is T.festival and isinstance(target, _Pending):
                    target = target.values["festival_id"]
                if isinstance(target, _Pending) and target.id is None and target.table is table:
                    pending[id(target)] = target
            if not pending:
                continue
            planned = list(pending.values())
            for p in planned:  # what they refer to was created just before
                for k, v in p.values.items():
                    if isinstance(v, _Pending):
                        p.values[k] = v.id
            slugs = unique_slugs(self.session, table.c.slug, [self._slug_text(p) for p in planned])
            values = [{**p.values, "slug": s} for p, s in zip(planned, slugs, strict=True)]
            for p, number in zip(planned, self.insert(table, values), strict=True):
                p.id = number
                self.report.created(kind, p.label)
                if table is T.venue:
                    self.venue_zone[number] = p.values["timezone"]
                elif table is T.film:
                    self.created_films[number] = p.values
                if table in (T.venue, T.festival):
                    self.near_duplicates(table.name, p.values, number)
        for row in rows:
            for attribute in ("edition", "venue", "film"):
                target = getattr(row, attribute)
                if isinstance(target, _Pending):
                    setattr(row, attribute, target.id)

    def near_duplicates(self, kind: str, values: dict[str, Any], number: int) -> None:
        """Warn of a new venue or festival whose name is near one made before it."""
        name, city = values["name"], values.get("city")
        near = [r for r in near_duplicates(self.session, kind, name, city) if r.id < number]
        if near:
            said = Message(f"{self.report.name}: " + near_duplicate_note(kind, name, city, near))
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "near duplicate", "message": said})

    def _slug_text(self, pending: _Pending) -> str:
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

    # -- selections -------------------------------------------------------------------------
    def selections(self, rows: list[_Row]) -> None:
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
                if packed not in self.selections_seen:
                    self.selections_seen.add(packed)
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
        sources = {edition: self.sources.find(edition) for _, edition in first}
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
            self.record_bases.keep(self.sources.make(edition), "selection", now.id, merged.base)
            diff = merged.apply
            if diff:
                values = {k: getattr(now, k) for k in ("section", "premiere", "status", "notes")}
                changed.append({"_id": now.id, **values, **diff, "updated_at": self.now})
                if set(diff) - {"notes"}:  # its section, premiere and status show in calendars
                    self.bump_selections.add((film, edition))
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
                source_id = self.sources.make(values["edition_id"])  # type: ignore[arg-type]
                number = made[(values["film_id"], values["edition_id"])]
                self.record_bases.keep(source_id, "selection", number, stated)
        if changed:
            self.session.execute(update(T.selection).where(S.id == bindparam("_id")), changed)
        self.record_bases.flush()

    def said_of_record(
        self,
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
        if merged.kept:
            self.report.counts[f"{counted} kept"] += 1
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

    # -- screenings -------------------------------------------------------------------------
    def match(self, rows: list[_Row]) -> list[_Row]:
        """Each row's stored screening (through its base, else by id, else by slot), or
        none; the rows that cannot be (a duplicate, a slot another screening has) are
        rejected. Rows found through their base are merged three ways (``merge``) before
        their slot is checked. Writes nothing."""
        if not rows:
            return []
        for row in rows:  # a record created by an earlier chunk is known by its id now
            row.film, row.venue, row.edition = (
                _known(row.film),
                _known(row.venue),
                _known(row.edition),
            )
            row.values["film_id"] = row.film
            row.values["venue_id"] = row.venue
            row.values["edition_id"] = row.edition
        S = T.screening.c
        films = {r.film for r in rows if isinstance(r.film, int)}
        externals = {r.values["external_id"] for r in rows if r.values["external_id"]}
        sources = {self.sources.find(r.values["edition_id"]) for r in rows} - {None}
        bases = read_bases(self.session, sources, films, externals)  # type: ignore[arg-type]
        where: Any = S.film_id.in_(films)
        if externals:
            where = or_(where, S.external_id.in_(externals))
        if bases:
            where = or_(where, S.id.in_({b.screening_id for b in bases if b.screening_id}))
        stored = self.session.execute(
            select(*MATCHED, T.venue.c.city.label("venue_city"))
            .outerjoin(T.venue, T.venue.c.id == S.venue_id)
            .where(where)
        ).all()
        by_id = {s.id: s for s in stored}
        by_slot = {self.slot(s._mapping): s for s in stored}
        by_external = {(s.edition_id, s.external_id): s for s in stored if s.external_id}
        earlier = {(s.film_id, s.edition_id) for s in stored if s.id < self.first_new_id}
        # Bases: a tombstone first, so that a live base of the same slot wins.
        bases.sort(key=lambda b: b.screening_id is not None)
        base_by_slot = {(b.source_id, self.slot(b._mapping)): b for b in bases}
        base_by_external = {(b.source_id, b.external_id): b for b in bases if b.external_id}
        base_of = {(b.source_id, b.screening_id): b for b in bases if b.screening_id}
        self.based |= {b.screening_id for b in bases if b.screening_id}
        for row in rows:
            row.base = self.find_base(row, base_by_external, base_by_slot)
        in_chunk: dict[tuple[Any, ...], int] = {}
        ids_in_chunk: dict[tuple[Any, ...], int] = {}
        kept: list[_Row] = []
        # Rows found through their base first: their screenings are theirs, wherever a
        # hand edit moved them, before another row's slot can take them.
        for row in sorted(rows, key=lambda r: r.base is None):
            values = row.values
            slot = self.slot(values)
            ident = (values["edition_id"], values["external_id"])
            if self.by_id and values["external_id"] and ident in ids_in_chunk:
                self.reject_row(
                    row, "id", values["external_id"], f"the same id as line {ids_in_chunk[ident]}"
                )
                continue
            other = by_slot.get(slot)
            if (
                row.base is None
                and self.by_id
                and other is not None
                and other.external_id
                and other.external_id != values["external_id"]
                and other.id < self.first_new_id
                and by_external.get(ident) is None  # else the row may move it away
            ):
                self.reject_row(
                    row,
                    "id",
                    values["external_id"] or "",
                    f"screening #{other.id} (id {other.external_id}) already has this "
                    "film, place and time",
                )
                continue
            if slot in in_chunk or slot in self.deferred_slots:
                self.reject_duplicate(row, in_chunk.get(slot) or self.deferred_slots[slot])
                continue
            if row.base is not None:
                if not self.match_base(row, by_id, by_slot):
                    continue
                in_chunk[slot] = row.line
                if values["external_id"]:
                    ids_in_chunk[ident] = row.line
                kept.append(row)
                continue
            match = None
            if self.by_id and values["external_id"]:
                match = by_external.get(ident)
            if match is None and other is not None:
                if other.id >= self.first_new_id:  # created by an earlier line of this file
                    self.reject_duplicate(row, self.claimed.get(other.id))
                    continue
                match = other
            elif match is not None and other is not None and other.id != match.id:
                if not (self.by_id and other.external_id and other.id < self.first_new_id):
                    self.reject_slot(
                        row,
                        values["local_date"],
                        f"screening #{other.id} already has this film, place and time",
                    )
                    continue
                # The slot is held by another screening of the file, which a row may move
                # away (two screenings swapping slots): settled once every row is read.
                row.blocked_by = other.id
            if match is not None and (match.id in self.claimed or match.id >= self.first_new_id):
                self.reject_duplicate(row, self.claimed.get(match.id))  # or created just now
                continue
            in_chunk[slot] = row.line
            if values["external_id"]:
                ids_in_chunk[ident] = row.line
            row.match = match
            if match is not None:
                self.claimed[match.id] = row.line
                source = self.sources.find(values["edition_id"])
                if match.id in self.based and source is not None:
                    # Its base (this source's) records another slot: merged with it.
                    row.base = base_of.get((source, match.id)) or find_base_of(
                        self.session, source, match.id
                    )
                    if row.base is not None:
                        self.merge(row, match)
            elif (values["film_id"], values["edition_id"]) in earlier and values["edition_id"]:
                # A new slot of a film the edition already shows: in a sync (and no ids)
                # perhaps a move, paired at the end; without, a possible move to report.
                if self.options.sync and not self.by_id:
                    row.deferred = True
                    self.deferred_slots[slot] = row.line
                elif not self.options.sync:
                    self.new_slots.append(row)
            kept.append(row)
        return kept

    def find_base(
        self,
        row: _Row,
        by_external: dict[tuple[Any, ...], Any],
        by_slot: dict[tuple[Any, ...], Any],
    ) -> Any:
        """The base this row's source keeps for it: through the row's id when the file has
        one, else through the slot the last import gave it (not the screening's slot now:
        that is how a screening moved by hand is still found)."""
        source = self.sources.find(row.values["edition_id"])
        if source is None:
            return None
        external = row.values["external_id"]
        if self.by_id and external:
            found = by_external.get((source, external))
            if found is not None:
                return found
        found = by_slot.get((source, self.slot(row.values)))
        if found is not None and self.by_id and found.external_id not in {None, external}:
            return None  # the base of another id's screening
        return found

    def match_base(self, row: _Row, by_id: dict[int, Any], by_slot: dict[Any, Any]) -> bool:
        """A row found through its base: its screening, merged three ways; False when the
        row is refused, or stands for a screening removed by hand (a tombstone)."""
        base = row.base
        if base.screening_id is None:  # removed by hand after an import made it
            if self.same_as_base(row):
                self.report.counts["kept removed"] += 1
                self.emit(_outcome(row, "kept removed", None, None))
                return False
            other = by_slot.get(self.slot(row.values))
            if other is not None:  # made again by hand, or another holds the slot now
                self.reject_slot(
                    row,
                    row.values["local_date"],
                    f"screening #{other.id} already has this film, place and time",
                )
                return False
            return True  # the file changed it since: made again (row.base is re-pointed)
        match = by_id[base.screening_id]
        if match.id in self.claimed:
            self.reject_duplicate(row, self.claimed.get(match.id))
            return False
        self.merge(row, match)
        other = by_slot.get(self.slot(row.values))
        if other is not None and other.id != match.id:
            if other.id >= self.first_new_id:
                self.reject_duplicate(row, self.claimed.get(other.id))
                return False
            if other.id in self.based or (self.by_id and other.external_id):
                row.blocked_by = other.id  # another of the file's, which may move away
            else:
                self.reject_slot(
                    row,
                    row.values["local_date"],
                    f"screening #{other.id} already has this film, place and time",
                )
                return False
        row.match = match
        self.claimed[match.id] = row.line
        return True

    def row_groups(self, values: dict[str, Any]) -> set[str]:
        """The groups of a screening's fields this row states."""
        groups = set(self.stated)
        for column in ("status", "visibility", "external_id"):
            if values[column] is not None:
                groups.add(column)
        return groups

    def same_as_base(self, row: _Row) -> bool:
        stated = set(row.base.stated.split(","))
        groups = (self.row_groups(row.values) & stated) - {"external_id"}
        return all(
            row.values[c] == row.base._mapping[c] for g in groups for c in SCREENING_GROUPS[g]
        )

    def merge(self, row: _Row, match: Any) -> None:
        """Three ways, group by group (``bases.three_way``): ``row.values`` become what the
        screening is to be; the row's own values are kept for its new base."""
        stated = set(row.base.stated.split(",")) if row.base.stated else set()
        wanted = self.row_groups(row.values)
        groups = (wanted & stated) - {"external_id"}
        base, values, now = row.base._mapping, row.values, match._mapping
        columns = [c for g in groups for c in SCREENING_GROUPS[g]]
        if (
            wanted <= stated
            and all(values[c] == base[c] for c in columns)
            and all(now[c] == base[c] for c in columns)
            and values["external_id"] == base["external_id"]
        ):
            row.base_current = True  # the usual re-import: nothing to merge, nor to remember
            return
        row.file_values = dict(row.values)
        row.merged = three_way(
            row.values,
            row.base._mapping,
            match._mapping,
            sorted(groups),
            theirs=self.options.theirs,
        )
        if "when" in row.merged.kept or "when" in row.merged.conflicts:
            values = row.values
            values["starts_at_utc"] = (
                wall_to_utc(values["local_date"], values["local_time"], values["timezone"])
                if values["local_time"] is not None
                else None
            )

    def slot(self, values: Any) -> tuple[Any, ...]:
        """A screening's natural key: film, venue (or its city), local date and time. For a
        file without a Venue column, the city alone (the venue's, for one that has one)."""
        if "venue" in self.fields:
            return _slot(values)
        city = values["city"] or values.get("venue_city") or ""
        return (values["film_id"], name_key(city), values["local_date"], values["local_time"])

    def screenings(self, rows: list[_Row]) -> None:
        """Write the matched rows' screenings: new ones inserted, changed ones updated."""
        inserts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for row in rows:
            values = row.values
            if row.file_values is None:
                values["film_id"], values["venue_id"], values["edition_id"] = (
                    row.film, row.venue, row.edition
                )  # fmt: skip
            else:  # merged: its values say what stays; a record made since has its id now
                for column in ("film_id", "venue_id", "edition_id"):
                    values[column] = _known(values[column])
                    row.file_values[column] = _known(row.file_values[column])
            match = row.match
            if match is None:
                if row.deferred:
                    self.deferred.append(row)
                else:
                    inserts.append(self.new_values(row))
                continue
            # Its film or its place in the programme changed: a calendar shows that too.
            because = ["film"] if values["film_id"] in self.bump_films else []
            if (values["film_id"], values["edition_id"]) in self.bump_selections:
                because.append("selection")
            change = self.change(match._mapping, values, bump=bool(because))
            if change is None:
                self.conflicted(row, match)
                self.unchanged(row, match)
                continue
            if row.blocked_by is not None:
                self.blocked.append((row, change))
                continue
            self.conflicted(row, match)
            self.changed(row, match, change, because)
            self.remember(row, match.id)
            changes.append(change)
        self.write(inserts, changes)
        self.write_bases()

    def changed(self, row: _Row, match: Any, change: dict[str, Any], because: list[str]) -> None:
        """Count and report a screening the row changes."""
        outcome = "moved" if any(change[c] != match._mapping[c] for c in SLOT) else "updated"
        if not (row.merged and row.merged.conflicts):  # else counted as a conflict alone
            self.report.counts[outcome] += 1
        shown = [c for c in SHOWN if change[c] != match._mapping[c]] + because
        kept = row.merged.kept if row.merged else None
        self.emit(_outcome(row, outcome, match.id, match.uid, shown, kept=kept))

    def unchanged(self, row: _Row, match: Any) -> None:
        """A row that changes nothing of its screening: unchanged, kept as edited by hand,
        or in conflict with a hand edit (counted as that alone)."""
        merged = row.merged
        outcome = (
            "conflict"
            if merged and merged.conflicts
            else "kept"
            if merged and merged.kept
            else "unchanged"
        )
        if outcome != "conflict":
            self.report.counts[outcome] += 1
        if self.reporting or outcome != "unchanged":
            kept = merged.kept if merged else None
            self.emit(_outcome(row, outcome, match.id, match.uid, kept=kept))
        self.remember(row, match.id)

    def conflicted(self, row: _Row, match: Any) -> None:
        """Say each group where the file, its last import and the catalogue all differ."""
        if row.merged is None or not row.merged.conflicts:
            return
        assert row.file_values is not None
        self.report.counts["conflicts"] += 1
        for group in row.merged.conflicts:
            target, column = self.column_of(group, row.file_values, row.base._mapping)
            said, was, now = (
                self.shown_value(group, v)
                for v in (row.file_values, row.base._mapping, match._mapping)
            )
            where = f" column {column!r}:" if column else ""
            message = (
                f"{row.source.file}:{row.line}:{where} the file says {said} (it said {was} "
                f"at the last import), the catalogue says {now} (changed since); kept the "
                f"catalogue's (screening #{match.id}; {{theirs}} takes the file's)"
            )
            said_message = Message(message, mentions=("theirs",))
            self.report.conflicts.append(said_message)
            self.emit(
                {
                    "type": "conflict",
                    "file": row.source.file,
                    "line": row.line,
                    "column": column,
                    "field": target,
                    "file_value": said,
                    "base_value": was,
                    "catalogue_value": now,
                    "screening": match.id,
                    "uid": match.uid,
                    "message": said_message,
                }
            )

    def column_of(self, group: str, file: dict[str, Any], base: Any) -> tuple[str, str | None]:
        """The field of the file a group is read from, and the file's column for it: the
        first of the group's fields that changed."""
        fields = {
            "film": ("title",),
            "place": ("venue", "city"),
            "when": ("date", "start", "time", "timezone"),
            "duration": ("duration", "end", "runtime"),
        }.get(group, (group,))
        if group == "when" and file["local_date"] == base["local_date"]:
            fields = fields[1:]
        for target in fields:
            if target in self.columns:
                return target, self.columns[target]
        return fields[0], None

    def shown_value(self, group: str, values: Any) -> str:
        """A group's value as a person reads it: a film's title, a venue's name, a time."""
        if group == "film":
            title = self.session.scalar(
                select(T.film.c.title).where(T.film.c.id == values["film_id"])
            )
            return repr(title or f"film #{values['film_id']}")
        if group == "place":
            if values["venue_id"] is None:
                return repr(values["city"] or "no place")
            name = self.session.scalar(
                select(T.venue.c.name).where(T.venue.c.id == values["venue_id"])
            )
            return repr(name or f"venue #{values['venue_id']}")
        if group == "when":
            return repr(_when(values))
        (column,) = SCREENING_GROUPS[group]
        return repr(values[column])

    def remember(self, row: _Row, screening_id: int) -> None:
        """The row's screening's base, as this import leaves it: the file's values, but
        where they conflicted; written only where it changed."""
        if row.base_current:
            return
        file = row.file_values or row.values
        stated = self.row_groups(file)
        old = row.base._mapping if row.base is not None else None
        conflicts = row.merged.conflicts if row.merged else ()
        values = base_values(file, stated, old, conflicts)
        values["screening_id"] = screening_id
        if old is None:
            values["source_id"] = self.sources.make(file["edition_id"])
            self.base_inserts.append(values)
            self.based.add(screening_id)
        elif any(values[k] != old[k] for k in values):
            values["_id"] = old["id"]
            self.base_updates.append(values)

    def write_bases(self) -> None:
        inserts, self.base_inserts = self.base_inserts, []
        updates, self.base_updates = self.base_updates, []
        if inserts:
            now = self.now
            for values in inserts:
                values["created_at"] = values["updated_at"] = now
            bulk_insert(self.session, T.screening_base, inserts)
        if updates:
            for values in updates:
                values["updated_at"] = self.now
            self.session.execute(
                update(T.screening_base).where(T.screening_base.c.id == bindparam("_id")), updates
            )

    def unblock(self) -> None:
        """Rows that move a screening into a slot another screening of the file held when
        they were read (two screenings swapping slots, or a chain of them): each goes
        through if, now that every row is applied, the slot is free or held only by
        another of these; the others are rejected. The movers are first parked out of
        every slot (no venue, a city no one has), so the unique index never sees two."""
        if not self.blocked:
            return
        S = T.screening.c
        moving = {row.match.id for row, _ in self.blocked}
        holders: dict[tuple[Any, ...], int] = {}
        films = {change["film_id"] for _, change in self.blocked}
        for stored in self.session.execute(
            select(*MATCHED, T.venue.c.city.label("venue_city"))
            .outerjoin(T.venue, T.venue.c.id == S.venue_id)
            .where(S.film_id.in_(films))
        ):
            holders[self.slot(stored._mapping)] = stored.id
        ready = list(self.blocked)
        while True:  # a refused move keeps its screening in place, which may refuse another
            refused = [
                (row, change, holder)
                for row, change in ready
                if (holder := holders.get(self.slot(change))) is not None and holder not in moving
            ]
            if not refused:
                break
            for row, change, holder in refused:
                self.reject_slot(
                    row,
                    change["local_date"],
                    f"screening #{holder} already has this film, place and time",
                )
                moving.discard(row.match.id)
                ready.remove((row, change))
        if not ready:
            return
        self.session.execute(
            update(T.screening)
            .where(S.id == bindparam("_id"))
            .values(venue_id=None, city=bindparam("parked")),
            [{"_id": row.match.id, "parked": f"(moving #{row.match.id})"} for row, _ in ready],
        )
        for row, change in ready:
            self.conflicted(row, row.match)
            self.changed(row, row.match, change, [])
            self.remember(row, row.match.id)
        self.write([], [change for _, change in ready])
        self.write_bases()

    def new_values(self, row: _Row) -> dict[str, Any]:
        values = dict(row.values)
        values["status"] = values["status"] or "scheduled"
        values["visibility"] = values["visibility"] or "public"
        values["sequence"] = 0
        values["row"] = row
        return values

    def change(
        self, stored: Any, values: dict[str, Any], *, bump: bool = False
    ) -> dict[str, Any] | None:
        """The stored screening as the row states it, or None when nothing a calendar shows
        changed (an id adopted is kept quietly); ``bump``: its film or selection did."""
        new = {c: stored[c] for c in (*SHOWN, "external_id", "sequence")}
        for column in ("film_id", "edition_id", "local_date", "local_time", "timezone"):
            new[column] = values[column]
        new["starts_at_utc"] = values["starts_at_utc"]
        if values["edition_id"] is None:
            new["edition_id"] = stored["edition_id"]
        for column in self.states:  # the columns the file has say what they say
            new[column] = values[column]
        if "venue" in self.fields:
            new["venue_id"], new["city"] = values["venue_id"], values["city"]
        elif "city" in self.fields and stored["venue_id"] is None:
            new["city"] = values["city"]  # a screening at a venue is in the venue's city
        for column in ("status", "visibility"):
            if values[column] is not None:
                new[column] = values[column]
        if self.options.sync and values["status"] is None and stored["status"] == "cancelled":
            new["status"] = "scheduled"  # listed again: reinstated
        if values["external_id"] and not stored["external_id"]:
            new["external_id"] = values["external_id"]
        shown_changed = bump or any(new[c] != stored[c] for c in SHOWN)
        if not shown_changed and new["external_id"] == stored["external_id"]:
            return None
        new["_id"] = stored["id"]
        new["updated_at"] = stored["updated_at"]
        if shown_changed:
            new["sequence"] = stored["sequence"] + 1
            new["updated_at"] = self.now
        return new

    def write(self, inserts: list[dict[str, Any]], changes: list[dict[str, Any]]) -> None:
        """New screenings in one plain bulk INSERT (no ids asked back: a new screening is
        known by its uid), changed ones in one bulk UPDATE."""
        if inserts:
            rows: list[_Row] = [v.pop("row") for v in inserts]
            uids = new_uids(self.settings.feed_domain, len(inserts))
            for values, uid in zip(inserts, uids, strict=True):
                values["uid"] = uid
                values["created_at"] = values["updated_at"] = self.now
            bulk_insert(self.session, T.screening, inserts)
            self.report.counts["created"] += len(inserts)
            ids = self.ids_of(uids)
            for row, values in zip(rows, inserts, strict=True):
                self.remember(row, ids[values["uid"]])
                if self.reporting or row.base is not None:
                    record = {
                        "type": "row",
                        "outcome": "created",
                        "file": self.report.name,
                        "line": row.line,
                        "uid": values["uid"],
                    }
                    if row.base is not None:  # removed by hand, changed in the file since
                        record["recreated"] = True
                    self.emit(record)
        if changes:
            self.session.execute(
                update(T.screening).where(T.screening.c.id == bindparam("_id")), changes
            )

    def ids_of(self, uids: list[str]) -> dict[str, int]:
        """New screenings' ids, by uid (a bulk insert hands none back)."""
        S = T.screening.c
        found: dict[str, int] = {}
        for start in range(0, len(uids), 5000):
            found.update(
                (uid, number)
                for uid, number in self.session.execute(
                    select(S.uid, S.id).where(S.uid.in_(uids[start : start + 5000]))
                )
            )
        return found

    def reject_row(self, row: _Row, column: str, value: str, message: str) -> None:
        self.reject(self.issue(row.source.file, row.line, column, value, message), row.source)

    def reject_duplicate(self, row: _Row, line: int | None) -> None:
        earlier = f"line {line}" if line else "an earlier line"
        if self.by_id:
            value = row.values["external_id"] or ""
            self.reject_row(row, "id", value, f"the same screening as {earlier}")
        else:
            self.reject_slot(row, row.values["local_date"], f"the same screening as {earlier}")

    def reject_slot(self, row: _Row, day: dt.date, message: str) -> None:
        """Refuse a row for its slot, quoting its date cell as written, then as read."""
        written = row.source.written_date or str(day)
        read = "" if written == str(day) else f" (read as {day})"
        column = "start" if "start" in self.fields else "date"
        self.reject_row(row, column, written, f"{written!r}{read}: {message}")

    # -- the end: moves, cancellations, fan-out bumps ------------------------------------------
    def finish(self) -> None:
        self.unblock()
        if self.options.sync:
            self.sync()
        elif self.new_slots:
            self.suggest_moves()
        self.bump()

    def absent(self) -> list[Any]:
        """Screenings of the editions in scope that this source made or matched (a
        screening added by hand is never the file's to cancel) and that the file does not
        list (and no rejected row could be), not cancelled already."""
        sources = self.scope_sources()
        if not sources:
            return []
        S, B = T.screening.c, T.screening_base.c
        film_keys = dict(
            self.session.execute(
                select(T.film.c.id, T.film.c.title_key).where(
                    T.film.c.id.in_(select(S.film_id).where(S.edition_id.in_(self.edition_scope)))
                )
            ).all()
        )
        found = []
        for s in self.session.execute(
            select(*T.screening.c)
            .where(
                S.edition_id.in_(self.edition_scope),
                S.id < self.first_new_id,
                S.id.in_(select(B.screening_id).where(B.source_id.in_(sources))),
            )
            .order_by(S.id)
        ):
            if s.id in self.claimed or s.status == "cancelled":
                continue
            if s.external_id in self.protected_ids:
                continue
            if film_keys.get(s.film_id) in self.protected_titles:
                continue
            found.append(s)
        return found

    def scope_sources(self) -> set[int]:
        return {self.sources.find(e) for e in self.edition_scope} - {None}  # type: ignore[return-value]

    def sync(self) -> None:
        if not self.edition_scope:
            said = Message(
                "the file names no festival edition, so there is nothing it is the "
                "whole of; special screenings are never cancelled by absence",
                field="sync",
            )
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "sync", "message": said})
        if self.unprotectable and self.edition_scope:
            lines = ", ".join(str(n) for n in self.unprotectable[:5])
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
        bases = {
            b.screening_id: b
            for b in self.session.execute(
                select(T.screening_base).where(
                    B.screening_id.in_([s.id for s in absent]),
                    B.source_id.in_(self.scope_sources()),
                )
            )
        } if self.deferred else {}  # fmt: skip
        changes: list[dict[str, Any]] = []
        left: list[_Row] = []
        for row in self.deferred:
            values = row.values
            candidates = by_film.get((values["film_id"], values["edition_id"]), [])
            if not candidates:
                left.append(row)
                continue
            best = min(candidates, key=lambda s: _distance(s, values))
            candidates.remove(best)
            self.claimed[best.id] = row.line
            row.base = bases.get(best.id)
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
        self.deferred = left
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
        self.report.counts["cancelled"] += len(cancelled)
        for s in cancelled:
            self.emit(
                {
                    "type": "row",
                    "outcome": "cancelled",
                    "file": self.report.name,
                    "line": None,
                    "screening": s.id,
                    "uid": s.uid,
                }
            )

    def flush_deferred(self) -> None:
        self.write([self.new_values(r) for r in self.deferred], [])
        self.deferred = []

    def suggest_moves(self) -> None:
        """Without a sync, a new slot of a film already shown in that edition may be a move
        the file meant: say so, with the slots the file no longer lists."""
        absent: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for s in self.absent():
            absent[(s.film_id, s.edition_id)].append(s)
        for row in self.new_slots:
            values = row.values
            gone = absent.get((values["film_id"], values["edition_id"]))
            if not gone:
                continue
            was = ", ".join(f"#{s.id} {_when(s._mapping)}" for s in gone)
            message = (
                f"{self.report.name}:{row.line}: {row.source.film.title} at {_when(values)} is "
                f"a new screening, and the file no longer lists {was}; if it moved, "
                "re-import with {sync} to move it (same uid) and cancel what is gone"
            )
            said = Message(message, mentions=("sync",))
            self.report.possible_moves.append(said)
            self.emit(
                {"type": "warning", "kind": "possible move", "line": row.line, "message": said}
            )

    def bump(self) -> None:
        """Screenings whose film (details, credits, links) or selection changed."""
        S = T.screening.c
        films = sorted(self.bump_films)
        for start in range(0, len(films), 1000):
            self.report.bumped += self.session.execute(
                update(T.screening)
                .where(S.film_id.in_(films[start : start + 1000]), S.updated_at != self.now)
                .values(sequence=S.sequence + 1, updated_at=self.now)
            ).rowcount  # type: ignore[attr-defined]
        for film, edition in sorted(self.bump_selections):
            self.report.bumped += self.session.execute(
                update(T.screening)
                .where(S.film_id == film, S.edition_id == edition, S.updated_at != self.now)
                .values(sequence=S.sequence + 1, updated_at=self.now)
            ).rowcount  # type: ignore[attr-defined]

    # -- awards files ---------------------------------------------------------------------
    def award(self, row: AwardRow) -> None:
        """A nomination, found by its key (award, year, category, film, person): created,
        its result updated, or left as it is."""
        film = None
        if row.film is not None:  # found (or refused) before anything is created
            (found,) = self.films([(row.file, row.line, row.film)])
            if isinstance(found, RowIssue):
                self.reject(found)
                return
            if isinstance(found, _Pending):
                found = self._create(found, "films")
            self.film_details([_Stated(found, row.film, None, row.file, row.line)])
            film = found
        festival_id = None
        if row.festival:
            festival = self.festival(row.festival)[0]
            if isinstance(festival, _Pending):
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

    def _award(self, row: AwardRow, festival_id: int | None) -> int:
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

    def _create(self, pending: _Pending, kind: str) -> int:
        if pending.id is None:
            slug_text = self._slug_text(pending)
            (slug,) = unique_slugs(self.session, pending.table.c.slug, [slug_text])
            (pending.id,) = self.insert(pending.table, [{**pending.values, "slug": slug}])
            self.report.created(kind, pending.label)
        return pending.id


class _RowError(Exception):
    def __init__(
        self, column: str, value: str, message: str, mentions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.column, self.value, self.message = column, value, message
        self.mentions = mentions


class _IdSet:
    """A set of row ids as a bitmap: ids are small, dense integers, and a file may name a
    few hundred thousand films (a set of ints would take 60 bytes each, this an eighth)."""

    def __init__(self) -> None:
        self.bits = bytearray()

    def __contains__(self, number: int) -> bool:
        byte = number >> 3
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << (number & 7)))

    def add(self, number: int) -> None:
        byte = number >> 3
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits) + len(self.bits) // 2))
        self.bits[byte] |= 1 << (number & 7)


class _StoredFilm(NamedTuple):
    """What ``film_details`` compares a row's film with."""

    id: int
    year: int | None
    original_title: str | None
    runtime_minutes: int | None
    countries: list[str]
    languages: list[str]
    imdb_id: str | None
    website: str | None


# A film's details as a row states none of them (its lists are required: stored empty).
_UNSTATED: dict[str, Any] = {
    **dict.fromkeys(_StoredFilm._fields[1:]),
    "countries": [],
    "languages": [],
}


class _Stated(NamedTuple):
    """A film as a row states it: its details, and the row's edition (its source)."""

    film: Any  # an id, or a _Pending film
    fields: FilmFields
    edition: Any  # an id, a _Pending edition, or None
    file: str
    line: int


def _state_new_films(details: list[_Stated]) -> None:
    """A film new to the catalogue is created with what the first valid row naming it
    states (a films file's rows first, then the others in order), as ``film_details``
    would set it after: the row that planned it may since have been rejected."""
    stated: set[int] = set()
    for film, fields, *_ in details:
        if isinstance(film, _Pending) and film.id is None and id(film) not in stated:
            stated.add(id(film))
            film.values.update((k, v) for k, v in _film_details(fields).items() if v is not None)


def _film_details(fields: FilmFields) -> dict[str, Any]:
    """The film's columns a row states (None: it states nothing there), those of
    ``_StoredFilm``."""
    return {
        "year": fields.year,
        "original_title": fields.original_title,
        "runtime_minutes": fields.runtime_minutes,
        "countries": list(fields.countries) or None,
        "languages": list(fields.languages) or None,
        "imdb_id": fields.imdb_id,
        "website": next((url for kind, url in fields.links if kind == "website"), None),
    }


def _known(record: Any) -> Any:
    """An id for a planned record already created, else the record as it is."""
    return record.id if isinstance(record, _Pending) and record.id is not None else record


def _slot(values: Any) -> tuple[Any, ...]:
    return (
        values["film_id"],
        values["venue_id"],
        name_key(values["city"] or "") if values["venue_id"] is None else "",
        values["local_date"],
        values["local_time"],
    )


def _distance(stored: Any, values: dict[str, Any]) -> tuple[int, float]:
    """How far a disappeared slot is from a new one: the same venue is nearer than any
    other, then the nearer time."""
    same_venue = 0 if stored.venue_id == values["venue_id"] else 1
    a = dt.datetime.combine(stored.local_date, stored.local_time or dt.time(12))
    b = dt.datetime.combine(values["local_date"], values["local_time"] or dt.time(12))
    return same_venue, abs((a - b).total_seconds())


def _when(values: Any) -> str:
    time = values["local_time"]
    return f"{values['local_date']} " + (f"{time:%H:%M}" if time else "time TBA")


def _outcome(
    row: _Row,
    outcome: str,
    number: int | None,
    uid: str | None,
    changed: list[str] | None = None,
    *,
    kept: list[str] | None = None,
) -> dict[str, Any]:
    record = {
        "type": "row",
        "outcome": outcome,
        "file": row.source.file,
        "line": row.line,
        "screening": number,
        "uid": uid,
    }
    if changed:
        record["changed"] = changed
    if kept:
        record["kept"] = kept  # edited by hand, and the file did not change it
    return record
