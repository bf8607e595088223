"""The catalogue as typed ORM classes, mapped onto the tables of ``screenings.tables``.

The schema (columns, keys, rules) is defined once, in ``screenings.tables``;
here each class names its table and declares its attributes' Python types,
its relationships and the rules that live in Python: name keys derived from
names, zones kept in the zone rule's spelling, and a screening's UTC
instant derived from its local date, local time and zone. No queries, no I/O.

``tests/test_models.py`` checks that every column of every table has a typed
attribute here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, relationship, validates

from screenings import tables
from screenings.errors import InvalidInput
from screenings.keys import name_key
from screenings.rules import canonical_zone
from screenings.tables import (  # re-exported: the model's vocabulary
    COMMON_CREDIT_ROLES,
    COMMON_LINK_KINDS,
    COMMON_SCREENING_KINDS,
    NOMINATION_RESULTS,
    SCREENING_STATUSES,
    SELECTION_STATUSES,
    VISIBILITIES,
    UTCDateTime,
    utcnow,
)
from screenings.timeparse import wall_to_utc

__all__ = [
    "COMMON_CREDIT_ROLES",
    "COMMON_LINK_KINDS",
    "COMMON_SCREENING_KINDS",
    "NOMINATION_RESULTS",
    "SCREENING_STATUSES",
    "SELECTION_STATUSES",
    "VISIBILITIES",
    "Award",
    "Base",
    "Credit",
    "Edition",
    "Festival",
    "Film",
    "FilmLink",
    "Nomination",
    "Person",
    "Programme",
    "ProgrammeFilm",
    "Screening",
    "Selection",
    "UTCDateTime",
    "Venue",
    "utcnow",
]


class Base(DeclarativeBase):
    metadata = tables.metadata


class Timestamped:
    """Integer primary key, ``created_at`` and ``updated_at`` (aware UTC)."""

    id: Mapped[int]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


def _validate_zone(name: str | None, what: str) -> str | None:
    """The zone ``name`` means, in the one spelling the catalogue keeps
    (``rules.canonical_zone``), whichever door set it: a venue and its screenings, given
    ``europe/paris``, both keep ``Europe/Paris``."""
    if name is None:
        return None
    return canonical_zone(name, what=what)


class Person(Timestamped, Base):
    """Someone credited on a film or nominated for an award."""

    __table__ = tables.person

    name: Mapped[str]
    name_key: Mapped[str]
    slug: Mapped[str]

    credits: Mapped[list[Credit]] = relationship(back_populates="person")

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Film(Timestamped, Base):
    """A film. Its key is (title, year): a film whose year is not known is still unique."""

    __table__ = tables.film

    title: Mapped[str]
    title_key: Mapped[str]
    slug: Mapped[str]
    original_title: Mapped[str | None]
    year: Mapped[int | None]
    runtime_minutes: Mapped[int | None]
    countries: Mapped[list[str]]
    languages: Mapped[list[str]]
    synopsis: Mapped[str | None]
    website: Mapped[str | None]
    imdb_id: Mapped[str | None]

    credits: Mapped[list[Credit]] = relationship(
        back_populates="film", cascade="all, delete-orphan", order_by="Credit.position"
    )
    links: Mapped[list[FilmLink]] = relationship(
        back_populates="film", cascade="all, delete-orphan"
    )
    screenings: Mapped[list[Screening]] = relationship(back_populates="film")

    @validates("title")
    def _set_key(self, _key: str, value: str) -> str:
        self.title_key = name_key(value)
        return value


class Credit(Timestamped, Base):
    """A person's role on a film. Roles are open lower-case text (COMMON_CREDIT_ROLES)."""

    __table__ = tables.credit

    film_id: Mapped[int]
    person_id: Mapped[int]
    role: Mapped[str]
    position: Mapped[int]

    film: Mapped[Film] = relationship(back_populates="credits")
    person: Mapped[Person] = relationship(back_populates="credits")


