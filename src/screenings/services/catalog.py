"""The catalogue as a whole: films, people, festivals, venues and their upkeep."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screenings import rules, tables
from screenings.errors import Conflict, InvalidInput
from screenings.keys import name_key, slugify
from screenings.models import Base, Credit, Edition, Festival, Film, FilmLink, Person, Venue
from screenings.records import (
    EditionView,
    FestivalRef,
    FestivalView,
    FilmView,
    PersonView,
    VenueView,
)
from screenings.services import lookup
from screenings.services.changes import (
    bump_edition,
    bump_festival,
    bump_film,
    bump_person,
    bump_venue,
    snapshot,
)
from screenings.services.published import still_retired
from screenings.timeparse import zone_name

R = TypeVar("R")
RS = tables.retired_slug


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each table of the model holds, by table name, in dependency order."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


# --- Adding to the catalogue ---------------------------------------------------------


class Saved(NamedTuple, Generic[R]):
    """What a service stored, as a record to show, and what else it did (records created)."""

    record: R
    notes: tuple[str, ...] = ()


def unique_slug(session: Session, column: Any, text: str) -> str:
    """A slug for ``text`` that no row of ``column``'s table uses yet: ``name``, ``name-2``, ..."""
    (slug,) = unique_slugs(session, column, [text])
    return slug


def unique_slugs(session: Session, column: Any, texts: Sequence[str]) -> list[str]:
    """Slugs for new rows (``unique_slug`` for many at once): none used by a stored row,
    nor by another of these, nor retired (``published.retire_slug``) by a record removed
    lately or merged into another. One query for all, and one more per
    slug already taken."""
    bases = [slugify(t) for t in texts]
    kind = getattr(column, "expression", column).table.name

    def taken_where(condition: Any, retired_condition: Any) -> set[str]:
        stored = set(session.scalars(select(column).where(condition)))
        return stored | set(
            session.scalars(
                select(RS.c.slug).where(RS.c.kind == kind, retired_condition, still_retired())
            )
        )

    taken = taken_where(column.in_(set(bases)), RS.c.slug.in_(set(bases)))
    chosen = []
    for base in bases:
        slug, n = base, 1
        if slug in taken:
            taken |= taken_where(column.like(f"{base}-%"), RS.c.slug.like(f"{base}-%"))
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        chosen.append(slug)
    return chosen


def check_url(value: str | None, what: str) -> str | None:
    """A web address (``rules.check_url``), or None; ``InvalidInput`` naming ``what``."""
    return None if value is None else rules.check_url(value, what=what)


def check_minutes(value: int | None, what: str) -> int | None:
    if value is not None and not 0 < value <= 24 * 60 * 7:
        raise InvalidInput(f"{what}: expected a positive number of minutes, got {value}")
    return value


def check_year(value: int | None, what: str) -> int | None:
    if value is not None and not rules.MIN_YEAR <= value <= rules.MAX_YEAR:
        raise InvalidInput(
            f"{what}: expected a year from {rules.MIN_YEAR} to {rules.MAX_YEAR}, got {value}"
        )
    return value


def check_name(value: str, what: str, limit: int = 300) -> str:
    """A name or title (``rules.clean_text``: no control character, whitespace tidied);
    refused when empty or longer than ``limit``."""
    value = rules.clean_text(value, what=what, limit=limit)
    if not value:
        raise InvalidInput(f"{what}: empty; expected a name")
    return value


def person_named(session: Session, name: str, notes: list[str], what: str = "person") -> Person:
    """The person with this name (same key), or a new one; a new one is said in ``notes``."""
    name = check_name(name, what)
    found = session.scalars(select(Person).where(Person.name_key == name_key(name))).first()
    if found is not None:
        return found
    person = Person(name=name, slug=unique_slug(session, Person.slug, name))
    session.add(person)
    session.flush()
    notes.append(f"created person #{person.id}: {person.name}")
    return person


def add_person(session: Session, name: str) -> Saved[PersonView]:
    """Add a person; refused (``Conflict``) when one with the same name exists."""
    notes: list[str] = []
    person = person_named(session, name, notes, what="name")
    if not notes:  # found, not created
        raise Conflict(f"person: {person.name} (#{person.id}) already exists")
    return Saved(person_view(person))


