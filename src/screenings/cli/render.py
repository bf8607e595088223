"""Rows into what the terminal or a pipe gets: a table, JSON or CSV (the output contract)."""

from __future__ import annotations

import functools
import shutil
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import typer

from screenings.outputs import FORMATS
from screenings.records import (
    AwardView,
    EditionShow,
    EditionView,
    FestivalShow,
    FestivalView,
    FilmStored,
    FilmView,
    NominationView,
    PersonShow,
    PersonView,
    ProgrammeShow,
    ProgrammeView,
    ScreeningView,
    TravelView,
    VenueShow,
    VenueView,
)


def _screening(s: ScreeningView, focus: frozenset[int] = frozenset()) -> list[str]:
    where = ", ".join(p for p in (s.venue.name if s.venue else None, s.city) if p)
    festival = f"{s.edition.festival} {s.edition.year}" if s.edition else "special screening"
    time = s.local_time.strftime("%H:%M") if s.local_time else "time TBA"
    status = f"{s.status}, private" if s.visibility == "private" else s.status
    return [
        f"#{s.id}",
        s.local_date.isoformat(),
        time,
        shown_title(s, focus),
        where,
        festival,
        s.kind,
        status,
    ]


def shown_title(s: ScreeningView, focus: frozenset[int] = frozenset()) -> str:
    """What a screening shows, in a line: its film (and year); for a programme, the films
    of ``focus`` it holds "in" it (the list asked for a film or a person), else its title
    and how many films it shows."""
    if s.film is not None:
        return _film(s.film.title, s.film.year)
    assert s.programme is not None
    about = [film.title for film in s.films if film.id in focus]
    if about:
        return f"{' / '.join(about)} in {s.programme.title}"
    films = f"{len(s.films)} film" + ("" if len(s.films) == 1 else "s")
    return f"{s.programme.title} ({films})"


