"""JSON and CSV renderers: records in, deterministic bytes out (the contract in the README)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from screenings.records import as_dict, flat_columns, flat_row

CONTRACT_VERSION = 1


def render_json(kind: str, view_type: type, rows: Sequence[Any]) -> bytes:
    """``{"version": 1, "<kind>": [...]}``: every key present (null when unknown), keys
    sorted, rows in the order given, UTF-8, a newline at the end."""
    assert all(isinstance(row, view_type) for row in rows)
    document = {"version": CONTRACT_VERSION, kind: [as_dict(row) for row in rows]}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_csv(view_type: type, rows: Sequence[Any]) -> bytes:
    """One header row, then one row per record, nested records flattened
    (``film_title``), lists joined with '; ', unknown values empty; RFC 4180 (CRLF)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=flat_columns(view_type))
    writer.writeheader()
    for row in rows:
        writer.writerow(flat_row(row))
    return buffer.getvalue().encode()