def person_view(person: Person) -> PersonView:
    return PersonView(person.id, person.name, person.slug, len({c.film_id for c in person.credits}))


def add_film(
    session: Session,
    title: str,
    *,
    year: int | None = None,
    original_title: str | None = None,
    runtime_minutes: int | None = None,
    countries: Sequence[str] = (),
    languages: Sequence[str] = (),
    imdb_id: str | None = None,
    directors: Sequence[str] = (),
    producers: Sequence[str] = (),
    credits: Sequence[tuple[str, str]] = (),
    links: Sequence[tuple[str, str]] = (),
    website: str | None = None,
) -> Saved[FilmView]:
    """Add a film with its credits and links. People named for the first time are created.

    Refused (``Conflict``) when a film with the same title and year (or the same
    title, both years unknown) or the same IMDb id exists.
    """
    title = check_name(title, "title", 500)
    check_year(year, "--year")
    check_minutes(runtime_minutes, "--runtime")
    imdb_id = check_imdb(imdb_id)
    _same_title(session, title, year)
    if imdb_id is not None:
        same = session.scalars(select(Film).where(Film.imdb_id == imdb_id)).first()
        if same is not None:
            raise Conflict(f"film: {lookup.describe(same)} already has IMDb id {imdb_id}")
    film = Film(
        title=title,
        slug=unique_slug(session, Film.slug, f"{title} {year or ''}".strip()),
        year=year,
        original_title=original_title,
        runtime_minutes=runtime_minutes,
        countries=[c.strip() for c in countries if c.strip()],
        languages=[x.strip() for x in languages if x.strip()],
        imdb_id=imdb_id,
        website=check_url(website, "--website"),
    )
    session.add(film)
    session.flush()
    notes: list[str] = []
    roles = [("director", d) for d in directors] + [("producer", p) for p in producers]
    for position, (given_role, name) in enumerate([*roles, *credits]):
        role = check_role(given_role)
        person = person_named(session, name, notes)
        if any(c.person_id == person.id and c.role == role for c in film.credits):
            continue
        film.credits.append(Credit(person=person, role=role, position=position))
    for kind, url in links:
        film.links.append(FilmLink(kind=check_role(kind, "--link"), url=check_url(url, "--link")))
    session.flush()
    return Saved(film_view(film), tuple(notes))


def _same_title(session: Session, title: str, year: int | None, *, not_id: int = 0) -> None:
    """Refuse a film that would duplicate one stored: the same title and year, or the same
    title where one of the two years is unknown (most likely the same film, typed twice)."""
    for film in session.scalars(
        select(Film).where(Film.title_key == name_key(title), Film.id != not_id)
    ):
        if film.year == year:
            raise Conflict(f"film: {lookup.describe(film)} already exists")
        if film.year is None or year is None:
            raise Conflict(
                f"film: {lookup.describe(film)} has the same title; give both years to tell "
                "two films apart, or edit that one"
            )


def check_imdb(value: str | None) -> str | None:
    if value is None:
        return None
    match = re.search(r"(tt\d{7,9})", value)
    if not match:
        raise InvalidInput(f"--imdb: {value!r} is not an IMDb id; expected e.g. tt2407504")
    return match[1]


def check_role(value: str, what: str = "--credit") -> str:
    role = "_".join(value.strip().lower().split())
    if not role:
        raise InvalidInput(f"{what}: empty; expected e.g. producer=Ann Shin")
    return role


def film_view(film: Film) -> FilmView:
    return FilmView(
        film.id,
        film.title,
        film.original_title,
        film.year,
        film.runtime_minutes,
        list(film.countries),
        list(film.languages),
        film.imdb_id,
        film.website,
        film.slug,
        [c.person.name for c in film.credits if c.role == "director"],
    )


def place(session: Session, text: str | None, what: str = "city") -> str | None:
    """A city (or, with ``what="country"``, a country) as typed, tidied, in the spelling
    already stored for it if any ("sheffield" becomes the stored "Sheffield")."""
    if text is None:
        return None
    tidy = " ".join(text.split())
    if not tidy:
        return None
    return stored_places(session, what).get(name_key(tidy), tidy)


