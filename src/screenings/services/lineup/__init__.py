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
anything is created for it. Awards and travel files, small, go row by row. Every
outcome goes to ``emit`` as it happens (the ``--report`` file); the report keeps counts.

The import is a package of stages, each a module: ``places`` (festivals, editions,
venues, cities, zones, aliases), ``films`` (films, people, credits, links, selections),
``matching`` (rows to screenings, through their bases, merged three ways),
``writing`` (inserts, updates, outcomes, conflicts, bases), ``ending`` (sync, moves,
bumps), ``awards`` and ``travel`` (times between venues, of no edition: no source,
no base); ``importer`` runs them over chunks of rows with the state they share, and
``common`` holds the rows on their way. ``services.bases`` holds the three-way rule
itself.

The caller owns the transaction: a file with a rejected row is refused with
``ImportRejected`` once every row was read (so every problem is listed), and
the unit of work rolls back; with ``skip_invalid`` the valid rows stand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from screenings import lookup, rules
from screenings import tables as T
from screenings.config import Settings
from screenings.errors import InvalidInput, Message, ScreeningsError
from screenings.models import Edition
from screenings.records import ImportReport, SourceFile
from screenings.services.check import clashes_of_changed
from screenings.services.lineup.common import Emit, HeldStale, ImportOptions
from screenings.services.lineup.importer import Importer

KEPT_CLASHES = 50  # of an import's clashes, those its report keeps to show (all are counted)

__all__ = [
    "HeldStale",
    "ImportConflicted",
    "ImportOptions",
    "ImportRejected",
    "ImportReport",
    "import_lineup",
]


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


def import_lineup(  # noqa: PLR0913 -- the one door of an import: what, where, how, who hears
    session: Session,
    settings: Settings,
    source: SourceFile,
    options: ImportOptions,
    emit: Emit | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Apply a parsed file (or any ``SourceFile``) and report.

    Raises ``ImportRejected`` after reading every row when a row was rejected and
    ``options.skip_invalid`` is false; the caller's transaction then rolls back.
    """
    importer = Importer(session, settings, source, options, emit)
    importer.run(source.rows, progress)
    if importer.report.counts["rejected"] and not options.skip_invalid:
        raise ImportRejected(importer.report)
    if importer.report.conflicts and options.fail_on_conflict:
        raise ImportConflicted(importer.report)
    report = importer.report
    if options.day_starts_at is not None:
        for note in settle_day_start(session, report.edition_ids, options.day_starts_at):
            report.warnings.append(note)
            importer.emit({"type": "warning", "kind": "day_starts_at", "message": note})
    found = clashes_of_changed(
        session,
        importer.write_state.touched,
        tuple(sorted(report.edition_ids)),
        settings.default_duration_minutes,
    )
    for clash in found:  # as found: every one to the report file, a few kept, all counted
        said = f"{clash.kind}: {clash.message}"
        if report.clash_count < KEPT_CLASHES:
            report.clashes.append(said)
        report.clash_count += 1
        importer.emit({"type": "warning", "kind": "clash", "message": said})
    return report


def settle_day_start(
    session: Session, edition_ids: Collection[int], starts_at: dt.time
) -> list[Message]:
    """Store ``starts_at`` (``--day-starts-at``) as the festival day's start of each of
    ``edition_ids`` that has none yet; what an edition already stores is kept, and said
    when it differs (``edit edition`` changes it)."""
    starts_at = rules.day_start(starts_at, what="day_starts_at")
    E = T.edition
    rows = session.execute(
        select(E.c.id, E.c.day_starts_at).where(E.c.id.in_(sorted(edition_ids)))
    ).all()
    unset = [number for number, stored in rows if stored is None]
    if unset:
        session.execute(update(E).where(E.c.id.in_(unset)).values(day_starts_at=starts_at))
    said = []
    for number, stored in rows:
        if stored is not None and stored != starts_at:
            edition = lookup.describe(session.get_one(Edition, number))
            said.append(
                Message(
                    f"{edition}'s festival day starts at {stored:%H:%M}, as stored; this "
                    f"file was read with {starts_at:%H:%M}, which does not change it "
                    f"(edit edition changes it)",
                    field="day_starts_at",
                )
            )
    return said
