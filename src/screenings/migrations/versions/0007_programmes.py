"""Programmes: one screening shows a film or a named, ordered list of films.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

- ``programme``: a shorts block, a double bill, a feature with its short: a title unique
  within its festival, a festival, optionally an edition, a section and notes.
- ``programme_film``: a film's position in a programme, and an optional extra line.
- ``screening.film_id`` becomes nullable, beside a nullable ``programme_id``; a CHECK
  ``ck_screening_film_or_programme`` holds exactly one of the two. The slot key becomes
  (film or programme, venue, city, date, time), both ids under COALESCE.
- ``nomination.programme_id``: a nomination names a film or (rarely) a programme, never
  both (``ck_nomination_film_not_programme``); its key gains the programme.
- ``retired_slug`` keeps programmes' slugs too, and ``record_base`` a programme's films
  as a lineup's Block column last gave them (a re-import merges them three ways).
- ``alias.programme_id``: ``merge programme`` keeps the duplicate's title as another
  name of the programme kept.

Existing rows are unchanged: every screening keeps its film. SQLite cannot change a
column's nullability or add a CHECK in place: ``screening``, ``nomination`` and
``retired_slug`` are rebuilt from their stored definitions, as 0004 and 0005 rebuild
tables, their ids and id counters kept.

Downgrade removes the screenings and nominations that name a programme (a film-only
catalogue cannot hold them; on SQLite the backup taken before a downgrade keeps them),
then the programmes.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCREENING_CHECK = (
    "CONSTRAINT ck_screening_film_or_programme CHECK ((film_id IS NULL) <> (programme_id IS NULL))"
)
NOMINATION_CHECK_OLD = (
    "CONSTRAINT ck_nomination_film_or_person CHECK (film_id IS NOT NULL OR person_id IS NOT NULL)"
)
NOMINATION_CHECKS = (
    "CONSTRAINT ck_nomination_film_or_person CHECK "
    "(film_id IS NOT NULL OR person_id IS NOT NULL OR programme_id IS NOT NULL)",
    "CONSTRAINT ck_nomination_film_not_programme CHECK (film_id IS NULL OR programme_id IS NULL)",
)
SLUG_KINDS_OLD = "kind IN ('festival', 'edition', 'venue', 'film', 'person')"
SLUG_KINDS = "kind IN ('festival', 'edition', 'venue', 'film', 'person', 'programme')"
BASE_KINDS_OLD = "kind IN ('film', 'selection', 'nomination')"
BASE_KINDS = "kind IN ('film', 'selection', 'nomination', 'programme')"
SLOT_OLD = (
    "film_id, coalesce(venue_id, 0), coalesce(city, ''), local_date, "
    "coalesce(local_time, '24:00:00')"
)
SLOT = (
    "coalesce(film_id, 0), coalesce(programme_id, 0), coalesce(venue_id, 0), "
    "coalesce(city, ''), local_date, coalesce(local_time, '24:00:00')"
)
NOMINATION_KEY_OLD = (
    "award_id, year, coalesce(category, ''), coalesce(film_id, 0), coalesce(person_id, 0)"
)
NOMINATION_KEY = NOMINATION_KEY_OLD + ", coalesce(programme_id, 0)"
ALIAS_KINDS_OLD = ("film", "person", "venue", "festival")
ALIAS_KINDS = (*ALIAS_KINDS_OLD, "programme")
ALIAS_FK = (
    "CONSTRAINT fk_alias_programme_id_programme FOREIGN KEY(programme_id) "
    "REFERENCES programme (id) ON DELETE CASCADE"
)


def _alias_kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def _one_record(kinds: tuple[str, ...]) -> str:
    """``ck_alias_one_record``: the column of its kind set, the others not."""
    return " OR ".join(
        f"(kind = '{k}' AND {k}_id IS NOT NULL"
        + "".join(f" AND {o}_id IS NULL" for o in kinds if o != k)
        + ")"
        for k in kinds
    )


def _text(column: str, width: int, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(
        column, sa.String(width).with_variant(sa.Text(), "postgresql"), nullable=nullable
    )


def _length(column: str, width: int) -> sa.CheckConstraint:
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
    bind = op.get_bind()
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("festival_id", sa.Integer(), sa.ForeignKey("festival.id"), nullable=False),
        sa.Column("edition_id", sa.Integer(), sa.ForeignKey("edition.id")),
        _text("title", 500, nullable=False),
        _text("title_key", 500, nullable=False),
        _text("slug", 100, nullable=False),
        _text("section", 200),
        sa.Column("notes", sa.Text()),
        *_stamps(),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.UniqueConstraint("slug"),
        _length("title", 500),
        _length("title_key", 500),
        _length("slug", 100),
        _length("section", 200),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_programme_festival_id", "programme", ["festival_id"])
    op.create_index("ix_programme_edition_id", "programme", ["edition_id"])
    op.create_index(
        "uq_programme_festival_title_key", "programme", ["festival_id", "title_key"], unique=True
    )
    op.create_table(
        "programme_film",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "programme_id",
            sa.Integer(),
            sa.ForeignKey("programme.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("film_id", sa.Integer(), sa.ForeignKey("film.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _text("extra", 300),
        *_stamps(),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        _length("extra", 300),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_programme_film_programme_id", "programme_film", ["programme_id"])
    op.create_index("ix_programme_film_film_id", "programme_film", ["film_id"])
    op.create_index(
        "uq_programme_film_programme_film",
        "programme_film",
        ["programme_id", "film_id"],
        unique=True,
    )
    if bind.dialect.name == "sqlite":
        _upgrade_sqlite(bind)
    else:
        _upgrade_postgresql(bind)
    op.create_index("ix_screening_programme_id", "screening", ["programme_id"])
    op.create_index("ix_nomination_programme_id", "nomination", ["programme_id"])
    op.create_index("ix_alias_programme_id", "alias", ["programme_id"])


def _upgrade_sqlite(bind: Any) -> None:
    bind.exec_driver_sql("DROP INDEX uq_screening_slot")
    bind.exec_driver_sql("DROP INDEX uq_nomination_key")

    def screening(sql: str) -> str:
        sql = _replace(
            sql, "film_id INTEGER NOT NULL,", "film_id INTEGER, \n\tprogramme_id INTEGER,"
        )
        return _append(
            sql,
            [
                SCREENING_CHECK,
                "CONSTRAINT fk_screening_programme_id_programme "
                "FOREIGN KEY(programme_id) REFERENCES programme (id)",
            ],
        )

    def nomination(sql: str) -> str:
        sql = _replace(
            sql,
            "result VARCHAR(30) NOT NULL,",
            "result VARCHAR(30) NOT NULL, \n\tprogramme_id INTEGER,",
        )
        sql = _replace(sql, NOMINATION_CHECK_OLD, NOMINATION_CHECKS[0])
        return _append(
            sql,
            [
                NOMINATION_CHECKS[1],
                "CONSTRAINT fk_nomination_programme_id_programme "
                "FOREIGN KEY(programme_id) REFERENCES programme (id)",
            ],
        )

    _rebuild(bind, "screening", screening)
    _rebuild(bind, "nomination", nomination)
    _rebuild(bind, "retired_slug", lambda sql: _replace(sql, SLUG_KINDS_OLD, SLUG_KINDS))
    _rebuild(bind, "record_base", lambda sql: _replace(sql, BASE_KINDS_OLD, BASE_KINDS))

    def alias(sql: str) -> str:
        sql = _replace(sql, "festival_id INTEGER, \n\tcreated_at",
                       "festival_id INTEGER, \n\tprogramme_id INTEGER, \n\tcreated_at")  # fmt: skip
        sql = _replace(sql, _alias_kinds(ALIAS_KINDS_OLD), _alias_kinds(ALIAS_KINDS))
        sql = _replace(sql, _one_record(ALIAS_KINDS_OLD), _one_record(ALIAS_KINDS))
        return _append(sql, [ALIAS_FK])

    _rebuild(bind, "alias", alias)
    bind.exec_driver_sql(f"CREATE UNIQUE INDEX uq_screening_slot ON screening ({SLOT})")
    bind.exec_driver_sql(f"CREATE UNIQUE INDEX uq_nomination_key ON nomination ({NOMINATION_KEY})")


def _upgrade_postgresql(bind: Any) -> None:
    op.drop_index("uq_screening_slot", table_name="screening")
    op.drop_index("uq_nomination_key", table_name="nomination")
    op.add_column(
        "screening",
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programme.id"), nullable=True),
    )
    op.alter_column("screening", "film_id", nullable=True)
    op.create_check_constraint(
        op.f("ck_screening_film_or_programme"),
        "screening",
        "(film_id IS NULL) <> (programme_id IS NULL)",
    )
    op.add_column(
        "nomination",
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programme.id"), nullable=True),
    )
    op.drop_constraint(op.f("ck_nomination_film_or_person"), "nomination", type_="check")
    op.create_check_constraint(
        op.f("ck_nomination_film_or_person"),
        "nomination",
        "film_id IS NOT NULL OR person_id IS NOT NULL OR programme_id IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_nomination_film_not_programme"),
        "nomination",
        "film_id IS NULL OR programme_id IS NULL",
    )
    op.drop_constraint(op.f("ck_retired_slug_kind"), "retired_slug", type_="check")
    op.create_check_constraint(op.f("ck_retired_slug_kind"), "retired_slug", SLUG_KINDS)
    op.drop_constraint(op.f("ck_record_base_kind"), "record_base", type_="check")
    op.create_check_constraint(op.f("ck_record_base_kind"), "record_base", BASE_KINDS)
    op.add_column(
        "alias",
        sa.Column(
            "programme_id",
            sa.Integer(),
            sa.ForeignKey("programme.id", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    for name, condition in (
        ("ck_alias_kind", _alias_kinds(ALIAS_KINDS)),
        ("ck_alias_one_record", _one_record(ALIAS_KINDS)),
    ):
        op.drop_constraint(op.f(name), "alias", type_="check")
        op.create_check_constraint(op.f(name), "alias", condition)
    bind.exec_driver_sql(f"CREATE UNIQUE INDEX uq_screening_slot ON screening ({SLOT})")
    bind.exec_driver_sql(f"CREATE UNIQUE INDEX uq_nomination_key ON nomination ({NOMINATION_KEY})")


def downgrade() -> None:
    bind = op.get_bind()
    # What a film-only catalogue cannot hold goes first, with what points at it.
    for table in ("screening_base", "row_fingerprint"):
        bind.exec_driver_sql(
            f"UPDATE {table} SET screening_id = NULL WHERE screening_id IN "
            "(SELECT id FROM screening WHERE programme_id IS NOT NULL)"
        )
    bind.exec_driver_sql("DELETE FROM screening WHERE programme_id IS NOT NULL")
    bind.exec_driver_sql("DELETE FROM nomination WHERE programme_id IS NOT NULL")
    bind.exec_driver_sql("DELETE FROM retired_slug WHERE kind = 'programme'")
    bind.exec_driver_sql("DELETE FROM record_base WHERE kind = 'programme'")
    bind.exec_driver_sql("DELETE FROM alias WHERE kind = 'programme'")
    op.drop_index("ix_alias_programme_id", table_name="alias")
    op.drop_index("ix_screening_programme_id", table_name="screening")
    op.drop_index("ix_nomination_programme_id", table_name="nomination")
    op.drop_index("uq_screening_slot", table_name="screening")
    op.drop_index("uq_nomination_key", table_name="nomination")
    if bind.dialect.name == "sqlite":

        def screening(sql: str) -> str:
            sql = _replace(
                sql, "film_id INTEGER, \n\tprogramme_id INTEGER,", "film_id INTEGER NOT NULL,"
            )
            sql = _drop_clause(sql, SCREENING_CHECK)
            return _drop_clause(
                sql,
                "CONSTRAINT fk_screening_programme_id_programme "
                "FOREIGN KEY(programme_id) REFERENCES programme (id)",
            )

        def nomination(sql: str) -> str:
            sql = _replace(
                sql,
                "result VARCHAR(30) NOT NULL, \n\tprogramme_id INTEGER,",
                "result VARCHAR(30) NOT NULL,",
            )
            sql = _replace(sql, NOMINATION_CHECKS[0], NOMINATION_CHECK_OLD)
            sql = _drop_clause(sql, NOMINATION_CHECKS[1])
            return _drop_clause(
                sql,
                "CONSTRAINT fk_nomination_programme_id_programme "
                "FOREIGN KEY(programme_id) REFERENCES programme (id)",
            )

        _rebuild(bind, "screening", screening)
        _rebuild(bind, "nomination", nomination)
        _rebuild(bind, "retired_slug", lambda sql: _replace(sql, SLUG_KINDS, SLUG_KINDS_OLD))
        _rebuild(bind, "record_base", lambda sql: _replace(sql, BASE_KINDS, BASE_KINDS_OLD))

        def alias(sql: str) -> str:
            sql = _replace(sql, "festival_id INTEGER, \n\tprogramme_id INTEGER, \n\tcreated_at",
                           "festival_id INTEGER, \n\tcreated_at")  # fmt: skip
            sql = _replace(sql, _alias_kinds(ALIAS_KINDS), _alias_kinds(ALIAS_KINDS_OLD))
            sql = _replace(sql, _one_record(ALIAS_KINDS), _one_record(ALIAS_KINDS_OLD))
            return _drop_clause(sql, ALIAS_FK)

        _rebuild(bind, "alias", alias)
    else:
        for name, condition in (
            ("ck_alias_kind", _alias_kinds(ALIAS_KINDS_OLD)),
            ("ck_alias_one_record", _one_record(ALIAS_KINDS_OLD)),
        ):
            op.drop_constraint(op.f(name), "alias", type_="check")
            op.create_check_constraint(op.f(name), "alias", condition)
        op.drop_column("alias", "programme_id")
        op.drop_constraint(op.f("ck_record_base_kind"), "record_base", type_="check")
        op.create_check_constraint(op.f("ck_record_base_kind"), "record_base", BASE_KINDS_OLD)
        op.drop_constraint(op.f("ck_retired_slug_kind"), "retired_slug", type_="check")
        op.create_check_constraint(op.f("ck_retired_slug_kind"), "retired_slug", SLUG_KINDS_OLD)
        op.drop_constraint(op.f("ck_nomination_film_not_programme"), "nomination", type_="check")
        op.drop_constraint(op.f("ck_nomination_film_or_person"), "nomination", type_="check")
        op.create_check_constraint(
            op.f("ck_nomination_film_or_person"),
            "nomination",
            "film_id IS NOT NULL OR person_id IS NOT NULL",
        )
        op.drop_column("nomination", "programme_id")
        op.drop_constraint(op.f("ck_screening_film_or_programme"), "screening", type_="check")
        op.drop_column("screening", "programme_id")
        op.alter_column("screening", "film_id", nullable=False)
    bind.exec_driver_sql(f"CREATE UNIQUE INDEX uq_screening_slot ON screening ({SLOT_OLD})")
    bind.exec_driver_sql(
        f"CREATE UNIQUE INDEX uq_nomination_key ON nomination ({NOMINATION_KEY_OLD})"
    )
    op.drop_table("programme_film")
    op.drop_table("programme")


# --- SQLite: rebuilding a table from its stored definition (as 0005 does) --------------------


def _replace(sql: str, old: str, new: str) -> str:
    found = sql.count(old)
    assert found == 1, f"{old!r}: found {found} times in {sql}"
    return sql.replace(old, new)


def _append(sql: str, clauses: list[str]) -> str:
    body = sql.rstrip()
    assert body.endswith(")"), sql
    return body[:-1].rstrip() + ", \n\t" + ", \n\t".join(clauses) + "\n)"


def _drop_clause(sql: str, clause: str) -> str:
    sql, found = re.subn(r",\s*" + re.escape(clause), "", sql, count=1)
    assert found == 1, f"{clause}: not in {sql}"
    return sql


def _rebuild(bind: Any, table: str, change: Any) -> None:
    """Rebuild ``table`` from its stored definition with ``change`` applied to it, with
    foreign keys off: its rows keep their ids, its indexes are made again and its id
    counter (sqlite_sequence, which a dropped table loses) is kept."""
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    indexes = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
        .scalars()
        .all()
    )
    counter = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).scalar()
    old_columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    temporary = f"_new_{table}"
    head = re.compile(rf'^CREATE TABLE "?{table}"?\s*\(')
    assert head.match(stored), stored
    bind.exec_driver_sql(head.sub(f'CREATE TABLE "{temporary}" (', change(stored), count=1))
    new_columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{temporary}")')]
    kept = ", ".join(f'"{c}"' for c in new_columns if c in old_columns)
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" ({kept}) SELECT {kept} FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
    if counter is not None:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, counter)
        )
