"""The catalogue: the SQLAlchemy 2.x typed model. No queries, no I/O.

Every natural key is enforced by the database, also when one of its parts is
unknown: SQLite and PostgreSQL treat NULLs in a unique constraint as distinct,
so such keys are unique indexes over ``COALESCE(...)`` expressions, with the
sentinels below (0 for a missing id or year, '' for missing text, 24:00 for a
missing time, which no real time equals). They are written by hand in the
migrations as well as here.

Instants are stored in UTC and come back as aware ``datetime`` values in UTC
on both backends (``UTCDateTime``). A screening's truth is its local date,
local time (when known) and IANA zone; ``starts_at_utc`` is derived from them
whenever one of them is assigned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    func,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from screenings.errors import InvalidInput
from screenings.keys import name_key
from screenings.timeparse import UTC, load_zone, wall_to_utc

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The closed sets. Open vocabularies (credit role, link kind, screening kind)
# are free lower-case text; COMMON_* only document the usual values.
SCREENING_STATUSES = ("scheduled", "tentative", "postponed", "cancelled")
VISIBILITIES = ("public", "private")
SELECTION_STATUSES = ("selected", "competition", "out_of_competition", "withdrawn")
NOMINATION_RESULTS = ("nominated", "won", "special_mention")
COMMON_CREDIT_ROLES = ("director", "producer", "writer", "editor", "cinematographer", "composer")
COMMON_LINK_KINDS = ("trailer", "website", "interactive", "review", "press_kit")
COMMON_SCREENING_KINDS = ("regular", "special", "gala", "press", "industry", "premiere")

# Sentinels for unknown key parts inside COALESCE(...) unique indexes.
NO_ID = 0
NO_TEXT = ""
NO_TIME = "24:00:00"


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware instant, stored in UTC, returned as an aware UTC ``datetime`` on every backend.

    A naive value is refused: the model never guesses which zone it meant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given where an instant is needed")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite keeps text; store the UTC wall clock, re-attach UTC on the way out.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _not_blank(column: str) -> str:
    return f"length(trim({column})) > 0"


def _lower_slug(column: str) -> str:
    return f"{column} = lower({column}) AND {_not_blank(column)}"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        dt.time: Time(),
        str: String(),
    }


class Timestamped:
    """Integer primary key, ``created_at`` and ``updated_at`` (aware UTC)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-10)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, sort_order=10)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, sort_order=10)


def _validate_zone(name: str | None, what: str) -> str | None:
    if name is None:
        return None
    load_zone(name, what=what)
    return name


class Person(Timestamped, Base):
    """Someone credited on a film or nominated for an award."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint(_not_blank("name"), name="name_not_blank"),)

    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    credits: Mapped[list[Credit]] = relationship(back_populates="person")

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Film(Timestamped, Base):
    """A film. Its key is (title, year): a film whose year is not known is still unique."""

    __tablename__ = "film"
    __table_args__ = (
        CheckConstraint(_not_blank("title"), name="title_not_blank"),
        CheckConstraint("year IS NULL OR year BETWEEN 1870 AND 2200", name="year_range"),
        CheckConstraint("runtime_minutes IS NULL OR runtime_minutes > 0", name="runtime_positive"),
    )

    title: Mapped[str] = mapped_column(String(500))
    title_key: Mapped[str] = mapped_column(String(500))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    original_title: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[int | None]
    runtime_minutes: Mapped[int | None]
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    synopsis: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(1000))
    imdb_id: Mapped[str | None] = mapped_column(String(20), unique=True)

    credits: Mapped[list[Credit]] = relationship(
        back_populates="film", cascade="all, delete-orphan", order_by="Credit.position"
    )
    links: Mapped[list[FilmLink]] = relationship(
        back_populates="film", cascade="all, delete-orphan"
    )

    @validates("title")
    def _set_key(self, _key: str, value: str) -> str:
        self.title_key = name_key(value)
        return value


class Credit(Timestamped, Base):
    """A person's role on a film. Roles are open lower-case text (COMMON_CREDIT_ROLES)."""

    __tablename__ = "credit"
    __table_args__ = (CheckConstraint(_lower_slug("role"), name="role_lower"),)

    film_id: Mapped[int] = mapped_column(ForeignKey("film.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    film: Mapped[Film] = relationship(back_populates="credits")
    person: Mapped[Person] = relationship(back_populates="credits")


class FilmLink(Timestamped, Base):
    """A URL about a film: trailer, website, interactive companion, review, ..."""

    __tablename__ = "film_link"
    __table_args__ = (
        CheckConstraint(_lower_slug("kind"), name="kind_lower"),
        CheckConstraint(_not_blank("url"), name="url_not_blank"),
    )

    film_id: Mapped[int] = mapped_column(ForeignKey("film.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    url: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str | None] = mapped_column(String(300))

    film: Mapped[Film] = relationship(back_populates="links")


class Festival(Timestamped, Base):
    """A festival, across its yearly editions."""

    __tablename__ = "festival"
    __table_args__ = (CheckConstraint(_not_blank("name"), name="name_not_blank"),)

    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(1000))
    timezone: Mapped[str | None] = mapped_column(String(64))

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

    __tablename__ = "edition"
    __table_args__ = (
        CheckConstraint("year BETWEEN 1870 AND 2200", name="year_range"),
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"
        ),
    )

    festival_id: Mapped[int] = mapped_column(ForeignKey("festival.id"), index=True)
    year: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]

    festival: Mapped[Festival] = relationship(back_populates="editions")


class Selection(Timestamped, Base):
    """A film's place in an edition's programme, with or without dated screenings."""

    __tablename__ = "selection"
    __table_args__ = (CheckConstraint(_in("status", SELECTION_STATUSES), name="status"),)

    film_id: Mapped[int] = mapped_column(ForeignKey("film.id", ondelete="CASCADE"))
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    section: Mapped[str | None] = mapped_column(String(200))
    premiere: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default="selected")
    notes: Mapped[str | None] = mapped_column(Text)

    film: Mapped[Film] = relationship()
    edition: Mapped[Edition] = relationship()


