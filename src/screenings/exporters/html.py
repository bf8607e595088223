"""The schedule pages: page records in, HTML bytes out (Jinja2 templates, every value
escaped). Pure: the same record and base address give the same bytes.

Links within the site and to the feeds are paths under ``root`` (the path the site
is served under: "" at the root of a host). Only a "Subscribe" link is absolute: the
feed's address under ``base`` (the server's ``--base-url``, else the address the client
used, either way with ``root`` already at its end) with the ``webcal`` scheme, which
calendar applications register for. The structured data (``exporters.jsonld``, in the
page) names records by absolute addresses under ``base`` too.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from screenings.exporters.jsonld import render_jsonld

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PLURAL = {
    "festival": "festivals",
    "edition": "editions",
    "venue": "venues",
    "film": "films",
    "person": "people",
    "programme": "programmes",
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


def render_page(template: str, page: Any, base: str, root: str = "") -> bytes:
    """``template`` (``home``, ``letter``, ``festival``, ``edition``, ``film``, ``venue``
    or ``person``) rendered for ``page`` (its record from ``services.pages``), UTF-8;
    an edition, film, venue or programme page with its screenings' JSON-LD."""
    template_ = _environment().get_template(f"{template}.html")
    pieces = Pieces(base, root)
    structured = render_jsonld(template, page, pieces)
    return template_.render(
        page=page,
        root=root,
        h=pieces,
        structured_data=None if structured is None else pieces.markup(structured),
    ).encode("utf-8")


class Pieces:
    """The small pieces of markup a page repeats for every screening, in Python: a
    Jinja2 macro call costs several times more, and a 5,000-screening page makes tens
    of thousands of them. Every value is escaped (``html.escape``, quotes included);
    each piece is ``Markup``, so the template does not escape it again."""

    def __init__(self, base: str, root: str) -> None:
        from markupsafe import Markup

        self.base, self.root = base, root
        self.markup = Markup

    def subscribe(self, link: Any, small: bool = False) -> Any:
        """ "Subscribe" (the feed at ``webcal://``) and "Download .ics", each saying to a
        screen reader what it is for."""
        feed = feed_path(link.kind, link.slug)
        title = self._label(link)
        links = (
            f'<p class="subscribe{" small" if small else ""}">\n'
            f'<a class="primary" href="{_escape(webcal(self.base + feed))}">Subscribe'
            f'<span class="visually-hidden"> to <bdi>{title}</bdi></span></a>\n'
            f'<a href="{_escape(self.root + feed)}" download>Download .ics'
            f'<span class="visually-hidden"> of <bdi>{title}</bdi></span></a>\n</p>\n'
        )
        if small:
            return self.markup(links)
        # webcal:// has no TLS form, and Google Calendar and Outlook take the address
        # itself ("From URL", "Subscribe from web"): the https (or http) one, to copy.
        field = f"address-{link.kind}-{hashlib.sha1(feed.encode()).hexdigest()[:8]}"
        return self.markup(
            f"{links}"
            f'<p class="address"><label for="{field}">Calendar address, for Google Calendar '
            f'or Outlook<span class="visually-hidden"> (<bdi>{title}</bdi>)</span></label>\n'
            f'<input id="{field}" type="text" readonly value="{_escape(self.base + feed)}">\n'
            f'<button class="copy" type="button" data-for="{field}" hidden>Copy</button></p>\n'
        )

    def page_url(self, link: Any) -> str:
        """The absolute address of the page of ``link``'s record."""
        return self.base + page_path(link.kind, link.slug)

    def screening_url(self, screening_id: int) -> str:
        """The absolute address of a screening (``screening_path``)."""
        return self.base + screening_path(screening_id)

    @staticmethod
    def outside(url: str | None) -> str | None:
        return safe_url(url)

    def bdi(self, text: str) -> Any:
        return self.markup(f"<bdi>{_escape(text)}</bdi>")

    def link_to(self, link: Any) -> Any:
        href = _escape(self.root + page_path(link.kind, link.slug))
        return self.markup(f'<a href="{href}">{self._label(link)}</a>')

    @staticmethod
    def _label(link: Any) -> str:
        """The link's title isolated in ``<bdi>``, a film's year after it, outside."""
        year = f" ({link.year})" if link.year else ""
        return f"<bdi>{_escape(link.title)}</bdi>{year}"

    def place(self, entry: Any) -> Any:
        if entry.venue is not None:
            return self.link_to(entry.venue)
        if entry.screening.city:
            return self.bdi(entry.screening.city)
        return self.markup("Venue to be announced")

    def when(self, entry: Any, show_date: bool = False) -> Any:
        """The time cell: the date if asked, then "18:00" and its clock, or "Time TBA"."""
        s = entry.screening
        day = ""
        if show_date:
            iso = s.local_date.isoformat()
            day = f'<time class="day" datetime="{iso}">{short_date(s.local_date)}</time> '
        if s.local_time is None:
            clock = "Time TBA"
        else:
            hour, minute = s.local_time.hour, s.local_time.minute
            clock = (
                f'<time datetime="{_escape(s.start)}">{hour:02d}:{minute:02d}</time> '
                f'<span class="zone">{_escape(entry.zone_abbreviation or "")}</span>'
            )
        return self.markup(f'<span class="when">{day}{clock}</span>')

    def screening(  # noqa: PLR0913 -- a template's call: one entry and how to show it
        self,
        entry: Any,
        show_film: bool = True,
        show_venue: bool = True,
        show_edition: bool = True,
        show_premiere: bool = True,
        show_date: bool = False,
    ) -> Any:
        """One screening as a list item: its time, a flag when it is not on as planned
        (cancelled and postponed ones struck through), the film (or, on the film's own
        page, the place), then what ``meta`` says, its notes and a tickets link."""
        s = entry.screening
        status = s.status
        flag = STATUS_LABELS.get(status)
        css = "off" if status in {"cancelled", "postponed"} else status
        title = self.link_to(entry.film) if show_film else self.place(entry)
        films = ""
        if entry.films and show_film:  # a programme: its films under its title
            listed = "".join(f"<li>{self.link_to(film)}</li>" for film in entry.films)
            films = f'<ol class="films">{listed}</ol>\n'
        elif entry.films:  # a film's page: the programme it is shown in
            title = self.markup(f"{title} · in {self.link_to(entry.film)}")
        flagged = f'<span class="flag">{flag}</span> ' if flag else ""
        notes = f'<p class="meta"><bdi>{_escape(s.notes)}</bdi></p>\n' if s.notes else ""
        tickets = ""
        if safe_url(s.ticket_url):
            tickets = (
                f'<p class="meta"><a href="{_escape(s.ticket_url)}" rel="nofollow noopener">'
                f'Tickets<span class="visually-hidden"> for {self._label(entry.film)}'
                "</span></a></p>\n"
            )
        meta = self.meta(entry, show_film, show_venue, show_edition, show_premiere)
        return self.markup(
            f'<li id="{screening_anchor(s.id)}" class="{_escape(css)}">\n'
            f'{self.when(entry, show_date)}\n<div class="what">\n'
            f'<p>{flagged}<span class="title">{title}</span></p>\n'
            f"{films}{meta}{chr(10) if meta else ''}{notes}{tickets}</div>\n</li>\n"
        )

    def meta(
        self,
        entry: Any,
        show_film: bool,
        show_venue: bool,
        show_edition: bool,
        show_premiere: bool,
    ) -> Any:
        """Where, which edition, section, premiere, audience, directors: " · " between."""
        s = entry.screening
        parts = []
        if show_film and show_venue:
            parts.append(self.place(entry))
        if show_edition and entry.edition is not None:
            parts.append(self.link_to(entry.edition))
        if show_premiere:
            parts.extend(self.bdi(fact) for fact in (s.section, entry.premiere) if fact)
        if s.audience:
            parts.append(self.markup(f"for {self.bdi(s.audience)}"))
        if show_film and entry.directors:
            names = ", ".join(self.bdi(name) for name in entry.directors)
            parts.append(self.markup(f"directed by {names}"))
        if not parts:
            return self.markup("")
        return self.markup(f'<p class="meta">{" · ".join(parts)}</p>')


