"""The catalogue as a whole: films, people, festivals, venues and their upkeep."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
from screenings.timeparse import MAX_YEAR, MIN_YEAR, load_zone

R = TypeVar("R")


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
    base = slugify(text)
    taken = set(session.scalars(select(column).where(column.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def check_url(value: str | None, what: str) -> str | None:
    """A web address, or ``InvalidInput`` naming ``what``."""
    if value is None:
        return None
    parsed = urlsplit(value.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or " " in value.strip():
        raise InvalidInput(f"{what}: {value!r} is not a web address; expected https://...")
    return value.strip()


def check_minutes(value: int | None, what: str) -> int | None:
    if value is not None and not 0 < value <= 24 * 60 * 7:
        raise InvalidInput(f"{what}: expected a positive number of minutes, got {value}")
    return value


def check_year(value: int | None, what: str) -> int | None:
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidInput(f"{what}: expected a year from {MIN_YEAR} to {MAX_YEAR}, got {value}")
    return value


def check_name(value: str, what: str) -> str:
    value = " ".join(value.split())
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
    name = check_name(name, "name")
    existing = session.scalars(select(Person).where(Person.name_key == name_key(name))).first()
    if existing is not None:
        raise Conflict(f"person: {existing.name} (#{existing.id}) already exists")
    notes: list[str] = []
    person = person_named(session, name, notes)
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
    title = check_name(title, "title")
    check_year(year, "--year")
    check_minutes(runtime_minutes, "--runtime")
    imdb_id = check_imdb(imdb_id)
    existing = session.scalars(
        select(Film).where(Film.title_key == name_key(title), Film.year.is_(None) if year is None
                           else Film.year == year)
    ).first()  # fmt: skip
    if existing is not None:
        raise Conflict(f"film: {lookup.describe(existing)} already exists")
    if imdb_id is not None:
        same = session.scalars(select(Film).where(Film.imdb_id == imdb_id)).first()
        if same is not None:
            raise Conflict(f"film: {lookup.describe(same)} already has IMDb id {imdb_id}")
    film = Film(
        title=title, slug=unique_slug(session, Film.slug, f"{title} {year or ''}".strip()),
        year=year, original_title=original_title, runtime_minutes=runtime_minutes,
        countries=list(countries), languages=list(languages), imdb_id=imdb_id,
        website=check_url(website, "--website"),
    )  # fmt: skip
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
        film.id, film.title, film.original_title, film.year, film.runtime_minutes,
        list(film.countries), list(film.languages), film.imdb_id, film.website, film.slug,
        [c.person.name for c in film.credits if c.role == "director"],
    )  # fmt: skip


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
        name=name, slug=unique_slug(session, Festival.slug, name), city=city, country=country,
        timezone=_zone(timezone), website=check_url(website, "--website"),
    )  # fmt: skip
    session.add(festival)
    session.flush()
    return Saved(festival_view(festival))


def _zone(name: str | None) -> str | None:
    if name is None:
        return None
    load_zone(name, what="--timezone")
    return name


def festival_view(festival: Festival) -> FestivalView:
    return FestivalView(
        festival.id, festival.name, festival.slug, festival.city, festival.country,
        festival.timezone, festival.website, len(festival.editions),
    )  # fmt: skip


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
        festival=chosen, year=year, label=label, starts_on=starts_on, ends_on=ends_on,
        slug=unique_slug(session, Edition.slug, f"{chosen.slug} {year} {label or ''}".strip()),
    )  # fmt: skip
    session.add(edition)
    session.flush()
    return Saved(edition_view(edition), (found.note,) if found.note else ())


def edition_view(edition: Edition) -> EditionView:
    public = sum(1 for s in edition.screenings if s.visibility == "public")
    return EditionView(
        edition.id, FestivalRef(edition.festival.id, edition.festival.name), edition.year,
        edition.label, edition.slug, edition.starts_on, edition.ends_on, public,
    )  # fmt: skip


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
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput(f"--lat: expected -90 to 90, got {latitude}")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput(f"--lon: expected -180 to 180, got {longitude}")
    existing = venue_in(session, name, city)
    if existing is not None:
        raise Conflict(f"venue: {lookup.describe(existing)} already exists")
    venue = Venue(
        name=name, slug=unique_slug(session, Venue.slug, name), address=address, city=city,
        country=country, timezone=_zone(timezone), latitude=latitude, longitude=longitude,
    )  # fmt: skip
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
        venue.id, venue.name, venue.slug, venue.address, venue.city, venue.country,
        venue.timezone, venue.latitude, venue.longitude,
    )  # fmt: skip