def stored_places(session: Session, what: str = "city") -> dict[str, str]:
    """The cities (or countries) stored anywhere, by key: the first spelling found, venues'
    first, then festivals', then screenings' own."""
    from screenings.models import Screening

    columns = (
        (Venue.city, Festival.city, Screening.city)
        if what == "city"
        else (Venue.country, Festival.country)
    )
    found: dict[str, str] = {}
    for column in columns:
        for stored in session.scalars(select(column).where(column.is_not(None)).distinct()):
            if stored:
                found.setdefault(name_key(stored), str(stored))
    return found


def add_festival(
    session: Session,
    name: str,
    *,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    website: str | None = None,
) -> Saved[FestivalView]:
    """Add a festival; refused when one with the same name exists."""
    name = check_name(name, "name")
    existing = session.scalars(select(Festival).where(Festival.name_key == name_key(name))).first()
    if existing is not None:
        raise Conflict(f"festival: {existing.name} (#{existing.id}) already exists")
    festival = Festival(
        name=name,
        slug=unique_slug(session, Festival.slug, name),
        city=place(session, city),
        country=place(session, country, "country"),
        timezone=_zone(timezone),
        website=check_url(website, "--website"),
    )
    session.add(festival)
    session.flush()
    return Saved(festival_view(festival))


def _zone(name: str | None) -> str | None:
    return None if name is None else zone_name(name, what="--timezone")


def festival_view(festival: Festival) -> FestivalView:
    return FestivalView(
        festival.id,
        festival.name,
        festival.slug,
        festival.city,
        festival.country,
        festival.timezone,
        festival.website,
        len(festival.editions),
    )


