"""Import sources and screening bases (what each import gave each screening), and aliases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

- ``import_source``: a festival edition's file of one kind (``lineup``); a row with no
  edition belongs to the kind alone.
- ``screening_base``: for a screening and a source, the values that source's last import
  gave it, and which groups of fields it stated. A re-import compares the file, the base
  and the catalogue field by field (``screenings.services.lineup``), so a hand edit that
  the file did not contradict is kept; a base whose screening was removed is a tombstone.

- ``record_base``: the same for a whole record, field by field as JSON: a film's details,
  credits and links, a selection's section, premiere, status and notes (source: the
  edition's lineup), and a nomination's result (source: the edition's awards).
- ``row_fingerprint``: a digest of each row an import applied, with its screening and
  that screening's ``updated_at``, so the next import skips the rows that did not change.
- ``alias``: another name of a film, person, venue or festival, kept by ``merge``.

An existing catalogue gets its bases here: every screening of an edition gets a base
from "the lineup of that edition" equal to its current values, every group stated; so
do every selection, and the details of each film in an edition's programme. So
``--sync`` and three-way re-imports work at once on a catalogue built before this
revision, and the first re-import of an unchanged file reports no conflict.

Downgrade drops both tables: re-imports then go back to the file winning everywhere.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The groups of a screening's fields a base of this revision states (tables.SCREENING_GROUPS).
ALL_STATED = "film,place,when,duration,kind,status,visibility,audience,ticket_url,notes,external_id"
WIDTHS = {
    "kind": 60,
    "stated": 200,
    "external_id": 200,
    "city": 200,
    "timezone": 64,
    "status": 30,
    "visibility": 30,
    "audience": 200,
    "ticket_url": 1000,
}


def _text(column: str, *, nullable: bool = True, width: int | None = None) -> sa.Column[str]:
    width = width or WIDTHS[column]
    return sa.Column(
        column, sa.String(width).with_variant(sa.Text(), "postgresql"), nullable=nullable
    )


def _length(column: str, width: int | None = None) -> sa.CheckConstraint:
    width = width or WIDTHS[column]
    return sa.CheckConstraint(
        f"length({column}) <= {width} AND {column} = substr({column}, 1, length({column}))",
        name=f"{column}_length",
    )


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "import_source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("edition_id", sa.Integer(), sa.ForeignKey("edition.id", ondelete="CASCADE")),
        _text("kind", nullable=False, width=20),
        *_stamps(),
        sa.CheckConstraint("kind IN ('lineup', 'awards')", name="kind"),
        _length("kind", width=20),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "screening_base",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("import_source.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("screening_id", sa.Integer(), sa.ForeignKey("screening.id", ondelete="SET NULL")),
        _text("stated", nullable=False),
        _text("external_id"),
        sa.Column("film_id", sa.Integer()),
        sa.Column("venue_id", sa.Integer()),
        _text("city"),
        sa.Column("local_date", sa.Date()),
        sa.Column("local_time", sa.Time()),
        _text("timezone"),
        sa.Column("duration_minutes", sa.Integer()),
        _text("kind"),
        _text("status"),
        _text("visibility"),
        _text("audience"),
        _text("ticket_url"),
        sa.Column("notes", sa.Text()),
        *_stamps(),
        *(_length(c) for c in WIDTHS),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_import_source_edition_kind",
        "import_source",
        [sa.text("coalesce(edition_id, 0)"), "kind"],
        unique=True,
    )
    op.create_index("ix_screening_base_screening_id", "screening_base", ["screening_id"])
    op.create_index(
        "uq_screening_base_source_screening",
        "screening_base",
        ["source_id", "screening_id"],
        unique=True,
    )
    op.create_index("ix_screening_base_film_source", "screening_base", ["film_id", "source_id"])
    op.create_index(
        "ix_screening_base_external_id_source", "screening_base", ["external_id", "source_id"]
    )
    op.create_table(
        "record_base",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("import_source.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("kind", nullable=False, width=20),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("kind IN ('film', 'selection', 'nomination')", name="kind"),
        _length("kind", width=20),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_record_base_source_kind_record",
        "record_base",
        ["source_id", "kind", "record_id"],
        unique=True,
    )
    op.create_index("ix_record_base_kind_record", "record_base", ["kind", "record_id"])
    op.create_table(
        "row_fingerprint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(32).with_variant(sa.Text(), "postgresql"), nullable=False),
        sa.Column("screening_id", sa.Integer(), sa.ForeignKey("screening.id", ondelete="SET NULL")),
        sa.Column("stamp", sa.DateTime(timezone=True), nullable=False),
        *_stamps(),
        _length("digest", width=32),
        sa.UniqueConstraint("digest"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_row_fingerprint_screening_id", "row_fingerprint", ["screening_id"])
    kinds = ("film", "person", "venue", "festival")
    op.create_table(
        "alias",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("kind", nullable=False, width=20),
        _text("name", nullable=False, width=500),
        _text("name_key", nullable=False, width=500),
        _text("city"),
        *(
            sa.Column(f"{k}_id", sa.Integer(), sa.ForeignKey(f"{k}.id", ondelete="CASCADE"))
            for k in kinds
        ),
        *_stamps(),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in kinds)})", name="kind"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint(
            " OR ".join(
                f"(kind = '{k}' AND {k}_id IS NOT NULL"
                + "".join(f" AND {o}_id IS NULL" for o in kinds if o != k)
                + ")"
                for k in kinds
            ),
            name="one_record",
        ),
        _length("kind", width=20),
        _length("name", width=500),
        _length("name_key", width=500),
        _length("city"),
        sqlite_autoincrement=True,
    )
    for k in kinds:
        op.create_index(f"ix_alias_{k}_id", "alias", [f"{k}_id"])
    op.create_index(
        "uq_alias_kind_name_key_city",
        "alias",
        ["kind", "name_key", sa.text("coalesce(city, '')")],
        unique=True,
    )
    # Every screening of an edition: a base from that edition's lineup, as it is now.
    op.execute(
        "INSERT INTO import_source (edition_id, kind, created_at, updated_at) "
        "SELECT edition_id, 'lineup', MAX(updated_at), MAX(updated_at) FROM ("
        "SELECT edition_id, updated_at FROM screening WHERE edition_id IS NOT NULL "
        "UNION ALL SELECT edition_id, updated_at FROM selection) AS named GROUP BY edition_id"
    )
    fields = (
        "external_id, film_id, venue_id, city, local_date, local_time, timezone, "
        "duration_minutes, kind, status, visibility, audience, ticket_url, notes"
    )
    _record_bases()
    op.execute(
        f"INSERT INTO screening_base (source_id, screening_id, stated, {fields}, created_at, "
        f"updated_at) SELECT import_source.id, screening.id, '{ALL_STATED}', "
        + ", ".join(f"screening.{f.strip()}" for f in fields.split(","))
        + ", screening.updated_at, screening.updated_at FROM screening JOIN import_source "
        "ON import_source.edition_id = screening.edition_id AND import_source.kind = 'lineup'"
    )


FILM_FIELDS = (
    "year",
    "original_title",
    "runtime_minutes",
    "countries",
    "languages",
    "imdb_id",
    "website",
)
SELECTION_FIELDS = ("section", "premiere", "status", "notes")


def _record_bases() -> None:
    """Every selection, and the details of every film in an edition's programme: a base
    from that edition's lineup, as they are now (the fields that have a value)."""
    connection = op.get_bind()
    record_base = sa.table(
        "record_base",
        sa.column("source_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("record_id", sa.Integer()),
        sa.column("fields", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    sources: dict[int, int] = dict(
        connection.execute(
            sa.text("SELECT edition_id, id FROM import_source WHERE kind = 'lineup'")
        ).all()
    )
    films = {
        row[0]: dict(zip(FILM_FIELDS, row[1:], strict=True))
        for row in connection.execute(
            sa.text(f"SELECT id, {', '.join(FILM_FIELDS)} FROM film")
        ).all()
    }
    credits: dict[int, list[str]] = {}
    for film_id, person_id, role in connection.execute(
        sa.text("SELECT film_id, person_id, role FROM credit")
    ):
        credits.setdefault(film_id, []).append(f"{person_id}:{role}")
    links: dict[int, list[str]] = {}
    for film_id, url in connection.execute(sa.text("SELECT film_id, url FROM film_link")):
        links.setdefault(film_id, []).append(url)
    rows = []
    stamp = dt.datetime.now(dt.UTC)
    query = f"SELECT id, film_id, edition_id, {', '.join(SELECTION_FIELDS)} FROM selection"
    for number, film_id, edition_id, *given in connection.execute(sa.text(query)):
        source = sources[edition_id]
        fields = {k: v for k, v in zip(SELECTION_FIELDS, given, strict=True) if v is not None}
        rows.append(_row(source, "selection", number, fields, stamp))
        details = films[film_id]
        for key in ("countries", "languages"):  # JSON, as text on SQLite
            if isinstance(details[key], str):
                details[key] = json.loads(details[key])
        film_fields = {k: v for k, v in details.items() if v not in (None, [])}
        if film_id in credits:
            film_fields["credits"] = sorted(set(credits[film_id]))
        if film_id in links:
            film_fields["links"] = sorted(set(links[film_id]))
        rows.append(_row(source, "film", film_id, film_fields, stamp))
    connection.execute(
        sa.text(
            "INSERT INTO import_source (edition_id, kind, created_at, updated_at) "
            "SELECT DISTINCT edition_id, 'awards', :stamp, :stamp FROM nomination "
            "WHERE edition_id IS NOT NULL"
        ).bindparams(sa.bindparam("stamp", type_=sa.DateTime(timezone=True))),
        {"stamp": stamp},
    )
    awards: dict[int, int] = dict(
        connection.execute(
            sa.text("SELECT edition_id, id FROM import_source WHERE kind = 'awards'")
        ).all()
    )
    for number, edition_id, result in connection.execute(
        sa.text("SELECT id, edition_id, result FROM nomination WHERE edition_id IS NOT NULL")
    ):
        rows.append(_row(awards[edition_id], "nomination", number, {"result": result}, stamp))
    for start in range(0, len(rows), 1000):
        connection.execute(sa.insert(record_base), rows[start : start + 1000])


def _row(
    source: int, kind: str, number: int, fields: dict[str, object], stamp: object
) -> dict[str, object]:
    return {
        "source_id": source,
        "kind": kind,
        "record_id": number,
        "fields": fields,
        "created_at": stamp,
        "updated_at": stamp,
    }


def downgrade() -> None:
    op.drop_table("row_fingerprint")
    op.drop_table("record_base")
    op.drop_table("alias")
    op.drop_table("screening_base")
    op.drop_table("import_source")
