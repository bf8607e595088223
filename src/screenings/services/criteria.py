"""The free-text filters of a screening query (city, country, section, audience, kind,
status), judged alike whichever door they come through: the options of ``list``,
``export`` and ``feed create``, the feed server's parameters, a secret feed's filters.

A filter's text is matched against a column, and is judged by that column's rules
(``rules.clean_text`` with its length): a value no row could hold is refused, in the
words any door uses for it, rather than searched for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from screenings import rules
from screenings.errors import InvalidInput
from screenings.services.catalog import check_word
from screenings.services.fields import Names, own

if TYPE_CHECKING:
    from screenings.query import ScreeningQuery

# A free-text filter -> the column its text is matched against.
COLUMNS = {
    "city": ("screening", "city"),
    "country": ("venue", "country"),
    "section": ("selection", "section"),
    "audience": ("screening", "audience"),
}


def checked_query(query: ScreeningQuery, names: Names = own) -> ScreeningQuery:
    """``query`` with its free-text filters as the catalogue keeps such values: each
    tidied (``rules.clean_text``) and no longer than the column it is matched against,
    kinds as stored (lower-case, words joined by ``_``), statuses from their closed set.
    ``InvalidInput`` names the filter as the door does (``names``)."""
    changes: dict[str, Any] = {}
    for field, (table, column) in COLUMNS.items():
        value = getattr(query, field)
        if value is not None:
            what = names(field)
            kept = rules.clean_text(value, what=what, limit=rules.length(table, column))
            if not kept:
                raise InvalidInput(f"{what}: empty")
            changes[field] = kept
    changes["kinds"] = tuple(
        check_word(kind, names("kind"), "screening", "kind", "regular, special, gala, press")
        for kind in query.kinds
    )
    changes["statuses"] = tuple(
        rules.closed_word(status, rules.SCREENING_STATUSES, what=names("status"))
        for status in query.statuses
    )
    return replace(query, **changes)