def _escape(text: str) -> str:
    """``text`` fit for HTML text and double-quoted attributes (``& < > " '``)."""
    return html.escape(text, quote=True)


def content_security_policy() -> str:
    """The policy every page is served with: nothing but its own inline style and its
    one inline script (the Copy button's), each by its hash; no frames, no forms."""
    style = base64.b64encode(hashlib.sha256(_style().encode()).digest()).decode()
    script = base64.b64encode(hashlib.sha256(_script().encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{style}'; script-src 'sha256-{script}'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def page_path(kind: str, slug: str) -> str:
    return f"/{PLURAL[kind]}/{slug}"


def screening_path(screening_id: int) -> str:
    """A screening's own address, stable while it exists (its JSON-LD ``@id``): the
    server sends it on to the page of its film (or programme), at ``screening_anchor``."""
    return f"/screenings/{screening_id}"


def screening_anchor(screening_id: int) -> str:
    """The ``id`` of a screening's item on every page that lists it (once a page)."""
    return f"screening-{screening_id}"


def letter_path(kind: str, letter: str, number: int = 1) -> str:
    """The page of the records of ``kind`` under ``letter`` (``/a-z/films/t``, then
    ``/a-z/films/t/2``)."""
    return f"/a-z/{PLURAL[kind]}/{letter}" + (f"/{number}" if number > 1 else "")


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


def _script() -> str:
    return (TEMPLATES / "copy.js").read_text(encoding="utf-8")


def favicon() -> bytes:
    """The site's icon (a film frame), served at ``/favicon.ico``."""
    return (TEMPLATES / "favicon.ico").read_bytes()


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
        letter_path=letter_path,
        webcal=webcal,
        style=_style,
        script=_script,
        status_labels=STATUS_LABELS,
        result_labels=RESULT_LABELS,
    )
    environment.filters.update(
        long_date=long_date, short_date=short_date, date_span=date_span, safe_url=safe_url
    )
    return environment
