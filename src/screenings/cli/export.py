"""``screenings export ics|json|csv [filters]``: publish screenings as files."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screenings import rules
from screenings.cli.context import state
from screenings.cli.filters import screening_query, with_filters
from screenings.errors import InvalidInput
from screenings.outputs import LINKED, output_format
from screenings.records import CONTRACT_VERSION

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from screenings.outputs import Format
    from screenings.query import ScreeningQuery
    from screenings.services.feeds import FeedOptions

Opt = typer.Option


@with_filters()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="ics, json, csv, frab-xml or frab-json.")
    ],
    cancelled: Annotated[
        str,
        Opt(
            "--cancelled",
            help="mark: keep cancelled and postponed screenings, marked CANCELLED (some "
            "calendars strike them through, Google hides them); omit: leave them out.",
        ),
    ] = "mark",
    output: Annotated[
        str | None, Opt("--output", "-o", help="Write to this file ('-' or none: stdout).")
    ] = None,
    split_by: Annotated[
        str | None,
        Opt(
            "--split-by",
            help="ics: one feed per festival, edition, venue, film or person, in --out-dir.",
        ),
    ] = None,
    out_dir: Annotated[
        str | None, Opt("--out-dir", help="With --split-by: the directory for the feeds.")
    ] = None,
    refresh: Annotated[
        str,
        Opt("--refresh", help="ics: how often subscribed calendars should reload: 30m, 12h, 1d."),
    ] = "12h",
    title: Annotated[
        str | None, Opt("--title", help="ics: the calendar's name; frab: the schedule's.")
    ] = None,
    base_url: Annotated[
        str | None,
        Opt(
            "--base-url",
            help="frab: the site's address, to link each screening's page "
            "(default: $SCREENINGS_BASE_URL).",
        ),
    ] = None,
    contract: Annotated[
        int,
        Opt(
            "--contract",
            help="json, csv: 1 for the older contract (one film a screening; programme "
            "screenings left out, said on stderr).",
        ),
    ] = CONTRACT_VERSION,
    allow_empty: Annotated[
        bool,
        Opt(
            "--allow-empty",
            help="Publish an export with no screenings over a file (or a split's feeds) "
            "that holds some; refused without it.",
        ),
    ] = False,
    *,
    filters: dict[str, Any],
) -> None:
    """Export the screenings selected (all by default) as an iCalendar feed, JSON, CSV or
    a frab schedule (frab-xml, frab-json: for conference apps; needs --base-url).

    The filters are those of 'screenings list'. Private screenings are left out
    unless --include-private. A feed keeps each screening's UID for good and
    raises its SEQUENCE on every change, so subscribed calendars update in
    place. Writing to a file that already holds the same bytes leaves it alone.
    An export with no screenings does not replace one that has some, unless
    --allow-empty: a wrong --db or filter must not empty a published feed.

    Examples:

      screenings export ics --festival "Hot Docs" -o hot-docs.ics

      screenings export ics --split-by festival --out-dir feeds/

      screenings export csv --film "The Defector"

      screenings export frab-json --edition "DocPoint 2026" -o schedule.json
      --base-url https://films.example
    """

    chosen = output_format(fmt, what="fmt")
    _check_split(fmt, split_by, out_dir, output, title)
    if fmt != "ics" and refresh != "12h":
        raise InvalidInput("--refresh: only for ics feeds")
    if fmt not in {"ics", *LINKED} and title is not None:
        raise InvalidInput("--title: only for ics feeds and frab schedules")
    if fmt not in {"json", "csv"} and contract != CONTRACT_VERSION:
        raise InvalidInput("--contract: only for json and csv")
    settings = state(ctx).settings
    if base_url is not None and fmt not in LINKED:
        raise InvalidInput("--base-url: only for frab schedules (frab-xml, frab-json)")
    site = None
    if fmt in LINKED and (base_url or settings.base_url):
        what = "--base-url" if base_url is not None else "SCREENINGS_BASE_URL"
        site = rules.site_address(base_url or settings.base_url or "", what=what)
    if output is not None and not output.strip():
        raise InvalidInput("--output: empty; expected a file name, or '-' for stdout")
    # '-' is stdout, as for any file argument.
    target = Path(output) if output is not None and output != "-" else None
    from screenings.db import unit_of_work
    from screenings.services.feeds import FeedOptions

    options = FeedOptions(
        domain=settings.feed_domain,
        cancelled=cancelled,
        refresh_minutes=refresh_minutes(refresh),
        title=title,
        zone=settings.default_timezone,
        contract=contract,
        base_url=site,
    )
    query = screening_query(settings, filters)
    # A mistyped --db must not create an empty catalogue and publish its empty feeds.
    with unit_of_work(state(ctx).reader(), write=False) as session:
        if split_by is not None:
            assert out_dir is not None
            write_split(session, query, split_by, options, Path(out_dir), allow_empty)
        else:
            write_output(session, query, options, chosen, target, allow_empty)


def _check_split(
    fmt: str, split_by: str | None, out_dir: str | None, output: str | None, title: str | None
) -> None:
    """--split-by and --out-dir go together, for ics feeds only, with no --output or
    --title (each feed is named after its group)."""
    from screenings.services.feeds import SPLITS

    if split_by is not None and fmt != "ics":
        raise InvalidInput("--split-by: only for ics feeds")
    if split_by is not None and split_by not in SPLITS:
        raise InvalidInput(f"--split-by: expected one of {', '.join(SPLITS)}, got {split_by!r}")
    if split_by is not None and out_dir is None:
        raise InvalidInput("--split-by: give --out-dir DIR for the feeds")
    if out_dir is not None and split_by is None:
        raise InvalidInput("--out-dir: give --split-by too (festival, edition, venue, ...)")
    if output is not None and split_by is not None:
        raise InvalidInput("--output: a split writes into --out-dir; give one or the other")
    if split_by is not None and title is not None:
        raise InvalidInput("--title: a split names each feed after its group; leave it out")
    if out_dir is not None and not out_dir.strip():
        raise InvalidInput("--out-dir: empty; expected a directory")


_REFRESH = re.compile(r"^\s*(\d+)\s*([mhd]?)\s*$")


def refresh_minutes(text: str) -> int:
    """``30m``, ``12h``, ``1d`` (a bare number is hours) -> minutes."""
    match = _REFRESH.match(text.lower())
    if not match or int(match[1]) == 0:
        raise InvalidInput(f"--refresh: expected e.g. 30m, 12h or 1d, got {text!r}")
    return int(match[1]) * {"m": 1, "h": 60, "d": 1440, "": 60}[match[2]]


def write_output(
    session: Session,
    query: ScreeningQuery,
    options: FeedOptions,
    chosen: Format,
    output: Path | None,
    allow_empty: bool = False,
) -> None:
    """The screenings ``query`` selects in the format ``chosen`` to ``output`` (stdout
    when None), streamed, then how many it holds on stderr. An export of none does not
    replace a file that holds screenings, unless ``allow_empty``: a mistyped filter or
    an emptied catalogue must not unpublish a feed unasked (``files.refuse_to_empty``).
    Standard output is never checked."""
    # Imported here: tempfile and filecmp cost 3.7 ms at every start (``--help``
    # builds this command), and only a file written needs them.
    from screenings.cli.files import refuse_to_empty, write_if_changed
    from screenings.cli.render import say_notes

    made = chosen.screenings(session, query, options)
    say_notes(made.notes)
    if output is None:
        _to_stdout(made.pieces)
        return
    if made.count == 0 and not allow_empty:
        refuse_to_empty(output, chosen.extension, what="--output")
    write_if_changed(output, made.pieces, what="--output")
    typer.echo(f"{output}: {made.count} {made.noun}", err=True)


def write_split(
    session: Session,
    query: ScreeningQuery,
    by: str,
    options: FeedOptions,
    out_dir: Path,
    allow_empty: bool = False,
) -> None:
    """One feed per group in ``out_dir``, with ``index.json`` and ``index.html`` (see
    ``files.publish_split``)."""
    from screenings.cli.files import publish_split
    from screenings.cli.render import say_notes
    from screenings.exporters.ical import render_event
    from screenings.services.feeds import split_feeds

    # Each event rendered once, as it is read: the split holds no more than its output.
    present = {path.name for path in out_dir.glob("*.ics")} if out_dir.is_dir() else set()
    split = split_feeds(session, query, by, options, keep=render_event, present=present)
    say_notes(split.notes)
    outcome = publish_split(split, out_dir, allow_empty=allow_empty)
    _say_split(split, outcome, out_dir)


def _say_split(split: Any, outcome: Any, out_dir: Path) -> None:
    feeds = [g for g in split.groups if g.events]
    typer.echo(
        f"{out_dir}: {len(feeds)} feed(s), {outcome.written} written, "
        f"{outcome.unchanged} unchanged, {outcome.removed} removed",
        err=True,
    )
    if outcome.kept:
        typer.echo(
            f"{outcome.kept} feed(s) of an earlier split with other options left in place",
            err=True,
        )
    empty = len(split.groups) - len(feeds)
    if empty:
        typer.echo(f"{empty} {split.by}(s) with nothing to show: see index.json", err=True)
    if split.ungrouped:
        typer.echo(
            f"{split.ungrouped} screening(s) in no {split.by} feed "
            f"({'no venue' if split.by == 'venue' else 'no one credited'})",
            err=True,
        )


def _to_stdout(pieces: Any) -> None:
    """Write to stdout, streamed. A reader that stops reading (``| head``) or a full
    device is reported by ``screenings.cli.run``, as for every command."""

    out = sys.stdout.buffer
    for piece in pieces:
        out.write(piece)
    out.flush()
