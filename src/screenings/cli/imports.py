"""``screenings import FILE [FILE2]``: load or re-load a lineup, films, selections, awards
or travel file, all or nothing, and report what changed."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from screenings.cli.context import pairs, state
from screenings.cli.options import MonthFirst, context_names, day_order
from screenings.errors import InvalidInput, Message
from screenings.records import HeldRows, RowIssue

if TYPE_CHECKING:
    from screenings.parsers.lineup import Known, LineupOptions, Parsed
    from screenings.services.lineup import ImportReport
    from screenings.services.skipping import Skimmed

Opt = typer.Option
SHOWN_PROBLEMS = 50  # problems and warnings printed; --report keeps them all
SHOWN_CLASHES = 10
THREE_WAY = (
    ("kept", "kept (edited by hand)"),
    ("kept removed", "kept removed"),
    ("conflicts", "with conflicts"),
    ("first matched", "matched for the first time (the file's values taken)"),
)


def import_(  # noqa: C901, PLR0912 -- a command checks its options one by one, each with its own message
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="A lineup, films, selections, awards, programmes or travel file (CSV or TSV; "
            "- reads standard input); or a films file and a screenings file joined on film_id.",
            show_default=False,
        ),
    ],
    festival: Annotated[
        str | None, Opt("--festival", help="The festival of rows that name none.")
    ] = None,
    year: Annotated[int | None, Opt("--year", help="With --festival: the edition's year.")] = None,
    edition: Annotated[
        str | None, Opt("--edition", help="An existing edition for rows that name none.")
    ] = None,
    timezone: Annotated[
        str | None,
        Opt(
            "--timezone",
            help="The zone of rows with no Timezone cell; a row whose venue is in another "
            "zone is rejected.",
        ),
    ] = None,
    sync: Annotated[
        bool,
        Opt(
            "--sync",
            help="The file is the whole of each edition it names: cancel screenings it no "
            "longer lists, and pair a disappeared slot with a new one of the same film as "
            "a move (same uid).",
        ),
    ] = False,
    theirs: Annotated[
        bool,
        Opt(
            "--theirs",
            help="Where the file and an edit made by hand since its last import disagree "
            "(a conflict), take the file's value. Default: keep the catalogue's and list it.",
        ),
    ] = False,
    fail_on_conflict: Annotated[
        bool,
        Opt(
            "--fail-on-conflict",
            help="Any conflict with an edit made by hand refuses the whole file (exit 1).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, Opt("--dry-run", help="Do everything, report, then write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        Opt("--skip-invalid", help="Import the valid rows and list the rejected ones."),
    ] = False,
    report: Annotated[
        Path | None,
        Opt(
            "--report", help="Write every row's outcome and every warning to this JSON Lines file."
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        Opt("--map", help="COLUMN=FIELD for a column the importer does not know; repeatable."),
    ] = None,
    file_kind: Annotated[
        str | None,
        Opt(
            "--file-kind",
            help="lineup, films, screenings, selections, awards, programmes or travel.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        Opt(
            "--encoding",
            help="A text encoding such as cp1252 or latin-1. Default: UTF-8 (with or without "
            "BOM), or UTF-16 or UTF-32 after its BOM.",
        ),
    ] = None,
    force_encoding: Annotated[
        bool,
        Opt(
            "--force-encoding",
            help="Read the text as --encoding (or UTF-8) says even where it looks misread: a "
            "UTF-8 file read with another --encoding, or text such as 'â€“' or 'Ã©' (UTF-8 "
            "garbled as cp1252), which are refused otherwise.",
        ),
    ] = False,
    delimiter: Annotated[str | None, Opt("--delimiter", help="Default: detected.")] = None,
    dayfirst: Annotated[
        bool,
        Opt(
            "--dayfirst",
            help="Read numeric dates such as 11/06/2013 day first (--monthfirst: month "
            "first; not both), when the file's own dates do not settle it.",
        ),
    ] = False,
    monthfirst: MonthFirst = False,
    day_starts_at: Annotated[
        str | None,
        Opt(
            "--day-starts-at",
            help="A time such as 06:00: earlier times are the next day's. Also stored as "
            "the festival day's start of each edition named that has none.",
        ),
    ] = None,
    show_mapping: Annotated[
        bool, Opt("--show-mapping", help="Print how the columns are read, and stop.")
    ] = False,
    read_all: Annotated[
        bool,
        Opt(
            "--read-all",
            help="Read every row, even one unchanged since the last import (skipped unread "
            "otherwise, so the notes said of it then are not said again).",
        ),
    ] = False,
) -> None:
    """Import a festival lineup (or a films, selections or awards file), all or nothing.

    Re-importing the same file changes nothing; a corrected file changes exactly what
    changed, keeps every screening's uid and bumps its sequence where a calendar shows
    a difference. A row matches the screening its last import made or matched (by its
    id column, else by the film, venue, date and time that import gave it), so a
    screening edited by hand since keeps its edits where the file did not change them.

    Example: screenings import data/lineup.csv --festival "Sheffield Doc/Fest" --year 2013
    """
    from screenings.parsers.lineup import (
        FILE_KINDS,
        LineupOptions,
        describe_mapping,
        parse_lineup,
        parse_lineup_files,
    )
    from screenings.timeparse import parse_time, zone_name  # zoneinfo: not for --help

    if len(files) > 2:
        raise InvalidInput("FILE: give one file, or a films file and a screenings file")
    if file_kind is not None and file_kind not in FILE_KINDS:
        raise InvalidInput(f"--file-kind: expected one of {', '.join(FILE_KINDS)}")
    if edition is not None and (festival is not None or year is not None):
        raise InvalidInput("--edition: give either --edition or --festival with --year")
    if year is not None and festival is None:
        raise InvalidInput("--year: give it with --festival (the edition's year)")
    if theirs and fail_on_conflict:
        raise InvalidInput("--theirs: give either --theirs or --fail-on-conflict")
    settings = state(ctx).settings
    order = day_order(dayfirst, monthfirst)
    options = LineupOptions(
        mapping=dict(pairs(mapping, "--map", "COLUMN=FIELD, e.g. Cine=venue")),
        file_kind=file_kind,
        encoding=encoding,
        force_encoding=force_encoding,
        delimiter=delimiter,
        dayfirst=order if order is not None else state(ctx).dayfirst_option,
        configured_dayfirst=settings.dayfirst,
        day_starts_at=parse_time(day_starts_at, what="--day-starts-at") if day_starts_at else None,
        festival=festival,
        year=year,
        timezone=zone_name(timezone, what="--timezone") if timezone else None,
        edition=edition,
    )
    if year is not None:
        # Here, not above: the services take 0.3 s to import, and a file that cannot be
        # read is refused before they are needed.
        from screenings.services.catalog import check_year

        check_year(year, "--year")
    with ExitStack() as stack:
        streams = [stack.enter_context(_open(path)) for path in files]
        names = [_name(path) for path in files]
        # The rows unchanged since the file's last import, found at once and passed over
        # unread; a file none of whose rows changed is said unchanged without the
        # importer, unless it would do more than say so (cancel, store a day's start).
        # Not with --report: an import found stale is done again (HeldStale), and what
        # it wrote of each row cannot be taken back.
        skimmed = None
        if len(files) == 1 and edition is None and not (read_all or show_mapping or report):
            skimmed = _skim(ctx, streams[0], names[0], options, sync, dry_run=dry_run)
            said_alone = not (sync or options.day_starts_at)
            if skimmed is not None and skimmed[0].everything() and said_alone:
                _say(ctx, skimmed[0].report(), "lineup", dry_run, report)
                return
        if len(files) == 2:
            streams, names = _films_first(streams, names, options)
            parsed = parse_lineup_files(streams[0], names[0], streams[1], names[1], options)
        else:
            parsed = parse_lineup(streams[0], names[0], options, skimmed and skimmed[1])
            if parsed.kind == "screenings" and file_kind is None:
                raise InvalidInput(
                    f"FILE: {names[0]} is a screenings file (a film_id column, no titles); "
                    f"give its films file first: screenings import FILMS.csv {names[0]}"
                )
        if parsed.unreadable is not None and not show_mapping and report is None:
            # Nothing in it can be imported: said before the catalogue is opened or made,
            # or waits for another import's lock. (A --report gets its record below.)
            said = parsed.unreadable.said(context_names(ctx))
            raise InvalidInput(f"{said}; nothing was imported")
        if show_mapping:
            for line in describe_mapping(parsed):
                typer.echo(line)
            for issue in parsed.items:  # a file that cannot be read says why
                if isinstance(issue, RowIssue) and issue.severity == "warning":
                    continue  # what reading it said (a feed's recurrences), not a refusal
                if isinstance(issue, RowIssue) and issue.line <= 1:
                    raise InvalidInput(str(issue))
                break
            return
        sink = stack.enter_context(_report_file(report)) if report else None
        choices = ImportChoices(
            sync, skip_invalid, dry_run, theirs, fail_on_conflict, read_all, options.day_starts_at,
            skimmed[0].held if skimmed else None,
        )  # fmt: skip
        found = _run_again_if_stale(
            ctx, parsed, edition, choices, sink, report,
            lambda: parse_lineup(streams[0], names[0], options),
        )  # fmt: skip
    _say(ctx, found, parsed.kind, dry_run, report)


def _run_again_if_stale(
    ctx: typer.Context,
    parsed: Parsed,
    edition: str | None,
    choices: ImportChoices,
    sink: IO[str] | None,
    report_path: Path | None,
    again: Callable[[], Parsed],
) -> ImportReport:
    """``_run``; if the rows found unchanged before may not be now (``HeldStale``: the
    catalogue changed meanwhile, or the import made a record of a name they read), ``_run``
    once more with the file read ``again``, every row read (as ``--read-all``: a row held
    in the same window as the record it would now read was held again)."""
    from screenings.services.lineup import HeldStale

    try:
        return _run(ctx, parsed, edition, choices, sink, report_path)
    except HeldStale:
        whole = replace(choices, held=None, read_all=True)
        return _run(ctx, again(), edition, whole, sink, report_path)


def _skim(
    ctx: typer.Context,
    stream: Any,
    name: str,
    options: LineupOptions,
    sync: bool,
    *,
    dry_run: bool,
) -> tuple[Skimmed, Known] | None:
    """The rows of a lineup unchanged since its last import (``skipping.skim``), and what
    the parser then need not read (``QuickFile.known``); None: the file goes the whole
    way."""
    from screenings.parsers.lineup import quick_read
    from screenings.services.skipping import skim

    source = quick_read(stream, name, options)
    if source is None:
        return None
    try:
        with state(ctx).catalogue(dry_run=dry_run).connect() as connection:
            skimmed = skim(connection, source, state(ctx).settings.default_timezone, sync=sync)
        if skimmed is None:
            return None
        held = skimmed.held.line_set()
        known = source.known(skimmed.order, held, every=skimmed.everything())
    finally:
        stream.seek(0)  # the whole way reads it from its start
    return (skimmed, known) if known is not None else None


def _films_first(
    streams: list[Any], names: list[str], options: LineupOptions
) -> tuple[list[Any], list[str]]:
    """The two files as (films file, screenings file), whichever order they were given in."""
    from screenings.parsers.lineup import file_kind

    kinds = [
        file_kind(stream, name, options) if stream.seekable() else "?"
        for stream, name in zip(streams, names, strict=True)
    ]
    if kinds == ["screenings", "films"]:
        return streams[::-1], names[::-1]
    if kinds[0] in {"films", "?"} and kinds[1] in {"screenings", "lineup", "?"}:
        return streams, names
    raise InvalidInput(
        f"FILE: two files are a films file and a screenings file joined on film_id; "
        f"{names[0]} reads as {kinds[0]} and {names[1]} as {kinds[1]}"
    )


@dataclass(frozen=True)
class ImportChoices:
    """The options that say what an import may do."""

    sync: bool
    skip_invalid: bool
    dry_run: bool
    theirs: bool
    fail_on_conflict: bool
    read_all: bool
    day_starts_at: dt.time | None = None
    held: HeldRows | None = None  # skipping.Skimmed.held


def _run(  # noqa: C901 -- the import's one unit of work, its report and its refusal, in order
    ctx: typer.Context,
    parsed: Parsed,
    edition: str | None,
    choices: ImportChoices,
    sink: IO[str] | None,
    report_path: Path | None,
) -> ImportReport:
    """Apply the file in one unit of work; its report (with its clashes)."""
    from screenings import lookup
    from screenings.db import unit_of_work
    from screenings.services.lineup import (
        ImportConflicted,
        ImportOptions,
        ImportRejected,
        import_lineup,
    )

    emit = None
    if sink is not None:
        names = context_names(ctx)

        def plain(value: Any) -> Any:  # a message names its fields as this command does
            return value.said(names) if isinstance(value, Message) else _plain(value)

        def emit(record: dict[str, Any]) -> None:
            record.pop("mentions", None)  # a parser's warning: its message names none
            sink.write(json.dumps(record, default=plain, ensure_ascii=False) + "\n")

    settings = state(ctx).settings
    progress = _Progress(parsed.name) if sys.stderr.isatty() else None
    try:
        with unit_of_work(
            state(ctx).catalogue(dry_run=choices.dry_run), dry_run=choices.dry_run
        ) as session:
            edition_id = None
            if edition is not None:
                edition_id = lookup.find_edition(session, edition).record.id
            with _few_collections():
                found = import_lineup(
                    session,
                    settings,
                    parsed,
                    ImportOptions(
                        sync=choices.sync,
                        skip_invalid=choices.skip_invalid,
                        theirs=choices.theirs,
                        fail_on_conflict=choices.fail_on_conflict,
                        read_all=choices.read_all,
                        edition_id=edition_id,
                        day_starts_at=choices.day_starts_at,
                        held=choices.held,
                    ),
                    emit,
                    progress,
                )
    except ImportRejected as rejected:
        if progress:
            progress.done()
        if choices.dry_run:  # what the valid rows would do, then why nothing would be
            _summary(rejected.report, parsed.kind)
        if not (rejected.report.counts["rows"] == 1 and len(rejected.report.issues) == 1):
            _problems(rejected.report, report_path, ctx)  # else the error line says it
        raise
    except ImportConflicted as conflicted:
        if progress:
            progress.done()
        _problems(conflicted.report, report_path, ctx)
        raise
    if progress:
        progress.done()
    return found


def _say(
    ctx: typer.Context,
    found: ImportReport,
    file_kind: str,
    dry_run: bool,
    report_path: Path | None,
) -> None:
    clashes, count = found.clashes, found.clash_count
    _summary(found, file_kind)
    _problems(found, report_path, ctx)
    if clashes:
        typer.echo(f"clashes ({count}):", err=True)
        for clash in clashes[:SHOWN_CLASHES]:
            typer.echo(f"  {clash}", err=True)
        if count > SHOWN_CLASHES:
            typer.echo(f"  and {count - SHOWN_CLASHES} more (screenings check)", err=True)
    if dry_run:
        typer.echo("dry run: nothing was written")


def _summary(found: ImportReport, file_kind: str) -> None:
    """The counts of what the import did (or would do): a line each that is not zero; of
    a travel file, its times alone (it has no screenings)."""
    c = found.counts
    if file_kind == "travel":
        rejected = f", {c['rejected']} rejected" if c["rejected"] else ""
        typer.echo(f"{found.name}: {c['rows']} row{'s' if c['rows'] != 1 else ''}")
        typer.echo(
            f"  travel times: {c['travel created']} new, {c['travel updated']} updated, "
            f"{c['travel unchanged']} unchanged{rejected}"
        )
        return
    said = [f"{c[k]} {k}" for k in ("created", "updated", "moved", "unchanged")]
    # What the three-way rule did, when it did anything.
    said += [f"{c[k]} {words}" for k, words in THREE_WAY if c[k]]
    said += [f"{c[k]} {k}" for k in ("cancelled", "rejected")]
    screenings = ", ".join(said)
    rows = f"{c['rows']} row{'s' if c['rows'] != 1 else ''}"
    nominations = sum(
        c[f"nominations {k}"] for k in ("created", "updated", "unchanged", "kept", "with conflicts")
    )
    if nominations and c["rows"] == nominations + c["rejected"]:
        typer.echo(f"{found.name}: {rows}")  # an awards file: no screenings to count
    else:
        typer.echo(f"{found.name}: {rows}; screenings: {screenings}")
    if found.bumped:
        typer.echo(
            f"  other screenings updated in calendars: {found.bumped} (their film or its "
            "place in the programme changed)"
        )
    if c["selections"]:
        typer.echo(
            f"  selections: {c['selections']} ({c['selections created']} new, "
            f"{c['selections updated']} updated{_three_way(c, 'selections')})"
        )
    if nominations:
        typer.echo(
            f"  nominations: {c['nominations created']} new, {c['nominations updated']} updated, "
            f"{c['nominations unchanged']} unchanged{_three_way(c, 'nominations')}"
        )
    if c["programmes"]:
        typer.echo(
            f"  programmes: {c['programmes']} ({c['programmes changed']} with their films "
            "set or changed"
            + (f", {c['programmes kept']} kept as edited by hand" if c["programmes kept"] else "")
            + (
                f", {c['programmes with conflicts']} with conflicts"
                if c["programmes with conflicts"]
                else ""
            )
            + ")"
        )
    if c["films updated"] or c["films kept"] or c["films with conflicts"]:
        typer.echo(f"  films updated: {c['films updated']}{_three_way(c, 'films', ';')}")
    for kind, names in found.new.items():
        if names:
            made = found.new_counts[kind]
            more = f"; and {made - 5} more" if made > 5 else ""
            typer.echo(f"  new {kind} ({made}): {'; '.join(names[:5])}{more}")


def _three_way(counts: dict[str, int], kind: str, joined: str = ",") -> str:
    """What the three-way rule did to records of ``kind``, when it did anything."""
    said = [
        f"{counts[f'{kind} {key}']} {words}"
        for key, words in (("kept", "kept (edited by hand)"), ("with conflicts", "with conflicts"))
        if counts[f"{kind} {key}"]
    ]
    return f"{joined} {', '.join(said)}" if said else ""


def _problems(found: ImportReport, report_path: Path | None, ctx: typer.Context) -> None:
    """Rejected rows, warnings and possible moves on stderr, up to a limit; a field they
    name is this command's option (``--sync``)."""
    names = context_names(ctx)
    rejected = _rejections(found.issues, names)
    lines = [f"rejected: {said}" for said, _rows in rejected]
    lines += [f"warning: {w.said(names)}" for w in found.warnings]
    lines += [f"possible move: {m.said(names)}" for m in found.possible_moves]
    lines += [f"conflict: {m.said(names)}" for m in found.conflicts]
    for line in lines[:SHOWN_PROBLEMS]:
        typer.echo(line, err=True)
    if len(lines) > SHOWN_PROBLEMS:
        where = f" (all in {report_path})" if report_path else " (--report FILE keeps them all)"
        rows = sum(count for _said, count in rejected[SHOWN_PROBLEMS:])
        hidden = len(rejected[SHOWN_PROBLEMS:])
        of = f" lines ({rows} rejected rows among them)" if rows > hidden else ""
        typer.echo(f"and {len(lines) - SHOWN_PROBLEMS} more{of}{where}", err=True)


