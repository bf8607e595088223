"""The catalogue as a whole: films, people, festivals, venues and their upkeep.

Every value a service here takes is judged by the rules of the column it lands in
(``screenings.rules``: text hygiene and length, the web address rule, the zone rule,
years), before the database sees it, so that SQLite and PostgreSQL keep and refuse
alike; an error is about the field a value was given as (``field="website"``), which
the calling door names in its own terms (``errors.ScreeningsError.said``).
In an edit, ``""`` clears an optional value (numbers included) and None leaves it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screenings import lookup, rules, tables
from screenings.errors import Conflict, InvalidInput
from screenings.keys import name_key, slugify
from screenings.models import Base, Credit, Edition, Festival, Film, FilmLink, Person, Venue
from screenings.records import (
    EditionView,
    FestivalRef,
    FestivalView,
    FilmStored,
    FilmView,
    PersonView,
    VenueView,
)
from screenings.services.aliases import (
    drop_alias,
    keep_old_name,
    near_duplicate_note,
    near_duplicates,
    refuse_alias,
)
from screenings.services.changes import (
    bump_edition,
    bump_festival,
    bump_film,
    bump_person,
    bump_venue,
    snapshot,
)
from screenings.services.fields import DateOrClear, FloatOrClear, IntOrClear, TimeOrClear
from screenings.services.published import retire_slug, still_retired

R = TypeVar("R")
RS = tables.retired_slug


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each table of the model holds, by table name, in dependency order
    (the revision counter's table has one: ``count_changes`` reads its count)."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def count_changes(session: Session) -> int:
    """How many writing transactions the catalogue has had: its revision counter."""
    counter = session.scalar(select(tables.revision.c.counter))
    return int(counter or 0)


# --- Adding to the catalogue ---------------------------------------------------------


class Saved(NamedTuple, Generic[R]):
    """What a service stored, as a record to show, and what else it did (records created);
    ``changed`` is False for an edit that found every value as given (it changed nothing);
    ``warnings``: what was stored as asked but looks wrong (a date outside its edition)."""

    record: R
    notes: tuple[str, ...] = ()
    changed: bool = True
    warnings: tuple[str, ...] = ()


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


def renew_slug(session: Session, record: Any, text: str, notes: list[str]) -> None:
    """After a rename (``text``: what its slug is made of now), the record's slug for its
    new name, when the one it has does not say that name already. Its old slug is kept
    (``published.retire_slug``, with the new one as successor): its pages and feeds
    answer 301 to the new ones, for good, and no other record takes it. A record named
    back to a name it had takes its own old slug back."""
    base, old = slugify(text), record.slug
    if old == base:
        return
    table = record.__table__
    if (
        re.fullmatch(rf"{re.escape(base)}-\d+", old)
        and unique_slug(session, table.c.slug, text) != base
    ):
        return  # its number tells it from another record of that name, as it still must
    kind = table.name
    mine = RS.c.kind == kind, RS.c.slug == base, RS.c.successor == old
    taken_back = session.scalar(select(RS.c.id).where(*mine)) is not None
    if taken_back:
        session.execute(delete(RS).where(*mine))
    new = base if taken_back else unique_slug(session, table.c.slug, text)
    retire_slug(session, record, successor=new)
    record.slug = new
    notes.append(f"{kind} address {old!r} is now {new!r}; the old one leads there")


def check_url(value: str | None, what: str) -> str | None:
    """A web address (``rules.check_url``); None for None or ``""``; ``InvalidInput``
    naming ``what``."""
    return None if value is None or cleared(value) else rules.check_url(value, what=what)


def check_text(value: str | None, what: str, table: str, column: str) -> str | None:
    """An optional text as ``table.column`` keeps it (``rules.clean_text``, with that
    column's length, its lines kept where the column holds several); None for None and
    for a text empty once tidied: ``""`` clears an optional value."""
    if value is None:
        return None
    kept = rules.clean_text(
        value,
        what=what,
        limit=rules.LENGTHS[table].get(column),
        multiline=(table, column) in rules.MULTILINE,
    )
    return kept or None


def check_texts(values: Sequence[str], what: str) -> list[str]:
    """A list of short texts (a film's countries, its languages), each tidied
    (``rules.clean_text``), the empty ones left out."""
    return [kept for value in values if (kept := rules.clean_text(value, what=what))]


def check_word(value: str, what: str, table: str, column: str, example: str) -> str:
    """A word of an open vocabulary (a credit role, a link kind, a screening kind) as
    ``table.column`` keeps it: clean text (``rules.clean_text``), lower-case, its words
    joined by ``_``, within the column's length; ``InvalidInput`` when empty."""
    return rules.required_word(value, what=what, limit=rules.length(table, column), example=example)


def cleared(value: Any) -> bool:
    """True for the ``""`` with which an edit clears an optional value."""
    return isinstance(value, str) and not value.strip()


def check_minutes(value: int | None, what: str) -> int | None:
    if value is not None and not 0 < value <= rules.MAX_SLOT_MINUTES:
        raise InvalidInput(f"expected a positive number of minutes, got {value}", field=what)
    return value


def check_year(value: int | None, what: str) -> int | None:
    if value is not None and not rules.MIN_YEAR <= value <= rules.MAX_YEAR:
        raise InvalidInput(
            f"expected a year from {rules.MIN_YEAR} to {rules.MAX_YEAR}, got {value}",
            field=what,
        )
    return value


def check_name(value: str, what: str, limit: int = rules.length("person", "name")) -> str:
    """A name or title (``rules.clean_text``: no control character, whitespace tidied);
    refused when empty or longer than ``limit``."""
    value = rules.clean_text(value, what=what, limit=limit)
    if not value:
        raise InvalidInput("empty; expected a name", field=what)
    if not value.isascii():  # an ASCII name's key is never longer than the name
        rules.check_key_length(value, key=name_key(value), what=what, limit=limit)
    return value


def person_named(session: Session, name: str, notes: list[str], what: str = "person") -> Person:
    """The person with this name (same key), or a new one; a new one is said in ``notes``."""
    name = check_name(name, what)
    found = session.scalars(select(Person).where(Person.name_key == name_key(name))).first()
    if found is not None:
        return found
    for kept in lookup.aliased(session, "person", name):  # a merged duplicate's name
        notes.append(f"{what} {name!r} is another name of {lookup.describe(kept)}")
        return kept  # type: ignore[no-any-return]
    person = Person(name=name, slug=unique_slug(session, Person.slug, name))
    session.add(person)
    session.flush()
    notes.append(f"created person #{person.id}: {person.name}")
    return person


def add_person(session: Session, name: str) -> Saved[PersonView]:
    """Add a person; refused (``Conflict``) when one with the same name exists."""
    refuse_alias(session, "person", check_name(name, "name"))
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
) -> Saved[FilmStored]:
    """Add a film with its credits and links. People named for the first time are created.

    Refused (``Conflict``) when a film with the same title and year (or the same
    title, both years unknown) or the same IMDb id exists.
    """
    title = check_name(title, "title", rules.length("film", "title"))
    check_year(year, "year")
    check_minutes(runtime_minutes, "runtime_minutes")
    imdb_id = check_imdb(imdb_id, "imdb_id")
    original_title = check_text(original_title, "original_title", "film", "original_title")
    website = check_url(website or None, "website")
    roles = [given for given in _roles(directors, producers, credits) if given[1]]
    film_links = _links(links)
    _same_title(session, title, year)
    refuse_alias(session, "film", title, year=year)
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
        countries=check_texts(countries, "countries"),
        languages=check_texts(languages, "languages"),
        imdb_id=imdb_id,
        website=website,
    )
    session.add(film)
    session.flush()
    notes: list[str] = []
    for position, (role, name, what) in enumerate(roles):
        person = person_named(session, name, notes, what)
        if any(c.person_id == person.id and c.role == role for c in film.credits):
            continue
        film.credits.append(Credit(person=person, role=role, position=position))
    for kind, url in film_links:
        film.links.append(FilmLink(kind=kind, url=url))
    session.flush()
    return Saved(film_stored(film), tuple(notes))


