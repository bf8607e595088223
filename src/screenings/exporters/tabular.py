"""JSON and CSV renderers: records in, deterministic bytes out (the contract in docs/output.md).

A CSV is opened in spreadsheets, which run a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or a line feed as a formula (OWASP, "CSV Injection"): a
film title from someone else's lineup could fetch a URL with the sheet's contents, or
start a program. So every text cell that begins with one of these is written with a
``'`` before it, which spreadsheets read as "this is text". Columns declared as numbers
(``records.numeric_columns``) are never changed: a negative longitude stays a number.
JSON is read by programs, not spreadsheets, and carries the values as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from screenings.records import (
    CONTRACT_VERSION,
    ScreeningViewV1,
    as_dict,
    flat_columns,
    flat_row,
    numeric_columns,
)

__all__ = ["CONTRACT_VERSION", "render_csv", "render_json", "render_json_record"]
OLDER_CONTRACTS: dict[type, int] = {ScreeningViewV1: 1}

# OWASP's list: a spreadsheet reads a cell that begins with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def render_json(kind: str, view_type: type, rows: Sequence[Any]) -> bytes:
    """``{"version": 2, "<kind>": [...]}``: every key present (null when unknown), keys
    sorted, rows in the order given, UTF-8, a newline at the end. Rows of an older
    contract's view say its version."""
    assert all(isinstance(row, view_type) for row in rows)
    version = OLDER_CONTRACTS.get(view_type, CONTRACT_VERSION)
    document = {"version": version, kind: [as_dict(row) for row in rows]}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_json_record(kind: str, record: Any) -> bytes:
    """``{"version": 2, "<kind>": {...}}``: one record (``show``), as ``render_json``
    writes each of its rows."""
    document = {"version": CONTRACT_VERSION, kind: as_dict(record)}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_csv(view_type: type, rows: Sequence[Any]) -> bytes:
    """One header row, then one row per record, nested records flattened
    (``film_title``), lists joined with '; ', unknown values empty; RFC 4180 (CRLF).
    A text cell that begins with one of ``FORMULA_TRIGGERS`` has a ``'`` put before it;
    numeric columns are written as they are."""
    columns = flat_columns(view_type)
    numeric = numeric_columns(view_type)
    text_columns = [column for column in columns if column not in numeric]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        cells = flat_row(row)
        for column in text_columns:
            value = cells[column]
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cells[column] = "'" + value
        writer.writerow(cells)
    return buffer.getvalue().encode()
