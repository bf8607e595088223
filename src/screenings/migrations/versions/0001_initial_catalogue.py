"""The initial catalogue: films, people, festivals, editions, venues, screenings, awards.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Reviewed by hand. The unique indexes over COALESCE(...) are written here by
hand (autogenerate cannot reflect them on SQLite): they make every natural
key reject a duplicate even when one of its parts is unknown, with the
sentinels 0 (no id or year), '' (no text) and '24:00:00' (no time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _fk(column: str, target: str, *, nullable: bool, ondelete: str | None = None) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "festival",
        _id(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False, unique=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("city", sa.String(200)),
        sa.Column("country", sa.String(100)),
        sa.Column("website", sa.String(1000)),
        sa.Column("timezone", sa.String(64)),
        *_stamps(),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )
    op.create_table(
        "film",
        _id(),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("title_key", sa.String(500), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("original_title", sa.String(500)),
        sa.Column("year", sa.Integer()),
        sa.Column("runtime_minutes", sa.Integer()),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("synopsis", sa.Text()),
        sa.Column("website", sa.String(1000)),
        sa.Column("imdb_id", sa.String(20), unique=True),
        *_stamps(),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("year IS NULL OR year BETWEEN 1870 AND 2200", name="year_range"),
        sa.CheckConstraint(
            "runtime_minutes IS NULL OR runtime_minutes > 0", name="runtime_positive"
        ),
    )
    op.create_table(
        "person",
        _id(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False, unique=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        *_stamps(),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )
    op.create_table(
        "venue",
        _id(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("address", sa.String(500)),
        sa.Column("city", sa.String(200)),
        sa.Column("country", sa.String(100)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        *_stamps(),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
    )
    op.create_table(
        "award",
        _id(),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        _fk("festival_id", "festival", nullable=True),
        sa.Column("presenter", sa.String(300)),
        *_stamps(),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )
    op.create_table(
        "credit",
        _id(),
        _fk("film_id", "film", nullable=False, ondelete="CASCADE"),
        _fk("person_id", "person", nullable=False, ondelete="CASCADE"),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("role = lower(role) AND length(trim(role)) > 0", name="role_lower"),
    )
    op.create_table(
        "edition",
        _id(),
        _fk("festival_id", "festival", nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200)),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("starts_on", sa.Date()),
        sa.Column("ends_on", sa.Date()),
        *_stamps(),
        sa.CheckConstraint("year BETWEEN 1870 AND 2200", name="year_range"),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"
        ),
    )
    op.create_table(
        "film_link",
        _id(),
        _fk("film_id", "film", nullable=False, ondelete="CASCADE"),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("label", sa.String(300)),
        *_stamps(),
        sa.CheckConstraint("kind = lower(kind) AND length(trim(kind)) > 0", name="kind_lower"),
        sa.CheckConstraint("length(trim(url)) > 0", name="url_not_blank"),
    )
    op.create_table(
        "nomination",
        _id(),
        _fk("award_id", "award", nullable=False),
        _fk("edition_id", "edition", nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(300)),
        _fk("film_id", "film", nullable=True),
        _fk("person_id", "person", nullable=True),
        sa.Column("result", sa.String(30), nullable=False),
        *_stamps(),
        sa.CheckConstraint("result IN ('nominated', 'won', 'special_mention')", name="result"),
        sa.CheckConstraint("film_id IS NOT NULL OR person_id IS NOT NULL", name="film_or_person"),
        sa.CheckConstraint("year BETWEEN 1870 AND 2200", name="year_range"),
    )
    op.create_table(
        "screening",
        _id(),
        sa.Column("uid", sa.String(255), nullable=False, unique=True),
        sa.Column("external_id", sa.String(200)),
        _fk("film_id", "film", nullable=False),
        _fk("venue_id", "venue", nullable=True),
        _fk("edition_id", "edition", nullable=True),
        sa.Column("city", sa.String(200)),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Time()),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_at_utc", sa.DateTime(timezone=True)),
        sa.Column("duration_minutes", sa.Integer()),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("visibility", sa.String(30), nullable=False),
        sa.Column("audience", sa.String(200)),
        sa.Column("ticket_url", sa.String(1000)),
        sa.Column("notes", sa.Text()),
        sa.Column("sequence", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('scheduled', 'tentative', 'postponed', 'cancelled')", name="status"
        ),
        sa.CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
        sa.CheckConstraint("kind = lower(kind) AND length(trim(kind)) > 0", name="kind_lower"),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"
        ),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        sa.CheckConstraint(
            "(local_time IS NULL AND starts_at_utc IS NULL)"
            " OR (local_time IS NOT NULL AND starts_at_utc IS NOT NULL)",
            name="instant_iff_time",
        ),
    )
    op.create_table(
        "selection",
        _id(),
        _fk("film_id", "film", nullable=False, ondelete="CASCADE"),
        _fk("edition_id", "edition", nullable=False, ondelete="CASCADE"),
        sa.Column("section", sa.String(200)),
        sa.Column("premiere", sa.String(100)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("notes", sa.Text()),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('selected', 'competition', 'out_of_competition', 'withdrawn')",
            name="status",
        ),
    )

    for table, column in [
        ("award", "festival_id"),
        ("credit", "film_id"),
        ("credit", "person_id"),
        ("edition", "festival_id"),
        ("film_link", "film_id"),
        ("nomination", "award_id"),
        ("nomination", "edition_id"),
        ("nomination", "film_id"),
        ("nomination", "person_id"),
        ("screening", "edition_id"),
        ("screening", "film_id"),
        ("screening", "venue_id"),
        ("screening", "starts_at_utc"),
        ("screening", "local_date"),
        ("selection", "edition_id"),
    ]:
        op.create_index(f"ix_{table}_{column}", table, [column])

    # Natural keys. Plain columns where no part can be unknown ...
    op.create_index(
        "uq_credit_film_person_role", "credit", ["film_id", "person_id", "role"], unique=True
    )
    op.create_index("uq_film_link_film_url", "film_link", ["film_id", "url"], unique=True)
    op.create_index(
        "uq_selection_film_edition", "selection", ["film_id", "edition_id"], unique=True
    )
    # ... and COALESCE(...) where one can (written by hand; see the docstring).
    for name, table, expressions in EXPRESSION_KEYS:
        op.create_index(name, table, [sa.text(e) for e in expressions], unique=True)


EXPRESSION_KEYS = [
    ("uq_film_title_key_year", "film", ["title_key", "coalesce(year, 0)"]),
    ("uq_edition_festival_year_label", "edition", ["festival_id", "year", "coalesce(label, '')"]),
    ("uq_venue_name_key_city", "venue", ["name_key", "coalesce(city, '')"]),
    (
        "uq_screening_edition_external_id",
        "screening",
        ["coalesce(edition_id, 0)", "external_id"],
    ),
    (
        "uq_screening_slot",
        "screening",
        [
            "film_id",
            "coalesce(venue_id, 0)",
            "coalesce(city, '')",
            "local_date",
            "coalesce(local_time, '24:00:00')",
        ],
    ),
    ("uq_award_name_key_festival", "award", ["name_key", "coalesce(festival_id, 0)"]),
    (
        "uq_nomination_key",
        "nomination",
        [
            "award_id",
            "year",
            "coalesce(category, '')",
            "coalesce(film_id, 0)",
            "coalesce(person_id, 0)",
        ],
    ),
]


def downgrade() -> None:
    for table in (
        "selection",
        "screening",
        "nomination",
        "film_link",
        "edition",
        "credit",
        "award",
        "venue",
        "person",
        "film",
        "festival",
    ):
        op.drop_table(table)
