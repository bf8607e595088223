"""The catalogue as a whole: films, people, festivals, venues and their upkeep."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screenings.models import Base


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each table of the model holds, by table name, in dependency order."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }
