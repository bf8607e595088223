"""The programme: films' selections in editions, and dated screenings.

As in ``services.catalog``: every value is judged by the rules of the column it lands
in before the database sees it, an error is about the field a value was given as (the
door names it), and in an edit ``""`` clears an optional value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screenings import lookup, rules
from screenings.config import Settings
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.keys import name_key, new_uid
from screenings.models import (
    SCREENING_STATUSES,
    SELECTION_STATUSES,
    Edition,
    Film,
    Programme,
    Screening,
    Selection,
    Venue,
)
from screenings.query import ScreeningQuery
from screenings.records import ScreeningView
from screenings.services.catalog import (
    Saved,
    assign,
    check_minutes,
    check_name,
    check_text,
    check_url,
    check_word,
    cleared,
    unique_slug,
    venue_in,
    zone,
)
from screenings.services.catalog import place as place_name
from screenings.services.changes import SCREENING_SHOWN, bump, snapshot
from screenings.services.check import outside_message
from screenings.services.fields import IntOrClear
from screenings.timeparse import Change, DateRange, InEdition, When, resolve_local


def edition_for(
    session: Session,
    edition: str | None,
    festival: str | None,
    year: int | None,
    notes: list[str],
) -> Edition | None:
    """The edition named by ``edition`` (``'Sheffield Doc/Fest 2013'``) or by ``festival``
    and ``year``, or None for neither."""
    if edition is None and festival is None:
        if year is not None:
            raise InvalidInput(
                "give it with {festival} (the edition's year)", field="year", mentions=("festival",)
            )
        return None
    if edition is not None and festival is not None:
        raise InvalidInput(
            "give either {edition} or {festival} with {year}",
            field="edition",
            mentions=("edition", "festival", "year"),
        )
    if festival is not None and year is None:
        raise InvalidInput("give the edition's {year} too", field="festival", mentions=("year",))
    found = lookup.find_edition(session, edition, festival=festival, year=year)
    if found.note:
        notes.append(found.note)
    return found.record


def add_selection(
    session: Session,
    film: str,
    *,
    edition: str | None = None,
    festival: str | None = None,
    year: int | None = None,
    section: str | None = None,
    premiere: str | None = None,
    status: str = "selected",
) -> Saved[dict[str, Any]]:
    """Put a film in an edition's programme (with or without dated screenings)."""
    notes: list[str] = []
    section = check_text(section, "section", "selection", "section")
    premiere = check_text(premiere, "premiere", "selection", "premiere")
    status = _selection_status(status, "status")
    chosen_film = lookup.find_film(session, film).take(notes)
    chosen = edition_for(session, edition, festival, year, notes)
    if chosen is None:
        raise _no_edition()
    existing = session.scalars(
        select(Selection).where(
            Selection.film_id == chosen_film.id, Selection.edition_id == chosen.id
        )
    ).first()
    if existing is not None:
        shown = select(Screening.id).where(
            Screening.film_id == chosen_film.id,
            Screening.edition_id == chosen.id,
            Screening.visibility == "public",
        )
        why = " (a public screening there puts it in)" if session.scalar(shown) else ""
        raise Conflict(
            f"selection: {chosen_film.title} is already in {lookup.describe(chosen)}{why}; "
            "edit selection changes its section, premiere or status"
        )
    selection = Selection(
        film=chosen_film, edition=chosen, section=section, premiere=premiere, status=status
    )
    session.add(selection)
    session.flush()
    # Its section and premiere show in the calendars of the film's screenings there.
    bump(session, Screening.film_id == chosen_film.id, Screening.edition_id == chosen.id)
    return Saved(selection_record(selection), tuple(notes))


def _no_edition() -> InvalidInput:
    return InvalidInput(
        "give {edition} E, or {festival} F {year} Y",
        field="edition",
        mentions=("edition", "festival", "year"),
    )


def _selection_status(value: str, what: str) -> str:
    return rules.closed_word(value, SELECTION_STATUSES, what=what)


