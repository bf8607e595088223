"""The catalogue's schema, defined once, as SQLAlchemy Core tables. No queries, no I/O.

``screenings.models`` maps its typed classes onto these tables (the ORM,
for writing and for rules that live in Python); reads that need no
instances, such as ``ScreeningQuery``, select from the tables directly and
never pay for the ORM mapping at start-up.

Every natural key is enforced by the database, also when one of its parts is
unknown: SQLite and PostgreSQL treat NULLs in a unique constraint as distinct,
so such keys are unique indexes over ``COALESCE(...)`` expressions, with the
sentinels below (0 for a missing id or year, '' for missing text, 24:00 for a
missing time, which no real time equals). The migrations write them by hand.

Every text column but the few of type Text keeps at most ``rules.LENGTHS`` characters,
and keeps no NUL, alike on both backends: a CHECK ``ck_<table>_<column>_length`` refuses
the rest (migration 0005). SQLite would keep any length in a VARCHAR; on PostgreSQL these
columns are TEXT, so that the same CHECK, not the type, refuses there too, naming the
column (a VARCHAR's own error names none).

Instants are stored in UTC and come back as aware ``datetime`` values in UTC
on both backends (``UTCDateTime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    func,
    literal_column,
)

from screenings import rules

UTC = dt.UTC

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The closed sets and the open vocabularies' usual values live with every other rule of
# a value (``screenings.rules``); re-exported here, where the schema checks them.
SCREENING_STATUSES = rules.SCREENING_STATUSES
VISIBILITIES = rules.VISIBILITIES
SELECTION_STATUSES = rules.SELECTION_STATUSES
NOMINATION_RESULTS = rules.NOMINATION_RESULTS
COMMON_CREDIT_ROLES = rules.COMMON_CREDIT_ROLES
COMMON_LINK_KINDS = rules.COMMON_LINK_KINDS
COMMON_SCREENING_KINDS = rules.COMMON_SCREENING_KINDS

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
        if value.tzinfo is not UTC:  # (UTC, the usual case, needs no conversion)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(
                    f"naive datetime {value.isoformat()} given where an instant is needed"
                )
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

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On SQLite, the stored text (the UTC wall clock) read straight into an aware
        instant in one C call, where SQLAlchemy's text-to-datetime and the step above
        take several: a list reads hundreds of thousands. Elsewhere, as above."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> dt.datetime | None:
            if value is None:
                return None
            try:
                fast = dt.datetime.fromisoformat(value + "+00:00")  # tzinfo: UTC itself
            except ValueError:  # text written with an offset (not by us): kept as it says
                fast = None
            if fast is not None and fast.tzinfo is not None:  # (a date alone reads naive)
                return fast
            parsed = dt.datetime.fromisoformat(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

        return process


metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _table(name: str, *items: Any, reused_ids: bool = False) -> Table:
    """A table with an integer primary key first and ``created_at``/``updated_at`` last.

    Ids are never reused (DESIGN.md, invariant 9): a secret feed, a page's address, a
    JSON ``id`` may name a record after it is gone, and must never come to name another.
    PostgreSQL's sequences never hand a number out twice; SQLite reuses the highest id
    once its row is deleted, unless the table is AUTOINCREMENT (migration 0004). Only a
    table nothing outside its row refers to (``reused_ids``) goes without.
    """
    columns = [i for i in items if isinstance(i, Column)]
    others = [i for i in items if not isinstance(i, Column)]
    widths = rules.LENGTHS.get(name, {})
    others += [_length(c.name, widths[c.name]) for c in columns if c.name in widths]
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        *columns,
        Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
        Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
        *others,
        sqlite_autoincrement=not reused_ids,
    )


def _width(table: str, column: str) -> String:
    """The text type of ``table.column``, as wide as ``rules.LENGTHS`` says: VARCHAR(n) on
    SQLite (which keeps any length in it), TEXT on PostgreSQL; ``_length`` checks both."""
    return String(rules.length(table, column)).with_variant(Text(), "postgresql")


def _length(column: str, limit: int) -> CheckConstraint:
    # SQLite's length() counts the characters before a NUL only, so a NUL would hide the
    # rest of a value from the limit: the value must also equal its first length()
    # characters, which a value holding a NUL never does. PostgreSQL keeps no NUL in
    # text, and there the second test always holds: one rule, the same on both.
    return CheckConstraint(
        f"length({column}) <= {limit} AND {column} = substr({column}, 1, length({column}))",
        name=f"{column}_length",
    )


def _required(name: str, type_: Any, **kw: Any) -> Column[Any]:
    return Column(name, type_, nullable=False, **kw)


def _optional(name: str, type_: Any, **kw: Any) -> Column[Any]:
    return Column(name, type_, nullable=True, **kw)


def _in(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


def _not_blank(column: str) -> CheckConstraint:
    return CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")


def _lower_slug(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} = lower({column}) AND length(trim({column})) > 0", name=f"{column}_lower"
    )


def _year_range(nullable: bool) -> CheckConstraint:
    test = f"year BETWEEN {rules.MIN_YEAR} AND {rules.MAX_YEAR}"
    return CheckConstraint(f"year IS NULL OR {test}" if nullable else test, name="year_range")


person = _table(
    "person",
    _required("name", _width("person", "name")),
    _required("name_key", _width("person", "name_key"), unique=True),
    _required("slug", _width("person", "slug"), unique=True),
    _not_blank("name"),
)

film = _table(
    "film",
    _required("title", _width("film", "title")),
    _required("title_key", _width("film", "title_key")),
    _required("slug", _width("film", "slug"), unique=True),
    _optional("original_title", _width("film", "original_title")),
    _optional("year", Integer),
    _optional("runtime_minutes", Integer),
    _required("countries", JSON, default=lambda: []),
    _required("languages", JSON, default=lambda: []),
    _optional("synopsis", Text),
    _optional("website", _width("film", "website")),
    _optional("imdb_id", _width("film", "imdb_id"), unique=True),
    _not_blank("title"),
    _year_range(nullable=True),
    CheckConstraint("runtime_minutes IS NULL OR runtime_minutes > 0", name="runtime_positive"),
)

credit = _table(
    "credit",
    _required("film_id", ForeignKey("film.id", ondelete="CASCADE"), index=True),
    _required("person_id", ForeignKey("person.id", ondelete="CASCADE"), index=True),
    _required("role", _width("credit", "role")),
    _required("position", Integer, default=0),
    _lower_slug("role"),
)

film_link = _table(
    "film_link",
    _required("film_id", ForeignKey("film.id", ondelete="CASCADE"), index=True),
    _required("kind", _width("film_link", "kind")),
    _required("url", _width("film_link", "url")),
    _optional("label", _width("film_link", "label")),
    _lower_slug("kind"),
    _not_blank("url"),
)

festival = _table(
    "festival",
    _required("name", _width("festival", "name")),
    _required("name_key", _width("festival", "name_key"), unique=True),
    _required("slug", _width("festival", "slug"), unique=True),
    _optional("city", _width("festival", "city")),
    _optional("country", _width("festival", "country")),
    _optional("website", _width("festival", "website")),
    _optional("timezone", _width("festival", "timezone")),
    _not_blank("name"),
)

edition = _table(
    "edition",
    _required("festival_id", ForeignKey("festival.id"), index=True),
    _required("year", Integer),
    _optional("label", _width("edition", "label")),
    _required("slug", _width("edition", "slug"), unique=True),
    _optional("starts_on", Date),
    _optional("ends_on", Date),
    _optional("day_starts_at", Time),  # a festival day's start; NULL: 00:00 (migration 0009)
    _year_range(nullable=False),
    CheckConstraint(
        "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"
    ),
)

selection = _table(
    "selection",
    _required("film_id", ForeignKey("film.id", ondelete="CASCADE")),
    _required("edition_id", ForeignKey("edition.id", ondelete="CASCADE"), index=True),
    _optional("section", _width("selection", "section")),
    _optional("premiere", _width("selection", "premiere")),
    _required("status", _width("selection", "status"), default="selected"),
    _optional("notes", Text),
    _in("status", SELECTION_STATUSES),
)

venue = _table(
    "venue",
    _required("name", _width("venue", "name")),
    _required("name_key", _width("venue", "name_key")),
    _required("slug", _width("venue", "slug"), unique=True),
    _optional("address", _width("venue", "address")),
    _optional("city", _width("venue", "city")),
    _optional("country", _width("venue", "country")),
    _optional("timezone", _width("venue", "timezone")),
    _optional("latitude", Float),
    _optional("longitude", Float),
    _not_blank("name"),
    CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
    CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
)

# A programme: a named, ordered list of films shown as one screening (a shorts block, a
# double bill, a feature with its short), of a festival, and optionally of one edition.
# Its title is unique within its festival. Its length is the sum of its films' runtimes,
# unknown when any is (``query.ScreeningQuery.length``).
programme = _table(
    "programme",
    _required("festival_id", ForeignKey("festival.id"), index=True),
    _optional("edition_id", ForeignKey("edition.id"), index=True),
    _required("title", _width("programme", "title")),
    _required("title_key", _width("programme", "title_key")),
    _required("slug", _width("programme", "slug"), unique=True),
    _optional("section", _width("programme", "section")),
    _optional("notes", Text),
    _not_blank("title"),
)

# A film's place in a programme: its position (1, 2, ... in the order shown) and an
# optional extra line ("+ Q&A with the director"). A film is in a programme once.
programme_film = _table(
    "programme_film",
    _required("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), index=True),
    _required("film_id", ForeignKey("film.id"), index=True),
    _required("position", Integer),
    _optional("extra", _width("programme_film", "extra")),
    CheckConstraint("position >= 1", name="position_positive"),
)

# A screening shows exactly one film or exactly one programme (``film_or_programme``).
screening = _table(
    "screening",
    _required("uid", _width("screening", "uid"), unique=True),
    _optional("external_id", _width("screening", "external_id")),
    _optional("film_id", ForeignKey("film.id"), index=True),
    _optional("programme_id", ForeignKey("programme.id"), index=True),
    _optional("venue_id", ForeignKey("venue.id"), index=True),
    _optional("edition_id", ForeignKey("edition.id"), index=True),
    _optional("city", _width("screening", "city"), index=True),  # list --city (0010)
    _required("local_date", Date),
    _optional("local_time", Time),
    _required("timezone", _width("screening", "timezone")),
    _optional("starts_at_utc", UTCDateTime(), index=True),
    _optional("duration_minutes", Integer),
    _required("kind", _width("screening", "kind"), default="regular"),
    _required("status", _width("screening", "status"), default="scheduled"),
    _required("visibility", _width("screening", "visibility"), default="public"),
    _optional("audience", _width("screening", "audience")),
    _optional("ticket_url", _width("screening", "ticket_url")),
    _optional("notes", Text),
    _required("sequence", Integer, default=0),
    _in("status", SCREENING_STATUSES),
    _in("visibility", VISIBILITIES),
    _lower_slug("kind"),
    CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"),
    CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    CheckConstraint(
        "(local_time IS NULL AND starts_at_utc IS NULL)"
        " OR (local_time IS NOT NULL AND starts_at_utc IS NOT NULL)",
        name="instant_iff_time",
    ),
    CheckConstraint("(film_id IS NULL) <> (programme_id IS NULL)", name="film_or_programme"),
)

award = _table(
    "award",
    _required("name", _width("award", "name")),
    _required("name_key", _width("award", "name_key")),
    _optional("festival_id", ForeignKey("festival.id"), index=True),
    _optional("presenter", _width("award", "presenter")),
    _not_blank("name"),
)

nomination = _table(
    "nomination",
    _required("award_id", ForeignKey("award.id"), index=True),
    _optional("edition_id", ForeignKey("edition.id"), index=True),
    _required("year", Integer),
    _optional("category", _width("nomination", "category")),
    _optional("film_id", ForeignKey("film.id"), index=True),
    _optional("person_id", ForeignKey("person.id"), index=True),
    _required("result", _width("nomination", "result"), default="nominated"),
    # Rarely, a programme rather than a film (an audience award for a shorts block).
    _optional("programme_id", ForeignKey("programme.id"), index=True),
    _in("result", NOMINATION_RESULTS),
    CheckConstraint(
        "film_id IS NOT NULL OR person_id IS NOT NULL OR programme_id IS NOT NULL",
        name="film_or_person",
    ),
    CheckConstraint("film_id IS NULL OR programme_id IS NULL", name="film_not_programme"),
    _year_range(nullable=False),
)

# Travel times between venues, in minutes, for the planner: symmetric, stored once per
# pair with the smaller id first; a venue to itself is 0, and not stored. Two venues of one
# city with no stated time take the plan's default; of two cities, they are never combined
# (``services.plans``). A venue's times go with it.
travel = _table(
    "travel",
    _required("venue_a_id", ForeignKey("venue.id", ondelete="CASCADE")),
    _required("venue_b_id", ForeignKey("venue.id", ondelete="CASCADE"), index=True),
    _required("minutes", Integer),
    CheckConstraint("venue_a_id < venue_b_id", name="pair_ordered"),
    CheckConstraint(f"minutes BETWEEN 0 AND {rules.MAX_TRAVEL_MINUTES}", name="minutes_range"),
)

# A plan: a person's wish list over one or more editions, solved into a schedule
# (``services.plans``). Its parts are references the database enforces: removing a film,
# programme, screening or edition a plan names removes that part (ON DELETE CASCADE), after
# the service that removes it has written the plan a ``plan_problem`` naming what went.
plan = _table(
    "plan",
    _required("name", _width("plan", "name")),
    _required("name_key", _width("plan", "name_key"), unique=True),
    _optional("owner", _width("plan", "owner")),
    _required("travel_minutes", Integer, default=rules.DEFAULT_TRAVEL_MINUTES),
    _required("buffer_minutes", Integer, default=0),
    _required("include_private", Boolean, default=False),
    # The last solve: when, and whether its answer was proven optimal.
    _optional("solved_at", UTCDateTime()),
    _optional("optimal", Boolean),
    _not_blank("name"),
    CheckConstraint(
        f"travel_minutes BETWEEN 0 AND {rules.MAX_TRAVEL_MINUTES}", name="travel_range"
    ),
    CheckConstraint(
        f"buffer_minutes BETWEEN 0 AND {rules.MAX_TRAVEL_MINUTES}", name="buffer_range"
    ),
)
plan_edition = _table(
    "plan_edition",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE")),
    _required("edition_id", ForeignKey("edition.id", ondelete="CASCADE"), index=True),
)
# A wanted film, or a programme (which counts for each film it shows).
plan_want = _table(
    "plan_want",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE")),
    _optional("film_id", ForeignKey("film.id", ondelete="CASCADE"), index=True),
    _optional("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), index=True),
    _required("priority", Integer, default=3),
    _required("must", Boolean, default=False),
    CheckConstraint("(film_id IS NULL) <> (programme_id IS NULL)", name="film_or_programme"),
    CheckConstraint(
        f"priority BETWEEN {rules.MIN_PRIORITY} AND {rules.MAX_PRIORITY}", name="priority_range"
    ),
)
plan_pin = _table(
    "plan_pin",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE")),
    _required("screening_id", ForeignKey("screening.id", ondelete="CASCADE"), index=True),
)
plan_busy = _table(
    "plan_busy",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), index=True),
    _required("starts_at", UTCDateTime()),
    _required("ends_at", UTCDateTime()),
    _optional("note", _width("plan_busy", "note")),
    CheckConstraint("ends_at > starts_at", name="ends_after_start"),
)
# The screenings the last solve chose (or a person pinned), each with what it was then:
# a festival that moves or cancels one breaks the plan, and ``plan show`` says how.
plan_choice = _table(
    "plan_choice",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE")),
    _required("screening_id", ForeignKey("screening.id", ondelete="CASCADE"), index=True),
    _optional("starts_at_utc", UTCDateTime()),
    _optional("venue_id", Integer),  # as solved: not a reference (ids are never reused)
    _required("status", _width("plan_choice", "status")),
    _required("said", _width("plan_choice", "said")),  # "The Defector, Fri 14 Jun 18:00, ..."
)
# What went from a plan, or broke it, since its last solve, in words: cleared by a solve.
plan_problem = _table(
    "plan_problem",
    _required("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), index=True),
    _required("text", _width("plan_problem", "text")),
)

# Secret feeds: the token is never stored, only its SHA-256 (hex). The records a feed
# is made for are references the database enforces, one nullable column per kind (a
# feed may name a film, a person or a director, an edition or a festival, and a venue
# at once); the filters that name no record (dates, city, section, status, ...) are
# stored values in ``filters``. Removing a record a feed names ends the feed first
# (``ended_at``, and why), and only then clears the reference: an ended feed never
# serves, so a cleared reference can never widen it.
FEED_TARGETS = ("film", "person", "director", "edition", "festival", "venue", "plan")
feed_token = _table(
    "feed_token",
    _required("name", _width("feed_token", "name"), unique=True),
    _required("token_hash", _width("feed_token", "token_hash"), unique=True),
    _required("filters", JSON),
    _required("include_private", Boolean, default=False),
    _optional("revoked_at", UTCDateTime()),
    _optional("film_id", ForeignKey("film.id")),
    _optional("person_id", ForeignKey("person.id")),
    _optional("director_id", ForeignKey("person.id")),
    _optional("edition_id", ForeignKey("edition.id")),
    _optional("festival_id", ForeignKey("festival.id")),
    _optional("venue_id", ForeignKey("venue.id")),
    _optional("ended_at", UTCDateTime()),
    _optional("plan_id", ForeignKey("plan.id")),
    _optional("ended_because", _width("feed_token", "ended_because")),
    _not_blank("name"),
    CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
    CheckConstraint("(ended_at IS NULL) = (ended_because IS NULL)", name="ended_with_reason"),
)

# The slugs of removed records. A removed record's slug is given to no new record for
# RETIRED_SLUG_DAYS, and its addresses answer 410 Gone meanwhile (when the record was
# public; else 404, as for one that never was). A merged duplicate's slug names the
# record kept (``successor``): its addresses redirect there, and it is never reused.
RETIRED_SLUG_DAYS = 30
SLUGGED = ("festival", "edition", "venue", "film", "person", "programme")
retired_slug = _table(
    "retired_slug",
    _required("kind", _width("retired_slug", "kind")),
    _required("slug", _width("retired_slug", "slug")),
    _required("retired_at", UTCDateTime()),
    _required("public", Boolean, default=False),
    _optional("successor", _width("retired_slug", "successor")),
    _in("kind", SLUGGED),
)

# Imports remember what they gave (the import-pipeline issue, #21). A source is a festival
# edition's file of one kind (the lineup of DocPoint 2026); a row with no edition belongs
# to its kind alone. A screening's base is what its source's last import gave it, field by
# field: a re-import compares the file, the base and the catalogue (a three-way merge), so
# a hand edit the file did not contradict is kept. ``stated`` lists the groups of fields
# (``SCREENING_GROUPS``) the file stated; the others have no base. A base whose screening
# was removed by hand (``screening_id`` cleared) is a tombstone: an unchanged row does not
# bring the screening back. ``film_id`` and ``venue_id`` are what the file named then, not
# references (ids are never reused: they name that record or none); a merge rewrites them.
SOURCE_KINDS = ("lineup", "awards", "frab", "ics")  # a frab schedule, an iCalendar feed
SCREENING_GROUPS: dict[str, tuple[str, ...]] = {
    "film": ("film_id",),
    "place": ("venue_id", "city"),
    "when": ("local_date", "local_time", "timezone"),
    "duration": ("duration_minutes",),
    "kind": ("kind",),
    "status": ("status",),
    "visibility": ("visibility",),
    "audience": ("audience",),
    "ticket_url": ("ticket_url",),
    "notes": ("notes",),
    "external_id": ("external_id",),
}
import_source = _table(
    "import_source",
    _optional("edition_id", ForeignKey("edition.id", ondelete="CASCADE")),
    _required("kind", _width("import_source", "kind")),
    _in("kind", SOURCE_KINDS),
)
screening_base = _table(
    "screening_base",
    _required("source_id", ForeignKey("import_source.id", ondelete="CASCADE")),
    _optional("screening_id", ForeignKey("screening.id", ondelete="SET NULL"), index=True),
    _required("stated", _width("screening_base", "stated")),
    _optional("external_id", _width("screening_base", "external_id")),
    _optional("film_id", Integer),
    _optional("venue_id", Integer),
    _optional("city", _width("screening_base", "city")),
    _optional("local_date", Date),
    _optional("local_time", Time),
    _optional("timezone", _width("screening_base", "timezone")),
    _optional("duration_minutes", Integer),
    _optional("kind", _width("screening_base", "kind")),
    _optional("status", _width("screening_base", "status")),
    _optional("visibility", _width("screening_base", "visibility")),
    _optional("audience", _width("screening_base", "audience")),
    _optional("ticket_url", _width("screening_base", "ticket_url")),
    _optional("notes", Text),
)

# What a source's last import gave a whole record, field by field, as JSON: a film's
# details, credits and links (the first row of the film in the file states them), a
# selection's section, premiere, status and notes, and a nomination's result. The same
# three-way rule as a screening's base. The record is named by kind and id, not
# referenced (ids are never reused: a base of a removed record names nothing, and is
# dropped with its source).
RECORD_BASE_KINDS = ("film", "selection", "nomination", "programme")
record_base = _table(
    "record_base",
    _required("source_id", ForeignKey("import_source.id", ondelete="CASCADE")),
    _required("kind", _width("record_base", "kind")),
    _required("record_id", Integer),
    _required("fields", JSON),
    _in("kind", RECORD_BASE_KINDS),
)

# A row an import applied, as a digest of what it said once read, with the screening it
# ended as and that screening's ``updated_at`` then: the next import skips a row with that
# digest while the screening still has that stamp (``services.lineup.fingerprints``).
# How the row named its film, venue and edition (name keys, migration 0011), and the
# venue's city (0012): a skip checks them against the catalogue in one query
# (services.skipping.named_alone).
row_fingerprint = _table(
    "row_fingerprint",
    _required("digest", _width("row_fingerprint", "digest"), unique=True),
    _optional("screening_id", ForeignKey("screening.id", ondelete="SET NULL"), index=True),
    _required("stamp", UTCDateTime()),
    _optional("title_key", _width("row_fingerprint", "title_key")),
    _optional("venue_key", _width("row_fingerprint", "venue_key")),  # NULL: the row named none
    _optional("festival_key", _width("row_fingerprint", "festival_key")),  # NULL: none
    _optional("edition_year", Integer),
    _optional("label_key", _width("row_fingerprint", "label_key")),
    _optional("city_key", _width("row_fingerprint", "city_key")),  # NULL: none (0012)
)

# Another name of a record, kept by ``merge`` (the duplicate's) or by a rename (the old
# one, ``aliases.keep_old_name``): it leads to the record, in lookups and imports (after
# the exact name, before the slug). One reference column per kind, the one of ``kind``
# set; a venue's alias keeps the duplicate's city, or the city it had when renamed (a
# venue is known by its name in its city). A programme's alias is unique among every
# festival's (a lookup within a festival takes its own programme's only).
ALIAS_KINDS = ("film", "person", "venue", "festival", "programme")
alias = _table(
    "alias",
    _required("kind", _width("alias", "kind")),
    _required("name", _width("alias", "name")),
    _required("name_key", _width("alias", "name_key")),
    _optional("city", _width("alias", "city")),
    _optional("film_id", ForeignKey("film.id", ondelete="CASCADE"), index=True),
    _optional("person_id", ForeignKey("person.id", ondelete="CASCADE"), index=True),
    _optional("venue_id", ForeignKey("venue.id", ondelete="CASCADE"), index=True),
    _optional("festival_id", ForeignKey("festival.id", ondelete="CASCADE"), index=True),
    _optional("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), index=True),
    _in("kind", ALIAS_KINDS),
    _not_blank("name"),
    CheckConstraint(
        " OR ".join(
            f"(kind = '{k}' AND {k}_id IS NOT NULL"
            + "".join(f" AND {o}_id IS NULL" for o in ALIAS_KINDS if o != k)
            + ")"
            for k in ALIAS_KINDS
        ),
        name="one_record",
    ),
)

# One row: a counter that every writing transaction bumps (db.unit_of_work). Readers
# that cache (the feed server) compare it to know whether anything changed.
revision = _table(
    "revision",
    _required("counter", BigInteger, default=0),
    CheckConstraint("id = 1", name="one_row"),
    CheckConstraint("counter >= 0", name="counter_not_negative"),
    reused_ids=True,
)

# Natural keys. Plain columns where no part can be unknown ...
Index("uq_credit_film_person_role", credit.c.film_id, credit.c.person_id, credit.c.role,
      unique=True)  # fmt: skip
Index("uq_film_link_film_url", film_link.c.film_id, film_link.c.url, unique=True)
Index("uq_selection_film_edition", selection.c.film_id, selection.c.edition_id, unique=True)
# ... and COALESCE(...) where one can (see the module docstring).
Index("uq_film_title_key_year", film.c.title_key, func.coalesce(film.c.year, NO_ID), unique=True)
Index(
    "uq_edition_festival_year_label",
    edition.c.festival_id,
    edition.c.year,
    func.coalesce(edition.c.label, NO_TEXT),
    unique=True,
)
Index("uq_venue_name_key_city", venue.c.name_key, func.coalesce(venue.c.city, NO_TEXT),
      unique=True)  # fmt: skip
Index(
    "uq_screening_edition_external_id",
    func.coalesce(screening.c.edition_id, NO_ID),
    screening.c.external_id,
    unique=True,
)
Index(
    "uq_screening_slot",
    func.coalesce(screening.c.film_id, NO_ID),
    func.coalesce(screening.c.programme_id, NO_ID),
    func.coalesce(screening.c.venue_id, NO_ID),
    func.coalesce(screening.c.city, NO_TEXT),
    screening.c.local_date,
    func.coalesce(screening.c.local_time, literal_column(f"'{NO_TIME}'")),
    unique=True,
)
Index("uq_award_name_key_festival", award.c.name_key, func.coalesce(award.c.festival_id, NO_ID),
      unique=True)  # fmt: skip
Index(
    "uq_nomination_key",
    nomination.c.award_id,
    nomination.c.year,
    func.coalesce(nomination.c.category, NO_TEXT),
    func.coalesce(nomination.c.film_id, NO_ID),
    func.coalesce(nomination.c.person_id, NO_ID),
    func.coalesce(nomination.c.programme_id, NO_ID),
    unique=True,
)
Index("ix_screening_local_date", screening.c.local_date)
Index("uq_programme_festival_title_key", programme.c.festival_id, programme.c.title_key,
      unique=True)  # fmt: skip
Index("uq_programme_film_programme_film", programme_film.c.programme_id, programme_film.c.film_id,
      unique=True)  # fmt: skip
Index(
    "uq_import_source_edition_kind",
    func.coalesce(import_source.c.edition_id, NO_ID),
    import_source.c.kind,
    unique=True,
)
Index("uq_screening_base_source_screening", screening_base.c.source_id,
      screening_base.c.screening_id, unique=True)  # fmt: skip
# By film (or id) first: a chunk names hundreds of films across as many sources, and an
# index led by the source would be probed for every pair of the two.
Index("ix_screening_base_film_source", screening_base.c.film_id, screening_base.c.source_id)
Index("ix_screening_base_external_id_source", screening_base.c.external_id,
      screening_base.c.source_id)  # fmt: skip
Index("uq_record_base_source_kind_record", record_base.c.source_id, record_base.c.kind,
      record_base.c.record_id, unique=True)  # fmt: skip
Index("ix_record_base_kind_record", record_base.c.kind, record_base.c.record_id)
Index("uq_alias_kind_name_key_city", alias.c.kind, alias.c.name_key,
      func.coalesce(alias.c.city, NO_TEXT), unique=True)  # fmt: skip
Index("uq_travel_venue_a_id_venue_b_id", travel.c.venue_a_id, travel.c.venue_b_id, unique=True)
Index("uq_plan_edition_plan_id_edition_id", plan_edition.c.plan_id, plan_edition.c.edition_id,
      unique=True)  # fmt: skip
Index("uq_plan_want_plan_id_film_id_programme_id", plan_want.c.plan_id,
      func.coalesce(plan_want.c.film_id, NO_ID), func.coalesce(plan_want.c.programme_id, NO_ID),
      unique=True)  # fmt: skip
Index("uq_plan_pin_plan_id_screening_id", plan_pin.c.plan_id, plan_pin.c.screening_id,
      unique=True)  # fmt: skip
Index("uq_plan_choice_plan_id_screening_id", plan_choice.c.plan_id, plan_choice.c.screening_id,
      unique=True)  # fmt: skip
Index("uq_retired_slug_kind_slug", retired_slug.c.kind, retired_slug.c.slug, unique=True)
