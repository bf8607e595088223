"""The rules of a row's values (``screenings.rules``) for sources that are not spreadsheets:
a frab schedule's events and an iCalendar feed's (``parsers.frab``, ``parsers.ics``)
come to the import as ``LineupRow`` records, and each is judged here, as the CSV reader
judges each cell, before the pipeline sees it: clean text of its column's length, a web
address that is one, a kind as an open word, a slot and a year in range. A value that
breaks a rule rejects the row, naming the event and the file's own name for the field.
"""

from __future__ import annotations

from collections.abc import Sequence

from screenings import rules
from screenings.errors import InvalidInput
from screenings.records import LineupRow, RowIssue

# Each text of a row, the table and column that keep it.
_TEXTS = {
    "venue": ("venue", "name"),
    "city": ("screening", "city"),
    "section": ("selection", "section"),
    "external_id": ("screening", "external_id"),
}


def checked(row: LineupRow, names: dict[str, str]) -> LineupRow | RowIssue:
    """``row`` with its values as the catalogue keeps them, or the issue that rejects it.
    ``names``: the file's name for each field (``{"venue": "LOCATION", ...}``)."""
    field = "title"
    try:
        film = row.film
        title = film.title and rules.clean_text(
            film.title, what=field, limit=rules.length("film", "title")
        )
        field = "directors"
        directors = tuple(
            rules.clean_text(name, what=field, limit=rules.length("person", "name"))
            for name in film.directors
        )
        field = "year"
        _year(film.year)
        _year(row.edition_year)
        texts: dict[str, str | None] = {}
        for field, (table, column) in _TEXTS.items():
            value = getattr(row, field)
            texts[field] = (
                rules.clean_text(value, what=field, limit=rules.length(table, column)) or None
                if value is not None
                else None
            )
        field = "ticket_url"
        tickets = rules.check_url(row.ticket_url, what=field) if row.ticket_url else None
        field = "kind"
        kind = row.screening_kind
        if kind is not None:
            kind = rules.open_word(kind, what=field, limit=rules.length("screening", "kind"))
        field = "runtime"
        runtime = film.runtime_minutes
        if runtime is not None and not 0 < runtime <= rules.MAX_SLOT_MINUTES:
            raise InvalidInput(f"expected a runtime of a minute to 7 days, got {runtime}")
        field = "duration"
        minutes = row.duration_minutes
        if minutes is not None and not 0 < minutes <= rules.MAX_SLOT_MINUTES:
            raise InvalidInput(f"expected a slot of a minute to 7 days, got {minutes} minutes")
    except InvalidInput as refused:
        return RowIssue(
            row.file,  # a schedule's or a feed's: it names the event ("f.ics, event 3")
            0,
            names.get(field, field),
            None,
            f"event {row.film.title or row.external_id!r}: {refused.detail}",
            title=row.film.title,
            external_id=row.external_id,
        )
    return row._replace(
        film=film._replace(title=title, directors=tuple(d for d in directors if d)),
        venue=texts["venue"],
        city=texts["city"],
        section=texts["section"],
        external_id=texts["external_id"],
        ticket_url=tickets,
        screening_kind=kind or None,
        duration_minutes=minutes,
    )


def _year(value: int | None) -> None:
    if value is not None and not rules.MIN_YEAR <= value <= rules.MAX_YEAR:
        raise InvalidInput(
            f"expected a year from {rules.MIN_YEAR} to {rules.MAX_YEAR}, got {value}"
        )


def programme_rows(
    row: LineupRow,
    films: Sequence[tuple[str, int | None, tuple[str, ...], int | None]],
    names: dict[str, str],
) -> list[LineupRow | RowIssue]:
    """A programme screening (``row``, its title the programme's) as the rows of a Block
    column: one per film (title, year, directors, runtime), in order, each with its slot
    and key;
    with no film, one block row whose films are not known (``services.lineup.blocks``)."""
    block = row.film.title
    if not films:
        return [row._replace(block=block, film=row.film._replace(title=None))]
    return [
        checked(
            row._replace(
                line=row.line + place,
                block=block,
                film=row.film._replace(
                    title=title, year=year, directors=directors, runtime_minutes=runtime
                ),
            ),
            names,
        )
        for place, (title, year, directors, runtime) in enumerate(films)
    ]


def said(error: Exception) -> str:
    """What a library's error says is wrong with a file, in one line: its first line (cut
    at 200 characters), or for a missing key which one."""
    text = str(error).splitlines()[0][:200] if str(error) else ""
    if isinstance(error, KeyError):
        return f"it has no {text}"
    return text or type(error).__name__