def selection_record(selection: Selection) -> dict[str, Any]:
    return {
        "id": selection.id,
        "film": lookup.describe(selection.film),
        "edition": lookup.describe(selection.edition),
        "section": selection.section,
        "premiere": selection.premiere,
        "status": selection.status,
    }


def add_screening(
    session: Session,
    settings: Settings,
    film: str | None,
    *,
    when: When,
    programme: str | None = None,
    venue: str | None = None,
    city: str | None = None,
    edition: str | None = None,
    festival: str | None = None,
    year: int | None = None,
    duration_minutes: int | None = None,
    kind: str = "regular",
    audience: str | None = None,
    status: str = "scheduled",
    private: bool = False,
    ticket_url: str | None = None,
    note: str | None = None,
    timezone: str | None = None,
) -> Saved[ScreeningView]:
    """Add a screening of a film, or of a programme (``programme``; ``film`` is None): at
    a festival edition, or a special one with no festival. A programme is looked for
    among the programmes of the edition's festival, when one is given.

    ``when`` is its local date and, when known, its local time (never invented: a time
    not known is None); a UTC offset written with it is checked against the zone, and
    how its date was read is said in the notes (``timeparse.read_when`` reads what a
    person typed, a date without a year in the edition's: ``edition_year``). The zone
    is the venue's; else ``timezone``; else the
    festival's; else the configured default; else the screening is refused. A
    ``timezone`` that contradicts the venue's is refused. A venue named for the first
    time is created (in ``city``, with ``timezone``), and said in the notes.
    """
    notes: list[str] = []
    check_minutes(duration_minutes, "duration_minutes")
    status = _status(status, "status")
    kind_slug = _kind(kind, "kind")
    audience = check_text(audience, "audience", "screening", "audience")
    ticket_url = check_url(ticket_url, "ticket_url")
    note = check_text(note, "note", "screening", "notes")
    timezone = zone(timezone, "timezone")
    if (film is None) == (programme is None):
        raise InvalidInput(
            "give the film, or {programme}, not both" if film else "give a film or {programme}",
            field="film",
            mentions=("programme",),
        )
    chosen_edition = edition_for(session, edition, festival, year, notes)
    # Named whole (or by alias, slug or #ID): a screening is not scheduled for a film
    # that a few of its words happen to begin ("The Act" is not "The Act of Killing").
    chosen_film = chosen_programme = None
    if film is not None:
        chosen_film = lookup.find_film(session, film, words=False).take(notes)
    else:
        assert programme is not None
        chosen_programme = _programme(session, programme, chosen_edition, notes)
    shown = chosen_film if chosen_film is not None else chosen_programme
    assert shown is not None
    if when.note:
        notes.append(when.note)
    place = _venue(session, venue, city, timezone, notes) if venue is not None else None
    zone_kept = _zone_for(place, timezone, chosen_edition, settings)
    own_city = place_name(session, city, "city", "screening") if place is None else None
    _check_slot(session, shown, place, own_city, when, zone_kept, what="when")
    screening = Screening(
        uid=new_uid(settings.feed_domain),
        film=chosen_film,
        programme=chosen_programme,
        venue=place,
        edition=chosen_edition,
        city=own_city,
        local_date=when.day,
        local_time=when.time,
        timezone=zone_kept,
        duration_minutes=duration_minutes,
        kind=kind_slug,
        status=status,
        visibility="private" if private else "public",
        audience=audience,
        ticket_url=ticket_url,
        notes=note,
    )
    session.add(screening)
    if chosen_edition is not None and not private:
        for each in screening.shown_films:
            put_in_selection(session, each, chosen_edition, notes)
    session.flush()
    warned = outside_edition(screening)
    return Saved(
        screening_view(session, screening.id, settings),
        tuple(notes),
        warnings=(warned,) if warned else (),
    )


def _programme(session: Session, name: str, edition: Edition | None, notes: list[str]) -> Programme:
    """The programme a screening shows, named whole (or by another name, slug or #ID),
    among its edition's festival's when it has an edition; one of another festival, or of
    another edition, is refused."""
    festival_id = edition.festival_id if edition is not None else None
    found = lookup.find_programme(session, name, festival_id=festival_id, words=False)
    chosen = found.take(notes)
    if edition is not None:
        _of_edition(chosen, edition, field="programme")
    return chosen