def _roles(
    directors: Sequence[str] | None,
    producers: Sequence[str] | None,
    credits: Sequence[tuple[str, str]] | None,
) -> list[tuple[str, str, str]]:
    """The credits given, as (role as stored, person's name, the field it was given in);
    an empty name ("") is no one: ``directors=[""]`` gives the film no director."""
    given = [("director", d, "directors") for d in directors or ()]
    given += [("producer", p, "producers") for p in producers or ()]
    given += [
        (check_word(role, "credits", "credit", "role", "producer=Ann Shin"), person,
         "credits")
        for role, person in credits or ()
    ]  # fmt: skip
    return [(role, person.strip() and person, what) for role, person, what in given]


def _links(links: Sequence[tuple[str, str]] | None) -> list[tuple[str, str]]:
    """The links given, as (kind, address) as stored."""
    what = "links"
    return [
        (check_word(kind, what, "film_link", "kind", "trailer=https://..."), _url(url, what))
        for kind, url in links or ()
    ]


def _url(value: str, what: str) -> str:
    return rules.check_url(value, what=what, limit=rules.length("film_link", "url"))


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


def check_imdb(value: str | None, what: str) -> str | None:
    """An IMDb id (``tt`` and 7 to 9 digits), found in what was given (its IMDb address,
    say); None for None or ``""``."""
    if value is None or cleared(value):
        return None
    match = re.search(r"(tt\d{7,9})", value)
    if not match:
        raise InvalidInput(f"{value[:80]!r} is not an IMDb id; expected e.g. tt2407504", field=what)
    return match[1]