def _rejections(issues: list[RowIssue], names: Callable[[str], str]) -> list[tuple[str, int]]:
    """The rejected rows, a line each, in the file's order, with how many rows each line
    says; rows rejected in the same words (a venue that needs the City column the file
    lacks, a column that is not a date) said once, at the first, with the other rows'
    lines: "(and 59 more rows: lines 3-61)"."""
    files = {name: n for n, name in enumerate(dict.fromkeys(issue.file for issue in issues))}
    same: dict[str, list[RowIssue]] = {}
    for issue in sorted(issues, key=lambda issue: (files[issue.file], issue.line)):
        same.setdefault(issue._replace(line=0).said(names), []).append(issue)
    said = []
    for first, *more in same.values():
        line = first.said(names)
        if more:
            rows = f"{len(more)} more row{'s' if len(more) > 1 else ''}"
            line += f" (and {rows}: {_spans([issue.line for issue in more])})"
        said.append((line, 1 + len(more)))
    return said


def _spans(lines: list[int], shown: int = 10) -> str:
    """Line numbers as runs, "line 3" or "lines 3-40, 42, 50-61": the first ``shown``
    runs, then how many lines more."""
    runs: list[list[int]] = []
    for number in lines:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    words = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:shown]]
    left = sum(b - a + 1 for a, b in runs[shown:])
    rest = f", and {left} more" if left else ""
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(words) + rest


@contextmanager
def _few_collections() -> Iterator[None]:
    """An import makes many short-lived objects and few cycles: the garbage collector, at
    its usual pace, would scan the objects already there over and over (about a quarter
    of an import's time). For this process's one command: freeze those, collect rarely."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class _Progress:
    """Rows read so far, on one line of a terminal's stderr."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False

    def __call__(self, rows: int) -> None:
        if rows >= 10_000 or self.shown:
            self.shown = True
            sys.stderr.write(f"\r{self.name}: {rows:,} rows read")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _open(path: Path) -> Any:
    if str(path) == "-":
        return nullcontext(sys.stdin.buffer)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"FILE: {path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"FILE: {path}: a directory, not a file") from None
    except PermissionError:
        raise InvalidInput(f"FILE: {path}: permission denied") from None


def _name(path: Path) -> str:
    return "standard input" if str(path) == "-" else str(path)


def _report_file(path: Path) -> IO[str]:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"--report: {path}: {exc.strerror or exc}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return str(value)
