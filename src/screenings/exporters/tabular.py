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
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from screenings.records import (
    CONTRACT_VERSION,
    ScreeningViewV1,
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
    contract's view say its version.

    The bytes are ``json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)``'s
    (a test holds them equal), written straight from the records: with an indent, the
    json module encodes in pure Python, a value at a time, and a list of 100,000
    screenings took it most of the command's time."""
    assert all(isinstance(row, view_type) for row in rows)
    assert kind < "version", kind  # keys sorted: the rows first
    version = OLDER_CONTRACTS.get(view_type, CONTRACT_VERSION)
    if not rows:
        return f'{{\n  "{kind}": [],\n  "version": {version}\n}}\n'.encode()
    pieces = [f"{{\n  {_string(kind)}: [\n"]
    last = len(rows) - 1
    for number, row in enumerate(rows):
        pieces.append("    ")
        _record(row, "    ", pieces)
        pieces.append(",\n" if number < last else "\n")
    pieces.append(f'  ],\n  "version": {version}\n}}\n')
    return "".join(pieces).encode()


_string = json.encoder.encode_basestring  # as json.dumps(ensure_ascii=False) writes a str
_FIELDS: dict[type, list[tuple[str, int]]] = {}  # a record type's fields, sorted, by index


def _record(record: Any, pad: str, pieces: list[str]) -> None:
    """``record`` as json.dumps writes it indented (``pad``: its line's indentation),
    appended to ``pieces``."""
    kind = type(record)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = sorted((name, n) for n, name in enumerate(kind._fields))
    inner = pad + "  "
    pieces.append("{\n")
    last = len(fields) - 1
    for number, (name, index) in enumerate(fields):
        pieces.append(f'{inner}"{name}": ')
        _value(record[index], inner, pieces)
        pieces.append(",\n" if number < last else "\n")
    pieces.append(pad + "}")


def _value(value: Any, pad: str, pieces: list[str]) -> None:  # noqa: C901, PLR0912 -- one branch per kind of value
    if value is None:
        pieces.append("null")
    elif isinstance(value, str):
        pieces.append(_string(value))
    elif value is True:
        pieces.append("true")
    elif value is False:
        pieces.append("false")
    elif isinstance(value, int):
        pieces.append(int.__repr__(value))
    elif isinstance(value, float):
        pieces.append(json.dumps(value))  # its own rules for nan and infinity
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        _record(value, pad, pieces)
    elif isinstance(value, list | tuple):  # a plain tuple is a JSON array too
        if not value:
            pieces.append("[]")
            return
        inner = pad + "  "
        pieces.append("[\n")
        for number, item in enumerate(value):
            pieces.append(inner)
            _value(item, inner, pieces)
            pieces.append(",\n" if number < len(value) - 1 else "\n")
        pieces.append(pad + "]")
    elif isinstance(value, dt.datetime):
        pieces.append(_string(value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")))
    elif isinstance(value, dt.date | dt.time):
        pieces.append(_string(value.isoformat()))
    else:  # a record holds nothing else
        raise TypeError(f"a record's value of type {type(value).__name__} has no JSON form")


def render_json_record(kind: str, record: Any) -> bytes:
    """``{"version": 2, "<kind>": {...}}``: one record (``show``), as ``render_json``
    writes each of its rows."""
    assert kind < "version", kind  # keys sorted: the record first
    pieces = [f"{{\n  {_string(kind)}: "]
    _record(record, "  ", pieces)
    pieces.append(f',\n  "version": {CONTRACT_VERSION}\n}}\n')
    return "".join(pieces).encode()


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