def _of_edition(programme: Any, edition: Edition, field: str = "edition") -> None:
    """A programme is shown at its festival, and in its own edition when it has one."""
    if programme.festival_id != edition.festival_id or programme.edition_id not in (
        None,
        edition.id,
    ):
        whose = programme.edition or programme.festival
        raise InvalidInput(
            f"{lookup.describe(programme)} is a programme of {lookup.describe(whose)}, "
            f"not of {lookup.describe(edition)}",
            field=field,
        )


def put_in_selection(
    session: Session, film: Film, edition: Edition, notes: list[str], section: str | None = None
) -> bool:
    """A film screened in public at an edition, or shown in one of its programmes, is in
    its selection: one is made (in ``section``) and said when it has none there; whether
    one was. The callers make none for a private screening."""
    held = select(Selection.id).where(
        Selection.film_id == film.id, Selection.edition_id == edition.id
    )
    if session.scalar(held) is not None:
        return False
    session.add(Selection(film=film, edition=edition, section=section, status="selected"))
    notes.append(f"added {film.title} to the selection of {lookup.describe(edition)}")
    return True


def _venue(
    session: Session,
    name: str,
    city: str | None,
    timezone: str | None,
    notes: list[str],
) -> Venue:
    """The venue named (in the city, when given), or a new one there; a new one is said."""
    if city is None:
        found = lookup.find_venue(session, name)
        if found.note:
            notes.append(found.note)
        return found.record
    name = check_name(name, "venue", rules.length("venue", "name"))
    city = place_name(session, city, "city", "venue")
    existing = venue_in(session, name, city)
    if existing is not None:
        return existing
    venue = Venue(
        name=name,
        slug=unique_slug(session, Venue.slug, name),
        city=city,
        timezone=timezone,
    )
    session.add(venue)
    session.flush()
    notes.append(f"created venue #{venue.id}: {venue.name}, {venue.city}")
    return venue


def _zone_for(
    venue: Venue | None,
    given: str | None,
    edition: Edition | None,
    settings: Settings,
    current: str | None = None,
) -> str:
    """DESIGN.md's rule (``choose_zone``) for a screening added or edited by hand; an
    edit keeps the zone it had over the festival's."""
    festival_zone = edition.festival.timezone if edition is not None else None
    return choose_zone(
        venue.timezone if venue is not None else None,
        venue.name if venue is not None else None,
        given,
        current or festival_zone,
        settings.default_timezone,
        field="timezone",
        hint="give {timezone}, a venue or festival that has one, or set SCREENINGS_TIMEZONE",
    )


def choose_zone(
    venue_zone: str | None,
    venue_name: str | None,
    given: str | None,
    festival_zone: str | None,
    default_zone: str | None,
    *,
    field: str | None,
    hint: str,
) -> str:
    """DESIGN.md's rule, for the command line and for imports alike: the venue's zone,
    else the zone given, else the festival's, else the configured default; a given zone
    that contradicts the venue's is an error about ``field`` (None: the door says where),
    ``hint`` says how to give one (``{timezone}`` in it is the field, as the door names
    it)."""
    if venue_zone:
        if given is not None and given != venue_zone:
            raise InvalidInput(
                f"{given} contradicts the zone of {venue_name}, {venue_zone}", field=field
            )
        return venue_zone
    for known in (given, festival_zone, default_zone):
        if known:
            return known
    raise InvalidInput(
        f"no time zone is known for this screening; {hint}",
        field=field,
        mentions=("timezone",) if "{timezone}" in hint else (),
    )


