"""The index of a split export: ``index.json`` for scripts, ``index.html`` for people.
Records in, deterministic bytes out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from screenings.exporters.tabular import CONTRACT_VERSION
from screenings.records import FeedIndexEntry


def render_index_json(
    by: str, entries: Sequence[FeedIndexEntry], ungrouped: int, scope: str
) -> bytes:
    """``{"version": 1, "split_by": ..., "scope": ..., "feeds": [...], "ungrouped": N}``,
    keys sorted; ``ungrouped`` counts the screenings shown in no feed (no venue, no one
    credited); ``scope`` says what was split and how (the filters, by id)."""
    document = {
        "version": CONTRACT_VERSION,
        "split_by": by,
        "scope": scope,
        "feeds": [entry._asdict() for entry in entries],
        "ungrouped": ungrouped,
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_index_html(by: str, entries: Sequence[FeedIndexEntry], ungrouped: int) -> bytes:
    """A page listing each feed with its title, event count and file (a link to
    subscribe to), and the groups with nothing to show, with the reason."""
    rows = []
    for entry in entries:
        if entry.file is not None:
            link = f'<a href="{escape(entry.file)}">{escape(entry.file)}</a>'
        else:
            link = f"<em>no feed: {escape(entry.reason or '')}</em>"
        rows.append(
            f"<tr><td>{escape(entry.title)}</td><td>{entry.events}</td><td>{link}</td></tr>"
        )
    note = (
        f"<p>{ungrouped} screening(s) belong to no {escape(by)} and are in no feed.</p>\n"
        if ungrouped
        else ""
    )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Calendar feeds by {escape(by)}</title>\n</head>\n<body>\n"
        f"<h1>Calendar feeds by {escape(by)}</h1>\n"
        "<p>Subscribe to a feed's address in your calendar application; "
        "its events update in place.</p>\n"
        "<table>\n<thead><tr><th>Feed</th><th>Events</th><th>File</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n" + note + "</body>\n</html>\n"
    )
    return page.encode()
