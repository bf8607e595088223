"""The schedule pages: page records in, HTML bytes out (Jinja2 templates, every value
escaped). Pure: the same record and base address give the same bytes.

Links within the site and to the feeds are absolute, from ``base`` (the server's
``--base-url``, else the address the client used): a "Subscribe" link is the feed's
address with the ``webcal`` scheme, which calendar applications register for.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PLURAL = {
    "festival": "festivals",
    "edition": "editions",
    "venue": "venues",
    "film": "films",
    "person": "people",
}
DASH = "\N{EN DASH}"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
STATUS_LABELS = {
    "scheduled": None,
    "tentative": "To be confirmed",
    "postponed": "Postponed",
    "cancelled": "Cancelled",
}
RESULT_LABELS = {"won": "Won", "nominated": "Nominated", "special mention": "Special mention"}


def render_page(template: str, page: Any, base: str) -> bytes:
    """``template`` (``home``, ``festival``, ``edition``, ``film``, ``venue`` or
    ``person``) rendered for ``page`` (its record from ``services.pages``), UTF-8."""
    html = _environment().get_template(f"{template}.html").render(page=page, base=base)
    return html.encode("utf-8")


def content_security_policy() -> str:
    """The policy every page is served with: nothing but its own inline style (by hash),
    no script, no frames, no forms."""
    digest = base64.b64encode(hashlib.sha256(_style().encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def page_path(kind: str, slug: str) -> str:
    return f"/{PLURAL[kind]}/{slug}"


def feed_path(kind: str, slug: str) -> str:
    return f"/feeds/{PLURAL[kind]}/{slug}.ics"


def webcal(address: str) -> str:
    """``address`` (http or https) with the ``webcal`` scheme: what "Subscribe" opens."""
    scheme, rest = address.split("://", 1)
    return f"webcal://{rest}" if scheme in {"http", "https"} else address


def long_date(day: dt.date) -> str:
    """ "Friday 14 June 2013", in English whatever the process's locale."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """ "Sat 27 Apr 2013", in English whatever the process's locale."""
    return f"{DAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def date_span(first: dt.date | None, last: dt.date | None) -> str | None:
    """ "12-16 June 2013" or "30 May - 2 June 2013" (with an en dash); one end alone
    when the other is not known; None when neither is."""
    if first is None or last is None:
        known = first or last
        return f"{known.day} {MONTHS[known.month - 1]} {known.year}" if known else None
    end = f"{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first == last:
        return end
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{end}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} {DASH} {end}"
    return f"{first.day} {MONTHS[first.month - 1]} {first.year} {DASH} {end}"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address fit for an ``href``; else None (the page
    then shows it as text): a ``javascript:`` address is never a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    return url


@cache
def _style() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        page_path=page_path,
        feed_path=feed_path,
        webcal=webcal,
        style=_style,
        status_labels=STATUS_LABELS,
        result_labels=RESULT_LABELS,
    )
    environment.filters.update(
        long_date=long_date, short_date=short_date, date_span=date_span, safe_url=safe_url
    )
    return environment