def _check_slot(
    session: Session,
    film: Any,
    venue: Venue | None,
    city: str | None,
    when: When,
    zone: str,
    *,
    not_id: int = 0,
    check_time: bool = True,
    what: str = "when",
) -> None:
    """Refuse a wall time the zone skips or passes twice (an explicit offset picks one:
    only the first can be stored yet), and a slot the film already has. Without
    ``check_time`` (an edit that keeps the stored wall time and zone) the time is
    not checked again: an import may have stored the first of two."""
    if when.time is not None and check_time:
        local = resolve_local(when, zone, what=what)
        if local.fold:
            raise InvalidInput(
                f"{when.day} {when.time:%H:%M} is the second of two in {zone}; only the "
                "first can be stored yet",
                field=what,
            )
    with session.no_autoflush:  # the edit being checked is not written yet
        taken = _slot_taken(session, film, venue, city, when, not_id)
    if taken:
        raise Conflict(
            f"screening: {film.title} already has a screening there on {when.day}"
            + (f" at {when.time:%H:%M}" if when.time else " with the time unknown")
        )


def _slot_taken(
    session: Session,
    shown: Film | Programme,
    venue: Venue | None,
    city: str | None,
    when: When,
    not_id: int = 0,
) -> bool:
    """Whether the film (or programme) already has a screening at that venue (or in that
    city, with no venue) on that day at that time (or with the time unknown): the slot's
    natural key."""
    rows = session.scalars(
        select(Screening).where(
            Screening.film_id == shown.id
            if isinstance(shown, Film)
            else Screening.programme_id == shown.id,
            Screening.id != not_id,
            Screening.local_date == when.day,
            Screening.venue_id.is_(None) if venue is None else Screening.venue_id == venue.id,
        )
    )
    return any(
        name_key(other.city or "") == name_key(city or "") and other.local_time == when.time
        for other in rows
    )


def screening_views(session: Session, settings: Settings, **criteria: Any) -> list[ScreeningView]:
    """Screenings as every door shows them, private ones included (the user named them)."""
    query = ScreeningQuery(
        include_private=True,
        default_length_minutes=settings.default_duration_minutes,
        **criteria,
    )
    return query.run(session).screenings


def screening_view(session: Session, screening_id: int, settings: Settings) -> ScreeningView:
    """One screening as every door shows it (private or not)."""
    (view,) = screening_views(session, settings, ids=(screening_id,))
    return view


# --- Changing screenings ------------------------------------------------------------


def screening_by_id(session: Session, text: str) -> Screening:
    """A screening by ``#ID`` (or the bare number)."""
    screening: Screening = lookup.find_by_id(session, Screening, text, "screening")
    return screening