def film_stored(film: Film) -> FilmStored:
    """The film with all its credits and links, as a reply says them back."""
    credits = sorted(film.credits, key=lambda c: (c.position, c.id))
    return FilmStored(
        film_view(film),
        [(c.role, c.person.name) for c in credits],
        [(link.kind, link.url) for link in sorted(film.links, key=lambda link: link.id)],
    )


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


def place(
    session: Session, text: str | None, what: str, table: str, kind: str = "city"
) -> str | None:
    """A city (or, with ``kind="country"``, a country) for ``table``, as typed and tidied
    (``check_text``), in the spelling already stored for it if any ("sheffield" becomes
    the stored "Sheffield"); None for None or ``""``."""
    tidy = check_text(text, what, table, kind)
    if tidy is None:
        return None
    return stored_places(session, kind).get(name_key(tidy), tidy)


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
    name = check_name(name, "name", rules.length("festival", "name"))
    city = place(session, city, "city", "festival")
    country = place(session, country, "country", "festival", "country")
    timezone = zone(timezone, "timezone")
    website = check_url(website or None, "website")
    existing = session.scalars(select(Festival).where(Festival.name_key == name_key(name))).first()
    if existing is not None:
        raise Conflict(f"festival: {existing.name} (#{existing.id}) already exists")
    refuse_alias(session, "festival", name)
    near = near_duplicates(session, "festival", name, city)
    festival = Festival(
        name=name,
        slug=unique_slug(session, Festival.slug, name),
        city=city,
        country=country,
        timezone=timezone,
        website=website,
    )
    session.add(festival)
    session.flush()
    said = (near_duplicate_note("festival", name, city, near),) if near else ()
    return Saved(festival_view(festival), said)