def add_edition(
    session: Session,
    festival: str,
    year: int,
    *,
    label: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Saved[EditionView]:
    """Add a festival's edition of a year (a label tells apart two runs in one year)."""
    found = lookup.find_festival(session, festival)
    chosen = found.record
    check_year(year, "YEAR")
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput(f"--to: {ends_on} is before --from {starts_on}")
    label = " ".join(label.split()) if label else None
    for edition in chosen.editions:
        if edition.year == year and name_key(edition.label or "") == name_key(label or ""):
            raise Conflict(f"edition: {lookup.describe(edition)} already exists")
    edition = Edition(
        festival=chosen,
        year=year,
        label=label,
        starts_on=starts_on,
        ends_on=ends_on,
        slug=unique_slug(session, Edition.slug, f"{chosen.slug} {year} {label or ''}".strip()),
    )
    session.add(edition)
    session.flush()
    return Saved(edition_view(session, edition), (found.note,) if found.note else ())


def edition_view(session: Session, edition: Edition) -> EditionView:
    """An edition with its number of public screenings (counted, not loaded)."""
    from screenings.models import Screening

    public = session.scalar(
        select(func.count()).where(
            Screening.edition_id == edition.id, Screening.visibility == "public"
        )
    )
    return EditionView(
        edition.id,
        FestivalRef(edition.festival.id, edition.festival.name),
        edition.year,
        edition.label,
        edition.slug,
        edition.starts_on,
        edition.ends_on,
        public or 0,
    )


def add_venue(
    session: Session,
    name: str,
    *,
    address: str | None = None,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Saved[VenueView]:
    """Add a venue; refused when one with the same name in the same city exists."""
    name = check_name(name, "name")
    if (latitude is None) != (longitude is None):
        raise InvalidInput("--lat: give --lat and --lon together")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput(f"--lat: expected -90 to 90, got {latitude}")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput(f"--lon: expected -180 to 180, got {longitude}")
    city, country = place(session, city), place(session, country, "country")
    existing = venue_in(session, name, city)
    if existing is not None:
        raise Conflict(f"venue: {lookup.describe(existing)} already exists")
    venue = Venue(
        name=name,
        slug=unique_slug(session, Venue.slug, name),
        address=address,
        city=city,
        country=country,
        timezone=_zone(timezone),
        latitude=latitude,
        longitude=longitude,
    )
    session.add(venue)
    session.flush()
    return Saved(venue_view(venue))


def venue_in(session: Session, name: str, city: str | None) -> Venue | None:
    """The venue with this name (by key) in this city (by key; None: no city)."""
    for venue in session.scalars(select(Venue).where(Venue.name_key == name_key(name))):
        if name_key(venue.city or "") == name_key(city or ""):
            return venue
    return None


def venue_view(venue: Venue) -> VenueView:
    return VenueView(
        venue.id,
        venue.name,
        venue.slug,
        venue.address,
        venue.city,
        venue.country,
        venue.timezone,
        venue.latitude,
        venue.longitude,
    )


# --- Editing --------------------------------------------------------------------------

# What a calendar shows of each kind: an edit bumps screenings only when one of these moved.
FILM_SHOWN = (
    "title",
    "year",
    "original_title",
    "runtime_minutes",
    "countries",
    "languages",
    "imdb_id",
    "website",
    "credits",
    "links",
)
FESTIVAL_SHOWN = ("name", "city", "country", "timezone", "website")
VENUE_SHOWN = ("name", "address", "city", "country", "timezone", "latitude", "longitude")
EDITION_SHOWN = ("festival_id", "year", "label", "starts_on", "ends_on")


def edit_film(
    session: Session,
    name: str,
    *,
    title: str | None = None,
    year: int | None = None,
    original_title: str | None = None,
    runtime_minutes: int | None = None,
    countries: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    imdb_id: str | None = None,
    directors: Sequence[str] | None = None,
    producers: Sequence[str] | None = None,
    credits: Sequence[tuple[str, str]] | None = None,
    links: Sequence[tuple[str, str]] | None = None,
    website: str | None = None,
) -> Saved[FilmView]:
    """Change a film. Options given replace what was stored: ``directors`` replaces the
    directors, ``producers`` the producers, ``credits`` every other credit of the roles it
    names, ``links`` the links of the kinds it names. Its screenings' sequence is bumped."""

    found = lookup.find_film(session, name)
    film = found.record
    notes = [found.note] if found.note else []
    before = snapshot(film, *FILM_SHOWN)
    if title is not None:
        film.title = check_name(title, "--title", 500)
    if year is not None:
        film.year = check_year(year, "--year")
    if original_title is not None:
        film.original_title = original_title or None
    if runtime_minutes is not None:
        film.runtime_minutes = check_minutes(runtime_minutes, "--runtime")
    if countries is not None:
        film.countries = [c.strip() for c in countries if c.strip()]
    if languages is not None:
        film.languages = [x.strip() for x in languages if x.strip()]
    if imdb_id is not None:
        film.imdb_id = check_imdb(imdb_id)
    if website is not None:
        film.website = check_url(website, "--website")
    replaced: dict[str, list[str]] = {}
    if directors is not None:
        replaced["director"] = list(directors)
    if producers is not None:
        replaced["producer"] = list(producers)
    for role, credited in credits or ():
        replaced.setdefault(check_role(role), []).append(credited)
    for role, people in replaced.items():
        for credit in [c for c in film.credits if c.role == role]:
            film.credits.remove(credit)
        session.flush()
        for person_name in people:
            person = person_named(session, person_name, notes)
            film.credits.append(Credit(person=person, role=role, position=len(film.credits)))
    if links is not None:
        kinds = {check_role(kind, "--link") for kind, _ in links}
        for link in [x for x in film.links if x.kind in kinds]:
            film.links.remove(link)
        session.flush()
        for kind, url in links:
            film.links.append(
                FilmLink(kind=check_role(kind, "--link"), url=check_url(url, "--link"))
            )
    _same_title(session, film.title, film.year, not_id=film.id)
    session.flush()
    bumped = bump_film(session, film.id) if snapshot(film, *FILM_SHOWN) != before else 0
    session.refresh(film)
    if bumped:
        notes.append(f"{bumped} screening(s) updated for calendars")
    return Saved(film_view(film), tuple(notes))


def edit_person(session: Session, name: str, *, new_name: str | None = None) -> Saved[PersonView]:
    """Rename a person; the screenings of their films are bumped."""

    found = lookup.find_person(session, name)
    person = found.record
    notes = [found.note] if found.note else []
    if new_name is not None:
        new_name = check_name(new_name, "--name")
        clash = session.scalars(
            select(Person).where(Person.name_key == name_key(new_name), Person.id != person.id)
        ).first()
        if clash is not None:
            raise Conflict(f"person: {clash.name} (#{clash.id}) already exists; merge them instead")
        renamed = person.name != new_name
        person.name = new_name
        session.flush()
        if renamed:
            bump_person(session, person.id)
    return Saved(person_view(person), tuple(notes))


def edit_festival(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    website: str | None = None,
) -> Saved[FestivalView]:
    """Change a festival; the screenings of its editions are bumped."""

    found = lookup.find_festival(session, name)
    festival = found.record
    before = snapshot(festival, *FESTIVAL_SHOWN)
    if new_name is not None:
        festival.name = check_name(new_name, "--name")
        clash = session.scalars(
            select(Festival).where(
                Festival.name_key == festival.name_key, Festival.id != festival.id
            )
        ).first()
        if clash is not None:
            raise Conflict(f"festival: {clash.name} (#{clash.id}) already exists")
    for attribute, value in (("city", city), ("country", country)):
        if value is not None:
            setattr(festival, attribute, value or None)
    if timezone is not None:
        festival.timezone = _zone(timezone)
    if website is not None:
        festival.website = check_url(website, "--website")
    session.flush()
    if snapshot(festival, *FESTIVAL_SHOWN) != before:
        bump_festival(session, festival.id)
    return Saved(festival_view(festival), (found.note,) if found.note else ())


def edit_venue(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    address: str | None = None,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Saved[VenueView]:
    """Change a venue; its screenings are bumped. A new zone moves their UTC instants
    (their wall times stay: those are the truth)."""

    found = lookup.find_venue(session, name)
    venue = found.record
    before = snapshot(venue, *VENUE_SHOWN)
    if new_name is not None:
        venue.name = check_name(new_name, "--name")
    for attribute, value in (("address", address), ("city", city), ("country", country)):
        if value is not None:
            setattr(venue, attribute, value or None)
    if latitude is not None or longitude is not None:
        venue.latitude = latitude if latitude is not None else venue.latitude
        venue.longitude = longitude if longitude is not None else venue.longitude
    if timezone is not None:
        venue.timezone = _zone(timezone)
        for screening in venue.screenings:
            screening.timezone = timezone  # re-derives the UTC instant from the wall time
    clash = venue_in(session, venue.name, venue.city)
    if clash is not None and clash.id != venue.id:
        raise Conflict(f"venue: {lookup.describe(clash)} already exists; merge them instead")
    session.flush()
    if snapshot(venue, *VENUE_SHOWN) != before:
        bump_venue(session, venue.id)
    return Saved(venue_view(venue), (found.note,) if found.note else ())


def edit_edition(
    session: Session,
    name: str,
    *,
    year: int | None = None,
    label: str | None = None,
    starts: str | None = None,
    ends: str | None = None,
    dayfirst: bool | None = None,
    festival: str | None = None,
) -> Saved[EditionView]:
    """Change an edition (``label=""`` removes the label); its screenings are bumped.
    ``starts``/``ends`` are dates as typed; one without a year takes the edition's."""
    from screenings.timeparse import parse_when

    found = lookup.find_edition(session, name)
    edition = found.record
    before = snapshot(edition, *EDITION_SHOWN)
    if festival is not None:  # a festival entered twice: the edition moves to the right one
        edition.festival = lookup.find_festival(session, festival).record
    if year is not None:
        check_year(year, "--year")
        edition.year = year
    starts_on = (
        parse_when(starts, what="--from", dayfirst=dayfirst, year=edition.year).day
        if starts
        else None
    )
    ends_on = (
        parse_when(ends, what="--to", dayfirst=dayfirst, year=edition.year).day if ends else None
    )
    if label is not None:
        edition.label = " ".join(label.split()) or None
    if starts_on is not None:
        edition.starts_on = starts_on
    if ends_on is not None:
        edition.ends_on = ends_on
    if edition.starts_on and edition.ends_on and edition.ends_on < edition.starts_on:
        raise InvalidInput(f"--to: {edition.ends_on} is before --from {edition.starts_on}")
    for other in edition.festival.editions:
        if (
            other.id != edition.id
            and other.year == edition.year
            and name_key(other.label or "") == name_key(edition.label or "")
        ):
            raise Conflict(f"edition: {lookup.describe(other)} already exists")
    session.flush()
    if snapshot(edition, *EDITION_SHOWN) != before:
        bump_edition(session, edition.id)
    return Saved(edition_view(session, edition), (found.note,) if found.note else ())