def _film(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def _days(first: Any, last: Any) -> str:
    """An edition's days, either of which may be unknown ('?'); "" when neither is known."""
    return f"{first or '?'} to {last or '?'}" if first or last else ""


TABLES: dict[type, tuple[list[str], Callable[[Any], list[str]]]] = {
    ScreeningView: (
        ["id", "date", "time", "film", "where", "festival", "kind", "status"],
        _screening,
    ),
    FilmView: (
        ["id", "film", "runtime", "directors", "countries"],
        lambda f: [
            f"#{f.id}",
            _film(f.title, f.year),
            f"{f.runtime_minutes} min" if f.runtime_minutes else "",
            ", ".join(f.directors),
            ", ".join(f.countries),
        ],
    ),
    PersonView: (["id", "name", "films"], lambda p: [f"#{p.id}", p.name, str(p.films)]),
    FestivalView: (
        ["id", "festival", "city", "country", "timezone", "editions"],
        lambda f: [
            f"#{f.id}",
            f.name,
            f.city or "",
            f.country or "",
            f.timezone or "",
            str(f.editions),
        ],
    ),
    EditionView: (
        ["id", "edition", "dates", "screenings"],
        lambda e: [
            f"#{e.id}",
            f"{e.festival.name} {e.year}" + (f" {e.label}" if e.label else ""),
            _days(e.starts_on, e.ends_on),
            str(e.screenings),
        ],
    ),
    TravelView: (
        ["venue", "venue", "minutes"],
        lambda t: [t.first, t.second, str(t.minutes)],
    ),
    VenueView: (
        ["id", "venue", "city", "country", "timezone"],
        lambda v: [f"#{v.id}", v.name, v.city or "", v.country or "", v.timezone or ""],
    ),
    ProgrammeView: (
        ["id", "title", "festival", "section", "films", "length"],
        lambda p: [
            f"#{p.id}",
            p.title,
            f"{p.edition.festival} {p.edition.year}" if p.edition else p.festival.name,
            p.section or "",
            str(len(p.films)),
            f"{p.length_minutes} min" if p.length_minutes else "",
        ],
    ),
    AwardView: (
        ["id", "award", "festival or presenter"],
        lambda a: [f"#{a.id}", a.name, a.festival.name if a.festival else a.presenter or ""],
    ),
    NominationView: (
        ["year", "award", "category", "nominee", "result"],
        lambda n: [
            str(n.year),
            n.award.name,
            n.category or "",
            " / ".join(
                x
                for x in (
                    _film(n.film.title, n.film.year) if n.film else None,
                    n.programme.title if n.programme else None,
                    n.person.name if n.person else None,
                )
                if x
            ),
            n.result.replace("_", " "),
        ],
    ),
}


# Columns never cut to fit: short, and useless cut.
FIXED = {"date", "time", "id", "year", "runtime", "films", "editions", "screenings", "result"}
_NARROWEST = 6


def render_table(
    view_type: type,
    rows: Sequence[Any],
    width: int | None = None,
    focus: frozenset[int] = frozenset(),
) -> str:
    """Rows as a plain-text table, no colour, its widest text columns cut to fit ``width``
    (None: nothing is cut). Widths count terminal cells: a wide character takes two.
    ``focus``: the films a list of screenings was asked about (``shown_title``)."""
    headers, cells = TABLES[view_type]
    if view_type is ScreeningView:
        cells = functools.partial(_screening, focus=focus)
    body = [cells(row) for row in rows]
    widths = [
        max(_cells(h), *(_cells(r[i]) for r in body)) if body else _cells(h)
        for i, h in enumerate(headers)
    ]
    gap = 2
    while width and sum(widths) + gap * (len(widths) - 1) > width:
        cuttable = [i for i, h in enumerate(headers) if h not in FIXED and widths[i] > _NARROWEST]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
    lines = [_line(headers, widths, gap), _line(["-" * w for w in widths], widths, gap)]
    lines.extend(_line(r, widths, gap) for r in body)
    return "\n".join(lines) + "\n"


def _cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _fit(text: str, width: int) -> str:
    if _cells(text) <= width:
        return text + " " * (width - _cells(text))
    kept, used = [], 0
    for char in text:
        if used + _cells(char) > width - 1:
            break
        kept.append(char)
        used += _cells(char)
    return "".join(kept) + "…" + " " * (width - used - 1)


def _line(values: Sequence[str], widths: Sequence[int], gap: int) -> str:
    return (" " * gap).join(_fit(v, w) for v, w in zip(values, widths, strict=True)).rstrip()


def emit(
    kind: str,
    view_type: type,
    rows: Sequence[Any],
    fmt: str,
    focus: frozenset[int] = frozenset(),
) -> None:
    """Write rows to stdout: a table, or a format of rows (``outputs.FORMATS``)."""
    if fmt != "table":
        render = FORMATS[fmt].rows
        assert render is not None, f"{fmt} renders no rows"
        typer.echo(render(kind, view_type, rows).decode(), nl=False)
    elif rows:
        # Fit a terminal; a pipe gets every character.
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        typer.echo(render_table(view_type, rows, width, focus), nl=False)
    else:
        typer.echo(f"no {kind} match", err=True)


def say_notes(notes: Sequence[str]) -> None:
    for note in notes:
        typer.echo(f"screenings: {note}", err=True)


def describe_screening(s: ScreeningView, focus: frozenset[int] = frozenset()) -> str:
    """A screening in one unambiguous line: film — day, time (zone) · what kind · ...;
    a programme's by its title, or by the films of ``focus`` "in" it."""
    day = s.local_date.strftime("%a %d %b %Y")
    time = s.local_time.strftime("%H:%M") if s.local_time else "time TBA"
    title = s.title
    if s.programme is not None:
        title = shown_title(s, focus) if focus & {f.id for f in s.films} else s.title
    parts = [f"{title} — {day}, {time} ({s.timezone})"]
    where = ", ".join(p for p in (s.venue.name if s.venue else None, s.city) if p)
    if where:
        parts.append(where)
    if s.edition:
        parts.append(f"{s.edition.festival} {s.edition.year}")
    if s.programme is not None:  # a programme whose films are not known yet says so
        parts.append("films: " + (" / ".join(film.title for film in s.films) or "not known yet"))
    parts.append(s.kind)
    if s.audience:
        parts.append(f"audience: {s.audience}")
    if s.status != "scheduled":
        parts.append(s.status)
    if s.visibility == "private":
        parts.append("private")
    return " · ".join(parts)


def describe_record(kind: str, record: Any) -> str:  # noqa: C901, PLR0912 -- one line per kind of record
    """What was stored, in one line, as the curation commands say it back."""
    if isinstance(record, ScreeningView):
        return describe_screening(record)
    if isinstance(record, FilmStored):
        return _film_stored(record)
    if isinstance(record, FilmView):
        bits = [_film(record.title, record.year)]
        if record.runtime_minutes:
            bits.append(f"{record.runtime_minutes} min")
        if record.directors:
            bits.append("director: " + ", ".join(record.directors))
        return " · ".join(bits)
    if isinstance(record, FestivalView):
        place = ", ".join(p for p in (record.city, record.country) if p)
        return " · ".join(p for p in (record.name, place, record.timezone) if p)
    if isinstance(record, EditionView):
        name = f"{record.festival.name} {record.year}" + (
            f" {record.label}" if record.label else ""
        )
        days = _days(record.starts_on, record.ends_on)
        starts = record.day_starts_at
        day = f"festival days from {starts:%H:%M}" if starts is not None else ""
        return " · ".join(p for p in (name, days, day) if p)
    if isinstance(record, VenueView):
        return " · ".join(p for p in (record.name, record.city, record.timezone) if p)
    if isinstance(record, ProgrammeView):
        return _programme_line(record)
    if isinstance(record, AwardView):
        by = record.festival.name if record.festival else record.presenter
        return " · ".join(p for p in (record.name, by) if p)
    if isinstance(record, NominationView):
        nominee = " / ".join(
            x
            for x in (
                _film(record.film.title, record.film.year) if record.film else None,
                record.programme.title if record.programme else None,
                record.person.name if record.person else None,
            )
            if x
        )
        category = f" ({record.category})" if record.category else ""
        return f"{record.award.name} {record.year}{category} · {nominee} · {record.result}"
    if isinstance(record, PersonView):
        return record.name
    if isinstance(record, dict):  # a selection
        extra = [f"{k}: {record[k]}" for k in ("section", "premiere") if record.get(k)]
        return " · ".join([f"{record['film']} in {record['edition']}", *extra, record["status"]])
    return str(record)


def _film_facts(film: FilmView) -> list[str]:
    """A film's facts, each when known, as ``show film`` and the replies say them."""
    facts = []
    if film.original_title:
        facts.append(f"original title: {film.original_title}")
    if film.runtime_minutes:
        facts.append(f"{film.runtime_minutes} min")
    if film.countries:
        facts.append(", ".join(film.countries))
    if film.languages:
        facts.append("languages: " + ", ".join(film.languages))
    if film.imdb_id:
        facts.append(f"IMDb {film.imdb_id}")
    return facts


def _film_stored(stored: FilmStored) -> str:
    """Everything ``add film`` or ``edit film`` stored, in one line, in the order of
    ``show film``: the facts, the people by role, the links."""
    film = stored.film
    bits = [_film(film.title, film.year), *_film_facts(film)]
    roles: dict[str, list[str]] = {}
    for role, person in stored.credits:
        roles.setdefault(role.replace("_", " "), []).append(person)
    bits += [f"{role}: {', '.join(people)}" for role, people in roles.items()]
    if film.website:
        bits.append(f"website: {film.website}")
    bits += [f"{kind}: {url}" for kind, url in stored.links]
    return " · ".join(bits)


def say_stored(verb: str, kind: str, saved: Any) -> None:
    """'Added screening #3: ...', then what else was done, one line each; for an edit
    that found every value as given, only 'nothing changed: screening #3 already is ...'."""
    record = saved.record
    number = record["id"] if isinstance(record, dict) else record.id
    if not getattr(saved, "changed", True):
        typer.echo(f"nothing changed: {kind} #{number} already is {describe_record(kind, record)}")
        for warning in getattr(saved, "warnings", ()):
            typer.echo(f"screenings: warning: {warning}", err=True)
        return
    typer.echo(f"{verb} {kind} #{number}: {describe_record(kind, record)}")
    for note in saved.notes:
        typer.echo(f"  {note}")
    for warning in getattr(saved, "warnings", ()):
        typer.echo(f"screenings: warning: {warning}", err=True)


def film_page(show: Any) -> str:  # noqa: C901 -- one block per part of a film's page, each there only when known
    """``show film`` as text: the film, its people and links, its run, its awards."""
    film = show.film
    focus = frozenset({film.id})  # its screenings in a programme say so
    lines = [f"{_film(film.title, film.year)}  #{film.id}", *_aliases(show)]
    facts = _film_facts(film)
    if facts:
        lines.append("  " + " · ".join(facts))
    roles: dict[str, list[str]] = {}
    for credit in show.credits:
        roles.setdefault(credit.role.replace("_", " "), []).append(credit.person)
    lines += [f"  {role}: {', '.join(people)}" for role, people in roles.items()]
    lines += [f"  {link.kind}: {link.url}" for link in show.links]
    lines.append("Festival run")
    if not show.run:
        lines.append("  (none recorded)")
    for entry in show.run:
        if entry.edition is None:
            (screening,) = entry.screenings
            said = describe_screening(screening, focus)
            lines.append(f"  {entry.day}  special screening: #{screening.id}  {said}")
            continue
        name = f"{entry.edition.festival} {entry.edition.year}"
        if entry.edition.label:
            name += f" {entry.edition.label}"
        bits = [name] + [x for x in (entry.section, entry.premiere) if x]
        if entry.status and entry.status != "selected":
            bits.append(entry.status.replace("_", " "))
        if entry.day:
            day = str(entry.day)
        elif entry.edition_starts_on:  # no screening: the edition's dates, as dates of it
            ends = f" to {entry.edition_ends_on}" if entry.edition_ends_on else ""
            day = f"{entry.edition.year}"
            bits[0] += f" ({entry.edition_starts_on}{ends})"
        else:
            day = f"{entry.year} (day unknown)"
        lines.append(f"  {day}  " + " · ".join(bits))
        lines += [
            f"              #{s.id}  {describe_screening(s, focus)}" for s in entry.screenings
        ]
    lines.append("Awards and nominations")
    if not show.nominations:
        lines.append("  (none recorded)")
    for nomination in show.nominations:
        category = f" ({nomination.category})" if nomination.category else ""
        result = nomination.result.replace("_", " ")
        lines.append(f"  {nomination.year}  {nomination.award.name}{category}: {result}")
    return "\n".join(lines)


def _programme_line(p: ProgrammeView) -> str:
    """A programme in one line: its title, whose, section, films and length."""
    whose = f"{p.edition.festival} {p.edition.year}" if p.edition else p.festival.name
    films = f"{len(p.films)} film" + ("" if len(p.films) == 1 else "s")
    length = f"{p.length_minutes} min" if p.length_minutes else "length unknown"
    return " · ".join(x for x in (p.title, whose, p.section, films, length) if x)


def _programme_page(show: ProgrammeShow) -> str:
    """``show programme`` as text: the programme, its films in order, its screenings."""
    p = show.programme
    lines = [f"{_programme_line(p)}  #{p.id}"]
    if p.notes:
        lines.append(f"  {p.notes}")
    lines.append("Films")
    for entry in show.entries:
        bits = [f"{entry.position}. {_film(entry.film.title, entry.film.year)}"]
        if entry.directors:
            bits.append("director: " + ", ".join(entry.directors))
        if entry.runtime_minutes:
            bits.append(f"{entry.runtime_minutes} min")
        if entry.extra:
            bits.append(entry.extra)
        lines.append("  " + " · ".join(bits))
    if not show.entries:
        lines.append("  (none yet)")
    lines.append("Screenings")
    lines += [f"  #{s.id}  {describe_screening(s)}" for s in show.screenings] or [
        "  (none recorded)"
    ]
    return "\n".join(lines)


def _aliases(show: Any) -> list[str]:
    """A record's other names (kept by a merge or a rename), as one line, when it has any."""
    return [f"  also called: {', '.join(show.aliases)}"] if show.aliases else []


def record_page(show: Any) -> str:
    """``show person|festival|edition|venue`` as text."""

    if isinstance(show, PersonShow):
        lines = [f"{show.person.name}  #{show.person.id}", *_aliases(show), "Films"]
        lines += [
            f"  {_film(film.title, film.year)}: {role.replace('_', ' ')}"
            for film, role in show.credits
        ] or ["  (none recorded)"]
        lines.append("Awards and nominations")
        lines += [f"  {describe_record('nomination', n)}" for n in show.nominations] or [
            "  (none recorded)"
        ]
        return "\n".join(lines)
    if isinstance(show, FestivalShow):
        lines = [
            f"{describe_record('festival', show.festival)}  #{show.festival.id}",
            *_aliases(show),
            "Editions",
        ]
        lines += [
            f"  {describe_record('edition', e)} · {e.screenings} public screening(s)"
            for e in show.editions
        ] or ["  (none recorded)"]
        lines.append("Awards")
        lines += [f"  {a.name}" for a in show.awards] or ["  (none recorded)"]
        return "\n".join(lines)
    if isinstance(show, EditionShow):
        lines = [f"{describe_record('edition', show.edition)}  #{show.edition.id}", "Selection"]
        lines += [
            "  "
            + " · ".join(
                x
                for x in (
                    _film(s.film.title, s.film.year),
                    s.section,
                    s.premiere,
                    s.status.replace("_", " "),
                )
                if x
            )
            for s in show.selections
        ] or ["  (none recorded)"]
        lines.append("Screenings")
        lines += [f"  #{s.id}  {describe_screening(s)}" for s in show.screenings] or [
            "  (none recorded)"
        ]
        return "\n".join(lines)
    if isinstance(show, ProgrammeShow):
        return _programme_page(show)
    if isinstance(show, VenueShow):
        lines = [
            f"{describe_record('venue', show.venue)}  #{show.venue.id}",
            *_aliases(show),
            "Screenings",
        ]
        lines += [f"  #{s.id}  {describe_screening(s)}" for s in show.screenings] or [
            "  (none recorded)"
        ]
        return "\n".join(lines)
    raise TypeError(type(show).__name__)