def edit_screening(
    session: Session,
    settings: Settings,
    ident: str,
    *,
    change: Change | None = None,
    venue: str | None = None,
    city: str | None = None,
    duration_minutes: IntOrClear | None = None,
    kind: str | None = None,
    audience: str | None = None,
    status: str | None = None,
    private: bool | None = None,
    ticket_url: str | None = None,
    note: str | None = None,
    timezone: str | None = None,
    edition: str | None = None,
    festival: str | None = None,
    year: int | None = None,
) -> Saved[ScreeningView]:
    """Change a screening; when anything a calendar shows changed, its ``sequence`` goes
    up by one (its ``uid`` never changes), else nothing is written (``Saved.changed``).
    ``edition`` (or ``festival`` and ``year``) moves it to another edition; ``edition=""``
    makes it a special screening, with no festival. ``change`` moves it in time: a new
    day, a new time or none (an all-day event in feeds), or both
    (``timeparse.read_change``, a date without a year in ``year_of_edit``'s year).
    ``venue=""`` leaves it at no venue, in the venue's city unless ``city`` says
    another. The zone follows the same rule as for a new screening."""

    screening = screening_by_id(session, ident)
    notes: list[str] = []
    before = snapshot(screening, *SCREENING_SHOWN)
    timezone = _zone_of_screening(timezone, "timezone")
    if edition is not None and cleared(edition):
        screening.edition = None
    elif edition is not None or festival is not None:
        screening.edition = edition_for(session, edition, festival, year, notes)
        if screening.film is None and screening.edition is not None:  # a programme's
            _of_edition(screening.programme, screening.edition)
    when = _new_when(screening, change)
    if when.note:  # how its date was read
        notes.append(when.note)
    _move(session, screening, venue, city, timezone, notes)
    assign(
        screening,
        duration_minutes=(
            duration_minutes,
            lambda v: None if cleared(v) else check_minutes(v, "duration_minutes"),
        ),
        kind=(kind, lambda v: _kind(v, "kind")),
        audience=(audience, lambda v: check_text(v, "audience", "screening", "audience")),
        status=(status, lambda v: _status(v, "status")),
        visibility=(private, lambda v: "private" if v else "public"),
        ticket_url=(ticket_url, lambda v: check_url(v, "ticket_url")),
        notes=(note, lambda v: check_text(v, "note", "screening", "notes")),
    )
    zone_kept = _zone_for(
        screening.venue, timezone, screening.edition, settings, current=screening.timezone
    )
    moved = (when.day, when.time, zone_kept) != (
        screening.local_date,
        screening.local_time,
        screening.timezone,
    )
    if moved and status is None and screening.status == "postponed":
        # A postponed screening given its new date is on again: the same event, moved.
        screening.status = "scheduled"
        notes.append("postponed screening given a new date: scheduled again")
    _check_slot(
        session,
        screening.film or screening.programme,
        screening.venue,
        screening.city,
        when,
        zone_kept,
        not_id=screening.id,
        check_time=moved or when.offset is not None,  # an offset given is always checked
        what="when",
    )
    # The wall time and zone are set together, once checked: the instant follows from them.
    screening.timezone, screening.local_date, screening.local_time = zone_kept, when.day, when.time
    # Moved to an edition, or made public there: the film is in its selection.
    selected = False
    if screening.edition is not None and screening.visibility == "public":
        for film in screening.shown_films:
            selected = put_in_selection(session, film, screening.edition, notes) or selected
    session.flush()
    changed = snapshot(screening, *SCREENING_SHOWN) != before or selected
    if changed:
        bump(session, Screening.id == screening.id)
    warned = outside_edition(screening)
    return Saved(
        screening_view(session, screening.id, settings),
        tuple(notes),
        changed,
        warnings=(warned,) if warned else (),
    )


def _new_when(screening: Screening, change: Change | None) -> When:
    """Where ``change`` puts ``screening`` in time: what it does not say stays."""
    if change is None:
        return When(screening.local_date, screening.local_time)
    return When(
        change.day or screening.local_date,
        change.time if change.time_given else screening.local_time,
        change.offset,
        change.note,
    )


def date_context(
    session: Session, edition: str | None, festival: str | None, year: int | None
) -> InEdition | None:
    """The edition a new screening's date is read in (``timeparse.InEdition``): the one
    ``edition`` (or ``festival`` and ``year``) names; None for none."""
    return in_edition(edition_for(session, edition, festival, year, []))


def date_context_of_edit(
    session: Session,
    ident: str,
    *,
    edition: str | None = None,
    festival: str | None = None,
    year: int | None = None,
) -> InEdition | None:
    """The edition a date is read in for an edit of screening ``ident``: the one the edit
    puts it in (``edition``, or ``festival`` and ``year``), else the one it is in; None
    for a special screening."""
    if edition is not None and cleared(edition):
        return None
    if edition is not None or festival is not None:
        return date_context(session, edition, festival, year)
    return in_edition(screening_by_id(session, ident).edition)


def in_edition(edition: Edition | None) -> InEdition | None:
    """``edition`` as a date is read in it: its year, name and days."""
    if edition is None:
        return None
    days = None
    if edition.starts_on is not None and edition.ends_on is not None:
        days = DateRange(edition.starts_on, edition.ends_on)
    return InEdition(edition.year, edition_name(edition), days)


def edition_name(edition: Edition) -> str:
    """'DocPoint 2026', with its label when it has one."""
    label = f" {edition.label}" if edition.label else ""
    return f"{edition.festival.name} {edition.year}{label}"


