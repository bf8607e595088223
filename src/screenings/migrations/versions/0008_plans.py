"""Plans: a person's wish list, solved into a schedule, and travel times between venues.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

- ``travel``: minutes between two venues, once per pair (the smaller id first).
- ``plan``: a unique name, an owner label, a default travel time, a buffer, whether
  private screenings are candidates, and when it was last solved.
- ``plan_edition``, ``plan_want`` (a film or a programme, a priority, must-see),
  ``plan_pin``, ``plan_busy``: what the person asked for.
- ``plan_choice``: the screenings the last solve chose, each with its start, venue and
  status then; ``plan_problem``: what went or broke since, in words.
- ``feed_token.plan_id``: a secret feed of a plan's chosen screenings.

Every reference is enforced; a plan's parts go with what they name (ON DELETE CASCADE).
New tables and one new nullable column: existing rows are unchanged. Downgrade drops them,
and the secret feeds made for a plan.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MAX_MINUTES = 24 * 60


def _text(column: str, width: int, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(
        column, sa.String(width).with_variant(sa.Text(), "postgresql"), nullable=nullable
    )


def _length(column: str, width: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"length({column}) <= {width} AND {column} = substr({column}, 1, length({column}))",
        name=f"{column}_length",
    )


def _reference(column: str, target: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete="CASCADE"),
        nullable=nullable,
    )


def _table(name: str, *items: Any) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        *[item for item in items if isinstance(item, sa.Column)],
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *[item for item in items if not isinstance(item, sa.Column)],
        sqlite_autoincrement=True,
    )


def _unique(name: str, table: str, columns: list[str | sa.TextClause]) -> None:
    op.create_index(name, table, columns, unique=True)


def upgrade() -> None:
    _table(
        "travel",
        _reference("venue_a_id", "venue"),
        _reference("venue_b_id", "venue"),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("venue_a_id < venue_b_id", name="pair_ordered"),
        sa.CheckConstraint(f"minutes BETWEEN 0 AND {MAX_MINUTES}", name="minutes_range"),
    )
    op.create_index("ix_travel_venue_b_id", "travel", ["venue_b_id"])
    _unique("uq_travel_venue_a_id_venue_b_id", "travel", ["venue_a_id", "venue_b_id"])
    _table(
        "plan",
        _text("name", 200, nullable=False),
        _text("name_key", 200, nullable=False),
        _text("owner", 300),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("include_private", sa.Boolean(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True)),
        sa.Column("optimal", sa.Boolean()),
        sa.UniqueConstraint("name_key"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint(f"travel_minutes BETWEEN 0 AND {MAX_MINUTES}", name="travel_range"),
        sa.CheckConstraint(f"buffer_minutes BETWEEN 0 AND {MAX_MINUTES}", name="buffer_range"),
        _length("name", 200),
        _length("name_key", 200),
        _length("owner", 300),
    )
    _table("plan_edition", _reference("plan_id", "plan"), _reference("edition_id", "edition"))
    op.create_index("ix_plan_edition_edition_id", "plan_edition", ["edition_id"])
    _unique("uq_plan_edition_plan_id_edition_id", "plan_edition", ["plan_id", "edition_id"])
    _table(
        "plan_want",
        _reference("plan_id", "plan"),
        _reference("film_id", "film", nullable=True),
        _reference("programme_id", "programme", nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("must", sa.Boolean(), nullable=False),
        sa.CheckConstraint("(film_id IS NULL) <> (programme_id IS NULL)", name="film_or_programme"),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
    )
    op.create_index("ix_plan_want_film_id", "plan_want", ["film_id"])
    op.create_index("ix_plan_want_programme_id", "plan_want", ["programme_id"])
    _unique(
        "uq_plan_want_plan_id_film_id_programme_id",
        "plan_want",
        ["plan_id", sa.text("coalesce(film_id, 0)"), sa.text("coalesce(programme_id, 0)")],
    )
    _table("plan_pin", _reference("plan_id", "plan"), _reference("screening_id", "screening"))
    op.create_index("ix_plan_pin_screening_id", "plan_pin", ["screening_id"])
    _unique("uq_plan_pin_plan_id_screening_id", "plan_pin", ["plan_id", "screening_id"])
    _table(
        "plan_busy",
        _reference("plan_id", "plan"),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        _text("note", 300),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        _length("note", 300),
    )
    op.create_index("ix_plan_busy_plan_id", "plan_busy", ["plan_id"])
    _table(
        "plan_choice",
        _reference("plan_id", "plan"),
        _reference("screening_id", "screening"),
        sa.Column("starts_at_utc", sa.DateTime(timezone=True)),
        sa.Column("venue_id", sa.Integer()),
        _text("status", 30, nullable=False),
        _text("said", 1000, nullable=False),
        _length("status", 30),
        _length("said", 1000),
    )
    op.create_index("ix_plan_choice_screening_id", "plan_choice", ["screening_id"])
    _unique("uq_plan_choice_plan_id_screening_id", "plan_choice", ["plan_id", "screening_id"])
    _table("plan_problem", _reference("plan_id", "plan"), _text("text", 1000, nullable=False),
           _length("text", 1000))  # fmt: skip
    op.create_index("ix_plan_problem_plan_id", "plan_problem", ["plan_id"])
    if op.get_bind().dialect.name == "sqlite":
        # In place: SQLite adds a column with its reference (NULL in every row) without
        # rebuilding the table, which keeps its AUTOINCREMENT counter as it is.
        op.execute(
            "ALTER TABLE feed_token ADD COLUMN plan_id INTEGER "
            "CONSTRAINT fk_feed_token_plan_id_plan REFERENCES plan (id)"
        )
    else:
        op.add_column("feed_token", sa.Column("plan_id", sa.Integer()))
        op.create_foreign_key(
            op.f("fk_feed_token_plan_id_plan"), "feed_token", "plan", ["plan_id"], ["id"]
        )


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DELETE FROM feed_token WHERE plan_id IS NOT NULL")  # a plan's feeds go with it
    if bind.dialect.name == "sqlite":
        # In place, as it was added: the table's stored definition is as it was before.
        op.execute("ALTER TABLE feed_token DROP COLUMN plan_id")
    else:
        op.drop_constraint(op.f("fk_feed_token_plan_id_plan"), "feed_token", type_="foreignkey")
        op.drop_column("feed_token", "plan_id")
    for table in (
        "plan_problem",
        "plan_choice",
        "plan_busy",
        "plan_pin",
        "plan_want",
        "plan_edition",
        "plan",
        "travel",
    ):
        op.drop_table(table)