def zone(name: str | None, what: str) -> str | None:
    """The zone ``name`` means, as the catalogue keeps it (``rules.canonical_zone``); None
    for None or ``""`` (no zone)."""
    return None if name is None or cleared(name) else rules.canonical_zone(name, what=what)


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
    """Add a festival's edition of a year (a label tells apart two runs in one year).
    ``starts_on``/``ends_on`` are its first and last days, when known, which must fit its
    year (``rules.edition_days``; ``timeparse.read_day`` reads them as typed, one without
    a year in the edition's)."""
    found = lookup.find_festival(session, festival)
    chosen = found.record
    check_year(year, "year")
    label = check_text(label, "label", "edition", "label")
    rules.edition_days(year, starts_on, ends_on, what_first="starts_on", what_last="ends_on")
    for edition in chosen.editions:
        if edition.year == year and name_key(edition.label or "") == name_key(label or ""):
            raise Conflict(f"edition: {lookup.describe(edition)} already exists")
    edition = Edition(
        festival=chosen,
        year=year,
        label=label,
        starts_on=starts_on,
        ends_on=ends_on,
        slug=unique_slug(session, Edition.slug, _slug_text(chosen.slug, year, label)),
    )
    session.add(edition)
    session.flush()
    return Saved(edition_view(session, edition), (found.note,) if found.note else ())


def edition_view(session: Session, edition: Edition, public: int | None = None) -> EditionView:
    """An edition with its number of public screenings: ``public`` when the caller
    counted them, else counted here (not loaded)."""
    from screenings.models import Screening

    if public is None:
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
        edition.day_starts_at,
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
    name = check_name(name, "name", rules.length("venue", "name"))
    _check_position(latitude, longitude)
    address = check_text(address, "address", "venue", "address")
    city = place(session, city, "city", "venue")
    country = place(session, country, "country", "venue", "country")
    timezone = zone(timezone, "timezone")
    existing = venue_in(session, name, city)
    if existing is not None:
        raise Conflict(f"venue: {lookup.describe(existing)} already exists")
    refuse_alias(session, "venue", name, city)
    near = near_duplicates(session, "venue", name, city)
    venue = Venue(
        name=name,
        slug=unique_slug(session, Venue.slug, name),
        address=address,
        city=city,
        country=country,
        timezone=timezone,
        latitude=latitude,
        longitude=longitude,
    )
    session.add(venue)
    session.flush()
    said = (near_duplicate_note("venue", name, city, near),) if near else ()
    return Saved(venue_view(venue), said)