def outside_edition(screening: Screening) -> str | None:
    """A warning when the screening's day is outside its edition's days, in the words
    ``check`` uses; None when inside, or when either is not known."""
    edition = screening.edition
    if edition is None:
        return None
    day, first, last = screening.local_date, edition.starts_on, edition.ends_on
    if (first is None or day >= first) and (last is None or day <= last):
        return None
    name = edition_name(edition)
    return outside_message(screening.id, screening.title, day, name, first, last)


def _move(
    session: Session,
    screening: Screening,
    venue: str | None,
    city: str | None,
    timezone: str | None,
    notes: list[str],
) -> None:
    """An edit's ``venue`` and ``city``: ``venue=""`` leaves the screening at no venue, in
    the venue's city unless ``city`` says another; a city is refused for a screening at a
    venue (it takes the venue's)."""
    if venue is not None and cleared(venue):
        if screening.venue is not None:  # it stays in the city it was in, unless told
            screening.city, screening.venue = screening.venue.city, None
    elif venue is not None:
        screening.venue = _venue(session, venue, city, timezone, notes)
        screening.city = None
    if city is not None and venue is None and screening.venue is not None:
        raise InvalidInput(
            f"screening #{screening.id} is at {screening.venue.name}, whose "
            "city it takes; give {venue} to move it",
            field="city",
            mentions=("venue",),
        )
    if city is not None and screening.venue is None:
        screening.city = place_name(session, city, "city", "screening")


def _zone_of_screening(timezone: str | None, what: str) -> str | None:
    """A zone given for a screening, which always has one: ``""`` is refused."""
    if timezone is not None and cleared(timezone):
        raise InvalidInput("empty; a screening is always in a zone", field=what)
    return zone(timezone, what)


def _kind(value: str, what: str) -> str:
    return check_word(value, what, "screening", "kind", rules.SCREENING_KIND_EXAMPLE)


def _status(value: str, what: str) -> str:
    return rules.closed_word(value, SCREENING_STATUSES, what=what)


def set_status(
    session: Session,
    settings: Settings,
    ident: str,
    status: str,
    reason: str | None = None,
) -> Saved[ScreeningView]:
    """Cancel or postpone a screening (never delete it: calendars must see it go); the
    reason, if any, goes into its notes, on a line of its own. Its sequence is bumped."""

    screening = screening_by_id(session, ident)
    reason = check_text(reason, "reason", "screening", "notes")
    if screening.status == status:
        raise Conflict(f"screening #{screening.id} is already {status}")
    screening.status = status
    if reason:
        screening.notes = f"{screening.notes}\n{reason}" if screening.notes else reason
    session.flush()
    bump(session, Screening.id == screening.id)
    return Saved(screening_view(session, screening.id, settings))


def edit_selection(
    session: Session,
    film: str,
    *,
    edition: str | None = None,
    festival: str | None = None,
    year: int | None = None,
    section: str | None = None,
    premiere: str | None = None,
    status: str | None = None,
) -> Saved[dict[str, Any]]:
    """Change a film's place in an edition's programme; the film's screenings there are
    bumped (their section shows in calendars)."""

    notes: list[str] = []
    chosen_film = lookup.find_film(session, film).take(notes)
    chosen = edition_for(session, edition, festival, year, notes)
    if chosen is None:
        raise _no_edition()
    selection = session.scalars(
        select(Selection).where(
            Selection.film_id == chosen_film.id, Selection.edition_id == chosen.id
        )
    ).first()
    if selection is None:
        raise NotFound(f"selection: {chosen_film.title} is not in {lookup.describe(chosen)}")
    before = snapshot(selection, "section", "premiere", "status")
    if section is not None:
        selection.section = check_text(section, "section", "selection", "section")
    if premiere is not None:
        selection.premiere = check_text(premiere, "premiere", "selection", "premiere")
    if status is not None:
        selection.status = _selection_status(status, "status")
    session.flush()
    changed = snapshot(selection, "section", "premiere", "status") != before
    if changed:
        bump(session, Screening.film_id == chosen_film.id, Screening.edition_id == chosen.id)
    return Saved(selection_record(selection), tuple(notes), changed)