class Venue(Timestamped, Base):
    """A place where films are shown. Its key is (name, city); the city may be unknown."""

    __tablename__ = "venue"
    __table_args__ = (
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
    )

    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    @validates("timezone")
    def _check_zone(self, _key: str, value: str | None) -> str | None:
        return _validate_zone(value, "venue timezone")


class Screening(Timestamped, Base):
    """A dated showing of a film: at a festival edition, or a special one with no festival.

    The local date, the local time (``None``: not known, never invented) and
    the IANA zone are the truth; ``starts_at_utc`` is derived from them and is
    ``None`` exactly when the time is not known. ``uid`` is set once, at
    creation, and never changed; ``sequence`` counts the changes a calendar
    would show.
    """

    __tablename__ = "screening"
    __table_args__ = (
        CheckConstraint(_in("status", SCREENING_STATUSES), name="status"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint(_lower_slug("kind"), name="kind_lower"),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            "(local_time IS NULL AND starts_at_utc IS NULL)"
            " OR (local_time IS NOT NULL AND starts_at_utc IS NOT NULL)",
            name="instant_iff_time",
        ),
    )

    uid: Mapped[str] = mapped_column(String(255), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    film_id: Mapped[int] = mapped_column(ForeignKey("film.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    local_date: Mapped[dt.date]
    local_time: Mapped[dt.time | None]
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at_utc: Mapped[dt.datetime | None] = mapped_column(index=True)
    duration_minutes: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(60), default="regular")
    status: Mapped[str] = mapped_column(String(30), default="scheduled")
    visibility: Mapped[str] = mapped_column(String(30), default="public")
    audience: Mapped[str | None] = mapped_column(String(200))
    ticket_url: Mapped[str | None] = mapped_column(String(1000))
    notes: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(default=0)

    film: Mapped[Film] = relationship()
    venue: Mapped[Venue | None] = relationship()
    edition: Mapped[Edition | None] = relationship()

    @validates("timezone")
    def _check_zone(self, _key: str, value: str) -> str:
        if value is None:
            raise InvalidInput(
                "screening timezone: required (an IANA name such as 'Europe/London')"
            )
        load_zone(value, what="screening timezone")
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

    __tablename__ = "award"
    __table_args__ = (CheckConstraint(_not_blank("name"), name="name_not_blank"),)

    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    festival_id: Mapped[int | None] = mapped_column(ForeignKey("festival.id"), index=True)
    presenter: Mapped[str | None] = mapped_column(String(300))

    festival: Mapped[Festival | None] = relationship()

    @validates("name")
    def _set_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Nomination(Timestamped, Base):
    """A film, a person, or both, up for an award in a year (and category), and the result."""

    __tablename__ = "nomination"
    __table_args__ = (
        CheckConstraint(_in("result", NOMINATION_RESULTS), name="result"),
        CheckConstraint("film_id IS NOT NULL OR person_id IS NOT NULL", name="film_or_person"),
        CheckConstraint("year BETWEEN 1870 AND 2200", name="year_range"),
    )

    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"), index=True)
    year: Mapped[int]
    category: Mapped[str | None] = mapped_column(String(300))
    film_id: Mapped[int | None] = mapped_column(ForeignKey("film.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    result: Mapped[str] = mapped_column(String(30), default="nominated")

    award: Mapped[Award] = relationship()
    edition: Mapped[Edition | None] = relationship()
    film: Mapped[Film | None] = relationship()
    person: Mapped[Person | None] = relationship()


# Natural keys with parts that may be unknown: unique over COALESCE(...), so
# that NULL parts still collide (see the module docstring).
Index(
    "uq_film_title_key_year",
    Film.title_key,
    func.coalesce(Film.year, NO_ID),
    unique=True,
)
Index("uq_credit_film_person_role", Credit.film_id, Credit.person_id, Credit.role, unique=True)
Index("uq_film_link_film_url", FilmLink.film_id, FilmLink.url, unique=True)
Index(
    "uq_edition_festival_year_label",
    Edition.festival_id,
    Edition.year,
    func.coalesce(Edition.label, NO_TEXT),
    unique=True,
)
Index("uq_selection_film_edition", Selection.film_id, Selection.edition_id, unique=True)
Index(
    "uq_venue_name_key_city",
    Venue.name_key,
    func.coalesce(Venue.city, NO_TEXT),
    unique=True,
)
Index(
    "uq_screening_edition_external_id",
    func.coalesce(Screening.edition_id, NO_ID),
    Screening.external_id,
    unique=True,
)
Index(
    "uq_screening_slot",
    Screening.film_id,
    func.coalesce(Screening.venue_id, NO_ID),
    func.coalesce(Screening.city, NO_TEXT),
    Screening.local_date,
    func.coalesce(Screening.local_time, literal_column(f"'{NO_TIME}'")),
    unique=True,
)
Index(
    "uq_award_name_key_festival",
    Award.name_key,
    func.coalesce(Award.festival_id, NO_ID),
    unique=True,
)
Index(
    "uq_nomination_key",
    Nomination.award_id,
    Nomination.year,
    func.coalesce(Nomination.category, NO_TEXT),
    func.coalesce(Nomination.film_id, NO_ID),
    func.coalesce(Nomination.person_id, NO_ID),
    unique=True,
)
Index("ix_screening_local_date", Screening.local_date)