class FilmLink(Timestamped, Base):
    """A URL about a film: trailer, website, interactive companion, review, ..."""

    __table__ = tables.film_link

    film_id: Mapped[int]
    kind: Mapped[str]
    url: Mapped[str]
    label: Mapped[str | None]

    film: Mapped[Film] = relationship(back_populates="links")


class Festival(Timestamped, Base):
    """A festival, across its yearly editions."""

    __table__ = tables.festival

    name: Mapped[str]
    name_key: Mapped[str]
    slug: Mapped[str]
    city: Mapped[str | None]
    country: Mapped[str | None]
    website: Mapped[str | None]
    timezone: Mapped[str | None]

    editions: Mapped[list[Edition]] = relationship(
        back_populates="festival", order_by="Edition.year"
    )

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    @validates("timezone")
    def _check_zone(self, _key: str, value: str | None) -> str | None:
        return _validate_zone(value, "festival timezone")


class Edition(Timestamped, Base):
    """One year (or one labelled run within a year) of a festival."""

    __table__ = tables.edition

    festival_id: Mapped[int]
    year: Mapped[int]
    label: Mapped[str | None]
    slug: Mapped[str]
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    # When its festival day starts (None: 00:00). Deferred, as ``Screening.programme_id``:
    # a catalogue older than revision 0009 opened to be fixed (Door.FIX) has no such column.
    day_starts_at: Mapped[dt.time | None] = deferred(tables.edition.c.day_starts_at)

    festival: Mapped[Festival] = relationship(back_populates="editions")
    screenings: Mapped[list[Screening]] = relationship(back_populates="edition")


class Selection(Timestamped, Base):
    """A film's place in an edition's programme, with or without dated screenings."""

    __table__ = tables.selection

    film_id: Mapped[int]
    edition_id: Mapped[int]
    section: Mapped[str | None]
    premiere: Mapped[str | None]
    status: Mapped[str]
    notes: Mapped[str | None]

    film: Mapped[Film] = relationship()
    edition: Mapped[Edition] = relationship()


class Programme(Timestamped, Base):
    """A named, ordered list of films shown as one screening: a shorts block, a double
    bill, a feature with its short. Its title is unique within its festival."""

    __table__ = tables.programme

    festival_id: Mapped[int]
    edition_id: Mapped[int | None]
    title: Mapped[str]
    title_key: Mapped[str]
    slug: Mapped[str]
    section: Mapped[str | None]
    notes: Mapped[str | None]

    festival: Mapped[Festival] = relationship()
    edition: Mapped[Edition | None] = relationship()
    entries: Mapped[list[ProgrammeFilm]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="ProgrammeFilm.position",
    )
    screenings: Mapped[list[Screening]] = relationship(back_populates="programme")

    @validates("title")
    def _set_key(self, _key: str, value: str) -> str:
        self.title_key = name_key(value)
        return value


class ProgrammeFilm(Timestamped, Base):
    """A film's place in a programme: its position and an optional extra line."""

    __table__ = tables.programme_film

    programme_id: Mapped[int]
    film_id: Mapped[int]
    position: Mapped[int]
    extra: Mapped[str | None]

    programme: Mapped[Programme] = relationship(back_populates="entries")
    film: Mapped[Film] = relationship()


