"""The output formats, registered once: each with its media type, its file extension
and its renderer, as pretalx registers its exporters. ``export``, ``list``, ``show``
and the feed server all take a format from here, and none dispatches on its own.

- ``ics``: the screenings a query selects, as one calendar (``exporters.ical``),
  streamed;
- ``json`` and ``csv``: records of any kind in the output contract
  (``exporters.tabular``; docs/output.md): the screenings a query selects, the rows
  of ``list``, and (JSON) the one record of ``show``;
- ``frab-xml`` and ``frab-json``: the screenings a query selects as a frab schedule
  (``services.frab`` -> ``exporters.frab``), for conference apps.

The terminal's table is no format here: it is the command line's own way of showing
rows (``cli.render``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from screenings.errors import InvalidInput
from screenings.records import ScreeningView, ScreeningViewV1, contract_one

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from screenings.query import ScreeningQuery
    from screenings.services.feeds import FeedOptions


class Output:
    """What a format made of the screenings selected: its bytes (a stream, to be read
    inside the session's unit of work), how many items it holds and what they are
    ("event(s)"), and the notes on how names in the filters were read."""

    def __init__(
        self,
        pieces: Iterable[bytes],
        count: int,
        noun: str,
        notes: list[str],
        left_out: int = 0,
    ):
        self.pieces, self.count, self.noun, self.notes = pieces, count, noun, notes
        self.left_out = left_out  # screenings the contract asked for cannot show


@dataclass(frozen=True)
class Format:
    """One output format (see the module's docstring)."""

    name: str
    media_type: str
    extension: str
    # The screenings ``query`` selects, in this format.
    screenings: Callable[[Session, ScreeningQuery, FeedOptions], Output]
    # Rows of one kind of record (``kind``, their view type), or None for a format of
    # screenings only.
    rows: Callable[[str, type, Sequence[Any]], bytes] | None = None
    # One record, as ``show`` gives it; None where the format has no such form.
    record: Callable[[str, Any], bytes] | None = None
    # Whether its screenings link to the site's pages: it needs the site's address
    # (``FeedOptions.base_url``), and is no format of ``list``.
    links_pages: bool = False


def _calendar(session: Session, query: ScreeningQuery, options: FeedOptions) -> Output:
    # icalendar is heavy: loaded by the first calendar rendered, never at start-up.
    from screenings.exporters.ical import render_ics
    from screenings.services.feeds import calendar_feed

    feed = calendar_feed(session, query, options)
    return Output(render_ics(feed.header, feed.events), feed.size, "event(s)", feed.notes)


def _frab(*, xml: bool) -> Callable[[Session, ScreeningQuery, FeedOptions], Output]:
    """The screenings a query selects as a frab schedule: ``schedule.xml``, or
    ``schedule.json``."""

    def screenings(session: Session, query: ScreeningQuery, options: FeedOptions) -> Output:
        from screenings.exporters.frab import render_frab_json, render_frab_xml
        from screenings.services.frab import frab_schedule

        schedule = frab_schedule(session, query, options)
        pieces = (render_frab_xml if xml else render_frab_json)(schedule)
        return Output(pieces, schedule.size, "event(s)", schedule.notes)

    return screenings


def _records(
    render: Callable[[str, type, Sequence[Any]], bytes],
) -> Callable[[Session, ScreeningQuery, FeedOptions], Output]:
    """The screenings a query selects, as ``render`` writes rows of records."""

    def screenings(session: Session, query: ScreeningQuery, options: FeedOptions) -> Output:
        found = options.shown(query).run(session)
        if options.contract == 1:  # one film a screening: a programme's are left out
            older = [row for view in found.screenings if (row := contract_one(view))]
            left_out = len(found.screenings) - len(older)
            notes = list(found.notes)
            if left_out:
                notes.append(left_out_note(left_out))
            data = render("screenings", ScreeningViewV1, older)
            return Output([data], len(older), "screening(s)", notes, left_out)
        data = render("screenings", ScreeningView, found.screenings)
        return Output([data], len(found.screenings), "screening(s)", found.notes)

    return screenings


def left_out_note(count: int) -> str:
    """What contract 1 leaves out, said on stderr (and in a header of the server's)."""
    return (
        f"contract 1 leaves out {count} programme screening(s): it shows one film a "
        "screening (contract 2 shows them)"
    )


def _json_rows(kind: str, view_type: type, rows: Sequence[Any]) -> bytes:
    from screenings.exporters.tabular import render_json

    return render_json(kind, view_type, rows)


def _json_record(kind: str, record: Any) -> bytes:
    from screenings.exporters.tabular import render_json_record

    return render_json_record(kind, record)


def _csv_rows(kind: str, view_type: type, rows: Sequence[Any]) -> bytes:
    from screenings.exporters.tabular import render_csv

    return render_csv(view_type, rows)


FORMATS: dict[str, Format] = {
    "ics": Format("ics", "text/calendar; charset=utf-8", "ics", _calendar),
    "json": Format(
        "json",
        "application/json; charset=utf-8",
        "json",
        _records(_json_rows),
        rows=_json_rows,
        record=_json_record,
    ),
    "csv": Format("csv", "text/csv; charset=utf-8", "csv", _records(_csv_rows), rows=_csv_rows),
    # IANA registered the XML's type (application/vnd.c3voc.schedule+xml); the JSON has none.
    "frab-xml": Format(
        "frab-xml",
        "application/vnd.c3voc.schedule+xml; charset=utf-8",
        "frab.xml",
        _frab(xml=True),
        links_pages=True,
    ),
    "frab-json": Format(
        "frab-json",
        "application/json; charset=utf-8",
        "frab.json",
        _frab(xml=False),
        links_pages=True,
    ),
}
LINKED = tuple(name for name, each in FORMATS.items() if each.links_pages)


def output_format(name: str, *, what: str, allowed: Iterable[str] | None = None) -> Format:
    """The registered format called ``name`` (of ``allowed``, when given); ``InvalidInput``
    about the field ``what`` otherwise."""
    names = list(allowed) if allowed is not None else list(FORMATS)
    if name not in names or name not in FORMATS:
        raise InvalidInput(
            f"unknown format {name!r}; expected one of {', '.join(names)}", field=what
        )
    return FORMATS[name]