def _check_position(latitude: float | None, longitude: float | None) -> None:
    """Refuse a latitude without a longitude (or the other way), and either out of range."""
    if (latitude is None) != (longitude is None):
        raise InvalidInput(
            "give {latitude} and {longitude} together",
            field="latitude" if latitude is not None else "longitude",
            mentions=("latitude", "longitude"),
        )
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput(f"expected -90 to 90, got {latitude}", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput(f"expected -180 to 180, got {longitude}", field="longitude")


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


def assign(record: Any, **changes: tuple[Any, Callable[[Any], Any]]) -> None:
    """Set each attribute of ``record`` given a value (not None) to what its check makes of
    it (``attribute=(value, check)``): how an edit applies the fields it was given."""
    for attribute, (value, check) in changes.items():
        if value is not None:
            setattr(record, attribute, check(value))


def _replace_credits(
    session: Session, film: Film, given: list[tuple[str, str, str]], notes: list[str]
) -> None:
    """The film's credits of each role ``given`` names become the people given for it, in
    order, each once; a role whose people are as stored is not written."""
    people: dict[str, list[Person]] = {role: [] for role, _, _ in given}
    for role, person_name, what in given:
        if person_name:
            people[role].append(person_named(session, person_name, notes, what))
    for role, named in people.items():
        chosen = list(dict.fromkeys(named))  # each person once in a role
        current = [c for c in film.credits if c.role == role]
        if [c.person_id for c in current] == [p.id for p in chosen]:
            continue  # as stored: nothing to write
        for credit in current:
            film.credits.remove(credit)
        session.flush()
        for person in chosen:
            film.credits.append(Credit(person=person, role=role, position=len(film.credits)))


def _replace_links(session: Session, film: Film, wanted: list[tuple[str, str]]) -> None:
    """The film's links of the kinds ``wanted`` names become those; as stored: not written."""
    kinds = {kind for kind, _ in wanted}
    current = [x for x in film.links if x.kind in kinds]
    if sorted((x.kind, x.url) for x in current) == sorted(wanted):
        return
    for link in current:
        film.links.remove(link)
    session.flush()
    for kind, url in wanted:
        film.links.append(FilmLink(kind=kind, url=url))


def edit_film(
    session: Session,
    name: str,
    *,
    title: str | None = None,
    year: IntOrClear | None = None,
    original_title: str | None = None,
    runtime_minutes: IntOrClear | None = None,
    countries: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    imdb_id: str | None = None,
    directors: Sequence[str] | None = None,
    producers: Sequence[str] | None = None,
    credits: Sequence[tuple[str, str]] | None = None,
    links: Sequence[tuple[str, str]] | None = None,
    website: str | None = None,
    remove_alias: str | None = None,
) -> Saved[FilmStored]:
    """Change a film. Options given replace what was stored: ``directors`` replaces the
    directors, ``producers`` the producers, ``credits`` every other credit of the roles it
    names, ``links`` the links of the kinds it names. Its screenings' sequence is bumped
    when anything a calendar shows changed; what is given as stored is not written.
    ``remove_alias``: drop one of its other names."""

    found = lookup.find_film(session, name)
    film = found.record
    notes = [found.note] if found.note else []
    before = snapshot(film, *FILM_SHOWN)
    old_title = film.title
    assign(
        film,
        title=(title, lambda v: check_name(v, "title", rules.length("film", "title"))),
        year=(year, lambda v: None if cleared(v) else check_year(v, "year")),
        original_title=(
            original_title,
            lambda v: check_text(v, "original_title", "film", "original_title"),
        ),
        runtime_minutes=(
            runtime_minutes,
            lambda v: None if cleared(v) else check_minutes(v, "runtime_minutes"),
        ),
        countries=(countries, lambda v: check_texts(v, "countries")),
        languages=(languages, lambda v: check_texts(v, "languages")),
        imdb_id=(imdb_id, lambda v: check_imdb(v, "imdb_id")),
        website=(website, lambda v: check_url(v, "website")),
    )
    _replace_credits(session, film, _roles(directors, producers, credits), notes)
    if links is not None:
        _replace_links(session, film, list(dict.fromkeys(_links(links))))
    _same_title(session, film.title, film.year, not_id=film.id)
    if title is not None:
        refuse_alias(session, "film", film.title, year=film.year, record=film)
        keep_old_name(session, "film", film, old_title, None, notes)
    if title is not None or year is not None:
        renew_slug(session, film, f"{film.title} {film.year or ''}".strip(), notes)
    session.flush()
    changed = snapshot(film, *FILM_SHOWN) != before
    bumped = bump_film(session, film.id) if changed else 0
    session.refresh(film)
    if bumped:
        notes.append(f"{bumped} screening(s) updated for calendars")
    dropped = drop_alias(session, "film", film, remove_alias, notes)
    return Saved(film_stored(film), tuple(notes), changed or dropped)


def edit_person(
    session: Session, name: str, *, new_name: str | None = None, remove_alias: str | None = None
) -> Saved[PersonView]:
    """Rename a person; the screenings of their films are bumped. ``remove_alias``: drop
    one of their other names."""

    found = lookup.find_person(session, name)
    person = found.record
    notes = [found.note] if found.note else []
    renamed = False
    if new_name is not None:
        new_name = check_name(new_name, "new_name")
        clash = session.scalars(
            select(Person).where(Person.name_key == name_key(new_name), Person.id != person.id)
        ).first()
        if clash is not None:
            raise Conflict(f"person: {clash.name} (#{clash.id}) already exists; merge them instead")
        refuse_alias(session, "person", new_name, record=person)
        renamed = person.name != new_name
        old_name = person.name
        person.name = new_name
        keep_old_name(session, "person", person, old_name, None, notes)
        renew_slug(session, person, new_name, notes)
        session.flush()
        if renamed:
            bump_person(session, person.id)
    dropped = drop_alias(session, "person", person, remove_alias, notes)
    return Saved(person_view(person), tuple(notes), renamed or dropped)


def edit_festival(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    website: str | None = None,
    remove_alias: str | None = None,
) -> Saved[FestivalView]:
    """Change a festival; the screenings of its editions are bumped. A city or country
    is kept as typed (tidied): an edit may correct the spelling stored. ``remove_alias``:
    drop one of its other names."""

    found = lookup.find_festival(session, name)
    festival = found.record
    notes = [found.note] if found.note else []
    before = snapshot(festival, *FESTIVAL_SHOWN)
    if new_name is not None:
        old_name = festival.name
        festival.name = check_name(new_name, "new_name", rules.length("festival", "name"))
        clash = session.scalars(
            select(Festival).where(
                Festival.name_key == festival.name_key, Festival.id != festival.id
            )
        ).first()
        if clash is not None:
            raise Conflict(f"festival: {clash.name} (#{clash.id}) already exists")
        refuse_alias(session, "festival", festival.name, record=festival)
        keep_old_name(session, "festival", festival, old_name, None, notes)
        renew_slug(session, festival, festival.name, notes)
        for edition in festival.editions:  # an edition's slug begins with its festival's
            renew_slug(session, edition, _edition_slug_text(edition), notes)
    if city is not None:
        festival.city = check_text(city, "city", "festival", "city")
    if country is not None:
        festival.country = check_text(country, "country", "festival", "country")
    if timezone is not None:
        festival.timezone = zone(timezone, "timezone")
    if website is not None:
        festival.website = check_url(website, "website")
    session.flush()
    changed = snapshot(festival, *FESTIVAL_SHOWN) != before
    if changed:
        bump_festival(session, festival.id)
    dropped = drop_alias(session, "festival", festival, remove_alias, notes)
    return Saved(festival_view(festival), tuple(notes), changed or dropped)


def edit_venue(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    address: str | None = None,
    city: str | None = None,
    country: str | None = None,
    timezone: str | None = None,
    latitude: FloatOrClear | None = None,
    longitude: FloatOrClear | None = None,
    remove_alias: str | None = None,
) -> Saved[VenueView]:
    """Change a venue; its screenings are bumped. A new zone is every screening's there,
    and moves their UTC instants (their wall times stay: those are the truth); no zone
    (``""``) leaves each screening the zone it had. ``remove_alias``: drop one of its
    other names."""

    found = lookup.find_venue(session, name)
    venue = found.record
    notes = [found.note] if found.note else []
    before = snapshot(venue, *VENUE_SHOWN)
    old_name, old_city = venue.name, venue.city
    assign(
        venue,
        name=(new_name, lambda v: check_name(v, "new_name", rules.length("venue", "name"))),
        address=(address, lambda v: check_text(v, "address", "venue", "address")),
        city=(city, lambda v: check_text(v, "city", "venue", "city")),
        country=(country, lambda v: check_text(v, "country", "venue", "country")),
        latitude=(latitude, lambda v: None if cleared(v) else v),
        longitude=(longitude, lambda v: None if cleared(v) else v),
    )
    _check_position(venue.latitude, venue.longitude)
    rezoned = False  # a screening there had another zone than the venue's new one
    if timezone is not None:
        venue.timezone = zone(timezone, "timezone")
        rezoned = _rezone(venue)
    clash = venue_in(session, venue.name, venue.city)
    if clash is not None and clash.id != venue.id:
        raise Conflict(f"venue: {lookup.describe(clash)} already exists; merge them instead")
    if new_name is not None or city is not None:
        refuse_alias(session, "venue", venue.name, venue.city, record=venue)
    if new_name is not None:
        keep_old_name(session, "venue", venue, old_name, old_city, notes)
        renew_slug(session, venue, venue.name, notes)
    session.flush()
    changed = rezoned or snapshot(venue, *VENUE_SHOWN) != before
    if changed:
        bump_venue(session, venue.id)
    dropped = drop_alias(session, "venue", venue, remove_alias, notes)
    return Saved(venue_view(venue), tuple(notes), changed or dropped)


def _rezone(venue: Venue) -> bool:
    """Every screening at ``venue`` in its zone, when it has one (the zone as the venue
    keeps it: one spelling for both), each re-deriving its UTC instant from its wall
    time; True when one had another zone."""
    if venue.timezone is None:
        return False
    rezoned = False
    for screening in venue.screenings:
        rezoned = rezoned or screening.timezone != venue.timezone
        try:
            screening.timezone = venue.timezone
        except InvalidInput as refused:  # its wall time is none in the new zone
            raise InvalidInput(
                f"screening #{screening.id} at {refused.detail} (move it first: "
                f"change the time of screening #{screening.id})",
                field="timezone",
            ) from None
    return rezoned


def edit_edition(
    session: Session,
    name: str,
    *,
    year: IntOrClear | None = None,
    label: str | None = None,
    starts_on: DateOrClear | None = None,
    ends_on: DateOrClear | None = None,
    festival: str | None = None,
    day_starts_at: TimeOrClear | None = None,
) -> Saved[EditionView]:
    """Change an edition (``label=""`` removes the label, ``starts_on=""`` or
    ``ends_on=""`` a day, ``day_starts_at=""`` the festival day's start: 00:00); its
    screenings are bumped. Its days must fit its year (``rules.edition_days``). When its
    festival day starts changes no calendar: it is a frab schedule's grouping only."""

    found = lookup.find_edition(session, name)
    edition = found.record
    before = snapshot(edition, *EDITION_SHOWN)
    day_before = edition.day_starts_at
    if day_starts_at is not None:
        edition.day_starts_at = (
            None if isinstance(day_starts_at, str) else rules.day_start(day_starts_at)
        )
    if festival is not None:  # a festival entered twice: the edition moves to the right one
        edition.festival = lookup.find_festival(session, festival).record
    if year is not None:
        if isinstance(year, str):
            raise InvalidInput("empty; an edition is of a year", field="year")
        check_year(year, "year")
        edition.year = year
    if label is not None:
        edition.label = check_text(label, "label", "edition", "label")
    if starts_on is not None:
        edition.starts_on = None if isinstance(starts_on, str) else starts_on
    if ends_on is not None:
        edition.ends_on = None if isinstance(ends_on, str) else ends_on
    rules.edition_days(
        edition.year,
        edition.starts_on,
        edition.ends_on,
        what_first="starts_on",
        what_last="ends_on",
    )
    _refuse_twin(edition)
    notes = [found.note] if found.note else []
    if festival is not None or year is not None or label is not None:
        renew_slug(session, edition, _edition_slug_text(edition), notes)
    session.flush()
    changed = snapshot(edition, *EDITION_SHOWN) != before
    if changed:
        bump_edition(session, edition.id)
    changed = changed or edition.day_starts_at != day_before
    return Saved(edition_view(session, edition), tuple(notes), changed)


def _refuse_twin(edition: Edition) -> None:
    """``Conflict`` when another edition of its festival has its year and label."""
    for other in edition.festival.editions:
        if (
            other.id != edition.id
            and other.year == edition.year
            and name_key(other.label or "") == name_key(edition.label or "")
        ):
            raise Conflict(f"edition: {lookup.describe(other)} already exists")


def _edition_slug_text(edition: Edition) -> str:
    return _slug_text(edition.festival.slug, edition.year, edition.label)


def _slug_text(festival_slug: str, year: int, label: str | None) -> str:
    """What an edition's slug is made of: its festival's slug, its year and label."""
    return f"{festival_slug} {year} {label or ''}".strip()