class Venue(Timestamped, Base):
    """A place where films are shown. Its key is (name, city); the city may be unknown."""

    __table__ = tables.venue

    name: Mapped[str]
    name_key: Mapped[str]
    slug: Mapped[str]
    address: Mapped[str | None]
    city: Mapped[str | None]
    country: Mapped[str | None]
    timezone: Mapped[str | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    screenings: Mapped[list[Screening]] = relationship(back_populates="venue")

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    @validates("timezone")
    def _check_zone(self, _key: str, value: str | None) -> str | None:
        return _validate_zone(value, "venue timezone")


class Screening(Timestamped, Base):
    """A dated showing of a film or of a programme (exactly one of the two): at a festival
    edition, or a special one with no festival.

    The local date, the local time (``None``: not known, never invented) and
    the IANA zone are the truth; ``starts_at_utc`` is derived from them
    whenever one of them is assigned, and is ``None`` exactly when the time is
    not known. ``uid`` is set once, at creation, and never changed;
    ``sequence`` counts the changes a calendar would show.
    """

    __table__ = tables.screening

    uid: Mapped[str]
    external_id: Mapped[str | None]
    film_id: Mapped[int | None]
    # Deferred: loaded when first used, so that ``edit`` can still fix a catalogue whose
    # upgrade waits at revision 0004, before programmes (``migrate.Door.FIX``).
    programme_id: Mapped[int | None] = deferred(tables.screening.c.programme_id)
    venue_id: Mapped[int | None]
    edition_id: Mapped[int | None]
    city: Mapped[str | None]
    local_date: Mapped[dt.date]
    local_time: Mapped[dt.time | None]
    timezone: Mapped[str]
    starts_at_utc: Mapped[dt.datetime | None]
    duration_minutes: Mapped[int | None]
    kind: Mapped[str]
    status: Mapped[str]
    visibility: Mapped[str]
    audience: Mapped[str | None]
    ticket_url: Mapped[str | None]
    notes: Mapped[str | None]
    sequence: Mapped[int]

    film: Mapped[Film | None] = relationship(back_populates="screenings")
    programme: Mapped[Programme | None] = relationship(back_populates="screenings")
    venue: Mapped[Venue | None] = relationship(back_populates="screenings")
    edition: Mapped[Edition | None] = relationship(back_populates="screenings")

    @property
    def title(self) -> str:
        """What it shows: its film's title, or its programme's."""
        if self.film is not None:  # first: an older catalogue has no programme_id to load
            return self.film.title
        assert self.programme is not None
        return self.programme.title

    @property
    def shown_films(self) -> list[Film]:
        """The films it shows, in order: its film, or its programme's."""
        if self.film is not None:
            return [self.film]
        assert self.programme is not None
        return [entry.film for entry in self.programme.entries]

    @validates("timezone")
    def _check_zone(self, _key: str, value: str) -> str:
        if value is None:
            raise InvalidInput(
                "screening timezone: required (an IANA name such as 'Europe/London')"
            )
        value = canonical_zone(value, what="screening timezone")
        self._derive_instant(self.local_date, self.local_time, value)
        return value

    @validates("local_date")
    def _on_date(self, _key: str, value: dt.date) -> dt.date:
        self._derive_instant(value, self.local_time, self.timezone)
        return value

    @validates("local_time")
    def _on_time(self, _key: str, value: dt.time | None) -> dt.time | None:
        if value is not None and value.tzinfo is not None:
            raise InvalidInput("screening time: a wall time carries no zone; give the zone apart")
        self._derive_instant(self.local_date, value, self.timezone)
        return value

    def _derive_instant(self, day: dt.date | None, time: dt.time | None, zone: str | None) -> None:
        if time is None:
            self.starts_at_utc = None
        elif day is not None and zone is not None:
            self.starts_at_utc = wall_to_utc(day, time, zone)


class Award(Timestamped, Base):
    """An award, given at a festival or by a presenting body (an academy, a guild)."""

    __table__ = tables.award

    name: Mapped[str]
    name_key: Mapped[str]
    festival_id: Mapped[int | None]
    presenter: Mapped[str | None]

    festival: Mapped[Festival | None] = relationship()

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Nomination(Timestamped, Base):
    """A film, a person, or both, up for an award in a year (and category), and the result."""

    __table__ = tables.nomination

    award_id: Mapped[int]
    edition_id: Mapped[int | None]
    year: Mapped[int]
    category: Mapped[str | None]
    film_id: Mapped[int | None]
    person_id: Mapped[int | None]
    result: Mapped[str]
    programme_id: Mapped[int | None] = deferred(tables.nomination.c.programme_id)  # as above

    award: Mapped[Award] = relationship()
    edition: Mapped[Edition | None] = relationship()
    film: Mapped[Film | None] = relationship()
    person: Mapped[Person | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
